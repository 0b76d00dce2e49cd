/* N5 — bounded activations: a certified detection radius R*, and low-score pockets at
 * finite distance.
 *
 * Claim (CLAIMS.md N5): if the last hidden layer is bounded (sigmoid, tanh, hardtanh) and
 * the output layer affine, ||f(x)|| <= B (an exact rational from the weights), so
 * e(x) >= (||x|| - B)^2 and every point with ||x|| > R* = B + sqrt(s_min) is detected; with
 * a sigmoid output layer e(x) >= dist(x, [0,1]^d)^2.  Yet the paper's sigmoid AE
 * [2,5,1,5,2] on two clusters has low-score pockets between the clusters.
 *
 * Models (fign5.h): [2,5,1,5,2] on `two-clusters` with sigmoid hidden layers (the paper's),
 * tanh hidden layers, and sigmoid everywhere (bounded output), float32, 5 seeds each
 * (quick: sigmoid and tanh, 1 seed).  Per model, all in the network's input space:
 *   - B, the output box O, s_min (Arb ball over every row), R* and the pocket map
 *     (bounded_scan, bounded.h / pocket2d.h);
 *   - re-check of R*: points with ||x||^2 > R*^2 (exact) in seeded rational directions at
 *     1, 2, 10 and 1000 times R*: the lower end of each rigorous score ball must exceed
 *     the upper end of the s_min ball, and no point (nor any training row) may have
 *     ||f(x)||^2 provably above B^2;
 *   - pockets: the float proposal (bounded_pocket_search over the data's bounding box
 *     widened by delta) and the rigorous check (bounded_pocket_check): e(p) <= s_min by
 *     Arb, dist(p, X) >= delta exactly.  delta = 1/10 = 2 standard deviations of a cluster
 *     (synth.h: sigma = 0.05), i.e. outside the bulk of both clusters.  Each certified
 *     point must lie in a reported box of the map (two independent methods agree);
 *   - the map: random points outside every reported box must not be provably below s_min.
 * Negative controls (every run; with ctx->corrupt they replace the real checks): B/2 must
 * be refuted (a point with ||f(x)||^2 > B^2/4 rigorously); each certified pocket point
 * moved onto its nearest training row, and shifted beyond R*, must be rejected.
 * Thresholds (CLAIMS.md): the best far candidate is reported against s_min (strict),
 * s_0.99 of the training scores (practical; rigorous via the 99th smallest lower end) and
 * the paper's per-feature MSE 0.1.
 * The verdict: VERIFIED when every re-check held, every control was rejected, and a pocket
 * was certified for at least one sigmoid model (the paper's effect); NOT_REPRODUCED when
 * no pocket could be certified for any sigmoid model; FALSIFIED when a re-check failed.
 * A quick run (one seed per activation) checks every certificate and control but does not
 * judge the pocket half: one seed cannot show or refute it (the evidence says so).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aeerr.h"
#include "arbnet.h"
#include "bounded.h"
#include "fign5.h"
#include "nn.h"
#include "pcommon.h"
#include "pocket2d.h"
#include "proof.h"
#include "qmat.h"
#include "qnum.h"
#include "synth.h"

static const char *const COLS[] = {
    "data", "activation", "output", "seed", "train_loss", "collapsed", "bound", "B", "s_min",
    "R_star", "far_points", "pockets_found", "pockets_certified", "min_pocket_score",
    "pocket_distance", "best_candidate_below", "pocket_boxes", "pocket_area",
    "far_pocket_boxes", "far_pocket_area", "certified_far_area", "mixed_boxes", "map_complete",
    "recheck", "method"};
#define NCOLS 25
static const proof_table TABLES[] = {
    {"N5_bounded", "N5: bounded activations: certified radius R*, pockets and the 2-D map "
     "(Arb ball arithmetic)", COLS, NCOLS}};

#define N5_PREC 128
#define N5_NCAND 5

typedef struct {
    long models, fails, controls, accepted, far_points;
    long pockets[FIGN5_NKINDS], models_k[FIGN5_NKINDS], collapsed;
    long certified, map_boxes, map_far, map_far_low, map_complete;
    char first[600];
} n5_tally;

static void note_fail(n5_tally *T, const char *model, const char *why)
{
    T->fails++;
    if (!T->first[0])
        snprintf(T->first, sizeof T->first, "%s: %s", model, why);
}

/* ---- small helpers ---------------------------------------------------------------- */

/* arb lower end > rational? / upper end < rational? */
static int ball_above(const arb_t b, const mpq_t q)
{
    mpq_t l;
    mpq_init(l);
    arbnet_bound_q(l, b, 0);
    int r = arb_is_finite(b) && mpq_cmp(l, q) > 0;
    mpq_clear(l);
    return r;
}

static int ball_below(const arb_t b, const mpq_t q)
{
    mpq_t u;
    mpq_init(u);
    arbnet_bound_q(u, b, 1);
    int r = arb_is_finite(b) && mpq_cmp(u, q) < 0;
    mpq_clear(u);
    return r;
}

/* n2 = ||f(x)||^2 as a ball, x exact (scaled space). */
static void out_norm2(arb_t n2, const arbnet_t a, const mpq_t *x)
{
    arb_ptr xb = _arb_vec_init(2), y = _arb_vec_init(2);
    arbnet_set_q(xb, x[0], N5_PREC);
    arbnet_set_q(xb + 1, x[1], N5_PREC);
    arbnet_eval_scaled(y, a, xb, N5_PREC);
    arb_sqr(n2, y, N5_PREC);
    arb_addmul(n2, y + 1, y + 1, N5_PREC);
    _arb_vec_clear(xb, 2);
    _arb_vec_clear(y, 2);
}

/* q99lb = the ceil(0.99 n)-th smallest lower end of the training score balls: a rational
 * <= s_0.99 (the k-th order statistic is >= the k-th smallest lower bound). */
static int cmp_q(const void *p, const void *q)
{
    return mpq_cmp(*(const mpq_t *) p, *(const mpq_t *) q);
}

static void q99_lower(mpq_t q99lb, const arbnet_t a, const mpq_t *Xr, long n)
{
    mpq_t *lo = qvec_init(n);
    arb_t e;
    arb_init(e);
    for (long i = 0; i < n; i++) {
        arbnet_score_q(e, a, Xr + 2 * i, 2, N5_PREC);
        arbnet_bound_q(lo[i], e, 0);
    }
    qsort(lo, (size_t) n, sizeof(mpq_t), cmp_q);
    long k = (99 * n + 99) / 100;
    mpq_set(q99lb, lo[k - 1]);
    arb_clear(e);
    qvec_clear(lo, n);
}

/* ---- one model: the checks -------------------------------------------------------- */

typedef struct {
    int kind;
    unsigned long seed;
    const double *X;
    const mpq_t *Xr;    /* raw rows, exact (two-clusters is unscaled: the same space) */
    long n;
    const mpq_t *delta;
} n5_model;

typedef struct {
    long far_points;
    int ok;
    mpq_t maxf2;        /* the largest lower end of ||f(x)||^2 met */
} far_check;

/* R* and B at far points in seeded rational directions; rows for B. */
static void check_far(far_check *C, n5_tally *T, const bounded_scan_t S, const arbnet_t a,
                      const n5_model *M, gsl_rng *r, int quick, const char *name)
{
    static const double factors[4] = {1, 2, 10, 1000};
    long ndirs = quick ? 8 : 32;
    mpq_t *x = qvec_init(2), R2, n2q, t;
    mpq_inits(R2, n2q, t, NULL);
    mpq_mul(R2, S->Rstar, S->Rstar);
    arb_t e, f2;
    arb_init(e);
    arb_init(f2);
    double R = mpq_get_d(S->Rstar);
    for (long k = 0; k < ndirs * 4 + M->n; k++) {
        int is_row = k >= ndirs * 4;
        if (is_row) {
            qvec_set(x, M->Xr + 2 * (k - ndirs * 4), 2);
        } else {
            double v[2];
            do {
                v[0] = (double) gsl_rng_uniform_int(r, 201) - 100;
                v[1] = (double) gsl_rng_uniform_int(r, 201) - 100;
            } while (v[0] == 0 && v[1] == 0);
            double s = factors[k % 4] * R * (1 + 1e-6) / sqrt(v[0] * v[0] + v[1] * v[1]);
            qnum_set_d(x[0], v[0] * s);
            qnum_set_d(x[1], v[1] * s);
            qvec_norm2(n2q, (const mpq_t *) x, 2);
            if (mpq_cmp(n2q, R2) <= 0)
                continue;                      /* not beyond R* after rounding: skip */
            C->far_points++;
            arbnet_score_q(e, a, (const mpq_t *) x, 2, N5_PREC);
            if (!ball_above(e, S->smin_hi)) {
                C->ok = 0;
                note_fail(T, name, "a point beyond R* is not certified above s_min");
            }
        }
        out_norm2(f2, a, (const mpq_t *) x);
        arbnet_bound_q(t, f2, 0);
        if (mpq_cmp(t, C->maxf2) > 0)
            mpq_set(C->maxf2, t);
        if (ball_above(f2, S->bnd->B2)) {
            C->ok = 0;
            note_fail(T, name, "||f(x)||^2 provably exceeds B^2");
        }
    }
    arb_clear(e);
    arb_clear(f2);
    mpq_clears(R2, n2q, t, NULL);
    qvec_clear(x, 2);
}

/* 1 if the point (exact) lies in a reported box of the map. */
static int in_map(const pocket2d_t P, const mpq_t *x)
{
    mpq_t lo[2], hi[2];
    mpq_inits(lo[0], lo[1], hi[0], hi[1], NULL);
    int in = 0;
    for (long b = 0; b < P->nboxes && !in; b++) {
        pocket2d_box_q(lo, hi, P, b);
        in = mpq_cmp(lo[0], x[0]) <= 0 && mpq_cmp(x[0], hi[0]) <= 0
             && mpq_cmp(lo[1], x[1]) <= 0 && mpq_cmp(x[1], hi[1]) <= 0;
    }
    mpq_clears(lo[0], lo[1], hi[0], hi[1], NULL);
    return in;
}

/* The map's spot check: points of the square outside every reported box are not
 * provably below s_min. */
static int check_map(const bounded_scan_t S, const arbnet_t a, gsl_rng *r, long npts)
{
    mpq_t *x = qvec_init(2);
    arb_t e;
    arb_init(e);
    int ok = 1;
    long H = 1L << (S->map->h + 10);
    for (long k = 0; k < npts; k++) {
        for (int j = 0; j < 2; j++) {
            mpq_set_si(x[j], (long) gsl_rng_uniform_int(r, (unsigned long) (2 * H + 1)) - H, 1024);
            mpq_canonicalize(x[j]);
        }
        if (in_map(S->map, (const mpq_t *) x))
            continue;
        arbnet_score_q(e, a, (const mpq_t *) x, 2, N5_PREC);
        if (ball_below(e, S->smin_lo))
            ok = 0;
    }
    arb_clear(e);
    qvec_clear(x, 2);
    return ok;
}

typedef struct {
    long found, certified;
    int have_best;
    mpq_t best_score, best_dist2;     /* certified: least upper end, its distance^2 */
    mpq_t cand_score;                 /* least upper end over all candidates */
} pocket_res;

/* Proposes, certifies and controls the pocket points. */
static void pockets(pocket_res *P, n5_tally *T, const bounded_scan_t S, const arbnet_t a,
                    const n5_model *M, const proof_ctx *ctx, int *ok, const char *name)
{
    double lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY}, cand[2 * N5_NCAND];
    double dl = mpq_get_d(*M->delta);
    for (long i = 0; i < M->n; i++)
        for (int j = 0; j < 2; j++) {
            lo[j] = fmin(lo[j], M->X[2 * i + j] - dl);
            hi[j] = fmax(hi[j], M->X[2 * i + j] + dl);
        }
    bounded_pocket_search(cand, &P->found, N5_NCAND, a, M->X, M->n, lo, hi,
                          ctx->quick ? 41 : 101, dl);
    mpq_t *p = qvec_init(2), *q = qvec_init(2), d2, u, shift;
    mpq_inits(d2, u, shift, NULL);
    mpq_set_ui(shift, 1, 1);
    mpq_add(shift, shift, S->Rstar);
    arb_t sc;
    arb_init(sc);
    for (long c = 0; c < P->found; c++) {
        int good;
        qnum_set_d(p[0], cand[2 * c]);
        qnum_set_d(p[1], cand[2 * c + 1]);
        bounded_pocket_check(&good, sc, d2, a, (const mpq_t *) p, M->Xr, M->n, 2, *M->delta,
                             S->smin, N5_PREC);
        arbnet_bound_q(u, sc, 1);
        if (c == 0 || mpq_cmp(u, P->cand_score) < 0)
            mpq_set(P->cand_score, u);
        if (!good)
            continue;
        /* controls: onto the nearest row; shifted beyond R* */
        for (int k = 0; k < 2; k++) {
            if (k == 0) {
                long best = 0;
                mpq_t t;
                mpq_init(t);
                for (long i = 0; i < M->n; i++) {
                    qvec_dist2(t, (const mpq_t *) p, M->Xr + 2 * i, 2);
                    if (mpq_equal(t, d2))
                        best = i;
                }
                mpq_clear(t);
                qvec_set(q, M->Xr + 2 * best, 2);
            } else {
                qvec_set(q, (const mpq_t *) p, 2);
                mpq_add(q[0], q[0], shift);
            }
            int bad;
            mpq_t dd;
            mpq_init(dd);
            arb_t s2;
            arb_init(s2);
            bounded_pocket_check(&bad, s2, dd, a, (const mpq_t *) q, M->Xr, M->n, 2, *M->delta,
                                 S->smin, N5_PREC);
            T->controls++;
            T->accepted += bad;
            if (ctx->corrupt && !bad) {
                *ok = 0;
                note_fail(T, name, k ? "a pocket point shifted beyond R* is rejected"
                                     : "a pocket point moved onto a training row is rejected");
            }
            arb_clear(s2);
            mpq_clear(dd);
        }
        if (ctx->corrupt)
            continue;                          /* the controls stand in for the points */
        if (S->have_map && !in_map(S->map, (const mpq_t *) p)) {
            *ok = 0;
            note_fail(T, name, "a certified pocket point lies in a box the map certified high");
        }
        P->certified++;
        if (!P->have_best || mpq_cmp(u, P->best_score) < 0) {
            P->have_best = 1;
            mpq_set(P->best_score, u);
            mpq_set(P->best_dist2, d2);
        }
    }
    arb_clear(sc);
    mpq_clears(d2, u, shift, NULL);
    qvec_clear(p, 2);
    qvec_clear(q, 2);
}

/* The strongest threshold a score upper bound u meets: s_min (strict), s_0.99, MSE 0.1. */
static const char *below(const mpq_t u, const bounded_scan_t S, const mpq_t q99lb)
{
    mpq_t m;
    mpq_init(m);
    mpq_set_ui(m, 2, 10);                      /* per-feature MSE 0.1 = score 0.2 in 2-D */
    mpq_canonicalize(m);
    const char *b = "none";
    if (mpq_cmp(u, m) < 0)
        b = "mse<0.1";
    if (mpq_cmp(u, q99lb) < 0)
        b = "s_0.99";
    if (mpq_cmp(u, S->smin_lo) < 0)
        b = "s_min";
    mpq_clear(m);
    return b;
}

static int one_model(proof_job *J, n5_tally *T, const n5_model *M, gsl_rng *r)
{
    const proof_ctx *ctx = J->ctx;
    char name[96];
    snprintf(name, sizeof name, "%s seed %lu", fign5_kind_name(M->kind), M->seed);
    nn_t net;
    int st = fign5_train(net, M->X, M->n, M->kind, M->seed);
    if (st != AE_OK)
        return proof_fail(J, st, "N5: %s: training failed (%s)", name, ae_strstatus(st));
    double loss = NAN, var = 0, mu[2] = {0, 0};
    nn_loss_grad(&loss, NULL, net, M->X, M->n);
    for (long i = 0; i < M->n; i++)
        for (int j = 0; j < 2; j++)
            mu[j] += M->X[2 * i + j] / (double) M->n;
    for (long i = 0; i < M->n; i++)
        for (int j = 0; j < 2; j++)
            var += (M->X[2 * i + j] - mu[j]) * (M->X[2 * i + j] - mu[j]) / (2.0 * (double) M->n);
    int collapsed = loss >= 0.9 * var;
    bounded_scan_t S;
    bounded_scan_init(S);
    bounded_scan_opts o;
    bounded_scan_opts_default(&o);
    o.prec = N5_PREC;
    o.delta = mpq_get_d(*M->delta);
    o.map_opts.max_level = ctx->quick ? 8 : 12;
    arbnet_t a;
    st = bounded_scan(S, net, M->X, M->n, 2, &o);
    if (st == AE_OK && S->verdict != BOUNDED_SAFE_BEYOND)
        st = AE_ERANGE;
    if (st != AE_OK || (st = arbnet_init_nn(a, net)) != AE_OK) {
        bounded_scan_clear(S);
        nn_clear(net);
        return proof_fail(J, st, "N5: %s: bounded_scan failed (%s)", name, ae_strstatus(st));
    }
    int ok = 1;
    far_check C;
    memset(&C, 0, sizeof C);
    C.ok = 1;
    mpq_init(C.maxf2);
    check_far(&C, T, S, a, M, r, ctx->quick, name);
    /* control: B/2 must be refuted by some point with ||f||^2 > B^2/4 */
    mpq_t quarter;
    mpq_init(quarter);
    mpq_div_2exp(quarter, S->bnd->B2, 2);
    int refuted = mpq_cmp(C.maxf2, quarter) > 0;
    T->controls++;
    T->accepted += !refuted;
    if (ctx->corrupt && refuted) {
        ok = 0;
        note_fail(T, name, "the too-small bound B/2 is refuted: ||f(x)||^2 > B^2/4 at a point");
    }
    ok &= C.ok;
    if (!ctx->corrupt && !check_map(S, a, r, ctx->quick ? 100 : 400)) {
        ok = 0;
        note_fail(T, name, "a point outside every reported box is provably below s_min");
    }
    pocket_res P;
    memset(&P, 0, sizeof P);
    mpq_inits(P.best_score, P.best_dist2, P.cand_score, NULL);
    pockets(&P, T, S, a, M, ctx, &ok, name);
    mpq_t q99lb, dist;
    mpq_inits(q99lb, dist, NULL);
    q99_lower(q99lb, a, M->Xr, M->n);
    if (P.have_best)
        qnum_sqrt_lower(dist, P.best_dist2, 64);
    char method[320];
    snprintf(method, sizeof method, "Arb ball arithmetic, prec %d bits; %s", N5_PREC,
             S->bnd->method);
    nn_act_t hid, out;
    fign5_kind_acts(M->kind, &hid, &out);
    proof_row(J, 0, "two-clusters\t%s\t%s\t%lu\t%.4e\t%s\t%s\t%s\t%s\t%s\t%ld\t%ld\t%ld\t%s\t%s\t"
              "%s\t%ld\t%s\t%ld\t%s\t%s\t%ld\t%s\t%s\t%s",
              nn_act_name(hid), nn_act_name(out), M->seed, loss, collapsed ? "yes" : "no",
              S->bnd->kind == BOUNDED_OUTPUT ? "output box" : S->bnd->kind == BOUNDED_AFFINE
                  ? "vertex" : "interval",
              prf_q6(S->bnd->B), prf_q6(S->smin_hi), prf_q6(S->Rstar), C.far_points, P.found,
              P.certified, P.have_best ? prf_q6(P.best_score) : "-",
              P.have_best ? prf_q6(dist) : "-",
              P.found ? below(P.cand_score, S, q99lb) : "-", S->map->nboxes,
              prf_q6(S->map->area), S->map->nfar, prf_q6(S->map->far_area),
              prf_q6(S->map->far_low_area), S->map->nmixed,
              S->map->complete ? "yes" : "no", ok ? "ok" : "FAILED", method);
    T->models++;
    T->models_k[M->kind]++;
    T->pockets[M->kind] += P.certified > 0;
    T->certified += P.certified;
    T->far_points += C.far_points;
    T->collapsed += collapsed;
    T->map_boxes += S->map->nboxes;
    T->map_far += S->map->nfar;
    T->map_far_low += S->map->nfar_low > 0;
    T->map_complete += S->map->complete;
    mpq_clears(q99lb, dist, quarter, C.maxf2, P.best_score, P.best_dist2, P.cand_score, NULL);
    arbnet_clear(a);
    bounded_scan_clear(S);
    nn_clear(net);
    return AE_OK;
}

static int run(proof_job *J)
{
    const proof_ctx *ctx = J->ctx;
    proof_result *res = J->res;
    n5_tally T;
    memset(&T, 0, sizeof T);
    long n = SYNTH_N;
    double X[2 * SYNTH_N];
    int st = synth_make(X, NULL, "two-clusters", n, prf_seed(ctx, "N5-data") % 1000000UL);
    if (st != AE_OK)
        return proof_fail(J, st, "N5: cannot make two-clusters");
    mpq_t *Xr = qvec_init(2 * n), delta;
    mpq_init(delta);
    mpq_set_ui(delta, 1, 10);
    for (long i = 0; i < 2 * n; i++)
        qnum_set_d(Xr[i], X[i]);
    gsl_rng *r = prf_rng(ctx, "N5");
    unsigned long base = (unsigned long) (prf_seed(ctx, "N5") % 100000UL) * 10UL;
    long nkinds = ctx->quick ? 2 : FIGN5_NKINDS, nseeds = ctx->quick ? 1 : 5;
    long total = nkinds * nseeds, done = 0;
    for (long k = 0; k < nkinds && st == AE_OK; k++)
        for (long s = 0; s < nseeds && st == AE_OK; s++) {
            n5_model M = {(int) k, base + (unsigned long) s, X, (const mpq_t *) Xr, n,
                          (const mpq_t *) &delta};
            st = one_model(J, &T, &M, r);
            char what[96];
            snprintf(what, sizeof what, "%s seed %ld", fign5_kind_name((int) k), s);
            proof_progress("N5", ++done, total, what);
        }
    gsl_rng_free(r);
    qvec_clear(Xr, 2 * n);
    mpq_clear(delta);
    if (st != AE_OK)
        return st;
    snprintf(res->method, sizeof res->method, "Arb ball arithmetic (prec %d bits) for scores "
             "and s_min; exact GMP rationals for B, R*, distances and the quadtree boxes",
             N5_PREC);
    res->instances = T.models;
    char sum[600];
    snprintf(sum, sizeof sum, "%ld models (%ld collapsed): R* certified for all (%ld far points "
             "re-checked); pockets (dist >= 1/10, e <= s_min) certified in %ld/%ld sigmoid, "
             "%ld/%ld tanh, %ld/%ld sigmoid-output models (%ld points); map: %ld reported boxes, "
             "%ld far, %ld maps with a certified far low box, %ld/%ld maps complete",
             T.models, T.collapsed, T.far_points, T.pockets[0], T.models_k[0], T.pockets[1],
             T.models_k[1], T.pockets[2], T.models_k[2], T.certified, T.map_boxes, T.map_far,
             T.map_far_low, T.map_complete, T.models);
    if (T.accepted)
        proof_set(res, VERDICT_ERROR, "negative control accepted %ld of %ld times (B/2 not "
                  "refuted, or a moved pocket point passed); %s", T.accepted, T.controls, sum);
    else if (T.fails)
        proof_set(res, VERDICT_FALSIFIED, "%ld re-checks failed; first: %s; %s", T.fails,
                  T.first, sum);
    else if (ctx->corrupt)
        proof_set(res, VERDICT_ERROR, "corrupt run without a corrupted instance; %s", sum);
    else if (T.pockets[0] == 0 && !ctx->quick)
        proof_set(res, VERDICT_NOT_REPRODUCED, "no pocket could be certified for the sigmoid "
                  "model; %s", sum);
    else
        proof_set(res, VERDICT_VERIFIED, "%s; %ld controls rejected%s", sum, T.controls,
                  ctx->quick ? " (quick run: one seed, so the pocket half is judged by the "
                  "full run only)" : "");
    return AE_OK;
}

int proof_N5(const proof_ctx *ctx, proof_result *res)
{
    return proof_run(ctx, res, TABLES, 1, run, NULL);
}
