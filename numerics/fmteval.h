/* fmteval — an inference-only reference evaluator of a multilayer perceptron in one
 * floating-point format: float32, float64, long double (x86 x87 80-bit extended),
 * binary128 (__float128, libquadmath) or MPFR at a given precision.
 *
 * The network: L affine layers, layer l maps R^{sizes[l]} to R^{sizes[l+1]},
 *     z_l = W_l a_{l-1} + b_l,   a_l = act_l(z_l),   a_{-1} = x,   f(x) = a_{L-1}.
 *
 * ONE fixed operation order, every operation done in the format with round-to-nearest-even
 * (no FMA: fmteval.c is compiled with -ffp-contract=off; float32 arithmetic is float32,
 * FLT_EVAL_METHOD == 0 is asserted at compile time):
 *   - weights, biases, slopes and the input are first rounded to nearest into the format
 *     (see "Rounding into the format");
 *   - z_i = (((b_i + W_i0 x_0) + W_i1 x_1) + ...) + W_i,n-1 x_n-1: each product rounded,
 *     then added, j = 0..n-1 left to right; a layer without bias starts with W_i0 x_0;
 *   - then the activation (see below);
 *   - the score s = (((x_0 - y_0)^2 + (x_1 - y_1)^2) + ...), each difference rounded, each
 *     square a rounded product d*d, summed in i order from 0 (0 + the first square).
 * Activations (piecewise linear, exact in every format except the leaky product):
 *     identity  z;   relu  z < 0 ? 0 : z;   leaky_relu  z < 0 ? slope*z : z;
 *     hardtanh  z < -1 ? -1 : (z > 1 ? 1 : z).
 * NaN propagates through all of them (NaN < 0 is false); so do infinities.  The smooth
 * activations of nn.h (tanh, sigmoid, softplus, elu, gelu, silu) are accepted in the MPFR
 * formats only, each built from correctly rounded MPFR functions in a fixed order
 * (fmteval.c, act_fr); in the C formats they are refused (AE_EINVAL): the C library's
 * transcendental functions are not portable.
 *
 * Rounding into the format.  float32/float64/long double/binary128: the exact rational is
 * rounded to odd at 128 bits with MPFR (rounded toward zero, the last bit forced to 1 when
 * inexact), then to nearest into the C type by mpfr_get_flt/_d/_ld/_float128.  Rounding to
 * odd with >= p + 2 bits followed by rounding to nearest is correctly rounded (Boldo &
 * Melquiond 2008), also on the subnormal grid, so subnormals come out as IEEE 754 rounding
 * to nearest gives them (gradual underflow), and a magnitude at or above the overflow
 * threshold (max + half an ulp) becomes +-Inf — exactly IEEE's round-to-nearest.  This
 * needs no change of MPFR's global exponent range.  MPFR formats: mpfr_set_q at the
 * format's precision, to nearest, with MPFR's (practically unbounded) exponent range:
 * MPFR formats neither overflow nor underflow here.
 *
 * Results are converted exactly into the caller's mpfr_t, which needs at least the format's
 * precision (fmt_prec: 24, 53, LDBL_MANT_DIG = 64, 113 or the MPFR precision); 113 bits
 * always suffice for the C types.  Inf and NaN come out as such.
 *
 * Errors: caller misuse (bad sizes, an unsupported activation, a too small output
 * precision, n != din) -> ae_error, AE_EINVAL.  An Inf/NaN result is a value, not an error.
 * A fmtnet_t is read-only after init: evaluation allocates its own work space, so one net
 * may be evaluated from several threads.
 */
#ifndef FMTEVAL_H
#define FMTEVAL_H

#include <stddef.h>
#include <gmp.h>
#include <mpfr.h>

#include "nn.h"

typedef enum { FMT_F32, FMT_F64, FMT_LD, FMT_F128, FMT_MPFR } fmt_kind;
typedef struct {
    fmt_kind kind;
    mpfr_prec_t prec;   /* MPFR only (>= MPFR_PREC_MIN); ignored for the C types */
} fmt_t;

/* "float32", "float64", "longdouble", "binary128", "mpfrP" (e.g. "mpfr256") into buf
 * (len bytes, truncated as snprintf); returns buf. */
const char *fmt_name(fmt_t f, char *buf, size_t len);
/* The format's significand precision in bits (24, 53, LDBL_MANT_DIG, 113, prec). */
mpfr_prec_t fmt_prec(fmt_t f);
/* Parses a name as printed by fmt_name; AE_OK or AE_EPARSE (*f unchanged). */
int fmt_parse(fmt_t *f, const char *s);

/* r = q rounded to nearest into format f (as described above), returned exactly in r
 * (r needs >= fmt_prec(f) bits; misuse otherwise). */
int fmt_round_q(mpfr_t r, fmt_t f, const mpq_t q);

typedef struct {
    fmt_t f;
    long L;
    long *sizes;        /* L + 1 */
    nn_act_t *act;      /* L */
    int *hasb;          /* L */
    long *woff, *boff;  /* L offsets into the parameter block (boff -1 without bias) */
    long nparams;
    long maxw;          /* the largest width */
    void *par;          /* nparams values in the format (float*, double*, ..., mpfr_t*) */
    void *slope;        /* L slopes in the format (leaky ReLU; 0 else) */
    long nscale;        /* 0 or sizes[0]: exact input scaling (x - lo)/(hi - lo) */
    mpq_t *scale_lo, *scale_hi;
} fmtnet_struct;
typedef fmtnet_struct fmtnet_t[1];

/* L >= 1 layers, sizes[L+1] (each >= 1), act[L] (see top), slope[L] (leaky ReLU slope or
 * ELU alpha per layer, as doubles; may be NULL: 0.01), W[l] (sizes[l+1] x sizes[l],
 * row-major) and b[l] (sizes[l+1]; b == NULL or b[l] == NULL: no bias) as exact
 * rationals, rounded into f here.  No scaling.  On error F is clear-safe. */
int  fmtnet_init(fmtnet_t F, fmt_t f, long L, const long *sizes, const nn_act_t *act,
                 const double *slope, mpq_t *const *W, mpq_t *const *b);
/* The weights (exact doubles), slopes and input scaling of a trained net, rounded into f
 * (a float32 net's weights are exact in every format; a float64 net's are rounded in
 * float32).  AE_EINVAL for an activation the format does not support.  On error F is
 * clear-safe. */
int  fmtnet_init_nn(fmtnet_t F, fmt_t f, const nn_t net);
void fmtnet_clear(fmtnet_t F);

/* y[0..dout-1] = f(x) computed in the format (x: n = din exact rationals, the scaling of
 * an nn_t applied exactly, then rounded into the format), converted exactly (each y[i]
 * needs >= fmt_prec bits).  y must be initialised by the caller. */
int  fmtnet_eval(mpfr_t *y, const fmtnet_t F, const mpq_t *x, long n);
/* e = ||x' - f(x')||^2 computed in the format (x' = the scaled, rounded input; the
 * difference uses x' as the format holds it), converted exactly.  Requires din == dout. */
int  fmtnet_score(mpfr_t e, const fmtnet_t F, const mpq_t *x, long n);

#endif
