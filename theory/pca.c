/* pca — see pca.h for the mathematics.
 *
 * Performance notes.  Everything heavy is done in integers over common denominators:
 * rationals with a shared denominator would otherwise spend their time in gcds.
 *  - pca_mean_cov: X = Z / D, C = (n Z^T Z - s s^T) / (n^2 D^2); zero entries of Z (common
 *    in image data) are skipped.
 *  - pca_certify_basis: C = Cz / c, V = Vz / v (v a power of two for MPFR eigenvectors),
 *    T = Cz Vz, Az = Vz^T T (upper triangle only), Gz = Vz^T Vz (upper triangle), so
 *    A = Az / (c v^2) and G = Gz / v^2, and every norm needed is an integer sum of squares.
 */
#include "pca.h"

#include <stdlib.h>
#include <string.h>

#include "aeerr.h"
#include "qnum.h"
#include "rmat.h"
#include "reig.h"
#include "zvec.h"

/* ---- small integer-matrix helpers ---------------------------------------------- */

/* ---- exact mean and covariance ---------------------------------------------------- */

int pca_mean_cov(mpq_t *mean, qmat_t C, const qmat_t X)
{
    long n = X->r, d = X->c;
    if (n <= 0) {
        ae_error("pca_mean_cov", "data matrix has no rows");
        return AE_EINVAL;
    }
    if (C->r != d || C->c != d) {
        ae_error("pca_mean_cov", "C is %ld x %ld, expected %ld x %ld", C->r, C->c, d, d);
        return AE_EINVAL;
    }
    if (C == X) {
        ae_error("pca_mean_cov", "C must not alias X");
        return AE_EINVAL;
    }
    mpz_t *Z = zvec_init(n * d), *S = zvec_init(d), *K = zvec_init(d * d);
    mpz_t D, den, t;
    mpz_inits(D, den, t, NULL);
    qmat_get_mpz_common(Z, D, X);

    for (long i = 0; i < n; i++) {
        const mpz_t *zi = (const mpz_t *) (Z + i * d);
        for (long a = 0; a < d; a++) {
            if (mpz_sgn(zi[a]) == 0)
                continue;
            mpz_add(S[a], S[a], zi[a]);
            mpz_t *Ka = K + a * d;
            for (long b = a; b < d; b++)
                if (mpz_sgn(zi[b]) != 0)
                    mpz_addmul(Ka[b], zi[a], zi[b]);
        }
    }
    /* den = n^2 D^2; entry (a,b) = n K_ab - S_a S_b. */
    mpz_mul_ui(den, D, (unsigned long) n);
    mpz_mul(den, den, den);
    for (long a = 0; a < d; a++) {
        for (long b = a; b < d; b++) {
            mpz_mul_ui(t, K[a * d + b], (unsigned long) n);
            mpz_submul(t, S[a], S[b]);
            mpq_ptr cab = qmat_entry(C, a, b);
            mpz_set(mpq_numref(cab), t);
            mpz_set(mpq_denref(cab), den);
            mpq_canonicalize(cab);
            if (b != a)
                mpq_set(qmat_entry(C, b, a), cab);
        }
    }
    if (mean != NULL) {
        mpz_mul_ui(t, D, (unsigned long) n);
        for (long a = 0; a < d; a++) {
            mpz_set(mpq_numref(mean[a]), S[a]);
            mpz_set(mpq_denref(mean[a]), t);
            mpq_canonicalize(mean[a]);
        }
    }
    mpz_clears(D, den, t, NULL);
    zvec_clear(Z, n * d);
    zvec_clear(S, d);
    zvec_clear(K, d * d);
    return AE_OK;
}

/* ---- exact synthetic instances ---------------------------------------------------- */

int pca_householder(qmat_t Q, const qmat_t U)
{
    long d = U->r, m = U->c;
    if (Q->r != d || Q->c != d) {
        ae_error("pca_householder", "Q is %ld x %ld, expected %ld x %ld", Q->r, Q->c, d, d);
        return AE_EINVAL;
    }
    if (Q == U) {
        ae_error("pca_householder", "Q must not alias U");
        return AE_EINVAL;
    }
    /* Reported before anything is allocated, so a handler that longjmps leaks nothing. */
    for (long j = 0; j < m; j++) {
        long i = 0;
        while (i < d && mpq_sgn(qmat_entry(U, i, j)) == 0)
            i++;
        if (i == d) {
            ae_error("pca_householder", "column %ld of U is zero", j);
            return AE_EINVAL;
        }
    }
    mpq_t *u = qvec_init(d), *w = qvec_init(d);
    mpq_t uu, c, t;
    mpq_inits(uu, c, t, NULL);
    qmat_one(Q);
    /* Q <- Q H_j = Q - (2 / u^T u) (Q u) u^T, O(d^2) per reflection. */
    for (long j = 0; j < m; j++) {
        qmat_get_col(u, U, j);
        qvec_norm2(uu, (const mpq_t *) u, d);
        mpq_set_ui(c, 2, 1);
        mpq_div(c, c, uu);
        qmat_mul_vec(w, Q, (const mpq_t *) u);
        for (long i = 0; i < d; i++) {
            if (mpq_sgn(w[i]) == 0)
                continue;
            mpq_mul(w[i], w[i], c);
            for (long l = 0; l < d; l++) {
                if (mpq_sgn(u[l]) == 0)
                    continue;
                mpq_mul(t, w[i], u[l]);
                mpq_sub(qmat_entry(Q, i, l), qmat_entry(Q, i, l), t);
            }
        }
    }
    mpq_clears(uu, c, t, NULL);
    qvec_clear(u, d);
    qvec_clear(w, d);
    return AE_OK;
}

int pca_synthetic(qmat_t X, const qmat_t Q, const mpq_t *s, const mpq_t *mean)
{
    long d = Q->r;
    if (Q->c != d) {
        ae_error("pca_synthetic", "Q is %ld x %ld, not square", Q->r, Q->c);
        return AE_EINVAL;
    }
    if (X->r != 2 * d || X->c != d) {
        ae_error("pca_synthetic", "X is %ld x %ld, expected %ld x %ld", X->r, X->c, 2 * d, d);
        return AE_EINVAL;
    }
    mpq_t t;
    mpq_init(t);
    for (long j = 0; j < d; j++)
        for (long i = 0; i < d; i++) {
            mpq_mul(t, s[j], qmat_entry(Q, i, j));
            mpq_add(qmat_entry(X, 2 * j, i), mean[i], t);
            mpq_sub(qmat_entry(X, 2 * j + 1, i), mean[i], t);
        }
    mpq_clear(t);
    return AE_OK;
}

void pca_inst_init(pca_inst_t I, long d)
{
    if (d < 1) {
        ae_error("pca_inst_init", "d = %ld < 1", d);
        d = 1;   /* keep the object valid for pca_inst_clear */
    }
    I->d = d;
    qmat_init(I->Q, d, d);
    qmat_init(I->X, 2 * d, d);
    I->s = qvec_init(d);
    I->lambda = qvec_init(d);
    I->mean = qvec_init(d);
}

void pca_inst_clear(pca_inst_t I)
{
    qmat_clear(I->Q);
    qmat_clear(I->X);
    qvec_clear(I->s, I->d);
    qvec_clear(I->lambda, I->d);
    qvec_clear(I->mean, I->d);
}

int pca_inst_build(pca_inst_t I, const qmat_t U, const mpq_t *s, const mpq_t *mean)
{
    long d = I->d;
    if (U->r != d) {
        ae_error("pca_inst_build", "U has %ld rows, expected %ld", U->r, d);
        return AE_EINVAL;
    }
    int st = pca_householder(I->Q, U);
    if (st != AE_OK)
        return st;
    qvec_set(I->s, s, d);
    qvec_set(I->mean, mean, d);
    mpq_t dd;
    mpq_init(dd);
    mpq_set_si(dd, d, 1);
    for (long j = 0; j < d; j++) {
        mpq_mul(I->lambda[j], s[j], s[j]);
        mpq_div(I->lambda[j], I->lambda[j], dd);
    }
    mpq_clear(dd);
    return pca_synthetic(I->X, I->Q, I->s, I->mean);
}

int pca_inst_random(pca_inst_t I, gsl_rng *r)
{
    long d = I->d;
    qmat_t U;
    qmat_init(U, d, d);
    mpq_t *s = qvec_init(d), *m = qvec_init(d);
    for (long j = 0; j < d; j++) {
        int nonzero = 0;
        for (long i = 0; i < d; i++) {
            long v = (long) gsl_rng_uniform_int(r, 7) - 3;
            nonzero |= v != 0;
            mpq_set_si(qmat_entry(U, i, j), v, 1);
        }
        if (!nonzero)
            mpq_set_si(qmat_entry(U, j, j), 1, 1);
    }
    /* Strictly decreasing positive scales: s_j = (sum of positive steps from the end). */
    long acc = 0;
    for (long j = d - 1; j >= 0; j--) {
        acc += 1 + (long) gsl_rng_uniform_int(r, 3);
        mpq_set_si(s[j], acc, 1);
    }
    for (long i = 0; i < d; i++) {
        mpq_set_si(m[i], (long) gsl_rng_uniform_int(r, 21) - 10,
                   1 + (unsigned long) gsl_rng_uniform_int(r, 5));
        mpq_canonicalize(m[i]);
    }
    int st = pca_inst_build(I, U, s, m);
    qvec_clear(s, d);
    qvec_clear(m, d);
    qmat_clear(U);
    return st;
}

static int check_subset(const char *func, long d, const long *S, long k)
{
    if (k < 1 || k >= d) {
        ae_error(func, "k = %ld not in [1, %ld)", k, d);
        return 0;
    }
    for (long a = 0; a < k; a++) {
        if (S[a] < 0 || S[a] >= d) {
            ae_error(func, "index S[%ld] = %ld out of range [0, %ld)", a, S[a], d);
            return 0;
        }
        for (long b = 0; b < a; b++)
            if (S[a] == S[b]) {
                ae_error(func, "index %ld repeated in S", S[a]);
                return 0;
            }
    }
    return 1;
}

int pca_inst_subset_ae(linae_t ae, const pca_inst_t I, const long *S, long k)
{
    long d = I->d;
    if (!check_subset("pca_inst_subset_ae", d, S, k))
        return AE_EINVAL;
    if (ae->d != d || ae->k != k) {
        ae_error("pca_inst_subset_ae", "ae is (d=%ld, k=%ld), expected (%ld, %ld)",
                 ae->d, ae->k, d, k);
        return AE_EINVAL;
    }
    qmat_t QS;
    qmat_init(QS, d, k);
    for (long a = 0; a < k; a++)
        for (long i = 0; i < d; i++)
            mpq_set(qmat_entry(QS, i, a), qmat_entry(I->Q, i, S[a]));
    /* Q_S has orthonormal columns, so (Q_S^T Q_S)^{-1} Q_S^T = Q_S^T exactly. */
    int st = linae_set_projector_basis(ae, QS, (const mpq_t *) I->mean);
    qmat_clear(QS);
    return st;
}

int pca_inst_subset_loss(mpq_t L, const pca_inst_t I, const long *S, long k)
{
    long d = I->d;
    if (!check_subset("pca_inst_subset_loss", d, S, k))
        return AE_EINVAL;
    mpq_set_ui(L, 0, 1);
    for (long j = 0; j < d; j++) {
        int in = 0;
        for (long a = 0; a < k; a++)
            in |= S[a] == j;
        if (!in)
            mpq_add(L, L, I->lambda[j]);
    }
    return AE_OK;
}

/* ---- certificate -------------------------------------------------------------------- */

void pca_cert_init(pca_cert_t cert)
{
    cert->d = cert->k = 0;
    mpq_inits(cert->trC, cert->trPC, cert->loss, cert->eta, cert->eps, cert->topk_upper,
              cert->topk_lower, cert->gap_upper, cert->gap_lower, cert->lam_k_lo,
              cert->lam_k_hi, cert->lam_k1_lo, cert->lam_k1_hi, NULL);
    cert->gap_certified = 0;
    cert->lambda = NULL;
    cert->basis_bits = 0;
    cert->basis_rounded = 0;
}

void pca_cert_clear(pca_cert_t cert)
{
    mpq_clears(cert->trC, cert->trPC, cert->loss, cert->eta, cert->eps, cert->topk_upper,
               cert->topk_lower, cert->gap_upper, cert->gap_lower, cert->lam_k_lo,
               cert->lam_k_hi, cert->lam_k1_lo, cert->lam_k1_hi, NULL);
    free(cert->lambda);
    cert->lambda = NULL;
}

/* ord = 0..d-1 sorted so that key[ord[.]] is descending (stable insertion sort: d is at
 * most a few hundred and this runs once per certificate). */
static void sort_desc(long *ord, const mpz_t *key, long d)
{
    for (long i = 0; i < d; i++) {
        long v = ord[i] = i, j = i;
        while (j > 0 && mpz_cmp(key[ord[j - 1]], key[v]) < 0) {
            ord[j] = ord[j - 1];
            j--;
        }
        ord[j] = v;
    }
}

/* lo = max(0, a - eps) / (1 + eta), hi = (a + eps) / (1 - eta). */
static void eig_bounds(mpq_t lo, mpq_t hi, const mpq_t a, const mpq_t eps,
                       const mpq_t onepeta, const mpq_t onemeta)
{
    mpq_sub(lo, a, eps);
    if (mpq_sgn(lo) < 0)
        mpq_set_ui(lo, 0, 1);
    mpq_div(lo, lo, onepeta);
    mpq_add(hi, a, eps);
    mpq_div(hi, hi, onemeta);
}

int pca_certify_basis(pca_cert_t cert, const qmat_t C, const qmat_t V, long k,
                      mpfr_prec_t sqrt_prec)
{
    long d = C->r;
    if (C->c != d || V->r != d || V->c != d) {
        ae_error("pca_certify_basis", "C is %ld x %ld and V is %ld x %ld; need d x d",
                 C->r, C->c, V->r, V->c);
        return AE_EINVAL;
    }
    if (k < 1 || k >= d) {
        ae_error("pca_certify_basis", "k = %ld not in [1, %ld)", k, d);
        return AE_EINVAL;
    }
    if (sqrt_prec < MPFR_PREC_MIN || sqrt_prec > MPFR_PREC_MAX) {
        ae_error("pca_certify_basis", "sqrt_prec = %ld out of range", (long) sqrt_prec);
        return AE_EINVAL;
    }
    int st = AE_OK;
    long dd = d * d;
    mpz_t *Cz = zvec_init(dd), *Vz = zvec_init(dd), *T = zvec_init(dd);
    mpz_t *Az = zvec_init(dd), *Gz = zvec_init(dd);
    mpz_t cden, vden, v2, s, t, den;
    mpz_inits(cden, vden, v2, s, t, den, NULL);
    mpq_t q, onepeta, onemeta, sum;
    mpq_inits(q, onepeta, onemeta, sum, NULL);
    long *ord = ae_malloc((size_t) d * sizeof(long));
    qmat_t Gk, Ak, Xk;
    qmat_init(Gk, k, k);
    qmat_init(Ak, k, k);
    qmat_init(Xk, k, k);

    qmat_get_mpz_common(Cz, cden, C);
    qmat_get_mpz_common(Vz, vden, V);
    cert->basis_bits = (long) mpz_sizeinbase(vden, 2) - 1;
    cert->d = d;
    cert->k = k;

    /* T = Cz Vz, skipping the zero rows/columns of C (constant features). */
    for (long i = 0; i < d; i++)
        for (long l = 0; l < d; l++) {
            const mpz_t *cil = (const mpz_t *) &Cz[i * d + l];
            if (mpz_sgn(*cil) == 0)
                continue;
            mpz_t *Ti = T + i * d;
            const mpz_t *Vl = (const mpz_t *) (Vz + l * d);
            for (long j = 0; j < d; j++)
                mpz_addmul(Ti[j], *cil, Vl[j]);
        }
    /* Az = Vz^T T and Gz = Vz^T Vz, upper triangles, row l of Vz/T streamed once. */
    for (long l = 0; l < d; l++) {
        const mpz_t *Vl = (const mpz_t *) (Vz + l * d);
        const mpz_t *Tl = (const mpz_t *) (T + l * d);
        for (long i = 0; i < d; i++) {
            if (mpz_sgn(Vl[i]) == 0)
                continue;
            mpz_t *Ai = Az + i * d, *Gi = Gz + i * d;
            for (long j = i; j < d; j++) {
                mpz_addmul(Ai[j], Vl[i], Tl[j]);
                mpz_addmul(Gi[j], Vl[i], Vl[j]);
            }
        }
    }

    /* tr C */
    mpz_set_ui(s, 0);
    for (long i = 0; i < d; i++)
        mpz_add(s, s, Cz[i * d + i]);
    mpq_set_num(cert->trC, s);
    mpq_set_den(cert->trC, cden);
    mpq_canonicalize(cert->trC);

    /* eta^2 = ||G - I||_F^2 = (sum_i (Gz_ii - v^2)^2 + 2 sum_{i<j} Gz_ij^2) / v^4 */
    mpz_mul(v2, vden, vden);
    mpz_set_ui(s, 0);
    mpz_set_ui(den, 0);
    for (long i = 0; i < d; i++) {
        mpz_sub(t, Gz[i * d + i], v2);
        mpz_addmul(s, t, t);
        for (long j = i + 1; j < d; j++)
            mpz_addmul(den, Gz[i * d + j], Gz[i * d + j]);
    }
    mpz_addmul_ui(s, den, 2);   /* each off-diagonal entry appears twice in G */
    mpz_mul(den, v2, v2);
    mpq_set_num(q, s);
    mpq_set_den(q, den);
    mpq_canonicalize(q);
    qnum_sqrt_upper(cert->eta, q, sqrt_prec);

    /* eps^2 = ||offdiag A||_F^2 = 2 sum_{i<j} Az_ij^2 / (c v^2)^2 */
    mpz_set_ui(s, 0);
    for (long i = 0; i < d; i++)
        for (long j = i + 1; j < d; j++)
            mpz_addmul(s, Az[i * d + j], Az[i * d + j]);
    mpz_mul_2exp(s, s, 1);
    mpz_mul(den, cden, v2);          /* den = c v^2, the denominator of A */
    mpz_mul(t, den, den);
    mpq_set_num(q, s);
    mpq_set_den(q, t);
    mpq_canonicalize(q);
    qnum_sqrt_upper(cert->eps, q, sqrt_prec);

    /* sorted diagonal of A (common denominator den, so sort numerators) */
    mpz_t *diag = zvec_init(d);
    for (long i = 0; i < d; i++)
        mpz_set(diag[i], Az[i * d + i]);
    sort_desc(ord, (const mpz_t *) diag, d);
    free(cert->lambda);
    cert->lambda = ae_malloc((size_t) d * sizeof(double));
    mpz_set_ui(s, 0);
    for (long j = 0; j < d; j++) {
        mpq_set_num(q, diag[ord[j]]);
        mpq_set_den(q, den);
        mpq_canonicalize(q);
        cert->lambda[j] = qnum_get_d(q);
        if (j < k)
            mpz_add(s, s, diag[ord[j]]);
    }

    mpq_set_ui(q, 1, 1);
    mpq_add(onepeta, q, cert->eta);
    mpq_sub(onemeta, q, cert->eta);
    if (mpq_sgn(onemeta) <= 0) {
        st = AE_NOTVERIFIED;
        goto done;
    }

    /* tr(P C) = tr(G_k^{-1} A_k) = tr(Gz_k^{-1} Az_k) / c */
    for (long i = 0; i < k; i++)
        for (long j = 0; j < k; j++) {
            long a = i < j ? i : j, b = i < j ? j : i;
            mpq_set_z(qmat_entry(Gk, i, j), Gz[a * d + b]);
            mpq_set_z(qmat_entry(Ak, i, j), Az[a * d + b]);
        }
    if (qmat_solve(Xk, Gk, Ak) != AE_OK) {
        st = AE_SINGULAR;
        goto done;
    }
    qmat_trace(cert->trPC, Xk);
    mpq_set_z(q, cden);
    mpq_div(cert->trPC, cert->trPC, q);
    mpq_sub(cert->loss, cert->trC, cert->trPC);

    /* U_k = (sum_{j<=k} a_(j) + k eps) / (1 - eta) */
    mpq_set_num(sum, s);
    mpq_set_den(sum, den);
    mpq_canonicalize(sum);
    mpq_set_si(q, k, 1);
    mpq_mul(q, q, cert->eps);
    mpq_add(q, q, sum);
    mpq_div(cert->topk_upper, q, onemeta);

    /* L_k = sum_{j<=k} lo_j, and the bounds on lambda_k, lambda_{k+1} */
    mpq_set_ui(cert->topk_lower, 0, 1);
    mpq_t a, lo, hi;
    mpq_inits(a, lo, hi, NULL);
    for (long j = 0; j <= k; j++) {
        mpq_set_num(a, diag[ord[j]]);
        mpq_set_den(a, den);
        mpq_canonicalize(a);
        eig_bounds(lo, hi, a, cert->eps, onepeta, onemeta);
        if (j < k)
            mpq_add(cert->topk_lower, cert->topk_lower, lo);
        if (j == k - 1) {
            mpq_set(cert->lam_k_lo, lo);
            mpq_set(cert->lam_k_hi, hi);
        }
        if (j == k) {
            mpq_set(cert->lam_k1_lo, lo);
            mpq_set(cert->lam_k1_hi, hi);
        }
    }
    mpq_clears(a, lo, hi, NULL);
    cert->gap_certified = mpq_cmp(cert->lam_k_lo, cert->lam_k1_hi) > 0;

    mpq_sub(cert->gap_upper, cert->topk_upper, cert->trPC);
    mpq_sub(cert->gap_lower, cert->topk_lower, cert->trPC);
    /* Ky Fan makes gap_upper >= 0 for PSD C; a negative value means C was not PSD or
     * a bound is wrong, and nothing can be certified. */
    if (mpq_sgn(cert->gap_upper) < 0)
        st = AE_NOTVERIFIED;

done:
    zvec_clear(diag, d);
    qmat_clear(Gk);
    qmat_clear(Ak);
    qmat_clear(Xk);
    free(ord);
    mpq_clears(q, onepeta, onemeta, sum, NULL);
    mpz_clears(cden, vden, v2, s, t, den, NULL);
    zvec_clear(Cz, dd);
    zvec_clear(Vz, dd);
    zvec_clear(T, dd);
    zvec_clear(Az, dd);
    zvec_clear(Gz, dd);
    return st;
}

int pca_cert_check_optimum(const pca_cert_t cert, const mpq_t Lclaim)
{
    mpq_t lo, hi;
    mpq_inits(lo, hi, NULL);
    mpq_sub(lo, cert->trC, cert->topk_upper);
    mpq_sub(hi, cert->trC, cert->topk_lower);
    int ok = mpq_cmp(lo, Lclaim) <= 0 && mpq_cmp(Lclaim, hi) <= 0;
    mpq_clears(lo, hi, NULL);
    return ok ? AE_OK : AE_NOTVERIFIED;
}

/* ---- the PCA-optimal AE --------------------------------------------------------------- */

/* Rounds every entry of V to the nearest multiple of 2^-g (ties away from zero). */
static void round_to_grid(qmat_t V, unsigned long g)
{
    mpz_t z, two_den;
    mpz_inits(z, two_den, NULL);
    for (long i = 0; i < V->r * V->c; i++) {
        mpq_ptr v = V->entries[i];
        /* z = floor((2 num 2^g + den) / (2 den)) = round(v 2^g) (ties up) */
        mpz_mul_2exp(z, mpq_numref(v), g + 1);
        mpz_add(z, z, mpq_denref(v));
        mpz_mul_2exp(two_den, mpq_denref(v), 1);
        mpz_fdiv_q(z, z, two_den);
        mpz_set(mpq_numref(v), z);
        mpz_set_ui(mpq_denref(v), 1);
        mpz_mul_2exp(mpq_denref(v), mpq_denref(v), g);
        mpq_canonicalize(v);
    }
    mpz_clears(z, two_den, NULL);
}

int pca_optimal_ae(linae_t ae, pca_cert_t cert, const qmat_t X, long k, mpfr_prec_t prec)
{
    long n = X->r, d = X->c;
    if (n <= 0) {
        ae_error("pca_optimal_ae", "data matrix has no rows");
        return AE_EINVAL;
    }
    if (k < 1 || k >= d) {
        ae_error("pca_optimal_ae", "k = %ld not in [1, %ld)", k, d);
        return AE_EINVAL;
    }
    if (ae->d != d || ae->k != k) {
        ae_error("pca_optimal_ae", "ae is (d=%ld, k=%ld), expected (%ld, %ld)",
                 ae->d, ae->k, d, k);
        return AE_EINVAL;
    }
    if (prec < 53 || prec > MPFR_PREC_MAX - 128) {
        ae_error("pca_optimal_ae", "prec = %ld out of range", (long) prec);
        return AE_EINVAL;
    }
    int st;
    mpq_t *mean = qvec_init(d);
    qmat_t C, V, Vk;
    qmat_init(C, d, d);
    qmat_init(V, d, d);
    qmat_init(Vk, d, k);
    rmat_t Cr;
    rmat_init(Cr, d, d, prec);
    reig_t E;
    reig_init(E, d, prec);

    st = pca_mean_cov(mean, C, X);
    if (st != AE_OK)
        goto done;
    rmat_set_qmat(Cr, C, MPFR_RNDN);
    st = reig_sym(E, Cr);
    if (st != AE_OK)
        goto done;
    rmat_get_qmat(V, E->vectors);

    /* Tiny entries of the MPFR eigenvectors (null space of a covariance with constant
     * features) would carry huge power-of-two denominators into every exact product;
     * the certificate holds for any basis, so round to a fixed grid instead. */
    {
        mpz_t *Vz = zvec_init(d * d);
        mpz_t vden;
        mpz_init(vden);
        qmat_get_mpz_common(Vz, vden, V);
        cert->basis_rounded = (long) mpz_sizeinbase(vden, 2) - 1 > (long) prec + PCA_GRID_SLACK;
        mpz_clear(vden);
        zvec_clear(Vz, d * d);
    }
    if (cert->basis_rounded)
        round_to_grid(V, (unsigned long) prec + PCA_GRID_SLACK);

    qmat_submatrix(Vk, V, 0, 0);
    st = linae_set_projector_basis(ae, Vk, (const mpq_t *) mean);
    if (st != AE_OK)
        goto done;
    {
        int rounded = cert->basis_rounded;
        st = pca_certify_basis(cert, C, V, k, prec + 64);
        cert->basis_rounded = rounded;
    }

done:
    reig_clear(E);
    rmat_clear(Cr);
    qmat_clear(C);
    qmat_clear(V);
    qmat_clear(Vk);
    qvec_clear(mean, d);
    return st;
}
