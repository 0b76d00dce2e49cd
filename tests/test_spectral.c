/* test_spectral — the linear-AE spectral helpers against closed forms.
 *
 * The instances are AEs with M = W_d W_e = diag(lam, 0, ..., 0) in R^d (W_d = e_1,
 * W_e = lam e_1^T, biases chosen to make r0 = x0 - f(x0) known), for which the
 * eigenvector, the quadratic law and sigma_min(I - M) = min(|1 - lam|, 1) are exact.
 */
#include <CUnit/CUnit.h>
#include <stdlib.h>

#include "linae.h"
#include "qmat.h"
#include "qnum.h"
#include "spectral.h"
#include "testutil.h"

/* ae in R^d, k = 1: W_d = e_1, W_e = lam e_1^T, b_e = 0, b_d = (0, beta, 0, ...). */
static void diag_ae(linae_t ae, long d, const mpq_t lam, long beta)
{
    linae_init(ae, d, 1);
    mpq_set_ui(qmat_entry(ae->Wd, 0, 0), 1, 1);
    mpq_set(qmat_entry(ae->We, 0, 0), lam);
    if (d > 1)
        mpq_set_si(qmat_entry(ae->bd, 1, 0), beta, 1);
}

static void test_quadratic_law(void)
{
    gsl_rng *r = tu_rng();
    for (long d = 2; d <= 4; d++) {   /* linae needs k = 1 < d */
        mpq_t lam, wrong, t, zero;
        mpq_inits(lam, wrong, t, zero, NULL);
        tu_rand_q(lam, r, 20, 9);
        mpq_set_ui(wrong, 1, 3);
        mpq_add(wrong, wrong, lam);
        linae_t ae;
        diag_ae(ae, d, lam, 3);
        mpq_t *x0 = qvec_init(d), *v = qvec_init(d), *u = qvec_init(d);
        for (long j = 0; j < d; j++)
            tu_rand_q(x0[j], r, 10, 7);
        mpq_set_ui(v[0], 5, 2);               /* an eigenvector of M for lam */
        mpq_set_ui(u[d - 1], 1, 1);           /* e_d: eigenvalue 0 */
        for (int rep = 0; rep < 5; rep++) {
            tu_rand_q(t, r, 1000, 13);
            CU_ASSERT(spectral_quadratic_law(ae, x0, v, t, lam));
            CU_ASSERT(spectral_quadratic_law(ae, x0, u, t, zero));   /* M u = 0 */
            /* negative control: a wrong eigenvalue is rejected for t != 0 */
            if (mpq_sgn(t) != 0)
                CU_ASSERT(!spectral_quadratic_law(ae, x0, v, t, wrong));
        }
        mpq_set_ui(t, 0, 1);
        CU_ASSERT(spectral_quadratic_law(ae, x0, v, t, wrong));   /* t = 0: any law holds */
        qvec_clear(x0, d); qvec_clear(v, d); qvec_clear(u, d);
        linae_clear(ae);
        mpq_clears(lam, wrong, t, zero, NULL);
    }
    gsl_rng_free(r);
}

static void test_eigvec_approx(void)
{
    mpq_t lam, hi;
    mpq_inits(lam, hi, NULL);
    mpq_set_si(lam, 9, 10);
    mpq_set(hi, lam);
    linae_t ae;
    diag_ae(ae, 3, lam, 0);
    mpq_t *v = qvec_init(3);
    CU_ASSERT(spectral_eigvec_approx(v, ae, hi));
    /* K = W_e W_d = lam (1 x 1), so v = W_d / (lam - mu): exactly parallel to e_1 */
    CU_ASSERT(mpq_sgn(v[0]) != 0);
    CU_ASSERT(mpq_sgn(v[1]) == 0 && mpq_sgn(v[2]) == 0);
    /* mu = lam + 2^-200 exactly below the interval's top makes K - mu I regular; the
     * singular shift is reported: hi = lam - 2^-200 gives mu = lam */
    mpq_t eps;
    mpq_init(eps);
    mpq_set_ui(eps, 1, 1);
    mpq_div_2exp(eps, eps, 200);
    mpq_sub(hi, lam, eps);
    mpq_set_ui(v[0], 7, 1);
    CU_ASSERT(!spectral_eigvec_approx(v, ae, hi));
    mpq_clear(eps);
    qvec_clear(v, 3);
    linae_clear(ae);
    mpq_clears(lam, hi, NULL);
}

/* R against the closed form (sqrt(s_min) + ||r0||) / sigma_min, and its meaning: points
 * at distance just beyond R score above s_min along e_1 (the slowest direction when
 * |1 - lam| < 1); an eigenvalue exactly 1 has no radius (negative control). */
static void test_certified_radius(void)
{
    static const long LAM[][2] = {{9, 10}, {1, 2}, {-3, 1}, {999, 1000}};
    for (int c = 0; c < 4; c++) {
        mpq_t lam, smin, r0n2, R, sig, lowR, e, t;
        mpq_inits(lam, smin, r0n2, R, sig, lowR, e, t, NULL);
        mpq_set_si(lam, LAM[c][0], LAM[c][1]);
        linae_t ae;
        diag_ae(ae, 3, lam, 2);                /* r0 at x0 = 0 is (0, -2, 0): ||r0||^2 = 4 */
        mpq_set_ui(smin, 1, 100);
        mpq_set_ui(r0n2, 4, 1);
        CU_ASSERT_FATAL(spectral_certified_radius(R, ae, smin, r0n2, NULL));
        /* sigma = min(|1 - lam|, 1); R >= (0.1 + 2) / sigma */
        mpq_set_ui(sig, 1, 1);
        mpq_sub(sig, sig, lam);
        mpq_abs(sig, sig);
        if (mpq_cmp_ui(sig, 1, 1) > 0)
            mpq_set_ui(sig, 1, 1);
        mpq_set_si(lowR, 21, 10);
        mpq_div(lowR, lowR, sig);
        CU_ASSERT(mpq_cmp(R, lowR) >= 0);
        /* just beyond R along e_1 and e_3 the exact score exceeds s_min */
        mpq_t *x = qvec_init(3);
        for (int j = 0; j < 3; j += 2) {
            qvec_zero(x, 3);
            mpq_set_si(t, 1001, 1000);
            mpq_mul(x[j], R, t);
            linae_score(e, ae, x);
            CU_ASSERT(mpq_cmp(e, smin) > 0);
        }
        qvec_clear(x, 3);
        linae_clear(ae);
        mpq_clears(lam, smin, r0n2, R, sig, lowR, e, t, NULL);
    }
    /* eigenvalue exactly 1: e(t e_1) stays ||r0||^2, no radius may be certified */
    mpq_t lam, smin, r0n2, R;
    mpq_inits(lam, smin, r0n2, R, NULL);
    mpq_set_ui(lam, 1, 1);
    mpq_set_ui(smin, 1, 100);
    mpq_set_ui(r0n2, 4, 1);
    mpq_set_ui(R, 17, 1);
    linae_t ae;
    diag_ae(ae, 3, lam, 2);
    CU_ASSERT(!spectral_certified_radius(R, ae, smin, r0n2, NULL));
    CU_ASSERT(mpq_cmp_ui(R, 17, 1) == 0);
    linae_clear(ae);
    mpq_clears(lam, smin, r0n2, R, NULL);
}

/* D* against its closed form (sqrt(s_min) + ||r0||) / |1 - lam| for M = diag(lam, 0, 0)
 * at x0 = 0 (r0 = (0, -2, 0)), and the evidence: the score at 2 D* along e_1 exceeds
 * s_min.  Negative control: a dist_lo 16 times the true |1 - lam| (a wrong bound) must
 * give a D* below the closed form.  Misuse: dist_lo <= 0. */
static void test_detection(void)
{
    mpq_t lam, smin, r0n2, dist, dstar, e, low, hi;
    mpq_inits(lam, smin, r0n2, dist, dstar, e, low, hi, NULL);
    mpq_set_si(lam, 9, 10);
    mpq_set_ui(smin, 1, 100);
    mpq_set_ui(r0n2, 4, 1);
    mpq_set_ui(dist, 1, 10);
    mpq_set(hi, lam);
    linae_t ae;
    diag_ae(ae, 3, lam, 2);
    mpq_t *x0 = qvec_init(3);
    CU_ASSERT_FATAL(spectral_detection(dstar, e, ae, x0, smin, r0n2, dist, hi));
    mpq_set_si(low, 21, 1);                       /* (1/10 + 2) / (1/10) */
    CU_ASSERT(mpq_cmp(dstar, low) >= 0);
    mpq_set_si(low, 2101, 100);                   /* 64-bit roots: within 1e-3 of it */
    CU_ASSERT(mpq_cmp(dstar, low) <= 0);
    CU_ASSERT(mpq_cmp(e, smin) > 0);
    mpq_set_ui(dist, 16, 10);
    CU_ASSERT_FATAL(spectral_detection(dstar, e, ae, x0, smin, r0n2, dist, hi));
    mpq_set_si(low, 21, 1);
    CU_ASSERT(mpq_cmp(dstar, low) < 0);           /* smaller than the true D*: wrong */
    mpq_set_ui(dist, 0, 1);
    TU_EXPECT_ERROR(spectral_detection(dstar, e, ae, x0, smin, r0n2, dist, hi));
    qvec_clear(x0, 3);
    linae_clear(ae);
    mpq_clears(lam, smin, r0n2, dist, dstar, e, low, hi, NULL);
}

int main(void)
{
    static const tu_test tests[] = {
        {"quadratic law, wrong eigenvalue rejected", test_quadratic_law},
        {"inverse-iteration eigenvector, singular shift", test_eigvec_approx},
        {"certified radius vs closed form; eigenvalue 1 has none", test_certified_radius},
        {"detection distance D* vs closed form, evidence at 2 D*, misuse", test_detection},
        {NULL, NULL}};
    return tu_run("spectral", 6006, tests);
}
