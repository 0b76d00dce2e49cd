/* N6 — smooth asymptotically linear activations (softplus, ELU, GELU, SiLU) inherit the ReLU
 * failure: the network differs from its ReLU twin (same weights) by at most K, so the
 * twin's blind rays are bounded-score rays of the smooth net, and a twin's certified
 * anomaly or radius transfers when the rigorous smooth scores allow it (theory/twin.h).
 *
 * Models.  The 2-D synthetic sets diagonal, two-clusters and ring (synth.h, unscaled) with
 * [2,5,1,5,2], and wine (its normal classes, min-max scaled exactly, then rounded to
 * double: those doubles are the data) with [13,16,4,16,13]; hidden activation softplus,
 * GELU, SiLU or ELU (alpha 1, PyTorch's default), identity output, float32, PyTorch
 * initialisation, Adam (prf_train_ae, the epochs and learning rates of N4's shallow
 * nets), 3 seeds; quick: diagonal and wine, softplus and GELU, one seed.
 *
 * Per model: twin_run (the twin scanned exactly, K, the smooth s_min and every candidate
 * scored by Arb ball arithmetic at 128 bits), then re-checked here independently:
 *   - s_min: every row re-scored by Arb at 256 bits (arbnet_score_q); the two enclosures
 *     must overlap;
 *   - FAILS: the point's raw form re-scored at 256 bits, upper end <= the lower end of the
 *     256-bit s_min; exact squared distance to EVERY scaled row >= far^2 times the exact
 *     squared diameter (n4check_far, GMP);
 *   - SAFE: spot checks at 1.01, 10 and 1000 R along the twin's direction, its opposite
 *     and seeded random directions: the 256-bit score ball must lie above s_min;
 *   - K: ||f - g|| at 20 training rows (twin_diff2) must stay <= K; the largest is
 *     reported as a fraction of K (how loose K is).
 * Negative controls: (a) per activation, f = sigma(x) with one unit (identity output) at
 * the analytic maximiser x = -u*: ||f - g|| = delta > K/2, so a halved K is rejected at a
 * certified point (and K holds there); (b) per model with a FAILS point, the minimising
 * training row claimed as the anomaly must fail the distance test.  With ctx->corrupt the
 * halved K is checked in place of K (it must be caught).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arb.h>
#include <flint/flint.h>

#include "aeerr.h"
#include "arbnet.h"
#include "n4check.h"
#include "nn.h"
#include "pcommon.h"
#include "proof.h"
#include "qmat.h"
#include "qnet.h"
#include "qnum.h"
#include "smooth.h"
#include "synth.h"
#include "twin.h"

#define N6_FAR 10
#define N6_PREC 128
#define N6_PREC_CHECK 256
#define N6_KROWS 20
#define N6_SEEDS 3

static const char *const COLS[] = {
    "dataset", "arch", "act", "seed", "n", "train_loss", "K", "K_observed_over_K",
    "twin_verdict", "twin_s_min", "s_min_ball", "verdict", "point_score_ball",
    "point_from", "point_distance_over_diameter", "point_below", "ray_bound",
    "radius_over_diameter",
    "method", "why", "timed_out", "recheck"};
#define NCOLS 22
static const proof_table TABLES[] = {
    {"N6_smooth", "N6: smooth autoencoders (softplus, GELU, SiLU) through their ReLU twins "
     "(Arb ball arithmetic, prec 128 bits; re-checks at 256 bits)", COLS, NCOLS}};

typedef struct {
    const char *name;
    long h, k, epochs;
    double lr;
} n6_set;

static const n6_set SETS[] = {
    {"diagonal", 5, 1, 2000, 1e-2},
    {"two-clusters", 5, 1, 2000, 1e-2},
    {"ring", 5, 1, 2000, 1e-2},
    {"wine", 16, 4, 500, 3e-3},
};
#define NSETS 4
static const int QUICK_SETS[] = {0, 3};
static const nn_act_t ACTS[] = {NN_SOFTPLUS, NN_GELU, NN_SILU, NN_ELU};
#define NACTS ((long) (sizeof ACTS / sizeof ACTS[0]))

typedef struct {
    long models, twin_v[3], smooth_v[3], rays, fails, controls, accepted;
    long spot, transfer_fails, transfer_safe, refs, far_below[3];
    char first[600];
} n6_tally;

static void note_fail(n6_tally *T, const char *model, const char *why)
{
    T->fails++;
    if (!T->first[0])
        snprintf(T->first, sizeof T->first, "%s: %s", model, why);
}

static const char *VN[3] = {"FAILS", "SAFE-BEYOND", "UNDECIDED"};

/* An Arb ball as text "[m +/- r]" (6 digits) into buf. */
static const char *ball(char *buf, size_t len, const arb_t b)
{
    char *s = arb_get_str(b, 7, 0);
    snprintf(buf, len, "%s", s);
    flint_free(s);
    return buf;
}

/* s = the Arb s_min over every row at prec (independent of twin_run's); q99lo = a rational
 * <= the 0.99 empirical quantile of the training scores (the ceil(0.99 n)-th smallest: at
 * least the same order statistic of the balls' lower ends). */
static int recheck_smin(arb_t s, mpq_t q99lo, const arbnet_t A, const double *X, long n,
                        long d, slong prec)
{
    mpq_t *x = qvec_init(d), *lo = qvec_init(n);
    arb_t e;
    arb_init(e);
    int st = AE_OK;
    for (long i = 0; i < n && st == AE_OK; i++) {
        for (long j = 0; j < d; j++)
            mpq_set_d(x[j], X[i * d + j]);
        st = arbnet_score_q(e, A, (const mpq_t *) x, d, prec);
        if (st == AE_OK && !arb_is_finite(e))
            st = AE_ERANGE;
        if (st != AE_OK)
            break;
        if (i == 0)
            arb_set(s, e);
        else
            arb_min(s, s, e, prec);
        arbnet_bound_q(lo[i], e, 0);
        for (long k = i; k > 0 && mpq_cmp(lo[k], lo[k - 1]) < 0; k--)   /* insertion sort */
            mpq_swap(lo[k], lo[k - 1]);
    }
    long k = (99 * n + 99) / 100 - 1;               /* ceil(0.99 n) - 1 */
    if (st == AE_OK)
        mpq_set(q99lo, lo[k < 0 ? 0 : k]);
    arb_clear(e);
    qvec_clear(lo, n);
    qvec_clear(x, d);
    return st;
}

/* The strongest threshold the far point's score is certified below (CLAIMS.md): s_min
 * (upper end <= the lower end of s_min), s_0.99 (< a lower bound of the quantile), the
 * paper's per-feature MSE 0.1 (< 0.1 d), else "none"; counted in fb[3]. */
static const char *below(long *fb, const twin_t W, const mpq_t q99lo)
{
    if (!W->have_point)
        return "-";
    mpq_t u, m;
    mpq_inits(u, m, NULL);
    arbnet_bound_q(u, W->point_score, 1);
    mpq_set_ui(m, (unsigned long) W->d, 10);
    mpq_canonicalize(m);
    const char *b = "none";
    if (mpq_cmp(u, m) < 0) {
        b = "mse<0.1";
        fb[2]++;
    }
    if (mpq_cmp(u, q99lo) < 0) {
        b = "s_0.99";
        fb[1]++;
    }
    if (W->have_anomaly) {
        b = "s_min";
        fb[0]++;
    }
    mpq_clears(u, m, NULL);
    return b;
}

/* raw = the raw point of the scaled p (the model has no scaling in N6: identity). */
static int spot_safe(long *pts, const twin_t T, const arbnet_t A, const arb_t smin,
                     gsl_rng *r, long ndirs)
{
    long d = T->d;
    mpq_t *u = qvec_init(d), *p = qvec_init(d);
    mpq_t nu, c, f;
    mpq_inits(nu, c, f, NULL);
    arb_t e;
    arb_init(e);
    int ok = 1;
    for (long k = 0; k < ndirs && ok; k++) {
        int have = 0;
        if (k < 2 && T->S->dir && !qvec_is_zero((const mpq_t *) T->S->dir, d)) {
            qvec_set(u, (const mpq_t *) T->S->dir, d);
            for (long j = 0; k == 1 && j < d; j++)
                mpq_neg(u[j], u[j]);
            have = 1;
        }
        while (!have) {
            for (long j = 0; j < d; j++)
                mpq_set_si(u[j], (long) gsl_rng_uniform_int(r, 2001) - 1000, 1);
            have = !qvec_is_zero((const mpq_t *) u, d);
        }
        qvec_norm2(nu, (const mpq_t *) u, d);
        qnum_sqrt_lower(c, nu, 65);
        mpq_div(c, T->R, c);                       /* R / ||u|| (rounded so c ||u|| <= R) */
        static const long fac[3] = {101, 1000, 100000};
        for (int m = 0; m < 3 && ok; m++) {
            mpq_set_ui(f, (unsigned long) fac[m], 100);
            mpq_mul(f, f, c);
            mpq_add(f, f, c);                       /* > factor * R / ||u||, strictly */
            qvec_scale(p, (const mpq_t *) u, f, d);
            if (arbnet_score_q(e, A, (const mpq_t *) p, d, N6_PREC_CHECK) != AE_OK
                || !arb_gt(e, smin))
                ok = 0;
            ++*pts;
        }
    }
    arb_clear(e);
    mpq_clears(nu, c, f, NULL);
    qvec_clear(u, d);
    qvec_clear(p, d);
    return ok;
}

/* The largest Arb upper bound of ||f - g|| over N6_KROWS rows, as a fraction of K;
 * *ok = 0 when some row exceeds K (or K/2 under ctx->corrupt, which must be caught on the
 * control instead). */
static double k_observed(int *ok, const nn_t net, const mpq_t K, const double *X, long n,
                         long d)
{
    mpq_t *x = qvec_init(d);
    mpq_t K2;
    mpq_init(K2);
    mpq_mul(K2, K, K);
    arb_t e, kk, mx;
    arb_init(e); arb_init(kk); arb_init(mx);
    arbnet_set_q(kk, K2, N6_PREC);
    arb_zero(mx);
    *ok = 1;
    for (long k = 0; k < N6_KROWS && k < n; k++) {
        long i = k * n / (n < N6_KROWS ? n : N6_KROWS);
        for (long j = 0; j < d; j++)
            mpq_set_d(x[j], X[i * d + j]);
        if (twin_diff2(e, net, (const mpq_t *) x, d, N6_PREC) != AE_OK) {
            *ok = 0;
            break;
        }
        if (!arb_le(e, kk))
            *ok = 0;
        arb_max(mx, mx, e, N6_PREC);
    }
    double r = sqrt(arf_get_d(arb_midref(mx), ARF_RND_UP)) / mpq_get_d(K);
    arb_clear(e); arb_clear(kk); arb_clear(mx);
    mpq_clear(K2);
    qvec_clear(x, d);
    return r;
}

/* Negative control (a) on f = sigma(x) at x = -u*: returns 1 when the halved K was
 * (wrongly) accepted there, 0 when it was rejected; *held = 1 when K holds there (with
 * corrupt, when K/2 does: it must not). */
static int control_k(nn_act_t a, int corrupt, int *held)
{
    static const double at_sp = 0, at_el = -20, at_ge = -0.75179152469356436, at_si = -1.2784645427610737;
    long s[3] = {1, 1, 1};
    nn_act_t act[2] = {a, NN_IDENTITY};
    nn_t net;
    if (nn_init(net, NN_F64, 2, s, act, NULL, NULL) != AE_OK)
        return 0;
    double p[4] = {1, 0, 1, 0};
    int rejected = 0;
    *held = 0;
    mpq_t K, x;
    mpq_inits(K, x, NULL);
    arb_t d2, kk;
    arb_init(d2);
    arb_init(kk);
    if (nn_set_params(net, p) == AE_OK && smooth_bound(K, net) == AE_OK) {
        mpq_set_d(x, a == NN_SOFTPLUS ? at_sp : a == NN_ELU ? at_el : a == NN_GELU ? at_ge : at_si);
        if (twin_diff2(d2, net, (const mpq_t *) &x, 1, N6_PREC) == AE_OK) {
            mpq_mul(K, K, K);
            arbnet_set_q(kk, K, N6_PREC);
            arb_mul_2exp_si(kk, kk, corrupt ? -2 : 0);   /* corrupt: K/2 as the claim */
            *held = arb_le(d2, kk);
            arbnet_set_q(kk, K, N6_PREC);
            arb_mul_2exp_si(kk, kk, -2);
            rejected = arb_gt(d2, kk);
        }
    }
    arb_clear(d2);
    arb_clear(kk);
    mpq_clears(K, x, NULL);
    nn_clear(net);
    return !rejected;
}

typedef struct {
    const char *set, *arch;
    long L;
    const long *sizes;
    nn_act_t act;
    unsigned long seed;
    long epochs;
    double lr;
    const double *X;
    long n, d;
    int reference;      /* 1: the hand-built blind softplus net below instead of training */
} n6_model;


static int recheck(n6_tally *T, mpq_t q99lo, const proof_ctx *ctx, const n6_model *M,
                   const nn_t net, const twin_t W, gsl_rng *r, const char *model)
{
    int ok = 1;
    long d = M->d;
    arbnet_t A;
    int st = arbnet_init_nn(A, net);
    if (st != AE_OK)
        return 0;
    arb_t s, e;
    arb_init(s);
    arb_init(e);
    if (recheck_smin(s, q99lo, A, M->X, M->n, d, N6_PREC_CHECK) != AE_OK
        || !arb_overlaps(s, W->smin)) {
        ok = 0;
        note_fail(T, model, "the 256-bit s_min does not overlap twin_run's");
    }
    if (W->verdict == SCAN_FAILS) {
        nn_t g;
        qnet_t q;
        n4check_exact_t E;
        n4check_exact_init(E);
        int good = smooth_twin(g, net) == AE_OK;
        if (good && qnet_init_nn(q, g) == AE_OK) {
            long imin;
            good = n4check_exact_set(E, q, M->X, M->n, d, N6_FAR) == AE_OK
                && n4check_far(&imin, E, (const mpq_t *) W->point) == AE_OK
                && arbnet_score_q(e, A, (const mpq_t *) W->point_raw, d, N6_PREC_CHECK) == AE_OK
                && arb_le(e, s);
            T->controls++;                          /* control (b) */
            if (n4check_far(&imin, E, (const mpq_t *) E->xs + E->argmin * d) == AE_OK)
                T->accepted++;
            qnet_clear(q);
        } else {
            good = 0;
        }
        nn_clear(g);
        n4check_exact_clear(E);
        if (!good) {
            ok = 0;
            note_fail(T, model, "the FAILS point failed its 256-bit / exact-distance re-check");
        }
    }
    if (W->verdict == SCAN_SAFE) {
        long pts = 0;
        if (!spot_safe(&pts, W, A, s, r, ctx->quick ? 4 : 8)) {
            ok = 0;
            note_fail(T, model, "a point beyond R was not certified above s_min");
        }
        T->spot += pts;
    }
    arb_clear(s);
    arb_clear(e);
    arbnet_clear(A);
    return ok;
}

static int one_model(proof_job *J, n6_tally *T, const n6_model *M, gsl_rng *r)
{
    const proof_ctx *ctx = J->ctx;
    nn_t net;
    /* the positive control scores 1/32 along (1, 1), below s_min of the diagonal-noisy
     * rows (each scores (x1 - x2)^2 / 2 + 1/32): twin_run must certify FAILS */
    int st = M->reference ? prf_n3_reference_net(net, NN_SOFTPLUS)
                          : prf_train_ae(net, M->X, M->n, M->L, M->sizes, M->act, 0, M->seed,
                                         M->epochs, M->lr, 16);
    if (st != AE_OK)
        return proof_fail(J, st, "N6: training %s %s failed (status %d)", M->set, M->arch, st);
    double loss = NAN;
    nn_loss_grad(&loss, NULL, net, M->X, M->n);
    char model[160];
    snprintf(model, sizeof model, "%s %s %s seed %lu", M->set, M->arch, nn_act_name(M->act),
             M->seed);
    scan_opts o;
    prf_scan_opts(&o, M->seed, ctx->quick ? 16 : 64);
    o.far_ratio = N6_FAR;
    twin_t W;
    twin_init(W);
    st = twin_run(W, net, M->X, M->n, M->d, &o, N6_PREC);
    if (st != AE_OK) {
        twin_clear(W);
        nn_clear(net);
        return proof_fail(J, st, "N6: %s: twin_run failed (status %d) %s", model, st, W->why);
    }
    if (M->reference) {
        T->refs++;
        if (W->verdict != SCAN_FAILS || !W->have_ray)
            note_fail(T, model, "the positive control (an exactly blind softplus net) was not "
                      "certified FAILS with a bounded-score ray");
    } else {
        T->models++;
        T->twin_v[W->S->verdict]++;
        T->smooth_v[W->verdict]++;
        T->rays += W->have_ray;
        T->transfer_fails += W->S->verdict == SCAN_FAILS && W->verdict == SCAN_FAILS;
        T->transfer_safe += W->S->verdict == SCAN_SAFE && W->verdict == SCAN_SAFE;
    }
    mpq_t q99lo;
    mpq_init(q99lo);
    int ok = recheck(T, q99lo, ctx, M, net, W, r, model), kok;
    long scratch[3] = {0, 0, 0};
    const char *fb = below(M->reference ? scratch : T->far_below, W, q99lo);
    mpq_clear(q99lo);
    double kobs = k_observed(&kok, net, W->K, M->X, M->n, M->d);
    if (!kok) {
        ok = 0;
        note_fail(T, model, "||f - g|| exceeded K at a training row");
    }
    char b1[96], b2[96], pd[32] = "-", rb[40] = "-", rr[32] = "-", meth[128];
    snprintf(meth, sizeof meth, "Arb ball arithmetic, prec %d bits%s%s", N6_PREC,
             W->have_R ? "; R = " : "", W->have_R ? W->R_how : "");
    if (W->have_point)
        snprintf(pd, sizeof pd, "%.6g", mpq_get_d(W->point_dist_lb)
                 / sqrt(mpq_get_d(W->S->diam2)));
    if (W->have_ray)
        snprintf(rb, sizeof rb, "%s", prf_q6(W->ray_bound));
    if (W->have_R)
        snprintf(rr, sizeof rr, "%.6g", mpq_get_d(W->R) / sqrt(mpq_get_d(W->S->diam2)));
    proof_row(J, 0, "%s\t%s\t%s\t%lu\t%ld\t%.6e\t%s\t%.3g\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t"
              "%s\t%s\t%s\t%s\t%s", M->set, M->arch, nn_act_name(M->act), M->seed, M->n, loss,
              prf_q6(W->K), kobs, VN[W->S->verdict], prf_q6(W->S->smin),
              ball(b1, sizeof b1, W->smin), VN[W->verdict],
              W->have_point ? ball(b2, sizeof b2, W->point_score) : "-",
              W->have_point ? W->point_from : "-", pd, fb, rb, rr,
              meth,
              W->why[0] ? W->why : "-", W->S->timed_out ? "yes" : "no", ok ? "ok" : "FAILED");
    twin_clear(W);
    nn_clear(net);
    return AE_OK;
}

/* The data of set s: 2-D synthetic (n = SYNTH_N), or wine's scaled rows as doubles. */
static double *load(long *n, long *d, const proof_ctx *ctx, const char *name, char *err,
                    size_t el)
{
    if (strcmp(name, "wine") != 0) {
        *n = SYNTH_N;
        *d = synth_dim(name);
        double *X = ae_malloc((size_t) (*n * *d) * sizeof(double));
        if (X && synth_make(X, NULL, name, *n, prf_seed(ctx, "N6-data")) != AE_OK) {
            free(X);
            X = NULL;
        }
        return X;
    }
    const prf_data_struct *D = prf_data(ctx, name, err, el);
    if (D == NULL)
        return NULL;
    *n = D->X->r;
    *d = D->X->c;
    double *X = ae_malloc((size_t) (*n * *d) * sizeof(double));
    for (long k = 0; X && k < *n * *d; k++)
        X[k] = mpq_get_d(D->X->entries[k]);
    return X;
}

static int run(proof_job *J)
{
    const proof_ctx *ctx = J->ctx;
    proof_result *res = J->res;
    n6_tally T;
    memset(&T, 0, sizeof T);
    /* negative control (a), per activation */
    for (long a = 0; a < NACTS; a++) {
        int held = 0;
        int accepted = control_k(ACTS[a], ctx->corrupt, &held);
        T.controls++;
        T.accepted += accepted;
        if (!held)
            note_fail(&T, nn_act_name(ACTS[a]), "K did not hold on the one-unit control");
    }
    gsl_rng *r = prf_rng(ctx, "N6");
    unsigned long base = (unsigned long) (prf_seed(ctx, "N6") % 100000UL) * 10UL;
    long nsets = ctx->quick ? 2 : NSETS, nacts = ctx->quick ? 2 : NACTS;
    long total = nsets * nacts * (ctx->quick ? 1 : N6_SEEDS), done = 0;
    int st = AE_OK;
    for (long si = 0; si < nsets && st == AE_OK; si++) {
        const n6_set *P = &SETS[ctx->quick ? QUICK_SETS[si] : si];
        long n, d, nseeds = ctx->quick ? 1 : N6_SEEDS;
        char err[600] = "";
        double *X = load(&n, &d, ctx, P->name, err, sizeof err);
        if (X == NULL) {
            st = proof_fail(J, AE_EIO, "N6: %s: %s", P->name, err[0] ? err : "no data");
            break;
        }
        long s[5] = {d, P->h, P->k, P->h, d};
        char arch[64];
        snprintf(arch, sizeof arch, "%ld-%ld-%ld-%ld-%ld", d, P->h, P->k, P->h, d);
        for (long a = 0; a < nacts && st == AE_OK; a++)
            for (long k = 0; k < nseeds && st == AE_OK; k++) {
                n6_model M = {P->name, arch, 4, s, ACTS[a], base + (unsigned long) k,
                              P->epochs, P->lr, X, n, d, 0};
                st = one_model(J, &T, &M, r);
                char what[128];
                snprintf(what, sizeof what, "%s %s seed %ld", P->name,
                         nn_act_name(ACTS[a]), k);
                proof_progress("N6", ++done, total, what);
            }
        free(X);
    }
    if (st == AE_OK) {                             /* the positive control */
        static const long rs[3] = {2, 2, 2};
        double *X = ae_malloc(2 * SYNTH_N * sizeof(double));
        if (X == NULL || synth_make(X, NULL, "diagonal-noisy", SYNTH_N,
                                    prf_seed(ctx, "N6-data")) != AE_OK)
            st = proof_fail(J, AE_ENOMEM, "N6: the control's data");
        n6_model M = {"diagonal-noisy", "2-2-2(N3-softplus-reference)", 2, rs, NN_SOFTPLUS, 0,
                      0, 0, X, SYNTH_N, 2, 1};
        if (st == AE_OK)
            st = one_model(J, &T, &M, r);
        free(X);
    }
    gsl_rng_free(r);
    if (st != AE_OK)
        return st;
    snprintf(res->method, sizeof res->method,
             "ReLU twin scanned exactly (GMP); K from per-unit deltas (Arb-certified) and "
             "layer norms; smooth scores by Arb ball arithmetic, prec 128 bits (re-checks 256)");
    res->instances = T.models;
    char frac[600];
    snprintf(frac, sizeof frac, "%ld models: twin FAILS %ld / SAFE %ld / UNDECIDED %ld; smooth "
             "FAILS %ld / SAFE-BEYOND %ld / UNDECIDED %ld; the twin's FAILS transferred %ld of "
             "%ld, SAFE %ld of %ld; %ld bounded-score rays (twin exactly blind); best far smooth "
             "score certified <= s_min %ld, < s_0.99 %ld, MSE < 0.1 %ld", T.models,
             T.twin_v[0], T.twin_v[1], T.twin_v[2], T.smooth_v[0], T.smooth_v[1], T.smooth_v[2],
             T.transfer_fails, T.twin_v[0], T.transfer_safe, T.twin_v[1], T.rays,
             T.far_below[0], T.far_below[1], T.far_below[2]);
    if (T.accepted)
        proof_set(res, ctx->corrupt ? VERDICT_FALSIFIED : VERDICT_ERROR,
                  "negative control accepted %ld of %ld times (a halved K, or a training row "
                  "as anomaly, passed); %s", T.accepted, T.controls, frac);
    else if (T.fails)
        proof_set(res, VERDICT_FALSIFIED, "%ld re-checks failed; first: %s; %s", T.fails,
                  T.first, frac);
    else if (ctx->corrupt)
        proof_set(res, VERDICT_ERROR, "corrupt run without a corrupted instance; %s", frac);
    else
        proof_set(res, VERDICT_VERIFIED, "%s; every certificate re-checked (Arb 256 bits, "
                  "exact distances, %ld spot points); %ld controls rejected (halved K per "
                  "activation at a certified point, training row as anomaly); positive "
                  "control (blind softplus N3 net) FAILS with a bounded-score ray", frac,
                  T.spot, T.controls);
    return AE_OK;
}

int proof_N6(const proof_ctx *ctx, proof_result *res)
{
    return proof_run(ctx, res, TABLES, 1, run, NULL);
}
