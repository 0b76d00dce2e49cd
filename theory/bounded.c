/* bounded — detection radii and pockets of networks with a bounded layer (bounded.h). */
#include "bounded.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aeerr.h"
#include "qmat.h"
#include "qnum.h"

#define BOUNDED_SQRT_PREC 128

int bounded_act_range(nn_act_t act, long *lo, long *hi)
{
    long l, h;
    if (act == NN_SIGMOID) {
        l = 0;
        h = 1;
    } else if (act == NN_TANH || act == NN_HARDTANH) {
        l = -1;
        h = 1;
    } else
        return 0;
    if (lo)
        *lo = l;
    if (hi)
        *hi = h;
    return 1;
}

void bounded_init(bounded_t b)
{
    memset(b, 0, sizeof *b);
    mpq_init(b->B2);
    mpq_init(b->B);
}

void bounded_clear(bounded_t b)
{
    if (b->olo) {
        qvec_clear(b->olo, b->d);
        qvec_clear(b->ohi, b->d);
    }
    mpq_clear(b->B2);
    mpq_clear(b->B);
    memset(b, 0, sizeof *b);
}

/* B2 = sum_i max(lo_i^2, hi_i^2): the largest squared norm on the box O. */
static void box_norm2(mpq_t B2, const mpq_t *lo, const mpq_t *hi, long d)
{
    mpq_t a, c;
    mpq_init(a);
    mpq_init(c);
    mpq_set_ui(B2, 0, 1);
    for (long i = 0; i < d; i++) {
        mpq_mul(a, lo[i], lo[i]);
        mpq_mul(c, hi[i], hi[i]);
        mpq_add(B2, B2, mpq_cmp(a, c) > 0 ? a : c);
    }
    mpq_clear(a);
    mpq_clear(c);
}

/* The exact weights of layer l (d x m) and bias (d, zeros without bias). */
static void layer_q(mpq_t *W, mpq_t *bv, const arbnet_t a, long l)
{
    long d = a->sizes[l + 1], m = a->sizes[l];
    for (long k = 0; k < d * m; k++)
        arbnet_bound_q(W[k], a->W[l] + k, 1);   /* radius 0: the exact weight */
    for (long i = 0; i < d; i++) {
        if (a->b[l])
            arbnet_bound_q(bv[i], a->b[l] + i, 1);
        else
            mpq_set_ui(bv[i], 0, 1);
    }
}

/* AFFINE: O exactly, and B2 by the vertex maximum (Gray code: one column per step). */
static void affine_bound(bounded_t b, const arbnet_t a, long rlo, long rhi)
{
    long l = a->L - 1, d = a->sizes[l + 1], m = a->sizes[l];
    mpq_t *W = qvec_init(d * m), *bv = qvec_init(d), *y = qvec_init(d);
    mpq_t mid, rad, t, n2;
    mpq_inits(mid, rad, t, n2, NULL);
    mpq_set_si(mid, rlo + rhi, 2);
    mpq_canonicalize(mid);
    mpq_set_si(rad, rhi - rlo, 2);
    mpq_canonicalize(rad);
    layer_q(W, bv, a, l);
    for (long i = 0; i < d; i++) {          /* c_i -+ rad sum_j |W_ij| */
        mpq_set(b->olo[i], bv[i]);
        mpq_set_ui(n2, 0, 1);
        for (long j = 0; j < m; j++) {
            mpq_mul(t, W[i * m + j], mid);
            mpq_add(b->olo[i], b->olo[i], t);
            mpq_abs(t, W[i * m + j]);
            mpq_add(n2, n2, t);
        }
        mpq_mul(n2, n2, rad);
        mpq_add(b->ohi[i], b->olo[i], n2);
        mpq_sub(b->olo[i], b->olo[i], n2);
    }
    if (m > BOUNDED_VERTEX_MAX) {
        box_norm2(b->B2, (const mpq_t *) b->olo, (const mpq_t *) b->ohi, d);
        snprintf(b->method, sizeof b->method, "affine output on a bounded layer: exact "
                 "output box, B from the box");
    } else {
        /* start at the vertex h = rlo everywhere: y = W rlo 1 + b */
        unsigned long nv = 1UL << m, state = 0;
        for (long i = 0; i < d; i++) {
            mpq_set(y[i], bv[i]);
            for (long j = 0; j < m; j++) {
                mpq_set_si(t, rlo, 1);
                mpq_mul(t, t, W[i * m + j]);
                mpq_add(y[i], y[i], t);
            }
        }
        qvec_norm2(b->B2, (const mpq_t *) y, d);
        mpq_set_si(rad, rhi - rlo, 1);
        for (unsigned long g = 1; g < nv; g++) {
            long j = __builtin_ctzl(g);     /* Gray code: flip coordinate j */
            state ^= 1UL << j;
            for (long i = 0; i < d; i++) {
                mpq_mul(t, W[i * m + j], rad);
                if (state >> j & 1)
                    mpq_add(y[i], y[i], t);
                else
                    mpq_sub(y[i], y[i], t);
            }
            qvec_norm2(n2, (const mpq_t *) y, d);
            if (mpq_cmp(n2, b->B2) > 0)
                mpq_set(b->B2, n2);
        }
        snprintf(b->method, sizeof b->method, "affine output on a bounded layer: exact "
                 "output box, B^2 = exact max over the %lu vertices", nv);
    }
    mpq_clears(mid, rad, t, n2, NULL);
    qvec_clear(W, d * m);
    qvec_clear(bv, d);
    qvec_clear(y, d);
}

/* Pieces per coordinate when the box of a bounded layer of width m is subdivided:
 * K^m <= BOUNDED_PIECES. */
#define BOUNDED_PIECES 4096L
static long pieces_per_dim(long m)
{
    long K = 1;
    for (;;) {
        long p = 1, k = K + 1;
        for (long j = 0; j < m && p <= BOUNDED_PIECES; j++)
            p *= k;
        if (p > BOUNDED_PIECES)
            return K;
        K = k;
    }
}

/* INTERVAL: the box [rlo, rhi]^m of layer l cut into K^m equal sub-boxes, each propagated
 * by Arb through the layers after l; O = the hull of the outputs' rational ends, B2 = the
 * largest upper end of ||y||^2 over the pieces (each piece's output lies in its balls). */
static int interval_bound(bounded_t b, const arbnet_t a, long l, long rlo, long rhi, slong prec)
{
    long m = a->sizes[l + 1], d = b->d, K = pieces_per_dim(m);
    arb_ptr h = _arb_vec_init(m), y = _arb_vec_init(d);
    long *digit = ae_calloc((size_t) m, sizeof(long));
    arb_t n2, t;
    arb_init(n2);
    arb_init(t);
    mpq_t q;
    mpq_init(q);
    int rc = AE_OK, first = 1;
    for (;;) {
        for (long j = 0; j < m; j++) {   /* piece [rlo + w digit, rlo + w (digit + 1)], w = (rhi - rlo)/K */
            arb_set_si(h + j, (rhi - rlo) * (2 * digit[j] + 1) + 2 * rlo * K);
            arb_div_si(h + j, h + j, 2 * K, prec);
            arb_set_si(t, rhi - rlo);
            arb_div_si(t, t, 2 * K, prec);
            arb_get_ubound_arf(arb_midref(t), t, prec);   /* >= the half-width */
            arb_add_error_arf(h + j, arb_midref(t));
        }
        rc = arbnet_eval_layers(y, a, l + 1, h, prec);
        arb_zero(n2);
        for (long i = 0; rc == AE_OK && i < d; i++) {
            if (!arb_is_finite(y + i)) {
                rc = AE_ERANGE;
                break;
            }
            arb_sqr(t, y + i, prec);
            arb_add(n2, n2, t, prec);
            arbnet_bound_q(q, y + i, 0);
            if (first || mpq_cmp(q, b->olo[i]) < 0)
                mpq_set(b->olo[i], q);
            arbnet_bound_q(q, y + i, 1);
            if (first || mpq_cmp(q, b->ohi[i]) > 0)
                mpq_set(b->ohi[i], q);
        }
        if (rc != AE_OK)
            break;
        arbnet_bound_q(q, n2, 1);
        if (first || mpq_cmp(q, b->B2) > 0)
            mpq_set(b->B2, q);
        first = 0;
        long j = 0;                      /* next piece (odometer) */
        while (j < m && ++digit[j] == K)
            digit[j++] = 0;
        if (j == m)
            break;
    }
    if (rc == AE_OK) {
        long np = 1;
        for (long j = 0; j < m; j++)
            np *= K;
        snprintf(b->method, sizeof b->method, "bounded layer %ld (%s, width %ld) in %ld "
                 "pieces propagated by Arb balls (prec %ld)", l, nn_act_name(a->act[l]), m, np,
                 (long) prec);
    }
    mpq_clear(q);
    arb_clear(n2);
    arb_clear(t);
    free(digit);
    _arb_vec_clear(h, m);
    _arb_vec_clear(y, d);
    return rc;
}

/* The candidate bound from bounded layer l into c (initialised, c->d set, boxes allocated). */
static int layer_bound(bounded_t c, const arbnet_t a, long l, long rlo, long rhi, slong prec)
{
    c->layer = l;
    if (l == a->L - 1) {
        c->kind = BOUNDED_OUTPUT;
        for (long i = 0; i < c->d; i++) {
            mpq_set_si(c->olo[i], rlo, 1);
            mpq_set_si(c->ohi[i], rhi, 1);
        }
        box_norm2(c->B2, (const mpq_t *) c->olo, (const mpq_t *) c->ohi, c->d);
        snprintf(c->method, sizeof c->method, "bounded output activation %s: f in [%ld,%ld]^d",
                 nn_act_name(a->act[l]), rlo, rhi);
        return AE_OK;
    }
    if (l == a->L - 2 && a->act[a->L - 1] == NN_IDENTITY) {
        c->kind = BOUNDED_AFFINE;
        affine_bound(c, a, rlo, rhi);
        return AE_OK;
    }
    c->kind = BOUNDED_INTERVAL;
    return interval_bound(c, a, l, rlo, rhi, prec);
}

int bounded_compute(bounded_t b, const arbnet_t a, slong prec)
{
    if (b == NULL || a == NULL || a->sizes == NULL || prec < 2) {
        ae_error(__func__, "NULL argument or prec < 2");
        return AE_EINVAL;
    }
    bounded_clear(b);
    bounded_init(b);
    b->d = arbnet_dout(a);
    int found = 0;
    for (long l = a->L - 1; l >= 0; l--) {
        long rlo, rhi;
        if (!bounded_act_range(a->act[l], &rlo, &rhi))
            continue;
        bounded_t c;
        bounded_init(c);
        c->d = b->d;
        c->olo = qvec_init(c->d);
        c->ohi = qvec_init(c->d);
        if (layer_bound(c, a, l, rlo, rhi, prec) != AE_OK) {
            bounded_clear(c);
            continue;
        }
        if (!found) {                 /* the first candidate: take it whole */
            mpq_set(b->B2, c->B2);
            b->olo = c->olo;
            b->ohi = c->ohi;
            c->olo = c->ohi = NULL;
            b->kind = c->kind;
            b->layer = c->layer;
            memcpy(b->method, c->method, sizeof b->method);
        } else {                      /* intersect the boxes, keep the least B2 */
            for (long i = 0; i < b->d; i++) {
                if (mpq_cmp(c->olo[i], b->olo[i]) > 0)
                    mpq_set(b->olo[i], c->olo[i]);
                if (mpq_cmp(c->ohi[i], b->ohi[i]) < 0)
                    mpq_set(b->ohi[i], c->ohi[i]);
            }
            if (mpq_cmp(c->B2, b->B2) < 0) {
                mpq_set(b->B2, c->B2);
                b->kind = c->kind;
                b->layer = c->layer;
                memcpy(b->method, c->method, sizeof b->method);
            }
        }
        found = 1;
        bounded_clear(c);
    }
    if (!found) {
        b->d = 0;
        return AE_ERANGE;
    }
    /* the box gives a bound too */
    mpq_t q;
    mpq_init(q);
    box_norm2(q, (const mpq_t *) b->olo, (const mpq_t *) b->ohi, b->d);
    if (mpq_cmp(q, b->B2) < 0) {
        mpq_set(b->B2, q);
        size_t k = strlen(b->method);
        snprintf(b->method + k, sizeof b->method - k, "; B from the intersected output box");
    }
    mpq_clear(q);
    qnum_sqrt_upper(b->B, b->B2, BOUNDED_SQRT_PREC);
    return AE_OK;
}

void bounded_radius(mpq_t Rstar, const bounded_t b, const arb_t smin)
{
    mpq_t s;
    mpq_init(s);
    arbnet_bound_q(s, smin, 1);
    if (mpq_sgn(s) < 0)
        mpq_set_ui(s, 0, 1);
    qnum_sqrt_upper(s, s, BOUNDED_SQRT_PREC);
    mpq_add(Rstar, b->B, s);
    mpq_clear(s);
}

int bounded_scale_rows(mpq_t *Xs, const arbnet_t a, const double *X, long n, long d)
{
    if (Xs == NULL || a == NULL || (X == NULL && n > 0) || n < 0 || d != arbnet_din(a)) {
        ae_error(__func__, "NULL argument, n < 0 or d != din");
        return AE_EINVAL;
    }
    mpq_t w;
    mpq_init(w);
    for (long i = 0; i < n * d; i++) {
        long j = i % d;
        if (!isfinite(X[i])) {
            mpq_clear(w);
            return AE_ERANGE;
        }
        qnum_set_d(Xs[i], X[i]);
        if (a->nscale > 0) {
            mpq_sub(Xs[i], Xs[i], a->scale_lo[j]);
            mpq_sub(w, a->scale_hi[j], a->scale_lo[j]);
            if (mpq_sgn(w) != 0)
                mpq_div(Xs[i], Xs[i], w);
        }
    }
    mpq_clear(w);
    return AE_OK;
}

int bounded_pocket_check(int *ok, arb_t score, mpq_t dist2, const arbnet_t a, const mpq_t *p,
                         const mpq_t *Xs, long n, long d, const mpq_t delta, const arb_t smin,
                         slong prec)
{
    if (ok == NULL || score == NULL || dist2 == NULL || a == NULL || p == NULL || Xs == NULL
        || n < 1 || d != arbnet_din(a) || delta == NULL || smin == NULL) {
        ae_error(__func__, "NULL argument, n < 1 or d != din");
        return AE_EINVAL;
    }
    *ok = 0;
    arb_ptr x = _arb_vec_init(d);
    for (long j = 0; j < d; j++)
        arbnet_set_q(x + j, p[j], prec);
    int rc = arbnet_score_scaled(score, a, x, prec);
    _arb_vec_clear(x, d);
    if (rc != AE_OK)
        return rc;
    mpq_t t;
    mpq_init(t);
    for (long i = 0; i < n; i++) {
        qvec_dist2(t, p, Xs + i * d, d);
        if (i == 0 || mpq_cmp(t, dist2) < 0)
            mpq_set(dist2, t);
    }
    mpq_mul(t, delta, delta);
    arf_t su, sl;
    arf_init(su);
    arf_init(sl);
    arb_get_ubound_arf(su, score, prec);
    arb_get_lbound_arf(sl, smin, prec);
    *ok = arb_is_finite(score) && arb_is_finite(smin) && arf_cmp(su, sl) < 0
          && mpq_cmp(dist2, t) >= 0;
    arf_clear(su);
    arf_clear(sl);
    mpq_clear(t);
    return AE_OK;
}

/* ---- the float proposal ----------------------------------------------------------- */

/* The midpoint of the 64-bit Arb score at the double point x (2-D). */
static double mid_score(const arbnet_t a, arb_ptr xb, arb_t e, const double *x)
{
    arb_set_d(xb, x[0]);
    arb_set_d(xb + 1, x[1]);
    if (arbnet_score_scaled(e, a, xb, 64) != AE_OK || !arb_is_finite(e))
        return INFINITY;
    return arf_get_d(arb_midref(e), ARF_RND_NEAR);
}

/* 1 if x is at distance >= delta (squared, with a relative margin) from every row. */
static int far_from(const double *x, const double *Xsd, long n, double delta2)
{
    for (long i = 0; i < n; i++) {
        double dx = x[0] - Xsd[2 * i], dy = x[1] - Xsd[2 * i + 1];
        if (dx * dx + dy * dy < delta2)
            return 0;
    }
    return 1;
}

/* Pattern search from x (kept far), step halving from h down to 2^-40 h. */
static double refine(double *x, double fx, const arbnet_t a, arb_ptr xb, arb_t e,
                     const double *Xsd, long n, double delta2, double h)
{
    static const int dirs[4][2] = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}};
    for (int it = 0; it < 400 && h > 0; it++) {
        int moved = 0;
        for (int k = 0; k < 4; k++) {
            double y[2] = {x[0] + h * dirs[k][0], x[1] + h * dirs[k][1]};
            if (!far_from(y, Xsd, n, delta2))
                continue;
            double fy = mid_score(a, xb, e, y);
            if (fy < fx) {
                x[0] = y[0];
                x[1] = y[1];
                fx = fy;
                moved = 1;
                break;
            }
        }
        if (!moved) {
            h /= 2;
            if (h < 1e-13)
                break;
        }
    }
    return fx;
}

typedef struct { double f; long k; } scored;

static int scored_cmp(const void *p, const void *q)
{
    const scored *a = p, *b = q;
    if (a->f != b->f)
        return a->f < b->f ? -1 : 1;
    return a->k < b->k ? -1 : a->k > b->k;
}

int bounded_pocket_search(double *cand, long *found, long k, const arbnet_t a,
                          const double *Xsd, long n, const double *lo, const double *hi,
                          long G, double delta)
{
    if (cand == NULL || found == NULL || a == NULL || Xsd == NULL || lo == NULL || hi == NULL
        || k < 0 || n < 1 || G < 2 || arbnet_din(a) != 2 || arbnet_dout(a) != 2
        || !(delta >= 0)) {
        ae_error(__func__, "needs a 2-D autoencoder, n >= 1, G >= 2, delta >= 0");
        return AE_EINVAL;
    }
    double delta2 = delta * delta * (1 + 1e-9), hx = (hi[0] - lo[0]) / (double) (G - 1),
           hy = (hi[1] - lo[1]) / (double) (G - 1);
    scored *S = ae_malloc((size_t) (G * G) * sizeof *S);
    arb_ptr xb = _arb_vec_init(2);
    arb_t e;
    arb_init(e);
    long m = 0;
    for (long i = 0; i < G; i++)
        for (long j = 0; j < G; j++) {
            double x[2] = {lo[0] + hx * (double) j, lo[1] + hy * (double) i};
            if (!far_from(x, Xsd, n, delta2))
                continue;
            S[m].f = mid_score(a, xb, e, x);
            S[m++].k = i * G + j;
        }
    qsort(S, (size_t) m, sizeof *S, scored_cmp);
    *found = 0;
    for (long s = 0; s < m && *found < k; s++) {
        long i = S[s].k / G, j = S[s].k % G;
        double x[2] = {lo[0] + hx * (double) j, lo[1] + hy * (double) i};
        int distinct = 1;
        for (long c = 0; distinct && c < *found; c++) {
            double dx = x[0] - cand[2 * c], dy = x[1] - cand[2 * c + 1];
            distinct = dx * dx + dy * dy >= delta2;
        }
        if (!distinct)
            continue;
        refine(x, S[s].f, a, xb, e, Xsd, n, delta2, hx < hy ? hx : hy);
        for (long c = 0; distinct && c < *found; c++) {   /* refined onto an earlier one */
            double dx = x[0] - cand[2 * c], dy = x[1] - cand[2 * c + 1];
            distinct = dx * dx + dy * dy >= delta2;
        }
        if (!distinct)
            continue;
        cand[2 * *found] = x[0];
        cand[2 * *found + 1] = x[1];
        (*found)++;
    }
    arb_clear(e);
    _arb_vec_clear(xb, 2);
    free(S);
    return AE_OK;
}

/* ---- the scan verdict ------------------------------------------------------------- */

void bounded_scan_opts_default(bounded_scan_opts *o)
{
    o->prec = 128;
    o->map = 1;
    pocket2d_opts_default(&o->map_opts);
    o->delta = 0;
}

void bounded_scan_init(bounded_scan_t S)
{
    memset(S, 0, sizeof *S);
    bounded_init(S->bnd);
    arb_init(S->smin);
    mpq_inits(S->smin_lo, S->smin_hi, S->Rstar, NULL);
    pocket2d_init(S->map);
}

void bounded_scan_clear(bounded_scan_t S)
{
    bounded_clear(S->bnd);
    arb_clear(S->smin);
    mpq_clears(S->smin_lo, S->smin_hi, S->Rstar, NULL);
    pocket2d_clear(S->map);
    memset(S, 0, sizeof *S);
}

int bounded_scan(bounded_scan_t S, const nn_t net, const double *X, long n, long d,
                 const bounded_scan_opts *o)
{
    bounded_scan_opts def;
    bounded_scan_opts_default(&def);
    if (o == NULL)
        o = &def;
    if (S == NULL || net == NULL || X == NULL || n < 1 || d != net->sizes[0]
        || net->sizes[0] != net->sizes[net->L] || o->prec < 2) {
        ae_error(__func__, "NULL argument, n < 1, d != din or din != dout");
        return AE_EINVAL;
    }
    arbnet_t a;
    int rc = arbnet_init_nn(a, net);
    if (rc != AE_OK)
        return rc;
    rc = bounded_compute(S->bnd, a, o->prec);
    if (rc == AE_ERANGE) {
        S->verdict = BOUNDED_NOT_APPLICABLE;
        snprintf(S->why, sizeof S->why, "no layer has a bounded activation (sigmoid, tanh, "
                 "hardtanh)");
        arbnet_clear(a);
        return AE_OK;
    }
    mpq_t *Xr = qvec_init(n * d), *Xs = qvec_init(n * d);
    for (long i = 0; rc == AE_OK && i < n * d; i++) {
        if (!isfinite(X[i]))
            rc = AE_ERANGE;
        else
            qnum_set_d(Xr[i], X[i]);
    }
    if (rc == AE_OK)
        rc = arbnet_smin(S->smin, &S->smin_row, a, (const mpq_t *) Xr, n, o->prec);
    if (rc == AE_OK && !arb_is_finite(S->smin))
        rc = AE_ERANGE;
    if (rc == AE_OK) {
        arbnet_bound_q(S->smin_lo, S->smin, 0);
        arbnet_bound_q(S->smin_hi, S->smin, 1);
        bounded_radius(S->Rstar, S->bnd, S->smin);
        S->verdict = BOUNDED_SAFE_BEYOND;
        snprintf(S->method, sizeof S->method, "%s; s_min by Arb balls, prec %ld; "
                 "R* = B + sqrt(s_min upper end)", S->bnd->method, (long) o->prec);
    }
    if (rc == AE_OK && d == 2 && o->map) {
        rc = pocket2d_run(S->map, a, S->Rstar, S->smin, (const mpq_t *) S->bnd->olo,
                          (const mpq_t *) S->bnd->ohi, &o->map_opts);
        if (rc == AE_OK)
            rc = bounded_scale_rows(Xs, a, X, n, d);
        mpq_t dl;
        mpq_init(dl);
        if (o->delta > 0 && isfinite(o->delta))
            qnum_set_d(dl, o->delta);
        if (rc == AE_OK)
            rc = pocket2d_far(S->map, (const mpq_t *) Xs, n, dl);
        mpq_clear(dl);
        S->have_map = rc == AE_OK;
    }
    qvec_clear(Xr, n * d);
    qvec_clear(Xs, n * d);
    arbnet_clear(a);
    return rc;
}
