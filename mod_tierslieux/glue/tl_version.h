/* The data version for a request, shared by the requests a process is
 * serving at the same moment.
 *
 * A request may only use a version read by a query sent after the request
 * arrived (anything older could miss a commit the visitor already saw).
 * When a query is in flight, requests that arrive meanwhile wait for the
 * next one, which serves all of them: under load a process sends about one
 * tiny query per round trip instead of one per request, and a page is still
 * never older than the last write committed before it was asked for.
 *
 * Two grains. Each area of sql/logic has a version (tl.data_version), and
 * a page's is the sum over the areas its route shows. Finer, for lending:
 * every booking written bumps its item's bucket and its place's
 * (tl.lending_version: item id modulo TL_ITEM_BUCKETS, then place id
 * modulo TL_PLACE_BUCKETS); a page that shows some items' state without
 * choosing them by it (the catalogue sorted by title, an item's page), or
 * one place's loans only (its available items, its counts), says which
 * (tl_version_shows_items, _places), and counts lending through those
 * buckets only: a loan elsewhere leaves it reusable. The buckets come with
 * the version query only when lending's version moved since this process
 * last read them. */
#ifndef TL_VERSION_H
#define TL_VERSION_H

#include "tl_module.h"
#include "tl_tpl.h"

#define TL_ITEM_BUCKETS 1024
#define TL_PLACE_BUCKETS 256
#define TL_LENDING_BUCKETS (TL_ITEM_BUCKETS + TL_PLACE_BUCKETS)

void tl_version_child_init(apr_pool_t *pchild, server_rec *servers);
/* Reads the versions for q: q->versions gets those of every area ("area=N
 * area=N …"), q->lending the lending buckets of the same moment (or NULL),
 * both held until the request ends. 0 with *status set (503 when the
 * database cannot be reached). */
int tl_version_get(tl_req *q, int *status);

/* The page's version: the sum of the versions of the areas in q->shows;
 * when q->deps names lending buckets (and they are known), lending
 * counts through those buckets only, with a digest of the list. Then the
 * day (what a page shows also depends on the date: sessions to come, items
 * due back). Each counter only grows, so for the same list the version
 * changes whenever something the page shows does. */
const char *tl_version_page(tl_req *q);

/* What a page says when its items' state (or one place's loans) is all
 * it shows of lending: the buckets of the item ids (place ids) in rows'
 * column col, added to q->deps ("12_345_1030"). Each may be called more
 * than once; a page that calls neither counts lending whole. */
void tl_version_shows_items(tl_req *q, const tl_rows *rows, const char *col);
void tl_version_shows_places(tl_req *q, const tl_rows *rows, const char *col);

/* The bucket list an ETag this module sent names, or NULL: a conditional
 * request is checked against it before anything is rendered. */
const char *tl_version_deps_of(apr_pool_t *p, const char *etag);

#endif
