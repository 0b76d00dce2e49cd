/* test_gammabb — the branch-and-bound growth bound (theory/gammabb.h).
 *
 * Second route: the exact ratio ||v - f0(v)||^2 / ||v||^2 by qnet_eval in rationals.
 *   - every certified gamma2 is <= the exact ratio at many random rational v and at the
 *     float minimiser (random nets d = 1, 3, 4, 13, relu / leaky / identity);
 *   - every box bound (gammabb_box) is <= the exact ratio at random rational points of
 *     the box (large and tiny boxes);
 *   - known values: f0 = x/2 (gamma2 = 1/4), a rotation by 90 degrees in the x-y plane with
 *     z -> -z (gamma2 = 2, where the Lipschitz route gives 0);
 *   - blind networks (identity, coordinatewise relu) give 0;
 *   - negative controls: a target above the true minimum never closes the cover, and a
 *     corrupted bound (every box times 16) is caught by the exact check.
 * Seeds: AEAUDIT_SEED overrides (printed on failure by tu_run).
 */
#include "testutil.h"

#include "farfield.h"
#include "gammabb.h"
#include "qmat.h"
#include "qnet.h"
#include "scansearch.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* r = the exact ratio at v (v != 0). */
static void exact_ratio(mpq_t r, const qnet_t f0, const mpq_t *v, long d)
{
    mpq_t *y = qvec_init(d);
    mpq_t nv;
    mpq_init(nv);
    CU_ASSERT_EQUAL_FATAL(qnet_eval(y, d, NULL, f0, v, d), AE_OK);
    qvec_sub(y, v, y, d);
    qvec_norm2(r, y, d);
    qvec_norm2(nv, v, d);
    CU_ASSERT_FATAL(mpq_sgn(nv) > 0);
    mpq_div(r, r, nv);
    mpq_clear(nv);
    qvec_clear(y, d);
}

/* Number of random rational points (and the float minimiser) where g2 exceeds the exact
 * ratio: 0 for a correct certificate. */
static long violations(const mpq_t g2, const qnet_t f0, const double *vmin, long npts,
                       gsl_rng *r)
{
    long d = qnet_din(f0), bad = 0;
    mpq_t *v = qvec_init(d);
    mpq_t e;
    mpq_init(e);
    for (long k = 0; k <= npts; k++) {
        if (k == npts && vmin != NULL)
            for (long j = 0; j < d; j++)
                mpq_set_d(v[j], vmin[j]);
        else if (k == npts)
            break;
        else
            for (long j = 0; j < d; j++)
                tu_rand_q(v[j], r, 1000, 97);
        if (qvec_is_zero(v, d))
            continue;
        exact_ratio(e, f0, v, d);
        if (mpq_cmp(g2, e) > 0)
            bad++;
    }
    mpq_clear(e);
    qvec_clear(v, d);
    return bad;
}

static void make_f0(qnet_t f0, const nn_t net)
{
    qnet_t f;
    CU_ASSERT_EQUAL_FATAL(qnet_init_nn(f, net), AE_OK);
    CU_ASSERT_EQUAL_FATAL(qnet_init_recession(f0, f), AE_OK);
    qnet_clear(f);
}

static void run_bb(gammabb_result_t R, const qnet_t f0, long max_boxes, double seconds,
                   double target, double corrupt)
{
    gammabb_t G;
    CU_ASSERT_EQUAL_FATAL(gammabb_init(G, f0), AE_OK);
    gammabb_opts o;
    gammabb_opts_default(&o);
    o.max_boxes = max_boxes;
    o.deadline = ssearch_now() + seconds;
    o.target = target;
    o.corrupt = corrupt;
    CU_ASSERT_EQUAL_FATAL(gammabb_run(R, G, &o), AE_OK);
    gammabb_clear(G);
}

/* Box bounds against exact ratios at points of the box (dyadic ends and points). */
static void check_boxes(const qnet_t f0, gsl_rng *r, long nbox, int want_pos)
{
    long d = qnet_din(f0);
    gammabb_t G;
    CU_ASSERT_EQUAL_FATAL(gammabb_init(G, f0), AE_OK);
    double *lo = malloc((size_t) d * sizeof(double)), *hi = malloc((size_t) d * sizeof(double));
    mpq_t *v = qvec_init(d);
    mpq_t e, q;
    mpq_inits(e, q, NULL);
    long npos = 0;
    mpq_t a, t;
    mpq_inits(a, t, NULL);
    for (long b = 0; b < nbox; b++) {
        double w = ldexp(1.0, -(int) gsl_rng_uniform_int(r, 12));
        int any = b % 2;             /* odd boxes: arbitrary double ends, not dyadic grid */
        for (long j = 0; j < d; j++) {
            if (any) {
                lo[j] = gsl_rng_uniform(r) * 2 - 1;
                hi[j] = lo[j] + gsl_rng_uniform(r) * w * 0.7;
            } else {
                lo[j] = ldexp(floor(ldexp(gsl_rng_uniform(r) * 2 - 1, 20)), -20);
                hi[j] = lo[j] + w * (gsl_rng_uniform_int(r, 3) == 0 ? 0 : 1);
            }
        }
        long f = (long) gsl_rng_uniform_int(r, (unsigned long) d);
        lo[f] = hi[f] = gsl_rng_uniform_int(r, 2) ? 1 : -1;          /* on a face */
        double lb;
        CU_ASSERT_EQUAL_FATAL(gammabb_box(&lb, G, lo, hi), AE_OK);
        CU_ASSERT(lb >= 0);
        npos += lb > 0;
        mpq_set_d(q, lb);
        for (int k = 0; k < 6; k++) {
            for (long j = 0; j < d; j++) {     /* v_j = lo_j + t (hi_j - lo_j), exactly */
                double tt = k == 0 ? 0 : k == 1 ? 1 : gsl_rng_uniform(r);
                mpq_set_d(t, tt);
                mpq_set_d(a, hi[j]);
                mpq_set_d(v[j], lo[j]);
                mpq_sub(a, a, v[j]);
                mpq_mul(a, a, t);
                mpq_add(v[j], v[j], a);
            }
            exact_ratio(e, f0, v, d);
            if (mpq_cmp(q, e) > 0)
                printf("\n  box %ld: bound %.17g above the exact ratio %.17g\n", b, lb,
                       mpq_get_d(e));
            CU_ASSERT(mpq_cmp(q, e) <= 0);
        }
    }
    if (want_pos)
        CU_ASSERT(npos > 0);
    mpq_clears(a, t, NULL);
    mpq_clears(e, q, NULL);
    qvec_clear(v, d);
    free(lo);
    free(hi);
    gammabb_clear(G);
}

/* Every parameter times c (a power of two: exact). */
static void scale_weights(nn_t net, double c)
{
    double *p = malloc((size_t) net->nparams * sizeof(double));
    nn_get_params(p, net);
    for (long k = 0; k < net->nparams; k++)
        p[k] *= c;
    CU_ASSERT_EQUAL_FATAL(nn_set_params(net, p), AE_OK);
    free(p);
}

/* Enclosures of g = v - f0(v) by each mode contain the exact g at corners, the centre
 * and random points of random boxes (anywhere, not only on faces).  Returns the mean
 * width ratio symbolic / interval (for the report). */
static double check_enclosures(const qnet_t f0, gsl_rng *r, long nbox)
{
    long d = qnet_din(f0);
    gammabb_t G;
    CU_ASSERT_EQUAL_FATAL(gammabb_init(G, f0), AE_OK);
    double *lo = malloc((size_t) (6 * d) * sizeof(double)), *hi = lo + d, *gl = hi + d,
           *gu = gl + d, *bl = gu + d, *bu = bl + d;
    mpq_t *v = qvec_init(d), *y = qvec_init(d);
    mpq_t a, t;
    mpq_inits(a, t, NULL);
    double wsum = 0;
    long wn = 0;
    for (long b = 0; b < nbox; b++) {
        double w = 2 * ldexp(1.0, -(int) gsl_rng_uniform_int(r, 10));
        for (long j = 0; j < d; j++) {
            lo[j] = gsl_rng_uniform(r) * 2 - 1;
            hi[j] = lo[j] + gsl_rng_uniform(r) * w;
        }
        for (int mode = GAMMABB_BOTH; mode <= GAMMABB_INTERVAL; mode++) {
            CU_ASSERT_EQUAL_FATAL(gammabb_enclose(gl, gu, G, lo, hi, mode), AE_OK);
            if (mode == GAMMABB_SYMBOLIC)
                memcpy(bl, gl, (size_t) (2 * d) * sizeof(double));   /* gl, gu -> bl, bu */
            if (mode == GAMMABB_INTERVAL)
                for (long j = 0; j < d; j++)
                    if (gu[j] > gl[j] && isfinite(gu[j] - gl[j])) {
                        wsum += (bu[j] - bl[j]) / (gu[j] - gl[j]);
                        wn++;
                    }
            for (int k = 0; k < 9; k++) {
                for (long j = 0; j < d; j++) {
                    double tt = k < 4 ? (double) gsl_rng_uniform_int(r, 2)
                              : k == 4 ? 0.5 : gsl_rng_uniform(r);
                    mpq_set_d(t, tt);
                    mpq_set_d(a, hi[j]);
                    mpq_set_d(v[j], lo[j]);
                    mpq_sub(a, a, v[j]);
                    mpq_mul(a, a, t);
                    mpq_add(v[j], v[j], a);
                }
                CU_ASSERT_EQUAL_FATAL(qnet_eval(y, d, NULL, f0, v, d), AE_OK);
                qvec_sub(y, v, y, d);
                for (long j = 0; j < d; j++) {
                    CU_ASSERT_FALSE(isnan(gl[j]) || isnan(gu[j]));
                    int ok = 1;
                    if (isfinite(gl[j])) {
                        mpq_set_d(a, gl[j]);
                        ok &= mpq_cmp(a, y[j]) <= 0;
                    }
                    if (isfinite(gu[j])) {
                        mpq_set_d(a, gu[j]);
                        ok &= mpq_cmp(a, y[j]) >= 0;
                    }
                    if (!ok)
                        printf("\n  mode %d box %ld: g_%ld = %.17g outside [%.17g, %.17g]\n",
                               mode, b, j, mpq_get_d(y[j]), gl[j], gu[j]);
                    CU_ASSERT(ok);
                }
            }
        }
    }
    mpq_clears(a, t, NULL);
    qvec_clear(v, d);
    qvec_clear(y, d);
    free(lo);
    gammabb_clear(G);
    return wn ? wsum / (double) wn : 1;
}

static void test_random_nets(void)
{
    gsl_rng *r = tu_rng();
    static const long s1[] = { 3, 8, 3 }, s2[] = { 3, 6, 2, 6, 3 }, s3[] = { 4, 8, 4 },
                      s4[] = { 1, 4, 1 }, s5[] = { 4, 6, 6, 4 };
    struct { long L; const long *s; nn_act_t a; } cases[] = {
        { 2, s1, NN_RELU }, { 4, s2, NN_RELU }, { 2, s3, NN_LEAKY_RELU }, { 2, s4, NN_RELU },
        { 3, s5, NN_LEAKY_RELU }, { 4, s2, NN_LEAKY_RELU },
    };
    long ncert = 0;
    for (int rep = 0; rep < 4; rep++)
        for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
            nn_act_t act[8];
            for (long l = 0; l < cases[c].L; l++)
                act[l] = l + 1 < cases[c].L ? cases[c].a : NN_IDENTITY;
            nn_t net;
            tu_rand_net(net, r, rep % 2 ? NN_F64 : NN_F32, cases[c].L, cases[c].s, act, 1);
            if (rep >= 2)
                scale_weights(net, 2.0);   /* far from a contraction: blind cones appear */
            qnet_t f0;
            make_f0(f0, net);
            gammabb_result_t R;
            gammabb_result_init(R);
            run_bb(R, f0, 20000, 2.0, 0, 1);
            CU_ASSERT_EQUAL(violations(R->gamma2, f0, R->vmin, 200, r), 0);
            CU_ASSERT(mpq_get_d(R->gamma2) <= R->ub);
            ncert += mpq_sgn(R->gamma2) > 0;
            if (getenv("AEAUDIT_VERBOSE"))
                printf("\n  case %zu rep %d: status %d gamma2 %.6g ub %.6g boxes %ld leaves %ld",
                       c, rep, R->status, mpq_get_d(R->gamma2), R->ub, R->nboxes, R->nleaves);
            if (R->status == GAMMABB_CLOSED)
                CU_ASSERT(mpq_get_d(R->gamma2) > R->target);
            check_boxes(f0, r, 40, 0);
            double wr = check_enclosures(f0, r, 30);
            if (getenv("AEAUDIT_VERBOSE"))
                printf(" width symbolic/interval %.3f", wr);
            gammabb_result_clear(R);
            qnet_clear(f0);
            nn_clear(net);
        }
    CU_ASSERT(ncert > 0);
    gsl_rng_free(r);
}

/* A one-layer linear network f(x) = M x (no bias), M row-major d x d. */
static void linear_net(nn_t net, long d, const double *M)
{
    long sizes[2] = { d, d };
    nn_act_t act[1] = { NN_IDENTITY };
    int bias[1] = { 0 };
    CU_ASSERT_EQUAL_FATAL(nn_init(net, NN_F64, 1, sizes, act, NULL, bias), AE_OK);
    double *p = calloc((size_t) net->nparams, sizeof(double));
    for (long k = 0; k < d * d; k++)
        p[net->woff[0] + k] = M[k];
    CU_ASSERT_EQUAL_FATAL(nn_set_params(net, p), AE_OK);
    free(p);
}

static void known_case(const double *M, double want, int blind, gsl_rng *r)
{
    nn_t net;
    linear_net(net, 3, M);
    qnet_t f0;
    make_f0(f0, net);
    gammabb_result_t R;
    gammabb_result_init(R);
    run_bb(R, f0, 20000, 2.0, 0, 1);
    double g = mpq_get_d(R->gamma2);
    if (blind) {
        CU_ASSERT_EQUAL(mpq_sgn(R->gamma2), 0);
        CU_ASSERT_EQUAL(R->status, GAMMABB_FIXED);
    } else {
        CU_ASSERT_EQUAL(R->status, GAMMABB_CLOSED);
        CU_ASSERT(g <= want && g > want / 4);
        CU_ASSERT(fabs(R->ub - want) <= 1e-12 * want);
    }
    CU_ASSERT_EQUAL(violations(R->gamma2, f0, R->vmin, 200, r), 0);
    check_boxes(f0, r, 30, !blind);
    check_enclosures(f0, r, 20);
    gammabb_result_clear(R);
    qnet_clear(f0);
    nn_clear(net);
}

static void test_known(void)
{
    gsl_rng *r = tu_rng();
    static const double half[9] = { 0.5, 0, 0, 0, 0.5, 0, 0, 0, 0.5 };
    static const double rot[9] = { 0, -1, 0, 1, 0, 0, 0, 0, -1 };
    static const double id[9] = { 1, 0, 0, 0, 1, 0, 0, 0, 1 };
    known_case(half, 0.25, 0, r);
    known_case(rot, 2.0, 0, r);
    known_case(id, 0, 1, r);
    /* the Lipschitz route cannot see the rotation's gamma */
    nn_t net;
    linear_net(net, 3, rot);
    qnet_t f0;
    make_f0(f0, net);
    mpq_t g2;
    mpq_init(g2);
    CU_ASSERT_EQUAL(ff_gamma_lipschitz(g2, NULL, f0), AE_OK);
    CU_ASSERT_EQUAL(mpq_sgn(g2), 0);
    mpq_clear(g2);
    qnet_clear(f0);
    nn_clear(net);
    gsl_rng_free(r);
}

/* f(x) = relu(x) coordinatewise (d = 3): the positive orthant is fixed. */
static void test_relu_blind(void)
{
    static const long sizes[] = { 3, 3, 3 };
    nn_act_t act[2] = { NN_RELU, NN_IDENTITY };
    nn_t net;
    CU_ASSERT_EQUAL_FATAL(nn_init(net, NN_F64, 2, sizes, act, NULL, NULL), AE_OK);
    double *p = calloc((size_t) net->nparams, sizeof(double));
    for (long l = 0; l < 2; l++)
        for (long i = 0; i < 3; i++)
            p[net->woff[l] + 4 * i] = 1;
    CU_ASSERT_EQUAL_FATAL(nn_set_params(net, p), AE_OK);
    free(p);
    qnet_t f0;
    make_f0(f0, net);
    gammabb_result_t R;
    gammabb_result_init(R);
    run_bb(R, f0, 5000, 2.0, 0, 1);
    CU_ASSERT_EQUAL(mpq_sgn(R->gamma2), 0);
    CU_ASSERT(R->ub < GAMMABB_TINY);
    gsl_rng *r = tu_rng();
    check_boxes(f0, r, 30, 0);
    gsl_rng_free(r);
    gammabb_result_clear(R);
    qnet_clear(f0);
    nn_clear(net);
}

/* Negative controls. */
static void test_negative_controls(void)
{
    gsl_rng *r = tu_rng();
    static const double rot[9] = { 0, -1, 0, 1, 0, 0, 0, 0, -1 };
    nn_t net;
    linear_net(net, 3, rot);
    qnet_t f0;
    make_f0(f0, net);
    gammabb_result_t R;
    gammabb_result_init(R);
    /* target 3 > gamma2 = 2: the box holding (1, 0, 0) keeps a bound <= 2 */
    run_bb(R, f0, 3000, 2.0, 3.0, 1);
    CU_ASSERT_NOT_EQUAL(R->status, GAMMABB_CLOSED);
    CU_ASSERT(mpq_get_d(R->gamma2) <= 2);
    CU_ASSERT_EQUAL(violations(R->gamma2, f0, R->vmin, 50, r), 0);
    /* corrupted bounds: the exact check must reject the claim */
    run_bb(R, f0, 20000, 2.0, 0, 16);
    CU_ASSERT(mpq_get_d(R->gamma2) > 2);
    CU_ASSERT(violations(R->gamma2, f0, R->vmin, 50, r) > 0);
    gammabb_result_clear(R);
    qnet_clear(f0);
    nn_clear(net);
    gsl_rng_free(r);
}

/* Higher dimensions degrade gracefully: a small budget, a sound answer. */
static void test_high_dim(void)
{
    gsl_rng *r = tu_rng();
    static const long s13[] = { 13, 16, 4, 16, 13 }, s30[] = { 30, 8, 30 };
    nn_act_t act[4] = { NN_RELU, NN_RELU, NN_RELU, NN_IDENTITY };
    nn_act_t act2[2] = { NN_RELU, NN_IDENTITY };
    for (int k = 0; k < 2; k++) {
        nn_t net;
        if (k == 0)
            tu_rand_net(net, r, NN_F32, 4, s13, act, 1);
        else
            tu_rand_net(net, r, NN_F32, 2, s30, act2, 1);
        qnet_t f0;
        make_f0(f0, net);
        gammabb_result_t R;
        gammabb_result_init(R);
        double t0 = ssearch_now();
        run_bb(R, f0, 3000, 1.0, 0, 1);
        CU_ASSERT(ssearch_now() - t0 < 5);
        CU_ASSERT(R->nleaves <= 3000);
        if (getenv("AEAUDIT_VERBOSE"))
            printf("\n  d %ld: status %d gamma2 %.6g ub %.6g boxes %ld %.2fs", qnet_din(f0),
                   R->status, mpq_get_d(R->gamma2), R->ub, R->nboxes, ssearch_now() - t0);
        CU_ASSERT_EQUAL(violations(R->gamma2, f0, R->vmin, 100, r), 0);
        gammabb_result_clear(R);
        qnet_clear(f0);
        nn_clear(net);
    }
    gsl_rng_free(r);
}

static void test_misuse(void)
{
    gsl_rng *r = tu_rng();
    static const long s[] = { 3, 4, 3 };
    nn_act_t act[2] = { NN_RELU, NN_IDENTITY };
    nn_t net;
    tu_rand_net(net, r, NN_F64, 2, s, act, 1);
    qnet_t f, f0;
    CU_ASSERT_EQUAL_FATAL(qnet_init_nn(f, net), AE_OK);
    CU_ASSERT_EQUAL_FATAL(qnet_init_recession(f0, f), AE_OK);
    gammabb_t G;
    TU_EXPECT_ERROR(gammabb_init(G, f));            /* biases: not homogeneous */
    TU_EXPECT_ERROR(gammabb_init(G, NULL));
    CU_ASSERT_EQUAL_FATAL(gammabb_init(G, f0), AE_OK);
    double lo[3] = { 1, 0, 0 }, hi[3] = { 1, -1, 0 }, lb;
    TU_EXPECT_ERROR(gammabb_box(&lb, G, lo, hi));
    TU_EXPECT_ERROR(gammabb_box(NULL, G, lo, lo));
    double gl[3], gu[3];
    TU_EXPECT_ERROR(gammabb_enclose(gl, gu, G, lo, lo, 3));
    TU_EXPECT_ERROR(gammabb_enclose(gl, gu, G, lo, hi, GAMMABB_BOTH));
    TU_EXPECT_ERROR(gammabb_enclose(NULL, gu, G, lo, lo, GAMMABB_BOTH));
    gammabb_opts o;
    gammabb_opts_default(&o);
    gammabb_result_t R;
    gammabb_result_init(R);
    o.max_boxes = 0;
    TU_EXPECT_ERROR(gammabb_run(R, G, &o));
    gammabb_opts_default(&o);
    o.corrupt = 0;
    TU_EXPECT_ERROR(gammabb_run(R, G, &o));
    TU_EXPECT_ERROR(gammabb_run(R, G, NULL));
    /* a point box at 0: bound 0 (no v != 0 to bound) */
    double z[3] = { 0, 0, 0 };
    CU_ASSERT_EQUAL(gammabb_box(&lb, G, z, z), AE_OK);
    CU_ASSERT_EQUAL(lb, 0);
    gammabb_result_clear(R);
    gammabb_clear(G);
    qnet_clear(f0);
    qnet_clear(f);
    nn_clear(net);
    gsl_rng_free(r);
}

int main(void)
{
    static const tu_test tests[] = {
        { "random nets d = 1, 3, 4: certified <= exact ratios", test_random_nets },
        { "known gamma: contraction, rotation, identity", test_known },
        { "relu coordinatewise is blind", test_relu_blind },
        { "negative controls", test_negative_controls },
        { "d = 13, 30 within a small budget", test_high_dim },
        { "misuse", test_misuse },
        { NULL, NULL },
    };
    return tu_run("gammabb", 20261202UL, tests);
}
