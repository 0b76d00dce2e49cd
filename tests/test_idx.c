/* test_idx — IDX reading: files written here (plain and gzip) read back byte for byte;
 * every truncation, bad magic, unsupported type, trailing byte and corrupt gzip stream is
 * an error return; the Debian Fashion-MNIST files when installed. */
#include "idx.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static char dir[64];

static void path_of(char *buf, const char *name)
{
    if (dir[0] == '\0') {
        strcpy(dir, "/tmp/test_idx.XXXXXX");
        CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    }
    sprintf(buf, "%s/%s", dir, name);
}

/* An IDX image file with n images of r x c bytes (pixel = (i*31 + j*7) & 255) or labels. */
static size_t make_idx(unsigned char *buf, int ndim, const long *dims)
{
    size_t k = 0;
    buf[k++] = 0; buf[k++] = 0; buf[k++] = 8; buf[k++] = (unsigned char) ndim;
    long count = 1;
    for (int i = 0; i < ndim; i++) {
        buf[k++] = (unsigned char) (dims[i] >> 24); buf[k++] = (unsigned char) (dims[i] >> 16);
        buf[k++] = (unsigned char) (dims[i] >> 8); buf[k++] = (unsigned char) dims[i];
        count *= dims[i];
    }
    for (long i = 0; i < count; i++)
        buf[k++] = (unsigned char) ((i * 31 + (i / 3) * 7) & 255);
    return k;
}

static void write_plain(const char *path, const unsigned char *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    fwrite(b, 1, n, f);
    fclose(f);
}

static void write_gz(const char *path, const unsigned char *b, size_t n)
{
    gzFile g = gzopen(path, "wb");
    gzwrite(g, b, (unsigned) n);
    gzclose(g);
}

static void test_roundtrip(void)
{
    unsigned char buf[4096];
    long dims[3] = { 5, 4, 3 };
    size_t n = make_idx(buf, 3, dims);
    char p[128], q[128];
    path_of(p, "a.idx");
    path_of(q, "a.idx.gz");
    write_plain(p, buf, n);
    write_gz(q, buf, n);
    for (int gz = 0; gz < 2; gz++) {
        idx_t A;
        idx_init(A);
        CU_ASSERT_EQUAL_FATAL(idx_load(A, gz ? q : p, NULL, 0), AE_OK);
        CU_ASSERT(A->ndim == 3 && A->dims[0] == 5 && A->dims[1] == 4 && A->dims[2] == 3);
        CU_ASSERT_EQUAL(A->count, 60);
        CU_ASSERT(memcmp(A->data, buf + 16, 60) == 0);
        idx_clear(A);
    }
    /* 1-D, size 1 */
    long one = 1;
    n = make_idx(buf, 1, &one);
    write_plain(p, buf, n);
    idx_t A;
    idx_init(A);
    CU_ASSERT_EQUAL(idx_load(A, p, NULL, 0), AE_OK);
    CU_ASSERT(A->count == 1 && A->data[0] == buf[8]);
    idx_clear(A);
}

static void test_bad_files(void)
{
    unsigned char buf[4096], gzbuf[8192];
    long dims[3] = { 3, 4, 5 };
    size_t n = make_idx(buf, 3, dims);
    char p[128], err[256];
    path_of(p, "bad.idx");
    idx_t A;
    idx_init(A);
    /* every truncation, plain */
    for (size_t k = 0; k < n; k++) {
        write_plain(p, buf, k);
        err[0] = '\0';
        CU_ASSERT_EQUAL(idx_load(A, p, err, sizeof err), AE_EPARSE);
        CU_ASSERT(strlen(err) > 0);
    }
    CU_ASSERT_PTR_NULL(A->data);   /* unchanged on error */
    /* trailing byte */
    buf[n] = 0;
    write_plain(p, buf, n + 1);
    CU_ASSERT_EQUAL(idx_load(A, p, err, sizeof err), AE_EPARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "trailing"));
    /* bad magic, unsupported type, zero dimension */
    buf[0] = 1;
    write_plain(p, buf, n);
    CU_ASSERT_EQUAL(idx_load(A, p, err, sizeof err), AE_EPARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "magic"));
    buf[0] = 0; buf[2] = 0x0D;
    write_plain(p, buf, n);
    CU_ASSERT_EQUAL(idx_load(A, p, err, sizeof err), AE_EPARSE);
    buf[2] = 8; buf[7] = 0;
    write_plain(p, buf, n);
    CU_ASSERT_EQUAL(idx_load(A, p, err, sizeof err), AE_EPARSE);
    buf[7] = 3;
    /* gzip: truncated streams and a flipped byte (zlib's CRC catches it) */
    write_gz(p, buf, n);
    FILE *f = fopen(p, "rb");
    size_t gn = fread(gzbuf, 1, sizeof gzbuf, f);
    fclose(f);
    for (size_t k = 1; k < gn; k += 3) {
        write_plain(p, gzbuf, k);
        CU_ASSERT_NOT_EQUAL(idx_load(A, p, err, sizeof err), AE_OK);
    }
    gzbuf[gn - 6] ^= 0x40;   /* inside the CRC-32 trailer */
    write_plain(p, gzbuf, gn);
    CU_ASSERT_EQUAL(idx_load(A, p, err, sizeof err), AE_EPARSE);
    CU_ASSERT_EQUAL(idx_load(A, "/nonexistent/x.idx", err, sizeof err), AE_EIO);
    CU_ASSERT_PTR_NULL(A->data);
}

/* Tiny files whose headers declare huge sizes fail fast, without allocating them. */
static void test_huge_headers(void)
{
    char p[128], q[128], err[256];
    path_of(p, "huge.idx");
    path_of(q, "huge.idx.gz");
    idx_t A;
    idx_init(A);
    /* 4 dims of 65535: 1.8e19 bytes, far beyond the cap: refused from the header */
    unsigned char h[4 + 16 + 64] = { 0, 0, 0x08, 4 };
    for (int i = 0; i < 4; i++) {
        h[4 + 4 * i + 2] = 0xff;
        h[4 + 4 * i + 3] = 0xff;
    }
    write_plain(p, h, sizeof h);
    CU_ASSERT_EQUAL(idx_load(A, p, err, sizeof err), AE_EPARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "dimension"));
    /* 3 dims declaring 2^28 bytes (at the cap): a 80-byte plain file is refused from its
     * size; a gzip file of 64 data bytes is short data -- neither allocates 256 MiB */
    unsigned char g[4 + 12 + 64] = { 0, 0, 0x08, 3, 0, 0, 0x40, 0, 0, 0, 0x40, 0, 0, 0, 0, 1 };
    write_plain(p, g, sizeof g);
    CU_ASSERT_EQUAL(idx_load(A, p, err, sizeof err), AE_EPARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "declares"));
    write_gz(q, g, sizeof g);
    CU_ASSERT_EQUAL(idx_load(A, q, err, sizeof err), AE_EPARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "truncated"));
    CU_ASSERT_PTR_NULL(A->data);
    /* more data than declared in a gzip stream: trailing bytes, found after the count */
    unsigned char t[4 + 4 + 8] = { 0, 0, 0x08, 1, 0, 0, 0, 4 };
    write_gz(q, t, sizeof t);
    CU_ASSERT_EQUAL(idx_load(A, q, err, sizeof err), AE_EPARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "trailing"));
    write_gz(q, t, 12);
    CU_ASSERT_EQUAL(idx_load(A, q, err, sizeof err), AE_OK);
    CU_ASSERT_EQUAL(A->count, 4);
    idx_clear(A);
    unlink(p);
    unlink(q);
}

static void test_split(void)
{
    unsigned char buf[4096];
    char p[128], err[256];
    long di[3] = { 6, 2, 3 }, dl[1] = { 6 };
    size_t n = make_idx(buf, 3, di);
    path_of(p, "train-images-idx3-ubyte.gz");
    write_gz(p, buf, n);
    unsigned char lab[64];
    size_t m = make_idx(lab, 1, dl);
    path_of(p, "train-labels-idx1-ubyte");   /* plain: the fallback name */
    write_plain(p, lab, m);
    double *X;
    long *L, nn, d;
    CU_ASSERT_EQUAL_FATAL(idx_load_split(&X, &L, &nn, &d, dir, "train", 0, err, sizeof err), AE_OK);
    CU_ASSERT(nn == 6 && d == 6);
    for (long i = 0; i < 36; i++)
        CU_ASSERT_EQUAL(X[i], buf[16 + i] / 255.0);
    for (long i = 0; i < 6; i++)
        CU_ASSERT_EQUAL(L[i], lab[8 + i]);
    free(X); free(L);
    /* label count mismatch */
    dl[0] = 5;
    m = make_idx(lab, 1, dl);
    write_plain(p, lab, m);
    CU_ASSERT_EQUAL(idx_load_split(&X, &L, &nn, &d, dir, "train", 1, err, sizeof err), AE_EPARSE);
    /* missing split */
    CU_ASSERT_EQUAL(idx_load_split(&X, &L, &nn, &d, dir, "t10k", 1, err, sizeof err), AE_EIO);
}

static void test_fashion_mnist(void)
{
    struct stat st;
    if (stat(IDX_DEFAULT_DIR "t10k-images-idx3-ubyte.gz", &st) != 0) {
        fprintf(stderr, " (Fashion-MNIST not installed: skipped) ");
        return;
    }
    double *X;
    long *L, n, d, count[10] = { 0 };
    char err[256];
    CU_ASSERT_EQUAL_FATAL(idx_load_split(&X, &L, &n, &d, IDX_DEFAULT_DIR, "test", 1, err, sizeof err), AE_OK);
    CU_ASSERT(n == 10000 && d == 784);
    int ok = 1;
    for (long i = 0; i < n; i++) {
        ok &= L[i] >= 0 && L[i] <= 9;
        if (L[i] >= 0 && L[i] <= 9) count[L[i]]++;
    }
    CU_ASSERT(ok);
    for (int c = 0; c < 10; c++)
        CU_ASSERT_EQUAL(count[c], 1000);   /* the test split is balanced */
    free(X); free(L);
}

static void test_cleanup(void)
{
    CU_ASSERT_EQUAL(tu_rmtree(dir), 0);
}

int main(void)
{
    static const tu_test T[] = {
        { "plain and gzip files read back", test_roundtrip },
        { "truncated, bad magic, bad type, trailing, corrupt gzip", test_bad_files },
        { "tiny files declaring huge sizes", test_huge_headers },
        { "image/label split directory", test_split },
        { "Debian Fashion-MNIST test split", test_fashion_mnist },
        { "cleanup", test_cleanup },
        { NULL, NULL }
    };
    return tu_run("idx", 777UL, T);
}
