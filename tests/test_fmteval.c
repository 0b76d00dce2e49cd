/* CUnit suite for fmteval: float32/float64 bit for bit against plain C loops in the
 * documented order; long double and binary128 against MPFR at 64/113 bits (the same
 * correctly rounded operations; exponent ranges emulated with mpfr_set_emin/emax and
 * mpfr_subnormalize for the rounding into the format); MPFR at 1024 bits within a
 * bound of the exact rational value; Inf/NaN propagation; sizes 1; the smooth activations
 * in MPFR against nn_act_eval; misuse. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "fmteval.h"
#include "nn.h"
#include "qmat.h"
#include "testutil.h"

#define MAXL 4
#define MAXW 8

typedef struct {
    long L, sizes[MAXL + 1];
    nn_act_t act[MAXL];
    double slope[MAXL];
    int bias[MAXL];
    double W[MAXL][MAXW * MAXW], b[MAXL][MAXW];
    mpq_t *qW[MAXL], *qb[MAXL];
} rnet;

static const fmt_t F32 = {FMT_F32, 0}, F64 = {FMT_F64, 0}, FLD = {FMT_LD, 0},
                   F128 = {FMT_F128, 0};

static fmt_t fr(mpfr_prec_t p)
{
    fmt_t f = {FMT_MPFR, p};
    return f;
}

/* A random net with L layers of widths in [1, MAXW] (din == dout), piecewise-linear
 * activations, weights uniform in [-1, 1] rounded to float when f32 (so exact in every
 * format), biases on odd seeds. */
static void rnet_make(rnet *N, gsl_rng *r, int f32)
{
    N->L = 1 + (long) gsl_rng_uniform_int(r, MAXL);
    N->sizes[0] = 1 + (long) gsl_rng_uniform_int(r, MAXW);
    for (long l = 1; l < N->L; l++)
        N->sizes[l] = 1 + (long) gsl_rng_uniform_int(r, MAXW);
    N->sizes[N->L] = N->sizes[0];
    static const nn_act_t A[] = {NN_IDENTITY, NN_RELU, NN_LEAKY_RELU, NN_HARDTANH};
    for (long l = 0; l < N->L; l++) {
        N->act[l] = A[gsl_rng_uniform_int(r, 4)];
        N->slope[l] = f32 ? (float) 0.125 : 0.1;
        N->bias[l] = (int) gsl_rng_uniform_int(r, 2);
        long nw = N->sizes[l] * N->sizes[l + 1];
        N->qW[l] = qvec_init(nw);
        N->qb[l] = N->bias[l] ? qvec_init(N->sizes[l + 1]) : NULL;
        for (long i = 0; i < nw; i++) {
            double w = 2 * gsl_rng_uniform(r) - 1;
            N->W[l][i] = f32 ? (double) (float) w : w;
            mpq_set_d(N->qW[l][i], N->W[l][i]);
        }
        for (long i = 0; i < N->sizes[l + 1]; i++) {
            double w = N->bias[l] ? gsl_rng_uniform(r) - 0.5 : 0;
            N->b[l][i] = f32 ? (double) (float) w : w;
            if (N->bias[l])
                mpq_set_d(N->qb[l][i], N->b[l][i]);
        }
    }
}

static void rnet_clear(rnet *N)
{
    for (long l = 0; l < N->L; l++) {
        qvec_clear(N->qW[l], N->sizes[l] * N->sizes[l + 1]);
        if (N->qb[l])
            qvec_clear(N->qb[l], N->sizes[l + 1]);
    }
}

static int rnet_init(fmtnet_t F, const rnet *N, fmt_t f)
{
    return fmtnet_init(F, f, N->L, N->sizes, N->act, N->slope, (mpq_t *const *) N->qW,
                       (mpq_t *const *) N->qb);
}

/* The documented order as plain C loops, in double and in float. */
#define REF_LOOP(NAME, T)                                                               \
    static T NAME(const rnet *N, const T *x0)                                           \
    {                                                                                   \
        T a[MAXW], z[MAXW];                                                             \
        long d = N->sizes[0];                                                           \
        for (long j = 0; j < d; j++)                                                    \
            a[j] = x0[j];                                                               \
        for (long l = 0; l < N->L; l++) {                                               \
            long ni = N->sizes[l], no = N->sizes[l + 1];                                \
            for (long i = 0; i < no; i++) {                                             \
                T acc = N->bias[l] ? (T) N->b[l][i] : (T) N->W[l][i * ni] * a[0];       \
                for (long j = N->bias[l] ? 0 : 1; j < ni; j++)                          \
                    acc += (T) N->W[l][i * ni + j] * a[j];                              \
                if (N->act[l] == NN_RELU && acc < 0) acc = 0;                           \
                if (N->act[l] == NN_LEAKY_RELU && acc < 0) acc = (T) N->slope[l] * acc; \
                if (N->act[l] == NN_HARDTANH) acc = acc < -1 ? -1 : (acc > 1 ? 1 : acc); \
                z[i] = acc;                                                             \
            }                                                                           \
            memcpy(a, z, sizeof a);                                                     \
        }                                                                               \
        T s = 0;                                                                        \
        for (long i = 0; i < d; i++)                                                    \
            s += (x0[i] - a[i]) * (x0[i] - a[i]);                                       \
        return s;                                                                       \
    }
REF_LOOP(ref_d, double)
REF_LOOP(ref_f, float)

static int bits_eq_d(const mpfr_t e, double v)
{
    double g = mpfr_get_d(e, MPFR_RNDN);
    return memcmp(&g, &v, sizeof g) == 0 || (isnan(g) && isnan(v));
}

static void test_c_loops(void)
{
    gsl_rng *r = tu_rng();
    mpfr_t e;
    mpfr_init2(e, 113);
    for (int it = 0; it < 300; it++) {
        rnet N;
        rnet_make(&N, r, it % 2);
        long d = N.sizes[0];
        double xd[MAXW];
        float xf[MAXW];
        mpq_t *x = qvec_init(d);
        for (long j = 0; j < d; j++) {
            xd[j] = ldexp(2 * gsl_rng_uniform(r) - 1, (int) gsl_rng_uniform_int(r, 20) - 10);
            xf[j] = (float) xd[j];
            mpq_set_d(x[j], it % 2 ? (double) xf[j] : xd[j]);
        }
        fmtnet_t F;
        CU_ASSERT_EQUAL_FATAL(rnet_init(F, &N, F64), AE_OK);
        CU_ASSERT_EQUAL(fmtnet_score(e, F, x, d), AE_OK);
        if (it % 2 == 0)
            CU_ASSERT_TRUE(bits_eq_d(e, ref_d(&N, xd)));
        if (it % 2) {   /* float weights and input: float32 against the float loop */
            double xx[MAXW];
            for (long j = 0; j < d; j++)
                xx[j] = xf[j];
            CU_ASSERT_TRUE(bits_eq_d(e, ref_d(&N, xx)));
            fmtnet_clear(F);
            CU_ASSERT_EQUAL_FATAL(rnet_init(F, &N, F32), AE_OK);
            CU_ASSERT_EQUAL(fmtnet_score(e, F, x, d), AE_OK);
            CU_ASSERT_TRUE(bits_eq_d(e, (double) ref_f(&N, xf)));
        }
        fmtnet_clear(F);
        qvec_clear(x, d);
        rnet_clear(&N);
    }
    mpfr_clear(e);
    gsl_rng_free(r);
}

/* In range (no overflow/underflow), each format equals MPFR at its precision: the same
 * correctly rounded operations in the same order. */
static void test_vs_mpfr(void)
{
    gsl_rng *r = tu_rng();
    mpfr_t e1, e2;
    mpfr_init2(e1, 256);
    mpfr_init2(e2, 256);
    const fmt_t C[] = {F32, F64, FLD, F128};
    const mpfr_prec_t P[] = {24, 53, LDBL_MANT_DIG, 113};
    for (int it = 0; it < 200; it++) {
        rnet N;
        rnet_make(&N, r, 0);
        long d = N.sizes[0];
        mpq_t *x = qvec_init(d);
        for (long j = 0; j < d; j++)
            tu_rand_q(x[j], r, 1000, 997);   /* inexact in every format */
        for (int k = 0; k < 4; k++) {
            fmtnet_t A, B;
            CU_ASSERT_EQUAL_FATAL(rnet_init(A, &N, C[k]), AE_OK);
            CU_ASSERT_EQUAL_FATAL(rnet_init(B, &N, fr(P[k])), AE_OK);
            CU_ASSERT_EQUAL(fmtnet_score(e1, A, x, d), AE_OK);
            CU_ASSERT_EQUAL(fmtnet_score(e2, B, x, d), AE_OK);
            CU_ASSERT_TRUE(mpfr_equal_p(e1, e2) || (mpfr_zero_p(e1) && mpfr_zero_p(e2)));
            mpfr_t y1[MAXW], y2[MAXW];
            for (long i = 0; i < d; i++) {
                mpfr_init2(y1[i], 113);
                mpfr_init2(y2[i], 113);
            }
            CU_ASSERT_EQUAL(fmtnet_eval(y1, A, x, d), AE_OK);
            CU_ASSERT_EQUAL(fmtnet_eval(y2, B, x, d), AE_OK);
            for (long i = 0; i < d; i++) {
                CU_ASSERT_TRUE(mpfr_equal_p(y1[i], y2[i]) ||
                               (mpfr_zero_p(y1[i]) && mpfr_zero_p(y2[i])));
                mpfr_clear(y1[i]);
                mpfr_clear(y2[i]);
            }
            fmtnet_clear(A);
            fmtnet_clear(B);
        }
        qvec_clear(x, d);
        rnet_clear(&N);
    }
    mpfr_clears(e1, e2, NULL);
    gsl_rng_free(r);
}

/* Rounding into the format against MPFR with the format's exponent range emulated
 * (emin/emax set, then restored) and mpfr_subnormalize: subnormals and overflow. */
static void test_round_ranges(void)
{
    gsl_rng *r = tu_rng();
    const fmt_t C[] = {F32, F64, FLD, F128};
    const mpfr_prec_t P[] = {24, 53, LDBL_MANT_DIG, 113};
    const long EMAX[] = {FLT_MAX_EXP, DBL_MAX_EXP, LDBL_MAX_EXP, 16384};
    mpfr_exp_t omin = mpfr_get_emin(), omax = mpfr_get_emax();
    mpfr_t a, b;
    mpq_t q;
    mpq_init(q);
    for (int k = 0; k < 4; k++) {
        mpfr_init2(a, 113);
        mpfr_init2(b, P[k]);
        long emax = EMAX[k], emin = 3 - emax - (P[k] - 1);   /* 2^(emin-1) = min subnormal */
        for (int it = 0; it < 400; it++) {
            /* q = m/3^s * 2^E with E around the subnormal range, the top or the middle */
            tu_rand_q(q, r, 1000000, 729);
            long E = (it % 3 == 0) ? emin - 5 + (long) gsl_rng_uniform_int(r, P[k] + 10)
                   : (it % 3 == 1) ? emax - 25 + (long) gsl_rng_uniform_int(r, 30)
                                   : (long) gsl_rng_uniform_int(r, 200) - 100;
            if (E >= 0)
                mpq_mul_2exp(q, q, (unsigned long) E);
            else
                mpq_div_2exp(q, q, (unsigned long) -E);
            CU_ASSERT_EQUAL(fmt_round_q(a, C[k], q), AE_OK);
            mpfr_set_emin(emin);
            mpfr_set_emax(emax);
            int inex = mpfr_set_q(b, q, MPFR_RNDN);
            mpfr_subnormalize(b, inex, MPFR_RNDN);
            mpfr_set_emin(omin);
            mpfr_set_emax(omax);
            CU_ASSERT_TRUE(mpfr_equal_p(a, b) || (mpfr_zero_p(a) && mpfr_zero_p(b)));
        }
        /* exact at the largest finite value; Inf at and above max + half an ulp */
        mpq_set_ui(q, 1, 1);
        mpq_mul_2exp(q, q, (unsigned long) emax);          /* 2^emax */
        mpq_t h;
        mpq_init(h);
        mpq_set_ui(h, 1, 1);
        mpq_mul_2exp(h, h, (unsigned long) (emax - P[k] - 2));   /* quarter ulp of max */
        mpq_sub(q, q, h);
        mpq_sub(q, q, h);
        mpq_sub(q, q, h);                                  /* 2^emax - 3 ulp/4 = max + ulp/4 */
        fmt_round_q(a, C[k], q);
        CU_ASSERT_TRUE(mpfr_number_p(a));
        mpq_add(q, q, h);
        fmt_round_q(a, C[k], q);                           /* max + 2 ulp/4 = threshold */
        CU_ASSERT_TRUE(mpfr_inf_p(a) && mpfr_sgn(a) > 0);
        mpq_neg(q, q);
        fmt_round_q(a, C[k], q);
        CU_ASSERT_TRUE(mpfr_inf_p(a) && mpfr_sgn(a) < 0);
        mpq_clear(h);
        mpfr_clears(a, b, NULL);
    }
    mpq_clear(q);
    gsl_rng_free(r);
}

/* Exact rational reference of the same net: |e_1024 - e_exact| <= 2^-960 (1 + e_exact)
 * for weights and inputs of magnitude <= 1 and widths <= 8 (each of the < 400 roundings
 * has relative error 2^-1024 on intermediate values below 9^4 in magnitude). */
static void test_mpfr1024_exact(void)
{
    gsl_rng *r = tu_rng();
    mpfr_t e, ex, bnd;
    mpfr_inits2(1100, e, ex, bnd, NULL);
    for (int it = 0; it < 60; it++) {
        rnet N;
        rnet_make(&N, r, 0);
        long d = N.sizes[0];
        mpq_t *x = qvec_init(d), *a = qvec_init(MAXW), *z = qvec_init(MAXW);
        mpq_t t, s;
        mpq_inits(t, s, NULL);
        for (long j = 0; j < d; j++) {
            tu_rand_q(x[j], r, 100, 97);
            mpq_set(a[j], x[j]);
        }
        for (long l = 0; l < N.L; l++) {
            long ni = N.sizes[l], no = N.sizes[l + 1];
            for (long i = 0; i < no; i++) {
                mpq_set_ui(z[i], 0, 1);
                if (N.bias[l])
                    mpq_set(z[i], N.qb[l][i]);
                for (long j = 0; j < ni; j++) {
                    mpq_mul(t, N.qW[l][i * ni + j], a[j]);
                    mpq_add(z[i], z[i], t);
                }
                if ((N.act[l] == NN_RELU) && mpq_sgn(z[i]) < 0)
                    mpq_set_ui(z[i], 0, 1);
                if (N.act[l] == NN_LEAKY_RELU && mpq_sgn(z[i]) < 0) {
                    mpq_set_d(t, N.slope[l]);
                    mpq_mul(z[i], z[i], t);
                }
                if (N.act[l] == NN_HARDTANH) {
                    mpq_set_si(t, 1, 1);
                    if (mpq_cmp(z[i], t) > 0) mpq_set(z[i], t);
                    mpq_neg(t, t);
                    if (mpq_cmp(z[i], t) < 0) mpq_set(z[i], t);
                }
            }
            for (long i = 0; i < no; i++)
                mpq_set(a[i], z[i]);
        }
        mpq_set_ui(s, 0, 1);
        for (long i = 0; i < d; i++) {
            mpq_sub(t, x[i], a[i]);
            mpq_mul(t, t, t);
            mpq_add(s, s, t);
        }
        fmtnet_t F;
        CU_ASSERT_EQUAL_FATAL(rnet_init(F, &N, fr(1024)), AE_OK);
        CU_ASSERT_EQUAL(fmtnet_score(e, F, x, d), AE_OK);
        mpfr_set_q(ex, s, MPFR_RNDN);
        mpfr_sub(bnd, e, ex, MPFR_RNDN);
        mpfr_abs(bnd, bnd, MPFR_RNDN);
        mpfr_add_ui(ex, ex, 1, MPFR_RNDN);
        mpfr_div_2ui(ex, ex, 960, MPFR_RNDN);
        /* a hardtanh/relu kink hit by a rounding error could flip a branch; the inputs
         * are rationals with denominators <= 97, so z is never within 2^-960 of a kink
         * unless exactly on it, where both sides agree. */
        CU_ASSERT_TRUE(mpfr_lessequal_p(bnd, ex));
        fmtnet_clear(F);
        mpq_clears(t, s, NULL);
        qvec_clear(x, d);
        qvec_clear(a, MAXW);
        qvec_clear(z, MAXW);
        rnet_clear(&N);
    }
    mpfr_clears(e, ex, bnd, NULL);
    gsl_rng_free(r);
}

/* Identity [1,1] net with weight w, bias 0: score of x in float32. */
static void one_score(mpfr_t e, fmt_t f, const char *w, const char *xs)
{
    long sizes[] = {1, 1};
    nn_act_t act[] = {NN_IDENTITY};
    mpq_t *W = qvec_init(1), *x = qvec_init(1);
    mpq_set_str(W[0], w, 10);
    mpq_set_str(x[0], xs, 10);
    mpq_t *Ws[] = {W};
    fmtnet_t F;
    CU_ASSERT_EQUAL_FATAL(fmtnet_init(F, f, 1, sizes, act, NULL, Ws, NULL), AE_OK);
    CU_ASSERT_EQUAL(fmtnet_score(e, F, x, 1), AE_OK);
    fmtnet_clear(F);
    qvec_clear(W, 1);
    qvec_clear(x, 1);
}

static void test_inf_nan(void)
{
    mpfr_t e;
    mpfr_init2(e, 113);
    one_score(e, F32, "2", "3");                  /* size 1: (3 - 6)^2 = 9 */
    CU_ASSERT_EQUAL(mpfr_cmp_ui(e, 9), 0);
    one_score(e, F32, "2", "10000000000000000000000000000000000000");   /* 1e37: 1e74 -> Inf */
    CU_ASSERT_TRUE(mpfr_inf_p(e) && mpfr_sgn(e) > 0);
    one_score(e, F64, "2", "10000000000000000000000000000000000000");   /* finite in double */
    CU_ASSERT_TRUE(mpfr_number_p(e));
    one_score(e, F32, "1", "1000000000000000000000000000000000000000"); /* x = Inf: Inf-Inf */
    CU_ASSERT_TRUE(mpfr_nan_p(e));
    one_score(e, F32, "0", "1000000000000000000000000000000000000000"); /* 0*Inf = NaN */
    CU_ASSERT_TRUE(mpfr_nan_p(e));
    one_score(e, fr(24), "2", "10000000000000000000000000000000000000"); /* no overflow */
    CU_ASSERT_TRUE(mpfr_number_p(e));
    /* NaN through relu: a [1,1] relu net fed Inf*0 */
    long sizes[] = {1, 1};
    nn_act_t act[] = {NN_RELU};
    mpq_t *W = qvec_init(1), *x = qvec_init(1);
    mpq_set_ui(W[0], 0, 1);
    mpz_ui_pow_ui(mpq_numref(x[0]), 10, 5000);   /* Inf in every C format */
    mpq_t *Ws[] = {W};
    mpfr_t y[1];
    mpfr_init2(y[0], 113);
    const fmt_t all[] = {F32, F64, FLD, F128};
    for (int k = 0; k < 4; k++) {
        fmtnet_t F;
        CU_ASSERT_EQUAL_FATAL(fmtnet_init(F, all[k], 1, sizes, act, NULL, Ws, NULL), AE_OK);
        CU_ASSERT_EQUAL(fmtnet_eval(y, F, x, 1), AE_OK);
        CU_ASSERT_TRUE(mpfr_nan_p(y[0]));
        fmtnet_clear(F);
    }
    mpfr_clear(y[0]);
    qvec_clear(W, 1);
    qvec_clear(x, 1);
    mpfr_clear(e);
}

/* A trained-net layout (nn_t, with scaling) against the plain double loop. */
static void test_init_nn(void)
{
    gsl_rng *r = tu_rng();
    long sizes[] = {3, 5, 3};
    nn_act_t act[] = {NN_LEAKY_RELU, NN_IDENTITY};
    nn_t net;
    tu_rand_net(net, r, NN_F64, 2, sizes, act, 1);
    mpq_t *lo = qvec_init(3), *hi = qvec_init(3), *x = qvec_init(3);
    for (long j = 0; j < 3; j++) {
        mpq_set_si(lo[j], -(long) j, 1);
        mpq_set_si(hi[j], 4, 1);
        mpq_set_si(x[j], (long) (j + 1), 3);
    }
    nn_set_scale(net, lo, hi);
    rnet N;
    memset(&N, 0, sizeof N);
    N.L = 2;
    memcpy(N.sizes, sizes, sizeof sizes);
    double p[64];
    nn_get_params(p, net);
    for (long l = 0; l < 2; l++) {
        N.act[l] = act[l];
        N.slope[l] = net->act_param[l];
        N.bias[l] = 1;
        for (long i = 0; i < sizes[l] * sizes[l + 1]; i++)
            N.W[l][i] = p[net->woff[l] + i];
        for (long i = 0; i < sizes[l + 1]; i++)
            N.b[l][i] = p[net->boff[l] + i];
    }
    double xs[MAXW];
    mpq_t t;
    mpq_init(t);
    for (long j = 0; j < 3; j++) {   /* (x - lo)/(hi - lo) exactly, rounded once */
        mpq_sub(t, x[j], lo[j]);
        mpq_set_si(hi[j], 4 + (long) j, 1);
        mpq_div(t, t, hi[j]);
        xs[j] = mpq_get_d(t);        /* truncation: use MPFR for nearest */
        mpfr_t u;
        mpfr_init2(u, 53);
        mpfr_set_q(u, t, MPFR_RNDN);
        xs[j] = mpfr_get_d(u, MPFR_RNDN);
        mpfr_clear(u);
    }
    mpq_clear(t);
    fmtnet_t F;
    mpfr_t e;
    mpfr_init2(e, 113);
    CU_ASSERT_EQUAL_FATAL(fmtnet_init_nn(F, F64, net), AE_OK);
    CU_ASSERT_EQUAL(fmtnet_score(e, F, x, 3), AE_OK);
    CU_ASSERT_TRUE(bits_eq_d(e, ref_d(&N, xs)));
    fmtnet_clear(F);
    /* not piecewise linear: refused in the C formats */
    nn_t tn;
    nn_act_t ta[] = {NN_TANH, NN_IDENTITY};
    tu_rand_net(tn, r, NN_F32, 2, sizes, ta, 1);
    TU_EXPECT_ERROR(fmtnet_init_nn(F, F64, tn));
    fmtnet_clear(F);
    CU_ASSERT_EQUAL(fmtnet_init_nn(F, fr(113), tn), AE_OK);   /* MPFR: tanh is supported */
    fmtnet_clear(F);
    nn_clear(tn);
    mpfr_clear(e);
    qvec_clear(lo, 3);
    qvec_clear(hi, 3);
    qvec_clear(x, 3);
    nn_clear(net);
    gsl_rng_free(r);
}

/* MPFR formats: the smooth activations against nn_act_eval (double, a second
 * implementation) and against the same net at 256 bits (a few ulps at 53 bits). */
static void test_smooth_mpfr(void)
{
    static const nn_act_t A[] = {NN_TANH, NN_SIGMOID, NN_SOFTPLUS, NN_ELU, NN_GELU, NN_SILU};
    static const double Z[] = {-3.25, -0.375, 0, 0.125, 1.5, 4.75};
    long sizes[] = {1, 1};
    mpq_t *W = qvec_init(1), *x = qvec_init(1);
    mpq_set_ui(W[0], 1, 1);
    mpq_t *Ws[] = {W};
    mpfr_t y53[1], y256[1], d;
    mpfr_init2(y53[0], 256);
    mpfr_init2(y256[0], 256);
    mpfr_init2(d, 256);
    double alpha = 0.75;
    for (int a = 0; a < 6; a++)
        for (int k = 0; k < 6; k++) {
            nn_act_t act[] = {A[a]};
            fmtnet_t F, G;
            CU_ASSERT_EQUAL_FATAL(fmtnet_init(F, fr(53), 1, sizes, act, &alpha, Ws, NULL), AE_OK);
            CU_ASSERT_EQUAL_FATAL(fmtnet_init(G, fr(256), 1, sizes, act, &alpha, Ws, NULL), AE_OK);
            mpq_set_d(x[0], Z[k]);
            CU_ASSERT_EQUAL(fmtnet_eval(y53, F, x, 1), AE_OK);
            CU_ASSERT_EQUAL(fmtnet_eval(y256, G, x, 1), AE_OK);
            mpfr_sub(d, y53[0], y256[0], MPFR_RNDN);
            mpfr_abs(d, d, MPFR_RNDN);
            mpfr_mul_2ui(d, d, 50, MPFR_RNDN);   /* |diff| <= 2^-50 max(|y|, 2^-40) */
            double ref = nn_act_eval(A[a], alpha, Z[k]), ay = fabs(ref) > 1e-12 ? fabs(ref) : 1e-12;
            CU_ASSERT_TRUE(mpfr_get_d(d, MPFR_RNDU) <= ay);
            CU_ASSERT_TRUE(fabs(mpfr_get_d(y53[0], MPFR_RNDN) - ref) <= 1e-14 * (1 + fabs(ref)));
            fmtnet_clear(F);
            fmtnet_clear(G);
            TU_EXPECT_ERROR(fmtnet_init(F, F64, 1, sizes, act, &alpha, Ws, NULL));
            fmtnet_clear(F);
        }
    mpfr_clears(y53[0], y256[0], d, NULL);
    qvec_clear(W, 1);
    qvec_clear(x, 1);
}

static void test_names_misuse(void)
{
    const fmt_t all[] = {F32, F64, FLD, F128, {FMT_MPFR, 256}, {FMT_MPFR, 24}};
    char buf[32];
    for (int k = 0; k < 6; k++) {
        fmt_t g;
        CU_ASSERT_EQUAL(fmt_parse(&g, fmt_name(all[k], buf, sizeof buf)), AE_OK);
        CU_ASSERT_EQUAL(g.kind, all[k].kind);
        CU_ASSERT_EQUAL(fmt_prec(g), fmt_prec(all[k]));
    }
    CU_ASSERT_STRING_EQUAL(fmt_name(all[4], buf, sizeof buf), "mpfr256");
    fmt_t g;
    CU_ASSERT_EQUAL(fmt_parse(&g, "float16"), AE_EPARSE);
    CU_ASSERT_EQUAL(fmt_parse(&g, "mpfr"), AE_EPARSE);
    CU_ASSERT_EQUAL(fmt_parse(&g, "mpfr0"), AE_EPARSE);
    CU_ASSERT_EQUAL(fmt_parse(&g, "mpfr12x"), AE_EPARSE);

    long sizes[] = {2, 2}, bad[] = {2, 0};
    nn_act_t act[] = {NN_IDENTITY}, tanh_[] = {NN_TANH};
    mpq_t *W = qvec_init(4), *x = qvec_init(2);
    mpq_t *Ws[] = {W}, *Wn[] = {NULL};
    fmtnet_t F;
    TU_EXPECT_ERROR(fmtnet_init(F, F32, 0, sizes, act, NULL, Ws, NULL));
    fmtnet_clear(F);
    TU_EXPECT_ERROR(fmtnet_init(F, F32, 1, bad, act, NULL, Ws, NULL));
    fmtnet_clear(F);
    TU_EXPECT_ERROR(fmtnet_init(F, F32, 1, sizes, tanh_, NULL, Ws, NULL));
    fmtnet_clear(F);
    TU_EXPECT_ERROR(fmtnet_init(F, F32, 1, sizes, act, NULL, Wn, NULL));
    fmtnet_clear(F);
    TU_EXPECT_ERROR(fmtnet_init(F, fr(0), 1, sizes, act, NULL, Ws, NULL));
    fmtnet_clear(F);
    CU_ASSERT_EQUAL_FATAL(fmtnet_init(F, F128, 1, sizes, act, NULL, Ws, NULL), AE_OK);
    mpfr_t e, small;
    mpfr_init2(e, 113);
    mpfr_init2(small, 53);
    TU_EXPECT_ERROR(fmtnet_score(e, F, x, 1));        /* n != din */
    TU_EXPECT_ERROR(fmtnet_score(small, F, x, 2));    /* 53 < 113 bits */
    TU_EXPECT_ERROR(fmtnet_score(e, F, NULL, 2));
    TU_EXPECT_ERROR(fmtnet_eval(NULL, F, x, 2));
    TU_EXPECT_ERROR(fmt_round_q(small, F128, x[0]));
    CU_ASSERT_EQUAL(fmtnet_score(e, F, x, 2), AE_OK);  /* zero net at 0: score 0 */
    CU_ASSERT_TRUE(mpfr_zero_p(e));
    fmtnet_clear(F);
    fmtnet_clear(F);                                   /* idempotent */
    mpfr_clears(e, small, NULL);
    qvec_clear(W, 4);
    qvec_clear(x, 2);
}

int main(void)
{
    static const tu_test T[] = {
        {"float64/float32 bit for bit against C loops", test_c_loops},
        {"each format = MPFR at its precision in range", test_vs_mpfr},
        {"rounding into the format: subnormals, overflow (emulated ranges)", test_round_ranges},
        {"mpfr1024 within 2^-960 of the exact rational score", test_mpfr1024_exact},
        {"Inf/NaN propagation, size 1", test_inf_nan},
        {"fmtnet_init_nn with scaling against the double loop", test_init_nn},
        {"MPFR smooth activations vs nn_act_eval and 256 bits; C formats refuse", test_smooth_mpfr},
        {"names, misuse", test_names_misuse},
        {NULL, NULL}
    };
    return tu_run("fmteval", 20261202UL, T);
}
