/* nn — see nn.h.  The numerical core is nn_impl.h, compiled here for float and double. */
#include "nn.h"
#include "aeerr.h"
#include "oblas.h"
#include "pgemm.h"
#include "pmath.h"

#include <mpfr.h>

#include <gsl/gsl_rng.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define NN_SQRT1_2 0.70710678118654752440  /* 1/sqrt(2): M_SQRT1_2 is not in C11 */

/* Rows per chunk (per thread and round): enough rows for efficient GEMMs, few enough that
 * a chunk's Z, A and D of every layer fit in a core's L2 cache, so the backward pass finds
 * them there.  Depends only on the architecture (determinism). */
static long nn_chunk_rows(const nn_struct *net)
{
    long per_row = 0;
    for (long l = 0; l <= net->L; l++)
        per_row += 3 * net->sizes[l];
    size_t bytes = (size_t) per_row * (net->prec == NN_F32 ? sizeof(float) : sizeof(double));
    long C = (long) ((size_t) 384 * 1024 / (bytes ? bytes : 1));
    /* A multiple of 32 rows keeps every row block's buffers aligned for the GEMM kernels
     * (128 rows ran about 5% faster than 125 in OpenBLAS's small-matrix kernels). */
    C = (C + 16) / 32 * 32;
    if (C < 64)
        C = 64;
    if (C > 1024)
        C = 1024;
    return C;
}

static void nn_shuffle(long *perm, long n, void *rng)
{
    for (long i = n - 1; i > 0; i--) {
        long j = (long) gsl_rng_uniform_int(rng, (unsigned long) i + 1);
        long t = perm[i]; perm[i] = perm[j]; perm[j] = t;
    }
}

/* The scalar build (-DPGEMM_SCALAR, with -fno-tree-vectorize: `make` builds it as
 * bin/aeaudit-scalar for tests/test_kernident.c) drops every SIMD path below (the clones,
 * the SSE2 square roots, the AVX Adam, the vector-typed dot4) and pgemm's SIMD kernels;
 * its models must be byte-identical to the SIMD build's.  No loop of the engine has a
 * reduction whose order depends on the vector width: the sums are written with explicit
 * orders, and GCC does not reassociate floating-point reductions to vectorise them
 * without -ffast-math / -fassociative-math (never used here).
 *
 * The element-wise passes and thin-layer loops run over every activation of every step;
 * the baseline x86-64 target gives them 4-float SSE2 vectors, an AVX2 clone (chosen at
 * load time) 8-float ones.  The clones compute the same values: they are element-wise or
 * sum in explicitly fixed orders, and ISO C mode keeps FMA contraction off. */
#if defined(__GNUC__) && defined(__x86_64__) && defined(__has_attribute) \
    && !defined(PGEMM_SCALAR)
#if __has_attribute(target_clones)
#define NN_VEC __attribute__((target_clones("avx2", "default")))
#endif
#endif
#ifndef NN_VEC
#define NN_VEC
#endif

/* Widths up to which a layer's input or output counts as thin (nn_impl.h: computed by
 * loops, not GEMM). */
#define NN_THIN 4
/* Largest layer (inputs x outputs) whose forward GEMM reads a transposed copy of W. */
#define NN_WT_MAX 4096

/* Rows of parameters per Adam block (stack scratch of this many REALs). */
#define NN_ADAM_BLOCK 256

#if defined(__SSE2__)
#include <emmintrin.h>   /* IEEE sqrt on packed values: the same results as sqrtf / sqrt */
#endif

/* Adam is memory- and divider-bound and runs every step over all parameters; an AVX
 * version, chosen at run time, does it in about half the time of the SSE2 baseline.  Its
 * results are bit-identical: every operation (+, *, /, sqrt) is correctly rounded in any
 * vector width, and nothing is contracted (no FMA; ISO C mode keeps -ffp-contract=off). */
#if defined(__GNUC__) && defined(__x86_64__) && !defined(PGEMM_SCALAR)
#define NN_HAVE_AVX 1
#include <immintrin.h>
static int nn_use_avx(void)
{
    /* Worker threads may race to fill the cache; they all store the same value. */
    static atomic_int cached = -1;
    int c = atomic_load_explicit(&cached, memory_order_relaxed);
    if (c < 0) {
        c = __builtin_cpu_supports("avx") ? 1 : 0;
        atomic_store_explicit(&cached, c, memory_order_relaxed);
    }
    return c;
}
#else
#define NN_HAVE_AVX 0
#endif

/* ---- a minimal persistent thread pool: run fn(ctx, t) on threads t = 0..T-1 -------- */

/* A reusable barrier that spins briefly before sleeping.  A training step meets it twice
 * per round of rows, a few hundred microseconds apart, and waking a thread from a futex
 * costs tens of microseconds on a virtual machine; the spin absorbs that, while the
 * periodic sched_yield and the fall-back sleep keep more threads than cores workable. */
typedef struct {
    atomic_int count;     /* arrivals in the current generation */
    atomic_int n;         /* threads that must arrive */
    atomic_uint gen;      /* bumped by the last arrival */
    pthread_mutex_t mu;
    pthread_cond_t cv;
} nn_bar;

#define NN_BAR_SPIN 20000

static int nn_bar_init(nn_bar *b, int n)
{
    atomic_init(&b->count, 0);
    atomic_init(&b->n, n);
    atomic_init(&b->gen, 0u);
    if (pthread_mutex_init(&b->mu, NULL) != 0)
        return -1;
    if (pthread_cond_init(&b->cv, NULL) != 0) {
        pthread_mutex_destroy(&b->mu);
        return -1;
    }
    return 0;
}

static void nn_bar_destroy(nn_bar *b)
{
    pthread_cond_destroy(&b->cv);
    pthread_mutex_destroy(&b->mu);
}

static void nn_bar_wait(nn_bar *b)
{
    unsigned g = atomic_load_explicit(&b->gen, memory_order_acquire);
    if (atomic_fetch_add_explicit(&b->count, 1, memory_order_acq_rel)
        == atomic_load_explicit(&b->n, memory_order_acquire) - 1) {
        /* No waiter can leave before gen changes, so resetting count first is safe. */
        atomic_store_explicit(&b->count, 0, memory_order_relaxed);
        pthread_mutex_lock(&b->mu);
        atomic_store_explicit(&b->gen, g + 1, memory_order_release);
        pthread_cond_broadcast(&b->cv);
        pthread_mutex_unlock(&b->mu);
        return;
    }
    for (int i = 0; i < NN_BAR_SPIN; i++) {
        if (atomic_load_explicit(&b->gen, memory_order_acquire) != g)
            return;
        if ((i & 63) == 63)
            sched_yield();
#if defined(__SSE2__)
        else
            _mm_pause();
#endif
    }
    pthread_mutex_lock(&b->mu);
    while (atomic_load_explicit(&b->gen, memory_order_acquire) == g)
        pthread_cond_wait(&b->cv, &b->mu);
    pthread_mutex_unlock(&b->mu);
}

typedef struct nn_pool nn_pool;
typedef struct {
    nn_pool *pool;
    int t;
} nn_pool_arg;
struct nn_pool {
    int T, quit;
    pthread_t th[NN_MAX_THREADS];
    nn_pool_arg arg[NN_MAX_THREADS];
    nn_bar start, done;
    nn_bar sync;          /* for the jobs themselves (nn_pool_sync) */
    void (*fn)(void *, int);
    void *ctx;
};

static void *nn_pool_main(void *p)
{
    nn_pool_arg *a = p;
    nn_pool *pool = a->pool;
    for (;;) {
        nn_bar_wait(&pool->start);
        if (pool->quit)
            return NULL;
        pool->fn(pool->ctx, a->t);
        nn_bar_wait(&pool->done);
    }
}

/* Runs fn on all T threads (the caller is thread 0) and returns when all have finished. */
static void nn_pool_run(void *p, void (*fn)(void *, int), void *ctx)
{
    nn_pool *pool = p;
    pool->fn = fn;
    pool->ctx = ctx;
    nn_bar_wait(&pool->start);
    fn(ctx, 0);
    nn_bar_wait(&pool->done);
}

/* A barrier among the T threads of a running job (no-op without a pool). */
static void nn_pool_sync(void *p)
{
    if (p != NULL)
        nn_bar_wait(&((nn_pool *) p)->sync);
}

/* started = number of worker threads running (T - 1 unless creation failed). */
static void nn_pool_free(nn_pool *pool, int started)
{
    if (pool == NULL)
        return;
    pool->quit = 1;
    /* Only the started threads (and the caller) can meet the start barrier. */
    atomic_store_explicit(&pool->start.n, started + 1, memory_order_release);
    nn_bar_wait(&pool->start);
    for (int t = 1; t <= started; t++)
        pthread_join(pool->th[t], NULL);
    nn_bar_destroy(&pool->start);
    nn_bar_destroy(&pool->done);
    nn_bar_destroy(&pool->sync);
    free(pool);
}

static nn_pool *nn_pool_new(int T)
{
    nn_pool *pool = ae_calloc(1, sizeof *pool);
    if (pool == NULL)
        return NULL;
    pool->T = T;
    if (nn_bar_init(&pool->start, T) != 0) {
        free(pool);
        return NULL;
    }
    if (nn_bar_init(&pool->done, T) != 0) {
        nn_bar_destroy(&pool->start);
        free(pool);
        return NULL;
    }
    if (nn_bar_init(&pool->sync, T) != 0) {
        nn_bar_destroy(&pool->start);
        nn_bar_destroy(&pool->done);
        free(pool);
        return NULL;
    }
    int started = 0;
    for (int t = 1; t < T; t++) {
        pool->arg[t].pool = pool;
        pool->arg[t].t = t;
        if (pthread_create(&pool->th[t], NULL, nn_pool_main, &pool->arg[t]) != 0) {
            nn_pool_free(pool, started);
            return NULL;
        }
        started++;
    }
    return pool;
}

/* Elementary functions: pmath's portable double functions (the same bits on every IEEE
 * machine, unlike glibc's per-CPU variants); float networks evaluate them in double and
 * round once to float. */
static float nn_expf(float x) { return (float) pmath_exp((double) x); }
static float nn_expm1f(float x) { return (float) pmath_expm1((double) x); }
static float nn_log1pf(float x) { return (float) pmath_log1p((double) x); }
static float nn_tanhf(float x) { return (float) pmath_tanh((double) x); }
static float nn_erfcf(float x) { return (float) pmath_erfc((double) x); }

/* 1 - beta^t with beta^t correctly rounded (MPFR), as PyTorch's 1 - beta ** step with a
 * correctly rounded pow, for Adam's bias corrections; cached per thread for the last
 * (beta1, beta2, t), so that each thread computes it once per step.  Sets
 * bc[0], bc[1] for beta1, beta2. */
static void nn_adam_bias(double bc[2], double beta1, double beta2, long t)
{
    static _Thread_local double cb1 = -1, cb2 = -1, cbc[2];
    static _Thread_local long ct = -1;
    if (t == ct && beta1 == cb1 && beta2 == cb2) {
        bc[0] = cbc[0];
        bc[1] = cbc[1];
        return;
    }
    mpfr_t r;
    mpfr_init2(r, 53);
    const double beta[2] = { beta1, beta2 };
    for (int i = 0; i < 2; i++) {
        mpfr_set_d(r, beta[i], MPFR_RNDN);
        mpfr_pow_si(r, r, t, MPFR_RNDN);
        bc[i] = 1 - mpfr_get_d(r, MPFR_RNDN);
    }
    mpfr_clear(r);
    cb1 = beta1;
    cb2 = beta2;
    ct = t;
    cbc[0] = bc[0];
    cbc[1] = bc[1];
}

#define REAL float
#define NNS(name) nn_f32_##name
#define NN_SIMD_W 4
#define NN_SIMD_SQRT(dst, src) _mm_storeu_ps((dst), _mm_sqrt_ps(_mm_loadu_ps(src)))
#define R_EXP nn_expf
#define R_EXPM1 nn_expm1f
#define R_LOG1P nn_log1pf
#define R_TANH nn_tanhf
#define R_ERFC nn_erfcf
#define R_SQRT sqrtf
#define PGEMM pgemm_s
#define BLAS_GEMM(api) ((api)->sgemm)
#define V_T __m256
#define V_W 8
#define V_LOAD _mm256_loadu_ps
#define V_STORE _mm256_storeu_ps
#define V_SET1 _mm256_set1_ps
#define V_ADD _mm256_add_ps
#define V_SUB _mm256_sub_ps
#define V_MUL _mm256_mul_ps
#define V_DIV _mm256_div_ps
#define V_SQRT _mm256_sqrt_ps
#include "nn_impl.h"   /* undefines the template parameters at its end */

#define REAL double
#define NNS(name) nn_f64_##name
#define NN_SIMD_W 2
#define NN_SIMD_SQRT(dst, src) _mm_storeu_pd((dst), _mm_sqrt_pd(_mm_loadu_pd(src)))
#define R_EXP pmath_exp
#define R_EXPM1 pmath_expm1
#define R_LOG1P pmath_log1p
#define R_TANH pmath_tanh
#define R_ERFC pmath_erfc
#define R_SQRT sqrt
#define PGEMM pgemm_d
#define BLAS_GEMM(api) ((api)->dgemm)
#define V_T __m256d
#define V_W 4
#define V_LOAD _mm256_loadu_pd
#define V_STORE _mm256_storeu_pd
#define V_SET1 _mm256_set1_pd
#define V_ADD _mm256_add_pd
#define V_SUB _mm256_sub_pd
#define V_MUL _mm256_mul_pd
#define V_DIV _mm256_div_pd
#define V_SQRT _mm256_sqrt_pd
#include "nn_impl.h"   /* undefines the template parameters at its end */

/* ---- activations ------------------------------------------------------------------ */

static const char *const act_names[NN_NACT] = {
    "identity", "relu", "leaky_relu", "tanh", "sigmoid",
    "softplus", "elu", "gelu", "silu", "hardtanh"
};

const char *nn_act_name(nn_act_t a)
{
    return (int) a >= 0 && a < NN_NACT ? act_names[a] : NULL;
}

static double act_default_param(nn_act_t a)
{
    return a == NN_LEAKY_RELU ? 0.01 : a == NN_ELU ? 1.0 : 0.0;
}

int nn_act_parse(nn_act_t *act, double *param, const char *s)
{
    char name[32];
    size_t len = strcspn(s, ":");
    if (len == 0 || len >= sizeof name)
        return AE_EPARSE;
    for (size_t i = 0; i < len; i++)
        name[i] = s[i] == '-' ? '_' : s[i];
    name[len] = '\0';
    int a = -1;
    if (strcmp(name, "linear") == 0 || strcmp(name, "none") == 0)
        a = NN_IDENTITY;
    for (int i = 0; i < NN_NACT && a < 0; i++)
        if (strcmp(name, act_names[i]) == 0)
            a = i;
    if (a < 0)
        return AE_EPARSE;
    double p = act_default_param(a);
    if (s[len] == ':') {
        if (a != NN_LEAKY_RELU && a != NN_ELU)
            return AE_EPARSE;
        char *end;
        p = strtod(s + len + 1, &end);
        if (end == s + len + 1 || *end != '\0' || !isfinite(p) || (a == NN_ELU && p <= 0))
            return AE_EPARSE;
    }
    *act = a;
    *param = p;
    return AE_OK;
}

static double sigm_d(double z)
{
    if (z >= 0)
        return 1 / (1 + pmath_exp(-z));
    double e = pmath_exp(z);
    return e / (1 + e);
}

double nn_act_eval(nn_act_t a, double p, double z)
{
    switch (a) {
    case NN_IDENTITY: return z;
    case NN_RELU: return z > 0 ? z : 0;
    case NN_LEAKY_RELU: return z > 0 ? z : p * z;
    case NN_TANH: return pmath_tanh(z);
    case NN_SIGMOID: return sigm_d(z);
    case NN_SOFTPLUS: return (z > 0 ? z : 0) + pmath_log1p(pmath_exp(-fabs(z)));
    case NN_ELU: return z > 0 ? z : p * pmath_expm1(z);
    case NN_GELU: return 0.5 * z * pmath_erfc(-z * NN_SQRT1_2);
    case NN_SILU: return z * sigm_d(z);
    case NN_HARDTANH: return z > 1 ? 1 : z < -1 ? -1 : z;
    default: return NAN;
    }
}

/* ---- life cycle ----------------------------------------------------------------------- */

static void rec_clear(nn_record *r)
{
    memset(r, 0, sizeof *r);
    r->opt = NN_OPT_ADAM;
    r->loss = NAN;
    r->kernels = NN_KERNELS_UNKNOWN;
}

static size_t real_size(int prec)
{
    return prec == NN_F32 ? sizeof(float) : sizeof(double);
}

int nn_init(nn_t net, int prec, long L, const long *sizes, const nn_act_t *act,
            const double *act_param, const int *bias)
{
    memset(net, 0, sizeof *net);
    rec_clear(&net->rec);
    if (prec != NN_F32 && prec != NN_F64) {
        ae_error("nn_init", "precision must be NN_F32 or NN_F64 (got %d)", prec);
        return AE_EINVAL;
    }
    if (L < 1 || sizes == NULL || act == NULL) {
        ae_error("nn_init", "need at least one layer, sizes and activations");
        return AE_EINVAL;
    }
    for (long l = 0; l <= L; l++)
        if (sizes[l] < 1 || sizes[l] > (1L << 24)) {
            ae_error("nn_init", "layer width %ld out of range [1, 2^24]", sizes[l]);
            return AE_EINVAL;
        }
    for (long l = 0; l < L; l++) {
        if ((int) act[l] < 0 || act[l] >= NN_NACT) {
            ae_error("nn_init", "invalid activation %d", (int) act[l]);
            return AE_EINVAL;
        }
        if (act_param != NULL && (act[l] == NN_LEAKY_RELU || act[l] == NN_ELU)
            && (!isfinite(act_param[l]) || (act[l] == NN_ELU && act_param[l] <= 0))) {
            ae_error("nn_init", "invalid parameter for %s", act_names[act[l]]);
            return AE_EINVAL;
        }
    }
    net->prec = prec;
    net->L = L;
    net->sizes = ae_malloc((size_t) (L + 1) * sizeof(long));
    net->act = ae_malloc((size_t) L * sizeof(nn_act_t));
    net->act_param = ae_malloc((size_t) L * sizeof(double));
    net->bias = ae_malloc((size_t) L * sizeof(int));
    net->woff = ae_malloc((size_t) L * sizeof(long));
    net->boff = ae_malloc((size_t) L * sizeof(long));
    if (!net->sizes || !net->act || !net->act_param || !net->bias || !net->woff || !net->boff) {
        nn_clear(net);
        return AE_ENOMEM;
    }
    memcpy(net->sizes, sizes, (size_t) (L + 1) * sizeof(long));
    long off = 0;
    for (long l = 0; l < L; l++) {
        net->act[l] = act[l];
        double p = act_param != NULL ? act_param[l] : act_default_param(act[l]);
        if (act[l] != NN_LEAKY_RELU && act[l] != NN_ELU)
            p = 0;
        net->act_param[l] = prec == NN_F32 ? (double) (float) p : p;
        net->bias[l] = bias != NULL ? (bias[l] != 0) : 1;
        net->woff[l] = off;
        off += sizes[l] * sizes[l + 1];
        net->boff[l] = net->bias[l] ? off : -1;
        if (net->bias[l])
            off += sizes[l + 1];
    }
    net->nparams = off;
    net->params = ae_calloc((size_t) off, real_size(prec));
    if (net->params == NULL) {
        nn_clear(net);
        return AE_ENOMEM;
    }
    return AE_OK;
}

void nn_clear(nn_t net)
{
    free(net->sizes); free(net->act); free(net->act_param); free(net->bias);
    free(net->woff); free(net->boff); free(net->params);
    nn_set_scale(net, NULL, NULL);
    memset(net, 0, sizeof *net);
}

int nn_init_copy(nn_t dst, const nn_t src)
{
    int st = nn_init(dst, src->prec, src->L, src->sizes, src->act, src->act_param, src->bias);
    if (st != AE_OK)
        return st;
    memcpy(dst->params, src->params, (size_t) src->nparams * real_size(src->prec));
    nn_set_scale(dst, src->nscale ? (const mpq_t *) src->scale_lo : NULL,
                 (const mpq_t *) src->scale_hi);
    dst->rec = src->rec;
    return AE_OK;
}

void nn_set_scale(nn_t net, const mpq_t *lo, const mpq_t *hi)
{
    for (long i = 0; i < net->nscale; i++) {
        mpq_clear(net->scale_lo[i]);
        mpq_clear(net->scale_hi[i]);
    }
    free(net->scale_lo);
    free(net->scale_hi);
    net->scale_lo = net->scale_hi = NULL;
    net->nscale = 0;
    if (lo == NULL || hi == NULL)
        return;
    long d = net->sizes[0];
    net->scale_lo = ae_malloc((size_t) d * sizeof(mpq_t));
    net->scale_hi = ae_malloc((size_t) d * sizeof(mpq_t));
    if (net->scale_lo == NULL || net->scale_hi == NULL)
        return;
    for (long i = 0; i < d; i++) {
        mpq_init(net->scale_lo[i]);
        mpq_init(net->scale_hi[i]);
        mpq_set(net->scale_lo[i], lo[i]);
        mpq_set(net->scale_hi[i], hi[i]);
    }
    net->nscale = d;
}

/* Standard normal by Marsaglia's polar method on gsl_rng_uniform draws (written here, not
 * gsl_ran_gaussian, so that its logarithm is pmath's: the same draws on every machine);
 * the spare deviate is discarded so each call is self-contained. */
static double gauss01(gsl_rng *r)
{
    double u, v, s;
    do {
        u = 2 * gsl_rng_uniform(r) - 1;
        v = 2 * gsl_rng_uniform(r) - 1;
        s = u * u + v * v;
    } while (s >= 1 || s == 0);
    return u * sqrt(-2 * pmath_log(s) / s);   /* sqrt is correctly rounded: portable */
}

int nn_init_params(nn_t net, nn_init_t init, void *gsl_rng_ptr)
{
    gsl_rng *r = gsl_rng_ptr;
    if (r == NULL || (int) init < NN_INIT_TORCH || init > NN_INIT_XAVIER) {
        ae_error("nn_init_params", "need an RNG and a valid initialisation");
        return AE_EINVAL;
    }
    for (long l = 0; l < net->L; l++) {
        double fin = (double) net->sizes[l], fout = (double) net->sizes[l + 1];
        long nw = net->sizes[l] * net->sizes[l + 1], nb = net->bias[l] ? net->sizes[l + 1] : 0;
        for (long i = 0; i < nw + nb; i++) {
            double v;
            int isw = i < nw;
            switch (init) {
            case NN_INIT_HE:
                v = isw ? sqrt(2.0 / fin) * gauss01(r) : 0;
                break;
            case NN_INIT_XAVIER: {
                double a = sqrt(6.0 / (fin + fout));
                v = isw ? a * (2 * gsl_rng_uniform(r) - 1) : 0;
                break;
            }
            default: {
                double a = 1 / sqrt(fin);
                v = a * (2 * gsl_rng_uniform(r) - 1);
                break;
            }
            }
            long k = net->woff[l] + i;
            if (net->prec == NN_F32)
                ((float *) net->params)[k] = (float) v;
            else
                ((double *) net->params)[k] = v;
        }
    }
    net->rec.init = init;
    return AE_OK;
}

void nn_get_params(double *p, const nn_t net)
{
    for (long i = 0; i < net->nparams; i++)
        p[i] = net->prec == NN_F32 ? (double) ((const float *) net->params)[i]
                                   : ((const double *) net->params)[i];
}

int nn_set_params(nn_t net, const double *p)
{
    for (long i = 0; i < net->nparams; i++)
        if (!isfinite(p[i]) || (net->prec == NN_F32 && !isfinite((float) p[i])))
            return AE_ERANGE;
    if (net->prec == NN_F32)
        nn_f32_from_double(net->params, p, net->nparams);
    else
        nn_f64_from_double(net->params, p, net->nparams);
    return AE_OK;
}

/* ---- evaluation --------------------------------------------------------------------------- */

int nn_forward(double *Y, const nn_t net, const double *X, long n)
{
    if (n < 0 || (n > 0 && (Y == NULL || X == NULL))) {
        ae_error("nn_forward", "n must be >= 0 and Y, X non-NULL");
        return AE_EINVAL;
    }
    return net->prec == NN_F32 ? nn_f32_forward(Y, NULL, net, X, n)
                               : nn_f64_forward(Y, NULL, net, X, n);
}

int nn_scores(double *e, const nn_t net, const double *X, long n)
{
    if (n < 0 || (n > 0 && (e == NULL || X == NULL))
        || net->sizes[0] != net->sizes[net->L]) {
        ae_error("nn_scores", "need n >= 0, e, X and an autoencoder (output width = input width)");
        return AE_EINVAL;
    }
    return net->prec == NN_F32 ? nn_f32_forward(NULL, e, net, X, n)
                               : nn_f64_forward(NULL, e, net, X, n);
}

int nn_loss_grad(double *loss, double *g, const nn_t net, const double *X, long n)
{
    if (n < 1 || loss == NULL || X == NULL || net->sizes[0] != net->sizes[net->L]) {
        ae_error("nn_loss_grad", "need n >= 1, loss, X and output width = input width");
        return AE_EINVAL;
    }
    return net->prec == NN_F32 ? nn_f32_loss_grad(loss, g, net, X, n)
                               : nn_f64_loss_grad(loss, g, net, X, n);
}

/* ---- training ---------------------------------------------------------------------------- */

void nn_trainopts_default(nn_trainopts *o)
{
    o->opt = NN_OPT_ADAM;
    o->lr = 1e-3;
    o->momentum = 0;
    o->beta1 = 0.9;
    o->beta2 = 0.999;
    o->eps = 1e-8;
    o->batch = 0;
    o->seed = 0;
    o->shuffle = 1;
    o->threads = 1;
    o->kernels = NN_KERNELS_PORTABLE;
}

const char *nn_kernels_name(int kernels)
{
    switch (kernels) {
    case NN_KERNELS_PORTABLE: return "portable";
    case NN_KERNELS_BLAS: return "blas";
    case NN_KERNELS_UNKNOWN: return "unknown";
    default: return NULL;
    }
}

int nn_kernels_parse(int *kernels, const char *s)
{
    if (strcmp(s, "portable") == 0)
        *kernels = NN_KERNELS_PORTABLE;
    else if (strcmp(s, "blas") == 0)
        *kernels = NN_KERNELS_BLAS;
    else
        return AE_EPARSE;
    return AE_OK;
}

int nn_trainer_init(nn_trainer_t T, nn_t net, const nn_trainopts *o, const double *X, long n)
{
    memset(T, 0, sizeof *T);
    if (o == NULL || X == NULL || n < 1) {
        ae_error("nn_trainer_init", "need options, data and n >= 1 rows");
        return AE_EINVAL;
    }
    if ((o->opt != NN_OPT_SGD && o->opt != NN_OPT_ADAM) || !(o->lr > 0) || !isfinite(o->lr)
        || !(o->momentum >= 0 && o->momentum < 1) || !(o->beta1 >= 0 && o->beta1 < 1)
        || !(o->beta2 >= 0 && o->beta2 < 1) || !(o->eps > 0) || !isfinite(o->eps)
        || o->threads < 1 || o->threads > NN_MAX_THREADS
        || (o->kernels != NN_KERNELS_PORTABLE && o->kernels != NN_KERNELS_BLAS)) {
        ae_error("nn_trainer_init", "invalid options (lr %g, momentum %g, betas %g %g, "
                 "eps %g, threads %d, kernels %d)", o->lr, o->momentum, o->beta1, o->beta2,
                 o->eps, o->threads, o->kernels);
        return AE_EINVAL;
    }
    if (o->kernels == NN_KERNELS_BLAS && oblas_load() == NULL)
        return AE_EIO;
    if (net->sizes[0] != net->sizes[net->L]) {
        ae_error("nn_trainer_init", "output width %ld differs from input width %ld",
                 net->sizes[net->L], net->sizes[0]);
        return AE_EINVAL;
    }
    T->net = net;
    T->o = *o;
    if (T->o.batch <= 0 || T->o.batch > n)
        T->o.batch = n;
    T->n = n;
    T->nthreads = o->threads;
    T->perm = ae_malloc((size_t) n * sizeof(long));
    T->rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (T->nthreads > 1)
        T->pool = nn_pool_new(T->nthreads);
    if (T->perm == NULL || T->rng == NULL || (T->nthreads > 1 && T->pool == NULL)) {
        nn_trainer_clear(T);
        return AE_ENOMEM;
    }
    gsl_rng_set(T->rng, o->seed);
    for (long i = 0; i < n; i++)
        T->perm[i] = i;
    int st = net->prec == NN_F32 ? nn_f32_trainer_init(T, X, n) : nn_f64_trainer_init(T, X, n);
    if (st != AE_OK) {
        nn_trainer_clear(T);
        return st;
    }
    nn_record *r = &net->rec;
    r->n = n;
    r->opt = o->opt;
    r->lr = o->lr;
    r->momentum = o->momentum;
    r->beta1 = o->beta1;
    r->beta2 = o->beta2;
    r->eps = o->eps;
    r->batch = T->o.batch;
    r->seed = o->seed;
    r->kernels = o->kernels;
    return AE_OK;
}

void nn_trainer_clear(nn_trainer_t T)
{
    if (T->net != NULL && T->ws != NULL) {
        if (T->net->prec == NN_F32)
            nn_f32_trainer_free(T);
        else
            nn_f64_trainer_free(T);
    }
    free(T->X);
    free(T->perm);
    if (T->rng != NULL)
        gsl_rng_free(T->rng);
    if (T->pool != NULL)
        nn_pool_free(T->pool, T->nthreads - 1);
    memset(T, 0, sizeof *T);
}

int nn_trainer_epoch(double *loss, nn_trainer_t T)
{
    if (T->net == NULL || T->ws == NULL || loss == NULL) {
        ae_error("nn_trainer_epoch", "trainer not initialised");
        return AE_EINVAL;
    }
    int st = T->net->prec == NN_F32 ? nn_f32_trainer_epoch(loss, T)
                                    : nn_f64_trainer_epoch(loss, T);
    nn_record *r = &T->net->rec;
    r->steps = T->step;
    if (st == AE_OK) {
        r->epochs++;
        r->loss = *loss;
    } else {
        r->loss = NAN;
    }
    return st;
}
