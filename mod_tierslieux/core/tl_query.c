#include <string.h>
#include "tl_query.h"
#include "tl_escape.h"
#include "tl_buf.h"

static int tl_hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decodes s[0..n) into a new string; -1 on a broken escape. */
static int tl_decode(apr_pool_t *p, const char *s, size_t n, char **out, size_t *outlen)
{
    char *d = apr_palloc(p, n + 1);
    size_t i, k = 0;

    for (i = 0; i < n; i++) {
        if (s[i] == '+') {
            d[k++] = ' ';
        }
        else if (s[i] == '%') {
            int hi, lo;
            if (i + 2 >= n) {   /* needs two hex digits after it */
                return -1;
            }
            hi = tl_hexval((unsigned char)s[i + 1]);
            lo = hi < 0 ? -1 : tl_hexval((unsigned char)s[i + 2]);
            if (lo < 0) {
                return -1;
            }
            d[k++] = (char)(hi * 16 + lo);
            i += 2;
        }
        else {
            d[k++] = s[i];
        }
    }
    d[k] = '\0';
    *out = d;
    *outlen = k;
    return 0;
}

static int tl_has_control(const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
            return 1;
        }
    }
    return 0;
}

int tl_query_parse(apr_pool_t *p, const char *qs, size_t len, tl_params *out, const char **err)
{
    size_t pos = 0;

    out->n = 0;
    out->items = NULL;
    if (!qs || len == 0) {
        return 0;
    }
    if (len > TL_QUERY_MAX_LEN) {
        *err = "L'adresse demandée est trop longue.";
        return -1;
    }
    out->items = apr_palloc(p, sizeof(tl_param) * TL_QUERY_MAX_PARAMS);
    while (pos <= len) {
        const char *amp = memchr(qs + pos, '&', len - pos);
        size_t end = amp ? (size_t)(amp - qs) : len;
        const char *eq = memchr(qs + pos, '=', end - pos);
        size_t name_end = eq ? (size_t)(eq - qs) : end;
        char *name, *value;
        size_t name_len, value_len;

        if (end > pos) {
            if (out->n == TL_QUERY_MAX_PARAMS) {
                *err = "L'adresse demandée contient trop de paramètres.";
                return -1;
            }
            if (tl_decode(p, qs + pos, name_end - pos, &name, &name_len) != 0
                || tl_decode(p, eq ? eq + 1 : qs + end, eq ? end - name_end - 1 : 0,
                             &value, &value_len) != 0) {
                *err = "L'adresse demandée contient un caractère mal codé (un « % » isolé).";
                return -1;
            }
            if (!tl_utf8_valid(name, name_len) || !tl_utf8_valid(value, value_len)) {
                *err = "L'adresse demandée contient des caractères qui ne sont pas de l'UTF-8.";
                return -1;
            }
            if (tl_has_control(name, name_len) || tl_has_control(value, value_len)) {
                *err = "L'adresse demandée contient un caractère de contrôle.";
                return -1;
            }
            out->items[out->n].name = name;
            out->items[out->n].value = value;
            out->items[out->n].value_len = value_len;
            out->n++;
        }
        if (!amp) {
            break;
        }
        pos = end + 1;
    }
    return 0;
}

const char *tl_query_get(const tl_params *q, const char *name)
{
    int i;
    for (i = 0; i < q->n; i++) {
        if (strcmp(q->items[i].name, name) == 0) {
            return q->items[i].value;
        }
    }
    return NULL;
}

const char *tl_url_build(apr_pool_t *p, const char *path, const char *const *pairs)
{
    tl_buf b;
    int first = 1;

    tl_buf_init(&b, p, 128);
    tl_buf_adds(&b, path);
    for (; pairs && pairs[0]; pairs += 2) {
        const char *v = pairs[1];
        if (!v || !*v) {
            continue;
        }
        tl_buf_addc(&b, first ? '?' : '&');
        first = 0;
        tl_escape_url_part(&b, pairs[0], strlen(pairs[0]));
        tl_buf_addc(&b, '=');
        tl_escape_url_part(&b, v, strlen(v));
    }
    return tl_buf_cstr(&b);
}

const char *tl_query_mask(apr_pool_t *p, const char *line, const char *name)
{
    size_t name_len = strlen(name), line_len;
    const char *query, *end, *at;
    char *out, *o;

    if (!line || !(query = strchr(line, '?')) || !strstr(query, name)) {
        return line;
    }
    line_len = strlen(line);
    if (!(end = strchr(query, ' '))) {
        end = line + line_len;
    }
    /* An empty value becomes "-": each parameter may grow by one byte. */
    out = o = apr_palloc(p, 2 * line_len + 1);
    memcpy(o, line, (size_t)(query - line));
    o += query - line;
    for (at = query; at < end;) {
        /* at is on '?' or '&': the separator, then one parameter. */
        const char *next = at + 1;
        while (next < end && *next != '&') {
            next++;
        }
        if ((size_t)(next - at - 1) > name_len && strncmp(at + 1, name, name_len) == 0 && at[1 + name_len] == '=') {
            memcpy(o, at, name_len + 2);
            o += name_len + 2;
            *o++ = '-';
        }
        else {
            memcpy(o, at, (size_t)(next - at));
            o += next - at;
        }
        at = next;
    }
    memcpy(o, end, strlen(end) + 1);
    return out;
}
