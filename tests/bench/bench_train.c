/* bench_train — the float training engine against PyTorch (issue "Float training engine").
 *
 *   bench train-toy    2000 2-D points (diagonal-noisy), [2,64,64,1,64,64,2] ReLU with a
 *                      linear output, full batch, Adam lr 1e-3, 2000 steps, float32
 *   bench train-fmnist Fashion-MNIST's 60,000 training images scaled to [0,1],
 *                      [784,256,32,256,784] ReLU (linear output), Adam lr 1e-3, batch 128,
 *                      one epoch, float32; also the achieved GFLOP/s and the machine's
 *                      sgemm GFLOP/s (1024^3, same thread count) measured in this run
 *
 * Both sides start from the same initial weights (aeaudit's model file, read by the peer
 * script), train the same data with the same optimizer and number of steps, and each
 * reports its best time over 1 and 2 threads, BENCH_REPS runs each (aeaudit: nn_trainopts.threads with
 * single-threaded OpenBLAS; PyTorch: torch.set_num_threads).  Losses: toy, the last step's; fmnist,
 * the epoch's mean (shuffling orders differ, so the fmnist losses agree only roughly).
 * ratio = peer_s / ours_s.  Environment: BENCH_TRAIN_TOY_STEPS overrides 2000 (quick runs).
 */
#define _GNU_SOURCE   /* dladdr: report which library provides cblas_sgemm */
#include "aeerr.h"
#include "idx.h"
#include "nn.h"
#include "synth.h"

#include <cblas.h>
#include <dlfcn.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double) t.tv_sec + 1e-9 * (double) t.tv_nsec;
}

/* Repetitions per thread count, for both sides (BENCH_REPS, default 2): this machine's
 * timings vary by up to 2x from run to run, so each side reports its best. */
static int bench_reps(void)
{
    const char *e = getenv("BENCH_REPS");
    int r = e ? atoi(e) : 2;
    return r >= 1 ? r : 1;
}

/* Trains a copy of net0 for `epochs` epochs; returns seconds (best over 1 and 2 training
 * threads, bench_reps() runs each, the BLAS single-threaded inside them), the loss of the
 * best run's last epoch and its thread count. */
static double train_best(const nn_t net0, const nn_trainopts *o, const double *X, long n,
                         long epochs, double *loss, int *best_threads)
{
    double best = INFINITY;
    for (int run = 0; run < 2 * bench_reps(); run++) {
        int th = 1 + run % 2;
        openblas_set_num_threads(1);
        nn_trainopts ot = *o;
        ot.threads = th;
        nn_t net;
        nn_init_copy(net, net0);
        nn_trainer_t T;
        double l = NAN;
        if (nn_trainer_init(T, net, &ot, X, n) != AE_OK) {
            fprintf(stderr, "bench_train: trainer init failed\n");
            exit(1);
        }
        /* The clock starts after the data are converted to float32, as the peer's starts
         * after its tensors are built. */
        double t0 = now();
        for (long e = 0; e < epochs; e++)
            if (nn_trainer_epoch(&l, T) != AE_OK) {
                fprintf(stderr, "bench_train: loss diverged\n");
                exit(1);
            }
        double t = now() - t0;
        nn_trainer_clear(T);
        nn_clear(net);
        if (t < best) {
            best = t;
            *loss = l;
            *best_threads = th;
        }
    }
    return best;
}

static double sgemm_gflops(int threads)
{
    const int N = 1024;
    openblas_set_num_threads(threads);
    float *A = malloc(sizeof(float) * N * N), *B = malloc(sizeof(float) * N * N),
          *C = malloc(sizeof(float) * N * N);
    for (long i = 0; i < (long) N * N; i++) {
        A[i] = (float) ((i % 17) - 8) / 8;
        B[i] = (float) ((i % 13) - 6) / 6;
    }
    double best = INFINITY;
    for (int rep = 0; rep < 4; rep++) {
        double t0 = now();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, N, N, 1, A, N, B, N, 0, C, N);
        double t = now() - t0;
        if (t < best)
            best = t;
    }
    free(A); free(B); free(C);
    return 2.0 * N * N * N / best / 1e9;
}

static void find_script(char *script, size_t len, const char *argv0)
{
    snprintf(script, len, "tests/bench/peer_train_torch.py");
    if (access(script, R_OK) != 0) {
        const char *slash = strrchr(argv0, '/');
        int dir = slash ? (int) (slash - argv0) : 1;
        snprintf(script, len, "%.*s/../tests/bench/peer_train_torch.py", dir,
                 slash ? argv0 : ".");
    }
}

/* Runs the peer; returns 0 and fills peer_s / peer_loss, or -1 when unavailable. */
static int run_peer(const char *script, const char *task, const char *model, const char *data,
                    long arg, char *peer_s, char *peer_loss, size_t len)
{
    if (access("/usr/bin/python3", X_OK) != 0 || access(script, R_OK) != 0)
        return -1;
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s' %s '%s' '%s' %ld", script, task, model,
             data, arg);
    FILE *p = popen(cmd, "r");
    if (p == NULL)
        return -1;
    char line[512] = "";
    if (fgets(line, sizeof line, p) == NULL)
        line[0] = '\0';
    int rc = pclose(p);
    char s[64], l[64];
    if (rc != 0 || sscanf(line, "peer_s=%63s peer_loss=%63s", s, l) != 2 || strcmp(s, "NA") == 0)
        return -1;
    snprintf(peer_s, len, "%s", s);
    snprintf(peer_loss, len, "%s", l);
    return 0;
}

static void make_net(nn_t net, const long *sizes, long L, unsigned long seed)
{
    nn_act_t act[8];
    for (long l = 0; l < L; l++)
        act[l] = l == L - 1 ? NN_IDENTITY : NN_RELU;
    nn_init(net, NN_F32, L, sizes, act, NULL, NULL);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    nn_init_params(net, NN_INIT_TORCH, r);
    gsl_rng_free(r);
    net->rec.lr = 1e-3;   /* the peer reads the rate from the record */
}

static void bench_toy(const char *script, const char *tmpdir)
{
    const long n = 2000, sizes[] = { 2, 64, 64, 1, 64, 64, 2 };
    long steps = 2000;
    const char *env = getenv("BENCH_TRAIN_TOY_STEPS");
    if (env != NULL && atol(env) > 0)
        steps = atol(env);
    double *X = malloc(sizeof(double) * (size_t) n * 2);
    synth_make(X, NULL, "diagonal-noisy", n, 2025);
    nn_t net;
    make_net(net, sizes, 6, 1);
    nn_trainopts o;
    nn_trainopts_default(&o);
    double loss;
    int th;
    double ours = train_best(net, &o, X, n, steps, &loss, &th);

    char model[512], data[512], err[256], ps[64], pl[64];
    snprintf(model, sizeof model, "%s/toy.aem", tmpdir);
    snprintf(data, sizeof data, "%s/toy.txt", tmpdir);
    FILE *f = fopen(data, "w");
    for (long i = 0; f != NULL && i < n; i++)
        fprintf(f, "%a %a\n", X[2 * i], X[2 * i + 1]);
    int ok = f != NULL && fclose(f) == 0 && nn_save(model, net, err, sizeof err) == AE_OK;
    if (ok && run_peer(script, "toy", model, data, steps, ps, pl, sizeof ps) == 0)
        printf("bench train-toy ours_s=%.3f peer=pytorch peer_s=%s ratio=%.2f ours_loss=%.6g "
               "peer_loss=%s\n", ours, ps, strtod(ps, NULL) / ours, loss, pl);
    else
        printf("bench train-toy ours_s=%.3f peer=NA peer_s=NA ratio=NA ours_loss=%.6g "
               "peer_loss=NA\n", ours, loss);
    fflush(stdout);
    remove(model);
    remove(data);
    nn_clear(net);
    free(X);
}

static void bench_fmnist(const char *script, const char *tmpdir)
{
    double *X;
    long *labels, n, d;
    char err[512];
    if (idx_load_split(&X, &labels, &n, &d, IDX_DEFAULT_DIR, "train", 0, err, sizeof err) != AE_OK) {
        printf("bench train-fmnist ours_s=NA peer=NA peer_s=NA ratio=NA ours_loss=NA "
               "peer_loss=NA gflops=NA sgemm_gflops=NA (%s)\n", err);
        return;
    }
    free(labels);
    const long sizes[] = { 784, 256, 32, 256, 784 }, L = 4, batch = 128;
    nn_t net;
    make_net(net, sizes, L, 2);
    nn_trainopts o;
    nn_trainopts_default(&o);
    o.batch = batch;
    o.seed = 3;
    double loss;
    int th;
    double ours = train_best(net, &o, X, n, 1, &loss, &th);
    /* forward 2 sum(in out), weight gradients 2 sum(in out), input deltas for layers > 0 */
    double per_row = 0;
    for (long l = 0; l < L; l++)
        per_row += (l > 0 ? 6.0 : 4.0) * (double) sizes[l] * (double) sizes[l + 1];
    double gflops = per_row * (double) n / ours / 1e9;
    double sg = sgemm_gflops(th);   /* the machine's BLAS with as many threads as ours used */

    char model[512], ps[64], pl[64];
    snprintf(model, sizeof model, "%s/fmnist.aem", tmpdir);
    int ok = nn_save(model, net, err, sizeof err) == AE_OK;
    if (ok && run_peer(script, "fmnist", model, IDX_DEFAULT_DIR, batch, ps, pl, sizeof ps) == 0)
        printf("bench train-fmnist ours_s=%.3f peer=pytorch peer_s=%s ratio=%.2f "
               "ours_loss=%.6g peer_loss=%s gflops=%.1f sgemm_gflops=%.1f\n", ours, ps,
               strtod(ps, NULL) / ours, loss, pl, gflops, sg);
    else
        printf("bench train-fmnist ours_s=%.3f peer=NA peer_s=NA ratio=NA ours_loss=%.6g "
               "peer_loss=NA gflops=%.1f sgemm_gflops=%.1f\n", ours, loss, gflops, sg);
    fflush(stdout);
    remove(model);
    nn_clear(net);
    free(X);
}

int main(int argc, char **argv)
{
    (void) argc;
    Dl_info info;
    if (dladdr((void *) cblas_sgemm, &info) != 0 && info.dli_fname != NULL
        && strstr(info.dli_fname, "openblas") == NULL)
        fprintf(stderr, "bench_train: warning: cblas_sgemm comes from %s, not OpenBLAS "
                "(link order): timings are not representative\n", info.dli_fname);
    char script[2048], tmpdir[] = "/tmp/bench_train_XXXXXX";
    find_script(script, sizeof script, argv[0]);
    if (mkdtemp(tmpdir) == NULL) {
        fprintf(stderr, "bench_train: cannot create a temporary directory\n");
        return 1;
    }
    bench_toy(script, tmpdir);
    bench_fmnist(script, tmpdir);
    rmdir(tmpdir);
    return 0;
}
