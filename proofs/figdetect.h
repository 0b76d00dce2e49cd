/* figdetect — the detectors figure of `aeaudit figures` (claims M1, M2): for a 2-D data
 * set, each detector's 99 % acceptance region {x : score(x) <= limit}.
 *
 * The model is the PCA-optimal linear AE with k = 1 hidden unit, fitted exactly
 * (pca_optimal_ae at 256 bits: an exact orthogonal projector onto the computed principal
 * direction, with its certified loss gap); the detectors are those of theory/detect.h
 * (detect_fit_linae, 1-NN, alpha = 0.01) on the set's exact rows.  Every grid point
 * (a double, read exactly) is scored exactly by detect_scores and compared exactly with
 * the limit: the theory limit where detect.h has one (spe: Jackson–Mudholkar, t2 and
 * mahalanobis: F, spe+t2: Yue–Qin), else the empirical one (the exact 0.99-quantile of
 * the training scores: recon, knn leave-one-out, box), so the picture has no rounding
 * beyond the grid's placement.  An eighth panel is the classical pairing: accepted iff
 * neither SPE nor T^2 is above its limit.  With k = 1 the latent covariance is 1 x 1, so
 * the mahalanobis and t2 regions coincide (drawn both, as a check).
 *
 * Writes DIR/NAME-detectors.dat (the grid: x y and one 0/1 column per panel),
 * NAME-detectors_points.dat, NAME-detectors.gp and, with gnuplot, NAME-detectors.png and
 * .svg.  Deterministic: the same data seed gives the same bytes.
 */
#ifndef FIGDETECT_H
#define FIGDETECT_H

#include <stdio.h>

#define FIGDET_GRID 120

typedef struct {
    char data[64];
    long n;
    double frac_in[8];       /* share of the grid each panel accepts */
    double limit[8];         /* the limit drawn, rounded to double */
    const char *method[8];   /* "theory (jm)", "empirical", ... */
} figdet_info;

/* Draws data set `data` (a 2-D synthetic set, drawn from seed) into dir.  Returns 0,
 * 1 (gnuplot failed), or 2 (bad data or a write error; message on stderr). */
int figdet_run(figdet_info *info, const char *dir, const char *data, unsigned long seed,
               int gnuplot);

/* Appends the section of figures.md that lists the detector figures. */
void figdet_summary(FILE *f, const figdet_info *info, long nf);

#endif
