/* linae — linear autoencoders over the rationals, as exact mathematical objects.
 *
 * A linear AE with input dimension d and code dimension k (1 <= k < d) is
 *     f(x) = W_d (W_e x + b_e) + b_d,
 * W_e k x d, b_e k x 1, W_d d x k, b_d d x 1, all exact rationals (qmat_t).  Its score
 * (reconstruction error) is e(x) = ||x - f(x)||^2 (CLAIMS.md: no 1/d factor) and its
 * loss on a data matrix X (n x d, one point per row) is L = (1/n) sum_i e(x_i).
 *
 * Everything here is exact: no result is rounded.  Evaluation is done in integers
 * over common denominators (one gcd per output value), because with the large
 * denominators of exact left inverses mpq arithmetic would spend its time in gcds.
 *
 * Vectors are mpq_t arrays of the stated length (qvec_init); a vector's length cannot
 * be checked, so it is the caller's duty.  Caller misuse (k out of range, dimension
 * mismatch) -> ae_error(func, reason), then AE_EINVAL.  Mathematical outcomes
 * (a singular matrix, a check that fails) are return values.
 */
#ifndef LINAE_H
#define LINAE_H

#include <gmp.h>
#include <gsl/gsl_rng.h>

#include "qmat.h"

typedef struct {
    long d, k;
    qmat_t We;   /* k x d */
    qmat_t be;   /* k x 1 */
    qmat_t Wd;   /* d x k */
    qmat_t bd;   /* d x 1 */
} linae_struct;
typedef linae_struct linae_t[1];

/* Initialises ae as the zero AE (all weights and biases 0) with dimensions d, k.
 * Misuse unless 1 <= k < d.  ae is left initialised (as a 0 x 0 AE, d = k = 0) before
 * the error is reported, so linae_clear(ae) is always safe after linae_init. */
int  linae_init(linae_t ae, long d, long k);
void linae_clear(linae_t ae);
/* dst = src; both initialised with the same d and k (misuse otherwise). */
int  linae_set(linae_t dst, const linae_t src);

/* ---- evaluation ---------------------------------------------------------------- */
/* y = f(x), x and y of length d.  y may alias x. */
int linae_map(mpq_t *y, const linae_t ae, const mpq_t *x);
/* e = ||x - f(x)||^2, x of length d. */
int linae_score(mpq_t e, const linae_t ae, const mpq_t *x);
/* e[i] = score of row i of X (n x d), e of length n (n may be 0).  Per row: z = W_e x + b_e,
 * then f = W_d z + b_d, in preallocated integer buffers (cost O(n d k), not O(n d^2)). */
int linae_scores(mpq_t *e, const linae_t ae, const qmat_t X);
/* L = (1/n) sum_i ||x_i - f(x_i)||^2 over the rows of X (n x d), each row evaluated as in
 * linae_scores.  Misuse if n = 0. */
int linae_loss(mpq_t L, const linae_t ae, const qmat_t X);
/* G = the exact gradient of linae_loss(ae, X) with respect to (We, be, Wd, bd), stored in
 * the same-shaped fields of G (initialised with ae's d, k; G must not be ae).  With
 * r_i = x_i - f(x_i), h_i = W_e x_i + b_e:
 *     dL/dW_d = -(2/n) sum r_i h_i^T,        dL/db_d = -(2/n) sum r_i,
 *     dL/dW_e = -(2/n) sum W_d^T r_i x_i^T,  dL/db_e = -(2/n) sum W_d^T r_i.
 * Rows sharing denominators (real data after min-max scaling, synthetic instances) are
 * summed as integers over one common denominator; rows with unrelated denominators,
 * where that denominator would explode, are accumulated row by row in mpq.
 * Misuse if n = 0. */
int linae_grad(linae_t G, const linae_t ae, const qmat_t X);

/* ---- structure ----------------------------------------------------------------- */
/* M = W_d W_e (d x d; M initialised d x d).  Then f(x) = M x + (W_d b_e + b_d). */
int linae_map_matrix(qmat_t M, const linae_t ae);
/* 1 if W_e W_d = I_k exactly, else 0. */
int linae_is_left_inverse(const linae_t ae);
/* 1 if M = W_d W_e is idempotent (M^2 = M) exactly, else 0.  Computed as
 * W_d (W_e W_d) W_e so that the cost is O(d^2 k), not O(d^3). */
int linae_is_projector(const linae_t ae);
/* 1 if M = W_d W_e is idempotent and symmetric (M = M^T) exactly, else 0. */
int linae_is_orthogonal_projector(const linae_t ae);

/* ---- constructions (all give f(x) = m + W_d W_e (x - m)) ------------------------ */
/* Sets W_d = Wd (d x k), W_e = We (k x d), b_e = -We m, b_d = m, with ae's d, k.
 * m (length d) may be NULL for m = 0.  The AE is set in any case; returns AE_OK if
 * W_e W_d = I_k exactly, AE_NOTVERIFIED otherwise (then L1 does not apply). */
int linae_set_left_inverse(linae_t ae, const qmat_t Wd, const qmat_t We, const mpq_t *m);
/* We (k x d) = P + Y (I - Wd P), P = (Wd^T Wd)^{-1} Wd^T the pseudo-inverse, Y a k x d
 * matrix of random small rationals (numerators in [-5, 5], denominators in [1, 4])
 * drawn from rng.  Every such We satisfies We Wd = I_k; since d > k, I - Wd P != 0 and
 * Y is redrawn (then forced) until We != P, so the result is never the pseudo-inverse.
 * Wd must be d x k with 1 <= k < d (misuse otherwise); AE_SINGULAR if Wd has rank < k
 * (We unspecified).  We may not alias Wd. */
int linae_random_left_inverse(qmat_t We, const qmat_t Wd, gsl_rng *rng);
/* The Baldi–Hornik family: W_e = G^{-1} Vk^T, W_d = Vk G, b_e = -W_e mean, b_d = mean,
 * Vk d x k, G k x k, mean length d (NULL for 0).  AE_SINGULAR if G is singular (ae
 * unspecified).  If Vk has orthonormal columns, f is the same map for every G. */
int linae_set_baldi_hornik(linae_t ae, const qmat_t Vk, const qmat_t G, const mpq_t *mean);
/* The exact projector onto col(V) along its orthogonal complement: W_d = V (d x k),
 * W_e = (V^T V)^{-1} V^T, b_e = -W_e mean, b_d = mean (NULL for 0).  Works for any basis
 * V, orthonormal or not (e.g. MPFR eigenvectors read back as dyadic rationals).
 * AE_SINGULAR if V has rank < k (ae unspecified). */
int linae_set_projector_basis(linae_t ae, const qmat_t V, const mpq_t *mean);

#endif
