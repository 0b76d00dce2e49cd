/* cone — exact search for blind directions of a recession network f0 (issue #8).
 *
 * A blind direction is v != 0 with f0(v) = v (f0 = qnet_init_recession of an AE, so
 * positively homogeneous, din == dout): along x0 + t v the final piece of the AE has
 * slope f0(v) = v (ray.h), so the score stays bounded on the whole ray.
 *
 * Cones.  For a pattern p of f0 let g_u be, for every unit u, the row obtained by
 * propagating the masked layers of p (layer 1: g_u = row u of W_1; layer l: W_l times
 * the masked map of layer l - 1).  C_p = { v : g_u.v >= 0 for ON units, g_u.v <= 0 for
 * OFF units of relu / leaky layers } (identity and QNET_ZERO units give no constraint).
 * Claim: f0(v) = A_p v on C_p (A_p = qnet_affine).  Induction over the layers: layer 1's
 * pre-activations are g_u.v; if the layers below l pass their masked linear maps, layer
 * l's pre-activations are g_u.v, and an ON unit with g_u.v >= 0 gives relu(z) = leaky(z)
 * = z, an OFF unit with g_u.v <= 0 gives 0 (resp. a z): the masked map again.  Every v
 * lies in C_p for p = its own pattern (qnet_eval: z = 0 is OFF, and 0 <= 0).
 *
 * The cone test (cone_test).  v is a fixed point in C_p iff v in null(A_p - I) and v in
 * C_p.  With N a basis of null(A_p - I) (qmat_nullspace, columns scaled to integers),
 * v = N y, and N has full column rank, so v != 0 iff y != 0.  The cone K = { y : H y >= 0 }
 * (H_u = s_u g_u^T N, s_u = +1 ON, -1 OFF; rows scaled to primitive integers) contains a
 * y != 0 iff for some coordinate i and sign sigma the LP { H y >= 0, sigma y_i >= 1 } is
 * feasible (scale a nonzero y by 1/|y_i| for an i with y_i != 0; conversely such y != 0).
 * Each LP (zero objective, so never unbounded) is solved by GLPK's glp_exact, which does
 * all its arithmetic in exact rationals on the double data it is given; we give it only
 * integers |c| < 2^53, exactly representable, so its data ARE our rational data.
 *   - Feasible: the optimal basis is read back (glp_get_row_stat / col_stat), the vertex
 *     is recomputed exactly in rationals by solving the nonbasic equations with qmat
 *     (nonbasic rows H_u y = 0, nonbasic columns at their bound, free nonbasic y_j = 0),
 *     v = N y is scaled to a primitive integer vector and f0(v) = v, v != 0 is checked
 *     exactly with qnet_eval.  Only this exact check makes a certificate (CONE_FIXED).
 *   - Infeasible: glp_exact's verdict is not trusted alone.  A second exact LP finds a
 *     Farkas vector lambda >= 0 with H^T lambda = -sigma e_i (it exists iff the first LP
 *     is infeasible: for a feasible y, 0 <= lambda^T H y = -sigma y_i <= -1); its vertex
 *     is recomputed in rationals the same way and lambda >= 0, H^T lambda = -sigma e_i
 *     checked exactly.  CONE_NONE needs such a checked certificate for every (i, sigma).
 *   - An entry of H that does not fit in 53 bits, a GLPK failure, a singular basis
 *     system, or a feasible LP whose recomputed vertex fails the exact check, with no
 *     other LP certified, or an infeasibility without a checked Farkas vector:
 *     CONE_UNDECIDED (never rounded).
 * If null(A_p - I) = {0}, the answer is CONE_NONE without any LP (exact).
 *
 * Search (cone_search): the pattern of each candidate direction (qnet_eval), patterns
 * deduplicated (also against earlier calls on the same object), one cone test each.  It
 * decides only the cones it meets.  For d = 1 the candidates +1, -1 are complete.
 *
 * The circle (cone_circle, d = 2): a complete, exact enumeration.  Walking counter-
 * clockwise from a boundary direction b, the pattern just after b is the pattern of
 * b + t b_perp for small t > 0 (b_perp = (-b2, b1); qnet_forms, QNET_RIGHT at t0 = 0).
 * Its forms g_u are valid until the first direction after b where some nonzero g_u
 * vanishes, i.e. the first of +-(-g_u2, g_u1) counter-clockwise of b (angle in (0, pi];
 * compared exactly by integer cross products).  On the open arc in between no form
 * vanishes, so (induction over layers, as in ray.h) every unit keeps its state: the arc
 * is a sector with one pattern, and its closure lies in C_p.  The walk starts at the
 * first such boundary after e1 (a true state change, as in ray.h) and stops when it comes
 * back to it; if no form of the pattern at e1 is nonzero, the pattern is the same on the
 * whole plane (one sector, full = 1).  Every direction lies in the closure of a sector,
 * so f0 has a blind direction iff some sector's cone test is CONE_FIXED; with no
 * CONE_UNDECIDED the answer is complete.
 *
 * Misuse (ae_error, AE_EINVAL): f0 not homogeneous or din != dout, lengths not the
 * network's, invalid patterns, NULL arguments, cone_circle with din != 2, objects
 * initialised for another network.  No output may alias an input.
 */
#ifndef CONE_H
#define CONE_H

#include <gmp.h>

#include "qmat.h"
#include "qnet.h"

enum { CONE_NONE = 0, CONE_FIXED = 1, CONE_UNDECIDED = 2 };

/* 1 if v != 0 and f0(v) = v exactly, 0 if not (n = din = dout); AE_EINVAL on misuse. */
int cone_is_fixed(const qnet_t f0, const mpq_t *v, long n);

/* G (nunits x din, initialised) = the forms g_u of pattern pat (see top): on C_p every
 * unit's pre-activation is G_u v exactly. */
int cone_forms(qmat_t G, const qnet_t f0, const signed char *pat);

/* 1 if v is in the closed cone C_p of pat, else 0. */
int cone_member(const qnet_t f0, const signed char *pat, const mpq_t *v, long n);

/* The cone test of pattern pat (see top): *status = CONE_FIXED (v, length n = din, gets
 * a primitive integer fixed point, exactly checked), CONE_NONE or CONE_UNDECIDED (v = 0).
 * Returns AE_OK, or AE_EINVAL on misuse. */
int cone_test(int *status, mpq_t *v, long n, const qnet_t f0, const signed char *pat);

typedef struct {
    long din, nunits;
    long npat, cap;
    signed char *pat;     /* npat x nunits, distinct patterns, in the order met */
    int *status;          /* npat: CONE_* */
    mpq_t *v;             /* npat x din: the fixed point where status == CONE_FIXED */
    long nfixed, nnone, nundecided;
    long *hash;           /* private: open-addressing table of pattern indices */
    long hcap;
} cone_search_struct;
typedef cone_search_struct cone_search_t[1];

#define cone_search_pat(S, k) ((S)->pat + (long) (k) * (S)->nunits)
#define cone_search_v(S, k)   ((S)->v + (long) (k) * (S)->din)

void cone_search_init(cone_search_t S, const qnet_t f0);
void cone_search_clear(cone_search_t S);
/* Adds the patterns of the ncand candidate directions cand (ncand x n, row-major, n =
 * din) not yet in S and tests each (see top). */
int cone_search(cone_search_t S, const qnet_t f0, const mpq_t *cand, long ncand, long n);
/* The same with double candidates (read exactly; NaN / Inf is misuse). */
int cone_search_d(cone_search_t S, const qnet_t f0, const double *cand, long ncand, long n);

typedef struct {
    long nunits, n, cap;
    int full;             /* 1: one sector, the whole plane (no boundary) */
    mpz_t *b;             /* 2 (n + 1): boundary k = (b[2k], b[2k+1]), primitive;
                             sector k runs counter-clockwise from b_k to b_{k+1}, an
                             angle in (0, pi]; b_n = b_0 */
    signed char *pat;     /* n x nunits */
    int *status;          /* n: the cone test of the sector's pattern */
    mpq_t *v;             /* n x 2: its fixed point when CONE_FIXED */
    long nfixed, nundecided;
} cone_circle_struct;
typedef cone_circle_struct cone_circle_t[1];

#define cone_circle_b(C, k)   ((C)->b + 2 * (long) (k))
#define cone_circle_pat(C, k) ((C)->pat + (long) (k) * (C)->nunits)
#define cone_circle_v(C, k)   ((C)->v + 2 * (long) (k))

void cone_circle_init(cone_circle_t C, const qnet_t f0);
void cone_circle_clear(cone_circle_t C);
/* Every sector of f0 (din = dout = 2) with its cone test (see top).  maxsectors > 0
 * bounds the count (AE_ERANGE beyond it); <= 0: no bound. */
int cone_circle(cone_circle_t C, const qnet_t f0, long maxsectors);

#endif
