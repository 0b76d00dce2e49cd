/* cmd_nn — see cmd_nn.h.  The only part of the training engine that prints. */
#include "cmd_nn.h"

#include "aeerr.h"
#include "cli.h"
#include "dataset.h"
#include "idx.h"
#include "nn.h"
#include "oblas.h"
#include "proof.h"
#include "dsrc.h"
#include "evalscore.h"
#include "qmat.h"
#include "qnum.h"
#include "synth.h"

#include <errno.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_LAYERS 64

/* ---- small helpers -------------------------------------------------------------------- */

static const char *cmd_name = "aeaudit";

static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cli_verror(cmd_name, fmt, ap);
    va_end(ap);
    return 2;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double) t.tv_sec + 1e-9 * (double) t.tv_nsec;
}



/* "2,5,1,5,2" -> sizes; returns the count, or -1 with why set.  The total parameter
 * count (weights and biases) must stay within NN_MAX_PARAMS, the model file's cap. */
static long parse_arch(long *sizes, long max, const char *s, char *why, size_t whylen)
{
    long n = 0;
    const char *p = s;
    double params = 0;
    while (*p) {
        char *end;
        errno = 0;
        long v = strtol(p, &end, 10);
        if (end == p || (*end != ',' && *end != '\0')) {
            snprintf(why, whylen, "not a comma-separated list of widths");
            return -1;
        }
        if (errno != 0 || v < 1 || v > NN_MAX_PARAMS) {
            snprintf(why, whylen, "width %.*s: must be an integer in [1, %ld]", (int) (end - p),
                     p, (long) NN_MAX_PARAMS);
            return -1;
        }
        if (n >= max) {
            snprintf(why, whylen, "more than %ld layers", max - 1);
            return -1;
        }
        if (n > 0)
            params += ((double) sizes[n - 1] + 1) * (double) v;
        if (params > (double) NN_MAX_PARAMS) {
            snprintf(why, whylen, "more than %ld parameters (the model file's limit)",
                     (long) NN_MAX_PARAMS);
            return -1;
        }
        sizes[n++] = v;
        if (*end == ',')
            end++;
        else if (*end != '\0')
            return -1;
        p = end;
    }
    return n;
}

/* ---- data ------------------------------------------------------------------------------- */

typedef struct {
    const char *data, *normal, *data_dir, *idx_dir, *split, *scale;
    unsigned long seed;
    int no_labels, header;   /* header: 0, DS_HEADER or DS_NOHEADER */
} dataopts;


static int check_split(const char *split)
{
    if (strcmp(split, "train") != 0 && strcmp(split, "test") != 0 && strcmp(split, "t10k") != 0)
        return usage_error("--split %s: must be train or test", split);
    return 0;
}

/* Loads the data named by o (every row, unscaled; IDX pixels raw 0..255). */
static int load_data(dsrc_t c, const dataopts *o)
{
    char err[600];
    dsrc_opts so;
    dsrc_opts_default(&so);
    so.data_dir = o->data_dir;
    so.idx_dir = o->idx_dir;
    so.split = o->split;
    so.seed = o->seed;
    so.csv_flags = (o->no_labels ? 0 : DS_LABEL) | o->header;
    if (check_split(o->split) != 0)
        return 2;
    if (dsrc_load(c, o->data, &so, err, sizeof err) != AE_OK)
        return usage_error("%s", err);
    return 0;
}

/* The /255 pixel map of IDX data, recorded in models as the scaling lo = 0, hi = 255. */
static void pixel_scale(mpq_t *lo, mpq_t *hi, long d)
{
    for (long j = 0; j < d; j++) {
        mpq_set_ui(lo[j], 0, 1);
        mpq_set_ui(hi[j], 255, 1);
    }
}

/* ---- train ------------------------------------------------------------------------------ */

static void usage_train(FILE *f)
{
    fputs("usage: aeaudit train --data NAME|PATH [--normal LIST] --arch 2,5,1,5,2 [--act relu]\n"
          "         [--out-act identity|sigmoid] [--opt adam|sgd] [--lr 1e-3] [--momentum M]\n"
          "         --epochs N [--batch B] --seed S [--precision float|double]\n"
          "         [--init torch|he|xavier] [--no-bias] [--scale minmax|none]\n"
          "         [--data-dir DIR] [--idx-dir DIR] [--split train|test]\n"
          "         [--threads T] [--kernels portable|blas] --out model.aem\n"
          "\n"
          "Trains a dense autoencoder on the rows of the data set (those of the --normal\n"
          "classes) by minimising the mean squared reconstruction error, and writes the model\n"
          "(weights as exact hex floats, training record, scaling) to --out.\n"
          "\n"
          "  --data NAME|PATH  diagonal, diagonal-noisy, two-clusters, ring, plane3d (100\n"
          "                    synthetic points drawn from --seed); wine, breast_cancer, iris,\n"
          "                    digits (CSV files in --data-dir, last column the label);\n"
          "                    fashion-mnist (IDX files in " IDX_DEFAULT_DIR "), mnist\n"
          "                    (needs --idx-dir); a CSV file (last column a label unless\n"
          "                    --no-labels); or a directory of MNIST-style IDX files\n"
          "  --normal LIST     train only on rows with these labels, e.g. 4,5,7\n"
          "  --arch W0,...,WL  layer widths; W0 = WL = the data's dimension\n"
          "  --act A           hidden activation (default relu): identity, relu,\n"
          "                    leaky_relu[:SLOPE], tanh, sigmoid, softplus, elu[:ALPHA], gelu,\n"
          "                    silu, hardtanh\n"
          "  --out-act A       output activation (default identity)\n"
          "  --opt adam|sgd    optimizer (default adam; PyTorch's formulas)\n"
          "  --lr X            learning rate > 0 (default 1e-3)\n"
          "  --momentum M      SGD momentum in [0,1) (default 0; an error with --opt adam)\n"
          "  --epochs N        passes over the data\n"
          "  --batch B         rows per step (default: all rows, full batch)\n"
          "  --seed S          seeds initialisation, shuffling and synthetic data\n"
          "  --precision P     float (default) or double\n"
          "  --init I          torch (PyTorch nn.Linear default), he, xavier (default torch)\n"
          "  --no-bias         affine layers without bias\n"
          "  --scale minmax|none  min-max scaling fitted on the training rows (default:\n"
          "                    minmax for CSV data, none for synthetic; IDX pixels are /255)\n"
          "  --data-dir DIR    where the bundled CSV files are (default: ./data when it holds\n"
          "                    them, else the data folder beside the executable)\n"
          "  --header          line 1 of a CSV --data file is a header (skipped)\n"
          "  --no-header       line 1 is data (default: a header only when no field of it\n"
          "                    reads as a number)\n"
          "  --idx-dir DIR     IDX directory for fashion-mnist / mnist\n"
          "  --split S         IDX split: train (default) or test\n"
          "  --threads T       training threads (default 1); each batch's rows, then each\n"
          "                    layer's units, are split among them.  The model depends on\n"
          "                    T: same T, same bytes\n"
          "  --kernels K       matrix kernels: portable (default; a fixed summation order,\n"
          "                    the same model bytes on every machine) or blas (OpenBLAS,\n"
          "                    loaded at run time: faster on big layers, the same bytes\n"
          "                    only on the same machine and OpenBLAS)\n"
          "  --out FILE        the model file (written via a temporary file and rename)\n"
          "\n"
          "Progress goes to stderr: a bar when stderr is a terminal, else one line per epoch.\n"
          "Exit status: 0 trained and saved; 1 the loss became NaN/Inf (no model written);\n"
          "2 bad usage or input.\n", f);
}

typedef struct {
    const char *out, *arch, *act, *out_act, *opt, *init, *precision;
    double lr, momentum;
    long epochs, batch, threads;
    int have_seed, no_bias;
    int kernels;
} trainopts;

/* Shared option parsing: returns 1 if argv[*i] was a data option (consumed). */
static int data_option(dataopts *d, int argc, char **argv, int *i, int *bad)
{
    const char *a = argv[*i];
    const char **slot = strcmp(a, "--data") == 0 ? &d->data
                      : strcmp(a, "--normal") == 0 ? &d->normal
                      : strcmp(a, "--data-dir") == 0 ? &d->data_dir
                      : strcmp(a, "--idx-dir") == 0 ? &d->idx_dir
                      : strcmp(a, "--split") == 0 ? &d->split
                      : strcmp(a, "--scale") == 0 ? &d->scale : NULL;
    if (strcmp(a, "--no-labels") == 0) {
        d->no_labels = 1;
        return 1;
    }
    if (strcmp(a, "--header") == 0 || strcmp(a, "--no-header") == 0) {
        d->header = strcmp(a, "--header") == 0 ? DS_HEADER : DS_NOHEADER;
        return 1;
    }
    if (slot == NULL)
        return 0;
    if (*i + 1 >= argc) {
        *bad = usage_error("%s needs a value", a);
        return 1;
    }
    *slot = argv[++*i];
    return 1;
}

static void progress(int tty, long e, long epochs, double loss, double t0, double *last)
{
    double t = now_s(), el = t - t0, rate = (double) e / (el > 0 ? el : 1e-9);
    double eta = (double) (epochs - e) / (rate > 0 ? rate : 1e-9);
    if (!tty) {
        fprintf(stderr, "epoch %ld/%ld loss %.6e time %.2fs\n", e, epochs, loss, el);
        return;
    }
    if (e != epochs && t - *last < 0.1)
        return;
    *last = t;
    char bar[40];
    proof_bar(bar, 30, e, epochs);
    fprintf(stderr, "\repoch %ld/%ld %s loss %.4e  %.1f epochs/s  ETA %ld:%02ld ", e, epochs,
            bar, loss, rate, (long) eta / 60, (long) eta % 60);
    if (e == epochs)
        fputc('\n', stderr);
    fflush(stderr);
}

/* Refuses an --out that cannot be written before any work is done: a directory, or a
 * folder where PATH.tmp (the name nn_save writes first) cannot be created. */
static int check_out(const char *out)
{
    struct stat sb;
    if (stat(out, &sb) == 0 && S_ISDIR(sb.st_mode))
        return usage_error("--out %s: is a directory", out);
    size_t n = strlen(out) + 5;
    char *tmp = malloc(n);
    if (tmp == NULL)
        return usage_error("out of memory");
    snprintf(tmp, n, "%s.tmp", out);
    int existed = access(tmp, F_OK) == 0;
    FILE *f = fopen(tmp, "a");
    if (f == NULL) {
        int e = errno;
        usage_error("--out %s: cannot write %s: %s", out, tmp, strerror(e));
        free(tmp);
        return 2;
    }
    fclose(f);
    if (!existed)
        remove(tmp);
    free(tmp);
    return 0;
}

int aeaudit_cmd_train(int argc, char **argv)
{
    cmd_name = "train";
    dataopts d = { NULL, NULL, NULL, NULL, "train", NULL, 0, 0, 0 };
    int have_momentum = 0;
    trainopts t = { NULL, NULL, "relu", "identity", "adam", "torch", "float", 1e-3, 0, -1, 0, 1, 0, 0,
                    NN_KERNELS_PORTABLE };
    int bad = 0;
    for (int i = 1; i < argc && !bad; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage_train(stdout);
            return 0;
        }
        if (data_option(&d, argc, argv, &i, &bad))
            continue;
        if (strcmp(a, "--no-bias") == 0) {
            t.no_bias = 1;
            continue;
        }
        if (v == NULL)
            return usage_error("unknown option or missing value: %s (see --help)", a);
        i++;
        if (strcmp(a, "--out") == 0) t.out = v;
        else if (strcmp(a, "--arch") == 0) t.arch = v;
        else if (strcmp(a, "--act") == 0) t.act = v;
        else if (strcmp(a, "--out-act") == 0) t.out_act = v;
        else if (strcmp(a, "--opt") == 0) t.opt = v;
        else if (strcmp(a, "--init") == 0) t.init = v;
        else if (strcmp(a, "--precision") == 0) t.precision = v;
        else if (strcmp(a, "--lr") == 0) {
            if (!cli_parse_double(v, &t.lr))
                return usage_error("--lr %s: not a number", v);
            if (!(t.lr > 0))
                return usage_error("--lr %s: must be > 0", v);
        } else if (strcmp(a, "--momentum") == 0) {
            if (!cli_parse_double(v, &t.momentum))
                return usage_error("--momentum %s: not a number", v);
            if (t.momentum < 0 || t.momentum >= 1)
                return usage_error("--momentum %s: must be in [0, 1)", v);
            have_momentum = 1;
        } else if (strcmp(a, "--epochs") == 0) {
            if (!cli_parse_long(v, &t.epochs, 1))
                return usage_error("--epochs %s: must be a positive integer", v);
        } else if (strcmp(a, "--threads") == 0) {
            if (!cli_parse_long(v, &t.threads, 1) || t.threads > NN_MAX_THREADS)
                return usage_error("--threads must be an integer in [1, %d]", NN_MAX_THREADS);
        } else if (strcmp(a, "--kernels") == 0) {
            if (nn_kernels_parse(&t.kernels, v) != AE_OK)
                return usage_error("--kernels %s: must be portable or blas", v);
        } else if (strcmp(a, "--batch") == 0) {
            if (!cli_parse_long(v, &t.batch, 1))
                return usage_error("--batch %s: must be a positive integer", v);
        } else if (strcmp(a, "--seed") == 0) {
            long s;
            if (!cli_parse_long(v, &s, 0))
                return usage_error("--seed must be a non-negative integer");
            d.seed = (unsigned long) s;
            t.have_seed = 1;
        } else
            return usage_error("unknown option %s (see --help)", a);
    }
    if (bad)
        return bad;
    if (d.data == NULL || t.arch == NULL || t.epochs < 0 || !t.have_seed || t.out == NULL)
        return usage_error("--data, --arch, --epochs, --seed and --out are required (see --help)");

    long sizes[MAX_LAYERS + 1];
    char why[160];
    long nl = parse_arch(sizes, MAX_LAYERS + 1, t.arch, why, sizeof why);
    if (nl < 0)
        return usage_error("--arch %s: %s", t.arch, why);
    if (nl < 2)
        return usage_error("--arch %s: want at least two positive widths, e.g. 2,5,1,5,2", t.arch);
    long L = nl - 1;
    nn_act_t act[MAX_LAYERS], a_h, a_o;
    double ap[MAX_LAYERS], p_h, p_o;
    if (nn_act_parse(&a_h, &p_h, t.act) != AE_OK)
        return usage_error("unknown activation '%s'", t.act);
    if (nn_act_parse(&a_o, &p_o, t.out_act) != AE_OK)
        return usage_error("unknown output activation '%s'", t.out_act);
    for (long l = 0; l < L; l++) {
        act[l] = l == L - 1 ? a_o : a_h;
        ap[l] = l == L - 1 ? p_o : p_h;
    }
    int prec = strcmp(t.precision, "float") == 0 || strcmp(t.precision, "float32") == 0 ? NN_F32
             : strcmp(t.precision, "double") == 0 || strcmp(t.precision, "float64") == 0 ? NN_F64 : 0;
    if (prec == 0)
        return usage_error("--precision must be float or double");
    int opt = strcmp(t.opt, "adam") == 0 ? NN_OPT_ADAM : strcmp(t.opt, "sgd") == 0 ? NN_OPT_SGD : -1;
    if (opt < 0)
        return usage_error("--opt must be adam or sgd");
    int init = strcmp(t.init, "torch") == 0 ? NN_INIT_TORCH : strcmp(t.init, "he") == 0 ? NN_INIT_HE
             : strcmp(t.init, "xavier") == 0 ? NN_INIT_XAVIER : -1;
    if (init < 0)
        return usage_error("--init must be torch, he or xavier");
    if (d.scale != NULL && strcmp(d.scale, "minmax") != 0 && strcmp(d.scale, "none") != 0)
        return usage_error("--scale must be minmax or none");
    if (check_split(d.split) != 0)
        return 2;
    if (have_momentum && opt != NN_OPT_SGD)
        return usage_error("--momentum applies to --opt sgd only (Adam has no momentum term)");
    int rc = check_out(t.out);
    if (rc != 0)
        return rc;
    if (sizes[L] != sizes[0])
        return usage_error("--arch must end with its input width (an autoencoder): %ld != %ld",
                           sizes[L], sizes[0]);

    dsrc_t c;
    dsrc_init(c);
    rc = load_data(c, &d);
    if (rc == 0 && d.normal != NULL)
        rc = cli_filter_classes(c, cmd_name, d.data, d.normal);
    if (rc == 0 && sizes[0] != c->d)
        rc = usage_error("--arch input width %ld does not match the data's dimension %ld",
                         sizes[0], c->d);
    if (rc != 0) {
        dsrc_clear(c);
        return rc;
    }
    /* Scaling, recorded in the model so eval applies the same map. */
    long dd = c->d;
    mpq_t *lo = qvec_init(dd), *hi = qvec_init(dd);
    int scaled = 0;
    if (c->idx) {
        pixel_scale(lo, hi, dd);
        scaled = 1;
    } else if (d.scale != NULL ? strcmp(d.scale, "minmax") == 0 : !c->synthetic) {
        dsrc_minmax_fit(lo, hi, c);
        scaled = 1;
    }
    if (scaled)
        dsrc_minmax_apply(c, (const mpq_t *) lo, (const mpq_t *) hi);

    nn_t net;
    int bias[MAX_LAYERS];
    for (long l = 0; l < L; l++)
        bias[l] = !t.no_bias;
    nn_init(net, prec, L, sizes, act, ap, bias);
    if (scaled)
        nn_set_scale(net, (const mpq_t *) lo, (const mpq_t *) hi);
    qvec_clear(lo, dd);
    qvec_clear(hi, dd);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, d.seed);
    nn_init_params(net, init, r);
    gsl_rng_free(r);
    nn_trainopts o;
    nn_trainopts_default(&o);
    o.opt = opt;
    o.lr = t.lr;
    o.momentum = t.momentum;
    o.batch = t.batch;
    o.seed = d.seed;
    o.threads = (int) t.threads;
    o.kernels = t.kernels;
    nn_trainer_t T;
    rc = nn_trainer_init(T, net, &o, c->X, c->n);
    if (rc != AE_OK) {
        nn_clear(net);
        dsrc_clear(c);
        if (rc == AE_EIO)
            return usage_error("--kernels blas: %s", oblas_error());
        return usage_error(rc == AE_ERANGE ? "the data contain NaN or Inf (or a value beyond "
                           "float32's range)" : "out of memory");
    }
    snprintf(net->rec.data, sizeof net->rec.data, "%s", d.data);
    snprintf(net->rec.normal, sizeof net->rec.normal, "%s", d.normal ? d.normal : "");
    int tty = isatty(2);
    double t0 = now_s(), last = 0, loss = NAN;
    int status = 0;
    for (long e = 1; e <= t.epochs; e++) {
        if (nn_trainer_epoch(&loss, T) != AE_OK) {
            if (tty)
                fputc('\n', stderr);
            status = 1;
            fprintf(stderr, "aeaudit train: the loss became %s at epoch %ld (try a smaller "
                    "--lr); no model written\n", isnan(loss) ? "NaN" : "infinite", e);
            break;
        }
        progress(tty, e, t.epochs, loss, t0, &last);
    }
    nn_trainer_clear(T);
    dsrc_clear(c);
    if (status == 0) {
        char err[512];
        if (nn_save(t.out, net, err, sizeof err) != AE_OK)
            status = usage_error("%s", err);
        else
            fprintf(stderr, "aeaudit train: wrote %s (final loss %.6e, %.2f s)\n", t.out, loss,
                    now_s() - t0);
    }
    nn_clear(net);
    return status;
}

/* ---- eval --------------------------------------------------------------------------------- */

static void usage_eval(FILE *f)
{
    fputs("usage: aeaudit eval MODEL.aem --data NAME|PATH [--normal LIST] [--seed S]\n"
          "         [--data-dir DIR] [--idx-dir DIR] [--split train|test] [--no-labels]\n"
          "         [--header|--no-header]\n"
          "         [--score recon|spe|t2|spe+t2|knn|mahalanobis|box [--k K]\n"
          "          [--train-data NAME|PATH] [--train-normal LIST]]\n"
          "\n"
          "Prints one line per sample, 'INDEX LABEL SCORE', where SCORE = ||x - f(x)||^2 is\n"
          "the reconstruction error evaluated in the model's precision, after applying the\n"
          "scaling stored in the model (LABEL is - when the data have none).  Data options as\n"
          "for train; synthetic sets are drawn from --seed (default: the model's seed).\n"
          "\n"
          "With --score KIND the score is one of the alternative detectors, computed EXACTLY\n"
          "on the exact network (piecewise-linear activations only) and fitted on the\n"
          "model's training rows (its recorded data set, classes and seed, scaled as in\n"
          "training); lines 'INDEX LABEL SCORE OVER_Q99 OVER_THEORY' follow '#' lines with\n"
          "the 99% limits (empirical: the training scores' 0.99-quantile; theory:\n"
          "Jackson-Mudholkar for spe, F for t2 and mahalanobis, Yue-Qin for spe+t2), each\n"
          "flag 1 when the exact score is above that limit (- when it has none):\n"
          "  recon, spe    ||x - f(x)||^2 (the same number; spe has the JM limit)\n"
          "  t2            Hotelling T^2 of the bottleneck layer's output (diagonal latent\n"
          "                covariance of the training rows)\n"
          "  mahalanobis   the same with the full latent covariance\n"
          "  spe+t2        SPE/delta^2 + T2/tau^2 (delta^2, tau^2 the theory limits)\n"
          "  knn           squared distance to the K-th nearest training row (--k, default 1;\n"
          "                its training scores leave the row itself out)\n"
          "  box           squared distance to the training rows' bounding box\n"
          "  --train-data NAME|PATH  fit on this data set instead of the recorded one\n"
          "  --train-normal LIST     its classes (default: the recorded ones, with the\n"
          "                          recorded data set)\n"
          "A singular latent covariance (a bottleneck unit constant on the training rows,\n"
          "e.g. a dead ReLU) leaves recon, knn and box; the others then exit 2.\n"
          "Exit status: 0 ok, 2 bad usage or input, 4 (--score) an activation the exact\n"
          "analysis does not support.\n", f);
}

/* Applies the model's scaling to c (unscaled IDX pixels still get the /255 map they were
 * trained with).  0 or 2 after a message. */
static int apply_model_scale(dsrc_t c, const nn_t net, const char *model)
{
    if (net->nscale == 0 && !c->idx)
        return 0;
    long dd = c->d;
    int rc = 0;
    mpq_t *lo = qvec_init(dd), *hi = qvec_init(dd);
    if (net->nscale > 0)
        for (long j = 0; j < dd; j++) {
            mpq_set(lo[j], net->scale_lo[j]);
            mpq_set(hi[j], net->scale_hi[j]);
        }
    else
        pixel_scale(lo, hi, dd);
    int bad_scale = 0;
    for (long j = 0; j < dd; j++)
        bad_scale |= mpq_cmp(hi[j], lo[j]) < 0;
    if (bad_scale)
        rc = usage_error("%s: the model's scaling has lo > hi", model);
    else if (dsrc_minmax_apply(c, (const mpq_t *) lo, (const mpq_t *) hi) != AE_OK)
        rc = usage_error("cannot apply the model's scaling to this data");
    qvec_clear(lo, dd);
    qvec_clear(hi, dd);
    return rc;
}

typedef struct {
    const char *score, *train, *train_normal;
    long knn;
} scoreopts;

/* The training rows of --score: --train-data, else the model's record; scaled. */
static int load_train(dsrc_t t, const nn_t net, const dataopts *d, const scoreopts *s,
                      const char *model, const char **name)
{
    const char *normal = s->train_normal;
    *name = s->train;
    if (*name == NULL) {
        if (net->rec.data[0] == '\0')
            return usage_error("%s records no training data set: give --train-data", model);
        *name = net->rec.data;
        if (normal == NULL && net->rec.normal[0] != '\0')
            normal = net->rec.normal;
    }
    dataopts td = *d;
    td.data = *name;
    td.split = "train";
    td.seed = net->rec.seed;
    td.no_labels = 0;
    int rc = load_data(t, &td);
    if (rc == 0 && normal != NULL)
        rc = cli_filter_classes(t, cmd_name, *name, normal);
    if (rc == 0 && t->d != net->sizes[0])
        rc = usage_error("--train-data %s: the model's input width %ld does not match its "
                         "dimension %ld", *name, net->sizes[0], t->d);
    if (rc == 0)
        rc = apply_model_scale(t, net, model);
    return rc;
}

/* eval's --score options; 1 if argv[*i] was one (consumed). */
static int score_option(scoreopts *s, int argc, char **argv, int *i, int *bad)
{
    const char *a = argv[*i];
    const char **slot = strcmp(a, "--score") == 0 ? &s->score
                      : strcmp(a, "--train-data") == 0 ? &s->train
                      : strcmp(a, "--train-normal") == 0 ? &s->train_normal : NULL;
    if (slot == NULL && strcmp(a, "--k") != 0)
        return 0;
    if (*i + 1 >= argc) {
        *bad = usage_error("%s needs a value", a);
        return 1;
    }
    const char *v = argv[++*i];
    if (slot != NULL)
        *slot = v;
    else if (!cli_parse_long(v, &s->knn, 1))
        *bad = usage_error("--k %s: must be a positive integer", v);
    return 1;
}

int aeaudit_cmd_eval(int argc, char **argv)
{
    cmd_name = "eval";
    dataopts d = { NULL, NULL, NULL, NULL, "train", NULL, 0, 0, 0 };
    const char *model = NULL;
    scoreopts so = { NULL, NULL, NULL, 1 };
    int bad = 0, have_seed = 0, have_k = 0;
    for (int i = 1; i < argc && !bad; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage_eval(stdout);
            return 0;
        }
        have_k |= strcmp(a, "--k") == 0;
        if (data_option(&d, argc, argv, &i, &bad) || score_option(&so, argc, argv, &i, &bad))
            continue;
        if (strcmp(a, "--seed") == 0 && i + 1 < argc) {
            long s;
            if (!cli_parse_long(argv[++i], &s, 0))
                return usage_error("--seed must be a non-negative integer");
            d.seed = (unsigned long) s;
            have_seed = 1;
        } else if (a[0] == '-' && a[1] != '\0')
            return usage_error("unknown option %s (see --help)", a);
        else if (model == NULL)
            model = a;
        else
            return usage_error("more than one model file given");
    }
    if (bad)
        return bad;
    if (model == NULL || d.data == NULL)
        return usage_error("need MODEL.aem and --data (see --help)");
    if (so.score == NULL && (have_k || so.train != NULL || so.train_normal != NULL))
        return usage_error("--k, --train-data and --train-normal need --score");
    nn_t net;
    char err[512];
    if (nn_load(net, model, err, sizeof err) != AE_OK)
        return usage_error("%s", err);
    if (!have_seed)
        d.seed = net->rec.seed;
    dsrc_t c;
    dsrc_init(c);
    int rc = load_data(c, &d);
    if (rc == 0 && d.normal != NULL)
        rc = cli_filter_classes(c, cmd_name, d.data, d.normal);
    if (rc == 0 && c->d != net->sizes[0])
        rc = usage_error("the model's input width %ld does not match the data's dimension %ld",
                         net->sizes[0], c->d);
    if (rc == 0)
        rc = apply_model_scale(c, net, model);
    if (rc == 0 && so.score != NULL) {
        dsrc_t t;
        dsrc_init(t);
        evalscore_opts eo = { model, d.data, NULL, so.score, so.knn };
        rc = load_train(t, net, &d, &so, model, &eo.train);
        if (rc == 0)
            rc = evalscore_run(net, t, c, &eo);
        dsrc_clear(t);
        dsrc_clear(c);
        nn_clear(net);
        return rc;
    }
    double *e = rc == 0 ? malloc((size_t) (c->n > 0 ? c->n : 1) * sizeof(double)) : NULL;
    if (rc == 0 && e == NULL)
        rc = usage_error("out of memory");
    if (rc == 0 && nn_scores(e, net, c->X, c->n) != AE_OK)
        rc = usage_error("the data contain NaN or Inf (or a value beyond float32's range)");
    if (rc == 0) {
        int digits = net->prec == NN_F32 ? 9 : 17;   /* enough to round-trip */
        printf("# model %s  data %s  rows %ld  score = ||x - f(x)||^2 (%s)\n", model, d.data,
               c->n, net->prec == NN_F32 ? "float32" : "float64");
        printf("index label score\n");
        for (long i = 0; i < c->n; i++) {
            if (c->labels != NULL)
                printf("%ld %ld %.*g\n", i, c->labels[i], digits, e[i]);
            else
                printf("%ld - %.*g\n", i, digits, e[i]);
        }
        if (fflush(stdout) != 0)
            rc = usage_error("cannot write the scores");
    }
    free(e);
    dsrc_clear(c);
    nn_clear(net);
    return rc;
}

/* ---- describe ---------------------------------------------------------------------------- */

static void usage_describe(FILE *f)
{
    fputs("usage: aeaudit describe MODEL.aem\n"
          "\n"
          "Prints the model's architecture (widths, activations, biases, parameter count), its\n"
          "input scaling and its training record.  Exit status: 0 ok, 2 unreadable model.\n", f);
}

int aeaudit_cmd_describe(int argc, char **argv)
{
    cmd_name = "describe";
    const char *model = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage_describe(stdout);
            return 0;
        }
        if (argv[i][0] == '-' || model != NULL)
            return usage_error("usage: aeaudit describe MODEL.aem");
        model = argv[i];
    }
    if (model == NULL)
        return usage_error("usage: aeaudit describe MODEL.aem");
    nn_t net;
    char err[512];
    if (nn_load(net, model, err, sizeof err) != AE_OK)
        return usage_error("%s", err);
    printf("model        %s (aeaudit-model %d, %s)\n", model, NN_FILE_VERSION,
           net->prec == NN_F32 ? "float32" : "float64");
    printf("architecture ");
    for (long l = 0; l <= net->L; l++)
        printf("%ld%s", net->sizes[l], l < net->L ? "-" : "");
    printf("  (%ld layers, %ld parameters)\n", net->L, net->nparams);
    for (long l = 0; l < net->L; l++) {
        printf("  layer %ld    %ld -> %ld, %s, %s", l, net->sizes[l], net->sizes[l + 1],
               net->bias[l] ? "bias" : "no bias", nn_act_name(net->act[l]));
        if (net->act[l] == NN_LEAKY_RELU || net->act[l] == NN_ELU)
            printf(" (%s %.9g)", net->act[l] == NN_ELU ? "alpha" : "slope", net->act_param[l]);
        putchar('\n');
    }
    if (net->nscale > 0) {
        int unit = 1;   /* is it the /255 pixel scaling? */
        for (long j = 0; j < net->nscale; j++)
            unit &= mpq_sgn(net->scale_lo[j]) == 0 && mpq_cmp_ui(net->scale_hi[j], 255, 1) == 0;
        printf("scaling      %s\n", unit ? "x/255 (pixels)" : "min-max, fitted on the training rows");
    } else {
        printf("scaling      none\n");
    }
    const nn_record *r = &net->rec;
    static const char *const inits[] = { "torch", "he", "xavier" };
    printf("data         %s%s%s, %ld rows\n", r->data[0] ? r->data : "-",
           r->normal[0] ? ", classes " : "", r->normal, r->n);
    if (r->opt == NN_OPT_ADAM)
        printf("optimizer    adam lr %.6g (betas %.6g, %.6g, eps %.3g)\n", r->lr, r->beta1,
               r->beta2, r->eps);
    else
        printf("optimizer    sgd lr %.6g momentum %.6g\n", r->lr, r->momentum);
    printf("training     %ld epochs, %ld steps, batch %ld, init %s, seed %lu\n", r->epochs,
           r->steps, r->batch, inits[r->init >= 0 && r->init <= 2 ? r->init : 0], r->seed);
    printf("final loss   %.9g (mean squared error per feature)\n", r->loss);
    printf("kernels      %s\n", nn_kernels_name(r->kernels) ? nn_kernels_name(r->kernels)
                                                           : "unknown");
    nn_clear(net);
    return 0;
}
