/* tl_mail — see tl_mail.h. Written for RFC 5322 (message format),
 * RFC 2045 (quoted-printable), RFC 2047 (encoded-words) and RFC 3834
 * (Auto-Submitted). */
#include <stdio.h>
#include <string.h>
#include "tl_buf.h"
#include "tl_mail.h"

/* Header lines stay under 78 characters; an encoded-word carries at most
 * this many bytes of text (52 base64 characters, a 64-character word), so
 * "Subject: " and one word still fit on the first line. */
#define TL_MAIL_WORD_BYTES 39
#define TL_MAIL_LINE 76

static const char tl_b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char tl_hex[] = "0123456789ABCDEF";

static void tl_base64(tl_buf *b, const unsigned char *s, size_t n)
{
    size_t i;

    for (i = 0; i + 2 < n; i += 3) {
        tl_buf_addc(b, tl_b64[s[i] >> 2]);
        tl_buf_addc(b, tl_b64[((s[i] & 3) << 4) | (s[i + 1] >> 4)]);
        tl_buf_addc(b, tl_b64[((s[i + 1] & 15) << 2) | (s[i + 2] >> 6)]);
        tl_buf_addc(b, tl_b64[s[i + 2] & 63]);
    }
    if (n - i == 1) {
        tl_buf_addc(b, tl_b64[s[i] >> 2]);
        tl_buf_addc(b, tl_b64[(s[i] & 3) << 4]);
        tl_buf_adds(b, "==");
    }
    else if (n - i == 2) {
        tl_buf_addc(b, tl_b64[s[i] >> 2]);
        tl_buf_addc(b, tl_b64[((s[i] & 3) << 4) | (s[i + 1] >> 4)]);
        tl_buf_addc(b, tl_b64[(s[i + 1] & 15) << 2]);
        tl_buf_addc(b, '=');
    }
}

/* A header value must not hold control characters: CR or LF would start a
 * header of its own. */
static int tl_mail_value_ok(const char *s)
{
    const unsigned char *u;

    for (u = (const unsigned char *)s; *u; u++) {
        if (*u < 0x20 || *u == 0x7f) {
            return 0;
        }
    }
    return 1;
}

static int tl_mail_ascii(const char *s)
{
    const unsigned char *u;

    for (u = (const unsigned char *)s; *u; u++) {
        if (*u < 0x20 || *u > 0x7e) {
            return 0;
        }
    }
    return strstr(s, "=?") == NULL;
}

int tl_mail_addr_ok(const char *s)
{
    const char *at, *c;

    if (!s || !*s || !(at = strchr(s, '@')) || at == s || !at[1] || strchr(at + 1, '@')) {
        return 0;
    }
    for (c = s; *c; c++) {
        unsigned char u = (unsigned char)*c;
        if (u <= 0x20 || u >= 0x7f || strchr("<>()[],;:\"\\", u)) {
            return 0;
        }
    }
    return 1;
}

/* A dot-atom (the two halves of a Message-ID). */
static int tl_mail_atom_ok(const char *s, const char *extra)
{
    const char *c;

    if (!s || !*s) {
        return 0;
    }
    for (c = s; *c; c++) {
        unsigned char u = (unsigned char)*c;
        if (!((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '.' || u == '-'
              || strchr(extra, u))) {
            return 0;
        }
    }
    return 1;
}

/* UTF-8 text as encoded-words, split between characters (a word must hold
 * whole characters), folded one word per line. */
static void tl_mail_words(tl_buf *b, const char *s, const char *eol)
{
    size_t n = strlen(s), at = 0, take;
    int first = 1;

    while (at < n) {
        take = n - at > TL_MAIL_WORD_BYTES ? TL_MAIL_WORD_BYTES : n - at;
        while (at + take < n && ((unsigned char)s[at + take] & 0xC0) == 0x80 && take > 1) {
            take--;                 /* never cut a character in two */
        }
        if (!first) {
            tl_buf_adds(b, eol);
            tl_buf_addc(b, ' ');
        }
        tl_buf_adds(b, "=?UTF-8?B?");
        tl_base64(b, (const unsigned char *)s + at, take);
        tl_buf_adds(b, "?=");
        at += take;
        first = 0;
    }
}

/* Plain ASCII text folded at spaces so that lines stay under 78
 * characters; col is where the value starts. */
static void tl_mail_fold(tl_buf *b, const char *s, size_t col, const char *eol)
{
    const char *w = s, *end;
    int first = 1;

    while (*w) {
        size_t len;
        end = strchr(w, ' ');
        len = end ? (size_t)(end - w) : strlen(w);
        if (!first) {
            if (col + 1 + len > 78) {
                tl_buf_adds(b, eol);
                col = 0;
            }
            tl_buf_addc(b, ' ');
            col++;
        }
        tl_buf_add(b, w, len);
        col += len;
        first = 0;
        w += len;
        if (*w == ' ') {
            w++;
        }
    }
}

static void tl_mail_text_header(tl_buf *b, const char *name, const char *value, const char *eol)
{
    tl_buf_adds(b, name);
    tl_buf_adds(b, ": ");
    if (tl_mail_ascii(value)) {
        tl_mail_fold(b, value, strlen(name) + 2, eol);
    }
    else {
        tl_mail_words(b, value, eol);
    }
    tl_buf_adds(b, eol);
}

/* One line of the body, without its end, as quoted-printable with soft
 * line breaks so that no line passes 76 characters. */
static void tl_mail_qp_line(tl_buf *b, const unsigned char *s, size_t n, const char *eol)
{
    size_t i, col = 0;

    for (i = 0; i < n; i++) {
        unsigned char c = s[i];
        int last = i + 1 == n, encode;
        size_t width;

        for (;;) {
            /* A space or tab ending a line would be lost in transport; a dot
             * alone or "From " at the start of a line upsets some MTAs. */
            encode = c == '=' || c > 126 || (c < 32 && c != '\t') || ((c == ' ' || c == '\t') && last)
                     || (col == 0 && c == '.') || (col == 0 && c == 'F' && n - i >= 5 && !memcmp(s + i, "From ", 5));
            width = encode ? 3 : 1;
            if (col + width <= (last ? TL_MAIL_LINE : TL_MAIL_LINE - 1)) {
                break;
            }
            tl_buf_addc(b, '=');
            tl_buf_adds(b, eol);
            col = 0;
        }
        if (encode) {
            tl_buf_addc(b, '=');
            tl_buf_addc(b, tl_hex[c >> 4]);
            tl_buf_addc(b, tl_hex[c & 15]);
        }
        else {
            tl_buf_addc(b, (char)c);
        }
        col += width;
    }
    tl_buf_adds(b, eol);
}

static void tl_mail_qp(tl_buf *b, const char *body, const char *eol)
{
    const char *line = body, *nl;

    while (*line) {
        size_t n;
        nl = strchr(line, '\n');
        n = nl ? (size_t)(nl - line) : strlen(line);
        tl_mail_qp_line(b, (const unsigned char *)line, n > 0 && line[n - 1] == '\r' ? n - 1 : n, eol);
        line += nl ? n + 1 : n;
    }
}

/* Where the last line written into b starts. */
static size_t tl_mail_line_start(const tl_buf *b, const char *eol)
{
    size_t n = strlen(eol), i;

    for (i = b->len; i >= n; i--) {
        if (!memcmp(b->data + i - n, eol, n)) {
            return i;
        }
    }
    return 0;
}

void tl_mail_date(char buf[TL_MAIL_DATE_SIZE], apr_time_t t, long gmtoff)
{
    static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
    static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    apr_time_exp_t tm;
    long off = gmtoff < 0 ? -gmtoff : gmtoff;

    apr_time_exp_tz(&tm, t, (apr_int32_t)gmtoff);
    snprintf(buf, TL_MAIL_DATE_SIZE, "%s, %02d %s %04d %02d:%02d:%02d %c%02ld%02ld", days[tm.tm_wday % 7], tm.tm_mday,
             months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
             gmtoff < 0 ? '-' : '+', (off / 3600) % 100, (off / 60) % 60);
}

const char *tl_mail_build(apr_pool_t *p, const tl_mail *m, const char *eol, char **out, apr_size_t *len)
{
    tl_buf b;
    char date[TL_MAIL_DATE_SIZE];

    if (!tl_mail_addr_ok(m->from_addr)) {
        return "the sender's address is not a plain address";
    }
    if (!tl_mail_addr_ok(m->to)) {
        return "the recipient's address is not a plain address";
    }
    if (m->reply_to && !tl_mail_addr_ok(m->reply_to)) {
        return "the reply address is not a plain address";
    }
    if (!m->subject || !*m->subject || !tl_mail_value_ok(m->subject) || strlen(m->subject) > 900) {
        return "the subject is empty, too long or holds a line break or control character";
    }
    if (m->from_name && !tl_mail_value_ok(m->from_name)) {
        return "the sender's name holds a line break or control character";
    }
    if (!tl_mail_atom_ok(m->id_left, "!#$%&'*+/=?^_`{|}~") || !tl_mail_atom_ok(m->id_domain, "")) {
        return "the Message-ID's parts are not atoms";
    }
    if (!m->body) {
        return "the body is missing";
    }

    tl_buf_init(&b, p, 1024 + strlen(m->body) * 2);
    tl_mail_date(date, m->date, m->gmtoff);
    tl_buf_adds(&b, "Date: ");
    tl_buf_adds(&b, date);
    tl_buf_adds(&b, eol);

    tl_buf_adds(&b, "From: ");
    if (m->from_name && *m->from_name) {
        if (tl_mail_ascii(m->from_name)) {
            const char *c;
            tl_buf_addc(&b, '"');
            for (c = m->from_name; *c; c++) {
                if (*c == '"' || *c == '\\') {
                    tl_buf_addc(&b, '\\');
                }
                tl_buf_addc(&b, *c);
            }
            tl_buf_addc(&b, '"');
        }
        else {
            tl_mail_words(&b, m->from_name, eol);
        }
        /* the address on a line of its own when the line would be long */
        if (b.len - tl_mail_line_start(&b, eol) + 2 + strlen(m->from_addr) + 1 > 78) {
            tl_buf_adds(&b, eol);
        }
        tl_buf_adds(&b, " <");
        tl_buf_adds(&b, m->from_addr);
        tl_buf_addc(&b, '>');
    }
    else {
        tl_buf_adds(&b, m->from_addr);
    }
    tl_buf_adds(&b, eol);
    if (m->reply_to) {
        tl_buf_adds(&b, "Reply-To: ");
        tl_buf_adds(&b, m->reply_to);
        tl_buf_adds(&b, eol);
    }
    tl_buf_adds(&b, "To: ");
    tl_buf_adds(&b, m->to);
    tl_buf_adds(&b, eol);
    tl_mail_text_header(&b, "Subject", m->subject, eol);
    tl_buf_adds(&b, "Message-ID: <");
    tl_buf_adds(&b, m->id_left);
    tl_buf_addc(&b, '@');
    tl_buf_adds(&b, m->id_domain);
    tl_buf_addc(&b, '>');
    tl_buf_adds(&b, eol);
    tl_buf_adds(&b, "MIME-Version: 1.0");
    tl_buf_adds(&b, eol);
    tl_buf_adds(&b, "Content-Type: text/plain; charset=utf-8");
    tl_buf_adds(&b, eol);
    tl_buf_adds(&b, "Content-Transfer-Encoding: quoted-printable");
    tl_buf_adds(&b, eol);
    tl_buf_adds(&b, "Auto-Submitted: auto-generated");
    tl_buf_adds(&b, eol);
    tl_buf_adds(&b, eol);
    tl_mail_qp(&b, m->body, eol);

    *len = b.len;
    *out = (char *)tl_buf_cstr(&b);
    return NULL;
}
