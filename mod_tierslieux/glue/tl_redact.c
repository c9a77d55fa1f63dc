#include <string.h>
#include <apr_strings.h>
#include <httpd.h>
#include <http_protocol.h>
#include <http_request.h>
#include "tl_redact.h"

/* Writes "jeton=-" for every jeton parameter of the request line's query:
 * the line keeps its shape (method, path, other parameters, protocol) for
 * whoever reads the log. */
static int tl_redact_request_line(request_rec *r)
{
    const char *line = r->the_request, *query, *end, *p;
    char *out, *o;

    if (!line || !(query = strchr(line, '?')) || !strstr(query, "jeton=")) {
        return DECLINED;
    }
    if (!(end = strchr(query, ' '))) {
        end = line + strlen(line);
    }
    out = o = apr_palloc(r->pool, strlen(line) + 1);
    memcpy(o, line, (size_t)(query - line));
    o += query - line;
    for (p = query; p < end;) {
        /* p is at '?' or '&': copy the separator, then the parameter. */
        const char *next = p + 1;
        while (next < end && *next != '&') {
            next++;
        }
        if (strncmp(p + 1, "jeton=", 6) == 0) {
            memcpy(o, p, 7);
            o += 7;
            *o++ = '-';
        }
        else {
            memcpy(o, p, (size_t)(next - p));
            o += next - p;
        }
        p = next;
    }
    strcpy(o, end);
    r->the_request = out;
    return DECLINED;
}

void tl_redact_register(apr_pool_t *p)
{
    (void)p;
    ap_hook_post_read_request(tl_redact_request_line, NULL, NULL, APR_HOOK_MIDDLE);
}
