/* test_bounded — CUnit suite for theory/bounded (the N5 bound B, R*, pocket points). */
#include <math.h>
#include <stdlib.h>

#include <gmp.h>
#include <gsl/gsl_rng.h>

#include "arbnet.h"
#include "bounded.h"
#include "nn.h"
#include "qmat.h"
#include "qnet.h"
#include "qnum.h"
#include "testutil.h"

static void test_act_range(void)
{
    long lo = 5, hi = 5;
    CU_ASSERT(bounded_act_range(NN_SIGMOID, &lo, &hi) && lo == 0 && hi == 1);
    CU_ASSERT(bounded_act_range(NN_TANH, &lo, &hi) && lo == -1 && hi == 1);
    CU_ASSERT(bounded_act_range(NN_HARDTANH, NULL, NULL));
    CU_ASSERT(!bounded_act_range(NN_RELU, &lo, &hi));
    CU_ASSERT(!bounded_act_range(NN_SOFTPLUS, NULL, NULL));
    CU_ASSERT(!bounded_act_range(NN_IDENTITY, NULL, NULL));
}

/* A point k/4 scaled by 10^(0..3): near and far. */
static void rand_point(mpq_t *x, long n, gsl_rng *r)
{
    long s = 1;
    for (long e = (long) gsl_rng_uniform_int(r, 4); e > 0; e--)
        s *= 10;
    for (long i = 0; i < n; i++) {
        mpq_set_si(x[i], ((long) gsl_rng_uniform_int(r, 41) - 20) * s, 4);
        mpq_canonicalize(x[i]);
    }
}

/* hardtanh nets, exact: f(x) in O and ||f(x)||^2 <= B2 at near and far points, for the
 * three placements of the bounded layer. */
static void test_hardtanh_exact(void)
{
    gsl_rng *r = tu_rng();
    static const long s1[] = {3, 6, 3}, s2[] = {3, 5, 2, 4, 3}, s3[] = {3, 4, 3};
    const long *sz[] = {s1, s2, s3};
    long L[] = {2, 4, 2};
    nn_act_t a1[] = {NN_HARDTANH, NN_IDENTITY}, a2[] = {NN_RELU, NN_HARDTANH, NN_RELU,
                                                         NN_IDENTITY},
             a3[] = {NN_RELU, NN_HARDTANH};
    const nn_act_t *acts[] = {a1, a2, a3};
    int kinds[] = {BOUNDED_AFFINE, BOUNDED_INTERVAL, BOUNDED_OUTPUT};
    for (int c = 0; c < 3; c++) {
        nn_t net;
        tu_rand_net(net, r, NN_F32, L[c], sz[c], acts[c], 1);
        arbnet_t a;
        qnet_t q;
        CU_ASSERT_EQUAL_FATAL(arbnet_init_nn(a, net), AE_OK);
        CU_ASSERT_EQUAL_FATAL(qnet_init_nn(q, net), AE_OK);
        bounded_t b;
        bounded_init(b);
        CU_ASSERT_EQUAL_FATAL(bounded_compute(b, a, 64), AE_OK);
        CU_ASSERT_EQUAL(b->kind, kinds[c]);
        mpq_t *x = qvec_init(3), *y = qvec_init(3), n2, B2c;
        mpq_init(n2);
        mpq_init(B2c);
        mpq_mul(B2c, b->B, b->B);
        CU_ASSERT(mpq_cmp(B2c, b->B2) >= 0);
        for (int t = 0; t < 200; t++) {
            rand_point(x, 3, r);
            CU_ASSERT_EQUAL(qnet_eval(y, 3, NULL, q, (const mpq_t *) x, 3), AE_OK);
            for (long i = 0; i < 3; i++)
                CU_ASSERT(mpq_cmp(b->olo[i], y[i]) <= 0 && mpq_cmp(y[i], b->ohi[i]) <= 0);
            qvec_norm2(n2, (const mpq_t *) y, 3);
            CU_ASSERT(mpq_cmp(n2, b->B2) <= 0);
        }
        mpq_clear(n2);
        mpq_clear(B2c);
        qvec_clear(x, 3);
        qvec_clear(y, 3);
        bounded_clear(b);
        qnet_clear(q);
        arbnet_clear(a);
        nn_clear(net);
    }
    gsl_rng_free(r);
}

/* The vertex maximum against a brute-force loop over the vertices. */
static void test_vertex_bruteforce(void)
{
    gsl_rng *r = tu_rng();
    static const long sizes[] = {2, 7, 3};
    nn_act_t act[] = {NN_TANH, NN_IDENTITY};
    nn_t net;
    tu_rand_net(net, r, NN_F64, 2, sizes, act, 1);
    arbnet_t a;
    CU_ASSERT_EQUAL_FATAL(arbnet_init_nn(a, net), AE_OK);
    bounded_t b;
    bounded_init(b);
    CU_ASSERT_EQUAL_FATAL(bounded_compute(b, a, 64), AE_OK);
    CU_ASSERT_EQUAL(b->kind, BOUNDED_AFFINE);
    double *p = malloc((size_t) net->nparams * sizeof(double));
    nn_get_params(p, net);
    mpq_t best, n2, t, *y = qvec_init(3);
    mpq_inits(best, n2, t, NULL);
    for (unsigned v = 0; v < 128; v++) {
        for (long i = 0; i < 3; i++) {
            qnum_set_d(y[i], p[net->boff[1] + i]);
            for (long j = 0; j < 7; j++) {
                qnum_set_d(t, p[net->woff[1] + i * 7 + j]);
                if (v >> j & 1)
                    mpq_add(y[i], y[i], t);
                else
                    mpq_sub(y[i], y[i], t);
            }
        }
        qvec_norm2(n2, (const mpq_t *) y, 3);
        if (v == 0 || mpq_cmp(n2, best) > 0)
            mpq_set(best, n2);
    }
    CU_ASSERT(mpq_equal(best, b->B2));
    mpq_clears(best, n2, t, NULL);
    qvec_clear(y, 3);
    free(p);
    bounded_clear(b);
    arbnet_clear(a);
    nn_clear(net);
    gsl_rng_free(r);
}

/* sigmoid [2,2,2]: R* holds at far points (rigorous score > s_hi) and B/2 (a too-small
 * bound) is refuted by a far point with ||f||^2 > B^2/4 rigorously. */
static void test_radius_and_control(void)
{
    gsl_rng *r = tu_rng();
    static const long sizes[] = {2, 2, 2};
    nn_act_t act[] = {NN_SIGMOID, NN_IDENTITY};
    nn_t net;
    tu_rand_net(net, r, NN_F32, 2, sizes, act, 1);
    double X[40];
    for (int i = 0; i < 40; i++)
        X[i] = (double) gsl_rng_uniform_int(r, 17) / 16;
    bounded_scan_t S;
    bounded_scan_init(S);
    bounded_scan_opts o;
    bounded_scan_opts_default(&o);
    o.map_opts.max_level = 5;
    CU_ASSERT_EQUAL_FATAL(bounded_scan(S, net, X, 20, 2, &o), AE_OK);
    CU_ASSERT_EQUAL(S->verdict, BOUNDED_SAFE_BEYOND);
    CU_ASSERT(S->have_map);
    CU_ASSERT(mpq_cmp(S->smin_lo, S->smin_hi) <= 0);
    arbnet_t a;
    CU_ASSERT_EQUAL_FATAL(arbnet_init_nn(a, net), AE_OK);
    arb_ptr x = _arb_vec_init(2), y = _arb_vec_init(2);
    arb_t e, n2, lim;
    arb_init(e);
    arb_init(n2);
    arb_init(lim);
    arbnet_set_q(lim, S->bnd->B2, 128);
    arb_mul_2exp_si(lim, lim, -2);                 /* B^2 / 4 */
    double R = mpq_get_d(S->Rstar) * (1 + 1e-9);
    int refuted = 0;
    for (int t = 0; t < 400; t++) {
        double ang = 6.283185307179586 * t / 400.0, rad = R * (1 + (t % 7) * (t % 7) * 3.0);
        arb_set_d(x, rad * cos(ang));
        arb_set_d(x + 1, rad * sin(ang));
        CU_ASSERT_EQUAL(arbnet_score(e, a, x, 128), AE_OK);
        arf_t lo;
        arf_init(lo);
        arb_get_lbound_arf(lo, e, 128);
        CU_ASSERT(arf_cmp_d(lo, mpq_get_d(S->smin_hi)) > 0);
        arf_clear(lo);
        CU_ASSERT_EQUAL(arbnet_eval(y, a, x, 128), AE_OK);
        arb_sqr(n2, y, 128);
        arb_addmul(n2, y + 1, y + 1, 128);
        refuted |= arb_gt(n2, lim);
    }
    CU_ASSERT(refuted);
    arb_clear(e);
    arb_clear(n2);
    arb_clear(lim);
    _arb_vec_clear(x, 2);
    _arb_vec_clear(y, 2);
    arbnet_clear(a);
    bounded_scan_clear(S);
    nn_clear(net);
    gsl_rng_free(r);
}

/* f = constant c: the pocket point c is certified, one moved off (or too near the data)
 * is rejected; the search finds c. */
static void test_pocket_constant(void)
{
    static const long sizes[] = {2, 2, 2};
    nn_act_t act[] = {NN_SIGMOID, NN_IDENTITY};
    nn_t net;
    CU_ASSERT_EQUAL_FATAL(nn_init(net, NN_F64, 2, sizes, act, NULL, NULL), AE_OK);
    double *q = malloc((size_t) net->nparams * sizeof(double));
    for (long k = 0; k < net->nparams; k++)
        q[k] = 0;
    q[net->boff[1]] = 0.25;
    q[net->boff[1] + 1] = 0.375;
    CU_ASSERT_EQUAL_FATAL(nn_set_params(net, q), AE_OK);
    free(q);
    arbnet_t a;
    CU_ASSERT_EQUAL_FATAL(arbnet_init_nn(a, net), AE_OK);
    double X[4] = {0, 0, 1, 1};
    mpq_t *Xs = qvec_init(4), *pt = qvec_init(2), d2, delta;
    mpq_init(d2);
    mpq_init(delta);
    CU_ASSERT_EQUAL(bounded_scale_rows(Xs, a, X, 2, 2), AE_OK);
    arb_t smin, sc;
    arb_init(smin);
    arb_init(sc);
    arb_set_d(smin, 0.01);                 /* a stand-in s_min */
    mpq_set_ui(delta, 1, 5);
    mpq_set_si(pt[0], 1, 4);
    mpq_set_si(pt[1], 3, 8);
    int ok = 0;
    CU_ASSERT_EQUAL(bounded_pocket_check(&ok, sc, d2, a, (const mpq_t *) pt, (const mpq_t *) Xs,
                                         2, 2, delta, smin, 128), AE_OK);
    CU_ASSERT(ok);
    CU_ASSERT(arb_contains_zero(sc));
    mpq_set_si(pt[0], 1, 2);               /* moved off: e = 1/16 > 0.01 */
    CU_ASSERT_EQUAL(bounded_pocket_check(&ok, sc, d2, a, (const mpq_t *) pt, (const mpq_t *) Xs,
                                         2, 2, delta, smin, 128), AE_OK);
    CU_ASSERT(!ok);
    mpq_set_si(pt[0], 1, 4);
    mpq_set_ui(delta, 1, 2);               /* too near the data for delta = 1/2 */
    CU_ASSERT_EQUAL(bounded_pocket_check(&ok, sc, d2, a, (const mpq_t *) pt, (const mpq_t *) Xs,
                                         2, 2, delta, smin, 128), AE_OK);
    CU_ASSERT(!ok);
    double cand[6], lo[2] = {-1, -1}, hi[2] = {2, 2};
    long found = 0;
    CU_ASSERT_EQUAL(bounded_pocket_search(cand, &found, 3, a, X, 2, lo, hi, 31, 0.2), AE_OK);
    CU_ASSERT_FATAL(found >= 1);
    CU_ASSERT(fabs(cand[0] - 0.25) < 1e-9 && fabs(cand[1] - 0.375) < 1e-9);
    /* misuse */
    TU_EXPECT_ERROR(bounded_pocket_search(cand, &found, 3, a, X, 2, lo, hi, 1, 0.2));
    TU_EXPECT_ERROR(bounded_pocket_check(&ok, sc, d2, a, (const mpq_t *) pt, (const mpq_t *) Xs,
                                         0, 2, delta, smin, 128));
    TU_EXPECT_ERROR(bounded_compute(NULL, a, 64));
    arb_clear(smin);
    arb_clear(sc);
    mpq_clear(d2);
    mpq_clear(delta);
    qvec_clear(Xs, 4);
    qvec_clear(pt, 2);
    arbnet_clear(a);
    nn_clear(net);
}

/* No bounded layer: AE_ERANGE / NOT_APPLICABLE; scan misuse. */
static void test_not_applicable(void)
{
    gsl_rng *r = tu_rng();
    static const long sizes[] = {2, 3, 2};
    nn_act_t act[] = {NN_SOFTPLUS, NN_IDENTITY};
    nn_t net;
    tu_rand_net(net, r, NN_F32, 2, sizes, act, 1);
    arbnet_t a;
    CU_ASSERT_EQUAL_FATAL(arbnet_init_nn(a, net), AE_OK);
    bounded_t b;
    bounded_init(b);
    CU_ASSERT_EQUAL(bounded_compute(b, a, 64), AE_ERANGE);
    CU_ASSERT_EQUAL(b->kind, BOUNDED_NONE);
    bounded_clear(b);
    double X[4] = {0, 0, 1, 1};
    bounded_scan_t S;
    bounded_scan_init(S);
    CU_ASSERT_EQUAL(bounded_scan(S, net, X, 2, 2, NULL), AE_OK);
    CU_ASSERT_EQUAL(S->verdict, BOUNDED_NOT_APPLICABLE);
    CU_ASSERT(S->why[0] != 0);
    TU_EXPECT_ERROR(bounded_scan(S, net, X, 0, 2, NULL));
    TU_EXPECT_ERROR(bounded_scan(S, net, X, 2, 3, NULL));
    bounded_scan_clear(S);
    arbnet_clear(a);
    nn_clear(net);
    gsl_rng_free(r);
}

int main(void)
{
    static const tu_test tests[] = {
        { "activation ranges", test_act_range },
        { "hardtanh nets: exact f(x) in O, ||f||^2 <= B2", test_hardtanh_exact },
        { "vertex maximum vs brute force", test_vertex_bruteforce },
        { "R* at far points; B/2 refuted", test_radius_and_control },
        { "pocket point check and search, controls", test_pocket_constant },
        { "no bounded layer, misuse", test_not_applicable },
        { NULL, NULL }
    };
    return tu_run("bounded", 5005, tests);
}
