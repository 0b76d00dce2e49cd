/* CUnit suite for p1model (claim P1's measurements): the float32 and float64 overflow
 * points of the exact zero-score anomalies agree with the IEEE 754 prediction — the
 * log10 estimate within one grid step, and exactly with the unbounded-exponent model
 * (the first c at which the same computation at the same precision reaches 2^emax or the
 * input reaches the overflow threshold) — on a small exact instance and on iris and wine;
 * a wrong prediction is rejected; long double and binary128 do not overflow on the grid;
 * first-detect / first-overflow on hand-made curves. */
#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "fmteval.h"
#include "linae.h"
#include "p1model.h"
#include "pcommon.h"
#include "proof.h"
#include "qmat.h"
#include "qnum.h"
#include "testutil.h"

#define NE 301

/* The first index where the unbounded shadow su reaches 2^emax, or where the exact input
 * m + c v has a coordinate at or above the format's overflow threshold; -1 none. */
static long exact_ieee_overflow(mpfr_t *su, const mpq_t *m, const mpq_t *v, long d, fmt_t f)
{
    long emax = f.kind == FMT_F32 ? FLT_MAX_EXP : DBL_MAX_EXP, p = (long) fmt_prec(f);
    mpq_t thr, c, a, t;
    mpq_inits(thr, c, a, t, NULL);
    /* threshold = 2^emax - 2^(emax - p - 1) (max + half an ulp) */
    mpq_set_ui(thr, 1, 1);
    mpq_mul_2exp(thr, thr, (unsigned long) emax);
    mpq_set_ui(t, 1, 1);
    mpq_mul_2exp(t, t, (unsigned long) (emax - p - 1));
    mpq_sub(thr, thr, t);
    long r = -1;
    for (long i = 0; i < NE && r < 0; i++) {
        if (!mpfr_number_p(su[i]) || mpfr_cmp_ui_2exp(su[i], 1, emax) >= 0)
            r = i;
        qnum_pow10(c, i);
        for (long j = 0; j < d && r < 0; j++) {
            mpq_mul(a, c, v[j]);
            mpq_add(a, a, m[j]);
            mpq_abs(a, a);
            if (mpq_cmp(a, thr) >= 0)
                r = i;
        }
    }
    mpq_clears(thr, c, a, t, NULL);
    return r;
}

/* Checks one AE: per C format, measured overflow vs the estimate (+-1) and vs the exact
 * unbounded model (equal for float32/float64); a prediction moved by 3 must disagree. */
static void check_ae(const linae_t ae, const mpq_t *m, const mpq_t *v, long d, const char *what)
{
    mpfr_t s[NE], su[NE];
    for (long i = 0; i < NE; i++) {
        mpfr_init2(s[i], P1_OUT_PREC);
        mpfr_init2(su[i], P1_OUT_PREC);
    }
    for (int k = 0; k < 4; k++) {
        fmt_t f = p1_formats[k], g = {FMT_MPFR, fmt_prec(f)};
        fmtnet_t F, G;
        CU_ASSERT_EQUAL_FATAL(p1_linae_net(F, f, ae), AE_OK);
        CU_ASSERT_EQUAL_FATAL(p1_linae_net(G, g, ae), AE_OK);
        CU_ASSERT_EQUAL(p1_curve(s, F, m, v, d, 0, NE), AE_OK);
        CU_ASSERT_EQUAL(p1_curve(su, G, m, v, d, 0, NE), AE_OK);
        double lr;
        long ovf = p1_first_overflow(s, NE), pred = p1_predict_overflow(&lr, f, su, NE, 0, v, d);
        long po = pred < 0 ? NE : pred, mo = ovf < 0 ? NE : ovf;
        if (po - mo < -1 || po - mo > 1)
            fprintf(stderr, "\n%s format %d: overflow %ld predicted %ld\n", what, k, ovf, pred);
        CU_ASSERT_TRUE(po - mo >= -1 && po - mo <= 1);
        CU_ASSERT_FALSE(po + 3 - mo >= -1 && po + 3 - mo <= 1);   /* negative control */
        if (k < 2) {
            CU_ASSERT_TRUE(ovf >= 0);                              /* float32/64 overflow */
            CU_ASSERT_EQUAL(ovf, exact_ieee_overflow(su, m, v, d, f));
            /* before the overflow the format and its shadow agree bit for bit */
            for (long i = 0; i < (ovf < 0 ? NE : ovf); i++)
                CU_ASSERT_TRUE(mpfr_equal_p(s[i], su[i]) || (mpfr_zero_p(s[i]) && mpfr_zero_p(su[i])));
        } else {
            CU_ASSERT_EQUAL(ovf, -1);                              /* 10^4932 is far */
            CU_ASSERT_EQUAL(pred, -1);
        }
        fmtnet_clear(F);
        fmtnet_clear(G);
    }
    for (long i = 0; i < NE; i++) {
        mpfr_clear(s[i]);
        mpfr_clear(su[i]);
    }
}

static void test_small_instance(void)
{
    /* v = (1, 2, 2)/3 (exactly unit), mean (1/3, 1/7, 2/5): projector AE, d = 3, k = 1 */
    linae_t ae;
    qmat_t V;
    qmat_init(V, 3, 1);
    mpq_set_si(qmat_entry(V, 0, 0), 1, 3);
    mpq_set_si(qmat_entry(V, 1, 0), 2, 3);
    mpq_set_si(qmat_entry(V, 2, 0), 2, 3);
    mpq_t *m = qvec_init(3), *v = qvec_init(3);
    mpq_set_si(m[0], 1, 3);
    mpq_set_si(m[1], 1, 7);
    mpq_set_si(m[2], 2, 5);
    CU_ASSERT_EQUAL_FATAL(linae_init(ae, 3, 1), AE_OK);
    CU_ASSERT_EQUAL_FATAL(linae_set_projector_basis(ae, V, m), AE_OK);
    qmat_get_col(v, V, 0);
    check_ae(ae, m, v, 3, "small");
    linae_clear(ae);
    qmat_clear(V);
    qvec_clear(m, 3);
    qvec_clear(v, 3);
}

static void test_real_data(void)
{
    char dir[] = "/tmp/test_p1model.XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    proof_ctx c = {.quick = 1, .seed = tu_seed(), .prec = 128, .outdir = dir,
                   .datadir = "data", .user_data = NULL, .user_normal = NULL, .corrupt = 0};
    const char *names[] = {"iris", "wine"};
    char err[512];
    for (int i = 0; i < 2; i++) {
        const prf_data_struct *D = prf_data(&c, names[i], err, sizeof err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(D);
        const prf_model_struct *M = prf_model(&c, names[i], 2, err, sizeof err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(M);
        CU_ASSERT_EQUAL_FATAL(M->status, AE_OK);
        long d = D->X->c;
        mpq_t *v = qvec_init(d);
        qmat_get_col(v, M->ae->Wd, 0);
        check_ae(M->ae, D->mean, v, d, names[i]);
        qvec_clear(v, d);
    }
    prf_cache_clear();
    tu_rmtree(dir);
}

static void test_first(void)
{
    mpfr_t s[5];
    for (int i = 0; i < 5; i++)
        mpfr_init2(s[i], 64);
    mpfr_set_zero(s[0], 1);
    mpfr_set_d(s[1], 0.5, MPFR_RNDN);
    mpfr_set_nan(s[2]);
    mpfr_set_d(s[3], 2.0, MPFR_RNDN);
    mpfr_set_inf(s[4], 1);
    mpq_t smin;
    mpq_init(smin);
    mpq_set_ui(smin, 1, 1);
    CU_ASSERT_EQUAL(p1_first_detect(s, 5, smin), 3);      /* NaN is not a detection */
    CU_ASSERT_EQUAL(p1_first_overflow(s, 5), 2);
    CU_ASSERT_EQUAL(p1_first_detect(s, 3, smin), -1);
    CU_ASSERT_EQUAL(p1_first_overflow(s, 2), -1);
    CU_ASSERT_EQUAL(p1_first_overflow(s, 0), -1);
    mpq_set_ui(smin, 0, 1);
    CU_ASSERT_EQUAL(p1_first_detect(s, 5, smin), 1);      /* 0 is not > 0 */
    double lr;
    mpq_t *v = qvec_init(1);
    mpq_set_ui(v[0], 1, 1);
    fmt_t g = {FMT_MPFR, 53};
    CU_ASSERT_EQUAL(p1_predict_overflow(&lr, g, s, 5, 0, v, 1), -1);   /* MPFR: never */
    qvec_clear(v, 1);
    mpq_clear(smin);
    for (int i = 0; i < 5; i++)
        mpfr_clear(s[i]);
}

int main(void)
{
    static const tu_test T[] = {
        {"overflow = IEEE prediction, exact instance d = 3", test_small_instance},
        {"overflow = IEEE prediction, iris and wine PCA AEs", test_real_data},
        {"first detect / overflow, MPFR never overflows", test_first},
        {NULL, NULL}
    };
    return tu_run("p1model", 20261203UL, T);
}
