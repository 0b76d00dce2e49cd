/* farfield — see farfield.h for the mathematics; the derivations of the individual
 * rounding directions are beside the code. */
#include "farfield.h"

#include <assert.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>

#include "aeerr.h"
#include "qnum.h"
#include "pdcert.h"
#include "pmath.h"
#include "zvec.h"

/* Precision of every square root taken here (relative 2^-64: far below any float
 * tolerance, and the results stay small dyadic rationals). */
#define FF_PREC 64
/* Float power iterations of the Collatz-Wielandt bound. */
#define FF_POWER_ITERS 40
#define FF_PI 3.14159265358979323846

/* ---- layer norms ------------------------------------------------------------------- */

/* The mantissa of entry i of layer l as an mpz (the machine copy when there is one). */
static void entry_abs(mpz_t z, const qnet_t q, long l, long i)
{
    if (q->Ws && q->Ws[l])
        mpz_set_si(z, q->Ws[l][i]);
    else
        mpz_set(z, q->W[l][i]);
    mpz_abs(z, z);
}

/* |M| as doubles scaled by a common power of two (so huge mantissas cannot overflow);
 * only the direction of the power iteration depends on it. */
static double *abs_double(const qnet_t q, long l)
{
    long nw = q->sizes[l + 1] * q->sizes[l];
    double *A = ae_malloc((size_t) (nw > 0 ? nw : 1) * sizeof(double));
    long emax = LONG_MIN;
    long *ex = ae_malloc((size_t) (nw > 0 ? nw : 1) * sizeof(long));
    for (long i = 0; i < nw; i++) {
        A[i] = fabs(mpz_get_d_2exp(&ex[i], q->W[l][i]));
        if (A[i] != 0 && ex[i] > emax)
            emax = ex[i];
    }
    for (long i = 0; i < nw; i++)
        A[i] = A[i] == 0 ? 0 : ldexp(A[i], (int) (ex[i] - emax < -2000 ? -2000 : ex[i] - emax));
    free(ex);
    return A;
}

/* x (n positive integers < 2^31) ~ the Perron vector of |M|^T |M| by power iteration in
 * double; any x > 0 gives a valid bound, the iteration only makes it tight. */
static void perron_guess(long *x, const qnet_t q, long l)
{
    long m = q->sizes[l + 1], n = q->sizes[l];
    double *A = abs_double(q, l);
    double *v = ae_malloc((size_t) (n > 0 ? n : 1) * sizeof(double));
    double *y = ae_malloc((size_t) (m > 0 ? m : 1) * sizeof(double));
    for (long j = 0; j < n; j++)
        v[j] = 1;
    for (int it = 0; it < FF_POWER_ITERS; it++) {
        for (long i = 0; i < m; i++) {
            double s = 0;
            for (long j = 0; j < n; j++)
                s += A[i * n + j] * v[j];
            y[i] = s;
        }
        for (long j = 0; j < n; j++)
            v[j] = 0;
        for (long i = 0; i < m; i++)
            for (long j = 0; j < n; j++)
                v[j] += A[i * n + j] * y[i];
        double mx = 0;
        for (long j = 0; j < n; j++)
            mx = v[j] > mx ? v[j] : mx;
        if (!(mx > 0) || !isfinite(mx))
            break;
        for (long j = 0; j < n; j++)
            v[j] = v[j] / mx + 1e-12;   /* stay positive; 1e-12 keeps zero columns alive */
    }
    double mx = 0;
    for (long j = 0; j < n; j++)
        mx = isfinite(v[j]) && v[j] > mx ? v[j] : mx;
    for (long j = 0; j < n; j++) {
        double t = mx > 0 && isfinite(v[j]) ? v[j] / mx : 1;
        x[j] = 1 + (long) floor(t * 1073741824.0);   /* in [1, 2^30 + 1] */
    }
    free(A);
    free(v);
    free(y);
}

/* C = max_j (|M|^T |M| x)_j / x_j, exactly (x > 0 integers). */
static void collatz(mpq_t C, const qnet_t q, long l)
{
    long m = q->sizes[l + 1], n = q->sizes[l];
    long *x = ae_malloc((size_t) (n > 0 ? n : 1) * sizeof(long));
    perron_guess(x, q, l);
    mpz_t *y = zvec_init(m), *z = zvec_init(n), w;
    mpz_init(w);
    for (long i = 0; i < m; i++)
        for (long j = 0; j < n; j++) {
            entry_abs(w, q, l, i * n + j);
            mpz_addmul_ui(y[i], w, (unsigned long) x[j]);
        }
    for (long i = 0; i < m; i++)
        for (long j = 0; j < n; j++) {
            entry_abs(w, q, l, i * n + j);
            mpz_addmul(z[j], w, y[i]);
        }
    mpq_t r;
    mpq_init(r);
    mpq_set_ui(C, 0, 1);
    for (long j = 0; j < n; j++) {
        mpq_set_z(r, z[j]);
        mpz_set_ui(w, (unsigned long) x[j]);
        mpq_set_den(r, w);
        mpq_canonicalize(r);
        if (mpq_cmp(r, C) > 0)
            mpq_set(C, r);
    }
    mpq_clear(r);
    mpz_clear(w);
    zvec_clear(y, m);
    zvec_clear(z, n);
    free(x);
}

/* F = sum M_ij^2 and H = (max column sum of |M|) (max row sum of |M|), exact integers. */
static void frob_hoelder(mpz_t F, mpz_t H, const qnet_t q, long l)
{
    long m = q->sizes[l + 1], n = q->sizes[l];
    mpz_t *col = zvec_init(n), row, w, rmax, cmax;
    mpz_inits(row, w, rmax, cmax, (mpz_ptr) NULL);
    mpz_set_ui(F, 0);
    for (long i = 0; i < m; i++) {
        mpz_set_ui(row, 0);
        for (long j = 0; j < n; j++) {
            entry_abs(w, q, l, i * n + j);
            mpz_addmul(F, w, w);
            mpz_add(row, row, w);
            mpz_add(col[j], col[j], w);
        }
        if (mpz_cmp(row, rmax) > 0)
            mpz_set(rmax, row);
    }
    for (long j = 0; j < n; j++)
        if (mpz_cmp(col[j], cmax) > 0)
            mpz_set(cmax, col[j]);
    mpz_mul(H, rmax, cmax);
    mpz_clears(row, w, rmax, cmax, (mpz_ptr) NULL);
    zvec_clear(col, n);
}

int ff_layer_norm2(mpq_t N2, char *which, const qnet_t q, long l)
{
    if (N2 == NULL || q == NULL || q->L < 1 || l < 0 || l >= q->L) {
        ae_error(__func__, "needs a network and 0 <= l < L (got l = %ld)", l);
        return AE_EINVAL;
    }
    /* ||W||_2^2 = ||M||_2^2 4^-e, and each of the five is an upper bound of ||M||_2^2:
     * Frobenius; ||M||_2^2 <= ||M||_1 ||M||_inf (Hoelder / Riesz-Thorin); and
     * ||M||_2 <= || |M| ||_2 (|M v| <= |M| |v| entrywise), || |M| ||_2^2 = rho(|M|^T |M|)
     * <= max_j (|M|^T |M| x)_j / x_j for x > 0 (Collatz-Wielandt, nonnegative matrix);
     * with G = M^T M or M M^T (the smaller side, exact), ||M||_2^2 = lambda_max(G) <=
     * rho(|G|) <= max_i (|G| x)_i / x_i ('M'), and lambda_max(G) < mu for mu I - G
     * certified positive definite by Rump's floating-point Cholesky test ('R'); see
     * pdcert.h. */
    long m = q->sizes[l + 1], n = q->sizes[l];
    mpz_t F, H;
    mpz_inits(F, H, (mpz_ptr) NULL);
    frob_hoelder(F, H, q, l);
    mpq_t C, GM, GR;
    mpq_inits(C, GM, GR, (mpq_ptr) NULL);
    collatz(C, q, l);
    int rc = pdcert_gram_lmax(GR, GM, q->W[l], q->Ws ? q->Ws[l] : NULL, m, n);
    assert(rc == AE_OK || rc == AE_NOTVERIFIED);
    char w = 'F';
    mpq_set_z(N2, F);
    if (mpz_cmp(H, F) < 0) {
        mpq_set_z(N2, H);
        w = 'H';
    }
    if (mpq_cmp(C, N2) < 0) {
        mpq_set(N2, C);
        w = 'C';
    }
    if (mpq_cmp(GM, N2) < 0) {
        mpq_set(N2, GM);
        w = 'M';
    }
    if (rc == AE_OK && mpq_cmp(GR, N2) < 0) {
        mpq_set(N2, GR);
        w = 'R';
    }
    mpq_div_2exp(N2, N2, (mp_bitcnt_t) (2 * q->e[l]));
    if (which)
        *which = w;
    mpq_clears(C, GM, GR, (mpq_ptr) NULL);
    mpz_clears(F, H, (mpz_ptr) NULL);
    return AE_OK;
}

/* ---- the bias bound and the Lipschitz route ----------------------------------------- */

/* c = the Lipschitz constant of layer l's activation: max(1, |s|) for leaky, 1 for relu
 * and identity, 0 for QNET_ZERO (hardtanh is handled by the caller). */
static void act_lipschitz(mpq_t c, const qnet_t q, long l)
{
    switch (q->act[l]) {
    case QNET_LEAKY:
        mpq_set_z(c, q->slope[l]);
        mpq_abs(c, c);
        mpq_div_2exp(c, c, (mp_bitcnt_t) q->slope_exp[l]);
        if (mpq_cmp_ui(c, 1, 1) < 0)
            mpq_set_ui(c, 1, 1);
        break;
    case QNET_ZERO: mpq_set_ui(c, 0, 1); break;
    default: mpq_set_ui(c, 1, 1); break;
    }
}

/* N = a rational >= ||W_l||_2. */
static void layer_norm_up(mpq_t N, const qnet_t q, long l)
{
    mpq_t N2;
    mpq_init(N2);
    int rc = ff_layer_norm2(N2, NULL, q, l);
    assert(rc == AE_OK);
    (void) rc;
    qnum_sqrt_upper(N, N2, FF_PREC + 1);
    mpq_clear(N2);
}

/* B = a rational >= ||b_l|| = sqrt(sum b_i^2) 2^-e (0 without a bias). */
static void bias_norm_up(mpq_t B, const qnet_t q, long l)
{
    mpq_set_ui(B, 0, 1);
    if (q->b == NULL || q->b[l] == NULL)
        return;
    mpz_t s;
    mpz_init(s);
    for (long i = 0; i < q->sizes[l + 1]; i++)
        mpz_addmul(s, q->b[l][i], q->b[l][i]);
    mpq_set_z(B, s);
    mpq_div_2exp(B, B, (mp_bitcnt_t) (2 * q->e[l]));
    qnum_sqrt_upper(B, B, FF_PREC + 1);
    mpz_clear(s);
}

int ff_bias_bound(mpq_t K, const qnet_t f)
{
    if (K == NULL || f == NULL || f->L < 1) {
        ae_error(__func__, "needs an initialised network");
        return AE_EINVAL;
    }
    mpq_t N, B, c;
    mpq_inits(N, B, c, (mpq_ptr) NULL);
    mpq_set_ui(K, 0, 1);
    for (long l = 0; l < f->L; l++) {
        if (f->act[l] == QNET_HARDTANH) {
            /* g_l = 0, |h_l| <= 1 componentwise: ||h_l - g_l|| <= sqrt(n_l). */
            mpq_set_ui(K, (unsigned long) f->sizes[l + 1], 1);
            qnum_sqrt_upper(K, K, FF_PREC + 1);
            continue;
        }
        /* ||h_l - g_l|| = ||sigma(W h + b) - sigma(W g)|| <= c (||W|| ||h - g|| + ||b||);
         * QNET_ZERO: both are 0 (c = 0). */
        layer_norm_up(N, f, l);
        bias_norm_up(B, f, l);
        act_lipschitz(c, f, l);
        mpq_mul(K, K, N);
        mpq_add(K, K, B);
        mpq_mul(K, K, c);
    }
    mpq_clears(N, B, c, (mpq_ptr) NULL);
    return AE_OK;
}

static int f0_ok(const char *func, const qnet_t f0)
{
    if (f0 == NULL || f0->L < 1 || !qnet_is_homogeneous(f0) || qnet_din(f0) != qnet_dout(f0)) {
        ae_error(func, "needs a homogeneous f0 with din == dout");
        return 0;
    }
    return 1;
}

int ff_gamma_lipschitz(mpq_t g2, mpq_t L, const qnet_t f0)
{
    if (g2 == NULL) {
        ae_error(__func__, "g2 is NULL");
        return AE_EINVAL;
    }
    if (!f0_ok(__func__, f0))
        return AE_EINVAL;
    mpq_t Lp, N, c;
    mpq_inits(Lp, N, c, (mpq_ptr) NULL);
    mpq_set_ui(Lp, 1, 1);
    /* ||f0(v)|| <= prod_l c_l ||W_l|| ||v|| (each layer: ||sigma(W g)|| <= c ||W g||, as
     * sigma(0) = 0). */
    for (long l = 0; l < f0->L && mpq_sgn(Lp) != 0; l++) {
        act_lipschitz(c, f0, l);
        if (mpq_sgn(c) == 0) {
            mpq_set_ui(Lp, 0, 1);
            break;
        }
        layer_norm_up(N, f0, l);
        mpq_mul(Lp, Lp, N);
        mpq_mul(Lp, Lp, c);
    }
    /* ||v - f0 v|| >= ||v|| - ||f0 v|| >= (1 - L) ||v||; (1 - L)^2 is exact here. */
    if (mpq_cmp_ui(Lp, 1, 1) < 0) {
        mpq_set_ui(g2, 1, 1);
        mpq_sub(g2, g2, Lp);
        mpq_mul(g2, g2, g2);
    } else {
        mpq_set_ui(g2, 0, 1);
    }
    if (L)
        mpq_set(L, Lp);
    mpq_clears(Lp, N, c, (mpq_ptr) NULL);
    return AE_OK;
}

/* ---- the circle route -------------------------------------------------------------- */

/* P = B^T (M - g2 I) B, B = [b1 b2]; copositive iff P11 >= 0, P22 >= 0 and
 * (P12 >= 0 or P12^2 <= P11 P22): y^T P y = P11 y1^2 + 2 P12 y1 y2 + P22 y2^2 >= 0 for all
 * y >= 0.  (Necessity: y = e1, e2; for P12 < 0 and P12^2 > P11 P22, y = (-P12, P11)
 * gives P11 (P11 P22 - P12^2) < 0 when P11 > 0, and y = (t, 1) with t large when
 * P11 = 0.  Sufficiency: if P12 >= 0 every term is >= 0; else the form is PSD.) */
int ff_copositive2(const qmat_t M, const mpq_t g2, const mpz_t *b1, const mpz_t *b2)
{
    if (M == NULL || g2 == NULL || b1 == NULL || b2 == NULL || M->r != 2 || M->c != 2) {
        ae_error(__func__, "needs a 2 x 2 matrix, g2 and two vectors");
        return AE_EINVAL;
    }
    mpq_t S[4], x[2][2], t, P11, P12, P22, u;
    for (int i = 0; i < 4; i++)
        mpq_init(S[i]);
    mpq_inits(x[0][0], x[0][1], x[1][0], x[1][1], t, P11, P12, P22, u, (mpq_ptr) NULL);
    for (int i = 0; i < 2; i++) {
        mpq_set_z(x[0][i], b1[i]);
        mpq_set_z(x[1][i], b2[i]);
    }
    /* S = M - g2 I, symmetrised (M should be symmetric; v^T M v only sees (M + M^T)/2). */
    mpq_sub(S[0], qmat_entry(M, 0, 0), g2);
    mpq_sub(S[3], qmat_entry(M, 1, 1), g2);
    mpq_add(S[1], qmat_entry(M, 0, 1), qmat_entry(M, 1, 0));
    mpq_div_2exp(S[1], S[1], 1);
    mpq_set(S[2], S[1]);
    mpq_t *out[3] = { &P11, &P12, &P22 };
    int pr[3][2] = { { 0, 0 }, { 0, 1 }, { 1, 1 } };
    for (int k = 0; k < 3; k++) {
        mpq_set_ui(*out[k], 0, 1);
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++) {
                mpq_mul(t, x[pr[k][0]][i], S[2 * i + j]);
                mpq_mul(t, t, x[pr[k][1]][j]);
                mpq_add(*out[k], *out[k], t);
            }
    }
    int ok = mpq_sgn(P11) >= 0 && mpq_sgn(P22) >= 0;
    if (ok && mpq_sgn(P12) < 0) {
        mpq_mul(t, P12, P12);
        mpq_mul(u, P11, P22);
        ok = mpq_cmp(t, u) <= 0;
    }
    for (int i = 0; i < 4; i++)
        mpq_clear(S[i]);
    mpq_clears(x[0][0], x[0][1], x[1][0], x[1][1], t, P11, P12, P22, u, (mpq_ptr) NULL);
    return ok;
}

/* The cones of angle < pi that cover sector k (boundaries in cb, 2 entries each,
 * consecutive pairs): returns their count (1, 2 or 4). */
static int sector_cones(mpz_t cb[5][2], const cone_circle_t C, long k)
{
    if (C->full) {
        static const int q4[5][2] = { { 1, 0 }, { 0, 1 }, { -1, 0 }, { 0, -1 }, { 1, 0 } };
        for (int i = 0; i < 5; i++) {
            mpz_set_si(cb[i][0], q4[i][0]);
            mpz_set_si(cb[i][1], q4[i][1]);
        }
        return 4;
    }
    const mpz_t *b = cone_circle_b(C, k), *nb = cone_circle_b(C, k + 1);
    mpz_set(cb[0][0], b[0]);
    mpz_set(cb[0][1], b[1]);
    mpz_t cr;
    mpz_init(cr);
    mpz_mul(cr, b[0], nb[1]);
    mpz_submul(cr, b[1], nb[0]);
    int n = 1;
    if (mpz_sgn(cr) == 0) {
        /* angle pi: split at b_perp = (-b2, b1), a quarter turn counter-clockwise. */
        mpz_neg(cb[1][0], b[1]);
        mpz_set(cb[1][1], b[0]);
        n = 2;
    }
    mpz_clear(cr);
    mpz_set(cb[n][0], nb[0]);
    mpz_set(cb[n][1], nb[1]);
    return n;
}

/* The float search of this file (arc_min, sector_span, set_dir) uses pmath's atan2, cos
 * and sin, not glibc's (FMA and non-FMA variants chosen per CPU): the candidate direction,
 * and so the certified bound, is the same on every machine.
 *
 * Float minimum of q(theta) = u^T M u, u = (cos, sin), over [t0, t0 + span]: the ends and
 * the interior critical points (q = m + a cos 2 theta + b sin 2 theta is stationary where
 * 2 theta = atan2(b, a) mod pi). */
static double arc_min(double *targ, const double Md[3], double t0, double span)
{
    double m = (Md[0] + Md[2]) / 2, a = (Md[0] - Md[2]) / 2, bb = Md[1];
    double best = INFINITY, phi = pmath_atan2(bb, a) / 2;
    double cand[8];
    int nc = 0;
    cand[nc++] = t0;
    cand[nc++] = t0 + span;
    for (int j = -4; j <= 4 && nc < 8; j++) {
        double th = phi + j * FF_PI / 2;
        double rel = fmod(th - t0, 2 * FF_PI);
        if (rel < 0)
            rel += 2 * FF_PI;
        if (rel <= span)
            cand[nc++] = t0 + rel;
    }
    for (int i = 0; i < nc; i++) {
        double v = m + a * pmath_cos(2 * cand[i]) + bb * pmath_sin(2 * cand[i]);
        if (v < best) {
            best = v;
            *targ = cand[i];
        }
    }
    return best;
}

/* The float angle of the sector from b to nb, clamped by the exact class of the angle
 * (b x nb > 0: in (0, pi); = 0: pi), so that rounding can never turn a thin sector into
 * a full turn (that would only loosen the candidate, never make it unsound). */
static double sector_span(const mpz_t *b, const mpz_t *nb, double t0)
{
    mpz_t cr;
    mpz_init(cr);
    mpz_mul(cr, b[0], nb[1]);
    mpz_submul(cr, b[1], nb[0]);
    int cls = mpz_sgn(cr);
    mpz_clear(cr);
    if (cls <= 0)
        return FF_PI;
    double span = pmath_atan2(mpz_get_d(nb[1]), mpz_get_d(nb[0])) - t0;
    if (span < -FF_PI)
        span += 2 * FF_PI;
    else if (span > FF_PI)
        span -= 2 * FF_PI;
    return span < 0 ? 0 : span > FF_PI ? FF_PI : span;
}

/* dir = round(2^20 (cos th, sin th)) when that lies in the closed sector, else b_k.
 * Membership (angle in (0, pi]): b x d >= 0 and d x nb >= 0, d != 0 -- for an angle < pi
 * the two half-planes meet exactly in the cone, for angle pi (nb = -b) both say the same
 * closed half-plane, which is the sector. */
static void set_dir(mpq_t *dir, double th, const cone_circle_t C, long k)
{
    mpz_t d[2], cr;
    mpz_inits(d[0], d[1], cr, (mpz_ptr) NULL);
    mpz_set_d(d[0], nearbyint(ldexp(pmath_cos(th), 20)));
    mpz_set_d(d[1], nearbyint(ldexp(pmath_sin(th), 20)));
    if (!C->full) {
        const mpz_t *b = cone_circle_b(C, k), *nb = cone_circle_b(C, k + 1);
        mpz_mul(cr, b[0], d[1]);
        mpz_submul(cr, b[1], d[0]);
        int in = mpz_sgn(cr) >= 0;
        mpz_mul(cr, d[0], nb[1]);
        mpz_submul(cr, d[1], nb[0]);
        in = in && mpz_sgn(cr) >= 0 && (mpz_sgn(d[0]) || mpz_sgn(d[1]));
        if (!in) {
            mpz_set(d[0], b[0]);
            mpz_set(d[1], b[1]);
        }
    }
    mpq_set_z(dir[0], d[0]);
    mpq_set_z(dir[1], d[1]);
    mpz_clears(d[0], d[1], cr, (mpz_ptr) NULL);
}

/* M = (I - A)^T (I - A) for the sector's pattern. */
static void sector_M(qmat_t M, const qnet_t f0, const signed char *pat)
{
    qmat_t A;
    qmat_init(A, 2, 2);
    int rc = qnet_affine(A, NULL, f0, pat);
    assert(rc == AE_OK);
    (void) rc;
    qmat_t I;
    qmat_init(I, 2, 2);
    qmat_one(I);
    qmat_sub(A, I, A);
    qmat_gram(M, A);
    qmat_clear(I);
    qmat_clear(A);
}

/* 1 if M - g I is copositive on every cone of cb. */
static int cones_ok(const qmat_t M, const mpq_t g, mpz_t cb[5][2], int nc)
{
    for (int i = 0; i < nc; i++)
        if (!ff_copositive2(M, g, cb[i], cb[i + 1]))
            return 0;
    return 1;
}

/* The largest g2 certified from the float candidate c: c (1 - 2^-20), then halved up to
 * 80 times (0 if nothing passes, and always when c <= 0). */
static void certify(mpq_t g2, const qmat_t M, double c, mpz_t cb[5][2], int nc)
{
    mpq_set_ui(g2, 0, 1);
    if (!(c > 0) || !isfinite(c))
        return;
    mpq_t g;
    mpq_init(g);
    mpq_set_d(g, c * (1 - ldexp(1, -20)));
    for (int it = 0; it <= 80; it++) {
        if (cones_ok(M, g, cb, nc)) {
            mpq_set(g2, g);
            break;
        }
        mpq_div_2exp(g, g, 1);
    }
    mpq_clear(g);
}

static int circle_ok(const char *func, const qnet_t f0, const cone_circle_t C)
{
    if (!f0_ok(func, f0))
        return 0;
    if (C == NULL || qnet_din(f0) != 2 || C->nunits != f0->nunits || C->n < 1) {
        ae_error(func, "needs d = 2 and a computed cone_circle of this f0");
        return 0;
    }
    return 1;
}

int ff_gamma_sector(mpq_t g2, mpq_t *dir, const qnet_t f0, const cone_circle_t C, long k)
{
    if (g2 == NULL) {
        ae_error(__func__, "g2 is NULL");
        return AE_EINVAL;
    }
    if (!circle_ok(__func__, f0, C))
        return AE_EINVAL;
    if (k < 0 || k >= C->n) {
        ae_error(__func__, "sector %ld of %ld", k, C->n);
        return AE_EINVAL;
    }
    mpq_set_ui(g2, 0, 1);
    if (C->status[k] != CONE_NONE) {
        if (dir && C->status[k] == CONE_FIXED) {
            qvec_set(dir, cone_circle_v(C, k), 2);
        } else if (dir) {
            mpq_set_z(dir[0], cone_circle_b(C, k)[0]);
            mpq_set_z(dir[1], cone_circle_b(C, k)[1]);
        }
        return AE_OK;
    }
    qmat_t M;
    qmat_init(M, 2, 2);
    sector_M(M, f0, cone_circle_pat(C, k));
    mpz_t cb[5][2];
    for (int i = 0; i < 5; i++)
        mpz_inits(cb[i][0], cb[i][1], (mpz_ptr) NULL);
    int nc = sector_cones(cb, C, k);
    double Md[3] = { mpq_get_d(qmat_entry(M, 0, 0)), mpq_get_d(qmat_entry(M, 0, 1)),
                     mpq_get_d(qmat_entry(M, 1, 1)) };
    double t0 = 0, span = 2 * FF_PI, th = 0, c = INFINITY;
    if (!C->full) {
        const mpz_t *b = cone_circle_b(C, k), *nb = cone_circle_b(C, k + 1);
        t0 = pmath_atan2(mpz_get_d(b[1]), mpz_get_d(b[0]));
        span = sector_span(b, nb, t0);
    }
    c = arc_min(&th, Md, t0, span);
    certify(g2, M, c, cb, nc);
    if (dir)
        set_dir(dir, th, C, k);
    for (int i = 0; i < 5; i++)
        mpz_clears(cb[i][0], cb[i][1], (mpz_ptr) NULL);
    qmat_clear(M);
    return AE_OK;
}

int ff_gamma_circle(mpq_t g2, long *kmin, const qnet_t f0, const cone_circle_t C)
{
    if (g2 == NULL) {
        ae_error(__func__, "g2 is NULL");
        return AE_EINVAL;
    }
    if (!circle_ok(__func__, f0, C))
        return AE_EINVAL;
    mpq_t g;
    mpq_init(g);
    long best = -1;
    for (long k = 0; k < C->n; k++) {
        int rc = ff_gamma_sector(g, NULL, f0, C, k);
        assert(rc == AE_OK);
        (void) rc;
        if (best < 0 || mpq_cmp(g, g2) < 0) {
            mpq_set(g2, g);
            best = k;
        }
        if (mpq_sgn(g2) == 0)
            break;
    }
    if (kmin)
        *kmin = best;
    mpq_clear(g);
    return AE_OK;
}

/* ---- the radius ---------------------------------------------------------------------- */

int ff_radius(mpq_t R, const mpq_t K, const mpq_t s, const mpq_t g2)
{
    if (R == NULL || K == NULL || s == NULL || g2 == NULL || mpq_sgn(K) < 0 || mpq_sgn(s) < 0
        || mpq_sgn(g2) < 0) {
        ae_error(__func__, "needs K >= 0, s >= 0, g2 >= 0");
        return AE_EINVAL;
    }
    if (mpq_sgn(g2) == 0)
        return AE_ERANGE;
    /* R = (K + up sqrt(s)) / down sqrt(g2) >= (K + sqrt s) / sqrt(g2) = (K + sqrt s)/gamma. */
    mpq_t num, den;
    mpq_inits(num, den, (mpq_ptr) NULL);
    qnum_sqrt_upper(num, s, FF_PREC + 1);
    mpq_add(num, num, K);
    qnum_sqrt_lower(den, g2, FF_PREC + 1);
    assert(mpq_sgn(den) > 0);
    mpq_div(R, num, den);
    mpq_clears(num, den, (mpq_ptr) NULL);
    return AE_OK;
}
