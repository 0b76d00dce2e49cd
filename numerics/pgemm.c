/* pgemm — see pgemm.h.  Compiled with -ffp-contract=off (Makefile; also the default of
 * GCC's ISO C mode): no multiply-add is ever fused, so a*b + c is two roundings on every
 * machine.
 *
 * Order (the contract): for each output C[i][j] the sum s runs over p = 0..k-1 in
 * increasing order, starting from +0, one rounded product and one rounded addition per
 * term, in the working type; then C[i][j] = alpha*s (beta == 0) or beta*C[i][j] + alpha*s.
 */
#include "pgemm.h"
#include "aeerr.h"

#include <stddef.h>

/* Checks the arguments; 1 when the call may proceed. */
static int pgemm_check(const char *fn, int ta, int tb, long m, long n, long k,
                       const void *A, long lda, const void *B, long ldb, const void *C,
                       long ldc)
{
    if ((ta != 0 && ta != 1) || (tb != 0 && tb != 1) || m < 0 || n < 0 || k < 0) {
        ae_error(fn, "ta, tb must be 0 or 1 and m, n, k >= 0 (got %d %d %ld %ld %ld)",
                 ta, tb, m, n, k);
        return 0;
    }
    const long acols = ta ? m : k, arows = ta ? k : m;
    const long bcols = tb ? k : n, brows = tb ? n : k;
    if (lda < acols || ldb < bcols || ldc < n) {
        ae_error(fn, "leading dimensions %ld %ld %ld below the row lengths %ld %ld %ld",
                 lda, ldb, ldc, acols, bcols, n);
        return 0;
    }
    if ((A == NULL && arows * acols > 0) || (B == NULL && brows * bcols > 0)
        || (C == NULL && m * n > 0)) {
        ae_error(fn, "NULL matrix with nonzero size");
        return 0;
    }
    return 1;
}

/* The reference order, element by element. */
#define PGEMM_SCALAR_BODY(REAL)                                                          \
    for (long i = 0; i < m; i++)                                                         \
        for (long j = 0; j < n; j++) {                                                   \
            REAL s = 0;                                                                  \
            for (long p = 0; p < k; p++) {                                               \
                REAL a = ta ? A[p * lda + i] : A[i * lda + p];                           \
                REAL b = tb ? B[j * ldb + p] : B[p * ldb + j];                           \
                REAL t = a * b;                                                          \
                s = s + t;                                                               \
            }                                                                            \
            REAL as = alpha * s;                                                         \
            C[i * ldc + j] = beta == 0 ? as : beta * C[i * ldc + j] + as;                \
        }

static void pgemm_s_scalar(int ta, int tb, long m, long n, long k, float alpha,
                           const float *A, long lda, const float *B, long ldb, float beta,
                           float *C, long ldc)
{
    PGEMM_SCALAR_BODY(float)
}

static void pgemm_d_scalar(int ta, int tb, long m, long n, long k, double alpha,
                           const double *A, long lda, const double *B, long ldb,
                           double beta, double *C, long ldc)
{
    PGEMM_SCALAR_BODY(double)
}

void pgemm_s(int ta, int tb, long m, long n, long k, float alpha, const float *A, long lda,
             const float *B, long ldb, float beta, float *C, long ldc)
{
    if (!pgemm_check("pgemm_s", ta, tb, m, n, k, A, lda, B, ldb, C, ldc))
        return;
    pgemm_s_scalar(ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
}

void pgemm_d(int ta, int tb, long m, long n, long k, double alpha, const double *A, long lda,
             const double *B, long ldb, double beta, double *C, long ldc)
{
    if (!pgemm_check("pgemm_d", ta, tb, m, n, k, A, lda, B, ldb, C, ldc))
        return;
    pgemm_d_scalar(ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
}

const char *pgemm_kernel_name(void)
{
    return "scalar";
}

void pgemm_thread_cleanup(void)
{
}
