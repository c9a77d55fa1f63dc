/* tl_json — reads one member of a JSON object, as a library system's
 * REST API answers (Koha: the patron). Only what a login needs: a
 * top-level member's string (unescaped, \u escapes as UTF-8) or the text
 * of a number or of true/false/null; nested objects and arrays are
 * skipped whole. Anything malformed, too deep or too long is refused. */
#ifndef TL_JSON_H
#define TL_JSON_H

#include <stddef.h>
#include <apr_pools.h>

typedef enum { TL_JSON_NONE, TL_JSON_STRING, TL_JSON_NUMBER, TL_JSON_TRUE, TL_JSON_FALSE, TL_JSON_NULL,
               TL_JSON_OTHER } tl_json_type;

/* The type of member key of the object in json (len bytes), and its value
 * in *value for a string or a number. TL_JSON_NONE when the object has
 * no such member or json is not an object. */
tl_json_type tl_json_member(apr_pool_t *p, const char *json, size_t len, const char *key, const char **value);

/* A string to put between quotes in JSON (quotes, backslashes and control
 * characters escaped). */
const char *tl_json_quote(apr_pool_t *p, const char *s);

#endif
