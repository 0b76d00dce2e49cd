/* qmat — see qmat.h.
 *
 * Products (qmat_mul, qmat_gram) bring each row of the left factor and each column of
 * the right factor to a common denominator first, so the inner loop is a pure integer
 * dot product (mpz_addmul) and only one gcd per output entry is needed; the naive
 * mpq_mul/mpq_add loop would pay a gcd per term on ever-growing denominators.
 * Elimination (rref, rank, solve, inv, det, nullspace, inertia) is fraction-free on
 * integer-scaled copies for the same reason; see the comment above ffelim.
 */
#include "qmat.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "aeerr.h"
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

static int same_dims(const char *func, const qmat_t A, const qmat_t B)
{
    if (A->r != B->r || A->c != B->c) {
        ae_error(func, "dimension mismatch: %ld x %ld vs %ld x %ld", A->r, A->c, B->r, B->c);
        return 0;
    }
    return 1;
}

void qmat_set(qmat_t B, const qmat_t A)
{
    if (!same_dims("qmat_set", B, A) || B == A)
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
    if (!same_dims("qmat_add", A, B) || !same_dims("qmat_add", C, A))
        return;
    qvec_add(C->entries, (const mpq_t *)A->entries, (const mpq_t *)B->entries, A->r * A->c);
}

void qmat_sub(qmat_t C, const qmat_t A, const qmat_t B)
{
    if (!same_dims("qmat_sub", A, B) || !same_dims("qmat_sub", C, A))
        return;
    qvec_sub(C->entries, (const mpq_t *)A->entries, (const mpq_t *)B->entries, A->r * A->c);
}

void qmat_neg(qmat_t B, const qmat_t A)
{
    if (!same_dims("qmat_neg", B, A))
        return;
    for (long i = 0; i < A->r * A->c; i++)
        mpq_neg(B->entries[i], A->entries[i]);
}

void qmat_scalar_mul(qmat_t B, const qmat_t A, const mpq_t c)
{
    if (!same_dims("qmat_scalar_mul", B, A))
        return;
    qvec_scale(B->entries, (const mpq_t *)A->entries, c, A->r * A->c);
}

/* Z[k] = v[k*stride] * L with L = lcm of the denominators (k < n): v = Z / L exactly. */
static void common_denominator(mpz_t *Z, mpz_t L, const mpq_t *v, long stride, long n)
{
    mpz_set_ui(L, 1);
    for (long k = 0; k < n; k++) {
        const mpz_srcptr d = mpq_denref(v[k * stride]);
        if (mpz_cmp_ui(d, 1) != 0)
            mpz_lcm(L, L, d);
    }
    for (long k = 0; k < n; k++) {
        const mpq_t *e = &v[k * stride];
        if (mpz_sgn(mpq_numref(*e)) == 0) {
            mpz_set_ui(Z[k], 0);
        } else {
            mpz_divexact(Z[k], L, mpq_denref(*e));
            mpz_mul(Z[k], Z[k], mpq_numref(*e));
        }
    }
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
        common_denominator(ZA + i * n, LA[i], (const mpq_t *)qmat_row(A, i), 1, n);
    for (long j = 0; j < p; j++)
        common_denominator(ZB + j * n, LB[j], (const mpq_t *)B->entries + j, p, n);
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
        common_denominator(Z + j * n, L[j], (const mpq_t *)A->entries + j, p, n);
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

/* ---- elimination ----------------------------------------------------------------- */
/* Everything is fraction-free (Bareiss): rows are first scaled to integers (a row
 * scaling changes neither the row space nor the solution set, and changes det by a
 * known factor), and every elimination step
 *     W[i][l] <- (p W[i][l] - W[i][j] W[k][l]) / delta      (exact division)
 * keeps all entries integer minors of the scaled matrix, where p is the new pivot and
 * delta the previous one.  This avoids one gcd per operation (the cost of mpq
 * arithmetic) and bounds growth by Hadamard's inequality. */

/* An integer matrix view: r x c mpz entries, row-major. */
typedef struct { mpz_t *e; long r, c; } zmat;

#define ZE(W, i, j) ((W)->e[(long)(i) * (W)->c + (long)(j)])

/* W = A with row i scaled by the lcm of its denominators; *rowden (if not NULL) gets
 * the product of those scalings. */
static void zmat_from_rows(zmat *W, const qmat_t A, long c, mpz_ptr rowden)
{
    W->r = A->r;
    W->c = c;
    W->e = zvec_init(A->r * c);
    mpz_t L;
    mpz_init(L);
    if (rowden != NULL)
        mpz_set_ui(rowden, 1);
    for (long i = 0; i < A->r; i++) {
        common_denominator(&ZE(W, i, 0), L, (const mpq_t *)qmat_row(A, i), 1, A->c);
        if (rowden != NULL)
            mpz_mul(rowden, rowden, L);
    }
    mpz_clear(L);
}

/* Index of the nonzero entry of smallest size among v[k*stride], k in [k0, k1), or -1:
 * small pivots keep the products in the update small. */
static long smallest_nonzero(const mpz_t *v, long stride, long k0, long k1)
{
    long best = -1;
    size_t bs = 0;
    for (long k = k0; k < k1; k++) {
        if (mpz_sgn(v[k * stride]) == 0)
            continue;
        size_t s = mpz_size(v[k * stride]);
        if (best < 0 || s < bs || (s == bs && mpz_cmpabs(v[k * stride], v[best * stride]) < 0)) {
            best = k;
            bs = s;
        }
    }
    return best;
}

/* Fraction-free elimination of the integer matrix W in place, pivoting in columns
 * [0, ncol).  Forward only (echelon form) or, with jordan, Gauss-Jordan: then every
 * pivot row i < rank has W[i][piv[i]] = delta and zeros in the other pivot columns, so
 * the reduced row echelon form is W / delta.  Returns the rank; delta = last pivot (1 if
 * none), *swaps = number of row swaps, piv (if not NULL) the pivot columns.  For a
 * square W of full rank, det W = (-1)^swaps delta (Bareiss). */
static long ffelim(zmat *W, long ncol, long *piv, int jordan, mpz_t delta, long *swaps)
{
    long r = W->r, c = W->c, rank = 0;
    mpz_t t, p;
    mpz_init(t);
    mpz_init(p);
    mpz_set_ui(delta, 1);
    *swaps = 0;
    for (long j = 0; j < ncol && rank < r; j++) {
        long k = smallest_nonzero(&ZE(W, 0, j), c, rank, r);
        if (k < 0)
            continue;
        if (k != rank) {   /* both rows are zero left of column j */
            for (long l = j; l < c; l++)
                mpz_swap(ZE(W, k, l), ZE(W, rank, l));
            (*swaps)++;
        }
        k = rank;
        mpz_set(p, ZE(W, k, j));
        const mpz_t *P = (const mpz_t *)&ZE(W, k, 0);
        int unit = mpz_cmp_ui(delta, 1) == 0;
        for (long i = jordan ? 0 : k + 1; i < r; i++) {
            if (i == k)
                continue;
            mpz_t *R = &ZE(W, i, 0);
            /* Rows below are zero left of j; rows above need every column scaled. */
            for (long l = i < k ? 0 : j + 1; l < c; l++) {
                if (l == j)
                    continue;
                int rz = mpz_sgn(R[l]) == 0, pz = mpz_sgn(R[j]) == 0 || mpz_sgn(P[l]) == 0;
                if (rz && pz)
                    continue;
                if (rz)
                    mpz_set_ui(t, 0);
                else
                    mpz_mul(t, p, R[l]);
                if (!pz)
                    mpz_submul(t, R[j], P[l]);
                if (unit)
                    mpz_swap(R[l], t);
                else
                    mpz_divexact(R[l], t, delta);
            }
            mpz_set_ui(R[j], 0);
        }
        mpz_set(delta, p);
        if (piv != NULL)
            piv[rank] = j;
        rank++;
    }
    mpz_clear(p);
    mpz_clear(t);
    return rank;
}

static void zmat_clear(zmat *W)
{
    zvec_clear(W->e, W->r * W->c);
}

/* R = reduced row echelon form (W / delta on the first rank rows), exactly. */
static void rref_from_ff(qmat_t R, const zmat *W, long rank, const mpz_t delta, long c0)
{
    for (long i = 0; i < R->r; i++)
        for (long l = 0; l < R->c; l++) {
            mpq_ptr q = qmat_entry(R, i, l);
            if (i >= rank || mpz_sgn(ZE(W, i, c0 + l)) == 0) {
                mpq_set_ui(q, 0, 1);
            } else {
                mpz_set(mpq_numref(q), ZE(W, i, c0 + l));
                mpz_set(mpq_denref(q), delta);
                mpq_canonicalize(q);
            }
        }
}

long qmat_rref(qmat_t R, long *pivots, const qmat_t A)
{
    if (!same_dims("qmat_rref", R, A))
        return -1;
    zmat W;
    zmat_from_rows(&W, A, A->c, NULL);
    mpz_t delta;
    mpz_init(delta);
    long swaps, rank = ffelim(&W, W.c, pivots, 1, delta, &swaps);
    rref_from_ff(R, &W, rank, delta, 0);
    mpz_clear(delta);
    zmat_clear(&W);
    return rank;
}

long qmat_rank(const qmat_t A)
{
    zmat W;
    zmat_from_rows(&W, A, A->c, NULL);
    mpz_t delta;
    mpz_init(delta);
    long swaps, rank = ffelim(&W, W.c, NULL, 0, delta, &swaps);
    mpz_clear(delta);
    zmat_clear(&W);
    return rank;
}

int qmat_solve(qmat_t X, const qmat_t A, const qmat_t B)
{
    long n = A->r, m = B->c;
    if (A->c != n || B->r != n || X->r != n || X->c != m) {
        ae_error("qmat_solve", "dimension mismatch: X %ld x %ld, A %ld x %ld, B %ld x %ld",
                 X->r, X->c, A->r, A->c, B->r, B->c);
        return AE_EINVAL;
    }
    /* [A | B] with each row scaled to integers as a whole. */
    qmat_t AB;
    qmat_init(AB, n, n + m);
    for (long i = 0; i < n; i++) {
        for (long j = 0; j < n; j++)
            mpq_set(qmat_entry(AB, i, j), qmat_entry(A, i, j));
        for (long j = 0; j < m; j++)
            mpq_set(qmat_entry(AB, i, n + j), qmat_entry(B, i, j));
    }
    zmat W;
    zmat_from_rows(&W, AB, n + m, NULL);
    qmat_clear(AB);
    mpz_t delta;
    mpz_init(delta);
    long swaps;
    int status = AE_OK;
    if (ffelim(&W, n, NULL, 1, delta, &swaps) < n)
        status = AE_SINGULAR;
    else
        rref_from_ff(X, &W, n, delta, n);
    mpz_clear(delta);
    zmat_clear(&W);
    return status;
}

int qmat_inv(qmat_t B, const qmat_t A)
{
    if (A->r != A->c) {
        ae_error("qmat_inv", "matrix is %ld x %ld, not square", A->r, A->c);
        return AE_EINVAL;
    }
    if (!same_dims("qmat_inv", B, A))
        return AE_EINVAL;
    qmat_t I;
    qmat_init(I, A->r, A->r);
    qmat_one(I);
    int status = qmat_solve(B, A, I);
    qmat_clear(I);
    return status;
}

void qmat_det(mpq_t d, const qmat_t A)
{
    if (A->r != A->c) {
        ae_error("qmat_det", "matrix is %ld x %ld, not square", A->r, A->c);
        return;
    }
    zmat W;
    mpz_t delta, rowden;
    mpz_init(delta);
    mpz_init(rowden);
    zmat_from_rows(&W, A, A->c, rowden);
    long swaps;
    if (ffelim(&W, W.c, NULL, 0, delta, &swaps) < A->r) {
        mpq_set_ui(d, 0, 1);
    } else {   /* det A = det W / prod(row scalings) */
        mpz_set(mpq_numref(d), delta);
        if (swaps % 2)
            mpz_neg(mpq_numref(d), mpq_numref(d));
        mpz_set(mpq_denref(d), rowden);
        mpq_canonicalize(d);
    }
    mpz_clear(rowden);
    mpz_clear(delta);
    zmat_clear(&W);
}

long qmat_nullspace(qmat_t N, const qmat_t A)
{
    long r = A->r, c = A->c;
    qmat_t R;
    qmat_init(R, r, c);
    long *piv = ae_malloc((size_t)(c > 0 ? c : 1) * sizeof(long));
    long rank = qmat_rref(R, piv, A);
    /* Only now may N (possibly == A) be overwritten. */
    long nullity = c - rank;
    qmat_resize(N, c, nullity);
    long t = 0, p = 0;
    for (long f = 0; f < c; f++) {
        if (p < rank && piv[p] == f) {
            p++;
            continue;
        }
        /* Free column f: x_f = 1, x_{piv[i]} = -R[i][f], other free variables 0. */
        mpq_set_ui(qmat_entry(N, f, t), 1, 1);
        for (long i = 0; i < rank; i++)
            mpq_neg(qmat_entry(N, piv[i], t), qmat_entry(R, i, f));
        t++;
    }
    free(piv);
    qmat_clear(R);
    return nullity;
}

/* Congruence by a permutation: swaps rows a, b and columns a, b. */
static void sym_swap(zmat *S, long a, long b)
{
    if (a == b)
        return;
    for (long k = 0; k < S->c; k++)
        mpz_swap(ZE(S, a, k), ZE(S, b, k));
    for (long k = 0; k < S->r; k++)
        mpz_swap(ZE(S, k, a), ZE(S, k, b));
}

/* Symmetric block LDL^T, fraction-free.  Invariant: the Schur complement of the
 * eliminated leading block P (after symmetric permutations) is W[active] / delta with
 * delta = det of that block of the integer matrix, so every W entry is a minor and every
 * division below is exact.  A 1x1 pivot w = W_kk != 0 has true value w / delta; when the
 * whole active diagonal is zero a 2x2 pivot [[0, b], [b, 0]] (eigenvalues +-b / delta:
 * one positive, one negative) is used instead.  Inertia is additive over a block and
 * its Schur complement (Haynsworth), and A = Z / L with L > 0 has the inertia of Z. */
void qmat_inertia(long *npos, long *nneg, long *nzero, const qmat_t A)
{
    long n = A->r;
    *npos = *nneg = *nzero = -1;
    if (A->c != n) {
        ae_error("qmat_inertia", "matrix is %ld x %ld, not square", A->r, A->c);
        return;
    }
    for (long i = 0; i < n; i++)
        for (long j = i + 1; j < n; j++)
            if (!mpq_equal(qmat_entry(A, i, j), qmat_entry(A, j, i))) {
                ae_error("qmat_inertia", "matrix is not symmetric at (%ld, %ld)", i, j);
                return;
            }
    long pos = 0, neg = 0, zero = 0;
    zmat W = {zvec_init(n * n), n, n};
    mpz_t delta, d2, t, u;
    mpz_inits(delta, d2, t, u, (mpz_ptr)NULL);
    common_denominator(W.e, t, (const mpq_t *)A->entries, 1, n * n);
    mpz_set_ui(delta, 1);
    long k = 0;
    while (k < n) {
        long best = smallest_nonzero(&ZE(&W, 0, 0), n + 1, k, n);
        if (best >= 0) {
            sym_swap(&W, k, best);
            const mpz_t *Pk = (const mpz_t *)&ZE(&W, k, 0), *w = &Pk[k];
            if (mpz_sgn(*w) * mpz_sgn(delta) > 0)
                pos++;
            else
                neg++;
            for (long i = k + 1; i < n; i++)
                for (long j = i; j < n; j++) {
                    mpz_mul(t, *w, ZE(&W, i, j));
                    mpz_submul(t, Pk[i], Pk[j]);
                    mpz_divexact(ZE(&W, i, j), t, delta);
                }
            mpz_set(delta, *w);
            k += 1;
        } else {
            long bi = -1, bj = -1;
            for (long i = k; i < n; i++) {
                long j = smallest_nonzero(&ZE(&W, i, 0), 1, i + 1, n);
                if (j >= 0 && (bi < 0 || mpz_cmpabs(ZE(&W, i, j), ZE(&W, bi, bj)) < 0)) {
                    bi = i;
                    bj = j;
                }
            }
            if (bi < 0) {   /* the active block is zero */
                zero += n - k;
                break;
            }
            sym_swap(&W, k, bi);      /* bj > bi >= k, so bj is not moved */
            sym_swap(&W, k + 1, bj);
            pos++;
            neg++;
            const mpz_t *Pa = (const mpz_t *)&ZE(&W, k, 0), *Pc = (const mpz_t *)&ZE(&W, k + 1, 0);
            const mpz_t *b = &Pa[k + 1];
            /* W'_lm = -b (b W_lm - a_l c_m - c_l a_m) / delta^2, delta' = -b^2 / delta */
            mpz_mul(d2, delta, delta);
            for (long l = k + 2; l < n; l++)
                for (long m = l; m < n; m++) {
                    mpz_mul(t, *b, ZE(&W, l, m));
                    mpz_submul(t, Pa[l], Pc[m]);
                    mpz_submul(t, Pc[l], Pa[m]);
                    mpz_mul(t, t, *b);
                    mpz_neg(t, t);
                    mpz_divexact(ZE(&W, l, m), t, d2);
                }
            mpz_mul(u, *b, *b);
            mpz_neg(u, u);
            mpz_divexact(delta, u, delta);
            k += 2;
        }
        /* Only the upper triangle was updated; sym_swap and the pivot rows read full
         * rows, so restore symmetry of the active block. */
        for (long i = k; i < n; i++)
            for (long j = i + 1; j < n; j++)
                mpz_set(ZE(&W, j, i), ZE(&W, i, j));
    }
    mpz_clears(delta, d2, t, u, (mpz_ptr)NULL);
    zmat_clear(&W);
    *npos = pos;
    *nneg = neg;
    *nzero = zero;
}

/* ---- integers with a common denominator -------------------------------------- */

void qmat_get_mpz_common(mpz_t *Z, mpz_t den, const qmat_t A)
{
    common_denominator(Z, den, (const mpq_t *)A->entries, 1, A->r * A->c);
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
