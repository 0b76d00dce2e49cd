/* score — see score.h. */
#include "score.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>

#include "aeerr.h"
#include "zvec.h"

int score_min(mpq_t r, long *argmin, const mpq_t *e, long n)
{
    if (n < 1 || e == NULL) {
        ae_error("score_min", "need n >= 1 scores (n = %ld)", n);
        return AE_EINVAL;
    }
    long best = 0;
    for (long i = 1; i < n; i++)
        if (mpq_cmp(e[i], e[best]) < 0)
            best = i;
    if (argmin != NULL)
        *argmin = best;
    mpq_set(r, e[best]);
    return AE_OK;
}

static int cmp_mpq_ptr(const void *x, const void *y)
{
    mpq_srcptr a = *(const mpq_srcptr *) x, b = *(const mpq_srcptr *) y;
    int c = mpq_cmp(a, b);
    return (c > 0) - (c < 0);
}

int score_quantile(mpq_t r, const mpq_t *e, long n, const mpq_t q)
{
    if (n < 1 || e == NULL || mpq_sgn(q) <= 0 || mpz_cmp(mpq_numref(q), mpq_denref(q)) > 0) {
        ae_error("score_quantile", "need n >= 1 scores and 0 < q <= 1 (n = %ld)", n);
        return AE_EINVAL;
    }
    /* m = ceil(q n) in [1, n] since 0 < q <= 1. */
    mpz_t m;
    mpz_init(m);
    mpz_mul_ui(m, mpq_numref(q), (unsigned long) n);
    mpz_cdiv_q(m, m, mpq_denref(q));
    long idx = mpz_get_si(m) - 1;
    mpz_clear(m);
    mpq_srcptr *p = ae_malloc((size_t) n * sizeof *p);
    if (p == NULL)
        return AE_ENOMEM;
    for (long i = 0; i < n; i++)
        p[i] = e[i];
    qsort(p, (size_t) n, sizeof *p, cmp_mpq_ptr);
    mpq_set(r, p[idx]);
    free(p);
    return AE_OK;
}

int score_dist2_to_set(mpq_t r, long *argmin, const mpq_t *a, const qmat_t X)
{
    long n = X->r, d = X->c;
    if (n < 1 || a == NULL) {
        ae_error("score_dist2_to_set", "need a point and n >= 1 rows (n = %ld)", n);
        return AE_EINVAL;
    }
    mpz_t *Z = zvec_init(d), *A = zvec_init(d);
    if (Z == NULL || A == NULL) {
        if (Z) zvec_clear(Z, d);
        if (A) zvec_clear(A, d);
        return AE_ENOMEM;
    }
    /* Each row with its own least common denominator s (a global one can be huge when
     * rows have unrelated denominators); a = A / sa.  Then
     * ||a - x_i||^2 = ||sa Z_i - s A||^2 / (s sa)^2, and rows compare by cross-multiplying
     * the factors s^2 (the common sa^2 cancels). */
    mpz_t s, sa, t, u, acc, best, bests, lhs, rhs;
    mpz_inits(s, sa, t, u, acc, best, bests, lhs, rhs, (mpz_ptr) NULL);
    qvec_common_den(A, sa, a, 1, d);
    long arg = -1;
    for (long i = 0; i < n; i++) {
        qvec_common_den(Z, s, qmat_row(X, i), 1, d);
        mpz_set_ui(acc, 0);
        for (long j = 0; j < d; j++) {
            mpz_mul(t, sa, Z[j]);
            mpz_mul(u, s, A[j]);
            mpz_sub(t, t, u);
            mpz_addmul(acc, t, t);
        }
        int better = arg < 0;
        if (!better) {                 /* acc / s^2 < best / bests^2 ? */
            mpz_mul(lhs, acc, bests);
            mpz_mul(lhs, lhs, bests);
            mpz_mul(rhs, best, s);
            mpz_mul(rhs, rhs, s);
            better = mpz_cmp(lhs, rhs) < 0;
        }
        if (better) {
            mpz_swap(acc, best);
            mpz_set(bests, s);
            arg = i;
        }
    }
    mpz_mul(t, bests, sa);
    mpz_mul(t, t, t);
    mpq_set_num(r, best);
    mpq_set_den(r, t);
    mpq_canonicalize(r);
    if (argmin != NULL)
        *argmin = arg;
    mpz_clears(s, sa, t, u, acc, best, bests, lhs, rhs, (mpz_ptr) NULL);
    zvec_clear(Z, d);
    zvec_clear(A, d);
    return AE_OK;
}

/* ---- diameter ------------------------------------------------------------------------
 * Rows become machine integers W (n x d, |W| < 2^B with B chosen so that differences fit
 * 64 bits and sums of d squares 128 bits).  Exact path: X = Z / den with small Z.
 * Otherwise W = floor(X 2^sigma), each coordinate off by less than one unit, so a pair's
 * rounded distance is within sqrt(d) units of the true one (triangle inequality), and
 * only pairs whose rounded distance^2 reaches (sqrt(L*) - 2 sqrt(d))^2, L* the largest
 * rounded one, can attain the true maximum; those few are evaluated exactly. */

__extension__ typedef unsigned __int128 u128;

static u128 pair_words(const long long *wi, const long long *wj, long d)
{
    u128 acc = 0;
    for (long l = 0; l < d; l++) {
        long long t = wi[l] - wj[l];
        u128 ut = (u128) (t < 0 ? -t : t);      /* |t| < 2^63: no overflow */
        acc += ut * ut;
    }
    return acc;
}

static u128 diam_words(const long long *W, long n, long d)
{
    u128 best = 0;
    for (long i = 0; i < n; i++)
        for (long j = i + 1; j < n; j++) {
            u128 acc = pair_words(W + i * d, W + j * d, d);
            if (acc > best)
                best = acc;
        }
    return best;
}

static void mpz_set_u128(mpz_t r, u128 v)
{
    uint64_t words[2] = { (uint64_t) v, (uint64_t) (v >> 64) };
    mpz_import(r, 2, -1, sizeof(uint64_t), 0, 0, words);
}

static u128 mpz_get_u128(const mpz_t z)   /* 0 <= z < 2^128 */
{
    uint64_t words[2] = { 0, 0 };
    mpz_export(words, NULL, -1, sizeof(uint64_t), 0, 0, z);
    return ((u128) words[1] << 64) | words[0];
}

/* r = max exact ||x_i - x_j||^2 over the pairs whose rounded distance^2 is >= T. */
static void diam_candidates(mpq_t r, const qmat_t X, const long long *W, u128 T)
{
    long n = X->r, d = X->c;
    mpq_t t, acc;
    mpq_inits(t, acc, (mpq_ptr) NULL);
    mpq_set_ui(r, 0, 1);
    for (long i = 0; i < n; i++)
        for (long j = i + 1; j < n; j++) {
            if (pair_words(W + i * d, W + j * d, d) < T)
                continue;
            mpq_set_ui(acc, 0, 1);
            for (long l = 0; l < d; l++) {
                mpq_sub(t, qmat_entry(X, i, l), qmat_entry(X, j, l));
                mpq_mul(t, t, t);
                mpq_add(acc, acc, t);
            }
            if (mpq_cmp(acc, r) > 0)
                mpq_swap(acc, r);
        }
    mpq_clears(t, acc, (mpq_ptr) NULL);
}

int score_diameter2(mpq_t r, const qmat_t X)
{
    long n = X->r, d = X->c, nd = X->r * X->c;
    if (n < 2 || d == 0) {
        mpq_set_ui(r, 0, 1);
        return AE_OK;
    }
    long lgd = 0;
    while (((unsigned long) 1 << lgd) < (unsigned long) d)
        lgd++;
    long Bt = (126 - lgd) / 2;      /* |W| < 2^Bt: 2 Bt + 2 + lgd <= 128 */
    if (Bt > 62)
        Bt = 62;
    long long *W = ae_malloc((size_t) nd * sizeof *W);
    if (W == NULL)
        return AE_ENOMEM;
    mpz_t S, t;
    mpz_inits(S, t, (mpz_ptr) NULL);

    /* Exact path if the least common denominator keeps every integer below 2^Bt;
     * the lcm is abandoned as soon as it alone is too large. */
    int exact = 1;
    long E = LONG_MIN;              /* |x| < 2^E for every entry */
    mpz_set_ui(S, 1);
    for (long i = 0; i < nd; i++) {
        const __mpq_struct *q = X->entries[i];
        if (mpq_sgn(q) == 0)
            continue;
        long e = (long) mpz_sizeinbase(mpq_numref(q), 2) - (long) mpz_sizeinbase(mpq_denref(q), 2) + 1;
        if (e > E)
            E = e;
        if (exact && mpz_cmp_ui(mpq_denref(q), 1) != 0) {
            mpz_lcm(S, S, mpq_denref(q));
            if ((long) mpz_sizeinbase(S, 2) > Bt)
                exact = 0;
        }
    }
    if (E == LONG_MIN) {            /* all zero */
        mpq_set_ui(r, 0, 1);
        goto done;
    }
    if (exact && E + (long) mpz_sizeinbase(S, 2) > Bt)
        exact = 0;
    if (exact) {
        mpz_t *Z = zvec_init(nd);
        if (Z == NULL) {
            free(W);
            mpz_clears(S, t, (mpz_ptr) NULL);
            return AE_ENOMEM;
        }
        qmat_get_mpz_common(Z, S, X);
        for (long i = 0; i < nd; i++)
            W[i] = (long long) mpz_get_si(Z[i]);   /* |Z| < 2^E S <= 2^Bt <= 2^62 */
        zvec_clear(Z, nd);
        mpz_set_u128(t, diam_words(W, n, d));
        mpz_mul(S, S, S);
        mpq_set_num(r, t);
        mpq_set_den(r, S);
        mpq_canonicalize(r);
        goto done;
    }
    /* Rounded path: |x 2^sigma| < 2^(Bt-1), so |floor(x 2^sigma)| <= 2^(Bt-1). */
    long sigma = Bt - 1 - E;
    for (long i = 0; i < nd; i++) {
        const __mpq_struct *q = X->entries[i];
        if (sigma >= 0) {
            mpz_mul_2exp(t, mpq_numref(q), (mp_bitcnt_t) sigma);
            mpz_fdiv_q(t, t, mpq_denref(q));
        } else {
            mpz_mul_2exp(S, mpq_denref(q), (mp_bitcnt_t) -sigma);
            mpz_fdiv_q(t, mpq_numref(q), S);
        }
        W[i] = (long long) mpz_get_si(t);
    }
    u128 Lstar = diam_words(W, n, d);
    /* T = (s - c)^2 <= (sqrt(L*) - 2 sqrt(d))^2 with s = floor(sqrt(L*)), c = ceil(2 sqrt(d)). */
    unsigned long c = 0;
    while (c * c < 4 * (unsigned long) d)
        c++;
    mpz_set_u128(t, Lstar);
    mpz_sqrt(t, t);
    u128 T = 0;
    if (mpz_cmp_ui(t, c) > 0) {
        mpz_sub_ui(t, t, c);
        mpz_mul(t, t, t);
        T = mpz_get_u128(t);
    }
    diam_candidates(r, X, W, T);
done:
    free(W);
    mpz_clears(S, t, (mpz_ptr) NULL);
    return AE_OK;
}

int score_failure(const mpq_t a_score, const mpq_t s_min, const mpq_t dist2, const mpq_t delta2)
{
    if (mpq_sgn(dist2) < 0 || mpq_sgn(delta2) < 0) {
        ae_error("score_failure", "squared distances must be >= 0");
        return 0;
    }
    return mpq_cmp(dist2, delta2) >= 0 && mpq_cmp(a_score, s_min) <= 0;
}

int score_miss_quantile(const mpq_t a_score, const mpq_t s_q)
{
    return mpq_cmp(a_score, s_q) < 0;
}

int score_check_distance_bound(const mpq_t w_norm2, const mpq_t py_norm2, const mpq_t dist2)
{
    if (mpq_sgn(w_norm2) < 0 || mpq_sgn(py_norm2) < 0 || mpq_sgn(dist2) < 0) {
        ae_error("score_check_distance_bound", "squared lengths must be >= 0");
        return 0;
    }
    if (mpq_cmp(w_norm2, py_norm2) <= 0)
        return 1;
    mpq_t R, L;
    mpq_inits(R, L, (mpq_ptr) NULL);
    mpq_add(R, w_norm2, py_norm2);
    mpq_sub(R, R, dist2);
    int ok = 1;
    if (mpq_sgn(R) > 0) {
        mpq_mul(L, w_norm2, py_norm2);
        mpq_mul(R, R, R);
        mpz_mul_ui(mpq_numref(L), mpq_numref(L), 4);
        mpq_canonicalize(L);
        ok = mpq_cmp(L, R) >= 0;
    }
    mpq_clears(R, L, (mpq_ptr) NULL);
    return ok;
}
