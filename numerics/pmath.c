/* pmath — see pmath.h.  Compiled with -ffp-contract=off (Makefile): every a*b+c below is
 * a rounded product, then a rounded sum, on every compiler and CPU.
 *
 * Notation: a double-double (dd) value is an unevaluated sum hi + lo with |lo| <=
 * ulp(hi)/2.  two_sum / fast_two_sum (Knuth, Dekker) return the exact rounding error of
 * a sum, two_prod (Dekker's split into 26-bit halves) the exact error of a product; all
 * three are exact for the magnitudes used here (no overflow of the split). */
#include "pmath.h"

#include <stdint.h>
#include <string.h>

/* ---- bits -------------------------------------------------------------------------- */

static uint64_t bits_of(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static double of_bits(uint64_t u)
{
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* 2^k for -1022 <= k <= 1023, exactly. */
static double pow2(int k)
{
    return of_bits((uint64_t) (k + 1023) << 52);
}

/* y 2^k with one rounding (exact unless the result is subnormal); -1100 <= k <= 1100. */
static double scale2(double y, int k)
{
    if (k > 1023)
        return y * pow2(1023) * pow2(k - 1023);
    if (k >= -1022)
        return y * pow2(k);
    /* y 2^(k+54) is normal (y >= 1/2), so only the last product rounds; below 2^-1075
     * the result is 0 either way */
    return y * pow2(k + 54 < -1021 ? -1021 : k + 54) * pow2(-54);
}

static int is_nan(double x)
{
    return x != x;
}

static double fabs_(double x)
{
    return of_bits(bits_of(x) & ~(UINT64_C(1) << 63));
}

/* ---- double-double ----------------------------------------------------------------- */

static void two_sum(double *s, double *e, double a, double b)
{
    double t = a + b, bb = t - a;
    *e = (a - (t - bb)) + (b - bb);
    *s = t;
}

/* Requires |a| >= |b| (or a == 0). */
static void fast_two_sum(double *s, double *e, double a, double b)
{
    double t = a + b;
    *e = b - (t - a);
    *s = t;
}

static void split(double *hi, double *lo, double a)
{
    double c = 134217729.0 * a;          /* 2^27 + 1 */
    double h = c - (c - a);
    *hi = h;
    *lo = a - h;
}

/* p + e = a b exactly (|a b| well inside the normal range). */
static void two_prod(double *p, double *e, double a, double b)
{
    double ah, al, bh, bl;
    split(&ah, &al, a);
    split(&bh, &bl, b);
    double t = a * b;
    *e = ((ah * bh - t) + ah * bl + al * bh) + al * bl;
    *p = t;
}

/* (hi, lo) = (ah + al)(bh + bl), relative error ~2^-104. */
static void dd_mul(double *hi, double *lo, double ah, double al, double bh, double bl)
{
    double p, e;
    two_prod(&p, &e, ah, bh);
    e += ah * bl + al * bh;
    fast_two_sum(hi, lo, p, e);
}

/* (hi, lo) = (ah + al) + (bh + bl). */
static void dd_add(double *hi, double *lo, double ah, double al, double bh, double bl)
{
    double s, e;
    two_sum(&s, &e, ah, bh);
    e += al + bl;
    fast_two_sum(hi, lo, s, e);
}

/* (hi, lo) = (ah + al) / (bh + bl), relative error ~2^-104 (bh != 0). */
static void dd_div(double *hi, double *lo, double ah, double al, double bh, double bl)
{
    double q = ah / bh, p, e;
    two_prod(&p, &e, q, bh);
    double r = (((ah - p) - e) + al) - q * bl;   /* ah - p exact: p ~ ah */
    fast_two_sum(hi, lo, q, r / bh);
}

/* ---- exp --------------------------------------------------------------------------- */

/* ln 2 = LN2_HI + LN2_LO + O(2^-87); LN2_HI has 32 significant bits, so k LN2_HI is exact
 * for |k| < 2^21. */
static const double LN2_HI = 0x1.62e42ffp-1;
static const double LN2_LO = -0x1.718432a1b0e26p-35;
static const double INV_LN2 = 0x1.71547652b82fep+0;

/* Taylor coefficients 1/n!, n = 2..15, each the correctly rounded quotient (IEEE division
 * by exact integers). */
static double expq(double r)
{
    static const double f[14] = {
        1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040, 1.0 / 40320,
        1.0 / 362880, 1.0 / 3628800, 1.0 / 39916800, 1.0 / 479001600, 1.0 / 6227020800.0,
        1.0 / 87178291200.0, 1.0 / 1307674368000.0
    };
    double p = f[13];
    for (int i = 12; i >= 0; i--)
        p = f[i] + r * p;
    return p;            /* (e^r - 1 - r) / r^2 up to r^13 / 15! */
}

/* x = k ln 2 + r: returns k, and e^r = *hi + *lo (dd, relative error < 2^-62) for
 * |x| < 746 finite.  r = rh + rl with |r| <= 0.3466 + 2^-40. */
static int exp_core(double *hi, double *lo, double x)
{
    double t = x * INV_LN2;
    int k = (int) (t < 0 ? t - 0.5 : t + 0.5);
    double kd = (double) k;
    double a = x - kd * LN2_HI;          /* exact: Sterbenz for k != 0, trivially for 0 */
    double b = kd * LN2_LO;              /* |error| <= 2^-53 |b| < 2^-77 */
    double rh, rl;
    two_sum(&rh, &rl, a, -b);
    double zh, zl;
    two_prod(&zh, &zl, rh, rh);
    double q = expq(rh);
    /* e^(rh + rl) = 1 + rh + rh^2 q + rl (1 + rh) + O(rl^2) */
    double s, e;
    fast_two_sum(&s, &e, 1.0, rh);
    double tail = ((zh * q + zl * q) + rl * rh) + rl;
    fast_two_sum(hi, lo, s, e + tail);
    return k;
}

double pmath_exp(double x)
{
    if (is_nan(x))
        return x + x;
    if (x > 709.782712893384)
        return of_bits(UINT64_C(0x7ff0000000000000));
    if (x < -746.0)
        return 0.0;
    if (fabs_(x) < 0x1p-54)
        return 1.0 + x;
    double hi, lo;
    int k = exp_core(&hi, &lo, x);
    return scale2(hi + lo, k);
}

/* ---- expm1 ------------------------------------------------------------------------- */

/* e^x - 1 = *hi + *lo (dd, relative error < 2^-60) for |x| < 40, x != 0 (tiny x: exact
 * enough, e^x - 1 = x + x^2/2 ...). */
static void expm1_dd(double *hi, double *lo, double x)
{
    if (fabs_(x) < 0.3465) {
        /* x + x^2 q(x), x^2 = zh + zl exactly */
        double zh, zl;
        two_prod(&zh, &zl, x, x);
        double q = expq(x);
        double h, l;
        two_prod(&h, &l, zh, q);
        double s, e;
        fast_two_sum(&s, &e, x, h);
        fast_two_sum(hi, lo, s, e + (l + zl * q));
        return;
    }
    double h, l;
    int k = exp_core(&h, &l, x);
    /* 2^k (h + l) - 1: the products by 2^k are exact, the sum with -1 is two-summed */
    double th = h * pow2(k), tl = l * pow2(k);
    double s, e;
    two_sum(&s, &e, th, -1.0);
    fast_two_sum(hi, lo, s, e + tl);
}

double pmath_expm1(double x)
{
    if (is_nan(x))
        return x + x;
    if (x > 709.782712893384)
        return of_bits(UINT64_C(0x7ff0000000000000));
    if (x < -40.0)
        return -1.0;                     /* e^x < 2^-57: -1 + e^x rounds to -1 */
    if (fabs_(x) < 0x1p-54)
        return x;                        /* keeps -0 */
    if (x > 40.0) {
        double h, l;
        int k = exp_core(&h, &l, x);     /* e^x > 2^57: the -1 is below half an ulp */
        return scale2(h + l, k);
    }
    double h, l;
    expm1_dd(&h, &l, x);
    return h + l;
}

/* ---- log --------------------------------------------------------------------------- */

static const double SQRT2 = 0x1.6a09e667f3bcdp+0;

/* log(1 + f) for 1 + f = m in [sqrt(1/2), sqrt(2)), f exact, plus e ln 2 + c (c a small
 * correction of the argument, added before the last rounding). With s = f / (2 + f):
 *   log(1 + f) = 2 atanh(s) = f - f^2/2 + s (f^2/2 + R),  R = 2 s^2/3 + 2 s^4/5 + ...,
 * (as s f = f^2/2 (1 - s)); |s| <= 0.1716, so 12 terms of R leave < 2^-62 relatively. */
static double log_finish(int e, double f, double c)
{
    static const double t[12] = {
        2.0 / 3, 2.0 / 5, 2.0 / 7, 2.0 / 9, 2.0 / 11, 2.0 / 13, 2.0 / 15, 2.0 / 17,
        2.0 / 19, 2.0 / 21, 2.0 / 23, 2.0 / 25
    };
    double s = f / (2.0 + f);
    double z = s * s;
    double R = t[11];
    for (int i = 10; i >= 0; i--)
        R = t[i] + z * R;
    R = z * R;
    double hfsq = 0.5 * f * f;
    double ed = (double) e;
    return ed * LN2_HI + (f - (hfsq - (s * (hfsq + R) + (ed * LN2_LO + c))));
}

/* m in [sqrt(1/2), sqrt(2)) and e with x = m 2^e, for finite x > 0. */
static double decompose(int *e, double x)
{
    int adj = 0;
    if (x < 0x1p-1022) {
        x *= 0x1p54;
        adj = -54;
    }
    uint64_t u = bits_of(x);
    int ex = (int) ((u >> 52) & 0x7ff) - 1023;
    double m = of_bits((u & UINT64_C(0x000fffffffffffff)) | (UINT64_C(1023) << 52));
    if (m >= SQRT2) {
        m *= 0.5;
        ex += 1;
    }
    *e = ex + adj;
    return m;
}

double pmath_log(double x)
{
    if (is_nan(x))
        return x + x;
    if (x < 0)
        return of_bits(UINT64_C(0x7ff8000000000000));
    if (x == 0)
        return -of_bits(UINT64_C(0x7ff0000000000000));
    if (x == of_bits(UINT64_C(0x7ff0000000000000)))
        return x;
    int e;
    double m = decompose(&e, x);
    return log_finish(e, m - 1.0, 0.0);   /* m - 1 exact (Sterbenz) */
}

double pmath_log1p(double x)
{
    if (is_nan(x))
        return x + x;
    if (x < -1.0)
        return of_bits(UINT64_C(0x7ff8000000000000));
    if (x == -1.0)
        return -of_bits(UINT64_C(0x7ff0000000000000));
    if (x == of_bits(UINT64_C(0x7ff0000000000000)))
        return x;
    if (fabs_(x) < 0x1p-54)
        return x;                        /* keeps -0 */
    if (x >= SQRT2 * 0.5 - 1.0 && x < SQRT2 - 1.0)
        return log_finish(0, x, 0.0);    /* 1 + x in range, f = x exactly */
    double u = 1.0 + x;
    /* c = log(1 + x) - log(u) ~ (x - (u - 1)) / u; u - 1 and x - (u - 1) are exact for
     * u < 2^53 (the rounding error of 1 + x), negligible above. */
    double c = u < 0x1p53 ? (x - (u - 1.0)) / u : 0.0;
    int e;
    double m = decompose(&e, u);
    return log_finish(e, m - 1.0, c);
}

/* ---- tanh -------------------------------------------------------------------------- */

/* tanh |x| = -t / (t + 2), t = e^(-2|x|) - 1, in dd (one final rounding). */
double pmath_tanh(double x)
{
    if (is_nan(x))
        return x + x;
    double ax = fabs_(x), r;
    if (ax < 0x1p-28)
        return x;                        /* tanh x = x (1 - x^2/3 ...) rounds to x */
    if (ax > 22.0) {
        r = 1.0;                         /* 1 - tanh(22) < 2^-62 */
    } else {
        double th, tl, dh, dl, qh, ql;
        expm1_dd(&th, &tl, -2.0 * ax);
        dd_add(&dh, &dl, th, tl, 2.0, 0.0);
        dd_div(&qh, &ql, -th, -tl, dh, dl);
        r = qh + ql;
    }
    return x < 0 ? -r : r;
}

/* ---- erfc -------------------------------------------------------------------------- */

static const double TWO_OVER_SQRTPI_HI = 0x1.20dd750429b6dp+0;
static const double TWO_OVER_SQRTPI_LO = 0x1.1ae3a914fed8p-56;
static const double ONE_OVER_SQRTPI_HI = 0x1.20dd750429b6dp-1;
static const double ONE_OVER_SQRTPI_LO = 0x1.1ae3a914fed8p-57;

/* e^(-x^2) as dd for 0 <= x <= 27.5: x^2 = zh + zl exactly, e^(-zh) by exp_core, then
 * times (1 - zl). */
static void exp_mx2(double *hi, double *lo, int *k, double x)
{
    double zh, zl;
    two_prod(&zh, &zl, x, x);
    double h, l;
    *k = exp_core(&h, &l, -zh);
    double p, pe;
    two_prod(&p, &pe, h, zl);
    fast_two_sum(hi, lo, h, l - (p + pe));
}

/* erf(x) = 2/sqrt(pi) sum_{n>=0} (-1)^n x^(2n+1) / (n! (2n+1)) for 0 <= x <= 1.5, every
 * term and the sum in dd: p_n = x^(2n+1)/n! (p_{n+1} = p_n x^2 / (n+1)), 44 terms
 * (2.25^44/44! < 2^-120); the sum stays below 0.6 and no term exceeds 0.7, so the
 * alternation loses < 1 bit of the dd's ~104. */
static void erf_series(double *hi, double *lo, double x)
{
    double zh, zl;
    two_prod(&zh, &zl, x, x);
    double ph = x, pl = 0, sh = x, sl = 0;
    for (int n = 1; n <= 44; n++) {
        double th, tl;
        dd_mul(&ph, &pl, ph, pl, zh, zl);
        dd_div(&ph, &pl, ph, pl, (double) n, 0.0);
        dd_div(&th, &tl, ph, pl, 2.0 * n + 1.0, 0.0);
        if (n % 2)
            th = -th, tl = -tl;
        dd_add(&sh, &sl, sh, sl, th, tl);
    }
    dd_mul(hi, lo, sh, sl, TWO_OVER_SQRTPI_HI, TWO_OVER_SQRTPI_LO);
}

/* erfc(x) = e^(-x^2)/sqrt(pi) K(x), K(x) = 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))):
 * Laplace's continued fraction, evaluated bottom-up (stable) for x > 1.5 with depth
 * 8 + 320/x^2 (MPFR: depth 72 gives K to 2^-60 at x = 2, 259 at x = 1, ~260/x^2 in
 * general); result as dd times 2^k. */
static void erfc_cf(double *hi, double *lo, int *k, double x)
{
    int depth = 8 + (int) (320.0 / (x * x));
    double f = x, fl = 0;
    for (int j = depth; j >= 3; j--)
        f = x + (0.5 * j) / f;
    for (int j = 2; j >= 1; j--) {      /* the last two steps in dd: error damped below */
        double th, tl;
        dd_div(&th, &tl, 0.5 * j, 0.0, f, fl);
        dd_add(&f, &fl, x, 0.0, th, tl);
    }
    double qh, ql, eh, el, ah, al;
    dd_div(&qh, &ql, 1.0, 0.0, f, fl);
    exp_mx2(&eh, &el, k, x);
    dd_mul(&ah, &al, eh, el, qh, ql);
    dd_mul(hi, lo, ah, al, ONE_OVER_SQRTPI_HI, ONE_OVER_SQRTPI_LO);
}

/* erfc(x) as dd times 2^k for x >= 0 finite, x < 27.5. */
static void erfc_pos(double *hi, double *lo, int *k, double x)
{
    if (x <= 1.5) {
        double h, l;
        erf_series(&h, &l, x);
        dd_add(hi, lo, 1.0, 0.0, -h, -l);
        *k = 0;
    } else {
        erfc_cf(hi, lo, k, x);
    }
}

double pmath_erfc(double x)
{
    if (is_nan(x))
        return x + x;
    if (x > 27.5)
        return 0.0;
    if (x < -6.0)
        return 2.0;                      /* erfc(6) < 2^-56 */
    double hi, lo;
    int k;
    erfc_pos(&hi, &lo, &k, fabs_(x));
    if (x >= 0)
        return scale2(hi + lo, k);
    double th = hi * pow2(k), tl = lo * pow2(k), s, e;   /* |x| <= 6: no underflow */
    fast_two_sum(&s, &e, 2.0, -th);
    return s + (e - tl);
}

/* ---- sin, cos ---------------------------------------------------------------------- */

/* pi/2 = P1 + P2 + P3 + P4 + O(2^-157); P1..P3 have 32 significant bits, so k Pi is exact
 * for |k| <= 2^21. */
static const double PIO2_1 = 0x1.921fb544p+0;
static const double PIO2_2 = 0x1.0b4611a6p-34;
static const double PIO2_3 = 0x1.3198a2ep-69;
static const double PIO2_4 = 0x1.b839a252049c1p-104;
static const double INV_PIO2 = 0x1.45f306dc9c883p-1;

/* x = n pi/2 + (rh + rl), |rh + rl| <= pi/4 (+ tiny), for |x| <= 2^20 pi/2; returns n. */
static long reduce_pio2(double *rh, double *rl, double x)
{
    double t = x * INV_PIO2;
    long n = (long) (t < 0 ? t - 0.5 : t + 0.5);
    double nd = (double) n;
    double s = x - nd * PIO2_1;                 /* exact (Sterbenz), or x itself */
    double a, e1, b, e2;
    two_sum(&a, &e1, s, -(nd * PIO2_2));        /* nd * P2, nd * P3 exact */
    two_sum(&b, &e2, a, -(nd * PIO2_3));
    double lo = (e1 + e2) - nd * PIO2_4;
    fast_two_sum(rh, rl, b, lo);
    return n;
}

/* sin(r), r = rh + rl, |r| <= pi/4 + tiny: r + r^3 S(r^2), S = -1/3! + z/5! - ... (to
 * z^9/21!: < 2^-66 relatively). */
static double sin_kernel(double rh, double rl)
{
    static const double c[10] = {
        -1.0 / 6, 1.0 / 120, -1.0 / 5040, 1.0 / 362880, -1.0 / 39916800,
        1.0 / 6227020800.0, -1.0 / 1307674368000.0, 1.0 / 355687428096000.0,
        -1.0 / 121645100408832000.0, 1.0 / 51090942171709440000.0
    };
    double z = rh * rh, S = c[9];
    for (int i = 8; i >= 0; i--)
        S = c[i] + z * S;
    /* sin(rh + rl) = sin rh + rl cos rh + O(rl^2) = rh + rh z S + rl (1 - z/2) */
    return rh + ((rh * z) * S + (rl - rl * (0.5 * z)));
}

/* cos(r): 1 - z/2 + z^2 C(z), C = 1/4! - z/6! + ... (to z^8/20!); z = rh^2 exactly as
 * zh + zl so that 1 - z/2 is carried in dd; cos(rh + rl) = cos rh - rl sin rh. */
static double cos_kernel(double rh, double rl)
{
    static const double c[9] = {
        1.0 / 24, -1.0 / 720, 1.0 / 40320, -1.0 / 3628800, 1.0 / 479001600,
        -1.0 / 87178291200.0, 1.0 / 20922789888000.0, -1.0 / 6402373705728000.0,
        1.0 / 2432902008176640000.0
    };
    double zh, zl;
    two_prod(&zh, &zl, rh, rh);
    double C = c[8];
    for (int i = 7; i >= 0; i--)
        C = c[i] + zh * C;
    double hz = 0.5 * zh, w = 1.0 - hz;
    double corr = ((1.0 - w) - hz) - 0.5 * zl;  /* (1 - w) - hz exact */
    return w + (corr + ((zh * zh) * C - rh * rl));
}

static double trig(double x, int cosine)
{
    if (is_nan(x))
        return x + x;
    double ax = fabs_(x);
    if (!(ax <= 0x1p20 * 1.5707963267948966))
        return of_bits(UINT64_C(0x7ff8000000000000));   /* Inf or outside the domain */
    if (ax < 0x1p-27)
        return cosine ? 1.0 : x;                        /* keeps -0 */
    double rh, rl;
    long n = reduce_pio2(&rh, &rl, x);
    long q = (n + (cosine ? 1 : 0)) & 3;                /* cos x = sin(x + pi/2) */
    switch (q) {
    case 0:
        return sin_kernel(rh, rl);
    case 1:
        return cos_kernel(rh, rl);
    case 2:
        return -sin_kernel(rh, rl);
    default:
        return -cos_kernel(rh, rl);
    }
}

double pmath_sin(double x)
{
    return trig(x, 0);
}

double pmath_cos(double x)
{
    return trig(x, 1);
}

/* ---- atan2 ------------------------------------------------------------------------- */

/* atan(j/8) = AT[j][0] + AT[j][1] (dd, from MPFR). */
static const double AT[9][2] = {
    {0x0p+0, 0x0p+0},
    {0x1.fd5ba9aac2f6ep-4, -0x1.cd37686760c17p-59},
    {0x1.f5b75f92c80ddp-3, 0x1.8ab6e3cf7afbdp-57},
    {0x1.6f61941e4def1p-2, -0x1.c63aae6f6e918p-56},
    {0x1.dac670561bb4fp-2, 0x1.a2b7f222f65e2p-56},
    {0x1.1e00babdefeb4p-1, -0x1.928df287a668fp-58},
    {0x1.4978fa3269ee1p-1, 0x1.2419a87f2a458p-56},
    {0x1.700a7c5784634p-1, -0x1.8c34d25aadef6p-56},
    {0x1.921fb54442d18p-1, 0x1.1a62633145c07p-55},
};
static const double PI_HI = 0x1.921fb54442d18p+1, PI_LO = 0x1.1a62633145c07p-53;
static const double PIO2_HI = 0x1.921fb54442d18p+0, PIO2_LO = 0x1.1a62633145c07p-54;

/* atan(n / d) as dd for 0 <= n <= d, d > 0 finite: t = n/d = th + tl (tl the exact
 * residual over d), j = round(8 t), atan t = atan(j/8) + atan(u), u = (t - j/8) /
 * (1 + t j/8), |u| <= 1/16, atan u = u - u^3/3 + ... to u^19 (< 2^-80). */
static void atan_dd(double *hi, double *lo, double n, double d)
{
    double th = n / d;
    double tl = 0;
    if (d >= 0x1p960) {                 /* keep two_prod exact: no overflow in the split, */
        n *= 0x1p-512;                  /* no underflow in its partial products; exact */
        d *= 0x1p-512;
    } else if (n < 0x1p-900 && d < 0x1p500) {
        n *= 0x1p512;
        d *= 0x1p512;
    }
    if (th > 0x1p-400 && n > 0x1p-900) {
        double p, pe;                   /* th d = p + pe exactly; n - p exact (p ~ n) */
        two_prod(&p, &pe, th, d);
        tl = ((n - p) - pe) / d;
    }
    int j = (int) (8.0 * th + 0.5);
    double z, sum = 0;
    if (j == 0) {
        /* atan t = t + t^3 S(t^2) with t = th + tl, |t| < 1/16 */
        z = th * th;
        for (int i = 9; i >= 1; i--)
            sum = (i % 2 ? -1.0 : 1.0) / (2.0 * i + 1.0) + z * sum;
        fast_two_sum(hi, lo, th, tl + th * (z * sum));
        return;
    }
    double tj = j * 0.125;
    double ph, pl, dh, dl, uh, ul;
    two_prod(&ph, &pl, th, tj);
    dd_add(&dh, &dl, 1.0, 0.0, ph, pl);          /* 1 + t j/8 */
    dd_div(&uh, &ul, th - tj, tl, dh, dl);      /* th - tj exact (Sterbenz) */
    z = uh * uh;
    for (int i = 9; i >= 1; i--)
        sum = (i % 2 ? -1.0 : 1.0) / (2.0 * i + 1.0) + z * sum;
    double ah, al;
    fast_two_sum(&ah, &al, uh, ul + uh * (z * sum));
    dd_add(hi, lo, AT[j][0], AT[j][1], ah, al);
}

double pmath_atan2(double y, double x)
{
    if (is_nan(x) || is_nan(y))
        return x + y;
    int neg = bits_of(y) >> 63, xneg = bits_of(x) >> 63;
    double ax = fabs_(x), ay = fabs_(y), inf = of_bits(UINT64_C(0x7ff0000000000000));
    double r;
    if (ay == 0) {
        r = xneg ? PI_HI : 0.0;                 /* also for x = -0 */
    } else if (ax == inf && ay == inf) {
        r = xneg ? 3 * (PIO2_HI * 0.5) : PIO2_HI * 0.5;
    } else if (ax == inf) {
        r = xneg ? PI_HI : 0.0;
    } else if (ay == inf || ax == 0) {
        r = PIO2_HI;
    } else {
        double h, l, s, e;
        if (ay <= ax) {
            atan_dd(&h, &l, ay, ax);
            if (xneg) {                         /* pi - a */
                fast_two_sum(&s, &e, PI_HI, -h);
                r = s + (e + (PI_LO - l));
            } else {
                r = h + l;
            }
        } else {
            /* ay/ax may overflow: use 1/t when ax/ay is tiny */
            atan_dd(&h, &l, ax, ay);
            if (xneg)
                h = -h, l = -l;                 /* pi/2 + atan(|x|/|y|) */
            fast_two_sum(&s, &e, PIO2_HI, -h);
            r = s + (e + (PIO2_LO - l));
        }
    }
    return neg ? -r : r;
}

/* ---- powi -------------------------------------------------------------------------- */

double pmath_powi(double x, long n)
{
    unsigned long m = n < 0 ? 0UL - (unsigned long) n : (unsigned long) n;
    double r = 1.0, b = x;
    while (m != 0) {
        if (m & 1UL)
            r *= b;
        m >>= 1;
        if (m != 0)
            b *= b;
    }
    if (n < 0 && fabs_(r) == of_bits(UINT64_C(0x7ff0000000000000)) && !is_nan(x))
        return pmath_powi(1.0 / x, -(n + 1)) / x;  /* |x|^|n| overflows: the same chain on 1/x */
    return n < 0 ? 1.0 / r : r;
}
