/* test_pocket2d — CUnit suite for theory/pocket2d (the certified 2-D pocket map).
 *
 * Second method: the constant network f = c, whose score ||x - c||^2 is known exactly, so
 * the pocket is the disc of radius sqrt(s) around c; sampled points check completeness. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gmp.h>
#include <gsl/gsl_rng.h>

#include "arbnet.h"
#include "nn.h"
#include "pocket2d.h"
#include "qmat.h"
#include "testutil.h"

/* f(x) = (1/4, 3/8) for every x: sigmoid hidden layer with zero weights, zero output
 * weights, output bias c. */
static void const_net(nn_t net, arbnet_t a)
{
    static const long sizes[] = {2, 2, 2};
    nn_act_t act[] = {NN_SIGMOID, NN_IDENTITY};
    CU_ASSERT_EQUAL_FATAL(nn_init(net, NN_F64, 2, sizes, act, NULL, NULL), AE_OK);
    double *q = calloc((size_t) net->nparams, sizeof(double));
    q[net->boff[1]] = 0.25;
    q[net->boff[1] + 1] = 0.375;
    CU_ASSERT_EQUAL_FATAL(nn_set_params(net, q), AE_OK);
    free(q);
    CU_ASSERT_EQUAL_FATAL(arbnet_init_nn(a, net), AE_OK);
}

/* The index of a reported box containing x, or -1. */
static long find_box(const pocket2d_t P, const mpq_t *x)
{
    mpq_t lo[2], hi[2];
    mpq_inits(lo[0], lo[1], hi[0], hi[1], NULL);
    long k = -1;
    for (long b = 0; b < P->nboxes && k < 0; b++) {
        pocket2d_box_q(lo, hi, P, b);
        if (mpq_cmp(lo[0], x[0]) <= 0 && mpq_cmp(x[0], hi[0]) <= 0 && mpq_cmp(lo[1], x[1]) <= 0
            && mpq_cmp(x[1], hi[1]) <= 0)
            k = b;
    }
    mpq_clears(lo[0], lo[1], hi[0], hi[1], NULL);
    return k;
}

/* Random points in [-2, 2]^2 (multiples of 1/1024): every one with exact score <= s lies
 * in a reported box; every point of a LOW box (its corners) scores < s. */
static void check_constant_map(const pocket2d_t P, gsl_rng *r, const mpq_t s)
{
    mpq_t *x = qvec_init(2), *c = qvec_init(2), e;
    mpq_init(e);
    mpq_set_si(c[0], 1, 4);
    mpq_set_si(c[1], 3, 8);
    long inside = 0;
    for (int t = 0; t < 3000; t++) {
        for (int j = 0; j < 2; j++) {
            long k = t < 1500 ? (long) gsl_rng_uniform_int(r, 4097) - 2048
                              : (j ? 384 : 256) + (long) gsl_rng_uniform_int(r, 257) - 128;
            mpq_set_si(x[j], k, 1024);
            mpq_canonicalize(x[j]);
        }
        qvec_dist2(e, (const mpq_t *) x, (const mpq_t *) c, 2);
        if (mpq_cmp(e, s) <= 0) {
            inside++;
            CU_ASSERT(find_box(P, (const mpq_t *) x) >= 0);
        }
    }
    CU_ASSERT(inside > 10);
    mpq_t lo[2], hi[2];
    mpq_inits(lo[0], lo[1], hi[0], hi[1], NULL);
    for (long b = 0; b < P->nboxes; b++) {
        if (P->boxes[b].status != POCKET2D_LOW)
            continue;
        pocket2d_box_q(lo, hi, P, b);
        for (int k = 0; k < 4; k++) {
            mpq_set(x[0], k & 1 ? hi[0] : lo[0]);
            mpq_set(x[1], k & 2 ? hi[1] : lo[1]);
            qvec_dist2(e, (const mpq_t *) x, (const mpq_t *) c, 2);
            CU_ASSERT(mpq_cmp(e, s) < 0);
        }
    }
    mpq_clears(lo[0], lo[1], hi[0], hi[1], NULL);
    mpq_clear(e);
    qvec_clear(x, 2);
    qvec_clear(c, 2);
}

static void test_constant(void)
{
    gsl_rng *r = tu_rng();
    nn_t net;
    arbnet_t a;
    const_net(net, a);
    mpq_t R, s, piq;
    mpq_inits(R, s, piq, NULL);
    mpq_set_ui(R, 2, 1);
    mpq_set_ui(s, 1, 100);
    arb_t smin;
    arb_init(smin);
    arb_set_d(smin, 0.01);            /* not exact: a ball around 1/100 */
    arbnet_set_q(smin, s, 128);
    pocket2d_opts o;
    pocket2d_opts_default(&o);
    o.max_level = 8;
    pocket2d_t P, P2;
    pocket2d_init(P);
    pocket2d_init(P2);
    CU_ASSERT_EQUAL_FATAL(pocket2d_run(P, a, R, smin, NULL, NULL, &o), AE_OK);
    CU_ASSERT(P->complete);
    CU_ASSERT_EQUAL(P->h, 1);
    CU_ASSERT(P->nlow > 0 && P->npocket > 0);
    CU_ASSERT_EQUAL(P->nlow + P->npocket + P->nundecided, P->nboxes);
    mpq_set_si(piq, 314, 10000);      /* area >= pi s > 0.0314 */
    CU_ASSERT(mpq_cmp(P->area, piq) > 0);
    mpq_set_si(piq, 1, 10);
    CU_ASSERT(mpq_cmp(P->area, piq) < 0);
    check_constant_map(P, r, s);
    /* the same again: identical (deterministic) */
    CU_ASSERT_EQUAL_FATAL(pocket2d_run(P2, a, R, smin, NULL, NULL, &o), AE_OK);
    CU_ASSERT_EQUAL_FATAL(P2->nboxes, P->nboxes);
    CU_ASSERT(memcmp(P->boxes, P2->boxes, (size_t) P->nboxes * sizeof *P->boxes) == 0);
    /* with the output box {c}: the far boxes go by the box test, the same reported set */
    mpq_t *olo = qvec_init(2), *ohi = qvec_init(2);
    mpq_set_si(olo[0], 1, 4);
    mpq_set_si(olo[1], 3, 8);
    qvec_set(ohi, (const mpq_t *) olo, 2);
    CU_ASSERT_EQUAL_FATAL(pocket2d_run(P2, a, R, smin, (const mpq_t *) olo, (const mpq_t *) ohi,
                                       &o), AE_OK);
    CU_ASSERT(P2->nhigh_outbox > 0 && P2->nevals < P->nevals);
    check_constant_map(P2, r, s);
    /* the cap: undecided boxes, still complete as a cover */
    o.max_boxes = 12;
    CU_ASSERT_EQUAL_FATAL(pocket2d_run(P2, a, R, smin, NULL, NULL, &o), AE_OK);
    CU_ASSERT(!P2->complete && P2->nundecided > 0 && P2->nevals == 12);
    check_constant_map(P2, r, s);
    /* far / near classification */
    mpq_t *rows = qvec_init(2), delta;
    mpq_init(delta);
    mpq_set_si(rows[0], -1, 1);
    mpq_set_si(rows[1], -1, 1);
    mpq_set_ui(delta, 1, 2);
    CU_ASSERT_EQUAL(pocket2d_far(P, (const mpq_t *) rows, 1, delta), AE_OK);
    CU_ASSERT_EQUAL(P->nfar, P->nboxes);
    CU_ASSERT(mpq_equal(P->far_area, P->area));
    CU_ASSERT_EQUAL(P->nfar_low, P->nlow);
    CU_ASSERT(mpq_sgn(P->far_low_area) > 0 && mpq_cmp(P->far_low_area, P->area) < 0);
    qvec_set(rows, (const mpq_t *) olo, 2);
    CU_ASSERT_EQUAL(pocket2d_far(P, (const mpq_t *) rows, 1, delta), AE_OK);
    CU_ASSERT_EQUAL(P->nnear, P->nboxes);
    CU_ASSERT_EQUAL(P->nfar + P->nmixed + P->nfar_low, 0);
    /* misuse */
    mpq_set_si(R, -1, 1);
    TU_EXPECT_ERROR(pocket2d_run(P2, a, R, smin, NULL, NULL, NULL));
    mpq_set_si(R, 1, 1);
    o.max_level = 41;
    TU_EXPECT_ERROR(pocket2d_run(P2, a, R, smin, NULL, NULL, &o));
    TU_EXPECT_ERROR(pocket2d_run(P2, a, R, smin, (const mpq_t *) olo, NULL, NULL));
    mpq_set_si(delta, -1, 1);
    TU_EXPECT_ERROR(pocket2d_far(P, (const mpq_t *) rows, 1, delta));
    mpq_clear(delta);
    qvec_clear(rows, 2);
    qvec_clear(olo, 2);
    qvec_clear(ohi, 2);
    pocket2d_clear(P);
    pocket2d_clear(P2);
    arb_clear(smin);
    mpq_clears(R, s, piq, NULL);
    arbnet_clear(a);
    nn_clear(net);
    gsl_rng_free(r);
}

/* A random sigmoid net: sampled points that Arb proves below s_lo lie in reported boxes;
 * points outside every box are not provably below; non-square nets are refused. */
static void test_random_sigmoid(void)
{
    gsl_rng *r = tu_rng();
    static const long sizes[] = {2, 4, 1, 4, 2};
    nn_act_t act[] = {NN_SIGMOID, NN_SIGMOID, NN_SIGMOID, NN_IDENTITY};
    nn_t net;
    tu_rand_net(net, r, NN_F32, 4, sizes, act, 1);
    arbnet_t a;
    CU_ASSERT_EQUAL_FATAL(arbnet_init_nn(a, net), AE_OK);
    mpq_t R;
    mpq_init(R);
    mpq_set_ui(R, 3, 1);
    arb_t smin, e;
    arb_init(smin);
    arb_init(e);
    arb_set_d(smin, 0.05);
    pocket2d_opts o;
    pocket2d_opts_default(&o);
    o.max_level = 7;
    pocket2d_t P;
    pocket2d_init(P);
    CU_ASSERT_EQUAL_FATAL(pocket2d_run(P, a, R, smin, NULL, NULL, &o), AE_OK);
    mpq_t *x = qvec_init(2);
    arb_ptr xb = _arb_vec_init(2);
    for (int t = 0; t < 2000; t++) {
        for (int j = 0; j < 2; j++) {
            mpq_set_si(x[j], (long) gsl_rng_uniform_int(r, 4097) - 2048, 1024);   /* |x| < R */
            mpq_canonicalize(x[j]);
            arbnet_set_q(xb + j, x[j], 128);
        }
        CU_ASSERT_EQUAL(arbnet_score_scaled(e, a, xb, 128), AE_OK);
        long k = find_box(P, (const mpq_t *) x);
        if (arb_lt(e, smin))
            CU_ASSERT(k >= 0);
    }
    qvec_clear(x, 2);
    _arb_vec_clear(xb, 2);
    pocket2d_clear(P);
    arbnet_clear(a);
    nn_clear(net);
    static const long s3[] = {3, 3};
    nn_act_t a3[] = {NN_SIGMOID};
    tu_rand_net(net, r, NN_F32, 1, s3, a3, 1);
    CU_ASSERT_EQUAL_FATAL(arbnet_init_nn(a, net), AE_OK);
    pocket2d_init(P);
    TU_EXPECT_ERROR(pocket2d_run(P, a, R, smin, NULL, NULL, NULL));
    pocket2d_clear(P);
    arbnet_clear(a);
    nn_clear(net);
    arb_clear(smin);
    arb_clear(e);
    mpq_clear(R);
    gsl_rng_free(r);
}

int main(void)
{
    static const tu_test tests[] = {
        { "constant net: the disc pocket, box test, cap, far/near", test_constant },
        { "random sigmoid net: sampled completeness, misuse", test_random_sigmoid },
        { NULL, NULL }
    };
    return tu_run("pocket2d", 2002, tests);
}
