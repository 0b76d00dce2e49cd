/* test_fign5 — CUnit suite for proofs/fign5 (the N5 models and heat maps). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fign5.h"
#include "nn.h"
#include "synth.h"
#include "testutil.h"

static void test_kinds_and_training(void)
{
    CU_ASSERT_STRING_EQUAL(fign5_kind_name(FIGN5_SIGMOID), "sigmoid");
    CU_ASSERT_STRING_EQUAL(fign5_kind_name(FIGN5_TANH), "tanh");
    CU_ASSERT_STRING_EQUAL(fign5_kind_name(FIGN5_SIGMOID_OUT), "sigmoid-out");
    double X[2 * 40];
    CU_ASSERT_EQUAL_FATAL(synth_make(X, NULL, "two-clusters", 40, 3), AE_OK);
    for (int k = 0; k < FIGN5_NKINDS; k++) {
        nn_act_t hid, out;
        fign5_kind_acts(k, &hid, &out);
        nn_t net, again;
        CU_ASSERT_EQUAL_FATAL(fign5_train(net, X, 40, k, 7), AE_OK);
        CU_ASSERT_EQUAL(net->L, 4);
        CU_ASSERT_EQUAL(net->act[0], hid);
        CU_ASSERT_EQUAL(net->act[3], out);
        CU_ASSERT_EQUAL(net->rec.epochs, 2000);
        /* deterministic: the same seed gives the same weights */
        CU_ASSERT_EQUAL_FATAL(fign5_train(again, X, 40, k, 7), AE_OK);
        double *p = malloc((size_t) net->nparams * sizeof(double)),
               *q = malloc((size_t) net->nparams * sizeof(double));
        nn_get_params(p, net);
        nn_get_params(q, again);
        CU_ASSERT(memcmp(p, q, (size_t) net->nparams * sizeof(double)) == 0);
        if (out == NN_SIGMOID) {        /* the output is in [0, 1]^2 */
            double Y[2 * 40];
            CU_ASSERT_EQUAL(nn_forward(Y, net, X, 40), AE_OK);
            for (int i = 0; i < 80; i++)
                CU_ASSERT(Y[i] >= 0 && Y[i] <= 1);
        }
        free(p);
        free(q);
        nn_clear(net);
        nn_clear(again);
    }
}

static long count_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    long n = 0;
    int c;
    while ((c = fgetc(f)) != EOF)
        n += c == '\n';
    fclose(f);
    return n;
}

static void test_files(void)
{
    char dir[] = "/tmp/test_fign5.XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    CU_ASSERT_EQUAL(fign5_run(dir, 1, 0, 0), 0);
    char p[256];
    static const char *names[] = {"n5-sigmoid", "n5-tanh"};
    for (int k = 0; k < 2; k++) {
        snprintf(p, sizeof p, "%s/%s_grid.dat", dir, names[k]);
        CU_ASSERT_EQUAL(count_lines(p), 200L * 201L);       /* rows and blank separators */
        snprintf(p, sizeof p, "%s/%s_points.dat", dir, names[k]);
        CU_ASSERT_EQUAL(count_lines(p), SYNTH_N);
        snprintf(p, sizeof p, "%s/%s_boxes.dat", dir, names[k]);
        CU_ASSERT(count_lines(p) > 0);
        snprintf(p, sizeof p, "%s/%s.gp", dir, names[k]);
        char *gp = tu_slurp(p, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(gp);
        CU_ASSERT_PTR_NOT_NULL(strstr(gp, "circle at 0,0"));
        CU_ASSERT_PTR_NOT_NULL(strstr(gp, ".svg"));
        free(gp);
    }
    snprintf(p, sizeof p, "%s/n5.md", dir);
    char *md = tu_slurp(p, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(md);
    CU_ASSERT_PTR_NOT_NULL(strstr(md, "| sigmoid |"));
    CU_ASSERT_PTR_NOT_NULL(strstr(md, "| tanh |"));
    free(md);
    CU_ASSERT_EQUAL(tu_rmtree(dir), 0);
    CU_ASSERT_EQUAL(fign5_run("/nonexistent/dir", 1, 0, 0), 2);
    CU_ASSERT_EQUAL(fign5_run("/nonexistent/dir", 1, 0, 1), 2);   /* the worse status wins */
}

int main(void)
{
    static const tu_test tests[] = {
        { "kinds, deterministic training, sigmoid output in [0,1]", test_kinds_and_training },
        { "files, statuses, unwritable directory", test_files },
        { NULL, NULL }
    };
    return tu_run("fign5", 555, tests);
}
