/* proof — the registry of claim verifications run by bin/aeaudit.
 *
 * Each claim ID of theory/claims.md has one entry: a run function that builds its
 * instances, checks the claim (exactly, or with a certified bound where exactness is
 * impossible — the method string says which), fills one verdict and writes its tables
 * into ctx->outdir.  A run function returns AE_OK when it reached a verdict (whatever
 * the verdict) and an error status when it could not (bad data file, unwritable table):
 * then the verdict is ERROR and res->evidence holds the one-line reason.
 */
#ifndef PROOF_H
#define PROOF_H

#include <stdio.h>
#include <mpfr.h>

#include "table.h"

typedef enum { PROOF_THEOREM, PROOF_EXPERIMENT } proof_kind;

typedef enum {
    VERDICT_VERIFIED,        /* every instance checked and the claim held */
    VERDICT_FALSIFIED,       /* an instance contradicts the claim (evidence names it) */
    VERDICT_NOT_REPRODUCED,  /* an experiment did not show the claimed effect */
    VERDICT_ERROR            /* the verification could not be carried out */
} verdict_t;

typedef struct {
    int quick;                /* reduced sizes for make check */
    unsigned long seed;       /* base seed; each proof derives its own from it */
    mpfr_prec_t prec;         /* MPFR working precision in bits */
    const char *outdir;       /* where tables are written (exists, writable) */
    const char *datadir;      /* where the CSV data sets are */
    const char *user_data;    /* --data FILE.csv, or NULL */
    const char *user_normal;  /* --normal LIST for user_data */
    int csv_flags;            /* how user_data is read: DS_LABEL plus DS_HEADER or
                                 DS_NOHEADER (dataset.h); 0 means DS_LABEL */
    int corrupt;              /* tests only: each verifier checks a deliberately wrong
                                 instance instead (see tests/test_proofs.c); it must then
                                 not report VERIFIED */
} proof_ctx;

typedef struct {
    verdict_t verdict;
    char method[160];
    long instances;
    char evidence[1024];
} proof_result;

typedef struct {
    const char *id;
    const char *title;
    proof_kind kind;
    int (*run)(const proof_ctx *ctx, proof_result *res);
} proof_entry;

extern const proof_entry proof_registry[];
extern const long proof_registry_len;

/* The entry with this ID (case-insensitive), or NULL. */
const proof_entry *proof_find(const char *id);
const char *proof_verdict_name(verdict_t v);

/* Sets res to the verdict with a printf-style evidence line. */
void proof_set(proof_result *res, verdict_t v, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Progress on stderr: a bar when stderr is a terminal, otherwise one line per call
 * ("[L3] wine k=2 (5/20)").  Never writes to stdout. */
void proof_progress(const char *id, long step, long total, const char *what);

/* ---- the proof skeleton ---------------------------------------------------------------
 *
 * A claim's run function is
 *     int proof_LX(const proof_ctx *ctx, proof_result *res)
 *     { return proof_run(ctx, res, TABLES, NTABLES, body, NULL); }
 * and body holds only the mathematics: it writes rows with proof_row, sets
 * res->method / res->instances, and ends with proof_set (the verdict) and AE_OK, or, when
 * it cannot reach a verdict (bad data), with return proof_fail(J, status, reason).
 * proof_run opens the tables (temporaries in ctx->outdir), runs body, then commits every
 * table when body returned AE_OK and every row was written, else removes them all; any
 * failure sets the verdict ERROR with the one-line reason.  Nothing is left behind. */

#define PROOF_MAX_TABLES 4

typedef struct {
    const char *name;           /* file stem in ctx->outdir, e.g. "L3_out_of_bounds" */
    const char *title;          /* the Markdown heading */
    const char *const *cols;    /* header */
    long ncols;
} proof_table;

typedef struct {
    const proof_ctx *ctx;
    proof_result *res;
    void *arg;                  /* proof_run's arg, for the body's own use */
    tab_t tab[PROOF_MAX_TABLES];
    long ntab;
    int status;                 /* AE_OK, or the first failure (row write, proof_fail) */
    char err[1024];             /* its reason */
} proof_job;

/* Runs body inside the skeleton (see above).  Returns AE_OK when a verdict was reached
 * and the tables are in place; otherwise the failure's status (AE_EIO for a table that
 * could not be opened, written or renamed; body's status from proof_fail; AE_EINVAL for
 * a row whose cell count differs from its header) with res->verdict = ERROR.
 * ntabs outside [0, PROOF_MAX_TABLES] is misuse. */
int proof_run(const proof_ctx *ctx, proof_result *res, const proof_table *tabs, long ntabs,
              int (*body)(proof_job *J), void *arg);

/* One row of table t (tab-separated cells, as tab_rowf).  A failure is kept in J (the
 * first one wins) and turns the verdict into ERROR when body returns; later rows are
 * skipped.  Returns the row's status so a body may stop early. */
int proof_row(proof_job *J, long t, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Records a failure (status != AE_OK, reason printf-style) and returns status, for
 * "return proof_fail(J, AE_EPARSE, "%s", err);". */
int proof_fail(proof_job *J, int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* A progress bar "[#####.....]" of `width` characters for step of total into buf. */
void proof_bar(char *buf, int width, long step, long total);

/* Per-claim entry points (proofs/L1.c ...). */
int proof_L1(const proof_ctx *ctx, proof_result *res);
int proof_L2(const proof_ctx *ctx, proof_result *res);
int proof_L3(const proof_ctx *ctx, proof_result *res);
int proof_L4(const proof_ctx *ctx, proof_result *res);
int proof_L5(const proof_ctx *ctx, proof_result *res);
int proof_L6(const proof_ctx *ctx, proof_result *res);
int proof_N1(const proof_ctx *ctx, proof_result *res);
int proof_N2(const proof_ctx *ctx, proof_result *res);
int proof_N3(const proof_ctx *ctx, proof_result *res);
int proof_N4(const proof_ctx *ctx, proof_result *res);
int proof_N5(const proof_ctx *ctx, proof_result *res);
int proof_N6(const proof_ctx *ctx, proof_result *res);
int proof_M1(const proof_ctx *ctx, proof_result *res);
int proof_M2(const proof_ctx *ctx, proof_result *res);
int proof_P1(const proof_ctx *ctx, proof_result *res);
int proof_P2(const proof_ctx *ctx, proof_result *res);
int proof_P3(const proof_ctx *ctx, proof_result *res);
int proof_P4(const proof_ctx *ctx, proof_result *res);

#endif
