/* testutil — shared helpers for the CUnit suites.
 *
 * Seeds: every random test draws from tu_seed(), which is AEAUDIT_SEED from the
 * environment when set, otherwise the suite's fixed default; tu_run() prints it when a
 * test fails, so a failure can be replayed with AEAUDIT_SEED=<seed>.
 *
 * Misuse: TU_EXPECT_ERROR(stmt) runs stmt with an error handler that longjmps back, and
 * asserts that the library reported misuse (ae_error) while running it.
 */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <setjmp.h>
#include <gmp.h>
#include <gsl/gsl_rng.h>
#include <CUnit/CUnit.h>

#include "nn.h"

#include "aeerr.h"

unsigned long tu_seed(void);

/* A mt19937 generator seeded with tu_seed() (free with gsl_rng_free). */
gsl_rng *tu_rng(void);
/* q = num/den with num uniform in [-M, M] and den in [1, D], canonical. */
void tu_rand_q(mpq_t q, gsl_rng *rng, long M, unsigned long D);
/* z = a random integer of about `bits` bits with a random sign. */
void tu_rand_z_big(mpz_t z, gsl_rng *rng, int bits);
/* q = a random rational with ~bits-bit numerator and denominator, canonical. */
void tu_rand_q_big(mpq_t q, gsl_rng *rng, int bits);

/* Registers one suite with the given tests (NULL-terminated arrays), runs it with the
 * basic interface, prints the seed on failure; returns the process exit code. */
typedef struct { const char *name; CU_TestFunc fn; } tu_test;
int tu_run(const char *suite, unsigned long default_seed, const tu_test *tests);

/* Removes the directory tree `dir` (a test's mkdtemp folder); 0 on success.  An empty
 * name is a no-op. */
int tu_rmtree(const char *dir);

/* The whole file at path, NUL-terminated (malloc'd; *len = its size when len != NULL),
 * or NULL when it cannot be read. */
char *tu_slurp(const char *path, long *len);

/* net = a random network (nn_init + PyTorch's init from r) with L <= 8 layers of the given
 * sizes and activations, biases when bias != 0, each leaky-ReLU slope drawn from
 * [0.05, 0.55); asserts (fatally) that both steps succeed. */
void tu_rand_net(nn_t net, gsl_rng *r, int prec, long L, const long *sizes,
                 const nn_act_t *act, int bias);
/* Trains net in place on the n rows of X: Adam (the engine's defaults) with learning rate
 * lr, batch size batch, for epochs epochs; asserts that every step succeeds. */
void tu_train(nn_t net, const double *X, long n, double lr, long batch, int epochs);
/* net = a float32 relu AE [2,16,1,16,2] (PyTorch init from r) trained 30 epochs (Adam,
 * lr 0.01, batch 20) on 200 points of the line x2 = x1/2 + 1/10 drawn from r: the small
 * trained 2-D network the cone and far-field suites share.  nn_clear it. */
void tu_line_ae(nn_t net, gsl_rng *r);

/* dir = the folder of the running test executable (from /proc/self/exe), so that a suite
 * runs the aeaudit built beside it (bin/ or bin-san/); 0 on success, -1 otherwise. */
int tu_exe_dir(char *dir, size_t n);

extern jmp_buf tu_jmp;
extern int tu_trap_armed;
void tu_trap_handler(const char *func, const char *reason);

#define TU_EXPECT_ERROR(stmt) do {                                              \
        ae_error_handler_t tu_old_ = ae_set_error_handler(tu_trap_handler);     \
        volatile int tu_caught_ = 0;                                                   \
        tu_trap_armed = 1;                                                      \
        if (setjmp(tu_jmp) == 0) { stmt; } else { tu_caught_ = 1; }             \
        tu_trap_armed = 0;                                                      \
        ae_set_error_handler(tu_old_);                                          \
        CU_ASSERT_TRUE_FATAL(tu_caught_);                                       \
    } while (0)

#endif
