/* qpoly — univariate polynomials with exact rational (GMP mpq_t) coefficients, for
 * analysing the eigenvalues of small rational matrices exactly.
 *
 * Mathematics.
 *  - Characteristic polynomial: chi_A(x) = det(x I - A), monic of degree n, computed by
 *    Berkowitz's division-free algorithm: with A_r the leading r x r principal block,
 *    A_r = [A_{r-1} C; R a], one has chi_{A_r} = T_r chi_{A_{r-1}}, where T_r is the
 *    (r+1) x r lower-triangular Toeplitz matrix with first column
 *    (1, -a, -R C, -R A_{r-1} C, ..., -R A_{r-1}^{r-2} C) (coefficients listed from the
 *    highest power down).  O(n^4) exact operations, no divisions, no pivoting, so every
 *    rational matrix (singular or not) is handled identically.  It runs on the integer
 *    matrix M = delta A (delta = common denominator): det(xI - A) = delta^-n det(delta xI - M).
 *  - Square-free part: sqf(p) = p / gcd(p, p') has the same distinct roots as p, each
 *    simple.  Yun's algorithm writes p = c * prod_i a_i^i with a_i square-free and
 *    pairwise coprime, so a root of a_i has multiplicity exactly i in p.
 *  - Sturm sequence of a square-free s: s_0 = s, s_1 = s', s_{k+1} = -rem(s_{k-1}, s_k),
 *    ending at a nonzero constant.  With V(x) the number of sign changes in
 *    (s_0(x), s_1(x), ...) (zeros skipped), V is constant between roots of s, drops by one
 *    across each root and is right-continuous (V(r) = V(r+) at a root r because s and s'
 *    have the same sign just right of r), hence for every a < b
 *        #{distinct real roots in (a, b]} = V(a) - V(b),
 *    also when a or b is itself a root.  V(+-inf) come from the leading coefficients.
 *    Each s_k is computed as a pseudo-remainder over Z and scaled by a positive rational
 *    to a primitive integer polynomial (a positive factor leaves every sign unchanged);
 *    its sign at u/v (v > 0) is that of the integer sum_i c_i u^i v^(n-i), so sign
 *    evaluations never canonicalise rationals.  gcds use the same primitive PRS.
 *  - Root isolation: all real roots lie in (-B, B) with B = 2^k strictly above Fujiwara's
 *    bound 2 max_i |c_{n-i}/c_n|^(1/i), so every endpoint produced is dyadic.  Open intervals with
 *    non-root endpoints are bisected using Sturm counts until each holds exactly one root;
 *    a midpoint that is itself a root is reported exactly (lo = hi), and the search steps
 *    around it by a gap small enough that no other root is inside.  An interval holding
 *    one simple root of the square-free part has endpoint values of opposite sign, so it
 *    is then refined by plain bisection with exact signs.
 *
 * Representation: coefficient i (of x^i) is coeffs[i], 0 <= i <= deg; the zero
 * polynomial has deg = -1; coeffs[deg] != 0 otherwise.  Coefficients are canonical
 * rationals.  Objects are GMP-style: qpoly_init before use, qpoly_clear after.  Unless
 * stated otherwise an output may alias an input.  Caller misuse (zero polynomial where a
 * nonzero one is needed, non-square matrix, bad index) calls ae_error and then returns
 * AE_EINVAL (int functions), -1 (counts) or with the output unspecified (void functions).
 */
#ifndef QPOLY_H
#define QPOLY_H

#include <gmp.h>

#include "qmat.h"

typedef struct {
    mpq_t *coeffs;   /* alloc initialised entries; coeffs[0..deg] meaningful */
    long alloc;
    long deg;        /* -1 for the zero polynomial */
} qpoly_struct;
typedef qpoly_struct qpoly_t[1];

/* ---- memory, setting, access --------------------------------------------------- */
void qpoly_init(qpoly_t p);                                /* p = 0 */
void qpoly_clear(qpoly_t p);
void qpoly_zero(qpoly_t p);
void qpoly_set(qpoly_t q, const qpoly_t p);                /* q = p */
void qpoly_swap(qpoly_t p, qpoly_t q);                     /* O(1) */
/* p = sum_{i<n} c[i] x^i (n >= 0; trailing zeros allowed). */
void qpoly_set_si(qpoly_t p, const long *c, long n);
/* Sets the coefficient of x^i (i >= 0) to c, extending or trimming the degree. */
void qpoly_set_coeff(qpoly_t p, long i, const mpq_t c);
/* c = coefficient of x^i (0 when i > deg; i >= 0). */
void qpoly_get_coeff(mpq_t c, const qpoly_t p, long i);
long qpoly_degree(const qpoly_t p);                        /* -1 for zero */
int  qpoly_equal(const qpoly_t p, const qpoly_t q);
int  qpoly_is_zero(const qpoly_t p);
/* p = prod_{i<n} (x - r[i]), monic of degree n (p = 1 when n == 0). */
void qpoly_from_roots(qpoly_t p, const mpq_t *r, long n);

/* ---- arithmetic ---------------------------------------------------------------- */
void qpoly_add(qpoly_t r, const qpoly_t p, const qpoly_t q);
void qpoly_sub(qpoly_t r, const qpoly_t p, const qpoly_t q);
void qpoly_mul(qpoly_t r, const qpoly_t p, const qpoly_t q);
void qpoly_scalar_mul(qpoly_t r, const qpoly_t p, const mpq_t c);
void qpoly_derivative(qpoly_t r, const qpoly_t p);          /* r = p' */
/* Euclidean division a = q b + r with deg r < deg b.  Q or R may be NULL when not
 * wanted; Q and R must be distinct objects; either may alias a or b.  b == 0 is misuse. */
int  qpoly_divrem(qpoly_t Q, qpoly_t R, const qpoly_t a, const qpoly_t b);
/* g = monic gcd(a, b); gcd(0, 0) = 0. */
void qpoly_gcd(qpoly_t g, const qpoly_t a, const qpoly_t b);
/* s = p / gcd(p, p') made monic: the square-free part (same distinct roots, all simple).
 * p == 0 is misuse.  A nonzero constant gives s = 1. */
int  qpoly_squarefree(qpoly_t s, const qpoly_t p);

/* ---- evaluation ---------------------------------------------------------------- */
/* y = p(x) exactly (Horner).  y may alias x. */
void qpoly_eval(mpq_t y, const qpoly_t p, const mpq_t x);
/* Sign of p(x): -1, 0 or +1. */
int  qpoly_sign_at(const qpoly_t p, const mpq_t x);
/* R = p(A) for square A (Horner on matrices); R must be initialised with A's dimensions
 * and may alias A.  Non-square A or dimension mismatch is misuse. */
int  qpoly_eval_qmat(qmat_t R, const qpoly_t p, const qmat_t A);

/* ---- characteristic polynomial ------------------------------------------------- */
/* p = det(x I - A) for square A (n x n, n >= 0; n == 0 gives p = 1), exactly, by
 * Berkowitz's algorithm (see above).  So coefficient n-1 is -trace(A) and coefficient 0
 * is (-1)^n det(A).  Non-square A is misuse. */
int  qpoly_charpoly(qpoly_t p, const qmat_t A);

/* ---- real roots ---------------------------------------------------------------- */
/* Number of distinct real roots of p in the half-open interval (a, b]; a == NULL means
 * -infinity and b == NULL means +infinity (so (NULL, NULL) counts all distinct real
 * roots).  0 when a >= b.  Exact (Sturm sequence of the square-free part).
 * p == 0 is misuse (-1 after the handler returns). */
long qpoly_sturm_count(const qpoly_t p, const mpq_t a, const mpq_t b);

/* Number of real roots of p counted with multiplicity (via Yun's square-free
 * factorisation and a Sturm count per factor).  p == 0 is misuse (-1). */
long qpoly_real_root_count_mult(const qpoly_t p);

/* Isolated real roots: n distinct real roots, sorted ascending; root i lies in the closed
 * interval [lo[i], hi[i]], which contains no other root, and the intervals are pairwise
 * disjoint (hi[i] < lo[i+1]).  Either lo[i] == hi[i] is the root exactly (a rational root
 * met by the bisection), or lo[i] < root < hi[i], hi[i] - lo[i] <= 2^-prec, neither
 * endpoint is a root, and the square-free part of p has opposite signs at lo[i] and hi[i]
 * (p itself does iff mult[i] is odd).  mult[i] is the multiplicity of the root in p.  All
 * endpoints are dyadic rationals.  The count of real roots with multiplicity is the sum
 * of mult[0..n-1] (also given by qpoly_real_root_count_mult). */
typedef struct {
    long n;          /* number of distinct real roots */
    long alloc;
    mpq_t *lo, *hi;  /* alloc initialised entries each */
    long *mult;
} qpoly_roots_struct;
typedef qpoly_roots_struct qpoly_roots_t[1];

void qpoly_roots_init(qpoly_roots_t R);                   /* n = 0 */
void qpoly_roots_clear(qpoly_roots_t R);
/* Fills R as above for p (prec >= 0).  p == 0 (infinitely many roots) or prec < 0 is
 * misuse.  A nonzero constant has no roots (R->n = 0). */
int  qpoly_real_roots(qpoly_roots_t R, const qpoly_t p, long prec);

#endif
