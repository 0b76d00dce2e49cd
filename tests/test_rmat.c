/* Tests for rmat: conversions checked by exact rational comparisons, arithmetic against
 * exact qmat arithmetic rounded once (rmat's contract is per-entry correct rounding, so
 * the results must be identical), QR against the identities Q^T Q = I and Q R = A. */
#include <math.h>
#include <stdlib.h>
#include <gmp.h>
#include <mpfr.h>

#include "testutil.h"
#include "qmat.h"
#include "rmat.h"

static gmp_randstate_t rs;

static void rand_init(void)
{
    gmp_randinit_mt(rs);
    gmp_randseed_ui(rs, tu_seed());
}

/* A random rational with numerator and denominator up to `bits` bits (denominator > 0). */
static void rand_q(mpq_t q, unsigned bits)
{
    mpz_urandomb(mpq_numref(q), rs, bits);
    mpz_urandomb(mpq_denref(q), rs, bits);
    mpz_add_ui(mpq_denref(q), mpq_denref(q), 1);
    if (gmp_urandomm_ui(rs, 2))
        mpz_neg(mpq_numref(q), mpq_numref(q));
    mpq_canonicalize(q);
}

static void rand_qmat(qmat_t Q, unsigned bits)
{
    for (long k = 0; k < Q->r * Q->c; k++)
        rand_q(Q->entries[k], bits);
}

/* Random finite MPFR entries: full random significands, signs, exponents in [-40, 40]. */
static void rand_rmat(rmat_t A)
{
    for (long k = 0; k < A->r * A->c; k++) {
        mpfr_urandomb(A->entries[k], rs);
        mpfr_mul_2si(A->entries[k], A->entries[k], (long) gmp_urandomm_ui(rs, 81) - 40,
                     MPFR_RNDN);
        if (gmp_urandomm_ui(rs, 2))
            mpfr_neg(A->entries[k], A->entries[k], MPFR_RNDN);
    }
}

/* Uniform in [-1, 1). */
static void rand_unit_rmat(rmat_t A)
{
    for (long k = 0; k < A->r * A->c; k++) {
        mpfr_urandomb(A->entries[k], rs);
        mpfr_mul_2ui(A->entries[k], A->entries[k], 1, MPFR_RNDN);
        mpfr_sub_ui(A->entries[k], A->entries[k], 1, MPFR_RNDN);
    }
}

/* 1 if r (an MPFR number of precision p) is q correctly rounded in mode rnd, checked
 * with exact rational comparisons against r's two neighbours. */
static int is_rounding(const mpfr_t r, const mpq_t q, mpfr_rnd_t rnd)
{
    if (mpq_sgn(q) == 0)            /* zero is exact (and its neighbours are subnormal-far) */
        return mpfr_zero_p(r);
    mpfr_prec_t p = mpfr_get_prec(r);
    mpfr_t lo, hi;
    mpfr_inits2(p, lo, hi, (mpfr_ptr) 0);
    mpfr_set(lo, r, MPFR_RNDN);
    mpfr_set(hi, r, MPFR_RNDN);
    mpfr_nextbelow(lo);
    mpfr_nextabove(hi);
    mpq_t rq, lq, hq, d1, d2;
    mpq_inits(rq, lq, hq, d1, d2, NULL);
    mpfr_get_q(rq, r);
    mpfr_get_q(lq, lo);
    mpfr_get_q(hq, hi);
    int ok;
    if (rnd == MPFR_RNDD)
        ok = mpq_cmp(rq, q) <= 0 && mpq_cmp(hq, q) > 0;
    else if (rnd == MPFR_RNDU)
        ok = mpq_cmp(rq, q) >= 0 && mpq_cmp(lq, q) < 0;
    else {
        /* nearest: no neighbour strictly closer */
        mpq_sub(d1, rq, q);
        mpq_abs(d1, d1);
        mpq_sub(d2, lq, q);
        mpq_abs(d2, d2);
        ok = mpq_cmp(d1, d2) <= 0;
        mpq_sub(d2, hq, q);
        mpq_abs(d2, d2);
        ok = ok && mpq_cmp(d1, d2) <= 0;
    }
    mpq_clears(rq, lq, hq, d1, d2, NULL);
    mpfr_clears(lo, hi, (mpfr_ptr) 0);
    return ok;
}

static void test_init_sizes(void)
{
    rmat_t A, B;
    rmat_init(A, 0, 0, 64);
    rmat_init(B, 0, 3, 64);
    CU_ASSERT_TRUE(rmat_is_symmetric(A));
    CU_ASSERT_FALSE(rmat_equal(A, B));
    rmat_one(A);
    rmat_resize(A, 1, 1, 100);
    CU_ASSERT_EQUAL(A->prec, 100);
    CU_ASSERT_TRUE(mpfr_zero_p(rmat_entry(A, 0, 0)));
    rmat_one(A);
    CU_ASSERT_EQUAL(mpfr_cmp_ui(rmat_entry(A, 0, 0), 1), 0);
    rmat_resize(B, 2, 3, 30);
    rmat_one(B);
    CU_ASSERT_EQUAL(mpfr_cmp_ui(rmat_entry(B, 1, 1), 1), 0);
    CU_ASSERT_TRUE(mpfr_zero_p(rmat_entry(B, 1, 2)));
    CU_ASSERT_FALSE(rmat_is_symmetric(B));
    rmat_swap(A, B);
    CU_ASSERT_EQUAL(A->r, 2);
    CU_ASSERT_EQUAL(B->prec, 100);
    rmat_clear(A);
    rmat_clear(B);
}

static void test_qmat_roundtrip(void)
{
    static const mpfr_rnd_t modes[] = {MPFR_RNDN, MPFR_RNDD, MPFR_RNDU};
    static const mpfr_prec_t precs[] = {2, 24, 53, 113, 300};
    rand_init();
    qmat_t Q, Q2;
    qmat_init(Q, 4, 5);
    qmat_init(Q2, 4, 5);
    for (int t = 0; t < 10; t++) {
        rand_qmat(Q, 1 + (unsigned) (t * 40));
        for (size_t ip = 0; ip < sizeof precs / sizeof *precs; ip++)
            for (int m = 0; m < 3; m++) {
                rmat_t A;
                rmat_init(A, 4, 5, precs[ip]);
                CU_ASSERT_EQUAL(rmat_set_qmat(A, Q, modes[m]), AE_OK);
                CU_ASSERT_EQUAL(rmat_get_qmat(Q2, A), AE_OK);
                for (long k = 0; k < 20; k++) {
                    CU_ASSERT_TRUE(is_rounding(A->entries[k], Q->entries[k], modes[m]));
                    /* the rational read back is exactly the MPFR value */
                    CU_ASSERT_EQUAL(mpfr_cmp_q(A->entries[k], Q2->entries[k]), 0);
                }
                rmat_clear(A);
            }
    }
    /* dyadic rationals with few bits survive exactly */
    rmat_t A;
    rmat_init(A, 4, 5, 40);
    for (long k = 0; k < 20; k++) {
        mpq_set_si(Q->entries[k], (long) k * 12345 - 99999, 1);
        mpq_div_2exp(Q->entries[k], Q->entries[k], (mp_bitcnt_t) k);
    }
    rmat_set_qmat(A, Q, MPFR_RNDZ);
    rmat_get_qmat(Q2, A);
    CU_ASSERT_TRUE(qmat_equal(Q, Q2));
    rmat_clear(A);
    qmat_clear(Q);
    qmat_clear(Q2);
    gmp_randclear(rs);
}

static void test_rmat_roundtrip(void)
{
    rand_init();
    static const mpfr_prec_t precs[] = {2, 53, 200};
    for (size_t ip = 0; ip < sizeof precs / sizeof *precs; ip++) {
        rmat_t A, B, C;
        qmat_t Q;
        rmat_init(A, 3, 6, precs[ip]);
        rmat_init(B, 3, 6, precs[ip]);
        rmat_init(C, 3, 6, precs[ip] + 77);
        qmat_init(Q, 3, 6);
        rand_rmat(A);
        rmat_get_qmat(Q, A);
        rmat_set_qmat(B, Q, MPFR_RNDN);
        CU_ASSERT_TRUE(rmat_equal(A, B));
        rmat_set_qmat(C, Q, MPFR_RNDU);      /* exact at higher precision, any mode */
        CU_ASSERT_TRUE(rmat_equal(A, C));
        rmat_set(B, C, MPFR_RNDD);
        CU_ASSERT_TRUE(rmat_equal(A, B));
        rmat_clear(A);
        rmat_clear(B);
        rmat_clear(C);
        qmat_clear(Q);
    }
    gmp_randclear(rs);
}

static void test_set_get_d(void)
{
    rand_init();
    double v[12], w[12];
    for (int k = 0; k < 12; k++)
        v[k] = ldexp((double) gmp_urandomb_ui(rs, 32) - 2147483648.0, (int) k * 7 - 40) / 3.0;
    rmat_t A, F;
    rmat_init(A, 3, 4, 53);
    rmat_init(F, 3, 4, 24);
    CU_ASSERT_EQUAL(rmat_set_d(A, v, MPFR_RNDN), AE_OK);
    rmat_get_d(w, A, MPFR_RNDN);
    for (int k = 0; k < 12; k++)
        CU_ASSERT_EQUAL(v[k], w[k]);
    /* 24-bit rounding to nearest is the float conversion (normal range) */
    rmat_set_d(F, v, MPFR_RNDN);
    rmat_get_d(w, F, MPFR_RNDN);
    for (int k = 0; k < 12; k++)
        CU_ASSERT_EQUAL((double) (float) v[k], w[k]);
    rmat_clear(A);
    rmat_clear(F);
    gmp_randclear(rs);
}

/* rmat_op(out at precision p, rnd) must equal the exact qmat result rounded once. */
static void check_against_exact(const rmat_t C, const qmat_t exact, mpfr_rnd_t rnd)
{
    rmat_t D;
    rmat_init(D, C->r, C->c, C->prec);
    rmat_set_qmat(D, exact, rnd);
    CU_ASSERT_TRUE(rmat_equal(C, D));
    rmat_clear(D);
}

static void test_arith_exact(void)
{
    static const mpfr_rnd_t modes[] = {MPFR_RNDN, MPFR_RNDD, MPFR_RNDU};
    rand_init();
    for (int m = 0; m < 3; m++)
        for (long n = 0; n <= 5; n += 5) {
            rmat_t A, B, C, S, G, T;
            qmat_t Aq, Bq, Cq, Sq;
            rmat_init(A, 4, n, 60);
            rmat_init(B, n, 3, 90);
            rmat_init(C, 4, 3, 50);
            rmat_init(S, 4, n, 40);
            rmat_init(G, n, n, 45);
            rmat_init(T, n, 4, 30);
            qmat_init(Aq, 4, n);
            qmat_init(Bq, n, 3);
            qmat_init(Cq, 4, 3);
            qmat_init(Sq, 4, n);
            rand_rmat(A);
            rand_rmat(B);
            rmat_get_qmat(Aq, A);
            rmat_get_qmat(Bq, B);
            CU_ASSERT_EQUAL(rmat_mul(C, A, B, modes[m]), AE_OK);
            qmat_mul(Cq, Aq, Bq);
            check_against_exact(C, Cq, modes[m]);
            rmat_add(S, A, A, modes[m]);
            qmat_add(Sq, Aq, Aq);
            check_against_exact(S, Sq, modes[m]);
            rmat_get_qmat(Sq, S);
            rmat_sub(S, A, S, modes[m]);
            qmat_sub(Sq, Aq, Sq);
            check_against_exact(S, Sq, modes[m]);
            qmat_t Gq, Tq;
            qmat_init(Gq, n, n);
            qmat_init(Tq, n, 4);
            rmat_gram(G, A, modes[m]);
            qmat_gram(Gq, Aq);
            check_against_exact(G, Gq, modes[m]);
            CU_ASSERT_TRUE(rmat_is_symmetric(G));
            rmat_transpose(T, A, modes[m]);
            qmat_transpose(Tq, Aq);
            check_against_exact(T, Tq, modes[m]);
            qmat_clear(Gq);
            qmat_clear(Tq);
            rmat_clear(A);
            rmat_clear(B);
            rmat_clear(C);
            rmat_clear(S);
            rmat_clear(G);
            rmat_clear(T);
            qmat_clear(Aq);
            qmat_clear(Bq);
            qmat_clear(Cq);
            qmat_clear(Sq);
        }
    gmp_randclear(rs);
}

static void test_aliasing(void)
{
    rand_init();
    rmat_t A, B, C, G;
    rmat_init(A, 4, 4, 80);
    rmat_init(B, 4, 4, 80);
    rmat_init(C, 4, 4, 80);
    rmat_init(G, 4, 4, 80);
    rand_rmat(A);
    rand_rmat(B);
    rmat_mul(C, A, B, MPFR_RNDN);
    rmat_mul(A, A, B, MPFR_RNDN);           /* C = A B computed in place */
    CU_ASSERT_TRUE(rmat_equal(A, C));
    rmat_gram(G, B, MPFR_RNDN);
    rmat_gram(B, B, MPFR_RNDN);
    CU_ASSERT_TRUE(rmat_equal(G, B));
    rmat_transpose(C, A, MPFR_RNDN);
    rmat_transpose(A, A, MPFR_RNDN);
    CU_ASSERT_TRUE(rmat_equal(A, C));
    rmat_clear(A);
    rmat_clear(B);
    rmat_clear(C);
    rmat_clear(G);
    gmp_randclear(rs);
}

static void test_frobenius(void)
{
    rand_init();
    rmat_t A;
    qmat_t Aq;
    rmat_init(A, 5, 3, 70);
    qmat_init(Aq, 5, 3);
    rand_rmat(A);
    rmat_get_qmat(Aq, A);
    mpq_t s, fq;
    mpq_inits(s, fq, NULL);
    qmat_frobenius2(s, Aq);
    mpfr_t fu, fd, fn;
    mpfr_inits2(50, fu, fd, fn, (mpfr_ptr) 0);
    rmat_frobenius(fu, A, MPFR_RNDU);
    rmat_frobenius(fd, A, MPFR_RNDD);
    rmat_frobenius(fn, A, MPFR_RNDN);
    mpfr_get_q(fq, fu);
    mpq_mul(fq, fq, fq);
    CU_ASSERT_TRUE(mpq_cmp(fq, s) >= 0);
    mpfr_get_q(fq, fd);
    mpq_mul(fq, fq, fq);
    CU_ASSERT_TRUE(mpq_cmp(fq, s) <= 0);
    CU_ASSERT_TRUE(mpfr_cmp(fd, fn) <= 0 && mpfr_cmp(fn, fu) <= 0);
    mpfr_nextbelow(fu);
    mpfr_nextbelow(fu);
    CU_ASSERT_TRUE(mpfr_cmp(fu, fd) <= 0);       /* within two ulps */
    rmat_t Z;
    rmat_init(Z, 0, 7, 20);
    rmat_frobenius(fn, Z, MPFR_RNDN);
    CU_ASSERT_TRUE(mpfr_zero_p(fn));
    rmat_clear(Z);
    mpfr_clears(fu, fd, fn, (mpfr_ptr) 0);
    mpq_clears(s, fq, NULL);
    rmat_clear(A);
    qmat_clear(Aq);
    gmp_randclear(rs);
}

/* ||Q^T Q - I||_F and ||Q R - A||_F / ||A||_F, both within 4 m^2 2^-p; R upper triangular. */
static void check_qr(const rmat_t A, mpfr_prec_t p)
{
    long m = A->r, n = A->c;
    rmat_t Q, R, P, I, D;
    rmat_init(Q, m, m, p);
    rmat_init(R, m, n, p);
    CU_ASSERT_EQUAL(rmat_qr(Q, R, A), AE_OK);
    for (long i = 0; i < m; i++)
        for (long j = 0; j < i && j < n; j++)
            CU_ASSERT_TRUE(mpfr_zero_p(rmat_entry(R, i, j)));
    mpfr_t e, a, tol;
    mpfr_inits2(64, e, a, tol, (mpfr_ptr) 0);
    mpfr_set_ui_2exp(tol, 4 * (unsigned long) (m * m + 1), -(mpfr_exp_t) p, MPFR_RNDN);
    rmat_init(P, m, m, 4 * p);
    rmat_init(I, m, m, 4 * p);
    rmat_t Qt;
    rmat_init(Qt, m, m, p);
    rmat_transpose(Qt, Q, MPFR_RNDN);
    rmat_mul(P, Qt, Q, MPFR_RNDN);
    rmat_one(I);
    rmat_sub(P, P, I, MPFR_RNDN);
    rmat_frobenius(e, P, MPFR_RNDU);
    CU_ASSERT_TRUE(mpfr_cmp(e, tol) <= 0);
    rmat_init(D, m, n, 4 * p);
    rmat_mul(D, Q, R, MPFR_RNDN);
    rmat_sub(D, D, A, MPFR_RNDN);
    rmat_frobenius(e, D, MPFR_RNDU);
    rmat_frobenius(a, A, MPFR_RNDU);
    mpfr_mul(tol, tol, a, MPFR_RNDU);
    CU_ASSERT_TRUE(mpfr_cmp(e, tol) <= 0);
    mpfr_clears(e, a, tol, (mpfr_ptr) 0);
    rmat_clear(Q);
    rmat_clear(R);
    rmat_clear(P);
    rmat_clear(I);
    rmat_clear(D);
    rmat_clear(Qt);
}

static void test_qr(void)
{
    rand_init();
    static const long shapes[][2] = {{0, 0}, {1, 1}, {0, 3}, {3, 0}, {1, 4}, {5, 1},
                                     {6, 6}, {9, 4}, {4, 9}, {12, 12}};
    static const mpfr_prec_t precs[] = {53, 150};
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++)
        for (size_t ip = 0; ip < 2; ip++) {
            rmat_t A;
            rmat_init(A, shapes[s][0], shapes[s][1], precs[ip] + 10);
            rand_unit_rmat(A);
            check_qr(A, precs[ip]);
            /* rank deficient: zero column and a repeated column */
            if (A->c >= 3) {
                for (long i = 0; i < A->r; i++) {
                    mpfr_set_zero(rmat_entry(A, i, 0), 1);
                    mpfr_set(rmat_entry(A, i, 2), rmat_entry(A, i, 1), MPFR_RNDN);
                }
                check_qr(A, precs[ip]);
            }
            rmat_clear(A);
        }
    /* R may alias A */
    rmat_t A, A0, Q, R2;
    rmat_init(A, 5, 3, 100);
    rmat_init(A0, 5, 3, 100);
    rmat_init(Q, 5, 5, 100);
    rmat_init(R2, 5, 3, 100);
    rand_unit_rmat(A);
    rmat_set(A0, A, MPFR_RNDN);
    rmat_qr(Q, R2, A);
    rmat_qr(Q, A, A);
    CU_ASSERT_TRUE(rmat_equal(A, R2));
    rmat_clear(A);
    rmat_clear(A0);
    rmat_clear(Q);
    rmat_clear(R2);
    gmp_randclear(rs);
}

static void test_misuse(void)
{
    rmat_t A, B, C, Q, R;
    qmat_t Qm;
    rmat_init(A, 2, 3, 50);
    rmat_init(B, 2, 3, 50);
    rmat_init(C, 2, 2, 50);
    rmat_init(Q, 2, 2, 60);
    rmat_init(R, 2, 3, 50);
    qmat_init(Qm, 3, 2);
    TU_EXPECT_ERROR(rmat_mul(C, A, B, MPFR_RNDN));        /* inner dims */
    TU_EXPECT_ERROR(rmat_add(C, A, B, MPFR_RNDN));        /* output dims */
    TU_EXPECT_ERROR(rmat_set(C, A, MPFR_RNDN));
    TU_EXPECT_ERROR(rmat_set_qmat(A, Qm, MPFR_RNDN));
    TU_EXPECT_ERROR(rmat_get_qmat(Qm, A));
    TU_EXPECT_ERROR(rmat_transpose(B, A, MPFR_RNDN));
    TU_EXPECT_ERROR(rmat_gram(C, A, MPFR_RNDN));
    TU_EXPECT_ERROR(rmat_qr(Q, R, A));                    /* precisions differ */
    TU_EXPECT_ERROR(rmat_qr(C, C, A));                    /* aliasing / dims */
    double bad[6] = {0, 1, NAN, 3, 4, 5};
    TU_EXPECT_ERROR(rmat_set_d(A, bad, MPFR_RNDN));
    mpfr_set_inf(rmat_entry(A, 1, 1), -1);
    qmat_t Q23;
    qmat_init(Q23, 2, 3);
    TU_EXPECT_ERROR(rmat_get_qmat(Q23, A));
    mpfr_t f;
    mpfr_init2(f, 20);
    TU_EXPECT_ERROR(rmat_frobenius(f, A, MPFR_RNDN));
    mpfr_clear(f);
    rmat_t D;
    TU_EXPECT_ERROR(rmat_init(D, -1, 2, 10));
    TU_EXPECT_ERROR(rmat_init(D, 1, 2, 0));
    qmat_clear(Q23);
    qmat_clear(Qm);
    rmat_clear(A);
    rmat_clear(B);
    rmat_clear(C);
    rmat_clear(Q);
    rmat_clear(R);
}

int main(void)
{
    static const tu_test T[] = {
        {"init, sizes 0 and 1", test_init_sizes},
        {"rational -> MPFR is correctly rounded, read back exactly", test_qmat_roundtrip},
        {"MPFR -> rational -> MPFR is the identity", test_rmat_roundtrip},
        {"set_d / get_d", test_set_get_d},
        {"mul, add, sub, gram, transpose = exact result rounded once", test_arith_exact},
        {"aliasing", test_aliasing},
        {"frobenius bounds", test_frobenius},
        {"Householder QR identities", test_qr},
        {"misuse", test_misuse},
        {NULL, NULL}};
    return tu_run("rmat", 20240611UL, T);
}
