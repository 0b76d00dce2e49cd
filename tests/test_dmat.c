/* Tests for dmat: rational -> double rounding checked exactly against the neighbouring
 * doubles (including subnormals, ties and overflow), exact double -> rational, and the
 * GSL wrappers against the identities they must satisfy (A V = V diag(l), orthogonality,
 * trace and Frobenius norm; A = U S V^T), plus the mt19937 reference output. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <gmp.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_vector.h>

#include "testutil.h"
#include "dmat.h"
#include "qmat.h"

/* 1 if d is q rounded to nearest double, ties to even, checked exactly. */
static int is_nearest(double d, const mpq_t q)
{
    if (!isfinite(d))
        return 0;
    mpq_t x, e, e2;
    mpq_inits(x, e, e2, NULL);
    mpq_set_d(x, d);
    mpq_sub(e, x, q);
    mpq_abs(e, e);
    int ok = 1, tie = 0;
    for (int s = -1; s <= 1; s += 2) {
        double nb = nextafter(d, s * INFINITY);
        if (!isfinite(nb)) {
            /* beyond DBL_MAX the next "neighbour" for rounding purposes is 2^1024 */
            mpq_set_ui(x, 1, 1);
            mpq_mul_2exp(x, x, 1024);
            if (s < 0)
                mpq_neg(x, x);
        } else {
            mpq_set_d(x, nb);
        }
        mpq_sub(e2, x, q);
        mpq_abs(e2, e2);
        int c = mpq_cmp(e, e2);
        ok = ok && c <= 0;
        tie = tie || c == 0;
    }
    if (ok && tie) {
        uint64_t bits;
        memcpy(&bits, &d, sizeof bits);
        ok = (bits & 1) == 0;
    }
    mpq_clears(x, e, e2, NULL);
    return ok;
}

static void set1(qmat_t Q, const char *s)
{
    mpq_set_str(qmat_entry(Q, 0, 0), s, 10);
    mpq_canonicalize(qmat_entry(Q, 0, 0));
}

static void test_set_qmat_rounding(void)
{
    gmp_randstate_t rs;
    gmp_randinit_mt(rs);
    gmp_randseed_ui(rs, tu_seed());
    qmat_t Q;
    qmat_init(Q, 6, 7);
    gsl_matrix *D = gsl_matrix_alloc(6, 7);
    for (int t = 0; t < 40; t++) {
        for (long k = 0; k < 42; k++) {
            mpq_ptr q = Q->entries[k];
            mpz_urandomb(mpq_numref(q), rs, 1 + gmp_urandomm_ui(rs, 200));
            mpz_urandomb(mpq_denref(q), rs, 1 + gmp_urandomm_ui(rs, 200));
            mpz_add_ui(mpq_denref(q), mpq_denref(q), 1);
            long sh = (long) gmp_urandomm_ui(rs, 2200) - 1100;   /* reaches subnormals */
            if (sh >= 0)
                mpz_mul_2exp(mpq_numref(q), mpq_numref(q), (mp_bitcnt_t) sh);
            else
                mpz_mul_2exp(mpq_denref(q), mpq_denref(q), (mp_bitcnt_t) -sh);
            if (k & 1)
                mpz_neg(mpq_numref(q), mpq_numref(q));
            mpq_canonicalize(q);
        }
        int st = dmat_set_qmat(D, Q);
        CU_ASSERT_TRUE(st == AE_OK || st == AE_ERANGE);
        for (long k = 0; k < 42; k++) {
            double d = gsl_matrix_get(D, (size_t) (k / 7), (size_t) (k % 7));
            if (isfinite(d)) {
                CU_ASSERT_TRUE(is_nearest(d, Q->entries[k]));
            } else {
                CU_ASSERT_EQUAL(st, AE_ERANGE);
            }
        }
    }
    gsl_matrix_free(D);
    qmat_clear(Q);
    gmp_randclear(rs);
}

static void test_set_qmat_edges(void)
{
    qmat_t Q;
    qmat_init(Q, 1, 1);
    gsl_matrix *D = gsl_matrix_alloc(1, 1);
    mpq_t p;
    mpq_init(p);
    /* 2^-1075 is half the smallest subnormal: tie, rounds to even 0 */
    mpq_set_ui(p, 1, 1);
    mpq_div_2exp(p, p, 1075);
    mpq_set(qmat_entry(Q, 0, 0), p);
    CU_ASSERT_EQUAL(dmat_set_qmat(D, Q), AE_OK);
    CU_ASSERT_EQUAL(gsl_matrix_get(D, 0, 0), 0.0);
    /* 3 2^-1075 = 1.5 ulp: tie, rounds to even 2^-1073 */
    mpq_set_ui(p, 3, 1);
    mpq_div_2exp(p, p, 1075);
    mpq_set(qmat_entry(Q, 0, 0), p);
    dmat_set_qmat(D, Q);
    CU_ASSERT_EQUAL(gsl_matrix_get(D, 0, 0), ldexp(1.0, -1073));
    /* just above the tie rounds up */
    mpq_set_ui(p, 1, 1);
    mpq_div_2exp(p, p, 1075);
    mpq_set_ui(qmat_entry(Q, 0, 0), 1, 1);
    mpq_div_2exp(qmat_entry(Q, 0, 0), qmat_entry(Q, 0, 0), 1200);
    mpq_add(qmat_entry(Q, 0, 0), qmat_entry(Q, 0, 0), p);
    dmat_set_qmat(D, Q);
    CU_ASSERT_EQUAL(gsl_matrix_get(D, 0, 0), ldexp(1.0, -1074));
    /* 1/3 2^-1030 (subnormal, inexact) and DBL_MIN neighbourhood */
    set1(Q, "1/3");
    mpq_div_2exp(qmat_entry(Q, 0, 0), qmat_entry(Q, 0, 0), 1030);
    dmat_set_qmat(D, Q);
    CU_ASSERT_TRUE(is_nearest(gsl_matrix_get(D, 0, 0), qmat_entry(Q, 0, 0)));
    mpq_set_d(p, DBL_MIN);
    mpq_set_ui(qmat_entry(Q, 0, 0), 1, 1);
    mpq_div_2exp(qmat_entry(Q, 0, 0), qmat_entry(Q, 0, 0), 1077);
    mpq_sub(qmat_entry(Q, 0, 0), p, qmat_entry(Q, 0, 0));     /* DBL_MIN - ulp/8 */
    dmat_set_qmat(D, Q);
    CU_ASSERT_EQUAL(gsl_matrix_get(D, 0, 0), DBL_MIN);
    /* overflow: DBL_MAX + half an ulp (2^970) is a tie that rounds to infinity */
    mpq_set_d(p, DBL_MAX);
    mpq_set_ui(qmat_entry(Q, 0, 0), 1, 1);
    mpq_mul_2exp(qmat_entry(Q, 0, 0), qmat_entry(Q, 0, 0), 969);
    mpq_add(qmat_entry(Q, 0, 0), qmat_entry(Q, 0, 0), p);
    CU_ASSERT_EQUAL(dmat_set_qmat(D, Q), AE_OK);
    CU_ASSERT_EQUAL(gsl_matrix_get(D, 0, 0), DBL_MAX);
    mpq_set_ui(qmat_entry(Q, 0, 0), 1, 1);
    mpq_mul_2exp(qmat_entry(Q, 0, 0), qmat_entry(Q, 0, 0), 970);
    mpq_add(qmat_entry(Q, 0, 0), qmat_entry(Q, 0, 0), p);
    mpq_neg(qmat_entry(Q, 0, 0), qmat_entry(Q, 0, 0));
    CU_ASSERT_EQUAL(dmat_set_qmat(D, Q), AE_ERANGE);
    CU_ASSERT_TRUE(isinf(gsl_matrix_get(D, 0, 0)) && gsl_matrix_get(D, 0, 0) < 0);
    /* an ordinary decimal */
    set1(Q, "1/10");
    dmat_set_qmat(D, Q);
    CU_ASSERT_EQUAL(gsl_matrix_get(D, 0, 0), 0.1);
    mpq_clear(p);
    gsl_matrix_free(D);
    qmat_clear(Q);
}

static void test_get_qmat(void)
{
    gsl_rng *r = dmat_rng_alloc(tu_seed());
    gsl_matrix *D = gsl_matrix_alloc(5, 3), *D2 = gsl_matrix_alloc(5, 3);
    qmat_t Q;
    qmat_init(Q, 5, 3);
    for (size_t i = 0; i < 5; i++)
        for (size_t j = 0; j < 3; j++)
            gsl_matrix_set(D, i, j, ldexp(gsl_rng_uniform(r) - 0.5, (int) (i * 400) - 1000));
    gsl_matrix_set(D, 0, 0, ldexp(1.0, -1074));
    CU_ASSERT_EQUAL(dmat_get_qmat(Q, D), AE_OK);
    mpq_t q;
    mpq_init(q);
    for (size_t i = 0; i < 5; i++)
        for (size_t j = 0; j < 3; j++) {
            mpq_set_d(q, gsl_matrix_get(D, i, j));
            CU_ASSERT_TRUE(mpq_equal(q, qmat_entry(Q, (long) i, (long) j)));
        }
    CU_ASSERT_EQUAL(dmat_set_qmat(D2, Q), AE_OK);
    CU_ASSERT_TRUE(gsl_matrix_equal(D, D2));
    gsl_matrix_set(D, 4, 2, NAN);
    TU_EXPECT_ERROR(dmat_get_qmat(Q, D));
    gsl_matrix_set(D, 4, 2, INFINITY);
    TU_EXPECT_ERROR(dmat_get_qmat(Q, D));
    qmat_t W;
    qmat_init(W, 3, 5);
    TU_EXPECT_ERROR(dmat_get_qmat(W, D2));
    TU_EXPECT_ERROR(dmat_set_qmat(D2, W));
    qmat_clear(W);
    mpq_clear(q);
    qmat_clear(Q);
    gsl_matrix_free(D);
    gsl_matrix_free(D2);
    gsl_rng_free(r);
}

/* ||M||_F */
static double frob(const gsl_matrix *M)
{
    double s = 0;
    for (size_t i = 0; i < M->size1; i++)
        for (size_t j = 0; j < M->size2; j++)
            s += gsl_matrix_get(M, i, j) * gsl_matrix_get(M, i, j);
    return sqrt(s);
}

/* max |(M^T M - I)_ij| */
static double orth_err(const gsl_matrix *M)
{
    double e = 0;
    for (size_t i = 0; i < M->size2; i++)
        for (size_t j = 0; j < M->size2; j++) {
            double s = i == j ? -1.0 : 0.0;
            for (size_t k = 0; k < M->size1; k++)
                s += gsl_matrix_get(M, k, i) * gsl_matrix_get(M, k, j);
            e = fmax(e, fabs(s));
        }
    return e;
}

static void test_eigen_symm(void)
{
    gsl_rng *r = dmat_rng_alloc(tu_seed());
    static const size_t sizes[] = {0, 1, 2, 6, 25};
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
        for (int kind = 0; kind < 3; kind++) {
            size_t n = sizes[s];
            gsl_matrix *A = gsl_matrix_alloc(n, n), *V = gsl_matrix_alloc(n, n);
            gsl_matrix *AV = gsl_matrix_alloc(n, n);
            gsl_vector *l = gsl_vector_alloc(n);
            for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j <= i; j++) {
                    /* random; identity (repeated eigenvalue); rank one (n-1 zeros) */
                    double a = kind == 0 ? gsl_rng_uniform(r) - 0.5
                             : kind == 1 ? (i == j) : (double) (i + 1) * (double) (j + 1);
                    gsl_matrix_set(A, i, j, a);
                    gsl_matrix_set(A, j, i, a);
                }
            CU_ASSERT_EQUAL(dmat_eigen_symm(l, V, A), AE_OK);
            double nA = frob(A), tr = 0, sum = 0, sq = 0;
            double tol = 16.0 * (double) (n + 1) * DBL_EPSILON * (nA + 1e-300);
            for (size_t i = 0; i < n; i++) {
                tr += gsl_matrix_get(A, i, i);
                sum += gsl_vector_get(l, i);
                sq += gsl_vector_get(l, i) * gsl_vector_get(l, i);
                if (i > 0)
                    CU_ASSERT_TRUE(gsl_vector_get(l, i - 1) >= gsl_vector_get(l, i));
            }
            CU_ASSERT_TRUE(fabs(tr - sum) <= tol);
            CU_ASSERT_TRUE(fabs(sqrt(sq) - nA) <= tol);
            CU_ASSERT_TRUE(orth_err(V) <= 16.0 * (double) (n + 1) * DBL_EPSILON);
            if (n > 0) {
                gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, A, V, 0.0, AV);
                for (size_t j = 0; j < n; j++) {
                    gsl_vector_view c = gsl_matrix_column(AV, j);
                    gsl_vector_const_view v = gsl_matrix_const_column(V, j);
                    gsl_blas_daxpy(-gsl_vector_get(l, j), &v.vector, &c.vector);
                }
                CU_ASSERT_TRUE(frob(AV) <= tol);
            }
            gsl_matrix_free(A);
            gsl_matrix_free(V);
            gsl_matrix_free(AV);
            gsl_vector_free(l);
        }
    gsl_matrix *A = gsl_matrix_calloc(3, 3), *V = gsl_matrix_alloc(3, 3), *W = gsl_matrix_alloc(2, 2);
    gsl_vector *l = gsl_vector_alloc(3);
    gsl_matrix_set(A, 0, 1, 1.0);
    TU_EXPECT_ERROR(dmat_eigen_symm(l, V, A));              /* not symmetric */
    gsl_matrix_set(A, 1, 0, 1.0);
    CU_ASSERT_EQUAL(dmat_eigen_symm(l, V, A), AE_OK);
    TU_EXPECT_ERROR(dmat_eigen_symm(l, W, A));              /* dims */
    gsl_matrix_set(A, 2, 2, NAN);
    TU_EXPECT_ERROR(dmat_eigen_symm(l, V, A));
    gsl_matrix_free(A);
    gsl_matrix_free(V);
    gsl_matrix_free(W);
    gsl_vector_free(l);
    gsl_rng_free(r);
}

static void test_svd(void)
{
    gsl_rng *r = dmat_rng_alloc(tu_seed() + 1);
    static const size_t shapes[][2] = {{0, 0}, {0, 3}, {3, 0}, {1, 1}, {1, 5}, {5, 1},
                                       {7, 4}, {4, 7}, {6, 6}, {6, 6}};
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
        size_t m = shapes[s][0], n = shapes[s][1], k = m < n ? m : n;
        gsl_matrix *A = gsl_matrix_alloc(m, n), *U = gsl_matrix_alloc(m, k);
        gsl_matrix *V = gsl_matrix_alloc(n, k), *US = gsl_matrix_alloc(m, k);
        gsl_matrix *B = gsl_matrix_alloc(m, n);
        gsl_vector *S = gsl_vector_alloc(k);
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < n; j++)
                gsl_matrix_set(A, i, j, gsl_rng_uniform(r) - 0.5);
        if (s == sizeof shapes / sizeof *shapes - 1)       /* rank 2: rows from two */
            for (size_t i = 2; i < m; i++)
                for (size_t j = 0; j < n; j++)
                    gsl_matrix_set(A, i, j, (double) i * gsl_matrix_get(A, 0, j)
                                   - 0.5 * gsl_matrix_get(A, 1, j));
        CU_ASSERT_EQUAL(dmat_svd(U, S, V, A), AE_OK);
        double nA = frob(A), sq = 0;
        double tol = 32.0 * (double) (m + n + 1) * DBL_EPSILON * (nA + 1e-300);
        for (size_t i = 0; i < k; i++) {
            CU_ASSERT_TRUE(gsl_vector_get(S, i) >= 0);
            if (i > 0)
                CU_ASSERT_TRUE(gsl_vector_get(S, i - 1) >= gsl_vector_get(S, i));
            sq += gsl_vector_get(S, i) * gsl_vector_get(S, i);
        }
        CU_ASSERT_TRUE(fabs(sqrt(sq) - nA) <= tol);
        if (k > 0) {
            CU_ASSERT_TRUE(orth_err(U) <= 32.0 * (double) (m + n) * DBL_EPSILON);
            CU_ASSERT_TRUE(orth_err(V) <= 32.0 * (double) (m + n) * DBL_EPSILON);
            gsl_matrix_memcpy(US, U);
            for (size_t j = 0; j < k; j++) {
                gsl_vector_view c = gsl_matrix_column(US, j);
                gsl_vector_scale(&c.vector, gsl_vector_get(S, j));
            }
            gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, US, V, 0.0, B);
            gsl_matrix_sub(B, A);
            CU_ASSERT_TRUE(frob(B) <= tol);
        }
        if (s == sizeof shapes / sizeof *shapes - 1)
            CU_ASSERT_TRUE(gsl_vector_get(S, 2) <= tol);
        gsl_matrix_free(A);
        gsl_matrix_free(U);
        gsl_matrix_free(V);
        gsl_matrix_free(US);
        gsl_matrix_free(B);
        gsl_vector_free(S);
    }
    gsl_matrix *A = gsl_matrix_calloc(4, 3), *U = gsl_matrix_alloc(4, 3), *V = gsl_matrix_alloc(3, 3);
    gsl_vector *S = gsl_vector_alloc(3), *S2 = gsl_vector_alloc(4);
    TU_EXPECT_ERROR(dmat_svd(U, S2, V, A));
    TU_EXPECT_ERROR(dmat_svd(V, S, U, A));
    gsl_matrix_set(A, 1, 1, INFINITY);
    TU_EXPECT_ERROR(dmat_svd(U, S, V, A));
    gsl_matrix_free(A);
    gsl_matrix_free(U);
    gsl_matrix_free(V);
    gsl_vector_free(S);
    gsl_vector_free(S2);
    gsl_rng_free(r);
}

static void test_rng(void)
{
    gsl_rng *a = dmat_rng_alloc(5489), *b = dmat_rng_alloc(5489), *c = dmat_rng_alloc(5490);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_STRING_EQUAL(gsl_rng_name(a), "mt19937");
    /* the reference MT19937 stream for seed 5489 begins 3499211612, 581869302 */
    unsigned long x = gsl_rng_get(a);
    CU_ASSERT_EQUAL(x, 3499211612UL);
    CU_ASSERT_EQUAL(gsl_rng_get(a), 581869302UL);
    CU_ASSERT_EQUAL(gsl_rng_get(b), 3499211612UL);
    CU_ASSERT_NOT_EQUAL(gsl_rng_get(c), 3499211612UL);
    gsl_rng_free(a);
    gsl_rng_free(b);
    gsl_rng_free(c);
}

int main(void)
{
    static const tu_test T[] = {
        {"rational -> double is nearest-even (random, exact check)", test_set_qmat_rounding},
        {"subnormal ties, DBL_MIN, overflow", test_set_qmat_edges},
        {"double -> rational exact, round trip", test_get_qmat},
        {"symmetric eigen-decomposition identities", test_eigen_symm},
        {"SVD identities", test_svd},
        {"mt19937 reference stream", test_rng},
        {NULL, NULL}};
    return tu_run("dmat", 20240613UL, T);
}
