/* Fuzz target: a POSTed form body (application/x-www-form-urlencoded)
 * through the form reader every page uses (tl_fields_parse, as tl_form_read
 * calls it), then every field through the readers and typed checks the
 * pages take their values with: the closed lists of every form
 * (tl_choice_fields), numbers, amounts, weights, dates, slugs, text. The
 * same bytes as a logged request line go through the masking of secrets
 * (property: a secret the parser reads never survives it). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include "tl_fields.h"
#include "tl_choices.h"
#include "tl_query.h"
#include "tl_valid.h"
#include "tl_escape.h"
#include "tl_date.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The names every form of the pages reads, and some they do not. */
static const char *const tl_names[] = { "jeton", "lieu", "numero", "objet", "adherent", "action", "quoi",
                                        "paiement", "provenance", "destination", "repetition", "competence",
                                        "seance", "poids", "montant", "absent", NULL };
static const char *const tl_multi[] = { "competence", NULL };

typedef struct {
    apr_pool_t *p;
    apr_table_t *seen;
} tl_walk;

/* Every field the reader kept: clean, and sent once unless declared multi. */
static int tl_check_field(void *rec, const char *name, const char *value)
{
    tl_walk *w = rec;
    size_t n = strlen(value), i;
    long l;
    const char *out;

    if (!tl_utf8_valid(value, n) || !tl_utf8_valid(name, strlen(name)) || n > TL_FIELDS_MAX_FIELD || !*name) {
        abort();
    }
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)value[i];
        if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c == 0x7f) {
            abort();
        }
    }
    if (apr_table_get(w->seen, name) && strcmp(name, "competence") != 0) {
        abort();
    }
    apr_table_setn(w->seen, name, "");
    /* The typed checks the pages run on fields: no crash, a message or a value. */
    if (!tl_valid_int(w->p, "n", value, 1, 2147483647L, &l) && (l < 1 || l > 2147483647L)) {
        abort();
    }
    out = NULL;
    if (!tl_valid_decimal(w->p, "poids", value, 100000, 3, &out) && !out) {
        abort();
    }
    out = NULL;
    if (!tl_valid_amount(w->p, "montant", value, 10000, &out) && !out) {
        abort();
    }
    tl_valid_slug(w->p, "lieu", value, 64);
    tl_valid_text(w->p, "texte", value, 2000);
    tl_date_parse(value, &l);
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    apr_pool_t *p;
    apr_table_t *f = NULL;
    const char *err = NULL;
    tl_fields_status st;
    int i;

    if (!ready) {
        apr_initialize();
        ready = 1;
    }
    apr_pool_create(&p, NULL);
    st = tl_fields_parse(p, (const char *)data, size, tl_multi, NULL, &f, &err);
    if (st != TL_FIELDS_OK) {
        if (!err || !*err || f) {
            abort();
        }
    }
    else {
        tl_walk w = { p, apr_table_make(p, 8) };
        apr_table_do(tl_check_field, &w, f, NULL);
        /* The readers never give NULL, sent or not. */
        for (i = 0; tl_names[i]; i++) {
            const char *v = tl_field(f, tl_names[i]);
            if (!v || tl_field_given(f, tl_names[i]) != (*v != '\0')
                || (tl_field_given(f, tl_names[i]) && !tl_field_sent(f, tl_names[i]))) {
                abort();
            }
        }
        /* Every closed list of every form: a valid index or a refusal in French. */
        for (i = 0; tl_choice_fields[i].field; i++) {
            const tl_choice_field *c = &tl_choice_fields[i];
            int index = -1, n;
            const char *refused = tl_field_choice(p, f, c->field, c->label, c->choices, &index);

            for (n = 0; c->choices[n]; n++) {
            }
            if (refused ? (!*refused || index != -1)
                        : (index < 0 || index >= n || strcmp(c->choices[index], tl_field(f, c->field)) != 0)) {
                abort();
            }
        }
    }
    /* The same bytes as the query of a logged request line. */
    if (size < 4096 && !memchr(data, ' ', size) && !memchr(data, '#', size) && !memchr(data, '\t', size)
        && !memchr(data, '\0', size)) {
        tl_params before, after;
        const char *line = apr_pstrcat(p, "GET /tierslieux/reparation/reservation?",
                                       apr_pstrmemdup(p, (const char *)data, size), " HTTP/1.1", NULL);
        const char *masked = tl_query_mask(p, line, tl_query_secrets);
        const char *q0 = strchr(masked, '?') + 1, *q1 = strrchr(masked, ' ');

        if (tl_query_parse(p, (const char *)data, size, &before, &err) == 0) {
            if (tl_query_parse(p, q0, (size_t)(q1 - q0), &after, &err) != 0 || after.n != before.n) {
                abort();
            }
            for (i = 0; i < after.n; i++) {
                if (strcmp(after.items[i].name, "jeton") == 0 && after.items[i].value_len > 0
                    && strcmp(after.items[i].value, "-") != 0) {
                    abort();
                }
            }
        }
    }
    apr_pool_destroy(p);
    return 0;
}
