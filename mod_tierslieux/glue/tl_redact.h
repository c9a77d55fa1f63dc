/* One-time links carry their secret in the query string (?jeton=…): a
 * member's password link, a repair café booking's private page. httpd's
 * access log writes the request line as it came (%r), so the module masks
 * the value there as soon as the request is read, and again before it is
 * logged (for requests httpd refuses while reading them), with
 * tl_query_mask: the names are decoded by the query parser's own code, so
 * no spelling the parser reads escapes the mask. The handler still reads
 * the value from r->args, which logs do not show in the usual formats. */
#ifndef TL_REDACT_H
#define TL_REDACT_H

#include <apr_pools.h>

void tl_redact_register(apr_pool_t *p);

#endif
