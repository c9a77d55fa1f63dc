/* Impact: the annual report of a place or of the network in the back
 * office (/gestion/bilan, printable, and its CSV) and the public impact
 * page (/impact). Both read one function of sql/logic/impact.sql — the
 * report through tl.impact_report, which checks the role, the public page
 * through tl.public_impact, where a count below 3 reads « moins de 3 » —
 * so the page, the CSV and the public figures never disagree. Charts are
 * laid out by the core (tl_chart) and drawn by partials/graphiques.html,
 * each followed by its table. */
#include <apr_hash.h>
#include <apr_strings.h>
#include "tl_admin_forms.h"
#include "tl_valid.h"
#include "tl_csv.h"
#include "tl_chart.h"

/* The columns both functions give, in this order. */
enum { C_SECTION, C_KEY, C_MONTH, C_LABEL, C_VALUE, C_UNIT, C_VALUE_FR, C_THIRD, C_METHOD, C_SOURCE, C_YEAR };

static const char *const tl_figure_cols[] = { "theme", "key", "label", "value", "value_fr", "unit", "method",
                                              "source", "hidden", NULL };

static const char *const tl_theme_cols[] = { "theme", "title", NULL };

/* Figures of the year by theme, as the pages group them. */
static const struct {
    const char *theme;
    const char *title;
    const char *keys[9];
} tl_themes[] = {
    { "outils", "Outilthèque", { "prets", "emprunteurs", "achats_evites", NULL } },
    { "graines", "Grainothèque", { "graines_donnees", "graines_rapportees", NULL } },
    { "reparation", "Repair café", { "seances", "participants", "objets", "repares", "reparables", "fin_de_vie",
                                     "dechets_evites", "co2_evite", NULL } },
    { "ressourcerie", "Ressourcerie", { "kg_entres", "kg_reemployes", "taux_reemploi", NULL } },
    { "benevolat", "Bénévolat", { "heures_benevoles", NULL } },
};
#define TL_NTHEMES (sizeof(tl_themes) / sizeof(tl_themes[0]))

/* The monthly series drawn, each as a column per month. */
static const struct {
    const char *key;
    const char *title;
} tl_series[] = {
    { "prets", "Prêts par mois" },
    { "objets", "Objets apportés au repair café, par mois" },
    { "kg_reemployes", "Kilos réemployés par la ressourcerie, par mois" },
    { "heures_benevoles", "Heures données par les bénévoles, par mois" },
};

static const char *const tl_month_short[] = {
    "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."
};

/* The year asked for (?annee=), or NULL for this year; on a mistake a
 * French 400 is sent and *status set. */
static int tl_impact_year(tl_req *q, const char **year, int *status)
{
    const char *v = tl_query_get(&q->query, "annee"), *err;
    long y;

    *year = NULL;
    if (!v || !*v) {
        return 1;
    }
    if ((err = tl_valid_int(q->r->pool, "année", v, 2000, 2100, &y)) != NULL || strlen(v) != 4) {
        *status = tl_render_error(q, HTTP_BAD_REQUEST, "L'année s'écrit avec quatre chiffres, de 2000 à 2100 "
                                  "(par exemple annee=2026).");
        return 0;
    }
    *year = v;
    return 1;
}

/* Hands the rows to the template: the figures by theme, the charts, the
 * year. On the public page a third column tells a hidden value. */
static void tl_impact_view(tl_req *q, const tl_rows *rows, int public_page)
{
    apr_pool_t *p = q->r->pool;
    tl_rows *themes = tl_rows_make(p, tl_theme_cols);
    tl_rows *figures = tl_rows_make(p, tl_figure_cols);
    tl_chart_set charts;
    tl_chart_point months[12], parts[4];
    size_t len, t, k, s;
    int i, n = rows->count(rows), nparts = 0;

    for (t = 0; t < TL_NTHEMES; t++) {
        tl_rows_add(themes, (const char *const[]){ tl_themes[t].theme, tl_themes[t].title });
    }
    tl_view_rows(q->view, "themes", themes);
    tl_view_rows(q->view, "figures", figures);
    tl_chart_set_init(&charts, p);
    for (i = 0; i < n; i++) {
        const char *section = rows->value(rows, i, C_SECTION, &len), *key = rows->value(rows, i, C_KEY, &len);
        const char *hidden = public_page ? rows->value(rows, i, C_THIRD, &len) : "f";

        if (strcmp(section, "chiffre") == 0) {
            const char *unit = rows->value(rows, i, C_UNIT, &len);
            int is_hidden = hidden && hidden[0] == 't';
            /* a rate carries its « % »; hidden hours read « moins de 3 bénévoles » */
            if (strcmp(unit, "%") == 0 || (is_hidden && strcmp(unit, "heures") == 0)) {
                unit = "";
            }
            for (t = 0; t < TL_NTHEMES; t++) {
                for (k = 0; tl_themes[t].keys[k]; k++) {
                    if (strcmp(tl_themes[t].keys[k], key) == 0) {
                        tl_rows_add(figures, (const char *const[]){
                            tl_themes[t].theme, key, rows->value(rows, i, C_LABEL, &len),
                            rows->value(rows, i, C_VALUE, &len), rows->value(rows, i, C_VALUE_FR, &len), unit,
                            rows->value(rows, i, C_METHOD, &len), rows->value(rows, i, C_SOURCE, &len),
                            is_hidden ? "t" : "" });
                    }
                }
            }
        }
        else if (strcmp(section, "part") == 0 && nparts < 4) {
            const char *v = rows->value(rows, i, C_VALUE, &len);
            parts[nparts].label = rows->value(rows, i, C_LABEL, &len);
            parts[nparts].short_label = NULL;
            parts[nparts].text = rows->value(rows, i, C_VALUE_FR, &len);
            parts[nparts].hidden = !v || (hidden && hidden[0] == 't');
            parts[nparts].value = v ? atof(v) : 0;
            nparts++;
        }
    }
    for (s = 0; s < sizeof(tl_series) / sizeof(tl_series[0]); s++) {
        int m = 0;
        for (i = 0; i < n && m < 12; i++) {
            const char *hidden = public_page ? rows->value(rows, i, C_THIRD, &len) : "f", *v;
            if (strcmp(rows->value(rows, i, C_SECTION, &len), "mois") != 0
                || strcmp(rows->value(rows, i, C_KEY, &len), tl_series[s].key) != 0) {
                continue;
            }
            v = rows->value(rows, i, C_VALUE, &len);
            months[m].label = rows->value(rows, i, C_LABEL, &len);
            months[m].short_label = tl_month_short[m];
            months[m].text = rows->value(rows, i, C_VALUE_FR, &len);
            months[m].hidden = !v || (hidden && hidden[0] == 't');
            months[m].value = v ? atof(v) : 0;
            m++;
        }
        tl_chart_add_columns(&charts, tl_series[s].key, tl_series[s].title, "Mois", months, m);
    }
    tl_chart_add_shares(&charts, "resultats", "Résultats des réparations", "Résultat", parts, nparts);
    tl_view_rows(q->view, "charts", charts.charts);
    tl_view_rows(q->view, "bars", charts.bars);
    if (n) {
        tl_view_set(q->view, "year", rows->value(rows, 0, C_YEAR, &len));
    }
}

/* The stories beside the figures: the place's (or the network's) newest
 * testimonies its référents made public (tl.public_stories,
 * sql/logic/stories.sql), as "stories". 0 with an error page sent. */
static int tl_impact_stories(tl_req *q, const char *place, int *status)
{
    const char *slug = place ? place : "";

    if (!tl_db_view(q, "stories", "SELECT body, signed, place_name, activity_label, month_fr "
                                  "  FROM tl.public_stories($1, '', 4)", 1, &slug, status)) {
        *status = tl_page_failed(q, *status);
        return 0;
    }
    return 1;
}

/* ---- the back office's report -------------------------------------------- */

/* The report's rows for the place asked for (the network for a
 * coordinator who names none), or NULL with an error page sent. */
static const tl_rows *tl_report_rows(tl_req *q, const char **place, const char **year, int *status)
{
    static const tl_change_rule rules[] = {
        { TL_CHANGE_FORBIDDEN, NULL, "Le bilan d'un lieu est réservé à ses référents, celui du réseau à sa "
                                     "coordination." },
        { NULL, NULL, NULL, HTTP_BAD_REQUEST }
    };
    const char *wanted = tl_query_get(&q->query, "lieu"), *params[3];
    const tl_rows *rows = NULL;

    if (!tl_impact_year(q, year, status)) {
        return NULL;
    }
    if (!(*place = tl_admin_place(q, wanted, status))) {
        return NULL;
    }
    if ((!wanted || !*wanted) && tl_view_get(q->view, "is_admin")) {
        *place = NULL;          /* a coordinator's report names no place: the network's */
        tl_view_set(q->view, "network", "t");
        tl_view_set(q->view, "place_name", "tout le réseau");
    }
    params[0] = q->r->user;
    params[1] = *place;
    params[2] = *year;
    if (tl_change(q, "SELECT * FROM tl.impact_report($1, $2, $3::integer)", 3, params, rules, NULL, status,
                  &rows) != 1) {
        return NULL;
    }
    return rows;
}

int tl_page_admin_report(tl_req *q)
{
    apr_pool_t *p = q->r->pool;
    const char *place, *year, *query;
    const tl_rows *rows;
    int status = OK;

    if (!(rows = tl_report_rows(q, &place, &year, &status))) {
        return status;
    }
    tl_impact_view(q, rows, 0);
    if (!tl_impact_stories(q, place, &status)) {
        return status;
    }
    tl_view_set(q->view, "f_annee", year);
    query = tl_url_build(p, "", (const char *const[]){ "lieu", place ? place : "", "annee",
                                                       tl_view_get(q->view, "year"), NULL });
    tl_view_set(q->view, "csv_url", apr_pstrcat(p, q->base, "/gestion/bilan.csv", query, NULL));
    tl_view_set(q->view, "print_url", apr_pstrcat(p, q->base, "/gestion/bilan", query, "&imprimer=1", NULL));
    if (tl_query_get(&q->query, "imprimer")) {
        tl_view_set(q->view, "print", "t");
    }
    /* The report's tables show, on screen and on paper. */
    tl_view_set(q->view, "charts_open", "t");
    return tl_render_page(q, "gestion-bilan",
                          apr_pstrcat(p, "Bilan ", tl_view_get(q->view, "year"), " — ",
                                      tl_view_get(q->view, "place_name"), NULL));
}

/* One row per figure: the year's, then each month's of the charted series. */
int tl_page_admin_report_csv(tl_req *q)
{
    static const char *const cols[] = { "annee", "lieu", "indicateur", "valeur", "unite", "methode", NULL };
    static const char *const labels[] = { "année", "lieu", "indicateur", "valeur", "unité", "méthode", NULL };
    apr_pool_t *p = q->r->pool;
    const char *place, *year, *where, *y;
    const tl_rows *rows;
    tl_rows *out_rows = tl_rows_make(p, cols);
    apr_hash_t *names = apr_hash_make(p);
    int status = OK, i, n;
    size_t len;
    tl_buf out;

    if (!(rows = tl_report_rows(q, &place, &year, &status))) {
        return status;
    }
    where = tl_view_get(q->view, "place_name");
    n = rows->count(rows);
    y = n ? rows->value(rows, 0, C_YEAR, &len) : "";
    for (i = 0; i < n; i++) {
        const char *section = rows->value(rows, i, C_SECTION, &len), *key = rows->value(rows, i, C_KEY, &len);
        const char *label = rows->value(rows, i, C_LABEL, &len), *method = rows->value(rows, i, C_METHOD, &len);
        const char *source = rows->value(rows, i, C_SOURCE, &len), *series;

        if (strcmp(section, "chiffre") == 0) {
            apr_hash_set(names, key, APR_HASH_KEY_STRING, label);
            tl_rows_add(out_rows, (const char *const[]){
                y, where, label, rows->value(rows, i, C_THIRD, &len), rows->value(rows, i, C_UNIT, &len),
                apr_pstrcat(p, method ? method : "", source && *source ? " Source : " : "", source ? source : "",
                            NULL) });
        }
        else if (strcmp(section, "mois") == 0) {
            series = apr_hash_get(names, key, APR_HASH_KEY_STRING);
            tl_rows_add(out_rows, (const char *const[]){
                y, where, apr_pstrcat(p, series ? series : key, " : ", label, NULL),
                rows->value(rows, i, C_THIRD, &len), rows->value(rows, i, C_UNIT, &len),
                "Le même décompte, pour le mois." });
        }
    }
    tl_buf_init(&out, p, 16384);
    tl_buf_adds(&out, "\xEF\xBB\xBF");          /* the BOM tells spreadsheets it is UTF-8 */
    tl_csv_rows(&out, out_rows, cols, labels, ';');
    return tl_send_download(q, "text/csv; charset=utf-8",
                            apr_pstrcat(p, "bilan-", place ? place : "reseau", "-", y, ".csv", NULL),
                            out.data, out.len);
}

/* ---- the public page ------------------------------------------------------- */

int tl_page_impact(tl_req *q)
{
    int status = OK;
    const char *place = tl_param_slug(q, "lieu", "lieu", &status), *year, *params[2];
    const tl_rows *rows;
    size_t len;

    if (!place || !tl_impact_year(q, &year, &status)) {
        return status;
    }
    params[0] = place;
    params[1] = year;
    if (*place) {
        if (!(rows = tl_db_view(q, "where", "SELECT slug, name FROM tl.place WHERE slug = $1", 1, params, &status))) {
            return tl_page_failed(q, status);
        }
        if (rows->count(rows) == 0) {
            return tl_render_error(q, HTTP_NOT_FOUND, "Ce lieu n'existe pas.");
        }
        tl_view_set(q->view, "place", place);
        tl_view_set(q->view, "place_name", rows->value(rows, 0, 1, &len));
    }
    if (!(rows = tl_db_query(q, "SELECT * FROM tl.public_impact(nullif($1, ''), $2::integer)", 2, params,
                             &status))) {
        return tl_page_failed(q, status);
    }
    tl_impact_view(q, rows, 1);
    if (!tl_impact_stories(q, place, &status)) {
        return status;
    }
    return tl_render_page(q, "impact",
                          tl_title_impact(q->r->pool, *place ? tl_view_get(q->view, "place_name") : NULL));
}
