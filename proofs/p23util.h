/* p23util — small helpers shared by the precision claims P2 and P3: outward-rounded
 * decimal cells for rigorous enclosures, exact root counts in closed intervals, and the
 * sin-theta bound that links a computed subspace to the exact one.
 */
#ifndef P23UTIL_H
#define P23UTIL_H

#include <stdio.h>
#include <gmp.h>
#include <mpfr.h>

#include "angles.h"
#include "pca.h"
#include "qpoly.h"

/* q as a 6-significant-digit decimal rounded down (dir < 0) or up (dir > 0), so that a
 * [lo, hi] pair of cells still encloses the value ("0" for zero).  The string lives in
 * pcommon's ring of static buffers (valid until 16 more calls of any prf_ formatter). */
const char *p23_q_dir(const mpq_t q, int dir);
/* The same for an MPFR value. */
const char *p23_fr_dir(const mpfr_t x, int dir);

/* Number of distinct roots of p (nonzero) in the closed interval [lo, hi], lo <= hi,
 * exactly (Sturm count of (lo, hi] plus lo itself when it is a root). */
long p23_roots_in(const qpoly_t p, const mpq_t lo, const mpq_t hi);

/* The certificate for an enclosure [lo, hi] of a root of p: 1 iff p23_roots_in >= 1.
 * With its negative control: the same count on [lo, hi] shifted upwards by two widths +
 * 2^-60 (an interval of the same width that holds no root when [lo, hi] isolates one and
 * the next root lies further away) must be 0, else *ctl_bad is incremented.  When corrupt
 * != 0 the shifted interval replaces [lo, hi] (in place) and is the one certified, so a
 * verifier's negative control sees the rejection. */
int p23_certify(const qpoly_t p, mpq_t lo, mpq_t hi, int corrupt, long *ctl_bad);

/* s >= ||sin Theta(col V_k, U_k)||_F >= sin theta_max, U_k the exact top-k eigenspace of
 * the covariance C and V_k the basis of the certified PCA projector P of cert.  Derivation:
 * in C's eigenbasis, with p_j = ||P e_j||^2 and m = sum_{j<=k} (1 - p_j) = sum_{j>k} p_j =
 * k - tr(P P_U) = ||sin Theta||_F^2, sum_{j<=k} lambda_j - tr(PC) >= (lambda_k -
 * lambda_{k+1}) m; the left side is at most gap_upper and the gap at least
 * lam_k_lo - lam_k1_hi, so s = ub sqrt(gap_upper / (lam_k_lo - lam_k1_hi)) (64-bit
 * directed root).  Returns 1, or 0 (s unchanged) when the eigengap is not certified. */
int p23_optimal_slack(mpq_t s, const pca_cert_t cert);

/* sin^2 -> angle cells: the smallest and the largest principal angle of A, each as an
 * outward-rounded [lo, hi] pair of radians (4 strings into cells[0..3]). */
void p23_angle_cells(const char *cells[4], const angles_t A);

/* ---- figures (figP2, figP3) ------------------------------------------------------ */

/* Reads the CSV table at path (header line first, no quoted fields: the P tables have
 * none) and calls row(arg, cells, lineno) for every data line with exactly ncols cells
 * (ncols <= 32); a line with another count, or row returning nonzero, stops with 1 and err
 * set.  Returns 0, or 1 (cannot read: err says which file and to run the claim first). */
int p23_csv_rows(const char *path, long ncols, int (*row)(void *arg, char **cells, long lineno),
                 void *arg, char *err, size_t errlen);

/* *out = log10 |x| for a table cell x ("~1.2e-3", "-4.5e-07", "3/7", "5"), rounded by
 * MPFR; returns 1, or 0 when the cell is not a nonzero number ("n/a", "none", "0"). */
int p23_log10_abs(double *out, const char *cell);


/* fopen(FIGDIR/FILE, "w"), or NULL. */
FILE *p23_fig_open(const char *figdir, const char *file);

/* A figure from a table: allocates a zeroed record of datasize bytes, reads TABDIR/CSV
 * into it (p23_csv_rows with row), fails when it has no data line, calls write(data,
 * figdir) (which writes NAME.dat and NAME.gp; nonzero on a write error), frees the record,
 * then runs gnuplot when asked.  Returns 0, or 1 with err set. */
int p23_fig_draw(const char *tabdir, const char *csv, long ncols,
                 int (*row)(void *arg, char **cells, long lineno), size_t datasize,
                 int (*write)(const void *data, const char *figdir), const char *figdir,
                 const char *name, int gnuplot, char *err, size_t errlen);

#endif
