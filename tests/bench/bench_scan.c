/* bench_scan — the far-field verdict engine (theory/scan.h) on trained networks (issue #8):
 *
 *   bench scan-2d   a [2,100,20,1,20,100,2] ReLU AE (linear output, float32) trained on
 *                   the diagonal set (synth.h, seed 1; He init, Adam lr 1e-3, batch 10,
 *                   300 epochs: PyTorch's init mostly collapses to the mean here):
 *                   the complete scan (sector enumeration, gamma per sector, blind strips,
 *                   far rays); target < 1 s
 *   bench scan-784  a [784,256,32,256,784] ReLU AE trained on Fashion-MNIST class 0 (6000
 *                   images /255; Adam lr 1e-3, batch 64, 3 epochs, 2 training threads),
 *                   then scan_run with the default 60 s budget; prints the verdict
 *
 * Only the scan is timed, not the training.  No peer: no other tool gives these verdicts.
 * Environment: BENCH_SCAN_EPOCHS overrides the 784 model's 3 epochs; BENCH_SCAN_BUDGET its
 * budget.
 */
#include "aeerr.h"
#include "dsrc.h"
#include "idx.h"
#include "nn.h"
#include "qmat.h"
#include "scan.h"
#include "synth.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double) t.tv_sec + 1e-9 * (double) t.tv_nsec;
}

static const char *vname(int v)
{
    return v == SCAN_FAILS ? "FAILS" : v == SCAN_SAFE ? "SAFE-BEYOND" : "UNDECIDED";
}

/* net (initialised here) trained on the n rows of X. */
static int train(nn_t net, long L, const long *sizes, const double *X, long n, long epochs,
                 long batch, int threads, unsigned long seed, nn_init_t init, double *loss)
{
    nn_act_t act[8];
    for (long l = 0; l < L; l++)
        act[l] = l + 1 < L ? NN_RELU : NN_IDENTITY;
    if (nn_init(net, NN_F32, L, sizes, act, NULL, NULL) != AE_OK)
        return 1;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    int st = nn_init_params(net, init, r);
    gsl_rng_free(r);
    nn_trainopts o;
    nn_trainopts_default(&o);
    o.lr = 1e-3;
    o.batch = batch;
    o.seed = seed;
    o.threads = threads;
    nn_trainer_t T;
    if (st != AE_OK || nn_trainer_init(T, net, &o, X, n) != AE_OK)
        return 1;
    for (long e = 0; e < epochs && st == AE_OK; e++)
        st = nn_trainer_epoch(loss, T);
    nn_trainer_clear(T);
    return st != AE_OK;
}

static void report(const char *name, const scan_t S, double secs, double loss)
{
    printf("bench %s ours_s=%.3f peer=none peer_s=NA ratio=NA verdict=%s train_loss=%.4g "
           "s_min=%.4g K=%.4g gamma2_lb=%.4g gamma2_ub=%.4g R_over_diam=%.4g "
           "far_over_diam=%.4g far_score=%.4g sectors=%ld cones=%ld fixed=%ld "
           "growth_rates=%ld timed_out=%d\n",
           name, secs, vname(S->verdict), loss, mpq_get_d(S->smin), mpq_get_d(S->K),
           mpq_get_d(S->gamma2_lb), mpq_get_d(S->gamma2_ub),
           S->have_R ? scan_radius_ratio(S) : NAN,
           mpq_sgn(S->anomaly_dist_lb) > 0 ? scan_anomaly_ratio(S) : NAN,
           mpq_sgn(S->anomaly_dist_lb) > 0 ? mpq_get_d(S->anomaly_score) : NAN,
           S->nsectors, S->ncones, S->nfixed, S->ndirections, S->timed_out);
    if (S->verdict == SCAN_UNDECIDED)
        printf("  (%s: %s)\n", name, S->why);
    fflush(stdout);
}

static int bench_2d(void)
{
    static const long sizes[] = { 2, 100, 20, 1, 20, 100, 2 };
    double X[2 * SYNTH_N], loss = NAN;
    nn_t net;
    if (synth_make(X, NULL, "diagonal", SYNTH_N, 1) != AE_OK
        || train(net, 6, sizes, X, SYNTH_N, 300, 10, 1, 1, NN_INIT_HE, &loss) != 0) {
        fprintf(stderr, "bench_scan: cannot train the 2-D model\n");
        return 1;
    }
    scan_opts o;
    scan_opts_default(&o);
    scan_t S;
    scan_init(S);
    double t0 = now();
    int st = scan_run(S, net, X, SYNTH_N, 2, &o);
    double t = now() - t0;
    if (st != AE_OK) {
        fprintf(stderr, "bench_scan: scan-2d: %s\n", ae_strstatus(st));
        return 1;
    }
    report("scan-2d", S, t, loss);
    scan_clear(S);
    nn_clear(net);
    return 0;
}

static int bench_784(void)
{
    char err[600];
    dsrc_t c;
    dsrc_init(c);
    dsrc_opts so;
    dsrc_opts_default(&so);
    if (dsrc_load(c, "fashion-mnist", &so, err, sizeof err) != AE_OK) {
        printf("bench scan-784 ours_s=NA peer=none peer_s=NA ratio=NA skipped (%s)\n", err);
        dsrc_clear(c);
        return 0;
    }
    long cls = 0;
    if (dsrc_filter(c, &cls, 1, 1) != AE_OK || c->n < 1) {
        fprintf(stderr, "bench_scan: no class-0 rows\n");
        return 1;
    }
    long n = c->n, d = c->d;
    double *Xs = malloc((size_t) (n * d) * sizeof(double));
    if (Xs == NULL)
        return 1;
    for (long k = 0; k < n * d; k++)
        Xs[k] = c->X[k] / 255.0;   /* correctly rounded, as the front end's pixel map */
    static const long sizes[] = { 784, 256, 32, 256, 784 };
    const char *ee = getenv("BENCH_SCAN_EPOCHS"), *eb = getenv("BENCH_SCAN_BUDGET");
    long epochs = ee ? atol(ee) : 3;
    double loss = NAN;
    nn_t net;
    double t0 = now();
    if (train(net, 4, sizes, Xs, n, epochs, 64, 2, 1, NN_INIT_TORCH, &loss) != 0) {
        fprintf(stderr, "bench_scan: cannot train the 784 model\n");
        return 1;
    }
    double ttrain = now() - t0;
    mpq_t *lo = qvec_init(d), *hi = qvec_init(d);
    for (long j = 0; j < d; j++)
        mpq_set_ui(hi[j], 255, 1);
    nn_set_scale(net, (const mpq_t *) lo, (const mpq_t *) hi);
    qvec_clear(lo, d);
    qvec_clear(hi, d);
    scan_opts o;
    scan_opts_default(&o);
    if (eb)
        o.budget = atof(eb);
    scan_t S;
    scan_init(S);
    t0 = now();
    int st = scan_run(S, net, c->X, n, d, &o);
    double t = now() - t0;
    if (st != AE_OK) {
        fprintf(stderr, "bench_scan: scan-784: %s\n", ae_strstatus(st));
        return 1;
    }
    printf("  (scan-784: %ld rows, %ld epochs trained in %.1f s, budget %.0f s)\n", n, epochs,
           ttrain, o.budget);
    report("scan-784", S, t, loss);
    scan_clear(S);
    nn_clear(net);
    free(Xs);
    dsrc_clear(c);
    return 0;
}

int main(int argc, char **argv)
{
    int which = argc > 1 ? (strcmp(argv[1], "2d") == 0 ? 1 : strcmp(argv[1], "784") == 0 ? 2 : 0) : 0;
    int rc = 0;
    if (which != 2)
        rc |= bench_2d();
    if (which != 1)
        rc |= bench_784();
    return rc;
}
