/* test_nn — the float training engine (nn.h) and its model file.
 *
 * Second methods: gradients against central finite differences of the same network
 * evaluated in MPFR at 192 bits (step 2^-64, so the difference quotient is exact to far
 * below float64's epsilon); forward values against nn_act_eval in double; optimizer steps
 * against their formulas applied to nn_loss_grad's gradient; the chunked gradient of a
 * large batch against the weighted mean of its halves' gradients.
 */
#include "nn.h"
#include "oblas.h"
#include "testutil.h"

#include <float.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <mpfr.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define MP_PREC 192

static gsl_rng *rng_new(unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    return r;
}

static double eps_of(int prec)
{
    return prec == NN_F32 ? FLT_EPSILON : DBL_EPSILON;
}

/* n x d random data in [-a, a], exactly representable as floats. */
static double *rand_data(gsl_rng *r, long n, long d, double a)
{
    double *X = malloc((size_t) (n * d) * sizeof(double));
    for (long i = 0; i < n * d; i++)
        X[i] = (double) (float) (a * (2 * gsl_rng_uniform(r) - 1));
    return X;
}

/* ---- MPFR reference ---------------------------------------------------------------- */

static void mp_act(mpfr_t y, const mpfr_t z, nn_act_t a, double p)
{
    mpfr_t t, u;
    mpfr_inits2(MP_PREC, t, u, (mpfr_ptr) 0);
    switch (a) {
    case NN_IDENTITY: mpfr_set(y, z, MPFR_RNDN); break;
    case NN_RELU:
        if (mpfr_sgn(z) > 0) mpfr_set(y, z, MPFR_RNDN); else mpfr_set_zero(y, 1);
        break;
    case NN_LEAKY_RELU:
        if (mpfr_sgn(z) > 0) mpfr_set(y, z, MPFR_RNDN); else mpfr_mul_d(y, z, p, MPFR_RNDN);
        break;
    case NN_TANH: mpfr_tanh(y, z, MPFR_RNDN); break;
    case NN_SIGMOID:
        mpfr_neg(t, z, MPFR_RNDN); mpfr_exp(t, t, MPFR_RNDN); mpfr_add_ui(t, t, 1, MPFR_RNDN);
        mpfr_ui_div(y, 1, t, MPFR_RNDN);
        break;
    case NN_SOFTPLUS: mpfr_exp(t, z, MPFR_RNDN); mpfr_log1p(y, t, MPFR_RNDN); break;
    case NN_ELU:
        if (mpfr_sgn(z) > 0) mpfr_set(y, z, MPFR_RNDN);
        else { mpfr_expm1(t, z, MPFR_RNDN); mpfr_mul_d(y, t, p, MPFR_RNDN); }
        break;
    case NN_GELU:
        mpfr_sqrt_ui(t, 2, MPFR_RNDN); mpfr_div(t, z, t, MPFR_RNDN); mpfr_erf(t, t, MPFR_RNDN);
        mpfr_add_ui(t, t, 1, MPFR_RNDN); mpfr_mul(t, t, z, MPFR_RNDN);
        mpfr_div_2ui(y, t, 1, MPFR_RNDN);
        break;
    case NN_SILU:
        mpfr_neg(t, z, MPFR_RNDN); mpfr_exp(t, t, MPFR_RNDN); mpfr_add_ui(t, t, 1, MPFR_RNDN);
        mpfr_div(y, z, t, MPFR_RNDN);
        break;
    case NN_HARDTANH:
        if (mpfr_cmp_si(z, 1) > 0) mpfr_set_si(y, 1, MPFR_RNDN);
        else if (mpfr_cmp_si(z, -1) < 0) mpfr_set_si(y, -1, MPFR_RNDN);
        else mpfr_set(y, z, MPFR_RNDN);
        break;
    default: mpfr_set_nan(y); break;
    }
    mpfr_clears(t, u, (mpfr_ptr) 0);
}

/* loss = (1/(n d)) sum ||x - f(x)||^2 with parameters P (MPFR), in MPFR. */
static void mp_loss(mpfr_t loss, const nn_t net, mpfr_t *P, const double *X, long n)
{
    long maxw = 0;
    for (long l = 0; l <= net->L; l++)
        if (net->sizes[l] > maxw) maxw = net->sizes[l];
    mpfr_t *a = malloc((size_t) maxw * sizeof(mpfr_t)), *b = malloc((size_t) maxw * sizeof(mpfr_t));
    mpfr_t t;
    mpfr_init2(t, MP_PREC);
    for (long i = 0; i < maxw; i++) { mpfr_init2(a[i], MP_PREC); mpfr_init2(b[i], MP_PREC); }
    mpfr_set_zero(loss, 1);
    long d = net->sizes[0];
    for (long r = 0; r < n; r++) {
        for (long j = 0; j < d; j++) mpfr_set_d(a[j], X[r * d + j], MPFR_RNDN);
        for (long l = 0; l < net->L; l++) {
            long k = net->sizes[l], m = net->sizes[l + 1];
            for (long o = 0; o < m; o++) {
                if (net->bias[l]) mpfr_set(b[o], P[net->boff[l] + o], MPFR_RNDN);
                else mpfr_set_zero(b[o], 1);
                for (long j = 0; j < k; j++) {
                    mpfr_mul(t, P[net->woff[l] + o * k + j], a[j], MPFR_RNDN);
                    mpfr_add(b[o], b[o], t, MPFR_RNDN);
                }
            }
            for (long o = 0; o < m; o++) mp_act(a[o], b[o], net->act[l], net->act_param[l]);
        }
        for (long j = 0; j < d; j++) {
            mpfr_sub_d(t, a[j], X[r * d + j], MPFR_RNDN);
            mpfr_sqr(t, t, MPFR_RNDN);
            mpfr_add(loss, loss, t, MPFR_RNDN);
        }
    }
    mpfr_div_si(loss, loss, n * d, MPFR_RNDN);
    for (long i = 0; i < maxw; i++) { mpfr_clear(a[i]); mpfr_clear(b[i]); }
    free(a); free(b);
    mpfr_clear(t);
}

/* Checks nn_loss_grad against MPFR central differences; returns the worst
 * |g - g_fd| / (eps (|g_fd| + max|g_fd|)) and fails the test when it exceeds K. */
static double check_grad(const nn_t net, const double *X, long n, double K)
{
    long np = net->nparams;
    double *p = malloc((size_t) np * sizeof(double)), *g = malloc((size_t) np * sizeof(double));
    double *gfd = malloc((size_t) np * sizeof(double));
    nn_get_params(p, net);
    double loss;
    CU_ASSERT_EQUAL_FATAL(nn_loss_grad(&loss, g, net, X, n), AE_OK);
    mpfr_t *P = malloc((size_t) np * sizeof(mpfr_t));
    for (long i = 0; i < np; i++) { mpfr_init2(P[i], MP_PREC); mpfr_set_d(P[i], p[i], MPFR_RNDN); }
    mpfr_t lp, lm, h;
    mpfr_inits2(MP_PREC, lp, lm, h, (mpfr_ptr) 0);
    mp_loss(lp, net, P, X, n);
    double l0 = mpfr_get_d(lp, MPFR_RNDN);
    CU_ASSERT(fabs(loss - l0) <= 64 * eps_of(net->prec) * (fabs(l0) + 1e-300) * (net->L + 1));
    double gmax = 0;
    for (long i = 0; i < np; i++) {
        mpfr_add_d(P[i], P[i], 0x1p-64, MPFR_RNDN);
        mp_loss(lp, net, P, X, n);
        mpfr_sub_d(P[i], P[i], 0x1p-63, MPFR_RNDN);
        mp_loss(lm, net, P, X, n);
        mpfr_set_d(P[i], p[i], MPFR_RNDN);
        mpfr_sub(h, lp, lm, MPFR_RNDN);
        mpfr_mul_2si(h, h, 63, MPFR_RNDN);
        gfd[i] = mpfr_get_d(h, MPFR_RNDN);
        if (fabs(gfd[i]) > gmax) gmax = fabs(gfd[i]);
    }
    double worst = 0;
    long wi = -1;
    for (long i = 0; i < np; i++) {
        double rel = fabs(g[i] - gfd[i]) / (eps_of(net->prec) * (fabs(gfd[i]) + gmax));
        if (rel > worst) { worst = rel; wi = i; }
    }
    if (getenv("NN_TEST_VERBOSE")) fprintf(stderr, "  grad prec %d act0 %s: worst %.2f eps units (K %.0f)\n", net->prec, nn_act_name(net->act[0]), worst, K);
    if (worst > K)
        fprintf(stderr, "\n  gradient mismatch: prec %d act0 %s param %ld: bp %.17g fd %.17g "
                "(%.1f eps units > %.0f)\n", net->prec, nn_act_name(net->act[0]), wi, g[wi],
                gfd[wi], worst, K);
    CU_ASSERT(worst <= K);
    if (!(gmax > 0)) fprintf(stderr, "zero grad act %s prec %d\n", nn_act_name(net->act[0]), net->prec);
    CU_ASSERT(gmax > 0);
    for (long i = 0; i < np; i++) mpfr_clear(P[i]);
    mpfr_clears(lp, lm, h, (mpfr_ptr) 0);
    free(P); free(p); free(g); free(gfd);
    return worst;
}

/* Tolerance in units of eps (|g| + max|g|): the back-propagated gradient is a sum of
 * products along L layers of short dot products and activation derivatives accurate to a
 * few ulps, so its rounding error is a modest multiple of (depth + width) eps. */
static double grad_K(const nn_t net)
{
    long w = 0;
    for (long l = 0; l <= net->L; l++) w += net->sizes[l];
    return 4.0 * (double) (net->L + w);
}

static void test_grad_each_activation(void)
{
    gsl_rng *r = rng_new(tu_seed());
    static const long sizes[] = { 3, 4, 2, 4, 3 };
    for (int prec = NN_F32; prec <= NN_F64; prec += NN_F64 - NN_F32)
        for (int a = 0; a < NN_NACT; a++) {
            nn_act_t act[4] = { a, a, a, a };
            double ap[4] = { 0.125, 0.125, 0.125, 0.125 };
            if (a == NN_ELU) ap[0] = ap[1] = ap[2] = ap[3] = 1.5;
            nn_t net;
            CU_ASSERT_EQUAL_FATAL(nn_init(net, prec, 4, sizes, act, ap, NULL), AE_OK);
            double *p = malloc((size_t) net->nparams * sizeof(double));
            double *X = NULL, l, gnorm = 0;
            /* Redraw until the gradient is not identically 0 (a dead ReLU chain). */
            for (int tries = 0; tries < 20 && gnorm == 0; tries++) {
                nn_init_params(net, NN_INIT_TORCH, r);
                /* Larger weights push units into the saturated and negative regions. */
                nn_get_params(p, net);
                for (long i = 0; i < net->nparams; i++) p[i] *= 2;
                CU_ASSERT_EQUAL(nn_set_params(net, p), AE_OK);
                free(X);
                X = rand_data(r, 5, 3, 1.5);
                nn_loss_grad(&l, p, net, X, 5);
                for (long i = 0; i < net->nparams; i++) gnorm += fabs(p[i]);
            }
            check_grad(net, X, 5, grad_K(net));
            free(X); free(p);
            nn_clear(net);
        }
    gsl_rng_free(r);
}

static void test_grad_multilayer(void)
{
    gsl_rng *r = rng_new(tu_seed() + 1);
    static const long sizes[] = { 4, 7, 5, 2, 5, 6, 4 };
    static const nn_act_t act[] = { NN_GELU, NN_LEAKY_RELU, NN_TANH, NN_SILU, NN_ELU, NN_SIGMOID };
    static const int bias[] = { 1, 0, 1, 1, 0, 1 };
    static const double ap[] = { 0, 0.2, 0, 0, 0.75, 0 };
    for (int prec = NN_F32; prec <= NN_F64; prec += NN_F64 - NN_F32)
        for (int init = NN_INIT_TORCH; init <= NN_INIT_XAVIER; init++) {
            nn_t net;
            CU_ASSERT_EQUAL_FATAL(nn_init(net, prec, 6, sizes, act, ap, bias), AE_OK);
            nn_init_params(net, init, r);
            if (init != NN_INIT_TORCH) {   /* He/Xavier leave b = 0: give biases values */
                double *p = malloc((size_t) net->nparams * sizeof(double));
                nn_get_params(p, net);
                for (long l = 0; l < net->L; l++)
                    for (long o = 0; net->bias[l] && o < sizes[l + 1]; o++)
                        p[net->boff[l] + o] = 0.3 * (2 * gsl_rng_uniform(r) - 1);
                nn_set_params(net, p);
                free(p);
            }
            double *X = rand_data(r, 6, 4, 1.0);
            check_grad(net, X, 6, grad_K(net));
            free(X);
            nn_clear(net);
        }
    gsl_rng_free(r);
}

/* A network of width-1 layers and a single sample: the smallest case. */
static void test_grad_size_one(void)
{
    static const long sizes[] = { 1, 1 };
    for (int prec = NN_F32; prec <= NN_F64; prec += NN_F64 - NN_F32) {
        nn_act_t act[] = { NN_TANH };
        nn_t net;
        nn_init(net, prec, 1, sizes, act, NULL, NULL);
        double p[2] = { 0.75, -0.25 }, X[1] = { 0.5 };
        nn_set_params(net, p);
        check_grad(net, X, 1, grad_K(net));
        /* By hand: f = tanh(0.125), loss = (f - 0.5)^2, dL/dw = 2 (f - .5)(1 - f^2) x. */
        double f = tanh(0.125), g[2], loss;
        nn_loss_grad(&loss, g, net, X, 1);
        double e = eps_of(prec) * 8;
        CU_ASSERT(fabs(loss - (f - 0.5) * (f - 0.5)) <= e);
        CU_ASSERT(fabs(g[0] - 2 * (f - 0.5) * (1 - f * f) * 0.5) <= e);
        CU_ASSERT(fabs(g[1] - 2 * (f - 0.5) * (1 - f * f)) <= e);
        nn_clear(net);
    }
}

/* Forward values of every activation against nn_act_eval (double). */
static void test_forward_activations(void)
{
    static const long sizes[] = { 1, 1 };
    double X[41];
    for (int i = 0; i <= 40; i++) X[i] = (i - 20) * 0.375;   /* -7.5 .. 7.5, exact */
    for (int prec = NN_F32; prec <= NN_F64; prec += NN_F64 - NN_F32)
        for (int a = 0; a < NN_NACT; a++) {
            nn_act_t act[] = { a };
            double ap[] = { a == NN_ELU ? 1.25 : 0.0625 };
            nn_t net;
            nn_init(net, prec, 1, sizes, act, ap, NULL);
            double p[2] = { 1, 0 }, Y[41], e[41];
            nn_set_params(net, p);
            CU_ASSERT_EQUAL(nn_forward(Y, net, X, 41), AE_OK);
            CU_ASSERT_EQUAL(nn_scores(e, net, X, 41), AE_OK);
            for (int i = 0; i <= 40; i++) {
                double ref = nn_act_eval(a, net->act_param[0], X[i]);
                /* A float result can only be as good as the function's condition number
                 * |z f'(z) / f(z)| allows (GELU's tail is steep); f' by a difference. */
                double hz = 1e-6 * fabs(X[i]), cond = 0;
                if (ref != 0 && hz > 0)
                    cond = fabs((nn_act_eval(a, net->act_param[0], X[i] + hz)
                                 - nn_act_eval(a, net->act_param[0], X[i] - hz)) / 2e-6 / ref);
                if (!(fabs(Y[i] - ref) <= (4 + 2 * cond) * eps_of(prec) * fabs(ref) + 1e-300)) fprintf(stderr, "act %s prec %d z %g Y %.17g ref %.17g cond %g\n", nn_act_name(a), prec, X[i], Y[i], ref, cond);
                CU_ASSERT(fabs(Y[i] - ref) <= (4 + 2 * cond) * eps_of(prec) * fabs(ref) + 1e-300);
                double dr = X[i] - Y[i];
                CU_ASSERT(fabs(e[i] - dr * dr) <= 8 * eps_of(prec) * (fabs(X[i]) + fabs(Y[i])) * (fabs(X[i]) + fabs(Y[i])));
            }
            nn_clear(net);
        }
    /* n = 0 is allowed and does nothing. */
    nn_t net;
    nn_act_t act[] = { NN_RELU };
    nn_init(net, NN_F32, 1, sizes, act, NULL, NULL);
    CU_ASSERT_EQUAL(nn_forward(NULL, net, NULL, 0), AE_OK);
    nn_clear(net);
}

/* The gradient of a batch spanning several chunks equals the weighted mean of its parts'. */
static void test_grad_chunks(void)
{
    gsl_rng *r = rng_new(tu_seed() + 2);
    static const long sizes[] = { 3, 8, 3 };
    nn_act_t act[] = { NN_RELU, NN_IDENTITY };
    for (int prec = NN_F32; prec <= NN_F64; prec += NN_F64 - NN_F32) {
        nn_t net;
        nn_init(net, prec, 2, sizes, act, NULL, NULL);
        nn_init_params(net, NN_INIT_HE, r);
        long n = 2600, n1 = 1000;
        double *X = rand_data(r, n, 3, 1);
        long np = net->nparams;
        double *g = malloc(3 * (size_t) np * sizeof(double)), l, l1, l2;
        nn_loss_grad(&l, g, net, X, n);
        nn_loss_grad(&l1, g + np, net, X, n1);
        nn_loss_grad(&l2, g + 2 * np, net, X + n1 * 3, n - n1);
        double gmax = 0;
        for (long i = 0; i < np; i++) gmax = fmax(gmax, fabs(g[i]));
        for (long i = 0; i < np; i++) {
            double ref = (n1 * g[np + i] + (n - n1) * g[2 * np + i]) / n;
            CU_ASSERT(fabs(g[i] - ref) <= 64 * eps_of(prec) * gmax * 30);
        }
        CU_ASSERT(fabs(l - (n1 * l1 + (n - n1) * l2) / n) <= 1e-12 * l);
        free(X); free(g);
        nn_clear(net);
    }
    gsl_rng_free(r);
}

/* One full-batch step of SGD (with momentum, two steps) and Adam against the formulas,
 * with 1 and 2 threads.  The hidden width 11 gives parameter slices long enough for the
 * vectorised Adam loop and its scalar tail in both precisions. */
static void test_optimizer_steps(void)
{
    gsl_rng *r = rng_new(tu_seed() + 3);
    static const long sizes[] = { 2, 11, 2 };
    nn_act_t act[] = { NN_TANH, NN_IDENTITY };
    double *X = rand_data(r, 7, 2, 1);
    for (int prec = NN_F32; prec <= NN_F64; prec += NN_F64 - NN_F32)
        for (int opt = NN_OPT_SGD; opt <= NN_OPT_ADAM; opt++)
            for (int threads = 1; threads <= 2; threads++) {
                nn_t net;
                nn_init(net, prec, 2, sizes, act, NULL, NULL);
                nn_init_params(net, NN_INIT_TORCH, r);
                long np = net->nparams;
                double p0[64], g0[64], p1[64], g1[64], p2[64], loss, eloss;
                CU_ASSERT_FATAL(np <= 64);
                nn_get_params(p0, net);
                nn_loss_grad(&loss, g0, net, X, 7);
                nn_trainopts o;
                nn_trainopts_default(&o);
                o.opt = opt;
                o.lr = 0.05;
                o.momentum = opt == NN_OPT_SGD ? 0.5 : 0;
                o.threads = threads;
                nn_trainer_t T;
                CU_ASSERT_EQUAL_FATAL(nn_trainer_init(T, net, &o, X, 7), AE_OK);
                CU_ASSERT_EQUAL(nn_trainer_epoch(&eloss, T), AE_OK);
                if (threads == 1)
                    CU_ASSERT_EQUAL(eloss, loss);   /* same computation, same order */
                CU_ASSERT(fabs(eloss - loss) <= 8 * eps_of(prec) * loss);
                nn_get_params(p1, net);
                double e = 4 * eps_of(prec);
                for (long i = 0; i < np; i++) {
                    double ref = opt == NN_OPT_SGD ? p0[i] - 0.05 * g0[i]
                        : p0[i] - 0.05 * g0[i] / (fabs(g0[i]) + 1e-8);   /* Adam's first step */
                    CU_ASSERT(fabs(p1[i] - ref) <= e * (fabs(p0[i]) + 0.05));
                }
                nn_loss_grad(&loss, g1, net, X, 7);
                CU_ASSERT_EQUAL(nn_trainer_epoch(&eloss, T), AE_OK);
                nn_get_params(p2, net);
                for (long i = 0; i < np && opt == NN_OPT_SGD; i++) {
                    double ref = p1[i] - 0.05 * (0.5 * g0[i] + g1[i]);
                    CU_ASSERT(fabs(p2[i] - ref) <= e * (fabs(p1[i]) + 0.05));
                }
                for (long i = 0; i < np && opt == NN_OPT_ADAM; i++) {
                    double m = (0.9 * 0.1 * g0[i] + 0.1 * g1[i]) / (1 - 0.81);
                    double v = (0.999 * 0.001 * g0[i] * g0[i] + 0.001 * g1[i] * g1[i]) / (1 - 0.999 * 0.999);
                    double ref = p1[i] - 0.05 * m / (sqrt(v) + 1e-8);
                    CU_ASSERT(fabs(p2[i] - ref) <= 16 * e * (fabs(p1[i]) + 0.05));
                }
                CU_ASSERT_EQUAL(net->rec.steps, 2);
                CU_ASSERT_EQUAL(net->rec.epochs, 2);
                nn_trainer_clear(T);
                nn_clear(net);
            }
    free(X);
    gsl_rng_free(r);
}

/* Trains [2,5,1,5,2] on the diagonal with mini-batches; returns the final loss. */
static double train_diag_t(nn_t net, int prec, unsigned long seed, long epochs, long batch,
                           int threads)
{
    static const long sizes[] = { 2, 5, 1, 5, 2 };
    nn_act_t act[] = { NN_RELU, NN_RELU, NN_RELU, NN_IDENTITY };
    gsl_rng *r = rng_new(seed);
    double X[200];
    for (int i = 0; i < 100; i++) X[2 * i] = X[2 * i + 1] = (double) (float) gsl_rng_uniform(r);
    nn_init(net, prec, 4, sizes, act, NULL, NULL);
    nn_init_params(net, NN_INIT_TORCH, r);
    nn_trainopts o;
    nn_trainopts_default(&o);
    o.lr = 1e-2;
    o.batch = batch;
    o.seed = seed;
    o.threads = threads;
    nn_trainer_t T;
    CU_ASSERT_EQUAL(nn_trainer_init(T, net, &o, X, 100), AE_OK);
    double loss = NAN;
    for (long e = 0; e < epochs; e++)
        CU_ASSERT_EQUAL(nn_trainer_epoch(&loss, T), AE_OK);
    strcpy(net->rec.data, "diagonal");
    nn_trainer_clear(T);
    gsl_rng_free(r);
    return loss;
}

static double train_diag(nn_t net, int prec, unsigned long seed, long epochs, long batch)
{
    return train_diag_t(net, prec, seed, epochs, batch, 1);
}

/* Threads: the same thread count gives the same model; another thread count sums the
 * chunk gradients in another order, so the model differs, but only by rounding. */
static void test_threads(void)
{
    for (int prec = NN_F32; prec <= NN_F64; prec += NN_F64 - NN_F32)
        for (long batch = 0; batch <= 40; batch += 40) {
            nn_t a, b, c;
            double la = train_diag_t(a, prec, 11, 3, batch, 3);
            double lb = train_diag_t(b, prec, 11, 3, batch, 3);
            double lc = train_diag_t(c, prec, 11, 3, batch, 1);
            CU_ASSERT_EQUAL(la, lb);
            CU_ASSERT(memcmp(a->params, b->params, (size_t) a->nparams * (prec == NN_F32 ? 4 : 8)) == 0);
            CU_ASSERT(fabs(la - lc) <= 1e3 * eps_of(prec) * lc);
            nn_clear(a); nn_clear(b); nn_clear(c);
        }
    /* many threads, few rows: threads without a chunk contribute nothing */
    gsl_rng *r = rng_new(tu_seed() + 5);
    static const long sizes[] = { 2, 3, 2 };
    nn_act_t act[] = { NN_TANH, NN_IDENTITY };
    double X[6] = { 0.5, -0.25, 1, 2, -1, 0.125 }, g[32], p1[32], p2[32], loss, l2;
    nn_t net, net2;
    nn_init(net, NN_F64, 2, sizes, act, NULL, NULL);
    nn_init_params(net, NN_INIT_TORCH, r);
    nn_init_copy(net2, net);
    nn_loss_grad(&loss, g, net, X, 3);
    nn_trainopts o;
    nn_trainopts_default(&o);
    o.opt = NN_OPT_SGD;
    o.threads = 8;
    nn_trainer_t T;
    CU_ASSERT_EQUAL_FATAL(nn_trainer_init(T, net, &o, X, 3), AE_OK);
    CU_ASSERT_EQUAL(nn_trainer_epoch(&l2, T), AE_OK);
    nn_trainer_clear(T);
    CU_ASSERT(fabs(l2 - loss) <= 8 * DBL_EPSILON * loss);
    nn_get_params(p1, net2);
    nn_get_params(p2, net);
    for (long i = 0; i < net->nparams; i++)
        CU_ASSERT(fabs(p2[i] - (p1[i] - 1e-3 * g[i])) <= 8 * DBL_EPSILON * (fabs(p1[i]) + 1e-3));
    nn_clear(net); nn_clear(net2);
    gsl_rng_free(r);
}

/* Batches of several rounds (wide layer, 200 rows, 2 or 3 threads) take the engine's rows
 * mode: per-thread gradients summed per output unit.  The same thread count gives the
 * same model; one SGD step matches the gradient of nn_loss_grad up to rounding; a smaller
 * last batch (units mode) and gathering through the shuffle work alongside. */
static void test_threads_rows_mode(void)
{
    gsl_rng *r = rng_new(tu_seed() + 7);
    static const long sizes[] = { 2, 512, 2 };
    nn_act_t act[] = { NN_RELU, NN_IDENTITY };
    const long n = 200;
    double *X = rand_data(r, n, 2, 1);
    double *g = malloc(sizeof(double) * 2562), *p0 = malloc(sizeof(double) * 2562),
           *p1 = malloc(sizeof(double) * 2562);
    for (int prec = NN_F32; prec <= NN_F64; prec += NN_F64 - NN_F32)
        for (int threads = 2; threads <= 3; threads++) {
            nn_t net, a, b;
            nn_init(net, prec, 2, sizes, act, NULL, NULL);
            nn_init_params(net, NN_INIT_TORCH, r);
            CU_ASSERT_EQUAL_FATAL(net->nparams, 2562);
            nn_get_params(p0, net);
            double loss, l1;
            nn_loss_grad(&loss, g, net, X, n);
            nn_init_copy(a, net);
            nn_trainopts o;
            nn_trainopts_default(&o);
            o.opt = NN_OPT_SGD;
            o.threads = threads;
            nn_trainer_t T;
            CU_ASSERT_EQUAL_FATAL(nn_trainer_init(T, a, &o, X, n), AE_OK);
            CU_ASSERT_EQUAL(nn_trainer_epoch(&l1, T), AE_OK);
            nn_trainer_clear(T);
            CU_ASSERT(fabs(l1 - loss) <= 64 * eps_of(prec) * loss);
            nn_get_params(p1, a);
            for (long i = 0; i < 2562; i++)
                CU_ASSERT(fabs(p1[i] - (p0[i] - 1e-3 * g[i]))
                          <= 16 * eps_of(prec) * (fabs(p0[i]) + 1e-3 * (fabs(g[i]) + 1)));
            /* Adam, batches of 150 and 50 rows, shuffled: twice the same bytes. */
            o.opt = NN_OPT_ADAM;
            o.batch = 150;
            o.seed = 9;
            double la, lb;
            nn_init_copy(b, net);
            nn_clear(a);
            nn_init_copy(a, net);
            CU_ASSERT_EQUAL_FATAL(nn_trainer_init(T, a, &o, X, n), AE_OK);
            for (int e = 0; e < 3; e++)
                CU_ASSERT_EQUAL(nn_trainer_epoch(&la, T), AE_OK);
            nn_trainer_clear(T);
            CU_ASSERT_EQUAL_FATAL(nn_trainer_init(T, b, &o, X, n), AE_OK);
            for (int e = 0; e < 3; e++)
                CU_ASSERT_EQUAL(nn_trainer_epoch(&lb, T), AE_OK);
            nn_trainer_clear(T);
            CU_ASSERT_EQUAL(la, lb);
            CU_ASSERT(memcmp(a->params, b->params,
                             (size_t) a->nparams * (prec == NN_F32 ? 4 : 8)) == 0);
            CU_ASSERT(la < loss);
            nn_clear(net); nn_clear(a); nn_clear(b);
        }
    free(X); free(g); free(p0); free(p1);
    gsl_rng_free(r);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t) n + 1);
    *len = fread(b, 1, (size_t) n, f);
    b[*len] = '\0';   /* callers search it with strstr */
    fclose(f);
    return b;
}

static void spit(const char *path, const char *b, size_t len)
{
    FILE *f = fopen(path, "wb");
    fwrite(b, 1, len, f);
    fclose(f);
}

static char tmpdir[64];

static void tmp_path(char *buf, const char *name)
{
    if (tmpdir[0] == '\0') {
        strcpy(tmpdir, "/tmp/test_nn.XXXXXX");
        CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmpdir));
    }
    sprintf(buf, "%s/%s", tmpdir, name);
}

static void test_train_reproducible(void)
{
    char p1[128], p2[128], p3[128], err[256];
    tmp_path(p1, "a.aem"); tmp_path(p2, "b.aem"); tmp_path(p3, "c.aem");
    for (int prec = NN_F32; prec <= NN_F64; prec += NN_F64 - NN_F32) {
        nn_t a, b, c;
        double la = train_diag(a, prec, 7, 30, 16);
        double lb = train_diag(b, prec, 7, 30, 16);
        train_diag(c, prec, 8, 30, 16);
        CU_ASSERT(la < 0.05);   /* it learns: the initial loss is about 0.3 */
        CU_ASSERT_EQUAL(la, lb);
        CU_ASSERT_EQUAL(a->rec.steps, 30 * 7);
        CU_ASSERT_EQUAL(nn_save(p1, a, err, sizeof err), AE_OK);
        CU_ASSERT_EQUAL(nn_save(p2, b, err, sizeof err), AE_OK);
        CU_ASSERT_EQUAL(nn_save(p3, c, err, sizeof err), AE_OK);
        size_t n1, n2, n3;
        char *b1 = slurp(p1, &n1), *b2 = slurp(p2, &n2), *b3 = slurp(p3, &n3);
        CU_ASSERT(n1 == n2 && memcmp(b1, b2, n1) == 0);
        CU_ASSERT(n1 != n3 || memcmp(b1, b3, n1) != 0);
        free(b1); free(b2); free(b3);
        nn_clear(a); nn_clear(b); nn_clear(c);
    }
}

static void test_save_load_roundtrip(void)
{
    char p1[128], p2[128], err[256];
    tmp_path(p1, "r1.aem"); tmp_path(p2, "r2.aem");
    gsl_rng *r = rng_new(tu_seed() + 4);
    static const long sizes[] = { 3, 6, 2, 6, 3 };
    nn_act_t act[] = { NN_LEAKY_RELU, NN_ELU, NN_GELU, NN_SIGMOID };
    double ap[] = { 0.1, 0.3, 0, 0 };
    int bias[] = { 1, 0, 1, 1 };
    for (int prec = NN_F32; prec <= NN_F64; prec += NN_F64 - NN_F32) {
        nn_t a, b;
        nn_init(a, prec, 4, sizes, act, ap, bias);
        nn_init_params(a, NN_INIT_XAVIER, r);
        double *p = malloc((size_t) a->nparams * sizeof(double)), *q = malloc((size_t) a->nparams * sizeof(double));
        nn_get_params(p, a);
        p[0] = -0.0; p[1] = 0x1p-149; p[2] = -0x1.fffffep127;   /* edge values of float32 */
        nn_set_params(a, p);
        nn_get_params(p, a);
        mpq_t lo[3], hi[3];
        for (int i = 0; i < 3; i++) { mpq_init(lo[i]); mpq_init(hi[i]); mpq_set_si(lo[i], -i, 3); mpq_set_si(hi[i], 7 * i + 1, 11); }
        nn_set_scale(a, (const mpq_t *) lo, (const mpq_t *) hi);
        strcpy(a->rec.data, "some file with spaces.csv");
        strcpy(a->rec.normal, "4,5,7");
        a->rec.lr = 0.1; a->rec.seed = 18446744073709551615UL; a->rec.loss = 1.0 / 3;
        CU_ASSERT_EQUAL_FATAL(nn_save(p1, a, err, sizeof err), AE_OK);
        CU_ASSERT_EQUAL_FATAL(nn_load(b, p1, err, sizeof err), AE_OK);
        CU_ASSERT_EQUAL(b->prec, prec);
        CU_ASSERT_EQUAL(b->nparams, a->nparams);
        nn_get_params(q, b);
        CU_ASSERT(memcmp(p, q, (size_t) a->nparams * sizeof(double)) == 0);
        CU_ASSERT(signbit(q[0]));
        CU_ASSERT(memcmp(a->act_param, b->act_param, 4 * sizeof(double)) == 0);
        CU_ASSERT(memcmp(a->bias, b->bias, sizeof bias) == 0);
        CU_ASSERT_EQUAL(b->nscale, 3);
        for (int i = 0; i < 3; i++)
            CU_ASSERT(mpq_equal(b->scale_lo[i], lo[i]) && mpq_equal(b->scale_hi[i], hi[i]));
        CU_ASSERT_STRING_EQUAL(b->rec.data, a->rec.data);
        CU_ASSERT_STRING_EQUAL(b->rec.normal, "4,5,7");
        CU_ASSERT_EQUAL(b->rec.lr, 0.1);
        CU_ASSERT_EQUAL(b->rec.seed, 18446744073709551615UL);
        CU_ASSERT_EQUAL(b->rec.loss, 1.0 / 3);
        CU_ASSERT_EQUAL(b->rec.init, NN_INIT_XAVIER);
        CU_ASSERT_EQUAL(nn_save(p2, b, err, sizeof err), AE_OK);
        size_t n1, n2;
        char *b1 = slurp(p1, &n1), *b2 = slurp(p2, &n2);
        CU_ASSERT(n1 == n2 && memcmp(b1, b2, n1) == 0);
        free(b1); free(b2);
        /* Forward values agree bit for bit too. */
        double X[6] = { 0.5, -1, 2, 0.25, 0, -0.75 }, Ya[6], Yb[6];
        nn_forward(Ya, a, X, 2);
        nn_forward(Yb, b, X, 2);
        CU_ASSERT(memcmp(Ya, Yb, sizeof Ya) == 0);
        nn_t c;   /* a deep copy is independent of its source */
        CU_ASSERT_EQUAL(nn_init_copy(c, b), AE_OK);
        nn_clear(b);
        nn_forward(Yb, c, X, 2);
        CU_ASSERT(memcmp(Ya, Yb, sizeof Ya) == 0);
        CU_ASSERT(c->nscale == 3 && mpq_equal(c->scale_hi[2], hi[2]));
        nn_clear(c);
        for (int i = 0; i < 3; i++) { mpq_clear(lo[i]); mpq_clear(hi[i]); }
        free(p); free(q);
        nn_clear(a);
    }
    gsl_rng_free(r);
}

static void test_load_rejects_corrupt(void)
{
    char p1[128], p2[128], err[256];
    tmp_path(p1, "c1.aem"); tmp_path(p2, "c2.aem");
    nn_t a, b;
    train_diag(a, NN_F32, 3, 2, 0);
    CU_ASSERT_EQUAL_FATAL(nn_save(p1, a, err, sizeof err), AE_OK);
    size_t n;
    char *buf = slurp(p1, &n);
    /* Every truncation is rejected with a message, never accepted, never a crash. */
    for (size_t k = 0; k < n; k++) {
        spit(p2, buf, k);
        err[0] = '\0';
        int st = nn_load(b, p2, err, sizeof err);
        CU_ASSERT_EQUAL(st, AE_EPARSE);
        CU_ASSERT(strlen(err) > 0);
        if (st == AE_OK) nn_clear(b);
    }
    /* A changed digit in a weight: parses, but the checksum catches it. */
    char *w = strstr(buf, "\nW 0");
    char *digit = strstr(w, "0x1.") + 4;
    *digit = *digit == '1' ? '2' : '1';
    spit(p2, buf, n);
    CU_ASSERT_EQUAL(nn_load(b, p2, err, sizeof err), AE_EPARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "checksum"));
    *digit = *digit == '1' ? '2' : '1';
    /* Wrong magic, missing file. */
    buf[0] = 'b';
    spit(p2, buf, n);
    CU_ASSERT_EQUAL(nn_load(b, p2, err, sizeof err), AE_EPARSE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "magic"));
    CU_ASSERT_EQUAL(nn_load(b, "/nonexistent/dir/x.aem", err, sizeof err), AE_EIO);
    free(buf);
    /* A well-formed file (correct checksum) with bad content: unsupported version, a
     * float32 weight that is not a float, NaN weight. */
    static const char *const bad[] = {
        "aeaudit-model 99\n",
        "aeaudit-model 1\nprecision float32\nlayers 1\nsizes 1 1\nact 0 relu\nbias 0\n"
        "record data -\nrecord normal -\nrecord n 1\nrecord opt adam\nrecord lr 0x1p-10\n"
        "record momentum 0x0p+0\nrecord beta1 0x1p-1\nrecord beta2 0x1p-1\nrecord eps 0x1p-20\n"
        "record epochs 0\nrecord batch 1\nrecord steps 0\nrecord seed 1\nrecord init torch\n"
        "record loss nan\nscale 0\nW 0 1 1\n0x1.0000001p+0\n",
        "aeaudit-model 1\nprecision float64\nlayers 1\nsizes 1 1\nact 0 relu\nbias 0\n"
        "record data -\nrecord normal -\nrecord n 1\nrecord opt adam\nrecord lr 0x1p-10\n"
        "record momentum 0x0p+0\nrecord beta1 0x1p-1\nrecord beta2 0x1p-1\nrecord eps 0x1p-20\n"
        "record epochs 0\nrecord batch 1\nrecord steps 0\nrecord seed 1\nrecord init torch\n"
        "record loss nan\nscale 0\nW 0 1 1\nnan\n",
        "aeaudit-model 1\nprecision float64\nlayers 1\nsizes 1 2\nact 0 frobnicate\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        /* append a correct checksum line so only the content is at fault */
        char body[2048];
        snprintf(body, sizeof body, "%s", bad[i]);
        FILE *f = fopen(p2, "wb");
        fputs(body, f);
        fclose(f);
        unsigned long c = crc32(0L, (const Bytef *) body, (uInt) strlen(body));
        f = fopen(p2, "ab");
        fprintf(f, "end crc32 %08lx\n", c);
        fclose(f);
        err[0] = '\0';
        CU_ASSERT_EQUAL(nn_load(b, p2, err, sizeof err), AE_EPARSE);
        CU_ASSERT(strlen(err) > 0);
    }
    nn_clear(a);
}

/* Writes body + its correct checksum line to path (lines end in eol: "\n" or "\r\n"). */
static void spit_model(const char *path, const char *body, const char *eol)
{
    FILE *f = fopen(path, "wb");
    for (const char *s = body; *s; s++) {
        if (*s == '\n')
            fputs(eol, f);
        else
            fputc(*s, f);
    }
    fprintf(f, "end crc32 %08lx%s", crc32(0L, (const Bytef *) body, (uInt) strlen(body)), eol);
    fclose(f);
}

#define MODEL_HEAD(prec, sizes) "aeaudit-model 1\nprecision " prec "\nlayers 1\nsizes " sizes \
    "\nact 0 relu\nbias 0\nrecord data -\nrecord normal -\nrecord n 1\nrecord opt adam\n" \
    "record lr 0x1p-10\nrecord momentum 0x0p+0\nrecord beta1 0x1p-1\nrecord beta2 0x1p-1\n" \
    "record eps 0x1p-20\nrecord epochs 0\nrecord batch 1\nrecord steps 0\nrecord seed 1\n" \
    "record init torch\nrecord loss nan\n"

/* err starts with "path:line: ". */
static int err_at(const char *err, const char *path, long line)
{
    char pre[200];
    snprintf(pre, sizeof pre, "%s:%ld: ", path, line);
    return strncmp(err, pre, strlen(pre)) == 0;
}

/* The kernel path: recorded by training (portable by default), written as "record
 * kernels NAME", read back; a file without the line (older writers) loads as unknown; a
 * bad name is a parse error.  The BLAS path (when OpenBLAS is installed) trains the same
 * model up to rounding and is recorded as blas. */
static void test_kernels_record(void)
{
    char p[128], err[256];
    tmp_path(p, "kern.aem");
    nn_t a, b;
    double la = train_diag(a, NN_F32, 11, 20, 10);
    CU_ASSERT_EQUAL(a->rec.kernels, NN_KERNELS_PORTABLE);
    CU_ASSERT_EQUAL_FATAL(nn_save(p, a, err, sizeof err), AE_OK);
    size_t len;
    char *body = slurp(p, &len);
    CU_ASSERT_PTR_NOT_NULL(strstr(body, "\nrecord loss "));
    CU_ASSERT_PTR_NOT_NULL(strstr(body, "\nrecord kernels portable\nscale 0\n"));
    free(body);
    CU_ASSERT_EQUAL_FATAL(nn_load(b, p, err, sizeof err), AE_OK);
    CU_ASSERT_EQUAL(b->rec.kernels, NN_KERNELS_PORTABLE);
    nn_clear(b);
    /* an untrained network writes no kernels line and reads back as unknown */
    static const long sz[] = { 1, 1 };
    nn_act_t act1[] = { NN_RELU };
    nn_init(b, NN_F64, 1, sz, act1, NULL, NULL);
    CU_ASSERT_EQUAL(b->rec.kernels, NN_KERNELS_UNKNOWN);
    CU_ASSERT_EQUAL_FATAL(nn_save(p, b, err, sizeof err), AE_OK);
    nn_clear(b);
    body = slurp(p, &len);
    CU_ASSERT_PTR_NULL(strstr(body, "record kernels"));
    free(body);
    /* version-1 files of older writers: no kernels line */
    const char *old = MODEL_HEAD("float64", "1 1") "scale 0\nW 0 1 1\n0x1p+0\n";
    spit_model(p, old, "\n");
    CU_ASSERT_EQUAL_FATAL(nn_load(b, p, err, sizeof err), AE_OK);
    CU_ASSERT_EQUAL(b->rec.kernels, NN_KERNELS_UNKNOWN);
    nn_clear(b);
    spit_model(p, MODEL_HEAD("float64", "1 1") "record kernels blas\nscale 0\nW 0 1 1\n0x1p+0\n",
               "\n");
    CU_ASSERT_EQUAL_FATAL(nn_load(b, p, err, sizeof err), AE_OK);
    CU_ASSERT_EQUAL(b->rec.kernels, NN_KERNELS_BLAS);
    nn_clear(b);
    spit_model(p, MODEL_HEAD("float64", "1 1") "record kernels mkl\nscale 0\nW 0 1 1\n0x1p+0\n",
               "\n");
    CU_ASSERT_EQUAL(nn_load(b, p, err, sizeof err), AE_EPARSE);
    CU_ASSERT(err_at(err, p, 22));
    CU_ASSERT_STRING_EQUAL(nn_kernels_name(NN_KERNELS_PORTABLE), "portable");
    CU_ASSERT_STRING_EQUAL(nn_kernels_name(NN_KERNELS_BLAS), "blas");
    CU_ASSERT_STRING_EQUAL(nn_kernels_name(NN_KERNELS_UNKNOWN), "unknown");
    CU_ASSERT_PTR_NULL(nn_kernels_name(7));
    int k = 5;
    CU_ASSERT_EQUAL(nn_kernels_parse(&k, "blas"), AE_OK);
    CU_ASSERT_EQUAL(k, NN_KERNELS_BLAS);
    CU_ASSERT_EQUAL(nn_kernels_parse(&k, "BLAS"), AE_EPARSE);
    CU_ASSERT_EQUAL(k, NN_KERNELS_BLAS);
    CU_ASSERT_EQUAL(nn_kernels_parse(&k, "portable"), AE_OK);
    CU_ASSERT_EQUAL(k, NN_KERNELS_PORTABLE);
    /* the same training through OpenBLAS */
    if (oblas_load() != NULL) {
        nn_t c;
        static const long sizes[] = { 2, 5, 1, 5, 2 };
        nn_act_t act[] = { NN_RELU, NN_RELU, NN_RELU, NN_IDENTITY };
        gsl_rng *r = rng_new(11);
        double X[200];
        for (int i = 0; i < 100; i++)
            X[2 * i] = X[2 * i + 1] = (double) (float) gsl_rng_uniform(r);
        nn_init(c, NN_F32, 4, sizes, act, NULL, NULL);
        nn_init_params(c, NN_INIT_TORCH, r);
        nn_trainopts o;
        nn_trainopts_default(&o);
        o.lr = 1e-2;
        o.batch = 10;
        o.seed = 11;
        o.kernels = NN_KERNELS_BLAS;
        nn_trainer_t T;
        CU_ASSERT_EQUAL_FATAL(nn_trainer_init(T, c, &o, X, 100), AE_OK);
        double lc = NAN;
        for (int e = 0; e < 20; e++)
            CU_ASSERT_EQUAL(nn_trainer_epoch(&lc, T), AE_OK);
        nn_trainer_clear(T);
        CU_ASSERT_EQUAL(c->rec.kernels, NN_KERNELS_BLAS);
        /* the weight gradients' sums run in OpenBLAS's order: equal up to rounding */
        CU_ASSERT(fabs(lc - la) <= 1e-3 * la);
        nn_clear(c);
        gsl_rng_free(r);
    } else {
        fprintf(stderr, "test_nn: OpenBLAS not installed: blas path not tested (%s)\n",
                oblas_error());
    }
    nn_clear(a);
}

static void test_load_limits(void)
{
    char p[128], err[256];
    tmp_path(p, "lim.aem");
    nn_t b;
    /* a valid file, LF and CRLF alike */
    const char *good = MODEL_HEAD("float64", "1 1") "scale 1\n0 1/2\nW 0 1 1\n0x1p+0\n";
    spit_model(p, good, "\n");
    CU_ASSERT_EQUAL_FATAL(nn_load(b, p, err, sizeof err), AE_OK);
    nn_clear(b);
    spit_model(p, good, "\r\n");
    CU_ASSERT_EQUAL(nn_load(b, p, err, sizeof err), AE_OK);
    if (strlen(err) > 0 && strstr(err, "version"))
        fprintf(stderr, "\nCRLF: %s\n", err);
    CU_ASSERT_EQUAL(b->nscale, 1);
    nn_clear(b);
    /* scale lo > hi: FILE:LINE (line 23 is the scale line) */
    spit_model(p, MODEL_HEAD("float64", "1 1") "scale 1\n1 0\nW 0 1 1\n0x1p+0\n", "\n");
    CU_ASSERT_EQUAL(nn_load(b, p, err, sizeof err), AE_EPARSE);
    CU_ASSERT_TRUE(err_at(err, p, 23));
    if (!err_at(err, p, 23)) fprintf(stderr, "\n%s\n", err);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "lo > hi"));
    /* sizes whose product needs 2^48 parameters (> 100 GB): refused at the sizes line */
    spit_model(p, MODEL_HEAD("float64", "16777216 16777216") "scale 0\n", "\n");
    CU_ASSERT_EQUAL(nn_load(b, p, err, sizeof err), AE_ERANGE);
    CU_ASSERT_TRUE(err_at(err, p, 4));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "cap"));
    /* within the cap but far more than the file can hold: scale 16777216 in 400 bytes */
    spit_model(p, MODEL_HEAD("float64", "16777216 1") "scale 16777216\n0 1\n", "\n");
    CU_ASSERT_EQUAL(nn_load(b, p, err, sizeof err), AE_EPARSE);
    CU_ASSERT_TRUE(err_at(err, p, 4));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "cannot fit"));
    /* scale count other than 0 or sizes[0] */
    spit_model(p, MODEL_HEAD("float64", "1 1") "scale 2\n0 1\n0 1\nW 0 1 1\n0x1p+0\n", "\n");
    CU_ASSERT_EQUAL(nn_load(b, p, err, sizeof err), AE_EPARSE);
    CU_ASSERT_TRUE(err_at(err, p, 22));
    if (!err_at(err, p, 22)) fprintf(stderr, "\n%s\n", err);
    /* a file above the size cap (sparse, nothing allocated) is refused unread */
    FILE *f = fopen(p, "wb");
    fputs("aeaudit-model 1\n", f);
    fclose(f);
    CU_ASSERT_EQUAL(truncate(p, (off_t) NN_MAX_FILE_BYTES + 1), 0);
    CU_ASSERT_EQUAL(nn_load(b, p, err, sizeof err), AE_ERANGE);
    CU_ASSERT_TRUE(err_at(err, p, 0));
    /* a big file with a wrong first line fails on the magic, before the rest is read */
    f = fopen(p, "wb");
    fputs("not a model\n", f);
    fclose(f);
    CU_ASSERT_EQUAL(truncate(p, (off_t) NN_MAX_FILE_BYTES - 1), 0);
    CU_ASSERT_EQUAL(nn_load(b, p, err, sizeof err), AE_EPARSE);
    CU_ASSERT_TRUE(err_at(err, p, 1));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "magic"));
    unlink(p);
    /* nn_save uses the one temporary name PATH.tmp: a stale one is overwritten, then gone */
    char tmp[160];
    snprintf(tmp, sizeof tmp, "%s.tmp", p);
    f = fopen(tmp, "wb");
    fputs("stale stale stale stale stale stale stale stale stale stale stale\n", f);
    fclose(f);
    spit_model(p, good, "\n");
    CU_ASSERT_EQUAL_FATAL(nn_load(b, p, err, sizeof err), AE_OK);
    CU_ASSERT_EQUAL(nn_save(p, b, err, sizeof err), AE_OK);
    CU_ASSERT_EQUAL(access(tmp, F_OK), -1);
    nn_clear(b);
    CU_ASSERT_EQUAL(nn_load(b, p, err, sizeof err), AE_OK);
    nn_clear(b);
    unlink(p);
}

/* One TU_EXPECT_ERROR per function: several in one function trip -Wclobbered. */
static void expect_init_misuse(int prec, long L, const long *sizes, const nn_act_t *act)
{
    nn_t net;
    TU_EXPECT_ERROR(nn_init(net, prec, L, sizes, act, NULL, NULL));
    nn_clear(net);
}

static void expect_trainer_misuse(nn_t net, const nn_trainopts *o, const double *X, long n)
{
    nn_trainer_t T;
    TU_EXPECT_ERROR(nn_trainer_init(T, net, o, X, n));
    nn_trainer_clear(T);
}

static void test_bad_input(void)
{
    static const long sizes[] = { 2, 3, 2 }, bad_sizes[] = { 2, 3, 3 }, zero[] = { 2, 0, 2 };
    nn_act_t act[] = { NN_RELU, NN_IDENTITY }, badact[] = { (nn_act_t) 99, NN_IDENTITY };
    nn_t net;
    expect_init_misuse(NN_F32, 2, sizes, badact);
    expect_init_misuse(NN_F32, 2, zero, act);
    expect_init_misuse(16, 2, sizes, act);
    expect_init_misuse(NN_F32, 0, sizes, act);
    double X[4] = { 1, 2, 3, 4 };
    nn_trainopts o;
    nn_trainopts_default(&o);
    nn_trainer_t T;
    /* architecture does not match the data (output width != input width) */
    nn_init(net, NN_F32, 2, bad_sizes, act, NULL, NULL);
    expect_trainer_misuse(net, &o, X, 2);
    nn_clear(net);
    nn_init(net, NN_F64, 2, sizes, act, NULL, NULL);
    o.lr = 0;
    expect_trainer_misuse(net, &o, X, 2);
    o.lr = -1;
    expect_trainer_misuse(net, &o, X, 2);
    o.lr = NAN;
    expect_trainer_misuse(net, &o, X, 2);
    o.lr = 1e-3;
    o.kernels = 2;
    expect_trainer_misuse(net, &o, X, 2);
    o.kernels = NN_KERNELS_UNKNOWN;
    expect_trainer_misuse(net, &o, X, 2);
    o.kernels = NN_KERNELS_PORTABLE;
    expect_trainer_misuse(net, &o, X, 0);
    /* NaN / Inf / float32 overflow in the data */
    X[1] = NAN;
    CU_ASSERT_EQUAL(nn_trainer_init(T, net, &o, X, 2), AE_ERANGE);
    X[1] = INFINITY;
    double Y[4];
    CU_ASSERT_EQUAL(nn_forward(Y, net, X, 2), AE_ERANGE);
    CU_ASSERT_EQUAL(nn_loss_grad(Y, NULL, net, X, 2), AE_ERANGE);
    nn_clear(net);
    nn_init(net, NN_F32, 2, sizes, act, NULL, NULL);
    X[1] = 1e300;
    CU_ASSERT_EQUAL(nn_trainer_init(T, net, &o, X, 2), AE_ERANGE);
    double p[17];   /* 2*3 + 3 + 3*2 + 2 parameters */
    CU_ASSERT_EQUAL(net->nparams, 17);
    for (int i = 0; i < 17; i++) p[i] = 1;
    p[5] = 1e39;
    CU_ASSERT_EQUAL(nn_set_params(net, p), AE_ERANGE);
    /* a loss that diverges: SGD with a huge rate stops with AE_ERANGE and a NaN loss */
    X[1] = 2;
    p[5] = 1;
    nn_set_params(net, p);
    o.opt = NN_OPT_SGD;
    o.lr = 1e30;
    CU_ASSERT_EQUAL_FATAL(nn_trainer_init(T, net, &o, X, 2), AE_OK);
    int st = AE_OK;
    double loss = 0;
    for (int e = 0; e < 50 && st == AE_OK; e++)
        st = nn_trainer_epoch(&loss, T);
    CU_ASSERT_EQUAL(st, AE_ERANGE);
    CU_ASSERT(isnan(net->rec.loss));
    nn_trainer_clear(T);
    nn_clear(net);
    /* activation names */
    nn_act_t a;
    double ap;
    CU_ASSERT_EQUAL(nn_act_parse(&a, &ap, "leaky-relu:0.2"), AE_OK);
    CU_ASSERT(a == NN_LEAKY_RELU && ap == 0.2);
    CU_ASSERT_EQUAL(nn_act_parse(&a, &ap, "elu"), AE_OK);
    CU_ASSERT(a == NN_ELU && ap == 1);
    CU_ASSERT_EQUAL(nn_act_parse(&a, &ap, "linear"), AE_OK);
    CU_ASSERT(a == NN_IDENTITY);
    for (int i = 0; i < NN_NACT; i++) {
        CU_ASSERT_EQUAL(nn_act_parse(&a, &ap, nn_act_name(i)), AE_OK);
        CU_ASSERT_EQUAL((int) a, i);
    }
    CU_ASSERT_EQUAL(nn_act_parse(&a, &ap, "relu6"), AE_EPARSE);
    CU_ASSERT_EQUAL(nn_act_parse(&a, &ap, "relu:2"), AE_EPARSE);
    CU_ASSERT_EQUAL(nn_act_parse(&a, &ap, "elu:-1"), AE_EPARSE);
    CU_ASSERT_EQUAL(nn_act_parse(&a, &ap, "leaky_relu:x"), AE_EPARSE);
    CU_ASSERT_EQUAL(nn_act_parse(&a, &ap, ""), AE_EPARSE);
    CU_ASSERT_PTR_NULL(nn_act_name(NN_NACT));
}

static void cleanup_tmp(void)
{
    CU_ASSERT_EQUAL(tu_rmtree(tmpdir), 0);
}

int main(void)
{
    static const tu_test T[] = {
        { "forward values of every activation", test_forward_activations },
        { "gradient vs MPFR differences, every activation, f32+f64", test_grad_each_activation },
        { "gradient vs MPFR differences, mixed 6-layer network", test_grad_multilayer },
        { "gradient of a 1x1 network by hand", test_grad_size_one },
        { "chunked batch gradient = mean of parts", test_grad_chunks },
        { "SGD-momentum and Adam steps vs formulas", test_optimizer_steps },
        { "same seed, same model bytes", test_train_reproducible },
        { "training threads", test_threads },
        { "training threads, rows mode", test_threads_rows_mode },
        { "save/load round-trips bit for bit", test_save_load_roundtrip },
        { "corrupt and truncated model files rejected", test_load_rejects_corrupt },
        { "model file limits: caps, CRLF, lo > hi, PATH.tmp", test_load_limits },
        { "kernel path: default, record line, old files, blas", test_kernels_record },
        { "bad input", test_bad_input },
        { "cleanup", cleanup_tmp },
        { NULL, NULL }
    };
    return tu_run("nn", 20250123UL, T);
}
