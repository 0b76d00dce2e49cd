/* N1 — piecewise affinity of piecewise-linear networks along rays.
 *
 * Claim: a network of affine layers with relu / leaky relu / hard-tanh / identity units
 * is, along x0 + t v (t >= 0), continuous and affine between finitely many breakpoints,
 * and f = alpha + t beta for t >= T, so the score is an exact quadratic there.
 *
 * Verification (exact): float32 networks with biases, each architecture and activation
 * twice, as drawn and after training (200 Adam epochs on 64 random points, prf_pl_train),
 * weights read back as exact dyadics (theory/qnet) and random rational rays.  ray_pieces gives every breakpoint
 * exactly; the checker below then evaluates the network exactly (qnet_eval) at both
 * ends of every piece and at 2 rational interior points and compares with
 * alpha_k + t beta_k, and checks continuity at every breakpoint.  ray_final's T, alpha,
 * beta must be the enumeration's last piece, and qnet_score at T+1, 2T+3, 10^6 (T+1)
 * must equal a t^2 + b t + c.
 * Negative control (every ray with a breakpoint where the output slope changes): the
 * same checker on the breakpoint list with that breakpoint shifted right by a quarter
 * of the smaller neighbouring gap must reject it (the sub-piece between the true and the
 * shifted breakpoint carries the wrong affine formula).  With ctx->corrupt the main
 * check runs on that shifted list instead.
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

/* Epochs of the trained instances (prf_pl_train): enough to move every weight far from
 * its initial value, so the exact identities are checked on weights no one chose. */
#define N_TRAIN_EPOCHS 200

static const char *const COLS[] = {"net", "arch", "act", "weights", "ray", "pieces", "breakpoints", "T",
                                   "checks", "all_hold", "control_rejected"};
static const proof_table TABLES[] = {
    {"N1_piecewise_affine", "N1: exact pieces of random float32 networks along rational rays", COLS, 11}};

/* y = f(x0 + t v) exactly, z = alpha + t beta; 1 if equal. */
static int n1_point(mpq_t *y, mpq_t *z, mpq_t *x, const qnet_t q, const mpq_t *x0,
                    const mpq_t *v, const mpq_t t, const mpq_t *alpha, const mpq_t *beta)
{
    long d = qnet_din(q), m = qnet_dout(q);
    qvec_set(x, x0, d);
    qvec_addmul(x, v, t, d);
    if (qnet_eval(y, m, NULL, q, x, d) != AE_OK)
        return 0;
    qvec_set(z, alpha, m);
    qvec_addmul(z, beta, t, m);
    return qvec_equal(y, z, m);
}

/* The checker: pieces [t[k], t[k+1]] (the last one unbounded) with formulas
 * alpha_k + t beta_k.  Counts checks in *checks; returns 1 if every check holds. */
static int n1_check(long *checks, const qnet_t q, const mpq_t *x0, const mpq_t *v,
                    const mpq_t *t, long n, const ray_pieces_t P)
{
    long d = qnet_din(q), m = qnet_dout(q);
    mpq_t *x = qvec_init(d), *y = qvec_init(m), *z = qvec_init(m), *w = qvec_init(m);
    mpq_t s, len;
    mpq_inits(s, len, (mpq_ptr) NULL);
    int ok = 1;
    for (long k = 0; k < n; k++) {
        const mpq_t *al = ray_alpha(P, k), *be = ray_beta(P, k);
        if (k + 1 < n)
            mpq_sub(len, t[k + 1], t[k]);
        else
            mpq_set_ui(len, 1, 1);
        /* the start, 1/3 and 2/3 into the piece, and its end (bounded pieces) */
        for (int j = 0; j <= 3; j++) {
            if (j == 3 && k + 1 == n)
                break;
            mpq_set_ui(s, (unsigned long) j, 3);
            mpq_canonicalize(s);
            mpq_mul(s, s, len);
            mpq_add(s, s, t[k]);
            (*checks)++;
            if (!n1_point(y, z, x, q, x0, v, s, al, be))
                ok = 0;
        }
        if (k > 0) {   /* continuity: both formulas agree at the breakpoint */
            qvec_set(z, ray_alpha(P, k - 1), m);
            qvec_addmul(z, ray_beta(P, k - 1), t[k], m);
            qvec_set(w, al, m);
            qvec_addmul(w, be, t[k], m);
            (*checks)++;
            if (!qvec_equal(z, w, m))
                ok = 0;
        }
    }
    mpq_clears(s, len, (mpq_ptr) NULL);
    qvec_clear(x, d); qvec_clear(y, m); qvec_clear(z, m); qvec_clear(w, m);
    return ok;
}

/* The final piece: ray_final agrees with the last piece, and the score is its quadratic
 * at T+1, 2T+3, 10^6 (T+1). */
static int n1_final(long *checks, const qnet_t q, const ray_final_t F, const ray_pieces_t P,
                    const mpq_t *x0, const mpq_t *v)
{
    long d = qnet_din(q), m = qnet_dout(q), last = P->n - 1;
    int ok = mpq_equal(F->T, P->t[last]) && qvec_equal(F->alpha, ray_alpha(P, last), m)
             && qvec_equal(F->beta, ray_beta(P, last), m) && F->has_score;
    (*checks)++;
    if (!F->has_score)
        return 0;
    mpq_t *x = qvec_init(d);
    mpq_t t, e, w;
    mpq_inits(t, e, w, (mpq_ptr) NULL);
    for (int j = 0; j < 3; j++) {
        mpq_set_ui(w, 1, 1);
        mpq_add(t, F->T, w);                     /* T + 1 */
        if (j == 1) {
            mpq_add(t, t, F->T);
            mpq_add(t, t, w);
            mpq_add(t, t, w);                    /* 2T + 3 */
        } else if (j == 2) {
            mpq_set_ui(w, 1000000, 1);
            mpq_mul(t, t, w);                    /* 10^6 (T + 1) */
        }
        qvec_set(x, x0, d);
        qvec_addmul(x, v, t, d);
        (*checks)++;
        if (qnet_score(e, q, x, d) != AE_OK) {
            ok = 0;
            continue;
        }
        mpq_mul(w, F->a, t);
        mpq_add(w, w, F->b);
        mpq_mul(w, w, t);
        mpq_add(w, w, F->c);
        if (!mpq_equal(e, w))
            ok = 0;
    }
    mpq_clears(t, e, w, (mpq_ptr) NULL);
    qvec_clear(x, d);
    return ok;
}

static int run(proof_job *J)
{
    const proof_ctx *ctx = J->ctx;
    proof_result *res = J->res;
    long narch = ctx->quick ? 2 : 3, nrays = ctx->quick ? 2 : 4;
    gsl_rng *r = prf_rng(ctx, "N1");
    long rays = 0, fails = 0, checks = 0, pieces = 0, controls = 0, accepted = 0, nets = 0;
    char first[400] = "";
    int st = AE_OK;
    mpq_t delta, g;
    mpq_inits(delta, g, (mpq_ptr) NULL);

    for (int tr = 0; tr < 2 && st == AE_OK; tr++)
        for (long ai = 0; ai < narch && st == AE_OK; ai++)
            for (int ci = 0; ci < PRF_PL_NACTS && st == AE_OK; ci++) {
                nn_t net;
                qnet_t q;
                const char *wt = tr ? "trained" : "random";
                if ((st = prf_pl_net(net, r, prf_pl_archs[ai].L, prf_pl_archs[ai].s,
                                     prf_pl_acts[ci], 1)) != AE_OK) {
                    nn_clear(net);
                    break;
                }
                if (tr && (st = prf_pl_train(net, r, N_TRAIN_EPOCHS)) != AE_OK) {
                    nn_clear(net);
                    break;
                }
                if ((st = qnet_init_nn(q, net)) != AE_OK) {
                    nn_clear(net);
                    break;
                }
                long d = qnet_din(q);
                mpq_t *x0 = qvec_init(d), *v = qvec_init(d);
                for (long ri = 0; ri < nrays && st == AE_OK; ri++) {
                    for (long i = 0; i < d; i++) {
                        prf_rand_q(x0[i], r, 20, 7);
                        prf_rand_q(v[i], r, 9, 5);
                    }
                    ray_pieces_t P;
                    ray_final_t F;
                    ray_pieces_init(P, q);
                    ray_final_init(F, q);
                    if ((st = ray_pieces(P, q, x0, v, d, 0)) == AE_OK)
                        st = ray_final(F, q, x0, v, d);
                    if (st == AE_OK) {
                        /* the control instance: the first breakpoint where the slope changes,
                         * shifted right by a quarter of the smaller neighbouring gap */
                        long jb = -1;
                        for (long k = 1; k < P->n && jb < 0; k++)
                            if (!qvec_equal(ray_beta(P, k - 1), ray_beta(P, k), qnet_dout(q)))
                                jb = k;
                        mpq_t *ts = qvec_init(P->n);
                        qvec_set(ts, P->t, P->n);
                        if (jb > 0) {
                            mpq_sub(delta, ts[jb], ts[jb - 1]);
                            if (jb + 1 < P->n) {
                                mpq_sub(g, ts[jb + 1], ts[jb]);
                                if (mpq_cmp(g, delta) < 0)
                                    mpq_set(delta, g);
                            }
                            mpq_set_ui(g, 1, 4);
                            mpq_mul(delta, delta, g);
                            mpq_add(ts[jb], ts[jb], delta);
                        }
                        long c = 0, cc = 0;
                        int control_rej = -1;
                        if (jb > 0) {
                            control_rej = !n1_check(&cc, q, x0, v, ts, P->n, P);
                            controls++;
                            if (!control_rej)
                                accepted++;
                        }
                        int hold = n1_check(&c, q, x0, v, ctx->corrupt && jb > 0 ? ts : P->t,
                                            P->n, P);
                        hold = n1_final(&c, q, F, P, x0, v) && hold;
                        rays++;
                        checks += c;
                        pieces += P->n;
                        if (!hold) {
                            fails++;
                            if (!first[0])
                                snprintf(first, sizeof first, "net %ld (%s, %s, %s) ray %ld: %ld pieces, "
                                         "T = %s: an exact value differs from its piece's affine "
                                         "formula or the final quadratic", nets, prf_pl_archs[ai].name,
                                         prf_pl_actnames[ci], wt, ri, P->n, prf_q(F->T));
                        }
                        proof_row(J, 0, "%ld\t%s\t%s\t%s\t%ld\t%ld\t%ld\t%s\t%ld\t%s\t%s", nets,
                                  prf_pl_archs[ai].name, prf_pl_actnames[ci], wt, ri, P->n, P->n - 1, prf_q(F->T), c,
                                  hold ? "true" : "false",
                                  control_rej < 0 ? "n/a" : control_rej ? "true" : "false");
                        qvec_clear(ts, P->n);
                    }
                    ray_pieces_clear(P);
                    ray_final_clear(F);
                }
                qvec_clear(x0, d);
                qvec_clear(v, d);
                qnet_clear(q);
                nn_clear(net);
                nets++;
                char what[64];
                snprintf(what, sizeof what, "%s %s %s", prf_pl_archs[ai].name, prf_pl_actnames[ci], wt);
                proof_progress("N1", nets, 2 * narch * PRF_PL_NACTS, what);
            }
    mpq_clears(delta, g, (mpq_ptr) NULL);
    gsl_rng_free(r);
    if (st != AE_OK)
        return proof_fail(J, st, "N1: building a network or its pieces failed (status %d)", st);

    snprintf(res->method, sizeof res->method,
             "exact (GMP), float32 weights read as dyadics; breakpoints by ray_pieces");
    res->instances = rays;
    if (accepted)
        proof_set(res, VERDICT_ERROR, "negative control failed: %ld of %ld shifted breakpoint "
                  "lists were accepted by the checker", accepted, controls);
    else if (fails)
        proof_set(res, VERDICT_FALSIFIED, "%ld of %ld rays fail; first: %s", fails, rays, first);
    else if (controls == 0)
        proof_set(res, VERDICT_ERROR, "no ray had a breakpoint with a slope change: the "
                  "negative control never ran");
    else
        proof_set(res, VERDICT_VERIFIED, "%ld rays on %ld networks, %ld pieces, %ld exact "
                  "checks (values on every piece, continuity, final quadratic) all hold; "
                  "%ld shifted-breakpoint controls all rejected", rays, nets, pieces, checks,
                  controls);
    return AE_OK;
}

int proof_N1(const proof_ctx *ctx, proof_result *res)
{
    return proof_run(ctx, res, TABLES, 1, run, NULL);
}
