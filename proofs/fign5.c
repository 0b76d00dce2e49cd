/* fign5 — the N5 models and their heat maps (see fign5.h). */
#include "fign5.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "aeerr.h"
#include "arbnet.h"
#include "bounded.h"
#include "pcommon.h"
#include "pocket2d.h"
#include "qmat.h"
#include "qnum.h"
#include "synth.h"

static const long FIGN5_ARCH[] = {2, 5, 1, 5, 2};
#define FIGN5_L 4
#define FIGN5_EPOCHS 2000
#define FIGN5_GRID 200
#define FIGN5_NCAND 5

const char *fign5_kind_name(int kind)
{
    return kind == FIGN5_SIGMOID ? "sigmoid" : kind == FIGN5_TANH ? "tanh" : "sigmoid-out";
}

void fign5_kind_acts(int kind, nn_act_t *hidden, nn_act_t *output)
{
    *hidden = kind == FIGN5_TANH ? NN_TANH : NN_SIGMOID;
    *output = kind == FIGN5_SIGMOID_OUT ? NN_SIGMOID : NN_IDENTITY;
}

int fign5_train(nn_t net, const double *X, long n, int kind, unsigned long seed)
{
    nn_act_t hid, out;
    fign5_kind_acts(kind, &hid, &out);
    if (out == NN_IDENTITY)
        return prf_train_ae(net, X, n, FIGN5_L, FIGN5_ARCH, hid, 0, seed, FIGN5_EPOCHS, 1e-2, 16);
    /* sigmoid output: prf_train_ae's initialisation (0 epochs), then the same Adam run
     * with the output activation switched to sigmoid */
    int st = prf_train_ae(net, X, n, FIGN5_L, FIGN5_ARCH, hid, 0, seed, 0, 1e-2, 16);
    if (st != AE_OK)
        return st;
    net->act[FIGN5_L - 1] = NN_SIGMOID;
    nn_trainopts o;
    nn_trainopts_default(&o);
    o.lr = 1e-2;
    o.batch = 16;
    o.seed = seed;
    nn_trainer_t T;
    if ((st = nn_trainer_init(T, net, &o, X, n)) == AE_OK) {
        double loss;
        for (long e = 0; e < FIGN5_EPOCHS && st == AE_OK; e++)
            st = nn_trainer_epoch(&loss, T);
        nn_trainer_clear(T);
    }
    if (st != AE_OK)
        nn_clear(net);
    return st;
}

/* ---- one figure ------------------------------------------------------------------- */

typedef struct {
    int kind;
    double loss, R, B, smin;
    long nboxes, nfar, ncert, found;
    double cert[2 * FIGN5_NCAND];
    double zlo[2], zhi[2];        /* the zoom window around the data */
} fign5_case;

/* log10 of the float32 score (nn_scores: the picture only) on the grid over [lo, hi]. */
static int write_grid(FILE *f, const nn_struct *net, const double *lo, const double *hi)
{
    long G = FIGN5_GRID;
    double *P = ae_malloc((size_t) (2 * G * G) * sizeof(double));
    double *e = ae_malloc((size_t) (G * G) * sizeof(double));
    for (long i = 0; i < G; i++)
        for (long j = 0; j < G; j++) {
            P[2 * (i * G + j)] = lo[0] + (hi[0] - lo[0]) * ((double) j + 0.5) / (double) G;
            P[2 * (i * G + j) + 1] = lo[1] + (hi[1] - lo[1]) * ((double) i + 0.5) / (double) G;
        }
    int st = nn_scores(e, (const nn_struct *) net, P, G * G);
    for (long i = 0; st == AE_OK && i < G; i++) {
        for (long j = 0; j < G; j++)
            fprintf(f, "%.6g %.6g %.4f\n", P[2 * (i * G + j)], P[2 * (i * G + j) + 1],
                    log10(fmax(e[i * G + j], 1e-30)));
        fputc('\n', f);
    }
    free(P);
    free(e);
    return st == AE_OK && !ferror(f) ? AE_OK : AE_EIO;
}

/* Writes NAME_SUFFIX.dat through fn. */
static int write_file(const char *dir, const char *name, const char *suffix,
                      int (*fn)(FILE *, const void *), const void *arg)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s_%s.dat", dir, name, suffix);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return AE_EIO;
    int st = fn(f, arg);
    if (fclose(f) != 0)
        st = AE_EIO;
    return st;
}

typedef struct { const nn_struct *net; const double *lo, *hi; } grid_arg;
static int grid_fn(FILE *f, const void *p)
{
    const grid_arg *g = p;
    return write_grid(f, g->net, g->lo, g->hi);
}

typedef struct { const double *X; long n; } pts_arg;
static int pts_fn(FILE *f, const void *p)
{
    const pts_arg *g = p;
    for (long i = 0; i < g->n; i++)
        fprintf(f, "%.17g %.17g\n", g->X[2 * i], g->X[2 * i + 1]);
    return AE_OK;
}

/* box centres and half sides, and the status (0 pocket, 1 low, 2 undecided), far flag */
static int boxes_fn(FILE *f, const void *p)
{
    const pocket2d_struct *P = p;
    for (long k = 0; k < P->nboxes; k++) {
        double lo[2], hi[2];
        pocket2d_box_d(lo, hi, (const pocket2d_struct *) P, k);
        fprintf(f, "%.17g %.17g %.17g %.17g %d %d\n", (lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2,
                (hi[0] - lo[0]) / 2, (hi[1] - lo[1]) / 2, P->boxes[k].status, P->boxes[k].far);
    }
    return AE_OK;
}

static int cert_fn(FILE *f, const void *p)
{
    const fign5_case *C = p;
    for (long k = 0; k < C->ncert; k++)
        fprintf(f, "%.17g %.17g\n", C->cert[2 * k], C->cert[2 * k + 1]);
    if (C->ncert == 0)
        fprintf(f, "NaN NaN\n");
    return AE_OK;
}

static int write_script(const char *dir, const char *name, const fign5_case *C)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s.gp", dir, name);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return AE_EIO;
    double h = 1.05 * C->R;
    const char *term[2][2] = {{"pngcairo size 1600,820 font ',11'", "png"},
                              {"svg size 1600,820 font ',11'", "svg"}};
    fprintf(f, "# %s: generated by aeaudit figures; run from %s/\n", name, dir);
    for (int k = 0; k < 2; k++) {
        fprintf(f, "set terminal %s\nset termoption noenhanced\nset output '%s.%s'\n",
                term[k][0], name, term[k][1]);
        fprintf(f, "set multiplot layout 1,2 title \"two-clusters: [2,5,1,5,2] %s AE, loss "
                "%.2e; B = %.4g, s_min = %.3e, R* = %.4g (Arb, certified)\\n%ld reported map "
                "boxes (%ld at distance >= 0.1 from the data), %ld certified pocket point(s); "
                "heat map: log10 float32 score (picture only)\"\n", fign5_kind_name(C->kind), C->loss,
                C->B, C->smin, C->R, C->nboxes, C->nfar, C->ncert);
        fprintf(f, "set size square\nset palette rgbformulae 33,13,10\n"
                "set cblabel 'log10 score'\nset key bottom left opaque\n");
        fprintf(f, "set object 1 circle at 0,0 size %.10g fs empty border lc rgb 'black' lw 2 "
                "dt 3 front\n", C->R);
        fprintf(f, "set xrange [%.10g:%.10g]\nset yrange [%.10g:%.10g]\n", -h, h, -h, h);
        fprintf(f, "set title 'the square around R* (every |x| > R* scores > s_min)'\n");
        fprintf(f, "plot '%s_grid.dat' using 1:2:3 with image notitle, "
                "'%s_points.dat' using 1:2 with points pt 7 ps 0.5 lc rgb 'black' "
                "title 'training points', '%s_boxes.dat' using 1:2 with points pt 5 ps 0.4 "
                "lc rgb '#00c0ff' title 'reported boxes (possible e <= s_min)', "
                "NaN with lines lw 2 dt 3 lc rgb 'black' title 'R* circle'\n", name, name, name);
        fprintf(f, "unset object 1\nset xrange [%.10g:%.10g]\nset yrange [%.10g:%.10g]\n",
                C->zlo[0], C->zhi[0], C->zlo[1], C->zhi[1]);
        fprintf(f, "set title 'zoom on the data: the certified pocket map'\n");
        fprintf(f, "plot '%s_zoom.dat' using 1:2:3 with image notitle, "
                "'%s_boxes.dat' using 1:2:3:4 with boxxyerror fs solid 0.6 noborder "
                "lc rgb '#00c0ff' notitle, '%s_boxes.dat' using 1:2 with points pt 5 ps 0.25 "
                "lc rgb '#00c0ff' title 'reported boxes (to scale, and marked)', "
                "'%s_points.dat' using 1:2 with points pt 7 ps 0.7 lc rgb 'black' "
                "title 'training points', '%s_cert.dat' using 1:2 with points pt 3 ps 3 lw 3 "
                "lc rgb '#ff00ff' title 'certified pocket (e <= s_min, dist >= 0.1)'\n",
                name, name, name, name, name);
        fprintf(f, "unset multiplot\nunset output\n");
    }
    return fclose(f) == 0 ? AE_OK : AE_EIO;
}

/* The model, its scan, its certified pocket points and the files of one figure. */
static int fign5_case_run(fign5_case *C, const char *dir, const char *name, const double *X,
                          long n)
{
    nn_t net;
    int st = fign5_train(net, X, n, C->kind, 1);
    if (st != AE_OK)
        return st;
    nn_loss_grad(&C->loss, NULL, net, X, n);
    bounded_scan_t S;
    bounded_scan_init(S);
    bounded_scan_opts o;
    bounded_scan_opts_default(&o);
    o.delta = 0.1;
    o.map_opts.max_level = 12;
    arbnet_t a;
    st = bounded_scan(S, net, X, n, 2, &o);
    if (st == AE_OK && (S->verdict != BOUNDED_SAFE_BEYOND || !S->have_map))
        st = AE_ERANGE;
    if (st == AE_OK)
        st = arbnet_init_nn(a, net);
    if (st != AE_OK) {
        nn_clear(net);
        bounded_scan_clear(S);
        return st;
    }
    C->R = mpq_get_d(S->Rstar);
    C->B = mpq_get_d(S->bnd->B);
    C->smin = mpq_get_d(S->smin_hi);
    C->nboxes = S->map->nboxes;
    C->nfar = S->map->nfar;
    double cand[2 * FIGN5_NCAND];
    C->zlo[0] = C->zlo[1] = INFINITY;
    C->zhi[0] = C->zhi[1] = -INFINITY;
    for (long i = 0; i < n; i++)
        for (int j = 0; j < 2; j++) {
            C->zlo[j] = fmin(C->zlo[j], X[2 * i + j] - 0.15);
            C->zhi[j] = fmax(C->zhi[j], X[2 * i + j] + 0.15);
        }
    double lo[2] = {C->zlo[0] + 0.05, C->zlo[1] + 0.05}, hi[2] = {C->zhi[0] - 0.05,
                                                                  C->zhi[1] - 0.05};
    bounded_pocket_search(cand, &C->found, FIGN5_NCAND, a, X, n, lo, hi, 101, 0.1);
    mpq_t *Xs = qvec_init(2 * n), *p = qvec_init(2), d2, dl;
    mpq_inits(d2, dl, NULL);
    mpq_set_ui(dl, 1, 10);
    bounded_scale_rows(Xs, a, X, n, 2);
    arb_t sc;
    arb_init(sc);
    for (long k = 0; k < C->found; k++) {
        int ok;
        qnum_set_d(p[0], cand[2 * k]);
        qnum_set_d(p[1], cand[2 * k + 1]);
        bounded_pocket_check(&ok, sc, d2, a, (const mpq_t *) p, (const mpq_t *) Xs, n, 2, dl,
                             S->smin, 128);
        if (ok) {
            C->cert[2 * C->ncert] = cand[2 * k];
            C->cert[2 * C->ncert + 1] = cand[2 * k + 1];
            C->ncert++;
        }
    }
    arb_clear(sc);
    mpq_clears(d2, dl, NULL);
    qvec_clear(Xs, 2 * n);
    qvec_clear(p, 2);
    double h = 1.05 * C->R, glo[2] = {-h, -h}, ghi[2] = {h, h};
    grid_arg g = {net, glo, ghi}, z = {net, C->zlo, C->zhi};
    pts_arg pa = {X, n};
    st = write_file(dir, name, "grid", grid_fn, &g);
    if (st == AE_OK)
        st = write_file(dir, name, "zoom", grid_fn, &z);
    if (st == AE_OK)
        st = write_file(dir, name, "points", pts_fn, &pa);
    if (st == AE_OK)
        st = write_file(dir, name, "boxes", boxes_fn, S->map);
    if (st == AE_OK)
        st = write_file(dir, name, "cert", cert_fn, C);
    if (st == AE_OK)
        st = write_script(dir, name, C);
    arbnet_clear(a);
    nn_clear(net);
    bounded_scan_clear(S);
    return st;
}

static int fign5_all(const char *dir, unsigned long dseed, int gnuplot);

int fign5_run(const char *dir, unsigned long dseed, int gnuplot, int rc)
{
    int r = fign5_all(dir, dseed, gnuplot);
    return r > rc ? r : rc;
}

static int fign5_all(const char *dir, unsigned long dseed, int gnuplot)
{
    double X[2 * SYNTH_N];
    char path[1200];
    snprintf(path, sizeof path, "%s/n5.md", dir);
    FILE *f = fopen(path, "w");                  /* first: an unwritable dir costs nothing */
    if (f == NULL || synth_make(X, NULL, "two-clusters", SYNTH_N, dseed) != AE_OK) {
        fprintf(stderr, "aeaudit figures: cannot write %s\n", path);
        if (f != NULL)
            fclose(f);
        return 2;
    }
    fign5_case C[2];
    int rc = 0;
    for (int k = 0; k < 2 && rc != 2; k++) {
        char name[64];
        memset(&C[k], 0, sizeof C[k]);
        C[k].kind = k == 0 ? FIGN5_SIGMOID : FIGN5_TANH;
        snprintf(name, sizeof name, "n5-%s", fign5_kind_name(C[k].kind));
        if (fign5_case_run(&C[k], dir, name, X, SYNTH_N) != AE_OK) {
            fprintf(stderr, "aeaudit figures: %s: cannot train, scan or write into %s\n", name,
                    dir);
            rc = 2;
            break;
        }
        if (gnuplot) {
            char cmd[1400];
            snprintf(cmd, sizeof cmd, "cd '%s' && gnuplot '%s.gp'", dir, name);
            if (system(cmd) != 0) {
                fprintf(stderr, "aeaudit figures: gnuplot failed on %s/%s.gp\n", dir, name);
                rc = 1;
            }
        }
        fprintf(stderr, "aeaudit figures: %s: loss %.3e, R* %.4g, %ld boxes (%ld far), "
                "%ld certified pocket point(s)\n", name, C[k].loss, C[k].R, C[k].nboxes,
                C[k].nfar, C[k].ncert);
    }
    if (rc == 2) {
        fclose(f);
        return rc;
    }
    fprintf(f, "# N5: bounded activations (aeaudit figures)\n\n"
            "[2,5,1,5,2] on two-clusters (data seed %lu, model seed 1), float32, Adam lr 1e-2, "
            "batch 16, %d epochs.  R*, s_min, the map boxes and the pocket points are "
            "certified with Arb ball arithmetic; the heat maps are float32 scores (nn_scores, picture "
            "only).\n\n| activation | loss | B | s_min | R* | map boxes | far boxes | "
            "certified pockets |\n|---|---|---|---|---|---|---|---|\n", dseed, FIGN5_EPOCHS);
    for (int k = 0; k < 2; k++)
        fprintf(f, "| %s | %.3e | %.4g | %.3e | %.4g | %ld | %ld | %ld |\n",
                fign5_kind_name(C[k].kind), C[k].loss, C[k].B, C[k].smin, C[k].R, C[k].nboxes,
                C[k].nfar, C[k].ncert);
    fprintf(f, "\n![n5-sigmoid](n5-sigmoid.png)\n\n![n5-tanh](n5-tanh.png)\n");
    return fclose(f) == 0 ? rc : 2;
}
