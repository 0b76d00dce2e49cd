/* twin — a far-field verdict for a smooth asymptotically linear autoencoder (softplus,
 * ELU, GELU, SiLU hidden units; claim N6, issue #9) from its ReLU twin.
 *
 * f the smooth network (nn_t), g its ReLU twin (smooth.h: same weights, relu in place of
 * each smooth unit), K >= sup_x ||f(x) - g(x)|| (smooth_bound).  Everything is in the
 * network's scaled input space.  e_f, e_g the scores; for every x
 *     sqrt(e_f(x)) <= sqrt(e_g(x)) + K,      sqrt(e_f(x)) >= sqrt(e_g(x)) - K.
 * s_f = s_min of f on the training rows is enclosed by Arb (arbnet_smin); s_up is a
 * rational >= its upper end.
 *
 * Steps.
 *  1. The twin is scanned (scan.h, exact): its own verdict, with ITS s_min.
 *  2. FAILS for f needs a certified point: candidates are the twin's far point (certified
 *     or not) and the points x0 + t_k v, t_k = t_far 2^k (k = 0..TWIN_NRAY-1; x0 = f's
 *     minimising row and the data centre, v = the twin's lowest-growth or blind direction,
 *     t_far making x0 + t v far); each is checked for distance (tset_dist_lb >=
 *     far_ratio * an upper bound of the diameter) and scored by Arb (the exact point,
 *     arbnet); a candidate is a certified anomaly when the upper end of its score ball is
 *     <= the lower end of the s_f ball.  FAILS takes precedence, as in scan.
 *  3. Bounded-score ray: when the twin has an exactly blind direction v (g0(v) = v), its
 *     exact final piece along x0 + t v (ray_final; x0 = the twin's minimising row) has
 *     constant score c for t >= T, so e_f <= (sqrt(c) + K)^2 =: ray_bound there, however
 *     far: a bounded-score ray of f (reported, whatever s_f is).
 *  4. SAFE-BEYOND for f.  (a) When the twin's scan certified gamma2_lb = gamma^2 > 0 with
 *     gamma <= min_{||v||=1} ||v - g0(v)|| and K_t >= sup ||g - g0|| (farfield.h), then
 *     ||x - f(x)|| >= gamma ||x|| - K_t - K, so every ||x|| > R = (K_t + K + sqrt(s_up))/
 *     gamma scores above s_f (ff_radius with K_t + K).  (b) Otherwise, in 2-D, the twin is
 *     scanned again at the level s' = (K + sqrt(s_up))^2 (rounded up; scan_opts.level):
 *     SAFE-BEYOND R there means e_g > s' beyond R, hence sqrt(e_f) > sqrt(s') - K >=
 *     sqrt(s_f).  (c) Otherwise no radius: UNDECIDED, with the bounds reached.
 * Never a guess: every FAILS point and radius rests on the steps above.
 *
 * Errors: AE_ERANGE when some activation has no twin (tanh, sigmoid; why says so) or the
 * twin's scan cannot run; misuse (ae_error, AE_EINVAL) as scan_run, prec < 2.
 */
#ifndef TWIN_H
#define TWIN_H

#include <arb.h>
#include <gmp.h>

#include "nn.h"
#include "scan.h"

#define TWIN_NRAY 12            /* candidate points per ray */
#define TWIN_PREC_DEFAULT 128   /* Arb working precision (bits) */

typedef struct {
    int verdict;                /* SCAN_FAILS / SCAN_SAFE / SCAN_UNDECIDED, for f */
    long d, n;
    slong prec;                 /* the Arb precision used */
    mpq_t K;                    /* >= sup ||f - g|| */
    scan_t S;                   /* the twin's own scan (step 1) */
    arb_t smin;                 /* contains s_f */
    long smin_row;
    mpq_t smin_up;              /* rational >= the upper end of smin */
    /* the best far candidate (step 2); have_point = 0: none was far */
    int have_point, have_anomaly;
    mpq_t *point, *point_raw;   /* d each: scaled and raw */
    arb_t point_score;          /* contains e_f(point) */
    mpq_t point_dist_lb;        /* <= min_i ||point - x_i|| */
    mpq_t far_lb;               /* "far": dist_lb >= far_lb = far_ratio * diameter bound */
    char point_from[48];        /* "twin far point", "twin direction from the minimising row", ... */
    long ncandidates;           /* points scored by Arb */
    /* step 3 */
    int have_ray;
    mpq_t ray_bound;            /* e_f <= ray_bound on the twin's blind ray beyond its T */
    /* step 4 */
    int have_R;
    mpq_t R;
    char R_how[64];             /* "gamma of the twin (K_t + K)", "2-D rescan at level" */
    mpq_t level;                /* s' = (K + sqrt(s_up))^2 (rounded up) */
    char method[640];
    char why[320];
    double seconds;
} twin_struct;
typedef twin_struct twin_t[1];

void twin_init(twin_t T);
void twin_clear(twin_t T);

/* The verdict for the smooth net on the n raw rows X (n x d), see top; o as scan_run (its
 * level must be NULL), prec the Arb precision (>= 2; TWIN_PREC_DEFAULT is a good one). */
int twin_run(twin_t T, const nn_t net, const double *X, long n, long d, const scan_opts *o,
             slong prec);

/* diff2 contains ||f(x) - g(x)||^2 at the exact raw point x (length n = din), f = net,
 * g its twin: for testing K (a halved K must be exceeded at some point).  AE_ERANGE as
 * smooth_twin. */
int twin_diff2(arb_t diff2, const nn_t net, const mpq_t *x, long n, slong prec);

#endif
