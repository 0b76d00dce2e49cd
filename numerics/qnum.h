/* qnum — single exact rationals (GMP mpq_t): exact decimal parsing, exact conversion
 * from doubles, correctly rounded conversion to doubles and decimal text, rigorous
 * rational bounds on square roots, exact powers of ten.
 *
 * Every mpq_t argument must be initialised (mpq_init); every result is canonical
 * (reduced, positive denominator).  Unless stated otherwise an output may alias an input.
 * Errors follow aeerr.h: malformed text is a return value (AE_EPARSE / AE_ERANGE),
 * caller misuse calls ae_error and then returns (AE_EINVAL for int functions).
 */
#ifndef QNUM_H
#define QNUM_H

#include <gmp.h>
#include <mpfr.h>

/* Caps of qnum_set_decimal, so that a short literal can never cost unbounded memory or
 * time.  Writing a nonzero literal's value as m 10^e with m an integer not divisible by
 * 10, m has at most QNUM_MAX_DIGITS digits and |e| <= QNUM_MAX_EXP.
 * - Digits: real data sets carry <= 20 significant digits and 17 already identify any
 *   double; 100 leaves ample room while keeping each value (and every product the exact
 *   verifications form from it) small.
 * - Exponent: doubles span about 1e-324 (smallest subnormal) to 1e308, so no value whose
 *   exponent exceeds 400 can be data meant for these claims; 10^400 is 1329 bits, so a
 *   5-byte field like "1e400" costs at most about 200 bytes exact (a bounded multiple of
 *   the text), where the old bound 100000 let "1e99999" cost 41 KB. */
#define QNUM_MAX_DIGITS 100L
#define QNUM_MAX_EXP 400L

/* Parses a decimal literal  [+-]digits[.digits][(e|E)[+-]digits]  (at least one digit
 * in the mantissa, before or after the point: "5." and ".5" are accepted) at the start of
 * s -- no leading white space is skipped -- and sets q to its exact value (never via
 * double).
 * Returns AE_OK; AE_EPARSE if s does not start with such a literal ("", "nan", "inf",
 * "abc", ".", "-"); AE_ERANGE if the literal is well formed and nonzero but, writing its
 * value as m 10^e with m an integer not divisible by 10, m has more than QNUM_MAX_DIGITS
 * digits or |e| > QNUM_MAX_EXP (e.g. "1e999999999", "1e-401"; zero is never out of
 * range; qnum_decimal_digits tells the two apart).  The work is linear in the length of
 * the literal and the result is bounded by the caps.  q is unchanged unless
 * AE_OK.  An exponent marker not followed by digits is not part of the literal ("1e"
 * parses as 1 with *end at the 'e').
 * If end != NULL, *end = the first character not consumed (= s on AE_EPARSE, just past
 * the literal otherwise, also on AE_ERANGE).  Trailing characters are the caller's
 * business ("1.2.3" stops at the second '.'); qnum_parse is the whole-string variant.
 * s == NULL is misuse. */
int qnum_set_decimal(mpq_t q, const char *s, const char **end);

/* The number of digits of m in the value m 10^e (m not divisible by 10) of the decimal
 * literal at the start of s (0 for zero or when s does not start with a literal): the
 * quantity qnum_set_decimal compares with QNUM_MAX_DIGITS.  Syntax only, linear time.
 * s == NULL is misuse (returns 0). */
long qnum_decimal_digits(const char *s);

/* As qnum_set_decimal, but the whole string must be the literal (optionally surrounded by
 * ASCII white space); anything else is AE_EPARSE ("1.2.3", "12abc", "").  q unchanged on
 * error. */
int qnum_parse(mpq_t q, const char *s);

/* q = x exactly (every finite double is a dyadic rational).  NaN or Inf is misuse
 * (ae_error; q unchanged). */
void qnum_set_d(mpq_t q, double x);

/* The double nearest to q (round to nearest, ties to even), computed via MPFR, so
 * qnum_get_d(qnum_set_d(x)) == x for every finite x.  Overflow gives +-Inf, underflow
 * gives a correctly rounded subnormal or +-0 (as IEEE round-to-nearest would). */
double qnum_get_d(const mpq_t q);

/* The project's printing rule.  Zero -> "0".  If the decimal digits of |numerator| plus
 * the decimal digits of the denominator total <= 40: the reduced fraction "p/q", or the
 * integer "p" when q == 1 (with a leading '-' if negative).  Otherwise '~' followed by
 * qnum_get_str_sig(q, 17), i.e. the value correctly rounded to 17 significant digits:
 * "~1.2345678901234567e-30", "~-3.0000000000000000e+50" (the '~' marks a rounded value
 * and always comes first).  The result is malloc'ed; the caller frees it with free().
 * Never returns NULL (allocation failure goes through ae_malloc). */
char *qnum_get_str(const mpq_t q);

/* |q| correctly rounded to ndigits significant decimal digits (to nearest, ties to even;
 * computed exactly with integers), in scientific notation "[-]d.ddd...e[+-]XX" with at
 * least two exponent digits ("de[+-]XX" when ndigits == 1).  Zero gives "0" followed by
 * the same layout ("0.000e+00" for ndigits = 4).  No '~'.  ndigits must be in
 * [1, 100000] (else misuse, returns NULL).  Caller frees with free(). */
char *qnum_get_str_sig(const mpq_t q, int ndigits);

/* Rigorous rational bounds on sqrt(a) for a >= 0: qnum_sqrt_upper sets r >= sqrt(a),
 * qnum_sqrt_lower sets 0 <= r <= sqrt(a); in both cases |r - sqrt(a)| <= 2^(1-p) sqrt(a).
 * If a = (n/d)^2 is the square of a rational (in particular a = 0), r = n/d exactly.
 * Otherwise r is computed by MPFR at precision p+1 with directed rounding (a rounded
 * in the same direction, then the square root), so r is a dyadic rational with at most
 * p+1 significant bits; the two roundings together stay within the stated bound.
 * r may alias a.  a < 0, p < MPFR_PREC_MIN or p >= MPFR_PREC_MAX is misuse
 * (r unchanged). */
void qnum_sqrt_upper(mpq_t r, const mpq_t a, mpfr_prec_t p);
void qnum_sqrt_lower(mpq_t r, const mpq_t a, mpfr_prec_t p);

/* q = 10^e exactly (e may be negative).  |e| > 10^7 is misuse (q unchanged);
 * this guards against accidental gigabyte-sized results. */
void qnum_pow10(mpq_t q, long e);

/* Exact conversions between MPFR numbers and rationals.  qnum_set_mpfr: q = x exactly
 * (x finite; NaN/Inf is misuse).  qnum_get_mpfr: x = q rounded in direction rnd at x's
 * own precision; returns the MPFR ternary value (sign of x - q). */
void qnum_set_mpfr(mpq_t q, const mpfr_t x);
int  qnum_get_mpfr(mpfr_t x, const mpq_t q, mpfr_rnd_t rnd);

#endif
