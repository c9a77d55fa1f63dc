#include <string.h>
#include "unit.h"
#include "tl_utf8.h"

START_TEST(utf8_validation)
{
    ck_assert_int_eq(tl_utf8_valid("Grainothèque ♥ 🌱", strlen("Grainothèque ♥ 🌱")), 1);
    ck_assert_int_eq(tl_utf8_valid("\xC3", 1), 0);             /* cut short */
    ck_assert_int_eq(tl_utf8_valid("\xC0\xAF", 2), 0);         /* overlong '/' */
    ck_assert_int_eq(tl_utf8_valid("\xED\xA0\x80", 3), 0);     /* surrogate */
    ck_assert_int_eq(tl_utf8_valid("\xF4\x90\x80\x80", 4), 0); /* past U+10FFFF */
    ck_assert_int_eq(tl_utf8_valid("\xE9t\xE9", 3), 0);        /* Latin-1 */
}
END_TEST

START_TEST(decode_one_character)
{
    unsigned long cp = 0;

    ck_assert_uint_eq(tl_utf8_decode("a", 1, &cp), 1);
    ck_assert_uint_eq(cp, 'a');
    ck_assert_uint_eq(tl_utf8_decode("\xC3\xA8t\xC3\xA9", 5, &cp), 2);        /* è, then the rest */
    ck_assert_uint_eq(cp, 0xE8);
    ck_assert_uint_eq(tl_utf8_decode("\xE2\x99\xA5", 3, &cp), 3);             /* ♥ */
    ck_assert_uint_eq(cp, 0x2665);
    ck_assert_uint_eq(tl_utf8_decode("\xF0\x9F\x8C\xB1", 4, &cp), 4);         /* 🌱 */
    ck_assert_uint_eq(cp, 0x1F331);
    ck_assert_uint_eq(tl_utf8_decode("\xF4\x8F\xBF\xBF", 4, &cp), 4);         /* the last code point */
    ck_assert_uint_eq(cp, 0x10FFFF);
    ck_assert_uint_eq(tl_utf8_decode("\xE2\x99\xA5", 2, NULL), 0);            /* cut by n */
    ck_assert_uint_eq(tl_utf8_decode("", 0, NULL), 0);
    ck_assert_uint_eq(tl_utf8_decode("\x80", 1, NULL), 0);                    /* a continuation */
    ck_assert_uint_eq(tl_utf8_decode("\xC1\xBF", 2, NULL), 0);                /* overlong */
    ck_assert_uint_eq(tl_utf8_decode("\xE0\x9F\xBF", 3, NULL), 0);            /* overlong */
    ck_assert_uint_eq(tl_utf8_decode("\xF0\x8F\xBF\xBF", 4, NULL), 0);        /* overlong */
    ck_assert_uint_eq(tl_utf8_decode("\xED\xBF\xBF", 3, NULL), 0);            /* surrogate */
    ck_assert_uint_eq(tl_utf8_decode("\xF5\x80\x80\x80", 4, NULL), 0);        /* no such lead */
    ck_assert_uint_eq(tl_utf8_decode("\xC3(", 2, NULL), 0);                   /* a broken sequence */
}
END_TEST

START_TEST(lead_bytes_announce_lengths)
{
    ck_assert_uint_eq(tl_utf8_lead_len('a'), 1);
    ck_assert_uint_eq(tl_utf8_lead_len(0x80), 1);
    ck_assert_uint_eq(tl_utf8_lead_len(0xC3), 2);
    ck_assert_uint_eq(tl_utf8_lead_len(0xE2), 3);
    ck_assert_uint_eq(tl_utf8_lead_len(0xF0), 4);
}
END_TEST

Suite *tl_utf8_suite(void)
{
    Suite *s = suite_create("utf8");
    TCase *tc = tcase_create("decoder");
    tcase_add_test(tc, utf8_validation);
    tcase_add_test(tc, decode_one_character);
    tcase_add_test(tc, lead_bytes_announce_lengths);
    suite_add_tcase(s, tc);
    return s;
}
