/* test_scan — the verdict engine (theory/scan.h).
 *
 * Every verdict is re-checked here by a second route:
 *   FAILS: the anomaly's exact score (qnet_score) equals the reported one and is <= s_min
 *     (itself recomputed as the exact minimum over every row), its exact squared distance
 *     to EVERY scaled row is >= far_ratio^2 times the exact squared diameter (every pair),
 *     and the raw point maps to the scaled one under the model's scaling;
 *   SAFE: many exact rational points with ||x|| > R (just beyond R and far beyond) all
 *     score above s_min.
 * 2-D trained and random networks must never be UNDECIDED (the sector analysis is
 * complete).  Identities: f = x fails, f = x/2 + b and f = const are SAFE (negative and
 * positive controls), tanh gives AE_ERANGE, misuse is reported.
 * Seeds: AEAUDIT_SEED overrides (printed on failure by tu_run).
 */
#include "testutil.h"

#include "farfield.h"
#include "qmat.h"
#include "qnet.h"
#include "qnum.h"
#include "scan.h"
#include "synth.h"
#include "tset.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The exact scaled rows, the exact s_min and the exact squared diameter. */
static void exact_facts(mpq_t *xs, mpq_t smin, mpq_t D2, const qnet_t f, const double *X,
                        long n, long d)
{
    mpq_t e;
    mpq_init(e);
    for (long i = 0; i < n; i++) {
        CU_ASSERT_EQUAL_FATAL(tset_row(xs + i * d, f, X, n, d, i), AE_OK);
        CU_ASSERT_EQUAL_FATAL(qnet_score(e, f, xs + i * d, d), AE_OK);
        if (i == 0 || mpq_cmp(e, smin) < 0)
            mpq_set(smin, e);
    }
    mpq_set_ui(D2, 0, 1);
    for (long i = 0; i < n; i++)
        for (long j = i + 1; j < n; j++) {
            qvec_dist2(e, xs + i * d, xs + j * d, d);
            if (mpq_cmp(e, D2) > 0)
                mpq_set(D2, e);
        }
    mpq_clear(e);
}

static long nchecked_safe, nchecked_fails;

/* The second-route checks of the top. */
static void check_verdict(const scan_t S, const nn_t net, const double *X, long n, long d,
                          long far_ratio, gsl_rng *r)
{
    qnet_t f;
    CU_ASSERT_EQUAL_FATAL(qnet_init_nn(f, net), AE_OK);
    mpq_t *xs = qvec_init(n * d), *p = qvec_init(d);
    mpq_t smin, D2, e, t, nv;
    mpq_inits(smin, D2, e, t, nv, NULL);
    exact_facts(xs, smin, D2, f, X, n, d);
    CU_ASSERT(mpq_equal(smin, S->smin));
    CU_ASSERT(mpq_cmp(S->diam2, D2) >= 0);
    if (S->verdict == SCAN_FAILS) {
        CU_ASSERT_TRUE(S->have_anomaly);
        CU_ASSERT_EQUAL(qnet_score(e, f, S->anomaly, d), AE_OK);
        CU_ASSERT(mpq_equal(e, S->anomaly_score));
        CU_ASSERT(mpq_cmp(e, smin) <= 0);
        mpq_set_si(t, far_ratio * far_ratio, 1);
        mpq_mul(t, t, D2);
        for (long i = 0; i < n; i++) {
            qvec_dist2(e, S->anomaly, xs + i * d, d);
            CU_ASSERT(mpq_cmp(e, t) >= 0);
            mpq_mul(nv, S->anomaly_dist_lb, S->anomaly_dist_lb);
            CU_ASSERT(mpq_cmp(e, nv) >= 0);
        }
        CU_ASSERT_EQUAL(qnet_scale_point(p, f, S->anomaly_raw, d), AE_OK);
        CU_ASSERT(qvec_equal(p, S->anomaly, d));
        nchecked_fails++;
    }
    if (S->verdict == SCAN_SAFE) {
        CU_ASSERT_TRUE(S->have_R);
        CU_ASSERT(mpq_sgn(S->R) >= 0);
        for (int k = 0; k < 300; k++) {
            /* a rational direction, scaled to norm > R (1 + u) with u from 1e-6 to 1e6 */
            for (long j = 0; j < d; j++)
                tu_rand_q(p[j], r, 1000, 1);
            if (qvec_is_zero(p, d))
                continue;
            qvec_norm2(nv, p, d);
            qnum_sqrt_lower(t, nv, 64 + 1);
            mpq_div(t, S->R, t);
            double u = pow(10.0, -6.0 + 12.0 * gsl_rng_uniform(r));
            mpq_set_d(e, 1 + u);
            mpq_mul(t, t, e);
            if (mpq_sgn(t) == 0)
                mpq_set_ui(t, 1, 1);
            qvec_scale(p, p, t, d);
            CU_ASSERT_EQUAL(qnet_score(e, f, p, d), AE_OK);
            if (mpq_cmp(e, smin) <= 0) {
                printf("\n  SAFE violated: point with score %g <= s_min %g beyond R %g\n",
                       mpq_get_d(e), mpq_get_d(smin), mpq_get_d(S->R));
                CU_FAIL("a point beyond R scores <= s_min");
                break;
            }
        }
        nchecked_safe++;
    }
    mpq_clears(smin, D2, e, t, nv, NULL);
    qvec_clear(xs, n * d);
    qvec_clear(p, d);
    qnet_clear(f);
}

static int run_scan(scan_t S, const nn_t net, const double *X, long n, long d)
{
    scan_opts o;
    scan_opts_default(&o);
    o.budget = 10;
    o.ndirs = 32;
    return scan_run(S, net, X, n, d, &o);
}

static const char *vname(int v)
{
    return v == SCAN_FAILS ? "FAILS" : v == SCAN_SAFE ? "SAFE" : "UNDECIDED";
}

/* 2-D trained ReLU autoencoders on the synthetic sets: SAFE or FAILS, checked. */
static void test_trained_2d(void)
{
    static const char *sets[] = { "diagonal", "two-clusters", "ring" };
    static const long sizes[] = { 2, 6, 1, 6, 2 };
    nn_act_t act[4] = { NN_RELU, NN_RELU, NN_RELU, NN_IDENTITY };
    gsl_rng *r = tu_rng();
    double X[2 * SYNTH_N];
    long counts[3] = { 0, 0, 0 };
    for (int s = 0; s < 3; s++)
        for (int k = 0; k < 2; k++) {
            CU_ASSERT_EQUAL_FATAL(synth_make(X, NULL, sets[s], SYNTH_N, 7 + k), AE_OK);
            nn_t net;
            act[0] = act[2] = k == 0 ? NN_RELU : NN_LEAKY_RELU;
            tu_rand_net(net, r, NN_F32, 4, sizes, act, 1);
            tu_train(net, X, SYNTH_N, 0.01, 20, 40);
            scan_t S;
            scan_init(S);
            CU_ASSERT_EQUAL_FATAL(run_scan(S, net, X, SYNTH_N, 2), AE_OK);
            if (S->verdict == SCAN_UNDECIDED)
                printf("\n  %s seed %d: UNDECIDED: %s\n", sets[s], k, S->why);
            CU_ASSERT_NOT_EQUAL(S->verdict, SCAN_UNDECIDED);
            CU_ASSERT_TRUE(S->complete);
            counts[S->verdict]++;
            check_verdict(S, net, X, SYNTH_N, 2, 10, r);
            scan_clear(S);
            nn_clear(net);
        }
    printf("\n  trained 2-D: %ld FAILS, %ld SAFE, %ld UNDECIDED ", counts[0], counts[1],
           counts[2]);
    gsl_rng_free(r);
}

/* Random (untrained) 2-D networks, with and without biases, deeper ones included. */
static void test_random_2d(void)
{
    static const long s1[] = { 2, 8, 2 }, s2[] = { 2, 7, 3, 7, 2 };
    nn_act_t a1[2] = { NN_RELU, NN_IDENTITY };
    nn_act_t a2[4] = { NN_RELU, NN_LEAKY_RELU, NN_RELU, NN_IDENTITY };
    gsl_rng *r = tu_rng();
    double X[2 * SYNTH_N];
    CU_ASSERT_EQUAL_FATAL(synth_make(X, NULL, "diagonal-noisy", SYNTH_N, 3), AE_OK);
    for (int k = 0; k < 8; k++) {
        nn_t net;
        if (k % 2 == 0)
            tu_rand_net(net, r, NN_F64, 2, s1, a1, k % 4 == 0);
        else
            tu_rand_net(net, r, NN_F32, 4, s2, a2, 1);
        scan_t S;
        scan_init(S);
        CU_ASSERT_EQUAL_FATAL(run_scan(S, net, X, SYNTH_N, 2), AE_OK);
        if (S->verdict == SCAN_UNDECIDED)
            printf("\n  random net %d: UNDECIDED: %s\n", k, S->why);
        CU_ASSERT_NOT_EQUAL(S->verdict, SCAN_UNDECIDED);
        check_verdict(S, net, X, SYNTH_N, 2, 10, r);
        scan_clear(S);
        nn_clear(net);
    }
    gsl_rng_free(r);
}

/* A one-layer linear network f(x) = c x + b with exact parameters. */
static void linear_net(nn_t net, long d, double c, double b)
{
    long sizes[2] = { d, d };
    nn_act_t act[1] = { NN_IDENTITY };
    CU_ASSERT_EQUAL_FATAL(nn_init(net, NN_F64, 1, sizes, act, NULL, NULL), AE_OK);
    double *p = calloc((size_t) net->nparams, sizeof(double));
    for (long i = 0; i < d; i++) {
        p[net->woff[0] + i * d + i] = c;
        p[net->boff[0] + i] = b;
    }
    CU_ASSERT_EQUAL_FATAL(nn_set_params(net, p), AE_OK);
    free(p);
}

/* Controls: f = x is blind everywhere (FAILS, in 2-D and 3-D); f = x/2 + 1/4 is a
 * contraction (SAFE by the Lipschitz route in 3-D, by the sectors in 2-D); f = 0 x + 1/2
 * is constant (SAFE). */
static void test_controls(void)
{
    gsl_rng *r = tu_rng();
    double X2[2 * SYNTH_N], X3[3 * SYNTH_N];
    CU_ASSERT_EQUAL_FATAL(synth_make(X2, NULL, "diagonal", SYNTH_N, 1), AE_OK);
    CU_ASSERT_EQUAL_FATAL(synth_make(X3, NULL, "plane3d", SYNTH_N, 1), AE_OK);
    struct { long d; double c, b; int want; } cases[] = {
        { 2, 1.0, 0.0, SCAN_FAILS }, { 3, 1.0, 0.0, SCAN_FAILS },
        { 2, 0.5, 0.25, SCAN_SAFE }, { 3, 0.5, 0.25, SCAN_SAFE },
        { 2, 0.0, 0.5, SCAN_SAFE }, { 3, 0.0, 0.5, SCAN_SAFE },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        nn_t net;
        long d = cases[k].d;
        linear_net(net, d, cases[k].c, cases[k].b);
        scan_t S;
        scan_init(S);
        CU_ASSERT_EQUAL_FATAL(run_scan(S, net, d == 2 ? X2 : X3, SYNTH_N, d), AE_OK);
        if (S->verdict != cases[k].want)
            printf("\n  control %zu (d %ld, f = %g x + %g): %s, want %s (%s)\n", k, d,
                   cases[k].c, cases[k].b, vname(S->verdict), vname(cases[k].want), S->why);
        CU_ASSERT_EQUAL(S->verdict, cases[k].want);
        if (cases[k].want == SCAN_FAILS) {
            CU_ASSERT_TRUE(S->blind);
            CU_ASSERT_EQUAL(mpq_sgn(S->gamma2_ub), 0);
            CU_ASSERT(scan_anomaly_ratio(S) >= 10);
        } else {
            CU_ASSERT(mpq_sgn(S->gamma2_lb) > 0);
            CU_ASSERT(isfinite(scan_radius_ratio(S)));
        }
        check_verdict(S, net, d == 2 ? X2 : X3, SYNTH_N, d, 10, r);
        scan_clear(S);
        nn_clear(net);
    }
    gsl_rng_free(r);
}

/* f(x) = relu(x) in 2-D (W = I, no bias, two layers): the open quadrant x > 0 is a blind
 * sector holding the data, so far2d's strip analysis must find a far point of score 0. */
static void test_relu_blind_sector(void)
{
    static const long sizes[] = { 2, 2, 2 };
    nn_act_t act[2] = { NN_RELU, NN_IDENTITY };
    nn_t net;
    CU_ASSERT_EQUAL_FATAL(nn_init(net, NN_F64, 2, sizes, act, NULL, NULL), AE_OK);
    double *p = calloc((size_t) net->nparams, sizeof(double));
    for (long l = 0; l < 2; l++)
        for (long i = 0; i < 2; i++)
            p[net->woff[l] + 3 * i] = 1;
    CU_ASSERT_EQUAL_FATAL(nn_set_params(net, p), AE_OK);
    free(p);
    double X[2 * SYNTH_N];
    CU_ASSERT_EQUAL_FATAL(synth_make(X, NULL, "diagonal", SYNTH_N, 2), AE_OK);
    scan_t S;
    scan_init(S);
    CU_ASSERT_EQUAL_FATAL(run_scan(S, net, X, SYNTH_N, 2), AE_OK);
    CU_ASSERT_EQUAL(S->verdict, SCAN_FAILS);
    CU_ASSERT_TRUE(S->blind);
    CU_ASSERT_TRUE(S->complete);
    CU_ASSERT(S->nfixed >= 1);
    CU_ASSERT_EQUAL(mpq_sgn(S->anomaly_score), 0);
    gsl_rng *r = tu_rng();
    check_verdict(S, net, X, SYNTH_N, 2, 10, r);
    gsl_rng_free(r);
    scan_clear(S);
    nn_clear(net);
}

/* 3-D trained networks (float search, exact rates, cone tests): any verdict, checked;
 * the same options give the same result. */
static void test_trained_3d(void)
{
    static const long sizes[] = { 3, 8, 2, 8, 3 };
    nn_act_t act[4] = { NN_RELU, NN_RELU, NN_RELU, NN_IDENTITY };
    gsl_rng *r = tu_rng();
    double X[3 * SYNTH_N];
    CU_ASSERT_EQUAL_FATAL(synth_make(X, NULL, "plane3d", SYNTH_N, 5), AE_OK);
    for (int k = 0; k < 2; k++) {
        nn_t net;
        tu_rand_net(net, r, NN_F32, 4, sizes, act, 1);
        tu_train(net, X, SYNTH_N, 0.01, 20, 30);
        scan_t S, S2;
        scan_init(S);
        scan_init(S2);
        CU_ASSERT_EQUAL_FATAL(run_scan(S, net, X, SYNTH_N, 3), AE_OK);
        CU_ASSERT_EQUAL_FATAL(run_scan(S2, net, X, SYNTH_N, 3), AE_OK);
        printf("\n  3-D net %d: %s gamma2_ub %.3g gamma2_lb %.3g cones %ld fixed %ld %s", k,
               vname(S->verdict), mpq_get_d(S->gamma2_ub), mpq_get_d(S->gamma2_lb),
               S->ncones, S->nfixed, S->why);
        CU_ASSERT(mpq_sgn(S->gamma2_ub) >= 0);
        CU_ASSERT(S->ndirections > 0);
        if (!S->timed_out && !S2->timed_out) {
            CU_ASSERT_EQUAL(S->verdict, S2->verdict);
            CU_ASSERT(mpq_equal(S->gamma2_ub, S2->gamma2_ub));
            CU_ASSERT(qvec_equal(S->dir, S2->dir, 3));
        }
        check_verdict(S, net, X, SYNTH_N, 3, 10, r);
        scan_clear(S);
        scan_clear(S2);
        nn_clear(net);
    }
    gsl_rng_free(r);
}

/* 3-D f(x) = Q x + b with Q the rotation by 90 degrees in the x-y plane and z -> -z:
 * ||f0|| = 1, so the Lipschitz route gives nothing, but gamma2 = 2 exactly; the branch
 * and bound (gammabb) must certify SAFE (re-checked), with gamma2_lb in (1/2, 2]. */
static void test_rotation_3d(void)
{
    long sizes[2] = { 3, 3 };
    nn_act_t act[1] = { NN_IDENTITY };
    nn_t net;
    CU_ASSERT_EQUAL_FATAL(nn_init(net, NN_F64, 1, sizes, act, NULL, NULL), AE_OK);
    double *p = calloc((size_t) net->nparams, sizeof(double));
    p[net->woff[0] + 1] = -1;          /* row 0: -y */
    p[net->woff[0] + 3] = 1;           /* row 1:  x */
    p[net->woff[0] + 8] = -1;          /* row 2: -z */
    for (long i = 0; i < 3; i++)
        p[net->boff[0] + i] = 0.25;
    CU_ASSERT_EQUAL_FATAL(nn_set_params(net, p), AE_OK);
    free(p);
    double X[3 * SYNTH_N];
    CU_ASSERT_EQUAL_FATAL(synth_make(X, NULL, "plane3d", SYNTH_N, 3), AE_OK);
    scan_t S;
    scan_init(S);
    CU_ASSERT_EQUAL_FATAL(run_scan(S, net, X, SYNTH_N, 3), AE_OK);
    CU_ASSERT_EQUAL(S->verdict, SCAN_SAFE);
    CU_ASSERT(S->nboxes > 0);
    CU_ASSERT(strstr(S->method, "gammabb") != NULL);
    mpq_t h;
    mpq_init(h);
    mpq_set_ui(h, 1, 2);
    CU_ASSERT(mpq_cmp(S->gamma2_lb, h) > 0);
    mpq_set_ui(h, 2, 1);
    CU_ASSERT(mpq_cmp(S->gamma2_lb, h) <= 0);
    mpq_clear(h);
    gsl_rng *r = tu_rng();
    check_verdict(S, net, X, SYNTH_N, 3, 10, r);
    gsl_rng_free(r);
    scan_clear(S);
    nn_clear(net);
}

/* Smooth activations are refused with a reason naming them; misuse is reported. */
static void test_unsupported_and_misuse(void)
{
    static const long sizes[] = { 2, 4, 2 };
    nn_act_t act[2] = { NN_TANH, NN_IDENTITY };
    gsl_rng *r = tu_rng();
    double X[2 * SYNTH_N];
    CU_ASSERT_EQUAL_FATAL(synth_make(X, NULL, "diagonal", SYNTH_N, 1), AE_OK);
    nn_t net;
    tu_rand_net(net, r, NN_F32, 2, sizes, act, 1);
    scan_t S;
    scan_init(S);
    CU_ASSERT_EQUAL(run_scan(S, net, X, SYNTH_N, 2), AE_ERANGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(S->why, "activation tanh is not supported yet"));
    nn_clear(net);

    scan_opts o;
    scan_opts_default(&o);
    CU_ASSERT_EQUAL(o.far_ratio, 10);
    CU_ASSERT_EQUAL(o.budget, 60);
    static const long s3[] = { 2, 4, 3 };
    nn_act_t a3[2] = { NN_RELU, NN_IDENTITY };
    tu_rand_net(net, r, NN_F32, 2, s3, a3, 1);   /* din != dout */
    TU_EXPECT_ERROR(scan_run(S, net, X, SYNTH_N, 2, &o));
    nn_clear(net);
    a3[0] = NN_RELU;
    static const long s2[] = { 2, 4, 2 };
    tu_rand_net(net, r, NN_F32, 2, s2, a3, 1);
    TU_EXPECT_ERROR(scan_run(S, net, X, SYNTH_N, 3, &o));   /* d != din */
    TU_EXPECT_ERROR(scan_run(S, net, X, 0, 2, &o));         /* n < 1 */
    TU_EXPECT_ERROR(scan_run(S, net, NULL, SYNTH_N, 2, &o));
    TU_EXPECT_ERROR(scan_run(S, net, X, SYNTH_N, 2, NULL));
    /* a single row: diameter 0, still a verdict */
    CU_ASSERT_EQUAL(run_scan(S, net, X, 1, 2), AE_OK);
    CU_ASSERT_EQUAL(S->n, 1);
    CU_ASSERT_NOT_EQUAL(S->verdict, SCAN_UNDECIDED);
    scan_clear(S);
    nn_clear(net);
    gsl_rng_free(r);
}

/* scan_opts.level: the zero network (relu, zero weights) scores ||x||^2; at its own s_min
 * it is SAFE, at a level above every far score it FAILS, and S->smin is the level. */
static void test_level(void)
{
    static const long sizes[] = { 2, 3, 2 };
    nn_act_t act[2] = { NN_RELU, NN_IDENTITY };
    nn_t net;
    CU_ASSERT_EQUAL_FATAL(nn_init(net, NN_F64, 2, sizes, act, NULL, NULL), AE_OK);
    double X[2 * SYNTH_N];
    CU_ASSERT_EQUAL_FATAL(synth_make(X, NULL, "diagonal", SYNTH_N, 2), AE_OK);
    scan_opts o;
    scan_opts_default(&o);
    o.budget = 5;
    CU_ASSERT_PTR_NULL(o.level);
    scan_t S;
    scan_init(S);
    CU_ASSERT_EQUAL_FATAL(scan_run(S, net, X, SYNTH_N, 2, &o), AE_OK);
    CU_ASSERT_EQUAL(S->verdict, SCAN_SAFE);
    mpq_t lv;
    mpq_init(lv);
    mpq_set_ui(lv, 1000000, 1);
    o.level = lv;
    CU_ASSERT_EQUAL_FATAL(scan_run(S, net, X, SYNTH_N, 2, &o), AE_OK);
    CU_ASSERT(mpq_equal(S->smin, lv));
    CU_ASSERT_EQUAL(S->verdict, SCAN_FAILS);
    CU_ASSERT(mpq_cmp(S->anomaly_score, lv) <= 0);
    mpq_set_si(lv, -1, 1);
    TU_EXPECT_ERROR(scan_run(S, net, X, SYNTH_N, 2, &o));
    mpq_clear(lv);
    scan_clear(S);
    nn_clear(net);
}

int main(void)
{
    static const tu_test T[] = {
        { "scan_opts.level replaces s_min", test_level },
        { "controls: f = x fails, contractions and constants are safe", test_controls },
        { "f = relu(x): a blind sector, FAILS through the strips", test_relu_blind_sector },
        { "trained 2-D nets: SAFE or FAILS, re-checked", test_trained_2d },
        { "random 2-D nets: never UNDECIDED, re-checked", test_random_2d },
        { "trained 3-D nets: re-checked, deterministic", test_trained_3d },
        { "3-D rotation: SAFE by the branch-and-bound gamma", test_rotation_3d },
        { "unsupported activations and misuse", test_unsupported_and_misuse },
        { NULL, NULL }
    };
    int rc = tu_run("scan", 8UL, T);
    printf("scan: %ld SAFE and %ld FAILS verdicts re-checked\n", nchecked_safe, nchecked_fails);
    return rc;
}
