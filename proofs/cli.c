/* cli — see cli.h. */
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aeerr.h"
#include "dataset.h"

#define CLI_MAX_CLASSES 256

int cli_parse_ulong(const char *s, unsigned long *v)
{
    char *end;
    if (s == NULL || *s == '\0' || *s == '-')   /* strtoul would wrap "-1" around */
        return 0;
    errno = 0;
    *v = strtoul(s, &end, 10);
    return errno == 0 && *end == '\0';
}

int cli_parse_long(const char *s, long *v, long lo)
{
    char *end;
    if (s == NULL || *s == '\0')
        return 0;
    errno = 0;
    long x = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || x < lo)
        return 0;
    *v = x;
    return 1;
}

int cli_parse_double(const char *s, double *v)
{
    char *end;
    if (s == NULL || *s == '\0')
        return 0;
    errno = 0;
    double x = strtod(s, &end);
    if (*end != '\0' || !isfinite(x))
        return 0;
    *v = x;
    return 1;
}

int cli_ensure_dir(const char *dir)
{
    char tmp[PATH_MAX];
    struct stat sb;
    if (stat(dir, &sb) == 0 && !S_ISDIR(sb.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    if (snprintf(tmp, sizeof tmp, "%s", dir) >= (int) sizeof tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
        return -1;
    return access(dir, W_OK | X_OK);
}

int cli_verror(const char *cmd, const char *fmt, va_list ap)
{
    fprintf(stderr, "aeaudit %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    return 2;
}

int cli_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cli_verror(cmd, fmt, ap);
    va_end(ap);
    return 2;
}

int cli_filter_classes(dsrc_t c, const char *cmd, const char *name, const char *list)
{
    long cls[CLI_MAX_CLASSES], ncls;
    if (ds_parse_classes(cls, &ncls, CLI_MAX_CLASSES, list) != AE_OK)
        return cli_error(cmd, "--normal: bad class list '%s' (want e.g. 4,5,7)", list);
    if (c->labels == NULL)
        return cli_error(cmd, "--normal given but the data set %s has no labels", name);
    if (dsrc_filter(c, cls, ncls, 1) != AE_OK)
        return cli_error(cmd, "cannot filter the data");
    if (c->n == 0)
        return cli_error(cmd, "--data %s: no rows with classes %s", name, list);
    return 0;
}
