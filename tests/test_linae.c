/* test_linae — CUnit suite for theory/linae (claims L1 and the gradient used by L2). */
#include <stdlib.h>

#include <gmp.h>
#include <gsl/gsl_rng.h>

#include "testutil.h"
#include "qmat.h"
#include "linae.h"


/* ---- helpers ---------------------------------------------------------------------- */

static void rand_qmat(qmat_t A, gsl_rng *rng, long M, unsigned long D)
{
    for (long i = 0; i < A->r * A->c; i++)
        tu_rand_q(A->entries[i], rng, M, D);
}

/* A random d x k rational matrix of rank k. */
static void rand_full_rank(qmat_t A, gsl_rng *rng)
{
    do
        rand_qmat(A, rng, 9, 5);
    while (qmat_rank(A) < A->c);
}

static void rand_vec(mpq_t *v, long n, gsl_rng *rng)
{
    for (long i = 0; i < n; i++)
        tu_rand_q(v[i], rng, 9, 7);
}

static void rand_ae(linae_t ae, gsl_rng *rng)
{
    rand_qmat(ae->We, rng, 9, 7);
    rand_qmat(ae->be, rng, 9, 7);
    rand_qmat(ae->Wd, rng, 9, 7);
    rand_qmat(ae->bd, rng, 9, 7);
}

/* Reference evaluation with plain mpq matrix operations (the second method). */
static void ref_map(mpq_t *y, const linae_t ae, const mpq_t *x)
{
    mpq_t *z = qvec_init(ae->k);
    qmat_mul_vec(z, ae->We, x);
    qvec_add(z, z, ae->be->entries, ae->k);
    qmat_mul_vec(y, ae->Wd, z);
    qvec_add(y, y, ae->bd->entries, ae->d);
    qvec_clear(z, ae->k);
}

static void ref_score(mpq_t e, const linae_t ae, const mpq_t *x)
{
    mpq_t *y = qvec_init(ae->d);
    ref_map(y, ae, x);
    qvec_dist2(e, x, y, ae->d);
    qvec_clear(y, ae->d);
}

/* P = (A^T A)^{-1} A^T by solving the normal equations (independent of linae). */
static void ref_pinv(qmat_t P, const qmat_t A)
{
    qmat_t G, At;
    qmat_init(G, A->c, A->c);
    qmat_init(At, A->c, A->r);
    qmat_transpose(At, A);
    qmat_mul(G, At, A);
    CU_ASSERT_EQUAL(qmat_solve(P, G, At), AE_OK);
    qmat_clear(G);
    qmat_clear(At);
}

static const long SIZES[][2] = { {2, 1}, {3, 1}, {3, 2}, {5, 2}, {8, 3}, {12, 7} };
#define NSIZES ((long) (sizeof SIZES / sizeof SIZES[0]))

/* ---- tests ------------------------------------------------------------------------ */

static void test_init_misuse(void)
{
    linae_t ae;
    TU_EXPECT_ERROR(linae_init(ae, 3, 3));
    linae_clear(ae);
    TU_EXPECT_ERROR(linae_init(ae, 3, 0));
    linae_clear(ae);
    TU_EXPECT_ERROR(linae_init(ae, 1, 1));
    linae_clear(ae);
    TU_EXPECT_ERROR(linae_init(ae, 2, 5));
    linae_clear(ae);
    TU_EXPECT_ERROR(linae_init(ae, 0, -1));
    linae_clear(ae);

    /* smallest legal size: the zero AE maps everything to 0, so e(x) = ||x||^2 */
    CU_ASSERT_EQUAL_FATAL(linae_init(ae, 2, 1), AE_OK);
    mpq_t *x = qvec_init(2), *y = qvec_init(2);
    mpq_t e, r;
    mpq_inits(e, r, (mpq_ptr) NULL);
    mpq_set_si(x[0], 3, 1);
    mpq_set_si(x[1], -4, 7);
    CU_ASSERT_EQUAL(linae_score(e, ae, x), AE_OK);
    qvec_norm2(r, x, 2);
    CU_ASSERT_TRUE(mpq_equal(e, r));
    CU_ASSERT_EQUAL(linae_map(y, ae, x), AE_OK);
    CU_ASSERT_TRUE(qvec_is_zero(y, 2));
    CU_ASSERT_FALSE(linae_is_left_inverse(ae));
    CU_ASSERT_TRUE(linae_is_projector(ae));            /* M = 0 is idempotent */
    CU_ASSERT_TRUE(linae_is_orthogonal_projector(ae));

    linae_t other;
    linae_init(other, 3, 1);
    TU_EXPECT_ERROR(linae_set(other, ae));
    linae_clear(other);

    /* linae_set copies; m = NULL means zero biases */
    linae_init(other, 2, 1);
    qmat_t Wd, We;
    qmat_init(Wd, 2, 1);
    qmat_init(We, 1, 2);
    mpq_set_ui(qmat_entry(Wd, 0, 0), 2, 1);
    mpq_set_ui(qmat_entry(Wd, 1, 0), 1, 1);
    mpq_set_ui(qmat_entry(We, 0, 1), 1, 1);          /* We Wd = 1: oblique projector */
    mpq_set_ui(ae->bd->entries[0], 5, 1);
    CU_ASSERT_EQUAL(linae_set_left_inverse(ae, Wd, We, NULL), AE_OK);
    CU_ASSERT_TRUE(qmat_is_zero(ae->be) && qmat_is_zero(ae->bd));
    CU_ASSERT_EQUAL(linae_set(other, ae), AE_OK);
    CU_ASSERT_TRUE(qmat_equal(other->We, We) && qmat_equal(other->Wd, Wd));
    CU_ASSERT_EQUAL(linae_set(other, other), AE_OK);
    CU_ASSERT_TRUE(linae_is_projector(other));
    CU_ASSERT_FALSE(linae_is_orthogonal_projector(other));
    /* f(x) = Wd x_2: x = (2, 1) is reconstructed, (1, 0) is not: e = 1 */
    mpq_set_ui(x[0], 2, 1);
    mpq_set_ui(x[1], 1, 1);
    linae_score(e, other, x);
    CU_ASSERT_EQUAL(mpq_sgn(e), 0);
    mpq_set_ui(x[0], 1, 1);
    mpq_set_ui(x[1], 0, 1);
    linae_score(e, other, x);
    CU_ASSERT_EQUAL(mpq_cmp_ui(e, 1, 1), 0);
    qmat_clear(Wd);
    qmat_clear(We);
    linae_clear(other);
    mpq_clears(e, r, (mpq_ptr) NULL);
    qvec_clear(x, 2);
    qvec_clear(y, 2);
    linae_clear(ae);
}

static void test_random_left_inverse(void)
{
    gsl_rng *rng = tu_rng();
    for (long s = 0; s < NSIZES; s++) {
        long d = SIZES[s][0], k = SIZES[s][1];
        for (int rep = 0; rep < 3; rep++) {
            qmat_t Wd, We, We2, P, I;
            qmat_init(Wd, d, k);
            qmat_init(We, k, d);
            qmat_init(We2, k, d);
            qmat_init(P, k, d);
            qmat_init(I, k, k);
            rand_full_rank(Wd, rng);
            CU_ASSERT_EQUAL_FATAL(linae_random_left_inverse(We, Wd, rng), AE_OK);
            qmat_mul(I, We, Wd);
            CU_ASSERT_TRUE(qmat_is_one(I));
            ref_pinv(P, Wd);
            CU_ASSERT_FALSE(qmat_equal(We, P));        /* not the pseudo-inverse */
            CU_ASSERT_EQUAL(linae_random_left_inverse(We2, Wd, rng), AE_OK);
            qmat_mul(I, We2, Wd);
            CU_ASSERT_TRUE(qmat_is_one(I));
            /* the difference of two left inverses annihilates col(Wd) */
            qmat_sub(We2, We2, We);
            qmat_mul(I, We2, Wd);
            CU_ASSERT_TRUE(qmat_is_zero(I));
            qmat_clear(Wd);
            qmat_clear(We);
            qmat_clear(We2);
            qmat_clear(P);
            qmat_clear(I);
        }
    }
    /* rank-deficient Wd: the second column is twice the first */
    qmat_t Wd, We;
    qmat_init(Wd, 4, 2);
    qmat_init(We, 2, 4);
    for (long i = 0; i < 4; i++) {
        mpq_set_si(qmat_entry(Wd, i, 0), i + 1, 3);
        mpq_set_si(qmat_entry(Wd, i, 1), 2 * (i + 1), 3);
        mpq_canonicalize(qmat_entry(Wd, i, 0));
        mpq_canonicalize(qmat_entry(Wd, i, 1));
    }
    CU_ASSERT_EQUAL(linae_random_left_inverse(We, Wd, rng), AE_SINGULAR);
    /* misuse: We of the wrong shape, k >= d, no rng */
    qmat_t Bad, Sq, SqW;
    qmat_init(Bad, 4, 2);
    qmat_init(Sq, 3, 3);
    qmat_init(SqW, 3, 3);
    TU_EXPECT_ERROR(linae_random_left_inverse(Bad, Wd, rng));
    TU_EXPECT_ERROR(linae_random_left_inverse(SqW, Sq, rng));
    TU_EXPECT_ERROR(linae_random_left_inverse(We, Wd, NULL));
    qmat_clear(Bad);
    qmat_clear(Sq);
    qmat_clear(SqW);
    qmat_clear(Wd);
    qmat_clear(We);
    gsl_rng_free(rng);
}

/* L1: x = m + t Wd z has score exactly 0 for any left inverse, t = +-10^(+-1000). */
static void test_range_zero_score(void)
{
    gsl_rng *rng = tu_rng();
    mpq_t t, e, tmp;
    mpq_inits(t, e, tmp, (mpq_ptr) NULL);
    for (long s = 0; s < NSIZES; s++) {
        long d = SIZES[s][0], k = SIZES[s][1];
        linae_t ae;
        linae_init(ae, d, k);
        qmat_t Wd, We, X;
        qmat_init(Wd, d, k);
        qmat_init(We, k, d);
        qmat_init(X, 6, d);
        mpq_t *m = qvec_init(d), *z = qvec_init(k), *w = qvec_init(d), *x = qvec_init(d),
              *y = qvec_init(d), *e6 = qvec_init(6);
        rand_full_rank(Wd, rng);
        CU_ASSERT_EQUAL_FATAL(linae_random_left_inverse(We, Wd, rng), AE_OK);
        rand_vec(m, d, rng);
        CU_ASSERT_EQUAL(linae_set_left_inverse(ae, Wd, We, m), AE_OK);
        CU_ASSERT_TRUE(linae_is_left_inverse(ae));
        CU_ASSERT_TRUE(linae_is_projector(ae));
        CU_ASSERT_FALSE(linae_is_orthogonal_projector(ae));   /* We != pinv */
        do
            rand_vec(z, k, rng);
        while (qvec_is_zero(z, k));
        qmat_mul_vec(w, Wd, z);
        for (int c = 0; c < 6; c++) {
            long ex = (c < 2) ? 1000 : (c < 4) ? -1000 : 0;
            mpz_ui_pow_ui(mpq_numref(t), 10, (unsigned long) (ex < 0 ? -ex : ex));
            mpz_set_ui(mpq_denref(t), 1);
            if (ex < 0)
                mpq_inv(t, t);
            if (c % 2)
                mpq_neg(t, t);
            if (c == 5)
                mpq_set_ui(t, 0, 1);
            qvec_set(x, m, d);
            qvec_addmul(x, w, t, d);
            CU_ASSERT_EQUAL(linae_score(e, ae, x), AE_OK);
            CU_ASSERT_EQUAL(mpq_sgn(e), 0);
            CU_ASSERT_EQUAL(linae_map(y, ae, x), AE_OK);
            CU_ASSERT_TRUE(qvec_equal(y, x, d));          /* perfect reconstruction */
            ref_score(tmp, ae, x);
            CU_ASSERT_EQUAL(mpq_sgn(tmp), 0);
            qvec_set(qmat_row(X, c), x, d);
        }
        CU_ASSERT_EQUAL(linae_scores(e6, ae, X), AE_OK);
        for (int c = 0; c < 6; c++)
            CU_ASSERT_EQUAL(mpq_sgn(e6[c]), 0);
        CU_ASSERT_EQUAL(linae_loss(e, ae, X), AE_OK);
        CU_ASSERT_EQUAL(mpq_sgn(e), 0);

        /* NEGATIVE CONTROL: perturb W_e at a column j where (Wd z)_j != 0.  Then
         * W_e W_d != I and the far point m + 10^1000 Wd z has score > 0. */
        long j = 0;
        while (mpq_sgn(w[j]) == 0)
            j++;
        mpq_set_si(tmp, 1, 7);
        mpq_add(qmat_entry(We, 0, j), qmat_entry(We, 0, j), tmp);
        CU_ASSERT_EQUAL(linae_set_left_inverse(ae, Wd, We, m), AE_NOTVERIFIED);
        CU_ASSERT_FALSE(linae_is_left_inverse(ae));
        mpz_ui_pow_ui(mpq_numref(t), 10, 1000);
        mpz_set_ui(mpq_denref(t), 1);
        qvec_set(x, m, d);
        qvec_addmul(x, w, t, d);
        CU_ASSERT_EQUAL(linae_score(e, ae, x), AE_OK);
        CU_ASSERT_TRUE(mpq_sgn(e) > 0);
        ref_score(tmp, ae, x);
        CU_ASSERT_TRUE(mpq_equal(e, tmp));

        qvec_clear(m, d);
        qvec_clear(z, k);
        qvec_clear(w, d);
        qvec_clear(x, d);
        qvec_clear(y, d);
        qvec_clear(e6, 6);
        qmat_clear(Wd);
        qmat_clear(We);
        qmat_clear(X);
        linae_clear(ae);
    }
    mpq_clears(t, e, tmp, (mpq_ptr) NULL);
    gsl_rng_free(rng);
}

/* Negative control of L1: an off-subspace component w (orthogonal to col V) gives
 * e = ||w||^2 exactly for the orthogonal projector, and e > 0 for an oblique one. */
static void test_off_subspace(void)
{
    gsl_rng *rng = tu_rng();
    mpq_t e, r;
    mpq_inits(e, r, (mpq_ptr) NULL);
    for (long s = 0; s < NSIZES; s++) {
        long d = SIZES[s][0], k = SIZES[s][1];
        linae_t ae, ob;
        linae_init(ae, d, k);
        linae_init(ob, d, k);
        qmat_t V, P, VP, We;
        qmat_init(V, d, k);
        qmat_init(P, k, d);
        qmat_init(VP, d, d);
        qmat_init(We, k, d);
        mpq_t *m = qvec_init(d), *y = qvec_init(d), *w = qvec_init(d), *u = qvec_init(d),
              *z = qvec_init(k), *x = qvec_init(d), *res = qvec_init(d);
        rand_full_rank(V, rng);
        rand_vec(m, d, rng);
        CU_ASSERT_EQUAL_FATAL(linae_set_projector_basis(ae, V, m), AE_OK);
        CU_ASSERT_TRUE(linae_is_left_inverse(ae));
        CU_ASSERT_TRUE(linae_is_projector(ae));
        CU_ASSERT_TRUE(linae_is_orthogonal_projector(ae));
        ref_pinv(P, V);
        CU_ASSERT_TRUE(qmat_equal(ae->We, P));
        qmat_mul(VP, V, P);
        /* w = (I - V P) y, nonzero */
        do {
            rand_vec(y, d, rng);
            qmat_mul_vec(u, VP, y);
            qvec_sub(w, y, u, d);
        } while (qvec_is_zero(w, d));
        rand_vec(z, k, rng);
        qmat_mul_vec(x, V, z);
        qvec_add(x, x, m, d);
        qvec_add(x, x, w, d);
        CU_ASSERT_EQUAL(linae_score(e, ae, x), AE_OK);
        qvec_norm2(r, w, d);
        CU_ASSERT_TRUE(mpq_sgn(e) > 0);
        CU_ASSERT_TRUE(mpq_equal(e, r));

        /* oblique projector (random left inverse): e = ||(I - M) w||^2 > 0 */
        CU_ASSERT_EQUAL_FATAL(linae_random_left_inverse(We, V, rng), AE_OK);
        CU_ASSERT_EQUAL(linae_set_left_inverse(ob, V, We, m), AE_OK);
        CU_ASSERT_EQUAL(linae_score(e, ob, x), AE_OK);
        qmat_t M;
        qmat_init(M, d, d);
        CU_ASSERT_EQUAL(linae_map_matrix(M, ob), AE_OK);
        qmat_mul_vec(res, M, w);
        qvec_sub(res, w, res, d);
        qvec_norm2(r, res, d);
        CU_ASSERT_TRUE(mpq_sgn(e) > 0);
        CU_ASSERT_TRUE(mpq_equal(e, r));

        /* NEGATIVE CONTROL: W_e = 2 P makes M = 2 V P, M^2 = 4 V P != M */
        mpq_set_ui(r, 2, 1);
        qmat_scalar_mul(P, P, r);
        CU_ASSERT_EQUAL(linae_set_left_inverse(ob, V, P, m), AE_NOTVERIFIED);
        CU_ASSERT_FALSE(linae_is_projector(ob));
        CU_ASSERT_FALSE(linae_is_orthogonal_projector(ob));

        qmat_clear(M);
        qvec_clear(m, d);
        qvec_clear(y, d);
        qvec_clear(w, d);
        qvec_clear(u, d);
        qvec_clear(z, k);
        qvec_clear(x, d);
        qvec_clear(res, d);
        qmat_clear(V);
        qmat_clear(P);
        qmat_clear(VP);
        qmat_clear(We);
        linae_clear(ae);
        linae_clear(ob);
    }
    /* rank-deficient basis */
    linae_t ae;
    linae_init(ae, 3, 2);
    qmat_t V;
    qmat_init(V, 3, 2);
    mpq_set_ui(qmat_entry(V, 0, 0), 1, 1);
    mpq_set_ui(qmat_entry(V, 0, 1), 1, 1);
    CU_ASSERT_EQUAL(linae_set_projector_basis(ae, V, NULL), AE_SINGULAR);
    qmat_clear(V);
    qmat_t Vb;
    qmat_init(Vb, 4, 2);
    TU_EXPECT_ERROR(linae_set_projector_basis(ae, Vb, NULL));
    qmat_clear(Vb);
    linae_clear(ae);
    mpq_clears(e, r, (mpq_ptr) NULL);
    gsl_rng_free(rng);
}

/* linae_map / score / scores / loss against plain mpq evaluation, small and large
 * rationals, n = 0, 1, 7. */
static void test_eval_vs_reference(void)
{
    gsl_rng *rng = tu_rng();
    mpq_t e, r, sum;
    mpq_inits(e, r, sum, (mpq_ptr) NULL);
    for (long s = 0; s < NSIZES; s++) {
        long d = SIZES[s][0], k = SIZES[s][1];
        for (int big = 0; big < 2; big++) {
            linae_t ae;
            linae_init(ae, d, k);
            rand_ae(ae, rng);
            if (big) {
                for (long i = 0; i < k * d; i++)
                    tu_rand_q_big(ae->We->entries[i], rng, 100);
                for (long i = 0; i < d; i++)
                    tu_rand_q_big(ae->bd->entries[i], rng, 60);
            }
            long ns[3] = { 0, 1, 7 };
            for (int a = 0; a < 3; a++) {
                long n = ns[a];
                qmat_t X;
                qmat_init(X, n, d);
                rand_qmat(X, rng, 20, 9);
                if (big && n > 0)
                    tu_rand_q_big(qmat_entry(X, 0, 0), rng, 80);
                mpq_t *es = qvec_init(n), *y = qvec_init(d), *yr = qvec_init(d);
                CU_ASSERT_EQUAL(linae_scores(es, ae, X), AE_OK);
                mpq_set_ui(sum, 0, 1);
                for (long i = 0; i < n; i++) {
                    ref_score(r, ae, qmat_row(X, i));
                    CU_ASSERT_TRUE(mpq_equal(es[i], r));
                    CU_ASSERT_EQUAL(linae_score(e, ae, qmat_row(X, i)), AE_OK);
                    CU_ASSERT_TRUE(mpq_equal(e, r));
                    mpq_add(sum, sum, r);
                    ref_map(yr, ae, qmat_row(X, i));
                    CU_ASSERT_EQUAL(linae_map(y, ae, qmat_row(X, i)), AE_OK);
                    CU_ASSERT_TRUE(qvec_equal(y, yr, d));
                    qvec_set(y, qmat_row(X, i), d);
                    CU_ASSERT_EQUAL(linae_map(y, ae, y), AE_OK);   /* aliasing */
                    CU_ASSERT_TRUE(qvec_equal(y, yr, d));
                }
                if (n > 0) {
                    mpq_set_ui(r, (unsigned long) n, 1);
                    mpq_div(sum, sum, r);
                    CU_ASSERT_EQUAL(linae_loss(e, ae, X), AE_OK);
                    CU_ASSERT_TRUE(mpq_equal(e, sum));
                }
                qvec_clear(es, n);
                qvec_clear(y, d);
                qvec_clear(yr, d);
                qmat_clear(X);
            }
            /* M = Wd We and f(x) = M x + (Wd be + bd) */
            qmat_t M, c;
            qmat_init(M, d, d);
            qmat_init(c, d, 1);
            CU_ASSERT_EQUAL(linae_map_matrix(M, ae), AE_OK);
            mpq_t *x = qvec_init(d), *y = qvec_init(d), *yr = qvec_init(d);
            rand_vec(x, d, rng);
            qmat_mul(c, ae->Wd, ae->be);
            qmat_add(c, c, ae->bd);
            qmat_mul_vec(yr, M, x);
            qvec_add(yr, yr, c->entries, d);
            linae_map(y, ae, x);
            CU_ASSERT_TRUE(qvec_equal(y, yr, d));
            qvec_clear(x, d);
            qvec_clear(y, d);
            qvec_clear(yr, d);
            qmat_clear(M);
            qmat_clear(c);
            linae_clear(ae);
        }
    }
    mpq_clears(e, r, sum, (mpq_ptr) NULL);
    gsl_rng_free(rng);
}

/* T = A + eps * B, blockwise. */
static void ae_axpy(linae_t T, const linae_t A, const mpq_t eps, const linae_t B)
{
    qmat_scalar_mul(T->We, B->We, eps);
    qmat_add(T->We, T->We, A->We);
    qmat_scalar_mul(T->be, B->be, eps);
    qmat_add(T->be, T->be, A->be);
    qmat_scalar_mul(T->Wd, B->Wd, eps);
    qmat_add(T->Wd, T->Wd, A->Wd);
    qmat_scalar_mul(T->bd, B->bd, eps);
    qmat_add(T->bd, T->bd, A->bd);
}

static void mat_dot(mpq_t r, const qmat_t A, const qmat_t B)
{
    mpq_t t;
    mpq_init(t);
    qvec_dot(t, A->entries, B->entries, A->r * A->c);
    mpq_add(r, r, t);
    mpq_clear(t);
}

/* <G, eta> over all four blocks */
static void ae_dot(mpq_t r, const linae_t G, const linae_t E)
{
    mpq_set_ui(r, 0, 1);
    mat_dot(r, G->We, E->We);
    mat_dot(r, G->be, E->be);
    mat_dot(r, G->Wd, E->Wd);
    mat_dot(r, G->bd, E->bd);
}

/* The loss along theta + eps eta is a polynomial of degree <= 4 in eps, so the
 * five-point stencil (L(-2) - 8 L(-1) + 8 L(1) - L(2)) / 12 is its derivative at 0
 * exactly; it must equal <grad L(theta), eta>.  Directions: all blocks, then each alone. */
static void test_grad_lagrange(void)
{
    gsl_rng *rng = tu_rng();
    static const long gs[][3] = { {2, 1, 1}, {3, 2, 4}, {6, 3, 9}, {5, 1, 2} };
    mpq_t L[5], eps, deriv, ip, c;
    for (int i = 0; i < 5; i++)
        mpq_init(L[i]);
    mpq_inits(eps, deriv, ip, c, (mpq_ptr) NULL);
    /* xk = 1: data with unrelated large denominators (the row-by-row accumulation) */
    for (int s = 0; s < 8; s++) {
        long d = gs[s % 4][0], k = gs[s % 4][1], n = gs[s % 4][2];
        int xk = s / 4;
        linae_t ae, G, eta, T;
        linae_init(ae, d, k);
        linae_init(G, d, k);
        linae_init(eta, d, k);
        linae_init(T, d, k);
        qmat_t X;
        qmat_init(X, n, d);
        rand_ae(ae, rng);
        rand_qmat(X, rng, 9, 5);
        if (xk)
            for (long i = 0; i < n * d; i++)
                tu_rand_q_big(X->entries[i], rng, 48);
        CU_ASSERT_EQUAL_FATAL(linae_grad(G, ae, X), AE_OK);
        for (int blk = -1; blk < 4; blk++) {
            rand_ae(eta, rng);
            if (blk >= 0) {   /* keep one block only */
                if (blk != 0) qmat_zero(eta->We);
                if (blk != 1) qmat_zero(eta->be);
                if (blk != 2) qmat_zero(eta->Wd);
                if (blk != 3) qmat_zero(eta->bd);
            }
            for (int p = 0; p < 5; p++) {
                mpq_set_si(eps, p - 2, 1);
                ae_axpy(T, ae, eps, eta);
                CU_ASSERT_EQUAL(linae_loss(L[p], T, X), AE_OK);
            }
            mpq_sub(deriv, L[0], L[4]);
            mpq_sub(c, L[3], L[1]);
            mpq_set_ui(ip, 8, 1);
            mpq_mul(c, c, ip);
            mpq_add(deriv, deriv, c);
            mpq_set_ui(ip, 12, 1);
            mpq_div(deriv, deriv, ip);
            ae_dot(ip, G, eta);
            CU_ASSERT_TRUE(mpq_equal(deriv, ip));
            /* NEGATIVE CONTROL: a wrong gradient (one entry changed) disagrees when that
             * entry's direction component is nonzero */
            if (blk == -1 && mpq_sgn(eta->bd->entries[0]) != 0) {
                mpq_set_si(c, 1, 3);
                mpq_add(G->bd->entries[0], G->bd->entries[0], c);
                ae_dot(ip, G, eta);
                CU_ASSERT_FALSE(mpq_equal(deriv, ip));
                mpq_sub(G->bd->entries[0], G->bd->entries[0], c);
            }
        }
        /* misuse */
        qmat_t X0, Xb;
        qmat_init(X0, 0, d);
        qmat_init(Xb, 2, d + 1);
        linae_t Gb;
        linae_init(Gb, d + 1, k);
        TU_EXPECT_ERROR(linae_grad(G, ae, X0));
        TU_EXPECT_ERROR(linae_loss(L[0], ae, X0));
        TU_EXPECT_ERROR(linae_grad(G, ae, Xb));
        TU_EXPECT_ERROR(linae_grad(Gb, ae, X));
        TU_EXPECT_ERROR(linae_grad(ae, ae, X));
        TU_EXPECT_ERROR(linae_loss(L[0], ae, Xb));
        TU_EXPECT_ERROR(linae_scores(L, ae, Xb));
        linae_clear(Gb);
        qmat_clear(X0);
        qmat_clear(Xb);
        qmat_clear(X);
        linae_clear(ae);
        linae_clear(G);
        linae_clear(eta);
        linae_clear(T);
    }
    for (int i = 0; i < 5; i++)
        mpq_clear(L[i]);
    mpq_clears(eps, deriv, ip, c, (mpq_ptr) NULL);
    gsl_rng_free(rng);
}

/* Data lying exactly in m + col(V): the projector AE has loss 0 and gradient exactly 0
 * (a degenerate critical point, n = 1 and n = 6). */
static void test_grad_zero_on_subspace_data(void)
{
    gsl_rng *rng = tu_rng();
    long d = 5, k = 2;
    for (long n = 1; n <= 6; n += 5) {
        linae_t ae, G;
        linae_init(ae, d, k);
        linae_init(G, d, k);
        qmat_t V, Z, X;
        qmat_init(V, d, k);
        qmat_init(Z, n, k);
        qmat_init(X, n, d);
        mpq_t *m = qvec_init(d), L;
        mpq_init(L);
        rand_full_rank(V, rng);
        rand_vec(m, d, rng);
        rand_qmat(Z, rng, 9, 4);
        for (long i = 0; i < n; i++) {
            qmat_mul_vec(qmat_row(X, i), V, qmat_row(Z, i));
            qvec_add(qmat_row(X, i), qmat_row(X, i), m, d);
        }
        CU_ASSERT_EQUAL(linae_set_projector_basis(ae, V, m), AE_OK);
        CU_ASSERT_EQUAL(linae_loss(L, ae, X), AE_OK);
        CU_ASSERT_EQUAL(mpq_sgn(L), 0);
        CU_ASSERT_EQUAL(linae_grad(G, ae, X), AE_OK);
        CU_ASSERT_TRUE(qmat_is_zero(G->We) && qmat_is_zero(G->be) &&
                       qmat_is_zero(G->Wd) && qmat_is_zero(G->bd));
        /* NEGATIVE CONTROL: move one point off the subspace -> nonzero gradient */
        mpq_set_si(L, 1, 2);
        mpq_add(qmat_entry(X, 0, 0), qmat_entry(X, 0, 0), L);
        CU_ASSERT_EQUAL(linae_grad(G, ae, X), AE_OK);
        CU_ASSERT_FALSE(qmat_is_zero(G->bd));
        mpq_clear(L);
        qvec_clear(m, d);
        qmat_clear(V);
        qmat_clear(Z);
        qmat_clear(X);
        linae_clear(ae);
        linae_clear(G);
    }
    gsl_rng_free(rng);
}

/* Q = I - 2 u u^T / u^T u, exactly orthogonal. */
static void householder(qmat_t Q, const mpq_t *u, long d)
{
    mpq_t nn, t;
    mpq_inits(nn, t, (mpq_ptr) NULL);
    qvec_norm2(nn, u, d);
    qmat_one(Q);
    for (long i = 0; i < d; i++)
        for (long j = 0; j < d; j++) {
            mpq_mul(t, u[i], u[j]);
            mpq_div(t, t, nn);
            mpq_add(t, t, t);
            mpq_sub(qmat_entry(Q, i, j), qmat_entry(Q, i, j), t);
        }
    mpq_clears(nn, t, (mpq_ptr) NULL);
}

/* Baldi–Hornik: for orthonormal Vk every invertible G gives the same map, equal to the
 * orthogonal projector's. */
static void test_baldi_hornik(void)
{
    gsl_rng *rng = tu_rng();
    for (long s = 0; s < NSIZES; s++) {
        long d = SIZES[s][0], k = SIZES[s][1];
        qmat_t Q, Vk, G1, G2, M1, M2, M3, Q2;
        qmat_init(Q, d, d);
        qmat_init(Q2, d, d);
        qmat_init(Vk, d, k);
        qmat_init(G1, k, k);
        qmat_init(G2, k, k);
        qmat_init(M1, d, d);
        qmat_init(M2, d, d);
        qmat_init(M3, d, d);
        mpq_t *u = qvec_init(d), *m = qvec_init(d), *x = qvec_init(d), *y1 = qvec_init(d),
              *y2 = qvec_init(d);
        do
            rand_vec(u, d, rng);
        while (qvec_is_zero(u, d));
        householder(Q, u, d);
        do
            rand_vec(u, d, rng);
        while (qvec_is_zero(u, d));
        householder(Q2, u, d);
        qmat_mul(Q, Q, Q2);
        qmat_submatrix(Vk, Q, 0, 0);
        do
            rand_qmat(G1, rng, 9, 5);
        while (qmat_rank(G1) < k);
        do
            rand_qmat(G2, rng, 9, 5);
        while (qmat_rank(G2) < k || qmat_equal(G1, G2));
        rand_vec(m, d, rng);
        linae_t a1, a2, a3;
        linae_init(a1, d, k);
        linae_init(a2, d, k);
        linae_init(a3, d, k);
        CU_ASSERT_EQUAL(linae_set_baldi_hornik(a1, Vk, G1, m), AE_OK);
        CU_ASSERT_EQUAL(linae_set_baldi_hornik(a2, Vk, G2, m), AE_OK);
        CU_ASSERT_EQUAL(linae_set_projector_basis(a3, Vk, m), AE_OK);
        CU_ASSERT_FALSE(qmat_equal(a1->Wd, a2->Wd));      /* different weights ... */
        linae_map_matrix(M1, a1);
        linae_map_matrix(M2, a2);
        linae_map_matrix(M3, a3);
        CU_ASSERT_TRUE(qmat_equal(M1, M2));                /* ... same map */
        CU_ASSERT_TRUE(qmat_equal(M1, M3));
        CU_ASSERT_TRUE(linae_is_orthogonal_projector(a1));
        CU_ASSERT_TRUE(linae_is_orthogonal_projector(a2));
        CU_ASSERT_TRUE(linae_is_left_inverse(a1));
        for (int rep = 0; rep < 3; rep++) {
            rand_vec(x, d, rng);
            linae_map(y1, a1, x);
            linae_map(y2, a2, x);
            CU_ASSERT_TRUE(qvec_equal(y1, y2, d));
            linae_map(y2, a3, x);
            CU_ASSERT_TRUE(qvec_equal(y1, y2, d));
        }
        /* NEGATIVE CONTROL: a non-orthonormal Vk (2 Vk): M = 4 Vk Vk^T is not idempotent */
        mpq_t two;
        mpq_init(two);
        mpq_set_ui(two, 2, 1);
        qmat_scalar_mul(Q2, Q, two);
        qmat_submatrix(Vk, Q2, 0, 0);
        CU_ASSERT_EQUAL(linae_set_baldi_hornik(a1, Vk, G1, m), AE_OK);
        CU_ASSERT_FALSE(linae_is_projector(a1));
        mpq_clear(two);
        /* singular G, misuse */
        qmat_zero(G1);
        CU_ASSERT_EQUAL(linae_set_baldi_hornik(a1, Vk, G1, m), AE_SINGULAR);
        TU_EXPECT_ERROR(linae_set_baldi_hornik(a1, Q, G2, m));
        TU_EXPECT_ERROR(linae_set_baldi_hornik(a1, Vk, Q, m));
        TU_EXPECT_ERROR(linae_set_left_inverse(a1, Q, Vk, m));
        TU_EXPECT_ERROR(linae_map_matrix(G2, a1));
        qvec_clear(u, d);
        qvec_clear(m, d);
        qvec_clear(x, d);
        qvec_clear(y1, d);
        qvec_clear(y2, d);
        qmat_clear(Q);
        qmat_clear(Q2);
        qmat_clear(Vk);
        qmat_clear(G1);
        qmat_clear(G2);
        qmat_clear(M1);
        qmat_clear(M2);
        qmat_clear(M3);
        linae_clear(a1);
        linae_clear(a2);
        linae_clear(a3);
    }
    gsl_rng_free(rng);
}

/* Real-data scale: 541 x 64, k = 8, W_d of 53-bit dyadic entries (like eigenvectors
 * read back from MPFR), W_e = (V^T V)^{-1} V^T with its large denominators.  Rows in
 * the subspace score 0; the others agree with plain mpq evaluation (checked on a few). */
static void test_scores_large(void)
{
    gsl_rng *rng = tu_rng();
    long n = 541, d = 64, k = 8;
    qmat_t V, X;
    qmat_init(V, d, k);
    qmat_init(X, n, d);
    for (long i = 0; i < d * k; i++) {
        tu_rand_z_big(mpq_numref(V->entries[i]), rng, 53);
        mpz_set_ui(mpq_denref(V->entries[i]), 1);
        mpz_mul_2exp(mpq_denref(V->entries[i]), mpq_denref(V->entries[i]), 53);
        mpq_canonicalize(V->entries[i]);
    }
    for (long i = 0; i < n * d; i++)
        tu_rand_q(X->entries[i], rng, 16, 16);
    mpq_t *m = qvec_init(d), *z = qvec_init(k), *es = qvec_init(n), r;
    mpq_init(r);
    rand_vec(m, d, rng);
    linae_t ae;
    linae_init(ae, d, k);
    CU_ASSERT_EQUAL_FATAL(linae_set_projector_basis(ae, V, m), AE_OK);
    for (long i = 0; i < n; i += 10) {    /* every 10th row in m + col(V) */
        rand_vec(z, k, rng);
        qmat_mul_vec(qmat_row(X, i), V, z);
        qvec_add(qmat_row(X, i), qmat_row(X, i), m, d);
    }
    CU_ASSERT_EQUAL(linae_scores(es, ae, X), AE_OK);
    for (long i = 0; i < n; i++)
        CU_ASSERT_EQUAL(mpq_sgn(es[i]), (i % 10 == 0) ? 0 : 1);
    for (long i = 1; i < n; i += 97) {
        ref_score(r, ae, qmat_row(X, i));
        CU_ASSERT_TRUE(mpq_equal(r, es[i]));
    }
    mpq_clear(r);
    qvec_clear(m, d);
    qvec_clear(z, k);
    qvec_clear(es, n);
    qmat_clear(V);
    qmat_clear(X);
    linae_clear(ae);
    gsl_rng_free(rng);
}

int main(void)
{
    static const tu_test T[] = {
        {"init, misuse, smallest size", test_init_misuse},
        {"random left inverse", test_random_left_inverse},
        {"L1: range points score 0 at t = +-10^(+-1000)", test_range_zero_score},
        {"off-subspace component: e = ||w||^2", test_off_subspace},
        {"map/score/scores/loss vs mpq reference", test_eval_vs_reference},
        {"gradient vs exact 5-point stencil", test_grad_lagrange},
        {"zero gradient on subspace data", test_grad_zero_on_subspace_data},
        {"Baldi-Hornik: every G the same map", test_baldi_hornik},
        {"541 x 64 scores, large rationals", test_scores_large},
        {NULL, NULL}
    };
    return tu_run("linae", 20250117UL, T);
}
