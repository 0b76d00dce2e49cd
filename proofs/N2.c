/* N2 — asymptotic homogeneity.
 *
 * Claim: without biases and with positively homogeneous activations (relu, leaky relu,
 * identity) f(c x) = c f(x) for c >= 0, hence e(c x) = c^2 e(x); with biases the slope of
 * the final piece of f(x0 + t v) is f0(v) (theory/qnet's recession network: biases
 * removed, hard-tanh -> 0), whatever x0 is.
 *
 * Verification (exact): float32 networks read as exact dyadics, each architecture and
 * activation twice, as drawn and after training (prf_pl_train).  Bias-free relu /
 * leaky relu networks: f(c x) = c f(x) and e(c x) = c^2 e(x) at random rational x and
 * c > 0.  Networks with biases (relu, leaky relu, hard-tanh): for each random rational v
 * and several x0, beta from ray_final must satisfy ray_slope_is_recession.
 * Negative controls (run every time): beta + 1/7 in one coordinate must be rejected by
 * ray_slope_is_recession; the network WITH biases, claimed homogeneous, must fail the
 * homogeneity identity (a witness x, c is searched and reported).  With ctx->corrupt the
 * homogeneity check runs on the biased network and the slope check on the wrong slope.
 */
#include <stdio.h>
#include <string.h>

#include "aeerr.h"
#include "nn.h"
#include "pcommon.h"
#include "proof.h"
#include "qmat.h"
#include "qnet.h"
#include "ray.h"

/* Epochs of the trained instances (prf_pl_train). */
#define N_TRAIN_EPOCHS 200

static const char *const COLS[] = {"net", "arch", "act", "weights", "bias", "test", "instances",
                                   "all_hold", "control", "control_rejected"};
static const proof_table TABLES[] = {
    {"N2_homogeneity", "N2: exact homogeneity and recession slopes of random float32 networks",
     COLS, 10}};

/* 1 if f(c x) = c f(x) and e(c x) = c^2 e(x) at `reps` random x, c > 0; on failure the
 * witness goes to wit. */
static int n2_homog(long *checks, const qnet_t q, gsl_rng *r, long reps, char *wit, size_t wl)
{
    long d = qnet_din(q), m = qnet_dout(q);
    mpq_t *x = qvec_init(d), *cx = qvec_init(d), *y = qvec_init(m), *cy = qvec_init(m),
          *w = qvec_init(m);
    mpq_t c, e, ce;
    mpq_inits(c, e, ce, (mpq_ptr) NULL);
    int ok = 1;
    for (long rep = 0; rep < reps && ok; rep++) {
        for (long i = 0; i < d; i++)
            prf_rand_q(x[i], r, 20, 7);
        mpq_set_ui(c, 1 + gsl_rng_uniform_int(r, 1000), 1 + gsl_rng_uniform_int(r, 30));
        mpq_canonicalize(c);
        qvec_scale(cx, x, c, d);
        (*checks)++;
        if (qnet_eval(y, m, NULL, q, x, d) != AE_OK || qnet_eval(cy, m, NULL, q, cx, d) != AE_OK
            || qnet_score(e, q, x, d) != AE_OK || qnet_score(ce, q, cx, d) != AE_OK) {
            ok = 0;
            snprintf(wit, wl, "evaluation failed");
            break;
        }
        qvec_scale(w, y, c, m);
        mpq_mul(e, e, c);
        mpq_mul(e, e, c);
        if (!qvec_equal(w, cy, m) || !mpq_equal(e, ce)) {
            ok = 0;
            snprintf(wit, wl, "c = %s, x_0 = %s: f(c x)_0 = %s, c f(x)_0 = %s", prf_q(c),
                     prf_q(x[0]), prf_q(cy[0]), prf_q(w[0]));
        }
    }
    mpq_clears(c, e, ce, (mpq_ptr) NULL);
    qvec_clear(x, d); qvec_clear(cx, d); qvec_clear(y, m); qvec_clear(cy, m); qvec_clear(w, m);
    return ok;
}

static int run(proof_job *J)
{
    const proof_ctx *ctx = J->ctx;
    proof_result *res = J->res;
    long narch = ctx->quick ? 2 : 3, reps = ctx->quick ? 3 : 8, nv = ctx->quick ? 2 : 4,
         nx0 = ctx->quick ? 2 : 4;
    gsl_rng *r = prf_rng(ctx, "N2");
    long nets = 0, tests = 0, fails = 0, checks = 0, controls = 0, accepted = 0;
    char first[600] = "", wit[300];
    int st = AE_OK;
    mpq_t u;
    mpq_init(u);
    mpq_set_si(u, 1, 7);

    for (int tr = 0; tr < 2 && st == AE_OK; tr++)
        for (long ai = 0; ai < narch && st == AE_OK; ai++)
            for (int ci = 0; ci < PRF_PL_NACTS && st == AE_OK; ci++) {
                nn_t nb, nw;   /* bias-free and with biases */
                qnet_t qb, qw, f0;
                int hom = prf_pl_acts[ci] != NN_HARDTANH;
                const char *wt = tr ? "trained" : "random";
                if ((st = prf_pl_net(nb, r, prf_pl_archs[ai].L, prf_pl_archs[ai].s,
                                       prf_pl_acts[ci], 0)) != AE_OK
                    || (st = prf_pl_net(nw, r, prf_pl_archs[ai].L, prf_pl_archs[ai].s,
                                          prf_pl_acts[ci], 1)) != AE_OK) {
                    nn_clear(nb);
                    break;
                }
                if (tr && ((st = prf_pl_train(nb, r, N_TRAIN_EPOCHS)) != AE_OK
                           || (st = prf_pl_train(nw, r, N_TRAIN_EPOCHS)) != AE_OK)) {
                    nn_clear(nb); nn_clear(nw);
                    break;
                }
                if ((st = qnet_init_nn(qb, nb)) != AE_OK) {
                    nn_clear(nb); nn_clear(nw);
                    break;
                }
                if ((st = qnet_init_nn(qw, nw)) != AE_OK) {
                    qnet_clear(qb); nn_clear(nb); nn_clear(nw);
                    break;
                }
                if ((st = qnet_init_recession(f0, qw)) != AE_OK) {
                    qnet_clear(qb); qnet_clear(qw); nn_clear(nb); nn_clear(nw);
                    break;
                }
                long d = qnet_din(qw), m = qnet_dout(qw);
                if (hom) {
                    /* bias-free: homogeneity; control: the biased network claimed homogeneous */
                    long c = 0, cc = 0;
                    wit[0] = 0;
                    int ishom = qnet_is_homogeneous(qb) == 1 && qnet_is_homogeneous(qw) == 0;
                    int hold = n2_homog(&c, ctx->corrupt ? qw : qb, r, reps, wit, sizeof wit) && ishom;
                    char cwit[300] = "";
                    int rej = !n2_homog(&cc, qw, r, 50, cwit, sizeof cwit);
                    controls++;
                    if (!rej)
                        accepted++;
                    checks += c;
                    tests++;
                    if (!hold) {
                        fails++;
                        if (!first[0])
                            snprintf(first, sizeof first, "net %ld (%s, %s, %s, no bias): %s", nets,
                                     prf_pl_archs[ai].name, prf_pl_actnames[ci], wt,
                                     ishom ? wit : "qnet_is_homogeneous disagrees");
                    }
                    proof_row(J, 0, "%ld\t%s\t%s\t%s\tfalse\tf(cx)=cf(x),e(cx)=c^2e(x)\t%ld\t%s\t"
                              "biased net claimed homogeneous: %s\t%s", nets, prf_pl_archs[ai].name,
                              prf_pl_actnames[ci], wt, c, hold ? "true" : "false",
                              rej ? cwit : "no witness", rej ? "true" : "false");
                }
                /* with biases: beta = f0(v) for several x0 per v */
                {
                    long c = 0, ctr = 0;
                    int hold = 1, rej = 1;
                    mpq_t *x0 = qvec_init(d), *v = qvec_init(d);
                    ray_final_t F;
                    ray_final_init(F, qw);
                    for (long vi = 0; vi < nv && st == AE_OK; vi++) {
                        for (long i = 0; i < d; i++)
                            prf_rand_q(v[i], r, 9, 5);
                        for (long xi = 0; xi < nx0 && st == AE_OK; xi++) {
                            for (long i = 0; i < d; i++)
                                prf_rand_q(x0[i], r, 20, 7);
                            if ((st = ray_final(F, qw, x0, v, d)) != AE_OK)
                                break;
                            int ok = ray_slope_is_recession(f0, v, d, F->beta, m);
                            mpq_add(F->beta[0], F->beta[0], u);   /* the wrong slope */
                            int bad = ray_slope_is_recession(f0, v, d, F->beta, m);
                            mpq_sub(F->beta[0], F->beta[0], u);
                            if (ok < 0 || bad < 0) {
                                st = AE_EINVAL;
                                break;
                            }
                            if (ctx->corrupt)
                                ok = bad;
                            c++;
                            ctr++;
                            controls++;
                            if (bad) {
                                accepted++;
                                rej = 0;
                            }
                            if (!ok) {
                                hold = 0;
                                if (!first[0])
                                    snprintf(first, sizeof first, "net %ld (%s, %s, %s, bias): beta "
                                             "from ray_final != f0(v) at v_0 = %s, x0_0 = %s, T = %s",
                                             nets, prf_pl_archs[ai].name, prf_pl_actnames[ci], wt, prf_q(v[0]),
                                             prf_q(x0[0]), prf_q(F->T));
                            }
                        }
                    }
                    ray_final_clear(F);
                    qvec_clear(x0, d);
                    qvec_clear(v, d);
                    checks += c;
                    tests++;
                    if (!hold)
                        fails++;
                    if (st == AE_OK)
                        proof_row(J, 0, "%ld\t%s\t%s\t%s\ttrue\tbeta=f0(v) (%ld v x %ld x0)\t%ld\t%s\t"
                                  "beta+1/7 e_1 (%ld)\t%s", nets, prf_pl_archs[ai].name, prf_pl_actnames[ci], wt, nv,
                                  nx0, c, hold ? "true" : "false", ctr, rej ? "true" : "false");
                }
                qnet_clear(qb); qnet_clear(qw); qnet_clear(f0);
                nn_clear(nb); nn_clear(nw);
                nets++;
                char what[64];
                snprintf(what, sizeof what, "%s %s %s", prf_pl_archs[ai].name, prf_pl_actnames[ci], wt);
                proof_progress("N2", nets, 2 * narch * PRF_PL_NACTS, what);
            }
    mpq_clear(u);
    gsl_rng_free(r);
    if (st != AE_OK)
        return proof_fail(J, st, "N2: building a network or its final piece failed (status %d)", st);

    snprintf(res->method, sizeof res->method,
             "exact (GMP), float32 weights read as dyadics; slopes by ray_final vs f0");
    res->instances = checks;
    if (accepted)
        proof_set(res, VERDICT_ERROR, "negative control failed %ld of %ld times (a wrong slope "
                  "or a biased network's homogeneity was accepted)", accepted, controls);
    else if (fails)
        proof_set(res, VERDICT_FALSIFIED, "%ld of %ld tests (one or two per network, %ld networks) "
                  "fail; first: %s", fails, tests, nets, first);
    else
        proof_set(res, VERDICT_VERIFIED, "%ld networks, %ld exact identities (f(cx) = c f(x), "
                  "e(cx) = c^2 e(x) bias-free; beta = f0(v) with biases) all hold; %ld "
                  "controls (wrong slopes, biased nets claimed homogeneous) all rejected",
                  nets, checks, controls);
    return AE_OK;
}

int proof_N2(const proof_ctx *ctx, proof_result *res)
{
    return proof_run(ctx, res, TABLES, 1, run, NULL);
}
