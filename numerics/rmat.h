/* rmat — dense matrices of MPFR floating-point numbers with a per-matrix precision.
 *
 * Storage is row-major: entry (i, j) is rmat_entry(A, i, j).  Every entry of A has
 * precision A->prec (set at init, never changed behind the caller's back).  A matrix may
 * have 0 rows or 0 columns.  Output arguments come first and must already be initialised
 * with the documented dimensions; their precision is the caller's choice and results are
 * rounded to it.  Functions taking `rnd` return results that are correctly rounded
 * entrywise in that mode (the exact mathematical value of each output entry, rounded once)
 * unless stated otherwise; so with MPFR_RNDU/RNDD they give rigorous entrywise bounds.
 *
 * Errors: a dimension mismatch, NaN/Inf where a finite number is needed, or another
 * violated precondition is caller misuse: ae_error(), then the function returns
 * AE_EINVAL with its outputs unspecified.  Otherwise functions return AE_OK.
 * Unless stated otherwise the output may alias any input.
 *
 * MPFR's exponent range is assumed to be the default one (no overflow in practice).
 */
#ifndef RMAT_H
#define RMAT_H

#include <gmp.h>
#include <mpfr.h>

#include "qmat.h"

typedef struct {
    mpfr_t *entries;    /* r*c entries, row-major, all of precision prec */
    long r, c;
    mpfr_prec_t prec;
} rmat_struct;
typedef rmat_struct rmat_t[1];

#define rmat_entry(A, i, j) ((A)->entries[(long)(i) * (A)->c + (long)(j)])
#define rmat_nrows(A)       ((A)->r)
#define rmat_ncols(A)       ((A)->c)
#define rmat_prec(A)        ((A)->prec)

/* ---- memory and basic setting ------------------------------------------------ */
/* A = r x c zero matrix with precision prec.  r, c >= 0 and MPFR_PREC_MIN <= prec <=
 * MPFR_PREC_MAX, otherwise misuse (if the handler returns, A is a valid 0 x 0 matrix). */
void rmat_init(rmat_t A, long r, long c, mpfr_prec_t prec);
void rmat_clear(rmat_t A);
/* Re-initialises A as an r x c zero matrix of precision prec. */
void rmat_resize(rmat_t A, long r, long c, mpfr_prec_t prec);
/* Exchanges A and B (dimensions and precisions too) in O(1). */
void rmat_swap(rmat_t A, rmat_t B);
/* B = A rounded to B's precision (exact when B->prec >= A->prec); same dimensions. */
int  rmat_set(rmat_t B, const rmat_t A, mpfr_rnd_t rnd);
void rmat_zero(rmat_t A);
/* The identity pattern: ones on the diagonal, zeros elsewhere (any shape). */
void rmat_one(rmat_t A);
/* 1 if A and B have the same dimensions and numerically equal entries (precisions may
 * differ; NaN entries are never equal), else 0. */
int  rmat_equal(const rmat_t A, const rmat_t B);
/* 1 if A is square and A(i,j) == A(j,i) exactly for all i, j (and no entry is NaN). */
int  rmat_is_symmetric(const rmat_t A);
/* 1 if every entry of A is a finite number. */
int  rmat_is_finite(const rmat_t A);

/* ---- conversions ------------------------------------------------------------- */
/* A = Q with every entry correctly rounded to A->prec in mode rnd (mpfr_set_q); same dims. */
int  rmat_set_qmat(rmat_t A, const qmat_t Q, mpfr_rnd_t rnd);
/* Q = A exactly: every finite MPFR number is a dyadic rational.  Same dims; an infinite or
 * NaN entry is misuse. */
int  rmat_get_qmat(qmat_t Q, const rmat_t A);
/* A = v (row-major array of r*c doubles) rounded to A->prec (exact if A->prec >= 53).
 * NaN or Inf in v is misuse. */
int  rmat_set_d(rmat_t A, const double *v, mpfr_rnd_t rnd);
/* v = A (row-major, r*c doubles), each entry rounded to double in mode rnd (overflow gives
 * +-Inf, as mpfr_get_d does). */
void rmat_get_d(double *v, const rmat_t A, mpfr_rnd_t rnd);

/* ---- arithmetic (entrywise correctly rounded to the output's precision) ------- */
int  rmat_add(rmat_t C, const rmat_t A, const rmat_t B, mpfr_rnd_t rnd);   /* C = A + B */
int  rmat_sub(rmat_t C, const rmat_t A, const rmat_t B, mpfr_rnd_t rnd);   /* C = A - B */
/* C (r_A x c_B) = A B, every entry the exactly computed sum rounded once (mpfr_sum of
 * exact products).  C may alias A or B (a temporary is used). */
int  rmat_mul(rmat_t C, const rmat_t A, const rmat_t B, mpfr_rnd_t rnd);
/* B (c_A x r_A) = A^T.  B may alias A only if A is square. */
int  rmat_transpose(rmat_t B, const rmat_t A, mpfr_rnd_t rnd);
/* G (c_A x c_A) = A^T A, each entry rounded once; G is exactly symmetric.  G may alias A
 * (a temporary is used). */
int  rmat_gram(rmat_t G, const rmat_t A, mpfr_rnd_t rnd);
/* f ~ ||A||_F = sqrt(sum A(i,j)^2) at f's precision: the sum of squares is rounded once in
 * mode rnd, then the square root once more.  Hence RNDU gives a rigorous upper bound,
 * RNDD (or RNDZ) a rigorous lower bound, RNDN an error below 2 ulps (not correctly rounded). */
int  rmat_frobenius(mpfr_t f, const rmat_t A, mpfr_rnd_t rnd);

/* ---- factorisations ---------------------------------------------------------- */
/* Householder QR of an m x n matrix A: Q (m x m) orthogonal, R (m x n) upper triangular
 * (entries below the diagonal exactly zero), A ~ Q R.  Computed in floating point at
 * precision w = Q->prec, which must equal R->prec (misuse otherwise); A may have any
 * precision and is first rounded to w.  Errors are of order m n 2^-w: ||Q^T Q - I||_F and
 * ||Q R - A||_F / ||A||_F are O(m^2 2^-w).  R may alias A; Q must not alias A or R. */
int  rmat_qr(rmat_t Q, rmat_t R, const rmat_t A);

#endif
