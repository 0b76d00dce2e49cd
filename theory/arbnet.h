/* arbnet — rigorous evaluation of a float-trained network with Arb ball arithmetic
 * (claims N5, N6).
 *
 * Every weight of an nn_t is a float32/float64 value, hence an exact dyadic rational, and
 * is stored here as an exact Arb ball (radius 0).  The front end's min-max scaling
 * x' = (x - lo)/(hi - lo) (x' = x - lo where hi == lo, as nn.h) is kept as exact
 * rationals and applied in ball arithmetic (or exactly in rationals by arbnet_score_q).
 * Every result is a ball guaranteed to CONTAIN the exact value of the real network with
 * those exact weights, for every input in the input balls (Arb's functions are rigorous:
 * the enclosures come from the library, none is derived by hand here).
 *
 * Activations on a ball z = [lo, hi]:
 *   monotone non-decreasing ones (identity, relu, leaky relu with slope >= 0, hardtanh,
 *   tanh, sigmoid, softplus = log1p(exp z), elu with alpha >= 0) are evaluated at the two
 *   endpoints as exact points and the hull is taken: sigma([lo, hi]) = [sigma(lo),
 *   sigma(hi)] for monotone sigma, so a ball straddling 0 (relu) or a kink is handled
 *   soundly and without the overestimation of the plain interval extension;
 *   leaky relu with a negative slope uses z+ - s z- on the ball (each part sound);
 *   gelu z erfc(-z/sqrt 2)/2 (arb_hypgeom_erfc) and silu z/(1 + e^-z) are not monotone and
 *   use Arb's interval extension on the whole ball (sound; wider for wide balls).
 *   A non-finite ball gives an indeterminate result (bounded activations: their range).
 *
 * Layers: z_i = b_i + sum_j W_ij a_j by arb_dot (rigorous).  Scores are taken in the
 * network's own (scaled) coordinates: e(x) = ||x' - f(x')||^2 with x' the scaled input,
 * the score the model's user sees (as qnet_score on qnet_scale_point's output).
 *
 * Errors: caller misuse (NULL, lengths, prec < 2, din != dout for a score) -> ae_error,
 * AE_EINVAL.  No output may alias an input.
 */
#ifndef ARBNET_H
#define ARBNET_H

#include <arb.h>
#include <gmp.h>

#include "nn.h"

typedef struct {
    long L;              /* affine layers */
    long *sizes;         /* L + 1 widths */
    nn_act_t *act;       /* L activations */
    double *param;       /* L: leaky slope / elu alpha (exact doubles) */
    arb_ptr *W;          /* L: sizes[l+1] x sizes[l] exact balls, row-major */
    arb_ptr *b;          /* L: sizes[l+1] exact balls, or NULL (no bias) */
    long nscale;         /* 0 or sizes[0] */
    mpq_t *scale_lo, *scale_hi;
    long wmax;           /* the widest layer */
} arbnet_struct;
typedef arbnet_struct arbnet_t[1];

#define arbnet_din(a)  ((a)->sizes[0])
#define arbnet_dout(a) ((a)->sizes[(a)->L])

/* a = the exact network of net (weights read with nn_get_params, exactly; scaling copied).
 * Returns AE_OK; misuse: a or net NULL.  Every activation of nn.h is supported. */
int  arbnet_init_nn(arbnet_t a, const nn_t net);
void arbnet_clear(arbnet_t a);

/* act(z) on one ball: res contains act(t) for every t in z (see top).  res may alias z. */
void arbnet_act(arb_t res, nn_act_t act, double param, const arb_t z, slong prec);

/* xs (din balls) contains the scaled point x' for every x in the balls x (din balls);
 * x itself when the network has no scaling.  xs must not alias x. */
int  arbnet_scale(arb_ptr xs, const arbnet_t a, arb_srcptr x, slong prec);

/* y (dout balls) contains f(x') for every x in the input balls x (din balls), scaling
 * applied; prec = Arb working precision in bits (>= 2). */
int  arbnet_eval(arb_ptr y, const arbnet_t a, arb_srcptr x, slong prec);
/* The same without scaling: y contains f(x) for x in the (already scaled) balls x. */
int  arbnet_eval_scaled(arb_ptr y, const arbnet_t a, arb_srcptr xs, slong prec);

/* y (dout balls) contains the output of layers l0..L-1 for every input h in the balls h
 * (sizes[l0] balls: the activations of layer l0 - 1); l0 = 0 is arbnet_eval_scaled,
 * l0 = L copies h.  Misuse: l0 outside [0, L]. */
int  arbnet_eval_layers(arb_ptr y, const arbnet_t a, long l0, arb_srcptr h, slong prec);

/* e contains ||x' - f(x')||^2 for every x in the balls (the interval extension). */
int  arbnet_score(arb_t e, const arbnet_t a, arb_srcptr x, slong prec);
/* The same on balls xs already in the network's (scaled) input space. */
int  arbnet_score_scaled(arb_t e, const arbnet_t a, arb_srcptr xs, slong prec);
/* The same, tighter on small boxes: the intersection of the plain extension with the
 * mean-value form e(c) + sum_j g_j [-r_j, r_j] (c the balls' midpoints, r their radii,
 * g_j an enclosure of de/dx_j over the box by forward-mode differentiation: derivative
 * enclosures of each activation on its ball, the hull of both one-sided slopes at a kink
 * of relu / leaky relu / hardtanh -- Lebourg's mean-value theorem for Lipschitz
 * functions covers the kinks).  Activations other than identity, relu, leaky relu,
 * hardtanh, tanh and sigmoid: the plain extension only.  xs scaled, din = dout. */
int  arbnet_score_mv(arb_t e, const arbnet_t a, arb_srcptr xs, slong prec);
/* The same at an exact rational point x (length n = din): x' is computed exactly in
 * rationals, then enclosed. */
int  arbnet_score_q(arb_t e, const arbnet_t a, const mpq_t *x, long n, slong prec);
/* smin contains s_min = min over the n >= 1 rows of X (n x din rationals, row-major) of
 * the score; *argmin (may be NULL) = a row whose score ball has the least upper end. */
int  arbnet_smin(arb_t smin, long *argmin, const arbnet_t a, const mpq_t *X, long n, slong prec);

/* ---- small helpers on exact rationals and balls (used by bounded, pocket2d) ---------- */
/* b = the ball of the rational q at prec (exact when q is dyadic and short). */
void arbnet_set_q(arb_t b, const mpq_t q, slong prec);
/* q = a rational upper (upper != 0) or lower bound of the ball b (exact endpoint,
 * a dyadic); b must be finite (else misuse, q unchanged). */
void arbnet_bound_q(mpq_t q, const arb_t b, int upper);

#endif
