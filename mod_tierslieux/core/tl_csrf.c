#include <stdio.h>
#include <string.h>
#include <apr_strings.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include "tl_csrf.h"

#define TL_MAC_B64_LEN 43               /* 32 bytes in base64url, no padding */

static void tl_b64url(const unsigned char *in, size_t n, char *out)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t i, k = 0;

    for (i = 0; i + 2 < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
        out[k++] = abc[v >> 18 & 63];
        out[k++] = abc[v >> 12 & 63];
        out[k++] = abc[v >> 6 & 63];
        out[k++] = abc[v & 63];
    }
    if (n - i == 2) {
        unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8;
        out[k++] = abc[v >> 18 & 63];
        out[k++] = abc[v >> 12 & 63];
        out[k++] = abc[v >> 6 & 63];
    }
    else if (n - i == 1) {
        unsigned v = (unsigned)in[i] << 16;
        out[k++] = abc[v >> 18 & 63];
        out[k++] = abc[v >> 12 & 63];
    }
    out[k] = '\0';
}

/* The MAC of subject, form and expiry, in base64url (out: 44 bytes).
 * NUL bytes separate the fields, so ("ab","c") and ("a","bc") differ. */
static int tl_mac(const unsigned char *secret, size_t secret_len, const char *subject,
                  const char *form, const char *expiry, char *out)
{
    unsigned char data[512], mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    size_t ls = strlen(subject) + 1, lf = strlen(form) + 1, le = strlen(expiry);

    if (ls + lf + le > sizeof(data)) {
        return 0;
    }
    memcpy(data, subject, ls);
    memcpy(data + ls, form, lf);
    memcpy(data + ls + lf, expiry, le);
    if (!HMAC(EVP_sha256(), secret, (int)secret_len, data, ls + lf + le, mac, &mac_len) || mac_len != 32) {
        return 0;
    }
    tl_b64url(mac, 32, out);
    return 1;
}

const char *tl_csrf_make(apr_pool_t *p, const unsigned char *secret, size_t secret_len,
                         const char *subject, const char *form, apr_time_t now, int lifetime_s)
{
    char expiry[24], mac[TL_MAC_B64_LEN + 1];

    snprintf(expiry, sizeof(expiry), "%" APR_INT64_T_FMT, (apr_int64_t)apr_time_sec(now) + lifetime_s);
    if (!tl_mac(secret, secret_len, subject, form, expiry, mac)) {
        return NULL;
    }
    return apr_pstrcat(p, expiry, ".", mac, NULL);
}

tl_csrf_status tl_csrf_check(const unsigned char *secret, size_t secret_len, const char *subject,
                             const char *form, const char *token, apr_time_t now)
{
    char expiry[24], mac[TL_MAC_B64_LEN + 1];
    const char *dot;
    size_t n, i;
    apr_int64_t when = 0;

    if (!token || !*token) {
        return TL_CSRF_MISSING;
    }
    dot = strchr(token, '.');
    n = dot ? (size_t)(dot - token) : 0;
    if (!dot || n == 0 || n > 18 || strlen(dot + 1) != TL_MAC_B64_LEN) {
        return TL_CSRF_BAD;
    }
    for (i = 0; i < n; i++) {
        if (token[i] < '0' || token[i] > '9') {
            return TL_CSRF_BAD;
        }
        when = when * 10 + (token[i] - '0');
    }
    memcpy(expiry, token, n);
    expiry[n] = '\0';
    if (!tl_mac(secret, secret_len, subject, form, expiry, mac)
        || CRYPTO_memcmp(mac, dot + 1, TL_MAC_B64_LEN) != 0) {
        return TL_CSRF_BAD;
    }
    return when < (apr_int64_t)apr_time_sec(now) ? TL_CSRF_EXPIRED : TL_CSRF_OK;
}
