/* test_angles — principal angles against closed forms and an exact identity.
 *
 * Closed forms: rational rotations by Pythagorean angles (sin = 4/5, 5/13) give sin^2
 * exactly; equal subspaces give 0, orthogonal ones pi/2.  Identity: sum_i sin^2 theta_i =
 * k - tr(P_X P_Y), computed exactly from the projectors, must lie in the summed
 * enclosures; a change of basis X -> X T leaves chi unchanged.
 */
#include <CUnit/CUnit.h>
#include <stdlib.h>

#include "angles.h"
#include "qmat.h"
#include "testutil.h"

/* X = [e1, e2], Y = [c1 e1 + s1 e3, c2 e2 + s2 e4] in R^d (d >= 4). */
static void pyth_pair(qmat_t X, qmat_t Y, long d)
{
    qmat_init(X, d, 2);
    qmat_init(Y, d, 2);
    mpq_set_ui(qmat_entry(X, 0, 0), 1, 1);
    mpq_set_ui(qmat_entry(X, 1, 1), 1, 1);
    mpq_set_ui(qmat_entry(Y, 0, 0), 3, 5);
    mpq_set_ui(qmat_entry(Y, 2, 0), 4, 5);
    mpq_set_ui(qmat_entry(Y, 1, 1), 12, 13);
    mpq_set_ui(qmat_entry(Y, 3, 1), 5, 13);
}

static void test_closed_forms(void)
{
    qmat_t X, Y;
    pyth_pair(X, Y, 5);
    angles_t A;
    angles_init(A, 2, 128);
    CU_ASSERT_EQUAL_FATAL(angles_compute(A, X, Y, 200), AE_OK);
    /* ascending: sin^2 = 25/169 then 16/25, found exactly or enclosed */
    mpq_t a, b;
    mpq_inits(a, b, NULL);
    mpq_set_ui(a, 25, 169);
    mpq_set_ui(b, 16, 25);
    CU_ASSERT(mpq_cmp(A->mu_lo[0], a) <= 0 && mpq_cmp(a, A->mu_hi[0]) <= 0);
    CU_ASSERT(mpq_cmp(A->mu_lo[1], b) <= 0 && mpq_cmp(b, A->mu_hi[1]) <= 0);
    /* theta_2 = asin(4/5) */
    mpfr_t t;
    mpfr_init2(t, 128);
    mpfr_set_ui(t, 4, MPFR_RNDN);
    mpfr_div_ui(t, t, 5, MPFR_RNDN);
    mpfr_asin(t, t, MPFR_RNDN);
    CU_ASSERT(mpfr_cmp(A->th_lo[1], t) <= 0 && mpfr_cmp(t, A->th_hi[1]) <= 0);
    mpfr_sub(t, A->th_hi[1], A->th_lo[1], MPFR_RNDU);
    CU_ASSERT(mpfr_cmp_d(t, 1e-30) < 0);
    /* certificate counts: the enclosure holds one root; a shifted interval none */
    CU_ASSERT_EQUAL(angles_count_in(A, A->mu_lo[1], A->mu_hi[1]), 1);
    mpq_set_ui(a, 1, 2);
    mpq_set_ui(b, 6, 10);
    CU_ASSERT_EQUAL(angles_count_in(A, a, b), 0);
    /* widening by s keeps the true value and moves the enclosure out */
    mpq_set_ui(a, 1, 1000);
    CU_ASSERT_EQUAL(angles_widen(A, a), AE_OK);
    mpq_set_ui(b, 16, 25);
    CU_ASSERT(mpq_cmp(A->mu_lo[1], b) < 0 && mpq_cmp(b, A->mu_hi[1]) < 0);
    mpq_set_ui(b, 1, 1);
    CU_ASSERT(mpq_cmp(A->mu_hi[1], b) <= 0);
    CU_ASSERT(mpq_equal(A->slack, a));
    mpfr_clear(t);
    mpq_clears(a, b, NULL);
    angles_clear(A);
    qmat_clear(X);
    qmat_clear(Y);
}

static void test_equal_orthogonal(void)
{
    /* d = 1, k = 1: the same line, angle exactly 0 */
    qmat_t X, Y;
    qmat_init(X, 1, 1);
    qmat_init(Y, 1, 1);
    mpq_set_ui(qmat_entry(X, 0, 0), 3, 1);
    mpq_set_si(qmat_entry(Y, 0, 0), -1, 7);
    angles_t A;
    angles_init(A, 1, 64);
    CU_ASSERT_EQUAL_FATAL(angles_compute(A, X, Y, 64), AE_OK);
    CU_ASSERT(mpq_sgn(A->mu_lo[0]) == 0 && mpq_sgn(A->mu_hi[0]) == 0);
    CU_ASSERT(mpfr_zero_p(A->th_lo[0]) && mpfr_zero_p(A->th_hi[0]));
    angles_clear(A);
    qmat_clear(X);
    qmat_clear(Y);
    /* e1 against e2 in R^2: pi/2 */
    qmat_init(X, 2, 1);
    qmat_init(Y, 2, 1);
    mpq_set_ui(qmat_entry(X, 0, 0), 2, 1);
    mpq_set_ui(qmat_entry(Y, 1, 0), 5, 3);
    angles_init(A, 1, 64);
    CU_ASSERT_EQUAL_FATAL(angles_compute(A, X, Y, 64), AE_OK);
    CU_ASSERT(mpq_cmp_ui(A->mu_lo[0], 1, 1) == 0);
    mpfr_t pi2;
    mpfr_init2(pi2, 64);
    mpfr_const_pi(pi2, MPFR_RNDN);
    mpfr_div_2ui(pi2, pi2, 1, MPFR_RNDN);
    CU_ASSERT(mpfr_cmp(A->th_lo[0], pi2) <= 0 && mpfr_cmp(pi2, A->th_hi[0]) <= 0);
    mpfr_clear(pi2);
    double lo, hi;
    angles_max_d(&lo, &hi, A);
    CU_ASSERT(lo <= 1.5707963267948966 && 1.5707963267948966 <= hi);
    angles_clear(A);
    qmat_clear(X);
    qmat_clear(Y);
}

/* s = k - tr(P_X P_Y) exactly, from the projectors. */
static void trace_identity(mpq_t s, const qmat_t X, const qmat_t Y)
{
    long d = X->r, k = X->c;
    qmat_t P, Q, T, G, Gi, XT;
    qmat_init(P, d, d); qmat_init(Q, d, d); qmat_init(T, d, d);
    qmat_init(G, k, k); qmat_init(Gi, k, k); qmat_init(XT, k, d);
    const qmat_struct *B[2] = {X, Y};
    qmat_struct *R[2] = {P, Q};
    for (int i = 0; i < 2; i++) {
        qmat_gram(G, B[i]);
        CU_ASSERT_EQUAL_FATAL(qmat_inv(Gi, G), AE_OK);
        qmat_transpose(XT, B[i]);
        qmat_mul(XT, Gi, XT);
        qmat_mul(R[i], B[i], XT);
    }
    qmat_mul(T, P, Q);
    qmat_trace(s, T);
    mpq_t kk;
    mpq_init(kk);
    mpq_set_si(kk, k, 1);
    mpq_sub(s, kk, s);
    mpq_clear(kk);
    qmat_clear(P); qmat_clear(Q); qmat_clear(T);
    qmat_clear(G); qmat_clear(Gi); qmat_clear(XT);
}

static void test_random_identity(void)
{
    gsl_rng *r = tu_rng();
    for (int rep = 0; rep < 12; rep++) {
        long d = 3 + rep % 4, k = 1 + rep % 3;
        if (k > d)
            k = d;
        qmat_t X, Y, Tm, XT2;
        qmat_init(X, d, k); qmat_init(Y, d, k); qmat_init(Tm, k, k); qmat_init(XT2, d, k);
        do {
            for (long i = 0; i < d * k; i++) {
                tu_rand_q(X->entries[i], r, 9, 5);
                tu_rand_q(Y->entries[i], r, 9, 5);
            }
        } while (qmat_rank(X) < k || qmat_rank(Y) < k);
        do
            for (long i = 0; i < k * k; i++)
                tu_rand_q(Tm->entries[i], r, 5, 3);
        while (qmat_rank(Tm) < k);
        qmat_mul(XT2, X, Tm);
        angles_t A, A2;
        angles_init(A, k, 96);
        angles_init(A2, k, 96);
        CU_ASSERT_EQUAL_FATAL(angles_compute(A, X, Y, 150), AE_OK);
        CU_ASSERT_EQUAL_FATAL(angles_compute(A2, XT2, Y, 150), AE_OK);
        CU_ASSERT(qpoly_equal(A->chi, A2->chi));
        mpq_t s, lo, hi;
        mpq_inits(s, lo, hi, NULL);
        trace_identity(s, X, Y);
        for (long i = 0; i < k; i++) {
            mpq_add(lo, lo, A->mu_lo[i]);
            mpq_add(hi, hi, A->mu_hi[i]);
            CU_ASSERT(mpq_sgn(A->mu_lo[i]) >= 0 || mpq_cmp_si(A->mu_hi[i], 0, 1) >= 0);
            CU_ASSERT(mpq_cmp_ui(A->mu_lo[i], 1, 1) <= 0);
            CU_ASSERT(mpfr_cmp(A->th_lo[i], A->th_hi[i]) <= 0);
            if (i > 0)
                CU_ASSERT(mpq_cmp(A->mu_hi[i - 1], A->mu_lo[i]) <= 0);
        }
        CU_ASSERT(mpq_cmp(lo, s) <= 0 && mpq_cmp(s, hi) <= 0);
        if (mpq_cmp(lo, s) > 0 || mpq_cmp(s, hi) > 0)
            fprintf(stderr, "angles identity failed: d %ld k %ld rep %d\n", d, k, rep);
        mpq_clears(s, lo, hi, NULL);
        angles_clear(A);
        angles_clear(A2);
        qmat_clear(X); qmat_clear(Y); qmat_clear(Tm); qmat_clear(XT2);
    }
    gsl_rng_free(r);
}

static void test_bad_input(void)
{
    qmat_t X, Y, Z;
    qmat_init(X, 4, 2);
    qmat_init(Y, 4, 2);
    qmat_init(Z, 3, 2);
    mpq_set_ui(qmat_entry(Y, 0, 0), 1, 1);
    mpq_set_ui(qmat_entry(Y, 1, 1), 1, 1);
    mpq_set_ui(qmat_entry(X, 0, 0), 1, 1);   /* rank 1 */
    angles_t A;
    angles_init(A, 2, 64);
    CU_ASSERT_EQUAL(angles_compute(A, X, Y, 64), AE_SINGULAR);
    CU_ASSERT_EQUAL(angles_compute(A, Y, X, 64), AE_SINGULAR);
    TU_EXPECT_ERROR(angles_compute(A, Y, Z, 64));
    TU_EXPECT_ERROR(angles_compute(A, Y, Y, 0));
    mpq_t s;
    mpq_init(s);
    mpq_set_si(s, -1, 2);
    TU_EXPECT_ERROR(angles_widen(A, s));
    angles_clear(A);
    angles_t B;
    TU_EXPECT_ERROR(angles_init(B, -1, 64));   /* the trap longjmps: B stays untouched */
    angles_init(B, 0, 64);
    TU_EXPECT_ERROR(angles_compute(B, Y, Y, 64));
    double lo = 1, hi = 1;
    angles_max_d(&lo, &hi, B);
    CU_ASSERT(lo == 0 && hi == 0);
    angles_clear(B);
    mpq_clear(s);
    qmat_clear(X); qmat_clear(Y); qmat_clear(Z);
}

int main(void)
{
    static const tu_test tests[] = {
        {"Pythagorean rotations: exact sin^2, asin enclosure, counts, widening", test_closed_forms},
        {"equal and orthogonal subspaces, d = k = 1", test_equal_orthogonal},
        {"sum sin^2 = k - tr(P_X P_Y); basis invariance", test_random_identity},
        {"rank deficiency and misuse", test_bad_input},
        {NULL, NULL}};
    return tu_run("angles", 2323, tests);
}
