/* oblas — OpenBLAS's sgemm/dgemm, loaded at run time, for the training engine's optional
 * fast path (nn_trainopts.kernels = NN_KERNELS_BLAS) and the benchmarks.
 *
 * No object of the suite links OpenBLAS: every cblas_* symbol (GSL's own calls included)
 * resolves to GSL's reference CBLAS (libgslcblas, plain C for baseline x86-64), whose
 * results do not depend on the CPU.  OpenBLAS selects a kernel, hence a summation order,
 * per CPU, so its results are reproducible only on one machine; it is opened here with
 * dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL), which keeps its symbols out of the
 * global scope, and only its cblas_sgemm / cblas_dgemm / openblas_set_num_threads are
 * used, through the pointers below.
 *
 * Thread-safety: oblas_load may be called from several threads (it loads once, under a
 * mutex); the function pointers are then read-only.
 */
#ifndef OBLAS_H
#define OBLAS_H

#include <stddef.h>

/* CBLAS's enum values (cblas.h is not included anywhere in the suite). */
enum { OBLAS_ROW_MAJOR = 101, OBLAS_NO_TRANS = 111, OBLAS_TRANS = 112 };

typedef void (*oblas_sgemm_fn)(int order, int ta, int tb, int m, int n, int k, float alpha,
                               const float *A, int lda, const float *B, int ldb, float beta,
                               float *C, int ldc);
typedef void (*oblas_dgemm_fn)(int order, int ta, int tb, int m, int n, int k, double alpha,
                               const double *A, int lda, const double *B, int ldb,
                               double beta, double *C, int ldc);

typedef struct {
    oblas_sgemm_fn sgemm;
    oblas_dgemm_fn dgemm;
    void (*set_num_threads)(int);   /* NULL if the library lacks it */
} oblas_api;

/* Loads OpenBLAS once (later calls return the same table) and sets its thread count to 1
 * (callers run their own threads; a threaded BLAS inside them would oversubscribe the
 * cores).  Returns the table, or NULL when libopenblas.so.0 (Debian: libopenblas0) is not
 * installed or lacks cblas_sgemm/cblas_dgemm; then oblas_error() says why. */
const oblas_api *oblas_load(void);
/* The reason of the last failed oblas_load ("" if none). */
const char *oblas_error(void);

#endif
