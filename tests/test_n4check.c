/* test_n4check — N4's exact re-checks on hand-built networks whose answers are known in
 * closed form: the "blind" ReLU AE f(x) = ((x1 + x2)/2 + 1/8)(1, 1) (every point of the
 * diagonal scores 1/32, however far), and the zero AE f = 0 (e(x) = ||x||^2, so the radius
 * sqrt(s_min) is exact).  Correct certificates must be accepted, wrong ones (an anomaly moved
 * onto a training row, a too-small radius, a wrong growth rate) rejected; the exact
 * diameter is compared with brute force. */
#include "n4check.h"
#include "qmat.h"
#include "testutil.h"

#include <stdlib.h>

/* net = [2, 2, 2] (relu, identity) with parameters p (W1, b1, W2, b2), and its exact form. */
static void mknet(nn_t net, qnet_t q, const double *p)
{
    long s[3] = {2, 2, 2};
    nn_act_t a[2] = {NN_RELU, NN_IDENTITY};
    CU_ASSERT_EQUAL_FATAL(nn_init(net, NN_F32, 2, s, a, NULL, NULL), AE_OK);
    CU_ASSERT_EQUAL_FATAL(nn_set_params(net, p), AE_OK);
    CU_ASSERT_EQUAL_FATAL(qnet_init_nn(q, net), AE_OK);
}

static const double BLIND[12] = {0.5, 0.5, -0.5, -0.5, 0.125, -0.125, 1, -1, 1, -1, 0, 0};
static const double ZERO[12] = {0};

/* rows on the diagonal: (0,0), (1,1), (1/2,1/2), (1/4,1/4); D2 = 2 */
static const double DIAG[8] = {0, 0, 1, 1, 0.5, 0.5, 0.25, 0.25};

static void test_diam2_brute_force(void)
{
    gsl_rng *r = tu_rng();
    mpq_t D2, b, s;
    mpq_inits(D2, b, s, (mpq_ptr) NULL);
    for (int rep = 0; rep < 3; rep++) {
        long n = 40, d = 1 + rep;
        mpq_t *xs = qvec_init(n * d);
        for (long k = 0; k < n * d; k++) {
            tu_rand_q(xs[k], r, 1000, 97);
            if (rep == 2)       /* huge offset, tiny spread: the all-pairs-exact branch */
                mpq_set_d(s, 1e12), mpq_add(xs[k], xs[k], s);
        }
        mpq_set_ui(b, 0, 1);
        for (long i = 0; i < n; i++)
            for (long j = 0; j < i; j++) {
                qvec_dist2(s, xs + i * d, xs + j * d, d);
                if (mpq_cmp(s, b) > 0)
                    mpq_set(b, s);
            }
        n4check_diam2(D2, (const mpq_t *) xs, n, d);
        CU_ASSERT(mpq_equal(D2, b));
        n4check_diam2(D2, (const mpq_t *) xs, 1, d);     /* one row: 0 */
        CU_ASSERT_EQUAL(mpq_sgn(D2), 0);
        n4check_diam2(D2, (const mpq_t *) xs, 0, d);
        CU_ASSERT_EQUAL(mpq_sgn(D2), 0);
        qvec_clear(xs, n * d);
    }
    mpq_clears(D2, b, s, (mpq_ptr) NULL);
    gsl_rng_free(r);
}

static void test_exact_facts(void)
{
    nn_t net;
    qnet_t q;
    mknet(net, q, BLIND);
    static const double X[8] = {0, 0, 1, 0, 0, 2, 0.5, 0.5};
    n4check_exact_t E;
    n4check_exact_init(E);
    CU_ASSERT_EQUAL_FATAL(n4check_exact_set(E, q, X, 4, 2, 10), AE_OK);
    mpq_t e, w;
    mpq_inits(e, w, (mpq_ptr) NULL);
    for (long i = 0; i < 4; i++) {
        mpq_t x[2];
        mpq_inits(x[0], x[1], (mpq_ptr) NULL);
        mpq_set_d(x[0], X[2 * i]);
        mpq_set_d(x[1], X[2 * i + 1]);
        CU_ASSERT(qvec_equal(E->xs + 2 * i, (const mpq_t *) x, 2));   /* no scaling */
        CU_ASSERT_EQUAL(qnet_score(e, q, (const mpq_t *) x, 2), AE_OK);
        CU_ASSERT(mpq_equal(e, E->score[i]));
        mpq_clears(x[0], x[1], (mpq_ptr) NULL);
    }
    mpq_set_ui(w, 1, 32);
    CU_ASSERT(mpq_equal(E->smin, w));          /* (0,0) and (1/2,1/2): 1/32 */
    CU_ASSERT_EQUAL(E->argmin, 0);
    CU_ASSERT(mpq_equal(E->q99, E->score[2])); /* n = 4: the largest, (0,2) */
    mpq_set_ui(w, 5, 1);
    CU_ASSERT(mpq_equal(E->D2, w));            /* |(1,0) - (0,2)|^2 */
    mpq_clears(e, w, (mpq_ptr) NULL);
    n4check_exact_clear(E);
    qnet_clear(q);
    nn_clear(net);
}

/* the blind net: a far diagonal point is a correct anomaly; moved onto a row it is not */
static void test_anomaly(void)
{
    nn_t net;
    qnet_t q;
    mknet(net, q, BLIND);
    n4check_exact_t E;
    n4check_exact_init(E);
    CU_ASSERT_EQUAL_FATAL(n4check_exact_set(E, q, DIAG, 4, 2, 10), AE_OK);
    mpq_t a[2], other[2], s;
    mpq_inits(a[0], a[1], other[0], other[1], s, (mpq_ptr) NULL);
    mpq_set_ui(s, 1, 32);
    CU_ASSERT(mpq_equal(E->smin, s));
    char why[300];
    long imin = -1;
    /* (16,16): ||a - (1,1)||^2 = 450 >= 10^2 D2 = 200, and scores 1/32 */
    mpq_set_ui(a[0], 16, 1);
    mpq_set_ui(a[1], 16, 1);
    CU_ASSERT_EQUAL(n4check_far(&imin, E, (const mpq_t *) a), AE_OK);
    CU_ASSERT_EQUAL(n4check_anomaly(q, E, (const mpq_t *) a, (const mpq_t *) a, s, why,
                                    sizeof why), AE_OK);
    /* (10,10): ||a - (1,1)||^2 = 162 < 200: too close to row 1 (the first too close) */
    mpq_set_ui(other[0], 10, 1);
    mpq_set_ui(other[1], 10, 1);
    CU_ASSERT_EQUAL(n4check_far(&imin, E, (const mpq_t *) other), AE_NOTVERIFIED);
    CU_ASSERT_EQUAL(imin, 1);       /* (0,0) is at 200, not < 200: far enough */
    CU_ASSERT_EQUAL(n4check_anomaly(q, E, (const mpq_t *) other, NULL, s, why, sizeof why),
                    AE_NOTVERIFIED);
    /* moved onto a training row: rejected, directly and as the control */
    CU_ASSERT_EQUAL(n4check_anomaly(q, E, E->xs + 2, NULL, s, why, sizeof why),
                    AE_NOTVERIFIED);
    CU_ASSERT_EQUAL(n4check_ctl_anomaly(q, E, why, sizeof why), AE_NOTVERIFIED);
    /* a wrong claimed score, and a raw form that does not scale to a */
    mpq_set_ui(other[0], 1, 16);
    CU_ASSERT_EQUAL(n4check_anomaly(q, E, (const mpq_t *) a, NULL, other[0], why, sizeof why),
                    AE_NOTVERIFIED);
    mpq_set_ui(other[0], 17, 1);
    mpq_set_ui(other[1], 16, 1);
    CU_ASSERT_EQUAL(n4check_anomaly(q, E, (const mpq_t *) a, (const mpq_t *) other, s, why,
                                    sizeof why), AE_NOTVERIFIED);
    /* off the diagonal the score exceeds s_min */
    CU_ASSERT_EQUAL(n4check_anomaly(q, E, (const mpq_t *) other, NULL, s, why, sizeof why),
                    AE_NOTVERIFIED);
    /* the far ray from the minimising row along (1,1) scores 1/32 */
    mpq_set_ui(a[0], 1, 1);
    mpq_set_ui(a[1], 1, 1);
    CU_ASSERT_EQUAL(n4check_far_ray_score(other[0], q, E, (const mpq_t *) a), AE_OK);
    CU_ASSERT(mpq_equal(other[0], s));
    mpq_clears(a[0], a[1], other[0], other[1], s, (mpq_ptr) NULL);
    n4check_exact_clear(E);
    qnet_clear(q);
    nn_clear(net);
}

/* the zero net, e(x) = ||x||^2: rows of norm^2 1, 4, 9; s_min = 1, so R = 1 is right */
static void test_radius(void)
{
    static const double X[6] = {1, 0, 0, 2, -3, 0};
    nn_t net;
    qnet_t q;
    mknet(net, q, ZERO);
    n4check_exact_t E;
    n4check_exact_init(E);
    CU_ASSERT_EQUAL_FATAL(n4check_exact_set(E, q, X, 3, 2, 10), AE_OK);
    gsl_rng *r = tu_rng();
    mpq_t R, dir[2];
    mpq_inits(R, dir[0], dir[1], (mpq_ptr) NULL);
    mpq_set_si(dir[0], 3, 1);
    mpq_set_si(dir[1], -1, 1);
    char why[300];
    long pts = 0;
    mpq_set_ui(R, 1, 1);
    CU_ASSERT_EQUAL(n4check_radius(&pts, q, E, R, (const mpq_t *) dir, r, 6, why, sizeof why),
                    AE_OK);
    CU_ASSERT_EQUAL(pts, 6 * 3 + 2);            /* 6 directions x 3 points, rows 2 and 3 */
    pts = 0;
    CU_ASSERT_EQUAL(n4check_radius(&pts, q, E, R, NULL, r, 4, why, sizeof why), AE_OK);
    mpq_set_ui(R, 9, 10);                       /* too small: points at 1.01 R score < 1 */
    CU_ASSERT_EQUAL(n4check_radius(&pts, q, E, R, (const mpq_t *) dir, r, 2, why, sizeof why),
                    AE_NOTVERIFIED);
    /* too small, caught by the rows alone (no spot directions): row 1 lies beyond 1/2 */
    mpq_set_ui(R, 1, 2);
    pts = 0;
    CU_ASSERT_EQUAL(n4check_radius(&pts, q, E, R, NULL, r, 0, why, sizeof why),
                    AE_NOTVERIFIED);
    CU_ASSERT_EQUAL(pts, 1);
    CU_ASSERT_EQUAL(n4check_ctl_radius(q, E, (const mpq_t *) dir, r, why, sizeof why),
                    AE_NOTVERIFIED);
    mpq_clears(R, dir[0], dir[1], (mpq_ptr) NULL);
    gsl_rng_free(r);
    n4check_exact_clear(E);
    /* the minimising row at the origin: no R = 0 control */
    static const double Y[4] = {0, 0, 1, 1};
    n4check_exact_init(E);
    CU_ASSERT_EQUAL_FATAL(n4check_exact_set(E, q, Y, 2, 2, 10), AE_OK);
    CU_ASSERT_EQUAL(n4check_ctl_radius(q, E, NULL, NULL, why, sizeof why), AE_ERANGE);
    n4check_exact_clear(E);
    qnet_clear(q);
    nn_clear(net);
}

static void test_dir(void)
{
    nn_t net;
    qnet_t q, f0;
    mknet(net, q, BLIND);
    CU_ASSERT_EQUAL_FATAL(qnet_init_recession(f0, q), AE_OK);
    mpq_t g2, ub, lb, v[2];
    mpq_inits(g2, ub, lb, v[0], v[1], (mpq_ptr) NULL);
    char why[300];
    /* along (1,1): f0(v) = v, growth 0, blind */
    mpq_set_ui(v[0], 1, 1);
    mpq_set_ui(v[1], 1, 1);
    CU_ASSERT_EQUAL(n4check_dir(g2, f0, (const mpq_t *) v, 2, ub, lb, 1, why, sizeof why), AE_OK);
    CU_ASSERT_EQUAL(mpq_sgn(g2), 0);
    CU_ASSERT_EQUAL(n4check_ctl_dir(g2, f0, (const mpq_t *) v, 2, ub, lb, 1, why, sizeof why),
                    AE_NOTVERIFIED);
    /* along (1,-1): f0(v) = 0, growth 1; claimed blind or lb > ub is wrong */
    mpq_set_si(v[1], -1, 1);
    mpq_set_ui(ub, 1, 1);
    CU_ASSERT_EQUAL(n4check_dir(g2, f0, (const mpq_t *) v, 2, ub, lb, 0, why, sizeof why), AE_OK);
    CU_ASSERT_EQUAL(n4check_dir(g2, f0, (const mpq_t *) v, 2, ub, lb, 1, why, sizeof why),
                    AE_NOTVERIFIED);
    mpq_set_ui(lb, 2, 1);
    CU_ASSERT_EQUAL(n4check_dir(g2, f0, (const mpq_t *) v, 2, ub, lb, 0, why, sizeof why),
                    AE_NOTVERIFIED);
    mpq_set_ui(v[0], 0, 1);
    mpq_set_ui(v[1], 0, 1);
    CU_ASSERT_EQUAL(n4check_dir(g2, f0, (const mpq_t *) v, 2, ub, lb, 0, why, sizeof why),
                    AE_NOTVERIFIED);
    mpq_clears(g2, ub, lb, v[0], v[1], (mpq_ptr) NULL);
    qnet_clear(f0);
    qnet_clear(q);
    nn_clear(net);
}

static void test_bad_input(void)
{
    nn_t net;
    qnet_t q;
    mknet(net, q, ZERO);
    n4check_exact_t E;
    n4check_exact_init(E);
    TU_EXPECT_ERROR(n4check_exact_set(E, q, DIAG, 0, 2, 10));
    TU_EXPECT_ERROR(n4check_exact_set(E, q, NULL, 4, 2, 10));
    TU_EXPECT_ERROR(n4check_exact_set(E, q, DIAG, 4, 2, -1));
    CU_ASSERT_EQUAL_FATAL(n4check_exact_set(E, q, DIAG, 4, 2, 10), AE_OK);
    char why[100];
    long pts = 0;
    mpq_t R, v[2];
    mpq_inits(R, v[0], v[1], (mpq_ptr) NULL);
    gsl_rng *r = tu_rng();
    TU_EXPECT_ERROR(n4check_far(NULL, E, E->xs));
    TU_EXPECT_ERROR(n4check_anomaly(q, E, NULL, NULL, R, why, sizeof why));
    TU_EXPECT_ERROR(n4check_radius(&pts, q, E, R, NULL, r, -1, why, sizeof why));
    mpq_set_si(R, -1, 1);
    TU_EXPECT_ERROR(n4check_radius(&pts, q, E, R, NULL, r, 1, why, sizeof why));
    TU_EXPECT_ERROR(n4check_dir(R, q, (const mpq_t *) v, 0, R, R, 0, why, sizeof why));
    TU_EXPECT_ERROR(n4check_far_ray_score(R, q, E, (const mpq_t *) v));   /* v = 0 */
    gsl_rng_free(r);
    mpq_clears(R, v[0], v[1], (mpq_ptr) NULL);
    n4check_exact_clear(E);
    qnet_clear(q);
    nn_clear(net);
}

int main(void)
{
    static const tu_test T[] = {
        { "exact diameter = brute force (incl. n = 0, 1, huge offsets)", test_diam2_brute_force },
        { "exact facts: scores, s_min, argmin, q99, D2", test_exact_facts },
        { "anomaly: correct accepted, moved onto a row / wrong score / raw rejected", test_anomaly },
        { "radius: correct accepted, too small rejected, R = 0 control", test_radius },
        { "direction: exact growth rate, blind, lb <= ub, control", test_dir },
        { "bad input", test_bad_input },
        { NULL, NULL }
    };
    return tu_run("n4check", 4404UL, T);
}
