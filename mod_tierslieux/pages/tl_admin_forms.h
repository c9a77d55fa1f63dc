/* What the back office's pages share (tl_admin_forms.c): the place a
 * référent works on, typed optional fields, and reads that check a role.
 * The desk's pages use tl_desk_place and tl_admin_view too. Changes run
 * with tl_change (tl_change.h), posted values go back into the form with
 * tl_form_keep (tl_form.h). */
#ifndef TL_ADMIN_FORMS_H
#define TL_ADMIN_FORMS_H

#include "tl_pages.h"
#include "tl_change.h"

/* The places the person runs (référent or admin there) as the result set
 * "places", with the wanted one (or the first) selected and its slug and
 * name as "place" and "place_name". Returns the chosen slug, or NULL with
 * *status set to what the page must return (403 when they run none, 400 for
 * an unknown slug). */
const char *tl_admin_place(tl_req *q, const char *wanted, int *status);

/* The same for the desk: the places where the person holds the desk
 * (any role), as "places", with "place" and "place_name"; 403 when they
 * hold none or name another. */
const char *tl_desk_place(tl_req *q, const char *wanted, int *status);

/* Reads an optional text field of at most maxchars characters; a missing
 * one reads as "". A bad one (control characters, too long) is marked next
 * to its field. */
const char *tl_admin_text(tl_req *q, apr_table_t *f, const char *name, const char *label, size_t maxchars);

/* The same for a textarea: its line breaks are kept. */
const char *tl_admin_lines(tl_req *q, apr_table_t *f, const char *name, const char *label, size_t maxchars);

/* Optional whole number in [min, max]: NULL when empty; marked next to
 * its field when it is not one. */
const char *tl_admin_int(tl_req *q, apr_table_t *f, const char *name, const char *label, long min, long max);

/* Optional amount in euros ("12,50"): NULL when empty, "12.50" otherwise. */
const char *tl_admin_amount(tl_req *q, apr_table_t *f, const char *name, const char *label);

/* Optional date (YYYY-MM-DD, as a date input sends it): NULL when empty. */
const char *tl_admin_date(tl_req *q, apr_table_t *f, const char *name, const char *label);

/* A time ("14:30") as a time input sends it: NULL when empty (marked
 * next to its field when required), marked when it is not a time. */
const char *tl_admin_time(tl_req *q, apr_table_t *f, const char *name, const char *label, int required);

/* A read through one of the tl.admin_* functions, which check the
 * person's role: its rows handed to the template under name, or NULL with
 * an error page sent (403 for a place they do not run, 404 for what does
 * not exist) and *status what the page returns. */
const tl_rows *tl_admin_view(tl_req *q, const char *name, const char *sql, int nparams, const char *const *params,
                             int *status);

/* Every value of a repeated field (checkboxes) as a PostgreSQL array of
 * codes ("{velo,couture}"); codes are lower-case letters and "_", anything
 * else is marked next to the field. */
const char *tl_admin_codes(tl_req *q, apr_table_t *f, const char *name, const char *label);

#endif
