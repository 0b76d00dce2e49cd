/* qnet — see qnet.h. */
#include "qnet.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "aeerr.h"
#include "zvec.h"

int qnet_act_supported(nn_act_t a)
{
    return a == NN_IDENTITY || a == NN_RELU || a == NN_LEAKY_RELU || a == NN_HARDTANH;
}

/* x = m 2^s with m an odd integer (or x = 0: m = 0, s = 0); |m| < 2^53. */
static void dyadic(int64_t *m, long *s, double x)
{
    if (x == 0) {
        *m = 0;
        *s = 0;
        return;
    }
    int k;
    double f = frexp(x, &k);          /* x = f 2^k, 1/2 <= |f| < 1 */
    int64_t mm = (int64_t) ldexp(f, 53);
    long ss = (long) k - 53;
    while ((mm & 1) == 0) {
        mm /= 2;
        ss++;
    }
    *m = mm;
    *s = ss;
}

static void qnet_zero(qnet_t q)
{
    q->L = 0;
    q->sizes = NULL;
    q->act = NULL;
    q->slope = NULL;
    q->slope_exp = NULL;
    q->W = q->b = NULL;
    q->e = NULL;
    q->Ws = NULL;
    q->nunits = 0;
    q->uoff = NULL;
    q->nscale = 0;
    q->scale_lo = q->scale_hi = NULL;
}

void qnet_clear(qnet_t q)
{
    for (long l = 0; l < q->L; l++) {
        long nw = q->sizes[l + 1] * q->sizes[l];
        if (q->W)
            zvec_clear(q->W[l], nw);
        if (q->b && q->b[l])
            zvec_clear(q->b[l], q->sizes[l + 1]);
        if (q->Ws)
            free(q->Ws[l]);
        if (q->slope)
            mpz_clear(q->slope[l]);
    }
    free(q->W);
    free(q->b);
    free(q->Ws);
    free(q->slope);
    free(q->slope_exp);
    free(q->e);
    free(q->act);
    free(q->sizes);
    free(q->uoff);
    for (long i = 0; i < q->nscale; i++) {
        mpq_clear(q->scale_lo[i]);
        mpq_clear(q->scale_hi[i]);
    }
    free(q->scale_lo);
    free(q->scale_hi);
    qnet_zero(q);
}

/* Allocates the skeleton of an L-layer network with the given widths (weights zero). */
static void qnet_alloc(qnet_t q, long L, const long *sizes, const int *bias, long nscale)
{
    q->L = L;
    q->sizes = ae_malloc((size_t) (L + 1) * sizeof(long));
    for (long l = 0; l <= L; l++)
        q->sizes[l] = sizes[l];
    q->act = ae_calloc((size_t) L, sizeof(int));
    q->slope = ae_malloc((size_t) L * sizeof(mpz_t));
    q->slope_exp = ae_calloc((size_t) L, sizeof(long));
    q->W = ae_calloc((size_t) L, sizeof(mpz_t *));
    q->b = ae_calloc((size_t) L, sizeof(mpz_t *));
    q->Ws = ae_calloc((size_t) L, sizeof(long *));
    q->e = ae_calloc((size_t) L, sizeof(long));
    q->uoff = ae_malloc((size_t) (L + 1) * sizeof(long));
    q->nunits = 0;
    for (long l = 0; l < L; l++) {
        mpz_init(q->slope[l]);
        q->uoff[l] = q->nunits;
        q->nunits += sizes[l + 1];
        q->W[l] = zvec_init(sizes[l + 1] * sizes[l]);
        if (bias[l])
            q->b[l] = zvec_init(sizes[l + 1]);
    }
    q->uoff[L] = q->nunits;
    q->nscale = nscale;
    if (nscale > 0) {
        q->scale_lo = ae_malloc((size_t) nscale * sizeof(mpq_t));
        q->scale_hi = ae_malloc((size_t) nscale * sizeof(mpq_t));
        for (long i = 0; i < nscale; i++) {
            mpq_init(q->scale_lo[i]);
            mpq_init(q->scale_hi[i]);
        }
    }
}

/* The machine-integer copy of layer l's weights when every mantissa fits in a long. */
static void make_small(qnet_t q, long l)
{
    long nw = q->sizes[l + 1] * q->sizes[l];
    for (long i = 0; i < nw; i++)
        if (!mpz_fits_slong_p(q->W[l][i]))
            return;
    q->Ws[l] = ae_malloc((size_t) (nw > 0 ? nw : 1) * sizeof(long));
    for (long i = 0; i < nw; i++)
        q->Ws[l][i] = mpz_get_si(q->W[l][i]);
}

int qnet_init_nn(qnet_t q, const nn_t net)
{
    qnet_zero(q);
    if (net == NULL) {
        ae_error(__func__, "net is NULL");
        return AE_EINVAL;
    }
    for (long l = 0; l < net->L; l++)
        if (!qnet_act_supported(net->act[l]))
            return AE_ERANGE;
    long L = net->L;
    double *p = ae_malloc((size_t) (net->nparams > 0 ? net->nparams : 1) * sizeof(double));
    nn_get_params(p, net);
    qnet_alloc(q, L, net->sizes, net->bias, net->nscale);
    int64_t mm;
    long ss;
    for (long l = 0; l < L; l++) {
        long nin = net->sizes[l], nout = net->sizes[l + 1], nw = nin * nout;
        switch (net->act[l]) {
        case NN_IDENTITY: q->act[l] = QNET_IDENTITY; break;
        case NN_RELU: q->act[l] = QNET_RELU; break;
        case NN_HARDTANH: q->act[l] = QNET_HARDTANH; break;
        default:
            q->act[l] = QNET_LEAKY;
            dyadic(&mm, &ss, net->act_param[l]);
            mpz_set_si(q->slope[l], (long) mm);
            if (ss >= 0) {
                mpz_mul_2exp(q->slope[l], q->slope[l], (mp_bitcnt_t) ss);
                q->slope_exp[l] = 0;
            } else {
                q->slope_exp[l] = -ss;
            }
            break;
        }
        const double *w = p + net->woff[l];
        const double *bb = net->bias[l] ? p + net->boff[l] : NULL;
        long emax = 0;
        for (long i = 0; i < nw + (bb ? nout : 0); i++) {
            dyadic(&mm, &ss, i < nw ? w[i] : bb[i - nw]);
            if (mm != 0 && -ss > emax)
                emax = -ss;
        }
        q->e[l] = emax;
        for (long i = 0; i < nw + (bb ? nout : 0); i++) {
            dyadic(&mm, &ss, i < nw ? w[i] : bb[i - nw]);
            mpz_ptr z = i < nw ? q->W[l][i] : q->b[l][i - nw];
            mpz_set_si(z, (long) mm);
            mpz_mul_2exp(z, z, (mp_bitcnt_t) (ss + emax));
        }
        make_small(q, l);
    }
    for (long i = 0; i < net->nscale; i++) {
        mpq_set(q->scale_lo[i], net->scale_lo[i]);
        mpq_set(q->scale_hi[i], net->scale_hi[i]);
    }
    free(p);
    return AE_OK;
}

int qnet_init_recession(qnet_t f0, const qnet_t f)
{
    qnet_zero(f0);
    if (f == NULL || f->L < 1) {
        ae_error(__func__, "f is not an initialised network");
        return AE_EINVAL;
    }
    int *nob = ae_calloc((size_t) f->L, sizeof(int));
    qnet_alloc(f0, f->L, f->sizes, nob, f->nscale);
    free(nob);
    for (long l = 0; l < f->L; l++) {
        long nw = f->sizes[l + 1] * f->sizes[l];
        f0->act[l] = f->act[l] == QNET_HARDTANH ? QNET_ZERO : f->act[l];
        mpz_set(f0->slope[l], f->slope[l]);
        f0->slope_exp[l] = f->slope_exp[l];
        f0->e[l] = f->e[l];
        for (long i = 0; i < nw; i++)
            mpz_set(f0->W[l][i], f->W[l][i]);
        make_small(f0, l);
    }
    for (long i = 0; i < f->nscale; i++) {
        mpq_set(f0->scale_lo[i], f->scale_lo[i]);
        mpq_set(f0->scale_hi[i], f->scale_hi[i]);
    }
    return AE_OK;
}

int qnet_is_homogeneous(const qnet_t q)
{
    for (long l = 0; l < q->L; l++) {
        if (q->b[l] != NULL || q->act[l] == QNET_HARDTANH)
            return 0;
    }
    return 1;
}

int qnet_scale_point(mpq_t *xs, const qnet_t q, const mpq_t *x, long n)
{
    if (xs == NULL || x == NULL || n != qnet_din(q)) {
        ae_error(__func__, "point of length %ld, network input %ld", n, qnet_din(q));
        return AE_EINVAL;
    }
    mpq_t w;
    mpq_init(w);
    for (long i = 0; i < n; i++) {
        if (q->nscale == 0) {
            mpq_set(xs[i], x[i]);
            continue;
        }
        mpq_sub(w, q->scale_hi[i], q->scale_lo[i]);
        if (mpq_sgn(w) == 0) {   /* MinMaxScaler: a constant feature gets scale 1 */
            mpq_sub(xs[i], x[i], q->scale_lo[i]);
        } else {
            mpq_sub(xs[i], x[i], q->scale_lo[i]);
            mpq_div(xs[i], xs[i], w);
        }
    }
    mpq_clear(w);
    return AE_OK;
}

/* ---- the propagation kernel ------------------------------------------------------ */

void qnet_forms_init(qnet_forms_t F, const qnet_t q)
{
    F->L = q->L;
    F->nunits = q->nunits;
    F->din = qnet_din(q);
    F->dout = qnet_dout(q);
    F->wmax = 1;
    for (long l = 0; l <= q->L; l++)
        if (q->sizes[l] > F->wmax)
            F->wmax = q->sizes[l];
    F->P = zvec_init(q->nunits);
    F->Q = zvec_init(q->nunits);
    F->D = zvec_init(q->L);
    F->AP = zvec_init(F->dout);
    F->AQ = zvec_init(F->dout);
    F->bufP = zvec_init(F->wmax);
    F->bufQ = zvec_init(F->wmax);
    F->X0 = zvec_init(F->din);
    F->V = zvec_init(F->din);
    F->idx = ae_malloc((size_t) (2 * F->wmax) * sizeof(long));
    mpz_inits(F->DA, F->Dx, F->tmp, (mpz_ptr) NULL);
}

void qnet_forms_clear(qnet_forms_t F)
{
    zvec_clear(F->P, F->nunits);
    zvec_clear(F->Q, F->nunits);
    zvec_clear(F->D, F->L);
    zvec_clear(F->AP, F->dout);
    zvec_clear(F->AQ, F->dout);
    zvec_clear(F->bufP, F->wmax);
    zvec_clear(F->bufQ, F->wmax);
    zvec_clear(F->X0, F->din);
    zvec_clear(F->V, F->din);
    free(F->idx);
    mpz_clears(F->DA, F->Dx, F->tmp, (mpz_ptr) NULL);
}

static int state_valid(int act, int s)
{
    switch (act) {
    case QNET_IDENTITY: return s == QNET_ON;
    case QNET_RELU:
    case QNET_LEAKY: return s == QNET_ON || s == QNET_OFF;
    case QNET_HARDTANH: return s == QNET_ON || s == QNET_LO || s == QNET_HI;
    default: return s == QNET_OFF;
    }
}

static int pattern_valid(const qnet_t q, const signed char *pat)
{
    for (long l = 0; l < q->L; l++)
        for (long u = 0; u < q->sizes[l + 1]; u++)
            if (!state_valid(q->act[l], pat[q->uoff[l] + u]))
                return 0;
    return 1;
}

/* The lexicographic key of the sign test of z = (P + t Q)/D against the threshold c D
 * (c in {-1, 0, 1}), see QNET_RIGHT / QNET_ASYMPTOTIC: s1 first, s2 breaks ties. */
typedef struct {
    int mode, hasq;
    mpz_srcptr ta, tb;   /* t0 = ta / tb, tb > 0 (QNET_RIGHT) */
    mpz_t val, w;
} keyctx;

static void key(int *s1, int *s2, keyctx *k, const mpz_t P, const mpz_t Q, const mpz_t D,
                int c)
{
    mpz_set(k->val, P);
    if (c > 0)
        mpz_sub(k->val, k->val, D);
    else if (c < 0)
        mpz_add(k->val, k->val, D);
    if (!k->hasq) {
        *s1 = mpz_sgn(k->val);
        *s2 = 0;
    } else if (k->mode == QNET_ASYMPTOTIC) {
        *s1 = mpz_sgn(Q);
        *s2 = mpz_sgn(k->val);
    } else {
        mpz_mul(k->w, k->val, k->tb);
        mpz_addmul(k->w, k->ta, Q);
        *s1 = mpz_sgn(k->w);
        *s2 = mpz_sgn(Q);
    }
}

static int choose_state(keyctx *k, int act, const mpz_t P, const mpz_t Q, const mpz_t D)
{
    int s1, s2;
    switch (act) {
    case QNET_IDENTITY:
        return QNET_ON;
    case QNET_RELU:
    case QNET_LEAKY:
        key(&s1, &s2, k, P, Q, D, 0);
        return (s1 > 0 || (s1 == 0 && s2 > 0)) ? QNET_ON : QNET_OFF;
    case QNET_HARDTANH:
        key(&s1, &s2, k, P, Q, D, 1);
        if (s1 > 0 || (s1 == 0 && s2 > 0))
            return QNET_HI;
        key(&s1, &s2, k, P, Q, D, -1);
        if (s1 < 0 || (s1 == 0 && s2 < 0))
            return QNET_LO;
        return QNET_ON;
    default:
        return QNET_OFF;
    }
}

/* acc = row j of layer l's mantissas times a, over the nonzero entries idx[0..cnt-1]. */
static void dot_row(mpz_t acc, const qnet_struct *q, long l, long j, mpz_t *a,
                    const long *idx, long cnt)
{
    long nin = q->sizes[l];
    mpz_set_ui(acc, 0);
    if (q->Ws[l]) {
        const long *w = q->Ws[l] + j * nin;
        for (long k = 0; k < cnt; k++) {
            long i = idx[k], wi = w[i];
            if (wi > 0)
                mpz_addmul_ui(acc, a[i], (unsigned long) wi);
            else if (wi < 0)
                mpz_submul_ui(acc, a[i], -(unsigned long) wi);
        }
    } else {
        mpz_t *w = q->W[l] + j * nin;
        for (long k = 0; k < cnt; k++)
            mpz_addmul(acc, w[idx[k]], a[idx[k]]);
    }
}

static long nonzeros(long *idx, mpz_t *a, long n)
{
    long cnt = 0;
    for (long i = 0; i < n; i++)
        if (mpz_sgn(a[i]) != 0)
            idx[cnt++] = i;
    return cnt;
}

/* The kernel: F->X0, F->V (hasq) over F->Dx are the input; see qnet_forms. */
static void propagate(qnet_forms_t F, signed char *pat, const qnet_t q, int hasq, int mode,
                      const mpq_t t0)
{
    keyctx k;
    mpz_inits(k.val, k.w, (mpz_ptr) NULL);
    k.mode = mode;
    k.hasq = hasq;
    k.ta = t0 ? mpq_numref(t0) : NULL;
    k.tb = t0 ? mpq_denref(t0) : NULL;
    mpz_t *aP = F->X0, *aQ = F->V;
    mpz_set(F->DA, F->Dx);                     /* running denominator of the activations */
    for (long l = 0; l < q->L; l++) {
        long nin = q->sizes[l], nout = q->sizes[l + 1], off = q->uoff[l];
        mpz_t *zP = F->P + off, *zQ = F->Q + off;
        long cp = nonzeros(F->idx, aP, nin);
        for (long j = 0; j < nout; j++) {
            dot_row(zP[j], q, l, j, aP, F->idx, cp);
            if (q->b[l])
                mpz_addmul(zP[j], q->b[l][j], F->DA);
        }
        if (hasq) {
            long cq = nonzeros(F->idx + F->wmax, aQ, nin);
            for (long j = 0; j < nout; j++)
                dot_row(zQ[j], q, l, j, aQ, F->idx + F->wmax, cq);
        } else {
            for (long j = 0; j < nout; j++)
                mpz_set_ui(zQ[j], 0);
        }
        mpz_mul_2exp(F->D[l], F->DA, (mp_bitcnt_t) q->e[l]);
        int act = q->act[l];
        long se = act == QNET_LEAKY ? q->slope_exp[l] : 0;
        for (long j = 0; j < nout; j++) {
            int s = mode == QNET_FIXED ? pat[off + j]
                                       : choose_state(&k, act, zP[j], zQ[j], F->D[l]);
            if (mode != QNET_FIXED && pat)
                pat[off + j] = (signed char) s;
            mpz_ptr oP = F->bufP[j], oQ = F->bufQ[j];
            switch (s) {
            case QNET_ON:
                mpz_mul_2exp(oP, zP[j], (mp_bitcnt_t) se);
                mpz_mul_2exp(oQ, zQ[j], (mp_bitcnt_t) se);
                break;
            case QNET_OFF:
                if (act == QNET_LEAKY) {
                    mpz_mul(oP, zP[j], q->slope[l]);
                    mpz_mul(oQ, zQ[j], q->slope[l]);
                } else {
                    mpz_set_ui(oP, 0);
                    mpz_set_ui(oQ, 0);
                }
                break;
            case QNET_LO:
                mpz_neg(oP, F->D[l]);
                mpz_set_ui(oQ, 0);
                break;
            default:
                mpz_set(oP, F->D[l]);
                mpz_set_ui(oQ, 0);
                break;
            }
        }
        mpz_mul_2exp(F->DA, F->D[l], (mp_bitcnt_t) se);
        aP = F->bufP;
        aQ = F->bufQ;
    }
    for (long i = 0; i < F->dout; i++) {
        mpz_set(F->AP[i], aP[i]);
        mpz_set(F->AQ[i], aQ[i]);
    }
    mpz_clears(k.val, k.w, (mpz_ptr) NULL);
}

/* F->X0, F->V, F->Dx from rational x0 and v (v may be NULL: V = 0). */
static void load_input(qnet_forms_t F, const mpq_t *x0, const mpq_t *v, long n)
{
    qvec_den_lcm(F->Dx, x0, 1, n);
    if (v) {
        mpz_t l;
        mpz_init(l);
        qvec_den_lcm(l, v, 1, n);
        mpz_lcm(F->Dx, F->Dx, l);
        mpz_clear(l);
        qvec_to_den(F->V, F->Dx, v, 1, n);
    } else {
        for (long i = 0; i < n; i++)
            mpz_set_ui(F->V[i], 0);
    }
    qvec_to_den(F->X0, F->Dx, x0, 1, n);
}

int qnet_forms(qnet_forms_t F, signed char *pat, const qnet_t q, const mpq_t *x0,
               const mpq_t *v, long n, int mode, const mpq_t t0)
{
    if (x0 == NULL || v == NULL || n != qnet_din(q) || F->nunits != q->nunits
        || F->din != qnet_din(q) || F->L != q->L) {
        ae_error(__func__, "ray of length %ld or forms object do not match the network", n);
        return AE_EINVAL;
    }
    if (mode != QNET_FIXED && mode != QNET_RIGHT && mode != QNET_ASYMPTOTIC) {
        ae_error(__func__, "invalid mode %d", mode);
        return AE_EINVAL;
    }
    if (mode == QNET_FIXED && (pat == NULL || !pattern_valid(q, pat))) {
        ae_error(__func__, "missing or invalid pattern");
        return AE_EINVAL;
    }
    if (mode == QNET_RIGHT && (t0 == NULL || mpq_sgn(t0) < 0)) {
        ae_error(__func__, "t0 must be a rational >= 0");
        return AE_EINVAL;
    }
    load_input(F, x0, v, n);
    propagate(F, pat, q, 1, mode, mode == QNET_RIGHT ? t0 : NULL);
    return AE_OK;
}

void qnet_forms_output(mpq_t *alpha, mpq_t *beta, const qnet_forms_t F)
{
    for (long i = 0; i < F->dout; i++) {
        if (alpha) {
            mpq_set_num(alpha[i], F->AP[i]);
            mpq_set_den(alpha[i], F->DA);
            mpq_canonicalize(alpha[i]);
        }
        if (beta) {
            mpq_set_num(beta[i], F->AQ[i]);
            mpq_set_den(beta[i], F->DA);
            mpq_canonicalize(beta[i]);
        }
    }
}

/* ---- evaluation at a point ------------------------------------------------------ */

int qnet_eval(mpq_t *y, long ny, signed char *pat, const qnet_t q, const mpq_t *x, long nx)
{
    if (y == NULL || x == NULL || nx != qnet_din(q) || ny != qnet_dout(q)) {
        ae_error(__func__, "lengths %ld -> %ld, network %ld -> %ld", nx, ny, qnet_din(q),
                 qnet_dout(q));
        return AE_EINVAL;
    }
    qnet_forms_t F;
    qnet_forms_init(F, q);
    load_input(F, x, NULL, nx);
    propagate(F, pat, q, 0, QNET_RIGHT, NULL);
    qnet_forms_output(y, NULL, F);
    qnet_forms_clear(F);
    return AE_OK;
}

int qnet_score(mpq_t e, const qnet_t q, const mpq_t *x, long nx)
{
    if (qnet_din(q) != qnet_dout(q) || x == NULL || nx != qnet_din(q)) {
        ae_error(__func__, "score needs din == dout == length of x (%ld, %ld, %ld)",
                 qnet_din(q), qnet_dout(q), nx);
        return AE_EINVAL;
    }
    mpq_t *y = qvec_init(nx);
    int rc = qnet_eval(y, nx, NULL, q, x, nx);
    if (rc == AE_OK)
        qvec_dist2(e, x, y, nx);
    qvec_clear(y, nx);
    return rc;
}

int qnet_affine(qmat_t A, mpq_t *c, const qnet_t q, const signed char *pat)
{
    long din = qnet_din(q), dout = qnet_dout(q);
    if (A == NULL || A->r != dout || A->c != din || pat == NULL || !pattern_valid(q, pat)) {
        ae_error(__func__, "A must be %ld x %ld and pat a valid pattern", dout, din);
        return AE_EINVAL;
    }
    /* R (rows x din) and cv (rows) over D: the affine map up to the current layer. */
    long wmax = 1;
    for (long l = 0; l <= q->L; l++)
        if (q->sizes[l] > wmax)
            wmax = q->sizes[l];
    mpz_t *R = zvec_init(wmax * din), *Rn = zvec_init(wmax * din);
    mpz_t *cv = zvec_init(wmax), *cn = zvec_init(wmax);
    mpz_t D;
    mpz_init_set_ui(D, 1);
    for (long l = 0; l < q->L; l++) {
        long nin = q->sizes[l], nout = q->sizes[l + 1], off = q->uoff[l];
        for (long j = 0; j < nout; j++) {
            mpz_t *w = q->W[l] + j * nin;
            for (long i = 0; i < din; i++) {
                mpz_ptr acc = Rn[j * din + i];
                if (l == 0) {
                    mpz_set(acc, w[i]);
                } else {
                    mpz_set_ui(acc, 0);
                    for (long m = 0; m < nin; m++)
                        if (mpz_sgn(w[m]) != 0)
                            mpz_addmul(acc, w[m], R[m * din + i]);
                }
            }
            mpz_set_ui(cn[j], 0);
            if (l > 0)
                for (long m = 0; m < nin; m++)
                    mpz_addmul(cn[j], w[m], cv[m]);
            if (q->b[l])
                mpz_addmul(cn[j], q->b[l][j], D);
        }
        mpz_mul_2exp(D, D, (mp_bitcnt_t) q->e[l]);
        int act = q->act[l];
        long se = act == QNET_LEAKY ? q->slope_exp[l] : 0;
        for (long j = 0; j < nout; j++) {
            int s = pat[off + j];
            mpz_t *row = Rn + j * din;
            for (long i = 0; i <= din; i++) {
                mpz_ptr z = i < din ? row[i] : cn[j];
                if (s == QNET_ON)
                    mpz_mul_2exp(z, z, (mp_bitcnt_t) se);
                else if (s == QNET_OFF && act == QNET_LEAKY)
                    mpz_mul(z, z, q->slope[l]);
                else
                    mpz_set_ui(z, 0);
            }
            if (s == QNET_LO)
                mpz_neg(cn[j], D);
            else if (s == QNET_HI)
                mpz_set(cn[j], D);
        }
        mpz_mul_2exp(D, D, (mp_bitcnt_t) se);
        mpz_t *t = R; R = Rn; Rn = t;
        t = cv; cv = cn; cn = t;
    }
    for (long j = 0; j < dout; j++) {
        for (long i = 0; i < din; i++) {
            mpq_ptr a = qmat_entry(A, j, i);
            mpq_set_num(a, R[j * din + i]);
            mpq_set_den(a, D);
            mpq_canonicalize(a);
        }
        if (c) {
            mpq_set_num(c[j], cv[j]);
            mpq_set_den(c[j], D);
            mpq_canonicalize(c[j]);
        }
    }
    zvec_clear(R, wmax * din);
    zvec_clear(Rn, wmax * din);
    zvec_clear(cv, wmax);
    zvec_clear(cn, wmax);
    mpz_clear(D);
    return AE_OK;
}

/* The output of the first nl layers: the pre-activations and states of every unit at x
 * come from qnet_forms along the constant ray x + t 0 (QNET_RIGHT at t0 = 0, which is the
 * state qnet_eval uses), and layer nl's activation is applied to its pre-activations by
 * its unit states, exactly as propagate does. */
int qnet_eval_prefix(mpq_t *y, long ny, const qnet_t q, const mpq_t *x, long nx, long nl)
{
    if (y == NULL || x == NULL || nx != qnet_din(q) || nl < 1 || nl > q->L
        || ny != q->sizes[nl]) {
        ae_error(__func__, "layers %ld of %ld, lengths %ld -> %ld", nl, q->L, nx, ny);
        return AE_EINVAL;
    }
    qnet_forms_t F;
    qnet_forms_init(F, q);
    signed char *pat = ae_malloc((size_t) q->nunits + 1);
    mpq_t *v = qvec_init(nx), t0;
    mpq_init(t0);
    int rc = qnet_forms(F, pat, q, x, v, nx, QNET_RIGHT, t0);
    long l = nl - 1, off = q->uoff[l];
    for (long j = 0; rc == AE_OK && j < ny; j++) {
        int s = pat[off + j];
        if (s == QNET_LO || s == QNET_HI) {
            mpq_set_si(y[j], s == QNET_LO ? -1 : 1, 1);
            continue;
        }
        mpq_set_num(y[j], F->P[off + j]);
        mpq_set_den(y[j], F->D[l]);
        mpq_canonicalize(y[j]);
        if (s == QNET_OFF) {
            if (q->act[l] == QNET_LEAKY) {
                mpq_t sl;
                mpq_init(sl);
                mpq_set_z(sl, q->slope[l]);
                mpq_div_2exp(sl, sl, (mp_bitcnt_t) q->slope_exp[l]);
                mpq_mul(y[j], y[j], sl);
                mpq_clear(sl);
            } else {
                mpq_set_ui(y[j], 0, 1);
            }
        }
    }
    mpq_clear(t0);
    qvec_clear(v, nx);
    free(pat);
    qnet_forms_clear(F);
    return rc;
}

/* m 2^-e as a double when that is exact.  The layer's common exponent can give a
 * mantissa many trailing zeros, so what must fit is its odd part: at most 53 significant
 * bits, then mpz_get_d_2exp (m = f 2^ex, f in [1/2, 1)) is exact, and the scaling by
 * 2^(ex - e) must neither overflow nor drop bits into the subnormal range (checked by
 * scaling back). */
static int mant_double(double *x, const mpz_t m, long e)
{
    if (mpz_sgn(m) == 0) {
        *x = 0;
        return AE_OK;
    }
    if ((long) mpz_sizeinbase(m, 2) - (long) mpz_scan1(m, 0) > 53)
        return AE_ERANGE;
    long ex;
    double f = mpz_get_d_2exp(&ex, m);
    long sh = ex - e;
    if (sh > 2000 || sh < -2000)
        return AE_ERANGE;
    *x = ldexp(f, (int) sh);
    return isfinite(*x) && ldexp(*x, (int) -sh) == f ? AE_OK : AE_ERANGE;
}

int qnet_layer_double(double *W, double *b, double *slope, const qnet_t q, long l)
{
    if (q == NULL || l < 0 || l >= q->L) {
        ae_error(__func__, "layer %ld outside the network", l);
        return AE_EINVAL;
    }
    long r = q->sizes[l + 1], nw = r * q->sizes[l];
    int st = AE_OK;
    for (long k = 0; W != NULL && k < nw && st == AE_OK; k++)
        st = mant_double(&W[k], q->W[l][k], q->e[l]);
    for (long k = 0; b != NULL && k < r && st == AE_OK; k++) {
        if (q->b == NULL || q->b[l] == NULL)
            b[k] = 0;
        else
            st = mant_double(&b[k], q->b[l][k], q->e[l]);
    }
    if (slope != NULL && st == AE_OK) {
        *slope = 0;
        if (q->act[l] == QNET_LEAKY)
            st = mant_double(slope, q->slope[l], q->slope_exp[l]);
    }
    return st;
}
