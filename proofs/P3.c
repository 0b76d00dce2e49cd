/* P3 — conditioning: as the eigengap lambda_k - lambda_{k+1} shrinks, the double-precision
 * principal subspace rotates away from the exact one, and far points change verdict.
 *
 * Claim: for exact data whose covariance has eigengap g, the principal subspace computed
 * in double (the covariance rounded to double, GSL's gsl_eigen_symmv) makes an angle of
 * order eps ||C|| / g with the exact principal subspace U, while MPFR at p bits (reig)
 * stays within about 2^-p ||C|| / g; so below g ~ 1e-15 the double PCA detector is a
 * different detector: a far point along U, blind to the exact PCA AE (score 0 <= s_min),
 * is detected by the double one beyond a finite distance, and a far point along the
 * double subspace, blind to the double AE, is detected by the exact one.
 *
 * Instances (exact).  d = 6, k = 2, Q a rational orthogonal matrix (product of three
 * Householder reflections with random integer vectors), scales s = (2, 1, 1 - delta, 1/2,
 * 1/4, 1/8) and the 2^d rows x = m + Q z, z in {-s_1, s_1} x ... x {-s_d, s_d} (full
 * factorial design): the mean is m and the covariance exactly Q diag(s_j^2) Q^T, so
 * U = span(q_1, q_2) is the exact principal subspace, g = 1 - (1 - delta)^2 =
 * 2 delta - delta^2 exactly, delta = 10^-e / 2 for e = 1..15 (quick: 1, 8, 15), and every
 * training row has exact PCA score sum_{j>k} s_j^2 = s_min > 0.
 *
 * Verification.  C = the exact covariance (pca_mean_cov); C_d = C rounded entrywise to
 * double; V_D = the k leading eigenvectors of C_d from gsl_eigen_symmv (read exactly as
 * dyadic rationals); V_M = the k leading eigenvectors of C rounded to ctx->prec bits from
 * reig_sym.  Angles between col(V_D) and U and between col(V_M) and U: exact sin^2 roots
 * and MPFR asin enclosures (theory/angles.h), each enclosure re-checked by an exact Sturm
 * count (p23_certify).  Detectors: the exact projector AEs (mean m) onto U and onto
 * col(V_D), each with its own exact s_min over the training rows.  (a) u = q_k: the exact
 * score of m + t u is 0 for every t; the double score is t^2 ||(I - P_D) u||^2, so the
 * verdict flips beyond t_a = sqrt(s_min_D / ||(I - P_D) u||^2).  (b) v = the k-th column
 * of V_D: double score 0, exact score t^2 ||(I - P_U) v||^2 / ..., flip beyond t_b.
 * Both flips are certified by exact scores on either side: at 2 t_hi the point is
 * detected (score > s_min) and at t_lo / 2 it is not (t_lo, t_hi rational bounds of t).
 * Distances are in units of the data diameter.  Negative control: every angle certificate
 * is run on a shifted interval that must be rejected, and the flip check at t_lo / 2 is
 * itself a rejection; under ctx->corrupt the shifted intervals are the certified ones and
 * the "detected" check is made at t_lo / 4 instead of 2 t_hi, so the verdict cannot be
 * VERIFIED.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>

#include "aeerr.h"
#include "angles.h"
#include "linae.h"
#include "p23util.h"
#include "pca.h"
#include "pcommon.h"
#include "proof.h"
#include "qmat.h"
#include "qnum.h"
#include "reig.h"
#include "rmat.h"
#include "score.h"
#include "table.h"

#define P3_D 6
#define P3_K 2

static const char *const COLS[] = {
    "gap_exponent", "seed", "eigengap", "double_angle_max_lo", "double_angle_max_hi",
    "mpfr_angle_max_lo", "mpfr_angle_max_hi", "mpfr_prec", "s_min_exact", "s_min_double",
    "flip_a_distance_over_diameter", "flip_b_distance_over_diameter", "flips_at_1e3",
    "flips_at_1e9", "certificates"};
#define NCOLS ((long) (sizeof COLS / sizeof COLS[0]))
static const proof_table TABLES[] = {{"P3_conditioning", "P3: double against exact principal "
                                      "subspaces as the eigengap shrinks", COLS, NCOLS}};

typedef struct {
    long rows, total, cert_bad, ctl_bad, flip_bad;
    char why[256];
} p3_tally;

/* The exact instance for gap exponent e: rows X (2^d x d), mean, U = Q's first k
 * columns, the exact gap. */
static void instance(qmat_t X, mpq_t *mean, qmat_t U, mpq_t gap, long e, gsl_rng *r)
{
    const long d = P3_D;
    qmat_t Hv, Q;
    qmat_init(Hv, d, 3);
    qmat_init(Q, d, d);
    for (long j = 0; j < 3; j++) {
        do
            for (long i = 0; i < d; i++)
                mpq_set_si(qmat_entry(Hv, i, j), (long) gsl_rng_uniform_int(r, 19) - 9, 1);
        while (mpq_sgn(qmat_entry(Hv, 0, j)) == 0 && mpq_sgn(qmat_entry(Hv, 1, j)) == 0);
    }
    pca_householder(Q, Hv);
    mpq_t *s = qvec_init(d), delta;
    mpq_init(delta);
    static const long SN[P3_D] = {2, 1, 1, 1, 1, 1}, SD[P3_D] = {1, 1, 1, 2, 4, 8};
    for (long j = 0; j < d; j++)
        mpq_set_si(s[j], SN[j], (unsigned long) SD[j]);
    qnum_pow10(delta, -e);
    mpq_div_2exp(delta, delta, 1);
    mpq_sub(s[2], s[2], delta);
    mpq_mul(gap, s[2], s[2]);
    mpq_sub(gap, s[1], gap);          /* s_2 = 1: g = 1 - s_3^2 */
    for (long j = 0; j < d; j++)
        prf_rand_q(mean[j], r, 9, 4);
    mpq_t *z = qvec_init(d), *x = qvec_init(d);
    for (long i = 0; i < (1L << d); i++) {
        for (long j = 0; j < d; j++) {
            mpq_set(z[j], s[j]);
            if ((i >> j) & 1)
                mpq_neg(z[j], z[j]);
        }
        qmat_mul_vec(x, Q, z);
        for (long j = 0; j < d; j++)
            mpq_add(qmat_entry(X, i, j), x[j], mean[j]);
    }
    for (long i = 0; i < d; i++)
        for (long j = 0; j < P3_K; j++)
            mpq_set(qmat_entry(U, i, j), qmat_entry(Q, i, j));
    qvec_clear(z, d); qvec_clear(x, d); qvec_clear(s, d);
    mpq_clear(delta);
    qmat_clear(Hv); qmat_clear(Q);
}

/* VD (d x k) = the k leading eigenvectors of C rounded to double, by gsl_eigen_symmv
 * (sorted by descending eigenvalue), read exactly.  AE_NOTCONV if GSL fails. */
static int double_subspace(qmat_t VD, const qmat_t C)
{
    long d = C->r, k = VD->c;
    gsl_matrix *A = gsl_matrix_alloc((size_t) d, (size_t) d);
    gsl_matrix *V = gsl_matrix_alloc((size_t) d, (size_t) d);
    gsl_vector *w = gsl_vector_alloc((size_t) d);
    gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc((size_t) d);
    int st = AE_ENOMEM;
    if (A && V && w && ws) {
        for (long i = 0; i < d; i++)
            for (long j = 0; j < d; j++)
                gsl_matrix_set(A, (size_t) i, (size_t) j, qnum_get_d(qmat_entry(C, i, j)));
        st = gsl_eigen_symmv(A, w, V, ws) == GSL_SUCCESS
             && gsl_eigen_symmv_sort(w, V, GSL_EIGEN_SORT_VAL_DESC) == GSL_SUCCESS
             ? AE_OK : AE_NOTCONV;
    }
    if (st == AE_OK)
        for (long i = 0; i < d; i++)
            for (long j = 0; j < k; j++)
                qnum_set_d(qmat_entry(VD, i, j), gsl_matrix_get(V, (size_t) i, (size_t) j));
    if (ws)
        gsl_eigen_symmv_free(ws);
    gsl_vector_free(w);
    gsl_matrix_free(V);
    gsl_matrix_free(A);
    return st;
}

/* VM (d x k) = the k leading eigenvectors of C rounded to prec bits, by reig_sym, read
 * exactly. */
static int mpfr_subspace(qmat_t VM, const qmat_t C, mpfr_prec_t prec)
{
    long d = C->r;
    rmat_t Cr;
    rmat_init(Cr, d, d, prec);
    reig_t E;
    reig_init(E, d, prec);
    qmat_t V;
    qmat_init(V, d, d);
    rmat_set_qmat(Cr, C, MPFR_RNDN);
    int st = reig_sym(E, Cr);
    if (st == AE_OK) {
        rmat_get_qmat(V, E->vectors);
        qmat_submatrix(VM, V, 0, 0);
    }
    qmat_clear(V);
    reig_clear(E);
    rmat_clear(Cr);
    return st;
}

/* Angles between col(V) and col(U): enclosure of the largest one into cells, each
 * sin^2 enclosure certified.  Returns 1 iff every certificate held. */
static int angle_pair(const char **lo, const char **hi, const qmat_t V, const qmat_t U,
                      int corrupt, p3_tally *T, mpfr_prec_t prec)
{
    angles_t A;
    angles_init(A, V->c, prec);
    int ok = angles_compute(A, V, U, 2 * (long) prec) == AE_OK;
    for (long i = 0; ok && i < A->k; i++)
        ok = p23_certify(A->chi, A->mu_lo[i], A->mu_hi[i], corrupt, &T->ctl_bad);
    const char *c[4] = {"n/a", "n/a", "n/a", "n/a"};
    if (ok)
        p23_angle_cells(c, A);
    *lo = c[2];
    *hi = c[3];
    angles_clear(A);
    return ok;
}

/* The flip of a far point m + t w (w of length d): blind to `blind` (score 0 along w, an
 * invariant checked exactly), detected by `det` beyond t* = sqrt(smin / ||w - P w||^2)
 * with P the projector of det (the score of m + t w under det is t^2 ||(I - P) w||^2 since
 * det's mean is m).  Certified: at 2 t_hi (under corrupt: t_lo / 4) det's exact score
 * exceeds smin, at t_lo / 2 it does not, and blind's score there is 0.  *dist = t_hi /
 * diameter as a cell ("none" when w lies in det's subspace: no flip at any distance).
 * flips[i] = 1 iff the verdicts differ at t = 10^FAR[i] diameters (exact).  Returns 1
 * iff certified (or no flip exists and none was claimed). */
static const long FAR[2] = {3, 9};

static int flip(const char **dist, int flips[2], const linae_t blind, const linae_t det,
                const mpq_t smin_b, const mpq_t smin_d, const mpq_t *m, const mpq_t *w,
                const mpq_t diam, int corrupt)
{
    long d = det->d;
    mpq_t *p = qvec_init(d), *x = qvec_init(d);
    mpq_t r2, t2, tlo, thi, t, e, eb;
    mpq_inits(r2, t2, tlo, thi, t, e, eb, NULL);
    linae_map(p, det, w);                /* f(w) = m + P (w - m), so (I - P) w = w - (f(w) - f(0)) */
    linae_map(x, det, x);                /* x = 0 on entry: f(0) */
    qvec_sub(p, p, x, d);
    qvec_sub(p, w, p, d);
    qvec_norm2(r2, p, d);
    int ok = 1;
    *dist = "none";
    flips[0] = flips[1] = 0;
    if (mpq_sgn(r2) > 0) {
        mpq_div(t2, smin_d, r2);
        qnum_sqrt_lower(tlo, t2, 64);
        qnum_sqrt_upper(thi, t2, 64);
        mpq_div(t, thi, diam);
        *dist = p23_q_dir(t, 1);
        /* detected side */
        if (corrupt)
            mpq_div_2exp(t, tlo, 2);
        else
            mpq_add(t, thi, thi);
        qvec_scale(x, w, t, d);
        qvec_add(x, x, m, d);
        linae_score(e, det, x);
        linae_score(eb, blind, x);
        ok = mpq_cmp(e, smin_d) > 0 && mpq_sgn(eb) == 0 && mpq_cmp(eb, smin_b) <= 0;
        /* blind side */
        mpq_div_2exp(t, tlo, 1);
        qvec_scale(x, w, t, d);
        qvec_add(x, x, m, d);
        linae_score(e, det, x);
        ok = ok && mpq_cmp(e, smin_d) <= 0;
    }
    for (int i = 0; i < 2; i++) {
        qnum_pow10(t, FAR[i]);
        mpq_mul(t, t, diam);
        qvec_scale(x, w, t, d);
        qvec_add(x, x, m, d);
        linae_score(e, det, x);
        linae_score(eb, blind, x);
        flips[i] = (mpq_cmp(e, smin_d) > 0) != (mpq_cmp(eb, smin_b) > 0);
    }
    mpq_clears(r2, t2, tlo, thi, t, e, eb, NULL);
    qvec_clear(p, d);
    qvec_clear(x, d);
    return ok;
}

/* s = the exact minimum training score of ae on X. */
static void smin_of(mpq_t s, const linae_t ae, const qmat_t X)
{
    mpq_t *e = qvec_init(X->r);
    linae_scores(e, ae, X);
    score_min(s, NULL, e, X->r);
    qvec_clear(e, X->r);
}

/* One instance: the row and the tallies. */
static int one(proof_job *J, p3_tally *T, long ex, long rep, gsl_rng *r)
{
    const proof_ctx *ctx = J->ctx;
    const long d = P3_D, k = P3_K, n = 1L << P3_D;
    qmat_t X, U, C, VD, VM;
    qmat_init(X, n, d); qmat_init(U, d, k); qmat_init(C, d, d);
    qmat_init(VD, d, k); qmat_init(VM, d, k);
    mpq_t *mean = qvec_init(d), *w = qvec_init(d);
    mpq_t gap, smin_e, smin_d, diam;
    mpq_inits(gap, smin_e, smin_d, diam, NULL);
    instance(X, mean, U, gap, ex, r);
    int st = pca_mean_cov(NULL, C, X);
    if (st == AE_OK)
        st = double_subspace(VD, C);
    if (st == AE_OK)
        st = mpfr_subspace(VM, C, ctx->prec);
    linae_t ex_ae, db_ae;
    linae_init(ex_ae, d, k);
    linae_init(db_ae, d, k);
    if (st == AE_OK)
        st = linae_set_projector_basis(ex_ae, U, mean);
    if (st == AE_OK)
        st = linae_set_projector_basis(db_ae, VD, mean);
    if (st == AE_OK) {
        smin_of(smin_e, ex_ae, X);
        smin_of(smin_d, db_ae, X);
        /* diameter of the 2^d design: ||2 s|| exactly bounded above */
        mpq_t *a = qvec_init(d), *b = qvec_init(d);
        for (long j = 0; j < d; j++) {
            mpq_set(a[j], qmat_entry(X, 0, j));
            mpq_set(b[j], qmat_entry(X, n - 1, j));
        }
        qvec_dist2(diam, a, b, d);       /* opposite corners: the diameter of the box design */
        qnum_sqrt_upper(diam, diam, 64);
        qvec_clear(a, d); qvec_clear(b, d);
        const char *dlo, *dhi, *mlo, *mhi, *fa, *fb;
        int ok = angle_pair(&dlo, &dhi, VD, U, ctx->corrupt, T, ctx->prec);
        ok = angle_pair(&mlo, &mhi, VM, U, ctx->corrupt, T, ctx->prec) && ok;
        int fla[2], flb[2];
        qmat_get_col(w, U, k - 1);
        int oka = flip(&fa, fla, ex_ae, db_ae, smin_e, smin_d, mean, w, diam, ctx->corrupt);
        qmat_get_col(w, VD, k - 1);
        int okb = flip(&fb, flb, db_ae, ex_ae, smin_d, smin_e, mean, w, diam, ctx->corrupt);
        if (!oka || !okb)
            T->flip_bad++;
        if (!ok)
            T->cert_bad++;
        if ((!ok || !oka || !okb) && !T->why[0])
            snprintf(T->why, sizeof T->why, "gap 1e-%ld seed %ld: %s", ex, rep,
                     ok ? "a flip distance was not confirmed" : "an angle certificate failed");
        char c3[8], c9[8];
        snprintf(c3, sizeof c3, "%s%s", fla[0] ? "a" : "", flb[0] ? "b" : "");
        snprintf(c9, sizeof c9, "%s%s", fla[1] ? "a" : "", flb[1] ? "b" : "");
        proof_row(J, 0, "%ld\t%ld\t%s\t%s\t%s\t%s\t%s\t%ld\t%s\t%s\t%s\t%s\t%s\t%s\t%s",
                  ex, rep, prf_q6(gap), dlo, dhi, mlo, mhi, (long) ctx->prec, prf_q(smin_e),
                  prf_q6(smin_d), fa, fb, c3[0] ? c3 : "none", c9[0] ? c9 : "none",
                  ok && oka && okb ? "checked" : "REJECTED");
        T->rows++;
    }
    linae_clear(ex_ae); linae_clear(db_ae);
    mpq_clears(gap, smin_e, smin_d, diam, NULL);
    qvec_clear(mean, d); qvec_clear(w, d);
    qmat_clear(X); qmat_clear(U); qmat_clear(C); qmat_clear(VD); qmat_clear(VM);
    return st;
}

static int run(proof_job *J)
{
    const proof_ctx *ctx = J->ctx;
    proof_result *res = J->res;
    static const long QUICK[] = {1, 8, 15};
    long nex = ctx->quick ? 3 : 15, nrep = ctx->quick ? 1 : 5;
    p3_tally T;
    memset(&T, 0, sizeof T);
    T.total = nex * nrep;
    gsl_rng *r = prf_rng(ctx, "P3");
    for (long i = 0; i < nex; i++)
        for (long rep = 0; rep < nrep; rep++) {
            long ex = ctx->quick ? QUICK[i] : i + 1;
            int st = one(J, &T, ex, rep, r);
            if (st != AE_OK) {
                gsl_rng_free(r);
                return proof_fail(J, st, "gap 1e-%ld seed %ld: eigensolver or projector "
                                  "failed (status %d)", ex, rep, st);
            }
            char what[64];
            snprintf(what, sizeof what, "gap 1e-%ld rotation %ld", ex, rep);
            proof_progress("P3", T.rows, T.total, what);
        }
    gsl_rng_free(r);
    snprintf(res->method, sizeof res->method, "exact data; GSL symmv on the double covariance "
             "vs reig at %ld bits; exact sin^2 (Sturm), MPFR asin; exact flip scores",
             (long) ctx->prec);
    res->instances = T.rows;
    if (T.cert_bad || T.flip_bad)
        proof_set(res, VERDICT_ERROR, "%ld angle and %ld flip certificates rejected; %s",
                  T.cert_bad, T.flip_bad, T.why);
    else if (T.ctl_bad)
        proof_set(res, VERDICT_ERROR, "negative control: %ld shifted enclosures were accepted",
                  T.ctl_bad);
    else
        proof_set(res, VERDICT_VERIFIED, "%ld instances (eigengap 1e-1 .. 1e-15): every angle "
                  "enclosure certified exactly; every flip distance confirmed by exact scores on "
                  "both sides", T.rows);
    return AE_OK;
}

int proof_P3(const proof_ctx *ctx, proof_result *res)
{
    return proof_run(ctx, res, TABLES, 1, run, NULL);
}
