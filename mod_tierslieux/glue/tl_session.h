/* The session cookies of the desk and of "Mon compte", kept by the module
 * (TiersLieuxSessionSeal On): they name a server-side session and hold no
 * password, and are sealed instead of by mod_session_crypto, which derives its key from the
 * passphrase again on every request (PBKDF2: about 8 ms a request here).
 * The key is derived once at startup from TiersLieuxSecretFile, so every
 * node of a cluster opens the others' cookies. Plugs into mod_session's
 * encode and decode hooks; mod_session must be loaded before this module. */
#ifndef TL_SESSION_H
#define TL_SESSION_H

#include "tl_module.h"

/* From register_hooks: returns 0 when mod_session is not loaded (yet). */
int tl_session_register(void);
int tl_session_available(void);

/* With the seal on, the session holds a token, never the password (sql/logic/members_accounts.sql).
 * tl_session_token_hash: the SHA-256 of the token the request's session
 * holds when password is that token, else NULL (a password typed at
 * login). tl_session_accepted: the authn provider accepted user's password
 * (kind "compte" or "adherent"): the session being saved gets a new token. */
const char *tl_session_token_hash(request_rec *r, const char *password);
void tl_session_accepted(request_rec *r, const char *kind, const char *user);
/* The same, for a session the database knows under another login than
 * the one typed (a library card: "#place:CARD", tl_auth.c). */
void tl_session_accepted_as(request_rec *r, const char *kind, const char *user, const char *login);

/* Logs the person out: clears the login mod_auth_form keeps in this
 * request's session, so the cookie goes back empty. Returns 0 when there
 * is no mod_session session to end. */
int tl_session_end(request_rec *r);

#endif
