/* test_figP4 — the P4 figure: drawn from a quick P4 run's own table (one data file line per
 * test point, a script, with gnuplot installed the PNG and SVG), from a hand-written table
 * (columns of the data file, an exact-zero error drawn at 1e-40), and bad tables refused
 * with the line named. */
#include "figP4.h"
#include "proof.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *HEADER =
    "dataset,arch,seed,point,class,exact,float32,float64,float32_rel_err,float64_rel_err,"
    "exact_rank,float32_rank,float64_rank,float32_flipped\n";

static void mkdir_tmp(char *dir, size_t n)
{
    snprintf(dir, n, "/tmp/test_figP4.XXXXXX");
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(text, f);
    fclose(f);
}

/* Lines of dir/name that do not start with '#', or -1 if unreadable. */
static long data_lines(const char *dir, const char *name)
{
    char path[256], line[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    long k = 0;
    while (fgets(line, sizeof line, f) != NULL)
        k += line[0] != '#';
    fclose(f);
    return k;
}

static int exists(const char *dir, const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return access(path, R_OK) == 0;
}

static void test_from_p4(void)
{
    char dir[64], err[600];
    mkdir_tmp(dir, sizeof dir);
    proof_ctx c = {.quick = 1, .seed = tu_seed(), .prec = 128, .outdir = dir, .datadir = "data"};
    proof_result r;
    CU_ASSERT_EQUAL_FATAL(proof_P4(&c, &r), AE_OK);
    CU_ASSERT_EQUAL(r.verdict, VERDICT_VERIFIED);
    long rows = data_lines(dir, "P4_scores.csv") - 1;
    CU_ASSERT_TRUE(rows > 0);
    CU_ASSERT_EQUAL(figP4_draw(dir, dir, 0, err, sizeof err), AE_OK);
    CU_ASSERT_EQUAL(data_lines(dir, "P4_wine.dat"), rows);   /* quick: wine only */
    CU_ASSERT_TRUE(exists(dir, "P4_wine.gp"));
    if (system("command -v gnuplot > /dev/null 2>&1") == 0) {
        CU_ASSERT_EQUAL(figP4_draw(dir, dir, 1, err, sizeof err), AE_OK);
        CU_ASSERT_TRUE(exists(dir, "P4_wine.png"));
        CU_ASSERT_TRUE(exists(dir, "P4_wine.svg"));
    }
    CU_ASSERT_EQUAL(tu_rmtree(dir), 0);
}

static void test_hand_table(void)
{
    char dir[64], err[600], text[2048];
    mkdir_tmp(dir, sizeof dir);
    snprintf(text, sizeof text, "%s"
             "a,2-1-2,7,N0,normal,~1.5e-01,~1.50000006e-01,0.15,~4e-08,0,1,1,1,no\n"
             "a,2-1-2,7,A3,anomaly,2,2,2,-,-,2,2,2,yes\n"
             "b,2-1-2,7,N1,normal,1,1,1,0,0,1,1,1,no\n", HEADER);
    write_file(dir, "P4_scores.csv", text);
    CU_ASSERT_EQUAL(figP4_draw(dir, dir, 0, err, sizeof err), AE_OK);
    CU_ASSERT_EQUAL(data_lines(dir, "P4_a.dat"), 2);
    CU_ASSERT_EQUAL(data_lines(dir, "P4_b.dat"), 1);
    char path[256], line[256];
    snprintf(path, sizeof path, "%s/P4_a.dat", dir);
    FILE *f = fopen(path, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof line, f));    /* comment */
    double e, f32, r32, r64;
    int cls, fl;
    CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof line, f));
    CU_ASSERT_EQUAL(sscanf(line, "%lf %lf %lf %lf %d %d", &e, &f32, &r32, &r64, &cls, &fl), 6);
    CU_ASSERT_DOUBLE_EQUAL(e, 0.15, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(r32, 4e-8, 1e-20);
    CU_ASSERT_EQUAL(r64, 1e-40);        /* an exact 0 error */
    CU_ASSERT_EQUAL(cls, 0);
    CU_ASSERT_EQUAL(fl, 0);
    CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof line, f));
    CU_ASSERT_EQUAL(sscanf(line, "%lf %lf %lf %lf %d %d", &e, &f32, &r32, &r64, &cls, &fl), 6);
    CU_ASSERT_EQUAL(r32, 1e-40);        /* "-": no relative error */
    CU_ASSERT_EQUAL(cls, 1);
    CU_ASSERT_EQUAL(fl, 1);
    fclose(f);
    /* a header-only table draws nothing and succeeds */
    write_file(dir, "P4_scores.csv", HEADER);
    CU_ASSERT_EQUAL(figP4_draw(dir, dir, 0, err, sizeof err), AE_OK);
    CU_ASSERT_EQUAL(tu_rmtree(dir), 0);
}

static void test_bad_tables(void)
{
    char dir[64], err[600], text[2048];
    mkdir_tmp(dir, sizeof dir);
    CU_ASSERT_EQUAL(figP4_draw(dir, dir, 0, err, sizeof err), AE_EIO);   /* no table */
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "P4_scores.csv"));
    write_file(dir, "P4_scores.csv", "dataset,x\n");
    CU_ASSERT_EQUAL(figP4_draw(dir, dir, 0, err, sizeof err), AE_EPARSE);
    snprintf(text, sizeof text, "%sa,2-1-2,7,N0,normal,1,1,1,0,0,1,1,1,no\na,2-1-2,7\n", HEADER);
    write_file(dir, "P4_scores.csv", text);
    CU_ASSERT_EQUAL(figP4_draw(dir, dir, 0, err, sizeof err), AE_EPARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, ":3:"));
    snprintf(text, sizeof text, "%sa,2-1-2,7,N0,normal,x,1,1,0,0,1,1,1,no\n", HEADER);
    write_file(dir, "P4_scores.csv", text);
    CU_ASSERT_EQUAL(figP4_draw(dir, dir, 0, err, sizeof err), AE_EPARSE);
    snprintf(text, sizeof text, "%sa,2-1-2,7,N0,normal,1,1,1,0,0,1,1,1,no,extra\n", HEADER);
    write_file(dir, "P4_scores.csv", text);
    CU_ASSERT_EQUAL(figP4_draw(dir, dir, 0, err, sizeof err), AE_EPARSE);
    snprintf(text, sizeof text, "%sa,2-1-2,7,N0,normal,1,1,1,0,0,1,1,1,no\n", HEADER);
    write_file(dir, "P4_scores.csv", text);
    CU_ASSERT_EQUAL(figP4_draw(dir, "/nonexistent/dir", 0, err, sizeof err), AE_EIO);
    TU_EXPECT_ERROR(figP4_draw(NULL, dir, 0, err, sizeof err));
    CU_ASSERT_EQUAL(tu_rmtree(dir), 0);
}

int main(void)
{
    static const tu_test T[] = {
        {"drawn from a quick P4 run", test_from_p4},
        {"hand-written table: data columns", test_hand_table},
        {"bad tables refused", test_bad_tables},
        {NULL, NULL}};
    return tu_run("figP4", 20261202UL, T);
}
