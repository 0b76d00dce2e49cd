/* ray — exact behaviour of a qnet along a ray x(t) = x0 + t v, t >= 0 (claims N1, N2).
 *
 * Breakpoints.  A breakpoint is a t > 0 at which some unit changes state (qnet.h: relu /
 * leaky at z = 0, hardtanh at z = +-1; identity units never change).  Between two
 * consecutive breakpoints every state is fixed, so every pre-activation and the output
 * are affine in t: f(x(t)) = alpha_k + t beta_k on piece k = [t_k, t_{k+1}].
 *
 * Enumeration (ray_pieces).  From t_k (t_0 = 0) the states on (t_k, t_k + eps) are found
 * layer by layer (qnet_forms, QNET_RIGHT): layer 1's pre-activations are globally affine;
 * once the states of layers < l are known on (t_k, t_k + eps), layer l's pre-activations
 * are affine there, with known forms (P + t Q)/D, and their sign just right of t_k is the
 * sign of z(t_k), ties broken by the slope.  Let t_{k+1} be the smallest root > t_k of
 * any unit's form (relu/leaky: z = 0, hardtanh: z = +-1, forms with Q != 0 only).  On
 * (t_k, t_{k+1}) no form has a root, so by induction over the layers every unit keeps
 * its state and every form is the true pre-activation: the piece is correct.  The roots
 * come from finitely many forms (finitely many patterns), and t_k strictly increases,
 * so the enumeration ends.  Each t_{k+1} is a true state change: among the units whose
 * form has the root t_{k+1}, one of the lowest layer has the same form on both sides
 * (nothing upstream changes there), with Q != 0, so its sign really flips.
 *
 * The final piece directly (ray_final).  The asymptotic pattern (QNET_ASYMPTOTIC: each
 * unit's sign for t -> inf, i.e. sign(Q), or sign of z - c when Q = 0) gives forms
 * (P_u + t Q_u)/D.  Let T = max(0, largest root of any of these forms).
 * Claim: for t > T the network really has the asymptotic pattern, so f(x(t)) = alpha +
 * t beta on [T, inf) (closed by continuity).  Induction over the layers: layer 1's forms
 * are the true pre-activations; if the states of layers < l are the asymptotic ones on
 * (T, inf), layer l's true pre-activations equal its asymptotic forms there, which have
 * no root beyond T, hence keep the sign they have as t -> inf, which is the asymptotic
 * state.  Conversely T is the last breakpoint: a root r > t_last of an asymptotic form
 * would lie inside the true final piece, where true and asymptotic forms agree, and
 * would be a state change (Q != 0); and t_last itself, a true state change of a unit
 * whose form is unchanged across t_last, is a root of that unit's asymptotic form.  So
 * T = the last entry of ray_pieces' list (0 when there is no breakpoint), an exact
 * identity the tests check; the cost is one propagation, not one per breakpoint.
 *
 * The slope (N2).  The Q part of the asymptotic forms propagates as the recession
 * network f0 (qnet_init_recession) evaluated at v: Q_l = W_l Q_{l-1} (biases enter P
 * only); a unit with Q > 0 (< 0) is ON (OFF) and passes relu(Q) (leaky(Q)); with Q = 0 it
 * passes 0 whatever its state; a hardtanh unit with Q != 0 saturates and passes 0, its
 * recession value.  Hence beta = f0(v) for every x0.
 *
 * The score.  With din == dout, on [T, inf) the residual is (x0 - alpha) + t (v - beta),
 * so e(t) = a t^2 + b t + c with a = ||v - beta||^2, b = 2 (x0 - alpha).(v - beta),
 * c = ||x0 - alpha||^2, exactly.
 *
 * Misuse (ae_error, AE_EINVAL): lengths not equal to the network's, objects initialised
 * for another network, NULL arguments.
 */
#ifndef RAY_H
#define RAY_H

#include <gmp.h>

#include "qnet.h"

typedef struct {
    long din, dout, nunits;
    mpq_t T;              /* f(x0 + t v) = alpha + t beta for all t >= T >= 0 */
    signed char *pat;     /* the asymptotic pattern (nunits) */
    mpq_t *alpha, *beta;  /* dout each */
    int has_score;        /* din == dout: e(t) = a t^2 + b t + c for t >= T */
    mpq_t a, b, c;
    qnet_forms_t F;       /* work space */
} ray_final_struct;
typedef ray_final_struct ray_final_t[1];

void ray_final_init(ray_final_t R, const qnet_t q);
void ray_final_clear(ray_final_t R);
/* The final piece of q along x0 + t v (x0, v of length n = din), see top. */
int ray_final(ray_final_t R, const qnet_t q, const mpq_t *x0, const mpq_t *v, long n);

typedef struct {
    long din, dout, nunits;
    long n, cap;           /* n pieces; piece k starts at t[k] (t[0] = 0), ends at t[k+1] */
    mpq_t *t;              /* t[1..n-1] are the breakpoints, strictly increasing */
    signed char *pat;      /* n x nunits: the pattern on the open piece */
    mpq_t *alpha, *beta;   /* n x dout: f = alpha_k + t beta_k on piece k */
} ray_pieces_struct;
typedef ray_pieces_struct ray_pieces_t[1];

void ray_pieces_init(ray_pieces_t R, const qnet_t q);
void ray_pieces_clear(ray_pieces_t R);
#define ray_alpha(R, k) ((R)->alpha + (long) (k) * (R)->dout)
#define ray_beta(R, k)  ((R)->beta + (long) (k) * (R)->dout)
#define ray_pat(R, k)   ((R)->pat + (long) (k) * (R)->nunits)
/* Every piece of q along x0 + t v, t >= 0 (see top).  maxpieces > 0 bounds the count:
 * AE_ERANGE when there would be more (R then holds the first maxpieces pieces);
 * maxpieces <= 0: no bound. */
int ray_pieces(ray_pieces_t R, const qnet_t q, const mpq_t *x0, const mpq_t *v, long n,
               long maxpieces);

/* 1 if beta == f0(v) exactly (f0 a recession network, v and beta of its din / dout), 0 if
 * not; AE_EINVAL (after ae_error) on misuse. */
int ray_slope_is_recession(const qnet_t f0, const mpq_t *v, long nv, const mpq_t *beta,
                           long nb);

#endif
