/* pdcert — see pdcert.h for the theorem; the rounding argument of every step that feeds
 * it is beside the code. */
#include "pdcert.h"

#include <assert.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include <mpfr.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#include "aeerr.h"
#include "zvec.h"

/* The theorem models every operation as one IEEE binary64 rounding. */
#if FLT_EVAL_METHOD != 0
#error "pdcert needs FLT_EVAL_METHOD == 0 (no excess precision, e.g. SSE2, not x87)"
#endif

__extension__ typedef __int128 pd_i128;
__extension__ typedef unsigned __int128 pd_u128;

/* Float power iterations for the Collatz-Wielandt vector. */
#define PD_POWER_ITERS 60

/* ---- the Cholesky certificate ------------------------------------------------------ */

/* The double nearest q in direction rnd (MPFR_RNDD or MPFR_RNDU): mpfr_set_q rounds q to
 * 53 bits in that direction and mpfr_get_d rounds again in the same direction (only in
 * the subnormal range does it change anything), so the result is on q's side. */
static double q_to_d(const mpq_t q, mpfr_rnd_t rnd)
{
    mpfr_t f;
    mpfr_init2(f, 53);
    mpfr_set_q(f, q, rnd);
    double d = mpfr_get_d(f, rnd);
    mpfr_clear(f);
    return d;
}

/* c = 2 (gamma_{n+1} / (1 - 2 gamma_{n+1}) tr(A) + 4 n (2 (n + 2) + d) eta), exactly, with
 * d = max_i A_ii >= 0.  The roles of the terms in the theorem's proof: a completed
 * floating-point factorization satisfies R^T R = At + Delta with |x^T Delta x| <= c for
 * every unit x; the gamma term covers rounding in the normal range (each entry of R^T R
 * is an (n+1)-term recurrence, hence gamma_{n+1}; summed over the diagonal, hence
 * tr(A)), the eta term underflow (an absolute error of at most eta per operation, n
 * operations per entry, entries up to d).  A = At + D with D diagonal, D >= c I, so for
 * unit x: x^T A x >= ||R x||^2 - x^T Delta x + c > 0 (R has a positive diagonal, so
 * R x != 0).  The constants are the published ones, checked against the Coq statement
 * (pdcert.h), not re-derived here, and doubled.
 * gamma_{n+1} = (n+1) u / (1 - (n+1) u) = (n+1) / (2^53 - (n+1)), so
 * gamma / (1 - 2 gamma) = (n+1) / (2^53 - 3 (n+1)), positive since 3 (n+1) < 2^53. */
static void rump_c(mpq_t c, const double *A, long n)
{
    mpq_t tr, d, t;
    mpq_inits(tr, d, t, (mpq_ptr) NULL);
    for (long i = 0; i < n; i++) {
        mpq_set_d(t, A[i * n + i]);
        mpq_add(tr, tr, t);
        if (mpq_cmp(t, d) > 0)
            mpq_set(d, t);
    }
    /* first term: tr (n+1) / (2^53 - 3 (n+1)) */
    mpz_ui_pow_ui(mpq_denref(t), 2, 53);
    mpz_sub_ui(mpq_denref(t), mpq_denref(t), 3 * (unsigned long) (n + 1));
    mpz_set_ui(mpq_numref(t), (unsigned long) (n + 1));
    mpq_canonicalize(t);
    mpq_mul(c, tr, t);
    /* second term: 4 n (2 (n + 2) + d) 2^-1074 */
    mpq_set_ui(t, 2 * (unsigned long) (n + 2), 1);
    mpq_add(t, t, d);
    mpq_mul_2exp(t, t, 2);
    mpz_mul_ui(mpq_numref(t), mpq_numref(t), (unsigned long) n);
    mpq_div_2exp(t, t, 1074);
    mpq_add(c, c, t);
    mpq_mul_2exp(c, c, 1);              /* the safety factor 2 */
    mpq_clears(tr, d, t, (mpq_ptr) NULL);
}

/* 1 if the floating-point Cholesky decomposition of the n x n matrix At (upper triangle
 * read) runs to completion: every pivot > 0 and every entry finite.  The order of every
 * operation is the one in pdcert.h; R is kept by columns (Rc[j n + k] = R_kj). */
static int chol_runs(const double *At, long n)
{
    double *Rc = ae_malloc((size_t) (n > 0 ? n * n : 1) * sizeof(double));
    int ok = 1;
    for (long j = 0; j < n && ok; j++) {
        const double *cj = Rc + j * n;
        for (long i = 0; i < j && ok; i++) {
            const double *ci = Rc + i * n;
            double s = At[i * n + j];
            for (long k = 0; k < i; k++) {
                double p = ci[k] * cj[k];
                s = s - p;
            }
            double r = s / ci[i];
            Rc[j * n + i] = r;
            ok = isfinite(r);
        }
        if (!ok)
            break;
        double s = At[j * n + j];
        for (long k = 0; k < j; k++) {
            double p = cj[k] * cj[k];
            s = s - p;
        }
        ok = s > 0 && isfinite(s);      /* also rejects NaN */
        if (ok)
            Rc[j * n + j] = sqrt(s);
    }
    free(Rc);
    return ok;
}

int pdcert_chol(const double *A, long n)
{
    if (A == NULL || n < 0 || n > (1L << 24)) {
        ae_error(__func__, "needs a matrix and 0 <= n <= 2^24 (got n = %ld)", n);
        return AE_EINVAL;
    }
    for (long i = 0; i < n; i++)
        for (long j = 0; j < n; j++)
            if (!isfinite(A[i * n + j]) || A[i * n + j] != A[j * n + i]) {
                ae_error(__func__, "entry (%ld, %ld) is not finite or not symmetric", i, j);
                return AE_EINVAL;
            }
    for (long i = 0; i < n; i++)
        if (A[i * n + i] < 0)
            return 0;                   /* the theorem needs A_ii >= 0; A is not PD */
    if (n == 0)
        return 1;
    mpq_t c, t;
    mpq_inits(c, t, (mpq_ptr) NULL);
    rump_c(c, A, n);
    double *At = ae_malloc((size_t) (n * n) * sizeof(double));
    for (long i = 0; i < n * n; i++)
        At[i] = A[i];
    /* At_ii <= A_ii - c as reals: A_ii - c exactly, rounded down */
    for (long i = 0; i < n; i++) {
        mpq_set_d(t, A[i * n + i]);
        mpq_sub(t, t, c);
        At[i * n + i] = q_to_d(t, MPFR_RNDD);
    }
    int ok = chol_runs(At, n);
    free(At);
    mpq_clears(c, t, (mpq_ptr) NULL);
    return ok;
}

/* ---- the exact Gram matrix ---------------------------------------------------------- */

/* z = v exactly. */
static void z_set_i128(mpz_t z, pd_i128 v)
{
    pd_u128 a = v < 0 ? -(pd_u128) v : (pd_u128) v;
    uint64_t w[2] = { (uint64_t) a, (uint64_t) (a >> 64) };
    mpz_import(z, 2, -1, sizeof(uint64_t), 0, 0, w);
    if (v < 0)
        mpz_neg(z, z);
}

/* The machine path splits every entry into signed chunks of PD_CHUNK bits,
 *   a = sign(a) sum_c h_c 2^(PD_CHUNK c),  0 <= h_c < 2^PD_CHUNK,  a_c = sign(a) h_c,
 * so that G_ij = sum_r a_ir a_jr = sum_{c,d} 2^(PD_CHUNK (c+d)) S_cd, S_cd = sum_r a_irc a_jrd
 * with |a_irc a_jrd| < 2^112: an __int128 holds S_cd (and every partial sum) when
 * L 2^112 < 2^127, i.e. L < 2^15.  Float32 mantissas need one chunk, float64 ones of
 * spread exponents two or three; beyond PD_MAXCH chunks plain mpz products are used. */
#define PD_CHUNK 56
#define PD_MAXCH 4
#if ULONG_MAX < 0xFFFFFFFFFFFFFFFF
#define PD_MACHINE 0            /* mpz_get_ui cannot hold a chunk */
#else
#define PD_MACHINE 1
#endif

/* Chunk c of entry e: Tch[(c k + t) L + r] for the entry at row t, position r of T. */
static void put_chunks(long *Tch, long C, long k, long L, long t, long r, const mpz_t a,
                       const long *as, mpz_t w)
{
    int neg;
    if (as != NULL) {
        neg = *as < 0;
        unsigned long u = neg ? (unsigned long) (-(*as + 1)) + 1 : (unsigned long) *as;
        for (long c = 0; c < C; c++) {
            unsigned long h = c * PD_CHUNK < 64 ? (u >> (c * PD_CHUNK)) : 0;
            h &= (1UL << PD_CHUNK) - 1;
            Tch[(c * k + t) * L + r] = neg ? -(long) h : (long) h;
        }
        return;
    }
    neg = mpz_sgn(a) < 0;
    mpz_abs(w, a);
    for (long c = 0; c < C; c++) {
        unsigned long h = mpz_getlimbn(w, 0) & ((1UL << PD_CHUNK) - 1);
        if (mpz_sgn(w) == 0)
            h = 0;
        Tch[(c * k + t) * L + r] = neg ? -(long) h : (long) h;
        mpz_tdiv_q_2exp(w, w, PD_CHUNK);
    }
}

/* The number of chunks for every entry (0 when the machine path does not apply). */
static long chunk_count(const mpz_t *A, const long *As, long nw, long L)
{
    if (!PD_MACHINE || sizeof(mp_limb_t) < 8 || L >= (1L << 15))
        return 0;
    size_t bits = 1;
    for (long i = 0; i < nw; i++) {
        size_t b;
        if (As != NULL) {
            unsigned long u = As[i] < 0 ? (unsigned long) (-(As[i] + 1)) + 1 : (unsigned long) As[i];
            b = 0;
            while (u) {
                b++;
                u >>= 1;
            }
        } else {
            b = mpz_sizeinbase(A[i], 2);
        }
        bits = b > bits ? b : bits;
    }
    long C = (long) ((bits + PD_CHUNK - 1) / PD_CHUNK);
    return C <= PD_MAXCH ? C : 0;
}

/* G_ij (i <= j, mirrored) from the chunks. */
static void gram_chunked(mpz_t *G, const long *Tch, long C, long k, long L)
{
    mpz_t t;
    mpz_init(t);
    for (long i = 0; i < k; i++)
        for (long j = i; j < k; j++) {
            for (long c = 0; c < C; c++)
                for (long d = 0; d < C; d++) {
                    const long *a = Tch + (c * k + i) * L, *b = Tch + (d * k + j) * L;
                    pd_i128 s = 0;
                    for (long r = 0; r < L; r++)
                        s += (pd_i128) a[r] * b[r];
                    if (s == 0)
                        continue;
                    z_set_i128(t, s);
                    mpz_mul_2exp(t, t, (mp_bitcnt_t) (PD_CHUNK * (c + d)));
                    mpz_add(G[i * k + j], G[i * k + j], t);
                }
            if (j != i)
                mpz_set(G[j * k + i], G[i * k + j]);
        }
    mpz_clear(t);
}

/* G (k x k, full, row-major) = T T^T where row t of T (length L) is column t of A when
 * n <= m (k = n, L = m), else row t of A (k = m, L = n). */
static mpz_t *gram_exact(const mpz_t *A, const long *As, long m, long n, long *kout)
{
    int tr = n <= m;
    long k = tr ? n : m, L = tr ? m : n;
    mpz_t *G = zvec_init(k * k);
    *kout = k;
    long C = chunk_count(A, As, m * n, L);
    if (C > 0) {
        long *Tch = ae_malloc((size_t) (C * k * L > 0 ? C * k * L : 1) * sizeof(long));
        mpz_t w;
        mpz_init(w);
        for (long t = 0; t < k; t++)
            for (long r = 0; r < L; r++) {
                long e = tr ? r * n + t : t * n + r;
                put_chunks(Tch, C, k, L, t, r, A[e], As ? As + e : NULL, w);
            }
        mpz_clear(w);
        gram_chunked(G, Tch, C, k, L);
        free(Tch);
        return G;
    }
    const __mpz_struct **T = ae_malloc((size_t) (k * L > 0 ? k * L : 1) * sizeof(*T));
    for (long t = 0; t < k; t++)
        for (long r = 0; r < L; r++)
            T[t * L + r] = tr ? A[r * n + t] : A[t * n + r];
    for (long i = 0; i < k; i++)
        for (long j = i; j < k; j++) {
            for (long r = 0; r < L; r++)
                mpz_addmul(G[i * k + j], T[i * L + r], T[j * L + r]);
            if (j != i)
                mpz_set(G[j * k + i], G[i * k + j]);
        }
    free(T);
    return G;
}

/* Gd = G 2^-s entrywise: mpz_get_d_2exp truncates to 53 bits (error < 2^-52 |G_ij|, as
 * |G_ij| >= 2^(ex-1)), and ldexp is exact unless the result is subnormal (then one more
 * error <= 2^-1075).  Hence |G_ij 2^-s - Gd_ij| <= 2^-52 |G_ij 2^-s| + 2^-1074. */
static double *gram_double(const mpz_t *G, long k, long s)
{
    double *Gd = ae_malloc((size_t) (k > 0 ? k * k : 1) * sizeof(double));
    for (long i = 0; i < k * k; i++) {
        long ex;
        double d = mpz_get_d_2exp(&ex, G[i]);
        long sh = ex - s;
        Gd[i] = d == 0 ? 0 : ldexp(d, (int) (sh < -2000 ? -2000 : sh > 2000 ? 2000 : sh));
    }
    return Gd;
}

/* ---- Collatz-Wielandt on |G| -------------------------------------------------------- */

/* x (k integers in [1, 2^30 + 1]) ~ the Perron vector of |Gd|; any x > 0 is valid. */
static void perron(long *x, const double *Gd, long k)
{
    double *v = ae_malloc((size_t) k * sizeof(double)), *y = ae_malloc((size_t) k * sizeof(double));
    for (long i = 0; i < k; i++)
        v[i] = 1;
    for (int it = 0; it < PD_POWER_ITERS; it++) {
        double mx = 0;
        for (long i = 0; i < k; i++) {
            double s = 0;
            for (long j = 0; j < k; j++)
                s += fabs(Gd[i * k + j]) * v[j];
            y[i] = s;
            mx = s > mx ? s : mx;
        }
        if (!(mx > 0) || !isfinite(mx))
            break;
        for (long i = 0; i < k; i++)
            v[i] = y[i] / mx + 1e-12;   /* stay positive */
    }
    double mx = 0;
    for (long i = 0; i < k; i++)
        mx = isfinite(v[i]) && v[i] > mx ? v[i] : mx;
    for (long i = 0; i < k; i++) {
        double t = mx > 0 && isfinite(v[i]) ? v[i] / mx : 1;
        x[i] = 1 + (long) floor(t * 1073741824.0);
    }
    free(v);
    free(y);
}

/* lc = max_i (|G| x)_i / x_i exactly (Collatz-Wielandt: rho(|G|) <= lc for x > 0, and
 * lambda_max(G) <= rho(G) <= rho(|G|) since |G v| <= |G| |v| entrywise). */
static void collatz_gram(mpq_t lc, const mpz_t *G, const double *Gd, long k)
{
    long *x = ae_malloc((size_t) k * sizeof(long));
    perron(x, Gd, k);
    mpz_t z, w, zb, p1, p2;
    mpz_inits(z, w, zb, p1, p2, (mpz_ptr) NULL);
    long xb = 1;
    for (long i = 0; i < k; i++) {
        mpz_set_ui(z, 0);
        for (long j = 0; j < k; j++) {
            mpz_abs(w, G[i * k + j]);
            mpz_addmul_ui(z, w, (unsigned long) x[j]);
        }
        /* z / x_i > zb / xb  <=>  z xb > zb x_i */
        mpz_mul_ui(p1, z, (unsigned long) xb);
        mpz_mul_ui(p2, zb, (unsigned long) x[i]);
        if (i == 0 || mpz_cmp(p1, p2) > 0) {
            mpz_set(zb, z);
            xb = x[i];
        }
    }
    mpq_set_z(lc, zb);
    mpz_set_ui(w, (unsigned long) xb);
    mpq_set_den(lc, w);
    mpq_canonicalize(lc);
    mpz_clears(z, w, zb, p1, p2, (mpz_ptr) NULL);
    free(x);
}

/* ---- the Cholesky route ------------------------------------------------------------- */

/* The largest eigenvalue of the double matrix Gd by GSL (no guarantee), or NaN. */
static double float_lmax(const double *Gd, long k)
{
    gsl_set_error_handler_off();
    gsl_matrix *M = gsl_matrix_alloc((size_t) k, (size_t) k);
    gsl_vector *ev = gsl_vector_alloc((size_t) k);
    gsl_eigen_symm_workspace *ws = gsl_eigen_symm_alloc((size_t) k);
    double lm = NAN;
    if (M != NULL && ev != NULL && ws != NULL) {
        for (long i = 0; i < k * k; i++)
            M->data[(i / k) * M->tda + (i % k)] = Gd[i];
        if (gsl_eigen_symm(M, ev, ws) == GSL_SUCCESS)
            lm = gsl_vector_max(ev);
    }
    if (ws != NULL)
        gsl_eigen_symm_free(ws);
    if (ev != NULL)
        gsl_vector_free(ev);
    if (M != NULL)
        gsl_matrix_free(M);
    return lm;
}

/* delta = a double >= ||E||_2, E the off-diagonal part of G 2^-s - Gd.  E is symmetric, so
 * ||E||_2 <= ||E||_inf = max_i sum_{j != i} |E_ij|
 *        <= max_i (2^-52 2^-s sum_{j != i} |G_ij| + (k - 1) 2^-1074)   (gram_double),
 * computed exactly and rounded up. */
static double offdiag_delta(const mpz_t *G, long k, long s)
{
    mpz_t r, rmax, w;
    mpz_inits(r, rmax, w, (mpz_ptr) NULL);
    for (long i = 0; i < k; i++) {
        mpz_set_ui(r, 0);
        for (long j = 0; j < k; j++)
            if (j != i) {
                mpz_abs(w, G[i * k + j]);
                mpz_add(r, r, w);
            }
        if (mpz_cmp(r, rmax) > 0)
            mpz_set(rmax, r);
    }
    mpq_t d, t;
    mpq_inits(d, t, (mpq_ptr) NULL);
    mpq_set_z(d, rmax);
    mpq_div_2exp(d, d, (mp_bitcnt_t) (s + 52));
    mpq_set_ui(t, (unsigned long) (k - 1), 1);
    mpq_div_2exp(t, t, 1074);
    mpq_add(d, d, t);
    double delta = q_to_d(d, MPFR_RNDU);
    mpq_clears(d, t, (mpq_ptr) NULL);
    mpz_clears(r, rmax, w, (mpz_ptr) NULL);
    return delta;
}

/* 1 if mu I - G 2^-s is certified positive definite.  The matrix handed to pdcert_chol:
 *   X_ij = -Gd_ij (i != j),   X_ii = (mu - G_ii 2^-s - delta) rounded down (exact inputs).
 * Then mu I - G 2^-s - X = D + E with D = diag(mu - G_ii 2^-s - X_ii) >= delta I and E the
 * off-diagonal rounding of Gd (||E||_2 <= delta), so mu I - G 2^-s >= X + (delta -
 * ||E||_2) I >= X in the Loewner order, and X positive definite implies it. */
static int certify_mu(const mpz_t *G, const double *Gd, long k, long s, double mu, double delta)
{
    double *X = ae_malloc((size_t) (k * k) * sizeof(double));
    mpq_t t, g;
    mpq_inits(t, g, (mpq_ptr) NULL);
    for (long i = 0; i < k; i++)
        for (long j = 0; j < k; j++) {
            if (i != j) {
                X[i * k + j] = -Gd[i * k + j];
                continue;
            }
            mpq_set_d(t, mu);
            mpq_set_z(g, G[i * k + i]);
            mpq_div_2exp(g, g, (mp_bitcnt_t) s);
            mpq_sub(t, t, g);
            mpq_set_d(g, delta);
            mpq_sub(t, t, g);
            X[i * k + i] = q_to_d(t, MPFR_RNDD);
        }
    int ok = pdcert_chol(X, k);
    assert(ok == 0 || ok == 1);
    mpq_clears(t, g, (mpq_ptr) NULL);
    free(X);
    return ok == 1;
}

/* lr = mu 2^s for the first margin 2^-kk whose mu = lambda (1 + 2^-kk) certifies. */
static int rump_gram(mpq_t lr, const mpz_t *G, const double *Gd, long k, long s)
{
    static const int margins[] = { 30, 20, 10, 5, 2 };
    double lam = float_lmax(Gd, k);
    double dmax = 0;
    for (long i = 0; i < k; i++)
        dmax = Gd[i * k + i] > dmax ? Gd[i * k + i] : dmax;
    if (!isfinite(lam))
        return 0;
    if (lam < dmax)
        lam = dmax;             /* lambda_max >= max G_ii: never start below that */
    double delta = offdiag_delta(G, k, s);
    for (size_t a = 0; a < sizeof margins / sizeof margins[0]; a++) {
        double mu = lam + ldexp(lam, -margins[a]);
        if (certify_mu(G, Gd, k, s, mu, delta)) {
            mpq_set_d(lr, mu);
            mpq_mul_2exp(lr, lr, (mp_bitcnt_t) s);
            return 1;
        }
    }
    return 0;
}

int pdcert_gram_lmax(mpq_t lr, mpq_t lc, const mpz_t *A, const long *As, long m, long n)
{
    if (lr == NULL || lc == NULL || lr == lc || A == NULL || m < 0 || n < 0) {
        ae_error(__func__, "needs two distinct outputs, a matrix and m, n >= 0 (got %ld x %ld)",
                 m, n);
        return AE_EINVAL;
    }
    long k;
    mpz_t *G = gram_exact(A, As, m, n, &k);
    /* s: the largest diagonal entry of G 2^-s lies in [1/2, 1); |G_ij| <= sqrt(G_ii G_jj)
     * (G is a Gram matrix), so every entry of G 2^-s is below 1 in magnitude. */
    long s = 0;
    for (long i = 0; i < k; i++) {
        long b = mpz_sgn(G[i * k + i]) ? (long) mpz_sizeinbase(G[i * k + i], 2) : 0;
        s = b > s ? b : s;
    }
    int rc = AE_OK;
    if (s == 0) {               /* G = 0 */
        mpq_set_ui(lr, 0, 1);
        mpq_set_ui(lc, 0, 1);
    } else {
        double *Gd = gram_double(G, k, s);
        collatz_gram(lc, G, Gd, k);
        if (!rump_gram(lr, G, Gd, k, s)) {
            mpq_set(lr, lc);
            rc = AE_NOTVERIFIED;
        }
        free(Gd);
    }
    zvec_clear(G, k * k);
    return rc;
}
