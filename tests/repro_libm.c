/* repro_libm — a probe for tests/repro.sh: one FNV-1a checksum of the bits of each of
 * glibc's exp, log, pow, sin, cos, tan, atan, atan2, expm1, log1p, tanh, erf, erfc, lgamma
 * and of pmath's functions over 10^5 fixed inputs.  Run under different
 * GLIBC_TUNABLES=glibc.cpu.hwcaps=... it shows (a) that the tunable really selects another
 * libm variant (some glibc checksums change: FMA and non-FMA code round differently) and
 * (b) that pmath's checksums do not change.  Prints "NAME CHECKSUM" lines. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "pmath.h"

static uint64_t mix(uint64_t h, double v)
{
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    for (int k = 0; k < 8; k++) {
        h ^= (b >> (8 * k)) & 0xff;
        h *= UINT64_C(1099511628211);
    }
    return h;
}

static double eval(int f, double u, double x)
{
    switch (f) {
    case 0: return exp(x);
    case 1: return log(u * 100);
    case 2: return pow(u * 3, x);
    case 3: return sin(x);
    case 4: return cos(x);
    case 5: return tan(x);
    case 6: return atan(x);
    case 7: return atan2(x, u - 0.5);
    case 8: return expm1(x / 5);
    case 9: return log1p(u);
    case 10: return tanh(x / 4);
    case 11: return erf(x / 3);
    case 12: return erfc(x / 3);
    case 13: return lgamma(u * 10);
    case 14: return pmath_exp(x);
    case 15: return pmath_log(u * 100);
    case 16: return pmath_sin(x);
    case 17: return pmath_cos(x);
    case 18: return pmath_atan2(x, u - 0.5);
    case 19: return pmath_expm1(x / 5);
    case 20: return pmath_log1p(u);
    case 21: return pmath_tanh(x / 4);
    default: return pmath_erfc(x / 3);
    }
}

int main(void)
{
    static const char *const name[] = {
        "glibc_exp", "glibc_log", "glibc_pow", "glibc_sin", "glibc_cos", "glibc_tan",
        "glibc_atan", "glibc_atan2", "glibc_expm1", "glibc_log1p", "glibc_tanh", "glibc_erf",
        "glibc_erfc", "glibc_lgamma", "pmath_exp", "pmath_log", "pmath_sin", "pmath_cos",
        "pmath_atan2", "pmath_expm1", "pmath_log1p", "pmath_tanh", "pmath_erfc"
    };
    for (int f = 0; f < (int) (sizeof name / sizeof name[0]); f++) {
        uint64_t h = UINT64_C(1469598103934665603), s = 1;
        for (int i = 0; i < 100000; i++) {
            s = s * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
            double u = (double) (s >> 11) * 0x1p-53;
            h = mix(h, eval(f, u, u * 20 - 10));
        }
        printf("%s %016llx\n", name[f], (unsigned long long) h);
    }
    return 0;
}
