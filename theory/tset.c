/* tset — see tset.h.
 *
 * Rounding model (the derivations below rely on it): IEEE binary64, round to nearest,
 * gradual underflow (no flush-to-zero), no fast-math.  u = 2^-53, eta = 2^-1074 (the least
 * subnormal).  For one rounded operation with exact result z and double result r:
 *   (R1) r + or - (add/sub): |r - z| <= u |r|, and r = z exactly when r is subnormal;
 *   (R2) any operation: |r - z| <= u |r| + eta/2 (half the spacing of the binade of z,
 *        which is <= u |r| for a normal r, and eta/2 below 2^-1022);
 *   (R3) always dn(r) <= z <= up(r), up/dn = nextafter towards +-inf (z lies within half
 *        an ulp of r, so it cannot pass the neighbouring double).  up(inf) = inf.
 * Every bound is computed with (R3) after each operation on the bound itself, or as one
 * sum of nonnegative terms closed by sum_close() below.  A sum of m terms computed in any
 * order (BLAS, with or without FMA) satisfies Higham's bound (3.4)-(3.5):
 *   |fl(sum_k w_k x_k) - sum_k w_k x_k| <= gamma_m sum_k |w_k x_k| + m eta,
 * gamma_m = m u / (1 - m u), the m eta covering the underflow of the products (R2).
 */
#include "tset.h"

#include <assert.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aeerr.h"
#include "pgemm.h"
#include "qnum.h"

#define U_RND 0x1p-53
#define ETA 0x1p-1074
/* A normal number used where a bound only needs some term >= eta: subnormal operands slow
 * the dgemm of the bounds down ~20x (pixels 0 have error bounds 0 + eta otherwise). */
#define TINY 0x1p-900
#define BLOCK 64   /* rows per forward-pass block (two dgemm per layer and block) */

/* nextafter(x, +inf) and nextafter(x, -inf), inline (the hot loops call them ~10^8 times):
 * on the IEEE bit pattern, a step of one unit in the last place away from or towards 0. */
static inline double up(double x)
{
    if (!(x < INFINITY))
        return x;                    /* +inf, NaN */
    if (x == 0)
        return ETA;
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    b = x > 0 ? b + 1 : b - 1;       /* -inf - 1 ulp is -DBL_MAX */
    memcpy(&x, &b, sizeof b);
    return x;
}

static inline double dn(double x) { return -up(-x); }

/* >= gamma_m = m u / (1 - m u): m u and 1 - m u are exact for m < 2^53. */
static double gamma_up(long m)
{
    if (m >= (1L << 50))
        return INFINITY;
    double mu = ldexp((double) m, -53);
    return up(mu / (1 - mu));
}

/* An upper bound of an exact value S >= 0 from s, its value computed in round to nearest
 * as a sum (any order) of nt nonnegative terms each of which passed through at most k
 * rounded operations (its own, the sum's included) and one possibly underflowing product:
 * s >= (1 - u)^k S - nt eta >= (1 - k u) S - nt eta, so S <= (s + nt eta) / (1 - k u). */
static double sum_close(double s, long nt, long k)
{
    if (k >= (1L << 50) || nt >= (1L << 50))
        return INFINITY;
    double den = 1 - ldexp((double) k, -53);             /* exact */
    return up(up(s + (double) nt * ETA) / den);          /* nt eta exact (a subnormal multiple) */
}

/* An upper bound (a double, possibly +inf) of the rational q >= 0. */
static double q_up(const mpq_t q)
{
    if (mpq_sgn(q) == 0)
        return 0;
    long bn = (long) mpz_sizeinbase(mpq_numref(q), 2), bd = (long) mpz_sizeinbase(mpq_denref(q), 2);
    /* 2^(bn - bd - 1) < q < 2^(bn - bd + 1) */
    if (bn - bd >= 1022)
        return INFINITY;
    if (bn - bd + 1 <= -1074)
        return ETA;
    double d = mpq_get_d(q);         /* truncates: d <= q */
    mpq_t t;
    mpq_init(t);
    mpq_set_d(t, d);
    if (mpq_cmp(t, q) < 0)
        d = up(d);
    mpq_clear(t);
    return d;
}

/* ---- the scaling in double ------------------------------------------------------ */

/* Per feature j: kind 0 (no scaling, x' = x exactly), 1 (hi == lo, x' = x - lo), 2 (x' =
 * (x - lo) / w, w = hi - lo > 0).  The double result is q = fl(fl(x - lod) * inv) (kind
 * 2) or t = fl(x - lod) (kind 1).  With t = x - lod computed, T = x - lo exact:
 *   |t - T| <= u|t| + dlo                                   (R1; dlo >= |lo - lod|)
 *   |q - t inv| <= u|q| + eta                               (R2)
 *   |t inv - T / w| <= |t| |inv - 1/w| + |t - T| / w
 * so |q - x'| <= u|q| + eta + |t| (dinv + u invw) + dlo invw  with dinv >= |inv - 1/w|,
 * invw >= 1/w: A = dinv + u invw, B = dlo invw + eta (rounded up) are per feature. */
typedef struct {
    long d;
    int *kind;
    double *lod, *dlo, *inv, *A, *B;
} scaler;

/* AE_OK or AE_ENOMEM (P then safe for scaler_clear). */
static int scaler_init(scaler *P, const qnet_t f)
{
    long d = qnet_din(f);
    P->d = d;
    P->kind = ae_calloc((size_t) d, sizeof(int));
    P->lod = ae_calloc((size_t) d, sizeof(double));
    P->dlo = ae_calloc((size_t) d, sizeof(double));
    P->inv = ae_calloc((size_t) d, sizeof(double));
    P->A = ae_calloc((size_t) d, sizeof(double));
    P->B = ae_calloc((size_t) d, sizeof(double));
    if (!P->kind || !P->lod || !P->dlo || !P->inv || !P->A || !P->B)
        return AE_ENOMEM;
    if (f->nscale == 0)
        return AE_OK;
    mpq_t w, t, iw;
    mpq_inits(w, t, iw, (mpq_ptr) NULL);
    for (long j = 0; j < d; j++) {
        P->lod[j] = mpq_get_d(f->scale_lo[j]);
        if (!isfinite(P->lod[j]))
            P->lod[j] = 0;
        mpq_set_d(t, P->lod[j]);
        mpq_sub(t, f->scale_lo[j], t);
        mpq_abs(t, t);
        P->dlo[j] = q_up(t);
        mpq_sub(w, f->scale_hi[j], f->scale_lo[j]);
        if (mpq_sgn(w) == 0) {
            P->kind[j] = 1;
            continue;
        }
        P->kind[j] = 2;
        mpq_inv(iw, w);
        mpq_abs(iw, iw);          /* hi < lo would be a strange scaling: keep it exact */
        P->inv[j] = mpq_get_d(iw);
        if (!isfinite(P->inv[j]))
            P->inv[j] = 0;
        if (mpq_sgn(w) < 0)
            P->inv[j] = -P->inv[j];
        mpq_inv(iw, w);
        mpq_set_d(t, P->inv[j]);
        mpq_sub(t, t, iw);
        mpq_abs(t, t);
        double dinv = q_up(t);
        mpq_abs(iw, iw);
        double invw = q_up(iw);
        P->A[j] = up(dinv + up(invw * U_RND));
        P->B[j] = up(up(P->dlo[j] * invw) + TINY);   /* TINY >= eta: see TINY */
    }
    mpq_clears(w, t, iw, (mpq_ptr) NULL);
    return AE_OK;
}

static void scaler_clear(scaler *P)
{
    free(P->kind);
    free(P->lod);
    free(P->dlo);
    free(P->inv);
    free(P->A);
    free(P->B);
}

/* xs, es (nb x d) = the scaled rows i0..i0+nb-1 of X and their error bounds. */
static void scale_rows(double *xs, double *es, const scaler *P, const double *X, long i0, long nb)
{
    long d = P->d;
    for (long i = 0; i < nb; i++) {
        const double *x = X + (i0 + i) * d;
        double *o = xs + i * d, *e = es + i * d;
        for (long j = 0; j < d; j++) {
            if (P->kind[j] == 0) {
                o[j] = x[j];
                e[j] = 0;
            } else if (P->kind[j] == 1) {
                double t = x[j] - P->lod[j];
                o[j] = t;
                e[j] = up(up(fabs(t) * U_RND) + P->dlo[j]);
            } else {
                double t = x[j] - P->lod[j], q = t * P->inv[j];
                o[j] = q;
                e[j] = up(up(up(fabs(q) * U_RND) + up(fabs(t) * P->A[j])) + P->B[j]);
            }
            if (!isfinite(o[j]) || isnan(e[j]))
                e[j] = INFINITY;
        }
    }
}

/* ---- the network in double -------------------------------------------------------- */

typedef struct {
    long L, wmax;
    const long *sizes;
    const int *act;
    double **W, **aW, **b;   /* weights, |weights|, biases (NULL: none) */
    double *slope, *lip;     /* leaky slope, max(1, |slope|) */
    double *g;               /* >= gamma_{n+1}, n = fan-in */
    double *neta, *iden;     /* n eta and >= 1 / (1 - (n + 3) u): sum_close, inlined */
    double **c;              /* per output unit: up(g |b_j|) + n eta, rounded up */
} dnet;

/* AE_OK, AE_ENOMEM or AE_ERANGE (a weight that is not a double); N is then safe for
 * dnet_clear. */
static int dnet_init(dnet *N, const qnet_t f)
{
    long L = f->L;
    N->L = L;
    N->sizes = f->sizes;
    N->act = f->act;
    N->wmax = 1;
    for (long l = 0; l <= L; l++)
        if (f->sizes[l] > N->wmax)
            N->wmax = f->sizes[l];
    N->W = ae_calloc((size_t) L, sizeof(double *));
    N->aW = ae_calloc((size_t) L, sizeof(double *));
    N->b = ae_calloc((size_t) L, sizeof(double *));
    N->c = ae_calloc((size_t) L, sizeof(double *));
    N->slope = ae_calloc((size_t) L, sizeof(double));
    N->lip = ae_calloc((size_t) L, sizeof(double));
    N->g = ae_calloc((size_t) L, sizeof(double));
    N->neta = ae_calloc((size_t) L, sizeof(double));
    N->iden = ae_calloc((size_t) L, sizeof(double));
    if (!N->W || !N->aW || !N->b || !N->c || !N->slope || !N->lip || !N->g || !N->neta
        || !N->iden) {
        N->L = 0;   /* dnet_clear must not walk the per-layer arrays */
        return AE_ENOMEM;
    }
    for (long l = 0; l < L; l++) {
        long nin = f->sizes[l], nout = f->sizes[l + 1], nw = nin * nout;
        N->W[l] = ae_malloc((size_t) nw * sizeof(double));
        N->aW[l] = ae_malloc((size_t) nw * sizeof(double));
        N->c[l] = ae_malloc((size_t) nout * sizeof(double));
        if (f->b[l])
            N->b[l] = ae_malloc((size_t) nout * sizeof(double));
        if (!N->W[l] || !N->aW[l] || !N->c[l] || (f->b[l] && !N->b[l]))
            return AE_ENOMEM;
        int st = qnet_layer_double(N->W[l], N->b[l], &N->slope[l], f, l);
        if (st != AE_OK)
            return st;
        for (long i = 0; i < nw; i++)
            N->aW[l][i] = fabs(N->W[l][i]);
        N->g[l] = gamma_up(nin + 1);
        N->neta[l] = (double) nin * ETA;                      /* exact */
        N->iden[l] = nin + 3 < (1L << 50) ? up(1 / (1 - ldexp((double) (nin + 3), -53)))
                                          : INFINITY;
        for (long j = 0; j < nout; j++) {
            double gb = N->b[l] ? up(N->g[l] * fabs(N->b[l][j])) : 0;
            N->c[l][j] = up(gb + (double) nin * ETA);
        }
        if (f->act[l] == QNET_LEAKY)
            N->lip[l] = fabs(N->slope[l]) > 1 ? fabs(N->slope[l]) : 1;
    }
    return AE_OK;
}

static void dnet_clear(dnet *N)
{
    for (long l = 0; l < N->L; l++) {
        free(N->W[l]);
        free(N->aW[l]);
        free(N->b[l]);
        free(N->c[l]);
    }
    free(N->W);
    free(N->aW);
    free(N->b);
    free(N->c);
    free(N->slope);
    free(N->lip);
    free(N->g);
    free(N->neta);
    free(N->iden);
}

/* One layer on nb rows: a (nb x nin) with error bounds e (|a - a_exact| <= e) gives
 * ao, eo (nb x nout).  v is nb x nin work space.
 *   y^ = fl(W a + b):   |y^ - (W a + b)| <= g (|W||a| + |b|) + n eta       (Higham, any order)
 *   |y^ - y_exact| <= |W| e + g |W||a| + g|b| + n eta = |W| v + c,   v = e + g |a|.
 * v^ = fl(fl(e + fl(g|a|)) + TINY) >= v (1 - u)^3: fl(g|a|) >= g|a| (1 - u) - eta/2 (R2),
 * the sums of nonnegative terms lose a factor (1 - u) each, and the added TINY >= eta
 * covers the eta/2 (so no absolute term remains, which |W| could amplify).  r = fl(|W| v^) is a sum of
 * n nonnegative products, each through <= n rounded operations: r >= (1 - u)^(n+3) |W| v
 * - n eta/2, so |W| v <= (r + n eta) / (1 - (n + 3) u) (sum_close with k = n + 3; the
 * division is a multiplication by iden >= 1/(1 - (n + 3) u), rounded up).
 * The bound assumes no overflow: an infinite or NaN y^ gets an infinite bound.
 * Activations: identity, relu, hardtanh are 1-Lipschitz and exact in double; leaky relu is
 * max(1, |s|)-Lipschitz and computes fl(s y^) for y^ <= 0, |fl(s y^) - s y^| <= u|fl(s y^)|
 * + eta/2 (R2). */
static void layer(double *ao, double *eo, double *v, const dnet *N, long l, const double *a,
                  const double *e, long nb)
{
    long nin = N->sizes[l], nout = N->sizes[l + 1];
    double g = N->g[l];
    for (long k = 0; k < nb * nin; k++)
        v[k] = (e[k] + g * fabs(a[k])) + TINY;
    for (long i = 0; i < nb; i++)
        for (long j = 0; j < nout; j++)
            ao[i * nout + j] = N->b[l] ? N->b[l][j] : 0;
    /* pgemm's fixed order (the bias added last) is one of the orders the bound covers. */
    pgemm_d(0, 1, nb, nout, nin, 1.0, a, nin, N->W[l], nin, 1.0, ao, nout);
    pgemm_d(0, 1, nb, nout, nin, 1.0, v, nin, N->aW[l], nin, 0.0, eo, nout);
    int act = N->act[l];
    for (long i = 0; i < nb; i++)
        for (long j = 0; j < nout; j++) {
            long k = i * nout + j;
            double y = ao[k], ey = up(up(up(eo[k] + N->neta[l]) * N->iden[l]) + N->c[l][j]);
            if (!isfinite(y) || isnan(ey))
                ey = INFINITY;       /* relu would hide a NaN or an overflow: no information */
            switch (act) {
            case QNET_RELU:
                y = y > 0 ? y : 0;
                break;
            case QNET_HARDTANH:
                y = y > 1 ? 1 : (y < -1 ? -1 : y);
                break;
            case QNET_LEAKY:
                if (!(y > 0)) {
                    y = N->slope[l] * y;
                    ey = up(up(N->lip[l] * ey) + up(up(fabs(y) * U_RND) + ETA));
                } else {
                    ey = up(N->lip[l] * ey);
                }
                break;
            default:
                break;
            }
            ao[k] = y;
            eo[k] = ey;
        }
}

/* Enclosures for rows i0..i0+nb-1: xs, es their scaled rows; bufs: 5 arrays nb x wmax. */
static void enclose_block(double *lo, double *hi, double *sf, const dnet *N, const double *xs,
                          const double *es, long nb, double **buf)
{
    long d = N->sizes[0];
    const double *a = xs, *e = es;
    double *ao = buf[0], *eo = buf[1], *v = buf[2];
    for (long l = 0; l < N->L; l++) {
        layer(ao, eo, v, N, l, a, e, nb);
        a = ao;
        e = eo;
        ao = (ao == buf[0]) ? buf[3] : buf[0];
        eo = (eo == buf[1]) ? buf[4] : buf[1];
    }
    /* Score: x'_j - f_j is within r of d^ = fl(x^_j - f^_j), r = ex + ef + u|d^| (R1);
     * so |x'_j - f_j| lies in [max(0, |d^| - r), |d^| + r]; squares and sums rounded
     * outward with (R3). */
    for (long i = 0; i < nb; i++) {
        double sl = 0, sh = 0, s = 0;
        for (long j = 0; j < d; j++) {
            double dd = xs[i * d + j] - a[i * d + j];
            double r = up(up(es[i * d + j] + e[i * d + j]) + up(fabs(dd) * U_RND));
            double H = up(fabs(dd) + r), Lw = dn(fabs(dd) - r);
            Lw = Lw > 0 ? Lw : 0;
            double l2 = dn(Lw * Lw);
            sl = dn(sl + (l2 > 0 ? l2 : 0));
            sh = up(sh + up(H * H));
            s += dd * dd;
        }
        if (!(sh < INFINITY) || isnan(sl)) {   /* overflow or NaN: no information */
            sl = 0;
            sh = INFINITY;
        }
        lo[i] = sl > 0 ? sl : 0;
        hi[i] = sh;
        if (sf)
            sf[i] = s;
    }
}

static int check_args(const char *fn, const qnet_t f, const double *X, long n, long d)
{
    if (f == NULL || X == NULL || n < 1 || f->L < 1 || d != qnet_din(f)
        || qnet_din(f) != qnet_dout(f)) {
        ae_error(fn, "need a network with din == dout == d and n >= 1 rows (n = %ld, d = %ld)",
                 n, d);
        return AE_EINVAL;
    }
    for (long k = 0; k < n * d; k++)
        if (!isfinite(X[k])) {
            ae_error(fn, "non-finite data at row %ld, feature %ld", k / d, k % d);
            return AE_EINVAL;
        }
    return AE_OK;
}

/* The enclosures of every row (sf, may be NULL: the plain double scores).  AE_OK,
 * AE_ENOMEM or AE_ERANGE (dnet_init). */
static int enclose_all(double *lo, double *hi, double *sf, const qnet_t f, const double *X,
                       long n, long d)
{
    scaler P;
    dnet N;
    memset(&P, 0, sizeof P);
    memset(&N, 0, sizeof N);
    int st = scaler_init(&P, f);
    if (st == AE_OK)
        st = dnet_init(&N, f);
    double *xs = ae_malloc((size_t) (BLOCK * d) * sizeof(double));
    double *es = ae_malloc((size_t) (BLOCK * d) * sizeof(double));
    double *buf[5];
    for (int k = 0; k < 5; k++)
        buf[k] = ae_malloc((size_t) (BLOCK * (N.wmax > 0 ? N.wmax : 1)) * sizeof(double));
    if (st == AE_OK && (!xs || !es || !buf[0] || !buf[1] || !buf[2] || !buf[3] || !buf[4]))
        st = AE_ENOMEM;
    for (long i0 = 0; i0 < n && st == AE_OK; i0 += BLOCK) {
        long nb = n - i0 < BLOCK ? n - i0 : BLOCK;
        scale_rows(xs, es, &P, X, i0, nb);
        enclose_block(lo + i0, hi + i0, sf ? sf + i0 : NULL, &N, xs, es, nb, buf);
    }
    for (int k = 0; k < 5; k++)
        free(buf[k]);
    free(xs);
    free(es);
    dnet_clear(&N);
    scaler_clear(&P);
    return st;
}

int tset_enclose(double *lo, double *hi, const qnet_t f, const double *X, long n, long d)
{
    if (lo == NULL || hi == NULL) {
        ae_error(__func__, "lo and hi must not be NULL");
        return AE_EINVAL;
    }
    int rc = check_args(__func__, f, X, n, d);
    if (rc != AE_OK)
        return rc;
    return enclose_all(lo, hi, NULL, f, X, n, d);
}

int tset_row(mpq_t *xs, const qnet_t f, const double *X, long n, long d, long i)
{
    if (xs == NULL || f == NULL || X == NULL || d != qnet_din(f) || i < 0 || i >= n) {
        ae_error(__func__, "row %ld of %ld, d = %ld (network input %ld)", i, n, d,
                 f ? qnet_din(f) : -1L);
        return AE_EINVAL;
    }
    for (long j = 0; j < d; j++)
        if (!isfinite(X[i * d + j])) {
            ae_error(__func__, "non-finite data at row %ld", i);
            return AE_EINVAL;
        }
    mpq_t *x = qvec_init(d);
    for (long j = 0; j < d; j++)
        mpq_set_d(x[j], X[i * d + j]);
    int rc = qnet_scale_point(xs, f, (const mpq_t *) x, d);
    qvec_clear(x, d);
    return rc;
}

/* ---- life cycle ------------------------------------------------------------------- */

void tset_init(tset_t S)
{
    S->n = S->d = 0;
    mpq_inits(S->smin, S->rho2, S->diam2, (mpq_ptr) NULL);
    S->argmin = -1;
    S->smin_float = NAN;
    S->nexact = 0;
    S->centre = S->xmin = NULL;
    S->diam_pairwise = 0;
    S->diam_float = NAN;
}

static void tset_release(tset_t S)
{
    if (S->centre)
        qvec_clear(S->centre, S->d);
    if (S->xmin)
        qvec_clear(S->xmin, S->d);
    S->centre = S->xmin = NULL;
    S->n = S->d = 0;
}

void tset_clear(tset_t S)
{
    tset_release(S);
    mpq_clears(S->smin, S->rho2, S->diam2, (mpq_ptr) NULL);
}

/* ---- s_min ------------------------------------------------------------------------ */

typedef struct { double lo; long i; } cand;

static int cand_cmp(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->lo != y->lo)
        return x->lo < y->lo ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* Rows with lo_i <= h = min hi_i, by increasing lo, scored exactly until lo_i exceeds the
 * best exact score so far: a row not scored has score >= lo_i > best (or > h >= the score
 * of the row attaining h), so the least exact score is s_min. */
static int smin_exact(tset_t S, const qnet_t f, const double *X, long n, long d)
{
    double *lo = ae_malloc((size_t) n * sizeof(double)), *hi = ae_malloc((size_t) n * sizeof(double));
    double *sf = ae_malloc((size_t) n * sizeof(double));
    cand *c = ae_malloc((size_t) n * sizeof(cand));
    int rc = lo && hi && sf && c ? enclose_all(lo, hi, sf, f, X, n, d) : AE_ENOMEM;
    if (rc != AE_OK) {
        free(c);
        free(lo);
        free(hi);
        free(sf);
        return rc;
    }
    double h = INFINITY;
    for (long i = 0; i < n; i++)
        if (hi[i] < h)
            h = hi[i];
    long nc = 0;
    for (long i = 0; i < n; i++)
        if (lo[i] <= h) {
            c[nc].lo = lo[i];
            c[nc++].i = i;
        }
    qsort(c, (size_t) nc, sizeof(cand), cand_cmp);
    mpq_t *x = qvec_init(d);
    mpq_t e, l;
    mpq_inits(e, l, (mpq_ptr) NULL);
    S->nexact = 0;
    S->argmin = -1;
    for (long k = 0; k < nc && rc == AE_OK; k++) {
        if (S->argmin >= 0) {
            mpq_set_d(l, c[k].lo);
            if (mpq_cmp(l, S->smin) > 0)
                break;
        }
        rc = tset_row(x, f, X, n, d, c[k].i);
        if (rc == AE_OK)
            rc = qnet_score(e, f, (const mpq_t *) x, d);
        if (rc != AE_OK)
            break;
        S->nexact++;
        if (S->argmin < 0 || mpq_cmp(e, S->smin) < 0
            || (mpq_cmp(e, S->smin) == 0 && c[k].i < S->argmin)) {
            mpq_set(S->smin, e);
            S->argmin = c[k].i;
            qvec_set(S->xmin, (const mpq_t *) x, d);
        }
    }
    if (rc == AE_OK)
        S->smin_float = sf[S->argmin];
    mpq_clears(e, l, (mpq_ptr) NULL);
    qvec_clear(x, d);
    free(c);
    free(lo);
    free(hi);
    free(sf);
    return rc;
}

/* ---- centre, radius, diameter ---------------------------------------------------- */

/* An upper bound of ||x'_a - x'_b||^2 given doubles a, b with error bounds ea, eb (eb and b
 * may be NULL: b = c exact with no error, or 0).  Each term t_k = (|a_k - b_k| + ea_k +
 * eb_k)^2 >= (x'_ak - x'_bk)^2 has w = |a_k - b_k| + ea_k + eb_k computed with w^ >= w (1 -
 * u)^2 (the difference and the sum of the bounds each lose one factor, their sum one more),
 * so its rounded square is >= w^2 (1 - u)^5 - eta/2; then d - 1 additions: sum_close with
 * k = d + 4.  *plain (may be NULL) gets the plain double ||a - b||. */
static double dist2_up(double *plain, const double *a, const double *ea, const double *b,
                       const double *eb, long d)
{
    double s = 0, p = 0;
    for (long k = 0; k < d; k++) {
        double t = fabs(a[k] - b[k]);
        double er = eb ? ea[k] + eb[k] : ea[k];
        double w = t + er;
        s += w * w;
        p += t * t;
    }
    if (plain)
        *plain = sqrt(p);
    if (isnan(s))
        return INFINITY;
    return sum_close(s, d, d + 4);
}

/* rho2 exactly: max_i ||x'_i - c||^2 in rationals (the overflow fallback). */
static int rho2_exact(tset_t S, const qnet_t f, const double *X, long n, long d)
{
    mpq_t *x = qvec_init(d);
    mpq_t r;
    mpq_init(r);
    mpq_set_ui(S->rho2, 0, 1);
    int rc = AE_OK;
    for (long i = 0; i < n && rc == AE_OK; i++) {
        rc = tset_row(x, f, X, n, d, i);
        if (rc != AE_OK)
            break;
        qvec_dist2(r, (const mpq_t *) x, (const mpq_t *) S->centre, d);
        if (mpq_cmp(r, S->rho2) > 0)
            mpq_set(S->rho2, r);
    }
    mpq_clear(r);
    qvec_clear(x, d);
    return rc;
}

/* The centre (the double mean of the scaled rows; a non-finite coordinate becomes 0),
 * rho2, diam2 and diam_float. */
static int geometry(tset_t S, const qnet_t f, const double *X, long n, long d)
{
    scaler P;
    memset(&P, 0, sizeof P);
    int rc = scaler_init(&P, f);
    int pairwise = (double) n * (double) n * (double) d <= (double) TSET_PAIRWISE_MAX;
    long nkeep = pairwise ? n : 1;
    double *xs = ae_malloc((size_t) (nkeep * d) * sizeof(double));
    double *es = ae_malloc((size_t) (nkeep * d) * sizeof(double));
    double *c = ae_calloc((size_t) d, sizeof(double));
    if (rc != AE_OK || !xs || !es || !c) {
        free(c);
        free(xs);
        free(es);
        scaler_clear(&P);
        return rc != AE_OK ? rc : AE_ENOMEM;
    }
    for (long i = 0; i < n; i++) {
        double *xr = pairwise ? xs + i * d : xs, *er = pairwise ? es + i * d : es;
        scale_rows(xr, er, &P, X, i, 1);
        for (long j = 0; j < d; j++)
            c[j] += xr[j];
    }
    for (long j = 0; j < d; j++) {
        c[j] /= (double) n;
        if (!isfinite(c[j]))
            c[j] = 0;
        mpq_set_d(S->centre[j], c[j]);
    }
    double rho = 0;
    for (long i = 0; i < n; i++) {
        double *xr = pairwise ? xs + i * d : xs, *er = pairwise ? es + i * d : es;
        if (!pairwise)
            scale_rows(xr, er, &P, X, i, 1);
        double r = dist2_up(NULL, xr, er, c, NULL, d);
        if (r > rho)
            rho = r;
    }
    if (rho < INFINITY)
        mpq_set_d(S->rho2, rho);
    else
        rc = rho2_exact(S, f, X, n, d);
    mpq_mul_2exp(S->diam2, S->rho2, 2);
    S->diam_pairwise = 0;
    S->diam_float = 2 * sqrt(mpq_get_d(S->rho2));
    if (pairwise && rc == AE_OK) {
        double dmax = 0, pmax = 0, p;
        for (long i = 0; i < n; i++)
            for (long j = i + 1; j < n; j++) {
                double r = dist2_up(&p, xs + i * d, es + i * d, xs + j * d, es + j * d, d);
                if (r > dmax)
                    dmax = r;
                if (p > pmax)
                    pmax = p;
            }
        S->diam_float = pmax;
        if (dmax < INFINITY) {
            mpq_t t;
            mpq_init(t);
            mpq_set_d(t, dmax);
            if (mpq_cmp(t, S->diam2) <= 0) {
                mpq_set(S->diam2, t);
                S->diam_pairwise = 1;
            }
            mpq_clear(t);
        }
    }
    free(c);
    free(xs);
    free(es);
    scaler_clear(&P);
    return rc;
}

int tset_compute(tset_t S, const qnet_t f, const double *X, long n, long d)
{
    if (S == NULL) {
        ae_error(__func__, "S is NULL");
        return AE_EINVAL;
    }
    int rc = check_args(__func__, f, X, n, d);
    if (rc != AE_OK)
        return rc;
    tset_release(S);
    S->n = n;
    S->d = d;
    S->centre = qvec_init(d);
    S->xmin = qvec_init(d);
    rc = smin_exact(S, f, X, n, d);
    if (rc == AE_OK)
        rc = geometry(S, f, X, n, d);
    return rc;
}

/* ---- distances ---------------------------------------------------------------------- */


int tset_dist_lb(mpq_t lb, const tset_t S, const mpq_t *a, long d)
{
    if (S == NULL || a == NULL || S->centre == NULL || d != S->d) {
        ae_error(__func__, "need a computed training set and a point of its length %ld (got %ld)",
                 S ? S->d : -1L, d);
        return AE_EINVAL;
    }
    mpq_t q, r;
    mpq_inits(q, r, (mpq_ptr) NULL);
    qvec_dist2(q, a, (const mpq_t *) S->centre, d);
    qnum_sqrt_lower(lb, q, 65);       /* relative 2^-64 (qnum.h) */
    qnum_sqrt_upper(r, S->rho2, 65);
    mpq_sub(lb, lb, r);
    if (mpq_sgn(lb) < 0)
        mpq_set_ui(lb, 0, 1);
    mpq_clears(q, r, (mpq_ptr) NULL);
    return AE_OK;
}
