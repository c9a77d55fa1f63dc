#include <string.h>
#include <apr_pools.h>
#include "unit.h"
#include "tl_sip2.h"
#include "tl_json.h"

static apr_pool_t *pool;

static void setup(void) { apr_pool_create(&pool, NULL); }
static void teardown(void) { apr_pool_destroy(pool); }

START_TEST(the_checksum_is_the_specifications)
{
    /* The 3M SIP2 developers' guide's example (its page 26), and a login
     * message: known checksums, byte for byte. */
    const char *a = "990 402.00AY1AZ", *b = "9300CNLoginUserID|COLoginPassword|CPLocationCode|AY5AZ";
    ck_assert_uint_eq(tl_sip2_checksum(a, strlen(a)), 0xFCB4);
    /* Computed apart (Python: -sum(bytes) & 0xFFFF). */
    ck_assert_uint_eq(tl_sip2_checksum(b, strlen(b)), 0xEC7B);
}
END_TEST

START_TEST(a_login_message_byte_for_byte)
{
    ck_assert_str_eq(tl_sip2_login(pool, "LoginUserID", "LoginPassword", "LocationCode", 5),
                     "9300CNLoginUserID|COLoginPassword|CPLocationCode|AY5AZEC7B\r");
    /* Without a location, the CP field is left out and the sum follows. */
    {
        const char *m = tl_sip2_login(pool, "tl", "s3cret", NULL, 0);
        ck_assert_int_eq(strncmp(m, "9300CNtl|COs3cret|AY0AZ", 23), 0);
        ck_assert_int_eq(tl_sip2_verify(m, strlen(m), 0), 0);
    }
}
END_TEST

START_TEST(a_value_cannot_add_a_field)
{
    ck_assert_ptr_null(tl_sip2_login(pool, "a|CNb", "x", NULL, 1));
    ck_assert_ptr_null(tl_sip2_login(pool, "a", "x\r", NULL, 1));
    ck_assert_ptr_null(tl_sip2_patron_status(pool, "MED", "123|AD0000", "", "1234", "20261207    101500", 1));
    ck_assert_ptr_null(tl_sip2_patron_status(pool, "MED", "123", "", "12\n34", "20261207    101500", 1));
    ck_assert_ptr_null(tl_sip2_patron_status(pool, "MED", "123", "", "1234", "2026", 1));
}
END_TEST

START_TEST(a_patron_status_request_byte_for_byte)
{
    const char *m = tl_sip2_patron_status(pool, "MED", "29000123", "", "1234", "20261207    101500", 2);
    /* The checksum computed apart (Python: -sum(bytes) & 0xFFFF). */
    ck_assert_str_eq(m, "2300220261207    101500AOMED|AA29000123|AC|AD1234|AY2AZF32B\r");
    ck_assert_int_eq(tl_sip2_verify(m, strlen(m), 2), 0);
}
END_TEST

START_TEST(a_wrong_checksum_or_sequence_is_refused)
{
    const char *ok = "941AY1AZFDFC\r";
    char bad[32];

    ck_assert_uint_eq(tl_sip2_checksum("941AY1AZ", 8), 0xFDFC);
    ck_assert_int_eq(tl_sip2_verify(ok, strlen(ok), 1), 0);
    ck_assert_int_eq(tl_sip2_verify(ok, strlen(ok), 2), -1);        /* an answer to another message */
    strcpy(bad, ok);
    bad[2] = '0';                                                    /* a flipped byte */
    ck_assert_int_eq(tl_sip2_verify(bad, strlen(bad), 1), -1);
    ck_assert_int_eq(tl_sip2_verify("941AY1AZFDFG\r", 13, 1), -1);
    /* Error detection off on that system: nothing to check. */
    ck_assert_int_eq(tl_sip2_verify("941\r", 4, 1), 0);
    ck_assert_int_eq(tl_sip2_login_ok(ok, strlen(ok)), 1);
    ck_assert_int_eq(tl_sip2_login_ok("940AY1AZFDFD\r", 13), 0);
    ck_assert_int_eq(tl_sip2_login_ok("24", 2), -1);
}
END_TEST

START_TEST(a_patron_status_response_is_read)
{
    tl_sip2_patron pt;
    const char *m = "24              002" "20261207    101501"
                    "AOMED|AA29000123|AEMartin, Léa|BLY|CQY|AFBonjour|AY2AZ0000\r";

    ck_assert_int_eq(tl_sip2_parse_patron(pool, m, strlen(m), &pt), 0);
    ck_assert_str_eq(pt.patron_id, "29000123");
    ck_assert_str_eq(pt.name, "Martin, Léa");
    ck_assert_str_eq(pt.screen, "Bonjour");
    ck_assert_int_eq(pt.valid_patron, 1);
    ck_assert_int_eq(pt.valid_password, 1);
    ck_assert_int_eq(tl_sip2_blocked(&pt), 0);
}
END_TEST

START_TEST(a_blocked_card_and_a_wrong_pin_are_told_apart)
{
    tl_sip2_patron pt;
    const char *blocked = "24Y   Y        002" "20261207    101501" "AOMED|AA29000123|AEMartin, Léa|BLY|CQY|";
    const char *lost = "24" "    Y" "         " "002" "20261207    101501" "AOMED|AA29000123|AEMartin|BLY|CQY|";
    const char *wrong = "24              002" "20261207    101501" "AOMED|AA29000123|AE|BLY|CQN|";
    const char *unknown = "24YYYY          002" "20261207    101501" "AOMED|AA29000999|AE|BLN|";

    /* The fixed part has 14 flags, however many are set. */
    ck_assert_int_eq(tl_sip2_parse_patron(pool, blocked, strlen(blocked), &pt), -1);
    blocked = "24" "Y" "             " "002" "20261207    101501" "AOMED|AA29000123|AEMartin, Léa|BLY|CQY|";
    ck_assert_int_eq(tl_sip2_parse_patron(pool, blocked, strlen(blocked), &pt), 0);
    ck_assert_int_eq(tl_sip2_blocked(&pt), 1);
    ck_assert_int_eq(tl_sip2_parse_patron(pool, lost, strlen(lost), &pt), 0);
    ck_assert_int_eq(tl_sip2_blocked(&pt), 1);
    ck_assert_int_eq(tl_sip2_parse_patron(pool, wrong, strlen(wrong), &pt), 0);
    ck_assert_int_eq(pt.valid_password, 0);
    ck_assert_int_eq(tl_sip2_parse_patron(pool, unknown, strlen(unknown), &pt), 0);
    ck_assert_int_eq(pt.valid_patron, 0);
    ck_assert_int_eq(pt.valid_password, -1);
    ck_assert_int_eq(tl_sip2_parse_patron(pool, "24  ", 4, &pt), -1);
    ck_assert_int_eq(tl_sip2_parse_patron(pool, "94100", 5, &pt), -1);
}
END_TEST

START_TEST(json_members_are_read)
{
    const char *v;
    const char *j = "{\"patron_id\": 42, \"cardnumber\":\"29000123\", \"library\":{\"name\":\"x\",\"l\":[1,{\"a\":\"}\"}]},"
                    " \"surname\":\"L\\u00e9a \\\"La\\\"\", \"restricted\": true, \"expired\":false, \"x\":null}";

    ck_assert_int_eq(tl_json_member(pool, j, strlen(j), "patron_id", &v), TL_JSON_NUMBER);
    ck_assert_str_eq(v, "42");
    ck_assert_int_eq(tl_json_member(pool, j, strlen(j), "cardnumber", &v), TL_JSON_STRING);
    ck_assert_str_eq(v, "29000123");
    ck_assert_int_eq(tl_json_member(pool, j, strlen(j), "surname", &v), TL_JSON_STRING);
    ck_assert_str_eq(v, "Léa \"La\"");
    ck_assert_int_eq(tl_json_member(pool, j, strlen(j), "restricted", &v), TL_JSON_TRUE);
    ck_assert_int_eq(tl_json_member(pool, j, strlen(j), "expired", &v), TL_JSON_FALSE);
    ck_assert_int_eq(tl_json_member(pool, j, strlen(j), "x", &v), TL_JSON_NULL);
    ck_assert_int_eq(tl_json_member(pool, j, strlen(j), "name", &v), TL_JSON_NONE);   /* nested: not top level */
    ck_assert_int_eq(tl_json_member(pool, j, strlen(j), "library", &v), TL_JSON_OTHER);
}
END_TEST

START_TEST(malformed_json_is_refused)
{
    const char *v;
    static const char *const bad[] = { "", "[]", "{", "{\"a\"}", "{\"a\":}", "{\"a\":\"\\u0000\"}",
                                       "{\"b\":1 \"a\":2}", "{\"a\":\"x", "{\"b\":[1,2}", "{\"a\":\"\\q\"}" };
    size_t i;
    char deep[200];

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(tl_json_member(pool, bad[i], strlen(bad[i]), "a", &v), TL_JSON_NONE);
    }
    memset(deep, '[', sizeof deep);
    memcpy(deep, "{\"b\":", 5);
    deep[sizeof deep - 1] = '\0';
    ck_assert_int_eq(tl_json_member(pool, deep, strlen(deep), "a", &v), TL_JSON_NONE);
    ck_assert_str_eq(tl_json_quote(pool, "a\"b\\c\n"), "a\\\"b\\\\c\\u000a");
}
END_TEST

START_TEST(the_personal_name_is_split)
{
    const char *f, *g;

    tl_sip2_split_name(pool, "Martin, Léa", &f, &g);
    ck_assert_str_eq(f, "Martin");
    ck_assert_str_eq(g, "Léa");
    tl_sip2_split_name(pool, "  Léa  Le Goff ", &f, &g);
    ck_assert_str_eq(f, "Le Goff");
    ck_assert_str_eq(g, "Léa");
    tl_sip2_split_name(pool, "Martin", &f, &g);
    ck_assert_str_eq(f, "Martin");
    ck_assert_str_eq(g, "");
}
END_TEST

Suite *tl_sip2_suite(void)
{
    Suite *s = suite_create("sip2");
    TCase *tc = tcase_create("messages");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, the_checksum_is_the_specifications);
    tcase_add_test(tc, a_login_message_byte_for_byte);
    tcase_add_test(tc, a_value_cannot_add_a_field);
    tcase_add_test(tc, a_patron_status_request_byte_for_byte);
    tcase_add_test(tc, a_wrong_checksum_or_sequence_is_refused);
    tcase_add_test(tc, a_patron_status_response_is_read);
    tcase_add_test(tc, a_blocked_card_and_a_wrong_pin_are_told_apart);
    tcase_add_test(tc, the_personal_name_is_split);
    tcase_add_test(tc, json_members_are_read);
    tcase_add_test(tc, malformed_json_is_refused);
    suite_add_tcase(s, tc);
    return s;
}
