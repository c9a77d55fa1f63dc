/* Fuzz target: the template compiler and renderer on arbitrary input.
 * Compiling must either fail with a message or give a template that
 * renders without crashing, whatever the bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include "tl_tpl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The page rendered with value in every row's title (NULL: the first row
 * has none), the same options every time. */
static void render(apr_pool_t *p, const tl_tpl_set *set, const char *value, tl_buf *out)
{
    static const char *const cols[] = { "title", "id", NULL };
    tl_render_opts o = { 1, "tl-", NULL };
    tl_view *v = tl_view_make(p);
    tl_rows *rows = tl_rows_make(p, cols);
    const char *err = NULL;

    tl_rows_add(rows, (const char *const[]){ value, "1" });
    tl_rows_add(rows, (const char *const[]){ NULL, "2" });
    tl_view_rows(v, "items", rows);
    tl_view_rows(v, "item", rows);
    tl_view_set(v, "q", "javascript:alert(1)");
    tl_buf_init(out, p, 64);
    tl_tpl_render(tl_tpl_get(set, "page"), v, &o, out, &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    apr_pool_t *p;
    tl_tpl_set *set;
    const char *err = NULL;

    if (!ready) {
        apr_initialize();
        ready = 1;
    }
    apr_pool_create(&p, NULL);
    set = tl_tpl_set_make(p);
    if (tl_tpl_set_add(set, "page", "fuzz.html", (const char *)data, size, &err) != APR_SUCCESS) {
        if (!err) {
            abort();                    /* a failure always says why */
        }
        apr_pool_destroy(p);
        return 0;
    }
    tl_tpl_set_add(set, "partials/x", "x.html", "<p>{{title}}</p>", 16, &err);
    if (tl_tpl_set_link(set, &err) == APR_SUCCESS) {
        tl_buf hostile, neutral;
        /* A value never leaves its context: its markup never comes out raw.
         * Told apart from the template's own text (which the parser may
         * make into the same bytes, dropping control characters or a stray
         * end tag) by rendering again with a value of the same length
         * holding no markup: only the value can make the difference. */
        render(p, set, "<zq9>\"x\"</zq9>", &hostile);
        render(p, set, ".zq9.\"x\"./zq9.", &neutral);
        if (memmem(hostile.data, hostile.len, "<zq9>", 5) && !memmem(neutral.data, neutral.len, "<zq9>", 5)) {
            abort();
        }
    }
    apr_pool_destroy(p);
    return 0;
}
