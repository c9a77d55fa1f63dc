/* The route table and what the pages share. */
#include <apr_strings.h>
#include <http_core.h>
#include "tl_pages.h"
#include "tl_router.h"
#include "tl_assets.h"
#include "tl_valid.h"
#include "tl_date.h"

const tl_route tl_routes[] = {
    /* The router takes the first route whose method and pattern match, so
     * within a group a fixed path comes before a '*' that would also match
     * it (tests/docs/test_names.py checks it, and that each path's GET and
     * POST sit together). Each group has its section, in the same order, in
     * docs/developpeurs.md's table from a URL to its code. */

    /* ---- Public pages ---- */
    { M_GET, "/",             tl_page_home,      TL_ROUTE_PUBLIC, "places_catalogue lending seeds" },
    { M_GET, "/lieux",        tl_page_places,    TL_ROUTE_PUBLIC, "places_catalogue lending seeds" },
    { M_GET, "/lieux/*",      tl_page_place,     TL_ROUTE_PUBLIC, "places_catalogue lending seeds back_office stories" },
    { M_GET, "/outils",       tl_page_catalogue, TL_ROUTE_PUBLIC, "places_catalogue lending photos" },
    { M_GET, "/outils.atom",  tl_page_catalogue_feed, TL_ROUTE_PUBLIC, "places_catalogue" },
    { M_GET, "/donnees-ouvertes", tl_page_open_data, TL_ROUTE_PUBLIC, "places_catalogue" },
    { M_GET, "/donnees-ouvertes/equipements.csv", tl_page_open_equipment, TL_ROUTE_PUBLIC, "places_catalogue" },
    { M_GET, "/donnees-ouvertes/lieux.geojson", tl_page_open_places, TL_ROUTE_PUBLIC, "places_catalogue lending seeds repair_cafe ressourcerie" },
    { M_GET, "/donnees-ouvertes/outils.csv", tl_page_open_items, TL_ROUTE_PUBLIC, "places_catalogue" },
    { M_GET, "/outils/*",     tl_page_item,      TL_ROUTE_PUBLIC, "places_catalogue lending photos documents" },
    { M_GET, "/outils/*/qr.svg", tl_page_item_qr, TL_ROUTE_PUBLIC, "places_catalogue" },
    { M_GET, "/outils/*/notice", tl_page_item_notice, TL_ROUTE_PUBLIC, "places_catalogue seeds documents" },
    { M_GET, "/documents/*",  tl_page_manual,    TL_ROUTE_PUBLIC, "places_catalogue documents" },
    { M_GET, "/impact", tl_page_impact, TL_ROUTE_PUBLIC, "places_catalogue lending seeds repair_cafe ressourcerie volunteering back_office stories" },
    { M_GET, "/oembed", tl_page_oembed, TL_ROUTE_PUBLIC, "places_catalogue repair_cafe back_office" },
    { M_GET, "/static/*",     tl_assets_serve,   TL_ROUTE_ASSET },
    { M_GET, "/photos/*",     tl_page_photo,     TL_ROUTE_ASSET },

    /* ---- Logins and the desk's door ---- */
    { M_GET, "/connexion",    tl_page_login,     TL_ROUTE_PRIVATE },
    { M_GET, "/acces-refuse", tl_page_forbidden, TL_ROUTE_PRIVATE },
    { M_GET, "/indisponible", tl_page_unavailable, TL_ROUTE_PRIVATE },
    { M_GET, "/guichet",      tl_page_desk,      TL_ROUTE_PRIVATE },

    /* ---- Mon compte ---- */
    { M_GET, "/compte", tl_page_account, TL_ROUTE_PRIVATE },
    { M_GET, "/compte/connexion", tl_page_account_login, TL_ROUTE_PRIVATE },
    { M_POST, "/compte/prolonger", tl_page_account_renew, TL_ROUTE_PRIVATE },
    { M_GET, "/compte/reserver", tl_page_account_reserve_form, TL_ROUTE_PRIVATE },
    { M_POST, "/compte/reserver", tl_page_account_reserve, TL_ROUTE_PRIVATE },
    { M_POST, "/compte/annuler", tl_page_account_cancel, TL_ROUTE_PRIVATE },
    { M_POST, "/compte/attente", tl_page_account_waiting, TL_ROUTE_PRIVATE },
    { M_GET, "/compte/donnees", tl_page_account_data, TL_ROUTE_PRIVATE },
    { M_GET, "/compte/donnees.json", tl_page_account_data_json, TL_ROUTE_PRIVATE },
    { M_GET, "/compte/donnees.csv", tl_page_account_data_csv, TL_ROUTE_PRIVATE },
    { M_POST, "/compte/effacer", tl_page_account_erase, TL_ROUTE_PRIVATE },
    { M_GET, "/compte/mot-de-passe", tl_page_password, TL_ROUTE_PRIVATE },
    { M_POST, "/compte/mot-de-passe", tl_page_password_post, TL_ROUTE_PRIVATE },
    { M_GET, "/compte/notice", tl_page_notice_form, TL_ROUTE_PRIVATE },
    { M_POST, "/compte/notice", tl_page_notice_post, TL_ROUTE_PRIVATE },
    { M_GET, "/compte/atelier", tl_page_account_workshop_form, TL_ROUTE_PRIVATE },
    { M_POST, "/compte/atelier", tl_page_account_workshop, TL_ROUTE_PRIVATE },

    /* ---- The desk: lending ---- */
    { M_GET, "/guichet/pret", tl_page_desk_lend, TL_ROUTE_PRIVATE },
    { M_POST, "/guichet/pret/verifier", tl_page_desk_lend_check, TL_ROUTE_PRIVATE },
    { M_POST, "/guichet/pret/confirmer", tl_page_desk_lend_confirm, TL_ROUTE_PRIVATE },
    { M_GET, "/guichet/retour", tl_page_desk_return, TL_ROUTE_PRIVATE },
    { M_POST, "/guichet/retour", tl_page_desk_return_post, TL_ROUTE_PRIVATE },
    { M_POST, "/guichet/retour/kit", tl_page_desk_return_kit, TL_ROUTE_PRIVATE },
    { M_GET, "/guichet/retards", tl_page_desk_overdue, TL_ROUTE_PRIVATE },
    { M_GET, "/guichet/transit", tl_page_desk_transit, TL_ROUTE_PRIVATE },
    { M_POST, "/guichet/transit/expedier", tl_page_desk_transit_send, TL_ROUTE_PRIVATE },
    { M_POST, "/guichet/transit/recevoir", tl_page_desk_transit_receive, TL_ROUTE_PRIVATE },
    { M_GET, "/guichet/retards.csv", tl_page_desk_overdue_csv, TL_ROUTE_PRIVATE },
    { M_GET, "/guichet/objet", tl_page_desk_item, TL_ROUTE_PRIVATE },
    { M_POST, "/guichet/objet/maintenance", tl_page_desk_item_maintenance, TL_ROUTE_PRIVATE },
    { M_POST, "/guichet/objet/photo", tl_page_desk_item_photo, TL_ROUTE_PRIVATE },
    { M_GET, "/guichet/etiquettes", tl_page_desk_labels, TL_ROUTE_PRIVATE },

    /* ---- The desk: members ---- */
    { M_GET, "/guichet/adherents", tl_page_desk_members, TL_ROUTE_PRIVATE },
    { M_POST, "/guichet/adherents", tl_page_desk_members_post, TL_ROUTE_PRIVATE },
    { M_GET, "/guichet/adherent", tl_page_desk_member, TL_ROUTE_PRIVATE },
    { M_POST, "/guichet/adherent", tl_page_desk_member_file, TL_ROUTE_PRIVATE },
    { M_POST, "/guichet/adherent/prolonger", tl_page_desk_member_renew, TL_ROUTE_PRIVATE },
    { M_POST, "/guichet/adherent/exporter", tl_page_desk_member_export, TL_ROUTE_PRIVATE },
    { M_POST, "/guichet/adherent/effacer", tl_page_desk_member_erase, TL_ROUTE_PRIVATE },
    { M_POST, "/guichet/adherent/reserver", tl_page_desk_member_reserve, TL_ROUTE_PRIVATE },
    { M_POST, "/guichet/adherent/annuler", tl_page_desk_member_cancel, TL_ROUTE_PRIVATE },
    { M_POST, "/guichet/adherent/caution", tl_page_desk_member_deposit, TL_ROUTE_PRIVATE },
    { M_POST, "/guichet/adherent/attente", tl_page_desk_member_waiting, TL_ROUTE_PRIVATE },
    { M_POST, "/guichet/adherent/cotisation", tl_page_desk_member_fee, TL_ROUTE_PRIVATE },
    { M_POST, "/guichet/adherent/lien", tl_page_desk_member_link, TL_ROUTE_PRIVATE },
    { M_POST, "/guichet/adherent/identifiant", tl_page_desk_member_site_login, TL_ROUTE_PRIVATE },
    { M_GET, "/guichet/courriels", tl_page_desk_mail, TL_ROUTE_PRIVATE },

    /* ---- Seeds ---- */
    { M_GET, "/graines",      tl_page_seeds,     TL_ROUTE_PUBLIC, "places_catalogue seeds" },
    { M_GET, "/graines/*",    tl_page_variety,   TL_ROUTE_PUBLIC, "places_catalogue seeds photos documents" },
    { M_GET, "/graines/*/notice", tl_page_variety_notice, TL_ROUTE_PUBLIC, "places_catalogue seeds documents" },
    { M_GET, "/guichet/graines", tl_page_desk_seeds, TL_ROUTE_PRIVATE },
    { M_POST, "/guichet/graines/depot", tl_page_desk_seed_deposit, TL_ROUTE_PRIVATE },
    { M_POST, "/guichet/graines/retrait", tl_page_desk_seed_withdrawal, TL_ROUTE_PRIVATE },
    { M_GET, "/gestion/graines", tl_page_admin_seeds, TL_ROUTE_PRIVATE },
    { M_POST, "/gestion/graines", tl_page_admin_seeds_post, TL_ROUTE_PRIVATE },
    { M_POST, "/gestion/graines/photo", tl_page_admin_seeds_photo, TL_ROUTE_PRIVATE },
    { M_POST, "/gestion/graines/photo/modifier", tl_page_admin_seeds_photo_change, TL_ROUTE_PRIVATE },

    /* ---- Repair café and events ---- */
    { M_GET, "/reparation",   tl_page_repair_agenda, TL_ROUTE_PUBLIC, "places_catalogue repair_cafe back_office" },
    { M_GET, "/reparation.ics", tl_page_repair_ical, TL_ROUTE_PUBLIC, "places_catalogue repair_cafe" },
    { M_GET, "/reparation/reservation", tl_page_repair_booking, TL_ROUTE_PRIVATE },
    { M_POST, "/reparation/reservation/annuler", tl_page_repair_cancel, TL_ROUTE_PRIVATE },
    { M_POST, "/reparation/reserver", tl_page_repair_book, TL_ROUTE_PRIVATE },
    { M_GET, "/reparation/ords.csv", tl_page_repair_ords, TL_ROUTE_PUBLIC, "places_catalogue repair_cafe" },
    { M_GET, "/reparation/*", tl_page_repair_session, TL_ROUTE_PUBLIC, "places_catalogue repair_cafe back_office" },
    { M_GET, "/reparation/*/reserver", tl_page_repair_book_form, TL_ROUTE_PRIVATE },
    { M_GET, "/agenda",       tl_page_events,    TL_ROUTE_PUBLIC, "places_catalogue repair_cafe" },
    { M_GET, "/agenda.ics",   tl_page_events_ical, TL_ROUTE_PUBLIC, "places_catalogue repair_cafe" },
    { M_GET, "/agenda.atom",  tl_page_events_feed, TL_ROUTE_PUBLIC, "places_catalogue repair_cafe" },
    { M_GET, "/agenda/*",     tl_page_event,     TL_ROUTE_PUBLIC, "places_catalogue repair_cafe back_office" },
    { M_GET, "/agenda/*/reserver", tl_page_event_book_form, TL_ROUTE_PRIVATE },
    { M_GET, "/guichet/reparation", tl_page_desk_repair, TL_ROUTE_PRIVATE },
    { M_POST, "/guichet/reparation", tl_page_desk_repair_post, TL_ROUTE_PRIVATE },
    { M_GET, "/gestion/reparation", tl_page_admin_repair, TL_ROUTE_PRIVATE },
    { M_POST, "/gestion/reparation", tl_page_admin_repair_post, TL_ROUTE_PRIVATE },
    { M_GET, "/gestion/reparation/seance", tl_page_admin_repair_session, TL_ROUTE_PRIVATE },
    { M_POST, "/gestion/reparation/seance", tl_page_admin_repair_session_post, TL_ROUTE_PRIVATE },
    { M_GET, "/gestion/ateliers", tl_page_admin_workshops, TL_ROUTE_PRIVATE },
    { M_GET, "/gestion/ateliers/proposition", tl_page_admin_workshop_proposal, TL_ROUTE_PRIVATE },
    { M_POST, "/gestion/ateliers/proposition", tl_page_admin_workshop_proposal_post, TL_ROUTE_PRIVATE },

    /* ---- Ressourcerie ---- */
    { M_GET, "/ressourcerie", tl_page_reuse_shop, TL_ROUTE_PUBLIC, "places_catalogue ressourcerie photos" },
    { M_GET, "/ressourcerie.atom", tl_page_reuse_feed, TL_ROUTE_PUBLIC, "places_catalogue ressourcerie" },
    { M_GET, "/guichet/ressourcerie", tl_page_desk_reuse, TL_ROUTE_PRIVATE },
    { M_POST, "/guichet/ressourcerie", tl_page_desk_reuse_start, TL_ROUTE_PRIVATE },
    { M_GET, "/guichet/ressourcerie/arrivage", tl_page_desk_reuse_intake, TL_ROUTE_PRIVATE },
    { M_POST, "/guichet/ressourcerie/pesee", tl_page_desk_reuse_weigh, TL_ROUTE_PRIVATE },
    { M_GET, "/guichet/ressourcerie/stock", tl_page_desk_reuse_stock, TL_ROUTE_PRIVATE },
    { M_GET, "/guichet/ressourcerie/objet", tl_page_desk_reuse_item, TL_ROUTE_PRIVATE },
    { M_POST, "/guichet/ressourcerie/objet", tl_page_desk_reuse_item_new, TL_ROUTE_PRIVATE },
    { M_POST, "/guichet/ressourcerie/objet/action", tl_page_desk_reuse_item_action, TL_ROUTE_PRIVATE },
    { M_POST, "/guichet/ressourcerie/objet/photo", tl_page_desk_reuse_photo, TL_ROUTE_PRIVATE },
    { M_POST, "/guichet/ressourcerie/objet/photo/modifier", tl_page_desk_reuse_photo_change, TL_ROUTE_PRIVATE },
    { M_GET, "/guichet/ressourcerie/caisse", tl_page_desk_reuse_till, TL_ROUTE_PRIVATE },
    { M_POST, "/guichet/ressourcerie/caisse", tl_page_desk_reuse_sell, TL_ROUTE_PRIVATE },
    { M_POST, "/guichet/ressourcerie/cloture", tl_page_desk_reuse_close, TL_ROUTE_PRIVATE },
    { M_GET, "/guichet/ressourcerie/ticket", tl_page_desk_reuse_receipt, TL_ROUTE_PRIVATE },
    { M_POST, "/guichet/ressourcerie/annuler", tl_page_desk_reuse_cancel, TL_ROUTE_PRIVATE },
    { M_GET, "/guichet/ressourcerie/sorties", tl_page_desk_reuse_outflows, TL_ROUTE_PRIVATE },
    { M_POST, "/guichet/ressourcerie/sorties", tl_page_desk_reuse_outflow_post, TL_ROUTE_PRIVATE },
    { M_GET, "/gestion/ressourcerie", tl_page_admin_reuse, TL_ROUTE_PRIVATE },
    { M_POST, "/gestion/ressourcerie", tl_page_admin_reuse_post, TL_ROUTE_PRIVATE },
    { M_GET, "/gestion/ressourcerie/bilan", tl_page_admin_reuse_report, TL_ROUTE_PRIVATE },
    { M_GET, "/gestion/ressourcerie/bilan.csv", tl_page_admin_reuse_report_csv, TL_ROUTE_PRIVATE },
    { M_GET, "/gestion/ressourcerie/filieres", tl_page_admin_reuse_streams, TL_ROUTE_PRIVATE },
    { M_POST, "/gestion/ressourcerie/filieres", tl_page_admin_reuse_streams_post, TL_ROUTE_PRIVATE },

    /* ---- Volunteer shifts ---- */
    { M_GET, "/guichet/benevolat", tl_page_desk_volunteering, TL_ROUTE_PRIVATE },
    { M_POST, "/guichet/benevolat/inscription", tl_page_desk_volunteering_signup, TL_ROUTE_PRIVATE },
    { M_POST, "/guichet/benevolat/retrait", tl_page_desk_volunteering_withdraw, TL_ROUTE_PRIVATE },
    { M_GET, "/gestion/benevolat", tl_page_admin_volunteering, TL_ROUTE_PRIVATE },
    { M_POST, "/gestion/benevolat", tl_page_admin_volunteering_post, TL_ROUTE_PRIVATE },
    { M_POST, "/gestion/benevolat/annuler", tl_page_admin_volunteering_cancel, TL_ROUTE_PRIVATE },
    { M_POST, "/gestion/benevolat/valeur", tl_page_admin_volunteering_value, TL_ROUTE_PRIVATE },
    { M_POST, "/gestion/benevolat/duree", tl_page_admin_volunteering_minutes, TL_ROUTE_PRIVATE },
    { M_GET, "/gestion/benevolat/heures", tl_page_admin_volunteering_hours, TL_ROUTE_PRIVATE },
    { M_GET, "/gestion/benevolat/heures.csv", tl_page_admin_volunteering_hours_csv, TL_ROUTE_PRIVATE },

    /* ---- Offers to help ---- */
    { M_GET, "/compte/aider", tl_page_account_help, TL_ROUTE_PRIVATE },
    { M_POST, "/compte/aider", tl_page_account_help_post, TL_ROUTE_PRIVATE },
    { M_POST, "/compte/aider/retirer", tl_page_account_help_withdraw, TL_ROUTE_PRIVATE },
    { M_GET, "/gestion/propositions", tl_page_admin_offers, TL_ROUTE_PRIVATE },
    { M_POST, "/gestion/propositions/accepter", tl_page_admin_offers_accept, TL_ROUTE_PRIVATE },
    { M_POST, "/gestion/propositions/decliner", tl_page_admin_offers_decline, TL_ROUTE_PRIVATE },
    { M_GET, "/guichet/charte", tl_page_desk_charter, TL_ROUTE_PRIVATE },
    { M_POST, "/guichet/charte", tl_page_desk_charter_post, TL_ROUTE_PRIVATE },
    /* ---- Impact: the annual report ---- */
    { M_GET, "/gestion/bilan", tl_page_admin_report, TL_ROUTE_PRIVATE },
    { M_GET, "/gestion/bilan.csv", tl_page_admin_report_csv, TL_ROUTE_PRIVATE },
    /* ---- Testimonies ---- */
    { M_GET, "/temoignages", tl_page_stories, TL_ROUTE_PUBLIC, "places_catalogue stories" },
    { M_GET, "/temoignages/retrait", tl_page_story_withdraw_form, TL_ROUTE_PRIVATE },
    { M_POST, "/temoignages/retrait", tl_page_story_withdraw, TL_ROUTE_PRIVATE },
    { M_GET, "/guichet/temoignages", tl_page_desk_stories, TL_ROUTE_PRIVATE },
    { M_POST, "/guichet/temoignages", tl_page_desk_stories_post, TL_ROUTE_PRIVATE },
    { M_GET, "/gestion/temoignages", tl_page_admin_stories, TL_ROUTE_PRIVATE },
    { M_POST, "/gestion/temoignages/publier", tl_page_admin_stories_publish, TL_ROUTE_PRIVATE },
    { M_POST, "/gestion/temoignages/modifier", tl_page_admin_stories_edit, TL_ROUTE_PRIVATE },
    { M_POST, "/gestion/temoignages/supprimer", tl_page_admin_stories_delete, TL_ROUTE_PRIVATE },

    /* ---- The back office ---- */
    { M_GET, "/gestion", tl_page_admin, TL_ROUTE_PRIVATE },
    { M_GET, "/gestion/journal", tl_page_admin_journal, TL_ROUTE_PRIVATE },
    { M_GET, "/gestion/objets", tl_page_admin_items, TL_ROUTE_PRIVATE },
    { M_GET, "/gestion/objet", tl_page_admin_item, TL_ROUTE_PRIVATE },
    { M_POST, "/gestion/objet", tl_page_admin_item_post, TL_ROUTE_PRIVATE },
    { M_POST, "/gestion/objet/etat", tl_page_admin_item_state, TL_ROUTE_PRIVATE },
    { M_POST, "/gestion/objet/composant", tl_page_admin_item_component, TL_ROUTE_PRIVATE },
    { M_POST, "/gestion/objet/deplacer", tl_page_admin_item_move, TL_ROUTE_PRIVATE },
    { M_GET, "/gestion/objet/documents", tl_page_admin_manuals, TL_ROUTE_PRIVATE },
    { M_POST, "/gestion/objet/documents", tl_page_admin_manuals_post, TL_ROUTE_PRIVATE },
    { M_POST, "/gestion/objet/photo", tl_page_admin_item_photo, TL_ROUTE_PRIVATE },
    { M_POST, "/gestion/objet/photo/modifier", tl_page_admin_item_photo_change, TL_ROUTE_PRIVATE },
    { M_GET, "/gestion/lieu", tl_page_admin_place, TL_ROUTE_PRIVATE },
    { M_POST, "/gestion/lieu", tl_page_admin_place_post, TL_ROUTE_PRIVATE },
    { M_POST, "/gestion/lieu/fermeture", tl_page_admin_closure, TL_ROUTE_PRIVATE },
    { M_POST, "/gestion/lieu/collection", tl_page_admin_collection, TL_ROUTE_PRIVATE },
    { M_POST, "/gestion/lieu/impact", tl_page_admin_impact, TL_ROUTE_PRIVATE },
    { M_POST, "/gestion/lieu/donnees-ouvertes", tl_page_admin_place_open_data, TL_ROUTE_PRIVATE },
    { M_GET, "/gestion/categories", tl_page_admin_rules, TL_ROUTE_PRIVATE },
    { M_POST, "/gestion/categorie", tl_page_admin_category_post, TL_ROUTE_PRIVATE },
    { M_POST, "/gestion/conservation", tl_page_admin_retention_post, TL_ROUTE_PRIVATE },
    { M_GET, "/gestion/equipe", tl_page_admin_team, TL_ROUTE_PRIVATE },
    { M_POST, "/gestion/equipe", tl_page_admin_team_post, TL_ROUTE_PRIVATE },
    { M_POST, "/gestion/equipe/lien", tl_page_admin_team_link, TL_ROUTE_PRIVATE },

    /* ---- Imports ---- */
    { M_GET, "/gestion/import", tl_page_admin_import, TL_ROUTE_PRIVATE },
    { M_POST, "/gestion/import", tl_page_admin_import_post, TL_ROUTE_PRIVATE },
    { M_POST, "/gestion/import/confirmer", tl_page_admin_import_confirm, TL_ROUTE_PRIVATE },
    { 0, NULL, NULL, TL_ROUTE_PUBLIC }
};

/* What another site may show in an iframe: the catalogue and its
 * searches, an item, the agendas and an event, the ressourcerie's shelf,
 * the impact page. Their full pages name their oEmbed endpoint; their
 * embed view (?vue=integree) holds no form and opens its links on the
 * full site. */
const char *const tl_embeddable[] = {
    "/outils", "/outils/*", "/agenda", "/agenda/*", "/reparation", "/reparation/*", "/ressourcerie", "/impact",
    NULL
};

int tl_page_failed(tl_req *q, int status)
{
    return tl_render_error(q, status, NULL);
}

tl_atom *tl_feed_create(tl_req *q, const char *path, const char *place, const char *kind, const char *title,
                        int *status)
{
    apr_pool_t *p = q->r->pool;
    const char *const pairs[] = { "lieu", place, "type", kind, NULL };
    const char *self = ap_construct_url(p, tl_url_build(p, apr_pstrcat(p, q->base, path, ".atom", NULL), pairs), q->r);
    const char *page = ap_construct_url(p, tl_url_build(p, apr_pstrcat(p, q->base, path, NULL), pairs), q->r);
    const char *site = tl_conf_site_name(q->dc), *named = site;

    if (*place) {
        const tl_rows *rows = tl_db_query(q, "SELECT name FROM tl.place WHERE slug = $1", 1, &place, status);
        size_t len;
        if (!rows) {
            *status = tl_page_failed(q, *status);
            return NULL;
        }
        if (rows->count(rows) == 0) {
            *status = tl_render_error(q, HTTP_NOT_FOUND,
                                      "Ce lieu n'existe pas : choisissez-en un dans la liste des lieux.");
            return NULL;
        }
        named = rows->value(rows, 0, 0, &len);
    }
    return tl_atom_create(p, self, apr_pstrcat(p, title, " — ", named, NULL), self, page, site,
                          apr_time_sec(q->r->request_time));
}

void tl_feed_add(tl_req *q, tl_atom *feed, const tl_atom_entry *e)
{
    const char *err;

    if (tl_atom_add_entry(feed, e, &err) != 0) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, q->r, TLXLOGNO(1003) "%s left out of the feed: %s",
                      e->id ? e->id : "an entry", err);
    }
}

int tl_feed_send(tl_req *q, tl_atom *feed)
{
    tl_buf out;

    tl_buf_init(&out, q->r->pool, 8192);
    tl_atom_finish(feed, &out);
    return tl_send_body(q, "application/atom+xml; charset=utf-8", out.data, out.len);
}

const char *tl_title_catalogue(apr_pool_t *p, const char *words)
{
    return words && *words ? apr_psprintf(p, "Recherche « %s » — Outilthèque", words)
                           : "Outilthèque : le catalogue";
}

const char *tl_title_impact(apr_pool_t *p, const char *place_name)
{
    return place_name && *place_name ? apr_pstrcat(p, "L'impact de ", place_name, NULL)
                                     : "L'impact du réseau";
}

const char *tl_title_event(apr_pool_t *p, const char *title, const char *day_fr)
{
    return apr_pstrcat(p, title, " — ", day_fr, NULL);
}

const char *tl_param_slug(tl_req *q, const char *name, const char *label, int *status)
{
    const char *v = tl_query_get(&q->query, name);
    const char *err;

    if (!v || !*v) {
        return "";
    }
    if ((err = tl_valid_slug(q->r->pool, label, v, 64)) != NULL) {
        *status = tl_render_error(q, HTTP_BAD_REQUEST, err);
        return NULL;
    }
    return v;
}

const char *tl_param_id(tl_req *q, const char *segment, const char *label, int *status)
{
    long id;
    const char *err = tl_valid_int(q->r->pool, label, segment, 1, 2147483647L, &id);

    if (err) {
        *status = tl_render_error(q, HTTP_BAD_REQUEST, err);
        return NULL;
    }
    return apr_ltoa(q->r->pool, id);
}

void tl_paginate(tl_req *q, const char *path, const char **pairs, long page, long total, long per_page)
{
    static const char *const cols[] = { "num", "url", "current", NULL };
    apr_pool_t *p = q->r->pool;
    long pages = total > 0 ? (total + per_page - 1) / per_page : 1;
    long first = page - 3 < 1 ? 1 : page - 3, last = page + 3 > pages ? pages : page + 3, n;
    tl_rows *rows = tl_rows_make(p, cols);
    const char **page_slot;

    /* pairs ends with "page", NULL, NULL: the page number goes there. */
    for (page_slot = pairs; *page_slot && strcmp(*page_slot, "page") != 0; page_slot += 2) {
    }
    for (n = first; n <= last; n++) {
        page_slot[1] = n > 1 ? apr_ltoa(p, n) : NULL;
        tl_rows_add(rows, (const char *const[]){ apr_ltoa(p, n), tl_url_build(p, path, pairs),
                                                 n == page ? "page" : NULL });
    }
    tl_view_rows(q->view, "pagination", rows);
    tl_view_set(q->view, "page", apr_ltoa(p, page));
    tl_view_set(q->view, "pages", apr_ltoa(p, pages));
    tl_view_set(q->view, "several_pages", pages > 1 ? "t" : "f");
    if (page > 1) {
        page_slot[1] = page - 1 > 1 ? apr_ltoa(p, page - 1) : NULL;
        tl_view_set(q->view, "prev_url", tl_url_build(p, path, pairs));
    }
    if (page < pages) {
        page_slot[1] = apr_ltoa(p, page + 1);
        tl_view_set(q->view, "next_url", tl_url_build(p, path, pairs));
    }
}
