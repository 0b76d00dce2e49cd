/* Tests for reig: the two solvers against each other and against GSL, eigenvectors'
 * orthogonality, the residual bounds checked against exactly computed residuals (exact
 * rational arithmetic on the rounded outputs), matrices with exactly known spectra
 * (orthogonal dyadic similarity transforms), repeated and clustered eigenvalues,
 * rank-deficient PSD matrices, extreme scaling, and misuse. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <gmp.h>
#include <mpfr.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#include "testutil.h"
#include "dmat.h"
#include "qmat.h"
#include "reig.h"
#include "rmat.h"

static gmp_randstate_t rs;

static void rand_init(void)
{
    gmp_randinit_mt(rs);
    gmp_randseed_ui(rs, tu_seed());
}

/* Symmetric, entries uniform in [-1, 1) with A's precision. */
static void rand_sym(rmat_t A)
{
    for (long i = 0; i < A->r; i++)
        for (long j = 0; j <= i; j++) {
            mpfr_ptr a = rmat_entry(A, i, j);
            mpfr_urandomb(a, rs);
            mpfr_mul_2ui(a, a, 1, MPFR_RNDN);
            mpfr_sub_ui(a, a, 1, MPFR_RNDN);
            mpfr_set(rmat_entry(A, j, i), a, MPFR_RNDN);
        }
}

/* Every resid[i] bounds the exact residual ||A v - l v|| / ||v|| (exact rationals), and
 * is at most 2 n 2^-p ||A||_F (plus a tiny absolute slack for A = 0). */
static void check_resid(const reig_t E, const rmat_t A)
{
    long n = E->n;
    qmat_t Aq;
    qmat_init(Aq, n, n);
    rmat_get_qmat(Aq, A);
    mpq_t *v = qvec_init(n), *r = qvec_init(n);
    mpq_t lam, rn, vn, b, c;
    mpq_inits(lam, rn, vn, b, c, NULL);
    mpfr_t nrmA, tol;
    mpfr_inits2(64, nrmA, tol, (mpfr_ptr) 0);
    rmat_frobenius(nrmA, A, MPFR_RNDU);
    mpfr_mul_ui(tol, nrmA, (unsigned long) (2 * n), MPFR_RNDU);
    mpfr_mul_2si(tol, tol, -(long) E->prec, MPFR_RNDU);
    for (long i = 0; i < n; i++) {
        for (long k = 0; k < n; k++)
            mpfr_get_q(v[k], rmat_entry(E->vectors, k, i));
        mpfr_get_q(lam, E->values[i]);
        qmat_mul_vec(r, Aq, v);
        for (long k = 0; k < n; k++) {
            mpq_mul(c, lam, v[k]);
            mpq_sub(r[k], r[k], c);
        }
        qvec_norm2(rn, r, n);
        qvec_norm2(vn, v, n);
        CU_ASSERT_TRUE(mpfr_number_p(E->resid[i]));
        mpfr_get_q(b, E->resid[i]);
        mpq_mul(b, b, b);
        mpq_mul(b, b, vn);
        CU_ASSERT_TRUE(mpq_cmp(rn, b) <= 0);          /* rigorous */
        CU_ASSERT_TRUE(mpfr_cmp(E->resid[i], tol) <= 0 || mpfr_cmp_ui_2exp(E->resid[i], 1, -(mpfr_exp_t) (2 * E->prec)) <= 0);
    }
    mpfr_clears(nrmA, tol, (mpfr_ptr) 0);
    mpq_clears(lam, rn, vn, b, c, NULL);
    qvec_clear(v, n);
    qvec_clear(r, n);
    qmat_clear(Aq);
}

/* Descending values; max |(V^T V - I)_ij| <= 4 n 2^-p. */
static void check_basis(const reig_t E)
{
    long n = E->n;
    for (long i = 1; i < n; i++)
        CU_ASSERT_TRUE(mpfr_cmp(E->values[i - 1], E->values[i]) >= 0);
    rmat_t Vt, P;
    rmat_init(Vt, n, n, E->prec);
    rmat_init(P, n, n, 4 * E->prec);
    rmat_transpose(Vt, E->vectors, MPFR_RNDN);
    rmat_mul(P, Vt, E->vectors, MPFR_RNDN);
    mpfr_t tol;
    mpfr_init2(tol, 64);
    mpfr_set_ui_2exp(tol, 4 * (unsigned long) n, -(mpfr_exp_t) E->prec, MPFR_RNDN);
    for (long i = 0; i < n; i++) {
        mpfr_sub_ui(rmat_entry(P, i, i), rmat_entry(P, i, i), 1, MPFR_RNDN);
        for (long j = 0; j < n; j++)
            CU_ASSERT_TRUE(mpfr_cmpabs(rmat_entry(P, i, j), tol) <= 0);
    }
    mpfr_clear(tol);
    rmat_clear(Vt);
    rmat_clear(P);
}

/* |values_a[i] - values_b[i]| <= c 2^-p ||A||_F for all i. */
static void check_same_values(const reig_t Ea, const reig_t Eb, const rmat_t A, unsigned long c,
                              mpfr_prec_t p)
{
    mpfr_t d, tol;
    mpfr_inits2(64, d, tol, (mpfr_ptr) 0);
    rmat_frobenius(tol, A, MPFR_RNDU);
    mpfr_mul_ui(tol, tol, c, MPFR_RNDU);
    mpfr_mul_2si(tol, tol, -(long) p, MPFR_RNDU);
    for (long i = 0; i < Ea->n; i++) {
        mpfr_sub(d, Ea->values[i], Eb->values[i], MPFR_RNDU);
        CU_ASSERT_TRUE(mpfr_cmpabs(d, tol) <= 0);
    }
    mpfr_clears(d, tol, (mpfr_ptr) 0);
}

/* The exact spectrum d (any order, length n) is matched by the certified intervals:
 * every values[i] is within resid[i] of some d_j, and sorted d equals values to tol. */
static int cmp_desc(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return (x < y) - (x > y);
}

static void check_known_spectrum(const reig_t E, const mpq_t *d)
{
    long n = E->n;
    double *ds = malloc((size_t) n * sizeof(double));
    mpq_t x, diff, bound;
    mpq_inits(x, diff, bound, NULL);
    for (long i = 0; i < n; i++) {
        mpfr_get_q(x, E->values[i]);
        mpfr_get_q(bound, E->resid[i]);
        int found = 0;
        for (long j = 0; j < n && !found; j++) {
            mpq_sub(diff, x, d[j]);
            mpq_abs(diff, diff);
            found = mpq_cmp(diff, bound) <= 0;
        }
        CU_ASSERT_TRUE(found);
        ds[i] = mpq_get_d(d[i]);
    }
    qsort(ds, (size_t) n, sizeof(double), cmp_desc);
    for (long i = 0; i < n; i++)
        CU_ASSERT_TRUE(fabs(mpfr_get_d(E->values[i], MPFR_RNDN) - ds[i]) <= 1e-12 * (1 + fabs(ds[i])));
    mpq_clears(x, diff, bound, NULL);
    free(ds);
}

/* A = H diag(d) H with H = I - (2/n) 1 1^T (n a power of two): H is symmetric,
 * orthogonal and dyadic, so A is exact and its spectrum is exactly d. */
static void set_similar(rmat_t A, const mpq_t *d)
{
    long n = A->r;
    qmat_t H, D, T;
    qmat_init(H, n, n);
    qmat_init(D, n, n);
    qmat_init(T, n, n);
    for (long i = 0; i < n; i++) {
        for (long j = 0; j < n; j++)
            mpq_set_si(qmat_entry(H, i, j), (i == j ? n : 0) - 2, (unsigned long) n);
        mpq_set(qmat_entry(D, i, i), d[i]);
    }
    qmat_mul(T, H, D);
    qmat_mul(T, T, H);
    CU_ASSERT_EQUAL(rmat_set_qmat(A, T, MPFR_RNDN), AE_OK);
    qmat_t Back;
    qmat_init(Back, n, n);
    rmat_get_qmat(Back, A);
    CU_ASSERT_TRUE(qmat_equal(Back, T));     /* representable: the spectrum is exact */
    qmat_clear(Back);
    qmat_clear(H);
    qmat_clear(D);
    qmat_clear(T);
}

static void solve_both_and_check(const rmat_t A, const mpq_t *exact)
{
    reig_t E1, E2;
    reig_init(E1, A->r, A->prec);
    reig_init(E2, A->r, A->prec);
    CU_ASSERT_EQUAL(reig_sym(E1, A), AE_OK);
    CU_ASSERT_EQUAL(reig_sym_jacobi(E2, A), AE_OK);
    check_basis(E1);
    check_basis(E2);
    check_resid(E1, A);
    check_resid(E2, A);
    check_same_values(E1, E2, A, 8 * (unsigned long) (A->r + 1), A->prec);
    if (exact != NULL) {
        check_known_spectrum(E1, exact);
        check_known_spectrum(E2, exact);
    }
    reig_clear(E1);
    reig_clear(E2);
}

/* ---- tests ------------------------------------------------------------------- */

static void test_sizes_0_1(void)
{
    rmat_t A;
    reig_t E;
    rmat_init(A, 0, 0, 80);
    reig_init(E, 0, 80);
    CU_ASSERT_EQUAL(reig_sym(E, A), AE_OK);
    CU_ASSERT_EQUAL(reig_sym_jacobi(E, A), AE_OK);
    reig_clear(E);
    rmat_clear(A);
    rmat_init(A, 1, 1, 80);
    reig_init(E, 1, 80);
    mpfr_set_si_2exp(rmat_entry(A, 0, 0), -12345, -7, MPFR_RNDN);
    for (int s = 0; s < 2; s++) {
        CU_ASSERT_EQUAL(s ? reig_sym_jacobi(E, A) : reig_sym(E, A), AE_OK);
        CU_ASSERT_TRUE(mpfr_equal_p(E->values[0], rmat_entry(A, 0, 0)));
        CU_ASSERT_EQUAL(mpfr_cmpabs_ui(rmat_entry(E->vectors, 0, 0), 1), 0);
        CU_ASSERT_TRUE(mpfr_zero_p(E->resid[0]));
    }
    reig_clear(E);
    rmat_clear(A);
}

static void test_jacobi_vs_gsl(void)
{
    rand_init();
    for (long n = 2; n <= 12; n += 5) {
        rmat_t A;
        reig_t E;
        rmat_init(A, n, n, 53);
        reig_init(E, n, 53);
        rand_sym(A);
        CU_ASSERT_EQUAL(reig_sym_jacobi(E, A), AE_OK);
        gsl_matrix *Ad = gsl_matrix_alloc((size_t) n, (size_t) n);
        gsl_matrix *V = gsl_matrix_alloc((size_t) n, (size_t) n);
        gsl_vector *ev = gsl_vector_alloc((size_t) n);
        double *a = malloc((size_t) (n * n) * sizeof(double));
        rmat_get_d(a, A, MPFR_RNDN);     /* exact at 53 bits */
        for (long k = 0; k < n * n; k++)
            Ad->data[(k / n) * Ad->tda + (size_t) (k % n)] = a[k];
        CU_ASSERT_EQUAL(dmat_eigen_symm(ev, V, Ad), AE_OK);
        mpfr_t f;
        mpfr_init2(f, 53);
        rmat_frobenius(f, A, MPFR_RNDU);
        double tol = 8.0 * (double) n * DBL_EPSILON * mpfr_get_d(f, MPFR_RNDU);
        for (long i = 0; i < n; i++)
            CU_ASSERT_TRUE(fabs(mpfr_get_d(E->values[i], MPFR_RNDN) - gsl_vector_get(ev, (size_t) i)) <= tol);
        check_resid(E, A);
        check_basis(E);
        mpfr_clear(f);
        free(a);
        gsl_matrix_free(Ad);
        gsl_matrix_free(V);
        gsl_vector_free(ev);
        reig_clear(E);
        rmat_clear(A);
    }
    gmp_randclear(rs);
}

/* Jacobi at p and at 2p on the same matrix: values agree to 2^-p, and eigenvectors (up
 * to sign) to 2^-p ||A|| / gap. */
static void test_jacobi_vs_itself(void)
{
    rand_init();
    const mpfr_prec_t p = 90;
    const long n = 9;
    rmat_t A, A2;
    reig_t E, E2;
    rmat_init(A, n, n, p);
    rmat_init(A2, n, n, 2 * p);
    reig_init(E, n, p);
    reig_init(E2, n, 2 * p);
    rand_sym(A);
    rmat_set(A2, A, MPFR_RNDN);          /* exact */
    CU_ASSERT_EQUAL(reig_sym_jacobi(E, A), AE_OK);
    CU_ASSERT_EQUAL(reig_sym_jacobi(E2, A2), AE_OK);
    check_resid(E2, A2);
    check_same_values(E, E2, A, 8 * (unsigned long) n, p);
    mpfr_t gap, t, tol, d, nrm;
    mpfr_inits2(64, gap, t, tol, d, nrm, (mpfr_ptr) 0);
    rmat_frobenius(nrm, A, MPFR_RNDU);
    for (long i = 0; i < n; i++) {
        mpfr_set_inf(gap, 1);
        if (i > 0) {
            mpfr_sub(t, E2->values[i - 1], E2->values[i], MPFR_RNDD);
            mpfr_min(gap, gap, t, MPFR_RNDD);
        }
        if (i + 1 < n) {
            mpfr_sub(t, E2->values[i], E2->values[i + 1], MPFR_RNDD);
            mpfr_min(gap, gap, t, MPFR_RNDD);
        }
        mpfr_mul_ui(tol, nrm, 16 * (unsigned long) n, MPFR_RNDU);
        mpfr_mul_2si(tol, tol, -(long) p, MPFR_RNDU);
        mpfr_div(tol, tol, gap, MPFR_RNDU);
        int sign = mpfr_sgn(rmat_entry(E->vectors, 0, i)) == mpfr_sgn(rmat_entry(E2->vectors, 0, i)) ? 1 : -1;
        for (long k = 0; k < n; k++) {
            if (sign > 0)
                mpfr_sub(d, rmat_entry(E->vectors, k, i), rmat_entry(E2->vectors, k, i), MPFR_RNDN);
            else
                mpfr_add(d, rmat_entry(E->vectors, k, i), rmat_entry(E2->vectors, k, i), MPFR_RNDN);
            CU_ASSERT_TRUE(mpfr_cmpabs(d, tol) <= 0);
        }
    }
    mpfr_clears(gap, t, tol, d, nrm, (mpfr_ptr) 0);
    reig_clear(E);
    reig_clear(E2);
    rmat_clear(A);
    rmat_clear(A2);
    gmp_randclear(rs);
}

static void test_sym_vs_jacobi(void)
{
    rand_init();
    static const long sizes[] = {2, 3, 7, 20};
    static const mpfr_prec_t precs[] = {30, 64, 200, 600};
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
        for (size_t ip = 0; ip < sizeof precs / sizeof *precs; ip++) {
            rmat_t A;
            rmat_init(A, sizes[s], sizes[s], precs[ip]);
            rand_sym(A);
            solve_both_and_check(A, NULL);
            rmat_clear(A);
        }
    gmp_randclear(rs);
}

static void test_identity_and_diag(void)
{
    rmat_t A;
    rmat_init(A, 6, 6, 100);
    rmat_one(A);
    mpq_t *d = qvec_init(6);
    for (int i = 0; i < 6; i++)
        mpq_set_ui(d[i], 1, 1);
    solve_both_and_check(A, d);
    reig_t E;
    reig_init(E, 6, 100);
    reig_sym(E, A);
    for (int i = 0; i < 6; i++) {
        CU_ASSERT_EQUAL(mpfr_cmp_ui(E->values[i], 1), 0);
        CU_ASSERT_TRUE(mpfr_zero_p(E->resid[i]));
    }
    reig_clear(E);
    rmat_clear(A);
    /* diag(2, 2, 1), given in increasing order to exercise the sort */
    rmat_init(A, 3, 3, 64);
    mpfr_set_ui(rmat_entry(A, 0, 0), 1, MPFR_RNDN);
    mpfr_set_ui(rmat_entry(A, 1, 1), 2, MPFR_RNDN);
    mpfr_set_ui(rmat_entry(A, 2, 2), 2, MPFR_RNDN);
    mpq_set_ui(d[0], 1, 1);
    mpq_set_ui(d[1], 2, 1);
    mpq_set_ui(d[2], 2, 1);
    solve_both_and_check(A, d);
    rmat_clear(A);
    /* the same spectrum (with two more) hidden by a dense orthogonal similarity */
    rmat_init(A, 4, 4, 64);
    mpq_set_si(d[3], -3, 1);
    set_similar(A, d);
    solve_both_and_check(A, d);
    rmat_clear(A);
    qvec_clear(d, 6);
}

/* A 3-fold exact cluster and a near-cluster closer than double precision can resolve. */
static void test_clusters(void)
{
    const long n = 16;
    mpq_t *d = qvec_init(n);
    for (long i = 0; i < n; i++)
        mpq_set_si(d[i], (long) (i * 7 % 16) - 5, 4);
    mpq_set_ui(d[15], 37, 8);           /* (otherwise 1, which the near cluster uses) */
    mpq_set_ui(d[3], 5, 1);
    mpq_set_ui(d[8], 5, 1);
    mpq_set_ui(d[13], 5, 1);
    rmat_t A;
    rmat_init(A, n, n, 128);
    set_similar(A, d);
    solve_both_and_check(A, d);
    /* 1, 1 + 2^-60, 1 + 2^-59: well separated at 128 bits, not in double precision */
    mpq_set_ui(d[3], 1, 1);
    mpq_set_ui(d[8], 1, 1);
    mpq_set_ui(d[13], 1, 1);
    mpq_t e;
    mpq_init(e);
    mpq_set_ui(e, 1, 1);
    mpq_div_2exp(e, e, 60);
    mpq_add(d[8], d[8], e);
    mpq_add(d[13], d[13], e);
    mpq_add(d[13], d[13], e);
    set_similar(A, d);
    solve_both_and_check(A, d);
    /* the eigenvalues must be resolved individually, not just as a cluster */
    reig_t E;
    reig_init(E, n, 128);
    CU_ASSERT_EQUAL(reig_sym(E, A), AE_OK);
    mpfr_t t;
    mpfr_init2(t, 128);
    long hits = 0;
    for (long i = 0; i < n; i++)
        for (int k = 0; k < 3; k++) {
            mpfr_set_q(t, d[k == 0 ? 3 : k == 1 ? 8 : 13], MPFR_RNDN);
            mpfr_sub(t, t, E->values[i], MPFR_RNDN);
            if (mpfr_zero_p(t) || mpfr_get_exp(t) <= -100)     /* |t| < 2^-100 */
                hits++;
        }
    CU_ASSERT_EQUAL(hits, 3);
    mpfr_clear(t);
    reig_clear(E);
    mpq_clear(e);
    rmat_clear(A);
    qvec_clear(d, n);
}

/* B^T B with B integer k x n (k < n): exactly PSD with an (n - k)-fold zero eigenvalue. */
static void test_rank_deficient_psd(void)
{
    rand_init();
    const long n = 12, k = 5;
    rmat_t B, A;
    rmat_init(B, k, n, 53);
    rmat_init(A, n, n, 80);
    for (long t = 0; t < k * n; t++)
        mpfr_set_si(B->entries[t], (long) gmp_urandomm_ui(rs, 17) - 8, MPFR_RNDN);
    rmat_gram(A, B, MPFR_RNDN);         /* exact: small integers */
    solve_both_and_check(A, NULL);
    reig_t E;
    reig_init(E, n, 80);
    CU_ASSERT_EQUAL(reig_sym(E, A), AE_OK);
    for (long i = 0; i < n; i++) {
        /* certified: the zero eigenvalues are within resid of 0 and nothing is negative
         * beyond the bound */
        if (i >= k) {
            CU_ASSERT_TRUE(mpfr_cmpabs(E->values[i], E->resid[i]) <= 0);
        } else {
            CU_ASSERT_TRUE(mpfr_cmp_ui(E->values[i], 1) > 0);
        }
    }
    reig_clear(E);
    /* the zero matrix */
    rmat_zero(A);
    reig_init(E, n, 80);
    CU_ASSERT_EQUAL(reig_sym(E, A), AE_OK);
    for (long i = 0; i < n; i++)
        CU_ASSERT_TRUE(mpfr_zero_p(E->values[i]) && mpfr_zero_p(E->resid[i]));
    check_basis(E);
    reig_clear(E);
    rmat_clear(A);
    rmat_clear(B);
    gmp_randclear(rs);
}

/* Entries far outside double range (the GSL start works on a scaled copy). */
static void test_scaling(void)
{
    rand_init();
    const long n = 6;
    static const long shifts[] = {3000, -3000};
    rmat_t A, As;
    rmat_init(A, n, n, 120);
    rmat_init(As, n, n, 120);
    rand_sym(A);
    reig_t E, Es;
    reig_init(E, n, 120);
    reig_init(Es, n, 120);
    CU_ASSERT_EQUAL(reig_sym(E, A), AE_OK);
    for (int s = 0; s < 2; s++) {
        for (long t = 0; t < n * n; t++)
            mpfr_mul_2si(As->entries[t], A->entries[t], shifts[s], MPFR_RNDN);
        CU_ASSERT_EQUAL(reig_sym(Es, As), AE_OK);
        check_resid(Es, As);
        check_basis(Es);
        mpfr_t x;
        mpfr_init2(x, 120);
        for (long i = 0; i < n; i++) {
            mpfr_mul_2si(x, Es->values[i], -shifts[s], MPFR_RNDN);
            mpfr_sub(x, x, E->values[i], MPFR_RNDN);
            CU_ASSERT_TRUE(mpfr_zero_p(x) || mpfr_get_exp(x) < -100);
        }
        mpfr_clear(x);
    }
    reig_clear(E);
    reig_clear(Es);
    rmat_clear(A);
    rmat_clear(As);
    gmp_randclear(rs);
}

static void test_resid_bound(void)
{
    const long n = 3;
    rmat_t A, V;
    rmat_init(A, n, n, 53);
    rmat_init(V, n, 2, 53);
    rmat_one(A);
    mpfr_set_ui(rmat_entry(V, 0, 0), 3, MPFR_RNDN);     /* unnormalised exact eigenvector */
    mpfr_t lam, b;
    mpfr_inits2(53, lam, b, (mpfr_ptr) 0);
    mpfr_set_ui(lam, 1, MPFR_RNDN);
    CU_ASSERT_EQUAL(reig_resid_bound(b, A, lam, V, 0), AE_OK);
    CU_ASSERT_TRUE(mpfr_zero_p(b));
    mpfr_set_ui_2exp(lam, 1025, -10, MPFR_RNDN);       /* 1 + 2^-10: residual exactly 2^-10 */
    reig_resid_bound(b, A, lam, V, 0);
    CU_ASSERT_TRUE(mpfr_cmp_ui_2exp(b, 1, -10) >= 0);
    CU_ASSERT_TRUE(mpfr_cmp_ui_2exp(b, 1025, -20) <= 0);
    reig_resid_bound(b, A, lam, V, 1);                  /* zero vector */
    CU_ASSERT_TRUE(mpfr_inf_p(b) && mpfr_sgn(b) > 0);
    /* a residual sum that cannot be exact at the summation precision (terms 2^200 apart
     * that cancel): the bound must still hold, checked exactly */
    mpfr_set_ui_2exp(rmat_entry(A, 0, 1), 1, 200, MPFR_RNDN);
    mpfr_set_ui_2exp(rmat_entry(A, 1, 0), 1, 200, MPFR_RNDN);
    mpfr_set_si_2exp(rmat_entry(A, 0, 2), -1, 200, MPFR_RNDN);
    mpfr_set_si_2exp(rmat_entry(A, 2, 0), -1, 200, MPFR_RNDN);
    mpfr_set_ui(rmat_entry(V, 0, 0), 1, MPFR_RNDN);
    mpfr_set_ui(rmat_entry(V, 1, 0), 1, MPFR_RNDN);
    mpfr_set_ui(rmat_entry(V, 2, 0), 1, MPFR_RNDN);
    mpfr_set_ui_2exp(rmat_entry(A, 1, 1), 3, -300, MPFR_RNDN);
    mpfr_set_ui(lam, 1, MPFR_RNDN);
    reig_resid_bound(b, A, lam, V, 0);
    /* exact residual: (1 - 1, 2^200 + 3 2^-300 - 1, -2^200 + 1 - 1) */
    mpq_t r2, t, bq;
    mpq_inits(r2, t, bq, NULL);
    mpq_set_ui(t, 1, 1);
    mpq_mul_2exp(t, t, 200);
    mpq_set_ui(r2, 3, 1);
    mpq_div_2exp(r2, r2, 300);
    mpq_add(t, t, r2);
    mpq_set_si(r2, -1, 1);
    mpq_add(t, t, r2);
    mpq_mul(r2, t, t);                  /* component 1 squared */
    mpq_set_ui(t, 1, 1);
    mpq_mul_2exp(t, t, 200);
    mpq_mul(t, t, t);
    mpq_add(r2, r2, t);                 /* + (2^200)^2 */
    mpq_set_ui(t, 3, 1);                /* ||v||^2 */
    mpfr_get_q(bq, b);
    mpq_mul(bq, bq, bq);
    mpq_mul(bq, bq, t);
    CU_ASSERT_TRUE(mpq_cmp(r2, bq) <= 0);
    mpq_clears(r2, t, bq, NULL);
    mpfr_clears(lam, b, (mpfr_ptr) 0);
    rmat_clear(A);
    rmat_clear(V);
}

static void test_misuse(void)
{
    rmat_t A, B, C;
    reig_t E, F;
    rmat_init(A, 3, 3, 64);
    rmat_init(B, 3, 4, 64);
    rmat_init(C, 3, 3, 65);
    reig_init(E, 3, 64);
    reig_init(F, 2, 64);
    TU_EXPECT_ERROR(reig_sym(E, B));                   /* not square */
    TU_EXPECT_ERROR(reig_sym_jacobi(E, B));
    TU_EXPECT_ERROR(reig_sym(E, C));                   /* precision mismatch */
    TU_EXPECT_ERROR(reig_sym_jacobi(E, C));
    TU_EXPECT_ERROR(reig_sym(F, A));                   /* size mismatch */
    mpfr_set_ui(rmat_entry(A, 0, 1), 1, MPFR_RNDN);    /* not symmetric */
    TU_EXPECT_ERROR(reig_sym(E, A));
    TU_EXPECT_ERROR(reig_sym_jacobi(E, A));
    mpfr_set_ui(rmat_entry(A, 1, 0), 1, MPFR_RNDN);
    CU_ASSERT_EQUAL(reig_sym(E, A), AE_OK);
    mpfr_set_nan(rmat_entry(A, 2, 2));                 /* NaN */
    TU_EXPECT_ERROR(reig_sym(E, A));
    mpfr_set_ui(rmat_entry(A, 2, 2), 0, MPFR_RNDN);
    mpfr_t b, lam;
    mpfr_inits2(30, b, lam, (mpfr_ptr) 0);
    mpfr_set_ui(lam, 0, MPFR_RNDN);
    TU_EXPECT_ERROR(reig_resid_bound(b, A, lam, E->vectors, 3));
    TU_EXPECT_ERROR(reig_resid_bound(b, B, lam, E->vectors, 0));
    mpfr_set_inf(lam, 1);
    TU_EXPECT_ERROR(reig_resid_bound(b, A, lam, E->vectors, 0));
    reig_t G;
    TU_EXPECT_ERROR(reig_init(G, -2, 64));
    reig_clear(G);
    mpfr_clears(b, lam, (mpfr_ptr) 0);
    reig_clear(E);
    reig_clear(F);
    rmat_clear(A);
    rmat_clear(B);
    rmat_clear(C);
}

/* 1 iff Ea and Eb hold the same bits (values, vectors, bounds). */
static int same_bits(const reig_t Ea, const reig_t Eb)
{
    long n = Ea->n;
    int same = Eb->n == n;
    for (long i = 0; same && i < n; i++) {
        same = mpfr_equal_p(Ea->values[i], Eb->values[i]) && mpfr_equal_p(Ea->resid[i], Eb->resid[i]);
        for (long j = 0; same && j < n; j++)
            same = mpfr_equal_p(rmat_entry(Ea->vectors, i, j), rmat_entry(Eb->vectors, i, j));
    }
    return same;
}

/* The start of reig_sym does not matter: from GSL's start, and from its vectors rounded to
 * double, each entry moved by up to 4 ulps, the columns reversed, every other column
 * negated, and inside each exact cluster the columns rotated by (3/5, 4/5), the outputs are
 * bit-identical (the canonicalisation of reig_sym; what L2/L3's certified numbers need). */
static void perturbed_start_same(const rmat_t A)
{
    long n = A->r;
    reig_t E1, E2;
    reig_init(E1, n, A->prec);
    reig_init(E2, n, A->prec);
    CU_ASSERT_EQUAL_FATAL(reig_sym(E1, A), AE_OK);
    rmat_t X0;
    rmat_init(X0, n, n, 53);
    gsl_rng *r = tu_rng();
    for (long j = 0; j < n; j++) {
        long src = n - 1 - j;
        for (long i = 0; i < n; i++) {
            double x = mpfr_get_d(rmat_entry(E1->vectors, i, src), MPFR_RNDN);
            int k = (int) gsl_rng_uniform_int(r, 9) - 4;
            for (; k > 0; k--)
                x = nextafter(x, INFINITY);
            for (; k < 0; k++)
                x = nextafter(x, -INFINITY);
            mpfr_set_d(rmat_entry(X0, i, j), j % 2 ? -x : x, MPFR_RNDN);
        }
    }
    for (long j = 0; j + 1 < n; j++)
        if (mpfr_equal_p(E1->values[n - 1 - j], E1->values[n - 2 - j]))
            for (long i = 0; i < n; i++) {
                double a = mpfr_get_d(rmat_entry(X0, i, j), MPFR_RNDN);
                double b = mpfr_get_d(rmat_entry(X0, i, j + 1), MPFR_RNDN);
                mpfr_set_d(rmat_entry(X0, i, j), 0.6 * a + 0.8 * b, MPFR_RNDN);
                mpfr_set_d(rmat_entry(X0, i, j + 1), -0.8 * a + 0.6 * b, MPFR_RNDN);
            }
    CU_ASSERT_EQUAL(reig_sym_start(E2, A, X0), AE_OK);
    CU_ASSERT_TRUE(same_bits(E1, E2));
    check_resid(E2, A);
    gsl_rng_free(r);
    rmat_clear(X0);
    reig_clear(E1);
    reig_clear(E2);
}

static void test_start_independent(void)
{
    const long n = 8;
    rand_init();
    rmat_t A;
    rmat_init(A, n, n, 128);
    for (int rep = 0; rep < 3; rep++) {
        rand_sym(A);
        perturbed_start_same(A);
    }
    mpq_t *d = qvec_init(n);
    for (long i = 0; i < n; i++)
        mpq_set_si(d[i], (long) (i * 5 % 8) - 3, 2);
    perturbed_start_same((set_similar(A, d), A));
    mpq_set_ui(d[1], 5, 1);                 /* a triple 5 and a double 0 */
    mpq_set_ui(d[4], 5, 1);
    mpq_set_ui(d[6], 5, 1);
    mpq_set_ui(d[0], 0, 1);
    mpq_set_ui(d[7], 0, 1);
    perturbed_start_same((set_similar(A, d), A));
    rmat_t B;
    rmat_init(B, n, n, 200);
    rand_sym(B);
    perturbed_start_same(B);
    rmat_clear(B);
    reig_t E;
    reig_init(E, n, 128);
    TU_EXPECT_ERROR(reig_sym_start(E, A, NULL));
    rmat_t Z;
    rmat_init(Z, n - 1, n, 53);
    TU_EXPECT_ERROR(reig_sym_start(E, A, Z));           /* wrong shape */
    rmat_clear(Z);
    reig_clear(E);
    /* sizes 0 and 1: a 1 x 1 start of either sign gives the same (+1) vector */
    rmat_t A0, X1, A1;
    rmat_init(A0, 0, 0, 128);
    rmat_init(A1, 1, 1, 128);
    rmat_init(X1, 1, 1, 53);
    reig_init(E, 0, 128);
    CU_ASSERT_EQUAL(reig_sym_start(E, A0, A0), AE_OK);
    reig_clear(E);
    reig_init(E, 1, 128);
    mpfr_set_d(rmat_entry(A1, 0, 0), -2.5, MPFR_RNDN);
    mpfr_set_d(rmat_entry(X1, 0, 0), -0.75, MPFR_RNDN);
    CU_ASSERT_EQUAL(reig_sym_start(E, A1, X1), AE_OK);
    CU_ASSERT(mpfr_cmp_d(rmat_entry(E->vectors, 0, 0), 1) == 0 && mpfr_cmp_d(E->values[0], -2.5) == 0);
    CU_ASSERT(mpfr_zero_p(E->resid[0]));
    reig_clear(E);
    rmat_clear(A0);
    rmat_clear(A1);
    rmat_clear(X1);
    qvec_clear(d, n);
    rmat_clear(A);
    gmp_randclear(rs);
}

int main(void)
{
    static const tu_test T[] = {
        {"sizes 0 and 1", test_sizes_0_1},
        {"Jacobi against GSL at 53 bits", test_jacobi_vs_gsl},
        {"Jacobi at p against Jacobi at 2p", test_jacobi_vs_itself},
        {"reig_sym against Jacobi, bounds rigorous", test_sym_vs_jacobi},
        {"identity, diag(2,2,1), dense similar", test_identity_and_diag},
        {"exact and near clusters", test_clusters},
        {"rank-deficient PSD and zero", test_rank_deficient_psd},
        {"entries beyond double range", test_scaling},
        {"reig_resid_bound", test_resid_bound},
        {"misuse", test_misuse},
        {"output independent of the start (canonical)", test_start_independent},
        {NULL, NULL}};
    return tu_run("reig", 20240612UL, T);
}
