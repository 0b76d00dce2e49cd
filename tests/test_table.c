/* test_table — atomic CSV + Markdown tables: committed files appear whole, aborted or
 * failed ones leave nothing, cells are quoted/escaped, and bad folders are errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aeerr.h"
#include "table.h"
#include "testutil.h"

static char dir[64];

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return NULL;
    static char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static int exists(const char *name)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return access(p, F_OK) == 0;
}

static void test_commit(void)
{
    static const char *const cols[] = {"a", "b,c"};
    char err[256], p[256];
    tab_t T;
    CU_ASSERT_EQUAL_FATAL(tab_open(T, dir, "t1", "Title", cols, 2, err, sizeof err), AE_OK);
    CU_ASSERT_TRUE(exists("t1.csv.tmp"));
    CU_ASSERT_FALSE(exists("t1.csv"));           /* nothing visible before commit */
    const char *row[] = {"x|y", "say \"hi\""};
    CU_ASSERT_EQUAL(tab_row(T, row, 2), AE_OK);
    CU_ASSERT_EQUAL(tab_rowf(T, "%d\t%s", 7, "z"), AE_OK);
    CU_ASSERT_EQUAL(tab_commit(T, err, sizeof err), AE_OK);
    CU_ASSERT_FALSE(exists("t1.csv.tmp"));
    CU_ASSERT_FALSE(exists("t1.md.tmp"));
    snprintf(p, sizeof p, "%s/t1.csv", dir);
    CU_ASSERT_STRING_EQUAL(slurp(p), "a,\"b,c\"\nx|y,\"say \"\"hi\"\"\"\n7,z\n");
    snprintf(p, sizeof p, "%s/t1.md", dir);
    CU_ASSERT_STRING_EQUAL(slurp(p), "# Title\n\n| a | b,c |\n| --- | --- |\n"
                                     "| x\\|y | say \"hi\" |\n| 7 | z |\n");
}

static void test_zero_rows_and_abort(void)
{
    static const char *const cols[] = {"only"};
    char err[256];
    tab_t T;
    CU_ASSERT_EQUAL_FATAL(tab_open(T, dir, "t2", "Empty", cols, 1, err, sizeof err), AE_OK);
    CU_ASSERT_EQUAL(tab_commit(T, err, sizeof err), AE_OK);
    CU_ASSERT_TRUE(exists("t2.csv"));
    CU_ASSERT_EQUAL_FATAL(tab_open(T, dir, "t3", "Aborted", cols, 1, err, sizeof err), AE_OK);
    CU_ASSERT_EQUAL(tab_rowf(T, "1"), AE_OK);
    tab_abort(T);
    CU_ASSERT_FALSE(exists("t3.csv"));
    CU_ASSERT_FALSE(exists("t3.csv.tmp"));
    CU_ASSERT_FALSE(exists("t3.md.tmp"));
}

/* A row whose cell count differs from the header is refused, with a message, and the
 * file keeps only the good rows. */
static void test_cell_count_mismatch(void)
{
    static const char *const cols[] = {"a", "b", "c"};
    char err[256], p[256];
    tab_t T;
    CU_ASSERT_EQUAL_FATAL(tab_open(T, dir, "t4", "Count", cols, 3, err, sizeof err), AE_OK);
    const char *two[] = {"1", "2"}, *four[] = {"1", "2", "3", "4"}, *three[] = {"x", "y", "z"};
    CU_ASSERT_EQUAL(tab_row(T, two, 2), AE_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(T->msg, "2 cells under a header of 3"));
    CU_ASSERT_EQUAL(tab_row(T, four, 4), AE_EINVAL);
    CU_ASSERT_EQUAL(tab_rowf(T, "%d\t%d", 1, 2), AE_EINVAL);
    CU_ASSERT_EQUAL(tab_rowf(T, "%d\t%d\t%d\t%d", 1, 2, 3, 4), AE_EINVAL);
    CU_ASSERT_EQUAL(tab_rowf(T, "%s", ""), AE_EINVAL);          /* one empty cell */
    CU_ASSERT_EQUAL(tab_row(T, three, 3), AE_OK);
    CU_ASSERT_EQUAL(tab_rowf(T, "\t\t"), AE_OK);               /* three empty cells */
    CU_ASSERT_EQUAL(tab_commit(T, err, sizeof err), AE_OK);
    snprintf(p, sizeof p, "%s/t4.csv", dir);
    CU_ASSERT_STRING_EQUAL(slurp(p), "a,b,c\nx,y,z\n,,\n");
}

static void test_bad_folder(void)
{
    static const char *const cols[] = {"a"};
    char err[256] = "";
    tab_t T;
    CU_ASSERT_EQUAL(tab_open(T, "/nonexistent-folder/x", "t", "T", cols, 1, err, sizeof err),
                    AE_EIO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent-folder/x"));
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/aeaudit-test-table-XXXXXX");
    if (mkdtemp(dir) == NULL)
        return 2;
    static const tu_test T[] = {
        {"commit writes both files whole", test_commit},
        {"zero rows; abort leaves nothing", test_zero_rows_and_abort},
        {"unwritable folder is an error", test_bad_folder},
        {"cell count must match the header", test_cell_count_mismatch},
        {NULL, NULL}};
    int rc = tu_run("table", 1, T);
    if (tu_rmtree(dir) != 0)
        rc = rc ? rc : 1;
    return rc;
}
