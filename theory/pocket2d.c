/* pocket2d — the certified 2-D pocket map (see pocket2d.h). */
#include "pocket2d.h"

#include <stdlib.h>
#include <string.h>

#include "aeerr.h"
#include "qnum.h"

#define P2_MAX_LEVEL 40
/* the mean-value form (arbnet_score_mv, ~3 times the cost) is tried on the last levels */
#define P2_MV_LEVELS 3

void pocket2d_opts_default(pocket2d_opts *o)
{
    o->max_boxes = 200000;
    o->max_level = 10;
    o->prec = 64;
}

void pocket2d_init(pocket2d_t P)
{
    memset(P, 0, sizeof *P);
    mpq_init(P->area);
    mpq_init(P->far_area);
    mpq_init(P->far_low_area);
}

void pocket2d_clear(pocket2d_t P)
{
    free(P->boxes);
    mpq_clear(P->area);
    mpq_clear(P->far_area);
    mpq_clear(P->far_low_area);
    memset(P, 0, sizeof *P);
}

/* ---- exact box geometry ----------------------------------------------------------- */

/* q = k 2^e. */
static void q_2exp(mpq_t q, long k, long e)
{
    mpq_set_si(q, k, 1);
    if (e >= 0)
        mpq_mul_2exp(q, q, (mp_bitcnt_t) e);
    else
        mpq_div_2exp(q, q, (mp_bitcnt_t) (-e));
}

/* Corners of (depth, i, j): lo = -H + i s, hi = lo + s, s = 2^(h + 1 - depth). */
static void box_q(mpq_t *lo, mpq_t *hi, long h, const pocket2d_box *b)
{
    long e = h + 1 - b->depth, n = 1L << b->depth;
    long idx[2] = {b->i, b->j};
    for (int c = 0; c < 2; c++) {
        q_2exp(lo[c], 2 * idx[c] - n, e - 1);         /* (2i - 2^depth) 2^(h - depth) */
        q_2exp(hi[c], 2 * idx[c] + 2 - n, e - 1);
    }
}

void pocket2d_box_q(mpq_t *lo, mpq_t *hi, const pocket2d_t P, long k)
{
    box_q(lo, hi, P->h, &P->boxes[k]);
}

void pocket2d_box_d(double *lo, double *hi, const pocket2d_t P, long k)
{
    mpq_t l[2], u[2];
    for (int c = 0; c < 2; c++) {
        mpq_init(l[c]);
        mpq_init(u[c]);
    }
    box_q(l, u, P->h, &P->boxes[k]);
    for (int c = 0; c < 2; c++) {
        lo[c] = qnum_get_d(l[c]);
        hi[c] = qnum_get_d(u[c]);
        mpq_clear(l[c]);
        mpq_clear(u[c]);
    }
}

/* r = min over t in [lo, hi] of (gap from t to [a, b])^2 summed over both coordinates,
 * i.e. dist(box, [a, b])^2; with a = b = 0 the least squared norm on the box. */
static void box_gap2(mpq_t r, const mpq_t *lo, const mpq_t *hi, const mpq_t *a,
                     const mpq_t *b, mpq_t t)
{
    mpq_set_ui(r, 0, 1);
    for (int c = 0; c < 2; c++) {
        if (mpq_cmp(hi[c], a[c]) < 0)
            mpq_sub(t, a[c], hi[c]);
        else if (mpq_cmp(lo[c], b[c]) > 0)
            mpq_sub(t, lo[c], b[c]);
        else
            continue;
        mpq_mul(t, t, t);
        mpq_add(r, r, t);
    }
}

/* r = max over the box of ||x - p||^2 (the farthest corner), p a point. */
static void box_far2(mpq_t r, const mpq_t *lo, const mpq_t *hi, const mpq_t *p, mpq_t t)
{
    mpq_t u;
    mpq_init(u);
    mpq_set_ui(r, 0, 1);
    for (int c = 0; c < 2; c++) {
        mpq_sub(t, lo[c], p[c]);
        mpq_abs(t, t);
        mpq_sub(u, hi[c], p[c]);
        mpq_abs(u, u);
        if (mpq_cmp(u, t) > 0)
            mpq_swap(t, u);
        mpq_mul(t, t, t);
        mpq_add(r, r, t);
    }
    mpq_clear(u);
}

/* The box as two exact balls. */
static void box_ball(arb_ptr x, long h, const pocket2d_box *b)
{
    long n = 1L << b->depth;
    long idx[2] = {b->i, b->j};
    for (int c = 0; c < 2; c++) {
        arb_set_si(x + c, 2 * idx[c] + 1 - n);
        arb_mul_2exp_si(x + c, x + c, h - b->depth);
        mag_one(arb_radref(x + c));
        mag_mul_2exp_si(arb_radref(x + c), arb_radref(x + c), h - b->depth);
    }
}

/* ---- the quadtree ----------------------------------------------------------------- */

typedef struct {
    pocket2d_box *v;
    long n, cap;
} box_list;

static void list_push(box_list *L, long depth, long i, long j, int status)
{
    if (L->n == L->cap) {
        L->cap = L->cap ? 2 * L->cap : 256;
        L->v = ae_realloc(L->v, (size_t) L->cap * sizeof *L->v);
    }
    pocket2d_box b = {depth, i, j, status, 0};
    L->v[L->n++] = b;
}

typedef struct {
    const arbnet_struct *a;
    const mpq_t *outlo, *outhi;
    mpq_t R2, zero[2], shi_q, lo[2], hi[2], g, t;
    arf_t slo, shi, bound;        /* the s_min enclosure's ends; a score bound */
    arb_ptr x;
    arb_t e;
    slong prec;
} p2_work;

enum { P2_HIGH_RADIUS, P2_HIGH_OUTBOX, P2_HIGH_EVAL, P2_LOW, P2_OPEN };

/* Classifies box b: HIGH by one of the three tests, LOW, or OPEN (undecided here). */
static int classify(pocket2d_t P, p2_work *w, const pocket2d_box *b)
{
    box_q(w->lo, w->hi, P->h, b);
    box_gap2(w->g, (const mpq_t *) w->lo, (const mpq_t *) w->hi, (const mpq_t *) w->zero,
             (const mpq_t *) w->zero, w->t);
    if (mpq_cmp(w->g, w->R2) > 0)
        return P2_HIGH_RADIUS;
    if (w->outlo != NULL) {
        box_gap2(w->g, (const mpq_t *) w->lo, (const mpq_t *) w->hi, w->outlo, w->outhi, w->t);
        if (mpq_cmp(w->g, w->shi_q) > 0)
            return P2_HIGH_OUTBOX;
    }
    box_ball(w->x, P->h, b);
    P->nevals++;
    for (int mv = 0; mv < 2; mv++) {
        /* the plain extension; on the last P2_MV_LEVELS levels then the mean-value form */
        int rc = mv ? arbnet_score_mv(w->e, w->a, w->x, w->prec)
                    : arbnet_score_scaled(w->e, w->a, w->x, w->prec);
        if (rc != AE_OK || !arb_is_finite(w->e))
            return P2_OPEN;
        arb_get_lbound_arf(w->bound, w->e, w->prec);
        if (arf_cmp(w->bound, w->shi) > 0)
            return P2_HIGH_EVAL;
        arb_get_ubound_arf(w->bound, w->e, w->prec);
        if (arf_cmp(w->bound, w->slo) < 0)
            return P2_LOW;
        if (b->depth + P2_MV_LEVELS <= P->max_level)
            break;
    }
    return P2_OPEN;
}

static void work_init(p2_work *w, const arbnet_t a, const mpq_t R, const arb_t smin,
                      const mpq_t *outlo, const mpq_t *outhi, slong prec)
{
    w->a = a;
    w->outlo = outlo;
    w->outhi = outhi;
    w->prec = prec;
    mpq_init(w->R2);
    mpq_mul(w->R2, R, R);
    mpq_init(w->shi_q);
    mpq_init(w->g);
    mpq_init(w->t);
    for (int c = 0; c < 2; c++) {
        mpq_init(w->zero[c]);
        mpq_init(w->lo[c]);
        mpq_init(w->hi[c]);
    }
    arf_init(w->slo);
    arf_init(w->shi);
    arf_init(w->bound);
    arb_get_lbound_arf(w->slo, smin, prec);
    arb_get_ubound_arf(w->shi, smin, prec);
    arbnet_bound_q(w->shi_q, smin, 1);
    w->x = _arb_vec_init(2);
    arb_init(w->e);
}

static void work_clear(p2_work *w)
{
    mpq_clear(w->R2);
    mpq_clear(w->shi_q);
    mpq_clear(w->g);
    mpq_clear(w->t);
    for (int c = 0; c < 2; c++) {
        mpq_clear(w->zero[c]);
        mpq_clear(w->lo[c]);
        mpq_clear(w->hi[c]);
    }
    arf_clear(w->slo);
    arf_clear(w->shi);
    arf_clear(w->bound);
    _arb_vec_clear(w->x, 2);
    arb_clear(w->e);
}

/* H = 2^h >= R: the least such h (R > 0). */
static long radius_exp(const mpq_t R)
{
    mpq_t H;
    mpq_init(H);
    long h = 0;
    mpq_set_ui(H, 1, 1);
    while (mpq_cmp(H, R) < 0) {
        mpq_mul_2exp(H, H, 1);
        h++;
    }
    for (;;) {                     /* shrink while H/2 still >= R */
        mpq_div_2exp(H, H, 1);
        if (mpq_cmp(H, R) < 0)
            break;
        h--;
    }
    mpq_clear(H);
    return h;
}

static void report(pocket2d_t P, box_list *out, const pocket2d_box *b, int status)
{
    list_push(out, b->depth, b->i, b->j, status);
    P->nlow += status == POCKET2D_LOW;
    P->npocket += status == POCKET2D_POCKET;
    P->nundecided += status == POCKET2D_UNDECIDED;
}

int pocket2d_run(pocket2d_t P, const arbnet_t a, const mpq_t R, const arb_t smin,
                 const mpq_t *outlo, const mpq_t *outhi, const pocket2d_opts *o)
{
    pocket2d_opts def;
    pocket2d_opts_default(&def);
    if (o == NULL)
        o = &def;
    if (P == NULL || a == NULL || R == NULL || smin == NULL || arbnet_din(a) != 2
        || arbnet_dout(a) != 2 || mpq_sgn(R) <= 0 || !arb_is_finite(smin)
        || (outlo == NULL) != (outhi == NULL) || o->max_boxes < 1 || o->max_level < 0
        || o->max_level > P2_MAX_LEVEL || o->prec < 2) {
        ae_error(__func__, "needs a 2-D autoencoder, R > 0, a finite s_min ball and "
                 "0 <= max_level <= %d, max_boxes >= 1", P2_MAX_LEVEL);
        return AE_EINVAL;
    }
    pocket2d_clear(P);
    pocket2d_init(P);
    P->h = radius_exp(R);
    P->max_level = o->max_level;
    p2_work w;
    work_init(&w, a, R, smin, outlo, outhi, o->prec);
    box_list stack = {NULL, 0, 0}, out = {NULL, 0, 0};
    list_push(&stack, 0, 0, 0, 0);
    while (stack.n > 0) {
        pocket2d_box b = stack.v[--stack.n];
        if (P->nevals >= o->max_boxes) {
            report(P, &out, &b, POCKET2D_UNDECIDED);
            continue;
        }
        int c = classify(P, &w, &b);
        P->nhigh_radius += c == P2_HIGH_RADIUS;
        P->nhigh_outbox += c == P2_HIGH_OUTBOX;
        P->nhigh_eval += c == P2_HIGH_EVAL;
        if (c == P2_LOW)
            report(P, &out, &b, POCKET2D_LOW);
        else if (c == P2_OPEN && b.depth >= o->max_level)
            report(P, &out, &b, POCKET2D_POCKET);
        else if (c == P2_OPEN) {       /* children NE, NW, SE, SW pushed: SW comes first */
            long d = b.depth + 1, i = 2 * b.i, j = 2 * b.j;
            list_push(&stack, d, i + 1, j + 1, 0);
            list_push(&stack, d, i, j + 1, 0);
            list_push(&stack, d, i + 1, j, 0);
            list_push(&stack, d, i, j, 0);
        }
    }
    free(stack.v);
    work_clear(&w);
    P->boxes = out.v;
    P->nboxes = out.n;
    P->complete = P->nundecided == 0;
    mpq_t s;
    mpq_init(s);
    for (long k = 0; k < P->nboxes; k++) {   /* area: (2^(h + 1 - depth))^2 each */
        q_2exp(s, 1, 2 * (P->h + 1 - P->boxes[k].depth));
        mpq_add(P->area, P->area, s);
    }
    mpq_clear(s);
    return AE_OK;
}

int pocket2d_far(pocket2d_t P, const mpq_t *rows, long n, const mpq_t delta)
{
    if (P == NULL || (rows == NULL && n > 0) || n < 0 || delta == NULL || mpq_sgn(delta) < 0) {
        ae_error(__func__, "NULL argument, n < 0 or delta < 0");
        return AE_EINVAL;
    }
    mpq_t d2, g, t, s, lo[2], hi[2];
    mpq_inits(d2, g, t, s, lo[0], lo[1], hi[0], hi[1], NULL);
    mpq_mul(d2, delta, delta);
    P->nfar = P->nnear = P->nmixed = P->nfar_low = 0;
    mpq_set_ui(P->far_area, 0, 1);
    mpq_set_ui(P->far_low_area, 0, 1);
    for (long k = 0; k < P->nboxes; k++) {
        box_q(lo, hi, P->h, &P->boxes[k]);
        int far = 1, near = 0;
        for (long i = 0; far && i < n; i++) {
            box_gap2(g, (const mpq_t *) lo, (const mpq_t *) hi, rows + 2 * i, rows + 2 * i, t);
            far = mpq_cmp(g, d2) >= 0;
        }
        for (long i = 0; !far && !near && i < n; i++) {
            box_far2(g, (const mpq_t *) lo, (const mpq_t *) hi, rows + 2 * i, t);
            near = mpq_cmp(g, d2) < 0;
        }
        P->boxes[k].far = far ? 1 : near ? 0 : 2;
        P->nnear += near;
        P->nmixed += !far && !near;
        if (far) {
            P->nfar++;
            q_2exp(s, 1, 2 * (P->h + 1 - P->boxes[k].depth));
            mpq_add(P->far_area, P->far_area, s);
            if (P->boxes[k].status == POCKET2D_LOW) {
                P->nfar_low++;
                mpq_add(P->far_low_area, P->far_low_area, s);
            }
        }
    }
    mpq_clears(d2, g, t, s, lo[0], lo[1], hi[0], hi[1], NULL);
    return AE_OK;
}
