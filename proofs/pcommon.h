/* pcommon — helpers shared by the claim verifications: seeded generators, random
 * rationals, the bundled data sets prepared as CLAIMS.md prescribes, and formatting of
 * exact numbers for tables (the README's rule: reduced fraction when short, else a
 * 17-significant-digit decimal marked '~').
 */
#ifndef PCOMMON_H
#define PCOMMON_H

#include <gmp.h>
#include <gsl/gsl_rng.h>

#include "linae.h"
#include "nn.h"
#include "pca.h"
#include "proof.h"
#include "qmat.h"
#include "scan.h"

/* A mt19937 generator seeded with ctx->seed mixed with the claim's tag, so that each
 * claim has its own reproducible stream whatever else runs.  Free with gsl_rng_free. */
gsl_rng *prf_rng(const proof_ctx *ctx, const char *tag);
unsigned long prf_seed(const proof_ctx *ctx, const char *tag);

/* q = a random rational num/den, num uniform in [-maxnum, maxnum], den in [1, maxden]. */
void prf_rand_q(mpq_t q, gsl_rng *r, long maxnum, long maxden);
/* Fills A with prf_rand_q entries. */
void prf_rand_qmat(qmat_t A, gsl_rng *r, long maxnum, long maxden);

/* Formats q by the printing rule into a string owned by a ring of static buffers
 * (valid until 16 more calls).  Zero prints "0". */
const char *prf_q(const mpq_t q);
/* q as a decimal with 6 (or `digits`) significant digits, correctly rounded, marked with
 * a leading '~' unless the decimal is exactly q (for ratios and display columns). */
const char *prf_q6(const mpq_t q);
const char *prf_qsig(const mpq_t q, int digits);

/* One of the bundled data sets, prepared for the linear claims: the rows of the normal
 * classes (CLAIMS.md / README: wine = classes 1,2; breast_cancer = benign (1);
 * digits = {4,5,7}; iris = {0}), min–max scaled exactly with the scaling fitted on those
 * normal rows; anomalies (if not NULL) gets the other rows with the same scaling.
 * "synthetic": 200 points in R^10 drawn from a seeded anisotropic distribution on a
 * 1/1000 grid, rotated by a rational orthogonal matrix and min-max scaled (no labels, no
 * anomalies).  "user" or "user:<anything>": ctx->user_data with ctx->user_normal.
 * X (and A) are resized.  Returns AE_OK, or AE_EIO / AE_EPARSE / AE_ERANGE with err set
 * to "FILE:LINE: reason". */
int prf_dataset(qmat_t X, qmat_t A, const proof_ctx *ctx, const char *name,
                char *err, size_t errlen);

/* The data set names the linear claims run on: the four of the L3 table, plus
 * "user:<file name>" when --data was given.  Returns their number and sets *names. */
long prf_dataset_names(const proof_ctx *ctx, const char *const **names);

/* ---- random piecewise-linear networks (the nonlinear claims N1, N2) ------------- */

/* The architectures and hidden activations the nonlinear claims run on. */
typedef struct {
    const long *s;      /* layer sizes, L + 1 of them */
    long L;             /* layers */
    const char *name;   /* "2-5-1-5-2" */
} prf_arch;
extern const prf_arch prf_pl_archs[];      /* 3 entries; quick runs use the first 2 */
extern const nn_act_t prf_pl_acts[];       /* relu, leaky_relu, hardtanh */
extern const char *const prf_pl_actnames[];
#define PRF_PL_NACTS 3

/* net = a random float32 network with L layers of the given sizes (L <= 8): hidden
 * activation a (a leaky slope drawn from [0.05, 0.55)), identity output, biases when
 * bias != 0, weights drawn by PyTorch's nn.Linear rule from r.  Returns nn_init's or
 * nn_init_params' status (net then needs no nn_clear unless AE_OK). */
int prf_pl_net(nn_t net, gsl_rng *r, long L, const long *sizes, nn_act_t a, int bias);
/* Trains net (an autoencoder, sizes[0] == sizes[L]) for `epochs` full-batch Adam epochs
 * (lr 1e-2) on 64 points drawn from r with coordinates k/1024 in [0, 1): the "trained"
 * instances of N1 and N2.  Returns the trainer's status (AE_ERANGE on a NaN loss). */
int prf_pl_train(nn_t net, gsl_rng *r, long epochs);

/* `epochs` Adam epochs (PyTorch defaults but lr; batch <= 0: full batch; shuffling from
 * seed) on the n rows of X, continuing from net's current parameters; the trainer's
 * status.  prf_train_ae's training step, for callers that change the network between
 * initialisation and training (N5's sigmoid output layer). */
int prf_adam_epochs(nn_t net, const double *X, long n, double lr, long batch,
                    unsigned long seed, long epochs);

/* net = a float32 autoencoder with L <= 8 layers of the given sizes (hidden activation a,
 * leaky slope `slope` when a is leaky relu, identity output, biases), PyTorch-initialised
 * from mt19937(seed), trained by Adam (lr, batch rows a step, batch <= 0: full batch,
 * shuffled from seed) for `epochs` epochs on the n rows of X (n x sizes[0]).  The same
 * arguments give the same bytes (nn.h: one thread).  Returns AE_OK, or the trainer's error
 * (AE_ERANGE: the loss became NaN/Inf; net then needs no nn_clear). */
int prf_train_ae(nn_t net, const double *X, long n, long L, const long *sizes, nn_act_t a,
                 double slope, unsigned long seed, long epochs, double lr, long batch);


/* ---- cached per-run objects (the linear claims share them) ---------------------- */

/* A prepared data set and, per k, its certified PCA-optimal AE.  Owned by the cache:
 * valid until prf_cache_clear(); never freed by the caller. */
typedef struct {
    const char *name;
    qmat_t X;          /* normal rows, scaled */
    qmat_t A;          /* other rows, same scaling */
    mpq_t *mean;       /* d */
    qmat_t C;          /* exact covariance */
    mpq_t diam2;       /* exact squared diameter of X */
} prf_data_struct;

typedef struct {
    long k;
    linae_t ae;
    pca_cert_t cert;
    int status;        /* pca_optimal_ae's return value */
    mpq_t *scores;     /* exact training scores, n */
    mpq_t smin, q99;
} prf_model_struct;

/* The prepared data set `name` (see prf_dataset); NULL with err set on failure. */
const prf_data_struct *prf_data(const proof_ctx *ctx, const char *name, char *err, size_t errlen);
/* The certified PCA-optimal AE of data set `name` with k hidden units at ctx->prec, with
 * its exact training scores, s_min and s_0.99.  NULL with err set on failure. */
const prf_model_struct *prf_model(const proof_ctx *ctx, const char *name, long k,
                                  char *err, size_t errlen);
void prf_cache_clear(void);

/* The scan options of every verification: scan_opts_default with the given seed and
 * direction count, and no time budget (budget = +inf).  A published verdict must not
 * depend on the machine's speed: every search of scan.h is bounded by counts (ndirs,
 * max_boxes, iteration caps), so a scan without a deadline ends and gives the same result
 * on every machine, while a time budget would let a slower CPU turn FAILS or SAFE into
 * UNDECIDED.  Callers set far_ratio and the rest themselves. */
void prf_scan_opts(scan_opts *o, unsigned long seed, long ndirs);

/* The figures' 2-D models (`aeaudit figures`): hidden activation act, arch (L + 1
 * widths, 2 at both ends), Adam for 2000 epochs at lr 1e-2, batch 16 (prf_train_ae), for
 * model seeds 1..20: the first whose mean per-feature loss is below half the data's mean
 * per-feature variance (not collapsed), else the best; net is that model, retrained,
 * *seed its seed and *loss its loss.  X: n rows of 2. */
int prf_train_fitting2d(nn_t net, unsigned long *seed, double *loss, const double *X, long n,
                        long L, const long *arch, nn_act_t act);

/* The bounding box of n >= 1 points of the plane (X: n rows of 2): c = its centre,
 * *side = its longer side.  For the figures' frames. */
void prf_box2d(double c[2], double *side, const double *X, long n);

/* Runs gnuplot on DIR/NAME.gp from inside DIR (scripts name their outputs relative to
 * it).  Returns 0 on success, 1 when gnuplot failed or could not be run, or when dir or
 * name contains a single quote (the command quotes them).  Prints nothing. */
int prf_gnuplot(const char *dir, const char *name);

/* The positive control of N4 and N6: the N3 construction of the diagonal's optimal
 * linear AE with hidden activation act (relu or softplus), float32 [2,2,2]:
 * z = (x1 + x2)/2, f(x) = (act(z + 1/8) - act(-z - 1/8)) (1, 1) = (z + 1/8) (1, 1)
 * exactly, since act(a) - act(-a) = a for both; so every point t (1, 1) scores 1/32,
 * however far: an exactly blind direction a scan must turn into FAILS.  net is
 * initialised by this call (nn_init's errors). */
int prf_n3_reference_net(nn_t net, nn_act_t act);

#endif
