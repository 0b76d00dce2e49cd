/* lintrain — see lintrain.h. */
#include "lintrain.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* gsl_randist.h is avoided: it drags in gsl_cblas.h, which clashes with OpenBLAS's
 * cblas.h elsewhere in the project; the Gaussian draw is done here (Box–Muller). */
#include <gsl/gsl_rng.h>

#include "aeerr.h"
#include "pmath.h"
#include "qmat.h"
#include "qnum.h"
#include "qpoly.h"

int lintrain_init(lintrain_t m, long d, long k)
{
    m->d = m->k = 0;
    m->We = m->be = m->Wd = m->bd = NULL;
    if (k < 1 || k >= d) {
        ae_error("lintrain_init", "need 1 <= k < d, got d = %ld, k = %ld", d, k);
        return AE_EINVAL;
    }
    m->d = d;
    m->k = k;
    m->We = ae_calloc((size_t) (k * d), sizeof(double));
    m->be = ae_calloc((size_t) k, sizeof(double));
    m->Wd = ae_calloc((size_t) (d * k), sizeof(double));
    m->bd = ae_calloc((size_t) d, sizeof(double));
    return AE_OK;
}

void lintrain_clear(lintrain_t m)
{
    free(m->We);
    free(m->be);
    free(m->Wd);
    free(m->bd);
    m->We = m->be = m->Wd = m->bd = NULL;
    m->d = m->k = 0;
}

static int check_opts(const char *func, const lintrain_t m, const lintrain_opts *o)
{
    if (m->d == 0) {
        ae_error(func, "model not initialised");
        return 0;
    }
    if (o == NULL) {
        ae_error(func, "opts is NULL");
        return 0;
    }
    if (!(o->init_scale >= 0) || !isfinite(o->init_scale)) {
        ae_error(func, "init_scale = %g must be finite and >= 0", o->init_scale);
        return 0;
    }
    return 1;
}

/* N(0, sigma^2) by the Box–Muller transform: two uniforms in (0, 1), one normal (the
 * second is discarded so that the draw order is trivially reproducible).  pmath's log and
 * cos, not glibc's (whose FMA and non-FMA variants differ by CPU): the same start on
 * every machine; the descent below is plain loops in a fixed order (no BLAS, and no FMA
 * contraction: -std=c11 and no -march), so the trained weights are portable too. */
static double gauss(gsl_rng *r, double sigma)
{
    double u = gsl_rng_uniform_pos(r), v = gsl_rng_uniform_pos(r);
    return sigma * sqrt(-2.0 * pmath_log(u)) * pmath_cos(6.283185307179586476925286766559 * v);
}

int lintrain_init_weights(lintrain_t m, const lintrain_opts *opts)
{
    if (!check_opts("lintrain_init_weights", m, opts))
        return AE_EINVAL;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (r == NULL) {
        ae_error("lintrain_init_weights", "gsl_rng_alloc failed");
        return AE_ENOMEM;
    }
    gsl_rng_set(r, opts->seed);
    long kd = m->k * m->d;
    for (long i = 0; i < kd; i++)
        m->We[i] = gauss(r, opts->init_scale);
    for (long i = 0; i < kd; i++)
        m->Wd[i] = gauss(r, opts->init_scale);
    memset(m->be, 0, (size_t) m->k * sizeof(double));
    memset(m->bd, 0, (size_t) m->d * sizeof(double));
    gsl_rng_free(r);
    return AE_OK;
}

/* Buffers for one step, allocated once per fit.  WdT (k x d) is a transposed copy of
 * W_d so that every inner loop runs over contiguous memory. */
typedef struct {
    double *H, *Y, *dH, *dWe, *dbe, *dWdT, *dbd, *WdT;
} work_t;

static void work_init(work_t *w, long n, long d, long k)
{
    w->H = ae_malloc((size_t) (n * k) * sizeof(double));
    w->Y = ae_malloc((size_t) (n * d) * sizeof(double));
    w->dH = ae_malloc((size_t) (n * k) * sizeof(double));
    w->dWe = ae_malloc((size_t) (k * d) * sizeof(double));
    w->dbe = ae_malloc((size_t) k * sizeof(double));
    w->dWdT = ae_malloc((size_t) (k * d) * sizeof(double));
    w->dbd = ae_malloc((size_t) d * sizeof(double));
    w->WdT = ae_malloc((size_t) (k * d) * sizeof(double));
}

static void work_clear(work_t *w)
{
    free(w->H); free(w->Y); free(w->dH); free(w->dWe); free(w->dbe);
    free(w->dWdT); free(w->dbd); free(w->WdT);
}

/* The products are plain loops, not BLAS: every sum then has one fixed order, so the
 * result is bit-identical whatever BLAS or thread count the program is linked with.
 * All inner loops run over the feature index (length d, contiguous).  A dot product
 * keeps four partial sums (over j mod 4, combined as (s0 + s1) + (s2 + s3), then the
 * tail in order): a fixed order that breaks the addition latency chain. */
static double dot(const double *restrict u, const double *restrict v, long n)
{
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    long j = 0;
    for (; j + 4 <= n; j += 4) {
        s0 += u[j] * v[j];
        s1 += u[j + 1] * v[j + 1];
        s2 += u[j + 2] * v[j + 2];
        s3 += u[j + 3] * v[j + 3];
    }
    double s = (s0 + s1) + (s2 + s3);
    for (; j < n; j++)
        s += u[j] * v[j];
    return s;
}

/* y += c x */
static void axpy(double *restrict y, double c, const double *restrict x, long n)
{
    long j = 0;
    for (; j + 4 <= n; j += 4) {
        y[j] += c * x[j];
        y[j + 1] += c * x[j + 1];
        y[j + 2] += c * x[j + 2];
        y[j + 3] += c * x[j + 3];
    }
    for (; j < n; j++)
        y[j] += c * x[j];
}

/* H = X We^T + 1 be^T, Y = H Wd^T + 1 bd^T; returns the loss, leaves Y = f(X). */
static double forward(const lintrain_t m, work_t *w, const double *X, long n)
{
    long d = m->d, k = m->k;
    for (long j = 0; j < d; j++)
        for (long a = 0; a < k; a++)
            w->WdT[a * d + j] = m->Wd[j * k + a];
    double s = 0.0;
    for (long i = 0; i < n; i++) {
        const double *x = X + i * d;
        double *h = w->H + i * k, *y = w->Y + i * d;
        for (long a = 0; a < k; a++)
            h[a] = dot(x, m->We + a * d, d) + m->be[a];
        memcpy(y, m->bd, (size_t) d * sizeof(double));
        for (long a = 0; a < k; a++)
            axpy(y, h[a], w->WdT + a * d, d);
        for (long j = 0; j < d; j++) {
            double r = x[j] - y[j];
            s += r * r;
        }
    }
    return s / (double) n;
}

static int step(lintrain_t m, work_t *w, double *loss_before, const double *X, long n,
                double lr)
{
    long d = m->d, k = m->k;
    double L = forward(m, w, X, n);
    if (loss_before != NULL)
        *loss_before = L;
    if (!isfinite(L))
        return AE_NOTCONV;
    /* Y <- G = -(2/n)(X - Y) = (2/n)(Y - X), the gradient with respect to f(x_i) */
    double c = 2.0 / (double) n;
    for (long i = 0; i < n * d; i++)
        w->Y[i] = c * (w->Y[i] - X[i]);
    memset(w->dWdT, 0, (size_t) (k * d) * sizeof(double));
    memset(w->dWe, 0, (size_t) (k * d) * sizeof(double));
    memset(w->dbd, 0, (size_t) d * sizeof(double));
    memset(w->dbe, 0, (size_t) k * sizeof(double));
    for (long i = 0; i < n; i++) {
        const double *g = w->Y + i * d, *h = w->H + i * k, *x = X + i * d;
        double *dh = w->dH + i * k;
        axpy(w->dbd, 1.0, g, d);
        for (long a = 0; a < k; a++) {
            axpy(w->dWdT + a * d, h[a], g, d);           /* dWd^T += h g^T */
            dh[a] = dot(g, w->WdT + a * d, d);          /* dh = Wd^T g */
            axpy(w->dWe + a * d, dh[a], x, d);          /* dWe += dh x^T */
            w->dbe[a] += dh[a];
        }
    }
    int finite = 1;
    for (long a = 0; a < k; a++)
        for (long j = 0; j < d; j++) {
            m->We[a * d + j] -= lr * w->dWe[a * d + j];
            m->Wd[j * k + a] -= lr * w->dWdT[a * d + j];
            finite &= isfinite(m->We[a * d + j]) && isfinite(m->Wd[j * k + a]);
        }
    for (long a = 0; a < k; a++) {
        m->be[a] -= lr * w->dbe[a];
        finite &= isfinite(m->be[a]);
    }
    for (long j = 0; j < d; j++) {
        m->bd[j] -= lr * w->dbd[j];
        finite &= isfinite(m->bd[j]);
    }
    return finite ? AE_OK : AE_NOTCONV;
}

double lintrain_loss(const lintrain_t m, const double *X, long n)
{
    if (m->d == 0 || n < 1) {
        ae_error("lintrain_loss", "need an initialised model and n >= 1 (n = %ld)", n);
        return NAN;
    }
    work_t w;
    work_init(&w, n, m->d, m->k);
    double L = forward(m, &w, X, n);
    work_clear(&w);
    return L;
}

static int check_lr(const char *func, long n, double lr)
{
    if (n < 1) {
        ae_error(func, "n = %ld < 1", n);
        return 0;
    }
    if (!(lr > 0) || !isfinite(lr)) {
        ae_error(func, "lr = %g must be finite and > 0", lr);
        return 0;
    }
    return 1;
}

int lintrain_step(lintrain_t m, double *loss_before, const double *X, long n, double lr)
{
    if (m->d == 0) {
        ae_error("lintrain_step", "model not initialised");
        return AE_EINVAL;
    }
    if (!check_lr("lintrain_step", n, lr))
        return AE_EINVAL;
    work_t w;
    work_init(&w, n, m->d, m->k);
    int st = step(m, &w, loss_before, X, n, lr);
    work_clear(&w);
    return st;
}

int lintrain_fit(lintrain_t m, double *hist, const double *X, long n,
                 const lintrain_opts *opts)
{
    if (!check_opts("lintrain_fit", m, opts) || !check_lr("lintrain_fit", n, opts->lr))
        return AE_EINVAL;
    if (opts->steps < 0) {
        ae_error("lintrain_fit", "steps = %ld < 0", opts->steps);
        return AE_EINVAL;
    }
    int st = lintrain_init_weights(m, opts);
    if (st != AE_OK)
        return st;
    work_t w;
    work_init(&w, n, m->d, m->k);
    for (long s = 0; s < opts->steps && st == AE_OK; s++)
        st = step(m, &w, hist != NULL ? &hist[s] : NULL, X, n, opts->lr);
    if (st == AE_OK) {
        double L = forward(m, &w, X, n);
        if (hist != NULL)
            hist[opts->steps] = L;
        if (!isfinite(L))
            st = AE_NOTCONV;
    }
    work_clear(&w);
    return st;
}

int lintrain_get_linae(linae_t ae, const lintrain_t m)
{
    if (ae->d != m->d || ae->k != m->k || m->d == 0) {
        ae_error("lintrain_get_linae", "ae is (d=%ld, k=%ld), model is (d=%ld, k=%ld)",
                 ae->d, ae->k, m->d, m->k);
        return AE_EINVAL;
    }
    /* qmat_set_d is exact; every weight of a finite model is finite. */
    qmat_set_d(ae->We, m->We);
    qmat_set_d(ae->be, m->be);
    qmat_set_d(ae->Wd, m->Wd);
    qmat_set_d(ae->bd, m->bd);
    return AE_OK;
}

/* ---- exact analysis ------------------------------------------------------------------ */

void lintrain_analysis_init(lintrain_analysis_t A)
{
    A->k = A->n_real = A->n_nonreal = A->lam_mult = 0;
    A->has_real = A->exact_one = 0;
    A->lambda_d = 0.0;
    mpq_inits(A->lam_lo, A->lam_hi, A->dist_lo, A->dist_hi, NULL);
}

void lintrain_analysis_clear(lintrain_analysis_t A)
{
    mpq_clears(A->lam_lo, A->lam_hi, A->dist_lo, A->dist_hi, NULL);
}

/* [dlo, dhi] = { |1 - x| : x in [lo, hi] } */
static void dist_to_one(mpq_t dlo, mpq_t dhi, const mpq_t lo, const mpq_t hi,
                        const mpq_t one)
{
    if (mpq_cmp(hi, one) < 0) {
        mpq_sub(dlo, one, hi);
        mpq_sub(dhi, one, lo);
    } else if (mpq_cmp(lo, one) > 0) {
        mpq_sub(dlo, lo, one);
        mpq_sub(dhi, hi, one);
    } else {
        mpq_set_ui(dlo, 0, 1);
        mpq_sub(dhi, one, lo);
        mpq_sub(dlo, hi, one);   /* reuse dlo as scratch for hi - 1 */
        if (mpq_cmp(dlo, dhi) > 0)
            mpq_set(dhi, dlo);
        mpq_set_ui(dlo, 0, 1);
    }
}

int lintrain_analyse(lintrain_analysis_t A, const linae_t ae, long prec)
{
    if (prec < 1) {
        ae_error("lintrain_analyse", "prec = %ld < 1", prec);
        return AE_EINVAL;
    }
    long k = ae->k;
    int st = AE_OK;
    qmat_t K;
    qmat_init(K, k, k);
    qpoly_t chi;
    qpoly_init(chi);
    qpoly_roots_t R;
    qpoly_roots_init(R);
    mpq_t one, dlo, dhi, mid;
    mpq_inits(one, dlo, dhi, mid, NULL);
    mpq_set_ui(one, 1, 1);

    qmat_mul(K, ae->We, ae->Wd);
    st = qpoly_charpoly(chi, K);
    if (st != AE_OK)
        goto done;
    A->k = k;
    A->exact_one = qpoly_sign_at(chi, one) == 0;
    A->n_real = qpoly_real_root_count_mult(chi);
    A->n_nonreal = k - A->n_real;
    st = qpoly_real_roots(R, chi, prec);
    if (st != AE_OK)
        goto done;
    A->has_real = R->n > 0;
    A->lam_mult = 0;
    mpq_set_ui(A->lam_lo, 0, 1);
    mpq_set_ui(A->lam_hi, 0, 1);
    mpq_set_ui(A->dist_lo, 0, 1);
    mpq_set_ui(A->dist_hi, 0, 1);
    A->lambda_d = 0.0;
    long best = -1;
    for (long i = 0; i < R->n; i++) {
        dist_to_one(dlo, dhi, R->lo[i], R->hi[i], one);
        int better = best < 0 || mpq_cmp(dhi, A->dist_hi) < 0 ||
                     (mpq_cmp(dhi, A->dist_hi) == 0 && mpq_cmp(dlo, A->dist_lo) < 0);
        if (A->exact_one) /* the root at 1 is the one whose interval contains 1 */
            better = mpq_cmp(R->lo[i], one) <= 0 && mpq_cmp(one, R->hi[i]) <= 0;
        if (better) {
            best = i;
            mpq_set(A->dist_lo, dlo);
            mpq_set(A->dist_hi, dhi);
        }
    }
    if (best >= 0) {
        A->lam_mult = R->mult[best];
        if (A->exact_one) {
            mpq_set(A->lam_lo, one);
            mpq_set(A->lam_hi, one);
            mpq_set_ui(A->dist_lo, 0, 1);
            mpq_set_ui(A->dist_hi, 0, 1);
        } else {
            mpq_set(A->lam_lo, R->lo[best]);
            mpq_set(A->lam_hi, R->hi[best]);
        }
        mpq_add(mid, A->lam_lo, A->lam_hi);
        mpq_div_2exp(mid, mid, 1);
        A->lambda_d = qnum_get_d(mid);
    }

done:
    mpq_clears(one, dlo, dhi, mid, NULL);
    qpoly_roots_clear(R);
    qpoly_clear(chi);
    qmat_clear(K);
    return st;
}
