#include <string.h>
#include <apr_pools.h>
#include <apr_strings.h>
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

static const char *const secrets[] = { "jeton", NULL };

START_TEST(secrets_are_masked_in_request_lines)
{
    apr_pool_t *p;
    const char *same = "GET /tierslieux/outils?q=scie HTTP/1.1";

    apr_pool_create(&p, NULL);
    ck_assert_str_eq(tl_query_mask(p, "GET /a?jeton=SECRET HTTP/1.1", secrets), "GET /a?jeton=- HTTP/1.1");
    ck_assert_str_eq(tl_query_mask(p, "GET /a?x=1&jeton=S&y=2&jeton=T HTTP/1.1", secrets),
                     "GET /a?x=1&jeton=-&y=2&jeton=- HTTP/1.1");
    /* An empty value grows by one byte: the case that once overflowed. */
    ck_assert_str_eq(tl_query_mask(p, "GET /a?jeton= HTTP/1.1", secrets), "GET /a?jeton=- HTTP/1.1");
    ck_assert_str_eq(tl_query_mask(p, "GET /a?jeton=&jeton=&jeton=", secrets), "GET /a?jeton=-&jeton=-&jeton=-");
    /* Other names and look-alikes stay as they are. */
    ck_assert_str_eq(tl_query_mask(p, "GET /a?xjeton=1&jetons=2&jeton&jeton-x=3 HTTP/1.1", secrets),
                     "GET /a?xjeton=1&jetons=2&jeton&jeton-x=3 HTTP/1.1");
    ck_assert_ptr_eq(tl_query_mask(p, same, secrets), same);
    ck_assert_ptr_null(tl_query_mask(p, NULL, secrets));
    apr_pool_destroy(p);
}
END_TEST

/* Every spelling of the name that the parser decodes to "jeton" is masked,
 * checked against the parser itself: what it reads as "jeton" in the
 * masked line is "-". */
START_TEST(every_spelling_the_parser_reads_is_masked)
{
    static const char *const spellings[] = {
        "jeton=S3CR3T", "%6Aeton=S3CR3T", "%6aeton=S3CR3T", "j%65ton=S3CR3T", "%6A%65%74%6F%6E=S3CR3T",
        "%6a%65%74%6f%6e=S3CR3T", "jeto%6E=S3CR3T", "x=1&jeton=S3CR3T", "jeton=S3CR3T&x=1", "jeton=S3CR3T#f",
        "jeton=S3CR3T?x=1", "jeton=S3CR3T;x=1", "jeton=S3CR3T/x", "jeton=%53%33CR3T", "jeton=S3CR3T+",
        "a=%&jeton=S3CR3T", "jeton=1&jeton=S3CR3T", "&&jeton=S3CR3T", "jeton=S3CR3T&jeton=S3CR3T",
        NULL
    };
    apr_pool_t *p;
    int i, j;

    apr_pool_create(&p, NULL);
    for (i = 0; spellings[i]; i++) {
        const char *line = apr_pstrcat(p, "GET /tierslieux/compte/mot-de-passe?", spellings[i], " HTTP/1.1", NULL);
        const char *masked = tl_query_mask(p, line, secrets), *q = strchr(masked, '?') + 1;
        tl_params before, after;
        const char *err = NULL;
        size_t qlen = (size_t)(strrchr(masked, ' ') - q);

        ck_assert_msg(strstr(masked, "S3CR3T") == NULL && strstr(masked, "%53%33CR3T") == NULL, "%s", masked);
        /* Whatever the parser reads from the original, it reads "-" from the masked line. */
        if (tl_query_parse(p, strchr(line, '?') + 1, strlen(spellings[i]), &before, &err) == 0) {
            ck_assert_int_eq(tl_query_parse(p, q, qlen, &after, &err), 0);
            ck_assert_int_eq(after.n, before.n);
            for (j = 0; j < after.n; j++) {
                if (strcmp(after.items[j].name, "jeton") == 0) {
                    ck_assert_str_eq(after.items[j].value, "-");
                }
            }
        }
    }
    /* Names the parser does not read as "jeton", masked all the same: ';'
     * separators, a name in the path, another case, an escaped '?'. */
    ck_assert_str_eq(tl_query_mask(p, "GET /a?x=1;jeton=S3CR3T HTTP/1.1", secrets), "GET /a?x=1;jeton=- HTTP/1.1");
    ck_assert_str_eq(tl_query_mask(p, "GET /a/jeton=S3CR3T HTTP/1.1", secrets), "GET /a/jeton=- HTTP/1.1");
    ck_assert_str_eq(tl_query_mask(p, "GET /a%3Fjeton=S3CR3T HTTP/1.1", secrets), "GET /a%3Fjeton=- HTTP/1.1");
    ck_assert_str_eq(tl_query_mask(p, "GET /a?JETON=S3CR3T&Jeton=S3CR3T HTTP/1.1", secrets),
                     "GET /a?JETON=-&Jeton=- HTTP/1.1");
    ck_assert_str_eq(tl_query_mask(p, "GET /a?x%26jeton=S3CR3T HTTP/1.1", secrets), "GET /a?x%26jeton=- HTTP/1.1");
    /* A name with a broken escape is compared as it came. */
    ck_assert_str_eq(tl_query_mask(p, "GET /a?jeton=S3CR3T&%=1 HTTP/1.1", secrets), "GET /a?jeton=-&%=1 HTTP/1.1");
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
    tcase_add_test(tc, every_spelling_the_parser_reads_is_masked);
    suite_add_tcase(s, tc);
    return s;
}
