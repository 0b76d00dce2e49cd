/* p1model — the measurements of claim P1: an exact zero-score anomaly a(c) = m + c v of a
 * linear AE scored in every format of the audit for c = 10^e0 ... 10^(e0 + ne - 1), the
 * first c at which the computed score exceeds s_min or stops being finite, and the
 * IEEE 754 prediction of that overflow point.
 *
 * The linear AE f(x) = W_d (W_e x + b_e) + b_d becomes a two-layer identity network
 * (fmteval.h: z = b_e + W_e x, y = b_d + W_d z, score sum (x_i - y_i)^2 in i order) whose
 * exact rational weights are rounded into each format; a(c) is formed exactly and rounded
 * into the format by fmtnet_score.
 *
 * The prediction (a log10 estimate from the format's largest finite value MAX and the
 * magnitudes involved).  The computed residual x - f(x) is rounding error proportional to
 * c, so the score grows like rho c^2; rho is measured, as the geometric mean of s(c)/c^2
 * over the grid points with c >= 100 and s(c) > 0, on the same computation at the same
 * precision with MPFR's unbounded exponent (a shadow format that cannot overflow).  The
 * score overflows at the first grid c with rho c^2 >= MAX, i.e. log10 c >=
 * (log10 MAX - log10 rho)/2; independently the input a(c) itself overflows at the first
 * c with c ||v||_inf >= MAX, after which x - f(x) is Inf - Inf or Inf*0 = NaN.  The
 * predicted overflow exponent is the smaller of the two, rounded up onto the grid.
 */
#ifndef P1MODEL_H
#define P1MODEL_H

#include <gmp.h>
#include <mpfr.h>

#include "fmteval.h"
#include "linae.h"

#define P1_NFMT 9
/* float32, float64, longdouble, binary128, mpfr24, mpfr53, mpfr113, mpfr256, mpfr1024 */
extern const fmt_t p1_formats[P1_NFMT];
/* Output precision that holds every format's result exactly (bits). */
#define P1_OUT_PREC 1024

/* F (initialised here) = the linear AE ae as a two-layer identity network in format f. */
int p1_linae_net(fmtnet_t F, fmt_t f, const linae_t ae);

/* s[i] (initialised by the caller, >= fmt_prec bits) = the score of a = m + 10^(e0+i) v
 * computed by F, for i = 0..ne-1; m, v of length d = F's input width. */
int p1_curve(mpfr_t *s, const fmtnet_t F, const mpq_t *m, const mpq_t *v, long d, long e0,
             long ne);

/* The first i with s[i] > smin (Inf counts, NaN does not), or -1. */
long p1_first_detect(mpfr_t *s, long ne, const mpq_t smin);
/* The first i with s[i] Inf or NaN, or -1. */
long p1_first_overflow(mpfr_t *s, long ne);

/* The predicted first overflow index (see top) for C format f (FMT_F32 .. FMT_F128; -1 for
 * MPFR formats, which do not overflow) from the shadow curve su (same precision, unbounded
 * exponent, grid e0..e0+ne-1) and the direction v (length d); -1 when beyond the grid.
 * *log10_rho gets log10 rho (NAN when no grid point gives it). */
long p1_predict_overflow(double *log10_rho, fmt_t f, mpfr_t *su, long ne, long e0,
                         const mpq_t *v, long d);

#endif
