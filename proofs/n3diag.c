/* n3diag — claim N3's experiment on the diagonal data (see n3diag.h). */
#include "n3diag.h"

#include <stdio.h>
#include <stdlib.h>

#include "aeerr.h"
#include "nn.h"
#include "pcommon.h"
#include "qnet.h"
#include "qnum.h"
#include "ray.h"
#include "score.h"

const char *const n3diag_cols[N3DIAG_NCOLS] = {
    "arch", "seed", "epochs", "lr", "train_loss", "s_min", "s_q99", "far10_score",
    "far1e3_score", "far1e6_score", "growth_a", "T", "far1e6_score_neg", "growth_a_neg",
    "far_min_score", "fails", "far10_below_q99", "dead_units", "bottleneck_dead", "collapsed"};

static const long ARCH1[] = {2, 5, 1, 5, 2}, ARCH2[] = {2, 100, 20, 1, 20, 100, 2};
const n3diag_arch n3diag_archs[2] = {{ARCH1, 4, "2-5-1-5-2"}, {ARCH2, 6, "2-100-20-1-20-100-2"}};
static const long FAR[] = {10, 1000, 1000000};   /* far points at t = FAR x diam */

/* e(t) = a t^2 + b t + c at t (F's final quadratic). */
static void n3diag_quad(mpq_t e, const ray_final_t F, const mpq_t t)
{
    mpq_mul(e, F->a, t);
    mpq_add(e, e, F->b);
    mpq_mul(e, e, t);
    mpq_add(e, e, F->c);
}

/* emin = the minimum of the exact score over x0 + t v, t >= tlo: on each affine piece
 * [t_k, t_k+1] of ray_pieces the residual is p + t w (p = x0 - alpha_k, w = v - beta_k),
 * so the score is |w|^2 t^2 + 2 (p.w) t + |p|^2, minimised exactly at -p.w/|w|^2 clamped
 * to the piece's part of [tlo, inf).  Returns ray_pieces' status. */
static int n3diag_ray_min(mpq_t emin, const qnet_t q, const mpq_t *x0, const mpq_t *v,
                          const mpq_t tlo)
{
    ray_pieces_t P;
    ray_pieces_init(P, q);
    int st = ray_pieces(P, q, x0, v, 2, 0), have = 0;
    mpq_t *p = qvec_init(2), *w = qvec_init(2);
    mpq_t lo, t, ww, e;
    mpq_inits(lo, t, ww, e, (mpq_ptr) NULL);
    for (long k = 0; k < P->n && st == AE_OK; k++) {
        mpq_set(lo, mpq_cmp(P->t[k], tlo) > 0 ? P->t[k] : tlo);
        int bounded = k + 1 < P->n;
        if (bounded && mpq_cmp(P->t[k + 1], lo) < 0)
            continue;                       /* the piece ends before tlo */
        qvec_sub(p, x0, ray_alpha(P, k), 2);
        qvec_sub(w, v, ray_beta(P, k), 2);
        qvec_norm2(ww, w, 2);
        mpq_set(t, lo);
        if (mpq_sgn(ww) > 0) {
            qvec_dot(t, p, w, 2);
            mpq_neg(t, t);
            mpq_div(t, t, ww);
            if (mpq_cmp(t, lo) < 0)
                mpq_set(t, lo);
            if (bounded && mpq_cmp(t, P->t[k + 1]) > 0)
                mpq_set(t, P->t[k + 1]);
        }
        qvec_addmul(p, w, t, 2);
        qvec_norm2(e, p, 2);
        if (!have || mpq_cmp(e, emin) < 0)
            mpq_set(emin, e);
        have = 1;
    }
    mpq_clears(lo, t, ww, e, (mpq_ptr) NULL);
    qvec_clear(p, 2);
    qvec_clear(w, 2);
    ray_pieces_clear(P);
    return st;
}

/* Far scores along +-(1,1) (row-major in far[dir][s]), the final pieces, the exact
 * minimum emin of the score over both rays beyond 10 diam, and the exact checks that
 * every far point is >= s x diam from the data, that the far scores beyond T follow the
 * final quadratic and that none is below emin; returns the number of failed checks. */
static long n3diag_far(mpq_t far[2][3], mpq_t a[2], mpq_t T[2], mpq_t emin, const qnet_t q,
                       const n3diag_data *G)
{
    long bad = 0;
    mpq_t *v = qvec_init(2), *x = qvec_init(2);
    mpq_t t, s, dist2, e;
    mpq_inits(t, s, dist2, e, (mpq_ptr) NULL);
    ray_final_t F;
    ray_final_init(F, q);
    for (int dir = 0; dir < 2; dir++) {
        mpq_set_si(v[0], dir ? -1 : 1, 1);
        mpq_set_si(v[1], dir ? -1 : 1, 1);
        if (ray_final(F, q, G->m, v, 2) != AE_OK || !F->has_score) {
            bad++;
            continue;
        }
        mpq_set(a[dir], F->a);
        mpq_set(T[dir], F->T);
        mpq_set_ui(t, (unsigned long) FAR[0], 1);
        mpq_mul(t, t, G->diam);
        if (n3diag_ray_min(e, q, G->m, v, t) != AE_OK)
            bad++;
        else if (dir == 0 || mpq_cmp(e, emin) < 0)
            mpq_set(emin, e);
        for (int si = 0; si < 3; si++) {
            mpq_set_ui(s, (unsigned long) FAR[si], 1);
            mpq_mul(t, s, G->diam);
            qvec_set(x, G->m, 2);
            qvec_addmul(x, v, t, 2);
            if (qnet_score(far[dir][si], q, x, 2) != AE_OK)
                bad++;
            score_dist2_to_set(dist2, NULL, x, G->X);
            mpq_mul(s, s, s);
            mpq_mul(s, s, G->diam2);
            if (mpq_cmp(dist2, s) < 0 || mpq_cmp(far[dir][si], emin) < 0)
                bad++;
            if (mpq_cmp(t, F->T) >= 0) {
                n3diag_quad(e, F, t);
                if (!mpq_equal(e, far[dir][si]))
                    bad++;
            }
        }
    }
    ray_final_clear(F);
    mpq_clears(t, s, dist2, e, (mpq_ptr) NULL);
    qvec_clear(v, 2);
    qvec_clear(x, 2);
    return bad;
}

void n3diag_result_init(n3diag_result *R)
{
    mpq_inits(R->loss, R->smin, R->q99, R->emin, R->a[0], R->a[1], R->T[0], R->T[1],
              (mpq_ptr) NULL);
    for (int i = 0; i < 6; i++)
        mpq_init(R->far[i / 3][i % 3]);
    R->hidden = R->dead = R->bad = 0;
    R->bdead = R->collapsed = R->fails = R->below = 0;
}

void n3diag_result_clear(n3diag_result *R)
{
    mpq_clears(R->loss, R->smin, R->q99, R->emin, R->a[0], R->a[1], R->T[0], R->T[1],
               (mpq_ptr) NULL);
    for (int i = 0; i < 6; i++)
        mpq_clear(R->far[i / 3][i % 3]);
}

/* The training points: scores, loss, s_min, s_0.99, dead units, collapse. */
static void n3diag_train_points(n3diag_result *R, const qnet_t q, const n3diag_data *G)
{
    long n = G->X->r, lb = -1;
    R->hidden = q->uoff[q->L - 1];
    for (long l = 0; l + 1 < q->L; l++)
        if (q->sizes[l + 1] == 1)
            lb = l;
    signed char *pat = ae_malloc((size_t) q->nunits);
    char *alive = ae_calloc((size_t) R->hidden + 1, 1);
    mpq_t *sc = qvec_init(n), *y = qvec_init(2), *y0 = qvec_init(2);
    mpq_set_ui(R->loss, 0, 1);
    R->collapsed = 1;
    for (long i = 0; i < n; i++) {
        if (qnet_eval(y, 2, pat, q, qmat_row(G->X, i), 2) != AE_OK)
            R->bad++;
        qvec_dist2(sc[i], qmat_row(G->X, i), y, 2);
        mpq_add(R->loss, R->loss, sc[i]);
        for (long u = 0; u < R->hidden; u++)
            alive[u] |= pat[u] != QNET_OFF;
        if (i == 0)
            qvec_set(y0, y, 2);
        else if (!qvec_equal(y, y0, 2))
            R->collapsed = 0;
    }
    R->dead = 0;
    for (long u = 0; u < R->hidden; u++)
        R->dead += !alive[u];
    R->bdead = lb >= 0 && !alive[q->uoff[lb]];
    mpq_set_ui(R->q99, 2 * (unsigned long) n, 1);
    mpq_div(R->loss, R->loss, R->q99);          /* nn.h's loss: mean over the n d entries */
    score_min(R->smin, NULL, sc, n);
    mpq_set_ui(R->q99, 99, 100);
    score_quantile(R->q99, sc, n, R->q99);
    qvec_clear(sc, n); qvec_clear(y, 2); qvec_clear(y0, 2);
    free(pat);
    free(alive);
}

int n3diag_analyse(n3diag_result *R, const nn_t net, const n3diag_data *G)
{
    if (net == NULL || G == NULL || net->sizes[0] != 2 || net->sizes[net->L] != 2) {
        ae_error("n3diag_analyse", "need a network with 2 inputs and 2 outputs");
        return AE_EINVAL;
    }
    qnet_t q;
    int st = qnet_init_nn(q, net);
    if (st != AE_OK)
        return st;
    R->bad = 0;
    n3diag_train_points(R, q, G);
    R->bad += n3diag_far(R->far, R->a, R->T, R->emin, q, G);
    R->fails = mpq_cmp(R->emin, R->smin) <= 0;
    R->below = mpq_cmp(R->far[0][0], R->q99) < 0 || mpq_cmp(R->far[1][0], R->q99) < 0;
    qnet_clear(q);
    return AE_OK;
}

int n3diag_seed(proof_job *J, long tab, n3diag_tally *A, long *bad, const n3diag_arch *ar,
                unsigned long seed, long epochs, double lr, const n3diag_data *G)
{
    nn_t net;
    A->seeds++;
    int st = prf_train_ae(net, G->Xd, G->X->r, ar->L, ar->s, NN_RELU, 0, seed, epochs, lr, 0);
    if (st == AE_ERANGE) {
        A->diverged++;
        return proof_row(J, tab, "%s\t%lu\t%ld\t%g\tdiverged\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t",
                         ar->name, seed, epochs, lr);
    }
    if (st != AE_OK)
        return st;
    n3diag_result R;
    n3diag_result_init(&R);
    if ((st = n3diag_analyse(&R, net, G)) != AE_OK) {
        n3diag_result_clear(&R);
        nn_clear(net);
        return st;
    }
    A->trained++;
    *bad += R.bad;
    A->fails += R.fails;
    A->collapsed += R.collapsed;
    A->bneck += R.bdead;
    A->q99miss += R.below;
    for (int dir = 0; dir < 2 && !R.collapsed; dir++) {
        A->blind += mpq_sgn(R.a[dir]) == 0;
        if (!A->have_amin || mpq_cmp(R.a[dir], A->amin) < 0)
            mpq_set(A->amin, R.a[dir]);
        A->have_amin = 1;
    }
    st = proof_row(J, tab, "%s\t%lu\t%ld\t%g\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t"
                   "%ld/%ld\t%s\t%s", ar->name, seed, epochs, lr, prf_q6(R.loss), prf_q(R.smin),
                   prf_q(R.q99), prf_q(R.far[0][0]), prf_q(R.far[0][1]), prf_q(R.far[0][2]),
                   prf_q(R.a[0]), prf_q6(R.T[0]), prf_q(R.far[1][2]), prf_q(R.a[1]),
                   prf_q(R.emin), R.fails ? "true" : "false", R.below ? "true" : "false",
                   R.dead, R.hidden, R.bdead ? "true" : "false", R.collapsed ? "true" : "false");
    n3diag_result_clear(&R);
    nn_clear(net);
    return st;
}

void n3diag_data_init(n3diag_data *G, unsigned long seed)
{
    synth_make(G->Xd, NULL, "diagonal", SYNTH_N, seed);
    qmat_init(G->X, SYNTH_N, 2);
    qmat_set_d(G->X, G->Xd);
    G->m = qvec_init(2);
    mpq_t w;
    mpq_init(w);
    for (long i = 0; i < SYNTH_N; i++)
        qvec_add(G->m, G->m, qmat_row(G->X, i), 2);
    mpq_set_ui(w, 1, SYNTH_N);
    qvec_scale(G->m, G->m, w, 2);
    mpq_clear(w);
    mpq_inits(G->diam2, G->diam, (mpq_ptr) NULL);
    score_diameter2(G->diam2, G->X);
    qnum_sqrt_upper(G->diam, G->diam2, 64);
}

void n3diag_data_clear(n3diag_data *G)
{
    qmat_clear(G->X);
    qvec_clear(G->m, 2);
    mpq_clears(G->diam2, G->diam, (mpq_ptr) NULL);
}
