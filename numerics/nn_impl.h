/* nn_impl.h — the precision-generic core of nn.c, included once per precision.
 *
 * Before inclusion nn.c defines REAL (float or double), NNS(name) (appends the precision
 * suffix), the math functions R_EXP, R_EXPM1, R_LOG1P, R_TANH, R_ERFC, R_SQRT, PGEMM
 * (pgemm_s or pgemm_d) and BLAS_GEMM(api) (OpenBLAS's sgemm or dgemm from an
 * oblas_api).  Everything here is static; nn.c's public functions
 * dispatch to it.  No header guard on purpose.
 *
 * Layout: a mini-batch is processed in rounds of at most ws->C rows, all row-major:
 * Z[l] (rows x m_l) pre-activations, A[l] post-activations (A[l] == Z[l] for identity),
 * D[l] the loss's derivative with respect to Z[l].
 *
 * A round with T threads has two phases.  (1) Rows: thread t takes rows
 * [t R/T, (t+1) R/T) of the round's R rows through the forward pass and back-propagates
 * the deltas D[l]; both only need that thread's rows, so no data are shared.  (2) Units:
 * after a barrier, thread t computes the weight and bias gradients of output units
 * [t m/T, (t+1) m/T) of every layer from all R rows (one GEMM with the round's full depth,
 * so no per-thread partial gradients exist and nothing has to be reduced afterwards), and
 * in a batch's last round applies the optimizer step to exactly those parameters while
 * they are still in its cache.  A second barrier ends the round.  The first round of a
 * batch writes G (beta = 0), later rounds add to it in round order.  Every sum therefore
 * has an order fixed by the architecture, the batch size and T.
 */

typedef struct {
    long C;          /* rows per round */
    long L;
    REAL **Z, **A;   /* L buffers each (A[l] aliases Z[l] for identity) */
    REAL **D;        /* L delta buffers (NULL: inference only) */
    REAL *Xc;        /* C x d: input rows rounded to REAL (inference) or gathered (training) */
    REAL *WT;        /* nparams: W transposed (k x m) at W's offset for the layers of
                        NNS(use_wt), kept equal to the parameters (NNS(sync_wt)) */
    REAL *G;         /* nparams gradient (NULL: inference only) */
    REAL **Gt;       /* rows mode: T per-thread gradients, Gt[0] == G (else NULL) */
    int nGt;
    REAL *M1, *M2;   /* optimizer state: momentum / Adam moments */
    int gather;      /* training: batches are gathered through perm into Xc */
    const oblas_api *blas;   /* NN_KERNELS_BLAS: OpenBLAS; NULL: the portable pgemm */
} NNS(ws);

/* C (m x n) = op(A) op(B) + beta C (alpha = 1) by the run's kernels: pgemm's fixed order
 * (portable) or OpenBLAS's (blas).  beta is 0 or 1 everywhere here. */
static void NNS(gemm)(const NNS(ws) *w, int ta, int tb, long m, long n, long k,
                      const REAL *A, long lda, const REAL *B, long ldb, REAL beta, REAL *C,
                      long ldc)
{
    if (w->blas != NULL)
        BLAS_GEMM(w->blas)(OBLAS_ROW_MAJOR, ta ? OBLAS_TRANS : OBLAS_NO_TRANS,
                           tb ? OBLAS_TRANS : OBLAS_NO_TRANS, (int) m, (int) n, (int) k, 1,
                           A, (int) lda, B, (int) ldb, beta, C, (int) ldc);
    else
        PGEMM(ta, tb, m, n, k, 1, A, lda, B, ldb, beta, C, ldc);
}

static void NNS(ws_free)(NNS(ws) *w)
{
    if (w == NULL)
        return;
    for (long l = 0; l < w->L; l++) {
        if (w->A != NULL && w->Z != NULL && w->A[l] != w->Z[l])
            free(w->A[l]);
        if (w->Z != NULL)
            free(w->Z[l]);
        if (w->D != NULL)
            free(w->D[l]);
    }
    for (int t = 1; w->Gt != NULL && t < w->nGt; t++)
        free(w->Gt[t]);
    free(w->Gt);
    free(w->Z); free(w->A); free(w->D);
    free(w->Xc);
    free(w->G); free(w->M1); free(w->M2); free(w->WT);
    free(w);
}

/* Activations computed in place (A[l] == Z[l]).  ReLU qualifies because its derivative
 * needs only the sign of z, and relu(z) > 0 exactly when z > 0: the backward pass reads
 * the same predicate from A, and one buffer instead of two keeps a chunk in cache. */
static int NNS(in_place)(nn_act_t act)
{
    return act == NN_IDENTITY || act == NN_RELU;
}

/* grad: allocate D and G; opt: allocate optimizer state. */
static NNS(ws) *NNS(ws_alloc)(const nn_struct *net, long C, int grad, int opt)
{
    NNS(ws) *w = ae_calloc(1, sizeof *w);
    if (w == NULL)
        return NULL;
    long L = net->L;
    w->C = C;
    w->L = L;
    w->Z = ae_calloc((size_t) L, sizeof *w->Z);
    w->A = ae_calloc((size_t) L, sizeof *w->A);
    if (w->Z == NULL || w->A == NULL)
        goto fail;
    if (grad && (w->D = ae_calloc((size_t) L, sizeof *w->D)) == NULL)
        goto fail;
    for (long l = 0; l < L; l++) {
        size_t sz = (size_t) C * (size_t) net->sizes[l + 1] * sizeof(REAL);
        w->Z[l] = ae_malloc(sz);
        if (w->Z[l] == NULL)
            goto fail;
        w->A[l] = NNS(in_place)(net->act[l]) ? w->Z[l] : ae_malloc(sz);
        if (w->A[l] == NULL)
            goto fail;
        if (grad && (w->D[l] = ae_malloc(sz)) == NULL)
            goto fail;
    }
    w->Xc = ae_malloc((size_t) C * (size_t) net->sizes[0] * sizeof(REAL));
    if (w->Xc == NULL)
        goto fail;
    if ((w->WT = ae_malloc((size_t) net->nparams * sizeof(REAL))) == NULL)
        goto fail;
    if (grad && (w->G = ae_calloc((size_t) net->nparams, sizeof(REAL))) == NULL)
        goto fail;
    if (opt && ((w->M1 = ae_calloc((size_t) net->nparams, sizeof(REAL))) == NULL
                || (w->M2 = ae_calloc((size_t) net->nparams, sizeof(REAL))) == NULL))
        goto fail;
    return w;
fail:
    NNS(ws_free)(w);
    return NULL;
}

static inline REAL NNS(sigm)(REAL z)
{
    /* The two branches avoid exp overflow; both are accurate to a few ulps. */
    if (z >= 0)
        return (REAL) 1 / ((REAL) 1 + R_EXP(-z));
    REAL e = R_EXP(z);
    return e / ((REAL) 1 + e);
}

/* Z += b (row-wise, if b) and A = act(Z), over rows x m.  Identity and ReLU work in
 * place (A == Z) and fuse the bias into the same pass; the others add the bias first. */
NN_VEC
static void NNS(act_fw)(REAL *Z, REAL *A, const REAL *restrict b, long rows, long m,
                        nn_act_t act, REAL p)
{
    const long n = rows * m;
    if (act == NN_IDENTITY || act == NN_RELU) {
        const int relu = act == NN_RELU;
        for (long r = 0; r < rows && (b != NULL || relu); r++) {
            REAL *restrict z = Z + r * m;
            if (b != NULL && relu)
                for (long j = 0; j < m; j++) {
                    REAL v = z[j] + b[j];
                    z[j] = v > 0 ? v : 0;
                }
            else if (b != NULL)
                for (long j = 0; j < m; j++)
                    z[j] += b[j];
            else
                for (long j = 0; j < m; j++)
                    z[j] = z[j] > 0 ? z[j] : 0;
        }
        return;
    }
    if (b != NULL)
        for (long r = 0; r < rows; r++) {
            REAL *restrict z = Z + r * m;
            for (long j = 0; j < m; j++)
                z[j] += b[j];
        }
    switch (act) {
    case NN_LEAKY_RELU:
        for (long i = 0; i < n; i++)
            A[i] = Z[i] > 0 ? Z[i] : p * Z[i];
        break;
    case NN_TANH:
        for (long i = 0; i < n; i++)
            A[i] = R_TANH(Z[i]);
        break;
    case NN_SIGMOID:
        for (long i = 0; i < n; i++)
            A[i] = NNS(sigm)(Z[i]);
        break;
    case NN_SOFTPLUS:
        /* max(z,0) + log1p(e^-|z|): no overflow, no cancellation. */
        for (long i = 0; i < n; i++) {
            REAL z = Z[i];
            A[i] = (z > 0 ? z : 0) + R_LOG1P(R_EXP(z > 0 ? -z : z));
        }
        break;
    case NN_ELU:
        for (long i = 0; i < n; i++)
            A[i] = Z[i] > 0 ? Z[i] : p * R_EXPM1(Z[i]);
        break;
    case NN_GELU:
        for (long i = 0; i < n; i++)
            A[i] = (REAL) 0.5 * Z[i] * R_ERFC(-Z[i] * (REAL) NN_SQRT1_2);
        break;
    case NN_SILU:
        for (long i = 0; i < n; i++)
            A[i] = Z[i] * NNS(sigm)(Z[i]);
        break;
    case NN_HARDTANH:
        for (long i = 0; i < n; i++)
            A[i] = Z[i] > 1 ? 1 : (Z[i] < -1 ? -1 : Z[i]);
        break;
    default:
        break;
    }
}

/* D = D * act'(Z) elementwise over n entries.  At kinks the derivative is PyTorch's
 * choice: ReLU'(0) = 0, hardtanh' = 0 at +-1. */
NN_VEC
static void NNS(act_bw)(REAL *restrict D, const REAL *restrict Z, const REAL *A, long n,
                        nn_act_t act, REAL p)
{
    switch (act) {
    case NN_IDENTITY:
        break;
    case NN_RELU:   /* Z holds relu(z) here (in place), positive exactly where z is */
        for (long i = 0; i < n; i++)
            D[i] = Z[i] > 0 ? D[i] : 0;
        break;
    case NN_LEAKY_RELU:
        for (long i = 0; i < n; i++)
            D[i] = Z[i] > 0 ? D[i] : p * D[i];
        break;
    case NN_TANH:
        for (long i = 0; i < n; i++)
            D[i] *= (REAL) 1 - A[i] * A[i];
        break;
    case NN_SIGMOID:
        for (long i = 0; i < n; i++)
            D[i] *= A[i] * ((REAL) 1 - A[i]);
        break;
    case NN_SOFTPLUS:
        for (long i = 0; i < n; i++)
            D[i] *= NNS(sigm)(Z[i]);
        break;
    case NN_ELU:
        for (long i = 0; i < n; i++)
            D[i] = Z[i] > 0 ? D[i] : D[i] * p * R_EXP(Z[i]);
        break;
    case NN_GELU: {
        const REAL c = (REAL) 0.39894228040143267794;   /* 1/sqrt(2 pi) */
        for (long i = 0; i < n; i++) {
            REAL z = Z[i];
            REAL Phi = (REAL) 0.5 * R_ERFC(-z * (REAL) NN_SQRT1_2);
            D[i] *= Phi + z * c * R_EXP((REAL) -0.5 * z * z);
        }
        break;
    }
    case NN_SILU:
        for (long i = 0; i < n; i++) {
            REAL s = NNS(sigm)(Z[i]);
            D[i] *= s * ((REAL) 1 + Z[i] * ((REAL) 1 - s));
        }
        break;
    case NN_HARDTANH:
        for (long i = 0; i < n; i++)
            D[i] = (Z[i] > -1 && Z[i] < 1) ? D[i] : 0;
        break;
    default:
        break;
    }
}

static int NNS(all_finite)(const REAL *v, long n)
{
    for (long i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return 0;
    return 1;
}

/* Rounds n doubles to REAL; 0 if some result is not finite. */
static int NNS(from_double)(REAL *y, const double *x, long n)
{
    int ok = 1;
    for (long i = 0; i < n; i++) {
        y[i] = (REAL) x[i];
        ok &= isfinite(y[i]) != 0;
    }
    return ok;
}

/* S[i] = sqrt(v[i]) (correctly rounded, like sqrt; v >= 0). */
static void NNS(sqrt_block)(REAL *restrict S, const REAL *restrict v, long m)
{
    long i = 0;
#if defined(__SSE2__) && !defined(PGEMM_SCALAR)
    for (; i + NN_SIMD_W <= m; i += NN_SIMD_W)
        NN_SIMD_SQRT(S + i, v + i);
#endif
    for (; i < m; i++)
        S[i] = R_SQRT(v[i]);
}

#if NN_HAVE_AVX
/* Adam's moment and parameter updates in one AVX pass, the same operations in the same
 * order as the portable loops in NNS(update) (see nn.c on bit-identity). */
__attribute__((target("avx")))
static void NNS(adam_avx)(REAL *restrict P, const REAL *restrict G, REAL *restrict M1,
                          REAL *restrict M2, long n, REAL b1, REAL b2, REAL c1, REAL c2,
                          REAL step, REAL bc2s, REAL eps)
{
    const V_T vb1 = V_SET1(b1), vb2 = V_SET1(b2), vc1 = V_SET1(c1), vc2 = V_SET1(c2);
    const V_T vstep = V_SET1(step), vbc2s = V_SET1(bc2s), veps = V_SET1(eps);
    long i = 0;
    for (; i + V_W <= n; i += V_W) {
        V_T g = V_LOAD(G + i);
        V_T m1 = V_ADD(V_MUL(vb1, V_LOAD(M1 + i)), V_MUL(vc1, g));
        V_T m2 = V_ADD(V_MUL(vb2, V_LOAD(M2 + i)), V_MUL(V_MUL(vc2, g), g));
        V_STORE(M1 + i, m1);
        V_STORE(M2 + i, m2);
        V_T den = V_ADD(V_DIV(V_SQRT(m2), vbc2s), veps);
        V_STORE(P + i, V_SUB(V_LOAD(P + i), V_MUL(vstep, V_DIV(m1, den))));
    }
    for (; i < n; i++) {
        M1[i] = b1 * M1[i] + c1 * G[i];
        M2[i] = b2 * M2[i] + c2 * G[i] * G[i];
        REAL den = R_SQRT(M2[i]) / bc2s + eps;
        P[i] -= step * (M1[i] / den);
    }
}
#endif

/* The optimizer step on n parameters (any contiguous piece: every formula is elementwise,
 * so the result does not depend on how the parameters are split among threads), PyTorch
 * 1.13's formulas in REAL with double scalars rounded once.  t is the step number (1, 2..). */
static void NNS(update)(REAL *restrict P, const REAL *restrict G, REAL *restrict M1,
                        REAL *restrict M2, long nparams, const nn_trainopts *o, long t)
{
    if (o->opt == NN_OPT_SGD) {
        const REAL lr = (REAL) o->lr, mu = (REAL) o->momentum;
        if (o->momentum == 0) {
            for (long i = 0; i < nparams; i++)
                P[i] -= lr * G[i];
        } else if (t == 1) {
            for (long i = 0; i < nparams; i++) {   /* the buffer starts as the gradient */
                M1[i] = G[i];
                P[i] -= lr * M1[i];
            }
        } else {
            for (long i = 0; i < nparams; i++) {
                M1[i] = mu * M1[i] + G[i];
                P[i] -= lr * M1[i];
            }
        }
        return;
    }
    const REAL b1 = (REAL) o->beta1, b2 = (REAL) o->beta2;
    const REAL c1 = (REAL) (1 - o->beta1), c2 = (REAL) (1 - o->beta2);
    double bc[2];
    nn_adam_bias(bc, o->beta1, o->beta2, t);
    const REAL step = (REAL) (o->lr / bc[0]), bc2s = (REAL) sqrt(bc[1]), eps = (REAL) o->eps;
#if NN_HAVE_AVX
    if (nn_use_avx()) {
        NNS(adam_avx)(P, G, M1, M2, nparams, b1, b2, c1, c2, step, bc2s, eps);
        return;
    }
#endif
    /* In blocks, so that the moment and update loops vectorise: a sqrt call inside a loop
     * blocks GCC's vectoriser (errno), so the square roots get their own pass. */
    REAL S[NN_ADAM_BLOCK];
    for (long i0 = 0; i0 < nparams; i0 += NN_ADAM_BLOCK) {
        const long m = nparams - i0 < NN_ADAM_BLOCK ? nparams - i0 : NN_ADAM_BLOCK;
        REAL *restrict p = P + i0, *restrict m1 = M1 + i0, *restrict m2 = M2 + i0;
        const REAL *restrict g = G + i0;
        for (long i = 0; i < m; i++) {
            m1[i] = b1 * m1[i] + c1 * g[i];
            m2[i] = b2 * m2[i] + c2 * g[i] * g[i];
        }
        NNS(sqrt_block)(S, m2, m);
        for (long i = 0; i < m; i++) {
            REAL den = S[i] / bc2s + eps;
            p[i] -= step * (m1[i] / den);
        }
    }
}

/* ---- layer kernels -------------------------------------------------------------------- */

/* Layers with at most NN_THIN inputs or outputs (the [.., 64, 1, 64, ..] bottleneck, the
 * 2-D input and output of the toy sets) are computed by the loops below instead of GEMM:
 * OpenBLAS spends more time dispatching and packing such shapes than computing them.
 * (Their sums have fixed orders: portable whichever kernels the GEMMs use.) */
static int NNS(thin)(long k, long m)
{
    return k <= NN_THIN || m <= NN_THIN;
}

/* Whether layer (k, m) keeps W^T in ws->WT: the thin loops need it; the forward GEMM runs
 * faster from it only for small layers (measured at 64 x 64), while for large ones (the
 * 784 x 256 of Fashion-MNIST) the per-step transpose costs more than it saves. */
static int NNS(use_wt)(long k, long m)
{
    return NNS(thin)(k, m) || k * m <= NN_WT_MAX;
}

/* The sum of a[i] b[i] in a fixed order: 8 interleaved partial sums (so the loop
 * vectorises without reassociation), combined pairwise, then the tail. */
static inline REAL NNS(dot)(const REAL *restrict a, const REAL *restrict b, long n)
{
    REAL s[8] = { 0, 0, 0, 0, 0, 0, 0, 0 };
    long i = 0;
    for (; i + 8 <= n; i += 8)
        for (int l = 0; l < 8; l++)
            s[l] += a[i + l] * b[i + l];
    REAL t = ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
    for (; i < n; i++)
        t += a[i] * b[i];
    return t;
}

/* y[q * ys] = NNS(dot)(a + q * as, b, n) for q = 0..3, bit for bit, with the four rows'
 * sums interleaved: one dot of a thin layer is a chain of dependent adds, four are not. */
static inline void NNS(dot4)(REAL *restrict y, long ys, const REAL *restrict a, long as,
                             const REAL *restrict b, long n)
{
#if defined(__GNUC__) && !defined(PGEMM_SCALAR)
    /* GCC's vector type keeps the 32 partial sums in registers (a REAL s[4][8] array
     * ends up on the stack); its arithmetic is the same element-wise IEEE arithmetic. */
    typedef REAL v8 __attribute__((vector_size(8 * sizeof(REAL))));
    v8 s0 = { 0 }, s1 = { 0 }, s2 = { 0 }, s3 = { 0 };
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        v8 vb, x0, x1, x2, x3;
        memcpy(&vb, b + i, sizeof vb);
        memcpy(&x0, a + i, sizeof x0);
        memcpy(&x1, a + as + i, sizeof x1);
        memcpy(&x2, a + 2 * as + i, sizeof x2);
        memcpy(&x3, a + 3 * as + i, sizeof x3);
        s0 += x0 * vb;
        s1 += x1 * vb;
        s2 += x2 * vb;
        s3 += x3 * vb;
    }
    REAL s[4][8];
    memcpy(s[0], &s0, sizeof s0);
    memcpy(s[1], &s1, sizeof s1);
    memcpy(s[2], &s2, sizeof s2);
    memcpy(s[3], &s3, sizeof s3);
#else
    REAL s[4][8];
    for (int q = 0; q < 4; q++)
        for (int l = 0; l < 8; l++)
            s[q][l] = 0;
    long i = 0;
    for (; i + 8 <= n; i += 8)
        for (int q = 0; q < 4; q++)
            for (int l = 0; l < 8; l++)
                s[q][l] += a[q * as + i + l] * b[i + l];
#endif
    for (int q = 0; q < 4; q++) {
        REAL t = ((s[q][0] + s[q][4]) + (s[q][1] + s[q][5]))
                 + ((s[q][2] + s[q][6]) + (s[q][3] + s[q][7]));
        for (long i2 = i; i2 < n; i2++)
            t += a[q * as + i2] * b[i2];
        y[q * ys] = t;
    }
}

/* WT of layer l, columns (output units) [j0, j1), from the parameters P.  The forward GEMM
 * reads W^T as an untransposed operand, which pgemm reads in place (a transposed one it
 * packs per call) and OpenBLAS's small-matrix kernels run about 25% faster, and the thin
 * loops read its rows contiguously.  Either operand gives pgemm's same bits. */
static void NNS(sync_wt)(const nn_struct *net, const REAL *P, REAL *WT, long l, long j0,
                         long j1)
{
    const long k = net->sizes[l], m = net->sizes[l + 1], o = net->woff[l];
    if (!NNS(use_wt)(k, m))
        return;
    for (long i = 0; i < k; i++)
        for (long j = j0; j < j1; j++)
            WT[o + i * m + j] = P[o + j * k + i];
}

static void NNS(sync_wt_all)(const nn_struct *net, const REAL *P, REAL *WT)
{
    for (long l = 0; l < net->L; l++)
        NNS(sync_wt)(net, P, WT, l, 0, net->sizes[l + 1]);
}

/* Z (rows x m) = in (rows x k) W^T for a thin layer. */
NN_VEC
static void NNS(thin_fw)(REAL *restrict Z, const REAL *restrict in, const REAL *restrict W,
                         const REAL *restrict WT, long rows, long k, long m)
{
    if (k <= NN_THIN) {
        for (long r = 0; r < rows; r++) {
            REAL *restrict z = Z + r * m;
            const REAL *restrict x = in + r * k;
            for (long j = 0; j < m; j++)
                z[j] = x[0] * WT[j];
            for (long i = 1; i < k; i++)
                for (long j = 0; j < m; j++)
                    z[j] += x[i] * WT[i * m + j];
        }
    } else {
        long r = 0;
        for (; r + 4 <= rows; r += 4)
            for (long j = 0; j < m; j++)
                NNS(dot4)(Z + r * m + j, m, in + r * k, k, W + j * k, k);
        for (; r < rows; r++)
            for (long j = 0; j < m; j++)
                Z[r * m + j] = NNS(dot)(in + r * k, W + j * k, k);
    }
}

/* Din (rows x k) = D (rows x m) W for a thin layer: the same product as thin_fw with the
 * roles of W (m x k) and its copy WT (k x m) exchanged, so the same summation order. */
static void NNS(thin_bw)(REAL *restrict Din, const REAL *restrict D, const REAL *restrict W,
                         const REAL *restrict WT, long rows, long k, long m)
{
    NNS(thin_fw)(Din, D, WT, W, rows, m, k);
}

/* Forward pass of `rows` input rows x into rows [a, a + rows) of the work buffers, with
 * w->WT equal to the parameters P. */
static void NNS(forward_rows)(const nn_struct *net, const REAL *P, NNS(ws) *w,
                              const REAL *x, long a, long rows)
{
    const REAL *in = x;
    for (long l = 0; l < net->L; l++) {
        const long k = net->sizes[l], m = net->sizes[l + 1];
        REAL *Z = w->Z[l] + a * m;
        if (NNS(thin)(k, m))
            NNS(thin_fw)(Z, in, P + net->woff[l], w->WT + net->woff[l], rows, k, m);
        else if (NNS(use_wt)(k, m))
            NNS(gemm)(w, 0, 0, rows, m, k, in, k, w->WT + net->woff[l], m, 0, Z, m);
        else
            NNS(gemm)(w, 0, 1, rows, m, k, in, k, P + net->woff[l], k, 0, Z, m);
        NNS(act_fw)(Z, w->A[l] + a * m, net->bias[l] ? P + net->boff[l] : NULL, rows, m,
                    net->act[l], (REAL) net->act_param[l]);
        in = w->A[l] + a * m;
    }
}

/* D = D * act'(Z) over rows x m (as NNS(act_bw)) and, if db, db[j] += column sums of the
 * result, row by row: for ReLU one pass while the block is in L1, not two. */
NN_VEC
static void NNS(act_bw_sum)(REAL *restrict D, const REAL *restrict Z, const REAL *A,
                            long rows, long m, nn_act_t act, REAL p, REAL *restrict db)
{
    if (act == NN_RELU && db != NULL) {
        for (long r = 0; r < rows; r++) {
            REAL *restrict d = D + r * m;
            const REAL *restrict z = Z + r * m;
            for (long j = 0; j < m; j++) {
                REAL v = z[j] > 0 ? d[j] : 0;
                d[j] = v;
                db[j] += v;
            }
        }
        return;
    }
    NNS(act_bw)(D, Z, A, rows * m, act, p);
    if (db != NULL)
        for (long r = 0; r < rows; r++) {
            const REAL *restrict d = D + r * m;
            for (long j = 0; j < m; j++)
                db[j] += d[j];
        }
}

/* Phase 1 on `rows` input rows x, using rows [a, a + rows) of the work buffers: forward,
 * then the deltas D[l] of those rows.  The output delta is scale * (f(x) - x) with
 * scale = 2/(B d), the derivative of the batch's mean loss.  If Gb != NULL the bias
 * gradients (at boff[l] in Gb) get these rows' column sums of D[l] added, row by row
 * (zeroed first if first).  Returns the rows' sum of squared errors. */
static double NNS(rows_grad)(const nn_struct *net, const REAL *P, NNS(ws) *w,
                             const REAL *restrict x, long a, long rows, REAL scale,
                             REAL *Gb, int first)
{
    const long L = net->L, d = net->sizes[0];
    NNS(forward_rows)(net, P, w, x, a, rows);
    const REAL *restrict out = w->A[L - 1] + a * d;
    REAL *restrict D = w->D[L - 1] + a * d;
    double acc = 0;
    for (long i = 0; i < rows * d; i++) {
        REAL diff = out[i] - x[i];
        acc += (double) diff * (double) diff;
        D[i] = scale * diff;
    }
    for (long l = L - 1; l >= 0; l--) {
        const long k = net->sizes[l], m = net->sizes[l + 1];
        REAL *db = Gb != NULL && net->bias[l] ? Gb + net->boff[l] : NULL;
        if (db != NULL && first)
            memset(db, 0, (size_t) m * sizeof(REAL));
        NNS(act_bw_sum)(w->D[l] + a * m, w->Z[l] + a * m, w->A[l] + a * m, rows, m,
                        net->act[l], (REAL) net->act_param[l], db);
        if (l == 0)
            break;
        if (NNS(thin)(k, m))
            NNS(thin_bw)(w->D[l - 1] + a * k, w->D[l] + a * m, P + net->woff[l],
                         w->WT + net->woff[l], rows, k, m);
        else
            NNS(gemm)(w, 0, 0, rows, k, m, w->D[l] + a * m, m, P + net->woff[l], k, 0,
                      w->D[l - 1] + a * k, k);
    }
    return acc;
}

/* Phase 2 for thread t of T: the gradients of output units [t m/T, (t+1) m/T) of every
 * layer over the round's R rows (X = its input rows), written (first) or added to w->G;
 * then, if o != NULL, optimizer step `step` on those parameters. */
static void NNS(units_grad)(const nn_struct *net, REAL *P, NNS(ws) *w, const REAL *X,
                            long R, int first, int t, int T, const nn_trainopts *o, long step)
{
    for (long l = net->L - 1; l >= 0; l--) {
        const long k = net->sizes[l], m = net->sizes[l + 1];
        const long j0 = (long) t * m / T, j1 = (long) (t + 1) * m / T;
        if (j0 == j1)
            continue;
        const REAL *in = l > 0 ? w->A[l - 1] : X, *Dl = w->D[l];
        const long wo = net->woff[l] + j0 * k;
        NNS(gemm)(w, 1, 0, j1 - j0, k, R, Dl + j0, m, in, k, first ? 0 : 1, w->G + wo, k);
        if (net->bias[l]) {
            REAL *restrict db = w->G + net->boff[l];
            if (first)
                memset(db + j0, 0, (size_t) (j1 - j0) * sizeof(REAL));
            for (long r = 0; r < R; r++) {
                const REAL *restrict dr = Dl + r * m;
                for (long j = j0; j < j1; j++)
                    db[j] += dr[j];
            }
        }
        if (o != NULL) {
            NNS(update)(P + wo, w->G + wo, w->M1 + wo, w->M2 + wo, (j1 - j0) * k, o, step);
            NNS(sync_wt)(net, P, w->WT, l, j0, j1);
            if (net->bias[l]) {
                const long bo = net->boff[l] + j0;
                NNS(update)(P + bo, w->G + bo, w->M1 + bo, w->M2 + bo, j1 - j0, o, step);
            }
        }
    }
}

/* A pass over n rows of X in batches of B (the gradient, and with o the optimizer
 * steps), run by each of the T threads (t = this thread's index). */
typedef struct {
    const nn_struct *net;
    NNS(ws) *w;
    void *pool;          /* NULL when T == 1 */
    int T;
    const REAL *X;
    const long *perm;    /* batch rows are X[perm[i]] (gathered), or NULL: X in order */
    long n, B;
    const nn_trainopts *o;   /* NULL: gradient only */
    long step0;          /* optimizer steps taken before this pass */
    double sse[NN_MAX_THREADS];
    int had[NN_MAX_THREADS];   /* rows mode: thread u had a chunk */
    /* thread 0's results */
    double sum;          /* sum over batches of (batch loss) x (batch rows) */
    double loss;         /* the last batch's mean loss */
    long steps;
} NNS(pass);

/* Batch rows [first, first + rows) as contiguous input: X itself when batches are not
 * gathered, else copied through perm into rows [a, a + rows) of w->Xc. */
static const REAL *NNS(batch_input)(const NNS(pass) *j, long first, long a, long rows)
{
    const long d = j->net->sizes[0];
    if (j->perm == NULL)
        return j->X + first * d;
    REAL *x = j->w->Xc + a * d;
    for (long i = 0; i < rows; i++)
        memcpy(x + i * d, j->X + j->perm[first + i] * d, (size_t) d * sizeof(REAL));
    return x;
}

/* The mean loss from the threads' sums: every thread adds the same values in the same
 * order, so all agree on whether the step is taken. */
static double NNS(batch_loss)(const NNS(pass) *j, long B)
{
    double sse = 0;
    for (int u = 0; u < j->T; u++)
        sse += j->sse[u];
    return sse / ((double) B * (double) j->net->sizes[0]);
}

/* Units mode (see the top of this file): one batch of B rows starting at s0. */
static double NNS(batch_units)(NNS(pass) *j, int t, long s0, long B, long step)
{
    const nn_struct *net = j->net;
    NNS(ws) *w = j->w;
    const long d = net->sizes[0], C = w->C;
    const int T = j->T;
    const REAL scale = (REAL) (2.0 / ((double) B * (double) d));
    double mine = 0, loss = 0;
    for (long r0 = 0; r0 < B; r0 += C) {
        const long R = B - r0 < C ? B - r0 : C;
        const long a = (long) t * R / T, b = (long) (t + 1) * R / T;
        const REAL *x = NNS(batch_input)(j, s0 + r0 + a, a, b - a);
        const REAL *Xr = j->perm != NULL ? w->Xc : j->X + (s0 + r0) * d;
        if (b > a)
            mine += NNS(rows_grad)(net, net->params, w, x, a, b - a, scale, NULL, 0);
        j->sse[t] = mine;
        nn_pool_sync(j->pool);
        const int last = r0 + R >= B;
        if (last)
            loss = NNS(batch_loss)(j, B);
        NNS(units_grad)(net, net->params, w, Xr, R, r0 == 0, t, T,
                        last && isfinite(loss) ? j->o : NULL, step);
        nn_pool_sync(j->pool);
    }
    return loss;
}

/* Rows mode, for batches of more than one round (also with T = 1): thread t takes rows
 * [t B/T, (t+1) B/T) of the batch, in chunks of C/T rows, through forward, backward and
 * weight gradients (bias gradients fused into the delta passes), accumulating into its own Gt[t]; after a barrier, thread t sums the
 * threads' gradients of its output units in thread order and takes the optimizer step on
 * them.  Two barriers per batch instead of two per round, at the price of T gradient
 * buffers: the better trade when a batch has many rounds. */
static double NNS(batch_rows)(NNS(pass) *j, int t, long s0, long B, long step)
{
    const nn_struct *net = j->net;
    NNS(ws) *w = j->w;
    const long d = net->sizes[0], Cp = w->C / j->T, a = (long) t * Cp;
    const int T = j->T;
    const REAL scale = (REAL) (2.0 / ((double) B * (double) d));
    /* Equal row shares (not whole chunks) keep the threads' work within a row. */
    const long q0 = (long) t * B / T, q1 = (long) (t + 1) * B / T;
    REAL *Gt = w->Gt[t];
    double mine = 0;
    for (long r0 = q0; r0 < q1; r0 += Cp) {
        const long rows = q1 - r0 < Cp ? q1 - r0 : Cp;
        const int c = r0 == q0;
        const REAL *x = NNS(batch_input)(j, s0 + r0, a, rows);
        mine += NNS(rows_grad)(net, net->params, w, x, a, rows, scale, Gt, c);
        for (long l = 0; l < net->L; l++) {
            const long k = net->sizes[l], m = net->sizes[l + 1];
            const REAL *in = l > 0 ? w->A[l - 1] + a * k : x, *Dl = w->D[l] + a * m;
            NNS(gemm)(w, 1, 0, m, k, rows, Dl, m, in, k, c ? 0 : 1, Gt + net->woff[l], k);
        }
    }
    j->sse[t] = mine;
    j->had[t] = q1 > q0;
    nn_pool_sync(j->pool);
    const double loss = NNS(batch_loss)(j, B);
    const nn_trainopts *o = isfinite(loss) ? j->o : NULL;
    for (long l = 0; l < net->L; l++) {
        const long k = net->sizes[l], m = net->sizes[l + 1];
        const long j0 = (long) t * m / T, j1 = (long) (t + 1) * m / T;
        for (int part = 0; part < 2 && j0 < j1; part++) {
            if (part == 1 && !net->bias[l])
                break;
            const long off = part == 0 ? net->woff[l] + j0 * k : net->boff[l] + j0;
            const long len = part == 0 ? (j1 - j0) * k : j1 - j0;
            REAL *restrict G = w->G + off;   /* == Gt[0] + off */
            for (int u = 1; u < T; u++) {
                if (!j->had[u])
                    continue;
                const REAL *restrict Gu = w->Gt[u] + off;
                for (long i = 0; i < len; i++)
                    G[i] += Gu[i];
            }
            if (o != NULL) {
                NNS(update)((REAL *) net->params + off, G, w->M1 + off, w->M2 + off, len, o,
                            step);
                if (part == 0)
                    NNS(sync_wt)(net, net->params, w->WT, l, j0, j1);
            }
        }
    }
    nn_pool_sync(j->pool);
    return loss;
}

static void NNS(pass_run)(void *arg, int t)
{
    NNS(pass) *j = arg;
    long nb = 0;
    for (long s0 = 0; s0 < j->n; s0 += j->B, nb++) {
        const long B = j->n - s0 < j->B ? j->n - s0 : j->B;
        const double loss = B > j->w->C && j->w->Gt != NULL
            ? NNS(batch_rows)(j, t, s0, B, j->step0 + nb + 1)
            : NNS(batch_units)(j, t, s0, B, j->step0 + nb + 1);
        if (t == 0) {
            j->loss = loss;
            if (isfinite(loss)) {
                j->sum += loss * (double) B;
                j->steps++;
            }
        }
        if (!isfinite(loss))
            break;
    }
}

/* ---- public entry points (dispatched from nn.c) ---------------------------------- */

static int NNS(forward)(double *Y, double *e, const nn_struct *net, const double *X, long n)
{
    const long d = net->sizes[0], dout = net->sizes[net->L];
    long C = nn_chunk_rows(net);
    if (n < C)
        C = n > 0 ? n : 1;
    NNS(ws) *w = NNS(ws_alloc)(net, C, 0, 0);
    if (w == NULL)
        return AE_ENOMEM;
    NNS(sync_wt_all)(net, net->params, w->WT);
    int status = AE_OK;
    for (long r0 = 0; r0 < n; r0 += C) {
        long rows = n - r0 < C ? n - r0 : C;
        if (!NNS(from_double)(w->Xc, X + r0 * d, rows * d)) {
            status = AE_ERANGE;
            break;
        }
        NNS(forward_rows)(net, net->params, w, w->Xc, 0, rows);
        const REAL *out = w->A[net->L - 1];
        if (Y != NULL)
            for (long i = 0; i < rows * dout; i++)
                Y[r0 * dout + i] = (double) out[i];
        if (e != NULL)
            for (long r = 0; r < rows; r++) {
                REAL s = 0;
                for (long j = 0; j < d; j++) {
                    REAL diff = w->Xc[r * d + j] - out[r * d + j];
                    s += diff * diff;
                }
                e[r0 + r] = (double) s;
            }
    }
    NNS(ws_free)(w);
    return status;
}

static int NNS(loss_grad)(double *loss, double *g, const nn_struct *net, const double *X,
                          long n)
{
    const long d = net->sizes[0];
    REAL *Xr = ae_malloc((size_t) n * (size_t) d * sizeof(REAL));
    long C = nn_chunk_rows(net);
    NNS(ws) *w = NNS(ws_alloc)(net, n < C ? n : C, 1, 0);
    int status = AE_OK;
    if (Xr == NULL || w == NULL)
        status = AE_ENOMEM;
    else if (!NNS(from_double)(Xr, X, n * d))
        status = AE_ERANGE;
    else {
        NNS(sync_wt_all)(net, net->params, w->WT);
        NNS(pass) j;
        memset(&j, 0, sizeof j);
        j.net = net;
        j.w = w;
        j.T = 1;
        j.X = Xr;
        j.n = j.B = n;
        NNS(pass_run)(&j, 0);
        *loss = j.loss;
        if (g != NULL)
            for (long i = 0; i < net->nparams; i++)
                g[i] = (double) w->G[i];
    }
    NNS(ws_free)(w);
    free(Xr);
    return status;
}

static int NNS(trainer_init)(nn_trainer_struct *T, const double *X, long n)
{
    const nn_struct *net = T->net;
    const long d = net->sizes[0];
    long B = T->o.batch;
    /* Each thread's share of a round is the cache-sized chunk. */
    long C = nn_chunk_rows(net) * T->nthreads;
    if (C > B)
        C = B;
    T->X = ae_malloc((size_t) n * (size_t) d * sizeof(REAL));
    if (T->X == NULL)
        return AE_ENOMEM;
    if (!NNS(from_double)(T->X, X, n * d))
        return AE_ERANGE;
    NNS(ws) *w = NNS(ws_alloc)(net, C, 1, 1);
    T->ws = w;
    if (w == NULL)
        return AE_ENOMEM;
    w->blas = T->o.kernels == NN_KERNELS_BLAS ? oblas_load() : NULL;
    w->gather = B < n && T->o.shuffle;
    if (B > C) {   /* rows mode (NNS(batch_rows)) will be used */
        w->Gt = ae_calloc((size_t) T->nthreads, sizeof *w->Gt);
        if (w->Gt == NULL)
            return AE_ENOMEM;
        w->nGt = T->nthreads;
        w->Gt[0] = w->G;
        for (int t = 1; t < T->nthreads; t++)
            if ((w->Gt[t] = ae_malloc((size_t) net->nparams * sizeof(REAL))) == NULL)
                return AE_ENOMEM;
    }
    return AE_OK;
}

static int NNS(trainer_epoch)(double *loss, nn_trainer_struct *T)
{
    nn_struct *net = T->net;
    NNS(ws) *w = T->ws;
    if (w->gather)
        nn_shuffle(T->perm, T->n, T->rng);
    /* The caller may have changed the parameters since the last epoch. */
    NNS(sync_wt_all)(net, net->params, w->WT);
    NNS(pass) j;
    memset(&j, 0, sizeof j);
    j.net = net;
    j.w = w;
    j.pool = T->pool;
    j.T = T->nthreads;
    j.X = T->X;
    j.perm = w->gather ? T->perm : NULL;
    j.n = T->n;
    j.B = T->o.batch;
    j.o = &T->o;
    j.step0 = T->step;
    if (j.T == 1)
        NNS(pass_run)(&j, 0);
    else
        nn_pool_run(T->pool, NNS(pass_run), &j);
    T->step += j.steps;
    if (!isfinite(j.loss)) {
        *loss = j.loss;
        return AE_ERANGE;
    }
    *loss = j.sum / (double) T->n;
    if (!NNS(all_finite)(net->params, net->nparams)) {
        *loss = NAN;
        return AE_ERANGE;
    }
    return AE_OK;
}

static void NNS(trainer_free)(nn_trainer_struct *T)
{
    NNS(ws_free)(T->ws);
    T->ws = NULL;
}

/* End of the template: undefine its parameters for the next inclusion. */
#undef REAL
#undef NNS
#undef R_EXP
#undef R_EXPM1
#undef R_LOG1P
#undef R_TANH
#undef R_ERFC
#undef R_SQRT
#undef PGEMM
#undef BLAS_GEMM
#undef NN_SIMD_W
#undef NN_SIMD_SQRT
#undef V_T
#undef V_W
#undef V_LOAD
#undef V_STORE
#undef V_SET1
#undef V_ADD
#undef V_SUB
#undef V_MUL
#undef V_DIV
#undef V_SQRT
