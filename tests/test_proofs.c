/* test_proofs — the claim verifications as a whole: each must reach VERIFIED on its
 * quick instances and write its tables atomically, and each must NOT report VERIFIED
 * when handed a deliberately wrong instance (ctx.corrupt): a check that cannot fail
 * would be a defect.  Bad user data must stop with an input error and no table. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pcommon.h"
#include "proof.h"
#include "testutil.h"

static char outdir[256];

static void make_outdir(void)
{
    snprintf(outdir, sizeof outdir, "/tmp/aeaudit-test-proofs-XXXXXX");
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(outdir));
}

static void remove_outdir(void)
{
    CU_ASSERT_EQUAL(tu_rmtree(outdir), 0);
}

/* 1 iff the folder holds a file whose name ends in suffix. */
static int has_suffix_file(const char *suffix)
{
    DIR *dir = opendir(outdir);
    struct dirent *e;
    int found = 0;
    size_t ls = strlen(suffix);
    if (dir == NULL)
        return 0;
    while ((e = readdir(dir)) != NULL) {
        size_t l = strlen(e->d_name);
        if (l >= ls && strcmp(e->d_name + l - ls, suffix) == 0)
            found = 1;
    }
    closedir(dir);
    return found;
}

static proof_ctx quick_ctx(void)
{
    proof_ctx c = {.quick = 1, .seed = tu_seed(), .prec = 128, .outdir = outdir,
                   .datadir = "data", .user_data = NULL, .user_normal = NULL, .corrupt = 0};
    return c;
}

static void test_all_verified_quick(void)
{
    make_outdir();
    proof_ctx c = quick_ctx();
    for (long i = 0; i < proof_registry_len; i++) {
        proof_result r;
        memset(&r, 0, sizeof r);
        int st = proof_registry[i].run(&c, &r);
        CU_ASSERT_EQUAL(st, 0);
        CU_ASSERT_EQUAL(r.verdict, VERDICT_VERIFIED);
        if (r.verdict != VERDICT_VERIFIED)
            fprintf(stderr, "\n%s: %s: %s\n", proof_registry[i].id,
                    proof_verdict_name(r.verdict), r.evidence);
        CU_ASSERT_TRUE(r.instances > 0);
        CU_ASSERT_TRUE(strlen(r.method) > 0);
    }
    CU_ASSERT_TRUE(has_suffix_file(".csv"));
    CU_ASSERT_TRUE(has_suffix_file(".md"));
    CU_ASSERT_FALSE(has_suffix_file(".tmp"));
    prf_cache_clear();
    remove_outdir();
}

/* Negative controls of the whole verifiers: a wrong instance must not verify. */
static void test_corrupt_instances_rejected(void)
{
    make_outdir();
    proof_ctx c = quick_ctx();
    c.corrupt = 1;
    for (long i = 0; i < proof_registry_len; i++) {
        proof_result r;
        memset(&r, 0, sizeof r);
        proof_registry[i].run(&c, &r);
        CU_ASSERT_NOT_EQUAL(r.verdict, VERDICT_VERIFIED);
        if (r.verdict == VERDICT_VERIFIED)
            fprintf(stderr, "\n%s verified a corrupted instance: %s\n", proof_registry[i].id,
                    r.evidence);
    }
    CU_ASSERT_FALSE(has_suffix_file(".tmp"));
    prf_cache_clear();
    remove_outdir();
}

static void test_same_seed_same_tables(void)
{
    char a[256], b[256], cmd[700];
    make_outdir();
    snprintf(a, sizeof a, "%s", outdir);
    proof_ctx c = quick_ctx();
    proof_result r;
    const proof_entry *e = proof_find("L3");
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    e->run(&c, &r);
    prf_cache_clear();
    make_outdir();
    snprintf(b, sizeof b, "%s", outdir);
    c.outdir = outdir;
    e->run(&c, &r);
    prf_cache_clear();
    snprintf(cmd, sizeof cmd, "cmp -s %s/L3_out_of_bounds.csv %s/L3_out_of_bounds.csv", a, b);
    CU_ASSERT_EQUAL(system(cmd), 0);
    remove_outdir();
    snprintf(outdir, sizeof outdir, "%s", a);
    remove_outdir();
}

static void test_bad_user_data(void)
{
    static const char *const bad[] = {
        "1,2,3,0\n1,2\n",                 /* ragged */
        "1,2,3,0\n1,x,3,0\n",             /* non-numeric */
        "",                               /* empty */
        "1,2,3,0\n1,nan,3,0\n",           /* NaN */
        "1,2,3,0\n1,1e999999999,3,0\n",   /* huge exponent */
    };
    char path[] = "/tmp/aeaudit-bad-XXXXXX";
    char err[600];
    qmat_t X, A;
    qmat_init(X, 0, 0);
    qmat_init(A, 0, 0);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(path, sizeof path, "/tmp/aeaudit-bad-XXXXXX");
        int fd = mkstemp(path);
        CU_ASSERT_TRUE_FATAL(fd >= 0);
        FILE *f = fdopen(fd, "w");
        fputs(bad[i], f);
        fclose(f);
        proof_ctx c = quick_ctx();
        c.user_data = path;
        c.user_normal = "0";
        err[0] = '\0';
        int st = prf_dataset(X, A, &c, "user", err, sizeof err);
        CU_ASSERT_NOT_EQUAL(st, 0);
        CU_ASSERT_PTR_NOT_NULL(strstr(err, path));   /* the message names the file */
        remove(path);
    }
    qmat_clear(X);
    qmat_clear(A);
}

/* ---- the skeleton ---- */
static const char *const SK_COLS[] = {"a", "b"};
static const proof_table SK_TABLES[] = {{"sk_one", "One", SK_COLS, 2}, {"sk_two", "Two", SK_COLS, 2}};

static int sk_good(proof_job *J)
{
    proof_row(J, 0, "1\t2");
    proof_row(J, 1, "3\t4");
    J->res->instances = 2;
    proof_set(J->res, VERDICT_VERIFIED, "fine");
    return AE_OK;
}

static int sk_fail(proof_job *J)
{
    proof_row(J, 0, "1\t2");
    return proof_fail(J, AE_EPARSE, "bad data: %d", 7);
}

static int sk_bad_row(proof_job *J)
{
    proof_row(J, 0, "1\t2\t3");           /* three cells under two columns */
    proof_row(J, 1, "3\t4");
    proof_set(J->res, VERDICT_VERIFIED, "would be fine");
    return AE_OK;
}

static int sk_status_only(proof_job *J)
{
    (void) J;
    return AE_NOTCONV;                     /* an error without a reason */
}

static void test_skeleton(void)
{
    make_outdir();
    proof_ctx c = quick_ctx();
    proof_result r;
    memset(&r, 0, sizeof r);
    CU_ASSERT_EQUAL(proof_run(&c, &r, SK_TABLES, 2, sk_good, NULL), AE_OK);
    CU_ASSERT_EQUAL(r.verdict, VERDICT_VERIFIED);
    CU_ASSERT_TRUE(has_suffix_file("sk_one.csv"));
    CU_ASSERT_TRUE(has_suffix_file("sk_two.md"));
    CU_ASSERT_FALSE(has_suffix_file(".tmp"));
    remove_outdir();

    make_outdir();
    c.outdir = outdir;
    memset(&r, 0, sizeof r);
    CU_ASSERT_EQUAL(proof_run(&c, &r, SK_TABLES, 2, sk_fail, NULL), AE_EPARSE);
    CU_ASSERT_EQUAL(r.verdict, VERDICT_ERROR);
    CU_ASSERT_STRING_EQUAL(r.evidence, "bad data: 7");
    CU_ASSERT_FALSE(has_suffix_file(".csv"));
    CU_ASSERT_FALSE(has_suffix_file(".tmp"));

    memset(&r, 0, sizeof r);
    CU_ASSERT_EQUAL(proof_run(&c, &r, SK_TABLES, 2, sk_bad_row, NULL), AE_EINVAL);
    CU_ASSERT_EQUAL(r.verdict, VERDICT_ERROR);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.evidence, "3 cells under a header of 2"));
    CU_ASSERT_FALSE(has_suffix_file(".csv"));
    CU_ASSERT_FALSE(has_suffix_file(".md"));
    CU_ASSERT_FALSE(has_suffix_file(".tmp"));

    memset(&r, 0, sizeof r);
    CU_ASSERT_EQUAL(proof_run(&c, &r, SK_TABLES, 1, sk_status_only, NULL), AE_NOTCONV);
    CU_ASSERT_EQUAL(r.verdict, VERDICT_ERROR);
    CU_ASSERT_TRUE(strlen(r.evidence) > 0);
    CU_ASSERT_FALSE(has_suffix_file(".tmp"));
    remove_outdir();

    /* An unwritable folder: ERROR naming it, the body never runs. */
    c.outdir = "/nonexistent-aeaudit-dir";
    memset(&r, 0, sizeof r);
    CU_ASSERT_EQUAL(proof_run(&c, &r, SK_TABLES, 2, sk_good, NULL), AE_EIO);
    CU_ASSERT_EQUAL(r.verdict, VERDICT_ERROR);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.evidence, "/nonexistent-aeaudit-dir"));
}

static void test_registry(void)
{
    CU_ASSERT_TRUE(proof_registry_len >= 6);
    CU_ASSERT_PTR_NOT_NULL(proof_find("l3"));
    CU_ASSERT_PTR_NULL(proof_find("L99"));
    CU_ASSERT_PTR_NULL(proof_find(""));
    for (long i = 0; i < proof_registry_len; i++)
        for (long j = i + 1; j < proof_registry_len; j++)
            CU_ASSERT_NOT_EQUAL(strcmp(proof_registry[i].id, proof_registry[j].id), 0);
}

int main(void)
{
    static const tu_test T[] = {
        {"registry", test_registry},
        {"skeleton commits or removes every table", test_skeleton},
        {"all claims verified (quick)", test_all_verified_quick},
        {"corrupted instances are not verified", test_corrupt_instances_rejected},
        {"same seed, byte-identical table", test_same_seed_same_tables},
        {"bad user data is an input error naming the file", test_bad_user_data},
        {NULL, NULL}};
    return tu_run("proofs", 20250123UL, T);
}
