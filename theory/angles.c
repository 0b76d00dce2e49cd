/* angles — principal angles between rational subspaces (see angles.h for the math). */
#include "angles.h"

#include <stdlib.h>

#include "aeerr.h"
#include "qnum.h"

void angles_init(angles_t A, long k, mpfr_prec_t prec)
{
    if (k < 0 || prec < MPFR_PREC_MIN || prec > MPFR_PREC_MAX) {
        ae_error("angles_init", "k = %ld or precision %ld out of range", k, (long) prec);
        k = 0;
        prec = 53;
    }
    A->k = k;
    A->prec = prec;
    qpoly_init(A->chi);
    A->mu_lo = qvec_init(k);
    A->mu_hi = qvec_init(k);
    A->th_lo = ae_malloc(sizeof(mpfr_t) * (size_t) (k > 0 ? k : 1));
    A->th_hi = ae_malloc(sizeof(mpfr_t) * (size_t) (k > 0 ? k : 1));
    for (long i = 0; i < k; i++) {
        mpfr_init2(A->th_lo[i], prec);
        mpfr_init2(A->th_hi[i], prec);
        mpfr_set_zero(A->th_lo[i], 1);
        mpfr_set_zero(A->th_hi[i], 1);
    }
    mpq_init(A->slack);
}

void angles_clear(angles_t A)
{
    qpoly_clear(A->chi);
    qvec_clear(A->mu_lo, A->k);
    qvec_clear(A->mu_hi, A->k);
    for (long i = 0; i < A->k; i++) {
        mpfr_clear(A->th_lo[i]);
        mpfr_clear(A->th_hi[i]);
    }
    free(A->th_lo);
    free(A->th_hi);
    mpq_clear(A->slack);
    A->k = 0;
}

/* th = asin(sqrt(mu)) rounded in direction rnd (RNDD or RNDU) at th's precision; mu is
 * clamped to [0, 1] first (the true value lies there, angles.h). */
static void theta_from_mu(mpfr_t th, const mpq_t mu, mpfr_rnd_t rnd)
{
    mpfr_t t;
    mpfr_init2(t, mpfr_get_prec(th));
    qnum_get_mpfr(t, mu, rnd);
    if (mpfr_sgn(t) < 0)
        mpfr_set_zero(t, 1);
    if (mpfr_cmp_ui(t, 1) > 0)
        mpfr_set_ui(t, 1, MPFR_RNDN);
    mpfr_sqrt(t, t, rnd);
    mpfr_asin(th, t, rnd);
    mpfr_clear(t);
}

static void set_thetas(angles_t A)
{
    for (long i = 0; i < A->k; i++) {
        theta_from_mu(A->th_lo[i], A->mu_lo[i], MPFR_RNDD);
        theta_from_mu(A->th_hi[i], A->mu_hi[i], MPFR_RNDU);
    }
}

/* B = G - H^T Gy^{-1} H and G = X^T X (angles.h); AE_SINGULAR when Y^T Y is singular. */
static int pencil(qmat_t B, qmat_t G, const qmat_t X, const qmat_t Y)
{
    long k = X->c;
    qmat_t YT, H, Gy, Gyi, T, HT;
    qmat_init(YT, k, Y->r); qmat_init(H, k, k); qmat_init(Gy, k, k);
    qmat_init(Gyi, k, k); qmat_init(T, k, k); qmat_init(HT, k, k);
    qmat_transpose(YT, Y);
    qmat_mul(H, YT, X);
    qmat_gram(Gy, Y);
    qmat_gram(G, X);
    int st = qmat_inv(Gyi, Gy);
    if (st == AE_OK) {
        qmat_mul(T, Gyi, H);
        qmat_transpose(HT, H);
        qmat_mul(T, HT, T);
        qmat_sub(B, G, T);
    }
    qmat_clear(YT); qmat_clear(H); qmat_clear(Gy);
    qmat_clear(Gyi); qmat_clear(T); qmat_clear(HT);
    return st;
}

int angles_compute(angles_t A, const qmat_t X, const qmat_t Y, long iso_prec)
{
    long k = A->k;
    if (k < 1 || X->c != k || Y->c != k || X->r != Y->r || X->r < k || iso_prec < 1) {
        ae_error("angles_compute", "need X, Y d x k with 1 <= k = %ld <= d and iso_prec >= 1", k);
        return AE_EINVAL;
    }
    qmat_t B, G, Gi, K;
    qmat_init(B, k, k); qmat_init(G, k, k); qmat_init(Gi, k, k); qmat_init(K, k, k);
    int st = pencil(B, G, X, Y);
    if (st == AE_OK)
        st = qmat_inv(Gi, G);
    qpoly_roots_t R;
    qpoly_roots_init(R);
    if (st == AE_OK) {
        qmat_mul(K, Gi, B);
        qpoly_charpoly(A->chi, K);
        st = qpoly_real_roots(R, A->chi, iso_prec);
    }
    if (st == AE_OK) {
        long m = 0;
        for (long i = 0; i < R->n; i++)
            for (long j = 0; j < R->mult[i] && m < k; j++, m++) {
                mpq_set(A->mu_lo[m], R->lo[i]);
                mpq_set(A->mu_hi[m], R->hi[i]);
            }
        /* all k roots are real (K is similar to a symmetric matrix): an invariant */
        if (m != k)
            st = AE_NOTCONV;
        mpq_set_ui(A->slack, 0, 1);
        set_thetas(A);
    }
    qpoly_roots_clear(R);
    qmat_clear(B); qmat_clear(G); qmat_clear(Gi); qmat_clear(K);
    return st;
}

int angles_widen(angles_t A, const mpq_t s)
{
    if (mpq_sgn(s) < 0) {
        ae_error("angles_widen", "negative slack");
        return AE_EINVAL;
    }
    mpq_t r, one;
    mpq_inits(r, one, NULL);
    mpq_set_ui(one, 1, 1);
    mpfr_prec_t p = 2 * A->prec;
    for (long i = 0; i < A->k; i++) {
        qnum_sqrt_lower(r, A->mu_lo[i], p);
        mpq_sub(r, r, s);
        if (mpq_sgn(r) < 0)
            mpq_set_ui(r, 0, 1);
        mpq_mul(A->mu_lo[i], r, r);
        qnum_sqrt_upper(r, A->mu_hi[i], p);
        mpq_add(r, r, s);
        if (mpq_cmp(r, one) > 0)
            mpq_set(r, one);
        mpq_mul(A->mu_hi[i], r, r);
    }
    mpq_add(A->slack, A->slack, s);
    set_thetas(A);
    mpq_clears(r, one, NULL);
    return AE_OK;
}

long angles_count_in(const angles_t A, const mpq_t lo, const mpq_t hi)
{
    if (mpq_cmp(lo, hi) > 0) {
        ae_error("angles_count_in", "lo > hi");
        return -1;
    }
    /* (lo, hi] by Sturm, plus lo itself when it is a root */
    long c = qpoly_sturm_count(A->chi, lo, hi);
    return c + (qpoly_sign_at(A->chi, lo) == 0);
}

void angles_max_d(double *lo, double *hi, const angles_t A)
{
    if (A->k < 1) {
        *lo = *hi = 0;
        return;
    }
    *lo = mpfr_get_d(A->th_lo[A->k - 1], MPFR_RNDD);
    *hi = mpfr_get_d(A->th_hi[A->k - 1], MPFR_RNDU);
}
