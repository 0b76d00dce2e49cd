/* oblas — see oblas.h. */
#include "oblas.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define OBLAS_SONAME "libopenblas.so.0"

static pthread_mutex_t oblas_mu = PTHREAD_MUTEX_INITIALIZER;
static oblas_api oblas_table;
static int oblas_state;           /* 0 not tried, 1 loaded, -1 failed */
static char oblas_msg[256];

/* POSIX guarantees that a function pointer survives a round trip through void *. */
static void *oblas_sym(void *h, const char *name)
{
    dlerror();
    return dlsym(h, name);
}

static void oblas_try(void)
{
    void *h = dlopen(OBLAS_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        const char *e = dlerror();
        snprintf(oblas_msg, sizeof oblas_msg, "cannot load %s (install libopenblas0): %s",
                 OBLAS_SONAME, e ? e : "unknown error");
        oblas_state = -1;
        return;
    }
    void *s = oblas_sym(h, "cblas_sgemm"), *d = oblas_sym(h, "cblas_dgemm");
    void *t = oblas_sym(h, "openblas_set_num_threads");
    if (s == NULL || d == NULL) {
        snprintf(oblas_msg, sizeof oblas_msg, "%s has no cblas_sgemm/cblas_dgemm",
                 OBLAS_SONAME);
        dlclose(h);
        oblas_state = -1;
        return;
    }
    memcpy(&oblas_table.sgemm, &s, sizeof s);
    memcpy(&oblas_table.dgemm, &d, sizeof d);
    oblas_table.set_num_threads = NULL;
    if (t != NULL)
        memcpy(&oblas_table.set_num_threads, &t, sizeof t);
    if (oblas_table.set_num_threads != NULL)
        oblas_table.set_num_threads(1);
    oblas_state = 1;   /* the handle stays open for the life of the process */
}

const oblas_api *oblas_load(void)
{
    pthread_mutex_lock(&oblas_mu);
    if (oblas_state == 0)
        oblas_try();
    int st = oblas_state;
    pthread_mutex_unlock(&oblas_mu);
    return st == 1 ? &oblas_table : NULL;
}

const char *oblas_error(void)
{
    pthread_mutex_lock(&oblas_mu);
    const char *m = oblas_state < 0 ? oblas_msg : "";
    pthread_mutex_unlock(&oblas_mu);
    return m;
}
