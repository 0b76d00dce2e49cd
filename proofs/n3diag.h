/* n3diag — claim N3's experiment: ReLU AEs trained in float32 on the paper's diagonal
 * data (100 points of x2 = x1, synth "diagonal"), each analysed exactly.
 *
 * For one trained network (n3diag_seed): the exact training scores (s_min, s_0.99, the
 * per-feature loss), the hidden units that are off on every training point (dying ReLU)
 * and whether the output is one point for all of them (collapse); the exact scores at
 * m +- t (1, 1), t = 10, 10^3, 10^6 x diam (m the mean, diam a rational upper bound of the
 * diameter; each point is then >= that many diameters from every training point, since
 * t sqrt 2 - diam >= t for t >= 10 diam, and this is also checked exactly); ray_final's
 * final piece a t^2 + b t + c along +-(1, 1) (a = 0: a blind direction), with the far
 * scores beyond T checked against it; and the exact minimum of the score over both rays
 * for t >= 10 diam: on each affine piece of ray_pieces the residual is affine in t, so the
 * score is a quadratic minimised exactly over the piece.  The seed fails (the paper's
 * criterion) iff that minimum is <= s_min.
 */
#ifndef N3DIAG_H
#define N3DIAG_H

#include <gmp.h>

#include "nn.h"
#include "proof.h"
#include "qmat.h"
#include "synth.h"

/* The two architectures of the paper: [2,5,1,5,2] and [2,100,20,1,20,100,2]. */
typedef struct {
    const long *s;      /* L + 1 layer sizes */
    long L;
    const char *name;   /* "2-5-1-5-2" */
} n3diag_arch;
extern const n3diag_arch n3diag_archs[2];

/* The columns of n3diag_seed's row. */
#define N3DIAG_NCOLS 20
extern const char *const n3diag_cols[N3DIAG_NCOLS];

/* The diagonal data set with its exact mean, squared diameter and a rational upper
 * bound of the diameter. */
typedef struct {
    double Xd[2 * SYNTH_N];
    qmat_t X;
    mpq_t *m;
    mpq_t diam2, diam;
} n3diag_data;

/* G = the diagonal set drawn from seed, its exact mean, squared diameter and diameter
 * bound (qnum_sqrt_upper at 64 bits). */
void n3diag_data_init(n3diag_data *G, unsigned long seed);
void n3diag_data_clear(n3diag_data *G);

/* Counts over the seeds of one architecture (zero it, then mpq_init(amin)). */
typedef struct {
    long seeds, trained, diverged, fails, collapsed, bneck, q99miss, blind;
    mpq_t amin;      /* smallest growth rate a over both directions, non-collapsed nets */
    int have_amin;
} n3diag_tally;

/* The exact analysis of one network (see top). */
typedef struct {
    mpq_t loss;          /* (1/(n d)) sum_i e(x_i), nn.h's training loss, exactly */
    mpq_t smin, q99;     /* s_min and s_0.99 of the training scores */
    mpq_t far[2][3];     /* scores at m + t (1,1) [0] and m - t (1,1) [1], t = 10, 1e3, 1e6 diam */
    mpq_t a[2], T[2];    /* final piece along +-(1,1): e(t) = a t^2 + ... for t >= T */
    mpq_t emin;          /* min of the score over both rays for t >= 10 diam */
    long hidden, dead;   /* hidden units; those off on every training point */
    int bdead;           /* the unit of a width-1 hidden layer (the last) is dead */
    int collapsed;       /* the output is the same point for every training point */
    int fails;           /* emin <= s_min */
    int below;           /* a far10 score < s_0.99 */
    long bad;            /* failed internal exact checks (each would be a bug) */
} n3diag_result;

void n3diag_result_init(n3diag_result *R);
void n3diag_result_clear(n3diag_result *R);

/* R = the exact analysis of net (2 inputs, 2 outputs; hidden activations that qnet
 * supports) on G.  Returns AE_OK, qnet_init_nn's status (AE_ERANGE: an activation qnet
 * does not support), or AE_EINVAL (misuse: NULL, wrong widths). */
int n3diag_analyse(n3diag_result *R, const nn_t net, const n3diag_data *G);

/* Trains ar from seed (prf_train_ae: relu, identity output, full-batch Adam with lr for
 * epochs), analyses it (n3diag_analyse), writes its row to table tab of J (a row marked
 * "diverged" when the loss became NaN/Inf) and adds it to A; *bad += R.bad.  Returns
 * AE_OK or the failing status (training misuse, qnet_init_nn, proof_row). */
int n3diag_seed(proof_job *J, long tab, n3diag_tally *A, long *bad, const n3diag_arch *ar,
                unsigned long seed, long epochs, double lr, const n3diag_data *G);

#endif
