/* Who may use the desk. Authentication is httpd's: this registers an authn
 * provider ("AuthFormProvider tierslieux", bcrypt hashes in tl.account,
 * checked once at login: the session then holds a token, tl_session.h) and
 * an authz provider
 * ("Require tierslieux-role benevole|referent|admin", roles nesting
 * admin > referent > benevole at any place; the per-place check is the
 * page's). Members of "Mon compte" log in through a second authn provider,
 * "tierslieux-adherent" (their card number and the bcrypt hash of the
 * password they set from a one-time link). */
#ifndef TL_AUTH_H
#define TL_AUTH_H

#include "tl_module.h"

/* Set in a request's notes when its authentication or authorisation could
 * not reach the database: its 500 is then answered by the module's page at
 * BASE/indisponible, a French 503. */
#define TL_AUTH_UNAVAILABLE_NOTE "tierslieux-indisponible"
/* Its value when the database is a hot standby: the page says read-only. */
#define TL_AUTH_READ_ONLY "lecture-seule"
/* A member's library card is blocked (lost, suspended, expired): 403. */
#define TL_AUTH_CARD_BLOCKED "carte-bloquee"
/* The library system gives no full name for the card: 403. */
#define TL_AUTH_CARD_NAMELESS "carte-sans-nom"
/* The library system did not answer in time: 503. */
#define TL_AUTH_LIBRARY_DOWN "mediatheque"

void tl_auth_register(apr_pool_t *p);

#endif
