/* libFuzzer harness: ds_load_csv_stream on arbitrary bytes (first byte = flags). */
#include <stdint.h>
#include <stdio.h>
#include "aeerr.h"
#include "dataset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const int fl[] = { 0, DS_LABEL, DS_HEADER, DS_LABEL | DS_HEADER, DS_NOHEADER,
                              DS_LABEL | DS_NOHEADER, 0, DS_LABEL };
    int flags = fl[data[0] & 7];
    FILE *f = size > 1 ? fmemopen((void *) (data + 1), size - 1, "r") : tmpfile();
    if (f == NULL)
        return 0;
    ds_t D;
    ds_init(D);
    char err[256];
    int st = ds_load_csv_stream(D, f, "fuzz", flags, err, sizeof err);
    if (st == AE_OK && (D->n < 1 || D->d < 1 || D->X->r != D->n))
        __builtin_trap();
    ds_clear(D);
    fclose(f);
    return 0;
}
