/* test_arbnet — CUnit suite for theory/arbnet (rigorous Arb evaluation of an nn_t).
 *
 * Second methods: the exact network (qnet) for piecewise-linear activations, an MPFR
 * 256-bit forward pass (written here, independently) for the smooth ones. */
#include <math.h>
#include <stdlib.h>

#include <flint/fmpq.h>
#include <gmp.h>
#include <gsl/gsl_rng.h>
#include <mpfr.h>

#include "arbnet.h"
#include "nn.h"
#include "qmat.h"
#include "qnet.h"
#include "testutil.h"

static int contains_q(const arb_t b, const mpq_t q)
{
    fmpq_t f;
    fmpq_init(f);
    fmpq_set_mpq(f, q);
    int r = arb_contains_fmpq(b, f);
    fmpq_clear(f);
    return r;
}

/* A dyadic point k/16, |k| <= 32. */
static void rand_point(mpq_t *x, long n, gsl_rng *r)
{
    for (long i = 0; i < n; i++) {
        mpq_set_si(x[i], (long) gsl_rng_uniform_int(r, 65) - 32, 16);
        mpq_canonicalize(x[i]);
    }
}

static void set_scaling(nn_t net, long d)
{
    mpq_t *lo = qvec_init(d), *hi = qvec_init(d);
    for (long i = 0; i < d; i++) {
        mpq_set_si(lo[i], -(long) i - 1, 3);
        mpq_set_si(hi[i], i == 1 ? -2 : 5 + (long) i, i == 1 ? 6 : 7);   /* hi == lo for i = 1 */
        mpq_canonicalize(lo[i]);
        mpq_canonicalize(hi[i]);
    }
    nn_set_scale(net, (const mpq_t *) lo, (const mpq_t *) hi);
    qvec_clear(lo, d);
    qvec_clear(hi, d);
}

static const nn_act_t PL[] = { NN_RELU, NN_LEAKY_RELU, NN_HARDTANH, NN_IDENTITY };

/* Exact qnet value inside the ball at a point, and inside the ball of a box around it. */
static void test_pl_contains_exact(void)
{
    gsl_rng *r = tu_rng();
    static const long sizes[] = { 3, 6, 2, 5, 3 };
    for (int k = 0; k < 4; k++) {
        nn_act_t act[] = { PL[k], PL[(k + 1) % 4], PL[(k + 2) % 4], NN_IDENTITY };
        nn_t net;
        tu_rand_net(net, r, k % 2 ? NN_F64 : NN_F32, 4, sizes, act, 1);
        if (k >= 2)
            set_scaling(net, 3);
        qnet_t q;
        arbnet_t a;
        CU_ASSERT_EQUAL_FATAL(qnet_init_nn(q, net), AE_OK);
        CU_ASSERT_EQUAL_FATAL(arbnet_init_nn(a, net), AE_OK);
        mpq_t *x = qvec_init(3), *xs = qvec_init(3), *y = qvec_init(3), *z = qvec_init(3);
        arb_ptr xb = _arb_vec_init(3), yb = _arb_vec_init(3), box = _arb_vec_init(3);
        arb_t e, eb;
        arb_init(e);
        arb_init(eb);
        mpq_t ex;
        mpq_init(ex);
        for (int t = 0; t < 40; t++) {
            rand_point(x, 3, r);
            CU_ASSERT_EQUAL(qnet_scale_point(xs, q, (const mpq_t *) x, 3), AE_OK);
            CU_ASSERT_EQUAL(qnet_eval(y, 3, NULL, q, (const mpq_t *) xs, 3), AE_OK);
            CU_ASSERT_EQUAL(qnet_score(ex, q, (const mpq_t *) xs, 3), AE_OK);
            for (long i = 0; i < 3; i++)
                arbnet_set_q(xb + i, x[i], 128);
            CU_ASSERT_EQUAL(arbnet_eval(yb, a, xb, 128), AE_OK);
            CU_ASSERT_EQUAL(arbnet_score_q(e, a, (const mpq_t *) x, 3, 128), AE_OK);
            for (long i = 0; i < 3; i++)
                CU_ASSERT(contains_q(yb + i, y[i]));
            CU_ASSERT(contains_q(e, ex));
            /* a box of half-width 1/8 around x: contains the exact value at x and at a
             * point inside it (balls straddling kinks) */
            for (long i = 0; i < 3; i++) {
                arb_set(box + i, xb + i);
                mag_set_d(arb_radref(box + i), 0.125);
            }
            CU_ASSERT_EQUAL(arbnet_score(eb, a, box, 64), AE_OK);
            CU_ASSERT(contains_q(eb, ex));
            for (long i = 0; i < 3; i++) {
                mpq_set_si(z[i], (long) gsl_rng_uniform_int(r, 33) - 16, 128);
                mpq_canonicalize(z[i]);
                mpq_add(z[i], z[i], x[i]);
            }
            CU_ASSERT_EQUAL(qnet_scale_point(xs, q, (const mpq_t *) z, 3), AE_OK);
            CU_ASSERT_EQUAL(qnet_score(ex, q, (const mpq_t *) xs, 3), AE_OK);
            CU_ASSERT(contains_q(eb, ex));
        }
        mpq_clear(ex);
        arb_clear(e);
        arb_clear(eb);
        _arb_vec_clear(xb, 3);
        _arb_vec_clear(yb, 3);
        _arb_vec_clear(box, 3);
        qvec_clear(x, 3);
        qvec_clear(xs, 3);
        qvec_clear(y, 3);
        qvec_clear(z, 3);
        arbnet_clear(a);
        qnet_clear(q);
        nn_clear(net);
    }
    gsl_rng_free(r);
}

/* The MPFR forward pass at 256 bits (independent of arbnet). */
static void mpfr_act(mpfr_t v, nn_act_t act, double param)
{
    mpfr_t t;
    mpfr_init2(t, 256);
    switch (act) {
    case NN_IDENTITY: break;
    case NN_RELU: if (mpfr_sgn(v) < 0) mpfr_set_zero(v, 1); break;
    case NN_LEAKY_RELU: if (mpfr_sgn(v) < 0) mpfr_mul_d(v, v, param, MPFR_RNDN); break;
    case NN_HARDTANH:
        if (mpfr_cmp_si(v, 1) > 0) mpfr_set_si(v, 1, MPFR_RNDN);
        if (mpfr_cmp_si(v, -1) < 0) mpfr_set_si(v, -1, MPFR_RNDN);
        break;
    case NN_TANH: mpfr_tanh(v, v, MPFR_RNDN); break;
    case NN_SIGMOID:
        mpfr_neg(t, v, MPFR_RNDN); mpfr_exp(t, t, MPFR_RNDN); mpfr_add_ui(t, t, 1, MPFR_RNDN);
        mpfr_ui_div(v, 1, t, MPFR_RNDN);
        break;
    case NN_SOFTPLUS: mpfr_exp(v, v, MPFR_RNDN); mpfr_log1p(v, v, MPFR_RNDN); break;
    case NN_ELU:
        if (mpfr_sgn(v) < 0) { mpfr_expm1(v, v, MPFR_RNDN); mpfr_mul_d(v, v, param, MPFR_RNDN); }
        break;
    case NN_GELU:
        mpfr_sqrt_ui(t, 2, MPFR_RNDN); mpfr_div(t, v, t, MPFR_RNDN); mpfr_neg(t, t, MPFR_RNDN);
        mpfr_erfc(t, t, MPFR_RNDN); mpfr_mul(v, v, t, MPFR_RNDN); mpfr_div_ui(v, v, 2, MPFR_RNDN);
        break;
    case NN_SILU:
        mpfr_neg(t, v, MPFR_RNDN); mpfr_exp(t, t, MPFR_RNDN); mpfr_add_ui(t, t, 1, MPFR_RNDN);
        mpfr_div(v, v, t, MPFR_RNDN);
        break;
    default: break;
    }
    mpfr_clear(t);
}

static void mpfr_forward(mpfr_t *y, const nn_t net, const double *x)
{
    double *p = malloc((size_t) net->nparams * sizeof(double));
    nn_get_params(p, net);
    long wmax = 0;
    for (long l = 0; l <= net->L; l++)
        if (net->sizes[l] > wmax)
            wmax = net->sizes[l];
    mpfr_t *u = malloc((size_t) (2 * wmax) * sizeof(mpfr_t)), *v = u + wmax, t;
    for (long i = 0; i < 2 * wmax; i++)
        mpfr_init2(u[i], 256);
    mpfr_init2(t, 256);
    for (long i = 0; i < net->sizes[0]; i++)
        mpfr_set_d(u[i], x[i], MPFR_RNDN);
    for (long l = 0; l < net->L; l++) {
        long m = net->sizes[l + 1], k = net->sizes[l];
        for (long i = 0; i < m; i++) {
            mpfr_set_d(v[i], net->bias[l] ? p[net->boff[l] + i] : 0, MPFR_RNDN);
            for (long j = 0; j < k; j++) {
                mpfr_mul_d(t, u[j], p[net->woff[l] + i * k + j], MPFR_RNDN);
                mpfr_add(v[i], v[i], t, MPFR_RNDN);
            }
            mpfr_act(v[i], net->act[l], net->act_param[l]);
        }
        for (long i = 0; i < m; i++)
            mpfr_set(u[i], v[i], MPFR_RNDN);
    }
    for (long i = 0; i < net->sizes[net->L]; i++)
        mpfr_set(y[i], u[i], MPFR_RNDN);
    for (long i = 0; i < 2 * wmax; i++)
        mpfr_clear(u[i]);
    mpfr_clear(t);
    free(u);
    free(p);
}

/* As tu_rand_net, with ELU's alpha = 1 and leaky slope 0.2. */
static void smooth_net(nn_t net, gsl_rng *r, long L, const long *sizes, const nn_act_t *act)
{
    double ap[8];
    for (long l = 0; l < L; l++)
        ap[l] = act[l] == NN_ELU ? 1 : act[l] == NN_LEAKY_RELU ? 0.2 : 0;
    CU_ASSERT_EQUAL_FATAL(nn_init(net, NN_F32, L, sizes, act, ap, NULL), AE_OK);
    CU_ASSERT_EQUAL_FATAL(nn_init_params(net, NN_INIT_TORCH, r), AE_OK);
}

static const nn_act_t SMOOTH[] = { NN_TANH, NN_SIGMOID, NN_SOFTPLUS, NN_ELU, NN_GELU, NN_SILU,
                                   NN_LEAKY_RELU };

/* Smooth nets: the 256-bit MPFR value lies in the 128-bit ball; the radius shrinks with
 * the precision; a box ball overlaps the balls of the points inside it. */
static void test_smooth_contains_mpfr(void)
{
    gsl_rng *r = tu_rng();
    static const long sizes[] = { 2, 5, 1, 5, 2 };
    for (int k = 0; k < 7; k++) {
        nn_act_t act[] = { SMOOTH[k], SMOOTH[(k + 3) % 7], SMOOTH[(k + 5) % 7], NN_IDENTITY };
        nn_t net;
        smooth_net(net, r, 4, sizes, act);
        arbnet_t a;
        CU_ASSERT_EQUAL_FATAL(arbnet_init_nn(a, net), AE_OK);
        mpfr_t y[2];
        mpfr_init2(y[0], 256);
        mpfr_init2(y[1], 256);
        arb_ptr xb = _arb_vec_init(2), yb = _arb_vec_init(2), y2 = _arb_vec_init(2);
        arb_ptr box = _arb_vec_init(2);
        for (int t = 0; t < 20; t++) {
            double x[2] = { ((double) gsl_rng_uniform_int(r, 129) - 64) / 16,
                            ((double) gsl_rng_uniform_int(r, 129) - 64) / 16 };
            mpfr_forward(y, net, x);
            arb_set_d(xb, x[0]);
            arb_set_d(xb + 1, x[1]);
            CU_ASSERT_EQUAL(arbnet_eval(yb, a, xb, 128), AE_OK);
            CU_ASSERT_EQUAL(arbnet_eval(y2, a, xb, 400), AE_OK);
            for (int i = 0; i < 2; i++) {
                CU_ASSERT(arb_contains_mpfr(yb + i, y[i]));
                CU_ASSERT(mag_cmp(arb_radref(y2 + i), arb_radref(yb + i)) <= 0);
                CU_ASSERT(arb_rel_accuracy_bits(yb + i) > 90 || arb_contains_zero(yb + i));
            }
            for (int i = 0; i < 2; i++) {
                arb_set_d(box + i, x[i] + 1.0 / 64);
                mag_set_d(arb_radref(box + i), 1.0 / 32);
            }
            CU_ASSERT_EQUAL(arbnet_eval(y2, a, box, 64), AE_OK);
            for (int i = 0; i < 2; i++)
                CU_ASSERT(arb_contains(y2 + i, yb + i));
        }
        mpfr_clear(y[0]);
        mpfr_clear(y[1]);
        _arb_vec_clear(xb, 2);
        _arb_vec_clear(yb, 2);
        _arb_vec_clear(y2, 2);
        _arb_vec_clear(box, 2);
        arbnet_clear(a);
        nn_clear(net);
    }
    gsl_rng_free(r);
}

/* Each activation on balls straddling its kinks, against sampled exact points. */
static void test_act_balls(void)
{
    static const nn_act_t all[] = { NN_IDENTITY, NN_RELU, NN_LEAKY_RELU, NN_TANH, NN_SIGMOID,
                                    NN_SOFTPLUS, NN_ELU, NN_GELU, NN_SILU, NN_HARDTANH };
    static const double prm[] = { 0, 0, 0.1, 0, 0, 0, 1, 0, 0, 0 };
    static const double mids[] = { 0, -1, 1, 0.3, -3, 40 };
    arb_t z, w, p, v;
    arb_init(z);
    arb_init(w);
    arb_init(p);
    arb_init(v);
    for (int k = 0; k < 10; k++)
        for (int m = 0; m < 6; m++) {
            arb_set_d(z, mids[m]);
            mag_set_d(arb_radref(z), 0.75);
            arbnet_act(w, all[k], prm[k], z, 64);
            CU_ASSERT(arb_is_finite(w));
            for (int s = 0; s <= 12; s++) {
                arb_set_d(p, mids[m] - 0.75 + 0.125 * s);
                arbnet_act(v, all[k], prm[k], p, 128);
                CU_ASSERT(arb_overlaps(w, v));
                CU_ASSERT(arb_contains(w, v) || !arb_is_exact(p));
            }
            /* relu's range on a straddling ball starts at 0 (up to the radius' 30-bit rounding) */
            if (all[k] == NN_RELU && m == 0) {
                arf_t lo;
                arf_init(lo);
                arb_get_lbound_arf(lo, w, 64);
                CU_ASSERT(arf_cmp_si(lo, 0) <= 0 && arf_cmp_d(lo, -1e-8) >= 0);
                arf_clear(lo);
            }
        }
    /* negative slope leaky (not monotone) and a non-finite ball */
    arb_set_d(z, 0);
    mag_set_d(arb_radref(z), 1);
    arbnet_act(w, NN_LEAKY_RELU, -0.5, z, 64);
    arb_set_d(p, -1);
    arbnet_act(v, NN_LEAKY_RELU, -0.5, p, 64);
    CU_ASSERT(arb_contains(w, v));
    arb_indeterminate(z);
    arbnet_act(w, NN_SIGMOID, 0, z, 64);
    CU_ASSERT(arb_is_finite(w));
    arbnet_act(w, NN_RELU, 0, z, 64);
    CU_ASSERT(!arb_is_finite(w));
    arb_clear(z);
    arb_clear(w);
    arb_clear(p);
    arb_clear(v);
}

/* s_min against the exact minimum for a relu net; bound_q brackets a ball; d = 1 net. */
static void test_smin_and_bounds(void)
{
    gsl_rng *r = tu_rng();
    static const long sizes[] = { 2, 4, 2 };
    nn_act_t act[] = { NN_RELU, NN_IDENTITY };
    nn_t net;
    tu_rand_net(net, r, NN_F32, 2, sizes, act, 1);
    qnet_t q;
    arbnet_t a;
    CU_ASSERT_EQUAL_FATAL(qnet_init_nn(q, net), AE_OK);
    CU_ASSERT_EQUAL_FATAL(arbnet_init_nn(a, net), AE_OK);
    long n = 15;
    mpq_t *X = qvec_init(n * 2), e, best, lo, hi;
    mpq_init(e);
    mpq_init(best);
    mpq_init(lo);
    mpq_init(hi);
    long bi = 0;
    for (long i = 0; i < n; i++) {
        rand_point(X + 2 * i, 2, r);
        CU_ASSERT_EQUAL(qnet_score(e, q, (const mpq_t *) X + 2 * i, 2), AE_OK);
        if (i == 0 || mpq_cmp(e, best) < 0) {
            mpq_set(best, e);
            bi = i;
        }
    }
    arb_t s;
    arb_init(s);
    long am = -1;
    CU_ASSERT_EQUAL(arbnet_smin(s, &am, a, (const mpq_t *) X, n, 96), AE_OK);
    CU_ASSERT(contains_q(s, best));
    CU_ASSERT_EQUAL(qnet_score(e, q, (const mpq_t *) X + 2 * am, 2), AE_OK);
    CU_ASSERT(mpq_equal(e, best) || bi != am);
    CU_ASSERT(mpq_equal(e, best));
    arbnet_bound_q(lo, s, 0);
    arbnet_bound_q(hi, s, 1);
    CU_ASSERT(mpq_cmp(lo, best) <= 0 && mpq_cmp(best, hi) <= 0);
    CU_ASSERT_EQUAL(arbnet_smin(s, NULL, a, (const mpq_t *) X, 1, 96), AE_OK);
    /* bad input */
    TU_EXPECT_ERROR(arbnet_smin(s, NULL, a, (const mpq_t *) X, 0, 96));
    TU_EXPECT_ERROR(arbnet_score_q(s, a, (const mpq_t *) X, 3, 96));
    TU_EXPECT_ERROR(arbnet_score_q(s, a, (const mpq_t *) X, 2, 1));
    TU_EXPECT_ERROR(arbnet_eval(NULL, a, NULL, 64));
    TU_EXPECT_ERROR(arbnet_init_nn(NULL, net));
    arb_indeterminate(s);
    TU_EXPECT_ERROR(arbnet_bound_q(lo, s, 1));
    arb_clear(s);
    mpq_clear(e);
    mpq_clear(best);
    mpq_clear(lo);
    mpq_clear(hi);
    qvec_clear(X, n * 2);
    arbnet_clear(a);
    qnet_clear(q);
    nn_clear(net);
    /* din != dout: no score */
    static const long s2[] = { 1, 3 };
    tu_rand_net(net, r, NN_F64, 1, s2, act, 0);
    CU_ASSERT_EQUAL_FATAL(arbnet_init_nn(a, net), AE_OK);
    arb_ptr x = _arb_vec_init(3), yv = _arb_vec_init(3);
    arb_t e1;
    arb_init(e1);
    CU_ASSERT_EQUAL(arbnet_eval(yv, a, x, 64), AE_OK);
    _arb_vec_clear(yv, 3);
    TU_EXPECT_ERROR(arbnet_score(e1, a, x, 64));
    arb_clear(e1);
    _arb_vec_clear(x, 3);
    arbnet_clear(a);
    nn_clear(net);
    gsl_rng_free(r);
}

/* The mean-value form: contains the 128-bit score at points of the box (corners, edge
 * midpoints, centre) for relu, leaky, hardtanh, tanh and sigmoid nets, and is never wider
 * than the plain extension (it is intersected with it).  Its gain is near the zero set of
 * x - f(x) (N5's pocket maps: about half the reported boxes). */
static void test_mean_value(void)
{
    gsl_rng *r = tu_rng();
    static const long sizes[] = { 2, 5, 1, 5, 2 };
    static const nn_act_t hid[] = { NN_RELU, NN_LEAKY_RELU, NN_HARDTANH, NN_TANH, NN_SIGMOID };
    for (int k = 0; k < 5; k++) {
        nn_act_t act[] = { hid[k], hid[(k + 2) % 5], hid[k], NN_IDENTITY };
        nn_t net;
        smooth_net(net, r, 4, sizes, act);
        arbnet_t a;
        CU_ASSERT_EQUAL_FATAL(arbnet_init_nn(a, net), AE_OK);
        arb_ptr box = _arb_vec_init(2), p = _arb_vec_init(2);
        arb_t e, ep, ev;
        arb_init(e);
        arb_init(ep);
        arb_init(ev);
        for (int t = 0; t < 30; t++) {
            double c[2] = { ((double) gsl_rng_uniform_int(r, 65) - 32) / 16,
                            ((double) gsl_rng_uniform_int(r, 65) - 32) / 16 };
            double rad = t % 2 ? 1.0 / 64 : 1.0 / 4096;
            for (int i = 0; i < 2; i++) {
                arb_set_d(box + i, c[i]);
                mag_set_d(arb_radref(box + i), rad);
            }
            CU_ASSERT_EQUAL(arbnet_score_mv(e, a, box, 96), AE_OK);
            CU_ASSERT_EQUAL(arbnet_score_scaled(ep, a, box, 96), AE_OK);
            /* the intersection: no wider than the plain ball (up to the 30-bit radius) */
            CU_ASSERT(mag_get_d(arb_radref(e)) <= mag_get_d(arb_radref(ep)) * (1 + 1e-8));
            for (int s = 0; s < 9; s++) {
                arb_set_d(p, c[0] + rad * (s % 3 - 1));
                arb_set_d(p + 1, c[1] + rad * (s / 3 - 1));
                CU_ASSERT_EQUAL(arbnet_score_scaled(ev, a, p, 128), AE_OK);
                CU_ASSERT(arb_contains(e, ev));
            }
        }
        arb_clear(e);
        arb_clear(ep);
        arb_clear(ev);
        _arb_vec_clear(box, 2);
        _arb_vec_clear(p, 2);
        arbnet_clear(a);
        nn_clear(net);
    }
    gsl_rng_free(r);
}

int main(void)
{
    static const tu_test tests[] = {
        { "relu/leaky/hardtanh: exact value inside the ball", test_pl_contains_exact },
        { "smooth: MPFR 256 inside, radius shrinks, boxes", test_smooth_contains_mpfr },
        { "activations on straddling balls", test_act_balls },
        { "s_min, rational bounds, misuse", test_smin_and_bounds },
        { "mean-value form: contains point scores, tighter", test_mean_value },
        { NULL, NULL }
    };
    return tu_run("arbnet", 9009, tests);
}
