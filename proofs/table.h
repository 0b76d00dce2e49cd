/* table — CSV tables with a Markdown twin, written atomically.
 *
 * tab_open creates DIR/NAME.csv.tmp and DIR/NAME.md.tmp; tab_commit renames both into
 * place, so a reader never sees a half-written table, and tab_abort (or an error)
 * removes the temporaries.  Cells are plain text; a cell containing a comma, quote or
 * newline is quoted in the CSV (RFC 4180) and '|' is escaped in the Markdown.
 */
#ifndef TABLE_H
#define TABLE_H

#include <stdarg.h>
#include <stdio.h>

typedef struct {
    FILE *csv, *md;
    char *csv_path, *md_path, *csv_tmp, *md_tmp;
    long ncols;
    char msg[320];     /* the reason of the last failed tab_row / tab_rowf */
} tab_struct;
typedef tab_struct tab_t[1];

/* AE_OK, or AE_EIO with err = "PATH: reason". */
int tab_open(tab_t T, const char *dir, const char *name, const char *title,
             const char *const *cols, long ncols, char *err, size_t errlen);
/* One row of ncells cells, which must equal the header's T->ncols.  Returns AE_OK;
 * AE_EINVAL when ncells != T->ncols (nothing written: a row that does not match its
 * header is a bug of the caller, reported as a value rather than through ae_error so that
 * the caller can still remove the temporaries); AE_EIO on a write error.  On error
 * T->msg holds "PATH: reason".  The caller must check the status. */
int tab_row(tab_t T, const char *const *cells, long ncells)
#if defined(__GNUC__)
    __attribute__((warn_unused_result))
#endif
    ;
/* printf-style convenience: the formatted text is split at '\t' into cells (so k tabs
 * make k + 1 cells, which must equal T->ncols).  Statuses as tab_row. */
int tab_rowf(tab_t T, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3), warn_unused_result))
#endif
    ;
/* tab_rowf with a va_list (consumed), for callers that forward their own arguments. */
int tab_vrowf(tab_t T, const char *fmt, va_list ap)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 0), warn_unused_result))
#endif
    ;
/* Closes and renames both files into place; AE_OK or AE_EIO (then nothing is left). */
int tab_commit(tab_t T, char *err, size_t errlen);
/* Closes and removes the temporaries. Safe after a failed tab_open. */
void tab_abort(tab_t T);

#endif
