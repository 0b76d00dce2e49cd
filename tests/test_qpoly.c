/* CUnit suite for qpoly: exact polynomials, characteristic polynomials, Sturm counts and
 * real-root isolation. */
#include <stdlib.h>
#include <gmp.h>

#include "testutil.h"
#include "qmat.h"
#include "qpoly.h"

static gmp_randstate_t rs;
static int rs_ready = 0;

static void rnd_init(void)
{
    if (!rs_ready) {
        gmp_randinit_mt(rs);
        gmp_randseed_ui(rs, tu_seed());
        rs_ready = 1;
    }
}

/* A random rational num/den with |num| <= 20, 1 <= den <= 9. */
static void rnd_q(mpq_t q)
{
    long num = (long) gmp_urandomm_ui(rs, 41) - 20;
    long den = (long) gmp_urandomm_ui(rs, 9) + 1;
    mpq_set_si(q, num, (unsigned long) den);
    mpq_canonicalize(q);
}

static void rnd_qmat(qmat_t A)
{
    for (long i = 0; i < A->r * A->c; i++)
        rnd_q(A->entries[i]);
}

static void rnd_poly(qpoly_t p, long deg)
{
    mpq_t c;
    mpq_init(c);
    qpoly_zero(p);
    for (long i = 0; i <= deg; i++) {
        rnd_q(c);
        if (i == deg && mpq_sgn(c) == 0)
            mpq_set_ui(c, 1, 1);
        qpoly_set_coeff(p, i, c);
    }
    mpq_clear(c);
}

static void q_set(mpq_t q, long num, unsigned long den)
{
    mpq_set_si(q, num, den);
    mpq_canonicalize(q);
}

/* ---- arithmetic ---------------------------------------------------------------- */

static void test_basic(void)
{
    qpoly_t p, q, r;
    qpoly_init(p); qpoly_init(q); qpoly_init(r);
    CU_ASSERT_EQUAL(qpoly_degree(p), -1);
    CU_ASSERT_TRUE(qpoly_is_zero(p));
    long c1[] = { -1, 0, 1, 0, 0 };            /* x^2 - 1, trailing zeros trimmed */
    qpoly_set_si(p, c1, 5);
    CU_ASSERT_EQUAL(qpoly_degree(p), 2);
    mpq_t rt[2], v;
    mpq_inits(rt[0], rt[1], v, NULL);
    q_set(rt[0], 1, 1);
    q_set(rt[1], -1, 1);
    qpoly_from_roots(q, rt, 2);
    CU_ASSERT_TRUE(qpoly_equal(p, q));
    qpoly_from_roots(q, rt, 0);
    long one[] = { 1 };
    qpoly_set_si(r, one, 1);
    CU_ASSERT_TRUE(qpoly_equal(q, r));
    /* coefficient access beyond the degree, and trimming by setting the top to 0 */
    qpoly_get_coeff(v, p, 7);
    CU_ASSERT_EQUAL(mpq_sgn(v), 0);
    mpq_set_ui(v, 0, 1);
    qpoly_set_coeff(p, 2, v);
    CU_ASSERT_EQUAL(qpoly_degree(p), 0);
    /* p - p = 0, aliasing */
    qpoly_set_si(p, c1, 3);
    qpoly_sub(p, p, p);
    CU_ASSERT_TRUE(qpoly_is_zero(p));
    /* derivative of x^2 - 1 is 2x; of a constant is 0 */
    qpoly_set_si(p, c1, 3);
    qpoly_derivative(p, p);
    long c2[] = { 0, 2 };
    qpoly_set_si(q, c2, 2);
    CU_ASSERT_TRUE(qpoly_equal(p, q));
    qpoly_set_si(p, one, 1);
    qpoly_derivative(p, p);
    CU_ASSERT_TRUE(qpoly_is_zero(p));
    TU_EXPECT_ERROR(qpoly_divrem(q, r, p, p));   /* division by zero polynomial */
    TU_EXPECT_ERROR(qpoly_squarefree(q, p));
    mpq_clears(rt[0], rt[1], v, NULL);
    qpoly_clear(p); qpoly_clear(q); qpoly_clear(r);
}

/* a = q b + r with deg r < deg b, checked by recombination; mul against evaluation. */
static void test_divrem_mul(void)
{
    rnd_init();
    qpoly_t a, b, q, r, t;
    qpoly_init(a); qpoly_init(b); qpoly_init(q); qpoly_init(r); qpoly_init(t);
    mpq_t x, ya, yb, yt;
    mpq_inits(x, ya, yb, yt, NULL);
    for (int trial = 0; trial < 40; trial++) {
        rnd_poly(a, (long) gmp_urandomm_ui(rs, 8));
        rnd_poly(b, (long) gmp_urandomm_ui(rs, 5));
        CU_ASSERT_EQUAL_FATAL(qpoly_divrem(q, r, a, b), AE_OK);
        CU_ASSERT_TRUE(qpoly_degree(r) < qpoly_degree(b));
        qpoly_mul(t, q, b);
        qpoly_add(t, t, r);
        CU_ASSERT_TRUE(qpoly_equal(t, a));
        /* (a b)(x) = a(x) b(x) at a few rational points */
        qpoly_mul(t, a, b);
        for (int k = 0; k < 3; k++) {
            rnd_q(x);
            qpoly_eval(ya, a, x);
            qpoly_eval(yb, b, x);
            mpq_mul(ya, ya, yb);
            qpoly_eval(yt, t, x);
            CU_ASSERT_TRUE(mpq_equal(ya, yt));
        }
        /* aliasing: quotient into a */
        qpoly_set(t, a);
        qpoly_divrem(t, NULL, t, b);
        CU_ASSERT_TRUE(qpoly_equal(t, q));
    }
    mpq_clears(x, ya, yb, yt, NULL);
    qpoly_clear(a); qpoly_clear(b); qpoly_clear(q); qpoly_clear(r); qpoly_clear(t);
}

static void test_gcd_squarefree(void)
{
    qpoly_t f, g, h, e;
    qpoly_init(f); qpoly_init(g); qpoly_init(h); qpoly_init(e);
    mpq_t r[4];
    for (int i = 0; i < 4; i++)
        mpq_init(r[i]);
    /* f = (x-1)^2 (x+2), g = (x-1)(x+3): gcd = x - 1 */
    q_set(r[0], 1, 1); q_set(r[1], 1, 1); q_set(r[2], -2, 1);
    qpoly_from_roots(f, r, 3);
    q_set(r[1], -3, 1);
    qpoly_from_roots(g, r, 2);
    qpoly_gcd(h, f, g);
    qpoly_from_roots(e, r, 1);
    CU_ASSERT_TRUE(qpoly_equal(h, e));
    /* square-free part of 3 (x-1)^2 (x+2) is (x-1)(x+2), monic */
    mpq_t three;
    mpq_init(three);
    q_set(three, 3, 1);
    qpoly_scalar_mul(f, f, three);
    qpoly_squarefree(h, f);
    q_set(r[1], -2, 1);
    qpoly_from_roots(e, r, 2);
    CU_ASSERT_TRUE(qpoly_equal(h, e));
    /* gcd with 0 and of coprime polynomials */
    qpoly_zero(g);
    qpoly_gcd(h, e, g);
    CU_ASSERT_TRUE(qpoly_equal(h, e));
    qpoly_gcd(h, g, g);
    CU_ASSERT_TRUE(qpoly_is_zero(h));
    /* rational, non-monic, negative leading coefficients:
     * gcd(-3/2 (x - 1/3)(x + 2), 5 (x - 1/3)^2) = x - 1/3 */
    q_set(r[0], 1, 3); q_set(r[1], -2, 1);
    qpoly_from_roots(f, r, 2);
    q_set(three, -3, 2);
    qpoly_scalar_mul(f, f, three);
    q_set(r[1], 1, 3);
    qpoly_from_roots(g, r, 2);
    q_set(three, 5, 1);
    qpoly_scalar_mul(g, g, three);
    qpoly_gcd(h, f, g);
    qpoly_from_roots(e, r, 1);
    CU_ASSERT_TRUE(qpoly_equal(h, e));
    qpoly_gcd(h, g, f);
    CU_ASSERT_TRUE(qpoly_equal(h, e));
    qpoly_from_roots(e, r, 2);
    qpoly_zero(g);
    long c[] = { 1, 0, 1 };   /* x^2 + 1 */
    qpoly_set_si(g, c, 3);
    qpoly_gcd(h, e, g);
    CU_ASSERT_EQUAL(qpoly_degree(h), 0);
    mpq_clear(three);
    for (int i = 0; i < 4; i++)
        mpq_clear(r[i]);
    qpoly_clear(f); qpoly_clear(g); qpoly_clear(h); qpoly_clear(e);
}

/* ---- characteristic polynomial ------------------------------------------------- */

static void test_charpoly_small(void)
{
    qpoly_t p, e;
    qpoly_init(p); qpoly_init(e);
    qmat_t A;
    qmat_init(A, 0, 0);
    CU_ASSERT_EQUAL(qpoly_charpoly(p, A), AE_OK);
    long one[] = { 1 };
    qpoly_set_si(e, one, 1);
    CU_ASSERT_TRUE(qpoly_equal(p, e));
    qmat_resize(A, 1, 1);
    q_set(qmat_entry(A, 0, 0), -7, 3);
    qpoly_charpoly(p, A);
    qpoly_from_roots(e, &qmat_entry(A, 0, 0), 1);
    CU_ASSERT_TRUE(qpoly_equal(p, e));
    qmat_resize(A, 2, 3);
    TU_EXPECT_ERROR(qpoly_charpoly(p, A));
    qmat_clear(A);
    qpoly_clear(p); qpoly_clear(e);
}

/* Companion matrix of monic c: charpoly is c; triangular: product of (x - diagonal). */
static void test_charpoly_companion_triangular(void)
{
    rnd_init();
    qpoly_t c, p, e;
    qpoly_init(c); qpoly_init(p); qpoly_init(e);
    mpq_t one;
    mpq_init(one);
    for (long n = 1; n <= 8; n++) {
        rnd_poly(c, n);
        q_set(one, 1, 1);
        qpoly_set_coeff(c, n, one);
        qmat_t A;
        qmat_init(A, n, n);
        for (long i = 1; i < n; i++)
            mpq_set_ui(qmat_entry(A, i, i - 1), 1, 1);
        for (long i = 0; i < n; i++)
            mpq_neg(qmat_entry(A, i, n - 1), c->coeffs[i]);
        qpoly_charpoly(p, A);
        CU_ASSERT_TRUE(qpoly_equal(p, c));
        /* upper triangular with random strictly-upper part, repeated diagonal values */
        qmat_zero(A);
        mpq_t *dg = qvec_init(n);
        for (long i = 0; i < n; i++) {
            q_set(dg[i], (long) gmp_urandomm_ui(rs, 5) - 2, 2);
            mpq_set(qmat_entry(A, i, i), dg[i]);
            for (long j = i + 1; j < n; j++)
                rnd_q(qmat_entry(A, i, j));
        }
        qpoly_charpoly(p, A);
        qpoly_from_roots(e, dg, n);
        CU_ASSERT_TRUE(qpoly_equal(p, e));
        /* its transpose (lower triangular) has the same charpoly */
        qmat_transpose(A, A);
        qpoly_charpoly(p, A);
        CU_ASSERT_TRUE(qpoly_equal(p, e));
        qvec_clear(dg, n);
        qmat_clear(A);
    }
    mpq_clear(one);
    qpoly_clear(c); qpoly_clear(p); qpoly_clear(e);
}

/* Cayley-Hamilton, trace and determinant, similarity invariance. */
static void test_charpoly_random(void)
{
    rnd_init();
    qpoly_t p, p2;
    qpoly_init(p); qpoly_init(p2);
    mpq_t t, c;
    mpq_inits(t, c, NULL);
    for (long n = 0; n <= 7; n++) {
        qmat_t A, S, Si, B, Z;
        qmat_init(A, n, n); qmat_init(S, n, n); qmat_init(Si, n, n);
        qmat_init(B, n, n); qmat_init(Z, n, n);
        rnd_qmat(A);
        if (n >= 3)   /* also a singular matrix: duplicate a row */
            for (long j = 0; j < n; j++)
                mpq_set(qmat_entry(A, n - 1, j), qmat_entry(A, 0, j));
        qpoly_charpoly(p, A);
        CU_ASSERT_EQUAL(qpoly_degree(p), n);
        qpoly_get_coeff(c, p, n);
        CU_ASSERT_EQUAL(mpq_cmp_ui(c, 1, 1), 0);
        qpoly_eval_qmat(Z, p, A);
        CU_ASSERT_TRUE(qmat_is_zero(Z));
        if (n >= 1) {
            qmat_trace(t, A);
            qpoly_get_coeff(c, p, n - 1);
            mpq_neg(c, c);
            CU_ASSERT_TRUE(mpq_equal(t, c));
        }
        qmat_det(t, A);
        if (n & 1)
            mpq_neg(t, t);
        qpoly_get_coeff(c, p, 0);
        CU_ASSERT_TRUE(mpq_equal(t, c));
        if (n >= 3)
            CU_ASSERT_EQUAL(mpq_sgn(c), 0);
        /* S A S^{-1} has the same characteristic polynomial */
        do
            rnd_qmat(S);
        while (qmat_inv(Si, S) != AE_OK);
        qmat_mul(B, S, A);
        qmat_mul(B, B, Si);
        qpoly_charpoly(p2, B);
        CU_ASSERT_TRUE(qpoly_equal(p, p2));
        /* p(A) with R aliasing A */
        qpoly_eval_qmat(A, p, A);
        CU_ASSERT_TRUE(qmat_is_zero(A));
        qmat_clear(A); qmat_clear(S); qmat_clear(Si); qmat_clear(B); qmat_clear(Z);
    }
    qmat_t A, R;
    qmat_init(A, 2, 3);
    qmat_init(R, 2, 3);
    TU_EXPECT_ERROR(qpoly_eval_qmat(R, p, A));
    qmat_clear(A); qmat_clear(R);
    mpq_clears(t, c, NULL);
    qpoly_clear(p); qpoly_clear(p2);
}

/* ---- Sturm counts --------------------------------------------------------------- */

/* Distinct members of roots[] in (a, b]. */
static long brute_count(const mpq_t *roots, long n, const mpq_t a, const mpq_t b)
{
    long k = 0;
    for (long i = 0; i < n; i++) {
        int dup = 0;
        for (long j = 0; j < i; j++)
            dup |= mpq_equal(roots[i], roots[j]);
        if (!dup && mpq_cmp(roots[i], a) > 0 && mpq_cmp(roots[i], b) <= 0)
            k++;
    }
    return k;
}

static void test_sturm(void)
{
    rnd_init();
    qpoly_t p, q;
    qpoly_init(p); qpoly_init(q);
    mpq_t r[4], a, b;
    for (int i = 0; i < 4; i++)
        mpq_init(r[i]);
    mpq_inits(a, b, NULL);
    /* (x-1)(x-2)^2(x+3) */
    q_set(r[0], 1, 1); q_set(r[1], 2, 1); q_set(r[2], 2, 1); q_set(r[3], -3, 1);
    qpoly_from_roots(p, r, 4);
    CU_ASSERT_EQUAL(qpoly_sturm_count(p, NULL, NULL), 3);
    CU_ASSERT_EQUAL(qpoly_real_root_count_mult(p), 4);
    q_set(a, 1, 1); q_set(b, 2, 1);
    CU_ASSERT_EQUAL(qpoly_sturm_count(p, a, b), 1);          /* 2 in (1, 2] */
    q_set(a, 0, 1); q_set(b, 1, 1);
    CU_ASSERT_EQUAL(qpoly_sturm_count(p, a, b), 1);          /* 1 in (0, 1] */
    q_set(a, -3, 1);
    CU_ASSERT_EQUAL(qpoly_sturm_count(p, a, b), 1);          /* -3 excluded */
    CU_ASSERT_EQUAL(qpoly_sturm_count(p, NULL, a), 1);       /* -3 in (-inf, -3] */
    CU_ASSERT_EQUAL(qpoly_sturm_count(p, a, NULL), 2);
    CU_ASSERT_EQUAL(qpoly_sturm_count(p, b, a), 0);          /* a > b: empty */
    CU_ASSERT_EQUAL(qpoly_sturm_count(p, a, a), 0);
    /* every interval with endpoints on a grid of halves in [-4, 3] */
    for (long i = -8; i <= 6; i++)
        for (long j = i; j <= 6; j++) {
            q_set(a, i, 2);
            q_set(b, j, 2);
            CU_ASSERT_EQUAL(qpoly_sturm_count(p, a, b), brute_count(r, 4, a, b));
        }
    /* random rational roots with repeats, scaled by a random constant */
    for (int trial = 0; trial < 20; trial++) {
        long n = 1 + (long) gmp_urandomm_ui(rs, 4);
        for (long i = 0; i < n; i++)
            q_set(r[i], (long) gmp_urandomm_ui(rs, 9) - 4, 1 + gmp_urandomm_ui(rs, 3));
        qpoly_from_roots(p, r, n);
        mpq_set_si(a, -5, 7);
        qpoly_scalar_mul(p, p, a);
        CU_ASSERT_EQUAL(qpoly_real_root_count_mult(p), n);
        for (int k = 0; k < 20; k++) {
            q_set(a, (long) gmp_urandomm_ui(rs, 19) - 9, 1 + gmp_urandomm_ui(rs, 3));
            q_set(b, (long) gmp_urandomm_ui(rs, 19) - 9, 1 + gmp_urandomm_ui(rs, 3));
            long expect = mpq_cmp(a, b) < 0 ? brute_count(r, n, a, b) : 0;
            CU_ASSERT_EQUAL(qpoly_sturm_count(p, a, b), expect);
        }
    }
    /* no real roots: x^2 + 1 and (x^2 + 1)^2; a constant; degree 1 */
    long c[] = { 1, 0, 1 };
    qpoly_set_si(p, c, 3);
    CU_ASSERT_EQUAL(qpoly_sturm_count(p, NULL, NULL), 0);
    qpoly_mul(q, p, p);
    CU_ASSERT_EQUAL(qpoly_sturm_count(q, NULL, NULL), 0);
    CU_ASSERT_EQUAL(qpoly_real_root_count_mult(q), 0);
    qpoly_set_si(p, c, 1);
    CU_ASSERT_EQUAL(qpoly_sturm_count(p, NULL, NULL), 0);
    CU_ASSERT_EQUAL(qpoly_real_root_count_mult(p), 0);
    long lin[] = { 1, 3 };
    qpoly_set_si(p, lin, 2);                                 /* root -1/3 */
    q_set(a, -1, 3);
    CU_ASSERT_EQUAL(qpoly_sturm_count(p, NULL, a), 1);
    CU_ASSERT_EQUAL(qpoly_sturm_count(p, a, NULL), 0);
    /* sparse polynomials whose remainder sequences skip degrees and meet negative
     * leading coefficients with an odd number of pseudo-division steps:
     * x^3 + x = x (x^2 + 1), x^7 + x = x (x^6 + 1), x^5 + 2x^2 = x^2 (x^3 + 2) */
    static const long sp[3][8] = { { 0, 1, 0, 1 }, { 0, 1, 0, 0, 0, 0, 0, 1 },
                                   { 0, 0, 2, 0, 0, 1 } };
    static const long splen[3] = { 4, 8, 6 }, sproots[3] = { 1, 1, 2 }, spmult[3] = { 1, 1, 3 };
    for (int k = 0; k < 3; k++) {
        qpoly_set_si(p, sp[k], splen[k]);
        CU_ASSERT_EQUAL(qpoly_sturm_count(p, NULL, NULL), sproots[k]);
        CU_ASSERT_EQUAL(qpoly_real_root_count_mult(p), spmult[k]);
        q_set(a, -1, 2);
        q_set(b, 1, 2);
        CU_ASSERT_EQUAL(qpoly_sturm_count(p, a, b), 1);      /* the root 0 */
        CU_ASSERT_EQUAL(qpoly_sturm_count(p, NULL, a), sproots[k] - 1);
    }
    /* x^2 - 2: one root in (1, 3/2] */
    long s2[] = { -2, 0, 1 };
    qpoly_set_si(p, s2, 3);
    q_set(a, 1, 1); q_set(b, 3, 2);
    CU_ASSERT_EQUAL(qpoly_sturm_count(p, a, b), 1);
    qpoly_zero(p);
    long bad = 0;
    TU_EXPECT_ERROR(bad = qpoly_sturm_count(p, NULL, NULL));
    (void) bad;
    for (int i = 0; i < 4; i++)
        mpq_clear(r[i]);
    mpq_clears(a, b, NULL);
    qpoly_clear(p); qpoly_clear(q);
}

/* ---- root isolation ------------------------------------------------------------- */

/* Structural checks of R for p: sorted, disjoint, widths, endpoints non-roots, one root
 * of the square-free part per interval (Sturm), and the total with multiplicity. */
static void check_roots(const qpoly_roots_t R, const qpoly_t p, long prec)
{
    qpoly_t sq;
    qpoly_init(sq);
    qpoly_squarefree(sq, p);
    mpq_t w, lim;
    mpq_inits(w, lim, NULL);
    mpq_set_ui(lim, 1, 1);
    mpq_div_2exp(lim, lim, (mp_bitcnt_t) prec);
    CU_ASSERT_EQUAL(R->n, qpoly_sturm_count(p, NULL, NULL));
    long total = 0;
    for (long i = 0; i < R->n; i++) {
        total += R->mult[i];
        CU_ASSERT_TRUE(R->mult[i] >= 1);
        CU_ASSERT_TRUE(mpq_cmp(R->lo[i], R->hi[i]) <= 0);
        if (i + 1 < R->n)
            CU_ASSERT_TRUE(mpq_cmp(R->hi[i], R->lo[i + 1]) < 0);
        if (mpq_equal(R->lo[i], R->hi[i])) {
            CU_ASSERT_EQUAL(qpoly_sign_at(p, R->lo[i]), 0);
        } else {
            mpq_sub(w, R->hi[i], R->lo[i]);
            CU_ASSERT_TRUE(mpq_cmp(w, lim) <= 0);
            int sl = qpoly_sign_at(sq, R->lo[i]), sh = qpoly_sign_at(sq, R->hi[i]);
            CU_ASSERT_TRUE(sl != 0 && sh != 0 && sl != sh);
            CU_ASSERT_EQUAL(qpoly_sturm_count(p, R->lo[i], R->hi[i]), 1);
        }
    }
    CU_ASSERT_EQUAL(total, qpoly_real_root_count_mult(p));
    mpq_clears(w, lim, NULL);
    qpoly_clear(sq);
}

static void test_roots_known(void)
{
    qpoly_t p, q;
    qpoly_init(p); qpoly_init(q);
    qpoly_roots_t R;
    qpoly_roots_init(R);
    mpq_t r[4];
    for (int i = 0; i < 4; i++)
        mpq_init(r[i]);
    /* (x-1)(x-2)^2(x+3): roots -3, 1, 2 with multiplicities 1, 1, 2 */
    q_set(r[0], 1, 1); q_set(r[1], 2, 1); q_set(r[2], 2, 1); q_set(r[3], -3, 1);
    qpoly_from_roots(p, r, 4);
    CU_ASSERT_EQUAL_FATAL(qpoly_real_roots(R, p, 30), AE_OK);
    CU_ASSERT_EQUAL_FATAL(R->n, 3);
    check_roots(R, p, 30);
    long ex[] = { -3, 1, 2 }, em[] = { 1, 1, 2 };
    for (int i = 0; i < 3; i++) {
        mpq_set_si(r[0], ex[i], 1);
        CU_ASSERT_TRUE(mpq_cmp(R->lo[i], r[0]) <= 0 && mpq_cmp(r[0], R->hi[i]) <= 0);
        CU_ASSERT_EQUAL(R->mult[i], em[i]);
    }
    /* (x^2 - 2)(x^2 + 1)(x - 1/3)^3: +-sqrt 2 (irrational) and 1/3 (not dyadic) */
    long s2[] = { -2, 0, 1 }, s1[] = { 1, 0, 1 };
    qpoly_set_si(p, s2, 3);
    qpoly_set_si(q, s1, 3);
    qpoly_mul(p, p, q);
    q_set(r[0], 1, 3); q_set(r[1], 1, 3); q_set(r[2], 1, 3);
    qpoly_from_roots(q, r, 3);
    qpoly_mul(p, p, q);
    for (long prec = 0; prec <= 60; prec += 20) {
        qpoly_real_roots(R, p, prec);
        CU_ASSERT_EQUAL_FATAL(R->n, 3);
        check_roots(R, p, prec);
        CU_ASSERT_EQUAL(R->mult[0], 1);
        CU_ASSERT_EQUAL(R->mult[1], 3);
        CU_ASSERT_EQUAL(R->mult[2], 1);
        mpq_t t;
        mpq_init(t);
        /* lo^2 < 2 < hi^2 for sqrt 2, i.e. the interval really contains it */
        mpq_mul(t, R->lo[2], R->lo[2]);
        CU_ASSERT_TRUE(mpq_cmp_ui(t, 2, 1) < 0 && mpq_sgn(R->lo[2]) > 0);
        mpq_mul(t, R->hi[2], R->hi[2]);
        CU_ASSERT_TRUE(mpq_cmp_ui(t, 2, 1) > 0);
        CU_ASSERT_TRUE(mpq_cmp(R->lo[1], r[0]) < 0 && mpq_cmp(r[0], R->hi[1]) < 0);
        mpq_clear(t);
    }
    /* dyadic roots met exactly by bisection: 0, 1/2, -1/4 */
    q_set(r[0], 0, 1); q_set(r[1], 1, 2); q_set(r[2], -1, 4);
    qpoly_from_roots(p, r, 3);
    qpoly_real_roots(R, p, 10);
    CU_ASSERT_EQUAL_FATAL(R->n, 3);
    check_roots(R, p, 10);
    CU_ASSERT_TRUE(mpq_equal(R->lo[1], r[0]) && mpq_equal(R->hi[1], r[0]));
    /* two close roots: 1/3 and 1/3 + 10^-12 */
    q_set(r[0], 1, 3);
    mpq_set_str(r[1], "1000000000003/3000000000000", 10);
    mpq_canonicalize(r[1]);
    qpoly_from_roots(p, r, 2);
    qpoly_real_roots(R, p, 8);
    CU_ASSERT_EQUAL_FATAL(R->n, 2);
    check_roots(R, p, 8);
    /* degree 1 and constants; the zero polynomial and negative prec are misuse */
    long lin[] = { -1, 3 }, cst[] = { 5 };
    qpoly_set_si(p, lin, 2);
    qpoly_real_roots(R, p, 5);
    CU_ASSERT_EQUAL(R->n, 1);
    check_roots(R, p, 5);
    qpoly_set_si(p, cst, 1);
    qpoly_real_roots(R, p, 5);
    CU_ASSERT_EQUAL(R->n, 0);
    TU_EXPECT_ERROR(qpoly_real_roots(R, p, -1));
    qpoly_zero(p);
    TU_EXPECT_ERROR(qpoly_real_roots(R, p, 5));
    for (int i = 0; i < 4; i++)
        mpq_clear(r[i]);
    qpoly_roots_clear(R);
    qpoly_clear(p); qpoly_clear(q);
}

/* Symmetric matrices have only real eigenvalues: the charpoly's roots, counted with
 * multiplicity, number n; a rank-deficient one has the root 0. */
static void test_roots_symmetric(void)
{
    rnd_init();
    qpoly_t p;
    qpoly_init(p);
    qpoly_roots_t R;
    qpoly_roots_init(R);
    mpq_t z;
    mpq_init(z);
    for (long n = 1; n <= 10; n++) {
        qmat_t A, G;
        qmat_init(A, n + 1, n);
        qmat_init(G, n, n);
        rnd_qmat(A);
        if (n >= 2)   /* G = A^T A with two equal columns: singular */
            for (long i = 0; i <= n; i++)
                mpq_set(qmat_entry(A, i, 1), qmat_entry(A, i, 0));
        qmat_gram(G, A);
        qpoly_charpoly(p, G);
        CU_ASSERT_EQUAL(qpoly_real_root_count_mult(p), n);
        qpoly_real_roots(R, p, 40);
        check_roots(R, p, 40);
        long total = 0;
        for (long i = 0; i < R->n; i++) {
            total += R->mult[i];
            CU_ASSERT_TRUE(mpq_sgn(R->hi[i]) >= 0);   /* positive semidefinite */
        }
        CU_ASSERT_EQUAL(total, n);
        if (n >= 2) {
            CU_ASSERT_TRUE(mpq_equal(R->lo[0], z) && mpq_equal(R->hi[0], z));
        }
        qmat_clear(A);
        qmat_clear(G);
    }
    mpq_clear(z);
    qpoly_roots_clear(R);
    qpoly_clear(p);
}

int main(void)
{
    static const tu_test T[] = {
        { "basic", test_basic },
        { "divrem_mul", test_divrem_mul },
        { "gcd_squarefree", test_gcd_squarefree },
        { "charpoly_small", test_charpoly_small },
        { "charpoly_companion_triangular", test_charpoly_companion_triangular },
        { "charpoly_random", test_charpoly_random },
        { "sturm", test_sturm },
        { "roots_known", test_roots_known },
        { "roots_symmetric", test_roots_symmetric },
        { NULL, NULL }
    };
    int rc = tu_run("qpoly", 20240611UL, T);
    if (rs_ready)
        gmp_randclear(rs);
    return rc;
}
