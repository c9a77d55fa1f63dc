#include <string.h>
#include <apr_strings.h>
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

/* The one decoder of urlencoded names and values: query strings, form
 * bodies (tl_fields) and the masking of secrets in logged request lines all
 * read names through it, so they can never disagree on what a name is. */
int tl_query_decode(apr_pool_t *p, const char *s, size_t n, char **out, size_t *outlen)
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
            if (tl_query_decode(p, qs + pos, name_end - pos, &name, &name_len) != 0
                || tl_query_decode(p, eq ? eq + 1 : qs + end, eq ? end - name_end - 1 : 0,
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

const char *const tl_query_secrets[] = { "jeton", NULL };

/* Bytes that can be part of a parameter's name: a secret's name preceded
 * by one of them is another name ("xjeton"), by anything else a secret. */
static int tl_name_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'
           || c == '.' || c >= 0x80;
}

/* True when the decoded name is one of names, or ends with one of them
 * after a separator that decoding produced ("%3Fjeton", "a;jeton",
 * "/chemin%3Fjeton"): compared without regard to case, so the mask is a
 * superset of what tl_query_get (exact names) reads. */
static int tl_name_secret(const char *name, size_t len, const char *const *names)
{
    for (; *names; names++) {
        size_t n = strlen(*names), i;
        if (len < n) {
            continue;
        }
        for (i = 0; i < n; i++) {
            unsigned char a = (unsigned char)name[len - n + i], b = (unsigned char)(*names)[i];
            if ((a >= 'A' && a <= 'Z' ? a + 32 : a) != (b >= 'A' && b <= 'Z' ? b + 32 : b)) {
                break;
            }
        }
        if (i == n && (len == n || !tl_name_char((unsigned char)name[len - n - 1]))) {
            return 1;
        }
    }
    return 0;
}

/* Where a parameter may start in a logged line: after any of these. The
 * query parser only splits on '&' after the '?', so this finds every name
 * it reads, and more (';' separators, a name in the path). */
static int tl_mask_boundary(char c)
{
    return c == '?' || c == '&' || c == ';' || c == '/' || c == ' ' || c == '\t';
}

const char *tl_query_mask(apr_pool_t *p, const char *line, const char *const *names)
{
    size_t len, i, start;
    char *out, *o;
    int masked = 0;

    if (!line || !names) {
        return line;
    }
    len = strlen(line);
    /* An empty value becomes "-": each parameter may grow by one byte. */
    out = o = apr_palloc(p, 2 * len + 2);
    for (i = 0, start = 0; i <= len; i++) {
        const char *eq;
        char *name = NULL;
        size_t name_len = 0, end;

        if (i < len && !tl_mask_boundary(line[i])) {
            continue;
        }
        /* A parameter ran from start to i: is it "name=value" with a secret name? */
        eq = memchr(line + start, '=', i - start);
        if (eq) {
            if (tl_query_decode(p, line + start, (size_t)(eq - line - start), &name, &name_len) != 0) {
                /* The parser refuses such a query; compare the name as it came. */
                name = apr_pstrmemdup(p, line + start, (size_t)(eq - line - start));
                name_len = (size_t)(eq - line - start);
            }
        }
        if (eq && tl_name_secret(name, name_len, names)) {
            /* The value, as the parser reads it, runs to the next '&'; the
             * line's own end (a space before the protocol) ends it too. */
            for (end = (size_t)(eq - line) + 1; end < len && line[end] != '&' && line[end] != ' '
                                                && line[end] != '\t'; end++) {
            }
            memcpy(o, line + start, (size_t)(eq - line - start) + 1);
            o += eq - line - start + 1;
            *o++ = '-';
            masked = 1;
            i = end;
        }
        else {
            memcpy(o, line + start, i - start);
            o += i - start;
        }
        if (i < len) {
            *o++ = line[i];     /* the boundary itself */
        }
        start = i + 1;
    }
    *o = '\0';
    return masked ? out : line;
}
