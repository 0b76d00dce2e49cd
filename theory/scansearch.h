/* scansearch — the floating-point direction search behind scan (issue #8).
 *
 * Nothing here is a certificate: scan.c re-checks in exact arithmetic whatever this
 * module proposes.  The object holds the recession network f0 (qnet_init_recession) in
 * double: each exact weight M 2^-e is converted by mpz_get_d and ldexp (exact while the
 * mantissa has at most 53 bits, as for every float32/float64-trained weight; rounded
 * towards zero otherwise, harmless for a search).
 *
 * The objective is the growth rate g(v) = ||v - f0(v)||^2 / ||v||^2 (v != 0): along any
 * ray x0 + t v the exact score grows like g(v) ||v||^2 t^2 (ray.h), and g(v) = 0 exactly
 * on blind directions.  On the cone of v's pattern f0(v) = A v, so with r = v - A v and
 * ||v|| = 1 the gradient is grad g = 2 (r - A^T r) - 2 g v, computed by back-propagation
 * through the masked layers (A^T r), with fixed operation orders (plain loops, no BLAS),
 * so a run is reproducible bit for bit.
 *
 * ssearch_run: seeds are (i) o->ndirs random Gaussian directions from mt19937(seed),
 * (ii) plus and minus the leading principal directions of the given rows (power
 * iteration with deflation on the rows minus their mean, fixed iteration count), (iii)
 * plus and minus the rows minus the centre.  Every seed is ranked by g; from the best
 * SSEARCH_NDESCENT seeds a projected gradient descent on the unit sphere (step doubled
 * after a decrease, quartered after an increase) runs until the step or the improvement
 * vanishes, SSEARCH_MAXITER iterations, or the deadline.  The result lists up to
 * SSEARCH_NBEST distinct unit directions (|cos| < 1 - 1e-9 between any two), best first.
 *
 * Misuse (ae_error, AE_EINVAL): NULLs, f0 not homogeneous or din != dout, lengths that
 * do not match.
 */
#ifndef SCANSEARCH_H
#define SCANSEARCH_H

#include "qnet.h"

#define SSEARCH_NBEST 16
#define SSEARCH_NDESCENT 16
#define SSEARCH_MAXITER 400
#define SSEARCH_NPC 4

typedef struct {
    long L, d, wmax;
    long *sizes;          /* L + 1 */
    int *act;             /* L: QNET_* */
    double *slope;        /* L: leaky slopes */
    double **W;           /* L: sizes[l+1] x sizes[l] */
    double **b;           /* L: biases or NULL */
    double *z, *h;        /* work: (L + 1) x wmax pre-activations / activations */
    double *delta, *tmp;  /* work: wmax each */
} ssearch_struct;
typedef ssearch_struct ssearch_t[1];

/* F = f0 in double (see top).  Returns AE_OK or AE_EINVAL. */
int ssearch_init(ssearch_t F, const qnet_t f0);
/* F = any network f (din == dout) in double, biases and hardtanh included: for the
 * score search below (ssearch_rate is meant for f0). */
int ssearch_init_net(ssearch_t F, const qnet_t f);
void ssearch_clear(ssearch_t F);

/* s(x) = ||x - f(x)||^2 in double; grad (may be NULL) = its gradient 2 (r - J^T r). */
double ssearch_score(ssearch_t F, const double *x, double *grad);
/* Projected gradient descent of s over { x : ||x - centre|| >= rfar } from x (updated in
 * place; first pushed out onto the sphere when inside): normalised steps, doubled after a
 * decrease, quartered after an increase, at most maxiter steps or until the deadline
 * (<= 0: none).  Returns the final float score (NaN on allocation failure). */
double ssearch_far_descent(ssearch_t F, double *x, const double *centre, double rfar,
                           long maxiter, double deadline, long *nevals);

/* y (length d) = f0(v) in double. */
void ssearch_f0(ssearch_t F, double *y, const double *v);
/* g(v) (v != 0, length d; +inf for v = 0); grad (length d, may be NULL) gets the
 * gradient of g at v / ||v|| on the unit sphere (tangential part). */
double ssearch_rate(ssearch_t F, const double *v, double *grad);

typedef struct {
    unsigned long seed;
    long ndirs;                  /* random seeds */
    double deadline;             /* CLOCK_MONOTONIC seconds; <= 0: none */
    void (*progress)(void *arg, const char *stage, long done, long total);
    void *progress_arg;
} ssearch_opts;

typedef struct {
    long nbest;                  /* <= SSEARCH_NBEST */
    double *dirs;                /* nbest x d, unit vectors (malloc'd; free with ssearch_result_clear) */
    double rate[SSEARCH_NBEST];  /* their float growth rates, ascending */
    long nevals;                 /* growth rates evaluated */
    long nseeds;
    int timed_out;
} ssearch_result;

void ssearch_result_clear(ssearch_result *R);

/* The search of the top on the m rows Xs (m x d, already in the network's scaled space,
 * m >= 0) around centre (length d).  Returns AE_OK, AE_ENOMEM or AE_EINVAL. */
int ssearch_run(ssearch_result *R, ssearch_t F, const double *Xs, long m,
                const double *centre, const ssearch_opts *o);

/* Monotonic clock in seconds (the budget's clock). */
double ssearch_now(void);

#endif
