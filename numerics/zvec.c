/* zvec — see zvec.h. */
#include "zvec.h"

#include <stdlib.h>

#include "aeerr.h"

mpz_t *zvec_init(long n)
{
    mpz_t *v = ae_malloc((size_t) (n > 0 ? n : 1) * sizeof(mpz_t));
    for (long i = 0; i < n; i++)
        mpz_init(v[i]);
    return v;
}

void zvec_clear(mpz_t *v, long n)
{
    if (v == NULL)
        return;
    for (long i = 0; i < n; i++)
        mpz_clear(v[i]);
    free(v);
}
