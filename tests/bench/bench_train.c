/* bench_train — the float training engine, both kernel paths, against PyTorch (issues
 * "Float training engine" and #7).
 *
 *   bench train-toy    2000 2-D points (diagonal-noisy), [2,64,64,1,64,64,2] ReLU with a
 *                      linear output, full batch, Adam lr 1e-3, 2000 steps, float32
 *   bench train-fmnist Fashion-MNIST's 60,000 training images scaled to [0,1],
 *                      [784,256,32,256,784] ReLU (linear output), Adam lr 1e-3, batch 128,
 *                      one epoch, float32; also the achieved GFLOP/s and, measured in this
 *                      run, OpenBLAS's sgemm GFLOP/s (1024^3, same thread count) and
 *                      pgemm_s's (1024^3, one thread)
 *
 * Each task prints one line per kernel path (kernels=portable: pgemm, the default and the
 * reproducible one; kernels=blas: OpenBLAS loaded at run time) with ratio = peer_s /
 * ours_s, then a line "bench train-TASK portable_over_blas=R" (R = blas_s / portable_s:
 * 1 means as fast; the target on train-fmnist is >= 0.8).  Both sides start from the same
 * initial weights (aeaudit's model file, read by the peer script), train the same data
 * with the same optimizer and number of steps, and each reports its best time over 1 and
 * 2 threads, BENCH_REPS runs each (aeaudit: nn_trainopts.threads, OpenBLAS single-threaded
 * inside them; PyTorch: torch.set_num_threads).  Losses: toy, the last step's; fmnist, the
 * epoch's mean (shuffling orders differ, so the fmnist losses agree only roughly).
 * Environment: BENCH_TRAIN_TOY_STEPS overrides 2000 (quick runs).
 */
#include "aeerr.h"
#include "idx.h"
#include "nn.h"
#include "oblas.h"
#include "pgemm.h"
#include "synth.h"

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

/* Trains a copy of net0 for `epochs` epochs with o's kernels; returns seconds (best over 1
 * and 2 training threads, reps runs each), the loss of the best run's last epoch and its
 * thread count. */
static double train_best(const nn_t net0, const nn_trainopts *o, const double *X, long n,
                         long epochs, int reps, double *loss, int *best_threads)
{
    double best = INFINITY;
    for (int run = 0; run < 2 * reps; run++) {
        int th = 1 + run % 2;
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

/* GFLOP/s of one 1024^3 product, best of 4: OpenBLAS's sgemm with `threads` threads
 * (blas != NULL), else pgemm_s. */
static double gemm_gflops(const oblas_api *blas, int threads)
{
    const int N = 1024;
    float *A = malloc(sizeof(float) * N * N), *B = malloc(sizeof(float) * N * N),
          *C = malloc(sizeof(float) * N * N);
    if (A == NULL || B == NULL || C == NULL) {
        free(A); free(B); free(C);
        return NAN;
    }
    for (long i = 0; i < (long) N * N; i++) {
        A[i] = (float) ((i % 17) - 8) / 8;
        B[i] = (float) ((i % 13) - 6) / 6;
    }
    if (blas != NULL && blas->set_num_threads != NULL)
        blas->set_num_threads(threads);
    double best = INFINITY;
    for (int rep = 0; rep < 4; rep++) {
        double t0 = now();
        if (blas != NULL)
            blas->sgemm(OBLAS_ROW_MAJOR, OBLAS_NO_TRANS, OBLAS_NO_TRANS, N, N, N, 1, A, N, B,
                        N, 0, C, N);
        else
            pgemm_s(0, 0, N, N, N, 1, A, N, B, N, 0, C, N);
        double t = now() - t0;
        if (t < best)
            best = t;
    }
    if (blas != NULL && blas->set_num_threads != NULL)
        blas->set_num_threads(1);
    free(A); free(B); free(C);
    return 2.0 * N * N * N / best / 1e9;
}

/* Times both kernel paths on net0, alternating them (one round of 1 and 2 threads each,
 * bench_reps() rounds) so that a change of the machine's load hits both alike; t[0],
 * loss[0], th[0] portable; t[1].. blas (t[1] = NAN when OpenBLAS is not installed). */
static void train_both(const nn_t net0, nn_trainopts *o, const double *X, long n, long epochs,
                       double t[2], double loss[2], int th[2])
{
    const int have_blas = oblas_load() != NULL;
    if (!have_blas)
        fprintf(stderr, "bench_train: no blas path: %s\n", oblas_error());
    t[0] = t[1] = INFINITY;
    loss[0] = loss[1] = NAN;
    th[0] = th[1] = 1;
    for (int r = 0; r < bench_reps(); r++)
        for (int k = 0; k < 1 + have_blas; k++) {
            double l;
            int h;
            o->kernels = k == 0 ? NN_KERNELS_PORTABLE : NN_KERNELS_BLAS;
            double s = train_best(net0, o, X, n, epochs, 1, &l, &h);
            if (s < t[k]) {
                t[k] = s;
                loss[k] = l;
                th[k] = h;
            }
        }
    if (!have_blas)
        t[1] = NAN;
}

/* "%.3f" of v, or "NA". */
static const char *fmt_num(char *buf, size_t len, const char *fmt, double v)
{
    if (isfinite(v))
        snprintf(buf, len, fmt, v);
    else
        snprintf(buf, len, "NA");
    return buf;
}

/* The two lines of a task (one per kernel path) and the portable/blas ratio; extra[i] is
 * appended to line i. */
static void print_task(const char *task, const double t[2], const double loss[2], int peer_ok,
                       const char *ps, const char *pl, const char *const extra[2])
{
    static const char *const kname[2] = { "portable", "blas" };
    char a[64], b[64], c[64];
    for (int i = 0; i < 2; i++)
        printf("bench %s kernels=%s ours_s=%s peer=%s peer_s=%s ratio=%s ours_loss=%s "
               "peer_loss=%s%s\n", task, kname[i], fmt_num(a, sizeof a, "%.3f", t[i]),
               peer_ok ? "pytorch" : "NA", peer_ok ? ps : "NA",
               fmt_num(b, sizeof b, "%.2f", peer_ok ? strtod(ps, NULL) / t[i] : NAN),
               fmt_num(c, sizeof c, "%.6g", loss[i]), peer_ok ? pl : "NA", extra[i]);
    printf("bench %s portable_over_blas=%s\n", task,
           fmt_num(a, sizeof a, "%.2f", t[1] / t[0]));
    fflush(stdout);
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
    double t[2], loss[2];
    int th[2];
    train_both(net, &o, X, n, steps, t, loss, th);

    char model[512], data[512], err[256], ps[64], pl[64];
    snprintf(model, sizeof model, "%s/toy.aem", tmpdir);
    snprintf(data, sizeof data, "%s/toy.txt", tmpdir);
    FILE *f = fopen(data, "w");
    for (long i = 0; f != NULL && i < n; i++)
        fprintf(f, "%a %a\n", X[2 * i], X[2 * i + 1]);
    int ok = f != NULL && fclose(f) == 0 && nn_save(model, net, err, sizeof err) == AE_OK;
    ok = ok && run_peer(script, "toy", model, data, steps, ps, pl, sizeof ps) == 0;
    static const char *const none[2] = { "", "" };
    print_task("train-toy", t, loss, ok, ps, pl, none);
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
    double t[2], loss[2];
    int th[2];
    train_both(net, &o, X, n, 1, t, loss, th);
    /* forward 2 sum(in out), weight gradients 2 sum(in out), input deltas for layers > 0 */
    double per_row = 0;
    for (long l = 0; l < L; l++)
        per_row += (l > 0 ? 6.0 : 4.0) * (double) sizes[l] * (double) sizes[l + 1];
    const oblas_api *blas = oblas_load();
    /* the machine's OpenBLAS with as many threads as the portable run used */
    double sg = blas != NULL ? gemm_gflops(blas, th[0]) : NAN, pg = gemm_gflops(NULL, 1);
    char e0[256], e1[128], g0[32], g1[32], g2[32], g3[32];
    snprintf(e0, sizeof e0, " gflops=%s threads=%d sgemm_gflops=%s pgemm_gflops=%s pgemm=%s",
             fmt_num(g0, sizeof g0, "%.1f", per_row * (double) n / t[0] / 1e9), th[0],
             fmt_num(g1, sizeof g1, "%.1f", sg), fmt_num(g2, sizeof g2, "%.1f", pg),
             pgemm_kernel_name());
    snprintf(e1, sizeof e1, " gflops=%s threads=%d",
             fmt_num(g3, sizeof g3, "%.1f", per_row * (double) n / t[1] / 1e9), th[1]);
    const char *const extra[2] = { e0, e1 };

    char model[512], ps[64], pl[64];
    snprintf(model, sizeof model, "%s/fmnist.aem", tmpdir);
    int ok = nn_save(model, net, err, sizeof err) == AE_OK
             && run_peer(script, "fmnist", model, IDX_DEFAULT_DIR, batch, ps, pl, sizeof ps) == 0;
    print_task("train-fmnist", t, loss, ok, ps, pl, extra);
    remove(model);
    nn_clear(net);
    free(X);
}

int main(int argc, char **argv)
{
    (void) argc;
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
