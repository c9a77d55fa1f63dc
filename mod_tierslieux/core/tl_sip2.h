/* tl_sip2 — the few messages of 3M's Standard Interchange Protocol 2 a
 * login needs: 93 (login of our terminal to the library system) and its
 * answer 94, 23 (patron status, with the card number and the PIN typed)
 * and its answer 24. Messages are built with error detection: the
 * sequence number (AY) and the checksum (AZ), four hex digits that make
 * the sum of every byte of the message come to zero (modulo 2^16).
 * Pure: no sockets here (glue/tl_library.c carries them over TLS). */
#ifndef TL_SIP2_H
#define TL_SIP2_H

#include <stddef.h>
#include <apr_pools.h>

/* The checksum of the len bytes of msg (up to and including "AZ"). */
unsigned tl_sip2_checksum(const char *msg, size_t len);

/* 93: "9300CN<user>|CO<password>|[CP<location>|]AY<seq>AZ<checksum>\r".
 * NULL when a value holds '|' or a control character (it would change
 * the message's fields). location may be NULL or "". */
const char *tl_sip2_login(apr_pool_t *p, const char *user, const char *password, const char *location, int seq);

/* 23 in French (language 002): date18 is the transaction date as SIP2
 * writes it, "YYYYMMDD    HHMMSS" (18 characters); NULL as above. */
const char *tl_sip2_patron_status(apr_pool_t *p, const char *institution, const char *patron, const char *terminal_pw,
                                  const char *pin, const char *date18, int seq);

/* 0 when msg (len bytes, a trailing "\r" or "\r\n" allowed) ends with a
 * checksum that is right and a sequence number equal to seq, or carries
 * none (a system with error detection off: TLS keeps the bytes intact);
 * -1 otherwise. */
int tl_sip2_verify(const char *msg, size_t len, int seq);

/* 94: 1 the library system accepted our login, 0 it refused, -1 not a 94. */
int tl_sip2_login_ok(const char *msg, size_t len);

typedef struct {
    char status[15];            /* the 14 flags, 'Y' or ' ' */
    int valid_patron;           /* BL: 1 Y, 0 N, -1 absent */
    int valid_password;         /* CQ: 1 Y, 0 N, -1 absent */
    const char *patron_id;      /* AA */
    const char *name;           /* AE, as the library writes it */
    const char *screen;         /* AF, or NULL */
} tl_sip2_patron;

/* Flags of the patron status field, by position. */
#define TL_SIP2_CHARGE_DENIED 0
#define TL_SIP2_CARD_LOST 4

/* 24: 0 and *out filled, -1 not a well-formed 24. */
int tl_sip2_parse_patron(apr_pool_t *p, const char *msg, size_t len, tl_sip2_patron *out);

/* The card may not borrow: charge privileges denied or card reported lost. */
int tl_sip2_blocked(const tl_sip2_patron *patron);

/* The personal name (AE) as family and given names: "Family, Given" as
 * most systems write it, else "Given Family" (the first word the given
 * name). A single word is a family name with no given name (""). */
void tl_sip2_split_name(apr_pool_t *p, const char *name, const char **family, const char **given);

#endif
