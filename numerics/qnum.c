/* qnum — see qnum.h. */
#include "qnum.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aeerr.h"

/* Exponents are accumulated with saturation at this bound, far above QNUM_MAX_EXP, so a
 * literal like 1e99999999999999999999 cannot overflow a long long. */
#define EXP_SATURATE 1000000000000LL

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

long qnum_decimal_digits(const char *s)
{
    if (s == NULL) {
        ae_error("qnum_decimal_digits", "s is NULL");
        return 0;
    }
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    /* significant digits: from the first nonzero digit to the last nonzero digit */
    long first = -1, last = -1, k = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (; is_digit(*p); p++, k++)
            if (*p != '0') {
                if (first < 0)
                    first = k;
                last = k;
            }
        if (pass == 0 && *p == '.')
            p++;
        else
            break;
    }
    return first < 0 ? 0 : last - first + 1;
}

int qnum_set_decimal(mpq_t q, const char *s, const char **end)
{
    if (s == NULL) {
        ae_error("qnum_set_decimal", "s is NULL");
        return AE_EINVAL;
    }
    if (end != NULL)
        *end = s;
    const char *p = s;
    int neg = 0;
    if (*p == '+' || *p == '-')
        neg = (*p++ == '-');
    const char *int_start = p;
    while (is_digit(*p))
        p++;
    size_t nint = (size_t)(p - int_start);
    const char *frac_start = p, *frac_end = p;
    if (*p == '.') {
        frac_start = ++p;
        while (is_digit(*p))
            p++;
        frac_end = p;
    }
    size_t nfrac = (size_t)(frac_end - frac_start);
    if (nint + nfrac == 0)
        return AE_EPARSE;

    long long ex = 0;
    if (*p == 'e' || *p == 'E') {
        const char *e = p + 1;
        int eneg = 0;
        if (*e == '+' || *e == '-')
            eneg = (*e++ == '-');
        if (is_digit(*e)) {
            while (is_digit(*e)) {
                if (ex < EXP_SATURATE)
                    ex = ex * 10 + (*e - '0');
                e++;
            }
            if (eneg)
                ex = -ex;
            p = e;
        }
    }
    if (end != NULL)
        *end = p;

    /* Mantissa digits without the point; trailing zeros move into the exponent so the
     * range check is on the value, not on the spelling. */
    char *buf = ae_malloc(nint + nfrac + 1);
    memcpy(buf, int_start, nint);
    memcpy(buf + nint, frac_start, nfrac);
    size_t nd = nint + nfrac;
    while (nd > 0 && buf[nd - 1] == '0')
        nd--;
    long long tz = (long long)(nint + nfrac - nd);
    size_t lead = 0;
    while (lead < nd && buf[lead] == '0')
        lead++;
    if (lead == nd) {   /* zero, whatever the exponent */
        free(buf);
        mpq_set_ui(q, 0, 1);
        return AE_OK;
    }
    buf[nd] = '\0';
    /* value = digits * 10^(ex - nfrac + tz); nfrac is bounded by the string length. */
    long long e10 = ex + tz - (long long)nfrac;
    if ((long long)(nd - lead) > QNUM_MAX_DIGITS || e10 > QNUM_MAX_EXP || e10 < -QNUM_MAX_EXP) {
        free(buf);
        return AE_ERANGE;
    }
    mpz_t m, pw;
    mpz_init(m);
    mpz_init(pw);
    mpz_set_str(m, buf + lead, 10);
    free(buf);
    mpz_ui_pow_ui(pw, 10, (unsigned long)(e10 >= 0 ? e10 : -e10));
    if (e10 >= 0) {
        mpz_mul(mpq_numref(q), m, pw);
        mpz_set_ui(mpq_denref(q), 1);
    } else {
        mpz_swap(mpq_numref(q), m);
        mpz_swap(mpq_denref(q), pw);
        mpq_canonicalize(q);
    }
    if (neg)
        mpq_neg(q, q);
    mpz_clear(pw);
    mpz_clear(m);
    return AE_OK;
}

int qnum_parse(mpq_t q, const char *s)
{
    if (s == NULL) {
        ae_error("qnum_parse", "s is NULL");
        return AE_EINVAL;
    }
    while (isspace((unsigned char)*s))
        s++;
    mpq_t t;
    mpq_init(t);
    const char *end;
    int status = qnum_set_decimal(t, s, &end);
    if (status == AE_OK) {
        while (isspace((unsigned char)*end))
            end++;
        if (*end != '\0')
            status = AE_EPARSE;
        else
            mpq_swap(q, t);
    }
    mpq_clear(t);
    return status;
}

void qnum_set_d(mpq_t q, double x)
{
    if (!isfinite(x)) {
        ae_error("qnum_set_d", "non-finite value");
        return;
    }
    mpq_set_d(q, x);   /* exact for finite doubles */
}

double qnum_get_d(const mpq_t q)
{
    if (mpq_sgn(q) == 0)
        return 0.0;
    mpfr_t x;
    mpfr_init2(x, 53);
    mpfr_set_q(x, q, MPFR_RNDN);
    /* MPFR's exponent range is far wider than a double's, so a result >= 2^-1022 (normal)
     * is the IEEE result; above DBL_MAX mpfr_get_d gives +-Inf as IEEE would.  Below
     * (or on MPFR underflow to 0), 53-bit rounding would double-round subnormals, so
     * round |q| 2^1074 to the nearest integer (ties to even) exactly instead. */
    if (!mpfr_zero_p(x) && mpfr_get_exp(x) >= -1021) {
        double d = mpfr_get_d(x, MPFR_RNDN);
        mpfr_clear(x);
        return d;
    }
    mpfr_clear(x);
    mpz_t n, rem;
    mpz_init(n);
    mpz_init(rem);
    mpz_abs(n, mpq_numref(q));
    mpz_mul_2exp(n, n, 1074);
    mpz_fdiv_qr(n, rem, n, mpq_denref(q));
    mpz_mul_2exp(rem, rem, 1);
    int c = mpz_cmp(rem, mpq_denref(q));
    if (c > 0 || (c == 0 && mpz_odd_p(n)))
        mpz_add_ui(n, n, 1);
    double d = ldexp(mpz_get_d(n), -1074);   /* n <= 2^52: both steps exact */
    mpz_clear(rem);
    mpz_clear(n);
    return mpq_sgn(q) < 0 ? -d : d;
}

/* Sets m (|m| < 10^nd) and E such that |q| ~ m 10^(E - nd + 1), m correctly rounded
 * (ties to even) with 10^(nd-1) <= m < 10^nd.  q != 0. */
static void round_sig(mpz_t m, long *E, const mpq_t q, int nd)
{
    mpz_t a, b, rem;
    mpz_init(a);
    mpz_init(b);
    mpz_init(rem);
    /* Estimate E = floor(log10 |q|) from digit counts (off by at most 1 each), then fix
     * it by exact comparison: 10^E <= |q| < 10^(E+1). */
    long e = (long)mpz_sizeinbase(mpq_numref(q), 10) - (long)mpz_sizeinbase(mpq_denref(q), 10);
    for (;;) {
        /* |q| >= 10^e  <=>  |num| 10^max(-e,0) >= den 10^max(e,0) */
        mpz_abs(a, mpq_numref(q));
        mpz_set(b, mpq_denref(q));
        mpz_ui_pow_ui(rem, 10, (unsigned long)labs(e));
        if (e >= 0)
            mpz_mul(b, b, rem);
        else
            mpz_mul(a, a, rem);
        if (mpz_cmp(a, b) < 0) {
            e--;
            continue;
        }
        mpz_mul_ui(b, b, 10);
        if (mpz_cmp(a, b) >= 0) {
            e++;
            continue;
        }
        break;
    }
    /* m = round(|q| 10^(nd - 1 - e)) */
    long s = nd - 1 - e;
    mpz_abs(a, mpq_numref(q));
    mpz_set(b, mpq_denref(q));
    mpz_ui_pow_ui(rem, 10, (unsigned long)labs(s));
    if (s >= 0)
        mpz_mul(a, a, rem);
    else
        mpz_mul(b, b, rem);
    mpz_fdiv_qr(m, rem, a, b);
    mpz_mul_2exp(rem, rem, 1);
    int c = mpz_cmp(rem, b);
    if (c > 0 || (c == 0 && mpz_odd_p(m)))
        mpz_add_ui(m, m, 1);
    mpz_ui_pow_ui(a, 10, (unsigned long)nd);
    if (mpz_cmp(m, a) == 0) {   /* rounded up to the next power of ten */
        mpz_divexact_ui(m, m, 10);
        e++;
    }
    *E = e;
    mpz_clear(rem);
    mpz_clear(b);
    mpz_clear(a);
}

/* "[-]d.ddd" from the nd-digit string ds, then "e[+-]XX". */
static char *format_sci(int neg, const char *ds, int nd, long E)
{
    size_t len = (size_t)nd + 32;
    char *out = ae_malloc(len);
    char *p = out;
    if (neg)
        *p++ = '-';
    *p++ = ds[0];
    if (nd > 1) {
        *p++ = '.';
        memcpy(p, ds + 1, (size_t)nd - 1);
        p += nd - 1;
    }
    snprintf(p, len - (size_t)(p - out), "e%c%02ld", E < 0 ? '-' : '+', labs(E));
    return out;
}

char *qnum_get_str_sig(const mpq_t q, int ndigits)
{
    if (ndigits < 1 || ndigits > 100000) {
        ae_error("qnum_get_str_sig", "ndigits %d outside [1, 100000]", ndigits);
        return NULL;
    }
    char *ds = ae_malloc((size_t)ndigits + 2);
    long E = 0;
    if (mpq_sgn(q) == 0) {
        memset(ds, '0', (size_t)ndigits);
        ds[ndigits] = '\0';
    } else {
        mpz_t m;
        mpz_init(m);
        round_sig(m, &E, q, ndigits);
        mpz_get_str(ds, 10, m);   /* exactly ndigits digits */
        mpz_clear(m);
    }
    char *out = format_sci(mpq_sgn(q) < 0, ds, ndigits, E);
    free(ds);
    return out;
}

char *qnum_get_str(const mpq_t q)
{
    if (mpq_sgn(q) == 0) {
        char *z = ae_malloc(2);
        z[0] = '0';
        z[1] = '\0';
        return z;
    }
    /* mpz_sizeinbase may exceed the digit count by one: a cheap filter first. */
    size_t est = mpz_sizeinbase(mpq_numref(q), 10) + mpz_sizeinbase(mpq_denref(q), 10);
    if (est <= 42) {
        char num[48], den[48];
        mpz_get_str(num, 10, mpq_numref(q));
        mpz_get_str(den, 10, mpq_denref(q));
        size_t nn = strlen(num) - (num[0] == '-'), dn = strlen(den);
        if (nn + dn <= 40) {
            int isint = mpz_cmp_ui(mpq_denref(q), 1) == 0;
            size_t len = strlen(num) + (isint ? 0 : dn + 1) + 1;
            char *out = ae_malloc(len);
            /* built with memcpy: len is exact, and gcc's -Wformat-truncation cannot see it */
            size_t k = strlen(num);
            memcpy(out, num, k);
            if (!isint) {
                out[k++] = '/';
                memcpy(out + k, den, dn);
                k += dn;
            }
            out[k] = '\0';
            return out;
        }
    }
    char *sig = qnum_get_str_sig(q, 17);
    size_t len = strlen(sig) + 2;
    char *out = ae_malloc(len);
    out[0] = '~';
    memcpy(out + 1, sig, len - 1);
    free(sig);
    return out;
}

/* r = sqrt(a) exactly if a is the square of a rational; returns 1 then. */
static int exact_sqrt(mpq_t r, const mpq_t a)
{
    if (!mpz_perfect_square_p(mpq_numref(a)) || !mpz_perfect_square_p(mpq_denref(a)))
        return 0;
    mpz_sqrt(mpq_numref(r), mpq_numref(a));   /* gcd stays 1: r canonical */
    mpz_sqrt(mpq_denref(r), mpq_denref(a));
    return 1;
}

static void sqrt_directed(mpq_t r, const mpq_t a, mpfr_prec_t p, mpfr_rnd_t rnd,
                          const char *func)
{
    if (mpq_sgn(a) < 0) {
        ae_error(func, "negative argument");
        return;
    }
    if (p < MPFR_PREC_MIN || p >= MPFR_PREC_MAX) {
        ae_error(func, "precision %ld out of range", (long)p);
        return;
    }
    if (exact_sqrt(r, a))
        return;
    /* Two directed roundings at p+1 bits: relative error < 2^-(p+1) (from a, halved by
     * the square root) + 2^-p (the root) + a second-order term < 2^(1-p). */
    mpfr_t x;
    mpfr_init2(x, p + 1);
    mpfr_set_q(x, a, rnd);
    mpfr_sqrt(x, x, rnd);
    mpfr_get_q(r, x);
    mpfr_clear(x);
}

void qnum_sqrt_upper(mpq_t r, const mpq_t a, mpfr_prec_t p)
{
    sqrt_directed(r, a, p, MPFR_RNDU, "qnum_sqrt_upper");
}

void qnum_sqrt_lower(mpq_t r, const mpq_t a, mpfr_prec_t p)
{
    sqrt_directed(r, a, p, MPFR_RNDD, "qnum_sqrt_lower");
}

void qnum_pow10(mpq_t q, long e)
{
    if (e > 10000000L || e < -10000000L) {
        ae_error("qnum_pow10", "exponent %ld too large", e);
        return;
    }
    mpz_ui_pow_ui(mpq_numref(q), 10, (unsigned long)labs(e));
    mpz_set_ui(mpq_denref(q), 1);
    if (e < 0)
        mpq_inv(q, q);
}

void qnum_set_mpfr(mpq_t q, const mpfr_t x)
{
    if (!mpfr_number_p(x)) {
        ae_error("qnum_set_mpfr", "NaN or infinite value");
        return;
    }
    mpfr_get_q(q, x);
}

int qnum_get_mpfr(mpfr_t x, const mpq_t q, mpfr_rnd_t rnd)
{
    return mpfr_set_q(x, q, rnd);
}
