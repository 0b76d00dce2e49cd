/* libFuzzer harness: nn_load on arbitrary bytes, via one fixed per-process temp file.
 * Inputs that lack an end line get a correct checksum line appended half of the time
 * (first byte odd), so the fuzzer reaches the parser behind the CRC. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include "aeerr.h"
#include "nn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    if (path[0] == '\0')
        snprintf(path, sizeof path, "/tmp/fuzz_model.%ld.aem", (long) getpid());
    if (size < 1)
        return 0;
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return 0;
    fwrite(data + 1, 1, size - 1, f);
    if (data[0] & 1)
        fprintf(f, "end crc32 %08lx\n",
                crc32(0L, (const Bytef *) data + 1, (uInt) (size - 1)) & 0xffffffffUL);
    fclose(f);
    nn_t net;
    char err[256];
    if (nn_load(net, path, err, sizeof err) == AE_OK)
        nn_clear(net);
    return 0;
}
