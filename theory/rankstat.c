/* rankstat — exact rank statistics (see rankstat.h). */
#include "rankstat.h"

#include <stdlib.h>

#include "aeerr.h"

typedef struct {
    const __mpq_struct *q;
    long i;
} rs_item;

static int rs_cmp(const void *a, const void *b)
{
    const rs_item *x = a, *y = b;
    int c = mpq_cmp(x->q, y->q);
    if (c != 0)
        return c < 0 ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

int rankstat_ranks(long *rank, const mpq_t *s, long n)
{
    if (n < 0 || (n > 0 && (rank == NULL || s == NULL))) {
        ae_error(__func__, "bad arguments (n = %ld)", n);
        return AE_EINVAL;
    }
    if (n == 0)
        return AE_OK;
    rs_item *t = ae_malloc((size_t) n * sizeof *t);
    if (t == NULL)
        return AE_ENOMEM;
    for (long i = 0; i < n; i++) {
        t[i].q = s[i];
        t[i].i = i;
    }
    qsort(t, (size_t) n, sizeof *t, rs_cmp);
    for (long k = 0, first = 0; k < n; k++) {
        if (k > 0 && mpq_cmp(t[k].q, t[k - 1].q) != 0)
            first = k;
        rank[t[k].i] = first + 1;
    }
    free(t);
    return AE_OK;
}

static int rs_check2(const char *func, const void *a, const void *b, long n)
{
    if (n < 0 || (n > 0 && (a == NULL || b == NULL))) {
        ae_error(func, "bad arguments (n = %ld)", n);
        return 0;
    }
    return 1;
}

static int sgn(long a, long b)
{
    return (a > b) - (a < b);
}

int rankstat_compare(rankstat_pairs *c, const long *r, const long *f, long n)
{
    if (c == NULL || !rs_check2(__func__, r, f, n)) {
        if (c == NULL)
            ae_error(__func__, "c is NULL");
        return AE_EINVAL;
    }
    rankstat_pairs z = {n, 0, 0, 0, 0, 0, 0};
    for (long i = 0; i < n; i++)
        for (long j = i + 1; j < n; j++) {
            int a = sgn(r[i], r[j]), b = sgn(f[i], f[j]);
            if (a == 0 && b == 0)
                z.tie_both++;
            else if (a == 0)
                z.tie_broken++;
            else if (b == 0)
                z.tie_created++;
            else if (a == b)
                z.concordant++;
            else
                z.discordant++;
        }
    z.pairs = (long long) n * (n > 0 ? n - 1 : 0) / 2;
    *c = z;
    return AE_OK;
}

long rankstat_moved(const long *r, const long *f, long n)
{
    if (!rs_check2(__func__, r, f, n))
        return 0;
    long m = 0;
    for (long i = 0; i < n; i++)
        m += r[i] != f[i];
    return m;
}

long rankstat_max_shift(const long *r, const long *f, long n)
{
    if (!rs_check2(__func__, r, f, n))
        return 0;
    long m = 0;
    for (long i = 0; i < n; i++) {
        long d = r[i] > f[i] ? r[i] - f[i] : f[i] - r[i];
        m = d > m ? d : m;
    }
    return m;
}

long long rankstat_flips(long *lo, long *hi, long cap, const long *r, const long *f, long n)
{
    if (!rs_check2(__func__, r, f, n) || cap < 0 || (cap > 0 && (lo == NULL || hi == NULL))) {
        ae_error(__func__, "bad arguments (cap = %ld)", cap);
        return 0;
    }
    long long k = 0;
    for (long i = 0; i < n; i++)
        for (long j = i + 1; j < n; j++) {
            int a = sgn(r[i], r[j]), b = sgn(f[i], f[j]);
            if (a == 0 || b == 0 || a == b)
                continue;
            if (k < cap) {
                lo[k] = a < 0 ? i : j;
                hi[k] = a < 0 ? j : i;
            }
            k++;
        }
    return k;
}

int rankstat_u2(mpz_t u2, long *n0, long *n1, const long *r, const unsigned char *lab, long n)
{
    if (!rs_check2(__func__, r, lab, n))
        return AE_EINVAL;
    long c0 = 0, c1 = 0;
    for (long i = 0; i < n; i++) {
        if (lab[i] > 1) {
            ae_error(__func__, "label %d at %ld is not 0 or 1", (int) lab[i], i);
            return AE_EINVAL;
        }
        c0 += lab[i] == 0;
        c1 += lab[i] == 1;
    }
    mpz_set_ui(u2, 0);
    for (long i = 0; i < n; i++) {
        if (lab[i] != 0)
            continue;
        unsigned long t = 0;
        for (long j = 0; j < n; j++)
            if (lab[j] == 1)
                t += r[j] > r[i] ? 2u : r[j] == r[i] ? 1u : 0u;
        mpz_add_ui(u2, u2, t);
    }
    if (n0 != NULL)
        *n0 = c0;
    if (n1 != NULL)
        *n1 = c1;
    return AE_OK;
}
