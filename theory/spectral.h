/* spectral — spectral facts about linear autoencoders, decided exactly (claim L6 and
 * every later claim that reasons about M = W_d W_e).
 *
 * For a linear AE f(x) = W_d (W_e x + b_e) + b_d with map matrix M = W_d W_e (d x d) and
 * r0 = x0 - f(x0) the residual at a base point x0:
 *   x0 + t v - f(x0 + t v) = r0 + t (I - M) v,
 * so for an eigenvector v of M with eigenvalue lambda the score along the line is the exact
 * quadratic  e(x0 + t v) = e(x0) + 2 t (1 - lambda) r0.v + t^2 (1 - lambda)^2 ||v||^2,
 * and for every x,  ||x - f(x)|| >= sigma_min(I - M) ||x - x0|| - ||r0||  (triangle
 * inequality), which gives a radius beyond which every point scores above s_min as soon
 * as sigma_min(I - M) > 0 is certified.  The certificate for sigma_min^2 >= tau is
 * Sylvester's law of inertia: (I - M)^T (I - M) - tau I has d positive eigenvalues,
 * decided by exact LDL^T inertia (qmat_inertia) on rationals, so no rounding enters.
 *
 * Functions return 1/0 for a decided fact; they never print.  The AE is not modified.
 */
#ifndef SPECTRAL_H
#define SPECTRAL_H

#include <gmp.h>

#include "linae.h"

/* 1 iff e(x0 + t v) equals, exactly, the quadratic law above with eigenvalue lam,
 * e(x0) + 2 t (1 - lam) r0.v + t^2 (1 - lam)^2 ||v||^2 (r0 = x0 - f(x0)).  It holds for
 * every t when M v = lam v; it is the exact check of that claim at one t.  x0, v: length
 * ae->d. */
int spectral_quadratic_law(const linae_t ae, const mpq_t *x0, const mpq_t *v, const mpq_t t,
                           const mpq_t lam);

/* v (length d) = a rational approximation of the eigenvector of M = W_d W_e for an
 * eigenvalue of K = W_e W_d lying just below hi: one exact inverse-iteration step
 * y = (K - mu I)^{-1} 1 with mu = hi + 2^-200, then v = W_d y (M W_d = W_d K, so an
 * eigenvector y of K gives the eigenvector W_d y of M).  Returns 1, or 0 when K - mu I is
 * singular (v unchanged).  An approximation only: callers that certify use the exact
 * score along v, never v's eigen-ness. */
int spectral_eigvec_approx(mpq_t *v, const linae_t ae, const mpq_t hi);

/* R = a certified radius: every x with ||x - x0|| > R has e(x) > s_min, whatever its
 * direction, where r0n2 = ||x0 - f(x0)||^2 for the caller's base point x0.  Derivation:
 * e(x) >= (sigma ||x - x0|| - ||r0||)^2 with sigma = sigma_min(I - M) >= sqrt(tau), tau > 0
 * a rational certified by exact inertia of (I - M)^T (I - M) - tau I; then
 * R = (ub sqrt(s_min) + ub ||r0||) / lb sqrt(tau) (64-bit directed square roots, so R only
 * errs upwards).  tau starts at half the double estimate of lambda_min (GSL), capped by
 * hint^2 when hint (a lower bound of |1 - lambda| for an eigenvalue of M; may be NULL) is
 * given, since sigma_min(I - M) <= |1 - lambda|; it is divided by 16 up to 12 times until
 * certified.  Returns 1, or 0 (R unchanged) when no positive tau is certified, e.g. when
 * M has an eigenvalue exactly 1 (then no such radius exists). */
int spectral_certified_radius(mpq_t R, const linae_t ae, const mpq_t smin, const mpq_t r0n2,
                              const mpq_t hint);

/* L6's detection distance along the eigenvector line of an eigenvalue lambda near 1:
 * with r0n2 = ||x0 - f(x0)||^2 and dist_lo > 0 a rational lower bound of |1 - lambda|,
 * e(x0 + t v) >= (|t| |1 - lambda| - ||r0||)^2 for a unit eigenvector v, so every point of
 * that line beyond
 *     D* = (ub sqrt(s_min) + ub ||r0||) / dist_lo        (64-bit directed square roots)
 * scores above s_min; dstar gets D* (a rational upper bound).  As evidence, e gets the
 * exact score at p = x0 + s v, s = 2 D* / lb ||v||  (so ||p - x0|| >= 2 D*), v from
 * spectral_eigvec_approx(ae, lam_hi).  Returns 1 when e was computed, 0 when no
 * eigenvector approximation exists (dstar is set either way, e unchanged).  x0: length
 * ae->d.  Misuse: dist_lo <= 0. */
int spectral_detection(mpq_t dstar, mpq_t e, const linae_t ae, const mpq_t *x0,
                       const mpq_t smin, const mpq_t r0n2, const mpq_t dist_lo,
                       const mpq_t lam_hi);

#endif
