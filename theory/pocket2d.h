/* pocket2d — the certified low-score map of a 2-D autoencoder (claim N5).
 *
 * For a network with din = dout = 2, the square Q = [-H, H]^2 of the network's (scaled)
 * input space, H = 2^h the least power of two >= R (R a radius beyond which every point is
 * known to score above s_min: bounded.h's R*), is covered by a quadtree of dyadic boxes.
 * Each box, depth first in a fixed order (children SW, SE, NW, NE), is
 *   certified HIGH   when every x in it has e(x) > s_min, by the first test that holds:
 *                    (radius) min_{x in box} ||x||^2 > R^2 (exact rationals);
 *                    (output box) the output of the network lies in a known box O for
 *                    every input (bounded.h), and dist(box, O)^2 > s_hi, so that
 *                    e(x) >= dist(x, O)^2 > s_hi (exact rationals);
 *                    (evaluation) the lower end of arbnet_score_scaled over the box ball
 *                    (Arb's interval extension, rigorous) exceeds s_hi -- on the last
 *                    three levels, when that fails, also the mean-value form
 *                    arbnet_score_mv (tighter where the score is small);
 *   certified LOW    when the upper end of a score ball is below s_lo: every point of
 *                    the box scores below s_min (a certain pocket);
 *   split in four    otherwise, while its depth is below max_level and fewer than
 *                    max_boxes boxes were evaluated;
 *   a POCKET box     otherwise (depth max_level: it may contain points with e <= s_min);
 *   UNDECIDED        the boxes still waiting when the cap max_boxes is reached.
 * Here [s_lo, s_hi] is the rigorous enclosure of s_min (the ball smin).  The answer is
 * complete: every point of the plane is certified above s_min (outside Q: ||x||_inf > H
 * >= R, so ||x|| > R; inside Q: a HIGH box), or lies in a reported LOW, POCKET or
 * UNDECIDED box.  The boxes are exact dyadic squares (corners -H + k 2H/2^depth), so the
 * balls given to Arb are exact and the map is deterministic (no floating point).
 *
 * pocket2d_far classifies the reported boxes, exactly: FAR when min_i dist(x_i, box)^2 >=
 * delta^2 (every point of the box is at distance >= delta from all data: a far pocket,
 * where an undetected anomaly could live), NEAR when the whole box lies within distance
 * < delta of one row (its farthest corner is), MIXED otherwise.  nfar = nmixed = 0 on a
 * complete map certifies: every point at distance >= delta from all data scores above
 * s_min.
 *
 * Errors: misuse (NULL, din or dout != 2, R <= 0, bad options) -> ae_error, AE_EINVAL.
 */
#ifndef POCKET2D_H
#define POCKET2D_H

#include <arb.h>
#include <gmp.h>

#include "arbnet.h"

enum { POCKET2D_POCKET = 0, POCKET2D_LOW = 1, POCKET2D_UNDECIDED = 2 };

typedef struct {
    long depth, i, j;    /* [-H + i s, -H + (i+1) s] x [-H + j s, ...], s = 2H 2^-depth */
    int status;          /* POCKET2D_* */
    int far;             /* pocket2d_far: 1 every point at distance >= delta from every row;
                            0 every point within delta of one row; 2 neither (mixed) */
} pocket2d_box;

typedef struct {
    long max_boxes;      /* evaluations at most (default 200000): the deterministic cap */
    long max_level;      /* least box side 2H 2^-max_level (default 10) */
    slong prec;          /* Arb precision (default 64) */
} pocket2d_opts;

void pocket2d_opts_default(pocket2d_opts *o);

typedef struct {
    long h;              /* H = 2^h */
    long max_level;
    long nevals;         /* boxes evaluated with arbnet */
    long nhigh_radius, nhigh_outbox, nhigh_eval;   /* HIGH boxes by test */
    long nboxes;         /* reported boxes (LOW, POCKET, UNDECIDED) */
    long nlow, npocket, nundecided;
    long nfar, nnear, nmixed;   /* pocket2d_far's classes */
    long nfar_low;       /* far boxes that are LOW: certified anomalies, the whole box */
    pocket2d_box *boxes;
    mpq_t area;          /* total area of the reported boxes (exact) */
    mpq_t far_area;      /* of the far ones (after pocket2d_far) */
    mpq_t far_low_area;  /* of the far LOW ones: a certified region of undetected points */
    int complete;        /* 1: no UNDECIDED box */
} pocket2d_struct;
typedef pocket2d_struct pocket2d_t[1];

void pocket2d_init(pocket2d_t P);
void pocket2d_clear(pocket2d_t P);

/* The map of network a (din = dout = 2) for the radius R (rational > 0), the s_min
 * enclosure smin (finite ball), and the output box outlo/outhi (2 rationals each, or both
 * NULL: no output box).  o NULL: defaults. */
int pocket2d_run(pocket2d_t P, const arbnet_t a, const mpq_t R, const arb_t smin,
                 const mpq_t *outlo, const mpq_t *outhi, const pocket2d_opts *o);

/* Marks the far boxes: rows = n x 2 rationals (scaled space), delta >= 0. */
int pocket2d_far(pocket2d_t P, const mpq_t *rows, long n, const mpq_t delta);

/* Box k's corners, exactly (lo, hi: 2 initialised rationals each) or as doubles (exact
 * for depth + h within the double range). */
void pocket2d_box_q(mpq_t *lo, mpq_t *hi, const pocket2d_t P, long k);
void pocket2d_box_d(double *lo, double *hi, const pocket2d_t P, long k);

#endif
