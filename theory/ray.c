/* ray — see ray.h. */
#include "ray.h"

#include <stdlib.h>

#include "aeerr.h"
#include "qmat.h"

/* The thresholds c at which a unit of activation act changes state; returns how many. */
static int thresholds(int *c, int act)
{
    if (act == QNET_RELU || act == QNET_LEAKY) {
        c[0] = 0;
        return 1;
    }
    if (act == QNET_HARDTANH) {
        c[0] = -1;
        c[1] = 1;
        return 2;
    }
    return 0;
}

/* Scans the roots t = (c D - P)/Q of every unit's form.  want_max: best = the largest
 * root (best_set tells whether any).  Otherwise best = the smallest root > t0. */
static int scan_roots(mpq_t best, const qnet_t q, const qnet_forms_t F, int want_max,
                      const mpq_t t0)
{
    int found = 0;
    mpz_t num, den, l, r;
    mpz_inits(num, den, l, r, (mpz_ptr) NULL);
    for (long ly = 0; ly < q->L; ly++) {
        int c[2];
        int nc = thresholds(c, q->act[ly]);
        if (nc == 0)
            continue;
        for (long u = q->uoff[ly]; u < q->uoff[ly + 1]; u++) {
            if (mpz_sgn(F->Q[u]) == 0)
                continue;
            for (int m = 0; m < nc; m++) {
                mpz_neg(num, F->P[u]);
                if (c[m] > 0)
                    mpz_add(num, num, F->D[ly]);
                else if (c[m] < 0)
                    mpz_sub(num, num, F->D[ly]);
                mpz_set(den, F->Q[u]);
                if (mpz_sgn(den) < 0) {
                    mpz_neg(num, num);
                    mpz_neg(den, den);
                }
                if (!want_max) {            /* only roots > t0 */
                    mpz_mul(l, num, mpq_denref(t0));
                    mpz_mul(r, mpq_numref(t0), den);
                    if (mpz_cmp(l, r) <= 0)
                        continue;
                }
                if (found) {
                    mpz_mul(l, num, mpq_denref(best));
                    mpz_mul(r, mpq_numref(best), den);
                    int cmp = mpz_cmp(l, r);
                    if (want_max ? cmp <= 0 : cmp >= 0)
                        continue;
                }
                mpq_set_num(best, num);
                mpq_set_den(best, den);
                mpq_canonicalize(best);
                found = 1;
            }
        }
    }
    mpz_clears(num, den, l, r, (mpz_ptr) NULL);
    return found;
}

/* ---- the final piece -------------------------------------------------------------- */

void ray_final_init(ray_final_t R, const qnet_t q)
{
    R->din = qnet_din(q);
    R->dout = qnet_dout(q);
    R->nunits = q->nunits;
    mpq_init(R->T);
    R->pat = ae_malloc((size_t) (q->nunits > 0 ? q->nunits : 1));
    R->alpha = qvec_init(R->dout);
    R->beta = qvec_init(R->dout);
    R->has_score = 0;
    mpq_inits(R->a, R->b, R->c, (mpq_ptr) NULL);
    qnet_forms_init(R->F, q);
}

void ray_final_clear(ray_final_t R)
{
    mpq_clear(R->T);
    free(R->pat);
    qvec_clear(R->alpha, R->dout);
    qvec_clear(R->beta, R->dout);
    mpq_clears(R->a, R->b, R->c, (mpq_ptr) NULL);
    qnet_forms_clear(R->F);
}

int ray_final(ray_final_t R, const qnet_t q, const mpq_t *x0, const mpq_t *v, long n)
{
    if (R->din != qnet_din(q) || R->dout != qnet_dout(q) || R->nunits != q->nunits) {
        ae_error(__func__, "R was initialised for another network");
        return AE_EINVAL;
    }
    int rc = qnet_forms(R->F, R->pat, q, x0, v, n, QNET_ASYMPTOTIC, NULL);
    if (rc != AE_OK)
        return rc;
    if (!scan_roots(R->T, q, R->F, 1, NULL) || mpq_sgn(R->T) < 0)
        mpq_set_ui(R->T, 0, 1);
    qnet_forms_output(R->alpha, R->beta, R->F);
    R->has_score = R->din == R->dout;
    if (R->has_score) {
        mpq_t *r0 = qvec_init(n), *r1 = qvec_init(n);
        qvec_sub(r0, x0, R->alpha, n);
        qvec_sub(r1, v, R->beta, n);
        qvec_norm2(R->a, r1, n);
        qvec_dot(R->b, r0, r1, n);
        mpq_add(R->b, R->b, R->b);
        qvec_norm2(R->c, r0, n);
        qvec_clear(r0, n);
        qvec_clear(r1, n);
    }
    return AE_OK;
}

/* ---- every piece ------------------------------------------------------------------ */

void ray_pieces_init(ray_pieces_t R, const qnet_t q)
{
    R->din = qnet_din(q);
    R->dout = qnet_dout(q);
    R->nunits = q->nunits;
    R->n = R->cap = 0;
    R->t = NULL;
    R->pat = NULL;
    R->alpha = R->beta = NULL;
}

void ray_pieces_clear(ray_pieces_t R)
{
    for (long k = 0; k < R->cap; k++)
        mpq_clear(R->t[k]);
    qvec_clear(R->alpha, R->cap * R->dout);
    qvec_clear(R->beta, R->cap * R->dout);
    free(R->t);
    free(R->pat);
    R->n = R->cap = 0;
    R->t = NULL;
    R->pat = NULL;
    R->alpha = R->beta = NULL;
}

/* Room for at least one more piece (the mpq arrays are regrown by copying). */
static void grow(ray_pieces_t R)
{
    if (R->n < R->cap)
        return;
    long cap = R->cap ? 2 * R->cap : 8, d = R->dout;
    mpq_t *t = ae_malloc((size_t) cap * sizeof(mpq_t));
    mpq_t *a = qvec_init(cap * d), *b = qvec_init(cap * d);
    signed char *p = ae_malloc((size_t) (cap * R->nunits > 0 ? cap * R->nunits : 1));
    for (long k = 0; k < cap; k++)
        mpq_init(t[k]);
    for (long k = 0; k < R->n; k++)
        mpq_swap(t[k], R->t[k]);
    for (long i = 0; i < R->n * d; i++) {
        mpq_swap(a[i], R->alpha[i]);
        mpq_swap(b[i], R->beta[i]);
    }
    for (long i = 0; i < R->n * R->nunits; i++)
        p[i] = R->pat[i];
    long n = R->n;
    ray_pieces_clear(R);
    R->t = t;
    R->alpha = a;
    R->beta = b;
    R->pat = p;
    R->cap = cap;
    R->n = n;
}

int ray_pieces(ray_pieces_t R, const qnet_t q, const mpq_t *x0, const mpq_t *v, long n,
               long maxpieces)
{
    if (R->din != qnet_din(q) || R->dout != qnet_dout(q) || R->nunits != q->nunits) {
        ae_error(__func__, "R was initialised for another network");
        return AE_EINVAL;
    }
    if (x0 == NULL || v == NULL || n != qnet_din(q)) {
        ae_error(__func__, "ray of length %ld, network input %ld", n, qnet_din(q));
        return AE_EINVAL;
    }
    R->n = 0;
    qnet_forms_t F;
    qnet_forms_init(F, q);
    mpq_t t0, next;
    mpq_init(t0);
    mpq_init(next);
    int rc = AE_OK;
    for (;;) {
        if (maxpieces > 0 && R->n >= maxpieces) {
            rc = AE_ERANGE;
            break;
        }
        grow(R);
        long k = R->n;
        rc = qnet_forms(F, ray_pat(R, k), q, x0, v, n, QNET_RIGHT, t0);
        if (rc != AE_OK)
            break;
        mpq_set(R->t[k], t0);
        qnet_forms_output(ray_alpha(R, k), ray_beta(R, k), F);
        R->n++;
        if (!scan_roots(next, q, F, 0, t0))
            break;
        mpq_set(t0, next);
    }
    mpq_clear(t0);
    mpq_clear(next);
    qnet_forms_clear(F);
    return rc;
}

int ray_slope_is_recession(const qnet_t f0, const mpq_t *v, long nv, const mpq_t *beta,
                           long nb)
{
    if (f0 == NULL || v == NULL || beta == NULL || nv != qnet_din(f0)
        || nb != qnet_dout(f0)) {
        ae_error(__func__, "lengths %ld, %ld, network %ld -> %ld", nv, nb,
                 f0 ? qnet_din(f0) : 0, f0 ? qnet_dout(f0) : 0);
        return AE_EINVAL;
    }
    mpq_t *y = qvec_init(nb);
    int rc = qnet_eval(y, nb, NULL, f0, v, nv);
    int ok = rc == AE_OK ? qvec_equal(y, beta, nb) : rc;
    qvec_clear(y, nb);
    return ok;
}
