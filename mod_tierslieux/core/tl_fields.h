/* tl_fields — a urlencoded form body (application/x-www-form-urlencoded),
 * decoded and checked before any page looks at it, and the readers pages
 * take its fields with. Knows nothing of httpd: the glue (tl_form) reads
 * the body and checks the token, the fuzz target (tests/fuzz/fuzz_form.c)
 * feeds it bytes.
 *
 * A field is sent once. A browser sends a name twice only for a group of
 * checkboxes, which the form declares (multi); any other repeated name is
 * refused as a whole (the form did not come from its page), rather than
 * one of its values taken silently.
 *
 * The readers never give a page NULL: a missing field reads as "", a
 * choice is a valid index or a refusal in French. */
#ifndef TL_FIELDS_H
#define TL_FIELDS_H

#include <stddef.h>
#include <apr_pools.h>
#include <apr_tables.h>

/* What a form may weigh, derived from what our own pages let a person
 * type: a field's maxlength counts UTF-16 units, each at most 3 bytes of
 * UTF-8. The defaults hold every form but the ones with limits of their own
 * (the till's 30 lines, a place's charter): the largest maxlength of an
 * ordinary field is 4,000 (a description), the largest ordinary form (an
 * item, a variety) stays under 64 KB urlencoded, and none has 64 fields.
 * tests/integration/test_staying_up.py submits every form of every
 * template at its largest and checks it is read. */
#define TL_FIELDS_UTF8_PER_UNIT 3
#define TL_FIELDS_MAX_BODY (64 * 1024)
#define TL_FIELDS_MAX_FIELD (4000 * TL_FIELDS_UTF8_PER_UNIT)
#define TL_FIELDS_MAX_COUNT 64

typedef struct {
    int count;                      /* name=value pairs */
    size_t field;                   /* bytes of one decoded value */
    size_t body;                    /* bytes of the urlencoded body */
} tl_fields_limits;

extern const tl_fields_limits tl_fields_defaults;

typedef enum {
    TL_FIELDS_OK = 0,
    TL_FIELDS_BAD,          /* a broken % escape, bytes that are not UTF-8, a control character: 400 */
    TL_FIELDS_TOO_LARGE,    /* the body, a field or the number of fields over the limits: 413 */
    TL_FIELDS_REPEATED      /* a single-valued field sent twice: 400 */
} tl_fields_status;

/* Decodes body[0..len) into *out (name → value, in order), within limits
 * (NULL: tl_fields_defaults). multi is a NULL-terminated list of the names
 * that may repeat (or NULL). On a refusal, *err is a French sentence for
 * the page and *out is untouched. */
tl_fields_status tl_fields_parse(apr_pool_t *p, const char *body, size_t len, const char *const *multi,
                                 const tl_fields_limits *limits, apr_table_t **out, const char **err);

/* "64 Ko", "1,5 Mo": a size as the French messages say it. */
const char *tl_fields_size(apr_pool_t *p, size_t bytes);

/* Adds one decoded field to f with the same checks (for the text fields of
 * a multipart body): its value valid UTF-8 without NUL or control
 * characters but line ends and tabs, at most max_field bytes, and its
 * name not already there unless it is in multi. */
tl_fields_status tl_fields_add(apr_pool_t *p, apr_table_t *f, const char *name, const char *value, size_t size,
                               const char *const *multi, size_t max_field, const char **err);

/* The value of name, "" when the field was not sent. Never NULL. */
const char *tl_field(const apr_table_t *f, const char *name);

/* True when name was sent, even empty: which of the forms sharing an
 * address this one is (a hidden field only one of them has). */
int tl_field_sent(const apr_table_t *f, const char *name);

/* True when name was sent with a value other than "": a ticked checkbox,
 * an optional field filled in. */
int tl_field_given(const apr_table_t *f, const char *name);

/* The field name as one of the NULL-terminated choices: NULL with *index
 * its position, or a French refusal naming the field by its label (also
 * when it was not sent), *index then left as it was. */
const char *tl_field_choice(apr_pool_t *p, const apr_table_t *f, const char *name, const char *label,
                            const char *const *choices, int *index);

#endif
