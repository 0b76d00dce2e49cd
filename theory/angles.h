/* angles — principal angles between two k-dimensional subspaces of Q^d given by exact
 * rational bases, decided exactly and enclosed rigorously in MPFR (claims P2, P3).
 *
 * Mathematics.  X, Y: d x k rational matrices of rank k.  With G = X^T X, H = Y^T X and
 * Gy = Y^T Y, the orthogonal projector onto col(Y) is P_Y = Y Gy^{-1} Y^T, and
 *     B = X^T (I - P_Y) X = G - H^T Gy^{-1} H      (exact, k x k).
 * For x = X c, ||(I - P_Y) x||^2 / ||x||^2 = c^T B c / c^T G c, so by Courant–Fischer the
 * eigenvalues of the pencil (B, G), i.e. of K = G^{-1} B, are mu_i = sin^2 theta_i, theta_1
 * <= ... <= theta_k the principal angles between col(X) and col(Y) (Bjorck–Golub).  K is
 * similar to the symmetric G^{-1/2} B G^{-1/2}, so all k roots of chi_K are real and lie in
 * [0, 1].  chi_K is computed exactly (Berkowitz, qpoly_charpoly) and its roots isolated by
 * Sturm sequences (qpoly_real_roots) to width <= 2^-iso_prec: each mu_i has a rational
 * enclosure [mu_lo, mu_hi] (exact when lo == hi), counted with multiplicity.  The angles
 * follow as theta = asin(sqrt(mu)) in MPFR at the stated precision, the lower end rounded
 * down at every step and the upper end up (sqrt and asin are monotone and correctly
 * rounded), so [theta_lo, theta_hi] contains theta_i rigorously.
 *
 * Perturbation (angles_widen).  For subspaces of equal dimension k with 2k <= d, the
 * singular values of P_X - P_Y are sin theta_i, each twice, and zeros; by Weyl's inequality
 * for singular values, replacing Y by Z moves every sorted sin theta_i by at most
 * ||P_Y - P_Z||_2 = sin theta_max(Y, Z).  So a rigorous bound s >= sin theta_max(Y, Z)
 * turns enclosures for (X, Y) into enclosures for (X, Z): sin theta_i in
 * [max(0, sqrt(mu_lo) - s), min(1, sqrt(mu_hi) + s)].
 */
#ifndef ANGLES_H
#define ANGLES_H

#include <gmp.h>
#include <mpfr.h>

#include "qmat.h"
#include "qpoly.h"

typedef struct {
    long k;
    qpoly_t chi;         /* chi_K, K = G^{-1} B: its roots are sin^2 theta_i */
    mpq_t *mu_lo, *mu_hi; /* k enclosures of sin^2 theta_i, ascending, with multiplicity */
    mpfr_prec_t prec;    /* precision of the MPFR angles */
    mpfr_t *th_lo, *th_hi; /* k rigorous enclosures of theta_i in radians, ascending */
    mpq_t slack;         /* the s of angles_widen applied so far (0 initially) */
} angles_struct;
typedef angles_struct angles_t[1];

/* An empty result for k >= 0 angles with MPFR angles at precision prec (a valid MPFR
 * precision; misuse otherwise, then k = 0). */
void angles_init(angles_t A, long k, mpfr_prec_t prec);
void angles_clear(angles_t A);

/* Fills A for col(X) and col(Y) (both d x k with k = A->k, 1 <= k <= d), isolating the
 * sin^2 values to width <= 2^-iso_prec (iso_prec >= 1; e.g. 2 A->prec so that tiny angles
 * keep A->prec relative bits).  Returns AE_OK; AE_SINGULAR if X or Y has rank < k (A then
 * unspecified but clearable); misuse: dimensions, iso_prec < 1. */
int angles_compute(angles_t A, const qmat_t X, const qmat_t Y, long iso_prec);

/* Widens every enclosure as described at the top for a rational s >= sin theta_max(Y, Z)
 * (s >= 0; the caller proves the bound), so that A then encloses the angles between col(X)
 * and col(Z).  The sin^2 enclosures become [max(0, sl - s)^2, min(1, sh + s)^2] with sl, sh
 * rational lower/upper bounds of sqrt(mu_lo), sqrt(mu_hi) (at 2 prec bits).  Slacks add up
 * over calls.  Misuse: s < 0. */
int angles_widen(angles_t A, const mpq_t s);

/* The number of roots of chi (sin^2 theta values, distinct) in the closed interval
 * [lo, hi] (lo <= hi), decided exactly by Sturm counts: the certificate check for a
 * claimed enclosure (a negative control must get 0 for an interval that holds none). */
long angles_count_in(const angles_t A, const mpq_t lo, const mpq_t hi);

/* Largest angle's enclosure as doubles (rounded outward: lo down, hi up), for display. */
void angles_max_d(double *lo, double *hi, const angles_t A);

#endif
