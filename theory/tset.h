/* tset — a network's training set as the far-field verdicts need it (issue #8).
 *
 * The rows x_i are given raw (doubles, exactly: each is a dyadic rational) and live, for
 * the analysis, in the network's input space after the model's scaling:
 * x'_i = qnet_scale_point(x_i).  Three facts about them, each exact or rigorous:
 *
 * s_min = min_i ||x'_i - f(x'_i)||^2, EXACT.  Every row is first scored in double with a
 *   rigorous forward-error bound (the standard bound |fl(sum) - sum| <= gamma_n sum |.|,
 *   gamma_n = n u / (1 - n u), u = 2^-53, propagated layer by layer through the
 *   1-Lipschitz activations, and the rounding of the scaling itself), giving an enclosure
 *   [lo_i, hi_i] of each exact score.  Let h = min_i hi_i.  A row with lo_i > h cannot
 *   be the minimiser; every other row is scored exactly (qnet_score) and s_min is the
 *   least exact score (the candidates are taken by increasing lo_i, and stop once lo_i
 *   exceeds the best exact score so far).  So s_min is exact while usually only a
 *   handful of rows are evaluated exactly; nexact reports how many.  Where the double
 *   pass overflows, a row's enclosure is [0, +inf] and it is scored exactly.
 *
 * A centre c (the double mean of the double scaled rows, a dyadic rational; a coordinate
 *   whose mean overflows is 0) and rho2 >= max_i ||x'_i - c||^2, rigorous: each scaled
 *   row in double x^'_i carries a rigorous bound err_i >= |x^'_i - x'_i| (the rounding of
 *   the scaling, derived in tset.c), and ||x'_i - c||^2 <= sum_j (|x^'_ij - c_j| +
 *   err_ij)^2 is evaluated in double with an upward margin (nextafter(r, +inf) and the
 *   gamma_m bound of a sum of nonnegative terms); rho2 is that double, exactly.  Should
 *   it overflow, rho2 is computed exactly in rationals instead.
 *
 * The diameter: diam2 >= max_{i,j} ||x'_i - x'_j||^2, rigorous, the least of 4 rho2 and
 *   (when n^2 d <= TSET_PAIRWISE_MAX) the same upward computation over every pair
 *   (diam_pairwise = 1 when that was the smaller); diam_float (display only) = the
 *   diameter computed plainly in double over every pair when n^2 d <= TSET_PAIRWISE_MAX,
 *   otherwise 2 sqrt(rho2) in double (an upper bound of the diameter, not the diameter).
 *
 * Distances of a far point a (exact rational, scaled space) to the data:
 *   min_i ||a - x'_i|| >= ||a - c|| - sqrt(rho2)  (triangle inequality), so
 *   tset_dist_lb gives a rational lower bound of min_i ||a - x'_i||.
 *
 * GMP-style object.  Misuse (ae_error, AE_EINVAL): NULL, n < 1, d != qnet_din(f), din !=
 * dout, non-finite data.
 */
#ifndef TSET_H
#define TSET_H

#include <gmp.h>

#include "qnet.h"

#define TSET_PAIRWISE_MAX (1L << 30)

typedef struct {
    long n, d;
    mpq_t smin;          /* exact minimum training score */
    long argmin;         /* the first row attaining it (every tied row is scored) */
    double smin_float;   /* the double score of that row */
    long nexact;         /* rows scored exactly */
    mpq_t *centre;       /* d, dyadic */
    mpq_t rho2;          /* >= max_i ||x'_i - centre||^2 */
    mpq_t diam2;         /* >= the squared diameter */
    int diam_pairwise;   /* 1: diam2 came from the pairwise computation */
    double diam_float;   /* the diameter in plain double (display) */
    mpq_t *xmin;         /* d: the scaled row argmin, exactly */
} tset_struct;
typedef tset_struct tset_t[1];

void tset_init(tset_t S);
void tset_clear(tset_t S);

/* Fills S for network f (din == dout) and the n raw rows X (n x d, row-major, d = din):
 * see top.  Returns AE_OK, AE_ENOMEM, AE_ERANGE (a weight that is not exactly a double:
 * never for a network from nn_t), or AE_EINVAL on misuse. */
int tset_compute(tset_t S, const qnet_t f, const double *X, long n, long d);

/* The per-row enclosures the s_min pruning uses: lo[i] <= ||x'_i - f(x'_i)||^2 <= hi[i]
 * (exact score, x'_i the scaled row i), rigorous (lo[i] = 0, hi[i] = +inf when the double
 * pass overflowed).  lo, hi of length n.  Misuse as tset_compute. */
int tset_enclose(double *lo, double *hi, const qnet_t f, const double *X, long n, long d);

/* lb = a rational <= min_i ||a - x'_i|| (>= 0), a of length d in scaled space:
 * lb = max(0, l - r) with l <= ||a - c|| and r >= sqrt(rho2) dyadic rationals (relative
 * accuracy ~2^-64).  Misuse: NULL, S not computed, d != S->d. */
int tset_dist_lb(mpq_t lb, const tset_t S, const mpq_t *a, long d);

/* The scaled row i, exactly (xs of length d, initialised): qnet_scale_point of row i.
 * Misuse: NULL, d != din, i outside [0, n), a non-finite entry in row i. */
int tset_row(mpq_t *xs, const qnet_t f, const double *X, long n, long d, long i);

#endif
