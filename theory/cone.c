/* cone — see cone.h. */
#include "cone.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glpk.h>

#include "aeerr.h"
#include "zvec.h"

static int state_ok(int act, int s)
{
    switch (act) {
    case QNET_IDENTITY: return s == QNET_ON;
    case QNET_RELU:
    case QNET_LEAKY: return s == QNET_ON || s == QNET_OFF;
    case QNET_ZERO: return s == QNET_OFF;
    default: return 0;
    }
}

/* 1 if f0 is a homogeneous square network and pat (may be NULL: not checked) valid. */
static int net_ok(const qnet_t f0, const signed char *pat)
{
    if (f0 == NULL || f0->L < 1 || !qnet_is_homogeneous(f0) || qnet_din(f0) != qnet_dout(f0))
        return 0;
    if (pat)
        for (long l = 0; l < f0->L; l++)
            for (long u = 0; u < f0->sizes[l + 1]; u++)
                if (!state_ok(f0->act[l], pat[f0->uoff[l] + u]))
                    return 0;
    return 1;
}

static int constrained(int act)
{
    return act == QNET_RELU || act == QNET_LEAKY;
}

/* Gz (nunits x d integers) = the forms of pat up to one positive denominator per layer
 * (signs are all that matter): Q_u of the ray 0 + t e_i, QNET_FIXED (Dx = 1, so the
 * layer denominators D_l do not depend on i). */
static void forms_z(mpz_t *Gz, mpz_t *Dl, const qnet_t f0, const signed char *pat)
{
    long d = qnet_din(f0);
    qnet_forms_t F;
    qnet_forms_init(F, f0);
    mpq_t *x0 = qvec_init(d), *e = qvec_init(d);
    for (long i = 0; i < d; i++) {
        mpq_set_ui(e[i], 1, 1);
        int rc = qnet_forms(F, (signed char *) pat, f0, x0, e, d, QNET_FIXED, NULL);
        assert(rc == AE_OK);
        (void) rc;
        for (long u = 0; u < f0->nunits; u++)
            mpz_set(Gz[u * d + i], F->Q[u]);
        mpq_set_ui(e[i], 0, 1);
    }
    if (Dl)
        for (long l = 0; l < f0->L; l++)
            mpz_set(Dl[l], F->D[l]);
    qvec_clear(x0, d);
    qvec_clear(e, d);
    qnet_forms_clear(F);
}

int cone_is_fixed(const qnet_t f0, const mpq_t *v, long n)
{
    if (!net_ok(f0, NULL) || v == NULL || n != qnet_din(f0)) {
        ae_error(__func__, "needs a homogeneous network with din == dout == %ld", n);
        return AE_EINVAL;
    }
    if (qvec_is_zero(v, n))
        return 0;
    mpq_t *y = qvec_init(n);
    qnet_eval(y, n, NULL, f0, v, n);
    int ok = qvec_equal(y, v, n);
    qvec_clear(y, n);
    return ok;
}

int cone_forms(qmat_t G, const qnet_t f0, const signed char *pat)
{
    if (G == NULL || pat == NULL || !net_ok(f0, pat) || G->r != f0->nunits
        || G->c != qnet_din(f0)) {
        ae_error(__func__, "G must be nunits x din and pat a valid pattern of f0");
        return AE_EINVAL;
    }
    long d = qnet_din(f0);
    mpz_t *Gz = zvec_init(f0->nunits * d), *Dl = zvec_init(f0->L);
    forms_z(Gz, Dl, f0, pat);
    for (long l = 0; l < f0->L; l++)
        for (long u = f0->uoff[l]; u < f0->uoff[l + 1]; u++)
            for (long i = 0; i < d; i++) {
                mpq_ptr g = qmat_entry(G, u, i);
                mpq_set_num(g, Gz[u * d + i]);
                mpq_set_den(g, Dl[l]);
                mpq_canonicalize(g);
            }
    zvec_clear(Gz, f0->nunits * d);
    zvec_clear(Dl, f0->L);
    return AE_OK;
}

/* 1 if v (over any denominator: signs only) satisfies pat's sign constraints. */
static int member_z(const qnet_t f0, const signed char *pat, const mpz_t *Gz,
                    const mpq_t *v, long d)
{
    mpq_t s, t;
    mpq_inits(s, t, (mpq_ptr) NULL);
    int ok = 1;
    for (long l = 0; l < f0->L && ok; l++) {
        if (!constrained(f0->act[l]))
            continue;
        for (long u = f0->uoff[l]; u < f0->uoff[l + 1] && ok; u++) {
            mpq_set_ui(s, 0, 1);
            for (long i = 0; i < d; i++) {
                mpq_set_z(t, Gz[u * d + i]);
                mpq_mul(t, t, v[i]);
                mpq_add(s, s, t);
            }
            int sg = mpq_sgn(s);
            if ((pat[u] == QNET_ON && sg < 0) || (pat[u] == QNET_OFF && sg > 0))
                ok = 0;
        }
    }
    mpq_clears(s, t, (mpq_ptr) NULL);
    return ok;
}

int cone_member(const qnet_t f0, const signed char *pat, const mpq_t *v, long n)
{
    if (pat == NULL || v == NULL || !net_ok(f0, pat) || n != qnet_din(f0)) {
        ae_error(__func__, "needs a valid pattern of f0 and a vector of length din");
        return AE_EINVAL;
    }
    mpz_t *Gz = zvec_init(f0->nunits * n);
    forms_z(Gz, NULL, f0, pat);
    int ok = member_z(f0, pat, Gz, v, n);
    zvec_clear(Gz, f0->nunits * n);
    return ok;
}

/* v = primitive integer vector with the direction of v (v != 0). */
static void primitive(mpq_t *v, long n)
{
    mpz_t l, g, t;
    mpz_inits(l, g, t, (mpz_ptr) NULL);
    qvec_den_lcm(l, (const mpq_t *) v, 1, n);
    for (long i = 0; i < n; i++) {
        mpz_divexact(t, l, mpq_denref(v[i]));
        mpz_mul(t, t, mpq_numref(v[i]));
        mpz_gcd(g, g, t);
    }
    for (long i = 0; i < n; i++) {
        mpz_divexact(t, l, mpq_denref(v[i]));
        mpz_mul(t, t, mpq_numref(v[i]));
        if (mpz_sgn(g) != 0)
            mpz_divexact(t, t, g);
        mpq_set_z(v[i], t);
    }
    mpz_clears(l, g, t, (mpz_ptr) NULL);
}

/* 1 if every |z| < 2^53 (exactly representable as a double). */
static int fits53(const mpz_t z)
{
    return mpz_sizeinbase(z, 2) <= 53;
}

/* x (the columns of P) = the basic solution of P's current basis, recomputed exactly:
 * every nonbasic column sits at its bound (free: 0), every nonbasic row's activity at its
 * bound, which gives as many equations as columns; P's data are integers < 2^53, read back
 * exactly.  Returns 1, or 0 if the system is malformed or singular. */
static int exact_vertex(mpq_t *x, glp_prob *P)
{
    int m = glp_get_num_rows(P), n = glp_get_num_cols(P);
    qmat_t E, R, X;
    qmat_init(E, n, n);
    qmat_init(R, n, 1);
    qmat_init(X, n, 1);
    int *ind = ae_malloc((size_t) (n + 1) * sizeof(int));
    double *val = ae_malloc((size_t) (n + 1) * sizeof(double));
    long ne = 0;
    int ok = 1;
    for (int j = 1; j <= n && ok; j++) {
        int s = glp_get_col_stat(P, j);
        if (s == GLP_BS)
            continue;
        if (ne >= n) {
            ok = 0;
            break;
        }
        mpq_set_ui(qmat_entry(E, ne, j - 1), 1, 1);
        double bd = s == GLP_NU ? glp_get_col_ub(P, j) : s == GLP_NF ? 0 : glp_get_col_lb(P, j);
        mpq_set_d(qmat_entry(R, ne, 0), bd);
        ne++;
    }
    for (int r = 1; r <= m && ok; r++) {
        int s = glp_get_row_stat(P, r);
        if (s == GLP_BS)
            continue;
        if (ne >= n) {
            ok = 0;
            break;
        }
        int len = glp_get_mat_row(P, r, ind, val);
        for (int t = 1; t <= len; t++)
            mpq_set_d(qmat_entry(E, ne, ind[t] - 1), val[t]);
        double bd = s == GLP_NU ? glp_get_row_ub(P, r) : s == GLP_NF ? 0 : glp_get_row_lb(P, r);
        mpq_set_d(qmat_entry(R, ne, 0), bd);
        ne++;
    }
    int res = 0;
    if (ok && ne == n && qmat_solve(X, E, R) == AE_OK) {
        qmat_get_col(x, X, 0);
        res = 1;
    }
    free(ind);
    free(val);
    qmat_clear(E);
    qmat_clear(R);
    qmat_clear(X);
    return res;
}

/* glp_exact on P from the standard basis: GLP_OPT, GLP_NOFEAS, or -1 (failure). */
static int exact_solve(glp_prob *P)
{
    glp_std_basis(P);
    glp_smcp parm;
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    if (glp_exact(P, &parm) != 0)
        return -1;
    int st = glp_get_status(P);
    return st == GLP_OPT || st == GLP_NOFEAS ? st : -1;
}

/* s = row r of H (m x k) times y. */
static void hdot(mpq_t s, mpq_t t, const mpz_t *H, long k, long r, const mpq_t *y)
{
    mpq_set_ui(s, 0, 1);
    for (long j = 0; j < k; j++) {
        mpq_set_z(t, H[r * k + j]);
        mpq_mul(t, t, y[j]);
        mpq_add(s, s, t);
    }
}

/* One LP { H y >= 0, sigma y_i >= 1 } (P holds H with rows >= 0).  Returns 1 with y the
 * exactly recomputed and exactly checked vertex (H y >= 0, y != 0); 0 if infeasibility
 * is certified by an exactly checked Farkas vector lambda >= 0, H^T lambda = -sigma e_i
 * (then lambda^T H y >= 0 and = -sigma y_i <= -1 for any feasible y); -1 if undecided. */
static int lp_solve(mpq_t *y, glp_prob *P, const mpz_t *H, long m, long k, long i,
                    int sigma)
{
    for (long j = 0; j < k; j++)
        glp_set_col_bnds(P, (int) j + 1, GLP_FR, 0, 0);
    if (sigma > 0)
        glp_set_col_bnds(P, (int) i + 1, GLP_LO, 1, 0);
    else
        glp_set_col_bnds(P, (int) i + 1, GLP_UP, 0, -1);
    int st = exact_solve(P);
    mpq_t s, t;
    mpq_inits(s, t, (mpq_ptr) NULL);
    int res = -1;
    if (st == GLP_OPT && exact_vertex(y, P) && !qvec_is_zero(y, k)) {
        res = 1;
        for (long r = 0; r < m && res == 1; r++) {
            hdot(s, t, H, k, r, y);
            if (mpq_sgn(s) < 0)
                res = -1;
        }
    } else if (st == GLP_NOFEAS) {
        /* the Farkas LP: lambda >= 0 (m columns), H^T lambda = -sigma e_i (k rows) */
        glp_prob *D = glp_create_prob();
        glp_add_rows(D, (int) k);
        glp_add_cols(D, (int) m);
        for (long j = 0; j < k; j++) {
            double rhs = j == i ? -sigma : 0;
            glp_set_row_bnds(D, (int) j + 1, GLP_FX, rhs, rhs);
        }
        int *ia = ae_malloc((size_t) (m * k + 1) * sizeof(int));
        int *ja = ae_malloc((size_t) (m * k + 1) * sizeof(int));
        double *ar = ae_malloc((size_t) (m * k + 1) * sizeof(double));
        int ne = 0;
        for (long r = 0; r < m; r++) {
            glp_set_col_bnds(D, (int) r + 1, GLP_LO, 0, 0);
            for (long j = 0; j < k; j++)
                if (mpz_sgn(H[r * k + j]) != 0) {
                    ne++;
                    ia[ne] = (int) j + 1;
                    ja[ne] = (int) r + 1;
                    ar[ne] = mpz_get_d(H[r * k + j]);
                }
        }
        glp_load_matrix(D, ne, ia, ja, ar);
        free(ia);
        free(ja);
        free(ar);
        mpq_t *lam = qvec_init(m);
        if (exact_solve(D) == GLP_OPT && exact_vertex(lam, D)) {
            res = 0;
            for (long r = 0; r < m && res == 0; r++)
                if (mpq_sgn(lam[r]) < 0)
                    res = -1;
            for (long j = 0; j < k && res == 0; j++) {
                mpq_set_ui(s, 0, 1);
                for (long r = 0; r < m; r++) {
                    mpq_set_z(t, H[r * k + j]);
                    mpq_mul(t, t, lam[r]);
                    mpq_add(s, s, t);
                }
                if (mpz_cmp_si(mpq_numref(s), j == i ? -sigma : 0) != 0
                    || mpz_cmp_ui(mpq_denref(s), 1) != 0)
                    res = -1;
            }
        }
        qvec_clear(lam, m);
        glp_delete_prob(D);
    }
    mpq_clears(s, t, (mpq_ptr) NULL);
    return res;
}

int cone_test(int *status, mpq_t *v, long n, const qnet_t f0, const signed char *pat)
{
    if (status == NULL || v == NULL || pat == NULL || !net_ok(f0, pat) || n != qnet_din(f0)) {
        ae_error(__func__, "needs a homogeneous f0 (din == dout == %ld) and a valid pattern", n);
        return AE_EINVAL;
    }
    long d = n;
    qvec_zero(v, d);
    *status = CONE_NONE;
    qmat_t A, N;
    qmat_init(A, d, d);
    qmat_init(N, d, 0);
    qnet_affine(A, NULL, f0, pat);
    mpq_t one;
    mpq_init(one);
    mpq_set_ui(one, 1, 1);
    for (long i = 0; i < d; i++)
        mpq_sub(qmat_entry(A, i, i), qmat_entry(A, i, i), one);
    long k = qmat_nullspace(N, A);
    if (k == 0) {
        mpq_clear(one);
        qmat_clear(A);
        qmat_clear(N);
        return AE_OK;
    }
    /* Nz (d x k): N's columns scaled to primitive integers. */
    mpz_t *Nz = zvec_init(d * k), *Gz = zvec_init(f0->nunits * d);
    mpq_t *col = qvec_init(d);
    for (long j = 0; j < k; j++) {
        qmat_get_col(col, N, j);
        primitive(col, d);
        for (long i = 0; i < d; i++)
            mpz_set(Nz[i * k + j], mpq_numref(col[i]));
    }
    forms_z(Gz, NULL, f0, pat);
    /* H (m x k): the signed constrained rows, primitive, zero rows dropped. */
    mpz_t *H = zvec_init(f0->nunits * k);
    mpz_t g;
    mpz_init(g);
    long m = 0;
    int fits = 1;
    for (long l = 0; l < f0->L; l++) {
        if (!constrained(f0->act[l]))
            continue;
        for (long u = f0->uoff[l]; u < f0->uoff[l + 1]; u++) {
            mpz_t *h = H + m * k;
            mpz_set_ui(g, 0);
            for (long j = 0; j < k; j++) {
                mpz_set_ui(h[j], 0);
                for (long i = 0; i < d; i++)
                    mpz_addmul(h[j], Gz[u * d + i], Nz[i * k + j]);
                if (pat[u] == QNET_OFF)
                    mpz_neg(h[j], h[j]);
                mpz_gcd(g, g, h[j]);
            }
            if (mpz_sgn(g) == 0)
                continue;
            for (long j = 0; j < k; j++) {
                mpz_divexact(h[j], h[j], g);
                if (!fits53(h[j]))
                    fits = 0;
            }
            m++;
        }
    }
    mpq_t *y = qvec_init(k);
    int found = 0, undecided = !fits;
    if (m == 0) {
        /* No constraint: every y works. */
        mpq_set_ui(y[0], 1, 1);
        found = 1;
    } else if (fits) {
        int old = glp_term_out(GLP_OFF);
        glp_prob *P = glp_create_prob();
        glp_set_obj_dir(P, GLP_MIN);
        glp_add_rows(P, (int) m);
        glp_add_cols(P, (int) k);
        int *ia = ae_malloc((size_t) (m * k + 1) * sizeof(int));
        int *ja = ae_malloc((size_t) (m * k + 1) * sizeof(int));
        double *ar = ae_malloc((size_t) (m * k + 1) * sizeof(double));
        int ne = 0;
        for (long r = 0; r < m; r++) {
            glp_set_row_bnds(P, (int) r + 1, GLP_LO, 0, 0);
            for (long j = 0; j < k; j++)
                if (mpz_sgn(H[r * k + j]) != 0) {
                    ne++;
                    ia[ne] = (int) r + 1;
                    ja[ne] = (int) j + 1;
                    ar[ne] = mpz_get_d(H[r * k + j]);   /* exact: < 2^53 */
                }
        }
        glp_load_matrix(P, ne, ia, ja, ar);
        for (long i = 0; i < k && !found; i++)
            for (int sigma = 1; sigma >= -1 && !found; sigma -= 2) {
                int r = lp_solve(y, P, H, m, k, i, sigma);
                if (r < 0) {
                    undecided = 1;
                } else if (r > 0) {
                    found = 1;
                }
            }
        free(ia);
        free(ja);
        free(ar);
        glp_delete_prob(P);
        glp_term_out(old);
    }
    if (found) {
        mpq_t t;
        mpq_init(t);
        for (long i = 0; i < d; i++) {
            mpq_set_ui(v[i], 0, 1);
            for (long j = 0; j < k; j++) {
                mpq_set_z(t, Nz[i * k + j]);
                mpq_mul(t, t, y[j]);
                mpq_add(v[i], v[i], t);
            }
        }
        mpq_clear(t);
        primitive(v, d);
        /* The certificate: f0(v) = v, v != 0, exactly. */
        if (cone_is_fixed(f0, v, d) == 1) {
            *status = CONE_FIXED;
        } else {
            qvec_zero(v, d);
            *status = CONE_UNDECIDED;
        }
    } else {
        *status = undecided ? CONE_UNDECIDED : CONE_NONE;
    }
    qvec_clear(y, k);
    mpz_clear(g);
    zvec_clear(H, f0->nunits * k);
    qvec_clear(col, d);
    zvec_clear(Nz, d * k);
    zvec_clear(Gz, f0->nunits * d);
    mpq_clear(one);
    qmat_clear(A);
    qmat_clear(N);
    return AE_OK;
}

/* ---- search over candidate directions ---------------------------------------------- */

void cone_search_init(cone_search_t S, const qnet_t f0)
{
    S->din = qnet_din(f0);
    S->nunits = f0->nunits;
    S->npat = S->cap = 0;
    S->pat = NULL;
    S->status = NULL;
    S->v = NULL;
    S->nfixed = S->nnone = S->nundecided = 0;
    S->hcap = 64;
    S->hash = ae_malloc((size_t) S->hcap * sizeof(long));
    for (long i = 0; i < S->hcap; i++)
        S->hash[i] = -1;
}

void cone_search_clear(cone_search_t S)
{
    qvec_clear(S->v, S->cap * S->din);
    free(S->pat);
    free(S->status);
    free(S->hash);
    S->pat = NULL;
    S->status = NULL;
    S->v = NULL;
    S->hash = NULL;
    S->npat = S->cap = 0;
}

static unsigned long pat_hash(const signed char *p, long n)
{
    unsigned long h = 1469598103934665603UL;
    for (long i = 0; i < n; i++) {
        h ^= (unsigned char) p[i];
        h *= 1099511628211UL;
    }
    return h;
}

/* The slot of pattern p in S's table: its index there, or -1 with *slot the free slot. */
static long pat_find(const cone_search_t S, const signed char *p, long *slot)
{
    unsigned long h = pat_hash(p, S->nunits) % (unsigned long) S->hcap;
    for (;;) {
        long k = S->hash[h];
        if (k < 0) {
            *slot = (long) h;
            return -1;
        }
        if (memcmp(cone_search_pat(S, k), p, (size_t) S->nunits) == 0)
            return k;
        h = (h + 1) % (unsigned long) S->hcap;
    }
}

static void pat_add(cone_search_t S, const signed char *p)
{
    if (S->npat == S->cap) {
        long nc = S->cap ? 2 * S->cap : 16;
        S->pat = ae_realloc(S->pat, (size_t) (nc * S->nunits > 0 ? nc * S->nunits : 1));
        S->status = ae_realloc(S->status, (size_t) nc * sizeof(int));
        mpq_t *nv = qvec_init(nc * S->din);
        for (long i = 0; i < S->cap * S->din; i++)
            mpq_swap(nv[i], S->v[i]);
        qvec_clear(S->v, S->cap * S->din);
        S->v = nv;
        S->cap = nc;
    }
    memcpy(cone_search_pat(S, S->npat), p, (size_t) S->nunits);
    S->npat++;
    if (2 * S->npat > S->hcap) {
        S->hcap *= 2;
        S->hash = ae_realloc(S->hash, (size_t) S->hcap * sizeof(long));
        for (long i = 0; i < S->hcap; i++)
            S->hash[i] = -1;
        for (long k = 0; k < S->npat; k++) {
            long slot;
            long f = pat_find(S, cone_search_pat(S, k), &slot);
            assert(f < 0);
            (void) f;
            S->hash[slot] = k;
        }
    } else {
        long slot;
        long f = pat_find(S, p, &slot);
        assert(f < 0);
        (void) f;
        S->hash[slot] = S->npat - 1;
    }
}

int cone_search(cone_search_t S, const qnet_t f0, const mpq_t *cand, long ncand, long n)
{
    if (!net_ok(f0, NULL) || (cand == NULL && ncand > 0) || ncand < 0 || n != qnet_din(f0)
        || S->din != qnet_din(f0) || S->nunits != f0->nunits) {
        ae_error(__func__, "needs a homogeneous f0, candidates of length din, matching S");
        return AE_EINVAL;
    }
    signed char *p = ae_malloc((size_t) (f0->nunits > 0 ? f0->nunits : 1));
    mpq_t *y = qvec_init(n);
    for (long c = 0; c < ncand; c++) {
        qnet_eval(y, n, p, f0, cand + c * n, n);
        long slot;
        if (pat_find(S, p, &slot) >= 0)
            continue;
        pat_add(S, p);
        long k = S->npat - 1;
        int st;
        int rc = cone_test(&st, cone_search_v(S, k), n, f0, p);
        assert(rc == AE_OK);
        (void) rc;
        S->status[k] = st;
        if (st == CONE_FIXED)
            S->nfixed++;
        else if (st == CONE_NONE)
            S->nnone++;
        else
            S->nundecided++;
    }
    qvec_clear(y, n);
    free(p);
    return AE_OK;
}

int cone_search_d(cone_search_t S, const qnet_t f0, const double *cand, long ncand, long n)
{
    if (ncand < 0 || n < 0 || (cand == NULL && ncand > 0)) {
        ae_error(__func__, "bad candidate array");
        return AE_EINVAL;
    }
    for (long i = 0; i < ncand * n; i++)
        if (!isfinite(cand[i])) {
            ae_error(__func__, "candidate entry %ld is not finite", i);
            return AE_EINVAL;
        }
    mpq_t *q = qvec_init(ncand * n);
    for (long i = 0; i < ncand * n; i++)
        mpq_set_d(q[i], cand[i]);
    int rc = cone_search(S, f0, q, ncand, n);
    qvec_clear(q, ncand * n);
    return rc;
}

/* ---- the circle, d = 2 -------------------------------------------------------------- */

void cone_circle_init(cone_circle_t C, const qnet_t f0)
{
    C->nunits = f0->nunits;
    C->n = C->cap = 0;
    C->full = 0;
    C->b = NULL;
    C->pat = NULL;
    C->status = NULL;
    C->v = NULL;
    C->nfixed = C->nundecided = 0;
}

void cone_circle_clear(cone_circle_t C)
{
    if (C->b)
        zvec_clear(C->b, 2 * (C->cap + 1));
    qvec_clear(C->v, 2 * C->cap);
    free(C->pat);
    free(C->status);
    C->b = NULL;
    C->v = NULL;
    C->pat = NULL;
    C->status = NULL;
    C->n = C->cap = 0;
}

static void circle_grow(cone_circle_t C)
{
    long nc = C->cap ? 2 * C->cap : 8;
    mpz_t *nb = zvec_init(2 * (nc + 1));
    mpq_t *nv = qvec_init(2 * nc);
    for (long i = 0; i < 2 * (C->cap + 1) && C->b; i++)
        mpz_swap(nb[i], C->b[i]);
    for (long i = 0; i < 2 * C->cap; i++)
        mpq_swap(nv[i], C->v[i]);
    if (C->b)
        zvec_clear(C->b, 2 * (C->cap + 1));
    qvec_clear(C->v, 2 * C->cap);
    C->b = nb;
    C->v = nv;
    C->pat = ae_realloc(C->pat, (size_t) (nc * C->nunits > 0 ? nc * C->nunits : 1));
    C->status = ae_realloc(C->status, (size_t) nc * sizeof(int));
    C->cap = nc;
}

/* r = b x w = b1 w2 - b2 w1 (sign: w counter-clockwise of b when > 0). */
static void cross(mpz_t r, const mpz_t *b, const mpz_t *w)
{
    mpz_mul(r, b[0], w[1]);
    mpz_submul(r, b[1], w[0]);
}

/* The class of the counter-clockwise angle from b to w: 0 for (0, pi), 1 for pi, 2 for
 * (pi, 2 pi), 3 for 0. */
static int angle_class(const mpz_t *b, const mpz_t *w, mpz_t tmp)
{
    cross(tmp, b, w);
    int c = mpz_sgn(tmp);
    if (c > 0)
        return 0;
    if (c < 0)
        return 2;
    mpz_mul(tmp, b[0], w[0]);
    mpz_addmul(tmp, b[1], w[1]);
    return mpz_sgn(tmp) < 0 ? 1 : 3;
}

/* 1 if w comes strictly before w2 counter-clockwise from b (angles in (0, 2 pi)). */
static int ccw_before(const mpz_t *b, const mpz_t *w, const mpz_t *w2, mpz_t tmp)
{
    int a = angle_class(b, w, tmp), a2 = angle_class(b, w2, tmp);
    if (a != a2)
        return a < a2;
    if (a == 1)
        return 0;
    cross(tmp, w, w2);
    return mpz_sgn(tmp) > 0;
}

/* The pattern just counter-clockwise of b and the first zero of one of its nonzero forms
 * after b (in nb, primitive); returns 0 if every form is zero. */
static int next_boundary(mpz_t *nb, signed char *pat, const qnet_t f0, qnet_forms_t F,
                         mpz_t *Gz, const mpz_t *b)
{
    mpq_t *x0 = qvec_init(2), *w = qvec_init(2);
    mpq_t t0;
    mpq_init(t0);
    mpq_set_z(x0[0], b[0]);
    mpq_set_z(x0[1], b[1]);
    mpq_set_z(w[0], b[1]);
    mpq_neg(w[0], w[0]);
    mpq_set_z(w[1], b[0]);
    int rc = qnet_forms(F, pat, f0, x0, w, 2, QNET_RIGHT, t0);
    assert(rc == AE_OK);
    (void) rc;
    forms_z(Gz, NULL, f0, pat);
    mpz_t c[2], tmp, g;
    mpz_inits(c[0], c[1], tmp, g, (mpz_ptr) NULL);
    int have = 0;
    for (long l = 0; l < f0->L; l++) {
        if (!constrained(f0->act[l]))
            continue;
        for (long u = f0->uoff[l]; u < f0->uoff[l + 1]; u++) {
            if (mpz_sgn(Gz[2 * u]) == 0 && mpz_sgn(Gz[2 * u + 1]) == 0)
                continue;
            mpz_neg(c[0], Gz[2 * u + 1]);
            mpz_set(c[1], Gz[2 * u]);
            for (int s = 0; s < 2; s++) {
                if (s) {
                    mpz_neg(c[0], c[0]);
                    mpz_neg(c[1], c[1]);
                }
                if (angle_class(b, c, tmp) == 3)
                    continue;
                if (!have || ccw_before(b, c, nb, tmp)) {
                    mpz_set(nb[0], c[0]);
                    mpz_set(nb[1], c[1]);
                    have = 1;
                }
            }
        }
    }
    if (have) {
        mpz_gcd(g, nb[0], nb[1]);
        mpz_divexact(nb[0], nb[0], g);
        mpz_divexact(nb[1], nb[1], g);
    }
    mpz_clears(c[0], c[1], tmp, g, (mpz_ptr) NULL);
    mpq_clear(t0);
    qvec_clear(x0, 2);
    qvec_clear(w, 2);
    return have;
}

int cone_circle(cone_circle_t C, const qnet_t f0, long maxsectors)
{
    if (!net_ok(f0, NULL) || qnet_din(f0) != 2 || C->nunits != f0->nunits) {
        ae_error(__func__, "needs a homogeneous f0 with din == dout == 2, matching C");
        return AE_EINVAL;
    }
    C->n = 0;
    C->full = 0;
    C->nfixed = C->nundecided = 0;
    qnet_forms_t F;
    qnet_forms_init(F, f0);
    mpz_t *Gz = zvec_init(2 * f0->nunits);
    signed char *p = ae_malloc((size_t) (f0->nunits > 0 ? f0->nunits : 1));
    mpz_t e1[2], b0[2], tmp;
    mpz_inits(e1[0], e1[1], b0[0], b0[1], tmp, (mpz_ptr) NULL);
    mpz_set_ui(e1[0], 1);
    int rc = AE_OK;
    if (C->cap < 1)
        circle_grow(C);
    if (!next_boundary(b0, p, f0, F, Gz, e1)) {
        C->full = 1;
        C->n = 1;
        mpz_set_ui(cone_circle_b(C, 0)[0], 1);
        mpz_set_ui(cone_circle_b(C, 0)[1], 0);
        mpz_set_ui(cone_circle_b(C, 1)[0], 1);
        mpz_set_ui(cone_circle_b(C, 1)[1], 0);
        memcpy(cone_circle_pat(C, 0), p, (size_t) f0->nunits);
    } else {
        mpz_set(cone_circle_b(C, 0)[0], b0[0]);
        mpz_set(cone_circle_b(C, 0)[1], b0[1]);
        for (;;) {
            if (maxsectors > 0 && C->n >= maxsectors) {
                rc = AE_ERANGE;
                break;
            }
            if (C->n == C->cap)
                circle_grow(C);
            mpz_t *b = cone_circle_b(C, C->n), *nb = cone_circle_b(C, C->n + 1);
            int have = next_boundary(nb, cone_circle_pat(C, C->n), f0, F, Gz, b);
            assert(have);
            (void) have;
            /* b0 can never be jumped over: it is a zero of the last sector's forms. */
            assert(!(angle_class(b, b0, tmp) == 0 && ccw_before(b, b0, nb, tmp)));
            C->n++;
            if (angle_class(nb, b0, tmp) == 3)
                break;
        }
    }
    if (rc == AE_OK) {
        for (long k = 0; k < C->n; k++) {
            long same = -1;
            for (long j = 0; j < k && same < 0; j++)
                if (memcmp(cone_circle_pat(C, j), cone_circle_pat(C, k),
                           (size_t) f0->nunits) == 0)
                    same = j;
            if (same >= 0) {
                C->status[k] = C->status[same];
                qvec_set(cone_circle_v(C, k), cone_circle_v(C, same), 2);
            } else {
                int r2 = cone_test(&C->status[k], cone_circle_v(C, k), 2, f0,
                                   cone_circle_pat(C, k));
                assert(r2 == AE_OK);
                (void) r2;
            }
            if (C->status[k] == CONE_FIXED)
                C->nfixed++;
            else if (C->status[k] == CONE_UNDECIDED)
                C->nundecided++;
        }
    }
    mpz_clears(e1[0], e1[1], b0[0], b0[1], tmp, (mpz_ptr) NULL);
    free(p);
    zvec_clear(Gz, 2 * f0->nunits);
    qnet_forms_clear(F);
    return rc;
}
