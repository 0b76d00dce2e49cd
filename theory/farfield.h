/* farfield — rigorous far-field bounds of a piecewise-linear autoencoder (issue #8).
 *
 * Notation: f the exact network (qnet.h), f0 its recession network (no biases, hardtanh
 * -> 0), ||.|| the Euclidean norm, all in the network's (scaled) input space.
 *
 * The bias bound K >= sup_x ||f(x) - f0(x)||.  With h_l = sigma_l(W_l h_{l-1} + b_l) and
 * g_l = sigma_inf_l(W_l g_{l-1}) (h_0 = g_0 = x):
 *   relu / leaky (slope s) / identity: sigma_inf = sigma is Lipschitz with
 *     c_l = max(1, |s|), so ||h_l - g_l|| <= c_l (||W_l|| ||h_{l-1} - g_{l-1}|| + ||b_l||);
 *   hardtanh: g_l = 0 and |h_l| <= 1 componentwise, so ||h_l - g_l|| <= sqrt(n_l).
 * Hence K_0 = 0, K_l = c_l (N_l K_{l-1} + B_l) or sqrt(n_l), K = K_L, for any rigorous
 * upper bounds N_l >= ||W_l||_2 and B_l >= ||b_l||.  N_l^2 is the least of five rigorous
 * upper bounds of ||W||_2^2 (ff_layer_norm2's letter in brackets):
 *   [F] the Frobenius norm ||W||_F^2;  [H] ||W||_1 ||W||_inf (Hoelder / Riesz-Thorin);
 *   [C] Collatz-Wielandt on |W|: ||W||_2 <= || |W| ||_2 and || |W| ||_2^2 =
 *       rho(|W|^T |W|) <= max_i (|W|^T |W| x)_i / x_i for any x > 0 (a nonnegative matrix);
 *   with G = W^T W or W W^T, the smaller side, formed EXACTLY from the integer mantissas
 *   (||W||_2^2 = lambda_max(G), G = Mant Mant^T 4^-e):
 *   [M] Collatz-Wielandt on |G|: lambda_max(G) <= rho(|G|) <= max_i (|G| x)_i / x_i;
 *   [R] a certified eigenvalue bound: lambda_max(G) < mu for a dyadic mu (the float
 *       lambda_max times 1 + 2^-30, or a larger margin) such that mu I - G is proved
 *       positive definite by Rump's floating-point Cholesky test, with the rounding of
 *       G to doubles absorbed into the diagonal (pdcert.h, pdcert_chol: the theorem, its
 *       constants and every rounding term).
 * In every bound x comes from a float power iteration and the quotient is exact.  On
 * random dense layers [R] is within ~1e-9 of sigma_max^2 where [F], [H], [C] are ~100
 * times too large.  Square roots are taken upwards on rationals (ff_sqrt_up).
 *
 * The growth bound gamma <= min_{||v|| = 1} ||v - f0(v)||, kept as its square gamma2.
 *   Lipschitz route (any dimension): ||f0(v)|| <= L ||v|| with L = prod_l c_l N_l (0 after
 *   a hardtanh layer); if L < 1 then ||v - f0(v)|| >= (1 - L) ||v||.
 *   Circle route (d = 2, complete): on every sector of cone_circle f0(v) = A v, so
 *   ||v - f0(v)||^2 = v^T M v with M = (I - A)^T (I - A); g2 is certified for a sector
 *   spanned by b1, b2 (angle < pi) iff M - g2 I is copositive on that cone, i.e. with
 *   P = B^T (M - g2 I) B, B = [b1 b2]: P11 >= 0, P22 >= 0 and (P12 >= 0 or P12^2 <=
 *   P11 P22) -- three exact rational tests.  A sector of angle pi (and the full plane)
 *   is split into cones of angle < pi first.  The candidate g2 comes from a float
 *   minimisation over the arc and is lowered until the exact test passes.
 *
 * The radius.  If gamma > 0 and ||x|| > R = (K + sqrt(s))/gamma then
 *   ||x - f(x)|| >= ||x - f0(x)|| - ||f(x) - f0(x)|| >= gamma ||x|| - K > sqrt(s),
 * so every such x scores above s.  ff_radius returns a rational R_up >= that R.
 *
 * Misuse (ae_error, AE_EINVAL): NULL arguments, f0 not homogeneous, dimensions that do not
 * match.  Outputs never alias inputs.
 */
#ifndef FARFIELD_H
#define FARFIELD_H

#include <gmp.h>

#include "cone.h"
#include "qnet.h"

/* r = a rational >= sqrt(a) (a >= 0), within a relative 2^-prec_bits of it: the exact
 * root when a is the square of a rational, else a dyadic m 2^-t with m ~ 2^prec_bits.
 * r may alias a (the one exception to "outputs never alias").  a < 0 or prec_bits
 * outside [1, 2^24] is misuse (r unchanged). */
void ff_sqrt_up(mpq_t r, const mpq_t a, long prec_bits);
/* r = a rational <= sqrt(a) (a >= 0, r >= 0), within a relative 2^-prec_bits; as
 * ff_sqrt_up otherwise. */
void ff_sqrt_down(mpq_t r, const mpq_t a, long prec_bits);

/* N2 = a rational >= ||W_l||_2^2 for layer l of q (the least of the five bounds above);
 * which (may be NULL) gets 'F', 'H' (Hoelder), 'C' (Collatz-Wielandt on |W|), 'M'
 * (Collatz-Wielandt on |G|) or 'R' (Rump's Cholesky certificate); ties go to the earlier
 * letter.  Cost for a 784 x 256 layer: ~0.06 s (float32), ~0.11 s (float64 weights
 * whose mantissas exceed a machine long). */
int ff_layer_norm2(mpq_t N2, char *which, const qnet_t q, long l);

/* K = a rational >= sup_x ||f(x) - f0(x)|| (see top). */
int ff_bias_bound(mpq_t K, const qnet_t f);

/* L = a rational >= the Lipschitz constant of f0 (prod c_l N_l); g2 = (1 - L)^2 rounded
 * down when L < 1, else 0.  Both may be computed in one call: L may be NULL. */
int ff_gamma_lipschitz(mpq_t g2, mpq_t L, const qnet_t f0);

/* g2 = a certified lower bound of min ||v - f0(v)||^2 over unit v in the closed sector k
 * of C (cone_circle_t, d = 2), 0 when the sector holds a fixed point (C->status[k] ==
 * CONE_FIXED) or is CONE_UNDECIDED.  dir (2 entries, may be NULL) gets a direction of the
 * sector where the float minimum was met (a small-integer rational vector; the sector's
 * start b_k if that rounding leaves the sector), the fixed point C->v of a CONE_FIXED
 * sector, or b_k for CONE_UNDECIDED.  Misuse also: k outside [0, C->n), C not computed
 * (C->n == 0) or for another network. */
int ff_gamma_sector(mpq_t g2, mpq_t *dir, const qnet_t f0, const cone_circle_t C, long k);
/* The exact cone test behind ff_gamma_sector: 1 if v^T (M - g2 I) v >= 0 for every v
 * in the cone { y1 b1 + y2 b2 : y >= 0 } (M a 2 x 2 rational matrix, read as its
 * symmetric part; b1, b2 two integer vectors of 2 entries), else 0 -- the three tests on
 * P = B^T (M - g2 I) B above.  AE_EINVAL on misuse (NULL, M not 2 x 2). */
int ff_copositive2(const qmat_t M, const mpq_t g2, const mpz_t *b1, const mpz_t *b2);

/* g2 = min over all sectors of ff_gamma_sector (0 if some sector has a fixed point);
 * *kmin gets the minimising sector (may be NULL). */
int ff_gamma_circle(mpq_t g2, long *kmin, const qnet_t f0, const cone_circle_t C);

/* R = a rational >= (K + sqrt(s)) / sqrt(g2) (g2 > 0, K >= 0, s >= 0): every x with
 * ||x|| > R has ||x - f(x)||^2 > s.  Returns AE_OK, AE_ERANGE when g2 == 0 (R unset). */
int ff_radius(mpq_t R, const mpq_t K, const mpq_t s, const mpq_t g2);

#endif
