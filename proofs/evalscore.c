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

/* What the rows are scored against: detect.h's fit, partial if the latent covariance is
 * singular (then t2, mahalanobis and spe+t2 are unavailable and refused by evs_fit). */
typedef struct {
    const detect_struct *D;
    const qnet_struct *q;
    const qmat_struct *Xt;
    long knn, zlayer, k;
    int singular;                /* detect_fit_qnet returned AE_SINGULAR */
    mpq_t lim[2];
    int have[2];
    const char *theory;          /* the theory limit's name, or NULL */
} evs_ctx;

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
    if (C->singular)
        printf(" (the latent covariance is singular: t2, mahalanobis and spe+t2 are "
               "undefined)");
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
        if (detect_score(s, C->D, kind, &qmat_entry(X, i, 0), X->c) != AE_OK) {
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

/* Fills C from detect.h's fit (partial on a singular latent covariance); 0 or an exit
 * code. */
static int evs_fit(evs_ctx *C, detect_t D, detect_kind kind, const evalscore_opts *o)
{
    int st = detect_fit_qnet(D, C->q, C->Xt, o->knn, EVS_ALPHA);
    if (st != AE_OK && st != AE_SINGULAR)
        return cli_error("eval", "fitting the detectors failed: %s", ae_strstatus(st));
    if (st == AE_SINGULAR && !D->available[kind])
        return cli_error("eval", "%s: the latent covariance of the training rows is singular "
                         "(a bottleneck unit is constant on them, e.g. a dead ReLU): --score "
                         "%s is undefined for this model (recon, spe, knn and box still work)",
                         o->model, o->score);
    if (!D->available[kind])
        return cli_error("eval", "--score spe+t2 needs positive SPE and T2 theory limits, and "
                         "they are unavailable for this model and training set (e.g. a "
                         "perfect fit: SPE limit 0)");
    C->D = D;
    C->singular = st == AE_SINGULAR;
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
    mpq_clear(C.lim[0]);
    mpq_clear(C.lim[1]);
    detect_clear(D);
    qmat_clear(Xt);
    qmat_clear(X);
    qnet_clear(q);
    return rc;
}
