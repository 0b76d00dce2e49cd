/* evalscore — see evalscore.h. */
#include "evalscore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aeerr.h"
#include "cli.h"
#include "detect.h"
#include "qmat.h"
#include "qnet.h"
#include "score.h"

#define EVS_EXIT_UNSUPPORTED 4
#define EVS_ALPHA 0.01

/* What the score is, for the header line. */
static const char *evs_what(detect_kind kind)
{
    switch (kind) {
    case DETECT_RECON: return "||x - f(x)||^2 (reconstruction error)";
    case DETECT_SPE: return "SPE = ||x - f(x)||^2 (Q statistic)";
    case DETECT_T2: return "Hotelling T^2 = sum_i (z_i - zbar_i)^2 / s_ii in the latent space";
    case DETECT_COMBINED: return "Yue-Qin phi = SPE/delta^2 + T2/tau^2";
    case DETECT_MAHAL: return "latent Mahalanobis (z - zbar)^T S^-1 (z - zbar)";
    case DETECT_KNN: return "squared distance to the k-th nearest training row";
    case DETECT_BOX: return "squared distance to the training rows' bounding box";
    }
    return "?";
}

static const char *evs_theory_name(detect_kind kind, const detect_t D)
{
    switch (kind) {
    case DETECT_SPE:
        return strcmp(D->spe_method, "jm") == 0 ? "Jackson-Mudholkar"
             : strcmp(D->spe_method, "box") == 0 ? "Box g chi^2_h" : "zero: perfect fit";
    case DETECT_T2:
    case DETECT_MAHAL: return "F";
    case DETECT_COMBINED: return "Yue-Qin chi^2";
    default: return NULL;
    }
}

/* The rows of S as an exact n x d matrix (each double read exactly). */
static void evs_rows(qmat_t X, const dsrc_t S)
{
    qmat_init(X, S->n, S->d);
    if (S->n > 0)
        qmat_set_d(X, S->X);
}

static int evs_check(const nn_t net, const dsrc_t train, const dsrc_t data,
                     const evalscore_opts *o, detect_kind *kind)
{
    if (detect_parse(kind, o->score) != AE_OK)
        return cli_error("eval", "--score %s: must be recon, spe, t2, spe+t2, knn, mahalanobis "
                         "or box", o->score);
    for (long l = 0; l < net->L; l++)
        if (!qnet_act_supported(net->act[l])) {
            fprintf(stderr, "aeaudit eval: %s: --score %s is computed exactly and activation "
                    "%s is not supported yet (piecewise-linear only; eval without --score "
                    "prints the float reconstruction error)\n", o->model, o->score,
                    nn_act_name(net->act[l]));
            return EVS_EXIT_UNSUPPORTED;
        }
    if (net->L < 2)
        return cli_error("eval", "%s: --score needs a hidden (bottleneck) layer", o->model);
    if (train->n < 2)
        return cli_error("eval", "--train-data %s: the detectors need at least 2 training rows",
                         o->train);
    if (o->knn < 1 || o->knn > train->n - 1)
        return cli_error("eval", "--k %ld: must be in [1, %ld] (the training rows minus one)",
                         o->knn, train->n - 1);
    double work = (double) train->n * (double) (train->n + data->n) * (double) train->d;
    if (work > EVALSCORE_MAX_WORK)
        return cli_error("eval", "%ld training rows x %ld data rows x %ld features is too much "
                         "for the exact scores (limit %.0e): use --train-normal / --normal or "
                         "a smaller data set", train->n, data->n, train->d, EVALSCORE_MAX_WORK);
    return 0;
}

/* What the rows are scored against: detect.h's fit, or (a singular latent covariance,
 * where detect.h fits nothing) the scores that need no latent, recon, knn and box, built
 * from detect.h's pieces with the same definitions and the same empirical limit. */
typedef struct {
    const detect_struct *D;      /* NULL: the fallback */
    const qnet_struct *q;
    const qmat_struct *Xt;
    mpq_t *lo, *hi;              /* fallback: the bounding box */
    long knn, zlayer, k;
    mpq_t lim[2];
    int have[2];
    const char *theory;          /* the theory limit's name, or NULL */
} evs_ctx;

static int evs_score(mpq_t s, const evs_ctx *C, detect_kind kind, const mpq_t *x, long d,
                     long skip)
{
    if (C->D != NULL)
        return detect_score(s, C->D, kind, x, d);
    if (kind == DETECT_KNN)
        return detect_knn_dist2(s, C->Xt, x, C->knn, skip);
    if (kind == DETECT_BOX)
        return detect_box_dist2(s, (const mpq_t *) C->lo, (const mpq_t *) C->hi, x, d);
    return qnet_score(s, C->q, x, d);
}

/* The fallback's empirical limit: the ceil(0.99 n)-th smallest training score (knn
 * leave-one-out), as detect.h's. */
static int evs_fallback(evs_ctx *C, detect_kind kind)
{
    const qmat_struct *X = C->Xt;
    long n = X->r, d = X->c;
    C->lo = qvec_init(d);
    C->hi = qvec_init(d);
    for (long j = 0; j < d; j++) {
        mpq_set(C->lo[j], qmat_entry(X, 0, j));
        mpq_set(C->hi[j], qmat_entry(X, 0, j));
        for (long i = 1; i < n; i++) {
            if (mpq_cmp(qmat_entry(X, i, j), C->lo[j]) < 0) mpq_set(C->lo[j], qmat_entry(X, i, j));
            if (mpq_cmp(qmat_entry(X, i, j), C->hi[j]) > 0) mpq_set(C->hi[j], qmat_entry(X, i, j));
        }
    }
    mpq_t *t = qvec_init(n), q;
    mpq_init(q);
    mpq_set_ui(q, 99, 100);
    int rc = AE_OK;
    for (long i = 0; i < n && rc == AE_OK; i++)
        rc = evs_score(t[i], C, kind, &qmat_entry(X, i, 0), d, i);
    if (rc == AE_OK)
        rc = score_quantile(C->lim[DETECT_LIMIT_EMPIRICAL], (const mpq_t *) t, n, q);
    C->have[DETECT_LIMIT_EMPIRICAL] = rc == AE_OK;
    mpq_clear(q);
    qvec_clear(t, n);
    return rc;
}

static void evs_print_limit(const evs_ctx *C, int method, const char *what)
{
    if (C->have[method])
        printf("# limit 99%% %s: %.17g\n", what, mpq_get_d(C->lim[method]));
    else
        printf("# limit 99%% %s: unavailable\n", what);
}

static void evs_header(const evs_ctx *C, detect_kind kind, const dsrc_t data,
                       const evalscore_opts *o)
{
    printf("# model %s  data %s  rows %ld  score = %s (%s)\n", o->model, o->data, data->n,
           detect_name(kind), evs_what(kind));
    printf("# exact rational arithmetic on the exact network (scores printed rounded to "
           "double); training rows %s, n = %ld", o->train, C->Xt->r);
    if (kind == DETECT_KNN)
        printf(", k = %ld", C->knn);
    if (kind == DETECT_T2 || kind == DETECT_MAHAL || kind == DETECT_COMBINED)
        printf(", latent = output of the first %ld layers (width %ld)", C->zlayer, C->k);
    if (C->D == NULL)
        printf(" (the latent covariance is singular: no theory limits)");
    putchar('\n');
    evs_print_limit(C, DETECT_LIMIT_EMPIRICAL,
                    kind == DETECT_KNN ? "empirical (leave-one-out training scores)"
                                       : "empirical (training scores)");
    char buf[64];
    snprintf(buf, sizeof buf, "theory (%s)", C->theory ? C->theory : "none for this score");
    evs_print_limit(C, DETECT_LIMIT_THEORY, buf);
    printf("index label score over_q99 over_theory\n");
}

/* flagged <=> score > limit, exactly (detect_flagged's rule). */
static const char *evs_flag(const evs_ctx *C, int method, const mpq_t s)
{
    if (!C->have[method])
        return "-";
    return mpq_cmp(s, C->lim[method]) > 0 ? "1" : "0";
}

/* Scores every row; 0 or an exit code. */
static int evs_print_rows(const evs_ctx *C, detect_kind kind, const dsrc_t data,
                          const qmat_t X)
{
    mpq_t s;
    mpq_init(s);
    int rc = 0;
    for (long i = 0; i < X->r && rc == 0; i++) {
        if (evs_score(s, C, kind, &qmat_entry(X, i, 0), X->c, -1) != AE_OK) {
            rc = cli_error("eval", "cannot score row %ld", i);
            break;
        }
        if (data->labels != NULL)
            printf("%ld %ld ", i, data->labels[i]);
        else
            printf("%ld - ", i);
        printf("%.17g %s %s\n", mpq_get_d(s), evs_flag(C, DETECT_LIMIT_EMPIRICAL, s),
               evs_flag(C, DETECT_LIMIT_THEORY, s));
    }
    mpq_clear(s);
    return rc;
}

/* Fills C from detect.h's fit, or the fallback; 0 or an exit code. */
static int evs_fit(evs_ctx *C, detect_t D, detect_kind kind, const evalscore_opts *o)
{
    int st = detect_fit_qnet(D, C->q, C->Xt, o->knn, EVS_ALPHA);
    if (st == AE_SINGULAR && (kind == DETECT_RECON || kind == DETECT_KNN || kind == DETECT_BOX))
        return evs_fallback(C, kind) == AE_OK ? 0
               : cli_error("eval", "scoring the training rows failed");
    if (st == AE_SINGULAR)
        return cli_error("eval", "%s: the latent covariance of the training rows is singular "
                         "(a bottleneck unit is constant on them, e.g. a dead ReLU): --score "
                         "%s is undefined for this model (recon, knn and box still work)",
                         o->model, o->score);
    if (st != AE_OK)
        return cli_error("eval", "fitting the detectors failed: %s", ae_strstatus(st));
    if (kind == DETECT_COMBINED
        && !(D->has_limit[DETECT_LIMIT_THEORY][DETECT_SPE]
             && D->has_limit[DETECT_LIMIT_THEORY][DETECT_T2] && mpq_sgn(D->delta2) > 0
             && mpq_sgn(D->tau2) > 0))
        return cli_error("eval", "--score spe+t2 needs positive SPE and T2 theory limits, and "
                         "they are unavailable for this model and training set (e.g. a "
                         "perfect fit: SPE limit 0)");
    C->D = D;
    C->zlayer = D->zlayer;
    C->k = D->k;
    C->theory = evs_theory_name(kind, D);
    for (int m = 0; m < 2; m++)
        C->have[m] = detect_limit(C->lim[m], D, kind, m) == AE_OK;
    return 0;
}

int evalscore_run(const nn_t net, const dsrc_t train, const dsrc_t data,
                  const evalscore_opts *o)
{
    detect_kind kind;
    int rc = evs_check(net, train, data, o, &kind);
    if (rc != 0)
        return rc;
    qnet_t q;
    if (qnet_init_nn(q, net) != AE_OK)
        return cli_error("eval", "%s: cannot read the model exactly", o->model);
    qmat_t Xt, X;
    evs_rows(Xt, train);
    evs_rows(X, data);
    detect_t D;
    detect_init(D);
    evs_ctx C;
    memset(&C, 0, sizeof C);
    C.q = q;
    C.Xt = Xt;
    C.knn = o->knn;
    mpq_init(C.lim[0]);
    mpq_init(C.lim[1]);
    rc = evs_fit(&C, D, kind, o);
    if (rc == 0) {
        evs_header(&C, kind, data, o);
        rc = evs_print_rows(&C, kind, data, X);
    }
    if (rc == 0 && fflush(stdout) != 0)
        rc = cli_error("eval", "cannot write the scores");
    if (C.lo != NULL) {
        qvec_clear(C.lo, Xt->c);
        qvec_clear(C.hi, Xt->c);
    }
    mpq_clear(C.lim[0]);
    mpq_clear(C.lim[1]);
    detect_clear(D);
    qmat_clear(Xt);
    qmat_clear(X);
    qnet_clear(q);
    return rc;
}
