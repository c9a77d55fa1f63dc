#include <string.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include "tl_seal.h"

#define TL_IV_LEN 12
#define TL_TAG_LEN 16
#define TL_SEAL_MAX 8192

static const char tl_b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static char *tl_b64_encode(apr_pool_t *p, const unsigned char *in, size_t n)
{
    char *out = apr_palloc(p, (n + 2) / 3 * 4 + 1), *o = out;
    size_t i;

    for (i = 0; i < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) | (i + 2 < n ? in[i + 2] : 0);
        *o++ = tl_b64[v >> 18 & 63];
        *o++ = tl_b64[v >> 12 & 63];
        if (i + 1 < n) *o++ = tl_b64[v >> 6 & 63];
        if (i + 2 < n) *o++ = tl_b64[v & 63];
    }
    *o = '\0';
    return out;
}

static int tl_b64_value(char c)
{
    const char *at = c ? strchr(tl_b64, c) : NULL;
    return at ? (int)(at - tl_b64) : -1;
}

static unsigned char *tl_b64_decode(apr_pool_t *p, const char *in, size_t *n)
{
    size_t len = strlen(in), i, k = 0;
    unsigned char *out;

    if (len % 4 == 1) {
        return NULL;
    }
    out = apr_palloc(p, len / 4 * 3 + 3);
    for (i = 0; i < len; i += 4) {
        int a = tl_b64_value(in[i]), b = i + 1 < len ? tl_b64_value(in[i + 1]) : -1;
        int c = i + 2 < len ? tl_b64_value(in[i + 2]) : 0, d = i + 3 < len ? tl_b64_value(in[i + 3]) : 0;
        unsigned v;
        if (a < 0 || b < 0 || c < 0 || d < 0) {
            return NULL;
        }
        v = (unsigned)a << 18 | (unsigned)b << 12 | (unsigned)c << 6 | (unsigned)d;
        out[k++] = (unsigned char)(v >> 16);
        if (i + 2 < len) out[k++] = (unsigned char)(v >> 8);
        if (i + 3 < len) out[k++] = (unsigned char)v;
    }
    *n = k;
    return out;
}

int tl_seal_key(const unsigned char *secret, size_t secret_len, const char *purpose, unsigned char *key)
{
    unsigned int len = 0;
    return HMAC(EVP_sha256(), secret, (int)secret_len, (const unsigned char *)purpose, strlen(purpose), key, &len)
           && len == TL_SEAL_KEY_LEN;
}

const char *tl_seal(apr_pool_t *p, const unsigned char *key, const char *plain, size_t n)
{
    unsigned char *buf;
    EVP_CIPHER_CTX *ctx;
    int len = 0, fin = 0, ok;

    if (n > TL_SEAL_MAX) {
        return NULL;
    }
    buf = apr_palloc(p, TL_IV_LEN + n + TL_TAG_LEN);
    if (RAND_bytes(buf, TL_IV_LEN) != 1 || !(ctx = EVP_CIPHER_CTX_new())) {
        return NULL;
    }
    ok = EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, buf)
         && EVP_EncryptUpdate(ctx, buf + TL_IV_LEN, &len, (const unsigned char *)plain, (int)n)
         && EVP_EncryptFinal_ex(ctx, buf + TL_IV_LEN + len, &fin)
         && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TL_TAG_LEN, buf + TL_IV_LEN + len + fin);
    EVP_CIPHER_CTX_free(ctx);
    return ok ? tl_b64_encode(p, buf, TL_IV_LEN + (size_t)len + (size_t)fin + TL_TAG_LEN) : NULL;
}

const char *tl_unseal(apr_pool_t *p, const unsigned char *key, const char *sealed, size_t *n)
{
    size_t raw_len = 0, body;
    unsigned char *raw = sealed && strlen(sealed) < TL_SEAL_MAX * 2 ? tl_b64_decode(p, sealed, &raw_len) : NULL;
    unsigned char *plain;
    EVP_CIPHER_CTX *ctx;
    int len = 0, fin = 0, ok;

    if (!raw || raw_len < TL_IV_LEN + TL_TAG_LEN) {
        return NULL;
    }
    body = raw_len - TL_IV_LEN - TL_TAG_LEN;
    plain = apr_palloc(p, body + 1);
    if (!(ctx = EVP_CIPHER_CTX_new())) {
        return NULL;
    }
    ok = EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, raw)
         && EVP_DecryptUpdate(ctx, plain, &len, raw + TL_IV_LEN, (int)body)
         && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TL_TAG_LEN, raw + TL_IV_LEN + body)
         && EVP_DecryptFinal_ex(ctx, plain + len, &fin) > 0;
    EVP_CIPHER_CTX_free(ctx);
    if (!ok) {
        return NULL;
    }
    plain[len + fin] = '\0';
    *n = (size_t)(len + fin);
    return memchr(plain, '\0', *n) ? NULL : (const char *)plain;
}
