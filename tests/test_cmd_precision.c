/* test_cmd_precision — `aeaudit precision`: options are forwarded to verify exactly (a stub
 * verify records its argv and returns a chosen code), the P claims are selected, bad
 * input exits with 2 before verify runs, a figure that cannot be drawn makes the exit
 * status 1; and one real run of bin/aeaudit precision --quick --only P1 writes both P1
 * tables, the figure data and script, and exits 0. */
#include "cmd_precision.h"
#include "figP1.h"
#include "proof.h"
#include "testutil.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char seen[32][64];
static int nseen, stub_rc, stub_calls;

static int stub_verify(int argc, char **argv)
{
    stub_calls++;
    nseen = argc < 32 ? argc : 32;
    for (int i = 0; i < nseen; i++)
        snprintf(seen[i], sizeof seen[i], "%s", argv[i]);
    return stub_rc;
}

/* Runs the command on argv (NULL-terminated, argv[0] = "precision"), stdout and stderr
 * sent to /dev/null while it runs. */
static int run_argv(char **argv)
{
    int argc = 0;
    while (argv[argc] != NULL)
        argc++;
    stub_calls = 0;
    nseen = 0;
    fflush(NULL);
    int saved[2] = {dup(1), dup(2)}, devnull = open("/dev/null", O_WRONLY);
    for (int k = 0; k < 2; k++)
        dup2(devnull, k + 1);
    int rc = aeaudit_cmd_precision(argc, argv, stub_verify);
    fflush(NULL);
    for (int k = 0; k < 2; k++) {
        dup2(saved[k], k + 1);
        close(saved[k]);
    }
    close(devnull);
    return rc;
}
#define run(...) run_argv((char *[]){"precision", __VA_ARGS__})

static int seen_has(const char *s)
{
    for (int i = 0; i < nseen; i++)
        if (strcmp(seen[i], s) == 0)
            return 1;
    return 0;
}

static void test_forwarding(void)
{
    char dir[] = "/tmp/test_cmd_precision.XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    stub_rc = 0;
    /* no tables in dir: verify "succeeds" but the P1 figure cannot be drawn -> 1 */
    CU_ASSERT_EQUAL(run("--only", "p1", "--quick", "--seed", "7", "--out", dir, "--figures", dir,
                        "--no-gnuplot", NULL), 1);
    CU_ASSERT_EQUAL(stub_calls, 1);
    CU_ASSERT_STRING_EQUAL(seen[0], "verify");
    CU_ASSERT_TRUE(seen_has("P1") && seen_has("--quick") && seen_has("7") && seen_has(dir));
    CU_ASSERT_FALSE(seen_has("--no-gnuplot"));
    /* every registered P claim by default, nothing else */
    run("--out", dir, "--figures", dir, "--no-gnuplot", NULL);
    long np = 0;
    for (long i = 0; i < proof_registry_len; i++)
        if (proof_registry[i].id[0] == 'P') {
            np++;
            CU_ASSERT_TRUE(seen_has(proof_registry[i].id));
        }
    CU_ASSERT_TRUE(np >= 1);
    CU_ASSERT_FALSE(seen_has("L3"));
    /* verify's code passes through; 2 skips the figures */
    stub_rc = 2;
    CU_ASSERT_EQUAL(run("--out", dir, "--figures", dir, "--no-gnuplot", NULL), 2);
    stub_rc = 3;
    CU_ASSERT_EQUAL(run("--out", dir, "--figures", dir, "--no-gnuplot", NULL), 3);
    tu_rmtree(dir);
}

static void test_bad_input(void)
{
    stub_rc = 0;
    CU_ASSERT_EQUAL(run("--only", "L3", NULL), 2);
    CU_ASSERT_EQUAL(run("--only", "P9", NULL), 2);
    CU_ASSERT_EQUAL(run("--only", NULL), 2);
    CU_ASSERT_EQUAL(run("--seed", "x1", NULL), 2);
    CU_ASSERT_EQUAL(run("--seed", "-1", NULL), 2);
    CU_ASSERT_EQUAL(run("--bogus", NULL), 2);
    CU_ASSERT_EQUAL(run("P1", NULL), 2);
    CU_ASSERT_EQUAL(run("--figures", NULL), 2);
    CU_ASSERT_EQUAL(stub_calls, 0);
    CU_ASSERT_EQUAL(run("--help", NULL), 0);
    CU_ASSERT_EQUAL(stub_calls, 0);
    char err[256];
    CU_ASSERT_NOT_EQUAL(figP1_draw("/nonexistent", "/tmp", 0, err, sizeof err), 0);
    CU_ASSERT_TRUE(strstr(err, "P1_scores.csv") != NULL);
}

static int exists(const char *dir, const char *name)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return access(p, R_OK) == 0;
}

static void test_real_run(void)
{
    char exe[512], dir[] = "/tmp/test_cmd_precision.XXXXXX", cmd[1400];
    CU_ASSERT_EQUAL_FATAL(tu_exe_dir(exe, sizeof exe), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    snprintf(cmd, sizeof cmd, "'%s/aeaudit' precision --quick --only P1 --out '%s' --figures "
             "'%s' --no-gnuplot >/dev/null 2>&1", exe, dir, dir);
    CU_ASSERT_EQUAL(system(cmd), 0);
    CU_ASSERT_TRUE(exists(dir, "P1_scores.csv") && exists(dir, "P1_scores.md"));
    CU_ASSERT_TRUE(exists(dir, "P1_thresholds.csv") && exists(dir, "P1_thresholds.md"));
    CU_ASSERT_TRUE(exists(dir, "P1.dat") && exists(dir, "P1.gp"));
    CU_ASSERT_FALSE(exists(dir, "P1.png"));
    /* bad usage of the real binary */
    snprintf(cmd, sizeof cmd, "'%s/aeaudit' precision --only M1 >/dev/null 2>&1", exe);
    int rc = system(cmd);
    CU_ASSERT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 2);
    tu_rmtree(dir);
}

int main(void)
{
    static const tu_test T[] = {
        {"options forwarded to verify, exit codes", test_forwarding},
        {"bad input exits 2 before verify", test_bad_input},
        {"real quick run of P1: tables and figure files", test_real_run},
        {NULL, NULL}
    };
    return tu_run("cmd_precision", 20261204UL, T);
}
