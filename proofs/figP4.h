/* figP4 — the figure of claim P4 (float evaluation and the detector's ranking).
 *
 * Reads TABDIR/P4_scores.csv (proofs/P4.c: every test point of the first model of each
 * data set with its exact, float32 and float64 scores, exact relative errors and whether
 * the point is in a pair whose float32 order flips against the exact order) and draws,
 * per data set NAME, a two-panel figure FIGDIR/P4_NAME.{png,svg}:
 *   left   the float32 score against the exact score (log-log), normal and anomalous test
 *          points in two colours, points of flipped pairs circled;
 *   right  |relative error| of the float32 and float64 scores against the exact score
 *          (log-log), with the unit roundoffs 2^-24 and 2^-53 as lines; an error of
 *          exactly 0 is drawn at 1e-40 (below the axis floor, stated in the key).
 * Also writes FIGDIR/P4_NAME.dat (exact f32 relerr32 relerr64 class flipped; the values
 * parsed from the table's decimals, for the picture only) and FIGDIR/P4_NAME.gp; gnuplot
 * is run only when `gnuplot` is nonzero.
 *
 * Returns AE_OK; AE_EIO (a file that cannot be read or written, or gnuplot failed) or
 * AE_EPARSE (a malformed table: wrong header, a row with the wrong number of cells or a
 * non-numeric score) with err = "PATH: reason" (truncated to errlen).  Misuse (NULL
 * directories) goes through ae_error, AE_EINVAL.
 */
#ifndef FIGP4_H
#define FIGP4_H

#include <stddef.h>

int figP4_draw(const char *tabdir, const char *figdir, int gnuplot, char *err, size_t errlen);

#endif
