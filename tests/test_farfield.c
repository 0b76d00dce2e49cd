/* test_farfield — CUnit suite for theory/farfield (far-field bounds K, gamma, R). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gmp.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#include "testutil.h"
#include "qmat.h"
#include "qnum.h"
#include "nn.h"
#include "qnet.h"
#include "cone.h"
#include "farfield.h"
#include "dmat.h"
#include "zvec.h"

/* ---- helpers ------------------------------------------------------------------------ */

/* q = the exact network with the given parameters (W_1, b_1, W_2, ... as nn.h), float64. */
static void make_q(qnet_t q, long L, const long *sizes, const nn_act_t *act, const double *ap,
                   const int *bias, const double *p)
{
    nn_t net;
    CU_ASSERT_EQUAL_FATAL(nn_init(net, NN_F64, L, sizes, act, ap, bias), AE_OK);
    CU_ASSERT_EQUAL_FATAL(nn_set_params(net, p), AE_OK);
    CU_ASSERT_EQUAL_FATAL(qnet_init_nn(q, net), AE_OK);
    nn_clear(net);
}

/* q and f0 of a random network (tu_rand_net), weights multiplied by wscale. */
static void rand_pair_p(qnet_t q, qnet_t f0, gsl_rng *r, int prec, long L, const long *sizes,
                        const nn_act_t *act, int bias, double wscale)
{
    nn_t net;
    tu_rand_net(net, r, prec, L, sizes, act, bias);
    double *p = malloc((size_t) net->nparams * sizeof(double));
    nn_get_params(p, net);
    for (long i = 0; i < net->nparams; i++)
        p[i] *= wscale;
    CU_ASSERT_EQUAL_FATAL(nn_set_params(net, p), AE_OK);
    free(p);
    CU_ASSERT_EQUAL_FATAL(qnet_init_nn(q, net), AE_OK);
    CU_ASSERT_EQUAL_FATAL(qnet_init_recession(f0, q), AE_OK);
    nn_clear(net);
}

static void rand_pair(qnet_t q, qnet_t f0, gsl_rng *r, long L, const long *sizes,
                      const nn_act_t *act, int bias, double wscale)
{
    rand_pair_p(q, f0, r, NN_F32, L, sizes, act, bias, wscale);
}

static void rand_vec(mpq_t *v, long n, gsl_rng *r, long M, unsigned long D)
{
    do {
        for (long i = 0; i < n; i++)
            tu_rand_q(v[i], r, M, D);
    } while (qvec_is_zero(v, n));
}

/* The exact matrix W_l = M 2^-e of layer l. */
static void layer_matrix(qmat_t W, const qnet_t q, long l)
{
    qmat_init(W, q->sizes[l + 1], q->sizes[l]);
    for (long i = 0; i < q->sizes[l + 1] * q->sizes[l]; i++) {
        mpq_set_z(W->entries[i], q->W[l][i]);
        mpq_div_2exp(W->entries[i], W->entries[i], (mp_bitcnt_t) q->e[l]);
    }
}

/* e = ||v - f0(v)||^2 / ||v||^2 exactly. */
static void ratio(mpq_t e, const qnet_t f0, const mpq_t *v, long n)
{
    mpq_t nv;
    mpq_init(nv);
    CU_ASSERT_EQUAL_FATAL(qnet_score(e, f0, v, n), AE_OK);
    qvec_norm2(nv, v, n);
    mpq_div(e, e, nv);
    mpq_clear(nv);
}

/* ---- layer norms -------------------------------------------------------------------- */

/* sigma_max(W)^2 in double by power iteration on W^T W, and its vector. */
static double sigma2_float(double *v, const qmat_t W, int iters)
{
    long m = W->r, n = W->c;
    double *A = malloc((size_t) (m * n + 1) * sizeof(double));
    double *y = malloc((size_t) (m + 1) * sizeof(double)), s2 = 0;
    for (long i = 0; i < m * n; i++)
        A[i] = mpq_get_d(W->entries[i]);
    for (long j = 0; j < n; j++)
        v[j] = 1 + 0.01 * (double) j;
    for (int it = 0; it < iters; it++) {
        double nv = 0, ny = 0, nn = 0;
        for (long i = 0; i < m; i++) {
            y[i] = 0;
            for (long j = 0; j < n; j++)
                y[i] += A[i * n + j] * v[j];
            ny += y[i] * y[i];
        }
        for (long j = 0; j < n; j++) {
            nv += v[j] * v[j];
            v[j] = 0;
        }
        for (long i = 0; i < m; i++)
            for (long j = 0; j < n; j++)
                v[j] += A[i * n + j] * y[i];
        s2 = ny / nv;
        for (long j = 0; j < n; j++)
            nn += v[j] * v[j];
        if (!(nn > 0))
            break;
        for (long j = 0; j < n; j++)
            v[j] /= sqrt(nn);
    }
    free(A);
    free(y);
    return s2;
}

/* H = (max column sum of |W|) (max row sum of |W|) exactly (the Hoelder bound). */
static void hoelder(mpq_t H, const qmat_t W)
{
    mpq_t rs, cs, a, rmax, cmax;
    mpq_inits(rs, cs, a, rmax, cmax, (mpq_ptr) NULL);
    for (long i = 0; i < W->r; i++) {
        mpq_set_ui(rs, 0, 1);
        for (long j = 0; j < W->c; j++) {
            mpq_abs(a, W->entries[i * W->c + j]);
            mpq_add(rs, rs, a);
        }
        if (mpq_cmp(rs, rmax) > 0)
            mpq_set(rmax, rs);
    }
    for (long j = 0; j < W->c; j++) {
        mpq_set_ui(cs, 0, 1);
        for (long i = 0; i < W->r; i++) {
            mpq_abs(a, W->entries[i * W->c + j]);
            mpq_add(cs, cs, a);
        }
        if (mpq_cmp(cs, cmax) > 0)
            mpq_set(cmax, cs);
    }
    mpq_mul(H, rmax, cmax);
    mpq_clears(rs, cs, a, rmax, cmax, (mpq_ptr) NULL);
}

/* N2 >= ||W v||^2 / ||v||^2 exactly for v random and v the float top singular vector;
 * N2 <= ||W||_F^2 and the Hoelder bound; and N2 >= the float sigma_max^2 (up to
 * rounding). */
static void check_layer(const qnet_t q, long l, gsl_rng *r)
{
    mpq_t N2, F, t, nv;
    mpq_inits(N2, F, t, nv, (mpq_ptr) NULL);
    char w = 0;
    CU_ASSERT_EQUAL_FATAL(ff_layer_norm2(N2, &w, q, l), AE_OK);
    CU_ASSERT(w == 'F' || w == 'H' || w == 'C' || w == 'M' || w == 'R');
    qmat_t W;
    layer_matrix(W, q, l);
    qmat_frobenius2(F, W);
    CU_ASSERT(mpq_cmp(N2, F) <= 0);
    long m = W->r, n = W->c;
    hoelder(t, W);
    CU_ASSERT(mpq_cmp(N2, t) <= 0);
    mpq_t *v = qvec_init(n), *y = qvec_init(m);
    double *vd = malloc((size_t) n * sizeof(double));
    double s2 = sigma2_float(vd, W, 500);
    CU_ASSERT(mpq_get_d(N2) >= s2 * (1 - 1e-9));
    for (int k = 0; k < 60; k++) {
        if (k == 0) {
            for (long j = 0; j < n; j++)
                mpq_set_d(v[j], vd[j]);
            if (qvec_is_zero(v, n))
                continue;
        } else {
            rand_vec(v, n, r, 100, 50);
        }
        qmat_mul_vec(y, W, v);
        qvec_norm2(t, y, m);
        qvec_norm2(nv, v, n);
        mpq_mul(nv, nv, N2);
        CU_ASSERT(mpq_cmp(t, nv) <= 0);
    }
    free(vd);
    qvec_clear(v, n);
    qvec_clear(y, m);
    qmat_clear(W);
    mpq_clears(N2, F, t, nv, (mpq_ptr) NULL);
}

static void test_layer_norm(void)
{
    gsl_rng *r = tu_rng();
    static const long sz[][4] = { { 3, 5, 2, 3 }, { 1, 1, 1, 1 }, { 6, 2, 7, 6 }, { 4, 4, 4, 4 } };
    nn_act_t act[3] = { NN_RELU, NN_RELU, NN_IDENTITY };
    for (int rep = 0; rep < 16; rep++) {
        qnet_t q, f0;
        /* float64 weights: mantissas beyond a machine long (q->Ws NULL), the mpz path */
        rand_pair_p(q, f0, r, rep < 8 ? NN_F32 : NN_F64, 3, sz[rep % 4], act, 1, 1.0);
        for (long l = 0; l < 3; l++)
            check_layer(q, l, r);
        qnet_clear(q);
        qnet_clear(f0);
    }
    /* the mpz path: mantissas far beyond a machine long (1e-30 next to 3) */
    static const long sb[] = { 2, 2 };
    static const nn_act_t idb[] = { NN_IDENTITY };
    static const double big[] = { 3, 1e-30, -2.5, 0.75 };
    int nb0[1] = { 0 };
    qnet_t qb;
    make_q(qb, 1, sb, idb, NULL, nb0, big);
    CU_ASSERT(qb->Ws[0] == NULL);
    check_layer(qb, 0, r);
    qnet_clear(qb);
    /* known values: diag(3, 1): H = 9 = sigma^2 (F = 10); 1 x 1: w^2 exactly; a positive
     * rank-one matrix u v^T: Collatz-Wielandt is tight, F too (= ||u||^2 ||v||^2). */
    static const long s22[] = { 2, 2 }, s11[] = { 1, 1 }, s23[] = { 3, 2 };
    nn_act_t id[1] = { NN_IDENTITY };
    static const double diag[] = { 3, 0, 0, 1 }, one[] = { -0.75 };
    static const double r1[] = { 1, 2, 3, 2, 4, 6 };  /* (1, 2) (1, 2, 3)^T as 2 x 3 */
    int nb[1] = { 0 };
    qnet_t q;
    mpq_t N2;
    mpq_init(N2);
    char w;
    make_q(q, 1, s22, id, NULL, nb, diag);
    CU_ASSERT_EQUAL(ff_layer_norm2(N2, &w, q, 0), AE_OK);
    CU_ASSERT(mpq_cmp_ui(N2, 9, 1) == 0);
    qnet_clear(q);
    static const double zero[] = { 0, 0, 0, 0 };
    make_q(q, 1, s22, id, NULL, nb, zero);
    CU_ASSERT_EQUAL(ff_layer_norm2(N2, &w, q, 0), AE_OK);
    CU_ASSERT(mpq_sgn(N2) == 0);
    qnet_clear(q);
    make_q(q, 1, s11, id, NULL, nb, one);
    CU_ASSERT_EQUAL(ff_layer_norm2(N2, NULL, q, 0), AE_OK);
    CU_ASSERT(mpq_cmp_ui(N2, 9, 16) == 0);
    qnet_clear(q);
    make_q(q, 1, s23, id, NULL, nb, r1);
    CU_ASSERT_EQUAL(ff_layer_norm2(N2, &w, q, 0), AE_OK);
    CU_ASSERT(mpq_cmp_ui(N2, 70, 1) == 0);   /* 5 * 14, all three agree at best */
    TU_EXPECT_ERROR(ff_layer_norm2(N2, &w, q, 1));
    TU_EXPECT_ERROR(ff_layer_norm2(NULL, &w, q, 0));
    TU_EXPECT_ERROR(ff_layer_norm2(N2, &w, q, -1));
    qnet_clear(q);
    mpq_clear(N2);
    gsl_rng_free(r);
}

/* q = ||M z||^2 / ||z||^2 4^-e = ||W_l z||^2 / ||z||^2 exactly, z an integer vector, by
 * the integer mantissas (a lower bound of sigma_max^2 and of every upper bound). */
static void rayleigh_int(mpq_t qv, const qnet_t q, long l, const mpz_t *z)
{
    long m = q->sizes[l + 1], n = q->sizes[l];
    mpz_t y, ny, nz;
    mpz_inits(y, ny, nz, (mpz_ptr) NULL);
    for (long i = 0; i < m; i++) {
        mpz_set_ui(y, 0);
        for (long j = 0; j < n; j++)
            mpz_addmul(y, q->W[l][i * n + j], z[j]);
        mpz_addmul(ny, y, y);
    }
    for (long j = 0; j < n; j++)
        mpz_addmul(nz, z[j], z[j]);
    mpq_set_num(qv, ny);
    mpq_set_den(qv, nz);
    mpq_canonicalize(qv);
    mpq_div_2exp(qv, qv, (mp_bitcnt_t) (2 * q->e[l]));
    mpz_clears(y, ny, nz, (mpz_ptr) NULL);
}

/* sigma_max^2 of layer l by GSL's SVD (a second float method), and the top right singular
 * vector rounded to integers z_j = round(v_j 2^40). */
static double sigma2_svd(mpz_t *z, const qnet_t q, long l)
{
    long m = q->sizes[l + 1], n = q->sizes[l], k = m < n ? m : n;
    gsl_matrix *A = gsl_matrix_alloc((size_t) m, (size_t) n);
    gsl_matrix *U = gsl_matrix_alloc((size_t) m, (size_t) k);
    gsl_matrix *V = gsl_matrix_alloc((size_t) n, (size_t) k);
    gsl_vector *S = gsl_vector_alloc((size_t) k);
    for (long i = 0; i < m; i++)
        for (long j = 0; j < n; j++)
            gsl_matrix_set(A, (size_t) i, (size_t) j,
                           ldexp(mpz_get_d(q->W[l][i * n + j]), (int) -q->e[l]));
    CU_ASSERT_EQUAL_FATAL(dmat_svd(U, S, V, A), AE_OK);
    double s = gsl_vector_get(S, 0);
    for (long j = 0; j < n; j++)
        mpz_set_d(z[j], nearbyint(ldexp(gsl_matrix_get(V, (size_t) j, 0), 40)));
    gsl_matrix_free(A);
    gsl_matrix_free(U);
    gsl_matrix_free(V);
    gsl_vector_free(S);
    return s * s;
}

/* A 784 x 256 layer (the size of an MNIST encoder's first layer, PyTorch's init) in well
 * under a second, both orientations: the certified Cholesky bound wins, within a factor
 * 1.01 of the float sigma_max^2 and of the exact Rayleigh quotient at the float top
 * singular vector; Frobenius, Hoelder and Collatz are ~80 times larger. */
static void test_layer_norm_large(void)
{
    gsl_rng *r = tu_rng();
    static const long sz[] = { 784, 256, 784 };
    nn_act_t act[2] = { NN_RELU, NN_IDENTITY };
    qnet_t q, f0;
    rand_pair(q, f0, r, 2, sz, act, 1, 1.0);
    mpq_t N2, F, t, c;
    mpq_inits(N2, F, t, c, (mpq_ptr) NULL);
    for (long l = 0; l < 2; l++) {
        char w;
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        CU_ASSERT_EQUAL(ff_layer_norm2(N2, &w, q, l), AE_OK);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double secs = (double) (t1.tv_sec - t0.tv_sec) + 1e-9 * (double) (t1.tv_nsec - t0.tv_nsec);
        CU_ASSERT(secs < 1.0);
        CU_ASSERT(w == 'R');
        CU_ASSERT(q->Ws[l] != NULL);   /* float32: the __int128 path */
        qmat_t W;
        layer_matrix(W, q, l);
        qmat_frobenius2(F, W);
        mpq_set_ui(t, 1, 50);
        mpq_mul(t, t, F);
        CU_ASSERT(mpq_cmp(N2, t) <= 0);  /* far below Frobenius (and so the others) */
        mpz_t *z = zvec_init(q->sizes[l]);
        double s2 = sigma2_svd(z, q, l);
        double ratio = mpq_get_d(N2) / s2;
        CU_ASSERT(ratio >= 1 - 1e-12 && ratio <= 1.01);
        rayleigh_int(t, q, l, z);
        CU_ASSERT(mpq_cmp(t, N2) <= 0);          /* sound at the top singular vector */
        mpq_set(c, t);
        for (int rep = 0; rep < 5; rep++) {      /* and at random integer vectors */
            for (long j = 0; j < q->sizes[l]; j++)
                mpz_set_si(z[j], (long) gsl_rng_uniform_int(r, 2001) - 1000);
            rayleigh_int(t, q, l, z);
            CU_ASSERT(mpq_cmp(t, N2) <= 0);
        }
        mpq_set(t, c);
        mpq_set_ui(c, 101, 100);
        mpq_mul(t, t, c);
        CU_ASSERT(mpq_cmp(N2, t) <= 0);          /* tight against an exact lower bound */
        if (getenv("AEAUDIT_VERBOSE"))
            printf("\n  layer %ld (%ld x %ld): N2 = %.9g ('%c'), float sigma^2 = %.9g, ratio %.9f,"
                   " Frobenius %.4g, %.3f s\n", l, q->sizes[l + 1], q->sizes[l],
                   mpq_get_d(N2), w, s2, ratio, mpq_get_d(F), secs);
        zvec_clear(z, q->sizes[l]);
        qmat_clear(W);
    }
    mpq_clears(N2, F, t, c, (mpq_ptr) NULL);
    qnet_clear(q);
    qnet_clear(f0);
    gsl_rng_free(r);
}

/* ---- the bias bound ----------------------------------------------------------------- */

/* ||f(x) - f0(x)||^2 <= K^2 at random points, near and far. */
static void check_K(const qnet_t q, const qnet_t f0, gsl_rng *r, int npts)
{
    mpq_t K, K2, d, c;
    mpq_inits(K, K2, d, c, (mpq_ptr) NULL);
    CU_ASSERT_EQUAL_FATAL(ff_bias_bound(K, q), AE_OK);
    CU_ASSERT(mpq_sgn(K) >= 0);
    mpq_mul(K2, K, K);
    long n = qnet_din(q), m = qnet_dout(q);
    mpq_t *x = qvec_init(n), *y = qvec_init(m), *y0 = qvec_init(m);
    for (int k = 0; k < npts; k++) {
        rand_vec(x, n, r, 1000, 100);
        if (k % 2) {   /* far: scale by up to 10^12 */
            mpq_set_ui(c, 1, 1);
            mpz_ui_pow_ui(mpq_numref(c), 10, (unsigned long) gsl_rng_uniform_int(r, 13));
            qvec_scale(x, x, c, n);
        }
        CU_ASSERT_EQUAL_FATAL(qnet_eval(y, m, NULL, q, x, n), AE_OK);
        CU_ASSERT_EQUAL_FATAL(qnet_eval(y0, m, NULL, f0, x, n), AE_OK);
        qvec_dist2(d, y, y0, m);
        CU_ASSERT(mpq_cmp(d, K2) <= 0);
    }
    qvec_clear(x, n);
    qvec_clear(y, m);
    qvec_clear(y0, m);
    mpq_clears(K, K2, d, c, (mpq_ptr) NULL);
}

static void test_bias_bound(void)
{
    gsl_rng *r = tu_rng();
    static const nn_act_t acts[][3] = {
        { NN_RELU, NN_RELU, NN_IDENTITY },
        { NN_LEAKY_RELU, NN_RELU, NN_IDENTITY },
        { NN_RELU, NN_HARDTANH, NN_IDENTITY },
        { NN_HARDTANH, NN_LEAKY_RELU, NN_HARDTANH },
        { NN_IDENTITY, NN_LEAKY_RELU, NN_IDENTITY },
    };
    static const long sz[][4] = { { 2, 5, 3, 2 }, { 3, 4, 4, 3 }, { 2, 8, 1, 2 } };
    for (int rep = 0; rep < 15; rep++) {
        qnet_t q, f0;
        rand_pair_p(q, f0, r, rep % 2 ? NN_F64 : NN_F32, 3, sz[rep % 3], acts[rep % 5], 1,
                    1.0 + (rep % 4));
        check_K(q, f0, r, 40);
        qnet_clear(q);
        qnet_clear(f0);
    }
    /* leaky slope 2.5 > 1 (c = 2.5) */
    static const long s3[] = { 2, 3, 2 };
    static const nn_act_t lk[] = { NN_LEAKY_RELU, NN_IDENTITY };
    static const double ap[] = { 2.5, 0 };
    static const int bb[] = { 1, 1 };
    static const double p[] = { 1, -2, 0.5, 3, -1, -1, 0.25, -0.5, 1,
                                1, 0, -1, 2, 1, 0.5, 0.125, -0.375 };
    qnet_t q, f0;
    make_q(q, 2, s3, lk, ap, bb, p);
    CU_ASSERT_EQUAL_FATAL(qnet_init_recession(f0, q), AE_OK);
    check_K(q, f0, r, 100);
    /* an affine layer: f - f0 = b exactly, so ||b||^2 <= K^2 <= ||b||^2 (1 + 2^-60) */
    static const long s2[] = { 2, 2 };
    static const nn_act_t id[] = { NN_IDENTITY };
    static const double pb[] = { 1, 2, 3, 4, 0.75, -1 };
    qnet_t a, a0;
    make_q(a, 1, s2, id, NULL, bb, pb);
    CU_ASSERT_EQUAL_FATAL(qnet_init_recession(a0, a), AE_OK);
    mpq_t K, t;
    mpq_inits(K, t, (mpq_ptr) NULL);
    CU_ASSERT_EQUAL(ff_bias_bound(K, a), AE_OK);
    mpq_mul(K, K, K);
    mpq_set_si(t, 25, 16);
    CU_ASSERT(mpq_cmp(K, t) >= 0);
    CU_ASSERT(mpq_get_d(K) <= 25.0 / 16 * (1 + 1e-15));
    /* no biases: K = 0; f0 itself: K = 0 */
    CU_ASSERT_EQUAL(ff_bias_bound(K, a0), AE_OK);
    CU_ASSERT(mpq_sgn(K) == 0);
    CU_ASSERT_EQUAL(ff_bias_bound(K, f0), AE_OK);
    CU_ASSERT(mpq_sgn(K) == 0);
    /* a final hardtanh: K = sqrt(n) up */
    static const nn_act_t ht[] = { NN_HARDTANH };
    qnet_t h;
    make_q(h, 1, s2, ht, NULL, bb, pb);
    CU_ASSERT_EQUAL(ff_bias_bound(K, h), AE_OK);
    mpq_mul(K, K, K);
    CU_ASSERT(mpq_cmp_ui(K, 2, 1) >= 0 && mpq_get_d(K) < 2 * (1 + 1e-15));
    TU_EXPECT_ERROR(ff_bias_bound(NULL, h));
    mpq_clears(K, t, (mpq_ptr) NULL);
    qnet_clear(h);
    qnet_clear(a);
    qnet_clear(a0);
    qnet_clear(q);
    qnet_clear(f0);
    gsl_rng_free(r);
}

/* ---- the Lipschitz route ------------------------------------------------------------ */

static void check_growth(const qnet_t f0, const mpq_t g2, gsl_rng *r, int npts)
{
    long n = qnet_din(f0);
    mpq_t *v = qvec_init(n);
    mpq_t e;
    mpq_init(e);
    for (int k = 0; k < npts; k++) {
        rand_vec(v, n, r, 1000, 1000);
        ratio(e, f0, v, n);
        CU_ASSERT(mpq_cmp(e, g2) >= 0);
    }
    mpq_clear(e);
    qvec_clear(v, n);
}

static void test_lipschitz(void)
{
    gsl_rng *r = tu_rng();
    static const long sz[] = { 3, 6, 2, 3 };
    static const nn_act_t act[] = { NN_RELU, NN_LEAKY_RELU, NN_IDENTITY };
    mpq_t g2, L;
    mpq_inits(g2, L, (mpq_ptr) NULL);
    for (int rep = 0; rep < 10; rep++) {
        qnet_t q, f0;
        rand_pair(q, f0, r, 3, sz, act, 1, 0.3);
        CU_ASSERT_EQUAL(ff_gamma_lipschitz(g2, L, f0), AE_OK);
        CU_ASSERT(mpq_cmp_ui(L, 1, 1) < 0);
        CU_ASSERT(mpq_sgn(g2) > 0);
        check_growth(f0, g2, r, 50);
        /* L alone may be skipped */
        mpq_t g;
        mpq_init(g);
        CU_ASSERT_EQUAL(ff_gamma_lipschitz(g, NULL, f0), AE_OK);
        CU_ASSERT(mpq_equal(g, g2));
        mpq_clear(g);
        TU_EXPECT_ERROR(ff_gamma_lipschitz(g2, L, q));   /* biases: not homogeneous */
        qnet_clear(q);
        qnet_clear(f0);
    }
    /* identity net: L >= 1, g2 = 0; a hardtanh layer: f0 = 0, L = 0, g2 = 1 */
    static const long s2[] = { 2, 2 };
    static const nn_act_t id[] = { NN_IDENTITY }, ht[] = { NN_HARDTANH };
    static const double eye[] = { 1, 0, 0, 1 };
    int nb[1] = { 0 };
    qnet_t q, f0;
    make_q(q, 1, s2, id, NULL, nb, eye);
    CU_ASSERT_EQUAL(ff_gamma_lipschitz(g2, L, q), AE_OK);
    CU_ASSERT(mpq_cmp_ui(L, 1, 1) >= 0);
    CU_ASSERT(mpq_sgn(g2) == 0);
    qnet_clear(q);
    make_q(q, 1, s2, ht, NULL, nb, eye);
    CU_ASSERT_EQUAL_FATAL(qnet_init_recession(f0, q), AE_OK);
    CU_ASSERT_EQUAL(ff_gamma_lipschitz(g2, L, f0), AE_OK);
    CU_ASSERT(mpq_sgn(L) == 0);
    CU_ASSERT(mpq_cmp_ui(g2, 1, 1) == 0);
    qnet_clear(q);
    qnet_clear(f0);
    /* din != dout */
    static const long s32[] = { 3, 2 };
    static const double w6[] = { 1, 0, 0, 0, 1, 0 };
    make_q(q, 1, s32, id, NULL, nb, w6);
    TU_EXPECT_ERROR(ff_gamma_lipschitz(g2, L, q));
    qnet_clear(q);
    mpq_clears(g2, L, (mpq_ptr) NULL);
    gsl_rng_free(r);
}

/* ---- the circle route --------------------------------------------------------------- */

/* The boundaries of cones of angle < pi that cover sector k, consecutive pairs (an
 * angle-pi sector through its quarter-turn direction, the full plane by quadrants);
 * returns the number of cones. */
static int anchors(mpz_t an[5][2], const cone_circle_t C, long k)
{
    const mpz_t *b = cone_circle_b(C, k), *nb = cone_circle_b(C, k + 1);
    mpz_t cr;
    mpz_init(cr);
    mpz_mul(cr, b[0], nb[1]);
    mpz_submul(cr, b[1], nb[0]);
    int n = C->full ? 4 : mpz_sgn(cr) == 0 ? 2 : 1;
    mpz_clear(cr);
    mpz_set(an[0][0], b[0]);
    mpz_set(an[0][1], b[1]);
    for (int i = 1; i <= n; i++) {   /* quarter turns */
        mpz_neg(an[i][0], an[i - 1][1]);
        mpz_set(an[i][1], an[i - 1][0]);
    }
    if (n == 1) {
        mpz_set(an[1][0], nb[0]);
        mpz_set(an[1][1], nb[1]);
    }
    return n;
}

/* a = an anchor scaled by a power of two so that its largest entry is in [1, 2): the
 * chords between anchors of very different lengths then sample angles evenly. */
static void anchor_q(mpq_t *a, const mpz_t *z)
{
    size_t b0 = mpz_sizeinbase(z[0], 2), b1 = mpz_sizeinbase(z[1], 2);
    size_t bits = b0 > b1 ? b0 : b1;
    for (int i = 0; i < 2; i++) {
        mpq_set_z(a[i], z[i]);
        mpq_div_2exp(a[i], a[i], (mp_bitcnt_t) (bits - 1));
    }
}

/* v = the point at j / nsamp of the polygonal path through the n + 1 anchors. */
static void path_point(mpq_t *v, mpz_t an[5][2], long j, long nsamp, int n)
{
    long seg = j * n / nsamp;
    if (seg >= n)
        seg = n - 1;
    mpq_t t, a[2], c[2];
    mpq_inits(t, a[0], a[1], c[0], c[1], (mpq_ptr) NULL);
    mpq_set_si(t, j * n - seg * nsamp, nsamp);   /* in [0, 1] */
    anchor_q(a, an[seg]);
    anchor_q(c, an[seg + 1]);
    for (int i = 0; i < 2; i++) {
        mpq_sub(v[i], c[i], a[i]);
        mpq_mul(v[i], v[i], t);
        mpq_add(v[i], v[i], a[i]);
    }
    mpq_clears(t, a[0], a[1], c[0], c[1], (mpq_ptr) NULL);
}

/* M = (I - A)^T (I - A) for sector k. */
static void sector_matrix(qmat_t M, const qnet_t f0, const cone_circle_t C, long k)
{
    qmat_t A, I;
    qmat_init(A, 2, 2);
    qmat_init(I, 2, 2);
    qmat_init(M, 2, 2);
    CU_ASSERT_EQUAL_FATAL(qnet_affine(A, NULL, f0, cone_circle_pat(C, k)), AE_OK);
    qmat_one(I);
    qmat_sub(A, I, A);
    qmat_gram(M, A);
    qmat_clear(A);
    qmat_clear(I);
}

/* For every sector: g2_k <= the exact ratio at sampled points of the sector; when the
 * sampled min m_k > 0, g2_k >= m_k / 2, g2_k passes the copositivity test on the
 * sector's cones and 2 m_k fails on one of them (negative control).  Returns the sampled
 * minimum over the circle. */
static double check_sectors(const qnet_t f0, const cone_circle_t C, long nsamp)
{
    mpq_t g2, e, t, emin;
    mpq_inits(g2, e, t, emin, (mpq_ptr) NULL);
    mpq_t *v = qvec_init(2), *dir = qvec_init(2);
    mpz_t an[5][2];
    for (int i = 0; i < 5; i++)
        mpz_inits(an[i][0], an[i][1], (mpz_ptr) NULL);
    double gmin = INFINITY;
    for (long k = 0; k < C->n; k++) {
        CU_ASSERT_EQUAL_FATAL(ff_gamma_sector(g2, dir, f0, C, k), AE_OK);
        CU_ASSERT(mpq_sgn(g2) >= 0);
        CU_ASSERT(!qvec_is_zero(dir, 2));
        CU_ASSERT(cone_member(f0, cone_circle_pat(C, k), dir, 2) == 1);
        int n = anchors(an, C, k);
        for (long j = 0; j <= nsamp; j++) {
            path_point(v, an, j, nsamp, n);
            ratio(e, f0, v, 2);
            CU_ASSERT(mpq_cmp(e, g2) >= 0);
            if (j == 0 || mpq_cmp(e, emin) < 0)
                mpq_set(emin, e);
        }
        if (C->status[k] != CONE_NONE) {
            CU_ASSERT(mpq_sgn(g2) == 0);
        } else if (mpq_get_d(emin) > 1e-9) {
            mpq_div_2exp(t, emin, 1);
            CU_ASSERT(mpq_cmp(g2, t) >= 0);
            qmat_t M;
            sector_matrix(M, f0, C, k);
            mpq_mul_2exp(t, emin, 1);
            int good = 1, bad = 1;
            for (int i = 0; i < n; i++) {
                good = good && ff_copositive2(M, g2, an[i], an[i + 1]) == 1;
                bad = bad && ff_copositive2(M, t, an[i], an[i + 1]) == 1;
            }
            CU_ASSERT(good);
            CU_ASSERT(!bad);
            qmat_clear(M);
        }
        if (mpq_get_d(emin) < gmin)
            gmin = mpq_get_d(emin);
    }
    for (int i = 0; i < 5; i++)
        mpz_clears(an[i][0], an[i][1], (mpz_ptr) NULL);
    qvec_clear(v, 2);
    qvec_clear(dir, 2);
    mpq_clears(g2, e, t, emin, (mpq_ptr) NULL);
    return gmin;
}

/* The circle bound against random directions and dense sampling. */
static void check_circle(const qnet_t f0, gsl_rng *r)
{
    cone_circle_t C;
    cone_circle_init(C, f0);
    CU_ASSERT_EQUAL_FATAL(cone_circle(C, f0, 0), AE_OK);
    double smin = check_sectors(f0, C, 200);
    mpq_t g2, g;
    mpq_inits(g2, g, (mpq_ptr) NULL);
    long kmin = -1;
    CU_ASSERT_EQUAL_FATAL(ff_gamma_circle(g2, &kmin, f0, C), AE_OK);
    CU_ASSERT(kmin >= 0 && kmin < C->n);
    CU_ASSERT_EQUAL(ff_gamma_sector(g, NULL, f0, C, kmin), AE_OK);
    CU_ASSERT(mpq_equal(g, g2));
    check_growth(f0, g2, r, 300);
    if (C->nfixed > 0 || C->nundecided > 0)
        CU_ASSERT(mpq_sgn(g2) == 0);
    if (C->nfixed == 0 && C->nundecided == 0 && smin > 1e-9)
        CU_ASSERT(mpq_get_d(g2) >= smin / 2);
    CU_ASSERT(mpq_get_d(g2) <= smin);
    mpq_clears(g2, g, (mpq_ptr) NULL);
    cone_circle_clear(C);
}

static void test_circle_random(void)
{
    gsl_rng *r = tu_rng();
    static const long sz[][5] = { { 2, 5, 1, 5, 2 }, { 2, 6, 3, 6, 2 }, { 2, 3, 2, 3, 2 } };
    static const nn_act_t acts[][4] = {
        { NN_RELU, NN_RELU, NN_RELU, NN_IDENTITY },
        { NN_LEAKY_RELU, NN_IDENTITY, NN_RELU, NN_IDENTITY },
        { NN_RELU, NN_HARDTANH, NN_RELU, NN_IDENTITY },
    };
    for (int rep = 0; rep < 12; rep++) {
        qnet_t q, f0;
        rand_pair(q, f0, r, 4, sz[rep % 3], acts[(rep / 3) % 3], 1, 1.0 + 0.5 * (rep % 4));
        check_circle(f0, r);
        qnet_clear(q);
        qnet_clear(f0);
    }
    gsl_rng_free(r);
}

static void test_circle_trained(void)
{
    gsl_rng *r = tu_rng();
    nn_t net;
    tu_line_ae(net, r);
    qnet_t q, f0;
    CU_ASSERT_EQUAL_FATAL(qnet_init_nn(q, net), AE_OK);
    CU_ASSERT_EQUAL_FATAL(qnet_init_recession(f0, q), AE_OK);
    check_circle(f0, r);
    qnet_clear(q);
    qnet_clear(f0);
    nn_clear(net);
    gsl_rng_free(r);
}

/* Known values: f0 = I (fixed everywhere): 0; f0 = I/2: 1/4; rotation by 90 degrees: 2;
 * the relu form of the projector onto the diagonal: 0 (fixed (1, 1)). */
static void test_circle_known(void)
{
    static const long s2[] = { 2, 2 }, s222[] = { 2, 2, 2 };
    static const nn_act_t id[] = { NN_IDENTITY }, rid[] = { NN_RELU, NN_IDENTITY };
    static const double eye[] = { 1, 0, 0, 1 }, half[] = { 0.5, 0, 0, 0.5 },
                        rot[] = { 0, -1, 1, 0 };
    static const double linae[] = { 0.5, 0.5, -0.5, -0.5, 1, -1, 1, -1 };
    int nb[2] = { 0, 0 };
    const double *ps[3] = { eye, half, rot };
    const double want[3] = { 0, 0.25, 2 };
    mpq_t g2, t;
    mpq_inits(g2, t, (mpq_ptr) NULL);
    for (int i = 0; i < 4; i++) {
        qnet_t f0;
        if (i < 3)
            make_q(f0, 1, s2, id, NULL, nb, ps[i]);
        else
            make_q(f0, 2, s222, rid, NULL, nb, linae);
        cone_circle_t C;
        cone_circle_init(C, f0);
        CU_ASSERT_EQUAL_FATAL(cone_circle(C, f0, 0), AE_OK);
        long kmin;
        CU_ASSERT_EQUAL(ff_gamma_circle(g2, &kmin, f0, C), AE_OK);
        double w = i < 3 ? want[i] : 0;
        mpq_set_d(t, w);
        CU_ASSERT(mpq_cmp(g2, t) <= 0);
        CU_ASSERT(mpq_get_d(g2) >= w * (1 - ldexp(1, -19)));
        if (w == 0) {
            CU_ASSERT(C->nfixed > 0);
            CU_ASSERT(C->status[kmin] == CONE_FIXED);
            mpq_t *dir = qvec_init(2);
            CU_ASSERT_EQUAL(ff_gamma_sector(g2, dir, f0, C, kmin), AE_OK);
            CU_ASSERT(cone_is_fixed(f0, dir, 2) == 1);
            qvec_clear(dir, 2);
        }
        cone_circle_clear(C);
        qnet_clear(f0);
    }
    mpq_clears(g2, t, (mpq_ptr) NULL);
}

/* ff_copositive2 on hand-made forms. */
static void test_copositive(void)
{
    qmat_t M;
    qmat_init(M, 2, 2);
    mpz_t e1[2], e2[2], d[2], me2[2];
    mpz_init_set_si(e1[0], 1); mpz_init_set_si(e1[1], 0);
    mpz_init_set_si(e2[0], 0); mpz_init_set_si(e2[1], 1);
    mpz_init_set_si(d[0], 1); mpz_init_set_si(d[1], 1);
    mpz_init_set_si(me2[0], 0); mpz_init_set_si(me2[1], -1);
    mpq_t g;
    mpq_init(g);
    /* M = I: min 1 on any cone */
    qmat_one(M);
    mpq_set_ui(g, 1, 1);
    CU_ASSERT_EQUAL(ff_copositive2(M, g, e1, d), 1);
    mpq_set_ui(g, 1001, 1000);
    CU_ASSERT_EQUAL(ff_copositive2(M, g, e1, d), 0);
    /* M = diag(1, 0) on cone(e1, e1 + e2): min v1^2/|v|^2 = 1/2 at e1 + e2 */
    mpq_set_ui(qmat_entry(M, 1, 1), 0, 1);
    mpq_set_ui(g, 1, 2);
    CU_ASSERT_EQUAL(ff_copositive2(M, g, e1, d), 1);
    mpq_set_ui(g, 501, 1000);
    CU_ASSERT_EQUAL(ff_copositive2(M, g, e1, d), 0);
    /* 2 v1 v2: copositive on the first quadrant (P12 >= 0), not on (e1, -e2) */
    qmat_zero(M);
    mpq_set_ui(qmat_entry(M, 0, 1), 1, 1);
    mpq_set_ui(qmat_entry(M, 1, 0), 1, 1);
    mpq_set_ui(g, 0, 1);
    CU_ASSERT_EQUAL(ff_copositive2(M, g, e1, e2), 1);
    CU_ASSERT_EQUAL(ff_copositive2(M, g, e1, me2), 0);
    /* (v1 - v2)^2: zero on the diagonal, inside the quadrant: 0 passes, 10^-9 fails */
    mpq_set_si(qmat_entry(M, 0, 0), 1, 1);
    mpq_set_si(qmat_entry(M, 1, 1), 1, 1);
    mpq_set_si(qmat_entry(M, 0, 1), -1, 1);
    mpq_set_si(qmat_entry(M, 1, 0), -1, 1);
    CU_ASSERT_EQUAL(ff_copositive2(M, g, e1, e2), 1);
    mpq_set_ui(g, 1, 1000000000);
    CU_ASSERT_EQUAL(ff_copositive2(M, g, e1, e2), 0);
    qmat_t B;
    qmat_init(B, 3, 2);
    TU_EXPECT_ERROR(ff_copositive2(B, g, e1, e2));
    qmat_clear(B);
    mpq_clear(g);
    mpz_clears(e1[0], e1[1], e2[0], e2[1], d[0], d[1], me2[0], me2[1], (mpz_ptr) NULL);
    qmat_clear(M);
}

/* ---- the radius -------------------------------------------------------------------- */

/* Every sampled x with ||x|| > R (checked exactly) has ||x - f(x)||^2 > s. */
static void check_radius(const qnet_t q, const mpq_t K, const mpq_t g2, const mpq_t s,
                         gsl_rng *r, int npts)
{
    mpq_t R, R2, n2, e, c, t;
    mpq_inits(R, R2, n2, e, c, t, (mpq_ptr) NULL);
    CU_ASSERT_EQUAL_FATAL(ff_radius(R, K, s, g2), AE_OK);
    /* R^2 g2 >= (K + sqrt_down s)^2 */
    qnum_sqrt_lower(t, s, 65);
    mpq_add(t, t, K);
    mpq_mul(t, t, t);
    mpq_mul(R2, R, R);
    mpq_mul(c, R2, g2);
    CU_ASSERT(mpq_cmp(c, t) >= 0);
    long n = qnet_din(q);
    mpq_t *x = qvec_init(n);
    for (int k = 0; k < npts; k++) {
        rand_vec(x, n, r, 1000, 1000);
        /* scale onto ||x||^2 ~ R^2 (1 + u), u in (0, 3]: c = R (1 + u)/||x|| up-ish */
        qvec_norm2(n2, x, n);
        mpq_div(c, R2, n2);
        qnum_sqrt_upper(c, c, 31);
        mpq_set_ui(t, 1 + gsl_rng_uniform_int(r, 1000), 1000);
        mpq_set_ui(e, 1, 1);
        mpq_add(t, t, e);
        mpq_mul(c, c, t);
        qvec_scale(x, x, c, n);
        qvec_norm2(n2, x, n);
        CU_ASSERT_FATAL(mpq_cmp(n2, R2) > 0);
        CU_ASSERT_EQUAL_FATAL(qnet_score(e, q, x, n), AE_OK);
        CU_ASSERT(mpq_cmp(e, s) > 0);
    }
    qvec_clear(x, n);
    mpq_clears(R, R2, n2, e, c, t, (mpq_ptr) NULL);
}

static void test_radius(void)
{
    gsl_rng *r = tu_rng();
    mpq_t K, g2, s, R;
    mpq_inits(K, g2, s, R, (mpq_ptr) NULL);
    /* the circle route on random 2-D nets with biases (those with g2 > 0) */
    static const long sz[] = { 2, 5, 1, 5, 2 };
    static const nn_act_t act[] = { NN_RELU, NN_RELU, NN_RELU, NN_IDENTITY };
    int used = 0;
    for (int rep = 0; rep < 20 && used < 6; rep++) {
        qnet_t q, f0;
        rand_pair(q, f0, r, 4, sz, act, 1, 1.5);
        cone_circle_t C;
        cone_circle_init(C, f0);
        CU_ASSERT_EQUAL_FATAL(cone_circle(C, f0, 0), AE_OK);
        CU_ASSERT_EQUAL(ff_gamma_circle(g2, NULL, f0, C), AE_OK);
        if (mpq_sgn(g2) > 0) {
            used++;
            CU_ASSERT_EQUAL(ff_bias_bound(K, q), AE_OK);
            tu_rand_q(s, r, 100, 10);
            mpq_abs(s, s);
            check_radius(q, K, g2, s, r, 100);
        }
        cone_circle_clear(C);
        qnet_clear(q);
        qnet_clear(f0);
    }
    CU_ASSERT(used > 0);
    /* the Lipschitz route, d = 3, hardtanh inside */
    static const long s3[] = { 3, 6, 4, 3 };
    static const nn_act_t a3[] = { NN_LEAKY_RELU, NN_HARDTANH, NN_IDENTITY };
    for (int rep = 0; rep < 5; rep++) {
        qnet_t q, f0;
        rand_pair(q, f0, r, 3, s3, a3, 1, 1.0 + rep);
        CU_ASSERT_EQUAL(ff_gamma_lipschitz(g2, NULL, f0), AE_OK);
        CU_ASSERT(mpq_cmp_ui(g2, 1, 1) == 0);
        CU_ASSERT_EQUAL(ff_bias_bound(K, q), AE_OK);
        mpq_set_ui(s, (unsigned long) rep, 7);
        check_radius(q, K, g2, s, r, 100);
        qnet_clear(q);
        qnet_clear(f0);
    }
    /* exact value: K = 0, s = 4, g2 = 1/4: R = 4 */
    mpq_set_ui(K, 0, 1);
    mpq_set_ui(s, 4, 1);
    mpq_set_ui(g2, 1, 4);
    CU_ASSERT_EQUAL(ff_radius(R, K, s, g2), AE_OK);
    CU_ASSERT(mpq_cmp_ui(R, 4, 1) == 0);
    mpq_set_ui(g2, 0, 1);
    CU_ASSERT_EQUAL(ff_radius(R, K, s, g2), AE_ERANGE);
    mpq_set_si(g2, -1, 1);
    TU_EXPECT_ERROR(ff_radius(R, K, s, g2));
    mpq_set_ui(g2, 1, 1);
    mpq_set_si(K, -1, 1);
    TU_EXPECT_ERROR(ff_radius(R, K, s, g2));
    mpq_clears(K, g2, s, R, (mpq_ptr) NULL);
    gsl_rng_free(r);
}

static void test_misuse(void)
{
    static const long s2[] = { 2, 2 }, s3[] = { 3, 3 };
    static const nn_act_t id[] = { NN_IDENTITY };
    static const double eye[] = { 1, 0, 0, 1 }, eye3[] = { 1, 0, 0, 0, 1, 0, 0, 0, 1 };
    int bb[1] = { 1 }, nb[1] = { 0 };
    static const double pb[] = { 1, 0, 0, 1, 1, 1 };
    qnet_t f0, f, g;
    make_q(f0, 1, s2, id, NULL, nb, eye);
    make_q(f, 1, s2, id, NULL, bb, pb);
    make_q(g, 1, s3, id, NULL, nb, eye3);
    cone_circle_t C, C3;
    cone_circle_init(C, f0);
    cone_circle_init(C3, g);
    mpq_t g2;
    mpq_init(g2);
    /* not computed yet */
    TU_EXPECT_ERROR(ff_gamma_circle(g2, NULL, f0, C));
    CU_ASSERT_EQUAL_FATAL(cone_circle(C, f0, 0), AE_OK);
    TU_EXPECT_ERROR(ff_gamma_circle(g2, NULL, f, C));       /* biases */
    TU_EXPECT_ERROR(ff_gamma_sector(g2, NULL, f0, C, C->n)); /* k out of range */
    TU_EXPECT_ERROR(ff_gamma_sector(g2, NULL, f0, C, -1));
    TU_EXPECT_ERROR(ff_gamma_circle(g2, NULL, g, C3));      /* d = 3 */
    TU_EXPECT_ERROR(ff_gamma_circle(NULL, NULL, f0, C));
    TU_EXPECT_ERROR(ff_gamma_lipschitz(NULL, NULL, f0));
    mpq_clear(g2);
    cone_circle_clear(C);
    cone_circle_clear(C3);
    qnet_clear(f0);
    qnet_clear(f);
    qnet_clear(g);
}

int main(void)
{
    static const tu_test tests[] = {
        { "layer norm bound vs ||W v||, float sigma, Frobenius", test_layer_norm },
        { "layer norm of a 784 x 256 layer: fast, sound", test_layer_norm_large },
        { "bias bound K at near and far points", test_bias_bound },
        { "Lipschitz growth bound", test_lipschitz },
        { "copositivity test on hand-made forms", test_copositive },
        { "circle growth bound: random nets, sampling, negative control", test_circle_random },
        { "circle growth bound: trained 2-D AE", test_circle_trained },
        { "circle growth bound: known values, fixed points give 0", test_circle_known },
        { "radius: points beyond R score above s", test_radius },
        { "misuse", test_misuse },
        { NULL, NULL }
    };
    return tu_run("farfield", 8888, tests);
}
