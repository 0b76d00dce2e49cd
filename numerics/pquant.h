/* pquant — portable quantiles of the normal, chi-square and F distributions (MPFR).
 *
 * GSL's gsl_cdf_*_Pinv call glibc's exp, log, pow and lgamma, whose FMA and non-FMA
 * variants are chosen per CPU and may differ in the last bit; a control limit computed
 * with them, and every table that shows it, would then depend on the machine.  Here the
 * distribution function F is evaluated in MPFR at PQUANT_PREC bits with a fixed algorithm
 * (each MPFR operation correctly rounded, so the same value on every machine and MPFR
 * version), and the quantile is found by bisection over the ordered doubles:
 *
 *     q(p) = the smallest double x with F~(x) >= p,
 *
 * F~ the MPFR evaluation (|F~ - F| < 2^-150 by the truncation rules below).  So q(p) is
 * within one ulp of the true quantile wherever the density is not tiny, and bit-identical
 * everywhere.  The bracket is fixed (a doubling sequence from a fixed start), the number
 * of bisection steps is at most 64: a quantile costs a few ms.
 *
 * Distribution functions (a = nu/2 etc.):
 *   normal   F(x) = erfc(-x / sqrt 2) / 2                                (mpfr_erfc)
 *   chi2_nu  F(x) = P(a, x/2) = (x/2)^a e^(-x/2) / Gamma(a+1) sum_n (x/2)^n / ((a+1)..(a+n))
 *            (all terms positive; summed until a term is below 2^-160 of the sum past the
 *            peak, n > x/2)
 *   F_{n1,n2} F(x) = I_z(n1/2, n2/2), z = n1 x / (n1 x + n2): the incomplete beta's
 *            continued fraction (modified Lentz), or 1 - I_{1-z}(b, a) when
 *            z > (a+1)/(a+b+2), until |delta - 1| < 2^-160.
 * An evaluation that would need more than PQUANT_MAXIT terms gives AE_ERANGE.
 */
#ifndef PQUANT_H
#define PQUANT_H

#define PQUANT_PREC 192
#define PQUANT_MAXIT 2000000L

/* *x = q(p) of the standard normal, 0 < p < 1.  AE_OK; p outside (0, 1) or x NULL is
 * misuse (ae_error, AE_EINVAL). */
int pquant_norm(double *x, double p);

/* *x = q(p) of chi-square with nu > 0 (real) degrees of freedom, 0 < p < 1.  AE_OK,
 * AE_ERANGE (no finite bracket, or too many terms); misuse AE_EINVAL. */
int pquant_chi2(double *x, double p, double nu);

/* *x = q(p) of Fisher's F with nu1, nu2 > 0 degrees of freedom, 0 < p < 1.  As above. */
int pquant_f(double *x, double p, double nu1, double nu2);

/* x^y correctly rounded (mpfr_pow, round to nearest), for the same reason: glibc's pow
 * differs by CPU.  C99 special cases as mpfr_pow. */
double pquant_pow(double x, double y);

#endif
