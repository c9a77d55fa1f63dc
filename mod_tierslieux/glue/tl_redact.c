#include <apr_strings.h>
#include <httpd.h>
#include <http_protocol.h>
#include <http_request.h>
#include "tl_redact.h"
#include "tl_query.h"

/* As soon as the request is read: the logged request line shows "jeton=-"
 * for every spelling of a secret's name that the query parser would read
 * (tl_query_mask decodes names with the parser's own decoder); r->args
 * keeps the value for the handler. */
static int tl_redact_request_line(request_rec *r)
{
    const char *masked = tl_query_mask(r->pool, r->the_request, tl_query_secrets);

    if (masked != r->the_request) {
        r->the_request = apr_pstrdup(r->pool, masked);
    }
    return DECLINED;
}

/* A request httpd refuses while reading it (a malformed request line, a
 * header too long) never reaches post_read_request, but is still logged:
 * mask again just before mod_log_config writes the line. */
static int tl_redact_before_log(request_rec *r)
{
    tl_redact_request_line(r);
    return DECLINED;
}

void tl_redact_register(apr_pool_t *p)
{
    (void)p;
    /* REALLY_FIRST: no other module's hook sees (or logs) the line before. */
    ap_hook_post_read_request(tl_redact_request_line, NULL, NULL, APR_HOOK_REALLY_FIRST);
    ap_hook_log_transaction(tl_redact_before_log, NULL, NULL, APR_HOOK_REALLY_FIRST);
}
