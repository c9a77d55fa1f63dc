#include <apr_strings.h>
#include <httpd.h>
#include <http_protocol.h>
#include <http_request.h>
#include "tl_redact.h"
#include "tl_query.h"

/* As soon as the request is read: the logged request line shows
 * "jeton=-" (tl_query_mask); r->args keeps the value for the handler. */
static int tl_redact_request_line(request_rec *r)
{
    const char *masked = tl_query_mask(r->pool, r->the_request, "jeton");

    if (masked != r->the_request) {
        r->the_request = apr_pstrdup(r->pool, masked);
    }
    return DECLINED;
}

void tl_redact_register(apr_pool_t *p)
{
    (void)p;
    ap_hook_post_read_request(tl_redact_request_line, NULL, NULL, APR_HOOK_MIDDLE);
}
