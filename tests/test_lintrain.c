/* CUnit suite for theory/lintrain: float training of linear AEs and the exact analysis
 * of the trained weights. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <float.h>
#include <gsl/gsl_rng.h>

#include "testutil.h"
#include "lintrain.h"
#include "linae.h"
#include "qmat.h"
#include "qnum.h"

/* n points in R^d near a 2-dimensional affine subspace: x = m + a u + b w + noise,
 * with a, b of scale 1 and noise of scale 0.01 (deterministic from seed). */
static double *make_data(long n, long d, unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    double *X = malloc((size_t) (n * d) * sizeof(double));
    double u[16], w[16], m[16];
    for (long j = 0; j < d; j++) {
        u[j] = gsl_rng_uniform(r) - 0.5;
        w[j] = gsl_rng_uniform(r) - 0.5;
        m[j] = gsl_rng_uniform(r);
    }
    for (long i = 0; i < n; i++) {
        double a = 2.0 * gsl_rng_uniform(r) - 1.0, b = gsl_rng_uniform(r) - 0.5;
        for (long j = 0; j < d; j++)
            X[i * d + j] = m[j] + a * u[j] + b * w[j] + 0.01 * (gsl_rng_uniform(r) - 0.5);
    }
    gsl_rng_free(r);
    return X;
}

static const lintrain_opts OPTS = { 0.2, 3000, 7, 0.1 };

static void test_deterministic(void)
{
    long n = 80, d = 6, k = 2;
    double *X = make_data(n, d, tu_seed());
    lintrain_t a, b;
    lintrain_init(a, d, k);
    lintrain_init(b, d, k);
    lintrain_opts o = OPTS;
    o.steps = 500;
    CU_ASSERT_EQUAL(lintrain_fit(a, NULL, X, n, &o), AE_OK);
    CU_ASSERT_EQUAL(lintrain_fit(b, NULL, X, n, &o), AE_OK);
    CU_ASSERT_EQUAL(memcmp(a->We, b->We, (size_t) (k * d) * sizeof(double)), 0);
    CU_ASSERT_EQUAL(memcmp(a->Wd, b->Wd, (size_t) (k * d) * sizeof(double)), 0);
    CU_ASSERT_EQUAL(memcmp(a->be, b->be, (size_t) k * sizeof(double)), 0);
    CU_ASSERT_EQUAL(memcmp(a->bd, b->bd, (size_t) d * sizeof(double)), 0);
    /* another seed gives other weights */
    o.seed = 8;
    CU_ASSERT_EQUAL(lintrain_fit(b, NULL, X, n, &o), AE_OK);
    CU_ASSERT_NOT_EQUAL(memcmp(a->We, b->We, (size_t) (k * d) * sizeof(double)), 0);
    /* the initialisation alone is reproducible, biases zero */
    lintrain_init_weights(a, &o);
    CU_ASSERT_EQUAL(a->be[0], 0.0);
    CU_ASSERT_EQUAL(a->bd[d - 1], 0.0);
    lintrain_clear(a);
    lintrain_clear(b);
    free(X);
}

static void test_loss_decreases(void)
{
    long n = 80, d = 6, k = 2;
    double *X = make_data(n, d, tu_seed() + 1);
    lintrain_t m;
    lintrain_init(m, d, k);
    double *hist = malloc((size_t) (OPTS.steps + 1) * sizeof(double));
    CU_ASSERT_EQUAL_FATAL(lintrain_fit(m, hist, X, n, &OPTS), AE_OK);
    CU_ASSERT_TRUE(hist[OPTS.steps] < hist[0]);
    CU_ASSERT_TRUE(hist[OPTS.steps] < 1e-3 * hist[0]);
    /* the rank-2 structure is captured: residual ~ noise variance d * 0.01^2 / 12 */
    CU_ASSERT_TRUE(hist[OPTS.steps] < 1e-4);
    /* hist[s] is the loss at the weights before step s: the final one matches */
    CU_ASSERT_DOUBLE_EQUAL(lintrain_loss(m, X, n), hist[OPTS.steps], 0.0);
    free(hist);
    lintrain_clear(m);
    free(X);
}

/* The double gradient step against the exact gradient (linae_grad) of the same weights:
 * (old - new) / lr must agree with the exact gradient to a few ulps of the sums. */
static void test_step_vs_exact_gradient(void)
{
    long n = 30, d = 5, k = 2;
    double *X = make_data(n, d, tu_seed() + 2);
    lintrain_t m;
    lintrain_init(m, d, k);
    lintrain_opts o = OPTS;
    lintrain_init_weights(m, &o);
    for (long i = 0; i < k; i++) m->be[i] = 0.125 * (double) (i + 1);
    for (long j = 0; j < d; j++) m->bd[j] = -0.0625 * (double) j;
    linae_t ae, G;
    linae_init(ae, d, k);
    linae_init(G, d, k);
    CU_ASSERT_EQUAL(lintrain_get_linae(ae, m), AE_OK);
    qmat_t Xq;
    qmat_init(Xq, n, d);
    qmat_set_d(Xq, X);
    CU_ASSERT_EQUAL(linae_grad(G, ae, Xq), AE_OK);
    mpq_t L;
    mpq_init(L);
    linae_loss(L, ae, Xq);
    double Ld = lintrain_loss(m, X, n);
    CU_ASSERT_TRUE(fabs(Ld - qnum_get_d(L)) <= 1e3 * DBL_EPSILON * fabs(qnum_get_d(L)));

    double *We0 = malloc((size_t) (k * d) * sizeof(double));
    double *Wd0 = malloc((size_t) (k * d) * sizeof(double));
    memcpy(We0, m->We, (size_t) (k * d) * sizeof(double));
    memcpy(Wd0, m->Wd, (size_t) (k * d) * sizeof(double));
    double be0 = m->be[1], bd0 = m->bd[3];
    double lr = 1.0 / 1024;   /* a power of two: lr * g is exact, only the subtraction rounds */
    double Lb;
    CU_ASSERT_EQUAL(lintrain_step(m, &Lb, X, n, lr), AE_OK);
    CU_ASSERT_DOUBLE_EQUAL(Lb, Ld, 0.0);
    double tol = 1e-9;
    for (long i = 0; i < k * d; i++) {
        double ge = (We0[i] - m->We[i]) / lr, gd = (Wd0[i] - m->Wd[i]) / lr;
        CU_ASSERT_DOUBLE_EQUAL(ge, qnum_get_d(G->We->entries[i]), tol);
        CU_ASSERT_DOUBLE_EQUAL(gd, qnum_get_d(G->Wd->entries[i]), tol);
    }
    CU_ASSERT_DOUBLE_EQUAL((be0 - m->be[1]) / lr, qnum_get_d(qmat_entry(G->be, 1, 0)), tol);
    CU_ASSERT_DOUBLE_EQUAL((bd0 - m->bd[3]) / lr, qnum_get_d(qmat_entry(G->bd, 3, 0)), tol);
    free(We0);
    free(Wd0);
    mpq_clear(L);
    qmat_clear(Xq);
    linae_clear(ae);
    linae_clear(G);
    lintrain_clear(m);
    free(X);
}

static void test_get_linae_exact(void)
{
    lintrain_t m;
    lintrain_init(m, 3, 1);
    double v[3] = { 0.1, -1e-300, 3.5 };
    memcpy(m->Wd, v, sizeof v);
    m->We[2] = 1.0 / 3.0;
    m->be[0] = -2.0;
    m->bd[1] = 0x1p-1074;   /* smallest subnormal */
    linae_t ae;
    linae_init(ae, 3, 1);
    CU_ASSERT_EQUAL(lintrain_get_linae(ae, m), AE_OK);
    for (long j = 0; j < 3; j++) {
        CU_ASSERT_EQUAL(qnum_get_d(qmat_entry(ae->Wd, j, 0)), v[j]);
        /* exact: the dyadic rational converts back without rounding */
        mpq_t q;
        mpq_init(q);
        mpq_set_d(q, v[j]);
        CU_ASSERT_TRUE(mpq_equal(q, qmat_entry(ae->Wd, j, 0)));
        mpq_clear(q);
    }
    CU_ASSERT_EQUAL(qnum_get_d(qmat_entry(ae->We, 0, 2)), 1.0 / 3.0);
    CU_ASSERT_EQUAL(qnum_get_d(qmat_entry(ae->bd, 1, 0)), 0x1p-1074);
    linae_clear(ae);
    lintrain_clear(m);
}

static void test_analyse_identity(void)
{
    /* We = [I 0], Wd = [I; 0]: K = I_k exactly, lambda = 1 exactly with multiplicity k */
    long d = 5, k = 3;
    linae_t ae;
    linae_init(ae, d, k);
    for (long a = 0; a < k; a++) {
        mpq_set_ui(qmat_entry(ae->We, a, a), 1, 1);
        mpq_set_ui(qmat_entry(ae->Wd, a, a), 1, 1);
    }
    lintrain_analysis_t A;
    lintrain_analysis_init(A);
    CU_ASSERT_EQUAL(lintrain_analyse(A, ae, 64), AE_OK);
    CU_ASSERT_TRUE(A->exact_one);
    CU_ASSERT_TRUE(A->has_real);
    CU_ASSERT_EQUAL(A->n_real, k);
    CU_ASSERT_EQUAL(A->n_nonreal, 0);
    CU_ASSERT_EQUAL(A->lam_mult, k);
    CU_ASSERT_EQUAL(mpq_cmp_ui(A->lam_lo, 1, 1), 0);
    CU_ASSERT_EQUAL(mpq_cmp_ui(A->lam_hi, 1, 1), 0);
    CU_ASSERT_EQUAL(mpq_sgn(A->dist_lo), 0);
    CU_ASSERT_EQUAL(mpq_sgn(A->dist_hi), 0);
    CU_ASSERT_EQUAL(A->lambda_d, 1.0);
    lintrain_analysis_clear(A);
    linae_clear(ae);
}

/* K = We Wd with known spectrum: d = 3, k = 2, We = [K0 0], Wd = [I; 0], so K = K0. */
static void analyse_k0(lintrain_analysis_t A, long a, long b, long c, long e, long den)
{
    linae_t ae;
    linae_init(ae, 3, 2);
    mpq_set_si(qmat_entry(ae->We, 0, 0), a, (unsigned long) den);
    mpq_set_si(qmat_entry(ae->We, 0, 1), b, (unsigned long) den);
    mpq_set_si(qmat_entry(ae->We, 1, 0), c, (unsigned long) den);
    mpq_set_si(qmat_entry(ae->We, 1, 1), e, (unsigned long) den);
    for (long i = 0; i < 2; i++)
        for (long j = 0; j < 2; j++)
            mpq_canonicalize(qmat_entry(ae->We, i, j));
    mpq_set_ui(qmat_entry(ae->Wd, 0, 0), 1, 1);
    mpq_set_ui(qmat_entry(ae->Wd, 1, 1), 1, 1);
    CU_ASSERT_EQUAL(lintrain_analyse(A, ae, 80), AE_OK);
    linae_clear(ae);
}

static void test_analyse_known(void)
{
    lintrain_analysis_t A;
    lintrain_analysis_init(A);
    mpq_t w, x;
    mpq_inits(w, x, NULL);

    /* K = [[1, 1], [1, 1]] * 1/2 + [[0,0],[0,0]]: eigenvalues 0 and 1 -> 1 exactly */
    analyse_k0(A, 1, 1, 1, 1, 2);
    CU_ASSERT_TRUE(A->exact_one);
    CU_ASSERT_EQUAL(A->lam_mult, 1);

    /* K = [[2, 1], [1, 2]] / 2: eigenvalues 1/2 and 3/2 -> tie at distance 1/2; either is
     * acceptable, and the distance interval must contain 1/2 */
    analyse_k0(A, 2, 1, 1, 2, 2);
    CU_ASSERT_FALSE(A->exact_one);
    mpq_set_ui(x, 1, 2);
    CU_ASSERT_TRUE(mpq_cmp(A->dist_lo, x) <= 0 && mpq_cmp(x, A->dist_hi) <= 0);

    /* K = [[1, 1], [1, 0]]: eigenvalues (1 +- sqrt 5)/2 = 1.618..., -0.618...: nearest 1 is
     * the golden ratio, |1 - lambda| = 0.618... */
    analyse_k0(A, 1, 1, 1, 0, 1);
    CU_ASSERT_EQUAL(A->n_real, 2);
    CU_ASSERT_EQUAL(A->n_nonreal, 0);
    CU_ASSERT_DOUBLE_EQUAL(A->lambda_d, (1.0 + sqrt(5.0)) / 2.0, 1e-15);
    mpq_sub(w, A->lam_hi, A->lam_lo);
    mpq_set_ui(x, 1, 1);
    mpq_div_2exp(x, x, 80);
    CU_ASSERT_TRUE(mpq_cmp(w, x) <= 0);
    /* golden ratio phi satisfies phi^2 = phi + 1: the interval straddles the root */
    {
        mpq_t p;
        mpq_init(p);
        mpq_mul(p, A->lam_lo, A->lam_lo);
        mpq_sub(p, p, A->lam_lo);
        CU_ASSERT_TRUE(mpq_cmp_ui(p, 1, 1) < 0);
        mpq_mul(p, A->lam_hi, A->lam_hi);
        mpq_sub(p, p, A->lam_hi);
        CU_ASSERT_TRUE(mpq_cmp_ui(p, 1, 1) > 0);
        mpq_clear(p);
    }
    CU_ASSERT_DOUBLE_EQUAL(qnum_get_d(A->dist_lo), (sqrt(5.0) - 1.0) / 2.0, 1e-15);

    /* K = [[0, -1], [1, 0]] (rotation): no real eigenvalue, 2 non-real */
    analyse_k0(A, 0, -1, 1, 0, 1);
    CU_ASSERT_FALSE(A->has_real);
    CU_ASSERT_EQUAL(A->n_real, 0);
    CU_ASSERT_EQUAL(A->n_nonreal, 2);
    CU_ASSERT_FALSE(A->exact_one);

    mpq_clears(w, x, NULL);
    lintrain_analysis_clear(A);
}

static void test_analyse_trained(void)
{
    long n = 80, d = 6, k = 2;
    double *X = make_data(n, d, tu_seed() + 3);
    lintrain_t m;
    lintrain_init(m, d, k);
    CU_ASSERT_EQUAL_FATAL(lintrain_fit(m, NULL, X, n, &OPTS), AE_OK);
    linae_t ae;
    linae_init(ae, d, k);
    lintrain_get_linae(ae, m);
    lintrain_analysis_t A;
    lintrain_analysis_init(A);
    CU_ASSERT_EQUAL(lintrain_analyse(A, ae, 100), AE_OK);
    CU_ASSERT_TRUE(A->has_real);
    CU_ASSERT_EQUAL(A->n_real + A->n_nonreal, k);
    /* trained: eigenvalues near 1, but not exactly 1 (float weights) */
    CU_ASSERT_FALSE(A->exact_one);
    CU_ASSERT_TRUE(qnum_get_d(A->dist_hi) < 1e-2);
    CU_ASSERT_TRUE(mpq_sgn(A->dist_lo) > 0);
    mpq_t w;
    mpq_init(w);
    mpq_sub(w, A->dist_hi, A->dist_lo);
    CU_ASSERT_TRUE(mpq_sgn(w) >= 0);
    CU_ASSERT_TRUE(qnum_get_d(w) <= ldexp(1.0, -100));
    mpq_clear(w);
    /* second method: the double eigenvalues of K = We Wd (2 x 2 closed form) */
    double K[4] = { 0, 0, 0, 0 };
    for (long a = 0; a < 2; a++)
        for (long b = 0; b < 2; b++)
            for (long j = 0; j < d; j++)
                K[a * 2 + b] += m->We[a * d + j] * m->Wd[j * 2 + b];
    /* disc = ((K00 - K11)/2)^2 + K01 K10 avoids the cancellation of tr^2/4 - det */
    double tr = K[0] + K[3], h = (K[0] - K[3]) / 2, disc = h * h + K[1] * K[2];
    if (disc >= 0) {
        double l1 = tr / 2 + sqrt(disc), l2 = tr / 2 - sqrt(disc);
        double best = fabs(1 - l1) < fabs(1 - l2) ? l1 : l2;
        CU_ASSERT_DOUBLE_EQUAL(A->lambda_d, best, 1e-12);
    }
    lintrain_analysis_clear(A);
    linae_clear(ae);
    lintrain_clear(m);
    free(X);
}

static void test_small_sizes(void)
{
    /* d = 2, k = 1, a single data point: the loss reaches (near) zero */
    double X[2] = { 0.5, -0.25 };
    lintrain_t m;
    lintrain_init(m, 2, 1);
    lintrain_opts o = { 0.1, 200, 3, 0.1 };
    double hist[201];
    CU_ASSERT_EQUAL(lintrain_fit(m, hist, X, 1, &o), AE_OK);
    CU_ASSERT_TRUE(hist[200] < 1e-10);
    /* zero steps: hist[0] is the initial loss, weights are the initialisation */
    o.steps = 0;
    CU_ASSERT_EQUAL(lintrain_fit(m, hist, X, 1, &o), AE_OK);
    CU_ASSERT_DOUBLE_EQUAL(hist[0], lintrain_loss(m, X, 1), 0.0);
    lintrain_clear(m);
}

static void test_diverges(void)
{
    long n = 40, d = 4;
    double *X = make_data(n, d, 11);
    for (long i = 0; i < n * d; i++)
        X[i] *= 1e3;
    lintrain_t m;
    lintrain_init(m, d, 1);
    lintrain_opts o = { 10.0, 2000, 1, 0.1 };
    CU_ASSERT_EQUAL(lintrain_fit(m, NULL, X, n, &o), AE_NOTCONV);
    lintrain_clear(m);
    free(X);
}

static void test_bad_input(void)
{
    static lintrain_t bad;
    TU_EXPECT_ERROR(lintrain_init(bad, 3, 3));
    CU_ASSERT_EQUAL(bad->d, 0);
    lintrain_clear(bad);
    TU_EXPECT_ERROR(lintrain_init(bad, 3, 0));
    lintrain_clear(bad);
    lintrain_t m;
    lintrain_init(m, 3, 1);
    double X[3] = { 1, 2, 3 };
    lintrain_opts o = { 0.1, 10, 1, 0.1 };
    TU_EXPECT_ERROR(lintrain_fit(m, NULL, X, 0, &o));
    o.lr = 0;
    TU_EXPECT_ERROR(lintrain_fit(m, NULL, X, 1, &o));
    o.lr = NAN;
    TU_EXPECT_ERROR(lintrain_fit(m, NULL, X, 1, &o));
    o.lr = 0.1;
    o.steps = -1;
    TU_EXPECT_ERROR(lintrain_fit(m, NULL, X, 1, &o));
    o.steps = 1;
    o.init_scale = -1;
    TU_EXPECT_ERROR(lintrain_fit(m, NULL, X, 1, &o));
    TU_EXPECT_ERROR(lintrain_fit(m, NULL, X, 1, NULL));
    TU_EXPECT_ERROR(lintrain_step(m, NULL, X, 1, -1.0));
    TU_EXPECT_ERROR(lintrain_loss(m, X, 0));
    linae_t ae;
    linae_init(ae, 4, 1);
    TU_EXPECT_ERROR(lintrain_get_linae(ae, m));
    lintrain_analysis_t A;
    lintrain_analysis_init(A);
    TU_EXPECT_ERROR(lintrain_analyse(A, ae, 0));
    lintrain_analysis_clear(A);
    linae_clear(ae);
    lintrain_clear(m);
}

int main(void)
{
    static const tu_test T[] = {
        {"deterministic", test_deterministic},
        {"loss_decreases", test_loss_decreases},
        {"step_vs_exact_gradient", test_step_vs_exact_gradient},
        {"get_linae_exact", test_get_linae_exact},
        {"analyse_identity", test_analyse_identity},
        {"analyse_known", test_analyse_known},
        {"analyse_trained", test_analyse_trained},
        {"small_sizes", test_small_sizes},
        {"diverges", test_diverges},
        {"bad_input", test_bad_input},
        {NULL, NULL}};
    return tu_run("lintrain", 20250113, T);
}
