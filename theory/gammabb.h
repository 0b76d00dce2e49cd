/* gammabb — a certified lower bound of the growth rate gamma2 = min_{||v|| = 1}
 * ||v - f0(v)||^2 of a recession network in any dimension, by branch and bound over the
 * faces of the unit inf-ball (issue #8; used by scan for d != 2).
 *
 * Homogeneity.  g(v) = v - f0(v) is positively homogeneous (f0 is: qnet.h), so
 * ||g(v)||^2 / ||v||^2 is constant along rays and gamma2 = min of that ratio over the
 * boundary of the unit inf-ball, the union of the 2d faces F_{i,s} = { v_i = s, |v_j| <= 1 }
 * (s = +-1).  For a box B (in a face or anywhere, 0 not necessarily excluded) and rigorous
 * enclosures G_j of g_j over B,
 *     ||g(v)||^2 / ||v||^2 >= lb_B = sum_j dist(0, G_j)^2 / max_{v in B} ||v||^2,
 * so gamma2 >= min lb_B over any cover of the faces by boxes.
 *
 * Enclosures: symbolic linear bounds (DeepPoly / CROWN style, forward).  In box-centred
 * coordinates v = m + r * t, t in [-1, 1]^d, every unit carries a lower and an upper
 * affine form in t and a concrete interval.  An affine layer combines the forms by the
 * signs of the weights; relu / leaky relu (slope s in [0, 1], convex and nondecreasing)
 * with pre-activation bounds [l, u] passes the forms when l >= 0, scales them by s when
 * u <= 0, and otherwise bounds sigma from above by its chord k z + b over [l, u] (valid
 * on [l, u] by convexity, applied to the upper form because k >= 0) and from below by
 * lambda z (lambda = 1 if u >= -l else s; lambda z <= max(z, s z) for lambda in [s, 1]).
 * QNET_ZERO gives the zero forms, identity passes them.  Each unit's interval is the
 * intersection of its forms' range and plain interval arithmetic.  When every unit of a
 * box is stable the forms are the exact linear map (I - A_p) v of qnet_affine up to
 * rounding, and G_j is the exact range of each coordinate (centre +- radius).
 *
 * Rigour: double arithmetic with outward error terms, no rounding-mode changes.  The
 * weights are exact dyadics and are converted to double only when exactly representable
 * (else gammabb_init returns AE_ERANGE).  A dot product of n terms computed in
 * round-to-nearest has |error| <= gamma_n sum |terms| + n 2^-1074 (Higham, Thm 3.1, plus
 * underflow); gammabb uses the larger 2 (n + 4) 2^-53 times the computed sum of |terms|.
 * Because |t_j| <= 1, the error of each coefficient is moved into the constant (lower
 * forms down, upper forms up).  Single operations whose direction matters are rounded
 * outwards with nextafter (round-to-nearest is within half an ulp, one ulp is outward).
 * Any non-finite value makes the box's bound 0.  The certified minimum is converted to an
 * mpq exactly (mpq_set_d).
 *
 * Branch and bound.  The 2d faces are the initial boxes; the box of least bound is split
 * at the midpoint of its longest free edge (all box ends stay dyadics k 2^-p, p <= 40,
 * so centres and radii are exact; a box of edge < 2^-38 is not split further) until every
 * box's bound exceeds the target, or max_boxes leaves exist, or the deadline passes.  The
 * float ratio at every box centre (and at nsamples seeded random points on the faces)
 * gives ub, an estimate from above of gamma2 (not certified).  The automatic target is
 * ub / 4, lowered with ub (so the cover proves gamma >= gamma_ub / 2); if ub falls below
 * GAMMABB_TINY the search stops: a fixed-point candidate (gamma2 = 0).  Once that cover
 * closes, an optional second phase raises the target to refine * ub with a bounded number
 * of further boxes; the result is the better of the two covers (each is a certificate).
 *
 * Errors: misuse (ae_error, AE_EINVAL): NULLs, f0 not homogeneous, din != dout, bad
 * options; AE_ERANGE: a weight or slope not exactly a double, a leaky slope outside
 * [0, 1]; AE_ENOMEM.  Outputs never alias inputs.
 */
#ifndef GAMMABB_H
#define GAMMABB_H

#include <gmp.h>

#include "qnet.h"

#define GAMMABB_TINY 1e-24     /* float ratio treated as a fixed-point candidate */

enum { GAMMABB_CLOSED = 0,    /* every leaf's bound > target: gamma2 = their minimum */
       GAMMABB_BUDGET = 1,    /* max_boxes or the deadline: gamma2 = min over the leaves */
       GAMMABB_FIXED = 2 };   /* ub < GAMMABB_TINY: gamma2 = 0 */

typedef struct {
    long max_boxes;           /* leaves of the cover at most (default 1 << 17) */
    double deadline;          /* CLOCK_MONOTONIC seconds (ssearch_now's clock); <= 0: none */
    double target;            /* > 0: a fixed target; <= 0: automatic (ub / 4) */
    double hint_ub;           /* > 0: a known value of the ratio (an upper bound of gamma2) */
    long nsamples;            /* random points for the first ub (default 256) */
    unsigned long seed;       /* their seed (default 1) */
    double refine;            /* after an automatic cover closed: a second phase with the
                               * target refine * ub, at most 8 times the leaves (default
                               * 0.81, i.e. gamma within 90%; 0: none) */
    double corrupt;           /* TESTS ONLY (negative control): every bound is multiplied
                               * by this factor; must be 1 (the default) otherwise */
} gammabb_opts;

void gammabb_opts_default(gammabb_opts *o);

/* The prepared network: double weights (exact), work space. */
typedef struct {
    long L, d, wmax;
    long *sizes;
    int *act;
    double *slope;            /* L: 0 for relu */
    double **W;               /* L: row-major sizes[l+1] x sizes[l] */
    double *fa, *fb;          /* forms: 2 layers x 2 (lower, upper) x wmax x (d + 1) */
    double *ia, *ib;          /* intervals: 2 layers x 2 x wmax */
    double *x, *y;            /* float evaluation: wmax each */
    double *bm, *br;          /* d: the current box's centre and radius */
    int mode;                 /* GAMMABB_BOTH except inside gammabb_enclose */
} gammabb_struct;
typedef gammabb_struct gammabb_t[1];

/* Prepares G for f0 (positively homogeneous, din == dout).  AE_OK, AE_ERANGE (see top;
 * G is then clear-safe), AE_EINVAL, AE_ENOMEM. */
int gammabb_init(gammabb_t G, const qnet_t f0);
void gammabb_clear(gammabb_t G);

/* *lb = a rigorous lower bound of ||v - f0(v)||^2 / ||v||^2 over every v != 0 of the box
 * prod_j [lo_j, hi_j] (lo_j <= hi_j, finite; lo == hi allowed), >= 0; 0 when the bound is
 * not positive or not finite.  Misuse: NULLs, lo_j > hi_j. */
int gammabb_box(double *lb, gammabb_t G, const double *lo, const double *hi);

/* gl, gu (d entries each) = rigorous enclosures [gl_j, gu_j] of g_j(v) = v_j - f0_j(v)
 * over the box (as gammabb_box), by mode: GAMMABB_SYMBOLIC the symbolic forms alone,
 * GAMMABB_INTERVAL plain interval arithmetic alone, GAMMABB_BOTH their intersection at
 * every unit (what gammabb_box uses).  Entries may be infinite (or NaN: no information).
 * Misuse: as gammabb_box, a bad mode. */
enum { GAMMABB_BOTH = 0, GAMMABB_SYMBOLIC = 1, GAMMABB_INTERVAL = 2 };
int gammabb_enclose(double *gl, double *gu, gammabb_t G, const double *lo,
                    const double *hi, int mode);

/* The float ratio ||v - f0(v)||^2 / ||v||^2 at v (length d, v != 0): an estimate. */
double gammabb_ratio(gammabb_t G, const double *v);

typedef struct {
    int status;               /* GAMMABB_* */
    mpq_t gamma2;             /* certified: gamma2 <= ||v - f0(v)||^2 / ||v||^2 for all v != 0 */
    double ub;                /* least float ratio seen (an estimate of gamma2 from above) */
    double *vmin;             /* d: where it was seen (on a face) */
    double target;            /* the final target */
    long nboxes;              /* boxes bounded */
    long nleaves;             /* leaves of the final cover */
    long nfrozen;             /* leaves too small to split */
    int timed_out;            /* stopped by the deadline */
} gammabb_result_struct;
typedef gammabb_result_struct gammabb_result_t[1];

void gammabb_result_init(gammabb_result_t R);
void gammabb_result_clear(gammabb_result_t R);

/* The branch and bound of the top on G (R->vmin is (re)allocated to d entries). */
int gammabb_run(gammabb_result_t R, gammabb_t G, const gammabb_opts *o);

#endif
