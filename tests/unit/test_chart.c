#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include "unit.h"
#include "tl_chart.h"

static apr_pool_t *pool;

static void setup(void) { apr_pool_create(&pool, NULL); }
static void teardown(void) { apr_pool_destroy(pool); }

static const char *bar(const tl_chart_set *s, int row, const char *col)
{
    size_t len;
    const char *v = s->bars->value(s->bars, row, s->bars->column(s->bars, col), &len);
    ck_assert_ptr_nonnull(v);
    return v;
}

static void no_nan(const tl_rows *r, const char *const *cols)
{
    size_t len;
    int i, c;
    for (i = 0; i < r->count(r); i++) {
        for (c = 0; cols[c]; c++) {
            const char *v = r->value(r, i, r->column(r, cols[c]), &len);
            ck_assert_ptr_nonnull(v);
            ck_assert_msg(!strstr(v, "nan") && !strstr(v, "inf"), "row %d %s: %s", i, cols[c], v);
        }
    }
}

START_TEST(columns_scale_to_the_largest_value)
{
    tl_chart_set s;
    tl_chart_point pts[] = { { "janvier", "janv.", "0", 0, 0 }, { "février", "févr.", "5", 5, 0 },
                             { "mars", NULL, "10", 10, 0 } };

    tl_chart_set_init(&s, pool);
    tl_chart_add_columns(&s, "prets", "Prêts par mois", "Mois", pts, 3);
    ck_assert_int_eq(s.charts->count(s.charts), 1);
    ck_assert_int_eq(s.bars->count(s.bars), 3);
    /* the plot runs from y 28 to 220: 192 units for the largest value */
    ck_assert_str_eq(bar(&s, 0, "drawn"), "");
    ck_assert_str_eq(bar(&s, 0, "h"), "0.0");
    ck_assert_str_eq(bar(&s, 1, "h"), "96.0");
    ck_assert_str_eq(bar(&s, 1, "y"), "124.0");
    ck_assert_str_eq(bar(&s, 2, "h"), "192.0");
    ck_assert_str_eq(bar(&s, 2, "y"), "28.0");
    ck_assert_str_eq(bar(&s, 2, "drawn"), "t");
    ck_assert_str_eq(bar(&s, 1, "short"), "févr.");
    ck_assert_str_eq(bar(&s, 2, "short"), "mars");          /* no short label: the label */
    ck_assert_str_eq(bar(&s, 2, "chart"), "prets");
    /* columns side by side, none past the right edge */
    ck_assert(atof(bar(&s, 0, "x")) < atof(bar(&s, 1, "x")));
    ck_assert(atof(bar(&s, 2, "x")) + atof(bar(&s, 2, "w")) <= TL_CHART_WIDTH);
}
END_TEST

START_TEST(a_zero_max_and_an_empty_series_draw_nothing)
{
    tl_chart_set s;
    tl_chart_point zero[] = { { "janvier", NULL, "0", 0, 0 }, { "février", NULL, "0", 0, 0 } };

    tl_chart_set_init(&s, pool);
    tl_chart_add_columns(&s, "vide", "Rien", "Mois", zero, 2);
    tl_chart_add_columns(&s, "aucun", "Aucun point", "Mois", NULL, 0);
    tl_chart_add_shares(&s, "parts", "Aucune part", "Résultat", zero, 2);
    tl_chart_add_shares(&s, "parts0", "Pas de ligne", "Résultat", NULL, 0);
    ck_assert_int_eq(s.charts->count(s.charts), 4);
    ck_assert_int_eq(s.bars->count(s.bars), 4);
    ck_assert_str_eq(bar(&s, 0, "drawn"), "");
    ck_assert_str_eq(bar(&s, 0, "h"), "0.0");
    ck_assert_str_eq(bar(&s, 2, "drawn"), "");
    ck_assert_str_eq(bar(&s, 2, "w"), "0.0");
    ck_assert_str_eq(bar(&s, 2, "share"), "");             /* no share of nothing */
    no_nan(s.bars, (const char *const[]){ "x", "y", "w", "h", "tx", "ty", "lx", "ly", NULL });
    no_nan(s.charts, (const char *const[]){ "height", "ax1", "ay1", "ax2", "ay2", NULL });
}
END_TEST

START_TEST(a_hidden_value_has_no_bar_and_does_not_set_the_scale)
{
    tl_chart_set s;
    tl_chart_point pts[] = { { "janvier", NULL, "moins de 3", 2, 1 }, { "février", NULL, "4", 4, 0 } };

    tl_chart_set_init(&s, pool);
    tl_chart_add_columns(&s, "prets", "Prêts", "Mois", pts, 2);
    ck_assert_str_eq(bar(&s, 0, "drawn"), "");
    ck_assert_str_eq(bar(&s, 0, "text"), "moins de 3");
    ck_assert_str_eq(bar(&s, 1, "h"), "192.0");
}
END_TEST

START_TEST(shares_of_a_whole)
{
    tl_chart_set s;
    tl_chart_point pts[] = { { "Réparés", NULL, "2", 2, 0 }, { "Réparables", NULL, "1", 1, 0 },
                             { "Fin de vie", NULL, "1", 1, 0 }, { "Non noté", NULL, "0", 0, 0 } };

    tl_chart_set_init(&s, pool);
    tl_chart_add_shares(&s, "resultats", "Résultats", "Résultat", pts, 4);
    ck_assert_str_eq(bar(&s, 0, "share"), "50\xC2\xA0%");
    ck_assert_str_eq(bar(&s, 1, "share"), "25\xC2\xA0%");
    ck_assert_str_eq(bar(&s, 3, "share"), "0\xC2\xA0%");
    ck_assert_str_eq(bar(&s, 0, "w"), "165.0");             /* half of 330 */
    ck_assert_str_eq(bar(&s, 3, "drawn"), "");
    ck_assert_str_eq(bar(&s, 0, "parts"), "t");
}
END_TEST

/* The shipped partial draws the layout, escaping every label. */
START_TEST(the_template_escapes_labels_and_names_the_image)
{
    tl_chart_set s;
    tl_chart_point pts[] = { { "<script>alert(1)</script>", "a&b", "\"3\" <b>", 3, 0 } };
    tl_tpl_set *set = tl_tpl_set_make(pool);
    tl_view *v = tl_view_make(pool);
    const char *err = NULL, *html;
    char *src;
    FILE *f = fopen(TL_SRCDIR "/templates/fr/partials/graphiques.html", "rb");
    long n;
    tl_buf out;

    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    src = apr_palloc(pool, n + 1);
    ck_assert_int_eq(fread(src, 1, n, f), n);
    fclose(f);
    ck_assert_int_eq(tl_tpl_set_add(set, "partials/graphiques", "graphiques.html", src, n, &err), APR_SUCCESS);
    ck_assert_int_eq(tl_tpl_set_link(set, &err), APR_SUCCESS);
    tl_chart_set_init(&s, pool);
    tl_chart_add_columns(&s, "prets", "Prêts <par> mois & \"plus\"", "Mois", pts, 1);
    tl_view_rows(v, "charts", s.charts);
    tl_view_rows(v, "bars", s.bars);
    tl_buf_init(&out, pool, 1024);
    ck_assert_int_eq(tl_tpl_render(tl_tpl_get(set, "partials/graphiques"), v, NULL, &out, &err), APR_SUCCESS);
    html = tl_buf_cstr(&out);
    ck_assert_ptr_null(strstr(html, "<script>"));
    ck_assert_ptr_null(strstr(html, "<b>"));
    ck_assert_ptr_nonnull(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    ck_assert_ptr_nonnull(strstr(html, "a&amp;b"));
    ck_assert_ptr_nonnull(strstr(html, "Prêts &lt;par&gt; mois &amp;"));
    ck_assert_ptr_nonnull(strstr(html, "role=\"img\""));
    ck_assert_ptr_nonnull(strstr(html, "aria-labelledby=\"graphique-prets\""));
    ck_assert_ptr_nonnull(strstr(html, "<title id=\"graphique-prets\">"));
    ck_assert_ptr_nonnull(strstr(html, "class=\"tl-chart-bar\""));
    ck_assert_ptr_nonnull(strstr(html, "height=\"192.0\""));
    /* without charts_open the table waits behind a details element */
    ck_assert_ptr_nonnull(strstr(html, "<details"));
}
END_TEST

Suite *tl_chart_suite(void)
{
    Suite *s = suite_create("chart");
    TCase *tc = tcase_create("layout");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, columns_scale_to_the_largest_value);
    tcase_add_test(tc, a_zero_max_and_an_empty_series_draw_nothing);
    tcase_add_test(tc, a_hidden_value_has_no_bar_and_does_not_set_the_scale);
    tcase_add_test(tc, shares_of_a_whole);
    tcase_add_test(tc, the_template_escapes_labels_and_names_the_image);
    suite_add_tcase(s, tc);
    return s;
}
