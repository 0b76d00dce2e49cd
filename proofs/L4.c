/* L4 — extrapolation invariance.
 *
 * Claim: for f as in L1, e(x + t w) = e(x) for every x in R^d, w in col(W_d), t in R:
 * every normal point dragged arbitrarily far along the principal subspace keeps exactly
 * its normal score.
 *
 * Verification (exact): on every training point of each data set, with the certified
 * PCA AE (k = 2), w each column of W_d and t in {10^3, -10^6, 10^100}: the exact score
 * after the shift equals the exact score before.  Negative control: the shift along
 * u = (I - P) e_j (off the subspace) must change the score of every point.
 */
#include <stdio.h>
#include <string.h>

#include "aeerr.h"
#include "linae.h"
#include "pcommon.h"
#include "proof.h"
#include "qnum.h"
#include "table.h"

static const long T_EXP[] = {3, 6, 100};
static const int T_SIGN[] = {1, -1, 1};

static const char *const COLS[] = {"dataset", "k", "direction", "t", "points",
                              "scores_unchanged", "max_score_before",
                              "example_score_before", "example_score_after",
                              "control_scores_changed"};
static const proof_table TABLES[] = {{"L4_extrapolation", "L4: training points shifted along the principal subspace keep their score", COLS, 10}};

static int run(proof_job *J)
{
    const proof_ctx *ctx = J->ctx;
    proof_result *res = J->res;

    char err[512], why[512] = "";
    const long k = 2;
    const char *const *names;
    long nnames = prf_dataset_names(ctx, &names), checked = 0, fails = 0, controls_bad = 0;
    mpq_t t, e, maxe, ex_after;
    mpq_inits(t, e, maxe, ex_after, NULL);
    for (long di = 0; di < nnames; di++) {
        const prf_data_struct *D = prf_data(ctx, names[di], err, sizeof err);
        if (D == NULL) {
            mpq_clears(t, e, maxe, ex_after, NULL);
            return proof_fail(J, AE_EPARSE, "%s", err);
        }
        const prf_model_struct *M = prf_model(ctx, names[di], k, err, sizeof err);
        if (M == NULL || M->status != AE_OK) {
            fails++;
            snprintf(why, sizeof why, "%s: no certified PCA AE", names[di]);
            continue;
        }
        long n = D->X->r, d = D->X->c;
        /* Quick mode: every 4th point (still all of the small sets' structure). */
        long stride = ctx->quick ? 4 : 1;
        mpq_t *w = qvec_init(d), *x = qvec_init(d), *u = qvec_init(d), *f = qvec_init(d);
        mpq_set_ui(maxe, 0, 1);
        for (long i = 0; i < n; i++)
            if (mpq_cmp(M->scores[i], maxe) > 0)
                mpq_set(maxe, M->scores[i]);
        /* The control direction u = (I - P) e_j for the first j where it is nonzero. */
        mpq_t un;
        mpq_init(un);
        for (long j = 0; j < d && mpq_sgn(un) == 0; j++) {
            qvec_zero(x, d);
            mpq_set_ui(x[j], 1, 1);
            qvec_add(x, x, D->mean, d);
            linae_map(f, M->ae, x);
            qvec_sub(u, x, f, d);
            qvec_norm2(un, u, d);
        }
        mpq_clear(un);
        for (long dir = 0; dir <= k; dir++) {     /* dir == k: the control */
            if (dir < k)
                qmat_get_col(w, M->ae->Wd, dir);
            for (long ti = 0; ti < 3; ti++) {
                qnum_pow10(t, T_EXP[ti]);
                if (T_SIGN[ti] < 0)
                    mpq_neg(t, t);
                long pts = 0, same = 0;
                for (long i = 0; i < n; i += stride) {
                    qvec_scale(x, dir < k ? w : u, t, d);
                    if (ctx->corrupt && dir < k)   /* a direction slightly off col(W_d) */
                        qvec_add(x, x, u, d);
                    qvec_add(x, x, qmat_row(D->X, i), d);
                    linae_score(e, M->ae, x);
                    if (i == 0)
                        mpq_set(ex_after, e);
                    same += mpq_equal(e, M->scores[i]);
                    pts++;
                }
                char tstr[32], dstr[48];
                snprintf(tstr, sizeof tstr, "%s1e%ld", T_SIGN[ti] < 0 ? "-" : "", T_EXP[ti]);
                if (dir < k) {
                    snprintf(dstr, sizeof dstr, "W_d column %ld", dir + 1);
                    checked += pts;
                    if (same != pts) {
                        fails += pts - same;
                        if (!why[0])
                            snprintf(why, sizeof why, "%s direction %ld t=%s: %ld of %ld scores "
                                     "changed", names[di], dir + 1, tstr, pts - same, pts);
                    }
                } else {
                    snprintf(dstr, sizeof dstr, "control (I-P)e_j");
                    if (same != 0)
                        controls_bad++;
                }
                proof_row(J, 0, "%s\t%ld\t%s\t%s\t%ld\t%s\t%s\t%s\t%s\t%s", names[di], k, dstr, tstr,
                         pts, dir < k ? (same == pts ? "true" : "false") : "n/a", prf_q(maxe),
                         prf_q(M->scores[0]), prf_q(ex_after),
                         dir < k ? "n/a" : (same == 0 ? "true" : "false"));
            }
        }
        qvec_clear(w, d); qvec_clear(x, d); qvec_clear(u, d); qvec_clear(f, d);
        proof_progress("L4", di + 1, nnames, names[di]);
    }
    mpq_clears(t, e, maxe, ex_after, NULL);

    snprintf(res->method, sizeof res->method, "exact (GMP rationals), certified PCA AE k=%ld", k);
    res->instances = checked;
    if (fails)
        proof_set(res, VERDICT_FALSIFIED, "%ld shifted points changed score; first: %s", fails, why);
    else if (controls_bad)
        proof_set(res, VERDICT_ERROR, "negative control: off-subspace shifts left %ld scores "
                  "unchanged", controls_bad);
    else
        proof_set(res, VERDICT_VERIFIED, "%ld shifted training points (t up to 1e100, %ld data "
                  "sets%s): every score unchanged exactly; off-subspace shifts changed every score",
                  checked, nnames, ctx->quick ? ", every 4th point" : ", every point");
    return AE_OK;
}

int proof_L4(const proof_ctx *ctx, proof_result *res)
{
    return proof_run(ctx, res, TABLES, 1, run, NULL);
}
