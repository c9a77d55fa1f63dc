#include <string.h>
#include <apr_pools.h>
#include "unit.h"
#include "tl_query.h"

static apr_pool_t *pool;
static void setup(void) { apr_pool_create(&pool, NULL); }
static void teardown(void) { apr_pool_destroy(pool); }

static int parse(const char *qs, tl_params *q, const char **err)
{
    return tl_query_parse(pool, qs, strlen(qs), q, err);
}

START_TEST(decodes_pairs)
{
    tl_params q;
    const char *err = NULL;
    ck_assert_int_eq(parse("q=scie+%C3%A0+m%C3%A9taux&categorie=bricolage&dispo&&page=2", &q, &err), 0);
    ck_assert_int_eq(q.n, 4);
    ck_assert_str_eq(tl_query_get(&q, "q"), "scie à métaux");
    ck_assert_str_eq(tl_query_get(&q, "categorie"), "bricolage");
    ck_assert_str_eq(tl_query_get(&q, "dispo"), "");
    ck_assert_str_eq(tl_query_get(&q, "page"), "2");
    ck_assert_ptr_null(tl_query_get(&q, "absent"));
}
END_TEST

START_TEST(refuses_bad_input)
{
    tl_params q;
    const char *err = NULL;
    char many[400] = "";
    int i;

    ck_assert_int_eq(parse("q=%E9t%E9", &q, &err), -1);
    ck_assert_ptr_nonnull(strstr(err, "UTF-8"));
    ck_assert_int_eq(parse("q=%", &q, &err), -1);
    ck_assert_int_eq(parse("q=%4", &q, &err), -1);
    ck_assert_int_eq(parse("q=%zz", &q, &err), -1);
    ck_assert_int_eq(parse("q=a%00b", &q, &err), -1);
    ck_assert_ptr_nonnull(strstr(err, "contrôle"));
    for (i = 0; i < 40; i++) {
        strcat(many, "a=1&");
    }
    ck_assert_int_eq(parse(many, &q, &err), -1);
    ck_assert_ptr_nonnull(strstr(err, "trop de paramètres"));
}
END_TEST

START_TEST(builds_urls)
{
    const char *pairs[] = { "q", "scie à bois", "categorie", "", "page", "3", "x", NULL, NULL };
    ck_assert_str_eq(tl_url_build(pool, "/tierslieux/outils", pairs),
                     "/tierslieux/outils?q=scie%20%C3%A0%20bois&page=3");
    ck_assert_str_eq(tl_url_build(pool, "/a", NULL), "/a");
}
END_TEST

START_TEST(secrets_are_masked_in_request_lines)
{
    apr_pool_t *p;
    const char *same = "GET /tierslieux/outils?q=scie HTTP/1.1";

    apr_pool_create(&p, NULL);
    ck_assert_str_eq(tl_query_mask(p, "GET /a?jeton=SECRET HTTP/1.1", "jeton"), "GET /a?jeton=- HTTP/1.1");
    ck_assert_str_eq(tl_query_mask(p, "GET /a?x=1&jeton=S&y=2&jeton=T HTTP/1.1", "jeton"),
                     "GET /a?x=1&jeton=-&y=2&jeton=- HTTP/1.1");
    /* An empty value grows by one byte: the case that once overflowed. */
    ck_assert_str_eq(tl_query_mask(p, "GET /a?jeton= HTTP/1.1", "jeton"), "GET /a?jeton=- HTTP/1.1");
    ck_assert_str_eq(tl_query_mask(p, "GET /a?jeton=&jeton=&jeton=", "jeton"), "GET /a?jeton=-&jeton=-&jeton=-");
    /* Other names, look-alikes and paths stay as they are. */
    ck_assert_str_eq(tl_query_mask(p, "GET /a?xjeton=1&jetons=2&jeton HTTP/1.1", "jeton"),
                     "GET /a?xjeton=1&jetons=2&jeton HTTP/1.1");
    ck_assert_ptr_eq(tl_query_mask(p, same, "jeton"), same);
    ck_assert_str_eq(tl_query_mask(p, "GET /jeton=x HTTP/1.1", "jeton"), "GET /jeton=x HTTP/1.1");
    ck_assert_ptr_null(tl_query_mask(p, NULL, "jeton"));
    apr_pool_destroy(p);
}
END_TEST

Suite *tl_query_suite(void)
{
    Suite *s = suite_create("query");
    TCase *tc = tcase_create("parse and build");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, decodes_pairs);
    tcase_add_test(tc, refuses_bad_input);
    tcase_add_test(tc, builds_urls);
    tcase_add_test(tc, secrets_are_masked_in_request_lines);
    suite_add_tcase(s, tc);
    return s;
}
