/* far2d — see far2d.h. */
#include "far2d.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aeerr.h"
#include "qmat.h"
#include "ray.h"

/* Bits of the square-root enclosures (relative width about 2^-SQRT_BITS). */
#define SQRT_BITS 64

void far2d_init(far2d_t B)
{
    mpq_inits(B->R, B->x[0], B->x[1], B->score, B->far_min, B->v[0], B->v[1],
              (mpq_ptr) NULL);
    B->status = FAR2D_SAFE;
    B->nblind = B->nstrips = B->npieces = 0;
    B->why[0] = '\0';
}

void far2d_clear(far2d_t B)
{
    mpq_clears(B->R, B->x[0], B->x[1], B->score, B->far_min, B->v[0], B->v[1],
               (mpq_ptr) NULL);
}

/* lo <= sqrt(a) <= hi (a >= 0; either may be NULL).  With a = p/q, sqrt(a) = sqrt(N)/(q 2^k)
 * for N = p q 4^k; m = floor(sqrt(N)) gives m <= sqrt(N) <= m + 1 (= m when N is a square),
 * and k makes m >= 2^bits, so the enclosure is relatively 2^-bits wide.  (farfield.c has
 * its own ff_sqrt_up / ff_sqrt_down; this copy keeps far2d independent of it.) */
static void sqrt_bounds(mpq_t lo, mpq_t hi, const mpq_t a, long bits)
{
    assert(mpq_sgn(a) >= 0);
    if (mpq_sgn(a) == 0) {
        if (lo)
            mpq_set_ui(lo, 0, 1);
        if (hi)
            mpq_set_ui(hi, 0, 1);
        return;
    }
    mpz_t N, m, rem, den;
    mpz_inits(N, m, rem, den, (mpz_ptr) NULL);
    mpz_mul(N, mpq_numref(a), mpq_denref(a));
    long nb = (long) mpz_sizeinbase(N, 2), k = bits - nb / 2 + 1;
    if (k < 0)
        k = 0;
    mpz_mul_2exp(N, N, (mp_bitcnt_t) (2 * k));
    mpz_sqrtrem(m, rem, N);
    mpz_mul_2exp(den, mpq_denref(a), (mp_bitcnt_t) k);
    if (lo) {
        mpq_set_num(lo, m);
        mpq_set_den(lo, den);
        mpq_canonicalize(lo);
    }
    if (hi) {
        if (mpz_sgn(rem) != 0)
            mpz_add_ui(m, m, 1);
        mpq_set_num(hi, m);
        mpq_set_den(hi, den);
        mpq_canonicalize(hi);
    }
    mpz_clears(N, m, rem, den, (mpz_ptr) NULL);
}

/* ---- the region check ------------------------------------------------------------- */

/* 1 if the forms in F (QNET_FIXED with pat, from some corner along d) satisfy pat's closed
 * sign conditions at the corner (t = 0) and have the slope sign pat needs along d. */
static int forms_ok(const qnet_t f, const qnet_forms_t F, const signed char *pat)
{
    mpz_t tmp;
    mpz_init(tmp);
    for (long l = 0; l < f->L; l++) {
        int act = f->act[l];
        mpz_srcptr D = F->D[l];
        for (long u = f->uoff[l]; u < f->uoff[l + 1]; u++) {
            int sp = mpz_sgn(F->P[u]), sq = mpz_sgn(F->Q[u]);
            int s = pat[u];
            if (act == QNET_RELU || act == QNET_LEAKY) {
                if ((s == QNET_ON && (sp < 0 || sq < 0))
                    || (s == QNET_OFF && (sp > 0 || sq > 0))) {
                    mpz_clear(tmp);
                    return 0;
                }
            } else if (act == QNET_HARDTANH) {
                /* z = P/D (D > 0): ON needs -1 <= z <= 1 and slope 0; LO z <= -1 and
                 * slope <= 0; HI z >= 1 and slope >= 0. */
                int up = mpz_cmp(F->P[u], D), dn;       /* signs of z - 1 and z + 1 */
                mpz_neg(tmp, D);
                dn = mpz_cmp(F->P[u], tmp);
                int ok = s == QNET_ON ? (dn >= 0 && up <= 0 && sq == 0)
                       : s == QNET_LO ? (dn <= 0 && sq <= 0)
                       : s == QNET_HI ? (up >= 0 && sq >= 0) : 0;
                if (!ok) {
                    mpz_clear(tmp);
                    return 0;
                }
            }
        }
    }
    mpz_clear(tmp);
    return 1;
}

/* The check of far2d_region_ok with a caller's forms object. */
static int region_ok(qnet_forms_t F, const qnet_t f, const signed char *pat, const mpq_t *c1,
                     const mpq_t *c2, const mpq_t *d, long n)
{
    const mpq_t *corner[2] = { c1, c2 };
    for (int i = 0; i < 2; i++) {
        int rc = qnet_forms(F, (signed char *) pat, f, corner[i], d, n, QNET_FIXED, NULL);
        if (rc != AE_OK)
            return rc;
        if (!forms_ok(f, F, pat))
            return 0;
    }
    return 1;
}

static int pattern_ok(const qnet_t f, const signed char *pat)
{
    for (long l = 0; l < f->L; l++)
        for (long u = f->uoff[l]; u < f->uoff[l + 1]; u++) {
            int s = pat[u], a = f->act[l];
            int ok = a == QNET_IDENTITY ? s == QNET_ON
                   : (a == QNET_RELU || a == QNET_LEAKY) ? (s == QNET_ON || s == QNET_OFF)
                   : a == QNET_HARDTANH ? (s == QNET_ON || s == QNET_LO || s == QNET_HI)
                   : s == QNET_OFF;
            if (!ok)
                return 0;
        }
    return 1;
}

int far2d_region_ok(const qnet_t f, const signed char *pat, const mpq_t *c1, const mpq_t *c2,
                    const mpq_t *d, long n)
{
    if (f == NULL || pat == NULL || c1 == NULL || c2 == NULL || d == NULL
        || n != qnet_din(f) || !pattern_ok(f, pat)) {
        ae_error(__func__, "needs a network, a valid pattern and vectors of length din");
        return AE_EINVAL;
    }
    qnet_forms_t F;
    qnet_forms_init(F, f);
    int rc = region_ok(F, f, pat, c1, c2, d, n);
    qnet_forms_clear(F);
    return rc;
}

/* ---- the exact quadratic minimisation --------------------------------------------- */

/* e = e0 + 2 p s + 2 q t + a s^2 + 2 b s t + c t^2 = ||r0 + s rs + t rt||^2. */
typedef struct {
    mpq_t e0, p, q, a, b, c;
    mpq_t tmp, tmp2;
} quad;

static void quad_eval(mpq_t e, quad *Q, const mpq_t s, const mpq_t t)
{
    /* e = e0 + s (2 p + a s + 2 b t) + t (2 q + c t) */
    mpq_mul(Q->tmp, Q->b, t);
    mpq_add(Q->tmp, Q->tmp, Q->tmp);
    mpq_add(Q->tmp, Q->tmp, Q->p);
    mpq_add(Q->tmp, Q->tmp, Q->p);
    mpq_mul(Q->tmp2, Q->a, s);
    mpq_add(Q->tmp, Q->tmp, Q->tmp2);
    mpq_mul(Q->tmp, Q->tmp, s);
    mpq_mul(Q->tmp2, Q->c, t);
    mpq_add(Q->tmp2, Q->tmp2, Q->q);
    mpq_add(Q->tmp2, Q->tmp2, Q->q);
    mpq_mul(Q->tmp2, Q->tmp2, t);
    mpq_add(e, Q->e0, Q->tmp);
    mpq_add(e, e, Q->tmp2);
}

/* Keeps (s, t) in (bs, bt, be) when it scores lower than the best so far (or none yet). */
static void quad_offer(quad *Q, int *have, mpq_t be, mpq_t bs, mpq_t bt, const mpq_t s,
                       const mpq_t t)
{
    mpq_t e;
    mpq_init(e);
    quad_eval(e, Q, s, t);
    if (!*have || mpq_cmp(e, be) < 0) {
        mpq_set(be, e);
        mpq_set(bs, s);
        mpq_set(bt, t);
        *have = 1;
    }
    mpq_clear(e);
}

/* x = clamp(-num / den, lo, hi) for den > 0 (hi may be NULL: no upper bound). */
static void clamp_root(mpq_t x, const mpq_t num, const mpq_t den, const mpq_t lo,
                       const mpq_t hi)
{
    mpq_div(x, num, den);
    mpq_neg(x, x);
    if (mpq_cmp(x, lo) < 0)
        mpq_set(x, lo);
    if (hi && mpq_cmp(x, hi) > 0)
        mpq_set(x, hi);
}

int far2d_quad_min(mpq_t emin, mpq_t smin, mpq_t tmin, const mpq_t *r0, const mpq_t *rs,
                   const mpq_t *rt, long n, const mpq_t s1, const mpq_t s2, const mpq_t tlo)
{
    if (emin == NULL || smin == NULL || tmin == NULL || r0 == NULL || rs == NULL
        || rt == NULL || n < 0 || s1 == NULL || s2 == NULL || tlo == NULL
        || mpq_cmp(s1, s2) > 0) {
        ae_error(__func__, "needs vectors of length n >= 0 and s1 <= s2");
        return AE_EINVAL;
    }
    quad Q;
    mpq_inits(Q.e0, Q.p, Q.q, Q.a, Q.b, Q.c, Q.tmp, Q.tmp2, (mpq_ptr) NULL);
    qvec_norm2(Q.e0, r0, n);
    qvec_dot(Q.p, r0, rs, n);
    qvec_dot(Q.q, r0, rt, n);
    qvec_norm2(Q.a, rs, n);
    qvec_dot(Q.b, rs, rt, n);
    qvec_norm2(Q.c, rt, n);
    mpq_t det, s, t, num;
    mpq_inits(det, s, t, num, (mpq_ptr) NULL);
    int have = 0;
    /* A convex quadratic on the closed half-strip Q = [s1, s2] x [tlo, inf): it is bounded
     * below, so it attains its minimum on Q (Frank-Wolfe).  If det > 0 the unique critical
     * point is the global minimiser; when it lies in Q it is the answer.  Otherwise the
     * minimum is on the boundary: a minimiser in the interior would be critical, so with
     * det = 0 the whole line through it along the null direction of the Gram matrix
     * (along which the residual is constant) minimises too, and every line leaves the
     * half-strip through its boundary; with det > 0 the critical point lies outside Q. */
    mpq_mul(det, Q.a, Q.c);
    mpq_mul(num, Q.b, Q.b);
    mpq_sub(det, det, num);
    if (mpq_sgn(det) > 0) {
        /* [a b; b c] (s, t) = -(p, q) */
        mpq_mul(s, Q.q, Q.b);
        mpq_mul(num, Q.p, Q.c);
        mpq_sub(s, s, num);
        mpq_div(s, s, det);
        mpq_mul(t, Q.p, Q.b);
        mpq_mul(num, Q.q, Q.a);
        mpq_sub(t, t, num);
        mpq_div(t, t, det);
        if (mpq_cmp(s, s1) >= 0 && mpq_cmp(s, s2) <= 0 && mpq_cmp(t, tlo) >= 0)
            quad_offer(&Q, &have, emin, smin, tmin, s, t);
    }
    if (!have) {
        /* edge t = tlo: a s^2 + 2 (b tlo + p) s; a = 0 means rs = 0 (constant in s) */
        mpq_mul(num, Q.b, tlo);
        mpq_add(num, num, Q.p);
        if (mpq_sgn(Q.a) > 0)
            clamp_root(s, num, Q.a, s1, s2);
        else
            mpq_set(s, s1);
        quad_offer(&Q, &have, emin, smin, tmin, s, tlo);
        /* edges s = s1, s2: c t^2 + 2 (b s + q) t; c = 0 means rt = 0 */
        const mpq_srcptr se[2] = { s1, s2 };
        for (int i = 0; i < 2; i++) {
            mpq_mul(num, Q.b, se[i]);
            mpq_add(num, num, Q.q);
            if (mpq_sgn(Q.c) > 0)
                clamp_root(t, num, Q.c, tlo, NULL);
            else
                mpq_set(t, tlo);
            quad_offer(&Q, &have, emin, smin, tmin, se[i], t);
        }
    }
    mpq_clears(det, s, t, num, (mpq_ptr) NULL);
    mpq_clears(Q.e0, Q.p, Q.q, Q.a, Q.b, Q.c, Q.tmp, Q.tmp2, (mpq_ptr) NULL);
    return AE_OK;
}

/* ---- the strips ------------------------------------------------------------------- */

/* The work shared by the half-strip analyses. */
typedef struct {
    const qnet_struct *f;
    qnet_forms_t F;
    ray_pieces_t P;
    qmat_t A;
    mpq_t *c, *x0, *c1, *c2, *r0, *rs, *rt, *tmp2;
    mpq_t s1, s2, e, sm, tm, lim;
} work;

static void work_init(work *w, const qnet_t f)
{
    w->f = f;
    qnet_forms_init(w->F, f);
    ray_pieces_init(w->P, f);
    qmat_init(w->A, 2, 2);
    w->c = qvec_init(2);
    w->x0 = qvec_init(2);
    w->c1 = qvec_init(2);
    w->c2 = qvec_init(2);
    w->r0 = qvec_init(2);
    w->rs = qvec_init(2);
    w->rt = qvec_init(2);
    w->tmp2 = qvec_init(2);
    mpq_inits(w->s1, w->s2, w->e, w->sm, w->tm, w->lim, (mpq_ptr) NULL);
}

static void work_clear(work *w)
{
    qnet_forms_clear(w->F);
    ray_pieces_clear(w->P);
    qmat_clear(w->A);
    qvec_clear(w->c, 2);
    qvec_clear(w->x0, 2);
    qvec_clear(w->c1, 2);
    qvec_clear(w->c2, 2);
    qvec_clear(w->r0, 2);
    qvec_clear(w->rs, 2);
    qvec_clear(w->rt, 2);
    qvec_clear(w->tmp2, 2);
    mpq_clears(w->s1, w->s2, w->e, w->sm, w->tm, w->lim, (mpq_ptr) NULL);
}

/* y = a d + b w (2-vectors). */
static void comb(mpq_t *y, const mpq_t a, const mpq_t *d, const mpq_t b, const mpq_t *wv)
{
    mpq_t p;
    mpq_init(p);
    for (int i = 0; i < 2; i++) {
        mpq_mul(y[i], a, d[i]);
        mpq_mul(p, b, wv[i]);
        mpq_add(y[i], y[i], p);
    }
    mpq_clear(p);
}

/* The s-range [s1, s2] of piece k of the segment u in [0, 2W], s = u - W; 0 when the
 * piece starts beyond the segment. */
static int piece_range(work *w, long k, const mpq_t W)
{
    mpq_add(w->lim, W, W);
    if (k > 0 && mpq_cmp(w->P->t[k], w->lim) >= 0)
        return 0;
    mpq_sub(w->s1, w->P->t[k], W);
    if (k + 1 < w->P->n && mpq_cmp(w->P->t[k + 1], w->lim) < 0)
        mpq_sub(w->s2, w->P->t[k + 1], W);
    else
        mpq_set(w->s2, W);
    return 1;
}

/* The pieces of the segment t* d + s w, s in [-W, W], each region certified (1), or some
 * region not certified (0). */
static int strip_pieces(work *w, const mpq_t ts, const mpq_t *d, const mpq_t *wv,
                        const mpq_t W)
{
    mpq_t mW;
    mpq_init(mW);
    mpq_neg(mW, W);
    comb(w->x0, ts, d, mW, wv);
    mpq_clear(mW);
    int rc = ray_pieces(w->P, w->f, w->x0, wv, 2, 0);
    assert(rc == AE_OK);
    (void) rc;
    for (long k = 0; k < w->P->n; k++) {
        if (!piece_range(w, k, W))
            break;
        comb(w->c1, ts, d, w->s1, wv);
        comb(w->c2, ts, d, w->s2, wv);
        if (region_ok(w->F, w->f, ray_pat(w->P, k), w->c1, w->c2, d, 2) != 1)
            return 0;
    }
    return 1;
}

/* The least score over the certified regions of the pieces (after strip_pieces said 1):
 * be (have set when found) and the point (bs, bt) in (s, t) coordinates; *npieces counts. */
static void strip_min(work *w, int *have, mpq_t be, mpq_t bs, mpq_t bt, long *npieces,
                      const mpq_t ts, const mpq_t *d, const mpq_t *wv, const mpq_t W)
{
    for (long k = 0; k < w->P->n; k++) {
        if (!piece_range(w, k, W))
            break;
        int rc = qnet_affine(w->A, w->c, w->f, ray_pat(w->P, k));
        assert(rc == AE_OK);
        (void) rc;
        /* x - f(x) = (I - A') (t d + s w) - c' */
        for (int i = 0; i < 2; i++)
            mpq_neg(w->r0[i], w->c[i]);
        qmat_mul_vec(w->tmp2, w->A, wv);
        qvec_sub(w->rs, wv, w->tmp2, 2);
        qmat_mul_vec(w->tmp2, w->A, d);
        qvec_sub(w->rt, d, w->tmp2, 2);
        far2d_quad_min(w->e, w->sm, w->tm, w->r0, w->rs, w->rt, 2, w->s1, w->s2, ts);
        if (!*have || mpq_cmp(w->e, be) < 0) {
            mpq_set(be, w->e);
            mpq_set(bs, w->sm);
            mpq_set(bt, w->tm);
            *have = 1;
        }
        (*npieces)++;
    }
}

/* A blind line: primitive v (first nonzero entry > 0) and the largest half-width W. */
typedef struct {
    mpq_t v[2], W;
} line;

/* The results of the half-strip analyses so far. */
typedef struct {
    int have, undecided;
    mpq_t best, bs, bt, R2;
    mpq_t d[2], wv[2];       /* the half-strip of best */
} acc;

/* Analyses the half-strip along d = sigma v of line Ln (see far2d.h): 0 if certified
 * (acc updated), 1 if t* ran out of doublings. */
static int half_strip(work *w, acc *Acc, long *npieces, const line *Ln, int sigma,
                      const mpq_t tinit)
{
    mpq_t d[2], wv[2], ts, n2, r2;
    mpq_inits(d[0], d[1], wv[0], wv[1], ts, n2, r2, (mpq_ptr) NULL);
    for (int i = 0; i < 2; i++)
        mpq_set(d[i], Ln->v[i]);
    if (sigma < 0) {
        mpq_neg(d[0], d[0]);
        mpq_neg(d[1], d[1]);
    }
    mpq_neg(wv[0], d[1]);
    mpq_set(wv[1], d[0]);
    mpq_set(ts, tinit);
    int ok = 0;
    for (int i = 0; i <= FAR2D_MAX_DOUBLINGS && !ok; i++) {
        ok = strip_pieces(w, ts, d, wv, Ln->W);
        if (!ok)
            mpq_add(ts, ts, ts);
    }
    if (ok) {
        mpq_t e, s, t;
        mpq_inits(e, s, t, (mpq_ptr) NULL);
        int have = 0;
        strip_min(w, &have, e, s, t, npieces, ts, d, wv, Ln->W);
        assert(have);
        if (!Acc->have || mpq_cmp(e, Acc->best) < 0) {
            mpq_set(Acc->best, e);
            mpq_set(Acc->bs, s);
            mpq_set(Acc->bt, t);
            for (int i = 0; i < 2; i++) {
                mpq_set(Acc->d[i], d[i]);
                mpq_set(Acc->wv[i], wv[i]);
            }
            Acc->have = 1;
        }
        /* R^2 >= (t*^2 + W^2) ||v||^2 covers |t| < t*, |s| <= W */
        qvec_norm2(n2, d, 2);
        mpq_mul(r2, ts, ts);
        mpq_mul(e, Ln->W, Ln->W);
        mpq_add(r2, r2, e);
        mpq_mul(r2, r2, n2);
        if (mpq_cmp(r2, Acc->R2) > 0)
            mpq_set(Acc->R2, r2);
        mpq_clears(e, s, t, (mpq_ptr) NULL);
    }
    mpq_clears(d[0], d[1], wv[0], wv[1], ts, n2, r2, (mpq_ptr) NULL);
    return !ok;
}

/* ---- the analysis ------------------------------------------------------------------- */

static int args_ok(const qnet_t f, const qnet_t f0, const cone_circle_t C, const mpq_t K,
                   const mpq_t s, const mpq_t *centre, const mpq_t rfar)
{
    if (f == NULL || f0 == NULL || C == NULL || K == NULL || s == NULL || centre == NULL
        || rfar == NULL)
        return 0;
    if (qnet_din(f) != 2 || qnet_dout(f) != 2 || f0->L != f->L || !qnet_is_homogeneous(f0))
        return 0;
    for (long l = 0; l <= f->L; l++)
        if (f->sizes[l] != f0->sizes[l])
            return 0;
    if (C->nunits != f0->nunits || C->n < 1)
        return 0;
    return mpq_sgn(K) >= 0 && mpq_sgn(s) >= 0 && mpq_sgn(rfar) >= 0;
}

static void reset(far2d_t B)
{
    B->status = FAR2D_SAFE;
    mpq_set_ui(B->R, 0, 1);
    mpq_set_ui(B->x[0], 0, 1);
    mpq_set_ui(B->x[1], 0, 1);
    mpq_set_ui(B->score, 0, 1);
    mpq_set_ui(B->far_min, 0, 1);
    mpq_set_ui(B->v[0], 0, 1);
    mpq_set_ui(B->v[1], 0, 1);
    B->nblind = B->nstrips = B->npieces = 0;
    B->why[0] = '\0';
}

/* Half-width of sector k's strip (W >= (K + sqrt(s)) / ||(I - A) w||, rounded up) and its
 * line v; 0, or 1 when A = I on the sector. */
static int sector_strip(mpq_t W, mpq_t *v, const qnet_t f0, const cone_circle_t C, long k,
                        const mpq_t K, const mpq_t sq_up)
{
    qmat_t A;
    qmat_init(A, 2, 2);
    mpq_t *wv = qvec_init(2), *y = qvec_init(2);
    mpq_t n2, lo;
    mpq_inits(n2, lo, (mpq_ptr) NULL);
    int rc = qnet_affine(A, NULL, f0, cone_circle_pat(C, k));
    assert(rc == AE_OK);
    (void) rc;
    qvec_set(v, cone_circle_v(C, k), 2);
    if (mpq_sgn(v[0]) < 0 || (mpq_sgn(v[0]) == 0 && mpq_sgn(v[1]) < 0)) {
        mpq_neg(v[0], v[0]);
        mpq_neg(v[1], v[1]);
    }
    qmat_mul_vec(y, A, v);
    assert(qvec_equal(y, v, 2));        /* cone_test checked f0(v) = v in C_p */
    mpq_neg(wv[0], v[1]);
    mpq_set(wv[1], v[0]);
    qmat_mul_vec(y, A, wv);
    qvec_sub(y, wv, y, 2);
    qvec_norm2(n2, y, 2);
    int ident = mpq_sgn(n2) == 0;
    if (!ident) {
        sqrt_bounds(lo, NULL, n2, SQRT_BITS);
        assert(mpq_sgn(lo) > 0);
        mpq_add(W, K, sq_up);
        mpq_div(W, W, lo);
    }
    mpq_clears(n2, lo, (mpq_ptr) NULL);
    qvec_clear(wv, 2);
    qvec_clear(y, 2);
    qmat_clear(A);
    return ident;
}

/* Collects the blind lines of C (deduplicated, largest W); returns their count.  *ident
 * = 1 when A = I on a sector (B->why set; the lines so far are still returned). */
static long collect_lines(line **out, int *ident, far2d_t B, const qnet_t f0,
                          const cone_circle_t C, const mpq_t K, const mpq_t s)
{
    *ident = 0;
    line *L = ae_malloc((size_t) C->n * sizeof(line));
    long nl = 0;
    mpq_t sq, W, v[2];
    mpq_inits(sq, W, v[0], v[1], (mpq_ptr) NULL);
    sqrt_bounds(NULL, sq, s, SQRT_BITS);
    for (long k = 0; k < C->n; k++) {
        if (C->status[k] != CONE_FIXED)
            continue;
        if (sector_strip(W, v, f0, C, k, K, sq)) {
            snprintf(B->why, sizeof B->why,
                     "f0 is the identity on sector %ld: the strip is the whole sector", k);
            *ident = 1;
            break;
        }
        long j = 0;
        while (j < nl && !qvec_equal(L[j].v, v, 2))
            j++;
        if (j == nl) {
            mpq_inits(L[j].v[0], L[j].v[1], L[j].W, (mpq_ptr) NULL);
            qvec_set(L[j].v, v, 2);
            mpq_set(L[j].W, W);
            nl++;
        } else if (mpq_cmp(W, L[j].W) > 0) {
            mpq_set(L[j].W, W);
        }
    }
    mpq_clears(sq, W, v[0], v[1], (mpq_ptr) NULL);
    *out = L;
    return nl;
}

static void lines_free(line *L, long nl)
{
    for (long j = 0; j < nl; j++)
        mpq_clears(L[j].v[0], L[j].v[1], L[j].W, (mpq_ptr) NULL);
    free(L);
}

/* t = the least integer >= 1 with t ||v|| >= rfar + ||centre|| (rigorous square roots). */
static void t_init(mpq_t t, const mpq_t *v, const mpq_t *centre, const mpq_t rfar)
{
    mpq_t n2, lo, hi;
    mpq_inits(n2, lo, hi, (mpq_ptr) NULL);
    qvec_norm2(n2, centre, 2);
    sqrt_bounds(NULL, hi, n2, SQRT_BITS);
    mpq_add(hi, hi, rfar);
    qvec_norm2(n2, v, 2);
    sqrt_bounds(lo, NULL, n2, SQRT_BITS);
    mpq_div(hi, hi, lo);
    mpz_cdiv_q(mpq_numref(t), mpq_numref(hi), mpq_denref(hi));
    mpz_set_ui(mpq_denref(t), 1);
    if (mpz_cmp_ui(mpq_numref(t), 1) < 0)
        mpz_set_ui(mpq_numref(t), 1);
    mpq_clears(n2, lo, hi, (mpq_ptr) NULL);
}

/* The verdict from the accumulated half-strips. */
static void verdict(far2d_t B, const qnet_t f, const acc *Acc, const mpq_t s,
                    const mpq_t *centre, const mpq_t rfar)
{
    mpq_set(B->far_min, Acc->best);
    qvec_set(B->v, Acc->d, 2);
    if (mpq_cmp(Acc->best, s) <= 0) {
        B->status = FAR2D_FAILS;
        comb(B->x, Acc->bt, Acc->d, Acc->bs, Acc->wv);
        int rc = qnet_score(B->score, f, B->x, 2);
        assert(rc == AE_OK);
        (void) rc;
        /* the region was certified, so the exact quadratic is the exact score */
        assert(mpq_equal(B->score, Acc->best));
        mpq_t d2, r2;
        mpq_inits(d2, r2, (mpq_ptr) NULL);
        qvec_dist2(d2, B->x, centre, 2);
        mpq_mul(r2, rfar, rfar);
        assert(mpq_cmp(d2, r2) >= 0);    /* t >= t*: ||x|| >= rfar + ||centre|| */
        mpq_clears(d2, r2, (mpq_ptr) NULL);
    } else {
        B->status = FAR2D_SAFE;
        sqrt_bounds(NULL, B->R, Acc->R2, SQRT_BITS);
    }
}

int far2d_blind(far2d_t B, const qnet_t f, const qnet_t f0, const cone_circle_t C,
                const mpq_t K, const mpq_t s, const mpq_t *centre, const mpq_t rfar)
{
    if (B == NULL || !args_ok(f, f0, C, K, s, centre, rfar)) {
        ae_error(__func__, "needs f, f0 (homogeneous, the same layers) with din = dout = 2, "
                           "its sectors C, K >= 0, s >= 0, a centre and rfar >= 0");
        return AE_EINVAL;
    }
    reset(B);
    B->nblind = C->nfixed;
    line *L;
    int ident;
    long nl = collect_lines(&L, &ident, B, f0, C, K, s);
    if (ident) {
        B->status = FAR2D_UNDECIDED;
        lines_free(L, nl);
        return AE_OK;
    }
    B->nstrips = nl;
    if (C->nundecided > 0) {
        B->status = FAR2D_UNDECIDED;
        snprintf(B->why, sizeof B->why, "%ld sector(s) with an undecided cone test",
                 C->nundecided);
        lines_free(L, nl);
        return AE_OK;
    }
    if (nl == 0) {
        lines_free(L, nl);
        return AE_OK;                    /* SAFE, R = 0: no blind sector */
    }
    work w;
    work_init(&w, f);
    acc Acc;
    Acc.have = Acc.undecided = 0;
    mpq_inits(Acc.best, Acc.bs, Acc.bt, Acc.R2, Acc.d[0], Acc.d[1], Acc.wv[0], Acc.wv[1],
              (mpq_ptr) NULL);
    mpq_t tinit;
    mpq_init(tinit);
    for (long j = 0; j < nl && !Acc.undecided; j++) {
        t_init(tinit, L[j].v, centre, rfar);
        for (int sigma = 1; sigma >= -1 && !Acc.undecided; sigma -= 2) {
            if (half_strip(&w, &Acc, &B->npieces, &L[j], sigma, tinit)) {
                Acc.undecided = 1;
                gmp_snprintf(B->why, sizeof B->why,
                             "the far pieces along %s(%Qd, %Qd) were not certified after "
                             "%d doublings of t*", sigma > 0 ? "" : "-", L[j].v[0],
                             L[j].v[1], FAR2D_MAX_DOUBLINGS);
            }
        }
    }
    if (Acc.undecided)
        B->status = FAR2D_UNDECIDED;
    else
        verdict(B, f, &Acc, s, centre, rfar);
    mpq_clear(tinit);
    mpq_clears(Acc.best, Acc.bs, Acc.bt, Acc.R2, Acc.d[0], Acc.d[1], Acc.wv[0], Acc.wv[1],
               (mpq_ptr) NULL);
    work_clear(&w);
    lines_free(L, nl);
    return AE_OK;
}
