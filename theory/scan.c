/* scan — see scan.h.  Search in floating point (scansearch.c), certify here in exact
 * arithmetic: every verdict rests on qnet / ray / cone / farfield / far2d / tset facts.
 *
 * The budget bounds the float search, the branch-and-bound gamma (d != 2) and the ray
 * searches only; the exact certification steps of a verdict (the data facts, K, the 2-D
 * sector enumeration and strips, the Lipschitz gamma) always run, so in 2-D the verdict
 * never depends on it. */
#include "scan.h"

#include "aeerr.h"
#include "qnum.h"
#include "cone.h"
#include "far2d.h"
#include "farfield.h"
#include "gammabb.h"
#include "qmat.h"
#include "qnet.h"
#include "ray.h"
#include "scan_internal.h"
#include "scansearch.h"
#include "tset.h"

#include <math.h>
#include <mpfr.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


void scan_opts_default(scan_opts *o)
{
    if (o == NULL)
        return;
    o->budget = 60;
    o->seed = 1;
    o->far_ratio = 10;
    o->ndirs = 256;
    o->maxsectors = 1L << 20;
    o->max_boxes = 1L << 17;
    o->level = NULL;
    o->progress = NULL;
    o->progress_arg = NULL;
}

/* ---- the result object ------------------------------------------------------------ */

static void free_vectors(scan_t S)
{
    if (S->dir) qvec_clear(S->dir, S->d);
    if (S->anomaly) qvec_clear(S->anomaly, S->d);
    if (S->anomaly_raw) qvec_clear(S->anomaly_raw, S->d);
    S->dir = S->anomaly = S->anomaly_raw = NULL;
}

static void reset_fields(scan_t S)
{
    S->verdict = SCAN_UNDECIDED;
    S->d = S->n = 0;
    S->smin_row = S->nexact = 0;
    S->diam = 0;
    S->blind = S->have_R = S->have_anomaly = 0;
    S->ndirections = S->ncones = S->nfixed = S->nundecided_cones = S->nsectors = 0;
    S->npieces = 0;
    S->nboxes = 0;
    S->complete = S->timed_out = 0;
    S->seconds = 0;
    S->method[0] = S->why[0] = '\0';
    mpq_set_ui(S->smin, 0, 1);
    mpq_set_ui(S->diam2, 0, 1);
    mpq_set_ui(S->K, 0, 1);
    mpq_set_ui(S->gamma2_lb, 0, 1);
    mpq_set_si(S->gamma2_ub, -1, 1);
    mpq_set_ui(S->R, 0, 1);
    mpq_set_ui(S->anomaly_score, 0, 1);
    mpq_set_ui(S->anomaly_dist_lb, 0, 1);
}

void scan_init(scan_t S)
{
    mpq_inits(S->smin, S->diam2, S->K, S->gamma2_lb, S->gamma2_ub, S->R, S->anomaly_score,
              S->anomaly_dist_lb, NULL);
    S->dir = S->anomaly = S->anomaly_raw = NULL;
    reset_fields(S);
}

void scan_clear(scan_t S)
{
    free_vectors(S);
    mpq_clears(S->smin, S->diam2, S->K, S->gamma2_lb, S->gamma2_ub, S->R, S->anomaly_score,
               S->anomaly_dist_lb, NULL);
}

/* x / sqrt(diam2) as a double rounded in direction rnd (the denominator the other way);
 * diam2 = 0 gives +inf for x > 0, else 0. */
static double over_diameter(const mpq_t x, const mpq_t diam2, mpfr_rnd_t rnd)
{
    if (mpq_sgn(diam2) == 0)
        return mpq_sgn(x) > 0 ? INFINITY : 0;
    mpfr_rnd_t opp = rnd == MPFR_RNDU ? MPFR_RNDD : MPFR_RNDU;
    mpfr_t a, b;
    mpfr_inits2(64, a, b, (mpfr_ptr) 0);
    mpfr_set_q(a, x, rnd);
    mpfr_set_q(b, diam2, opp);
    mpfr_sqrt(b, b, opp);
    mpfr_div(a, a, b, rnd);
    double r = mpfr_get_d(a, rnd);
    mpfr_clears(a, b, (mpfr_ptr) 0);
    return r;
}

double scan_anomaly_ratio(const scan_t S)
{
    return over_diameter(S->anomaly_dist_lb, S->diam2, MPFR_RNDD);
}

double scan_radius_ratio(const scan_t S)
{
    return over_diameter(S->R, S->diam2, MPFR_RNDU);
}

void scan_stage(scan_ctx *c, const char *name, long done, long total)
{
    if (c->o->progress != NULL)
        c->o->progress(c->o->progress_arg, name, done, total);
}

int scan_out_of_time(scan_ctx *c)
{
    if (ssearch_now() > c->deadline) {
        c->S->timed_out = 1;
        return 1;
    }
    return 0;
}

static void append(char *buf, size_t len, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static void append(char *buf, size_t len, const char *fmt, ...)
{
    size_t used = strlen(buf);
    if (used + 1 >= len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, len - used, fmt, ap);
    va_end(ap);
}

/* r = ||v - f0(v)||^2 / ||v||^2 exactly (v != 0). */
static int exact_rate(mpq_t r, const qnet_t f0, const mpq_t *v, long d)
{
    mpq_t *y = qvec_init(d);
    mpq_t nv;
    mpq_init(nv);
    int st = qnet_eval(y, d, NULL, f0, v, d);
    if (st == AE_OK) {
        qvec_sub(y, v, y, d);
        qvec_norm2(r, y, d);
        qvec_norm2(nv, v, d);
        if (mpq_sgn(nv) == 0)
            st = AE_EINVAL;
        else
            mpq_div(r, r, nv);
    }
    mpq_clear(nv);
    qvec_clear(y, d);
    return st;
}

/* z = the float direction v rounded to a primitive integer vector (largest entry about
 * 2^DIR_BITS); 0 if v rounds to zero. */
static int round_dir(mpq_t *z, const double *v, long d)
{
    double m = 0;
    for (long j = 0; j < d; j++)
        if (fabs(v[j]) > m)
            m = fabs(v[j]);
    if (!(m > 0) || !isfinite(m))
        return 0;
    mpz_t g, t;
    mpz_init(g);
    mpz_init(t);
    double sc = ldexp(1.0, DIR_BITS) / m;
    for (long j = 0; j < d; j++) {
        mpz_set_d(t, rint(v[j] * sc));
        mpq_set_z(z[j], t);
        mpz_gcd(g, g, t);
    }
    int ok = mpz_sgn(g) != 0;
    if (ok && mpz_cmp_ui(g, 1) != 0)
        for (long j = 0; j < d; j++) {
            mpz_divexact(mpq_numref(z[j]), mpq_numref(z[j]), g);
        }
    mpz_clear(g);
    mpz_clear(t);
    return ok;
}

/* Adds direction v with exact rate r to the ray-search list (r < 0: blind). */
static int add_dir(scan_ctx *c, const mpq_t *v, const mpq_t r)
{
    long d = c->d;
    for (long k = 0; k < c->ndirs; k++)
        if (qvec_equal(c->dirs + k * d, v, d))
            return AE_OK;
    if (c->ndirs == c->capdirs) {
        long nc = c->capdirs ? 2 * c->capdirs : 16;
        mpq_t *nd = qvec_init(nc * d), *nr = qvec_init(nc);
        if (nd == NULL || nr == NULL)
            return AE_ENOMEM;
        for (long k = 0; k < c->ndirs * d; k++)
            mpq_swap(nd[k], c->dirs[k]);
        for (long k = 0; k < c->ndirs; k++)
            mpq_swap(nr[k], c->rates[k]);
        if (c->dirs) qvec_clear(c->dirs, c->capdirs * d);
        if (c->rates) qvec_clear(c->rates, c->capdirs);
        c->dirs = nd;
        c->rates = nr;
        c->capdirs = nc;
    }
    qvec_set(c->dirs + c->ndirs * d, v, d);
    mpq_set(c->rates[c->ndirs], r);
    c->ndirs++;
    return AE_OK;
}

/* Records v (exact rate r) as the lowest growth rate found when it is. */
static void note_rate(scan_ctx *c, const mpq_t *v, const mpq_t r)
{
    scan_struct *S = c->S;
    if (mpq_sgn(S->gamma2_ub) < 0 || mpq_cmp(r, S->gamma2_ub) < 0) {
        mpq_set(S->gamma2_ub, r);
        qvec_set(S->dir, v, c->d);
        S->blind = mpq_sgn(r) == 0;
    }
}

/* ---- 2-D: the complete sector analysis ---------------------------------------------- */

static int run2d(scan_ctx *c)
{
    scan_struct *S = c->S;
    cone_circle_t C;
    cone_circle_init(C, c->f0);
    mpq_t g2, gnb, Rnb, rfar, one;
    mpq_inits(g2, gnb, Rnb, rfar, one, NULL);
    mpq_t *dk = qvec_init(2);
    long kbad = -1;
    int have_gnb = 0, st;
    far2d_t B;
    far2d_init(B);
    scan_stage(c, "sectors", 0, 1);
    st = cone_circle(C, c->f0, c->o->maxsectors);
    if (st == AE_ERANGE) {
        snprintf(S->why, sizeof S->why, "more than %ld sectors (cone_circle's bound)",
                 c->o->maxsectors);
        st = AE_OK;
        goto done;
    }
    if (st != AE_OK)
        goto done;
    S->nsectors = S->ncones = C->n;
    S->nfixed = C->nfixed;
    S->nundecided_cones = C->nundecided;
    for (long k = 0; k < C->n && st == AE_OK; k++) {
        scan_stage(c, "sector gamma", k, C->n);
        if (C->status[k] == CONE_FIXED) {
            const mpq_t *v = (const mpq_t *) cone_circle_v(C, k);
            mpq_set_si(one, -1, 1);
            mpq_set_ui(g2, 0, 1);
            note_rate(c, v, g2);
            st = add_dir(c, v, one);
            continue;
        }
        if (C->status[k] != CONE_NONE)
            continue;
        st = ff_gamma_sector(g2, dk, c->f0, C, k);
        if (st != AE_OK)
            break;
        if (mpq_sgn(g2) <= 0 && kbad < 0)
            kbad = k;
        if (!have_gnb || mpq_cmp(g2, gnb) < 0)
            mpq_set(gnb, g2);
        have_gnb = 1;
        if (!qvec_is_zero(dk, 2)) {
            st = exact_rate(one, c->f0, dk, 2);
            if (st == AE_OK) {
                note_rate(c, dk, one);
                st = add_dir(c, dk, one);
            }
        }
    }
    scan_stage(c, "sector gamma", C->n, C->n);
    if (st != AE_OK)
        goto done;
    if (C->nundecided > 0) {
        snprintf(S->why, sizeof S->why, "%ld sector cone test(s) undecided (exact LP)",
                 C->nundecided);
        goto done;
    }
    S->complete = 1;                      /* every sector enumerated and decided */
    if (C->nfixed > 0)
        mpq_set_ui(S->gamma2_lb, 0, 1);
    else
        mpq_set(S->gamma2_lb, gnb);
    mpq_set_ui(Rnb, 0, 1);
    if (have_gnb) {
        if (kbad >= 0) {
            snprintf(S->why, sizeof S->why, "sector %ld: no positive gamma certified", kbad);
            goto done;
        }
        st = ff_radius(Rnb, S->K, S->smin, gnb);
        if (st != AE_OK)
            goto done;
    }
    snprintf(S->method, sizeof S->method,
             "2-D complete: %ld sectors of f0 (cone_circle, exact cone tests); gamma per "
             "sector by exact copositivity (ff_gamma_sector); K by layer-norm bounds "
             "(ff_bias_bound); R = (K + sqrt(s_min))/gamma (ff_radius)", C->n);
    if (C->nfixed == 0) {
        mpq_set(S->R, Rnb);
        S->have_R = 1;
        goto done;
    }
    /* blind sectors: the strip analysis; "far" from the centre with some slack */
    scan_stage(c, "blind strips", 0, 1);
    mpq_add(rfar, c->far_lb, c->rho_up);
    mpq_set_ui(one, 1025, 1024);
    mpq_mul(rfar, rfar, one);
    st = far2d_blind(B, c->f, c->f0, C, S->K, S->smin, (const mpq_t *) c->T->centre, rfar);
    if (st != AE_OK)
        goto done;
    S->npieces = B->npieces;
    append(S->method, sizeof S->method, "; %ld blind strip(s) by exact far pieces (far2d)",
           B->nstrips);
    if (B->status == FAR2D_UNDECIDED) {
        snprintf(S->why, sizeof S->why, "blind strip: %s", B->why);
    } else if (B->status == FAR2D_FAILS) {
        int kept;
        st = scan_offer_point(c, (const mpq_t *) B->x, &kept);
        if (st == AE_OK && !S->have_anomaly)
            snprintf(S->why, sizeof S->why, "far2d's far point failed the far check");
    } else {
        mpq_set(S->R, mpq_cmp(B->R, Rnb) > 0 ? B->R : Rnb);
        S->have_R = 1;
    }
done:
    scan_stage(c, "blind strips", 1, 1);
    far2d_clear(B);
    qvec_clear(dk, 2);
    mpq_clears(g2, gnb, Rnb, rfar, one, NULL);
    cone_circle_clear(C);
    return st;
}

/* ---- d > 2: float search, exact rates, cones, the Lipschitz gamma ------------------- */

/* Xs (m x d) = the scaled rows i * n / m in double, m = min(n, NSEARCH_ROWS). */
static double *search_rows(scan_ctx *c, long *m)
{
    long d = c->d, mm = c->n < NSEARCH_ROWS ? c->n : NSEARCH_ROWS;
    double *Xs = ae_malloc((size_t) (mm * d) * sizeof(double));
    if (Xs == NULL)
        return NULL;
    double *lo = ae_malloc((size_t) d * sizeof(double)), *w = ae_malloc((size_t) d * sizeof(double));
    if (lo == NULL || w == NULL) {
        free(Xs); free(lo); free(w);
        return NULL;
    }
    for (long j = 0; j < d; j++) {
        lo[j] = c->f->nscale ? mpq_get_d(c->f->scale_lo[j]) : 0;
        w[j] = c->f->nscale ? mpq_get_d(c->f->scale_hi[j]) - lo[j] : 1;
        if (!(w[j] > 0))
            w[j] = 1;
    }
    for (long k = 0; k < mm; k++) {
        long i = (long) ((double) k * (double) c->n / (double) mm);
        for (long j = 0; j < d; j++)
            Xs[k * d + j] = (c->X[i * d + j] - lo[j]) / w[j];
    }
    free(lo);
    free(w);
    *m = mm;
    return Xs;
}

static int exact_rates(scan_ctx *c, const ssearch_result *R, mpq_t *ints, long *nints)
{
    long d = c->d, ne = R->nbest < NEXACT ? R->nbest : NEXACT;
    mpq_t r;
    mpq_init(r);
    int st = AE_OK;
    *nints = 0;
    for (long k = 0; k < ne && st == AE_OK; k++) {
        if (k > 0 && scan_out_of_time(c))
            break;
        scan_stage(c, "exact rates", k, ne);
        mpq_t *z = ints + *nints * d;
        if (!round_dir(z, R->dirs + k * d, d))
            continue;
        st = exact_rate(r, c->f0, (const mpq_t *) z, d);
        if (st != AE_OK)
            break;
        note_rate(c, (const mpq_t *) z, r);
        st = add_dir(c, (const mpq_t *) z, r);
        ++*nints;
    }
    scan_stage(c, "exact rates", ne, ne);
    mpq_clear(r);
    return st;
}

static int cones(scan_ctx *c, const mpq_t *ints, long nints)
{
    scan_struct *S = c->S;
    if (c->d > SCAN_CONE_MAX_DIM || nints == 0 || scan_out_of_time(c))
        return AE_OK;
    cone_search_t CS;
    cone_search_init(CS, c->f0);
    scan_stage(c, "cone tests", 0, nints);
    int st = cone_search(CS, c->f0, ints, nints, c->d);
    mpq_t zero, m1;
    mpq_init(zero);
    mpq_init(m1);
    mpq_set_si(m1, -1, 1);
    S->ncones = CS->npat;
    S->nfixed = CS->nfixed;
    S->nundecided_cones = CS->nundecided;
    for (long k = 0; st == AE_OK && k < CS->npat; k++)
        if (CS->status[k] == CONE_FIXED) {
            note_rate(c, (const mpq_t *) cone_search_v(CS, k), zero);
            st = add_dir(c, (const mpq_t *) cone_search_v(CS, k), m1);
        }
    scan_stage(c, "cone tests", nints, nints);
    mpq_clear(zero);
    mpq_clear(m1);
    cone_search_clear(CS);
    return st;
}

/* The exact growth rate of the float direction v (rounded), recorded when it is lower. */
static int note_float_dir(scan_ctx *c, const double *v)
{
    mpq_t *z = qvec_init(c->d);
    mpq_t r;
    mpq_init(r);
    int st = AE_OK;
    if (z == NULL)
        st = AE_ENOMEM;
    else if (round_dir(z, v, c->d)) {
        st = exact_rate(r, c->f0, (const mpq_t *) z, c->d);
        if (st == AE_OK && (mpq_sgn(c->S->gamma2_ub) < 0 || mpq_cmp(r, c->S->gamma2_ub) < 0)) {
            note_rate(c, (const mpq_t *) z, r);
            st = add_dir(c, (const mpq_t *) z, r);
        }
    }
    mpq_clear(r);
    if (z) qvec_clear(z, c->d);
    return st;
}

/* No Lipschitz gamma: the branch and bound over the faces of the unit inf-ball
 * (gammabb.h) with half of the remaining budget, unless a blind direction is known.
 * gamma2_lb gets its certified value when larger; msg says what happened. */
static int bb_gamma(scan_ctx *c, char *msg, size_t len)
{
    scan_struct *S = c->S;
    if (S->blind) {
        snprintf(msg, len, "no branch and bound (a blind direction is known)");
        return AE_OK;
    }
    if (c->d > SCAN_BB_MAX_DIM) {
        snprintf(msg, len, "no branch and bound (d > %d)", SCAN_BB_MAX_DIM);
        return AE_OK;
    }
    gammabb_t G;
    int st = gammabb_init(G, c->f0);
    if (st == AE_ERANGE) {
        snprintf(msg, len, "branch and bound not applicable (a weight or slope outside its "
                 "double / [0, 1] range)");
        return AE_OK;
    }
    if (st != AE_OK)
        return st;
    gammabb_opts o;
    gammabb_opts_default(&o);
    double now = ssearch_now(), rem = c->deadline - now;
    o.deadline = now + (rem > 0 ? rem / 2 : 0);
    o.seed = c->o->seed;
    o.max_boxes = c->o->max_boxes > 0 ? c->o->max_boxes : 1;
    if (o.max_boxes > (1L << 22) / c->d)      /* the cover's memory: ~(2d + 3) 8 bytes a box */
        o.max_boxes = (1L << 22) / c->d;
    if (mpq_sgn(S->gamma2_ub) > 0)
        o.hint_ub = mpq_get_d(S->gamma2_ub);
    gammabb_result_t R;
    gammabb_result_init(R);
    scan_stage(c, "branch and bound gamma", 0, 1);
    st = gammabb_run(R, G, &o);
    scan_stage(c, "branch and bound gamma", 1, 1);
    if (st == AE_OK) {
        S->nboxes = R->nboxes;
        if (R->timed_out)
            S->timed_out = 1;
        if (mpq_cmp(R->gamma2, S->gamma2_lb) > 0)
            mpq_set(S->gamma2_lb, R->gamma2);
        snprintf(msg, len, "branch and bound over inf-ball faces (gammabb, %ld boxes): %s",
                 R->nboxes, R->status == GAMMABB_FIXED ? "a fixed-point candidate"
                 : R->timed_out ? "out of time" : "box budget exhausted");
        if (isfinite(R->ub))
            st = note_float_dir(c, R->vmin);
    }
    gammabb_result_clear(R);
    gammabb_clear(G);
    return st;
}

static int runnd(scan_ctx *c)
{
    scan_struct *S = c->S;
    long d = c->d, m = 0;
    ssearch_t F;
    ssearch_result R;
    memset(&R, 0, sizeof R);
    mpq_t *ints = NULL;
    double *cen = NULL, *Xs = search_rows(c, &m);
    int st = Xs ? ssearch_init(F, c->f0) : AE_ENOMEM;
    if (st != AE_OK) {
        free(Xs);
        return st;
    }
    cen = ae_malloc((size_t) d * sizeof(double));
    ints = qvec_init(NEXACT * d);
    if (cen == NULL || ints == NULL) {
        st = AE_ENOMEM;
        goto done;
    }
    for (long j = 0; j < d; j++)
        cen[j] = mpq_get_d(c->T->centre[j]);
    ssearch_opts so = { c->o->seed, c->o->ndirs, c->deadline, c->o->progress,
                        c->o->progress_arg };
    st = ssearch_run(&R, F, Xs, m, cen, &so);
    if (st != AE_OK)
        goto done;
    S->ndirections = R.nevals;
    if (R.timed_out)
        S->timed_out = 1;
    long nints = 0;
    st = exact_rates(c, &R, ints, &nints);
    if (st == AE_OK)
        st = cones(c, ints, nints);
    if (st != AE_OK)
        goto done;
    mpq_t L;
    mpq_init(L);
    scan_stage(c, "Lipschitz gamma", 0, 1);
    st = ff_gamma_lipschitz(S->gamma2_lb, L, c->f0);
    if (st == AE_OK && mpq_sgn(S->gamma2_lb) > 0) {
        st = ff_radius(S->R, S->K, S->smin, S->gamma2_lb);
        S->have_R = st == AE_OK;
        snprintf(S->method, sizeof S->method,
                 "gamma by the Lipschitz bound of f0 (prod c_l N_l = %.6g < 1, "
                 "ff_gamma_lipschitz); K by layer-norm bounds (ff_bias_bound); "
                 "R = (K + sqrt(s_min)) / gamma (ff_radius)", mpq_get_d(L));
    } else if (st == AE_OK) {
        char bbmsg[128];
        st = bb_gamma(c, bbmsg, sizeof bbmsg);
        if (st == AE_OK && mpq_sgn(S->gamma2_lb) > 0) {
            st = ff_radius(S->R, S->K, S->smin, S->gamma2_lb);
            S->have_R = st == AE_OK;
            snprintf(S->method, sizeof S->method,
                     "gamma by branch and bound over inf-ball faces (gammabb, %ld boxes; "
                     "symbolic linear bounds in outward-rounded double); K by layer-norm "
                     "bounds (ff_bias_bound); R = (K + sqrt(s_min)) / gamma (ff_radius)",
                     S->nboxes);
        } else if (st == AE_OK) {
            snprintf(S->method, sizeof S->method,
                     "float direction search (%ld growth rates), exact growth rates of the "
                     "best %ld, %s; K by layer-norm bounds (ff_bias_bound)", R.nevals, nints,
                     d <= SCAN_CONE_MAX_DIM ? "exact cone tests (cone_search)"
                                            : "no cone tests (d > SCAN_CONE_MAX_DIM)");
            snprintf(S->why, sizeof S->why,
                     "no certified gamma > 0: the Lipschitz bound of f0 is %.6g >= 1; %s; "
                     "lowest exact growth rate found %.6g", mpq_get_d(L), bbmsg,
                     mpq_sgn(S->gamma2_ub) >= 0 ? mpq_get_d(S->gamma2_ub) : NAN);
        }
    }
    if (st == AE_ERANGE)
        st = AE_OK;
    scan_stage(c, "Lipschitz gamma", 1, 1);
    mpq_clear(L);
done:
    if (ints) qvec_clear(ints, NEXACT * d);
    free(cen);
    free(Xs);
    ssearch_result_clear(&R);
    ssearch_clear(F);
    return st;
}

/* ---- the pipeline ----------------------------------------------------------------- */

static int check_args(const scan_t S, const nn_t net, const double *X, long n, long d,
                      const scan_opts *o)
{
    if (S == NULL || net == NULL || X == NULL || o == NULL) {
        ae_error("scan_run", "NULL argument");
        return AE_EINVAL;
    }
    if (n < 1 || d != net->sizes[0] || net->sizes[0] != net->sizes[net->L]) {
        ae_error("scan_run", "need n >= 1 and d = din = dout (n = %ld, d = %ld, din = %ld, "
                 "dout = %ld)", n, d, net->sizes[0], net->sizes[net->L]);
        return AE_EINVAL;
    }
    if (o->far_ratio < 0 || !(o->budget >= 0) || o->ndirs < 0
        || (o->level != NULL && mpq_sgn(o->level) < 0)) {
        ae_error("scan_run", "bad options (far_ratio, budget, ndirs and level must be >= 0)");
        return AE_EINVAL;
    }
    return AE_OK;
}

/* The data facts, K, and the far threshold. */
static int setup(scan_ctx *c)
{
    scan_struct *S = c->S;
    scan_stage(c, "training scores", 0, 1);
    int st = tset_compute(c->T, c->f, c->X, c->n, c->d);
    scan_stage(c, "training scores", 1, 1);
    if (st != AE_OK)
        return st;
    mpq_set(S->smin, c->o->level != NULL ? c->o->level : c->T->smin);
    S->smin_row = c->T->argmin;
    S->nexact = c->T->nexact;
    mpq_set(S->diam2, c->T->diam2);
    S->diam = c->T->diam_float;
    scan_stage(c, "bias bound", 0, 1);
    st = ff_bias_bound(S->K, c->f);
    scan_stage(c, "bias bound", 1, 1);
    if (st != AE_OK)
        return st;
    mpq_t q;
    mpq_init(q);
    qnum_sqrt_upper(c->far_lb, c->T->diam2, SQRT_BITS + 1);
    mpq_set_si(q, c->o->far_ratio, 1);
    mpq_mul(c->far_lb, c->far_lb, q);
    qnum_sqrt_upper(c->rho_up, c->T->rho2, SQRT_BITS + 1);
    mpq_clear(q);
    return AE_OK;
}

/* Base points of the ray search: the minimising row and the centre. */
static void unsupported(scan_t S, const nn_t net)
{
    for (long l = 0; l < net->L; l++)
        if (!qnet_act_supported(net->act[l])) {
            snprintf(S->why, sizeof S->why, "activation %s is not supported yet "
                     "(piecewise-linear only)", nn_act_name(net->act[l]));
            return;
        }
    snprintf(S->why, sizeof S->why, "the network is not supported yet");
}

static void decide(scan_t S)
{
    if (S->have_anomaly)
        S->verdict = SCAN_FAILS;
    else if (S->have_R)
        S->verdict = SCAN_SAFE;
    else {
        S->verdict = SCAN_UNDECIDED;
        if (S->why[0] == '\0')
            snprintf(S->why, sizeof S->why, "no certificate within the budget");
    }
    if (S->verdict != SCAN_UNDECIDED)
        S->why[0] = '\0';
}

int scan_run(scan_t S, const nn_t net, const double *X, long n, long d, const scan_opts *o)
{
    int st = check_args(S, net, X, n, d, o);
    if (st != AE_OK)
        return st;
    free_vectors(S);
    reset_fields(S);
    S->d = d;
    S->n = n;
    S->dir = qvec_init(d);
    S->anomaly = qvec_init(d);
    S->anomaly_raw = qvec_init(d);
    scan_ctx c;
    memset(&c, 0, sizeof c);
    c.S = S;
    c.o = o;
    c.X = X;
    c.n = n;
    c.d = d;
    c.t0 = ssearch_now();
    c.deadline = c.t0 + o->budget;
    scan_stage(&c, "exact network", 0, 1);
    st = qnet_init_nn(c.f, net);
    if (st == AE_ERANGE) {
        unsupported(S, net);
        S->seconds = ssearch_now() - c.t0;
        return AE_ERANGE;
    }
    if (st != AE_OK)
        return st;
    mpq_inits(c.far_lb, c.rho_up, NULL);
    tset_init(c.T);
    st = qnet_init_recession(c.f0, c.f);
    if (st != AE_OK) {
        qnet_clear(c.f);
        tset_clear(c.T);
        mpq_clears(c.far_lb, c.rho_up, NULL);
        return st;
    }
    ray_final_init(c.RF, c.f);
    scan_stage(&c, "exact network", 1, 1);
    st = setup(&c);
    if (st == AE_OK)
        st = d == 2 ? run2d(&c) : runnd(&c);
    if (st == AE_OK)
        st = scan_far_search(&c);
    if (st == AE_OK)
        st = scan_far_descent(&c);
    decide(S);
    S->seconds = ssearch_now() - c.t0;
    if (c.dirs) qvec_clear(c.dirs, c.capdirs * d);
    if (c.rates) qvec_clear(c.rates, c.capdirs);
    ray_final_clear(c.RF);
    tset_clear(c.T);
    qnet_clear(c.f0);
    qnet_clear(c.f);
    mpq_clears(c.far_lb, c.rho_up, NULL);
    return st;
}
