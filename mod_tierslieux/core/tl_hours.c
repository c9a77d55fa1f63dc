/*
 * tl_hours: a strict parser for a subset of the OpenStreetMap
 * `opening_hours` syntax.
 *
 * Understood:
 *   24/7
 *   Mo-Fr 09:00-12:00,14:00-18:30; Sa 10:00-17:00; Su off; PH off
 *   day lists and ranges, wrapping ranges (Sa-Mo), rules without days
 *   (10:00-18:00 = every day), days without hours (Sa = all day, as in OSM),
 *   "off"/"closed", "PH off"/"PH closed".
 * A later rule replaces the hours of the days it names, as in OSM.
 *
 * Everything else (months, weeks, school holidays, comments, "||",
 * sunrise, hours past midnight...) is refused with a message naming it and
 * its 1-based byte position: the text comes from a form, and hours we
 * misread would send people to a closed door.
 *
 * The input is untrusted bytes: every read is bounded by len, and only
 * ASCII that we checked, or text of our own, is ever quoted back in a
 * message.
 */
#include "tl_hours.h"
#include "tl_utf8.h"

#include <stdio.h>
#include <string.h>

#define TL_DAY_MINUTES 1440
#define TL_ALL_DAYS 0x7f

#define TL_STR2(x) #x
#define TL_STR(x) TL_STR2(x)

/* Longest piece of input quoted back in a message, in bytes. */
#define TL_QUOTE_MAX 24

/*
 * Spans of one rule, kept sorted and merged as they are read. Merged spans
 * are at least one minute long and one minute apart, so a day holds at most
 * 720 of them: with this capacity no input, however long, can overflow,
 * and the "more than TL_HOURS_MAX_SPANS" check sees the true merged count.
 */
#define TL_RULE_CAP (TL_DAY_MINUTES / 2 + 1)

typedef struct {
    int n;
    tl_hours_span sp[TL_RULE_CAP];
} tl_rule_spans;

typedef struct {
    const char *s;
    size_t len;
    size_t pos;
    char *err;
    size_t errlen;
    tl_hours h;
} tl_hours_parser;

static const char *const tl_day_codes[7] = {
    "Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"
};

/* For hints in messages. */
static const char *const tl_day_codes_quoted[7] = {
    "« Mo »", "« Tu »", "« We »", "« Th »", "« Fr »", "« Sa »", "« Su »"
};

static const char *const tl_day_names[7] = {
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"
};

/* Only for hints: what a référent may type instead of the OSM code. */
static const char *const tl_day_english[7] = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
    "sunday"
};

static const char *const tl_months[12] = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun",
    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

/* ---- characters (no <ctype.h>: its answers depend on the locale) ------- */

static int tl_is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int tl_is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int tl_is_space(int c)
{
    /* Newlines too: the field is edited in a textarea. */
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int tl_lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

/* ---- reading ------------------------------------------------------------ */

static int tl_peek_at(const tl_hours_parser *p, size_t at)
{
    return at < p->len ? (unsigned char)p->s[at] : -1;
}

static int tl_peek(const tl_hours_parser *p)
{
    return tl_peek_at(p, p->pos);
}

static void tl_skip_ws(tl_hours_parser *p)
{
    while (p->pos < p->len && tl_is_space((unsigned char)p->s[p->pos])) {
        p->pos++;
    }
}

/* Length of the run of ASCII letters at pos. */
static size_t tl_word_len(const tl_hours_parser *p, size_t at)
{
    size_t n = 0;

    while (at + n < p->len && tl_is_alpha((unsigned char)p->s[at + n])) {
        n++;
    }
    return n;
}

static int tl_word_is(const char *w, size_t n, const char *lit)
{
    return strlen(lit) == n && memcmp(w, lit, n) == 0;
}

static int tl_word_is_nocase(const char *w, size_t n, const char *lit)
{
    size_t i;

    if (strlen(lit) != n) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        if (tl_lower((unsigned char)w[i]) != tl_lower((unsigned char)lit[i])) {
            return 0;
        }
    }
    return 1;
}

static int tl_day_index(const char *w, size_t n)
{
    int d;

    for (d = 0; d < 7; d++) {
        if (tl_word_is(w, n, tl_day_codes[d])) {
            return d;
        }
    }
    return -1;
}

/* The OSM code, quoted, that a misspelt day most likely meant ("mo", "Mon",
 * "Monday", "lundi"), or NULL. */
static const char *tl_day_hint(const char *w, size_t n)
{
    int d;
    size_t i;

    for (d = 0; d < 7; d++) {
        if (tl_word_is_nocase(w, n, tl_day_codes[d])
            || tl_word_is_nocase(w, n, tl_day_names[d])) {
            return tl_day_codes_quoted[d];
        }
        if (n >= 3 && n <= strlen(tl_day_english[d])) {
            for (i = 0; i < n; i++) {
                if (tl_lower((unsigned char)w[i]) != tl_day_english[d][i]) {
                    break;
                }
            }
            if (i == n) {
                return tl_day_codes_quoted[d];
            }
        }
    }
    return NULL;
}

/* ---- errors ------------------------------------------------------------- */

/* snprintf cuts bytes, not characters: drop a UTF-8 sequence left
 * incomplete at the end so the message stays valid UTF-8. */
static void tl_trim_utf8(char *buf)
{
    size_t n = strlen(buf);
    size_t start = n;
    size_t need;
    unsigned char lead;

    while (start > 0 && ((unsigned char)buf[start - 1] & 0xC0) == 0x80) {
        start--;
    }
    if (start == 0) {
        if (n > 0) {
            buf[0] = '\0';
        }
        return;
    }
    lead = (unsigned char)buf[start - 1];
    if (lead < 0xC0) {
        return;
    }
    need = tl_utf8_lead_len(lead);
    if (n - (start - 1) < need) {
        buf[start - 1] = '\0';
    }
}

/* Writes "horaires : <pre>« <quoted> »<post1><post2> (position N)" and
 * returns -1, so callers can "return tl_fail(...)". at is 0-based. */
static int tl_fail(tl_hours_parser *p, size_t at, const char *pre,
                   const char *quoted, const char *post1, const char *post2)
{
    int n;

    if (p->err == NULL || p->errlen == 0) {
        return -1;
    }
    n = snprintf(p->err, p->errlen, "horaires : %s%s%s%s%s%s (position %zu)",
                 pre, quoted ? "« " : "", quoted ? quoted : "",
                 quoted ? " »" : "", post1, post2, at + 1);
    if (n < 0) {
        p->err[0] = '\0';
    }
    else if ((size_t)n >= p->errlen) {
        tl_trim_utf8(p->err);
    }
    return -1;
}

/* Copies up to TL_QUOTE_MAX bytes of input at `at` into q for quoting:
 * letters only when the input starts with a letter, else printable ASCII
 * up to a separator. Never copies anything but printable ASCII, so q is
 * empty when the culprit is a control or non-ASCII byte. */
static void tl_excerpt(const tl_hours_parser *p, size_t at, char *q,
                       size_t qlen)
{
    size_t n = 0;
    int c = tl_peek_at(p, at);
    int letters = tl_is_alpha(c);

    while (n + 1 < qlen && n < TL_QUOTE_MAX) {
        c = tl_peek_at(p, at + n);
        if (c < 0x21 || c > 0x7e) {
            break;
        }
        /* A separator is quoted only when it is the culprit itself. */
        if (n > 0 && (c == ';' || c == ',' || c == '-')) {
            break;
        }
        if (letters && !tl_is_alpha(c)) {
            break;
        }
        q[n++] = (char)c;
    }
    q[n] = '\0';
}

/* The input holds a word where a day, or nothing, was expected; refuses the
 * OSM features we know we do not support by name. Returns -1 with the
 * message written, or 0 when the word is not one of those. */
static int tl_fail_keyword(tl_hours_parser *p, size_t at)
{
    const char *w = p->s + at;
    size_t n = tl_word_len(p, at);
    char q[TL_QUOTE_MAX + 1];
    int i;

    tl_excerpt(p, at, q, sizeof(q));
    for (i = 0; i < 12; i++) {
        if (tl_word_is(w, n, tl_months[i])) {
            return tl_fail(p, at, "", q, " n'est pas un jour de la semaine, ",
                           "les mois ne sont pas pris en charge");
        }
    }
    if (tl_word_is(w, n, "week")) {
        return tl_fail(p, at, "", q, " : les numéros de semaine ",
                       "ne sont pas pris en charge");
    }
    if (tl_word_is(w, n, "SH")) {
        return tl_fail(p, at, "", q, " : les vacances scolaires ",
                       "ne sont pas prises en charge");
    }
    if (tl_word_is(w, n, "sunrise") || tl_word_is(w, n, "sunset")
        || tl_word_is(w, n, "dawn") || tl_word_is(w, n, "dusk")) {
        return tl_fail(p, at, "", q, " : les heures solaires ",
                       "ne sont pas prises en charge");
    }
    if (tl_word_is(w, n, "easter")) {
        return tl_fail(p, at, "", q, " : les dates ",
                       "ne sont pas prises en charge");
    }
    if (tl_word_is(w, n, "open") || tl_word_is(w, n, "unknown")) {
        return tl_fail(p, at, "", q, " non pris en charge, ",
                       "indiquez des horaires ou « off »");
    }
    if (tl_word_is(w, n, "PH")) {
        return tl_fail(p, at, "", q, " non pris en charge ",
                       "sauf dans une règle « PH off » à part");
    }
    return 0;
}

/* Something unexpected at `at`; `expected` says what would have been
 * right, e.g. "une heure HH:MM est attendue". */
static int tl_fail_unexpected(tl_hours_parser *p, size_t at,
                              const char *expected)
{
    char q[TL_QUOTE_MAX + 1];
    int c = tl_peek_at(p, at);

    if (c < 0) {
        return tl_fail(p, at, "fin inattendue, ", NULL, expected, "");
    }
    if (tl_is_alpha(c) && tl_fail_keyword(p, at) < 0) {
        return -1;
    }
    if (c == '"') {
        return tl_fail(p, at, "les commentaires entre guillemets ", NULL,
                       "ne sont pas pris en charge", "");
    }
    if (c == '|' && tl_peek_at(p, at + 1) == '|') {
        return tl_fail(p, at, "", "||", " : les règles de repli ",
                       "ne sont pas prises en charge");
    }
    if (c == 0xE2 && tl_peek_at(p, at + 1) == 0x80
        && (tl_peek_at(p, at + 2) == 0x93 || tl_peek_at(p, at + 2) == 0x94)) {
        return tl_fail(p, at, "tiret long inattendu, ", NULL,
                       "utilisez le tiret simple « - »", "");
    }
    if (c >= 0x80) {
        return tl_fail(p, at, "caractère non ASCII inattendu, ", NULL,
                       expected, "");
    }
    if (c < 0x20 || c == 0x7f) {
        return tl_fail(p, at, "caractère de contrôle inattendu, ", NULL,
                       expected, "");
    }
    tl_excerpt(p, at, q, sizeof(q));
    return tl_fail(p, at, "", q, " inattendu, ", expected);
}

/* A word stands where a day of the week was expected. */
static int tl_fail_not_a_day(tl_hours_parser *p, size_t at)
{
    char q[TL_QUOTE_MAX + 1];
    const char *hint;
    size_t n = tl_word_len(p, at);

    if (n == 0) {
        return tl_fail_unexpected(p, at, "un jour de la semaine est attendu");
    }
    if (tl_fail_keyword(p, at) < 0) {
        return -1;
    }
    tl_excerpt(p, at, q, sizeof(q));
    hint = tl_day_hint(p->s + at, n);
    if (hint != NULL) {
        return tl_fail(p, at, "", q, " n'est pas un jour de la semaine, écrivez ",
                       hint);
    }
    return tl_fail(p, at, "", q, " n'est pas un jour de la semaine", "");
}

/* ---- the weekly table ------------------------------------------------- */

/* Adds [open, close) to the sorted, merged spans of a rule. Spans that
 * overlap or touch are merged: "10:00-12:00,12:00-14:00" is one span for
 * the reader. */
static int tl_rule_add(tl_rule_spans *r, unsigned short open,
                       unsigned short close)
{
    int i = 0, j, k;

    while (i < r->n && r->sp[i].close < open) {
        i++;
    }
    j = i;
    while (j < r->n && r->sp[j].open <= close) {
        if (r->sp[j].open < open) {
            open = r->sp[j].open;
        }
        if (r->sp[j].close > close) {
            close = r->sp[j].close;
        }
        j++;
    }
    if (j == i) {
        if (r->n >= TL_RULE_CAP) {
            return -1;
        }
        memmove(&r->sp[i + 1], &r->sp[i],
                (size_t)(r->n - i) * sizeof(r->sp[0]));
        r->n++;
    }
    else if (j > i + 1) {
        for (k = j; k < r->n; k++) {
            r->sp[i + 1 + (k - j)] = r->sp[k];
        }
        r->n -= j - i - 1;
    }
    r->sp[i].open = open;
    r->sp[i].close = close;
    return 0;
}

static void tl_apply(tl_hours *h, unsigned mask, const tl_rule_spans *r)
{
    int d, i;

    for (d = 0; d < 7; d++) {
        if (!(mask & (1u << d))) {
            continue;
        }
        h->nspans[d] = r->n;
        for (i = 0; i < r->n; i++) {
            h->spans[d][i] = r->sp[i];
        }
    }
}

static void tl_apply_full_day(tl_hours *h, unsigned mask)
{
    int d;

    for (d = 0; d < 7; d++) {
        if (mask & (1u << d)) {
            h->nspans[d] = 1;
            h->spans[d][0].open = 0;
            h->spans[d][0].close = TL_DAY_MINUTES;
        }
    }
}

static void tl_apply_closed(tl_hours *h, unsigned mask)
{
    int d;

    for (d = 0; d < 7; d++) {
        if (mask & (1u << d)) {
            h->nspans[d] = 0;
        }
    }
}

/* ---- grammar ------------------------------------------------------------ */

/* After a rule: only blanks, then ';' or the end. */
static int tl_rule_end(tl_hours_parser *p, const char *expected)
{
    int c;

    tl_skip_ws(p);
    c = tl_peek(p);
    if (c < 0 || c == ';') {
        return 0;
    }
    if (tl_is_alpha(c) && tl_day_index(p->s + p->pos,
                                       tl_word_len(p, p->pos)) >= 0) {
        return tl_fail_unexpected(p, p->pos,
                                  "séparez les règles par « ; »");
    }
    return tl_fail_unexpected(p, p->pos, expected);
}

/* HH:MM, two digits each, 00:00..24:00; 24:00 only when closing. */
static int tl_parse_time(tl_hours_parser *p, int closing,
                         unsigned short *minutes)
{
    size_t at = p->pos;
    char q[TL_QUOTE_MAX + 1];
    int hh, mm;

    if (!tl_is_digit(tl_peek_at(p, at))) {
        return tl_fail_unexpected(p, at, "une heure HH:MM est attendue");
    }
    if (!tl_is_digit(tl_peek_at(p, at + 1)) || tl_peek_at(p, at + 2) != ':'
        || !tl_is_digit(tl_peek_at(p, at + 3))
        || !tl_is_digit(tl_peek_at(p, at + 4))
        || tl_is_digit(tl_peek_at(p, at + 5))) {
        tl_excerpt(p, at, q, sizeof(q));
        return tl_fail(p, at, "heure ", q, " mal formée, ",
                       "attendu HH:MM (par exemple 09:30)");
    }
    hh = (p->s[at] - '0') * 10 + (p->s[at + 1] - '0');
    mm = (p->s[at + 3] - '0') * 10 + (p->s[at + 4] - '0');
    /* Five bytes we just checked: digits and a colon. */
    memcpy(q, p->s + at, 5);
    q[5] = '\0';
    if (hh > 24 || mm > 59 || (hh == 24 && mm != 0)) {
        return tl_fail(p, at, "heure ", q, " hors limites ",
                       "(de 00:00 à 24:00)");
    }
    if (hh == 24 && !closing) {
        return tl_fail(p, at, "", q,
                       " ne peut être qu'une heure de fermeture", "");
    }
    *minutes = (unsigned short)(hh * 60 + mm);
    p->pos = at + 5;
    return 0;
}

static void tl_format_hhmm(char *q, size_t qlen, unsigned short open,
                           unsigned short close)
{
    snprintf(q, qlen, "%02u:%02u-%02u:%02u", (unsigned)(open / 60),
             (unsigned)(open % 60), (unsigned)(close / 60),
             (unsigned)(close % 60));
}

/* One or more "HH:MM-HH:MM" separated by commas, applied to mask. */
static int tl_parse_times(tl_hours_parser *p, unsigned mask)
{
    tl_rule_spans r;
    size_t list_at = p->pos, span_at;
    unsigned short open = 0, close = 0;
    char q[32];
    int c;

    r.n = 0;
    for (;;) {
        span_at = p->pos;
        if (tl_parse_time(p, 0, &open) < 0) {
            return -1;
        }
        tl_skip_ws(p);
        c = tl_peek(p);
        if (c == '+') {
            return tl_fail(p, p->pos, "", "+", " : les heures de fermeture ",
                           "ouvertes ne sont pas prises en charge");
        }
        if (c != '-') {
            return tl_fail_unexpected(p, p->pos,
                                      "« - » est attendu entre deux heures");
        }
        p->pos++;
        tl_skip_ws(p);
        if (tl_parse_time(p, 1, &close) < 0) {
            return -1;
        }
        c = tl_peek(p);
        if (c == '+') {
            return tl_fail(p, p->pos, "", "+", " : les heures de fermeture ",
                           "ouvertes ne sont pas prises en charge");
        }
        if (c == '/') {
            return tl_fail(p, p->pos, "", "/", " : les intervalles répétés ",
                           "ne sont pas pris en charge");
        }
        tl_format_hhmm(q, sizeof(q), open, close);
        if (close == open) {
            return tl_fail(p, span_at, "la plage ", q, " est vide", "");
        }
        if (close == 0) {
            return tl_fail(p, span_at, "la plage ", q,
                           " se termine à minuit, ", "écrivez 24:00");
        }
        if (close < open) {
            return tl_fail(p, span_at, "la plage ", q,
                           " passe minuit, non pris en charge : ",
                           "arrêtez-la à 24:00 et reprenez le jour suivant");
        }
        if (tl_rule_add(&r, open, close) < 0) {
            /* Unreachable (see TL_RULE_CAP), kept so a mistake in that
             * reasoning fails safe. */
            return tl_fail(p, list_at, "trop de plages horaires", NULL, "",
                           "");
        }
        tl_skip_ws(p);
        if (tl_peek(p) != ',') {
            break;
        }
        p->pos++;
        tl_skip_ws(p);
        c = tl_peek(p);
        if (tl_is_alpha(c)
            && tl_day_index(p->s + p->pos, tl_word_len(p, p->pos)) >= 0) {
            tl_excerpt(p, p->pos, q, sizeof(q));
            return tl_fail(p, p->pos, "", q,
                           " : les règles séparées par « , » ne sont pas ",
                           "prises en charge, séparez-les par « ; »");
        }
    }
    if (r.n > TL_HOURS_MAX_SPANS) {
        return tl_fail(p, list_at,
                       "plus de " TL_STR(TL_HOURS_MAX_SPANS)
                       " plages horaires dans une journée, ", NULL,
                       "non pris en charge", "");
    }
    if (tl_rule_end(p, "séparez les plages par « , » "
                    "et les règles par « ; »") < 0) {
        return -1;
    }
    tl_apply(&p->h, mask, &r);
    return 0;
}

/* What follows the days: hours, "off"/"closed", or nothing (all day). */
static int tl_parse_body(tl_hours_parser *p, unsigned mask)
{
    size_t n;
    int c;

    tl_skip_ws(p);
    c = tl_peek(p);
    if (c < 0 || c == ';') {
        /* OSM: days without hours are open all day. */
        tl_apply_full_day(&p->h, mask);
        return 0;
    }
    if (tl_is_digit(c)) {
        return tl_parse_times(p, mask);
    }
    if (c == ':') {
        return tl_fail(p, p->pos, "", ":", " inattendu après les jours, ",
                       "retirez-le");
    }
    n = tl_word_len(p, p->pos);
    if (tl_word_is(p->s + p->pos, n, "off")
        || tl_word_is(p->s + p->pos, n, "closed")) {
        p->pos += n;
        if (tl_rule_end(p, "rien n'est attendu après « off »") < 0) {
            return -1;
        }
        tl_apply_closed(&p->h, mask);
        return 0;
    }
    if (n > 0 && tl_day_index(p->s + p->pos, n) >= 0) {
        return tl_fail_unexpected(p, p->pos,
                                  "séparez les jours par « , » ou « - »");
    }
    return tl_fail_unexpected(p, p->pos,
                              "des horaires HH:MM-HH:MM ou « off » sont "
                              "attendus");
}

/* Reads one day code at pos, or fails naming what is there instead. */
static int tl_parse_day(tl_hours_parser *p, int *day)
{
    size_t n = tl_word_len(p, p->pos);
    int d = tl_day_index(p->s + p->pos, n);

    if (d < 0) {
        if (tl_word_is(p->s + p->pos, n, "PH")) {
            return tl_fail(p, p->pos, "", "PH", " combiné à des jours non ",
                           "pris en charge, écrivez « PH off » à part");
        }
        return tl_fail_not_a_day(p, p->pos);
    }
    p->pos += n;
    *day = d;
    return 0;
}

/* Mo | Mo-Fr | Sa-Mo, separated by commas. */
static int tl_parse_selector(tl_hours_parser *p, unsigned *mask)
{
    int from = 0, to = 0, d;

    *mask = 0;
    for (;;) {
        if (tl_parse_day(p, &from) < 0) {
            return -1;
        }
        if (tl_peek(p) == '[') {
            return tl_fail(p, p->pos, "", "[", " : les jours numérotés du mois ",
                           "ne sont pas pris en charge");
        }
        tl_skip_ws(p);
        to = from;
        if (tl_peek(p) == '-') {
            p->pos++;
            tl_skip_ws(p);
            if (tl_parse_day(p, &to) < 0) {
                return -1;
            }
            tl_skip_ws(p);
        }
        /* Sa-Mo wraps over the week-end. */
        for (d = from;; d = (d + 1) % 7) {
            *mask |= 1u << d;
            if (d == to) {
                break;
            }
        }
        if (tl_peek(p) != ',') {
            return 0;
        }
        p->pos++;
        tl_skip_ws(p);
    }
}

/* "PH off" or "PH closed"; pos is on "PH". */
static int tl_parse_ph(tl_hours_parser *p)
{
    size_t at = p->pos, n;

    p->pos += 2;
    tl_skip_ws(p);
    n = tl_word_len(p, p->pos);
    if (tl_word_is(p->s + p->pos, n, "off")
        || tl_word_is(p->s + p->pos, n, "closed")) {
        p->pos += n;
        if (tl_rule_end(p, "rien n'est attendu après « PH off »") < 0) {
            return -1;
        }
        p->h.public_holidays_closed = 1;
        return 0;
    }
    return tl_fail(p, at, "", "PH", " non pris en charge ",
                   "sauf dans « PH off » ou « PH closed »");
}

static int tl_parse_rule(tl_hours_parser *p)
{
    unsigned mask;
    size_t n;
    int c = tl_peek(p);

    if (c == ';') {
        return tl_fail(p, p->pos, "règle vide avant ", ";", "", "");
    }
    if (c == '2' && p->len - p->pos >= 4
        && memcmp(p->s + p->pos, "24/7", 4) == 0) {
        p->pos += 4;
        if (tl_rule_end(p, "« 24/7 » doit être seul dans sa règle") < 0) {
            return -1;
        }
        tl_apply_full_day(&p->h, TL_ALL_DAYS);
        return 0;
    }
    if (tl_is_digit(c)) {
        /* No days: every day. */
        return tl_parse_times(p, TL_ALL_DAYS);
    }
    n = tl_word_len(p, p->pos);
    if (tl_word_is(p->s + p->pos, n, "PH")) {
        return tl_parse_ph(p);
    }
    if (tl_word_is(p->s + p->pos, n, "off")
        || tl_word_is(p->s + p->pos, n, "closed")) {
        return tl_parse_body(p, TL_ALL_DAYS);
    }
    if (n > 0) {
        if (tl_parse_selector(p, &mask) < 0) {
            return -1;
        }
        return tl_parse_body(p, mask);
    }
    return tl_fail_unexpected(p, p->pos,
                              "un jour de la semaine ou une heure est attendu");
}

static int tl_parse_all(tl_hours_parser *p)
{
    size_t semi;

    tl_skip_ws(p);
    if (p->pos >= p->len) {
        return 0;
    }
    for (;;) {
        if (tl_parse_rule(p) < 0) {
            return -1;
        }
        /* Each rule stops on ';' or at the end. */
        if (p->pos >= p->len) {
            return 0;
        }
        if (p->s[p->pos] != ';') {
            return tl_fail_unexpected(p, p->pos,
                                      "séparez les règles par « ; »");
        }
        semi = p->pos++;
        tl_skip_ws(p);
        if (p->pos >= p->len) {
            return tl_fail(p, semi, "rien ne suit le dernier ", ";",
                           ", retirez-le", "");
        }
    }
}

int tl_hours_parse(const char *s, size_t len, tl_hours *out, char *err,
                   size_t errlen)
{
    tl_hours_parser p;
    int d, full;

    if (err != NULL && errlen > 0) {
        err[0] = '\0';
    }
    memset(&p, 0, sizeof(p));
    p.s = s;
    p.len = s != NULL ? len : 0;
    p.err = err;
    p.errlen = err != NULL ? errlen : 0;
    if (out == NULL) {
        return tl_fail(&p, 0, "erreur interne (aucun résultat)", NULL, "", "");
    }
    memset(out, 0, sizeof(*out));
    if (s == NULL && len > 0) {
        return tl_fail(&p, 0, "erreur interne (texte absent)", NULL, "", "");
    }
    if (tl_parse_all(&p) < 0) {
        return -1;
    }
    full = 1;
    for (d = 0; d < 7; d++) {
        if (p.h.nspans[d] != 1 || p.h.spans[d][0].open != 0
            || p.h.spans[d][0].close != TL_DAY_MINUTES) {
            full = 0;
        }
    }
    p.h.always_open = full;
    *out = p.h;
    return 0;
}

/* ---- questions and formatting ----------------------------------------- */

int tl_hours_is_open(const tl_hours *h, int weekday, int minute)
{
    int i, n;

    if (h == NULL || weekday < 0 || weekday > 6 || minute < 0
        || minute >= TL_DAY_MINUTES) {
        return 0;
    }
    n = h->nspans[weekday];
    if (n < 0 || n > TL_HOURS_MAX_SPANS) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        if (minute >= h->spans[weekday][i].open
            && minute < h->spans[weekday][i].close) {
            return 1;
        }
    }
    return 0;
}

int tl_hours_is_empty(const tl_hours *h)
{
    int d;

    if (h == NULL) {
        return 1;
    }
    for (d = 0; d < 7; d++) {
        if (h->nspans[d] > 0) {
            return 0;
        }
    }
    return 1;
}

const char *tl_hours_day_name(int weekday)
{
    return (weekday >= 0 && weekday <= 6) ? tl_day_names[weekday] : NULL;
}

typedef struct {
    char *buf;
    size_t size;
    size_t len;
    int overflow;
} tl_out;

static void tl_out_str(tl_out *o, const char *str)
{
    size_t n = strlen(str);

    if (o->overflow || n >= o->size - o->len) {
        o->overflow = 1;
        return;
    }
    memcpy(o->buf + o->len, str, n + 1);
    o->len += n;
}

/* "9 h", "12 h 30", "0 h", "24 h". */
static void tl_out_time(tl_out *o, unsigned minutes)
{
    char t[16];

    if (minutes % 60 == 0) {
        snprintf(t, sizeof(t), "%u h", minutes / 60);
    }
    else {
        snprintf(t, sizeof(t), "%u h %02u", minutes / 60, minutes % 60);
    }
    tl_out_str(o, t);
}

int tl_hours_format_day(const tl_hours *h, int weekday, char *buf,
                        size_t buflen)
{
    tl_out o;
    int i, n;

    if (buf == NULL || buflen == 0) {
        return -1;
    }
    buf[0] = '\0';
    if (h == NULL || weekday < 0 || weekday > 6) {
        return -1;
    }
    n = h->nspans[weekday];
    if (n < 0 || n > TL_HOURS_MAX_SPANS) {
        return -1;
    }
    o.buf = buf;
    o.size = buflen;
    o.len = 0;
    o.overflow = 0;
    if (n == 0) {
        tl_out_str(&o, "fermé");
    }
    else if (n == 1 && h->spans[weekday][0].open == 0
             && h->spans[weekday][0].close >= TL_DAY_MINUTES) {
        tl_out_str(&o, "ouvert 24 h sur 24");
    }
    else {
        for (i = 0; i < n; i++) {
            if (i > 0) {
                tl_out_str(&o, ", ");
            }
            tl_out_time(&o, h->spans[weekday][i].open);
            tl_out_str(&o, " – ");
            tl_out_time(&o, h->spans[weekday][i].close);
        }
    }
    if (o.overflow) {
        buf[0] = '\0';
        return -1;
    }
    return (int)o.len;
}
