/* test_smooth — CUnit suite for theory/smooth (delta bounds, ReLU twin, the bound K). */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arb.h>
#include <gmp.h>
#include <gsl/gsl_rng.h>

#include "testutil.h"
#include "arbnet.h"
#include "nn.h"
#include "qnet.h"
#include "qnum.h"
#include "smooth.h"

#define PREC 128

static const nn_act_t SMOOTH[4] = {NN_SOFTPLUS, NN_ELU, NN_GELU, NN_SILU};
static const double PARAM[4] = {0, 1, 0, 0};

#define arb_q(y, q) arbnet_set_q(y, q, PREC)

/* The bounds: certified by the branch and bound, the maximiser within 1e-6 below. */
static void test_delta_certified(void)
{
    for (int k = 0; k < 4; k++) {
        mpq_t d;
        mpq_init(d);
        CU_ASSERT_EQUAL(smooth_delta(d, SMOOTH[k], PARAM[k]), AE_OK);
        arb_t lb, dd, gap;
        arb_init(lb); arb_init(dd); arb_init(gap);
        long cells = 0;
        CU_ASSERT_EQUAL(smooth_delta_certify(lb, &cells, SMOOTH[k], PARAM[k], PREC), AE_OK);
        CU_ASSERT(cells >= 1);
        arb_q(dd, d);
        CU_ASSERT(arb_le(lb, dd));                  /* a value of g is below delta */
        arb_sub(gap, dd, lb, PREC);
        arb_t eps;
        arb_init(eps);
        arb_set_d(eps, 1e-6);
        CU_ASSERT(arb_lt(gap, eps));                /* and within 1e-6 of it */
        arb_clear(eps);
        arb_clear(lb); arb_clear(dd); arb_clear(gap);
        mpq_clear(d);
    }
    /* an ELU alpha other than 1 */
    CU_ASSERT_EQUAL(smooth_delta_certify(NULL, NULL, NN_ELU, 0.25, PREC), AE_OK);
}

/* A fine grid of dyadic z in [-40, 40]: |sigma(z) - relu(z)| <= delta, and the Arb
 * difference agrees with nn_act_eval's double value. */
static void test_delta_grid(void)
{
    for (int k = 0; k < 4; k++) {
        mpq_t d;
        mpq_init(d);
        smooth_delta(d, SMOOTH[k], PARAM[k]);
        arb_t z, y, dd, w, v;
        arb_init(z); arb_init(y); arb_init(dd); arb_init(w); arb_init(v);
        arb_q(dd, d);
        long bad = 0, off = 0;
        for (long i = -40 * 256; i <= 40 * 256; i++) {
            double zd = ldexp((double) i, -8);
            arb_set_d(z, zd);
            CU_ASSERT_EQUAL_FATAL(smooth_diff_arb(y, SMOOTH[k], PARAM[k], z, PREC), AE_OK);
            arbnet_act(w, SMOOTH[k], PARAM[k], z, PREC);     /* second method */
            arb_sub(w, w, y, PREC);
            arb_nonnegative_part(v, z);
            off += !arb_overlaps(w, v);
            arb_abs(y, y);
            bad += !arb_le(y, dd);
            double ref = nn_act_eval(SMOOTH[k], PARAM[k], zd) - (zd > 0 ? zd : 0);
            double mid = arf_get_d(arb_midref(y), ARF_RND_NEAR);
            off += fabs(fabs(ref) - mid) > 64 * DBL_EPSILON * (1 + fabs(zd));
        }
        CU_ASSERT_EQUAL(bad, 0);
        CU_ASSERT_EQUAL(off, 0);
        arb_clear(z); arb_clear(y); arb_clear(dd); arb_clear(w); arb_clear(v);
        mpq_clear(d);
    }
}

/* delta 0 for relu, AE_ERANGE for the others; misuse. */
static void test_delta_others(void)
{
    mpq_t d;
    mpq_init(d);
    CU_ASSERT_EQUAL(smooth_delta(d, NN_RELU, 0), AE_OK);
    CU_ASSERT_EQUAL(mpq_sgn(d), 0);
    CU_ASSERT_EQUAL(smooth_delta(d, NN_TANH, 0), AE_ERANGE);
    CU_ASSERT_EQUAL(smooth_delta(d, NN_IDENTITY, 0), AE_ERANGE);
    CU_ASSERT_EQUAL(smooth_delta_certify(NULL, NULL, NN_RELU, 0, PREC), AE_ERANGE);
    arb_t z, y;
    arb_init(z); arb_init(y);
    arb_set_d(z, 0);
    arb_add_error_2exp_si(z, -10);                  /* straddles 0 */
    CU_ASSERT_EQUAL(smooth_diff_arb(y, NN_GELU, 0, z, PREC), AE_ERANGE);
    CU_ASSERT_EQUAL(smooth_diff_arb(y, NN_SOFTPLUS, 0, z, PREC), AE_OK);
    CU_ASSERT_EQUAL(smooth_diff_arb(y, NN_HARDTANH, 0, z, PREC), AE_ERANGE);
    TU_EXPECT_ERROR(smooth_delta(NULL, NN_SOFTPLUS, 0));
    TU_EXPECT_ERROR(smooth_delta(d, (nn_act_t) 99, 0));
    TU_EXPECT_ERROR(smooth_delta(d, NN_ELU, NAN));
    TU_EXPECT_ERROR(smooth_delta(d, NN_ELU, -1));
    TU_EXPECT_ERROR(smooth_diff_arb(NULL, NN_SILU, 0, z, PREC));
    CU_ASSERT(smooth_act_is_smooth(NN_GELU) && !smooth_act_is_smooth(NN_TANH));
    CU_ASSERT(smooth_act_twinnable(NN_HARDTANH) && !smooth_act_twinnable(NN_SIGMOID));
    arb_clear(z); arb_clear(y);
    mpq_clear(d);
}

/* ---- the twin and K ---------------------------------------------------------------- */

/* y = f(x) in Arb (arbnet: the weights exact); 0 when the evaluation failed. */
static int arb_forward(arb_ptr y, const nn_t net, arb_srcptr x)
{
    arbnet_t A;
    int ok = arbnet_init_nn(A, net) == AE_OK;
    if (ok) {
        ok = arbnet_eval(y, A, x, PREC) == AE_OK;
        arbnet_clear(A);
    }
    return ok;
}

/* max over npts random points of ||f(x) - g(x)||^2 (an Arb upper bound), g the twin
 * evaluated exactly. */
static void max_diff2(arb_t mx, const nn_t net, const nn_t twin, gsl_rng *r, long npts,
                      double spread)
{
    long din = net->sizes[0], dout = net->sizes[net->L];
    qnet_t q;
    CU_ASSERT_EQUAL_FATAL(qnet_init_nn(q, twin), AE_OK);
    mpq_t *x = qvec_init(din), *g = qvec_init(dout);
    arb_ptr xa = _arb_vec_init(din), y = _arb_vec_init(dout);
    arb_t s, t;
    arb_init(s); arb_init(t);
    arb_zero(mx);
    for (long k = 0; k < npts; k++) {
        for (long j = 0; j < din; j++) {
            mpq_set_d(x[j], ldexp(rint(ldexp(spread * (2 * gsl_rng_uniform(r) - 1), 20)), -20));
            arb_q(xa + j, x[j]);
        }
        CU_ASSERT_EQUAL_FATAL(qnet_eval(g, dout, NULL, q, x, din), AE_OK);
        if (!arb_forward(y, net, xa))
            continue;
        arb_zero(s);
        for (long i = 0; i < dout; i++) {
            arb_q(t, g[i]);
            arb_sub(t, y + i, t, PREC);
            arb_addmul(s, t, t, PREC);
        }
        arb_max(mx, mx, s, PREC);
    }
    arb_clear(s); arb_clear(t);
    _arb_vec_clear(xa, din);
    _arb_vec_clear(y, dout);
    qvec_clear(x, din);
    qvec_clear(g, dout);
    qnet_clear(q);
}

/* tu_rand_net with ELU alpha 1 and leaky slope 0.2 (tu_rand_net gives ELU alpha 0). */
static void rand_net(nn_t net, gsl_rng *r, int prec, long L, const long *sizes,
                     const nn_act_t *act)
{
    double ap[8];
    for (long l = 0; l < L && l < 8; l++)
        ap[l] = act[l] == NN_ELU ? 1 : act[l] == NN_LEAKY_RELU ? 0.2 : 0;
    CU_ASSERT_EQUAL_FATAL(nn_init(net, prec, L, sizes, act, ap, NULL), AE_OK);
    CU_ASSERT_EQUAL_FATAL(nn_init_params(net, NN_INIT_TORCH, r), AE_OK);
}

static void test_twin(void)
{
    gsl_rng *r = tu_rng();
    long s[5] = {3, 6, 2, 6, 3};
    nn_act_t a[4] = {NN_GELU, NN_LEAKY_RELU, NN_ELU, NN_IDENTITY};
    nn_t net, twin;
    rand_net(net, r, NN_F32, 4, s, a);
    CU_ASSERT_EQUAL_FATAL(smooth_twin(twin, net), AE_OK);
    CU_ASSERT_EQUAL(twin->act[0], NN_RELU);
    CU_ASSERT_EQUAL(twin->act[1], NN_LEAKY_RELU);
    CU_ASSERT_EQUAL(twin->act[2], NN_RELU);
    CU_ASSERT_EQUAL(twin->act[3], NN_IDENTITY);
    CU_ASSERT_EQUAL(twin->act_param[1], net->act_param[1]);
    double *p1 = malloc((size_t) net->nparams * sizeof(double));
    double *p2 = malloc((size_t) net->nparams * sizeof(double));
    nn_get_params(p1, net);
    nn_get_params(p2, twin);
    CU_ASSERT(memcmp(p1, p2, (size_t) net->nparams * sizeof(double)) == 0);
    free(p1);
    free(p2);
    nn_clear(twin);
    nn_clear(net);
    long s2[3] = {2, 2, 2};
    nn_act_t bad[2] = {NN_TANH, NN_IDENTITY};
    rand_net(net, r, NN_F32, 2, s2, bad);
    CU_ASSERT_EQUAL(smooth_twin(twin, net), AE_ERANGE);
    nn_clear(twin);                                 /* clear-safe */
    mpq_t K;
    mpq_init(K);
    CU_ASSERT_EQUAL(smooth_bound(K, net), AE_ERANGE);
    TU_EXPECT_ERROR(smooth_bound(NULL, net));
    TU_EXPECT_ERROR(smooth_bound(K, NULL));
    TU_EXPECT_ERROR(smooth_twin(NULL, net));
    mpq_clear(K);
    nn_clear(net);
    gsl_rng_free(r);
}

/* K is never exceeded at random points (near the data scale and far out), for every
 * smooth activation, shallow and deep, f32 and f64. */
static void test_bound_holds(void)
{
    gsl_rng *r = tu_rng();
    static const long sA[5] = {2, 5, 1, 5, 2}, sB[4] = {4, 8, 8, 4};
    for (int k = 0; k < 4; k++)
        for (int arch = 0; arch < 2; arch++) {
            long L = arch ? 3 : 4;
            const long *s = arch ? sB : sA;
            nn_act_t a[4] = {SMOOTH[k], SMOOTH[k], SMOOTH[k], NN_IDENTITY};
            if (arch)
                a[2] = NN_IDENTITY;
            nn_t net, twin;
            rand_net(net, r, arch ? NN_F64 : NN_F32, L, s, a);
            CU_ASSERT_EQUAL_FATAL(smooth_twin(twin, net), AE_OK);
            mpq_t K;
            mpq_init(K);
            CU_ASSERT_EQUAL_FATAL(smooth_bound(K, net), AE_OK);
            CU_ASSERT(mpq_sgn(K) > 0);
            mpq_mul(K, K, K);
            arb_t mx, kk;
            arb_init(mx); arb_init(kk);
            arb_q(kk, K);
            max_diff2(mx, net, twin, r, 100, 3);
            CU_ASSERT(arb_le(mx, kk));
            max_diff2(mx, net, twin, r, 50, 1000);
            CU_ASSERT(arb_le(mx, kk));
            arb_clear(mx); arb_clear(kk);
            mpq_clear(K);
            nn_clear(twin);
            nn_clear(net);
        }
    gsl_rng_free(r);
}

/* Negative control: f(x) = softplus(x) (one unit, identity output): K = delta_softplus,
 * and at x = 0 the difference is ln 2 > K/2 -- a halved K is rejected at a certified
 * point.  Also K is tight there (ln 2 within 1e-9 of K). */
static void test_bound_halved(void)
{
    long s[3] = {1, 1, 1};
    nn_act_t a[2] = {NN_SOFTPLUS, NN_IDENTITY};
    nn_t net, twin;
    CU_ASSERT_EQUAL_FATAL(nn_init(net, NN_F64, 2, s, a, NULL, NULL), AE_OK);
    double p[4] = {1, 0, 1, 0};
    CU_ASSERT_EQUAL_FATAL(nn_set_params(net, p), AE_OK);
    CU_ASSERT_EQUAL_FATAL(smooth_twin(twin, net), AE_OK);
    mpq_t K, d;
    mpq_inits(K, d, NULL);
    CU_ASSERT_EQUAL_FATAL(smooth_bound(K, net), AE_OK);
    smooth_delta(d, NN_SOFTPLUS, 0);
    CU_ASSERT(mpq_cmp(K, d) >= 0);
    arb_t x, y, kk;
    arb_init(x); arb_init(y); arb_init(kk);
    arb_zero(x);
    CU_ASSERT(arb_forward(y, net, x));
    arb_q(kk, K);
    CU_ASSERT(arb_le(y, kk));                       /* |f(0) - g(0)| = ln 2 <= K */
    arb_mul_2exp_si(kk, kk, -1);
    CU_ASSERT(arb_gt(y, kk));                       /* > K/2: the halved K fails */
    arb_mul_2exp_si(kk, kk, 1);
    arb_sub(kk, kk, y, PREC);
    arb_t eps;
    arb_init(eps);
    arb_set_d(eps, 1e-8);
    CU_ASSERT(arb_lt(kk, eps));
    arb_clear(eps);
    arb_clear(x); arb_clear(y); arb_clear(kk);
    mpq_clears(K, d, NULL);
    nn_clear(twin);
    nn_clear(net);
}

int main(void)
{
    static const tu_test tests[] = {
        {"delta bounds certified, maximiser within 1e-6", test_delta_certified},
        {"delta on a fine grid, against nn_act_eval", test_delta_grid},
        {"delta of the other activations, misuse", test_delta_others},
        {"twin: relu copy, same weights, unsupported acts", test_twin},
        {"K never exceeded at random points", test_bound_holds},
        {"negative control: K/2 rejected at x = 0", test_bound_halved},
        {NULL, NULL}};
    return tu_run("smooth", 6061, tests);
}
