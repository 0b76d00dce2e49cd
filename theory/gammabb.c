/* gammabb — see gammabb.h.  Rigorous enclosures in double with outward error terms;
 * the derivations are cited beside each step. */
#include "gammabb.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aeerr.h"
#include "scansearch.h"

#define MIN_EDGE 0x1p-38      /* boxes with a shorter longest edge are not split */
#define LOWER 0
#define UPPER 1

/* One ulp outwards of a round-to-nearest result: the exact value lies within half an
 * ulp of it, so up(RN(x)) >= x >= dn(RN(x)). */
static double up(double x) { return nextafter(x, INFINITY); }
static double dn(double x) { return nextafter(x, -INFINITY); }

/* >= |fl(sum) - sum| for a dot product of n terms in round-to-nearest whose computed
 * sum of |terms| is sabs: gamma_n S + n 2^-1074 (Higham, Accuracy and Stability, Thm
 * 3.1, and one underflow error per product) with S <= sabs / (1 - gamma_n); the factor
 * 2 (n + 4) 2^-53 exceeds gamma_n / (1 - gamma_n) with room for this line's roundings. */
static double dot_err(double sabs, long n)
{
    return up(up(sabs * (2.0 * (double) (n + 4) * 0x1p-53)) + (double) (n + 1) * 0x1p-1074);
}

void gammabb_opts_default(gammabb_opts *o)
{
    if (o == NULL)
        return;
    o->max_boxes = 1L << 17;
    o->deadline = 0;
    o->target = 0;
    o->hint_ub = 0;
    o->nsamples = 256;
    o->seed = 1;
    o->corrupt = 1;
    o->refine = 0.81;
}

/* ---- the prepared network ----------------------------------------------------------- */

static void zero_struct(gammabb_t G)
{
    memset(G, 0, sizeof *G);
}

void gammabb_clear(gammabb_t G)
{
    if (G->W)
        for (long l = 0; l < G->L; l++)
            free(G->W[l]);
    free(G->W);
    free(G->sizes);
    free(G->act);
    free(G->slope);
    free(G->fa);
    free(G->fb);
    free(G->ia);
    free(G->ib);
    free(G->x);
    free(G->y);
    free(G->bm);
    free(G->br);
    zero_struct(G);
}

static int check_net(const qnet_t f0)
{
    if (f0 == NULL) {
        ae_error("gammabb_init", "NULL argument");
        return AE_EINVAL;
    }
    if (!qnet_is_homogeneous(f0) || qnet_din(f0) != qnet_dout(f0)) {
        ae_error("gammabb_init", "need a positively homogeneous f0 with din == dout");
        return AE_EINVAL;
    }
    return AE_OK;
}

static int copy_layers(gammabb_t G, const qnet_t f0)
{
    int st = AE_OK;
    for (long l = 0; l < G->L && st == AE_OK; l++) {
        long nw = G->sizes[l + 1] * G->sizes[l];
        G->W[l] = ae_malloc((size_t) (nw > 0 ? nw : 1) * sizeof(double));
        if (G->W[l] == NULL)
            return AE_ENOMEM;
        G->act[l] = f0->act[l];
        st = qnet_layer_double(G->W[l], NULL, &G->slope[l], f0, l);
        /* the relaxation needs a convex nondecreasing unit */
        if (st == AE_OK && f0->act[l] == QNET_LEAKY && !(G->slope[l] >= 0 && G->slope[l] <= 1))
            st = AE_ERANGE;
    }
    return st;
}

int gammabb_init(gammabb_t G, const qnet_t f0)
{
    zero_struct(G);
    int st = check_net(f0);
    if (st != AE_OK)
        return st;
    long L = f0->L, d = qnet_din(f0), wmax = 1;
    for (long l = 0; l <= L; l++)
        if (f0->sizes[l] > wmax)
            wmax = f0->sizes[l];
    G->L = L;
    G->d = d;
    G->wmax = wmax;
    size_t nf = (size_t) (2 * wmax * (d + 1));
    G->sizes = ae_malloc((size_t) (L + 1) * sizeof(long));
    G->act = ae_malloc((size_t) L * sizeof(int));
    G->slope = ae_malloc((size_t) L * sizeof(double));
    G->W = ae_calloc((size_t) L, sizeof(double *));
    G->fa = ae_malloc(nf * sizeof(double));
    G->fb = ae_malloc(nf * sizeof(double));
    G->ia = ae_malloc((size_t) (2 * wmax) * sizeof(double));
    G->ib = ae_malloc((size_t) (2 * wmax) * sizeof(double));
    G->x = ae_malloc((size_t) wmax * sizeof(double));
    G->y = ae_malloc((size_t) wmax * sizeof(double));
    G->bm = ae_malloc((size_t) d * sizeof(double));
    G->br = ae_malloc((size_t) d * sizeof(double));
    if (!G->sizes || !G->act || !G->slope || !G->W || !G->fa || !G->fb || !G->ia || !G->ib
        || !G->x || !G->y || !G->bm || !G->br) {
        gammabb_clear(G);
        return AE_ENOMEM;
    }
    for (long l = 0; l <= L; l++)
        G->sizes[l] = f0->sizes[l];
    st = copy_layers(G, f0);
    if (st != AE_OK)
        gammabb_clear(G);
    return st;
}

/* ---- float evaluation --------------------------------------------------------------- */

double gammabb_ratio(gammabb_t G, const double *v)
{
    long d = G->d;
    double *x = G->x, *y = G->y;
    memcpy(x, v, (size_t) d * sizeof(double));
    for (long l = 0; l < G->L; l++) {
        long ni = G->sizes[l], no = G->sizes[l + 1];
        const double *W = G->W[l];
        for (long i = 0; i < no; i++) {
            double z = 0;
            for (long k = 0; k < ni; k++)
                z += W[i * ni + k] * x[k];
            if (G->act[l] == QNET_ZERO)
                z = 0;
            else if (G->act[l] != QNET_IDENTITY && z < 0)
                z *= G->slope[l];
            y[i] = z;
        }
        double *t = x;
        x = y;
        y = t;
    }
    double num = 0, den = 0;
    for (long j = 0; j < d; j++) {
        double g = v[j] - x[j];
        num += g * g;
        den += v[j] * v[j];
    }
    return den > 0 ? num / den : INFINITY;
}

/* ---- symbolic bounds on a box ------------------------------------------------------- */

/* Form of unit i, side s (LOWER/UPPER), in a layer buffer F: d + 1 entries (t_0..t_{d-1},
 * constant). */
#define FORM(G, F, s, i) ((F) + ((long) (s) * (G)->wmax + (i)) * ((G)->d + 1))
#define IV(G, I, s, i) ((I)[(long) (s) * (G)->wmax + (i)])

/* min (side LOWER) or max (UPPER) of the form over t in [-1, 1]^d, rounded outwards. */
static double concretize(const double *F, long d, int side)
{
    double s = 0;
    for (long j = 0; j < d; j++)
        s = up(s + fabs(F[j]));
    return side == LOWER ? dn(F[d] - s) : up(F[d] + s);
}

/* F := k F + b for a form of side `side` (k >= 0 keeps the side): coefficients in
 * round-to-nearest, each error (<= |result| 2^-52 + 2^-1074, since |t_j| <= 1) moved into
 * the constant outwards. */
static void scale_form(double *F, long d, double k, double b, int side)
{
    if (k == 1 && b == 0)
        return;
    double E = 0;
    for (long j = 0; j < d; j++) {
        F[j] = k * F[j];
        E = up(E + up(fabs(F[j]) * 0x1p-52 + 0x1p-1074));
    }
    if (side == LOWER)
        F[d] = dn(dn(dn(k * F[d]) + b) - E);
    else
        F[d] = up(up(up(k * F[d]) + b) + E);
}

/* Pre-activation forms and interval of unit i of layer l from the previous layer's forms
 * Fi and intervals Ii; writes into Fo, Io. */
static void affine_unit(gammabb_t G, long l, long i, const double *Fi, const double *Ii,
                        double *Fo, double *Io)
{
    long d = G->d, ni = G->sizes[l];
    const double *w = G->W[l] + i * ni;
    for (int side = LOWER; side <= UPPER; side++) {
        double *o = FORM(G, Fo, side, i), E = 0;
        for (long j = 0; j <= d; j++) {
            double c = 0, sa = 0;
            for (long k = 0; k < ni; k++) {
                /* the lower form of w h uses h's lower form when w > 0, its upper else */
                int from = (w[k] > 0) == (side == LOWER) ? LOWER : UPPER;
                double t = w[k] * FORM(G, Fi, from, k)[j];
                c += t;
                sa += fabs(t);
            }
            o[j] = c;
            E = up(E + dot_err(sa, ni));
        }
        o[d] = side == LOWER ? dn(o[d] - E) : up(o[d] + E);
        /* plain interval arithmetic on the concrete bounds */
        double c = 0, sa = 0;
        for (long k = 0; k < ni; k++) {
            int from = (w[k] > 0) == (side == LOWER) ? LOWER : UPPER;
            double t = w[k] * IV(G, Ii, from, k);
            c += t;
            sa += fabs(t);
        }
        double e = dot_err(sa, ni);
        double ia = side == LOWER ? dn(c - e) : up(c + e);
        double sy = concretize(o, d, side);
        /* both are rigorous; fmax/fmin prefer the one that is not NaN */
        if (G->mode == GAMMABB_SYMBOLIC)
            ia = side == LOWER ? -INFINITY : INFINITY;
        else if (G->mode == GAMMABB_INTERVAL)
            sy = side == LOWER ? -INFINITY : INFINITY;
        IV(G, Io, side, i) = side == LOWER ? fmax(ia, sy) : fmin(ia, sy);
    }
}

/* The activation of layer l on unit i (forms and interval in place). */
static void activate_unit(gammabb_t G, long l, long i, double *F, double *I)
{
    long d = G->d;
    int a = G->act[l];
    double *lo = FORM(G, F, LOWER, i), *hi = FORM(G, F, UPPER, i);
    double zl = IV(G, I, LOWER, i), zu = IV(G, I, UPPER, i), s = G->slope[l];
    if (a == QNET_IDENTITY || (a != QNET_ZERO && zl >= 0))
        return;
    if (a == QNET_ZERO || (zu <= 0 && s == 0)) {
        memset(lo, 0, (size_t) (d + 1) * sizeof(double));
        memset(hi, 0, (size_t) (d + 1) * sizeof(double));
        IV(G, I, LOWER, i) = IV(G, I, UPPER, i) = 0;
        return;
    }
    if (zu <= 0) {                     /* sigma(z) = s z on the whole interval */
        scale_form(lo, d, s, 0, LOWER);
        scale_form(hi, d, s, 0, UPPER);
        IV(G, I, LOWER, i) = dn(s * zl);
        IV(G, I, UPPER, i) = up(s * zu);
        return;
    }
    if (!(zl < 0 && zu > 0)) {         /* NaN: give up on this unit's forms */
        IV(G, I, LOWER, i) = -INFINITY;
        IV(G, I, UPPER, i) = INFINITY;
        lo[d] = -INFINITY;
        hi[d] = INFINITY;
        return;
    }
    /* chord k z + b through (zl, s zl), (zu, zu), b raised until the line is above both
     * end points exactly: then above sigma on [zl, zu] by convexity; k >= 0. */
    double k = (zu - s * zl) / (zu - zl);
    double b1 = up(zu - dn(k * zu));
    double b2 = up(up(s * zl) - dn(k * zl));
    scale_form(hi, d, k, b1 > b2 ? b1 : b2, UPPER);
    /* lambda z <= max(z, s z) = sigma(z) for lambda in [s, 1] */
    scale_form(lo, d, zu >= -zl ? 1 : s, 0, LOWER);
    IV(G, I, LOWER, i) = s == 0 ? 0 : dn(s * zl);
    /* IV upper stays zu = sigma(zu) */
}

/* s = a + b; 1 when that sum is exact (TwoSum: the rounding error is computed exactly,
 * Knuth, TAOCP 4.2.2). */
static int sum_exact(double *s, double a, double b)
{
    *s = a + b;
    double bb = *s - a, err = (a - (*s - bb)) + (b - bb);
    return err == 0 && isfinite(*s);
}

/* Centre m and radius r with [lo, hi] inside [m - r, m + r]: exactly m +- r = hi, lo when
 * the halvings are exact (always for the dyadic boxes of the branch and bound), else r
 * is rounded up so that the interval still covers the box. */
static void centre_radius(double *m, double *r, double lo, double hi)
{
    double sum, dif;
    int ok = sum_exact(&sum, hi, lo) & sum_exact(&dif, hi, -lo);
    *m = sum / 2;
    *r = dif / 2;
    if (ok && *m * 2 == sum && *r * 2 == dif)
        return;
    double r1 = up(hi - *m), r2 = up(*m - lo);
    *r = r1 > r2 ? r1 : r2;
}

/* Input forms: v_j = m_j + r_j t_j, over a box containing the given one. */
static void input_forms(gammabb_t G, const double *lo, const double *hi)
{
    long d = G->d;
    for (long i = 0; i < d; i++)
        centre_radius(&G->bm[i], &G->br[i], lo[i], hi[i]);
    for (int side = LOWER; side <= UPPER; side++)
        for (long i = 0; i < d; i++) {
            double *F = FORM(G, G->fa, side, i);
            memset(F, 0, (size_t) (d + 1) * sizeof(double));
            F[i] = G->br[i];
            F[d] = G->bm[i];
            IV(G, G->ia, side, i) = side == LOWER ? lo[i] : hi[i];
        }
}

/* The enclosure [gl, gu] of g_i = v_i - f0_i(v) from the output forms (Fo, Io). */
static void g_interval(double *gl, double *gu, gammabb_t G, long i, const double *lo,
                       const double *hi, const double *Fo, const double *Io)
{
    long d = G->d;
    double r = G->br[i], m = G->bm[i];      /* the input forms' centre and radius */
    for (int side = LOWER; side <= UPPER; side++) {
        /* lower of v - f0 uses f0's upper form and vice versa */
        const double *F = FORM(G, Fo, 1 - side, i);
        double s = 0, c = r - F[i], E = up(fabs(c) * 0x1p-52 + 0x1p-1074);
        for (long j = 0; j < d; j++)
            s = up(s + (j == i ? fabs(c) : fabs(F[j])));
        double sy, ia;
        int nosy = G->mode == GAMMABB_INTERVAL, noia = G->mode == GAMMABB_SYMBOLIC;
        if (side == LOWER) {
            sy = dn(dn(dn(m - F[d]) - E) - s);
            ia = dn(lo[i] - IV(G, Io, UPPER, i));
            *gl = fmax(nosy ? -INFINITY : sy, noia ? -INFINITY : ia);
        } else {
            sy = up(up(up(m - F[d]) + E) + s);
            ia = up(hi[i] - IV(G, Io, LOWER, i));
            *gu = fmin(nosy ? INFINITY : sy, noia ? INFINITY : ia);
        }
    }
}

/* The forms and intervals of every layer on the box; the output layer's end in *Fo, *Io. */
static void propagate(gammabb_t G, const double *lo, const double *hi, double **Fo_,
                      double **Io_)
{
    input_forms(G, lo, hi);
    double *Fi = G->fa, *Fo = G->fb, *Ii = G->ia, *Io = G->ib;
    for (long l = 0; l < G->L; l++) {
        for (long i = 0; i < G->sizes[l + 1]; i++) {
            affine_unit(G, l, i, Fi, Ii, Fo, Io);
            activate_unit(G, l, i, Fo, Io);
        }
        double *t = Fi; Fi = Fo; Fo = t;
        t = Ii; Ii = Io; Io = t;
    }
    *Fo_ = Fi;
    *Io_ = Ii;
}

static double box_bound(gammabb_t G, const double *lo, const double *hi)
{
    long d = G->d;
    double *Fi, *Ii;
    propagate(G, lo, hi, &Fi, &Ii);
    double num = 0, den = 0;
    for (long i = 0; i < d; i++) {
        double gl = NAN, gu = NAN;
        g_interval(&gl, &gu, G, i, lo, hi, Fi, Ii);
        double dist = gl > 0 ? gl : (gu < 0 ? -gu : 0);
        if (!(gl <= gu))               /* NaN (or an impossible empty enclosure) */
            return 0;
        num = dn(num + dn(dist * dist));
        double a = fmax(fabs(lo[i]), fabs(hi[i]));
        den = up(den + up(a * a));
    }
    if (!(isfinite(num) && isfinite(den) && den > 0 && num > 0))
        return 0;
    double lb = dn(num / den);
    return lb > 0 && isfinite(lb) ? lb : 0;
}

int gammabb_box(double *lb, gammabb_t G, const double *lo, const double *hi)
{
    if (lb == NULL || G == NULL || lo == NULL || hi == NULL || G->W == NULL) {
        ae_error("gammabb_box", "NULL argument");
        return AE_EINVAL;
    }
    for (long j = 0; j < G->d; j++)
        if (!(lo[j] <= hi[j]) || !isfinite(lo[j]) || !isfinite(hi[j])) {
            ae_error("gammabb_box", "need finite lo_j <= hi_j (j = %ld)", j);
            return AE_EINVAL;
        }
    *lb = box_bound(G, lo, hi);
    return AE_OK;
}

int gammabb_enclose(double *gl, double *gu, gammabb_t G, const double *lo,
                    const double *hi, int mode)
{
    if (gl == NULL || gu == NULL || G == NULL || lo == NULL || hi == NULL || G->W == NULL) {
        ae_error("gammabb_enclose", "NULL argument");
        return AE_EINVAL;
    }
    if (mode < GAMMABB_BOTH || mode > GAMMABB_INTERVAL) {
        ae_error("gammabb_enclose", "bad mode %d", mode);
        return AE_EINVAL;
    }
    for (long j = 0; j < G->d; j++)
        if (!(lo[j] <= hi[j]) || !isfinite(lo[j]) || !isfinite(hi[j])) {
            ae_error("gammabb_enclose", "need finite lo_j <= hi_j (j = %ld)", j);
            return AE_EINVAL;
        }
    double *Fo, *Io;
    G->mode = mode;
    propagate(G, lo, hi, &Fo, &Io);
    for (long i = 0; i < G->d; i++)
        g_interval(&gl[i], &gu[i], G, i, lo, hi, Fo, Io);
    G->mode = GAMMABB_BOTH;
    return AE_OK;
}

/* ---- branch and bound --------------------------------------------------------------- */

typedef struct {
    gammabb_struct *G;
    long d, n, cap;                /* boxes in the pool */
    double *lo, *hi, *lb, *edge;   /* per box: ends (d each), bound, longest free edge */
    long *heap, nheap;             /* min-heap on (lb, -edge) */
    double corrupt;
} bb_pool;

static int before(const bb_pool *P, long a, long b)
{
    if (P->lb[a] != P->lb[b])
        return P->lb[a] < P->lb[b];
    return P->edge[a] > P->edge[b];
}

static void heap_push(bb_pool *P, long k)
{
    long i = P->nheap++;
    P->heap[i] = k;
    while (i > 0 && before(P, P->heap[i], P->heap[(i - 1) / 2])) {
        long p = (i - 1) / 2, t = P->heap[p];
        P->heap[p] = P->heap[i];
        P->heap[i] = t;
        i = p;
    }
}

static long heap_pop(bb_pool *P)
{
    long top = P->heap[0], i = 0;
    P->heap[0] = P->heap[--P->nheap];
    for (;;) {
        long a = 2 * i + 1, b = a + 1, m = i;
        if (a < P->nheap && before(P, P->heap[a], P->heap[m])) m = a;
        if (b < P->nheap && before(P, P->heap[b], P->heap[m])) m = b;
        if (m == i)
            break;
        long t = P->heap[m];
        P->heap[m] = P->heap[i];
        P->heap[i] = t;
        i = m;
    }
    return top;
}

static int pool_grow(bb_pool *P)
{
    if (P->n < P->cap)
        return AE_OK;
    long nc = P->cap ? 2 * P->cap : 64;
    size_t nd = (size_t) (nc * P->d) * sizeof(double);
    double *lo = ae_realloc(P->lo, nd);
    if (lo) P->lo = lo;
    double *hi = lo ? ae_realloc(P->hi, nd) : NULL;
    if (hi) P->hi = hi;
    double *lb = hi ? ae_realloc(P->lb, (size_t) nc * sizeof(double)) : NULL;
    if (lb) P->lb = lb;
    double *ed = lb ? ae_realloc(P->edge, (size_t) nc * sizeof(double)) : NULL;
    if (ed) P->edge = ed;
    long *hp = ed ? ae_realloc(P->heap, (size_t) nc * sizeof(long)) : NULL;
    if (hp == NULL)
        return AE_ENOMEM;
    P->heap = hp;
    P->cap = nc;
    return AE_OK;
}

static void pool_free(bb_pool *P)
{
    free(P->lo);
    free(P->hi);
    free(P->lb);
    free(P->edge);
    free(P->heap);
}

static int past(const gammabb_opts *o)
{
    return o->deadline > 0 && ssearch_now() > o->deadline;
}

/* Bounds box k, updates ub / vmin from its centre, pushes it.  With eval == 0 (out of
 * time) the box enters the cover with bound 0. */
static void bound_box(bb_pool *P, gammabb_result_t R, long k, double *cen, int eval)
{
    long d = P->d;
    double *lo = P->lo + k * d, *hi = P->hi + k * d, e = 0;
    for (long j = 0; j < d; j++) {
        cen[j] = (lo[j] + hi[j]) / 2;
        if (hi[j] - lo[j] > e)
            e = hi[j] - lo[j];
    }
    P->edge[k] = e;
    if (!eval) {
        P->lb[k] = 0;
        heap_push(P, k);
        return;
    }
    P->lb[k] = box_bound(P->G, lo, hi);
    if (P->corrupt != 1)
        P->lb[k] *= P->corrupt;
    R->nboxes++;
    double r = gammabb_ratio(P->G, cen);
    if (r < R->ub) {
        R->ub = r;
        memcpy(R->vmin, cen, (size_t) d * sizeof(double));
    }
    heap_push(P, k);
}

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* The first ub: random points on the faces. */
static void sample_faces(gammabb_t G, gammabb_result_t R, const gammabb_opts *o, double *v)
{
    long d = G->d;
    uint64_t s = o->seed;
    for (long k = 0; k < o->nsamples; k++) {
        for (long j = 0; j < d; j++)
            v[j] = (double) (splitmix(&s) >> 11) * 0x1p-52 - 1;
        long f = (long) (splitmix(&s) % (uint64_t) (2 * d));
        v[f / 2] = f % 2 ? 1 : -1;
        double r = gammabb_ratio(G, v);
        if (r < R->ub) {
            R->ub = r;
            memcpy(R->vmin, v, (size_t) d * sizeof(double));
        }
    }
}

void gammabb_result_init(gammabb_result_t R)
{
    memset(R, 0, sizeof *R);
    mpq_init(R->gamma2);
}

void gammabb_result_clear(gammabb_result_t R)
{
    free(R->vmin);
    mpq_clear(R->gamma2);
    R->vmin = NULL;
}

static int check_run(gammabb_result_t R, gammabb_t G, const gammabb_opts *o)
{
    if (R == NULL || G == NULL || o == NULL || G->W == NULL) {
        ae_error("gammabb_run", "NULL argument (or G not initialised)");
        return AE_EINVAL;
    }
    if (o->max_boxes < 1 || o->nsamples < 0 || !(o->corrupt > 0) || isnan(o->target)
        || isnan(o->hint_ub) || !(o->refine >= 0 && o->refine < 1)) {
        ae_error("gammabb_run", "bad options (max_boxes >= 1, nsamples >= 0, corrupt > 0, "
                 "0 <= refine < 1)");
        return AE_EINVAL;
    }
    return AE_OK;
}

/* Splits box k at the midpoint of its longest free edge into k and a new box; 0 when the
 * box is too small (or a point) to split. */
static int split_box(bb_pool *P, long k, long *knew)
{
    long d = P->d, jm = -1;
    double e = 0;
    for (long j = 0; j < d; j++)
        if (P->hi[k * d + j] - P->lo[k * d + j] > e) {
            e = P->hi[k * d + j] - P->lo[k * d + j];
            jm = j;
        }
    if (jm < 0 || e < MIN_EDGE)
        return 0;
    long n = P->n++;
    memcpy(P->lo + n * d, P->lo + k * d, (size_t) d * sizeof(double));
    memcpy(P->hi + n * d, P->hi + k * d, (size_t) d * sizeof(double));
    double mid = (P->lo[k * d + jm] + P->hi[k * d + jm]) / 2;   /* exact (dyadics) */
    P->hi[k * d + jm] = mid;
    P->lo[n * d + jm] = mid;
    *knew = n;
    return 1;
}

/* The automatic target frac * ub only goes down (ub only goes down). */
static void update_target(gammabb_result_t R, const gammabb_opts *o, double frac)
{
    if (o->target <= 0 && R->ub * frac < R->target)
        R->target = R->ub * frac;
}

/* Splits the least box until the cover closes (every leaf > target), a fixed-point
 * candidate appears, `limit` leaves exist or the deadline passes. */
/* The least bound over the leaves (heap and frozen), 0 when not positive. */
static double cover_min(const bb_pool *P, double frozen_min)
{
    double g = frozen_min;
    if (P->nheap > 0 && P->lb[P->heap[0]] < g)
        g = P->lb[P->heap[0]];
    return g > 0 && isfinite(g) ? g : 0;
}

static int bb_loop(bb_pool *P, gammabb_result_t R, const gammabb_opts *o, double frac,
                   long limit, double *cen, double *frozen_min)
{
    R->status = GAMMABB_BUDGET;
    for (long it = 0;; it++) {
        update_target(R, o, frac);
        if (R->ub < GAMMABB_TINY) {
            R->status = GAMMABB_FIXED;
            return AE_OK;
        }
        if (P->nheap == 0 || P->lb[P->heap[0]] > R->target) {
            R->status = GAMMABB_CLOSED;
            return AE_OK;
        }
        if (P->nheap + R->nfrozen >= limit)
            return AE_OK;
        if (past(o)) {                      /* a clock read is cheap beside a box */
            R->timed_out = 1;
            return AE_OK;
        }
        if (pool_grow(P) != AE_OK)
            return AE_ENOMEM;
        long k = heap_pop(P), kn;
        if (!split_box(P, k, &kn)) {
            if (P->lb[k] < *frozen_min)
                *frozen_min = P->lb[k];
            R->nfrozen++;
            continue;
        }
        bound_box(P, R, k, cen, 1);
        bound_box(P, R, kn, cen, !past(o));
    }
}

int gammabb_run(gammabb_result_t R, gammabb_t G, const gammabb_opts *o)
{
    int st = check_run(R, G, o);
    if (st != AE_OK)
        return st;
    long d = G->d;
    free(R->vmin);
    R->nboxes = R->nleaves = R->nfrozen = 0;
    R->timed_out = 0;
    mpq_set_ui(R->gamma2, 0, 1);
    R->status = GAMMABB_BUDGET;
    R->vmin = ae_calloc((size_t) d, sizeof(double));
    double *cen = ae_malloc((size_t) d * sizeof(double));
    bb_pool P;
    memset(&P, 0, sizeof P);
    P.G = G;
    P.d = d;
    P.corrupt = o->corrupt;
    if (R->vmin == NULL || cen == NULL) {
        free(cen);
        return AE_ENOMEM;
    }
    R->ub = o->hint_ub > 0 ? o->hint_ub : INFINITY;
    R->target = o->target > 0 ? o->target : INFINITY;
    sample_faces(G, R, o, cen);
    for (long f = 0; f < 2 * d && st == AE_OK; f++) {       /* the faces */
        st = pool_grow(&P);
        if (st != AE_OK)
            break;
        long k = P.n++;
        for (long j = 0; j < d; j++) {
            P.lo[k * d + j] = -1;
            P.hi[k * d + j] = 1;
        }
        P.lo[k * d + f / 2] = P.hi[k * d + f / 2] = f % 2 ? 1 : -1;
        int eval = !past(o);
        if (!eval)
            R->timed_out = 1;
        bound_box(&P, R, k, cen, eval);
    }
    double frozen_min = INFINITY, best = 0, best_target = 0;
    if (st == AE_OK)
        st = bb_loop(&P, R, o, 0.25, o->max_boxes, cen, &frozen_min);
    if (st == AE_OK && R->status == GAMMABB_CLOSED) {
        best = cover_min(&P, frozen_min);
        best_target = R->target;
        if (o->target <= 0 && o->refine > 0 && best > 0) {
            /* refine: a closed cover stays a certificate whatever the next phase does
             * (a child's bound may even be below its parent's), so keep the best */
            long lim = 8 * (P.nheap + R->nfrozen) + 64;
            R->target = o->refine * R->ub;
            st = bb_loop(&P, R, o, o->refine, lim < o->max_boxes ? lim : o->max_boxes, cen,
                         &frozen_min);
            if (R->status == GAMMABB_CLOSED && cover_min(&P, frozen_min) > best) {
                best = cover_min(&P, frozen_min);
                best_target = R->target;
            }
            R->status = GAMMABB_CLOSED;
            R->target = best_target;
        }
    }
    if (st == AE_OK && R->status != GAMMABB_FIXED) {
        double g = cover_min(&P, frozen_min);
        if (g < best)
            g = best;
        mpq_set_d(R->gamma2, g);                  /* exact: a double is a dyadic */
        if (R->status == GAMMABB_CLOSED && !(g > R->target))
            R->status = GAMMABB_BUDGET;           /* a frozen leaf stayed below target */
    }
    R->nleaves = P.nheap + R->nfrozen;
    pool_free(&P);
    free(cen);
    return st;
}
