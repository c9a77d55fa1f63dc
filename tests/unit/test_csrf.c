#include <string.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include "unit.h"
#include "tl_csrf.h"

static apr_pool_t *pool;
static const unsigned char secret[32] = "0123456789abcdef0123456789abcdef";
static const unsigned char other[32] = "fedcba9876543210fedcba9876543210";
static const apr_time_t now = APR_TIME_C(1795000000) * APR_USEC_PER_SEC;

static void setup(void) { apr_pool_create(&pool, NULL); }
static void teardown(void) { apr_pool_destroy(pool); }

static const char *make(const char *subject, const char *form)
{
    return tl_csrf_make(pool, secret, sizeof(secret), subject, form, now, 3600);
}

START_TEST(a_fresh_token_is_accepted)
{
    const char *t = make("benevole.mediatheque", "graines-depot");
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(strlen(strchr(t, '.') + 1), 43);
    ck_assert_int_eq(tl_csrf_check(secret, sizeof(secret), "benevole.mediatheque", "graines-depot", t,
                                   now + APR_USEC_PER_SEC * 60), TL_CSRF_OK);
}
END_TEST

START_TEST(a_token_is_bound_to_its_person_form_and_secret)
{
    const char *t = make("benevole.mediatheque", "graines-depot");
    ck_assert_int_eq(tl_csrf_check(secret, sizeof(secret), "habitant", "graines-depot", t, now), TL_CSRF_BAD);
    ck_assert_int_eq(tl_csrf_check(secret, sizeof(secret), "benevole.mediatheque", "pret", t, now), TL_CSRF_BAD);
    ck_assert_int_eq(tl_csrf_check(other, sizeof(other), "benevole.mediatheque", "graines-depot", t, now),
                     TL_CSRF_BAD);
    /* fields are separated: ("ab", "c") is not ("a", "bc") */
    ck_assert_int_eq(tl_csrf_check(secret, sizeof(secret), "benevole.mediathequegraines", "-depot", t, now),
                     TL_CSRF_BAD);
}
END_TEST

START_TEST(an_old_token_has_expired)
{
    const char *t = make("a", "f");
    ck_assert_int_eq(tl_csrf_check(secret, sizeof(secret), "a", "f", t, now + APR_USEC_PER_SEC * 3601),
                     TL_CSRF_EXPIRED);
}
END_TEST

START_TEST(tampered_or_garbage_tokens_are_refused)
{
    char *t = apr_pstrdup(pool, make("a", "f"));
    char *later;

    ck_assert_int_eq(tl_csrf_check(secret, sizeof(secret), "a", "f", NULL, now), TL_CSRF_MISSING);
    ck_assert_int_eq(tl_csrf_check(secret, sizeof(secret), "a", "f", "", now), TL_CSRF_MISSING);
    ck_assert_int_eq(tl_csrf_check(secret, sizeof(secret), "a", "f", "abc", now), TL_CSRF_BAD);
    ck_assert_int_eq(tl_csrf_check(secret, sizeof(secret), "a", "f", "99999999999999999999999.x", now), TL_CSRF_BAD);
    /* pushing the expiry later breaks the MAC */
    later = apr_pstrcat(pool, "9", t, NULL);
    ck_assert_int_eq(tl_csrf_check(secret, sizeof(secret), "a", "f", later, now), TL_CSRF_BAD);
    t[strlen(t) - 1] = t[strlen(t) - 1] == 'A' ? 'B' : 'A';
    ck_assert_int_eq(tl_csrf_check(secret, sizeof(secret), "a", "f", t, now), TL_CSRF_BAD);
}
END_TEST

Suite *tl_csrf_suite(void)
{
    Suite *s = suite_create("csrf");
    TCase *tc = tcase_create("tokens");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, a_fresh_token_is_accepted);
    tcase_add_test(tc, a_token_is_bound_to_its_person_form_and_secret);
    tcase_add_test(tc, an_old_token_has_expired);
    tcase_add_test(tc, tampered_or_garbage_tokens_are_refused);
    suite_add_tcase(s, tc);
    return s;
}
