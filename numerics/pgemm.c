/* pgemm — see pgemm.h.
 *
 * Order (the contract): for each output C[i][j] the sum s runs over p = 0..k-1 in
 * increasing order, starting from +0, one rounded product and one rounded addition per
 * term, in the working type; then C[i][j] = alpha*s (beta == 0) or beta*C[i][j] + alpha*s.
 *
 * Why every kernel gives the same bits.  The SIMD kernels hold a tile of MR rows x NR
 * columns of s in vector registers, lane = one output element, and run the whole p loop
 * on it: lane (i, j) computes acc = acc + a_ip * b_pj for p = 0, 1, ..., k-1, exactly the
 * scalar sequence, because IEEE-754 addition and multiplication are correctly rounded
 * lane by lane in SSE2, AVX2 and AVX-512 alike.  Nothing is summed across lanes, k is
 * never split (no partial sums to combine), and the tile sizes only decide which outputs
 * are computed together.  Columns past n in a tile's last panel are padding (zeros) and
 * never stored.  No multiply-add is fused: this file is compiled with -ffp-contract=off
 * (Makefile; also the default of GCC's ISO C modes), which matters because the AVX-512
 * target enables FMA instructions; tests/test_pgemm.c checks bits against a volatile
 * scalar loop for every kernel this CPU can run (pgemm_set_kernel).
 *
 * Vectors are GCC's generic vector extensions; a kernel is one driver function compiled
 * for its target (target attribute) and chosen at the first call by
 * __builtin_cpu_supports (or AEAUDIT_PGEMM=scalar|sse2|avx2|avx512 in the environment).
 * -DPGEMM_SCALAR compiles the scalar loops only.
 *
 * A product with fewer columns than a panel (n < NR) and more rows is computed as its
 * transpose C^T = op(B)^T op(A)^T, the tiles stored transposed: the same sums of the same
 * products in the same order, so the same bits, with fuller vectors.
 *
 * Packing: a panel of NR columns of op(B) (k x NR) is copied into a thread-local buffer
 * (pthread key, freed at thread exit) when B is transposed, when the panel is the last,
 * partial one, or when B's row stride is a multiple of 1 KiB (such a strided panel maps
 * to a few L1 sets and thrashes them) and at least four row tiles reuse the copy;
 * otherwise the kernel reads B in place.  op(A) is read in place (row i of A,
 * or column i of a transposed A, with its stride).
 */
#include "pgemm.h"
#include "aeerr.h"

#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Checks the arguments; 1 when the call may proceed. */
static int pgemm_check(const char *fn, int ta, int tb, long m, long n, long k,
                       const void *A, long lda, const void *B, long ldb, const void *C,
                       long ldc)
{
    if ((ta != 0 && ta != 1) || (tb != 0 && tb != 1) || m < 0 || n < 0 || k < 0) {
        ae_error(fn, "ta, tb must be 0 or 1 and m, n, k >= 0 (got %d %d %ld %ld %ld)",
                 ta, tb, m, n, k);
        return 0;
    }
    const long acols = ta ? m : k, arows = ta ? k : m;
    const long bcols = tb ? k : n, brows = tb ? n : k;
    if (lda < acols || ldb < bcols || ldc < n) {
        ae_error(fn, "leading dimensions %ld %ld %ld below the row lengths %ld %ld %ld",
                 lda, ldb, ldc, acols, bcols, n);
        return 0;
    }
    if ((A == NULL && arows * acols > 0) || (B == NULL && brows * bcols > 0)
        || (C == NULL && m * n > 0)) {
        ae_error(fn, "NULL matrix with nonzero size");
        return 0;
    }
    return 1;
}

/* The reference order, element by element. */
#define PGEMM_SCALAR_BODY(REAL)                                                          \
    for (long i = 0; i < m; i++)                                                         \
        for (long j = 0; j < n; j++) {                                                   \
            REAL s = 0;                                                                  \
            for (long p = 0; p < k; p++) {                                               \
                REAL a = ta ? A[p * lda + i] : A[i * lda + p];                           \
                REAL b = tb ? B[j * ldb + p] : B[p * ldb + j];                           \
                REAL t = a * b;                                                          \
                s = s + t;                                                               \
            }                                                                            \
            REAL as = alpha * s;                                                         \
            C[i * ldc + j] = beta == 0 ? as : beta * C[i * ldc + j] + as;                \
        }

static void pgemm_s_scalar(int ta, int tb, long m, long n, long k, float alpha,
                           const float *A, long lda, const float *B, long ldb, float beta,
                           float *C, long ldc)
{
    PGEMM_SCALAR_BODY(float)
}

static void pgemm_d_scalar(int ta, int tb, long m, long n, long k, double alpha,
                           const double *A, long lda, const double *B, long ldb,
                           double beta, double *C, long ldc)
{
    PGEMM_SCALAR_BODY(double)
}

#if !defined(PGEMM_SCALAR) && defined(__GNUC__) && defined(__x86_64__)
#define PGEMM_SIMD 1

/* ---- the thread-local packing buffer -------------------------------------------- */

static pthread_key_t pgemm_key;
static pthread_once_t pgemm_key_once = PTHREAD_ONCE_INIT;
static int pgemm_key_ok;

typedef struct {
    size_t cap;        /* bytes */
    void *p;           /* 64-byte aligned */
} pgemm_buf;

static void pgemm_buf_free(void *v)
{
    pgemm_buf *b = v;
    if (b != NULL)
        free(b->p);
    free(b);
}

static void pgemm_key_make(void)
{
    pgemm_key_ok = pthread_key_create(&pgemm_key, pgemm_buf_free) == 0;
}

/* At least `bytes` bytes of this thread's buffer, or NULL (then the caller computes with
 * the scalar loops: the same bits). */
static void *pgemm_scratch(size_t bytes)
{
    pthread_once(&pgemm_key_once, pgemm_key_make);
    if (!pgemm_key_ok)
        return NULL;
    pgemm_buf *b = pthread_getspecific(pgemm_key);
    if (b == NULL) {
        b = calloc(1, sizeof *b);
        if (b == NULL || pthread_setspecific(pgemm_key, b) != 0) {
            free(b);
            return NULL;
        }
    }
    if (b->cap < bytes) {
        void *p = NULL;
        size_t cap = bytes < 65536 ? 65536 : bytes;
        if (posix_memalign(&p, 64, cap) != 0)
            return NULL;
        free(b->p);
        b->p = p;
        b->cap = cap;
    }
    return b->p;
}

/* ---- the SIMD driver, one instance per (type, vector width, target) ---------------- *
 *
 * NAME(ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc) computes columns in panels
 * of NR = 2 W; within a panel, rows in tiles of MR (then single rows).  Per tile: acc[r][h]
 * (vector h of row r) = 0; for p = 0..k-1: acc[r][h] = acc[r][h] + bp[h] * a_rp, with bp
 * the panel's row p; then the epilogue applies alpha, beta.  Returns 0 when the packing
 * buffer could not be allocated (nothing written). */
#define PGEMM_DRIVER(NAME, REAL, VT, W, MR, TARGET)                                       \
TARGET static int NAME##_run(int ta, int tb, long m, long n, long k, REAL alpha,         \
                             const REAL *A, long lda, const REAL *B, long ldb, REAL beta, \
                             REAL *C, long ldc, int ct)                                   \
{                                                                                        \
    enum { NR = 2 * W };                                                                 \
    REAL *pack = NULL;                                                                   \
    const int packall = tb || (m >= 4 * MR && (ldb * (long) sizeof(REAL)) % 1024 == 0);  \
    if (packall || n % NR != 0) {                                                        \
        pack = pgemm_scratch((size_t) (k > 0 ? k : 1) * NR * sizeof(REAL));             \
        if (pack == NULL)                                                                \
            return 0;                                                                    \
    }                                                                                    \
    const long sa = ta ? lda : 1, ra = ta ? 1 : lda;   /* a_ip = A[i ra + p sa] */       \
    for (long j0 = 0; j0 < n; j0 += NR) {                                                \
        const long nc = n - j0 < NR ? n - j0 : NR;                                       \
        const REAL *bp;                                                                  \
        long sb;                                                                         \
        if (packall || nc < NR) {                                                        \
            for (long p = 0; p < k; p++) {                                               \
                REAL *dst = pack + p * NR;                                               \
                for (long jj = 0; jj < nc; jj++)                                         \
                    dst[jj] = tb ? B[(j0 + jj) * ldb + p] : B[p * ldb + j0 + jj];        \
                for (long jj = nc; jj < NR; jj++)                                        \
                    dst[jj] = 0;                                                         \
            }                                                                            \
            bp = pack;                                                                   \
            sb = NR;                                                                     \
        } else {                                                                         \
            bp = B + j0;                                                                 \
            sb = ldb;                                                                    \
        }                                                                                \
        long i0 = 0;                                                                     \
        for (; i0 + MR <= m; i0 += MR) {                                                 \
            VT acc[MR][2];                                                               \
            _Pragma("GCC unroll 16")                                                     \
            for (int r = 0; r < MR; r++)                                                 \
                acc[r][0] = acc[r][1] = (VT) { 0 };                                      \
            const REAL *a0 = A + i0 * ra;                                                \
            for (long p = 0; p < k; p++) {                                               \
                VT b0, b1;                                                               \
                memcpy(&b0, bp + p * sb, sizeof b0);                                     \
                memcpy(&b1, bp + p * sb + W, sizeof b1);                                 \
                const REAL *ap = a0 + p * sa;                                            \
                _Pragma("GCC unroll 16")                                                 \
                for (int r = 0; r < MR; r++) {                                           \
                    const REAL a = ap[r * ra];                                           \
                    acc[r][0] = acc[r][0] + b0 * a;                                      \
                    acc[r][1] = acc[r][1] + b1 * a;                                      \
                }                                                                        \
            }                                                                            \
            _Pragma("GCC unroll 16")                                                     \
            for (int r = 0; r < MR; r++)                                                 \
                NAME##_put(C, ldc, ct, i0 + r, j0, acc[r], nc, alpha, beta);             \
        }                                                                                \
        for (; i0 < m; i0++) {                                                           \
            VT acc[2] = { { 0 }, { 0 } };                                                \
            const REAL *a0 = A + i0 * ra;                                                \
            for (long p = 0; p < k; p++) {                                               \
                VT b0, b1;                                                               \
                memcpy(&b0, bp + p * sb, sizeof b0);                                     \
                memcpy(&b1, bp + p * sb + W, sizeof b1);                                 \
                const REAL a = a0[p * sa];                                               \
                acc[0] = acc[0] + b0 * a;                                                \
                acc[1] = acc[1] + b1 * a;                                                \
            }                                                                            \
            NAME##_put(C, ldc, ct, i0, j0, acc, nc, alpha, beta);                        \
        }                                                                                \
    }                                                                                    \
    return 1;                                                                            \
}                                                                                        \
                                                                                         \
/* Few columns (n < NR) and more rows: the transposed product C^T = op(B)^T op(A)^T fills \
 * the vectors better and has the same bits (each C[i][j] is the same sum of the same    \
 * products b_pj a_ip = a_ip b_pj in the same order); the tiles are stored transposed. */ \
TARGET static int NAME(int ta, int tb, long m, long n, long k, REAL alpha,               \
                       const REAL *A, long lda, const REAL *B, long ldb, REAL beta,       \
                       REAL *C, long ldc)                                                 \
{                                                                                        \
    if (n < 2 * W && m > n)                                                              \
        return NAME##_run(!tb, !ta, n, m, k, alpha, B, ldb, A, lda, beta, C, ldc, 1);    \
    return NAME##_run(ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc, 0);          \
}

/* The epilogue of one tile row: c[j] = alpha s[j] (beta == 0, c not read) or
 * beta c[j] + alpha s[j], for the nc <= NR valid columns. */
#define PGEMM_STORE(NAME, REAL, VT, W, TARGET)                                            \
TARGET static inline void NAME##_store(REAL *c, const VT *s, long nc, REAL alpha,        \
                                       REAL beta)                                         \
{                                                                                        \
    VT o[2];                                                                             \
    for (int h = 0; h < 2; h++) {                                                        \
        VT as = s[h] * alpha;                                                            \
        if (beta == 0)                                                                   \
            o[h] = as;                                                                   \
        else {                                                                           \
            VT cv = { 0 };                                                               \
            if (nc == 2 * W)                                                             \
                memcpy(&cv, c + h * W, sizeof cv);                                       \
            else                                                                         \
                for (long j = h * W; j < nc && j < (h + 1) * W; j++)                     \
                    cv[j - h * W] = c[j];                                                \
            o[h] = cv * beta + as;                                                       \
        }                                                                                \
    }                                                                                    \
    if (nc == 2 * W)                                                                     \
        memcpy(c, o, sizeof o);                                                          \
    else {                                                                               \
        REAL t[2 * W];                                                                   \
        memcpy(t, o, sizeof o);                                                          \
        memcpy(c, t, (size_t) nc * sizeof(REAL));                                        \
    }                                                                                    \
}

/* Tile row (row i, columns j0..j0+nc-1 of the product) into C, or with ct into C's
 * column i (rows j0..), the transposed product's layout. */
#define PGEMM_PUT(NAME, REAL, VT, W, TARGET)                                              \
TARGET static inline void NAME##_put(REAL *C, long ldc, int ct, long i, long j0,         \
                                     const VT *s, long nc, REAL alpha, REAL beta)         \
{                                                                                        \
    if (!ct) {                                                                           \
        NAME##_store(C + i * ldc + j0, s, nc, alpha, beta);                              \
        return;                                                                          \
    }                                                                                    \
    REAL t[2 * W];                                                                       \
    memcpy(t, s, sizeof t);                                                              \
    for (long jj = 0; jj < nc; jj++) {                                                   \
        REAL *c = C + (j0 + jj) * ldc + i, as = t[jj] * alpha;                           \
        *c = beta == 0 ? as : *c * beta + as;                                            \
    }                                                                                    \
}

#define PGEMM_KERNEL(NAME, REAL, W, MR, TARGET)                                           \
    typedef REAL NAME##_vt __attribute__((vector_size(W * sizeof(REAL))));               \
    PGEMM_STORE(NAME, REAL, NAME##_vt, W, TARGET)                                         \
    PGEMM_PUT(NAME, REAL, NAME##_vt, W, TARGET)                                           \
    PGEMM_DRIVER(NAME, REAL, NAME##_vt, W, MR, TARGET)

#define T_SSE2
#define T_AVX2 __attribute__((target("avx2")))
#define T_AVX512 __attribute__((target("avx512f")))

PGEMM_KERNEL(pgemm_s_sse2, float, 4, 4, T_SSE2)
PGEMM_KERNEL(pgemm_d_sse2, double, 2, 4, T_SSE2)
PGEMM_KERNEL(pgemm_s_avx2, float, 8, 4, T_AVX2)
PGEMM_KERNEL(pgemm_d_avx2, double, 4, 4, T_AVX2)
PGEMM_KERNEL(pgemm_s_avx512, float, 16, 8, T_AVX512)
PGEMM_KERNEL(pgemm_d_avx512, double, 8, 8, T_AVX512)

#endif

/* ---- dispatch ----------------------------------------------------------------------- */

enum { PK_SCALAR = 0, PK_SSE2, PK_AVX2, PK_AVX512, PK_N };
static const char *const pk_names[PK_N] = { "scalar", "sse2", "avx2", "avx512" };

/* The kernel in use: -1 until the first call decides. */
static int pk_current = -1;
static pthread_mutex_t pk_mu = PTHREAD_MUTEX_INITIALIZER;

static int pk_supported(int kern)
{
#ifdef PGEMM_SIMD
    switch (kern) {
    case PK_SCALAR: return 1;
    case PK_SSE2: return 1;   /* baseline x86-64 */
    case PK_AVX2: return __builtin_cpu_supports("avx2") != 0;
    case PK_AVX512: return __builtin_cpu_supports("avx512f") != 0;
    default: return 0;
    }
#else
    return kern == PK_SCALAR;
#endif
}

static int pk_best(void)
{
    const char *e = getenv("AEAUDIT_PGEMM");
    for (int i = 0; e != NULL && i < PK_N; i++)
        if (strcmp(e, pk_names[i]) == 0 && pk_supported(i))
            return i;
    for (int i = PK_N - 1; i > 0; i--)
        if (pk_supported(i))
            return i;
    return PK_SCALAR;
}

static int pk_get(void)
{
    int k = __atomic_load_n(&pk_current, __ATOMIC_ACQUIRE);
    if (k >= 0)
        return k;
    pthread_mutex_lock(&pk_mu);
    if (pk_current < 0)
        __atomic_store_n(&pk_current, pk_best(), __ATOMIC_RELEASE);
    k = pk_current;
    pthread_mutex_unlock(&pk_mu);
    return k;
}

int pgemm_set_kernel(const char *name)
{
    for (int i = 0; name != NULL && i < PK_N; i++)
        if (strcmp(name, pk_names[i]) == 0) {
            if (!pk_supported(i))
                return AE_ERANGE;
            pthread_mutex_lock(&pk_mu);
            __atomic_store_n(&pk_current, i, __ATOMIC_RELEASE);
            pthread_mutex_unlock(&pk_mu);
            return AE_OK;
        }
    ae_error("pgemm_set_kernel", "unknown kernel '%s' (scalar, sse2, avx2, avx512)",
             name ? name : "(null)");
    return AE_EINVAL;
}

const char *pgemm_kernel_name(void)
{
    return pk_names[pk_get()];
}

/* The public entry P (pgemm_s, pgemm_d): the checks, then the chosen SIMD kernel P_sse2,
 * P_avx2 or P_avx512, or the scalar loops (also when a kernel could not get its packing
 * buffer: the same bits). */
#ifdef PGEMM_SIMD
#define PGEMM_SIMD_TABLE(P) { NULL, P##_sse2, P##_avx2, P##_avx512 }
#else
#define PGEMM_SIMD_TABLE(P) { NULL, NULL, NULL, NULL }
#endif
#define PGEMM_ENTRY(P, REAL)                                                             \
void P(int ta, int tb, long m, long n, long k, REAL alpha, const REAL *A, long lda,      \
       const REAL *B, long ldb, REAL beta, REAL *C, long ldc)                            \
{                                                                                        \
    typedef int (*simd_fn)(int, int, long, long, long, REAL, const REAL *, long,         \
                           const REAL *, long, REAL, REAL *, long);                      \
    static const simd_fn simd[PK_N] = PGEMM_SIMD_TABLE(P);                               \
    if (!pgemm_check(#P, ta, tb, m, n, k, A, lda, B, ldb, C, ldc))                       \
        return;                                                                          \
    const int kern = pk_get();                                                           \
    if (simd[kern] != NULL && m > 0 && n > 0                                             \
        && simd[kern](ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc))             \
        return;                                                                          \
    P##_scalar(ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);                    \
}

PGEMM_ENTRY(pgemm_s, float)
PGEMM_ENTRY(pgemm_d, double)

void pgemm_thread_cleanup(void)
{
#ifdef PGEMM_SIMD
    pthread_once(&pgemm_key_once, pgemm_key_make);
    if (!pgemm_key_ok)
        return;
    pgemm_buf *b = pthread_getspecific(pgemm_key);
    pgemm_buf_free(b);
    pthread_setspecific(pgemm_key, NULL);
#endif
}
