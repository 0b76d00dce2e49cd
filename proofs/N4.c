/* N4 — blind rays in trained ReLU / leaky-ReLU autoencoders: scan's verdict per model,
 * every certificate re-checked here independently in exact arithmetic.
 *
 * Models.  Per data set (the synthetic sets of synth.h, wine, breast_cancer, digits with
 * the normal classes of dsrc_bundled_normal) two architectures, a shallow [d,h,k,h,d] and
 * a deeper [d,h1,h2,k,h2,h1,d], each with relu and leaky relu (slope 0.01) hidden units,
 * identity output, float32, PyTorch initialisation, Adam (prf_train_ae), 5 seeds.  The
 * data are prepared as `aeaudit train` does: CSV data min-max scaled with the scaling
 * fitted on the training rows and recorded in the model (nn_set_scale); synthetic data
 * unscaled.  scan_run gets the RAW rows and applies the model's scaling exactly.
 *
 * Re-checks (exact, GMP; nothing taken from scan except the claims being checked; the
 * checkers are module n4check):
 *   - s_min: every training row scaled exactly (qnet_scale_point) and scored exactly
 *     (qnet_score); the least is s_min, compared with scan's.
 *   - the diameter: exact, with a double screen whose safety is derived in n4check.h
 *     (n4check_diam2).
 *   - FAILS: the anomaly's raw and scaled forms agree (qnet_scale_point), its exact score
 *     equals the claimed one and is <= s_min, and ||a - x_i||^2 >= far_ratio^2 D2 for
 *     EVERY training row (exact squared comparisons).
 *   - SAFE: spot checks: the exact scores of points x with ||x||^2 > R^2 exactly (along
 *     scan's lowest-growth direction and its opposite, and seeded random directions, at
 *     1.01, 10 and 1000 times R), and of every training row beyond R, must exceed s_min.
 *   - every model: the reported direction's exact growth rate ||v - f0(v)||^2 / ||v||^2
 *     equals gamma2_ub, gamma2_lb <= gamma2_ub, and a direction claimed blind has
 *     f0(v) = v exactly.
 * Negative controls, every run: the anomaly moved onto the minimising training row must
 * fail the distance test; the radius claimed as 0 must fail the spot check (the
 * minimising row lies beyond it, with score s_min); the growth rate claimed 1/7 too large
 * must fail the growth-rate test.  With ctx->corrupt these wrong instances are checked in place of the
 * real ones.  Positive control, every run: prf_n3_reference_net, a hand-built ReLU AE that is
 * exactly blind along the diagonal, must come out FAILS with its anomaly re-checked (its
 * row is in the table; it is not counted in the fractions).
 *
 * Also per model, for the practical thresholds of CLAIMS.md: the exact score at the point
 * x_min + t v (x_min the minimising row, v scan's direction, t ||v|| >= (far_ratio + 1)
 * diam, so at least far_ratio diameters from every row) against s_min, the 0.99-quantile
 * of the exact training scores, and the paper's per-feature MSE 0.1.
 *
 * The result is the fraction of models in each verdict (FAILS / SAFE / UNDECIDED),
 * whatever it is; VERIFIED means every certificate survived its re-check.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aeerr.h"
#include "dsrc.h"
#include "n4check.h"
#include "nn.h"
#include "pcommon.h"
#include "proof.h"
#include "qmat.h"
#include "qnet.h"
#include "scan.h"
#include "synth.h"

static const char *const COLS[] = {
    "dataset", "arch", "act", "seed", "n", "train_loss", "loss_over_variance", "collapsed",
    "min_normal_score", "q99_score", "verdict", "blind_found", "growth_rate", "gamma2_lb", "K",
    "radius_over_diameter", "anomaly_distance_over_diameter", "anomaly_score",
    "far_ray_score", "far_ray_below", "timed_out", "recheck"};
#define NCOLS 22
static const proof_table TABLES[] = {
    {"N4_blind_rays", "N4: scan verdicts of trained ReLU / leaky-ReLU autoencoders "
     "(exact re-checks)", COLS, NCOLS}};

#define N4_FAR 10
#define N4_SLOPE 0.01

/* ---- the experiment grid --------------------------------------------------------- */

typedef struct {
    const char *name;
    long hs, ks;              /* shallow [d, hs, ks, hs, d] */
    long h1, h2, kd;          /* deep [d, h1, h2, kd, h2, h1, d] */
    long ep_s, ep_d;          /* epochs */
    double lr_s, lr_d;
} n4_set;

static const n4_set SETS[] = {
    {"diagonal", 5, 1, 100, 20, 1, 2000, 1000, 1e-2, 1e-3},
    {"diagonal-noisy", 5, 1, 100, 20, 1, 2000, 1000, 1e-2, 1e-3},
    {"two-clusters", 5, 1, 100, 20, 1, 2000, 1000, 1e-2, 1e-3},
    {"ring", 5, 1, 100, 20, 1, 2000, 1000, 1e-2, 1e-3},
    {"plane3d", 8, 2, 32, 16, 2, 1000, 500, 3e-3, 1e-3},
    {"wine", 16, 4, 32, 16, 4, 500, 300, 3e-3, 1e-3},
    {"breast_cancer", 32, 8, 64, 32, 8, 200, 150, 3e-3, 1e-3},
    {"digits", 32, 8, 64, 32, 8, 100, 100, 3e-3, 1e-3},
};
#define NSETS ((long) (sizeof SETS / sizeof SETS[0]))

/* Quick runs (make check): three sets, the shallow net, both activations, one seed. */
static const int QUICK_SETS[] = {0, 3, 5};
#define NQUICK 3

/* ---- one data set, exactly ------------------------------------------------------- */

typedef struct {
    const char *name;
    long n, d;
    double *raw;        /* n x d raw rows (for scan_run) */
    double *Xs;         /* n x d scaled rows in double (for training) */
    mpq_t *lo, *hi;     /* the scaling (NULL: none) */
    double var;         /* mean per-feature variance of the scaled rows */
    char err[600];
} n4_data;

static void data_clear(n4_data *D)
{
    free(D->raw);
    free(D->Xs);
    if (D->lo) {
        qvec_clear(D->lo, D->d);
        qvec_clear(D->hi, D->d);
    }
    memset(D, 0, sizeof *D);
}

static int data_load(n4_data *D, const proof_ctx *ctx, const char *name)
{
    memset(D, 0, sizeof *D);
    D->name = name;
    dsrc_t S;
    dsrc_init(S);
    dsrc_opts o;
    dsrc_opts_default(&o);
    o.data_dir = ctx->datadir;
    o.seed = prf_seed(ctx, "N4-data");
    int st = dsrc_load(S, name, &o, D->err, sizeof D->err);
    const char *nl = dsrc_bundled_normal(name);
    if (st == AE_OK && nl != NULL) {
        long cls[16], m;
        st = ds_parse_classes(cls, &m, 16, nl);
        if (st == AE_OK)
            st = dsrc_filter(S, cls, m, 1);
        if (st != AE_OK)
            snprintf(D->err, sizeof D->err, "%s: cannot keep classes %s", name, nl);
    }
    if (st == AE_OK && S->n < 2) {
        st = AE_ERANGE;
        snprintf(D->err, sizeof D->err, "%s: fewer than 2 rows", name);
    }
    if (st != AE_OK) {
        dsrc_clear(S);
        return st;
    }
    D->n = S->n;
    D->d = S->d;
    size_t nd = (size_t) (D->n * D->d);
    D->raw = ae_malloc(nd * sizeof(double));
    D->Xs = ae_malloc(nd * sizeof(double));
    memcpy(D->raw, S->X, nd * sizeof(double));
    if (!S->synthetic) {
        D->lo = qvec_init(D->d);
        D->hi = qvec_init(D->d);
        dsrc_minmax_fit(D->lo, D->hi, S);
        dsrc_minmax_apply(S, (const mpq_t *) D->lo, (const mpq_t *) D->hi);
    }
    memcpy(D->Xs, S->X, nd * sizeof(double));
    dsrc_clear(S);
    double v = 0;
    for (long j = 0; j < D->d; j++) {
        double m = 0, q = 0;
        for (long i = 0; i < D->n; i++)
            m += D->Xs[i * D->d + j];
        m /= (double) D->n;
        for (long i = 0; i < D->n; i++)
            q += (D->Xs[i * D->d + j] - m) * (D->Xs[i * D->d + j] - m);
        v += q / (double) D->n;
    }
    D->var = v / (double) D->d;
    return AE_OK;
}

/* ---- one model ------------------------------------------------------------------- */

typedef struct {
    long models, verdicts[3], blind, collapsed, timed_out;
    long anomalies, radii, spot_points, dirs;
    long fails, controls, accepted;   /* re-check failures; negative controls */
    long refs;                        /* positive controls run (prf_n3_reference_net) */
    long far_below[3];                /* far-ray score <= s_min, < s_0.99, MSE < 0.1 */
    char first[700];
    double scan_seconds;
} n4_tally;

static const char *const VNAME[3] = {"FAILS", "SAFE", "UNDECIDED"};

static void note_fail(n4_tally *T, const char *model, const char *why)
{
    T->fails++;
    if (!T->first[0])
        snprintf(T->first, sizeof T->first, "%s: %s", model, why);
}

/* All re-checks and controls of one scanned model; ok = 0 when one failed.  With
 * ctx->corrupt the controls' wrong instances stand in for the real certificates. */
static int recheck(n4_tally *T, const proof_ctx *ctx, const qnet_t q, const qnet_t f0,
                   const n4check_exact_t E, const scan_t S, gsl_rng *r, const char *model)
{
    long d = E->d;
    char why[300], cw[300];
    int ok = 1;
    if (!mpq_equal(S->smin, E->smin)) {
        ok = 0;
        note_fail(T, model, "scan's s_min differs from the exact minimum over all rows");
    }
    int have_dir = 0;
    for (long j = 0; S->dir != NULL && j < d; j++)
        have_dir |= mpq_sgn(S->dir[j]) != 0;
    if (have_dir) {
        mpq_t g2;
        mpq_init(g2);
        int bad = n4check_ctl_dir(g2, f0, S->dir, d, S->gamma2_ub, S->gamma2_lb, S->blind,
                                  cw, sizeof cw) == AE_OK;
        int good = ctx->corrupt ? bad
                                : n4check_dir(g2, f0, S->dir, d, S->gamma2_ub, S->gamma2_lb,
                                              S->blind, why, sizeof why) == AE_OK;
        if (ctx->corrupt)
            snprintf(why, sizeof why, "%s", cw);
        T->controls++;
        T->accepted += bad;
        T->dirs++;
        if (!good) {
            ok = 0;
            note_fail(T, model, why);
        }
        mpq_clear(g2);
    }
    if (S->verdict == SCAN_FAILS) {
        int bad = n4check_ctl_anomaly(q, E, cw, sizeof cw) == AE_OK;
        int good = ctx->corrupt ? bad
                                : n4check_anomaly(q, E, S->anomaly, S->anomaly_raw,
                                                  S->anomaly_score, why, sizeof why) == AE_OK;
        if (ctx->corrupt)
            snprintf(why, sizeof why, "%s", cw);
        T->controls++;
        T->accepted += bad;
        T->anomalies++;
        if (!good) {
            ok = 0;
            note_fail(T, model, why);
        }
    }
    if (S->have_R) {
        long pts = 0, npts = ctx->quick ? 3 : 8;
        int cst = n4check_ctl_radius(q, E, S->dir, r, cw, sizeof cw);
        int bad = cst == AE_OK, have_ctl = cst != AE_ERANGE;
        if (have_ctl) {
            T->controls++;
            T->accepted += bad;
        }
        int good = ctx->corrupt ? (have_ctl ? bad : 0)
                                : n4check_radius(&pts, q, E, S->R, S->dir, r, npts, why,
                                                 sizeof why) == AE_OK;
        if (ctx->corrupt)
            snprintf(why, sizeof why, "R = 0: %.250s", have_ctl ? cw : "no control point");
        T->radii++;
        T->spot_points += pts;
        if (!good) {
            ok = 0;
            note_fail(T, model, why);
        }
    }
    return ok;
}

/* ---- the table ------------------------------------------------------------------- */

/* The strongest threshold the far-ray score e meets (CLAIMS.md: strict, practical, the
 * paper's figure threshold). */
static const char *far_below(n4_tally *T, const mpq_t e, const n4check_exact_t E)
{
    mpq_t m;
    mpq_init(m);
    mpq_set_ui(m, (unsigned long) E->d, 10);     /* per-feature MSE 0.1 = score 0.1 d */
    mpq_canonicalize(m);
    const char *b = "none";
    if (mpq_cmp(e, m) < 0) {
        b = "mse<0.1";
        T->far_below[2]++;
    }
    if (mpq_cmp(e, E->q99) < 0) {
        b = "s_0.99";
        T->far_below[1]++;
    }
    if (mpq_cmp(e, E->smin) <= 0) {
        b = "s_min";
        T->far_below[0]++;
    }
    mpq_clear(m);
    return b;
}

typedef struct {
    const n4_data *D;
    const char *arch;
    long L;
    const long *sizes;
    nn_act_t act;
    unsigned long seed;
    long epochs;
    double lr;
    int reference;      /* 1: the hand-built blind model below instead of training */
} n4_model;


static int one_model(proof_job *J, n4_tally *T, const n4_model *M, gsl_rng *r)
{
    const proof_ctx *ctx = J->ctx;
    const n4_data *D = M->D;
    long d = D->d;
    nn_t net;
    int st = M->reference ? prf_n3_reference_net(net, NN_RELU)
                          : prf_train_ae(net, D->Xs, D->n, M->L, M->sizes, M->act, N4_SLOPE,
                                         M->seed, M->epochs, M->lr, 16);
    if (st != AE_OK)
        return proof_fail(J, st, "N4: training %s %s failed (status %d)", D->name, M->arch, st);
    if (D->lo != NULL)
        nn_set_scale(net, (const mpq_t *) D->lo, (const mpq_t *) D->hi);
    double loss = NAN;
    nn_loss_grad(&loss, NULL, net, D->Xs, D->n);
    double ratio = loss / D->var;
    int collapsed = !(ratio < 0.9);
    const char *actname = M->act == NN_RELU ? "relu" : "leaky_relu";
    char model[200];
    snprintf(model, sizeof model, "%s %s %s seed %lu", D->name, M->arch, actname, M->seed);

    qnet_t q, f0;
    if ((st = qnet_init_nn(q, net)) != AE_OK) {
        nn_clear(net);
        return proof_fail(J, st, "N4: %s: exact network failed", model);
    }
    if ((st = qnet_init_recession(f0, q)) != AE_OK) {
        qnet_clear(q);
        nn_clear(net);
        return proof_fail(J, st, "N4: %s: recession network failed", model);
    }
    n4check_exact_t E;
    n4check_exact_init(E);
    st = n4check_exact_set(E, q, D->raw, D->n, d, N4_FAR);
    scan_opts o;
    prf_scan_opts(&o, M->seed, ctx->quick ? 32 : (d <= 3 ? 256 : 64));
    o.far_ratio = N4_FAR;
    scan_t S;
    scan_init(S);
    if (st == AE_OK)
        st = scan_run(S, net, D->raw, D->n, d, &o);
    if (st != AE_OK) {
        scan_clear(S);
        n4check_exact_clear(E);
        qnet_clear(q); qnet_clear(f0); nn_clear(net);
        return proof_fail(J, st, "N4: %s: scan_run failed (status %d)%s%s", model, st,
                          S->why[0] ? ": " : "", S->why);
    }
    if (M->reference) {
        T->refs++;
        if (S->verdict != SCAN_FAILS)
            note_fail(T, model, "the positive control (an exact blind direction) was not "
                      "found FAILS");
    } else {
        T->models++;
        T->verdicts[S->verdict]++;
        T->blind += S->blind != 0;
        T->collapsed += collapsed;
        T->timed_out += S->timed_out != 0;
        T->scan_seconds += S->seconds;
    }
    int ok = recheck(T, ctx, q, f0, E, S, r, model);
    if (M->reference && S->verdict != SCAN_FAILS)
        ok = 0;

    int have_dir = 0;
    for (long j = 0; S->dir != NULL && j < d; j++)
        have_dir |= mpq_sgn(S->dir[j]) != 0;
    mpq_t fe;
    mpq_init(fe);
    const char *fb = "-";
    char fes[64] = "-";
    n4_tally scratch;
    memset(&scratch, 0, sizeof scratch);
    if (have_dir && n4check_far_ray_score(fe, q, E, S->dir) == AE_OK) {
        fb = far_below(M->reference ? &scratch : T, fe, E);
        snprintf(fes, sizeof fes, "%s", prf_q6(fe));
    }
    char rad[32] = "-", adist[32] = "-", ascore[64] = "-";
    if (S->have_R)
        snprintf(rad, sizeof rad, "%.6g", scan_radius_ratio(S));
    if (S->have_anomaly) {
        snprintf(adist, sizeof adist, "%.6g", scan_anomaly_ratio(S));
        snprintf(ascore, sizeof ascore, "%s", prf_q6(S->anomaly_score));
    }
    proof_row(J, 0, "%s\t%s\t%s\t%lu\t%ld\t%.6e\t%.4g\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t"
              "%s\t%s\t%s\t%s\t%s", D->name, M->arch, actname, M->seed, D->n, loss,
              ratio, collapsed ? "yes" : "no", prf_q6(E->smin), prf_q6(E->q99), VNAME[S->verdict],
              S->blind ? "yes" : "no", have_dir ? prf_q6(S->gamma2_ub) : "-",
              prf_q6(S->gamma2_lb), prf_q6(S->K), rad, adist, ascore, fes, fb,
              S->timed_out ? "yes" : "no", ok ? "ok" : "FAILED");
    mpq_clear(fe);
    scan_clear(S);
    n4check_exact_clear(E);
    qnet_clear(q);
    qnet_clear(f0);
    nn_clear(net);
    return AE_OK;
}

/* arch name "2-5-1-5-2" of the L + 1 sizes */
static void arch_name(char *buf, size_t bl, const long *s, long L)
{
    size_t k = 0;
    for (long l = 0; l <= L && k < bl; l++)
        k += (size_t) snprintf(buf + k, bl - k, l ? "-%ld" : "%ld", s[l]);
}

static int run(proof_job *J)
{
    const proof_ctx *ctx = J->ctx;
    proof_result *res = J->res;
    n4_tally T;
    memset(&T, 0, sizeof T);
    gsl_rng *r = prf_rng(ctx, "N4");
    unsigned long base = (unsigned long) (prf_seed(ctx, "N4") % 100000UL) * 10UL;
    long nsets = ctx->quick ? NQUICK : NSETS, narch = ctx->quick ? 1 : 2,
         nseeds = ctx->quick ? 1 : 5;
    long total = nsets * narch * 2 * nseeds, done = 0;
    int st = AE_OK;
    for (long si = 0; si < nsets && st == AE_OK; si++) {
        const n4_set *P = &SETS[ctx->quick ? QUICK_SETS[si] : si];
        n4_data D;
        if ((st = data_load(&D, ctx, P->name)) != AE_OK) {
            st = proof_fail(J, st, "N4: %s", D.err);
            data_clear(&D);
            break;
        }
        long d = D.d;
        for (long ai = 0; ai < narch && st == AE_OK; ai++) {
            long s[7], L;
            if (ai == 0) {
                long a[5] = {d, P->hs, P->ks, P->hs, d};
                memcpy(s, a, sizeof a);
                L = 4;
            } else {
                long a[7] = {d, P->h1, P->h2, P->kd, P->h2, P->h1, d};
                memcpy(s, a, sizeof a);
                L = 6;
            }
            char an[64];
            arch_name(an, sizeof an, s, L);
            for (int ci = 0; ci < 2 && st == AE_OK; ci++)
                for (long k = 0; k < nseeds && st == AE_OK; k++) {
                    n4_model M = {&D, an, L, s, ci ? NN_LEAKY_RELU : NN_RELU, base + (unsigned long) k,
                                  ai ? P->ep_d : P->ep_s, ai ? P->lr_d : P->lr_s, 0};
                    st = one_model(J, &T, &M, r);
                    char what[128];
                    snprintf(what, sizeof what, "%s %s %s seed %ld", P->name, an,
                             ci ? "leaky" : "relu", k);
                    proof_progress("N4", ++done, total, what);
                }
        }
        if (st == AE_OK && strcmp(P->name, "diagonal") == 0) {
            static const long rs[3] = {2, 2, 2};
            n4_model M = {&D, "2-2-2(N3-reference)", 2, rs, NN_RELU, 0, 0, 0, 1};
            st = one_model(J, &T, &M, r);
        }
        data_clear(&D);
    }
    gsl_rng_free(r);
    if (st != AE_OK)
        return st;

    snprintf(res->method, sizeof res->method,
             "scan_run per model; certificates re-checked exactly (GMP): scores, s_min over "
             "all rows, distances to every row, radius spot checks");
    res->instances = T.models;
    double N = (double) (T.models ? T.models : 1);
    char frac[400];
    snprintf(frac, sizeof frac, "%ld models: FAILS %ld (%.0f%%), SAFE %ld (%.0f%%), UNDECIDED %ld "
             "(%.0f%%); %ld exactly blind; %ld collapsed (loss >= 0.9 x variance); %ld timed out; "
             "far-ray score <= s_min %ld, < s_0.99 %ld, MSE < 0.1 %ld",
             T.models, T.verdicts[0], 100 * T.verdicts[0] / N, T.verdicts[1],
             100 * T.verdicts[1] / N, T.verdicts[2], 100 * T.verdicts[2] / N, T.blind,
             T.collapsed, T.timed_out, T.far_below[0], T.far_below[1], T.far_below[2]);
    if (T.accepted)
        proof_set(res, VERDICT_ERROR, "negative control accepted %ld of %ld times (a training "
                  "row as anomaly, R = 0 or a wrong direction passed its re-check); %s",
                  T.accepted, T.controls, frac);
    else if (T.fails)
        proof_set(res, VERDICT_FALSIFIED, "%ld re-checks failed; first: %s; %s", T.fails,
                  T.first, frac);
    else if (ctx->corrupt)
        proof_set(res, VERDICT_ERROR, "corrupt run without a corrupted instance; %s", frac);
    else
        proof_set(res, VERDICT_VERIFIED, "%s; every certificate re-checked exactly: %ld "
                  "anomalies, %ld radii (%ld spot points), %ld directions; %ld controls "
                  "rejected; positive control (hand-built blind ReLU AE) FAILS as it must",
                  frac, T.anomalies, T.radii, T.spot_points, T.dirs, T.controls);
    return AE_OK;
}

int proof_N4(const proof_ctx *ctx, proof_result *res)
{
    return proof_run(ctx, res, TABLES, 1, run, NULL);
}
