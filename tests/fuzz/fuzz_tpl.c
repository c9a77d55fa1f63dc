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

/* The bytes the parser drops (libxml2 keeps no control character but tab,
 * line feed and carriage return): "<z\001q9>" is written "<zq9>". */
static int dropped(uint8_t c)
{
    return c < 0x20 && c != '\t' && c != '\n' && c != '\r';
}

/* Whether data holds needle (given in lower case) in any letter case, once
 * the bytes the parser drops are gone: HTML element names ignore case, and
 * the parser writes a template's own <ZQ9> as <zq9>. */
static int holds_ci(const uint8_t *data, size_t size, const char *needle)
{
    size_t n = strlen(needle), i, j, k;

    for (i = 0; i < size; i++) {
        for (j = i, k = 0; j < size && k < n; j++) {
            uint8_t c = data[j];

            if (dropped(c) && k > 0) {
                continue;
            }
            if ((c >= 'A' && c <= 'Z' ? c + 32 : c) != (uint8_t)needle[k]) {
                break;
            }
            k++;
        }
        if (k == n) {
            return 1;
        }
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    static const char *const cols[] = { "title", "id", NULL };
    apr_pool_t *p;
    tl_tpl_set *set;
    const char *err = NULL;
    tl_view *v;
    tl_rows *rows;
    tl_buf out;
    tl_render_opts o = { 1, "tl-", NULL };

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
        v = tl_view_make(p);
        rows = tl_rows_make(p, cols);
        tl_rows_add(rows, (const char *const[]){ "<zq9>\"x\"</zq9>", "1" });
        tl_rows_add(rows, (const char *const[]){ NULL, "2" });
        tl_view_rows(v, "items", rows);
        tl_view_rows(v, "item", rows);
        tl_view_set(v, "q", "javascript:alert(1)");
        tl_buf_init(&out, p, 64);
        tl_tpl_render(tl_tpl_get(set, "page"), v, &o, &out, &err);
        /* A value never leaves its context: its markup never comes out raw
         * (unless the template itself holds the same element, in any case). */
        if (memmem(out.data, out.len, "<zq9>", 5) && !holds_ci(data, size, "zq9")) {
            abort();
        }
    }
    apr_pool_destroy(p);
    return 0;
}
