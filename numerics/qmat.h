/* qmat — dense matrices of exact rationals (GMP mpq_t), and vectors as mpq_t arrays.
 *
 * Storage is row-major: entry (i, j) is qmat_entry(A, i, j); row i is the contiguous
 * vector qmat_row(A, i) of A->c entries.  Every entry is kept canonical (reduced,
 * positive denominator), so mpq_equal is equality.  A matrix may have 0 rows or 0
 * columns.  Output arguments come first and must already be initialised with the
 * documented dimensions; a dimension mismatch is caller misuse (ae_error, then
 * AE_EINVAL).  Unless stated otherwise the output may alias any input.
 *
 * Vectors (qvec_*) are plain arrays `mpq_t *v` of length n, allocated by qvec_init.
 */
#ifndef QMAT_H
#define QMAT_H

#include <stdio.h>
#include <gmp.h>

typedef struct {
    mpq_t *entries;   /* r*c entries, row-major */
    long r, c;
} qmat_struct;
typedef qmat_struct qmat_t[1];

#define qmat_entry(A, i, j) ((A)->entries[(long)(i) * (A)->c + (long)(j)])
#define qmat_row(A, i)      ((A)->entries + (long)(i) * (A)->c)
#define qmat_nrows(A)       ((A)->r)
#define qmat_ncols(A)       ((A)->c)

/* ---- vectors ---------------------------------------------------------------- */
mpq_t *qvec_init(long n);                 /* n zeros (n >= 0) */
void qvec_clear(mpq_t *v, long n);
void qvec_set(mpq_t *y, const mpq_t *x, long n);
void qvec_zero(mpq_t *v, long n);
int  qvec_equal(const mpq_t *x, const mpq_t *y, long n);
int  qvec_is_zero(const mpq_t *x, long n);
void qvec_add(mpq_t *z, const mpq_t *x, const mpq_t *y, long n);   /* z = x + y */
void qvec_sub(mpq_t *z, const mpq_t *x, const mpq_t *y, long n);   /* z = x - y */
void qvec_scale(mpq_t *y, const mpq_t *x, const mpq_t c, long n);  /* y = c x */
void qvec_addmul(mpq_t *y, const mpq_t *x, const mpq_t c, long n); /* y += c x */
void qvec_dot(mpq_t r, const mpq_t *x, const mpq_t *y, long n);    /* r = x . y (r may not alias) */
void qvec_norm2(mpq_t r, const mpq_t *x, long n);                  /* r = ||x||^2 */
void qvec_dist2(mpq_t r, const mpq_t *x, const mpq_t *y, long n);  /* r = ||x - y||^2 */

/* Integers over a common denominator: the one implementation for every exact kernel that
 * trades canonicalised mpq sums for mpz sums.  The entries are v[0], v[stride], ...,
 * v[(n-1) stride] (stride >= 1; n = 0 allowed).
 * qvec_den_lcm:    L = lcm of their denominators (1 when n = 0).
 * qvec_to_den:     Z[k] = v[k stride] L, integers, so v[k stride] = Z[k] / L exactly; L must
 *                  be a multiple of every denominator (asserted).
 * qvec_common_den: both, with the least such L.
 * Z has n initialised mpz_t and must not alias v's numerators or denominators. */
void qvec_den_lcm(mpz_t L, const mpq_t *v, long stride, long n);
void qvec_to_den(mpz_t *Z, const mpz_t L, const mpq_t *v, long stride, long n);
void qvec_common_den(mpz_t *Z, mpz_t L, const mpq_t *v, long stride, long n);

/* ---- memory and basic setting ------------------------------------------------ */
void qmat_init(qmat_t A, long r, long c);        /* r x c zero matrix; r, c >= 0 */
void qmat_clear(qmat_t A);
void qmat_resize(qmat_t A, long r, long c);      /* re-initialise as an r x c zero matrix */
void qmat_swap(qmat_t A, qmat_t B);              /* O(1) */
void qmat_set(qmat_t B, const qmat_t A);         /* B = A, same dimensions */
void qmat_zero(qmat_t A);
void qmat_one(qmat_t A);                         /* ones on the diagonal, zeros elsewhere */
void qmat_set_si(qmat_t A, const long *num, const long *den); /* row-major; den may be NULL (=1); den[i] != 0 */
void qmat_set_d(qmat_t A, const double *v);      /* row-major, exact; NaN or Inf is misuse */
int  qmat_equal(const qmat_t A, const qmat_t B); /* same dimensions and entries */
int  qmat_is_zero(const qmat_t A);
int  qmat_is_one(const qmat_t A);                /* the identity pattern of qmat_one */

/* ---- arithmetic -------------------------------------------------------------- */
void qmat_add(qmat_t C, const qmat_t A, const qmat_t B);
void qmat_sub(qmat_t C, const qmat_t A, const qmat_t B);
void qmat_neg(qmat_t B, const qmat_t A);
void qmat_scalar_mul(qmat_t B, const qmat_t A, const mpq_t c);
void qmat_mul(qmat_t C, const qmat_t A, const qmat_t B);         /* C (r_A x c_B) = A B; C may alias A or B */
void qmat_transpose(qmat_t B, const qmat_t A);                   /* B is c_A x r_A; B may alias A only if square */
void qmat_mul_vec(mpq_t *y, const qmat_t A, const mpq_t *x);     /* y = A x; y must not alias x */
void qmat_mul_transpose_vec(mpq_t *y, const qmat_t A, const mpq_t *x); /* y = A^T x; no aliasing */
void qmat_gram(qmat_t G, const qmat_t A);                        /* G = A^T A (c_A x c_A), symmetric fill */
void qmat_trace(mpq_t t, const qmat_t A);                        /* square A */
void qmat_frobenius2(mpq_t f, const qmat_t A);                   /* sum of squared entries */
void qmat_get_col(mpq_t *v, const qmat_t A, long j);
void qmat_set_col(qmat_t A, long j, const mpq_t *v);
void qmat_submatrix(qmat_t B, const qmat_t A, long r0, long c0); /* B = A[r0.., c0..] with B's dims */

/* ---- elimination (exact pivots; singular is a return value) ------------------ */
/* Reduced row echelon form R of A (same dims); pivots[0..rank-1] get the pivot columns
 * if pivots != NULL (room for min(r,c)).  Returns the rank. */
long qmat_rref(qmat_t R, long *pivots, const qmat_t A);
long qmat_rank(const qmat_t A);
/* Solves A X = B for square A (n x n), B n x m.  AE_OK, or AE_SINGULAR (X unspecified). */
int  qmat_solve(qmat_t X, const qmat_t A, const qmat_t B);
/* B = A^{-1}; AE_OK or AE_SINGULAR. */
int  qmat_inv(qmat_t B, const qmat_t A);
/* det(A) for square A. */
void qmat_det(mpq_t d, const qmat_t A);
/* A basis of the null space {x : A x = 0}: N is resized to c_A x nullity, columns are the
 * basis vectors (the standard RREF basis).  Returns the nullity. */
long qmat_nullspace(qmat_t N, const qmat_t A);
/* Sylvester inertia of a symmetric matrix by exact symmetric elimination (with
 * symmetric pivoting for zero pivots): counts of positive, negative and zero eigenvalues. */
void qmat_inertia(long *npos, long *nneg, long *nzero, const qmat_t A);

/* ---- integers with a common denominator -------------------------------------- */
/* Writes A = Z / den with Z integer (row-major, r*c mpz_t allocated by the caller) and
 * den > 0 the least common denominator of all entries. */
void qmat_get_mpz_common(mpz_t *Z, mpz_t den, const qmat_t A);

/* ---- printing ---------------------------------------------------------------- */
/* Writes A one row per line, entries as reduced fractions separated by spaces. */
int qmat_fprint(FILE *f, const qmat_t A);

#endif
