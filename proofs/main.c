/* aeaudit — the front end: turns command lines into verifications, verdict lines,
 * tables and exit codes.  The only place in the project that prints errors and exits.
 *
 * Exit codes: 0 success (verify: every theorem-type claim VERIFIED); 1 a claim not
 * verified; 2 usage or input error; 3 internal misuse caught by the error handler.
 */
#include "aeerr.h"
#include "cmd_figures.h"
#include "cmd_nn.h"
#include "cmd_precision.h"
#include "cmd_scan.h"
#include "pcommon.h"
#include "dsrc.h"
#include "cli.h"
#include "proof.h"
#include "table.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void die_handler(const char *func, const char *reason)
{
    fprintf(stderr, "aeaudit: internal error: %s: %s\n", func, reason);
    exit(3);
}

static void usage_main(FILE *f)
{
    fputs("usage: aeaudit COMMAND [OPTIONS]\n"
          "\n"
          "Verifies, in exact and certified arithmetic, the claims of Bouman & Heskes,\n"
          "\"Autoencoders for Anomaly Detection are Unreliable\" (arXiv 2501.13864).\n"
          "\n"
          "commands:\n"
          "  list                 the registered claims\n"
          "  verify [ID...]       verify claims (all by default); see 'aeaudit verify --help'\n"
          "  train                train a float32/float64 autoencoder, save a model file\n"
          "  eval MODEL           per-sample reconstruction scores of a model on a data set\n"
          "  describe MODEL       a model file's architecture and training record\n"
          "  scan MODEL           a certified far-field verdict for a trained autoencoder, any\n"
          "                       activation (FAILS / SAFE-BEYOND R / UNDECIDED); see\n"
          "                       'aeaudit scan --help'\n"
          "  figures              heat maps of the 2-D experiments (data/figures)\n"
          "  precision            the precision audit: claims P1..P4, their tables and figures\n"
          "\n"
          "'aeaudit COMMAND --help' describes a command.\n", f);
}

static void usage_verify(FILE *f)
{
    fputs("usage: aeaudit verify [ID...] [--quick] [--seed N] [--prec BITS] [--out DIR]\n"
          "                      [--data FILE.csv --normal LIST] [--data-dir DIR]\n"
          "\n"
          "Runs the verification of each claim ID (all registered claims when none is given),\n"
          "prints one line per claim\n"
          "    ID  VERDICT  method  evidence\n"
          "with VERDICT one of VERIFIED, FALSIFIED, NOT-REPRODUCED, ERROR, and writes the\n"
          "claims' tables plus verdicts.csv (CSV and a Markdown twin) into DIR.\n"
          "\n"
          "  --quick          reduced sizes (what 'make check' runs)\n"
          "  --seed N         base seed of every random instance (default 20250123)\n"
          "  --prec BITS      MPFR working precision, 64..4096 (default 128)\n"
          "  --out DIR        output folder, created if missing (default data/tables)\n"
          "  --data FILE.csv  also run the data-dependent claims (L3, L4) on this CSV;\n"
          "  --normal LIST    ...whose rows with these labels (e.g. 1,2) are the normal data\n"
          "  --header         the first line of FILE.csv is a header (default: only when\n"
          "                   none of its fields is a number)\n"
          "  --no-header      the first line of FILE.csv is data\n"
          "  --data-dir DIR   where the bundled data sets are (default: data/)\n"
          "\n"
          "Exit status: 0 when every theorem-type claim run is VERIFIED, 1 otherwise,\n"
          "2 on bad usage or unreadable input.\n", f);
}



static int cmd_list(void)
{
    for (long i = 0; i < proof_registry_len; i++)
        printf("%-4s %-10s %s\n", proof_registry[i].id,
               proof_registry[i].kind == PROOF_THEOREM ? "theorem" : "experiment",
               proof_registry[i].title);
    return 0;
}

static int cmd_verify(int argc, char **argv)
{
    proof_ctx ctx = {.quick = 0, .seed = 20250123UL, .prec = 128, .outdir = "data/tables",
                     .datadir = NULL, .user_data = NULL, .user_normal = NULL, .corrupt = 0, .csv_flags = DS_LABEL};
    const proof_entry **sel = calloc((size_t) argc + (size_t) proof_registry_len, sizeof *sel);
    long nsel = 0;
    unsigned long v;
    if (sel == NULL)
        return 3;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage_verify(stdout);
            free(sel);
            return 0;
        } else if (strcmp(a, "--quick") == 0) {
            ctx.quick = 1;
        } else if (strcmp(a, "--header") == 0 || strcmp(a, "--no-header") == 0) {
            ctx.csv_flags = DS_LABEL | (a[2] == 'h' ? DS_HEADER : DS_NOHEADER);
        } else if (strcmp(a, "--seed") == 0 || strcmp(a, "--prec") == 0 || strcmp(a, "--out") == 0
                   || strcmp(a, "--data") == 0 || strcmp(a, "--normal") == 0
                   || strcmp(a, "--data-dir") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "aeaudit verify: %s needs a value\n", a);
                free(sel);
                return 2;
            }
            const char *val = argv[++i];
            if (strcmp(a, "--seed") == 0) {
                if (!cli_parse_ulong(val, &v)) {
                    fprintf(stderr, "aeaudit verify: --seed %s: not a non-negative integer\n", val);
                    free(sel);
                    return 2;
                }
                ctx.seed = v;
            } else if (strcmp(a, "--prec") == 0) {
                if (!cli_parse_ulong(val, &v) || v < 64 || v > 4096) {
                    fprintf(stderr, "aeaudit verify: --prec %s: must be an integer in 64..4096\n", val);
                    free(sel);
                    return 2;
                }
                ctx.prec = (mpfr_prec_t) v;
            } else if (strcmp(a, "--out") == 0) {
                ctx.outdir = val;
            } else if (strcmp(a, "--data") == 0) {
                ctx.user_data = val;
            } else if (strcmp(a, "--normal") == 0) {
                ctx.user_normal = val;
            } else {
                ctx.datadir = val;
            }
        } else if (a[0] == '-') {
            fprintf(stderr, "aeaudit verify: unknown option %s (see aeaudit verify --help)\n", a);
            free(sel);
            return 2;
        } else {
            const proof_entry *e = proof_find(a);
            if (e == NULL) {
                fprintf(stderr, "aeaudit verify: unknown claim ID '%s' (see aeaudit list)\n", a);
                free(sel);
                return 2;
            }
            int dup = 0;
            for (long j = 0; j < nsel; j++)
                dup |= sel[j] == e;
            if (!dup)                     /* "verify L5 L5" runs L5 once */
                sel[nsel++] = e;
        }
    }
    if ((ctx.user_data == NULL) != (ctx.user_normal == NULL)) {
        fprintf(stderr, "aeaudit verify: --data and --normal go together\n");
        free(sel);
        return 2;
    }
    if (ctx.user_data && access(ctx.user_data, R_OK) != 0) {
        fprintf(stderr, "aeaudit verify: --data %s: %s\n", ctx.user_data, strerror(errno));
        free(sel);
        return 2;
    }
    int complete = nsel == 0 || nsel == proof_registry_len;
    if (nsel == 0)
        for (long i = 0; i < proof_registry_len; i++)
            sel[nsel++] = &proof_registry[i];
    if (ctx.datadir == NULL)
        ctx.datadir = dsrc_default_dir();
    {
        char probe[PATH_MAX];
        snprintf(probe, sizeof probe, "%s/wine_data.csv", ctx.datadir);
        if (access(probe, R_OK) != 0) {
            fprintf(stderr, "aeaudit verify: --data-dir %s: no bundled data (%s: %s)\n",
                    ctx.datadir, probe, strerror(errno));
            free(sel);
            return 2;
        }
    }
    if (ctx.user_data) {
        /* Load the user's data first, so that a malformed file stops everything before a
         * table is opened. */
        char err[600];
        const char *const *names;
        long nnames = prf_dataset_names(&ctx, &names);
        const prf_data_struct *D = prf_data(&ctx, names[nnames - 1], err, sizeof err);
        if (D == NULL) {
            fprintf(stderr, "aeaudit verify: %s\n", err);
            free(sel);
            return 2;
        }
        if (D->X->c < 3) {
            fprintf(stderr, "aeaudit verify: --data %s: %ld feature(s); the linear claims need "
                    "at least 3\n", ctx.user_data, D->X->c);
            free(sel);
            prf_cache_clear();
            return 2;
        }
    }
    if (cli_ensure_dir(ctx.outdir) != 0) {
        fprintf(stderr, "aeaudit verify: --out %s: %s\n", ctx.outdir, strerror(errno));
        free(sel);
        return 2;
    }

    proof_result *res = calloc((size_t) nsel, sizeof *res);
    int all_ok = 1, input_error = 0;
    for (long i = 0; i < nsel; i++) {
        proof_result *r = &res[i];
        r->verdict = VERDICT_ERROR;
        int st = sel[i]->run(&ctx, r);
        if (st != AE_OK) {
            r->verdict = VERDICT_ERROR;
            complete = 0;
            fprintf(stderr, "aeaudit verify: %s: %s\n", sel[i]->id, r->evidence);
            if (st == AE_EPARSE || st == AE_EIO || st == AE_ERANGE || st == AE_EINVAL)
                input_error = 1;
        }
        printf("%-3s  %-14s  %s  %s\n", sel[i]->id, proof_verdict_name(r->verdict),
               r->method, r->evidence);
        fflush(stdout);
        if (r->verdict == VERDICT_ERROR
            || (sel[i]->kind == PROOF_THEOREM && r->verdict != VERDICT_VERIFIED))
            all_ok = 0;
    }

    static const char *const cols[] = {"claim", "verdict", "method", "instances", "evidence"};
    tab_t T;
    char err[512];
    /* verdicts.csv lists complete runs only: a subset run, or one where a claim could not
     * be carried out, writes verdicts-last.csv instead and leaves the published file. */
    const char *vname = complete ? "verdicts" : "verdicts-last";
    if (!complete)
        fprintf(stderr, "aeaudit verify: partial run: verdicts written to %s/verdicts-last.csv "
                "(%s/verdicts.csv left as it was)\n", ctx.outdir, ctx.outdir);
    int st = tab_open(T, ctx.outdir, vname, "Verdicts", cols, 5, err, sizeof err);
    for (long i = 0; st == AE_OK && i < nsel; i++) {
        char inst[32];
        snprintf(inst, sizeof inst, "%ld", res[i].instances);
        const char *cells[5] = {sel[i]->id, proof_verdict_name(res[i].verdict), res[i].method,
                                inst, res[i].evidence};
        st = tab_row(T, cells, 5);
    }
    if (st == AE_OK)
        st = tab_commit(T, err, sizeof err);
    else
        tab_abort(T);
    if (st != AE_OK) {
        fprintf(stderr, "aeaudit verify: %s\n", err);
        all_ok = 0;
        input_error = 1;
    }
    free(res);
    free(sel);
    prf_cache_clear();
    if (input_error)
        return 2;
    return all_ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    ae_set_error_handler(die_handler);
    if (argc < 2) {
        fprintf(stderr, "aeaudit: no command (commands: list, verify, train, eval, describe, scan; "
                "see aeaudit --help)\n");
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage_main(stdout);
        return 0;
    }
    if (strcmp(cmd, "list") == 0) {
        if (argc > 2 && strcmp(argv[2], "--help") == 0) {
            puts("usage: aeaudit list\n\nLists the registered claims: ID, kind, statement.");
            return 0;
        }
        return cmd_list();
    }
    if (strcmp(cmd, "verify") == 0)
        return cmd_verify(argc - 1, argv + 1);
    if (strcmp(cmd, "train") == 0)
        return aeaudit_cmd_train(argc - 1, argv + 1);
    if (strcmp(cmd, "eval") == 0)
        return aeaudit_cmd_eval(argc - 1, argv + 1);
    if (strcmp(cmd, "describe") == 0)
        return aeaudit_cmd_describe(argc - 1, argv + 1);
    if (strcmp(cmd, "scan") == 0)
        return aeaudit_cmd_scan(argc - 1, argv + 1);
    if (strcmp(cmd, "figures") == 0)
        return aeaudit_cmd_figures(argc - 1, argv + 1);
    if (strcmp(cmd, "precision") == 0)
        return aeaudit_cmd_precision(argc - 1, argv + 1, cmd_verify);
    fprintf(stderr, "aeaudit: unknown command '%s' (see aeaudit --help)\n", cmd);
    return 2;
}
