#include <string.h>
#include <apr_pools.h>
#include "unit.h"
#include "tl_atom.h"
#include "tl_date.h"
#include "tl_escape.h"

static apr_pool_t *pool;

static void setup(void)
{
    apr_pool_create(&pool, NULL);
}

static void teardown(void)
{
    apr_pool_destroy(pool);
}

static int64_t utc(int y, int m, int d, int hh, int mm, int ss)
{
    return tl_days_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60 + ss;
}

static const char *text(const char *s, size_t n)
{
    tl_buf b;

    tl_buf_init(&b, pool, 16);
    tl_atom_text(&b, s, n);
    return tl_buf_cstr(&b);
}

START_TEST(text_is_escaped_and_cleaned)
{
    ck_assert_str_eq(text("Scie & <marteau> \"l'an\"", 24), "Scie &amp; &lt;marteau&gt; &quot;l&#39;an&quot;");
    /* XML 1.0 forbids these controls: dropped; tab and newlines kept. */
    ck_assert_str_eq(text("a\x01" "b\x0B" "c\td\ne\rf", 11), "abc\td\ne\rf");
    /* A stray byte, a cut sequence, U+FFFE: each becomes U+FFFD. */
    ck_assert_str_eq(text("caf\xC3", 4), "caf\xEF\xBF\xBD");
    ck_assert_str_eq(text("x\xFFy", 3), "x\xEF\xBF\xBDy");
    ck_assert_str_eq(text("\xEF\xBF\xBE", 3), "\xEF\xBF\xBD");
    ck_assert_str_eq(text("Pré à vélo", strlen("Pré à vélo")), "Pré à vélo");
    /* A NUL inside the given length is dropped, not a cut. */
    ck_assert_str_eq(text("a\0b", 3), "ab");
}
END_TEST

START_TEST(a_whole_feed_byte_for_byte)
{
    tl_atom *feed = tl_atom_create(pool, "https://exemple.fr/tierslieux/outils.atom", "Nouveautés & co",
                                   "https://exemple.fr/tierslieux/outils.atom",
                                   "https://exemple.fr/tierslieux/outils", "Réseau <test>",
                                   utc(2026, 1, 1, 0, 0, 0));
    tl_atom_entry e = { 0 };
    const char *err = NULL;
    tl_buf out;

    e.id = "https://exemple.fr/tierslieux/outils/T-0001";
    e.title = "Perceuse à percussion";
    e.updated = utc(2026, 12, 7, 14, 5, 9);
    e.published = utc(2026, 12, 6, 9, 0, 0);
    e.link = e.id;
    e.summary = "Outillage — La Fabrique";
    e.category = "outillage";
    e.category_label = "Outillage";
    ck_assert_int_eq(tl_atom_add_entry(feed, &e, &err), 0);
    memset(&e, 0, sizeof(e));
    e.id = "https://exemple.fr/tierslieux/outils/T-0002";
    e.title = "Scie";
    e.updated = utc(2026, 12, 1, 8, 0, 0);
    ck_assert_int_eq(tl_atom_add_entry(feed, &e, &err), 0);
    tl_buf_init(&out, pool, 64);
    tl_atom_finish(feed, &out);
    ck_assert_str_eq(tl_buf_cstr(&out),
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"fr\">\n"
        "  <id>https://exemple.fr/tierslieux/outils.atom</id>\n"
        "  <title>Nouveautés &amp; co</title>\n"
        "  <updated>2026-12-07T14:05:09Z</updated>\n"
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"https://exemple.fr/tierslieux/outils.atom\"/>\n"
        "  <link rel=\"alternate\" type=\"text/html\" href=\"https://exemple.fr/tierslieux/outils\"/>\n"
        "  <author>\n"
        "    <name>Réseau &lt;test&gt;</name>\n"
        "  </author>\n"
        "  <generator>mod_tierslieux</generator>\n"
        "  <entry>\n"
        "    <id>https://exemple.fr/tierslieux/outils/T-0001</id>\n"
        "    <title>Perceuse à percussion</title>\n"
        "    <updated>2026-12-07T14:05:09Z</updated>\n"
        "    <published>2026-12-06T09:00:00Z</published>\n"
        "    <link rel=\"alternate\" type=\"text/html\" href=\"https://exemple.fr/tierslieux/outils/T-0001\"/>\n"
        "    <category term=\"outillage\" label=\"Outillage\"/>\n"
        "    <summary type=\"text\">Outillage — La Fabrique</summary>\n"
        "  </entry>\n"
        "  <entry>\n"
        "    <id>https://exemple.fr/tierslieux/outils/T-0002</id>\n"
        "    <title>Scie</title>\n"
        "    <updated>2026-12-01T08:00:00Z</updated>\n"
        "  </entry>\n"
        "</feed>\n");
}
END_TEST

START_TEST(an_empty_feed_takes_the_time_given)
{
    tl_atom *feed = tl_atom_create(pool, "urn:x", "Vide", "http://a/f", "http://a/", "Site",
                                   utc(1969, 12, 31, 23, 59, 59));
    tl_buf out;

    tl_buf_init(&out, pool, 64);
    tl_atom_finish(feed, &out);
    ck_assert_ptr_nonnull(strstr(tl_buf_cstr(&out), "<updated>1969-12-31T23:59:59Z</updated>"));
    ck_assert_ptr_null(strstr(tl_buf_cstr(&out), "<entry>"));
}
END_TEST

START_TEST(entries_refused_leave_the_feed_usable)
{
    tl_atom *feed = tl_atom_create(pool, "urn:x", "F", "http://a/f", "http://a/", "Site", 0);
    tl_atom_entry e = { 0 };
    const char *err = NULL;
    tl_buf out;

    e.title = "Sans identifiant";
    ck_assert_int_eq(tl_atom_add_entry(feed, &e, &err), -1);
    ck_assert_ptr_nonnull(err);
    e.id = "urn:1";
    e.title = "";
    ck_assert_int_eq(tl_atom_add_entry(feed, &e, &err), -1);
    e.title = "Lien piégé";
    e.link = "javascript:alert(1)";
    ck_assert_int_eq(tl_atom_add_entry(feed, &e, &err), -1);
    e.link = "https://a/ b";
    ck_assert_int_eq(tl_atom_add_entry(feed, &e, &err), -1);
    e.link = "https://a/b";
    e.updated = 86400;
    ck_assert_int_eq(tl_atom_add_entry(feed, &e, &err), 0);
    tl_buf_init(&out, pool, 64);
    tl_atom_finish(feed, &out);
    ck_assert_ptr_null(strstr(tl_buf_cstr(&out), "javascript"));
    ck_assert_ptr_nonnull(strstr(tl_buf_cstr(&out), "<title>Lien piégé</title>"));
    ck_assert_ptr_nonnull(strstr(tl_buf_cstr(&out), "<updated>1970-01-02T00:00:00Z</updated>\n  <link rel=\"self\""));
}
END_TEST

START_TEST(http_urls_only)
{
    ck_assert_int_eq(tl_url_is_http("https://exemple.fr/a?b=c"), 1);
    ck_assert_int_eq(tl_url_is_http("http://127.0.0.1:8080/"), 1);
    ck_assert_int_eq(tl_url_is_http("ftp://exemple.fr/"), 0);
    ck_assert_int_eq(tl_url_is_http("/relatif"), 0);
    ck_assert_int_eq(tl_url_is_http("https://exemple.fr/é"), 0);
    ck_assert_int_eq(tl_url_is_http("https://exemple.fr/\n"), 0);
}
END_TEST

Suite *tl_atom_suite(void)
{
    Suite *s = suite_create("atom");
    TCase *tc = tcase_create("atom");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, text_is_escaped_and_cleaned);
    tcase_add_test(tc, a_whole_feed_byte_for_byte);
    tcase_add_test(tc, an_empty_feed_takes_the_time_given);
    tcase_add_test(tc, entries_refused_leave_the_feed_usable);
    tcase_add_test(tc, http_urls_only);
    suite_add_tcase(s, tc);
    return s;
}
