#include <string.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include "unit.h"
#include "tl_seal.h"

static apr_pool_t *pool;
static unsigned char key[TL_SEAL_KEY_LEN], other[TL_SEAL_KEY_LEN];

static void setup(void)
{
    apr_pool_create(&pool, NULL);
    tl_seal_key((const unsigned char *)"0123456789abcdef0123456789abcdef", 32, "session", key);
    tl_seal_key((const unsigned char *)"0123456789abcdef0123456789abcdef", 32, "autre", other);
}

static void teardown(void) { apr_pool_destroy(pool); }

START_TEST(sealed_text_opens_with_its_key_only)
{
    const char *text = "httpd_username=benevole&httpd_password=Grelinette-2026";
    const char *s = tl_seal(pool, key, text, strlen(text));
    size_t n = 0;

    ck_assert_ptr_nonnull(s);
    ck_assert_ptr_null(strstr(s, "Grelinette"));
    ck_assert_str_eq(tl_unseal(pool, key, s, &n), text);
    ck_assert_int_eq(n, strlen(text));
    ck_assert_ptr_null(tl_unseal(pool, other, s, &n));
    ck_assert_str_ne(s, tl_seal(pool, key, text, strlen(text)));      /* a fresh IV each time */
}
END_TEST

START_TEST(tampered_or_garbage_is_refused)
{
    char *s = apr_pstrdup(pool, tl_seal(pool, key, "a=1", 3));
    size_t n;

    s[5] = s[5] == 'A' ? 'B' : 'A';
    ck_assert_ptr_null(tl_unseal(pool, key, s, &n));
    ck_assert_ptr_null(tl_unseal(pool, key, "", &n));
    ck_assert_ptr_null(tl_unseal(pool, key, "!!!!", &n));
    ck_assert_ptr_null(tl_unseal(pool, key, "QUJD", &n));               /* too short */
    ck_assert_ptr_null(tl_unseal(pool, key, NULL, &n));
}
END_TEST

Suite *tl_seal_suite(void)
{
    Suite *s = suite_create("seal");
    TCase *tc = tcase_create("aes-gcm");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, sealed_text_opens_with_its_key_only);
    tcase_add_test(tc, tampered_or_garbage_is_refused);
    suite_add_tcase(s, tc);
    return s;
}
