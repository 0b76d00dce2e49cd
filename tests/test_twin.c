/* test_twin — the smooth-net verdict from the ReLU twin (theory/twin.h).
 *
 * Every verdict is re-checked by a second route: a FAILS point is re-scored with Arb
 * (arbnet_score_q on its raw form) against an independent Arb s_min over every row, and
 * its exact squared distance to every scaled row is compared with far^2 times the exact
 * squared diameter; a SAFE radius is spot-checked at points beyond R whose Arb score must
 * lie above s_min.  Positive control: softplus(a) - softplus(-a) = a makes the N3 network
 * with softplus units exactly the diagonal's linear AE, blind along (1, 1): FAILS.
 * A contracting softplus net (Lipschitz < 1) is SAFE.  Trained 2-D softplus / GELU / SiLU
 * nets must come out with a checked verdict.  tanh is refused; misuse is reported.
 */
#include "testutil.h"

#include "arbnet.h"
#include "qmat.h"
#include "qnet.h"
#include "qnum.h"
#include "scan.h"
#include "smooth.h"
#include "synth.h"
#include "twin.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREC 128

static long nfails, nsafe, nundecided;

/* The second-route checks of the top. */
static void check(const twin_t T, const nn_t net, const double *X, long n, long d, long far,
                  gsl_rng *r)
{
    arbnet_t A;
    CU_ASSERT_EQUAL_FATAL(arbnet_init_nn(A, net), AE_OK);
    qnet_t q;
    nn_t g;
    CU_ASSERT_EQUAL_FATAL(smooth_twin(g, net), AE_OK);
    CU_ASSERT_EQUAL_FATAL(qnet_init_nn(q, g), AE_OK);
    mpq_t *raw = qvec_init(d), *xs = qvec_init(n * d), *p = qvec_init(d);
    arb_t smin, e;
    arb_init(smin);
    arb_init(e);
    mpq_t D2, t, nv;
    mpq_inits(D2, t, nv, NULL);
    for (long i = 0; i < n; i++) {
        for (long j = 0; j < d; j++)
            mpq_set_d(raw[j], X[i * d + j]);
        CU_ASSERT_EQUAL_FATAL(arbnet_score_q(e, A, raw, d, PREC), AE_OK);
        if (i == 0)
            arb_set(smin, e);
        else
            arb_min(smin, smin, e, PREC);
        CU_ASSERT_EQUAL_FATAL(qnet_scale_point(xs + i * d, q, raw, d), AE_OK);
    }
    CU_ASSERT(arb_overlaps(smin, T->smin));
    for (long i = 0; i < n; i++)
        for (long j = i + 1; j < n; j++) {
            qvec_dist2(t, xs + i * d, xs + j * d, d);
            if (mpq_cmp(t, D2) > 0)
                mpq_set(D2, t);
        }
    if (T->verdict == SCAN_FAILS) {
        CU_ASSERT_TRUE(T->have_anomaly);
        CU_ASSERT_EQUAL(arbnet_score_q(e, A, T->point_raw, d, PREC), AE_OK);
        CU_ASSERT(arb_le(e, smin));
        CU_ASSERT_EQUAL(qnet_scale_point(p, q, T->point_raw, d), AE_OK);
        CU_ASSERT(qvec_equal(p, T->point, d));
        mpq_set_si(t, far * far, 1);
        mpq_mul(t, t, D2);
        for (long i = 0; i < n; i++) {
            qvec_dist2(nv, T->point, xs + i * d, d);
            CU_ASSERT(mpq_cmp(nv, t) >= 0);
        }
        nfails++;
    } else if (T->verdict == SCAN_SAFE) {
        CU_ASSERT_TRUE(T->have_R);
        long above = 0, tried = 0;
        for (int k = 0; k < 60; k++) {
            for (long j = 0; j < d; j++)
                tu_rand_q(p[j], r, 1000, 1);
            if (qvec_is_zero(p, d))
                continue;
            qvec_norm2(nv, p, d);
            qnum_sqrt_lower(t, nv, 65);
            mpq_div(t, T->R, t);
            mpq_set_d(nv, 1 + pow(10.0, -3.0 + 6.0 * gsl_rng_uniform(r)));
            mpq_mul(t, t, nv);
            if (mpq_sgn(t) == 0)
                mpq_set_ui(t, 1, 1);
            qvec_scale(p, p, t, d);
            scan_unscale_point(raw, q, p, d);     /* p is scaled: its raw form is scored */
            CU_ASSERT_EQUAL(arbnet_score_q(e, A, raw, d, PREC), AE_OK);
            tried++;
            above += arb_gt(e, smin);
            CU_ASSERT(!arb_lt(e, smin));           /* never certified below */
        }
        CU_ASSERT_EQUAL(above, tried);
        nsafe++;
    } else {
        CU_ASSERT(T->why[0] != '\0');
        nundecided++;
    }
    CU_ASSERT(T->method[0] != '\0');
    mpq_clears(D2, t, nv, NULL);
    arb_clear(smin);
    arb_clear(e);
    qvec_clear(raw, d);
    qvec_clear(xs, n * d);
    qvec_clear(p, d);
    qnet_clear(q);
    nn_clear(g);
    arbnet_clear(A);
}

static void opts(scan_opts *o)
{
    scan_opts_default(o);
    o->budget = 5;
    o->ndirs = 32;
}

/* The N3 construction with softplus: f(x) = (z + 1/8)(1, 1) exactly, z = (x1 + x2)/2. */
static void blind_softplus(nn_t net)
{
    long s[3] = {2, 2, 2};
    nn_act_t a[2] = {NN_SOFTPLUS, NN_IDENTITY};
    CU_ASSERT_EQUAL_FATAL(nn_init(net, NN_F32, 2, s, a, NULL, NULL), AE_OK);
    double p[12] = {0.5, 0.5, -0.5, -0.5, 0.125, -0.125, 1, -1, 1, -1, 0, 0};
    CU_ASSERT_EQUAL_FATAL(nn_set_params(net, p), AE_OK);
}

static void test_blind_control(void)
{
    nn_t net;
    blind_softplus(net);
    double X[40];
    for (int i = 0; i < 20; i++) {                 /* near the diagonal, never on it */
        X[2 * i] = i / 16.0;
        X[2 * i + 1] = i / 16.0 + ((i & 1) ? 1.0 : -1.0) / 32;
    }
    scan_opts o;
    opts(&o);
    twin_t T;
    twin_init(T);
    CU_ASSERT_EQUAL_FATAL(twin_run(T, net, X, 20, 2, &o, PREC), AE_OK);
    CU_ASSERT_EQUAL(T->S->verdict, SCAN_FAILS);
    CU_ASSERT_EQUAL(T->verdict, SCAN_FAILS);
    CU_ASSERT_TRUE(T->have_ray);                   /* the twin is exactly blind */
    gsl_rng *r = tu_rng();
    check(T, net, X, 20, 2, o.far_ratio, r);
    /* rerun into the same object: same verdict */
    CU_ASSERT_EQUAL_FATAL(twin_run(T, net, X, 20, 2, &o, PREC), AE_OK);
    CU_ASSERT_EQUAL(T->verdict, SCAN_FAILS);
    gsl_rng_free(r);
    twin_clear(T);
    nn_clear(net);
}

/* The same control behind a min-max scaling x' = (x - lo)/(hi - lo), lo = (-1, 0),
 * hi = (3, 4): raw data, scaled analysis; the raw and scaled points must agree. */
static void test_blind_scaled(void)
{
    nn_t net;
    blind_softplus(net);
    mpq_t lo[2], hi[2];
    for (int j = 0; j < 2; j++) {
        mpq_init(lo[j]);
        mpq_init(hi[j]);
    }
    mpq_set_si(lo[0], -1, 1);
    mpq_set_si(hi[0], 3, 1);
    mpq_set_si(hi[1], 4, 1);
    nn_set_scale(net, (const mpq_t *) lo, (const mpq_t *) hi);
    double X[40];
    for (int i = 0; i < 20; i++) {                 /* scaled rows near the diagonal */
        double a = i / 16.0, b = i / 16.0 + ((i & 1) ? 1.0 : -1.0) / 32;
        X[2 * i] = -1 + 4 * a;
        X[2 * i + 1] = 4 * b;
    }
    scan_opts o;
    opts(&o);
    twin_t T;
    twin_init(T);
    CU_ASSERT_EQUAL_FATAL(twin_run(T, net, X, 20, 2, &o, PREC), AE_OK);
    CU_ASSERT_EQUAL(T->verdict, SCAN_FAILS);
    gsl_rng *r = tu_rng();
    check(T, net, X, 20, 2, o.far_ratio, r);
    gsl_rng_free(r);
    twin_clear(T);
    for (int j = 0; j < 2; j++) {
        mpq_clear(lo[j]);
        mpq_clear(hi[j]);
    }
    nn_clear(net);
}

/* A contracting softplus net in R^3 (weights / 8): Lipschitz < 1, SAFE. */
static void test_contracting_safe(void)
{
    gsl_rng *r = tu_rng();
    long s[3] = {3, 4, 3};
    nn_act_t a[2] = {NN_SOFTPLUS, NN_IDENTITY};
    nn_t net;
    CU_ASSERT_EQUAL_FATAL(nn_init(net, NN_F64, 2, s, a, NULL, NULL), AE_OK);
    CU_ASSERT_EQUAL_FATAL(nn_init_params(net, NN_INIT_TORCH, r), AE_OK);
    double *p = malloc((size_t) net->nparams * sizeof(double));
    nn_get_params(p, net);
    for (long i = 0; i < net->nparams; i++)
        p[i] /= 8;
    CU_ASSERT_EQUAL_FATAL(nn_set_params(net, p), AE_OK);
    free(p);
    double X[3 * 30];
    for (int i = 0; i < 90; i++)
        X[i] = gsl_rng_uniform(r);
    scan_opts o;
    opts(&o);
    twin_t T;
    twin_init(T);
    CU_ASSERT_EQUAL_FATAL(twin_run(T, net, X, 30, 3, &o, PREC), AE_OK);
    CU_ASSERT_EQUAL(T->verdict, SCAN_SAFE);
    check(T, net, X, 30, 3, o.far_ratio, r);
    twin_clear(T);
    nn_clear(net);
    gsl_rng_free(r);
}

/* The 2-D rescan route: f(x) = (x1/2 + softplus(x1 - 10)/2, x2/2), built from softplus
 * pairs (z = softplus(z) - softplus(-z)).  Its twin (x1/2 + relu(x1 - 10)/2, x2/2) is
 * exactly blind along (1, 0) (gamma2_lb = 0) with residual (5, x2/2) there, so far scores
 * >= 25, while the data in [0, 2]^2 score ~ ||x/2||^2: the twin rescanned at the level
 * (K + sqrt(s_min))^2 (~ 1.8) is SAFE, and so is f. */
static void test_rescan_2d(void)
{
    long s[3] = {2, 5, 2};
    nn_act_t a[2] = {NN_SOFTPLUS, NN_IDENTITY};
    nn_t net;
    CU_ASSERT_EQUAL_FATAL(nn_init(net, NN_F64, 2, s, a, NULL, NULL), AE_OK);
    double p[27] = {1, 0, -1, 0, 0, 1, 0, -1, 1, 0,          /* W1: x1, -x1, x2, -x2, x1 */
                    0, 0, 0, 0, -10,                          /* b1 */
                    0.5, -0.5, 0, 0, 0.5, 0, 0, 0.5, -0.5, 0, /* W2 */
                    0, 0};                                    /* b2 */
    CU_ASSERT_EQUAL_FATAL(nn_set_params(net, p), AE_OK);
    double X[2 * 25];
    for (int i = 0; i < 25; i++) {
        X[2 * i] = (i % 5) / 2.0;
        X[2 * i + 1] = (i / 5) / 2.0;
    }
    scan_opts o;
    opts(&o);
    twin_t T;
    twin_init(T);
    CU_ASSERT_EQUAL_FATAL(twin_run(T, net, X, 25, 2, &o, PREC), AE_OK);
    CU_ASSERT_TRUE(T->S->blind);
    CU_ASSERT_EQUAL(mpq_sgn(T->S->gamma2_lb), 0);
    CU_ASSERT_TRUE(T->have_ray);                    /* e_f <= (5 + K)^2 along (t, 0) */
    CU_ASSERT_EQUAL(T->verdict, SCAN_SAFE);
    if (T->verdict != SCAN_SAFE)
        printf("\n  rescan: %s (twin %d: %s; level %g)\n", T->why, T->S->verdict, T->S->why,
               mpq_get_d(T->level));
    CU_ASSERT_PTR_NOT_NULL(strstr(T->R_how, "2-D twin scan at level"));
    gsl_rng *r = tu_rng();
    check(T, net, X, 25, 2, o.far_ratio, r);
    gsl_rng_free(r);
    twin_clear(T);
    nn_clear(net);
}

/* Trained 2-D nets: softplus, GELU, SiLU, ELU on two synthetic sets; every verdict checked. */
static void test_trained_2d(void)
{
    static const nn_act_t acts[4] = {NN_SOFTPLUS, NN_GELU, NN_SILU, NN_ELU};
    static const char *sets[2] = {"diagonal", "two-clusters"};
    gsl_rng *r = tu_rng();
    double X[2 * SYNTH_N];
    long s[5] = {2, 6, 1, 6, 2};
    for (int k = 0; k < 4; k++)
        for (int si = 0; si < 2; si++) {
            long n = SYNTH_N;
            CU_ASSERT_EQUAL_FATAL(synth_make(X, NULL, sets[si], n, tu_seed() + (unsigned long) k),
                                  AE_OK);
            nn_act_t a[4] = {acts[k], acts[k], acts[k], NN_IDENTITY};
            double ap[4] = {1, 1, 1, 0};
            nn_t net;
            CU_ASSERT_EQUAL_FATAL(nn_init(net, NN_F32, 4, s, a, ap, NULL), AE_OK);
            CU_ASSERT_EQUAL_FATAL(nn_init_params(net, NN_INIT_TORCH, r), AE_OK);
            tu_train(net, X, n, 0.01, 20, 40);
            scan_opts o;
            opts(&o);
            twin_t T;
            twin_init(T);
            CU_ASSERT_EQUAL_FATAL(twin_run(T, net, X, n, 2, &o, PREC), AE_OK);
            check(T, net, X, n, 2, o.far_ratio, r);
            twin_clear(T);
            nn_clear(net);
        }
    printf("\n  twin verdicts: %ld FAILS, %ld SAFE, %ld UNDECIDED\n", nfails, nsafe, nundecided);
    gsl_rng_free(r);
}

/* twin_diff2: the negative control of K on a constructed instance, for each activation:
 * f = sigma(x) (one unit, identity output) differs from relu by g(u*) at x = -u*, which
 * exceeds K/2 (and stays below K). */
static void test_halved_k(void)
{
    static const nn_act_t acts[4] = {NN_SOFTPLUS, NN_GELU, NN_SILU, NN_ELU};
    static const double at[4] = {0, -0.75179152469356436, -1.2784645427610737, -40};
    for (int k = 0; k < 4; k++) {
        long s[3] = {1, 1, 1};
        nn_act_t a[2] = {acts[k], NN_IDENTITY};
        double ap[2] = {1, 0};
        nn_t net;
        CU_ASSERT_EQUAL_FATAL(nn_init(net, NN_F64, 2, s, a, ap, NULL), AE_OK);
        double p[4] = {1, 0, 1, 0};
        CU_ASSERT_EQUAL_FATAL(nn_set_params(net, p), AE_OK);
        mpq_t K, x;
        mpq_inits(K, x, NULL);
        CU_ASSERT_EQUAL_FATAL(smooth_bound(K, net), AE_OK);
        mpq_set_d(x, at[k]);
        arb_t d2, kk;
        arb_init(d2);
        arb_init(kk);
        CU_ASSERT_EQUAL_FATAL(twin_diff2(d2, net, &x, 1, PREC), AE_OK);
        mpq_mul(K, K, K);
        arbnet_set_q(kk, K, PREC);
        CU_ASSERT(arb_le(d2, kk));                 /* K holds */
        arb_mul_2exp_si(kk, kk, -2);               /* (K/2)^2 */
        CU_ASSERT(arb_gt(d2, kk));                 /* K/2 is rejected */
        arb_clear(d2);
        arb_clear(kk);
        mpq_clears(K, x, NULL);
        nn_clear(net);
    }
}

static void test_bad_input(void)
{
    long s[3] = {2, 2, 2};
    nn_act_t a[2] = {NN_TANH, NN_IDENTITY};
    nn_t net;
    CU_ASSERT_EQUAL_FATAL(nn_init(net, NN_F32, 2, s, a, NULL, NULL), AE_OK);
    double X[4] = {0, 0, 1, 1};
    scan_opts o;
    opts(&o);
    twin_t T;
    twin_init(T);
    CU_ASSERT_EQUAL(twin_run(T, net, X, 2, 2, &o, PREC), AE_ERANGE);
    CU_ASSERT(T->why[0] != '\0');
    nn_clear(net);
    blind_softplus(net);
    TU_EXPECT_ERROR(twin_run(NULL, net, X, 2, 2, &o, PREC));
    TU_EXPECT_ERROR(twin_run(T, NULL, X, 2, 2, &o, PREC));
    TU_EXPECT_ERROR(twin_run(T, net, NULL, 2, 2, &o, PREC));
    TU_EXPECT_ERROR(twin_run(T, net, X, 0, 2, &o, PREC));
    TU_EXPECT_ERROR(twin_run(T, net, X, 2, 3, &o, PREC));
    TU_EXPECT_ERROR(twin_run(T, net, X, 2, 2, &o, 1));
    mpq_t lv;
    mpq_init(lv);
    o.level = lv;
    TU_EXPECT_ERROR(twin_run(T, net, X, 2, 2, &o, PREC));
    mpq_clear(lv);
    mpq_t x[2];
    mpq_init(x[0]);
    mpq_init(x[1]);
    arb_t d2;
    arb_init(d2);
    TU_EXPECT_ERROR(twin_diff2(d2, net, x, 1, PREC));
    TU_EXPECT_ERROR(twin_diff2(NULL, net, x, 2, PREC));
    arb_clear(d2);
    mpq_clear(x[0]);
    mpq_clear(x[1]);
    twin_clear(T);
    nn_clear(net);
}

int main(void)
{
    static const tu_test tests[] = {
        {"positive control: softplus N3 net is blind, FAILS", test_blind_control},
        {"the control behind a min-max scaling", test_blind_scaled},
        {"contracting softplus net: SAFE, spot-checked", test_contracting_safe},
        {"2-D rescan at the level: blind twin, SAFE smooth net", test_rescan_2d},
        {"trained 2-D smooth nets: verdicts re-checked", test_trained_2d},
        {"negative control: K/2 rejected per activation", test_halved_k},
        {"bad input", test_bad_input},
        {NULL, NULL}};
    return tu_run("twin", 9606, tests);
}
