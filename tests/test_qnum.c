/* CUnit suite for qnum: parsing against exact constructions, double conversion against
 * IEEE arithmetic (correctly rounded +, *, /) and bit-exact round trips, decimal printing
 * against glibc's exact printf, square-root bounds checked exactly by squaring. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qnum.h"
#include "testutil.h"

static uint64_t rs;

static uint64_t rnd(void)   /* splitmix64 */
{
    uint64_t z = (rs += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static long rnd_range(long lo, long hi)
{
    return lo + (long)(rnd() % (uint64_t)(hi - lo + 1));
}

static void seed(unsigned long salt)
{
    rs = (uint64_t)tu_seed() * 0x2545F4914F6CDD1DULL + salt;
}

static double rnd_double(void)   /* a random finite bit pattern */
{
    for (;;) {
        uint64_t b = rnd();
        double x;
        memcpy(&x, &b, sizeof x);
        if (isfinite(x))
            return x;
    }
}

static int same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

static int parse_is(const char *s, long num, long den)
{
    mpq_t q, e;
    mpq_init(q);
    mpq_init(e);
    int st = qnum_parse(q, s);
    mpq_set_si(e, num, (unsigned long)den);
    mpq_canonicalize(e);
    int ok = st == AE_OK && mpq_equal(q, e);
    mpq_clear(q);
    mpq_clear(e);
    return ok;
}

static int parse_status(const char *s)
{
    mpq_t q;
    mpq_init(q);
    mpq_set_si(q, 42, 1);
    int st = qnum_parse(q, s);
    if (st != AE_OK && mpq_cmp_si(q, 42, 1) != 0)
        st = -1;   /* q must be unchanged on error */
    mpq_clear(q);
    return st;
}

/* ---- parsing -------------------------------------------------------------------- */

static void test_parse_values(void)
{
    CU_ASSERT_TRUE(parse_is("1.25e-3", 1, 800));
    CU_ASSERT_TRUE(parse_is("-0.1", -1, 10));
    CU_ASSERT_TRUE(parse_is("+5", 5, 1));
    CU_ASSERT_TRUE(parse_is("5.", 5, 1));
    CU_ASSERT_TRUE(parse_is(".5", 1, 2));
    CU_ASSERT_TRUE(parse_is("-.5E+1", -5, 1));
    CU_ASSERT_TRUE(parse_is("0", 0, 1));
    CU_ASSERT_TRUE(parse_is("-0.000", 0, 1));
    CU_ASSERT_TRUE(parse_is("007", 7, 1));
    CU_ASSERT_TRUE(parse_is("1E2", 100, 1));
    CU_ASSERT_TRUE(parse_is("2500e-2", 25, 1));
    CU_ASSERT_TRUE(parse_is("  3.75  ", 15, 4));
    CU_ASSERT_TRUE(parse_is("0.1e1", 1, 1));
    CU_ASSERT_TRUE(parse_is("1e-0", 1, 1));

    mpq_t q, e;
    mpq_init(q);
    mpq_init(e);
    CU_ASSERT_EQUAL(qnum_parse(q, "123456789012345678901234567890.000000000000000000001"), AE_OK);
    mpq_set_str(e, "123456789012345678901234567890000000000000000000001/1000000000000000000000", 10);
    mpq_canonicalize(e);
    CU_ASSERT_TRUE(mpq_equal(q, e));
    /* end pointers */
    const char *end;
    CU_ASSERT_EQUAL(qnum_set_decimal(q, "3.5xyz", &end), AE_OK);
    CU_ASSERT_STRING_EQUAL(end, "xyz");
    CU_ASSERT_EQUAL(qnum_set_decimal(q, "1e", &end), AE_OK);
    CU_ASSERT_STRING_EQUAL(end, "e");
    CU_ASSERT_EQUAL(mpq_cmp_ui(q, 1, 1), 0);
    CU_ASSERT_EQUAL(qnum_set_decimal(q, "2e+x", &end), AE_OK);
    CU_ASSERT_STRING_EQUAL(end, "e+x");
    CU_ASSERT_EQUAL(qnum_set_decimal(q, "1.2.3", &end), AE_OK);
    CU_ASSERT_STRING_EQUAL(end, ".3");
    CU_ASSERT_TRUE(parse_is("1.2", 6, 5));
    CU_ASSERT_EQUAL(qnum_set_decimal(q, "7,8", &end), AE_OK);
    CU_ASSERT_STRING_EQUAL(end, ",8");
    CU_ASSERT_EQUAL(qnum_set_decimal(q, "x1", &end), AE_EPARSE);
    CU_ASSERT_STRING_EQUAL(end, "x1");

    /* second method: m 10^e built with qnum_pow10, and the "digits/10^k" fraction */
    seed(1);
    char buf[128];
    for (int t = 0; t < 2000; t++) {
        long m = rnd_range(-1000000000L, 1000000000L), ex = rnd_range(-60, 60);
        snprintf(buf, sizeof buf, "%ld%c%ld", m, t % 2 ? 'e' : 'E', ex);
        CU_ASSERT_EQUAL_FATAL(qnum_parse(q, buf), AE_OK);
        qnum_pow10(e, ex);
        mpq_t mm;
        mpq_init(mm);
        mpq_set_si(mm, m, 1);
        mpq_mul(e, e, mm);
        mpq_clear(mm);
        CU_ASSERT_TRUE(mpq_equal(q, e));
        long ip = rnd_range(0, 999999), fp = rnd_range(0, 999999);
        int fd = (int)rnd_range(1, 6);
        snprintf(buf, sizeof buf, "%s%ld.%0*ld", t % 3 ? "" : "-", ip, fd, fp % (long)pow(10, fd));
        CU_ASSERT_EQUAL_FATAL(qnum_parse(q, buf), AE_OK);
        char frac[128];
        snprintf(frac, sizeof frac, "%s%ld%0*ld/1%0*d", t % 3 ? "" : "-", ip, fd,
                 fp % (long)pow(10, fd), fd, 0);
        mpq_set_str(e, frac, 10);
        mpq_canonicalize(e);
        CU_ASSERT_TRUE(mpq_equal(q, e));
    }
    mpq_clear(q);
    mpq_clear(e);
}

static void test_parse_errors(void)
{
    CU_ASSERT_EQUAL(parse_status("1e999999999"), AE_ERANGE);
    CU_ASSERT_EQUAL(parse_status("-1e999999999999999999999999999"), AE_ERANGE);
    CU_ASSERT_EQUAL(parse_status("1e-999999999"), AE_ERANGE);
    CU_ASSERT_EQUAL(parse_status("1e100001"), AE_ERANGE);
    CU_ASSERT_EQUAL(parse_status("1e-100001"), AE_ERANGE);
    CU_ASSERT_EQUAL(parse_status("1e400"), AE_OK);
    CU_ASSERT_EQUAL(parse_status("1e-400"), AE_OK);
    CU_ASSERT_EQUAL(parse_status("10e399"), AE_OK);        /* = 1e400 */
    CU_ASSERT_EQUAL(parse_status("1e401"), AE_ERANGE);
    CU_ASSERT_EQUAL(parse_status("-1e-401"), AE_ERANGE);
    CU_ASSERT_EQUAL(parse_status("1e99999"), AE_ERANGE);
    CU_ASSERT_EQUAL(parse_status("0.1e401"), AE_OK);       /* = 1e400 */
    {
        /* digit cap: 100 significant digits pass, 101 do not; zeros around them are free */
        char b[400];
        memset(b, '7', 101);
        b[101] = '\0';
        CU_ASSERT_EQUAL(qnum_decimal_digits(b), 101);
        CU_ASSERT_EQUAL(parse_status(b), AE_ERANGE);
        b[100] = '\0';
        CU_ASSERT_EQUAL(parse_status(b), AE_OK);
        memset(b, '0', 300);
        b[0] = '1';
        b[300] = '\0';                                      /* 1 followed by 299 zeros */
        CU_ASSERT_EQUAL(qnum_decimal_digits(b), 1);
        CU_ASSERT_EQUAL(parse_status(b), AE_OK);
        CU_ASSERT_EQUAL(qnum_decimal_digits("-00.0012300e5"), 3);
        CU_ASSERT_EQUAL(qnum_decimal_digits("0.000"), 0);
        CU_ASSERT_EQUAL(qnum_decimal_digits("abc"), 0);
    }
    CU_ASSERT_EQUAL(parse_status("0e999999999"), AE_OK);   /* zero is never out of range */
    const char *bad[] = {"nan", "NaN", "-nan", "inf", "-inf", "+Inf", "Infinity", "", "   ",
                         "1.2.3", "abc", ".", "-", "+", "e5", "--1", "1 2", "12abc", "0x10",
                         ".e1", "1e5.5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CU_ASSERT_EQUAL(parse_status(bad[i]), AE_EPARSE);
    mpq_t q;
    mpq_init(q);
    const char *end = NULL;
    CU_ASSERT_EQUAL(qnum_set_decimal(q, "1e999999999", &end), AE_ERANGE);
    CU_ASSERT_STRING_EQUAL(end, "");
    CU_ASSERT_EQUAL(qnum_set_decimal(q, "nan", &end), AE_EPARSE);
    CU_ASSERT_STRING_EQUAL(end, "nan");
    TU_EXPECT_ERROR(qnum_set_decimal(q, NULL, NULL));
    TU_EXPECT_ERROR(qnum_parse(q, NULL));
    mpq_clear(q);
}

/* ---- doubles ---------------------------------------------------------------------- */

static void test_set_get_d_roundtrip(void)
{
    seed(2);
    mpq_t q, e;
    mpq_init(q);
    mpq_init(e);
    long bad = 0;
    for (int t = 0; t < 200000; t++) {
        double x = rnd_double();
        qnum_set_d(q, x);
        mpq_set_d(e, x);
        if (!mpq_equal(q, e) || !(qnum_get_d(q) == x) || (x != 0 && !same_bits(qnum_get_d(q), x)))
            bad++;
    }
    CU_ASSERT_EQUAL(bad, 0);
    double special[] = {0.0, 1.0, -1.0, DBL_MIN, -DBL_MIN, DBL_MAX, -DBL_MAX, DBL_TRUE_MIN,
                        -DBL_TRUE_MIN, DBL_MIN - DBL_TRUE_MIN, 0.1, 1e-310, 5e-324};
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++) {
        qnum_set_d(q, special[i]);
        CU_ASSERT_TRUE(same_bits(qnum_get_d(q), special[i]));
    }
    TU_EXPECT_ERROR(qnum_set_d(q, NAN));
    TU_EXPECT_ERROR(qnum_set_d(q, INFINITY));
    TU_EXPECT_ERROR(qnum_set_d(q, -INFINITY));
    mpq_clear(q);
    mpq_clear(e);
}

/* IEEE +, *, / are correctly rounded: qnum_get_d of the exact result must agree. */
static void test_get_d_correct_rounding(void)
{
    seed(3);
    mpq_t a, b, r;
    mpq_init(a);
    mpq_init(b);
    mpq_init(r);
    long bad = 0, checked = 0;
    for (int t = 0; t < 100000; t++) {
        double x = rnd_double(), y = rnd_double();
        if (t % 4 == 1) {   /* nearby magnitudes, so sums and quotients stay in range */
            x = ldexp(x / ldexp(1.0, ilogb(x)), (int)rnd_range(-1080, 1030));
            y = ldexp(y / ldexp(1.0, ilogb(y)), (int)rnd_range(-60, 60));
        }
        if (x == 0 || y == 0 || !isfinite(x) || !isfinite(y))
            continue;
        qnum_set_d(a, x);
        qnum_set_d(b, y);
        double z;
        switch (t % 3) {
        case 0: z = x + y; mpq_add(r, a, b); break;
        case 1: z = x * y; mpq_mul(r, a, b); break;
        default: z = x / y; mpq_div(r, a, b); break;
        }
        if (mpq_sgn(r) == 0)
            continue;   /* +0 vs -0 of an exact zero sum */
        checked++;
        if (!same_bits(qnum_get_d(r), z))
            bad++;
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_TRUE(checked > 90000);
    /* where mpq_get_d (truncation) and rounding differ: 1/10 rounds up */
    mpq_set_ui(r, 1, 10);
    CU_ASSERT_TRUE(qnum_get_d(r) == 0.1);
    CU_ASSERT_TRUE(mpq_get_d(r) != 0.1);
    /* ties and the ends of the range */
    mpz_set_ui(mpq_numref(r), 1);
    mpz_mul_2exp(mpq_denref(r), mpq_numref(r), 1075);   /* 2^-1075: tie between 0 and min */
    CU_ASSERT_TRUE(same_bits(qnum_get_d(r), 0.0));
    mpz_set_ui(mpq_numref(r), 3);
    mpz_mul_2exp(mpq_denref(r), mpq_denref(r), 1);      /* 3 * 2^-1076 rounds to 2^-1074 */
    CU_ASSERT_TRUE(same_bits(qnum_get_d(r), DBL_TRUE_MIN));
    mpq_neg(r, r);
    CU_ASSERT_TRUE(same_bits(qnum_get_d(r), -DBL_TRUE_MIN));
    mpq_set_ui(r, 3, 1);
    mpq_div_2exp(r, r, 1075);                            /* 1.5 min: tie -> even (2 min) */
    CU_ASSERT_TRUE(same_bits(qnum_get_d(r), 2 * DBL_TRUE_MIN));
    qnum_set_d(r, DBL_MAX);
    qnum_set_d(a, ldexp(1.0, 970));                      /* DBL_MAX + ulp/2: tie -> Inf */
    mpq_add(b, r, a);
    CU_ASSERT_TRUE(isinf(qnum_get_d(b)) && qnum_get_d(b) > 0);
    mpq_set_ui(a, 1, 1);
    mpq_div_2exp(a, a, 2000);
    mpq_sub(b, b, a);                                    /* just below the tie */
    CU_ASSERT_TRUE(qnum_get_d(b) == DBL_MAX);
    mpq_set_ui(a, 1, 1);
    mpq_mul_2exp(a, a, 5000);
    mpq_neg(a, a);
    CU_ASSERT_TRUE(isinf(qnum_get_d(a)) && qnum_get_d(a) < 0);
    mpq_clear(a);
    mpq_clear(b);
    mpq_clear(r);
}

/* ---- printing ------------------------------------------------------------------------ */

static int str_is(char *s, const char *want)
{
    int ok = s != NULL && strcmp(s, want) == 0;
    if (!ok)
        fprintf(stderr, "\n  got \"%s\", want \"%s\"\n", s ? s : "(null)", want);
    free(s);
    return ok;
}

static void test_get_str(void)
{
    mpq_t q;
    mpq_init(q);
    CU_ASSERT_TRUE(str_is(qnum_get_str(q), "0"));
    mpq_set_si(q, -3, 1);
    CU_ASSERT_TRUE(str_is(qnum_get_str(q), "-3"));
    mpq_set_si(q, -1, 800);
    CU_ASSERT_TRUE(str_is(qnum_get_str(q), "-1/800"));
    /* 20 + 20 digits: exact; 21 + 20: rounded */
    mpq_set_str(q, "12345678901234567891/10000000000000000000", 10);
    CU_ASSERT_TRUE(str_is(qnum_get_str(q), "12345678901234567891/10000000000000000000"));
    mpq_set_str(q, "123456789012345678913/10000000000000000000", 10);
    CU_ASSERT_TRUE(str_is(qnum_get_str(q), "~1.2345678901234568e+01"));
    mpq_neg(q, q);
    CU_ASSERT_TRUE(str_is(qnum_get_str(q), "~-1.2345678901234568e+01"));
    /* an integer counts its denominator 1: 39 digits exact, 40 digits rounded */
    qnum_pow10(q, 38);
    CU_ASSERT_TRUE(str_is(qnum_get_str(q), "100000000000000000000000000000000000000"));
    qnum_pow10(q, 39);
    CU_ASSERT_TRUE(str_is(qnum_get_str(q), "~1.0000000000000000e+39"));
    qnum_pow10(q, -40);
    mpq_t t;
    mpq_init(t);
    mpq_set_ui(t, 2, 3);
    mpq_mul(q, q, t);
    CU_ASSERT_TRUE(str_is(qnum_get_str(q), "~6.6666666666666667e-41"));
    qnum_pow10(q, -39);
    CU_ASSERT_TRUE(str_is(qnum_get_str(q), "~1.0000000000000000e-39"));   /* 1 + 40 digits */
    qnum_pow10(q, -38);
    CU_ASSERT_TRUE(str_is(qnum_get_str(q), "1/100000000000000000000000000000000000000"));
    mpq_clear(t);
    mpq_clear(q);
}

static void test_get_str_sig(void)
{
    mpq_t q;
    mpq_init(q);
    mpq_set_ui(q, 2, 3);
    CU_ASSERT_TRUE(str_is(qnum_get_str_sig(q, 3), "6.67e-01"));
    CU_ASSERT_TRUE(str_is(qnum_get_str_sig(q, 1), "7e-01"));
    CU_ASSERT_EQUAL(qnum_parse(q, "9.995"), AE_OK);
    CU_ASSERT_TRUE(str_is(qnum_get_str_sig(q, 3), "1.00e+01"));   /* tie, 999 odd: up */
    CU_ASSERT_EQUAL(qnum_parse(q, "0.125"), AE_OK);
    CU_ASSERT_TRUE(str_is(qnum_get_str_sig(q, 2), "1.2e-01"));    /* tie, 12 even: down */
    CU_ASSERT_EQUAL(qnum_parse(q, "-1e-100"), AE_OK);
    CU_ASSERT_TRUE(str_is(qnum_get_str_sig(q, 2), "-1.0e-100"));
    mpq_set_ui(q, 0, 1);
    CU_ASSERT_TRUE(str_is(qnum_get_str_sig(q, 3), "0.00e+00"));
    TU_EXPECT_ERROR(qnum_get_str_sig(q, 0));

    /* second method: glibc printf prints the exact binary value correctly rounded */
    seed(4);
    char want[128];
    long bad = 0;
    for (int t = 0; t < 20000; t++) {
        double x = rnd_double();
        if (x == 0)
            continue;
        int nd = (int)rnd_range(1, 25);
        qnum_set_d(q, x);
        snprintf(want, sizeof want, "%.*e", nd - 1, x);
        char *got = qnum_get_str_sig(q, nd);
        if (strcmp(got, want) != 0)
            bad++;
        free(got);
    }
    CU_ASSERT_EQUAL(bad, 0);

    /* and by parsing back: |q - printed| <= half a unit in the last digit */
    mpq_t v, d, h;
    mpq_init(v);
    mpq_init(d);
    mpq_init(h);
    for (int t = 0; t < 2000; t++) {
        mpz_set_si(mpq_numref(q), rnd_range(-1000000000L, 1000000000L));
        mpz_set_si(mpq_denref(q), rnd_range(1, 1000000000L));
        mpq_canonicalize(q);
        if (mpq_sgn(q) == 0)
            continue;
        int nd = (int)rnd_range(1, 40);
        char *s = qnum_get_str_sig(q, nd);
        CU_ASSERT_EQUAL_FATAL(qnum_parse(v, s), AE_OK);
        const char *e = strchr(s, 'e');
        long ex = strtol(e + 1, NULL, 10);
        qnum_pow10(h, ex - nd + 1);
        mpq_div_2exp(h, h, 1);
        mpq_sub(d, q, v);
        mpq_abs(d, d);
        CU_ASSERT_TRUE(mpq_cmp(d, h) <= 0);
        CU_ASSERT_TRUE(s[s[0] == '-'] != '0');
        free(s);
    }
    mpq_clear(v);
    mpq_clear(d);
    mpq_clear(h);
    mpq_clear(q);
}

/* ---- square roots -------------------------------------------------------------------- */

/* lower^2 <= a <= upper^2, and both within relative 2^(1-p) of sqrt(a), all exact. */
static void check_sqrt(const mpq_t a, mpfr_prec_t p)
{
    mpq_t lo, hi, s, f;
    mpq_inits(lo, hi, s, f, (mpq_ptr)NULL);
    qnum_sqrt_lower(lo, a, p);
    qnum_sqrt_upper(hi, a, p);
    CU_ASSERT_TRUE(mpq_sgn(lo) >= 0);
    mpq_mul(s, lo, lo);
    CU_ASSERT_TRUE(mpq_cmp(s, a) <= 0);
    mpq_mul(s, hi, hi);
    CU_ASSERT_TRUE(mpq_cmp(s, a) >= 0);
    /* hi <= sqrt(a)(1 + 2^(1-p))  <=>  hi^2 <= a (1 + 2^(1-p))^2 */
    mpq_set_ui(f, 1, 1);
    mpq_div_2exp(f, f, (mp_bitcnt_t)(p - 1));
    mpq_t one;
    mpq_init(one);
    mpq_set_ui(one, 1, 1);
    mpq_add(f, one, f);
    mpq_mul(f, f, f);
    mpq_mul(f, f, a);
    CU_ASSERT_TRUE(mpq_cmp(s, f) <= 0);
    /* lo >= sqrt(a)(1 - 2^(1-p))  <=>  lo^2 >= a (1 - 2^(1-p))^2 (for p >= 2) */
    if (p >= 2) {
        mpq_set_ui(f, 1, 1);
        mpq_div_2exp(f, f, (mp_bitcnt_t)(p - 1));
        mpq_sub(f, one, f);
        mpq_mul(f, f, f);
        mpq_mul(f, f, a);
        mpq_mul(s, lo, lo);
        CU_ASSERT_TRUE(mpq_cmp(s, f) >= 0);
    }
    mpq_clear(one);
    /* aliasing r == a */
    mpq_set(s, a);
    qnum_sqrt_upper(s, s, p);
    CU_ASSERT_TRUE(mpq_equal(s, hi));
    mpq_clears(lo, hi, s, f, (mpq_ptr)NULL);
}

static void test_sqrt(void)
{
    seed(5);
    mpq_t a, r;
    mpq_init(a);
    mpq_init(r);
    mpfr_prec_t precs[] = {2, 3, 10, 24, 53, 64, 113, 300, 1000};
    for (int t = 0; t < 3000; t++) {
        mpz_set_si(mpq_numref(a), rnd_range(0, 1000000000L));
        mpz_set_si(mpq_denref(a), rnd_range(1, 1000000000L));
        mpq_canonicalize(a);
        if (t % 5 == 0) {   /* extreme magnitudes */
            mpq_t p10;
            mpq_init(p10);
            qnum_pow10(p10, rnd_range(-3000, 3000));
            mpq_mul(a, a, p10);
            mpq_clear(p10);
        }
        check_sqrt(a, precs[t % 9]);
    }
    /* exact squares are exact; zero */
    mpq_set_ui(a, 9, 4);
    qnum_sqrt_upper(r, a, 10);
    CU_ASSERT_EQUAL(mpq_cmp_ui(r, 3, 2), 0);
    qnum_sqrt_lower(r, a, 10);
    CU_ASSERT_EQUAL(mpq_cmp_ui(r, 3, 2), 0);
    mpq_set_ui(a, 0, 1);
    qnum_sqrt_upper(r, a, 53);
    CU_ASSERT_EQUAL(mpq_sgn(r), 0);
    check_sqrt(a, 53);
    /* sqrt 2 at 53 bits: the bounds are adjacent 54-bit dyadics */
    mpq_set_ui(a, 2, 1);
    mpq_t lo, hi;
    mpq_init(lo);
    mpq_init(hi);
    qnum_sqrt_lower(lo, a, 53);
    qnum_sqrt_upper(hi, a, 53);
    mpq_sub(r, hi, lo);
    mpq_mul_2exp(r, r, 53);
    CU_ASSERT_EQUAL(mpq_cmp_ui(r, 1, 1), 0);
    mpq_clear(lo);
    mpq_clear(hi);
    mpq_set_si(a, -1, 2);
    TU_EXPECT_ERROR(qnum_sqrt_upper(r, a, 53));
    TU_EXPECT_ERROR(qnum_sqrt_lower(r, a, 53));
    mpq_set_ui(a, 2, 1);
    TU_EXPECT_ERROR(qnum_sqrt_upper(r, a, 0));
    mpq_clear(a);
    mpq_clear(r);
}

/* ---- powers of ten and MPFR ---------------------------------------------------------- */

static void test_pow10_mpfr(void)
{
    mpq_t q, e;
    mpq_init(q);
    mpq_init(e);
    qnum_pow10(q, 0);
    CU_ASSERT_EQUAL(mpq_cmp_ui(q, 1, 1), 0);
    qnum_pow10(q, 5);
    CU_ASSERT_EQUAL(mpq_cmp_ui(q, 100000, 1), 0);
    qnum_pow10(q, -3);
    CU_ASSERT_EQUAL(mpq_cmp_ui(q, 1, 1000), 0);
    for (long k = -50; k <= 50; k++) {   /* 10^k 10^-k = 1 and 10^k = 10 10^(k-1) */
        qnum_pow10(q, k);
        qnum_pow10(e, -k);
        mpq_mul(e, e, q);
        CU_ASSERT_EQUAL(mpq_cmp_ui(e, 1, 1), 0);
        qnum_pow10(e, k - 1);
        mpq_t ten;
        mpq_init(ten);
        mpq_set_ui(ten, 10, 1);
        mpq_mul(e, e, ten);
        mpq_clear(ten);
        CU_ASSERT_TRUE(mpq_equal(e, q));
    }
    TU_EXPECT_ERROR(qnum_pow10(q, 10000001L));
    TU_EXPECT_ERROR(qnum_pow10(q, -10000001L));

    mpfr_t x;
    mpfr_init2(x, 64);
    mpq_set_si(q, -7, 3);
    int ter = qnum_get_mpfr(x, q, MPFR_RNDU);
    CU_ASSERT_TRUE(ter > 0);
    qnum_set_mpfr(e, x);
    CU_ASSERT_TRUE(mpq_cmp(e, q) > 0);
    mpq_set_si(q, -7, 4);
    CU_ASSERT_EQUAL(qnum_get_mpfr(x, q, MPFR_RNDN), 0);
    qnum_set_mpfr(e, x);
    CU_ASSERT_TRUE(mpq_equal(e, q));
    mpfr_set_nan(x);
    TU_EXPECT_ERROR(qnum_set_mpfr(e, x));
    mpfr_clear(x);
    mpq_clear(q);
    mpq_clear(e);
}

int main(void)
{
    static const tu_test T[] = {
        {"parse values (vs pow10 and fractions)", test_parse_values},
        {"parse errors", test_parse_errors},
        {"set_d/get_d round trip", test_set_get_d_roundtrip},
        {"get_d correctly rounded (vs IEEE)", test_get_d_correct_rounding},
        {"get_str printing rule", test_get_str},
        {"get_str_sig (vs printf)", test_get_str_sig},
        {"sqrt bounds", test_sqrt},
        {"pow10 and MPFR conversion", test_pow10_mpfr},
        {NULL, NULL}};
    return tu_run("qnum", 31415926UL, T);
}
