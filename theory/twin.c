/* twin — see twin.h.  The twin's scan, Arb scores of the smooth net, the transfer of the
 * twin's certificates through K. */
#include "twin.h"

#include "aeerr.h"
#include "arbnet.h"
#include "farfield.h"
#include "qmat.h"
#include "qnet.h"
#include "qnum.h"
#include "ray.h"
#include "smooth.h"
#include "tset.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TWIN_SQRT_BITS 65
#define TWIN_SEARCH_PREC 64
#define TWIN_DESCENT_ITERS 150

void twin_init(twin_t T)
{
    memset(T, 0, sizeof *T);
    mpq_inits(T->K, T->smin_up, T->point_dist_lb, T->far_lb, T->ray_bound, T->R, T->level,
              (mpq_ptr) NULL);
    scan_init(T->S);
    arb_init(T->smin);
    arb_init(T->point_score);
}

void twin_clear(twin_t T)
{
    if (T->point) qvec_clear(T->point, T->d);
    if (T->point_raw) qvec_clear(T->point_raw, T->d);
    mpq_clears(T->K, T->smin_up, T->point_dist_lb, T->far_lb, T->ray_bound, T->R, T->level,
               (mpq_ptr) NULL);
    scan_clear(T->S);
    arb_clear(T->smin);
    arb_clear(T->point_score);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + 1e-9 * (double) ts.tv_nsec;
}

/* The run's context. */
typedef struct {
    twin_struct *T;
    const scan_opts *o;
    nn_t g;
    qnet_t q;                   /* the twin, exact */
    arbnet_t A;                 /* the smooth net, Arb */
    tset_t ts;                  /* the twin's training facts (centre, rho2, diam2) */
    mpq_t *Xq;                  /* n x d raw rows, exact */
    mpq_t rho_up;
    int have_q, have_A, have_ts;
} twin_ctx;

/* Offers the scaled point p: kept when far and its score's upper end is the least so far. */
static int offer(twin_ctx *c, const mpq_t *p, const char *from)
{
    twin_struct *T = c->T;
    long d = T->d;
    mpq_t lb;
    mpq_init(lb);
    mpq_t *raw = qvec_init(d);
    arb_t e;
    arb_init(e);
    int st = tset_dist_lb(lb, c->ts, p, d);
    if (st != AE_OK || mpq_cmp(lb, T->far_lb) < 0)
        goto done;
    scan_unscale_point(raw, c->q, p, d);
    st = arbnet_score_q(e, c->A, (const mpq_t *) raw, d, T->prec);
    if (st != AE_OK)
        goto done;
    T->ncandidates++;
    arf_t u1, u2;
    arf_init(u1);
    arf_init(u2);
    arb_get_ubound_arf(u1, e, T->prec);
    arb_get_ubound_arf(u2, T->point_score, T->prec);
    if (arb_is_finite(e) && (!T->have_point || arf_cmp(u1, u2) < 0)) {
        qvec_set(T->point, p, d);
        qvec_set(T->point_raw, (const mpq_t *) raw, d);
        arb_set(T->point_score, e);
        mpq_set(T->point_dist_lb, lb);
        snprintf(T->point_from, sizeof T->point_from, "%s", from);
        T->have_point = 1;
        T->have_anomaly = arb_le(e, T->smin);
    }
    arf_clear(u1);
    arf_clear(u2);
done:
    arb_clear(e);
    qvec_clear(raw, d);
    mpq_clear(lb);
    return st;
}

/* tf = a dyadic t with ||x0 + t v - centre|| >= (far_lb + rho_up) 1025/1024 for t >= tf
 * (t ||v|| - ||x0 - centre|| >= that suffices, triangle inequality); v != 0. */
static void t_far(twin_ctx *c, mpq_t tf, const mpq_t *x0, const mpq_t *v)
{
    long d = c->T->d;
    mpq_t a, b;
    mpq_inits(a, b, (mpq_ptr) NULL);
    qvec_dist2(a, x0, (const mpq_t *) c->ts->centre, d);
    qnum_sqrt_upper(b, a, TWIN_SQRT_BITS);
    mpq_add(b, b, c->T->far_lb);
    mpq_add(b, b, c->rho_up);
    mpq_set_ui(a, 1025, 1024);
    mpq_mul(b, b, a);
    qvec_norm2(a, v, d);
    qnum_sqrt_lower(tf, a, TWIN_SQRT_BITS);
    mpq_div(tf, b, tf);
    mpz_t z;
    mpz_init(z);
    mpz_mul_2exp(z, mpq_numref(tf), 16);
    mpz_cdiv_q(z, z, mpq_denref(tf));
    mpq_set_z(tf, z);
    mpq_div_2exp(tf, tf, 16);
    mpz_clear(z);
    mpq_clears(a, b, (mpq_ptr) NULL);
}

/* Step 2: the twin's far point and the rays along +-dir from f's minimising row and the
 * centre. */
static int candidates(twin_ctx *c, const mpq_t *xmin)
{
    twin_struct *T = c->T;
    scan_struct *S = T->S;
    long d = T->d;
    int st = AE_OK;
    if (mpq_sgn(S->anomaly_dist_lb) > 0)
        st = offer(c, (const mpq_t *) S->anomaly, "twin far point");
    if (st != AE_OK || S->dir == NULL || qvec_is_zero((const mpq_t *) S->dir, d))
        return st;
    mpq_t *v = qvec_init(d), *p = qvec_init(d);
    mpq_t t, tk;
    mpq_inits(t, tk, (mpq_ptr) NULL);
    const mpq_t *bases[2] = {xmin, (const mpq_t *) c->ts->centre};
    static const char *const from[2][2] = {
        {"twin direction from the minimising row", "-(twin direction) from the minimising row"},
        {"twin direction from the centre", "-(twin direction) from the centre"}};
    for (int b = 0; b < 2 && st == AE_OK; b++)
        for (int sg = 0; sg < 2 && st == AE_OK; sg++) {
            qvec_set(v, (const mpq_t *) S->dir, d);
            for (long j = 0; sg && j < d; j++)
                mpq_neg(v[j], v[j]);
            t_far(c, t, bases[b], (const mpq_t *) v);
            for (long k = 0; k < TWIN_NRAY && st == AE_OK; k++) {
                mpq_mul_2exp(tk, t, (mp_bitcnt_t) k);
                for (long j = 0; j < d; j++) {
                    mpq_mul(p[j], v[j], tk);
                    mpq_add(p[j], p[j], bases[b][j]);
                }
                st = offer(c, (const mpq_t *) p, from[b][sg]);
            }
        }
    mpq_clears(t, tk, (mpq_ptr) NULL);
    qvec_clear(v, d);
    qvec_clear(p, d);
    return st;
}

/* The score of f at the double point x (scaled space) as the midpoint of a 64-bit Arb
 * ball: deterministic on every machine; a proposal only. */
static double fscore(twin_ctx *c, arb_ptr xb, const double *x)
{
    long d = c->T->d;
    arb_t e;
    arb_init(e);
    for (long j = 0; j < d; j++)
        arb_set_d(xb + j, x[j]);
    double v = arbnet_score_scaled(e, c->A, xb, TWIN_SEARCH_PREC) == AE_OK && arb_is_finite(e)
             ? arf_get_d(arb_midref(e), ARF_RND_NEAR) : INFINITY;
    arb_clear(e);
    return v;
}

/* Projects x onto { ||x - centre|| >= r }. */
static void project(double *x, const double *cen, double r, long d)
{
    double n2 = 0;
    for (long j = 0; j < d; j++)
        n2 += (x[j] - cen[j]) * (x[j] - cen[j]);
    double n = sqrt(n2);
    if (n >= r || !(n > 0))
        return;
    for (long j = 0; j < d; j++)
        x[j] = cen[j] + (x[j] - cen[j]) * (r / n);
}

/* Step 2b: a projected descent of f's score over the far region from x (in place), by
 * central-difference gradients and a backtracking step. */
static void descend(twin_ctx *c, arb_ptr xb, double *x, const double *cen, double r)
{
    long d = c->T->d;
    double *g = malloc((size_t) (2 * d) * sizeof(double)), *y = g ? g + d : NULL;
    if (g == NULL)
        return;
    project(x, cen, r, d);
    double fx = fscore(c, xb, x), step = 1e-2 * r;
    for (long it = 0; it < TWIN_DESCENT_ITERS && step > 1e-12 * r && isfinite(fx); it++) {
        double gn = 0;
        for (long j = 0; j < d; j++) {
            double h = 1e-6 * (1 + fabs(x[j])), s = x[j];
            x[j] = s + h;
            double fp = fscore(c, xb, x);
            x[j] = s - h;
            double fm = fscore(c, xb, x);
            x[j] = s;
            g[j] = (fp - fm) / (2 * h);
            gn += g[j] * g[j];
        }
        gn = sqrt(gn);
        if (!(gn > 0) || !isfinite(gn))
            break;
        for (long j = 0; j < d; j++)
            y[j] = x[j] - step * g[j] / gn;
        project(y, cen, r, d);
        double fy = fscore(c, xb, y);
        if (fy < fx) {
            memcpy(x, y, (size_t) d * sizeof(double));
            fx = fy;
            step *= 1.5;
        } else {
            step /= 2;
        }
    }
    free(g);
}

/* Descents from the best far point and from centre +- r dir/||dir||; each end point is
 * offered exactly (rational from the double) and certified or discarded by offer(). */
static int far_descent(twin_ctx *c)
{
    twin_struct *T = c->T;
    long d = T->d;
    double *x = malloc((size_t) (2 * d) * sizeof(double)), *cen = x ? x + d : NULL;
    mpq_t *p = qvec_init(d);
    arb_ptr xb = _arb_vec_init(d);
    if (x == NULL || p == NULL) {
        free(x);
        if (p) qvec_clear(p, d);
        _arb_vec_clear(xb, d);
        return AE_ENOMEM;
    }
    double r = (mpq_get_d(T->far_lb) + mpq_get_d(c->rho_up)) * 1.01, dn = 0;
    for (long j = 0; j < d; j++) {
        cen[j] = mpq_get_d(c->ts->centre[j]);
        dn += T->S->dir ? mpq_get_d(T->S->dir[j]) * mpq_get_d(T->S->dir[j]) : 0;
    }
    dn = sqrt(dn);
    int st = AE_OK;
    for (int k = 0; k < 3 && st == AE_OK; k++) {
        if (k == 0 && !T->have_point)
            continue;
        if (k > 0 && !(dn > 0))
            break;
        for (long j = 0; j < d; j++)
            x[j] = k == 0 ? mpq_get_d(T->point[j])
                 : cen[j] + (k == 1 ? r : -r) * mpq_get_d(T->S->dir[j]) / dn;
        descend(c, xb, x, cen, r);
        int finite = 1;
        for (long j = 0; j < d; j++) {
            finite &= isfinite(x[j]);
            if (finite)
                mpq_set_d(p[j], x[j]);
        }
        if (finite)
            st = offer(c, (const mpq_t *) p, "descent of the smooth score");
    }
    _arb_vec_clear(xb, d);
    qvec_clear(p, d);
    free(x);
    return st;
}

/* Step 3: the twin's blind ray from its minimising row. */
static int ray_bound(twin_ctx *c)
{
    twin_struct *T = c->T;
    scan_struct *S = T->S;
    if (!S->blind)
        return AE_OK;
    ray_final_t RF;
    ray_final_init(RF, c->q);
    int st = ray_final(RF, c->q, (const mpq_t *) c->ts->xmin, (const mpq_t *) S->dir, T->d);
    if (st == AE_OK && RF->has_score && mpq_sgn(RF->a) == 0 && mpq_sgn(RF->b) == 0) {
        qnum_sqrt_upper(T->ray_bound, RF->c, TWIN_SQRT_BITS);
        mpq_add(T->ray_bound, T->ray_bound, T->K);
        mpq_mul(T->ray_bound, T->ray_bound, T->ray_bound);
        T->have_ray = 1;
    }
    ray_final_clear(RF);
    return st;
}

/* Step 4. */
static int radius(twin_ctx *c, const nn_t twin_net, const double *X)
{
    twin_struct *T = c->T;
    scan_struct *S = T->S;
    mpq_t Kt;
    mpq_init(Kt);
    int st = AE_OK;
    /* s' = (K + sqrt(s_up))^2, rounded up */
    qnum_sqrt_upper(T->level, T->smin_up, TWIN_SQRT_BITS);
    mpq_add(T->level, T->level, T->K);
    mpq_mul(T->level, T->level, T->level);
    if (mpq_sgn(S->gamma2_lb) > 0) {
        mpq_add(Kt, S->K, T->K);
        st = ff_radius(T->R, Kt, T->smin_up, S->gamma2_lb);
        if (st == AE_OK) {
            T->have_R = 1;
            snprintf(T->R_how, sizeof T->R_how, "(K_twin + K + sqrt(s_up))/gamma_twin");
        } else if (st == AE_ERANGE) {
            st = AE_OK;
        }
    } else if (T->d == 2) {
        scan_opts o2 = *c->o;
        o2.level = T->level;
        o2.progress = NULL;
        scan_t S2;
        scan_init(S2);
        st = scan_run(S2, twin_net, X, T->n, T->d, &o2);
        if (st == AE_OK && S2->verdict == SCAN_SAFE) {
            mpq_set(T->R, S2->R);
            T->have_R = 1;
            snprintf(T->R_how, sizeof T->R_how, "2-D twin scan at level (K + sqrt(s_up))^2");
        } else if (st == AE_OK) {
            snprintf(T->why, sizeof T->why, "2-D twin scan at level (K + sqrt(s_up))^2 = %.6g: %s",
                     mpq_get_d(T->level), S2->verdict == SCAN_FAILS
                     ? "a far twin point scores below that level" : S2->why);
        }
        scan_clear(S2);
    } else {
        snprintf(T->why, sizeof T->why, "the twin has no certified gamma > 0 (d = %ld)", T->d);
    }
    mpq_clear(Kt);
    return st;
}

static int check_args(const twin_t T, const nn_t net, const double *X, long n, long d,
                      const scan_opts *o, slong prec)
{
    if (T == NULL || net == NULL || X == NULL || o == NULL || prec < 2 || o->level != NULL) {
        ae_error("twin_run", "NULL argument, prec < 2 or a level in the options");
        return AE_EINVAL;
    }
    if (n < 1 || d != net->sizes[0] || net->sizes[0] != net->sizes[net->L]) {
        ae_error("twin_run", "need n >= 1 and d = din = dout");
        return AE_EINVAL;
    }
    return AE_OK;
}

static void reset(twin_t T, long n, long d, slong prec)
{
    if (T->point) qvec_clear(T->point, T->d);
    if (T->point_raw) qvec_clear(T->point_raw, T->d);
    T->d = d;
    T->n = n;
    T->prec = prec;
    T->point = qvec_init(d);
    T->point_raw = qvec_init(d);
    T->verdict = SCAN_UNDECIDED;
    T->have_point = T->have_anomaly = T->have_ray = T->have_R = 0;
    T->ncandidates = 0;
    T->smin_row = 0;
    T->point_from[0] = T->R_how[0] = T->method[0] = T->why[0] = '\0';
    arb_indeterminate(T->smin);
    arb_indeterminate(T->point_score);
    mpq_set_ui(T->K, 0, 1);
    mpq_set_ui(T->R, 0, 1);
}

/* The smooth net's s_min (Arb) and its minimising row, scaled. */
static int smooth_smin(twin_ctx *c, const double *X, mpq_t *xmin)
{
    twin_struct *T = c->T;
    long n = T->n, d = T->d;
    c->Xq = qvec_init(n * d);
    if (c->Xq == NULL)
        return AE_ENOMEM;
    for (long k = 0; k < n * d; k++)
        mpq_set_d(c->Xq[k], X[k]);
    int st = arbnet_smin(T->smin, &T->smin_row, c->A, (const mpq_t *) c->Xq, n, T->prec);
    if (st == AE_OK && !arb_is_finite(T->smin))
        st = AE_ERANGE;
    if (st == AE_OK) {
        arbnet_bound_q(T->smin_up, T->smin, 1);
        st = qnet_scale_point(xmin, c->q, (const mpq_t *) c->Xq + T->smin_row * d, d);
    }
    return st;
}

/* Progress through the scan options' callback (when set). */
static void stage(const twin_ctx *c, const char *name)
{
    if (c->o->progress != NULL)
        c->o->progress(c->o->progress_arg, name, 0, 1);
}

static void ctx_clear(twin_ctx *c)
{
    if (c->Xq) qvec_clear(c->Xq, c->T->n * c->T->d);
    if (c->have_ts) tset_clear(c->ts);
    if (c->have_A) arbnet_clear(c->A);
    if (c->have_q) qnet_clear(c->q);
    nn_clear(c->g);
    mpq_clear(c->rho_up);
}

static void decide(twin_t T)
{
    T->verdict = T->have_anomaly ? SCAN_FAILS : T->have_R ? SCAN_SAFE : SCAN_UNDECIDED;
    if (T->verdict != SCAN_UNDECIDED)
        T->why[0] = '\0';
    else if (T->why[0] == '\0')
        snprintf(T->why, sizeof T->why, "no certified anomaly and no radius");
    snprintf(T->method, sizeof T->method,
             "ReLU twin scanned exactly (%.256s); K = %.6g by per-unit delta and layer-norm "
             "bounds (smooth_bound); smooth scores and s_min by Arb ball arithmetic "
             "(arbnet), prec %ld bits; %ld far candidates%s%s", T->S->method[0] ? T->S->method
             : "scan", mpq_get_d(T->K), (long) T->prec, T->ncandidates,
             T->have_R ? "; R = " : "", T->have_R ? T->R_how : "");
}

int twin_run(twin_t T, const nn_t net, const double *X, long n, long d, const scan_opts *o,
             slong prec)
{
    int st = check_args(T, net, X, n, d, o, prec);
    if (st != AE_OK)
        return st;
    double t0 = now_s();
    reset(T, n, d, prec);
    twin_ctx c;
    memset(&c, 0, sizeof c);
    c.T = T;
    c.o = o;
    mpq_init(c.rho_up);
    st = smooth_bound(T->K, net);
    if (st == AE_OK)
        st = smooth_twin(c.g, net);
    else
        memset(c.g, 0, sizeof c.g);
    if (st == AE_ERANGE) {
        snprintf(T->why, sizeof T->why, "an activation without a ReLU twin (tanh, sigmoid)");
        ctx_clear(&c);
        return st;
    }
    if (st == AE_OK)
        st = scan_run(T->S, c.g, X, n, d, o);
    if (st == AE_OK && (st = qnet_init_nn(c.q, c.g)) == AE_OK)
        c.have_q = 1;
    if (st == AE_OK && (st = arbnet_init_nn(c.A, net)) == AE_OK)
        c.have_A = 1;
    if (st == AE_OK) {
        tset_init(c.ts);
        c.have_ts = 1;
        st = tset_compute(c.ts, c.q, X, n, d);
    }
    mpq_t *xmin = qvec_init(d);
    if (st == AE_OK) {
        /* far_lb = far_ratio * (an upper bound of the diameter), as scan's */
        qnum_sqrt_upper(T->far_lb, c.ts->diam2, TWIN_SQRT_BITS);
        mpq_set_si(c.rho_up, o->far_ratio, 1);
        mpq_mul(T->far_lb, T->far_lb, c.rho_up);
        qnum_sqrt_upper(c.rho_up, c.ts->rho2, TWIN_SQRT_BITS);
        stage(&c, "smooth s_min (Arb)");
        st = smooth_smin(&c, X, xmin);
    }
    if (st == AE_OK) {
        stage(&c, "smooth far points (Arb)");
        st = candidates(&c, (const mpq_t *) xmin);
    }
    if (st == AE_OK && !T->have_anomaly) {
        stage(&c, "smooth far descent");
        st = far_descent(&c);
    }
    if (st == AE_OK)
        st = ray_bound(&c);
    if (st == AE_OK && !T->have_anomaly) {
        stage(&c, "smooth radius");
        st = radius(&c, c.g, X);
    }
    qvec_clear(xmin, d);
    if (st == AE_OK && T->have_point && !T->have_anomaly && T->why[0] == '\0')
        snprintf(T->why, sizeof T->why, "the best far point's smooth score is not below s_min");
    decide(T);
    ctx_clear(&c);
    T->seconds = now_s() - t0;
    return st;
}

int twin_diff2(arb_t diff2, const nn_t net, const mpq_t *x, long n, slong prec)
{
    if (diff2 == NULL || net == NULL || x == NULL || n != net->sizes[0] || prec < 2) {
        ae_error(__func__, "NULL argument, n != din or prec < 2");
        return AE_EINVAL;
    }
    nn_t g;
    int st = smooth_twin(g, net);
    if (st != AE_OK)
        return st;
    long dout = net->sizes[net->L];
    qnet_t q;
    arbnet_t A;
    mpq_t *xs = qvec_init(n), *y = qvec_init(dout);
    arb_ptr xb = _arb_vec_init(n), yb = _arb_vec_init(dout);
    arb_t t;
    arb_init(t);
    st = qnet_init_nn(q, g);
    if (st == AE_OK) {
        st = arbnet_init_nn(A, net);
        if (st == AE_OK) {
            for (long j = 0; j < n; j++)
                arbnet_set_q(xb + j, x[j], prec);
            st = arbnet_eval(yb, A, xb, prec);
            if (st == AE_OK)
                st = qnet_scale_point(xs, q, x, n);
            if (st == AE_OK)
                st = qnet_eval(y, dout, NULL, q, (const mpq_t *) xs, n);
            arb_zero(diff2);
            for (long i = 0; st == AE_OK && i < dout; i++) {
                arbnet_set_q(t, y[i], prec);
                arb_sub(t, yb + i, t, prec);
                arb_addmul(diff2, t, t, prec);
            }
            arbnet_clear(A);
        }
        qnet_clear(q);
    }
    arb_clear(t);
    _arb_vec_clear(xb, n);
    _arb_vec_clear(yb, dout);
    qvec_clear(xs, n);
    qvec_clear(y, dout);
    nn_clear(g);
    return st;
}
