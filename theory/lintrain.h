/* lintrain — linear autoencoders trained in double precision by full-batch gradient
 * descent, and the exact analysis of the trained weights (claims L6, P2).
 *
 * Model: f(x) = W_d (W_e x + b_e) + b_d, W_e k x d, b_e k, W_d d x k, b_d d (row-major
 * doubles).  Loss on n rows x_i: L = (1/n) sum_i ||x_i - f(x_i)||^2 (no 1/d factor, as
 * in linae).  With h_i = W_e x_i + b_e, r_i = x_i - f(x_i), g_i = -(2/n) r_i:
 *   dL/dW_d = sum g_i h_i^T,  dL/db_d = sum g_i,
 *   dL/dW_e = sum (W_d^T g_i) x_i^T,  dL/db_e = sum W_d^T g_i.
 * Each step: theta <- theta - lr * grad (all four updates use the gradient at the same
 * theta).  The products are plain loops with one fixed summation order (ascending data
 * or feature index), not BLAS: OpenBLAS's results change with its thread count, and
 * these must not, so the same inputs give bit-identical weights on any machine with IEEE
 * doubles (no fast-math flags; ISO C mode does not contract to FMA).
 *
 * Initialisation: W_e, W_d entries ~ N(0, init_scale^2) from a gsl mt19937 seeded with
 * `seed` (W_e first, row-major, then W_d), biases 0.  Same seed and inputs =>
 * bit-identical weights.
 *
 * Analysis (lintrain_analyse): every double is a dyadic rational, so the trained AE is an
 * exact rational object (lintrain_get_linae).  M = W_d W_e (d x d) has the eigenvalues of
 * K = W_e W_d (k x k) plus d - k zeros.  An eigenvalue lambda of M with eigenvector v
 * gives e(x + t v) growing like (1 - lambda)^2 t^2 ||v||^2 (L6); lambda = 1 exactly means
 * the line is reconstructed perfectly.  The analysis computes chi_K exactly (Berkowitz),
 * isolates its real roots to width 2^-prec (Sturm) and reports the real eigenvalue nearest
 * to 1 with a rigorous rational interval for |1 - lambda|.
 */
#ifndef LINTRAIN_H
#define LINTRAIN_H

#include <gmp.h>

#include "linae.h"

typedef struct {
    long d, k;
    double *We;   /* k x d row-major */
    double *be;   /* k */
    double *Wd;   /* d x k row-major */
    double *bd;   /* d */
} lintrain_struct;
typedef lintrain_struct lintrain_t[1];

typedef struct {
    double lr;           /* step size (> 0) */
    long steps;          /* number of full-batch steps (>= 0) */
    unsigned long seed;  /* initialisation seed */
    double init_scale;   /* standard deviation of the initial weights (>= 0) */
} lintrain_opts;

/* Zero model of dimensions d, k (1 <= k < d, else misuse; then a 0 x 0 model that can
 * still be cleared). */
int  lintrain_init(lintrain_t m, long d, long k);
void lintrain_clear(lintrain_t m);

/* Sets the initial weights from opts->seed and opts->init_scale (see above; lr and steps
 * are ignored).  Misuse: opts NULL, init_scale < 0 or not finite, m uninitialised. */
int lintrain_init_weights(lintrain_t m, const lintrain_opts *opts);

/* L = (1/n) sum ||x_i - f(x_i)||^2 in double, X n x d row-major (n >= 1).  Misuse: n < 1.
 * Returns the loss (NaN after misuse). */
double lintrain_loss(const lintrain_t m, const double *X, long n);

/* Initialises the weights (lintrain_init_weights) then runs opts->steps steps of gradient
 * descent on X (n x d row-major).  If hist != NULL, hist[s] = loss before step s for
 * s = 0..steps (hist[steps] = final loss; steps + 1 entries).
 * Returns AE_OK; AE_NOTCONV if the loss or a weight becomes non-finite (diverged; the
 * weights are then unspecified, and hist is filled only up to the failing step).
 * Misuse: n < 1, lr <= 0 or not finite, steps < 0, init_scale < 0 or not finite, opts
 * NULL, m uninitialised (d = 0).  X must not alias the model's arrays. */
int lintrain_fit(lintrain_t m, double *hist, const double *X, long n,
                 const lintrain_opts *opts);

/* One gradient-descent step from the current weights (no initialisation); *loss_before
 * (if not NULL) gets the loss at the current weights.  AE_NOTCONV if non-finite. */
int lintrain_step(lintrain_t m, double *loss_before, const double *X, long n, double lr);

/* ae = the trained model as exact rationals (every double is a dyadic rational, so this
 * is exact).  ae initialised with the same d, k (misuse otherwise). */
int lintrain_get_linae(linae_t ae, const lintrain_t m);

/* Exact analysis of K = W_e W_d (k x k) of a linear AE. */
typedef struct {
    long k;
    long n_real;          /* real eigenvalues of K counted with multiplicity */
    long n_nonreal;       /* k - n_real (non-real eigenvalues, in conjugate pairs) */
    int  has_real;        /* 1 iff K has a real eigenvalue */
    int  exact_one;       /* 1 iff 1 is exactly an eigenvalue of K (chi_K(1) = 0) */
    mpq_t lam_lo, lam_hi; /* the real eigenvalue nearest 1 lies in [lam_lo, lam_hi]
                             (lam_lo = lam_hi = 1 when exact_one) */
    long lam_mult;        /* its multiplicity */
    mpq_t dist_lo, dist_hi; /* |1 - lambda| in [dist_lo, dist_hi], dist_lo >= 0 */
    double lambda_d;      /* midpoint of [lam_lo, lam_hi] as a double, for display */
} lintrain_analysis_struct;
typedef lintrain_analysis_struct lintrain_analysis_t[1];

void lintrain_analysis_init(lintrain_analysis_t A);
void lintrain_analysis_clear(lintrain_analysis_t A);

/* Fills A for the linear AE ae (any rational weights), isolating roots to width
 * <= 2^-prec (prec >= 1).  "Nearest to 1" is decided by the isolating intervals: the root
 * whose interval's distance range [dist_lo, dist_hi] has the smallest dist_hi (with
 * prec large enough the choice is unambiguous unless two roots are equidistant).
 * If K has no real eigenvalue (k even), has_real = 0 and the interval fields are 0.
 * Returns AE_OK; misuse: prec < 1. */
int lintrain_analyse(lintrain_analysis_t A, const linae_t ae, long prec);

#endif
