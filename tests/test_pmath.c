/* test_pmath — the portable elementary functions against MPFR (correctly rounded at 200
 * bits): the maximum error in ulps on a seeded sample of each function's range (seed
 * from AEAUDIT_SEED, printed on failure) plus fixed special and threshold values, the
 * bound of pmath.h asserted; C99 special values exactly; and a checksum of the bits of
 * 10^4 fixed inputs per function against committed constants, so a machine (compiler,
 * CPU, libm) that computes different bits fails here. */
#include "pmath.h"
#include "testutil.h"

#include <float.h>
#include <math.h>
#include <mpfr.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define PREC 200

static uint64_t bits(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

/* |got - ref| in units of the last place of ref (subnormal grid below 2^-1022); 0 when
 * both are the same NaN/Inf/zero class, 1e300 on a class mismatch. */
static double ulp_err(double got, const mpfr_t ref)
{
    if (mpfr_nan_p(ref))
        return isnan(got) ? 0 : 1e300;
    if (mpfr_inf_p(ref))
        return isinf(got) && (got > 0) == (mpfr_sgn(ref) > 0) ? 0 : 1e300;
    if (isnan(got) || isinf(got))
        return mpfr_cmp_d(ref, got > 0 ? DBL_MAX : -DBL_MAX) * (got > 0 ? 1 : -1) > 0 ? 0.5 : 1e300;
    mpfr_t d;
    mpfr_init2(d, PREC + 64);
    mpfr_sub_d(d, ref, got, MPFR_RNDN);
    mpfr_abs(d, d, MPFR_RNDN);
    long e = mpfr_zero_p(ref) ? -1074 + 53 : mpfr_get_exp(ref);  /* ref = 0.m 2^e */
    if (e - 53 < -1074)
        e = -1074 + 53;
    mpfr_mul_2si(d, d, -(e - 53), MPFR_RNDN);
    double r = mpfr_get_d(d, MPFR_RNDU);
    mpfr_clear(d);
    return r;
}

typedef double (*f1)(double);
typedef int (*m1)(mpfr_ptr, mpfr_srcptr, mpfr_rnd_t);

static int m_erfc(mpfr_ptr y, mpfr_srcptr x, mpfr_rnd_t r) { return mpfr_erfc(y, x, r); }

/* max ulp error of f against g over the values v[0..n-1] */
static double max_err(f1 f, m1 g, const double *v, long n, double *worst_x)
{
    mpfr_t x, y;
    mpfr_init2(x, 53);
    mpfr_init2(y, PREC);
    double w = 0;
    *worst_x = 0;
    for (long i = 0; i < n; i++) {
        mpfr_set_d(x, v[i], MPFR_RNDN);
        g(y, x, MPFR_RNDN);
        double e = ulp_err(f(v[i]), y);
        if (e > w) {
            w = e;
            *worst_x = v[i];
        }
    }
    mpfr_clear(x);
    mpfr_clear(y);
    return w;
}

/* uniform on [lo, hi] or log-uniform (both > 0) from r */
static double draw(gsl_rng *r, double lo, double hi, int logscale)
{
    double u = gsl_rng_uniform(r);
    if (!logscale)
        return lo + u * (hi - lo);
    double a = pmath_log(lo), b = pmath_log(hi);
    return pmath_exp(a + u * (b - a));
}

typedef struct {
    const char *name;
    f1 f;
    m1 g;
    double bound;                       /* ulps, pmath.h */
    double ranges[4][3];                /* lo, hi, logscale; lo == hi ends */
    double special[24];                 /* NaN-terminated */
} fcase;

#define END NAN
static const fcase CASES[] = {
    { "exp", pmath_exp, mpfr_exp, 1.0,
      { {-746, 710, 0}, {-1, 1, 0}, {0x1p-60, 1, 1}, {0, 0, 0} },
      { 0, -0.0, 0x1p-1074, 0x1p-55, 709.782712893384, 709.7827128933841, -745.1332191019411,
        -745.1332191019412, -708.4, -744.44, 1e-300, INFINITY, -INFINITY, 0.34657359027997264, END } },
    { "expm1", pmath_expm1, mpfr_expm1, 1.0,
      { {-45, 710, 0}, {-1, 1, 0}, {0x1p-70, 0.5, 1}, {-0.5, -0x1p-70, 0} },
      { 0, -0.0, 0x1p-1074, -0x1p-1074, 0x1p-54, 0.3465, -0.3465, 40, -40, 709.78, -INFINITY,
        INFINITY, 1e-300, END } },
    { "log", pmath_log, mpfr_log, 1.0,
      { {0x1p-1074, DBL_MAX, 1}, {0.5, 2, 0}, {0.999, 1.001, 0}, {0, 0, 0} },
      { 0, -0.0, -1, 1, 0x1p-1074, 0x1p-1022, DBL_MAX, INFINITY, -INFINITY, 0.70710678118654746,
        1.4142135623730951, 1.4142135623730949, 1 + 0x1p-52, 1 - 0x1p-53, END } },
    { "log1p", pmath_log1p, mpfr_log1p, 1.0,
      { {-1, 1, 0}, {0x1p-70, DBL_MAX, 1}, {-0.9999999, -0x1p-70, 0}, {0, 0, 0} },
      { 0, -0.0, -1, -1 - 0x1p-52, 0x1p-1074, -0x1p-60, 0x1p53, 0x1p54, DBL_MAX, INFINITY,
        -INFINITY, -0.29289321881345248, 0.41421356237309503, END } },
    { "tanh", pmath_tanh, mpfr_tanh, 1.0,
      { {-3, 3, 0}, {0x1p-40, 1, 1}, {-25, 25, 0}, {0, 0, 0} },
      { 0, -0.0, 0x1p-1074, 0x1p-28, 1, -1, 22, 22.000000000000004, INFINITY, -INFINITY, END } },
    { "erfc", pmath_erfc, m_erfc, 1.0,
      { {-7, 28, 0}, {0, 1.6, 0}, {1.4, 6, 0}, {0x1p-60, 1, 1} },
      { 0, -0.0, 1.5, 1.5000000000000002, 27.2, 27.3, 27.5, 26.55, -6, -6.0000000000000009,
        0x1p-1074, INFINITY, -INFINITY, END } },
    { "sin", pmath_sin, mpfr_sin, 1.0,
      { {-10, 10, 0}, {1, 1647099.3291652855, 1}, {0x1p-40, 1, 1}, {0, 0, 0} },
      { 0, -0.0, 0x1p-1074, 0x1p-27, 1.5707963267948966, 3.1415926535897931, 6.2831853071795862,
        1647099.3291652855, 355, 104348, 0x1.6c6cbc45dc8dep+7, INFINITY, -INFINITY, END } },
    { "cos", pmath_cos, mpfr_cos, 1.0,
      { {-10, 10, 0}, {1, 1647099.3291652855, 1}, {0x1p-40, 1, 1}, {0, 0, 0} },
      { 0, -0.0, 0x1p-1074, 0x1p-27, 1.5707963267948966, 3.1415926535897931, 4.7123889803846897,
        1647099.3291652855, 355, 104348, INFINITY, -INFINITY, END } },
};
#define NCASES ((int) (sizeof CASES / sizeof CASES[0]))

#define NSAMPLE 4000

static void test_ulp_bounds(void)
{
    gsl_rng *r = tu_rng();
    static double v[4 * NSAMPLE + 32];
    for (int c = 0; c < NCASES; c++) {
        const fcase *F = &CASES[c];
        long n = 0;
        for (int k = 0; k < 4 && F->ranges[k][0] != F->ranges[k][1]; k++)
            for (int i = 0; i < NSAMPLE; i++)
                v[n++] = draw(r, F->ranges[k][0], F->ranges[k][1], F->ranges[k][2] != 0);
        for (int i = 0; !isnan(F->special[i]); i++)
            v[n++] = F->special[i];
        v[n++] = NAN;
        double wx, w = max_err(F->f, F->g, v, n, &wx);
        printf("\n    %-6s max error %.3f ulp (bound %.1f) at %a over %ld points", F->name, w,
               F->bound, wx, n);
        CU_ASSERT(w <= F->bound);
    }
    gsl_rng_free(r);
}

static void test_atan2(void)
{
    gsl_rng *r = tu_rng();
    mpfr_t x, y, z;
    mpfr_inits2(PREC, z, (mpfr_ptr) 0);
    mpfr_init2(x, 53);
    mpfr_init2(y, 53);
    double w = 0, wy = 0, wx = 0;
    for (int i = 0; i < 6 * NSAMPLE; i++) {
        double a, b;
        if (i % 3 == 0) {
            a = gsl_rng_uniform(r) * 2 - 1;
            b = gsl_rng_uniform(r) * 2 - 1;
        } else {
            double ea = (gsl_rng_uniform(r) - 0.5) * (i % 3 == 1 ? 20 : 1400);
            a = (gsl_rng_uniform(r) < 0.5 ? -1 : 1) * pmath_exp(ea);
            b = (gsl_rng_uniform(r) < 0.5 ? -1 : 1) * pmath_exp(ea + (gsl_rng_uniform(r) - 0.5) * 40);
        }
        mpfr_set_d(y, a, MPFR_RNDN);
        mpfr_set_d(x, b, MPFR_RNDN);
        mpfr_atan2(z, y, x, MPFR_RNDN);
        double e = ulp_err(pmath_atan2(a, b), z);
        if (e > w)
            w = e, wy = a, wx = b;
    }
    printf("\n    atan2  max error %.3f ulp (bound 1.0) at (%a, %a)", w, wy, wx);
    CU_ASSERT(w <= 1.0);
    /* C99 Annex F special values */
    const double pi = 3.1415926535897931, h = 1.5707963267948966;
    CU_ASSERT(pmath_atan2(0.0, 1.0) == 0 && !signbit(pmath_atan2(0.0, 1.0)));
    CU_ASSERT(pmath_atan2(-0.0, 1.0) == 0 && signbit(pmath_atan2(-0.0, 1.0)));
    CU_ASSERT(pmath_atan2(0.0, -0.0) == pi && pmath_atan2(-0.0, -1.0) == -pi);
    CU_ASSERT(pmath_atan2(0.0, 0.0) == 0 && pmath_atan2(1.0, 0.0) == h && pmath_atan2(-1, -0.0) == -h);
    CU_ASSERT(pmath_atan2(INFINITY, INFINITY) == 0.78539816339744828);
    CU_ASSERT(pmath_atan2(-INFINITY, -INFINITY) == -2.3561944901923448);
    CU_ASSERT(pmath_atan2(1.0, -INFINITY) == pi && pmath_atan2(INFINITY, 5.0) == h);
    CU_ASSERT(isnan(pmath_atan2(NAN, 1.0)) && isnan(pmath_atan2(1.0, NAN)));
    CU_ASSERT(pmath_atan2(1.0, 1.0) == 0.78539816339744828);
    CU_ASSERT(pmath_atan2(DBL_MAX, 0x1p-1074) == h && pmath_atan2(0x1p-1074, DBL_MAX) == 0);
    mpfr_clears(z, x, y, (mpfr_ptr) 0);
    gsl_rng_free(r);
}

static void test_special_values(void)
{
    CU_ASSERT(pmath_exp(0) == 1 && pmath_exp(-0.0) == 1 && pmath_exp(INFINITY) == INFINITY);
    CU_ASSERT(pmath_exp(-INFINITY) == 0 && !signbit(pmath_exp(-INFINITY)) && isnan(pmath_exp(NAN)));
    CU_ASSERT(pmath_exp(709.782712893384) < INFINITY && pmath_exp(709.79) == INFINITY);
    CU_ASSERT(pmath_exp(-745.1332191019411) == 0x1p-1074 && pmath_exp(-745.14) == 0);
    CU_ASSERT(pmath_expm1(-0.0) == 0 && signbit(pmath_expm1(-0.0)) && pmath_expm1(-INFINITY) == -1);
    CU_ASSERT(pmath_expm1(INFINITY) == INFINITY && pmath_expm1(0x1p-1074) == 0x1p-1074);
    CU_ASSERT(pmath_log(1) == 0 && !signbit(pmath_log(1)) && pmath_log(0) == -INFINITY);
    CU_ASSERT(pmath_log(-0.0) == -INFINITY && isnan(pmath_log(-1)) && isnan(pmath_log(-INFINITY)));
    CU_ASSERT(pmath_log(INFINITY) == INFINITY && isnan(pmath_log(NAN)));
    CU_ASSERT(pmath_log1p(-0.0) == 0 && signbit(pmath_log1p(-0.0)) && pmath_log1p(-1) == -INFINITY);
    CU_ASSERT(isnan(pmath_log1p(-1.5)) && pmath_log1p(INFINITY) == INFINITY);
    CU_ASSERT(pmath_tanh(-0.0) == 0 && signbit(pmath_tanh(-0.0)) && pmath_tanh(INFINITY) == 1);
    CU_ASSERT(pmath_tanh(-INFINITY) == -1 && isnan(pmath_tanh(NAN)) && pmath_tanh(1e-300) == 1e-300);
    CU_ASSERT(pmath_erfc(INFINITY) == 0 && pmath_erfc(-INFINITY) == 2 && pmath_erfc(0) == 1);
    CU_ASSERT(pmath_erfc(-0.0) == 1 && isnan(pmath_erfc(NAN)) && pmath_erfc(30) == 0);
    CU_ASSERT(pmath_sin(-0.0) == 0 && signbit(pmath_sin(-0.0)) && pmath_cos(-0.0) == 1);
    CU_ASSERT(isnan(pmath_sin(INFINITY)) && isnan(pmath_cos(-INFINITY)) && isnan(pmath_sin(NAN)));
    CU_ASSERT(isnan(pmath_sin(1e7)) && isnan(pmath_cos(-1e7)));   /* outside the domain */
    CU_ASSERT(pmath_powi(NAN, 0) == 1 && pmath_powi(0.0, 0) == 1 && pmath_powi(2, 10) == 1024);
    CU_ASSERT(pmath_powi(2, -1074) == 0x1p-1074 && pmath_powi(2, 1024) == INFINITY);
    CU_ASSERT(pmath_powi(-3, 3) == -27 && pmath_powi(0.0, -1) == INFINITY);
    CU_ASSERT(pmath_powi(-0.0, -1) == -INFINITY && pmath_powi(0.5, -3) == 8);
    /* powi: exact for exactly representable results, and a fixed chain otherwise:
     * 0.6^j against MPFR within bitlength(j) ulps */
    mpfr_t q, z;
    mpfr_init2(q, 53);
    mpfr_init2(z, PREC);
    mpfr_set_d(q, 0.6, MPFR_RNDN);
    for (long j = -40; j <= 40; j++) {
        mpfr_pow_si(z, q, j, MPFR_RNDN);
        long bl = 1;
        for (unsigned long m = (unsigned long) labs(j); m > 1; m >>= 1)
            bl++;
        CU_ASSERT(ulp_err(pmath_powi(0.6, j), z) <= 2.0 * (double) bl);
    }
    mpfr_clear(q);
    mpfr_clear(z);
}

/* FNV-1a over the 64-bit patterns of f at 10^4 inputs spread over its range by a fixed
 * linear congruential sequence (independent of the seed). */
static uint64_t checksum(double (*f)(double), double lo, double hi)
{
    uint64_t h = UINT64_C(1469598103934665603), s = 12345;
    for (int i = 0; i < 10000; i++) {
        s = s * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
        double u = (double) (s >> 11) * 0x1p-53;
        uint64_t b = bits(f(lo + u * (hi - lo)));
        for (int k = 0; k < 8; k++) {
            h ^= (b >> (8 * k)) & 0xff;
            h *= UINT64_C(1099511628211);
        }
    }
    return h;
}

static double atan2_1(double x) { return pmath_atan2(x, 1.0 - x * 0.3); }
static double powi_1(double x) { return pmath_powi(x, (long) (x * 64.0)); }

static void test_checksums(void)
{
    static const struct { const char *name; double (*f)(double); double lo, hi; uint64_t sum; } C[] = {
        { "exp", pmath_exp, -745, 710, UINT64_C(0xffcaa2d7b928c4e8) },
        { "expm1", pmath_expm1, -3, 3, UINT64_C(0xf3f8cfae23eeacd8) },
        { "log", pmath_log, 1e-3, 1e3, UINT64_C(0xd3daee6eb9402b73) },
        { "log1p", pmath_log1p, -0.9, 10, UINT64_C(0x6d158246ec3b67ff) },
        { "tanh", pmath_tanh, -4, 4, UINT64_C(0x731dc57c53d1720f) },
        { "erfc", pmath_erfc, -3, 10, UINT64_C(0x2e8f7ecb5e511bdb) },
        { "sin", pmath_sin, -100, 100, UINT64_C(0x46e6429974a7f669) },
        { "cos", pmath_cos, -100, 100, UINT64_C(0x80584010bbd74197) },
        { "atan2", atan2_1, -10, 10, UINT64_C(0x4f73631c8ffa5e35) },
        { "powi", powi_1, -3, 3, UINT64_C(0x3f979042e11265b0) },
    };
    for (size_t i = 0; i < sizeof C / sizeof C[0]; i++) {
        uint64_t h = checksum(C[i].f, C[i].lo, C[i].hi);
        if (h != C[i].sum)
            printf("\n    checksum %s: 0x%016llx, committed 0x%016llx", C[i].name,
                   (unsigned long long) h, (unsigned long long) C[i].sum);
        CU_ASSERT(h == C[i].sum);
    }
}

int main(void)
{
    static const tu_test T[] = {
        { "max ulp error against MPFR, sample + thresholds", test_ulp_bounds },
        { "atan2 against MPFR, C99 special cases", test_atan2 },
        { "special values, powi", test_special_values },
        { "bit checksums of 10^4 fixed inputs", test_checksums },
        { NULL, NULL }
    };
    return tu_run("pmath", 20261202UL, T);
}
