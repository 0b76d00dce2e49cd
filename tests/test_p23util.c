/* test_p23util — the P2/P3 helpers and figures: outward-rounded cells enclose the value,
 * root counts and certificates against polynomials with known roots (and the shifted
 * negative control), the optimal-subspace slack against a hand-made certificate, the log10
 * cell parser, and figP2/figP3 drawn from real quick runs of P2 and P3 (data and scripts
 * always; PNG and SVG when gnuplot is installed); missing and malformed tables fail. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "figP2.h"
#include "figP3.h"
#include "p23util.h"
#include "proof.h"
#include "testutil.h"

static char dir[64];

static const char *path_of(const char *name)
{
    static char buf[4][160];
    static int k;
    if (dir[0] == '\0') {
        strcpy(dir, "/tmp/test_p23util.XXXXXX");
        CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    }
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

static int exists(const char *p)
{
    return access(p, R_OK) == 0;
}

static void test_cells(void)
{
    mpq_t q, back;
    mpq_inits(q, back, NULL);
    mpq_set_si(q, -1, 3);
    const char *lo = p23_q_dir(q, -1), *hi = p23_q_dir(q, 1);
    CU_ASSERT_STRING_EQUAL(lo, "-3.33334e-01");
    CU_ASSERT_STRING_EQUAL(hi, "-3.33333e-01");
    mpq_set_ui(q, 2, 3);
    CU_ASSERT_STRING_EQUAL(p23_q_dir(q, -1), "6.66666e-01");
    CU_ASSERT_STRING_EQUAL(p23_q_dir(q, 1), "6.66667e-01");
    mpq_set_ui(q, 0, 1);
    CU_ASSERT_STRING_EQUAL(p23_q_dir(q, 1), "0");
    double v;
    CU_ASSERT(p23_log10_abs(&v, "~1.00000e-03") && v == -3);
    CU_ASSERT(p23_log10_abs(&v, "-100") && v == 2);
    CU_ASSERT(p23_log10_abs(&v, "1/10") && v == -1);
    CU_ASSERT(!p23_log10_abs(&v, "n/a"));
    CU_ASSERT(!p23_log10_abs(&v, "0"));
    CU_ASSERT(!p23_log10_abs(&v, "1/0"));
    CU_ASSERT(!p23_log10_abs(&v, "none"));
    mpq_clears(q, back, NULL);
}

static void test_roots_certify(void)
{
    /* p = (x - 1/3)(x - 1/2)(x - 2) */
    mpq_t r[3], lo, hi;
    for (int i = 0; i < 3; i++)
        mpq_init(r[i]);
    mpq_inits(lo, hi, NULL);
    mpq_set_ui(r[0], 1, 3);
    mpq_set_ui(r[1], 1, 2);
    mpq_set_ui(r[2], 2, 1);
    qpoly_t p;
    qpoly_init(p);
    qpoly_from_roots(p, (const mpq_t *) r, 3);
    mpq_set_ui(lo, 1, 2);
    mpq_set_ui(hi, 2, 1);
    CU_ASSERT_EQUAL(p23_roots_in(p, lo, hi), 2);      /* closed: both ends are roots */
    mpq_set_ui(lo, 0, 1);
    CU_ASSERT_EQUAL(p23_roots_in(p, lo, hi), 3);
    mpq_set_ui(lo, 3, 1);
    mpq_set_ui(hi, 4, 1);
    CU_ASSERT_EQUAL(p23_roots_in(p, lo, hi), 0);
    /* certificate of [0.3, 0.4] around 1/3: the shifted control [0.5+, 0.6+] is empty */
    long bad = 0;
    mpq_set_ui(lo, 3, 10);
    mpq_set_ui(hi, 4, 10);
    CU_ASSERT_EQUAL(p23_certify(p, lo, hi, 0, &bad), 1);
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT(mpq_cmp_ui(lo, 3, 10) == 0);
    /* corrupt: the shifted interval replaces it and is rejected */
    CU_ASSERT_EQUAL(p23_certify(p, lo, hi, 1, &bad), 0);
    CU_ASSERT(mpq_cmp_ui(lo, 1, 2) > 0);
    /* a control that hits a root counts as a bad control: [0.1, 0.2] shifts onto 1/2 */
    bad = 0;
    mpq_set_ui(lo, 1, 10);
    mpq_set_ui(hi, 2, 10);
    p23_certify(p, lo, hi, 0, &bad);
    CU_ASSERT_EQUAL(bad, 1);
    qpoly_clear(p);
    for (int i = 0; i < 3; i++)
        mpq_clear(r[i]);
    mpq_clears(lo, hi, NULL);
}

static void test_slack(void)
{
    pca_cert_t c;
    pca_cert_init(c);
    mpq_t s;
    mpq_init(s);
    mpq_set_ui(s, 7, 1);
    c->gap_certified = 0;
    CU_ASSERT_EQUAL(p23_optimal_slack(s, c), 0);
    CU_ASSERT(mpq_cmp_ui(s, 7, 1) == 0);
    /* gap_upper 1/100, lambda_k >= 3/2, lambda_{k+1} <= 1/2: s >= sqrt(1/100) = 1/10 */
    c->gap_certified = 1;
    mpq_set_ui(c->gap_upper, 1, 100);
    mpq_set_ui(c->lam_k_lo, 3, 2);
    mpq_set_ui(c->lam_k1_hi, 1, 2);
    CU_ASSERT_EQUAL(p23_optimal_slack(s, c), 1);
    CU_ASSERT(mpq_cmp_ui(s, 1, 10) >= 0);
    mpq_set_ui(c->lam_k1_hi, 0, 1);
    mpq_set_ui(c->gap_upper, 2, 1);
    p23_optimal_slack(s, c);     /* 2 / (3/2) = 4/3, not a square: directed root above */
    mpq_t t;
    mpq_init(t);
    mpq_mul(t, s, s);
    CU_ASSERT(mpq_cmp_si(t, 4, 3) >= 0);
    mpq_clears(s, t, NULL);
    pca_cert_clear(c);
}

static void test_figures(void)
{
    proof_ctx ctx = {.quick = 1, .seed = tu_seed(), .prec = 128, .outdir = NULL,
                     .datadir = "data", .user_data = NULL, .user_normal = NULL, .corrupt = 0};
    path_of("x");
    ctx.outdir = dir;
    proof_result r;
    CU_ASSERT_EQUAL_FATAL(proof_P2(&ctx, &r), AE_OK);
    CU_ASSERT_EQUAL(r.verdict, VERDICT_VERIFIED);
    CU_ASSERT_EQUAL_FATAL(proof_P3(&ctx, &r), AE_OK);
    CU_ASSERT_EQUAL(r.verdict, VERDICT_VERIFIED);
    char err[512];
    int gp = system("gnuplot --version >/dev/null 2>&1") == 0;
    CU_ASSERT_EQUAL(figP2_draw(dir, dir, gp, err, sizeof err), 0);
    CU_ASSERT_EQUAL(figP3_draw(dir, dir, gp, err, sizeof err), 0);
    CU_ASSERT(exists(path_of("P2.dat")) && exists(path_of("P2.gp")));
    CU_ASSERT(exists(path_of("P3.dat")) && exists(path_of("P3.gp")));
    if (gp) {
        CU_ASSERT(exists(path_of("P2.png")) && exists(path_of("P2.svg")));
        CU_ASSERT(exists(path_of("P3.png")) && exists(path_of("P3.svg")));
    }
    /* missing and malformed tables */
    CU_ASSERT_EQUAL(figP2_draw("/nonexistent", dir, 0, err, sizeof err), 1);
    CU_ASSERT(strstr(err, "P2_training.csv") != NULL);
    FILE *f = fopen(path_of("P3_conditioning.csv"), "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fprintf(f, "header\n1,2,3\n");
    fclose(f);
    CU_ASSERT_EQUAL(figP3_draw(dir, dir, 0, err, sizeof err), 1);
    CU_ASSERT(strstr(err, ":2:") != NULL);
    f = fopen(path_of("P2_training.csv"), "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fprintf(f, "header only\n");
    fclose(f);
    CU_ASSERT_EQUAL(figP2_draw(dir, dir, 0, err, sizeof err), 1);
    CU_ASSERT(strstr(err, "no rows") != NULL);
    CU_ASSERT_EQUAL(tu_rmtree(dir), 0);
    dir[0] = '\0';
}

int main(void)
{
    static const tu_test tests[] = {
        {"outward-rounded cells, log10 cell parser", test_cells},
        {"closed root counts, certificate and its shifted control", test_roots_certify},
        {"optimal-subspace slack from a PCA certificate", test_slack},
        {"figP2 / figP3 from quick P2 / P3 runs; bad tables", test_figures},
        {NULL, NULL}};
    return tu_run("p23util", 2310, tests);
}
