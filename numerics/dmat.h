/* dmat — helpers around GSL double-precision matrices: exact/correctly rounded conversion
 * with qmat, symmetric eigen-decomposition, SVD, and the project's random generator.
 *
 * Every function that calls GSL first turns GSL's abort-on-error handler off
 * (gsl_set_error_handler_off) and checks each returned status; a GSL failure is returned
 * as AE_EGSL.  Dimension mismatches and non-finite input where finite is required are
 * caller misuse (ae_error, then AE_EINVAL).  Output arguments come first and must be
 * allocated by the caller with the documented dimensions (GSL allows 0-sized objects);
 * outputs never alias inputs unless stated.
 */
#ifndef DMAT_H
#define DMAT_H

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_vector.h>

#include "qmat.h"

/* D = Q with every entry correctly rounded to the nearest double (ties to even), also in
 * the subnormal range.  Same dims.  Returns AE_OK, or AE_ERANGE if some |entry| rounds to
 * infinity (that entry is set to +-HUGE_VAL, the others are still converted). */
int dmat_set_qmat(gsl_matrix *D, const qmat_t Q);

/* Q = D exactly (every double is a dyadic rational).  Same dims; NaN/Inf is misuse. */
int dmat_get_qmat(qmat_t Q, const gsl_matrix *D);

/* Symmetric eigen-decomposition A = V diag(eval) V^T by gsl_eigen_symmv, eigenvalues
 * sorted descending (gsl_eigen_symmv_sort, GSL_EIGEN_SORT_VAL_DESC), evec's columns unit
 * eigenvectors.  A (n x n) must be exactly symmetric and finite (misuse otherwise); it is
 * not modified.  eval has size n, evec is n x n.  AE_OK or AE_EGSL. */
int dmat_eigen_symm(gsl_vector *eval, gsl_matrix *evec, const gsl_matrix *A);

/* Thin singular value decomposition A = U diag(S) V^T of an m x n matrix, k = min(m, n):
 * U is m x k and V is n x k with orthonormal columns, S (size k) descending and >= 0.
 * Uses gsl_linalg_SV_decomp (one-sided Golub–Reinsch) on A, or on A^T when m < n.
 * A must be finite (misuse otherwise).  AE_OK or AE_EGSL. */
int dmat_svd(gsl_matrix *U, gsl_vector *S, gsl_matrix *V, const gsl_matrix *A);

/* A new gsl_rng of type gsl_rng_mt19937 seeded with seed (free with gsl_rng_free).
 * Returns NULL after reporting through ae_error if GSL cannot allocate it. */
gsl_rng *dmat_rng_alloc(unsigned long seed);

#endif
