/* arbnet — rigorous Arb evaluation of an nn_t (see arbnet.h). */
#include "arbnet.h"

#include <arb_hypgeom.h>
#include <flint/fmpq.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aeerr.h"

static void arbnet_zero(arbnet_t a)
{
    memset(a, 0, sizeof *a);
}

void arbnet_clear(arbnet_t a)
{
    if (a == NULL)
        return;
    for (long l = 0; l < a->L; l++) {
        if (a->W && a->W[l])
            _arb_vec_clear(a->W[l], a->sizes[l + 1] * a->sizes[l]);
        if (a->b && a->b[l])
            _arb_vec_clear(a->b[l], a->sizes[l + 1]);
    }
    for (long i = 0; i < a->nscale; i++) {
        mpq_clear(a->scale_lo[i]);
        mpq_clear(a->scale_hi[i]);
    }
    free(a->scale_lo);
    free(a->scale_hi);
    free(a->W);
    free(a->b);
    free(a->sizes);
    free(a->act);
    free(a->param);
    arbnet_zero(a);
}

int arbnet_init_nn(arbnet_t a, const nn_t net)
{
    if (a == NULL || net == NULL) {
        ae_error(__func__, "NULL argument");
        return AE_EINVAL;
    }
    arbnet_zero(a);
    long L = net->L;
    a->L = L;
    a->sizes = ae_malloc((size_t) (L + 1) * sizeof(long));
    a->act = ae_malloc((size_t) L * sizeof(nn_act_t));
    a->param = ae_malloc((size_t) L * sizeof(double));
    a->W = ae_calloc((size_t) L, sizeof(arb_ptr));
    a->b = ae_calloc((size_t) L, sizeof(arb_ptr));
    a->wmax = 1;
    for (long l = 0; l <= L; l++) {
        a->sizes[l] = net->sizes[l];
        if (a->sizes[l] > a->wmax)
            a->wmax = a->sizes[l];
    }
    double *p = ae_malloc((size_t) net->nparams * sizeof(double));
    nn_get_params(p, net);
    for (long l = 0; l < L; l++) {
        long m = a->sizes[l + 1], k = a->sizes[l];
        a->act[l] = net->act[l];
        a->param[l] = net->act_param[l];
        a->W[l] = _arb_vec_init(m * k);
        for (long i = 0; i < m * k; i++)
            arb_set_d(a->W[l] + i, p[net->woff[l] + i]);   /* exact: a double is dyadic */
        if (net->bias[l]) {
            a->b[l] = _arb_vec_init(m);
            for (long i = 0; i < m; i++)
                arb_set_d(a->b[l] + i, p[net->boff[l] + i]);
        }
    }
    free(p);
    a->nscale = net->nscale;
    if (a->nscale > 0) {
        a->scale_lo = ae_malloc((size_t) a->nscale * sizeof(mpq_t));
        a->scale_hi = ae_malloc((size_t) a->nscale * sizeof(mpq_t));
        for (long i = 0; i < a->nscale; i++) {
            mpq_init(a->scale_lo[i]);
            mpq_init(a->scale_hi[i]);
            mpq_set(a->scale_lo[i], net->scale_lo[i]);
            mpq_set(a->scale_hi[i], net->scale_hi[i]);
        }
    }
    return AE_OK;
}

/* ---- rationals <-> balls ---------------------------------------------------------- */

void arbnet_set_q(arb_t b, const mpq_t q, slong prec)
{
    fmpq_t f;
    fmpq_init(f);
    fmpq_set_mpq(f, q);
    arb_set_fmpq(b, f, prec);
    fmpq_clear(f);
}

void arbnet_bound_q(mpq_t q, const arb_t b, int upper)
{
    if (!arb_is_finite(b)) {
        ae_error(__func__, "the ball is not finite");
        return;
    }
    arf_t e;
    arf_init(e);
    if (upper)
        arb_get_ubound_arf(e, b, ARF_PREC_EXACT);
    else
        arb_get_lbound_arf(e, b, ARF_PREC_EXACT);
    fmpz_t man, ex;
    fmpz_init(man);
    fmpz_init(ex);
    arf_get_fmpz_2exp(man, ex, e);
    mpz_t m;
    mpz_init(m);
    fmpz_get_mpz(m, man);
    mpq_set_z(q, m);
    slong k = fmpz_get_si(ex);   /* finite radii and midpoints of our sizes fit */
    if (k >= 0)
        mpq_mul_2exp(q, q, (mp_bitcnt_t) k);
    else
        mpq_div_2exp(q, q, (mp_bitcnt_t) (-k));
    mpz_clear(m);
    fmpz_clear(man);
    fmpz_clear(ex);
    arf_clear(e);
}

/* ---- activations ------------------------------------------------------------------ */

static int act_monotone(nn_act_t act, double param)
{
    switch (act) {
    case NN_IDENTITY: case NN_RELU: case NN_HARDTANH: case NN_TANH: case NN_SIGMOID:
    case NN_SOFTPLUS:
        return 1;
    case NN_LEAKY_RELU: case NN_ELU:
        return param >= 0;
    default:
        return 0;
    }
}

/* res = sigmoid(z) = 1/(1 + e^-z). */
static void ball_sigmoid(arb_t res, const arb_t z, slong prec)
{
    arb_t t;
    arb_init(t);
    arb_neg(t, z);
    arb_exp(t, t, prec);
    arb_add_ui(t, t, 1, prec);
    arb_inv(res, t, prec);
    arb_clear(t);
}

/* The activation by Arb's interval extension on z (sound for every ball). */
static void act_ball(arb_t res, nn_act_t act, double param, const arb_t z, slong prec)
{
    arb_t t, u;
    arb_init(t);
    arb_init(u);
    switch (act) {
    case NN_IDENTITY:
        arb_set(res, z);
        break;
    case NN_RELU:
        arb_nonnegative_part(res, z);
        break;
    case NN_LEAKY_RELU:                 /* z+ - s z-  with z- = (-z)+ */
        arb_nonnegative_part(t, z);
        arb_neg(u, z);
        arb_nonnegative_part(u, u);
        arb_set_d(res, param);
        arb_mul(u, u, res, prec);
        arb_sub(res, t, u, prec);
        break;
    case NN_HARDTANH:                   /* min(1, max(-1, z)) */
        arb_set_si(t, -1);
        arb_max(u, z, t, prec);
        arb_one(t);
        arb_min(res, u, t, prec);
        break;
    case NN_TANH:
        arb_tanh(res, z, prec);
        break;
    case NN_SIGMOID:
        ball_sigmoid(res, z, prec);
        break;
    case NN_SOFTPLUS:                   /* log1p(e^z) */
        arb_exp(t, z, prec);
        arb_log1p(res, t, prec);
        break;
    case NN_ELU:                        /* z > 0 ? z : alpha expm1(z) */
        arb_nonnegative_part(t, z);     /* the positive branch on z+ ... */
        arb_neg(u, z);
        arb_nonnegative_part(u, u);
        arb_neg(u, u);                  /* ... the negative one on -(z-) = min(z, 0) */
        arb_expm1(u, u, prec);
        arb_set_d(res, param);
        arb_mul(u, u, res, prec);
        arb_add(res, t, u, prec);       /* elu(z) = elu(max(z,0)) + elu(min(z,0)) */
        break;
    case NN_GELU:                       /* z erfc(-z/sqrt 2)/2 */
        arb_sqrt_ui(t, 2, prec);
        arb_div(t, z, t, prec);
        arb_neg(t, t);
        arb_hypgeom_erfc(t, t, prec);
        arb_mul(t, t, z, prec);
        arb_mul_2exp_si(res, t, -1);
        break;
    case NN_SILU:                       /* z sigmoid(z) */
        ball_sigmoid(t, z, prec);
        arb_mul(res, t, z, prec);
        break;
    default:
        arb_indeterminate(res);
        break;
    }
    arb_clear(t);
    arb_clear(u);
}

static void act_range(arb_t res, nn_act_t act)
{
    if (act == NN_SIGMOID) {            /* [0, 1] = 1/2 +- 1/2 */
        arb_set_d(res, 0.5);
        mag_set_d(arb_radref(res), 0.5);
    } else if (act == NN_TANH || act == NN_HARDTANH) {
        arb_zero(res);
        mag_one(arb_radref(res));
    } else {
        arb_indeterminate(res);
    }
}

void arbnet_act(arb_t res, nn_act_t act, double param, const arb_t z, slong prec)
{
    if (!arb_is_finite(z)) {
        act_range(res, act);
        return;
    }
    if (!act_monotone(act, param) || arb_is_exact(z)) {
        act_ball(res, act, param, z, prec);
        return;
    }
    /* monotone: [act(lo), act(hi)] */
    arf_t lo, hi;
    arb_t a, b;
    arf_init(lo);
    arf_init(hi);
    arb_init(a);
    arb_init(b);
    arb_get_lbound_arf(lo, z, ARF_PREC_EXACT);
    arb_get_ubound_arf(hi, z, ARF_PREC_EXACT);
    arb_set_arf(a, lo);
    arb_set_arf(b, hi);
    act_ball(a, act, param, a, prec);
    act_ball(b, act, param, b, prec);
    /* [lower end of act(lo), upper end of act(hi)]; Arb's radius is a 30-bit magnitude
     * rounded up, so the hull may exceed the exact range by ~2^-30 of its width */
    arb_get_lbound_arf(lo, a, prec);
    arb_get_ubound_arf(hi, b, prec);
    arb_set_interval_arf(res, lo, hi, prec);
    arf_clear(lo);
    arf_clear(hi);
    arb_clear(a);
    arb_clear(b);
}

/* ---- evaluation ------------------------------------------------------------------- */

static int check_args(const char *func, const arbnet_t a, const void *x, slong prec)
{
    if (a == NULL || x == NULL || a->sizes == NULL || prec < 2) {
        ae_error(func, "NULL argument or prec < 2");
        return AE_EINVAL;
    }
    return AE_OK;
}

int arbnet_scale(arb_ptr xs, const arbnet_t a, arb_srcptr x, slong prec)
{
    if (check_args(__func__, a, x, prec) != AE_OK || xs == NULL)
        return AE_EINVAL;
    long d = arbnet_din(a);
    if (a->nscale == 0) {
        _arb_vec_set(xs, x, d);
        return AE_OK;
    }
    arb_t lo, w;
    arb_init(lo);
    arb_init(w);
    mpq_t q;
    mpq_init(q);
    for (long i = 0; i < d; i++) {
        arbnet_set_q(lo, a->scale_lo[i], prec);
        arb_sub(xs + i, x + i, lo, prec);
        mpq_sub(q, a->scale_hi[i], a->scale_lo[i]);
        if (mpq_sgn(q) != 0) {
            arbnet_set_q(w, q, prec);
            arb_div(xs + i, xs + i, w, prec);
        }
    }
    mpq_clear(q);
    arb_clear(lo);
    arb_clear(w);
    return AE_OK;
}

int arbnet_eval_layers(arb_ptr y, const arbnet_t a, long l0, arb_srcptr h, slong prec)
{
    if (check_args(__func__, a, h, prec) != AE_OK || y == NULL)
        return AE_EINVAL;
    if (l0 < 0 || l0 > a->L) {
        ae_error(__func__, "first layer %ld outside [0, %ld]", l0, a->L);
        return AE_EINVAL;
    }
    arb_ptr u = _arb_vec_init(a->wmax), v = _arb_vec_init(a->wmax);
    _arb_vec_set(u, h, a->sizes[l0]);
    for (long l = l0; l < a->L; l++) {
        long m = a->sizes[l + 1], k = a->sizes[l];
        for (long i = 0; i < m; i++) {
            arb_dot(v + i, a->b[l] ? a->b[l] + i : NULL, 0, a->W[l] + i * k, 1, u, 1, k, prec);
            arbnet_act(v + i, a->act[l], a->param[l], v + i, prec);
        }
        arb_ptr t = u;
        u = v;
        v = t;
    }
    _arb_vec_set(y, u, arbnet_dout(a));
    _arb_vec_clear(u, a->wmax);
    _arb_vec_clear(v, a->wmax);
    return AE_OK;
}

int arbnet_eval_scaled(arb_ptr y, const arbnet_t a, arb_srcptr xs, slong prec)
{
    return arbnet_eval_layers(y, a, 0, xs, prec);
}

int arbnet_eval(arb_ptr y, const arbnet_t a, arb_srcptr x, slong prec)
{
    if (check_args(__func__, a, x, prec) != AE_OK || y == NULL)
        return AE_EINVAL;
    long d = arbnet_din(a);
    arb_ptr xs = _arb_vec_init(d);
    int rc = arbnet_scale(xs, a, x, prec);
    if (rc == AE_OK)
        rc = arbnet_eval_scaled(y, a, xs, prec);
    _arb_vec_clear(xs, d);
    return rc;
}

static int check_square(const char *func, const arbnet_t a)
{
    if (arbnet_din(a) != arbnet_dout(a)) {
        ae_error(func, "a score needs din == dout (%ld, %ld)", arbnet_din(a), arbnet_dout(a));
        return AE_EINVAL;
    }
    return AE_OK;
}

int arbnet_score_scaled(arb_t e, const arbnet_t a, arb_srcptr xs, slong prec)
{
    if (check_args(__func__, a, xs, prec) != AE_OK || e == NULL
        || check_square(__func__, a) != AE_OK)
        return AE_EINVAL;
    long d = arbnet_din(a);
    arb_ptr y = _arb_vec_init(d);
    int rc = arbnet_eval_scaled(y, a, xs, prec);
    arb_zero(e);
    arb_t t;
    arb_init(t);
    for (long i = 0; rc == AE_OK && i < d; i++) {
        arb_sub(t, xs + i, y + i, prec);
        arb_sqr(t, t, prec);
        arb_add(e, e, t, prec);
    }
    arb_clear(t);
    _arb_vec_clear(y, d);
    return rc;
}

int arbnet_score(arb_t e, const arbnet_t a, arb_srcptr x, slong prec)
{
    if (check_args(__func__, a, x, prec) != AE_OK || e == NULL
        || check_square(__func__, a) != AE_OK)
        return AE_EINVAL;
    long d = arbnet_din(a);
    arb_ptr xs = _arb_vec_init(d);
    int rc = arbnet_scale(xs, a, x, prec);
    if (rc == AE_OK)
        rc = arbnet_score_scaled(e, a, xs, prec);
    _arb_vec_clear(xs, d);
    return rc;
}

int arbnet_score_q(arb_t e, const arbnet_t a, const mpq_t *x, long n, slong prec)
{
    if (check_args(__func__, a, x, prec) != AE_OK || e == NULL
        || check_square(__func__, a) != AE_OK)
        return AE_EINVAL;
    if (n != arbnet_din(a)) {
        ae_error(__func__, "x has length %ld, the network %ld inputs", n, arbnet_din(a));
        return AE_EINVAL;
    }
    arb_ptr xs = _arb_vec_init(n);
    mpq_t q, w;
    mpq_init(q);
    mpq_init(w);
    for (long i = 0; i < n; i++) {
        mpq_set(q, x[i]);
        if (a->nscale > 0) {
            mpq_sub(q, q, a->scale_lo[i]);
            mpq_sub(w, a->scale_hi[i], a->scale_lo[i]);
            if (mpq_sgn(w) != 0)
                mpq_div(q, q, w);
        }
        arbnet_set_q(xs + i, q, prec);
    }
    mpq_clear(q);
    mpq_clear(w);
    int rc = arbnet_score_scaled(e, a, xs, prec);
    _arb_vec_clear(xs, n);
    return rc;
}

int arbnet_smin(arb_t smin, long *argmin, const arbnet_t a, const mpq_t *X, long n, slong prec)
{
    if (check_args(__func__, a, X, prec) != AE_OK || smin == NULL || n < 1
        || check_square(__func__, a) != AE_OK) {
        if (n < 1)
            ae_error(__func__, "n = %ld < 1", n);
        return AE_EINVAL;
    }
    long d = arbnet_din(a), best = 0;
    arb_t e;
    arb_init(e);
    arf_t ub, bub;
    arf_init(ub);
    arf_init(bub);
    int rc = AE_OK;
    for (long i = 0; rc == AE_OK && i < n; i++) {
        rc = arbnet_score_q(e, a, X + i * d, d, prec);
        if (rc != AE_OK)
            break;
        arb_get_ubound_arf(ub, e, ARF_PREC_EXACT);
        if (i == 0) {
            arb_set(smin, e);
            arf_set(bub, ub);
        } else {
            arb_min(smin, smin, e, prec);   /* contains min of the two values */
            if (arf_cmp(ub, bub) < 0) {
                arf_set(bub, ub);
                best = i;
            }
        }
    }
    if (argmin)
        *argmin = best;
    arf_clear(ub);
    arf_clear(bub);
    arb_clear(e);
    return rc;
}

/* ---- the mean-value form ------------------------------------------------------------ */

/* res contains act'(t) for every t in z, for the activations with a derivative form here
 * (identity, relu, leaky relu, hardtanh, tanh, sigmoid); returns 0 for the others. */
static int act_deriv(arb_t res, nn_act_t act, double param, const arb_t z, slong prec)
{
    arb_t t;
    switch (act) {
    case NN_IDENTITY:
        arb_one(res);
        return 1;
    case NN_RELU: case NN_LEAKY_RELU: case NN_HARDTANH: {
        /* slope 1 on the identity branch, s (relu 0, hardtanh 0) elsewhere: the hull of
         * the branches the ball meets (at a kink both one-sided slopes) */
        double lo = act == NN_LEAKY_RELU ? param : 0;
        int on, off;
        if (act == NN_HARDTANH) {
            arb_t one;
            arb_init(t);
            arb_init(one);
            arb_abs(t, z);
            arb_one(one);
            on = !arb_gt(t, one);          /* some |z| <= 1 */
            off = !arb_lt(t, one);         /* some |z| >= 1 */
            arb_clear(t);
            arb_clear(one);
        } else {
            on = !arb_is_nonpositive(z);                      /* some z > 0 */
            off = !arb_is_positive(z);                        /* some z <= 0 */
        }
        arb_set_d(res, on ? 1 : lo);
        if (on && off) {
            arb_t u;
            arb_init(u);
            arb_set_d(u, lo);
            arb_union(res, res, u, prec);
            arb_clear(u);
        }
        return 1;
    }
    case NN_TANH:                       /* 1 - tanh^2 */
        arb_init(t);
        arbnet_act(t, NN_TANH, 0, z, prec);
        arb_sqr(t, t, prec);
        arb_one(res);
        arb_sub(res, res, t, prec);
        arb_clear(t);
        return 1;
    case NN_SIGMOID:                    /* s (1 - s) */
        arb_init(t);
        arbnet_act(t, NN_SIGMOID, 0, z, prec);
        arb_one(res);
        arb_sub(res, res, t, prec);
        arb_mul(res, res, t, prec);
        arb_clear(t);
        return 1;
    default:
        return 0;
    }
}

/* f over the balls xs and its Jacobian J (dout x din balls) enclosed over them
 * (forward mode).  Returns 0 when an activation has no derivative form. */
static int eval_jacobian(arb_ptr y, arb_ptr J, const arbnet_t a, arb_srcptr xs, slong prec)
{
    long w = a->wmax, d = arbnet_din(a);
    arb_ptr u = _arb_vec_init(w), v = _arb_vec_init(w);
    arb_ptr du = _arb_vec_init(w * d), dv = _arb_vec_init(w * d);
    arb_t s;
    arb_init(s);
    _arb_vec_set(u, xs, d);
    for (long j = 0; j < d; j++)
        arb_one(du + j * d + j);                /* du[i d + j] = d a_i / d x_j */
    int ok = 1;
    for (long l = 0; ok && l < a->L; l++) {
        long m = a->sizes[l + 1], k = a->sizes[l];
        for (long i = 0; ok && i < m; i++) {
            arb_dot(v + i, a->b[l] ? a->b[l] + i : NULL, 0, a->W[l] + i * k, 1, u, 1, k, prec);
            ok = act_deriv(s, a->act[l], a->param[l], v + i, prec);
            for (long j = 0; j < d; j++) {
                arb_dot(dv + i * d + j, NULL, 0, a->W[l] + i * k, 1, du + j, d, k, prec);
                arb_mul(dv + i * d + j, dv + i * d + j, s, prec);
            }
            arbnet_act(v + i, a->act[l], a->param[l], v + i, prec);
        }
        arb_ptr t = u;
        u = v;
        v = t;
        t = du;
        du = dv;
        dv = t;
    }
    if (ok) {
        _arb_vec_set(y, u, arbnet_dout(a));
        _arb_vec_set(J, du, arbnet_dout(a) * d);
    }
    arb_clear(s);
    _arb_vec_clear(u, w);
    _arb_vec_clear(v, w);
    _arb_vec_clear(du, w * d);
    _arb_vec_clear(dv, w * d);
    return ok;
}

int arbnet_score_mv(arb_t e, const arbnet_t a, arb_srcptr xs, slong prec)
{
    int rc = arbnet_score_scaled(e, a, xs, prec);   /* the plain extension (checks args) */
    if (rc != AE_OK)
        return rc;
    long d = arbnet_din(a);
    arb_ptr c = _arb_vec_init(d), y = _arb_vec_init(d), J = _arb_vec_init(d * d);
    arb_t ec, g, t, mv;
    arb_init(ec);
    arb_init(g);
    arb_init(t);
    arb_init(mv);
    for (long j = 0; j < d; j++)
        arb_get_mid_arb(c + j, xs + j);
    rc = arbnet_score_scaled(ec, a, c, prec);
    /* e(x) = e(c) + grad e(xi) . (x - c), xi in the box; grad_j e = 2 sum_i (x_i - f_i)
     * (delta_ij - J_ij), every factor enclosed over the box */
    if (rc == AE_OK && arb_is_finite(e) && eval_jacobian(y, J, a, xs, prec)) {
        arb_set(mv, ec);
        for (long j = 0; j < d; j++) {
            arb_zero(g);
            for (long i = 0; i < d; i++) {
                arb_neg(t, J + i * d + j);
                if (i == j)
                    arb_add_ui(t, t, 1, prec);
                arb_t r;
                arb_init(r);
                arb_sub(r, xs + i, y + i, prec);
                arb_addmul(g, r, t, prec);
                arb_clear(r);
            }
            arb_mul_2exp_si(g, g, 1);
            arb_zero(t);
            arb_add_error_mag(t, arb_radref(xs + j));   /* x_j - c_j in [-r_j, r_j] */
            arb_addmul(mv, g, t, prec);
        }
        arb_t z;
        arb_init(z);
        if (arb_intersection(z, e, mv, prec))
            arb_swap(e, z);
        arb_clear(z);
    }
    arb_clear(ec);
    arb_clear(g);
    arb_clear(t);
    arb_clear(mv);
    _arb_vec_clear(c, d);
    _arb_vec_clear(y, d);
    _arb_vec_clear(J, d * d);
    return rc;
}
