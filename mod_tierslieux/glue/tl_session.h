/* The desk's session cookie, sealed by the module (TiersLieuxSessionSeal
 * On) instead of mod_session_crypto, which derives its key from the
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

/* Logs the person out: clears the login mod_auth_form keeps in this
 * request's session, so the cookie goes back empty. Returns 0 when there
 * is no mod_session session to end. */
int tl_session_end(request_rec *r);

#endif
