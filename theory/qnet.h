/* qnet — a float-trained network as an exact object (claims N1, N2).
 *
 * Every float32/float64 weight is a dyadic rational m 2^k, so the network nn_t trains is
 * an exact piecewise-affine map.  qnet stores layer l as integer mantissas over ONE power
 * of two,  W_l = M_l 2^{-e_l},  b_l = B_l 2^{-e_l}  (e_l >= 0 the smallest exponent that
 * makes every mantissa of the layer an integer), so that a layer applied to an integer
 * vector over a denominator D gives an integer vector over D 2^{e_l}: no gcd, no mpq, only
 * multiply-adds and shifts.  Rationals appear only at the API boundary.
 *
 * Activations (exact): identity; relu; leaky_relu with its float slope s = S 2^{-s_e}
 * (exact dyadic); hardtanh (clip to [-1, 1]).  The smooth ones (tanh, sigmoid, softplus,
 * elu, gelu, silu) are not piecewise affine and are refused: qnet_init_nn returns
 * AE_ERANGE ("not supported yet"; qnet_act_supported tells beforehand).  One more,
 * internal activation, QNET_ZERO (the zero map), exists for the recession network below.
 *
 * Unit states (a pattern).  A pattern is one signed char per unit of every layer, layer
 * by layer (unit u of layer l at qnet->uoff[l] + u; qnet->nunits in all, the output
 * layer included).  On a set where the pattern is fixed every layer is affine:
 *   QNET_ON  (1)  the identity branch: relu/leaky z > 0, hardtanh |z| < 1, identity;
 *   QNET_OFF (0)  relu 0, leaky s z (z <= 0), QNET_ZERO always;
 *   QNET_LO (-1)  hardtanh saturated at -1;     QNET_HI (2)  hardtanh saturated at +1.
 * At a point, a unit exactly on a boundary (relu/leaky z = 0; hardtanh z = +-1) gets
 * OFF (resp. ON): both branches agree there, so the value is the same either way.
 *
 * The recession network f0 (N2).  f0 has every bias removed and each activation replaced
 * by its recession function sigma_inf(z) = lim_{c->inf} sigma(c z)/c: relu, leaky relu and
 * identity are their own, hardtanh's is 0 (QNET_ZERO).  f0 is positively homogeneous,
 * f0(c x) = c f0(x) for c >= 0, and for every x0, v the slope of the final piece of
 * f(x0 + t v) is f0(v) (see ray.h for the induction).  On a cone where f0's pattern is
 * fixed, f0(v) = A_p v (qnet_affine).
 *
 * Rays.  Along x(t) = x0 + t v every pre-activation is, while the pattern upstream of it
 * is fixed, an affine function z_u(t) = (P_u + t Q_u) / D_l with integers P_u, Q_u and one
 * D_l > 0 per layer (qnet_forms).  ray.h builds breakpoints and final pieces from these.
 *
 * Vectors are mpq_t arrays with explicit lengths; a length that does not match the
 * network, a pattern state invalid for its unit's activation, a NULL argument are misuse
 * (ae_error, then AE_EINVAL).  Outputs are canonical.  No output may alias an input.
 */
#ifndef QNET_H
#define QNET_H

#include <gmp.h>

#include "nn.h"
#include "qmat.h"

enum { QNET_IDENTITY = 0, QNET_RELU, QNET_LEAKY, QNET_HARDTANH, QNET_ZERO };
enum { QNET_LO = -1, QNET_OFF = 0, QNET_ON = 1, QNET_HI = 2 };

typedef struct {
    long L;              /* affine layers, >= 1 */
    long *sizes;         /* L + 1 widths */
    int *act;            /* L activations (QNET_*) */
    mpz_t *slope;        /* L: leaky slope mantissa S (slope = S 2^{-slope_exp[l]}) */
    long *slope_exp;
    mpz_t **W;           /* L: sizes[l+1] x sizes[l] mantissas, row-major */
    mpz_t **b;           /* L: sizes[l+1] mantissas, or NULL (no bias) */
    long *e;             /* L exponents: W_l = W[l] 2^{-e[l]}, b_l = b[l] 2^{-e[l]} */
    long **Ws;           /* L: the same mantissas as machine integers when all fit, else NULL */
    long nunits, *uoff;  /* pattern layout: uoff[l] = sum_{j<l} sizes[j+1] */
    /* The front end's min-max scaling x' = (x - lo)/(hi - lo) (hi == lo: x' = x - lo), copied
     * exactly from the nn_t: nscale = 0 (none) or sizes[0]. */
    long nscale;
    mpq_t *scale_lo, *scale_hi;
} qnet_struct;
typedef qnet_struct qnet_t[1];

#define qnet_din(q)    ((q)->sizes[0])
#define qnet_dout(q)   ((q)->sizes[(q)->L])

/* 1 if qnet represents activation a exactly (identity, relu, leaky_relu, hardtanh). */
int qnet_act_supported(nn_act_t a);

/* The exact network of net (weights read with nn_get_params, exactly).  Returns AE_OK, or
 * AE_ERANGE if some activation is not supported (q is then clear-safe, and needs no
 * qnet_clear).  Misuse: net NULL. */
int qnet_init_nn(qnet_t q, const nn_t net);
/* f0 = the recession network of f (see top): no biases, hardtanh -> QNET_ZERO, same
 * weights and scaling.  f0 is initialised by this call. */
int qnet_init_recession(qnet_t f0, const qnet_t f);
void qnet_clear(qnet_t q);
/* 1 if the network has no bias and only identity/relu/leaky/zero activations (then it is
 * positively homogeneous), else 0. */
int qnet_is_homogeneous(const qnet_t q);

/* Layer l (0 <= l < L) as doubles, exactly: W (sizes[l+1] x sizes[l], row-major), b
 * (sizes[l+1]; zeros when the layer has no bias) and *slope (the leaky slope, else 0);
 * each of the three may be NULL (not filled).  Returns AE_OK, or AE_ERANGE (outputs
 * unspecified) when some value is not exactly a finite double -- never for a network from
 * nn_t, whose values are float32/float64.  For the float searches and the rigorous float
 * enclosures built on the exact network. */
int qnet_layer_double(double *W, double *b, double *slope, const qnet_t q, long l);

/* xs = the scaled point (x - lo)/(hi - lo) (x - lo where hi == lo, as nn.h), or x itself when the
 * network has no scaling; n = sizes[0] for both. */
int qnet_scale_point(mpq_t *xs, const qnet_t q, const mpq_t *x, long n);

/* ---- evaluation at a point ------------------------------------------------------ */
/* y (length ny = dout) = f(x) (x of length nx = din), exactly.  pat (nunits entries, may
 * be NULL) gets the pattern at x. */
int qnet_eval(mpq_t *y, long ny, signed char *pat, const qnet_t q, const mpq_t *x, long nx);
/* y (length ny = sizes[nl]) = the output of the first nl layers (1 <= nl <= L; each
 * layer's activation applied), x of length nx = din, exactly: nl = L is qnet_eval.  Used
 * for latent codes (detect.h).  Misuse: nl out of range, lengths. */
int qnet_eval_prefix(mpq_t *y, long ny, const qnet_t q, const mpq_t *x, long nx, long nl);
/* e = ||x - f(x)||^2 exactly; needs din == dout (misuse otherwise). */
int qnet_score(mpq_t e, const qnet_t q, const mpq_t *x, long nx);
/* A (dout x din, initialised) and c (length dout, may be NULL) with f(x) = A x + c on the
 * closure of the set where the pattern is pat (the product of the masked layers, in
 * integers over one power-of-two denominator).  For f0, c = 0.  Cost
 * O(sum_l sizes[l+1] sizes[l] din). */
int qnet_affine(qmat_t A, mpq_t *c, const qnet_t q, const signed char *pat);

/* ---- affine forms along a ray ---------------------------------------------------- */
typedef struct {
    long L, nunits, din, dout, wmax;
    mpz_t *P, *Q;        /* nunits: z_u(t) = (P_u + t Q_u) / D[l] for u in layer l */
    mpz_t *D;            /* L pre-activation denominators (> 0) */
    mpz_t *AP, *AQ;      /* dout: f(x(t)) = (AP + t AQ) / DA on the region */
    mpz_t DA;
    /* private work space */
    mpz_t *bufP, *bufQ, *X0, *V, Dx, tmp;
    long *idx;           /* 2 wmax */
} qnet_forms_struct;
typedef qnet_forms_struct qnet_forms_t[1];

void qnet_forms_init(qnet_forms_t F, const qnet_t q);
void qnet_forms_clear(qnet_forms_t F);

/* How qnet_forms picks each unit's state, layer by layer:
 *   QNET_FIXED       from pat (input);
 *   QNET_RIGHT       the state on (t0, t0 + eps) for small eps > 0: the sign of
 *                    z(t0) - c, ties broken by the sign of the slope;
 *   QNET_ASYMPTOTIC  the state for t -> infinity: the sign of the slope, ties (slope 0)
 *                    broken by z - c.
 * (c = 0, or +-1 for hardtanh).  In the last two modes pat (output) gets the states. */
enum { QNET_FIXED = 0, QNET_RIGHT, QNET_ASYMPTOTIC };

/* The forms of every unit and of the output along x0 + t v (both of length n = din), with
 * the states chosen by mode (t0 is read only for QNET_RIGHT and must be >= 0 then; may be
 * NULL otherwise).  F must have been initialised for q. */
int qnet_forms(qnet_forms_t F, signed char *pat, const qnet_t q, const mpq_t *x0,
               const mpq_t *v, long n, int mode, const mpq_t t0);
/* alpha, beta (length dout) = AP/DA, AQ/DA: f(x(t)) = alpha + t beta on the region. */
void qnet_forms_output(mpq_t *alpha, mpq_t *beta, const qnet_forms_t F);

#endif
