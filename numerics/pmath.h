/* pmath — portable double elementary functions: the same bits on every IEEE-754 machine.
 *
 * glibc's libm picks, per CPU, between FMA and non-FMA variants of exp, log, pow, sin,
 * cos, atan2 ... whose results may differ in the last bit; a table computed from them is
 * then reproducible only on the machine that made it.  These functions are built only
 * from IEEE-754 double + - * / and sqrt (each correctly rounded, so the same everywhere),
 * in one fixed order, with exact bit manipulation for the exponent; pmath.c is compiled
 * with -ffp-contract=off (no fused multiply-add), and x86-64 evaluates double in SSE2
 * registers (no x87 excess precision).  No table of the library, no libm call.
 *
 * Method: argument reduction (Cody-Waite with a split constant, exact by Sterbenz's
 * lemma), then a fixed Taylor polynomial on the reduced range, with the leading terms
 * carried in double-double (Dekker's exact product, Knuth's two-sum) so that the one final
 * rounding dominates the error.  The error bounds below are the maxima measured against
 * MPFR (correctly rounded) in tests/test_pmath.c on a fixed sample of the whole range plus
 * the special values, and asserted there; a function is not correctly rounded.
 *
 * Special values follow C99 Annex F: NaN in -> NaN out; exp(+-Inf) = +Inf / +0; log(0) =
 * -Inf, log(x < 0) = NaN; tanh(+-Inf) = +-1; erfc(+Inf) = 0, erfc(-Inf) = 2;
 * sin/cos(+-Inf) = NaN; signed zeros are kept (exp(-0) = 1, log1p(-0) = -0, sin(-0) = -0,
 * tanh(-0) = -0, expm1(-0) = -0).  No errno, no floating-point exception contract.
 */
#ifndef PMATH_H
#define PMATH_H

/* e^x.  Overflow (x > 709.78...) gives +Inf, underflow gives 0 or a subnormal.
 * Error <= 1 ulp (subnormal results: <= 1 ulp of the subnormal grid). */
double pmath_exp(double x);

/* e^x - 1, accurate for small |x| (relative error near 0).  Error <= 1 ulp. */
double pmath_expm1(double x);

/* Natural logarithm, x > 0 (subnormals included).  Error <= 1 ulp. */
double pmath_log(double x);

/* log(1 + x), x >= -1, accurate for small |x|; log1p(-1) = -Inf.  Error <= 1 ulp. */
double pmath_log1p(double x);

/* Hyperbolic tangent, -t/(t + 2) with t = expm1(-2|x|) in double-double.  Error <= 1 ulp. */
double pmath_tanh(double x);

/* Complementary error function 1 - erf(x), relative error for large x (underflows to 0
 * past x = 27.3); 2 - erfc(-x) for x < 0.  |x| <= 1.5: 1 - erf(x) by erf's Taylor series in
 * double-double; x > 1.5: Laplace's continued fraction of e^(x^2) erfc(x) at a fixed
 * depth 8 + 320/x^2, times e^(-x^2) in double-double.  Error <= 1 ulp. */
double pmath_erfc(double x);

/* sin x and cos x for |x| <= 2^20 pi/2 ~ 1.6e6 (a four-part pi/2, double-double reduced
 * argument, so correct even next to a multiple of pi/2); larger finite |x| returns NaN
 * (not needed by the suite; documented domain).  Error <= 1 ulp. */
double pmath_sin(double x);
double pmath_cos(double x);

/* atan2(y, x) in [-pi, pi] (C99 Annex F quadrant, infinity and signed-zero rules): the
 * ratio t = min/max of |x|, |y| in double-double, atan t = atan(j/8) + atan(u) with
 * u = (t - j/8)/(1 + t j/8), |u| <= 1/16 (Taylor to u^19), then pi/2 - . or pi - .
 * in double-double.  Error <= 1 ulp. */
double pmath_atan2(double y, double x);

/* x^n by binary exponentiation: the fixed multiply chain of the bits of |n| from the
 * lowest (square, multiply), then 1/result for n < 0 (when |x|^|n| overflows: the same
 * chain on 1/x, so powi(2, -1074) = 2^-1074).  powi(x, 0) = 1 for every x (NaN
 * included).  Error: about |n|'s bit length ulps (no claim of correct rounding); the
 * result is the same on every IEEE machine, which is what the suite needs. */
double pmath_powi(double x, long n);

#endif
