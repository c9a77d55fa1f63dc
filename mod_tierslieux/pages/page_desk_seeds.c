/* The grainothèque at the desk: a volunteer records a deposit (variety,
 * harvest year, packets, grower optional) or a withdrawal at one of their
 * places. Every change is one call of a database function that checks the
 * role at that place and the stock; the browser then gets a 303. */
#include <apr_strings.h>
#include "tl_pages.h"
#include "tl_form.h"
#include "tl_change.h"
#include "tl_valid.h"

/* The volunteer's places that have a grainothèque; $2 the one chosen. */
static const char tl_sql_desk_places[] =
    "SELECT r.place_slug AS slug, r.place_name AS name, r.place_slug = $2 AS selected "
    "  FROM tl.account_roles($1) r "
    " WHERE EXISTS (SELECT 1 FROM tl.collection c WHERE c.place_id = r.place_id AND c.activity = 'grainotheque') "
    " ORDER BY r.place_name";

static const char tl_sql_desk_varieties[] =
    "SELECT v.id, s.common_name || ' « ' || v.name || ' »' AS label, v.id::text = $1 AS selected "
    "  FROM tl.seed_variety v JOIN tl.seed_species s ON s.id = v.species_id "
    " ORDER BY public.unaccent(lower(s.common_name)), public.unaccent(lower(v.name))";

static const char tl_sql_desk_lots[] =
    "SELECT l.id, s.common_name || ' « ' || v.name || ' », récolte ' || l.harvest_year "
    "       || ' (' || st.packets || ' sachets)' AS label, l.id::text = $2 AS selected "
    "  FROM tl.seed_lot l JOIN tl.seed_lot_stock st ON st.lot_id = l.id "
    "  JOIN tl.seed_variety v ON v.id = l.variety_id JOIN tl.seed_species s ON s.id = v.species_id "
    "  JOIN tl.place p ON p.id = l.place_id "
    " WHERE p.slug = $1 AND st.packets > 0 "
    " ORDER BY public.unaccent(lower(s.common_name)), v.name, l.harvest_year DESC";

static const char tl_sql_desk_movements[] =
    "SELECT to_char(m.at AT TIME ZONE p.time_zone, 'DD/MM/YYYY HH24:MI') AS at, "
    "       CASE m.kind WHEN 'depot' THEN 'Dépôt' ELSE 'Retrait' END AS kind, m.packets, "
    "       s.common_name || ' « ' || v.name || ' »' AS variety, m.harvest_year, m.recorded_by AS who "
    "  FROM tl.seed_movement_desk m "
    "  JOIN tl.seed_variety v ON v.id = m.variety_id JOIN tl.seed_species s ON s.id = v.species_id "
    "  JOIN tl.place p ON p.id = m.place_id "
    " WHERE p.slug = $1 "
    " ORDER BY m.at DESC, m.id DESC LIMIT 15";

static int tl_this_year(void)
{
    apr_time_exp_t now;
    apr_time_exp_lt(&now, apr_time_now());
    return now.tm_year + 1900;
}

/* Shows the desk page for the place chosen; status 200, or 422 when it
 * shows a form again with its mistakes. */
static int tl_desk_seeds_show(tl_req *q, const char *place, const char *variety, const char *lot, int status)
{
    int st = OK;
    const tl_rows *places;
    const char *user = q->r->user;
    const char *params[] = { user, place ? place : "" };
    size_t len;

    if (!(places = tl_db_view(q, "places", tl_sql_desk_places, 2, params, &st))) {
        return tl_page_failed(q, st);
    }
    if (places->count(places) == 0) {
        return tl_render_error(q, HTTP_FORBIDDEN, "Aucun de vos lieux n'a de grainothèque.");
    }
    if (!place || !*place || !tl_rows_contains(places, "slug", place)) {
        place = places->value(places, 0, places->column(places, "slug"), &len);
    }
    {
        const char *v[] = { variety ? variety : "" };
        const char *l[] = { place, lot ? lot : "" };
        const char *r[] = { q->r->user, place };
        /* The place known, the rest of the desk in one round trip. */
        const tl_db_read reads[] = {
            { "varieties", tl_sql_desk_varieties, 1, v },
            { "lots", tl_sql_desk_lots, 2, l },
            { "movements", tl_sql_desk_movements, 1, &place },
            { "reminders", "SELECT * FROM tl.desk_seed_reminders($1, $2)", 2, r },
        };
        if (!tl_db_views(q, reads, 4, &st)) {
            return tl_page_failed(q, st);
        }
    }
    tl_view_set(q->view, "place", place);
    tl_form_token(q, "graines-depot");
    tl_view_set(q->view, "jeton_depot", tl_view_get(q->view, "jeton"));
    tl_form_token(q, "graines-retrait");
    tl_view_set(q->view, "jeton_retrait", tl_view_get(q->view, "jeton"));
    if (!tl_view_get(q->view, "f_annee")) {
        tl_view_set(q->view, "f_annee", apr_itoa(q->r->pool, tl_this_year()));
    }
    q->r->status = status;
    return tl_render_page(q, "guichet-graines", "Grainothèque — guichet");
}

int tl_page_desk_seeds(tl_req *q)
{
    const char *done = tl_query_get(&q->query, "fait");

    if (done && (strcmp(done, "depot") == 0 || strcmp(done, "retrait") == 0)) {
        tl_view_set(q->view, done[0] == 'd' ? "done_deposit" : "done_withdrawal", "t");
    }
    return tl_desk_seeds_show(q, tl_query_get(&q->query, "lieu"), NULL, NULL, HTTP_OK);
}

/* A refusal from the database, shown next to the field it is about: the
 * two forms name their number of packets and member fields apart. */
#define TL_SEED_RULES(packets) \
    { "seed_lot_variety_fkey", "variete", "Choisissez une variété de la liste." }, \
    { "seed_lot_harvest_year_range", "annee", "L'année de récolte doit être comprise entre 1950 et cette année." }, \
    { "seed_lot_stock_not_negative", packets, "Retrait impossible : %s. Indiquez un nombre plus petit." }, \
    { "seed_movement_packets_positive", packets, "Indiquez un nombre de sachets entre 1 et 1000." }, \
    { "seed_movement_lot_fkey", "lot", "Choisissez un lot de la liste." }, \
    { NULL, "lieu", "Ce lieu n'a pas de grainothèque : choisissez-en un autre." }

static const tl_change_rule tl_deposit_rules[] = {
    { "seed_movement_member_fkey", "depot_adherent" },
    { TL_CHANGE_FORBIDDEN, NULL, "Vous ne tenez pas le guichet de ce lieu : rien n'a été enregistré." },
    TL_SEED_RULES("sachets")
};

static const tl_change_rule tl_withdrawal_rules[] = {
    { "seed_movement_member_fkey", "adherent" },
    { TL_CHANGE_FORBIDDEN, NULL, "Ce lot est dans un lieu dont vous ne tenez pas le guichet : rien n'a été "
                                 "enregistré." },
    TL_SEED_RULES("retrait_sachets")
};

int tl_page_desk_seed_deposit(tl_req *q)
{
    apr_pool_t *p = q->r->pool;
    apr_table_t *f;
    const char *err, *place, *variety, *year, *packets, *grower, *member;
    long n;
    int rc, status = OK;

    if (!tl_form_read(q, "graines-depot", &f, &rc)) {
        return rc;
    }
    place = tl_field(f, "lieu");
    variety = tl_field(f, "variete");
    year = tl_field(f, "annee");
    packets = tl_field(f, "sachets");
    grower = tl_field(f, "producteur");
    member = tl_field(f, "adherent");
    tl_form_keep(q, f, "depot_", (const char *const[]){ "adherent", NULL });
    tl_form_keep(q, f, NULL, (const char *const[]){ "annee", "sachets", "producteur", NULL });
    if (!place || tl_valid_slug(p, "lieu", place, 64)) {
        tl_form_error(q, "lieu", "Choisissez un lieu de la liste.");
    }
    if ((err = tl_valid_int(p, "variété", variety, 1, 2147483647L, &n)) != NULL) {
        tl_form_error(q, "variete", "Choisissez une variété de la liste.");
    }
    /* The range of the column; a harvest to come is the database's refusal. */
    if ((err = tl_valid_int(p, "année de récolte", year, 1950, 2100, &n)) != NULL) {
        tl_form_error(q, "annee", err);
    }
    if ((err = tl_valid_int(p, "nombre de sachets", packets, 1, 1000, &n)) != NULL) {
        tl_form_error(q, "sachets", err);
    }
    if (grower && (err = tl_valid_text(p, "producteur", grower, 100)) != NULL) {
        tl_form_error(q, "producteur", err);
    }
    if (member && *member && tl_valid_text(p, "adhérent", member, 32)) {
        tl_form_error(q, "depot_adherent", "Ce numéro d'adhérent n'est pas lisible.");
    }
    if (!tl_view_get(q->view, "errors")) {
        const char *params[] = { q->r->user, place, variety, year, packets, grower ? grower : "",
                                 member ? member : "" };
        if ((rc = tl_change(q, "SELECT tl.seed_deposit_for($1, $2, $3::integer, $4::integer, $5::integer, $6, $7)",
                            7, params, tl_deposit_rules, NULL, &status, NULL)) > 0) {
            return tl_form_done(q, apr_pstrcat(p, "/guichet/graines?lieu=", place, "&fait=depot", NULL));
        }
        if (rc < 0) {
            return status;
        }
    }
    return tl_desk_seeds_show(q, place, variety, NULL, HTTP_UNPROCESSABLE_ENTITY);
}

int tl_page_desk_seed_withdrawal(tl_req *q)
{
    apr_pool_t *p = q->r->pool;
    apr_table_t *f;
    const char *err, *place, *lot, *packets, *member;
    long n;
    int rc, status = OK;

    if (!tl_form_read(q, "graines-retrait", &f, &rc)) {
        return rc;
    }
    place = tl_field(f, "lieu");
    lot = tl_field(f, "lot");
    packets = tl_field(f, "sachets");
    member = tl_field(f, "adherent");
    tl_form_keep(q, f, "retrait_", (const char *const[]){ "sachets", NULL });
    tl_form_keep(q, f, NULL, (const char *const[]){ "adherent", NULL });
    if (!place || tl_valid_slug(p, "lieu", place, 64)) {
        tl_form_error(q, "lieu", "Choisissez un lieu de la liste.");
    }
    if (tl_valid_int(p, "lot", lot, 1, 2147483647L, &n) != NULL) {
        tl_form_error(q, "lot", "Choisissez un lot de la liste.");
    }
    if ((err = tl_valid_int(p, "nombre de sachets", packets, 1, 1000, &n)) != NULL) {
        tl_form_error(q, "retrait_sachets", err);
    }
    if (member && *member && tl_valid_text(p, "adhérent", member, 32)) {
        tl_form_error(q, "adherent", "Ce numéro d'adhérent n'est pas lisible.");
    }
    if (!tl_view_get(q->view, "errors")) {
        const char *params[] = { q->r->user, lot, packets, member ? member : "" };
        if ((rc = tl_change(q, "SELECT tl.seed_withdraw_for($1, $2::integer, $3::integer, $4)", 4, params,
                            tl_withdrawal_rules, NULL, &status, NULL)) > 0) {
            return tl_form_done(q, apr_pstrcat(p, "/guichet/graines?lieu=", place, "&fait=retrait", NULL));
        }
        if (rc < 0) {
            return status;
        }
    }
    return tl_desk_seeds_show(q, place, NULL, lot, HTTP_UNPROCESSABLE_ENTITY);
}
