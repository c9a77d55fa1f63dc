/* The data version for a request, shared by the requests a process is
 * serving at the same moment.
 *
 * A request may only use a version read by a query sent after the request
 * arrived (anything older could miss a commit the visitor already saw).
 * When a query is in flight, requests that arrive meanwhile wait for the
 * next one, which serves all of them: under load a process sends about one
 * tiny query per round trip instead of one per request, and a page is still
 * never older than the last write committed before it was asked for. */
#ifndef TL_VERSION_H
#define TL_VERSION_H

#include "tl_module.h"

void tl_version_child_init(apr_pool_t *pchild, server_rec *servers);
/* The versions of every area ("area=N area=N …"), allocated from the
 * request's pool, or NULL with *status set (503 when the database cannot
 * be reached). */
const char *tl_version_get(tl_req *q, int *status);

/* A page's version: the sum of the versions of the areas it shows (a
 * route's "shows", names separated by spaces) in versions, as a decimal
 * number. Each area's version only grows, so the sum changes whenever one
 * of them does. */
const char *tl_version_of(apr_pool_t *p, const char *versions, const char *shows);

#endif
