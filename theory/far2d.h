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
 *   once |s| > W = (K + sqrt(s)) / ||(I - A) w|| (rounded up).  Only the half-strip
 *   |s| <= W, t >= 0 can hold far points with score <= s.  If (I - A) w = 0 (A = I on the
 *   whole sector) the strip is the whole sector: FAR2D_UNDECIDED (not handled yet).
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
 *   r_t = 0, the minimum over s in [s1, s2] alone (attained for every t >= t*).
 *
 * Verdict.  Initially t* is the least integer with t* ||v|| >= rfar + ||centre|| (so every
 *   point of the half-strip beyond t* is at distance >= rfar from centre).  If the least
 *   score over all far pieces of all blind strips is <= s: FAR2D_FAILS with that point x
 *   (exact, ||x - centre|| >= rfar, score exact).  Otherwise FAR2D_SAFE with
 *   R^2 = max over strips of (t*^2 + W^2) ||v||^2 (rounded up to a rational R): every x in
 *   a blind sector with ||x|| > R scores above s (outside its strip by the bound above,
 *   inside it because t >= t* there and every far piece scores above s).
 *
 * Misuse (ae_error, AE_EINVAL): dimensions other than 2, f0 not homogeneous, NULLs,
 * negative K or s.
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
    mpq_t far_min;       /* the least far score found (valid when nblind > 0 and not UNDECIDED) */
    mpq_t v[2];          /* the blind direction of the least far score */
    long nblind;         /* blind sectors */
    long nstrips;        /* distinct blind directions analysed */
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

#endif
