#include <string.h>
#include <apr_strings.h>
#include "tl_json.h"
#include "tl_buf.h"

#define TL_JSON_DEPTH 32

typedef struct {
    const char *s, *end;
} tl_json_in;

static void tl_json_space(tl_json_in *in)
{
    while (in->s < in->end && (*in->s == ' ' || *in->s == '\t' || *in->s == '\n' || *in->s == '\r')) {
        in->s++;
    }
}

static int tl_json_hex4(const char *s, unsigned *v)
{
    int i;

    *v = 0;
    for (i = 0; i < 4; i++) {
        char c = s[i];
        *v <<= 4;
        if (c >= '0' && c <= '9') {
            *v |= (unsigned)(c - '0');
        }
        else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
            *v |= (unsigned)((c | 0x20) - 'a' + 10);
        }
        else {
            return -1;
        }
    }
    return 0;
}

static void tl_json_utf8(tl_buf *b, unsigned cp)
{
    char u[4];

    if (cp < 0x80) {
        u[0] = (char)cp;
        tl_buf_add(b, u, 1);
    }
    else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        tl_buf_add(b, u, 2);
    }
    else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        tl_buf_add(b, u, 3);
    }
    else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        tl_buf_add(b, u, 4);
    }
}

/* A string at in->s (on its opening quote); its value in b when b is not
 * NULL. 0, or -1 when malformed. */
static int tl_json_string(tl_json_in *in, tl_buf *b)
{
    in->s++;
    while (in->s < in->end) {
        unsigned char c = (unsigned char)*in->s++;
        if (c == '"') {
            return 0;
        }
        if (c < 0x20) {
            return -1;
        }
        if (c != '\\') {
            if (b) {
                tl_buf_add(b, (const char *)&c, 1);
            }
            continue;
        }
        if (in->s >= in->end) {
            return -1;
        }
        c = (unsigned char)*in->s++;
        if (c == 'u') {
            unsigned cp, lo;
            if (in->end - in->s < 4 || tl_json_hex4(in->s, &cp) != 0) {
                return -1;
            }
            in->s += 4;
            if (cp >= 0xD800 && cp < 0xDC00) {
                if (in->end - in->s < 6 || in->s[0] != '\\' || in->s[1] != 'u' || tl_json_hex4(in->s + 2, &lo) != 0
                    || lo < 0xDC00 || lo > 0xDFFF) {
                    return -1;
                }
                in->s += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            else if (cp >= 0xDC00 && cp < 0xE000) {
                return -1;
            }
            if (cp == 0) {
                return -1;              /* no NUL inside a C string */
            }
            if (b) {
                tl_json_utf8(b, cp);
            }
            continue;
        }
        {
            const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t", *at = c ? strchr(from, c) : NULL;
            if (!at) {
                return -1;
            }
            if (b) {
                tl_buf_add(b, to + (at - from), 1);
            }
        }
    }
    return -1;
}

/* Skips any value; its type. TL_JSON_NONE when malformed. */
static tl_json_type tl_json_skip(tl_json_in *in, int depth)
{
    static const char *const words[] = { "true", "false", "null" };
    static const tl_json_type types[] = { TL_JSON_TRUE, TL_JSON_FALSE, TL_JSON_NULL };
    int i;

    tl_json_space(in);
    if (in->s >= in->end || depth > TL_JSON_DEPTH) {
        return TL_JSON_NONE;
    }
    if (*in->s == '"') {
        return tl_json_string(in, NULL) == 0 ? TL_JSON_STRING : TL_JSON_NONE;
    }
    if (*in->s == '{' || *in->s == '[') {
        char close = *in->s == '{' ? '}' : ']';
        int first = 1;
        in->s++;
        for (;;) {
            tl_json_space(in);
            if (in->s < in->end && *in->s == close) {
                in->s++;
                return TL_JSON_OTHER;
            }
            if (!first) {
                if (in->s >= in->end || *in->s != ',') {
                    return TL_JSON_NONE;
                }
                in->s++;
                tl_json_space(in);
            }
            first = 0;
            if (close == '}') {
                if (in->s >= in->end || *in->s != '"' || tl_json_string(in, NULL) != 0) {
                    return TL_JSON_NONE;
                }
                tl_json_space(in);
                if (in->s >= in->end || *in->s != ':') {
                    return TL_JSON_NONE;
                }
                in->s++;
            }
            if (tl_json_skip(in, depth + 1) == TL_JSON_NONE) {
                return TL_JSON_NONE;
            }
        }
    }
    for (i = 0; i < 3; i++) {
        size_t n = strlen(words[i]);
        if ((size_t)(in->end - in->s) >= n && memcmp(in->s, words[i], n) == 0) {
            in->s += n;
            return types[i];
        }
    }
    if (*in->s == '-' || (*in->s >= '0' && *in->s <= '9')) {
        const char *start = in->s;
        while (in->s < in->end && strchr("+-.eE0123456789", *in->s)) {
            in->s++;
        }
        return in->s - start > 40 ? TL_JSON_NONE : TL_JSON_NUMBER;
    }
    return TL_JSON_NONE;
}

tl_json_type tl_json_member(apr_pool_t *p, const char *json, size_t len, const char *key, const char **value)
{
    tl_json_in in = { json, json + len };
    int first = 1;

    *value = NULL;
    tl_json_space(&in);
    if (in.s >= in.end || *in.s != '{') {
        return TL_JSON_NONE;
    }
    in.s++;
    for (;;) {
        tl_buf name;
        const char *start;
        tl_json_type t;

        tl_json_space(&in);
        if (in.s < in.end && *in.s == '}') {
            return TL_JSON_NONE;
        }
        if (!first) {
            if (in.s >= in.end || *in.s != ',') {
                return TL_JSON_NONE;
            }
            in.s++;
            tl_json_space(&in);
        }
        first = 0;
        tl_buf_init(&name, p, 64);
        if (in.s >= in.end || *in.s != '"' || tl_json_string(&in, &name) != 0) {
            return TL_JSON_NONE;
        }
        tl_json_space(&in);
        if (in.s >= in.end || *in.s != ':') {
            return TL_JSON_NONE;
        }
        in.s++;
        tl_json_space(&in);
        start = in.s;
        if ((t = tl_json_skip(&in, 1)) == TL_JSON_NONE) {
            return TL_JSON_NONE;
        }
        if (name.len == strlen(key) && memcmp(name.data, key, name.len) == 0) {
            if (t == TL_JSON_STRING) {
                tl_json_in again = { start, in.end };
                tl_buf v;
                tl_buf_init(&v, p, (apr_size_t)(in.s - start) + 1);
                tl_json_string(&again, &v);
                *value = apr_pstrmemdup(p, v.data, v.len);
            }
            else if (t == TL_JSON_NUMBER) {
                *value = apr_pstrmemdup(p, start, (apr_size_t)(in.s - start));
            }
            return t;
        }
    }
}

const char *tl_json_quote(apr_pool_t *p, const char *s)
{
    tl_buf b;

    tl_buf_init(&b, p, strlen(s) + 16);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            char e[2] = { '\\', (char)c };
            tl_buf_add(&b, e, 2);
        }
        else if (c < 0x20) {
            tl_buf_adds(&b, apr_psprintf(p, "\\u%04x", c));
        }
        else {
            tl_buf_add(&b, (const char *)&c, 1);
        }
    }
    return apr_pstrmemdup(p, b.data, b.len);
}
