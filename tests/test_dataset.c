/* CUnit suite for dataset: CSV loading (real files and malformed ones), filtering, class
 * lists, row subsets and splits, exact min-max scaling.  Run from the repository root
 * (data files are found as data/<name>.csv). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <gmp.h>

#include "testutil.h"
#include "dataset.h"
#include "qmat.h"
#include "qnum.h"

/* ---- helpers -------------------------------------------------------------------- */

/* Writes text to a fresh temporary file; path receives its name (room for 64). */
static void write_tmp(char *path, const char *text)
{
    strcpy(path, "/tmp/aeaudit_ds_XXXXXX");
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    FILE *f = fdopen(fd, "w");
    CU_ASSERT_FATAL(f != NULL);
    fputs(text, f);
    fclose(f);
}

/* Loads text through a temporary file; returns the status, err gets the message. */
static int load_text(ds_t D, const char *text, int flags, char *path, char *err, size_t n)
{
    write_tmp(path, text);
    int st = ds_load_csv(D, path, flags, err, n);
    unlink(path);
    return st;
}

/* err starts with "path:line: " and has a nonempty reason. */
static int names_line(const char *err, const char *path, long line)
{
    char pre[128];
    snprintf(pre, sizeof pre, "%s:%ld: ", path, line);
    return strncmp(err, pre, strlen(pre)) == 0 && strlen(err) > strlen(pre);
}

/* Independent reading of a CSV for comparison: fields by strtok, doubles by strtod
 * (glibc's strtod rounds correctly), exact values by qnum_parse. */
static void check_against_text(const ds_t D, const char *path, int header)
{
    FILE *f = fopen(path, "r");
    CU_ASSERT_FATAL(f != NULL);
    char *line = NULL;
    size_t cap = 0;
    long i = 0, bad_d = 0, bad_q = 0, bad_l = 0;
    mpq_t q;
    mpq_init(q);
    if (header)
        CU_ASSERT_FATAL(getline(&line, &cap, f) > 0);
    while (getline(&line, &cap, f) > 0 && i < D->n) {
        long j = 0;
        for (char *tok = strtok(line, ",\r\n"); tok; tok = strtok(NULL, ",\r\n"), j++) {
            if (j == D->d) {
                bad_l += strtol(tok, NULL, 10) != D->labels[i];
                continue;
            }
            bad_d += strtod(tok, NULL) != D->Xd[i * D->d + j];
            CU_ASSERT_EQUAL_FATAL(qnum_parse(q, tok), AE_OK);
            bad_q += !mpq_equal(q, qmat_entry(D->X, i, j));
        }
        CU_ASSERT_EQUAL(j, D->d + 1);
        i++;
    }
    CU_ASSERT_EQUAL(i, D->n);
    CU_ASSERT_EQUAL(bad_d, 0);
    CU_ASSERT_EQUAL(bad_q, 0);
    CU_ASSERT_EQUAL(bad_l, 0);
    mpq_clear(q);
    free(line);
    fclose(f);
}

/* Xd[k] == qnum_get_d(X_k) for every entry. */
static int xd_consistent(const ds_t D)
{
    for (long k = 0; k < D->n * D->d; k++)
        if (D->Xd[k] != qnum_get_d(D->X->entries[k]))
            return 0;
    return 1;
}

static void label_counts(long *cnt, long ncls, const ds_t D)
{
    for (long c = 0; c < ncls; c++)
        cnt[c] = 0;
    for (long i = 0; i < D->n; i++)
        if (D->labels[i] >= 0 && D->labels[i] < ncls)
            cnt[D->labels[i]]++;
}

/* ---- real data ------------------------------------------------------------------ */

static void test_load_real(void)
{
    static const struct {
        const char *path; long n, d, ncls; int header; long counts[10];
    } F[] = {
        { "data/wine_data.csv", 178, 13, 3, 1, { 59, 71, 48 } },
        { "data/breast_cancer.csv", 569, 30, 2, 1, { 212, 357 } },
        { "data/iris.csv", 150, 4, 3, 1, { 50, 50, 50 } },
        { "data/digits.csv", 1797, 64, 10, 0,
          { 178, 182, 177, 183, 181, 182, 181, 179, 174, 180 } },
    };
    char err[512];
    for (size_t k = 0; k < sizeof F / sizeof F[0]; k++) {
        ds_t D;
        ds_init(D);
        int st = ds_load_csv(D, F[k].path, 1, err, sizeof err);
        CU_ASSERT_EQUAL_FATAL(st, AE_OK);
        CU_ASSERT_EQUAL(D->n, F[k].n);
        CU_ASSERT_EQUAL(D->d, F[k].d);
        CU_ASSERT_EQUAL(D->X->r, F[k].n);
        CU_ASSERT_EQUAL(D->X->c, F[k].d);
        CU_ASSERT_FATAL(D->labels != NULL);
        long cnt[10], total = 0;
        label_counts(cnt, F[k].ncls, D);
        for (long c = 0; c < F[k].ncls; c++) {
            CU_ASSERT_EQUAL(cnt[c], F[k].counts[c]);
            total += cnt[c];
        }
        CU_ASSERT_EQUAL(total, D->n);   /* no label outside 0..ncls-1 */
        check_against_text(D, F[k].path, F[k].header);
        CU_ASSERT_TRUE(xd_consistent(D));
        ds_clear(D);
    }
    /* spot values against the text: wine row 0 "14.23,...,0.28,...,1065,0", breast cancer
     * row 0 "...,0.006399,...", iris row 149 "5.9,3.0,5.1,1.8,2" */
    ds_t D;
    ds_init(D);
    mpq_t q;
    mpq_init(q);
    CU_ASSERT_EQUAL_FATAL(ds_load_csv(D, "data/wine_data.csv", 1, err, sizeof err), AE_OK);
    mpq_set_ui(q, 1423, 100);
    CU_ASSERT_TRUE(mpq_equal(qmat_entry(D->X, 0, 0), q));
    mpq_set_ui(q, 7, 25);
    CU_ASSERT_TRUE(mpq_equal(qmat_entry(D->X, 0, 7), q));
    mpq_set_ui(q, 1065, 1);
    CU_ASSERT_TRUE(mpq_equal(qmat_entry(D->X, 0, 12), q));
    CU_ASSERT_EQUAL(D->labels[0], 0);
    CU_ASSERT_EQUAL(D->Xd[0], 14.23);
    CU_ASSERT_EQUAL_FATAL(ds_load_csv(D, "data/breast_cancer.csv", 1, err, sizeof err), AE_OK);
    mpq_set_ui(q, 6399, 1000000);
    CU_ASSERT_TRUE(mpq_equal(qmat_entry(D->X, 0, 14), q));
    CU_ASSERT_EQUAL(D->Xd[14], 0.006399);
    CU_ASSERT_EQUAL(D->labels[0], 0);
    CU_ASSERT_EQUAL_FATAL(ds_load_csv(D, "data/iris.csv", 1, err, sizeof err), AE_OK);
    mpq_set_ui(q, 59, 10);
    CU_ASSERT_TRUE(mpq_equal(qmat_entry(D->X, 149, 0), q));
    CU_ASSERT_EQUAL(D->labels[149], 2);
    /* without a label column digits has 65 features and no labels */
    CU_ASSERT_EQUAL_FATAL(ds_load_csv(D, "data/digits.csv", 0, err, sizeof err), AE_OK);
    CU_ASSERT_EQUAL(D->d, 65);
    CU_ASSERT_PTR_NULL(D->labels);
    mpq_clear(q);
    ds_clear(D);
}

/* ---- malformed files ------------------------------------------------------------- */

static void test_load_errors(void)
{
    static const struct { const char *text; int has_label, status; long line; } C[] = {
        { "1,2,0\n3,4\n", 1, AE_EPARSE, 2 },                  /* ragged (short) */
        { "1,2,0\n3,4,1,5\n", 1, AE_EPARSE, 2 },              /* ragged (long) */
        { "1,2,0\n3,abc,1\n", 1, AE_EPARSE, 2 },              /* non-numeric */
        { "x,y,label\n1,2,0\n3,4x,1\n", 1, AE_EPARSE, 3 },    /* after a header */
        { "1,2,0\n3,1.2.3,1\n", 1, AE_EPARSE, 2 },
        { "", 1, AE_EPARSE, 1 },                              /* empty file */
        { "a,b,label\n", 1, AE_EPARSE, 2 },                   /* header only */
        { "1,2,0\nnan,1,0\n", 1, AE_EPARSE, 2 },
        { "NaN,1,0\n", 1, AE_EPARSE, 1 },                     /* NaN is no header */
        { "1,2,0\n1,-inf,0\n", 1, AE_EPARSE, 2 },
        { "1,2,0\n1,2,0\n1,Infinity,0\n", 1, AE_EPARSE, 3 },
        { "1,2,0\n1,2,0\n1e999999999,2,0\n", 1, AE_ERANGE, 3 },
        { "1,2,0\n1,2e-999999999,0\n", 1, AE_ERANGE, 2 },
        { "1,2,0\n1e99999,2,0\n", 1, AE_ERANGE, 2 },          /* exponent beyond the cap */
        { "1,,0\n", 1, AE_EPARSE, 1 },                        /* empty field */
        { "1,2,0\n1,2,\n", 1, AE_EPARSE, 2 },                 /* empty label */
        { "1,2,0\n1,2,0.5\n", 1, AE_EPARSE, 2 },              /* non-integer label */
        { "1,2,99999999999999999999\n", 1, AE_ERANGE, 1 },    /* label beyond long */
        { "1,2,0\n\n3,4,1\n", 1, AE_EPARSE, 2 },              /* blank line */
        { "1,2,0\n3,4,1\n\n", 1, AE_EPARSE, 3 },              /* trailing blank line */
        { "7\n", 1, AE_EPARSE, 1 },                           /* label but no feature */
        { "3,2,a,b\n1,2,0\n3,4,1\n", 1, AE_EPARSE, 1 },       /* header says 3 rows */
        { "2,3,a,b\n1,2,0\n3,4,1\n", 1, AE_EPARSE, 1 },       /* header says 3 features */
        { "1,2x,3,0\n1,2,3,0\n", 1, AE_EPARSE, 1 },           /* typo on line 1: no header */
        { "a,1,b\n1,2,0\n", 1, AE_EPARSE, 1 },                /* one number: data */
        { "nan,inf,x\n1,2,0\n", 1, AE_EPARSE, 1 },            /* NaN text is a number */
        { "x,y,label\n1,2,0\n", DS_LABEL | DS_NOHEADER, AE_EPARSE, 1 },
        { "150,4,a,b\n1,2,0\n", DS_LABEL | DS_NOHEADER, AE_EPARSE, 1 },  /* sk layout as data */
        { "x,y,label\n", DS_LABEL | DS_HEADER, AE_EPARSE, 2 },
    };
    char path[64], err[256];
    ds_t D;
    ds_init(D);
    CU_ASSERT_EQUAL_FATAL(ds_load_csv(D, "data/iris.csv", 1, err, sizeof err), AE_OK);
    for (size_t k = 0; k < sizeof C / sizeof C[0]; k++) {
        int st = load_text(D, C[k].text, C[k].has_label, path, err, sizeof err);
        CU_ASSERT_EQUAL(st, C[k].status);
        CU_ASSERT_TRUE(names_line(err, path, C[k].line));
        if (st != C[k].status || !names_line(err, path, C[k].line))
            fprintf(stderr, "\ncase %zu: status %d, err '%s'\n", k, st, err);
        /* D is unchanged by a failed load */
        CU_ASSERT_EQUAL(D->n, 150);
        CU_ASSERT_EQUAL(D->d, 4);
    }
    /* missing file */
    CU_ASSERT_EQUAL(ds_load_csv(D, "data/no_such_file.csv", 1, err, sizeof err), AE_EIO);
    CU_ASSERT_TRUE(names_line(err, "data/no_such_file.csv", 0));
    /* messages name the offending text; NULL err and a tiny buffer are fine */
    CU_ASSERT_EQUAL(load_text(D, "1,2,0\n3,abc,1\n", 1, path, err, sizeof err), AE_EPARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "abc"));
    CU_ASSERT_EQUAL(load_text(D, "1,2,0\n3,abc,1\n", 1, path, NULL, 0), AE_EPARSE);
    CU_ASSERT_EQUAL(load_text(D, "1,2,0\n3,abc,1\n", 1, path, err, 4), AE_EPARSE);
    CU_ASSERT_EQUAL(strlen(err), 3);
    TU_EXPECT_ERROR(ds_load_csv(D, NULL, 1, err, sizeof err));
    TU_EXPECT_ERROR(ds_load_csv(D, "data/iris.csv", DS_HEADER | DS_NOHEADER, err, sizeof err));
    TU_EXPECT_ERROR(ds_load_csv(D, "data/iris.csv", 8, err, sizeof err));
    ds_clear(D);
}

/* Caps: digits, exponent, cells, file size (each its own message). */
static void test_load_caps(void)
{
    char path[64], err[256];
    ds_t D;
    ds_init(D);
    /* 5,000,000 digits: "more than 100 digits", not an exponent message */
    size_t m = 5000000;
    char *big = malloc(m + 16);
    memset(big, '3', m);
    strcpy(big + m, ",0\n");
    CU_ASSERT_EQUAL(load_text(D, big, DS_LABEL, path, err, sizeof err), AE_ERANGE);
    CU_ASSERT_TRUE(names_line(err, path, 1));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "more than 100 digits"));
    free(big);
    CU_ASSERT_EQUAL(load_text(D, "1,0\n1e401,0\n", DS_LABEL, path, err, sizeof err), AE_ERANGE);
    CU_ASSERT_TRUE(names_line(err, path, 2));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "exponent beyond +-400"));
    CU_ASSERT_EQUAL(load_text(D, "1e400,1e-400,0\n", DS_LABEL, path, err, sizeof err), AE_OK);
    /* a file above the size cap is refused before it is read: a sparse file declaring
     * 2 GiB (nothing of it is allocated) */
    strcpy(path, "/tmp/aeaudit_ds_XXXXXX");
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(ftruncate(fd, (off_t) DS_MAX_FILE_BYTES + 1), 0);
    close(fd);
    CU_ASSERT_EQUAL(ds_load_csv(D, path, DS_LABEL, err, sizeof err), AE_ERANGE);
    CU_ASSERT_TRUE(names_line(err, path, 0));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "size cap"));
    unlink(path);
    /* (DS_MAX_CELLS is not exercised here: reaching it needs 2^26 values, gigabytes.) */
    FILE *f;
    /* the stream entry point reads the same as the file one */
    f = fmemopen((void *) "x,y\n1,2\n", 8, "r");
    CU_ASSERT_FATAL(f != NULL);
    CU_ASSERT_EQUAL(ds_load_csv_stream(D, f, "mem", DS_LABEL, err, sizeof err), AE_OK);
    CU_ASSERT_EQUAL(D->n, 1);
    fclose(f);
    TU_EXPECT_ERROR(ds_load_csv_stream(D, NULL, "x", 0, err, sizeof err));
    ds_clear(D);
}

/* Line 1: header by rule, forced header, forced data. */
static void test_load_header_flags(void)
{
    char path[64], err[256];
    ds_t D;
    ds_init(D);
    /* automatic: words only -> header; a number anywhere -> data */
    CU_ASSERT_EQUAL(load_text(D, "x,y,label\n1,2,0\n", DS_LABEL, path, err, sizeof err), AE_OK);
    CU_ASSERT_EQUAL(D->n, 1);
    CU_ASSERT_EQUAL(load_text(D, "x,,label\n1,2,0\n", DS_LABEL, path, err, sizeof err), AE_OK);
    CU_ASSERT_EQUAL(D->n, 1);
    CU_ASSERT_EQUAL(load_text(D, "5,6,1\n1,2,0\n", DS_LABEL, path, err, sizeof err), AE_OK);
    CU_ASSERT_EQUAL(D->n, 2);
    /* DS_HEADER skips line 1 whatever it holds, even numbers, and the sk check is kept */
    CU_ASSERT_EQUAL(load_text(D, "5,6,1\n1,2,0\n", DS_LABEL | DS_HEADER, path, err, sizeof err),
                    AE_OK);
    CU_ASSERT_EQUAL(D->n, 1);
    CU_ASSERT_EQUAL(mpq_cmp_ui(qmat_entry(D->X, 0, 0), 1, 1), 0);
    CU_ASSERT_EQUAL(load_text(D, "1,2x,3\n1,2,0\n", DS_LABEL | DS_HEADER, path, err, sizeof err),
                    AE_OK);
    CU_ASSERT_EQUAL(D->n, 1);
    CU_ASSERT_EQUAL(load_text(D, "2,2,a\n1,2,0\n", DS_LABEL | DS_HEADER, path, err, sizeof err),
                    AE_EPARSE);
    CU_ASSERT_TRUE(names_line(err, path, 1));
    /* scikit-learn layout automatically, checked */
    CU_ASSERT_EQUAL(load_text(D, "1,2,a,b\n1,2,0\n", DS_LABEL, path, err, sizeof err), AE_OK);
    CU_ASSERT_EQUAL(D->n, 1);
    /* DS_NOHEADER: line 1 is data */
    CU_ASSERT_EQUAL(load_text(D, "5,6,1\n1,2,0\n", DS_LABEL | DS_NOHEADER, path, err, sizeof err),
                    AE_OK);
    CU_ASSERT_EQUAL(D->n, 2);
    CU_ASSERT_EQUAL(load_text(D, "a,b\n1,2\n", DS_NOHEADER, path, err, sizeof err), AE_EPARSE);
    CU_ASSERT_TRUE(names_line(err, path, 1));
    ds_clear(D);
}

static void test_load_variants(void)
{
    char path[64], err[256];
    ds_t D;
    ds_init(D);
    mpq_t q;
    mpq_init(q);
    /* CRLF, no final newline, spaces around fields, signs, exponents, "2.0" label */
    const char *texts[] = {
        "1,2,0\r\n-3.5,4e-2,1\r\n",
        "1,2,0\n-3.5,4e-2,1",
        " 1 ,\t2, 0\n-3.5 , +.04 , 1.0e0 \n",
    };
    for (int k = 0; k < 3; k++) {
        CU_ASSERT_EQUAL_FATAL(load_text(D, texts[k], 1, path, err, sizeof err), AE_OK);
        CU_ASSERT_EQUAL(D->n, 2);
        CU_ASSERT_EQUAL(D->d, 2);
        mpq_set_si(q, -7, 2);
        CU_ASSERT_TRUE(mpq_equal(qmat_entry(D->X, 1, 0), q));
        mpq_set_si(q, 1, 25);
        CU_ASSERT_TRUE(mpq_equal(qmat_entry(D->X, 1, 1), q));
        CU_ASSERT_EQUAL(D->Xd[3], 0.04);
        CU_ASSERT_EQUAL(D->labels[0], 0);
        CU_ASSERT_EQUAL(D->labels[1], 1);
    }
    CU_ASSERT_EQUAL(load_text(D, "1,2,2.0\n3,4,-5e1\n", 1, path, err, sizeof err), AE_OK);
    CU_ASSERT_EQUAL(D->labels[0], 2);
    CU_ASSERT_EQUAL(D->labels[1], -50);
    /* no label column; a one-column file; a header of words only */
    CU_ASSERT_EQUAL(load_text(D, "1,2\n3,4\n", 0, path, err, sizeof err), AE_OK);
    CU_ASSERT_EQUAL(D->d, 2);
    CU_ASSERT_PTR_NULL(D->labels);
    CU_ASSERT_EQUAL(load_text(D, "5\n", 0, path, err, sizeof err), AE_OK);
    CU_ASSERT_EQUAL(D->n, 1);
    CU_ASSERT_EQUAL(D->d, 1);
    CU_ASSERT_EQUAL(load_text(D, "a,b\n1,2\n", 0, path, err, sizeof err), AE_OK);
    CU_ASSERT_EQUAL(D->n, 1);
    /* a very long line (100000 fields) */
    long m = 100000;
    char *big = malloc((size_t) m * 8 + 16), *p = big;
    for (long j = 0; j < m; j++)
        p += sprintf(p, "%ld.5%s", j % 1000, j + 1 < m ? "," : "\n");
    /* as labelled data its last field 999.5 is not an integer label */
    CU_ASSERT_EQUAL(load_text(D, big, 1, path, err, sizeof err), AE_EPARSE);
    CU_ASSERT_EQUAL(load_text(D, big, 0, path, err, sizeof err), AE_OK);
    CU_ASSERT_EQUAL(D->d, m);
    p = big;
    for (long j = 0; j < m; j++)
        p += sprintf(p, "%ld.5%s", j % 1000, j + 1 < m ? "," : ",7\n");
    CU_ASSERT_EQUAL_FATAL(load_text(D, big, 1, path, err, sizeof err), AE_OK);
    CU_ASSERT_EQUAL(D->d, m);
    CU_ASSERT_EQUAL(D->labels[0], 7);
    CU_ASSERT_EQUAL(D->Xd[m - 1], 999.5);
    free(big);
    mpq_clear(q);
    ds_clear(D);
}

/* ---- filtering and class lists --------------------------------------------------- */

static void test_filter(void)
{
    char err[256];
    ds_t W, F, G;
    ds_init(W); ds_init(F); ds_init(G);
    CU_ASSERT_EQUAL_FATAL(ds_load_csv(W, "data/wine_data.csv", 1, err, sizeof err), AE_OK);
    long cls[] = { 0, 2 };
    CU_ASSERT_EQUAL(ds_filter(F, W, cls, 2, 1), AE_OK);
    CU_ASSERT_EQUAL(F->n, 59 + 48);
    CU_ASSERT_EQUAL(F->d, 13);
    CU_ASSERT_EQUAL(ds_filter(G, W, cls, 2, 0), AE_OK);
    CU_ASSERT_EQUAL(G->n, 71);
    /* the kept rows are exactly the original rows with those labels, in order */
    long r = 0, bad = 0;
    for (long i = 0; i < W->n; i++) {
        if (W->labels[i] == 1)
            continue;
        bad += F->labels[r] != W->labels[i];
        for (long j = 0; j < W->d; j++) {
            bad += !mpq_equal(qmat_entry(F->X, r, j), qmat_entry(W->X, i, j));
            bad += F->Xd[r * F->d + j] != W->Xd[i * W->d + j];
        }
        r++;
    }
    CU_ASSERT_EQUAL(bad, 0);
    for (long i = 0; i < G->n; i++)
        CU_ASSERT_EQUAL(G->labels[i], 1);
    /* empty list: keep nothing / drop nothing; aliasing out == in */
    CU_ASSERT_EQUAL(ds_filter(F, W, NULL, 0, 1), AE_OK);
    CU_ASSERT_EQUAL(F->n, 0);
    CU_ASSERT_EQUAL(F->d, 13);
    CU_ASSERT_PTR_NOT_NULL(F->labels);
    CU_ASSERT_EQUAL(ds_filter(F, W, NULL, 0, 0), AE_OK);
    CU_ASSERT_EQUAL(F->n, 178);
    long one[] = { 1 };
    CU_ASSERT_EQUAL(ds_filter(F, F, one, 1, 1), AE_OK);
    CU_ASSERT_EQUAL(F->n, 71);
    CU_ASSERT_TRUE(xd_consistent(F));
    /* filtering a 0-row set */
    CU_ASSERT_EQUAL(ds_filter(G, W, NULL, 0, 1), AE_OK);
    CU_ASSERT_EQUAL(ds_filter(G, G, one, 1, 0), AE_OK);
    CU_ASSERT_EQUAL(G->n, 0);
    /* misuse: no labels, negative count */
    CU_ASSERT_EQUAL_FATAL(ds_load_csv(G, "data/iris.csv", 0, err, sizeof err), AE_OK);
    TU_EXPECT_ERROR(ds_filter(F, G, one, 1, 1));
    TU_EXPECT_ERROR(ds_filter(F, W, one, -1, 1));
    ds_clear(W); ds_clear(F); ds_clear(G);
}

static void test_parse_classes(void)
{
    long c[8], n = -1;
    CU_ASSERT_EQUAL(ds_parse_classes(c, &n, 8, "4,5,7"), AE_OK);
    CU_ASSERT_EQUAL(n, 3);
    CU_ASSERT_TRUE(c[0] == 4 && c[1] == 5 && c[2] == 7);
    CU_ASSERT_EQUAL(ds_parse_classes(c, &n, 8, " 3 ,\t-2 , +9 "), AE_OK);
    CU_ASSERT_EQUAL(n, 3);
    CU_ASSERT_TRUE(c[0] == 3 && c[1] == -2 && c[2] == 9);
    CU_ASSERT_EQUAL(ds_parse_classes(c, &n, 1, "0"), AE_OK);
    CU_ASSERT_EQUAL(n, 1);
    CU_ASSERT_EQUAL(c[0], 0);
    static const char *bad[] = { "", " ", ",", "4,", ",4", "4,,5", "4x", "a", "1.5", "4 5",
                                 "4,4", "-", "+,1", "0x10" };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        n = -1;
        CU_ASSERT_EQUAL(ds_parse_classes(c, &n, 8, bad[k]), AE_EPARSE);
        CU_ASSERT_EQUAL(n, -1);
    }
    CU_ASSERT_EQUAL(ds_parse_classes(c, &n, 8, "99999999999999999999999"), AE_ERANGE);
    CU_ASSERT_EQUAL(ds_parse_classes(c, &n, 2, "1,2,3"), AE_ERANGE);
    CU_ASSERT_EQUAL(ds_parse_classes(c, &n, 0, "1"), AE_ERANGE);
    CU_ASSERT_EQUAL(n, -1);
    TU_EXPECT_ERROR(ds_parse_classes(c, &n, 8, NULL));
    TU_EXPECT_ERROR(ds_parse_classes(c, &n, -1, "1"));
}

/* ---- subsets and splits ----------------------------------------------------------- */

/* A data set whose single feature is the row index and whose label is index % 3. */
static void index_set(ds_t D, long n)
{
    char path[64], err[256];
    char *text = malloc((size_t) n * 24 + 1), *p = text;
    *p = '\0';
    for (long i = 0; i < n; i++)
        p += sprintf(p, "%ld,%ld\n", i, i % 3);
    CU_ASSERT_EQUAL_FATAL(load_text(D, text, 1, path, err, sizeof err), AE_OK);
    free(text);
}

/* Row indices recovered from the feature column; returns 1 if strictly increasing. */
static int increasing(const ds_t D)
{
    for (long i = 1; i < D->n; i++)
        if (D->Xd[i] <= D->Xd[i - 1])
            return 0;
    return 1;
}

static void test_subset_split(void)
{
    ds_t A, S, Tr, Te, Tr2, Te2;
    ds_init(A); ds_init(S); ds_init(Tr); ds_init(Te); ds_init(Tr2); ds_init(Te2);
    index_set(A, 100);
    long rows[] = { 5, 0, 5, 99 };
    CU_ASSERT_EQUAL(ds_subset_rows(S, A, rows, 4), AE_OK);
    CU_ASSERT_EQUAL(S->n, 4);
    for (long i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL(mpq_cmp_si(qmat_entry(S->X, i, 0), rows[i], 1), 0);
        CU_ASSERT_EQUAL(S->Xd[i], (double) rows[i]);
        CU_ASSERT_EQUAL(S->labels[i], rows[i] % 3);
    }
    CU_ASSERT_EQUAL(ds_subset_rows(S, S, rows + 1, 1), AE_OK);   /* alias: row 0 of S = 5 */
    CU_ASSERT_EQUAL(S->n, 1);
    CU_ASSERT_EQUAL(S->Xd[0], 5.0);
    CU_ASSERT_EQUAL(ds_subset_rows(S, A, NULL, 0), AE_OK);
    CU_ASSERT_EQUAL(S->n, 0);
    CU_ASSERT_EQUAL(S->d, 1);
    long bad[] = { 100 };
    TU_EXPECT_ERROR(ds_subset_rows(S, A, bad, 1));
    TU_EXPECT_ERROR(ds_subset_rows(S, A, rows, -1));

    unsigned long seed = tu_seed();
    CU_ASSERT_EQUAL(ds_split(Tr, Te, A, 30, seed), AE_OK);
    CU_ASSERT_EQUAL(Tr->n, 70);
    CU_ASSERT_EQUAL(Te->n, 30);
    CU_ASSERT_TRUE(increasing(Tr) && increasing(Te));
    /* a partition of the rows */
    int seen[100] = { 0 };
    for (long i = 0; i < Tr->n; i++)
        seen[(long) Tr->Xd[i]]++;
    for (long i = 0; i < Te->n; i++)
        seen[(long) Te->Xd[i]]++;
    int ok = 1;
    for (int i = 0; i < 100; i++)
        ok &= seen[i] == 1;
    CU_ASSERT_TRUE(ok);
    for (long i = 0; i < Te->n; i++)
        CU_ASSERT_EQUAL(Te->labels[i], (long) Te->Xd[i] % 3);
    /* deterministic; another seed gives another split */
    CU_ASSERT_EQUAL(ds_split(Tr2, Te2, A, 30, seed), AE_OK);
    CU_ASSERT_EQUAL(memcmp(Te->Xd, Te2->Xd, 30 * sizeof(double)), 0);
    CU_ASSERT_EQUAL(ds_split(Tr2, Te2, A, 30, seed + 1), AE_OK);
    CU_ASSERT_NOT_EQUAL(memcmp(Te->Xd, Te2->Xd, 30 * sizeof(double)), 0);
    /* edge sizes, and train aliasing in */
    CU_ASSERT_EQUAL(ds_split(Tr2, Te2, A, 0, seed), AE_OK);
    CU_ASSERT_TRUE(Tr2->n == 100 && Te2->n == 0);
    CU_ASSERT_EQUAL(ds_split(Tr2, Te2, A, 100, seed), AE_OK);
    CU_ASSERT_TRUE(Tr2->n == 0 && Te2->n == 100);
    CU_ASSERT_EQUAL(ds_split(A, Te2, A, 10, seed), AE_OK);
    CU_ASSERT_TRUE(A->n == 90 && Te2->n == 10);
    TU_EXPECT_ERROR(ds_split(Tr2, Te2, A, 91, seed));
    TU_EXPECT_ERROR(ds_split(Tr2, Tr2, A, 1, seed));
    ds_clear(A); ds_clear(S); ds_clear(Tr); ds_clear(Te); ds_clear(Tr2); ds_clear(Te2);
}

/* ---- min-max scaling ---------------------------------------------------------------- */

static void test_minmax(void)
{
    char err[256], path[64];
    ds_t W, Tr, Te, S;
    ds_init(W); ds_init(Tr); ds_init(Te); ds_init(S);
    CU_ASSERT_EQUAL_FATAL(ds_load_csv(W, "data/breast_cancer.csv", 1, err, sizeof err), AE_OK);
    CU_ASSERT_EQUAL(ds_split(Tr, Te, W, 100, tu_seed()), AE_OK);
    long d = W->d;
    mpq_t *lo = qvec_init(d), *hi = qvec_init(d), t;
    mpq_init(t);
    CU_ASSERT_EQUAL(ds_minmax_fit(lo, hi, Tr), AE_OK);
    ds_t Orig;
    ds_init(Orig);
    long *all = malloc((size_t) Tr->n * sizeof(long));
    for (long i = 0; i < Tr->n; i++)
        all[i] = i;
    ds_subset_rows(Orig, Tr, all, Tr->n);
    CU_ASSERT_EQUAL(ds_minmax_apply(Tr, lo, hi), AE_OK);
    long bad = 0;
    for (long j = 0; j < d; j++) {
        int seen0 = 0, seen1 = 0;
        for (long i = 0; i < Tr->n; i++) {
            const __mpq_struct *x = qmat_entry(Tr->X, i, j);
            bad += mpq_sgn(x) < 0 || mpq_cmp_ui(x, 1, 1) > 0;
            seen0 |= mpq_sgn(x) == 0;
            seen1 |= mpq_cmp_ui(x, 1, 1) == 0;
            /* second method: undo the map exactly */
            mpq_sub(t, hi[j], lo[j]);
            mpq_mul(t, t, x);
            mpq_add(t, t, lo[j]);
            bad += !mpq_equal(t, qmat_entry(Orig->X, i, j));
        }
        bad += !seen0 || !seen1;
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_TRUE(xd_consistent(Tr));
    /* test rows scale by the training bounds (may leave [0, 1]); still invertible */
    CU_ASSERT_EQUAL(ds_subset_rows(Orig, Te, all, Te->n), AE_OK);
    CU_ASSERT_EQUAL(ds_minmax_apply(Te, lo, hi), AE_OK);
    CU_ASSERT_TRUE(xd_consistent(Te));
    for (long j = 0; j < d; j++)
        for (long i = 0; i < Te->n; i++) {
            mpq_sub(t, hi[j], lo[j]);
            mpq_mul(t, t, qmat_entry(Te->X, i, j));
            mpq_add(t, t, lo[j]);
            bad += !mpq_equal(t, qmat_entry(Orig->X, i, j));
        }
    CU_ASSERT_EQUAL(bad, 0);

    /* constant feature -> x - lo (scale 1): 0 on the fitted rows, a deviation later shows */
    const char *text = "1,5,0\n2,5,1\n3,5,0\n";
    CU_ASSERT_EQUAL_FATAL(load_text(S, text, 1, path, err, sizeof err), AE_OK);
    mpq_t *l2 = qvec_init(2), *h2 = qvec_init(2);
    CU_ASSERT_EQUAL(ds_minmax_fit(l2, h2, S), AE_OK);
    CU_ASSERT_EQUAL(mpq_cmp_ui(l2[1], 5, 1), 0);
    CU_ASSERT_EQUAL(mpq_cmp_ui(h2[1], 5, 1), 0);
    CU_ASSERT_EQUAL(ds_minmax_apply(S, l2, h2), AE_OK);
    for (long i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(mpq_sgn(qmat_entry(S->X, i, 1)), 0);
        CU_ASSERT_EQUAL(S->Xd[2 * i + 1], 0.0);
        mpq_set_si(t, (long) i, 2);
        mpq_canonicalize(t);
        CU_ASSERT_TRUE(mpq_equal(qmat_entry(S->X, i, 0), t));
    }
    CU_ASSERT_EQUAL_FATAL(load_text(S, "7,9,0\n", 1, path, err, sizeof err), AE_OK);
    CU_ASSERT_EQUAL(ds_minmax_apply(S, l2, h2), AE_OK);
    CU_ASSERT_EQUAL(mpq_cmp_ui(qmat_entry(S->X, 0, 0), 3, 1), 0);   /* (7 - 1)/2 */
    CU_ASSERT_EQUAL(mpq_cmp_ui(qmat_entry(S->X, 0, 1), 4, 1), 0);   /* 9 - 5, scale 1 */
    CU_ASSERT_EQUAL(S->Xd[1], 4.0);
    CU_ASSERT_EQUAL_FATAL(load_text(S, "7,4.5,0\n", 1, path, err, sizeof err), AE_OK);
    CU_ASSERT_EQUAL(ds_minmax_apply(S, l2, h2), AE_OK);
    mpq_set_si(t, -1, 2);
    CU_ASSERT_TRUE(mpq_equal(qmat_entry(S->X, 0, 1), t));           /* 4.5 - 5 */
    CU_ASSERT_EQUAL_FATAL(load_text(S, "7,9,0\n", 1, path, err, sizeof err), AE_OK);
    CU_ASSERT_EQUAL(ds_minmax_fit(l2, h2, S), AE_OK);
    CU_ASSERT_EQUAL(ds_minmax_apply(S, l2, h2), AE_OK);
    CU_ASSERT_TRUE(mpq_sgn(qmat_entry(S->X, 0, 0)) == 0 && mpq_sgn(qmat_entry(S->X, 0, 1)) == 0);
    /* lo/hi aliasing entries of D->X */
    CU_ASSERT_EQUAL_FATAL(load_text(S, "1,5,0\n3,6,1\n", 1, path, err, sizeof err), AE_OK);
    mpq_t *row0 = qmat_row(S->X, 0), *row1 = qmat_row(S->X, 1);
    CU_ASSERT_EQUAL(ds_minmax_apply(S, row0, row1), AE_OK);
    CU_ASSERT_TRUE(mpq_sgn(qmat_entry(S->X, 0, 0)) == 0 && mpq_cmp_ui(qmat_entry(S->X, 1, 1), 1, 1) == 0);
    /* misuse: no rows; hi < lo */
    ds_subset_rows(S, S, NULL, 0);
    TU_EXPECT_ERROR(ds_minmax_fit(l2, h2, S));
    CU_ASSERT_EQUAL_FATAL(load_text(S, "1,5,0\n", 1, path, err, sizeof err), AE_OK);
    mpq_set_si(l2[0], 2, 1);
    mpq_set_si(h2[0], 1, 1);
    TU_EXPECT_ERROR(ds_minmax_apply(S, l2, h2));
    CU_ASSERT_EQUAL(mpq_cmp_ui(qmat_entry(S->X, 0, 0), 1, 1), 0);   /* unchanged */

    qvec_clear(l2, 2);
    qvec_clear(h2, 2);
    free(all);
    mpq_clear(t);
    qvec_clear(lo, d);
    qvec_clear(hi, d);
    ds_clear(W); ds_clear(Tr); ds_clear(Te); ds_clear(S); ds_clear(Orig);
}

int main(void)
{
    static const tu_test T[] = {
        { "load_real", test_load_real },
        { "load_errors", test_load_errors },
        { "load_variants", test_load_variants },
        { "load_header_flags", test_load_header_flags },
        { "load_caps", test_load_caps },
        { "filter", test_filter },
        { "parse_classes", test_parse_classes },
        { "subset_split", test_subset_split },
        { "minmax", test_minmax },
        { NULL, NULL }
    };
    return tu_run("dataset", 20240612UL, T);
}
