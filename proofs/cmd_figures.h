/* cmd_figures — `aeaudit figures [--out DIR] [--seed N] [--no-gnuplot]`: the heat maps of
 * the 2-D experiments (claim N4, the paper's synthetic figure).
 *
 * For each 2-D synthetic set (diagonal, diagonal-noisy, two-clusters, ring) one ReLU
 * autoencoder [2,5,1,5,2] is trained deterministically (the first model seed whose loss
 * is below half the data's variance, i.e. not collapsed), scanned (scan.h: its certified
 * verdict, exact), and its float32 score (nn_scores, for the picture only) evaluated on a
 * 200 x 200 grid over a square 20 times the data's extent centred on the data.  Writes
 * DIR/NAME_grid.dat, NAME_points.dat, NAME_rays.dat, NAME.gp, and runs gnuplot on each
 * script for DIR/NAME.png and DIR/NAME.svg; DIR/figures.md lists the verdicts.  Without
 * --model it also draws the detectors figure of two-clusters and diagonal-noisy
 * (figdetect.h: each detector's 99 % region around the exact PCA AE k = 1).
 * Returns the exit code: 0 success, 1 gnuplot failed, 2 usage or input error.
 */
#ifndef CMD_FIGURES_H
#define CMD_FIGURES_H

int aeaudit_cmd_figures(int argc, char **argv);

#endif
