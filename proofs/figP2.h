/* figP2 — the figure of claim P2: for each data set, |1 - lambda| (the eigenvalue of
 * W_d W_e nearest 1, upper end of its certified enclosure) and the largest principal angle
 * to the exact optimal subspace (upper end) against the number of training steps, log-log,
 * float32 dashed and float64 solid, one colour per data set; two panels.  Snapshots whose
 * nearest eigenvalue is not real (n/a) are gaps in the first panel.
 *
 * Reads TABDIR/P2_training.csv, writes FIGDIR/P2.dat (one gnuplot index block per data set
 * and format: steps log10|1-lambda| log10 angle, '?' when missing) and FIGDIR/P2.gp, then,
 * when gnuplot != 0, runs gnuplot for FIGDIR/P2.png and P2.svg.  Returns 0, or 1 with the
 * reason in err (missing or malformed table, write error, gnuplot failed). */
#ifndef FIGP2_H
#define FIGP2_H

#include <stddef.h>

int figP2_draw(const char *tabdir, const char *figdir, int gnuplot, char *err, size_t errlen);

#endif
