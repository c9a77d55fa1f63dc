/* tl_escape — one function per output context. The template compiler picks
 * the context from where a value stands; pages never call these to build
 * markup, they only hand values to templates. */
#ifndef TL_ESCAPE_H
#define TL_ESCAPE_H

#include "tl_buf.h"
#include "tl_utf8.h"          /* tl_utf8_valid, for its many users */

/* Element content: & < > are written as entities. */
void tl_escape_text(tl_buf *out, const char *s, size_t n);
/* A double-quoted attribute value: & < > " ' as entities. */
void tl_escape_attr(tl_buf *out, const char *s, size_t n);
/* A whole URL in an attribute (href="{{url}}"): kept when it is relative or
 * uses http, https, mailto or tel; anything else (javascript:, data:, a
 * control character) becomes "#". Then attribute-escaped. */
void tl_escape_url(tl_buf *out, const char *s, size_t n);
/* A piece of a URL (href="/outils/{{id}}", a query value): everything but
 * the unreserved characters of RFC 3986 is percent-encoded. */
void tl_escape_url_part(tl_buf *out, const char *s, size_t n);
/* A JSON string, quotes included, safe inside a <script> data block:
 * < > & and U+2028/U+2029 as \u escapes. NULL gives null. */
void tl_escape_json(tl_buf *out, const char *s, size_t n);

/* 1 when u is an absolute http or https URL of printable ASCII (a feed's
 * or a calendar's link). */
int tl_url_is_http(const char *u);

#endif
