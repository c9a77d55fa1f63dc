/* tl_csrf — tokens that prove a form came from our own page, without a
 * server-side session (sites on LDAP, CAS or OpenID Connect have none).
 *
 * A token is "EXPIRY.MAC": EXPIRY in Unix seconds, MAC the base64url
 * HMAC-SHA256, under a server secret, of the subject (the logged-in user),
 * the form's name and EXPIRY. Checking recomputes the MAC and compares it in
 * constant time. */
#ifndef TL_CSRF_H
#define TL_CSRF_H

#include <stddef.h>
#include <apr_pools.h>
#include <apr_time.h>

#define TL_CSRF_SECRET_MIN 32           /* bytes */

const char *tl_csrf_make(apr_pool_t *p, const unsigned char *secret, size_t secret_len,
                         const char *subject, const char *form, apr_time_t now, int lifetime_s);

typedef enum { TL_CSRF_OK, TL_CSRF_MISSING, TL_CSRF_BAD, TL_CSRF_EXPIRED } tl_csrf_status;

tl_csrf_status tl_csrf_check(const unsigned char *secret, size_t secret_len, const char *subject,
                             const char *form, const char *token, apr_time_t now);

#endif
