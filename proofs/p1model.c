/* p1model — P1's measurements and overflow prediction (see p1model.h).  Every logarithm
 * is MPFR's (correctly rounded), so the tables do not depend on the C library. */
#include "p1model.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "aeerr.h"
#include "qmat.h"
#include "qnum.h"

const fmt_t p1_formats[P1_NFMT] = {
    {FMT_F32, 0}, {FMT_F64, 0}, {FMT_LD, 0}, {FMT_F128, 0},
    {FMT_MPFR, 24}, {FMT_MPFR, 53}, {FMT_MPFR, 113}, {FMT_MPFR, 256}, {FMT_MPFR, 1024}};

int p1_linae_net(fmtnet_t F, fmt_t f, const linae_t ae)
{
    long sizes[3] = {ae->d, ae->k, ae->d};
    nn_act_t act[2] = {NN_IDENTITY, NN_IDENTITY};
    mpq_t *W[2] = {ae->We->entries, ae->Wd->entries};
    mpq_t *b[2] = {ae->be->entries, ae->bd->entries};
    return fmtnet_init(F, f, 2, sizes, act, NULL, W, b);
}

int p1_curve(mpfr_t *s, const fmtnet_t F, const mpq_t *m, const mpq_t *v, long d, long e0,
             long ne)
{
    mpq_t *a = qvec_init(d);
    mpq_t c;
    mpq_init(c);
    int st = AE_OK;
    for (long i = 0; i < ne && st == AE_OK; i++) {
        qnum_pow10(c, e0 + i);
        qvec_scale(a, v, c, d);
        qvec_add(a, m, a, d);
        st = fmtnet_score(s[i], F, a, d);
    }
    mpq_clear(c);
    qvec_clear(a, d);
    return st;
}

long p1_first_detect(mpfr_t *s, long ne, const mpq_t smin)
{
    for (long i = 0; i < ne; i++)
        if (!mpfr_nan_p(s[i]) && (mpfr_inf_p(s[i]) ? mpfr_sgn(s[i]) > 0 : mpfr_cmp_q(s[i], smin) > 0))
            return i;
    return -1;
}

long p1_first_overflow(mpfr_t *s, long ne)
{
    for (long i = 0; i < ne; i++)
        if (!mpfr_number_p(s[i]))
            return i;
    return -1;
}

/* lmax = log10 of the largest finite value of C format f, at t's precision. */
static void log10_max(mpfr_t lmax, fmt_t f)
{
    long p = (long) fmt_prec(f), emax;
    switch (f.kind) {
    case FMT_F32: emax = FLT_MAX_EXP; break;
    case FMT_F64: emax = DBL_MAX_EXP; break;
    case FMT_LD:  emax = LDBL_MAX_EXP; break;
    default:      emax = 16384; break;
    }
    /* MAX = (1 - 2^-p) 2^emax */
    mpfr_set_ui(lmax, 1, MPFR_RNDN);
    mpfr_div_2ui(lmax, lmax, (unsigned long) p, MPFR_RNDN);
    mpfr_ui_sub(lmax, 1, lmax, MPFR_RNDN);
    mpfr_mul_2ui(lmax, lmax, (unsigned long) emax, MPFR_RNDN);
    mpfr_log10(lmax, lmax, MPFR_RNDN);
}

long p1_predict_overflow(double *log10_rho, fmt_t f, mpfr_t *su, long ne, long e0,
                         const mpq_t *v, long d)
{
    *log10_rho = NAN;
    if (f.kind == FMT_MPFR)
        return -1;
    mpfr_t lmax, t, acc, best;
    mpfr_inits2(64, lmax, t, acc, best, NULL);
    log10_max(lmax, f);
    /* input overflow: first e >= log10 MAX - log10 ||v||_inf */
    mpq_t vinf, av;
    mpq_inits(vinf, av, NULL);
    for (long j = 0; j < d; j++) {
        mpq_abs(av, v[j]);
        if (mpq_cmp(av, vinf) > 0)
            mpq_set(vinf, av);
    }
    mpfr_set_inf(best, 1);
    if (mpq_sgn(vinf) > 0) {
        mpfr_set_q(t, vinf, MPFR_RNDN);
        mpfr_log10(t, t, MPFR_RNDN);
        mpfr_sub(best, lmax, t, MPFR_RNDN);
    }
    mpq_clears(vinf, av, NULL);
    /* score overflow: rho = geometric mean of s/c^2 over c >= 100, s > 0 */
    long cnt = 0;
    mpfr_set_zero(acc, 1);
    for (long i = 0; i < ne; i++) {
        long e = e0 + i;
        if (e < 2 || !mpfr_number_p(su[i]) || mpfr_sgn(su[i]) <= 0)
            continue;
        mpfr_log10(t, su[i], MPFR_RNDN);
        mpfr_sub_si(t, t, 2 * e, MPFR_RNDN);
        mpfr_add(acc, acc, t, MPFR_RNDN);
        cnt++;
    }
    if (cnt > 0) {
        mpfr_div_si(acc, acc, cnt, MPFR_RNDN);
        *log10_rho = mpfr_get_d(acc, MPFR_RNDN);
        mpfr_sub(t, lmax, acc, MPFR_RNDN);
        mpfr_div_2ui(t, t, 1, MPFR_RNDN);
        if (mpfr_less_p(t, best))
            mpfr_set(best, t, MPFR_RNDN);
    }
    long r = -1;
    if (mpfr_number_p(best)) {
        mpfr_ceil(best, best);
        long e = mpfr_get_si(best, MPFR_RNDN);
        if (e < e0)
            e = e0;
        if (e - e0 < ne)
            r = e - e0;
    }
    mpfr_clears(lmax, t, acc, best, NULL);
    return r;
}
