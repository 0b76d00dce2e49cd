/* test_rankstat — CUnit suite for theory/rankstat (ranks, pair classes, flips, U). */
#include <stdlib.h>

#include <gmp.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "testutil.h"
#include "detect.h"
#include "qmat.h"
#include "rankstat.h"

/* s[i] = a random small integer in [0, m) (ties likely for small m). */
static void rand_scores(mpq_t *s, long n, gsl_rng *r, unsigned long m)
{
    for (long i = 0; i < n; i++)
        mpq_set_ui(s[i], gsl_rng_uniform_int(r, m), 1);
}

static void test_ranks(void)
{
    long v[5] = {3, 1, 3, 2, 1}, want[5] = {4, 1, 4, 3, 1}, rk[5];
    mpq_t *s = qvec_init(5);
    for (int i = 0; i < 5; i++)
        mpq_set_si(s[i], v[i], 7);
    CU_ASSERT_EQUAL(rankstat_ranks(rk, (const mpq_t *) s, 5), AE_OK);
    for (int i = 0; i < 5; i++)
        CU_ASSERT_EQUAL(rk[i], want[i]);
    CU_ASSERT_EQUAL(rankstat_ranks(rk, (const mpq_t *) s, 1), AE_OK);
    CU_ASSERT_EQUAL(rk[0], 1);
    CU_ASSERT_EQUAL(rankstat_ranks(NULL, NULL, 0), AE_OK);
    qvec_clear(s, 5);
    /* random, against the definition 1 + #{j : s_j < s_i} */
    gsl_rng *r = tu_rng();
    long n = 200;
    s = qvec_init(n);
    long *a = malloc((size_t) n * sizeof(long));
    for (int rep = 0; rep < 5; rep++) {
        rand_scores(s, n, r, rep == 0 ? 1 : 3 + 40 * (unsigned long) rep);
        CU_ASSERT_EQUAL_FATAL(rankstat_ranks(a, (const mpq_t *) s, n), AE_OK);
        for (long i = 0; i < n; i++) {
            long b = 1;
            for (long j = 0; j < n; j++)
                b += mpq_cmp(s[j], s[i]) < 0;
            CU_ASSERT_EQUAL(a[i], b);
        }
    }
    free(a);
    qvec_clear(s, n);
    gsl_rng_free(r);
}

static void test_compare_hand(void)
{
    /* r: 1 < 2 = 2 < 4; f swaps points 0 and 3, ties 0 with 1 */
    long r[4] = {1, 2, 2, 4}, f[4] = {3, 3, 1, 1};
    rankstat_pairs c;
    CU_ASSERT_EQUAL(rankstat_compare(&c, r, f, 4), AE_OK);
    /* pairs: 01 tie_created, 02 disc, 03 disc, 12 tie_broken, 13 disc, 23 tie_created */
    CU_ASSERT_EQUAL(c.pairs, 6);
    CU_ASSERT_EQUAL(c.discordant, 3);
    CU_ASSERT_EQUAL(c.tie_created, 2);
    CU_ASSERT_EQUAL(c.tie_broken, 1);
    CU_ASSERT_EQUAL(c.tie_both, 0);
    CU_ASSERT_EQUAL(c.concordant, 0);
    CU_ASSERT_EQUAL(rankstat_moved(r, f, 4), 4);
    CU_ASSERT_EQUAL(rankstat_moved(r, r, 4), 0);
    CU_ASSERT_EQUAL(rankstat_max_shift(r, f, 4), 3);      /* point 3: 4 -> 1 */
    CU_ASSERT_EQUAL(rankstat_max_shift(r, r, 4), 0);
    CU_ASSERT_EQUAL(rankstat_max_shift(r, f, 0), 0);
    long lo[8], hi[8];
    CU_ASSERT_EQUAL(rankstat_flips(lo, hi, 8, r, f, 4), 3);
    CU_ASSERT_EQUAL(lo[0], 0); CU_ASSERT_EQUAL(hi[0], 2);
    CU_ASSERT_EQUAL(lo[1], 0); CU_ASSERT_EQUAL(hi[1], 3);
    CU_ASSERT_EQUAL(lo[2], 1); CU_ASSERT_EQUAL(hi[2], 3);
    CU_ASSERT_EQUAL(rankstat_flips(lo, hi, 1, r, f, 4), 3);   /* cap: count still full */
    CU_ASSERT_EQUAL(rankstat_flips(NULL, NULL, 0, r, f, 4), 3);
    CU_ASSERT_EQUAL(rankstat_compare(&c, r, f, 0), AE_OK);
    CU_ASSERT_EQUAL(c.pairs, 0);
    CU_ASSERT_EQUAL(rankstat_compare(&c, r, f, 1), AE_OK);
    CU_ASSERT_EQUAL(c.pairs, 0);
}

/* Inversions of a permutation by bubble sort (an independent count of discordant pairs). */
static long long bubble_inversions(long *p, long n)
{
    long long k = 0;
    for (long a = 0; a < n; a++)
        for (long b = 0; b + 1 < n - a; b++)
            if (p[b] > p[b + 1]) {
                long t = p[b];
                p[b] = p[b + 1];
                p[b + 1] = t;
                k++;
            }
    return k;
}

static void test_compare_random(void)
{
    gsl_rng *r = tu_rng();
    long n = 120;
    long *a = malloc((size_t) n * sizeof(long)), *b = malloc((size_t) n * sizeof(long));
    long *lo = malloc((size_t) (n * n) * sizeof(long)),
         *hi = malloc((size_t) (n * n) * sizeof(long));
    long *pa = malloc((size_t) n * sizeof(long));
    for (int rep = 0; rep < 20; rep++) {
        /* permutations (no ties): discordant = inversions of b ordered by a */
        for (long i = 0; i < n; i++)
            a[i] = b[i] = i + 1;
        gsl_ran_shuffle(r, a, (size_t) n, sizeof(long));
        gsl_ran_shuffle(r, b, (size_t) n, sizeof(long));
        for (long i = 0; i < n; i++)
            pa[a[i] - 1] = b[i];
        rankstat_pairs c, d;
        CU_ASSERT_EQUAL_FATAL(rankstat_compare(&c, a, b, n), AE_OK);
        CU_ASSERT_EQUAL(c.discordant, bubble_inversions(pa, n));
        CU_ASSERT_EQUAL(c.concordant + c.discordant, c.pairs);
        /* with ties: classes partition the pairs; swapping roles swaps broken/created */
        for (long i = 0; i < n; i++) {
            a[i] = 1 + (long) gsl_rng_uniform_int(r, 10);
            b[i] = 1 + (long) gsl_rng_uniform_int(r, 1 + (unsigned long) rep);
        }
        CU_ASSERT_EQUAL_FATAL(rankstat_compare(&c, a, b, n), AE_OK);
        CU_ASSERT_EQUAL_FATAL(rankstat_compare(&d, b, a, n), AE_OK);
        CU_ASSERT_EQUAL(c.pairs, (long long) n * (n - 1) / 2);
        CU_ASSERT_EQUAL(c.concordant + c.discordant + c.tie_broken + c.tie_created + c.tie_both,
                        c.pairs);
        CU_ASSERT_EQUAL(c.tie_broken, d.tie_created);
        CU_ASSERT_EQUAL(c.discordant, d.discordant);
        /* ties of a: sum over value groups of g (g - 1) / 2 */
        long long ta = 0;
        for (long v = 1; v <= 10; v++) {
            long g = 0;
            for (long i = 0; i < n; i++)
                g += a[i] == v;
            ta += (long long) g * (g - 1) / 2;
        }
        CU_ASSERT_EQUAL(c.tie_broken + c.tie_both, ta);
        long long k = rankstat_flips(lo, hi, n * n, a, b, n);
        CU_ASSERT_EQUAL(k, c.discordant);
        for (long long q = 0; q < k; q++) {
            CU_ASSERT_TRUE(a[lo[q]] < a[hi[q]]);
            CU_ASSERT_TRUE(b[lo[q]] > b[hi[q]]);
        }
    }
    free(a); free(b); free(lo); free(hi); free(pa);
    gsl_rng_free(r);
}

static void test_u2(void)
{
    /* normals 1, 2, 3; anomalies 2, 4: a = 2 beats 1, ties 2, loses to 3 (1.5); a = 4
     * beats all three (3); U = 4.5, u2 = 9 */
    mpq_t *s = qvec_init(5);
    long v[5] = {1, 2, 3, 2, 4}, rk[5];
    unsigned char lab[5] = {0, 0, 0, 1, 1};
    for (int i = 0; i < 5; i++)
        mpq_set_si(s[i], v[i], 1);
    CU_ASSERT_EQUAL(rankstat_ranks(rk, (const mpq_t *) s, 5), AE_OK);
    mpz_t u;
    mpz_init(u);
    long n0, n1;
    CU_ASSERT_EQUAL(rankstat_u2(u, &n0, &n1, rk, lab, 5), AE_OK);
    CU_ASSERT_EQUAL(mpz_get_si(u), 9);
    CU_ASSERT_EQUAL(n0, 3);
    CU_ASSERT_EQUAL(n1, 2);
    qvec_clear(s, 5);
    /* random, against detect_auc (sorting and binary search) */
    gsl_rng *r = tu_rng();
    long n = 150;
    s = qvec_init(n);
    mpq_t *sn = qvec_init(n), *sa = qvec_init(n), auc, q;
    mpq_inits(auc, q, NULL);
    long *rr = malloc((size_t) n * sizeof(long));
    unsigned char *lb = malloc((size_t) n);
    for (int rep = 0; rep < 10; rep++) {
        rand_scores(s, n, r, 2 + 7 * (unsigned long) rep);
        long a = 0, b = 0;
        for (long i = 0; i < n; i++) {
            lb[i] = i == 0 ? 0 : i == 1 ? 1 : (unsigned char) gsl_rng_uniform_int(r, 2);
            mpq_set(lb[i] ? sa[b++] : sn[a++], s[i]);
        }
        CU_ASSERT_EQUAL_FATAL(rankstat_ranks(rr, (const mpq_t *) s, n), AE_OK);
        CU_ASSERT_EQUAL_FATAL(rankstat_u2(u, &n0, &n1, rr, lb, n), AE_OK);
        CU_ASSERT_EQUAL(n0, a);
        CU_ASSERT_EQUAL(n1, b);
        CU_ASSERT_EQUAL_FATAL(detect_auc(auc, (const mpq_t *) sn, a, (const mpq_t *) sa, b), AE_OK);
        mpq_set_z(q, u);
        mpz_set_si(mpq_denref(q), 2 * a * b);
        mpq_canonicalize(q);
        CU_ASSERT_TRUE(mpq_equal(q, auc));
    }
    free(rr);
    free(lb);
    mpq_clears(auc, q, NULL);
    qvec_clear(s, n);
    qvec_clear(sn, n);
    qvec_clear(sa, n);
    mpz_clear(u);
    gsl_rng_free(r);
}

static void test_misuse(void)
{
    long r[2] = {1, 2};
    unsigned char bad[2] = {0, 2};
    rankstat_pairs c;
    mpz_t u;
    mpz_init(u);
    TU_EXPECT_ERROR(rankstat_ranks(NULL, NULL, 2));
    TU_EXPECT_ERROR(rankstat_ranks(r, NULL, -1));
    TU_EXPECT_ERROR(rankstat_compare(NULL, r, r, 2));
    TU_EXPECT_ERROR(rankstat_compare(&c, r, NULL, 2));
    TU_EXPECT_ERROR(rankstat_moved(r, NULL, 2));
    TU_EXPECT_ERROR(rankstat_max_shift(NULL, r, 2));
    TU_EXPECT_ERROR(rankstat_flips(NULL, NULL, 3, r, r, 2));
    TU_EXPECT_ERROR(rankstat_flips(NULL, NULL, -1, r, r, 2));
    TU_EXPECT_ERROR(rankstat_u2(u, NULL, NULL, r, bad, 2));
    TU_EXPECT_ERROR(rankstat_u2(u, NULL, NULL, r, NULL, 2));
    mpz_clear(u);
}

int main(void)
{
    static const tu_test T[] = {
        {"ranks vs definition", test_ranks},
        {"pair classes by hand", test_compare_hand},
        {"pair classes vs inversions and tie groups", test_compare_random},
        {"u2 vs detect_auc", test_u2},
        {"misuse", test_misuse},
        {NULL, NULL}};
    return tu_run("rankstat", 20261202UL, T);
}
