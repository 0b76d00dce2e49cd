/* nn_impl.h — the precision-generic core of nn.c, included once per precision.
 *
 * Before inclusion nn.c defines REAL (float or double), NNS(name) (appends the precision
 * suffix), the math functions R_EXP, R_EXPM1, R_LOG1P, R_TANH, R_ERFC, R_SQRT and GEMM
 * (cblas_sgemm or cblas_dgemm).  Everything here is static; nn.c's public functions
 * dispatch to it.  No header guard on purpose.
 *
 * Layout: a mini-batch is processed in chunks of at most ws->C rows, all row-major:
 * Z[l] (rows x m_l) pre-activations, A[l] post-activations (A[l] == Z[l] for identity),
 * so a chunk's activations stay in cache between the forward and the backward pass.
 * The first chunk of a batch writes G (beta = 0), later chunks add to it (beta = 1), in a
 * fixed order.
 */

typedef struct {
    long C;          /* rows per chunk */
    long L;
    REAL **Z, **A;   /* L buffers each (A[l] aliases Z[l] for identity) */
    REAL *D0, *D1;   /* C x maxw back-propagated deltas (ping-pong) */
    REAL *Xc;        /* C x d: a chunk of input rounded to REAL (inference) */
    REAL *G;         /* nparams gradient accumulator (NULL: inference only) */
    REAL *M1, *M2;   /* optimizer state: momentum / Adam moments */
    REAL *Xb;        /* batch gather buffer (batch rows x d), or NULL */
} NNS(ws);

static void NNS(ws_free)(NNS(ws) *w)
{
    if (w == NULL)
        return;
    if (w->Z != NULL)
        for (long l = 0; l < w->L; l++) {
            if (w->A != NULL && w->A[l] != w->Z[l])
                free(w->A[l]);
            free(w->Z[l]);
        }
    free(w->Z); free(w->A);
    free(w->D0); free(w->D1); free(w->Xc);
    free(w->G); free(w->M1); free(w->M2); free(w->Xb);
    free(w);
}

/* grad: allocate G; opt: allocate optimizer state; xb: gather-buffer rows (0: none). */
static NNS(ws) *NNS(ws_alloc)(const nn_struct *net, long C, int grad, int opt, long xb)
{
    NNS(ws) *w = ae_calloc(1, sizeof *w);
    if (w == NULL)
        return NULL;
    long L = net->L, maxw = 0;
    for (long l = 0; l <= L; l++)
        if (net->sizes[l] > maxw)
            maxw = net->sizes[l];
    w->C = C;
    w->L = L;
    w->Z = ae_calloc((size_t) L, sizeof *w->Z);
    w->A = ae_calloc((size_t) L, sizeof *w->A);
    if (w->Z == NULL || w->A == NULL)
        goto fail;
    for (long l = 0; l < L; l++) {
        size_t sz = (size_t) C * (size_t) net->sizes[l + 1] * sizeof(REAL);
        w->Z[l] = ae_malloc(sz);
        if (w->Z[l] == NULL)
            goto fail;
        w->A[l] = net->act[l] == NN_IDENTITY ? w->Z[l] : ae_malloc(sz);
        if (w->A[l] == NULL)
            goto fail;
    }
    w->D0 = ae_malloc((size_t) C * (size_t) maxw * sizeof(REAL));
    w->D1 = ae_malloc((size_t) C * (size_t) maxw * sizeof(REAL));
    w->Xc = ae_malloc((size_t) C * (size_t) net->sizes[0] * sizeof(REAL));
    if (w->D0 == NULL || w->D1 == NULL || w->Xc == NULL)
        goto fail;
    if (grad && (w->G = ae_calloc((size_t) net->nparams, sizeof(REAL))) == NULL)
        goto fail;
    if (opt && ((w->M1 = ae_calloc((size_t) net->nparams, sizeof(REAL))) == NULL
                || (w->M2 = ae_calloc((size_t) net->nparams, sizeof(REAL))) == NULL))
        goto fail;
    if (xb > 0 && (w->Xb = ae_malloc((size_t) xb * (size_t) net->sizes[0] * sizeof(REAL))) == NULL)
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

/* Z += b (row-wise, if b) and A = act(Z), over rows x m. */
static void NNS(act_fw)(REAL *restrict Z, REAL *A, const REAL *restrict b,
                        long rows, long m, nn_act_t act, REAL p)
{
    const long n = rows * m;
    if (b != NULL)
        for (long r = 0; r < rows; r++) {
            REAL *restrict z = Z + r * m;
            for (long j = 0; j < m; j++)
                z[j] += b[j];
        }
    switch (act) {
    case NN_IDENTITY:
        break;  /* A aliases Z */
    case NN_RELU:
        for (long i = 0; i < n; i++)
            A[i] = Z[i] > 0 ? Z[i] : 0;
        break;
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

/* D = D * act'(Z) elementwise, then db += column sums of D (if db; db = the sums when
 * first, so the gradient buffer needs no clearing).  At kinks the
 * derivative is PyTorch's choice: ReLU'(0) = 0, hardtanh' = 0 at +-1. */
static void NNS(act_bw)(REAL *restrict D, const REAL *restrict Z, const REAL *A,
                        REAL *restrict db, int first, long rows, long m, nn_act_t act, REAL p)
{
    const long n = rows * m;
    switch (act) {
    case NN_IDENTITY:
        break;
    case NN_RELU:
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
    if (db != NULL && first)
        memset(db, 0, (size_t) m * sizeof(REAL));
    if (db != NULL)
        for (long r = 0; r < rows; r++) {
            const REAL *restrict d = D + r * m;
            for (long j = 0; j < m; j++)
                db[j] += d[j];
        }
}

/* Forward pass of `rows` input rows X (rows x sizes[0]); the output is ws->A[L-1]. */
static void NNS(forward_chunk)(const nn_struct *net, const REAL *P, NNS(ws) *w,
                               const REAL *X, long rows)
{
    const REAL *in = X;
    for (long l = 0; l < net->L; l++) {
        long k = net->sizes[l], m = net->sizes[l + 1];
        GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, (int) rows, (int) m, (int) k,
             1, in, (int) k, P + net->woff[l], (int) k, 0, w->Z[l], (int) m);
        NNS(act_fw)(w->Z[l], w->A[l], net->bias[l] ? P + net->boff[l] : NULL, rows, m,
                    net->act[l], (REAL) net->act_param[l]);
        in = w->A[l];
    }
}

/* Forward and backward over one chunk of `rows` rows.  The output delta is
 * scale * (f(x) - x) with scale = 2/(B d), the derivative of the batch's mean loss; the
 * chunk's weight and bias gradients are added to w->G (beta = 1 GEMMs) and its sum of
 * squared errors to *sse. */
static void NNS(grad_chunk)(const nn_struct *net, const REAL *P, NNS(ws) *w,
                            const REAL *X, long rows, REAL scale, int first, double *sse)
{
    const long L = net->L, d = net->sizes[0];
    NNS(forward_chunk)(net, P, w, X, rows);
    REAL *D = w->D0, *Dn = w->D1;
    const REAL *out = w->A[L - 1];
    double acc = 0;
    for (long i = 0; i < rows * d; i++) {
        REAL diff = out[i] - X[i];
        acc += (double) diff * (double) diff;
        D[i] = scale * diff;
    }
    *sse += acc;
    for (long l = L - 1; l >= 0; l--) {
        long k = net->sizes[l], m = net->sizes[l + 1];
        const REAL *in = l > 0 ? w->A[l - 1] : X;
        NNS(act_bw)(D, w->Z[l], w->A[l], net->bias[l] ? w->G + net->boff[l] : NULL, first,
                    rows, m, net->act[l], (REAL) net->act_param[l]);
        GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, (int) m, (int) k, (int) rows,
             1, D, (int) m, in, (int) k, first ? 0 : 1, w->G + net->woff[l], (int) k);
        if (l > 0) {
            GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int) rows, (int) k, (int) m,
                 1, D, (int) m, P + net->woff[l], (int) k, 0, Dn, (int) k);
            REAL *t = D; D = Dn; Dn = t;
        }
    }
}

/* Gradient of the mean loss over the B rows of X into w->G; returns the loss. */
static double NNS(batch_grad)(const nn_struct *net, const REAL *P, NNS(ws) *w,
                              const REAL *X, long B)
{
    const long d = net->sizes[0];
    const REAL scale = (REAL) (2.0 / ((double) B * (double) d));
    double sse = 0;
    for (long r0 = 0; r0 < B; r0 += w->C) {
        long rows = B - r0 < w->C ? B - r0 : w->C;
        NNS(grad_chunk)(net, P, w, X + r0 * d, rows, scale, r0 == 0, &sse);
    }
    return sse / ((double) B * (double) d);
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
#if defined(__SSE2__)
    for (; i + NN_SIMD_W <= m; i += NN_SIMD_W)
        NN_SIMD_SQRT(S + i, v + i);
#endif
    for (; i < m; i++)
        S[i] = R_SQRT(v[i]);
}

/* The optimizer step, PyTorch 1.13's formulas in REAL with double scalars rounded once. */
static void NNS(update)(REAL *restrict P, NNS(ws) *w, const nn_trainopts *o, long nparams,
                        long t)
{
    REAL *restrict G = w->G, *restrict M1 = w->M1, *restrict M2 = w->M2;
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
    const double bc1 = 1 - pow(o->beta1, (double) t), bc2 = 1 - pow(o->beta2, (double) t);
    const REAL step = (REAL) (o->lr / bc1), bc2s = (REAL) sqrt(bc2), eps = (REAL) o->eps;
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

/* ---- public entry points (dispatched from nn.c) ---------------------------------- */

static int NNS(forward)(double *Y, double *e, const nn_struct *net, const double *X, long n)
{
    const long d = net->sizes[0], dout = net->sizes[net->L];
    long C = nn_chunk_rows(net);
    if (n < C)
        C = n > 0 ? n : 1;
    NNS(ws) *w = NNS(ws_alloc)(net, C, 0, 0, 0);
    if (w == NULL)
        return AE_ENOMEM;
    int status = AE_OK;
    for (long r0 = 0; r0 < n; r0 += C) {
        long rows = n - r0 < C ? n - r0 : C;
        if (!NNS(from_double)(w->Xc, X + r0 * d, rows * d)) {
            status = AE_ERANGE;
            break;
        }
        NNS(forward_chunk)(net, net->params, w, w->Xc, rows);
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
    NNS(ws) *w = NNS(ws_alloc)(net, n < C ? n : C, 1, 0, 0);
    int status = AE_OK;
    if (Xr == NULL || w == NULL)
        status = AE_ENOMEM;
    else if (!NNS(from_double)(Xr, X, n * d))
        status = AE_ERANGE;
    else {
        *loss = NNS(batch_grad)(net, net->params, w, Xr, n);
        if (g != NULL)
            for (long i = 0; i < net->nparams; i++)
                g[i] = (double) w->G[i];
    }
    NNS(ws_free)(w);
    free(Xr);
    return status;
}

/* One batch split over the trainer's threads: chunk c of nc (rows per chunk Cr) goes to
 * thread t with c in [t nc / T, (t+1) nc / T); thread t accumulates its chunks in order
 * into its own G, and thread 0 then adds G_1, ..., G_{T-1} in order.  So for a given
 * thread count the result is always the same. */
typedef struct {
    const nn_struct *net;
    const REAL *P, *X;
    NNS(ws) **wsv;
    long B, Cr, nc;
    int T;
    REAL scale;
    double sse[NN_MAX_THREADS];
} NNS(job);

static void NNS(job_run)(void *arg, int t)
{
    NNS(job) *j = arg;
    const long d = j->net->sizes[0];
    long c0 = (long) t * j->nc / j->T, c1 = (long) (t + 1) * j->nc / j->T;
    j->sse[t] = 0;
    for (long c = c0; c < c1; c++) {
        long r0 = c * j->Cr, rows = j->B - r0 < j->Cr ? j->B - r0 : j->Cr;
        NNS(grad_chunk)(j->net, j->P, j->wsv[t], j->X + r0 * d, rows, j->scale, c == c0,
                        &j->sse[t]);
    }
}

static double NNS(batch_grad_par)(nn_trainer_struct *T, const REAL *X, long B)
{
    NNS(ws) **wsv = T->ws;
    const nn_struct *net = T->net;
    const int nt = T->nthreads;
    NNS(job) j;
    j.net = net;
    j.P = net->params;
    j.X = X;
    j.wsv = wsv;
    j.B = B;
    j.T = nt;
    j.Cr = (B + nt - 1) / nt;
    if (j.Cr > wsv[0]->C)
        j.Cr = wsv[0]->C;
    j.nc = (B + j.Cr - 1) / j.Cr;
    j.scale = (REAL) (2.0 / ((double) B * (double) net->sizes[0]));
    if (nt == 1)
        NNS(job_run)(&j, 0);
    else
        nn_pool_run(T->pool, NNS(job_run), &j);
    REAL *restrict G = wsv[0]->G;
    double sse = j.sse[0];
    for (int t = 1; t < nt; t++) {
        if ((long) t * j.nc / nt == (long) (t + 1) * j.nc / nt)
            continue;   /* this thread had no chunk */
        const REAL *restrict Gt = wsv[t]->G;
        for (long i = 0; i < net->nparams; i++)
            G[i] += Gt[i];
        sse += j.sse[t];
    }
    return sse / ((double) B * (double) net->sizes[0]);
}

static int NNS(trainer_init)(nn_trainer_struct *T, const double *X, long n)
{
    const nn_struct *net = T->net;
    const long d = net->sizes[0];
    long B = T->o.batch;
    long C = nn_chunk_rows(net);
    if (C > B)
        C = B;
    T->X = ae_malloc((size_t) n * (size_t) d * sizeof(REAL));
    if (T->X == NULL)
        return AE_ENOMEM;
    if (!NNS(from_double)(T->X, X, n * d))
        return AE_ERANGE;
    int gather = B < n && T->o.shuffle;
    NNS(ws) **wsv = ae_calloc((size_t) T->nthreads, sizeof *wsv);
    T->ws = wsv;
    if (wsv == NULL)
        return AE_ENOMEM;
    for (int t = 0; t < T->nthreads; t++)
        if ((wsv[t] = NNS(ws_alloc)(net, C, 1, t == 0, t == 0 && gather ? B : 0)) == NULL)
            return AE_ENOMEM;
    return AE_OK;
}

static int NNS(trainer_epoch)(double *loss, nn_trainer_struct *T)
{
    nn_struct *net = T->net;
    NNS(ws) *w = ((NNS(ws) **) T->ws)[0];
    const long n = T->n, d = net->sizes[0], B = T->o.batch;
    const REAL *X = T->X;
    REAL *P = net->params;
    if (w->Xb != NULL)
        nn_shuffle(T->perm, n, T->rng);
    double sum = 0;
    for (long s0 = 0; s0 < n; s0 += B) {
        long rows = n - s0 < B ? n - s0 : B;
        const REAL *Xs = X + s0 * d;
        if (w->Xb != NULL) {
            for (long r = 0; r < rows; r++)
                memcpy(w->Xb + r * d, X + T->perm[s0 + r] * d, (size_t) d * sizeof(REAL));
            Xs = w->Xb;
        }
        double l = NNS(batch_grad_par)(T, Xs, rows);
        if (!isfinite(l)) {
            *loss = l;
            return AE_ERANGE;
        }
        sum += l * (double) rows;
        T->step++;
        NNS(update)(P, w, &T->o, net->nparams, T->step);
    }
    *loss = sum / (double) n;
    if (!NNS(all_finite)(P, net->nparams)) {
        *loss = NAN;
        return AE_ERANGE;
    }
    return AE_OK;
}

static void NNS(trainer_free)(nn_trainer_struct *T)
{
    NNS(ws) **wsv = T->ws;
    for (int t = 0; wsv != NULL && t < T->nthreads; t++)
        NNS(ws_free)(wsv[t]);
    free(wsv);
    T->ws = NULL;
}
