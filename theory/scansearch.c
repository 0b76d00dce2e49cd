/* scansearch — see scansearch.h.  A float heuristic only: scan.c certifies. */
#include "scansearch.h"

#include "aeerr.h"
#include "synth.h"   /* synth_gaussian: portable N(0,1) */

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double ssearch_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double) t.tv_sec + 1e-9 * (double) t.tv_nsec;
}

static void ss_zero(ssearch_t F)
{
    memset(F, 0, sizeof *F);
}

void ssearch_clear(ssearch_t F)
{
    if (F->W != NULL)
        for (long l = 0; l < F->L; l++)
            free(F->W[l]);
    if (F->b != NULL)
        for (long l = 0; l < F->L; l++)
            free(F->b[l]);
    free(F->W);
    free(F->b);
    free(F->sizes);
    free(F->act);
    free(F->slope);
    free(F->z);
    free(F->h);
    free(F->delta);
    free(F->tmp);
    ss_zero(F);
}

static int build(ssearch_t F, const qnet_t f0);

int ssearch_init(ssearch_t F, const qnet_t f0)
{
    if (F == NULL || f0 == NULL) {
        ae_error(__func__, "NULL argument");
        return AE_EINVAL;
    }
    ss_zero(F);
    if (!qnet_is_homogeneous(f0) || qnet_din(f0) != qnet_dout(f0)) {
        ae_error(__func__, "f0 must be a homogeneous network with din == dout");
        return AE_EINVAL;
    }
    return build(F, f0);
}

int ssearch_init_net(ssearch_t F, const qnet_t f)
{
    if (F == NULL || f == NULL) {
        ae_error(__func__, "NULL argument");
        return AE_EINVAL;
    }
    ss_zero(F);
    if (qnet_din(f) != qnet_dout(f)) {
        ae_error(__func__, "need din == dout");
        return AE_EINVAL;
    }
    return build(F, f);
}

static int build(ssearch_t F, const qnet_t f0)
{
    long L = f0->L;
    F->L = L;
    F->d = qnet_din(f0);
    F->sizes = ae_calloc((size_t) L + 1, sizeof(long));
    F->act = ae_calloc((size_t) L, sizeof(int));
    F->slope = ae_calloc((size_t) L, sizeof(double));
    F->W = ae_calloc((size_t) L, sizeof(double *));
    F->b = ae_calloc((size_t) L, sizeof(double *));
    if (!F->sizes || !F->act || !F->slope || !F->W || !F->b) {
        ssearch_clear(F);
        return AE_ENOMEM;
    }
    for (long l = 0; l <= L; l++) {
        F->sizes[l] = f0->sizes[l];
        if (F->sizes[l] > F->wmax)
            F->wmax = F->sizes[l];
    }
    for (long l = 0; l < L; l++) {
        long r = f0->sizes[l + 1], c = f0->sizes[l];
        F->act[l] = f0->act[l];
        F->W[l] = ae_malloc((size_t) (r * c) * sizeof(double));
        if (f0->b[l] != NULL)
            F->b[l] = ae_malloc((size_t) r * sizeof(double));
        if (F->W[l] == NULL || (f0->b[l] != NULL && F->b[l] == NULL)) {
            ssearch_clear(F);
            return AE_ENOMEM;
        }
        int st = qnet_layer_double(F->W[l], F->b[l], &F->slope[l], f0, l);
        if (st != AE_OK) {
            ssearch_clear(F);
            return st;
        }
    }
    size_t lw = (size_t) (L + 1) * (size_t) F->wmax;
    F->z = ae_calloc(lw, sizeof(double));
    F->h = ae_calloc(lw, sizeof(double));
    F->delta = ae_calloc((size_t) F->wmax, sizeof(double));
    F->tmp = ae_calloc((size_t) F->wmax, sizeof(double));
    if (!F->z || !F->h || !F->delta || !F->tmp) {
        ssearch_clear(F);
        return AE_ENOMEM;
    }
    return AE_OK;
}

static double act_value(int act, double slope, double z)
{
    switch (act) {
    case QNET_RELU: return z > 0 ? z : 0;
    case QNET_LEAKY: return z > 0 ? z : slope * z;
    case QNET_ZERO: return 0;
    case QNET_HARDTANH: return z > 1 ? 1 : z < -1 ? -1 : z;
    default: return z;
    }
}

static double act_deriv(int act, double slope, double z)
{
    switch (act) {
    case QNET_RELU: return z > 0 ? 1 : 0;
    case QNET_LEAKY: return z > 0 ? 1 : slope;
    case QNET_ZERO: return 0;
    case QNET_HARDTANH: return z > -1 && z < 1 ? 1 : 0;
    default: return 1;
    }
}

/* Forward pass keeping every layer: h[0] = v, h[l+1] = act(z[l+1]), z[l+1] = W_l h[l]. */
static void forward(ssearch_t F, const double *v)
{
    long w = F->wmax;
    memcpy(F->h, v, (size_t) F->d * sizeof(double));
    for (long l = 0; l < F->L; l++) {
        long r = F->sizes[l + 1], c = F->sizes[l];
        const double *hin = F->h + l * w, *W = F->W[l], *b = F->b[l];
        double *zo = F->z + (l + 1) * w, *ho = F->h + (l + 1) * w;
        for (long i = 0; i < r; i++) {
            double s = b != NULL ? b[i] : 0;
            const double *row = W + i * c;
            for (long j = 0; j < c; j++)
                s += row[j] * hin[j];
            zo[i] = s;
            ho[i] = act_value(F->act[l], F->slope[l], s);
        }
    }
}

void ssearch_f0(ssearch_t F, double *y, const double *v)
{
    forward(F, v);
    memcpy(y, F->h + F->L * F->wmax, (size_t) F->d * sizeof(double));
}

static void backprop(ssearch_t F, const double *x, const double *y);

double ssearch_rate(ssearch_t F, const double *v, double *grad)
{
    long d = F->d, w = F->wmax;
    double nv2 = 0;
    for (long j = 0; j < d; j++)
        nv2 += v[j] * v[j];
    if (!(nv2 > 0))
        return INFINITY;
    forward(F, v);
    const double *y = F->h + F->L * w;
    double r2 = 0;
    for (long j = 0; j < d; j++) {
        double r = v[j] - y[j];
        r2 += r * r;
    }
    double g = r2 / nv2;
    if (grad == NULL)
        return g;
    backprop(F, v, y);
    /* d/dv of r.r / v.v = 2 (r - A^T r) / v.v - 2 g v / v.v; then the tangential part */
    double dot = 0;
    for (long j = 0; j < d; j++) {
        grad[j] = 2 * ((v[j] - y[j]) - F->delta[j]) / nv2;
        dot += grad[j] * v[j];
    }
    for (long j = 0; j < d; j++)
        grad[j] -= dot * v[j] / nv2;
    return g;
}

/* delta = J^T r, r = x - y, by back-propagation through the last forward pass. */
static void backprop(ssearch_t F, const double *x, const double *y)
{
    long d = F->d, w = F->wmax;
    for (long j = 0; j < d; j++)
        F->delta[j] = x[j] - y[j];
    for (long l = F->L - 1; l >= 0; l--) {
        long r = F->sizes[l + 1], c = F->sizes[l];
        const double *zo = F->z + (l + 1) * w, *W = F->W[l];
        for (long i = 0; i < r; i++)
            F->delta[i] *= act_deriv(F->act[l], F->slope[l], zo[i]);
        for (long j = 0; j < c; j++)
            F->tmp[j] = 0;
        for (long i = 0; i < r; i++) {
            const double *row = W + i * c;
            double di = F->delta[i];
            if (di != 0)
                for (long j = 0; j < c; j++)
                    F->tmp[j] += row[j] * di;
        }
        memcpy(F->delta, F->tmp, (size_t) c * sizeof(double));
    }
}

double ssearch_score(ssearch_t F, const double *x, double *grad)
{
    long d = F->d;
    forward(F, x);
    const double *y = F->h + F->L * F->wmax;
    double s = 0;
    for (long j = 0; j < d; j++)
        s += (x[j] - y[j]) * (x[j] - y[j]);
    if (grad != NULL) {
        backprop(F, x, y);
        for (long j = 0; j < d; j++)
            grad[j] = 2 * ((x[j] - y[j]) - F->delta[j]);
    }
    return s;
}

/* x = centre + rfar (x - centre) / ||x - centre|| when x is closer than rfar. */
static void push_out(double *x, const double *centre, double rfar, long d)
{
    double s = 0;
    for (long j = 0; j < d; j++)
        s += (x[j] - centre[j]) * (x[j] - centre[j]);
    s = sqrt(s);
    if (s >= rfar || !(s > 0))
        return;
    for (long j = 0; j < d; j++)
        x[j] = centre[j] + (x[j] - centre[j]) * (rfar / s);
}

double ssearch_far_descent(ssearch_t F, double *x, const double *centre, double rfar,
                           long maxiter, double deadline, long *nevals)
{
    long d = F->d;
    double *g = malloc((size_t) d * sizeof(double)), *t = malloc((size_t) d * sizeof(double));
    if (g == NULL || t == NULL) {
        free(g);
        free(t);
        return NAN;
    }
    push_out(x, centre, rfar, d);
    double s = ssearch_score(F, x, g), step = 1e-3 * rfar;
    ++*nevals;
    for (long it = 0; it < maxiter && step > 1e-15 * rfar && s > 0; it++) {
        if (deadline > 0 && (it & 7) == 0 && ssearch_now() > deadline)
            break;
        double gn = 0;
        for (long j = 0; j < d; j++)
            gn += g[j] * g[j];
        gn = sqrt(gn);
        if (!(gn > 0) || !isfinite(gn))
            break;
        for (long j = 0; j < d; j++)
            t[j] = x[j] - step * g[j] / gn;
        push_out(t, centre, rfar, d);
        double st = ssearch_score(F, t, NULL);
        ++*nevals;
        if (st < s) {
            memcpy(x, t, (size_t) d * sizeof(double));
            s = ssearch_score(F, x, g);
            ++*nevals;
            step *= 2;
        } else {
            step /= 4;
        }
    }
    free(g);
    free(t);
    return s;
}

/* ---- the search --------------------------------------------------------------------- */

static int normalise(double *v, long d)
{
    double s = 0;
    for (long j = 0; j < d; j++)
        s += v[j] * v[j];
    if (!(s > 0) || !isfinite(s))
        return 0;
    s = sqrt(s);
    for (long j = 0; j < d; j++)
        v[j] /= s;
    return 1;
}

typedef struct {
    double *v;          /* ncap x d */
    double *g;
    long n, cap, d;
} pool_t;

static int pool_add(pool_t *P, const double *v, double g)
{
    if (P->n == P->cap) {
        long nc = P->cap ? 2 * P->cap : 64;
        double *nv = realloc(P->v, (size_t) (nc * P->d) * sizeof(double));
        if (nv == NULL)
            return AE_ENOMEM;
        P->v = nv;
        double *ng = realloc(P->g, (size_t) nc * sizeof(double));
        if (ng == NULL)
            return AE_ENOMEM;
        P->g = ng;
        P->cap = nc;
    }
    memcpy(P->v + P->n * P->d, v, (size_t) P->d * sizeof(double));
    P->g[P->n++] = g;
    return AE_OK;
}

static int add_seed(pool_t *P, ssearch_t F, double *v, long *nevals)
{
    if (!normalise(v, F->d))
        return AE_OK;
    double g = ssearch_rate(F, v, NULL);
    ++*nevals;
    if (!isfinite(g))
        return AE_OK;
    return pool_add(P, v, g);
}

/* Leading principal directions of the rows (power iteration, deflation); each found
 * direction is added with both signs. */
static int principal_seeds(pool_t *P, ssearch_t F, const double *Xs, long m, long *nevals,
                           gsl_rng *rng)
{
    long d = F->d;
    if (m < 2)
        return AE_OK;
    double *mean = calloc((size_t) d, sizeof(double));
    double *pc = calloc((size_t) (SSEARCH_NPC * d), sizeof(double));
    double *v = calloc((size_t) d, sizeof(double)), *u = calloc((size_t) d, sizeof(double));
    int st = AE_OK;
    if (!mean || !pc || !v || !u) {
        st = AE_ENOMEM;
        goto done;
    }
    for (long i = 0; i < m; i++)
        for (long j = 0; j < d; j++)
            mean[j] += Xs[i * d + j];
    for (long j = 0; j < d; j++)
        mean[j] /= (double) m;
    long npc = SSEARCH_NPC < d ? SSEARCH_NPC : d;
    for (long k = 0; k < npc && st == AE_OK; k++) {
        for (long j = 0; j < d; j++)
            v[j] = synth_gaussian(rng, 1.0);
        normalise(v, d);
        for (int it = 0; it < 30; it++) {
            for (long j = 0; j < d; j++)
                u[j] = 0;
            for (long i = 0; i < m; i++) {
                const double *x = Xs + i * d;
                double s = 0;
                for (long j = 0; j < d; j++)
                    s += (x[j] - mean[j]) * v[j];
                for (long j = 0; j < d; j++)
                    u[j] += s * (x[j] - mean[j]);
            }
            for (long q = 0; q < k; q++) {   /* deflate the earlier directions */
                const double *p = pc + q * d;
                double s = 0;
                for (long j = 0; j < d; j++)
                    s += u[j] * p[j];
                for (long j = 0; j < d; j++)
                    u[j] -= s * p[j];
            }
            if (!normalise(u, d))
                break;
            memcpy(v, u, (size_t) d * sizeof(double));
        }
        memcpy(pc + k * d, v, (size_t) d * sizeof(double));
        st = add_seed(P, F, v, nevals);
        for (long j = 0; j < d; j++)
            u[j] = -pc[k * d + j];
        if (st == AE_OK)
            st = add_seed(P, F, u, nevals);
    }
done:
    free(mean);
    free(pc);
    free(v);
    free(u);
    return st;
}

/* Projected gradient descent on the sphere from v (unit, updated in place). */
static double descend(ssearch_t F, double *v, double g, double deadline, long *nevals,
                      double *grad, double *trial)
{
    long d = F->d;
    double step = 0.1;
    g = ssearch_rate(F, v, grad);
    ++*nevals;
    for (int it = 0; it < SSEARCH_MAXITER && step > 1e-14 && g > 0; it++) {
        if (deadline > 0 && (it & 7) == 0 && ssearch_now() > deadline)
            break;
        for (long j = 0; j < d; j++)
            trial[j] = v[j] - step * grad[j];
        if (!normalise(trial, d))
            break;
        double gt = ssearch_rate(F, trial, NULL);
        ++*nevals;
        if (gt < g) {
            double rel = (g - gt) / g;
            memcpy(v, trial, (size_t) d * sizeof(double));
            g = ssearch_rate(F, v, grad);
            ++*nevals;
            step *= 2;
            if (rel < 1e-13)
                break;
        } else {
            step /= 4;
        }
    }
    return g;
}

static const double *sort_g;
static int cmp_idx(const void *a, const void *b)
{
    long i = *(const long *) a, j = *(const long *) b;
    if (sort_g[i] < sort_g[j]) return -1;
    if (sort_g[i] > sort_g[j]) return 1;
    return (i > j) - (i < j);
}

/* Sorted order of the pool (ascending g, ties by index). */
static long *pool_order(const pool_t *P)
{
    long *idx = malloc((size_t) (P->n > 0 ? P->n : 1) * sizeof(long));
    if (idx == NULL)
        return NULL;
    for (long i = 0; i < P->n; i++)
        idx[i] = i;
    sort_g = P->g;
    qsort(idx, (size_t) P->n, sizeof(long), cmp_idx);
    sort_g = NULL;
    return idx;
}

static void progress(const ssearch_opts *o, const char *stage, long done, long total)
{
    if (o->progress != NULL)
        o->progress(o->progress_arg, stage, done, total);
}

static int seed_pool(pool_t *P, ssearch_t F, const double *Xs, long m, const double *centre,
                     const ssearch_opts *o, gsl_rng *rng, long *nevals, double *v)
{
    long d = F->d;
    int st = AE_OK;
    for (long k = 0; k < o->ndirs && st == AE_OK; k++) {
        for (long j = 0; j < d; j++)
            v[j] = synth_gaussian(rng, 1.0);
        st = add_seed(P, F, v, nevals);
    }
    if (st == AE_OK)
        st = principal_seeds(P, F, Xs, m, nevals, rng);
    long stride = m > 64 ? m / 64 : 1;
    for (long i = 0; i < m && st == AE_OK; i += stride) {
        for (long j = 0; j < d; j++)
            v[j] = Xs[i * d + j] - centre[j];
        st = add_seed(P, F, v, nevals);
        for (long j = 0; j < d && st == AE_OK; j++)
            v[j] = centre[j] - Xs[i * d + j];
        if (st == AE_OK)
            st = add_seed(P, F, v, nevals);
    }
    return st;
}

/* The distinct best of the pool into R. */
static int pick_best(ssearch_result *R, const pool_t *P)
{
    long d = P->d;
    long *idx = pool_order(P);
    if (idx == NULL)
        return AE_ENOMEM;
    R->dirs = malloc((size_t) (SSEARCH_NBEST * d) * sizeof(double));
    if (R->dirs == NULL) {
        free(idx);
        return AE_ENOMEM;
    }
    R->nbest = 0;
    for (long k = 0; k < P->n && R->nbest < SSEARCH_NBEST; k++) {
        const double *v = P->v + idx[k] * d;
        int dup = 0;
        for (long q = 0; q < R->nbest && !dup; q++) {
            double s = 0;
            for (long j = 0; j < d; j++)
                s += v[j] * R->dirs[q * d + j];
            dup = fabs(s) > 1 - 1e-9 && s > 0;
        }
        if (dup)
            continue;
        memcpy(R->dirs + R->nbest * d, v, (size_t) d * sizeof(double));
        R->rate[R->nbest++] = P->g[idx[k]];
    }
    free(idx);
    return AE_OK;
}

void ssearch_result_clear(ssearch_result *R)
{
    if (R == NULL)
        return;
    free(R->dirs);
    memset(R, 0, sizeof *R);
}

int ssearch_run(ssearch_result *R, ssearch_t F, const double *Xs, long m,
                const double *centre, const ssearch_opts *o)
{
    if (R == NULL || F == NULL || centre == NULL || o == NULL || (m > 0 && Xs == NULL)
        || m < 0 || o->ndirs < 0) {
        ae_error(__func__, "NULL argument or negative count");
        return AE_EINVAL;
    }
    memset(R, 0, sizeof *R);
    long d = F->d;
    pool_t P = { NULL, NULL, 0, 0, d };
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    double *v = malloc((size_t) d * sizeof(double));
    double *grad = malloc((size_t) d * sizeof(double));
    double *trial = malloc((size_t) d * sizeof(double));
    int st = AE_OK;
    long *idx = NULL;
    if (rng == NULL || !v || !grad || !trial) {
        st = AE_ENOMEM;
        goto done;
    }
    gsl_rng_set(rng, o->seed);
    progress(o, "seed directions", 0, 1);
    st = seed_pool(&P, F, Xs, m, centre, o, rng, &R->nevals, v);
    R->nseeds = P.n;
    if (st != AE_OK)
        goto done;
    idx = pool_order(&P);
    if (idx == NULL) {
        st = AE_ENOMEM;
        goto done;
    }
    long nd = P.n < SSEARCH_NDESCENT ? P.n : SSEARCH_NDESCENT;
    for (long k = 0; k < nd && st == AE_OK; k++) {
        if (o->deadline > 0 && ssearch_now() > o->deadline) {
            R->timed_out = 1;
            break;
        }
        progress(o, "descent", k, nd);
        memcpy(v, P.v + idx[k] * d, (size_t) d * sizeof(double));
        double g = descend(F, v, P.g[idx[k]], o->deadline, &R->nevals, grad, trial);
        st = pool_add(&P, v, g);
    }
    if (st == AE_OK && o->deadline > 0 && ssearch_now() > o->deadline)
        R->timed_out = 1;
    progress(o, "descent", nd, nd);
    if (st == AE_OK)
        st = pick_best(R, &P);
done:
    free(idx);
    free(P.v);
    free(P.g);
    free(v);
    free(grad);
    free(trial);
    if (rng)
        gsl_rng_free(rng);
    if (st != AE_OK)
        ssearch_result_clear(R);
    return st;
}
