/* figP1 — the P1 figure (see figP1.h). */
#include "figP1.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmp.h>
#include <mpfr.h>

#include "pcommon.h"

#define FP_MAXSETS 12
#define FP_MAXFMT 12
#define FP_MAXPTS 512
#define FP_NAME 128

static const char *const FP_COLORS[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#17becf",
                                        "#ff7f0e", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"};
#define FP_NCOLORS 10

typedef struct {
    char set[FP_MAXSETS][FP_NAME], fmt[FP_MAXFMT][FP_NAME];
    long nset, nfmt;
    double smin[FP_MAXSETS];            /* log10 s_min */
    long npt[FP_MAXSETS][FP_MAXFMT];
    double x[FP_MAXSETS][FP_MAXFMT][FP_MAXPTS];
    char kind[FP_MAXSETS][FP_MAXFMT][FP_MAXPTS];   /* 'f' finite, '0' zero, 'i' Inf/NaN */
    double y[FP_MAXSETS][FP_MAXFMT][FP_MAXPTS];
    double ylo, yhi;                    /* over the finite nonzero scores */
} fp_data;

static int fp_err(char *err, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, n, fmt, ap);
    va_end(ap);
    return 1;
}

/* Splits a CSV line (no quoted commas in P1's tables) into at most max fields. */
static int fp_split(char *line, char **f, int max)
{
    int n = 0;
    char *s = line;
    line[strcspn(line, "\r\n")] = '\0';
    while (n < max) {
        f[n++] = s;
        char *c = strchr(s, ',');
        if (c == NULL)
            break;
        *c = '\0';
        s = c + 1;
    }
    return n;
}

static long fp_index(char (*names)[FP_NAME], long *n, long max, const char *s)
{
    for (long i = 0; i < *n; i++)
        if (strcmp(names[i], s) == 0)
            return i;
    if (*n >= max)
        return -1;
    snprintf(names[*n], FP_NAME, "%s", s);
    return (*n)++;
}

/* log10 of a table number ("~1.2e-3", "3/7", "5"), MPFR-rounded; 0 on a parse error. */
static int fp_log10(double *out, const char *s)
{
    if (*s == '~')
        s++;
    mpq_t q;
    mpfr_t t;
    mpq_init(q);
    mpfr_init2(t, 64);
    int ok;
    if (strchr(s, '/') != NULL || strpbrk(s, ".eE") == NULL) {
        ok = mpq_set_str(q, s, 10) == 0;
        if (ok) {
            mpq_canonicalize(q);
            mpfr_set_q(t, q, MPFR_RNDN);
        }
    } else {
        ok = mpfr_set_str(t, s, 10, MPFR_RNDN) == 0;
    }
    ok = ok && mpfr_sgn(t) > 0;
    if (ok) {
        mpfr_log10(t, t, MPFR_RNDN);
        *out = mpfr_get_d(t, MPFR_RNDN);
    }
    mpfr_clear(t);
    mpq_clear(q);
    return ok;
}

static int fp_read(fp_data *D, const char *tabdir, char *err, size_t errlen)
{
    char path[1200], line[4096];
    snprintf(path, sizeof path, "%s/P1_scores.csv", tabdir);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return fp_err(err, errlen, "%s: cannot read (run aeaudit precision --only P1 first)", path);
    int rc = 0;
    long lineno = 0;
    D->ylo = 1e300;
    D->yhi = -1e300;
    while (rc == 0 && fgets(line, sizeof line, f) != NULL) {
        char *c[10];
        lineno++;
        if (lineno == 1)
            continue;
        if (fp_split(line, c, 10) != 9) {
            rc = fp_err(err, errlen, "%s:%ld: expected 9 fields", path, lineno);
            break;
        }
        char key[FP_NAME];
        snprintf(key, sizeof key, "%.60s %.60s", c[0], c[1]);   /* one panel per data set and model */
        long s = fp_index(D->set, &D->nset, FP_MAXSETS, key);
        long k = fp_index(D->fmt, &D->nfmt, FP_MAXFMT, c[3]);
        if (s < 0 || k < 0 || D->npt[s][k] >= FP_MAXPTS) {
            rc = fp_err(err, errlen, "%s:%ld: too many data sets, formats or points", path, lineno);
            break;
        }
        long p = D->npt[s][k]++;
        char *end;
        D->x[s][k][p] = strtod(c[2], &end);
        if (*end != '\0' || !fp_log10(&D->smin[s], c[8])) {
            rc = fp_err(err, errlen, "%s:%ld: bad log10_c or smin", path, lineno);
            break;
        }
        if (strcmp(c[5], "-inf") == 0) {
            D->kind[s][k][p] = '0';
        } else if (strcmp(c[5], "inf") == 0 || strcmp(c[5], "nan") == 0) {
            D->kind[s][k][p] = 'i';
        } else {
            D->kind[s][k][p] = 'f';
            D->y[s][k][p] = strtod(c[5], &end);
            if (*end != '\0') {
                rc = fp_err(err, errlen, "%s:%ld: bad log10_score", path, lineno);
                break;
            }
            if (D->y[s][k][p] < D->ylo) D->ylo = D->y[s][k][p];
            if (D->y[s][k][p] > D->yhi) D->yhi = D->y[s][k][p];
        }
    }
    fclose(f);
    if (rc == 0 && D->nset == 0)
        rc = fp_err(err, errlen, "%s: no rows", path);
    if (rc == 0 && D->ylo > D->yhi) {
        D->ylo = -1;
        D->yhi = 1;
    }
    return rc;
}

static FILE *fp_open(const char *figdir, const char *file)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", figdir, file);
    return fopen(path, "w");
}

/* One block of P1.dat: the points of kind kd ('f' finite: their log10; '0': at ybot;
 * 'i': at ytop), a blank line (a break in a drawn line) wherever a point of another kind
 * intervenes; a dummy point left of the x range first so that no block is empty. */
static void fp_block(FILE *f, const fp_data *D, long s, long k, char kd, double ybot,
                     double ytop)
{
    fprintf(f, "-1000 0\n\n");
    int broken = 1;
    for (long p = 0; p < D->npt[s][k]; p++) {
        if (D->kind[s][k][p] != kd) {
            if (!broken)
                fprintf(f, "\n");
            broken = 1;
            continue;
        }
        double y = kd == 'f' ? D->y[s][k][p] : (kd == '0' ? ybot : ytop);
        fprintf(f, "%.6g %.6g\n", D->x[s][k][p], y);
        broken = 0;
    }
    fprintf(f, "\n\n");
}

/* P1.dat: index 3 (s nfmt + k) + j = data set s, format k: j = 0 the finite nonzero
 * scores "log10_c log10_score", j = 1 the computed zeros (at ybot), j = 2 Inf/NaN (at
 * ytop). */
static int fp_write_dat(const fp_data *D, const char *figdir, double ybot, double ytop)
{
    FILE *f = fp_open(figdir, "P1.dat");
    if (f == NULL)
        return 1;
    static const char kinds[3] = {'f', '0', 'i'};
    for (long s = 0; s < D->nset; s++)
        for (long k = 0; k < D->nfmt; k++)
            for (int j = 0; j < 3; j++) {
                fprintf(f, "# %s %s: %s\n", D->set[s], D->fmt[k],
                        j == 0 ? "log10_c log10_score" : j == 1 ? "computed 0 (bottom row)"
                                                              : "Inf/NaN (top row)");
                fp_block(f, D, s, k, kinds[j], ybot, ytop);
            }
    return fclose(f) == 0 ? 0 : 1;
}

static int fp_write_gp(const fp_data *D, const char *figdir, double ybot, double ytop)
{
    FILE *f = fp_open(figdir, "P1.gp");
    if (f == NULL)
        return 1;
    long cols = D->nset <= 2 ? D->nset : 2, rows = (D->nset + cols - 1) / cols;
    long height = 340 * rows + 60;
    const char *term[2][2] = {{"pngcairo size 1400,%ld font ',10'", "png"},
                              {"svg size 1400,%ld font ',10'", "svg"}};
    fprintf(f, "# P1: generated by aeaudit precision; run from %s/\n", figdir);
    for (int t = 0; t < 2; t++) {
        fprintf(f, "set terminal ");
        fprintf(f, term[t][0], height);
        fprintf(f, "\nset termoption noenhanced\nset output 'P1.%s'\n", term[t][1]);
        fprintf(f, "set multiplot layout %ld,%ld title 'P1: computed score per format of a(c) = x0 + c v: "
                "pca-k2 = the exact zero-score L3 anomaly (x0 = mean, v = v1); relu = a scanned "
                "certified anomaly at c = 1. Bottom row: score exactly 0, top row: Inf/NaN'\n", rows, cols);
        fprintf(f, "set xlabel 'log10 c'\nset ylabel 'log10 computed score'\n"
                "set xrange [0:300]\nset yrange [%g:%g]\nset key top left font ',8' maxrows 5\n"
                "set grid\n", ybot - 10, ytop + 10);
        for (long s = 0; s < D->nset; s++) {
            fprintf(f, "set title '%s'\nplot ", D->set[s]);
            for (long k = 0; k < D->nfmt; k++) {
                long b = 3 * (s * D->nfmt + k);
                const char *col = FP_COLORS[k % FP_NCOLORS];
                fprintf(f, "'P1.dat' index %ld using 1:2 with lines lw 1.5 dt %d lc rgb '%s' "
                        "title '%s', '' index %ld using 1:2 with points pt 7 ps 0.4 lc rgb '%s' "
                        "notitle, '' index %ld using 1:2 with lines lw 4 "
                        "lc rgb '%s' notitle, ", b, k < 4 ? 1 : 2, col, D->fmt[k], b + 1, col,
                        b + 2, col);
            }
            fprintf(f, "%.6g with lines dt 2 lw 2 lc rgb 'black' title 's_min'\n", D->smin[s]);
        }
        fprintf(f, "unset multiplot\nunset output\n");
    }
    return fclose(f) == 0 ? 0 : 1;
}

int figP1_draw(const char *tabdir, const char *figdir, int gnuplot, char *err, size_t errlen)
{
    fp_data *D = calloc(1, sizeof *D);
    if (D == NULL)
        return fp_err(err, errlen, "out of memory");
    int rc = fp_read(D, tabdir, err, errlen);
    double ybot = (double) (long) (D->ylo - 20), ytop = (double) (long) (D->yhi + 20);
    if (rc == 0 && (fp_write_dat(D, figdir, ybot, ytop) || fp_write_gp(D, figdir, ybot, ytop)))
        rc = fp_err(err, errlen, "%s: cannot write P1.dat / P1.gp", figdir);
    if (rc == 0 && gnuplot) {
        if (prf_gnuplot(figdir, "P1") != 0)
            rc = fp_err(err, errlen, "gnuplot failed on %s/P1.gp", figdir);
    }
    free(D);
    return rc;
}
