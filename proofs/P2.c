/* P2 — float-trained linear autoencoders against the exact optimum (precision audit).
 *
 * Claim: a linear AE (W_e: k x d, W_d: d x k, biases) trained by full-batch gradient
 * descent in float32 or float64 approaches, but never reaches, the exact PCA optimum: the
 * eigenvalues of M = W_d W_e near 1 keep a gap 1 - lambda, col(W_d) keeps a principal angle
 * to the exact optimal subspace, and the detection distance D* of L6 (beyond which a far
 * point along the eigenvector nearest to eigenvalue 1 scores above s_min) stays finite.
 * The table measures the three against training length and format; each number is exact
 * or a certified enclosure of the trained weights, which are dyadic rationals.
 *
 * Verification.  Training: the float engine (nn.h, identity activations, SGD with
 * PyTorch's heavy-ball momentum 0.9, full batch, no shuffling, default kernels), [d, k, d]
 * with k = 2, PyTorch's initialisation from the recorded seed scaled by 1/4 (exact; the
 * decoder's U(-0.7, 0.7) start made the first steps diverge for some seeds), step
 * lr = 0.2 d / mean ||x_i||^2 (nn's loss is lintrain's divided by d; the uncentred second
 * moment bounds the curvature), snapshots of one run after 10, 100, 1000, 10^4 steps
 * (quick: 10, 100, 1000 on wine).  Every snapshot is read exactly into a rational linae:
 *  - 1 - lambda: chi_K of K = W_e W_d (k x k, exact; nonzero eigenvalues of M are K's),
 *    real roots isolated by Sturm to 2^-prec (lintrain_analyse); the interval is then
 *    re-checked independently by an exact Sturm count of chi_K on it (the certificate);
 *  - angles: sin^2 of the principal angles between col(W_d) and col(V_k), V_k the basis of
 *    the certified PCA projector (pca_optimal_ae at ctx->prec), exact roots of the pencil
 *    polynomial (theory/angles.h), asin in MPFR at ctx->prec with directed rounding, then
 *    widened by s >= sin theta_max(V_k, U_k) from the PCA certificate (p23_optimal_slack),
 *    so the columns enclose the angles to the EXACT optimal subspace U_k; re-checked by an
 *    exact Sturm count on each sin^2 enclosure;
 *  - D* = (ub sqrt(s_min) + ub ||r0||) / lb |1 - lambda| (r0 = mean - f(mean), s_min the
 *    exact minimum training score), in units of the data diameter; as evidence the exact
 *    score at 2 D* along a rational approximate eigenvector (spectral_eigvec_approx) must
 *    exceed s_min (the L6 argument);
 *  - the L3 anomalies m + t u (u a column of V_k: exact score 0 under the PCA AE) under the
 *    trained AE: detected beyond t* = (ub sqrt(s_min) + ub ||r0||) / lb ||(I - M) u||
 *    (triangle inequality), the largest t* over the columns reported, each checked by the
 *    exact score at 2 t*: how far float training moves the paper's counterexamples.
 * Negative control: each certificate is also run on a shifted interval that holds no root
 * and must reject it; under ctx->corrupt the shifted intervals are the ones reported, and
 * the certificate then fails the verdict.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_rng.h>

#include "aeerr.h"
#include "angles.h"
#include "linae.h"
#include "lintrain.h"
#include "nn.h"
#include "p23util.h"
#include "pcommon.h"
#include "proof.h"
#include "qnum.h"
#include "qpoly.h"
#include "score.h"
#include "spectral.h"
#include "table.h"

#define P2_K 2
#define P2_LRF 0.2
#define P2_MOM 0.9
#define P2_INIT_SHIFT 2

static const char *const COLS[] = {
    "dataset", "d", "k", "format", "seed", "steps", "lr", "train_loss", "loss_minus_optimum",
    "one_minus_lambda_lo", "one_minus_lambda_hi", "one_minus_lambda_other", "angle_min_lo",
    "angle_min_hi", "angle_max_lo", "angle_max_hi", "angle_slack", "s_min",
    "detection_distance_over_diameter", "score_at_twice_distance_above_s_min",
    "l3_anomaly_detected_beyond_over_diameter", "mpfr_prec", "certificates"};
#define NCOLS ((long) (sizeof COLS / sizeof COLS[0]))
static const proof_table TABLES[] = {{"P2_training", "P2: linear AEs trained in float32 and "
                                      "float64 against the exact optimum", COLS, NCOLS}};

typedef struct {
    long rows, total, cert_bad, ctl_bad, dfail, diverged, real;
    char why[256];
} p2_tally;

static const char *fmt_of(const nn_t net)
{
    return net->prec == NN_F32 ? "float32" : "float64";
}

/* ae = the [d, k, d] identity network's weights, exactly. */
static void net_to_linae(linae_t ae, const nn_t net)
{
    double *p = ae_malloc(sizeof(double) * (size_t) net->nparams);
    nn_get_params(p, net);
    long d = ae->d, k = ae->k;
    for (long i = 0; i < k * d; i++)
        qnum_set_d(ae->We->entries[i], p[net->woff[0] + i]);
    for (long i = 0; i < k; i++)
        qnum_set_d(ae->be->entries[i], p[net->boff[0] + i]);
    for (long i = 0; i < d * k; i++)
        qnum_set_d(ae->Wd->entries[i], p[net->woff[1] + i]);
    for (long i = 0; i < d; i++)
        qnum_set_d(ae->bd->entries[i], p[net->boff[1] + i]);
    free(p);
}

/* D* and its evidence (L6's argument, see the top).  dstr/estr get the cells. */
static void detection(const char **dstr, const char **estr, long *dfail, const linae_t ae,
                      const prf_data_struct *D, const lintrain_analysis_t A, const mpq_t smin)
{
    long d = ae->d;
    mpq_t r0n2, tmp, dstar, diam, e;
    mpq_inits(r0n2, tmp, dstar, diam, e, NULL);
    mpq_t *r0 = qvec_init(d);
    *dstr = *estr = "n/a";
    linae_map(r0, ae, D->mean);
    qvec_sub(r0, D->mean, r0, d);
    qvec_norm2(r0n2, r0, d);
    if (A->has_real && !A->exact_one && mpq_sgn(A->dist_lo) > 0) {
        int checked = spectral_detection(dstar, e, ae, D->mean, smin, r0n2, A->dist_lo,
                                         A->lam_hi);
        qnum_sqrt_upper(diam, D->diam2, 64);
        mpq_div(tmp, dstar, diam);
        *dstr = prf_q6(tmp);
        int lifted = checked && mpq_cmp(e, smin) > 0;
        *estr = lifted ? "true" : "false";
        if (!lifted)
            (*dfail)++;
    }
    qvec_clear(r0, d);
    mpq_clears(r0n2, tmp, dstar, diam, e, NULL);
}

/* The L3 anomalies m + t u, u a column of the certified PCA basis V_k (exact score 0 under
 * the PCA AE), under the trained AE: e = ||r0 + t (I - M) u||^2 >= (t ||(I - M) u|| -
 * ||r0||)^2, r0 = m - f(m), so every t > t* = (ub sqrt(s_min) + ub ||r0||) / lb ||(I - M) u||
 * is detected.  The cell is the largest t* over the k columns in data diameters ("none"
 * when (I - M) u = 0: that anomaly stays blind); each t* is checked by the exact score at
 * 2 t* (a failure counts in *dfail). */
static const char *l3_distance(long *dfail, const linae_t ae, const linae_t opt,
                               const prf_data_struct *D, const mpq_t smin)
{
    long d = ae->d;
    mpq_t *r0 = qvec_init(d), *u = qvec_init(d), *w = qvec_init(d), *z = qvec_init(d);
    mpq_t a, b, t, worst, e;
    mpq_inits(a, b, t, worst, e, NULL);
    const char *cell = "n/a";
    int blind = 0;
    linae_map(r0, ae, D->mean);
    qvec_sub(r0, D->mean, r0, d);
    qvec_norm2(a, r0, d);
    qnum_sqrt_upper(a, a, 64);
    qnum_sqrt_upper(b, smin, 64);
    mpq_add(a, a, b);                       /* ub sqrt(s_min) + ub ||r0|| */
    linae_map(z, ae, z);                    /* f(0); z = 0 on entry */
    for (long j = 0; j < ae->k; j++) {
        qmat_get_col(u, opt->Wd, j);
        linae_map(w, ae, u);
        qvec_sub(w, w, z, d);               /* M u */
        qvec_sub(w, u, w, d);               /* (I - M) u */
        qvec_norm2(b, w, d);
        if (mpq_sgn(b) == 0) {
            blind = 1;
            continue;
        }
        qnum_sqrt_lower(b, b, 64);
        mpq_div(t, a, b);
        if (mpq_cmp(t, worst) > 0)
            mpq_set(worst, t);
        mpq_add(b, t, t);                   /* the exact check at 2 t* */
        qvec_scale(w, u, b, d);
        qvec_add(w, w, D->mean, d);
        linae_score(e, ae, w);
        if (mpq_cmp(e, smin) <= 0)
            (*dfail)++;
    }
    if (blind)
        cell = "none";
    else if (mpq_sgn(worst) > 0) {
        qnum_sqrt_upper(b, D->diam2, 64);
        mpq_div(t, worst, b);
        cell = prf_q6(t);
    }
    mpq_clears(a, b, t, worst, e, NULL);
    qvec_clear(r0, d); qvec_clear(u, d); qvec_clear(w, d); qvec_clear(z, d);
    return cell;
}

/* 1 - lambda for the real eigenvalue of K other than the nearest one (display), or
 * "non-real" / "none". */
static const char *other_eig(const qpoly_t chi, const lintrain_analysis_t A, long prec)
{
    qpoly_roots_t R;
    qpoly_roots_init(R);
    const char *s = A->n_nonreal ? "non-real" : "none";
    if (qpoly_real_roots(R, chi, prec) == AE_OK)
        for (long i = 0; i < R->n; i++)
            if (A->lam_mult > 1 || mpq_cmp(R->hi[i], A->lam_lo) < 0 || mpq_cmp(R->lo[i], A->lam_hi) > 0) {
                mpq_t t;
                mpq_init(t);
                mpq_set_ui(t, 1, 1);
                mpq_sub(t, t, R->lo[i]);
                s = prf_q6(t);
                mpq_clear(t);
                break;
            }
    qpoly_roots_clear(R);
    return s;
}

/* One snapshot of a trained net: the row and the tallies. */
static void snapshot(proof_job *J, p2_tally *T, const nn_t net, const prf_data_struct *D,
                     const prf_model_struct *opt, const char *name, unsigned long seed,
                     long steps, double lr)
{
    const proof_ctx *ctx = J->ctx;
    long n = D->X->r, d = D->X->c, k = P2_K;
    linae_t ae;
    linae_init(ae, d, k);
    net_to_linae(ae, net);
    mpq_t loss, gap, smin, lo, hi, s;
    mpq_inits(loss, gap, smin, lo, hi, s, NULL);
    linae_loss(loss, ae, D->X);
    mpq_sub(gap, loss, opt->cert->loss);
    mpq_t *sc = qvec_init(n);
    linae_scores(sc, ae, D->X);
    score_min(smin, NULL, sc, n);
    qvec_clear(sc, n);
    /* eigenvalues of K = W_e W_d */
    lintrain_analysis_t A;
    lintrain_analysis_init(A);
    lintrain_analyse(A, ae, ctx->prec);
    qmat_t K;
    qmat_init(K, k, k);
    qmat_mul(K, ae->We, ae->Wd);
    qpoly_t chi;
    qpoly_init(chi);
    qpoly_charpoly(chi, K);
    int certs = 1;
    const char *l1 = "n/a", *l2 = "n/a";
    if (A->has_real) {
        mpq_set(lo, A->lam_lo);
        mpq_set(hi, A->lam_hi);
        certs = p23_certify(chi, lo, hi, ctx->corrupt, &T->ctl_bad);
        mpq_set_ui(s, 1, 1);
        mpq_sub(lo, s, lo);   /* 1 - lambda in [1 - hi, 1 - lo] */
        mpq_sub(hi, s, hi);
        l1 = p23_q_dir(hi, -1);
        l2 = p23_q_dir(lo, 1);
        T->real++;
    }
    const char *l3e = other_eig(chi, A, ctx->prec);
    /* angles to the exact optimal subspace */
    angles_t G;
    angles_init(G, k, ctx->prec);
    const char *ac[4] = {"n/a", "n/a", "n/a", "n/a"}, *slack = "n/a";
    int ast = angles_compute(G, ae->Wd, opt->ae->Wd, 2 * (long) ctx->prec);
    if (ast == AE_OK) {
        for (long i = 0; i < k; i++)
            if (!p23_certify(G->chi, G->mu_lo[i], G->mu_hi[i], ctx->corrupt, &T->ctl_bad))
                certs = 0;
        if (p23_optimal_slack(s, opt->cert)) {
            angles_widen(G, s);
            slack = p23_q_dir(s, 1);
        } else
            certs = 0;
        p23_angle_cells(ac, G);
    } else
        certs = 0;
    const char *dstr, *estr;
    detection(&dstr, &estr, &T->dfail, ae, D, A, smin);
    const char *l3 = l3_distance(&T->dfail, ae, opt->ae, D, smin);
    if (!certs) {
        T->cert_bad++;
        if (!T->why[0])
            snprintf(T->why, sizeof T->why, "%s %s steps %ld: a certificate failed", name,
                     fmt_of(net), steps);
    }
    proof_row(J, 0, "%s\t%ld\t%ld\t%s\t%lu\t%ld\t%g\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%ld\t%s",
              name, d, k, fmt_of(net), seed, steps, lr, prf_q6(loss), prf_q6(gap), l1, l2,
              l3e, ac[0], ac[1], ac[2], ac[3], slack, prf_q6(smin), dstr, estr, l3,
              (long) ctx->prec, certs ? "checked" : "REJECTED");
    T->rows++;
    angles_clear(G);
    qpoly_clear(chi);
    qmat_clear(K);
    lintrain_analysis_clear(A);
    mpq_clears(loss, gap, smin, lo, hi, s, NULL);
    linae_clear(ae);
}

/* Trains one [d, k, d] network in format prec on data set D and analyses each snapshot. */
static int train_one(proof_job *J, p2_tally *T, const prf_data_struct *D,
                     const prf_model_struct *opt, const char *name, int prec,
                     const long *snaps, long nsnaps)
{
    long n = D->X->r, d = D->X->c;
    static const long K = P2_K;
    long sizes[3] = {d, K, d};
    nn_act_t act[2] = {NN_IDENTITY, NN_IDENTITY};
    unsigned long seed = prf_seed(J->ctx, name);
    nn_t net;
    int st = nn_init(net, prec, 2, sizes, act, NULL, NULL);
    if (st != AE_OK)
        return st;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    st = nn_init_params(net, NN_INIT_TORCH, r);
    gsl_rng_free(r);
    if (st == AE_OK) {
        /* PyTorch's init scaled by 2^-P2_INIT_SHIFT (exact in both formats): the decoder's
         * fan-in is k = 2, whose U(-0.7, 0.7) start makes the first steps unstable */
        double *p = ae_malloc(sizeof(double) * (size_t) net->nparams);
        nn_get_params(p, net);
        for (long i = 0; i < net->nparams; i++)
            p[i] = ldexp(p[i], -P2_INIT_SHIFT);
        st = nn_set_params(net, p);
        free(p);
    }
    double *Xd = ae_malloc(sizeof(double) * (size_t) (n * d)), msq = 0;
    for (long i = 0; i < n * d; i++) {
        Xd[i] = qnum_get_d(D->X->entries[i]);
        msq += Xd[i] * Xd[i];
    }
    msq /= (double) n;
    nn_trainopts o;
    nn_trainopts_default(&o);
    o.opt = NN_OPT_SGD;
    o.lr = P2_LRF * (double) d / msq;
    o.momentum = P2_MOM;
    o.batch = 0;
    o.shuffle = 0;
    o.seed = seed;
    nn_trainer_t tr;
    if (st == AE_OK)
        st = nn_trainer_init(tr, net, &o, Xd, n);
    free(Xd);
    if (st != AE_OK) {
        nn_clear(net);
        return st;
    }
    long step = 0;
    for (long si = 0; si < nsnaps && st == AE_OK; si++) {
        double loss;
        while (step < snaps[si] && (st = nn_trainer_epoch(&loss, tr)) == AE_OK)
            step++;
        if (st != AE_OK) {
            T->diverged++;
            snprintf(T->why, sizeof T->why, "%s %s: training diverged at step %ld", name,
                     fmt_of(net), step);
            break;
        }
        snapshot(J, T, net, D, opt, name, seed, step, o.lr);
        char what[80];
        snprintf(what, sizeof what, "%s %s %ld steps", name, fmt_of(net), step);
        proof_progress("P2", T->rows, T->total, what);
    }
    nn_trainer_clear(tr);
    nn_clear(net);
    return AE_OK;
}

static int run(proof_job *J)
{
    const proof_ctx *ctx = J->ctx;
    proof_result *res = J->res;
    static const char *const SETS[] = {"wine", "breast_cancer", "digits"};
    static const long SNAPS[] = {10, 100, 1000, 10000};
    long nsets = ctx->quick ? 1 : 3, nsnaps = ctx->quick ? 3 : 4;
    p2_tally T;
    memset(&T, 0, sizeof T);
    T.total = nsets * 2 * nsnaps;
    char err[512];
    for (long di = 0; di < nsets; di++) {
        const char *name = SETS[di];
        const prf_data_struct *D = prf_data(ctx, name, err, sizeof err);
        const prf_model_struct *opt = D ? prf_model(ctx, name, P2_K, err, sizeof err) : NULL;
        if (D == NULL || opt == NULL)
            return proof_fail(J, AE_EPARSE, "%s", err);
        static const int PRECS[2] = {NN_F32, NN_F64};
        for (int pi = 0; pi < 2; pi++) {
            int st = train_one(J, &T, D, opt, name, PRECS[pi], SNAPS, nsnaps);
            if (st != AE_OK)
                return proof_fail(J, st, "%s: cannot set up the float network", name);
        }
    }
    snprintf(res->method, sizeof res->method, "nn SGD+momentum float32/float64; exact dyadic weights, "
             "Sturm-certified eigenvalues and sin^2, MPFR %ld-bit asin", (long) ctx->prec);
    res->instances = T.rows;
    if (T.cert_bad)
        proof_set(res, VERDICT_ERROR, "%ld of %ld snapshots: a certificate rejected its "
                  "enclosure; %s", T.cert_bad, T.rows, T.why);
    else if (T.ctl_bad)
        proof_set(res, VERDICT_ERROR, "negative control: %ld shifted enclosures were accepted",
                  T.ctl_bad);
    else if (T.dfail)
        proof_set(res, VERDICT_FALSIFIED, "%ld checks: the exact score at 2 D* (or at 2 t* along "
                  "an L3 anomaly) is not above s_min", T.dfail);
    else if (T.diverged)
        proof_set(res, VERDICT_ERROR, "%s", T.why);
    else
        proof_set(res, VERDICT_VERIFIED, "%ld snapshots (float32 and float64, %ld data sets): "
                  "every 1 - lambda and principal-angle enclosure certified exactly; %ld with a "
                  "real eigenvalue near 1 and finite D*, each lifted above s_min at 2 D*",
                  T.rows, nsets, T.real);
    return AE_OK;
}

int proof_P2(const proof_ctx *ctx, proof_result *res)
{
    return proof_run(ctx, res, TABLES, 1, run, NULL);
}
