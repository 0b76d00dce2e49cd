/* figP1 — the figure of claim P1: log10(computed score) against log10(c) for the exact
 * zero-score anomalies a = mean + c v1, one curve per format, one panel per data set
 * (a multiplot), with log10 s_min as a dashed line.  Zero scores are drawn at the
 * bottom of the panel (a marker row "score 0"), Inf/NaN at the top ("Inf/NaN").
 *
 * Reads TABDIR/P1_scores.csv, writes FIGDIR/P1.dat (one block per data set and format:
 * log10_c log10_score, gnuplot index order as P1.gp says) and FIGDIR/P1.gp, then, when
 * gnuplot != 0, runs gnuplot for FIGDIR/P1.png and FIGDIR/P1.svg.  Returns 0, or 1 with
 * the reason in err (missing or malformed table, write error, gnuplot failed). */
#ifndef FIGP1_H
#define FIGP1_H

#include <stddef.h>

int figP1_draw(const char *tabdir, const char *figdir, int gnuplot, char *err, size_t errlen);

#endif
