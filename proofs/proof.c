/* proof — verdicts, progress and the proof skeleton (see proof.h); the registry itself
 * is in registry.c. */
#include "proof.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aeerr.h"

const char *proof_verdict_name(verdict_t v)
{
    switch (v) {
    case VERDICT_VERIFIED: return "VERIFIED";
    case VERDICT_FALSIFIED: return "FALSIFIED";
    case VERDICT_NOT_REPRODUCED: return "NOT-REPRODUCED";
    default: return "ERROR";
    }
}

void proof_set(proof_result *res, verdict_t v, const char *fmt, ...)
{
    va_list ap;
    res->verdict = v;
    va_start(ap, fmt);
    vsnprintf(res->evidence, sizeof res->evidence, fmt, ap);
    va_end(ap);
}

void proof_bar(char *buf, int width, long step, long total)
{
    int filled = total > 0 ? (int) ((double) width * (double) step / (double) total) : width;
    if (filled > width)
        filled = width;
    if (filled < 0)
        filled = 0;
    buf[0] = '[';
    for (int k = 0; k < width; k++)
        buf[1 + k] = k < filled ? '#' : '.';
    buf[width + 1] = ']';
    buf[width + 2] = '\0';
}

void proof_progress(const char *id, long step, long total, const char *what)
{
    if (isatty(STDERR_FILENO)) {
        char bar[40];
        proof_bar(bar, 30, step, total);
        fprintf(stderr, "\r[%s] %s %ld/%ld %-40.40s", id, bar, step, total, what);
        if (step >= total)
            fputc('\n', stderr);
    } else {
        fprintf(stderr, "[%s] %s (%ld/%ld)\n", id, what, step, total);
    }
    fflush(stderr);
}

int proof_fail(proof_job *J, int status, const char *fmt, ...)
{
    if (J->status == AE_OK) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(J->err, sizeof J->err, fmt, ap);
        va_end(ap);
        J->status = status != AE_OK ? status : AE_EINVAL;
    }
    return status;
}

int proof_row(proof_job *J, long t, const char *fmt, ...)
{
    if (J->status != AE_OK)
        return J->status;
    if (t < 0 || t >= J->ntab)
        return proof_fail(J, AE_EINVAL, "proof_row: table %ld of %ld", t, J->ntab);
    va_list ap;
    va_start(ap, fmt);
    int st = tab_vrowf(J->tab[t], fmt, ap);
    va_end(ap);
    if (st != AE_OK)
        proof_fail(J, st, "%s", J->tab[t]->msg);
    return st;
}

int proof_run(const proof_ctx *ctx, proof_result *res, const proof_table *tabs, long ntabs,
              int (*body)(proof_job *J), void *arg)
{
    if (ntabs < 0 || ntabs > PROOF_MAX_TABLES) {
        ae_error("proof_run", "%ld tables (at most %d)", ntabs, PROOF_MAX_TABLES);
        return AE_EINVAL;
    }
    proof_job *J = ae_calloc(1, sizeof *J);
    J->ctx = ctx;
    J->res = res;
    J->arg = arg;
    res->verdict = VERDICT_ERROR;
    char err[512];
    for (long t = 0; t < ntabs; t++) {
        if (tab_open(J->tab[t], ctx->outdir, tabs[t].name, tabs[t].title, tabs[t].cols,
                     tabs[t].ncols, err, sizeof err) != AE_OK) {
            proof_fail(J, AE_EIO, "%s", err);
            break;
        }
        J->ntab++;
    }
    if (J->status == AE_OK) {
        int st = body(J);
        if (st != AE_OK && J->status == AE_OK)
            proof_fail(J, st, "%s failed: %s", tabs && ntabs ? tabs[0].name : "claim",
                       ae_strstatus(st));
    }
    for (long t = 0; t < J->ntab; t++) {
        if (J->status == AE_OK) {
            if (tab_commit(J->tab[t], err, sizeof err) != AE_OK)
                proof_fail(J, AE_EIO, "%s", err);
        } else {
            tab_abort(J->tab[t]);
        }
    }
    int st = J->status;
    if (st != AE_OK)
        proof_set(res, VERDICT_ERROR, "%s", J->err);
    free(J);
    return st;
}
