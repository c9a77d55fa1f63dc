#include <string.h>
#include <apr_pools.h>
#include "unit.h"
#include "tl_csv.h"

static apr_pool_t *pool;
static void setup(void) { apr_pool_create(&pool, NULL); }
static void teardown(void) { apr_pool_destroy(pool); }

static const char *field(const char *s)
{
    tl_buf b;
    tl_buf_init(&b, pool, 16);
    tl_csv_field(&b, s, strlen(s), ';');
    return tl_buf_cstr(&b);
}

START_TEST(fields_are_quoted_when_needed)
{
    ck_assert_str_eq(field("Perceuse à percussion"), "Perceuse à percussion");
    ck_assert_str_eq(field("Martin; Claire"), "\"Martin; Claire\"");
    ck_assert_str_eq(field("dit \"la scie\""), "\"dit \"\"la scie\"\"\"");
    ck_assert_str_eq(field("ligne 1\nligne 2"), "\"ligne 1\nligne 2\"");
}
END_TEST

START_TEST(formulas_are_defused)
{
    ck_assert_str_eq(field("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
    ck_assert_str_eq(field("+33 6 12 34 56 78"), "\"'+33 6 12 34 56 78\"");
    ck_assert_str_eq(field("@SUM(A1)"), "\"'@SUM(A1)\"");
    ck_assert_str_eq(field("-3"), "\"'-3\"");
}
END_TEST

START_TEST(rows_with_header_and_crlf)
{
    static const char *const cols[] = { "code", "days", NULL };
    static const char *const labels[] = { "Objet", "Jours de retard", NULL };
    tl_rows *rows = tl_rows_make(pool, cols);
    tl_buf b;

    tl_rows_add(rows, (const char *const[]){ "OT-0001", "3" });
    tl_rows_add(rows, (const char *const[]){ "OT-0002", NULL });
    tl_buf_init(&b, pool, 64);
    tl_csv_rows(&b, rows, cols, labels, ';');
    ck_assert_str_eq(tl_buf_cstr(&b), "Objet;Jours de retard\r\nOT-0001;3\r\nOT-0002;\r\n");
}
END_TEST

START_TEST(open_data_keeps_signs_and_quotes_only_as_rfc_4180_needs)
{
    static const char *const cols[] = { "lat", "tel", "hours", NULL };
    static const char *const labels[] = { "EQUIP_LAT", "EQUIP_TEL", "EQUIP_OUVERTURE", NULL };
    tl_rows *rows = tl_rows_make(pool, cols);
    tl_buf b;

    tl_rows_add(rows, (const char *const[]){ "-0.451830", "+33241551230", "Tu,Th 14:00-18:30; \"PH\" off" });
    tl_rows_add(rows, (const char *const[]){ "=1", NULL, "Sa 10:00-17:00" });
    tl_buf_init(&b, pool, 64);
    tl_csv_data_rows(&b, rows, cols, labels, ',');
    ck_assert_str_eq(tl_buf_cstr(&b), "EQUIP_LAT,EQUIP_TEL,EQUIP_OUVERTURE\r\n"
                                      "-0.451830,+33241551230,\"Tu,Th 14:00-18:30; \"\"PH\"\" off\"\r\n"
                                      "=1,,Sa 10:00-17:00\r\n");
    tl_buf_init(&b, pool, 16);
    tl_csv_data_field(&b, "ligne\r\n2", 8, ',');
    ck_assert_str_eq(tl_buf_cstr(&b), "\"ligne\r\n2\"");
}
END_TEST

Suite *tl_csv_suite(void)
{
    Suite *s = suite_create("csv");
    TCase *tc = tcase_create("fields and rows");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, fields_are_quoted_when_needed);
    tcase_add_test(tc, formulas_are_defused);
    tcase_add_test(tc, rows_with_header_and_crlf);
    tcase_add_test(tc, open_data_keeps_signs_and_quotes_only_as_rfc_4180_needs);
    suite_add_tcase(s, tc);
    return s;
}
