/* cmd_scan_internal — what cmd_scan.c (the piecewise-linear route, argument parsing,
 * evidence files) and cmd_scan_fam.c (the bounded and smooth activation families) share;
 * private to `aeaudit scan`. */
#ifndef CMD_SCAN_INTERNAL_H
#define CMD_SCAN_INTERNAL_H

#include <stddef.h>

#include <gmp.h>

#include "dsrc.h"
#include "nn.h"
#include "scan.h"
#include "table.h"

#define EXIT_UNSUPPORTED 4

typedef struct {
    const char *model, *data, *normal, *data_dir, *idx_dir, *out;
    double budget;
    unsigned long seed, data_seed;
    long far;
    int have_data_seed, header;
} scanargs;

/* "aeaudit scan: reason" on stderr; returns 2 (the usage-error exit code). */
int cmd_scan_usage_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* The exact rational as "p/q" (or "p"), malloc'd. */
char *cmd_scan_qstr(const mpq_t q);
/* "FAILS", "SAFE-BEYOND", "UNDECIDED" for SCAN_*. */
const char *cmd_scan_verdict_name(int v);
/* DIR/NAME (written to NAME.tmp, renamed when complete): header "what,LABEL,x1..xd" and
 * nrows rows (what, label, vector of d exact rationals). */
int cmd_scan_write_vectors(const char *dir, const char *name, const char *label,
                           const char *const *what, const char *const *lab,
                           mpq_t *const *vec, long nrows, long d, char *err, size_t errlen);
/* One key,value row; kvq adds KEY_decimal (17 digits); kvf formats the value. */
int cmd_scan_kv(tab_t T, const char *key, const char *val);
int cmd_scan_kvq(tab_t T, const char *key, const mpq_t q);
int cmd_scan_kvf(tab_t T, const char *key, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* DIR/scan.csv and scan.md (key,value) from rows(T, arg), committed only when every row
 * was written (err set otherwise). */
int cmd_scan_evidence(const char *dir, int (*rows)(tab_t, const void *), const void *arg,
                      char *err, size_t errlen);

/* ---- cmd_scan_fam.c --------------------------------------------------------------- */
enum { CMD_SCAN_PL = 0, CMD_SCAN_BOUNDED, CMD_SCAN_SMOOTH };
/* PL: every activation exact in qnet; BOUNDED: some tanh / sigmoid layer (no twin: N5's
 * output bound); SMOOTH: the rest (softplus, elu, gelu, silu with piecewise-linear layers),
 * through the ReLU twin (N6). */
int cmd_scan_family(const nn_t net);
/* The smooth family: twin_run, the verdict on stdout, scan.csv/.md, direction.csv and
 * anomaly.csv into out.  Returns the exit code (0, 2, or EXIT_UNSUPPORTED). */
int cmd_scan_twin(const nn_t net, const dsrc_t c, const scanargs *a, const char *data,
                  const char *out, const scan_opts *o, int tty);
/* The bounded family: bounded_scan (SAFE-BEYOND R*, the 2-D pocket map), likewise. */
int cmd_scan_bounded(const nn_t net, const dsrc_t c, const scanargs *a, const char *data,
                     const char *out);

#endif
