/* dsrc — data sources: one resolver from a data-set name to its rows, for every command.
 *
 * A name is, in this order of precedence:
 *   - a synthetic set of synth.h (diagonal, diagonal-noisy, two-clusters, ring, plane3d):
 *     SYNTH_N points drawn from o->seed, exact dyadic values, with labels;
 *   - a bundled data set (wine, breast_cancer or breast-cancer, digits, iris): the CSV
 *     file of that name in o->data_dir, or, when o->data_dir is NULL, in the folder found
 *     by dsrc_default_dir (so a command works from any working directory);
 *   - "fashion-mnist" (IDX files in o->idx_dir, default IDX_DEFAULT_DIR), "mnist" (needs
 *     o->idx_dir), or "idx" with o->idx_dir set: an MNIST-style IDX split (o->split);
 *   - an existing directory: read as an MNIST-style IDX directory;
 *   - any other existing file: a CSV file read with o->csv_flags (dataset.h: DS_LABEL,
 *     DS_HEADER, DS_NOHEADER).
 * CSV and synthetic sets are kept exactly (S->D, dataset.h) with S->X = S->D->Xd; IDX
 * sets keep the raw pixel values 0..255 in S->X (doubles, owned by S) and no exact copy.
 *
 * Scaling (dsrc_minmax_*) is min-max with scikit-learn's MinMaxScaler convention for a
 * constant feature (range 0: scale 1, x' = x - lo), the same map as ds_minmax_apply; on
 * IDX data each feature's 256 possible values are mapped exactly and rounded once.
 *
 * GMP-style object: dsrc_init before use, dsrc_clear after.  Bad names and bad files are
 * return values with err = "reason" (truncated to errlen); caller misuse (NULL) goes
 * through ae_error and returns AE_EINVAL.
 */
#ifndef DSRC_H
#define DSRC_H

#include <stddef.h>
#include <gmp.h>

#include "dataset.h"

typedef struct {
    const char *data_dir;   /* bundled CSVs; NULL = dsrc_default_dir() */
    const char *idx_dir;    /* IDX folder for fashion-mnist / mnist / idx, or NULL */
    const char *split;      /* IDX split "train" or "test" ("t10k"); NULL = "train" */
    unsigned long seed;     /* synthetic sets */
    int csv_flags;          /* user CSV files (bundled ones are always DS_LABEL) */
} dsrc_opts;

typedef struct {
    long n, d;
    double *X;              /* n*d row-major: D->Xd, or the IDX pixels */
    long *labels;           /* n labels or NULL: D->labels, or the IDX labels */
    int idx;                /* 1: IDX data (X and labels owned here, D empty) */
    int idx_scaled;         /* 1: dsrc_minmax_apply has mapped the IDX pixels */
    int synthetic;          /* 1: a synth.h set */
    ds_t D;                 /* exact values (CSV, synthetic) */
} dsrc_struct;
typedef dsrc_struct dsrc_t[1];

void dsrc_init(dsrc_t S);
void dsrc_clear(dsrc_t S);

/* Fills o with the defaults: data_dir NULL, idx_dir NULL, split "train", seed 0,
 * csv_flags DS_LABEL. */
void dsrc_opts_default(dsrc_opts *o);

/* The folder of the bundled CSV files: "data" when ./data/wine_data.csv is readable,
 * else DIR/../data for the executable's folder DIR (via /proc/self/exe), else "data".
 * The string is static. */
const char *dsrc_default_dir(void);

/* The file name of a bundled set ("wine" -> "wine_data.csv") or NULL; and the normal
 * classes that CLAIMS.md assigns it ("wine" -> "1,2") or NULL. */
const char *dsrc_bundled_file(const char *name);
const char *dsrc_bundled_normal(const char *name);

/* Loads the set `name` (see above) into S, replacing its contents.  Returns AE_OK, or
 * with S empty and err set: AE_EIO (unknown name, unreadable file or folder; the reason
 * names it), and the loaders' AE_EPARSE / AE_ERANGE ("PATH:LINE: reason"). */
int dsrc_load(dsrc_t S, const char *name, const dsrc_opts *o, char *err, size_t errlen);

/* Keeps the rows whose label is (keep != 0) or is not (keep == 0) in classes[0..m-1], in
 * order.  Returns AE_OK, or AE_EPARSE when S has no labels (S unchanged).  The result
 * may have 0 rows. */
int dsrc_filter(dsrc_t S, const long *classes, long m, int keep);

/* lo[j], hi[j] = min and max of feature j over S's rows (n >= 1; n == 0 is misuse); lo and
 * hi are caller-initialised arrays of S->d rationals. */
int dsrc_minmax_fit(mpq_t *lo, mpq_t *hi, const dsrc_t S);

/* Applies x' = (x - lo) / (hi - lo), or x - lo where hi == lo, to every feature:
 * exactly for CSV and synthetic data (then S->X is the correctly rounded result), and
 * for IDX data through a per-feature table of the 256 pixel values, each entry computed
 * exactly and rounded to nearest once (the same doubles as the exact route).  IDX values
 * outside 0..255 cannot occur.  hi[j] < lo[j], or a second call on IDX data, is misuse
 * (S unchanged). */
int dsrc_minmax_apply(dsrc_t S, const mpq_t *lo, const mpq_t *hi);

#endif
