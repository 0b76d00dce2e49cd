/* cmd_precision — `aeaudit precision [--only ID]... [--quick] [--seed N] [--out DIR]
 * [--figures DIR] [--no-gnuplot]`: the precision audit (claims P1-P4, issue #10).
 *
 * Runs the registry entries whose ID starts with 'P' (or only those named by --only)
 * through `aeaudit verify` itself (the verify function is passed in by main.c, so the
 * verdict lines, tables, verdicts-last.csv and exit codes are verify's), then each selected
 * claim's figure function (cmd_precision.c's table) on the tables in --out, writing into
 * --figures.  A claim with no figure function is skipped silently.
 *
 * Exit status: verify's (0 every theorem-type claim run VERIFIED, 1 otherwise, 2 bad usage
 * or input, 3 internal error); when verify returned 0 or 1, a figure that could not be
 * drawn makes it 1.
 */
#ifndef CMD_PRECISION_H
#define CMD_PRECISION_H

#include <stddef.h>

/* A claim's figure: reads the claim's CSV from tabdir, writes NAME.dat/.gp and (when
 * gnuplot != 0) runs gnuplot for NAME.png/.svg in figdir (existing).  Returns 0, or
 * nonzero with a one-line reason in err. */
typedef int (*prec_fig_fn)(const char *tabdir, const char *figdir, int gnuplot, char *err,
                           size_t errlen);

/* The command; verify(argc, argv) is aeaudit verify's entry (argv[0] = "verify"). */
int aeaudit_cmd_precision(int argc, char **argv, int (*verify)(int, char **));

#endif
