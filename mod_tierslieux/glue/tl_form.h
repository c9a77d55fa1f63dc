/* Forms: every state-changing request is a POST of a urlencoded form that
 * carries a token signed for its person and form (tl_csrf), read with
 * limits, and answered with a 303 to the result page (POST, redirect, GET).
 * A form with mistakes is shown again by its page, with the messages next
 * to the fields and a 422. */
#ifndef TL_FORM_H
#define TL_FORM_H

#include "tl_module.h"
#include "tl_multipart.h"
#include "tl_fields.h"

/* The core's limits (tl_fields.h), named as the pages use them. */
#define TL_FORM_MAX_BODY TL_FIELDS_MAX_BODY
#define TL_FORM_MAX_FIELD TL_FIELDS_MAX_FIELD
#define TL_FORM_MAX_FIELDS TL_FIELDS_MAX_COUNT
#define TL_FORM_TOKEN_LIFETIME (8 * 3600)    /* a desk shift */

typedef tl_fields_limits tl_form_limits;

/* Sets the view value "jeton" to a fresh token for form. */
void tl_form_token(tl_req *q, const char *form);

/* Reads the POSTed form named form into *fields and returns 1: the body is
 * read here, decoded and checked by the core (tl_fields_parse: valid UTF-8,
 * no control characters but line ends and tabs, each field sent once). On a
 * wrong content type (415), a body or field too large (413), bad bytes or a
 * repeated field (400) or a missing, forged or stale token (403), sends a
 * French error page, sets *done to what the handler must return, and
 * returns 0: nothing may be changed. Read fields with tl_field and the other
 * readers of tl_fields.h, which never give NULL. */
int tl_form_read(tl_req *q, const char *form, apr_table_t **fields, int *done);

/* The same for a form with groups of checkboxes: the names in multi
 * (NULL-terminated) may be sent several times. */
int tl_form_read_multi(tl_req *q, const char *form, const char *const *multi, apr_table_t **fields, int *done);

/* tl_form_read for a form larger than the defaults (the till's 30 lines,
 * a place's charter), within limits; beyond them a French 413. */
int tl_form_read_within(tl_req *q, const char *form, const tl_form_limits *limits, apr_table_t **fields,
                        int *done);


/* A form with a file too large to hold in memory (multipart/form-data, at
 * most max_body bytes, 413 beyond): the body is read in pieces and handed
 * on as it arrives. Its text fields, checked as above, go into *fields;
 * the form's fields must come before its file (document order, as
 * browsers send them), and the token is checked before the file begins.
 * Then file_begin gets the fields read so far and may set *max_file (413
 * when the file is longer); file_data gets the file in pieces, file_end
 * its end; a non-zero return means "no more of it" (the page keeps its
 * reason): the rest of the body is read and dropped. Returns 1, or 0 with
 * an error page sent and *done what the handler returns. */
typedef struct {
    int (*file_begin)(void *ctx, apr_table_t *fields, const tl_multipart_part *part, apr_size_t *max_file);
    int (*file_data)(void *ctx, const char *data, apr_size_t len);
    int (*file_end)(void *ctx);
} tl_form_file_handler;

int tl_form_read_stream(tl_req *q, const char *form, apr_size_t max_body, const tl_form_file_handler *fh, void *ctx,
                        apr_table_t **fields, int *done);

/* 303 See Other to a URL below the base. */
int tl_form_done(tl_req *q, const char *path_and_query);

/* Shows field's message next to it: view values "err_FIELD" (the
 * message), "errid_FIELD" (its element's id, for aria-describedby),
 * "invalid_FIELD" ("true", for aria-invalid) and "errors" (how many). */
void tl_form_error(tl_req *q, const char *field, const char *message);

/* Posted values back into the form shown again: each field of names
 * (NULL-terminated) as the view value "f_" prefix name (prefix NULL or "",
 * or a form's own where two forms of a page share field names), "" when it
 * was not sent. Every form echoes what was posted this way. */
void tl_form_keep(tl_req *q, apr_table_t *f, const char *prefix, const char *const *names);

/* A database refusal as a sentence: its message, capitalised, with a full
 * stop (the functions in sql/ write their messages in French). */
const char *tl_form_sentence(apr_pool_t *p, const char *message);

#endif
