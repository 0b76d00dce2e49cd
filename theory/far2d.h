/* far2d — the far field of a 2-D autoencoder around its blind directions (issue #8).
 *
 * Setting: f a qnet with din = dout = 2, f0 its recession network, C its complete sector
 * list (cone_circle), K >= sup ||f - f0|| (ff_bias_bound), s >= 0 a score level (s_min).
 * Sectors without a fixed point are handled by farfield (gamma > 0 there).  For each
 * sector k with C->status[k] == CONE_FIXED, with fixed point v (primitive integers) and
 * f0 = A x on the sector:
 *
 * Strip.  Let w = (-v2, v1) (so w.v = 0, ||w|| = ||v||) and write x = t v + s w.  Since
 *   (I - A) v = 0, (I - A) x = s (I - A) w, so for x in the sector
 *   ||x - f(x)|| >= ||(I - A) x|| - K = |s| ||(I - A) w|| - K, which exceeds sqrt(s)
 *   once |s| > W = (K + sqrt(s)) / ||(I - A) w|| (rounded up).  Only the strip |s| <= W
 *   can hold points of the sector with score <= s.  If (I - A) w = 0 (A = I on the
 *   whole sector) the strip is the whole sector: FAR2D_UNDECIDED (not handled yet).
 *   Since A != I, the fixed points of A are exactly the line R v, so sectors sharing a
 *   pattern (cone_circle copies v) or a line are one strip: lines are deduplicated
 *   (primitive v up to sign) with the largest W of their sectors.  The strip is analysed
 *   along both half-strips, d = v and d = -v (w = perp(d), t >= t*): the sector's part of
 *   the strip with t < 0 need not be bounded (a half-plane sector bounded by R v holds
 *   both v and -v, and cone_test returns only one of them).  Along -v the network need
 *   not be blind; the analysis below is exact there too.
 *
 * Far pieces.  Fix t* > 0.  The segment t* v + s w, s in [-W, W], is cut into its exact
 *   pieces (ray_pieces from t* v - W w along w).  For piece [s1, s2] with pattern p the
 *   half-strip region Q = [s1, s2] x [t*, inf) is certified to have pattern p when every
 *   unit's pre-activation under p (affine in (s, t): qnet_forms, QNET_FIXED, along v from
 *   both corners) satisfies p's closed sign condition at both corners and its slope along v
 *   has the sign p needs (relu/leaky ON: >= 0, OFF: <= 0; hardtanh ON: = 0, LO: <= 0, HI:
 *   >= 0): an affine function on the convex set Q = conv(corners) + cone(v) keeps a sign
 *   iff it does at the vertices and along the recession direction.  If some piece fails,
 *   t* is doubled (at most FAR2D_MAX_DOUBLINGS times, then FAR2D_UNDECIDED).
 *   On a certified Q, f = A' x + c' and the score is the exact quadratic
 *   e(s, t) = ||r0 + s r_s + t r_t||^2; its minimum over Q is found exactly among the
 *   interior critical point, the three edges (1-D quadratics) and the corners, or, when
 *   r_t = 0, the minimum over s in [s1, s2] alone (attained for every t >= t*)
 *   (far2d_quad_min).
 *
 * Verdict.  Initially t* is the least integer >= 1 with t* ||v|| >= rfar + ||centre|| (so
 *   every point of the half-strip beyond t* is at distance >= rfar from centre; computed
 *   with rigorous square-root bounds, so it may be one more than the least).  If the least
 *   score over all far pieces of all blind strips is <= s: FAR2D_FAILS with that point x
 *   (exact, ||x - centre|| >= rfar, score exact).  Otherwise FAR2D_SAFE with
 *   R^2 = max over half-strips of (t*^2 + W^2) ||v||^2 (rounded up to a rational R):
 *   every x in a blind sector with ||x|| > R scores above s (outside its strip by the
 *   bound above, inside it because |t| >= t* there, so x lies in one of the two analysed
 *   half-strips, and every far piece scores above s).  The claim covers the closed cones
 *   C_p of the blind sectors' patterns (the strip bound holds on all of C_p).
 *   With no blind sector: FAR2D_SAFE, nblind = 0, R = 0.  If some sector of C has an
 *   undecided cone test (C->nundecided > 0): FAR2D_UNDECIDED (it may hide a blind line).
 *   Square roots are enclosed by rationals (a private helper, 64 bits; farfield.c has the
 *   same as ff_sqrt_up / ff_sqrt_down).
 *
 * Misuse (ae_error, AE_EINVAL): dimensions other than 2, f0 not homogeneous or not of f's
 * layer sizes, C not computed (C->n < 1) or for another network, NULLs, negative K, s or
 * rfar.  Outputs never alias inputs.
 */
#ifndef FAR2D_H
#define FAR2D_H

#include <gmp.h>

#include "cone.h"
#include "qnet.h"

#define FAR2D_MAX_DOUBLINGS 64

enum { FAR2D_SAFE = 0, FAR2D_FAILS = 1, FAR2D_UNDECIDED = 2 };

typedef struct {
    int status;          /* FAR2D_*; FAR2D_SAFE with nblind == 0 when no sector is blind */
    mpq_t R;             /* SAFE: radius covering every blind sector (0 if none) */
    mpq_t x[2];          /* FAILS: the far point, exact */
    mpq_t score;         /* FAILS: its exact score */
    mpq_t far_min;       /* the least far score found (nblind > 0, not UNDECIDED) */
    mpq_t v[2];          /* the half-strip direction d (+-v) of the least far score */
    long nblind;         /* blind sectors */
    long nstrips;        /* distinct blind lines (each analysed along +v and -v) */
    long npieces;        /* far pieces certified */
    char why[160];       /* UNDECIDED: the reason */
} far2d_struct;
typedef far2d_struct far2d_t[1];

void far2d_init(far2d_t B);
void far2d_clear(far2d_t B);

/* The analysis above.  centre (2 entries) and rfar >= 0 define "far".  Returns AE_OK (any
 * status) or AE_EINVAL on misuse. */
int far2d_blind(far2d_t B, const qnet_t f, const qnet_t f0, const cone_circle_t C,
                const mpq_t K, const mpq_t s, const mpq_t *centre, const mpq_t rfar);

/* The region check above, exposed for tests: 1 if every unit's pre-activation under pat
 * (QNET_FIXED, f's affine forms) satisfies pat's closed sign condition at both corners c1,
 * c2 and has the needed slope sign along d, so that the pattern pat holds (closed) on
 * conv(c1, c2) + cone(d) and f = A' x + c' (qnet_affine(f, pat)) there; 0 if not (the
 * region may still have the pattern: the test is sufficient, and exact).  n = din.
 * AE_EINVAL on misuse (NULLs, lengths, a pattern invalid for f). */
int far2d_region_ok(const qnet_t f, const signed char *pat, const mpq_t *c1, const mpq_t *c2,
                    const mpq_t *d, long n);

/* (emin, smin, tmin) = the exact minimum of e(s, t) = ||r0 + s rs + t rt||^2 (vectors of
 * length n) over s1 <= s <= s2, t >= tlo, and a minimiser (see top: the interior critical
 * point when it lies in the region, else the best of the three edges).  Requires s1 <= s2
 * (AE_EINVAL otherwise, or on NULLs).  The outputs must not alias the inputs. */
int far2d_quad_min(mpq_t emin, mpq_t smin, mpq_t tmin, const mpq_t *r0, const mpq_t *rs,
                   const mpq_t *rt, long n, const mpq_t s1, const mpq_t s2, const mpq_t tlo);

#endif
