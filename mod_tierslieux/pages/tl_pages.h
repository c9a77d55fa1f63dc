/* The pages: one file per domain area. A page checks its parameters, runs
 * its queries through the DB helpers, names the result sets and hands them
 * to a template. No HTML here. */
#ifndef TL_PAGES_H
#define TL_PAGES_H

#include "tl_module.h"
#include "tl_db.h"
#include "tl_render.h"
#include "tl_config.h"
#include "tl_atom.h"

int tl_page_home(tl_req *q);
int tl_page_places(tl_req *q);
int tl_page_place(tl_req *q);
int tl_page_catalogue(tl_req *q);
int tl_page_catalogue_feed(tl_req *q);
int tl_page_item(tl_req *q);
int tl_page_seeds(tl_req *q);
int tl_page_variety(tl_req *q);
int tl_page_login(tl_req *q);
int tl_page_desk(tl_req *q);
int tl_page_forbidden(tl_req *q);
int tl_page_unavailable(tl_req *q);
int tl_page_desk_seeds(tl_req *q);
int tl_page_desk_seed_deposit(tl_req *q);
int tl_page_desk_seed_withdrawal(tl_req *q);
int tl_page_desk_lend(tl_req *q);
int tl_page_desk_lend_check(tl_req *q);
int tl_page_desk_lend_confirm(tl_req *q);
int tl_page_desk_return(tl_req *q);
int tl_page_desk_return_post(tl_req *q);
int tl_page_desk_return_kit(tl_req *q);
int tl_page_desk_overdue(tl_req *q);
int tl_page_desk_transit(tl_req *q);
int tl_page_desk_transit_send(tl_req *q);
int tl_page_desk_transit_receive(tl_req *q);
int tl_page_desk_overdue_csv(tl_req *q);
int tl_page_desk_members(tl_req *q);
int tl_page_desk_members_post(tl_req *q);
int tl_page_desk_member(tl_req *q);
int tl_page_desk_item(tl_req *q);
int tl_page_item_qr(tl_req *q);
int tl_page_photo(tl_req *q);
int tl_page_desk_labels(tl_req *q);
int tl_page_desk_item_maintenance(tl_req *q);
int tl_page_desk_item_photo(tl_req *q);
/* The desk's item page shown again after a form (status: 422). */
int tl_page_desk_item_show(tl_req *q, const char *number, int status);
int tl_page_desk_member_file(tl_req *q);
int tl_page_desk_member_renew(tl_req *q);
int tl_page_desk_member_export(tl_req *q);
int tl_page_desk_member_erase(tl_req *q);
int tl_page_desk_member_reserve(tl_req *q);
int tl_page_desk_member_cancel(tl_req *q);
int tl_page_desk_member_deposit(tl_req *q);
int tl_page_desk_member_waiting(tl_req *q);
int tl_page_desk_member_fee(tl_req *q);
int tl_page_repair_agenda(tl_req *q);
/* Impact (page_impact.c): the annual report and the public page. */
int tl_page_admin_report(tl_req *q);
int tl_page_admin_report_csv(tl_req *q);
int tl_page_impact(tl_req *q);
/* oEmbed (page_oembed.c): the endpoint other sites' editors ask. */
int tl_page_oembed(tl_req *q);
int tl_page_desk_repair(tl_req *q);
int tl_page_desk_reuse(tl_req *q);
int tl_page_desk_reuse_start(tl_req *q);
int tl_page_desk_reuse_intake(tl_req *q);
int tl_page_desk_reuse_weigh(tl_req *q);
/* The intake's page again (after a refused form), with http_status. */
int tl_desk_reuse_intake_show(tl_req *q, const char *intake, int http_status);
/* A ressourcerie item's number as typed ("R00012", "r12", "12"), or NULL
 * when it cannot be one (page_desk_reuse_stock.c). */
const char *tl_reuse_item_code(const char *v);
int tl_page_desk_reuse_item_new(tl_req *q);
int tl_page_desk_reuse_item(tl_req *q);
int tl_page_desk_reuse_item_action(tl_req *q);
/* A stock item's page at the desk (status: 422 when a form is shown again). */
int tl_page_desk_reuse_item_show(tl_req *q, const char *code, int status);
int tl_page_desk_reuse_photo(tl_req *q);
int tl_page_desk_reuse_photo_change(tl_req *q);
int tl_page_desk_reuse_stock(tl_req *q);
int tl_page_desk_reuse_till(tl_req *q);
int tl_page_desk_reuse_sell(tl_req *q);
int tl_page_desk_reuse_receipt(tl_req *q);
int tl_page_desk_reuse_cancel(tl_req *q);
int tl_page_desk_reuse_close(tl_req *q);
int tl_page_reuse_shop(tl_req *q);
int tl_page_reuse_feed(tl_req *q);
/* Open data (page_open_data.c). */
int tl_page_open_data(tl_req *q);
int tl_page_open_equipment(tl_req *q);
int tl_page_open_places(tl_req *q);
int tl_page_open_items(tl_req *q);
int tl_page_desk_reuse_outflows(tl_req *q);
int tl_page_desk_reuse_outflow_post(tl_req *q);
int tl_page_desk_repair_post(tl_req *q);
int tl_page_repair_ical(tl_req *q);
int tl_page_repair_ords(tl_req *q);
int tl_page_repair_session(tl_req *q);
int tl_page_repair_book_form(tl_req *q);
int tl_page_repair_book(tl_req *q);
int tl_page_repair_booking(tl_req *q);
int tl_page_repair_cancel(tl_req *q);
int tl_page_events(tl_req *q);
int tl_page_events_ical(tl_req *q);
int tl_page_events_feed(tl_req *q);
int tl_page_event(tl_req *q);
int tl_page_event_book_form(tl_req *q);
int tl_page_account_workshop_form(tl_req *q);
int tl_page_account_workshop(tl_req *q);
int tl_page_admin_workshops(tl_req *q);
int tl_page_admin_workshop_proposal(tl_req *q);
int tl_page_admin_workshop_proposal_post(tl_req *q);
int tl_page_admin(tl_req *q);
int tl_page_admin_journal(tl_req *q);
int tl_page_admin_items(tl_req *q);
int tl_page_admin_item(tl_req *q);
int tl_page_admin_item_post(tl_req *q);
int tl_page_admin_item_state(tl_req *q);
int tl_page_admin_item_component(tl_req *q);
int tl_page_admin_item_move(tl_req *q);
int tl_page_admin_item_photo(tl_req *q);
int tl_page_admin_item_photo_change(tl_req *q);
/* The back office's item page shown again after a form (status: 422). */
int tl_page_admin_item_show(tl_req *q, const char *number, int status);
int tl_page_admin_place(tl_req *q);
int tl_page_admin_place_post(tl_req *q);
int tl_page_admin_closure(tl_req *q);
int tl_page_admin_collection(tl_req *q);
int tl_page_admin_impact(tl_req *q);
int tl_page_admin_place_open_data(tl_req *q);
int tl_page_admin_rules(tl_req *q);
int tl_page_admin_category_post(tl_req *q);
int tl_page_admin_retention_post(tl_req *q);
int tl_page_admin_team(tl_req *q);
int tl_page_admin_team_post(tl_req *q);
int tl_page_admin_team_link(tl_req *q);
int tl_page_admin_seeds(tl_req *q);
int tl_page_admin_seeds_post(tl_req *q);
int tl_page_admin_seeds_photo(tl_req *q);
int tl_page_admin_seeds_photo_change(tl_req *q);
/* The grainothèque's back office with a variety's form (status: 422). */
int tl_page_admin_seeds_variety(tl_req *q, const char *place, const char *variety, int status);
int tl_page_admin_repair(tl_req *q);
int tl_page_admin_repair_post(tl_req *q);
int tl_page_admin_repair_session(tl_req *q);
int tl_page_admin_repair_session_post(tl_req *q);
int tl_page_admin_reuse(tl_req *q);
int tl_page_admin_reuse_post(tl_req *q);
int tl_page_admin_reuse_report(tl_req *q);
int tl_page_admin_reuse_report_csv(tl_req *q);
int tl_page_admin_reuse_streams(tl_req *q);
int tl_page_admin_reuse_streams_post(tl_req *q);
int tl_page_desk_volunteering(tl_req *q);
int tl_page_desk_volunteering_signup(tl_req *q);
int tl_page_desk_volunteering_withdraw(tl_req *q);
int tl_page_admin_volunteering(tl_req *q);
int tl_page_admin_volunteering_post(tl_req *q);
int tl_page_admin_volunteering_cancel(tl_req *q);
int tl_page_admin_volunteering_value(tl_req *q);
int tl_page_admin_volunteering_minutes(tl_req *q);
int tl_page_admin_volunteering_hours(tl_req *q);
int tl_page_admin_volunteering_hours_csv(tl_req *q);
int tl_page_account_help(tl_req *q);
int tl_page_account_help_post(tl_req *q);
int tl_page_account_help_withdraw(tl_req *q);
int tl_page_admin_offers(tl_req *q);
int tl_page_admin_offers_accept(tl_req *q);
int tl_page_admin_offers_decline(tl_req *q);
int tl_page_desk_charter(tl_req *q);
int tl_page_desk_charter_post(tl_req *q);
int tl_page_stories(tl_req *q);
int tl_page_story_withdraw_form(tl_req *q);
int tl_page_story_withdraw(tl_req *q);
int tl_page_desk_stories(tl_req *q);
int tl_page_desk_stories_post(tl_req *q);
int tl_page_admin_stories(tl_req *q);
int tl_page_admin_stories_publish(tl_req *q);
int tl_page_admin_stories_edit(tl_req *q);
int tl_page_admin_stories_delete(tl_req *q);
int tl_page_admin_import(tl_req *q);
int tl_page_admin_import_post(tl_req *q);
int tl_page_admin_import_confirm(tl_req *q);
int tl_page_desk_mail(tl_req *q);
int tl_page_desk_member_link(tl_req *q);
int tl_page_desk_member_site_login(tl_req *q);
int tl_page_account(tl_req *q);
/* "Mon compte" (page_account.c): who the database is asked about (NULL
 * when nobody logged in), the member's name for the page (1, or 0 and
 * *done when an error page was sent), and the refusal of a login whose
 * member is gone. */
const char *tl_account_user(tl_req *q);
int tl_account_load(tl_req *q, int *done);
extern const char tl_gone_member[];
/* Notices and manuals (page_documents.c). */
int tl_page_item_notice(tl_req *q);
int tl_page_variety_notice(tl_req *q);
int tl_page_manual(tl_req *q);
int tl_page_notice_form(tl_req *q);
int tl_page_notice_post(tl_req *q);
int tl_page_admin_manuals(tl_req *q);
int tl_page_admin_manuals_post(tl_req *q);
/* The current notice of an item ($1) or a variety ($2, the other NULL),
 * for its page: its head (licence, authors) and its paragraphs. */
extern const char tl_sql_notice_head[];
extern const char tl_sql_notice_paras[];
/* The photos of an item or a variety (owner: the column of tl.photo that
 * names it), the first one first, with the size the page shows them at. */
#define TL_SQL_PHOTOS_SHOWN(owner) \
    "SELECT f.id, f.alt, least(640, f.width) AS shown_width, " \
    "       greatest(1, round(f.height * least(640, f.width)::numeric / f.width)) AS shown_height " \
    "  FROM tl.photo f WHERE f." owner " = $1::integer ORDER BY f.position, f.id"
int tl_page_account_login(tl_req *q);
int tl_page_account_renew(tl_req *q);
int tl_page_account_reserve_form(tl_req *q);
int tl_page_account_reserve(tl_req *q);
int tl_page_account_cancel(tl_req *q);
int tl_page_account_waiting(tl_req *q);
int tl_page_account_data(tl_req *q);
int tl_page_account_data_json(tl_req *q);
int tl_page_account_data_csv(tl_req *q);
int tl_page_account_erase(tl_req *q);
int tl_page_password(tl_req *q);
int tl_page_password_post(tl_req *q);

/* Shared by the pages (tl_pages.c). */

/* Reads an optional parameter that must be a slug; "" when absent.
 * Returns NULL and sends a 400 through *status when malformed. */
const char *tl_param_slug(tl_req *q, const char *name, const char *label, int *status);
/* Reads a path segment that must be a positive id; sends 400 otherwise. */
const char *tl_param_id(tl_req *q, const char *segment, const char *label, int *status);
/* Adds "pagination" rows and prev/next URLs for page (1-based) of total
 * results, keeping the other parameters in pairs. */
void tl_paginate(tl_req *q, const char *path, const char **pairs, long page, long total, long per_page);
/* The status to return after a failed query: an error page for it. */
int tl_page_failed(tl_req *q, int status);

/* The Atom feed of the public page at path (base-relative, "/outils"),
 * the network's or one place's (place: a slug, or ""), of one kind of
 * thing or every kind (kind: the page's ?type=, or ""): its address is
 * path ".atom" with the same lieu and type, which is also its id. Rows give
 * its entries (tl_feed_send); its title names the place (or the site).
 * Returns NULL and sends a 404 through *status when the place does not
 * exist. */
tl_atom *tl_feed_create(tl_req *q, const char *path, const char *place, const char *kind, const char *title,
                        int *status);
/* Adds an entry; one the feed refuses (no title, a bad link) is left out
 * and logged by its id. */
void tl_feed_add(tl_req *q, tl_atom *feed, const tl_atom_entry *e);
/* Sends the feed as application/atom+xml. */
int tl_feed_send(tl_req *q, tl_atom *feed);

/* The titles of the pages other sites embed, which their page and the
 * oEmbed answer (page_oembed.c) both give. */
#define TL_TITLE_AGENDA "L'agenda des lieux"
#define TL_TITLE_REPAIR "Repair café : l'agenda"
#define TL_TITLE_REUSE "Ressourcerie : en vente en ce moment"
/* The catalogue's, or its search's (words not NULL nor ""). */
const char *tl_title_catalogue(apr_pool_t *p, const char *words);
/* The impact of a place (its name), or of the network (NULL or ""). */
const char *tl_title_impact(apr_pool_t *p, const char *place_name);
/* An event's or a repair session's: its title and its day. */
const char *tl_title_event(apr_pool_t *p, const char *title, const char *day_fr);

#endif
