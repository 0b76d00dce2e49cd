/* n4check — claim N4's exact re-checks of scan's certificates (see n4check.h). */
#include "n4check.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "aeerr.h"
#include "synth.h"   /* synth_gaussian: portable N(0,1) */
#include "pcommon.h"
#include "qmat.h"

void n4check_exact_init(n4check_exact_t E)
{
    E->n = E->d = E->far = 0;
    E->xs = E->score = NULL;
    mpq_inits(E->smin, E->q99, E->D2, (mpq_ptr) NULL);
    E->argmin = 0;
}

static void exact_free_rows(n4check_exact_t E)
{
    if (E->xs != NULL)
        qvec_clear(E->xs, E->n * E->d);
    if (E->score != NULL)
        qvec_clear(E->score, E->n);
    E->xs = E->score = NULL;
    E->n = E->d = 0;
}

void n4check_exact_clear(n4check_exact_t E)
{
    exact_free_rows(E);
    mpq_clears(E->smin, E->q99, E->D2, (mpq_ptr) NULL);
}

static int cmpq(const void *a, const void *b)
{
    return mpq_cmp(*(const mpq_t *) a, *(const mpq_t *) b);
}

/* s = ||x - y||^2 over d coordinates, t a scratch. */
static void dist2(mpq_t s, mpq_t t, const mpq_t *x, const mpq_t *y, long d)
{
    mpq_set_ui(s, 0, 1);
    for (long c = 0; c < d; c++) {
        mpq_sub(t, x[c], y[c]);
        mpq_mul(t, t, t);
        mpq_add(s, s, t);
    }
}

/* The double squared distance of rows i and j of y (n x d). */
static double dist2_d(const double *y, long i, long j, long d)
{
    double s = 0;
    for (long c = 0; c < d; c++)
        s += (y[i * d + c] - y[j * d + c]) * (y[i * d + c] - y[j * d + c]);
    return s;
}

/* The derivation of the screen is in n4check.h. */
void n4check_diam2(mpq_t D2, const mpq_t *xs, long n, long d)
{
    mpq_set_ui(D2, 0, 1);
    if (n <= 1 || d <= 0)
        return;
    double *y = ae_malloc((size_t) (n * d) * sizeof(double));
    for (long k = 0; k < n * d; k++)
        y[k] = mpq_get_d(xs[k]);
    double mx = 0;
    for (long i = 0; i < n; i++)
        for (long j = i + 1; j < n; j++) {
            double s = dist2_d(y, i, j, d);
            mx = s > mx ? s : mx;
        }
    mpq_t s, t;
    mpq_inits(s, t, (mpq_ptr) NULL);
    double C = 0;
    for (long k = 0; k < n * d; k++)
        C = fabs(y[k]) > C ? fabs(y[k]) : C;
    double cut = C * C * (double) d <= 1e10 * mx ? mx * (1 - 1e-9) - 1e-300 : -1;
    for (long i = 0; i < n; i++)
        for (long j = i + 1; j < n; j++) {
            if (dist2_d(y, i, j, d) < cut)
                continue;
            dist2(s, t, xs + i * d, xs + j * d, d);
            if (mpq_cmp(s, D2) > 0)
                mpq_set(D2, s);
        }
    mpq_clears(s, t, (mpq_ptr) NULL);
    free(y);
}

/* s_min, its first row, and the 0.99 empirical quantile of E's scores. */
static void exact_summaries(n4check_exact_t E)
{
    long n = E->n;
    E->argmin = 0;
    for (long i = 1; i < n; i++)
        if (mpq_cmp(E->score[i], E->score[E->argmin]) < 0)
            E->argmin = i;
    mpq_set(E->smin, E->score[E->argmin]);
    mpq_t *sorted = qvec_init(n);
    for (long i = 0; i < n; i++)
        mpq_set(sorted[i], E->score[i]);
    qsort(sorted, (size_t) n, sizeof(mpq_t), cmpq);
    long k = (long) ceil(0.99 * (double) n) - 1;
    mpq_set(E->q99, sorted[k < 0 ? 0 : k]);
    qvec_clear(sorted, n);
}

int n4check_exact_set(n4check_exact_t E, const qnet_t q, const double *raw, long n, long d,
                      long far)
{
    if (E == NULL || q == NULL || raw == NULL || n < 1 || d < 1 || far < 0) {
        ae_error(__func__, "NULL argument, n < 1, d < 1 or far < 0");
        return AE_EINVAL;
    }
    exact_free_rows(E);
    E->n = n;
    E->d = d;
    E->far = far;
    E->xs = qvec_init(n * d);
    E->score = qvec_init(n);
    mpq_t *x = qvec_init(d);
    int st = AE_OK;
    for (long i = 0; i < n && st == AE_OK; i++) {
        for (long j = 0; j < d; j++)
            mpq_set_d(x[j], raw[i * d + j]);
        st = qnet_scale_point(E->xs + i * d, q, x, d);
        if (st == AE_OK)
            st = qnet_score(E->score[i], q, E->xs + i * d, d);
    }
    qvec_clear(x, d);
    if (st != AE_OK)
        return st;
    exact_summaries(E);
    n4check_diam2(E->D2, E->xs, n, d);
    return AE_OK;
}

int n4check_far(long *imin, const n4check_exact_t E, const mpq_t *a)
{
    if (imin == NULL || E == NULL || a == NULL) {
        ae_error(__func__, "NULL argument");
        return AE_EINVAL;
    }
    mpq_t lim, s, t;
    mpq_inits(lim, s, t, (mpq_ptr) NULL);
    mpq_set_ui(t, (unsigned long) (E->far * E->far), 1);
    mpq_mul(lim, E->D2, t);
    int st = AE_OK;
    for (long i = 0; i < E->n && st == AE_OK; i++) {
        dist2(s, t, a, E->xs + i * E->d, E->d);
        if (mpq_cmp(s, lim) < 0) {
            st = AE_NOTVERIFIED;
            *imin = i;
        }
    }
    mpq_clears(lim, s, t, (mpq_ptr) NULL);
    return st;
}

/* AE_OK when the raw anomaly araw scales to a under q exactly. */
static int raw_matches(const qnet_t q, const mpq_t *a, const mpq_t *araw, long d)
{
    mpq_t *s = qvec_init(d);
    int ok = qnet_scale_point(s, q, araw, d) == AE_OK && qvec_equal(s, a, d);
    qvec_clear(s, d);
    return ok ? AE_OK : AE_NOTVERIFIED;
}

int n4check_anomaly(const qnet_t q, const n4check_exact_t E, const mpq_t *a,
                    const mpq_t *araw, const mpq_t claimed, char *why, size_t wl)
{
    if (q == NULL || E == NULL || a == NULL || claimed == NULL || why == NULL) {
        ae_error(__func__, "NULL argument");
        return AE_EINVAL;
    }
    long d = E->d, i = -1;
    mpq_t e;
    mpq_init(e);
    int ok = 1;
    if (araw != NULL && raw_matches(q, a, araw, d) != AE_OK) {
        ok = 0;
        snprintf(why, wl, "the raw anomaly does not scale to the scaled one");
    }
    if (ok && qnet_score(e, q, a, d) != AE_OK) {
        ok = 0;
        snprintf(why, wl, "exact evaluation failed");
    }
    if (ok && !mpq_equal(e, claimed)) {
        ok = 0;
        snprintf(why, wl, "exact score %s != claimed %s", prf_q6(e), prf_q6(claimed));
    }
    if (ok && mpq_cmp(e, E->smin) > 0) {
        ok = 0;
        snprintf(why, wl, "exact score %s > s_min %s", prf_q6(e), prf_q6(E->smin));
    }
    if (ok && n4check_far(&i, E, a) != AE_OK) {
        ok = 0;
        snprintf(why, wl, "closer than %ld diameters to training row %ld", E->far, i);
    }
    mpq_clear(e);
    return ok ? AE_OK : AE_NOTVERIFIED;
}

/* c = a rational with c^2 ||u||^2 > (f R)^2, near 1.01 f R / ||u|| (u != 0): the double
 * guess, doubled until the exact comparison holds. */
static void beyond(mpq_t c, const mpq_t *u, long d, const mpq_t R, long f)
{
    mpq_t u2, lhs, rhs;
    mpq_inits(u2, lhs, rhs, (mpq_ptr) NULL);
    qvec_norm2(u2, u, d);
    mpq_set_d(c, 1.01 * (double) f * mpq_get_d(R) / sqrt(mpq_get_d(u2)) + 1e-300);
    mpq_set_si(rhs, f, 1);
    mpq_mul(rhs, rhs, R);
    mpq_mul(rhs, rhs, rhs);
    for (int k = 0; k < 4000; k++) {
        mpq_mul(lhs, c, c);
        mpq_mul(lhs, lhs, u2);
        if (mpq_cmp(lhs, rhs) > 0)
            break;
        mpq_set_ui(lhs, 2, 1);
        mpq_mul(c, c, lhs);
        if (mpq_sgn(c) == 0)
            mpq_set_ui(c, 1, 1);
    }
    mpq_clears(u2, lhs, rhs, (mpq_ptr) NULL);
}

/* u = spot direction k: +-dir for k < 2 when dir is nonzero, else a nonzero Gaussian draw. */
static void spot_dir(mpq_t *u, long d, long k, const mpq_t *dir, gsl_rng *r)
{
    int have = 0;
    if (k < 2 && dir != NULL) {
        for (long j = 0; j < d; j++) {
            mpq_set(u[j], dir[j]);
            have |= mpq_sgn(u[j]) != 0;
            if (k == 1)
                mpq_neg(u[j], u[j]);
        }
    }
    while (!have) {
        for (long j = 0; j < d; j++) {
            mpq_set_d(u[j], synth_gaussian(r, 1.0));
            have |= mpq_sgn(u[j]) != 0;
        }
    }
}

/* 1 when every training row of E beyond R (||x_i||^2 > R2) scores above s_min. */
static int rows_beyond(long *checked, const n4check_exact_t E, const mpq_t R2, char *why,
                       size_t wl)
{
    mpq_t e;
    mpq_init(e);
    int ok = 1;
    for (long i = 0; i < E->n && ok; i++) {
        qvec_norm2(e, E->xs + i * E->d, E->d);
        if (mpq_cmp(e, R2) <= 0)
            continue;
        (*checked)++;
        if (mpq_cmp(E->score[i], E->smin) <= 0) {
            ok = 0;
            snprintf(why, wl, "training row %ld lies beyond R and scores s_min", i);
        }
    }
    mpq_clear(e);
    return ok;
}

int n4check_radius(long *checked, const qnet_t q, const n4check_exact_t E, const mpq_t R,
                   const mpq_t *dir, gsl_rng *r, long npts, char *why, size_t wl)
{
    if (checked == NULL || q == NULL || E == NULL || R == NULL || r == NULL || why == NULL
        || npts < 0 || mpq_sgn(R) < 0) {
        ae_error(__func__, "NULL argument, npts < 0 or R < 0");
        return AE_EINVAL;
    }
    long d = E->d;
    mpq_t *u = qvec_init(d), *x = qvec_init(d);
    mpq_t c, e, R2;
    mpq_inits(c, e, R2, (mpq_ptr) NULL);
    mpq_mul(R2, R, R);
    int ok = 1;
    static const long F[3] = {1, 10, 1000};
    for (long k = 0; k < npts && ok; k++) {
        spot_dir(u, d, k, dir, r);
        for (int f = 0; f < 3 && ok; f++) {
            beyond(c, u, d, R, F[f]);
            qvec_scale(x, u, c, d);
            (*checked)++;
            if (qnet_score(e, q, x, d) != AE_OK || mpq_cmp(e, E->smin) <= 0) {
                ok = 0;
                snprintf(why, wl, "a point at %ld x R (direction %ld) scores %s <= s_min %s",
                         F[f], k, prf_q6(e), prf_q6(E->smin));
            }
        }
    }
    if (ok)
        ok = rows_beyond(checked, E, R2, why, wl);
    mpq_clears(c, e, R2, (mpq_ptr) NULL);
    qvec_clear(u, d);
    qvec_clear(x, d);
    return ok ? AE_OK : AE_NOTVERIFIED;
}

int n4check_dir(mpq_t g2, const qnet_t f0, const mpq_t *v, long d, const mpq_t ub,
                const mpq_t lb, int blind, char *why, size_t wl)
{
    if (g2 == NULL || f0 == NULL || v == NULL || ub == NULL || lb == NULL || why == NULL
        || d < 1) {
        ae_error(__func__, "NULL argument or d < 1");
        return AE_EINVAL;
    }
    mpq_t *y = qvec_init(d);
    mpq_t n2;
    mpq_init(n2);
    int ok = 1;
    qvec_norm2(n2, v, d);
    if (mpq_sgn(n2) == 0 || qnet_eval(y, d, NULL, f0, v, d) != AE_OK) {
        ok = 0;
        snprintf(why, wl, "the direction is 0 or cannot be evaluated");
    } else {
        qvec_sub(y, v, y, d);
        qvec_norm2(g2, y, d);
        mpq_div(g2, g2, n2);
        if (!mpq_equal(g2, ub)) {
            ok = 0;
            snprintf(why, wl, "exact growth rate %s != claimed %s", prf_q6(g2), prf_q6(ub));
        } else if (mpq_cmp(lb, ub) > 0) {
            ok = 0;
            snprintf(why, wl, "gamma2_lb %s > gamma2_ub %s", prf_q6(lb), prf_q6(ub));
        } else if (blind && mpq_sgn(g2) != 0) {
            ok = 0;
            snprintf(why, wl, "claimed blind but f0(v) != v");
        }
    }
    mpq_clear(n2);
    qvec_clear(y, d);
    return ok ? AE_OK : AE_NOTVERIFIED;
}

int n4check_far_ray_score(mpq_t e, const qnet_t q, const n4check_exact_t E, const mpq_t *v)
{
    if (e == NULL || q == NULL || E == NULL || v == NULL || E->n < 1) {
        ae_error(__func__, "NULL argument or no rows");
        return AE_EINVAL;
    }
    long d = E->d, i;
    mpq_t v2, t, lhs, rhs;
    mpq_inits(v2, t, lhs, rhs, (mpq_ptr) NULL);
    qvec_norm2(v2, v, d);
    if (mpq_sgn(v2) == 0) {
        mpq_clears(v2, t, lhs, rhs, (mpq_ptr) NULL);
        ae_error(__func__, "v = 0");
        return AE_EINVAL;
    }
    mpq_t *x = qvec_init(d);
    mpq_set_ui(rhs, (unsigned long) ((E->far + 1) * (E->far + 1)), 1);
    mpq_mul(rhs, rhs, E->D2);
    mpq_set_d(t, 1.001 * (double) (E->far + 1) * sqrt(mpq_get_d(E->D2) / mpq_get_d(v2)));
    for (int k = 0; k < 200; k++) {
        mpq_mul(lhs, t, t);
        mpq_mul(lhs, lhs, v2);
        if (mpq_cmp(lhs, rhs) >= 0)
            break;
        mpq_set_ui(lhs, 2, 1);
        mpq_mul(t, t, lhs);
    }
    qvec_scale(x, v, t, d);
    for (long j = 0; j < d; j++)
        mpq_add(x[j], x[j], E->xs[E->argmin * d + j]);
    int st = n4check_far(&i, E, x) == AE_OK ? qnet_score(e, q, x, d) : AE_ERANGE;
    qvec_clear(x, d);
    mpq_clears(v2, t, lhs, rhs, (mpq_ptr) NULL);
    return st;
}

int n4check_ctl_anomaly(const qnet_t q, const n4check_exact_t E, char *why, size_t wl)
{
    if (E == NULL || E->n < 1) {
        ae_error(__func__, "NULL or empty facts");
        return AE_EINVAL;
    }
    return n4check_anomaly(q, E, E->xs + E->argmin * E->d, NULL, E->smin, why, wl);
}

int n4check_ctl_radius(const qnet_t q, const n4check_exact_t E, const mpq_t *dir, gsl_rng *r,
                       char *why, size_t wl)
{
    if (E == NULL || E->n < 1) {
        ae_error(__func__, "NULL or empty facts");
        return AE_EINVAL;
    }
    mpq_t zero, xm2;
    mpq_inits(zero, xm2, (mpq_ptr) NULL);
    qvec_norm2(xm2, E->xs + E->argmin * E->d, E->d);
    long pts = 0;
    int st = mpq_sgn(xm2) > 0 ? n4check_radius(&pts, q, E, zero, dir, r, 1, why, wl)
                              : AE_ERANGE;
    mpq_clears(zero, xm2, (mpq_ptr) NULL);
    return st;
}

int n4check_ctl_dir(mpq_t g2, const qnet_t f0, const mpq_t *v, long d, const mpq_t ub,
                    const mpq_t lb, int blind, char *why, size_t wl)
{
    if (ub == NULL) {
        ae_error(__func__, "NULL argument");
        return AE_EINVAL;
    }
    mpq_t wrong;
    mpq_init(wrong);
    mpq_set_si(wrong, 1, 7);
    mpq_add(wrong, wrong, ub);
    int st = n4check_dir(g2, f0, v, d, wrong, lb, blind, why, wl);
    mpq_clear(wrong);
    return st;
}
