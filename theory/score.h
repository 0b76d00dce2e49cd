/* score — exact statistics of anomaly scores and distances, and the paper's failure test.
 *
 * Scores are exact rationals (an mpq_t array, e.g. from linae_scores); data sets are
 * rational matrices X (n x d, one point per row).  Distances are handled squared so
 * that everything stays rational: dist(a, X) >= delta is decided as dist2 >= delta^2.
 *
 * Caller misuse (n = 0 where a minimum is needed, q outside (0, 1], negative squared
 * lengths, dimension mismatch) -> ae_error(func, reason), then AE_EINVAL for functions
 * returning a status, or 0 ("not shown") for the predicates, which return 1/0.
 */
#ifndef SCORE_H
#define SCORE_H

#include <gmp.h>

#include "qmat.h"

/* r = s_min = min_i e[i] over n >= 1 scores; *argmin (if argmin != NULL) = the first
 * index attaining it.  r may alias an element of e. */
int score_min(mpq_t r, long *argmin, const mpq_t *e, long n);

/* r = the empirical q-quantile of the n >= 1 scores: the ceil(q n)-th smallest (1-based;
 * ties counted with multiplicity), for a rational 0 < q <= 1.  So q = 1 gives the maximum,
 * any q <= 1/n the minimum, and q = 0.99 with n = 100 the 99th smallest.  O(n log n);
 * e is not modified.  r may alias an element of e. */
int score_quantile(mpq_t r, const mpq_t *e, long n, const mpq_t q);

/* r = dist(a, X)^2 = min_i ||a - x_i||^2 exactly, a of length d = X's columns, n >= 1
 * rows; *argmin (if not NULL) = the first nearest row.  Computed in integers, each row
 * over its own least common denominator (no gcd until the result).  r may alias an
 * element of a. */
int score_dist2_to_set(mpq_t r, long *argmin, const mpq_t *a, const qmat_t X);

/* r = diam(X)^2 = max_{i,j} ||x_i - x_j||^2 exactly; 0 when X has 0 or 1 rows (or 0
 * columns).  The O(n^2 d) pair loop runs on machine integers:
 *  - when X = Z/den (qmat_get_mpz_common) with every |Z| < 2^B, B <= 62 and
 *    2B + 2 + ceil(log2 d) <= 128, on Z itself, exactly (differences in 64 bits, sums of
 *    squares in 128 bits);
 *  - otherwise (large or unrelated denominators) on W = floor(X 2^sigma) scaled to the
 *    same bit budget; each pair's rounded distance is within sqrt(d) units of the true
 *    one, so only pairs whose rounded distance^2 reaches (sqrt(L*) - 2 sqrt(d))^2, L* the
 *    largest rounded value, can attain the maximum, and those are evaluated exactly in
 *    mpq.  The result is exact in both cases; the second costs more when many pairs are
 *    within rounding of the maximum (e.g. all points equal). */
int score_diameter2(mpq_t r, const qmat_t X);

/* The paper's failure criterion for an anomaly a: dist(a, X) >= delta and
 * e(a) <= s_min, given dist2 = dist(a, X)^2 >= 0 and delta2 = delta^2 >= 0.
 * Returns 1 (a failure: no threshold flags a without flagging every training point)
 * or 0.  Negative dist2 or delta2 is misuse (returns 0). */
int score_failure(const mpq_t a_score, const mpq_t s_min, const mpq_t dist2, const mpq_t delta2);

/* The weaker, practical miss: e(a) < s_q (s_q from score_quantile).  Returns 1 or 0. */
int score_miss_quantile(const mpq_t a_score, const mpq_t s_q);

/* The L5 distance bound, decided exactly without square roots: returns 1 iff
 *     sqrt(dist2) >= sqrt(w_norm2) - sqrt(py_norm2)
 * (w_norm2 = ||a - m||^2-type term A, py_norm2 = B, dist2 = D, all >= 0), else 0.
 * Method: if A <= B the right side is <= 0 and the bound holds.  Otherwise both sides
 * are >= 0 and, squaring, the bound is D >= A + B - 2 sqrt(AB), i.e. 2 sqrt(AB) >= R with
 * R = A + B - D: true if R <= 0, else iff 4AB >= R^2.  Negative input is misuse (0). */
int score_check_distance_bound(const mpq_t w_norm2, const mpq_t py_norm2, const mpq_t dist2);

#endif
