/* Fuzz target: the query string parser and the typed checks behind every
 * page parameter. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include "tl_query.h"
#include "tl_valid.h"
#include "tl_escape.h"
#include "tl_marker.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    apr_pool_t *p;
    tl_params q;
    const char *err = NULL;
    int i;
    tl_marker m;

    if (!ready) {
        apr_initialize();
        ready = 1;
    }
    apr_pool_create(&p, NULL);
    if (tl_query_parse(p, (const char *)data, size, &q, &err) == 0) {
        for (i = 0; i < q.n; i++) {
            long n;
            int idx;
            static const char *const choices[] = { "a", "titre", NULL };
            /* Everything a page reads is valid UTF-8 without NUL. */
            if (!tl_utf8_valid(q.items[i].value, q.items[i].value_len)
                || strlen(q.items[i].value) != q.items[i].value_len) {
                abort();
            }
            tl_valid_int(p, "n", q.items[i].value, 1, 10000, &n);
            tl_valid_slug(p, "s", q.items[i].value, 64);
            tl_valid_text(p, "t", q.items[i].value, 200);
            tl_valid_choice(p, "c", q.items[i].value, choices, &idx);
        }
    }
    else if (!err) {
        abort();
    }
    /* The same bytes as someone's HTML page for the marker scanner. */
    if (tl_marker_find((const char *)data, size, 0, "data-tierslieux-contenu", &m) == 0) {
        if (!(m.open_start < m.open_end && m.open_end <= m.close_start && m.close_start <= m.close_end
              && m.close_end <= size)) {
            abort();
        }
    }
    {
        /* The request line a log shows: masking never writes past what it
         * allocated (ASan would say), and masking twice changes nothing. */
        const char *line = apr_pstrmemdup(p, (const char *)data, size);
        const char *once = tl_query_mask(p, line, tl_query_secrets);
        if (strlen(once) > 2 * strlen(line) + 1 || strcmp(tl_query_mask(p, once, tl_query_secrets), once) != 0) {
            abort();
        }
    }
    if (!memchr(data, ' ', size) && !memchr(data, '\t', size) && !memchr(data, '#', size)
        && !memchr(data, '\0', size)) {
        /* The secret never survives: the bytes as a query string in a
         * logged request line; whatever the parser reads from it, the
         * masked line reads the same parameters, every secret one "-". */
        tl_params before, after;
        const char *line = apr_pstrcat(p, "GET /tierslieux/compte/mot-de-passe?",
                                       apr_pstrmemdup(p, (const char *)data, size), " HTTP/1.1", NULL);
        const char *masked = tl_query_mask(p, line, tl_query_secrets);
        const char *q0 = strchr(masked, '?') + 1;
        const char *q1 = strrchr(masked, ' ');

        if (tl_query_parse(p, (const char *)data, size, &before, &err) == 0) {
            if (tl_query_parse(p, q0, (size_t)(q1 - q0), &after, &err) != 0 || after.n != before.n) {
                abort();
            }
            for (i = 0; i < after.n; i++) {
                const char *const *s;
                for (s = tl_query_secrets; *s; s++) {
                    if (strcmp(after.items[i].name, *s) == 0 && after.items[i].value_len > 0
                        && strcmp(after.items[i].value, "-") != 0) {
                        abort();
                    }
                }
            }
        }
    }
    apr_pool_destroy(p);
    return 0;
}
