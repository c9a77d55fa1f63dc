/* Logging members in with their library card (issue 18, point 4): the
 * card number and PIN are checked by the place's library system (SIGB),
 * through one of two drivers:
 *   - koha: Koha's REST API over HTTPS, POST .../auth/password/validation
 *     then GET .../patrons/{patron_id} (the API user's login and password
 *     in Basic authentication);
 *   - sip2: a SIP2 server over TLS, login 93/94 then patron status 23/24.
 * One connection per login, a deadline for the whole exchange, no retry;
 * after a failure the system is left alone for a pause (shared by every
 * process of the server: a circuit breaker), and every login in the
 * meantime is answered at once that the library is unavailable. The PIN
 * and the card number are never logged. */
#ifndef TL_LIBRARY_H
#define TL_LIBRARY_H

#include "tl_module.h"
#include "tl_config.h"

#define TL_LIBRARY_TIMEOUT_DEFAULT apr_time_from_sec(3)
#define TL_LIBRARY_PAUSE_DEFAULT apr_time_from_sec(30)

typedef enum {
    TL_LIBRARY_OK,              /* the card and the PIN are right, the card may borrow */
    TL_LIBRARY_DENIED,          /* unknown card or wrong PIN: the same answer */
    TL_LIBRARY_BLOCKED,         /* right, but the card is blocked, lost or expired */
    TL_LIBRARY_DOWN             /* no answer in time, or not one we understand */
} tl_library_outcome;

typedef struct {
    tl_library_outcome outcome;
    const char *family;         /* as the library system gives them (OK only) */
    const char *given;
} tl_library_result;

/* Directive parsers (tl_config.c): NULL or the error message. */
const char *tl_library_parse_target(apr_pool_t *p, const char *driver, const char *where,
                                    const tl_library_target **out);
const char *tl_library_read_credentials(apr_pool_t *p, apr_pool_t *ptemp, const char *file,
                                        const tl_library_secret **out);

/* From post_config: the circuits shared by the server's processes. */
apr_status_t tl_library_init(apr_pool_t *pconf);

/* The card number as the library system and our database keep it:
 * trimmed, upper case; NULL when it cannot be one (1 to 32 letters,
 * digits or dashes), so nothing else is ever sent. */
const char *tl_library_card(apr_pool_t *p, const char *typed);

/* Asks the library system of r's configuration about card and pin. */
tl_library_result tl_library_check(request_rec *r, const char *card, const char *pin);

/* Whether r's configuration logs members in with a library card. */
int tl_library_configured(const tl_dir_conf *dc);

#endif
