/* aeerr — the project's status codes and its single error handler.
 *
 * Three kinds of error (see README, "Errors"):
 *  - a mathematical outcome (singular, not converged, not verified) is a return value
 *    (AE_SINGULAR, AE_NOTCONV, ...), never a call to the handler;
 *  - bad data from a file (parse errors, NaN, ranges) is a return value (AE_EPARSE,
 *    AE_EIO, AE_ERANGE) with a message the caller may fetch from the loader;
 *  - caller misuse (dimension mismatch, k >= d, NULL where forbidden) calls
 *    ae_error(func, fmt, ...), which formats "func: reason" and hands it to the installed
 *    handler.  If the handler returns, the library function returns AE_EINVAL (or, for a
 *    void function, returns with its outputs unspecified).  With no handler installed the
 *    message is kept in ae_error_message() and the process aborts: continuing after
 *    misuse would be undefined behaviour.  Library code never prints and never exits.
 */
#ifndef AEERR_H
#define AEERR_H

#include <stddef.h>

enum {
    AE_OK = 0,
    AE_SINGULAR = 1,     /* a matrix is singular / rank deficient where full rank was needed */
    AE_NOTCONV = 2,      /* an iteration did not converge */
    AE_NOTVERIFIED = 3,  /* a verifier's check did not hold */
    AE_EINVAL = 10,      /* caller misuse (after the handler returned) */
    AE_EPARSE = 11,      /* malformed text input */
    AE_ERANGE = 12,      /* a value is out of the representable/accepted range */
    AE_EIO = 13,         /* a file could not be read or written */
    AE_ENOMEM = 14,      /* allocation failed */
    AE_EGSL = 15         /* GSL reported an error status */
};

/* Called with the function name and the formatted reason. */
typedef void (*ae_error_handler_t)(const char *func, const char *reason);

/* Installs h (NULL restores the default: record and abort); returns the previous one. */
ae_error_handler_t ae_set_error_handler(ae_error_handler_t h);

/* Reports caller misuse: formats reason, stores "func: reason", calls the handler. */
void ae_error(const char *func, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* The last message passed to the handler, "func: reason" ("" if none). */
const char *ae_error_message(void);

/* A short English name for a status code ("singular", "parse error", ...). */
const char *ae_strstatus(int status);

/* malloc/calloc/realloc that report AE_ENOMEM through the handler on failure
 * (there is no useful way to continue an exact computation without memory). */
void *ae_malloc(size_t n);
void *ae_calloc(size_t n, size_t size);
void *ae_realloc(void *p, size_t n);

#endif
