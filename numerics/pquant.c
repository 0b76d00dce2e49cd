/* pquant — see pquant.h.  Every mpfr_t here has PQUANT_PREC bits and every operation
 * rounds to nearest, so each distribution value (and each loop decision taken on it) is
 * a function of the double inputs alone. */
#include "pquant.h"
#include "aeerr.h"

#include <mpfr.h>
#include <stdint.h>
#include <string.h>

#define R MPFR_RNDN

/* F~(x) for the distribution; AE_OK or AE_ERANGE (too many terms). */
typedef int (*cdf_fn)(mpfr_t out, double x, const double *par);

/* ---- ordered keys of doubles: key(x) < key(y) iff x < y (-0 just below +0) ---------- */

static uint64_t key_of(double x)
{
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    return (b >> 63) ? ~b : b | (UINT64_C(1) << 63);
}

static double of_key(uint64_t k)
{
    uint64_t b = (k >> 63) ? k & ~(UINT64_C(1) << 63) : ~k;
    double x;
    memcpy(&x, &b, sizeof x);
    return x;
}

/* ge = [F~(x) >= p]; AE_OK or the cdf's error. */
static int at_least(int *ge, cdf_fn F, double x, const double *par, double p)
{
    mpfr_t v;
    mpfr_init2(v, PQUANT_PREC);
    int st = F(v, x, par);
    *ge = mpfr_cmp_d(v, p) >= 0;
    mpfr_clear(v);
    return st;
}

/* The smallest double x in (lo, hi] with F~(x) >= p, given F~(lo) < p <= F~(hi). */
static int bisect(double *x, cdf_fn F, const double *par, double p, double lo, double hi)
{
    uint64_t a = key_of(lo), b = key_of(hi);
    while (b - a > 1) {
        uint64_t m = a + (b - a) / 2;
        int ge, st = at_least(&ge, F, of_key(m), par, p);
        if (st != AE_OK)
            return st;
        if (ge)
            b = m;
        else
            a = m;
    }
    *x = of_key(b);
    return AE_OK;
}

/* hi = start, doubled until F~(hi) >= p (at most 1000 times), then bisect on (0, hi]
 * (F~(0) = 0 < p for the chi-square and F distributions). */
static int quantile_pos(double *x, cdf_fn F, const double *par, double p, double start)
{
    double hi = start;
    for (int i = 0; i < 1000; i++) {
        int ge, st = at_least(&ge, F, hi, par, p);
        if (st != AE_OK)
            return st;
        if (ge)
            return bisect(x, F, par, p, 0.0, hi);
        hi *= 2;
        if (!(hi <= 1.7e308))
            break;
    }
    return AE_ERANGE;
}

static int bad_p(const char *func, const double *x, double p)
{
    if (x == NULL || !(p > 0 && p < 1)) {
        ae_error(func, "need x != NULL and 0 < p < 1 (p = %g)", p);
        return 1;
    }
    return 0;
}

/* ---- normal ------------------------------------------------------------------------- */

static int cdf_norm(mpfr_t out, double x, const double *par)
{
    (void) par;
    mpfr_t t;
    mpfr_init2(t, PQUANT_PREC);
    mpfr_set_ui(t, 2, R);
    mpfr_sqrt(t, t, R);
    mpfr_set_d(out, -x, R);
    mpfr_div(t, out, t, R);
    mpfr_erfc(out, t, R);
    mpfr_div_2ui(out, out, 1, R);
    mpfr_clear(t);
    return AE_OK;
}

int pquant_norm(double *x, double p)
{
    if (bad_p(__func__, x, p))
        return AE_EINVAL;
    /* F~(-40) ~ 4e-350 < every positive double, 1 - F~(40) below half an ulp of 1 */
    return bisect(x, cdf_norm, NULL, p, -40.0, 40.0);
}

/* ---- chi-square: the lower regularized incomplete gamma P(a, y) -------------------- */

/* out = P(a, y), y >= 0, by the series of pquant.h. */
static int gamma_p(mpfr_t out, const mpfr_t a, const mpfr_t y)
{
    if (mpfr_zero_p(y)) {
        mpfr_set_ui(out, 0, R);
        return AE_OK;
    }
    mpfr_t t, s, den, f;
    mpfr_inits2(PQUANT_PREC, t, s, den, f, (mpfr_ptr) 0);
    mpfr_set_ui(t, 1, R);
    mpfr_set_ui(s, 1, R);
    mpfr_set(den, a, R);
    int st = AE_OK;
    for (long n = 1;; n++) {
        if (n > PQUANT_MAXIT) {
            st = AE_ERANGE;
            break;
        }
        mpfr_add_ui(den, den, 1, R);                /* a + n */
        mpfr_mul(t, t, y, R);
        mpfr_div(t, t, den, R);
        mpfr_add(s, s, t, R);
        /* past the peak (n > y) and the term below 2^-160 of the sum */
        if (mpfr_cmp_si(y, n) < 0 && (mpfr_zero_p(t) || mpfr_get_exp(s) - mpfr_get_exp(t) > 160))
            break;
    }
    /* prefactor y^a e^-y / Gamma(a + 1) = exp(a log y - y - lngamma(a + 1)) */
    mpfr_log(f, y, R);
    mpfr_mul(f, f, a, R);
    mpfr_sub(f, f, y, R);
    mpfr_add_ui(den, a, 1, R);
    mpfr_lngamma(t, den, R);
    mpfr_sub(f, f, t, R);
    mpfr_exp(f, f, R);
    mpfr_mul(out, f, s, R);
    mpfr_clears(t, s, den, f, (mpfr_ptr) 0);
    return st;
}

static int cdf_chi2(mpfr_t out, double x, const double *par)
{
    mpfr_t a, y;
    mpfr_inits2(PQUANT_PREC, a, y, (mpfr_ptr) 0);
    mpfr_set_d(a, par[0], R);
    mpfr_div_2ui(a, a, 1, R);
    mpfr_set_d(y, x, R);
    mpfr_div_2ui(y, y, 1, R);
    int st = gamma_p(out, a, y);
    mpfr_clears(a, y, (mpfr_ptr) 0);
    return st;
}

int pquant_chi2(double *x, double p, double nu)
{
    if (bad_p(__func__, x, p))
        return AE_EINVAL;
    if (!(nu > 0) || !(nu < 1e15)) {
        ae_error(__func__, "need 0 < nu < 1e15 (nu = %g)", nu);
        return AE_EINVAL;
    }
    double par[1] = { nu };
    return quantile_pos(x, cdf_chi2, par, p, nu + 10);
}

/* ---- F: the regularized incomplete beta I_z(a, b) ---------------------------------- */

/* v = 2^-1000 when v == 0 (Lentz's guard against a zero denominator). */
static void guard(mpfr_t v)
{
    if (mpfr_zero_p(v))
        mpfr_set_ui_2exp(v, 1, -1000, R);
}

/* out = I_z(a, b) by the continued fraction, for 0 < z < 1 with z <= (a+1)/(a+b+2) (where
 * it converges fast); w = 1 - z given separately (exactly as computed by the caller). */
static int beta_cf(mpfr_t out, const mpfr_t a, const mpfr_t b, const mpfr_t z, const mpfr_t w)
{
    mpfr_t c, d, h, aa, t, u, m2;
    mpfr_inits2(PQUANT_PREC, c, d, h, aa, t, u, m2, (mpfr_ptr) 0);
    /* c = 1, d = 1 / (1 - (a+b) z / (a+1)), h = d */
    mpfr_set_ui(c, 1, R);
    mpfr_add(t, a, b, R);
    mpfr_mul(t, t, z, R);
    mpfr_add_ui(u, a, 1, R);
    mpfr_div(t, t, u, R);
    mpfr_ui_sub(d, 1, t, R);
    guard(d);
    mpfr_ui_div(d, 1, d, R);
    mpfr_set(h, d, R);
    int st = AE_ERANGE;
    for (long m = 1; m <= PQUANT_MAXIT; m++) {
        for (int odd = 0; odd < 2; odd++) {
            mpfr_add_si(m2, a, 2 * m, R);            /* a + 2m */
            if (!odd) {
                /* aa = m (b - m) z / ((a + 2m - 1)(a + 2m)) */
                mpfr_sub_si(t, b, m, R);
                mpfr_mul_si(t, t, m, R);
                mpfr_mul(t, t, z, R);
                mpfr_sub_ui(u, m2, 1, R);
                mpfr_mul(u, u, m2, R);
            } else {
                /* aa = -(a + m)(a + b + m) z / ((a + 2m)(a + 2m + 1)) */
                mpfr_add_si(t, a, m, R);
                mpfr_add(u, a, b, R);
                mpfr_add_si(u, u, m, R);
                mpfr_mul(t, t, u, R);
                mpfr_mul(t, t, z, R);
                mpfr_neg(t, t, R);
                mpfr_add_ui(u, m2, 1, R);
                mpfr_mul(u, u, m2, R);
            }
            mpfr_div(aa, t, u, R);
            mpfr_mul(d, d, aa, R);                   /* d = 1 / (1 + aa d) */
            mpfr_add_ui(d, d, 1, R);
            guard(d);
            mpfr_ui_div(d, 1, d, R);
            mpfr_div(c, aa, c, R);                   /* c = 1 + aa / c */
            mpfr_add_ui(c, c, 1, R);
            guard(c);
            mpfr_mul(t, d, c, R);
            mpfr_mul(h, h, t, R);
        }
        mpfr_sub_ui(t, t, 1, R);                     /* |delta - 1| of the odd step */
        if (mpfr_zero_p(t) || mpfr_get_exp(t) < -160) {
            st = AE_OK;
            break;
        }
    }
    /* prefactor z^a w^b / (a B(a, b)) = exp(a log z + b log w - lnB) / a */
    mpfr_log(t, z, R);
    mpfr_mul(t, t, a, R);
    mpfr_log(u, w, R);
    mpfr_mul(u, u, b, R);
    mpfr_add(t, t, u, R);
    mpfr_lngamma(u, a, R);
    mpfr_sub(t, t, u, R);
    mpfr_lngamma(u, b, R);
    mpfr_sub(t, t, u, R);
    mpfr_add(u, a, b, R);
    mpfr_lngamma(u, u, R);
    mpfr_add(t, t, u, R);
    mpfr_exp(t, t, R);
    mpfr_div(t, t, a, R);
    mpfr_mul(out, t, h, R);
    mpfr_clears(c, d, h, aa, t, u, m2, (mpfr_ptr) 0);
    return st;
}

static int cdf_f(mpfr_t out, double x, const double *par)
{
    if (x <= 0) {
        mpfr_set_ui(out, 0, R);
        return AE_OK;
    }
    mpfr_t a, b, z, w, s, lim;
    mpfr_inits2(PQUANT_PREC, a, b, z, w, s, lim, (mpfr_ptr) 0);
    mpfr_set_d(a, par[0], R);
    mpfr_div_2ui(a, a, 1, R);
    mpfr_set_d(b, par[1], R);
    mpfr_div_2ui(b, b, 1, R);
    /* z = n1 x / (n1 x + n2), w = 1 - z = n2 / (n1 x + n2) */
    mpfr_set_d(z, par[0], R);
    mpfr_mul_d(z, z, x, R);
    mpfr_add_d(s, z, par[1], R);
    mpfr_div(z, z, s, R);
    mpfr_set_d(w, par[1], R);
    mpfr_div(w, w, s, R);
    /* lim = (a + 1) / (a + b + 2) */
    mpfr_add_ui(lim, a, 1, R);
    mpfr_add(s, a, b, R);
    mpfr_add_ui(s, s, 2, R);
    mpfr_div(lim, lim, s, R);
    int st;
    if (mpfr_cmp(z, lim) <= 0) {
        st = beta_cf(out, a, b, z, w);
    } else {
        st = beta_cf(out, b, a, w, z);
        mpfr_ui_sub(out, 1, out, R);
    }
    mpfr_clears(a, b, z, w, s, lim, (mpfr_ptr) 0);
    return st;
}

int pquant_f(double *x, double p, double nu1, double nu2)
{
    if (bad_p(__func__, x, p))
        return AE_EINVAL;
    if (!(nu1 > 0 && nu1 < 1e15) || !(nu2 > 0 && nu2 < 1e15)) {
        ae_error(__func__, "need 0 < nu1, nu2 < 1e15 (nu1 = %g, nu2 = %g)", nu1, nu2);
        return AE_EINVAL;
    }
    double par[2] = { nu1, nu2 };
    return quantile_pos(x, cdf_f, par, p, 1.0);
}

/* ---- pow ---------------------------------------------------------------------------- */

double pquant_pow(double x, double y)
{
    mpfr_t a, b;
    mpfr_init2(a, 53);
    mpfr_init2(b, 53);
    mpfr_set_d(a, x, R);
    mpfr_set_d(b, y, R);
    mpfr_pow(a, a, b, R);                            /* correctly rounded to 53 bits */
    double r = mpfr_get_d(a, R);                     /* exact unless subnormal */
    mpfr_clears(a, b, (mpfr_ptr) 0);
    return r;
}
