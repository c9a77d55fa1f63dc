#include <string.h>
#include <apr_pools.h>
#include <apr_md5.h>
#include "unit.h"
#include "tl_token.h"

static apr_pool_t *pool;

static void setup(void) { apr_pool_create(&pool, NULL); }
static void teardown(void) { apr_pool_destroy(pool); }

START_TEST(a_token_is_43_base64url_characters_and_its_hash_is_stored)
{
    const char *t1, *h1, *t2, *h2;
    ck_assert_int_eq(tl_token_make(pool, &t1, &h1), APR_SUCCESS);
    ck_assert_int_eq(tl_token_make(pool, &t2, &h2), APR_SUCCESS);
    ck_assert_int_eq(strlen(t1), 43);
    ck_assert_int_eq(strspn(t1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), 43);
    ck_assert_str_ne(t1, t2);
    ck_assert_int_eq(strlen(h1), 64);
    ck_assert_str_eq(tl_token_sha256(pool, t1), h1);
    ck_assert_str_ne(h1, h2);
}
END_TEST

START_TEST(only_a_well_formed_token_is_hashed)
{
    /* SHA-256 of 43 "A": a known value, computed by sha256sum. */
    ck_assert_str_eq(tl_token_sha256(pool, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
                     "0f007385b6f9d4b7eeb2748605afe1a984a0a3bfa3f014d09e2a784ce9e5cd1a");
}
END_TEST

START_TEST(malformed_tokens_are_refused)
{
    ck_assert_ptr_null(tl_token_sha256(pool, NULL));
    ck_assert_ptr_null(tl_token_sha256(pool, ""));
    ck_assert_ptr_null(tl_token_sha256(pool, "AAAA"));
    ck_assert_ptr_null(tl_token_sha256(pool, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="));
    ck_assert_ptr_null(tl_token_sha256(pool, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'"));
    ck_assert_ptr_null(tl_token_sha256(pool, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
}
END_TEST

START_TEST(passwords_need_twelve_characters)
{
    ck_assert_ptr_nonnull(tl_password_check("court"));
    ck_assert_ptr_nonnull(tl_password_check("onze-caract"));
    ck_assert_ptr_null(tl_password_check("douze-caract"));
    /* Accented letters count once: 12 characters, 14 bytes. */
    ck_assert_ptr_null(tl_password_check("éléphant-rou"));
    ck_assert_ptr_nonnull(tl_password_check("éléphant-ro"));
    ck_assert_ptr_nonnull(tl_password_check("0123456789012345678901234567890123456789012345678901234567890123456789012"));
}
END_TEST

START_TEST(a_password_hash_is_bcrypt_with_a_fresh_salt)
{
    const char *a = tl_password_hash(pool, "Arrosoir-en-2026");
    const char *b = tl_password_hash(pool, "Arrosoir-en-2026");
    ck_assert_ptr_nonnull(a);
    ck_assert_int_eq(strncmp(a, "$2y$11$", 7), 0);
    ck_assert_str_ne(a, b);
    ck_assert_int_eq(apr_password_validate("Arrosoir-en-2026", a), APR_SUCCESS);
    ck_assert_int_ne(apr_password_validate("Arrosoir-en-2027", a), APR_SUCCESS);
}
END_TEST

Suite *tl_token_suite(void)
{
    Suite *s = suite_create("token");
    TCase *tc = tcase_create("token");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, a_token_is_43_base64url_characters_and_its_hash_is_stored);
    tcase_add_test(tc, only_a_well_formed_token_is_hashed);
    tcase_add_test(tc, malformed_tokens_are_refused);
    tcase_add_test(tc, passwords_need_twelve_characters);
    tcase_add_test(tc, a_password_hash_is_bcrypt_with_a_fresh_salt);
    suite_add_tcase(s, tc);
    return s;
}
