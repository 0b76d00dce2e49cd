/* CUnit suite for qmat: every operation against an identity or a second method
 * (naive triple loops, Leibniz determinant, Faddeev-LeVerrier + Descartes for inertia). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qmat.h"
#include "testutil.h"

/* ---- helpers ----------------------------------------------------------------- */

static uint64_t rs;

static uint64_t rnd(void)   /* splitmix64 */
{
    uint64_t z = (rs += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static long rnd_range(long lo, long hi)   /* uniform in [lo, hi] */
{
    return lo + (long)(rnd() % (uint64_t)(hi - lo + 1));
}

static void seed(unsigned long salt)
{
    rs = (uint64_t)tu_seed() * 0x2545F4914F6CDD1DULL + salt;
}

/* Random rational with |num| <= nmax, 1 <= den <= dmax; zero with probability pzero %. */
static void rand_q(mpq_t q, long nmax, long dmax, int pzero)
{
    if (rnd_range(0, 99) < pzero) {
        mpq_set_ui(q, 0, 1);
        return;
    }
    mpz_set_si(mpq_numref(q), rnd_range(-nmax, nmax));
    mpz_set_si(mpq_denref(q), rnd_range(1, dmax));
    mpq_canonicalize(q);
}

static void rand_mat(qmat_t A, long nmax, long dmax, int pzero)
{
    for (long i = 0; i < A->r * A->c; i++)
        rand_q(A->entries[i], nmax, dmax, pzero);
}

static void naive_mul(qmat_t C, const qmat_t A, const qmat_t B)
{
    mpq_t t;
    mpq_init(t);
    for (long i = 0; i < A->r; i++)
        for (long j = 0; j < B->c; j++) {
            mpq_set_ui(qmat_entry(C, i, j), 0, 1);
            for (long k = 0; k < A->c; k++) {
                mpq_mul(t, qmat_entry(A, i, k), qmat_entry(B, k, j));
                mpq_add(qmat_entry(C, i, j), qmat_entry(C, i, j), t);
            }
        }
    mpq_clear(t);
}

/* Leibniz formula by recursive cofactor expansion along the first row (small n). */
static void cofactor_det(mpq_t d, const qmat_t A)
{
    long n = A->r;
    if (n == 0) {
        mpq_set_ui(d, 1, 1);
        return;
    }
    mpq_t s, sub, t;
    mpq_init(s);
    mpq_init(sub);
    mpq_init(t);
    qmat_t M;
    qmat_init(M, n - 1, n - 1);
    for (long j = 0; j < n; j++) {
        for (long i = 1; i < n; i++)
            for (long k = 0, kk = 0; k < n; k++)
                if (k != j)
                    mpq_set(qmat_entry(M, i - 1, kk++), qmat_entry(A, i, k));
        cofactor_det(sub, M);
        mpq_mul(t, sub, qmat_entry(A, 0, j));
        if (j % 2)
            mpq_sub(s, s, t);
        else
            mpq_add(s, s, t);
    }
    mpq_swap(d, s);
    qmat_clear(M);
    mpq_clear(t);
    mpq_clear(sub);
    mpq_clear(s);
}

/* Characteristic polynomial det(xI - A) = sum c[i] x^i by Faddeev-LeVerrier. */
static void charpoly(mpq_t *c, const qmat_t A)
{
    long n = A->r;
    qmat_t M, AM;
    qmat_init(M, n, n);
    qmat_init(AM, n, n);
    mpq_t t;
    mpq_init(t);
    mpq_set_ui(c[n], 1, 1);
    for (long k = 1; k <= n; k++) {
        qmat_mul(AM, A, M);   /* M = M_{k-1} */
        for (long i = 0; i < n; i++)
            mpq_add(qmat_entry(AM, i, i), qmat_entry(AM, i, i), c[n - k + 1]);
        qmat_swap(M, AM);     /* M = M_k */
        qmat_mul(AM, A, M);
        qmat_trace(t, AM);
        mpq_set_si(c[n - k], -1, (unsigned long)k);
        mpq_mul(c[n - k], c[n - k], t);
    }
    mpq_clear(t);
    qmat_clear(AM);
    qmat_clear(M);
}

/* Inertia of a symmetric matrix from its characteristic polynomial: all roots are real,
 * so Descartes' rule of signs is exact. */
static void inertia_descartes(long *np, long *nn, long *nz, const qmat_t A)
{
    long n = A->r;
    mpq_t *c = qvec_init(n + 1);
    charpoly(c, A);
    long z = 0;
    while (z <= n && mpq_sgn(c[z]) == 0)
        z++;
    int last = 0, lastm = 0;
    long vp = 0, vm = 0;
    for (long i = z; i <= n; i++) {
        int s = mpq_sgn(c[i]);
        if (s == 0)
            continue;
        int sm = (i % 2) ? -s : s;   /* coefficients of p(-x) */
        if (last != 0 && s != last)
            vp++;
        if (lastm != 0 && sm != lastm)
            vm++;
        last = s;
        lastm = sm;
    }
    *np = vp;
    *nn = vm;
    *nz = z;
    qvec_clear(c, n + 1);
}

/* ---- tests -------------------------------------------------------------------- */

/* qvec_common_den: Z / L equals every entry exactly, L is the least such denominator
 * (the lcm computed pairwise by a second method), with a stride, at n = 0 and n = 1. */
static void test_common_den(void)
{
    gsl_rng *r = tu_rng();
    for (long n = 0; n <= 7; n++) {
        long stride = 1 + n % 3;
        mpq_t *v = qvec_init(n * stride + 1);
        for (long k = 0; k < n * stride; k++)
            tu_rand_q(v[k], r, 50, 40);
        mpz_t *Z = malloc((size_t) (n + 1) * sizeof(mpz_t)), L, M;
        for (long k = 0; k <= n; k++)
            mpz_init(Z[k]);
        mpz_inits(L, M, (mpz_ptr) NULL);
        qvec_common_den(Z, L, (const mpq_t *) v, stride, n);
        mpz_set_ui(M, 1);
        for (long k = 0; k < n; k++)
            mpz_lcm(M, M, mpq_denref(v[k * stride]));
        CU_ASSERT(mpz_cmp(L, M) == 0);
        mpq_t t;
        mpq_init(t);
        for (long k = 0; k < n; k++) {
            mpz_set(mpq_numref(t), Z[k]);
            mpz_set(mpq_denref(t), L);
            mpq_canonicalize(t);
            CU_ASSERT(mpq_equal(t, v[k * stride]));
        }
        /* a multiple of L works too, and gives the entries times the factor */
        mpz_mul_ui(M, L, 6);
        qvec_to_den(Z, M, (const mpq_t *) v, stride, n);
        for (long k = 0; k < n; k++) {
            mpz_set(mpq_numref(t), Z[k]);
            mpz_set(mpq_denref(t), M);
            mpq_canonicalize(t);
            CU_ASSERT(mpq_equal(t, v[k * stride]));
        }
        mpq_clear(t);
        for (long k = 0; k <= n; k++)
            mpz_clear(Z[k]);
        free(Z);
        mpz_clears(L, M, (mpz_ptr) NULL);
        qvec_clear(v, n * stride + 1);
    }
    gsl_rng_free(r);
}

static void test_init_sizes(void)
{
    long dims[][2] = {{0, 0}, {0, 3}, {3, 0}, {1, 1}, {2, 5}};
    for (size_t t = 0; t < sizeof dims / sizeof dims[0]; t++) {
        qmat_t A, B;
        qmat_init(A, dims[t][0], dims[t][1]);
        qmat_init(B, dims[t][0], dims[t][1]);
        CU_ASSERT_EQUAL(qmat_nrows(A), dims[t][0]);
        CU_ASSERT_EQUAL(qmat_ncols(A), dims[t][1]);
        CU_ASSERT_TRUE(qmat_is_zero(A));
        CU_ASSERT_TRUE(qmat_equal(A, B));
        qmat_one(A);
        CU_ASSERT_TRUE(qmat_is_one(A));   /* the qmat_one pattern, any shape */
        CU_ASSERT_EQUAL(qmat_is_zero(A), dims[t][0] == 0 || dims[t][1] == 0);
        qmat_clear(A);
        qmat_clear(B);
    }
    qmat_t A, B;
    qmat_init(A, 2, 3);
    qmat_init(B, 3, 2);
    CU_ASSERT_FALSE(qmat_equal(A, B));
    qmat_one(A);
    CU_ASSERT_TRUE(qmat_is_one(A));
    CU_ASSERT_FALSE(qmat_is_zero(A));
    mpq_set_ui(qmat_entry(A, 0, 2), 1, 3);
    CU_ASSERT_FALSE(qmat_is_one(A));
    qmat_swap(A, B);
    CU_ASSERT_EQUAL(A->r, 3);
    CU_ASSERT_TRUE(qmat_is_zero(A));
    CU_ASSERT_EQUAL(mpq_cmp_si(qmat_entry(B, 0, 2), 1, 3), 0);
    qmat_resize(B, 4, 1);
    CU_ASSERT_EQUAL(B->r, 4);
    CU_ASSERT_EQUAL(B->c, 1);
    CU_ASSERT_TRUE(qmat_is_zero(B));
    qmat_clear(A);
    qmat_clear(B);
    TU_EXPECT_ERROR(qmat_init(A, -1, 2));
    mpq_t *v = qvec_init(0);
    qvec_clear(v, 0);
    TU_EXPECT_ERROR(qvec_init(-3));
}

static void test_set_si_d(void)
{
    qmat_t A, B;
    qmat_init(A, 2, 2);
    qmat_init(B, 2, 2);
    long num[] = {2, -1, 0, 6}, den[] = {4, -2, -5, 3};
    qmat_set_si(A, num, den);
    CU_ASSERT_EQUAL(mpq_cmp_si(qmat_entry(A, 0, 0), 1, 2), 0);
    CU_ASSERT_EQUAL(mpq_cmp_si(qmat_entry(A, 0, 1), 1, 2), 0);
    CU_ASSERT_EQUAL(mpq_sgn(qmat_entry(A, 1, 0)), 0);
    CU_ASSERT_EQUAL(mpq_cmp_si(qmat_entry(A, 1, 1), 2, 1), 0);
    CU_ASSERT_EQUAL(mpz_cmp_ui(mpq_denref(qmat_entry(A, 1, 0)), 1), 0);   /* canonical */
    qmat_set_si(B, num, NULL);
    CU_ASSERT_EQUAL(mpq_cmp_si(qmat_entry(B, 0, 1), -1, 1), 0);

    double v[] = {0.1, -2.5, 1e-310, 0x1.fffffffffffffp+1023};
    qmat_set_d(A, v);
    mpq_t e;
    mpq_init(e);
    mpz_set_str(mpq_numref(e), "3602879701896397", 10);
    mpz_set_str(mpq_denref(e), "36028797018963968", 10);
    CU_ASSERT_TRUE(mpq_equal(qmat_entry(A, 0, 0), e));
    CU_ASSERT_EQUAL(mpq_cmp_si(qmat_entry(A, 0, 1), -5, 2), 0);
    for (int i = 0; i < 4; i++)
        CU_ASSERT_EQUAL(mpq_get_d(A->entries[i]), v[i]);   /* dyadics: truncation is exact */
    mpq_clear(e);

    long bad_den[] = {1, 0, 1, 1};
    TU_EXPECT_ERROR(qmat_set_si(A, num, bad_den));
    double nan_v[] = {1.0, NAN, 0.0, 0.0};
    TU_EXPECT_ERROR(qmat_set_d(A, nan_v));
    double inf_v[] = {1.0, 2.0, 0.0, -INFINITY};
    TU_EXPECT_ERROR(qmat_set_d(A, inf_v));
    qmat_clear(A);
    qmat_clear(B);
}

static void test_add_sub_neg_scalar(void)
{
    seed(1);
    qmat_t A, B, C, D;
    qmat_init(A, 3, 4);
    qmat_init(B, 3, 4);
    qmat_init(C, 3, 4);
    qmat_init(D, 3, 4);
    rand_mat(A, 50, 20, 20);
    rand_mat(B, 50, 20, 20);
    qmat_add(C, A, B);
    qmat_sub(D, C, B);
    CU_ASSERT_TRUE(qmat_equal(D, A));
    qmat_sub(D, A, A);
    CU_ASSERT_TRUE(qmat_is_zero(D));
    qmat_neg(D, A);
    qmat_add(D, D, A);              /* aliasing C == A */
    CU_ASSERT_TRUE(qmat_is_zero(D));
    qmat_set(C, A);
    qmat_neg(C, C);
    qmat_neg(C, C);
    CU_ASSERT_TRUE(qmat_equal(C, A));
    mpq_t c;
    mpq_init(c);
    mpq_set_si(c, -3, 7);
    qmat_scalar_mul(C, A, c);
    mpq_inv(c, c);
    qmat_scalar_mul(C, C, c);
    CU_ASSERT_TRUE(qmat_equal(C, A));
    mpq_set_ui(c, 0, 1);
    qmat_scalar_mul(C, A, c);
    CU_ASSERT_TRUE(qmat_is_zero(C));
    mpq_clear(c);
    qmat_t E;
    qmat_init(E, 4, 3);
    TU_EXPECT_ERROR(qmat_add(C, A, E));
    TU_EXPECT_ERROR(qmat_sub(E, A, B));
    TU_EXPECT_ERROR(qmat_set(E, A));
    TU_EXPECT_ERROR(qmat_neg(E, A));
    qmat_clear(E);
    qmat_clear(A);
    qmat_clear(B);
    qmat_clear(C);
    qmat_clear(D);
}

static void test_mul(void)
{
    seed(2);
    for (int trial = 0; trial < 60; trial++) {
        long m = rnd_range(0, 6), n = rnd_range(0, 6), p = rnd_range(0, 6);
        if (trial < 3)
            m = n = p = trial;   /* 0x0, 1x1, 2x2 */
        qmat_t A, B, C, D, At, Bt, Ct, X;
        qmat_init(A, m, n);
        qmat_init(B, n, p);
        qmat_init(C, m, p);
        qmat_init(D, m, p);
        rand_mat(A, 1000, trial % 2 ? 1 : 30, 25);    /* integer and rational cases */
        rand_mat(B, 1000, trial % 3 ? 40 : 1, 25);
        qmat_mul(C, A, B);
        naive_mul(D, A, B);
        CU_ASSERT_TRUE(qmat_equal(C, D));
        /* (AB)^T = B^T A^T */
        qmat_init(At, n, m);
        qmat_init(Bt, p, n);
        qmat_init(Ct, p, m);
        qmat_transpose(At, A);
        qmat_transpose(Bt, B);
        qmat_mul(Ct, Bt, At);
        qmat_init(X, p, m);
        qmat_transpose(X, C);
        CU_ASSERT_TRUE(qmat_equal(X, Ct));
        /* associativity (AB)E = A(BE) */
        qmat_t E, BE, L, R;
        long q = rnd_range(0, 4);
        qmat_init(E, p, q);
        rand_mat(E, 9, 9, 10);
        qmat_init(BE, n, q);
        qmat_init(L, m, q);
        qmat_init(R, m, q);
        qmat_mul(L, C, E);
        qmat_mul(BE, B, E);
        qmat_mul(R, A, BE);
        CU_ASSERT_TRUE(qmat_equal(L, R));
        qmat_clear(E);
        qmat_clear(BE);
        qmat_clear(L);
        qmat_clear(R);
        qmat_clear(A);
        qmat_clear(B);
        qmat_clear(C);
        qmat_clear(D);
        qmat_clear(At);
        qmat_clear(Bt);
        qmat_clear(Ct);
        qmat_clear(X);
    }
    /* aliasing: C == A, C == B, C == A == B */
    qmat_t A, B, C, S;
    qmat_init(A, 4, 4);
    qmat_init(B, 4, 4);
    qmat_init(C, 4, 4);
    qmat_init(S, 4, 4);
    rand_mat(A, 30, 30, 10);
    rand_mat(B, 30, 30, 10);
    naive_mul(C, A, B);
    qmat_set(S, A);
    qmat_mul(S, S, B);
    CU_ASSERT_TRUE(qmat_equal(S, C));
    qmat_set(S, B);
    qmat_mul(S, A, S);
    CU_ASSERT_TRUE(qmat_equal(S, C));
    naive_mul(C, A, A);
    qmat_set(S, A);
    qmat_mul(S, S, S);
    CU_ASSERT_TRUE(qmat_equal(S, C));
    /* identity */
    qmat_one(S);
    qmat_mul(C, A, S);
    CU_ASSERT_TRUE(qmat_equal(C, A));
    qmat_t W;
    qmat_init(W, 3, 4);
    TU_EXPECT_ERROR(qmat_mul(C, A, W));
    TU_EXPECT_ERROR(qmat_mul(W, A, B));
    TU_EXPECT_ERROR(qmat_transpose(W, A));
    qmat_clear(W);
    qmat_clear(A);
    qmat_clear(B);
    qmat_clear(C);
    qmat_clear(S);
}

static void test_transpose(void)
{
    seed(3);
    qmat_t A, B, C;
    qmat_init(A, 3, 5);
    qmat_init(B, 5, 3);
    qmat_init(C, 3, 5);
    rand_mat(A, 20, 20, 10);
    qmat_transpose(B, A);
    for (long i = 0; i < 3; i++)
        for (long j = 0; j < 5; j++)
            CU_ASSERT_TRUE(mpq_equal(qmat_entry(A, i, j), qmat_entry(B, j, i)));
    qmat_transpose(C, B);
    CU_ASSERT_TRUE(qmat_equal(C, A));
    qmat_t S, T;
    qmat_init(S, 4, 4);
    qmat_init(T, 4, 4);
    rand_mat(S, 20, 20, 10);
    qmat_transpose(T, S);
    qmat_transpose(S, S);     /* in place, square */
    CU_ASSERT_TRUE(qmat_equal(S, T));
    qmat_clear(S);
    qmat_clear(T);
    qmat_t Z, Zt;
    qmat_init(Z, 0, 3);
    qmat_init(Zt, 3, 0);
    qmat_transpose(Zt, Z);
    CU_ASSERT_EQUAL(Zt->r, 3);
    qmat_clear(Z);
    qmat_clear(Zt);
    qmat_clear(A);
    qmat_clear(B);
    qmat_clear(C);
}

static void test_mul_vec_gram(void)
{
    seed(4);
    for (int trial = 0; trial < 30; trial++) {
        long m = rnd_range(0, 6), n = rnd_range(0, 6);
        qmat_t A, x, y, y2, At, G, G2;
        qmat_init(A, m, n);
        qmat_init(x, n, 1);
        qmat_init(y, m, 1);
        rand_mat(A, 100, trial % 2 ? 1 : 12, 20);
        rand_mat(x, 100, trial % 3 ? 1 : 12, 20);
        mpq_t *xv = qvec_init(n), *yv = qvec_init(m), *zv = qvec_init(n), *wv = qvec_init(m);
        for (long i = 0; i < n; i++)
            mpq_set(xv[i], qmat_entry(x, i, 0));
        qmat_mul_vec(yv, A, xv);
        qmat_mul(y, A, x);
        for (long i = 0; i < m; i++)
            CU_ASSERT_TRUE(mpq_equal(yv[i], qmat_entry(y, i, 0)));
        /* A^T y against the transpose */
        qmat_init(At, n, m);
        qmat_transpose(At, A);
        qmat_mul_transpose_vec(zv, A, yv);
        qmat_init(y2, n, 1);
        qmat_mul(y2, At, y);
        for (long i = 0; i < n; i++)
            CU_ASSERT_TRUE(mpq_equal(zv[i], qmat_entry(y2, i, 0)));
        /* gram = A^T A, symmetric */
        qmat_init(G, n, n);
        qmat_init(G2, n, n);
        qmat_gram(G, A);
        naive_mul(G2, At, A);
        CU_ASSERT_TRUE(qmat_equal(G, G2));
        /* x^T G x = ||A x||^2 */
        mpq_t a, b;
        mpq_init(a);
        mpq_init(b);
        qmat_mul_vec(zv, G, xv);
        qvec_dot(a, xv, zv, n);
        qvec_norm2(b, yv, m);
        CU_ASSERT_TRUE(mpq_equal(a, b));
        (void)wv;
        mpq_clear(a);
        mpq_clear(b);
        qvec_clear(xv, n);
        qvec_clear(yv, m);
        qvec_clear(zv, n);
        qvec_clear(wv, m);
        qmat_clear(A);
        qmat_clear(x);
        qmat_clear(y);
        qmat_clear(y2);
        qmat_clear(At);
        qmat_clear(G);
        qmat_clear(G2);
    }
    qmat_t A, G;
    qmat_init(A, 3, 2);
    qmat_init(G, 3, 3);
    TU_EXPECT_ERROR(qmat_gram(G, A));
    qmat_clear(A);
    qmat_clear(G);
    /* gram may alias a square A */
    qmat_t S, T, St;
    qmat_init(S, 3, 3);
    qmat_init(T, 3, 3);
    qmat_init(St, 3, 3);
    rand_mat(S, 10, 10, 0);
    qmat_transpose(St, S);
    naive_mul(T, St, S);
    qmat_gram(S, S);
    CU_ASSERT_TRUE(qmat_equal(S, T));
    qmat_clear(S);
    qmat_clear(T);
    qmat_clear(St);
}

static void test_trace_frobenius(void)
{
    seed(5);
    qmat_t A, B, AB, BA, At, G;
    qmat_init(A, 4, 3);
    qmat_init(B, 3, 4);
    qmat_init(AB, 4, 4);
    qmat_init(BA, 3, 3);
    qmat_init(At, 3, 4);
    qmat_init(G, 3, 3);
    rand_mat(A, 50, 50, 10);
    rand_mat(B, 50, 50, 10);
    qmat_mul(AB, A, B);
    qmat_mul(BA, B, A);
    mpq_t t1, t2;
    mpq_init(t1);
    mpq_init(t2);
    qmat_trace(t1, AB);
    qmat_trace(t2, BA);
    CU_ASSERT_TRUE(mpq_equal(t1, t2));
    qmat_gram(G, A);
    qmat_trace(t1, G);
    qmat_frobenius2(t2, A);
    CU_ASSERT_TRUE(mpq_equal(t1, t2));
    qmat_t Z;
    qmat_init(Z, 0, 0);
    qmat_trace(t1, Z);
    CU_ASSERT_EQUAL(mpq_sgn(t1), 0);
    qmat_frobenius2(t1, Z);
    CU_ASSERT_EQUAL(mpq_sgn(t1), 0);
    qmat_clear(Z);
    TU_EXPECT_ERROR(qmat_trace(t1, A));
    mpq_clear(t1);
    mpq_clear(t2);
    qmat_clear(A);
    qmat_clear(B);
    qmat_clear(AB);
    qmat_clear(BA);
    qmat_clear(At);
    qmat_clear(G);
}

static void test_col_submatrix(void)
{
    seed(6);
    qmat_t A, B;
    qmat_init(A, 4, 5);
    rand_mat(A, 20, 20, 10);
    mpq_t *v = qvec_init(4);
    qmat_get_col(v, A, 2);
    for (long i = 0; i < 4; i++)
        CU_ASSERT_TRUE(mpq_equal(v[i], qmat_entry(A, i, 2)));
    qmat_set_col(A, 0, (const mpq_t *)v);
    for (long i = 0; i < 4; i++)
        CU_ASSERT_TRUE(mpq_equal(qmat_entry(A, i, 0), qmat_entry(A, i, 2)));
    qmat_init(B, 2, 3);
    qmat_submatrix(B, A, 2, 2);
    for (long i = 0; i < 2; i++)
        for (long j = 0; j < 3; j++)
            CU_ASSERT_TRUE(mpq_equal(qmat_entry(B, i, j), qmat_entry(A, 2 + i, 2 + j)));
    TU_EXPECT_ERROR(qmat_submatrix(B, A, 3, 0));
    TU_EXPECT_ERROR(qmat_submatrix(B, A, 0, 3));
    TU_EXPECT_ERROR(qmat_submatrix(B, A, -1, 0));
    TU_EXPECT_ERROR(qmat_get_col(v, A, 5));
    TU_EXPECT_ERROR(qmat_set_col(A, -1, (const mpq_t *)v));
    qvec_clear(v, 4);
    qmat_clear(A);
    qmat_clear(B);
}

static void test_vec(void)
{
    seed(7);
    for (int trial = 0; trial < 40; trial++) {
        long n = rnd_range(0, 9);
        mpq_t *x = qvec_init(n), *y = qvec_init(n), *z = qvec_init(n), *w = qvec_init(n);
        for (long i = 0; i < n; i++) {
            rand_q(x[i], 100, trial % 2 ? 1 : 30, 20);
            rand_q(y[i], 100, trial % 3 ? 1 : 30, 20);
        }
        mpq_t a, b, c, t;
        mpq_init(a);
        mpq_init(b);
        mpq_init(c);
        mpq_init(t);
        /* dot against the naive sum */
        for (long i = 0; i < n; i++) {
            mpq_mul(t, x[i], y[i]);
            mpq_add(b, b, t);
        }
        qvec_dot(a, (const mpq_t *)x, (const mpq_t *)y, n);
        CU_ASSERT_TRUE(mpq_equal(a, b));
        /* ||x - y||^2 = ||x||^2 - 2 x.y + ||y||^2 */
        qvec_dist2(c, (const mpq_t *)x, (const mpq_t *)y, n);
        qvec_norm2(t, (const mpq_t *)x, n);
        mpq_sub(t, t, a);
        mpq_sub(t, t, a);
        qvec_norm2(b, (const mpq_t *)y, n);
        mpq_add(t, t, b);
        CU_ASSERT_TRUE(mpq_equal(c, t));
        qvec_sub(z, (const mpq_t *)x, (const mpq_t *)y, n);
        qvec_norm2(t, (const mpq_t *)z, n);
        CU_ASSERT_TRUE(mpq_equal(c, t));
        /* z = x - y; z + y = x; y + 2 z - 2 z = y */
        qvec_add(w, (const mpq_t *)z, (const mpq_t *)y, n);
        CU_ASSERT_TRUE(qvec_equal((const mpq_t *)w, (const mpq_t *)x, n));
        qvec_set(w, (const mpq_t *)y, n);
        mpq_set_si(t, 2, 1);
        qvec_addmul(w, (const mpq_t *)z, t, n);
        mpq_set_si(t, -2, 1);
        qvec_addmul(w, (const mpq_t *)z, t, n);
        CU_ASSERT_TRUE(qvec_equal((const mpq_t *)w, (const mpq_t *)y, n));
        mpq_set_si(t, 5, 3);
        qvec_scale(w, (const mpq_t *)x, t, n);
        mpq_inv(t, t);
        qvec_scale(w, (const mpq_t *)w, t, n);
        CU_ASSERT_TRUE(qvec_equal((const mpq_t *)w, (const mpq_t *)x, n));
        qvec_zero(w, n);
        CU_ASSERT_TRUE(qvec_is_zero((const mpq_t *)w, n));
        qvec_dist2(c, (const mpq_t *)x, (const mpq_t *)x, n);
        CU_ASSERT_EQUAL(mpq_sgn(c), 0);
        mpq_clear(a);
        mpq_clear(b);
        mpq_clear(c);
        mpq_clear(t);
        qvec_clear(x, n);
        qvec_clear(y, n);
        qvec_clear(z, n);
        qvec_clear(w, n);
    }
}

static void test_inv_solve(void)
{
    seed(8);
    for (int trial = 0; trial < 40; trial++) {
        long n = trial < 3 ? trial : rnd_range(1, 8), m = rnd_range(0, 3);
        qmat_t A, Ai, I, P, B, X, Y;
        qmat_init(A, n, n);
        qmat_init(Ai, n, n);
        qmat_init(I, n, n);
        qmat_init(P, n, n);
        qmat_one(I);
        rand_mat(A, 20, trial % 2 ? 1 : 10, trial % 4 ? 10 : 50);
        mpq_t d;
        mpq_init(d);
        qmat_det(d, A);
        int st = qmat_inv(Ai, A);
        if (mpq_sgn(d) == 0) {
            CU_ASSERT_EQUAL(st, AE_SINGULAR);
        } else {
            CU_ASSERT_EQUAL_FATAL(st, AE_OK);
            qmat_mul(P, A, Ai);
            CU_ASSERT_TRUE(qmat_is_one(P));
            qmat_mul(P, Ai, A);
            CU_ASSERT_TRUE(qmat_is_one(P));
            /* solve vs inverse */
            qmat_init(B, n, m);
            qmat_init(X, n, m);
            qmat_init(Y, n, m);
            rand_mat(B, 50, 7, 10);
            CU_ASSERT_EQUAL(qmat_solve(X, A, B), AE_OK);
            qmat_mul(Y, Ai, B);
            CU_ASSERT_TRUE(qmat_equal(X, Y));
            qmat_mul(Y, A, X);
            CU_ASSERT_TRUE(qmat_equal(Y, B));
            /* X may alias B */
            CU_ASSERT_EQUAL(qmat_solve(B, A, B), AE_OK);
            CU_ASSERT_TRUE(qmat_equal(X, B));
            /* B may alias A; det(A^{-1}) = 1 / det(A) */
            qmat_set(P, A);
            CU_ASSERT_EQUAL(qmat_inv(P, P), AE_OK);
            CU_ASSERT_TRUE(qmat_equal(P, Ai));
            mpq_t di;
            mpq_init(di);
            qmat_det(di, Ai);
            mpq_mul(di, di, d);
            CU_ASSERT_EQUAL(mpq_cmp_ui(di, 1, 1), 0);
            mpq_clear(di);
            qmat_clear(B);
            qmat_clear(X);
            qmat_clear(Y);
        }
        mpq_clear(d);
        qmat_clear(A);
        qmat_clear(Ai);
        qmat_clear(I);
        qmat_clear(P);
    }
    /* singular: rank-deficient and zero */
    qmat_t A, B, X;
    qmat_init(A, 3, 3);
    qmat_init(B, 3, 1);
    qmat_init(X, 3, 1);
    long s[] = {1, 2, 3, 2, 4, 6, 0, 1, 1};
    qmat_set_si(A, s, NULL);
    qmat_t Ai;
    qmat_init(Ai, 3, 3);
    CU_ASSERT_EQUAL(qmat_inv(Ai, A), AE_SINGULAR);
    CU_ASSERT_EQUAL(qmat_solve(X, A, B), AE_SINGULAR);
    qmat_zero(A);
    CU_ASSERT_EQUAL(qmat_inv(Ai, A), AE_SINGULAR);
    qmat_t R;
    qmat_init(R, 3, 2);
    TU_EXPECT_ERROR(qmat_inv(R, R));
    TU_EXPECT_ERROR(qmat_inv(R, A));
    TU_EXPECT_ERROR(qmat_solve(X, R, B));
    TU_EXPECT_ERROR(qmat_solve(R, A, B));
    qmat_clear(R);
    qmat_clear(Ai);
    qmat_clear(A);
    qmat_clear(B);
    qmat_clear(X);
}

static void test_det(void)
{
    seed(9);
    mpq_t d1, d2, d3;
    mpq_init(d1);
    mpq_init(d2);
    mpq_init(d3);
    for (int trial = 0; trial < 40; trial++) {
        long n = trial < 3 ? trial : rnd_range(1, 6);
        qmat_t A, B, C, At;
        qmat_init(A, n, n);
        qmat_init(B, n, n);
        qmat_init(C, n, n);
        qmat_init(At, n, n);
        rand_mat(A, 30, trial % 2 ? 1 : 9, trial % 5 ? 15 : 60);
        rand_mat(B, 30, 9, 15);
        qmat_det(d1, A);
        cofactor_det(d2, A);
        CU_ASSERT_TRUE(mpq_equal(d1, d2));
        qmat_transpose(At, A);
        qmat_det(d2, At);
        CU_ASSERT_TRUE(mpq_equal(d1, d2));
        qmat_mul(C, A, B);
        qmat_det(d2, B);
        qmat_det(d3, C);
        mpq_mul(d2, d1, d2);
        CU_ASSERT_TRUE(mpq_equal(d2, d3));
        qmat_clear(A);
        qmat_clear(B);
        qmat_clear(C);
        qmat_clear(At);
    }
    qmat_t Z, P, R;
    qmat_init(Z, 0, 0);
    qmat_det(d1, Z);
    CU_ASSERT_EQUAL(mpq_cmp_ui(d1, 1, 1), 0);
    /* a permutation needing row swaps: det = -1 */
    qmat_init(P, 3, 3);
    long p[] = {0, 1, 0, 0, 0, 1, 1, 0, 0};   /* cyclic: +1 */
    qmat_set_si(P, p, NULL);
    qmat_det(d1, P);
    CU_ASSERT_EQUAL(mpq_cmp_si(d1, 1, 1), 0);
    long p2[] = {0, 1, 0, 1, 0, 0, 0, 0, 1};  /* transposition: -1 */
    qmat_set_si(P, p2, NULL);
    qmat_det(d1, P);
    CU_ASSERT_EQUAL(mpq_cmp_si(d1, -1, 1), 0);
    qmat_zero(P);
    qmat_det(d1, P);
    CU_ASSERT_EQUAL(mpq_sgn(d1), 0);
    qmat_init(R, 2, 3);
    TU_EXPECT_ERROR(qmat_det(d1, R));
    qmat_clear(R);
    qmat_clear(P);
    qmat_clear(Z);
    mpq_clear(d1);
    mpq_clear(d2);
    mpq_clear(d3);
}

static void check_rref_nullspace(const qmat_t A)
{
    long r = A->r, c = A->c;
    qmat_t R, R2, N, AN, At;
    qmat_init(R, r, c);
    qmat_init(R2, r, c);
    long *piv = malloc((size_t)(c + 1) * sizeof(long));
    long rank = qmat_rref(R, piv, A);
    CU_ASSERT_EQUAL(rank, qmat_rank(A));
    qmat_init(At, c, r);
    qmat_transpose(At, A);
    CU_ASSERT_EQUAL(rank, qmat_rank(At));
    /* RREF shape: pivot columns are unit vectors, rows below the rank are zero */
    for (long k = 0; k < rank; k++) {
        if (k > 0)
            CU_ASSERT_TRUE(piv[k] > piv[k - 1]);
        for (long i = 0; i < r; i++)
            CU_ASSERT_EQUAL(mpq_cmp_ui(qmat_entry(R, i, piv[k]), i == k, 1), 0);
        for (long j = 0; j < piv[k]; j++)
            CU_ASSERT_EQUAL(mpq_sgn(qmat_entry(R, k, j)), 0);
    }
    for (long i = rank; i < r; i++)
        for (long j = 0; j < c; j++)
            CU_ASSERT_EQUAL(mpq_sgn(qmat_entry(R, i, j)), 0);
    /* idempotent, and in place */
    CU_ASSERT_EQUAL(qmat_rref(R2, NULL, R), rank);
    CU_ASSERT_TRUE(qmat_equal(R2, R));
    qmat_set(R2, A);
    qmat_rref(R2, NULL, R2);
    CU_ASSERT_TRUE(qmat_equal(R2, R));
    /* null space: rank + nullity = c, A N = 0, N of full column rank */
    qmat_init(N, 0, 0);
    long nul = qmat_nullspace(N, A);
    CU_ASSERT_EQUAL(rank + nul, c);
    CU_ASSERT_EQUAL(N->r, c);
    CU_ASSERT_EQUAL(N->c, nul);
    qmat_init(AN, r, nul);
    qmat_mul(AN, A, N);
    CU_ASSERT_TRUE(qmat_is_zero(AN));
    CU_ASSERT_EQUAL(qmat_rank(N), nul);
    free(piv);
    qmat_clear(R);
    qmat_clear(R2);
    qmat_clear(N);
    qmat_clear(AN);
    qmat_clear(At);
}

static void test_rref_rank_nullspace(void)
{
    seed(10);
    for (int trial = 0; trial < 50; trial++) {
        long r = rnd_range(0, 7), c = rnd_range(0, 7), k = rnd_range(0, 4);
        qmat_t A, U, V;
        qmat_init(A, r, c);
        if (trial % 2) {
            rand_mat(A, 20, trial % 4 == 1 ? 1 : 8, 30);
        } else {   /* rank <= k by construction */
            qmat_init(U, r, k);
            qmat_init(V, k, c);
            rand_mat(U, 5, 3, 20);
            rand_mat(V, 5, 3, 20);
            qmat_mul(A, U, V);
            CU_ASSERT_TRUE(qmat_rank(A) <= k);
            qmat_clear(U);
            qmat_clear(V);
        }
        check_rref_nullspace(A);
        qmat_clear(A);
    }
    qmat_t Z, I;
    qmat_init(Z, 3, 4);
    CU_ASSERT_EQUAL(qmat_rank(Z), 0);
    check_rref_nullspace(Z);
    qmat_init(I, 4, 4);
    qmat_one(I);
    CU_ASSERT_EQUAL(qmat_rank(I), 4);
    check_rref_nullspace(I);
    /* nullspace output may alias the input */
    qmat_t A;
    qmat_init(A, 2, 3);
    long a[] = {1, 2, 3, 2, 4, 6};
    qmat_set_si(A, a, NULL);
    CU_ASSERT_EQUAL(qmat_nullspace(A, A), 2);
    CU_ASSERT_EQUAL(A->r, 3);
    CU_ASSERT_EQUAL(A->c, 2);
    long e[] = {-2, -3, 1, 0, 0, 1};   /* the standard RREF basis */
    qmat_t E;
    qmat_init(E, 3, 2);
    qmat_set_si(E, e, NULL);
    CU_ASSERT_TRUE(qmat_equal(A, E));
    TU_EXPECT_ERROR(qmat_rref(A, NULL, Z));
    qmat_clear(E);
    qmat_clear(A);
    qmat_clear(Z);
    qmat_clear(I);
}

static void check_inertia(const qmat_t A)
{
    long p, n, z, p2, n2, z2;
    qmat_inertia(&p, &n, &z, A);
    inertia_descartes(&p2, &n2, &z2, A);
    CU_ASSERT_EQUAL(p, p2);
    CU_ASSERT_EQUAL(n, n2);
    CU_ASSERT_EQUAL(z, z2);
    CU_ASSERT_EQUAL(p + n + z, A->r);
}

static void test_inertia(void)
{
    seed(11);
    /* Q D Q^T with invertible Q: by Sylvester the inertia is D's sign pattern */
    for (int trial = 0; trial < 60; trial++) {
        long n = trial < 2 ? trial : rnd_range(1, 7);
        qmat_t Q, D, QD, Qt, A;
        qmat_init(Q, n, n);
        qmat_init(D, n, n);
        qmat_init(QD, n, n);
        qmat_init(Qt, n, n);
        qmat_init(A, n, n);
        mpq_t d;
        mpq_init(d);
        do {
            rand_mat(Q, 5, trial % 2 ? 1 : 4, trial % 3 ? 30 : 60);
            qmat_det(d, Q);
        } while (mpq_sgn(d) == 0);
        long ep = 0, en = 0, ez = 0;
        for (long i = 0; i < n; i++) {
            rand_q(qmat_entry(D, i, i), 9, 5, 30);
            int s = mpq_sgn(qmat_entry(D, i, i));
            ep += s > 0;
            en += s < 0;
            ez += s == 0;
        }
        qmat_mul(QD, Q, D);
        qmat_transpose(Qt, Q);
        qmat_mul(A, QD, Qt);
        long p, m, z;
        qmat_inertia(&p, &m, &z, A);
        CU_ASSERT_EQUAL(p, ep);
        CU_ASSERT_EQUAL(m, en);
        CU_ASSERT_EQUAL(z, ez);
        check_inertia(A);
        mpq_clear(d);
        qmat_clear(Q);
        qmat_clear(D);
        qmat_clear(QD);
        qmat_clear(Qt);
        qmat_clear(A);
    }
    /* zero diagonals force 2x2 pivots; sparse patterns give zero Schur complements */
    for (int trial = 0; trial < 120; trial++) {
        long n = rnd_range(1, 7);
        qmat_t A;
        qmat_init(A, n, n);
        int pz = (int)rnd_range(20, 90), zero_diag = trial % 2;
        for (long i = 0; i < n; i++)
            for (long j = i; j < n; j++) {
                if (i == j && (zero_diag || rnd_range(0, 2) == 0))
                    continue;
                rand_q(qmat_entry(A, i, j), 4, trial % 3 ? 1 : 3, pz);
                mpq_set(qmat_entry(A, j, i), qmat_entry(A, i, j));
            }
        check_inertia(A);
        qmat_clear(A);
    }
    long p, m, z;
    qmat_t A;
    qmat_init(A, 2, 2);
    long h[] = {0, 1, 1, 0};
    qmat_set_si(A, h, NULL);
    qmat_inertia(&p, &m, &z, A);
    CU_ASSERT_TRUE(p == 1 && m == 1 && z == 0);
    qmat_zero(A);
    qmat_inertia(&p, &m, &z, A);
    CU_ASSERT_TRUE(p == 0 && m == 0 && z == 2);
    long ns[] = {1, 2, 3, 1};
    qmat_set_si(A, ns, NULL);
    TU_EXPECT_ERROR(qmat_inertia(&p, &m, &z, A));
    qmat_clear(A);
    qmat_init(A, 0, 0);
    qmat_inertia(&p, &m, &z, A);
    CU_ASSERT_TRUE(p == 0 && m == 0 && z == 0);
    qmat_clear(A);
    qmat_init(A, 2, 3);
    TU_EXPECT_ERROR(qmat_inertia(&p, &m, &z, A));
    qmat_clear(A);
}

static void test_mpz_common(void)
{
    seed(12);
    for (int trial = 0; trial < 30; trial++) {
        long r = rnd_range(0, 5), c = rnd_range(0, 5);
        qmat_t A, B;
        qmat_init(A, r, c);
        qmat_init(B, r, c);
        rand_mat(A, 1000, trial % 4 ? 60 : 1, 25);
        mpz_t *Z = malloc((size_t)(r * c + 1) * sizeof(mpz_t));
        for (long i = 0; i < r * c; i++)
            mpz_init(Z[i]);
        mpz_t den, g;
        mpz_init(den);
        mpz_init(g);
        qmat_get_mpz_common(Z, den, A);
        CU_ASSERT_TRUE(mpz_sgn(den) > 0);
        /* A = Z / den, and den is least: gcd(den, all Z) = 1 */
        mpz_set(g, den);
        for (long i = 0; i < r * c; i++) {
            mpq_set_num(B->entries[i], Z[i]);
            mpq_set_den(B->entries[i], den);
            mpq_canonicalize(B->entries[i]);
            mpz_gcd(g, g, Z[i]);
        }
        CU_ASSERT_TRUE(qmat_equal(A, B));
        CU_ASSERT_EQUAL(mpz_cmp_ui(g, 1), 0);
        for (long i = 0; i < r * c; i++)
            mpz_clear(Z[i]);
        free(Z);
        mpz_clear(den);
        mpz_clear(g);
        qmat_clear(A);
        qmat_clear(B);
    }
}

static void test_fprint(void)
{
    qmat_t A;
    qmat_init(A, 2, 2);
    long n[] = {1, -3, 0, 14}, d[] = {2, 1, 5, 10};
    qmat_set_si(A, n, d);
    FILE *f = tmpfile();
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(qmat_fprint(f, A), AE_OK);
    rewind(f);
    char buf[64] = {0};
    size_t got = fread(buf, 1, sizeof buf - 1, f);
    CU_ASSERT_EQUAL(got, strlen("1/2 -3\n0 7/5\n"));
    CU_ASSERT_STRING_EQUAL(buf, "1/2 -3\n0 7/5\n");
    fclose(f);
    TU_EXPECT_ERROR(qmat_fprint(NULL, A));
    qmat_clear(A);
}

/* A 64x64 dense rational product: exact agreement with the naive loop. */
static void test_mul_large(void)
{
    seed(13);
    long n = 64;
    qmat_t A, B, C, D;
    qmat_init(A, n, n);
    qmat_init(B, n, n);
    qmat_init(C, n, n);
    qmat_init(D, n, n);
    rand_mat(A, 1L << 30, 1L << 20, 0);
    rand_mat(B, 1L << 30, 1L << 20, 0);
    qmat_mul(C, A, B);
    naive_mul(D, A, B);
    CU_ASSERT_TRUE(qmat_equal(C, D));
    qmat_clear(A);
    qmat_clear(B);
    qmat_clear(C);
    qmat_clear(D);
}

int main(void)
{
    static const tu_test T[] = {
        {"init and sizes", test_init_sizes},
        {"common denominator", test_common_den},
        {"set_si and set_d", test_set_si_d},
        {"add, sub, neg, scalar", test_add_sub_neg_scalar},
        {"mul vs naive, (AB)^T, aliasing", test_mul},
        {"transpose", test_transpose},
        {"mul_vec, mul_transpose_vec, gram", test_mul_vec_gram},
        {"trace and frobenius", test_trace_frobenius},
        {"columns and submatrix", test_col_submatrix},
        {"qvec operations", test_vec},
        {"inv and solve", test_inv_solve},
        {"det vs cofactor expansion", test_det},
        {"rref, rank, nullspace", test_rref_rank_nullspace},
        {"inertia vs QDQ^T and Descartes", test_inertia},
        {"get_mpz_common", test_mpz_common},
        {"fprint", test_fprint},
        {"64x64 mul vs naive", test_mul_large},
        {NULL, NULL}};
    return tu_run("qmat", 20240611UL, T);
}
