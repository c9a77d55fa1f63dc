#include <string.h>
#include <apr_pools.h>
#include "unit.h"
#include "tl_valid.h"

static apr_pool_t *pool;
static void setup(void) { apr_pool_create(&pool, NULL); }
static void teardown(void) { apr_pool_destroy(pool); }

START_TEST(integers)
{
    long v = 0;
    ck_assert_ptr_null(tl_valid_int(pool, "page", "12", 1, 1000, &v));
    ck_assert_int_eq(v, 12);
    ck_assert_ptr_nonnull(strstr(tl_valid_int(pool, "page", "0", 1, 1000, &v), "entre 1 et 1000"));
    ck_assert_ptr_nonnull(strstr(tl_valid_int(pool, "page", "-1", 1, 1000, &v), "nombre entier"));
    ck_assert_ptr_nonnull(strstr(tl_valid_int(pool, "page", "1e3", 1, 1000, &v), "nombre entier"));
    ck_assert_ptr_nonnull(tl_valid_int(pool, "page", "99999999999999999999999999", 1, 1000, &v));
    ck_assert_ptr_nonnull(strstr(tl_valid_int(pool, "page", "", 1, 1000, &v), "vide"));
}
END_TEST

START_TEST(amounts)
{
    const char *v = NULL;
    ck_assert_ptr_null(tl_valid_amount(pool, "caution", "12,50", 10000, &v));
    ck_assert_str_eq(v, "12.50");
    ck_assert_ptr_null(tl_valid_amount(pool, "caution", "20", 10000, &v));
    ck_assert_str_eq(v, "20");
    ck_assert_ptr_null(tl_valid_amount(pool, "caution", "0.5", 10000, &v));
    ck_assert_str_eq(v, "0.5");
    ck_assert_ptr_null(tl_valid_amount(pool, "caution", "10000,00", 10000, &v));
    ck_assert_ptr_nonnull(strstr(tl_valid_amount(pool, "caution", "10000,01", 10000, &v), "jusqu'à 10000"));
    ck_assert_ptr_nonnull(strstr(tl_valid_amount(pool, "caution", "99999999999", 10000, &v), "jusqu'à"));
    ck_assert_ptr_nonnull(strstr(tl_valid_amount(pool, "caution", "1.2.3", 10000, &v), "montant"));
    ck_assert_ptr_nonnull(tl_valid_amount(pool, "caution", "12,505", 10000, &v));
    ck_assert_ptr_nonnull(tl_valid_amount(pool, "caution", "12,", 10000, &v));
    ck_assert_ptr_nonnull(tl_valid_amount(pool, "caution", ",5", 10000, &v));
    ck_assert_ptr_nonnull(tl_valid_amount(pool, "caution", "-3", 10000, &v));
    ck_assert_ptr_nonnull(tl_valid_amount(pool, "caution", "12 €", 10000, &v));
    ck_assert_ptr_nonnull(tl_valid_amount(pool, "caution", "", 10000, &v));
    ck_assert_ptr_nonnull(tl_valid_amount(pool, "caution", NULL, 10000, &v));
}
END_TEST

START_TEST(decimals)
{
    const char *v = NULL;
    ck_assert_ptr_null(tl_valid_decimal(pool, "poids", "12,125", 500, 3, &v));
    ck_assert_str_eq(v, "12.125");
    ck_assert_ptr_null(tl_valid_decimal(pool, "poids", "0.005", 500, 3, &v));
    ck_assert_str_eq(v, "0.005");
    ck_assert_ptr_nonnull(strstr(tl_valid_decimal(pool, "poids", "12,1255", 500, 3, &v), "un nombre"));
    ck_assert_ptr_nonnull(strstr(tl_valid_decimal(pool, "poids", "500,001", 500, 3, &v), "jusqu'à 500"));
    ck_assert_ptr_null(tl_valid_decimal(pool, "poids", "500,000", 500, 3, &v));
    ck_assert_ptr_nonnull(tl_valid_decimal(pool, "poids", "-1", 500, 3, &v));
    ck_assert_ptr_nonnull(tl_valid_decimal(pool, "poids", "5 000", 500, 3, &v));
    ck_assert_ptr_nonnull(tl_valid_decimal(pool, "nombre", "1,5", 500, 0, &v));
}
END_TEST

START_TEST(slugs)
{
    ck_assert_ptr_null(tl_valid_slug(pool, "catégorie", "fete-et-reception", 64));
    ck_assert_ptr_nonnull(tl_valid_slug(pool, "catégorie", "Bricolage", 64));
    ck_assert_ptr_nonnull(tl_valid_slug(pool, "catégorie", "a--b", 64));
    ck_assert_ptr_nonnull(tl_valid_slug(pool, "catégorie", "-a", 64));
    ck_assert_ptr_nonnull(tl_valid_slug(pool, "catégorie", "' OR 1=1 --", 64));
    ck_assert_ptr_nonnull(tl_valid_slug(pool, "catégorie", "", 64));
}
END_TEST

START_TEST(texts)
{
    ck_assert_ptr_null(tl_valid_text(pool, "mots", "perceuse à percussion", 10 * 2 + 1));
    ck_assert_ptr_nonnull(strstr(tl_valid_text(pool, "mots", "éééé", 3), "trop long"));
    ck_assert_ptr_null(tl_valid_text(pool, "mots", "éééé", 4));
    ck_assert_ptr_nonnull(tl_valid_text(pool, "mots", "a\x01" "b", 10));
    ck_assert_ptr_nonnull(tl_valid_text(pool, "mots", "\xff", 10));
    /* One line: a line break is a control character; in a textarea it is text. */
    ck_assert_ptr_nonnull(tl_valid_text(pool, "mots", "un\ndeux", 10));
    ck_assert_ptr_null(tl_valid_lines(pool, "texte", "un\r\ndeux\n\ttrois", 20));
    ck_assert_ptr_nonnull(strstr(tl_valid_lines(pool, "texte", "un\x01", 20), "contrôle"));
    ck_assert_ptr_nonnull(strstr(tl_valid_lines(pool, "texte", "un\x7f", 20), "contrôle"));
    ck_assert_ptr_nonnull(strstr(tl_valid_lines(pool, "texte", "é\né", 2), "trop long"));
}
END_TEST

START_TEST(choices)
{
    static const char *const sorts[] = { "pertinence", "titre", "recent", NULL };
    int i = -1;
    ck_assert_ptr_null(tl_valid_choice(pool, "tri", "titre", sorts, &i));
    ck_assert_int_eq(i, 1);
    ck_assert_ptr_nonnull(tl_valid_choice(pool, "tri", "prix", sorts, &i));
}
END_TEST

Suite *tl_valid_suite(void)
{
    Suite *s = suite_create("validation");
    TCase *tc = tcase_create("typed values");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, integers);
    tcase_add_test(tc, amounts);
    tcase_add_test(tc, decimals);
    tcase_add_test(tc, slugs);
    tcase_add_test(tc, texts);
    tcase_add_test(tc, choices);
    suite_add_tcase(s, tc);
    return s;
}
