/* test_cone — CUnit suite for theory/cone (fixed points of f0 on pattern cones). */
#include <stdlib.h>
#include <string.h>

#include <gmp.h>
#include <gsl/gsl_rng.h>

#include "testutil.h"
#include "qmat.h"
#include "nn.h"
#include "qnet.h"
#include "cone.h"

/* f0 of a bias-free network with the given weights (W_1, W_2, ... row-major). */
static void make_f0(qnet_t f0, long L, const long *sizes, const nn_act_t *act,
                    const double *p)
{
    int bias[8] = { 0 };
    nn_t net;
    CU_ASSERT_EQUAL_FATAL(nn_init(net, NN_F64, L, sizes, act, NULL, bias), AE_OK);
    CU_ASSERT_EQUAL_FATAL(nn_set_params(net, p), AE_OK);
    qnet_t q;
    CU_ASSERT_EQUAL_FATAL(qnet_init_nn(q, net), AE_OK);
    CU_ASSERT_EQUAL_FATAL(qnet_init_recession(f0, q), AE_OK);
    qnet_clear(q);
    nn_clear(net);
}

static void rand_f0(qnet_t f0, gsl_rng *r, long L, const long *sizes, const nn_act_t *act)
{
    double ap[8];
    for (long l = 0; l < L; l++)
        ap[l] = act[l] == NN_LEAKY_RELU ? 0.05 + 0.5 * gsl_rng_uniform(r) : 0;
    nn_t net;
    CU_ASSERT_EQUAL_FATAL(nn_init(net, NN_F32, L, sizes, act, ap, NULL), AE_OK);
    CU_ASSERT_EQUAL_FATAL(nn_init_params(net, NN_INIT_TORCH, r), AE_OK);
    qnet_t q;
    CU_ASSERT_EQUAL_FATAL(qnet_init_nn(q, net), AE_OK);
    CU_ASSERT_EQUAL_FATAL(qnet_init_recession(f0, q), AE_OK);
    qnet_clear(q);
    nn_clear(net);
}

static const long S222[] = { 2, 2, 2 };
static const nn_act_t RELU_ID[] = { NN_RELU, NN_IDENTITY };

/* The linear AE x -> wd (w.x), w = (1/2, 1/2), wd = (1, 1), as relu(w.x) - relu(-w.x). */
static const double LINAE[] = { 0.5, 0.5, -0.5, -0.5, 1, -1, 1, -1 };
/* f0(x) = ((relu(x2 + x1) - relu(x2 - x1)) / 2, 0): no fixed point, but on the upper
 * wedge A_p = diag(1, 0) has the eigenvector e1 outside the wedge (the LP must say no). */
static const double WEDGE[] = { -1, 1, 1, 1, -0.5, 0.5, 0, 0 };

/* sum of the status counts, and every FIXED vector passes the exact check and lies in
 * its cone. */
static void check_circle_fixed(const qnet_t f0, const cone_circle_t C)
{
    for (long k = 0; k < C->n; k++) {
        if (C->status[k] == CONE_FIXED) {
            CU_ASSERT_EQUAL(cone_is_fixed(f0, cone_circle_v(C, k), 2), 1);
            CU_ASSERT_EQUAL(cone_member(f0, cone_circle_pat(C, k), cone_circle_v(C, k), 2), 1);
        } else {
            CU_ASSERT(qvec_is_zero(cone_circle_v(C, k), 2));
        }
    }
}

static void test_linear_ae(void)
{
    qnet_t f0;
    make_f0(f0, 2, S222, RELU_ID, LINAE);
    mpq_t *v = qvec_init(2);
    /* the exact check: (1, 1) and (-3, -3) are fixed; (1, 0) and 0 are not */
    mpq_set_ui(v[0], 1, 1);
    mpq_set_ui(v[1], 1, 1);
    CU_ASSERT_EQUAL(cone_is_fixed(f0, v, 2), 1);
    mpq_set_si(v[0], -3, 1);
    mpq_set_si(v[1], -3, 1);
    CU_ASSERT_EQUAL(cone_is_fixed(f0, v, 2), 1);
    mpq_set_si(v[1], 0, 1);
    CU_ASSERT_EQUAL(cone_is_fixed(f0, v, 2), 0);   /* negative control */
    qvec_zero(v, 2);
    CU_ASSERT_EQUAL(cone_is_fixed(f0, v, 2), 0);
    /* the cone test of the pattern of (1, 1) certifies (1, 1) itself */
    signed char pat[4];
    mpq_t *y = qvec_init(2);
    mpq_set_ui(v[0], 1, 1);
    mpq_set_ui(v[1], 2, 1);
    qnet_eval(y, 2, pat, f0, v, 2);
    int st;
    CU_ASSERT_EQUAL(cone_test(&st, y, 2, f0, pat), AE_OK);
    CU_ASSERT_EQUAL(st, CONE_FIXED);
    mpq_set_ui(v[0], 1, 1);
    mpq_set_ui(v[1], 1, 1);
    CU_ASSERT(qvec_equal(y, v, 2));
    /* the circle: two half-planes, both with a fixed point */
    cone_circle_t C;
    cone_circle_init(C, f0);
    CU_ASSERT_EQUAL(cone_circle(C, f0, 0), AE_OK);
    CU_ASSERT_EQUAL(C->full, 0);
    CU_ASSERT_EQUAL(C->n, 2);
    CU_ASSERT_EQUAL(C->nfixed, 2);
    CU_ASSERT_EQUAL(C->nundecided, 0);
    check_circle_fixed(f0, C);
    cone_circle_clear(C);
    qvec_clear(y, 2);
    qvec_clear(v, 2);
    qnet_clear(f0);
}

/* d = 3, rank one: w = (1/2, 1/4, 1/4), wd = (1, 1, 1); random candidates find it. */
static void test_search_d3(void)
{
    static const long sizes[] = { 3, 2, 3 };
    static const double p[] = { 0.5, 0.25, 0.25, -0.5, -0.25, -0.25, 1, -1, 1, -1, 1, -1 };
    qnet_t f0;
    make_f0(f0, 2, sizes, RELU_ID, p);
    gsl_rng *r = tu_rng();
    double cand[3 * 40];
    for (int i = 0; i < 3 * 40; i++)
        cand[i] = gsl_rng_uniform(r) - 0.5;
    cone_search_t S;
    cone_search_init(S, f0);
    CU_ASSERT_EQUAL(cone_search_d(S, f0, cand, 40, 3), AE_OK);
    CU_ASSERT(S->npat >= 1 && S->npat <= 3);
    CU_ASSERT_EQUAL(S->nfixed + S->nnone + S->nundecided, S->npat);
    CU_ASSERT(S->nfixed >= 1);
    CU_ASSERT_EQUAL(S->nundecided, 0);
    for (long k = 0; k < S->npat; k++)
        if (S->status[k] == CONE_FIXED)
            CU_ASSERT_EQUAL(cone_is_fixed(f0, cone_search_v(S, k), 3), 1);
    /* a second call with the same candidates adds nothing */
    long np = S->npat;
    CU_ASSERT_EQUAL(cone_search_d(S, f0, cand, 40, 3), AE_OK);
    CU_ASSERT_EQUAL(S->npat, np);
    cone_search_clear(S);
    gsl_rng_free(r);
    qnet_clear(f0);
}

static void test_no_fixed_point(void)
{
    /* a rotation by 90 degrees as a relu net (every null space is {0}) */
    static const long s4[] = { 2, 4, 2 };
    static const double rot[] = { 1, 0, -1, 0, 0, 1, 0, -1, 0, 0, -1, 1, 1, -1, 0, 0 };
    const double *nets[2] = { rot, WEDGE };
    const long *sz[2] = { s4, S222 };
    for (int w = 0; w < 2; w++) {
        qnet_t f0;
        make_f0(f0, 2, sz[w], RELU_ID, nets[w]);
        cone_circle_t C;
        cone_circle_init(C, f0);
        CU_ASSERT_EQUAL(cone_circle(C, f0, 0), AE_OK);
        CU_ASSERT_EQUAL(C->nfixed, 0);
        CU_ASSERT_EQUAL(C->nundecided, 0);
        CU_ASSERT_EQUAL(C->n, w ? 4 : 4);
        for (long k = 0; k < C->n; k++)
            CU_ASSERT_EQUAL(C->status[k], CONE_NONE);
        check_circle_fixed(f0, C);
        cone_circle_clear(C);
        qnet_clear(f0);
    }
    /* the wedge pattern itself: null(A_p - I) = span(e1), no fixed point in the cone */
    qnet_t f0;
    make_f0(f0, 2, S222, RELU_ID, WEDGE);
    signed char pat[4] = { QNET_ON, QNET_ON, QNET_ON, QNET_ON };
    mpq_t *v = qvec_init(2);
    int st;
    CU_ASSERT_EQUAL(cone_test(&st, v, 2, f0, pat), AE_OK);
    CU_ASSERT_EQUAL(st, CONE_NONE);
    /* its linear map does fix e1, which is outside the cone: rejected */
    mpq_set_ui(v[0], 1, 1);
    CU_ASSERT_EQUAL(cone_member(f0, pat, v, 2), 0);
    CU_ASSERT_EQUAL(cone_is_fixed(f0, v, 2), 0);
    qvec_clear(v, 2);
    qnet_clear(f0);
}

/* 1 if r is in the half-open arc (b, nb] (counter-clockwise, angle in (0, pi]). */
static int in_arc(const mpz_t *b, const mpz_t *nb, const mpq_t *r, int *interior)
{
    mpq_t c1, c2, t;
    mpq_inits(c1, c2, t, (mpq_ptr) NULL);
    mpq_t bq[2], nq[2];
    for (int i = 0; i < 2; i++) {
        mpq_init(bq[i]);
        mpq_init(nq[i]);
        mpq_set_z(bq[i], b[i]);
        mpq_set_z(nq[i], nb[i]);
    }
    /* c1 = b x r, c2 = r x nb, c0 = b x nb */
    mpq_mul(c1, bq[0], r[1]);
    mpq_mul(t, bq[1], r[0]);
    mpq_sub(c1, c1, t);
    mpq_mul(c2, r[0], nq[1]);
    mpq_mul(t, r[1], nq[0]);
    mpq_sub(c2, c2, t);
    mpq_mul(t, bq[0], nq[1]);
    mpq_t u;
    mpq_init(u);
    mpq_mul(u, bq[1], nq[0]);
    mpq_sub(t, t, u);   /* b x nb */
    int in, inter;
    /* r parallel to nb (same direction) */
    mpq_mul(u, r[0], nq[0]);
    mpq_t u2;
    mpq_init(u2);
    mpq_mul(u2, r[1], nq[1]);
    mpq_add(u, u, u2);
    int at_nb = mpq_sgn(c2) == 0 && mpq_sgn(u) > 0;
    if (mpq_sgn(t) > 0) {
        inter = mpq_sgn(c1) > 0 && mpq_sgn(c2) > 0;
    } else {
        inter = mpq_sgn(c1) > 0;   /* angle pi: the open half-plane left of b */
    }
    in = inter || at_nb;
    *interior = inter;
    mpq_clears(c1, c2, t, u, u2, (mpq_ptr) NULL);
    for (int i = 0; i < 2; i++) {
        mpq_clear(bq[i]);
        mpq_clear(nq[i]);
    }
    return in;
}

/* Sectors of random nets: consecutive, angles in (0, pi], one turn (every random
 * direction is in exactly one half-open sector), the pattern of interior directions is
 * the sector's, neighbours differ, and cone_search agrees with the circle. */
static void test_circle_sampling(void)
{
    gsl_rng *r = tu_rng();
    static const long sizes[] = { 2, 6, 3, 6, 2 };
    nn_act_t acts[2][4] = { { NN_RELU, NN_RELU, NN_RELU, NN_IDENTITY },
                            { NN_LEAKY_RELU, NN_RELU, NN_LEAKY_RELU, NN_IDENTITY } };
    long total = 0;
    for (int rep = 0; rep < 12; rep++) {
        qnet_t f0;
        rand_f0(f0, r, 4, sizes, acts[rep % 2]);
        cone_circle_t C;
        cone_circle_init(C, f0);
        CU_ASSERT_EQUAL_FATAL(cone_circle(C, f0, 0), AE_OK);
        CU_ASSERT_EQUAL(C->nundecided, 0);
        check_circle_fixed(f0, C);
        total += C->n;
        mpz_t t;
        mpz_init(t);
        for (long k = 0; k < C->n && !C->full; k++) {
            mpz_t *b = cone_circle_b(C, k), *nb = cone_circle_b(C, k + 1);
            mpz_mul(t, b[0], nb[1]);
            mpz_submul(t, b[1], nb[0]);
            if (mpz_sgn(t) == 0) {   /* then the angle is pi */
                mpz_mul(t, b[0], nb[0]);
                mpz_addmul(t, b[1], nb[1]);
                CU_ASSERT(mpz_sgn(t) < 0);
            } else {
                CU_ASSERT(mpz_sgn(t) > 0);
            }
            if (C->n > 1)
                CU_ASSERT(memcmp(cone_circle_pat(C, k), cone_circle_pat(C, (k + 1) % C->n),
                                 (size_t) f0->nunits) != 0);
        }
        if (!C->full) {
            CU_ASSERT(mpz_cmp(cone_circle_b(C, C->n)[0], cone_circle_b(C, 0)[0]) == 0);
            CU_ASSERT(mpz_cmp(cone_circle_b(C, C->n)[1], cone_circle_b(C, 0)[1]) == 0);
        }
        mpz_clear(t);
        mpq_t *x = qvec_init(2), *y = qvec_init(2);
        signed char *pat = malloc((size_t) f0->nunits);
        for (int s = 0; s < 200; s++) {
            tu_rand_q(x[0], r, 100, 37);
            tu_rand_q(x[1], r, 100, 37);
            if (qvec_is_zero(x, 2))
                continue;
            qnet_eval(y, 2, pat, f0, x, 2);
            long count = 0, where = -1;
            int inter = 0;
            for (long k = 0; k < C->n; k++) {
                int ik;
                if (C->full || in_arc(cone_circle_b(C, k), cone_circle_b(C, k + 1), x, &ik)) {
                    count++;
                    where = k;
                    inter = C->full ? 1 : ik;
                }
            }
            CU_ASSERT_EQUAL(count, 1);
            if (count == 1 && inter)
                CU_ASSERT(memcmp(pat, cone_circle_pat(C, where), (size_t) f0->nunits) == 0);
        }
        /* cone_search on sector directions gives the same verdicts */
        cone_search_t S;
        cone_search_init(S, f0);
        mpq_t *cand = qvec_init(2 * C->n);
        for (long k = 0; k < C->n; k++) {
            mpz_t *b = cone_circle_b(C, k), *nb = cone_circle_b(C, k + 1);
            mpz_t c;
            mpz_init(c);
            mpz_mul(c, b[0], nb[1]);
            mpz_submul(c, b[1], nb[0]);
            if (C->full || mpz_sgn(c) == 0) {   /* interior: b_perp */
                mpq_set_z(cand[2 * k], b[1]);
                mpq_neg(cand[2 * k], cand[2 * k]);
                mpq_set_z(cand[2 * k + 1], b[0]);
            } else {
                mpz_add(c, b[0], nb[0]);
                mpq_set_z(cand[2 * k], c);
                mpz_add(c, b[1], nb[1]);
                mpq_set_z(cand[2 * k + 1], c);
            }
            mpz_clear(c);
        }
        CU_ASSERT_EQUAL(cone_search(S, f0, cand, C->n, 2), AE_OK);
        for (long k = 0; k < C->n; k++) {
            qnet_eval(y, 2, pat, f0, cand + 2 * k, 2);
            CU_ASSERT(memcmp(pat, cone_circle_pat(C, k), (size_t) f0->nunits) == 0);
            for (long j = 0; j < S->npat; j++)
                if (memcmp(cone_search_pat(S, j), pat, (size_t) f0->nunits) == 0)
                    CU_ASSERT_EQUAL(S->status[j], C->status[k]);
        }
        qvec_clear(cand, 2 * C->n);
        cone_search_clear(S);
        free(pat);
        qvec_clear(x, 2);
        qvec_clear(y, 2);
        cone_circle_clear(C);
        qnet_clear(f0);
    }
    CU_ASSERT(total > 12);   /* the nets are not all linear */
    gsl_rng_free(r);
}

/* The forms against the pre-activations of qnet_forms at t = 1 (x0 = 0). */
static void test_forms(void)
{
    gsl_rng *r = tu_rng();
    static const long sizes[] = { 3, 5, 4, 3 };
    nn_act_t act[3] = { NN_LEAKY_RELU, NN_RELU, NN_IDENTITY };
    qnet_t f0;
    rand_f0(f0, r, 3, sizes, act);
    qmat_t G;
    qmat_init(G, f0->nunits, 3);
    mpq_t *x = qvec_init(3), *x0 = qvec_init(3), *z = qvec_init(f0->nunits);
    signed char *pat = malloc((size_t) f0->nunits);
    qnet_forms_t F;
    qnet_forms_init(F, f0);
    mpq_t q;
    mpq_init(q);
    for (int rep = 0; rep < 20; rep++) {
        for (int i = 0; i < 3; i++)
            tu_rand_q(x[i], r, 30, 7);
        qnet_forms(F, pat, f0, x0, x, 3, QNET_ASYMPTOTIC, NULL);
        CU_ASSERT_EQUAL(cone_forms(G, f0, pat), AE_OK);
        qmat_mul_vec(z, G, x);
        for (long l = 0; l < f0->L; l++)
            for (long u = f0->uoff[l]; u < f0->uoff[l + 1]; u++) {
                mpq_set_num(q, F->Q[u]);
                mpq_set_den(q, F->D[l]);
                mpq_canonicalize(q);
                CU_ASSERT(mpq_equal(q, z[u]));
            }
        CU_ASSERT_EQUAL(cone_member(f0, pat, x, 3), 1);
    }
    qnet_forms_clear(F);
    mpq_clear(q);
    free(pat);
    qvec_clear(x, 3);
    qvec_clear(x0, 3);
    qvec_clear(z, f0->nunits);
    qmat_clear(G);
    qnet_clear(f0);
    gsl_rng_free(r);
}

/* A trained float32 2-D AE: the circle decides completely (no undecided), and a search
 * over random directions meets only sector patterns, with the same verdicts. */
static void test_trained(void)
{
    gsl_rng *r = tu_rng();
    nn_t net;
    tu_line_ae(net, r);
    qnet_t q, f0;
    CU_ASSERT_EQUAL_FATAL(qnet_init_nn(q, net), AE_OK);
    CU_ASSERT_EQUAL_FATAL(qnet_init_recession(f0, q), AE_OK);
    cone_circle_t C;
    cone_circle_init(C, f0);
    CU_ASSERT_EQUAL_FATAL(cone_circle(C, f0, 0), AE_OK);
    CU_ASSERT_EQUAL(C->nundecided, 0);
    check_circle_fixed(f0, C);
    double cand[200];
    for (int i = 0; i < 200; i++)
        cand[i] = gsl_rng_uniform(r) - 0.5;
    cone_search_t S;
    cone_search_init(S, f0);
    CU_ASSERT_EQUAL(cone_search_d(S, f0, cand, 100, 2), AE_OK);
    CU_ASSERT(S->npat >= 1);
    for (long j = 0; j < S->npat; j++) {
        long found = 0;
        for (long k = 0; k < C->n; k++)
            if (memcmp(cone_search_pat(S, j), cone_circle_pat(C, k), (size_t) f0->nunits) == 0) {
                found = 1;
                CU_ASSERT_EQUAL(S->status[j], C->status[k]);
            }
        CU_ASSERT(found);
    }
    cone_search_clear(S);
    cone_circle_clear(C);
    qnet_clear(q);
    qnet_clear(f0);
    nn_clear(net);
    gsl_rng_free(r);
}

static void test_degenerate(void)
{
    /* the zero network: one sector (the plane), no fixed point */
    static const double zero[8] = { 0 };
    qnet_t f0;
    make_f0(f0, 2, S222, RELU_ID, zero);
    cone_circle_t C;
    cone_circle_init(C, f0);
    CU_ASSERT_EQUAL(cone_circle(C, f0, 0), AE_OK);
    CU_ASSERT_EQUAL(C->full, 1);
    CU_ASSERT_EQUAL(C->n, 1);
    CU_ASSERT_EQUAL(C->status[0], CONE_NONE);
    cone_circle_clear(C);
    qnet_clear(f0);
    /* the identity (one identity layer): every direction fixed, no constraint at all */
    static const long s22[] = { 2, 2 };
    static const nn_act_t id[] = { NN_IDENTITY };
    static const double eye[] = { 1, 0, 0, 1 };
    make_f0(f0, 1, s22, id, eye);
    cone_circle_init(C, f0);
    CU_ASSERT_EQUAL(cone_circle(C, f0, 0), AE_OK);
    CU_ASSERT_EQUAL(C->full, 1);
    CU_ASSERT_EQUAL(C->nfixed, 1);
    check_circle_fixed(f0, C);
    cone_circle_clear(C);
    qnet_clear(f0);
    /* the identity as relu(x) - relu(-x): four quadrants, each with a fixed point */
    static const long s4[] = { 2, 4, 2 };
    static const double eye4[] = { 1, 0, -1, 0, 0, 1, 0, -1, 1, -1, 0, 0, 0, 0, 1, -1 };
    make_f0(f0, 2, s4, RELU_ID, eye4);
    cone_circle_init(C, f0);
    CU_ASSERT_EQUAL(cone_circle(C, f0, 0), AE_OK);
    CU_ASSERT_EQUAL(C->n, 4);
    CU_ASSERT_EQUAL(C->nfixed, 4);
    check_circle_fixed(f0, C);
    /* maxsectors too small */
    CU_ASSERT_EQUAL(cone_circle(C, f0, 2), AE_ERANGE);
    cone_circle_clear(C);
    qnet_clear(f0);
    /* d = 1: f0 = relu; the candidates +1, -1 are complete: a fixed point for x >= 0 */
    static const long s11[] = { 1, 1, 1 };
    static const double one[] = { 1, 1 };
    make_f0(f0, 2, s11, RELU_ID, one);
    cone_search_t S;
    cone_search_init(S, f0);
    double cand[2] = { 1, -1 };
    CU_ASSERT_EQUAL(cone_search_d(S, f0, cand, 2, 1), AE_OK);
    CU_ASSERT_EQUAL(S->npat, 2);
    CU_ASSERT_EQUAL(S->nfixed, 1);
    CU_ASSERT_EQUAL(S->nnone, 1);
    for (long k = 0; k < 2; k++)
        if (S->status[k] == CONE_FIXED)
            CU_ASSERT_EQUAL(mpz_cmp_ui(mpq_numref(cone_search_v(S, k)[0]), 1), 0);
    cone_search_clear(S);
    /* zero candidates: nothing */
    cone_search_init(S, f0);
    CU_ASSERT_EQUAL(cone_search_d(S, f0, cand, 0, 1), AE_OK);
    CU_ASSERT_EQUAL(S->npat, 0);
    cone_search_clear(S);
    qnet_clear(f0);
}

/* A form whose integer row needs more than 53 bits: the test says CONE_UNDECIDED (it
 * never rounds), though the cone does hold fixed points (e1, e2). */
static void test_undecided(void)
{
    static const long sizes[] = { 3, 7, 3 };
    double p[7 * 3 + 3 * 7] = { 0 };
    for (int i = 0; i < 3; i++) {
        p[(2 * i) * 3 + i] = 1;
        p[(2 * i + 1) * 3 + i] = -1;
    }
    p[6 * 3 + 0] = 1;
    p[6 * 3 + 1] = 0x1p-60;
    double *w2 = p + 21;          /* out = (x1, x2, 0) */
    w2[0 * 7 + 0] = 1;
    w2[0 * 7 + 1] = -1;
    w2[1 * 7 + 2] = 1;
    w2[1 * 7 + 3] = -1;
    qnet_t f0;
    make_f0(f0, 2, sizes, RELU_ID, p);
    mpq_t *x = qvec_init(3), *y = qvec_init(3);
    mpq_set_ui(x[0], 1, 1);
    mpq_set_ui(x[1], 1, 1);
    mpq_set_ui(x[2], 1, 1);
    signed char *pat = malloc((size_t) f0->nunits);
    qnet_eval(y, 3, pat, f0, x, 3);
    int st;
    CU_ASSERT_EQUAL(cone_test(&st, y, 3, f0, pat), AE_OK);
    CU_ASSERT_EQUAL(st, CONE_UNDECIDED);
    CU_ASSERT(qvec_is_zero(y, 3));
    mpq_set_ui(x[2], 0, 1);
    CU_ASSERT_EQUAL(cone_is_fixed(f0, x, 3), 1);   /* (1, 1, 0) is in that cone and fixed */
    CU_ASSERT_EQUAL(cone_member(f0, pat, x, 3), 1);
    free(pat);
    qvec_clear(x, 3);
    qvec_clear(y, 3);
    qnet_clear(f0);
}

static void test_misuse(void)
{
    /* a net with biases is not homogeneous */
    nn_t net;
    CU_ASSERT_EQUAL_FATAL(nn_init(net, NN_F64, 2, S222, RELU_ID, NULL, NULL), AE_OK);
    double p[12] = { 1, 0, 0, 1, 0.5, 0.5, 1, 0, 0, 1, 0, 0 };
    CU_ASSERT_EQUAL_FATAL(nn_set_params(net, p), AE_OK);
    qnet_t q, f0;
    CU_ASSERT_EQUAL_FATAL(qnet_init_nn(q, net), AE_OK);
    CU_ASSERT_EQUAL_FATAL(qnet_init_recession(f0, q), AE_OK);
    mpq_t *v = qvec_init(3);
    signed char pat[4] = { QNET_ON, QNET_ON, QNET_ON, QNET_ON };
    int st;
    TU_EXPECT_ERROR(cone_test(&st, v, 2, q, pat));
    TU_EXPECT_ERROR(cone_is_fixed(q, v, 2));
    TU_EXPECT_ERROR(cone_test(&st, v, 3, f0, pat));
    pat[2] = QNET_OFF;   /* OFF on an identity unit */
    TU_EXPECT_ERROR(cone_test(&st, v, 2, f0, pat));
    qmat_t G;
    qmat_init(G, 3, 2);
    pat[2] = QNET_ON;
    TU_EXPECT_ERROR(cone_forms(G, f0, pat));
    qmat_clear(G);
    cone_search_t S;
    cone_search_init(S, f0);
    TU_EXPECT_ERROR(cone_search(S, f0, (const mpq_t *) v, 1, 3));
    double bad[2] = { 1, 0.0 / 0.0 };
    TU_EXPECT_ERROR(cone_search_d(S, f0, bad, 1, 2));
    cone_search_clear(S);
    qnet_clear(f0);
    qnet_clear(q);
    nn_clear(net);
    /* cone_circle needs d = 2 */
    static const long s33[] = { 3, 3 };
    static const nn_act_t id[] = { NN_IDENTITY };
    static const double eye[] = { 1, 0, 0, 0, 1, 0, 0, 0, 1 };
    make_f0(f0, 1, s33, id, eye);
    cone_circle_t C;
    cone_circle_init(C, f0);
    TU_EXPECT_ERROR(cone_circle(C, f0, 0));
    cone_circle_clear(C);
    qnet_clear(f0);
    qvec_clear(v, 3);
}

int main(void)
{
    static const tu_test tests[] = {
        { "linear AE as relu net: certified fixed points", test_linear_ae },
        { "search over random candidates, d = 3", test_search_d3 },
        { "no fixed point: rotation, wedge (LP infeasible)", test_no_fixed_point },
        { "circle sectors vs sampling and search", test_circle_sampling },
        { "forms vs qnet_forms", test_forms },
        { "trained 2-D AE: complete decision, search agrees", test_trained },
        { "degenerate: zero, identity, d = 1", test_degenerate },
        { "53-bit limit: undecided, never rounded", test_undecided },
        { "misuse", test_misuse },
        { NULL, NULL }
    };
    return tu_run("cone", 8080, tests);
}
