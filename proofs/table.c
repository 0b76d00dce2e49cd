/* table — see table.h. */
#include "table.h"
#include "aeerr.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *joinpath(const char *dir, const char *name, const char *ext)
{
    size_t n = strlen(dir) + strlen(name) + strlen(ext) + 2;
    char *p = ae_malloc(n);
    snprintf(p, n, "%s/%s%s", dir, name, ext);
    return p;
}

static void csv_cell(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\n\r") == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void md_cell(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            fputc('\\', f);
        fputc(*s == '\n' ? ' ' : *s, f);
    }
}

static void free_paths(tab_t T)
{
    free(T->csv_path); free(T->md_path); free(T->csv_tmp); free(T->md_tmp);
    T->csv_path = T->md_path = T->csv_tmp = T->md_tmp = NULL;
}

void tab_abort(tab_t T)
{
    if (T->csv) fclose(T->csv);
    if (T->md) fclose(T->md);
    T->csv = T->md = NULL;
    if (T->csv_tmp) remove(T->csv_tmp);
    if (T->md_tmp) remove(T->md_tmp);
    free_paths(T);
}

int tab_open(tab_t T, const char *dir, const char *name, const char *title,
             const char *const *cols, long ncols, char *err, size_t errlen)
{
    memset(T, 0, sizeof *T);
    T->ncols = ncols;
    T->csv_path = joinpath(dir, name, ".csv");
    T->md_path = joinpath(dir, name, ".md");
    T->csv_tmp = joinpath(dir, name, ".csv.tmp");
    T->md_tmp = joinpath(dir, name, ".md.tmp");
    T->csv = fopen(T->csv_tmp, "w");
    if (T->csv == NULL) {
        snprintf(err, errlen, "%s: %s", T->csv_tmp, strerror(errno));
        tab_abort(T);
        return AE_EIO;
    }
    T->md = fopen(T->md_tmp, "w");
    if (T->md == NULL) {
        snprintf(err, errlen, "%s: %s", T->md_tmp, strerror(errno));
        tab_abort(T);
        return AE_EIO;
    }
    fprintf(T->md, "# %s\n\n|", title);
    for (long j = 0; j < ncols; j++) {
        if (j) fputc(',', T->csv);
        csv_cell(T->csv, cols[j]);
        fputc(' ', T->md);
        md_cell(T->md, cols[j]);
        fputs(" |", T->md);
    }
    fputc('\n', T->csv);
    fputs("\n|", T->md);
    for (long j = 0; j < ncols; j++)
        fputs(" --- |", T->md);
    fputc('\n', T->md);
    return AE_OK;
}

int tab_row(tab_t T, const char *const *cells, long ncells)
{
    if (ncells != T->ncols) {
        snprintf(T->msg, sizeof T->msg, "%s: a row of %ld cells under a header of %ld",
                 T->csv_path, ncells, T->ncols);
        return AE_EINVAL;
    }
    fputc('|', T->md);
    for (long j = 0; j < T->ncols; j++) {
        if (j) fputc(',', T->csv);
        csv_cell(T->csv, cells[j]);
        fputc(' ', T->md);
        md_cell(T->md, cells[j]);
        fputs(" |", T->md);
    }
    fputc('\n', T->csv);
    fputc('\n', T->md);
    if (ferror(T->csv) || ferror(T->md)) {
        snprintf(T->msg, sizeof T->msg, "%s: write failed", T->csv_tmp);
        return AE_EIO;
    }
    return AE_OK;
}

int tab_rowf(tab_t T, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int st = tab_vrowf(T, fmt, ap);
    va_end(ap);
    return st;
}

int tab_vrowf(tab_t T, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    char *buf = ae_malloc((size_t) n + 1);
    vsnprintf(buf, (size_t) n + 1, fmt, ap);
    long ncells = 1;
    for (const char *q = buf; *q; q++)
        ncells += *q == '\t';
    const char **cells = ae_malloc(sizeof(char *) * (size_t) ncells);
    char *p = buf;
    for (long j = 0; j < ncells; j++) {
        cells[j] = p;
        char *tab = strchr(p, '\t');
        if (tab) { *tab = '\0'; p = tab + 1; }
    }
    int st = tab_row(T, cells, ncells);
    free(cells);
    free(buf);
    return st;
}

int tab_commit(tab_t T, char *err, size_t errlen)
{
    int bad = 0;
    if (fclose(T->csv) != 0) bad = 1;
    if (fclose(T->md) != 0) bad = 1;
    T->csv = T->md = NULL;
    if (bad) {
        snprintf(err, errlen, "%s: write failed", T->csv_tmp);
        tab_abort(T);
        return AE_EIO;
    }
    if (rename(T->csv_tmp, T->csv_path) != 0 || rename(T->md_tmp, T->md_path) != 0) {
        snprintf(err, errlen, "%s: %s", T->csv_path, strerror(errno));
        tab_abort(T);
        return AE_EIO;
    }
    free_paths(T);
    return AE_OK;
}
