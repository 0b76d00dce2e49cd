/* nn — dense feed-forward autoencoders trained in floating point (float32 or float64).
 *
 * A network is a chain of L affine layers; layer l maps R^{sizes[l]} to R^{sizes[l+1]}:
 *     z_l = W_l a_{l-1} + b_l        (b_l absent when bias[l] == 0)
 *     a_l = act_l(z_l)               (a_{-1} = x, the input; f(x) = a_{L-1})
 * W_l is sizes[l+1] x sizes[l], row-major.  One source (nn_impl.h) is compiled twice,
 * with REAL = float and REAL = double, as GSL builds its float and double variants; the
 * precision is a tag in the object (net->prec = NN_F32 or NN_F64) and every public function
 * dispatches on it, so callers see one API.  Values cross the API as doubles: every float
 * converts to double exactly, and doubles given to a float32 network are rounded to
 * nearest float on entry (documented per function).
 *
 * Parameters are stored contiguously in net->params (float* or double*): for each layer
 * in order, W_l (row-major) then b_l.  net->woff[l] / net->boff[l] are the offsets
 * (boff = -1 without bias).  Every stored weight is a finite binary floating-point number,
 * hence an exact dyadic rational: theory/ code may read it with nn_get_params.
 *
 * Loss: the mean squared error over all entries, as PyTorch's nn.MSELoss:
 *     loss = (1/(n d)) sum_i ||x_i - f(x_i)||^2        (d = sizes[0] = sizes[L]).
 * Scores: e(x) = ||x - f(x)||^2 (the sum over features, as in CLAIMS.md).
 *
 * Determinism: initialisation and shuffling draw from GSL's mt19937 seeded explicitly;
 * every reduction has a fixed order (mini-batches are processed in rounds of rows whose
 * size depends only on the architecture, the batch size and nn_trainopts.threads).  With
 * the portable kernels (nn_trainopts.kernels = NN_KERNELS_PORTABLE, the default) every
 * matrix product is numerics/pgemm.h (a fixed summation order, no FMA, the same bits
 * whatever the SIMD width) and every elementary function is numerics/pmath.h, so the same
 * seed, data and options give a bit-identical model on every IEEE-754 machine.  With
 * NN_KERNELS_BLAS the products go to OpenBLAS (loaded at run time, numerics/oblas.h),
 * whose kernel, hence summation order, depends on the CPU: bit-identical only on the same
 * machine with the same OpenBLAS.
 *
 * Errors follow aeerr.h: caller misuse -> ae_error, then AE_EINVAL; bad data (NaN/Inf,
 * a diverging loss) -> AE_ERANGE; nothing here prints.
 */
#ifndef NN_H
#define NN_H

#include <stddef.h>
#include <gmp.h>

enum { NN_F32 = 32, NN_F64 = 64 };

typedef enum {
    NN_IDENTITY = 0,
    NN_RELU,
    NN_LEAKY_RELU,   /* z > 0 ? z : slope z          (param = slope, default 0.01) */
    NN_TANH,
    NN_SIGMOID,
    NN_SOFTPLUS,     /* log(1 + e^z) */
    NN_ELU,          /* z > 0 ? z : alpha (e^z - 1)   (param = alpha, default 1) */
    NN_GELU,         /* z Phi(z) = z (1 + erf(z/sqrt 2)) / 2, the exact (erf) form, evaluated
                        as z erfc(-z/sqrt 2) / 2 to avoid cancellation for z < 0 */
    NN_SILU,         /* z sigmoid(z) */
    NN_HARDTANH,     /* min(1, max(-1, z)) */
    NN_NACT
} nn_act_t;

typedef enum { NN_INIT_TORCH = 0, NN_INIT_HE, NN_INIT_XAVIER } nn_init_t;
/* The training engine's matrix-product kernels (nn_trainopts.kernels, nn_record.kernels). */
enum { NN_KERNELS_UNKNOWN = -1, NN_KERNELS_PORTABLE = 0, NN_KERNELS_BLAS = 1 };
typedef enum { NN_OPT_SGD = 0, NN_OPT_ADAM } nn_opt_t;

/* What produced a trained model: written to and read from the model file verbatim. */
typedef struct {
    char data[256];     /* data set name or path ("" when unknown) */
    char normal[128];   /* class list kept for training, "" = every row */
    long n;             /* number of training rows */
    int opt;            /* nn_opt_t */
    double lr, momentum, beta1, beta2, eps;
    long epochs;        /* epochs completed */
    long batch;         /* rows per step (n for full batch) */
    long steps;         /* optimizer steps taken */
    unsigned long seed;
    int init;           /* nn_init_t */
    double loss;        /* mean training loss of the last epoch (NaN if never trained) */
    int kernels;        /* NN_KERNELS_* of the training run; NN_KERNELS_UNKNOWN if never
                           trained or read from a file without the record line */
} nn_record;

/* Model file caps (nn_load): a larger file is refused before it is read (256 MiB holds
 * about 10^7 float64 weights in %a text, 20 times the largest network the claims train);
 * at most NN_MAX_PARAMS parameters (2^25 = 33.5 million, 268 MB as doubles). */
#define NN_MAX_FILE_BYTES (1LL << 28)
#define NN_MAX_PARAMS (1L << 25)

typedef struct {
    int prec;            /* NN_F32 or NN_F64 */
    long L;              /* number of affine layers, >= 1 */
    long *sizes;         /* L + 1 widths, each >= 1 */
    nn_act_t *act;       /* L activations */
    double *act_param;   /* L: slope (leaky ReLU) / alpha (ELU), already rounded to REAL; 0 else */
    int *bias;           /* L flags */
    long nparams;
    long *woff, *boff;   /* L offsets into params */
    void *params;        /* float[nparams] or double[nparams] */
    /* Optional input scaling x' = (x - lo)/(hi - lo) applied by the front end before the
     * network sees data (min-max scaling fitted on the training set): exact rationals,
     * nscale = 0 (none) or sizes[0]; a feature with hi == lo gets scale 1, x' = x - lo
     * (scikit-learn's MinMaxScaler), so it is 0 on the fitted rows and a deviation stays
     * visible. */
    long nscale;
    mpq_t *scale_lo, *scale_hi;
    nn_record rec;
} nn_struct;
typedef nn_struct nn_t[1];

/* ---- activations -------------------------------------------------------------- */
/* The canonical lower-case name ("identity", "relu", "leaky_relu", "tanh", "sigmoid",
 * "softplus", "elu", "gelu", "silu", "hardtanh"); NULL for an invalid value. */
const char *nn_act_name(nn_act_t a);
/* Parses "NAME" or "NAME:PARAM" (NAME as above; '-' may replace '_', "linear" and
 * "none" mean identity).  PARAM is only allowed for leaky_relu (slope) and elu (alpha)
 * and must be a finite decimal; *param gets it or the default (0 for the others).
 * Returns AE_OK or AE_EPARSE (outputs unchanged). */
int nn_act_parse(nn_act_t *act, double *param, const char *s);
/* The activation's value at z in double (the reference the tests and docs use). */
double nn_act_eval(nn_act_t a, double param, double z);

/* ---- life cycle --------------------------------------------------------------- */
/* Sets up a network of L layers with the given widths (L + 1 entries), activations,
 * activation parameters (act_param may be NULL: defaults) and bias flags (bias may be
 * NULL: every layer has a bias); all parameters 0; rec cleared (loss NaN); no scaling.
 * prec is NN_F32 or NN_F64.  Misuse: L < 1, a width < 1, an invalid activation, a
 * non-finite or (for ELU) non-positive parameter.  On error net is left cleared-safe
 * (nn_clear may be called). */
int nn_init(nn_t net, int prec, long L, const long *sizes, const nn_act_t *act,
            const double *act_param, const int *bias);
void nn_clear(nn_t net);
/* Deep copy (dst initialised by this call; on error dst is clear-safe). */
int nn_init_copy(nn_t dst, const nn_t src);

/* Draws all parameters from r (mt19937 recommended), layer by layer, W before b:
 *   NN_INIT_TORCH   PyTorch's nn.Linear default: W, b ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in));
 *   NN_INIT_HE      W ~ N(0, 2/fan_in) (Kaiming normal), b = 0;
 *   NN_INIT_XAVIER  W ~ U(-a, a), a = sqrt(6/(fan_in + fan_out)) (Glorot uniform), b = 0.
 * Each draw is a double rounded to the network's precision.  Also sets rec.init. */
int nn_init_params(nn_t net, nn_init_t init, void *gsl_rng_ptr);

/* p[0..nparams-1] = the parameters as doubles (exact). */
void nn_get_params(double *p, const nn_t net);
/* Parameters from doubles, rounded to the network's precision.  Returns AE_ERANGE (net
 * unchanged) if some value is not finite, or overflows float32. */
int nn_set_params(nn_t net, const double *p);
/* Sets the scaling (copies lo, hi: sizes[0] rationals each; lo == NULL removes it). */
void nn_set_scale(nn_t net, const mpq_t *lo, const mpq_t *hi);

/* ---- evaluation ----------------------------------------------------------------- */
/* Y (n x sizes[L], row-major) = f(X) for the n rows of X (n x sizes[0]), computed in the
 * network's precision (X rounded to it first), returned as doubles.  n >= 0.  Y must not
 * alias X.  AE_ERANGE if X has a non-finite entry (Y unspecified). */
int nn_forward(double *Y, const nn_t net, const double *X, long n);
/* e[i] = ||x_i - f(x_i)||^2, evaluated entirely in the network's precision (the rounded
 * x_i, differences, squares and the sum over features in feature order), returned as a
 * double.  Requires sizes[0] == sizes[L].  AE_ERANGE on non-finite X. */
int nn_scores(double *e, const nn_t net, const double *X, long n);
/* loss (see top) and its gradient g[0..nparams-1] (same layout as params) by
 * back-propagation in the network's precision over the n >= 1 rows of X; the loss is
 * accumulated in double.  g may be NULL.  AE_ERANGE on non-finite X. */
int nn_loss_grad(double *loss, double *g, const nn_t net, const double *X, long n);

/* ---- training ------------------------------------------------------------------- */
typedef struct {
    int opt;            /* NN_OPT_ADAM (default) or NN_OPT_SGD */
    double lr;          /* > 0; default 1e-3 */
    double momentum;    /* SGD, in [0, 1); default 0 */
    double beta1, beta2, eps;  /* Adam; defaults 0.9, 0.999, 1e-8 (PyTorch's) */
    long batch;         /* rows per step; <= 0 or >= n means full batch */
    unsigned long seed; /* shuffling seed (each epoch draws a new permutation) */
    int shuffle;        /* 1 (default): shuffle each epoch, as DataLoader(shuffle=True) */
    int threads;        /* worker threads, 1..NN_MAX_THREADS (default 1); see below */
    int kernels;        /* NN_KERNELS_PORTABLE (default) or NN_KERNELS_BLAS (see top) */
} nn_trainopts;

/* "portable", "blas", "unknown" for NN_KERNELS_*; NULL for another value. */
const char *nn_kernels_name(int kernels);
/* Parses "portable" or "blas"; AE_OK or AE_EPARSE (*kernels unchanged). */
int nn_kernels_parse(int *kernels, const char *s);

/* With threads = T > 1 each thread runs the forward and backward pass of its share of a
 * batch's rows; then, after a barrier, thread t owns output units [t m/T, (t+1) m/T) of
 * every layer and applies the optimizer step to exactly those parameters.  A batch that
 * fits in one round of T cache-sized chunks gets those units' gradients from one GEMM over
 * all its rows; a larger batch accumulates per-thread gradients over its chunks, summed
 * per unit in thread order (nn_impl.h).  The row shares, the GEMM shapes and the sums
 * depend on T, so the result depends on T (and on nothing else): T is part of
 * reproducibility.  With NN_KERNELS_BLAS, OpenBLAS runs single-threaded inside them
 * (oblas_load sets its thread count to 1). */
#define NN_MAX_THREADS 64

void nn_trainopts_default(nn_trainopts *o);

/* A training run: the data converted to the network's precision, all work buffers and the
 * optimizer state, allocated once by nn_trainer_init; nn_trainer_epoch allocates nothing.
 * Optimizers follow PyTorch 1.13 (torch.optim.SGD with momentum, dampening 0; Adam without
 * weight decay or amsgrad).  The last mini-batch of an epoch may be smaller (drop_last =
 * False); each step uses that batch's own mean loss. */
typedef struct nn_trainer_struct {
    nn_struct *net;
    nn_trainopts o;
    long n, step;
    void *X;             /* n x d in REAL */
    void *ws;            /* private work space (nn_impl.h) */
    long *perm;
    void *rng;           /* gsl_rng* for shuffling */
    int nthreads;
    void *pool;          /* worker threads (NULL when nthreads == 1) */
} nn_trainer_struct;
typedef nn_trainer_struct nn_trainer_t[1];

/* Prepares training net on the n rows of X (n x sizes[0], row-major; the autoencoder's
 * target is its input, so sizes[L] must equal sizes[0]).  Misuse: invalid options
 * (lr <= 0 or not finite, momentum outside [0,1), betas outside [0,1), eps <= 0), n < 1,
 * sizes[L] != sizes[0], kernels not NN_KERNELS_PORTABLE/BLAS.  AE_ERANGE if X has a
 * NaN/Inf entry (or one that overflows float32).  AE_EIO if kernels = NN_KERNELS_BLAS
 * and OpenBLAS cannot be loaded (oblas_error() in oblas.h says why).  The trainer keeps a
 * pointer to net (which must outlive it) and fills net->rec (opt, lr, ..., n, batch,
 * seed, kernels); X is copied. */
int nn_trainer_init(nn_trainer_t T, nn_t net, const nn_trainopts *o, const double *X, long n);
void nn_trainer_clear(nn_trainer_t T);
/* One epoch: ceil(n / batch) optimizer steps.  *loss = the mean over the epoch's rows of
 * each row's squared error (per feature) before its step — PyTorch's running loss.
 * Returns AE_OK, or AE_ERANGE when the loss or a gradient is NaN/Inf (the parameters are
 * then unusable); updates net->rec.epochs, steps and loss. */
int nn_trainer_epoch(double *loss, nn_trainer_t T);

/* ---- model file (nnfile.c) -------------------------------------------------------- */
/* The current model-file version written by nn_save. */
#define NN_FILE_VERSION 1
/* Writes net to path in the text format documented in nnfile.c and README: through a
 * temporary file in the same directory, renamed over path only when complete, so path is
 * never half-written.  Returns AE_OK or AE_EIO (err = reason, path untouched). */
int nn_save(const char *path, const nn_t net, char *err, size_t errlen);
/* Reads a model file into net (initialised by this call on success; on failure net needs
 * no nn_clear).  Returns AE_OK, AE_EIO (cannot open/read) or AE_EPARSE (not a model file,
 * unsupported version, truncated, checksum mismatch, malformed or non-finite value,
 * float32 value not exactly a float) with err = "PATH:LINE: reason". */
int nn_load(nn_t net, const char *path, char *err, size_t errlen);

#endif
