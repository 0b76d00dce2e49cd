/* fign5 — the N5 models and their heat maps (claim N5: bounded activations).
 *
 * The models: the paper's autoencoder [2,5,1,5,2] on `two-clusters` (synth.h), float32,
 * PyTorch initialisation from mt19937(seed), Adam lr 1e-2, batch 16, 2000 epochs, with
 *   FIGN5_SIGMOID      sigmoid hidden layers, identity output (the paper's model);
 *   FIGN5_TANH         tanh hidden layers, identity output;
 *   FIGN5_SIGMOID_OUT  sigmoid everywhere, the output layer included (f in [0,1]^2).
 *
 * The figures (aeaudit figures): for the sigmoid and tanh models (model seed 1 on the
 * figures' data seed), log10 of the score on a 200 x 200 grid over the square
 * [-1.05 R*, 1.05 R*]^2 and on a zoom around the data (float32 scores, nn_scores: the
 * picture only), the training
 * points, the R* circle, the certified pocket map's reported boxes (pocket2d) and the
 * certified pocket points; files n5-ACT.{dat,gp,png,svg} and n5.md in DIR.
 */
#ifndef FIGN5_H
#define FIGN5_H

#include "nn.h"

enum { FIGN5_SIGMOID = 0, FIGN5_TANH = 1, FIGN5_SIGMOID_OUT = 2, FIGN5_NKINDS = 3 };

/* "sigmoid", "tanh", "sigmoid-out". */
const char *fign5_kind_name(int kind);
/* The hidden and output activations of a kind. */
void fign5_kind_acts(int kind, nn_act_t *hidden, nn_act_t *output);

/* net = the trained model of this kind and seed on the n rows X (n x 2).  Returns AE_OK or
 * the trainer's error (net then needs no nn_clear). */
int fign5_train(nn_t net, const double *X, long n, int kind, unsigned long seed);

/* Writes the figures into dir (see top) for data seed dseed; gnuplot != 0 runs gnuplot.
 * Returns the worse of rc and its own status 0, 1 (gnuplot failed) or 2 (cannot write /
 * train), as the figures command counts them. */
int fign5_run(const char *dir, unsigned long dseed, int gnuplot, int rc);

#endif
