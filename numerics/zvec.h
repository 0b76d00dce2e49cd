/* zvec — arrays of GMP integers, the scratch vectors of the exact integer kernels
 * (common-denominator evaluation in qmat, linae, pca, score, reig).
 *
 * zvec_init(n) returns n initialised mpz_t set to 0 (n >= 0; out of memory goes through
 * the project error handler); zvec_clear(v, n) clears and frees them (v may be NULL). */
#ifndef ZVEC_H
#define ZVEC_H

#include <gmp.h>

mpz_t *zvec_init(long n);
void zvec_clear(mpz_t *v, long n);

#endif
