/* tl_valid — typed checks of request parameters. Each returns NULL when the
 * value is fine, or a message in plain French naming the field by its label,
 * which the page shows with a 400 (or next to the field, for forms). Each
 * takes NULL (a parameter not sent) as a value: an empty one, refused where
 * a value is required, never dereferenced. Out-parameters are written only
 * when the value is fine. */
#ifndef TL_VALID_H
#define TL_VALID_H

#include <stddef.h>
#include <apr_pools.h>

/* A whole number in [min, max], digits only (no sign, no spaces). */
const char *tl_valid_int(apr_pool_t *p, const char *label, const char *s, long min, long max, long *out);
/* Lower-case letters, digits and single hyphens, at most maxlen bytes. */
const char *tl_valid_slug(apr_pool_t *p, const char *label, const char *s, size_t maxlen);
/* Free text: valid UTF-8 without control characters, at most maxchars
 * characters (not bytes). */
const char *tl_valid_text(apr_pool_t *p, const char *label, const char *s, size_t maxchars);
/* The same for a text of several lines (a textarea): line breaks and tabs
 * are allowed, no other control character. */
const char *tl_valid_lines(apr_pool_t *p, const char *label, const char *s, size_t maxchars);
/* A decimal number as French people write it ("12", "12,5", "12.500"),
 * with at most decimals digits after the comma and at most max; *out gets
 * it with a dot, as PostgreSQL's numeric reads it (kilograms: 3 decimals). */
const char *tl_valid_decimal(apr_pool_t *p, const char *label, const char *s, long max, int decimals,
                             const char **out);
/* An amount in euros as French people write it ("12", "12,50", "12.5"),
 * at most two decimals and at most max euros; *out gets it with a dot, as
 * PostgreSQL's numeric reads it. */
const char *tl_valid_amount(apr_pool_t *p, const char *label, const char *s, long max, const char **out);
/* One of a NULL-terminated list of values; *index gets its position. NULL
 * or "" is refused ("faites un choix"), even when "" is in the list. */
const char *tl_valid_choice(apr_pool_t *p, const char *label, const char *s,
                            const char *const *choices, int *index);

#endif
