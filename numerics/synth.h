/* synth — the paper's synthetic 2-D (and one 3-D) data sets, drawn from a seed.
 *
 * Every coordinate is a multiple of 2^-21 of magnitude < 8, so it is exactly a float32
 * and a double and a short dyadic rational: the exact analysis, the float32 network and
 * the double reference all see the same points.  Draws come from GSL's mt19937 seeded
 * with seed, in a fixed order, so a (name, seed, n) triple always gives the same data,
 * on every machine: the Gaussians are synth_gaussian's, the ring's angles go through
 * pmath_cos/pmath_sin (no glibc transcendental, whose bits depend on the CPU).
 *
 *   diagonal        x = (t, t), t ~ U[0, 1]: the line x2 = x1 (label 0)
 *   diagonal-noisy  x = (t, t) + N(0, 0.05^2 I) (label 0)
 *   two-clusters    half the points around (0.25, 0.25), half around (0.75, 0.75), each
 *                   N(centre, 0.05^2 I); labels 0 and 1 (first half 0)
 *   ring            radius 1 + N(0, 0.05^2), angle ~ U[0, 2 pi), centred at 0 (label 0)
 *   plane3d         x = (u, v, (u + v)/2), u, v ~ U[-1, 1]: exactly on the plane
 *                   x3 = (x1 + x2)/2 in R^3 (label 0)
 */
#ifndef SYNTH_H
#define SYNTH_H

#include <gsl/gsl_rng.h>

/* The paper's sample size. */
#define SYNTH_N 100

/* The dimension of the named set (2, or 3 for plane3d), or 0 for an unknown name. */
long synth_dim(const char *name);

/* The i-th name (i = 0..4), NULL past the end: for help texts and loops. */
const char *synth_name(int i);

/* X (n x synth_dim(name), row-major) and labels (n entries, may be NULL) for the named
 * set with n >= 0 points from seed.  Returns AE_OK; an unknown name or n < 0 is misuse
 * (ae_error, AE_EINVAL). */
int synth_make(double *X, long *labels, const char *name, long n, unsigned long seed);

/* One N(0, sigma^2) draw from r by Marsaglia's polar method, the algorithm and draw order
 * of GSL's gsl_ran_gaussian (x, y = 2 U(0,1] - 1 until 0 < r2 = x^2 + y^2 <= 1, then
 * sigma y sqrt(-2 log(r2) / r2)), with pmath_log for glibc's log: the same bits on every
 * x86-64 (glibc's log has FMA and non-FMA variants chosen per CPU), and within an ulp or
 * two of gsl_ran_gaussian, which it leaves in the same generator state. */
double synth_gaussian(gsl_rng *r, double sigma);

#endif
