/* The module's static files (its neutral stylesheet), read once at startup
 * and served from memory under <base>/static/, with a content fingerprint
 * in the URL so browsers may keep them for a year. */
#ifndef TL_ASSETS_H
#define TL_ASSETS_H

#include "tl_module.h"

const char *tl_assets_load(apr_pool_t *pconf, const char *dir);
/* "/static/NAME?v=FINGERPRINT", to put after the base URL. */
const char *tl_assets_url(const char *name);
/* Serves q->args[0], the file name of the route "/static/{*}". */
int tl_assets_serve(tl_req *q);

#endif
