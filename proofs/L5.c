/* L5 — the distance bound (beyond the paper: a check of its argument).
 *
 * Claim: for a = mean + c V u (V with orthonormal columns, ||u|| = 1) and any data point
 * x_i, ||a - x_i|| >= c - ||V^T (x_i - mean)||.  The shorter form ||a - x_i||^2 >= c^2,
 * sometimes written, is false in general.
 *
 * Verification (exact): (1) the counterexample: data ±s v in R^2 with the rational unit
 * vector v = (3/5, 4/5), a = c v: ||a - s v||^2 = (c - s)^2 < c^2.  (2) The correct bound
 * on every (anomaly, data point) pair of random exact instances whose V is exactly
 * orthonormal (columns of a rational Householder product) and u a rational unit vector,
 * decided without square roots by score_check_distance_bound.  The false form is
 * counted on the same pairs.  Negative control: the checker must reject, on every pair,
 * a bound that is false by construction (c' = sqrt(dist^2) + ||V^T y|| + 1).
 */
#include <stdio.h>
#include <string.h>

#include "aeerr.h"
#include "pca.h"
#include "pcommon.h"
#include "proof.h"
#include "qnum.h"
#include "score.h"
#include "table.h"

/* a = mean + c (u1 q_1 + u2 q_2): ||u|| = 1 exactly for (u1, u2) = (3/5, 4/5). */
static void anomaly(mpq_t *a, const pca_inst_t I, long k, const mpq_t c)
{
    long d = I->d;
    mpq_t w1, w2, t;
    mpq_inits(w1, w2, t, NULL);
    mpq_set_si(w1, k >= 2 ? 3 : 1, k >= 2 ? 5 : 1);
    mpq_set_si(w2, k >= 2 ? 4 : 0, 5);
    mpq_mul(w1, w1, c);
    mpq_mul(w2, w2, c);
    for (long j = 0; j < d; j++) {
        mpq_mul(a[j], w1, qmat_entry(I->Q, j, 0));
        if (k >= 2) {
            mpq_mul(t, w2, qmat_entry(I->Q, j, 1));
            mpq_add(a[j], a[j], t);
        }
        mpq_add(a[j], a[j], I->mean[j]);
    }
    mpq_clears(w1, w2, t, NULL);
}

static const char *const COLS[] = {"instance", "d", "k", "c", "pairs", "min_dist2",
                              "c2", "squared_form_violations", "correct_bound_holds",
                              "control_rejected"};
static const proof_table TABLES[] = {{"L5_distance_bound", "L5: the correct distance bound and the false squared form", COLS, 10}};

static int run(proof_job *J)
{
    const proof_ctx *ctx = J->ctx;
    proof_result *res = J->res;


    long bound_failures = 0, control_failures = 0, pairs = 0, violations_total = 0;
    int counter_ok;
    mpq_t c, c2, s, dist2, best, B, Bc, cc2, tmp;
    mpq_inits(c, c2, s, dist2, best, B, Bc, cc2, tmp, NULL);

    /* (1) The exact counterexample in R^2: data {s v, -s v} (mean 0, V = v), the anomaly
     * a = c v.  Every pair (a, x_i) is counted and checked: the squared form must fail
     * on some pair, the correct bound must hold on all. */
    {
        mpq_t v[2], a[2], x[2];
        mpq_init(v[0]); mpq_init(v[1]); mpq_init(a[0]); mpq_init(a[1]);
        mpq_init(x[0]); mpq_init(x[1]);
        mpq_set_si(v[0], 3, 5);
        mpq_set_si(v[1], 4, 5);
        mpq_set_si(c, 10, 1);
        mpq_mul(c2, c, c);
        qvec_scale(a, v, c, 2);          /* a = c v */
        long npairs = 0, nviol = 0;
        int correct = 1;
        for (int sign = 1; sign >= -1; sign -= 2) {
            mpq_set_si(s, sign, 1);
            qvec_scale(x, v, s, 2);      /* x_i = +-v: ||V^T x_i||^2 = 1 */
            qvec_dist2(dist2, a, x, 2);  /* (c -+ 1)^2 = 81 or 121 */
            mpq_mul(B, s, s);
            if (npairs == 0 || mpq_cmp(dist2, best) < 0)
                mpq_set(best, dist2);
            nviol += mpq_cmp(dist2, c2) < 0;
            correct = correct && score_check_distance_bound(c2, B, dist2);
            npairs++;
        }
        counter_ok = nviol > 0 && correct;
        if (ctx->corrupt)    /* verify the false squared form instead */
            counter_ok = nviol == 0;
        proof_row(J, 0, "counterexample\t2\t1\t%s\t%ld\t%s\t%s\t%ld\t%s\tn/a", prf_q(c), npairs,
                  prf_q(best), prf_q(c2), nviol, counter_ok ? "true" : "false");
        for (int i = 0; i < 2; i++) {
            mpq_clear(v[i]); mpq_clear(a[i]); mpq_clear(x[i]);
        }
    }

    /* (2) Random exact instances with orthonormal V. */
    gsl_rng *r = prf_rng(ctx, "L5");
    long ninst = ctx->quick ? 6 : 40;
    for (long inst = 0; inst < ninst; inst++) {
        long d = 2 + (long) gsl_rng_uniform_int(r, ctx->quick ? 5 : 11);
        long k = 1 + (long) gsl_rng_uniform_int(r, (unsigned long) (d - 1));
        pca_inst_t I;
        pca_inst_init(I, d);
        pca_inst_random(I, r);
        /* c between 0 and the spread of the data: where the squared form fails. */
        mpq_set_si(c, 1 + (long) gsl_rng_uniform_int(r, 40), 4);
        mpq_canonicalize(c);             /* printed reduced: 7/2, not 14/4 */
        mpq_mul(c2, c, c);
        mpq_t *a = qvec_init(d), *y = qvec_init(d);
        qmat_t QT;
        qmat_init(QT, d, d);
        qmat_transpose(QT, I->Q);
        anomaly(a, I, k, c);
        long viol = 0, holds = 1, rejected = 1, n = I->X->r;
        mpq_set_si(best, -1, 1);
        for (long i = 0; i < n; i++) {
            qvec_dist2(dist2, a, qmat_row(I->X, i), d);
            if (mpq_sgn(best) < 0 || mpq_cmp(dist2, best) < 0)
                mpq_set(best, dist2);
            /* B = ||V_k^T (x_i - mean)||^2 with V_k the first k columns of Q. */
            qvec_sub(y, qmat_row(I->X, i), I->mean, d);
            mpq_set_ui(B, 0, 1);
            for (long j = 0; j < k; j++) {
                qvec_dot(tmp, qmat_row(QT, j), y, d);
                mpq_mul(tmp, tmp, tmp);
                mpq_add(B, B, tmp);
            }
            pairs++;
            if (mpq_cmp(dist2, c2) < 0)
                viol++;
            if (ctx->corrupt ? mpq_cmp(dist2, c2) < 0       /* the false squared form */
                             : !score_check_distance_bound(c2, B, dist2))
                holds = 0;
            /* Control: a bound that is false by construction, c' = sqrt(D) + sqrt(B) + 1
             * (rounded up), claims dist >= sqrt(D) + 1; the checker must reject it. */
            qnum_sqrt_upper(Bc, B, 64);
            qnum_sqrt_upper(tmp, dist2, 64);
            mpq_add(Bc, Bc, tmp);
            mpq_set_ui(tmp, 1, 1);
            mpq_add(Bc, Bc, tmp);
            mpq_mul(cc2, Bc, Bc);
            if (score_check_distance_bound(cc2, B, dist2))
                rejected = 0;
        }
        violations_total += viol;
        if (!holds)
            bound_failures++;
        if (!rejected)
            control_failures++;
        proof_row(J, 0, "random-%ld\t%ld\t%ld\t%s\t%ld\t%s\t%s\t%ld\t%s\t%s", inst, d, k, prf_q(c), n,
                 prf_q(best), prf_q(c2), viol, holds ? "true" : "false",
                 rejected ? "true" : "false");
        qvec_clear(a, d);
        qvec_clear(y, d);
        qmat_clear(QT);
        pca_inst_clear(I);
        proof_progress("L5", inst + 1, ninst, "random instances");
    }
    gsl_rng_free(r);
    mpq_clears(c, c2, s, dist2, best, B, Bc, cc2, tmp, NULL);

    snprintf(res->method, sizeof res->method, "exact (rational orthonormal bases, no square roots)");
    res->instances = ninst + 1;
    if (!counter_ok || bound_failures)
        proof_set(res, VERDICT_FALSIFIED, "counterexample %s; correct bound failed on %ld of %ld "
                  "instances", counter_ok ? "holds" : "FAILED", bound_failures, ninst);
    else if (control_failures)
        proof_set(res, VERDICT_ERROR, "negative control: an overstated bound was accepted on %ld "
                  "instances", control_failures);
    else
        proof_set(res, VERDICT_VERIFIED, "squared form false: data ±v, v=(3/5,4/5), a=10v gives "
                  "||a-x||^2 = 81 < c^2 = 100; correct bound holds on all %ld pairs of %ld random "
                  "exact instances (squared form violated on %ld of them); overstated bounds "
                  "rejected", pairs, ninst, violations_total);
    return AE_OK;
}

int proof_L5(const proof_ctx *ctx, proof_result *res)
{
    return proof_run(ctx, res, TABLES, 1, run, NULL);
}
