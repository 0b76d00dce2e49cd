/* test_detect — CUnit suite for theory/detect (alternative scores, control limits, AUC). */
#include <math.h>
#include <stdlib.h>

#include <gmp.h>
#include <gsl/gsl_rng.h>

#include "testutil.h"
#include "detect.h"
#include "linae.h"
#include "pca.h"
#include "qmat.h"
#include "qnet.h"
#include "score.h"

/* An exact PCA instance (d = 4) and its optimal AE with k = 2 (eigenvectors 0, 1). */
typedef struct {
    pca_inst_t I;
    linae_t ae;
} fixture;

static void fixture_init(fixture *F, gsl_rng *r)
{
    pca_inst_init(F->I, 4);
    CU_ASSERT_EQUAL_FATAL(pca_inst_random(F->I, r), AE_OK);
    linae_init(F->ae, 4, 2);
    long S[2] = {0, 1};
    CU_ASSERT_EQUAL_FATAL(pca_inst_subset_ae(F->ae, F->I, S, 2), AE_OK);
}

static void fixture_clear(fixture *F)
{
    linae_clear(F->ae);
    pca_inst_clear(F->I);
}

static void test_names(void)
{
    detect_kind k;
    for (int i = 0; i < DETECT_NKINDS; i++) {
        CU_ASSERT_EQUAL(detect_parse(&k, detect_name((detect_kind) i)), AE_OK);
        CU_ASSERT_EQUAL((int) k, i);
    }
    CU_ASSERT_EQUAL(detect_parse(&k, "combined"), AE_OK);
    CU_ASSERT_EQUAL(k, DETECT_COMBINED);
    CU_ASSERT_EQUAL(detect_parse(&k, "nonsense"), AE_EINVAL);   /* no handler call */
    CU_ASSERT_PTR_NULL(detect_name((detect_kind) 99));
}

/* The identities on an exact PCA instance. */
static void test_linear_identities(void)
{
    gsl_rng *r = tu_rng();
    fixture F;
    fixture_init(&F, r);
    const qmat_struct *X = F.I->X;
    long n = X->r, d = 4;
    detect_t D;
    detect_init(D);
    CU_ASSERT_EQUAL_FATAL(detect_fit_linae(D, F.ae, X, 1, 0.01), AE_OK);
    CU_ASSERT_EQUAL(D->k, 2);
    CU_ASSERT_EQUAL(D->n, n);
    mpq_t *s = qvec_init(DETECT_NKINDS), *x = qvec_init(d), *z = qvec_init(2), t, u;
    mpq_inits(t, u, (mpq_ptr) NULL);
    /* the latent mean is 0 and S = diag(lambda_0, lambda_1) exactly */
    CU_ASSERT_TRUE(qvec_is_zero(D->zbar, 2));
    CU_ASSERT_TRUE(mpq_equal(qmat_entry(D->S, 0, 0), F.I->lambda[0]));
    CU_ASSERT_TRUE(mpq_equal(qmat_entry(D->S, 1, 1), F.I->lambda[1]));
    CU_ASSERT_EQUAL(mpq_sgn(qmat_entry(D->S, 0, 1)), 0);
    /* T2 and Mahalanobis of the training mean are 0; so is its box distance */
    CU_ASSERT_EQUAL(detect_scores(s, D, (const mpq_t *) F.I->mean, d), AE_OK);
    CU_ASSERT_EQUAL(mpq_sgn(s[DETECT_T2]), 0);
    CU_ASSERT_EQUAL(mpq_sgn(s[DETECT_MAHAL]), 0);
    CU_ASSERT_EQUAL(mpq_sgn(s[DETECT_BOX]), 0);
    /* SPE of range points m + t V z is 0; T2 = sum z_i^2 t^2 / lambda_i = Mahalanobis */
    for (int rep = 0; rep < 5; rep++) {
        tu_rand_q(z[0], r, 9, 4);
        tu_rand_q(z[1], r, 9, 4);
        qvec_set(x, F.I->mean, d);
        for (long j = 0; j < d; j++)
            for (long a = 0; a < 2; a++) {
                mpq_mul(t, qmat_entry(F.I->Q, j, a), z[a]);
                mpq_mul_2exp(t, t, 40);          /* far away */
                mpq_add(x[j], x[j], t);
            }
        CU_ASSERT_EQUAL(detect_scores(s, D, (const mpq_t *) x, d), AE_OK);
        CU_ASSERT_EQUAL(mpq_sgn(s[DETECT_SPE]), 0);
        CU_ASSERT_EQUAL(mpq_sgn(s[DETECT_RECON]), 0);
        CU_ASSERT_TRUE(mpq_equal(s[DETECT_T2], s[DETECT_MAHAL]));
        mpq_set_ui(u, 0, 1);
        for (long a = 0; a < 2; a++) {
            mpq_mul(t, z[a], z[a]);
            mpq_mul_2exp(t, t, 80);
            mpq_div(t, t, F.I->lambda[a]);
            mpq_add(u, u, t);
        }
        CU_ASSERT_TRUE(mpq_equal(u, s[DETECT_T2]));
        /* the combined statistic by hand, and it flags what SPE alone misses */
        mpq_div(u, s[DETECT_T2], D->tau2);
        CU_ASSERT_TRUE(mpq_equal(u, s[DETECT_COMBINED]));
        CU_ASSERT_FALSE(detect_flagged(D, DETECT_RECON, DETECT_LIMIT_EMPIRICAL, s[DETECT_RECON]));
        if (!qvec_is_zero(z, 2))
            CU_ASSERT_TRUE(detect_flagged(D, DETECT_COMBINED, DETECT_LIMIT_THEORY,
                                          s[DETECT_COMBINED]));
    }
    /* training scores: SPE = linae_scores; the mean of T2 and of Mahalanobis is k */
    mpq_t *e = qvec_init(n);
    CU_ASSERT_EQUAL(linae_scores(e, F.ae, X), AE_OK);
    CU_ASSERT_TRUE(qvec_equal(e, D->train[DETECT_SPE], n));
    for (int kind = DETECT_T2; kind <= DETECT_MAHAL; kind += DETECT_MAHAL - DETECT_T2) {
        mpq_set_ui(u, 0, 1);
        for (long i = 0; i < n; i++)
            mpq_add(u, u, D->train[kind][i]);
        mpq_set_si(t, 2 * n, 1);
        CU_ASSERT_TRUE(mpq_equal(u, t));
    }
    /* theta_1 = the trailing eigenvalue sum (in double) */
    double tr = mpq_get_d(F.I->lambda[2]) + mpq_get_d(F.I->lambda[3]);
    CU_ASSERT_DOUBLE_EQUAL(D->theta[0], tr, 1e-12 * tr);
    /* every training row is in the box; the empirical limit is score_quantile's */
    for (long i = 0; i < n; i++)
        CU_ASSERT_EQUAL(mpq_sgn(D->train[DETECT_BOX][i]), 0);
    mpq_set_ui(t, 99, 100);
    CU_ASSERT_EQUAL(score_quantile(u, (const mpq_t *) D->train[DETECT_SPE], n, t), AE_OK);
    CU_ASSERT_EQUAL(detect_limit(t, D, DETECT_SPE, DETECT_LIMIT_EMPIRICAL), AE_OK);
    CU_ASSERT_TRUE(mpq_equal(t, u));
    CU_ASSERT_EQUAL(detect_limit(t, D, DETECT_RECON, DETECT_LIMIT_THEORY), AE_ERANGE);
    CU_ASSERT_EQUAL(detect_limit(t, D, DETECT_KNN, DETECT_LIMIT_THEORY), AE_ERANGE);
    /* flags are strict: a score equal to the limit is not flagged */
    CU_ASSERT_EQUAL(detect_limit(t, D, DETECT_T2, DETECT_LIMIT_THEORY), AE_OK);
    CU_ASSERT_FALSE(detect_flagged(D, DETECT_T2, DETECT_LIMIT_THEORY, t));
    mpq_set_ui(u, 1, 1000000);
    mpq_add(u, u, t);
    CU_ASSERT_TRUE(detect_flagged(D, DETECT_T2, DETECT_LIMIT_THEORY, u));
    /* a limit set too high misses it (the negative control of M1) */
    mpq_set_d(t, 1e300);
    CU_ASSERT_EQUAL(detect_set_limit(D, DETECT_T2, DETECT_LIMIT_THEORY, t), AE_OK);
    CU_ASSERT_FALSE(detect_flagged(D, DETECT_T2, DETECT_LIMIT_THEORY, u));
    qvec_clear(e, n);
    mpq_clears(t, u, (mpq_ptr) NULL);
    qvec_clear(s, DETECT_NKINDS);
    qvec_clear(x, d);
    qvec_clear(z, 2);
    detect_clear(D);
    fixture_clear(&F);
    gsl_rng_free(r);
}

static void test_box(void)
{
    mpq_t *lo = qvec_init(2), *hi = qvec_init(2), *x = qvec_init(2), r, h;
    mpq_inits(r, h, (mpq_ptr) NULL);
    mpq_set_si(lo[0], -1, 1); mpq_set_si(hi[0], 1, 1);
    mpq_set_si(lo[1], 0, 1);  mpq_set_si(hi[1], 1, 2);
    mpq_set_si(x[0], 1, 3);   mpq_set_si(x[1], 1, 2);          /* on the boundary */
    CU_ASSERT_EQUAL(detect_box_dist2(r, lo, hi, x, 2), AE_OK);
    CU_ASSERT_EQUAL(mpq_sgn(r), 0);
    mpq_set_si(x[0], -3, 1);  mpq_set_si(x[1], 3, 2);          /* 2^2 + 1^2 */
    CU_ASSERT_EQUAL(detect_box_dist2(r, lo, hi, x, 2), AE_OK);
    mpq_set_si(h, 5, 1);
    CU_ASSERT_TRUE(mpq_equal(r, h));
    CU_ASSERT_EQUAL(detect_box_dist2(r, lo, hi, x, 0), AE_OK);
    CU_ASSERT_EQUAL(mpq_sgn(r), 0);
    TU_EXPECT_ERROR(detect_box_dist2(r, hi, lo, x, 2));
    mpq_clears(r, h, (mpq_ptr) NULL);
    qvec_clear(lo, 2); qvec_clear(hi, 2); qvec_clear(x, 2);
}

/* kNN against brute force, leave-one-out training scores included. */
static void test_knn(void)
{
    gsl_rng *r = tu_rng();
    long n = 12, d = 3;
    qmat_t X;
    qmat_init(X, n, d);
    for (long i = 0; i < n * d; i++)
        tu_rand_q(X->entries[i], r, 4, 3);       /* small range: duplicates happen */
    linae_t ae;
    linae_init(ae, d, 1);
    mpq_set_ui(qmat_entry(ae->We, 0, 0), 1, 1);
    mpq_set_ui(qmat_entry(ae->Wd, 0, 0), 1, 1);
    detect_t D;
    detect_init(D);
    int st = detect_fit_linae(D, ae, X, 3, 0.05);
    CU_ASSERT_TRUE_FATAL(st == AE_OK || st == AE_SINGULAR);
    mpq_t *x = qvec_init(d), *dd = qvec_init(n), got, want;
    mpq_inits(got, want, (mpq_ptr) NULL);
    for (long knn = 1; knn <= n - 1; knn += 2)
        for (int rep = 0; rep < 4; rep++) {
            long skip = rep == 3 ? (long) gsl_rng_uniform_int(r, (unsigned long) n) : -1;
            for (long j = 0; j < d; j++)
                tu_rand_q(x[j], r, 6, 5);
            long m = 0;
            for (long i = 0; i < n; i++)
                if (i != skip)
                    qvec_dist2(dd[m++], x, qmat_row(X, i), d);
            for (long i = 1; i < m; i++)        /* insertion sort */
                for (long j = i; j > 0 && mpq_cmp(dd[j - 1], dd[j]) > 0; j--)
                    mpq_swap(dd[j - 1], dd[j]);
            CU_ASSERT_EQUAL(detect_knn_dist2(got, X, x, knn, skip), AE_OK);
            CU_ASSERT_TRUE(mpq_equal(got, dd[knn - 1]));
        }
    {                        /* the integer query path of detect_scores (partial fits too) */
        mpq_t *sc = qvec_init(DETECT_NKINDS);
        for (int rep = 0; rep < 6; rep++) {
            for (long j = 0; j < d; j++)
                tu_rand_q(x[j], r, 50, (unsigned long) (rep + 1) * 7);
            CU_ASSERT_EQUAL(detect_scores(sc, D, (const mpq_t *) x, d), AE_OK);
            CU_ASSERT_EQUAL(detect_knn_dist2(want, X, x, 3, -1), AE_OK);
            CU_ASSERT_TRUE(mpq_equal(want, sc[DETECT_KNN]));
        }
        qvec_clear(sc, DETECT_NKINDS);
    }
    if (st == AE_OK)
        for (long i = 0; i < n; i++) {
            CU_ASSERT_EQUAL(detect_knn_dist2(want, X, (const mpq_t *) qmat_row(X, i), 3, i), AE_OK);
            CU_ASSERT_TRUE(mpq_equal(want, D->train[DETECT_KNN][i]));
        }
    TU_EXPECT_ERROR(detect_knn_dist2(got, X, x, 0, -1));
    TU_EXPECT_ERROR(detect_knn_dist2(got, X, x, n, 0));
    mpq_clears(got, want, (mpq_ptr) NULL);
    qvec_clear(x, d);
    qvec_clear(dd, n);
    detect_clear(D);
    linae_clear(ae);
    qmat_clear(X);
    gsl_rng_free(r);
}

static void test_limits(void)
{
    double v = 0;
    const char *m = NULL;
    /* F table: F_{0.95}(2, 20) = 3.4928, F_{0.99}(3, 30) = 4.5097 */
    CU_ASSERT_EQUAL(detect_f_limit(&v, 2, 22, 0.05), AE_OK);
    CU_ASSERT_DOUBLE_EQUAL(v / (2.0 * 21 * 23 / (22.0 * 20)), 3.4928, 1e-3);
    CU_ASSERT_EQUAL(detect_f_limit(&v, 3, 33, 0.01), AE_OK);
    CU_ASSERT_DOUBLE_EQUAL(v / (3.0 * 32 * 34 / (33.0 * 30)), 4.5097, 1e-3);
    /* JM by hand: eigenvalues 1, 1/2, 1/4 at alpha = 0.01 (c = 2.3263478740408408):
     * h0 = 0.227513..., bracket = 1.414691..., Q = 8.039869298951523 */
    CU_ASSERT_EQUAL(detect_jm_limit(&v, &m, 1.75, 1.3125, 1.140625, 0.01), AE_OK);
    CU_ASSERT_STRING_EQUAL(m, "jm");
    CU_ASSERT_DOUBLE_EQUAL(v, 8.039869298951523, 1e-9);
    /* h0 <= 0: Box's g chi^2_h with g = 1, h = 2: chi^2_{0.99}(2) = -2 ln 0.01 */
    CU_ASSERT_EQUAL(detect_jm_limit(&v, &m, 2, 2, 3, 0.01), AE_OK);
    CU_ASSERT_STRING_EQUAL(m, "box");
    CU_ASSERT_DOUBLE_EQUAL(v, -2 * log(0.01), 1e-9);
    CU_ASSERT_EQUAL(detect_jm_limit(&v, &m, 0, 0, 0, 0.01), AE_OK);
    CU_ASSERT_STRING_EQUAL(m, "zero");
    CU_ASSERT_EQUAL(v, 0);
    /* Yue-Qin with a1 = 2, a2 = 1: g = 1/2, h = 4, chi^2_{0.99}(4) = 13.276704135987622 */
    CU_ASSERT_EQUAL(detect_yq_limit(&v, 1, 0, 1, 1, 1, 0.01), AE_OK);
    CU_ASSERT_DOUBLE_EQUAL(v, 13.276704135987622 / 2, 1e-9);
    TU_EXPECT_ERROR(detect_f_limit(&v, 3, 3, 0.01));
    TU_EXPECT_ERROR(detect_f_limit(&v, 1, 10, 1.0));
    TU_EXPECT_ERROR(detect_jm_limit(&v, &m, -1, 1, 1, 0.01));
    TU_EXPECT_ERROR(detect_yq_limit(&v, 1, 1, 1, 0, 1, 0.01));
}

static void test_auc(void)
{
    mpq_t *a = qvec_init(2), *s = qvec_init(3), auc, h;
    mpq_inits(auc, h, (mpq_ptr) NULL);
    for (int i = 0; i < 3; i++)
        mpq_set_si(s[i], i + 1, 1);               /* normals 1, 2, 3 */
    mpq_set_si(a[0], 2, 1);                       /* anomalies 2 (1 + a tie), 4 (3) */
    mpq_set_si(a[1], 4, 1);
    CU_ASSERT_EQUAL(detect_auc(auc, s, 3, a, 2), AE_OK);
    mpq_set_si(h, 3, 4);
    CU_ASSERT_TRUE(mpq_equal(auc, h));
    CU_ASSERT_EQUAL(detect_auc(auc, s, 3, s, 3), AE_OK);   /* identical sets: 1/2 */
    mpq_set_si(h, 1, 2);
    CU_ASSERT_TRUE(mpq_equal(auc, h));
    CU_ASSERT_EQUAL(detect_auc(auc, s, 1, a + 1, 1), AE_OK);
    CU_ASSERT_EQUAL(mpq_cmp_ui(auc, 1, 1), 0);
    TU_EXPECT_ERROR(detect_auc(auc, s, 0, a, 2));
    mpq_clears(auc, h, (mpq_ptr) NULL);
    qvec_clear(a, 2);
    qvec_clear(s, 3);
}

/* A trained-style network: latent = bottleneck output (exact), mean T2 = mean Mahalanobis = k. */
static void test_qnet(void)
{
    gsl_rng *r = tu_rng();
    long sizes[5] = {2, 4, 1, 4, 2};
    nn_act_t act[4] = {NN_RELU, NN_IDENTITY, NN_RELU, NN_IDENTITY};
    nn_t net;
    tu_rand_net(net, r, NN_F32, 4, sizes, act, 1);
    qnet_t q;
    CU_ASSERT_EQUAL_FATAL(qnet_init_nn(q, net), AE_OK);
    long n = 10;
    qmat_t X;
    qmat_init(X, n, 2);
    for (long i = 0; i < 2 * n; i++)
        tu_rand_q(X->entries[i], r, 8, 8);
    /* prefix over all layers = qnet_eval */
    mpq_t *y = qvec_init(2), *y2 = qvec_init(2);
    CU_ASSERT_EQUAL(qnet_eval(y, 2, NULL, q, (const mpq_t *) qmat_row(X, 0), 2), AE_OK);
    CU_ASSERT_EQUAL(qnet_eval_prefix(y2, 2, q, (const mpq_t *) qmat_row(X, 0), 2, 4), AE_OK);
    CU_ASSERT_TRUE(qvec_equal(y, y2, 2));
    detect_t D;
    detect_init(D);
    int st = detect_fit_qnet(D, q, X, 2, 0.01);
    CU_ASSERT_EQUAL(st, AE_OK);   /* identity bottleneck after 4 relus: not constant */
    if (st == AE_OK) {
        CU_ASSERT_EQUAL(D->k, 1);
        CU_ASSERT_EQUAL(D->zlayer, 2);
        mpq_t u, t;
        mpq_inits(u, t, (mpq_ptr) NULL);
        for (int kind = DETECT_T2; kind <= DETECT_MAHAL; kind += DETECT_MAHAL - DETECT_T2) {
            mpq_set_ui(u, 0, 1);
            for (long i = 0; i < n; i++)
                mpq_add(u, u, D->train[kind][i]);
            CU_ASSERT_EQUAL(mpq_cmp_si(u, n, 1), 0);
        }
        CU_ASSERT_EQUAL(qnet_score(u, q, (const mpq_t *) qmat_row(X, 3), 2), AE_OK);
        CU_ASSERT_TRUE(mpq_equal(u, D->train[DETECT_RECON][3]));
        mpq_clears(u, t, (mpq_ptr) NULL);
    }
    TU_EXPECT_ERROR(qnet_eval_prefix(y2, 2, q, (const mpq_t *) qmat_row(X, 0), 2, 0));
    TU_EXPECT_ERROR(qnet_eval_prefix(y2, 2, q, (const mpq_t *) qmat_row(X, 0), 2, 2));
    qvec_clear(y, 2);
    qvec_clear(y2, 2);
    detect_clear(D);
    qmat_clear(X);
    qnet_clear(q);
    nn_clear(net);
    gsl_rng_free(r);
}

/* z = (x1, c) for the linear AE A (k = 2, c constant: S singular) and z = x1 for B
 * (k = 1), both with f(x) = (x1, 0, 1).  A's partial fit must equal brute force and B's
 * full fit on every kind that needs no latent inverse (RECON, SPE and its JM limit, KNN,
 * BOX, the empirical limits); T2, MAHAL, COMBINED unavailable (-1, no limit, never
 * flagged, even after detect_set_limit).  B is the negative control: available. */
static void set_recon_ae(linae_t ae, long k)
{
    mpq_set_ui(qmat_entry(ae->We, 0, 0), 1, 1);
    mpq_set_ui(qmat_entry(ae->Wd, 0, 0), 1, 1);
    if (k == 2) {          /* z2 = 1, f3 = 1 * z2 */
        mpq_set_ui(qmat_entry(ae->be, 1, 0), 1, 1);
        mpq_set_ui(qmat_entry(ae->Wd, 2, 1), 1, 1);
    } else {
        mpq_set_ui(qmat_entry(ae->bd, 2, 0), 1, 1);
    }
}

static void test_singular_partial(void)
{
    gsl_rng *r = tu_rng();
    long n = 12, d = 3, knn = 2;
    qmat_t X;
    qmat_init(X, n, d);
    for (long i = 0; i < n * d; i++)
        tu_rand_q(X->entries[i], r, 5, 4);
    mpq_set_ui(qmat_entry(X, 0, 0), 0, 1);     /* x1 not constant: B's S is regular */
    mpq_set_ui(qmat_entry(X, 1, 0), 1, 1);
    linae_t A, B;
    linae_init(A, d, 2);
    linae_init(B, d, 1);
    set_recon_ae(A, 2);
    set_recon_ae(B, 1);
    detect_t DA, DB;
    detect_init(DA);
    detect_init(DB);
    CU_ASSERT_EQUAL_FATAL(detect_fit_linae(DA, A, X, knn, 0.05), AE_SINGULAR);
    CU_ASSERT_EQUAL_FATAL(detect_fit_linae(DB, B, X, knn, 0.05), AE_OK);
    CU_ASSERT_EQUAL(DA->n, n);
    static const int AV[DETECT_NKINDS] = {1, 1, 0, 0, 0, 1, 1};
    for (int kind = 0; kind < DETECT_NKINDS; kind++) {
        CU_ASSERT_EQUAL(DA->available[kind], AV[kind]);
        CU_ASSERT_EQUAL(DB->available[kind], 1);
    }
    mpq_t *e = qvec_init(n), *lo = qvec_init(d), *hi = qvec_init(d), *x = qvec_init(d), t, u, q;
    mpq_t *sa = qvec_init(DETECT_NKINDS), *sb = qvec_init(DETECT_NKINDS);
    mpq_inits(t, u, q, (mpq_ptr) NULL);
    for (long i = 0; i < n; i++) {    /* brute force: e_i = x2^2 + (x3 - 1)^2 */
        mpq_mul(e[i], qmat_entry(X, i, 1), qmat_entry(X, i, 1));
        mpq_set_ui(t, 1, 1);
        mpq_sub(t, qmat_entry(X, i, 2), t);
        mpq_mul(t, t, t);
        mpq_add(e[i], e[i], t);
        CU_ASSERT_TRUE(mpq_equal(e[i], DA->train[DETECT_RECON][i]));
        CU_ASSERT_TRUE(mpq_equal(e[i], DA->train[DETECT_SPE][i]));
        CU_ASSERT_EQUAL(detect_knn_dist2(t, X, (const mpq_t *) qmat_row(X, i), knn, i), AE_OK);
        CU_ASSERT_TRUE(mpq_equal(t, DA->train[DETECT_KNN][i]));
        CU_ASSERT_EQUAL(mpq_sgn(DA->train[DETECT_BOX][i]), 0);
        for (int kind = DETECT_T2; kind <= DETECT_MAHAL; kind++)
            CU_ASSERT_EQUAL(mpq_cmp_si(DA->train[kind][i], -1, 1), 0);
    }
    mpq_set_ui(q, 95, 100);
    CU_ASSERT_EQUAL(score_quantile(u, (const mpq_t *) e, n, q), AE_OK);
    CU_ASSERT_EQUAL(detect_limit(t, DA, DETECT_RECON, DETECT_LIMIT_EMPIRICAL), AE_OK);
    CU_ASSERT_TRUE(mpq_equal(t, u));
    for (int kind = 0; kind < DETECT_NKINDS; kind++)
        for (int m = 0; m < 2; m++) {
            int ha = detect_limit(t, DA, (detect_kind) kind, m) == AE_OK;
            int hb = detect_limit(u, DB, (detect_kind) kind, m) == AE_OK;
            if (AV[kind]) {
                CU_ASSERT_EQUAL(ha, hb);
                CU_ASSERT_TRUE(!ha || mpq_equal(t, u));
            } else {
                CU_ASSERT_FALSE(ha);
            }
        }
    CU_ASSERT_EQUAL(detect_limit(t, DA, DETECT_SPE, DETECT_LIMIT_THEORY), AE_OK);   /* JM */
    for (long j = 0; j < d; j++) {
        mpq_set(lo[j], qmat_entry(X, 0, j));
        mpq_set(hi[j], qmat_entry(X, 0, j));
        for (long i = 1; i < n; i++) {
            if (mpq_cmp(qmat_entry(X, i, j), lo[j]) < 0) mpq_set(lo[j], qmat_entry(X, i, j));
            if (mpq_cmp(qmat_entry(X, i, j), hi[j]) > 0) mpq_set(hi[j], qmat_entry(X, i, j));
        }
    }
    for (int rep = 0; rep < 6; rep++) {
        for (long j = 0; j < d; j++)
            tu_rand_q(x[j], r, 20, (unsigned long) (rep + 1) * 3);
        CU_ASSERT_EQUAL(detect_scores(sa, DA, (const mpq_t *) x, d), AE_OK);
        CU_ASSERT_EQUAL(detect_scores(sb, DB, (const mpq_t *) x, d), AE_OK);
        for (int kind = 0; kind < DETECT_NKINDS; kind++) {
            if (AV[kind])
                CU_ASSERT_TRUE(mpq_equal(sa[kind], sb[kind]))
            else
                CU_ASSERT_EQUAL(mpq_cmp_si(sa[kind], -1, 1), 0);
            for (int m = 0; m < 2; m++)
                CU_ASSERT_EQUAL(detect_flagged(DA, (detect_kind) kind, m, sa[kind]),
                                AV[kind] ? detect_flagged(DB, (detect_kind) kind, m, sb[kind]) : 0);
        }
        mpq_mul(t, x[1], x[1]);
        mpq_set_ui(u, 1, 1);
        mpq_sub(u, x[2], u);
        mpq_mul(u, u, u);
        mpq_add(t, t, u);
        CU_ASSERT_TRUE(mpq_equal(t, sa[DETECT_RECON]));
        CU_ASSERT_EQUAL(detect_knn_dist2(t, X, (const mpq_t *) x, knn, -1), AE_OK);
        CU_ASSERT_TRUE(mpq_equal(t, sa[DETECT_KNN]));
        CU_ASSERT_EQUAL(detect_box_dist2(t, (const mpq_t *) lo, (const mpq_t *) hi,
                                         (const mpq_t *) x, d), AE_OK);
        CU_ASSERT_TRUE(mpq_equal(t, sa[DETECT_BOX]));
    }
    /* far away: recon flagged; T2 never, even with a limit set below its -1 */
    mpq_set_ui(x[0], 0, 1);
    mpq_set_ui(x[1], 1000, 1);
    mpq_set_ui(x[2], 0, 1);
    CU_ASSERT_EQUAL(detect_scores(sa, DA, (const mpq_t *) x, d), AE_OK);
    CU_ASSERT_EQUAL(detect_flagged(DA, DETECT_RECON, DETECT_LIMIT_EMPIRICAL, sa[DETECT_RECON]), 1);
    CU_ASSERT_EQUAL(detect_flagged(DA, DETECT_SPE, DETECT_LIMIT_THEORY, sa[DETECT_SPE]), 1);
    mpq_set_si(t, -5, 1);
    CU_ASSERT_EQUAL(detect_set_limit(DA, DETECT_T2, DETECT_LIMIT_EMPIRICAL, t), AE_OK);
    CU_ASSERT_EQUAL(detect_flagged(DA, DETECT_T2, DETECT_LIMIT_EMPIRICAL, sa[DETECT_T2]), 0);
    CU_ASSERT_EQUAL(detect_set_limit(DB, DETECT_T2, DETECT_LIMIT_EMPIRICAL, t), AE_OK);
    CU_ASSERT_EQUAL(detect_score(u, DB, DETECT_T2, (const mpq_t *) x, d), AE_OK);
    CU_ASSERT_EQUAL(detect_flagged(DB, DETECT_T2, DETECT_LIMIT_EMPIRICAL, u), 1);  /* control */
    mpq_clears(t, u, q, (mpq_ptr) NULL);
    qvec_clear(sa, DETECT_NKINDS);
    qvec_clear(sb, DETECT_NKINDS);
    qvec_clear(e, n);
    qvec_clear(lo, d);
    qvec_clear(hi, d);
    qvec_clear(x, d);
    detect_clear(DA);
    detect_clear(DB);
    linae_clear(A);
    linae_clear(B);
    qmat_clear(X);
    gsl_rng_free(r);
}

/* A dead ReLU bottleneck (2-1-2, z = relu(-1) = 0): a partial fit with recon = ||x - b||^2
 * (b the output bias), T2 unavailable. */
static void test_qnet_dead(void)
{
    long sizes[3] = {2, 1, 2};
    nn_act_t act[2] = {NN_RELU, NN_IDENTITY};
    nn_t net;
    CU_ASSERT_EQUAL_FATAL(nn_init(net, NN_F32, 2, sizes, act, NULL, NULL), AE_OK);
    double p[7] = {0, 0, -1, 1, 1, 0.25, -0.5};
    CU_ASSERT_EQUAL_FATAL(nn_set_params(net, p), AE_OK);
    qnet_t q;
    CU_ASSERT_EQUAL_FATAL(qnet_init_nn(q, net), AE_OK);
    long n = 6;
    qmat_t X;
    qmat_init(X, n, 2);
    for (long i = 0; i < n; i++) {
        mpq_set_si(qmat_entry(X, i, 0), i, 1);
        mpq_set_si(qmat_entry(X, i, 1), (i * i) % 5, 3);
    }
    detect_t D;
    detect_init(D);
    CU_ASSERT_EQUAL_FATAL(detect_fit_qnet(D, q, X, 1, 0.01), AE_SINGULAR);
    CU_ASSERT_FALSE(D->available[DETECT_T2]);
    CU_ASSERT_TRUE(D->available[DETECT_SPE] && D->available[DETECT_KNN]);
    mpq_t t, b;
    mpq_inits(t, b, (mpq_ptr) NULL);
    for (long i = 0; i < n; i++) {
        mpq_set_d(b, 0.25);
        mpq_sub(t, qmat_entry(X, i, 0), b);
        mpq_mul(t, t, t);
        mpq_set_d(b, -0.5);
        mpq_sub(b, qmat_entry(X, i, 1), b);
        mpq_mul(b, b, b);
        mpq_add(t, t, b);
        CU_ASSERT_TRUE(mpq_equal(t, D->train[DETECT_RECON][i]));
        CU_ASSERT_EQUAL(mpq_cmp_si(D->train[DETECT_T2][i], -1, 1), 0);
    }
    CU_ASSERT_EQUAL(detect_limit(t, D, DETECT_T2, DETECT_LIMIT_THEORY), AE_ERANGE);
    CU_ASSERT_EQUAL(detect_limit(t, D, DETECT_SPE, DETECT_LIMIT_THEORY), AE_OK);
    mpq_clears(t, b, (mpq_ptr) NULL);
    detect_clear(D);
    qmat_clear(X);
    qnet_clear(q);
    nn_clear(net);
}

static void test_misuse(void)
{
    gsl_rng *r = tu_rng();
    fixture F;
    fixture_init(&F, r);
    detect_t D;
    detect_init(D);
    qmat_t X1;
    qmat_init(X1, 1, 4);
    TU_EXPECT_ERROR(detect_fit_linae(D, F.ae, X1, 1, 0.01));         /* n = 1 */
    TU_EXPECT_ERROR(detect_fit_linae(D, F.ae, F.I->X, 0, 0.01));      /* knn = 0 */
    TU_EXPECT_ERROR(detect_fit_linae(D, F.ae, F.I->X, 1, 1.0));       /* alpha */
    mpq_t *s = qvec_init(DETECT_NKINDS), *x = qvec_init(4), t;
    mpq_init(t);
    TU_EXPECT_ERROR(detect_scores(s, D, (const mpq_t *) x, 4));        /* not fitted */
    CU_ASSERT_EQUAL(detect_fit_linae(D, F.ae, F.I->X, 1, 0.01), AE_OK);
    TU_EXPECT_ERROR(detect_scores(s, D, (const mpq_t *) x, 3));
    TU_EXPECT_ERROR(detect_limit(t, D, (detect_kind) 7, DETECT_LIMIT_THEORY));
    TU_EXPECT_ERROR(detect_set_limit(D, DETECT_T2, 5, t));
    /* a constant latent coordinate: the zero AE has z = 0, S singular */
    linae_t z;
    linae_init(z, 4, 1);
    CU_ASSERT_EQUAL(detect_fit_linae(D, z, F.I->X, 1, 0.01), AE_SINGULAR);
    CU_ASSERT_EQUAL(D->n, F.I->X->r);                       /* a partial fit */
    CU_ASSERT_FALSE(D->available[DETECT_MAHAL]);
    linae_clear(z);
    mpq_clear(t);
    qvec_clear(s, DETECT_NKINDS);
    qvec_clear(x, 4);
    qmat_clear(X1);
    detect_clear(D);
    fixture_clear(&F);
    gsl_rng_free(r);
}

int main(void)
{
    static const tu_test T[] = {
        {"names", test_names},
        {"linear identities", test_linear_identities},
        {"box", test_box},
        {"knn vs brute force", test_knn},
        {"limits vs tables and hand computations", test_limits},
        {"auc", test_auc},
        {"qnet latent", test_qnet},
        {"singular latent: partial fit vs brute force", test_singular_partial},
        {"dead relu bottleneck: partial fit", test_qnet_dead},
        {"misuse", test_misuse},
        {NULL, NULL}};
    return tu_run("detect", 20261202UL, T);
}
