/* testutil — see testutil.h. */
#include "testutil.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <stdlib.h>
#include <CUnit/Basic.h>

jmp_buf tu_jmp;
int tu_trap_armed = 0;
static unsigned long the_seed;

unsigned long tu_seed(void)
{
    return the_seed;
}

int tu_rmtree(const char *dir)
{
    if (dir == NULL || dir[0] == '\0')
        return 0;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf -- '%s'", dir);
    return system(cmd);
}

gsl_rng *tu_rng(void)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (r == NULL)
        abort();
    gsl_rng_set(r, tu_seed());
    return r;
}

void tu_rand_q(mpq_t q, gsl_rng *rng, long M, unsigned long D)
{
    long num = (long) gsl_rng_uniform_int(rng, (unsigned long) (2 * M + 1)) - M;
    unsigned long den = 1 + gsl_rng_uniform_int(rng, D);
    mpq_set_si(q, num, den);
    mpq_canonicalize(q);
}

void tu_rand_z_big(mpz_t z, gsl_rng *rng, int bits)
{
    mpz_set_ui(z, 0);
    for (int b = 0; b < bits; b += 16) {
        mpz_mul_2exp(z, z, 16);
        mpz_add_ui(z, z, gsl_rng_uniform_int(rng, 65536));
    }
    if (gsl_rng_uniform_int(rng, 2))
        mpz_neg(z, z);
}

void tu_rand_q_big(mpq_t q, gsl_rng *rng, int bits)
{
    tu_rand_z_big(mpq_numref(q), rng, bits);
    do
        tu_rand_z_big(mpq_denref(q), rng, bits);
    while (mpz_sgn(mpq_denref(q)) == 0);
    mpz_abs(mpq_denref(q), mpq_denref(q));
    mpq_canonicalize(q);
}

void tu_trap_handler(const char *func, const char *reason)
{
    (void) func; (void) reason;
    if (tu_trap_armed)
        longjmp(tu_jmp, 1);
    abort();
}

int tu_run(const char *suite, unsigned long default_seed, const tu_test *tests)
{
    const char *env = getenv("AEAUDIT_SEED");
    the_seed = env && *env ? strtoul(env, NULL, 10) : default_seed;
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    CU_pSuite s = CU_add_suite(suite, NULL, NULL);
    if (s == NULL) { CU_cleanup_registry(); return 2; }
    for (const tu_test *t = tests; t->name != NULL; t++)
        if (CU_add_test(s, t->name, t->fn) == NULL) { CU_cleanup_registry(); return 2; }
    CU_basic_set_mode(CU_BRM_NORMAL);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    if (failed)
        fprintf(stderr, "%s: FAILED (seed %lu; replay with AEAUDIT_SEED=%lu)\n",
                suite, the_seed, the_seed);
    CU_cleanup_registry();
    return failed ? 1 : 0;
}

char *tu_slurp(const char *path, long *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 4096, n = 0, k;
    char *b = malloc(cap + 1);
    while (b != NULL && (k = fread(b + n, 1, cap - n, f)) > 0) {
        n += k;
        if (n == cap) {
            char *nb = realloc(b, 2 * cap + 1);
            if (nb == NULL) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (b != NULL)
        b[n] = '\0';
    if (len)
        *len = (long) n;
    return b;
}

int tu_exe_dir(char *dir, size_t n)
{
    ssize_t k = readlink("/proc/self/exe", dir, n - 1);
    if (k <= 0)
        return -1;
    dir[k] = '\0';
    char *slash = strrchr(dir, '/');
    if (slash == NULL)
        return -1;
    *slash = '\0';
    return 0;
}

void tu_rand_net(nn_t net, gsl_rng *r, int prec, long L, const long *sizes,
                 const nn_act_t *act, int bias)
{
    int b[8];
    double ap[8];
    CU_ASSERT_FATAL(L >= 1 && L <= 8);
    for (long l = 0; l < L; l++) {
        b[l] = bias != 0;
        ap[l] = act[l] == NN_LEAKY_RELU ? 0.05 + 0.5 * gsl_rng_uniform(r) : 0;
    }
    CU_ASSERT_EQUAL_FATAL(nn_init(net, prec, L, sizes, act, ap, b), AE_OK);
    CU_ASSERT_EQUAL_FATAL(nn_init_params(net, NN_INIT_TORCH, r), AE_OK);
}

void tu_train(nn_t net, const double *X, long n, double lr, long batch, int epochs)
{
    nn_trainopts o;
    nn_trainopts_default(&o);
    o.lr = lr;
    o.batch = batch;
    nn_trainer_t T;
    CU_ASSERT_EQUAL_FATAL(nn_trainer_init(T, net, &o, X, n), AE_OK);
    double loss;
    for (int ep = 0; ep < epochs; ep++)
        CU_ASSERT_EQUAL(nn_trainer_epoch(&loss, T), AE_OK);
    nn_trainer_clear(T);
}

void tu_line_ae(nn_t net, gsl_rng *r)
{
    static const long sizes[] = { 2, 16, 1, 16, 2 };
    nn_act_t act[4] = { NN_RELU, NN_RELU, NN_RELU, NN_IDENTITY };
    CU_ASSERT_EQUAL_FATAL(nn_init(net, NN_F32, 4, sizes, act, NULL, NULL), AE_OK);
    CU_ASSERT_EQUAL_FATAL(nn_init_params(net, NN_INIT_TORCH, r), AE_OK);
    double X[400];
    for (int i = 0; i < 200; i++) {
        double t = gsl_rng_uniform(r);
        X[2 * i] = t;
        X[2 * i + 1] = 0.5 * t + 0.1;
    }
    tu_train(net, X, 200, 0.01, 20, 30);
}
