/* evalscore — see evalscore.h. */
#include "evalscore.h"

#include <stdio.h>
#include <stdlib.h>

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
    case DETECT_SPE: return D->spe_method;
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

static void evs_print_limit(const detect_t D, detect_kind kind, int method, const char *what)
{
    mpq_t lim;
    mpq_init(lim);
    if (detect_limit(lim, D, kind, method) == AE_OK)
        printf("# limit 99%% %s: %.17g\n", what, mpq_get_d(lim));
    else
        printf("# limit 99%% %s: unavailable\n", what);
    mpq_clear(lim);
}

static void evs_header(const detect_t D, detect_kind kind, const dsrc_t data,
                       const evalscore_opts *o)
{
    printf("# model %s  data %s  rows %ld  score = %s (%s)\n", o->model, o->data, data->n,
           detect_name(kind), evs_what(kind));
    printf("# exact rational arithmetic on the exact network (scores printed rounded to "
           "double); training rows %s, n = %ld", o->train, D->n);
    if (kind == DETECT_KNN)
        printf(", k = %ld", D->knn);
    if (kind == DETECT_T2 || kind == DETECT_MAHAL || kind == DETECT_COMBINED)
        printf(", latent = output of the first %ld layers (width %ld)", D->zlayer, D->k);
    putchar('\n');
    evs_print_limit(D, kind, DETECT_LIMIT_EMPIRICAL,
                    kind == DETECT_KNN ? "empirical (leave-one-out training scores)"
                                       : "empirical (training scores)");
    const char *tn = evs_theory_name(kind, D);
    char buf[64];
    snprintf(buf, sizeof buf, "theory (%s)", tn ? tn : "none for this score");
    evs_print_limit(D, kind, DETECT_LIMIT_THEORY, buf);
    printf("index label score over_q99 over_theory\n");
}

static const char *evs_flag(const detect_t D, detect_kind kind, int method, const mpq_t s)
{
    mpq_t lim;
    mpq_init(lim);
    int have = detect_limit(lim, D, kind, method) == AE_OK;
    mpq_clear(lim);
    if (!have)
        return "-";
    return detect_flagged(D, kind, method, s) ? "1" : "0";
}

/* Scores every row; 0 or an exit code. */
static int evs_print_rows(const detect_t D, detect_kind kind, const dsrc_t data,
                          const qmat_t X)
{
    mpq_t s;
    mpq_init(s);
    int rc = 0;
    for (long i = 0; i < X->r && rc == 0; i++) {
        if (detect_score(s, D, kind, &qmat_entry(X, i, 0), X->c) != AE_OK) {
            rc = cli_error("eval", "cannot score row %ld", i);
            break;
        }
        if (data->labels != NULL)
            printf("%ld %ld ", i, data->labels[i]);
        else
            printf("%ld - ", i);
        printf("%.17g %s %s\n", mpq_get_d(s), evs_flag(D, kind, DETECT_LIMIT_EMPIRICAL, s),
               evs_flag(D, kind, DETECT_LIMIT_THEORY, s));
    }
    mpq_clear(s);
    return rc;
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
    int st = detect_fit_qnet(D, q, Xt, o->knn, EVS_ALPHA);
    if (st == AE_SINGULAR)
        rc = cli_error("eval", "%s: the latent covariance of the training rows is singular (a "
                       "bottleneck unit is constant on them, e.g. a dead ReLU): the detectors "
                       "are undefined for this model", o->model);
    else if (st != AE_OK)
        rc = cli_error("eval", "fitting the detectors failed: %s", ae_strstatus(st));
    if (rc == 0 && kind == DETECT_COMBINED
        && !(D->has_limit[DETECT_LIMIT_THEORY][DETECT_SPE]
             && D->has_limit[DETECT_LIMIT_THEORY][DETECT_T2] && mpq_sgn(D->delta2) > 0
             && mpq_sgn(D->tau2) > 0))
        rc = cli_error("eval", "--score spe+t2 needs positive SPE and T2 theory limits, and "
                       "they are unavailable for this model and training set (e.g. a perfect "
                       "fit: SPE limit 0)");
    if (rc == 0) {
        evs_header(D, kind, data, o);
        rc = evs_print_rows(D, kind, data, X);
    }
    if (rc == 0 && fflush(stdout) != 0)
        rc = cli_error("eval", "cannot write the scores");
    detect_clear(D);
    qmat_clear(Xt);
    qmat_clear(X);
    qnet_clear(q);
    return rc;
}
