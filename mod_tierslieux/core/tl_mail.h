/* tl_mail — an e-mail message (RFC 5322) from its parts, ready for
 * sendmail -t: the subject and the sender's name as RFC 2047 encoded-words
 * when they are not plain ASCII, the body as UTF-8 text in quoted-printable
 * (lines of 76 characters at most), Date, Message-ID, MIME headers and
 * Auto-Submitted: auto-generated (so vacation responders stay quiet).
 *
 * Header values come from the database; a CR or LF in any of them would
 * let a value add headers of its own, so such a message is refused. */
#ifndef TL_MAIL_H
#define TL_MAIL_H

#include <apr_pools.h>
#include <apr_time.h>

typedef struct {
    const char *from_name;      /* UTF-8 display name, or NULL */
    const char *from_addr;      /* addr-spec: local@domain, ASCII */
    const char *reply_to;       /* addr-spec, or NULL */
    const char *to;             /* addr-spec */
    const char *subject;        /* UTF-8, one line */
    const char *body;           /* UTF-8, lines ended by LF or CRLF */
    apr_time_t date;
    long gmtoff;                /* seconds east of UTC the Date is written in */
    const char *id_left;        /* left part of the Message-ID, unique (dot-atom) */
    const char *id_domain;      /* right part of the Message-ID */
} tl_mail;

/* Builds the message with eol ("\r\n" on the wire, "\n" for a local
 * sendmail) into *out (NUL-terminated, *len bytes, on p). Returns NULL, or
 * a short ASCII reason the message was refused (which names the field,
 * never its value). */
const char *tl_mail_build(apr_pool_t *p, const tl_mail *m, const char *eol, char **out, apr_size_t *len);

/* "Sun, 22 Nov 2026 18:05:09 +0100": RFC 5322's date, in English whatever
 * the locale, into buf of TL_MAIL_DATE_SIZE bytes. */
#define TL_MAIL_DATE_SIZE 64
void tl_mail_date(char buf[TL_MAIL_DATE_SIZE], apr_time_t t, long gmtoff);

/* 1 if s is an address tl_mail_build accepts (local@domain, printable
 * ASCII without spaces, quotes, angle brackets, commas or semicolons). */
int tl_mail_addr_ok(const char *s);

#endif
