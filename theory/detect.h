/* detect — alternative anomaly scores and their control limits (claims M1, M2).
 *
 * The paper's detector is the reconstruction error alone.  Classical PCA process
 * monitoring pairs it with a statistic INSIDE the subspace; this module computes, for
 * an autoencoder f = dec o enc with latent z(x) (in R^k) and training data x_1..x_n in
 * Q^d, the following scores, all exactly (exact rationals, no rounding):
 *
 *   DETECT_RECON     e(x) = ||x - f(x)||^2, the paper's score, limit = empirical only;
 *   DETECT_SPE       the same number (the Q statistic, squared prediction error), but
 *                    with the Jackson–Mudholkar limit;
 *   DETECT_T2        Hotelling's T^2 in the latent space,
 *                        T2(x) = sum_i (z_i - zbar_i)^2 / s_ii,
 *                    zbar the mean training latent, s_ii the EXACT latent training
 *                    variances (the diagonal of S = (1/n) sum (z_j - zbar)(z_j - zbar)^T).
 *                    For the PCA AE (z = W_e (x - m), W_e = (V^T V)^{-1} V^T) zbar = 0 and
 *                    s_ii = e_i^T W_e C W_e^T e_i, the exact variance of the i-th score:
 *                    for orthonormal V it is the Rayleigh quotient v_i^T C v_i, i.e. the
 *                    practitioners' Lambda_k = diag(lambda_1..lambda_k) up to the certified
 *                    eigenvector error.  So T2 uses a DIAGONAL Lambda (as practitioners do);
 *   DETECT_COMBINED  Yue & Qin (2001):  phi(x) = SPE(x)/delta^2 + T2(x)/tau^2, with
 *                    delta^2, tau^2 the THEORY limits of SPE and T2 (read as rationals);
 *   DETECT_MAHAL     the latent Mahalanobis distance (z - zbar)^T S^{-1} (z - zbar) with the
 *                    exact inverse of the full latent covariance;
 *   DETECT_KNN       the squared distance to the knn-th nearest training point (exact);
 *                    on a training point x_j the training score excludes x_j itself
 *                    (leave-one-out), otherwise every training score would be 0;
 *   DETECT_BOX       the squared distance to the input bounding box
 *                    [min_j x_j, max_j x_j] (coordinatewise), 0 inside.
 *
 * Models.  A linear AE (linae.h): z = W_e x + b_e.  A piecewise-linear network (qnet.h):
 * z = the output of the bottleneck layer (the first hidden layer of smallest width;
 * its activation applied), computed exactly by qnet_eval_prefix.  Inputs x and the rows
 * of X are in the model's own input coordinates (for a qnet with min-max scaling, the
 * coordinates qnet_eval takes).
 *
 * Control limits at level alpha (e.g. 1/100 for the 99 % limit), two methods:
 *   DETECT_LIMIT_EMPIRICAL  the q-quantile of the kind's own training scores
 *                           (score_quantile: the ceil(q n)-th smallest), exact, with
 *                           q = 1 - alpha' and alpha' = alpha rounded to the nearest
 *                           multiple of 10^-6 (so 0.01 means exactly 1/100);
 *   DETECT_LIMIT_THEORY     as practitioners compute them, in double, with the normal,
 *                           chi-square and F quantiles and the power x^y from pquant.h
 *                           (MPFR, bisection to the smallest double whose cdf >= p; not
 *                           GSL's, which call glibc's per-CPU exp/log/pow): the same
 *                           doubles on every machine:
 *     SPE:  Jackson & Mudholkar (1979).  R = (1/n) sum_j r_j r_j^T (r_j = x_j - f(x_j)),
 *           theta_i = tr(R^i), i = 1, 2, 3 (for the PCA AE R = (I-P) C (I-P) and
 *           theta_i = sum_{j>k} lambda_j^i, the textbook "trailing eigenvalue powers",
 *           without computing an eigenvalue).  R is formed in double from the exact
 *           residuals rounded once (the formula below is evaluated in double anyway);
 *           then in double
 *             h0 = 1 - 2 theta1 theta3 / (3 theta2^2),  c = Phi^{-1}(1 - alpha),
 *             Q = theta1 [c sqrt(2 theta2 h0^2)/theta1 + 1 + theta2 h0 (h0-1)/theta1^2]^(1/h0).
 *           If h0 <= 0 or the bracket is <= 0 the formula is undefined; then Box's (1954)
 *           approximation g chi^2_h(1 - alpha), g = theta2/theta1, h = theta1^2/theta2, is
 *           used (Nomikos & MacGregor 1995) and spe_method says "box".
 *           theta1 = 0 (perfect training fit) gives Q = 0.
 *     T2, MAHAL:  the F limit  k (n-1)(n+1) / (n (n-k)) F_{k, n-k}(1 - alpha)
 *           (pquant_f; needs n > k, else the theory limit is unavailable).
 *     COMBINED:  Yue & Qin's g chi^2_h(1 - alpha) with
 *             g = (k/tau^4 + theta2/delta^4) / (k/tau^2 + theta1/delta^2),
 *             h = (k/tau^2 + theta1/delta^2)^2 / (k/tau^4 + theta2/delta^4).
 *     RECON, KNN, BOX:  no theory limit (unavailable; use the empirical one).
 *   Each double the formulas return is read EXACTLY as a rational (mpq_set_d), and every
 *   flag decision compares an exact score with that rational exactly:
 *       flagged  <=>  score > limit   (strictly; a training point at the quantile is not).
 *
 * Objects: detect_t (GMP style).  The detector COPIES the training data and every
 * statistic it needs, but BORROWS the model (the linae_t or qnet_t must outlive it and
 * stay unchanged).  Caller misuse (NULL, dimension mismatch, n = 0, alpha outside (0, 1),
 * knn outside [1, n-1], an unknown kind or method) -> ae_error(func, reason), then
 * AE_EINVAL.  Mathematical outcomes are return values: AE_SINGULAR (a singular latent
 * covariance, e.g. some latent coordinate is constant on the training data: a partial
 * fit, T2 / MAHAL / COMBINED unavailable, the rest fitted), AE_ERANGE (a
 * limit that is unavailable for this kind / model, or a non-finite double).
 * No output may alias an input unless stated.
 */
#ifndef DETECT_H
#define DETECT_H

#include <gmp.h>

#include "linae.h"
#include "qmat.h"
#include "qnet.h"

typedef enum {
    DETECT_RECON = 0, DETECT_SPE, DETECT_T2, DETECT_COMBINED, DETECT_MAHAL, DETECT_KNN,
    DETECT_BOX
} detect_kind;
#define DETECT_NKINDS 7

enum { DETECT_LIMIT_EMPIRICAL = 0, DETECT_LIMIT_THEORY = 1 };

/* "recon", "spe", "t2", "spe+t2", "mahalanobis", "knn", "box" (the front end's --score
 * names); NULL for an unknown kind. */
const char *detect_name(detect_kind kind);
/* *kind = the kind named name (as detect_name; "combined" is accepted for "spe+t2").
 * AE_OK, or AE_EINVAL without calling the handler for an unknown name (user input). */
int detect_parse(detect_kind *kind, const char *name);

typedef struct {
    long d, k, n, knn;
    double alpha;
    const linae_struct *lin;     /* borrowed model: exactly one of lin, net is non-NULL */
    const qnet_struct *net;
    long zlayer;                 /* qnet: latent = output of layers 0..zlayer-1 (1-based count) */
    qmat_t X;                    /* n x d copy of the training data */
    mpq_t *lo, *hi;              /* d: the bounding box */
    mpq_t *zbar;                 /* k: mean training latent */
    qmat_t S, Sinv;              /* k x k exact latent covariance and its inverse */
    double theta[3];             /* tr R, tr R^2, tr R^3 (see top) */
    mpq_t *train[DETECT_NKINDS]; /* n exact training scores per kind */
    mpq_t limit[2][DETECT_NKINDS];   /* [method][kind]; valid iff has_limit */
    int has_limit[2][DETECT_NKINDS];
    int available[DETECT_NKINDS];    /* 1 iff the kind's score is defined for this fit */
    mpq_t delta2, tau2;          /* the SPE and T2 theory limits used in phi */
    const char *spe_method;      /* "jm", "box" or "zero" (theta1 = 0) */
    /* private: a linear AE's [W_e | b_e] as integers over one denominator (fast latents) */
    mpz_t *WeZ, eden;
    /* private: X = XZ / xden, integers (fast kNN queries) */
    mpz_t *XZ, xden;
} detect_struct;
typedef detect_struct detect_t[1];

/* An empty detector (d = k = n = 0); detect_clear is safe on it. */
void detect_init(detect_t D);
void detect_clear(detect_t D);

/* Fits D to the linear AE ae (borrowed) and training data X (n x d, d = ae->d, n >= 2):
 * latent statistics, theta_i, every training score and every limit at level alpha,
 * knn-th neighbour for DETECT_KNN (1 <= knn <= n - 1).  Any previous fit is discarded.
 * Returns AE_OK or AE_SINGULAR: the latent covariance S is singular (or some s_ii = 0),
 * e.g. a dead ReLU bottleneck.  AE_SINGULAR is a PARTIAL fit, not an empty one: every
 * kind that needs no latent inverse (RECON, SPE and its theory limit, KNN, BOX, their
 * empirical limits) is fitted exactly as for AE_OK; T2, MAHAL and COMBINED are marked
 * unavailable (available[kind] = 0, their training scores -1, no limits, Sinv = 0).
 * available[kind] is 1 for every other kind, and for COMBINED iff the SPE and T2 theory
 * limits exist and are positive (phi is defined; see detect_scores).  Any other error
 * leaves D empty (all available[] 0).  A theory limit that cannot be computed (n <= k, a
 * non-finite result) is simply not available (has_limit 0), not an error. */
int detect_fit_linae(detect_t D, const linae_t ae, const qmat_t X, long knn, double alpha);
/* The same for the exact network net (borrowed; din = dout = X->c, at least one hidden
 * layer), latent = the bottleneck layer's output (see top). */
int detect_fit_qnet(detect_t D, const qnet_t net, const qmat_t X, long knn, double alpha);

/* s[kind] = the score of x (length nx = d) for every kind (s an array of DETECT_NKINDS
 * initialised mpq_t), sharing one latent and one reconstruction.  An unavailable kind
 * (available[kind] = 0: T2, MAHAL after a singular fit; COMBINED unless both the SPE
 * and T2 theory limits are available and positive) is set to -1, and detect_flagged
 * returns 0 for it. */
int detect_scores(mpq_t *s, const detect_t D, const mpq_t *x, long nx);
/* s = the score of one kind (as detect_scores). */
int detect_score(mpq_t s, const detect_t D, detect_kind kind, const mpq_t *x, long nx);

/* lim = D's limit of kind by method (a copy).  AE_OK, or AE_ERANGE if unavailable (always
 * so for an unavailable kind, unless set by detect_set_limit). */
int detect_limit(mpq_t lim, const detect_t D, detect_kind kind, int method);
/* Replaces a limit (tests and negative controls: a limit set too high).  Does not
 * change phi's delta^2 and tau^2. */
int detect_set_limit(detect_t D, detect_kind kind, int method, const mpq_t lim);
/* 1 iff the kind is available, its limit is available and score > limit exactly, else 0
 * (never an error for an unavailable kind or limit; detect_set_limit on an unavailable
 * kind does not make it flaggable; misuse for bad kind/method returns 0 after ae_error). */
int detect_flagged(const detect_t D, detect_kind kind, int method, const mpq_t score);

/* ---- the pieces, for tests and for claim M1 -------------------------------------- */

/* The latent z (length nz = D->k) of x (length nx = D->d), exactly. */
int detect_latent(mpq_t *z, long nz, const detect_t D, const mpq_t *x, long nx);
/* r = squared distance from x to the box [lo, hi] (all length d; lo <= hi required,
 * misuse otherwise): sum_j (lo_j - x_j)_+^2 + (x_j - hi_j)_+^2. */
int detect_box_dist2(mpq_t r, const mpq_t *lo, const mpq_t *hi, const mpq_t *x, long d);
/* r = the knn-th smallest of ||x - x_j||^2 over the rows j of X other than `skip`
 * (skip = -1: all rows); needs 1 <= knn <= (number of rows used). */
int detect_knn_dist2(mpq_t r, const qmat_t X, const mpq_t *x, long knn, long skip);

/* Control limits in double (quantiles from pquant.h), level alpha in (0, 1); see top.
 * Each returns AE_OK, AE_ERANGE (undefined / non-finite), or AE_EINVAL (misuse:
 * negative theta, k < 1, n <= k, bad alpha).  *method (may be NULL) for the JM limit:
 * "jm", "box" or "zero". */
int detect_jm_limit(double *q, const char **method, double theta1, double theta2,
                    double theta3, double alpha);
int detect_f_limit(double *t, long k, long n, double alpha);
int detect_yq_limit(double *phi, double theta1, double theta2, long k, double delta2,
                    double tau2, double alpha);

/* auc = P(score of a random anomaly > score of a random normal point) + 1/2 P(tie),
 * exactly: (#{(i,j): a_j > s_i} + #{ties}/2) / (nn na) by sorting.  nn, na >= 1. */
int detect_auc(mpq_t auc, const mpq_t *normal, long nn, const mpq_t *anom, long na);

#endif
