/* smooth — smooth asymptotically linear activations against ReLU (claim N6, issue #9).
 *
 * The smooth activations of nn.h that grow linearly (softplus, ELU, GELU, SiLU) differ
 * from ReLU by a bounded amount: delta_sigma = sup_z |sigma(z) - relu(z)| is finite.  With
 * u = |z| >= 0 (derivations in smooth.c, each bound an exact rational >= the supremum):
 *   softplus  log(1 + e^z) - relu(z) = log(1 + e^-u) in (0, ln 2], max at z = 0:
 *             delta = 693147181 / 10^9   (ln 2 = 0.6931471805599453..., excess 4.4e-10);
 *   ELU(a)    z < 0: |a (e^z - 1)| = a (1 - e^z) < a, -> a as z -> -inf; z >= 0: 0:
 *             delta = a exactly (the model's alpha, a float: an exact dyadic rational);
 *   GELU      z Phi(z) - relu(z) has absolute value g(u) = u Phi(-u) on both sides; the
 *             maximiser solves Phi(-u) = u phi(u), u* = 0.7517915246935644, g(u*) =
 *             0.1699712074799037...: delta = 169971208 / 10^9 (excess 5.2e-10);
 *   SiLU      z sigmoid(z) - relu(z) has absolute value g(u) = u sigmoid(-u) = u/(1+e^u);
 *             the maximiser solves u sigmoid(u) = 1, i.e. u = 1 + e^-u, u* = 1.2784645427
 *             6107 = 1 + W(1/e), g(u*) = u* - 1 = 0.2784645427610738...:
 *             delta = 278464543 / 10^9 (excess 2.4e-10).
 * ReLU itself has delta 0.  The bounds are certified by smooth_delta_certify with Arb
 * (rigorous ball arithmetic: arb_log1p, arb_exp, arb_hypgeom_erfc).
 *
 * The ReLU twin.  For a network f whose activations are smooth (above) or piecewise linear
 * (identity, relu, leaky_relu, hardtanh), the twin g has the same weights, biases and
 * scaling, each smooth activation replaced by relu (identity and piecewise-linear layers
 * stay).  Layer by layer, with h_l, h'_l the layer outputs of f and g at the same input,
 * z_l - z'_l = W_l (h_{l-1} - h'_{l-1}) (the biases cancel), and
 *   smooth sigma:   |sigma(a) - relu(b)| <= |sigma(a) - relu(a)| + |relu(a) - relu(b)|
 *                                        <= delta + |a - b|   (relu is 1-Lipschitz),
 *                   so ||h_l - h'_l|| <= sqrt(n_l) delta + ||W_l||_2 ||h_{l-1} - h'_{l-1}||;
 *   identity:       ||h_l - h'_l|| <= ||W_l||_2 ||h_{l-1} - h'_{l-1}||;
 *   relu / leaky (slope s) / hardtanh (the same unit in both): c_l = max(1, |s|) times that.
 * With D_0 = 0, K = D_L >= sup_x ||f(x) - g(x)|| for every x (in the network's scaled
 * space; the scaling is shared, so for every raw input too).  ||W_l||_2 is bounded above
 * by farfield's ff_layer_norm2 (a rational >= ||W_l||_2^2, five rigorous bounds), square
 * roots and sqrt(n_l) delta are taken upwards (qnum_sqrt_upper).
 *
 * Consequences (twin.h uses them): e_f(x) = ||x - f(x)||^2 and e_g(x) satisfy
 *   sqrt(e_f) <= sqrt(e_g) + K   and   sqrt(e_f) >= sqrt(e_g) - K.
 *
 * Errors: AE_ERANGE for an activation without a bounded difference to relu (tanh,
 * sigmoid: bounded, see claim N5 instead; no twin).  Misuse (ae_error, AE_EINVAL): NULL,
 * an invalid activation, a non-finite or negative ELU alpha.
 */
#ifndef SMOOTH_H
#define SMOOTH_H

#include <arb.h>
#include <gmp.h>

#include "nn.h"

/* 1 for softplus, elu, gelu, silu (the smooth asymptotically linear ones), else 0. */
int smooth_act_is_smooth(nn_act_t a);
/* 1 when a network with activation a in some layer has a ReLU twin: smooth or piecewise
 * linear (identity, relu, leaky_relu, hardtanh). */
int smooth_act_twinnable(nn_act_t a);

/* delta = the exact rational upper bound of sup_z |sigma(z) - relu(z)| above (param: the
 * ELU alpha, ignored otherwise); 0 for relu.  AE_ERANGE (delta 0) for identity,
 * leaky_relu, hardtanh (their layers stay in the twin), tanh and sigmoid. */
int smooth_delta(mpq_t delta, nn_act_t a, double param);

/* The per-unit difference sigma(z) - relu(z) as an Arb ball containing the exact value
 * for every z in the ball z (prec bits); z must not straddle 0 unless a is softplus
 * (whose difference log(1 + e^-|z|) is evaluated on |z|).  AE_ERANGE when z straddles 0
 * for another activation or a is not smooth.  y may alias z. */
int smooth_diff_arb(arb_t y, nn_act_t a, double param, const arb_t z, slong prec);

/* Certifies sup_z |sigma(z) - relu(z)| <= smooth_delta(a) with Arb: g(u) (top) is bounded
 * on [0, 64] by a branch and bound over dyadic cells with the mean-value form
 * g(m) + r |g'(cell)| (or the plain enclosure g(cell), whichever is smaller), and beyond
 * 64 by a tail bound (softplus e^-u, GELU phi(u) by Mills' ratio Phi(-u) <= phi(u)/u,
 * SiLU u e^-u); ELU's bound a (1 - e^-u) < a is exact.  lb (may be NULL) gets an Arb
 * ball of g at the analytic maximiser (a lower bound of the supremum; for ELU g(64)).
 * *ncells (may be NULL) gets the cells bounded.  Returns AE_OK when certified,
 * AE_NOTVERIFIED when some cell could not be brought below delta within 2^20 cells,
 * AE_ERANGE when a is not smooth. */
int smooth_delta_certify(arb_t lb, long *ncells, nn_act_t a, double param, slong prec);

/* twin = the ReLU twin of net (a deep copy, every smooth activation replaced by relu,
 * act_param 0 there; initialised by this call; on error clear-safe).  AE_ERANGE when
 * some activation is tanh or sigmoid. */
int smooth_twin(nn_t twin, const nn_t net);

/* K = a rational >= sup_x ||f(x) - g(x)||, f = net, g its twin (see top).  AE_ERANGE as
 * smooth_twin.  Cost: ff_layer_norm2 per layer. */
int smooth_bound(mpq_t K, const nn_t net);

#endif
