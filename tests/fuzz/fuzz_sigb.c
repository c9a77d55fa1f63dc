/*
 * libFuzzer target for what a library system answers a login
 * (glue/tl_library.c): SIP2 messages (tl_sip2_verify, tl_sip2_login_ok,
 * tl_sip2_parse_patron) and Koha's JSON (tl_json_member). The bytes come
 * from another system over the network: whatever they are, the readers
 * return, and what they accept keeps its promises (a patron status of 14
 * flags, a patron id, strings without NUL). A message we build from the
 * bytes as values is refused or verified by our own reader.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include "tl_sip2.h"
#include "tl_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
    if (!ok) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    apr_pool_t *p;
    const char *s = (const char *)data, *v;
    tl_sip2_patron pt;
    static const char *const keys[] = { "patron_id", "surname", "firstname", "restricted", "expired", "error" };
    size_t i;

    if (!init) {
        apr_initialize();
        init = 1;
    }
    apr_pool_create(&p, NULL);
    (void)tl_sip2_verify(s, size, 1);
    (void)tl_sip2_login_ok(s, size);
    if (tl_sip2_parse_patron(p, s, size, &pt) == 0) {
        check(strlen(pt.status) == 14 && strspn(pt.status, "Y ") == 14);
        check(pt.patron_id != NULL);
        check(pt.valid_patron >= -1 && pt.valid_patron <= 1 && pt.valid_password >= -1 && pt.valid_password <= 1);
        if (pt.name) {
            const char *f, *g;
            tl_sip2_split_name(p, pt.name, &f, &g);
            check(f && g);
        }
    }
    for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        tl_json_type t = tl_json_member(p, s, size, keys[i], &v);
        check((t == TL_JSON_STRING || t == TL_JSON_NUMBER) == (v != NULL));
    }
    {
        /* The bytes as a PIN: the message is refused or verifies. */
        char *pin = apr_pstrmemdup(p, s, size > 64 ? 64 : size);
        const char *m = tl_sip2_patron_status(p, "MED", "29000111", "", pin, "20261207    101500", 3);
        check(!m || tl_sip2_verify(m, strlen(m), 3) == 0);
        check(!m || strchr(pin, '|') == NULL);
    }
    apr_pool_destroy(p);
    return 0;
}
