/* smooth — see smooth.h.  The delta bounds, their Arb certificates, the twin and K.
 *
 * Derivations of the per-unit bounds (u = |z|, relu(z) = max(z, 0)):
 *   softplus: log(1 + e^z) - relu(z) = log(1 + e^{-|z|}) (for z >= 0: log(e^z (e^-z + 1))
 *     - z); it is in (0, ln 2] and decreasing in |z|, so the supremum is ln 2 at z = 0.
 *   ELU(a), a > 0: for z >= 0 the unit is z = relu(z); for z < 0 it is a (e^z - 1) in
 *     (-a, 0) and relu(z) = 0, so |difference| = a (1 - e^z) < a, tending to a.
 *   GELU: z Phi(z); for z >= 0, z Phi(z) - z = -z (1 - Phi(z)) = -z Phi(-z); for z < 0,
 *     |z Phi(z) - 0| = |z| Phi(-|z|).  Both are g(u) = u Phi(-u), u >= 0, with g(0) = 0,
 *     g -> 0 (Mills: Phi(-u) <= phi(u)/u, so g <= phi(u)), g' = Phi(-u) - u phi(u).
 *   SiLU: z s(z), s the logistic function; for z >= 0, z s(z) - z = -z (1 - s(z)) =
 *     -z s(-z); for z < 0, |z s(z)| = |z| s(-|z|).  Both are g(u) = u s(-u) = u/(1 + e^u),
 *     g' = s(-u) (1 - u s(u)) vanishing where u s(u) = 1, i.e. u = 1 + e^-u, where
 *     g = u (1 - s(u)) = u - 1; beyond 1, g <= u e^-u.
 * The rationals of smooth.h exceed the Arb values of the maxima (printed by the tests);
 * smooth_delta_certify proves sup g <= delta for every activation. */
#include "smooth.h"

#include "aeerr.h"
#include "arbnet.h"
#include "farfield.h"
#include "qnet.h"
#include "qnum.h"

#include <arb_hypgeom.h>
#include <math.h>

#include <stdlib.h>
#include <string.h>

#define SMOOTH_UMAX 64.0            /* the branch and bound covers u in [0, 64] */
#define SMOOTH_MAXCELLS (1L << 20)
#define SMOOTH_SQRT_BITS 65

int smooth_act_is_smooth(nn_act_t a)
{
    return a == NN_SOFTPLUS || a == NN_ELU || a == NN_GELU || a == NN_SILU;
}

int smooth_act_twinnable(nn_act_t a)
{
    return smooth_act_is_smooth(a) || qnet_act_supported(a);
}

static int check_act(const char *func, nn_act_t a, double param)
{
    if ((int) a < 0 || a >= NN_NACT) {
        ae_error(func, "invalid activation %d", (int) a);
        return AE_EINVAL;
    }
    if (a == NN_ELU && !(isfinite(param) && param >= 0)) {
        ae_error(func, "ELU alpha must be finite and >= 0 (got %g)", param);
        return AE_EINVAL;
    }
    return AE_OK;
}

int smooth_delta(mpq_t delta, nn_act_t a, double param)
{
    if (delta == NULL) {
        ae_error(__func__, "delta is NULL");
        return AE_EINVAL;
    }
    int st = check_act(__func__, a, param);
    if (st != AE_OK)
        return st;
    mpq_set_ui(delta, 0, 1);
    switch (a) {
    case NN_RELU: return AE_OK;
    case NN_SOFTPLUS: mpq_set_ui(delta, 693147181UL, 1000000000UL); break;
    case NN_ELU: mpq_set_d(delta, param); break;
    case NN_GELU: mpq_set_ui(delta, 169971208UL, 1000000000UL); break;
    case NN_SILU: mpq_set_ui(delta, 278464543UL, 1000000000UL); break;
    default: return AE_ERANGE;
    }
    mpq_canonicalize(delta);
    return AE_OK;
}

/* ---- Arb evaluations -------------------------------------------------------------- */

/* y = Phi(-u) = erfc(u / sqrt 2) / 2. */
static void phi_minus(arb_t y, const arb_t u, slong prec)
{
    arb_t s;
    arb_init(s);
    arb_sqrt_ui(s, 2, prec);
    arb_div(y, u, s, prec);
    arb_hypgeom_erfc(y, y, prec);
    arb_mul_2exp_si(y, y, -1);
    arb_clear(s);
}

/* y = 1 / (1 + e^u) = s(-u). */
static void sig_minus(arb_t y, const arb_t u, slong prec)
{
    arb_exp(y, u, prec);
    arb_add_ui(y, y, 1, prec);
    arb_inv(y, y, prec);
}

/* g(u) (d = 0) or g'(u) (d = 1) of smooth.h's derivations, u a ball in [0, inf). */
static void gfun(arb_t y, nn_act_t a, double param, const arb_t u, int d, slong prec)
{
    arb_t t, w;
    arb_init(t);
    arb_init(w);
    switch (a) {
    case NN_SOFTPLUS:               /* g = log1p(e^-u), g' = -s(-u) */
        if (d) {
            sig_minus(y, u, prec);
            arb_neg(y, y);
        } else {
            arb_neg(t, u);
            arb_exp(t, t, prec);
            arb_log1p(y, t, prec);
        }
        break;
    case NN_ELU:                    /* g = a (1 - e^-u), g' = a e^-u */
        arb_neg(t, u);
        arb_exp(t, t, prec);
        if (!d) {
            arb_sub_ui(t, t, 1, prec);
            arb_neg(t, t);
        }
        arb_set_d(w, param);
        arb_mul(y, t, w, prec);
        break;
    case NN_GELU:                   /* g = u Phi(-u), g' = Phi(-u) - u phi(u) */
        phi_minus(t, u, prec);
        if (d) {
            arb_mul(w, u, u, prec);
            arb_mul_2exp_si(w, w, -1);
            arb_neg(w, w);
            arb_exp(w, w, prec);
            arb_mul(w, w, u, prec);
            arb_const_pi(y, prec);
            arb_mul_2exp_si(y, y, 1);
            arb_rsqrt(y, y, prec);
            arb_mul(w, w, y, prec);
            arb_sub(y, t, w, prec);
        } else {
            arb_mul(y, t, u, prec);
        }
        break;
    default:                        /* SiLU: g = u s(-u), g' = s(-u) (1 - u s(u)) */
        sig_minus(t, u, prec);
        if (d) {
            arb_neg(w, u);
            sig_minus(w, w, prec);  /* s(u) */
            arb_mul(w, w, u, prec);
            arb_sub_ui(w, w, 1, prec);
            arb_neg(w, w);
            arb_mul(y, t, w, prec);
        } else {
            arb_mul(y, t, u, prec);
        }
        break;
    }
    arb_clear(t);
    arb_clear(w);
}

int smooth_diff_arb(arb_t y, nn_act_t a, double param, const arb_t z, slong prec)
{
    if (y == NULL || z == NULL) {
        ae_error(__func__, "NULL argument");
        return AE_EINVAL;
    }
    int st = check_act(__func__, a, param);
    if (st != AE_OK)
        return st;
    if (!smooth_act_is_smooth(a))
        return AE_ERANGE;
    arb_t u;
    arb_init(u);
    arb_abs(u, z);
    if (a == NN_SOFTPLUS) {
        gfun(y, a, param, u, 0, prec);          /* positive on both sides */
    } else if (arb_is_nonnegative(z)) {
        if (a == NN_ELU)
            arb_zero(y);
        else {
            gfun(y, a, param, u, 0, prec);      /* GELU, SiLU: -g(u) for z >= 0 */
            arb_neg(y, y);
        }
    } else if (arb_is_negative(z)) {
        gfun(y, a, param, u, 0, prec);          /* -g(u) for z < 0 (all three) */
        arb_neg(y, y);
    } else {
        st = AE_ERANGE;
    }
    arb_clear(u);
    return st;
}

/* ---- the certificate ---------------------------------------------------------------- */

/* The analytic maximiser of g (ELU: the end of the range). */
static double argmax(nn_act_t a)
{
    switch (a) {
    case NN_SOFTPLUS: return 0;
    case NN_GELU: return 0.75179152469356436;
    case NN_SILU: return 1.2784645427610737;
    default: return SMOOTH_UMAX;
    }
}

/* 1 if g <= delta on [lo, hi] (mean-value or plain enclosure), else 0. */
static int cell_ok(nn_act_t a, double param, double lo, double hi, const arb_t delta,
                   slong prec)
{
    arb_t u, m, g, dg, b;
    arb_init(u); arb_init(m); arb_init(g); arb_init(dg); arb_init(b);
    arf_t l, h;
    arf_init(l);
    arf_init(h);
    arf_set_d(l, lo);
    arf_set_d(h, hi);
    arb_set_interval_arf(u, l, h, prec);
    gfun(b, a, param, u, 0, prec);              /* plain: g(cell) */
    int ok = arb_le(b, delta);
    if (!ok) {                                  /* g(m) + r |g'(cell)| */
        arb_set_d(m, lo + (hi - lo) / 2);
        gfun(g, a, param, m, 0, prec);
        gfun(dg, a, param, u, 1, prec);
        arb_abs(dg, dg);
        arb_get_abs_ubound_arf(h, dg, prec);
        arb_set_arf(dg, h);
        arb_mul_2exp_si(dg, dg, -1);
        arb_set_d(b, hi - lo);
        arb_mul(dg, dg, b, prec);
        arb_add(g, g, dg, prec);
        ok = arb_le(g, delta);
    }
    arf_clear(l);
    arf_clear(h);
    arb_clear(u); arb_clear(m); arb_clear(g); arb_clear(dg); arb_clear(b);
    return ok;
}

/* 1 if the tail bound for u >= SMOOTH_UMAX is <= delta. */
static int tail_ok(nn_act_t a, double param, const arb_t delta, slong prec)
{
    if (a == NN_ELU)
        return 1;                              /* a (1 - e^-u) < a: exact */
    (void) param;
    arb_t u, t;
    arb_init(u);
    arb_init(t);
    arb_set_d(u, SMOOTH_UMAX);
    arb_neg(t, u);
    if (a == NN_GELU) {                        /* phi(U) = e^{-U^2/2} / sqrt(2 pi) */
        arb_mul(t, t, u, prec);
        arb_mul_2exp_si(t, t, -1);
    }
    arb_exp(t, t, prec);
    if (a == NN_SILU)                          /* U e^-U */
        arb_mul(t, t, u, prec);
    int ok = arb_le(t, delta);
    arb_clear(u);
    arb_clear(t);
    return ok;
}

int smooth_delta_certify(arb_t lb, long *ncells, nn_act_t a, double param, slong prec)
{
    int st = check_act(__func__, a, param);
    if (st != AE_OK)
        return st;
    if (!smooth_act_is_smooth(a))
        return AE_ERANGE;
    mpq_t dq;
    mpq_init(dq);
    smooth_delta(dq, a, param);
    arb_t delta;
    arb_init(delta);
    arbnet_set_q(delta, dq, prec);
    mpq_clear(dq);
    double *stk = ae_malloc(2 * 256 * sizeof(double));
    long top = 0, cells = 0;
    st = stk ? AE_OK : AE_ENOMEM;
    if (st == AE_OK) {
        stk[0] = 0;
        stk[1] = SMOOTH_UMAX;
        top = 1;
    }
    while (st == AE_OK && top > 0) {
        top--;
        double lo = stk[2 * top], hi = stk[2 * top + 1], mid = lo + (hi - lo) / 2;
        cells++;
        if (cell_ok(a, param, lo, hi, delta, prec))
            continue;
        if (cells >= SMOOTH_MAXCELLS || top + 2 > 256 || !(mid > lo && mid < hi)) {
            st = AE_NOTVERIFIED;
            break;
        }
        stk[2 * top] = mid; stk[2 * top + 1] = hi; top++;
        stk[2 * top] = lo; stk[2 * top + 1] = mid; top++;
    }
    free(stk);
    if (st == AE_OK && !tail_ok(a, param, delta, prec))
        st = AE_NOTVERIFIED;
    if (lb != NULL) {
        arb_t u;
        arb_init(u);
        arb_set_d(u, argmax(a));
        gfun(lb, a, param, u, 0, prec);
        arb_clear(u);
    }
    if (ncells)
        *ncells = cells;
    arb_clear(delta);
    return st;
}

/* ---- the twin and K ----------------------------------------------------------------- */

static int check_net(const char *func, const nn_t net)
{
    if (net == NULL || net->L < 1) {
        ae_error(func, "needs an initialised network");
        return AE_EINVAL;
    }
    for (long l = 0; l < net->L; l++)
        if (!smooth_act_twinnable(net->act[l]))
            return AE_ERANGE;
    return AE_OK;
}

int smooth_twin(nn_t twin, const nn_t net)
{
    if (twin == NULL) {
        ae_error(__func__, "twin is NULL");
        return AE_EINVAL;
    }
    int st = check_net(__func__, net);
    if (st != AE_OK) {
        memset(twin, 0, sizeof *twin);         /* clear-safe */
        return st;
    }
    if ((st = nn_init_copy(twin, net)) != AE_OK)
        return st;
    for (long l = 0; l < net->L; l++)
        if (smooth_act_is_smooth(net->act[l])) {
            twin->act[l] = NN_RELU;
            twin->act_param[l] = 0;
        }
    return AE_OK;
}

/* K <- K N_l + sqrt(n delta^2) (smooth) or c K N_l (piecewise linear), see smooth.h. */
static int layer_step(mpq_t K, const nn_t net, const qnet_t q, long l)
{
    mpq_t N, t;
    mpq_inits(N, t, (mpq_ptr) NULL);
    int st = ff_layer_norm2(t, NULL, q, l);
    if (st == AE_OK) {
        qnum_sqrt_upper(N, t, SMOOTH_SQRT_BITS);
        mpq_mul(K, K, N);
        nn_act_t a = net->act[l];
        if (smooth_act_is_smooth(a)) {
            st = smooth_delta(t, a, net->act_param[l]);
            mpq_mul(t, t, t);
            mpq_set_ui(N, (unsigned long) net->sizes[l + 1], 1);
            mpq_mul(t, t, N);
            qnum_sqrt_upper(N, t, SMOOTH_SQRT_BITS);
            mpq_add(K, K, N);
        } else if (a == NN_LEAKY_RELU) {
            mpq_set_d(t, fabs(net->act_param[l]));
            if (mpq_cmp_ui(t, 1, 1) > 0)
                mpq_mul(K, K, t);
        }
    }
    mpq_clears(N, t, (mpq_ptr) NULL);
    return st;
}

int smooth_bound(mpq_t K, const nn_t net)
{
    if (K == NULL) {
        ae_error(__func__, "K is NULL");
        return AE_EINVAL;
    }
    int st = check_net(__func__, net);
    if (st != AE_OK)
        return st;
    nn_t twin;
    if ((st = smooth_twin(twin, net)) != AE_OK)
        return st;
    qnet_t q;
    st = qnet_init_nn(q, twin);
    nn_clear(twin);
    if (st != AE_OK)
        return st;
    mpq_set_ui(K, 0, 1);
    for (long l = 0; l < net->L && st == AE_OK; l++)
        st = layer_step(K, net, q, l);
    qnet_clear(q);
    return st;
}
