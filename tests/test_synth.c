/* test_synth — the synthetic data sets: shape, exactness of the coordinates, the defining
 * identities (x2 = x1 on the diagonal, x3 = (x1 + x2)/2 on the plane), determinism. */
#include "synth.h"
#include "testutil.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int on_grid(double v)
{
    /* a multiple of 2^-21 of magnitude < 8 is exactly a float */
    return fabs(v) < 8 && (double) (float) v == v && v * 2097152.0 == round(v * 2097152.0);
}

static void test_shapes_and_grid(void)
{
    for (int k = 0; synth_name(k) != NULL; k++) {
        const char *name = synth_name(k);
        long d = synth_dim(name);
        CU_ASSERT(d == (strcmp(name, "plane3d") == 0 ? 3 : 2));
        double X[SYNTH_N * 3];
        long lab[SYNTH_N];
        CU_ASSERT_EQUAL_FATAL(synth_make(X, lab, name, SYNTH_N, tu_seed()), AE_OK);
        for (long i = 0; i < SYNTH_N * d; i++)
            CU_ASSERT(on_grid(X[i]));
        long ones = 0;
        for (long i = 0; i < SYNTH_N; i++)
            ones += lab[i];
        CU_ASSERT_EQUAL(ones, strcmp(name, "two-clusters") == 0 ? SYNTH_N / 2 : 0);
    }
    CU_ASSERT_EQUAL(synth_dim("nope"), 0);
    CU_ASSERT_PTR_NULL(synth_name(5));
}

static void test_identities(void)
{
    double X[SYNTH_N * 3];
    synth_make(X, NULL, "diagonal", SYNTH_N, tu_seed());
    for (long i = 0; i < SYNTH_N; i++)
        CU_ASSERT(X[2 * i] == X[2 * i + 1] && X[2 * i] >= 0 && X[2 * i] <= 1);
    synth_make(X, NULL, "plane3d", SYNTH_N, tu_seed());
    for (long i = 0; i < SYNTH_N; i++)
        CU_ASSERT(X[3 * i + 2] * 2 == X[3 * i] + X[3 * i + 1]);
    /* noisy diagonal: off the line, but close to it (|x2 - x1| <= 10 sd sqrt 2) */
    synth_make(X, NULL, "diagonal-noisy", SYNTH_N, tu_seed());
    long off = 0;
    for (long i = 0; i < SYNTH_N; i++) {
        off += X[2 * i] != X[2 * i + 1];
        CU_ASSERT(fabs(X[2 * i] - X[2 * i + 1]) < 0.71);
    }
    CU_ASSERT(off > SYNTH_N / 2);
    /* ring: radii near 1; clusters: means near their centres (sd of a mean of 50: 0.007) */
    synth_make(X, NULL, "ring", SYNTH_N, tu_seed());
    for (long i = 0; i < SYNTH_N; i++) {
        double r = hypot(X[2 * i], X[2 * i + 1]);
        CU_ASSERT(r > 0.5 && r < 1.5);
    }
    long lab[SYNTH_N];
    synth_make(X, lab, "two-clusters", SYNTH_N, tu_seed());
    double m[2][2] = { { 0, 0 }, { 0, 0 } };
    for (long i = 0; i < SYNTH_N; i++)
        for (int j = 0; j < 2; j++)
            m[lab[i]][j] += X[2 * i + j] / (SYNTH_N / 2);
    for (int j = 0; j < 2; j++) {
        CU_ASSERT(fabs(m[0][j] - 0.25) < 0.05);
        CU_ASSERT(fabs(m[1][j] - 0.75) < 0.05);
    }
}

static void test_determinism_and_sizes(void)
{
    double A[300], B[300];
    for (int k = 0; synth_name(k) != NULL; k++) {
        synth_make(A, NULL, synth_name(k), SYNTH_N, 42);
        synth_make(B, NULL, synth_name(k), SYNTH_N, 42);
        long d = synth_dim(synth_name(k));
        CU_ASSERT(memcmp(A, B, (size_t) (SYNTH_N * d) * sizeof(double)) == 0);
        synth_make(B, NULL, synth_name(k), SYNTH_N, 43);
        CU_ASSERT(memcmp(A, B, (size_t) (SYNTH_N * d) * sizeof(double)) != 0);
        /* a prefix: the first point does not depend on n */
        CU_ASSERT_EQUAL(synth_make(B, NULL, synth_name(k), 1, 42), AE_OK);
        if (k != 2)   /* two-clusters puts a 1-point set in cluster 1 */
            CU_ASSERT(memcmp(A, B, (size_t) d * sizeof(double)) == 0);
        CU_ASSERT_EQUAL(synth_make(NULL, NULL, synth_name(k), 0, 42), AE_OK);
    }
}

static void expect_misuse(const char *name, long n)
{
    double X[4];
    TU_EXPECT_ERROR(synth_make(X, NULL, name, n, 1));
}

static void test_bad_input(void)
{
    expect_misuse("circle", 2);
    expect_misuse(NULL, 2);
    expect_misuse("ring", -1);
}

/* synth_gaussian against GSL's gsl_ran_gaussian (the same polar method with glibc's log):
 * the same generator state after every draw, values within 4 ulps (log differs by < 1 ulp,
 * amplified by sqrt and the products); and a fixed seed gives fixed bits. */
static void test_gaussian(void)
{
    gsl_rng *a = tu_rng(), *b = tu_rng();
    double worst = 0;
    for (int i = 0; i < 20000; i++) {
        double s = 0.5 + (i % 7);
        double x = synth_gaussian(a, s), y = gsl_ran_gaussian(b, s);
        CU_ASSERT_EQUAL(gsl_rng_get(a), gsl_rng_get(b));
        double e = fabs(x - y) / (nextafter(fabs(y), INFINITY) - fabs(y));
        if (e > worst)
            worst = e;
    }
    CU_ASSERT(worst <= 4);
    gsl_rng_free(a);
    gsl_rng_free(b);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 7);
    double s = 0;
    for (int i = 0; i < 1000; i++)
        s += synth_gaussian(r, 1.0);
    CU_ASSERT(s == -0x1.54abdae550831p+3);   /* this sum on every machine (GSL 2.7 mt19937) */
    gsl_rng_free(r);
}

int main(void)
{
    static const tu_test T[] = {
        { "shapes, labels, coordinates exact in float32", test_shapes_and_grid },
        { "defining identities", test_identities },
        { "determinism and sizes 0, 1", test_determinism_and_sizes },
        { "bad input", test_bad_input },
        { "synth_gaussian against gsl_ran_gaussian, fixed bits", test_gaussian },
        { NULL, NULL }
    };
    return tu_run("synth", 4242UL, T);
}
