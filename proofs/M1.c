/* M1 — the combined statistic SPE + T^2 detects every far point of a PCA autoencoder.
 *
 * Claim: for the PCA AE f(x) = m + P (x - m) (P the exact orthogonal projector onto
 * span(V_k), latent z = W_e (x - m), W_e = (V_k^T V_k)^{-1} V_k^T) the Yue–Qin statistic
 * phi(x) = SPE(x)/delta^2 + T2(x)/tau^2 (detect.h; delta^2 the Jackson–Mudholkar limit,
 * tau^2 the F limit, phi_lim = g chi^2_h at alpha = 1 %) flags every x with ||x - m|| > D*,
 * for an explicit D*; hence every L3 and L4 counterexample beyond D* is flagged.
 *
 * Derivation of D* (every step exact):
 *   (1) P symmetric and idempotent (checked exactly: linae_is_orthogonal_projector), so
 *       ||x - m||^2 = ||P u||^2 + ||(I - P) u||^2 with u = x - m, and SPE(x) = ||(I - P) u||^2
 *       (b_e = -W_e m and b_d = m: f(x) - m = V_k z = P u).
 *   (2) T2(x) = sum_i z_i^2 / s_ii >= ||z||^2 / s_max, s_max = max_i s_ii (the exact latent
 *       variances; the training latent mean is 0, checked exactly).
 *   (3) ||P u||^2 = z^T G_k z <= lambda_max(G_k) ||z||^2 <= (1 + eta) ||z||^2, G_k = V_k^T V_k,
 *       because ||G_k - I||_2 <= ||G_k - I||_F <= ||V^T V - I||_F <= eta (the certificate's
 *       rational eta, pca.h).
 *   Hence phi(x) >= ||(I-P)u||^2 / delta^2 + ||P u||^2 / ((1 + eta) s_max tau^2)
 *                >= c ||u||^2,   c = min(1/delta^2, 1/((1 + eta) s_max tau^2)),
 *   and phi(x) > phi_lim whenever ||x - m||^2 > D*^2 = phi_lim / c (a rational).
 *
 * Check: the L3 anomalies (a = m + c v~_1, c = 10^s x an upper bound of the data diameter,
 * s in {0, 1, 3, 6, 100}, k in {1, 2, 4, 8} as L3) and the L4 shifts (every training point,
 * every 4th in quick mode, moved by t w, w a column of W_d, t in {1e3, -1e6, 1e100}, k = 2 as
 * L4) are rebuilt exactly; for each: the exact phi (by detect_scores for the L3 rows and,
 * as a second computation, from the exact pieces), the inequality phi >= c ||x - m||^2, the
 * flag phi > phi_lim, and the plain AE score (0 for L3, unchanged for L4: a miss at the
 * empirical 99 % limit).  VERIFIED iff every point beyond D* is flagged and the inequality
 * holds everywhere.  Negative control (every run, every model): some L3 anomaly flagged by
 * the real limit must be missed with phi_lim replaced by 1e300; with ctx->corrupt the 1e300
 * limit is used for all checks (so the verdict cannot be VERIFIED).
 */
#include <stdio.h>
#include <string.h>

#include "aeerr.h"
#include "detect.h"
#include "linae.h"
#include "pcommon.h"
#include "proof.h"
#include "qnum.h"
#include "table.h"

static const long KS[] = {1, 2, 4, 8};
static const long SCALE_EXP[] = {0, 1, 3, 6, 100};
static const long T_EXP[] = {3, 6, 100};
static const int T_SIGN[] = {1, -1, 1};

static const char *const COLS[] = {"dataset", "k", "source", "instance", "points",
                                   "beyond_D_star", "flagged_combined", "flagged_beyond",
                                   "bound_holds", "ae_score_missed", "min_phi",
                                   "phi_limit", "D_star_over_diameter"};
static const char *const RCOLS[] = {"dataset", "k", "n", "spe_limit_delta2", "spe_method",
                                    "t2_limit_tau2", "phi_limit", "eta", "s_max", "c",
                                    "D_star", "D_star_over_diameter", "diameter"};
static const proof_table TABLES[] = {
    {"M1_combined", "M1: the combined statistic SPE/delta^2 + T2/tau^2 on the L3/L4 counterexamples", COLS, 13},
    {"M1_radius", "M1: the certified detection radius D* of SPE + T2 per PCA AE", RCOLS, 13}};

/* Per model: the bound's constants. */
typedef struct {
    mpq_t c, Dstar2, Dstar, lim, smax, ratio;
} m1_bound;

/* Counts over one group of points (one table row). */
typedef struct {
    long points, beyond, flagged, flagged_beyond, holds, missed;
    mpq_t minphi;
} m1_tally;

typedef struct {
    long rows, groups, unflagged_beyond, bound_fails, not_missed, controls_bad, errors;
    char why[512];
} m1_total;

/* phi from the exact pieces (the second computation): SPE/delta^2 + sum z_i^2/s_ii / tau^2. */
static int phi_pieces(mpq_t phi, mpq_t spe, const detect_t D, const linae_t ae, const mpq_t *x)
{
    long k = D->k;
    mpq_t *z = qvec_init(k), t, t2;
    mpq_inits(t, t2, NULL);
    int st = detect_latent(z, k, D, x, D->d);
    if (st == AE_OK)
        st = linae_score(spe, ae, x);
    mpq_set_ui(t2, 0, 1);
    for (long i = 0; i < k && st == AE_OK; i++) {
        mpq_mul(t, z[i], z[i]);
        mpq_div(t, t, qmat_entry(D->S, i, i));
        mpq_add(t2, t2, t);
    }
    mpq_div(phi, spe, D->delta2);
    mpq_div(t2, t2, D->tau2);
    mpq_add(phi, phi, t2);
    mpq_clears(t, t2, NULL);
    qvec_clear(z, k);
    return st;
}

/* One point: tally it.  ae_missed: the counterexample's defining property (checked by
 * the caller).  Returns the status of the exact evaluation. */
static int one_point(m1_tally *T, m1_total *G, const detect_t D, const linae_t ae,
                     const mpq_t *mean, const m1_bound *B, const mpq_t *x, int ae_missed,
                     const mpq_t lim)
{
    long d = D->d;
    mpq_t phi, spe, u2, t;
    mpq_inits(phi, spe, u2, t, NULL);
    int st = phi_pieces(phi, spe, D, ae, x);
    qvec_dist2(u2, x, mean, d);
    int beyond = mpq_cmp(u2, B->Dstar2) > 0;
    int flagged = mpq_cmp(phi, lim) > 0;
    mpq_mul(t, B->c, u2);
    int holds = mpq_cmp(phi, t) >= 0;
    T->points++;
    T->beyond += beyond;
    T->flagged += flagged;
    T->flagged_beyond += beyond && flagged;
    T->holds += holds;
    T->missed += ae_missed;
    if (T->points == 1 || mpq_cmp(phi, T->minphi) < 0)
        mpq_set(T->minphi, phi);
    if (!holds)
        G->bound_fails++;
    if (beyond && !flagged)
        G->unflagged_beyond++;
    if (!ae_missed)
        G->not_missed++;
    mpq_clears(phi, spe, u2, t, NULL);
    return st;
}

static void tally_init(m1_tally *T)
{
    memset(T, 0, sizeof *T);
    mpq_init(T->minphi);
}

static void emit(proof_job *J, m1_total *G, const char *name, long k, const char *src,
                 const char *inst, m1_tally *T, const m1_bound *B, const mpq_t lim)
{
    proof_row(J, 0, "%s\t%ld\t%s\t%s\t%ld\t%ld\t%ld\t%ld\t%ld\t%ld\t%s\t%s\t%s", name, k, src,
              inst, T->points, T->beyond, T->flagged, T->flagged_beyond, T->holds, T->missed,
              prf_q6(T->minphi), prf_q6(lim), prf_q6(B->ratio));
    if (!G->why[0] && (T->flagged_beyond < T->beyond || T->holds < T->points))
        snprintf(G->why, sizeof G->why, "%s k=%ld %s %s: %ld of %ld beyond D* flagged, bound "
                 "held at %ld of %ld", name, k, src, inst, T->flagged_beyond, T->beyond,
                 T->holds, T->points);
    G->groups++;
    G->rows += T->points;
    mpq_clear(T->minphi);
}

/* The constants of the bound; AE_NOTVERIFIED when a hypothesis fails (reason in why). */
static int make_bound(m1_bound *B, const detect_t D, const prf_model_struct *M,
                      const mpq_t diam, mpfr_prec_t p, char *why, size_t wl)
{
    if (!linae_is_orthogonal_projector(M->ae) || !qvec_is_zero(D->zbar, D->k)) {
        snprintf(why, wl, "the AE is not an exact orthogonal projector with zero latent mean");
        return AE_NOTVERIFIED;
    }
    if (!D->has_limit[DETECT_LIMIT_THEORY][DETECT_COMBINED] || mpq_sgn(D->delta2) <= 0
        || mpq_sgn(D->tau2) <= 0 || mpq_cmp_ui(M->cert->eta, 1, 1) >= 0) {
        snprintf(why, wl, "limits unavailable or eta >= 1");
        return AE_NOTVERIFIED;
    }
    mpq_set(B->lim, D->limit[DETECT_LIMIT_THEORY][DETECT_COMBINED]);
    mpq_set(B->smax, qmat_entry(D->S, 0, 0));
    for (long i = 1; i < D->k; i++)
        if (mpq_cmp(qmat_entry(D->S, i, i), B->smax) > 0)
            mpq_set(B->smax, qmat_entry(D->S, i, i));
    mpq_t a, b;
    mpq_inits(a, b, NULL);
    mpq_inv(a, D->delta2);
    mpq_set_ui(b, 1, 1);
    mpq_add(b, b, M->cert->eta);
    mpq_mul(b, b, B->smax);
    mpq_mul(b, b, D->tau2);
    mpq_inv(b, b);
    mpq_set(B->c, mpq_cmp(a, b) < 0 ? a : b);
    mpq_div(B->Dstar2, B->lim, B->c);
    qnum_sqrt_upper(B->Dstar, B->Dstar2, p);
    mpq_div(B->ratio, B->Dstar, diam);
    mpq_clears(a, b, NULL);
    return AE_OK;
}

/* The L3 anomalies of one model.  Also the negative control on the first one. */
static int l3_rows(proof_job *J, m1_total *G, const prf_data_struct *Dt, const prf_model_struct *M,
                   const detect_t D, const m1_bound *B, const mpq_t diam, const mpq_t lim)
{
    long d = Dt->X->c;
    mpq_t *a = qvec_init(d), *v1 = qvec_init(d), *s = qvec_init(DETECT_NKINDS), c, phi, spe, huge;
    mpq_inits(c, phi, spe, huge, NULL);
    mpq_set_d(huge, 1e300);
    qmat_get_col(v1, M->ae->Wd, 0);
    int st = AE_OK, ctl = 0;
    for (long si = 0; si < 5 && st == AE_OK; si++) {
        qnum_pow10(c, SCALE_EXP[si]);
        mpq_mul(c, c, diam);
        qvec_scale(a, v1, c, d);
        qvec_add(a, a, Dt->mean, d);
        if ((st = detect_scores(s, D, (const mpq_t *) a, d)) != AE_OK)
            break;
        st = phi_pieces(phi, spe, D, M->ae, (const mpq_t *) a);
        if (!mpq_equal(phi, s[DETECT_COMBINED]) || !mpq_equal(spe, s[DETECT_RECON])) {
            G->errors++;
            if (!G->why[0])
                snprintf(G->why, sizeof G->why, "%s k=%ld: detect_scores and the pieces disagree",
                         Dt->name, M->k);
        }
        int missed = mpq_sgn(s[DETECT_RECON]) == 0
                     && !detect_flagged(D, DETECT_RECON, DETECT_LIMIT_EMPIRICAL, s[DETECT_RECON]);
        if (mpq_cmp(phi, huge) <= 0 && mpq_cmp(phi, B->lim) > 0)
            ctl = 1;               /* the real limit catches it, 1e300 misses it */
        m1_tally T;
        tally_init(&T);
        st = st == AE_OK ? one_point(&T, G, D, M->ae, Dt->mean, B, (const mpq_t *) a, missed, lim) : st;
        char inst[32];
        snprintf(inst, sizeof inst, "c=1e%ld x diameter", SCALE_EXP[si]);
        emit(J, G, Dt->name, M->k, "L3", inst, &T, B, lim);
    }
    if (st == AE_OK && !ctl)
        G->controls_bad++;
    mpq_clears(c, phi, spe, huge, NULL);
    qvec_clear(a, d);
    qvec_clear(v1, d);
    qvec_clear(s, DETECT_NKINDS);
    return st;
}

/* The L4 shifted training points of one model (k = 2). */
static int l4_rows(proof_job *J, m1_total *G, const prf_data_struct *Dt, const prf_model_struct *M,
                   const detect_t D, const m1_bound *B, const mpq_t lim, long stride)
{
    long n = Dt->X->r, d = Dt->X->c;
    mpq_t *w = qvec_init(d), *x = qvec_init(d), t, e;
    mpq_inits(t, e, NULL);
    int st = AE_OK;
    for (long dir = 0; dir < M->k && st == AE_OK; dir++) {
        qmat_get_col(w, M->ae->Wd, dir);
        for (long ti = 0; ti < 3 && st == AE_OK; ti++) {
            qnum_pow10(t, T_EXP[ti]);
            if (T_SIGN[ti] < 0)
                mpq_neg(t, t);
            m1_tally T;
            tally_init(&T);
            for (long i = 0; i < n && st == AE_OK; i += stride) {
                qvec_scale(x, w, t, d);
                qvec_add(x, x, qmat_row(Dt->X, i), d);
                st = linae_score(e, M->ae, (const mpq_t *) x);
                int missed = mpq_equal(e, M->scores[i]);
                if (st == AE_OK)
                    st = one_point(&T, G, D, M->ae, Dt->mean, B, (const mpq_t *) x, missed, lim);
            }
            char inst[64];
            snprintf(inst, sizeof inst, "W_d column %ld, t=%s1e%ld", dir + 1,
                     T_SIGN[ti] < 0 ? "-" : "", T_EXP[ti]);
            emit(J, G, Dt->name, M->k, "L4", inst, &T, B, lim);
        }
    }
    mpq_clears(t, e, NULL);
    qvec_clear(w, d);
    qvec_clear(x, d);
    return st;
}

static int one_model(proof_job *J, m1_total *G, const prf_data_struct *Dt,
                     const prf_model_struct *M, const mpq_t diam, char *radii, size_t rl)
{
    const proof_ctx *ctx = J->ctx;
    detect_t D;
    detect_init(D);
    int st = detect_fit_linae(D, M->ae, Dt->X, 1, 0.01);
    if (st != AE_OK) {
        detect_clear(D);
        G->errors++;
        if (!G->why[0])
            snprintf(G->why, sizeof G->why, "%s k=%ld: detector fit: %s", Dt->name, M->k,
                     ae_strstatus(st));
        return AE_OK;
    }
    m1_bound B;
    mpq_inits(B.c, B.Dstar2, B.Dstar, B.lim, B.smax, B.ratio, NULL);
    char why[200];
    st = make_bound(&B, D, M, diam, ctx->prec, why, sizeof why);
    if (st != AE_OK) {
        G->errors++;
        if (!G->why[0])
            snprintf(G->why, sizeof G->why, "%s k=%ld: %s", Dt->name, M->k, why);
        st = AE_OK;
    } else {
        mpq_t lim;
        mpq_init(lim);
        if (ctx->corrupt)
            mpq_set_d(lim, 1e300);
        else
            mpq_set(lim, B.lim);
        char c1[40], c2[40], c3[40], c4[40];
        snprintf(c1, sizeof c1, "%s", prf_q6(D->delta2));
        snprintf(c2, sizeof c2, "%s", prf_q6(D->tau2));
        mpq_t eta;
        mpq_init(eta);
        mpq_set(eta, M->cert[0].eta);
        snprintf(c3, sizeof c3, "%s", prf_q6(eta));
        mpq_clear(eta);
        snprintf(c4, sizeof c4, "%s", prf_q6(diam));
        proof_row(J, 1, "%s\t%ld\t%ld\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s", Dt->name, M->k,
                  Dt->X->r, c1, D->spe_method, c2, prf_q6(B.lim), c3, prf_q6(B.smax),
                  prf_q6(B.c), prf_q6(B.Dstar), prf_q6(B.ratio), c4);
        size_t used = strlen(radii);
        if (used + 64 < rl)
            snprintf(radii + used, rl - used, "%s%s k=%ld %s", used ? ", " : "", Dt->name, M->k,
                     prf_qsig(B.Dstar, 3));
        st = l3_rows(J, G, Dt, M, D, &B, diam, lim);
        if (st == AE_OK && M->k == 2)
            st = l4_rows(J, G, Dt, M, D, &B, lim, ctx->quick ? 4 : 1);
        mpq_clear(lim);
    }
    mpq_clears(B.c, B.Dstar2, B.Dstar, B.lim, B.smax, B.ratio, NULL);
    detect_clear(D);
    return st;
}

static int run(proof_job *J)
{
    const proof_ctx *ctx = J->ctx;
    proof_result *res = J->res;
    char err[512], radii[700] = "";
    const char *const *names;
    long nnames = prf_dataset_names(ctx, &names);
    m1_total G;
    memset(&G, 0, sizeof G);
    mpq_t diam;
    mpq_init(diam);
    int st = AE_OK;
    for (long di = 0; di < nnames && st == AE_OK; di++) {
        const prf_data_struct *Dt = prf_data(ctx, names[di], err, sizeof err);
        if (Dt == NULL) {
            mpq_clear(diam);
            return proof_fail(J, AE_EPARSE, "%s", err);
        }
        qnum_sqrt_upper(diam, Dt->diam2, ctx->prec);
        for (long ki = 0; ki < 4 && st == AE_OK; ki++) {
            long k = KS[ki];
            if (k >= Dt->X->c || (ctx->quick && k > 2))
                continue;
            const prf_model_struct *M = prf_model(ctx, names[di], k, err, sizeof err);
            if (M == NULL || M->status != AE_OK) {
                G.errors++;
                if (!G.why[0])
                    snprintf(G.why, sizeof G.why, "%s k=%ld: no certified PCA AE", names[di], k);
                continue;
            }
            st = one_model(J, &G, Dt, M, diam, radii, sizeof radii);
            char what[64];
            snprintf(what, sizeof what, "%s k=%ld", names[di], k);
            proof_progress("M1", di * 4 + ki + 1, nnames * 4, what);
        }
    }
    mpq_clear(diam);
    if (st != AE_OK)
        return proof_fail(J, st, "M1: exact evaluation failed (%s)", ae_strstatus(st));
    snprintf(res->method, sizeof res->method, "exact scores; D* = sqrt(phi_lim / c) from exact "
             "rationals (JM, F and Yue-Qin limits: MPFR-quantile doubles read exactly)");
    res->instances = G.rows;
    if (G.unflagged_beyond || G.bound_fails)
        proof_set(res, VERDICT_FALSIFIED, "%ld points beyond D* not flagged, bound failed at %ld; "
                  "first: %s", G.unflagged_beyond, G.bound_fails, G.why);
    else if (G.errors || G.not_missed)
        proof_set(res, VERDICT_ERROR, "%ld models without a bound, %ld counterexamples not "
                  "missed by the AE score; first: %s", G.errors, G.not_missed, G.why);
    else if (G.controls_bad)
        proof_set(res, VERDICT_ERROR, "negative control: in %ld models no L3 anomaly was caught by "
                  "the real limit and missed by a limit of 1e300", G.controls_bad);
    else
        proof_set(res, VERDICT_VERIFIED, "%ld L3/L4 counterexamples (%ld groups): every one beyond "
                  "D* flagged by SPE+T2 at 99 %%, phi >= c ||x-m||^2 at every point, all missed by "
                  "the AE score; D*: %s; limit 1e300 misses them (control)", G.rows, G.groups,
                  radii);
    return AE_OK;
}

int proof_M1(const proof_ctx *ctx, proof_result *res)
{
    return proof_run(ctx, res, TABLES, 2, run, NULL);
}
