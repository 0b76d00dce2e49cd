/* scan_far — the far-point searches of scan (see scan_internal.h and scan.h): exact rays
 * (ray_final) and a float descent of the score, every candidate checked exactly. */
#include "scan_internal.h"

#include "aeerr.h"
#include "synth.h"   /* synth_gaussian: portable N(0,1) */
#include "qnum.h"
#include "farfield.h"
#include "qmat.h"
#include "scansearch.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- far points ------------------------------------------------------------------- */

void scan_unscale_point(mpq_t *raw, const qnet_t f, const mpq_t *x, long d)
{
    mpq_t w;
    mpq_init(w);
    for (long j = 0; j < d; j++) {
        if (f->nscale == 0) {
            mpq_set(raw[j], x[j]);
            continue;
        }
        mpq_sub(w, f->scale_hi[j], f->scale_lo[j]);
        if (mpq_sgn(w) == 0)
            mpq_set(raw[j], x[j]);
        else
            mpq_mul(raw[j], x[j], w);
        mpq_add(raw[j], raw[j], f->scale_lo[j]);
    }
    mpq_clear(w);
}

/* Offers the far-point candidate p (scaled space): kept when it is far (tset_dist_lb >=
 * far_lb) and its exact score is below the best one kept.  *kept says so. */
int scan_offer_point(scan_ctx *c, const mpq_t *p, int *kept)
{
    scan_struct *S = c->S;
    long d = c->d;
    mpq_t lb, e;
    mpq_inits(lb, e, NULL);
    *kept = 0;
    int st = tset_dist_lb(lb, c->T, p, d);
    if (st == AE_OK && mpq_cmp(lb, c->far_lb) >= 0)
        st = qnet_score(e, c->f, p, d);
    else
        goto done;
    if (st == AE_OK && (!c->have_best || mpq_cmp(e, S->anomaly_score) < 0)) {
        qvec_set(S->anomaly, p, d);
        scan_unscale_point(S->anomaly_raw, c->f, p, d);
        mpq_set(S->anomaly_score, e);
        mpq_set(S->anomaly_dist_lb, lb);
        c->have_best = 1;
        S->have_anomaly = mpq_cmp(e, S->smin) <= 0;
        *kept = 1;
    }
done:
    mpq_clears(lb, e, NULL);
    return st;
}

/* r = ceil(q 2^bits) / 2^bits (q >= 0). */
static void round_up_dyadic(mpq_t r, const mpq_t q, long bits)
{
    mpz_t z;
    mpz_init(z);
    mpz_mul_2exp(z, mpq_numref(q), (mp_bitcnt_t) bits);
    mpz_cdiv_q(z, z, mpq_denref(q));
    mpq_set_z(r, z);
    mpq_div_2exp(r, r, (mp_bitcnt_t) bits);
    mpz_clear(z);
}

/* tf = a t with ||x0 + t v - centre|| >= far_lb + rho_up (with a little slack) for every
 * t >= tf: t ||v|| - ||x0 - centre|| >= that suffices (triangle inequality). */
static void t_far(scan_ctx *c, mpq_t tf, const mpq_t *x0, const mpq_t *v)
{
    long d = c->d;
    mpq_t a, b;
    mpq_inits(a, b, NULL);
    qvec_dist2(a, x0, (const mpq_t *) c->T->centre, d);
    qnum_sqrt_upper(b, a, SQRT_BITS + 1);
    mpq_add(b, b, c->far_lb);
    mpq_add(b, b, c->rho_up);
    mpq_set_ui(a, 1025, 1024);               /* slack for tset_dist_lb's own roundings */
    mpq_mul(b, b, a);
    qvec_norm2(a, v, d);
    qnum_sqrt_lower(tf, a, SQRT_BITS + 1);
    mpq_div(tf, b, tf);
    round_up_dyadic(tf, tf, T_DEN_BITS);
    mpq_clears(a, b, NULL);
}

/* e = a t^2 + b t + c. */
static void quad(mpq_t e, const ray_final_t R, const mpq_t t)
{
    mpq_mul(e, R->a, t);
    mpq_add(e, e, R->b);
    mpq_mul(e, e, t);
    mpq_add(e, e, R->c);
}

/* The ray x0 + t v: its exact final piece gives e(t) on [T, inf); the least of e over
 * t >= max(T, t_far) (at that bound or at the vertex -b / 2a, rounded) is offered. */
static int try_ray(scan_ctx *c, const mpq_t *x0, const mpq_t *v)
{
    long d = c->d;
    int st = ray_final(c->RF, c->f, x0, v, d);
    if (st != AE_OK)
        return st;
    mpq_t ts, tv, e, eb;
    mpq_inits(ts, tv, e, eb, NULL);
    t_far(c, ts, x0, v);
    if (mpq_cmp(c->RF->T, ts) > 0)
        mpq_set(ts, c->RF->T);
    if (mpq_sgn(c->RF->a) > 0) {
        mpq_neg(tv, c->RF->b);
        mpq_div(tv, tv, c->RF->a);
        mpq_div_2exp(tv, tv, 1);
        if (mpq_cmp(tv, ts) > 0) {
            round_up_dyadic(tv, tv, T_DEN_BITS);
            mpq_set(ts, tv);
        }
    }
    quad(e, c->RF, ts);
    int want = !c->have_best || mpq_cmp(e, c->S->anomaly_score) < 0;
    if (want) {
        mpq_t *p = qvec_init(d);
        qvec_set(p, x0, d);
        qvec_addmul(p, v, ts, d);
        int kept;
        st = scan_offer_point(c, p, &kept);
        qvec_clear(p, d);
    }
    mpq_clears(ts, tv, e, eb, NULL);
    return st;
}

/* idx = the listed directions by exact growth rate (blind ones first, ties in listing
 * order); *use = the blind ones plus NRAYDIRS more. */
static long *sorted_dirs(scan_ctx *c, long *use)
{
    long nd = c->ndirs, *idx = ae_malloc((size_t) (nd > 0 ? nd : 1) * sizeof(long));
    if (idx == NULL)
        return NULL;
    long nblind = 0;
    for (long k = 0; k < nd; k++) {      /* insertion sort: stable, nd is small */
        long j = k;
        while (j > 0 && mpq_cmp(c->rates[idx[j - 1]], c->rates[k]) > 0) {
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = k;
        nblind += mpq_sgn(c->rates[k]) < 0;
    }
    *use = nd < nblind + NRAYDIRS ? nd : nblind + NRAYDIRS;
    return idx;
}

/* The ray search: the sorted directions, each from every base point. */
static int ray_search(scan_ctx *c, mpq_t *const *bases, long nbases)
{
    long use, *idx = sorted_dirs(c, &use);
    if (idx == NULL)
        return AE_ENOMEM;
    long total = use * nbases, done = 0;
    int st = AE_OK;
    for (long k = 0; k < use && st == AE_OK; k++)
        for (long b = 0; b < nbases && st == AE_OK; b++, done++) {
            if (done > 0 && scan_out_of_time(c))
                goto out;
            scan_stage(c, "far rays", done, total);
            st = try_ray(c, bases[b], c->dirs + idx[k] * c->d);
        }
    scan_stage(c, "far rays", total, total);
out:
    free(idx);
    return st;
}

/* One float descent of the score over the far region from x, then the exact check. */
static int descend_offer(scan_ctx *c, ssearch_t F, double *x, const double *cen, double rfar,
                         mpq_t *p)
{
    long nev = 0;
    double s = ssearch_far_descent(F, x, cen, rfar, NDESCENT_ITERS, c->deadline, &nev);
    c->S->ndirections += nev;
    if (isnan(s))
        return AE_ENOMEM;
    /* a filter only (the exact check decides): skip end points whose float score is
     * clearly above the best exact far score */
    if (c->have_best && s > 1.001 * mpq_get_d(c->S->anomaly_score))
        return AE_OK;
    for (long j = 0; j < c->d; j++) {
        if (!isfinite(x[j]))
            return AE_OK;
        mpq_set_d(p[j], x[j]);             /* a double is an exact dyadic */
    }
    int kept;
    return scan_offer_point(c, (const mpq_t *) p, &kept);
}

/* Float descent of the full score on { ||x - centre|| >= rfar } (with 1% slack so that
 * the exact far check passes) from the best far point so far and from centre +- rfar v
 * for every listed direction (in sorted order); each end point is checked exactly. */
int scan_far_descent(scan_ctx *c)
{
    long d = c->d, use, *idx = NULL;
    if (scan_out_of_time(c))
        return AE_OK;
    ssearch_t F;
    int st = ssearch_init_net(F, c->f);
    if (st != AE_OK)
        return st;
    double *x = ae_malloc((size_t) d * sizeof(double)), *cen = ae_malloc((size_t) d * sizeof(double));
    mpq_t *p = qvec_init(d);
    mpq_t r;
    mpq_init(r);
    mpq_add(r, c->far_lb, c->rho_up);
    double rfar = 1.01 * mpq_get_d(r) + 1e-12;
    idx = sorted_dirs(c, &use);
    if (x == NULL || cen == NULL || idx == NULL) {
        st = AE_ENOMEM;
        goto done;
    }
    for (long j = 0; j < d; j++)
        cen[j] = mpq_get_d(c->T->centre[j]);
    use = c->ndirs;                       /* the descent starts from every direction */
    long total = 1 + 2 * use;
    if (c->have_best) {
        scan_stage(c, "far descent", 0, total);
        for (long j = 0; j < d; j++)
            x[j] = mpq_get_d(c->S->anomaly[j]);
        st = descend_offer(c, F, x, cen, rfar, p);
    }
    for (long k = 0; k < 2 * use && st == AE_OK && !scan_out_of_time(c); k++) {
        scan_stage(c, "far descent", 1 + k, total);
        const mpq_t *v = c->dirs + idx[k / 2] * d;
        double nv = 0;
        for (long j = 0; j < d; j++)
            nv += mpq_get_d(v[j]) * mpq_get_d(v[j]);
        nv = sqrt(nv);
        if (!(nv > 0))
            continue;
        for (long j = 0; j < d; j++)
            x[j] = cen[j] + (k % 2 ? -rfar : rfar) * mpq_get_d(v[j]) / nv;
        st = descend_offer(c, F, x, cen, rfar, p);
    }
    scan_stage(c, "far descent", total, total);
    /* then NREFINE more descents from the best point, perturbed (a random direction of
     * length rfar / 20, mt19937(seed + 1)) after a round that did not improve it */
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (rng == NULL) {
        st = AE_ENOMEM;
        goto done;
    }
    gsl_rng_set(rng, c->o->seed + 1);
    int improved = 1;
    for (int round = 0; st == AE_OK && c->have_best && !c->S->have_anomaly
                        && round < NREFINE && !scan_out_of_time(c); round++) {
        scan_stage(c, "far refine", round, NREFINE);
        mpq_t before;
        mpq_init(before);
        mpq_set(before, c->S->anomaly_score);
        double nz = 0;
        for (long j = 0; j < d; j++) {
            x[j] = improved ? 0 : synth_gaussian(rng, 1.0);
            nz += x[j] * x[j];
        }
        nz = nz > 0 ? rfar / 20 / sqrt(nz) : 0;
        for (long j = 0; j < d; j++)
            x[j] = mpq_get_d(c->S->anomaly[j]) + nz * x[j];
        st = descend_offer(c, F, x, cen, rfar, p);
        improved = mpq_cmp(c->S->anomaly_score, before) < 0;
        mpq_clear(before);
    }
    scan_stage(c, "far refine", NREFINE, NREFINE);
    gsl_rng_free(rng);
done:
    free(idx);
    free(x);
    free(cen);
    qvec_clear(p, d);
    mpq_clear(r);
    ssearch_clear(F);
    return st;
}

int scan_far_search(scan_ctx *c)
{
    if (c->ndirs == 0)
        return AE_OK;
    mpq_t *bases[2] = { c->T->xmin, c->T->centre };
    return ray_search(c, bases, 2);
}

