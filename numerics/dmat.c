/* dmat — see dmat.h. */
#include "dmat.h"

#include <math.h>
#include <gmp.h>
#include <mpfr.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>

#include "aeerr.h"

/* The nearest double to q, ties to even, or +-HUGE_VAL (*overflow = 1).
 * At 53 bits with MPFR's unbounded exponent, mpfr_set_q is the correct IEEE rounding for
 * every normal result; below DBL_MIN the double grid is coarser (spacing 2^-1074), so the
 * rounding is redone there on the integer q 2^1074, avoiding double rounding. */
static double q_to_double(const mpq_t q, mpfr_t x, mpz_t num, mpz_t rem, mpq_t t, int *overflow)
{
    mpfr_set_q(x, q, MPFR_RNDN);
    if (mpfr_zero_p(x))
        return 0.0;
    if (mpfr_get_exp(x) > 1024) {               /* |x| >= 2^1024 */
        /* x = 2^1024 means |q| >= DBL_MAX + half an ulp, which IEEE rounds (ties to the
         * even significand of 2^1024) to infinity. */
        *overflow = 1;
        return mpfr_sgn(x) > 0 ? HUGE_VAL : -HUGE_VAL;
    }
    if (mpfr_get_exp(x) > -1022)                 /* |x| >= 2^-1022 = DBL_MIN */
        return mpfr_get_d(x, MPFR_RNDN);      /* exact: x is a normal double */
    /* Subnormal range: round |q| 2^1074 to the nearest integer n, ties to even; the result
     * n 2^-1074 is exactly representable (n <= 2^52). */
    mpq_abs(t, q);
    mpq_mul_2exp(t, t, 1074);
    mpz_fdiv_qr(num, rem, mpq_numref(t), mpq_denref(t));
    mpz_mul_2exp(rem, rem, 1);
    int c = mpz_cmp(rem, mpq_denref(t));
    if (c > 0 || (c == 0 && mpz_odd_p(num)))
        mpz_add_ui(num, num, 1);
    double d = ldexp((double) mpz_get_ui(num), -1074);
    return mpq_sgn(q) < 0 ? -d : d;
}

int dmat_set_qmat(gsl_matrix *D, const qmat_t Q)
{
    if ((long) D->size1 != Q->r || (long) D->size2 != Q->c) {
        ae_error("dmat_set_qmat", "dimension mismatch: %zu x %zu vs %ld x %ld", D->size1,
                 D->size2, Q->r, Q->c);
        return AE_EINVAL;
    }
    mpfr_t x;
    mpz_t num, rem;
    mpq_t t;
    mpfr_init2(x, 53);
    mpz_inits(num, rem, NULL);
    mpq_init(t);
    int overflow = 0;
    for (long i = 0; i < Q->r; i++)
        for (long j = 0; j < Q->c; j++)
            gsl_matrix_set(D, (size_t) i, (size_t) j,
                           q_to_double(qmat_entry(Q, i, j), x, num, rem, t, &overflow));
    mpfr_clear(x);
    mpz_clears(num, rem, NULL);
    mpq_clear(t);
    return overflow ? AE_ERANGE : AE_OK;
}

static int all_finite(const gsl_matrix *A)
{
    for (size_t i = 0; i < A->size1; i++)
        for (size_t j = 0; j < A->size2; j++)
            if (!isfinite(gsl_matrix_get(A, i, j)))
                return 0;
    return 1;
}

int dmat_get_qmat(qmat_t Q, const gsl_matrix *D)
{
    if ((long) D->size1 != Q->r || (long) D->size2 != Q->c) {
        ae_error("dmat_get_qmat", "dimension mismatch: %zu x %zu vs %ld x %ld", D->size1,
                 D->size2, Q->r, Q->c);
        return AE_EINVAL;
    }
    if (!all_finite(D)) {
        ae_error("dmat_get_qmat", "entry is NaN or infinite");
        return AE_EINVAL;
    }
    for (long i = 0; i < Q->r; i++)
        for (long j = 0; j < Q->c; j++)
            mpq_set_d(qmat_entry(Q, i, j), gsl_matrix_get(D, (size_t) i, (size_t) j));
    return AE_OK;
}

int dmat_eigen_symm(gsl_vector *eval, gsl_matrix *evec, const gsl_matrix *A)
{
    size_t n = A->size1;
    if (A->size2 != n || eval->size != n || evec->size1 != n || evec->size2 != n) {
        ae_error("dmat_eigen_symm", "dimension mismatch (A %zu x %zu, eval %zu, evec %zu x %zu)",
                 A->size1, A->size2, eval->size, evec->size1, evec->size2);
        return AE_EINVAL;
    }
    if (!all_finite(A)) {
        ae_error("dmat_eigen_symm", "entry is NaN or infinite");
        return AE_EINVAL;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            if (gsl_matrix_get(A, i, j) != gsl_matrix_get(A, j, i)) {
                ae_error("dmat_eigen_symm", "matrix is not symmetric at (%zu, %zu)", i, j);
                return AE_EINVAL;
            }
    if (n == 0)
        return AE_OK;   /* GSL cannot allocate a workspace of size 0 */
    gsl_set_error_handler_off();
    int status = AE_EGSL;
    gsl_matrix *work = gsl_matrix_alloc(n, n);
    gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(n);
    if (work != NULL && ws != NULL && gsl_matrix_memcpy(work, A) == GSL_SUCCESS
        && gsl_eigen_symmv(work, eval, evec, ws) == GSL_SUCCESS
        && gsl_eigen_symmv_sort(eval, evec, GSL_EIGEN_SORT_VAL_DESC) == GSL_SUCCESS)
        status = AE_OK;
    if (ws != NULL)
        gsl_eigen_symmv_free(ws);
    if (work != NULL)
        gsl_matrix_free(work);
    return status;
}

int dmat_svd(gsl_matrix *U, gsl_vector *S, gsl_matrix *V, const gsl_matrix *A)
{
    size_t m = A->size1, n = A->size2, k = m < n ? m : n;
    if (U->size1 != m || U->size2 != k || V->size1 != n || V->size2 != k || S->size != k) {
        ae_error("dmat_svd", "dimension mismatch (A %zu x %zu, U %zu x %zu, S %zu, V %zu x %zu)",
                 m, n, U->size1, U->size2, S->size, V->size1, V->size2);
        return AE_EINVAL;
    }
    if (!all_finite(A)) {
        ae_error("dmat_svd", "entry is NaN or infinite");
        return AE_EINVAL;
    }
    if (k == 0)
        return AE_OK;
    gsl_set_error_handler_off();
    /* GSL needs rows >= columns: for a wide A decompose A^T = V S U^T instead. */
    int wide = m < n;
    gsl_matrix *big = wide ? V : U;      /* receives the left factor of the tall matrix */
    gsl_matrix *small = wide ? U : V;    /* k x k right factor */
    gsl_vector *work = gsl_vector_alloc(k);
    int status = AE_EGSL;
    if (work != NULL
        && (wide ? gsl_matrix_transpose_memcpy(big, A) : gsl_matrix_memcpy(big, A)) == GSL_SUCCESS
        && gsl_linalg_SV_decomp(big, small, S, work) == GSL_SUCCESS)
        status = AE_OK;
    if (work != NULL)
        gsl_vector_free(work);
    return status;
}

gsl_rng *dmat_rng_alloc(unsigned long seed)
{
    gsl_set_error_handler_off();
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (r == NULL) {
        ae_error("dmat_rng_alloc", "gsl_rng_alloc failed");
        return NULL;
    }
    gsl_rng_set(r, seed);
    return r;
}
