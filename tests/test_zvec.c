/* test_zvec — integer scratch vectors: sizes 0 and 1, values start at 0 and are usable,
 * clearing NULL is a no-op. */
#include "testutil.h"
#include "zvec.h"

static void test_sizes(void)
{
    for (long n = 0; n <= 33; n += (n < 2 ? 1 : 31)) {
        mpz_t *v = zvec_init(n);
        CU_ASSERT_PTR_NOT_NULL_FATAL(v);
        for (long i = 0; i < n; i++) {
            CU_ASSERT_EQUAL(mpz_sgn(v[i]), 0);
            mpz_ui_pow_ui(v[i], 10, 100);   /* grows: the entries are real mpz_t */
            CU_ASSERT_EQUAL(mpz_sizeinbase(v[i], 10), 101);
        }
        zvec_clear(v, n);
    }
    zvec_clear(NULL, 5);
}

int main(void)
{
    static const tu_test T[] = {{"sizes 0, 1, 33; clear NULL", test_sizes}, {NULL, NULL}};
    return tu_run("zvec", 1, T);
}
