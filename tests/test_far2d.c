/* test_far2d — CUnit suite for theory/far2d (the far field around blind directions, 2-D).
 *
 * The networks are built by hand with dyadic weights, so their blind directions are exact:
 * the linear AE f(x) = P x + c (P the projection on the diagonal) written as the ReLU net
 * (h+ - h-) (1, 1) + c with h+- = relu(+-(x1 + x2)/2), plus units whose input weights are
 * orthogonal to the diagonal (zero slope along v = (1, 1)), which cut the strip around the
 * diagonal into sub-strips without changing f0(v) = v. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gmp.h>
#include <gsl/gsl_rng.h>

#include "testutil.h"
#include "qmat.h"
#include "nn.h"
#include "qnet.h"
#include "cone.h"
#include "far2d.h"

/* f (every layer with a bias) from the parameters p (W_1, b_1, W_2, b_2, ...) and f0. */
static void make_net(qnet_t f, qnet_t f0, long L, const long *sizes, const nn_act_t *act,
                     const double *ap, const double *p)
{
    nn_t net;
    CU_ASSERT_EQUAL_FATAL(nn_init(net, NN_F64, L, sizes, act, ap, NULL), AE_OK);
    CU_ASSERT_EQUAL_FATAL(nn_set_params(net, p), AE_OK);
    CU_ASSERT_EQUAL_FATAL(qnet_init_nn(f, net), AE_OK);
    CU_ASSERT_EQUAL_FATAL(qnet_init_recession(f0, f), AE_OK);
    nn_clear(net);
}

static void circle(cone_circle_t C, const qnet_t f0)
{
    cone_circle_init(C, f0);
    CU_ASSERT_EQUAL_FATAL(cone_circle(C, f0, 0), AE_OK);
}

static void setq(mpq_t q, long num, unsigned long den)
{
    mpq_set_si(q, num, den);
    mpq_canonicalize(q);
}

/* far2d_blind with K = kn/kd, s = sn/sd, centre (c0, c1), rfar. */
static void run(far2d_t B, const qnet_t f, const qnet_t f0, const cone_circle_t C, long kn,
                unsigned long kd, long sn, unsigned long sd, long c0, long c1, long rfar)
{
    mpq_t K, s, rf, cen[2];
    mpq_inits(K, s, rf, cen[0], cen[1], (mpq_ptr) NULL);
    setq(K, kn, kd);
    setq(s, sn, sd);
    setq(rf, rfar, 1);
    setq(cen[0], c0, 1);
    setq(cen[1], c1, 1);
    CU_ASSERT_EQUAL_FATAL(far2d_blind(B, f, f0, C, K, s, (const mpq_t *) cen, rf), AE_OK);
    mpq_clears(K, s, rf, cen[0], cen[1], (mpq_ptr) NULL);
}

/* A FAILS verdict's point: its exact score is B->score (<= s), it is far from centre. */
static void check_fails(const far2d_t B, const qnet_t f, long sn, unsigned long sd, long c0,
                        long c1, long rfar)
{
    CU_ASSERT_EQUAL_FATAL(B->status, FAR2D_FAILS);
    mpq_t e, s, d2, cen[2];
    mpq_inits(e, s, d2, cen[0], cen[1], (mpq_ptr) NULL);
    CU_ASSERT_EQUAL(qnet_score(e, f, (const mpq_t *) B->x, 2), AE_OK);
    CU_ASSERT(mpq_equal(e, B->score));
    CU_ASSERT(mpq_equal(e, B->far_min));
    setq(s, sn, sd);
    CU_ASSERT(mpq_cmp(e, s) <= 0);
    setq(cen[0], c0, 1);
    setq(cen[1], c1, 1);
    qvec_dist2(d2, (const mpq_t *) B->x, (const mpq_t *) cen, 2);
    CU_ASSERT(mpq_cmp_si(d2, rfar * rfar, 1) >= 0);
    mpq_clears(e, s, d2, cen[0], cen[1], (mpq_ptr) NULL);
}

/* 1 if x lies in the closed cone C_p of some blind sector of C. */
static int in_blind(const qnet_t f0, const cone_circle_t C, const mpq_t *x)
{
    for (long k = 0; k < C->n; k++)
        if (C->status[k] == CONE_FIXED && cone_member(f0, cone_circle_pat(C, k), x, 2) == 1)
            return 1;
    return 0;
}

/* A SAFE verdict's radius: exact scores of many points with ||x|| > R in blind cones
 * (on and near the blind lines, and random directions) are > s.  Returns how many points
 * were checked; *nviol gets those with score <= s. */
static long sample_safe(long *nviol, const far2d_t B, const qnet_t f, const qnet_t f0,
                        const cone_circle_t C, const mpq_t s, gsl_rng *r)
{
    mpq_t e, T, sig, n2, R2;
    mpq_t *x = qvec_init(2), *v = qvec_init(2), *w = qvec_init(2);
    mpq_inits(e, T, sig, n2, R2, (mpq_ptr) NULL);
    mpq_mul(R2, B->R, B->R);
    long n = 0;
    *nviol = 0;
    for (long k = 0; k < C->n; k++) {
        if (C->status[k] != CONE_FIXED)
            continue;
        for (int sg = -1; sg <= 1; sg += 2) {
            qvec_set(v, cone_circle_v(C, k), 2);
            if (sg < 0) {
                mpq_neg(v[0], v[0]);
                mpq_neg(v[1], v[1]);
            }
            mpq_neg(w[0], v[1]);
            mpq_set(w[1], v[0]);
            for (int rep = 0; rep < 60; rep++) {
                /* t beyond R (||v|| >= 1), s in [-6, 6] on a grid of 1/16 and random */
                mpz_cdiv_q(mpq_numref(T), mpq_numref(B->R), mpq_denref(B->R));
                mpz_set_ui(mpq_denref(T), 1);
                mpz_add_ui(mpq_numref(T), mpq_numref(T), 1 + gsl_rng_uniform_int(r, 1000));
                if (rep % 3 == 0)
                    mpz_mul_2exp(mpq_numref(T), mpq_numref(T), 40);
                if (rep < 30)
                    setq(sig, -96 + 2 * rep + (rep % 2), 16);
                else
                    tu_rand_q(sig, r, 6000, 997);
                qvec_scale(x, v, T, 2);
                qvec_addmul(x, w, sig, 2);
                qvec_norm2(n2, x, 2);
                if (mpq_cmp(n2, R2) <= 0 || !in_blind(f0, C, x))
                    continue;
                qnet_score(e, f, x, 2);
                n++;
                if (mpq_cmp(e, s) <= 0)
                    (*nviol)++;
            }
        }
    }
    for (int rep = 0; rep < 200; rep++) {           /* random directions, radius > R */
        tu_rand_q(x[0], r, 1000, 1);
        tu_rand_q(x[1], r, 1000, 1);
        if (qvec_is_zero(x, 2))
            continue;
        qvec_norm2(n2, x, 2);
        mpq_div(T, R2, n2);
        mpz_cdiv_q(mpq_numref(T), mpq_numref(T), mpq_denref(T));
        mpz_set_ui(mpq_denref(T), 1);
        mpz_add_ui(mpq_numref(T), mpq_numref(T), 1);  /* T >= R^2 / ||x||^2 + 1 >= 1 */
        qvec_scale(x, x, T, 2);                     /* ||T x||^2 >= T ||x||^2 > R^2 */
        if (!in_blind(f0, C, x))
            continue;
        qnet_score(e, f, x, 2);
        n++;
        if (mpq_cmp(e, s) <= 0)
            (*nviol)++;
    }
    mpq_clears(e, T, sig, n2, R2, (mpq_ptr) NULL);
    qvec_clear(x, 2);
    qvec_clear(v, 2);
    qvec_clear(w, 2);
    return n;
}

static void check_safe(const far2d_t B, const qnet_t f, const qnet_t f0, const cone_circle_t C,
                       long sn, unsigned long sd)
{
    CU_ASSERT_EQUAL_FATAL(B->status, FAR2D_SAFE);
    mpq_t s;
    mpq_init(s);
    setq(s, sn, sd);
    CU_ASSERT(mpq_cmp(B->far_min, s) > 0);
    gsl_rng *r = tu_rng();
    long nviol, n = sample_safe(&nviol, B, f, f0, C, s, r);
    CU_ASSERT(n > 100);
    CU_ASSERT_EQUAL(nviol, 0);
    gsl_rng_free(r);
    mpq_clear(s);
}

static const long S222[] = { 2, 2, 2 };
static const long S232[] = { 2, 3, 2 };
static const nn_act_t RELU_ID[] = { NN_RELU, NN_IDENTITY };
static const nn_act_t LEAKY_ID[] = { NN_LEAKY_RELU, NN_IDENTITY };

/* The diagonal linear AE with decoder bias (c0, c1). */
static void diag_net(qnet_t f, qnet_t f0, double c0, double c1)
{
    const double p[] = { 0.5, 0.5, -0.5, -0.5, 0, 0, 1, -1, 1, -1, c0, c1 };
    make_net(f, f0, 2, S222, RELU_ID, NULL, p);
}

/* ---- the exact quadratic minimisation ----------------------------------------------- */

/* emin is attained at (smin, tmin) in the region and no grid / random point beats it. */
static void check_quad(const mpq_t *r0, const mpq_t *rs, const mpq_t *rt, long n,
                       const mpq_t s1, const mpq_t s2, const mpq_t tlo, gsl_rng *r)
{
    mpq_t em, sm, tm, e, s, t, u;
    mpq_inits(em, sm, tm, e, s, t, u, (mpq_ptr) NULL);
    mpq_t *x = qvec_init(n);
    CU_ASSERT_EQUAL_FATAL(far2d_quad_min(em, sm, tm, r0, rs, rt, n, s1, s2, tlo), AE_OK);
    CU_ASSERT(mpq_cmp(sm, s1) >= 0 && mpq_cmp(sm, s2) <= 0 && mpq_cmp(tm, tlo) >= 0);
    qvec_set(x, r0, n);
    qvec_addmul(x, rs, sm, n);
    qvec_addmul(x, rt, tm, n);
    qvec_norm2(e, x, n);
    CU_ASSERT(mpq_equal(e, em));
    int worse = 0;
    for (int i = 0; i <= 12; i++)
        for (int j = 0; j < 40; j++) {
            /* s = s1 + (i/12) (s2 - s1), t = tlo + j/4 or a random distance */
            mpq_sub(s, s2, s1);
            setq(u, i, 12);
            mpq_mul(s, s, u);
            mpq_add(s, s, s1);
            if (j < 30)
                setq(u, j, 4);
            else
                tu_rand_q(u, r, 100000, 7);
            mpq_abs(u, u);
            mpq_add(t, tlo, u);
            qvec_set(x, r0, n);
            qvec_addmul(x, rs, s, n);
            qvec_addmul(x, rt, t, n);
            qvec_norm2(e, x, n);
            if (mpq_cmp(e, em) < 0)
                worse++;
        }
    CU_ASSERT_EQUAL(worse, 0);
    qvec_clear(x, n);
    mpq_clears(em, sm, tm, e, s, t, u, (mpq_ptr) NULL);
}

static void test_quad_min(void)
{
    gsl_rng *r = tu_rng();
    mpq_t *r0 = qvec_init(3), *rs = qvec_init(3), *rt = qvec_init(3);
    mpq_t s1, s2, tlo, em, sm, tm;
    mpq_inits(s1, s2, tlo, em, sm, tm, (mpq_ptr) NULL);
    for (int rep = 0; rep < 300; rep++) {
        long n = 1 + rep % 3;
        for (long i = 0; i < n; i++) {
            tu_rand_q(r0[i], r, 20, 5);
            tu_rand_q(rs[i], r, 5, 4);
            tu_rand_q(rt[i], r, 5, 4);
        }
        int kind = rep % 5;                 /* degenerate cases */
        if (kind == 1)
            qvec_zero(rt, n);               /* e constant in t */
        if (kind == 2) {                    /* rs parallel to rt: singular Gram matrix */
            tu_rand_q(s1, r, 5, 3);
            qvec_scale(rs, rt, s1, n);
        }
        if (kind == 3)
            qvec_zero(rs, n);
        tu_rand_q(s1, r, 10, 3);
        tu_rand_q(s2, r, 10, 3);
        if (mpq_cmp(s1, s2) > 0)
            mpq_swap(s1, s2);
        if (kind == 4)
            mpq_set(s2, s1);                /* a ray */
        tu_rand_q(tlo, r, 10, 3);
        check_quad(r0, rs, rt, n, s1, s2, tlo, r);
    }
    /* an exact instance: r0 = (-1, 0), rs = (1, 0), rt = (0, 1): min over [0, 2] x [1, inf)
     * is at (1, 1) with e = 1; over [2, 3] x [-5, inf) at (2, 0) with e = 1 */
    qvec_zero(r0, 2);
    qvec_zero(rs, 2);
    qvec_zero(rt, 2);
    setq(r0[0], -1, 1);
    setq(rs[0], 1, 1);
    setq(rt[1], 1, 1);
    setq(s1, 0, 1);
    setq(s2, 2, 1);
    setq(tlo, 1, 1);
    far2d_quad_min(em, sm, tm, r0, rs, rt, 2, s1, s2, tlo);
    CU_ASSERT(mpq_cmp_si(em, 1, 1) == 0 && mpq_cmp_si(sm, 1, 1) == 0
              && mpq_cmp_si(tm, 1, 1) == 0);
    setq(s1, 2, 1);
    setq(s2, 3, 1);
    setq(tlo, -5, 1);
    far2d_quad_min(em, sm, tm, r0, rs, rt, 2, s1, s2, tlo);
    CU_ASSERT(mpq_cmp_si(em, 1, 1) == 0 && mpq_cmp_si(sm, 2, 1) == 0 && mpq_sgn(tm) == 0);
    /* n = 0: e = 0 */
    far2d_quad_min(em, sm, tm, r0, rs, rt, 0, s1, s2, tlo);
    CU_ASSERT(mpq_sgn(em) == 0);
    /* misuse: s1 > s2, NULL */
    TU_EXPECT_ERROR(far2d_quad_min(em, sm, tm, r0, rs, rt, 2, s2, s1, tlo));
    TU_EXPECT_ERROR(far2d_quad_min(em, sm, tm, NULL, rs, rt, 2, s1, s2, tlo));
    mpq_clears(s1, s2, tlo, em, sm, tm, (mpq_ptr) NULL);
    qvec_clear(r0, 3);
    qvec_clear(rs, 3);
    qvec_clear(rt, 3);
    gsl_rng_free(r);
}

/* ---- the region check --------------------------------------------------------------- */

/* corners t v + s1 w, t v + s2 w of v = (1, 1), w = (-1, 1), scaled by sg. */
static int region(const qnet_t f, const signed char *pat, long t, long sn1, long sn2,
                  unsigned long sd, int sg)
{
    mpq_t *c1 = qvec_init(2), *c2 = qvec_init(2), *d = qvec_init(2);
    mpq_t a, b;
    mpq_inits(a, b, (mpq_ptr) NULL);
    setq(a, sn1, sd);
    setq(b, sn2, sd);
    /* c = t v + s w = (t - s, t + s) */
    setq(c1[0], t, 1);
    mpq_sub(c1[0], c1[0], a);
    setq(c1[1], t, 1);
    mpq_add(c1[1], c1[1], a);
    setq(c2[0], t, 1);
    mpq_sub(c2[0], c2[0], b);
    setq(c2[1], t, 1);
    mpq_add(c2[1], c2[1], b);
    setq(d[0], 1, 1);
    setq(d[1], 1, 1);
    if (sg < 0)
        for (int i = 0; i < 2; i++) {
            mpq_neg(c1[i], c1[i]);
            mpq_neg(c2[i], c2[i]);
            mpq_neg(d[i], d[i]);
        }
    int rc = far2d_region_ok(f, pat, (const mpq_t *) c1, (const mpq_t *) c2,
                             (const mpq_t *) d, 2);
    mpq_clears(a, b, (mpq_ptr) NULL);
    qvec_clear(c1, 2);
    qvec_clear(c2, 2);
    qvec_clear(d, 2);
    return rc;
}

/* The sub-strip net: units relu(z), relu(-z), relu(u - 1) with z = (x1 + x2)/2,
 * u = (x2 - x1)/2; decoder (h1 - h2) (1, 1) + h3 (-9/4, 7/4) + (1/4, 1/4).  On the strip,
 * x = t v + s w with u = s, the score is 2 s^2 + 1/8 for s <= 1 and (s - 2)^2 34/16 for
 * s >= 1: zero on the line s = 2. */
static void substrip_net(qnet_t f, qnet_t f0)
{
    const double p[] = { 0.5, 0.5, -0.5, -0.5, -0.5, 0.5, 0, 0, -1,
                         1, -1, -2.25, 1, -1, 1.75, 0.25, 0.25 };
    make_net(f, f0, 2, S232, RELU_ID, NULL, p);
}

static void test_region(void)
{
    qnet_t f, f0;
    substrip_net(f, f0);
    /* patterns: units z+, z-, u-1 (relu), then 2 output units (identity, ON) */
    signed char on[5] = { 1, 0, 0, 1, 1 }, u_on[5] = { 1, 0, 1, 1, 1 };
    signed char neg[5] = { 0, 1, 0, 1, 1 };
    CU_ASSERT_EQUAL(region(f, on, 10, -1, 1, 2, 1), 1);      /* s in [-1/2, 1/2] */
    CU_ASSERT_EQUAL(region(f, on, 10, -3, 1, 1, 1), 1);      /* s in [-3, 1]: u - 1 <= 0 */
    CU_ASSERT_EQUAL(region(f, u_on, 10, 1, 3, 1, 1), 1);     /* s in [1, 3] */
    /* negative controls: wrong patterns and regions across a boundary */
    CU_ASSERT_EQUAL(region(f, u_on, 10, -1, 1, 2, 1), 0);
    CU_ASSERT_EQUAL(region(f, neg, 10, -1, 1, 2, 1), 0);
    CU_ASSERT_EQUAL(region(f, on, 10, 0, 3, 2, 1), 0);        /* crosses s = 1 */
    CU_ASSERT_EQUAL(region(f, u_on, 10, 0, 3, 2, 1), 0);
    /* along -v (with corners -(t v + s w), u = -s there) the +v pattern fails, neg holds */
    CU_ASSERT_EQUAL(region(f, on, 10, -1, 1, 2, -1), 0);
    CU_ASSERT_EQUAL(region(f, neg, 10, -1, 1, 2, -1), 1);
    /* slope along d: at t = 0 the corner pattern holds but the region would need z+ ON
     * with z = t >= 0; with d = -v the slope is negative, so -v is rejected from t = 0 */
    CU_ASSERT_EQUAL(region(f, on, 0, -1, 1, 2, 1), 1);
    CU_ASSERT_EQUAL(region(f, on, 0, -1, 1, 2, -1), 0);
    /* misuse */
    signed char bad[5] = { 2, 0, 0, 1, 1 };
    mpq_t *c = qvec_init(2);
    TU_EXPECT_ERROR(far2d_region_ok(f, bad, (const mpq_t *) c, (const mpq_t *) c,
                                    (const mpq_t *) c, 2));
    TU_EXPECT_ERROR(far2d_region_ok(f, on, (const mpq_t *) c, (const mpq_t *) c,
                                    (const mpq_t *) c, 3));
    TU_EXPECT_ERROR(far2d_region_ok(f, on, NULL, (const mpq_t *) c, (const mpq_t *) c, 2));
    qvec_clear(c, 2);
    qnet_clear(f);
    qnet_clear(f0);
}

/* Hardtanh states: units u1 = hardtanh(x2 - x1) (slope 0 along v = (1, 1)) and
 * u2 = hardtanh((x1 + x2)/8 - 1) (slope 1/4 along v). */
static void test_region_hardtanh(void)
{
    static const nn_act_t HT_ID[] = { NN_HARDTANH, NN_IDENTITY };
    const double p[] = { -1, 1, 0.125, 0.125, 0, -1, 1, 0, 0, 1, 0, 0 };
    qnet_t f, f0;
    make_net(f, f0, 2, S222, HT_ID, NULL, p);
    /* x = t v + s w: u1 = 2 s, u2 = t/4 - 1 */
    signed char on_hi[4] = { QNET_ON, QNET_HI, 1, 1 }, on_on[4] = { QNET_ON, QNET_ON, 1, 1 };
    signed char lo_hi[4] = { QNET_LO, QNET_HI, 1, 1 }, hi_hi[4] = { QNET_HI, QNET_HI, 1, 1 };
    signed char on_lo[4] = { QNET_ON, QNET_LO, 1, 1 };
    CU_ASSERT_EQUAL(region(f, on_hi, 8, -1, 1, 2, 1), 1);     /* |u1| <= 1, u2 >= 1 */
    CU_ASSERT_EQUAL(region(f, on_hi, 8, -1, 1, 4, 1), 1);
    CU_ASSERT_EQUAL(region(f, lo_hi, 8, -3, -1, 2, 1), 1);    /* u1 in [-3, -1] */
    CU_ASSERT_EQUAL(region(f, hi_hi, 8, 1, 5, 2, 1), 1);
    CU_ASSERT_EQUAL(region(f, on_lo, 8, -1, 1, 2, -1), 1);    /* along -v: u2 <= -1 */
    /* negative controls */
    CU_ASSERT_EQUAL(region(f, on_on, 4, -1, 1, 2, 1), 0);     /* u2 ON needs slope 0 */
    CU_ASSERT_EQUAL(region(f, on_hi, 7, -1, 1, 2, 1), 0);     /* u2 = 3/4 < 1 at t = 7 */
    CU_ASSERT_EQUAL(region(f, on_hi, 8, -3, 1, 2, 1), 0);     /* u1 = -3 at a corner */
    CU_ASSERT_EQUAL(region(f, lo_hi, 8, -1, 1, 2, 1), 0);
    CU_ASSERT_EQUAL(region(f, on_hi, 8, -1, 1, 2, -1), 0);    /* HI with slope < 0 */
    /* a hardtanh layer makes f0 = 0 after it: no blind sector, SAFE with R = 0 */
    cone_circle_t C;
    circle(C, f0);
    CU_ASSERT_EQUAL(C->nfixed, 0);
    far2d_t B;
    far2d_init(B);
    run(B, f, f0, C, 2, 1, 1, 4, 0, 0, 10);
    CU_ASSERT_EQUAL(B->status, FAR2D_SAFE);
    CU_ASSERT_EQUAL(B->nblind, 0);
    CU_ASSERT_EQUAL(B->nstrips, 0);
    CU_ASSERT_EQUAL(mpq_sgn(B->R), 0);
    far2d_clear(B);
    cone_circle_clear(C);
    qnet_clear(f);
    qnet_clear(f0);
}

/* ---- verdicts ------------------------------------------------------------------------ */

/* c = 0: f = f0 = P, K = 0 is exact; the score on the diagonal is 0, at any distance. */
static void test_diag_exact(void)
{
    qnet_t f, f0;
    diag_net(f, f0, 0, 0);
    cone_circle_t C;
    circle(C, f0);
    CU_ASSERT_EQUAL(C->nfixed, 2);
    far2d_t B;
    far2d_init(B);
    run(B, f, f0, C, 0, 1, 0, 1, 3, -1, 100);
    check_fails(B, f, 0, 1, 3, -1, 100);
    CU_ASSERT_EQUAL(mpq_sgn(B->score), 0);
    CU_ASSERT_EQUAL(B->nblind, 2);
    CU_ASSERT_EQUAL(B->nstrips, 1);
    CU_ASSERT(B->npieces >= 2);
    /* any valid K and s: still FAILS with score 0 */
    run(B, f, f0, C, 3, 2, 1, 2, -7, 5, 1000);
    check_fails(B, f, 1, 2, -7, 5, 1000);
    CU_ASSERT_EQUAL(mpq_sgn(B->score), 0);
    far2d_clear(B);
    cone_circle_clear(C);
    qnet_clear(f);
    qnet_clear(f0);
}

/* c = (1/4, 1/4) along the diagonal: e(x) = ||(I - P) x||^2 + 1/8 >= 1/8, equality on the
 * diagonal.  K = 1/2 >= ||c||.  s < 1/8: SAFE; s >= 1/8: FAILS with score 1/8. */
static void test_diag_offset(void)
{
    qnet_t f, f0;
    diag_net(f, f0, 0.25, 0.25);
    cone_circle_t C;
    circle(C, f0);
    far2d_t B;
    far2d_init(B);
    run(B, f, f0, C, 1, 2, 1, 16, 0, 0, 50);
    check_safe(B, f, f0, C, 1, 16);
    CU_ASSERT_EQUAL(mpq_cmp_si(B->far_min, 1, 8), 0);
    CU_ASSERT(mpq_cmp_si(B->R, 50, 1) >= 0);
    run(B, f, f0, C, 1, 2, 1, 8, 0, 0, 50);
    check_fails(B, f, 1, 8, 0, 0, 50);
    CU_ASSERT_EQUAL(mpq_cmp_si(B->score, 1, 8), 0);
    run(B, f, f0, C, 1, 2, 3, 1, 2, 2, 50);
    check_fails(B, f, 3, 1, 2, 2, 50);
    CU_ASSERT(mpq_cmp_si(B->score, 1, 8) <= 0);
    /* c = (1/4, -1/4) is orthogonal to the diagonal: the line x = t v - w/4 is exactly
     * reconstructed (score 0) although the diagonal itself scores 1/8 */
    qnet_clear(f);
    qnet_clear(f0);
    diag_net(f, f0, 0.25, -0.25);
    run(B, f, f0, C, 1, 2, 0, 1, 0, 0, 50);
    check_fails(B, f, 0, 1, 0, 0, 50);
    CU_ASSERT_EQUAL(mpq_sgn(B->score), 0);
    CU_ASSERT(mpq_cmp(B->x[0], B->x[1]) != 0);      /* off the diagonal */
    far2d_clear(B);
    cone_circle_clear(C);
    qnet_clear(f);
    qnet_clear(f0);
}

/* The sub-strip net: the zero-score line s = 2 is found with a valid K; with K = 0 (wrong:
 * sup ||f - f0|| > 2) the strip is too narrow and the "radius" is violated by an explicit
 * exact point -- the negative control for the strip width. */
static void test_substrip(void)
{
    qnet_t f, f0;
    substrip_net(f, f0);
    cone_circle_t C;
    circle(C, f0);
    CU_ASSERT(C->nfixed >= 2);
    CU_ASSERT_EQUAL(C->nundecided, 0);
    far2d_t B;
    far2d_init(B);
    run(B, f, f0, C, 4, 1, 1, 100, 0, 0, 20);        /* K = 4 >= ||c|| + ||d|| */
    check_fails(B, f, 1, 100, 0, 0, 20);
    CU_ASSERT_EQUAL(mpq_sgn(B->score), 0);
    CU_ASSERT_EQUAL(B->nstrips, 1);
    CU_ASSERT(B->npieces >= 4);                       /* split at s = 1 on both half-strips */
    /* the point lies on the line x2 - x1 = +-4 (s = +-2) */
    mpq_t u;
    mpq_init(u);
    mpq_sub(u, B->x[1], B->x[0]);
    mpq_abs(u, u);
    CU_ASSERT_EQUAL(mpq_cmp_si(u, 4, 1), 0);
    /* negative control: K = 0 */
    run(B, f, f0, C, 0, 1, 1, 100, 0, 0, 20);
    CU_ASSERT_EQUAL_FATAL(B->status, FAR2D_SAFE);
    CU_ASSERT_EQUAL(mpq_cmp_si(B->far_min, 1, 8), 0);
    mpq_t *x = qvec_init(2);
    mpq_t e, n2, R2;
    mpq_inits(e, n2, R2, (mpq_ptr) NULL);
    mpz_cdiv_q(mpq_numref(u), mpq_numref(B->R), mpq_denref(B->R));
    mpz_set_ui(mpq_denref(u), 1);                     /* u = ceil(R) */
    mpq_set(x[0], u);
    mpq_set_si(e, 2, 1);
    mpq_sub(x[0], x[0], e);                           /* x = u v + 2 w */
    mpq_add(x[1], u, e);
    qvec_norm2(n2, x, 2);
    mpq_mul(R2, B->R, B->R);
    CU_ASSERT(mpq_cmp(n2, R2) > 0);
    CU_ASSERT_EQUAL(qnet_score(e, f, (const mpq_t *) x, 2), AE_OK);
    CU_ASSERT_EQUAL(mpq_sgn(e), 0);                   /* the wrong radius is violated */
    CU_ASSERT(in_blind(f0, C, x));
    mpq_clears(e, n2, R2, u, (mpq_ptr) NULL);
    qvec_clear(x, 2);
    far2d_clear(B);
    cone_circle_clear(C);
    qnet_clear(f);
    qnet_clear(f0);
}

/* Leaky ReLU (slope 3, so leaky(z) - leaky(-z) = 4 z exactly): units z, -z, u - 1, decoder
 * (h1 - h2)/4 (1, 1) + h3 (-1/8, -1/8) + (1/4, 1/4).  On the strip the score is
 * 2 s^2 + (3 s - 5)^2 / 32 for s <= 1 (least 50/73 at s = 15/73) and >= 2 for s >= 1. */
static void test_leaky(void)
{
    const double ap[] = { 3, 0 };
    const double p[] = { 0.5, 0.5, -0.5, -0.5, -0.5, 0.5, 0, 0, -1,
                         0.25, -0.25, -0.125, 0.25, -0.25, -0.125, 0.25, 0.25 };
    qnet_t f, f0;
    make_net(f, f0, 2, S232, LEAKY_ID, ap, p);
    CU_ASSERT_EQUAL_FATAL(f->act[0], QNET_LEAKY);
    cone_circle_t C;
    circle(C, f0);
    CU_ASSERT(C->nfixed >= 1);
    far2d_t B;
    far2d_init(B);
    run(B, f, f0, C, 1, 1, 1, 2, 1, 1, 40);          /* K = 1 >= ||c|| + 3 ||d|| */
    check_safe(B, f, f0, C, 1, 2);
    CU_ASSERT_EQUAL(mpq_cmp_si(B->far_min, 50, 73), 0);
    run(B, f, f0, C, 1, 1, 50, 73, 1, 1, 40);
    check_fails(B, f, 50, 73, 1, 1, 40);
    CU_ASSERT_EQUAL(mpq_cmp_si(B->score, 50, 73), 0);
    /* the minimiser: s = +-15/73, i.e. x2 - x1 = +-30/73 */
    mpq_t u;
    mpq_init(u);
    mpq_sub(u, B->x[1], B->x[0]);
    mpq_abs(u, u);
    CU_ASSERT_EQUAL(mpq_cmp_si(u, 30, 73), 0);
    mpq_clear(u);
    far2d_clear(B);
    cone_circle_clear(C);
    qnet_clear(f);
    qnet_clear(f0);
}

/* A unit with an oblique boundary x1 - 2 x2 + 64 = 0 (and decoder weight 0, so f is the
 * diagonal AE with c = (1/4, 1/4)): the half-strip along v is certified only once t* has
 * doubled past 64 + 3 W; the far score is unchanged and the radius grows. */
static void test_doubling(void)
{
    const double p[] = { 0.5, 0.5, -0.5, -0.5, 1, -2, 0, 0, 64,
                         1, -1, 0, 1, -1, 0, 0.25, 0.25 };
    qnet_t f, f0, g, g0;
    make_net(f, f0, 2, S232, RELU_ID, NULL, p);
    diag_net(g, g0, 0.25, 0.25);
    cone_circle_t C, D;
    circle(C, f0);
    circle(D, g0);
    far2d_t B, E;
    far2d_init(B);
    far2d_init(E);
    run(B, f, f0, C, 1, 2, 1, 16, 0, 0, 50);
    run(E, g, g0, D, 1, 2, 1, 16, 0, 0, 50);
    check_safe(B, f, f0, C, 1, 16);
    CU_ASSERT_EQUAL_FATAL(E->status, FAR2D_SAFE);
    CU_ASSERT(mpq_equal(B->far_min, E->far_min));
    CU_ASSERT(mpq_cmp_si(B->R, 64, 1) > 0);
    CU_ASSERT(mpq_cmp(B->R, E->R) > 0);
    /* the oblique unit's pattern at t = 36 (ON) is rejected on the region along v */
    signed char pat[5];
    mpq_t *x = qvec_init(2), *y = qvec_init(2), *d = qvec_init(2);
    setq(x[0], 36, 1);
    setq(x[1], 36, 1);
    setq(d[0], 1, 1);
    setq(d[1], 1, 1);
    qnet_eval(y, 2, pat, f, (const mpq_t *) x, 2);
    CU_ASSERT_EQUAL(pat[2], QNET_ON);
    CU_ASSERT_EQUAL(far2d_region_ok(f, pat, (const mpq_t *) x, (const mpq_t *) x,
                                    (const mpq_t *) d, 2), 0);
    setq(x[0], 72, 1);
    setq(x[1], 72, 1);
    qnet_eval(y, 2, pat, f, (const mpq_t *) x, 2);
    CU_ASSERT_EQUAL(far2d_region_ok(f, pat, (const mpq_t *) x, (const mpq_t *) x,
                                    (const mpq_t *) d, 2), 1);
    qvec_clear(x, 2);
    qvec_clear(y, 2);
    qvec_clear(d, 2);
    far2d_clear(B);
    far2d_clear(E);
    cone_circle_clear(C);
    cone_circle_clear(D);
    qnet_clear(f);
    qnet_clear(f0);
    qnet_clear(g);
    qnet_clear(g0);
}

/* No blind sector (f = x/2 + b): SAFE with nblind = 0, R = 0.  The identity 2-2 (A = I
 * on the only sector): UNDECIDED with a reason. */
static void test_degenerate(void)
{
    static const long S22[] = { 2, 2 };
    static const nn_act_t ID[] = { NN_IDENTITY };
    const double half[] = { 0.5, 0, 0, 0.5, 1, 1 }, ident[] = { 1, 0, 0, 1, 0.5, 0 };
    qnet_t f, f0;
    make_net(f, f0, 1, S22, ID, NULL, half);
    cone_circle_t C;
    circle(C, f0);
    CU_ASSERT_EQUAL(C->nfixed, 0);
    far2d_t B;
    far2d_init(B);
    run(B, f, f0, C, 2, 1, 1, 1, 0, 0, 10);
    CU_ASSERT_EQUAL(B->status, FAR2D_SAFE);
    CU_ASSERT_EQUAL(B->nblind, 0);
    CU_ASSERT_EQUAL(mpq_sgn(B->R), 0);
    cone_circle_clear(C);
    qnet_clear(f);
    qnet_clear(f0);
    make_net(f, f0, 1, S22, ID, NULL, ident);
    circle(C, f0);
    CU_ASSERT_EQUAL(C->nfixed, 1);
    run(B, f, f0, C, 1, 1, 1, 1, 0, 0, 10);
    CU_ASSERT_EQUAL(B->status, FAR2D_UNDECIDED);
    CU_ASSERT_EQUAL(B->nblind, 1);
    CU_ASSERT(strlen(B->why) > 0);
    far2d_clear(B);
    cone_circle_clear(C);
    qnet_clear(f);
    qnet_clear(f0);
}

/* Three layers: the pass-through z survives two relu layers (relu(h1 - h2) - relu(h2 - h1));
 * the second layer's unit relu(relu(u - 1) - 1/2) = relu(u - 3/2) with decoder weight
 * (-11/4, 9/4) and c = (1/4, 1/4) zeroes the score on the line s = 5/2 (x2 - x1 = 5).
 * K = 6 >= ||c|| + (3/2) ||d|| finds it; K = 1 (wrong) misses it and its radius is
 * violated by an explicit zero-score point. */
static void test_deep(void)
{
    static const long S2332[] = { 2, 3, 3, 2 };
    static const nn_act_t RRI[] = { NN_RELU, NN_RELU, NN_IDENTITY };
    const double p[] = { 0.5, 0.5, -0.5, -0.5, -0.5, 0.5, 0, 0, -1,
                         1, -1, 0, -1, 1, 0, 0, 0, 1, 0, 0, -0.5,
                         1, -1, -2.75, 1, -1, 2.25, 0.25, 0.25 };
    qnet_t f, f0;
    make_net(f, f0, 3, S2332, RRI, NULL, p);
    cone_circle_t C;
    circle(C, f0);
    CU_ASSERT(C->nfixed >= 2);
    far2d_t B;
    far2d_init(B);
    run(B, f, f0, C, 6, 1, 1, 100, 0, 0, 20);
    check_fails(B, f, 1, 100, 0, 0, 20);
    CU_ASSERT_EQUAL(mpq_sgn(B->score), 0);
    mpq_t u, e;
    mpq_inits(u, e, (mpq_ptr) NULL);
    mpq_sub(u, B->x[1], B->x[0]);
    mpq_abs(u, u);
    CU_ASSERT_EQUAL(mpq_cmp_si(u, 5, 1), 0);
    CU_ASSERT(B->npieces >= 6);          /* s = 1 and s = 3/2 cut each half-strip */
    run(B, f, f0, C, 1, 1, 1, 100, 0, 0, 20);
    CU_ASSERT_EQUAL_FATAL(B->status, FAR2D_SAFE);
    CU_ASSERT_EQUAL(mpq_cmp_si(B->far_min, 1, 8), 0);
    mpq_t *x = qvec_init(2);
    mpz_cdiv_q(mpq_numref(u), mpq_numref(B->R), mpq_denref(B->R));
    mpz_set_ui(mpq_denref(u), 1);
    setq(e, 5, 2);
    mpq_sub(x[0], u, e);                 /* x = ceil(R) v + (5/2) w */
    mpq_add(x[1], u, e);
    qnet_score(e, f, (const mpq_t *) x, 2);
    CU_ASSERT_EQUAL(mpq_sgn(e), 0);
    qvec_norm2(e, x, 2);
    mpq_mul(u, B->R, B->R);
    CU_ASSERT(mpq_cmp(e, u) > 0);
    qvec_clear(x, 2);
    mpq_clears(u, e, (mpq_ptr) NULL);
    far2d_clear(B);
    cone_circle_clear(C);
    qnet_clear(f);
    qnet_clear(f0);
}

/* A linear network (identity activation): one sector, the whole plane, whose cone test
 * returns one of v, -v; both half-strips are analysed (npieces = 2, one piece each). */
static void test_linear_full(void)
{
    static const long S22[] = { 2, 2 };
    static const nn_act_t ID[] = { NN_IDENTITY };
    const double on[] = { 0.5, 0.5, 0.5, 0.5, 0.25, 0.25 };
    const double off[] = { 0.5, 0.5, 0.5, 0.5, 0.25, -0.25 };
    qnet_t f, f0;
    make_net(f, f0, 1, S22, ID, NULL, on);
    cone_circle_t C;
    circle(C, f0);
    CU_ASSERT_EQUAL(C->full, 1);
    CU_ASSERT_EQUAL(C->nfixed, 1);
    far2d_t B;
    far2d_init(B);
    run(B, f, f0, C, 1, 2, 1, 16, 5, 0, 30);
    check_safe(B, f, f0, C, 1, 16);
    CU_ASSERT_EQUAL(mpq_cmp_si(B->far_min, 1, 8), 0);
    CU_ASSERT_EQUAL(B->nstrips, 1);
    CU_ASSERT_EQUAL(B->npieces, 2);
    qnet_clear(f);
    qnet_clear(f0);
    make_net(f, f0, 1, S22, ID, NULL, off);
    run(B, f, f0, C, 1, 2, 0, 1, 5, 0, 30);
    check_fails(B, f, 0, 1, 5, 0, 30);
    far2d_clear(B);
    cone_circle_clear(C);
    qnet_clear(f);
    qnet_clear(f0);
}

/* Random networks on the template: the pass-through units z, -z plus k units
 * relu(a (x2 - x1) + b) (zero slope along v, so v = (1, 1) stays blind) with random
 * decoder weights and bias.  K = ||c||_1 + sum |b_j| ||d_j||_1 >= sup ||f - f0|| (relu is
 * 1-Lipschitz).  Checks: FAILS points exact and far; SAFE radii never violated by sampled
 * points; the least far score is <= the exact score at grid points deep in the strip. */
#ifndef NRAND
#define NRAND 24
#endif
static void test_random(void)
{
    gsl_rng *r = tu_rng();
    long nfails = 0, nsafe = 0, nund = 0;
    for (int rep = 0; rep < NRAND; rep++) {
        long k = 1 + (long) gsl_rng_uniform_int(r, 3), h = 2 + k;
        long sizes[3] = { 2, h, 2 };
        double p[2 * 8 + 8 + 2 * 8 + 2];
        long np = 0;
        double a[3], b[3], dd[3][2], c[2];
        p[np++] = 0.5; p[np++] = 0.5; p[np++] = -0.5; p[np++] = -0.5;
        /* on odd reps the last extra unit is oblique, relu(a1 x1 + a2 x2 + b) with
         * a1 + a2 < 0: OFF far along v (v stays blind), ON far along -v (so -v is in
         * general not blind and its half-strip has a growing score) */
        int oblique = rep % 2;
        for (long j = 0; j < k; j++) {
            a[j] = (double) ((long) gsl_rng_uniform_int(r, 9) - 4) / 4;
            if (a[j] == 0)
                a[j] = 1;
            if (oblique && j == k - 1) {
                double a1 = (double) ((long) gsl_rng_uniform_int(r, 9) - 4) / 4;
                p[np++] = a1;
                p[np++] = -a1 - 0.25 * (double) (1 + gsl_rng_uniform_int(r, 4));
            } else {
                p[np++] = -a[j];
                p[np++] = a[j];
            }
        }
        p[np++] = 0;
        p[np++] = 0;
        for (long j = 0; j < k; j++) {
            b[j] = (double) ((long) gsl_rng_uniform_int(r, 17) - 8) / 4;
            p[np++] = b[j];
        }
        for (long j = 0; j < k; j++)
            for (int i = 0; i < 2; i++)
                dd[j][i] = (double) ((long) gsl_rng_uniform_int(r, 33) - 16) / 8;
        for (int i = 0; i < 2; i++) {
            p[np++] = 1;
            p[np++] = -1;
            for (long j = 0; j < k; j++)
                p[np++] = dd[j][i];
        }
        for (int i = 0; i < 2; i++) {
            c[i] = (double) ((long) gsl_rng_uniform_int(r, 17) - 8) / 8;
            p[np++] = c[i];
        }
        qnet_t f, f0;
        make_net(f, f0, 2, sizes, RELU_ID, NULL, p);
        cone_circle_t C;
        circle(C, f0);
        CU_ASSERT_FATAL(C->nfixed >= 1);
        /* K exactly (all dyadic) */
        double Kd = fabs(c[0]) + fabs(c[1]);
        for (long j = 0; j < k; j++)
            Kd += fabs(b[j]) * (fabs(dd[j][0]) + fabs(dd[j][1]));
        long Kn = (long) (Kd * 32), sn = (long) gsl_rng_uniform_int(r, 33);
        long c0 = (long) gsl_rng_uniform_int(r, 7) - 3;
        long rfar = (long) gsl_rng_uniform_int(r, 30);
        far2d_t B;
        far2d_init(B);
        run(B, f, f0, C, Kn, 32, sn, 16, c0, -c0, rfar);
        if (B->status == FAR2D_UNDECIDED) {
            /* legitimate only when A = I on some blind sector (random units can add up to
             * the identity there) */
            int ident = 0;
            qmat_t A;
            qmat_init(A, 2, 2);
            for (long j = 0; j < C->n; j++)
                if (C->status[j] == CONE_FIXED) {
                    qnet_affine(A, NULL, f0, cone_circle_pat(C, j));
                    ident |= qmat_is_one(A);
                }
            qmat_clear(A);
            CU_ASSERT(ident);
            nund++;
        }
        mpq_t s;
        mpq_init(s);
        setq(s, sn, 16);
        if (B->status == FAR2D_FAILS) {
            nfails++;
            check_fails(B, f, sn, 16, c0, -c0, rfar);
        } else if (B->status == FAR2D_SAFE) {
            nsafe++;
            long nviol, n = sample_safe(&nviol, B, f, f0, C, s, r);
            CU_ASSERT(n > 50);
            CU_ASSERT_EQUAL(nviol, 0);
        }
        if (B->status != FAR2D_UNDECIDED) {
            /* grid points t v + s w (t = 2^50, |s| <= K / (4 max ||(I - A) w||)) */
            double nmax = 0;
            qmat_t A;
            qmat_init(A, 2, 2);
            for (long j = 0; j < C->n; j++) {
                if (C->status[j] != CONE_FIXED)
                    continue;
                qnet_affine(A, NULL, f0, cone_circle_pat(C, j));
                double a00 = mpq_get_d(qmat_entry(A, 0, 0));
                double a01 = mpq_get_d(qmat_entry(A, 0, 1));
                double a10 = mpq_get_d(qmat_entry(A, 1, 0));
                double a11 = mpq_get_d(qmat_entry(A, 1, 1));
                double y0 = -1 - (-a00 + a01), y1 = 1 - (-a10 + a11);
                double nn = sqrt(y0 * y0 + y1 * y1);
                if (nn > nmax)
                    nmax = nn;
            }
            qmat_clear(A);
            double wlo = nmax > 0 ? Kd / (4 * nmax) : 0;
            mpq_t *x = qvec_init(2);
            mpq_t e, t, sg;
            mpq_inits(e, t, sg, (mpq_ptr) NULL);
            mpq_set_ui(t, 1, 1);
            mpz_mul_2exp(mpq_numref(t), mpq_numref(t), 50);
            int below = 0;
            for (int i = -40; i <= 40; i++) {
                mpq_set_d(sg, wlo * i / 40);
                for (int sgn = -1; sgn <= 1; sgn += 2) {
                    mpq_set(x[0], t);
                    mpq_sub(x[0], x[0], sg);
                    mpq_set(x[1], t);
                    mpq_add(x[1], x[1], sg);
                    if (sgn < 0) {
                        mpq_neg(x[0], x[0]);
                        mpq_neg(x[1], x[1]);
                    }
                    qnet_score(e, f, (const mpq_t *) x, 2);
                    if (mpq_cmp(e, B->far_min) < 0)
                        below++;
                }
            }
            CU_ASSERT_EQUAL(below, 0);
            mpq_clears(e, t, sg, (mpq_ptr) NULL);
            qvec_clear(x, 2);
        }
        mpq_clear(s);
        far2d_clear(B);
        cone_circle_clear(C);
        qnet_clear(f);
        qnet_clear(f0);
    }
    CU_ASSERT(nfails > 0);
    CU_ASSERT(nsafe > 0);
    CU_ASSERT(nund <= NRAND / 8);
    gsl_rng_free(r);
}

static void test_misuse(void)
{
    qnet_t f, f0, g, g0;
    diag_net(f, f0, 0.25, 0.25);
    substrip_net(g, g0);
    cone_circle_t C, E;
    circle(C, f0);
    cone_circle_init(E, f0);                          /* not computed */
    far2d_t B;
    far2d_init(B);
    mpq_t K, s, rf, m1, cen[2];
    mpq_inits(K, s, rf, m1, cen[0], cen[1], (mpq_ptr) NULL);
    mpq_set_si(m1, -1, 1);
    const mpq_t *ce = (const mpq_t *) cen;
    CU_ASSERT_EQUAL(far2d_blind(B, f, f0, C, K, s, ce, rf), AE_OK);
    TU_EXPECT_ERROR(far2d_blind(B, f, f0, C, m1, s, ce, rf));
    TU_EXPECT_ERROR(far2d_blind(B, f, f0, C, K, m1, ce, rf));
    TU_EXPECT_ERROR(far2d_blind(B, f, f0, C, K, s, ce, m1));
    TU_EXPECT_ERROR(far2d_blind(B, f, f0, C, K, s, NULL, rf));
    TU_EXPECT_ERROR(far2d_blind(NULL, f, f0, C, K, s, ce, rf));
    TU_EXPECT_ERROR(far2d_blind(B, f, f, C, K, s, ce, rf));     /* f0 not homogeneous */
    TU_EXPECT_ERROR(far2d_blind(B, f, f0, E, K, s, ce, rf));    /* C not computed */
    TU_EXPECT_ERROR(far2d_blind(B, g, g0, C, K, s, ce, rf));    /* C of another network */
    TU_EXPECT_ERROR(far2d_blind(B, g, f0, C, K, s, ce, rf));    /* f0 not f's */
    /* din = 3 */
    static const long S323[] = { 3, 2, 3 };
    const double p3[17] = { 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0 };   /* 6 + 2 + 6 + 3 */
    qnet_t h, h0;
    make_net(h, h0, 2, S323, RELU_ID, NULL, p3);
    TU_EXPECT_ERROR(far2d_blind(B, h, h0, C, K, s, ce, rf));
    qnet_clear(h);
    qnet_clear(h0);
    mpq_clears(K, s, rf, m1, cen[0], cen[1], (mpq_ptr) NULL);
    far2d_clear(B);
    cone_circle_clear(C);
    cone_circle_clear(E);
    qnet_clear(f);
    qnet_clear(f0);
    qnet_clear(g);
    qnet_clear(g0);
}

int main(void)
{
    static const tu_test tests[] = {
        { "exact quadratic minimum on a half-strip vs grid", test_quad_min },
        { "region check: relu patterns, negative controls", test_region },
        { "region check: hardtanh states; f0 = 0 is never blind", test_region_hardtanh },
        { "diagonal AE, c = 0: FAILS with score 0", test_diag_exact },
        { "diagonal AE, c on / off the diagonal: SAFE < 1/8 <= FAILS", test_diag_offset },
        { "sub-strips: zero line at s = 2; wrong K misses it", test_substrip },
        { "leaky slope 3: least far score 50/73", test_leaky },
        { "oblique unit: t* doubles, same far score", test_doubling },
        { "no blind sector; A = I undecided", test_degenerate },
        { "linear net: one full-plane sector, both half-strips", test_linear_full },
        { "three layers: a second-layer sub-strip; wrong K misses it", test_deep },
        { "random template nets: verdicts checked by sampling", test_random },
        { "misuse", test_misuse },
        { NULL, NULL }
    };
    return tu_run("far2d", 2026, tests);
}
