/* bounded — certified detection radii and low-score pockets of autoencoders with a
 * bounded layer (claim N5).  Everything is in the network's input space after the model's
 * scaling (x' as in tset.h); rows are given raw and scaled exactly.
 *
 * The output bound.  Let l be the LAST layer whose activation is bounded (sigmoid: [0,1];
 * tanh, hardtanh: [-1,1]); its activations h lie in the box [r_lo, r_hi]^m whatever the
 * input.  bounded_compute derives a box O = [o_lo, o_hi] (d = dout rationals) with
 * f(x') in O for every x', and a rational B >= sup ||f(x')||:
 *   OUTPUT  (l = L - 1, the output activation itself bounded): O = [r_lo, r_hi]^d,
 *           B^2 = sum_i max(r_lo^2, r_hi^2) (exact);
 *   AFFINE  (l = L - 2 and an identity output layer, f = W h + b): O_i = c_i -+ sum_j
 *           rad_j |W_ij| with c = W mid + b (the exact range of an affine function on a
 *           box), and B^2 = max over the 2^m vertices v of the box of ||W v + b||^2,
 *           exactly: a convex function attains its maximum over a polytope at a vertex
 *           (m <= BOUNDED_VERTEX_MAX; above, B^2 = sum_i max(o_lo_i^2, o_hi_i^2), the
 *           bound from O);
 *   INTERVAL (any other position): the box [r_lo, r_hi]^m propagated through the layers
 *           after l by Arb ball arithmetic (arbnet_eval_layers, rigorous); O = the balls'
 *           outward rational ends, B^2 from O as above.
 * B = qnum_sqrt_upper(B^2).  Then for every x':
 *   e(x') = ||x' - f(x')||^2 >= (||x'|| - B)^2 when ||x'|| >= B   (reverse triangle
 *           inequality), and e(x') >= dist(x', O)^2 (f(x') in O);
 * so with s_hi >= s_min (the upper end of a rigorous enclosure of s_min) and
 *   R* = B + qnum_sqrt_upper(s_hi)  (rational),
 * every x' with ||x'|| > R* has e(x') > (R* - B)^2 >= s_hi >= s_min: detected.  Far-away
 * perfect reconstruction is impossible.
 *
 * Pockets.  A pocket point is an exact rational p with min_i ||p - x'_i|| >= delta and
 * e(p) <= s_min: certified when the upper end of the Arb ball of e(p) is below the lower
 * end of the s_min ball and ||p - x'_i||^2 >= delta^2 exactly for every row.
 * bounded_pocket_search proposes candidates: the lowest-scoring points of a G x G grid over
 * a box, among those at distance >= delta (double screen, squared distances with a
 * margin), each refined by a pattern search that stays at distance >= delta; scores are
 * the midpoints of Arb balls at 64 bits (deterministic on every machine; the search
 * is only a proposal, every candidate is then certified or discarded by
 * bounded_pocket_check).
 *
 * Errors: misuse (NULL, lengths, din != dout) -> ae_error, AE_EINVAL; a network without a
 * bounded layer -> AE_ERANGE from bounded_compute (kind BOUNDED_NONE).
 */
#ifndef BOUNDED_H
#define BOUNDED_H

#include <arb.h>
#include <gmp.h>

#include "arbnet.h"
#include "nn.h"
#include "pocket2d.h"

#define BOUNDED_VERTEX_MAX 20

enum { BOUNDED_NONE = 0, BOUNDED_OUTPUT, BOUNDED_AFFINE, BOUNDED_INTERVAL };

/* 1 if act has a bounded range (sigmoid, tanh, hardtanh); lo, hi (may be NULL) get it. */
int bounded_act_range(nn_act_t act, long *lo, long *hi);

typedef struct {
    int kind;            /* BOUNDED_* */
    long layer;          /* the bounded layer l used */
    long d;              /* dout */
    mpq_t B2, B;         /* B2 >= sup ||f||^2, B = sqrt upper bound of B2 */
    mpq_t *olo, *ohi;    /* the output box O (d each) */
    char method[160];
} bounded_struct;
typedef bounded_struct bounded_t[1];

void bounded_init(bounded_t b);
void bounded_clear(bounded_t b);
/* The bound of network a (see top).  AE_OK, or AE_ERANGE when no layer is bounded. */
int bounded_compute(bounded_t b, const arbnet_t a, slong prec);
/* Rstar = B + qnum_sqrt_upper(s_hi), s_hi = the upper end of the ball smin (finite). */
void bounded_radius(mpq_t Rstar, const bounded_t b, const arb_t smin);

/* rows: the n raw rows X (n x d doubles, exact) scaled exactly: Xs (n x d, initialised
 * by the caller). */
int bounded_scale_rows(mpq_t *Xs, const arbnet_t a, const double *X, long n, long d);

/* Pocket point check (see top): *ok = 1 when certified.  score gets the ball of e(p),
 * dist2 the exact min_i ||p - x'_i||^2.  p: d rationals (scaled space); Xs: n x d scaled
 * rows. */
int bounded_pocket_check(int *ok, arb_t score, mpq_t dist2, const arbnet_t a, const mpq_t *p,
                         const mpq_t *Xs, long n, long d, const mpq_t delta, const arb_t smin,
                         slong prec);

/* Up to k candidates (cand: k x d doubles, each an exact dyadic) in the box [lo, hi]
 * (d doubles each) at distance >= delta from the n rows Xsd (scaled, doubles); G >= 2 grid
 * points per side (d == 2 only: a G x G grid; d != 2 is misuse).  *found = the number
 * returned, by increasing score, at mutual distance >= delta. */
int bounded_pocket_search(double *cand, long *found, long k, const arbnet_t a,
                          const double *Xsd, long n, const double *lo, const double *hi,
                          long G, double delta);

/* ---- the verdict for `aeaudit scan` ------------------------------------------------ */

enum { BOUNDED_SAFE_BEYOND = 1, BOUNDED_NOT_APPLICABLE = 3 };

typedef struct {
    slong prec;            /* Arb precision for s_min (default 128) */
    int map;               /* 1 (default): the pocket2d map when d == 2 */
    pocket2d_opts map_opts;
    double delta;          /* the far-pocket distance (default 0: every pocket) */
} bounded_scan_opts;

void bounded_scan_opts_default(bounded_scan_opts *o);

typedef struct {
    int verdict;           /* BOUNDED_SAFE_BEYOND or BOUNDED_NOT_APPLICABLE */
    bounded_t bnd;
    arb_t smin;            /* rigorous enclosure of s_min (arbnet_smin) */
    long smin_row;
    mpq_t smin_lo, smin_hi;
    mpq_t Rstar;           /* every x' with ||x'|| > R* scores > s_min */
    int have_map;          /* d == 2 and opts.map */
    pocket2d_t map;        /* the complete 2-D answer inside the square around R* */
    char method[256];
    char why[256];         /* NOT_APPLICABLE: the reason */
} bounded_scan_struct;
typedef bounded_scan_struct bounded_scan_t[1];

void bounded_scan_init(bounded_scan_t S);
void bounded_scan_clear(bounded_scan_t S);
/* For net (din == dout == d) and its n >= 1 raw rows X (n x d): the bound, s_min, R* and
 * (d == 2) the pocket map.  Verdict SAFE_BEYOND R*: every input x whose scaled form x'
 * has ||x'|| > R* scores above s_min; with the map, every point of the plane is
 * certified above s_min or lies in one of S->map's reported boxes.  NOT_APPLICABLE
 * (AE_OK returned, why set) when no layer is bounded.  Misuse: NULL, n < 1,
 * d != din, din != dout.  o NULL: defaults. */
int bounded_scan(bounded_scan_t S, const nn_t net, const double *X, long n, long d,
                 const bounded_scan_opts *o);

#endif
