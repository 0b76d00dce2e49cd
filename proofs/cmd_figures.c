/* cmd_figures — the heat maps of the 2-D experiments (see cmd_figures.h). */
#include "cmd_figures.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "aeerr.h"
#include "cone.h"
#include "dsrc.h"
#include "figdetect.h"
#include "fign5.h"
#include "fign6.h"
#include "nn.h"
#include "pcommon.h"
#include "qmat.h"
#include "qnet.h"
#include "scan.h"

#define FIG_GRID 200
#define FIG_MAXDIRS 64

static const char *const FIG_SETS[] = {"diagonal", "diagonal-noisy", "two-clusters", "ring"};
#define FIG_NSETS 4
static const long FIG_ARCH[] = {2, 5, 1, 5, 2};
/* the detectors figure (figdetect.h) */
static const char *const FIG_DET_SETS[] = {"two-clusters", "diagonal-noisy"};
#define FIG_NDET 2
#define FIG_L 4

static int fig_usage(FILE *f)
{
    fputs("usage: aeaudit figures [--out DIR] [--seed N] [--model FILE.aem [--data NAME]]\n"
          "                       [--no-gnuplot]\n"
          "\n"
          "For diagonal, diagonal-noisy, two-clusters and ring: trains a ReLU autoencoder\n"
          "[2,5,1,5,2] (float32, Adam, deterministic; the first model seed that does not\n"
          "collapse to the mean), runs the exact scan (certified verdict), and draws the\n"
          "log10 score over a square 20x the data's extent (float32 scores: the picture\n"
          "only; verdicts are exact) with the training points, the blind directions and\n"
          "the certified anomaly.  For two-clusters and diagonal-noisy it also draws\n"
          "NAME-detectors: the 99% acceptance region of each detector of detect.h (recon,\n"
          "SPE, T^2, SPE+T^2, Mahalanobis, 1-NN, box) around the exact PCA AE k = 1, every\n"
          "grid point scored exactly.  Writes .dat, .gp, .png, .svg and figures.md into\n"
          "DIR (default data/figures).\n"
          "\n"
          "  --seed N       the data seed (default 1)\n"
          "  --model FILE   draw this 2-D model instead (file stem 'model'), on --data NAME\n"
          "                 (a 2-D data set; default diagonal)\n"
          "  --no-gnuplot   write the data and scripts only\n", f);
    return f == stdout ? 0 : 2;
}


/* The exact blind directions (fixed points of f0 on the complete sector list), as
 * doubles; the count, at most FIG_MAXDIRS. */
static long fig_blind(double *dirs, const nn_t net, long *nsectors)
{
    qnet_t q, f0;
    long k = 0;
    *nsectors = 0;
    if (qnet_init_nn(q, net) != AE_OK)
        return 0;
    if (qnet_init_recession(f0, q) != AE_OK) {
        qnet_clear(q);
        return 0;
    }
    cone_circle_t C;
    cone_circle_init(C, f0);
    if (cone_circle(C, f0, 1L << 20) == AE_OK) {
        *nsectors = C->n;
        for (long s = 0; s < C->n && k < FIG_MAXDIRS; s++) {
            if (C->status[s] != CONE_FIXED)
                continue;
            double x = mpq_get_d(cone_circle_v(C, s)[0]), y = mpq_get_d(cone_circle_v(C, s)[1]);
            double r = hypot(x, y);
            int dup = 0;
            for (long j = 0; j < k; j++)
                dup |= fabs(dirs[2 * j] - x / r) + fabs(dirs[2 * j + 1] - y / r) < 1e-12;
            if (!dup && r > 0) {
                dirs[2 * k] = x / r;
                dirs[2 * k + 1] = y / r;
                k++;
            }
        }
    }
    cone_circle_clear(C);
    qnet_clear(q);
    qnet_clear(f0);
    return k;
}

/* t > 0 where c + t v leaves the square |x - c| <= h (max norm). */
static double fig_exit(const double *v, double h)
{
    double m = fmax(fabs(v[0]), fabs(v[1]));
    return m > 0 ? h / m : 0;
}

typedef struct {
    const char *name;             /* file stem */
    const char *data;             /* data set name */
    const char *model;            /* --model FILE, or NULL: train */
    char what[128];               /* the model, for the title */
    unsigned long seed;
    double loss;
    long n;
    double c[2], h;               /* centre, half side */
    scan_t S;
    long nblind, nsectors;
    int scaled;                   /* the model scales its input (no radius circle) */
    double blind[2 * FIG_MAXDIRS];
} fig_case;

static int fig_write_data(const char *dir, fig_case *F, const nn_t net, const double *X)
{
    char path[1200];
    long G = FIG_GRID;
    double *P = ae_malloc((size_t) (G * G * 2) * sizeof(double));
    double *e = ae_malloc((size_t) (G * G) * sizeof(double));
    for (long i = 0; i < G; i++)
        for (long j = 0; j < G; j++) {
            P[2 * (i * G + j)] = F->c[0] - F->h + (2 * F->h) * ((double) j + 0.5) / (double) G;
            P[2 * (i * G + j) + 1] = F->c[1] - F->h + (2 * F->h) * ((double) i + 0.5) / (double) G;
        }
    if (net->nscale > 0)   /* the front end's scaling; the picture stays in raw units */
        for (long k = 0; k < G * G; k++)
            for (int j = 0; j < 2; j++) {
                double lo = mpq_get_d(net->scale_lo[j]), hi = mpq_get_d(net->scale_hi[j]);
                P[2 * k + j] = hi > lo ? (P[2 * k + j] - lo) / (hi - lo) : P[2 * k + j] - lo;
            }
    int st = nn_scores(e, net, P, G * G);
    for (long i = 0; i < G; i++)   /* raw coordinates again for the file */
        for (long j = 0; j < G; j++) {
            P[2 * (i * G + j)] = F->c[0] - F->h + (2 * F->h) * ((double) j + 0.5) / (double) G;
            P[2 * (i * G + j) + 1] = F->c[1] - F->h + (2 * F->h) * ((double) i + 0.5) / (double) G;
        }
    snprintf(path, sizeof path, "%s/%s_grid.dat", dir, F->name);
    FILE *f = st == AE_OK ? fopen(path, "w") : NULL;
    if (f != NULL) {
        for (long i = 0; i < G; i++) {
            for (long j = 0; j < G; j++)
                fprintf(f, "%.6g %.6g %.4f\n", P[2 * (i * G + j)], P[2 * (i * G + j) + 1],
                        log10(fmax(e[i * G + j], 1e-30)));
            fputc('\n', f);
        }
        st = fclose(f) == 0 ? AE_OK : AE_EIO;
    } else
        st = AE_EIO;
    free(P);
    free(e);
    if (st != AE_OK)
        return st;
    snprintf(path, sizeof path, "%s/%s_points.dat", dir, F->name);
    if ((f = fopen(path, "w")) == NULL)
        return AE_EIO;
    for (long i = 0; i < F->n; i++)
        fprintf(f, "%.17g %.17g\n", X[2 * i], X[2 * i + 1]);
    if (fclose(f) != 0)
        return AE_EIO;
    snprintf(path, sizeof path, "%s/%s_rays.dat", dir, F->name);
    if ((f = fopen(path, "w")) == NULL)
        return AE_EIO;
    for (long k = 0; k < F->nblind; k++) {
        double t = fig_exit(F->blind + 2 * k, F->h);
        fprintf(f, "%.10g %.10g\n%.10g %.10g\n\n\n", F->c[0], F->c[1],
                F->c[0] + t * F->blind[2 * k], F->c[1] + t * F->blind[2 * k + 1]);
    }
    fclose(f);
    snprintf(path, sizeof path, "%s/%s_lowray.dat", dir, F->name);
    if ((f = fopen(path, "w")) == NULL)
        return AE_EIO;
    if (F->S->dir != NULL) {
        double v[2] = {mpq_get_d(F->S->dir[0]), mpq_get_d(F->S->dir[1])};
        double t = fig_exit(v, F->h);
        fprintf(f, "%.10g %.10g\n%.10g %.10g\n", F->c[0], F->c[1], F->c[0] + t * v[0],
                F->c[1] + t * v[1]);
    }
    return fclose(f) == 0 ? AE_OK : AE_EIO;
}

static const char *fig_verdict(const scan_t S)
{
    return S->verdict == SCAN_FAILS ? "FAILS" : S->verdict == SCAN_SAFE ? "SAFE" : "UNDECIDED";
}

/* The gnuplot script (PNG and SVG). */
static int fig_write_script(const char *dir, const fig_case *F)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s.gp", dir, F->name);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return AE_EIO;
    const scan_struct *S = F->S;
    double lo[2] = {F->c[0] - F->h, F->c[1] - F->h}, hi[2] = {F->c[0] + F->h, F->c[1] + F->h};
    fprintf(f, "# %s: generated by aeaudit figures; run from %s/\n", F->name, dir);
    fprintf(f, "set size square\nset xrange [%.10g:%.10g]\nset yrange [%.10g:%.10g]\n", lo[0],
            hi[0], lo[1], hi[1]);
    fprintf(f, "set palette rgbformulae 33,13,10\nset cblabel 'log10 score (float32)'\n");
    char rtxt[160] = "";
    if (S->have_R && !F->scaled) {
        double R = mpq_get_d(S->R);
        snprintf(rtxt, sizeof rtxt, ", R = %.4g = %.4g diameters", R, scan_radius_ratio(F->S));
        /* the certified radius is about the origin of the network's input space */
        fprintf(f, "set object 1 circle at 0,0 size %.10g fs empty border lc rgb 'black' "
                "lw 2 dt 3 front\n", R);
    }
    fprintf(f, "set title \"%s: %s, loss %.2e\\n"
            "exact scan: %s (s_min = %s%s)\\nheat map: float32 scores (picture only)\" "
            "noenhanced\n", F->data, F->what, F->loss, fig_verdict(F->S), prf_q6(S->smin), rtxt);
    fprintf(f, "set key bottom left opaque\n");
    /* the anomaly: a point inside the square, else an arrow at the edge */
    char anom[400] = "";
    if (S->have_anomaly) {
        double ax = mpq_get_d(S->anomaly_raw[0]), ay = mpq_get_d(S->anomaly_raw[1]);
        double v[2] = {ax - F->c[0], ay - F->c[1]};
        if (fabs(v[0]) <= F->h && fabs(v[1]) <= F->h) {
            snprintf(anom, sizeof anom, ", '-' using 1:2 with points pt 3 ps 3 lw 3 lc rgb "
                     "'#ff00ff' title 'certified anomaly (exact score <= s_min)'");
        } else {
            double t = fig_exit(v, F->h);
            double ex = F->c[0] + 0.92 * t * v[0], ey = F->c[1] + 0.92 * t * v[1];
            double sx = F->c[0] + 0.70 * t * v[0], sy = F->c[1] + 0.70 * t * v[1];
            double nv = hypot(v[0], v[1]), px = -v[1] / nv, py = v[0] / nv;
            double lx = F->c[0] + 0.55 * t * v[0] + 0.25 * F->h * (px >= 0 ? px : -px),
                   ly = F->c[1] + 0.55 * t * v[1] + 0.25 * F->h * (px >= 0 ? py : -py);
            fprintf(f, "set arrow from %.10g,%.10g to %.10g,%.10g lw 4 lc rgb '#ff00ff' front\n",
                    sx, sy, ex, ey);
            fprintf(f, "set style textbox opaque fc rgb 'white' border lc rgb 'black'\n");
            fprintf(f, "set label \"certified anomaly (outside the square, arrow) at\\n"
                    "(%.6g, %.6g): %.3g diameters from every\\ntraining point, exact score %s "
                    "<= s_min\" at %.10g,%.10g front center boxed noenhanced\n", ax, ay,
                    scan_anomaly_ratio(F->S), prf_q6(S->anomaly_score), lx, ly);
        }
    }
    const char *term[2][2] = {{"pngcairo size 900,900 font ',11'", "png"},
                              {"svg size 900,900 font ',11'", "svg"}};
    for (int k = 0; k < 2; k++) {
        fprintf(f, "set terminal %s\nset termoption noenhanced\nset output '%s.%s'\n",
                term[k][0], F->name, term[k][1]);
        fprintf(f, "plot '%s_grid.dat' using 1:2:3 with image notitle", F->name);
        if (F->nblind > 0)
            fprintf(f, ", '%s_rays.dat' using 1:2 with lines lw 3 lc rgb 'white' "
                    "title 'blind directions (exact fixed points of f_0)'", F->name);
        if (S->dir != NULL)
            fprintf(f, ", '%s_lowray.dat' using 1:2 with lines lw 2 dt 2 lc rgb 'black' "
                    "title 'lowest growth direction, exact rate %s'", F->name,
                    prf_q6(S->gamma2_ub));
        if (S->have_R && !F->scaled)
            fprintf(f, ", NaN with lines lw 2 dt 3 lc rgb 'black' title 'certified: every x "
                    "with |x| > R scores > s_min'");
        fprintf(f, ", '%s_points.dat' using 1:2 with points pt 7 ps 0.7 lc rgb 'black' "
                "title 'training points'%s\n", F->name, anom);
        if (anom[0])
            fprintf(f, "%.17g %.17g\ne\n", mpq_get_d(S->anomaly_raw[0]),
                    mpq_get_d(S->anomaly_raw[1]));
        fprintf(f, "unset output\n");
    }
    return fclose(f) == 0 ? AE_OK : AE_EIO;
}

static int fig_case_run(fig_case *F, const char *dir, unsigned long dseed, int gnuplot)
{
    dsrc_t D;
    dsrc_init(D);
    dsrc_opts o;
    dsrc_opts_default(&o);
    o.seed = dseed;
    char err[600];
    if (dsrc_load(D, F->data, &o, err, sizeof err) != AE_OK || D->d != 2) {
        fprintf(stderr, "aeaudit figures: %s\n", D->d != 2 ? "the data must be 2-D" : err);
        dsrc_clear(D);
        return 2;
    }
    F->n = D->n;
    double side;
    prf_box2d(F->c, &side, D->X, D->n);
    F->h = 10 * side;
    nn_t net;
    if (F->model != NULL) {
        if (nn_load(net, F->model, err, sizeof err) != AE_OK) {
            fprintf(stderr, "aeaudit figures: %s\n", err);
            dsrc_clear(D);
            return 2;
        }
        if (net->sizes[0] != 2 || net->sizes[net->L] != 2) {
            fprintf(stderr, "aeaudit figures: %s is not a 2-D autoencoder\n", F->model);
            nn_clear(net);
            dsrc_clear(D);
            return 2;
        }
        F->loss = net->rec.loss;
        F->scaled = net->nscale > 0;
        snprintf(F->what, sizeof F->what, "model %s", F->model);
    } else if (prf_train_fitting2d(net, &F->seed, &F->loss, D->X, D->n, FIG_L, FIG_ARCH,
                                          NN_RELU) != AE_OK) {
        fprintf(stderr, "aeaudit figures: %s: training failed\n", F->name);
        dsrc_clear(D);
        return 2;
    } else
        snprintf(F->what, sizeof F->what, "ReLU AE 2-5-1-5-2, seed %lu", F->seed);
    scan_opts so;
    prf_scan_opts(&so, 1, 256);   /* scan_opts_default's seed and directions */
    int rc = 0;
    if (scan_run(F->S, net, D->X, D->n, 2, &so) != AE_OK) {
        fprintf(stderr, "aeaudit figures: %s: scan failed: %s\n", F->name, F->S->why);
        rc = 2;
    }
    if (rc == 0)
        F->nblind = fig_blind(F->blind, net, &F->nsectors);
    if (rc == 0 && (fig_write_data(dir, F, net, D->X) != AE_OK
                    || fig_write_script(dir, F) != AE_OK)) {
        fprintf(stderr, "aeaudit figures: cannot write into %s\n", dir);
        rc = 2;
    }
    nn_clear(net);
    dsrc_clear(D);
    if (rc == 0 && gnuplot) {
        if (prf_gnuplot(dir, F->name) != 0) {
            fprintf(stderr, "aeaudit figures: gnuplot failed on %s/%s.gp\n", dir, F->name);
            rc = 1;
        }
    }
    fprintf(stderr, "aeaudit figures: %s: %s, loss %.3e, %s, %ld blind direction(s) "
            "in %ld sectors\n", F->name, F->what, F->loss, fig_verdict(F->S), F->nblind,
            F->nsectors);
    return rc;
}

static int fig_summary(const char *dir, fig_case *F, long nf, const figdet_info *det,
                       long ndet)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/figures.md", dir);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return AE_EIO;
    fprintf(f, "# The 2-D experiments (aeaudit figures)\n\n"
            "ReLU autoencoder [2,5,1,5,2], float32, Adam lr 1e-2, batch 16, 2000 epochs; the "
            "heat map is log10 of the float32 score (nn_scores) on a 200 x 200 grid over a "
            "square 20x the data's extent; the verdicts are exact (scan).\n\n"
            "| data | model | loss | verdict | s_min | blind directions | anomaly "
            "(distance / diameter) | anomaly score |\n|---|---|---|---|---|---|---|---|\n");
    for (long k = 0; k < nf; k++) {
        const scan_struct *S = F[k].S;
        fprintf(f, "| %s | %s | %.3e | %s | %s | %ld | ", F[k].data, F[k].what, F[k].loss,
                fig_verdict(F[k].S), prf_q6(S->smin), F[k].nblind);
        if (S->have_anomaly)
            fprintf(f, "%.4g | %s |\n", scan_anomaly_ratio(F[k].S), prf_q6(S->anomaly_score));
        else
            fprintf(f, "- | - |\n");
    }
    fprintf(f, "\n![%s](%s.png)\n", F[0].name, F[0].name);
    if (ndet > 0)
        figdet_summary(f, det, ndet);
    return fclose(f) == 0 ? AE_OK : AE_EIO;
}

int aeaudit_cmd_figures(int argc, char **argv)
{
    const char *dir = "data/figures";
    unsigned long dseed = 1;
    int gnuplot = 1;
    const char *model = NULL, *data = "diagonal";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return fig_usage(stdout);
        if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
            dir = argv[++i];
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
            char *end;
            errno = 0;
            dseed = strtoul(argv[++i], &end, 10);
            if (errno || *end || argv[i][0] == '-') {
                fprintf(stderr, "aeaudit figures: --seed wants a nonnegative integer\n");
                return 2;
            }
        } else if (strcmp(argv[i], "--model") == 0 && i + 1 < argc)
            model = argv[++i];
        else if (strcmp(argv[i], "--data") == 0 && i + 1 < argc)
            data = argv[++i];
        else if (strcmp(argv[i], "--no-gnuplot") == 0)
            gnuplot = 0;
        else {
            fprintf(stderr, "aeaudit figures: unknown argument '%s'\n", argv[i]);
            return fig_usage(stderr);
        }
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "aeaudit figures: cannot create %s\n", dir);
        return 2;
    }
    fig_case F[FIG_NSETS];
    int rc = 0;
    long k = 0, nf = model != NULL ? 1 : FIG_NSETS;
    for (; k < nf && rc != 2; k++) {
        memset(&F[k], 0, sizeof F[k]);
        F[k].name = model != NULL ? "model" : FIG_SETS[k];
        F[k].data = model != NULL ? data : FIG_SETS[k];
        F[k].model = model;
        scan_init(F[k].S);
        int r = fig_case_run(&F[k], dir, dseed, gnuplot);
        rc = r > rc ? r : rc;
    }
    figdet_info det[FIG_NDET];
    long ndet = 0;
    for (; model == NULL && ndet < FIG_NDET && rc != 2; ndet++) {
        int r = figdet_run(&det[ndet], dir, FIG_DET_SETS[ndet], dseed, gnuplot);
        rc = r > rc ? r : rc;
    }
    if (model == NULL && rc != 2)
        rc = fign5_run(dir, dseed, gnuplot, rc);
    if (rc != 2 && fig_summary(dir, F, k, det, ndet) != AE_OK) {
        fprintf(stderr, "aeaudit figures: cannot write %s/figures.md\n", dir);
        rc = 2;
    }
    rc = model == NULL ? fign6_all(dir, dseed, gnuplot, rc) : rc;
    for (long j = 0; j < k; j++)
        scan_clear(F[j].S);
    return rc;
}
