/* test_cmd_nn — the train / eval / describe front-end commands: exit codes for bad
 * input, no model written when training diverges, the same command twice gives the same
 * model bytes, eval's scores equal nn_scores on the same data. */
#include "cmd_nn.h"
#include "nn.h"
#include "synth.h"
#include "testutil.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];

static const char *path_of(const char *name)
{
    static char buf[4][128];
    static int k;
    if (dir[0] == '\0') {
        strcpy(dir, "/tmp/test_cmd_nn.XXXXXX");
        CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    }
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

/* Runs cmd with the given NULL-terminated arguments, stdout to out (or /dev/null) and
 * stderr to /dev/null; returns its exit code. */
static int run(int (*cmd)(int, char **), const char *out, ...)
{
    char *argv[64];
    int argc = 0;
    va_list ap;
    va_start(ap, out);
    for (const char *a; (a = va_arg(ap, const char *)) != NULL && argc < 63; )
        argv[argc++] = (char *) a;
    va_end(ap);
    argv[argc] = NULL;
    fflush(stdout);
    fflush(stderr);
    int so = dup(1), se = dup(2);
    int fo = open(out ? out : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int fe = open("/dev/null", O_WRONLY);
    dup2(fo, 1);
    dup2(fe, 2);
    int rc = cmd(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(so, 1);
    dup2(se, 2);
    close(fo); close(fe); close(so); close(se);
    return rc;
}

static int same_file(const char *a, const char *b)
{
    FILE *f = fopen(a, "rb"), *g = fopen(b, "rb");
    int same = f != NULL && g != NULL;
    while (same) {
        int x = fgetc(f), y = fgetc(g);
        same = x == y;
        if (x == EOF)
            break;
    }
    if (f) fclose(f);
    if (g) fclose(g);
    return same;
}

static void test_train_twice_same_bytes(void)
{
    const char *m1 = path_of("a.aem"), *m2 = path_of("b.aem");
    for (int k = 0; k < 2; k++)
        CU_ASSERT_EQUAL(run(aeaudit_cmd_train, NULL, "train", "--data", "diagonal", "--arch",
                            "2,5,1,5,2", "--act", "relu", "--epochs", "20", "--batch", "16",
                            "--seed", "5", "--out", k ? m2 : m1, NULL), 0);
    CU_ASSERT(same_file(m1, m2));
    CU_ASSERT_EQUAL(run(aeaudit_cmd_describe, NULL, "describe", m1, NULL), 0);
    CU_ASSERT_EQUAL(run(aeaudit_cmd_train, NULL, "train", "--help", NULL), 0);
    CU_ASSERT_EQUAL(run(aeaudit_cmd_eval, NULL, "eval", "--help", NULL), 0);
    CU_ASSERT_EQUAL(run(aeaudit_cmd_describe, NULL, "describe", "--help", NULL), 0);
}

/* eval prints nn_scores of the (unscaled) synthetic data, to 9 significant digits. */
static void test_eval_scores(void)
{
    const char *m = path_of("e.aem"), *out = path_of("scores.txt");
    CU_ASSERT_EQUAL_FATAL(run(aeaudit_cmd_train, NULL, "train", "--data", "ring", "--arch",
                              "2,4,1,4,2", "--act", "tanh", "--epochs", "3", "--seed", "9",
                              "--out", m, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(run(aeaudit_cmd_eval, out, "eval", m, "--data", "ring", NULL), 0);
    nn_t net;
    char err[256];
    CU_ASSERT_EQUAL_FATAL(nn_load(net, m, err, sizeof err), AE_OK);
    double X[2 * SYNTH_N], e[SYNTH_N];
    synth_make(X, NULL, "ring", SYNTH_N, 9);
    nn_scores(e, net, X, SYNTH_N);
    FILE *f = fopen(out, "r");
    char line[256];
    CU_ASSERT_PTR_NOT_NULL_FATAL(fgets(line, sizeof line, f));   /* comment */
    CU_ASSERT_PTR_NOT_NULL_FATAL(fgets(line, sizeof line, f));   /* column names */
    long rows = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        long i, lab;
        double s;
        CU_ASSERT_EQUAL(sscanf(line, "%ld %ld %lg", &i, &lab, &s), 3);
        CU_ASSERT(i == rows && lab == 0);
        CU_ASSERT_EQUAL((float) s, (float) e[rows]);
        rows++;
    }
    fclose(f);
    CU_ASSERT_EQUAL(rows, SYNTH_N);
    nn_clear(net);
}

static void test_bad_input(void)
{
    const char *m = path_of("bad.aem");
#define TRAIN(...) run(aeaudit_cmd_train, NULL, "train", __VA_ARGS__, NULL)
    CU_ASSERT_EQUAL(TRAIN("--data", "diagonal", "--arch", "3,5,3", "--epochs", "2", "--seed", "1", "--out", m), 2);
    CU_ASSERT_EQUAL(TRAIN("--data", "diagonal", "--arch", "2,5,3", "--epochs", "2", "--seed", "1", "--out", m), 2);
    CU_ASSERT_EQUAL(TRAIN("--data", "diagonal", "--arch", "2,5,2", "--act", "swish", "--epochs", "2", "--seed", "1", "--out", m), 2);
    CU_ASSERT_EQUAL(TRAIN("--data", "diagonal", "--arch", "2,5,2", "--lr", "0", "--epochs", "2", "--seed", "1", "--out", m), 2);
    CU_ASSERT_EQUAL(TRAIN("--data", "diagonal", "--arch", "2,5,2", "--lr", "-1e-3", "--epochs", "2", "--seed", "1", "--out", m), 2);
    CU_ASSERT_EQUAL(TRAIN("--data", "diagonal", "--arch", "2,x,2", "--epochs", "2", "--seed", "1", "--out", m), 2);
    CU_ASSERT_EQUAL(TRAIN("--data", "no-such-set", "--arch", "2,5,2", "--epochs", "2", "--seed", "1", "--out", m), 2);
    CU_ASSERT_EQUAL(TRAIN("--data", "diagonal", "--arch", "2,5,2", "--epochs", "2", "--out", m), 2);
    CU_ASSERT_EQUAL(TRAIN("--data", "diagonal", "--arch", "2,5,2", "--epochs", "2", "--seed", "1", "--out", m, "--bogus"), 2);
    /* NaN in a CSV file, and a value beyond float32 with scaling off */
    const char *csv = path_of("nan.csv");
    FILE *f = fopen(csv, "w");
    fputs("1,2,0\nnan,3,1\n", f);
    fclose(f);
    CU_ASSERT_EQUAL(TRAIN("--data", csv, "--arch", "2,1,2", "--epochs", "2", "--seed", "1", "--out", m), 2);
    f = fopen(csv, "w");
    fputs("1,2,0\n1e300,3,1\n", f);
    fclose(f);
    CU_ASSERT_EQUAL(TRAIN("--data", csv, "--arch", "2,1,2", "--epochs", "2", "--seed", "1", "--scale", "none", "--out", m), 2);
    CU_ASSERT_EQUAL(TRAIN("--data", csv, "--normal", "7", "--arch", "2,1,2", "--epochs", "2", "--seed", "1", "--out", m), 2);
    CU_ASSERT_EQUAL(access(m, F_OK), -1);
    /* divergence: exit 1, and no model file (not even a temporary one) */
    CU_ASSERT_EQUAL(TRAIN("--data", "diagonal", "--arch", "2,5,2", "--opt", "sgd", "--lr", "1e30", "--epochs", "50", "--seed", "1", "--out", m), 1);
    CU_ASSERT_EQUAL(access(m, F_OK), -1);
    /* unreadable / truncated model files */
    CU_ASSERT_EQUAL(run(aeaudit_cmd_describe, NULL, "describe", path_of("missing.aem"), NULL), 2);
    f = fopen(m, "w");
    fputs("aeaudit-model 1\nprecision float32\n", f);
    fclose(f);
    CU_ASSERT_EQUAL(run(aeaudit_cmd_describe, NULL, "describe", m, NULL), 2);
    CU_ASSERT_EQUAL(run(aeaudit_cmd_eval, NULL, "eval", m, "--data", "diagonal", NULL), 2);
#undef TRAIN
}

static void test_cleanup(void)
{
    CU_ASSERT_EQUAL(tu_rmtree(dir), 0);
}

int main(void)
{
    static const tu_test T[] = {
        { "train twice: identical model bytes", test_train_twice_same_bytes },
        { "eval prints nn_scores", test_eval_scores },
        { "bad input: exit 2 / 1, no model written", test_bad_input },
        { "cleanup", test_cleanup },
        { NULL, NULL }
    };
    return tu_run("cmd_nn", 31UL, T);
}
