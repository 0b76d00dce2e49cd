/* test_dsrc — the data-source resolver: bundled names from any working directory,
 * synthetic sets, user CSV files, class filtering, the min-max convention, bad names. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dsrc.h"
#include "synth.h"
#include "testutil.h"

static void test_bundled_any_cwd(void)
{
    char cwd[4096], err[600];
    CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(cwd, sizeof cwd));
    CU_ASSERT_EQUAL_FATAL(chdir("/tmp"), 0);
    dsrc_opts o;
    dsrc_opts_default(&o);
    dsrc_t S;
    dsrc_init(S);
    CU_ASSERT_EQUAL(dsrc_load(S, "wine", &o, err, sizeof err), AE_OK);
    CU_ASSERT_EQUAL(S->n, 178);
    CU_ASSERT_EQUAL(S->d, 13);
    CU_ASSERT_PTR_NOT_NULL(S->labels);
    CU_ASSERT_EQUAL(dsrc_load(S, "no-such-set", &o, err, sizeof err), AE_EIO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "no-such-set"));
    CU_ASSERT_EQUAL(S->n, 0);
    dsrc_clear(S);
    CU_ASSERT_EQUAL(chdir(cwd), 0);
    CU_ASSERT_STRING_EQUAL(dsrc_bundled_normal("wine"), "1,2");
    CU_ASSERT_PTR_NULL(dsrc_bundled_file("nope"));
}

static void test_synthetic_and_filter(void)
{
    char err[600];
    dsrc_opts o;
    dsrc_opts_default(&o);
    o.seed = 3;
    dsrc_t S;
    dsrc_init(S);
    CU_ASSERT_EQUAL_FATAL(dsrc_load(S, "two-clusters", &o, err, sizeof err), AE_OK);
    CU_ASSERT_EQUAL(S->n, SYNTH_N);
    CU_ASSERT_TRUE(S->synthetic);
    double *X = malloc(sizeof(double) * SYNTH_N * 2);
    long *lab = malloc(sizeof(long) * SYNTH_N);
    synth_make(X, lab, "two-clusters", SYNTH_N, 3);
    CU_ASSERT_EQUAL(memcmp(X, S->X, sizeof(double) * SYNTH_N * 2), 0);
    long one = 1, ones = 0;
    for (long i = 0; i < SYNTH_N; i++)
        ones += lab[i] == 1;
    CU_ASSERT_EQUAL(dsrc_filter(S, &one, 1, 1), AE_OK);
    CU_ASSERT_EQUAL(S->n, ones);
    for (long i = 0; i < S->n; i++)
        CU_ASSERT_EQUAL(S->labels[i], 1);
    free(X);
    free(lab);
    dsrc_clear(S);
}

static void test_user_csv_scaling(void)
{
    char path[] = "/tmp/test_dsrc-XXXXXX", err[600];
    int fd = mkstemp(path);
    CU_ASSERT_TRUE_FATAL(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("1,5,0\n3,5,0\n2,5,1\n", f);   /* feature 2 constant */
    fclose(f);
    dsrc_opts o;
    dsrc_opts_default(&o);
    dsrc_t S;
    dsrc_init(S);
    CU_ASSERT_EQUAL_FATAL(dsrc_load(S, path, &o, err, sizeof err), AE_OK);
    CU_ASSERT_EQUAL(S->n, 3);
    CU_ASSERT_EQUAL(S->d, 2);
    mpq_t lo[2], hi[2];
    for (int j = 0; j < 2; j++) { mpq_init(lo[j]); mpq_init(hi[j]); }
    CU_ASSERT_EQUAL(dsrc_minmax_fit(lo, hi, S), AE_OK);
    mpq_set_ui(hi[1], 5, 1);
    mpq_set_ui(lo[1], 4, 1);   /* a shifted constant: x - lo = 1 with scale 1 */
    mpq_set(hi[1], lo[1]);
    CU_ASSERT_EQUAL(dsrc_minmax_apply(S, (const mpq_t *) lo, (const mpq_t *) hi), AE_OK);
    CU_ASSERT_EQUAL(S->X[0], 0.0);
    CU_ASSERT_EQUAL(S->X[2], 1.0);
    CU_ASSERT_EQUAL(S->X[4], 0.5);
    CU_ASSERT_EQUAL(S->X[1], 1.0);   /* MinMaxScaler: range 0 => x - lo */
    for (int j = 0; j < 2; j++) { mpq_clear(lo[j]); mpq_clear(hi[j]); }
    dsrc_clear(S);
    remove(path);
}

int main(void)
{
    static const tu_test T[] = {
        {"bundled name from any working directory", test_bundled_any_cwd},
        {"synthetic set equals synth_make; class filter", test_synthetic_and_filter},
        {"user CSV; min-max convention", test_user_csv_scaling},
        {NULL, NULL}};
    return tu_run("dsrc", 1, T);
}
