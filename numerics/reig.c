/* reig — see reig.h.
 *
 * Both solvers produce a working-precision basis X (columns approximately orthonormal
 * eigenvectors) and eigenvalue estimates; reig_finish normalises, rounds to the output
 * precision, sorts and certifies.  The certificate (reig_resid_bound) never trusts the
 * solver: it is computed from the rounded output against A as given.
 */
#include "reig.h"

#include <stdlib.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#include "aeerr.h"
#include "dmat.h"
#include "zvec.h"

#define JACOBI_MAX_SWEEPS 100
#define OA_MAX_STEPS 40
#define OA_MAX_JACOBI 2
#define OA_STALL_STEPS 5       /* full-precision steps without convergence before Jacobi */
#define OA_GSL_BITS 50         /* assumed accuracy of GSL's double eigenvectors */
#define SCALAR_PREC 64         /* precision of norms and thresholds (heuristics only) */

/* Guard bits: 32 plus ceil(log2(n+1)) covers the growth of rounding errors in length-n
 * sums with room to spare, so the p-bit outputs are limited by their own rounding. */
static mpfr_prec_t guard_bits(long n)
{
    mpfr_prec_t lg = 0;
    while (lg < 62 && (1L << lg) < n + 1)
        lg++;
    return 32 + lg;
}

void reig_init(reig_t E, long n, mpfr_prec_t prec)
{
    if (n < 0 || prec < MPFR_PREC_MIN || prec > MPFR_PREC_MAX - 1024) {
        /* valid (empty) before reporting: the handler may not return */
        E->n = 0;
        E->prec = MPFR_PREC_MIN;
        E->values = E->resid = NULL;
        rmat_init(E->vectors, 0, 0, MPFR_PREC_MIN);
        ae_error("reig_init", "bad size %ld or precision %ld", n, (long) prec);
        return;
    }
    E->n = n;
    E->prec = prec;
    E->values = ae_malloc((size_t) n * sizeof(mpfr_t));
    E->resid = ae_malloc((size_t) n * sizeof(mpfr_t));
    for (long i = 0; i < n; i++) {
        mpfr_init2(E->values[i], prec);
        mpfr_init2(E->resid[i], prec);
        mpfr_set_zero(E->values[i], 1);
        mpfr_set_zero(E->resid[i], 1);
    }
    rmat_init(E->vectors, n, n, prec);
}

void reig_clear(reig_t E)
{
    for (long i = 0; i < E->n; i++) {
        mpfr_clear(E->values[i]);
        mpfr_clear(E->resid[i]);
    }
    free(E->values);
    free(E->resid);
    rmat_clear(E->vectors);
    E->values = E->resid = NULL;
    E->n = 0;
}

static int check_input(const char *func, const reig_t E, const rmat_t A)
{
    if (A->r != A->c) {
        ae_error(func, "matrix is not square (%ld x %ld)", A->r, A->c);
        return AE_EINVAL;
    }
    if (A->r != E->n) {
        ae_error(func, "size mismatch: matrix %ld, solution %ld", A->r, E->n);
        return AE_EINVAL;
    }
    if (A->prec != E->prec) {
        ae_error(func, "precision mismatch: matrix %ld, solution %ld", (long) A->prec,
                 (long) E->prec);
        return AE_EINVAL;
    }
    if (!rmat_is_finite(A)) {
        ae_error(func, "entry is NaN or infinite");
        return AE_EINVAL;
    }
    if (!rmat_is_symmetric(A)) {
        ae_error(func, "matrix is not symmetric");
        return AE_EINVAL;
    }
    return AE_OK;
}

/* ---- certification ----------------------------------------------------------- */

/* bound[c] for columns c = 0..ncols-1 of V against lam[c]; inputs already validated.
 * One set of temporaries serves all columns. */
static void resid_bounds(mpfr_t *bound, const rmat_t A, mpfr_t *lam, const rmat_t V,
                         long j0, long ncols)
{
    long n = A->r;
    mpfr_prec_t pa = A->prec;
    for (long c = 0; c < ncols; c++)
        if (mpfr_get_prec(lam[c]) > pa)
            pa = mpfr_get_prec(lam[c]);
    mpfr_prec_t psum = pa + V->prec + 64;
    mpfr_t *prod = ae_malloc((size_t) (n + 1) * sizeof(mpfr_t));
    mpfr_t *sq = ae_malloc((size_t) (n + 1) * sizeof(mpfr_t));
    mpfr_ptr *pp = ae_malloc((size_t) (n + 1) * sizeof(mpfr_ptr));
    mpfr_ptr *ps = ae_malloc((size_t) (n + 1) * sizeof(mpfr_ptr));
    for (long k = 0; k <= n; k++) {
        mpfr_init2(prod[k], pa + V->prec);      /* products are exact */
        mpfr_init2(sq[k], 2 * SCALAR_PREC);
        pp[k] = prod[k];
        ps[k] = sq[k];
    }
    mpfr_t ri, b, u, rn, vn;
    mpfr_init2(ri, psum);
    mpfr_inits2(SCALAR_PREC, b, u, rn, vn, (mpfr_ptr) 0);
    for (long c = 0; c < ncols; c++) {
        long j = j0 + c;
        for (long i = 0; i < n; i++) {
            for (long k = 0; k < n; k++)
                mpfr_mul(prod[k], rmat_entry(A, i, k), rmat_entry(V, k, j), MPFR_RNDN);
            mpfr_mul(prod[n], lam[c], rmat_entry(V, i, j), MPFR_RNDN);
            mpfr_neg(prod[n], prod[n], MPFR_RNDN);
            int inex = mpfr_sum(ri, pp, (unsigned long) (n + 1), MPFR_RNDN);
            mpfr_abs(b, ri, MPFR_RNDU);
            if (inex != 0 && !mpfr_zero_p(ri)) {
                /* a correctly rounded result is within half an ulp; add a whole one */
                mpfr_set_ui_2exp(u, 1, mpfr_get_exp(ri) - (mpfr_exp_t) psum, MPFR_RNDU);
                mpfr_add(b, b, u, MPFR_RNDU);
            }
            mpfr_sqr(sq[i], b, MPFR_RNDU);      /* exact at 2 * SCALAR_PREC */
        }
        mpfr_sum(rn, ps, (unsigned long) n, MPFR_RNDU);
        mpfr_sqrt(rn, rn, MPFR_RNDU);
        for (long k = 0; k < n; k++)
            mpfr_sqr(sq[k], rmat_entry(V, k, j), MPFR_RNDD);
        mpfr_sum(vn, ps, (unsigned long) n, MPFR_RNDD);
        mpfr_sqrt(vn, vn, MPFR_RNDD);
        if (mpfr_zero_p(vn))
            mpfr_set_inf(bound[c], 1);
        else
            mpfr_div(bound[c], rn, vn, MPFR_RNDU);
    }
    for (long k = 0; k <= n; k++) {
        mpfr_clear(prod[k]);
        mpfr_clear(sq[k]);
    }
    mpfr_clears(ri, b, u, rn, vn, (mpfr_ptr) 0);
    free(prod);
    free(sq);
    free(pp);
    free(ps);
}

int reig_resid_bound(mpfr_t bound, const rmat_t A, const mpfr_t lambda, const rmat_t V,
                     long j)
{
    long n = A->r;
    if (A->c != n || V->r != n || j < 0 || j >= V->c) {
        ae_error("reig_resid_bound", "bad dimensions (A %ld x %ld, V %ld x %ld, column %ld)",
                 A->r, A->c, V->r, V->c, j);
        return AE_EINVAL;
    }
    if (!mpfr_number_p(lambda) || !rmat_is_finite(A) || !rmat_is_finite(V)) {
        ae_error("reig_resid_bound", "NaN or infinite input");
        return AE_EINVAL;
    }
    mpfr_t lam[1], b[1];
    mpfr_init2(lam[0], mpfr_get_prec(lambda));
    mpfr_init2(b[0], mpfr_get_prec(bound));
    mpfr_set(lam[0], lambda, MPFR_RNDN);        /* exact */
    resid_bounds(b, A, lam, V, j, 1);
    mpfr_set(bound, b[0], MPFR_RNDU);           /* exact */
    mpfr_clear(lam[0]);
    mpfr_clear(b[0]);
    return AE_OK;
}

/* Writes E from working-precision eigenvalue estimates lam and basis X: columns
 * normalised and rounded once to E->prec, sorted by descending value, then certified. */
static void reig_finish(reig_t E, const rmat_t A, mpfr_t *lam, const rmat_t X)
{
    long n = E->n;
    long *idx = ae_malloc((size_t) n * sizeof(long));
    for (long i = 0; i < n; i++) {
        long j = i;
        while (j > 0 && mpfr_cmp(lam[idx[j - 1]], lam[i]) < 0) {
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = i;
    }
    mpfr_t nrm;
    mpfr_init2(nrm, X->prec);
    for (long c = 0; c < n; c++) {
        long j = idx[c];
        mpfr_set_zero(nrm, 1);
        for (long k = 0; k < n; k++)
            mpfr_fma(nrm, rmat_entry(X, k, j), rmat_entry(X, k, j), nrm, MPFR_RNDN);
        mpfr_sqrt(nrm, nrm, MPFR_RNDN);
        for (long k = 0; k < n; k++) {
            if (mpfr_zero_p(nrm))
                mpfr_set_zero(rmat_entry(E->vectors, k, c), 1);
            else
                mpfr_div(rmat_entry(E->vectors, k, c), rmat_entry(X, k, j), nrm, MPFR_RNDN);
        }
        mpfr_set(E->values[c], lam[j], MPFR_RNDN);
    }
    resid_bounds(E->resid, A, E->values, E->vectors, 0, n);
    mpfr_clear(nrm);
    free(idx);
}

/* ---- Jacobi ------------------------------------------------------------------ */

/* Cyclic Jacobi on the symmetric B (full storage, modified towards diagonal form) with
 * the rotations accumulated into V's columns (V <- V J).  Rotation (p, q) is skipped when
 * |b_pq| <= thr; done when a whole sweep is skipped.  Rutishauser's formulation
 * (tau = s / (1 + c)) keeps the updates small corrections of the old entries. */
static int jacobi_core(rmat_t B, rmat_t V, const mpfr_t thr, long max_sweeps)
{
    long n = B->r;
    mpfr_t theta, t, c, s, tau, g, h, x, one, gv, hv;
    mpfr_inits2(B->prec, theta, t, c, s, tau, g, h, x, one, (mpfr_ptr) 0);
    /* mpfr_swap exchanges precisions too, so V's old entries go to temporaries of V's
     * precision */
    mpfr_inits2(V->prec, gv, hv, (mpfr_ptr) 0);
    mpfr_set_ui(one, 1, MPFR_RNDN);
    int status = AE_NOTCONV;
    for (long sweep = 0; sweep < max_sweeps; sweep++) {
        long rotated = 0;
        for (long p = 0; p < n; p++)
            for (long q = p + 1; q < n; q++) {
                mpfr_ptr bpq = rmat_entry(B, p, q);
                if (mpfr_cmpabs(bpq, thr) <= 0)
                    continue;
                rotated++;
                /* theta = (b_qq - b_pp) / (2 b_pq), t = sgn(theta) / (|theta| + sqrt(theta^2 + 1))
                 * is the smaller root of t^2 + 2 theta t - 1 = 0 (rotation angle <= pi/4). */
                mpfr_sub(theta, rmat_entry(B, q, q), rmat_entry(B, p, p), MPFR_RNDN);
                mpfr_div(theta, theta, bpq, MPFR_RNDN);
                mpfr_div_2ui(theta, theta, 1, MPFR_RNDN);
                mpfr_hypot(t, theta, one, MPFR_RNDN);
                mpfr_abs(x, theta, MPFR_RNDN);
                mpfr_add(t, t, x, MPFR_RNDN);
                mpfr_ui_div(t, 1, t, MPFR_RNDN);
                if (mpfr_sgn(theta) < 0)
                    mpfr_neg(t, t, MPFR_RNDN);
                mpfr_hypot(c, t, one, MPFR_RNDN);
                mpfr_ui_div(c, 1, c, MPFR_RNDN);
                mpfr_mul(s, t, c, MPFR_RNDN);
                mpfr_add_ui(tau, c, 1, MPFR_RNDN);
                mpfr_div(tau, s, tau, MPFR_RNDN);
                mpfr_mul(h, t, bpq, MPFR_RNDN);
                mpfr_sub(rmat_entry(B, p, p), rmat_entry(B, p, p), h, MPFR_RNDN);
                mpfr_add(rmat_entry(B, q, q), rmat_entry(B, q, q), h, MPFR_RNDN);
                mpfr_set_zero(bpq, 1);
                mpfr_set_zero(rmat_entry(B, q, p), 1);
                for (long r = 0; r < n; r++) {
                    if (r == p || r == q)
                        continue;
                    mpfr_swap(g, rmat_entry(B, r, p));
                    mpfr_swap(h, rmat_entry(B, r, q));
                    /* b_rp = g - s (h + g tau),  b_rq = h + s (g - h tau) */
                    mpfr_fma(x, g, tau, h, MPFR_RNDN);
                    mpfr_fms(x, s, x, g, MPFR_RNDN);
                    mpfr_neg(rmat_entry(B, r, p), x, MPFR_RNDN);
                    mpfr_fms(x, h, tau, g, MPFR_RNDN);
                    mpfr_fms(x, s, x, h, MPFR_RNDN);
                    mpfr_neg(rmat_entry(B, r, q), x, MPFR_RNDN);
                    mpfr_set(rmat_entry(B, p, r), rmat_entry(B, r, p), MPFR_RNDN);
                    mpfr_set(rmat_entry(B, q, r), rmat_entry(B, r, q), MPFR_RNDN);
                }
                for (long r = 0; r < V->r; r++) {
                    mpfr_swap(gv, rmat_entry(V, r, p));
                    mpfr_swap(hv, rmat_entry(V, r, q));
                    mpfr_fma(x, gv, tau, hv, MPFR_RNDN);
                    mpfr_fms(rmat_entry(V, r, p), s, x, gv, MPFR_RNDN);
                    mpfr_neg(rmat_entry(V, r, p), rmat_entry(V, r, p), MPFR_RNDN);
                    mpfr_fms(x, hv, tau, gv, MPFR_RNDN);
                    mpfr_fms(rmat_entry(V, r, q), s, x, hv, MPFR_RNDN);
                    mpfr_neg(rmat_entry(V, r, q), rmat_entry(V, r, q), MPFR_RNDN);
                }
            }
        if (rotated == 0) {
            status = AE_OK;
            break;
        }
    }
    mpfr_clears(theta, t, c, s, tau, g, h, x, one, gv, hv, (mpfr_ptr) 0);
    return status;
}

/* thr = 2^-(w-4) ||A||_F: below this an off-diagonal entry is at the rounding level of
 * the working precision w and further rotations cannot improve the p-bit result. */
static void jacobi_threshold(mpfr_t thr, const rmat_t A, mpfr_prec_t w)
{
    rmat_frobenius(thr, A, MPFR_RNDU);
    mpfr_mul_2si(thr, thr, -(long) (w - 4), MPFR_RNDU);
}

int reig_sym_jacobi(reig_t E, const rmat_t A)
{
    int st = check_input("reig_sym_jacobi", E, A);
    if (st != AE_OK)
        return st;
    long n = E->n;
    mpfr_prec_t w = E->prec + guard_bits(n);
    rmat_t B, V;
    rmat_init(B, n, n, w);
    rmat_init(V, n, n, w);
    rmat_set(B, A, MPFR_RNDN);      /* exact: w > prec */
    rmat_one(V);
    mpfr_t thr;
    mpfr_init2(thr, SCALAR_PREC);
    jacobi_threshold(thr, A, w);
    st = jacobi_core(B, V, thr, JACOBI_MAX_SWEEPS);
    mpfr_t *lam = ae_malloc((size_t) n * sizeof(mpfr_t));
    for (long i = 0; i < n; i++) {
        mpfr_init2(lam[i], w);
        mpfr_set(lam[i], rmat_entry(B, i, i), MPFR_RNDN);
    }
    reig_finish(E, A, lam, V);
    for (long i = 0; i < n; i++)
        mpfr_clear(lam[i]);
    free(lam);
    mpfr_clear(thr);
    rmat_clear(B);
    rmat_clear(V);
    return st;
}

/* ---- Ogita–Aishima refinement ------------------------------------------------ */

/* The least e with |a_ij| < 2^e for all entries (0 for the zero matrix). */
static mpfr_exp_t max_exp(const rmat_t A)
{
    int any = 0;
    mpfr_exp_t e = 0;
    for (long k = 0; k < A->r * A->c; k++)
        if (!mpfr_zero_p(A->entries[k]) && (!any || mpfr_get_exp(A->entries[k]) > e)) {
            e = mpfr_get_exp(A->entries[k]);
            any = 1;
        }
    return e;
}

/* X = GSL's double eigenvectors of A 2^-e (entries below 1 in magnitude): the scaling
 * keeps every entry within double range (tiny ones may flush, which only costs start
 * accuracy) and does not change eigenvectors.  Portability: gsl_eigen_symmv is plain C
 * (no libm transcendental, BLAS calls to the reference libgslcblas), so the start has the
 * same bits on every x86-64 with Debian's GSL; and the output of reig_sym does not depend
 * on the start anyway (canonical rounding, below), so another GSL or BLAS changes
 * nothing either. */
static int gsl_start(rmat_t X, const rmat_t A, mpfr_exp_t e)
{
    long n = A->r;
    gsl_set_error_handler_off();        /* allocation failures become AE_EGSL */
    gsl_matrix *Ad = gsl_matrix_alloc((size_t) n, (size_t) n);
    gsl_matrix *V = gsl_matrix_alloc((size_t) n, (size_t) n);
    gsl_vector *ev = gsl_vector_alloc((size_t) n);
    int st = AE_EGSL;
    if (Ad != NULL && V != NULL && ev != NULL) {
        mpfr_t t;
        mpfr_init2(t, 53);
        for (long i = 0; i < n; i++)
            for (long j = 0; j < n; j++) {
                mpfr_mul_2si(t, rmat_entry(A, i, j), -(long) e, MPFR_RNDN);
                gsl_matrix_set(Ad, (size_t) i, (size_t) j, mpfr_get_d(t, MPFR_RNDN));
            }
        mpfr_clear(t);
        st = dmat_eigen_symm(ev, V, Ad);
        if (st == AE_OK)
            for (long i = 0; i < n; i++)
                for (long j = 0; j < n; j++)
                    mpfr_set_d(rmat_entry(X, i, j), gsl_matrix_get(V, (size_t) i, (size_t) j),
                               MPFR_RNDN);
    }
    if (Ad != NULL)
        gsl_matrix_free(Ad);
    if (V != NULL)
        gsl_matrix_free(V);
    if (ev != NULL)
        gsl_vector_free(ev);
    return st;
}

/* The refinement's matrix products run in fixed point: X = Xz 2^-F and A ~ Az 2^(eA-F)
 * with integer matrices Xz, Az of about F bits.  Sums of products are then exact
 * (mpz_addmul, about twice as fast as mpfr_fma at these sizes), and the only roundings
 * are the representation of A (relative 2^-F of max |a_ij|, far below the 2^-prec
 * target) and one rounding per stored result.  R, S and E are small matrices of
 * corrections and live in MPFR at precision F. */
typedef struct {
    long n;
    mpfr_prec_t F;
    mpfr_exp_t eA;
    mpz_t *X, *Az, *AX, *T, *row;   /* n*n, n*n, n*n, n*n scratch, n scratch */
    mpz_t acc, one2F;               /* accumulator; 2^(2F) */
    rmat_t R, S;                    /* precision F */
    mpfr_t *lam;                    /* precision F */
    mpfr_t d, num;                  /* precision F */
    /* heuristics at SCALAR_PREC */
    mpfr_t normA, dlt, nsd, nr, sq, thrS, thrR, offR, offsep, offclu, emax;
    long nclu;                      /* number of clustered pairs */
    mpfr_t cnext;                   /* max |s_ij + (l_i + l_j) r_ij / 2| over clustered pairs */
} oa_ws;

/* Sizes the allocations up front so that the product loops never reallocate (called
 * with growing sizes only, so every stored value fits and is kept). */
static void zvec_reserve(mpz_t *v, long n, mp_bitcnt_t bits)
{
    for (long k = 0; k < n; k++)
        mpz_realloc2(v[k], bits);
}

/* r = x 2^-s rounded to nearest (ties up), s >= 1, without temporaries:
 * floor((x + 2^(s-1)) / 2^s) = floor((floor(x / 2^(s-1)) + 1) / 2). */
static void round_shift(mpz_t r, const mpz_t x, mp_bitcnt_t s)
{
    mpz_fdiv_q_2exp(r, x, s - 1);
    mpz_add_ui(r, r, 1);
    mpz_fdiv_q_2exp(r, r, 1);
}

static void oa_init(oa_ws *W, long n, const rmat_t A)
{
    W->n = n;
    W->F = 0;
    W->eA = max_exp(A);
    W->X = zvec_init(n * n);
    W->Az = zvec_init(n * n);
    W->AX = zvec_init(n * n);
    W->T = zvec_init(n * n);
    W->row = zvec_init(n);
    mpz_inits(W->acc, W->one2F, NULL);
    rmat_init(W->R, n, n, MPFR_PREC_MIN);
    rmat_init(W->S, n, n, MPFR_PREC_MIN);
    W->lam = ae_malloc((size_t) n * sizeof(mpfr_t));
    for (long i = 0; i < n; i++)
        mpfr_init2(W->lam[i], MPFR_PREC_MIN);
    mpfr_inits2(MPFR_PREC_MIN, W->d, W->num, (mpfr_ptr) 0);
    mpfr_inits2(SCALAR_PREC, W->normA, W->dlt, W->nsd, W->nr, W->sq, W->thrS, W->thrR,
                W->offR, W->offsep, W->offclu, W->emax, W->cnext, (mpfr_ptr) 0);
}

static void oa_clear(oa_ws *W)
{
    long n = W->n;
    zvec_clear(W->X, n * n);
    zvec_clear(W->Az, n * n);
    zvec_clear(W->AX, n * n);
    zvec_clear(W->T, n * n);
    zvec_clear(W->row, n);
    mpz_clears(W->acc, W->one2F, NULL);
    rmat_clear(W->R);
    rmat_clear(W->S);
    for (long i = 0; i < n; i++)
        mpfr_clear(W->lam[i]);
    free(W->lam);
    mpfr_clears(W->d, W->num, W->normA, W->dlt, W->nsd, W->nr, W->sq, W->thrS, W->thrR,
                W->offR, W->offsep, W->offclu, W->emax, W->cnext, (mpfr_ptr) 0);
}

/* Moves to F fraction bits: X is shifted exactly (F only grows), A re-rounded, the MPFR
 * parts re-sized. */
static void oa_set_F(oa_ws *W, const rmat_t A, mpfr_prec_t F)
{
    long n = W->n, nn = n * n;
    mp_bitcnt_t lg = (mp_bitcnt_t) guard_bits(n) - 32;
    if (W->F > 0 && F > W->F)
        for (long k = 0; k < nn; k++)
            mpz_mul_2exp(W->X[k], W->X[k], (mp_bitcnt_t) (F - W->F));
    W->F = F;
    mpfr_t t;
    mpfr_init2(t, A->prec);
    for (long k = 0; k < nn; k++) {
        mpfr_mul_2si(t, A->entries[k], (long) F - (long) W->eA, MPFR_RNDN);   /* exact */
        mpfr_get_z(W->Az[k], t, MPFR_RNDN);
    }
    mpfr_clear(t);
    zvec_reserve(W->X, nn, (mp_bitcnt_t) F + 64);
    zvec_reserve(W->AX, nn, (mp_bitcnt_t) F + lg + 64);
    zvec_reserve(W->T, nn, (mp_bitcnt_t) F + 64);
    zvec_reserve(W->row, n, (mp_bitcnt_t) F + lg + 64);
    zvec_reserve(&W->acc, 1, 2 * (mp_bitcnt_t) F + 2 * lg + 128);
    mpz_set_ui(W->one2F, 0);
    mpz_setbit(W->one2F, 2 * (mp_bitcnt_t) F);
    for (long k = 0; k < nn; k++) {
        mpfr_set_prec(W->R->entries[k], F);
        mpfr_set_prec(W->S->entries[k], F);
    }
    W->R->prec = W->S->prec = F;
    for (long i = 0; i < n; i++)
        mpfr_set_prec(W->lam[i], F);
    mpfr_set_prec(W->d, F);
    mpfr_set_prec(W->num, F);
}

/* X (MPFR) -> Xz = round(X 2^F); X is destroyed. */
static void oa_load_X(oa_ws *W, rmat_t X)
{
    for (long k = 0; k < W->n * W->n; k++) {
        mpfr_mul_2si(X->entries[k], X->entries[k], (long) W->F, MPFR_RNDN);   /* exact */
        mpfr_get_z(W->X[k], X->entries[k], MPFR_RNDN);
    }
}

/* X (MPFR, precision >= F + 2 makes it exact) = Xz 2^-F. */
static void oa_store_X(rmat_t X, const oa_ws *W)
{
    for (long k = 0; k < W->n * W->n; k++)
        mpfr_set_z_2exp(X->entries[k], W->X[k], -(mpfr_exp_t) W->F, MPFR_RNDN);
}

/* One Ogita–Aishima evaluation: R = I - X^T X, S = X^T A X, lam, delta, and the
 * off-diagonal measures (max |r_ij| over all i, j; max |s_ij|, i != j, over separated and
 * over clustered pairs). */
static void oa_eval(oa_ws *W)
{
    long n = W->n;
    mp_bitcnt_t F = (mp_bitcnt_t) W->F;
    mpz_t *X = W->X, *Az = W->Az, *AX = W->AX;
    for (long k = 0; k < n; k++)            /* AX = A X with scale 2^(eA - F) */
        for (long j = 0; j < n; j++) {
            mpz_set_ui(W->acc, 0);
            for (long l = 0; l < n; l++)
                mpz_addmul(W->acc, Az[k * n + l], X[l * n + j]);
            round_shift(AX[k * n + j], W->acc, F);
        }
    for (long i = 0; i < n; i++)
        for (long j = i; j < n; j++) {
            mpz_set_ui(W->acc, 0);
            for (long k = 0; k < n; k++)
                mpz_addmul(W->acc, X[k * n + i], X[k * n + j]);
            if (i == j)
                mpz_sub(W->acc, W->one2F, W->acc);
            else
                mpz_neg(W->acc, W->acc);
            mpfr_set_z_2exp(rmat_entry(W->R, i, j), W->acc, -2 * (mpfr_exp_t) F, MPFR_RNDN);
            mpfr_set(rmat_entry(W->R, j, i), rmat_entry(W->R, i, j), MPFR_RNDN);
            mpz_set_ui(W->acc, 0);
            for (long k = 0; k < n; k++)
                mpz_addmul(W->acc, X[k * n + i], AX[k * n + j]);
            mpfr_set_z_2exp(rmat_entry(W->S, i, j), W->acc, W->eA - 2 * (mpfr_exp_t) F,
                            MPFR_RNDN);
            mpfr_set(rmat_entry(W->S, j, i), rmat_entry(W->S, i, j), MPFR_RNDN);
        }
    for (long i = 0; i < n; i++) {
        mpfr_ui_sub(W->d, 1, rmat_entry(W->R, i, i), MPFR_RNDN);
        mpfr_div(W->lam[i], rmat_entry(W->S, i, i), W->d, MPFR_RNDN);
    }
    /* delta = 2 (||S - diag(lam)||_F + ||A||_F ||R||_F); Frobenius norms bound the
     * spectral norms of the paper, which only makes the cluster test more cautious. */
    mpfr_set_zero(W->nsd, 1);
    mpfr_set_zero(W->nr, 1);
    mpfr_set_zero(W->offR, 1);
    for (long i = 0; i < n; i++)
        for (long j = 0; j < n; j++) {
            if (i == j) {
                mpfr_sub(W->sq, rmat_entry(W->S, i, i), W->lam[i], MPFR_RNDN);
                mpfr_sqr(W->sq, W->sq, MPFR_RNDN);
            } else {
                mpfr_sqr(W->sq, rmat_entry(W->S, i, j), MPFR_RNDN);
            }
            mpfr_add(W->nsd, W->nsd, W->sq, MPFR_RNDN);
            mpfr_sqr(W->sq, rmat_entry(W->R, i, j), MPFR_RNDN);
            mpfr_add(W->nr, W->nr, W->sq, MPFR_RNDN);
            if (mpfr_cmpabs(rmat_entry(W->R, i, j), W->offR) > 0)
                mpfr_abs(W->offR, rmat_entry(W->R, i, j), MPFR_RNDU);
        }
    mpfr_sqrt(W->nsd, W->nsd, MPFR_RNDN);
    mpfr_sqrt(W->nr, W->nr, MPFR_RNDN);
    mpfr_mul(W->nr, W->nr, W->normA, MPFR_RNDN);
    mpfr_add(W->dlt, W->nsd, W->nr, MPFR_RNDN);
    mpfr_mul_2ui(W->dlt, W->dlt, 1, MPFR_RNDN);
    mpfr_set_zero(W->offsep, 1);
    mpfr_set_zero(W->offclu, 1);
    W->nclu = 0;
    for (long i = 0; i < n; i++)
        for (long j = i + 1; j < n; j++) {
            mpfr_sub(W->d, W->lam[j], W->lam[i], MPFR_RNDN);
            int sep = mpfr_cmpabs(W->d, W->dlt) > 0;
            W->nclu += !sep;
            mpfr_ptr off = sep ? W->offsep : W->offclu;
            if (mpfr_cmpabs(rmat_entry(W->S, i, j), off) > 0)
                mpfr_abs(off, rmat_entry(W->S, i, j), MPFR_RNDU);
        }
}

/* X <- X + X E with the Ogita–Aishima correction E built in place of R;
 * W->emax = max |E_ij|. */
static void oa_update(oa_ws *W)
{
    long n = W->n;
    mp_bitcnt_t F = (mp_bitcnt_t) W->F;
    rmat_struct *Em = W->R;
    mpfr_set_zero(W->emax, 1);
    mpfr_set_zero(W->cnext, 1);
    for (long i = 0; i < n; i++) {
        mpfr_div_2ui(rmat_entry(Em, i, i), rmat_entry(Em, i, i), 1, MPFR_RNDN);
        for (long j = i + 1; j < n; j++) {
            mpfr_ptr eij = rmat_entry(Em, i, j), eji = rmat_entry(Em, j, i);
            mpfr_srcptr sij = rmat_entry(W->S, i, j);
            mpfr_sub(W->d, W->lam[j], W->lam[i], MPFR_RNDN);
            if (mpfr_cmpabs(W->d, W->dlt) > 0) {
                /* both entries read r_ij (= r_ji) before it is overwritten */
                mpfr_fma(W->num, W->lam[i], eji, sij, MPFR_RNDN);     /* s_ij + lam_i r_ij */
                mpfr_fma(eij, W->lam[j], eij, sij, MPFR_RNDN);        /* s_ij + lam_j r_ij */
                mpfr_div(eij, eij, W->d, MPFR_RNDN);
                mpfr_neg(W->d, W->d, MPFR_RNDN);
                mpfr_div(eji, W->num, W->d, MPFR_RNDN);
            } else {
                /* first-order value of s_ij after the update (see oa_predict_converged) */
                mpfr_add(W->num, W->lam[i], W->lam[j], MPFR_RNDN);
                mpfr_div_2ui(W->num, W->num, 1, MPFR_RNDN);
                mpfr_fma(W->num, W->num, eij, sij, MPFR_RNDN);
                if (mpfr_cmpabs(W->num, W->cnext) > 0)
                    mpfr_abs(W->cnext, W->num, MPFR_RNDU);
                mpfr_div_2ui(eij, eij, 1, MPFR_RNDN);
                mpfr_div_2ui(eji, eji, 1, MPFR_RNDN);
            }
        }
    }
    for (long k = 0; k < n * n; k++) {
        if (mpfr_cmpabs(Em->entries[k], W->emax) > 0)
            mpfr_abs(W->emax, Em->entries[k], MPFR_RNDU);
        mpfr_mul_2si(W->num, Em->entries[k], (long) F, MPFR_RNDN);     /* exact */
        mpfr_get_z(W->T[k], W->num, MPFR_RNDN);
    }
    /* row k of X only feeds row k of X E, so rows are replaced one at a time */
    for (long k = 0; k < n; k++) {
        for (long j = 0; j < n; j++) {
            mpz_set_ui(W->acc, 0);
            for (long i = 0; i < n; i++)
                mpz_addmul(W->acc, W->X[k * n + i], W->T[i * n + j]);
            round_shift(W->row[j], W->acc, F);
        }
        for (long j = 0; j < n; j++)
            mpz_add(W->X[k * n + j], W->X[k * n + j], W->row[j]);
    }
}

/* After an update at full precision: 1 if the next evaluation is certain (up to the
 * rounding terms below) to pass the convergence test, so it can be skipped.  With
 * X' = X (I + E) and the Ogita-Aishima choice of E one has exactly
 *   R' = (R - E - E^T) + E^T R + R E - E^T (I - R) E,   where R - E - E^T = 0,
 *   S' = (S + E^T D + D E) + E^T (S - D) + (S - D) E + E^T S E,
 * where (S + E^T D + D E)_ij = 0 for separated pairs and s_ij + (l_i + l_j) r_ij / 2 for
 * clustered ones (if any; their maximum is cnext).  With ||E||_F <= n emax,
 * ||R||_F <= n offR, ||S - D||_F = nsd and ||S|| <= 2 ||A||_F this bounds the next
 * off-diagonal measures; 8 n 2^-F ||A||_F covers the roundings (X', fixed-point A, R, S). */
static int oa_predict_converged(oa_ws *W)
{
    long n = W->n;
    mpfr_t ne, a, rnd, pr, ps, pc;
    mpfr_inits2(SCALAR_PREC, ne, a, rnd, pr, ps, pc, (mpfr_ptr) 0);
    mpfr_mul_ui(ne, W->emax, (unsigned long) n, MPFR_RNDU);
    mpfr_mul_ui(a, W->offR, (unsigned long) n, MPFR_RNDU);
    mpfr_max(a, a, ne, MPFR_RNDU);
    mpfr_set_ui_2exp(rnd, 8 * (unsigned long) n, -(mpfr_exp_t) W->F, MPFR_RNDU);
    mpfr_mul(pr, ne, a, MPFR_RNDU);                 /* R' */
    mpfr_mul_2ui(pr, pr, 2, MPFR_RNDU);
    mpfr_add(pr, pr, rnd, MPFR_RNDU);
    mpfr_mul(ps, ne, W->normA, MPFR_RNDU);          /* S', separated */
    mpfr_add(ps, ps, W->nsd, MPFR_RNDU);
    mpfr_mul(ps, ps, ne, MPFR_RNDU);
    mpfr_mul_2ui(ps, ps, 1, MPFR_RNDU);
    mpfr_mul(a, rnd, W->normA, MPFR_RNDU);
    mpfr_add(ps, ps, a, MPFR_RNDU);
    mpfr_add(pc, W->cnext, ps, MPFR_RNDU);          /* S', clustered */
    int ok = mpfr_cmp(pr, W->thrR) <= 0 && mpfr_cmp(ps, W->thrS) <= 0
             && (W->nclu == 0 || mpfr_cmp(pc, W->thrS) <= 0);
    mpfr_clears(ne, a, rnd, pr, ps, pc, (mpfr_ptr) 0);
    return ok;
}

/* The Ogita–Aishima solver of reig.h into E (precision E->prec, A checked, n >= 1), from
 * GSL's double start when X0 is NULL, else from X0 (any n x n rmat). */
static int oa_solve(reig_t E, const rmat_t A, const rmat_t X0)
{
    int st;
    long n = E->n;
    mpfr_prec_t p = E->prec, g = guard_bits(n), wmax = p + g;
    mpfr_prec_t w = 2 * OA_GSL_BITS + g < wmax ? 2 * OA_GSL_BITS + g : wmax;
    oa_ws W;
    oa_init(&W, n, A);
    rmat_t X;                       /* MPFR view of the basis, precision wmax + 2 */
    rmat_init(X, n, n, wmax + 2);
    if (X0 != NULL)
        rmat_set(X, X0, MPFR_RNDN);
    else if (gsl_start(X, A, W.eA) != AE_OK) {
        oa_clear(&W);
        rmat_clear(X);
        return reig_sym_jacobi(E, A);
    }
    oa_set_F(&W, A, w);
    oa_load_X(&W, X);
    rmat_frobenius(W.normA, A, MPFR_RNDN);
    mpfr_mul_2si(W.thrS, W.normA, -(long) (p + 4), MPFR_RNDN);
    mpfr_set_ui_2exp(W.thrR, 1, -(mpfr_exp_t) (p + 4), MPFR_RNDN);

    st = AE_NOTCONV;
    int jacobi_runs = 0, full_steps = 0;
    for (int step = 0; step < OA_MAX_STEPS; step++) {
        if (w != W.F)
            oa_set_F(&W, A, w);
        oa_eval(&W);
        if (w == wmax) {
            full_steps++;
            int sep_ok = mpfr_cmp(W.offR, W.thrR) <= 0 && mpfr_cmp(W.offsep, W.thrS) <= 0;
            if (sep_ok && mpfr_cmp(W.offclu, W.thrS) <= 0) {
                st = AE_OK;
                break;
            }
            if ((sep_ok || full_steps >= OA_STALL_STEPS) && jacobi_runs < OA_MAX_JACOBI) {
                /* The formula cannot split pairs inside delta: diagonalise X^T A X
                 * directly and rotate X; then refinement restores orthogonality. */
                mpfr_t thr;
                mpfr_init2(thr, SCALAR_PREC);
                jacobi_threshold(thr, A, w);
                oa_store_X(X, &W);
                jacobi_core(W.S, X, thr, JACOBI_MAX_SWEEPS);
                oa_load_X(&W, X);
                mpfr_clear(thr);
                jacobi_runs++;
                full_steps = 0;
                continue;
            }
        }
        oa_update(&W);
        if (w == wmax && oa_predict_converged(&W)) {
            st = AE_OK;         /* W.lam, from before the update, are accurate to O(emax^2) */
            break;
        }
        if (mpfr_zero_p(W.emax)) {
            w = wmax;
        } else {
            /* X now has about 2*bits correct bits, bits ~ -log2(emax); the next
             * evaluation must resolve R ~ 2^-2bits to its square, hence 4 bits + guard. */
            long bits = -(long) mpfr_get_exp(W.emax);
            if (bits > 0 && 4 * bits + g > w)
                w = 4 * bits + g < wmax ? 4 * bits + g : wmax;
        }
    }
    oa_store_X(X, &W);
    reig_finish(E, A, W.lam, X);
    oa_clear(&W);
    rmat_clear(X);
    return st;
}

/* ---- canonical output -------------------------------------------------------- */

/* reig_sym solves at the internal precision P = p + max(p, 128) and rounds to p, so that
 * two starts that both converge give the same p-bit output (the design argument):
 *  - a simple eigenvalue separated from the others by gap >= tau = 2^-(P-p-CANON_SLACK)
 *    ||A||_F has a P-bit eigenvector determined up to sign to about 2^-P ||A|| / gap <=
 *    2^-(p+CANON_SLACK); rounding to p bits then gives the same bits for both starts
 *    unless an entry lies within that distance of a rounding boundary (for the entries'
 *    low bits, which are unrelated to the start, a chance of about 2^-CANON_SLACK each);
 *    the sign is fixed afterwards (the entry of largest magnitude, the first on ties, is
 *    made positive: rounding to nearest is symmetric, so v and -v round to negatives);
 *  - eigenvalues closer than tau (exact multiplicities, e.g. the null space of a
 *    covariance with constant features, where any rotation of the basis is a solution)
 *    form a cluster, whose invariant subspace is determined to 2^-P / (distance to the
 *    rest); its basis is replaced by the canonical one: pivoted Gram–Schmidt on the
 *    columns of the projector Q Q^T (Q the cluster's columns), taking at each step the
 *    lowest column index whose residual norm^2 is at least 1/sqrt(3) of the largest (a
 *    choice that no 2^-P perturbation changes unless a ratio sits within 2^-P of that
 *    irrational factor, which no rational structure can arrange exactly: a factor 1/2
 *    did meet such ties on the test's dyadic matrices), values the Rayleigh quotients;
 *    the columns are then ordered by their rounded values (stable: equal values keep the
 *    pivot order);
 *  - the rounding is to fixed absolute grids, not to p significant bits: vector entries
 *    (unit columns) to multiples of 2^-p, values to multiples of 2^(E-p) with ||A||_F <
 *    2^E.  A p-bit relative rounding would keep the start's noise in entries or
 *    eigenvalues that are 0 exactly (a null space: noise ~2^-P ||A||, different per
 *    start); on the grids such noise rounds to 0.  The solver's accuracy is absolute
 *    (about 2^-p ||A||) anyway, so the grids lose nothing the certificate had.
 * The certificate never depends on this argument: resid is computed from the rounded
 * output as always.  The test perturbs and permutes the start and checks bit identity. */
#define CANON_SLACK 40

static mpfr_prec_t canon_prec(mpfr_prec_t p)
{
    return p + (p > 128 ? p : 128);
}

/* Column j of V negated unless its first entry of largest magnitude is positive. */
static void canon_sign(rmat_t V, long j)
{
    long n = V->r, best = 0;
    for (long i = 1; i < n; i++)
        if (mpfr_cmpabs(rmat_entry(V, i, j), rmat_entry(V, best, j)) > 0)
            best = i;
    if (mpfr_sgn(rmat_entry(V, best, j)) < 0)
        for (long i = 0; i < n; i++)
            mpfr_neg(rmat_entry(V, i, j), rmat_entry(V, i, j), MPFR_RNDN);
}

/* Replaces columns i0..i0+m-1 of X (unit, precision P, spanning an invariant subspace)
 * by the canonical basis described above and lam[i0..] by their Rayleigh quotients. */
static void canon_cluster(rmat_t X, mpfr_t *lam, const rmat_t A, long i0, long m)
{
    long n = X->r;
    mpfr_prec_t P = X->prec;
    rmat_t R;                               /* R = Q Q^T, then the residuals */
    rmat_init(R, n, n, P);
    mpfr_t t, nrm, best, third, *w = ae_malloc((size_t) n * sizeof(mpfr_t));
    mpfr_inits2(P, t, nrm, best, third, (mpfr_ptr) 0);
    mpfr_set_ui(third, 3, MPFR_RNDN);
    mpfr_rec_sqrt(third, third, MPFR_RNDN);
    for (long i = 0; i < n; i++)
        mpfr_init2(w[i], P);
    for (long i = 0; i < n; i++)
        for (long j = 0; j < n; j++) {
            mpfr_set_zero(rmat_entry(R, i, j), 1);
            for (long c = 0; c < m; c++)
                mpfr_fma(rmat_entry(R, i, j), rmat_entry(X, i, i0 + c), rmat_entry(X, j, i0 + c),
                         rmat_entry(R, i, j), MPFR_RNDN);
        }
    char *used = ae_calloc((size_t) n, 1);
    for (long c = 0; c < m; c++) {
        /* w[j] = ||column j of R||^2; pick the lowest unused j with w[j] >= max / 2 */
        mpfr_set_zero(best, 1);
        for (long j = 0; j < n; j++) {
            mpfr_set_zero(w[j], 1);
            for (long i = 0; i < n; i++)
                mpfr_fma(w[j], rmat_entry(R, i, j), rmat_entry(R, i, j), w[j], MPFR_RNDN);
            if (!used[j] && mpfr_cmp(w[j], best) > 0)
                mpfr_set(best, w[j], MPFR_RNDN);
        }
        mpfr_mul(best, best, third, MPFR_RNDN);     /* max / sqrt(3): see above */
        long piv = 0;
        while (piv < n - 1 && (used[piv] || mpfr_cmp(w[piv], best) < 0))
            piv++;
        used[piv] = 1;
        /* b = column piv / its norm, into X's column i0 + c */
        mpfr_sqrt(nrm, w[piv], MPFR_RNDN);
        for (long i = 0; i < n; i++) {
            if (mpfr_zero_p(nrm))
                mpfr_set_zero(rmat_entry(X, i, i0 + c), 1);
            else
                mpfr_div(rmat_entry(X, i, i0 + c), rmat_entry(R, i, piv), nrm, MPFR_RNDN);
        }
        /* R <- R - b (b^T R) */
        for (long j = 0; j < n; j++) {
            mpfr_set_zero(t, 1);
            for (long i = 0; i < n; i++)
                mpfr_fma(t, rmat_entry(X, i, i0 + c), rmat_entry(R, i, j), t, MPFR_RNDN);
            for (long i = 0; i < n; i++) {
                mpfr_mul(nrm, t, rmat_entry(X, i, i0 + c), MPFR_RNDN);
                mpfr_sub(rmat_entry(R, i, j), rmat_entry(R, i, j), nrm, MPFR_RNDN);
            }
        }
        /* lam = b^T A b */
        mpfr_set_zero(lam[i0 + c], 1);
        for (long i = 0; i < n; i++) {
            mpfr_set_zero(t, 1);
            for (long k = 0; k < n; k++)
                mpfr_fma(t, rmat_entry(A, i, k), rmat_entry(X, k, i0 + c), t, MPFR_RNDN);
            mpfr_fma(lam[i0 + c], t, rmat_entry(X, i, i0 + c), lam[i0 + c], MPFR_RNDN);
        }
    }
    free(used);
    for (long i = 0; i < n; i++)
        mpfr_clear(w[i]);
    free(w);
    mpfr_clears(t, nrm, best, third, (mpfr_ptr) 0);
    rmat_clear(R);
}

/* E (precision p) from the P-bit solution F of A2 (A at P bits, exact): clusters made
 * canonical, then rounded to p, signs fixed, ordered, certified against A. */
static void canon_round(reig_t E, const rmat_t A, reig_t F, const rmat_t A2)
{
    long n = E->n;
    mpfr_prec_t p = E->prec, P = F->prec;
    mpfr_t tau, d;
    mpfr_inits2(SCALAR_PREC, tau, d, (mpfr_ptr) 0);
    rmat_frobenius(tau, A, MPFR_RNDN);
    mpfr_mul_2si(tau, tau, -(long) (P - p - CANON_SLACK), MPFR_RNDN);
    for (long i0 = 0; i0 < n;) {
        long m = 1;
        while (i0 + m < n) {
            mpfr_sub(d, F->values[i0 + m - 1], F->values[i0 + m], MPFR_RNDN);
            if (mpfr_cmp(d, tau) > 0)
                break;
            m++;
        }
        if (m > 1)
            canon_cluster(F->vectors, F->values, A2, i0, m);
        i0 += m;
    }
    mpfr_exp_t eA = mpfr_zero_p(tau) ? 0 : mpfr_get_exp(tau) + (mpfr_exp_t) (P - p - CANON_SLACK);
    mpfr_clears(tau, d, (mpfr_ptr) 0);
    rmat_t V;
    rmat_init(V, n, n, p);
    mpfr_t g;
    mpfr_init2(g, P);
    for (long k = 0; k < n * n; k++) {           /* round(v 2^p) 2^-p: |v| <= 1 fits p bits */
        mpfr_mul_2si(g, F->vectors->entries[k], (long) p, MPFR_RNDN);
        mpfr_rint(V->entries[k], g, MPFR_RNDN);
        mpfr_mul_2si(V->entries[k], V->entries[k], -(long) p, MPFR_RNDN);
    }
    mpfr_t *val = ae_malloc((size_t) n * sizeof(mpfr_t));
    long *idx = ae_malloc((size_t) n * sizeof(long));
    for (long j = 0; j < n; j++) {
        mpfr_init2(val[j], p);                  /* round(l 2^(p-E)) 2^(E-p), |l| < 2^E */
        mpfr_mul_2si(g, F->values[j], (long) p - (long) eA, MPFR_RNDN);
        mpfr_rint(val[j], g, MPFR_RNDN);
        mpfr_mul_2si(val[j], val[j], (long) eA - (long) p, MPFR_RNDN);
        canon_sign(V, j);
        /* stable insertion by descending p-bit value */
        long k = j;
        while (k > 0 && mpfr_cmp(val[idx[k - 1]], val[j]) < 0) {
            idx[k] = idx[k - 1];
            k--;
        }
        idx[k] = j;
    }
    for (long c = 0; c < n; c++) {
        mpfr_set(E->values[c], val[idx[c]], MPFR_RNDN);
        for (long i = 0; i < n; i++)
            mpfr_set(rmat_entry(E->vectors, i, c), rmat_entry(V, i, idx[c]), MPFR_RNDN);
    }
    resid_bounds(E->resid, A, E->values, E->vectors, 0, n);
    mpfr_clear(g);
    for (long j = 0; j < n; j++)
        mpfr_clear(val[j]);
    free(val);
    free(idx);
    rmat_clear(V);
}

static int sym_canonical(reig_t E, const rmat_t A, const rmat_t X0)
{
    long n = E->n;
    mpfr_prec_t P = canon_prec(E->prec);
    rmat_t A2;
    rmat_init(A2, n, n, P);
    rmat_set(A2, A, MPFR_RNDN);                 /* exact: more bits */
    reig_t F;
    reig_init(F, n, P);
    int st = oa_solve(F, A2, X0);
    canon_round(E, A, F, A2);
    reig_clear(F);
    rmat_clear(A2);
    return st;
}

int reig_sym(reig_t E, const rmat_t A)
{
    int st = check_input("reig_sym", E, A);
    if (st != AE_OK || E->n == 0)
        return st;
    return sym_canonical(E, A, NULL);
}

int reig_sym_start(reig_t E, const rmat_t A, const rmat_t X0)
{
    int st = check_input("reig_sym_start", E, A);
    if (st != AE_OK)
        return st;
    if (X0 == NULL || X0->r != E->n || X0->c != E->n || !rmat_is_finite(X0)) {
        ae_error("reig_sym_start", "start must be a finite %ld x %ld matrix", E->n, E->n);
        return AE_EINVAL;
    }
    if (E->n == 0)
        return AE_OK;
    return sym_canonical(E, A, X0);
}
