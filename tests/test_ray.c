/* test_ray — CUnit suite for theory/ray (breakpoints and final pieces, claims N1, N2). */
#include <stdlib.h>

#include <gmp.h>
#include <gsl/gsl_rng.h>

#include "testutil.h"
#include "qmat.h"
#include "nn.h"
#include "qnet.h"
#include "ray.h"

/* x = x0 + t v. */
static void ray_point(mpq_t *x, const mpq_t *x0, const mpq_t *v, const mpq_t t, long n)
{
    qvec_set(x, x0, n);
    qvec_addmul(x, v, t, n);
}

/* y = alpha + t beta. */
static void affine_at(mpq_t *y, const mpq_t *alpha, const mpq_t *beta, const mpq_t t, long n)
{
    qvec_set(y, alpha, n);
    qvec_addmul(y, beta, t, n);
}

/* The N1/N2 identities for one network and one ray; returns the number of pieces. */
static long check_ray(const qnet_t q, const qnet_t f0, const mpq_t *x0, const mpq_t *v,
                      gsl_rng *r)
{
    long d = qnet_din(q), m = qnet_dout(q);
    ray_pieces_t P;
    ray_final_t F;
    ray_pieces_init(P, q);
    ray_final_init(F, q);
    CU_ASSERT_EQUAL_FATAL(ray_pieces(P, q, x0, v, d, 0), AE_OK);
    CU_ASSERT_EQUAL_FATAL(ray_final(F, q, x0, v, d), AE_OK);
    CU_ASSERT_FATAL(P->n >= 1);
    CU_ASSERT_EQUAL(mpq_sgn(P->t[0]), 0);
    mpq_t *x = qvec_init(d), *y = qvec_init(m), *z = qvec_init(m);
    mpq_t t, u, len;
    mpq_inits(t, u, len, (mpq_ptr) NULL);
    for (long k = 0; k < P->n; k++) {
        if (k > 0) {
            CU_ASSERT(mpq_cmp(P->t[k], P->t[k - 1]) > 0);
            /* continuity at the breakpoint */
            affine_at(y, ray_alpha(P, k - 1), ray_beta(P, k - 1), P->t[k], m);
            affine_at(z, ray_alpha(P, k), ray_beta(P, k), P->t[k], m);
            CU_ASSERT(qvec_equal(y, z, m));
        }
        /* random rational t inside the piece (beyond t_k on the last one) */
        for (int rep = 0; rep < 3; rep++) {
            unsigned long den = 2 + gsl_rng_uniform_int(r, 50);
            mpq_set_ui(u, 1 + gsl_rng_uniform_int(r, den - 1), den);
            mpq_canonicalize(u);
            if (k + 1 < P->n)
                mpq_sub(len, P->t[k + 1], P->t[k]);
            else
                mpq_set_ui(len, 1 + gsl_rng_uniform_int(r, 100), 1);
            mpq_mul(t, u, len);
            mpq_add(t, t, P->t[k]);
            ray_point(x, x0, v, t, d);
            qnet_eval(y, m, NULL, q, x, d);
            affine_at(z, ray_alpha(P, k), ray_beta(P, k), t, m);
            CU_ASSERT(qvec_equal(y, z, m));
        }
    }
    /* the direct final piece is the enumeration's last one */
    long last = P->n - 1;
    CU_ASSERT(mpq_equal(F->T, P->t[last]));
    CU_ASSERT(qvec_equal(F->alpha, ray_alpha(P, last), m));
    CU_ASSERT(qvec_equal(F->beta, ray_beta(P, last), m));
    /* N2: beta = f0(v); negative control: a wrong slope is rejected */
    CU_ASSERT_EQUAL(ray_slope_is_recession(f0, v, d, F->beta, m), 1);
    mpq_set_si(u, 1, 7);
    mpq_add(F->beta[0], F->beta[0], u);
    CU_ASSERT_EQUAL(ray_slope_is_recession(f0, v, d, F->beta, m), 0);
    mpq_sub(F->beta[0], F->beta[0], u);
    /* the score quadratic on [T, inf) */
    if (d == m) {
        CU_ASSERT(F->has_score);
        for (int rep = 0; rep < 3; rep++) {
            mpq_set_ui(u, gsl_rng_uniform_int(r, 1000), 1 + gsl_rng_uniform_int(r, 9));
            mpq_canonicalize(u);
            mpq_add(t, F->T, u);
            ray_point(x, x0, v, t, d);
            mpq_t e, w;
            mpq_inits(e, w, (mpq_ptr) NULL);
            qnet_score(e, q, x, d);
            mpq_mul(w, F->a, t);
            mpq_add(w, w, F->b);
            mpq_mul(w, w, t);
            mpq_add(w, w, F->c);
            CU_ASSERT(mpq_equal(e, w));
            mpq_clears(e, w, (mpq_ptr) NULL);
        }
    }
    long np = P->n;
    mpq_clears(t, u, len, (mpq_ptr) NULL);
    qvec_clear(x, d);
    qvec_clear(y, m);
    qvec_clear(z, m);
    ray_pieces_clear(P);
    ray_final_clear(F);
    return np;
}

static void rand_vec(mpq_t *v, long n, gsl_rng *r, long M, unsigned long D)
{
    for (long i = 0; i < n; i++)
        tu_rand_q(v[i], r, M, D);
}

static void test_random_rays(void)
{
    gsl_rng *r = tu_rng();
    static const long sizes[] = { 3, 9, 4, 9, 3 };
    static const nn_act_t A[] = { NN_RELU, NN_LEAKY_RELU, NN_HARDTANH };
    long total = 0;
    for (int prec = NN_F32; prec <= NN_F64; prec += NN_F64 - NN_F32)
        for (int ai = 0; ai < 3; ai++)
            for (int bias = 0; bias <= 1; bias++) {
                nn_act_t act[4] = { A[ai], A[(ai + 1) % 3], A[ai], NN_IDENTITY };
                nn_t net;
                tu_rand_net(net, r, prec, 4, sizes, act, bias);
                qnet_t q, f0;
                CU_ASSERT_EQUAL_FATAL(qnet_init_nn(q, net), AE_OK);
                CU_ASSERT_EQUAL_FATAL(qnet_init_recession(f0, q), AE_OK);
                mpq_t *x0 = qvec_init(3), *v = qvec_init(3);
                for (int rep = 0; rep < 5; rep++) {
                    rand_vec(x0, 3, r, 20, 7);
                    rand_vec(v, 3, r, 9, 5);
                    total += check_ray(q, f0, x0, v, r);
                }
                qvec_clear(x0, 3);
                qvec_clear(v, 3);
                qnet_clear(q);
                qnet_clear(f0);
                nn_clear(net);
            }
    CU_ASSERT(total > 60);   /* the rays do cross units: there are breakpoints to check */
    gsl_rng_free(r);
}

/* A bias-free relu net along the ray from 0: f(t v) = t f0(v), one piece, T = 0. */
static void test_homogeneous_ray(void)
{
    gsl_rng *r = tu_rng();
    static const long sizes[] = { 4, 6, 4 };
    nn_act_t act[2] = { NN_RELU, NN_IDENTITY };
    nn_t net;
    tu_rand_net(net, r, NN_F32, 2, sizes, act, 0);
    qnet_t q, f0;
    CU_ASSERT_EQUAL_FATAL(qnet_init_nn(q, net), AE_OK);
    CU_ASSERT_EQUAL_FATAL(qnet_init_recession(f0, q), AE_OK);
    mpq_t *x0 = qvec_init(4), *v = qvec_init(4), *y = qvec_init(4);
    rand_vec(v, 4, r, 9, 5);
    ray_pieces_t P;
    ray_pieces_init(P, q);
    CU_ASSERT_EQUAL(ray_pieces(P, q, x0, v, 4, 0), AE_OK);
    CU_ASSERT_EQUAL(P->n, 1);
    CU_ASSERT(qvec_is_zero(ray_alpha(P, 0), 4));
    qnet_eval(y, 4, NULL, f0, v, 4);
    CU_ASSERT(qvec_equal(y, ray_beta(P, 0), 4));
    /* a bound on the count is honoured */
    rand_vec(x0, 4, r, 20, 3);
    ray_pieces_clear(P);
    ray_pieces_init(P, q);
    int rc = ray_pieces(P, q, x0, v, 4, 1);
    CU_ASSERT(rc == AE_OK || (rc == AE_ERANGE && P->n == 1));
    ray_pieces_clear(P);
    qvec_clear(x0, 4);
    qvec_clear(v, 4);
    qvec_clear(y, 4);
    qnet_clear(q);
    qnet_clear(f0);
    nn_clear(net);
    gsl_rng_free(r);
}

/* An identity-only net is affine: one piece, T = 0; v = 0 is a constant ray. */
static void test_affine_net(void)
{
    gsl_rng *r = tu_rng();
    static const long sizes[] = { 2, 3, 2 };
    nn_act_t act[2] = { NN_IDENTITY, NN_IDENTITY };
    nn_t net;
    tu_rand_net(net, r, NN_F64, 2, sizes, act, 1);
    qnet_t q, f0;
    CU_ASSERT_EQUAL_FATAL(qnet_init_nn(q, net), AE_OK);
    CU_ASSERT_EQUAL_FATAL(qnet_init_recession(f0, q), AE_OK);
    mpq_t *x0 = qvec_init(2), *v = qvec_init(2);
    rand_vec(x0, 2, r, 9, 4);
    rand_vec(v, 2, r, 9, 4);
    CU_ASSERT_EQUAL(check_ray(q, f0, x0, v, r), 1);
    qvec_zero(v, 2);
    CU_ASSERT_EQUAL(check_ray(q, f0, x0, v, r), 1);
    qvec_clear(x0, 2);
    qvec_clear(v, 2);
    qnet_clear(q);
    qnet_clear(f0);
    nn_clear(net);
    gsl_rng_free(r);
}

/* A trained tiny AE (the paper's [2,5,1,5,2] shape) along random rays. */
static void test_trained_rays(void)
{
    gsl_rng *r = tu_rng();
    static const long sizes[] = { 2, 5, 1, 5, 2 };
    nn_act_t act[4] = { NN_RELU, NN_RELU, NN_RELU, NN_IDENTITY };
    nn_t net;
    tu_rand_net(net, r, NN_F32, 4, sizes, act, 1);
    double X[200];
    for (int i = 0; i < 100; i++)
        X[2 * i] = X[2 * i + 1] = gsl_rng_uniform(r);
    tu_train(net, X, 100, 0.01, 10, 20);
    qnet_t q, f0;
    CU_ASSERT_EQUAL_FATAL(qnet_init_nn(q, net), AE_OK);
    CU_ASSERT_EQUAL_FATAL(qnet_init_recession(f0, q), AE_OK);
    mpq_t *x0 = qvec_init(2), *v = qvec_init(2);
    for (int rep = 0; rep < 20; rep++) {
        rand_vec(x0, 2, r, 9, 8);
        rand_vec(v, 2, r, 9, 8);
        check_ray(q, f0, x0, v, r);
    }
    qvec_clear(x0, 2);
    qvec_clear(v, 2);
    qnet_clear(q);
    qnet_clear(f0);
    nn_clear(net);
    gsl_rng_free(r);
}

static void test_misuse(void)
{
    gsl_rng *r = tu_rng();
    static const long sizes[] = { 2, 3, 2 }, sizes3[] = { 3, 3, 3 };
    nn_act_t act[2] = { NN_RELU, NN_IDENTITY };
    nn_t net, net3;
    tu_rand_net(net, r, NN_F64, 2, sizes, act, 1);
    tu_rand_net(net3, r, NN_F64, 2, sizes3, act, 1);
    qnet_t q, q3;
    CU_ASSERT_EQUAL_FATAL(qnet_init_nn(q, net), AE_OK);
    CU_ASSERT_EQUAL_FATAL(qnet_init_nn(q3, net3), AE_OK);
    mpq_t *x0 = qvec_init(3), *v = qvec_init(3);
    ray_final_t F;
    ray_pieces_t P;
    ray_final_init(F, q);
    ray_pieces_init(P, q);
    TU_EXPECT_ERROR(ray_final(F, q, x0, v, 3));
    TU_EXPECT_ERROR(ray_pieces(P, q, x0, v, 1, 0));
    TU_EXPECT_ERROR(ray_final(F, q3, x0, v, 3));      /* F belongs to q */
    TU_EXPECT_ERROR(ray_slope_is_recession(q, v, 3, x0, 2));
    ray_final_clear(F);
    ray_pieces_clear(P);
    qvec_clear(x0, 3);
    qvec_clear(v, 3);
    qnet_clear(q);
    qnet_clear(q3);
    nn_clear(net);
    nn_clear(net3);
    gsl_rng_free(r);
}

int main(void)
{
    static const tu_test tests[] = {
        { "random rays: pieces, continuity, final piece, slope, score", test_random_rays },
        { "homogeneous ray from the origin", test_homogeneous_ray },
        { "affine network", test_affine_net },
        { "trained network rays", test_trained_rays },
        { "misuse", test_misuse },
        { NULL, NULL }
    };
    return tu_run("ray", 8009, tests);
}
