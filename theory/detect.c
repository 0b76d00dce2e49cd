/* detect — alternative anomaly scores and their control limits (see detect.h). */
#include "detect.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


#include "aeerr.h"
#include "pquant.h"
#include "score.h"

static const char *const NAMES[DETECT_NKINDS] = {"recon", "spe", "t2", "spe+t2", "mahalanobis",
                                                 "knn", "box"};

const char *detect_name(detect_kind kind)
{
    return (int) kind >= 0 && (int) kind < DETECT_NKINDS ? NAMES[kind] : NULL;
}

int detect_parse(detect_kind *kind, const char *name)
{
    if (kind == NULL || name == NULL)
        return AE_EINVAL;
    for (int i = 0; i < DETECT_NKINDS; i++)
        if (strcasecmp(name, NAMES[i]) == 0) {
            *kind = (detect_kind) i;
            return AE_OK;
        }
    if (strcasecmp(name, "combined") == 0) {
        *kind = DETECT_COMBINED;
        return AE_OK;
    }
    return AE_EINVAL;
}

/* ---- life cycle ------------------------------------------------------------------ */

void detect_init(detect_t D)
{
    memset(D, 0, sizeof *D);
    qmat_init(D->X, 0, 0);
    qmat_init(D->S, 0, 0);
    qmat_init(D->Sinv, 0, 0);
    for (int m = 0; m < 2; m++)
        for (int i = 0; i < DETECT_NKINDS; i++)
            mpq_init(D->limit[m][i]);
    mpq_init(D->delta2);
    mpq_init(D->tau2);
    mpz_init(D->eden);
    mpz_init(D->xden);
    D->spe_method = "";
}

void detect_clear(detect_t D)
{
    qmat_clear(D->X);
    qmat_clear(D->S);
    qmat_clear(D->Sinv);
    if (D->lo) {
        qvec_clear(D->lo, D->d);
        qvec_clear(D->hi, D->d);
    }
    if (D->zbar)
        qvec_clear(D->zbar, D->k);
    for (int i = 0; i < DETECT_NKINDS; i++)
        if (D->train[i])
            qvec_clear(D->train[i], D->n);
    for (int m = 0; m < 2; m++)
        for (int i = 0; i < DETECT_NKINDS; i++)
            mpq_clear(D->limit[m][i]);
    mpq_clear(D->delta2);
    mpq_clear(D->tau2);
    if (D->WeZ) {
        for (long i = 0; i < D->k * (D->d + 1); i++)
            mpz_clear(D->WeZ[i]);
        free(D->WeZ);
    }
    mpz_clear(D->eden);
    if (D->XZ) {
        for (long i = 0; i < D->n * D->d; i++)
            mpz_clear(D->XZ[i]);
        free(D->XZ);
    }
    mpz_clear(D->xden);
    memset(D, 0, sizeof *D);
}

static void detect_reset(detect_t D)
{
    detect_clear(D);
    detect_init(D);
}

/* ---- the pieces ------------------------------------------------------------------- */

int detect_box_dist2(mpq_t r, const mpq_t *lo, const mpq_t *hi, const mpq_t *x, long d)
{
    if (lo == NULL || hi == NULL || x == NULL || d < 0) {
        ae_error(__func__, "NULL vector or negative length");
        return AE_EINVAL;
    }
    for (long j = 0; j < d; j++)
        if (mpq_cmp(lo[j], hi[j]) > 0) {
            ae_error(__func__, "lo[%ld] > hi[%ld]", j, j);
            return AE_EINVAL;
        }
    mpq_t t;
    mpq_init(t);
    mpq_set_ui(r, 0, 1);
    for (long j = 0; j < d; j++) {
        if (mpq_cmp(x[j], lo[j]) < 0)
            mpq_sub(t, lo[j], x[j]);
        else if (mpq_cmp(x[j], hi[j]) > 0)
            mpq_sub(t, x[j], hi[j]);
        else
            continue;
        mpq_mul(t, t, t);
        mpq_add(r, r, t);
    }
    mpq_clear(t);
    return AE_OK;
}

static int cmp_mpq(const void *a, const void *b)
{
    return mpq_cmp(*(const mpq_t *) a, *(const mpq_t *) b);
}

int detect_knn_dist2(mpq_t r, const qmat_t X, const mpq_t *x, long knn, long skip)
{
    long n = X->r, used = n - (skip >= 0 && skip < n);
    if (x == NULL || knn < 1 || knn > used || skip < -1 || skip >= n) {
        ae_error(__func__, "knn = %ld of %ld rows (skip %ld)", knn, used, skip);
        return AE_EINVAL;
    }
    mpq_t *dd = qvec_init(used);
    for (long i = 0, j = 0; i < n; i++)
        if (i != skip)
            qvec_dist2(dd[j++], x, qmat_row(X, i), X->c);
    qsort(dd, (size_t) used, sizeof(mpq_t), cmp_mpq);
    mpq_set(r, dd[knn - 1]);
    qvec_clear(dd, used);
    return AE_OK;
}

static int cmp_mpz(const void *a, const void *b)
{
    return mpz_cmp(*(const mpz_t *) a, *(const mpz_t *) b);
}

/* Leave-one-out knn distances of every training row, in integers over X's common
 * denominator: ||x_i - x_j||^2 = ||Z_i - Z_j||^2 / den^2.  O(n^2 d) time, O(n d) memory. */
static void knn_train(mpq_t *out, const qmat_t X, long knn)
{
    long n = X->r, d = X->c;
    mpz_t *Z = ae_malloc((size_t) (n * d + 1) * sizeof(mpz_t)), den, t;
    mpz_t *row = ae_malloc((size_t) n * sizeof(mpz_t));
    for (long i = 0; i < n * d; i++)
        mpz_init(Z[i]);
    for (long i = 0; i < n; i++)
        mpz_init(row[i]);
    mpz_inits(den, t, (mpz_ptr) NULL);
    qmat_get_mpz_common(Z, den, X);
    mpz_mul(den, den, den);
    for (long i = 0; i < n; i++) {
        long m = 0;
        for (long j = 0; j < n; j++) {
            if (j == i)
                continue;
            mpz_set_ui(row[m], 0);
            for (long c = 0; c < d; c++) {
                mpz_sub(t, Z[i * d + c], Z[j * d + c]);
                mpz_addmul(row[m], t, t);
            }
            m++;
        }
        qsort(row, (size_t) m, sizeof(mpz_t), cmp_mpz);
        mpq_set_num(out[i], row[knn - 1]);
        mpq_set_den(out[i], den);
        mpq_canonicalize(out[i]);
    }
    for (long i = 0; i < n; i++)
        mpz_clear(row[i]);
    free(row);
    for (long i = 0; i < n * d; i++)
        mpz_clear(Z[i]);
    free(Z);
    mpz_clears(den, t, (mpz_ptr) NULL);
}

int detect_latent(mpq_t *z, long nz, const detect_t D, const mpq_t *x, long nx)
{
    if (z == NULL || x == NULL || nz != D->k || nx != D->d || (D->lin == NULL && D->net == NULL)) {
        ae_error(__func__, "lengths %ld, %ld for a detector with d = %ld, k = %ld", nx, nz, D->d,
                 D->k);
        return AE_EINVAL;
    }
    if (D->net)
        return qnet_eval_prefix(z, nz, D->net, x, nx, D->zlayer);
    /* z_i = (sum_j WeZ_ij X_j + WeZ_id Lx) / (eden Lx), X = Lx x integer (Lx = lcm of x's
     * denominators): integer multiply-adds, one canonicalisation per entry. */
    long d = nx;
    mpz_t *X = ae_malloc((size_t) (d + 1) * sizeof(mpz_t)), Lx, acc;
    for (long j = 0; j < d; j++)
        mpz_init(X[j]);
    mpz_inits(Lx, acc, (mpz_ptr) NULL);
    qvec_common_den(X, Lx, x, 1, d);
    for (long i = 0; i < nz; i++) {
        const mpz_t *w = (const mpz_t *) D->WeZ + i * (d + 1);
        mpz_mul(acc, w[d], Lx);
        for (long j = 0; j < d; j++)
            if (mpz_sgn(X[j]) != 0)
                mpz_addmul(acc, w[j], X[j]);
        mpq_set_num(z[i], acc);
        mpz_mul(acc, D->eden, Lx);
        mpq_set_den(z[i], acc);
        mpq_canonicalize(z[i]);
    }
    for (long j = 0; j < d; j++)
        mpz_clear(X[j]);
    free(X);
    mpz_clears(Lx, acc, (mpz_ptr) NULL);
    return AE_OK;
}

/* D->WeZ = [W_e | b_e] (k x (d+1)) as integers over D->eden. */
static void linear_latent_prepare(detect_t D)
{
    long k = D->k, d = D->d;
    qmat_t A;
    qmat_init(A, k, d + 1);
    for (long i = 0; i < k; i++) {
        for (long j = 0; j < d; j++)
            mpq_set(qmat_entry(A, i, j), qmat_entry(D->lin->We, i, j));
        mpq_set(qmat_entry(A, i, d), qmat_entry(D->lin->be, i, 0));
    }
    D->WeZ = ae_malloc((size_t) (k * (d + 1)) * sizeof(mpz_t));
    for (long i = 0; i < k * (d + 1); i++)
        mpz_init(D->WeZ[i]);
    qmat_get_mpz_common(D->WeZ, D->eden, A);
    qmat_clear(A);
}

/* ---- limits in double --------------------------------------------------------------- */

static int bad_alpha(double alpha)
{
    return !(alpha > 0 && alpha < 1);
}

int detect_jm_limit(double *q, const char **method, double theta1, double theta2,
                    double theta3, double alpha)
{
    if (q == NULL || bad_alpha(alpha) || !(theta1 >= 0) || !(theta2 >= 0) || !(theta3 >= 0)) {
        ae_error(__func__, "theta must be >= 0 and alpha in (0, 1)");
        return AE_EINVAL;
    }
    const char *m = "zero";
    double Q = 0;
    int st = AE_OK;
    if (theta1 > 0 && theta2 > 0) {
        double h0 = 1 - 2 * theta1 * theta3 / (3 * theta2 * theta2);
        double c = 0;
        st = pquant_norm(&c, 1 - alpha);
        double br = h0 > 0 ? c * sqrt(2 * theta2 * h0 * h0) / theta1 + 1
                                 + theta2 * h0 * (h0 - 1) / (theta1 * theta1)
                           : -1;
        if (h0 > 0 && br > 0) {
            m = "jm";
            Q = theta1 * pquant_pow(br, 1 / h0);
        } else {        /* Box (1954): Q ~ g chi^2_h, matching the first two moments */
            m = "box";
            double x = 0;
            double h = theta1 * theta1 / theta2;
            if (st == AE_OK)
                st = h > 0 && h < 1e15 ? pquant_chi2(&x, 1 - alpha, h) : AE_ERANGE;
            Q = theta2 / theta1 * x;
        }
    }
    if (method)
        *method = m;
    if (st != AE_OK || !isfinite(Q))
        return AE_ERANGE;
    *q = Q;
    return AE_OK;
}

int detect_f_limit(double *t, long k, long n, double alpha)
{
    if (t == NULL || k < 1 || n <= k || bad_alpha(alpha)) {
        ae_error(__func__, "needs 1 <= k < n (k = %ld, n = %ld) and alpha in (0, 1)", k, n);
        return AE_EINVAL;
    }
    double dn = (double) n, dk = (double) k, F = 0;
    int st = pquant_f(&F, 1 - alpha, dk, dn - dk);
    double T = dk * (dn - 1) * (dn + 1) / (dn * (dn - dk)) * F;
    if (st != AE_OK || !isfinite(T))
        return AE_ERANGE;
    *t = T;
    return AE_OK;
}

int detect_yq_limit(double *phi, double theta1, double theta2, long k, double delta2,
                    double tau2, double alpha)
{
    if (phi == NULL || k < 1 || bad_alpha(alpha) || !(theta1 >= 0) || !(theta2 >= 0)
        || !(delta2 > 0) || !(tau2 > 0)) {
        ae_error(__func__, "needs theta >= 0, k >= 1, delta2, tau2 > 0, alpha in (0, 1)");
        return AE_EINVAL;
    }
    double a1 = (double) k / tau2 + theta1 / delta2;
    double a2 = (double) k / (tau2 * tau2) + theta2 / (delta2 * delta2);
    double g = a2 / a1, h = a1 * a1 / a2, x = 0;
    int st = h > 0 && h < 1e15 ? pquant_chi2(&x, 1 - alpha, h) : AE_ERANGE;
    double P = g * x;
    if (st != AE_OK || !isfinite(P))
        return AE_ERANGE;
    *phi = P;
    return AE_OK;
}

int detect_auc(mpq_t auc, const mpq_t *normal, long nn, const mpq_t *anom, long na)
{
    if (normal == NULL || anom == NULL || nn < 1 || na < 1) {
        ae_error(__func__, "needs nn, na >= 1 (%ld, %ld)", nn, na);
        return AE_EINVAL;
    }
    mpq_t *s = qvec_init(nn);
    qvec_set(s, normal, nn);
    qsort(s, (size_t) nn, sizeof(mpq_t), cmp_mpq);
    /* 2 * (#below + #ties/2) summed over anomalies, by binary search in the sorted normals */
    mpz_t twice;
    mpz_init(twice);
    for (long j = 0; j < na; j++) {
        long lo = 0, hi = nn;             /* first index with s >= a */
        while (lo < hi) {
            long mid = lo + (hi - lo) / 2;
            if (mpq_cmp(s[mid], anom[j]) < 0) lo = mid + 1; else hi = mid;
        }
        long below = lo, hi2 = nn;         /* first index with s > a */
        lo = below;
        while (lo < hi2) {
            long mid = lo + (hi2 - lo) / 2;
            if (mpq_cmp(s[mid], anom[j]) <= 0) lo = mid + 1; else hi2 = mid;
        }
        mpz_add_ui(twice, twice, (unsigned long) (2 * below + (lo - below)));
    }
    mpq_set_z(auc, twice);
    mpz_set_si(twice, 2 * nn);
    mpz_mul_si(twice, twice, na);
    mpq_set_den(auc, twice);     /* auc's denominator was 1 */
    mpq_canonicalize(auc);
    mpz_clear(twice);
    qvec_clear(s, nn);
    return AE_OK;
}

/* ---- scores ------------------------------------------------------------------------- */

static int check_kind(const char *func, int kind, int method)
{
    if (kind < 0 || kind >= DETECT_NKINDS || (method != DETECT_LIMIT_EMPIRICAL
                                              && method != DETECT_LIMIT_THEORY)) {
        ae_error(func, "unknown kind %d or method %d", kind, method);
        return 0;
    }
    return 1;
}

/* s[T2], s[MAHAL] from the latent z. */
static void latent_scores(mpq_t t2, mpq_t mahal, const detect_t D, const mpq_t *z)
{
    long k = D->k;
    mpq_t *y = qvec_init(k), *w = qvec_init(k), t;
    mpq_init(t);
    qvec_sub(y, z, D->zbar, k);
    mpq_set_ui(t2, 0, 1);
    for (long i = 0; i < k; i++) {
        mpq_mul(t, y[i], y[i]);
        mpq_div(t, t, qmat_entry(D->S, i, i));
        mpq_add(t2, t2, t);
    }
    qmat_mul_vec(w, D->Sinv, y);
    qvec_dot(mahal, y, w, k);
    mpq_clear(t);
    qvec_clear(y, k);
    qvec_clear(w, k);
}

static int has_phi(const detect_t D)
{
    return D->available[DETECT_T2] && D->has_limit[DETECT_LIMIT_THEORY][DETECT_SPE]
           && D->has_limit[DETECT_LIMIT_THEORY][DETECT_T2] && mpq_sgn(D->delta2) > 0
           && mpq_sgn(D->tau2) > 0;
}

static void phi_of(mpq_t phi, const detect_t D, const mpq_t spe, const mpq_t t2)
{
    if (!has_phi(D)) {
        mpq_set_si(phi, -1, 1);
        return;
    }
    mpq_t t;
    mpq_init(t);
    mpq_div(phi, spe, D->delta2);
    mpq_div(t, t2, D->tau2);
    mpq_add(phi, phi, t);
    mpq_clear(t);
}

/* spe = ||x - f(x)||^2 exactly. */
static int recon_score(mpq_t spe, const detect_t D, const mpq_t *x)
{
    return D->net ? qnet_score(spe, D->net, x, D->d) : linae_score(spe, D->lin, x);
}

/* The knn-th smallest ||x - x_i||^2 in integers: with L = lcm(xden, Lx) (Lx = lcm of x's
 * denominators), ||x - x_i||^2 = ||(L/xden) XZ_i - (L/Lx) Xx||^2 / L^2. */
static void knn_query(mpq_t r, const detect_t D, const mpq_t *x)
{
    long n = D->n, d = D->d;
    mpz_t *Xx = ae_malloc((size_t) (d + 1) * sizeof(mpz_t)), *dd = ae_malloc((size_t) n * sizeof(mpz_t));
    mpz_t Lx, L, a, b, t, u;
    for (long j = 0; j < d; j++)
        mpz_init(Xx[j]);
    for (long i = 0; i < n; i++)
        mpz_init(dd[i]);
    mpz_inits(Lx, L, a, b, t, u, (mpz_ptr) NULL);
    qvec_common_den(Xx, Lx, x, 1, d);
    mpz_lcm(L, Lx, D->xden);
    mpz_divexact(a, L, D->xden);
    mpz_divexact(b, L, Lx);
    for (long j = 0; j < d; j++)
        mpz_mul(Xx[j], Xx[j], b);
    int a1 = mpz_cmp_ui(a, 1) == 0;
    for (long i = 0; i < n; i++)
        for (long j = 0; j < d; j++) {
            if (a1) {
                mpz_sub(t, D->XZ[i * d + j], Xx[j]);
            } else {
                mpz_mul(u, D->XZ[i * d + j], a);
                mpz_sub(t, u, Xx[j]);
            }
            mpz_addmul(dd[i], t, t);
        }
    qsort(dd, (size_t) n, sizeof(mpz_t), cmp_mpz);
    mpz_mul(L, L, L);
    mpq_set_num(r, dd[D->knn - 1]);
    mpq_set_den(r, L);
    mpq_canonicalize(r);
    for (long j = 0; j < d; j++)
        mpz_clear(Xx[j]);
    for (long i = 0; i < n; i++)
        mpz_clear(dd[i]);
    free(Xx);
    free(dd);
    mpz_clears(Lx, L, a, b, t, u, (mpz_ptr) NULL);
}

int detect_scores(mpq_t *s, const detect_t D, const mpq_t *x, long nx)
{
    if (s == NULL || x == NULL || nx != D->d || D->n == 0) {
        ae_error(__func__, "length %ld for a detector of dimension %ld (fitted: %d)", nx, D->d,
                 D->n > 0);
        return AE_EINVAL;
    }
    mpq_t *z = qvec_init(D->k);
    int rc = D->available[DETECT_T2] ? detect_latent(z, D->k, D, x, nx) : AE_OK;
    if (rc == AE_OK)
        rc = recon_score(s[DETECT_SPE], D, x);
    if (rc == AE_OK) {
        mpq_set(s[DETECT_RECON], s[DETECT_SPE]);
        if (D->available[DETECT_T2]) {
            latent_scores(s[DETECT_T2], s[DETECT_MAHAL], D, z);
        } else {
            mpq_set_si(s[DETECT_T2], -1, 1);
            mpq_set_si(s[DETECT_MAHAL], -1, 1);
        }
        phi_of(s[DETECT_COMBINED], D, s[DETECT_SPE], s[DETECT_T2]);
        knn_query(s[DETECT_KNN], D, x);
    }
    if (rc == AE_OK)
        rc = detect_box_dist2(s[DETECT_BOX], D->lo, D->hi, x, D->d);
    qvec_clear(z, D->k);
    return rc;
}

int detect_score(mpq_t s, const detect_t D, detect_kind kind, const mpq_t *x, long nx)
{
    if (!check_kind(__func__, (int) kind, DETECT_LIMIT_EMPIRICAL))
        return AE_EINVAL;
    mpq_t *all = qvec_init(DETECT_NKINDS);
    int rc = detect_scores(all, D, x, nx);
    if (rc == AE_OK)
        mpq_set(s, all[kind]);
    qvec_clear(all, DETECT_NKINDS);
    return rc;
}

/* ---- limits stored in D ------------------------------------------------------------- */

int detect_limit(mpq_t lim, const detect_t D, detect_kind kind, int method)
{
    if (!check_kind(__func__, (int) kind, method))
        return AE_EINVAL;
    if (!D->has_limit[method][kind])
        return AE_ERANGE;
    mpq_set(lim, D->limit[method][kind]);
    return AE_OK;
}

int detect_set_limit(detect_t D, detect_kind kind, int method, const mpq_t lim)
{
    if (!check_kind(__func__, (int) kind, method))
        return AE_EINVAL;
    mpq_set(D->limit[method][kind], lim);
    D->has_limit[method][kind] = 1;
    return AE_OK;
}

int detect_flagged(const detect_t D, detect_kind kind, int method, const mpq_t score)
{
    if (!check_kind(__func__, (int) kind, method))
        return 0;
    if (!D->available[kind] || !D->has_limit[method][kind]
        || (kind == DETECT_COMBINED && !has_phi(D)))
        return 0;
    return mpq_cmp(score, D->limit[method][kind]) > 0;
}

/* ---- fitting ------------------------------------------------------------------------- */

static void set_theory(detect_t D, int kind, int st, double v)
{
    if (D->available[kind] && st == AE_OK && isfinite(v)) {
        mpq_set_d(D->limit[DETECT_LIMIT_THEORY][kind], v);   /* exact */
        D->has_limit[DETECT_LIMIT_THEORY][kind] = 1;
    }
}

/* theta_i = tr(R^i), R = (1/n) E^T E from the residual rows E (n x d, double). */
static void thetas(double *theta, const double *E, long n, long d)
{
    double *R = ae_calloc((size_t) (d * d + 1), sizeof(double));
    double *R2 = ae_calloc((size_t) (d * d + 1), sizeof(double));
    for (long i = 0; i < n; i++)
        for (long a = 0; a < d; a++)
            for (long b = 0; b < d; b++)
                R[a * d + b] += E[i * d + a] * E[i * d + b] / (double) n;
    for (long a = 0; a < d; a++)
        for (long b = 0; b < d; b++) {
            double s = 0;
            for (long c = 0; c < d; c++)
                s += R[a * d + c] * R[c * d + b];
            R2[a * d + b] = s;
        }
    theta[0] = theta[1] = theta[2] = 0;
    for (long a = 0; a < d; a++) {
        theta[0] += R[a * d + a];
        for (long b = 0; b < d; b++) {
            theta[1] += R[a * d + b] * R[b * d + a];
            theta[2] += R2[a * d + b] * R[b * d + a];
        }
    }
    free(R);
    free(R2);
}

/* The limits at level alpha: empirical (every kind) and theory (SPE, T2, MAHAL, then
 * COMBINED, which also needs the training phi scores). */
static void fit_limits(detect_t D)
{
    double alpha = D->alpha, v = 0;
    long n = D->n;
    int sst = detect_jm_limit(&v, &D->spe_method, D->theta[0], D->theta[1], D->theta[2], alpha);
    set_theory(D, DETECT_SPE, sst, v);
    if (n > D->k && D->available[DETECT_T2]) {
        int st = detect_f_limit(&v, D->k, n, alpha);
        set_theory(D, DETECT_T2, st, v);
        set_theory(D, DETECT_MAHAL, st, v);
    }
    if (D->has_limit[DETECT_LIMIT_THEORY][DETECT_SPE] && D->has_limit[DETECT_LIMIT_THEORY][DETECT_T2]) {
        mpq_set(D->delta2, D->limit[DETECT_LIMIT_THEORY][DETECT_SPE]);
        mpq_set(D->tau2, D->limit[DETECT_LIMIT_THEORY][DETECT_T2]);
        if (has_phi(D)) {
            int st = detect_yq_limit(&v, D->theta[0], D->theta[1], D->k, mpq_get_d(D->delta2),
                                     mpq_get_d(D->tau2), alpha);
            set_theory(D, DETECT_COMBINED, st, v);
        }
    }
    for (long i = 0; i < n; i++)
        phi_of(D->train[DETECT_COMBINED][i], D, D->train[DETECT_SPE][i], D->train[DETECT_T2][i]);
    /* q = 1 - alpha', alpha' = alpha rounded to a multiple of 1e-6 */
    mpq_t q;
    mpq_init(q);
    mpq_set_si(q, 1000000 - lround(alpha * 1e6), 1000000);
    mpq_canonicalize(q);
    D->available[DETECT_COMBINED] = has_phi(D);
    for (int kind = 0; kind < DETECT_NKINDS; kind++) {
        if (!D->available[kind])
            continue;
        score_quantile(D->limit[DETECT_LIMIT_EMPIRICAL][kind], (const mpq_t *) D->train[kind],
                       n, q);
        D->has_limit[DETECT_LIMIT_EMPIRICAL][kind] = 1;
    }
    mpq_clear(q);
}

/* Sinv = S^{-1} and every kind available, or AE_SINGULAR (S singular, or a zero latent
 * variance s_ii, which T2 divides by): then Sinv = 0 and T2, MAHAL, COMBINED are marked
 * unavailable; the kinds that need no latent inverse stay available (a partial fit). */
static int latent_inverse(detect_t D)
{
    int rc = qmat_inv(D->Sinv, D->S);
    for (long a = 0; a < D->k && rc == AE_OK; a++)
        if (mpq_sgn(qmat_entry(D->S, a, a)) <= 0)
            rc = AE_SINGULAR;
    for (int i = 0; i < DETECT_NKINDS; i++)
        D->available[i] = 1;
    if (rc == AE_SINGULAR) {
        qmat_zero(D->Sinv);
        D->available[DETECT_T2] = D->available[DETECT_MAHAL] = D->available[DETECT_COMBINED] = 0;
    }
    return rc;
}

/* Everything after the model is attached: box, latents, covariance, residuals, scores. */
static int fit_common(detect_t D, const qmat_t X, long knn, double alpha)
{
    long n = X->r, d = X->c, k = D->k;
    D->n = n;
    D->d = d;
    D->knn = knn;
    D->alpha = alpha;
    qmat_resize(D->X, n, d);
    qmat_set(D->X, X);
    D->XZ = ae_malloc((size_t) (n * d + 1) * sizeof(mpz_t));
    for (long i = 0; i < n * d; i++)
        mpz_init(D->XZ[i]);
    qmat_get_mpz_common(D->XZ, D->xden, X);
    D->lo = qvec_init(d);
    D->hi = qvec_init(d);
    qvec_set(D->lo, qmat_row(X, 0), d);
    qvec_set(D->hi, qmat_row(X, 0), d);
    for (long i = 1; i < n; i++)
        for (long j = 0; j < d; j++) {
            if (mpq_cmp(qmat_entry(X, i, j), D->lo[j]) < 0) mpq_set(D->lo[j], qmat_entry(X, i, j));
            if (mpq_cmp(qmat_entry(X, i, j), D->hi[j]) > 0) mpq_set(D->hi[j], qmat_entry(X, i, j));
        }
    for (int i = 0; i < DETECT_NKINDS; i++)
        D->train[i] = qvec_init(n);
    D->zbar = qvec_init(k);
    qmat_t Z;
    qmat_init(Z, n, k);
    double *E = ae_calloc((size_t) (n * d + 1), sizeof(double));
    mpq_t *f = qvec_init(d), t;
    mpq_init(t);
    int rc = D->lin ? linae_scores(D->train[DETECT_SPE], D->lin, X) : AE_OK;
    for (long i = 0; i < n && rc == AE_OK; i++) {
        const mpq_t *x = (const mpq_t *) qmat_row(X, i);
        rc = detect_latent(qmat_row(Z, i), k, D, x, d);
        if (rc == AE_OK && D->net)
            rc = qnet_eval(f, d, NULL, D->net, x, d);
        if (rc != AE_OK)
            break;
        if (D->net) {
            qvec_dist2(D->train[DETECT_SPE][i], x, f, d);
            for (long j = 0; j < d; j++) {
                mpq_sub(t, x[j], f[j]);
                E[i * d + j] = mpq_get_d(t);
            }
        } else {      /* residual in double (for theta only): x - W_d z - b_d */
            for (long j = 0; j < d; j++) {
                double r = mpq_get_d(x[j]) - mpq_get_d(qmat_entry(D->lin->bd, j, 0));
                for (long a = 0; a < k; a++)
                    r -= mpq_get_d(qmat_entry(D->lin->Wd, j, a)) * mpq_get_d(qmat_entry(Z, i, a));
                E[i * d + j] = r;
            }
        }
        mpq_set(D->train[DETECT_RECON][i], D->train[DETECT_SPE][i]);
        qvec_add(D->zbar, D->zbar, qmat_row(Z, i), k);
    }
    if (rc == AE_OK) {
        mpq_set_si(t, 1, n);
        qvec_scale(D->zbar, D->zbar, t, k);
        qmat_resize(D->S, k, k);
        qmat_resize(D->Sinv, k, k);
        mpq_t *y = qvec_init(k);
        for (long i = 0; i < n; i++) {
            qvec_sub(y, qmat_row(Z, i), D->zbar, k);
            for (long a = 0; a < k; a++)
                for (long b = a; b < k; b++) {
                    mpq_mul(t, y[a], y[b]);
                    mpq_add(qmat_entry(D->S, a, b), qmat_entry(D->S, a, b), t);
                }
        }
        qvec_clear(y, k);
        mpq_set_si(t, 1, n);
        for (long a = 0; a < k; a++)
            for (long b = a; b < k; b++) {
                mpq_mul(qmat_entry(D->S, a, b), qmat_entry(D->S, a, b), t);
                mpq_set(qmat_entry(D->S, b, a), qmat_entry(D->S, a, b));
            }
        rc = latent_inverse(D);
    }
    if (rc == AE_OK || rc == AE_SINGULAR) {
        for (long i = 0; i < n; i++)
            if (rc == AE_OK) {
                latent_scores(D->train[DETECT_T2][i], D->train[DETECT_MAHAL][i], D,
                              (const mpq_t *) qmat_row(Z, i));
            } else {
                mpq_set_si(D->train[DETECT_T2][i], -1, 1);
                mpq_set_si(D->train[DETECT_MAHAL][i], -1, 1);
            }
        knn_train(D->train[DETECT_KNN], X, knn);     /* box: all 0 (every row is inside) */
        thetas(D->theta, E, n, d);
        fit_limits(D);
    }
    mpq_clear(t);
    qvec_clear(f, d);
    free(E);
    qmat_clear(Z);
    if (rc != AE_OK && rc != AE_SINGULAR)
        detect_reset(D);
    return rc;
}

static int bad_fit_args(const char *func, const qmat_t X, long d, long knn, double alpha)
{
    if (X == NULL || X->c != d || X->r < 2 || knn < 1 || knn > X->r - 1 || bad_alpha(alpha)) {
        ae_error(func, "needs X n x %ld with n >= 2, 1 <= knn <= n - 1, alpha in (0, 1)", d);
        return 1;
    }
    return 0;
}

int detect_fit_linae(detect_t D, const linae_t ae, const qmat_t X, long knn, double alpha)
{
    if (ae == NULL || bad_fit_args(__func__, X, ae->d, knn, alpha))
        return AE_EINVAL;
    detect_reset(D);
    D->lin = ae;
    D->k = ae->k;
    D->d = ae->d;
    linear_latent_prepare(D);
    return fit_common(D, X, knn, alpha);
}

int detect_fit_qnet(detect_t D, const qnet_t net, const qmat_t X, long knn, double alpha)
{
    if (net == NULL || net->L < 2 || qnet_din(net) != qnet_dout(net)
        || bad_fit_args(__func__, X, qnet_din(net), knn, alpha))
        return AE_EINVAL;
    detect_reset(D);
    long zl = 1;                          /* the first hidden layer of least width */
    for (long l = 2; l < net->L; l++)
        if (net->sizes[l] < net->sizes[zl])
            zl = l;
    D->net = net;
    D->zlayer = zl;
    D->k = net->sizes[zl];
    D->d = qnet_din(net);
    return fit_common(D, X, knn, alpha);
}
