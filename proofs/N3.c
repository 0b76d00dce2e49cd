/* N3 — ReLU networks can be linear autoencoders (the paper's diagonal example).
 *
 * Claim: for any linear AE f(x) = W_d (W_e x + b_e) + b_d (k hidden units) the ReLU AE
 * with 2k hidden units h+ = ReLU(W_e x + b_e), h- = ReLU(-W_e x - b_e) and the affine
 * decoder W_d (h+ - h-) + b_d computes f everywhere (z = ReLU(z) - ReLU(-z)), so it
 * inherits L1/L3: the points of b_d + col(W_d) reconstruct exactly at any distance.
 *
 * (a) The identity, exactly.  Write the ReLU AE as layer 1 (W1, b1: rows u and k + u
 * form the pair of unit u), relu, then the identity layer (W2, b2), so that
 *     g(x) = b2 + sum_j W2[:, j] relu(W1[j, :] x + b1[j]).
 * Checked exactly, per unit u: (i) row k + u of (W1 | b1) is minus row u, so the pair's
 * pre-activations are z_u and -z_u and at most one of the two units is on; (ii) the
 * affine map x -> W2[:, u] (W1[u, :] x + b1[u]) of the pair when z_u > 0 and
 * x -> W2[:, k+u] (W1[k+u, :] x + b1[k+u]) when z_u < 0 both equal x -> W_d[:, u] z_u
 * (rank-one rational matrices and offset vectors compared entry by entry); (iii) b2 = b_d.
 * Then for every x: a pair with z_u > 0 or z_u < 0 contributes W_d[:, u] z_u by (ii), one
 * with z_u = 0 contributes 0 = W_d[:, u] z_u, so g(x) = b_d + W_d z = f(x).  This is a
 * proof for all x, not a sample.  Second methods: exact evaluation at random points, at
 * points up to 10^100 x the data diameter along W_d's first column (L3's direction; the
 * score must be exactly 0 when W_e W_d = I and f(b_d) = b_d) and along a random
 * direction; and, for the float32 net (nn_t, read back exactly by theory/qnet),
 * qnet_affine on every full sign pattern of the k pairs (k <= 8; quick: k <= 4) equals
 * the linear map exactly, and qnet_eval equals linae_map at the same points.  Linear AEs:
 * the hand-built projector onto the diagonal x2 = x1 (W_e = (1/2, 1/2), W_d = (1, 1)^T:
 * dyadic, exact in float32), random dyadic projectors W_d = [I; B], W_e = [I 0] (exact in
 * float32, so the float ReLU net reconstructs its range exactly at any distance), random
 * rational ones with non-pseudo-inverse left inverses, and the certified PCA AEs of the
 * bundled data sets (prf_model); each exactly and rounded to float32 (then the target is
 * the float32 linear AE, read back exactly).
 * Negative control (every instance): the decoder W_d (h+ + h-) must be rejected by the
 * unit identities, by the point evaluations and (float32) by the pattern maps.  With
 * ctx->corrupt the main checks run on that wrong network.
 *
 * (b) The paper's experiment (proofs/n3diag): 100 points on x2 = x1, ReLU AEs
 * [2,5,1,5,2] and [2,100,20,1,20,100,2] with identity output, float32, PyTorch init,
 * full-batch Adam (lr 1e-3; 5000 epochs, 20 seeds each; quick: 300 epochs, 2 seeds), each
 * analysed exactly: s_min, the exact far scores along +-(1, 1) up to 10^6 diameters, the
 * final quadratic (growth a), the exact minimum of the score beyond 10 diameters (a seed
 * fails iff it is <= s_min), dead units and collapse.  These fractions are the result,
 * whatever they are: the verdict depends only on (a) holding, the controls being
 * rejected and the experiment having run with its exact checks consistent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aeerr.h"
#include "linae.h"
#include "nn.h"
#include "pcommon.h"
#include "proof.h"
#include "qmat.h"
#include "qnet.h"
#include "qnum.h"
#include "score.h"
#include "synth.h"
#include "n3diag.h"

static const long SEXP[] = {0, 1, 3, 6, 100};   /* far points at 10^s x scale */
#define NSEXP 5
#define PAT_KMAX 8                             /* full sign patterns enumerated up to 2^8 */

static const char *const COLS_A[] = {"instance", "d", "k", "weights", "hidden_units",
                                     "unit_identities", "sign_patterns_equal", "points_equal",
                                     "far_scale", "far_score_relu", "far_score_linear",
                                     "s_min", "far_missed", "control_rejected"};
static const proof_table TABLES[] = {
    {"N3_relu_linear", "N3: ReLU AEs built from linear AEs equal them everywhere (exact)",
     COLS_A, 14},
    {"N3_diagonal", "N3: ReLU AEs trained on the diagonal (float32), exact far-field scores",
     n3diag_cols, N3DIAG_NCOLS}};

/* ---- the ReLU AE of a linear AE, as exact rational matrices -------------------------- */

typedef struct {
    long d, k;
    qmat_t W1, b1;   /* 2k x d, 2k x 1: rows u and k + u are the pair of unit u */
    qmat_t W2, b2;   /* d x 2k, d x 1 (identity output) */
} n3_net;

static void n3_net_init(n3_net *R, long d, long k)
{
    R->d = d;
    R->k = k;
    qmat_init(R->W1, 2 * k, d);
    qmat_init(R->b1, 2 * k, 1);
    qmat_init(R->W2, d, 2 * k);
    qmat_init(R->b2, d, 1);
}

static void n3_net_clear(n3_net *R)
{
    qmat_clear(R->W1); qmat_clear(R->b1); qmat_clear(R->W2); qmat_clear(R->b2);
}

/* R (initialised with ae's d, k) = W1 = [We; -We], b1 = [be; -be], W2 = [Wd, -Wd],
 * b2 = bd; wrong != 0 gives the control decoder W2 = [Wd, Wd] (h+ + h-). */
static void n3_build(n3_net *R, const linae_t ae, int wrong)
{
    long d = ae->d, k = ae->k;
    for (long u = 0; u < k; u++) {
        for (long j = 0; j < d; j++) {
            mpq_set(qmat_entry(R->W1, u, j), qmat_entry(ae->We, u, j));
            mpq_neg(qmat_entry(R->W1, k + u, j), qmat_entry(ae->We, u, j));
        }
        mpq_set(R->b1->entries[u], ae->be->entries[u]);
        mpq_neg(R->b1->entries[k + u], ae->be->entries[u]);
    }
    for (long i = 0; i < d; i++)
        for (long u = 0; u < k; u++) {
            mpq_set(qmat_entry(R->W2, i, u), qmat_entry(ae->Wd, i, u));
            if (wrong)
                mpq_set(qmat_entry(R->W2, i, k + u), qmat_entry(ae->Wd, i, u));
            else
                mpq_neg(qmat_entry(R->W2, i, k + u), qmat_entry(ae->Wd, i, u));
        }
    qmat_set(R->b2, ae->bd);
}

/* ae (initialised with R's d, k) = the linear AE of the pairs' first halves: W_e, b_e =
 * rows 0..k-1 of W1, b1; W_d = columns 0..k-1 of W2; b_d = b2. */
static void n3_linae(linae_t ae, const n3_net *R)
{
    long d = R->d, k = R->k;
    for (long u = 0; u < k; u++) {
        for (long j = 0; j < d; j++)
            mpq_set(qmat_entry(ae->We, u, j), qmat_entry(R->W1, u, j));
        mpq_set(ae->be->entries[u], R->b1->entries[u]);
    }
    for (long i = 0; i < d; i++)
        for (long u = 0; u < k; u++)
            mpq_set(qmat_entry(ae->Wd, i, u), qmat_entry(R->W2, i, u));
    qmat_set(ae->bd, R->b2);
}

/* y = R(x) exactly (h: 2k entries of work space). */
static void n3_eval(mpq_t *y, mpq_t *h, const n3_net *R, const mpq_t *x)
{
    qmat_mul_vec(h, R->W1, x);
    for (long j = 0; j < 2 * R->k; j++) {
        mpq_add(h[j], h[j], R->b1->entries[j]);
        if (mpq_sgn(h[j]) < 0)
            mpq_set_ui(h[j], 0, 1);
    }
    qmat_mul_vec(y, R->W2, h);
    for (long i = 0; i < R->d; i++)
        mpq_add(y[i], y[i], R->b2->entries[i]);
}

/* net = the float32 network [d, 2k, d] (relu, identity) with R's weights rounded to
 * float (nearest double, then nearest float: rounding is odd, so -w becomes -round(w)). */
static int n3_to_nn(nn_t net, const n3_net *R)
{
    long sizes[3] = {R->d, 2 * R->k, R->d};
    nn_act_t act[2] = {NN_RELU, NN_IDENTITY};
    int st = nn_init(net, NN_F32, 2, sizes, act, NULL, NULL);
    if (st != AE_OK)
        return st;
    double *p = ae_malloc(sizeof(double) * (size_t) net->nparams);
    const qmat_struct *W[2] = {R->W1, R->W2}, *b[2] = {R->b1, R->b2};
    for (int l = 0; l < 2; l++) {
        for (long i = 0; i < W[l]->r * W[l]->c; i++)
            p[net->woff[l] + i] = qnum_get_d(W[l]->entries[i]);
        for (long i = 0; i < b[l]->r; i++)
            p[net->boff[l] + i] = qnum_get_d(b[l]->entries[i]);
    }
    st = nn_set_params(net, p);
    free(p);
    if (st != AE_OK)
        nn_clear(net);
    return st;
}

/* R (initialised [d, 2k, d]) = the exact dyadic weights of net. */
static void n3_from_nn(n3_net *R, const nn_t net)
{
    double *p = ae_malloc(sizeof(double) * (size_t) net->nparams);
    nn_get_params(p, net);
    qmat_struct *W[2] = {R->W1, R->W2}, *b[2] = {R->b1, R->b2};
    for (int l = 0; l < 2; l++) {
        for (long i = 0; i < W[l]->r * W[l]->c; i++)
            qnum_set_d(W[l]->entries[i], p[net->woff[l] + i]);
        for (long i = 0; i < b[l]->r; i++)
            qnum_set_d(b[l]->entries[i], p[net->boff[l] + i]);
    }
    free(p);
}

/* ---- the three checks ------------------------------------------------------------- */

/* 1 iff the affine maps x -> a (w.x + beta) and x -> a2 (w2.x + beta2) are equal, entry
 * by entry (a, a2 of length d; w, w2 of length n). */
static int n3_rank1_equal(const mpq_t *a, const mpq_t *w, const mpq_t beta, const mpq_t *a2,
                          const mpq_t *w2, const mpq_t beta2, long d, long n)
{
    mpq_t p, p2;
    mpq_inits(p, p2, (mpq_ptr) NULL);
    int ok = 1;
    for (long i = 0; i < d && ok; i++) {
        for (long j = 0; j <= n && ok; j++) {
            mpq_mul(p, a[i], j < n ? w[j] : beta);
            mpq_mul(p2, a2[i], j < n ? w2[j] : beta2);
            ok = mpq_equal(p, p2);
        }
    }
    mpq_clears(p, p2, (mpq_ptr) NULL);
    return ok;
}

/* The unit identities (i)-(iii) of the top comment for R against ae; *held / *checks
 * count them (3 per unit, 1 for b2).  Returns 1 iff all hold. */
static int n3_symbolic(long *held, long *checks, const n3_net *R, const linae_t ae)
{
    long d = R->d, k = R->k;
    mpq_t *a = qvec_init(d), *wd = qvec_init(d);
    mpq_t p;
    mpq_init(p);
    *held = *checks = 0;
    for (long u = 0; u < k; u++) {
        int neg = 1;
        for (long j = 0; j <= d && neg; j++) {
            const mpq_t *top = j < d ? &qmat_entry(R->W1, u, j) : &R->b1->entries[u];
            const mpq_t *bot = j < d ? &qmat_entry(R->W1, k + u, j) : &R->b1->entries[k + u];
            mpq_neg(p, *top);
            neg = mpq_equal(p, *bot);
        }
        (*checks)++;
        *held += neg;
        qmat_get_col(wd, ae->Wd, u);
        for (int side = 0; side < 2; side++) {
            long j = side ? k + u : u;
            qmat_get_col(a, R->W2, j);
            (*checks)++;
            *held += n3_rank1_equal(a, qmat_row(R->W1, j), R->b1->entries[j], wd,
                                    qmat_row(ae->We, u), ae->be->entries[u], d, d);
        }
    }
    (*checks)++;
    *held += qmat_equal(R->b2, ae->bd);
    mpq_clear(p);
    qvec_clear(a, d);
    qvec_clear(wd, d);
    return *held == *checks;
}

/* Compares the ReLU AE (the qnet q when not NULL, else R exactly) with ae at nrand random
 * rational points and at b_d + c v, b_d + c w for c = +-10^s scale (s in SEXP; v = W_d's
 * first column, w random).  Returns the number of points where the outputs differ;
 * *npts = the number of points; efar, efar_lin = both scores at b_d + 10^100 scale v. */
static long n3_points(long *npts, mpq_t efar, mpq_t efar_lin, const n3_net *R, const qnet_t q,
                      const linae_t ae, const mpq_t scale, gsl_rng *r, long nrand)
{
    long d = ae->d, k = ae->k, bad = 0, total = nrand + 4 * NSEXP;
    mpq_t *x = qvec_init(d), *y = qvec_init(d), *yl = qvec_init(d), *h = qvec_init(2 * k),
          *v = qvec_init(d), *w = qvec_init(d), *base = qvec_init(d);
    mpq_t c;
    mpq_init(c);
    qmat_get_col(v, ae->Wd, 0);
    qmat_get_col(base, ae->bd, 0);
    for (long i = 0; i < d; i++)
        prf_rand_q(w[i], r, 9, 5);
    for (long p = 0; p < total; p++) {
        if (p < nrand) {
            for (long i = 0; i < d; i++)
                prf_rand_q(x[i], r, 20, 7);
        } else {
            long f = p - nrand, s = f % NSEXP, dir = (f / NSEXP) % 2, sg = f / (2 * NSEXP);
            qnum_pow10(c, SEXP[s]);
            mpq_mul(c, c, scale);
            if (sg)
                mpq_neg(c, c);
            qvec_set(x, base, d);
            qvec_addmul(x, dir ? w : v, c, d);
        }
        int ok = 1;
        if (q != NULL)
            ok = qnet_eval(y, d, NULL, q, x, d) == AE_OK;
        else
            n3_eval(y, h, R, x);
        linae_map(yl, ae, x);
        if (!ok || !qvec_equal(y, yl, d))
            bad++;
        if (p == nrand + NSEXP - 1) {
            qvec_dist2(efar, x, y, d);
            linae_score(efar_lin, ae, x);
        }
    }
    *npts = total;
    mpq_clear(c);
    qvec_clear(x, d); qvec_clear(y, d); qvec_clear(yl, d); qvec_clear(h, 2 * k);
    qvec_clear(v, d); qvec_clear(w, d); qvec_clear(base, d);
    return bad;
}

/* For the float net's qnet q: the affine map of every full sign pattern of the k pairs
 * (unit u on and k + u off, or the reverse; outputs on) against ae's map M x + c0.
 * Returns the number of patterns that differ; *npat = 2^k. */
static long n3_patterns(long *npat, const qnet_t q, const linae_t ae)
{
    long d = ae->d, k = ae->k, bad = 0;
    qmat_t M, A;
    qmat_init(M, d, d);
    qmat_init(A, d, d);
    mpq_t *c0 = qvec_init(d), *c = qvec_init(d), *zero = qvec_init(d);
    linae_map_matrix(M, ae);
    linae_map(c0, ae, zero);
    signed char *pat = ae_malloc((size_t) q->nunits);
    for (unsigned long s = 0; s < (1UL << k); s++) {
        for (long u = 0; u < k; u++) {
            int on = (int) ((s >> u) & 1UL);
            pat[q->uoff[0] + u] = on ? QNET_ON : QNET_OFF;
            pat[q->uoff[0] + k + u] = on ? QNET_OFF : QNET_ON;
        }
        for (long i = 0; i < d; i++)
            pat[q->uoff[1] + i] = QNET_ON;
        if (qnet_affine(A, c, q, pat) != AE_OK || !qmat_equal(A, M) || !qvec_equal(c, c0, d))
            bad++;
    }
    *npat = 1L << k;
    free(pat);
    qmat_clear(M); qmat_clear(A);
    qvec_clear(c0, d); qvec_clear(c, d); qvec_clear(zero, d);
    return bad;
}

/* 1 iff f(b_d) = b_d, i.e. W_d (W_e b_d + b_e) = 0. */
static int n3_fixes_bd(const linae_t ae)
{
    long d = ae->d;
    mpq_t *b = qvec_init(d), *y = qvec_init(d);
    qmat_get_col(b, ae->bd, 0);
    linae_map(y, ae, b);
    int ok = qvec_equal(y, b, d);
    qvec_clear(b, d);
    qvec_clear(y, d);
    return ok;
}

/* ---- part (a): one linear AE, exactly and in float32 ----------------------------------- */

typedef struct {
    long rows, fails, controls, ctl_bad, ids, pats, pts, zero_far;
    char first[400];
} n3_tally;

/* One row: the ReLU AE R (or its float32 twin when fl) against the linear AE ae, and the
 * control Rw (decoder h+ + h-).  X (may be NULL): the data, for s_min. */
static int n3_path(proof_job *J, n3_tally *T, const char *name, int fl, const linae_t ae,
                   const n3_net *R, const n3_net *Rw, const qmat_struct *X, const mpq_t scale,
                   gsl_rng *r)
{
    const proof_ctx *ctx = J->ctx;
    long d = ae->d, k = ae->k, nrand = ctx->quick ? 8 : 40;
    nn_t net, netw;
    qnet_t q, qw;
    int st;
    if (fl) {
        if ((st = n3_to_nn(net, R)) != AE_OK)
            return st;
        if ((st = n3_to_nn(netw, Rw)) != AE_OK) {
            nn_clear(net);
            return st;
        }
        if ((st = qnet_init_nn(q, net)) == AE_OK && (st = qnet_init_nn(qw, netw)) != AE_OK)
            qnet_clear(q);
        if (st != AE_OK) {
            nn_clear(net); nn_clear(netw);
            return st;
        }
    }
    const n3_net *Rm = ctx->corrupt ? Rw : R;
    const qnet_struct *qm = fl ? (ctx->corrupt ? qw : q) : NULL;
    mpq_t efar, eflin, smin, e;
    mpq_inits(efar, eflin, smin, e, (mpq_ptr) NULL);
    long held, checks, npts, npat = 0, pbad = 0, cpbad = 1, ch, cc, cpts;
    int sym = n3_symbolic(&held, &checks, Rm, ae);
    long bad = n3_points(&npts, efar, eflin, Rm, qm, ae, scale, r, nrand);
    int dopat = fl && k <= (ctx->quick ? 4 : PAT_KMAX);
    if (dopat)
        pbad = n3_patterns(&npat, qm, ae);
    /* the control, by every method */
    int csym = n3_symbolic(&ch, &cc, Rw, ae);
    long cbad = n3_points(&cpts, e, e, Rw, fl ? qw : NULL, ae, scale, r, nrand);
    if (dopat)
        cpbad = n3_patterns(&npat, qw, ae);
    int rejected = !csym && cbad > 0 && cpbad > 0;
    T->controls++;
    if (!rejected)
        T->ctl_bad++;
    /* L1/L3 inherited: when f(x) = b_d + W_d W_e (x - b_d) with W_e W_d = I (f fixes
     * b_d), the far range point scores exactly 0 */
    int li = linae_is_left_inverse(ae) == 1 && n3_fixes_bd(ae);
    int zero_ok = !li || mpq_sgn(efar) == 0;
    T->zero_far += li && mpq_sgn(efar) == 0;
    const char *sm = "n/a", *missed = "n/a";
    if (X != NULL) {
        mpq_t *sc = qvec_init(X->r);
        linae_scores(sc, ae, X);
        score_min(smin, NULL, sc, X->r);
        qvec_clear(sc, X->r);
        sm = prf_q(smin);
        missed = mpq_cmp(efar, smin) <= 0 ? "true" : "false";
    }
    int hold = sym && bad == 0 && pbad == 0 && mpq_equal(efar, eflin) && zero_ok;
    if (!hold) {
        T->fails++;
        if (!T->first[0])
            snprintf(T->first, sizeof T->first, "%s (%s): %ld/%ld unit identities, %ld of %ld "
                     "points and %ld of %ld sign patterns differ, far score %s vs linear %s",
                     name, fl ? "float32" : "exact", held, checks, bad, npts, pbad, npat,
                     prf_q6(efar), prf_q6(eflin));
    }
    T->ids += held;
    T->pats += npat - pbad;
    T->pts += npts - bad;
    char ids[40], pts[40], pats[40];
    snprintf(ids, sizeof ids, "%ld/%ld", held, checks);
    snprintf(pts, sizeof pts, "%ld/%ld", npts - bad, npts);
    if (dopat)
        snprintf(pats, sizeof pats, "%ld/%ld", npat - pbad, npat);
    else
        snprintf(pats, sizeof pats, "n/a");
    st = proof_row(J, 0, "%s\t%ld\t%ld\t%s\t%ld\t%s\t%s\t%s\t1e100 x %s\t%s\t%s\t%s\t%s\t%s",
                   name, d, k, fl ? "float32" : "exact rational", 2 * k, ids, pats, pts,
                   X != NULL ? "diameter" : "1", prf_q(efar), prf_q(eflin), sm, missed,
                   rejected ? "true" : "false");
    T->rows++;
    mpq_clears(efar, eflin, smin, e, (mpq_ptr) NULL);
    if (fl) {
        qnet_clear(q); qnet_clear(qw);
        nn_clear(net); nn_clear(netw);
    }
    return st;
}

/* Both rows of one linear AE: exact, then rounded to float32 (target: the float32
 * linear AE read back from the float net's first halves). */
static int n3_instance(proof_job *J, n3_tally *T, const char *name, const linae_t ae,
                       const qmat_struct *X, const mpq_t scale, gsl_rng *r)
{
    long d = ae->d, k = ae->k;
    n3_net R, Rw, Rf, Rfw;
    n3_net_init(&R, d, k); n3_net_init(&Rw, d, k);
    n3_net_init(&Rf, d, k); n3_net_init(&Rfw, d, k);
    n3_build(&R, ae, 0);
    n3_build(&Rw, ae, 1);
    int st = n3_path(J, T, name, 0, ae, &R, &Rw, X, scale, r);
    nn_t net;
    if (st == AE_OK && (st = n3_to_nn(net, &R)) == AE_OK) {
        linae_t af;
        linae_init(af, d, k);
        n3_from_nn(&Rf, net);
        n3_linae(af, &Rf);
        n3_build(&Rfw, af, 1);
        st = n3_path(J, T, name, 1, af, &Rf, &Rfw, X, scale, r);
        linae_clear(af);
        nn_clear(net);
    }
    n3_net_clear(&R); n3_net_clear(&Rw); n3_net_clear(&Rf); n3_net_clear(&Rfw);
    return st;
}

/* The random instances: dyadic projectors W_d = [I; B], W_e = [I 0] (exact in float32),
 * and rational AEs with a random left inverse that is not the pseudo-inverse. */
static int n3_random(proof_job *J, n3_tally *T, gsl_rng *r)
{
    static const long DK[][2] = {{3, 1}, {5, 2}, {6, 3}};
    long n = J->ctx->quick ? 2 : 3;
    int st = AE_OK;
    mpq_t one;
    mpq_init(one);
    mpq_set_ui(one, 1, 1);
    for (long t = 0; t < 2 * n && st == AE_OK; t++) {
        long d = DK[t % n][0], k = DK[t % n][1];
        int dyadic = t < n;
        qmat_t Wd, We;
        qmat_init(Wd, d, k);
        qmat_init(We, k, d);
        mpq_t *m = qvec_init(d);
        if (dyadic) {
            for (long i = 0; i < d; i++) {
                for (long u = 0; u < k; u++)
                    if (i < k)
                        mpq_set_ui(qmat_entry(Wd, i, u), i == u, 1);
                    else
                        mpq_set_si(qmat_entry(Wd, i, u), (long) gsl_rng_uniform_int(r, 33) - 16, 8);
                mpq_set_si(m[i], (long) gsl_rng_uniform_int(r, 41) - 20, 4);
            }
            for (long u = 0; u < k; u++)
                mpq_set_ui(qmat_entry(We, u, u), 1, 1);
        } else {
            do
                prf_rand_qmat(Wd, r, 9, 4);
            while (qmat_rank(Wd) < k);
            if (linae_random_left_inverse(We, Wd, r) != AE_OK)
                st = AE_SINGULAR;
            for (long i = 0; i < d; i++)
                prf_rand_q(m[i], r, 9, 5);
        }
        for (long i = 0; i < d * k; i++)
            mpq_canonicalize(Wd->entries[i]);
        for (long i = 0; i < d; i++)
            mpq_canonicalize(m[i]);
        linae_t ae;
        linae_init(ae, d, k);
        if (st == AE_OK && linae_set_left_inverse(ae, Wd, We, m) != AE_OK)
            st = AE_NOTVERIFIED;
        char name[64];
        snprintf(name, sizeof name, "%s d=%ld k=%ld", dyadic ? "dyadic projector" :
                 "random rational", d, k);
        if (st == AE_OK)
            st = n3_instance(J, T, name, ae, NULL, one, r);
        linae_clear(ae);
        qvec_clear(m, d);
        qmat_clear(Wd);
        qmat_clear(We);
    }
    mpq_clear(one);
    return st;
}

/* The certified PCA AEs of the bundled data sets (L2/L3's), far points scaled by an
 * upper bound of the data diameter. */
static int n3_pca(proof_job *J, n3_tally *T, gsl_rng *r)
{
    static const long KS[] = {1, 2, 4, 8};
    const proof_ctx *ctx = J->ctx;
    const char *const *names;
    long nnames = prf_dataset_names(ctx, &names), done = 0;
    char err[512];
    int st = AE_OK;
    if (ctx->quick)
        nnames = 1;
    mpq_t diam;
    mpq_init(diam);
    for (long di = 0; di < nnames && st == AE_OK; di++) {
        const prf_data_struct *D = prf_data(ctx, names[di], err, sizeof err);
        if (D == NULL) {
            mpq_clear(diam);
            return proof_fail(J, AE_EPARSE, "%s", err);
        }
        qnum_sqrt_upper(diam, D->diam2, 64);
        for (long ki = 0; ki < 4 && st == AE_OK; ki++) {
            long k = KS[ki];
            if (k >= D->X->c || (ctx->quick && k > 2))
                continue;
            const prf_model_struct *M = prf_model(ctx, names[di], k, err, sizeof err);
            if (M == NULL || M->status != AE_OK) {
                mpq_clear(diam);
                return proof_fail(J, AE_NOTCONV, "%s k=%ld: no certified PCA AE (%.300s)",
                                  names[di], k, M ? ae_strstatus(M->status) : err);
            }
            char name[96];
            snprintf(name, sizeof name, "PCA %s", names[di]);
            st = n3_instance(J, T, name, M->ae, D->X, diam, r);
            char what[96];
            snprintf(what, sizeof what, "%s k=%ld", names[di], k);
            proof_progress("N3", ++done, ctx->quick ? 2 : 4 * nnames, what);
        }
    }
    mpq_clear(diam);
    return st;
}

/* The paper's hand-built AE for the diagonal: W_e = (1/2, 1/2), W_d = (1, 1)^T, no
 * biases: the orthogonal projector onto x2 = x1, dyadic, hence exact in float32. */
static int n3_paper_ae(proof_job *J, n3_tally *T, const n3diag_data *G, gsl_rng *r)
{
    linae_t ae;
    linae_init(ae, 2, 1);
    for (long j = 0; j < 2; j++) {
        mpq_set_ui(qmat_entry(ae->We, 0, j), 1, 2);
        mpq_set_ui(qmat_entry(ae->Wd, j, 0), 1, 1);
    }
    int st = n3_instance(J, T, "diagonal projector", ae, G->X, G->diam, r);
    linae_clear(ae);
    return st;
}

static int run(proof_job *J)
{
    const proof_ctx *ctx = J->ctx;
    proof_result *res = J->res;
    gsl_rng *r = prf_rng(ctx, "N3");
    n3_tally T;
    memset(&T, 0, sizeof T);
    n3diag_data G;
    n3diag_data_init(&G, prf_seed(ctx, "N3-data"));
    int st = n3_paper_ae(J, &T, &G, r);
    if (st == AE_OK)
        st = n3_random(J, &T, r);
    if (st == AE_OK)
        st = n3_pca(J, &T, r);

    long nseeds = ctx->quick ? 2 : 20, epochs = ctx->quick ? 300 : 5000, bad = 0;
    double lr = 1e-3;
    n3diag_tally A[2];
    memset(A, 0, sizeof A);
    unsigned long base = prf_seed(ctx, "N3-train");
    for (int ai = 0; ai < 2; ai++) {
        mpq_init(A[ai].amin);
        for (long si = 0; si < nseeds && st == AE_OK; si++) {
            unsigned long seed = base + 1000UL * (unsigned long) ai + (unsigned long) si;
            st = n3diag_seed(J, 1, &A[ai], &bad, &n3diag_archs[ai], seed, epochs, lr, &G);
            char what[80];
            snprintf(what, sizeof what, "diagonal %s seed %ld", n3diag_archs[ai].name, si);
            proof_progress("N3", ai * nseeds + si + 1, 2 * nseeds, what);
        }
    }
    n3diag_data_clear(&G);
    gsl_rng_free(r);
    char sum[2][300];
    for (int ai = 0; ai < 2; ai++) {
        snprintf(sum[ai], sizeof sum[ai], "[%s] %ld/%ld seeds fail (min score beyond 10 x "
                 "diam <= s_min), %ld collapsed (output constant on the data; bottleneck "
                 "dead in %ld), far10 score < s_0.99 in %ld, blind directions %ld, smallest "
                 "growth a of the others %s%s", n3diag_archs[ai].name, A[ai].fails, A[ai].trained,
                 A[ai].collapsed, A[ai].bneck, A[ai].q99miss, A[ai].blind,
                 A[ai].have_amin ? prf_q6(A[ai].amin) : "n/a",
                 A[ai].diverged ? " (some runs diverged)" : "");
        mpq_clear(A[ai].amin);
    }
    if (st != AE_OK)
        return proof_fail(J, st, "N3: building or training a network failed (status %d)", st);

    snprintf(res->method, sizeof res->method, "exact (GMP): unit identities, exact and qnet "
             "evaluation, qnet_affine per sign pattern; float32 Adam training, ray_final");
    res->instances = T.rows + A[0].seeds + A[1].seeds;
    if (T.ctl_bad)
        proof_set(res, VERDICT_ERROR, "negative control failed: %ld of %ld wrong decoders "
                  "(h+ + h-) were accepted", T.ctl_bad, T.controls);
    else if (T.fails || bad)
        proof_set(res, VERDICT_FALSIFIED, "%ld of %ld ReLU AEs differ from their linear AE; "
                  "%ld exact checks of the diagonal experiment failed; %s", T.fails, T.rows,
                  bad, T.first[0] ? T.first : "");
    else if (A[0].trained == 0 || A[1].trained == 0)
        proof_set(res, VERDICT_ERROR, "the diagonal experiment did not run: every training "
                  "run of an architecture diverged");
    else
        proof_set(res, VERDICT_VERIFIED, "(a) %ld ReLU AEs (exact and float32) equal their "
                  "linear AE everywhere: %ld unit identities, %ld sign-pattern maps, %ld points "
                  "up to 1e100 x diameter, %ld far range points score exactly 0; %ld h+ + h- "
                  "controls rejected.  (b) diagonal, Adam lr %g, %ld epochs: %s; %s",
                  T.rows, T.ids, T.pats, T.pts, T.zero_far, T.controls, lr, epochs, sum[0],
                  sum[1]);
    return AE_OK;
}

int proof_N3(const proof_ctx *ctx, proof_result *res)
{
    return proof_run(ctx, res, TABLES, 2, run, NULL);
}
