/* oEmbed (https://oembed.com/): another site's editor pastes the address
 * of one of our public pages and gets the frame that shows it. The full
 * pages name this endpoint in a <link rel="alternate"> (discovery); it
 * answers a "rich" type whose html is an iframe on the page's embed view
 * (?vue=integree, glue/tl_render.c). Only the pages of tl_embeddable,
 * only at our own address: anything else is a 404, as the specification
 * says, and a format other than JSON a 501. */
#include <apr_strings.h>
#include <apr_uri.h>
#include <http_core.h>
#include <http_protocol.h>
#include "tl_pages.h"
#include "tl_router.h"
#include "tl_escape.h"
#include "tl_valid.h"

/* The frame's size when the consumer sets no bound: a column of a
 * municipal site's page; the embed view's script tells the host its real
 * height (templates/static/integree.js). */
#define TL_OEMBED_WIDTH 640
#define TL_OEMBED_HEIGHT 600

static int tl_oembed_not_ours(tl_req *q)
{
    return tl_render_error(q, HTTP_NOT_FOUND,
                           "Cette adresse n'est pas une page de ce site que l'on peut intégrer : le catalogue et "
                           "ses recherches, un objet, l'agenda et un événement, la ressourcerie ou l'impact.");
}

/* Whether u names this server as the request reached it: same host and,
 * when the address writes one, the same port. */
static int tl_oembed_same_host(request_rec *r, const apr_uri_t *u)
{
    if (!u->scheme || (strcasecmp(u->scheme, "http") != 0 && strcasecmp(u->scheme, "https") != 0)
        || !u->hostname || u->user || u->password || strcasecmp(u->hostname, ap_get_server_name(r)) != 0) {
        return 0;
    }
    return !u->port_str || u->port == ap_get_server_port(r);
}

/* "maxwidth" or "maxheight": a bound in pixels, or 0 when not given. */
static const char *tl_oembed_bound(tl_req *q, const char *name, long *out)
{
    const char *v = tl_query_get(&q->query, name);

    *out = 0;
    return v && *v ? tl_valid_int(q->r->pool, name, v, 1, 100000, out) : NULL;
}

/* The title of the page the route shows (its <title>, as its page sets
 * it), NULL with *status sent when it does not exist. */
static const char *tl_oembed_title(tl_req *q, const char *pattern, const char *const *args,
                                   const tl_params *query, int *status)
{
    apr_pool_t *p = q->r->pool;
    const tl_rows *rows;
    const char *id, *place;
    size_t len;

    if (strcmp(pattern, "/outils") == 0) {
        return tl_title_catalogue(p, tl_query_get(query, "q"));
    }
    if (strcmp(pattern, "/agenda") == 0) {
        return TL_TITLE_AGENDA;
    }
    if (strcmp(pattern, "/reparation") == 0) {
        return TL_TITLE_REPAIR;
    }
    if (strcmp(pattern, "/ressourcerie") == 0) {
        return TL_TITLE_REUSE;
    }
    if (strcmp(pattern, "/impact") == 0) {
        place = tl_query_get(query, "lieu");
        if (!place || !*place) {
            return tl_title_impact(p, NULL);
        }
        if (!(rows = tl_db_query(q, "SELECT name FROM tl.place WHERE slug = $1", 1, &place, status))) {
            *status = tl_page_failed(q, *status);
            return NULL;
        }
        if (rows->count(rows) == 0) {
            *status = tl_oembed_not_ours(q);
            return NULL;
        }
        return tl_title_impact(p, rows->value(rows, 0, 0, &len));
    }
    /* An item, an event: the number must name one the public sees. */
    if (tl_valid_int(p, "numéro", args[0], 1, 2147483647L, &(long){ 0 }) != NULL) {
        *status = tl_oembed_not_ours(q);
        return NULL;
    }
    id = args[0];
    if (strcmp(pattern, "/outils/*") == 0) {
        rows = tl_db_query(q, "SELECT title FROM tl.item WHERE id = $1::integer AND retired_at IS NULL", 1, &id,
                           status);
    }
    else {
        rows = tl_db_query(q, "SELECT title, day_fr "
                              "  FROM tl.repair_sessions('', date_trunc('day', now()), $1::integer, NULL)",
                           1, &id, status);
    }
    if (!rows) {
        *status = tl_page_failed(q, *status);
        return NULL;
    }
    if (rows->count(rows) == 0) {
        *status = tl_oembed_not_ours(q);
        return NULL;
    }
    if (strcmp(pattern, "/outils/*") == 0) {
        return rows->value(rows, 0, 0, &len);
    }
    return tl_title_event(p, rows->value(rows, 0, 0, &len), rows->value(rows, 0, 1, &len));
}

static void tl_json_member(tl_buf *out, const char *name, const char *value)
{
    tl_buf_adds(out, out->len > 1 ? ",\"" : "\"");
    tl_buf_adds(out, name);
    tl_buf_adds(out, "\":");
    tl_escape_json(out, value, strlen(value));
}

static void tl_json_number(apr_pool_t *p, tl_buf *out, const char *name, long value)
{
    tl_buf_adds(out, apr_psprintf(p, ",\"%s\":%ld", name, value));
}

int tl_page_oembed(tl_req *q)
{
    request_rec *r = q->r;
    apr_pool_t *p = r->pool;
    const char *url = tl_query_get(&q->query, "url");
    const char *format = tl_query_get(&q->query, "format");
    const char *const *args;
    const char *err = NULL, *local, *title, *src, **pairs;
    const tl_route *route;
    tl_params query = { NULL, 0 };
    long maxwidth, maxheight, width = TL_OEMBED_WIDTH, height = TL_OEMBED_HEIGHT;
    size_t baselen = strlen(q->base);
    int status = OK, other, i, n = 0;
    apr_uri_t u;
    tl_buf html, out;

    if (!url || !*url) {
        return tl_render_error(q, HTTP_BAD_REQUEST,
                               "Le paramètre « url » manque : l'adresse de la page à intégrer.");
    }
    if (format && *format && strcmp(format, "json") != 0) {
        return tl_render_error(q, HTTP_NOT_IMPLEMENTED, "Seul le format « json » est proposé.");
    }
    if ((err = tl_oembed_bound(q, "maxwidth", &maxwidth)) != NULL
        || (err = tl_oembed_bound(q, "maxheight", &maxheight)) != NULL) {
        return tl_render_error(q, HTTP_BAD_REQUEST, err);
    }
    /* Ours: this host, below the module's address, an embeddable page. */
    if (apr_uri_parse(p, url, &u) != APR_SUCCESS || !tl_oembed_same_host(r, &u) || !u.path
        || strncmp(u.path, q->base, baselen) != 0 || (u.path[baselen] != '/' && u.path[baselen] != '\0')) {
        return tl_oembed_not_ours(q);
    }
    local = u.path[baselen] ? u.path + baselen : "/";
    if (strlen(local) > 1 && local[strlen(local) - 1] == '/') {
        local = apr_pstrndup(p, local, strlen(local) - 1);
    }
    if (!(route = tl_route_find(p, M_GET, local, &args, &other)) || !tl_route_embeddable(route)
        || (u.query && tl_query_parse(p, u.query, strlen(u.query), &query, &err) != 0)) {
        return tl_oembed_not_ours(q);
    }
    if (!(title = tl_oembed_title(q, route->pattern, args, &query, &status))) {
        return status;
    }

    /* The frame opens the embed view of the same page, with the same
     * filters; the parameters that only frame a page are the view's. */
    pairs = apr_pcalloc(p, sizeof(char *) * (2 * (size_t)query.n + 4));
    for (i = 0; i < query.n; i++) {
        const char *name = query.items[i].name;
        if (strcmp(name, "vue") != 0 && strcmp(name, "fragment") != 0 && strcmp(name, "niveau") != 0) {
            pairs[n++] = name;
            pairs[n++] = query.items[i].value;
        }
    }
    pairs[n++] = "vue";
    pairs[n++] = "integree";
    src = tl_url_build(p, apr_pstrcat(p, u.scheme, "://", u.hostinfo, q->base, local, NULL), pairs);
    if (maxwidth && maxwidth < width) {
        width = maxwidth;
    }
    if (maxheight && maxheight < height) {
        height = maxheight;
    }

    tl_buf_init(&html, p, 512);
    tl_buf_adds(&html, "<iframe src=\"");
    tl_escape_attr(&html, src, strlen(src));
    tl_buf_adds(&html, apr_psprintf(p, "\" width=\"%ld\" height=\"%ld\" title=\"", width, height));
    tl_escape_attr(&html, title, strlen(title));
    tl_buf_adds(&html, "\" frameborder=\"0\" loading=\"lazy\"></iframe>");

    tl_buf_init(&out, p, 1024);
    tl_buf_addc(&out, '{');
    tl_json_member(&out, "version", "1.0");
    tl_json_member(&out, "type", "rich");
    tl_json_member(&out, "title", title);
    tl_json_member(&out, "provider_name", tl_conf_site_name(q->dc));
    tl_json_member(&out, "provider_url", ap_construct_url(p, apr_pstrcat(p, q->base, "/", NULL), r));
    tl_json_member(&out, "html", tl_buf_cstr(&html));
    tl_json_number(p, &out, "width", width);
    tl_json_number(p, &out, "height", height);
    tl_buf_adds(&out, "}\n");
    return tl_send_body(q, "application/json; charset=utf-8", out.data, out.len);
}
