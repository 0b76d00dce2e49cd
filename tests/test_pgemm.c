/* test_pgemm — the portable GEMM (numerics/pgemm.h).
 *
 * Second methods: (1) bit-identity with the contract's plain sequential loop written here
 * (every C[i][j] = beta*C[i][j] + alpha*s, s summed in increasing p, no FMA), for every
 * transposition case, alpha/beta case, sizes 0, 1, odd and past every tile size, with
 * padded leading dimensions; (2) the value against MPFR at 256 bits, within the a-priori
 * bound of a sequential sum, |err| <= gamma_{k+2} (|alpha| sum_p |a_ip b_pj| + |beta c_ij|)
 * with gamma_n = n u / (1 - n u), u = epsilon/2 (Higham, Accuracy and Stability, 3.1).
 */
#include "pgemm.h"
#include "testutil.h"

#include <float.h>
#include <math.h>
#include <mpfr.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REF_PREC 256

/* The contract's loop, in the test's own words. */
#define REF_LOOP(REAL)                                                                   \
    for (long i = 0; i < m; i++)                                                         \
        for (long j = 0; j < n; j++) {                                                   \
            volatile REAL s = 0;                                                         \
            for (long p = 0; p < k; p++) {                                               \
                volatile REAL prod = (ta ? A[p * lda + i] : A[i * lda + p])              \
                                     * (tb ? B[j * ldb + p] : B[p * ldb + j]);           \
                s = s + prod;                                                            \
            }                                                                            \
            volatile REAL as = alpha * s;                                                \
            if (beta == 0)                                                               \
                C[i * ldc + j] = as;                                                     \
            else {                                                                       \
                volatile REAL bc = beta * C[i * ldc + j];                                \
                C[i * ldc + j] = bc + as;                                                \
            }                                                                            \
        }

static void ref_s(int ta, int tb, long m, long n, long k, float alpha, const float *A,
                  long lda, const float *B, long ldb, float beta, float *C, long ldc)
{
    REF_LOOP(float)
}

static void ref_d(int ta, int tb, long m, long n, long k, double alpha, const double *A,
                  long lda, const double *B, long ldb, double beta, double *C, long ldc)
{
    REF_LOOP(double)
}

/* Checks C (computed) against MPFR from the inputs A, B, C0 (C before the call). */
static int mpfr_close(int ta, int tb, long m, long n, long k, double alpha,
                      const double *A, long lda, const double *B, long ldb, double beta,
                      const double *C0, const double *C, long ldc, double eps)
{
    mpfr_t s, t;
    mpfr_inits2(REF_PREC, s, t, (mpfr_ptr) 0);
    int ok = 1;
    const double u = eps / 2, g = (double) (k + 2) * u / (1 - (double) (k + 2) * u);
    for (long i = 0; i < m && ok; i++)
        for (long j = 0; j < n && ok; j++) {
            double absum = 0;
            mpfr_set_zero(s, 1);
            for (long p = 0; p < k; p++) {
                double a = ta ? A[p * lda + i] : A[i * lda + p];
                double b = tb ? B[j * ldb + p] : B[p * ldb + j];
                mpfr_set_d(t, a, MPFR_RNDN);
                mpfr_mul_d(t, t, b, MPFR_RNDN);
                mpfr_add(s, s, t, MPFR_RNDN);
                absum += fabs(a * b);
            }
            mpfr_mul_d(s, s, alpha, MPFR_RNDN);
            double bc = 0;
            if (beta != 0) {
                mpfr_set_d(t, C0[i * ldc + j], MPFR_RNDN);
                mpfr_mul_d(t, t, beta, MPFR_RNDN);
                mpfr_add(s, s, t, MPFR_RNDN);
                bc = fabs(beta * C0[i * ldc + j]);
            }
            mpfr_sub_d(s, s, C[i * ldc + j], MPFR_RNDN);
            /* the factor 1.01 covers the double rounding of the bound itself */
            double tol = 1.01 * g * (fabs(alpha) * absum + bc) + DBL_MIN;
            if (fabs(mpfr_get_d(s, MPFR_RNDN)) > tol)
                ok = 0;
        }
    mpfr_clears(s, t, (mpfr_ptr) 0);
    return ok;
}

/* Random values with varied magnitudes and signs (exact in float). */
static double rv(gsl_rng *r)
{
    double v = (2 * gsl_rng_uniform(r) - 1) * ldexp(1, (int) gsl_rng_uniform_int(r, 9) - 4);
    return (double) (float) v;
}

/* MPFR comparisons on (only the first kernel's run needs them: every kernel is
 * bit-identical to the loop, so one accuracy check covers all). */
static int mpfr_on = 1;

static const long DIMS[] = { 0, 1, 2, 3, 7, 17, 33, 67 };
#define NDIMS (long) (sizeof DIMS / sizeof DIMS[0])
static const double ALPHA[] = { 1, -0.5, 0, 3 };
static const double BETA[] = { 0, 1, 0.25, -2 };

/* One case in both precisions: bit-identity with the reference loop and MPFR accuracy. */
static void one_case(gsl_rng *r, int ta, int tb, long m, long n, long k, double alpha,
                     double beta, long pad, int use_mpfr)
{
    use_mpfr = use_mpfr && mpfr_on;
    const long lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad;
    const long na = (ta ? k : m) * lda + 1, nb = (tb ? n : k) * ldb + 1, nc = m * ldc + 1;
    double *A = malloc(sizeof(double) * (size_t) na), *B = malloc(sizeof(double) * (size_t) nb);
    double *C0 = malloc(sizeof(double) * (size_t) nc), *C = malloc(sizeof(double) * (size_t) nc);
    double *Cr = malloc(sizeof(double) * (size_t) nc);
    float *As = malloc(sizeof(float) * (size_t) na), *Bs = malloc(sizeof(float) * (size_t) nb);
    float *Cs = malloc(sizeof(float) * (size_t) nc), *Crs = malloc(sizeof(float) * (size_t) nc);
    double *Cd = malloc(sizeof(double) * (size_t) nc);
    CU_ASSERT_FATAL(A && B && C0 && C && Cr && As && Bs && Cs && Crs && Cd);
    for (long i = 0; i < na; i++)
        As[i] = (float) (A[i] = rv(r));
    for (long i = 0; i < nb; i++)
        Bs[i] = (float) (B[i] = rv(r));
    for (long i = 0; i < nc; i++)
        C0[i] = beta == 0 ? NAN : rv(r);   /* beta == 0: C must not be read */
    memcpy(C, C0, sizeof(double) * (size_t) nc);
    memcpy(Cr, C0, sizeof(double) * (size_t) nc);
    pgemm_d(ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
    ref_d(ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, Cr, ldc);
    for (long i = 0; i < m; i++)
        CU_ASSERT_EQUAL(memcmp(C + i * ldc, Cr + i * ldc, sizeof(double) * (size_t) n), 0);
    CU_ASSERT(!use_mpfr || mpfr_close(ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C0, C,
                                      ldc, DBL_EPSILON));
    for (long i = 0; i < nc; i++)
        Crs[i] = Cs[i] = (float) C0[i];
    pgemm_s(ta, tb, m, n, k, (float) alpha, As, lda, Bs, ldb, (float) beta, Cs, ldc);
    ref_s(ta, tb, m, n, k, (float) alpha, As, lda, Bs, ldb, (float) beta, Crs, ldc);
    for (long i = 0; i < m; i++)
        CU_ASSERT_EQUAL(memcmp(Cs + i * ldc, Crs + i * ldc, sizeof(float) * (size_t) n), 0);
    for (long i = 0; i < nc; i++)
        Cd[i] = (double) Cs[i];
    CU_ASSERT(!use_mpfr || mpfr_close(ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C0, Cd,
                                      ldc, FLT_EPSILON));
    /* the padding between rows is never written */
    for (long i = 0; i < m && pad > 0; i++)
        for (long j = n; j < ldc && i * ldc + j < nc; j++) {
            CU_ASSERT(memcmp(&C[i * ldc + j], &C0[i * ldc + j], sizeof(double)) == 0);
            CU_ASSERT(memcmp(&Cs[i * ldc + j], &Crs[i * ldc + j], sizeof(float)) == 0);
        }
    free(A); free(B); free(C0); free(C); free(Cr); free(As); free(Bs); free(Cs); free(Crs);
    free(Cd);
}

/* The kernels this CPU and build can run; the default (pgemm's own choice) is restored
 * by setting the best one last. */
static const char *const KERNELS[] = { "scalar", "sse2", "avx2", "avx512" };
#define NKERN 4

/* Runs fn once under every kernel this machine supports; returns how many ran. */
static int each_kernel(void (*fn)(gsl_rng *), gsl_rng *r)
{
    int ran = 0;
    const char *best = NULL;
    for (int i = 0; i < NKERN; i++)
        if (pgemm_set_kernel(KERNELS[i]) == AE_OK) {
            CU_ASSERT_STRING_EQUAL(pgemm_kernel_name(), KERNELS[i]);
            mpfr_on = ran == 0;
            fn(r);
            ran++;
            best = KERNELS[i];
        }
    CU_ASSERT_PTR_NOT_NULL_FATAL(best);
    CU_ASSERT_EQUAL(pgemm_set_kernel(best), AE_OK);
    mpfr_on = 1;
    return ran;
}

static void shapes_once(gsl_rng *r)
{
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++)
            for (long a = 0; a < NDIMS; a++)
                for (long b = 0; b < NDIMS; b++)
                    for (long c = 0; c < NDIMS; c += 2)
                        one_case(r, ta, tb, DIMS[a], DIMS[b], DIMS[c + (a + b) % 2],
                                 ALPHA[(a + c) % 4], BETA[(b + c) % 4], (a + b + c) % 3, 1);
}

static void test_shapes(void)
{
    gsl_rng *r = tu_rng();
    CU_ASSERT(each_kernel(shapes_once, r) >= 1);
    gsl_rng_free(r);
}

static void alpha_beta_once(gsl_rng *r)
{
    for (int ia = 0; ia < 4; ia++)
        for (int ib = 0; ib < 4; ib++)
            for (int t = 0; t < 4; t++)
                one_case(r, t & 1, t >> 1, 19, 45, 29, ALPHA[ia], BETA[ib], 1, 1);
}

static void test_alpha_beta(void)
{
    gsl_rng *r = tu_rng();
    each_kernel(alpha_beta_once, r);
    gsl_rng_free(r);
}

/* Shapes of the training engine (784 x 256 layers, 128-row batches) and long sums: bits
 * against the loop (MPFR only for the smallest, to keep the suite fast). */
static void large_once(gsl_rng *r)
{
    one_case(r, 0, 1, 64, 256, 784, 1, 0, 0, 0);
    one_case(r, 1, 0, 256, 784, 64, 1, 1, 0, 0);
    one_case(r, 0, 0, 65, 129, 300, 1, 0, 3, 0);
    one_case(r, 1, 1, 31, 97, 1000, -1, 0.5, 0, 0);
    one_case(r, 1, 1, 13, 21, 1000, -1, 0.5, 0, 1);
}

static void test_large(void)
{
    gsl_rng *r = tu_rng();
    each_kernel(large_once, r);
    gsl_rng_free(r);
}

/* Every kernel gives the same bits as every other on the same random product, special
 * values (infinities, signed zeros, subnormals) included. */
static void test_kernels_agree(void)
{
    gsl_rng *r = tu_rng();
    const long m = 37, n = 53, k = 41;
    double A[37 * 41], B[41 * 53], C[NKERN][37 * 53];
    for (long i = 0; i < m * k; i++)
        A[i] = i % 97 == 0 ? -0.0 : i % 89 == 0 ? 0x1p-1070 : rv(r);
    for (long i = 0; i < k * n; i++)
        B[i] = i % 101 == 0 ? INFINITY : rv(r);
    int got[NKERN] = { 0 };
    for (int t = 0; t < 4; t++)
        for (int i = 0; i < NKERN; i++) {
            if (pgemm_set_kernel(KERNELS[i]) != AE_OK)
                continue;
            got[i] = 1;
            for (long q = 0; q < m * n; q++)
                C[i][q] = rv(r);
            pgemm_d(t & 1, t >> 1, m, n, k, 1, A, t & 1 ? m : k, B, t >> 1 ? k : n, 0, C[i], n);
            if (i > 0 && got[0])
                for (long q = 0; q < m * n; q++)
                    CU_ASSERT(memcmp(&C[i][q], &C[0][q], sizeof(double)) == 0
                              || (isnan(C[i][q]) && isnan(C[0][q])));
        }
    CU_ASSERT(got[0]);
    CU_ASSERT_EQUAL(pgemm_set_kernel("scalar"), AE_OK);
    for (int i = NKERN - 1; i >= 0; i--)
        if (pgemm_set_kernel(KERNELS[i]) == AE_OK)
            break;
    gsl_rng_free(r);
}

/* Exact special cases: products exact, sums of integers. */
static void test_exact(void)
{
    double A[6] = { 1, 2, 3, 4, 5, 6 }, B[6] = { 1, 0, -1, 2, 1, 0 }, C[4];
    pgemm_d(0, 0, 2, 2, 3, 1, A, 3, B, 2, 0, C, 2);   /* [1 2 3; 4 5 6] [1 0; -1 2; 1 0] */
    CU_ASSERT(C[0] == 2 && C[1] == 4 && C[2] == 5 && C[3] == 10);
    pgemm_d(0, 0, 2, 2, 0, 1, A, 3, B, 2, 0, C, 2);   /* k = 0: C = 0 */
    CU_ASSERT(C[0] == 0 && !signbit(C[0]) && C[3] == 0);
    C[0] = 7;
    pgemm_d(0, 0, 1, 1, 0, 1, A, 3, B, 2, 2, C, 2);   /* k = 0, beta 2: C = 2 C */
    CU_ASSERT(C[0] == 14);
    /* no FMA: (1 + 2^-13)^2 = 1 + 2^-12 + 2^-26 rounds to 1 + 2^-12 in float, so adding
     * -(1 + 2^-12) gives 0; a fused multiply-add would keep 2^-26 */
    float x[2] = { 1 + 0x1p-13f, -1 }, y[2] = { 1 + 0x1p-13f, 1 + 0x1p-12f }, z = 5;
    pgemm_s(0, 0, 1, 1, 2, 1, x, 2, y, 1, 0, &z, 1);
    CU_ASSERT(z == 0);
    /* the same in full SIMD tiles: X (16 x 2) rows x, Y (2 x 64) columns y */
    float X[16 * 2], Y[2 * 64], Z[16 * 64];
    for (int i = 0; i < 16; i++)
        memcpy(X + 2 * i, x, sizeof x);
    for (int j = 0; j < 64; j++) {
        Y[j] = y[0];
        Y[64 + j] = y[1];
    }
    for (int i = 0; i < NKERN; i++) {
        if (pgemm_set_kernel(KERNELS[i]) != AE_OK)
            continue;
        pgemm_s(0, 0, 16, 64, 2, 1, X, 2, Y, 64, 0, Z, 64);
        int zeros = 0;
        for (int q = 0; q < 16 * 64; q++)
            zeros += Z[q] == 0;
        CU_ASSERT_EQUAL(zeros, 16 * 64);
    }
    for (int i = NKERN - 1; i >= 0; i--)
        if (pgemm_set_kernel(KERNELS[i]) == AE_OK)
            break;
}

static void test_bad_input(void)
{
    double A[4] = { 0 }, B[4] = { 0 }, C[4] = { 0 };
    float As[4] = { 0 }, Bs[4] = { 0 }, Cs[6] = { 1, 1, 1, 1, 1, 1 };   /* 3 x 2 below */
    TU_EXPECT_ERROR(pgemm_d(2, 0, 1, 1, 1, 1, A, 1, B, 1, 0, C, 1));
    TU_EXPECT_ERROR(pgemm_d(0, -1, 1, 1, 1, 1, A, 1, B, 1, 0, C, 1));
    TU_EXPECT_ERROR(pgemm_d(0, 0, -1, 1, 1, 1, A, 1, B, 1, 0, C, 1));
    TU_EXPECT_ERROR(pgemm_d(0, 0, 1, 1, -1, 1, A, 1, B, 1, 0, C, 1));
    TU_EXPECT_ERROR(pgemm_d(0, 0, 2, 2, 2, 1, A, 1, B, 2, 0, C, 2));   /* lda < k */
    TU_EXPECT_ERROR(pgemm_d(1, 0, 2, 2, 2, 1, A, 2, B, 1, 0, C, 2));   /* ldb < n */
    TU_EXPECT_ERROR(pgemm_d(0, 1, 2, 2, 2, 1, A, 2, B, 1, 0, C, 2));   /* ldb < k (tb) */
    TU_EXPECT_ERROR(pgemm_d(0, 0, 2, 2, 2, 1, A, 2, B, 2, 0, C, 1));   /* ldc < n */
    TU_EXPECT_ERROR(pgemm_d(0, 0, 1, 1, 1, 1, NULL, 1, B, 1, 0, C, 1));
    TU_EXPECT_ERROR(pgemm_s(0, 0, 1, 1, 1, 1, As, 1, NULL, 1, 0, Cs, 1));
    TU_EXPECT_ERROR(pgemm_s(0, 0, 1, 1, 1, 1, As, 1, Bs, 1, 0, NULL, 1));
    TU_EXPECT_ERROR(pgemm_s(0, 0, 1, 1, 1, 1, As, 0, Bs, 1, 0, Cs, 1));
    /* empty matrices may be NULL */
    pgemm_d(0, 0, 0, 0, 0, 1, NULL, 0, NULL, 0, 0, NULL, 0);
    pgemm_s(0, 0, 3, 2, 0, 1, NULL, 0, NULL, 2, 0, Cs, 2);   /* k = 0, beta = 0: C = 0 */
    for (int i = 0; i < 6; i++)
        CU_ASSERT(Cs[i] == 0);
    CU_ASSERT_PTR_NOT_NULL(pgemm_kernel_name());
    int st = 0;
    TU_EXPECT_ERROR(st = pgemm_set_kernel("avx9"));
    (void) st;
    CU_ASSERT_EQUAL(pgemm_set_kernel("scalar"), AE_OK);
    pgemm_thread_cleanup();
    pgemm_thread_cleanup();   /* twice: a no-op */
}

int main(void)
{
    static const tu_test T[] = {
        { "shapes x transpositions: bits = loop, value = MPFR", test_shapes },
        { "alpha/beta cases", test_alpha_beta },
        { "engine-sized products", test_large },
        { "exact cases, k = 0, no FMA", test_exact },
        { "every kernel gives the same bits", test_kernels_agree },
        { "bad input", test_bad_input },
        { NULL, NULL }
    };
    printf("pgemm kernel: %s\n", pgemm_kernel_name());
    return tu_run("pgemm", 20261202UL, T);
}
