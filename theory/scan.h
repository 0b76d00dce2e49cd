/* scan — a certified far-field verdict for a trained piecewise-linear autoencoder
 * (issue #8; the engine behind `aeaudit scan` and claim N4).
 *
 * Input: a float network (nn_t, din == dout) and its raw training rows.  Everything is in
 * the network's input space after the model's scaling (tset.h).  s_min is the exact least
 * training score, diam the (rigorously bounded) data diameter.  The verdict is one of
 *
 *   SCAN_FAILS      a certified anomaly: an explicit rational point a with
 *                   min_i ||a - x_i|| >= far_ratio * diam (checked with rigorous bounds:
 *                   tset_dist_lb against qnum_sqrt_upper(diam2)) and exact score <= s_min;
 *   SCAN_SAFE       a certified radius R: every x with ||x|| > R has score > s_min
 *                   (farfield.h: K, gamma; far2d.h in 2-D around blind directions);
 *   SCAN_UNDECIDED  neither within the budget: the best bounds reached are reported
 *                   (K, the certified gamma2 lower bound, the least exact growth rate
 *                   found, which bounds gamma2 from above).
 * FAILS takes precedence when both an anomaly and a radius are certified (R is still
 * reported).
 *
 * Search in floating point, certify in exact arithmetic.  Candidate directions v (seeded
 * random directions, the data's principal directions, training rows minus the centre,
 * and the local minima of the float growth rate ||v - f0(v)||^2 / ||v||^2 reached by
 * projected gradient from those) are ranked in double; the exact growth rate
 * a(v) = ||v - f0(v)||^2 / ||v||^2 of the best is computed exactly, their patterns'
 * cones are tested for fixed points (cone_search, when d <= SCAN_CONE_MAX_DIM), and along
 * the best directions from the best base points x0 (the minimising training row, the
 * centre, the lowest-scoring rows) the exact final piece (ray_final) gives the exact
 * quadratic e(t) = a t^2 + b t + c for t >= T; its minimiser over t >= max(T, t_far) (t_far
 * making the point far) is the anomaly candidate, certified or discarded exactly.  A
 * float descent of the full score over the far region { ||x - centre|| >= far radius }
 * from the best far point and from centre +- far radius along the best directions
 * proposes more candidates, each checked the same way (exact score, rigorous distance).
 * For d != 2 gamma2_lb is the Lipschitz bound (ff_gamma_lipschitz) when it is positive,
 * else, unless a blind direction is known and up to d = 64, the branch and bound over the
 * faces of the unit inf-ball (gammabb.h: symbolic linear bounds in outward-rounded
 * double) with half of the remaining budget; nboxes counts its boxes.
 * In 2-D the sector enumeration (cone_circle) is complete: gamma2 per sector
 * (ff_gamma_sector) and the blind-strip analysis (far2d) decide SAFE or FAILS; UNDECIDED
 * appears only when a sector test or the strip analysis is undecided, and says so.
 *
 * Determinism: the float search is seeded (o->seed) and uses fixed operation orders, so
 * the same model, data and options give the same result; the budget only stops the
 * search early (SCAN_UNDECIDED can then depend on the machine's speed, and `timed_out`
 * says so).  The budget bounds the float search, the branch-and-bound gamma and the ray /
 * descent searches; the exact steps a verdict needs (data facts, K, the 2-D sectors and
 * strips, the Lipschitz gamma) always run.
 *
 * Errors: AE_ERANGE when an activation is not piecewise linear (why = "activation tanh is
 * not supported yet"); misuse (ae_error, AE_EINVAL): NULLs, n < 1, d != din, din != dout.
 * The library never prints: progress goes through o->progress when set.
 */
#ifndef SCAN_H
#define SCAN_H

#include <gmp.h>

#include "nn.h"
#include "qnet.h"

#define SCAN_CONE_MAX_DIM 64

enum { SCAN_FAILS = 0, SCAN_SAFE = 1, SCAN_UNDECIDED = 2 };

typedef struct {
    double budget;       /* seconds for the search (default 60) */
    unsigned long seed;  /* float search seed (default 1) */
    long far_ratio;      /* "far" = at least far_ratio diameters from every row (10) */
    long ndirs;          /* random directions tried (default 256) */
    long maxsectors;     /* cone_circle bound (default 1 << 20) */
    long max_boxes;      /* gammabb's cover in d >= 3, at most this many boxes (default
                            1 << 17): a deterministic limit, unlike the budget */
    /* NULL (default), or a score level used instead of s_min in every comparison and
     * radius: S->smin is set to it (S->smin_row still names the minimising row), FAILS
     * then means a far point scoring <= level and SAFE that every ||x|| > R scores above
     * level.  For the smooth-twin argument (twin.h), which needs the twin's radius at the
     * level (K + sqrt(s_min of the smooth net))^2.  Must be >= 0. */
    mpq_srcptr level;
    /* progress(arg, stage, done, total): called between steps, may be NULL */
    void (*progress)(void *arg, const char *stage, long done, long total);
    void *progress_arg;
} scan_opts;

void scan_opts_default(scan_opts *o);

typedef struct {
    int verdict;                 /* SCAN_* */
    long d, n;
    /* the data */
    mpq_t smin;                  /* exact */
    long smin_row, nexact;       /* minimising row; rows scored exactly */
    mpq_t diam2;                 /* >= squared diameter (rigorous) */
    double diam;                 /* plain double diameter (display) */
    /* far-field bounds */
    mpq_t K;                     /* >= sup ||f - f0|| */
    mpq_t gamma2_lb;             /* certified lower bound of min ||v - f0(v)||^2, ||v|| = 1 */
    mpq_t gamma2_ub;             /* least exact growth rate found (an upper bound); -1: none */
    mpq_t *dir;                  /* d: the direction of gamma2_ub (primitive integers) */
    int blind;                   /* 1: dir is an exactly checked blind direction */
    int have_R;
    mpq_t R;                     /* SAFE: the certified radius */
    /* the anomaly (FAILS).  When have_anomaly == 0 these fields may still hold the
     * lowest-scoring far point found (exact score > s_min; anomaly_dist_lb > 0 says one
     * was found), for reporting. */
    int have_anomaly;
    mpq_t *anomaly;              /* d: in the network's (scaled) space */
    mpq_t *anomaly_raw;          /* d: the same point before the model's scaling */
    mpq_t anomaly_score;         /* exact */
    mpq_t anomaly_dist_lb;       /* <= min_i ||a - x_i|| */
    /* search statistics */
    long ndirections;            /* float evaluations (growth rates and far scores) */
    long ncones, nfixed, nundecided_cones, nsectors, npieces;
    int complete;                /* 1: the 2-D enumeration was complete */
    int timed_out;
    double seconds;
    char method[256];            /* how gamma2_lb and R were certified */
    char why[256];               /* UNDECIDED / unsupported: the reason */
    long nboxes;                 /* d != 2: boxes bounded by the branch and bound (gammabb) */
} scan_struct;
typedef scan_struct scan_t[1];

void scan_init(scan_t S);
void scan_clear(scan_t S);

/* The verdict for net on the n raw rows X (n x d), see top. */
int scan_run(scan_t S, const nn_t net, const double *X, long n, long d, const scan_opts *o);

/* Ratios for display: dist_lb / sqrt(diam2) and R / sqrt(diam2) as doubles (rounded
 * down and up respectively). */
double scan_anomaly_ratio(const scan_t S);
/* raw = the point whose scaling (qnet_scale_point) is x: lo + x (hi - lo), or x + lo where
 * hi == lo; x itself without scaling (d = din entries each; raw must not alias x).  Exact. */
void scan_unscale_point(mpq_t *raw, const qnet_t f, const mpq_t *x, long d);
double scan_radius_ratio(const scan_t S);

#endif
