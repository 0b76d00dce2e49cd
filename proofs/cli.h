/* cli — small pieces the aeaudit commands share (front end only: they print).
 *
 * Numbers from the command line are parsed strictly: the whole argument, no sign where
 * none is allowed, no overflow.  Each parser returns 1 on success (*v set), 0 otherwise
 * (*v unspecified).
 */
#ifndef CLI_H
#define CLI_H

#include <stdarg.h>

#include "dsrc.h"

/* Decimal unsigned integer without a sign. */
int cli_parse_ulong(const char *s, unsigned long *v);
/* Decimal integer >= lo. */
int cli_parse_long(const char *s, long *v, long lo);
/* Finite decimal or hex float. */
int cli_parse_double(const char *s, double *v);

/* Creates dir and its missing parents (mode 0777 before umask).  Returns 0 when dir is a
 * writable directory afterwards, else -1 with errno set (ENOTDIR when dir, or a parent,
 * is a file). */
int cli_ensure_dir(const char *dir);

/* "aeaudit CMD: <message>" on one line of stderr; returns 2 (the bad-usage exit code). */
int cli_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* The same with a va_list (for commands' own printf-like wrappers). */
int cli_verror(const char *cmd, const char *fmt, va_list ap);

/* Keeps the rows of c whose label is in the class list (e.g. "4,5,7"); name is the data
 * set's name for the messages.  Returns 0, or 2 after cli_error(cmd, ...) when the list
 * is malformed, c has no labels or no row is left. */
int cli_filter_classes(dsrc_t c, const char *cmd, const char *name, const char *list);

#endif
