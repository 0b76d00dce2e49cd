/* CUnit suite for theory/pca: exact covariance, exact synthetic PCA instances (L2),
 * and the certified PCA-optimal autoencoder (L2, L3). */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_rng.h>

#include "testutil.h"
#include "pca.h"
#include "linae.h"
#include "qmat.h"
#include "qnum.h"
#include "rmat.h"
#include "reig.h"

static gsl_rng *rng_new(unsigned long off)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, tu_seed() + off);
    return r;
}

/* Random n x d matrix with entries num/den, num in [-9, 9], den in [1, 6]. */
static void random_qmat(qmat_t A, gsl_rng *r)
{
    for (long i = 0; i < A->r * A->c; i++) {
        mpq_set_si(A->entries[i], (long) gsl_rng_uniform_int(r, 19) - 9,
                   1 + (unsigned long) gsl_rng_uniform_int(r, 6));
        mpq_canonicalize(A->entries[i]);
    }
}

/* "Real-like" data: entries v/16 with v in [0, 16] (like min–max-scaled 8x8 digits),
 * column `zero_col` constant 0 (a constant feature), if zero_col >= 0. */
static void digits_like(qmat_t X, gsl_rng *r, long zero_col)
{
    for (long i = 0; i < X->r; i++)
        for (long j = 0; j < X->c; j++) {
            long v = j == zero_col ? 0 : (long) gsl_rng_uniform_int(r, 17);
            /* correlate neighbouring features so the spectrum is not flat */
            if (j > 0 && j != zero_col && gsl_rng_uniform(r) < 0.5)
                v = (v + 16 * (mpz_cmp_ui(mpq_numref(qmat_entry(X, i, j - 1)), 0) != 0)) / 2;
            mpq_set_si(qmat_entry(X, i, j), v, 16);
            mpq_canonicalize(qmat_entry(X, i, j));
        }
}

/* The definition, directly: mean = (1/n) sum x_i, C = (1/n) sum (x_i - m)(x_i - m)^T. */
static void naive_mean_cov(mpq_t *m, qmat_t C, const qmat_t X)
{
    long n = X->r, d = X->c;
    mpq_t t, nn;
    mpq_inits(t, nn, NULL);
    mpq_set_si(nn, n, 1);
    qvec_zero(m, d);
    for (long i = 0; i < n; i++)
        qvec_add(m, m, (const mpq_t *) qmat_row(X, i), d);
    for (long j = 0; j < d; j++)
        mpq_div(m[j], m[j], nn);
    mpq_t *y = qvec_init(d);
    qmat_zero(C);
    for (long i = 0; i < n; i++) {
        qvec_sub(y, (const mpq_t *) qmat_row(X, i), (const mpq_t *) m, d);
        for (long a = 0; a < d; a++)
            for (long b = 0; b < d; b++) {
                mpq_mul(t, y[a], y[b]);
                mpq_add(qmat_entry(C, a, b), qmat_entry(C, a, b), t);
            }
    }
    for (long a = 0; a < d * d; a++)
        mpq_div(C->entries[a], C->entries[a], nn);
    qvec_clear(y, d);
    mpq_clears(t, nn, NULL);
}

static int grad_is_zero(const linae_t ae, const qmat_t X)
{
    linae_t G;
    linae_init(G, ae->d, ae->k);
    linae_grad(G, ae, X);
    int z = qmat_is_zero(G->We) && qmat_is_zero(G->be) && qmat_is_zero(G->Wd) &&
            qmat_is_zero(G->bd);
    linae_clear(G);
    return z;
}

/* Q diag(lambda) Q^T */
static void q_lambda_qt(qmat_t C, const qmat_t Q, const mpq_t *lambda)
{
    long d = Q->r;
    qmat_t QL, Qt;
    qmat_init(QL, d, d);
    qmat_init(Qt, d, d);
    for (long i = 0; i < d; i++)
        for (long j = 0; j < d; j++)
            mpq_mul(qmat_entry(QL, i, j), qmat_entry(Q, i, j), lambda[j]);
    qmat_transpose(Qt, Q);
    qmat_mul(C, QL, Qt);
    qmat_clear(QL);
    qmat_clear(Qt);
}

/* V R with R the rational Givens rotation in the plane of columns p, q:
 * c = (1 - t^2)/(1 + t^2), s = 2t/(1 + t^2) (c^2 + s^2 = 1 exactly). */
static void rotate_cols(qmat_t W, const qmat_t V, long p, long q, const mpq_t t)
{
    mpq_t c, s, u, a, b;
    mpq_inits(c, s, u, a, b, NULL);
    mpq_mul(u, t, t);
    mpq_set_ui(a, 1, 1);
    mpq_add(b, a, u);        /* 1 + t^2 */
    mpq_sub(c, a, u);
    mpq_div(c, c, b);
    mpq_add(s, t, t);
    mpq_div(s, s, b);
    qmat_set(W, V);
    for (long i = 0; i < V->r; i++) {
        mpq_mul(a, c, qmat_entry(V, i, p));
        mpq_mul(u, s, qmat_entry(V, i, q));
        mpq_add(qmat_entry(W, i, p), a, u);
        mpq_mul(a, s, qmat_entry(V, i, p));
        mpq_mul(u, c, qmat_entry(V, i, q));
        mpq_sub(qmat_entry(W, i, q), u, a);
    }
    mpq_clears(c, s, u, a, b, NULL);
}

/* x <= 2^-e * |scale| */
static int tiny(const mpq_t x, const mpq_t scale, long e)
{
    mpq_t t;
    mpq_init(t);
    mpq_abs(t, scale);
    mpq_div_2exp(t, t, (mp_bitcnt_t) e);
    int r = mpq_cmp(x, t) <= 0;
    mpq_clear(t);
    return r;
}

/* ---- tests --------------------------------------------------------------------------- */

static void test_mean_cov(void)
{
    gsl_rng *r = rng_new(1);
    static const long sizes[][2] = { {1, 1}, {1, 4}, {2, 3}, {7, 1}, {9, 5}, {30, 6} };
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        long n = sizes[s][0], d = sizes[s][1];
        qmat_t X, C, C2;
        qmat_init(X, n, d);
        qmat_init(C, d, d);
        qmat_init(C2, d, d);
        random_qmat(X, r);
        mpq_t *m = qvec_init(d), *m2 = qvec_init(d);
        CU_ASSERT_EQUAL(pca_mean_cov(m, C, X), AE_OK);
        naive_mean_cov(m2, C2, X);
        CU_ASSERT_TRUE(qmat_equal(C, C2));
        CU_ASSERT_TRUE(qvec_equal(m, m2, d));
        if (n == 1)
            CU_ASSERT_TRUE(qmat_is_zero(C));
        /* mean may be NULL */
        CU_ASSERT_EQUAL(pca_mean_cov(NULL, C, X), AE_OK);
        CU_ASSERT_TRUE(qmat_equal(C, C2));
        qvec_clear(m, d);
        qvec_clear(m2, d);
        qmat_clear(X);
        qmat_clear(C);
        qmat_clear(C2);
    }
    /* image-like data with a constant feature: that row/column of C is exactly 0 */
    qmat_t X, C, C2;
    qmat_init(X, 50, 8);
    qmat_init(C, 8, 8);
    qmat_init(C2, 8, 8);
    digits_like(X, r, 3);
    mpq_t *m = qvec_init(8), *m2 = qvec_init(8);
    CU_ASSERT_EQUAL(pca_mean_cov(m, C, X), AE_OK);
    naive_mean_cov(m2, C2, X);
    CU_ASSERT_TRUE(qmat_equal(C, C2));
    CU_ASSERT_TRUE(qvec_equal(m, m2, 8));
    for (long j = 0; j < 8; j++)
        CU_ASSERT_EQUAL(mpq_sgn(qmat_entry(C, 3, j)), 0);
    qvec_clear(m, 8);
    qvec_clear(m2, 8);
    qmat_clear(X);
    qmat_clear(C);
    qmat_clear(C2);
    gsl_rng_free(r);
}

static void test_householder(void)
{
    gsl_rng *r = rng_new(2);
    for (long d = 1; d <= 7; d += 2)
        for (long m = 0; m <= d; m += (d > 1 ? d - 1 : 1)) {
            qmat_t U, Q, Qt, P;
            qmat_init(U, d, m);
            qmat_init(Q, d, d);
            qmat_init(Qt, d, d);
            qmat_init(P, d, d);
            random_qmat(U, r);
            for (long j = 0; j < m; j++) {    /* no zero column */
                mpq_set_ui(qmat_entry(U, j % d, j), 1 + (unsigned long) j, 3);
                mpq_canonicalize(qmat_entry(U, j % d, j));
            }
            CU_ASSERT_EQUAL(pca_householder(Q, U), AE_OK);
            qmat_transpose(Qt, Q);
            qmat_mul(P, Qt, Q);
            CU_ASSERT_TRUE(qmat_is_one(P));
            qmat_mul(P, Q, Qt);
            CU_ASSERT_TRUE(qmat_is_one(P));
            if (m == 0)
                CU_ASSERT_TRUE(qmat_is_one(Q));
            /* second method: the product of the explicit reflections */
            qmat_t H, R;
            qmat_init(H, d, d);
            qmat_init(R, d, d);
            qmat_one(R);
            mpq_t *u = qvec_init(d);
            mpq_t uu, t;
            mpq_inits(uu, t, NULL);
            for (long j = 0; j < m; j++) {
                qmat_get_col(u, U, j);
                qvec_norm2(uu, u, d);
                for (long a = 0; a < d; a++)
                    for (long b = 0; b < d; b++) {
                        mpq_mul(t, u[a], u[b]);
                        mpq_mul_2exp(t, t, 1);
                        mpq_div(t, t, uu);
                        mpq_set_ui(qmat_entry(H, a, b), a == b, 1);
                        mpq_sub(qmat_entry(H, a, b), qmat_entry(H, a, b), t);
                    }
                qmat_mul(R, R, H);
            }
            CU_ASSERT_TRUE(qmat_equal(R, Q));
            mpq_clears(uu, t, NULL);
            qvec_clear(u, d);
            qmat_clear(H);
            qmat_clear(R);
            qmat_clear(U);
            qmat_clear(Q);
            qmat_clear(Qt);
            qmat_clear(P);
        }
    /* d = 1: the only reflection is -1 */
    qmat_t U, Q;
    qmat_init(U, 1, 1);
    qmat_init(Q, 1, 1);
    mpq_set_si(qmat_entry(U, 0, 0), -5, 7);
    CU_ASSERT_EQUAL(pca_householder(Q, U), AE_OK);
    CU_ASSERT_EQUAL(mpq_cmp_si(qmat_entry(Q, 0, 0), -1, 1), 0);
    qmat_clear(U);
    qmat_clear(Q);
    gsl_rng_free(r);
}

static void test_synthetic_cov(void)
{
    gsl_rng *r = rng_new(3);
    for (long d = 1; d <= 6; d++) {
        pca_inst_t I;
        pca_inst_init(I, d);
        CU_ASSERT_EQUAL_FATAL(pca_inst_random(I, r), AE_OK);
        qmat_t C, C2;
        qmat_init(C, d, d);
        qmat_init(C2, d, d);
        mpq_t *m = qvec_init(d);
        CU_ASSERT_EQUAL(pca_mean_cov(m, C, I->X), AE_OK);
        q_lambda_qt(C2, I->Q, (const mpq_t *) I->lambda);
        CU_ASSERT_TRUE(qmat_equal(C, C2));
        CU_ASSERT_TRUE(qvec_equal(m, (const mpq_t *) I->mean, d));
        /* C q_j = lambda_j q_j exactly, lambda strictly decreasing and positive */
        mpq_t *q = qvec_init(d), *y = qvec_init(d);
        for (long j = 0; j < d; j++) {
            qmat_get_col(q, I->Q, j);
            qmat_mul_vec(y, C, (const mpq_t *) q);
            qvec_scale(q, (const mpq_t *) q, I->lambda[j], d);
            CU_ASSERT_TRUE(qvec_equal(y, (const mpq_t *) q, d));
            CU_ASSERT_TRUE(mpq_sgn(I->lambda[j]) > 0);
            if (j > 0)
                CU_ASSERT_TRUE(mpq_cmp(I->lambda[j - 1], I->lambda[j]) > 0);
        }
        qvec_clear(q, d);
        qvec_clear(y, d);
        qvec_clear(m, d);
        qmat_clear(C);
        qmat_clear(C2);
        pca_inst_clear(I);
    }
    gsl_rng_free(r);
}

/* Every k-subset S of eigenvectors is a critical point (gradient exactly 0) with loss
 * sum_{j not in S} lambda_j; only the top-k subset is optimal, the rest are saddles. */
static void test_subsets_saddles(void)
{
    gsl_rng *r = rng_new(4);
    long d = 5;
    pca_inst_t I;
    pca_inst_init(I, d);
    CU_ASSERT_EQUAL_FATAL(pca_inst_random(I, r), AE_OK);
    mpq_t L, Ls, Lopt;
    mpq_inits(L, Ls, Lopt, NULL);
    for (long k = 1; k < d; k++) {
        long top[5] = { 0, 1, 2, 3, 4 };
        pca_inst_subset_loss(Lopt, I, top, k);
        linae_t ae;
        linae_init(ae, d, k);
        long nsub = 0;
        for (unsigned mask = 0; mask < (1u << d); mask++) {
            if (__builtin_popcount(mask) != (int) k)
                continue;
            long S[5], c = 0;
            for (long j = 0; j < d; j++)
                if (mask & (1u << j))
                    S[c++] = j;
            CU_ASSERT_EQUAL(pca_inst_subset_ae(ae, I, S, k), AE_OK);
            CU_ASSERT_TRUE(linae_is_orthogonal_projector(ae));
            CU_ASSERT_TRUE(grad_is_zero(ae, I->X));
            linae_loss(L, ae, I->X);
            pca_inst_subset_loss(Ls, I, S, k);
            CU_ASSERT_TRUE(mpq_equal(L, Ls));
            int is_top = mask == (1u << k) - 1;
            if (is_top) {
                CU_ASSERT_TRUE(mpq_equal(L, Lopt));
            } else {
                CU_ASSERT_TRUE(mpq_cmp(L, Lopt) > 0);   /* a saddle: strictly worse */
            }
            nsub++;
        }
        CU_ASSERT_TRUE(nsub >= d);
        /* Baldi–Hornik: W_e = G^{-1} Q_k^T, W_d = Q_k G for a random invertible G gives the
         * same map, the same loss and zero gradient */
        qmat_t Qk, G;
        qmat_init(Qk, d, k);
        qmat_init(G, k, k);
        qmat_submatrix(Qk, I->Q, 0, 0);
        do
            random_qmat(G, r);
        while (qmat_rank(G) < k);
        CU_ASSERT_EQUAL(linae_set_baldi_hornik(ae, Qk, G, (const mpq_t *) I->mean), AE_OK);
        linae_loss(L, ae, I->X);
        CU_ASSERT_TRUE(mpq_equal(L, Lopt));
        CU_ASSERT_TRUE(grad_is_zero(ae, I->X));
        qmat_clear(Qk);
        qmat_clear(G);
        linae_clear(ae);
    }
    mpq_clears(L, Ls, Lopt, NULL);
    pca_inst_clear(I);
    gsl_rng_free(r);
}

/* The certificate for the exact eigenbasis V = Q: eta = eps = 0, all bounds exact. */
static void test_certify_exact_basis(void)
{
    gsl_rng *r = rng_new(5);
    long d = 6, k = 2;
    pca_inst_t I;
    pca_inst_init(I, d);
    CU_ASSERT_EQUAL_FATAL(pca_inst_random(I, r), AE_OK);
    qmat_t C;
    qmat_init(C, d, d);
    pca_mean_cov(NULL, C, I->X);
    pca_cert_t cert;
    pca_cert_init(cert);
    CU_ASSERT_EQUAL(pca_certify_basis(cert, C, I->Q, k, 64), AE_OK);
    CU_ASSERT_EQUAL(mpq_sgn(cert->eta), 0);
    CU_ASSERT_EQUAL(mpq_sgn(cert->eps), 0);
    CU_ASSERT_EQUAL(mpq_sgn(cert->gap_upper), 0);
    CU_ASSERT_EQUAL(mpq_sgn(cert->gap_lower), 0);
    CU_ASSERT_TRUE(mpq_equal(cert->lam_k_lo, I->lambda[k - 1]));
    CU_ASSERT_TRUE(mpq_equal(cert->lam_k_hi, I->lambda[k - 1]));
    CU_ASSERT_TRUE(mpq_equal(cert->lam_k1_hi, I->lambda[k]));
    CU_ASSERT_TRUE(cert->gap_certified);
    mpq_t L;
    mpq_init(L);
    long top[2] = { 0, 1 };
    pca_inst_subset_loss(L, I, top, k);
    CU_ASSERT_TRUE(mpq_equal(cert->loss, L));
    CU_ASSERT_EQUAL(pca_cert_check_optimum(cert, L), AE_OK);
    for (long j = 0; j < d; j++)
        CU_ASSERT_EQUAL(cert->lambda[j], qnum_get_d(I->lambda[j]));
    /* re-use of the same cert object (lambda array reallocated) */
    CU_ASSERT_EQUAL(pca_certify_basis(cert, C, I->Q, d - 1, 64), AE_OK);
    CU_ASSERT_EQUAL(mpq_sgn(cert->gap_upper), 0);
    mpq_clear(L);
    pca_cert_clear(cert);
    qmat_clear(C);
    pca_inst_clear(I);
    gsl_rng_free(r);
}

/* pca_optimal_ae on exact instances: loss - L* in [0, gap_upper], gap_upper tiny,
 * eigengap certified, the AE an exact orthogonal projector, cert->loss = linae_loss. */
static void test_optimal_synthetic(void)
{
    gsl_rng *r = rng_new(6);
    static const long dk[][2] = { {2, 1}, {3, 1}, {5, 2}, {8, 3} };
    for (size_t s = 0; s < sizeof dk / sizeof dk[0]; s++) {
        long d = dk[s][0], k = dk[s][1];
        pca_inst_t I;
        pca_inst_init(I, d);
        CU_ASSERT_EQUAL_FATAL(pca_inst_random(I, r), AE_OK);
        linae_t ae;
        linae_init(ae, d, k);
        pca_cert_t cert;
        pca_cert_init(cert);
        CU_ASSERT_EQUAL_FATAL(pca_optimal_ae(ae, cert, I->X, k, 128), AE_OK);
        mpq_t L, Lstar, gap;
        mpq_inits(L, Lstar, gap, NULL);
        long top[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };
        pca_inst_subset_loss(Lstar, I, top, k);
        CU_ASSERT_EQUAL(linae_loss(L, ae, I->X), AE_OK);
        CU_ASSERT_TRUE(mpq_equal(L, cert->loss));
        CU_ASSERT_TRUE(linae_is_orthogonal_projector(ae));
        CU_ASSERT_TRUE(linae_is_left_inverse(ae));
        mpq_sub(gap, L, Lstar);
        CU_ASSERT_TRUE(mpq_sgn(gap) >= 0);                       /* Ky Fan */
        CU_ASSERT_TRUE(mpq_cmp(gap, cert->gap_upper) <= 0);      /* the certificate */
        CU_ASSERT_TRUE(mpq_cmp(cert->gap_lower, gap) <= 0);
        CU_ASSERT_TRUE(tiny(cert->gap_upper, cert->trC, 110));   /* ~k eps: 2^-p relative */
        CU_ASSERT_TRUE(mpq_sgn(cert->gap_upper) >= 0);
        CU_ASSERT_TRUE(cert->gap_certified);
        CU_ASSERT_TRUE(mpq_cmp(cert->lam_k_lo, I->lambda[k - 1]) <= 0);
        CU_ASSERT_TRUE(mpq_cmp(I->lambda[k - 1], cert->lam_k_hi) <= 0);
        CU_ASSERT_TRUE(mpq_cmp(cert->lam_k1_lo, I->lambda[k]) <= 0);
        CU_ASSERT_TRUE(mpq_cmp(I->lambda[k], cert->lam_k1_hi) <= 0);
        mpq_set_ui(gap, 1, 1);
        CU_ASSERT_TRUE(tiny(cert->eta, gap, 100));
        CU_ASSERT_EQUAL(pca_cert_check_optimum(cert, Lstar), AE_OK);
        for (long j = 0; j < d; j++)
            CU_ASSERT_DOUBLE_EQUAL(cert->lambda[j], qnum_get_d(I->lambda[j]),
                                   1e-14 * qnum_get_d(I->lambda[0]));
        mpq_clears(L, Lstar, gap, NULL);
        pca_cert_clear(cert);
        linae_clear(ae);
        pca_inst_clear(I);
    }
    gsl_rng_free(r);
}

/* Negative controls on an exact instance, where L* is known exactly. */
static void test_negative_controls(void)
{
    gsl_rng *r = rng_new(7);
    long d = 6, k = 2;
    pca_inst_t I;
    pca_inst_init(I, d);
    CU_ASSERT_EQUAL_FATAL(pca_inst_random(I, r), AE_OK);
    linae_t ae, ae2;
    linae_init(ae, d, k);
    linae_init(ae2, d, k);
    pca_cert_t cert, c2;
    pca_cert_init(cert);
    pca_cert_init(c2);
    CU_ASSERT_EQUAL_FATAL(pca_optimal_ae(ae, cert, I->X, k, 128), AE_OK);
    mpq_t Lstar, L2, gap, t;
    mpq_inits(Lstar, L2, gap, t, NULL);
    long top[2] = { 0, 1 };
    pca_inst_subset_loss(Lstar, I, top, k);

    /* recover the computed basis V~ through the certificate's input: rebuild it */
    qmat_t C, V, W, Wk;
    qmat_init(C, d, d);
    qmat_init(V, d, d);
    qmat_init(W, d, d);
    qmat_init(Wk, d, k);
    pca_mean_cov(NULL, C, I->X);
    {
        rmat_t Cr;
        reig_t E;
        rmat_init(Cr, d, d, 128);
        reig_init(E, d, 128);
        rmat_set_qmat(Cr, C, MPFR_RNDN);
        CU_ASSERT_EQUAL(reig_sym(E, Cr), AE_OK);
        rmat_get_qmat(V, E->vectors);
        reig_clear(E);
        rmat_clear(Cr);
    }
    /* (a) a slight rotation mixing v_k with v_{k+1}: strictly worse, still bounded */
    mpq_set_si(t, 1, 16);
    rotate_cols(W, V, k - 1, k, t);
    CU_ASSERT_EQUAL(pca_certify_basis(c2, C, W, k, 192), AE_OK);
    qmat_submatrix(Wk, W, 0, 0);
    CU_ASSERT_EQUAL(linae_set_projector_basis(ae2, Wk, (const mpq_t *) I->mean), AE_OK);
    linae_loss(L2, ae2, I->X);
    CU_ASSERT_TRUE(mpq_equal(L2, c2->loss));
    CU_ASSERT_TRUE(mpq_cmp(L2, cert->loss) > 0);
    mpq_sub(gap, L2, Lstar);
    CU_ASSERT_TRUE(mpq_sgn(gap) > 0);
    CU_ASSERT_TRUE(mpq_cmp(gap, c2->gap_upper) <= 0);
    CU_ASSERT_TRUE(mpq_cmp(c2->gap_lower, gap) <= 0);
    /* the rotated AE's loss claimed as the optimum is refuted by the original certificate */
    CU_ASSERT_EQUAL(pca_cert_check_optimum(cert, L2), AE_NOTVERIFIED);

    /* (b) swap v_k and v_{k+1} (t = 1 is a quarter turn): the saddle; the certificate's
     * lower bound proves that this basis is not optimal */
    mpq_set_si(t, 1, 1);
    rotate_cols(W, V, k - 1, k, t);
    CU_ASSERT_EQUAL(pca_certify_basis(c2, C, W, k, 192), AE_OK);
    CU_ASSERT_TRUE(mpq_sgn(c2->gap_lower) > 0);
    mpq_sub(gap, c2->loss, Lstar);
    CU_ASSERT_TRUE(mpq_cmp(c2->gap_lower, gap) <= 0 && mpq_cmp(gap, c2->gap_upper) <= 0);
    /* and its loss is within 2^-100 of the exact saddle loss */
    long sad[2] = { 0, 2 };
    pca_inst_subset_loss(t, I, sad, k);
    mpq_sub(gap, c2->loss, t);
    mpq_abs(gap, gap);
    CU_ASSERT_TRUE(tiny(gap, c2->trC, 100));
    CU_ASSERT_EQUAL(pca_cert_check_optimum(cert, t), AE_NOTVERIFIED);

    /* (c) wrong claimed optima: L* (1 +- 10^-20) is rejected, L* accepted */
    qnum_pow10(t, -20);
    mpq_mul(t, t, Lstar);
    mpq_add(gap, Lstar, t);
    CU_ASSERT_EQUAL(pca_cert_check_optimum(cert, gap), AE_NOTVERIFIED);
    mpq_sub(gap, Lstar, t);
    CU_ASSERT_EQUAL(pca_cert_check_optimum(cert, gap), AE_NOTVERIFIED);
    CU_ASSERT_EQUAL(pca_cert_check_optimum(cert, Lstar), AE_OK);

    /* (d) a basis too far from orthonormal (2 V): eta >= 1, nothing certified */
    mpq_set_ui(t, 2, 1);
    qmat_scalar_mul(W, V, t);
    CU_ASSERT_EQUAL(pca_certify_basis(c2, C, W, k, 64), AE_NOTVERIFIED);

    mpq_clears(Lstar, L2, gap, t, NULL);
    qmat_clear(C);
    qmat_clear(V);
    qmat_clear(W);
    qmat_clear(Wk);
    pca_cert_clear(cert);
    pca_cert_clear(c2);
    linae_clear(ae);
    linae_clear(ae2);
    pca_inst_clear(I);
    gsl_rng_free(r);
}

/* Real-like data (unknown exact spectrum): the certificate against a second solver. */
static void test_optimal_reallike(void)
{
    gsl_rng *r = rng_new(8);
    long n = 60, d = 10, k = 3;
    qmat_t X, C;
    qmat_init(X, n, d);
    qmat_init(C, d, d);
    digits_like(X, r, 4);
    linae_t ae;
    linae_init(ae, d, k);
    pca_cert_t cert;
    pca_cert_init(cert);
    CU_ASSERT_EQUAL_FATAL(pca_optimal_ae(ae, cert, X, k, 128), AE_OK);
    mpq_t L;
    mpq_init(L);
    CU_ASSERT_EQUAL(linae_loss(L, ae, X), AE_OK);
    CU_ASSERT_TRUE(mpq_equal(L, cert->loss));
    CU_ASSERT_TRUE(linae_is_orthogonal_projector(ae));
    CU_ASSERT_TRUE(mpq_sgn(cert->gap_upper) >= 0);
    CU_ASSERT_TRUE(tiny(cert->gap_upper, cert->trC, 100));
    CU_ASSERT_TRUE(mpq_cmp(cert->gap_lower, cert->gap_upper) <= 0);
    CU_ASSERT_TRUE(cert->gap_certified);
    CU_ASSERT_EQUAL(cert->d, d);
    CU_ASSERT_EQUAL(cert->k, k);
    /* second method: Jacobi eigenvalues at 64 bits */
    pca_mean_cov(NULL, C, X);
    rmat_t Cr;
    reig_t E;
    rmat_init(Cr, d, d, 64);
    reig_init(E, d, 64);
    rmat_set_qmat(Cr, C, MPFR_RNDN);
    CU_ASSERT_EQUAL(reig_sym_jacobi(E, Cr), AE_OK);
    double l0 = mpfr_get_d(E->values[0], MPFR_RNDN);
    for (long j = 0; j < d; j++)
        CU_ASSERT_DOUBLE_EQUAL(cert->lambda[j], mpfr_get_d(E->values[j], MPFR_RNDN),
                               1e-13 * l0);
    /* the constant feature gives an exactly zero eigenvalue: its upper bound is tiny */
    CU_ASSERT_TRUE(fabs(cert->lambda[d - 1]) <= 1e-30);
    /* tr C - U_k <= L*: the loss minus the optimum is in [gap_lower, gap_upper] */
    CU_ASSERT_EQUAL(pca_cert_check_optimum(cert, cert->loss), AE_OK);
    reig_clear(E);
    rmat_clear(Cr);
    mpq_clear(L);
    pca_cert_clear(cert);
    linae_clear(ae);
    qmat_clear(X);
    qmat_clear(C);
    gsl_rng_free(r);
}

/* A rank-deficient data set whose eigenvectors for eigenvalue 0 are computed with tiny
 * entries: precision 60 instead of 128 must still certify (with larger bounds). */
static void test_optimal_low_prec(void)
{
    gsl_rng *r = rng_new(9);
    long n = 5, d = 8, k = 2;   /* n < d: C has rank <= 4 */
    qmat_t X;
    qmat_init(X, n, d);
    random_qmat(X, r);
    linae_t ae;
    linae_init(ae, d, k);
    pca_cert_t cert;
    pca_cert_init(cert);
    CU_ASSERT_EQUAL_FATAL(pca_optimal_ae(ae, cert, X, k, 60), AE_OK);
    mpq_t L;
    mpq_init(L);
    linae_loss(L, ae, X);
    CU_ASSERT_TRUE(mpq_equal(L, cert->loss));
    CU_ASSERT_TRUE(tiny(cert->gap_upper, cert->trC, 40));
    CU_ASSERT_TRUE(cert->basis_bits <= 60 + PCA_GRID_SLACK);
    mpq_clear(L);
    pca_cert_clear(cert);
    linae_clear(ae);
    qmat_clear(X);
    gsl_rng_free(r);
}

static void test_bad_input(void)
{
    qmat_t X, C, U, Q, Xs;
    qmat_init(X, 0, 3);
    qmat_init(C, 3, 3);
    TU_EXPECT_ERROR(pca_mean_cov(NULL, C, X));          /* n = 0 */
    qmat_resize(X, 4, 3);
    qmat_resize(C, 2, 2);
    TU_EXPECT_ERROR(pca_mean_cov(NULL, C, X));          /* C wrong size */
    qmat_init(U, 3, 2);
    qmat_init(Q, 3, 3);
    mpq_set_ui(qmat_entry(U, 0, 0), 1, 1);
    TU_EXPECT_ERROR(pca_householder(Q, U));             /* zero column */
    mpq_set_ui(qmat_entry(U, 1, 1), 1, 1);
    qmat_resize(Q, 2, 2);
    TU_EXPECT_ERROR(pca_householder(Q, U));             /* Q wrong size */
    qmat_resize(Q, 3, 3);
    qmat_init(Xs, 5, 3);
    mpq_t *s = qvec_init(3);
    TU_EXPECT_ERROR(pca_synthetic(Xs, Q, (const mpq_t *) s, (const mpq_t *) s));
    qvec_clear(s, 3);

    /* k = 0, k = d, k > d, ae of the wrong size */
    qmat_t D;
    qmat_init(D, 6, 3);
    gsl_rng *r = rng_new(10);
    random_qmat(D, r);
    gsl_rng_free(r);
    linae_t ae;
    linae_init(ae, 3, 1);
    pca_cert_t cert;
    pca_cert_init(cert);
    TU_EXPECT_ERROR(pca_optimal_ae(ae, cert, D, 0, 128));
    TU_EXPECT_ERROR(pca_optimal_ae(ae, cert, D, 3, 128));
    TU_EXPECT_ERROR(pca_optimal_ae(ae, cert, D, 4, 128));
    TU_EXPECT_ERROR(pca_optimal_ae(ae, cert, D, 2, 128));   /* ae has k = 1 */
    TU_EXPECT_ERROR(pca_optimal_ae(ae, cert, D, 1, 20));    /* prec < 53 */
    qmat_t D0;
    qmat_init(D0, 0, 3);
    TU_EXPECT_ERROR(pca_optimal_ae(ae, cert, D0, 1, 128));
    qmat_resize(C, 3, 3);
    TU_EXPECT_ERROR(pca_certify_basis(cert, C, Q, 0, 64));
    TU_EXPECT_ERROR(pca_certify_basis(cert, C, Q, 3, 64));
    TU_EXPECT_ERROR(pca_certify_basis(cert, C, U, 1, 64));  /* V not d x d */

    pca_inst_t I;
    pca_inst_init(I, 3);
    long S[2] = { 0, 0 };
    linae_t ae2;
    linae_init(ae2, 3, 2);
    TU_EXPECT_ERROR(pca_inst_subset_ae(ae2, I, S, 2));      /* repeated index */
    S[1] = 1;
    TU_EXPECT_ERROR(pca_inst_subset_ae(ae, I, S, 2));       /* ae has k = 1 */
    linae_clear(ae2);
    S[1] = 3;
    mpq_t L;
    mpq_init(L);
    TU_EXPECT_ERROR(pca_inst_subset_loss(L, I, S, 2));      /* out of range */
    TU_EXPECT_ERROR(pca_inst_subset_loss(L, I, S, 3));      /* k = d */
    mpq_clear(L);
    pca_inst_clear(I);

    pca_cert_clear(cert);
    linae_clear(ae);
    qmat_clear(D);
    qmat_clear(D0);
    qmat_clear(X);
    qmat_clear(C);
    qmat_clear(U);
    qmat_clear(Q);
    qmat_clear(Xs);
}

int main(void)
{
    static const tu_test T[] = {
        {"mean_cov", test_mean_cov},
        {"householder", test_householder},
        {"synthetic_cov", test_synthetic_cov},
        {"subsets_saddles", test_subsets_saddles},
        {"certify_exact_basis", test_certify_exact_basis},
        {"optimal_synthetic", test_optimal_synthetic},
        {"negative_controls", test_negative_controls},
        {"optimal_reallike", test_optimal_reallike},
        {"optimal_low_prec", test_optimal_low_prec},
        {"bad_input", test_bad_input},
        {NULL, NULL}};
    return tu_run("pca", 1988, T);
}
