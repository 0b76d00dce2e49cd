/* qmat — see qmat.h.
 *
 * Products (qmat_mul, qmat_gram) bring each row of the left factor and each column of
 * the right factor to a common denominator first, so the inner loop is a pure integer
 * dot product (mpz_addmul) and only one gcd per output entry is needed; the naive
 * mpq_mul/mpq_add loop would pay a gcd per term on ever-growing denominators.
 * Elimination (rref, rank, solve, inv, det, nullspace, inertia) lives in qmat_elim.c.
 */
#include "qmat.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "aeerr.h"
#include "qmat_internal.h"
#include "zvec.h"

/* ---- vectors ---------------------------------------------------------------- */

mpq_t *qvec_init(long n)
{
    if (n < 0) {
        ae_error("qvec_init", "negative length %ld", n);
        return NULL;
    }
    if ((unsigned long)n > SIZE_MAX / sizeof(mpq_t)) {
        ae_error("qvec_init", "length %ld too large", n);
        return NULL;
    }
    mpq_t *v = ae_malloc((size_t)n * sizeof(mpq_t));
    for (long i = 0; i < n; i++)
        mpq_init(v[i]);
    return v;
}

void qvec_clear(mpq_t *v, long n)
{
    if (v == NULL)
        return;
    for (long i = 0; i < n; i++)
        mpq_clear(v[i]);
    free(v);
}

void qvec_set(mpq_t *y, const mpq_t *x, long n)
{
    if (y == x)
        return;
    for (long i = 0; i < n; i++)
        mpq_set(y[i], x[i]);
}

void qvec_zero(mpq_t *v, long n)
{
    for (long i = 0; i < n; i++)
        mpq_set_ui(v[i], 0, 1);
}

int qvec_equal(const mpq_t *x, const mpq_t *y, long n)
{
    for (long i = 0; i < n; i++)
        if (!mpq_equal(x[i], y[i]))
            return 0;
    return 1;
}

int qvec_is_zero(const mpq_t *x, long n)
{
    for (long i = 0; i < n; i++)
        if (mpq_sgn(x[i]) != 0)
            return 0;
    return 1;
}

void qvec_add(mpq_t *z, const mpq_t *x, const mpq_t *y, long n)
{
    for (long i = 0; i < n; i++)
        mpq_add(z[i], x[i], y[i]);
}

void qvec_sub(mpq_t *z, const mpq_t *x, const mpq_t *y, long n)
{
    for (long i = 0; i < n; i++)
        mpq_sub(z[i], x[i], y[i]);
}

void qvec_scale(mpq_t *y, const mpq_t *x, const mpq_t c, long n)
{
    for (long i = 0; i < n; i++)
        mpq_mul(y[i], x[i], c);
}

void qvec_addmul(mpq_t *y, const mpq_t *x, const mpq_t c, long n)
{
    mpq_t t;
    mpq_init(t);
    for (long i = 0; i < n; i++) {
        if (mpq_sgn(x[i]) == 0)
            continue;
        mpq_mul(t, x[i], c);
        mpq_add(y[i], y[i], t);
    }
    mpq_clear(t);
}

/* r = sum_k x[k*sx] y[k*sy].  Integer terms go straight into the numerator with
 * mpz_addmul (no gcd); the running sum is kept split as integer part + fraction part. */
static void dot_strided(mpq_t r, const mpq_t *x, long sx, const mpq_t *y, long sy, long n,
                        mpq_t t)
{
    mpz_t zi;
    mpz_init(zi);
    mpq_set_ui(r, 0, 1);
    for (long k = 0; k < n; k++) {
        const mpq_t *a = &x[k * sx], *b = &y[k * sy];
        if (mpq_sgn(*a) == 0 || mpq_sgn(*b) == 0)
            continue;
        if (mpz_cmp_ui(mpq_denref(*a), 1) == 0 && mpz_cmp_ui(mpq_denref(*b), 1) == 0) {
            mpz_addmul(zi, mpq_numref(*a), mpq_numref(*b));
        } else {
            mpq_mul(t, *a, *b);
            mpq_add(r, r, t);
        }
    }
    if (mpz_sgn(zi) != 0) {
        /* p/q + z = (p + q z)/q, and gcd(p + q z, q) = gcd(p, q) = 1: still canonical. */
        mpz_addmul(mpq_numref(r), mpq_denref(r), zi);
    }
    mpz_clear(zi);
}

void qvec_dot(mpq_t r, const mpq_t *x, const mpq_t *y, long n)
{
    mpq_t t;
    mpq_init(t);
    dot_strided(r, x, 1, y, 1, n, t);
    mpq_clear(t);
}

void qvec_norm2(mpq_t r, const mpq_t *x, long n)
{
    mpq_t t;
    mpq_init(t);
    dot_strided(t, x, 1, x, 1, n, r);
    mpq_swap(r, t);
    mpq_clear(t);
}

void qvec_dist2(mpq_t r, const mpq_t *x, const mpq_t *y, long n)
{
    mpq_t t, s;
    mpq_init(t);
    mpq_init(s);
    for (long i = 0; i < n; i++) {
        mpq_sub(t, x[i], y[i]);
        mpq_mul(t, t, t);
        mpq_add(s, s, t);
    }
    mpq_swap(r, s);
    mpq_clear(s);
    mpq_clear(t);
}

/* ---- memory and basic setting ------------------------------------------------ */

void qmat_init(qmat_t A, long r, long c)
{
    A->r = 0;
    A->c = 0;
    A->entries = NULL;
    if (r < 0 || c < 0) {
        ae_error("qmat_init", "negative dimensions %ld x %ld", r, c);
        return;
    }
    if (c > 0 && (unsigned long)r > SIZE_MAX / sizeof(mpq_t) / (unsigned long)c) {
        ae_error("qmat_init", "dimensions %ld x %ld too large", r, c);
        return;
    }
    A->r = r;
    A->c = c;
    A->entries = ae_malloc((size_t)r * (size_t)c * sizeof(mpq_t));
    for (long i = 0; i < r * c; i++)
        mpq_init(A->entries[i]);
}

void qmat_clear(qmat_t A)
{
    if (A->entries != NULL) {
        for (long i = 0; i < A->r * A->c; i++)
            mpq_clear(A->entries[i]);
        free(A->entries);
    }
    A->entries = NULL;
    A->r = A->c = 0;
}

void qmat_resize(qmat_t A, long r, long c)
{
    qmat_clear(A);
    qmat_init(A, r, c);
}

void qmat_swap(qmat_t A, qmat_t B)
{
    qmat_struct t = *A;
    *A = *B;
    *B = t;
}

int _qmat_same_dims(const char *func, const qmat_t A, const qmat_t B)
{
    if (A->r != B->r || A->c != B->c) {
        ae_error(func, "dimension mismatch: %ld x %ld vs %ld x %ld", A->r, A->c, B->r, B->c);
        return 0;
    }
    return 1;
}

void qmat_set(qmat_t B, const qmat_t A)
{
    if (!_qmat_same_dims("qmat_set", B, A) || B == A)
        return;
    for (long i = 0; i < A->r * A->c; i++)
        mpq_set(B->entries[i], A->entries[i]);
}

void qmat_zero(qmat_t A)
{
    for (long i = 0; i < A->r * A->c; i++)
        mpq_set_ui(A->entries[i], 0, 1);
}

void qmat_one(qmat_t A)
{
    for (long i = 0; i < A->r; i++)
        for (long j = 0; j < A->c; j++)
            mpq_set_ui(qmat_entry(A, i, j), i == j, 1);
}

void qmat_set_si(qmat_t A, const long *num, const long *den)
{
    long n = A->r * A->c;
    if (n > 0 && num == NULL) {
        ae_error("qmat_set_si", "num is NULL");
        return;
    }
    if (den != NULL)
        for (long i = 0; i < n; i++)
            if (den[i] == 0) {
                ae_error("qmat_set_si", "zero denominator at index %ld", i);
                return;
            }
    for (long i = 0; i < n; i++) {
        mpz_set_si(mpq_numref(A->entries[i]), num[i]);
        mpz_set_si(mpq_denref(A->entries[i]), den != NULL ? den[i] : 1);
        mpq_canonicalize(A->entries[i]);
    }
}

void qmat_set_d(qmat_t A, const double *v)
{
    long n = A->r * A->c;
    if (n > 0 && v == NULL) {
        ae_error("qmat_set_d", "v is NULL");
        return;
    }
    for (long i = 0; i < n; i++)
        if (!isfinite(v[i])) {
            ae_error("qmat_set_d", "non-finite value at index %ld", i);
            return;
        }
    for (long i = 0; i < n; i++)
        mpq_set_d(A->entries[i], v[i]);   /* exact: a finite double is dyadic */
}

int qmat_equal(const qmat_t A, const qmat_t B)
{
    if (A->r != B->r || A->c != B->c)
        return 0;
    return qvec_equal((const mpq_t *)A->entries, (const mpq_t *)B->entries, A->r * A->c);
}

int qmat_is_zero(const qmat_t A)
{
    return qvec_is_zero((const mpq_t *)A->entries, A->r * A->c);
}

int qmat_is_one(const qmat_t A)
{
    for (long i = 0; i < A->r; i++)
        for (long j = 0; j < A->c; j++) {
            const mpq_t *e = (const mpq_t *)&qmat_entry(A, i, j);
            if (i == j ? mpq_cmp_ui(*e, 1, 1) != 0 : mpq_sgn(*e) != 0)
                return 0;
        }
    return 1;
}

/* ---- arithmetic -------------------------------------------------------------- */

void qmat_add(qmat_t C, const qmat_t A, const qmat_t B)
{
    if (!_qmat_same_dims("qmat_add", A, B) || !_qmat_same_dims("qmat_add", C, A))
        return;
    qvec_add(C->entries, (const mpq_t *)A->entries, (const mpq_t *)B->entries, A->r * A->c);
}

void qmat_sub(qmat_t C, const qmat_t A, const qmat_t B)
{
    if (!_qmat_same_dims("qmat_sub", A, B) || !_qmat_same_dims("qmat_sub", C, A))
        return;
    qvec_sub(C->entries, (const mpq_t *)A->entries, (const mpq_t *)B->entries, A->r * A->c);
}

void qmat_neg(qmat_t B, const qmat_t A)
{
    if (!_qmat_same_dims("qmat_neg", B, A))
        return;
    for (long i = 0; i < A->r * A->c; i++)
        mpq_neg(B->entries[i], A->entries[i]);
}

void qmat_scalar_mul(qmat_t B, const qmat_t A, const mpq_t c)
{
    if (!_qmat_same_dims("qmat_scalar_mul", B, A))
        return;
    qvec_scale(B->entries, (const mpq_t *)A->entries, c, A->r * A->c);
}

/* ---- integers over a common denominator (the one implementation; see qmat.h) ---- */

void qvec_den_lcm(mpz_t L, const mpq_t *v, long stride, long n)
{
    mpz_set_ui(L, 1);
    for (long k = 0; k < n; k++) {
        const mpz_srcptr d = mpq_denref(v[k * stride]);
        if (mpz_cmp_ui(d, 1) != 0)
            mpz_lcm(L, L, d);
    }
}

void qvec_to_den(mpz_t *Z, const mpz_t L, const mpq_t *v, long stride, long n)
{
    for (long k = 0; k < n; k++) {
        const mpq_t *e = &v[k * stride];
        if (mpz_sgn(mpq_numref(*e)) == 0) {
            mpz_set_ui(Z[k], 0);
        } else {
            assert(mpz_divisible_p(L, mpq_denref(*e)));
            mpz_divexact(Z[k], L, mpq_denref(*e));
            mpz_mul(Z[k], Z[k], mpq_numref(*e));
        }
    }
}

void qvec_common_den(mpz_t *Z, mpz_t L, const mpq_t *v, long stride, long n)
{
    qvec_den_lcm(L, v, stride, n);
    qvec_to_den(Z, L, v, stride, n);
}

/* q = s / (d1 d2), canonical. */
static void set_quotient(mpq_t q, const mpz_t s, const mpz_t d1, const mpz_t d2)
{
    mpz_set(mpq_numref(q), s);
    mpz_mul(mpq_denref(q), d1, d2);
    mpq_canonicalize(q);
}

void qmat_mul(qmat_t C, const qmat_t A, const qmat_t B)
{
    if (A->c != B->r || C->r != A->r || C->c != B->c) {
        ae_error("qmat_mul", "dimension mismatch: (%ld x %ld) = (%ld x %ld)(%ld x %ld)",
                 C->r, C->c, A->r, A->c, B->r, B->c);
        return;
    }
    long m = A->r, n = A->c, p = B->c;
    /* A = ZA / LA[i] row-wise, B = ZB / LB[j] column-wise (ZB stored transposed).  After
     * this conversion A and B are no longer read, so C may alias either. */
    mpz_t *ZA = zvec_init(m * n), *ZB = zvec_init(n * p);
    mpz_t *LA = zvec_init(m), *LB = zvec_init(p);
    for (long i = 0; i < m; i++)
        qvec_common_den(ZA + i * n, LA[i], (const mpq_t *)qmat_row(A, i), 1, n);
    for (long j = 0; j < p; j++)
        qvec_common_den(ZB + j * n, LB[j], (const mpq_t *)B->entries + j, p, n);
    mpz_t s;
    mpz_init(s);
    for (long i = 0; i < m; i++) {
        const mpz_t *a = (const mpz_t *)ZA + i * n;
        for (long j = 0; j < p; j++) {
            const mpz_t *b = (const mpz_t *)ZB + j * n;
            mpz_set_ui(s, 0);
            for (long k = 0; k < n; k++)
                mpz_addmul(s, a[k], b[k]);
            set_quotient(qmat_entry(C, i, j), s, LA[i], LB[j]);
        }
    }
    mpz_clear(s);
    zvec_clear(ZA, m * n);
    zvec_clear(ZB, n * p);
    zvec_clear(LA, m);
    zvec_clear(LB, p);
}

void qmat_transpose(qmat_t B, const qmat_t A)
{
    if (B->r != A->c || B->c != A->r) {
        ae_error("qmat_transpose", "dimension mismatch: B is %ld x %ld, A is %ld x %ld",
                 B->r, B->c, A->r, A->c);
        return;
    }
    if (B == A) {
        for (long i = 0; i < A->r; i++)
            for (long j = i + 1; j < A->c; j++)
                mpq_swap(qmat_entry(B, i, j), qmat_entry(B, j, i));
        return;
    }
    for (long i = 0; i < A->r; i++)
        for (long j = 0; j < A->c; j++)
            mpq_set(qmat_entry(B, j, i), qmat_entry(A, i, j));
}

void qmat_mul_vec(mpq_t *y, const qmat_t A, const mpq_t *x)
{
    mpq_t t;
    mpq_init(t);
    for (long i = 0; i < A->r; i++)
        dot_strided(y[i], (const mpq_t *)qmat_row(A, i), 1, x, 1, A->c, t);
    mpq_clear(t);
}

void qmat_mul_transpose_vec(mpq_t *y, const qmat_t A, const mpq_t *x)
{
    mpq_t t;
    mpq_init(t);
    for (long j = 0; j < A->c; j++)
        dot_strided(y[j], (const mpq_t *)A->entries + j, A->c, x, 1, A->r, t);
    mpq_clear(t);
}

void qmat_gram(qmat_t G, const qmat_t A)
{
    if (G->r != A->c || G->c != A->c) {
        ae_error("qmat_gram", "dimension mismatch: G is %ld x %ld, A is %ld x %ld",
                 G->r, G->c, A->r, A->c);
        return;
    }
    long n = A->r, p = A->c;
    mpz_t *Z = zvec_init(n * p), *L = zvec_init(p);
    for (long j = 0; j < p; j++)
        qvec_common_den(Z + j * n, L[j], (const mpq_t *)A->entries + j, p, n);
    mpz_t s;
    mpz_init(s);
    for (long i = 0; i < p; i++) {
        for (long j = i; j < p; j++) {
            mpz_set_ui(s, 0);
            for (long k = 0; k < n; k++)
                mpz_addmul(s, Z[i * n + k], Z[j * n + k]);
            set_quotient(qmat_entry(G, i, j), s, L[i], L[j]);
            if (j != i)
                mpq_set(qmat_entry(G, j, i), qmat_entry(G, i, j));
        }
    }
    mpz_clear(s);
    zvec_clear(Z, n * p);
    zvec_clear(L, p);
}

void qmat_trace(mpq_t t, const qmat_t A)
{
    if (A->r != A->c) {
        ae_error("qmat_trace", "matrix is %ld x %ld, not square", A->r, A->c);
        return;
    }
    mpq_t s;
    mpq_init(s);
    for (long i = 0; i < A->r; i++)
        mpq_add(s, s, qmat_entry(A, i, i));
    mpq_swap(t, s);
    mpq_clear(s);
}

void qmat_frobenius2(mpq_t f, const qmat_t A)
{
    qvec_norm2(f, (const mpq_t *)A->entries, A->r * A->c);
}

void qmat_get_col(mpq_t *v, const qmat_t A, long j)
{
    if (j < 0 || j >= A->c) {
        ae_error("qmat_get_col", "column %ld out of range [0, %ld)", j, A->c);
        return;
    }
    for (long i = 0; i < A->r; i++)
        mpq_set(v[i], qmat_entry(A, i, j));
}

void qmat_set_col(qmat_t A, long j, const mpq_t *v)
{
    if (j < 0 || j >= A->c) {
        ae_error("qmat_set_col", "column %ld out of range [0, %ld)", j, A->c);
        return;
    }
    for (long i = 0; i < A->r; i++)
        mpq_set(qmat_entry(A, i, j), v[i]);
}

void qmat_submatrix(qmat_t B, const qmat_t A, long r0, long c0)
{
    if (r0 < 0 || c0 < 0 || r0 > A->r - B->r || c0 > A->c - B->c) {
        ae_error("qmat_submatrix", "%ld x %ld block at (%ld, %ld) outside %ld x %ld",
                 B->r, B->c, r0, c0, A->r, A->c);
        return;
    }
    if (B == A)
        return;
    for (long i = 0; i < B->r; i++)
        for (long j = 0; j < B->c; j++)
            mpq_set(qmat_entry(B, i, j), qmat_entry(A, r0 + i, c0 + j));
}

/* ---- integers with a common denominator -------------------------------------- */

void qmat_get_mpz_common(mpz_t *Z, mpz_t den, const qmat_t A)
{
    qvec_common_den(Z, den, (const mpq_t *)A->entries, 1, A->r * A->c);
}

/* ---- printing ---------------------------------------------------------------- */

int qmat_fprint(FILE *f, const qmat_t A)
{
    if (f == NULL) {
        ae_error("qmat_fprint", "stream is NULL");
        return AE_EINVAL;
    }
    for (long i = 0; i < A->r; i++) {
        for (long j = 0; j < A->c; j++) {
            if (j > 0 && fputc(' ', f) == EOF)
                return AE_EIO;
            if (mpq_out_str(f, 10, qmat_entry(A, i, j)) == 0)
                return AE_EIO;
        }
        if (fputc('\n', f) == EOF)
            return AE_EIO;
    }
    return ferror(f) ? AE_EIO : AE_OK;
}
