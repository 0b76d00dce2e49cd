/* L1 — range reconstruction.
 *
 * Claim: if f(x) = m + W_d W_e (x - m) with W_e W_d = I_k, every x in m + col(W_d) has
 * e(x) = ||x - f(x)||^2 = 0, at any distance from the data.
 *
 * Verification (exact): random rational W_d of full column rank and a random left
 * inverse W_e that is NOT the pseudo-inverse; points x = m + t W_d z with
 * t = ±10^1000, ±1, ±10^-1000 and random rational z: e(x) must be exactly 0.
 * Negative control (run every time, must come out positive): x + u with u off
 * col(W_d) has e > 0; for the orthogonal projector (W_e = pseudo-inverse) e equals the
 * squared norm of the component of u orthogonal to col(W_d), exactly.
 */
#include <stdio.h>
#include <string.h>

#include "aeerr.h"
#include "linae.h"
#include "pcommon.h"
#include "proof.h"
#include "qnum.h"
#include "table.h"

static const long DIMS_FULL[][2] = {{2, 1}, {3, 1}, {3, 2}, {5, 2}, {8, 3}, {16, 4}, {32, 8}, {64, 8}};
static const long DIMS_QUICK[][2] = {{2, 1}, {3, 2}, {8, 3}, {16, 4}};
static const long T_EXP[] = {1000, 0, -1000};

static const char *const COLS[] = {"d", "k", "instance", "t", "range_point_score",
                              "offspace_score_oblique", "offspace_score_orthogonal",
                              "offspace_norm2", "orthogonal_equals_norm2"};
static const proof_table TABLES[] = {{"L1_range", "L1: exact scores on the range of W_d and off it", COLS, 9}};

static int run(proof_job *J)
{
    const proof_ctx *ctx = J->ctx;
    proof_result *res = J->res;

    const long (*dims)[2] = ctx->quick ? DIMS_QUICK : DIMS_FULL;
    long ndims = ctx->quick ? 4 : 8, reps = ctx->quick ? 2 : 5;
    gsl_rng *r = prf_rng(ctx, "L1");
    long checked = 0, failures = 0, control_failures = 0, instances = 0;
    char first_failure[256] = "";
    mpq_t t, e, e_obl, e_orth, n2;
    mpq_inits(t, e, e_obl, e_orth, n2, NULL);

    for (long di = 0; di < ndims; di++) {
        long d = dims[di][0], k = dims[di][1];
        for (long rep = 0; rep < reps; rep++) {
            qmat_t Wd, We;
            linae_t ae, orth;
            mpq_t *m = qvec_init(d), *z = qvec_init(k), *x = qvec_init(d), *u = qvec_init(d),
                  *xu = qvec_init(d), *w = qvec_init(d), *pu = qvec_init(d);
            qmat_init(Wd, d, k);
            qmat_init(We, k, d);
            do
                prf_rand_qmat(Wd, r, 9, 5);
            while (qmat_rank(Wd) < k);
            for (long j = 0; j < d; j++)
                prf_rand_q(m[j], r, 20, 7);
            linae_random_left_inverse(We, Wd, r);
            linae_init(ae, d, k);
            linae_init(orth, d, k);
            int st = linae_set_left_inverse(ae, Wd, We, m);
            if (ctx->corrupt) {   /* a perturbed encoder weight: no longer a left inverse */
                mpq_set_si(t, 1, 1000);
                mpq_add(qmat_entry(ae->We, 0, 0), qmat_entry(ae->We, 0, 0), t);
                st = AE_OK;
            }
            linae_set_projector_basis(orth, Wd, m);
            instances++;
            if (st != AE_OK) {
                failures++;
                snprintf(first_failure, sizeof first_failure,
                         "d=%ld k=%ld: constructed W_e is not a left inverse", d, k);
            }
            for (long ti = 0; ti < 3; ti++)
                for (int sign = 1; sign >= -1; sign -= 2) {
                    for (long j = 0; j < k; j++)
                        prf_rand_q(z[j], r, 9, 9);
                    qnum_pow10(t, T_EXP[ti]);
                    if (sign < 0)
                        mpq_neg(t, t);
                    /* x = m + t W_d z */
                    qmat_mul_vec(w, Wd, z);
                    qvec_scale(w, w, t, d);
                    qvec_add(x, m, w, d);
                    linae_score(e, ae, x);
                    checked++;
                    if (mpq_sgn(e) != 0) {
                        failures++;
                        if (!first_failure[0])
                            snprintf(first_failure, sizeof first_failure,
                                     "d=%ld k=%ld t=%s10^%ld: e = %s", d, k, sign < 0 ? "-" : "",
                                     T_EXP[ti], prf_q(e));
                    }
                    /* Negative control: u with a nonzero component orthogonal to col(W_d). */
                    do {
                        for (long j = 0; j < d; j++)
                            prf_rand_q(u[j], r, 9, 9);
                        linae_map(pu, orth, u);          /* m + P(u - m) */
                        qvec_sub(pu, u, pu, d);          /* (I - P)(u - m) */
                        qvec_norm2(n2, pu, d);
                    } while (mpq_sgn(n2) == 0);
                    /* x + (I-P)(u-m): off the range by exactly that component. */
                    qvec_add(xu, x, pu, d);
                    linae_score(e_obl, ae, xu);
                    linae_score(e_orth, orth, xu);
                    int eq = mpq_equal(e_orth, n2);
                    if (mpq_sgn(e_obl) <= 0 || !eq)
                        control_failures++;
                    char ts[32];
                    snprintf(ts, sizeof ts, "%s1e%ld", sign < 0 ? "-" : "", T_EXP[ti]);
                    proof_row(J, 0, "%ld\t%ld\t%ld\t%s\t%s\t%s\t%s\t%s\t%s", d, k, rep, ts, prf_q(e),
                             prf_q(e_obl), prf_q(e_orth), prf_q(n2), eq ? "true" : "false");
                }
            qvec_clear(m, d); qvec_clear(z, k); qvec_clear(x, d); qvec_clear(u, d);
            qvec_clear(xu, d); qvec_clear(w, d); qvec_clear(pu, d);
            qmat_clear(Wd); qmat_clear(We);
            linae_clear(ae);
            linae_clear(orth);
        }
        char what[64];
        snprintf(what, sizeof what, "d=%ld k=%ld", d, k);
        proof_progress("L1", di + 1, ndims, what);
    }
    mpq_clears(t, e, e_obl, e_orth, n2, NULL);
    gsl_rng_free(r);

    snprintf(res->method, sizeof res->method, "exact (GMP rationals), random left inverses");
    res->instances = instances;
    if (failures)
        proof_set(res, VERDICT_FALSIFIED, "%ld of %ld range points have e != 0; first: %s",
                  failures, checked, first_failure);
    else if (control_failures)
        proof_set(res, VERDICT_ERROR, "negative control failed %ld times: an off-range point "
                  "scored 0 or the orthogonal residual did not match", control_failures);
    else
        proof_set(res, VERDICT_VERIFIED, "%ld points x = m + t W_d z, |t| in {1e-1000, 1, 1e1000}, "
                  "d <= %ld: all e(x) = 0 exactly; %ld off-range controls all e > 0 "
                  "(orthogonal case: e = squared off-range component exactly)",
                  checked, dims[ndims - 1][0], checked);
    return AE_OK;
}

int proof_L1(const proof_ctx *ctx, proof_result *res)
{
    return proof_run(ctx, res, TABLES, 1, run, NULL);
}
