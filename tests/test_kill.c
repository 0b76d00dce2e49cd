/* test_kill — issue #6: killing `aeaudit verify` or `aeaudit train` with SIGKILL at any
 * moment leaves no file under its final name that is incomplete, and no stale temporary
 * that a rerun trips over.
 *
 * The program under test is the aeaudit beside this test binary (bin/ or bin-san/, so
 * `make sanitize` tests its own build), run with fork/exec, stdout and stderr to /dev/null.
 *
 * Each kill test first times one complete run of its command (in a fresh folder, whose
 * outputs are checked), then for KILLS rounds: a fresh mkdtemp folder, the command started
 * and SIGKILLed after a seeded random delay; round i draws its delay uniformly from
 * [i, i+1) * T / KILLS, T the measured run time, so the kills are spread over the whole
 * run.  After each kill the folder must hold only:
 *   - NAME.csv tables that parse as RFC 4180 CSV (quoted cells with "" and embedded
 *     commas or newlines allowed), end with a newline, and whose every record has the
 *     header's number of fields; each with its NAME.md twin, which ends with a newline
 *     and has as many Markdown table rows as the CSV has records after the header;
 *   - m.aem only if `aeaudit describe m.aem` accepts it (exit 0);
 *   - names containing ".tmp" (temporaries of the killed run), and nothing else.
 * Then the same command is rerun to completion in the same folder: it must exit 0, leave
 * no name containing ".tmp", and write the complete, valid set of outputs.
 * A deterministic test plants garbage m.aem.tmp and L5_distance_bound.csv.tmp first.
 *
 * KILLS is 10, 4 under AddressSanitizer (`make sanitize`), where every run is ~6x slower.
 * The delays come from tu_seed() (default 7, AEAUDIT_SEED overrides); each test prints
 * the seed, its measured run time and how many kills landed before the program ended.
 */
#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Under AddressSanitizer a verify run takes ~6 s instead of ~0.9 s: fewer rounds there. */
#if defined(__SANITIZE_ADDRESS__)
#define KILLS 4
#else
#define KILLS 10
#endif

static char aeaudit[PATH_MAX + 16];

/* ---- running the program ------------------------------------------------------------- */

/* Starts aeaudit with args (NULL-terminated, without the program name) in cwd `dir`. */
static pid_t start_prog(const char *dir, const char *const *args)
{
    const char *argv[32];
    int argc = 0;
    argv[argc++] = aeaudit;
    for (int i = 0; args[i] != NULL && argc < 31; i++)
        argv[argc++] = args[i];
    argv[argc] = NULL;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        int in = open("/dev/null", O_RDONLY);
        int o = open("/dev/null", O_WRONLY);
        if (in < 0 || o < 0 || chdir(dir) != 0)
            _exit(126);
        dup2(in, 0);
        dup2(o, 1);
        dup2(o, 2);
        close(in);
        close(o);
        alarm(60);
        execv(aeaudit, (char *const *) argv);
        _exit(127);
    }
    return pid;
}

static int wait_prog(pid_t pid)
{
    int status = -1;
    if (pid < 0)
        return -1;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return status;
}

/* Runs to completion; the exit code, or -1 if it did not exit normally. */
static int run_prog(const char *dir, const char *const *args)
{
    int st = wait_prog(start_prog(dir, args));
    return st >= 0 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double) t.tv_sec + 1e-9 * (double) t.tv_nsec;
}

static void sleep_for(double secs)
{
    struct timespec t;
    t.tv_sec = (time_t) secs;
    t.tv_nsec = (long) ((secs - (double) t.tv_sec) * 1e9);
    while (nanosleep(&t, &t) != 0 && errno == EINTR)
        ;
}

/* ---- checking a folder --------------------------------------------------------------- */

static int ends_with(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcmp(s + n - m, suf) == 0;
}

/* Checks an RFC 4180 table; on success sets *rows to the records after the header and
 * returns NULL, else a reason. */
static const char *csv_check(const char *text, long len, long *rows)
{
    if (len == 0)
        return "empty";
    if (text[len - 1] != '\n')
        return "does not end with a newline (truncated)";
    long hdr = -1, fields = 1, recs = 0;
    int inq = 0, cell_start = 1;
    for (long i = 0; i < len; i++) {
        char c = text[i];
        if (inq) {
            if (c == '"') {
                if (i + 1 < len && text[i + 1] == '"')
                    i++;
                else
                    inq = 0;
            }
            continue;
        }
        if (c == '"') {
            if (!cell_start)
                return "a quote inside an unquoted cell";
            inq = 1;
            cell_start = 0;
        } else if (c == ',') {
            fields++;
            cell_start = 1;
        } else if (c == '\n' || (c == '\r' && i + 1 < len && text[i + 1] == '\n')) {
            if (c == '\r')
                i++;
            if (hdr < 0)
                hdr = fields;
            else if (fields != hdr)
                return "a record with a different number of fields than the header";
            else
                recs++;
            fields = 1;
            cell_start = 1;
        } else {
            cell_start = 0;
        }
    }
    if (inq)
        return "an unterminated quoted cell";
    if (hdr < 1)
        return "no header";
    *rows = recs;
    return NULL;
}

/* Markdown table rows ("| ..." lines) minus the header and its separator, or -1. */
static long md_rows(const char *text, long len)
{
    if (len == 0 || text[len - 1] != '\n' || strstr(text, "| ---") == NULL)
        return -1;
    long n = 0;
    for (const char *p = text; *p; ) {
        if (*p == '|')
            n++;
        const char *q = strchr(p, '\n');
        if (q == NULL)
            break;
        p = q + 1;
    }
    return n - 2;
}

static int failures_here;
static const char *bad_word = "FAIL";   /* "caught" while the negative control runs */

#define BAD(...) do { printf("\n    %s ", bad_word); printf(__VA_ARGS__); printf("\n"); \
                      failures_here++; } while (0)

/* Checks every name in `dir` as described at the top; `what` labels the messages.
 * Returns how many names contain ".tmp". */
static int check_dir(const char *dir, const char *what)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        BAD("%s: cannot open %s", what, dir);
        return 0;
    }
    int ntmp = 0;
    struct dirent *e;
    char path[PATH_MAX];
    while ((e = readdir(d)) != NULL) {
        const char *n = e->d_name;
        if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, n);
        if (strstr(n, ".tmp") != NULL) {
            ntmp++;
            continue;
        }
        if (ends_with(n, ".csv")) {
            long len = 0, rows = -1;
            char *t = tu_slurp(path, &len);
            const char *why = t == NULL ? "unreadable" : csv_check(t, len, &rows);
            if (why != NULL)
                BAD("%s: %s: %s", what, n, why);
            free(t);
            char md[PATH_MAX];
            snprintf(md, sizeof md, "%.*s.md", (int) (strlen(path) - 4), path);
            t = tu_slurp(md, &len);
            if (t == NULL)
                BAD("%s: %s exists without its .md twin", what, n);
            else if (why == NULL && md_rows(t, len) != rows)
                BAD("%s: %s.md is incomplete or has %ld rows, the .csv %ld", what, n,
                    md_rows(t, len), rows);
            free(t);
        } else if (ends_with(n, ".md")) {
            char csv[PATH_MAX];
            snprintf(csv, sizeof csv, "%.*s.csv", (int) (strlen(path) - 3), path);
            if (access(csv, F_OK) != 0)
                BAD("%s: %s exists without its .csv", what, n);
        } else if (strcmp(n, "m.aem") == 0) {
            const char *args[] = { "describe", path, NULL };
            int rc = run_prog(dir, args);
            if (rc != 0)
                BAD("%s: aeaudit describe %s exits %d", what, path, rc);
        } else {
            BAD("%s: unexpected file %s", what, n);
        }
    }
    closedir(d);
    return ntmp;
}

/* After a completed run: exactly the expected outputs, all valid, no temporary. */
static void check_complete(const char *dir, const char *const *expect, const char *what)
{
    if (check_dir(dir, what) != 0)
        BAD("%s: a .tmp file is left behind", what);
    char path[PATH_MAX];
    for (int i = 0; expect[i] != NULL; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, expect[i]);
        if (access(path, F_OK) != 0)
            BAD("%s: %s missing", what, expect[i]);
    }
}

/* ---- the tests ----------------------------------------------------------------------- */

static const char *const verify_args[] = {
    "verify", "L1", "L4", "L5", "--quick", "--out", ".", NULL
};
static const char *const verify_out[] = {
    "L1_range.csv", "L1_range.md", "L4_extrapolation.csv", "L4_extrapolation.md",
    "L5_distance_bound.csv", "L5_distance_bound.md", "verdicts-last.csv",
    "verdicts-last.md", NULL
};
static const char *const train_args[] = {
    "train", "--data", "diagonal", "--arch", "2,3,1,3,2", "--epochs", "5000",
    "--seed", "1", "--out", "m.aem", NULL
};
static const char *const train_out[] = { "m.aem", NULL };

static void newdir(char *dir, size_t n)
{
    snprintf(dir, n, "/tmp/test_kill.XXXXXX");
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
}

static void kill_rounds(const char *name, const char *const *args, const char *const *out)
{
    failures_here = 0;
    char dir[64], what[128];
    newdir(dir, sizeof dir);
    double t0 = now();
    int rc = run_prog(dir, args);
    double T = now() - t0;
    CU_ASSERT_EQUAL(rc, 0);
    snprintf(what, sizeof what, "%s reference run", name);
    check_complete(dir, out, what);
    CU_ASSERT_EQUAL(tu_rmtree(dir), 0);

    gsl_rng *r = tu_rng();
    int landed = 0, tmps = 0;
    double delays[KILLS];
    printf("\n    %s: seed %lu, run time %.3f s, kills at", name, tu_seed(), T);
    for (int i = 0; i < KILLS; i++) {
        delays[i] = ((double) i + gsl_rng_uniform(r)) * T / KILLS;
        printf(" %.3f", delays[i]);
    }
    for (int i = 0; i < KILLS; i++) {
        double delay = delays[i];
        newdir(dir, sizeof dir);
        pid_t pid = start_prog(dir, args);
        CU_ASSERT_TRUE_FATAL(pid > 0);
        sleep_for(delay);
        kill(pid, SIGKILL);
        int st = wait_prog(pid);
        if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
            landed++;
        else if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0))
            BAD("%s kill %d: status %d", name, i, st);
        snprintf(what, sizeof what, "%s killed after %.4f s (seed %lu, round %d)", name,
                 delay, tu_seed(), i);
        tmps += check_dir(dir, what) > 0;
        rc = run_prog(dir, args);
        if (rc != 0)
            BAD("%s: rerun exits %d", what, rc);
        snprintf(what, sizeof what, "%s rerun after kill at %.4f s (seed %lu, round %d)",
                 name, delay, tu_seed(), i);
        check_complete(dir, out, what);
        CU_ASSERT_EQUAL(tu_rmtree(dir), 0);
    }
    printf("\n    %d of %d kills landed before the end, %d left a .tmp\n    ", landed,
           KILLS, tmps);
    gsl_rng_free(r);
    CU_ASSERT_EQUAL(failures_here, 0);
}

static void test_kill_verify(void)
{
    kill_rounds("verify", verify_args, verify_out);
}

static void test_kill_train(void)
{
    kill_rounds("train", train_args, train_out);
}

static void plant(const char *dir, const char *name)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    for (int i = 0; i < 5000; i++)
        fputs("garbage \"unterminated, ,,\n\x01\xff", f);
    CU_ASSERT_EQUAL(fclose(f), 0);
}

static void test_stale(void)
{
    failures_here = 0;
    char dir[64];
    newdir(dir, sizeof dir);
    plant(dir, "m.aem.tmp");
    plant(dir, "L5_distance_bound.csv.tmp");
    CU_ASSERT_EQUAL(run_prog(dir, verify_args), 0);
    CU_ASSERT_EQUAL(run_prog(dir, train_args), 0);
    static const char *const all[] = {
        "L1_range.csv", "L4_extrapolation.csv", "L5_distance_bound.csv",
        "verdicts-last.csv", "m.aem", NULL
    };
    check_complete(dir, all, "run over stale m.aem.tmp and L5_distance_bound.csv.tmp");
    CU_ASSERT_EQUAL(tu_rmtree(dir), 0);
    CU_ASSERT_EQUAL(failures_here, 0);
}

/* The checker itself: it must reject what it is there to catch. */
static void test_checker(void)
{
    long rows = -1;
    const char ok[] = "a,b,c\n1,\"x, \"\"y\"\"\nz\",3\r\n4,5,6\n";
    CU_ASSERT_PTR_NULL(csv_check(ok, (long) strlen(ok), &rows));
    CU_ASSERT_EQUAL(rows, 2);
    const char *bad[] = { "", "a,b\n1,2", "a,b\n1\n", "a,b\n\"1,2\n", "a,b\n1x\"2,3\n" };
    for (int i = 0; i < 5; i++)
        CU_ASSERT_PTR_NOT_NULL(csv_check(bad[i], (long) strlen(bad[i]), &rows));
    const char md[] = "# t\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n";
    CU_ASSERT_EQUAL(md_rows(md, (long) strlen(md)), 1);
    CU_ASSERT_EQUAL(md_rows(md, (long) strlen(md) - 1), -1);

    /* A folder with a truncated table, a lone .csv and a truncated model. */
    char dir[64], path[PATH_MAX];
    newdir(dir, sizeof dir);
    const char *const vargs[] = { "verify", "L5", "--quick", "--out", ".", NULL };
    CU_ASSERT_EQUAL_FATAL(run_prog(dir, vargs), 0);
    CU_ASSERT_EQUAL_FATAL(run_prog(dir, train_args), 0);
    snprintf(path, sizeof path, "%s/L5_distance_bound.csv", dir);
    struct stat sb;
    CU_ASSERT_EQUAL_FATAL(stat(path, &sb), 0);
    CU_ASSERT_EQUAL(truncate(path, sb.st_size - 7), 0);
    snprintf(path, sizeof path, "%s/verdicts-last.md", dir);
    CU_ASSERT_EQUAL(unlink(path), 0);
    snprintf(path, sizeof path, "%s/m.aem", dir);
    CU_ASSERT_EQUAL_FATAL(stat(path, &sb), 0);
    CU_ASSERT_EQUAL(truncate(path, sb.st_size / 2), 0);
    failures_here = 0;
    bad_word = "caught";
    check_dir(dir, "negative control");
    bad_word = "FAIL";
    printf("    ");
    CU_ASSERT_EQUAL(failures_here, 3);
    CU_ASSERT_EQUAL(tu_rmtree(dir), 0);
}

int main(int argc, char **argv)
{
    (void) argc;
    char self[PATH_MAX];
    if (tu_exe_dir(self, sizeof self) != 0) {
        fprintf(stderr, "test_kill: cannot find myself (%s)\n", argv[0]);
        return 1;
    }
    snprintf(aeaudit, sizeof aeaudit, "%s/aeaudit", self);
    if (access(aeaudit, X_OK) != 0) {
        fprintf(stderr, "test_kill: %s not built\n", aeaudit);
        return 1;
    }
    static const tu_test T[] = {
        { "the checker rejects truncated files (negative control)", test_checker },
        { "stale temporaries do not break a run", test_stale },
        { "SIGKILL during verify", test_kill_verify },
        { "SIGKILL during train", test_kill_train },
        { NULL, NULL }
    };
    return tu_run("kill", 7UL, T);
}
