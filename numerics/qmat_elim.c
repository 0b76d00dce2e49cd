/* qmat_elim — exact elimination for qmat (see qmat.h): rref, rank, solve, inv, det,
 * nullspace, inertia.  Fraction-free on integer-scaled copies, for the reason given in
 * qmat.c: one gcd per output entry instead of one per operation.
 */
#include "qmat.h"

#include <stdlib.h>

#include "aeerr.h"
#include "qmat_internal.h"
#include "zvec.h"

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
        qvec_common_den(&ZE(W, i, 0), L, (const mpq_t *)qmat_row(A, i), 1, A->c);
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
    if (!_qmat_same_dims("qmat_rref", R, A))
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
    if (!_qmat_same_dims("qmat_inv", B, A))
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
    qvec_common_den(W.e, t, (const mpq_t *)A->entries, 1, n * n);
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
