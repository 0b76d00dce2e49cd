/* pcommon — see pcommon.h. */
#include "pcommon.h"


#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aeerr.h"
#include "synth.h"   /* synth_gaussian: portable N(0,1) */
#include "dataset.h"
#include "dsrc.h"
#include "pca.h"
#include "pmath.h"
#include "qnum.h"
#include "score.h"

unsigned long prf_seed(const proof_ctx *ctx, const char *tag)
{
    /* FNV-1a of the tag, mixed into the base seed: independent, reproducible streams. */
    unsigned long h = 1469598103934665603UL;
    for (const char *p = tag; *p; p++)
        h = (h ^ (unsigned char) *p) * 1099511628211UL;
    return (ctx->seed * 2654435761UL) ^ h;
}

gsl_rng *prf_rng(const proof_ctx *ctx, const char *tag)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (r == NULL)
        ae_error("prf_rng", "cannot allocate a generator");
    gsl_rng_set(r, prf_seed(ctx, tag));
    return r;
}

void prf_rand_q(mpq_t q, gsl_rng *r, long maxnum, long maxden)
{
    long num = (long) gsl_rng_uniform_int(r, (unsigned long) (2 * maxnum + 1)) - maxnum;
    long den = 1 + (long) gsl_rng_uniform_int(r, (unsigned long) maxden);
    mpq_set_si(q, num, (unsigned long) den);
    mpq_canonicalize(q);
}

void prf_rand_qmat(qmat_t A, gsl_rng *r, long maxnum, long maxden)
{
    for (long i = 0; i < A->r * A->c; i++)
        prf_rand_q(A->entries[i], r, maxnum, maxden);
}

#define RING 16
static char *ring[RING];
static int ring_pos;

static const char *keep(char *s)
{
    free(ring[ring_pos]);
    ring[ring_pos] = s;
    ring_pos = (ring_pos + 1) % RING;
    return s;
}

const char *prf_q(const mpq_t q)
{
    return keep(qnum_get_str(q));
}

const char *prf_qsig(const mpq_t q, int digits)
{
    if (mpq_sgn(q) == 0) {
        char *z = ae_malloc(2);
        strcpy(z, "0");
        return keep(z);
    }
    /* Mark the decimal '~' unless it is exactly q (the printing rule of the README). */
    char *str = qnum_get_str_sig(q, digits);
    mpq_t back;
    mpq_init(back);
    int exact = qnum_parse(back, str) == AE_OK && mpq_equal(back, q);
    mpq_clear(back);
    if (exact)
        return keep(str);
    size_t n = strlen(str) + 2;
    char *marked = ae_malloc(n);
    snprintf(marked, n, "~%s", str);
    free(str);
    return keep(marked);
}

const char *prf_q6(const mpq_t q)
{
    return prf_qsig(q, 6);
}

/* ---- data sets ------------------------------------------------------------------ */

/* Min-max scales every column of X to [0, 1] exactly (constant columns to 0), as the
 * real data sets are. */
static void minmax_columns(qmat_t X)
{
    mpq_t lo, hi;
    mpq_inits(lo, hi, NULL);
    for (long j = 0; j < X->c && X->r > 0; j++) {
        mpq_set(lo, qmat_entry(X, 0, j));
        mpq_set(hi, lo);
        for (long i = 1; i < X->r; i++) {
            if (mpq_cmp(qmat_entry(X, i, j), lo) < 0) mpq_set(lo, qmat_entry(X, i, j));
            if (mpq_cmp(qmat_entry(X, i, j), hi) > 0) mpq_set(hi, qmat_entry(X, i, j));
        }
        mpq_sub(hi, hi, lo);
        for (long i = 0; i < X->r; i++) {
            mpq_ptr x = qmat_entry(X, i, j);
            mpq_sub(x, x, lo);
            if (mpq_sgn(hi) != 0)
                mpq_div(x, x, hi);
        }
    }
    mpq_clears(lo, hi, NULL);
}

/* 200 points in R^10: z_ij = round(1000 sigma_j g_ij)/1000 with sigma_j = 3 (0.6)^j, g
 * standard normal, rotated by a rational orthogonal Q so that the principal axes are not
 * the coordinate axes, then min-max scaled like the real sets. */
static int synthetic(qmat_t X, const proof_ctx *ctx)
{
    const long n = 200, d = 10;
    gsl_rng *r = prf_rng(ctx, "synthetic-data");
    qmat_t U, Q, Z;
    qmat_init(U, d, 3);
    for (long i = 0; i < d * 3; i++)
        mpq_set_si(U->entries[i], (long) gsl_rng_uniform_int(r, 7) - 3 + (i % d == 0), 1);
    qmat_init(Q, d, d);
    pca_householder(Q, U);
    qmat_init(Z, n, d);
    for (long i = 0; i < n; i++)
        for (long j = 0; j < d; j++) {
            double sigma = 3.0 * pmath_powi(0.6, j);   /* portable (glibc pow is per-CPU) */
            long v = lround(1000.0 * sigma * synth_gaussian(r, 1.0));
            mpq_set_si(qmat_entry(Z, i, j), v, 1000);
            mpq_canonicalize(qmat_entry(Z, i, j));
        }
    qmat_resize(X, n, d);
    qmat_t QT;
    qmat_init(QT, d, d);
    qmat_transpose(QT, Q);
    qmat_mul(X, Z, QT);   /* rows x_i = Q z_i */
    minmax_columns(X);
    qmat_clear(QT);
    qmat_clear(U);
    qmat_clear(Q);
    qmat_clear(Z);
    gsl_rng_free(r);
    return AE_OK;
}

#define PRF_MAX_D 256
#define PRF_MAX_CELLS (1L << 20)

static int load_scaled(qmat_t X, qmat_t A, const char *path, int flags, const char *normal,
                       char *err, size_t errlen)
{
    ds_t all, norm, anom;
    long classes[64], nclasses = 0;
    int st;
    ds_init(all);
    ds_init(norm);
    ds_init(anom);
    st = ds_load_csv_capped(all, path, flags ? flags : DS_LABEL, PRF_MAX_D, PRF_MAX_CELLS, err,
                            errlen);
    if (st != AE_OK)
        goto done;
    /* verify's exact claims build a d x d exact covariance and n x d exact scores: refuse
     * sizes beyond what they finish in minutes (digits, the largest bundled set, is
     * 64 features and 1797 rows). */
    if (all->d > PRF_MAX_D || (double) all->n * (double) all->d > (double) PRF_MAX_CELLS) {
        snprintf(err, errlen, "%s: %ld rows x %ld features; verify's exact claims handle at most "
                 "%d features and %ld values (they need a d x d exact covariance)", path,
                 all->n, all->d, PRF_MAX_D, (long) PRF_MAX_CELLS);
        st = AE_ERANGE;
        goto done;
    }
    st = ds_parse_classes(classes, &nclasses, 64, normal);
    if (st != AE_OK) {
        snprintf(err, errlen, "--normal %s: not a list of class labels", normal);
        goto done;
    }
    st = ds_filter(norm, all, classes, nclasses, 1);
    if (st == AE_OK)
        st = ds_filter(anom, all, classes, nclasses, 0);
    if (st != AE_OK || norm->n < 2) {
        snprintf(err, errlen, "%s: fewer than 2 rows with labels %s", path, normal);
        st = AE_EPARSE;
        goto done;
    }
    /* Identical normal rows have no principal direction and a zero diameter: no claim
     * about them can be checked (the ratios to the diameter would divide by 0). */
    int distinct = 0;
    for (long i = 1; i < norm->n && !distinct; i++)
        for (long j = 0; j < norm->d && !distinct; j++)
            distinct = !mpq_equal(qmat_entry(norm->X, i, j), qmat_entry(norm->X, 0, j));
    if (!distinct) {
        snprintf(err, errlen, "%s: the %ld rows with labels %s are all identical; the linear "
                 "claims need at least two distinct normal rows", path, norm->n, normal);
        st = AE_EPARSE;
        goto done;
    }
    mpq_t *lo = qvec_init(all->d), *hi = qvec_init(all->d);
    ds_minmax_fit(lo, hi, norm);
    ds_minmax_apply(norm, lo, hi);
    ds_minmax_apply(anom, lo, hi);
    qvec_clear(lo, all->d);
    qvec_clear(hi, all->d);
    qmat_resize(X, norm->n, norm->d);
    qmat_set(X, norm->X);
    if (A != NULL) {
        qmat_resize(A, anom->n, anom->d);
        qmat_set(A, anom->X);
    }
done:
    ds_clear(all);
    ds_clear(norm);
    ds_clear(anom);
    return st;
}

int prf_dataset(qmat_t X, qmat_t A, const proof_ctx *ctx, const char *name,
                char *err, size_t errlen)
{
    char path[4096];
    if (strcmp(name, "synthetic") == 0) {
        if (A != NULL)
            qmat_resize(A, 0, 10);
        return synthetic(X, ctx);
    }
    if (strncmp(name, "user", 4) == 0 && (name[4] == '\0' || name[4] == ':'))
        return load_scaled(X, A, ctx->user_data, ctx->csv_flags, ctx->user_normal, err, errlen);
    const char *file = dsrc_bundled_file(name), *normal = dsrc_bundled_normal(name);
    if (file != NULL && normal != NULL) {
        snprintf(path, sizeof path, "%s/%s", ctx->datadir, file);
        return load_scaled(X, A, path, DS_LABEL, normal, err, errlen);
    }
    ae_error("prf_dataset", "unknown data set '%s'", name);
    return AE_EINVAL;
}

long prf_dataset_names(const proof_ctx *ctx, const char *const **names)
{
    /* The user's set is shown in the tables as "user:<file name>". */
    static char user[160];
    static const char *with_user[] = {"wine", "breast_cancer", "digits", "synthetic", user};
    if (ctx->user_data) {
        const char *base = strrchr(ctx->user_data, '/');
        snprintf(user, sizeof user, "user:%s", base ? base + 1 : ctx->user_data);
    }
    *names = with_user;
    return ctx->user_data ? 5 : 4;
}

/* ---- cache ---------------------------------------------------------------------- */

#define MAX_DATA 8
#define MAX_MODELS 48

typedef struct {
    prf_data_struct data;
    int used;
} data_slot;

typedef struct {
    prf_model_struct model;
    const char *name;
    mpfr_prec_t prec;
    long n;
    int used;
} model_slot;

static data_slot data_cache[MAX_DATA];
static model_slot model_cache[MAX_MODELS];

const prf_data_struct *prf_data(const proof_ctx *ctx, const char *name, char *err, size_t errlen)
{
    int free_slot = -1;
    for (int i = 0; i < MAX_DATA; i++) {
        if (data_cache[i].used && strcmp(data_cache[i].data.name, name) == 0)
            return &data_cache[i].data;
        if (!data_cache[i].used && free_slot < 0)
            free_slot = i;
    }
    if (free_slot < 0) {
        snprintf(err, errlen, "internal: data cache full");
        return NULL;
    }
    prf_data_struct *D = &data_cache[free_slot].data;
    qmat_init(D->X, 0, 0);
    qmat_init(D->A, 0, 0);
    if (prf_dataset(D->X, D->A, ctx, name, err, errlen) != AE_OK) {
        qmat_clear(D->X);
        qmat_clear(D->A);
        return NULL;
    }
    long d = D->X->c;
    D->name = name;
    D->mean = qvec_init(d);
    qmat_init(D->C, d, d);
    pca_mean_cov(D->mean, D->C, D->X);
    mpq_init(D->diam2);
    score_diameter2(D->diam2, D->X);
    data_cache[free_slot].used = 1;
    return D;
}

const prf_model_struct *prf_model(const proof_ctx *ctx, const char *name, long k,
                                  char *err, size_t errlen)
{
    int free_slot = -1;
    for (int i = 0; i < MAX_MODELS; i++) {
        if (model_cache[i].used && model_cache[i].model.k == k
            && model_cache[i].prec == ctx->prec && strcmp(model_cache[i].name, name) == 0)
            return &model_cache[i].model;
        if (!model_cache[i].used && free_slot < 0)
            free_slot = i;
    }
    const prf_data_struct *D = prf_data(ctx, name, err, errlen);
    if (D == NULL)
        return NULL;
    if (free_slot < 0) {
        snprintf(err, errlen, "internal: model cache full");
        return NULL;
    }
    model_slot *S = &model_cache[free_slot];
    prf_model_struct *M = &S->model;
    long n = D->X->r, d = D->X->c;
    M->k = k;
    linae_init(M->ae, d, k);
    pca_cert_init(M->cert);
    M->status = pca_optimal_ae(M->ae, M->cert, D->X, k, ctx->prec);
    M->scores = qvec_init(n);
    mpq_init(M->smin);
    mpq_init(M->q99);
    linae_scores(M->scores, M->ae, D->X);
    score_min(M->smin, NULL, M->scores, n);
    mpq_t q;
    mpq_init(q);
    mpq_set_ui(q, 99, 100);
    score_quantile(M->q99, M->scores, n, q);
    mpq_clear(q);
    S->name = D->name;
    S->prec = ctx->prec;
    S->n = n;
    S->used = 1;
    return M;
}

void prf_cache_clear(void)
{
    for (int i = 0; i < MAX_MODELS; i++)
        if (model_cache[i].used) {
            prf_model_struct *M = &model_cache[i].model;
            linae_clear(M->ae);
            pca_cert_clear(M->cert);
            qvec_clear(M->scores, model_cache[i].n);
            mpq_clear(M->smin);
            mpq_clear(M->q99);
            model_cache[i].used = 0;
        }
    for (int i = 0; i < MAX_DATA; i++)
        if (data_cache[i].used) {
            prf_data_struct *D = &data_cache[i].data;
            qvec_clear(D->mean, D->X->c);
            qmat_clear(D->C);
            mpq_clear(D->diam2);
            qmat_clear(D->X);
            qmat_clear(D->A);
            data_cache[i].used = 0;
        }
}

/* ---- random piecewise-linear networks ------------------------------------------- */

static const long PL_A1[] = {2, 5, 1, 5, 2}, PL_A2[] = {3, 8, 2, 8, 3}, PL_A3[] = {4, 16, 4};
const prf_arch prf_pl_archs[] = {
    {PL_A1, 4, "2-5-1-5-2"}, {PL_A2, 4, "3-8-2-8-3"}, {PL_A3, 2, "4-16-4"}};
const nn_act_t prf_pl_acts[] = {NN_RELU, NN_LEAKY_RELU, NN_HARDTANH};
const char *const prf_pl_actnames[] = {"relu", "leaky_relu", "hardtanh"};

int prf_pl_net(nn_t net, gsl_rng *r, long L, const long *sizes, nn_act_t a, int bias)
{
    nn_act_t act[8];
    double ap[8];
    int b[8];
    if (L < 1 || L > 8) {
        ae_error("prf_pl_net", "L = %ld outside 1..8", L);
        return AE_EINVAL;
    }
    for (long l = 0; l < L; l++) {
        act[l] = l + 1 < L ? a : NN_IDENTITY;
        ap[l] = act[l] == NN_LEAKY_RELU ? 0.05 + 0.5 * gsl_rng_uniform(r) : act[l] == NN_ELU ? 1 : 0;
        b[l] = bias != 0;
    }
    int st = nn_init(net, NN_F32, L, sizes, act, ap, b);
    if (st != AE_OK)
        return st;
    return nn_init_params(net, NN_INIT_TORCH, r);
}

int prf_adam_epochs(nn_t net, const double *X, long n, double lr, long batch,
                    unsigned long seed, long epochs)
{
    nn_trainopts o;
    nn_trainopts_default(&o);
    o.lr = lr;
    o.batch = batch;
    o.seed = seed;
    nn_trainer_t T;
    int st = nn_trainer_init(T, net, &o, X, n);
    if (st != AE_OK)
        return st;
    double loss;
    for (long e = 0; e < epochs && st == AE_OK; e++)
        st = nn_trainer_epoch(&loss, T);
    nn_trainer_clear(T);
    return st;
}

int prf_train_ae(nn_t net, const double *X, long n, long L, const long *sizes, nn_act_t a,
                 double slope, unsigned long seed, long epochs, double lr, long batch)
{
    nn_act_t act[8];
    double ap[8];
    if (L < 1 || L > 8 || X == NULL || n < 1 || epochs < 0) {
        ae_error("prf_train_ae", "bad arguments (L = %ld, n = %ld, epochs = %ld)", L, n, epochs);
        return AE_EINVAL;
    }
    for (long l = 0; l < L; l++) {
        act[l] = l + 1 < L ? a : NN_IDENTITY;
        ap[l] = act[l] == NN_LEAKY_RELU ? slope : act[l] == NN_ELU ? 1 : 0;   /* ELU: PyTorch's alpha */
    }
    int st = nn_init(net, NN_F32, L, sizes, act, ap, NULL);
    if (st != AE_OK)
        return st;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (r == NULL) {
        nn_clear(net);
        return AE_ENOMEM;
    }
    gsl_rng_set(r, seed);
    st = nn_init_params(net, NN_INIT_TORCH, r);
    gsl_rng_free(r);
    if (st == AE_OK)
        st = prf_adam_epochs(net, X, n, lr, batch, seed, epochs);
    if (st != AE_OK)
        nn_clear(net);
    return st;
}

int prf_pl_train(nn_t net, gsl_rng *r, long epochs)
{
    long d = net->sizes[0], n = 64;
    double *X = ae_malloc((size_t) (n * d) * sizeof *X);
    if (X == NULL)
        return AE_ENOMEM;
    for (long i = 0; i < n * d; i++)   /* multiples of 2^-10 in [0, 1): exact in float32 */
        X[i] = (double) gsl_rng_uniform_int(r, 1024) / 1024.0;
    int st = prf_adam_epochs(net, X, n, 1e-2, 0, gsl_rng_get(r), epochs);
    free(X);
    return st;
}

void prf_scan_opts(scan_opts *o, unsigned long seed, long ndirs)
{
    scan_opts_default(o);
    o->seed = seed;
    o->ndirs = ndirs;
    o->budget = INFINITY;
}

int prf_n3_reference_net(nn_t net, nn_act_t act)
{
    long s[3] = {2, 2, 2};
    nn_act_t a[2] = {act, NN_IDENTITY};
    int st = nn_init(net, NN_F32, 2, s, a, NULL, NULL);
    double p[12] = {0.5, 0.5, -0.5, -0.5, 0.125, -0.125, 1, -1, 1, -1, 0, 0};
    if (st == AE_OK && (st = nn_set_params(net, p)) != AE_OK)
        nn_clear(net);
    return st;
}

int prf_train_fitting2d(nn_t net, unsigned long *seed, double *loss, const double *X, long n,
                        long L, const long *arch, nn_act_t act)
{
    double m[2] = {0, 0}, var = 0;
    for (long i = 0; i < n; i++)
        for (int j = 0; j < 2; j++)
            m[j] += X[2 * i + j] / (double) n;
    for (long i = 0; i < n; i++)
        for (int j = 0; j < 2; j++)
            var += (X[2 * i + j] - m[j]) * (X[2 * i + j] - m[j]) / (2.0 * (double) n);
    unsigned long best = 1;
    double bl = INFINITY;
    for (unsigned long s = 1; s <= 20; s++) {
        nn_t t;
        if (prf_train_ae(t, X, n, L, arch, act, 0, s, 2000, 1e-2, 16) != AE_OK)
            continue;
        double l = INFINITY;
        nn_loss_grad(&l, NULL, t, X, n);
        nn_clear(t);
        if (l < bl) {
            bl = l;
            best = s;
        }
        if (l < var / 2)
            break;
    }
    *seed = best;
    *loss = bl;
    return prf_train_ae(net, X, n, L, arch, act, 0, best, 2000, 1e-2, 16);
}

void prf_box2d(double c[2], double *side, const double *X, long n)
{
    double lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
    for (long i = 0; i < n; i++)
        for (int j = 0; j < 2; j++) {
            lo[j] = fmin(lo[j], X[2 * i + j]);
            hi[j] = fmax(hi[j], X[2 * i + j]);
        }
    c[0] = (lo[0] + hi[0]) / 2;
    c[1] = (lo[1] + hi[1]) / 2;
    *side = fmax(hi[0] - lo[0], hi[1] - lo[1]);
}

int prf_gnuplot(const char *dir, const char *name)
{
    if (strchr(dir, '\'') != NULL || strchr(name, '\'') != NULL)
        return 1;
    char cmd[1400];
    if (snprintf(cmd, sizeof cmd, "cd '%s' && gnuplot '%s.gp'", dir, name) >= (int) sizeof cmd)
        return 1;
    return system(cmd) != 0;
}
