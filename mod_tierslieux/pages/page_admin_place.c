/* The place in the back office: its address, opening hours (checked by the
 * parser that computes due dates), charter, whether it records fees and
 * deposits, and its closures. */
#include <apr_strings.h>
#include "tl_admin_forms.h"
#include "tl_form.h"
#include "tl_valid.h"
#include "tl_hours.h"

/* The place's form (gestion-lieu.html) at its largest: a 20,000-character
 * charter, a 4,000-character presentation, 500 of opening hours and a
 * dozen short fields, urlencoded (see tl_form.h). */
#define TL_PLACE_CHARTER_MAX 20000
static const tl_form_limits tl_place_limits = {
    TL_FORM_MAX_FIELDS, TL_PLACE_CHARTER_MAX * TL_FIELDS_UTF8_PER_UNIT, 256 * 1024
};

static const tl_change_rule tl_place_fields[] = {
    { "place_name_not_blank", "nom" },
    { "place_address_not_blank", "adresse" },
    { "place_postal_code_format", "code_postal" },
    { "place_email_format", "courriel" },
    { "place_website_http", "site" },
    { "place_closure_order", "fin" },
    { "place_closure_length", "fin" },
    { "place_closure_reason_not_blank", "raison" },
    { "place_closure_no_overlap", "debut" },
    { "impact_factor_kind_fkey", "facteur" },
    { "impact_factor_value_range", "valeur" },
    { "impact_factor_source_given", "source" },
    { "place_authority_name_length", "collectivite" },
    { "place_authority_siret_format", "siret" },
    { "place_insee_code_format", "insee" },
    { "place_equipment_code_format", "code_equipement" },
    { "place_equipment_type_format", "type_equipement" },
    { "place_equipment_theme_known", "theme" },
    { "place_latitude_range", "latitude" },
    { "place_longitude_range", "longitude" },
    { NULL, NULL }
};

static int tl_place_show(tl_req *q, const char *wanted, int status)
{
    int st = OK;
    const char *place = tl_admin_place(q, wanted, &st);
    const char *params[2], *theme;
    const tl_rows *settings;

    if (!place) {
        return st;
    }
    params[0] = q->r->user;
    params[1] = place;
    if (!(settings = tl_admin_view(q, "settings", "SELECT * FROM tl.admin_place($1, $2)", 2, params, &st))) {
        return st;
    }
    if (!tl_view_get(q->view, "kept") && settings->count(settings) == 1) {
        /* The stored values fill the form (after a mistake, what was typed). */
        static const char *const map[][2] = {
            { "name", "nom" }, { "description", "description" }, { "street_address", "adresse" },
            { "postal_code", "code_postal" }, { "locality", "commune" }, { "opening_hours", "horaires" },
            { "phone", "telephone" }, { "email", "courriel" }, { "website", "site" }, { "charter", "charte" },
            { "uses_fees", "cotisations" }, { "uses_deposits", "cautions" },
            { "authority_name", "collectivite" }, { "authority_siret", "siret" }, { "insee_code", "insee" },
            { "equipment_code", "code_equipement" }, { "equipment_type", "type_equipement" },
            { "equipment_theme", "theme" }, { "latitude", "latitude" }, { "longitude", "longitude" }
        };
        size_t len, i;
        for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
            tl_view_set(q->view, apr_pstrcat(q->r->pool, "f_", map[i][1], NULL),
                        settings->value(settings, 0, settings->column(settings, map[i][0]), &len));
        }
    }
    theme = tl_view_get(q->view, "f_theme");
    theme = theme ? theme : "";
    {
        const tl_db_read reads[] = {
            { "closures", "SELECT * FROM tl.place_closures($1)", 1, params + 1 },
            { "factors", "SELECT key, label, unit, method, replace(value::float8::text, '.', ',') AS value, "
                         "source, tl.date_fr(valid_from) AS since, own, "
                         "replace(network_value::float8::text, '.', ',') AS network_value "
                         "FROM tl.impact_factors($1)", 1, params + 1 },
            /* Whether each collection's items travel (sql/schema/006). */
            { "collections", "SELECT *, CASE WHEN travels THEN 'non' ELSE 'oui' END AS toggle "
                             "FROM tl.admin_collections($1, $2)", 2, params },
            /* The open data form's list of themes (sql/logic/open_data.sql). */
            { "themes", "SELECT t AS value, t AS label, t = $1 AS selected FROM tl.equipment_themes() t", 1,
              &theme },
        };
        if (!tl_db_views(q, reads, 4, &st)) {
            return tl_page_failed(q, st);
        }
    }
    tl_form_token(q, "gestion-lieu");
    q->r->status = status;
    return tl_render_page(q, "gestion-lieu", "Le lieu — gestion");
}

/* After a change: 303 back to the place's page saying what was done, or
 * the page again with the messages (rc as tl_change returns it). */
static int tl_place_answer(tl_req *q, int rc, int status, const char *place, const char *done)
{
    if (rc < 0) {
        return status;
    }
    if (rc > 0) {
        return tl_form_done(q, tl_url_build(q->r->pool, "/gestion/lieu",
                                            (const char *const[]){ "lieu", place, "fait", done, NULL }));
    }
    return tl_place_show(q, place, HTTP_UNPROCESSABLE_ENTITY);
}

/* A form of the place's page that is not the main one: its fields in *f
 * and the place it names, or NULL with *rc what the handler returns (the
 * refusal of tl_form_read, or a 400 when it names no place). */
static const char *tl_place_form(tl_req *q, apr_table_t **f, int *rc)
{
    const char *place;

    if (!tl_form_read(q, "gestion-lieu", f, rc)) {
        return NULL;
    }
    place = tl_field(*f, "lieu");
    if (!place || tl_valid_slug(q->r->pool, "lieu", place, 64)) {
        *rc = tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas de lieu.");
        return NULL;
    }
    return place;
}

int tl_page_admin_place(tl_req *q)
{
    const char *done = tl_query_get(&q->query, "fait");

    if (done && tl_valid_slug(q->r->pool, "fait", done, 16) == NULL) {
        tl_view_set(q->view, apr_pstrcat(q->r->pool, "done_", done, NULL), "t");
    }
    return tl_place_show(q, tl_query_get(&q->query, "lieu"), HTTP_OK);
}

/* The hours as the parser read them, for tl.save_place: a PostgreSQL array
 * of {ISO weekday, opens, closes} triples, minutes since midnight. The
 * database computes due dates from these rows, never from the text. */
static const char *tl_hours_spans_array(apr_pool_t *p, const tl_hours *h)
{
    tl_buf b;
    int d, i;
    const char *sep = "";

    tl_buf_init(&b, p, 256);
    tl_buf_adds(&b, "{");
    for (d = 0; d < 7; d++) {
        for (i = 0; i < h->nspans[d]; i++) {
            tl_buf_adds(&b, apr_psprintf(p, "%s{%d,%u,%u}", sep, d + 1, h->spans[d][i].open, h->spans[d][i].close));
            sep = ",";
        }
    }
    tl_buf_adds(&b, "}");
    return tl_buf_cstr(&b);
}

int tl_page_admin_place_post(tl_req *q)
{
    static const char *const names[] = { "nom", "description", "adresse", "code_postal", "commune", "horaires",
                                         "telephone", "courriel", "site", "charte", NULL };
    apr_pool_t *p = q->r->pool;
    apr_table_t *f;
    const char *place, *fees, *deposits, *params[16];
    char err[TL_HOURS_ERR_BUFSIZE];
    tl_hours hours;
    int rc, status = OK;

    if (!tl_form_read_within(q, "gestion-lieu", &tl_place_limits, &f, &rc)) {
        return rc;
    }
    place = tl_field(f, "lieu");
    if (!place || tl_valid_slug(p, "lieu", place, 64)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas de lieu.");
    }
    fees = tl_field(f, "cotisations");
    deposits = tl_field(f, "cautions");
    params[0] = q->r->user;
    params[1] = place;
    params[2] = tl_admin_text(q, f, "nom", "nom", 200);
    params[3] = tl_admin_lines(q, f, "description", "présentation", 4000);
    params[4] = tl_admin_text(q, f, "adresse", "adresse", 200);
    params[5] = tl_admin_text(q, f, "code_postal", "code postal", 5);
    params[6] = tl_admin_text(q, f, "commune", "commune", 100);
    params[7] = tl_admin_text(q, f, "horaires", "horaires", 500);
    params[10] = tl_admin_text(q, f, "telephone", "téléphone", 30);
    params[11] = tl_admin_text(q, f, "courriel", "courriel", 200);
    params[12] = tl_admin_text(q, f, "site", "site", 300);
    params[13] = tl_admin_lines(q, f, "charte", "charte", TL_PLACE_CHARTER_MAX);
    params[14] = fees && strcmp(fees, "1") == 0 ? "true" : "false";
    params[15] = deposits && strcmp(deposits, "1") == 0 ? "true" : "false";
    params[8] = "{}";
    params[9] = "false";
    if (!tl_view_get(q->view, "err_horaires")) {
        if (tl_hours_parse(params[7], strlen(params[7]), &hours, err, sizeof(err)) != 0) {
            tl_form_error(q, "horaires", apr_pstrcat(p, "Ces horaires ne se lisent pas (", err, "). Exemple : "
                                                     "Tu-Fr 14:00-18:00; Sa 10:00-12:30,14:00-17:00; PH off", NULL));
        }
        else {
            params[8] = tl_hours_spans_array(p, &hours);
            params[9] = hours.public_holidays_closed ? "true" : "false";
        }
    }
    rc = 0;
    if (!tl_view_get(q->view, "errors")) {
        rc = tl_change(q, "SELECT tl.save_place($1, $2, $3, $4, $5, $6, $7, $8, $9::smallint[], $10::boolean, "
                          "$11, $12, $13, $14, $15::boolean, $16::boolean)", 16, params, tl_place_fields, "nom",
                       &status, NULL);
    }
    if (rc != 0) {
        return tl_place_answer(q, rc, status, place, "lieu");
    }
    /* Shown again with what was typed, not what is stored. */
    tl_form_keep(q, f, NULL, names);
    tl_view_set(q->view, "kept", "t");
    tl_view_set(q->view, "f_cotisations", params[14][0] == 't' ? "t" : NULL);
    tl_view_set(q->view, "f_cautions", params[15][0] == 't' ? "t" : NULL);
    return tl_place_answer(q, 0, status, place, "lieu");
}

/* A closure added (debut, fin, raison) or taken away (supprimer = its id). */
int tl_page_admin_closure(tl_req *q)
{
    apr_pool_t *p = q->r->pool;
    apr_table_t *f;
    const char *place, *remove;
    int rc, status = OK;
    long id;

    if (!tl_form_read(q, "gestion-lieu", &f, &rc)) {
        return rc;
    }
    place = tl_field(f, "lieu");
    remove = tl_field(f, "supprimer");
    if (!place || tl_valid_slug(p, "lieu", place, 64)
        || (*remove && tl_valid_int(p, "fermeture", remove, 1, 2147483647L, &id))) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas de lieu ou de fermeture.");
    }
    if (*remove) {
        const char *params[] = { q->r->user, place, remove };
        rc = tl_change(q, "SELECT tl.remove_closure($1, $2, $3::integer)", 3, params, tl_place_fields, "debut",
                       &status, NULL);
    }
    else {
        const char *params[5];
        params[0] = q->r->user;
        params[1] = place;
        params[2] = tl_admin_date(q, f, "debut", "premier jour");
        params[3] = tl_admin_date(q, f, "fin", "dernier jour");
        params[4] = tl_admin_text(q, f, "raison", "raison", 200);
        if (!params[2] && !tl_view_get(q->view, "err_debut")) {
            tl_form_error(q, "debut", "Indiquez le premier jour de fermeture.");
        }
        if (!params[3] && !tl_view_get(q->view, "err_fin")) {
            params[3] = params[2];      /* a single day */
        }
        tl_form_keep(q, f, NULL, (const char *const[]){ "debut", "fin", "raison", NULL });
        rc = 0;
        if (!tl_view_get(q->view, "errors")) {
            rc = tl_change(q, "SELECT tl.add_closure($1, $2, $3::date, $4::date, $5)", 5, params,
                           tl_place_fields, "debut", &status, NULL);
        }
    }
    return tl_place_answer(q, rc, status, place, "fermeture");
}

/* A factor of the place's own (facteur, valeur, source), or back to the
 * network's (valeur empty). */
int tl_page_admin_impact(tl_req *q)
{
    apr_pool_t *p = q->r->pool;
    apr_table_t *f;
    const char *place, *params[5];
    int rc, status = OK;

    if (!(place = tl_place_form(q, &f, &rc))) {
        return rc;
    }
    params[0] = q->r->user;
    params[1] = place;
    params[2] = tl_admin_text(q, f, "facteur", "facteur", 64);
    params[3] = NULL;
    if (tl_field(f, "valeur") && *tl_field(f, "valeur")
        && tl_valid_amount(p, "valeur", tl_field(f, "valeur"), 100000, &params[3])) {
        tl_form_error(q, "valeur", "La valeur s'écrit en chiffres, par exemple 0,5 ou 32,07 (vide : la valeur du "
                      "réseau).");
    }
    params[4] = tl_admin_text(q, f, "source", "source", 300);
    tl_form_keep(q, f, NULL, (const char *const[]){ "valeur", "source", NULL });
    rc = 0;
    if (!tl_view_get(q->view, "errors")) {
        rc = tl_change(q, "SELECT tl.set_impact_factor($1, $2, $3, $4::numeric, $5)", 5, params,
                       tl_place_fields, "valeur", &status, NULL);
    }
    return tl_place_answer(q, rc, status, place, "impact");
}

/* Whether a collection's items travel to be collected at another place
 * (voyage "oui" or "non"), by its place's référents. */
int tl_page_admin_collection(tl_req *q)
{
    static const tl_change_rule rules[] = {
        { TL_CHANGE_FORBIDDEN, NULL, "Cette collection est dans un lieu dont vous n'êtes pas référent : rien n'a "
                                     "été changé." },
        { NULL, "collection" }
    };
    apr_pool_t *p = q->r->pool;
    apr_table_t *f;
    const char *place, *collection, *travels;
    int rc, status = OK;
    long id;

    if (!tl_form_read(q, "gestion-lieu", &f, &rc)) {
        return rc;
    }
    place = tl_field(f, "lieu");
    collection = tl_field(f, "collection");
    travels = tl_field(f, "voyage");
    if (!place || tl_valid_slug(p, "lieu", place, 64)
        || tl_valid_int(p, "collection", collection, 1, 2147483647L, &id)
        || (strcmp(travels, "oui") != 0 && strcmp(travels, "non") != 0)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas de collection ou de choix : "
                               "rien n'a été changé.");
    }
    {
        const char *params[] = { q->r->user, apr_ltoa(p, id), strcmp(travels, "oui") == 0 ? "true" : "false" };
        rc = tl_change(q, "SELECT tl.set_collection_travels($1, $2::integer, $3::boolean)", 3, params, rules, NULL,
                       &status, NULL);
    }
    return tl_place_answer(q, rc, status, place, "collection");
}

/* What the national « équipements » file needs of the place (collectivite,
 * siret, insee, code_equipement, type_equipement, theme, latitude,
 * longitude): each may stay empty, the place then being left out of it. */
int tl_page_admin_place_open_data(tl_req *q)
{
    static const char *const names[] = { "collectivite", "siret", "insee", "code_equipement", "type_equipement",
                                         "theme", "latitude", "longitude", NULL };
    apr_table_t *f;
    const char *place, *params[10];
    int rc, status = OK;

    if (!(place = tl_place_form(q, &f, &rc))) {
        return rc;
    }
    params[0] = q->r->user;
    params[1] = place;
    params[2] = tl_admin_text(q, f, "collectivite", "collectivité", 140);
    params[3] = tl_admin_text(q, f, "siret", "SIRET", 20);
    params[4] = tl_admin_text(q, f, "insee", "code INSEE", 5);
    params[5] = tl_admin_text(q, f, "code_equipement", "code de la nomenclature", 8);
    params[6] = tl_admin_text(q, f, "type_equipement", "type d'équipement", 140);
    params[7] = tl_admin_text(q, f, "theme", "thème", 60);
    params[8] = tl_admin_text(q, f, "latitude", "latitude", 12);
    params[9] = tl_admin_text(q, f, "longitude", "longitude", 12);
    tl_form_keep(q, f, NULL, names);
    tl_view_set(q->view, "kept", "t");
    rc = 0;
    if (!tl_view_get(q->view, "errors")) {
        rc = tl_change(q, "SELECT tl.save_place_open_data($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)", 10, params,
                       tl_place_fields, "collectivite", &status, NULL);
    }
    return tl_place_answer(q, rc, status, place, "donnees");
}
