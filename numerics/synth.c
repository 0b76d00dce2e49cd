/* synth — see synth.h. */
#include "synth.h"
#include "aeerr.h"
#include "pmath.h"

#include <math.h>
#include <string.h>

static const char *const names[] = {
    "diagonal", "diagonal-noisy", "two-clusters", "ring", "plane3d"
};
#define NNAMES ((int) (sizeof names / sizeof names[0]))

static int find(const char *name)
{
    for (int i = 0; name != NULL && i < NNAMES; i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    return -1;
}

long synth_dim(const char *name)
{
    int k = find(name);
    return k < 0 ? 0 : k == 4 ? 3 : 2;
}

const char *synth_name(int i)
{
    return i >= 0 && i < NNAMES ? names[i] : NULL;
}

/* Rounds to the nearest multiple of 2^-20 (ties away from zero): exact in float32 for
 * |v| < 8, and the rounding itself is exact in double. */
static double grid(double v)
{
    return round(v * 1048576.0) / 1048576.0;
}

double synth_gaussian(gsl_rng *r, double sigma)
{
    double x, y, r2;
    do {
        x = -1 + 2 * gsl_rng_uniform_pos(r);
        y = -1 + 2 * gsl_rng_uniform_pos(r);
        r2 = x * x + y * y;
    } while (r2 > 1.0 || r2 == 0);
    return sigma * y * sqrt(-2.0 * pmath_log(r2) / r2);   /* sqrt is IEEE-exact everywhere */
}

int synth_make(double *X, long *labels, const char *name, long n, unsigned long seed)
{
    int k = find(name);
    if (k < 0 || n < 0 || (n > 0 && X == NULL)) {
        ae_error("synth_make", "unknown data set '%s' or bad size %ld", name ? name : "(null)", n);
        return AE_EINVAL;
    }
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (r == NULL) {
        ae_error("synth_make", "out of memory");
        return AE_ENOMEM;
    }
    gsl_rng_set(r, seed);
    const double sd = 0.05;
    for (long i = 0; i < n; i++) {
        double *x = X + i * (k == 4 ? 3 : 2);
        long lab = 0;
        switch (k) {
        case 0:
            x[0] = x[1] = grid(gsl_rng_uniform(r));
            break;
        case 1: {
            double t = gsl_rng_uniform(r);
            x[0] = grid(t + synth_gaussian(r, sd));
            x[1] = grid(t + synth_gaussian(r, sd));
            break;
        }
        case 2: {
            lab = i >= n / 2;
            double c = lab ? 0.75 : 0.25;
            x[0] = grid(c + synth_gaussian(r, sd));
            x[1] = grid(c + synth_gaussian(r, sd));
            break;
        }
        case 3: {
            double rad = 1 + synth_gaussian(r, sd);
            double ang = 2 * 3.14159265358979323846 * gsl_rng_uniform(r);
            x[0] = grid(rad * pmath_cos(ang));
            x[1] = grid(rad * pmath_sin(ang));
            break;
        }
        default: {
            double u = grid(2 * gsl_rng_uniform(r) - 1), v = grid(2 * gsl_rng_uniform(r) - 1);
            x[0] = u;
            x[1] = v;
            x[2] = (u + v) / 2;   /* exact: a multiple of 2^-21, |.| <= 1 */
            break;
        }
        }
        if (labels != NULL)
            labels[i] = lab;
    }
    gsl_rng_free(r);
    return AE_OK;
}
