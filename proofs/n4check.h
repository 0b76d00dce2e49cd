/* n4check — claim N4's independent exact re-checks of scan's certificates (GMP only;
 * nothing is taken from scan except the claims being checked).
 *
 * n4check_exact_t holds the exact facts about one model's training rows: each raw row
 * scaled exactly by the model (qnet_scale_point) and scored exactly (qnet_score), the
 * least score s_min (and a row attaining it), the 0.99 empirical quantile of the scores,
 * and the exact squared diameter D2.  The checkers then decide, exactly:
 *   - n4check_anomaly: a FAILS certificate (a scaled anomaly, its score <= s_min, at least
 *     `far` diameters from every training row);
 *   - n4check_radius: a SAFE certificate's radius R, by spot checks (points beyond R along
 *     given and seeded random directions, and every training row beyond R, must score
 *     above s_min) -- a spot check, not a proof;
 *   - n4check_dir: a direction's claimed growth rate ||v - f0(v)||^2 / ||v||^2;
 *   - n4check_ctl_*: the negative controls, the same checkers run on wrong instances built
 *     from the model (they must come back AE_NOTVERIFIED).
 * Checkers return AE_OK when the certificate holds, AE_NOTVERIFIED (with the reason in
 * `why`, at most wl bytes, NUL-terminated) when it does not, AE_EINVAL on misuse.
 */
#ifndef N4CHECK_H
#define N4CHECK_H

#include <stddef.h>

#include <gmp.h>
#include <gsl/gsl_rng.h>

#include "qnet.h"

typedef struct {
    long n, d;          /* rows, dimension */
    long far;           /* the distance ratio the anomaly checks demand (in diameters) */
    mpq_t *xs;          /* n x d: the rows scaled by the model, exact (row-major) */
    mpq_t *score;       /* n: their exact scores */
    mpq_t smin;         /* min_i score[i] */
    mpq_t q99;          /* the 0.99 empirical quantile: the ceil(0.99 n)-th smallest score */
    mpq_t D2;           /* max_{i,j} ||xs_i - xs_j||^2, exact */
    long argmin;        /* the first row with score s_min */
} n4check_exact_struct;
typedef n4check_exact_struct n4check_exact_t[1];

/* E = empty (n = d = 0, every number 0).  n4check_exact_clear frees it. */
void n4check_exact_init(n4check_exact_t E);
void n4check_exact_clear(n4check_exact_t E);

/* E = the exact facts (see n4check_exact_struct) of the n x d raw rows `raw` (row-major,
 * doubles, taken exactly) under the exact network q (its scaling applied exactly), with
 * the distance ratio far.  Returns AE_OK, or qnet_scale_point's / qnet_score's status
 * (E then holds the rows up to the failure: clear it).  Misuse (AE_EINVAL): NULL, n < 1,
 * d < 1, far < 0. */
int n4check_exact_set(n4check_exact_t E, const qnet_t q, const double *raw, long n, long d,
                      long far);

/* D2 = max_{i<j} ||xs_i - xs_j||^2 over the n rows of xs (n x d, row-major), exactly;
 * 0 when n <= 1.  Method: squared distances in double, then every pair within a relative
 * 1e-9 of the double maximum recomputed exactly.  Why the screen is safe: with
 * |coordinates| <= C, each rounded difference is off by at most 3 u C (u = 2^-53), so a
 * double squared distance is off by at most (d + 2) u s + 6 u C sqrt(d s) + O(u^2), below
 * 1e-9 s for s near the maximum as long as C^2 d <= 1e10 mx; beyond that every pair is
 * recomputed exactly.  D2 must not alias an entry of xs. */
void n4check_diam2(mpq_t D2, const mpq_t *xs, long n, long d);

/* AE_OK when ||a - x_i||^2 >= far^2 D2 for EVERY row x_i of E (a scaled, length E->d),
 * exactly; AE_NOTVERIFIED otherwise, with *imin = the first row that is too close
 * (*imin untouched on AE_OK).  Misuse: NULL (AE_EINVAL). */
int n4check_far(long *imin, const n4check_exact_t E, const mpq_t *a);

/* The FAILS certificate of the model q with facts E: a (scaled, length E->d), araw (the
 * raw form, or NULL to skip that check) and the claimed exact score.  AE_OK when
 * qnet_scale_point(araw) = a exactly, e(a) = claimed exactly, e(a) <= s_min, and a is at
 * least E->far diameters from every row (n4check_far); AE_NOTVERIFIED with the first
 * failed condition in why otherwise.  Misuse: NULL q, E, a, why (AE_EINVAL). */
int n4check_anomaly(const qnet_t q, const n4check_exact_t E, const mpq_t *a,
                    const mpq_t *araw, const mpq_t claimed, char *why, size_t wl);

/* The SAFE certificate R >= 0 of q, spot-checked with npts directions u: the first two
 * are dir and -dir when dir is given and nonzero (dir may be NULL), the rest (and those,
 * if dir is NULL or 0) are Gaussian draws from r (nonzero).  Along each u the points
 * c u with c^2 ||u||^2 > (f R)^2 exactly, c near 1.01 f R / ||u||, f = 1, 10, 1000, are
 * scored exactly; then every training row with ||x_i||^2 > R^2 too.  AE_OK when every
 * point scores above s_min; AE_NOTVERIFIED at the first one that does not (or cannot be
 * evaluated).  *checked += the points scored (also on AE_NOTVERIFIED).  Consumes r
 * only for the random directions.  Misuse: NULL q, E, R, r, checked, why; R < 0;
 * npts < 0 (AE_EINVAL). */
int n4check_radius(long *checked, const qnet_t q, const n4check_exact_t E, const mpq_t R,
                   const mpq_t *dir, gsl_rng *r, long npts, char *why, size_t wl);

/* A direction's claims for the recession network f0: g2 = ||v - f0(v)||^2 / ||v||^2, the
 * exact growth rate of the score along v (v of length d).  AE_OK when v != 0 evaluates,
 * g2 = ub exactly, lb <= ub, and (blind != 0) implies g2 = 0 (f0(v) = v);
 * AE_NOTVERIFIED otherwise (g2 unspecified when v = 0 or f0 fails).  g2 must not alias
 * ub or lb.  Misuse: NULL, d < 1 (AE_EINVAL). */
int n4check_dir(mpq_t g2, const qnet_t f0, const mpq_t *v, long d, const mpq_t ub,
                const mpq_t lb, int blind, char *why, size_t wl);

/* e = the exact score of q at x_min + t v (x_min = E's minimising row, v != 0 of length
 * E->d), t the first of t0, 2 t0, 4 t0, ... (t0 = 1.001 (far + 1) sqrt(D2 / ||v||^2) in
 * double, at most 200 doublings) with t^2 ||v||^2 >= (far + 1)^2 D2: at least far
 * diameters from every row by the triangle inequality, and checked exactly
 * (n4check_far).  Returns AE_OK, qnet_score's status, AE_ERANGE when the point is not far
 * from every row (D2 = 0 with a row off x_min, or no t found).  Misuse: NULL, v = 0
 * (AE_EINVAL). */
int n4check_far_ray_score(mpq_t e, const qnet_t q, const n4check_exact_t E, const mpq_t *v);

/* Negative controls: each runs its checker on a wrong instance and returns the checker's
 * status (AE_OK means the wrong instance was accepted: a bug in the checker).
 *   ctl_anomaly: the minimising training row claimed as the anomaly with score s_min
 *     (it is 0 diameters from itself; rejected whenever far > 0 and D2 > 0).
 *   ctl_radius: R = 0 with one spot direction (dir / r as in n4check_radius); the
 *     minimising row then lies beyond R and scores s_min.  Returns AE_ERANGE, consuming
 *     nothing, when that row is the origin (no control point).
 *   ctl_dir: the growth rate claimed as ub + 1/7. */
int n4check_ctl_anomaly(const qnet_t q, const n4check_exact_t E, char *why, size_t wl);
int n4check_ctl_radius(const qnet_t q, const n4check_exact_t E, const mpq_t *dir, gsl_rng *r,
                       char *why, size_t wl);
int n4check_ctl_dir(mpq_t g2, const qnet_t f0, const mpq_t *v, long d, const mpq_t ub,
                    const mpq_t lb, int blind, char *why, size_t wl);

#endif
