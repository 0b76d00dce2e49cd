/* fign6 — the softplus figures of `aeaudit figures` (claim N6): for the 2-D sets diagonal
 * and two-clusters, a [2,5,1,5,2] softplus autoencoder (float32, prf_train_ae: Adam lr
 * 1e-2, 2000 epochs, the first of seeds 1..20 whose loss is below half the data's
 * variance, else the best) drawn as a heat map of its score, with the ReLU twin's verdict
 * (twin.h): the twin's blind (or lowest-growth) direction from the data centre, the twin's
 * far point and the smooth net's best far point (marked certified when its Arb score is
 * below s_min), and the certified radius R of the smooth net when there is one.
 *
 * The heat map is the midpoint of the Arb score ball at 64 bits at every grid point
 * (arbnet: deterministic on every machine, unlike the float engine's glibc
 * transcendentals); it is a picture only, every verdict comes from twin_run.
 *
 * Writes DIR/softplus-NAME_grid.dat, _points.dat, _ray.dat, .gp and, with gnuplot, .png
 * and .svg, and appends a section to DIR/figures.md.
 */
#ifndef FIGN6_H
#define FIGN6_H

/* All softplus figures into dir (data from seed); rc is the caller's status so far (0, or
 * 1 for a gnuplot failure) and the result is the worse of rc and this run's: 0, 1
 * (gnuplot failed) or 2 (a write error or bad data; message on stderr). */
int fign6_all(const char *dir, unsigned long seed, int gnuplot, int rc);

#endif
