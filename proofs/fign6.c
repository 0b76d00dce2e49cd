/* fign6 — see fign6.h. */
#include "fign6.h"

#include "aeerr.h"
#include "arbnet.h"
#include "nn.h"
#include "pcommon.h"
#include "qmat.h"
#include "scan.h"
#include "synth.h"
#include "twin.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FN6_GRID 120
#define FN6_PREC 64

static const char *const FN6_SETS[] = {"diagonal", "two-clusters"};
#define FN6_NSETS 2
static const long FN6_ARCH[5] = {2, 5, 1, 5, 2};

typedef struct {
    char name[64];
    const char *data;
    unsigned long seed;
    double loss, c[2], h;
    long n;
    double X[2 * SYNTH_N];
} fn6_case;

static int train(nn_t net, fn6_case *F)
{
    double m[2] = {0, 0}, var = 0;
    for (long i = 0; i < F->n; i++)
        for (int j = 0; j < 2; j++)
            m[j] += F->X[2 * i + j] / (double) F->n;
    for (long i = 0; i < F->n; i++)
        for (int j = 0; j < 2; j++)
            var += (F->X[2 * i + j] - m[j]) * (F->X[2 * i + j] - m[j]) / (2.0 * (double) F->n);
    unsigned long best = 1;
    double bl = INFINITY;
    for (unsigned long s = 1; s <= 20; s++) {
        nn_t t;
        if (prf_train_ae(t, F->X, F->n, 4, FN6_ARCH, NN_SOFTPLUS, 0, s, 2000, 1e-2, 16) != AE_OK)
            continue;
        double l = INFINITY;
        nn_loss_grad(&l, NULL, t, F->X, F->n);
        nn_clear(t);
        if (l < bl) {
            bl = l;
            best = s;
        }
        if (l < var / 2)
            break;
    }
    F->seed = best;
    F->loss = bl;
    return prf_train_ae(net, F->X, F->n, 4, FN6_ARCH, NN_SOFTPLUS, 0, best, 2000, 1e-2, 16);
}

/* The heat map: log10 of the Arb score midpoint at each grid point. */
static int write_grid(const char *path, const nn_t net, const fn6_case *F)
{
    arbnet_t A;
    if (arbnet_init_nn(A, net) != AE_OK)
        return AE_EIO;
    FILE *f = fopen(path, "w");
    arb_ptr x = _arb_vec_init(2);
    arb_t e;
    arb_init(e);
    int st = f ? AE_OK : AE_EIO;
    for (long i = 0; i < FN6_GRID && st == AE_OK; i++) {
        for (long j = 0; j < FN6_GRID && st == AE_OK; j++) {
            double p[2] = {F->c[0] - F->h + 2 * F->h * ((double) j + 0.5) / FN6_GRID,
                           F->c[1] - F->h + 2 * F->h * ((double) i + 0.5) / FN6_GRID};
            arb_set_d(x, p[0]);
            arb_set_d(x + 1, p[1]);
            st = arbnet_score(e, A, x, FN6_PREC);
            double v = arf_get_d(arb_midref(e), ARF_RND_NEAR);
            fprintf(f, "%.6g %.6g %.4f\n", p[0], p[1], log10(fmax(v, 1e-30)));
        }
        fputc('\n', f);
    }
    if (f != NULL && fclose(f) != 0)
        st = AE_EIO;
    arb_clear(e);
    _arb_vec_clear(x, 2);
    arbnet_clear(A);
    return st;
}

/* t > 0 where c + t v leaves the square |x - c| <= h (max norm). */
static double exit_t(const double *v, double h)
{
    double m = fmax(fabs(v[0]), fabs(v[1]));
    return m > 0 ? h / m : 0;
}

static int write_aux(const char *dir, const fn6_case *F, const twin_t W)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s_points.dat", dir, F->name);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return AE_EIO;
    for (long i = 0; i < F->n; i++)
        fprintf(f, "%.17g %.17g\n", F->X[2 * i], F->X[2 * i + 1]);
    if (fclose(f) != 0)
        return AE_EIO;
    snprintf(path, sizeof path, "%s/%s_ray.dat", dir, F->name);
    if ((f = fopen(path, "w")) == NULL)
        return AE_EIO;
    if (W->S->dir != NULL && mpq_sgn(W->S->gamma2_ub) >= 0) {
        double v[2] = {mpq_get_d(W->S->dir[0]), mpq_get_d(W->S->dir[1])};
        double t = exit_t(v, F->h);
        fprintf(f, "%.10g %.10g\n%.10g %.10g\n", F->c[0], F->c[1], F->c[0] + t * v[0],
                F->c[1] + t * v[1]);
    }
    return fclose(f) == 0 ? AE_OK : AE_EIO;
}

static const char *vname(int v)
{
    return v == SCAN_FAILS ? "FAILS" : v == SCAN_SAFE ? "SAFE-BEYOND" : "UNDECIDED";
}

/* A far point: a marker inside the square, else a labelled arrow towards it. */
static void mark(FILE *f, const fn6_case *F, const mpq_t *p, const char *what, int k)
{
    double ax = mpq_get_d(p[0]), ay = mpq_get_d(p[1]), v[2] = {ax - F->c[0], ay - F->c[1]};
    if (fabs(v[0]) <= F->h && fabs(v[1]) <= F->h) {
        fprintf(f, "set object %d circle at %.10g,%.10g size %.6g fs solid fc rgb '#ff00ff' "
                "front\n", 10 + k, ax, ay, F->h / 60);
        fprintf(f, "set label %d \"%s\" at %.10g,%.10g front noenhanced\n", 10 + k, what, ax, ay);
        return;
    }
    double t = exit_t(v, F->h);
    fprintf(f, "set arrow %d from %.10g,%.10g to %.10g,%.10g lw 3 lc rgb '#ff00ff' front\n",
            10 + k, F->c[0] + 0.6 * t * v[0], F->c[1] + 0.6 * t * v[1], F->c[0] + 0.92 * t * v[0],
            F->c[1] + 0.92 * t * v[1]);
    fprintf(f, "set label %d \"%s\\n(%.4g, %.4g)\" at %.10g,%.10g front center boxed "
            "noenhanced\n", 10 + k, what, ax, ay, F->c[0] + 0.5 * t * v[0],
            F->c[1] + 0.5 * t * v[1] + (k ? -0.1 : 0.1) * F->h);
}

static int write_script(const char *dir, const fn6_case *F, const twin_t W)
{
    char path[1200], b1[64], b2[64];
    snprintf(path, sizeof path, "%s/%s.gp", dir, F->name);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return AE_EIO;
    char *s1 = arb_get_str(W->smin, 4, ARB_STR_NO_RADIUS);
    snprintf(b1, sizeof b1, "%s", s1);
    flint_free(s1);
    fprintf(f, "# %s: generated by aeaudit figures; run from %s/\n", F->name, dir);
    fprintf(f, "set size square\nset xrange [%.10g:%.10g]\nset yrange [%.10g:%.10g]\n",
            F->c[0] - F->h, F->c[0] + F->h, F->c[1] - F->h, F->c[1] + F->h);
    fprintf(f, "set palette rgbformulae 33,13,10\nset cblabel 'log10 score (Arb midpoint)'\n");
    fprintf(f, "set style textbox opaque fc rgb 'white' border lc rgb 'black'\n");
    char rtxt[96] = "";
    if (W->have_R) {
        snprintf(rtxt, sizeof rtxt, ", R = %.4g", mpq_get_d(W->R));
        fprintf(f, "set object 1 circle at 0,0 size %.10g fs empty border lc rgb 'black' lw 2 "
                "dt 3 front\n", mpq_get_d(W->R));
    }
    fprintf(f, "set title \"%s: softplus 2-5-1-5-2 (seed %lu), loss %.2e, K = %.3g\\n"
            "smooth net: %s (s_min ~ %s%s); ReLU twin: %s\" noenhanced\n", F->data, F->seed,
            F->loss, mpq_get_d(W->K), vname(W->verdict), b1, rtxt, vname(W->S->verdict));
    int same = W->have_point && qvec_equal((const mpq_t *) W->point_raw,
                                           (const mpq_t *) W->S->anomaly_raw, 2);
    if (mpq_sgn(W->S->anomaly_dist_lb) > 0 && !same)
        mark(f, F, (const mpq_t *) W->S->anomaly_raw, W->S->have_anomaly
             ? "twin: certified anomaly" : "twin: lowest far point", 0);
    if (W->have_point) {
        char *s2 = arb_get_str(W->point_score, 3, ARB_STR_NO_RADIUS);
        snprintf(b2, sizeof b2, "%s: %s far point, score ~ %s", same ? "twin = smooth" : "smooth",
                 W->have_anomaly ? "certified" : "best", s2);
        flint_free(s2);
        mark(f, F, (const mpq_t *) W->point_raw, b2, 1);
    }
    const char *term[2][2] = {{"pngcairo size 900,900 font ',11'", "png"},
                              {"svg size 900,900 font ',11'", "svg"}};
    for (int k = 0; k < 2; k++) {
        fprintf(f, "set terminal %s\nset termoption noenhanced\nset output '%s.%s'\n",
                term[k][0], F->name, term[k][1]);
        fprintf(f, "plot '%s_grid.dat' using 1:2:3 with image notitle, '%s_ray.dat' using 1:2 "
                "with lines lw 3 lc rgb '%s' title '%s'", F->name, F->name,
                W->S->blind ? "white" : "black", W->S->blind
                ? "twin: blind direction (exact fixed point of f_0)"
                : "twin: lowest growth direction");
        if (W->have_R)
            fprintf(f, ", NaN with lines lw 2 dt 3 lc rgb 'black' title 'certified: every x "
                    "with |x| > R scores > s_min'");
        fprintf(f, ", '%s_points.dat' using 1:2 with points pt 7 ps 0.7 lc rgb 'black' "
                "title 'training points'\nunset output\n", F->name);
    }
    return fclose(f) == 0 ? AE_OK : AE_EIO;
}

static int one(fn6_case *F, FILE *md, const char *dir, int gnuplot)
{
    nn_t net;
    if (train(net, F) != AE_OK) {
        fprintf(stderr, "aeaudit figures: %s: training failed\n", F->name);
        return 2;
    }
    scan_opts o;
    prf_scan_opts(&o, 1, 256);    /* scan_opts_default's seed and directions */
    twin_t W;
    twin_init(W);
    int rc = 0;
    if (twin_run(W, net, F->X, F->n, 2, &o, TWIN_PREC_DEFAULT) != AE_OK) {
        fprintf(stderr, "aeaudit figures: %s: twin_run failed: %s\n", F->name, W->why);
        rc = 2;
    }
    char path[1200];
    snprintf(path, sizeof path, "%s/%s_grid.dat", dir, F->name);
    if (rc == 0 && (write_grid(path, net, F) != AE_OK || write_aux(dir, F, W) != AE_OK
                    || write_script(dir, F, W) != AE_OK)) {
        fprintf(stderr, "aeaudit figures: cannot write into %s\n", dir);
        rc = 2;
    }
    if (rc == 0 && gnuplot) {
        char cmd[1400];
        snprintf(cmd, sizeof cmd, "cd '%s' && gnuplot '%s.gp'", dir, F->name);
        if (system(cmd) != 0) {
            fprintf(stderr, "aeaudit figures: gnuplot failed on %s/%s.gp\n", dir, F->name);
            rc = 1;
        }
    }
    if (rc != 2)
        fprintf(md, "| %s | %lu | %.3e | %s | %s | %s | %s |\n", F->data, F->seed, F->loss,
                prf_q6(W->K), vname(W->S->verdict), vname(W->verdict), W->have_R
                ? prf_q6(W->R) : "-");
    twin_clear(W);
    nn_clear(net);
    return rc;
}

int fign6_all(const char *dir, unsigned long seed, int gnuplot, int rc)
{
    if (rc == 2)
        return rc;
    char path[1200];
    snprintf(path, sizeof path, "%s/figures.md", dir);
    FILE *md = fopen(path, "a");
    if (md == NULL) {
        fprintf(stderr, "aeaudit figures: cannot append to %s\n", path);
        return 2;
    }
    fprintf(md, "\n## Softplus autoencoders and their ReLU twins (N6)\n\n"
            "Heat map: Arb score midpoints (64 bits); verdicts by twin_run (Arb, %d bits).\n\n"
            "| data | seed | loss | K | twin | smooth | R |\n| --- | --- | --- | --- | --- | "
            "--- | --- |\n", TWIN_PREC_DEFAULT);
    for (int k = 0; k < FN6_NSETS && rc != 2; k++) {
        fn6_case *F = ae_calloc(1, sizeof *F);
        F->data = FN6_SETS[k];
        F->n = SYNTH_N;
        snprintf(F->name, sizeof F->name, "softplus-%s", F->data);
        if (synth_make(F->X, NULL, F->data, F->n, seed) != AE_OK) {
            free(F);
            rc = 2;
            break;
        }
        double lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
        for (long i = 0; i < F->n; i++)
            for (int j = 0; j < 2; j++) {
                lo[j] = fmin(lo[j], F->X[2 * i + j]);
                hi[j] = fmax(hi[j], F->X[2 * i + j]);
            }
        F->c[0] = (lo[0] + hi[0]) / 2;
        F->c[1] = (lo[1] + hi[1]) / 2;
        F->h = 1.5 * fmax(hi[0] - lo[0], hi[1] - lo[1]) + 0.5;
        int r = one(F, md, dir, gnuplot);
        rc = r > rc ? r : rc;
        free(F);
    }
    if (fclose(md) != 0)
        rc = 2;
    return rc;
}
