/* What the back office's pages share (page_admin.c): the place a référent
 * works on, posted values kept in the form, typed optional fields, and one
 * way to run a change and put its refusal next to the right field. The
 * desk's pages use tl_admin_view too, for reads that check a role. */
#ifndef TL_ADMIN_H
#define TL_ADMIN_H

#include "tl_pages.h"

/* Which field shows a refusal naming a constraint. */
typedef struct {
    const char *constraint;
    const char *field;
} tl_admin_field;

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

/* Keeps the posted values of names (NULL-terminated) as "f_NAME". */
void tl_admin_keep(tl_req *q, apr_table_t *f, const char *const *names);

/* Reads an optional text field of at most maxchars characters; a missing
 * one reads as "". A bad one (control characters, too long) is marked next
 * to its field. */
const char *tl_admin_text(tl_req *q, apr_table_t *f, const char *name, const char *label, size_t maxchars);

/* Optional whole number in [min, max]: NULL when empty; marked next to
 * its field when it is not one. */
const char *tl_admin_int(tl_req *q, apr_table_t *f, const char *name, const char *label, long min, long max);

/* Optional amount in euros ("12,50"): NULL when empty, "12.50" otherwise. */
const char *tl_admin_amount(tl_req *q, apr_table_t *f, const char *name, const char *label);

/* Optional date (YYYY-MM-DD, as a date input sends it): NULL when empty. */
const char *tl_admin_date(tl_req *q, apr_table_t *f, const char *name, const char *label);

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

/* Runs one change (sql with params). Returns 1 when it committed (its
 * rows in *result, when result is not NULL); 0 when
 * the database refused it for a reason the person can fix, shown next to
 * the field map names for its constraint (or fallback): the page shows the
 * form again with a 422; -1 when an error page was sent (403 for a place
 * they do not run, 503…): the page returns *status. */
int tl_admin_change(tl_req *q, const char *sql, int nparams, const char *const *params,
                    const tl_admin_field *map, const char *fallback, int *status, const tl_rows **result);

#endif
