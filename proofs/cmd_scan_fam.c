/* cmd_scan_fam — `aeaudit scan` for the bounded (N5) and smooth (N6) activation families;
 * see cmd_scan_internal.h. */
#include "cmd_scan_internal.h"

#include "aeerr.h"
#include "arbnet.h"
#include "bounded.h"
#include "qnet.h"
#include "smooth.h"
#include "twin.h"

#include <flint/flint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int cmd_scan_family(const nn_t net)
{
    int pl = 1, bnd = 0;
    for (long l = 0; l < net->L; l++) {
        pl &= qnet_act_supported(net->act[l]);
        bnd |= !smooth_act_twinnable(net->act[l]);
    }
    return pl ? CMD_SCAN_PL : bnd ? CMD_SCAN_BOUNDED : CMD_SCAN_SMOOTH;
}

static int kvb(tab_t T, const char *key, const arb_t b)
{
    char *s = arb_get_str(b, 17, 0);
    int st = cmd_scan_kv(T, key, s);
    flint_free(s);
    return st;
}

/* "[lo, hi]" of a ball, 6 digits, into buf. */
static const char *ball_str(char *buf, size_t n, const arb_t b)
{
    char *s = arb_get_str(b, 6, 0);
    snprintf(buf, n, "%s", s);
    flint_free(s);
    return buf;
}

typedef struct {
    const twin_struct *T;
    const scanargs *a;
    const char *data;
} twin_rows_arg;

static int twin_rows(tab_t T, const void *arg)
{
    const twin_rows_arg *A = arg;
    const twin_struct *W = A->T;
    int st = cmd_scan_kv(T, "model", A->a->model);
    if (st == AE_OK) st = cmd_scan_kv(T, "data", A->data);
    if (st == AE_OK) st = cmd_scan_kvf(T, "rows", "%ld", W->n);
    if (st == AE_OK) st = cmd_scan_kvf(T, "features", "%ld", W->d);
    if (st == AE_OK) st = cmd_scan_kv(T, "family", "smooth asymptotically linear: ReLU twin (N6)");
    if (st == AE_OK) st = cmd_scan_kv(T, "verdict", cmd_scan_verdict_name(W->verdict));
    if (st == AE_OK) st = cmd_scan_kv(T, "method", W->method);
    if (st == AE_OK) st = cmd_scan_kv(T, "why", W->why);
    if (st == AE_OK) st = cmd_scan_kvf(T, "arb_precision_bits", "%ld", (long) W->prec);
    if (st == AE_OK) st = cmd_scan_kvq(T, "K", W->K);
    if (st == AE_OK) st = cmd_scan_kv(T, "twin_verdict", cmd_scan_verdict_name(W->S->verdict));
    if (st == AE_OK) st = cmd_scan_kv(T, "twin_method", W->S->method);
    if (st == AE_OK) st = cmd_scan_kv(T, "twin_why", W->S->why);
    if (st == AE_OK) st = cmd_scan_kvq(T, "twin_s_min", W->S->smin);
    if (st == AE_OK) st = cmd_scan_kvq(T, "twin_K", W->S->K);
    if (st == AE_OK) st = cmd_scan_kvq(T, "twin_gamma2_lb", W->S->gamma2_lb);
    if (st == AE_OK) st = cmd_scan_kvq(T, "diameter2_upper", W->S->diam2);
    if (st == AE_OK) st = kvb(T, "s_min_ball", W->smin);
    if (st == AE_OK) st = cmd_scan_kvq(T, "s_min_upper", W->smin_up);
    if (st == AE_OK) st = cmd_scan_kvf(T, "s_min_row", "%ld", W->smin_row);
    if (st == AE_OK) st = cmd_scan_kvf(T, "have_anomaly", "%d", W->have_anomaly);
    if (st == AE_OK && W->have_point) {
        st = kvb(T, "far_point_score_ball", W->point_score);
        if (st == AE_OK) st = cmd_scan_kvq(T, "far_point_dist_lb", W->point_dist_lb);
        if (st == AE_OK) st = cmd_scan_kv(T, "far_point_from", W->point_from);
    }
    if (st == AE_OK) st = cmd_scan_kvq(T, "far_distance", W->far_lb);
    if (st == AE_OK) st = cmd_scan_kvf(T, "far_candidates", "%ld", W->ncandidates);
    if (st == AE_OK) st = cmd_scan_kvf(T, "have_ray_bound", "%d", W->have_ray);
    if (st == AE_OK && W->have_ray) st = cmd_scan_kvq(T, "ray_bound", W->ray_bound);
    if (st == AE_OK) st = cmd_scan_kvf(T, "have_R", "%d", W->have_R);
    if (st == AE_OK && W->have_R) {
        st = cmd_scan_kvq(T, "R", W->R);
        if (st == AE_OK) st = cmd_scan_kv(T, "R_method", W->R_how);
    }
    if (st == AE_OK) st = cmd_scan_kvq(T, "twin_level", W->level);
    if (st == AE_OK) st = cmd_scan_kvf(T, "seconds", "%.3f", W->seconds);
    if (st == AE_OK) st = cmd_scan_kvf(T, "budget", "%g", A->a->budget);
    if (st == AE_OK) st = cmd_scan_kvf(T, "seed", "%lu", A->a->seed);
    if (st == AE_OK) st = cmd_scan_kvf(T, "far_ratio", "%ld", A->a->far);
    return st;
}

static void print_twin(const twin_t W, const char *model, const char *data)
{
    char b1[96], b2[96];
    double diam = sqrt(mpq_get_d(W->S->diam2));
    printf("scan %s: data %s (%ld rows, %ld features), smooth network: s_min in %s (Arb, %ld "
           "bits), K = %.6g (sup ||f - twin||), diameter <= %.6g\n", model, data, W->n, W->d,
           ball_str(b1, sizeof b1, W->smin), (long) W->prec, mpq_get_d(W->K), diam);
    if (W->verdict == SCAN_FAILS)
        printf("FAILS  certified anomaly at >= %.4g diameters from every training point, "
               "smooth score in %s <= s_min (from %s)\n", mpq_get_d(W->point_dist_lb) / diam,
               ball_str(b2, sizeof b2, W->point_score), W->point_from);
    else if (W->verdict == SCAN_SAFE)
        printf("SAFE-BEYOND R = %.6g (%.4g diameters): every x with ||x|| > R scores above "
               "s_min; R = %s\n", mpq_get_d(W->R), mpq_get_d(W->R) / diam, W->R_how);
    else
        printf("UNDECIDED  %s\n", W->why);
    printf("  ReLU twin: %s (its own s_min %.6g)\n", cmd_scan_verdict_name(W->S->verdict),
           mpq_get_d(W->S->smin));
    if (W->have_point && W->verdict != SCAN_FAILS)
        printf("  lowest far smooth score found: %s at >= %.4g diameters\n",
               ball_str(b2, sizeof b2, W->point_score), mpq_get_d(W->point_dist_lb) / diam);
    if (W->have_ray)
        printf("  bounded-score ray: along the twin's blind direction the smooth score stays "
               "<= %.6g however far\n", mpq_get_d(W->ray_bound));
    printf("  method: %s\n", W->method);
}

int cmd_scan_twin(const nn_t net, const dsrc_t c, const scanargs *a, const char *data,
                    const char *out, const scan_opts *o, int tty)
{
    twin_t W;
    twin_init(W);
    int rc = 0, st = twin_run(W, net, c->X, c->n, c->d, o, TWIN_PREC_DEFAULT);
    if (tty)
        fputc('\n', stderr);
    char err[600];
    if (st == AE_ERANGE) {
        fprintf(stderr, "aeaudit scan: %s: %s\n", a->model, W->why);
        rc = EXIT_UNSUPPORTED;
    } else if (st != AE_OK) {
        rc = cmd_scan_usage_error("the analysis failed: %s", ae_strstatus(st));
    } else {
        print_twin(W, a->model, data);
        twin_rows_arg A = { W, a, data };
        st = cmd_scan_evidence(out, twin_rows, &A, err, sizeof err);
        if (st == AE_OK && mpq_sgn(W->S->gamma2_ub) >= 0) {
            char *rate = cmd_scan_qstr(W->S->gamma2_ub);
            const char *what[1] = { W->S->blind ? "twin-blind" : "twin-lowest-growth" };
            const char *lab[1] = { rate };
            mpq_t *vec[1] = { W->S->dir };
            st = cmd_scan_write_vectors(out, "direction.csv", "growth_rate", what, lab, vec, 1,
                                        W->d, err, sizeof err);
            free(rate);
        }
        if (st == AE_OK && W->have_point) {
            const char *what[2] = { "raw", "scaled" };
            const char *cs = W->have_anomaly ? "certified" : "not-certified";
            const char *lab[2] = { cs, cs };
            mpq_t *vec[2] = { W->point_raw, W->point };
            st = cmd_scan_write_vectors(out, "anomaly.csv", "status", what, lab, vec, 2, W->d,
                                        err, sizeof err);
        }
        if (st != AE_OK)
            rc = cmd_scan_usage_error("%s", err);
        else
            printf("  evidence: %s/scan.csv, %s/scan.md%s%s%s\n", out, out,
                   W->have_point ? ", " : "", W->have_point ? out : "",
                   W->have_point ? "/anomaly.csv" : "");
        fflush(stdout);
    }
    twin_clear(W);
    return rc;
}

typedef struct {
    const bounded_scan_struct *B;
    const scanargs *a;
    const char *data;
    long n, d;
} bnd_rows_arg;

static int bnd_rows(tab_t T, const void *arg)
{
    const bnd_rows_arg *A = arg;
    const bounded_scan_struct *B = A->B;
    int st = cmd_scan_kv(T, "model", A->a->model);
    if (st == AE_OK) st = cmd_scan_kv(T, "data", A->data);
    if (st == AE_OK) st = cmd_scan_kvf(T, "rows", "%ld", A->n);
    if (st == AE_OK) st = cmd_scan_kvf(T, "features", "%ld", A->d);
    if (st == AE_OK) st = cmd_scan_kv(T, "family", "bounded layer: output bound (N5)");
    if (st == AE_OK) st = cmd_scan_kv(T, "verdict", "SAFE-BEYOND");
    if (st == AE_OK) st = cmd_scan_kv(T, "method", B->method);
    if (st == AE_OK) st = cmd_scan_kv(T, "bound_method", B->bnd->method);
    if (st == AE_OK) st = cmd_scan_kvf(T, "bounded_layer", "%ld", B->bnd->layer);
    if (st == AE_OK) st = cmd_scan_kvq(T, "B", B->bnd->B);
    if (st == AE_OK) st = cmd_scan_kvq(T, "R", B->Rstar);
    if (st == AE_OK) st = kvb(T, "s_min_ball", B->smin);
    if (st == AE_OK) st = cmd_scan_kvq(T, "s_min_lower", B->smin_lo);
    if (st == AE_OK) st = cmd_scan_kvq(T, "s_min_upper", B->smin_hi);
    if (st == AE_OK) st = cmd_scan_kvf(T, "s_min_row", "%ld", B->smin_row);
    if (st == AE_OK) st = cmd_scan_kvf(T, "pocket_map", "%d", B->have_map);
    if (st == AE_OK && B->have_map) {
        const pocket2d_struct *P = B->map;
        st = cmd_scan_kvf(T, "map_complete", "%d", P->complete);
        if (st == AE_OK) st = cmd_scan_kvf(T, "map_boxes_evaluated", "%ld", P->nevals);
        if (st == AE_OK) st = cmd_scan_kvf(T, "map_reported_boxes", "%ld", P->nboxes);
        if (st == AE_OK) st = cmd_scan_kvf(T, "map_low_boxes", "%ld", P->nlow);
        if (st == AE_OK) st = cmd_scan_kvf(T, "map_pocket_boxes", "%ld", P->npocket);
        if (st == AE_OK) st = cmd_scan_kvf(T, "map_undecided_boxes", "%ld", P->nundecided);
        if (st == AE_OK) st = cmd_scan_kvq(T, "map_reported_area", P->area);
    }
    return st;
}

int cmd_scan_bounded(const nn_t net, const dsrc_t c, const scanargs *a, const char *data,
                       const char *out)
{
    bounded_scan_t B;
    bounded_scan_init(B);
    int rc = 0, st = bounded_scan(B, net, c->X, c->n, c->d, NULL);
    char err[600], b1[96];
    if (st != AE_OK) {
        rc = cmd_scan_usage_error("the analysis failed: %s", ae_strstatus(st));
    } else if (B->verdict != BOUNDED_SAFE_BEYOND) {
        fprintf(stderr, "aeaudit scan: %s: %s\n", a->model, B->why);
        rc = EXIT_UNSUPPORTED;
    } else {
        printf("scan %s: data %s (%ld rows, %ld features), bounded layer %ld: s_min in %s "
               "(Arb)\n", a->model, data, c->n, c->d, B->bnd->layer,
               ball_str(b1, sizeof b1, B->smin));
        printf("SAFE-BEYOND R* = %.6g: every x with ||x|| > R* scores above s_min; ||f(x)|| <= "
               "B = %.6g for every x (%s)\n", mpq_get_d(B->Rstar), mpq_get_d(B->bnd->B),
               B->bnd->method);
        if (B->have_map)
            printf("  pocket map (2-D, %s): %ld boxes evaluated; %ld reported (%ld certainly "
                   "low, %ld pockets, %ld undecided), area %.6g; every other point of the "
                   "plane scores above s_min\n", B->map->complete ? "complete" : "incomplete",
                   B->map->nevals, B->map->nboxes, B->map->nlow, B->map->npocket,
                   B->map->nundecided, mpq_get_d(B->map->area));
        printf("  method: %s\n", B->method);
        bnd_rows_arg A = { B, a, data, c->n, c->d };
        if (cmd_scan_evidence(out, bnd_rows, &A, err, sizeof err) != AE_OK)
            rc = cmd_scan_usage_error("%s", err);
        else
            printf("  evidence: %s/scan.csv, %s/scan.md\n", out, out);
        fflush(stdout);
    }
    bounded_scan_clear(B);
    return rc;
}

