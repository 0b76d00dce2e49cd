/* dataset — see dataset.h. */
#include "dataset.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "aeerr.h"
#include "qnum.h"

/* ---- basics -------------------------------------------------------------------- */

void ds_init(ds_t D)
{
    D->n = D->d = 0;
    qmat_init(D->X, 0, 0);
    D->Xd = NULL;
    D->labels = NULL;
}

void ds_clear(ds_t D)
{
    qmat_clear(D->X);
    free(D->Xd);
    free(D->labels);
    D->Xd = NULL;
    D->labels = NULL;
    D->n = D->d = 0;
}

/* Exchanges the contents (no object points into a ds_struct, so a plain copy is safe). */
static void ds_swap(ds_t A, ds_t B)
{
    ds_struct t = *A;
    *A = *B;
    *B = t;
}

/* Xd from X.  Integers below 2^53 in magnitude (all of digits.csv) convert exactly and
 * cheaply; everything else goes through the correctly rounded qnum_get_d. */
static void update_xd(ds_t D)
{
    long nd = D->n * D->d;
    for (long k = 0; k < nd; k++) {
        const __mpq_struct *q = D->X->entries[k];
        if (mpz_cmp_ui(mpq_denref(q), 1) == 0 && mpz_sizeinbase(mpq_numref(q), 2) <= 53)
            D->Xd[k] = mpz_get_d(mpq_numref(q));
        else
            D->Xd[k] = qnum_get_d(D->X->entries[k]);
    }
}

/* ---- CSV loading --------------------------------------------------------------- */

typedef struct {
    const char *path;
    char *err;
    size_t errlen;
} errctx;

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static int fail(const errctx *E, int status, long line, const char *fmt, ...)
{
    if (E->err != NULL && E->errlen > 0) {
        char reason[300];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(reason, sizeof reason, fmt, ap);
        va_end(ap);
        snprintf(E->err, E->errlen, "%s:%ld: %s", E->path, line, reason);
    }
    return status;
}

/* Trims ASCII spaces and tabs in place; returns the start. */
static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

static int is_nan_inf_text(const char *s)
{
    if (*s == '+' || *s == '-')
        s++;
    return strcasecmp(s, "nan") == 0 || strcasecmp(s, "inf") == 0
        || strcasecmp(s, "infinity") == 0;
}

/* Splits line (modified in place) at commas into trimmed fields; returns the count.
 * *fields grows as needed. */
static long split(char *line, char ***fields, long *cap)
{
    long k = 0;
    char *p = line;
    for (;;) {
        /* a hand scan, not strchr: each field is visited once however long the line
         * (strchr under ASan's strict_string_checks rescans the rest of the line) */
        char *c = p;
        while (*c != '\0' && *c != ',')
            c++;
        if (*c == ',')
            *c = '\0';
        else
            c = NULL;
        if (k == *cap) {
            *cap = *cap ? 2 * *cap : 64;
            *fields = ae_realloc(*fields, (size_t) *cap * sizeof(char *));
        }
        (*fields)[k++] = trim(p);
        if (c == NULL)
            return k;
        p = c + 1;
    }
}

/* Parses one whole field exactly into q; on failure fills the message via E. */
static int parse_field(mpq_t q, const char *f, long col, long line, const errctx *E)
{
    const char *end;
    if (*f == '\0')
        return fail(E, AE_EPARSE, line, "empty field in column %ld", col + 1);
    if (is_nan_inf_text(f))
        return fail(E, AE_EPARSE, line, "NaN/Inf value '%.40s' in column %ld", f, col + 1);
    int st = qnum_set_decimal(q, f, &end);
    if (st == AE_OK && *end == '\0')
        return AE_OK;
    if (st == AE_ERANGE && *end == '\0') {
        if (qnum_decimal_digits(f) > QNUM_MAX_DIGITS)
            return fail(E, AE_ERANGE, line, "field has more than %ld digits (column %ld)",
                        QNUM_MAX_DIGITS, col + 1);
        return fail(E, AE_ERANGE, line, "exponent beyond +-%ld in '%.40s' (column %ld)",
                    QNUM_MAX_EXP, f, col + 1);
    }
    return fail(E, AE_EPARSE, line, "non-numeric field '%.40s' in column %ld", f, col + 1);
}

/* Does this (trimmed) field read as a number: a whole decimal literal
 * [+-]digits[.digits][(e|E)[+-]digits], or NaN/Inf text?  Syntax only, so it costs
 * nothing whatever the digit count. */
static int is_numeric(const char *f)
{
    if (is_nan_inf_text(f))
        return 1;
    const char *p = f;
    if (*p == '+' || *p == '-')
        p++;
    size_t nd = 0;
    while (isdigit((unsigned char) *p))
        p++, nd++;
    if (*p == '.')
        for (p++; isdigit((unsigned char) *p); p++)
            nd++;
    if (nd == 0)
        return 0;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!isdigit((unsigned char) *p))
            return 0;
        while (isdigit((unsigned char) *p))
            p++;
    }
    return *p == '\0';
}

/* A non-negative integer header field that fits a long, or -1. */
static long header_count(const char *f, mpq_t scratch)
{
    if (qnum_parse(scratch, f) != AE_OK || mpz_cmp_ui(mpq_denref(scratch), 1) != 0
        || mpq_sgn(scratch) < 0 || !mpz_fits_slong_p(mpq_numref(scratch)))
        return -1;
    return mpz_get_si(mpq_numref(scratch));
}

static int load_stream(ds_t D, FILE *f, const char *name, int flags, long max_d, long max_cells,
                       char *err, size_t errlen);

int ds_load_csv(ds_t D, const char *path, int flags, char *err, size_t errlen)
{
    return ds_load_csv_capped(D, path, flags, LONG_MAX, DS_MAX_CELLS, err, errlen);
}

int ds_load_csv_capped(ds_t D, const char *path, int flags, long max_d, long max_cells,
                       char *err, size_t errlen)
{
    if (D == NULL || path == NULL || max_d < 1 || max_cells < 1) {
        ae_error("ds_load_csv", "NULL %s or a cap below 1", D == NULL ? "data set" : "path");
        return AE_EINVAL;
    }
    errctx E = { path, err, errlen };
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return fail(&E, AE_EIO, 0, "cannot open: %s", strerror(errno));
    /* refuse an oversized regular file before reading any of it */
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > DS_MAX_FILE_BYTES) {
        fclose(f);
        return fail(&E, AE_ERANGE, 0, "file of %lld bytes exceeds the CSV size cap of %lld bytes",
                    (long long) sb.st_size, (long long) DS_MAX_FILE_BYTES);
    }
    int st = load_stream(D, f, path, flags, max_d, max_cells, err, errlen);
    fclose(f);
    return st;
}

int ds_load_csv_stream(ds_t D, FILE *f, const char *name, int flags, char *err, size_t errlen)
{
    if (D == NULL || f == NULL || name == NULL) {
        ae_error("ds_load_csv_stream", "NULL %s", D == NULL ? "data set" : f == NULL ? "stream" : "name");
        return AE_EINVAL;
    }
    return load_stream(D, f, name, flags, LONG_MAX, DS_MAX_CELLS, err, errlen);
}

static int load_stream(ds_t D, FILE *f, const char *name, int flags, long max_d, long max_cells,
                       char *err, size_t errlen)
{
    if (max_cells > DS_MAX_CELLS)
        max_cells = DS_MAX_CELLS;
    const char *path = name;
    if ((flags & ~(DS_LABEL | DS_HEADER | DS_NOHEADER)) != 0
        || (flags & (DS_HEADER | DS_NOHEADER)) == (DS_HEADER | DS_NOHEADER)) {
        ae_error("ds_load_csv", "bad flags 0x%x", (unsigned) flags);
        return AE_EINVAL;
    }
    const int has_label = (flags & DS_LABEL) != 0;
    errctx E = { path, err, errlen };
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    long long total = 0;   /* bytes read so far */

    char *line = NULL, **fields = NULL;
    size_t linecap = 0;
    long fcap = 0, lineno = 0, ncols = -1, nrows = 0;
    long hdr_n = -1, hdr_d = -1;
    int header = 0, status = AE_OK;
    mpq_t *vals = NULL;            /* nrows * (ncols - has_label) values, grown by doubling */
    long vcap = 0, *labels = NULL, lcap = 0;
    mpq_t scratch;
    mpq_init(scratch);
    ssize_t len;

    while ((len = getline(&line, &linecap, f)) != -1) {
        lineno++;
        total += len;
        if (total > DS_MAX_FILE_BYTES) {
            status = fail(&E, AE_ERANGE, lineno, "input exceeds the CSV size cap of %lld bytes",
                          (long long) DS_MAX_FILE_BYTES);
            goto done;
        }
        if (len > 0 && line[len - 1] == '\n')
            line[--len] = '\0';
        if (len > 0 && line[len - 1] == '\r')
            line[--len] = '\0';
        if ((size_t) len != strlen(line)) {
            status = fail(&E, AE_EPARSE, lineno, "NUL byte in line");
            goto done;
        }
        if (*trim(line) == '\0') {
            status = fail(&E, AE_EPARSE, lineno, "blank line");
            goto done;
        }
        long k = split(line, &fields, &fcap);
        if (lineno == 1 && !(flags & DS_NOHEADER)) {
            /* the scikit-learn layout "n_samples,n_features,<class names>" */
            int sk = k >= 3 && (hdr_n = header_count(fields[0], scratch)) >= 0
                     && (hdr_d = header_count(fields[1], scratch)) >= 0;
            for (long j = 2; sk && j < k; j++)
                sk = !is_numeric(fields[j]);
            if (!sk)
                hdr_n = hdr_d = -1;
            int numeric = 0;
            for (long j = 0; j < k && !numeric; j++)
                numeric = is_numeric(fields[j]);
            header = (flags & DS_HEADER) || sk || !numeric;
            if (header)
                continue;
        }
        if (ncols < 0) {
            ncols = k;
            if (ncols - (has_label ? 1 : 0) < 1) {
                status = fail(&E, AE_EPARSE, lineno, "%ld field(s): no feature columns", k);
                goto done;
            }
        } else if (k != ncols) {
            status = fail(&E, AE_EPARSE, lineno, "ragged row: %ld fields, expected %ld", k, ncols);
            goto done;
        }
        long d = ncols - (has_label ? 1 : 0);
        if (d > max_d) {
            status = fail(&E, AE_ERANGE, lineno, "%ld features, more than the %ld this command "
                          "handles", d, max_d);
            goto done;
        }
        if ((nrows + 1) * d > max_cells) {
            status = fail(&E, AE_ERANGE, lineno, "more than %ld values (the cap on n x d%s)",
                          max_cells, max_cells < DS_MAX_CELLS ? " for this command" : "");
            goto done;
        }
        if ((nrows + 1) * d > vcap) {
            long nc = vcap ? 2 * vcap : 1024;
            while (nc < (nrows + 1) * d)
                nc *= 2;
            if (nc > max_cells)
                nc = max_cells;
            /* mpq_t holds only pointers to its limbs, so moving it with realloc is safe */
            vals = ae_realloc(vals, (size_t) nc * sizeof(mpq_t));
            for (long i = vcap; i < nc; i++)
                mpq_init(vals[i]);
            vcap = nc;
        }
        for (long j = 0; j < d; j++) {
            status = parse_field(vals[nrows * d + j], fields[j], j, lineno, &E);
            if (status != AE_OK)
                goto done;
        }
        if (has_label) {
            if (nrows == lcap) {
                lcap = lcap ? 2 * lcap : 256;
                labels = ae_realloc(labels, (size_t) lcap * sizeof(long));
            }
            status = parse_field(scratch, fields[d], d, lineno, &E);
            if (status != AE_OK)
                goto done;
            if (mpz_cmp_ui(mpq_denref(scratch), 1) != 0) {
                status = fail(&E, AE_EPARSE, lineno, "label '%.40s' is not an integer", fields[d]);
                goto done;
            }
            if (!mpz_fits_slong_p(mpq_numref(scratch))) {
                status = fail(&E, AE_ERANGE, lineno, "label '%.40s' out of range", fields[d]);
                goto done;
            }
            labels[nrows] = mpz_get_si(mpq_numref(scratch));
        }
        nrows++;
    }
    if (ferror(f)) {
        status = fail(&E, AE_EIO, lineno + 1, "read error: %s", strerror(errno));
        goto done;
    }
    if (nrows == 0) {
        status = fail(&E, AE_EPARSE, lineno + 1,
                      header ? "no data rows after the header" : "empty file (no data rows)");
        goto done;
    }
    long d = ncols - (has_label ? 1 : 0);
    if (hdr_n >= 0 && (hdr_n != nrows || (has_label && hdr_d != d))) {
        status = fail(&E, AE_EPARSE, 1,
                      "header declares %ld samples x %ld features, the data have %ld x %ld",
                      hdr_n, hdr_d, nrows, d);
        goto done;
    }

    ds_t T;
    T->n = nrows;
    T->d = d;
    qmat_init(T->X, nrows, d);
    for (long i = 0; i < nrows * d; i++)
        mpq_swap(T->X->entries[i], vals[i]);
    T->Xd = ae_malloc((size_t) (nrows * d) * sizeof(double));
    T->labels = NULL;
    if (has_label) {
        T->labels = labels;
        labels = NULL;
    }
    update_xd(T);
    ds_swap(D, T);
    ds_clear(T);

done:
    for (long i = 0; i < vcap; i++)
        mpq_clear(vals[i]);
    free(vals);
    free(labels);
    free(fields);
    free(line);
    mpq_clear(scratch);
    return status;
}

/* ---- row selection ------------------------------------------------------------- */

int ds_subset_rows(ds_t out, const ds_t in, const long *rows, long m)
{
    if (m < 0 || (m > 0 && rows == NULL)) {
        ae_error("ds_subset_rows", "bad row list (m = %ld)", m);
        return AE_EINVAL;
    }
    for (long i = 0; i < m; i++)
        if (rows[i] < 0 || rows[i] >= in->n) {
            ae_error("ds_subset_rows", "row %ld out of range [0, %ld)", rows[i], in->n);
            return AE_EINVAL;
        }
    long d = in->d;
    ds_t T;
    T->n = m;
    T->d = d;
    qmat_init(T->X, m, d);
    T->Xd = ae_malloc((size_t) (m * d) * sizeof(double));
    T->labels = in->labels ? ae_malloc((size_t) m * sizeof(long)) : NULL;
    for (long i = 0; i < m; i++) {
        for (long j = 0; j < d; j++)
            mpq_set(qmat_entry(T->X, i, j), qmat_entry(in->X, rows[i], j));
        if (d > 0)
            memcpy(T->Xd + i * d, in->Xd + rows[i] * d, (size_t) d * sizeof(double));
        if (in->labels)
            T->labels[i] = in->labels[rows[i]];
    }
    ds_swap(out, T);
    ds_clear(T);
    return AE_OK;
}

int ds_filter(ds_t out, const ds_t in, const long *classes, long nclasses, int keep)
{
    if (in->labels == NULL || nclasses < 0 || (nclasses > 0 && classes == NULL)) {
        ae_error("ds_filter", in->labels == NULL ? "data set has no labels"
                                                 : "bad class list");
        return AE_EINVAL;
    }
    long *rows = ae_malloc((size_t) in->n * sizeof(long)), m = 0;
    for (long i = 0; i < in->n; i++) {
        int found = 0;
        for (long c = 0; c < nclasses && !found; c++)
            found = in->labels[i] == classes[c];
        if (found == (keep != 0))
            rows[m++] = i;
    }
    int st = ds_subset_rows(out, in, rows, m);
    free(rows);
    return st;
}

/* splitmix64 (Steele, Lea, Flood 2014): a fixed, portable generator, so splits do not
 * depend on the C library's rand(). */
static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Uniform in [0, n) without modulo bias (n >= 1). */
static uint64_t uniform_below(uint64_t *s, uint64_t n)
{
    uint64_t limit = UINT64_MAX - UINT64_MAX % n, x;
    do
        x = splitmix64(s);
    while (x >= limit);
    return x % n;
}

int ds_split(ds_t train, ds_t test, const ds_t in, long ntest, unsigned long seed)
{
    if (train == test || ntest < 0 || ntest > in->n) {
        ae_error("ds_split", train == test ? "train and test are the same object"
                                           : "ntest out of range");
        return AE_EINVAL;
    }
    long n = in->n;
    long *perm = ae_malloc((size_t) n * sizeof(long));
    char *is_test = ae_calloc((size_t) n, 1);
    long *rtest = ae_malloc((size_t) ntest * sizeof(long));
    long *rtrain = ae_malloc((size_t) (n - ntest) * sizeof(long));
    uint64_t s = (uint64_t) seed;
    for (long i = 0; i < n; i++)
        perm[i] = i;
    /* the first ntest steps of Fisher-Yates pick a uniform random ntest-subset */
    for (long i = 0; i < ntest; i++) {
        long j = i + (long) uniform_below(&s, (uint64_t) (n - i));
        long t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
        is_test[perm[i]] = 1;
    }
    long a = 0, b = 0;
    for (long i = 0; i < n; i++) {
        if (is_test[i])
            rtest[a++] = i;
        else
            rtrain[b++] = i;
    }
    ds_t Tr, Te;
    ds_init(Tr);
    ds_init(Te);
    ds_subset_rows(Tr, in, rtrain, b);
    ds_subset_rows(Te, in, rtest, a);
    ds_swap(train, Tr);
    ds_swap(test, Te);
    ds_clear(Tr);
    ds_clear(Te);
    free(perm);
    free(is_test);
    free(rtest);
    free(rtrain);
    return AE_OK;
}

/* ---- class lists --------------------------------------------------------------- */

int ds_parse_classes(long *classes, long *nclasses, long max, const char *list)
{
    if (classes == NULL || nclasses == NULL || list == NULL || max < 0) {
        ae_error("ds_parse_classes", "NULL argument or negative max");
        return AE_EINVAL;
    }
    long k = 0;
    const char *p = list;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        const char *start = p;
        if (*p == '+' || *p == '-')
            p++;
        if (!isdigit((unsigned char) *p))
            return AE_EPARSE;   /* empty item, empty list, or not an integer */
        while (isdigit((unsigned char) *p))
            p++;
        const char *stop = p;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p != ',' && *p != '\0')
            return AE_EPARSE;
        if (k == max)
            return AE_ERANGE;
        errno = 0;
        char *end;
        long v = strtol(start, &end, 10);
        if (errno == ERANGE)
            return AE_ERANGE;
        if (end != stop)
            return AE_EPARSE;
        for (long i = 0; i < k; i++)
            if (classes[i] == v)
                return AE_EPARSE;
        classes[k++] = v;
        if (*p == '\0')
            break;
        p++;
    }
    *nclasses = k;
    return AE_OK;
}

/* ---- min-max scaling ----------------------------------------------------------- */

int ds_minmax_fit(mpq_t *lo, mpq_t *hi, const ds_t train)
{
    if (train->n < 1 || ((lo == NULL || hi == NULL) && train->d > 0)) {
        ae_error("ds_minmax_fit", train->n < 1 ? "no rows to fit" : "NULL bound array");
        return AE_EINVAL;
    }
    for (long j = 0; j < train->d; j++) {
        mpq_set(lo[j], qmat_entry(train->X, 0, j));
        mpq_set(hi[j], qmat_entry(train->X, 0, j));
        for (long i = 1; i < train->n; i++) {
            const __mpq_struct *x = qmat_entry(train->X, i, j);
            if (mpq_cmp(x, lo[j]) < 0)
                mpq_set(lo[j], x);
            else if (mpq_cmp(x, hi[j]) > 0)
                mpq_set(hi[j], x);
        }
    }
    return AE_OK;
}

int ds_minmax_apply(ds_t D, const mpq_t *lo, const mpq_t *hi)
{
    long d = D->d;
    if (d > 0 && (lo == NULL || hi == NULL)) {
        ae_error("ds_minmax_apply", "NULL bound array");
        return AE_EINVAL;
    }
    for (long j = 0; j < d; j++)
        if (mpq_cmp(hi[j], lo[j]) < 0) {
            ae_error("ds_minmax_apply", "hi < lo for feature %ld", j);
            return AE_EINVAL;
        }
    /* shift = lo, scale = 1/(hi - lo), or 1 for a constant feature (scikit-learn's
     * MinMaxScaler), so a deviation in a feature constant on the fitted rows stays visible */
    mpq_t *shift = qvec_init(d), *scale = qvec_init(d);
    for (long j = 0; j < d; j++) {
        mpq_set(shift[j], lo[j]);
        mpq_sub(scale[j], hi[j], lo[j]);
        if (mpq_sgn(scale[j]) != 0)
            mpq_inv(scale[j], scale[j]);
        else
            mpq_set_ui(scale[j], 1, 1);
    }
    for (long i = 0; i < D->n; i++)
        for (long j = 0; j < d; j++) {
            __mpq_struct *x = qmat_entry(D->X, i, j);
            mpq_sub(x, x, shift[j]);
            mpq_mul(x, x, scale[j]);
        }
    update_xd(D);
    qvec_clear(shift, d);
    qvec_clear(scale, d);
    return AE_OK;
}
