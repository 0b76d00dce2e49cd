/* bench_ray — exact ray analysis of a random He-initialised [784,256,32,256,784] ReLU AE
 * with float32 weights (issue #8's size): the direct final piece (one propagation of the
 * asymptotic forms) per ray, and the full breakpoint enumeration (one propagation per
 * piece), reported per breakpoint.  No peer: nothing else computes these exactly. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <gmp.h>
#include <gsl/gsl_rng.h>

#include "aeerr.h"
#include "qmat.h"
#include "nn.h"
#include "qnet.h"
#include "ray.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double) t.tv_sec + 1e-9 * (double) t.tv_nsec;
}

#define NRAYS 5
/* pieces enumerated at most (BENCH_RAY_MAXPIECES overrides; <= 0: all) */
#define MAXPIECES 40

int main(void)
{
    static const long sizes[] = { 784, 256, 32, 256, 784 };
    nn_act_t act[4] = { NN_RELU, NN_RELU, NN_RELU, NN_IDENTITY };
    nn_t net;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 784);
    if (nn_init(net, NN_F32, 4, sizes, act, NULL, NULL) != AE_OK
        || nn_init_params(net, NN_INIT_HE, r) != AE_OK) {
        fprintf(stderr, "bench_ray: cannot set up the network\n");
        return 1;
    }
    qnet_t q;
    if (qnet_init_nn(q, net) != AE_OK) {
        fprintf(stderr, "bench_ray: qnet_init_nn failed\n");
        return 1;
    }
    long d = 784;
    mpq_t *x0 = qvec_init(d), *v = qvec_init(d);
    ray_final_t F;
    ray_final_init(F, q);
    double tf = 0;
    for (int k = 0; k < NRAYS; k++) {
        /* pixel-like x0 = j/255 in [0, 1]; direction with entries j/256 - 1/2 */
        for (long i = 0; i < d; i++) {
            mpq_set_ui(x0[i], gsl_rng_uniform_int(r, 256), 255);
            mpq_canonicalize(x0[i]);
            mpq_set_si(v[i], (long) gsl_rng_uniform_int(r, 257) - 128, 256);
            mpq_canonicalize(v[i]);
        }
        double t0 = now();
        if (ray_final(F, q, x0, v, d) != AE_OK) {
            fprintf(stderr, "bench_ray: ray_final failed\n");
            return 1;
        }
        tf += now() - t0;
    }
    tf /= NRAYS;
    ray_pieces_t P;
    ray_pieces_init(P, q);
    double t0 = now();
    const char *mp = getenv("BENCH_RAY_MAXPIECES");
    int rc = ray_pieces(P, q, x0, v, d, mp ? atol(mp) : MAXPIECES);
    double tp = now() - t0;
    int complete = rc == AE_OK;
    if (rc != AE_OK && rc != AE_ERANGE) {
        fprintf(stderr, "bench_ray: ray_pieces failed\n");
        return 1;
    }
    printf("bench ray-784 ours_s=%.4f peer=none peer_s=NA ratio=NA final_ms=%.1f "
           "pieces=%ld%s enum_s=%.3f per_piece_ms=%.1f T_bits=%zu T_is_last=%s\n",
           tf, 1e3 * tf, P->n, complete ? "" : "(capped)", tp, 1e3 * tp / (double) P->n,
           mpz_sizeinbase(mpq_denref(F->T), 2),
           !complete ? "NA" : mpq_equal(F->T, P->t[P->n - 1]) ? "yes" : "NO");
    ray_pieces_clear(P);
    ray_final_clear(F);
    qvec_clear(x0, d);
    qvec_clear(v, d);
    qnet_clear(q);
    nn_clear(net);
    gsl_rng_free(r);
    return 0;
}
