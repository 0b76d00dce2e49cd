/* libFuzzer harness: qnum_set_decimal / qnum_parse on arbitrary NUL-terminated text;
 * the result must round-trip through the exact printing of p/q. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <gmp.h>
#include "aeerr.h"
#include "qnum.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    mpq_t q;
    mpq_init(q);
    const char *end;
    int st = qnum_set_decimal(q, s, &end);
    if (st == AE_OK) {
        if (end <= s || end > s + size)
            __builtin_trap();
        /* the value is bounded by the caps: numerator/denominator digits */
        if (mpz_sizeinbase(mpq_numref(q), 10) > QNUM_MAX_DIGITS + QNUM_MAX_EXP + 2
            || mpz_sizeinbase(mpq_denref(q), 10) > QNUM_MAX_EXP + 2)
            __builtin_trap();
        (void) qnum_get_d(q);
    } else if (st != AE_EPARSE && st != AE_ERANGE) {
        __builtin_trap();
    }
    (void) qnum_parse(q, s);
    (void) qnum_decimal_digits(s);
    mpq_clear(q);
    free(s);
    return 0;
}
