#include <string.h>
#include <apr_strings.h>
#include "tl_fields.h"
#include "tl_query.h"
#include "tl_escape.h"
#include "tl_valid.h"

/* What a name or a value may not hold. NULL when it is fine. */
static const char *tl_fields_refused(const char *s, size_t size)
{
    size_t i;

    if (!tl_utf8_valid(s, size) || strlen(s) != size) {
        return "Le formulaire contient des caractères illisibles.";
    }
    for (i = 0; i < size; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c == 0x7f) {
            return "Le formulaire contient un caractère de contrôle.";
        }
    }
    return NULL;
}

static int tl_fields_is_multi(const char *name, const char *const *multi)
{
    for (; multi && *multi; multi++) {
        if (strcmp(name, *multi) == 0) {
            return 1;
        }
    }
    return 0;
}

const tl_fields_limits tl_fields_defaults = { TL_FIELDS_MAX_COUNT, TL_FIELDS_MAX_FIELD, TL_FIELDS_MAX_BODY };

const char *tl_fields_size(apr_pool_t *p, size_t bytes)
{
    if (bytes < 1024 * 1024) {
        return apr_psprintf(p, "%lu Ko", (unsigned long)(bytes / 1024));
    }
    return apr_psprintf(p, "%lu,%lu Mo", (unsigned long)(bytes / (1024 * 1024)),
                        (unsigned long)(bytes % (1024 * 1024) * 10 / (1024 * 1024)));
}

tl_fields_status tl_fields_add(apr_pool_t *p, apr_table_t *f, const char *name, const char *value, size_t size,
                               const char *const *multi, size_t max_field, const char **err)
{
    const char *why;

    if (size > max_field) {
        /* The name comes from the request: named only when it is one of ours. */
        size_t n = strlen(name);
        *err = n > 0 && n <= 32 && strspn(name, "abcdefghijklmnopqrstuvwxyz_0123456789-") == n
               ? apr_psprintf(p, "Le champ « %s » est trop long (%s au plus).", name, tl_fields_size(p, max_field))
               : apr_psprintf(p, "Un champ du formulaire est trop long (%s au plus).", tl_fields_size(p, max_field));
        return TL_FIELDS_TOO_LARGE;
    }
    if ((why = tl_fields_refused(name, strlen(name))) != NULL || (why = tl_fields_refused(value, size)) != NULL) {
        *err = why;
        return TL_FIELDS_BAD;
    }
    if (apr_table_get(f, name) && !tl_fields_is_multi(name, multi)) {
        *err = "Un champ du formulaire est envoyé deux fois : ce formulaire ne vient pas de sa page. Rechargez "
               "la page et recommencez ; rien n'a été enregistré.";
        return TL_FIELDS_REPEATED;
    }
    apr_table_addn(f, name, value);
    return TL_FIELDS_OK;
}

tl_fields_status tl_fields_parse(apr_pool_t *p, const char *body, size_t len, const char *const *multi,
                                 const tl_fields_limits *limits, apr_table_t **out, const char **err)
{
    apr_table_t *f;
    size_t pos = 0;
    int count = 0;

    if (!limits) {
        limits = &tl_fields_defaults;
    }
    if (len > limits->body) {
        *err = apr_psprintf(p, "Le formulaire envoyé est trop volumineux (%s au plus).",
                            tl_fields_size(p, limits->body));
        return TL_FIELDS_TOO_LARGE;
    }
    f = apr_table_make(p, 16);
    while (body && pos < len) {
        const char *amp = memchr(body + pos, '&', len - pos);
        size_t end = amp ? (size_t)(amp - body) : len;
        const char *eq = memchr(body + pos, '=', end - pos);
        size_t name_end = eq ? (size_t)(eq - body) : end;
        char *name, *value;
        size_t name_len, value_len;
        tl_fields_status st;

        /* "a&&b" and a nameless "=x" carry nothing a page reads. */
        if (name_end > pos) {
            if (++count > limits->count) {
                *err = apr_psprintf(p, "Le formulaire envoyé a trop de champs (%d au plus) : il ne vient pas de "
                                    "cette page telle qu'elle est.", limits->count);
                return TL_FIELDS_TOO_LARGE;
            }
            if (tl_query_decode(p, body + pos, name_end - pos, &name, &name_len) != 0
                || tl_query_decode(p, eq ? eq + 1 : body + end, eq ? end - name_end - 1 : 0, &value, &value_len) != 0) {
                *err = "Le formulaire envoyé contient un caractère mal codé (un « % » isolé).";
                return TL_FIELDS_BAD;
            }
            if (strlen(name) != name_len) {
                *err = "Le formulaire contient des caractères illisibles.";
                return TL_FIELDS_BAD;
            }
            if ((st = tl_fields_add(p, f, name, value, value_len, multi, limits->field, err)) != TL_FIELDS_OK) {
                return st;
            }
        }
        pos = end + 1;
    }
    *out = f;
    return TL_FIELDS_OK;
}

const char *tl_field(const apr_table_t *f, const char *name)
{
    const char *v = f ? apr_table_get(f, name) : NULL;

    return v ? v : "";
}

int tl_field_sent(const apr_table_t *f, const char *name)
{
    return f && apr_table_get(f, name) != NULL;
}

int tl_field_given(const apr_table_t *f, const char *name)
{
    return *tl_field(f, name) != '\0';
}

const char *tl_field_choice(apr_pool_t *p, const apr_table_t *f, const char *name, const char *label,
                            const char *const *choices, int *index)
{
    return tl_valid_choice(p, label, tl_field(f, name), choices, index);
}
