/* dsrc — see dsrc.h. */
#include "dsrc.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aeerr.h"
#include "idx.h"
#include "qnum.h"
#include "synth.h"

typedef struct {
    const char *name, *file, *normal;
} bundled_set;

static const bundled_set BUNDLED[] = {
    {"wine", "wine_data.csv", "1,2"},
    {"breast_cancer", "breast_cancer.csv", "1"},
    {"breast-cancer", "breast_cancer.csv", "1"},
    {"digits", "digits.csv", "4,5,7"},
    {"iris", "iris.csv", "0"},
};

static const bundled_set *bundled(const char *name)
{
    for (size_t i = 0; i < sizeof BUNDLED / sizeof BUNDLED[0]; i++)
        if (strcmp(name, BUNDLED[i].name) == 0)
            return &BUNDLED[i];
    return NULL;
}

const char *dsrc_bundled_file(const char *name)
{
    const bundled_set *b = name ? bundled(name) : NULL;
    return b ? b->file : NULL;
}

const char *dsrc_bundled_normal(const char *name)
{
    const bundled_set *b = name ? bundled(name) : NULL;
    return b ? b->normal : NULL;
}

const char *dsrc_default_dir(void)
{
    static char buf[PATH_MAX];
    if (access("data/wine_data.csv", R_OK) == 0)
        return "data";
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 16);
    if (n > 0) {
        buf[n] = '\0';
        char *slash = strrchr(buf, '/');
        if (slash) {
            strcpy(slash, "/../data");
            return buf;
        }
    }
    return "data";
}

void dsrc_opts_default(dsrc_opts *o)
{
    o->data_dir = NULL;
    o->idx_dir = NULL;
    o->split = "train";
    o->seed = 0;
    o->csv_flags = DS_LABEL;
}

void dsrc_init(dsrc_t S)
{
    memset(S, 0, sizeof *S);
    ds_init(S->D);
}

void dsrc_clear(dsrc_t S)
{
    if (S->idx) {
        free(S->X);
        free(S->labels);
    }
    ds_clear(S->D);
    memset(S, 0, sizeof *S);
}

/* S back to the empty set, ready for reuse (dsrc_clear ends its life). */
static void reset(dsrc_t S)
{
    dsrc_clear(S);
    dsrc_init(S);
}

/* S = the exact set D (taken over). */
static void adopt(dsrc_t S)
{
    S->n = S->D->n;
    S->d = S->D->d;
    S->X = S->D->Xd;
    S->labels = S->D->labels;
}

static int load_idx(dsrc_t S, const char *dir, const dsrc_opts *o, char *err, size_t errlen)
{
    int st = idx_load_split(&S->X, &S->labels, &S->n, &S->d, dir, o->split ? o->split : "train",
                            1, err, errlen);
    if (st != AE_OK) {
        S->X = NULL;
        S->labels = NULL;
        S->n = S->d = 0;
        return st;
    }
    S->idx = 1;
    return AE_OK;
}

int dsrc_load(dsrc_t S, const char *name, const dsrc_opts *o, char *err, size_t errlen)
{
    char path[PATH_MAX];
    struct stat sb;
    if (S == NULL || name == NULL || o == NULL) {
        ae_error("dsrc_load", "NULL argument");
        return AE_EINVAL;
    }
    reset(S);
    long sd = synth_dim(name);
    if (sd > 0) {
        double *X = malloc((size_t) SYNTH_N * (size_t) sd * sizeof(double));
        long *lab = malloc(SYNTH_N * sizeof(long));
        if (X == NULL || lab == NULL) {
            free(X);
            free(lab);
            snprintf(err, errlen, "%s: out of memory", name);
            return AE_ENOMEM;
        }
        synth_make(X, lab, name, SYNTH_N, o->seed);
        qmat_resize(S->D->X, SYNTH_N, sd);
        qmat_set_d(S->D->X, X);     /* exact: every coordinate is a short dyadic */
        S->D->n = SYNTH_N;
        S->D->d = sd;
        S->D->Xd = X;
        S->D->labels = lab;
        S->synthetic = 1;
        adopt(S);
        return AE_OK;
    }
    if (strcmp(name, "fashion-mnist") == 0 || strcmp(name, "mnist") == 0
        || (o->idx_dir != NULL && strcmp(name, "idx") == 0)) {
        const char *dir = o->idx_dir;
        if (dir == NULL && strcmp(name, "mnist") == 0) {
            snprintf(err, errlen, "data set mnist needs --idx-dir DIR (the MNIST IDX files)");
            return AE_EIO;
        }
        if (dir == NULL)
            dir = IDX_DEFAULT_DIR;
        int st = load_idx(S, dir, o, err, errlen);
        if (st != AE_OK && o->idx_dir == NULL && strcmp(name, "fashion-mnist") == 0) {
            size_t l = strlen(err);
            snprintf(err + l, errlen > l ? errlen - l : 0, " (install Debian's dataset-fashion-mnist)");
        }
        return st;
    }
    const bundled_set *b = bundled(name);
    int flags = o->csv_flags;
    if (b != NULL) {
        const char *dir = o->data_dir ? o->data_dir : dsrc_default_dir();
        if (snprintf(path, sizeof path, "%s/%s", dir, b->file) >= (int) sizeof path) {
            snprintf(err, errlen, "%s: path too long", dir);
            return AE_EIO;
        }
        flags = DS_LABEL;
    } else {
        if (snprintf(path, sizeof path, "%s", name) >= (int) sizeof path) {
            snprintf(err, errlen, "data set name too long");
            return AE_EIO;
        }
        if (stat(path, &sb) != 0) {
            snprintf(err, errlen, "unknown data set '%s' (not a synthetic set, bundled name, or "
                     "existing file: %s)", name, strerror(errno));
            return AE_EIO;
        }
        if (S_ISDIR(sb.st_mode))
            return load_idx(S, path, o, err, errlen);
    }
    int st = ds_load_csv(S->D, path, flags, err, errlen);
    if (st != AE_OK)
        return st;
    adopt(S);
    return AE_OK;
}

int dsrc_filter(dsrc_t S, const long *classes, long m, int keep)
{
    if (S->labels == NULL)
        return AE_EPARSE;
    if (!S->idx) {
        int st = ds_filter(S->D, S->D, classes, m, keep);
        if (st == AE_OK)
            adopt(S);
        return st;
    }
    long r = 0;
    for (long i = 0; i < S->n; i++) {
        int in = 0;
        for (long k = 0; k < m; k++)
            in |= S->labels[i] == classes[k];
        if (in == (keep != 0)) {
            memmove(S->X + r * S->d, S->X + i * S->d, (size_t) S->d * sizeof(double));
            S->labels[r++] = S->labels[i];
        }
    }
    S->n = r;
    return AE_OK;
}

int dsrc_minmax_fit(mpq_t *lo, mpq_t *hi, const dsrc_t S)
{
    if (S->n < 1) {
        ae_error("dsrc_minmax_fit", "no rows");
        return AE_EINVAL;
    }
    if (!S->idx)
        return ds_minmax_fit(lo, hi, S->D);
    for (long j = 0; j < S->d; j++) {
        double a = S->X[j], b = a;
        for (long i = 1; i < S->n; i++) {
            double v = S->X[i * S->d + j];
            a = v < a ? v : a;
            b = v > b ? v : b;
        }
        mpq_set_d(lo[j], a);   /* pixel values are small integers: exact */
        mpq_set_d(hi[j], b);
    }
    return AE_OK;
}

int dsrc_minmax_apply(dsrc_t S, const mpq_t *lo, const mpq_t *hi)
{
    for (long j = 0; j < S->d; j++)
        if (mpq_cmp(hi[j], lo[j]) < 0) {
            ae_error("dsrc_minmax_apply", "feature %ld: hi < lo", j);
            return AE_EINVAL;
        }
    if (S->idx && S->idx_scaled) {
        ae_error("dsrc_minmax_apply", "IDX data already scaled");
        return AE_EINVAL;
    }
    if (!S->idx) {
        int st = ds_minmax_apply(S->D, lo, hi);
        if (st == AE_OK)
            adopt(S);
        return st;
    }
    double tab[256];
    mpq_t t, w;
    mpq_init(t);
    mpq_init(w);
    for (long j = 0; j < S->d; j++) {
        mpq_sub(w, hi[j], lo[j]);
        for (int k = 0; k < 256; k++) {
            mpq_set_si(t, k, 1);
            mpq_sub(t, t, lo[j]);
            if (mpq_sgn(w) != 0)      /* range 0: scale 1 (MinMaxScaler) */
                mpq_div(t, t, w);
            tab[k] = qnum_get_d(t);
        }
        for (long i = 0; i < S->n; i++) {
            double v = S->X[i * S->d + j];
            assert(v >= 0 && v <= 255 && v == (double) (int) v);
            S->X[i * S->d + j] = tab[(int) v];
        }
    }
    mpq_clear(t);
    mpq_clear(w);
    S->idx_scaled = 1;
    return AE_OK;
}
