/* The catalogue in the back office: a place's items, created, edited,
 * retired (never deleted: loans and reports keep pointing at them) and put
 * back in service. */
#include <apr_strings.h>
#include "tl_admin_forms.h"
#include "tl_choices.h"
#include "tl_form.h"
#include "tl_valid.h"

#define TL_ADMIN_PAGE_SIZE 50

static const tl_change_rule tl_item_fields[] = {
    { "item_title_not_blank", "titre" },
    { "item_code_format", "numero" },
    { "item_code_key", "numero" },
    { "item_barcode_format", "code_barres" },
    { "item_barcode_key", "code_barres" },
    { "item_category_fkey", "categorie" },
    { "item_condition_fkey", "etat" },
    { "item_deposit_positive", "caution" },
    { "item_loan_days_range", "duree" },
    { "item_safety_check_days_range", "controle_jours" },
    { "item_last_safety_check_past", "controle_date" },
    { "item_place_fkey", "lieu" },
    { "item_retire_reason", "raison" },
    { "item_retire_on_loan", "raison" },
    { "item_retire_reserved", "raison" },
    { NULL, NULL }
};

int tl_page_admin_items(tl_req *q)
{
    apr_pool_t *p = q->r->pool;
    int status = OK;
    const char *place = tl_admin_place(q, tl_query_get(&q->query, "lieu"), &status);
    const char *search = tl_query_get(&q->query, "q");
    const char *retired = tl_query_get(&q->query, "retires");
    const char *page_s = tl_query_get(&q->query, "page");
    const char *done = tl_query_get(&q->query, "fait");
    const char *pairs[] = { "lieu", NULL, "q", NULL, "retires", NULL, "page", NULL, NULL };
    const tl_rows *rows;
    long page = 1;
    size_t len;

    if (!place) {
        return status;
    }
    if ((search && tl_valid_text(p, "recherche", search, 100)) || (done && tl_valid_text(p, "objet", done, 32))
        || (page_s && tl_valid_int(p, "page", page_s, 1, 100000, &page))) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Cette recherche n'est pas lisible.");
    }
    {
        const char *params[] = { q->r->user, place, search ? search : "", retired ? "true" : "false",
                                 apr_itoa(p, TL_ADMIN_PAGE_SIZE), apr_ltoa(p, (page - 1) * TL_ADMIN_PAGE_SIZE) };
        rows = tl_admin_view(q, "items", "SELECT * FROM tl.admin_items($1, $2, $3, $4::boolean, $5::integer, $6::integer)",
                             6, params, &status);
        if (!rows) {
            return status;
        }
    }
    pairs[1] = place;
    pairs[3] = search && *search ? search : NULL;
    pairs[5] = retired ? "1" : NULL;
    tl_paginate(q, "/gestion/objets", pairs, page,
                rows->count(rows) ? atol(rows->value(rows, 0, rows->column(rows, "total"), &len)) : 0,
                TL_ADMIN_PAGE_SIZE);
    tl_view_set(q->view, "f_q", search);
    tl_view_set(q->view, "f_retires", retired ? "t" : NULL);
    tl_view_set(q->view, "done", done);
    return tl_render_page(q, "gestion-objets", "Objets du lieu — gestion");
}

/* A kit's components, each row a form of its own; the row a refused change
 * was about shows what was posted and the message under its field (the
 * add form's own when the refused change was an addition). */
static int tl_item_components(tl_req *q, const char *number, int *status)
{
    static const char sql[] =
        "SELECT c.id, c.pos AS position, "
        "       CASE WHEN c.id::text = $3 THEN $6 ELSE c.name END AS name, "
        "       CASE WHEN c.id::text = $3 THEN $7 ELSE c.quantity::text END AS quantity, "
        "       CASE WHEN c.id::text = $3 AND $4 <> '' THEN $4 END AS row_err_nom, "
        "       CASE WHEN c.id::text = $3 AND $4 <> '' THEN 'erreur-nom-' || c.id END AS row_errid_nom, "
        "       CASE WHEN c.id::text = $3 AND $4 <> '' THEN 'true' END AS row_invalid_nom, "
        "       CASE WHEN c.id::text = $3 AND $5 <> '' THEN $5 END AS row_err_nombre, "
        "       CASE WHEN c.id::text = $3 AND $5 <> '' THEN 'erreur-nombre-' || c.id END AS row_errid_nombre, "
        "       CASE WHEN c.id::text = $3 AND $5 <> '' THEN 'true' END AS row_invalid_nombre "
        "  FROM tl.admin_item_components($1, $2) AS c";
    const char *edited = tl_view_get(q->view, "f_composant");
    const char *err_name = tl_view_get(q->view, "err_nom"), *err_count = tl_view_get(q->view, "err_nombre");
    const char *name = tl_view_get(q->view, "f_nom"), *count = tl_view_get(q->view, "f_nombre");
    const char *params[] = { q->r->user, number, edited ? edited : "", err_name ? err_name : "",
                             err_count ? err_count : "", name ? name : "", count ? count : "" };

    if (!tl_admin_view(q, "components", sql, 7, params, status)) {
        return 0;
    }
    if (!edited || !*edited) {
        /* An addition: its messages go under the add form's fields. */
        static const char *const fields[] = { "nom", "nombre", NULL };
        int i;
        for (i = 0; fields[i]; i++) {
            const char *err = tl_view_get(q->view, apr_pstrcat(q->r->pool, "err_", fields[i], NULL));
            if (err) {
                tl_view_set(q->view, apr_pstrcat(q->r->pool, "add_err_", fields[i], NULL), err);
                tl_view_set(q->view, apr_pstrcat(q->r->pool, "add_errid_", fields[i], NULL),
                            apr_pstrcat(q->r->pool, "erreur-", fields[i], NULL));
                tl_view_set(q->view, apr_pstrcat(q->r->pool, "add_invalid_", fields[i], NULL), "true");
            }
        }
        tl_view_set(q->view, "add_nom", name);
        tl_view_set(q->view, "add_nombre", count);
    }
    return 1;
}

/* The item form: new (no number) or an existing item; status 422 when it
 * comes back with messages. */
static int tl_item_form(tl_req *q, const char *place, const char *number, int status)
{
    int st = OK;
    const char *category = tl_view_get(q->view, "f_categorie");
    const char *condition = tl_view_get(q->view, "f_etat");
    const char *params[2];

    if (number && *number && !tl_view_get(q->view, "f_titre")) {
        /* Shown for the first time: the item's own values fill the form. */
        const char *p2[] = { q->r->user, number };
        const tl_rows *item;
        size_t len;
        int c;
        static const char *const map[][2] = {
            { "code", "numero" }, { "barcode", "code_barres" }, { "title", "titre" }, { "brand", "marque" },
            { "description", "description" }, { "category", "categorie" }, { "condition", "etat" },
            { "place", "lieu" }, { "deposit", "caution" }, { "loan_days", "duree" },
            { "safety_check_days", "controle_jours" }, { "last_safety_check", "controle_date" }
        };
        if (!(item = tl_admin_view(q, "item", "SELECT * FROM tl.admin_item($1, $2)", 2, p2, &st))) {
            return st;
        }
        for (c = 0; c < (int)(sizeof(map) / sizeof(map[0])); c++) {
            tl_view_set(q->view, apr_pstrcat(q->r->pool, "f_", map[c][1], NULL),
                        item->value(item, 0, item->column(item, map[c][0]), &len));
        }
        category = tl_view_get(q->view, "f_categorie");
        condition = tl_view_get(q->view, "f_etat");
        place = tl_view_get(q->view, "f_lieu");
    }
    else if (number && *number) {
        const char *p2[] = { q->r->user, number };
        if (!tl_admin_view(q, "item", "SELECT * FROM tl.admin_item($1, $2)", 2, p2, &st)) {
            return st;
        }
    }
    if (!tl_admin_place(q, place, &st)) {
        return st;
    }
    params[0] = category ? category : "";
    if (!tl_db_view(q, "categories", "SELECT slug, name, slug = $1 AS selected FROM tl.category ORDER BY sort_order, name",
                    1, params, &st)) {
        return tl_page_failed(q, st);
    }
    params[0] = condition ? condition : "bon";
    if (!tl_db_view(q, "conditions", "SELECT code, label, code = $1 AS selected FROM tl.item_condition ORDER BY rank",
                    1, params, &st)) {
        return tl_page_failed(q, st);
    }
    if (number && *number && !tl_item_components(q, number, &st)) {
        return st;
    }
    /* Where it may move for good (sql/schema/006): any other place. */
    if (number && *number
        && !tl_db_view(q, "move_places", "SELECT p.slug, p.name, p.slug = $2 AS selected FROM tl.place p "
                                         "WHERE p.id <> (SELECT place_id FROM tl.item WHERE code = upper(btrim($1))) "
                                         "ORDER BY p.name", 2,
                       (const char *const[]){ number, tl_view_get(q->view, "f_vers") ? tl_view_get(q->view, "f_vers")
                                                                                     : "" }, &st)) {
        return tl_page_failed(q, st);
    }
    if (number && *number) {
        const char *p2[] = { q->r->user, number };
        if (!tl_admin_view(q, "photos", "SELECT * FROM tl.item_photos_for($1, $2)", 2, p2, &st)) {
            return st;
        }
    }
    tl_view_set(q->view, "existing", number && *number ? number : NULL);
    tl_form_token(q, "gestion-objet");
    q->r->status = status;
    return tl_render_page(q, "gestion-objet", number && *number ? "Modifier un objet — gestion"
                                                                : "Nouvel objet — gestion");
}

int tl_page_admin_item_show(tl_req *q, const char *number, int status)
{
    return tl_item_form(q, NULL, number, status);
}

int tl_page_admin_item(tl_req *q)
{
    const char *number = tl_query_get(&q->query, "numero");
    const char *done = tl_query_get(&q->query, "fait");

    if (number && tl_valid_text(q->r->pool, "numéro", number, 32)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce numéro d'objet n'est pas lisible.");
    }
    if (done && tl_valid_slug(q->r->pool, "fait", done, 16) == NULL) {
        tl_view_set(q->view, apr_pstrcat(q->r->pool, "done_", done, NULL), "t");
    }
    return tl_item_form(q, tl_query_get(&q->query, "lieu"), number, HTTP_OK);
}

int tl_page_admin_item_post(tl_req *q)
{
    static const char *const names[] = { "numero", "lieu", "titre", "marque", "description", "categorie", "etat",
                                         "code_barres", "caution", "duree", "controle_jours", "controle_date", NULL };
    apr_pool_t *p = q->r->pool;
    apr_table_t *f;
    const char *existing, *place, *params[14];
    const tl_rows *saved = NULL;
    size_t len;
    int rc, status;

    if (!tl_form_read(q, "gestion-objet", &f, &rc)) {
        return rc;
    }
    tl_form_keep(q, f, NULL, names);
    existing = tl_field(f, "existant");
    place = tl_field(f, "lieu");
    if ((existing && tl_valid_text(p, "numéro", existing, 32)) || !place || tl_valid_slug(p, "lieu", place, 64)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas d'objet ou de lieu.");
    }
    params[0] = q->r->user;
    params[1] = existing && *existing ? existing : NULL;
    params[2] = tl_admin_text(q, f, "numero", "numéro", 32);
    params[3] = place;
    params[4] = tl_admin_text(q, f, "titre", "nom", 200);
    params[5] = tl_admin_text(q, f, "marque", "marque", 100);
    params[6] = tl_admin_lines(q, f, "description", "description", 4000);
    params[7] = tl_admin_text(q, f, "categorie", "catégorie", 64);
    params[8] = tl_admin_text(q, f, "etat", "état", 32);
    params[9] = tl_admin_text(q, f, "code_barres", "code-barres", 64);
    params[10] = tl_admin_amount(q, f, "caution", "caution");
    params[11] = tl_admin_int(q, f, "duree", "durée du prêt", 1, 365);
    params[12] = tl_admin_int(q, f, "controle_jours", "intervalle des contrôles", 1, 3650);
    params[13] = tl_admin_date(q, f, "controle_date", "dernier contrôle");
    if (!tl_view_get(q->view, "errors")) {
        rc = tl_change(q, "SELECT tl.save_item($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::numeric, "
                          "$12::integer, $13::integer, $14::date) AS code",
                       14, params, tl_item_fields, "titre", &status, &saved);
        if (rc < 0) {
            return status;
        }
        if (rc > 0) {
            return tl_form_done(q, tl_url_build(p, "/gestion/objets",
                                                (const char *const[]){ "lieu", place, "fait",
                                                    saved->value(saved, 0, 0, &len), NULL }));
        }
    }
    return tl_item_form(q, place, params[1], HTTP_UNPROCESSABLE_ENTITY);
}

/* Retiring (action "retirer", with a reason) or back in service. */
int tl_page_admin_item_state(tl_req *q)
{
    apr_pool_t *p = q->r->pool;
    apr_table_t *f;
    const char *number, *action, *reason;
    int rc, status, retire;

    if (!tl_form_read(q, "gestion-objet", &f, &rc)) {
        return rc;
    }
    number = tl_field(f, "existant");
    action = tl_field(f, "action");
    if (!*number || tl_valid_text(p, "numéro", number, 32)
        || tl_field_choice(p, f, "action", "action", tl_choices_item_state, &retire)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas d'objet ou d'action.");
    }
    retire = retire == 0;
    reason = tl_admin_text(q, f, "raison", "raison", 500);
    tl_form_keep(q, f, NULL, (const char *const[]){ "raison", NULL });
    if (!tl_view_get(q->view, "errors")) {
        const char *params[] = { q->r->user, number, reason };
        rc = tl_change(q, retire ? "SELECT tl.retire_item($1, $2, $3)" : "SELECT tl.restore_item($1, $2)",
                       retire ? 3 : 2, params, tl_item_fields, "raison", &status, NULL);
        if (rc < 0) {
            return status;
        }
        if (rc > 0) {
            return tl_form_done(q, tl_url_build(p, "/gestion/objet",
                                                (const char *const[]){ "numero", number, "fait", action, NULL }));
        }
    }
    return tl_item_form(q, NULL, number, HTTP_UNPROCESSABLE_ENTITY);
}

/* A kit's component added, renamed and counted again (action "enregistrer",
 * the default), or taken off the list (action "retirer"). */
int tl_page_admin_item_component(tl_req *q)
{
    static const tl_change_rule rules[] = {
        { "item_component_name_not_blank", "nom" },
        { "item_component_name_length", "nom" },
        { "item_component_name_key", "nom" },
        { "item_component_quantity_range", "nombre" },
        { TL_CHANGE_FORBIDDEN, NULL, "Cet objet appartient à un lieu dont vous n'êtes pas référent : rien n'a été "
                                     "changé." },
        { NULL, "composant" }
    };
    apr_pool_t *p = q->r->pool;
    apr_table_t *f;
    const char *number, *component, *action, *name, *count;
    long id;
    int rc, status = OK, remove;

    if (!tl_form_read(q, "gestion-objet", &f, &rc)) {
        return rc;
    }
    number = tl_field(f, "existant");
    component = tl_field(f, "composant");
    action = tl_field(f, "action");
    if (!number || !*number || tl_valid_text(p, "numéro", number, 32)
        || (component && *component && tl_valid_int(p, "composant", component, 1, 2147483647L, &id))
        || (action && *action && strcmp(action, "enregistrer") != 0 && strcmp(action, "retirer") != 0)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas d'objet, de composant ou d'action.");
    }
    remove = action && strcmp(action, "retirer") == 0;
    if (remove && (!component || !*component)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas le composant à retirer.");
    }
    tl_form_keep(q, f, NULL, (const char *const[]){ "composant", "nom", "nombre", NULL });
    name = tl_admin_text(q, f, "nom", "nom du composant", 100);
    count = tl_admin_int(q, f, "nombre", "nombre", 1, 999);
    if (!remove && !count && !tl_view_get(q->view, "err_nombre")) {
        tl_form_error(q, "nombre", "Indiquez combien le kit en contient, de 1 à 999.");
    }
    if (remove || !tl_view_get(q->view, "errors")) {
        const char *params[] = { q->r->user, number, component && *component ? component : NULL, name, count };
        rc = tl_change(q, remove ? "SELECT tl.remove_item_component($1, $2, $3::bigint)"
                                 : "SELECT tl.save_item_component($1, $2, $3::bigint, $4, $5::integer)",
                       remove ? 3 : 5, params, rules, NULL, &status, NULL);
        if (rc < 0) {
            return status;
        }
        if (rc > 0) {
            return tl_form_done(q, tl_url_build(p, "/gestion/objet",
                                                (const char *const[]){ "numero", number, "fait", "composants",
                                                                       NULL }));
        }
    }
    return tl_item_form(q, NULL, number, HTTP_UNPROCESSABLE_ENTITY);
}

/* An item moved to another place for good (tl.move_item): its number and
 * history kept, its owner's collection at the new place, a movement to
 * send it there. */
int tl_page_admin_item_move(tl_req *q)
{
    static const tl_change_rule rules[] = {
        { "item_place_fkey", "vers" },
        { TL_CHANGE_FORBIDDEN, NULL, "Cet objet appartient à un lieu dont vous n'êtes pas référent : rien n'a été "
                                     "changé." },
        { NULL, "vers", "Déplacement impossible : %s. Rien n'a été changé." }
    };
    apr_pool_t *p = q->r->pool;
    apr_table_t *f;
    const char *number, *to;
    int rc, status = OK;

    if (!tl_form_read(q, "gestion-objet", &f, &rc)) {
        return rc;
    }
    number = tl_field(f, "existant");
    to = tl_field(f, "vers");
    tl_form_keep(q, f, NULL, (const char *const[]){ "vers", NULL });
    if (!*number || tl_valid_text(p, "numéro", number, 32)) {
        return tl_render_error(q, HTTP_BAD_REQUEST, "Ce formulaire ne désigne pas d'objet.");
    }
    if (!*to || tl_valid_slug(p, "lieu", to, 64)) {
        tl_form_error(q, "vers", "Choisissez dans la liste le lieu où l'objet s'en va.");
    }
    else {
        const char *params[] = { q->r->user, number, to };
        rc = tl_change(q, "SELECT tl.move_item($1, $2, $3)", 3, params, rules, NULL, &status, NULL);
        if (rc < 0) {
            return status;
        }
        if (rc > 0) {
            /* Back to the référent's own list (the new place may be none of theirs). */
            return tl_form_done(q, tl_url_build(p, "/gestion/objets", (const char *const[]){ "fait", number, NULL }));
        }
    }
    return tl_item_form(q, NULL, number, HTTP_UNPROCESSABLE_ENTITY);
}
