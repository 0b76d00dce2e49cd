/* fmteval — the reference evaluator in one format (see fmteval.h for the operation order
 * and the rounding rules).  Compiled with -ffp-contract=off (Makefile): no FMA contraction.
 *
 * The four C types share one evaluation body, instantiated by FMT_DEFINE for
 * float, double, long double and __float128; MPFR has its own body (same order). */
#define MPFR_WANT_FLOAT128 1
#if defined(__clang__) && !defined(_Float128)
#define _Float128 __float128   /* clang (make fuzz) has the type under its GNU name only */
#endif
#include "fmteval.h"

#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aeerr.h"

#if !defined(FLT_EVAL_METHOD) || FLT_EVAL_METHOD != 0
#error "fmteval needs FLT_EVAL_METHOD == 0 (float arithmetic in float: SSE, not x87)"
#endif

typedef __float128 f128;

/* Round-to-odd intermediate precision: >= 113 + 2 bits (see the header). */
#define FMT_ODD_PREC 128

static const char *act_ok_name(nn_act_t a)
{
    switch (a) {
    case NN_IDENTITY: case NN_RELU: case NN_LEAKY_RELU: case NN_HARDTANH:
        return nn_act_name(a);
    default:
        return NULL;
    }
}

const char *fmt_name(fmt_t f, char *buf, size_t len)
{
    switch (f.kind) {
    case FMT_F32:  snprintf(buf, len, "float32"); break;
    case FMT_F64:  snprintf(buf, len, "float64"); break;
    case FMT_LD:   snprintf(buf, len, "longdouble"); break;
    case FMT_F128: snprintf(buf, len, "binary128"); break;
    case FMT_MPFR: snprintf(buf, len, "mpfr%ld", (long) f.prec); break;
    default:       snprintf(buf, len, "?"); break;
    }
    return buf;
}

mpfr_prec_t fmt_prec(fmt_t f)
{
    switch (f.kind) {
    case FMT_F32:  return FLT_MANT_DIG;
    case FMT_F64:  return DBL_MANT_DIG;
    case FMT_LD:   return LDBL_MANT_DIG;
    case FMT_F128: return 113;
    default:       return f.prec;
    }
}

int fmt_parse(fmt_t *f, const char *s)
{
    static const char *const names[] = {"float32", "float64", "longdouble", "binary128"};
    for (int i = 0; i < 4; i++)
        if (strcmp(s, names[i]) == 0) {
            f->kind = (fmt_kind) i;
            f->prec = 0;
            return AE_OK;
        }
    if (strncmp(s, "mpfr", 4) == 0 && s[4] >= '1' && s[4] <= '9') {
        char *end;
        long p = strtol(s + 4, &end, 10);
        if (*end == '\0' && p >= MPFR_PREC_MIN && p <= (1L << 24)) {
            f->kind = FMT_MPFR;
            f->prec = p;
            return AE_OK;
        }
    }
    return AE_EPARSE;
}

static int fmt_valid(fmt_t f)
{
    return (f.kind >= FMT_F32 && f.kind <= FMT_F128) ||
           (f.kind == FMT_MPFR && f.prec >= MPFR_PREC_MIN && f.prec <= MPFR_PREC_MAX);
}

/* t (FMT_ODD_PREC bits) = q rounded to odd: toward zero, last bit set when inexact. */
static void round_odd(mpfr_t t, const mpq_t q)
{
    int inex = mpfr_set_q(t, q, MPFR_RNDZ);
    if (inex == 0 || mpfr_zero_p(t))
        return;
    mpz_t m;
    mpz_init(m);
    mpfr_get_z_2exp(m, t);
    if (mpz_even_p(m)) {
        if (mpfr_sgn(t) > 0)
            mpfr_nextabove(t);
        else
            mpfr_nextbelow(t);
    }
    mpz_clear(m);
}

/* ---- conversions between mpq / mpfr and each C type ---------------------------------- */
#define FMT_CONV(SUF, T, GET, SET)                                                     \
    static T q_to_##SUF(const mpq_t q)                                                 \
    {                                                                                  \
        mpfr_t t;                                                                      \
        mpfr_init2(t, FMT_ODD_PREC);                                                   \
        round_odd(t, q);                                                               \
        T v = GET(t, MPFR_RNDN);                                                       \
        mpfr_clear(t);                                                                 \
        return v;                                                                      \
    }                                                                                  \
    static void SUF##_to_fr(mpfr_t r, T v) { SET(r, v, MPFR_RNDN); }
FMT_CONV(f32, float, mpfr_get_flt, mpfr_set_flt)
FMT_CONV(f64, double, mpfr_get_d, mpfr_set_d)
FMT_CONV(ld, long double, mpfr_get_ld, mpfr_set_ld)
FMT_CONV(f128, f128, mpfr_get_float128, mpfr_set_float128)

int fmt_round_q(mpfr_t r, fmt_t f, const mpq_t q)
{
    if (!fmt_valid(f) || mpfr_get_prec(r) < fmt_prec(f)) {
        ae_error("fmt_round_q", "invalid format or output precision %ld < %ld",
                 (long) mpfr_get_prec(r), (long) (fmt_valid(f) ? fmt_prec(f) : 0));
        return AE_EINVAL;
    }
    switch (f.kind) {
    case FMT_F32:  f32_to_fr(r, q_to_f32(q)); break;
    case FMT_F64:  f64_to_fr(r, q_to_f64(q)); break;
    case FMT_LD:   ld_to_fr(r, q_to_ld(q)); break;
    case FMT_F128: f128_to_fr(r, q_to_f128(q)); break;
    default: {
        mpfr_t t;
        mpfr_init2(t, f.prec);
        mpfr_set_q(t, q, MPFR_RNDN);
        mpfr_set(r, t, MPFR_RNDN);   /* exact: r has >= f.prec bits */
        mpfr_clear(t);
        break;
    }
    }
    return AE_OK;
}

/* ---- the evaluation body for a C type ------------------------------------------------ */
/* out (sizes[L]) = f(x) for x (sizes[0]) in type T; buf: two work vectors of maxw. */
#define FMT_DEFINE(SUF, T)                                                             \
    static void forward_##SUF(T *out, const fmtnet_struct *F, const T *x, T *u, T *v)  \
    {                                                                                  \
        const T *par = (const T *) F->par, *sl = (const T *) F->slope;                 \
        const T *in = x;                                                               \
        for (long l = 0; l < F->L; l++) {                                              \
            long ni = F->sizes[l], no = F->sizes[l + 1];                               \
            T *o = (l == F->L - 1) ? out : ((l % 2) ? v : u);                          \
            const T *W = par + F->woff[l];                                             \
            for (long i = 0; i < no; i++) {                                            \
                const T *w = W + i * ni;                                               \
                long j = 0;                                                            \
                T acc;                                                                 \
                if (F->hasb[l]) {                                                      \
                    acc = par[F->boff[l] + i];                                         \
                } else {                                                               \
                    acc = w[0] * in[0];                                                \
                    j = 1;                                                             \
                }                                                                      \
                for (; j < ni; j++) {                                                  \
                    T p = w[j] * in[j];                                                \
                    acc = acc + p;                                                     \
                }                                                                      \
                switch (F->act[l]) {                                                   \
                case NN_RELU:       if (acc < 0) acc = 0; break;                       \
                case NN_LEAKY_RELU: if (acc < 0) acc = sl[l] * acc; break;             \
                case NN_HARDTANH:   if (acc < -1) acc = -1;                            \
                                    else if (acc > 1) acc = 1;                         \
                                    break;                                             \
                default: break;                                                        \
                }                                                                      \
                o[i] = acc;                                                            \
            }                                                                          \
            in = o;                                                                    \
        }                                                                              \
    }                                                                                  \
    static T score_##SUF(const T *x, const T *y, long d)                               \
    {                                                                                  \
        T s = 0;                                                                       \
        for (long i = 0; i < d; i++) {                                                 \
            T df = x[i] - y[i];                                                        \
            T sq = df * df;                                                            \
            s = s + sq;                                                                \
        }                                                                              \
        return s;                                                                      \
    }                                                                                  \
    /* y (dout mpfr) and/or e from the exact input xs (scaled) */                      \
    static int run_##SUF(mpfr_t *y, mpfr_t e, const fmtnet_struct *F, mpq_t *xs)       \
    {                                                                                  \
        long din = F->sizes[0], dout = F->sizes[F->L], mw = F->maxw;                   \
        T *buf = (T *) ae_malloc((size_t) (din + dout + 2 * mw) * sizeof(T));          \
        if (buf == NULL)                                                               \
            return AE_ENOMEM;                                                          \
        T *x = buf, *out = buf + din, *u = out + dout, *v = u + mw;                    \
        for (long j = 0; j < din; j++)                                                 \
            x[j] = q_to_##SUF(xs[j]);                                                  \
        forward_##SUF(out, F, x, u, v);                                                \
        if (y != NULL)                                                                 \
            for (long i = 0; i < dout; i++)                                            \
                SUF##_to_fr(y[i], out[i]);                                             \
        if (e != NULL)                                                                 \
            SUF##_to_fr(e, score_##SUF(x, out, din));                                  \
        free(buf);                                                                     \
        return AE_OK;                                                                  \
    }                                                                                  \
    static int load_##SUF(fmtnet_struct *F, const mpq_t *par, const double *slope)     \
    {                                                                                  \
        T *p = (T *) ae_malloc((size_t) (F->nparams + 1) * sizeof(T));                 \
        T *s = (T *) ae_malloc((size_t) F->L * sizeof(T));                             \
        if (p == NULL || s == NULL) {                                                  \
            free(p);                                                                   \
            free(s);                                                                   \
            return AE_ENOMEM;                                                          \
        }                                                                              \
        for (long i = 0; i < F->nparams; i++)                                          \
            p[i] = q_to_##SUF(par[i]);                                                 \
        mpq_t t;                                                                       \
        mpq_init(t);                                                                   \
        for (long l = 0; l < F->L; l++) {                                              \
            mpq_set_d(t, slope[l]);                                                    \
            s[l] = q_to_##SUF(t);                                                      \
        }                                                                              \
        mpq_clear(t);                                                                  \
        F->par = p;                                                                    \
        F->slope = s;                                                                  \
        return AE_OK;                                                                  \
    }
FMT_DEFINE(f32, float)
FMT_DEFINE(f64, double)
FMT_DEFINE(ld, long double)
FMT_DEFINE(f128, f128)

/* ---- the MPFR body (same order as FMT_DEFINE) ---------------------------------------- */
/* z = act(z) at z's precision, each step rounded to nearest, t a scratch variable of the
 * same precision.  The smooth activations (MPFR formats only), in this order:
 *   tanh      mpfr_tanh(z)
 *   sigmoid   t = exp(-z); t = t + 1; z = 1 / t
 *   softplus  t = exp(z); z = log1p(t)
 *   elu       z < 0: t = expm1(z); z = alpha * t
 *   gelu      t = sqrt(2); t = z / t; t = -t; t = erfc(t); z = z * t; z = z / 2
 *   silu      t = exp(-z); t = t + 1; z = z / t */
static void act_fr(mpfr_t z, nn_act_t a, const mpfr_t slope, mpfr_t t)
{
    if (mpfr_nan_p(z))
        return;
    switch (a) {
    case NN_RELU:
        if (mpfr_sgn(z) < 0)
            mpfr_set_zero(z, 1);
        break;
    case NN_LEAKY_RELU:
        if (mpfr_sgn(z) < 0)
            mpfr_mul(z, z, slope, MPFR_RNDN);
        break;
    case NN_HARDTANH:
        if (mpfr_cmp_si(z, -1) < 0)
            mpfr_set_si(z, -1, MPFR_RNDN);
        else if (mpfr_cmp_si(z, 1) > 0)
            mpfr_set_si(z, 1, MPFR_RNDN);
        break;
    case NN_TANH:
        mpfr_tanh(z, z, MPFR_RNDN);
        break;
    case NN_SIGMOID:
    case NN_SILU:
        mpfr_neg(t, z, MPFR_RNDN);
        mpfr_exp(t, t, MPFR_RNDN);
        mpfr_add_ui(t, t, 1, MPFR_RNDN);
        if (a == NN_SIGMOID)
            mpfr_ui_div(z, 1, t, MPFR_RNDN);
        else
            mpfr_div(z, z, t, MPFR_RNDN);
        break;
    case NN_SOFTPLUS:
        mpfr_exp(t, z, MPFR_RNDN);
        mpfr_log1p(z, t, MPFR_RNDN);
        break;
    case NN_ELU:
        if (mpfr_sgn(z) < 0) {
            mpfr_expm1(t, z, MPFR_RNDN);
            mpfr_mul(z, slope, t, MPFR_RNDN);
        }
        break;
    case NN_GELU:
        mpfr_sqrt_ui(t, 2, MPFR_RNDN);
        mpfr_div(t, z, t, MPFR_RNDN);
        mpfr_neg(t, t, MPFR_RNDN);
        mpfr_erfc(t, t, MPFR_RNDN);
        mpfr_mul(z, z, t, MPFR_RNDN);
        mpfr_div_2ui(z, z, 1, MPFR_RNDN);
        break;
    default:
        break;
    }
}

static mpfr_t *fr_vec(long n, mpfr_prec_t p)
{
    mpfr_t *v = (mpfr_t *) ae_malloc((size_t) (n > 0 ? n : 1) * sizeof(mpfr_t));
    if (v != NULL)
        for (long i = 0; i < n; i++)
            mpfr_init2(v[i], p);
    return v;
}

static void fr_vec_clear(mpfr_t *v, long n)
{
    if (v == NULL)
        return;
    for (long i = 0; i < n; i++)
        mpfr_clear(v[i]);
    free(v);
}

static void forward_fr(mpfr_t *out, const fmtnet_struct *F, mpfr_t *x, mpfr_t *u, mpfr_t *v,
                       mpfr_t p)
{
    mpfr_t *par = (mpfr_t *) F->par, *sl = (mpfr_t *) F->slope;
    mpfr_t *in = x;
    for (long l = 0; l < F->L; l++) {
        long ni = F->sizes[l], no = F->sizes[l + 1];
        mpfr_t *o = (l == F->L - 1) ? out : ((l % 2) ? v : u);
        mpfr_t *W = par + F->woff[l];
        for (long i = 0; i < no; i++) {
            mpfr_t *w = W + i * ni;
            long j = 0;
            if (F->hasb[l]) {
                mpfr_set(o[i], par[F->boff[l] + i], MPFR_RNDN);
            } else {
                mpfr_mul(o[i], w[0], in[0], MPFR_RNDN);
                j = 1;
            }
            for (; j < ni; j++) {
                mpfr_mul(p, w[j], in[j], MPFR_RNDN);
                mpfr_add(o[i], o[i], p, MPFR_RNDN);
            }
            act_fr(o[i], F->act[l], sl[l], p);
        }
        in = o;
    }
}

static int run_fr(mpfr_t *y, mpfr_t e, const fmtnet_struct *F, mpq_t *xs)
{
    long din = F->sizes[0], dout = F->sizes[F->L], mw = F->maxw;
    mpfr_prec_t pr = F->f.prec;
    long nb = din + dout + 2 * mw + 2;
    mpfr_t *buf = fr_vec(nb, pr);
    if (buf == NULL)
        return AE_ENOMEM;
    mpfr_t *x = buf, *out = buf + din, *u = out + dout, *v = u + mw, *t = v + mw;
    for (long j = 0; j < din; j++)
        mpfr_set_q(x[j], xs[j], MPFR_RNDN);
    forward_fr(out, F, x, u, v, t[0]);
    if (y != NULL)
        for (long i = 0; i < dout; i++)
            mpfr_set(y[i], out[i], MPFR_RNDN);
    if (e != NULL) {
        mpfr_set_zero(t[1], 1);
        for (long i = 0; i < din; i++) {
            mpfr_sub(t[0], x[i], out[i], MPFR_RNDN);
            mpfr_mul(t[0], t[0], t[0], MPFR_RNDN);
            mpfr_add(t[1], t[1], t[0], MPFR_RNDN);
        }
        mpfr_set(e, t[1], MPFR_RNDN);
    }
    fr_vec_clear(buf, nb);
    return AE_OK;
}

static int load_fr(fmtnet_struct *F, const mpq_t *par, const double *slope)
{
    mpfr_t *p = fr_vec(F->nparams, F->f.prec), *s = fr_vec(F->L, F->f.prec);
    if (p == NULL || s == NULL) {
        fr_vec_clear(p, F->nparams);
        fr_vec_clear(s, F->L);
        return AE_ENOMEM;
    }
    for (long i = 0; i < F->nparams; i++)
        mpfr_set_q(p[i], par[i], MPFR_RNDN);
    for (long l = 0; l < F->L; l++)
        mpfr_set_d(s[l], slope[l], MPFR_RNDN);
    F->par = p;
    F->slope = s;
    return AE_OK;
}

/* ---- life cycle ---------------------------------------------------------------------- */
static void zero_struct(fmtnet_struct *F)
{
    memset(F, 0, sizeof *F);
}

void fmtnet_clear(fmtnet_t F)
{
    if (F->f.kind == FMT_MPFR) {
        fr_vec_clear((mpfr_t *) F->par, F->par ? F->nparams : 0);
        fr_vec_clear((mpfr_t *) F->slope, F->slope ? F->L : 0);
    } else {
        free(F->par);
        free(F->slope);
    }
    if (F->nscale > 0) {
        for (long j = 0; j < F->nscale; j++) {
            mpq_clear(F->scale_lo[j]);
            mpq_clear(F->scale_hi[j]);
        }
    }
    free(F->scale_lo);
    free(F->scale_hi);
    free(F->sizes);
    free(F->act);
    free(F->hasb);
    free(F->woff);
    free(F->boff);
    zero_struct(F);
}

/* Reports misuse of the shape arguments (before anything is allocated). */
static int shape_check(fmt_t f, long L, const long *sizes, const nn_act_t *act, const char *func)
{
    if (!fmt_valid(f) || L < 1 || sizes == NULL || act == NULL) {
        ae_error(func, "invalid format, L < 1 or NULL sizes/act");
        return AE_EINVAL;
    }
    for (long l = 0; l <= L; l++)
        if (sizes[l] < 1) {
            ae_error(func, "width %ld of layer %ld < 1", sizes[l], l);
            return AE_EINVAL;
        }
    for (long l = 0; l < L; l++)
        if (act_ok_name(act[l]) == NULL && (f.kind != FMT_MPFR || nn_act_name(act[l]) == NULL)) {
            ae_error(func, "activation %d of layer %ld: only piecewise-linear activations in "
                     "the C formats", (int) act[l], l);
            return AE_EINVAL;
        }
    return AE_OK;
}

/* Sets up the shape of F (everything but the parameter values); arguments checked by
 * shape_check. */
static int shape_init(fmtnet_struct *F, fmt_t f, long L, const long *sizes, const nn_act_t *act,
                      const int *hasb)
{
    zero_struct(F);
    F->f = f;
    F->sizes = ae_malloc((size_t) (L + 1) * sizeof(long));
    F->act = ae_malloc((size_t) L * sizeof(nn_act_t));
    F->hasb = ae_malloc((size_t) L * sizeof(int));
    F->woff = ae_malloc((size_t) L * sizeof(long));
    F->boff = ae_malloc((size_t) L * sizeof(long));
    if (!F->sizes || !F->act || !F->hasb || !F->woff || !F->boff) {
        fmtnet_clear(F);
        return AE_ENOMEM;
    }
    F->L = L;
    memcpy(F->sizes, sizes, (size_t) (L + 1) * sizeof(long));
    memcpy(F->act, act, (size_t) L * sizeof(nn_act_t));
    long off = 0;
    for (long l = 0; l <= L; l++)
        if (sizes[l] > F->maxw)
            F->maxw = sizes[l];
    for (long l = 0; l < L; l++) {
        F->hasb[l] = hasb[l];
        F->woff[l] = off;
        off += sizes[l + 1] * sizes[l];
        F->boff[l] = hasb[l] ? off : -1;
        off += hasb[l] ? sizes[l + 1] : 0;
    }
    F->nparams = off;
    return AE_OK;
}

static int load(fmtnet_struct *F, const mpq_t *par, const double *slope)
{
    switch (F->f.kind) {
    case FMT_F32:  return load_f32(F, par, slope);
    case FMT_F64:  return load_f64(F, par, slope);
    case FMT_LD:   return load_ld(F, par, slope);
    case FMT_F128: return load_f128(F, par, slope);
    default:       return load_fr(F, par, slope);
    }
}

/* Finishes init from the exact parameter block (nparams rationals) and L slopes. */
static int finish(fmtnet_struct *F, mpq_t *par, const double *slope)
{
    int st = load(F, par, slope);
    for (long i = 0; i < F->nparams; i++)
        mpq_clear(par[i]);
    free(par);
    if (st != AE_OK)
        fmtnet_clear(F);
    return st;
}

static mpq_t *par_alloc(long n)
{
    mpq_t *p = ae_malloc((size_t) (n > 0 ? n : 1) * sizeof(mpq_t));
    if (p != NULL)
        for (long i = 0; i < n; i++)
            mpq_init(p[i]);
    return p;
}

int fmtnet_init(fmtnet_t F, fmt_t f, long L, const long *sizes, const nn_act_t *act,
                const double *slope, mpq_t *const *W, mpq_t *const *b)
{
    zero_struct(F);
    F->f = f;
    int bad = W == NULL;
    for (long l = 0; !bad && l < L; l++)
        bad = W[l] == NULL;
    if (bad) {   /* reported before anything is allocated */
        ae_error("fmtnet_init", "W or some W[l] is NULL");
        return AE_EINVAL;
    }
    int st = shape_check(f, L, sizes, act, "fmtnet_init");
    if (st != AE_OK)
        return st;
    int *hasb = ae_calloc((size_t) (L > 0 ? L : 1), sizeof(int));
    double *sl = ae_calloc((size_t) (L > 0 ? L : 1), sizeof(double));
    if (hasb == NULL || sl == NULL) {
        free(hasb);
        free(sl);
        zero_struct(F);
        return AE_ENOMEM;
    }
    for (long l = 0; l < L; l++) {
        hasb[l] = b != NULL && b[l] != NULL;
        sl[l] = slope ? slope[l] : 0.01;
    }
    st = shape_init(F, f, L, sizes, act, hasb);
    mpq_t *par = NULL;
    if (st == AE_OK && (par = par_alloc(F->nparams)) == NULL) {
        fmtnet_clear(F);
        st = AE_ENOMEM;
    }
    if (st == AE_OK) {
        for (long l = 0; l < L; l++) {
            long nw = sizes[l + 1] * sizes[l];
            for (long i = 0; i < nw; i++)
                mpq_set(par[F->woff[l] + i], W[l][i]);
            for (long i = 0; hasb[l] && i < sizes[l + 1]; i++)
                mpq_set(par[F->boff[l] + i], b[l][i]);
        }
        st = finish(F, par, sl);
    }
    free(hasb);
    free(sl);
    return st;
}

int fmtnet_init_nn(fmtnet_t F, fmt_t f, const nn_t net)
{
    zero_struct(F);
    if (net == NULL || net->L < 1) {
        ae_error("fmtnet_init_nn", "NULL or empty network");
        return AE_EINVAL;
    }
    int st = shape_check(f, net->L, net->sizes, net->act, "fmtnet_init_nn");
    if (st == AE_OK)
        st = shape_init(F, f, net->L, net->sizes, net->act, net->bias);
    if (st != AE_OK)
        return st;
    for (long l = 0; l < net->L; l++)
        if (F->woff[l] != net->woff[l] || F->boff[l] != net->boff[l]) {
            ae_error("fmtnet_init_nn", "parameter layout differs from nn.h's");
            fmtnet_clear(F);
            return AE_EINVAL;
        }
    double *p = ae_malloc((size_t) net->nparams * sizeof(double));
    mpq_t *par = par_alloc(F->nparams);
    if (p == NULL || par == NULL) {
        free(p);
        free(par);
        fmtnet_clear(F);
        return AE_ENOMEM;
    }
    nn_get_params(p, net);
    for (long i = 0; i < F->nparams; i++)
        mpq_set_d(par[i], p[i]);
    free(p);
    if (net->nscale > 0) {
        F->scale_lo = ae_malloc((size_t) net->nscale * sizeof(mpq_t));
        F->scale_hi = ae_malloc((size_t) net->nscale * sizeof(mpq_t));
        if (F->scale_lo == NULL || F->scale_hi == NULL) {
            for (long i = 0; i < F->nparams; i++)
                mpq_clear(par[i]);
            free(par);
            fmtnet_clear(F);
            return AE_ENOMEM;
        }
        F->nscale = net->nscale;
        for (long j = 0; j < net->nscale; j++) {
            mpq_init(F->scale_lo[j]);
            mpq_init(F->scale_hi[j]);
            mpq_set(F->scale_lo[j], net->scale_lo[j]);
            mpq_set(F->scale_hi[j], net->scale_hi[j]);
        }
    }
    return finish(F, par, net->act_param);
}

/* ---- evaluation ---------------------------------------------------------------------- */
static int out_prec_ok(const fmtnet_struct *F, mpfr_t *y, long ny, mpfr_ptr e)
{
    mpfr_prec_t p = fmt_prec(F->f);
    for (long i = 0; y != NULL && i < ny; i++)
        if (mpfr_get_prec(y[i]) < p)
            return 0;
    return e == NULL || mpfr_get_prec(e) >= p;
}

static int run(mpfr_t *y, mpfr_ptr e, const fmtnet_struct *F, const mpq_t *x, long n,
               const char *func)
{
    if (F->L < 1 || x == NULL || n != F->sizes[0] ||
        (e != NULL && F->sizes[0] != F->sizes[F->L]) ||
        !out_prec_ok(F, y, F->sizes[F->L], e)) {
        ae_error(func, "uninitialised net, NULL x, n != din, din != dout or output precision "
                 "below the format's");
        return AE_EINVAL;
    }
    mpq_t *xs = par_alloc(n);
    if (xs == NULL)
        return AE_ENOMEM;
    mpq_t den;
    mpq_init(den);
    for (long j = 0; j < n; j++) {
        mpq_set(xs[j], x[j]);
        if (F->nscale > 0) {
            mpq_sub(xs[j], xs[j], F->scale_lo[j]);
            mpq_sub(den, F->scale_hi[j], F->scale_lo[j]);
            if (mpq_sgn(den) != 0)
                mpq_div(xs[j], xs[j], den);
        }
    }
    mpq_clear(den);
    int st;
    switch (F->f.kind) {
    case FMT_F32:  st = run_f32(y, e, F, xs); break;
    case FMT_F64:  st = run_f64(y, e, F, xs); break;
    case FMT_LD:   st = run_ld(y, e, F, xs); break;
    case FMT_F128: st = run_f128(y, e, F, xs); break;
    default:       st = run_fr(y, e, F, xs); break;
    }
    for (long j = 0; j < n; j++)
        mpq_clear(xs[j]);
    free(xs);
    return st;
}

int fmtnet_eval(mpfr_t *y, const fmtnet_t F, const mpq_t *x, long n)
{
    if (y == NULL) {
        ae_error("fmtnet_eval", "y is NULL");
        return AE_EINVAL;
    }
    return run(y, NULL, F, x, n, "fmtnet_eval");
}

int fmtnet_score(mpfr_t e, const fmtnet_t F, const mpq_t *x, long n)
{
    return run(NULL, e, F, x, n, "fmtnet_score");
}
