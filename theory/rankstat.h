/* rankstat — exact rank statistics of score vectors: ranks, pairwise order changes
 * between two rankings of the same points, and the Mann–Whitney U statistic (claim P4).
 *
 * Scores are exact rationals (mpq_t arrays); a floating-point score enters exactly (every
 * finite binary float is a rational).  Rankings are integer vectors: only their order
 * matters, so any two score vectors are compared through their ranks, and every count
 * below is an exact integer.
 *
 *   rank:   competition ranking, rank[i] = 1 + #{j : s_j < s_i} (the "1224" ranking:
 *           equal scores share the lowest rank of their group).  Equal scores get equal
 *           ranks and s_i < s_j iff rank[i] < rank[j], so ranks carry exactly the order.
 *   pairs:  for the n (n - 1) / 2 unordered pairs {i, j} of points, a reference ranking
 *           r and a second ranking f, each pair is exactly one of
 *             concordant   r and f order i, j strictly and the same way;
 *             discordant   both strictly, opposite ways: the pair's order FLIPS;
 *             tie_broken   r ties i, j and f does not;
 *             tie_created  f ties i, j and r does not;
 *             tie_both     both tie them;
 *           so pairs = concordant + discordant + tie_broken + tie_created + tie_both.
 *   U:      with a 0/1 label per point (1 = anomaly), u2 = 2 #{(i, j) : label_i = 0,
 *           label_j = 1, s_j > s_i} + #{such pairs with s_j = s_i}; the ROC AUC with
 *           ties counted 1/2 is u2 / (2 n0 n1) (n0 normal, n1 anomalous points).  This is
 *           the pairwise definition, computed from the ranks by counting (a second method
 *           beside detect_auc, which sorts the scores and binary-searches).
 *
 * Costs: rankstat_ranks O(n log n) mpq comparisons; the pair functions O(n^2) integer
 * comparisons (n up to a few thousand points).  Caller misuse (NULL with n > 0, n < 0,
 * bad labels) -> ae_error, then AE_EINVAL.  No output may alias an input.
 */
#ifndef RANKSTAT_H
#define RANKSTAT_H

#include <gmp.h>

/* rank[i] = 1 + #{j : s[j] < s[i]} for the n >= 0 scores s (see top). */
int rankstat_ranks(long *rank, const mpq_t *s, long n);

/* The pair classes of two rankings r (reference) and f of the same n points. */
typedef struct {
    long n;
    long long pairs, concordant, discordant, tie_broken, tie_created, tie_both;
} rankstat_pairs;

/* *c = the pair classes of r against f (both length n >= 0; see top). */
int rankstat_compare(rankstat_pairs *c, const long *r, const long *f, long n);

/* The number of points whose rank differs, #{i : r[i] != f[i]} (competition ranks of the
 * same points; n >= 0). */
long rankstat_moved(const long *r, const long *f, long n);
/* The largest rank displacement max_i |r[i] - f[i]| (0 for n = 0). */
long rankstat_max_shift(const long *r, const long *f, long n);

/* The discordant pairs (flips) of r against f: returns their number (= discordant of
 * rankstat_compare) and stores the first min(cap, number) of them, in the order of the
 * loop over i = 0..n-1, j = i+1..n-1, as (lo[k], hi[k]) with r[lo[k]] < r[hi[k]] (the
 * reference's order; f orders them the other way).  lo, hi may be NULL when cap = 0. */
long long rankstat_flips(long *lo, long *hi, long cap, const long *r, const long *f, long n);

/* u2 = twice the Mann-Whitney U statistic of the ranking r with labels lab (0 normal,
 * 1 anomaly), *n0, *n1 (may be NULL) the numbers of each (see top).  AUC = u2 / (2 n0 n1).
 * A label other than 0, 1 is misuse. */
int rankstat_u2(mpz_t u2, long *n0, long *n1, const long *r, const unsigned char *lab, long n);

#endif
