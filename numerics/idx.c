/* idx — see idx.h. */
#include "idx.h"
#include "aeerr.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

void idx_init(idx_t A)
{
    memset(A, 0, sizeof *A);
}

void idx_clear(idx_t A)
{
    free(A->data);
    memset(A, 0, sizeof *A);
}

static int fail(char *err, size_t errlen, int st, const char *fmt, ...)
{
    if (err != NULL && errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return st;
}

/* Reads exactly n bytes; returns n, fewer at end of data, or -1 on a zlib error. */
static long read_all(gzFile g, unsigned char *p, long n)
{
    long got = 0;
    while (got < n) {
        long want = n - got > (1L << 30) ? (1L << 30) : n - got;
        int k = gzread(g, p + got, (unsigned) want);
        if (k < 0)
            return -1;
        if (k == 0)
            break;
        got += k;
    }
    return got;
}

int idx_load(idx_t A, const char *path, char *err, size_t errlen)
{
    if (A == NULL || path == NULL) {
        ae_error("idx_load", "NULL argument");
        return AE_EINVAL;
    }
    long long fsize = -1;
    {
        struct stat sb;
        if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode))
            fsize = (long long) sb.st_size;
    }
    errno = 0;
    gzFile g = gzopen(path, "rb");
    if (g == NULL)
        return fail(err, errlen, AE_EIO, "%s: cannot open: %s", path,
                    errno ? strerror(errno) : "out of memory");
    unsigned char h[4 + 16];
    int st = AE_OK;
    idx_struct B;
    memset(&B, 0, sizeof B);
    long k = read_all(g, h, 4);
    if (k < 0)
        st = fail(err, errlen, AE_EPARSE, "%s: corrupt compressed data", path);
    else if (k < 4 || h[0] != 0 || h[1] != 0 || h[3] < 1 || h[3] > 4)
        st = fail(err, errlen, AE_EPARSE, "%s: not an IDX file (bad magic)", path);
    else if (h[2] != 0x08)
        st = fail(err, errlen, AE_EPARSE, "%s: IDX element type 0x%02x not supported "
                  "(only unsigned bytes, 0x08)", path, h[2]);
    if (st == AE_OK) {
        B.ndim = h[3];
        if (read_all(g, h + 4, 4L * B.ndim) != 4L * B.ndim)
            st = fail(err, errlen, AE_EPARSE, "%s: truncated IDX header", path);
    }
    B.count = 1;
    for (int i = 0; st == AE_OK && i < B.ndim; i++) {
        const unsigned char *q = h + 4 + 4 * i;
        unsigned long v = ((unsigned long) q[0] << 24) | ((unsigned long) q[1] << 16)
                          | ((unsigned long) q[2] << 8) | q[3];
        B.dims[i] = (long) v;
        if (v == 0 || (double) B.count * (double) v > (double) IDX_MAX_BYTES)
            st = fail(err, errlen, AE_EPARSE, "%s: bad IDX dimension %lu", path, v);
        else
            B.count *= (long) v;
    }
    if (st == AE_OK && gzdirect(g) && fsize >= 0 && fsize - 4 - 4L * B.ndim < B.count)
        st = fail(err, errlen, AE_EPARSE, "%s: truncated: the header declares %ld data bytes, "
                  "the file holds %lld", path, B.count, fsize - 4 - 4LL * B.ndim);
    if (st == AE_OK) {
        /* grow the buffer with the data actually inflated, never past the declared size,
         * so a small file that declares a huge size costs nothing */
        long cap = 0;
        k = 0;
        while (k >= 0 && k < B.count) {
            if (k == cap) {
                long nc = cap ? 2 * cap : (1L << 20);
                if (nc > B.count)
                    nc = B.count;
                unsigned char *nb = realloc(B.data, (size_t) nc);
                if (nb == NULL) {
                    k = -2;
                    break;
                }
                B.data = nb;
                cap = nc;
            }
            long got = read_all(g, B.data + k, cap - k);
            if (got < 0)
                k = -1;
            else if (got < cap - k) {
                k += got;
                break;
            } else
                k += got;
        }
        unsigned char extra;
        if (k == -2)
            st = fail(err, errlen, AE_EIO, "%s: out of memory", path);
        else if (k < 0)
            st = fail(err, errlen, AE_EPARSE, "%s: corrupt compressed data", path);
        else if (k < B.count)
            st = fail(err, errlen, AE_EPARSE, "%s: truncated: %ld of %ld data bytes", path,
                      k, B.count);
        else if ((k = read_all(g, &extra, 1)) != 0)
            st = fail(err, errlen, AE_EPARSE, k < 0 ? "%s: corrupt compressed data"
                      : "%s: trailing bytes after the data", path);
    }
    if (st == AE_OK) {
        /* A gzip stream cut before its trailer yields all the data and then only a
         * sticky error (Z_BUF_ERROR), not a short read. */
        int ze = Z_OK;
        gzerror(g, &ze);
        if (ze != Z_OK && ze != Z_STREAM_END)
            st = fail(err, errlen, AE_EPARSE, "%s: truncated or corrupt compressed data", path);
    }
    gzclose(g);
    if (st != AE_OK) {
        free(B.data);
        return st;
    }
    free(A->data);
    *A = B;
    return AE_OK;
}

/* Tries DIR/NAME.gz, then DIR/NAME. */
static int load_named(idx_t A, const char *dir, const char *name, char *err, size_t errlen)
{
    char path[4096];
    size_t len = strlen(dir);
    const char *sep = len > 0 && dir[len - 1] == '/' ? "" : "/";
    snprintf(path, sizeof path, "%s%s%s.gz", dir, sep, name);
    FILE *f = fopen(path, "rb");
    if (f != NULL)
        fclose(f);
    else
        snprintf(path, sizeof path, "%s%s%s", dir, sep, name);
    return idx_load(A, path, err, errlen);
}

int idx_load_split(double **X, long **labels, long *n, long *d, const char *dir,
                   const char *split, int raw, char *err, size_t errlen)
{
    if (X == NULL || labels == NULL || n == NULL || d == NULL || dir == NULL || split == NULL) {
        ae_error("idx_load_split", "NULL argument");
        return AE_EINVAL;
    }
    const char *pre = strcmp(split, "test") == 0 ? "t10k" : split;
    if (strcmp(pre, "train") != 0 && strcmp(pre, "t10k") != 0) {
        ae_error("idx_load_split", "split must be train, t10k or test (got '%s')", split);
        return AE_EINVAL;
    }
    char name[64];
    idx_t im, lb;
    idx_init(im);
    idx_init(lb);
    snprintf(name, sizeof name, "%s-images-idx3-ubyte", pre);
    int st = load_named(im, dir, name, err, errlen);
    if (st == AE_OK) {
        snprintf(name, sizeof name, "%s-labels-idx1-ubyte", pre);
        st = load_named(lb, dir, name, err, errlen);
    }
    if (st == AE_OK && (im->ndim != 3 || lb->ndim != 1 || im->dims[0] != lb->dims[0]))
        st = fail(err, errlen, AE_EPARSE, "%s: images (%d-D, %ld) and labels (%d-D, %ld) "
                  "do not match", dir, im->ndim, im->dims[0], lb->ndim, lb->dims[0]);
    if (st == AE_OK) {
        long nn = im->dims[0], dd = im->dims[1] * im->dims[2];
        *X = malloc((size_t) (nn * dd) * sizeof(double));
        *labels = malloc((size_t) nn * sizeof(long));
        if (*X == NULL || *labels == NULL) {
            free(*X);
            free(*labels);
            *X = NULL;
            *labels = NULL;
            st = fail(err, errlen, AE_EIO, "%s: out of memory", dir);
        } else {
            for (long i = 0; i < nn * dd; i++)
                (*X)[i] = raw ? (double) im->data[i] : (double) im->data[i] / 255.0;
            for (long i = 0; i < nn; i++)
                (*labels)[i] = lb->data[i];
            *n = nn;
            *d = dd;
        }
    }
    idx_clear(im);
    idx_clear(lb);
    return st;
}
