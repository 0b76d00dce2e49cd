/* P4 — what floating point does to a detector's ranking: the score ranks and ROC AUC of
 * trained ReLU autoencoders evaluated in float32, float64, long double, binary128 and
 * MPFR at 11 and 8 bits against the exact scores, and the pairs of test points whose order flips.
 *
 * Data (prf_data: min-max scaled exactly with the scaling fitted on the normal rows):
 * wine (normal classes 1, 2; anomaly class 0), breast_cancer (normal benign; anomaly
 * malignant), digits (normal {4, 5, 7}; anomaly every other digit).  Per data set the
 * normal rows are shuffled (prf_rng tag "P4"); 70 % train the networks, the other 30 %
 * are the normal test points; the anomaly rows (all of them; the first 40 in quick mode)
 * are the anomalous test points.  Test point k is named N<row> or A<row> (its row among
 * the normal / anomaly rows).
 *
 * Models: N4's shallow [d,h,k,h,d] and deep [d,h1,h2,k,h2,h1,d] ReLU autoencoders with the
 * same widths, epochs and learning rates (float32, PyTorch initialisation, Adam, batch 16,
 * default portable kernels: prf_train_ae), 5 seeds each (quick: wine, the shallow net,
 * one seed), trained on the training rows rounded to nearest double.  A model whose loss
 * is >= 0.9 x the training data's mean per-feature variance is counted as collapsed (it
 * stays in the table).
 *
 * Scores of every test point x (the exact scaled rational row):
 *   exact       ||x - f(x)||^2 in rationals (qnet_score: the float32 weights read exactly,
 *               x itself, not a rounding of it);
 *   float32, float64, longdouble (x87 80-bit), binary128, and MPFR at 11 and 8 bits
 *               (binary16's and bfloat16's significand precisions, but with MPFR's
 *               unbounded exponent range: no overflow at binary16's 65504, no subnormals;
 *               they show where rounding starts to reorder): fmtnet_score (fmteval.h:
 *               x and the weights rounded to nearest into the format, one fixed
 *               operation order), each result read exactly.
 * Ranks are competition ranks (1 + #{strictly smaller scores}), compared exactly
 * (rankstat.h).  Per model and format, against the exact ranking (and float32 against
 * float64): the points whose rank differs; the n(n-1)/2 pairs split into concordant,
 * flipped (discordant: strictly ordered both ways, opposite), ties created (the format
 * ties a pair the exact scores order), ties broken, ties in both; flips between a normal
 * and an anomalous point (the only ones that can move the AUC); the ROC AUC (normal
 * against anomaly, ties 1/2) as an exact fraction and a decimal.
 *
 * Checks (every model): each AUC computed twice, by detect_auc (sorted scores, binary
 * search) and by rankstat_u2 (the pairwise U statistic from the ranks), must agree
 * exactly; the pair classes must partition the pairs.  Negative control: the exact scores
 * of two adjacent singleton points of different classes (adjacent in the exact order) are
 * swapped; the comparison must find exactly one flipped pair, no tie change, two moved
 * ranks and an AUC shifted by exactly 1/(n0 n1).  With ctx->corrupt the float32 AUC
 * handed to the first check is off by 1/(2 n0 n1), which that check must reject.
 *
 * Tables: P4_ranking (one row per model and format: the counts above, the largest exact
 * relative error of the format's scores and the smallest relative gap between adjacent
 * distinct reference scores -- a flip needs a gap below about twice that error), P4_flips
 * (the first P4_CAP flips per model and format with every format's two scores) and
 * P4_scores (every test point of one model per data set: the first with the most float32
 * flips; read by figP4).
 *
 * Verdict: VERIFIED when every check and control held (whatever the flip counts are: the
 * counts are the result); ERROR otherwise.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "aeerr.h"
#include "detect.h"
#include "fmteval.h"
#include "nn.h"
#include "pcommon.h"
#include "proof.h"
#include "qmat.h"
#include "qnet.h"
#include "qnum.h"
#include "rankstat.h"

#define P4_NF 6            /* formats besides exact */
#define P4_CAP 10          /* flipped pairs listed per model and format */
#define P4_QUICK_ANOM 40
#define P4_SEEDS 5
#define P4_COLLAPSED 0.9

/* The C formats, then MPFR at binary16's and bfloat16's significand precisions (11, 8
 * bits; MPFR's exponent range: no overflow, no subnormals). */
static const fmt_t FMTS[P4_NF] = {{FMT_F32, 0}, {FMT_F64, 0}, {FMT_LD, 0}, {FMT_F128, 0},
                                  {FMT_MPFR, 11}, {FMT_MPFR, 8}};
/* display digits (exact, then FMTS): enough to tell any two values of the format apart */
static const int DIGITS[1 + P4_NF] = {20, 9, 17, 21, 36, 5, 4};
static const char *const FNAME[1 + P4_NF] = {"exact", "float32", "float64", "longdouble",
                                             "binary128", "mpfr11", "mpfr8"};

static const char *const RCOLS[] = {
    "dataset", "arch", "seed", "loss_over_variance", "collapsed", "n_normal", "n_anomaly",
    "format", "reference", "ranks_moved", "ranks_moved_frac", "max_rank_shift", "pairs",
    "flipped", "flipped_normal_anomaly", "ties_created", "ties_broken", "ties_both",
    "max_rel_err", "reference_min_rel_gap", "auc", "auc_fraction", "auc_reference",
    "auc_reference_fraction", "auc_minus_reference"};
#define NRCOLS 25
static const char *const FCOLS[] = {
    "dataset", "arch", "seed", "format", "lower", "upper", "classes", "exact_lower",
    "exact_upper", "exact_rel_gap", "float32_lower", "float32_upper", "float64_lower",
    "float64_upper", "longdouble_lower", "longdouble_upper", "binary128_lower",
    "binary128_upper", "mpfr11_lower", "mpfr11_upper", "mpfr8_lower", "mpfr8_upper"};
#define NFCOLS 22
static const char *const SCOLS[] = {
    "dataset", "arch", "seed", "point", "class", "exact", "float32", "float64",
    "float32_rel_err", "float64_rel_err", "exact_rank", "float32_rank", "float64_rank",
    "float32_flipped"};
#define NSCOLS 14
static const proof_table TABLES[] = {
    {"P4_ranking", "P4: score ranks and ROC AUC of trained ReLU AEs per format against exact "
     "scores (pairs of test points; ties separately)", RCOLS, NRCOLS},
    {"P4_flips", "P4: flipped pairs (first 10 per model and format; 'lower' is lower in the "
     "exact order, higher in the format's)", FCOLS, NFCOLS},
    {"P4_scores", "P4: every test point of one model per data set (the first with the most "
     "float32 flips), exact and float scores", SCOLS, NSCOLS}};

/* N4's grid for these three sets (shallow [d,hs,ks,hs,d], deep [d,h1,h2,kd,h2,h1,d]). */
typedef struct {
    const char *name;
    long hs, ks, h1, h2, kd, ep_s, ep_d;
    double lr_s, lr_d;
} p4_set;
static const p4_set SETS[] = {
    {"wine", 16, 4, 32, 16, 4, 500, 300, 3e-3, 1e-3},
    {"breast_cancer", 32, 8, 64, 32, 8, 200, 150, 3e-3, 1e-3},
    {"digits", 32, 8, 64, 32, 8, 100, 100, 3e-3, 1e-3},
};
#define P4_NSETS 3

/* ---- one data set: training rows and test points ----------------------------------- */

typedef struct {
    const char *name;
    long d, ntr, nt, n0, n1;
    double *Xtr;           /* ntr x d, the exact rows rounded to nearest */
    double var;            /* mean per-feature variance of Xtr */
    qmat_t T;              /* nt x d test points (exact) */
    unsigned char *lab;    /* nt: 0 normal, 1 anomaly */
    long *row;             /* nt: the row among the normal / anomaly rows */
} p4_data;

static void data_clear(p4_data *D)
{
    free(D->Xtr);
    free(D->lab);
    free(D->row);
    qmat_clear(D->T);
}

static double mean_variance(const double *X, long n, long d)
{
    double v = 0;
    for (long j = 0; j < d; j++) {
        double m = 0, q = 0;
        for (long i = 0; i < n; i++)
            m += X[i * d + j];
        m /= (double) n;
        for (long i = 0; i < n; i++)
            q += (X[i * d + j] - m) * (X[i * d + j] - m);
        v += q / (double) n;
    }
    return v / (double) d;
}

static int data_load(p4_data *D, const proof_ctx *ctx, const char *name, gsl_rng *r,
                     char *err, size_t el)
{
    memset(D, 0, sizeof *D);
    qmat_init(D->T, 0, 0);
    const prf_data_struct *P = prf_data(ctx, name, err, el);
    if (P == NULL)
        return AE_EPARSE;
    long n = P->X->r, d = P->X->c, na = P->A->r;
    if (ctx->quick && na > P4_QUICK_ANOM)
        na = P4_QUICK_ANOM;
    D->name = name;
    D->d = d;
    D->ntr = (7 * n) / 10;
    D->n0 = n - D->ntr;
    D->n1 = na;
    D->nt = D->n0 + na;
    if (D->ntr < 2 || D->n0 < 1 || na < 1) {
        snprintf(err, el, "P4: %s: too few rows (%ld normal, %ld anomalous)", name, n, na);
        return AE_ERANGE;
    }
    size_t *pi = ae_malloc((size_t) n * sizeof *pi);
    for (long i = 0; i < n; i++)
        pi[i] = (size_t) i;
    gsl_ran_shuffle(r, pi, (size_t) n, sizeof *pi);
    D->Xtr = ae_malloc((size_t) (D->ntr * d) * sizeof(double));
    for (long i = 0; i < D->ntr; i++)
        for (long j = 0; j < d; j++)
            D->Xtr[i * d + j] = qnum_get_d(qmat_entry(P->X, (long) pi[i], j));
    D->var = mean_variance(D->Xtr, D->ntr, d);
    qmat_resize(D->T, D->nt, d);
    D->lab = ae_malloc((size_t) D->nt);
    D->row = ae_malloc((size_t) D->nt * sizeof(long));
    for (long k = 0; k < D->nt; k++) {
        int a = k >= D->n0;
        D->lab[k] = (unsigned char) a;
        D->row[k] = a ? k - D->n0 : (long) pi[D->ntr + k];
        qvec_set(qmat_row(D->T, k), qmat_row(a ? P->A : P->X, D->row[k]), d);
    }
    free(pi);
    return AE_OK;
}

/* ---- scores of one model ------------------------------------------------------------ */

typedef struct {
    long nt;
    mpq_t *s[1 + P4_NF];     /* exact, then FMTS */
    long *rk[1 + P4_NF];
    long nonfinite;          /* Inf / NaN format scores (ranked as the largest) */
} p4_scores;

static void scores_init(p4_scores *S, long nt)
{
    S->nt = nt;
    S->nonfinite = 0;
    for (int f = 0; f <= P4_NF; f++) {
        S->s[f] = qvec_init(nt);
        S->rk[f] = ae_malloc((size_t) (nt > 0 ? nt : 1) * sizeof(long));
    }
}

static void scores_clear(p4_scores *S)
{
    for (int f = 0; f <= P4_NF; f++) {
        qvec_clear(S->s[f], S->nt);
        free(S->rk[f]);
    }
}

/* The scores of format f (fmteval) at every test point; an Inf or NaN score (counted)
 * is ranked above every finite one: it is set to 1 + the largest finite score. */
static int format_scores(p4_scores *S, int f, const nn_t net, const p4_data *D)
{
    fmtnet_t F;
    int st = fmtnet_init_nn(F, FMTS[f], net);
    if (st != AE_OK)
        return st;
    mpfr_t e;
    mpfr_init2(e, 128);
    mpq_t *s = S->s[f + 1], big;
    mpq_init(big);
    unsigned char *bad = ae_calloc((size_t) (D->nt > 0 ? D->nt : 1), 1);
    for (long k = 0; k < D->nt && st == AE_OK; k++) {
        st = fmtnet_score(e, F, (const mpq_t *) qmat_row(D->T, k), D->d);
        if (st == AE_OK && mpfr_number_p(e)) {
            mpfr_get_q(s[k], e);
            if (mpq_cmp(s[k], big) > 0)
                mpq_set(big, s[k]);
        } else
            bad[k] = 1;
    }
    for (long k = 0; k < D->nt && st == AE_OK; k++)
        if (bad[k]) {
            S->nonfinite++;
            mpq_set_ui(s[k], 1, 1);
            mpq_add(s[k], s[k], big);
        }
    free(bad);
    mpq_clear(big);
    mpfr_clear(e);
    fmtnet_clear(F);
    return st;
}

/* Every test point's score in every format, and the ranks. */
static int scores_fill(p4_scores *S, const nn_t net, const qnet_t q, const p4_data *D)
{
    int st = AE_OK;
    for (long k = 0; k < D->nt && st == AE_OK; k++)
        st = qnet_score(S->s[0][k], q, (const mpq_t *) qmat_row(D->T, k), D->d);
    for (int f = 0; f < P4_NF && st == AE_OK; f++)
        st = format_scores(S, f, net, D);
    for (int f = 0; f <= P4_NF && st == AE_OK; f++)
        st = rankstat_ranks(S->rk[f], (const mpq_t *) S->s[f], D->nt);
    return st;
}

/* ---- comparisons ------------------------------------------------------------------- */

typedef struct {
    long models, collapsed, nonfinite, bad, ctl_bad, ctl_missing, points;
    long moved[P4_NF], auc_differs[P4_NF];
    long long pairs, flips[P4_NF], cross[P4_NF], ties_created[P4_NF];
    mpq_t max_dauc[P4_NF];     /* largest |AUC_format - AUC_exact| */
    char why[400];
} p4_tally;

typedef struct {
    const char *arch;
    unsigned long seed;
    double ratio;
} p4_model;

static void note_bad(p4_tally *T, const p4_data *D, const p4_model *M, const char *what)
{
    T->bad++;
    if (!T->why[0])
        snprintf(T->why, sizeof T->why, "%s %s seed %lu: %s", D->name, M->arch, M->seed, what);
}

static void point_name(char *buf, size_t bl, const p4_data *D, long k)
{
    snprintf(buf, bl, "%c%ld", D->lab[k] ? 'A' : 'N', D->row[k]);
}

/* auc = ROC AUC of the scores s (normal points first, as D orders them) by detect_auc;
 * returns 1 iff auc + offset equals rankstat_u2 / (2 n0 n1) from the ranks rk, else 0
 * (-1 on an error). */
static int auc_two_ways(mpq_t auc, const mpq_t *s, const long *rk, const p4_data *D,
                        const mpq_t offset)
{
    if (detect_auc(auc, s, D->n0, s + D->n0, D->n1) != AE_OK)
        return -1;
    mpz_t u2;
    mpz_init(u2);
    mpq_t v, claimed;
    mpq_inits(v, claimed, NULL);
    long n0 = 0, n1 = 0;
    int ok = -1;
    if (rankstat_u2(u2, &n0, &n1, rk, D->lab, D->nt) == AE_OK) {
        mpq_set_z(v, u2);
        mpz_set_si(mpq_denref(v), 2 * n0 * n1);
        mpq_canonicalize(v);
        mpq_add(claimed, auc, offset);
        ok = mpq_equal(claimed, v) && n0 == D->n0 && n1 == D->n1;
    }
    mpq_clears(v, claimed, NULL);
    mpz_clear(u2);
    return ok;
}

/* The P4_flips rows of the first P4_CAP flips of format a against exact. */
static void flip_rows(proof_job *J, const p4_data *D, const p4_model *M, const p4_scores *S,
                      int a, const long *lo, const long *hi, long long nfl)
{
    mpq_t g;
    mpq_init(g);
    for (long long k = 0; k < nfl && k < P4_CAP; k++) {
        long i = lo[k], j = hi[k];
        char ni[24], nj[24], fc[(1 + P4_NF) * 2 * 48];
        point_name(ni, sizeof ni, D, i);
        point_name(nj, sizeof nj, D, j);
        size_t u = 0;
        for (int f = 1; f <= P4_NF && u < sizeof fc; f++)   /* each cell < 48 characters */
            u += (size_t) snprintf(fc + u, sizeof fc - u, "\t%s\t%s",
                                   prf_qsig(S->s[f][i], DIGITS[f]),
                                   prf_qsig(S->s[f][j], DIGITS[f]));
        mpq_sub(g, S->s[0][j], S->s[0][i]);
        if (mpq_sgn(S->s[0][j]) != 0)
            mpq_div(g, g, S->s[0][j]);
        proof_row(J, 1, "%s\t%s\t%lu\t%s\t%s\t%s\t%s-%s\t%s\t%s\t%s%s", D->name, M->arch,
                  M->seed, FNAME[a], ni, nj, D->lab[i] ? "anomaly" : "normal",
                  D->lab[j] ? "anomaly" : "normal", prf_qsig(S->s[0][i], DIGITS[0]),
                  prf_qsig(S->s[0][j], DIGITS[0]), prf_q6(g), fc);
    }
    mpq_clear(g);
}

/* g = max_k |a_k - r_k| / r_k over the points with r_k != 0 (0 if none). */
static void max_rel_err(mpq_t g, const mpq_t *a, const mpq_t *r, long n)
{
    mpq_t t;
    mpq_init(t);
    mpq_set_ui(g, 0, 1);
    for (long k = 0; k < n; k++) {
        if (mpq_sgn(r[k]) == 0)
            continue;
        mpq_sub(t, a[k], r[k]);
        mpq_div(t, t, r[k]);
        mpq_abs(t, t);
        if (mpq_cmp(t, g) > 0)
            mpq_set(g, t);
    }
    mpq_clear(t);
}

/* g = the smallest (s_hi - s_lo) / s_hi over pairs of scores adjacent in the sorted order
 * with s_lo < s_hi (a flip needs a relative gap below about twice the largest relative
 * error); -1 if there is no such pair.  rk: the ranks of s. */
static void min_rel_gap(mpq_t g, const mpq_t *s, const long *rk, long n)
{
    long *at = ae_malloc((size_t) (n + 2) * sizeof(long));
    for (long r = 0; r <= n + 1; r++)
        at[r] = -1;
    for (long k = 0; k < n; k++)
        at[rk[k]] = k;       /* one point per distinct score, at its rank */
    mpq_t t;
    mpq_init(t);
    mpq_set_si(g, -1, 1);
    for (long r = 1, prev = -1; r <= n; r++) {
        if (at[r] < 0)
            continue;
        if (prev >= 0 && mpq_sgn(s[at[r]]) != 0) {
            mpq_sub(t, s[at[r]], s[prev]);
            mpq_div(t, t, s[at[r]]);
            if (mpq_sgn(g) < 0 || mpq_cmp(t, g) < 0)
                mpq_set(g, t);
        }
        prev = at[r];
    }
    mpq_clear(t);
    free(at);
}

/* One P4_ranking row: format a against reference ref (0 = exact). */
static int compare_row(proof_job *J, p4_tally *T, const p4_data *D, const p4_model *M,
                       const p4_scores *S, int a, int ref)
{
    long nt = D->nt;
    rankstat_pairs c;
    int st = rankstat_compare(&c, S->rk[ref], S->rk[a], nt);
    if (st != AE_OK)
        return st;
    long moved = rankstat_moved(S->rk[ref], S->rk[a], nt);
    long long nfl = rankstat_flips(NULL, NULL, 0, S->rk[ref], S->rk[a], nt), cross = 0;
    long *lo = ae_malloc((size_t) (nfl + 1) * sizeof(long)),
         *hi = ae_malloc((size_t) (nfl + 1) * sizeof(long));
    rankstat_flips(lo, hi, (long) nfl, S->rk[ref], S->rk[a], nt);
    for (long long k = 0; k < nfl; k++)
        cross += D->lab[lo[k]] != D->lab[hi[k]];
    if (c.concordant + c.discordant + c.tie_broken + c.tie_created + c.tie_both != c.pairs
        || c.discordant != nfl)
        note_bad(T, D, M, "the pair classes do not partition the pairs");
    mpq_t auc, aref, dauc, off, zero, err, gap;
    mpq_inits(auc, aref, dauc, off, zero, err, gap, NULL);
    max_rel_err(err, (const mpq_t *) S->s[a], (const mpq_t *) S->s[ref], nt);
    min_rel_gap(gap, (const mpq_t *) S->s[ref], S->rk[ref], nt);
    if (J->ctx->corrupt && a == 1)    /* a wrong float32 AUC, which the check must reject */
        mpq_set_si(off, 1, 2 * D->n0 * D->n1);
    int oka = auc_two_ways(auc, (const mpq_t *) S->s[a], S->rk[a], D, off);
    int okr = auc_two_ways(aref, (const mpq_t *) S->s[ref], S->rk[ref], D, zero);
    if (oka < 0 || okr < 0)
        st = AE_EINVAL;
    else if (!oka || !okr)
        note_bad(T, D, M, "detect_auc and the U statistic of the ranks disagree");
    mpq_sub(dauc, auc, aref);
    char *fr = mpq_get_str(NULL, 10, auc), *fd = mpq_get_str(NULL, 10, dauc);
    char *fq = mpq_get_str(NULL, 10, aref);
    proof_row(J, 0, "%s\t%s\t%lu\t%.4f\t%s\t%ld\t%ld\t%s\t%s\t%ld\t%.4f\t%ld\t%lld\t%lld\t"
              "%lld\t%lld\t%lld\t%lld\t%s\t%s\t%.6f\t%s\t%.6f\t%s\t%s", D->name, M->arch, M->seed,
              M->ratio, !(M->ratio < P4_COLLAPSED) ? "yes" : "no", D->n0, D->n1, FNAME[a],
              FNAME[ref], moved, (double) moved / (double) nt,
              rankstat_max_shift(S->rk[ref], S->rk[a], nt), c.pairs, c.discordant, cross,
              c.tie_created, c.tie_broken, c.tie_both, prf_q6(err),
              mpq_sgn(gap) < 0 ? "-" : prf_q6(gap), qnum_get_d(auc), fr, qnum_get_d(aref), fq,
              fd);
    free(fq);
    free(fr);
    free(fd);
    if (ref == 0) {
        flip_rows(J, D, M, S, a, lo, hi, nfl);
        int f = a - 1;
        T->moved[f] += moved;
        T->flips[f] += nfl;
        T->cross[f] += cross;
        T->ties_created[f] += c.tie_created;
        mpq_abs(dauc, dauc);
        T->auc_differs[f] += mpq_sgn(dauc) != 0;
        if (mpq_cmp(dauc, T->max_dauc[f]) > 0)
            mpq_set(T->max_dauc[f], dauc);
        if (a == 1)
            T->pairs += c.pairs;
    }
    mpq_clears(auc, aref, dauc, off, zero, err, gap, NULL);
    free(lo);
    free(hi);
    return st;
}

/* The negative control: swap the exact scores of two points adjacent in the exact order,
 * both alone at their score (of different classes when there are such), and require
 * exactly one flip, no tie change, two moved ranks, and the AUC moved by the predicted
 * +-1/(n0 n1) (0 for equal classes).  Returns 1 if it held, 0 if not, -1 if no such pair
 * exists (nothing checked). */
static int control(const p4_data *D, const p4_scores *S)
{
    long nt = D->nt, *cnt = ae_calloc((size_t) nt + 2, sizeof(long)),
         *at = ae_malloc((size_t) (nt + 2) * sizeof(long));
    for (long k = 0; k < nt; k++) {
        cnt[S->rk[0][k]]++;
        at[S->rk[0][k]] = k;
    }
    long x = -1, y = -1;
    for (int pass = 0; pass < 2 && x < 0; pass++)    /* pass 0: classes must differ */
        for (long r = 1; r < nt && x < 0; r++)
            if (cnt[r] == 1 && cnt[r + 1] == 1
                && (pass == 1 || D->lab[at[r]] != D->lab[at[r + 1]])) {
                x = at[r];
                y = at[r + 1];
            }
    free(cnt);
    if (x < 0) {
        free(at);
        return -1;
    }
    mpq_t *s = qvec_init(nt), a0, a1, want, zero;
    mpq_inits(a0, a1, want, zero, NULL);
    qvec_set(s, (const mpq_t *) S->s[0], nt);
    mpq_swap(s[x], s[y]);
    long *rk = at;     /* reused */
    rankstat_pairs c;
    int ok = rankstat_ranks(rk, (const mpq_t *) s, nt) == AE_OK
             && rankstat_compare(&c, S->rk[0], rk, nt) == AE_OK
             && c.discordant == 1 && c.tie_created == 0 && c.tie_broken == 0
             && rankstat_moved(S->rk[0], rk, nt) == 2
             && auc_two_ways(a0, (const mpq_t *) S->s[0], S->rk[0], D, zero) == 1
             && auc_two_ways(a1, (const mpq_t *) s, rk, D, zero) == 1;
    if (ok) {   /* x was just below y: a normal x under an anomalous y loses 1/(n0 n1) */
        long sg = D->lab[x] == D->lab[y] ? 0 : D->lab[x] == 0 ? -1 : 1;
        mpq_set_si(want, sg, D->n0 * D->n1);
        mpq_canonicalize(want);
        mpq_sub(a1, a1, a0);
        ok = mpq_equal(a1, want);
    }
    mpq_clears(a0, a1, want, zero, NULL);
    qvec_clear(s, nt);
    free(at);
    return ok;
}

/* The P4_scores rows of one model. */
static int score_rows(proof_job *J, const p4_data *D, const p4_model *M, const p4_scores *S)
{
    long nt = D->nt;
    long long nfl = rankstat_flips(NULL, NULL, 0, S->rk[0], S->rk[1], nt);
    long *lo = ae_malloc((size_t) (nfl + 1) * sizeof(long)),
         *hi = ae_malloc((size_t) (nfl + 1) * sizeof(long));
    unsigned char *in = ae_calloc((size_t) nt + 1, 1);
    rankstat_flips(lo, hi, (long) nfl, S->rk[0], S->rk[1], nt);
    for (long long k = 0; k < nfl; k++)
        in[lo[k]] = in[hi[k]] = 1;
    mpq_t r1, r2;
    mpq_inits(r1, r2, NULL);
    int st = AE_OK;
    for (long k = 0; k < nt && st == AE_OK; k++) {
        char nm[24], e1[64] = "-", e2[64] = "-";
        point_name(nm, sizeof nm, D, k);
        if (mpq_sgn(S->s[0][k]) != 0) {
            mpq_sub(r1, S->s[1][k], S->s[0][k]);
            mpq_div(r1, r1, S->s[0][k]);
            mpq_sub(r2, S->s[2][k], S->s[0][k]);
            mpq_div(r2, r2, S->s[0][k]);
            snprintf(e1, sizeof e1, "%s", prf_q6(r1));
            snprintf(e2, sizeof e2, "%s", prf_q6(r2));
        }
        st = proof_row(J, 2, "%s\t%s\t%lu\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%ld\t%ld\t%ld\t%s",
                       D->name, M->arch, M->seed, nm, D->lab[k] ? "anomaly" : "normal",
                       prf_qsig(S->s[0][k], DIGITS[0]), prf_qsig(S->s[1][k], DIGITS[1]),
                       prf_qsig(S->s[2][k], DIGITS[2]), e1, e2, S->rk[0][k], S->rk[1][k],
                       S->rk[2][k], in[k] ? "yes" : "no");
    }
    mpq_clears(r1, r2, NULL);
    free(in);
    free(lo);
    free(hi);
    return st;
}

/* ---- one model ---------------------------------------------------------------------- */

/* The model whose scores go into P4_scores: per data set, the first one with the most
 * float32 flips. */
typedef struct {
    int have;
    long long flips;
    char arch[64];
    p4_model M;
    p4_scores S;
} p4_keep;

static int one_model(proof_job *J, p4_tally *T, const p4_data *D, const p4_model *M0,
                     long L, const long *sizes, long epochs, double lr, p4_keep *K)
{
    nn_t net;
    int st = prf_train_ae(net, D->Xtr, D->ntr, L, sizes, NN_RELU, 0.01, M0->seed, epochs, lr,
                          16);
    if (st != AE_OK)
        return proof_fail(J, st, "P4: training %s %s seed %lu failed (%s)", D->name, M0->arch,
                          M0->seed, ae_strstatus(st));
    p4_model M = *M0;
    double loss = NAN;
    qnet_t q;
    if ((st = nn_loss_grad(&loss, NULL, net, D->Xtr, D->ntr)) != AE_OK
        || (st = qnet_init_nn(q, net)) != AE_OK) {
        nn_clear(net);
        return proof_fail(J, st, "P4: %s: training loss or exact network failed", D->name);
    }
    M.ratio = loss / D->var;
    p4_scores S;
    scores_init(&S, D->nt);
    st = scores_fill(&S, net, q, D);
    for (int a = 1; a <= P4_NF && st == AE_OK; a++)
        st = compare_row(J, T, D, &M, &S, a, 0);
    if (st == AE_OK)
        st = compare_row(J, T, D, &M, &S, 1, 2);
    if (st == AE_OK) {
        int c = control(D, &S);
        T->ctl_missing += c < 0;
        T->ctl_bad += c == 0;
    }
    T->models++;
    T->collapsed += !(M.ratio < P4_COLLAPSED);
    T->nonfinite += S.nonfinite;
    T->points += D->nt;
    long long nfl = rankstat_flips(NULL, NULL, 0, S.rk[0], S.rk[1], D->nt);
    if (st == AE_OK && (!K->have || nfl > K->flips)) {
        if (K->have)
            scores_clear(&K->S);
        K->S = S;             /* moved: K owns the scores now */
        K->have = 1;
        K->flips = nfl;
        snprintf(K->arch, sizeof K->arch, "%s", M.arch);
        K->M = M;
        K->M.arch = K->arch;
    } else
        scores_clear(&S);
    qnet_clear(q);
    nn_clear(net);
    if (st != AE_OK && J->status == AE_OK)
        return proof_fail(J, st, "P4: %s %s seed %lu: evaluation failed (%s)", D->name,
                          M.arch, M.seed, ae_strstatus(st));
    return st;
}

static void arch_name(char *buf, size_t bl, const long *s, long L)
{
    size_t k = 0;
    for (long l = 0; l <= L && k < bl; l++)
        k += (size_t) snprintf(buf + k, bl - k, l ? "-%ld" : "%ld", s[l]);
}

static int one_set(proof_job *J, p4_tally *T, const p4_set *P, gsl_rng *r, unsigned long base)
{
    const proof_ctx *ctx = J->ctx;
    p4_data D;
    char err[600];
    int st = data_load(&D, ctx, P->name, r, err, sizeof err);
    if (st != AE_OK) {
        data_clear(&D);
        return proof_fail(J, st, "%s", err);
    }
    long d = D.d, narch = ctx->quick ? 1 : 2, nseeds = ctx->quick ? 1 : P4_SEEDS;
    p4_keep K;
    memset(&K, 0, sizeof K);
    for (long ai = 0; ai < narch && st == AE_OK; ai++) {
        long s[7] = {d, P->hs, P->ks, P->hs, d, 0, 0}, L = 4;
        if (ai == 1) {
            long t[7] = {d, P->h1, P->h2, P->kd, P->h2, P->h1, d};
            memcpy(s, t, sizeof t);
            L = 6;
        }
        char an[64];
        arch_name(an, sizeof an, s, L);
        for (long k = 0; k < nseeds && st == AE_OK; k++) {
            p4_model M = {an, base + (unsigned long) k, 0};
            st = one_model(J, T, &D, &M, L, s, ai ? P->ep_d : P->ep_s, ai ? P->lr_d : P->lr_s,
                           &K);
            char what[128];
            snprintf(what, sizeof what, "%s %s seed %lu", P->name, an, M.seed);
            proof_progress("P4", ai * nseeds + k + 1, narch * nseeds, what);
        }
    }
    if (K.have) {
        if (st == AE_OK)
            st = score_rows(J, &D, &K.M, &K.S);
        scores_clear(&K.S);
    }
    data_clear(&D);
    return st;
}

static int run(proof_job *J)
{
    const proof_ctx *ctx = J->ctx;
    proof_result *res = J->res;
    p4_tally T;
    memset(&T, 0, sizeof T);
    for (int f = 0; f < P4_NF; f++)
        mpq_init(T.max_dauc[f]);
    gsl_rng *r = prf_rng(ctx, "P4");
    unsigned long base = (unsigned long) (prf_seed(ctx, "P4") % 100000UL) * 10UL;
    int st = AE_OK;
    for (long si = 0; si < (ctx->quick ? 1 : P4_NSETS) && st == AE_OK; si++)
        st = one_set(J, &T, &SETS[si], r, base);
    gsl_rng_free(r);
    if (st == AE_OK) {
        snprintf(res->method, sizeof res->method, "exact scores (qnet, rationals) vs fmteval "
                 "float32/64, longdouble, binary128, mpfr11/8 read exactly; ranks, AUC exact");
        res->instances = T.models;
        char ev[900];
        size_t u = (size_t) snprintf(ev, sizeof ev, "%ld ReLU AEs (%ld collapsed), %ld test "
                                     "points, %lld pairs; vs exact:", T.models, T.collapsed,
                                     T.points, T.pairs);
        for (int f = 0; f < P4_NF && u < sizeof ev; f++)
            u += (size_t) snprintf(ev + u, sizeof ev - u, "%s %s %ld ranks moved, %lld flips "
                                   "(%lld normal-anomaly), %lld new ties, AUC differs in %ld "
                                   "(max %s)", f ? ";" : "", FNAME[f + 1], T.moved[f],
                                   T.flips[f], T.cross[f], T.ties_created[f], T.auc_differs[f],
                                   prf_q6(T.max_dauc[f]));
        if (T.bad)
            proof_set(res, VERDICT_ERROR, "%ld checks failed; first: %s; %s", T.bad, T.why, ev);
        else if (T.ctl_bad || T.ctl_missing)
            proof_set(res, VERDICT_ERROR, "negative control (a planted swap) not detected in "
                      "%ld models, not available in %ld; %s", T.ctl_bad, T.ctl_missing, ev);
        else
            proof_set(res, VERDICT_VERIFIED, "%s; %ld non-finite format scores; AUC two ways "
                      "agree; planted swap detected in all %ld models", ev, T.nonfinite,
                      T.models);
    }
    for (int f = 0; f < P4_NF; f++)
        mpq_clear(T.max_dauc[f]);
    return st;
}

int proof_P4(const proof_ctx *ctx, proof_result *res)
{
    return proof_run(ctx, res, TABLES, 3, run, NULL);
}
