/* cmd_scan — the front-end command of the far-field verdict engines (theory/scan.h for
 * piecewise-linear networks; theory/bounded.h for a tanh / sigmoid layer; theory/twin.h
 * for softplus, ELU, GELU, SiLU units: cmd_scan_fam.c):
 *
 *   aeaudit scan MODEL.aem [--data NAME|FILE [--normal LIST]] [--budget SECONDS] ...
 *
 * Prints the verdict (FAILS / SAFE-BEYOND / UNDECIDED) with its evidence on stdout and
 * writes scan.csv, scan.md, direction.csv and (when a far point was found) anomaly.csv
 * into the output folder.  Returns the process exit code: 0 a verdict was reached (any
 * of the three), 2 usage or input error (one line "aeaudit scan: reason" on stderr),
 * 4 a network the analysis does not cover (none of nn.h's activations today).
 */
#ifndef CMD_SCAN_H
#define CMD_SCAN_H

int aeaudit_cmd_scan(int argc, char **argv);

#endif
