#include <string.h>
#include <apr_pools.h>
#include "unit.h"
#include "tl_bytea.h"

START_TEST(bytea_round_trip)
{
    apr_pool_t *p;
    tl_buf b;
    unsigned char back[8];
    static const char bytes[] = { '%', 'P', 'D', 'F', 0, (char)0xff, (char)0x80, '\n' };

    apr_pool_create(&p, NULL);
    tl_buf_init(&b, p, 4);
    tl_bytea_encode(&b, bytes, sizeof(bytes));
    ck_assert_uint_eq(b.len, 2 + 2 * sizeof(bytes));
    ck_assert_int_eq(memcmp(b.data, "\\x25504446" "00ff800a", b.len), 0);
    ck_assert_int_eq(tl_bytea_decode(b.data, b.len, back), (long)sizeof(bytes));
    ck_assert_int_eq(memcmp(back, bytes, sizeof(bytes)), 0);
    apr_pool_destroy(p);
}
END_TEST

START_TEST(bytea_refuses_other_forms)
{
    unsigned char out[8];

    ck_assert_int_eq(tl_bytea_decode("\\x", 2, out), 0);            /* empty is fine */
    ck_assert_int_eq(tl_bytea_decode("\\xAB", 4, out), 1);          /* upper case read too */
    ck_assert_uint_eq(out[0], 0xab);
    ck_assert_int_eq(tl_bytea_decode("\\x4", 3, out), -1);          /* odd */
    ck_assert_int_eq(tl_bytea_decode("\\x4g", 4, out), -1);         /* not hex */
    ck_assert_int_eq(tl_bytea_decode("\\145", 4, out), -1);         /* the old escape form */
    ck_assert_int_eq(tl_bytea_decode("", 0, out), -1);
}
END_TEST

Suite *tl_bytea_suite(void)
{
    Suite *s = suite_create("bytea");
    TCase *tc = tcase_create("hex");

    tcase_add_test(tc, bytea_round_trip);
    tcase_add_test(tc, bytea_refuses_other_forms);
    suite_add_tcase(s, tc);
    return s;
}
