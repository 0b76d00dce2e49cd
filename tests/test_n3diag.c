/* test_n3diag — N3's diagonal experiment: the data set's exact summaries, and the exact
 * analysis on hand-built networks whose answers are known in closed form: the paper's
 * ReLU twin of the diagonal projector (blind both ways, every score 0: it fails), a
 * network with a dead bottleneck (collapsed, flat output: growth a = ||(1,1)||^2 = 2), and
 * a half-scale twin (a = 1/2, the far minimum at t = 10 diam). */
#include "n3diag.h"
#include "qnum.h"
#include "testutil.h"

#include <stdlib.h>

static void test_data(void)
{
    n3diag_data G;
    n3diag_data_init(&G, tu_seed());
    CU_ASSERT_EQUAL(G.X->r, SYNTH_N);
    mpq_t d2, mx, sq, tol;
    mpq_inits(d2, mx, sq, tol, (mpq_ptr) NULL);
    for (long i = 0; i < SYNTH_N; i++) {
        CU_ASSERT(mpq_equal(qmat_entry(G.X, i, 0), qmat_entry(G.X, i, 1)));
        for (long j = 0; j < i; j++) {
            qvec_dist2(d2, qmat_row(G.X, i), qmat_row(G.X, j), 2);
            if (mpq_cmp(d2, mx) > 0)
                mpq_set(mx, d2);
        }
    }
    CU_ASSERT(mpq_equal(mx, G.diam2));                  /* brute force, exact */
    CU_ASSERT(mpq_equal(G.m[0], G.m[1]));               /* the mean is on the line */
    mpq_mul(sq, G.diam, G.diam);
    CU_ASSERT(mpq_cmp(sq, G.diam2) >= 0);               /* an upper bound ... */
    mpq_set_ui(tol, 1, 1UL << 40);
    mpq_mul(tol, tol, G.diam2);
    mpq_add(tol, tol, G.diam2);
    CU_ASSERT(mpq_cmp(sq, tol) <= 0);                   /* ... and a tight one */
    mpq_clears(d2, mx, sq, tol, (mpq_ptr) NULL);
    n3diag_data_clear(&G);
}

/* net = [2, h, 2] (relu, identity) with the given parameters (W1, b1, W2, b2). */
static void mknet(nn_t net, long h, const double *p)
{
    long sizes[3] = {2, h, 2};
    nn_act_t act[2] = {NN_RELU, NN_IDENTITY};
    CU_ASSERT_EQUAL_FATAL(nn_init(net, NN_F32, 2, sizes, act, NULL, NULL), AE_OK);
    CU_ASSERT_EQUAL_FATAL(nn_set_params(net, p), AE_OK);
}

static void test_paper_twin_fails(void)
{
    /* h+- = relu(+-(x1 + x2)/2), y = (1, 1)(h+ - h-): f(x) = ((x1+x2)/2)(1, 1) */
    static const double P[] = {0.5, 0.5, -0.5, -0.5, 0, 0, 1, -1, 1, -1, 0, 0};
    n3diag_data G;
    n3diag_data_init(&G, tu_seed());
    nn_t net;
    mknet(net, 2, P);
    n3diag_result R;
    n3diag_result_init(&R);
    CU_ASSERT_EQUAL_FATAL(n3diag_analyse(&R, net, &G), AE_OK);
    CU_ASSERT_EQUAL(R.bad, 0);
    CU_ASSERT_EQUAL(mpq_sgn(R.smin), 0);
    CU_ASSERT_EQUAL(mpq_sgn(R.loss), 0);
    for (int i = 0; i < 6; i++)
        CU_ASSERT_EQUAL(mpq_sgn(R.far[i / 3][i % 3]), 0);
    CU_ASSERT_EQUAL(mpq_sgn(R.a[0]), 0);
    CU_ASSERT_EQUAL(mpq_sgn(R.a[1]), 0);
    CU_ASSERT_EQUAL(mpq_sgn(R.emin), 0);
    CU_ASSERT_TRUE(R.fails);
    CU_ASSERT_FALSE(R.collapsed);
    CU_ASSERT_FALSE(R.bdead);                 /* no width-1 layer */
    CU_ASSERT_EQUAL(R.hidden, 2);
    CU_ASSERT_EQUAL(R.dead, 1);               /* h- is off on all of t (1, 1), t >= 0 */
    n3diag_result_clear(&R);
    nn_clear(net);
    n3diag_data_clear(&G);
}

static void test_dead_bottleneck_collapses(void)
{
    /* one hidden unit, relu(-1): dead everywhere; y = (1/2, 1/4) */
    static const double P[] = {0, 0, -1, 0.75, -2, 0.5, 0.25};
    n3diag_data G;
    n3diag_data_init(&G, tu_seed());
    nn_t net;
    mknet(net, 1, P);
    n3diag_result R;
    n3diag_result_init(&R);
    CU_ASSERT_EQUAL_FATAL(n3diag_analyse(&R, net, &G), AE_OK);
    CU_ASSERT_EQUAL(R.bad, 0);
    CU_ASSERT_TRUE(R.collapsed);
    CU_ASSERT_TRUE(R.bdead);
    CU_ASSERT_EQUAL(R.dead, 1);
    CU_ASSERT_EQUAL(mpq_cmp_ui(R.a[0], 2, 1), 0);
    CU_ASSERT_EQUAL(mpq_cmp_ui(R.a[1], 2, 1), 0);
    CU_ASSERT_FALSE(R.fails);
    for (int i = 0; i < 6; i++)
        CU_ASSERT(mpq_cmp(R.emin, R.far[i / 3][i % 3]) <= 0);
    CU_ASSERT(mpq_cmp(R.emin, R.smin) > 0);
    n3diag_result_clear(&R);
    nn_clear(net);
    n3diag_data_clear(&G);
}

static void test_half_twin(void)
{
    /* f(x) = ((x1+x2)/4)(1, 1): along m + t (1, 1) the residual is (m0 + t)/2 (1, 1), so
     * e = (m0 + t)^2 / 2, a = 1/2, increasing for t >= 0: the minimum over t >= 10 diam is
     * the far10 score; along -(1, 1) likewise with (m0 - t), increasing for t > m0. */
    static const double P[] = {0.5, 0.5, -0.5, -0.5, 0, 0, 0.5, -0.5, 0.5, -0.5, 0, 0};
    n3diag_data G;
    n3diag_data_init(&G, tu_seed());
    nn_t net;
    mknet(net, 2, P);
    n3diag_result R;
    n3diag_result_init(&R);
    CU_ASSERT_EQUAL_FATAL(n3diag_analyse(&R, net, &G), AE_OK);
    CU_ASSERT_EQUAL(R.bad, 0);
    mpq_t h, t, e;
    mpq_inits(h, t, e, (mpq_ptr) NULL);
    mpq_set_ui(h, 1, 2);
    CU_ASSERT(mpq_equal(R.a[0], h));
    CU_ASSERT(mpq_equal(R.a[1], h));
    mpq_set_ui(t, 10, 1);
    mpq_mul(t, t, G.diam);
    mpq_add(e, G.m[0], t);
    mpq_mul(e, e, e);
    mpq_mul(e, e, h);
    CU_ASSERT(mpq_equal(R.far[0][0], e));
    mpq_sub(e, G.m[0], t);
    mpq_mul(e, e, e);
    mpq_mul(e, e, h);
    CU_ASSERT(mpq_equal(R.far[1][0], e));
    CU_ASSERT(mpq_equal(R.emin, e));          /* the -(1,1) side is the closer one to 0 */
    CU_ASSERT_FALSE(R.fails);
    CU_ASSERT_FALSE(R.collapsed);
    mpq_clears(h, t, e, (mpq_ptr) NULL);
    n3diag_result_clear(&R);
    nn_clear(net);
    n3diag_data_clear(&G);
}

static void test_bad_input(void)
{
    n3diag_data G;
    n3diag_data_init(&G, tu_seed());
    long sizes[3] = {3, 2, 3};
    nn_act_t act[2] = {NN_RELU, NN_IDENTITY};
    nn_t net;
    CU_ASSERT_EQUAL_FATAL(nn_init(net, NN_F32, 2, sizes, act, NULL, NULL), AE_OK);
    n3diag_result R;
    n3diag_result_init(&R);
    TU_EXPECT_ERROR(n3diag_analyse(&R, net, &G));
    TU_EXPECT_ERROR(n3diag_analyse(&R, NULL, &G));
    nn_clear(net);
    /* a smooth activation is refused by qnet as not supported */
    long s2[3] = {2, 2, 2};
    act[0] = NN_TANH;
    CU_ASSERT_EQUAL_FATAL(nn_init(net, NN_F32, 2, s2, act, NULL, NULL), AE_OK);
    CU_ASSERT_EQUAL(n3diag_analyse(&R, net, &G), AE_ERANGE);
    nn_clear(net);
    n3diag_result_clear(&R);
    n3diag_data_clear(&G);
}

int main(void)
{
    static const tu_test T[] = {
        { "diagonal data: exact mean, diameter and bound", test_data },
        { "the paper's ReLU twin of the projector fails (blind both ways)", test_paper_twin_fails },
        { "dead bottleneck: collapsed, flat, detected", test_dead_bottleneck_collapses },
        { "half-scale twin: a = 1/2, far minimum in closed form", test_half_twin },
        { "bad input", test_bad_input },
        { NULL, NULL }
    };
    return tu_run("n3diag", 3003UL, T);
}
