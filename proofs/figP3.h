/* figP3 — the figure of claim P3: the largest principal angle between the computed and
 * the exact principal subspace against the eigengap lambda_k - lambda_{k+1}, log-log, for
 * the double-precision subspace (GSL) and the MPFR one (reig, its precision in the key),
 * with the reference line 2^-53 lambda_1 / gap (lambda_1 = 4 in P3's instances); the
 * instances where a far point changes verdict are marked: at 10^9 data diameters (open
 * circles) and already at 10^3 (filled circles).
 *
 * Reads TABDIR/P3_conditioning.csv, writes FIGDIR/P3.dat (log10 gap, log10 double angle,
 * log10 MPFR angle, flip at 1e3 (0/1), flip at 1e9 (0/1); upper ends of the certified
 * enclosures) and FIGDIR/P3.gp, then, when gnuplot != 0, runs gnuplot for FIGDIR/P3.png
 * and P3.svg.  Returns 0, or 1 with the reason in err (missing or malformed table, write
 * error, gnuplot failed). */
#ifndef FIGP3_H
#define FIGP3_H

#include <stddef.h>

int figP3_draw(const char *tabdir, const char *figdir, int gnuplot, char *err, size_t errlen);

#endif
