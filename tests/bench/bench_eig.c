/* bench_eig — reig_sym on a 64 x 64 random symmetric positive definite matrix at 256 bits
 * against mpmath.eigsy (tests/bench/peer_eig_mpmath.py) on the identical matrix, which is
 * handed over as exact fractions in a temporary file.  Prints one line:
 *   bench eig-64-256 ours_s=S peer=mpmath-eigsy peer_s=S ratio=R ours_resid=X peer_resid=Y
 * (peer=NA ratio=NA peer_s=NA peer_resid=NA when /usr/bin/python3 or mpmath is missing).
 * ours_s is the best of REPS runs of reig_sym (including its certification); peer_s times
 * only the eigsy call.  ours_resid is max_i of reig's rigorous bound on
 * ||A v_i - l_i v_i|| / ||v_i||; the peer's residual is evaluated by the script at 4x the
 * precision. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <gmp.h>
#include <mpfr.h>

#include "aeerr.h"
#include "reig.h"
#include "rmat.h"

#define N 64
#define PREC 256
#define SEED 20240611UL
#define REPS 3          /* ours_s is the best of REPS runs (a ~0.1 s run is easily
                         * disturbed by scheduling; the peer's ~10 s run averages that out) */

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double) t.tv_sec + 1e-9 * (double) t.tv_nsec;
}

/* A = B^T B / n + I with B uniform in [-1, 1) at PREC bits: SPD, eigenvalues in about
 * [1, 5], exactly symmetric because rmat_gram rounds each symmetric pair once. */
static void make_matrix(rmat_t A)
{
    gmp_randstate_t rs;
    gmp_randinit_mt(rs);
    gmp_randseed_ui(rs, SEED);
    rmat_t B;
    rmat_init(B, N, N, PREC);
    for (long k = 0; k < N * N; k++) {
        mpfr_urandomb(B->entries[k], rs);
        mpfr_mul_2ui(B->entries[k], B->entries[k], 1, MPFR_RNDN);
        mpfr_sub_ui(B->entries[k], B->entries[k], 1, MPFR_RNDN);
    }
    rmat_gram(A, B, MPFR_RNDN);
    for (long k = 0; k < N * N; k++)
        mpfr_div_ui(A->entries[k], A->entries[k], N, MPFR_RNDN);   /* exact: N = 2^6 */
    for (long i = 0; i < N; i++)
        mpfr_add_ui(rmat_entry(A, i, i), rmat_entry(A, i, i), 1, MPFR_RNDN);
    rmat_clear(B);
    gmp_randclear(rs);
}

static int write_matrix(const char *path, const rmat_t A)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    mpq_t q;
    mpq_init(q);
    fprintf(f, "%ld\n", A->r);
    for (long k = 0; k < A->r * A->c; k++) {
        mpfr_get_q(q, A->entries[k]);
        mpq_out_str(f, 10, q);
        fputc('\n', f);
    }
    mpq_clear(q);
    return fclose(f) == 0 ? 0 : -1;
}

/* Runs the peer; fills peer_s and peer_resid (strings) and returns 0, or -1 if the peer
 * is unavailable. */
static int run_peer(const char *script, const char *matfile, char *peer_s, char *peer_resid,
                    size_t len)
{
    if (access("/usr/bin/python3", X_OK) != 0 || access(script, R_OK) != 0)
        return -1;
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s' '%s' %d", script, matfile, PREC);
    FILE *p = popen(cmd, "r");
    if (p == NULL)
        return -1;
    char line[512] = "";
    if (fgets(line, sizeof line, p) == NULL)
        line[0] = '\0';
    int rc = pclose(p);
    char s[64], r[64];
    if (rc != 0 || sscanf(line, "peer_s=%63s resid=%63s", s, r) != 2)
        return -1;
    snprintf(peer_s, len, "%s", s);
    snprintf(peer_resid, len, "%s", r);
    return 0;
}

int main(int argc, char **argv)
{
    (void) argc;
    rmat_t A;
    rmat_init(A, N, N, PREC);
    make_matrix(A);

    char matfile[] = "/tmp/bench_eig_XXXXXX";
    int fd = mkstemp(matfile);
    if (fd < 0 || close(fd) != 0 || write_matrix(matfile, A) != 0) {
        fprintf(stderr, "bench_eig: cannot write %s\n", matfile);
        return 1;
    }

    reig_t E;
    reig_init(E, N, PREC);
    double ours = 0;
    for (int rep = 0; rep < REPS; rep++) {
        double t0 = now();
        int st = reig_sym(E, A);
        double t = now() - t0;
        if (st != AE_OK) {
            fprintf(stderr, "bench_eig: reig_sym: %s\n", ae_strstatus(st));
            remove(matfile);
            return 1;
        }
        if (rep == 0 || t < ours)
            ours = t;
    }
    mpfr_t worst;
    mpfr_init2(worst, 53);
    mpfr_set_zero(worst, 1);
    for (long i = 0; i < N; i++)
        mpfr_max(worst, worst, E->resid[i], MPFR_RNDU);

    /* the script sits beside this file's source; try the repository root first */
    char script[2048] = "tests/bench/peer_eig_mpmath.py";
    if (access(script, R_OK) != 0) {
        const char *slash = strrchr(argv[0], '/');
        int dir = slash ? (int) (slash - argv[0]) : 1;
        snprintf(script, sizeof script, "%.*s/../tests/bench/peer_eig_mpmath.py", dir,
                 slash ? argv[0] : ".");
    }
    char peer_s[64], peer_resid[64];
    if (run_peer(script, matfile, peer_s, peer_resid, sizeof peer_s) == 0) {
        double ps = strtod(peer_s, NULL);
        mpfr_printf("bench eig-%d-%d ours_s=%.3f peer=mpmath-eigsy peer_s=%s ratio=%.1f "
                    "ours_resid=%.3Re peer_resid=%s\n", N, PREC, ours, peer_s, ps / ours,
                    worst, peer_resid);
    } else {
        mpfr_printf("bench eig-%d-%d ours_s=%.3f peer=NA peer_s=NA ratio=NA ours_resid=%.3Re "
                    "peer_resid=NA\n", N, PREC, ours, worst);
    }
    remove(matfile);
    mpfr_clear(worst);
    reig_clear(E);
    rmat_clear(A);
    return 0;
}
