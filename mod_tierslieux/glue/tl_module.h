/* What the glue and the pages share: the module, its log tag, the request
 * context a page works with. */
#ifndef TL_MODULE_H
#define TL_MODULE_H

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include "tl_tpl.h"
#include "tl_query.h"

extern module AP_MODULE_DECLARE_DATA tierslieux_module;

/* The file that declares the module gets this from AP_DECLARE_MODULE. */
#if defined(APLOG_USE_MODULE) && !defined(TL_DECLARES_MODULE)
APLOG_USE_MODULE(tierslieux);
#endif

/* Our messages carry TLX and a number, as httpd's carry AH numbers. */
#define TLXLOGNO(n) "TLX" #n ": "

typedef struct tl_dir_conf tl_dir_conf;
typedef struct tl_db tl_db;

/* One request as a page sees it. */
typedef struct tl_req {
    request_rec *r;
    const tl_dir_conf *dc;
    const tl_tpl_set *templates;
    const char *base;           /* the URL the module is mounted at, no trailing slash */
    const char *path;           /* below base, starting with "/" */
    const char *const *args;    /* path segments the route captured */
    tl_params query;
    tl_view *view;              /* what the page hands to its template */
    tl_db *db;                  /* acquired on first use */
    int fragment;               /* content only, for an include */
    int heading_level;          /* of the page's first heading in a fragment */
    int embed;                  /* the embed view (?vue=integree): a page of its own for an iframe */
    int embeddable;             /* the route is one of tl_embeddable: oEmbed discovery, the embed view */
    const char *versions;       /* of every area, for a public page (tl_version_get) */
    struct tl_lending_versions *lending; /* the lending buckets read with them, or NULL */
    const char *shows;          /* the areas the page shows (its route's) */
    const char *deps;           /* lending buckets the page shows, or NULL (tl_version_shows_items) */
    const char *version;        /* the page's data version, for pages reused while it holds */
    apr_uint64_t etag_hash;     /* of the page's variant, in its ETag */
    const char *cache_key;      /* NULL: the response is not reused */
    void *flight;               /* this request renders a page others wait for (tl_render_claim) */
    int read_only;              /* the database is a hot standby: writes wait for its promotion */
} tl_req;

#endif
