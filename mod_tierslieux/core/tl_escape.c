#include <string.h>
#include "tl_escape.h"

/* Copies runs of safe bytes in one go and escapes the rest. */
static void tl_escape_with(tl_buf *out, const char *s, size_t n,
                           const char *(*entity)(unsigned char))
{
    size_t start = 0, i;
    const char *e;

    for (i = 0; i < n; i++) {
        e = entity((unsigned char)s[i]);
        if (e) {
            tl_buf_add(out, s + start, i - start);
            tl_buf_adds(out, e);
            start = i + 1;
        }
    }
    tl_buf_add(out, s + start, n - start);
}

static const char *tl_text_entity(unsigned char c)
{
    switch (c) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '\0': return "\xEF\xBF\xBD";   /* U+FFFD: a NUL never reaches HTML */
    default: return NULL;
    }
}

static const char *tl_attr_entity(unsigned char c)
{
    switch (c) {
    case '"': return "&quot;";
    case '\'': return "&#39;";
    default: return tl_text_entity(c);
    }
}

void tl_escape_text(tl_buf *out, const char *s, size_t n)
{
    tl_escape_with(out, s, n, tl_text_entity);
}

void tl_escape_attr(tl_buf *out, const char *s, size_t n)
{
    tl_escape_with(out, s, n, tl_attr_entity);
}

static int tl_lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

static int tl_scheme_allowed(const char *s, size_t n)
{
    static const char *const allowed[] = { "http", "https", "mailto", "tel" };
    size_t k, i;

    for (k = 0; k < sizeof(allowed) / sizeof(allowed[0]); k++) {
        size_t len = strlen(allowed[k]);
        if (n != len) {
            continue;
        }
        for (i = 0; i < len && tl_lower((unsigned char)s[i]) == allowed[k][i]; i++) {
        }
        if (i == len) {
            return 1;
        }
    }
    return 0;
}

void tl_escape_url(tl_buf *out, const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f) {
            tl_buf_addc(out, '#');     /* browsers strip these inside schemes */
            return;
        }
    }
    /* A scheme is what comes before the first ':' if no '/', '?' or '#'
     * comes earlier; without one the URL is relative and safe. */
    for (i = 0; i < n; i++) {
        if (s[i] == '/' || s[i] == '?' || s[i] == '#') {
            break;
        }
        if (s[i] == ':') {
            if (!tl_scheme_allowed(s, i)) {
                tl_buf_addc(out, '#');
                return;
            }
            break;
        }
    }
    tl_escape_attr(out, s, n);
}

void tl_escape_url_part(tl_buf *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
            || c == '-' || c == '.' || c == '_' || c == '~') {
            tl_buf_addc(out, (char)c);
        }
        else {
            char pct[3] = { '%', hex[c >> 4], hex[c & 15] };
            tl_buf_add(out, pct, 3);
        }
    }
}

void tl_escape_json(tl_buf *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t i;

    if (!s) {
        tl_buf_adds(out, "null");
        return;
    }
    tl_buf_addc(out, '"');
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            tl_buf_addc(out, '\\');
            tl_buf_addc(out, (char)c);
        }
        else if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x7f) {
            char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
            tl_buf_add(out, u, 6);
        }
        else if (c == 0xE2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80
                 && ((unsigned char)s[i + 2] == 0xA8 || (unsigned char)s[i + 2] == 0xA9)) {
            /* U+2028 and U+2029 end a line in older JavaScript parsers. */
            tl_buf_adds(out, (unsigned char)s[i + 2] == 0xA8 ? "\\u2028" : "\\u2029");
            i += 2;
        }
        else {
            tl_buf_addc(out, (char)c);
        }
    }
    tl_buf_addc(out, '"');
}

int tl_url_is_http(const char *u)
{
    const char *c;

    if (strncmp(u, "https://", 8) != 0 && strncmp(u, "http://", 7) != 0) {
        return 0;
    }
    for (c = u; *c; c++) {
        if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7F) {
            return 0;
        }
    }
    return 1;
}
