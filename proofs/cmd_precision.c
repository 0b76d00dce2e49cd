/* cmd_precision — the precision audit front end (see cmd_precision.h). */
#include "cmd_precision.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "figP1.h"
#include "figP2.h"
#include "figP3.h"
#include "figP4.h"
#include "proof.h"

/* One line per claim with a figure (other helpers add theirs here). */
static const struct {
    const char *id;
    prec_fig_fn draw;
} PREC_FIGS[] = {
    {"P1", figP1_draw},
    {"P2", figP2_draw},
    {"P3", figP3_draw},
    {"P4", figP4_draw},
};
#define PREC_NFIGS ((long) (sizeof PREC_FIGS / sizeof PREC_FIGS[0]))

static int prec_usage(FILE *f)
{
    fputs("usage: aeaudit precision [--only ID]... [--quick] [--seed N] [--out DIR]\n"
          "                         [--figures DIR] [--no-gnuplot]\n"
          "\n"
          "The precision audit: runs the claims whose ID starts with P (P1..P4: what\n"
          "float32, float64, long double, binary128 and MPFR arithmetic do to the verdicts)\n"
          "exactly as 'aeaudit verify P1 P2 ...' does (verdict lines, tables, exit status),\n"
          "then draws each claim's figure from its table.\n"
          "\n"
          "  --only ID        run only this P claim (repeatable)\n"
          "  --quick          reduced sizes\n"
          "  --seed N         base seed (default verify's)\n"
          "  --out DIR        tables (default data/tables)\n"
          "  --figures DIR    figures: .dat, .gp, .png, .svg (default data/figures)\n"
          "  --no-gnuplot     write the figure data and scripts only\n"
          "\n"
          "Exit status: as verify's (0 / 1 / 2 / 3); a figure that cannot be drawn makes\n"
          "it 1.\n", f);
    return f == stdout ? 0 : 2;
}

static int is_p_claim(const char *id)
{
    return id[0] == 'P' || id[0] == 'p';
}

/* Draws the figures of the selected claims; 0, or 1 when one failed. */
static int prec_figures(const char *const *ids, long n, const char *tabdir, const char *figdir,
                        int gnuplot)
{
    if (cli_ensure_dir(figdir) != 0) {
        cli_error("precision", "--figures %s: %s", figdir, strerror(errno));
        return 1;
    }
    int rc = 0;
    for (long i = 0; i < n; i++)
        for (long k = 0; k < PREC_NFIGS; k++) {
            char err[512] = "";
            if (strcmp(PREC_FIGS[k].id, ids[i]) != 0)
                continue;
            if (PREC_FIGS[k].draw(tabdir, figdir, gnuplot, err, sizeof err) != 0) {
                cli_error("precision", "figure of %s: %s", ids[i], err);
                rc = 1;
            }
        }
    return rc;
}

int aeaudit_cmd_precision(int argc, char **argv, int (*verify)(int, char **))
{
    /* verify's argv: "verify", the IDs, then the passed-through options */
    char **va = calloc((size_t) argc + (size_t) proof_registry_len + 8, sizeof *va);
    const char **ids = calloc((size_t) argc + (size_t) proof_registry_len + 1, sizeof *ids);
    if (va == NULL || ids == NULL) {
        free(va);
        free(ids);
        return 3;
    }
    int na = 0, rc = -1, gnuplot = 1;
    long nids = 0;
    const char *out = "data/tables", *figdir = "data/figures", *seed = NULL;
    int quick = 0;
    for (int i = 1; i < argc && rc < 0; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            rc = prec_usage(stdout);
        } else if (strcmp(a, "--quick") == 0) {
            quick = 1;
        } else if (strcmp(a, "--no-gnuplot") == 0) {
            gnuplot = 0;
        } else if (strcmp(a, "--only") == 0 || strcmp(a, "--out") == 0 ||
                   strcmp(a, "--figures") == 0 || strcmp(a, "--seed") == 0) {
            if (i + 1 >= argc) {
                rc = cli_error("precision", "%s needs a value", a);
                break;
            }
            const char *val = argv[++i];
            unsigned long v;
            if (a[2] == 'o' && a[3] == 'n') {
                const proof_entry *e = proof_find(val);
                if (e == NULL || !is_p_claim(e->id))
                    rc = cli_error("precision", "--only %s: not a precision claim (P1..P4; "
                                   "see aeaudit list)", val);
                else {
                    int dup = 0;
                    for (long j = 0; j < nids; j++)
                        dup |= strcmp(ids[j], e->id) == 0;
                    if (!dup)
                        ids[nids++] = e->id;
                }
            } else if (a[2] == 'o') {
                out = val;
            } else if (a[2] == 'f') {
                figdir = val;
            } else if (!cli_parse_ulong(val, &v)) {
                rc = cli_error("precision", "--seed %s: not a non-negative integer", val);
            } else {
                seed = val;
            }
        } else {
            rc = cli_error("precision", "unknown argument %s (see aeaudit precision --help)", a);
        }
    }
    if (rc < 0 && nids == 0)
        for (long i = 0; i < proof_registry_len; i++)
            if (is_p_claim(proof_registry[i].id))
                ids[nids++] = proof_registry[i].id;
    if (rc < 0 && nids == 0)
        rc = cli_error("precision", "no precision claims are registered");
    if (rc < 0) {
        va[na++] = "verify";
        for (long i = 0; i < nids; i++)
            va[na++] = (char *) ids[i];
        if (quick)
            va[na++] = "--quick";
        if (seed) {
            va[na++] = "--seed";
            va[na++] = (char *) seed;
        }
        va[na++] = "--out";
        va[na++] = (char *) out;
        rc = verify(na, va);
        if (rc == 0 || rc == 1) {
            int fr = prec_figures(ids, nids, out, figdir, gnuplot);
            if (fr != 0)
                rc = 1;
        }
    }
    free(va);
    free(ids);
    return rc;
}
