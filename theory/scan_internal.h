/* scan_internal — what scan.c and scan_far.c share (private to the scan module). */
#ifndef SCAN_INTERNAL_H
#define SCAN_INTERNAL_H

#include <gmp.h>

#include "qnet.h"
#include "ray.h"
#include "scan.h"
#include "tset.h"

#define SQRT_BITS 64          /* relative precision of the rational square roots */
#define DIR_BITS 20           /* a float direction is rounded to integers of <= 2^20 */
#define T_DEN_BITS 16         /* t* is rounded to a multiple of 2^-16 (outwards) */
#define NEXACT 8              /* float directions given exact growth rates */
#define NRAYDIRS 4            /* directions of the ray search (besides blind ones) */
#define NSEARCH_ROWS 2000     /* rows (evenly spaced) seen by the float search */
#define NDESCENT_ITERS 300    /* steps of each far-score descent */
#define NREFINE 50            /* further descents from the best far point */
#define SCAN_BB_MAX_DIM 8     /* the branch-and-bound gamma (gammabb) up to this dimension:
                                 the cover needs about (1/r)^(d - 1) boxes of width r per
                                 face, which no practical box count reaches beyond ~8 */

/* The run's context. */
typedef struct {
    scan_struct *S;
    const scan_opts *o;
    const double *X;
    long n, d;
    qnet_t f, f0;
    tset_t T;
    ray_final_t RF;
    double t0, deadline;
    mpq_t far_lb;             /* far_ratio * sqrt_up(diam2): "far" means dist_lb >= this */
    mpq_t rho_up;             /* >= sqrt(rho2) */
    mpq_t *dirs;              /* ndirs x d: directions for the ray search */
    mpq_t *rates;             /* their exact growth rates (-1: blind, listed first) */
    long ndirs, capdirs;
    int have_best;            /* a far point has been offered */
} scan_ctx;

/* Progress through o->progress; 1 (and timed_out set) once the deadline has passed. */
void scan_stage(scan_ctx *c, const char *name, long done, long total);
int scan_out_of_time(scan_ctx *c);

/* scan_far.c: the far-point searches.  A candidate p (scaled space) is kept when it is
 * far (tset_dist_lb >= far_lb) and its exact score is below the best kept so far; the
 * result fields anomaly* and have_anomaly (score <= s_min) follow the best. */
int scan_offer_point(scan_ctx *c, const mpq_t *p, int *kept);
/* Rays from the minimising row and the centre along the sorted directions (ray_final). */
int scan_far_search(scan_ctx *c);
/* Float descent of the score over the far region, end points checked exactly. */
int scan_far_descent(scan_ctx *c);

#endif
