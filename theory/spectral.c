/* spectral — see spectral.h. */
#include "spectral.h"

#include "aeerr.h"
#include "qmat.h"
#include "qnum.h"
#include "reig.h"
#include "rmat.h"

/* *lmin = lambda_min of the symmetric N rounded to 128 bits, by reig_sym (canonical: the
 * same value whatever the double start, BLAS or CPU), rounded to a double; 0 if the solver
 * fails to converge.  Only a guess: the radius below certifies its tau exactly. */
static int lmin_guess(double *lmin, const qmat_t N)
{
    long d = N->r;
    rmat_t Nr;
    rmat_init(Nr, d, d, 128);
    reig_t E;
    reig_init(E, d, 128);
    int ok = rmat_set_qmat(Nr, N, MPFR_RNDN) == AE_OK && reig_sym(E, Nr) == AE_OK;
    *lmin = ok ? mpfr_get_d(E->values[d - 1], MPFR_RNDN) : 0;
    reig_clear(E);
    rmat_clear(Nr);
    return ok;
}

/* e(x0 + t v) against the quadratic law with eigenvalue lam; 1 iff equal. */
int spectral_quadratic_law(const linae_t ae, const mpq_t *x0, const mpq_t *v, const mpq_t t,
                         const mpq_t lam)
{
    long d = ae->d;
    mpq_t *x = qvec_init(d), *r0 = qvec_init(d);
    mpq_t e0, e, om, a, b, tmp;
    mpq_inits(e0, e, om, a, b, tmp, NULL);
    linae_map(r0, ae, x0);
    qvec_sub(r0, x0, r0, d);
    qvec_norm2(e0, r0, d);
    qvec_scale(x, v, t, d);
    qvec_add(x, x, x0, d);
    linae_score(e, ae, x);
    mpq_set_ui(om, 1, 1);
    mpq_sub(om, om, lam);                  /* 1 - lambda */
    qvec_dot(a, r0, v, d);
    mpq_mul(a, a, om);
    mpq_mul(a, a, t);
    mpq_add(a, a, a);                      /* 2 t (1-lambda) r0.v */
    qvec_norm2(b, v, d);
    mpq_mul(tmp, om, t);
    mpq_mul(tmp, tmp, tmp);
    mpq_mul(b, b, tmp);                    /* t^2 (1-lambda)^2 ||v||^2 */
    mpq_add(tmp, e0, a);
    mpq_add(tmp, tmp, b);
    int eq = mpq_equal(tmp, e);
    mpq_clears(e0, e, om, a, b, tmp, NULL);
    qvec_clear(x, d);
    qvec_clear(r0, d);
    return eq;
}

/* A rational approximation of the eigenvector of M = W_d W_e for the eigenvalue in
 * [lo, hi]: one exact inverse-iteration step y = (K - mu I)^{-1} 1 with mu just above
 * the interval, then v = W_d y.  Returns 0 if the shifted K is singular. */
int spectral_eigvec_approx(mpq_t *v, const linae_t ae, const mpq_t hi)
{
    long k = ae->k;
    qmat_t K, B, Y;
    qmat_init(K, k, k);
    qmat_init(B, k, 1);
    qmat_init(Y, k, 1);
    qmat_mul(K, ae->We, ae->Wd);
    mpq_t mu, eps;
    mpq_inits(mu, eps, NULL);
    mpq_set_ui(eps, 1, 1);
    mpq_div_2exp(eps, eps, 200);
    mpq_add(mu, hi, eps);
    for (long i = 0; i < k; i++) {
        mpq_sub(qmat_entry(K, i, i), qmat_entry(K, i, i), mu);
        mpq_set_ui(qmat_entry(B, i, 0), 1, 1);
    }
    int ok = qmat_solve(Y, K, B) == AE_OK;
    if (ok) {
        mpq_t *y = qvec_init(k);
        qmat_get_col(y, Y, 0);
        qmat_mul_vec(v, ae->Wd, y);
        qvec_clear(y, k);
    }
    mpq_clears(mu, eps, NULL);
    qmat_clear(K);
    qmat_clear(B);
    qmat_clear(Y);
    return ok;
}

/* A certified radius beyond which EVERY point scores above s_min, whatever the
 * direction: x - f(x) = (I - M)(x - mean) + r0, so e(x) >= (sigma ||x - mean|| - ||r0||)^2
 * with sigma = the smallest singular value of I - M.  A rational tau <= sigma^2 is
 * certified by Sylvester's law of inertia ((I-M)^T (I-M) - tau I positive definite,
 * exactly); R = (ub sqrt(s_min) + ub ||r0||) / lb sqrt(tau).  hint (may be NULL): a
 * lower bound of |1 - lambda| for an eigenvalue lambda of M.  Returns 0 (no radius)
 * when no positive tau is certified, e.g. when M has an eigenvalue exactly 1. */
int spectral_certified_radius(mpq_t R, const linae_t ae, const mpq_t smin, const mpq_t r0n2,
                            const mpq_t hint)
{
    long d = ae->d, npos, nneg, nzero;
    int ok = 0;
    mpq_t one;
    mpq_init(one);
    mpq_set_ui(one, 1, 1);
    qmat_t M, N, NT;
    qmat_init(M, d, d);
    qmat_init(N, d, d);
    qmat_init(NT, d, d);
    linae_map_matrix(M, ae);
    qmat_neg(M, M);
    for (long i = 0; i < d; i++)
        mpq_add(qmat_entry(M, i, i), qmat_entry(M, i, i), one);   /* I - M */
    qmat_transpose(NT, M);
    qmat_mul(N, NT, M);                                          /* (I-M)^T (I-M) */
    mpq_t tau, num, den;
    mpq_inits(tau, num, den, NULL);
    /* The first guess: half the 128-bit estimate of lambda_min(N) (reig_sym, canonical;
     * it was GSL's double eigenvalue, whose noise below ~1e-16 ||N|| depended on the BLAS
     * kernel and so on the CPU), but never above hint^2 = (|1 - lambda| lower bound)^2,
     * since sigma_min(I - M) <= |1 - lambda|; the estimate is noise when sigma_min^2 is
     * below ~2^-128 ||N||. */
    double lmin = 0;
    int have_guess = lmin_guess(&lmin, N);
    if (have_guess) {
        if (lmin > 0)
            qnum_set_d(tau, 0.5 * lmin);
        if (hint != NULL && mpq_sgn(hint) > 0) {
            mpq_mul(num, hint, hint);
            if (lmin <= 0 || mpq_cmp(num, tau) < 0)
                mpq_set(tau, num);
        }
        have_guess = mpq_sgn(tau) > 0;
    }
    if (have_guess) {
        for (int attempt = 0; attempt < 12 && !ok; attempt++) {
            qmat_set(NT, N);
            for (long i = 0; i < d; i++)
                mpq_sub(qmat_entry(NT, i, i), qmat_entry(NT, i, i), tau);
            qmat_inertia(&npos, &nneg, &nzero, NT);
            if (npos == d)
                ok = 1;
            else
                mpq_div_2exp(tau, tau, 4);
        }
    }
    if (ok) {
        qnum_sqrt_upper(num, smin, 64);
        qnum_sqrt_upper(den, r0n2, 64);
        mpq_add(num, num, den);
        qnum_sqrt_lower(den, tau, 64);
        mpq_div(R, num, den);
    }
    mpq_clears(tau, num, den, one, NULL);
    qmat_clear(M);
    qmat_clear(N);
    qmat_clear(NT);
    return ok;
}

int spectral_detection(mpq_t dstar, mpq_t e, const linae_t ae, const mpq_t *x0,
                       const mpq_t smin, const mpq_t r0n2, const mpq_t dist_lo,
                       const mpq_t lam_hi)
{
    if (mpq_sgn(dist_lo) <= 0) {
        ae_error("spectral_detection", "dist_lo must be > 0");
        return 0;
    }
    long d = ae->d;
    mpq_t num, tmp, s, vn2;
    mpq_inits(num, tmp, s, vn2, NULL);
    qnum_sqrt_upper(num, smin, 64);
    qnum_sqrt_upper(tmp, r0n2, 64);
    mpq_add(num, num, tmp);
    mpq_div(dstar, num, dist_lo);
    mpq_t *v = qvec_init(d), *p = qvec_init(d);
    int have = spectral_eigvec_approx(v, ae, lam_hi);
    if (have) {
        qvec_norm2(vn2, v, d);
        qnum_sqrt_lower(tmp, vn2, 64);
        mpq_div(s, dstar, tmp);
        mpq_add(s, s, s);
        qvec_scale(p, v, s, d);
        qvec_add(p, p, x0, d);
        linae_score(e, ae, p);
    }
    qvec_clear(v, d);
    qvec_clear(p, d);
    mpq_clears(num, tmp, s, vn2, NULL);
    return have;
}
