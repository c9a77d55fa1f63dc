/* tl_seal — authenticated encryption (AES-256-GCM) of short strings, for
 * the desk's session cookie. The key is derived once, at startup, from the
 * server secret: a request pays one AES pass, never a key derivation. */
#ifndef TL_SEAL_H
#define TL_SEAL_H

#include <stddef.h>
#include <apr_pools.h>

#define TL_SEAL_KEY_LEN 32

/* key = HMAC-SHA256(secret, purpose): one key per use of the secret. */
int tl_seal_key(const unsigned char *secret, size_t secret_len, const char *purpose, unsigned char *key);
/* base64url(IV | ciphertext | tag), or NULL on failure. */
const char *tl_seal(apr_pool_t *p, const unsigned char *key, const char *plain, size_t n);
/* The plain text (NUL-terminated, length in *n), or NULL if the sealed
 * string was forged, cut or sealed with another key. */
const char *tl_unseal(apr_pool_t *p, const unsigned char *key, const char *sealed, size_t *n);

#endif
