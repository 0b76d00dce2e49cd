/* aeerr — see aeerr.h. */
#include "aeerr.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static ae_error_handler_t handler = NULL;
static char last_message[512];

ae_error_handler_t ae_set_error_handler(ae_error_handler_t h)
{
    ae_error_handler_t old = handler;
    handler = h;
    return old;
}

void ae_error(const char *func, const char *fmt, ...)
{
    char reason[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    snprintf(last_message, sizeof last_message, "%s: %s", func, reason);
    if (handler == NULL)
        abort();   /* no handler: the message stays in ae_error_message() for a debugger */
    handler(func, reason);
}

const char *ae_error_message(void)
{
    return last_message;
}

const char *ae_strstatus(int status)
{
    switch (status) {
    case AE_OK: return "ok";
    case AE_SINGULAR: return "singular";
    case AE_NOTCONV: return "not converged";
    case AE_NOTVERIFIED: return "not verified";
    case AE_EINVAL: return "invalid argument";
    case AE_EPARSE: return "parse error";
    case AE_ERANGE: return "out of range";
    case AE_EIO: return "i/o error";
    case AE_ENOMEM: return "out of memory";
    case AE_EGSL: return "GSL error";
    default: return "unknown status";
    }
}

void *ae_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL)
        ae_error("ae_malloc", "out of memory (%zu bytes)", n);
    return p;
}

void *ae_calloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (p == NULL)
        ae_error("ae_calloc", "out of memory (%zu x %zu bytes)", n, size);
    return p;
}

void *ae_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (q == NULL)
        ae_error("ae_realloc", "out of memory (%zu bytes)", n);
    return q;
}
