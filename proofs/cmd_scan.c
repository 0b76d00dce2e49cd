/* cmd_scan — see cmd_scan.h.  The printing side of theory/scan. */
#include "cmd_scan.h"
#include "cmd_scan_internal.h"

#include "aeerr.h"
#include "cli.h"
#include "dataset.h"
#include "dsrc.h"
#include "idx.h"
#include "nn.h"
#include "proof.h"
#include "qmat.h"
#include "qnet.h"
#include "qnum.h"
#include "scan.h"
#include "table.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


int cmd_scan_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cli_verror("scan", fmt, ap);
    va_end(ap);
    return 2;
}

static void usage_scan(FILE *f)
{
    fputs("usage: aeaudit scan MODEL.aem [--data NAME|FILE [--normal LIST]] [--budget SECONDS]\n"
          "         [--seed S] [--data-seed S] [--far RATIO] [--out DIR] [--data-dir DIR]\n"
          "         [--idx-dir DIR] [--header|--no-header]\n"
          "\n"
          "A certified far-field verdict for a trained autoencoder, in the network's input\n"
          "space after the model's scaling.  By activation family:\n"
          "  piecewise linear (relu, leaky_relu, hardtanh, identity): exact analysis, s_min\n"
          "    the exact least training score, the diameter a rigorous upper bound;\n"
          "  a tanh or sigmoid layer (bounded): SAFE-BEYOND R* = B + sqrt(s_min) from the\n"
          "    exact output bound B (N5), and for 2-D inputs the certified pocket map;\n"
          "  softplus, elu, gelu, silu (smooth, asymptotically linear): the ReLU twin (same\n"
          "    weights) is scanned exactly and its certificates transferred through K >=\n"
          "    sup ||f - twin|| (N6); smooth scores and s_min by Arb ball arithmetic.\n"
          "Prints one of\n"
          "  FAILS        a certified anomaly: an exact rational point at least RATIO\n"
          "               diameters from every training point whose exact score is <= s_min;\n"
          "  SAFE-BEYOND  a certified radius R: every x with ||x|| > R scores above s_min\n"
          "               (R = (K + sqrt(s_min)) / gamma, and in 2-D the blind strips);\n"
          "  UNDECIDED    neither within the budget: the best bounds reached.\n"
          "For 2-D inputs the analysis is complete (every sector of the recession network is\n"
          "enumerated exactly): SAFE-BEYOND or FAILS.\n"
          "\n"
          "  --data NAME|FILE  the training data (default: the set in the model's training\n"
          "                    record, with its --normal classes and seed); names as for\n"
          "                    'aeaudit train'.  The rows are read raw; the model's scaling\n"
          "                    is applied exactly\n"
          "  --normal LIST     keep the rows with these labels (default with a recorded data\n"
          "                    set: the recorded classes)\n"
          "  --budget SECONDS  time for the float search in higher dimensions (default 60)\n"
          "  --seed S          seed of the float direction search (default 1)\n"
          "  --data-seed S     seed of a synthetic data set (default: the model's seed)\n"
          "  --far RATIO       'far' = RATIO diameters from every training point (default 10)\n"
          "  --out DIR         evidence folder, created if missing (default scan-MODEL, MODEL\n"
          "                    the model file's name without .aem): scan.csv and scan.md\n"
          "                    (key,value: exact rationals and decimals), direction.csv and\n"
          "                    anomaly.csv (exact rationals p/q, one coordinate a column)\n"
          "  --data-dir DIR    where the bundled CSV files are\n"
          "  --idx-dir DIR     IDX directory for fashion-mnist / mnist\n"
          "  --header, --no-header  the first line of a CSV --data file is / is not a header\n"
          "\n"
          "Progress goes to stderr (a bar on a terminal, else one line per stage).\n"
          "Exit status: 0 a verdict was reached (FAILS, SAFE-BEYOND or UNDECIDED); 2 bad usage\n"
          "or input; 4 a network the analysis does not cover (every activation of nn.h is\n"
          "covered today; kept for new ones).\n",
          f);
}



static int parse_args(scanargs *a, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0) {
            usage_scan(stdout);
            return -1;
        }
        if (strcmp(s, "--header") == 0 || strcmp(s, "--no-header") == 0) {
            a->header = s[2] == 'h' ? DS_HEADER : DS_NOHEADER;
            continue;
        }
        if (s[0] == '-' && s[1] != '\0') {
            static const char *const withval[] = { "--data", "--normal", "--budget", "--seed",
                "--data-seed", "--far", "--out", "--data-dir", "--idx-dir", NULL };
            int known = 0;
            for (int k = 0; withval[k]; k++)
                known |= strcmp(s, withval[k]) == 0;
            if (!known)
                return cmd_scan_usage_error("unknown option %s (see aeaudit scan --help)", s);
            if (i + 1 >= argc)
                return cmd_scan_usage_error("%s needs a value", s);
            const char *v = argv[++i];
            unsigned long u;
            if (strcmp(s, "--data") == 0) a->data = v;
            else if (strcmp(s, "--normal") == 0) a->normal = v;
            else if (strcmp(s, "--out") == 0) a->out = v;
            else if (strcmp(s, "--data-dir") == 0) a->data_dir = v;
            else if (strcmp(s, "--idx-dir") == 0) a->idx_dir = v;
            else if (strcmp(s, "--budget") == 0) {
                char *end;
                errno = 0;
                a->budget = strtod(v, &end);
                if (*v == '\0' || *end != '\0' || !isfinite(a->budget) || a->budget < 0
                    || a->budget > 1e7)
                    return cmd_scan_usage_error("--budget %s: want seconds, a number in "
                                                "[0, 1e7]", v);
            } else if (strcmp(s, "--far") == 0) {
                if (!cli_parse_ulong(v, &u) || u < 1 || u > 1000000000UL)
                    return cmd_scan_usage_error("--far %s: want an integer in [1, 1e9]", v);
                a->far = (long) u;
            } else {
                if (!cli_parse_ulong(v, &u))
                    return cmd_scan_usage_error("%s %s: not a non-negative integer", s, v);
                if (strcmp(s, "--seed") == 0)
                    a->seed = u;
                else {
                    a->data_seed = u;
                    a->have_data_seed = 1;
                }
            }
        } else if (a->model == NULL) {
            a->model = s;
        } else {
            return cmd_scan_usage_error("more than one model file given (%s)", s);
        }
    }
    if (a->model == NULL)
        return cmd_scan_usage_error("no MODEL.aem given (see aeaudit scan --help)");
    return 0;
}

/* ---- data ---------------------------------------------------------------------- */

static int load_rows(dsrc_t c, const scanargs *a, const nn_t net)
{
    const char *name = a->data, *normal = a->normal;
    if (name == NULL) {
        if (net->rec.data[0] == '\0')
            return cmd_scan_usage_error("%s records no training data set: give --data", a->model);
        name = net->rec.data;
        if (normal == NULL && net->rec.normal[0] != '\0')
            normal = net->rec.normal;
    }
    char err[600];
    dsrc_opts so;
    dsrc_opts_default(&so);
    so.data_dir = a->data_dir;
    so.idx_dir = a->idx_dir;
    so.seed = a->have_data_seed ? a->data_seed : net->rec.seed;
    so.csv_flags = DS_LABEL | a->header;
    if (dsrc_load(c, name, &so, err, sizeof err) != AE_OK)
        return cmd_scan_usage_error("--data %s: %s", name, err);
    if (normal != NULL && cli_filter_classes(c, "scan", name, normal) != 0)
        return 2;
    if (c->n < 1)
        return cmd_scan_usage_error("--data %s: no rows", name);
    if (c->d != net->sizes[0])
        return cmd_scan_usage_error("the model's input width %ld does not match the data's "
                                    "dimension %ld", net->sizes[0], c->d);
    return 0;
}


/* The exact rational as "p/q" (or "p"), malloc'd. */
char *cmd_scan_qstr(const mpq_t q)
{
    char *s = mpq_get_str(NULL, 10, q);
    char *r = strdup(s);
    void (*fr)(void *, size_t);
    mp_get_memory_functions(NULL, NULL, &fr);
    fr(s, strlen(s) + 1);
    return r;
}

/* A plain CSV written to DIR/NAME.tmp, renamed to DIR/NAME when complete: one header
 * row "what,LABEL,x1..xd" and rows (what, label, vector). */
int cmd_scan_write_vectors(const char *dir, const char *name, const char *label,
                         const char *const *what, const char *const *lab,
                         mpq_t *const *vec, long nrows, long d, char *err, size_t errlen)
{
    char path[PATH_MAX], tmp[PATH_MAX + 8];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (f == NULL) {
        snprintf(err, errlen, "%.300s: %s", tmp, strerror(errno));
        return AE_EIO;
    }
    fprintf(f, "what,%s", label);
    for (long j = 0; j < d; j++)
        fprintf(f, ",x%ld", j + 1);
    fputc('\n', f);
    for (long i = 0; i < nrows; i++) {
        fprintf(f, "%s,%s", what[i], lab[i]);
        for (long j = 0; j < d; j++) {
            char *s = cmd_scan_qstr(vec[i][j]);
            fprintf(f, ",%s", s);
            free(s);
        }
        fputc('\n', f);
    }
    int bad = ferror(f);
    if (fclose(f) != 0 || bad || rename(tmp, path) != 0) {
        snprintf(err, errlen, "%.300s: %s", path, strerror(errno));
        remove(tmp);
        return AE_EIO;
    }
    return AE_OK;
}

const char *cmd_scan_verdict_name(int v)
{
    return v == SCAN_FAILS ? "FAILS" : v == SCAN_SAFE ? "SAFE-BEYOND" : "UNDECIDED";
}

/* One key,value row and, for a rational, its decimal twin (key_decimal). */
int cmd_scan_kv(tab_t T, const char *key, const char *val)
{
    const char *cells[2] = { key, val };
    return tab_row(T, cells, 2);
}

int cmd_scan_kvq(tab_t T, const char *key, const mpq_t q)
{
    char *s = cmd_scan_qstr(q), *dec = qnum_get_str_sig(q, 17);
    char k2[96];
    snprintf(k2, sizeof k2, "%s_decimal", key);
    int st = cmd_scan_kv(T, key, s);
    if (st == AE_OK)
        st = cmd_scan_kv(T, k2, dec);
    free(s);
    free(dec);
    return st;
}

int cmd_scan_kvf(tab_t T, const char *key, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return cmd_scan_kv(T, key, buf);
}

/* DIR/scan.csv and .md from rows(T, arg), committed only when every row was written. */
int cmd_scan_evidence(const char *dir, int (*rows)(tab_t, const void *), const void *arg,
                    char *err, size_t errlen)
{
    static const char *const cols[] = { "key", "value" };
    tab_t T;
    int st = tab_open(T, dir, "scan", "aeaudit scan: evidence", cols, 2, err, errlen);
    if (st != AE_OK)
        return st;
    st = rows(T, arg);
    if (st != AE_OK) {
        snprintf(err, errlen, "%s", T->msg);
        tab_abort(T);
        return st;
    }
    return tab_commit(T, err, errlen);
}

typedef struct {
    const scan_struct *S;
    const scanargs *a;
    const char *data;
    double share;
} pl_rows_arg;

static int pl_rows(tab_t T, const void *arg)
{
    const pl_rows_arg *A = arg;
    const scan_struct *S = A->S;
    const scanargs *a = A->a;
    const char *data = A->data;
    double share = A->share;
    int st = cmd_scan_kv(T, "model", a->model);
    if (st == AE_OK) st = cmd_scan_kv(T, "data", data);
    if (st == AE_OK) st = cmd_scan_kvf(T, "rows", "%ld", S->n);
    if (st == AE_OK) st = cmd_scan_kvf(T, "features", "%ld", S->d);
    if (st == AE_OK) st = cmd_scan_kv(T, "verdict", cmd_scan_verdict_name(S->verdict));
    if (st == AE_OK) st = cmd_scan_kv(T, "method", S->method);
    if (st == AE_OK) st = cmd_scan_kv(T, "why", S->why);
    if (st == AE_OK) st = cmd_scan_kvq(T, "s_min", S->smin);
    if (st == AE_OK) st = cmd_scan_kvf(T, "s_min_row", "%ld", S->smin_row);
    if (st == AE_OK) st = cmd_scan_kvf(T, "rows_scored_exactly", "%ld", S->nexact);
    if (st == AE_OK) st = cmd_scan_kvq(T, "diameter2_upper", S->diam2);
    if (st == AE_OK) st = cmd_scan_kvf(T, "diameter_float", "%.17g", S->diam);
    if (st == AE_OK) st = cmd_scan_kvq(T, "K", S->K);
    if (st == AE_OK) st = cmd_scan_kvq(T, "gamma2_lb", S->gamma2_lb);
    if (st == AE_OK) st = cmd_scan_kvq(T, "gamma2_ub", S->gamma2_ub);
    if (st == AE_OK) st = cmd_scan_kvf(T, "blind", "%d", S->blind);
    if (st == AE_OK) st = cmd_scan_kvf(T, "have_R", "%d", S->have_R);
    if (st == AE_OK && S->have_R) st = cmd_scan_kvq(T, "R", S->R);
    if (st == AE_OK && S->have_R)
        st = cmd_scan_kvf(T, "R_over_diameter", "%.6g", scan_radius_ratio(S));
    if (st == AE_OK) st = cmd_scan_kvf(T, "have_anomaly", "%d", S->have_anomaly);
    if (st == AE_OK && mpq_sgn(S->anomaly_dist_lb) > 0) {
        st = cmd_scan_kvq(T, "far_point_score", S->anomaly_score);
        if (st == AE_OK) st = cmd_scan_kvq(T, "far_point_dist_lb", S->anomaly_dist_lb);
        if (st == AE_OK)
            st = cmd_scan_kvf(T, "far_point_over_diameter", "%.6g", scan_anomaly_ratio(S));
        if (st == AE_OK)
            st = cmd_scan_kvf(T, "far_point_share_of_training_scores_above", "%.6g", share);
        if (st == AE_OK)
            st = cmd_scan_kvf(T, "far_point_per_feature_mse", "%.6g",
                     mpq_get_d(S->anomaly_score) / (double) S->d);
    }
    if (st == AE_OK) st = cmd_scan_kvf(T, "float_evaluations", "%ld", S->ndirections);
    if (st == AE_OK) st = cmd_scan_kvf(T, "cones_tested", "%ld", S->ncones);
    if (st == AE_OK) st = cmd_scan_kvf(T, "cones_fixed", "%ld", S->nfixed);
    if (st == AE_OK) st = cmd_scan_kvf(T, "cones_undecided", "%ld", S->nundecided_cones);
    if (st == AE_OK) st = cmd_scan_kvf(T, "sectors", "%ld", S->nsectors);
    if (st == AE_OK) st = cmd_scan_kvf(T, "gamma_boxes", "%ld", S->nboxes);
    if (st == AE_OK) st = cmd_scan_kvf(T, "far_pieces", "%ld", S->npieces);
    if (st == AE_OK) st = cmd_scan_kvf(T, "complete_2d", "%d", S->complete);
    if (st == AE_OK) st = cmd_scan_kvf(T, "timed_out", "%d", S->timed_out);
    if (st == AE_OK) st = cmd_scan_kvf(T, "seconds", "%.3f", S->seconds);
    if (st == AE_OK) st = cmd_scan_kvf(T, "budget", "%g", a->budget);
    if (st == AE_OK) st = cmd_scan_kvf(T, "seed", "%lu", a->seed);
    if (st == AE_OK) st = cmd_scan_kvf(T, "far_ratio", "%ld", a->far);
    return st;
}

static int write_files(const char *dir, const scan_t S, const scanargs *a, const char *data,
                       double share, char *err, size_t errlen)
{
    pl_rows_arg A = { S, a, data, share };
    int st = cmd_scan_evidence(dir, pl_rows, &A, err, errlen);
    if (st == AE_OK && mpq_sgn(S->gamma2_ub) >= 0) {
        char *rate = cmd_scan_qstr(S->gamma2_ub);
        const char *what[1] = { S->blind ? "blind" : "lowest-growth" };
        const char *lab[1] = { rate };
        mpq_t *vec[1] = { S->dir };
        st = cmd_scan_write_vectors(dir, "direction.csv", "growth_rate", what, lab, vec, 1,
                                    S->d, err, errlen);
        free(rate);
    }
    if (st == AE_OK && mpq_sgn(S->anomaly_dist_lb) > 0) {
        const char *what[2] = { "raw", "scaled" };
        const char *c = S->have_anomaly ? "certified" : "not-certified";
        const char *lab[2] = { c, c };
        mpq_t *vec[2] = { S->anomaly_raw, S->anomaly };
        st = cmd_scan_write_vectors(dir, "anomaly.csv", "status", what, lab, vec, 2, S->d, err,
                                    errlen);
    }
    return st;
}

/* The share of training rows whose (float) score exceeds the far point's score, for the
 * practical threshold; -1 when it cannot be computed.  Display only: the verdict does not
 * use it. */
static double share_above(const nn_t net, const double *X, long n, long d, double far)
{
    double *Xs = malloc((size_t) (n * d) * sizeof(double)), *e = malloc((size_t) n * sizeof(double));
    double share = -1;
    if (Xs != NULL && e != NULL) {
        for (long j = 0; j < d; j++) {
            double lo = net->nscale ? mpq_get_d(net->scale_lo[j]) : 0;
            double w = net->nscale ? mpq_get_d(net->scale_hi[j]) - lo : 1;
            if (!(w > 0))
                w = 1;
            for (long i = 0; i < n; i++)
                Xs[i * d + j] = (X[i * d + j] - lo) / w;
        }
        if (nn_scores(e, net, Xs, n) == AE_OK) {
            long above = 0;
            for (long i = 0; i < n; i++)
                above += e[i] > far;
            share = (double) above / (double) n;
        }
    }
    free(Xs);
    free(e);
    return share;
}

/* ---- printing ----------------------------------------------------------------------- */

typedef struct {
    int tty;
    char last[64];
} progress_state;

static void progress_cb(void *arg, const char *stage, long done, long total)
{
    progress_state *p = arg;
    if (!p->tty) {
        if (strcmp(p->last, stage) != 0) {
            fprintf(stderr, "scan: %s\n", stage);
            snprintf(p->last, sizeof p->last, "%s", stage);
        }
        return;
    }
    char bar[40];
    proof_bar(bar, 30, done, total > 0 ? total : 1);
    fprintf(stderr, "\r%-18.18s %s %ld/%ld   ", stage, bar, done, total);
    snprintf(p->last, sizeof p->last, "%s", stage);
    fflush(stderr);
}

static void print_verdict(const scan_t S, const char *model, const char *data, double share)
{
    double smin = mpq_get_d(S->smin);
    printf("scan %s: data %s (%ld rows, %ld features), s_min = %.6g (row %ld, exact), "
           "diameter <= %.6g\n", model, data, S->n, S->d, smin, S->smin_row,
           sqrt(mpq_get_d(S->diam2)));
    double g2ub = mpq_get_d(S->gamma2_ub);
    char dirinfo[160];
    if (S->blind)
        snprintf(dirinfo, sizeof dirinfo, "blind direction found (f0(v) = v exactly, see "
                 "direction.csv)");
    else if (g2ub >= 0)
        snprintf(dirinfo, sizeof dirinfo, "lowest growth rate ||v - f0(v)||^2/||v||^2 = %.6g",
                 g2ub);
    else
        snprintf(dirinfo, sizeof dirinfo, "no growth rate computed");
    if (S->verdict == SCAN_FAILS) {
        printf("FAILS  certified anomaly at >= %.4g diameters from every training point, "
               "exact score %.6g <= s_min %.6g; %s\n", scan_anomaly_ratio(S),
               mpq_get_d(S->anomaly_score), smin, dirinfo);
    } else if (S->verdict == SCAN_SAFE) {
        printf("SAFE-BEYOND R = %.6g (%.4g diameters): every x with ||x|| > R scores above "
               "s_min; K = %.6g, gamma = %.6g, s_min = %.6g\n", mpq_get_d(S->R),
               scan_radius_ratio(S), mpq_get_d(S->K), sqrt(mpq_get_d(S->gamma2_lb)), smin);
    } else {
        printf("UNDECIDED  %s; best bounds: K = %.6g, gamma^2 in [%.6g, %.6g]%s\n", S->why,
               mpq_get_d(S->K), mpq_get_d(S->gamma2_lb), g2ub >= 0 ? g2ub : NAN,
               S->timed_out ? " (budget reached)" : "");
    }
    if (S->verdict != SCAN_FAILS && mpq_sgn(S->anomaly_dist_lb) > 0)
        printf("  lowest far score found: %.6g at >= %.4g diameters (%.4g x s_min)\n",
               mpq_get_d(S->anomaly_score), scan_anomaly_ratio(S),
               smin > 0 ? mpq_get_d(S->anomaly_score) / smin : INFINITY);
    if (mpq_sgn(S->anomaly_dist_lb) > 0)
        printf("  thresholds of the far point: strict %s (score %s s_min); practical: %.2f%% "
               "of the training rows score higher (float); per-feature MSE %.4g (paper's figure "
               "threshold 0.1)\n", S->have_anomaly ? "FAILS" : "holds",
               S->have_anomaly ? "<=" : ">", 100 * share,
               mpq_get_d(S->anomaly_score) / (double) S->d);
    printf("  method: %s\n", S->method[0] ? S->method : "-");
    printf("  %.2f s; %ld float evaluations, %ld cones tested (%ld fixed, %ld undecided)%s\n",
           S->seconds, S->ndirections, S->ncones, S->nfixed, S->nundecided_cones,
           S->nsectors ? ", 2-D sector enumeration" : "");
}

/* Default output folder: scan-BASENAME (without .aem) in the working directory. */
static void default_out(char *buf, size_t n, const char *model)
{
    const char *b = strrchr(model, '/');
    b = b ? b + 1 : model;
    size_t len = strlen(b);
    if (len > 4 && strcmp(b + len - 4, ".aem") == 0)
        len -= 4;
    snprintf(buf, n, "scan-%.*s", (int) len, b);
}

/* The model's scaling for IDX data trained before scalings were recorded: /255. */
static int pixel_scaled_copy(nn_t dst, const nn_t src)
{
    if (nn_init_copy(dst, src) != AE_OK)
        return AE_ENOMEM;
    long d = src->sizes[0];
    mpq_t *lo = qvec_init(d), *hi = qvec_init(d);
    for (long j = 0; j < d; j++)
        mpq_set_ui(hi[j], 255, 1);
    nn_set_scale(dst, (const mpq_t *) lo, (const mpq_t *) hi);
    qvec_clear(lo, d);
    qvec_clear(hi, d);
    return AE_OK;
}

int aeaudit_cmd_scan(int argc, char **argv)
{
    scanargs a = { NULL, NULL, NULL, NULL, NULL, NULL, 60, 1, 0, 10, 0, 0 };
    int rc = parse_args(&a, argc, argv);
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    nn_t net, scaled;
    char err[600], outbuf[PATH_MAX];
    if (nn_load(net, a.model, err, sizeof err) != AE_OK)
        return cmd_scan_usage_error("%s", err);
    if (net->sizes[0] != net->sizes[net->L]) {
        nn_clear(net);
        return cmd_scan_usage_error("%s: not an autoencoder (input width %ld, output width "
                                    "%ld)", a.model, net->sizes[0], net->sizes[net->L]);
    }
    const char *data = a.data ? a.data : net->rec.data;
    dsrc_t c;
    dsrc_init(c);
    rc = load_rows(c, &a, net);
    const nn_struct *use = net;
    int have_copy = 0;
    if (rc == 0 && c->idx && net->nscale == 0) {
        if (pixel_scaled_copy(scaled, net) != AE_OK)
            rc = cmd_scan_usage_error("out of memory");
        else
            have_copy = 1, use = scaled;
    }
    const char *out = a.out;
    if (out == NULL) {
        default_out(outbuf, sizeof outbuf, a.model);
        out = outbuf;
    }
    if (rc == 0 && cli_ensure_dir(out) != 0)
        rc = cmd_scan_usage_error("--out %s: %s", out, strerror(errno));
    if (rc != 0)
        goto done;
    scan_opts o;
    scan_opts_default(&o);
    o.budget = a.budget;
    o.seed = a.seed;
    o.far_ratio = a.far;
    progress_state ps = { isatty(2), "" };
    o.progress = progress_cb;
    o.progress_arg = &ps;
    int fam = cmd_scan_family(use);
    if (fam != CMD_SCAN_PL) {
        rc = fam == CMD_SCAN_BOUNDED ? cmd_scan_bounded(use, c, &a, data, out)
                                     : cmd_scan_twin(use, c, &a, data, out, &o, ps.tty);
        goto done;
    }
    scan_t S;
    scan_init(S);
    int st = scan_run(S, use, c->X, c->n, c->d, &o);
    if (ps.tty)
        fputc('\n', stderr);
    if (st == AE_ERANGE) {
        fprintf(stderr, "aeaudit scan: %s: %s\n", a.model, S->why);
        rc = EXIT_UNSUPPORTED;
    } else if (st != AE_OK) {
        rc = cmd_scan_usage_error("the analysis failed: %s", ae_strstatus(st));
    } else {
        double share = mpq_sgn(S->anomaly_dist_lb) > 0
                     ? share_above(use, c->X, c->n, c->d, mpq_get_d(S->anomaly_score)) : -1;
        print_verdict(S, a.model, data, share);
        if (write_files(out, S, &a, data, share, err, sizeof err) != AE_OK)
            rc = cmd_scan_usage_error("%s", err);
        else
            printf("  evidence: %s/scan.csv, %s/scan.md, %s/direction.csv%s%s%s\n", out, out,
                   out, mpq_sgn(S->anomaly_dist_lb) > 0 ? ", " : "",
                   mpq_sgn(S->anomaly_dist_lb) > 0 ? out : "",
                   mpq_sgn(S->anomaly_dist_lb) > 0 ? "/anomaly.csv" : "");
        fflush(stdout);
    }
    scan_clear(S);
done:
    if (have_copy)
        nn_clear(scaled);
    dsrc_clear(c);
    nn_clear(net);
    return rc;
}
