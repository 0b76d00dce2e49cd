/* test_qnet — CUnit suite for theory/qnet (the exact network of a float-trained nn_t). */
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include <gmp.h>
#include <gsl/gsl_rng.h>

#include "testutil.h"
#include "qmat.h"
#include "qnum.h"
#include "nn.h"
#include "qnet.h"

/* A dyadic point k/8, |k| <= 24: exactly a float, so both engines see the same x. */
static void rand_point(mpq_t *x, double *xd, long n, gsl_rng *r)
{
    for (long i = 0; i < n; i++) {
        long k = (long) gsl_rng_uniform_int(r, 49) - 24;
        mpq_set_si(x[i], k, 8);
        mpq_canonicalize(x[i]);
        xd[i] = k / 8.0;
    }
}

/* A crude forward error bound for the float evaluation: with s_l the largest absolute
 * row sum of [W_l b_l] and n_l the fan-in, each layer's rounding adds at most
 * (n_l + 2) eps s_l max(1, |a|) (every activation here is 1-Lipschitz, leaky slope < 1)
 * and the earlier error is amplified by s_l. */
static double err_bound(const nn_t net, double xmax)
{
    double *p = malloc((size_t) net->nparams * sizeof(double));
    nn_get_params(p, net);
    double eps = net->prec == NN_F32 ? FLT_EPSILON : DBL_EPSILON;
    double err = eps * xmax, mag = xmax;
    for (long l = 0; l < net->L; l++) {
        long nin = net->sizes[l], nout = net->sizes[l + 1];
        double s = 0;
        for (long j = 0; j < nout; j++) {
            double rs = 0;
            for (long i = 0; i < nin; i++)
                rs += fabs(p[net->woff[l] + j * nin + i]);
            if (net->bias[l])
                rs += fabs(p[net->boff[l] + j]);
            if (rs > s)
                s = rs;
        }
        mag = s * (mag > 1 ? mag : 1);
        err = s * err + (double) (nin + 2) * eps * mag;
    }
    free(p);
    return 4 * err;
}

static const nn_act_t ACTS[] = { NN_RELU, NN_LEAKY_RELU, NN_HARDTANH, NN_IDENTITY };

static void test_eval_vs_float(void)
{
    gsl_rng *r = tu_rng();
    static const long sizes[] = { 4, 7, 3, 6, 4 };
    for (int prec = NN_F32; prec <= NN_F64; prec += NN_F64 - NN_F32)
        for (int ai = 0; ai < 4; ai++)
            for (int bias = 0; bias <= 1; bias++) {
                nn_act_t act[4] = { ACTS[ai], ACTS[(ai + 1) % 4], ACTS[ai], NN_IDENTITY };
                nn_t net;
                tu_rand_net(net, r, prec, 4, sizes, act, bias);
                qnet_t q;
                CU_ASSERT_EQUAL_FATAL(qnet_init_nn(q, net), AE_OK);
                double tol = err_bound(net, 3);
                mpq_t *x = qvec_init(4), *y = qvec_init(4);
                for (int rep = 0; rep < 20; rep++) {
                    double xd[4], yd[4];
                    rand_point(x, xd, 4, r);
                    CU_ASSERT_EQUAL(qnet_eval(y, 4, NULL, q, x, 4), AE_OK);
                    CU_ASSERT_EQUAL(nn_forward(yd, net, xd, 1), AE_OK);
                    for (int i = 0; i < 4; i++)
                        CU_ASSERT(fabs(qnum_get_d(y[i]) - yd[i]) <= tol);
                    /* score: exact equals ||x - f(x)||^2 */
                    mpq_t e, e2;
                    mpq_inits(e, e2, (mpq_ptr) NULL);
                    CU_ASSERT_EQUAL(qnet_score(e, q, x, 4), AE_OK);
                    qvec_dist2(e2, x, y, 4);
                    CU_ASSERT(mpq_equal(e, e2));
                    mpq_clears(e, e2, (mpq_ptr) NULL);
                }
                qvec_clear(x, 4);
                qvec_clear(y, 4);
                qnet_clear(q);
                nn_clear(net);
            }
    gsl_rng_free(r);
}

/* f(x) = A_p x + c_p at x for the pattern p found at x (second method: masked products). */
static void test_affine_identity(void)
{
    gsl_rng *r = tu_rng();
    static const long sizes[] = { 3, 6, 2, 5, 3 };
    for (int ai = 0; ai < 3; ai++) {
        nn_act_t act[4] = { ACTS[ai], ACTS[(ai + 2) % 3], ACTS[ai], NN_IDENTITY };
        nn_t net;
        tu_rand_net(net, r, NN_F32, 4, sizes, act, 1);
        qnet_t q, f0;
        CU_ASSERT_EQUAL_FATAL(qnet_init_nn(q, net), AE_OK);
        CU_ASSERT_EQUAL_FATAL(qnet_init_recession(f0, q), AE_OK);
        mpq_t *x = qvec_init(3), *y = qvec_init(3), *z = qvec_init(3), *c = qvec_init(3);
        signed char *pat = malloc((size_t) q->nunits);
        qmat_t A;
        qmat_init(A, 3, 3);
        for (int rep = 0; rep < 20; rep++) {
            for (int i = 0; i < 3; i++)
                tu_rand_q(x[i], r, 30, 7);
            for (int w = 0; w < 2; w++) {
                const qnet_struct *g = w ? f0 : q;
                CU_ASSERT_EQUAL(qnet_eval(y, 3, pat, g, x, 3), AE_OK);
                CU_ASSERT_EQUAL(qnet_affine(A, c, g, pat), AE_OK);
                qmat_mul_vec(z, A, x);
                qvec_add(z, z, c, 3);
                CU_ASSERT(qvec_equal(z, y, 3));
                if (w)
                    CU_ASSERT(qvec_is_zero(c, 3));
            }
        }
        free(pat);
        qmat_clear(A);
        qvec_clear(x, 3);
        qvec_clear(y, 3);
        qvec_clear(z, 3);
        qvec_clear(c, 3);
        qnet_clear(q);
        qnet_clear(f0);
        nn_clear(net);
    }
    gsl_rng_free(r);
}

/* Positive homogeneity: f0(c x) = c f0(x); a bias-free relu/leaky net is homogeneous; a
 * net with biases is not (negative control). */
static void test_homogeneity(void)
{
    gsl_rng *r = tu_rng();
    static const long sizes[] = { 3, 8, 2, 8, 3 };
    for (int bias = 0; bias <= 1; bias++)
        for (int ai = 0; ai < 3; ai++) {
            nn_act_t act[4] = { ACTS[ai], ACTS[ai], ACTS[(ai + 1) % 3], NN_IDENTITY };
            nn_t net;
            tu_rand_net(net, r, NN_F64, 4, sizes, act, bias);
            qnet_t q, f0;
            CU_ASSERT_EQUAL_FATAL(qnet_init_nn(q, net), AE_OK);
            CU_ASSERT_EQUAL_FATAL(qnet_init_recession(f0, q), AE_OK);
            CU_ASSERT(qnet_is_homogeneous(f0));
            int homog = !bias && act[0] != NN_HARDTANH && act[2] != NN_HARDTANH;
            CU_ASSERT_EQUAL(qnet_is_homogeneous(q), homog);
            mpq_t *x = qvec_init(3), *cx = qvec_init(3), *y = qvec_init(3), *cy = qvec_init(3);
            mpq_t cc;
            mpq_init(cc);
            int differs = 0;
            for (int rep = 0; rep < 10; rep++) {
                for (int i = 0; i < 3; i++)
                    tu_rand_q(x[i], r, 20, 9);
                tu_rand_q(cc, r, 50, 7);
                mpq_abs(cc, cc);
                mpq_set_si(cx[0], 1, 1);
                mpq_add(cc, cc, cx[0]);       /* c >= 1 */
                qvec_scale(cx, x, cc, 3);
                for (int w = 0; w < 2; w++) {
                    const qnet_struct *g = w ? q : f0;
                    qnet_eval(y, 3, NULL, g, x, 3);
                    qnet_eval(cy, 3, NULL, g, cx, 3);
                    qvec_scale(y, y, cc, 3);
                    if (w == 0 || homog) {
                        CU_ASSERT(qvec_equal(y, cy, 3));
                    } else if (!qvec_equal(y, cy, 3)) {
                        differs = 1;
                    }
                }
            }
            if (bias)
                CU_ASSERT(differs);   /* the negative control must see the biases */
            mpq_clear(cc);
            qvec_clear(x, 3);
            qvec_clear(cx, 3);
            qvec_clear(y, 3);
            qvec_clear(cy, 3);
            qnet_clear(q);
            qnet_clear(f0);
            nn_clear(net);
        }
    gsl_rng_free(r);
}

/* A trained tiny AE: exact evaluation still agrees with the float engine. */
static void test_trained(void)
{
    gsl_rng *r = tu_rng();
    static const long sizes[] = { 2, 5, 1, 5, 2 };
    nn_act_t act[4] = { NN_RELU, NN_RELU, NN_LEAKY_RELU, NN_IDENTITY };
    nn_t net;
    tu_rand_net(net, r, NN_F32, 4, sizes, act, 1);
    double X[200];
    for (int i = 0; i < 100; i++)
        X[2 * i] = X[2 * i + 1] = gsl_rng_uniform(r);
    tu_train(net, X, 100, 0.01, 10, 20);
    qnet_t q;
    CU_ASSERT_EQUAL_FATAL(qnet_init_nn(q, net), AE_OK);
    double tol = err_bound(net, 3);
    mpq_t *x = qvec_init(2), *y = qvec_init(2);
    for (int rep = 0; rep < 50; rep++) {
        double xd[2], yd[2];
        rand_point(x, xd, 2, r);
        qnet_eval(y, 2, NULL, q, x, 2);
        nn_forward(yd, net, xd, 1);
        for (int i = 0; i < 2; i++)
            CU_ASSERT(fabs(qnum_get_d(y[i]) - yd[i]) <= tol);
    }
    qvec_clear(x, 2);
    qvec_clear(y, 2);
    qnet_clear(q);
    nn_clear(net);
    gsl_rng_free(r);
}

/* d = 1, one identity layer: f(x) = w x + b exactly. */
static void test_single_identity(void)
{
    static const long sizes[] = { 1, 1 };
    nn_act_t act[1] = { NN_IDENTITY };
    nn_t net;
    CU_ASSERT_EQUAL_FATAL(nn_init(net, NN_F32, 1, sizes, act, NULL, NULL), AE_OK);
    double p[2] = { 0.75, -1.0 / 1024 };
    CU_ASSERT_EQUAL_FATAL(nn_set_params(net, p), AE_OK);
    qnet_t q;
    CU_ASSERT_EQUAL_FATAL(qnet_init_nn(q, net), AE_OK);
    mpq_t *x = qvec_init(1), *y = qvec_init(1);
    mpq_t want;
    mpq_init(want);
    mpq_set_si(x[0], -5, 3);
    qnet_eval(y, 1, NULL, q, x, 1);
    mpq_set_si(want, -1281, 1024);   /* (3/4)(-5/3) - 1/1024 = -5/4 - 1/1024 */
    CU_ASSERT(mpq_equal(y[0], want));
    qmat_t A;
    qmat_init(A, 1, 1);
    signed char pat[1] = { QNET_ON };
    mpq_t *c = qvec_init(1);
    CU_ASSERT_EQUAL(qnet_affine(A, c, q, pat), AE_OK);
    mpq_set_si(want, 3, 4);
    CU_ASSERT(mpq_equal(qmat_entry(A, 0, 0), want));
    mpq_set_si(want, -1, 1024);
    CU_ASSERT(mpq_equal(c[0], want));
    qvec_clear(c, 1);
    qmat_clear(A);
    mpq_clear(want);
    qvec_clear(x, 1);
    qvec_clear(y, 1);
    qnet_clear(q);
    nn_clear(net);
}

static void test_unsupported_and_misuse(void)
{
    static const long sizes[] = { 2, 3, 2 };
    nn_act_t bad[] = { NN_TANH, NN_SIGMOID, NN_SOFTPLUS, NN_ELU, NN_GELU, NN_SILU };
    for (int i = 0; i < 6; i++) {
        nn_act_t act[2] = { bad[i], NN_IDENTITY };
        nn_t net;
        CU_ASSERT_EQUAL_FATAL(nn_init(net, NN_F64, 2, sizes, act, NULL, NULL), AE_OK);
        qnet_t q;
        CU_ASSERT_FALSE(qnet_act_supported(bad[i]));
        CU_ASSERT_EQUAL(qnet_init_nn(q, net), AE_ERANGE);
        nn_clear(net);
    }
    nn_act_t act[2] = { NN_RELU, NN_IDENTITY };
    nn_t net;
    CU_ASSERT_EQUAL_FATAL(nn_init(net, NN_F64, 2, sizes, act, NULL, NULL), AE_OK);
    qnet_t q;
    CU_ASSERT_EQUAL_FATAL(qnet_init_nn(q, net), AE_OK);
    mpq_t *x = qvec_init(3), *y = qvec_init(3);
    mpq_t e;
    mpq_init(e);
    TU_EXPECT_ERROR(qnet_eval(y, 2, NULL, q, x, 3));
    TU_EXPECT_ERROR(qnet_eval(y, 3, NULL, q, x, 2));
    TU_EXPECT_ERROR(qnet_score(e, q, x, 1));
    signed char pat[5] = { QNET_ON, QNET_HI, QNET_OFF, QNET_ON, QNET_ON };  /* HI on relu */
    qmat_t A;
    qmat_init(A, 2, 2);
    TU_EXPECT_ERROR(qnet_affine(A, NULL, q, pat));
    pat[1] = QNET_ON;
    pat[3] = QNET_OFF;                                   /* OFF on identity */
    TU_EXPECT_ERROR(qnet_affine(A, NULL, q, pat));
    qmat_clear(A);
    qmat_init(A, 2, 3);
    pat[3] = QNET_ON;
    TU_EXPECT_ERROR(qnet_affine(A, NULL, q, pat));
    qmat_clear(A);
    mpq_clear(e);
    qvec_clear(x, 3);
    qvec_clear(y, 3);
    qnet_clear(q);
    nn_clear(net);
}

/* qnet_layer_double gives the nn_t's own parameters back bit for bit (second method:
 * nn_get_params), zeros for a missing bias; a mantissa with 60 significant bits is not a
 * double (AE_ERANGE). */
static void test_layer_double(void)
{
    gsl_rng *r = tu_rng();
    static const long sizes[] = { 3, 4, 3 };
    nn_act_t act[2] = { NN_LEAKY_RELU, NN_IDENTITY };
    double ap[2] = { 0.3, 0 };
    int bias[2] = { 1, 0 };
    for (int prec = 0; prec < 2; prec++) {
        nn_t net;
        CU_ASSERT_EQUAL_FATAL(nn_init(net, prec ? NN_F64 : NN_F32, 2, sizes, act, ap, bias), AE_OK);
        CU_ASSERT_EQUAL_FATAL(nn_init_params(net, NN_INIT_TORCH, r), AE_OK);
        double p[64], W[16], b[4], slope;
        nn_get_params(p, net);
        qnet_t q;
        CU_ASSERT_EQUAL_FATAL(qnet_init_nn(q, net), AE_OK);
        for (long l = 0; l < 2; l++) {
            CU_ASSERT_EQUAL(qnet_layer_double(W, b, &slope, q, l), AE_OK);
            for (long k = 0; k < sizes[l] * sizes[l + 1]; k++)
                CU_ASSERT(W[k] == p[net->woff[l] + k]);
            for (long k = 0; k < sizes[l + 1]; k++)
                CU_ASSERT(b[k] == (net->bias[l] ? p[net->boff[l] + k] : 0));
            CU_ASSERT(slope == (l == 0 ? net->act_param[0] : 0));
        }
        CU_ASSERT_EQUAL(qnet_layer_double(NULL, NULL, NULL, q, 1), AE_OK);
        mpz_set_ui(q->W[0][0], 1);
        mpz_mul_2exp(q->W[0][0], q->W[0][0], 59);
        mpz_add_ui(q->W[0][0], q->W[0][0], 1);          /* 2^59 + 1: 60 significant bits */
        CU_ASSERT_EQUAL(qnet_layer_double(W, NULL, NULL, q, 0), AE_ERANGE);
        TU_EXPECT_ERROR(qnet_layer_double(W, b, NULL, q, 2));
        qnet_clear(q);
        nn_clear(net);
    }
    gsl_rng_free(r);
}

/* The scaling is copied exactly and applied as (x - lo)/(hi - lo), x - lo where hi == lo
 * (nn.h's MinMaxScaler convention: 9 - 5 = 4). */
static void test_scaling(void)
{
    static const long sizes[] = { 2, 2 };
    nn_act_t act[1] = { NN_IDENTITY };
    nn_t net;
    CU_ASSERT_EQUAL_FATAL(nn_init(net, NN_F64, 1, sizes, act, NULL, NULL), AE_OK);
    mpq_t *lo = qvec_init(2), *hi = qvec_init(2), *x = qvec_init(2), *xs = qvec_init(2);
    mpq_set_si(lo[0], 1, 3);
    mpq_set_si(hi[0], 7, 3);
    mpq_set_si(lo[1], 5, 1);
    mpq_set_si(hi[1], 5, 1);
    nn_set_scale(net, (const mpq_t *) lo, (const mpq_t *) hi);
    qnet_t q;
    CU_ASSERT_EQUAL_FATAL(qnet_init_nn(q, net), AE_OK);
    CU_ASSERT_EQUAL(q->nscale, 2);
    mpq_set_si(x[0], 4, 3);
    mpq_set_si(x[1], 9, 1);
    CU_ASSERT_EQUAL(qnet_scale_point(xs, q, x, 2), AE_OK);
    mpq_set_si(x[0], 1, 2);
    CU_ASSERT(mpq_equal(xs[0], x[0]));
    CU_ASSERT_EQUAL(mpq_cmp_si(xs[1], 4, 1), 0);
    TU_EXPECT_ERROR(qnet_scale_point(xs, q, x, 1));
    qvec_clear(lo, 2);
    qvec_clear(hi, 2);
    qvec_clear(x, 2);
    qvec_clear(xs, 2);
    qnet_clear(q);
    nn_clear(net);
}

int main(void)
{
    static const tu_test tests[] = {
        { "exact evaluation vs float engine", test_eval_vs_float },
        { "affine map of a pattern", test_affine_identity },
        { "homogeneity of f0, negative control", test_homogeneity },
        { "trained network", test_trained },
        { "single identity layer, d = 1", test_single_identity },
        { "unsupported activations, misuse", test_unsupported_and_misuse },
        { "scaling", test_scaling },
        { "layers as doubles: exact, AE_ERANGE beyond 53 bits", test_layer_double },
        { NULL, NULL }
    };
    return tu_run("qnet", 8008, tests);
}
