/* test_cmd_figures — `aeaudit figures`: the four trained 2-D cases write a 200 x 200 grid
 * and a script each; a hand-built ReLU autoencoder with an exact blind direction (the
 * N3 construction on the diagonal) is drawn with its certified anomaly; bad input exits
 * with 2 and writes nothing; with gnuplot installed the PNG and SVG appear. */
#include "cmd_figures.h"
#include "nn.h"
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
    static char buf[4][160];
    static int k;
    if (dir[0] == '\0') {
        strcpy(dir, "/tmp/test_cmd_figures.XXXXXX");
        CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    }
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

/* Runs aeaudit_cmd_figures with the NULL-terminated arguments, output silenced. */
static int run(const char *first, ...)
{
    char *argv[32];
    int argc = 0;
    argv[argc++] = (char *) "figures";
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a != NULL && argc < 31; a = va_arg(ap, const char *))
        argv[argc++] = (char *) a;
    va_end(ap);
    argv[argc] = NULL;
    fflush(stdout);
    fflush(stderr);
    int so = dup(1), se = dup(2), fn = open("/dev/null", O_WRONLY);
    dup2(fn, 1);
    dup2(fn, 2);
    int rc = aeaudit_cmd_figures(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(so, 1);
    dup2(se, 2);
    close(fn); close(so); close(se);
    return rc;
}

static int exists(const char *p)
{
    return access(p, R_OK) == 0;
}

/* Lines of the file with three numbers. */
static long grid_lines(const char *p)
{
    FILE *f = fopen(p, "r");
    if (f == NULL)
        return -1;
    char line[256];
    long k = 0;
    double a, b, c;
    while (fgets(line, sizeof line, f))
        k += sscanf(line, "%lf %lf %lf", &a, &b, &c) == 3;
    fclose(f);
    return k;
}

/* The detectors figure's grid (figdetect.h): 120 x 120 rows "x y" + 8 flags; identities:
 * panel 8 = SPE and T2, Mahalanobis = T2 (k = 1); recon (the paper's score) accepts
 * points on the square's edge (its region is an unbounded slab), SPE+T2 accepts none
 * (bounded) but accepts something. */
static void check_detectors(const char *out, const char *name)
{
    char p[256], line[256];
    snprintf(p, sizeof p, "%s/%s-detectors.dat", out, name);
    FILE *f = fopen(p, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    long rows = 0, recon_edge = 0, comb_edge = 0, comb_in = 0, G = 120;
    while (fgets(line, sizeof line, f) != NULL) {
        double x, y;
        int v[8];
        if (sscanf(line, "%lg %lg %d %d %d %d %d %d %d %d", &x, &y, v, v + 1, v + 2, v + 3,
                   v + 4, v + 5, v + 6, v + 7) != 10)
            continue;
        long i = rows / G, j = rows % G;
        int edge = i == 0 || j == 0 || i == G - 1 || j == G - 1;
        CU_ASSERT_EQUAL(v[7], v[1] && v[2]);
        CU_ASSERT_EQUAL(v[4], v[2]);
        recon_edge += edge && v[0];
        comb_edge += edge && v[3];
        comb_in += v[3];
        rows++;
    }
    fclose(f);
    CU_ASSERT_EQUAL(rows, G * G);
    CU_ASSERT(recon_edge > 0);
    CU_ASSERT_EQUAL(comb_edge, 0);
    CU_ASSERT(comb_in > 0);
    snprintf(p, sizeof p, "%s/%s-detectors.gp", out, name);
    CU_ASSERT_TRUE(exists(p));
}

static void test_trained_cases(void)
{
    const char *out = path_of("t");
    CU_ASSERT_EQUAL(run("--out", out, "--no-gnuplot", NULL), 0);
    static const char *names[] = {"diagonal", "diagonal-noisy", "two-clusters", "ring"};
    char p[256];
    for (int k = 0; k < 4; k++) {
        snprintf(p, sizeof p, "%s/%s_grid.dat", out, names[k]);
        CU_ASSERT_EQUAL(grid_lines(p), 200L * 200L);
        snprintf(p, sizeof p, "%s/%s.gp", out, names[k]);
        CU_ASSERT_TRUE(exists(p));
        snprintf(p, sizeof p, "%s/%s_points.dat", out, names[k]);
        CU_ASSERT_EQUAL(grid_lines(p), 0);   /* two numbers a line */
    }
    check_detectors(out, "two-clusters");
    check_detectors(out, "diagonal-noisy");
    snprintf(p, sizeof p, "%s/figures.md", out);
    long len = 0;
    char *md = tu_slurp(p, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(md);
    CU_ASSERT_PTR_NOT_NULL(strstr(md, "| diagonal |"));
    CU_ASSERT_PTR_NOT_NULL(strstr(md, "| ring |"));
    CU_ASSERT_PTR_NOT_NULL(strstr(md, "two-clusters-detectors.png"));
    free(md);
}

/* ReLU(z) - ReLU(-z) with z = (x1 + x2)/2: f(x) = (z, z) + const, blind along (1, 1). */
static void make_n3_model(const char *path)
{
    nn_t net;
    long s[3] = {2, 2, 2};
    nn_act_t a[2] = {NN_RELU, NN_IDENTITY};
    CU_ASSERT_EQUAL_FATAL(nn_init(net, NN_F32, 2, s, a, NULL, NULL), 0);
    double p[12] = {0.5, 0.5, -0.5, -0.5, 0.125, -0.125, 1, -1, 1, -1, 0, 0};
    CU_ASSERT_EQUAL(nn_set_params(net, p), 0);
    char err[256];
    CU_ASSERT_EQUAL(nn_save(path, net, err, sizeof err), 0);
    nn_clear(net);
}

static void test_blind_model(void)
{
    const char *m = path_of("n3.aem"), *out = path_of("m");
    make_n3_model(m);
    int gp = system("gnuplot --version > /dev/null 2>&1") == 0;
    CU_ASSERT_EQUAL(run("--out", out, "--model", m, "--data", "diagonal",
                        gp ? "--out" : "--no-gnuplot", out, NULL), 0);
    char p[256];
    snprintf(p, sizeof p, "%s/figures.md", out);
    char *md = tu_slurp(p, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(md);
    CU_ASSERT_PTR_NOT_NULL(strstr(md, "FAILS"));
    free(md);
    snprintf(p, sizeof p, "%s/model.gp", out);
    char *gps = tu_slurp(p, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(gps);
    CU_ASSERT_PTR_NOT_NULL(strstr(gps, "set arrow"));          /* anomaly off the square */
    CU_ASSERT_PTR_NOT_NULL(strstr(gps, "model_rays.dat"));     /* its blind directions */
    free(gps);
    if (gp) {
        snprintf(p, sizeof p, "%s/model.png", out);
        CU_ASSERT_TRUE(exists(p));
        snprintf(p, sizeof p, "%s/model.svg", out);
        CU_ASSERT_TRUE(exists(p));
    }
}

static void test_bad_input(void)
{
    const char *out = path_of("bad"), *m = path_of("n3.aem");
    CU_ASSERT_EQUAL(run("--out", out, "--bogus", NULL), 2);
    CU_ASSERT_EQUAL(run("--out", out, "--seed", "-3", NULL), 2);
    CU_ASSERT_EQUAL(run("--out", out, "--model", path_of("missing.aem"), NULL), 2);
    CU_ASSERT_EQUAL(run("--out", out, "--model", m, "--data", "plane3d", NULL), 2);
    CU_ASSERT_EQUAL(run("--out", out, "--model", m, "--data", "no-such-set", NULL), 2);
    CU_ASSERT_EQUAL(run("--help", NULL), 0);
    char p[256];
    snprintf(p, sizeof p, "%s/model.gp", out);
    CU_ASSERT_FALSE(exists(p));
}

static void test_cleanup(void)
{
    char cmd[128];
    if (dir[0]) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        CU_ASSERT_EQUAL(system(cmd), 0);
    }
}

int main(void)
{
    static const tu_test T[] = {
        { "the four trained 2-D cases", test_trained_cases },
        { "a blind model: FAILS, anomaly arrow, PNG/SVG", test_blind_model },
        { "bad input: exit 2, nothing written", test_bad_input },
        { "cleanup", test_cleanup },
        { NULL, NULL }
    };
    return tu_run("cmd_figures", 41UL, T);
}
