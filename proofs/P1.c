/* P1 — what floating point does to the exact zero-score anomalies of L3.
 *
 * Claim (CLAIMS.md, Precision): the anomalies a = mean + c v~_1 of the exact PCA AE
 * (score exactly 0 <= s_min, L3) evaluated in float32, float64, long double, binary128 and
 * MPFR at 24, 53, 113, 256 and 1024 bits for c = 10^0 ... 10^300 (factors of 10): where
 * rounding alone lifts the computed score above s_min (a "detection" that is an artefact
 * of the arithmetic), where it overflows to Inf or becomes NaN.
 *
 * Method: for every real data set (iris, wine, breast_cancer, digits; --quick: iris and
 * wine; plus --data) the certified PCA AE with k = 2 (prf_model: exact
 * rational projector from MPFR eigenvectors, as L3), v~_1 its first decoder column; the
 * exact rational weights are rounded to nearest into each format (fmteval.h, one fixed
 * operation order), the exact point a(c) is rounded into the format, and the computed
 * score is converted exactly.  The exact score (linae_score) and the exact s_min are
 * rationals.  Per data set and format: c_detect (first grid c with computed score > s_min),
 * c_overflow (first Inf/NaN), and for the C formats the IEEE 754 prediction of c_overflow
 * (p1model.h: log10 estimate from MAX, the input magnitude and the rounding-residual
 * level rho, measured at the same precision with an unbounded exponent).  The verdict is
 * VERIFIED when every exact score is 0 <= s_min and every C format's measured overflow
 * point is within one grid step (a factor of 10) of the prediction, or both are beyond
 * 10^300.  Negative control (ctx->corrupt): the prediction is shifted by three decades
 * and must be rejected.
 *
 * Also the certified anomalies of trained ReLU AEs (scan.h): float32 [13,16,4,16,13] ReLU
 * AEs trained on wine's scaled normal rows (one seed with --quick, else five), scanned;
 * for each FAILS verdict the family a(c) = x0 + c v with a(1) = scan's anomaly (exact
 * score <= s_min): along scan's exactly blind direction when it reports one, else along
 * the ray from the minimising training row through the anomaly.  Their exact scores
 * (qnet, rationals) may grow with c and are tabulated (c_exact_above_smin); only the
 * overflow prediction enters the verdict.  scan's float search has a time budget (2 s /
 * 10 s), so on a much slower machine a model could come out UNDECIDED and drop out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aeerr.h"
#include "fmteval.h"
#include "linae.h"
#include "p1model.h"
#include "pcommon.h"
#include "proof.h"
#include "qmat.h"
#include "qnet.h"
#include "qnum.h"
#include "scan.h"

#define P1_K 2
#define P1_E0 0
#define P1_NE 301

static const char *const SCOLS[] = {"dataset", "model", "log10_c", "format", "score",
                                    "log10_score", "above_smin", "exact_score", "smin"};
static const char *const TCOLS[] = {"dataset", "model", "format", "smin", "c_detect",
                                    "c_overflow", "c_overflow_predicted", "log10_rho",
                                    "prediction_agrees", "c_exact_above_smin"};
static const proof_table TABLES[] = {
    {"P1_scores", "P1: computed scores of the exact zero-score anomalies a = mean + c v1 per format", SCOLS, 9},
    {"P1_thresholds", "P1: first c where rounding lifts the score above s_min, first Inf/NaN, IEEE prediction", TCOLS, 10}};

/* "1e17" for a grid index, "none" for -1. */
static const char *cstr(char *buf, size_t n, long i)
{
    if (i < 0)
        snprintf(buf, n, "none");
    else
        snprintf(buf, n, "1e%ld", P1_E0 + i);
    return buf;
}

/* The score and its log10 (4 decimals, MPFR) as table cells. */
static void score_cells(char *s, size_t ns, char *l, size_t nl, const mpfr_t x)
{
    if (mpfr_nan_p(x)) {
        snprintf(s, ns, "nan");
        snprintf(l, nl, "nan");
    } else if (mpfr_inf_p(x)) {
        snprintf(s, ns, mpfr_sgn(x) > 0 ? "inf" : "-inf");
        snprintf(l, nl, "inf");
    } else if (mpfr_zero_p(x)) {
        snprintf(s, ns, "0");
        snprintf(l, nl, "-inf");
    } else {
        mpfr_t t;
        mpfr_init2(t, 64);
        mpfr_log10(t, x, MPFR_RNDN);
        mpfr_snprintf(s, ns, "%.6Re", x);
        mpfr_snprintf(l, nl, "%.4Rf", t);
        mpfr_clear(t);
    }
}

typedef struct {
    long det[P1_NFMT][2], ovf[P1_NFMT][2];   /* min, max over data sets (-1 none) */
} p1_summary;

static void sum_update(long *mm, long v, int first)
{
    long x = v < 0 ? 1000000 : v;
    if (first || x < mm[0])
        mm[0] = x;
    if (first || x > mm[1])
        mm[1] = x;
}

/* One anomaly family a(c) = m + c v (c = 10^e on the grid) of one model: the network in
 * every format (net), the exact score (exact), s_min; must_be_zero: L3's claim that the
 * exact score is 0 at every c (the linear AEs). */
typedef struct {
    const char *set, *model;
    long d;
    const mpq_t *m, *v;
    const mpq_t *smin;
    int must_be_zero;
    int (*net)(fmtnet_t F, fmt_t f, const void *arg);
    int (*exact)(mpq_t e, const mpq_t *a, const void *arg);
    const void *arg;
} p1_case;

typedef struct {
    p1_summary *S;
    int first;
    long bad_exact, bad_pred;
    char why[512];
} p1_tally;

static void note(p1_tally *T, long *count, const char *fmt, const char *a, const char *b,
                 const char *c, const char *d)
{
    if (T->bad_exact == 0 && T->bad_pred == 0)
        snprintf(T->why, sizeof T->why, fmt, a, b, c, d);
    (*count)++;
}

/* One format of a case: its curve (and shadow), the score rows and the threshold row. */
static int run_format(proof_job *J, const p1_case *C, int k, mpfr_t *s, mpfr_t *su,
                      mpq_t *exact, p1_tally *T)
{
    fmt_t f = p1_formats[k];
    fmtnet_t F;
    char fn[32];
    fmt_name(f, fn, sizeof fn);
    int st = C->net(F, f, C->arg);
    if (st == AE_OK) {
        st = p1_curve(s, F, C->m, C->v, C->d, P1_E0, P1_NE);
        fmtnet_clear(F);
    }
    long pred = -1;
    double lrho = 0;
    if (st == AE_OK && f.kind != FMT_MPFR) {   /* the unbounded shadow at the same precision */
        fmt_t g = {FMT_MPFR, fmt_prec(f)};
        st = C->net(F, g, C->arg);
        if (st == AE_OK) {
            st = p1_curve(su, F, C->m, C->v, C->d, P1_E0, P1_NE);
            fmtnet_clear(F);
        }
        pred = p1_predict_overflow(&lrho, f, su, P1_NE, P1_E0, C->v, C->d);
        if (J->ctx->corrupt)   /* negative control: a wrong prediction */
            pred = pred < 0 ? P1_NE - 4 : pred + 3;
    }
    if (st != AE_OK)
        return st;
    for (long i = 0; i < P1_NE; i++) {
        char sc[64], ls[64];
        score_cells(sc, sizeof sc, ls, sizeof ls, s[i]);
        int above = p1_first_detect(&s[i], 1, *C->smin) == 0;
        proof_row(J, 0, "%s\t%s\t%ld\t%s\t%s\t%s\t%s\t%s\t%s", C->set, C->model, P1_E0 + i, fn,
                  sc, ls, above ? "true" : "false", prf_q(exact[i]), prf_q(*C->smin));
    }
    long det = p1_first_detect(s, P1_NE, *C->smin), ovf = p1_first_overflow(s, P1_NE);
    char b1[32], b2[32], b3[32], lr[32];
    const char *agree = "n/a";
    snprintf(lr, sizeof lr, "n/a");
    if (f.kind != FMT_MPFR) {
        long dd = (pred < 0 ? P1_NE : pred) - (ovf < 0 ? P1_NE : ovf);
        int ok = dd >= -1 && dd <= 1;
        agree = ok ? "true" : "false";
        if (!ok)
            note(T, &T->bad_pred, "%s %s %s: overflow at %s, predicted otherwise", C->set,
                 C->model, fn, cstr(b1, sizeof b1, ovf));
        snprintf(lr, sizeof lr, "%.2f", lrho);
    }
    long exd = -1;
    for (long i = 0; i < P1_NE && exd < 0; i++)
        if (mpq_cmp(exact[i], *C->smin) > 0)
            exd = i;
    char b4[32];
    proof_row(J, 1, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s", C->set, C->model, fn,
              prf_q6(*C->smin), cstr(b1, sizeof b1, det), cstr(b2, sizeof b2, ovf),
              f.kind == FMT_MPFR ? "n/a" : cstr(b3, sizeof b3, pred), lr, agree,
              cstr(b4, sizeof b4, exd));
    if (C->must_be_zero) {   /* the summary is over L3's linear AEs */
        sum_update(T->S->det[k], det, T->first);
        sum_update(T->S->ovf[k], ovf, T->first);
    }
    return AE_OK;
}

/* One case: the exact scores, then every format. */
static int run_case(proof_job *J, const p1_case *C, p1_tally *T)
{
    long d = C->d;
    mpq_t *a = qvec_init(d), *exact = qvec_init(P1_NE);
    mpq_t c;
    mpq_init(c);
    int st = AE_OK;
    for (long i = 0; i < P1_NE && st == AE_OK; i++) {
        qnum_pow10(c, P1_E0 + i);
        qvec_scale(a, C->v, c, d);
        qvec_add(a, C->m, a, d);
        st = C->exact(exact[i], a, C->arg);
        if (st == AE_OK && C->must_be_zero && mpq_sgn(exact[i]) != 0) {
            char e[24];
            snprintf(e, sizeof e, "1e%ld", P1_E0 + i);
            note(T, &T->bad_exact, "%s %s c=%s: exact score %s != 0", C->set, C->model, e,
                 prf_q(exact[i]));
        }
    }
    mpq_clear(c);
    qvec_clear(a, d);
    mpfr_t *s = malloc(P1_NE * sizeof(mpfr_t)), *su = malloc(P1_NE * sizeof(mpfr_t));
    if (s == NULL || su == NULL)
        st = AE_ENOMEM;
    for (long i = 0; st == AE_OK && i < P1_NE; i++) {
        mpfr_init2(s[i], P1_OUT_PREC);
        mpfr_init2(su[i], P1_OUT_PREC);
    }
    for (int k = 0; k < P1_NFMT && st == AE_OK; k++)
        st = run_format(J, C, k, s, su, exact, T);
    if (s != NULL && su != NULL)
        for (long i = 0; i < P1_NE; i++) {
            mpfr_clear(s[i]);
            mpfr_clear(su[i]);
        }
    free(s);
    free(su);
    qvec_clear(exact, P1_NE);
    if (st != AE_OK)
        return proof_fail(J, st, "P1 %s %s: evaluation failed (%s)", C->set, C->model,
                          ae_strstatus(st));
    return AE_OK;
}

/* ---- the linear AEs of L3 ------------------------------------------------------------ */
static int lin_net(fmtnet_t F, fmt_t f, const void *arg)
{
    return p1_linae_net(F, f, ((const prf_model_struct *) arg)->ae);
}

static int lin_exact(mpq_t e, const mpq_t *a, const void *arg)
{
    return linae_score(e, ((const prf_model_struct *) arg)->ae, a);
}

static int run_set(proof_job *J, const char *name, p1_tally *T)
{
    char err[512];
    const proof_ctx *ctx = J->ctx;
    const prf_data_struct *D = prf_data(ctx, name, err, sizeof err);
    if (D == NULL)
        return proof_fail(J, AE_EPARSE, "%s", err);
    const prf_model_struct *M = prf_model(ctx, name, P1_K, err, sizeof err);
    if (M == NULL || M->status != AE_OK)
        return proof_fail(J, AE_NOTCONV, "%s k=%d: no certified PCA AE (%s)", name, P1_K,
                          M ? ae_strstatus(M->status) : err);
    long d = D->X->c;
    mpq_t *v = qvec_init(d);
    qmat_get_col(v, M->ae->Wd, 0);
    char model[32];
    snprintf(model, sizeof model, "pca-k%d", P1_K);
    p1_case C = {name, model, d, (const mpq_t *) D->mean, (const mpq_t *) v,
                 (const mpq_t *) &M->smin, 1, lin_net, lin_exact, M};
    int st = run_case(J, &C, T);
    qvec_clear(v, d);
    return st;
}

/* ---- the certified anomalies of trained ReLU AEs (scan.h) ---------------------------- */
/* wine, the shallow ReLU AE of N4 ([13,16,4,16,13], float32, Adam lr 3e-3, batch 16, 500
 * epochs), trained on the exact min-max scaled normal rows read as doubles (no model
 * scaling: the network's input space is the scaled space); seeds from the P1 stream. */
static const long RELU_SIZES[] = {13, 16, 4, 16, 13};
#define RELU_L 4
#define RELU_SEEDS_FULL 5

typedef struct {
    const nn_struct *net;
    qnet_struct *q;
} relu_arg;

static int relu_net(fmtnet_t F, fmt_t f, const void *arg)
{
    return fmtnet_init_nn(F, f, ((const relu_arg *) arg)->net);
}

static int relu_exact(mpq_t e, const mpq_t *a, const void *arg)
{
    const relu_arg *R = arg;
    return qnet_score(e, R->q, a, qnet_din(R->q));
}

/* One trained model: scan; when FAILS, the case a(c) = anomaly + c dir. */
static int relu_model(proof_job *J, p1_tally *T, const double *X, long n, long d,
                      unsigned long seed, long *nrelu)
{
    const proof_ctx *ctx = J->ctx;
    nn_t net;
    int st = prf_train_ae(net, X, n, RELU_L, RELU_SIZES, NN_RELU, 0, seed, 500, 3e-3, 16);
    if (st != AE_OK)
        return AE_OK;   /* a diverged training run is no instance */
    scan_opts o;
    prf_scan_opts(&o, seed, ctx->quick ? 32 : 64);
    scan_t S;
    scan_init(S);
    st = scan_run(S, net, X, n, d, &o);
    if (st == AE_OK && S->verdict == SCAN_FAILS && S->have_anomaly) {
        qnet_t q;
        st = qnet_init_nn(q, net);
        /* a(c) = x0 + c v with a(1) = the certified anomaly: along scan's exactly blind
         * direction when it has one (x0 = anomaly - dir, v = dir), else along the ray from
         * the minimising training row x0 through the anomaly */
        mpq_t *x0 = qvec_init(d), *v = qvec_init(d);
        int blind = S->blind && S->dir != NULL;
        for (long j = 0; j < d; j++)
            if (blind)
                mpq_set(v[j], S->dir[j]);
            else
                mpq_set_d(x0[j], X[S->smin_row * d + j]);
        if (blind)
            qvec_sub(x0, S->anomaly, v, d);
        else
            qvec_sub(v, S->anomaly, x0, d);
        if (st == AE_OK) {
            char model[96];
            snprintf(model, sizeof model, "relu-13-16-4-16-13-seed%lu-%s", seed,
                     blind ? "blind-ray" : "row-ray");
            relu_arg R = {net, q};
            p1_case C = {"wine", model, d, (const mpq_t *) x0, (const mpq_t *) v,
                         (const mpq_t *) &S->smin, 0, relu_net, relu_exact, &R};
            st = run_case(J, &C, T);
            qnet_clear(q);
            (*nrelu)++;
        }
        qvec_clear(x0, d);
        qvec_clear(v, d);
    } else if (st != AE_OK) {
        st = proof_fail(J, st, "P1: scan of wine seed %lu failed (%s)", seed, S->why);
    }
    scan_clear(S);
    nn_clear(net);
    return st;
}

/* The ReLU cases: quick one seed, else RELU_SEEDS_FULL. */
static int p1_relu(proof_job *J, p1_tally *T, long *nrelu)
{
    char err[512];
    const prf_data_struct *D = prf_data(J->ctx, "wine", err, sizeof err);
    if (D == NULL)
        return proof_fail(J, AE_EPARSE, "%s", err);
    long n = D->X->r, d = D->X->c;
    double *X = malloc((size_t) (n * d) * sizeof(double));
    if (X == NULL)
        return proof_fail(J, AE_ENOMEM, "P1: out of memory");
    for (long i = 0; i < n * d; i++)
        X[i] = mpq_get_d(D->X->entries[i]);
    unsigned long base = prf_seed(J->ctx, "P1-relu") % 100000UL;
    int st = AE_OK;
    for (long k = 0; k < (J->ctx->quick ? 1 : RELU_SEEDS_FULL) && st == AE_OK; k++)
        st = relu_model(J, T, X, n, d, base + (unsigned long) k, nrelu);
    free(X);
    return st;
}

/* "1e7..1e8" or "1e7" or "none" for a min/max pair. */
static const char *range(char *buf, size_t n, const long *mm)
{
    if (mm[0] >= 1000000)
        snprintf(buf, n, "none");
    else if (mm[1] >= 1000000)
        snprintf(buf, n, "1e%ld..none", mm[0]);
    else if (mm[0] == mm[1])
        snprintf(buf, n, "1e%ld", mm[0]);
    else
        snprintf(buf, n, "1e%ld..1e%ld", mm[0], mm[1]);
    return buf;
}

static int run(proof_job *J)
{
    const proof_ctx *ctx = J->ctx;
    proof_result *res = J->res;
    /* the real data sets, plus the user's (prf_dataset_names' last entry) */
    const char *const *pn;
    long npn = prf_dataset_names(ctx, &pn);
    const char *names[5] = {"iris", "wine", "breast_cancer", "digits", NULL};
    long nnames = ctx->quick ? 2 : 4;
    if (ctx->user_data)
        names[nnames++] = pn[npn - 1];
    p1_summary S;
    p1_tally T = {&S, 1, 0, 0, ""};
    for (long di = 0; di < nnames; di++) {
        int st = run_set(J, names[di], &T);
        if (st != AE_OK)
            return st;
        T.first = 0;
        proof_progress("P1", di + 1, nnames + 1, names[di]);
    }
    long nrelu = 0;
    int st = p1_relu(J, &T, &nrelu);
    if (st != AE_OK)
        return st;
    proof_progress("P1", nnames + 1, nnames + 1, "relu");
    snprintf(res->method, sizeof res->method, "exact PCA AE k=%d weights rounded to nearest into "
             "each format (fmteval, fixed order); exact scores; IEEE overflow prediction", P1_K);
    res->instances = (nnames + nrelu) * P1_NFMT * P1_NE;
    char ev[900] = "";
    size_t len = 0;
    for (int k = 0; k < P1_NFMT && len < sizeof ev; k++) {
        char fn[32], r1[48], r2[48];
        len += (size_t) snprintf(ev + len, sizeof ev - len, "%s%s detect %s ovf %s", k ? "; " : "",
                                 fmt_name(p1_formats[k], fn, sizeof fn), range(r1, sizeof r1, S.det[k]),
                                 range(r2, sizeof r2, S.ovf[k]));
    }
    if (T.bad_exact)
        proof_set(res, VERDICT_FALSIFIED, "%ld exact scores are not 0; first: %s", T.bad_exact,
                  T.why);
    else if (T.bad_pred)
        proof_set(res, VERDICT_NOT_REPRODUCED, "%ld overflow points off the IEEE prediction; "
                  "first: %s", T.bad_pred, T.why);
    else
        proof_set(res, VERDICT_VERIFIED, "%ld data sets, c = 1e0..1e300: exact score 0 <= s_min "
                  "everywhere; overflow points as IEEE 754 predicts (also on %ld scanned ReLU "
                  "anomalies); %s", nnames, nrelu, ev);
    return AE_OK;
}

int proof_P1(const proof_ctx *ctx, proof_result *res)
{
    return proof_run(ctx, res, TABLES, 2, run, NULL);
}
