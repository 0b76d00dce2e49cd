/* pca — principal component analysis as the optimal linear autoencoder (claims L2, L3).
 *
 * Three services:
 *  1. exact mean and covariance of a rational data matrix;
 *  2. exact synthetic instances whose covariance is exactly Q diag(lambda) Q^T with a
 *     rational orthogonal Q (a product of rational Householder reflections), on which the
 *     optimum, its loss and every saddle are known exactly;
 *  3. the PCA-optimal autoencoder of arbitrary rational data, built as an EXACT orthogonal
 *     projector onto the span of eigenvectors computed at MPFR precision, with a
 *     CERTIFIED rational upper bound on how far its loss is above the true optimum.
 *
 * Notation: data rows x_1..x_n in Q^d, mean m, covariance C = (1/n) sum (x_i-m)(x_i-m)^T
 * with eigenvalues lambda_1 >= ... >= lambda_d >= 0.  A rank-k orthogonal projector P
 * (f(x) = m + P (x - m)) has mean training loss tr(C) - tr(P C); the optimum over all
 * linear AEs with k hidden units is L* = sum_{j>k} lambda_j (Ky Fan), so
 * gap(P) = loss(P) - L* = sum_{j<=k} lambda_j - tr(P C) >= 0.
 *
 * The certificate (pca_certify_basis).  Given any nonsingular rational basis V (d x d,
 * ideally approximate eigenvectors, columns sorted by decreasing eigenvalue), compute
 * exactly A = V^T C V and G = V^T V.  With eta >= ||G - I||_F (required < 1),
 * eps >= ||A - diag(A)||_F, and the diagonal of A sorted a_(1) >= ... >= a_(d):
 *   - Ostrowski: A and C are congruent (A = V^T C V), so lambda_j(A) = theta_j lambda_j(C)
 *     with theta_j in [lambda_min(G), lambda_max(G)] subset [1 - eta, 1 + eta];
 *   - Weyl: |lambda_j(A) - a_(j)| <= ||A - diag(A)||_2 <= eps;
 *   - C is positive semidefinite, so lambda_j(A) >= 0 and
 *       lo_j = max(0, a_(j) - eps) / (1 + eta)  <=  lambda_j(C)  <=  (a_(j) + eps) / (1 - eta) = hi_j.
 * Hence sum_{j<=k} lambda_j <= U_k = (sum_{j<=k} a_(j) + k eps) / (1 - eta) and
 * >= L_k = sum_{j<=k} lo_j.  For the projector P onto the span of V's first k columns,
 * tr(P C) = tr(G_k^{-1} A_k) exactly (G_k, A_k the leading k x k blocks), so
 *   gap(P) <= U_k - tr(P C) = gap_upper      and      gap(P) >= L_k - tr(P C) = gap_lower.
 * gap_lower > 0 is a proof that P is NOT optimal.  The eigengap hypothesis of L2
 * (lambda_k > lambda_{k+1}) is certified when lo_k > hi_{k+1}.
 * All of loss, tr C, U_k, L_k, gap bounds, eta, eps, lo, hi are exact rationals.
 */
#ifndef PCA_H
#define PCA_H

#include <gmp.h>
#include <mpfr.h>
#include <gsl/gsl_rng.h>

#include "qmat.h"
#include "linae.h"

/* ---- exact mean and covariance -------------------------------------------------- */

/* mean[j] = (1/n) sum_i X_ij (d = X->c entries, initialised by the caller) and
 * C = (1/n) sum_i (x_i - mean)(x_i - mean)^T (d x d).  Computed with one common
 * denominator D for X (X = Z / D, Z integer) as
 *   C = (n Z^T Z - s s^T) / (n^2 D^2),   s = column sums of Z,
 * so the inner loops are integer multiply-adds.  mean may be NULL.  C must not alias X.
 * Misuse: n = 0 rows, C not d x d. */
int pca_mean_cov(mpq_t *mean, qmat_t C, const qmat_t X);

/* ---- exact synthetic instances -------------------------------------------------- */

/* Q = H_1 H_2 ... H_m with H_j = I - 2 u_j u_j^T / (u_j^T u_j), u_j the j-th column of U
 * (d x m, m >= 0; m = 0 gives Q = I).  Q is d x d and exactly orthogonal (each H_j is a
 * symmetric involution).  Misuse: a zero column, Q not d x d.  Q must not alias U. */
int pca_householder(qmat_t Q, const qmat_t U);

/* X (2d x d) has rows mean + s_j q_j (row 2j) and mean - s_j q_j (row 2j+1), q_j the j-th
 * column of Q (d x d).  Its mean is exactly `mean` and, if Q is orthogonal, its covariance
 * is exactly (1/2d) sum_j 2 s_j^2 q_j q_j^T = Q diag(s_j^2 / d) Q^T.
 * Misuse: X not 2d x d. */
int pca_synthetic(qmat_t X, const qmat_t Q, const mpq_t *s, const mpq_t *mean);

/* An exact instance: Q orthogonal, lambda_j = s_j^2 / d, the data X (2d x d) with mean m
 * and covariance exactly Q diag(lambda) Q^T. */
typedef struct {
    long d;
    qmat_t Q;        /* d x d, exactly orthogonal */
    mpq_t *s;        /* d scales */
    mpq_t *lambda;   /* d eigenvalues, lambda_j = s_j^2 / d (eigenvector: column j of Q) */
    mpq_t *mean;     /* d */
    qmat_t X;        /* 2d x d data */
} pca_inst_struct;
typedef pca_inst_struct pca_inst_t[1];

/* A zero instance of dimension d >= 1 (misuse otherwise; if the handler returns, a d = 1
 * instance that pca_inst_clear accepts). */
void pca_inst_init(pca_inst_t I, long d);
void pca_inst_clear(pca_inst_t I);

/* Builds the instance from U (d x m, Householder vectors), s and mean (d entries each).
 * Misuse as pca_householder. */
int pca_inst_build(pca_inst_t I, const qmat_t U, const mpq_t *s, const mpq_t *mean);

/* A random instance: U with d columns of small random integers (never zero), strictly
 * decreasing positive integer scales s_j (so lambda_1 > ... > lambda_d > 0), and a mean of
 * small random fractions; all drawn from r. */
int pca_inst_random(pca_inst_t I, gsl_rng *r);

/* The critical point of L2 built from the eigenvectors (columns of Q) with indices
 * S[0..k-1] (distinct, in [0, d)): W_d = Q_S, W_e = Q_S^T, b_e = -W_e m, b_d = m.
 * ae must be initialised with (d, k).  Its gradient is exactly 0 and its loss is
 * sum_{j not in S} lambda_j (pca_inst_subset_loss); it is a global minimum exactly when S
 * holds k largest eigenvalues, a saddle otherwise.  Misuse: bad S, dimensions. */
int pca_inst_subset_ae(linae_t ae, const pca_inst_t I, const long *S, long k);

/* L = sum_{j not in S} lambda_j.  Misuse: bad S. */
int pca_inst_subset_loss(mpq_t L, const pca_inst_t I, const long *S, long k);

/* ---- certified PCA-optimal autoencoder ------------------------------------------ */

typedef struct {
    long d, k;
    mpq_t trC;         /* tr C */
    mpq_t trPC;        /* tr(P C) = tr(G_k^{-1} A_k) */
    mpq_t loss;        /* loss of the projector AE = tr C - tr(P C) (exact) */
    mpq_t eta;         /* >= ||V^T V - I||_F, < 1 */
    mpq_t eps;         /* >= ||offdiag(V^T C V)||_F */
    mpq_t topk_upper;  /* U_k >= sum_{j<=k} lambda_j */
    mpq_t topk_lower;  /* L_k <= sum_{j<=k} lambda_j */
    mpq_t gap_upper;   /* U_k - tr(PC) >= loss - L*  (>= 0) */
    mpq_t gap_lower;   /* L_k - tr(PC) <= loss - L*  (> 0 proves non-optimality) */
    mpq_t lam_k_lo, lam_k_hi;     /* bounds on lambda_k */
    mpq_t lam_k1_lo, lam_k1_hi;   /* bounds on lambda_{k+1} */
    int gap_certified;            /* 1 iff lam_k_lo > lam_k1_hi (eigengap certified) */
    double *lambda;    /* d approximate eigenvalues (sorted diagonal of A) for display */
    long basis_bits;   /* log2 of the common denominator of the basis entries used */
    int basis_rounded; /* 1 iff the MPFR eigenvectors were rounded to a fixed grid (see
                          pca_optimal_ae); 0 iff used exactly as computed */
} pca_cert_struct;
typedef pca_cert_struct pca_cert_t[1];

void pca_cert_init(pca_cert_t cert);
void pca_cert_clear(pca_cert_t cert);

/* Computes the certificate described at the top for the basis V (d x d, columns the
 * approximate eigenvectors in the intended order) of the covariance C (d x d, symmetric
 * PSD: the caller's responsibility, e.g. from pca_mean_cov), for the projector onto the
 * span of V's first k columns.  sqrt_prec: MPFR precision of the rational square-root
 * bounds for eta and eps (e.g. 64 more than the basis' accuracy).
 * Returns AE_OK; AE_NOTVERIFIED if eta >= 1 (the basis is too far from orthonormal for
 * this certificate) or the computed bounds are inconsistent (gap_upper < 0, impossible
 * for a PSD C); AE_SINGULAR if G_k is singular.  Misuse: 0 < k < d fails, dimensions,
 * sqrt_prec out of MPFR range. */
int pca_certify_basis(pca_cert_t cert, const qmat_t C, const qmat_t V, long k,
                      mpfr_prec_t sqrt_prec);

/* The PCA-optimal linear AE of the data X (n x d, n >= 1) with k hidden units:
 *  - exact mean m and covariance C (pca_mean_cov);
 *  - C correctly rounded to precision prec and eigen-decomposed by reig_sym (descending);
 *  - V = the d eigenvectors converted exactly to rationals.  If their common denominator
 *    exceeds 2^(prec + PCA_GRID_SLACK) (tiny entries, e.g. in the null space of a
 *    covariance with constant features), every entry is instead rounded to the nearest
 *    multiple of 2^-(prec + PCA_GRID_SLACK); cert->basis_rounded records this.  Either way
 *    the certificate is computed for exactly the V that is used;
 *  - ae = the exact orthogonal projector AE onto span(V_k): W_d = V_k,
 *    W_e = (V_k^T V_k)^{-1} V_k^T, b_e = -W_e m, b_d = m (linae_set_projector_basis);
 *  - cert = pca_certify_basis(C, V, k, prec + 64).
 * ae must be initialised with (d, k).  prec >= 53.
 * Returns AE_OK, AE_NOTCONV (eigensolver), AE_NOTVERIFIED / AE_SINGULAR (as
 * pca_certify_basis).  Misuse: k <= 0, k >= d, n = 0, dims of ae. */
#define PCA_GRID_SLACK 32
int pca_optimal_ae(linae_t ae, pca_cert_t cert, const qmat_t X, long k, mpfr_prec_t prec);

/* Checks a claimed optimum loss against the certificate: AE_OK iff
 * tr C - U_k <= Lclaim <= tr C - L_k (Lclaim is consistent with L* = sum_{j>k} lambda_j),
 * AE_NOTVERIFIED otherwise (the claim is refuted: L* lies outside that interval). */
int pca_cert_check_optimum(const pca_cert_t cert, const mpq_t Lclaim);

#endif
