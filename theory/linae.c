/* linae — see linae.h. */
#include "linae.h"

#include <stdlib.h>

#include "aeerr.h"
#include "zvec.h"

/* ---- integers over a common denominator ----------------------------------------- */

/* r = num / den, canonical. */
static void q_set_zz(mpq_t r, const mpz_t num, const mpz_t den)
{
    mpq_set_num(r, num);
    mpq_set_den(r, den);
    mpq_canonicalize(r);
}

/* ---- the evaluation kernel -----------------------------------------------------
 * With W_e = A/a, b_e = B/b, W_d = C/c, b_d = E/e (integer numerators, one common
 * denominator per block) and a point x = X/s:
 *   z  = (b A X + a s B) / (a b s)          =: zn / zd,      zd = a b s
 *   f  = (e C zn + c zd E) / (c e zd)       =: fn / (K s),   K  = a b c e
 *   r  = x - f = (K X - fn) / (K s)         =: rn / (K s).
 * Everything in between is integer arithmetic with no gcd. */
typedef struct {
    long d, k;
    mpz_t *A, *B, *C, *E;
    mpz_t a, b, c, e, ab, K;
    mpz_t *X, *zn, *fn, *rn;   /* per-row buffers: d, k, d, d */
    mpz_t s, t, u;
} work_t;

static void work_clear(work_t *w)
{
    zvec_clear(w->A, w->k * w->d);
    zvec_clear(w->B, w->k);
    zvec_clear(w->C, w->d * w->k);
    zvec_clear(w->E, w->d);
    zvec_clear(w->X, w->d);
    zvec_clear(w->zn, w->k);
    zvec_clear(w->fn, w->d);
    zvec_clear(w->rn, w->d);
    mpz_clears(w->a, w->b, w->c, w->e, w->ab, w->K, w->s, w->t, w->u, (mpz_ptr) NULL);
}

static int work_init(work_t *w, const linae_t ae)
{
    long d = ae->d, k = ae->k;
    w->d = d;
    w->k = k;
    mpz_inits(w->a, w->b, w->c, w->e, w->ab, w->K, w->s, w->t, w->u, (mpz_ptr) NULL);
    w->A = zvec_init(k * d);
    w->B = zvec_init(k);
    w->C = zvec_init(d * k);
    w->E = zvec_init(d);
    w->X = zvec_init(d);
    w->zn = zvec_init(k);
    w->fn = zvec_init(d);
    w->rn = zvec_init(d);
    if (!w->A || !w->B || !w->C || !w->E || !w->X || !w->zn || !w->fn || !w->rn) {
        work_clear(w);
        return AE_ENOMEM;
    }
    qvec_den_lcm(w->a, ae->We->entries, 1, k * d);
    qvec_to_den(w->A, w->a, ae->We->entries, 1, k * d);
    qvec_den_lcm(w->b, ae->be->entries, 1, k);
    qvec_to_den(w->B, w->b, ae->be->entries, 1, k);
    qvec_den_lcm(w->c, ae->Wd->entries, 1, d * k);
    qvec_to_den(w->C, w->c, ae->Wd->entries, 1, d * k);
    qvec_den_lcm(w->e, ae->bd->entries, 1, d);
    qvec_to_den(w->E, w->e, ae->bd->entries, 1, d);
    mpz_mul(w->ab, w->a, w->b);
    mpz_mul(w->K, w->ab, w->c);
    mpz_mul(w->K, w->K, w->e);
    return AE_OK;
}

/* From w->X and w->s: zn, fn and rn as above. */
static void work_eval(work_t *w)
{
    long d = w->d, k = w->k;
    mpz_mul(w->t, w->a, w->s);                      /* a s */
    for (long j = 0; j < k; j++) {
        const mpz_t *Aj = w->A + j * d;
        mpz_set_ui(w->zn[j], 0);
        for (long i = 0; i < d; i++)
            mpz_addmul(w->zn[j], Aj[i], w->X[i]);
        mpz_mul(w->zn[j], w->zn[j], w->b);
        mpz_addmul(w->zn[j], w->t, w->B[j]);
    }
    mpz_mul(w->u, w->ab, w->s);                     /* zd */
    mpz_mul(w->u, w->u, w->c);                      /* c zd */
    for (long i = 0; i < d; i++) {
        const mpz_t *Ci = w->C + i * k;
        mpz_set_ui(w->fn[i], 0);
        for (long j = 0; j < k; j++)
            mpz_addmul(w->fn[i], Ci[j], w->zn[j]);
        mpz_mul(w->fn[i], w->fn[i], w->e);
        mpz_addmul(w->fn[i], w->u, w->E[i]);
        mpz_mul(w->rn[i], w->K, w->X[i]);
        mpz_sub(w->rn[i], w->rn[i], w->fn[i]);
    }
}

/* w->t = ||rn||^2. */
static void work_rnorm2(work_t *w)
{
    mpz_set_ui(w->t, 0);
    for (long i = 0; i < w->d; i++)
        mpz_addmul(w->t, w->rn[i], w->rn[i]);
}

/* Loads the point x (length d) with its own least common denominator. */
static void work_load(work_t *w, const mpq_t *x)
{
    qvec_den_lcm(w->s, x, 1, w->d);
    qvec_to_den(w->X, w->s, x, 1, w->d);
}

/* ---- life cycle ------------------------------------------------------------------ */

int linae_init(linae_t ae, long d, long k)
{
    int bad = !(k >= 1 && k < d);
    if (bad)
        d = k = 0;
    ae->d = d;
    ae->k = k;
    qmat_init(ae->We, k, d);
    qmat_init(ae->be, k, 1);
    qmat_init(ae->Wd, d, k);
    qmat_init(ae->bd, d, 1);
    if (bad) {
        ae_error("linae_init", "need 1 <= k < d");
        return AE_EINVAL;
    }
    return AE_OK;
}

void linae_clear(linae_t ae)
{
    qmat_clear(ae->We);
    qmat_clear(ae->be);
    qmat_clear(ae->Wd);
    qmat_clear(ae->bd);
}

int linae_set(linae_t dst, const linae_t src)
{
    if (dst->d != src->d || dst->k != src->k) {
        ae_error("linae_set", "dimension mismatch (%ld,%ld) vs (%ld,%ld)",
                 dst->d, dst->k, src->d, src->k);
        return AE_EINVAL;
    }
    if (dst == src)
        return AE_OK;
    qmat_set(dst->We, src->We);
    qmat_set(dst->be, src->be);
    qmat_set(dst->Wd, src->Wd);
    qmat_set(dst->bd, src->bd);
    return AE_OK;
}

/* ---- evaluation ------------------------------------------------------------------ */

int linae_map(mpq_t *y, const linae_t ae, const mpq_t *x)
{
    work_t w;
    int st = work_init(&w, ae);
    if (st != AE_OK)
        return st;
    work_load(&w, x);
    work_eval(&w);
    mpz_mul(w.t, w.K, w.s);
    for (long i = 0; i < ae->d; i++)
        q_set_zz(y[i], w.fn[i], w.t);
    work_clear(&w);
    return AE_OK;
}

int linae_score(mpq_t e, const linae_t ae, const mpq_t *x)
{
    work_t w;
    int st = work_init(&w, ae);
    if (st != AE_OK)
        return st;
    work_load(&w, x);
    work_eval(&w);
    work_rnorm2(&w);
    mpz_mul(w.u, w.K, w.s);
    mpz_mul(w.u, w.u, w.u);
    q_set_zz(e, w.t, w.u);
    work_clear(&w);
    return AE_OK;
}

int linae_scores(mpq_t *e, const linae_t ae, const qmat_t X)
{
    if (X->c != ae->d) {
        ae_error("linae_scores", "X has %ld columns, the AE has d = %ld", X->c, ae->d);
        return AE_EINVAL;
    }
    if (X->r == 0)
        return AE_OK;
    work_t w;
    int st = work_init(&w, ae);
    if (st != AE_OK)
        return st;
    for (long i = 0; i < X->r; i++) {
        work_load(&w, qmat_row(X, i));
        work_eval(&w);
        work_rnorm2(&w);
        mpz_mul(w.u, w.K, w.s);
        mpz_mul(w.u, w.u, w.u);
        q_set_zz(e[i], w.t, w.u);
    }
    work_clear(&w);
    return AE_OK;
}

int linae_loss(mpq_t L, const linae_t ae, const qmat_t X)
{
    if (X->c != ae->d || X->r == 0) {
        ae_error("linae_loss", "X is %ld x %ld; need n >= 1 rows of d = %ld", X->r, X->c, ae->d);
        return AE_EINVAL;
    }
    work_t w;
    int st = work_init(&w, ae);
    if (st != AE_OK)
        return st;
    mpq_t sum, e;
    mpq_inits(sum, e, (mpq_ptr) NULL);
    for (long i = 0; i < X->r; i++) {
        work_load(&w, qmat_row(X, i));
        work_eval(&w);
        work_rnorm2(&w);
        mpz_mul(w.u, w.K, w.s);
        mpz_mul(w.u, w.u, w.u);
        q_set_zz(e, w.t, w.u);
        mpq_add(sum, sum, e);
    }
    mpz_set_ui(mpq_numref(e), 1);
    mpz_set_ui(mpq_denref(e), (unsigned long) X->r);
    mpq_mul(L, sum, e);
    mpq_clears(sum, e, (mpq_ptr) NULL);
    work_clear(&w);
    return AE_OK;
}

/* Q[i] = -2 Z[i] / den for i < n. */
static void set_grad_block(mpq_t *Q, const mpz_t *Z, const mpz_t den, long n, mpz_t tmp)
{
    for (long i = 0; i < n; i++) {
        mpz_mul_si(tmp, Z[i], -2);
        q_set_zz(Q[i], tmp, den);
    }
}

/* One denominator S for all rows makes every gradient sum an integer sum, which pays
 * when rows share denominators (real data after min-max scaling, synthetic instances).
 * With unrelated denominators S can be vastly larger than any row's; returns 0 then
 * (S unspecified), 1 with S = the lcm of all denominators otherwise. */
static int common_denominator_pays(mpz_t S, const qmat_t X)
{
    mpz_t s;
    mpz_init(s);
    size_t maxrow = 1;
    for (long i = 0; i < X->r; i++) {
        qvec_den_lcm(s, qmat_row(X, i), 1, X->c);
        size_t b = mpz_sizeinbase(s, 2);
        if (b > maxrow)
            maxrow = b;
    }
    mpz_clear(s);
    mpz_set_ui(S, 1);
    for (long i = 0; i < X->r * X->c; i++)
        if (mpz_cmp_ui(mpq_denref(X->entries[i]), 1) != 0) {
            mpz_lcm(S, S, mpq_denref(X->entries[i]));
            if (mpz_sizeinbase(S, 2) > 2 * maxrow + 64)
                return 0;
        }
    return 1;
}

/* Integer accumulation over the common denominator S (see linae_grad). */
static int grad_common(linae_t G, work_t *w, const qmat_t X, const mpz_t S)
{
    long d = w->d, k = w->k, n = X->r;
    int st = AE_OK;
    mpz_t *sR = zvec_init(d), *sRH = zvec_init(d * k), *sG = zvec_init(k),
          *sGX = zvec_init(k * d), *gn = zvec_init(k);
    mpz_t den;
    mpz_init(den);
    if (!sR || !sRH || !sG || !sGX || !gn) {
        st = AE_ENOMEM;
        goto done;
    }
    mpz_set(w->s, S);
    for (long r = 0; r < n; r++) {
        qvec_to_den(w->X, S, qmat_row(X, r), 1, d);
        work_eval(w);
        for (long j = 0; j < k; j++)
            mpz_set_ui(gn[j], 0);
        for (long i = 0; i < d; i++) {
            const mpz_t *Ci = w->C + i * k;
            mpz_add(sR[i], sR[i], w->rn[i]);
            for (long j = 0; j < k; j++) {
                mpz_addmul(sRH[i * k + j], w->rn[i], w->zn[j]);
                mpz_addmul(gn[j], Ci[j], w->rn[i]);      /* gn = C^T rn */
            }
        }
        for (long j = 0; j < k; j++) {
            mpz_add(sG[j], sG[j], gn[j]);
            for (long i = 0; i < d; i++)
                mpz_addmul(sGX[j * d + i], gn[j], w->X[i]);
        }
    }
    /* r = rn/(K S), h = zn/(a b S), W_d^T r = gn/(c K S), x = X/S. */
    mpz_mul(den, w->K, S);
    mpz_mul_ui(den, den, (unsigned long) n);                 /* n K S */
    set_grad_block(G->bd->entries, sR, den, d, w->t);
    mpz_mul(w->u, den, w->ab);
    mpz_mul(w->u, w->u, S);                                   /* n K S a b S */
    set_grad_block(G->Wd->entries, sRH, w->u, d * k, w->t);
    mpz_mul(den, den, w->c);                                  /* n c K S */
    set_grad_block(G->be->entries, sG, den, k, w->t);
    mpz_mul(den, den, S);                                     /* n c K S S */
    set_grad_block(G->We->entries, sGX, den, k * d, w->t);
done:
    mpz_clear(den);
    zvec_clear(sR, d);
    zvec_clear(sRH, d * k);
    zvec_clear(sG, k);
    zvec_clear(sGX, k * d);
    zvec_clear(gn, k);
    return st;
}

/* Row by row in mpq: each row over its own denominator, sums accumulated in G. */
static void grad_rows(linae_t G, work_t *w, const qmat_t Wd, const qmat_t X)
{
    long d = w->d, k = w->k, n = X->r;
    mpq_t *r = qvec_init(d), *h = qvec_init(k), *g = qvec_init(k), t;
    mpq_init(t);
    qmat_zero(G->We);
    qmat_zero(G->be);
    qmat_zero(G->Wd);
    qmat_zero(G->bd);
    for (long row = 0; row < n; row++) {
        const mpq_t *x = qmat_row(X, row);
        work_load(w, x);
        work_eval(w);
        mpz_mul(w->u, w->K, w->s);                            /* K s */
        for (long i = 0; i < d; i++)
            q_set_zz(r[i], w->rn[i], w->u);
        mpz_mul(w->t, w->ab, w->s);                           /* a b s */
        for (long j = 0; j < k; j++)
            q_set_zz(h[j], w->zn[j], w->t);
        qmat_mul_transpose_vec(g, Wd, r);                     /* W_d^T r */
        for (long i = 0; i < d; i++) {
            mpq_add(G->bd->entries[i], G->bd->entries[i], r[i]);
            for (long j = 0; j < k; j++) {
                mpq_mul(t, r[i], h[j]);
                mpq_add(qmat_entry(G->Wd, i, j), qmat_entry(G->Wd, i, j), t);
            }
        }
        for (long j = 0; j < k; j++) {
            mpq_add(G->be->entries[j], G->be->entries[j], g[j]);
            for (long i = 0; i < d; i++) {
                mpq_mul(t, g[j], x[i]);
                mpq_add(qmat_entry(G->We, j, i), qmat_entry(G->We, j, i), t);
            }
        }
    }
    mpq_set_si(t, -2, (unsigned long) n);
    mpq_canonicalize(t);
    qmat_scalar_mul(G->We, G->We, t);
    qmat_scalar_mul(G->be, G->be, t);
    qmat_scalar_mul(G->Wd, G->Wd, t);
    qmat_scalar_mul(G->bd, G->bd, t);
    mpq_clear(t);
    qvec_clear(r, d);
    qvec_clear(h, k);
    qvec_clear(g, k);
}

int linae_grad(linae_t G, const linae_t ae, const qmat_t X)
{
    long d = ae->d, k = ae->k, n = X->r;
    if (X->c != d || n == 0 || G->d != d || G->k != k || G == ae) {
        ae_error("linae_grad", "need X n x %ld with n >= 1 and G of the AE's shape, not the AE", d);
        return AE_EINVAL;
    }
    work_t w;
    int st = work_init(&w, ae);
    if (st != AE_OK)
        return st;
    mpz_t S;
    mpz_init(S);
    if (common_denominator_pays(S, X))
        st = grad_common(G, &w, X, S);
    else
        grad_rows(G, &w, ae->Wd, X);
    mpz_clear(S);
    work_clear(&w);
    return st;
}

/* ---- structure ------------------------------------------------------------------- */

int linae_map_matrix(qmat_t M, const linae_t ae)
{
    if (M->r != ae->d || M->c != ae->d) {
        ae_error("linae_map_matrix", "M is %ld x %ld, need %ld x %ld", M->r, M->c, ae->d, ae->d);
        return AE_EINVAL;
    }
    qmat_mul(M, ae->Wd, ae->We);
    return AE_OK;
}

int linae_is_left_inverse(const linae_t ae)
{
    qmat_t P;
    qmat_init(P, ae->k, ae->k);
    qmat_mul(P, ae->We, ae->Wd);
    int ok = qmat_is_one(P);
    qmat_clear(P);
    return ok;
}

/* 1 if M = W_d W_e is idempotent; symmetric additionally when want_sym. */
static int is_projector(const linae_t ae, int want_sym)
{
    long d = ae->d, k = ae->k;
    qmat_t P, T, M, M2;
    qmat_init(P, k, k);
    qmat_init(T, d, k);
    qmat_init(M, d, d);
    qmat_init(M2, d, d);
    qmat_mul(M, ae->Wd, ae->We);
    qmat_mul(P, ae->We, ae->Wd);
    qmat_mul(T, ae->Wd, P);
    qmat_mul(M2, T, ae->We);               /* M^2 = W_d (W_e W_d) W_e */
    int ok = qmat_equal(M2, M);
    for (long i = 0; ok && want_sym && i < d; i++)
        for (long j = i + 1; ok && j < d; j++)
            ok = mpq_equal(qmat_entry(M, i, j), qmat_entry(M, j, i));
    qmat_clear(P);
    qmat_clear(T);
    qmat_clear(M);
    qmat_clear(M2);
    return ok;
}

int linae_is_projector(const linae_t ae)
{
    return is_projector(ae, 0);
}

int linae_is_orthogonal_projector(const linae_t ae)
{
    return is_projector(ae, 1);
}

/* ---- constructions --------------------------------------------------------------- */

/* b_e = -W_e m, b_d = m (m NULL: 0). */
static void set_biases(linae_t ae, const mpq_t *m)
{
    if (m == NULL) {
        qmat_zero(ae->be);
        qmat_zero(ae->bd);
        return;
    }
    qmat_mul_vec(ae->be->entries, ae->We, m);
    for (long j = 0; j < ae->k; j++)
        mpq_neg(ae->be->entries[j], ae->be->entries[j]);
    qvec_set(ae->bd->entries, m, ae->d);
}

int linae_set_left_inverse(linae_t ae, const qmat_t Wd, const qmat_t We, const mpq_t *m)
{
    if (Wd->r != ae->d || Wd->c != ae->k || We->r != ae->k || We->c != ae->d) {
        ae_error("linae_set_left_inverse", "Wd %ld x %ld, We %ld x %ld do not fit d = %ld, k = %ld",
                 Wd->r, Wd->c, We->r, We->c, ae->d, ae->k);
        return AE_EINVAL;
    }
    qmat_set(ae->Wd, Wd);
    qmat_set(ae->We, We);
    set_biases(ae, m);
    return linae_is_left_inverse(ae) ? AE_OK : AE_NOTVERIFIED;
}

/* P = (V^T V)^{-1} V^T (k x d); AE_SINGULAR if V (d x k) has rank < k. */
static int pseudo_inverse(qmat_t P, const qmat_t V)
{
    long k = V->c, d = V->r;
    qmat_t Gm, Vt;
    qmat_init(Gm, k, k);
    qmat_init(Vt, k, d);
    qmat_gram(Gm, V);
    int st = qmat_inv(Gm, Gm);
    if (st == AE_OK) {
        qmat_transpose(Vt, V);
        qmat_mul(P, Gm, Vt);
    }
    qmat_clear(Gm);
    qmat_clear(Vt);
    return st;
}

int linae_random_left_inverse(qmat_t We, const qmat_t Wd, gsl_rng *rng)
{
    long d = Wd->r, k = Wd->c;
    if (!(k >= 1 && k < d) || We->r != k || We->c != d || rng == NULL || We == Wd) {
        ae_error("linae_random_left_inverse", "need Wd d x k with 1 <= k < d, We k x d, an rng");
        return AE_EINVAL;
    }
    qmat_t P, Y, YW, T;
    qmat_init(P, k, d);
    qmat_init(Y, k, d);
    qmat_init(YW, k, k);
    qmat_init(T, k, d);
    int st = pseudo_inverse(P, Wd);
    if (st != AE_OK)
        goto done;
    /* T = Y (I - Wd P) = Y - (Y Wd) P: O(k^2 d) instead of forming the d x d matrix. */
    for (int tries = 0; tries < 100; tries++) {
        for (long i = 0; i < k * d; i++) {
            long num = (long) gsl_rng_uniform_int(rng, 11) - 5;
            unsigned long den = 1 + gsl_rng_uniform_int(rng, 4);
            mpq_set_si(Y->entries[i], num, den);
            mpq_canonicalize(Y->entries[i]);
        }
        qmat_mul(YW, Y, Wd);
        qmat_mul(T, YW, P);
        qmat_sub(T, Y, T);
        if (!qmat_is_zero(T))
            break;
    }
    if (qmat_is_zero(T)) {
        /* I - Wd P has rank d - k > 0, so some unit row e_i^T gives e_i^T (I - Wd P) != 0. */
        for (long i = 0; i < d && qmat_is_zero(T); i++) {
            qmat_zero(Y);
            mpq_set_ui(qmat_entry(Y, 0, i), 1, 1);
            qmat_mul(YW, Y, Wd);
            qmat_mul(T, YW, P);
            qmat_sub(T, Y, T);
        }
    }
    qmat_add(We, P, T);
done:
    qmat_clear(P);
    qmat_clear(Y);
    qmat_clear(YW);
    qmat_clear(T);
    return st;
}

int linae_set_baldi_hornik(linae_t ae, const qmat_t Vk, const qmat_t G, const mpq_t *mean)
{
    long d = ae->d, k = ae->k;
    if (Vk->r != d || Vk->c != k || G->r != k || G->c != k) {
        ae_error("linae_set_baldi_hornik", "Vk %ld x %ld, G %ld x %ld do not fit d = %ld, k = %ld",
                 Vk->r, Vk->c, G->r, G->c, d, k);
        return AE_EINVAL;
    }
    qmat_t Gi, Vt;
    qmat_init(Gi, k, k);
    qmat_init(Vt, k, d);
    int st = qmat_inv(Gi, G);
    if (st == AE_OK) {
        qmat_transpose(Vt, Vk);
        qmat_mul(ae->We, Gi, Vt);
        qmat_mul(ae->Wd, Vk, G);
        set_biases(ae, mean);
    }
    qmat_clear(Gi);
    qmat_clear(Vt);
    return st;
}

int linae_set_projector_basis(linae_t ae, const qmat_t V, const mpq_t *mean)
{
    if (V->r != ae->d || V->c != ae->k) {
        ae_error("linae_set_projector_basis", "V is %ld x %ld, need %ld x %ld",
                 V->r, V->c, ae->d, ae->k);
        return AE_EINVAL;
    }
    int st = pseudo_inverse(ae->We, V);
    if (st != AE_OK)
        return st;
    qmat_set(ae->Wd, V);
    set_biases(ae, mean);
    return AE_OK;
}
