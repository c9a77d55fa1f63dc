#include <string.h>
#include <stdio.h>
#include <apr_strings.h>
#include "tl_sip2.h"

unsigned tl_sip2_checksum(const char *msg, size_t len)
{
    unsigned sum = 0;
    size_t i;

    for (i = 0; i < len; i++) {
        sum += (unsigned char)msg[i];
    }
    return (0x10000u - (sum & 0xFFFFu)) & 0xFFFFu;
}

/* A value may go into a field: no separator, no control character. */
static int tl_sip2_field_ok(const char *v)
{
    for (; v && *v; v++) {
        if (*v == '|' || (unsigned char)*v < 0x20 || *v == 0x7f) {
            return 0;
        }
    }
    return v != NULL;
}

/* Appends "AY<seq>AZ" and the checksum, and the carriage return. */
static const char *tl_sip2_seal(apr_pool_t *p, const char *body, int seq)
{
    const char *msg = apr_psprintf(p, "%sAY%dAZ", body, seq % 10);

    return apr_psprintf(p, "%s%04X\r", msg, tl_sip2_checksum(msg, strlen(msg)));
}

const char *tl_sip2_login(apr_pool_t *p, const char *user, const char *password, const char *location, int seq)
{
    if (!tl_sip2_field_ok(user) || !tl_sip2_field_ok(password) || (location && !tl_sip2_field_ok(location))) {
        return NULL;
    }
    return tl_sip2_seal(p, apr_pstrcat(p, "9300CN", user, "|CO", password, "|",
                                       location && *location ? apr_pstrcat(p, "CP", location, "|", NULL) : "",
                                       NULL), seq);
}

const char *tl_sip2_patron_status(apr_pool_t *p, const char *institution, const char *patron, const char *terminal_pw,
                                  const char *pin, const char *date18, int seq)
{
    if (!tl_sip2_field_ok(institution) || !tl_sip2_field_ok(patron) || !tl_sip2_field_ok(terminal_pw)
        || !tl_sip2_field_ok(pin) || !date18 || strlen(date18) != 18 || !tl_sip2_field_ok(date18)) {
        return NULL;
    }
    return tl_sip2_seal(p, apr_pstrcat(p, "23002", date18, "AO", institution, "|AA", patron, "|AC", terminal_pw,
                                       "|AD", pin, "|", NULL), seq);
}

/* len without the trailing "\r" or "\r\n". */
static size_t tl_sip2_trim(const char *msg, size_t len)
{
    while (len && (msg[len - 1] == '\r' || msg[len - 1] == '\n')) {
        len--;
    }
    return len;
}

static int tl_sip2_hex(const char *s, unsigned *v)
{
    int i;

    *v = 0;
    for (i = 0; i < 4; i++) {
        char c = s[i];
        *v <<= 4;
        if (c >= '0' && c <= '9') {
            *v |= (unsigned)(c - '0');
        }
        else if (c >= 'A' && c <= 'F') {
            *v |= (unsigned)(c - 'A' + 10);
        }
        else if (c >= 'a' && c <= 'f') {
            *v |= (unsigned)(c - 'a' + 10);
        }
        else {
            return -1;
        }
    }
    return 0;
}

int tl_sip2_verify(const char *msg, size_t len, int seq)
{
    unsigned given;

    len = tl_sip2_trim(msg, len);
    if (len < 2 || memchr(msg, '\0', len)) {
        return -1;
    }
    if (len < 11 || memcmp(msg + len - 6, "AZ", 2) != 0) {
        /* No checksum: error detection is off on that system. The
         * sequence number goes with it. */
        return 0;
    }
    if (tl_sip2_hex(msg + len - 4, &given) != 0 || tl_sip2_checksum(msg, len - 4) != given) {
        return -1;
    }
    if (memcmp(msg + len - 9, "AY", 2) != 0 || msg[len - 7] != (char)('0' + seq % 10)) {
        return -1;
    }
    return 0;
}

int tl_sip2_login_ok(const char *msg, size_t len)
{
    len = tl_sip2_trim(msg, len);
    if (len < 3 || memcmp(msg, "94", 2) != 0 || (msg[2] != '0' && msg[2] != '1')) {
        return -1;
    }
    return msg[2] == '1';
}

/* The value of a variable field (two letters, up to '|'), or NULL. */
static const char *tl_sip2_field(apr_pool_t *p, const char *fields, size_t len, const char *code)
{
    size_t i = 0;

    while (i + 2 <= len) {
        const char *bar = memchr(fields + i, '|', len - i);
        size_t end = bar ? (size_t)(bar - fields) : len;
        if (memcmp(fields + i, code, 2) == 0) {
            return apr_pstrmemdup(p, fields + i + 2, end - i - 2);
        }
        /* The error detection fields close the message, without '|'. */
        if (!bar) {
            break;
        }
        i = end + 1;
    }
    return NULL;
}

static int tl_sip2_yes_no(const char *v)
{
    if (!v || !*v) {
        return -1;
    }
    return v[0] == 'Y' || v[0] == 'y';
}

int tl_sip2_parse_patron(apr_pool_t *p, const char *msg, size_t len, tl_sip2_patron *out)
{
    /* "24", 14 flags, language (3), date (18), then the variable fields. */
    const size_t fixed = 2 + 14 + 3 + 18;
    size_t i, end;
    const char *ay;

    len = tl_sip2_trim(msg, len);
    if (len < fixed || memcmp(msg, "24", 2) != 0 || memchr(msg, '\0', len)) {
        return -1;
    }
    memset(out, 0, sizeof(*out));
    for (i = 0; i < 14; i++) {
        char c = msg[2 + i];
        if (c != 'Y' && c != ' ' && c != 'N') {
            return -1;
        }
        out->status[i] = c == 'Y' ? 'Y' : ' ';
    }
    out->status[14] = '\0';
    /* Leave out the error detection fields (AY…AZ…, at the end). */
    end = len;
    for (ay = msg + fixed; (ay = memchr(ay, 'A', (size_t)(msg + len - ay))) != NULL; ay++) {
        if (ay + 1 < msg + len && ay[1] == 'Y' && (ay == msg + fixed || ay[-1] == '|')
            && (size_t)(msg + len - ay) <= 9) {
            end = (size_t)(ay - msg);
            break;
        }
    }
    out->patron_id = tl_sip2_field(p, msg + fixed, end - fixed, "AA");
    out->name = tl_sip2_field(p, msg + fixed, end - fixed, "AE");
    out->screen = tl_sip2_field(p, msg + fixed, end - fixed, "AF");
    out->valid_patron = tl_sip2_yes_no(tl_sip2_field(p, msg + fixed, end - fixed, "BL"));
    out->valid_password = tl_sip2_yes_no(tl_sip2_field(p, msg + fixed, end - fixed, "CQ"));
    return out->patron_id ? 0 : -1;
}

int tl_sip2_blocked(const tl_sip2_patron *patron)
{
    return patron->status[TL_SIP2_CHARGE_DENIED] == 'Y' || patron->status[TL_SIP2_CARD_LOST] == 'Y';
}

static const char *tl_sip2_trimmed(apr_pool_t *p, const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) {
        n--;
    }
    return apr_pstrmemdup(p, s, n);
}

void tl_sip2_split_name(apr_pool_t *p, const char *name, const char **family, const char **given)
{
    const char *comma = strchr(name, ','), *t, *space;

    if (comma) {
        *family = tl_sip2_trimmed(p, name, (size_t)(comma - name));
        *given = tl_sip2_trimmed(p, comma + 1, strlen(comma + 1));
        return;
    }
    t = tl_sip2_trimmed(p, name, strlen(name));
    if ((space = strchr(t, ' ')) != NULL) {
        *given = apr_pstrmemdup(p, t, (size_t)(space - t));
        *family = tl_sip2_trimmed(p, space + 1, strlen(space + 1));
    }
    else {
        *family = t;
        *given = "";
    }
}
