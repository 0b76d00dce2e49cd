/* test_pdcert — CUnit suite for numerics/pdcert (Rump's Cholesky certificate, certified
 * lambda_max of integer Gram matrices).  The second method throughout is exact: an
 * exact LDL^T (Sylvester's criterion) in rationals, and exact Rayleigh quotients. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <gmp.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#include "testutil.h"
#include "zvec.h"
#include "pdcert.h"

/* ---- helpers ------------------------------------------------------------------------ */

/* 1 if the symmetric n x n rational matrix A (consumed: overwritten) is positive definite:
 * exact Gaussian elimination without pivoting, every pivot > 0 (Sylvester). */
static int exact_pd(mpq_t *A, long n)
{
    mpq_t f, t;
    mpq_inits(f, t, (mpq_ptr) NULL);
    int ok = 1;
    for (long k = 0; k < n && ok; k++) {
        if (mpq_sgn(A[k * n + k]) <= 0) {
            ok = 0;
            break;
        }
        for (long i = k + 1; i < n; i++) {
            mpq_div(f, A[i * n + k], A[k * n + k]);
            for (long j = k + 1; j < n; j++) {
                mpq_mul(t, f, A[k * n + j]);
                mpq_sub(A[i * n + j], A[i * n + j], t);
            }
        }
    }
    mpq_clears(f, t, (mpq_ptr) NULL);
    return ok;
}

/* 1 if the double matrix A is exactly positive definite (exact_pd on a copy). */
static int exact_pd_d(const double *A, long n)
{
    mpq_t *Q = malloc((size_t) (n * n + 1) * sizeof(mpq_t));
    for (long i = 0; i < n * n; i++) {
        mpq_init(Q[i]);
        mpq_set_d(Q[i], A[i]);
    }
    int ok = exact_pd(Q, n);
    for (long i = 0; i < n * n; i++)
        mpq_clear(Q[i]);
    free(Q);
    return ok;
}

/* G = the Gram matrix pdcert uses for the m x n integer matrix A (exact, mpz). */
static mpz_t *gram(long *k, const mpz_t *A, long m, long n)
{
    int tr = n <= m;
    *k = tr ? n : m;
    long L = tr ? m : n;
    mpz_t *G = zvec_init(*k * *k);
    for (long i = 0; i < *k; i++)
        for (long j = i; j < *k; j++) {
            for (long r = 0; r < L; r++)
                mpz_addmul(G[i * *k + j], tr ? A[r * n + i] : A[i * n + r],
                           tr ? A[r * n + j] : A[j * n + r]);
            mpz_set(G[j * *k + i], G[i * *k + j]);
        }
    return G;
}

/* 1 if b I - G is exactly positive definite. */
static int exact_above(const mpq_t b, const mpz_t *G, long k)
{
    mpq_t *Q = malloc((size_t) (k * k + 1) * sizeof(mpq_t));
    for (long i = 0; i < k * k; i++) {
        mpq_init(Q[i]);
        mpq_set_z(Q[i], G[i]);
        mpq_neg(Q[i], Q[i]);
        if (i % (k + 1) == 0)
            mpq_add(Q[i], Q[i], b);
    }
    int ok = exact_pd(Q, k);
    for (long i = 0; i < k * k; i++)
        mpq_clear(Q[i]);
    free(Q);
    return ok;
}

/* The float eigen-decomposition of G (k x k) scaled by 2^-s: largest eigenvalue (scaled
 * back) and its eigenvector rounded to integers. */
static double float_top(mpz_t *z, const mpz_t *G, long k)
{
    long s = 0;
    for (long i = 0; i < k * k; i++)
        if (mpz_sgn(G[i]) && (long) mpz_sizeinbase(G[i], 2) > s)
            s = (long) mpz_sizeinbase(G[i], 2);
    gsl_matrix *M = gsl_matrix_alloc((size_t) k, (size_t) k), *V = gsl_matrix_alloc((size_t) k, (size_t) k);
    gsl_vector *ev = gsl_vector_alloc((size_t) k);
    gsl_eigen_symmv_workspace *w = gsl_eigen_symmv_alloc((size_t) k);
    for (long i = 0; i < k; i++)
        for (long j = 0; j < k; j++) {
            long ex;
            double d = mpz_get_d_2exp(&ex, G[i * k + j]);
            gsl_matrix_set(M, (size_t) i, (size_t) j, ldexp(d, (int) (ex - s)));
        }
    CU_ASSERT_FATAL(gsl_eigen_symmv(M, ev, V, w) == 0);
    size_t im = gsl_vector_max_index(ev);
    double lam = ldexp(gsl_vector_get(ev, im), (int) s);
    for (long i = 0; i < k; i++)
        mpz_set_d(z[i], nearbyint(ldexp(gsl_matrix_get(V, (size_t) i, im), 40)));
    gsl_eigen_symmv_free(w);
    gsl_vector_free(ev);
    gsl_matrix_free(V);
    gsl_matrix_free(M);
    return lam;
}

/* rq = z^T G z / z^T z exactly (0 for z = 0). */
static void rayleigh(mpq_t rq, const mpz_t *G, long k, const mpz_t *z)
{
    mpz_t num, den, t;
    mpz_inits(num, den, t, (mpz_ptr) NULL);
    for (long i = 0; i < k; i++) {
        mpz_set_ui(t, 0);
        for (long j = 0; j < k; j++)
            mpz_addmul(t, G[i * k + j], z[j]);
        mpz_addmul(num, t, z[i]);
        mpz_addmul(den, z[i], z[i]);
    }
    if (mpz_sgn(den) == 0)
        mpz_set_ui(den, 1);
    mpq_set_num(rq, num);
    mpq_set_den(rq, den);
    mpq_canonicalize(rq);
    mpz_clears(num, den, t, (mpz_ptr) NULL);
}

/* ---- pdcert_chol -------------------------------------------------------------------- */

static void test_chol_known(void)
{
    static const double spd[] = { 2, -1, -1, 2 }, ind[] = { 1, 2, 2, 1 }, sing[] = { 1, 1, 1, 1 };
    static const double zd[] = { 1, 0, 0, 0 }, neg[] = { -1, 0, 0, 1 };
    CU_ASSERT_EQUAL(pdcert_chol(spd, 0), 1);        /* empty: vacuously PD */
    CU_ASSERT_EQUAL(pdcert_chol(spd, 2), 1);
    CU_ASSERT_EQUAL(pdcert_chol(ind, 2), 0);        /* eigenvalues 3, -1 */
    CU_ASSERT_EQUAL(pdcert_chol(sing, 2), 0);       /* PSD, singular: never certified */
    CU_ASSERT_EQUAL(pdcert_chol(zd, 2), 0);
    CU_ASSERT_EQUAL(pdcert_chol(neg, 2), 0);
    double a[1];
    a[0] = 1e-300;                                  /* c ~ 48 eta: tiny normals pass */
    CU_ASSERT_EQUAL(pdcert_chol(a, 1), 1);
    a[0] = ldexp(1, -1070);                         /* 16 eta < c: the eta term bites */
    CU_ASSERT_EQUAL(pdcert_chol(a, 1), 0);
    a[0] = 0;
    CU_ASSERT_EQUAL(pdcert_chol(a, 1), 0);
    /* identities and the 1-2-1 matrix up to n = 60 (lambda_min = 2 - 2 cos(pi/(n+1))) */
    for (long n = 1; n <= 60; n += 7) {
        double *I = calloc((size_t) (n * n), sizeof(double)), *T = calloc((size_t) (n * n), sizeof(double));
        for (long i = 0; i < n; i++) {
            I[i * n + i] = 1;
            T[i * n + i] = 2;
            if (i + 1 < n)
                T[i * n + i + 1] = T[(i + 1) * n + i] = -1;
        }
        CU_ASSERT_EQUAL(pdcert_chol(I, n), 1);
        CU_ASSERT_EQUAL(pdcert_chol(T, n), 1);
        /* negative control: T - (lambda_min + 1e-3) I is indefinite */
        double lmin = 2 - 2 * cos(4 * atan(1.0) / (double) (n + 1));
        for (long i = 0; i < n; i++)
            T[i * n + i] = 2 - lmin - 1e-3;
        CU_ASSERT_EQUAL(pdcert_chol(T, n), 0);
        free(I);
        free(T);
    }
}

/* Random symmetric matrices near the PD boundary: every certified one is exactly PD
 * (soundness, exact LDL^T), and every comfortably PD one is certified. */
static void test_chol_random(void)
{
    gsl_rng *r = tu_rng();
    int certified = 0, rejected = 0;
    for (int rep = 0; rep < 300; rep++) {
        long n = 1 + (long) gsl_rng_uniform_int(r, 9);
        double *B = malloc((size_t) (n * n) * sizeof(double)), *A = malloc((size_t) (n * n) * sizeof(double));
        for (long i = 0; i < n * n; i++)
            B[i] = gsl_rng_uniform(r) - 0.5;
        for (long i = 0; i < n; i++)
            for (long j = 0; j < n; j++) {
                double s = 0;
                for (long t = 0; t < n; t++)
                    s += B[t * n + i] * B[t * n + j];
                A[i * n + j] = s;
            }
        for (long i = 0; i < n; i++)
            for (long j = 0; j < i; j++)
                A[i * n + j] = A[j * n + i];
        /* shift by a random amount around 0: some PD, some not */
        double sh = (gsl_rng_uniform(r) - 0.5) * 0.2;
        for (long i = 0; i < n; i++)
            A[i * n + i] += sh;
        int c = pdcert_chol(A, n), e = exact_pd_d(A, n);
        CU_ASSERT(c == 0 || c == 1);
        if (c == 1)
            CU_ASSERT(e == 1);
        if (e == 1 && sh > 1e-6)
            CU_ASSERT(c == 1);
        certified += c == 1;
        rejected += c == 0;
        free(A);
        free(B);
    }
    CU_ASSERT(certified > 50 && rejected > 50);
    gsl_rng_free(r);
}

static void test_chol_misuse(void)
{
    static const double asym[] = { 1, 0.5, 0.25, 1 };
    double nan2[] = { 1, 0, 0, NAN };
    TU_EXPECT_ERROR(pdcert_chol(NULL, 2));
    TU_EXPECT_ERROR(pdcert_chol(asym, -1));
    TU_EXPECT_ERROR(pdcert_chol(asym, 2));
    TU_EXPECT_ERROR(pdcert_chol(nan2, 2));
}

/* ---- pdcert_gram_lmax --------------------------------------------------------------- */

/* Checks lr, lc for A (m x n, entries also as longs when As != NULL): both exactly above
 * lambda_max (exact LDL^T of b I - G, G formed independently here, for small sizes;
 * Rayleigh quotients always), lr within 2^-9 of the float lambda_max, the long and mpz
 * entry sources identical, and the transpose giving the same numbers. */
static void check_gram(const mpz_t *A, const long *As, long m, long n, gsl_rng *r)
{
    mpq_t lr, lc, lr2, lc2, t, b;
    mpq_inits(lr, lc, lr2, lc2, t, b, (mpq_ptr) NULL);
    int rc = pdcert_gram_lmax(lr, lc, A, As, m, n);
    CU_ASSERT(rc == AE_OK);
    CU_ASSERT_EQUAL(pdcert_gram_lmax(lr2, lc2, A, NULL, m, n), rc);   /* mpz path */
    CU_ASSERT(mpq_equal(lr, lr2) && mpq_equal(lc, lc2));
    mpz_t *AT = zvec_init(m * n);
    for (long i = 0; i < m; i++)
        for (long j = 0; j < n; j++)
            mpz_set(AT[j * m + i], A[i * n + j]);
    if (m != n) {   /* the transpose has the same smaller Gram side */
        CU_ASSERT_EQUAL(pdcert_gram_lmax(lr2, lc2, AT, NULL, n, m), rc);
        CU_ASSERT(mpq_equal(lr, lr2) && mpq_equal(lc, lc2));
    }
    zvec_clear(AT, m * n);
    long k;
    mpz_t *G = gram(&k, A, m, n), *z = zvec_init(k);
    if (k > 0 && k <= 12) {
        /* lr I - G PD exactly (lr is strict); lc (1 + 2^-40) I - G PD (lc may be tight) */
        CU_ASSERT(mpq_sgn(lr) == 0 || exact_above(lr, G, k));
        mpq_set_ui(t, 1, 1);
        mpq_div_2exp(t, t, 40);
        mpq_mul(b, lc, t);
        mpq_add(b, b, lc);
        CU_ASSERT(mpq_sgn(lc) == 0 || exact_above(b, G, k));
    }
    if (k > 0 && mpq_sgn(lr) > 0) {
        double lam = float_top(z, G, k);
        CU_ASSERT(mpq_get_d(lr) <= lam * (1 + ldexp(1, -9)));
        CU_ASSERT(mpq_cmp(lr, lc) <= 0 || mpq_get_d(lr) <= mpq_get_d(lc) * (1 + ldexp(1, -20)));
        for (int rep = 0; rep < 20; rep++) {
            if (rep > 0)
                for (long i = 0; i < k; i++)
                    mpz_set_si(z[i], (long) gsl_rng_uniform_int(r, 2001) - 1000);
            rayleigh(t, G, k, z);
            CU_ASSERT(mpq_cmp(t, lr) <= 0);
            CU_ASSERT(mpq_cmp(t, lc) <= 0);
        }
    }
    zvec_clear(z, k);
    zvec_clear(G, k * k);
    mpq_clears(lr, lc, lr2, lc2, t, b, (mpq_ptr) NULL);
}

static void test_gram_random(void)
{
    gsl_rng *r = tu_rng();
    for (int rep = 0; rep < 200; rep++) {
        long m = (long) gsl_rng_uniform_int(r, 9), n = (long) gsl_rng_uniform_int(r, 9);
        /* small; 40-bit; ~62-bit (two chunks); 100-bit without As (two chunks); 300-bit
         * (more than PD_MAXCH chunks: plain mpz products) */
        int kind = rep % 5;
        mpz_t *A = zvec_init(m * n);
        long *As = malloc((size_t) (m * n + 1) * sizeof(long));
        for (long i = 0; i < m * n; i++) {
            if (kind == 0)
                mpz_set_si(A[i], (long) gsl_rng_uniform_int(r, 21) - 10);
            else
                tu_rand_z_big(A[i], r, kind == 1 ? 40 : kind == 2 ? 48 : kind == 3 ? 100 : 300);
            if (kind == 2)
                mpz_mul_2exp(A[i], A[i], 14);           /* ~62 bits */
            As[i] = mpz_fits_slong_p(A[i]) ? mpz_get_si(A[i]) : 0;
        }
        check_gram(A, kind >= 3 ? NULL : As, m, n, r);
        free(As);
        zvec_clear(A, m * n);
    }
    gsl_rng_free(r);
}

static void test_gram_known(void)
{
    mpq_t lr, lc;
    mpq_inits(lr, lc, (mpq_ptr) NULL);
    /* zero and empty matrices: 0 exactly */
    mpz_t *A = zvec_init(6);
    long As[6] = { 0 };
    CU_ASSERT_EQUAL(pdcert_gram_lmax(lr, lc, A, As, 2, 3), AE_OK);
    CU_ASSERT(mpq_sgn(lr) == 0 && mpq_sgn(lc) == 0);
    CU_ASSERT_EQUAL(pdcert_gram_lmax(lr, lc, A, NULL, 0, 3), AE_OK);
    CU_ASSERT(mpq_sgn(lr) == 0 && mpq_sgn(lc) == 0);
    /* rank one u v^T, u = (1, 2), v = (1, 2, 3): lambda = 5 * 14 = 70; CW exact */
    static const long r1[] = { 1, 2, 3, 2, 4, 6 };
    for (int i = 0; i < 6; i++)
        mpz_set_si(A[i], r1[i]);
    CU_ASSERT_EQUAL(pdcert_gram_lmax(lr, lc, A, r1, 2, 3), AE_OK);
    CU_ASSERT(mpq_cmp_ui(lc, 70, 1) >= 0 && mpq_get_d(lc) < 70 * (1 + 1e-8));
    CU_ASSERT(mpq_cmp_ui(lr, 70, 1) > 0 && mpq_get_d(lr) < 70 * (1 + 1e-8));
    /* 1 x 1: a^2 */
    mpz_set_si(A[0], -7);
    CU_ASSERT_EQUAL(pdcert_gram_lmax(lr, lc, A, NULL, 1, 1), AE_OK);
    CU_ASSERT(mpq_cmp_ui(lc, 49, 1) == 0);   /* x = (1): exact */
    CU_ASSERT(mpq_cmp_ui(lr, 49, 1) > 0 && mpq_get_d(lr) < 49 * (1 + 1e-8));
    /* misuse */
    TU_EXPECT_ERROR(pdcert_gram_lmax(lr, lr, A, NULL, 1, 1));
    TU_EXPECT_ERROR(pdcert_gram_lmax(NULL, lc, A, NULL, 1, 1));
    TU_EXPECT_ERROR(pdcert_gram_lmax(lr, lc, NULL, NULL, 1, 1));
    TU_EXPECT_ERROR(pdcert_gram_lmax(lr, lc, A, NULL, -1, 1));
    zvec_clear(A, 6);
    mpq_clears(lr, lc, (mpq_ptr) NULL);
}

/* A 256 x 784 integer matrix of 24-bit mantissas (float32-like): fast on the __int128
 * path, the mpz path gives the same numbers, lr within 1e-6 of the float lambda_max and
 * above the exact Rayleigh quotient at the float eigenvector; the Cholesky negative
 * control: mu = 0.99 lambda fails (and mu I - G is exactly shown indefinite). */
static void test_gram_large(void)
{
    gsl_rng *r = tu_rng();
    long m = 256, n = 784;
    mpz_t *A = zvec_init(m * n);
    long *As = malloc((size_t) (m * n) * sizeof(long));
    for (long i = 0; i < m * n; i++) {
        As[i] = (long) gsl_rng_uniform_int(r, 1UL << 25) - (1L << 24);
        mpz_set_si(A[i], As[i]);
    }
    mpq_t lr, lc, lr2, lc2, t;
    mpq_inits(lr, lc, lr2, lc2, t, (mpq_ptr) NULL);
    struct timespec t0, t1, t2;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CU_ASSERT_EQUAL(pdcert_gram_lmax(lr, lc, A, As, m, n), AE_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CU_ASSERT_EQUAL(pdcert_gram_lmax(lr2, lc2, A, NULL, m, n), AE_OK);
    clock_gettime(CLOCK_MONOTONIC, &t2);
    double s1 = (double) (t1.tv_sec - t0.tv_sec) + 1e-9 * (double) (t1.tv_nsec - t0.tv_nsec);
    double s2 = (double) (t2.tv_sec - t1.tv_sec) + 1e-9 * (double) (t2.tv_nsec - t1.tv_nsec);
    CU_ASSERT(s1 < 0.5);
    CU_ASSERT(mpq_equal(lr, lr2) && mpq_equal(lc, lc2));
    long k;
    mpz_t *G = gram(&k, A, m, n), *z = zvec_init(k);
    double lam = float_top(z, G, k);
    CU_ASSERT(mpq_get_d(lr) >= lam * (1 - 1e-12) && mpq_get_d(lr) <= lam * (1 + 1e-6));
    rayleigh(t, G, k, z);
    CU_ASSERT(mpq_cmp(t, lr) <= 0);
    CU_ASSERT(mpq_cmp(t, lc) <= 0);
    if (getenv("AEAUDIT_VERBOSE"))
        printf("\n  256 x 784: lr / float lambda = %.12f, lc / float lambda = %.4f, "
               "int128 %.3f s, mpz %.3f s\n", mpq_get_d(lr) / lam, mpq_get_d(lc) / lam, s1, s2);
    /* negative control: X = mu I - G 2^-s with mu = 0.99 lambda 2^-s; z^T X z < 0 exactly */
    long s = (long) mpz_sizeinbase(G[0], 2);
    for (long i = 0; i < k; i++)
        if ((long) mpz_sizeinbase(G[i * k + i], 2) > s)
            s = (long) mpz_sizeinbase(G[i * k + i], 2);
    double *X = malloc((size_t) (k * k) * sizeof(double));
    for (int pass = 0; pass < 2; pass++) {
        double mu = ldexp(lam, (int) -s) * (pass == 0 ? 0.99 : 1.01);
        for (long i = 0; i < k * k; i++) {
            long ex;
            double d = mpz_get_d_2exp(&ex, G[i]);
            X[i] = -ldexp(d, (int) (ex - s));
        }
        for (long i = 0; i < k; i++)
            X[i * k + i] += mu;
        CU_ASSERT_EQUAL(pdcert_chol(X, k), pass == 0 ? 0 : 1);
        if (pass == 0) {    /* X is indeed indefinite: z^T X z < 0, exactly */
            mpq_t q, e;
            mpq_inits(q, e, (mpq_ptr) NULL);
            mpz_t acc;
            mpz_init(acc);
            for (long i = 0; i < k; i++)
                for (long j = 0; j < k; j++) {
                    mpq_set_d(e, X[i * k + j]);
                    mpz_mul(acc, z[i], z[j]);
                    mpq_set_z(t, acc);
                    mpq_mul(t, t, e);
                    mpq_add(q, q, t);
                }
            CU_ASSERT(mpq_sgn(q) < 0);
            mpz_clear(acc);
            mpq_clears(q, e, (mpq_ptr) NULL);
        }
    }
    free(X);
    zvec_clear(z, k);
    zvec_clear(G, k * k);
    mpq_clears(lr, lc, lr2, lc2, t, (mpq_ptr) NULL);
    free(As);
    zvec_clear(A, m * n);
    gsl_rng_free(r);
}

int main(void)
{
    static const tu_test tests[] = {
        { "Cholesky certificate: known matrices, eta term, 1-2-1 negative controls", test_chol_known },
        { "Cholesky certificate vs exact LDL^T near the PD boundary", test_chol_random },
        { "Cholesky certificate misuse", test_chol_misuse },
        { "Gram lambda_max: random sizes and bit lengths vs exact checks", test_gram_random },
        { "Gram lambda_max: zero, empty, rank one, 1 x 1, misuse", test_gram_known },
        { "Gram lambda_max: 256 x 784, both paths, negative control", test_gram_large },
        { NULL, NULL }
    };
    return tu_run("pdcert", 4242, tests);
}
