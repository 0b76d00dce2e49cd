/* test_score — CUnit suite for theory/score (statistics, distances, failure criterion,
 * the L5 distance-bound checker). */
#include <stdlib.h>

#include <gmp.h>
#include <mpfr.h>
#include <gsl/gsl_rng.h>

#include "testutil.h"
#include "qmat.h"
#include "score.h"

/* The k-th smallest (1-based) of e[0..n-1] by insertion sort on a copy. */
static void kth_by_hand(mpq_t r, const mpq_t *e, long n, long k)
{
    mpq_t *c = qvec_init(n);
    qvec_set(c, e, n);
    for (long i = 1; i < n; i++)
        for (long j = i; j > 0 && mpq_cmp(c[j - 1], c[j]) > 0; j--)
            mpq_swap(c[j - 1], c[j]);
    mpq_set(r, c[k - 1]);
    qvec_clear(c, n);
}

/* ---- min and quantile --------------------------------------------------------------- */

static void test_min_quantile(void)
{
    gsl_rng *rng = tu_rng();
    mpq_t r, h, q;
    mpq_inits(r, h, q, (mpq_ptr) NULL);
    static const long qs[][2] = { {1, 100}, {1, 2}, {95, 100}, {99, 100}, {1, 1}, {1, 3},
                                  {2, 3}, {1, 1000000} };
    for (long n = 1; n <= 40; n += (n < 5 ? 1 : 7)) {
        mpq_t *e = qvec_init(n);
        for (long i = 0; i < n; i++)
            tu_rand_q(e[i], rng, 5, 3);          /* small range: ties are frequent */
        long arg = -7;
        CU_ASSERT_EQUAL(score_min(r, &arg, e, n), AE_OK);
        kth_by_hand(h, e, n, 1);
        CU_ASSERT_TRUE(mpq_equal(r, h));
        CU_ASSERT_TRUE(arg >= 0 && arg < n && mpq_equal(e[arg], h));
        for (long i = 0; i < arg; i++)     /* first index attaining the minimum */
            CU_ASSERT_TRUE(mpq_cmp(e[i], h) > 0);
        CU_ASSERT_EQUAL(score_min(r, NULL, e, n), AE_OK);
        for (size_t a = 0; a < sizeof qs / sizeof qs[0]; a++) {
            mpq_set_si(q, qs[a][0], (unsigned long) qs[a][1]);
            mpq_canonicalize(q);
            long m = (qs[a][0] * n + qs[a][1] - 1) / qs[a][1];   /* ceil(q n) */
            if (m < 1)
                m = 1;
            CU_ASSERT_EQUAL(score_quantile(r, e, n, q), AE_OK);
            kth_by_hand(h, e, n, m);
            CU_ASSERT_TRUE(mpq_equal(r, h));
        }
        /* q = 1: the maximum; q = 1/n: the minimum; output aliasing an input element */
        mpq_set_ui(q, 1, 1);
        score_quantile(r, e, n, q);
        kth_by_hand(h, e, n, n);
        CU_ASSERT_TRUE(mpq_equal(r, h));
        mpq_set_ui(q, 1, (unsigned long) n);
        mpq_set(h, e[0]);
        score_quantile(e[0], e, n, q);
        mpq_swap(h, e[0]);
        kth_by_hand(r, e, n, 1);
        CU_ASSERT_TRUE(mpq_equal(r, h));
        qvec_clear(e, n);
    }
    /* a concrete check of the convention: n = 100 scores 1..100, q = 0.99 -> 99 */
    mpq_t *e = qvec_init(100);
    for (long i = 0; i < 100; i++)
        mpq_set_ui(e[99 - i], (unsigned long) i + 1, 1);
    mpq_set_ui(q, 99, 100);
    score_quantile(r, e, 100, q);
    CU_ASSERT_EQUAL(mpq_cmp_ui(r, 99, 1), 0);
    mpq_set_ui(q, 991, 1000);                /* ceil(99.1) = 100 */
    score_quantile(r, e, 100, q);
    CU_ASSERT_EQUAL(mpq_cmp_ui(r, 100, 1), 0);
    /* misuse: n = 0, q = 0, q < 0, q > 1 */
    TU_EXPECT_ERROR(score_min(r, NULL, e, 0));
    TU_EXPECT_ERROR(score_quantile(r, e, 0, q));
    mpq_set_ui(q, 0, 1);
    TU_EXPECT_ERROR(score_quantile(r, e, 100, q));
    mpq_set_si(q, -1, 2);
    TU_EXPECT_ERROR(score_quantile(r, e, 100, q));
    mpq_set_si(q, 101, 100);
    TU_EXPECT_ERROR(score_quantile(r, e, 100, q));
    qvec_clear(e, 100);
    mpq_clears(r, h, q, (mpq_ptr) NULL);
    gsl_rng_free(rng);
}

/* ---- distances ----------------------------------------------------------------------- */

static void brute_dist2(mpq_t r, long *arg, const mpq_t *a, const qmat_t X)
{
    mpq_t t;
    mpq_init(t);
    *arg = -1;
    for (long i = 0; i < X->r; i++) {
        qvec_dist2(t, a, qmat_row(X, i), X->c);
        if (*arg < 0 || mpq_cmp(t, r) < 0) {
            mpq_set(r, t);
            *arg = i;
        }
    }
    mpq_clear(t);
}

static void brute_diam2(mpq_t r, const qmat_t X)
{
    mpq_t t;
    mpq_init(t);
    mpq_set_ui(r, 0, 1);
    for (long i = 0; i < X->r; i++)
        for (long j = 0; j < X->r; j++) {
            qvec_dist2(t, qmat_row(X, i), qmat_row(X, j), X->c);
            if (mpq_cmp(t, r) > 0)
                mpq_set(r, t);
        }
    mpq_clear(t);
}

static void test_dist2(void)
{
    gsl_rng *rng = tu_rng();
    mpq_t r, h, big;
    mpq_inits(r, h, big, (mpq_ptr) NULL);
    mpz_ui_pow_ui(mpq_numref(big), 10, 100);
    static const long sz[][2] = { {1, 1}, {2, 1}, {1, 3}, {2, 3}, {7, 5}, {30, 4}, {3, 0} };
    for (size_t s = 0; s < sizeof sz / sizeof sz[0]; s++) {
        long n = sz[s][0], d = sz[s][1];
        for (int kind = 0; kind < 4; kind++) {
            qmat_t X;
            qmat_init(X, n, d);
            mpq_t *a = qvec_init(d);
            for (long i = 0; i < n * d; i++) {
                if (kind == 2)
                    tu_rand_q_big(X->entries[i], rng, 70);
                else
                    tu_rand_q(X->entries[i], rng, 9, 6);
            }
            for (long j = 0; j < d; j++)
                tu_rand_q(a[j], rng, 9, 6);
            if (kind == 1)                  /* far away: 10^100 times */
                qvec_scale(a, a, big, d);
            if (kind == 3 && n > 0)         /* a is a data point: distance 0 */
                qvec_set(a, qmat_row(X, n - 1), d);
            long arg = -5, barg;
            CU_ASSERT_EQUAL(score_dist2_to_set(r, &arg, a, X), AE_OK);
            brute_dist2(h, &barg, a, X);
            CU_ASSERT_TRUE(mpq_equal(r, h));
            CU_ASSERT_EQUAL(arg, barg);
            if (kind == 3)
                CU_ASSERT_EQUAL(mpq_sgn(r), 0);
            CU_ASSERT_EQUAL(score_dist2_to_set(r, NULL, a, X), AE_OK);
            CU_ASSERT_TRUE(mpq_equal(r, h));
            if (d > 0) {                    /* output aliasing the point */
                CU_ASSERT_EQUAL(score_dist2_to_set(a[0], NULL, a, X), AE_OK);
                CU_ASSERT_TRUE(mpq_equal(a[0], h));
            }
            qvec_clear(a, d);
            qmat_clear(X);
        }
    }
    qmat_t X0;
    qmat_init(X0, 0, 3);
    mpq_t *a = qvec_init(3);
    TU_EXPECT_ERROR(score_dist2_to_set(r, NULL, a, X0));
    qvec_clear(a, 3);
    qmat_clear(X0);
    mpq_clears(r, h, big, (mpq_ptr) NULL);
    gsl_rng_free(rng);
}

static void test_diameter2(void)
{
    gsl_rng *rng = tu_rng();
    mpq_t r, h;
    mpq_inits(r, h, (mpq_ptr) NULL);
    static const long sz[][2] = { {0, 3}, {1, 3}, {2, 1}, {2, 4}, {5, 3}, {30, 6}, {4, 0} };
    for (size_t s = 0; s < sizeof sz / sizeof sz[0]; s++) {
        long n = sz[s][0], d = sz[s][1];
        for (int kind = 0; kind < 3; kind++) {
            qmat_t X;
            qmat_init(X, n, d);
            for (long i = 0; i < n * d; i++) {
                if (kind == 0)
                    tu_rand_q(X->entries[i], rng, 9, 6);            /* machine-word path */
                else if (kind == 1)
                    tu_rand_q_big(X->entries[i], rng, 80);          /* mpz path */
                else if (i % 5 == 0)
                    tu_rand_q_big(X->entries[i], rng, 40);          /* mixed */
                else
                    tu_rand_q(X->entries[i], rng, 100, 1);
            }
            CU_ASSERT_EQUAL(score_diameter2(r, X), AE_OK);
            brute_diam2(h, X);
            CU_ASSERT_TRUE(mpq_equal(r, h));
            if (n <= 1)
                CU_ASSERT_EQUAL(mpq_sgn(r), 0);
            qmat_clear(X);
        }
    }
    /* the edges of the machine-word path: integers just below 2^61 ... 2^64, where
     * differences or sums of squares stop fitting 64 or 128 bits */
    static const long edge_d[] = { 1, 2, 3, 4, 8, 9 };
    for (int e = 61; e <= 64; e++) {
        for (size_t di = 0; di < sizeof edge_d / sizeof edge_d[0]; di++) {
            long d = edge_d[di];
            qmat_t X;
            qmat_init(X, 3, d);
            mpz_t z;
            mpz_init(z);
            mpz_ui_pow_ui(z, 2, (unsigned long) e);
            mpz_sub_ui(z, z, 1);
            for (long j = 0; j < d; j++) {
                mpq_set_z(qmat_entry(X, 0, j), z);
                mpq_neg(qmat_entry(X, 1, j), qmat_entry(X, 0, j));
                mpq_set_ui(qmat_entry(X, 2, j), 3, 1);
            }
            score_diameter2(r, X);
            brute_diam2(h, X);
            CU_ASSERT_TRUE(mpq_equal(r, h));
            /* (2 (2^e - 1))^2 d */
            mpz_mul_2exp(z, z, 1);
            mpz_mul(z, z, z);
            mpz_mul_ui(z, z, (unsigned long) d);
            CU_ASSERT_EQUAL(mpz_cmp(mpq_numref(r), z), 0);
            mpz_clear(z);
            qmat_clear(X);
        }
    }
    mpq_clears(r, h, (mpq_ptr) NULL);
    gsl_rng_free(rng);
}

/* The rounded path: near ties resolved exactly, all-equal points, extreme scales,
 * unrelated 40-bit denominators. */
static void test_diameter2_rounded(void)
{
    gsl_rng *rng = tu_rng();
    mpq_t r, h, eps, sc;
    mpq_inits(r, h, eps, sc, (mpq_ptr) NULL);
    /* rows 0, e1, (1 + 10^-40) e2 / ... : squared distances 1, 1 + 2 10^-40 + 10^-80, ... */
    qmat_t X;
    qmat_init(X, 3, 3);
    mpz_ui_pow_ui(mpq_denref(eps), 10, 40);
    mpz_set_ui(mpq_numref(eps), 1);
    mpq_set_ui(qmat_entry(X, 1, 0), 1, 1);
    mpq_set_ui(qmat_entry(X, 2, 1), 1, 1);
    mpq_add(qmat_entry(X, 2, 1), qmat_entry(X, 2, 1), eps);
    score_diameter2(r, X);
    brute_diam2(h, X);
    CU_ASSERT_TRUE(mpq_equal(r, h));
    /* NEGATIVE CONTROL for the test itself: the tie partner's distance is smaller */
    qvec_dist2(h, qmat_row(X, 0), qmat_row(X, 2), 3);
    CU_ASSERT_TRUE(mpq_cmp(h, r) < 0);
    qmat_clear(X);
    /* all zero */
    qmat_init(X, 3, 2);
    mpq_set_ui(r, 7, 1);
    score_diameter2(r, X);
    CU_ASSERT_EQUAL(mpq_sgn(r), 0);
    qmat_clear(X);
    /* all rows equal (big rationals): every pair is a candidate, diameter 0 */
    qmat_init(X, 30, 4);
    for (long j = 0; j < 4; j++)
        tu_rand_q_big(qmat_entry(X, 0, j), rng, 90);
    for (long i = 1; i < 30; i++)
        qvec_set(qmat_row(X, i), qmat_row(X, 0), 4);
    score_diameter2(r, X);
    CU_ASSERT_EQUAL(mpq_sgn(r), 0);
    qmat_clear(X);
    /* scales 10^1000 and 10^-1000: diam^2 scales by 10^(+-2000) */
    for (int sgn = -1; sgn <= 1; sgn += 2) {
        qmat_init(X, 12, 5);
        for (long i = 0; i < 60; i++)
            tu_rand_q(X->entries[i], rng, 9, 6);
        score_diameter2(h, X);
        mpz_ui_pow_ui(mpq_numref(sc), 10, 1000);
        mpz_set_ui(mpq_denref(sc), 1);
        if (sgn < 0)
            mpq_inv(sc, sc);
        for (long i = 0; i < 60; i++)
            mpq_mul(X->entries[i], X->entries[i], sc);
        score_diameter2(r, X);
        mpq_mul(h, h, sc);
        mpq_mul(h, h, sc);
        CU_ASSERT_TRUE(mpq_equal(r, h));
        qmat_clear(X);
    }
    /* unrelated 40-bit denominators: brute force on 150 x 12 */
    qmat_init(X, 150, 12);
    for (long i = 0; i < 150 * 12; i++) {
        mpz_set_ui(mpq_numref(X->entries[i]), gsl_rng_get(rng) % 1000);
        mpz_set_ui(mpq_denref(X->entries[i]), 1 + (gsl_rng_get(rng) << 8));
        mpq_canonicalize(X->entries[i]);
    }
    score_diameter2(r, X);
    brute_diam2(h, X);
    CU_ASSERT_TRUE(mpq_equal(r, h));
    qmat_clear(X);
    mpq_clears(r, h, eps, sc, (mpq_ptr) NULL);
    gsl_rng_free(rng);
}

/* Real-data scale: 541 x 64 min–max-like rationals, well under a second; checked
 * against brute force on a 60-row subset and against the pair found. */
static void test_diameter2_speed(void)
{
    gsl_rng *rng = tu_rng();
    long n = 541, d = 64;
    qmat_t X, Y;
    qmat_init(X, n, d);
    qmat_init(Y, 60, d);
    for (long j = 0; j < d; j++) {
        unsigned long den = 1 + gsl_rng_uniform_int(rng, 16);    /* per-feature range */
        for (long i = 0; i < n; i++) {
            mpq_set_ui(qmat_entry(X, i, j), gsl_rng_uniform_int(rng, den + 1), den);
            mpq_canonicalize(qmat_entry(X, i, j));
        }
    }
    mpq_t r, h;
    mpq_inits(r, h, (mpq_ptr) NULL);
    for (int kind = 0; kind < 2; kind++) {
        if (kind == 1)          /* unrelated 40-bit denominators in a third of the entries */
            for (long i = 0; i < n * d; i += 3) {
                mpz_set_ui(mpq_numref(X->entries[i]), gsl_rng_get(rng) % 1000);
                mpz_set_ui(mpq_denref(X->entries[i]), 1 + (gsl_rng_get(rng) << 8));
                mpq_canonicalize(X->entries[i]);
            }
        CU_ASSERT_EQUAL(score_diameter2(r, X), AE_OK);
        qmat_submatrix(Y, X, 0, 0);
        score_diameter2(h, Y);
        CU_ASSERT_TRUE(mpq_cmp(r, h) >= 0);
        brute_diam2(r, Y);
        CU_ASSERT_TRUE(mpq_equal(r, h));
    }
    mpq_clears(r, h, (mpq_ptr) NULL);
    qmat_clear(X);
    qmat_clear(Y);
    gsl_rng_free(rng);
}

/* ---- failure criterion --------------------------------------------------------------- */

static void test_failure(void)
{
    mpq_t sc, smin, d2, del2, sq;
    mpq_inits(sc, smin, d2, del2, sq, (mpq_ptr) NULL);
    mpq_set_ui(smin, 1, 3);
    mpq_set_ui(del2, 4, 1);
    mpq_set_ui(sq, 1, 2);
    /* boundary: dist = delta, e(a) = s_min -> failure */
    mpq_set_ui(sc, 1, 3);
    mpq_set_ui(d2, 4, 1);
    CU_ASSERT_EQUAL(score_failure(sc, smin, d2, del2), 1);
    mpq_set_ui(sc, 0, 1);
    CU_ASSERT_EQUAL(score_failure(sc, smin, d2, del2), 1);
    /* too close */
    mpq_set_ui(d2, 3999, 1000);
    CU_ASSERT_EQUAL(score_failure(sc, smin, d2, del2), 0);
    /* score above s_min */
    mpq_set_ui(d2, 5, 1);
    mpq_set_ui(sc, 1001, 3000);
    CU_ASSERT_EQUAL(score_failure(sc, smin, d2, del2), 0);
    /* delta = 0: any point with e <= s_min */
    mpq_set_ui(del2, 0, 1);
    mpq_set_ui(d2, 0, 1);
    mpq_set_ui(sc, 1, 3);
    CU_ASSERT_EQUAL(score_failure(sc, smin, d2, del2), 1);
    /* practical miss: strict */
    CU_ASSERT_EQUAL(score_miss_quantile(sc, sq), 1);
    CU_ASSERT_EQUAL(score_miss_quantile(sq, sq), 0);
    CU_ASSERT_EQUAL(score_miss_quantile(smin, sc), 0);
    mpq_set_si(d2, -1, 1);
    TU_EXPECT_ERROR(score_failure(sc, smin, d2, del2));
    mpq_set_si(del2, -1, 1);
    mpq_set_ui(d2, 1, 1);
    TU_EXPECT_ERROR(score_failure(sc, smin, d2, del2));
    mpq_clears(sc, smin, d2, del2, sq, (mpq_ptr) NULL);
}

/* ---- the L5 distance bound ------------------------------------------------------------ */

/* Sign of sqrt(D) - sqrt(A) + sqrt(B) by MPFR at `prec` bits: +1 / -1 when the
 * rounding error (a few ulps of the largest root) cannot flip it, 0 when undecided. */
static int mpfr_bound_sign(const mpq_t A, const mpq_t B, const mpq_t D, mpfr_prec_t prec)
{
    mpfr_t a, b, dd, v, tol;
    mpfr_inits2(prec, a, b, dd, v, tol, (mpfr_ptr) NULL);
    mpfr_set_q(a, A, MPFR_RNDN);
    mpfr_sqrt(a, a, MPFR_RNDN);
    mpfr_set_q(b, B, MPFR_RNDN);
    mpfr_sqrt(b, b, MPFR_RNDN);
    mpfr_set_q(dd, D, MPFR_RNDN);
    mpfr_sqrt(dd, dd, MPFR_RNDN);
    mpfr_sub(v, dd, a, MPFR_RNDN);
    mpfr_add(v, v, b, MPFR_RNDN);
    /* tol = 2^(10 - prec) (a + b + dd + 1): far above the accumulated rounding error */
    mpfr_add(tol, a, b, MPFR_RNDU);
    mpfr_add(tol, tol, dd, MPFR_RNDU);
    mpfr_add_ui(tol, tol, 1, MPFR_RNDU);
    mpfr_mul_2si(tol, tol, 10 - (long) prec, MPFR_RNDU);
    int s = 0;
    if (mpfr_cmpabs(v, tol) > 0)
        s = mpfr_sgn(v) > 0 ? 1 : -1;
    mpfr_clears(a, b, dd, v, tol, (mpfr_ptr) NULL);
    return s;
}

static void test_distance_bound(void)
{
    gsl_rng *rng = tu_rng();
    mpq_t A, B, D, t;
    mpq_inits(A, B, D, t, (mpq_ptr) NULL);
    long decided = 0, trues = 0, falses = 0;
    for (int it = 0; it < 3000; it++) {
        tu_rand_q(A, rng, 50, 7);
        mpq_abs(A, A);
        tu_rand_q(B, rng, 50, 7);
        mpq_abs(B, B);
        int mode = it % 3;
        if (mode == 0) {
            tu_rand_q(D, rng, 50, 7);
            mpq_abs(D, D);
        } else {
            /* D near (sqrt A - sqrt B)^2, from a 60-bit MPFR approximation: the hard zone */
            mpfr_t a, b;
            mpfr_inits2(60, a, b, (mpfr_ptr) NULL);
            mpfr_set_q(a, A, MPFR_RNDN);
            mpfr_sqrt(a, a, MPFR_RNDN);
            mpfr_set_q(b, B, MPFR_RNDN);
            mpfr_sqrt(b, b, MPFR_RNDN);
            mpfr_sub(a, a, b, MPFR_RNDN);
            mpfr_sqr(a, a, MPFR_RNDN);
            mpfr_get_q(D, a);
            if (mode == 2) {     /* nudge by a tiny rational either way */
                mpq_set_si(t, gsl_rng_uniform_int(rng, 2) ? 1 : -1, 1UL << 40);
                mpq_add(D, D, t);
                mpq_abs(D, D);
            }
            mpfr_clears(a, b, (mpfr_ptr) NULL);
        }
        int got = score_check_distance_bound(A, B, D);
        CU_ASSERT_TRUE(got == 0 || got == 1);
        int ref = mpfr_bound_sign(A, B, D, 2000);
        if (ref != 0) {
            decided++;
            CU_ASSERT_EQUAL(got, ref > 0);
            if (ref > 0) trues++; else falses++;
        }
    }
    CU_ASSERT_TRUE(decided > 2900);
    CU_ASSERT_TRUE(trues > 100 && falses > 100);

    /* exact equality sqrt(4) = sqrt(9) - sqrt(1): holds */
    mpq_set_ui(A, 9, 1);
    mpq_set_ui(B, 1, 1);
    mpq_set_ui(D, 4, 1);
    CU_ASSERT_EQUAL(score_check_distance_bound(A, B, D), 1);
    /* NEGATIVE CONTROL, crafted false instance: sqrt(3) < 3 - 1 */
    mpq_set_ui(D, 3, 1);
    CU_ASSERT_EQUAL(score_check_distance_bound(A, B, D), 0);
    /* just below equality by 10^-30: false */
    mpz_ui_pow_ui(mpq_denref(t), 10, 30);
    mpz_set_ui(mpq_numref(t), 1);
    mpq_set_ui(D, 4, 1);
    mpq_sub(D, D, t);
    CU_ASSERT_EQUAL(score_check_distance_bound(A, B, D), 0);
    /* R <= 0 branch: D >= A + B */
    mpq_set_ui(D, 10, 1);
    CU_ASSERT_EQUAL(score_check_distance_bound(A, B, D), 1);
    /* sqrt(A) < sqrt(B): trivially true, even at D = 0 */
    mpq_set_ui(A, 1, 1);
    mpq_set_ui(B, 9, 1);
    mpq_set_ui(D, 0, 1);
    CU_ASSERT_EQUAL(score_check_distance_bound(A, B, D), 1);
    /* A = B, D = 0: equality 0 >= 0 */
    mpq_set_ui(B, 1, 1);
    CU_ASSERT_EQUAL(score_check_distance_bound(A, B, D), 1);
    /* irrational boundary: sqrt(D) vs sqrt(2) - 1, D = 3 - 2 sqrt 2 = 0.17157287525...;
     * 0.1715728752 is below, 0.1715728753 above */
    mpq_set_ui(A, 2, 1);
    mpq_set_ui(B, 1, 1);
    mpq_set_ui(D, 1715728752, 1);
    mpz_ui_pow_ui(mpq_denref(D), 10, 10);
    mpq_canonicalize(D);
    CU_ASSERT_EQUAL(score_check_distance_bound(A, B, D), 0);
    mpq_set_ui(D, 1715728753, 1);
    mpz_ui_pow_ui(mpq_denref(D), 10, 10);
    mpq_canonicalize(D);
    CU_ASSERT_EQUAL(score_check_distance_bound(A, B, D), 1);
    /* misuse */
    mpq_set_si(D, -1, 1);
    TU_EXPECT_ERROR(score_check_distance_bound(A, B, D));
    mpq_set_si(A, -1, 1);
    mpq_set_ui(D, 1, 1);
    TU_EXPECT_ERROR(score_check_distance_bound(A, B, D));
    mpq_clears(A, B, D, t, (mpq_ptr) NULL);
    gsl_rng_free(rng);
}

int main(void)
{
    static const tu_test T[] = {
        {"min and quantile vs sorting by hand", test_min_quantile},
        {"dist2 to a set vs brute force", test_dist2},
        {"diameter^2 vs brute force, n = 0, 1, 2, word edges", test_diameter2},
        {"diameter^2: rounded path, ties, scales", test_diameter2_rounded},
        {"diameter^2 of 541 x 64 under a second", test_diameter2_speed},
        {"failure criterion and quantile miss", test_failure},
        {"distance bound vs MPFR, crafted false instance", test_distance_bound},
        {NULL, NULL}
    };
    return tu_run("score", 20250118UL, T);
}
