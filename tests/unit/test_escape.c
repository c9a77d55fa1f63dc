#include <string.h>
#include <apr_pools.h>
#include "unit.h"
#include "tl_escape.h"

static apr_pool_t *pool;

static void setup(void) { apr_pool_create(&pool, NULL); }
static void teardown(void) { apr_pool_destroy(pool); }

static const char *run(void (*fn)(tl_buf *, const char *, size_t), const char *s)
{
    tl_buf b;
    tl_buf_init(&b, pool, 16);
    fn(&b, s, s ? strlen(s) : 0);
    return tl_buf_cstr(&b);
}

START_TEST(text_escapes_markup)
{
    ck_assert_str_eq(run(tl_escape_text, "<script>alert('x') & \"y\"</script>"),
                     "&lt;script&gt;alert('x') &amp; \"y\"&lt;/script&gt;");
    ck_assert_str_eq(run(tl_escape_text, "Perceuse à percussion"), "Perceuse à percussion");
}
END_TEST

START_TEST(attr_escapes_quotes)
{
    ck_assert_str_eq(run(tl_escape_attr, "a\"b'c<d>&"), "a&quot;b&#39;c&lt;d&gt;&amp;");
}
END_TEST

START_TEST(url_refuses_dangerous_schemes)
{
    ck_assert_str_eq(run(tl_escape_url, "javascript:alert(1)"), "#");
    ck_assert_str_eq(run(tl_escape_url, "JaVaScRiPt:alert(1)"), "#");
    ck_assert_str_eq(run(tl_escape_url, "data:text/html,x"), "#");
    ck_assert_str_eq(run(tl_escape_url, "java\tscript:alert(1)"), "#");
    ck_assert_str_eq(run(tl_escape_url, "https://exemple.fr/?a=1&b=2"), "https://exemple.fr/?a=1&amp;b=2");
    ck_assert_str_eq(run(tl_escape_url, "/tierslieux/outils?q=a&page=2"), "/tierslieux/outils?q=a&amp;page=2");
    ck_assert_str_eq(run(tl_escape_url, "mailto:contact@exemple.fr"), "mailto:contact@exemple.fr");
    ck_assert_str_eq(run(tl_escape_url, "./a:b"), "./a:b");
    ck_assert_str_eq(run(tl_escape_url, "\"onmouseover=x"), "&quot;onmouseover=x");
}
END_TEST

START_TEST(url_part_percent_encodes)
{
    ck_assert_str_eq(run(tl_escape_url_part, "scie à métaux&x=1/2"), "scie%20%C3%A0%20m%C3%A9taux%26x%3D1%2F2");
    ck_assert_str_eq(run(tl_escape_url_part, "a-b_c.d~"), "a-b_c.d~");
}
END_TEST

START_TEST(json_is_safe_in_script)
{
    ck_assert_str_eq(run(tl_escape_json, "</script><b>\"x\"\\ & \n"),
                     "\"\\u003c/script\\u003e\\u003cb\\u003e\\\"x\\\"\\\\ \\u0026 \\u000a\"");
    ck_assert_str_eq(run(tl_escape_json, "a\xE2\x80\xA8" "b"), "\"a\\u2028b\"");
    ck_assert_str_eq(run(tl_escape_json, NULL), "null");
}
END_TEST

Suite *tl_escape_suite(void)
{
    Suite *s = suite_create("escape");
    TCase *tc = tcase_create("contexts");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, text_escapes_markup);
    tcase_add_test(tc, attr_escapes_quotes);
    tcase_add_test(tc, url_refuses_dangerous_schemes);
    tcase_add_test(tc, url_part_percent_encodes);
    tcase_add_test(tc, json_is_safe_in_script);
    suite_add_tcase(s, tc);
    return s;
}
