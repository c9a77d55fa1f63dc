/* The ressourcerie's stock at the desk: an object sorted out of an intake
 * and put on sale (a price, or prix libre), the shop's stock, and one
 * item's page — what it is, its history across the three activities, and
 * what can happen to it: reserved, set aside for a repair café session,
 * repaired, moved into the outilthèque, or weighed out. Each change is one
 * SQL function (sql/logic/ressourcerie.sql) that checks the volunteer's role. */
#include <apr_strings.h>
#include "tl_admin_forms.h"
#include "tl_choices.h"
#include "tl_form.h"
#include "tl_valid.h"

#define TL_STOCK_FORM "ressourcerie-stock"
#define TL_REUSE_FORM "ressourcerie"

static const tl_change_rule tl_item_fields[] = {
    { "reuse_item_title_not_blank", "titre" },
    { "reuse_item_category_fkey", "categorie_objet" },
    { "reuse_item_weight_positive", "poids_objet" },
    { "reuse_item_price_range", "prix" },
    { NULL, NULL }
};

static const tl_change_rule tl_action_fields[] = {
    { "reuse_item_repair_session_fkey", "seance" },
    { "reuse_item_destination_known", "destination" },
    { "item_category_fkey", "categorie_outil" },
    { "repair_record_category_fkey", "categorie_ords" },
    { "repair_record_status_known", "resultat" },
    { "repair_record_minutes_range", "minutes" },
    { NULL, NULL }
};

const char *tl_reuse_item_code(const char *v)
{
    const char *s = v;

    if (!s) {
        return NULL;
    }
    if (*s == 'R' || *s == 'r') {
        s++;
    }
    if (!*s || strlen(s) > 15 || strspn(s, "0123456789") != strlen(s)) {
        return NULL;
    }
    return v;
}

int tl_page_desk_reuse_item_show(tl_req *q, const char *code, int http_status)
{
    int status = OK;
    const char *params[] = { q->r->user, code };
    const tl_rows *item;
    size_t len;
    const char *object, *place, *status_code;

    if (!(item = tl_admin_view(q, "item", "SELECT * FROM tl.desk_reuse_item($1, $2)", 2, params, &status))) {
        return status;
    }
    /* Which forms the item's state allows. */
    status_code = item->value(item, 0, item->column(item, "status"), &len);
    tl_view_set(q->view, apr_pstrcat(q->r->pool, "st_", status_code, NULL), "t");
    if (strcmp(status_code, "vendu") != 0 && strcmp(status_code, "sorti") != 0) {
        tl_view_set(q->view, "in_stock", "t");
    }
    object = item->value(item, 0, item->column(item, "object_id"), &len);
    place = item->value(item, 0, item->column(item, "place_slug"), &len);
    {
        const char *h[] = { q->r->user, object };
        const char *c[] = { item->value(item, 0, item->column(item, "code"), &len) };
        const tl_db_read reads[] = {
            { "history", "SELECT * FROM tl.object_history($1, $2::bigint)", 2, h },
            { "sessions", "SELECT s.id, to_char(s.starts_at AT TIME ZONE p.time_zone, "
                          "'DD/MM/YYYY HH24:MI') AS starts FROM tl.repair_session s "
                          "JOIN tl.place p ON p.id = s.place_id WHERE p.slug = $1 "
                          "AND s.cancelled_at IS NULL AND s.ends_at > date_trunc('day', now()) "
                          "ORDER BY s.starts_at LIMIT 20", 1, &place },
            { "tool_categories", "SELECT slug, name FROM tl.category ORDER BY sort_order, name", 0, NULL },
            { "repair_categories", "SELECT code, label FROM tl.repair_category ORDER BY rank", 0, NULL },
            /* Its photos (sql/logic/photos.sql), each with its own form. */
            { "photos", "SELECT f.id, f.alt, f.position AS pos, z.width AS card_width, z.height AS card_height, "
                        "       row_number() OVER w = 1 AS first, row_number() OVER w = count(*) OVER () AS last "
                        "  FROM tl.reuse_item i JOIN tl.photo f ON f.reuse_item_id = i.id, "
                        "       tl.photo_card_size(f.width, f.height) z "
                        " WHERE i.code = $1 "
                        "WINDOW w AS (ORDER BY f.position, f.id) ORDER BY f.position, f.id", 1, c },
        };
        if (!tl_db_views(q, reads, 5, &status)) {
            return tl_page_failed(q, status);
        }
    }
    tl_form_token(q, TL_STOCK_FORM);
    q->r->status = http_status;
    return tl_render_page(q, "guichet-ressourcerie-objet", "Objet de la ressourcerie — guichet");
}

int tl_page_desk_reuse_item(tl_req *q)
{
    const char *code = tl_reuse_item_code(tl_query_get(&q->query, "n"));

    if (!code) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce numéro d'objet n'est pas lisible : il s'écrit R00012 ou 12.");
    }
    if (tl_query_get(&q->query, "fait")) {
        tl_view_set(q->view, "done", "t");
    }
    return tl_page_desk_reuse_item_show(q, code, HTTP_OK);
}

/* An object of an intake put on sale: titre, description, categorie_objet
 * (letter or code), poids_objet, prix (empty: prix libre). Shown again on
 * the intake's page when something is wrong. */
int tl_page_desk_reuse_item_new(tl_req *q)
{
    static const char *const kept[] = { "titre", "description", "categorie_objet", "poids_objet", "prix", NULL };
    apr_pool_t *p = q->r->pool;
    apr_table_t *f;
    const char *intake, *weight = NULL, *v, *params[7];
    const tl_rows *rows;
    long n;
    int rc, status = OK;
    size_t len;

    /* The form is on the intake's page, under that page's token. */
    if (!tl_form_read(q, TL_REUSE_FORM, &f, &rc)) {
        return rc;
    }
    intake = tl_field(f, "arrivage");
    if (tl_valid_int(p, "arrivage", intake, 1, 9223372036854775807L, &n)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas d'arrivage.");
    }
    tl_form_keep(q, f, NULL, kept);
    params[0] = q->r->user;
    params[1] = intake;
    params[2] = tl_admin_text(q, f, "titre", "objet", 120);
    if (!*params[2]) {
        tl_form_error(q, "titre", "Indiquez ce qu'est l'objet (chaise, lampe…).");
    }
    params[3] = tl_admin_lines(q, f, "description", "description", 1000);
    params[4] = tl_admin_text(q, f, "categorie_objet", "catégorie", 32);
    if ((v = tl_field(f, "poids_objet")) == NULL || !*v
        || tl_valid_decimal(p, "poids", v, 100000, 3, &weight)) {
        tl_form_error(q, "poids_objet", "Le poids s'écrit en kilos, par exemple 4,5 (trois décimales au plus).");
    }
    params[5] = weight;
    params[6] = tl_admin_amount(q, f, "prix", "prix");
    rc = 0;
    if (!tl_view_get(q->view, "errors")) {
        rc = tl_change(q, "SELECT tl.create_reuse_item($1, $2::bigint, $3, $4, $5, $6::numeric, $7::numeric)",
                       7, params, tl_item_fields, "titre", &status, &rows);
    }
    if (rc < 0) {
        return status;
    }
    if (rc > 0) {
        return tl_form_done(q, apr_pstrcat(p, "/guichet/ressourcerie/objet?n=", rows->value(rows, 0, 0, &len),
                                           "&fait=1", NULL));
    }
    tl_view_set(q->view, "stock_errors", "t");
    return tl_desk_reuse_intake_show(q, intake, HTTP_UNPROCESSABLE_ENTITY);
}

/* What happens to an item: action = reserver, remettre, reparation (seance),
 * repare (categorie_ords, resultat, probleme, minutes), sortie
 * (destination, partenaire, categorie_outil). */
int tl_page_desk_reuse_item_action(tl_req *q)
{
    static const char *const kept[] = { "note", "seance", "categorie_ords", "resultat", "probleme", "minutes",
                                        "destination", "partenaire", "categorie_outil", NULL };
    apr_pool_t *p = q->r->pool;
    apr_table_t *f;
    const char *code, *sql = NULL, *params[6], *fallback = "action";
    int rc, status = OK, action, nparams = 0;

    if (!tl_form_read(q, TL_STOCK_FORM, &f, &rc)) {
        return rc;
    }
    if (!(code = tl_reuse_item_code(tl_field(f, "objet")))
        || tl_field_choice(p, f, "action", "action", tl_choices_stock_action, &action)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas d'objet ou d'action.");
    }
    tl_form_keep(q, f, NULL, kept);
    params[0] = q->r->user;
    params[1] = code;
    switch (action) {
    case 0:
    case 1:
        sql = "SELECT tl.set_reuse_item_status($1, $2, $3, $4)";
        params[2] = action == 0 ? "reserve" : "en_vente";
        params[3] = tl_admin_text(q, f, "note", "note", 200);
        nparams = 4;
        fallback = "note";
        break;
    case 2:
        sql = "SELECT tl.send_reuse_item_to_repair($1, $2, $3::integer)";
        params[2] = tl_admin_int(q, f, "seance", "séance", 1, 2147483647L);
        nparams = 3;
        fallback = "seance";
        break;
    case 3:
        sql = "SELECT tl.reuse_item_repaired($1, $2, $3, $4, $5, $6::integer)";
        params[2] = tl_admin_text(q, f, "categorie_ords", "catégorie", 64);
        params[3] = tl_admin_text(q, f, "resultat", "résultat", 32);
        params[4] = tl_admin_text(q, f, "probleme", "problème", 500);
        params[5] = tl_admin_int(q, f, "minutes", "temps passé", 1, 600);
        nparams = 6;
        fallback = "resultat";
        break;
    default:
        sql = "SELECT tl.reuse_item_leave($1, $2, $3, $4, $5)";
        params[2] = tl_admin_text(q, f, "destination", "destination", 32);
        params[3] = tl_admin_text(q, f, "partenaire", "partenaire", 100);
        params[4] = tl_admin_text(q, f, "categorie_outil", "catégorie", 64);
        nparams = 5;
        fallback = "destination";
        break;
    }
    rc = 0;
    if (!tl_view_get(q->view, "errors")) {
        rc = tl_change(q, sql, nparams, params, tl_action_fields, fallback, &status, NULL);
    }
    if (rc < 0) {
        return status;
    }
    if (rc > 0) {
        return tl_form_done(q, apr_pstrcat(p, "/guichet/ressourcerie/objet?n=", code, "&fait=1", NULL));
    }
    return tl_page_desk_reuse_item_show(q, code, HTTP_UNPROCESSABLE_ENTITY);
}

/* The shop's stock at the places the volunteer holds: what is on sale,
 * reserved or at the repair café (etat narrows it). */
int tl_page_desk_reuse_stock(tl_req *q)
{
    static const char *const states[] = { "en_vente", "reserve", "a_reparer", NULL };
    int status = OK, i;
    const char *state = tl_query_get(&q->query, "etat");
    const char *place = tl_param_slug(q, "lieu", "lieu", &status);

    if (!place) {
        return status;
    }
    state = state ? state : "";
    if (*state && tl_valid_choice(q->r->pool, "état", state, states, &i)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Cet état n'existe pas : en vente, réservé ou au repair café.");
    }
    {
        const char *params[] = { q->r->user, place, state };
        const tl_db_read reads[] = {
            { "items", "SELECT i.code, i.title, c.label AS category, tl.reuse_kg(i.weight_kg) AS weight, "
                       "       coalesce(tl.amount_fr(i.price), 'prix libre') AS price, "
                       "       tl.reuse_status_fr(i.status, NULL) AS status, p.name AS place "
                       "  FROM tl.reuse_item i JOIN tl.reuse_category c ON c.code = i.category "
                       "  JOIN tl.place p ON p.id = i.place_id "
                       "  JOIN tl.account_roles($1) r ON r.place_slug = p.slug "
                       " WHERE i.status IN ('en_vente', 'reserve', 'a_reparer') AND ($2 = '' OR p.slug = $2) "
                       "   AND ($3 = '' OR i.status = $3) "
                       " ORDER BY p.name, c.rank, i.id DESC LIMIT 500", 3, params },
            { "places", "SELECT place_slug AS slug, place_name AS name, place_slug = $2 AS selected "
                        "FROM tl.account_roles($1) ORDER BY place_name", 2, params },
        };
        if (!tl_db_views(q, reads, 2, &status)) {
            return tl_page_failed(q, status);
        }
    }
    if (*state) {
        tl_view_set(q->view, apr_pstrcat(q->r->pool, "etat_", state, NULL), "t");
    }
    return tl_render_page(q, "guichet-ressourcerie-stock", "Stock de la ressourcerie — guichet");
}
