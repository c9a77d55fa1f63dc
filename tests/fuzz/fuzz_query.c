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
        const char *once = tl_query_mask(p, line, "jeton");
        if (strlen(once) > 2 * strlen(line) || strcmp(tl_query_mask(p, once, "jeton"), once) != 0) {
            abort();
        }
    }
    apr_pool_destroy(p);
    return 0;
}
