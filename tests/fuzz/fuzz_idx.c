/* libFuzzer harness: idx_load on arbitrary bytes, written raw (first byte even) or
 * gzip-compressed (odd) to one fixed per-process temp file. */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>
#include <zlib.h>
#include "aeerr.h"
#include "idx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    if (path[0] == '\0')
        snprintf(path, sizeof path, "/tmp/fuzz_idx.%ld.idx", (long) getpid());
    if (size < 1)
        return 0;
    if (data[0] & 1) {
        gzFile g = gzopen(path, "wb");
        if (g == NULL)
            return 0;
        if (size > 1)
            gzwrite(g, data + 1, (unsigned) (size - 1));
        gzclose(g);
    } else {
        FILE *f = fopen(path, "wb");
        if (f == NULL)
            return 0;
        fwrite(data + 1, 1, size - 1, f);
        fclose(f);
    }
    idx_t A;
    idx_init(A);
    char err[256];
    if (idx_load(A, path, err, sizeof err) == AE_OK && A->count > (long) size * 1100)
        __builtin_trap();   /* gzip inflates at most ~1032:1 */
    idx_clear(A);
    return 0;
}
