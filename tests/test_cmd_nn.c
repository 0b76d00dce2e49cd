/* test_cmd_nn — the train / eval / describe front-end commands: exit codes for bad
 * input, no model written when training diverges, the same command twice gives the same
 * model bytes, eval's scores equal nn_scores on the same data. */
#include "cmd_nn.h"
#include "detect.h"
#include "nn.h"
#include "qnet.h"
#include "synth.h"
#include "testutil.h"

#include <fcntl.h>
#include <math.h>
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
    /* --kernels portable is the default: the same bytes */
    CU_ASSERT_EQUAL(run(aeaudit_cmd_train, NULL, "train", "--data", "diagonal", "--arch",
                        "2,5,1,5,2", "--act", "relu", "--epochs", "20", "--batch", "16",
                        "--seed", "5", "--kernels", "portable", "--out", m2, NULL), 0);
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
    CU_ASSERT_EQUAL(TRAIN("--data", "diagonal", "--arch", "2,5,2", "--epochs", "2", "--seed", "1", "--kernels", "mkl", "--out", m), 2);
    CU_ASSERT_EQUAL(TRAIN("--data", "diagonal", "--arch", "2,5,2", "--epochs", "2", "--seed", "1", "--out", m, "--kernels"), 2);
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

/* ---- eval --score ------------------------------------------------------------------- */

typedef struct {
    long n;
    double score[2 * SYNTH_N];
    char q99[2 * SYNTH_N], th[2 * SYNTH_N];   /* '1', '0' or '-' */
    int have_emp, have_th;
    double emp, theory;
} evout;

/* Parses eval --score output: '#' lines (limits), the column line, the rows. */
static int read_evout(evout *E, const char *path)
{
    memset(E, 0, sizeof *E);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    char line[512];
    int cols = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        if (line[0] == '#') {
            char *p = strstr(line, "limit 99% empirical");
            char *q = strstr(line, "limit 99% theory");
            char *c = strrchr(line, ':');
            if ((p || q) && c != NULL && sscanf(c + 1, "%lg", p ? &E->emp : &E->theory) == 1)
                *(p ? &E->have_emp : &E->have_th) = 1;
            continue;
        }
        if (!cols) {
            cols = strcmp(line, "index label score over_q99 over_theory\n") == 0;
            if (!cols)
                break;
            continue;
        }
        long i;
        char lab[32], a[8], b[8];
        if (E->n >= 2 * SYNTH_N || sscanf(line, "%ld %31s %lg %7s %7s", &i, lab,
                                          &E->score[E->n], a, b) != 5 || i != E->n)
            break;
        E->q99[E->n] = a[0];
        E->th[E->n] = b[0];
        E->n++;
    }
    fclose(f);
    return cols ? 0 : -1;
}

#define EVAL(out, ...) run(aeaudit_cmd_eval, out, "eval", __VA_ARGS__, NULL)

/* Every --score against detect.h fitted directly on the same rows (the plumbing: the
 * recorded training set, the flags), plus independent checks: on its own training rows
 * box and 1-NN are 0, recon agrees with the float32 score, at most one training row is
 * above the empirical 0.99-quantile (n = 100); a far point is flagged by every detector
 * with a latent or input geometry. */
static void test_eval_detectors(void)
{
    const char *m = path_of("det.aem"), *out = path_of("det.txt"), *far = path_of("far.csv");
    CU_ASSERT_EQUAL_FATAL(run(aeaudit_cmd_train, NULL, "train", "--data", "two-clusters",
                              "--arch", "2,4,1,4,2", "--act", "leaky_relu", "--epochs", "200",
                              "--batch", "20", "--lr", "1e-2", "--seed", "3", "--out", m,
                              NULL), 0);
    FILE *f = fopen(far, "w");
    fputs("1000,1000,7\n", f);
    fclose(f);
    nn_t net;
    char err[256];
    CU_ASSERT_EQUAL_FATAL(nn_load(net, m, err, sizeof err), AE_OK);
    double X[2 * SYNTH_N], e[SYNTH_N], lo[2] = { INFINITY, INFINITY }, hi[2] = { -INFINITY, -INFINITY };
    synth_make(X, NULL, "two-clusters", SYNTH_N, 3);
    nn_scores(e, net, X, SYNTH_N);
    for (long i = 0; i < SYNTH_N; i++)
        for (int j = 0; j < 2; j++) {
            lo[j] = fmin(lo[j], X[2 * i + j]);
            hi[j] = fmax(hi[j], X[2 * i + j]);
        }
    qnet_t q;
    CU_ASSERT_EQUAL_FATAL(qnet_init_nn(q, net), AE_OK);
    qmat_t Xq;
    qmat_init(Xq, SYNTH_N, 2);
    qmat_set_d(Xq, X);
    detect_t D;
    detect_init(D);
    CU_ASSERT_EQUAL_FATAL(detect_fit_qnet(D, q, Xq, 1, 0.01), AE_OK);
    mpq_t s, lim;
    mpq_init(s);
    mpq_init(lim);
    static const char *const kinds[] = { "recon", "spe", "t2", "spe+t2", "mahalanobis", "knn",
                                         "box" };
    for (int k = 0; k < 7; k++) {
        detect_kind kind;
        CU_ASSERT_EQUAL_FATAL(detect_parse(&kind, kinds[k]), AE_OK);
        evout E;
        CU_ASSERT_EQUAL_FATAL(EVAL(out, m, "--data", "two-clusters", "--score", kinds[k]), 0);
        CU_ASSERT_EQUAL_FATAL(read_evout(&E, out), 0);
        CU_ASSERT_EQUAL_FATAL(E.n, SYNTH_N);
        CU_ASSERT(E.have_emp);
        CU_ASSERT_EQUAL(E.have_th, kind == DETECT_SPE || kind == DETECT_T2
                        || kind == DETECT_COMBINED || kind == DETECT_MAHAL);
        CU_ASSERT_EQUAL_FATAL(detect_limit(lim, D, kind, DETECT_LIMIT_EMPIRICAL), AE_OK);
        CU_ASSERT_EQUAL(E.emp, mpq_get_d(lim));
        long above = 0;
        for (long i = 0; i < SYNTH_N; i++) {
            CU_ASSERT_EQUAL(detect_score(s, D, kind, &qmat_entry(Xq, i, 0), 2), AE_OK);
            CU_ASSERT_EQUAL(E.score[i], mpq_get_d(s));
            CU_ASSERT_EQUAL(E.q99[i], detect_flagged(D, kind, DETECT_LIMIT_EMPIRICAL, s) ? '1' : '0');
            CU_ASSERT_EQUAL(E.th[i], !E.have_th ? '-'
                            : detect_flagged(D, kind, DETECT_LIMIT_THEORY, s) ? '1' : '0');
            above += E.q99[i] == '1';
            if (kind == DETECT_BOX || kind == DETECT_KNN)
                CU_ASSERT_EQUAL(E.score[i], 0);
            if (kind == DETECT_RECON)
                CU_ASSERT(fabs(E.score[i] - e[i]) <= 1e-4 * e[i] + 1e-12);
        }
        CU_ASSERT(above <= 1);
        /* the far point (1000, 1000) */
        CU_ASSERT_EQUAL_FATAL(EVAL(out, m, "--data", far, "--score", kinds[k]), 0);
        CU_ASSERT_EQUAL_FATAL(read_evout(&E, out), 0);
        CU_ASSERT_EQUAL_FATAL(E.n, 1);
        if (kind == DETECT_BOX) {
            double b = (1000 - hi[0]) * (1000 - hi[0]) + (1000 - hi[1]) * (1000 - hi[1]);
            CU_ASSERT(fabs(E.score[0] - b) <= 1e-12 * b);
        }
        if (kind == DETECT_KNN || kind == DETECT_BOX || kind == DETECT_MAHAL
            || kind == DETECT_T2 || kind == DETECT_COMBINED)
            CU_ASSERT(E.q99[0] == '1');
    }
    /* --k 5: the 5th neighbour; --train-data overrides the record (the far point alone
     * is too few rows) */
    CU_ASSERT_EQUAL(EVAL(out, m, "--data", "two-clusters", "--score", "knn", "--k", "5"), 0);
    CU_ASSERT_EQUAL(EVAL(NULL, m, "--data", "two-clusters", "--score", "knn", "--train-data", far), 2);
    mpq_clear(s);
    mpq_clear(lim);
    detect_clear(D);
    qmat_clear(Xq);
    qnet_clear(q);
    nn_clear(net);
}

static void test_eval_score_bad_input(void)
{
    const char *m = path_of("det.aem"), *t = path_of("tanh.aem"), *one = path_of("one.aem");
    CU_ASSERT_EQUAL(EVAL(NULL, m, "--data", "two-clusters", "--score", "bogus"), 2);
    CU_ASSERT_EQUAL(EVAL(NULL, m, "--data", "two-clusters", "--score"), 2);
    CU_ASSERT_EQUAL(EVAL(NULL, m, "--data", "two-clusters", "--score", "knn", "--k", "0"), 2);
    CU_ASSERT_EQUAL(EVAL(NULL, m, "--data", "two-clusters", "--score", "knn", "--k", "100"), 2);
    CU_ASSERT_EQUAL(EVAL(NULL, m, "--data", "two-clusters", "--score", "knn", "--k", "x"), 2);
    CU_ASSERT_EQUAL(EVAL(NULL, m, "--data", "two-clusters", "--k", "3"), 2);
    CU_ASSERT_EQUAL(EVAL(NULL, m, "--data", "two-clusters", "--train-data", "ring"), 2);
    CU_ASSERT_EQUAL(EVAL(NULL, m, "--data", "two-clusters", "--score", "t2", "--train-data", "plane3d"), 2);
    CU_ASSERT_EQUAL(EVAL(NULL, m, "--data", "two-clusters", "--score", "t2", "--train-normal", "9"), 2);
    CU_ASSERT_EQUAL_FATAL(run(aeaudit_cmd_train, NULL, "train", "--data", "ring", "--arch",
                              "2,3,1,3,2", "--act", "tanh", "--epochs", "1", "--seed", "1",
                              "--out", t, NULL), 0);
    CU_ASSERT_EQUAL(EVAL(NULL, t, "--data", "ring", "--score", "t2"), 4);
    CU_ASSERT_EQUAL(EVAL(NULL, t, "--data", "ring"), 0);   /* the float score still works */
    CU_ASSERT_EQUAL_FATAL(run(aeaudit_cmd_train, NULL, "train", "--data", "ring", "--arch",
                              "2,2", "--epochs", "1", "--seed", "1", "--out", one, NULL), 0);
    CU_ASSERT_EQUAL(EVAL(NULL, one, "--data", "ring", "--score", "box"), 2);
}

/* A dead bottleneck (ReLU(-1) = 0 on every row): the latent covariance is singular, so
 * t2 / mahalanobis / spe+t2 are refused, while recon, spe, knn and box are still
 * computed (detect.h's partial fit): f is the constant (0.25, -0.5), so recon = spe =
 * ||x - f||^2 (spe with its Jackson-Mudholkar limit), and 1-NN by brute force in double. */
static void test_eval_dead_bottleneck(void)
{
    const char *m = path_of("dead.aem"), *out = path_of("dead.txt");
    nn_t net;
    long sz[3] = { 2, 1, 2 };
    nn_act_t a[2] = { NN_RELU, NN_IDENTITY };
    CU_ASSERT_EQUAL_FATAL(nn_init(net, NN_F32, 2, sz, a, NULL, NULL), AE_OK);
    double p[7] = { 0, 0, -1, 1, 1, 0.25, -0.5 };
    CU_ASSERT_EQUAL_FATAL(nn_set_params(net, p), AE_OK);
    snprintf(net->rec.data, sizeof net->rec.data, "ring");
    net->rec.seed = 4;
    char err[256];
    CU_ASSERT_EQUAL_FATAL(nn_save(m, net, err, sizeof err), AE_OK);
    nn_clear(net);
    double X[2 * SYNTH_N];
    synth_make(X, NULL, "ring", SYNTH_N, 4);
    CU_ASSERT_EQUAL(EVAL(NULL, m, "--data", "ring", "--score", "t2"), 2);
    CU_ASSERT_EQUAL(EVAL(NULL, m, "--data", "ring", "--score", "spe+t2"), 2);
    CU_ASSERT_EQUAL(EVAL(NULL, m, "--data", "ring", "--score", "mahalanobis"), 2);
    evout E;
    CU_ASSERT_EQUAL_FATAL(EVAL(out, m, "--data", "ring", "--score", "recon"), 0);
    CU_ASSERT_EQUAL_FATAL(read_evout(&E, out), 0);
    CU_ASSERT_EQUAL_FATAL(E.n, SYNTH_N);
    CU_ASSERT(E.have_emp && !E.have_th);
    long above = 0;
    for (long i = 0; i < SYNTH_N; i++) {
        double dx = X[2 * i] - 0.25, dy = X[2 * i + 1] + 0.5, r = dx * dx + dy * dy;
        CU_ASSERT(fabs(E.score[i] - r) <= 1e-14 * r);
        above += E.q99[i] == '1';
        CU_ASSERT_EQUAL(E.th[i], '-');
    }
    CU_ASSERT(above <= 1);
    evout P;
    CU_ASSERT_EQUAL_FATAL(EVAL(out, m, "--data", "ring", "--score", "spe"), 0);
    CU_ASSERT_EQUAL_FATAL(read_evout(&P, out), 0);
    CU_ASSERT_EQUAL_FATAL(P.n, SYNTH_N);
    CU_ASSERT(P.have_emp && P.have_th);
    for (long i = 0; i < SYNTH_N; i++) {
        CU_ASSERT_EQUAL(P.score[i], E.score[i]);
        CU_ASSERT_EQUAL(P.q99[i], E.q99[i]);
        CU_ASSERT(P.th[i] == '0' || P.th[i] == '1');
    }
    const char *far = path_of("far2.csv");
    FILE *f = fopen(far, "w");
    fputs("3,4,0\n", f);
    fclose(f);
    CU_ASSERT_EQUAL_FATAL(EVAL(out, m, "--data", far, "--score", "knn", "--k", "2"), 0);
    CU_ASSERT_EQUAL_FATAL(read_evout(&E, out), 0);
    CU_ASSERT_EQUAL_FATAL(E.n, 1);
    double b1 = INFINITY, b2 = INFINITY;   /* the two smallest squared distances */
    for (long i = 0; i < SYNTH_N; i++) {
        double dx = X[2 * i] - 3, dy = X[2 * i + 1] - 4, r = dx * dx + dy * dy;
        if (r < b1) { b2 = b1; b1 = r; } else if (r < b2) b2 = r;
    }
    CU_ASSERT(fabs(E.score[0] - b2) <= 1e-14 * b2);
    CU_ASSERT_EQUAL(E.q99[0], '1');
    CU_ASSERT_EQUAL_FATAL(EVAL(out, m, "--data", far, "--score", "box"), 0);
    CU_ASSERT_EQUAL_FATAL(read_evout(&E, out), 0);
    CU_ASSERT_EQUAL(E.q99[0], '1');
}
#undef EVAL

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
        { "eval --score: every detector, its limits and flags", test_eval_detectors },
        { "eval --score: bad input", test_eval_score_bad_input },
        { "eval --score: a dead bottleneck (recon, knn, box only)", test_eval_dead_bottleneck },
        { "cleanup", test_cleanup },
        { NULL, NULL }
    };
    return tu_run("cmd_nn", 31UL, T);
}
