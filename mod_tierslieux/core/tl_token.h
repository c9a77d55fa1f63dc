/* tl_token — one-time links and passwords people choose. A link's token is
 * 32 random bytes in base64url (43 characters), shown once; only its
 * SHA-256 (hex) is stored. A password is kept as a bcrypt hash with a
 * random salt, as apr_password_validate reads it. */
#ifndef TL_TOKEN_H
#define TL_TOKEN_H

#include <apr_pools.h>

#define TL_TOKEN_LEN 43                 /* 32 bytes in base64url, no padding */
#define TL_PASSWORD_MIN_CHARS 12        /* the CNIL's advice for a password alone */
#define TL_PASSWORD_MAX_BYTES 72        /* bcrypt reads no further */
#define TL_BCRYPT_COST 11

/* A fresh token and its SHA-256 in hex; APR_SUCCESS, or the random
 * generator's error. */
apr_status_t tl_token_make(apr_pool_t *p, const char **token, const char **sha256_hex);

/* The SHA-256 of a token in hex, or NULL when it is not 43 base64url
 * characters (so nothing else ever reaches the database). */
const char *tl_token_sha256(apr_pool_t *p, const char *token);

/* Why a password cannot be chosen, in French, or NULL: at least 12
 * characters (letters with accents count as one), at most 72 bytes. */
const char *tl_password_check(const char *password);

/* The bcrypt hash of password ($2y$, TL_BCRYPT_COST), or NULL on failure. */
const char *tl_password_hash(apr_pool_t *p, const char *password);

#endif
