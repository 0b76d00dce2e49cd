/* test_kernident — the portable training engine trains the same model bytes whatever its
 * SIMD paths (issue #7).
 *
 * Second method: the same engine compiled without any SIMD path (bin/aeaudit-scalar: the
 * Makefile builds nn.c, pgemm.c and pmath.c with -DPGEMM_SCALAR -fno-tree-vectorize).
 * Each model below is trained by `aeaudit train` (default --kernels portable) under
 *   bin/aeaudit-scalar;
 *   bin/aeaudit with its best pgemm kernel, then forced to sse2 and avx2 (AEAUDIT_PGEMM,
 *   where the CPU has them);
 *   bin/aeaudit under OPENBLAS_CORETYPE=Prescott and Haswell (the portable path never
 *   loads OpenBLAS, so these must agree trivially: a guard against a stray BLAS call);
 * and every model file must equal the first one byte for byte (training record and
 * checksum included).  The models: ReLU [d,h,k,h,d] on the bundled wine and digits sets,
 * float32 and float64, mini-batch and full batch (rows mode and units mode), 1 and 2
 * threads, and GELU / tanh networks (pmath's erfc, exp, tanh).
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char self[4096], tmpdir[] = "/tmp/test_kernident_XXXXXX";

typedef struct {
    const char *name;
    const char *args[24];
} model_spec;

static const model_spec MODELS[] = {
    { "relu-f32-mini-t1", { "--data", "wine", "--arch", "13,16,4,16,13", "--epochs", "30",
                            "--batch", "32", "--seed", "1", NULL } },
    { "relu-f32-full-t2", { "--data", "wine", "--arch", "13,16,4,16,13", "--epochs", "30",
                            "--seed", "2", "--threads", "2", NULL } },
    { "relu-f64-mini-t2", { "--data", "wine", "--arch", "13,16,4,16,13", "--epochs", "20",
                            "--batch", "16", "--seed", "3", "--threads", "2",
                            "--precision", "double", NULL } },
    { "relu-f64-full-t1", { "--data", "wine", "--arch", "13,24,6,24,13", "--epochs", "40",
                            "--seed", "4", "--precision", "double", NULL } },
    { "gelu-f32-mini-t2", { "--data", "wine", "--arch", "13,32,8,32,13", "--epochs", "15",
                            "--batch", "32", "--seed", "5", "--threads", "2", "--act", "gelu",
                            NULL } },
    { "tanh-f64-full-t1", { "--data", "wine", "--arch", "13,16,2,16,13", "--epochs", "20",
                            "--seed", "6", "--precision", "double", "--act", "tanh", NULL } },
    { "relu-f32-digits-t2", { "--data", "digits", "--arch", "64,128,16,128,64", "--epochs",
                              "1", "--batch", "64", "--seed", "7", "--threads", "2", NULL } },
    { "relu-f64-digits-t1", { "--data", "digits", "--arch", "64,96,12,96,64", "--epochs",
                              "1", "--batch", "100", "--seed", "8", "--precision", "double",
                              NULL } },
};
#define NMODELS (int) (sizeof MODELS / sizeof MODELS[0])

typedef struct {
    const char *tag, *exe, *env, *val;   /* env=val set in the child (env NULL: none) */
} variant;

static const variant VARIANTS[] = {
    { "scalar", "aeaudit-scalar", NULL, NULL },
    { "simd", "aeaudit", NULL, NULL },
    { "sse2", "aeaudit", "AEAUDIT_PGEMM", "sse2" },
    { "avx2", "aeaudit", "AEAUDIT_PGEMM", "avx2" },
    { "prescott", "aeaudit", "OPENBLAS_CORETYPE", "Prescott" },
    { "haswell", "aeaudit", "OPENBLAS_CORETYPE", "Haswell" },
};
#define NVARIANTS (int) (sizeof VARIANTS / sizeof VARIANTS[0])

/* Runs `EXE train ARGS --out OUT` with env added; returns its exit status (-1: no run). */
static int train(const variant *v, const model_spec *m, const char *out)
{
    char exe[4200];
    snprintf(exe, sizeof exe, "%s/%s", self, v->exe);
    const char *argv[32];
    int a = 0;
    argv[a++] = exe;
    argv[a++] = "train";
    for (int i = 0; m->args[i] != NULL; i++)
        argv[a++] = m->args[i];
    argv[a++] = "--out";
    argv[a++] = out;
    argv[a] = NULL;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (v->env != NULL && setenv(v->env, v->val, 1) != 0)
            _exit(125);
        if (freopen("/dev/null", "w", stderr) == NULL || freopen("/dev/null", "w", stdout) == NULL)
            _exit(126);
        execv(exe, (char *const *) argv);
        _exit(127);
    }
    int st;
    if (waitpid(pid, &st, 0) != pid)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_identical(void)
{
    int compared = 0;
    for (int i = 0; i < NMODELS; i++) {
        char ref[8192] = "";
        long nref = 0;
        char *bref = NULL;
        for (int v = 0; v < NVARIANTS; v++) {
            char out[4200];
            snprintf(out, sizeof out, "%s/%s-%s.aem", tmpdir, MODELS[i].name, VARIANTS[v].tag);
            int rc = train(&VARIANTS[v], &MODELS[i], out);
            CU_ASSERT_EQUAL(rc, 0);
            if (rc != 0) {
                fprintf(stderr, "test_kernident: %s under %s: exit %d\n", MODELS[i].name,
                        VARIANTS[v].tag, rc);
                continue;
            }
            long len;
            char *b = tu_slurp(out, &len);
            CU_ASSERT_PTR_NOT_NULL_FATAL(b);
            CU_ASSERT_PTR_NOT_NULL(strstr(b, "\nrecord kernels portable\n"));
            if (bref == NULL) {
                bref = b;
                nref = len;
                snprintf(ref, sizeof ref, "%s", out);
                continue;
            }
            int same = len == nref && memcmp(b, bref, (size_t) len) == 0;
            CU_ASSERT(same);
            if (!same)
                fprintf(stderr, "test_kernident: %s differs from %s\n", out, ref);
            compared++;
            free(b);
        }
        free(bref);
    }
    CU_ASSERT_EQUAL(compared, NMODELS * (NVARIANTS - 1));
}

/* Negative control: the comparison above can see a difference.  OpenBLAS picks its
 * kernel, hence its summation order, by OPENBLAS_CORETYPE, so --kernels blas trains
 * different bytes under Prescott (SSE3) and Haswell (AVX2 + FMA) kernels.  Skipped (with a
 * note) when OpenBLAS is not installed. */
static void test_blas_differs(void)
{
    static const model_spec blas = {
        "blas-digits", { "--data", "digits", "--arch", "64,128,16,128,64", "--epochs", "1",
                         "--batch", "64", "--seed", "7", "--kernels", "blas", NULL } };
    static const variant v[2] = { { "prescott", "aeaudit", "OPENBLAS_CORETYPE", "Prescott" },
                                  { "haswell", "aeaudit", "OPENBLAS_CORETYPE", "Haswell" } };
    char out[2][4200];
    char *b[2];
    long len[2];
    for (int i = 0; i < 2; i++) {
        snprintf(out[i], sizeof out[i], "%s/blas-%s.aem", tmpdir, v[i].tag);
        int rc = train(&v[i], &blas, out[i]);
        if (rc == 2) {
            fprintf(stderr, "test_kernident: OpenBLAS not loadable: negative control skipped\n");
            return;
        }
        CU_ASSERT_EQUAL_FATAL(rc, 0);
        b[i] = tu_slurp(out[i], &len[i]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(b[i]);
        CU_ASSERT_PTR_NOT_NULL(strstr(b[i], "\nrecord kernels blas\n"));
    }
    CU_ASSERT(len[0] != len[1] || memcmp(b[0], b[1], (size_t) len[0]) != 0);
    free(b[0]);
    free(b[1]);
}

static void cleanup_tmp(void)
{
    CU_ASSERT_EQUAL(tu_rmtree(tmpdir), 0);
}

int main(void)
{
    if (tu_exe_dir(self, sizeof self) != 0) {
        fprintf(stderr, "test_kernident: cannot find my folder\n");
        return 1;
    }
    for (int v = 0; v < 2; v++) {
        char exe[4200];
        snprintf(exe, sizeof exe, "%s/%s", self, VARIANTS[v].exe);
        if (access(exe, X_OK) != 0) {
            fprintf(stderr, "test_kernident: %s not built\n", exe);
            return 1;
        }
    }
    if (mkdtemp(tmpdir) == NULL) {
        fprintf(stderr, "test_kernident: cannot create %s\n", tmpdir);
        return 1;
    }
    static const tu_test T[] = {
        { "scalar = SIMD = sse2 = avx2 = any OPENBLAS_CORETYPE, byte for byte",
          test_identical },
        { "negative control: --kernels blas differs between OpenBLAS kernels",
          test_blas_differs },
        { "cleanup", cleanup_tmp },
        { NULL, NULL }
    };
    return tu_run("kernident", 20261202UL, T);
}
