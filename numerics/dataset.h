/* dataset — labelled data sets loaded from CSV text, kept exactly.
 *
 * A data set is n samples of d features: X (n x d, exact rationals, row i = sample i)
 * holds the values of the decimal text exactly (qnum_set_decimal, never via double);
 * Xd (n*d doubles, row-major) is X correctly rounded to nearest, entry by entry;
 * labels (n integers) is the last CSV column when the file has one, else NULL.  Every
 * function that changes X recomputes Xd, so Xd[i*d + j] == qnum_get_d(X(i, j)) always.
 *
 * Objects are GMP-style (ds_init before use, ds_clear after).  Outputs come first.
 * Functions producing a data set build it completely before replacing the output, so the
 * output may alias the input and is unchanged when an error is returned.  Caller misuse
 * (NULL where forbidden, out-of-range index, no labels where they are needed) calls
 * ae_error and then returns AE_EINVAL.  Bad file content is a return value.
 */
#ifndef DATASET_H
#define DATASET_H

#include <stddef.h>
#include <stdio.h>
#include <gmp.h>

#include "qmat.h"

typedef struct {
    long n, d;        /* samples, features */
    qmat_t X;         /* n x d exact values */
    double *Xd;       /* n*d row-major, Xd[i*d+j] = X(i,j) rounded to nearest */
    long *labels;     /* n labels, or NULL when the data set has no label column */
} ds_struct;
typedef ds_struct ds_t[1];

/* D = the empty data set (0 x 0, no labels). */
void ds_init(ds_t D);
void ds_clear(ds_t D);

/* Caps of the CSV loader, so a small file never makes it allocate or work without bound.
 * DS_MAX_FILE_BYTES: a larger regular file is refused before it is read (a stream, after
 *   that many bytes).  1 GiB is 2000 times the largest bundled data set (digits.csv,
 *   about 0.5 MB) and leaves the exact values (a bounded multiple of the text, see
 *   QNUM_MAX_EXP) within a workstation's memory.
 * DS_MAX_CELLS: at most this many values n x d (a line's worth of fields beyond it is an
 *   error as soon as the count passes it); 2^26 = 67 million, 600 times digits.csv, at
 *   about 32 bytes of mpq_t + 8 of double each, i.e. under 3 GB before the numbers' limbs.
 * Each field is a bounded cost: qnum's QNUM_MAX_DIGITS and QNUM_MAX_EXP. */
#define DS_MAX_FILE_BYTES (1LL << 30)
#define DS_MAX_CELLS (1L << 26)

/* Flags of ds_load_csv (or them together). */
enum {
    DS_LABEL = 1,     /* the last column is the label */
    DS_HEADER = 2,    /* line 1 is a header: always skipped */
    DS_NOHEADER = 4   /* line 1 is always data */
};

/* Loads a comma-separated file into D.
 * Format: one sample a line; fields are decimal literals [+-]digits[.digits][(e|E)[+-]digits]
 * (ASCII spaces and tabs around a field are ignored); lines end in "\n" or "\r\n"; the last
 * line may or may not end in a newline.  With DS_LABEL in flags the last field is the
 * label, which must be an integer (exactly: "2", "2.0" and "2e0" are 2, "2.5" is an
 * error) fitting in a long; the other fields are the features.  Every row must have the
 * same number of fields, and at least one feature.
 * Header: with DS_HEADER line 1 is skipped, with DS_NOHEADER it is data.  With neither,
 * line 1 is a header exactly when none of its fields reads as a number (a decimal literal
 * or NaN/Inf text): "x,y,label" is a header; "1,2x,3,0" is data, so its typo is a parse
 * error at line 1 rather than a silently skipped line; "nan,1" is data.  The one
 * exception is the scikit-learn layout "n_samples,n_features,<class names>" (two
 * non-negative integers, then at least one field that is not a number): it is a header
 * (also without DS_HEADER, not with DS_NOHEADER), and it is checked: the file must have
 * exactly n_samples data rows and, with DS_LABEL, n_features features.  Blank lines are
 * errors.
 * Returns AE_OK, or (D unchanged, err = "PATH:LINE: reason" when err != NULL, truncated to
 * errlen bytes including the terminating NUL):
 *   AE_EIO     the file cannot be opened or read (LINE is 0 when it cannot be opened);
 *   AE_EPARSE  empty file / no data rows, blank line, ragged row, empty field, non-numeric
 *              field, NaN or Inf text, non-integer label, header/data shape mismatch;
 *   AE_ERANGE  "field has more than QNUM_MAX_DIGITS digits", "exponent beyond
 *              +-QNUM_MAX_EXP" (e.g. 1e999999999), a label outside the range of long, a
 *              file above DS_MAX_FILE_BYTES (LINE 0, nothing read), more than
 *              DS_MAX_CELLS values.
 * D == NULL, path == NULL, an unknown flag bit, or DS_HEADER together with DS_NOHEADER
 * is misuse. */
int ds_load_csv(ds_t D, const char *path, int flags, char *err, size_t errlen);
/* As ds_load_csv, with a command's own caps: at most max_d features (checked on the first
 * data row, before any value of it is kept) and at most max_cells <= DS_MAX_CELLS values
 * (AE_ERANGE, "PATH:LINE: reason", at the line that passes a cap).  ds_load_csv is
 * ds_load_csv_capped(D, path, flags, LONG_MAX, DS_MAX_CELLS, ...).  Caps below 1 are misuse. */
int ds_load_csv_capped(ds_t D, const char *path, int flags, long max_d, long max_cells,
                       char *err, size_t errlen);

/* As ds_load_csv, reading the open stream f (not closed) and naming it name in messages;
 * the size cap applies to the bytes read.  NULL D, f or name is misuse. */
int ds_load_csv_stream(ds_t D, FILE *f, const char *name, int flags, char *err, size_t errlen);

/* out = the rows of in, in their order, whose label is in classes[0..nclasses-1]
 * (keep != 0) or is not (keep == 0).  The result may have 0 rows; it keeps the labels.
 * in without labels, nclasses < 0, or classes == NULL with nclasses > 0 is misuse. */
int ds_filter(ds_t out, const ds_t in, const long *classes, long nclasses, int keep);

/* Parses a class list "4,5,7" (integers separated by commas, optional spaces/tabs around
 * each) into classes[0..*nclasses-1].  Returns AE_OK; AE_EPARSE for an empty list, an
 * empty item ("4,,5", "4,"), an item that is not an integer ("4x", "a", "1.5") or a
 * repeated class; AE_ERANGE when an integer does not fit in a long or there are more than
 * max items.  On error *nclasses is unchanged and classes[] may have been overwritten.
 * NULL arguments or max < 0 are misuse. */
int ds_parse_classes(long *classes, long *nclasses, long max, const char *list);

/* out = the rows rows[0..m-1] of in (in that order; repeats allowed), with their labels.
 * m < 0, rows == NULL with m > 0, or an index outside [0, in->n) is misuse. */
int ds_subset_rows(ds_t out, const ds_t in, const long *rows, long m);

/* Deterministic random split: a uniformly random set of ntest rows (Fisher-Yates driven
 * by a splitmix64 generator started at seed, so the same seed gives the same split on
 * every platform) goes to test, the other n - ntest rows to train; both keep the original
 * row order.  train and test must be distinct objects; either may alias in.
 * ntest outside [0, in->n] is misuse. */
int ds_split(ds_t train, ds_t test, const ds_t in, long ntest, unsigned long seed);

/* Min-max scaling, exact.
 * ds_minmax_fit: lo[j] = min_i X(i,j), hi[j] = max_i X(i,j) over the n >= 1 rows of train;
 * lo, hi are caller-initialised arrays of train->d rationals (e.g. qvec_init).  n == 0 is
 * misuse (there is no minimum).
 * ds_minmax_apply: X(i,j) <- (X(i,j) - lo[j]) / (hi[j] - lo[j]), and X(i,j) <- X(i,j) - lo[j]
 * (scale 1, scikit-learn's MinMaxScaler convention) for a constant feature
 * (hi[j] == lo[j]), so a later deviation in a feature that was constant on the fitted rows
 * stays visible; then Xd is recomputed (correctly rounded).  Applied to the fitted data,
 * every entry lies in [0, 1], a constant feature is 0 and each non-constant feature
 * attains 0 and 1 exactly; other data may fall outside [0, 1].  hi[j] < lo[j] is misuse (D
 * unchanged).  lo and hi are copied first, so they may alias entries of D->X. */
int ds_minmax_fit(mpq_t *lo, mpq_t *hi, const ds_t train);
int ds_minmax_apply(ds_t D, const mpq_t *lo, const mpq_t *hi);

#endif
