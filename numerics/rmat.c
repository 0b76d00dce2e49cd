/* rmat — see rmat.h. */
#include "rmat.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aeerr.h"

/* ---- memory and basic setting ------------------------------------------------ */

void rmat_init(rmat_t A, long r, long c, mpfr_prec_t prec)
{
    if (r < 0 || c < 0 || prec < MPFR_PREC_MIN || prec > MPFR_PREC_MAX) {
        A->entries = NULL;
        A->r = A->c = 0;
        A->prec = MPFR_PREC_MIN;
        ae_error("rmat_init", "bad dimensions %ld x %ld or precision %ld", r, c, (long) prec);
        return;
    }
    A->r = r;
    A->c = c;
    A->prec = prec;
    A->entries = ae_malloc((size_t) (r * c) * sizeof(mpfr_t));
    for (long k = 0; k < r * c; k++) {
        mpfr_init2(A->entries[k], prec);
        mpfr_set_zero(A->entries[k], 1);
    }
}

void rmat_clear(rmat_t A)
{
    for (long k = 0; k < A->r * A->c; k++)
        mpfr_clear(A->entries[k]);
    free(A->entries);
    A->entries = NULL;
    A->r = A->c = 0;
}

void rmat_resize(rmat_t A, long r, long c, mpfr_prec_t prec)
{
    rmat_clear(A);
    rmat_init(A, r, c, prec);
}

void rmat_swap(rmat_t A, rmat_t B)
{
    rmat_struct t = *A;
    *A = *B;
    *B = t;
}

static int same_dims(const char *func, const rmat_t A, long r, long c)
{
    if (A->r != r || A->c != c) {
        ae_error(func, "dimension mismatch: %ld x %ld, expected %ld x %ld", A->r, A->c, r, c);
        return 0;
    }
    return 1;
}

int rmat_set(rmat_t B, const rmat_t A, mpfr_rnd_t rnd)
{
    if (!same_dims("rmat_set", B, A->r, A->c))
        return AE_EINVAL;
    if (B == A)
        return AE_OK;
    for (long k = 0; k < A->r * A->c; k++)
        mpfr_set(B->entries[k], A->entries[k], rnd);
    return AE_OK;
}

void rmat_zero(rmat_t A)
{
    for (long k = 0; k < A->r * A->c; k++)
        mpfr_set_zero(A->entries[k], 1);
}

void rmat_one(rmat_t A)
{
    rmat_zero(A);
    for (long i = 0; i < A->r && i < A->c; i++)
        mpfr_set_ui(rmat_entry(A, i, i), 1, MPFR_RNDN);
}

int rmat_equal(const rmat_t A, const rmat_t B)
{
    if (A->r != B->r || A->c != B->c)
        return 0;
    for (long k = 0; k < A->r * A->c; k++)
        if (!mpfr_equal_p(A->entries[k], B->entries[k]))
            return 0;
    return 1;
}

int rmat_is_symmetric(const rmat_t A)
{
    if (A->r != A->c)
        return 0;
    for (long i = 0; i < A->r; i++)
        for (long j = 0; j <= i; j++)
            if (!mpfr_equal_p(rmat_entry(A, i, j), rmat_entry(A, j, i)))
                return 0;
    return 1;
}

int rmat_is_finite(const rmat_t A)
{
    for (long k = 0; k < A->r * A->c; k++)
        if (!mpfr_number_p(A->entries[k]))
            return 0;
    return 1;
}

/* ---- conversions ------------------------------------------------------------- */

int rmat_set_qmat(rmat_t A, const qmat_t Q, mpfr_rnd_t rnd)
{
    if (!same_dims("rmat_set_qmat", A, Q->r, Q->c))
        return AE_EINVAL;
    for (long k = 0; k < A->r * A->c; k++)
        mpfr_set_q(A->entries[k], Q->entries[k], rnd);
    return AE_OK;
}

int rmat_get_qmat(qmat_t Q, const rmat_t A)
{
    if (Q->r != A->r || Q->c != A->c) {
        ae_error("rmat_get_qmat", "dimension mismatch: %ld x %ld vs %ld x %ld",
                 Q->r, Q->c, A->r, A->c);
        return AE_EINVAL;
    }
    if (!rmat_is_finite(A)) {
        ae_error("rmat_get_qmat", "entry is NaN or infinite");
        return AE_EINVAL;
    }
    /* mpfr_get_q is exact and returns a canonical fraction. */
    for (long k = 0; k < A->r * A->c; k++)
        mpfr_get_q(Q->entries[k], A->entries[k]);
    return AE_OK;
}

int rmat_set_d(rmat_t A, const double *v, mpfr_rnd_t rnd)
{
    for (long k = 0; k < A->r * A->c; k++)
        if (!isfinite(v[k])) {
            ae_error("rmat_set_d", "entry %ld is NaN or infinite", k);
            return AE_EINVAL;
        }
    for (long k = 0; k < A->r * A->c; k++)
        mpfr_set_d(A->entries[k], v[k], rnd);
    return AE_OK;
}

void rmat_get_d(double *v, const rmat_t A, mpfr_rnd_t rnd)
{
    for (long k = 0; k < A->r * A->c; k++)
        v[k] = mpfr_get_d(A->entries[k], rnd);
}

/* ---- arithmetic -------------------------------------------------------------- */

int rmat_add(rmat_t C, const rmat_t A, const rmat_t B, mpfr_rnd_t rnd)
{
    if (!same_dims("rmat_add", B, A->r, A->c) || !same_dims("rmat_add", C, A->r, A->c))
        return AE_EINVAL;
    for (long k = 0; k < A->r * A->c; k++)
        mpfr_add(C->entries[k], A->entries[k], B->entries[k], rnd);
    return AE_OK;
}

int rmat_sub(rmat_t C, const rmat_t A, const rmat_t B, mpfr_rnd_t rnd)
{
    if (!same_dims("rmat_sub", B, A->r, A->c) || !same_dims("rmat_sub", C, A->r, A->c))
        return AE_EINVAL;
    for (long k = 0; k < A->r * A->c; k++)
        mpfr_sub(C->entries[k], A->entries[k], B->entries[k], rnd);
    return AE_OK;
}

/* A correctly rounded dot product without allocation per call: the n products are formed
 * exactly in caller-provided temporaries of precision prec(x) + prec(y) and summed by
 * mpfr_sum, which rounds the exact sum once.  (mpfr_dot would do the same but allocates
 * its temporaries on every call.) */
typedef struct {
    long n;
    mpfr_t *prod;
    mpfr_ptr *ptr;
} dot_ws;

static void dot_ws_init(dot_ws *w, long n, mpfr_prec_t prec)
{
    w->n = n;
    w->prod = ae_malloc((size_t) n * sizeof(mpfr_t));
    w->ptr = ae_malloc((size_t) n * sizeof(mpfr_ptr));
    for (long k = 0; k < n; k++) {
        mpfr_init2(w->prod[k], prec);
        w->ptr[k] = w->prod[k];
    }
}

static void dot_ws_clear(dot_ws *w)
{
    for (long k = 0; k < w->n; k++)
        mpfr_clear(w->prod[k]);
    free(w->prod);
    free(w->ptr);
}

/* r = sum_k x[k*xs] y[k*ys], rounded once. */
static void dot_strided(mpfr_ptr r, dot_ws *w, const mpfr_t *x, long xs, const mpfr_t *y,
                        long ys, mpfr_rnd_t rnd)
{
    for (long k = 0; k < w->n; k++)
        mpfr_mul(w->prod[k], x[k * xs], y[k * ys], MPFR_RNDN);   /* exact */
    mpfr_sum(r, w->ptr, (unsigned long) w->n, rnd);
}

int rmat_mul(rmat_t C, const rmat_t A, const rmat_t B, mpfr_rnd_t rnd)
{
    if (A->c != B->r) {
        ae_error("rmat_mul", "inner dimensions differ: %ld x %ld times %ld x %ld",
                 A->r, A->c, B->r, B->c);
        return AE_EINVAL;
    }
    if (!same_dims("rmat_mul", C, A->r, B->c))
        return AE_EINVAL;
    rmat_t T;
    int alias = (C == A || C == B);
    rmat_struct *out = C;
    if (alias) {
        rmat_init(T, C->r, C->c, C->prec);
        out = T;
    }
    dot_ws w;
    dot_ws_init(&w, A->c, A->prec + B->prec);
    for (long i = 0; i < A->r; i++)
        for (long j = 0; j < B->c; j++)
            dot_strided(rmat_entry(out, i, j), &w, &rmat_entry(A, i, 0), 1,
                        B->entries + j, B->c, rnd);
    dot_ws_clear(&w);
    if (alias) {
        rmat_swap(C, T);
        rmat_clear(T);
    }
    return AE_OK;
}

int rmat_transpose(rmat_t B, const rmat_t A, mpfr_rnd_t rnd)
{
    if (!same_dims("rmat_transpose", B, A->c, A->r))
        return AE_EINVAL;
    if (B == A) {
        for (long i = 0; i < A->r; i++)
            for (long j = 0; j < i; j++)
                mpfr_swap(rmat_entry(B, i, j), rmat_entry(B, j, i));
        return AE_OK;
    }
    for (long i = 0; i < A->r; i++)
        for (long j = 0; j < A->c; j++)
            mpfr_set(rmat_entry(B, j, i), rmat_entry(A, i, j), rnd);
    return AE_OK;
}

int rmat_gram(rmat_t G, const rmat_t A, mpfr_rnd_t rnd)
{
    if (!same_dims("rmat_gram", G, A->c, A->c))
        return AE_EINVAL;
    rmat_t T;
    int alias = (G == A);
    rmat_struct *out = G;
    if (alias) {
        rmat_init(T, G->r, G->c, G->prec);
        out = T;
    }
    dot_ws w;
    dot_ws_init(&w, A->r, 2 * A->prec);
    for (long i = 0; i < A->c; i++)
        for (long j = 0; j <= i; j++) {
            dot_strided(rmat_entry(out, i, j), &w, A->entries + i, A->c, A->entries + j,
                        A->c, rnd);
            if (j != i)
                mpfr_set(rmat_entry(out, j, i), rmat_entry(out, i, j), MPFR_RNDN);
        }
    dot_ws_clear(&w);
    if (alias) {
        rmat_swap(G, T);
        rmat_clear(T);
    }
    return AE_OK;
}

int rmat_frobenius(mpfr_t f, const rmat_t A, mpfr_rnd_t rnd)
{
    long n = A->r * A->c;
    if (!rmat_is_finite(A)) {
        ae_error("rmat_frobenius", "entry is NaN or infinite");
        return AE_EINVAL;
    }
    dot_ws w;
    dot_ws_init(&w, n, 2 * A->prec);
    dot_strided(f, &w, A->entries, 1, A->entries, 1, rnd);
    dot_ws_clear(&w);
    mpfr_sqrt(f, f, rnd);
    return AE_OK;
}

/* ---- Householder QR ---------------------------------------------------------- */

/* Reflector for x = R[k..m-1, k]: H = I - beta v v^T with H x = alpha e_1.  v is stored in
 * V[k..m-1] of column k; returns 0 when x is already zero below and on the diagonal
 * (H = I, nothing to apply). */
static int householder(mpfr_t *v, mpfr_t beta, rmat_t R, long k, mpfr_t s)
{
    long m = R->r;
    /* s = ||x||^2 via fma at working precision; sign of alpha opposite to x_0 so that
     * v_0 = x_0 - alpha suffers no cancellation. */
    mpfr_set_zero(s, 1);
    for (long i = k; i < m; i++) {
        mpfr_set(v[i], rmat_entry(R, i, k), MPFR_RNDN);
        mpfr_fma(s, v[i], v[i], s, MPFR_RNDN);
    }
    if (mpfr_zero_p(s))
        return 0;
    mpfr_sqrt(s, s, MPFR_RNDN);                 /* s = ||x|| */
    if (mpfr_sgn(v[k]) < 0)
        mpfr_neg(s, s, MPFR_RNDN);              /* s = -alpha */
    /* v_0 = x_0 + s (same signs); v^T v = 2 s v_0, so beta = 1 / (s v_0). */
    mpfr_add(v[k], v[k], s, MPFR_RNDN);
    mpfr_mul(beta, s, v[k], MPFR_RNDN);
    mpfr_ui_div(beta, 1, beta, MPFR_RNDN);
    mpfr_neg(s, s, MPFR_RNDN);                  /* s = alpha */
    return 1;
}

int rmat_qr(rmat_t Q, rmat_t R, const rmat_t A)
{
    long m = A->r, n = A->c;
    if (!same_dims("rmat_qr", Q, m, m) || !same_dims("rmat_qr", R, m, n))
        return AE_EINVAL;
    if (Q->prec != R->prec) {
        ae_error("rmat_qr", "Q and R precisions differ (%ld vs %ld)", (long) Q->prec,
                 (long) R->prec);
        return AE_EINVAL;
    }
    if (Q == A || Q == R) {
        ae_error("rmat_qr", "Q must not alias A or R");
        return AE_EINVAL;
    }
    if (!rmat_is_finite(A)) {
        ae_error("rmat_qr", "entry is NaN or infinite");
        return AE_EINVAL;
    }
    mpfr_prec_t w = Q->prec;
    long K = m - 1 < n ? m - 1 : n;             /* number of reflectors */
    if (K < 0)
        K = 0;
    rmat_set(R, A, MPFR_RNDN);
    rmat_t V;                                   /* column k holds reflector k */
    rmat_init(V, m, K > 0 ? K : 0, w);
    mpfr_t *beta = ae_malloc((size_t) (K > 0 ? K : 1) * sizeof(mpfr_t));
    char *used = ae_calloc((size_t) (K > 0 ? K : 1), 1);
    mpfr_t *v = ae_malloc((size_t) (m > 0 ? m : 1) * sizeof(mpfr_t));
    mpfr_t s, t;
    mpfr_inits2(w, s, t, (mpfr_ptr) 0);
    for (long i = 0; i < m; i++)
        mpfr_init2(v[i], w);
    for (long k = 0; k < K; k++) {
        mpfr_init2(beta[k], w);
        used[k] = (char) householder(v, beta[k], R, k, s);
        if (!used[k])
            continue;
        for (long i = k; i < m; i++)
            mpfr_set(rmat_entry(V, i, k), v[i], MPFR_RNDN);
        /* Column k becomes alpha e_1 by construction; the other columns get H applied. */
        mpfr_set(rmat_entry(R, k, k), s, MPFR_RNDN);
        for (long i = k + 1; i < m; i++)
            mpfr_set_zero(rmat_entry(R, i, k), 1);
        for (long j = k + 1; j < n; j++) {
            mpfr_set_zero(t, 1);
            for (long i = k; i < m; i++)
                mpfr_fma(t, v[i], rmat_entry(R, i, j), t, MPFR_RNDN);
            mpfr_mul(t, t, beta[k], MPFR_RNDN);
            mpfr_neg(t, t, MPFR_RNDN);
            for (long i = k; i < m; i++)
                mpfr_fma(rmat_entry(R, i, j), t, v[i], rmat_entry(R, i, j), MPFR_RNDN);
        }
    }
    for (long i = 0; i < m; i++)
        for (long j = 0; j < i && j < n; j++)
            mpfr_set_zero(rmat_entry(R, i, j), 1);
    /* Q = H_0 H_1 ... H_{K-1}, accumulated backwards so each H_k touches rows k.. only. */
    rmat_one(Q);
    for (long k = K - 1; k >= 0; k--) {
        if (!used[k])
            continue;
        for (long j = k; j < m; j++) {
            mpfr_set_zero(t, 1);
            for (long i = k; i < m; i++)
                mpfr_fma(t, rmat_entry(V, i, k), rmat_entry(Q, i, j), t, MPFR_RNDN);
            mpfr_mul(t, t, beta[k], MPFR_RNDN);
            mpfr_neg(t, t, MPFR_RNDN);
            for (long i = k; i < m; i++)
                mpfr_fma(rmat_entry(Q, i, j), t, rmat_entry(V, i, k), rmat_entry(Q, i, j),
                         MPFR_RNDN);
        }
    }
    for (long k = 0; k < K; k++)
        mpfr_clear(beta[k]);
    for (long i = 0; i < m; i++)
        mpfr_clear(v[i]);
    mpfr_clears(s, t, (mpfr_ptr) 0);
    free(beta);
    free(used);
    free(v);
    rmat_clear(V);
    return AE_OK;
}
