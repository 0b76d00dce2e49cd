/* evalscore — `aeaudit eval --score KIND`: the alternative detectors of theory/detect.h
 * applied to a trained model and a user's data, exactly (front end: it prints).
 *
 * The model (nn_t, piecewise-linear activations only: qnet_act_supported) is read as the
 * exact network it is (qnet_init_nn); every score is computed by detect.h in exact
 * rational arithmetic on the rows as eval reads them (the model's scaling applied, each
 * value the double eval passes to the network, read exactly):
 *   recon, spe   ||x - f(x)||^2 of the exact network (spe: the same number with the
 *                Jackson–Mudholkar limit);
 *   t2           Hotelling's T^2 in the latent space, latent = the bottleneck layer's
 *                output (the first hidden layer of smallest width, activation applied),
 *                diagonal of the exact latent covariance of the training rows;
 *   mahalanobis  the same with the full latent covariance (its exact inverse);
 *   spe+t2       Yue & Qin's combined index SPE/delta^2 + T2/tau^2;
 *   knn          squared distance to the k-th nearest training row;
 *   box          squared distance to the training rows' bounding box.
 * Limits at 99 %: the empirical one (the exact ceil(0.99 n)-th smallest training score;
 * for knn each training row's leave-one-out score) and, for spe, t2, mahalanobis and
 * spe+t2, the theoretical one (JM / F / Yue–Qin in double, read back exactly).  The
 * flags compare the exact score with each limit exactly (score > limit).
 * A singular latent covariance (a bottleneck unit constant on the training rows, e.g. a
 * dead ReLU) gives detect.h's partial fit: recon, spe (with its JM limit), knn and box
 * work as usual; t2, mahalanobis and spe+t2 are undefined and refused (exit 2).
 *
 * The cost is about n_train (n_train + n_data) d exact operations for knn alone (every
 * kind is fitted, detect.h computes them together), so the run is refused above
 * EVALSCORE_MAX_WORK (a message suggests --normal or a smaller --train-data).
 */
#ifndef EVALSCORE_H
#define EVALSCORE_H

#include "dsrc.h"
#include "nn.h"

#define EVALSCORE_MAX_WORK 100000000.0   /* n_train (n_train + n_data) d */

typedef struct {
    const char *model, *data, *train;   /* names for the header lines */
    const char *score;                  /* the --score value */
    long knn;                           /* k of knn (>= 1) */
} evalscore_opts;

/* Fits the detectors of detect.h to `train` (the model's training rows, scaled as the
 * network sees them) and prints, for every row of `data` (scaled likewise), "INDEX LABEL
 * SCORE OVER_Q99 OVER_THEORY" (the flags 1/0, or - where the limit is unavailable),
 * after '#' lines naming the score, its precision and both limits.  Returns the exit
 * code: 0, 2 (bad usage or input, one line on stderr via cli_error("eval", ...)), or 4
 * (an activation the exact analysis does not support). */
int evalscore_run(const nn_t net, const dsrc_t train, const dsrc_t data,
                  const evalscore_opts *o);

#endif
