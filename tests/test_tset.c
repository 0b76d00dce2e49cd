/* test_tset — CUnit suite for theory/tset (exact s_min, centre, radius, diameter, distance
 * lower bound of a training set).  Every rigorous quantity is checked against a brute
 * force in rationals. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <gmp.h>
#include <gsl/gsl_rng.h>

#include "testutil.h"
#include "qmat.h"
#include "nn.h"
#include "qnet.h"
#include "tset.h"

static const nn_act_t ACTS[] = { NN_RELU, NN_LEAKY_RELU, NN_HARDTANH, NN_IDENTITY };

/* A random scaling for d features (lo < hi random rationals, or hi == lo for feature
 * `constant` when >= 0). */
static void set_rand_scale(nn_t net, gsl_rng *r, long d, long constant)
{
    mpq_t *lo = qvec_init(d), *hi = qvec_init(d), *w = qvec_init(1);
    for (long j = 0; j < d; j++) {
        tu_rand_q(lo[j], r, 20, 7);
        tu_rand_q(w[0], r, 30, 11);
        mpq_abs(w[0], w[0]);
        if (mpq_sgn(w[0]) == 0 || j == constant)
            mpq_set_ui(w[0], j == constant ? 0 : 1, 1);
        mpq_add(hi[j], lo[j], w[0]);
    }
    nn_set_scale(net, (const mpq_t *) lo, (const mpq_t *) hi);
    qvec_clear(lo, d);
    qvec_clear(hi, d);
    qvec_clear(w, 1);
}

/* Raw data: full-mantissa doubles in [-3, 3) or, with prob 1/3, small dyadics k/4. */
static void rand_data(double *X, long n, long d, gsl_rng *r)
{
    int dy = gsl_rng_uniform_int(r, 3) == 0;
    for (long k = 0; k < n * d; k++)
        X[k] = dy ? (double) ((long) gsl_rng_uniform_int(r, 13) - 6) / 4
                  : 6 * gsl_rng_uniform(r) - 3;
}

/* Checks every promise of tset_compute on (q, X) against brute force in rationals. */
static void check_all(const qnet_t q, const double *X, long n, long d)
{
    tset_t S;
    tset_init(S);
    CU_ASSERT_EQUAL_FATAL(tset_compute(S, q, X, n, d), AE_OK);
    CU_ASSERT_EQUAL(S->n, n);
    CU_ASSERT_EQUAL(S->d, d);
    CU_ASSERT(S->nexact >= 1 && S->nexact <= n);
    mpq_t **xs = malloc((size_t) n * sizeof(mpq_t *));
    mpq_t e, best, t, dm;
    mpq_inits(e, best, t, dm, (mpq_ptr) NULL);
    double *lo = malloc((size_t) n * sizeof(double)), *hi = malloc((size_t) n * sizeof(double));
    CU_ASSERT_EQUAL(tset_enclose(lo, hi, q, X, n, d), AE_OK);
    long arg = -1;
    for (long i = 0; i < n; i++) {
        xs[i] = qvec_init(d);
        CU_ASSERT_EQUAL(tset_row(xs[i], q, X, n, d, i), AE_OK);
        CU_ASSERT_EQUAL(qnet_score(e, q, (const mpq_t *) xs[i], d), AE_OK);
        /* the enclosure holds the exact score */
        CU_ASSERT(lo[i] >= 0 && lo[i] <= hi[i]);
        mpq_set_d(t, lo[i]);
        CU_ASSERT(mpq_cmp(t, e) <= 0);
        if (isfinite(hi[i])) {
            mpq_set_d(t, hi[i]);
            CU_ASSERT(mpq_cmp(e, t) <= 0);
        }
        if (arg < 0 || mpq_cmp(e, best) < 0) {
            mpq_set(best, e);
            arg = i;
        }
    }
    CU_ASSERT(mpq_equal(S->smin, best));
    CU_ASSERT_EQUAL(S->argmin, arg);      /* the first row attaining it */
    CU_ASSERT(qvec_equal((const mpq_t *) S->xmin, (const mpq_t *) xs[arg], d));
    /* rho2 >= max ||x'_i - c||^2; c dyadic */
    for (long i = 0; i < n; i++) {
        qvec_dist2(t, (const mpq_t *) xs[i], (const mpq_t *) S->centre, d);
        CU_ASSERT(mpq_cmp(t, S->rho2) <= 0);
    }
    for (long j = 0; j < d; j++) {
        unsigned long den = mpz_scan1(mpq_denref(S->centre[j]), 0);
        CU_ASSERT(mpz_sizeinbase(mpq_denref(S->centre[j]), 2) == den + 1);
    }
    /* diam2 >= the exact squared diameter; diam2 <= 4 rho2 */
    mpq_set_ui(dm, 0, 1);
    for (long i = 0; i < n; i++)
        for (long j = i + 1; j < n; j++) {
            qvec_dist2(t, (const mpq_t *) xs[i], (const mpq_t *) xs[j], d);
            if (mpq_cmp(t, dm) > 0)
                mpq_set(dm, t);
        }
    CU_ASSERT(mpq_cmp(dm, S->diam2) <= 0);
    mpq_mul_2exp(t, S->rho2, 2);
    CU_ASSERT(mpq_cmp(S->diam2, t) <= 0);
    CU_ASSERT(S->diam_pairwise == 1 || mpq_equal(S->diam2, t));
    mpq_clears(e, best, t, dm, (mpq_ptr) NULL);
    for (long i = 0; i < n; i++)
        qvec_clear(xs[i], d);
    free(xs);
    free(lo);
    free(hi);
    tset_clear(S);
}

static void test_smin_random(void)
{
    gsl_rng *r = tu_rng();
    long total_exact = 0, total_rows = 0;
    for (int rep = 0; rep < 48; rep++) {
        long d = 1 + (long) gsl_rng_uniform_int(r, 5), h = 1 + (long) gsl_rng_uniform_int(r, 6);
        long sizes[4] = { d, h, 1 + (long) gsl_rng_uniform_int(r, 3), d };
        nn_act_t act[3] = { ACTS[rep % 4], ACTS[(rep / 4) % 4], ACTS[(rep / 16) % 4] };
        int prec = rep % 2 ? NN_F32 : NN_F64;
        nn_t net;
        tu_rand_net(net, r, prec, 3, sizes, act, rep % 3 != 0);
        int scale = rep % 3;   /* 0 none, 1 scaling, 2 scaling with a constant feature */
        if (scale)
            set_rand_scale(net, r, d, scale == 2 ? (long) gsl_rng_uniform_int(r, (unsigned long) d) : -1);
        qnet_t q;
        CU_ASSERT_EQUAL_FATAL(qnet_init_nn(q, net), AE_OK);
        long n = rep % 8 == 0 ? 1 : 2 + (long) gsl_rng_uniform_int(r, 30);
        double *X = malloc((size_t) (n * d) * sizeof(double));
        rand_data(X, n, d, r);
        check_all(q, X, n, d);
        tset_t S;
        tset_init(S);
        CU_ASSERT_EQUAL(tset_compute(S, q, X, n, d), AE_OK);
        total_exact += S->nexact;
        total_rows += n;
        tset_clear(S);
        free(X);
        qnet_clear(q);
        nn_clear(net);
    }
    /* pruning works: far fewer exact scores than rows */
    CU_ASSERT(4 * total_exact < total_rows);
    gsl_rng_free(r);
}

/* A trained network (scores cluster, so enclosures are tested where they matter). */
static void test_trained(void)
{
    gsl_rng *r = tu_rng();
    static const long sizes[] = { 3, 8, 2, 8, 3 };
    nn_act_t act[4] = { NN_RELU, NN_LEAKY_RELU, NN_RELU, NN_IDENTITY };
    for (int prec = NN_F32; prec <= NN_F64; prec += NN_F64 - NN_F32) {
        nn_t net;
        tu_rand_net(net, r, prec, 4, sizes, act, 1);
        long n = 60;
        double *X = malloc((size_t) (n * 3) * sizeof(double));
        for (long i = 0; i < n; i++) {
            double s = 2 * gsl_rng_uniform(r) - 1;
            X[3 * i] = s;
            X[3 * i + 1] = 2 * s + 0.01 * gsl_rng_uniform(r);
            X[3 * i + 2] = -s;
        }
        tu_train(net, X, n, 0.01, 16, 30);
        set_rand_scale(net, r, 3, -1);
        qnet_t q;
        CU_ASSERT_EQUAL_FATAL(qnet_init_nn(q, net), AE_OK);
        check_all(q, X, n, 3);
        qnet_clear(q);
        nn_clear(net);
        free(X);
    }
    gsl_rng_free(r);
}

/* Leaky slopes outside (0, 1): 2.5 and -0.75 (Lipschitz constant max(1, |s|)). */
static void test_wild_slopes(void)
{
    gsl_rng *r = tu_rng();
    static const long sizes[] = { 4, 6, 5, 4 };
    nn_act_t act[3] = { NN_LEAKY_RELU, NN_LEAKY_RELU, NN_HARDTANH };
    double ap[3] = { 2.5, -0.75, 0 };
    for (int rep = 0; rep < 6; rep++) {
        nn_t net;
        CU_ASSERT_EQUAL_FATAL(nn_init(net, rep % 2 ? NN_F32 : NN_F64, 3, sizes, act, ap, NULL),
                              AE_OK);
        CU_ASSERT_EQUAL_FATAL(nn_init_params(net, NN_INIT_TORCH, r), AE_OK);
        if (rep >= 3)
            set_rand_scale(net, r, 4, rep - 3);
        qnet_t q;
        CU_ASSERT_EQUAL_FATAL(qnet_init_nn(q, net), AE_OK);
        long n = 20;
        double X[80];
        rand_data(X, n, 4, r);
        check_all(q, X, n, 4);
        qnet_clear(q);
        nn_clear(net);
    }
    gsl_rng_free(r);
}

/* Duplicated rows tie exactly: each copy is scored, argmin is the first. */
static void test_ties(void)
{
    gsl_rng *r = tu_rng();
    static const long sizes[] = { 2, 3, 2 };
    nn_act_t act[2] = { NN_RELU, NN_IDENTITY };
    nn_t net;
    tu_rand_net(net, r, NN_F64, 2, sizes, act, 1);
    qnet_t q;
    CU_ASSERT_EQUAL_FATAL(qnet_init_nn(q, net), AE_OK);
    double X[10];
    for (int i = 0; i < 5; i++) {
        X[2 * i] = 0.3;
        X[2 * i + 1] = -1.7;
    }
    tset_t S;
    tset_init(S);
    CU_ASSERT_EQUAL(tset_compute(S, q, X, 5, 2), AE_OK);
    CU_ASSERT_EQUAL(S->nexact, 5);
    CU_ASSERT_EQUAL(S->argmin, 0);
    /* every row is the centre exactly: only the underflow margins remain */
    CU_ASSERT(mpq_get_d(S->rho2) < 1e-300);
    CU_ASSERT(mpq_get_d(S->diam2) < 1e-300);
    check_all(q, X, 5, 2);
    /* one copy moved away: the others still tie */
    X[0] = 2.5;
    check_all(q, X, 5, 2);
    tset_clear(S);
    qnet_clear(q);
    nn_clear(net);
    gsl_rng_free(r);
}

/* Negative control for the float search: with f = 0 the scores are ||x||^2; rows
 * B = (1 + 2^-52, 2^-53) and A = (1 + 2^-52, 0) have the same double score (the 2^-104
 * and 2^-106 are rounded away) but A's exact score is smaller.  The plain double minimum
 * (first of the equal double scores) picks B, row 0; tset must pick A, row 1. */
static void test_float_misses(void)
{
    static const long sizes[] = { 2, 2 };
    nn_act_t act[1] = { NN_IDENTITY };
    nn_t net;
    CU_ASSERT_EQUAL_FATAL(nn_init(net, NN_F64, 1, sizes, act, NULL, NULL), AE_OK);
    qnet_t q;
    CU_ASSERT_EQUAL_FATAL(qnet_init_nn(q, net), AE_OK);
    double X[4] = { 1 + 0x1p-52, 0x1p-53, 1 + 0x1p-52, 0 };
    double sf[2];
    CU_ASSERT_EQUAL(nn_scores(sf, net, X, 2), AE_OK);
    CU_ASSERT_EQUAL_FATAL(sf[0], sf[1]);   /* precondition: the doubles cannot tell */
    tset_t S;
    tset_init(S);
    CU_ASSERT_EQUAL(tset_compute(S, q, X, 2, 2), AE_OK);
    CU_ASSERT_EQUAL(S->argmin, 1);
    CU_ASSERT_EQUAL(S->nexact, 2);
    mpq_t e;
    mpq_init(e);
    mpq_set_d(e, 1 + 0x1p-52);
    mpq_mul(e, e, e);
    CU_ASSERT(mpq_equal(e, S->smin));
    check_all(q, X, 2, 2);
    mpq_clear(e);
    tset_clear(S);
    qnet_clear(q);
    nn_clear(net);
}

/* Negative control for the enclosure: f(x) = (0.5 x + 2^30) - 2^30 = x/2 exactly, but in
 * double 0.5 x + 2^30 is rounded to a multiple of 2^-22.  Row A = 1.5 2^-23 (f^ = 0, double
 * score 9 2^-48, exact 2.25 2^-48) and row B = 4.5 2^-24 (f^ = 2^-22, double 0.25 2^-48,
 * exact 5.0625 2^-48) are misordered: with zero-width enclosures (the plain double scores)
 * the pruning keeps only B and misses the minimiser A.  The rigorous enclosure of A must
 * reach below min hi, and tset must return A. */
static void test_enclosure_needed(void)
{
    static const long sizes[] = { 1, 1, 1 };
    nn_act_t act[2] = { NN_IDENTITY, NN_IDENTITY };
    nn_t net;
    CU_ASSERT_EQUAL_FATAL(nn_init(net, NN_F64, 2, sizes, act, NULL, NULL), AE_OK);
    double p[4] = { 0.5, 0x1p30, 1, -0x1p30 };   /* W1, b1, W2, b2 */
    CU_ASSERT_EQUAL_FATAL(nn_set_params(net, p), AE_OK);
    qnet_t q;
    CU_ASSERT_EQUAL_FATAL(qnet_init_nn(q, net), AE_OK);
    double X[3] = { 0.75, 1.5 * 0x1p-23, 4.5 * 0x1p-24 }, sf[3], lo[3], hi[3];
    CU_ASSERT_EQUAL(nn_scores(sf, net, X, 3), AE_OK);
    /* the float view: B (row 2) alone below every other double score */
    CU_ASSERT_FATAL(sf[2] < sf[1] && sf[2] < sf[0]);
    CU_ASSERT_EQUAL(tset_enclose(lo, hi, q, X, 3, 1), AE_OK);
    double h = fmin(fmin(hi[0], hi[1]), hi[2]);
    CU_ASSERT(lo[1] <= h);               /* A survives the rigorous pruning */
    tset_t S;
    tset_init(S);
    CU_ASSERT_EQUAL(tset_compute(S, q, X, 3, 1), AE_OK);
    CU_ASSERT_EQUAL(S->argmin, 1);
    CU_ASSERT(S->nexact >= 2);
    mpq_t e;
    mpq_init(e);
    mpq_set_d(e, 0.75 * 0x1p-23);
    mpq_mul(e, e, e);
    CU_ASSERT(mpq_equal(e, S->smin));
    check_all(q, X, 3, 1);
    mpq_clear(e);
    tset_clear(S);
    qnet_clear(q);
    nn_clear(net);
}

/* Overflow: rows near 1e308 make the double pass overflow; everything falls back to
 * exact arithmetic and stays correct. */
static void test_overflow(void)
{
    gsl_rng *r = tu_rng();
    static const long sizes[] = { 2, 3, 2 };
    nn_act_t act[2] = { NN_RELU, NN_IDENTITY };
    nn_t net;
    tu_rand_net(net, r, NN_F64, 2, sizes, act, 1);
    qnet_t q;
    CU_ASSERT_EQUAL_FATAL(qnet_init_nn(q, net), AE_OK);
    double X[8] = { 1.5e308, -1.6e308, 1.7e308, 1.4e308, -1.5e308, 1e308, 3, 4 };
    check_all(q, X, 4, 2);
    tset_t S;
    tset_init(S);
    CU_ASSERT_EQUAL(tset_compute(S, q, X, 4, 2), AE_OK);
    CU_ASSERT(S->nexact >= 1);
    tset_clear(S);
    qnet_clear(q);
    nn_clear(net);
    gsl_rng_free(r);
}

/* lb^2 <= the exact min squared distance, for points near and far; far points get a
 * positive bound; a training row gets 0. */
static void test_dist_lb(void)
{
    gsl_rng *r = tu_rng();
    static const long sizes[] = { 3, 4, 3 };
    nn_act_t act[2] = { NN_LEAKY_RELU, NN_IDENTITY };
    nn_t net;
    tu_rand_net(net, r, NN_F32, 2, sizes, act, 1);
    set_rand_scale(net, r, 3, 1);
    qnet_t q;
    CU_ASSERT_EQUAL_FATAL(qnet_init_nn(q, net), AE_OK);
    long n = 25, d = 3;
    double X[75];
    rand_data(X, n, d, r);
    tset_t S;
    tset_init(S);
    CU_ASSERT_EQUAL_FATAL(tset_compute(S, q, X, n, d), AE_OK);
    mpq_t **xs = malloc((size_t) n * sizeof(mpq_t *));
    for (long i = 0; i < n; i++) {
        xs[i] = qvec_init(d);
        CU_ASSERT_EQUAL(tset_row(xs[i], q, X, n, d, i), AE_OK);
    }
    mpq_t *a = qvec_init(d);
    mpq_t lb, m, t, c;
    mpq_inits(lb, m, t, c, (mpq_ptr) NULL);
    for (int rep = 0; rep < 60; rep++) {
        int kind = rep % 3;     /* 0 near a row, 1 far, 2 a row itself */
        long i0 = (long) gsl_rng_uniform_int(r, (unsigned long) n);
        for (long j = 0; j < d; j++) {
            tu_rand_q(t, r, 100, 97);
            if (kind == 1) {
                mpq_set_si(c, rep % 2 ? 1000000 : 1000, 1);
                mpq_mul(t, t, c);
            } else if (kind == 0) {
                mpq_set_si(c, 1, 50);
                mpq_mul(t, t, c);
            } else {
                mpq_set_ui(t, 0, 1);
            }
            mpq_add(a[j], xs[i0][j], t);
        }
        CU_ASSERT_EQUAL(tset_dist_lb(lb, S, (const mpq_t *) a, d), AE_OK);
        CU_ASSERT(mpq_sgn(lb) >= 0);
        for (long i = 0; i < n; i++) {
            qvec_dist2(t, (const mpq_t *) a, (const mpq_t *) xs[i], d);
            if (i == 0 || mpq_cmp(t, m) < 0)
                mpq_set(m, t);
        }
        mpq_mul(t, lb, lb);
        CU_ASSERT(mpq_cmp(t, m) <= 0);
        if (kind == 2)
            CU_ASSERT_EQUAL(mpq_sgn(lb), 0);
        if (kind == 1 && rep % 2) {    /* at 10^4 times the spread the bound is nontrivial */
            mpq_mul_2exp(t, t, 2);
            CU_ASSERT(mpq_cmp(t, m) >= 0 || mpq_sgn(m) == 0);
        }
    }
    mpq_clears(lb, m, t, c, (mpq_ptr) NULL);
    qvec_clear(a, d);
    for (long i = 0; i < n; i++)
        qvec_clear(xs[i], d);
    free(xs);
    tset_clear(S);
    qnet_clear(q);
    nn_clear(net);
    gsl_rng_free(r);
}

/* A larger, scaled data set (n = 600, d = 16): the pairwise bound is used and pruning
 * leaves only a few exact scores. */
static void test_larger(void)
{
    gsl_rng *r = tu_rng();
    static const long sizes[] = { 16, 12, 4, 12, 16 };
    nn_act_t act[4] = { NN_RELU, NN_RELU, NN_RELU, NN_IDENTITY };
    nn_t net;
    tu_rand_net(net, r, NN_F32, 4, sizes, act, 1);
    mpq_t *lo = qvec_init(16), *hi = qvec_init(16);
    for (long j = 0; j < 16; j++)
        mpq_set_ui(hi[j], 255, 1);
    nn_set_scale(net, (const mpq_t *) lo, (const mpq_t *) hi);
    qnet_t q;
    CU_ASSERT_EQUAL_FATAL(qnet_init_nn(q, net), AE_OK);
    long n = 600;
    double *X = malloc((size_t) (n * 16) * sizeof(double));
    for (long k = 0; k < n * 16; k++)
        X[k] = (double) gsl_rng_uniform_int(r, 256);
    tset_t S;
    tset_init(S);
    CU_ASSERT_EQUAL(tset_compute(S, q, X, n, 16), AE_OK);
    CU_ASSERT(S->nexact <= 5);
    CU_ASSERT_EQUAL(S->diam_pairwise, 1);
    CU_ASSERT(S->diam_float > 0 && S->diam_float * S->diam_float <= mpq_get_d(S->diam2) * (1 + 1e-12));
    mpq_t *x = qvec_init(16);
    mpq_t e;
    mpq_init(e);
    CU_ASSERT_EQUAL(tset_row(x, q, X, n, 16, S->argmin), AE_OK);
    CU_ASSERT_EQUAL(qnet_score(e, q, (const mpq_t *) x, 16), AE_OK);
    CU_ASSERT(mpq_equal(e, S->smin));
    CU_ASSERT(fabs(S->smin_float - mpq_get_d(e)) <= 1e-9 * (1 + mpq_get_d(e)));
    mpq_clear(e);
    qvec_clear(x, 16);
    qvec_clear(lo, 16);
    qvec_clear(hi, 16);
    tset_clear(S);
    free(X);
    qnet_clear(q);
    nn_clear(net);
    gsl_rng_free(r);
}

static void test_misuse(void)
{
    gsl_rng *r = tu_rng();
    static const long sizes[] = { 2, 3, 2 }, sizes2[] = { 2, 3, 1 };
    nn_act_t act[2] = { NN_RELU, NN_IDENTITY };
    nn_t net, net2;
    tu_rand_net(net, r, NN_F64, 2, sizes, act, 1);
    tu_rand_net(net2, r, NN_F64, 2, sizes2, act, 1);
    qnet_t q, q2;
    CU_ASSERT_EQUAL_FATAL(qnet_init_nn(q, net), AE_OK);
    CU_ASSERT_EQUAL_FATAL(qnet_init_nn(q2, net2), AE_OK);
    double X[6] = { 1, 2, 3, 4, 5, 6 }, lo[3], hi[3];
    tset_t S;
    tset_init(S);
    mpq_t *a = qvec_init(3);
    mpq_t lb;
    mpq_init(lb);
    TU_EXPECT_ERROR(tset_dist_lb(lb, S, (const mpq_t *) a, 2));   /* not computed */
    TU_EXPECT_ERROR(tset_compute(NULL, q, X, 3, 2));
    TU_EXPECT_ERROR(tset_compute(S, NULL, X, 3, 2));
    TU_EXPECT_ERROR(tset_compute(S, q, NULL, 3, 2));
    TU_EXPECT_ERROR(tset_compute(S, q, X, 0, 2));
    TU_EXPECT_ERROR(tset_compute(S, q, X, 2, 3));
    TU_EXPECT_ERROR(tset_compute(S, q2, X, 3, 2));
    TU_EXPECT_ERROR(tset_enclose(NULL, hi, q, X, 3, 2));
    TU_EXPECT_ERROR(tset_enclose(lo, hi, q2, X, 3, 2));
    TU_EXPECT_ERROR(tset_row(a, q, X, 3, 2, 3));
    TU_EXPECT_ERROR(tset_row(a, q, X, 3, 3, 0));
    X[3] = NAN;
    TU_EXPECT_ERROR(tset_compute(S, q, X, 3, 2));
    TU_EXPECT_ERROR(tset_row(a, q, X, 3, 2, 1));
    X[3] = INFINITY;
    TU_EXPECT_ERROR(tset_enclose(lo, hi, q, X, 3, 2));
    X[3] = 4;
    CU_ASSERT_EQUAL(tset_compute(S, q, X, 3, 2), AE_OK);
    TU_EXPECT_ERROR(tset_dist_lb(lb, S, (const mpq_t *) a, 3));
    TU_EXPECT_ERROR(tset_dist_lb(lb, S, NULL, 2));
    CU_ASSERT_EQUAL(tset_dist_lb(lb, S, (const mpq_t *) a, 2), AE_OK);
    /* recompute on the same object (no leak) */
    CU_ASSERT_EQUAL(tset_compute(S, q, X, 2, 2), AE_OK);
    CU_ASSERT_EQUAL(S->n, 2);
    mpq_clear(lb);
    qvec_clear(a, 3);
    tset_clear(S);
    qnet_clear(q);
    qnet_clear(q2);
    nn_clear(net);
    nn_clear(net2);
    gsl_rng_free(r);
}

int main(void)
{
    static const tu_test tests[] = {
        { "s_min exact vs brute force, random nets", test_smin_random },
        { "trained network", test_trained },
        { "leaky slopes 2.5 and -0.75", test_wild_slopes },
        { "ties, duplicated rows", test_ties },
        { "negative control: float minimum misses", test_float_misses },
        { "negative control: zero-width enclosures miss", test_enclosure_needed },
        { "overflow falls back to exact", test_overflow },
        { "distance lower bound", test_dist_lb },
        { "larger scaled set, pruning", test_larger },
        { "misuse", test_misuse },
        { NULL, NULL }
    };
    return tu_run("tset", 7117, tests);
}
