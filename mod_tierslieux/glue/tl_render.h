/* Sending pages: the frame around a page (the module's layout, the site's
 * own layout, or nothing for a fragment), the headers, and the error pages. */
#ifndef TL_RENDER_H
#define TL_RENDER_H

#include "tl_module.h"

/* Values every template may use: base, site_name, css_url (and fragment,
 * set when the page is framed). */
void tl_render_prepare(tl_req *q);

/* Renders the template tpl with q->view as the page titled title, sends
 * it, and keeps it for reuse when q->cache_key is set. Returns OK or the
 * error status it sent a page for. */
int tl_render_page(tl_req *q, const char *tpl, const char *title);

/* Sends a French error page with that status (400, 404, 405, 500, 503);
 * message says what went wrong, or NULL for the status's usual words. */
int tl_render_error(tl_req *q, int status, const char *message);

/* Sends a body of that type (an image, a data file). */
int tl_send_body(tl_req *q, const char *type, const char *body, apr_size_t len);

/* Sends a file to download (CSV exports) with its type and name. */
int tl_send_download(tl_req *q, const char *type, const char *filename, const char *body, apr_size_t len);

/* An answer sent while it is made, for files of any size (exports read
 * with tl_db_each): the page writes into buf, tl_stream_flush sends it
 * each time it holds TL_STREAM_CHUNK, so a worker holds one chunk, never
 * the whole file. */
#define TL_STREAM_CHUNK 65536
typedef struct {
    tl_req *q;
    tl_buf buf;
    apr_bucket_brigade *bb;
    int sent;                       /* the headers went out: the status is said */
    int gone;                       /* the client went away: nothing more is sent */
} tl_stream;

/* A download of that type and file name. */
void tl_stream_open(tl_stream *s, tl_req *q, const char *type, const char *filename);

/* Sends buf once it holds a chunk; 1 when the client has gone away. */
int tl_stream_flush(tl_stream *s);

/* Ends the answer. With status OK, sends the rest. With an error status
 * (the database failed): before anything went out, the error page; after,
 * the answer is cut short as a client can tell (no last chunk, connection
 * closed), never ended as if it were whole. Returns what the handler
 * returns. */
int tl_stream_close(tl_stream *s, int status);

/* Sends a rendered body as text/html. */
int tl_send_html(tl_req *q, const char *body, apr_size_t len);

/* The process's render cache (created at child start). */
void tl_render_child_init(apr_pool_t *pchild, server_rec *s);
/* A public page's version and ETag (tl_version_page), with what the copy
 * in the cache said it shows (q->deps); then that copy, if still valid,
 * to send with tl_send_cached (which lets go of it). */
void tl_render_version(tl_req *q);
const char *tl_render_cached(tl_req *q, apr_size_t *len);
int tl_send_cached(tl_req *q, const char *body, apr_size_t len);

/* Called when a page is not in the cache: if this process is already
 * rendering the same page at the same version, waits for it (a database
 * call's time at most) and returns 1, to look in the cache again;
 * otherwise returns 0, the request renders it, and the others asking for
 * it meanwhile wait until it is kept (or sent without being kept). */
int tl_render_claim(tl_req *q);

#endif
