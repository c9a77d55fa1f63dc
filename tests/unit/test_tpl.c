#include <string.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include "unit.h"
#include "tl_tpl.h"

static apr_pool_t *pool;
static tl_tpl_set *set;

static void setup(void)
{
    apr_pool_create(&pool, NULL);
    set = tl_tpl_set_make(pool);
}

static void teardown(void) { apr_pool_destroy(pool); }

static void add(const char *name, const char *html)
{
    const char *err = NULL;
    apr_status_t rv = tl_tpl_set_add(set, name, name, html, strlen(html), &err);
    ck_assert_msg(rv == APR_SUCCESS, "compile %s: %s", name, err ? err : "?");
}

static const char *compile_error(const char *html)
{
    const char *err = NULL;
    apr_status_t rv = tl_tpl_set_add(set, "bad", "bad.html", html, strlen(html), &err);
    ck_assert_msg(rv != APR_SUCCESS, "compiled although it should not: %s", html);
    ck_assert_ptr_nonnull(err);
    return err;
}

static const char *render_opts(const char *name, const tl_view *v, const tl_render_opts *o)
{
    const char *err = NULL;
    tl_buf out;
    ck_assert_int_eq(tl_tpl_set_link(set, &err), APR_SUCCESS);
    tl_buf_init(&out, pool, 64);
    ck_assert_int_eq(tl_tpl_render(tl_tpl_get(set, name), v, o, &out, &err), APR_SUCCESS);
    return tl_buf_cstr(&out);
}

static const char *render(const char *name, const tl_view *v)
{
    return render_opts(name, v, NULL);
}

static tl_rows *tools(void)
{
    static const char *const cols[] = { "id", "title", "available", "cat", NULL };
    tl_rows *r = tl_rows_make(pool, cols);
    tl_rows_add(r, (const char *const[]){ "1", "Perceuse à percussion", "t", "bricolage" });
    tl_rows_add(r, (const char *const[]){ "2", "<script>alert(1)</script>", "f", "bricolage" });
    tl_rows_add(r, (const char *const[]){ "3", "Grelinette", "t", "jardinage" });
    return r;
}

START_TEST(static_html_is_kept_byte_for_byte)
{
    tl_view *v = tl_view_make(pool);
    add("page", "<p class=\"a\">Médiathèque — « accueil » &amp; jardin<br><!-- note --></p>");
    ck_assert_str_eq(render("page", v), "<p class=\"a\">Médiathèque — « accueil » &amp; jardin<br></p>");
}
END_TEST

/* libxml2 knows no <source>: what follows it must stay, after it. */
START_TEST(picture_keeps_its_img_after_a_source)
{
    tl_view *v = tl_view_make(pool);
    tl_view_set(v, "id", "7");
    add("page", "<picture><source type=\"image/webp\" srcset=\"/p/{{id}}.webp 320w\">"
                "<img src=\"/p/{{id}}.jpg\" alt=\"Une scie\"></picture><p>après</p>");
    ck_assert_str_eq(render("page", v), "<picture><source type=\"image/webp\" srcset=\"/p/7.webp 320w\">"
                                        "<img src=\"/p/7.jpg\" alt=\"Une scie\"></picture><p>après</p>");
}
END_TEST

START_TEST(text_slot_is_escaped)
{
    tl_view *v = tl_view_make(pool);
    tl_view_set(v, "who", "<b>Léa</b> & co");
    add("page", "<p>Bonjour {{who}} !</p>");
    ck_assert_str_eq(render("page", v), "<p>Bonjour &lt;b&gt;Léa&lt;/b&gt; &amp; co !</p>");
}
END_TEST

START_TEST(attribute_and_url_contexts)
{
    tl_view *v = tl_view_make(pool);
    tl_view_set(v, "t", "\"><script>");
    tl_view_set(v, "u", "javascript:alert(1)");
    tl_view_set(v, "next", "/outils?q=scie&page=2");
    tl_view_set(v, "id", "a b/c");
    add("page", "<a title=\"{{t}}\" href=\"{{u}}\">x</a><a href=\"{{next}}\">y</a>"
                "<a href=\"/outils/{{id}}\">z</a>");
    ck_assert_str_eq(render("page", v),
                     "<a title=\"&quot;&gt;&lt;script&gt;\" href=\"#\">x</a>"
                     "<a href=\"/outils?q=scie&amp;page=2\">y</a>"
                     "<a href=\"/outils/a%20b%2Fc\">z</a>");
}
END_TEST

START_TEST(json_data_block)
{
    tl_view *v = tl_view_make(pool);
    tl_view_set(v, "name", "</script><script>alert(1)</script>");
    add("page", "<script type=\"application/ld+json\">{\"name\": {{name}}, \"url\": {{missing}}}</script>");
    ck_assert_str_eq(render("page", v),
                     "<script type=\"application/ld+json\">{\"name\": \"\\u003c/script\\u003e"
                     "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e\", \"url\": null}</script>");
}
END_TEST

START_TEST(loops_and_conditions)
{
    tl_view *v = tl_view_make(pool);
    tl_view_rows(v, "items", tools());
    add("page", "<ul><li data-tl-each=\"items\">{{title}}<em data-tl-if=\"available\">libre</em>"
                "<em data-tl-unless=\"available\">prêté</em></li></ul>"
                "<p data-tl-unless=\"items\">Aucun objet.</p>");
    ck_assert_str_eq(render("page", v),
                     "<ul><li>Perceuse à percussion<em>libre</em></li>"
                     "<li>&lt;script&gt;alert(1)&lt;/script&gt;<em>prêté</em></li>"
                     "<li>Grelinette<em>libre</em></li></ul>");
}
END_TEST

START_TEST(empty_result_set_shows_the_else_branch)
{
    static const char *const cols[] = { "title", NULL };
    tl_view *v = tl_view_make(pool);
    tl_view_rows(v, "items", tl_rows_make(pool, cols));
    add("page", "<ul data-tl-if=\"items\"><li data-tl-each=\"items\">{{title}}</li></ul>"
                "<p data-tl-unless=\"items\">Aucun objet.</p>");
    ck_assert_str_eq(render("page", v), "<p>Aucun objet.</p>");
}
END_TEST

START_TEST(nested_loop_with_match)
{
    static const char *const ccols[] = { "cat", "name", NULL };
    tl_view *v = tl_view_make(pool);
    tl_rows *cats = tl_rows_make(pool, ccols);
    tl_rows_add(cats, (const char *const[]){ "bricolage", "Bricolage" });
    tl_rows_add(cats, (const char *const[]){ "jardinage", "Jardinage" });
    tl_view_rows(v, "cats", cats);
    tl_view_rows(v, "items", tools());
    add("page", "<section data-tl-each=\"cats\"><h2>{{name}}</h2>"
                "<p data-tl-each=\"items\" data-tl-match=\"cat\">{{id}}</p></section>");
    ck_assert_str_eq(render("page", v),
                     "<section><h2>Bricolage</h2><p>1</p><p>2</p></section>"
                     "<section><h2>Jardinage</h2><p>3</p></section>");
}
END_TEST

START_TEST(dotted_names_read_a_row)
{
    tl_view *v = tl_view_make(pool);
    tl_view_rows(v, "item", tools());
    add("page", "<h1>{{item.title}}</h1><p data-tl-if=\"item.available\">oui</p><p>{{nothing.here}}</p>");
    ck_assert_str_eq(render("page", v), "<h1>Perceuse à percussion</h1><p>oui</p><p></p>");
}
END_TEST

START_TEST(partials_and_layout)
{
    tl_view *v = tl_view_make(pool);
    tl_render_opts o = { 0, "", NULL };
    tl_view_set(v, "title", "Outils");
    add("layout", "<!DOCTYPE html>\n<html lang=\"fr\"><head><title>{{title}}</title></head>"
                  "<body><main id=\"contenu\" data-tl-content>exemple</main></body></html>");
    add("partials/foot", "<p>pied</p>");
    add("page", "<!DOCTYPE html><html><head><title>maquette</title></head>"
                "<body><h1>{{title}}</h1><div data-tl-include=\"partials/foot\">maquette</div></body></html>");
    ck_assert_int_eq(tl_tpl_set_link(set, &(const char *){ NULL }), APR_SUCCESS);
    o.content = tl_tpl_get(set, "page");
    ck_assert_str_eq(render_opts("layout", v, &o),
                     "<!DOCTYPE html>\n<html lang=\"fr\"><head><title>Outils</title></head>"
                     "<body><main id=\"contenu\"><h1>Outils</h1><p>pied</p></main></body></html>");
}
END_TEST

START_TEST(missing_partial_fails_at_link)
{
    const char *err = NULL;
    add("page", "<div data-tl-include=\"partials/nope\"></div>");
    ck_assert_int_ne(tl_tpl_set_link(set, &err), APR_SUCCESS);
    ck_assert_ptr_nonnull(strstr(err, "partials/nope"));
}
END_TEST

START_TEST(fragment_shifts_headings_and_prefixes_ids)
{
    tl_view *v = tl_view_make(pool);
    tl_render_opts o = { 1, "tl-", NULL };
    add("page", "<h1 id=\"titre\">A</h1><h6>B</h6><a href=\"#titre\">haut</a>"
                "<label for=\"q\">Mots</label><input id=\"q\" aria-describedby=\"aide regle\">");
    ck_assert_str_eq(render_opts("page", tl_view_make(pool), &o),
                     "<h2 id=\"tl-titre\">A</h2><h6>B</h6><a href=\"#tl-titre\">haut</a>"
                     "<label for=\"tl-q\">Mots</label><input id=\"tl-q\" aria-describedby=\"tl-aide tl-regle\">");
    ck_assert_str_eq(render("page", v),
                     "<h1 id=\"titre\">A</h1><h6>B</h6><a href=\"#titre\">haut</a>"
                     "<label for=\"q\">Mots</label><input id=\"q\" aria-describedby=\"aide regle\">");
}
END_TEST

START_TEST(optional_and_boolean_attributes)
{
    tl_view *v = tl_view_make(pool);
    tl_view_set(v, "on", "t");
    tl_view_set(v, "off", "f");
    tl_view_set(v, "cur", "page");
    add("page", "<input type=\"checkbox\" data-tl-bool-checked=\"on\"><input data-tl-bool-checked=\"off\">"
                "<a href=\"/\" data-tl-attr-aria-current=\"cur\" data-tl-attr-title=\"none\">x</a>"
                "<p data-tl-remove>maquette</p>");
    ck_assert_str_eq(render("page", v),
                     "<input type=\"checkbox\" checked><input>"
                     "<a href=\"/\" aria-current=\"page\">x</a>");
}
END_TEST

START_TEST(a_script_file_may_be_named)
{
    tl_view *v = tl_view_make(pool);
    tl_view_set(v, "js", "/static/integree.js?v=1");
    add("page", "<p>a</p><script src=\"{{js}}\"></script>");
    ck_assert_str_eq(render("page", v), "<p>a</p><script src=\"/static/integree.js?v=1\"></script>");
}
END_TEST

START_TEST(white_space_is_folded)
{
    add("page", "<ul>\n    <li>a  b</li>\n\n    <li>c</li>\n</ul><pre>  x\n  y</pre>");
    ck_assert_str_eq(render("page", tl_view_make(pool)), "<ul>\n<li>a b</li>\n<li>c</li>\n</ul><pre>  x\n  y</pre>");
}
END_TEST

START_TEST(unsafe_templates_are_refused)
{
    ck_assert_ptr_nonnull(strstr(compile_error("<p onclick=\"x()\">a</p>"), "onclick"));
    ck_assert_ptr_nonnull(strstr(compile_error("<script>alert(1)</script>"), "script"));
    /* A file may be named (the embed view's height script), never code
     * written beside it. */
    ck_assert_ptr_nonnull(strstr(compile_error("<script src=\"/a.js\">alert(1)</script>"), "script"));
    ck_assert_ptr_nonnull(strstr(compile_error("<script type=\"module\" src=\"/a.js\"></script>"), "script"));
    ck_assert_ptr_nonnull(strstr(compile_error("<p data-tl-iff=\"x\">a</p>"), "data-tl-iff"));
    ck_assert_ptr_nonnull(strstr(compile_error("<p>{{oops</p>"), "{{"));
    ck_assert_ptr_nonnull(strstr(compile_error("<p>{{Bad-Name}}</p>"), "Bad-Name"));
    ck_assert_ptr_nonnull(strstr(compile_error("<p style=\"color: {{c}}\">a</p>"), "style"));
    ck_assert_ptr_nonnull(strstr(compile_error("<p data-tl-attr-onclick=\"x\">a</p>"), "onclick"));
    ck_assert_ptr_nonnull(strstr(compile_error("<p data-tl-attr-style=\"x\">a</p>"), "style"));
    ck_assert_ptr_nonnull(strstr(compile_error("<p>\n\n<b data-tl-each=\"\">a</b></p>"), "bad.html:3"));
}
END_TEST

START_TEST(fingerprint_follows_sources)
{
    uint64_t a, b;
    add("page", "<p>a</p>");
    a = tl_tpl_set_fingerprint(set);
    add("page", "<p>b</p>");
    b = tl_tpl_set_fingerprint(set);
    ck_assert(a != b);
}
END_TEST

START_TEST(templates_of_the_project_compile)
{
    const char *err = NULL;
    apr_status_t rv = tl_tpl_set_add_dir(set, TL_SRCDIR "/templates/fr", &err);
    ck_assert_msg(rv == APR_SUCCESS, "%s", err ? err : "?");
    ck_assert_msg(tl_tpl_set_link(set, &err) == APR_SUCCESS, "%s", err ? err : "?");
    ck_assert_ptr_nonnull(tl_tpl_get(set, "layout"));
    ck_assert_ptr_nonnull(tl_tpl_get(set, "catalogue"));
}
END_TEST

Suite *tl_tpl_suite(void)
{
    Suite *s = suite_create("templates");
    TCase *tc = tcase_create("compile and render");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, static_html_is_kept_byte_for_byte);
    tcase_add_test(tc, text_slot_is_escaped);
    tcase_add_test(tc, picture_keeps_its_img_after_a_source);
    tcase_add_test(tc, attribute_and_url_contexts);
    tcase_add_test(tc, json_data_block);
    tcase_add_test(tc, loops_and_conditions);
    tcase_add_test(tc, empty_result_set_shows_the_else_branch);
    tcase_add_test(tc, nested_loop_with_match);
    tcase_add_test(tc, dotted_names_read_a_row);
    tcase_add_test(tc, partials_and_layout);
    tcase_add_test(tc, missing_partial_fails_at_link);
    tcase_add_test(tc, fragment_shifts_headings_and_prefixes_ids);
    tcase_add_test(tc, optional_and_boolean_attributes);
    tcase_add_test(tc, white_space_is_folded);
    tcase_add_test(tc, unsafe_templates_are_refused);
    tcase_add_test(tc, a_script_file_may_be_named);
    tcase_add_test(tc, fingerprint_follows_sources);
    tcase_add_test(tc, templates_of_the_project_compile);
    suite_add_tcase(s, tc);
    return s;
}
