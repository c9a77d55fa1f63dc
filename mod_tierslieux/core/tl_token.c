#include <string.h>
#include <apr_general.h>
#include <apr_md5.h>
#include <apr_strings.h>
#include <openssl/evp.h>
#include "tl_token.h"

static const char tl_b64url_abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void tl_token_encode(const unsigned char in[32], char out[TL_TOKEN_LEN + 1])
{
    size_t i, k = 0;

    for (i = 0; i + 2 < 32; i += 3) {
        unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
        out[k++] = tl_b64url_abc[v >> 18 & 63];
        out[k++] = tl_b64url_abc[v >> 12 & 63];
        out[k++] = tl_b64url_abc[v >> 6 & 63];
        out[k++] = tl_b64url_abc[v & 63];
    }
    {   /* 32 = 30 + 2: the last two bytes make three characters */
        unsigned v = (unsigned)in[30] << 16 | (unsigned)in[31] << 8;
        out[k++] = tl_b64url_abc[v >> 18 & 63];
        out[k++] = tl_b64url_abc[v >> 12 & 63];
        out[k++] = tl_b64url_abc[v >> 6 & 63];
    }
    out[k] = '\0';
}

static const char *tl_sha256_hex(apr_pool_t *p, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0, i;
    char *out;

    if (EVP_Digest(s, n, md, &md_len, EVP_sha256(), NULL) != 1 || md_len != 32) {
        return NULL;
    }
    out = apr_palloc(p, 65);
    for (i = 0; i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
    return out;
}

apr_status_t tl_token_make(apr_pool_t *p, const char **token, const char **sha256_hex)
{
    unsigned char raw[32];
    char *t = apr_palloc(p, TL_TOKEN_LEN + 1);
    apr_status_t rv = apr_generate_random_bytes(raw, sizeof(raw));

    if (rv != APR_SUCCESS) {
        return rv;
    }
    tl_token_encode(raw, t);
    memset(raw, 0, sizeof(raw));
    *token = t;
    *sha256_hex = tl_sha256_hex(p, t, TL_TOKEN_LEN);
    return *sha256_hex ? APR_SUCCESS : APR_EGENERAL;
}

const char *tl_token_sha256(apr_pool_t *p, const char *token)
{
    size_t i;

    if (!token || strlen(token) != TL_TOKEN_LEN) {
        return NULL;
    }
    for (i = 0; i < TL_TOKEN_LEN; i++) {
        if (!strchr(tl_b64url_abc, token[i])) {
            return NULL;
        }
    }
    return tl_sha256_hex(p, token, TL_TOKEN_LEN);
}

const char *tl_password_check(const char *password)
{
    size_t chars = 0;
    const unsigned char *c;

    for (c = (const unsigned char *)password; *c; c++) {
        chars += (*c & 0xC0) != 0x80;      /* UTF-8: count the first byte of each character */
    }
    if (chars < TL_PASSWORD_MIN_CHARS) {
        return "Le mot de passe doit compter au moins 12 caractères.";
    }
    if (strlen(password) > TL_PASSWORD_MAX_BYTES) {
        return "Le mot de passe est trop long : 72 caractères au plus (moins avec des lettres accentuées).";
    }
    return NULL;
}

const char *tl_password_hash(apr_pool_t *p, const char *password)
{
    unsigned char salt[16];
    char *out = apr_palloc(p, 64);

    if (apr_generate_random_bytes(salt, sizeof(salt)) != APR_SUCCESS
        || apr_bcrypt_encode(password, TL_BCRYPT_COST, salt, sizeof(salt), out, 64) != APR_SUCCESS) {
        return NULL;
    }
    return out;
}
