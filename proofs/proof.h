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

/* Per-claim entry points (proofs/L1.c ...). */
int proof_L1(const proof_ctx *ctx, proof_result *res);
int proof_L2(const proof_ctx *ctx, proof_result *res);
int proof_L3(const proof_ctx *ctx, proof_result *res);
int proof_L4(const proof_ctx *ctx, proof_result *res);
int proof_L5(const proof_ctx *ctx, proof_result *res);
int proof_L6(const proof_ctx *ctx, proof_result *res);

#endif
