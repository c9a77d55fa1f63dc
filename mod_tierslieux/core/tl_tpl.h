/* tl_tpl — HTML templates compiled once, rendered many times.
 *
 * A template is a valid HTML file a designer can open in a browser. At
 * startup libxml2 parses it and the compiler turns the tree into a flat
 * list of operations: static chunks (already serialised bytes) and slots.
 * Rendering only copies chunks and writes escaped values, so a page costs
 * no parsing and no tree walking.
 *
 * The language, all in attributes so the file stays valid HTML:
 *   {{name}}  in text or in an attribute value: a value, escaped for where
 *             it stands (text, attribute, whole URL, part of a URL, JSON in
 *             a <script type="application/ld+json"> data block, where it
 *             is written as a complete JSON string or null).
 *             "rows.col" reads the current (or first) row of a result set.
 *   data-tl-if="x" / data-tl-unless="x"   keep the element when x is true:
 *             a non-empty value other than f, false, 0, or a result set
 *             with rows.
 *   data-tl-each="rows"   repeat the element for each row; with
 *             data-tl-match="col", only the rows whose col equals the
 *             enclosing scope's col (a nested list without a second query).
 *   data-tl-include="partials/x"   the element is replaced by that template.
 *   data-tl-content   (in a layout) the element's children are replaced by
 *             the page.
 *   data-tl-remove    designer's sample content, dropped.
 *   data-tl-bool-NAME="x"  adds the boolean attribute NAME when x is true.
 *   data-tl-attr-NAME="x"  adds NAME="value of x" when x is not empty.
 * Headings h1-h6 shift down by the render options' heading_shift, and id
 * references (id, for, aria-labelledby, aria-describedby, aria-controls,
 * headers, href="#...") take the render options' id prefix, so a fragment
 * fits inside any page. Comments are dropped. Inline event handlers,
 * scripts other than JSON-LD data blocks, and slots in style attributes are
 * refused at compile time. */
#ifndef TL_TPL_H
#define TL_TPL_H

#include <stdint.h>
#include <apr_pools.h>
#include "tl_buf.h"

/* A result set, seen through three functions so the core needs no libpq. */
typedef struct tl_rows tl_rows;
struct tl_rows {
    int (*count)(const tl_rows *rows);
    int (*column)(const tl_rows *rows, const char *name);       /* -1 if absent */
    const char *(*value)(const tl_rows *rows, int row, int col, size_t *len); /* NULL for SQL NULL */
    void *impl;
};

/* Rows made in C (opening hours, page numbers): all values are strings. */
tl_rows *tl_rows_make(apr_pool_t *p, const char *const *columns);
void tl_rows_add(tl_rows *rows, const char *const *values);
/* 1 if some row's column col equals value. */
int tl_rows_contains(const tl_rows *rows, const char *col, const char *value);

/* What a page hands to a template: named values and named result sets. */
typedef struct tl_view tl_view;
tl_view *tl_view_make(apr_pool_t *p);
void tl_view_set(tl_view *v, const char *name, const char *value);
void tl_view_rows(tl_view *v, const char *name, const tl_rows *rows);
const char *tl_view_get(const tl_view *v, const char *name);
/* The result set named name, or NULL. */
const tl_rows *tl_view_rows_get(const tl_view *v, const char *name);

typedef struct tl_tpl tl_tpl;
typedef struct tl_tpl_set tl_tpl_set;

/* Once per process, before compiling: the HTML parser's own setup. */
void tl_tpl_init(void);

tl_tpl_set *tl_tpl_set_make(apr_pool_t *p);
/* Compiles one template from memory under a name ("catalogue",
 * "partials/pagination"); replaces any template of that name. */
apr_status_t tl_tpl_set_add(tl_tpl_set *s, const char *name, const char *file,
                            const char *html, size_t len, const char **err);
/* Compiles every *.html file below dir (names are paths without ".html"). */
apr_status_t tl_tpl_set_add_dir(tl_tpl_set *s, const char *dir, const char **err);
/* Resolves includes; call once after adding everything. */
apr_status_t tl_tpl_set_link(tl_tpl_set *s, const char **err);
const tl_tpl *tl_tpl_get(const tl_tpl_set *s, const char *name);
/* A fingerprint of every template's source, part of each ETag, so a new
 * template never hides behind a cached page. */
uint64_t tl_tpl_set_fingerprint(const tl_tpl_set *s);
uint64_t tl_hash64(uint64_t h, const void *data, size_t n);
#define TL_HASH64_INIT 1469598103934665603ULL

typedef struct {
    int heading_shift;          /* 0 for whole pages; 1 turns h1 into h2 */
    const char *id_prefix;      /* "" for whole pages */
    const tl_tpl *content;      /* what a layout's data-tl-content holds */
} tl_render_opts;

/* Renders t with v into out. Fails only on a template error found at
 * render time (include depth), with a message in *err. */
apr_status_t tl_tpl_render(const tl_tpl *t, const tl_view *v, const tl_render_opts *o,
                           tl_buf *out, const char **err);

#endif
