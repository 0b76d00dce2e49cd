/* score — see score.h. */
#include "score.h"

#include <stdint.h>
#include <stdlib.h>

#include "aeerr.h"

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

static mpz_t *zvec_init(long n)
{
    mpz_t *v = ae_malloc((size_t) (n > 0 ? n : 1) * sizeof(mpz_t));
    if (v == NULL)
        return NULL;
    for (long i = 0; i < n; i++)
        mpz_init(v[i]);
    return v;
}

static void zvec_clear(mpz_t *v, long n)
{
    for (long i = 0; i < n; i++)
        mpz_clear(v[i]);
    free(v);
}

int score_dist2_to_set(mpq_t r, long *argmin, const mpq_t *a, const qmat_t X)
{
    long n = X->r, d = X->c;
    if (n < 1 || a == NULL) {
        ae_error("score_dist2_to_set", "need a point and n >= 1 rows (n = %ld)", n);
        return AE_EINVAL;
    }
    mpz_t *Z = zvec_init(n * d), *SA = zvec_init(d);
    if (Z == NULL || SA == NULL) {
        if (Z) zvec_clear(Z, n * d);
        if (SA) zvec_clear(SA, d);
        return AE_ENOMEM;
    }
    mpz_t S, sa, t, acc, best;
    mpz_inits(S, sa, t, acc, best, (mpz_ptr) NULL);
    qmat_get_mpz_common(Z, S, X);
    /* a = A / sa; then ||a - x_i||^2 = ||sa Z_i - S A||^2 / (S sa)^2, same denominator
     * for every row, so rows compare as integers. */
    mpz_set_ui(sa, 1);
    for (long j = 0; j < d; j++)
        mpz_lcm(sa, sa, mpq_denref(a[j]));
    for (long j = 0; j < d; j++) {
        mpz_divexact(SA[j], sa, mpq_denref(a[j]));
        mpz_mul(SA[j], SA[j], mpq_numref(a[j]));
        mpz_mul(SA[j], SA[j], S);
    }
    long arg = -1;
    for (long i = 0; i < n; i++) {
        mpz_set_ui(acc, 0);
        const mpz_t *Zi = Z + i * d;
        for (long j = 0; j < d; j++) {
            mpz_mul(t, sa, Zi[j]);
            mpz_sub(t, t, SA[j]);
            mpz_addmul(acc, t, t);
        }
        if (arg < 0 || mpz_cmp(acc, best) < 0) {
            mpz_swap(acc, best);
            arg = i;
        }
    }
    mpz_mul(t, S, sa);
    mpz_mul(t, t, t);
    mpq_set_num(r, best);
    mpq_set_den(r, t);
    mpq_canonicalize(r);
    if (argmin != NULL)
        *argmin = arg;
    mpz_clears(S, sa, t, acc, best, (mpz_ptr) NULL);
    zvec_clear(Z, n * d);
    zvec_clear(SA, d);
    return AE_OK;
}

__extension__ typedef unsigned __int128 u128;

/* max pair distance^2 of n rows of d machine integers, exact in 128 bits (checked by
 * the caller), into r. */
static void diam_words(mpz_t r, const long long *W, long n, long d)
{
    u128 best = 0;
    for (long i = 0; i < n; i++) {
        const long long *wi = W + i * d;
        for (long j = i + 1; j < n; j++) {
            const long long *wj = W + j * d;
            u128 acc = 0;
            for (long l = 0; l < d; l++) {
                long long t = wi[l] - wj[l];
                u128 ut = (u128) (t < 0 ? -(u128) t : (u128) t);
                acc += ut * ut;
            }
            if (acc > best)
                best = acc;
        }
    }
    uint64_t words[2] = { (uint64_t) best, (uint64_t) (best >> 64) };
    mpz_import(r, 2, -1, sizeof(uint64_t), 0, 0, words);
}

static void diam_mpz(mpz_t r, const mpz_t *Z, long n, long d)
{
    mpz_t t, acc;
    mpz_inits(t, acc, (mpz_ptr) NULL);
    mpz_set_ui(r, 0);
    for (long i = 0; i < n; i++) {
        for (long j = i + 1; j < n; j++) {
            mpz_set_ui(acc, 0);
            for (long l = 0; l < d; l++) {
                mpz_sub(t, Z[i * d + l], Z[j * d + l]);
                mpz_addmul(acc, t, t);
            }
            if (mpz_cmp(acc, r) > 0)
                mpz_swap(acc, r);
        }
    }
    mpz_clears(t, acc, (mpz_ptr) NULL);
}

int score_diameter2(mpq_t r, const qmat_t X)
{
    long n = X->r, d = X->c;
    if (n < 2 || d == 0) {
        mpq_set_ui(r, 0, 1);
        return AE_OK;
    }
    mpz_t *Z = zvec_init(n * d);
    if (Z == NULL)
        return AE_ENOMEM;
    mpz_t den, best;
    mpz_inits(den, best, (mpz_ptr) NULL);
    qmat_get_mpz_common(Z, den, X);
    /* |Z| < 2^B: differences < 2^(B+1) fit a long long if B <= 62, and a sum of d squares
     * is < d 2^(2B+2) <= 2^128 if 2B + 2 + ceil(log2 d) <= 128. */
    size_t B = 0;
    for (long i = 0; i < n * d; i++) {
        size_t b = mpz_sizeinbase(Z[i], 2);
        if (b > B)
            B = b;
    }
    size_t lgd = 0;
    while (((unsigned long) 1 << lgd) < (unsigned long) d)
        lgd++;
    long long *W = NULL;
    if (B <= 62 && 2 * B + 2 + lgd <= 128)
        W = malloc((size_t) (n * d) * sizeof *W);
    if (W != NULL) {
        for (long i = 0; i < n * d; i++)
            W[i] = (long long) mpz_get_si(Z[i]);   /* fits: |Z| < 2^62 and long is >= 64 bits here */
        diam_words(best, W, n, d);
        free(W);
    } else {
        diam_mpz(best, Z, n, d);
    }
    mpz_mul(den, den, den);
    mpq_set_num(r, best);
    mpq_set_den(r, den);
    mpq_canonicalize(r);
    mpz_clears(den, best, (mpz_ptr) NULL);
    zvec_clear(Z, n * d);
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
