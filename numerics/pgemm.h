/* pgemm — a portable GEMM whose every output has the same bits on every IEEE-754 machine.
 *
 * C (m x n, row-major, leading dim ldc) = alpha op(A) op(B) + beta C.  ta/tb: 0 = as
 * stored, 1 = transposed; A is m x k (or k x m if ta), B is k x n (or n x k if tb), both
 * row-major with leading dimensions lda, ldb.
 *
 * Every C[i][j] = beta*C[i][j] + alpha*s with s = sum_{p=0}^{k-1} a_ip b_pj summed in
 * increasing p from 0 (s starts at +0; each product is rounded, then added: no FMA);
 * beta == 0: C[i][j] = alpha*s and C is not read (NaN-safe).  The result has the same bits
 * on every IEEE-754 machine and SIMD width: the SIMD kernels (pgemm.c, chosen at run time)
 * vectorise only across output columns, so each lane performs exactly this scalar
 * sequence; -DPGEMM_SCALAR builds the plain loops only.
 *
 * Aliasing: C must not overlap A or B.  A and B may alias each other.
 * Errors: ta or tb not 0/1, m, n or k negative, a leading dimension smaller than its
 * stored matrix's row length, or a NULL matrix that is not empty -> ae_error (C untouched).
 * Thread-safe: packing buffers are thread-local (freed by pgemm_thread_cleanup).
 */
#ifndef PGEMM_H
#define PGEMM_H

void pgemm_s(int ta, int tb, long m, long n, long k, float alpha, const float *A, long lda,
             const float *B, long ldb, float beta, float *C, long ldc);
void pgemm_d(int ta, int tb, long m, long n, long k, double alpha, const double *A, long lda,
             const double *B, long ldb, double beta, double *C, long ldc);

/* The kernel pgemm_s/pgemm_d run on this CPU: "avx512", "avx2", "sse2" or "scalar"
 * (informational: every kernel gives the same bits). */
const char *pgemm_kernel_name(void);

/* Forces the kernel ("scalar", "sse2", "avx2", "avx512") for the whole process, for tests
 * and benchmarks (the environment variable AEAUDIT_PGEMM=NAME does the same at the first
 * call).  Returns AE_OK, AE_ERANGE (this CPU or build cannot run it; unchanged) or, for
 * an unknown name, ae_error then AE_EINVAL. */
int pgemm_set_kernel(const char *name);

/* Frees the calling thread's packing buffer (optional; the buffer is reused otherwise). */
void pgemm_thread_cleanup(void);

#endif
