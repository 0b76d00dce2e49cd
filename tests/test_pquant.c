/* test_pquant — the MPFR quantiles: against GSL's gsl_cdf_*_Pinv (a second method, to
 * 1e-11 relative), against closed forms computed in MPFR (chi2 with 2 degrees of freedom:
 * -2 log(1 - p); F with nu1 = 2: nu2/2 ((1 - p)^(-2/nu2) - 1); the normal's symmetry),
 * the defining property (F~(q) >= p > F~(previous double)) checked through GSL's cdfs,
 * fixed bits at fixed inputs, pquant_pow against exact powers, and bad input. */
#include "pquant.h"
#include "testutil.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <mpfr.h>

static int close_rel(double a, double b, double tol)
{
    return fabs(a - b) <= tol * fabs(b);
}

static void test_against_gsl(void)
{
    static const double ps[] = { 0.5, 0.9, 0.95, 0.975, 0.99, 0.999, 1e-3, 0.3 };
    static const double nus[] = { 0.37, 1, 2, 3.5, 10, 57.25, 400 };
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
        double p = ps[i], x;
        CU_ASSERT_EQUAL_FATAL(pquant_norm(&x, p), AE_OK);
        CU_ASSERT(close_rel(x, gsl_cdf_ugaussian_Pinv(p), 1e-11) || fabs(x) < 1e-15);
        for (size_t j = 0; j < sizeof nus / sizeof nus[0]; j++) {
            CU_ASSERT_EQUAL_FATAL(pquant_chi2(&x, p, nus[j]), AE_OK);
            CU_ASSERT(close_rel(x, gsl_cdf_chisq_Pinv(p, nus[j]), 1e-11));
            for (size_t k = 0; j > 0 && k < sizeof nus / sizeof nus[0]; k += 2) {
                CU_ASSERT_EQUAL_FATAL(pquant_f(&x, p, nus[j], nus[k] + 1), AE_OK);
                double g = gsl_cdf_fdist_Pinv(p, nus[j], nus[k] + 1);
                if (!close_rel(x, g, 1e-9))
                    printf("\n    F(%g, %g) at %g: %.17g, GSL %.17g", nus[j], nus[k] + 1, p, x, g);
                CU_ASSERT(close_rel(x, g, 1e-9));
            }
        }
    }
}

static void test_closed_forms(void)
{
    mpfr_t t;
    mpfr_init2(t, 200);
    static const double ps[] = { 0.5, 0.9, 0.99, 0.999999, 0.01 };
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
        double p = ps[i], x, y;
        /* chi2_2: 1 - e^(-x/2) = p  <=>  x = -2 log(1 - p) (1 - p exact for these p? no:
         * the MPFR value of -2 log1p(-p) with p exact) */
        mpfr_set_d(t, -p, MPFR_RNDN);
        mpfr_log1p(t, t, MPFR_RNDN);
        mpfr_mul_si(t, t, -2, MPFR_RNDN);
        CU_ASSERT_EQUAL_FATAL(pquant_chi2(&x, p, 2), AE_OK);
        CU_ASSERT(close_rel(x, mpfr_get_d(t, MPFR_RNDN), 0x1p-50));
        /* F_{2, 7}: x = 7/2 ((1 - p)^(-2/7) - 1) */
        mpfr_set_d(t, 1 - p, MPFR_RNDN);             /* 1 - p exact: Sterbenz / p tiny */
        mpfr_set_d(t, -p, MPFR_RNDN);
        mpfr_log1p(t, t, MPFR_RNDN);
        mpfr_mul_d(t, t, -2.0 / 7.0, MPFR_RNDN);
        mpfr_expm1(t, t, MPFR_RNDN);
        mpfr_mul_d(t, t, 3.5, MPFR_RNDN);
        CU_ASSERT_EQUAL_FATAL(pquant_f(&x, p, 2, 7), AE_OK);
        CU_ASSERT(close_rel(x, mpfr_get_d(t, MPFR_RNDN), 0x1p-48));
        /* normal symmetry: q(p) = -q(1 - p) when 1 - p is exact */
        CU_ASSERT_EQUAL_FATAL(pquant_norm(&x, p), AE_OK);
        CU_ASSERT_EQUAL_FATAL(pquant_norm(&y, 1 - p), AE_OK);
        CU_ASSERT(close_rel(x, -y, 0x1p-48) || fabs(x) + fabs(y) < 1e-50);
    }
    mpfr_clear(t);
    /* known values */
    double x;
    pquant_norm(&x, 0.975);
    CU_ASSERT(close_rel(x, 1.959963984540054, 1e-15));
    pquant_norm(&x, 0.5);               /* within F~'s resolution (2^-192) of 0 */
    CU_ASSERT(fabs(x) < 1e-50);
    /* the defining property: F(q) >= p > F(q-) (GSL's cdf as the second method, up to its
     * own 1e-15 error) */
    CU_ASSERT_EQUAL(pquant_chi2(&x, 0.99, 5), AE_OK);
    CU_ASSERT(gsl_cdf_chisq_P(x, 5) >= 0.99 - 1e-15 && gsl_cdf_chisq_P(nextafter(x, 0), 5) <= 0.99 + 1e-15);
}

/* The bits at fixed inputs: the quantiles of the suite's limits on every machine. */
static void test_fixed_bits(void)
{
    double x;
    pquant_norm(&x, 0.99);
    CU_ASSERT(x == 0x1.29c5c4630ff0fp+1);
    pquant_chi2(&x, 0.99, 3.25);
    CU_ASSERT(x == 0x1.7af5d8de756d6p+3);
    pquant_f(&x, 0.95, 2, 20);
    CU_ASSERT(x == 0x1.bf1500e70efb1p+1);
}

static void test_pow(void)
{
    CU_ASSERT(pquant_pow(2, 10) == 1024 && pquant_pow(9, 0.5) == 3 && pquant_pow(0.25, -1.5) == 8);
    CU_ASSERT(pquant_pow(2, 0.5) == 1.4142135623730951 && pquant_pow(5, 0) == 1);
    CU_ASSERT(isnan(pquant_pow(-2, 0.5)) && pquant_pow(0, -1) == INFINITY);
}

static void test_bad_input(void)
{
    double x;
    TU_EXPECT_ERROR(pquant_norm(&x, 0));
    TU_EXPECT_ERROR(pquant_norm(&x, 1));
    TU_EXPECT_ERROR(pquant_norm(NULL, 0.5));
    TU_EXPECT_ERROR(pquant_norm(&x, NAN));
    TU_EXPECT_ERROR(pquant_chi2(&x, 0.5, 0));
    TU_EXPECT_ERROR(pquant_chi2(&x, 0.5, NAN));
    TU_EXPECT_ERROR(pquant_chi2(&x, -0.5, 1));
    TU_EXPECT_ERROR(pquant_f(&x, 0.5, 1, -1));
    TU_EXPECT_ERROR(pquant_f(&x, 0.5, INFINITY, 1));
    TU_EXPECT_ERROR(pquant_f(&x, 1.5, 1, 1));
}

int main(void)
{
    static const tu_test T[] = {
        { "against GSL's Pinv", test_against_gsl },
        { "closed forms, known values, defining property", test_closed_forms },
        { "fixed bits", test_fixed_bits },
        { "pquant_pow", test_pow },
        { "bad input", test_bad_input },
        { NULL, NULL }
    };
    return tu_run("pquant", 7UL, T);
}
