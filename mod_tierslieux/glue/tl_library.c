#include <errno.h>
#include <poll.h>
#include <netdb.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <apr_strings.h>
#include <apr_base64.h>
#include <apr_shm.h>
#include <apr_hash.h>
#include <apr_file_io.h>
#include <http_core.h>
#include <http_log.h>
#include "tl_library.h"
#include "tl_config.h"
#include "tl_sip2.h"
#include "tl_json.h"


enum { TL_KOHA, TL_SIP2 };

struct tl_library_target {
    int driver;
    const char *host;
    const char *port;
    const char *path;           /* Koha: the API's path, e.g. /api/v1 (no trailing slash) */
    const char *name;           /* for the logs and the circuit: driver, host and port */
};

struct tl_library_secret {
    const char *user;           /* Koha: the API user; SIP2: the login (CN) */
    const char *password;       /* its password (CO) */
    const char *institution;    /* SIP2: AO */
    const char *location;       /* SIP2: CP, optional */
    const char *terminal_password;  /* SIP2: AC, optional */
};

/* ---- directives ----------------------------------------------------------- */

const char *tl_library_parse_target(apr_pool_t *p, const char *driver, const char *where,
                                    const tl_library_target **out)
{
    tl_library_target *t = apr_pcalloc(p, sizeof(*t));
    const char *rest = where, *colon, *slash;

    if (strcmp(driver, "koha") == 0) {
        t->driver = TL_KOHA;
        if (strncmp(where, "https://", 8) != 0) {
            return "TiersLieuxLibraryAuth koha: expects the API's https:// address, e.g. "
                   "https://koha.example.fr/api/v1";
        }
        rest = where + 8;
        slash = strchr(rest, '/');
        t->path = slash ? apr_pstrdup(p, slash) : "/api/v1";
        {
            char *end = (char *)t->path + strlen(t->path);
            while (end > t->path && end[-1] == '/') {
                *--end = '\0';
            }
        }
        rest = slash ? apr_pstrmemdup(p, rest, (apr_size_t)(slash - rest)) : rest;
        t->port = "443";
    }
    else if (strcmp(driver, "sip2") == 0) {
        t->driver = TL_SIP2;
        t->path = "";
        t->port = NULL;
    }
    else {
        return "TiersLieuxLibraryAuth: expects koha (then the API's https:// address) or sip2 (then host:port)";
    }
    if (*rest == '[') {
        return "TiersLieuxLibraryAuth: give a host name or an IPv4 address";
    }
    colon = strrchr(rest, ':');
    if (colon) {
        t->host = apr_pstrmemdup(p, rest, (apr_size_t)(colon - rest));
        t->port = apr_pstrdup(p, colon + 1);
    }
    else {
        t->host = apr_pstrdup(p, rest);
    }
    if (!*t->host || strspn(t->host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") != strlen(t->host)
        || !t->port || !*t->port || strspn(t->port, "0123456789") != strlen(t->port) || atoi(t->port) < 1
        || atoi(t->port) > 65535) {
        return t->driver == TL_SIP2 ? "TiersLieuxLibraryAuth sip2: expects host:port (the SIP2 server over TLS)"
                                    : "TiersLieuxLibraryAuth koha: expects https://host[:port]/path";
    }
    t->name = apr_psprintf(p, "%s %s:%s", driver, t->host, t->port);
    *out = t;
    return NULL;
}

/* The file holds "key = value" lines (# starts a comment): user,
 * password, and for SIP2 institution, location and terminal_password.
 * Read once at startup, as root: it stays out of httpd.conf and may be
 * readable by root alone. */
const char *tl_library_read_credentials(apr_pool_t *p, apr_pool_t *ptemp, const char *file,
                                        const tl_library_secret **out)
{
    tl_library_secret *c = apr_pcalloc(p, sizeof(*c));
    apr_file_t *f;
    char line[1024];
    int n = 0;

    if (apr_file_open(&f, file, APR_FOPEN_READ, APR_OS_DEFAULT, ptemp) != APR_SUCCESS) {
        return apr_psprintf(p, "TiersLieuxLibraryAuthCredentials: cannot read %s", file);
    }
    while (apr_file_gets(line, sizeof line, f) == APR_SUCCESS) {
        char *eq, *k, *v, *end;
        n++;
        for (k = line; *k == ' ' || *k == '\t'; k++) {
        }
        if (*k == '#' || *k == '\n' || *k == '\r' || *k == '\0') {
            continue;
        }
        if (!(eq = strchr(k, '='))) {
            apr_file_close(f);
            return apr_psprintf(p, "TiersLieuxLibraryAuthCredentials: line %d of %s is not \"key = value\"", n,
                                file);
        }
        for (end = eq; end > k && (end[-1] == ' ' || end[-1] == '\t'); end--) {
        }
        *end = '\0';
        for (v = eq + 1; *v == ' ' || *v == '\t'; v++) {
        }
        for (end = v + strlen(v); end > v && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '
                                              || end[-1] == '\t'); end--) {
        }
        *end = '\0';
        if (strcmp(k, "user") == 0) {
            c->user = apr_pstrdup(p, v);
        }
        else if (strcmp(k, "password") == 0) {
            c->password = apr_pstrdup(p, v);
        }
        else if (strcmp(k, "institution") == 0) {
            c->institution = apr_pstrdup(p, v);
        }
        else if (strcmp(k, "location") == 0) {
            c->location = apr_pstrdup(p, v);
        }
        else if (strcmp(k, "terminal_password") == 0) {
            c->terminal_password = apr_pstrdup(p, v);
        }
        else {
            apr_file_close(f);
            return apr_psprintf(p, "TiersLieuxLibraryAuthCredentials: line %d of %s: unknown key (user, password, "
                                "institution, location, terminal_password)", n, file);
        }
    }
    apr_file_close(f);
    if (!c->user || !c->password) {
        return apr_psprintf(p, "TiersLieuxLibraryAuthCredentials: %s must give user and password", file);
    }
    *out = c;
    return NULL;
}

int tl_library_configured(const tl_dir_conf *dc)
{
    return tl_conf_library(dc) != NULL;
}

const char *tl_library_card(apr_pool_t *p, const char *typed)
{
    const char *s = typed, *e;
    char *card, *c;

    if (!s) {
        return NULL;
    }
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    for (e = s + strlen(s); e > s && (e[-1] == ' ' || e[-1] == '\t'); e--) {
    }
    if (e == s || e - s > 32) {
        return NULL;
    }
    card = apr_pstrmemdup(p, s, (apr_size_t)(e - s));
    for (c = card; *c; c++) {
        if (*c >= 'a' && *c <= 'z') {
            *c = (char)(*c - 'a' + 'A');
        }
        else if (!((*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '-')) {
            return NULL;
        }
    }
    return card;
}

/* ---- the circuit ---------------------------------------------------------- */

/* Until when each library system is left alone, shared by every process
 * (anonymous shared memory made before the children fork); a system
 * falls in a slot by the hash of its name. Without shared memory, each
 * process keeps its own. */
#define TL_CIRCUITS 64
static apr_time_t tl_circuit_local[TL_CIRCUITS];
static apr_time_t *tl_circuits = tl_circuit_local;

apr_status_t tl_library_init(apr_pool_t *pconf)
{
    apr_shm_t *shm;
    apr_status_t rv = apr_shm_create(&shm, sizeof(apr_time_t) * TL_CIRCUITS, NULL, pconf);

    if (rv != APR_SUCCESS) {
        tl_circuits = tl_circuit_local;
        return rv;
    }
    tl_circuits = apr_shm_baseaddr_get(shm);
    memset(tl_circuits, 0, sizeof(apr_time_t) * TL_CIRCUITS);
    return APR_SUCCESS;
}

static apr_time_t *tl_circuit(const tl_library_target *t)
{
    apr_ssize_t len = (apr_ssize_t)strlen(t->name);
    return &tl_circuits[apr_hashfunc_default(t->name, &len) % TL_CIRCUITS];
}

/* ---- TLS with a deadline -------------------------------------------------- */

typedef struct {
    request_rec *r;
    int fd;
    SSL_CTX *ctx;
    SSL *ssl;
    apr_time_t deadline;
} tl_tls;

static apr_status_t tl_tls_cleanup(void *data)
{
    tl_tls *t = data;

    if (t->ssl) {
        SSL_free(t->ssl);
        t->ssl = NULL;
    }
    if (t->ctx) {
        SSL_CTX_free(t->ctx);
        t->ctx = NULL;
    }
    if (t->fd >= 0) {
        close(t->fd);
        t->fd = -1;
    }
    ERR_clear_error();
    return APR_SUCCESS;
}

/* Waits until fd may be read (or written); -1 past the deadline. */
static int tl_tls_wait(tl_tls *t, int write)
{
    struct pollfd pfd = { t->fd, (short)(write ? POLLOUT : POLLIN), 0 };
    int rc;

    for (;;) {
        apr_interval_time_t left = t->deadline - apr_time_now();
        if (left <= 0) {
            return -1;
        }
        rc = poll(&pfd, 1, (int)(apr_time_as_msec(left) + 1));
        if (rc > 0) {
            return 0;
        }
        if (rc == 0 || errno != EINTR) {
            return -1;
        }
    }
}

/* After an SSL call that returned rc <= 0: 0 to call it again, -1 to give up. */
static int tl_tls_again(tl_tls *t, int rc)
{
    switch (SSL_get_error(t->ssl, rc)) {
    case SSL_ERROR_WANT_READ:
        return tl_tls_wait(t, 0);
    case SSL_ERROR_WANT_WRITE:
        return tl_tls_wait(t, 1);
    default:
        return -1;
    }
}

/* A connection's state lives in the request's pool, which closes it at
 * the latest when the request ends. */
static tl_tls *tl_tls_new(request_rec *r, apr_time_t deadline)
{
    tl_tls *t = apr_pcalloc(r->pool, sizeof(*t));

    t->r = r;
    t->fd = -1;
    t->deadline = deadline;
    apr_pool_cleanup_register(r->pool, t, tl_tls_cleanup, apr_pool_cleanup_null);
    return t;
}

static int tl_tls_open(tl_tls *t, const tl_library_target *lt, const char *ca)
{
    struct addrinfo hints, *res = NULL, *ai;
    struct in_addr ip4;
    X509_VERIFY_PARAM *vp;
    int rc;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(lt->host, lt->port, &hints, &res) != 0) {
        return -1;
    }
    for (ai = res; ai; ai = ai->ai_next) {
        int err = 0;
        socklen_t elen = sizeof err;
        t->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
        if (t->fd < 0) {
            continue;
        }
        if (connect(t->fd, ai->ai_addr, ai->ai_addrlen) == 0
            || (errno == EINPROGRESS && tl_tls_wait(t, 1) == 0
                && getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &err, &elen) == 0 && err == 0)) {
            break;
        }
        close(t->fd);
        t->fd = -1;
        if (apr_time_now() >= t->deadline) {
            break;
        }
    }
    freeaddrinfo(res);
    if (t->fd < 0) {
        return -1;
    }
    if (!(t->ctx = SSL_CTX_new(TLS_client_method()))) {
        return -1;
    }
    SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION);
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
    /* Many HTTP servers end an HTTP/1.0 answer by closing the connection
     * without TLS's close_notify: that end is the answer's end. */
    SSL_CTX_set_options(t->ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
#endif
    SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER, NULL);
    if (ca ? SSL_CTX_load_verify_locations(t->ctx, ca, NULL) != 1 : SSL_CTX_set_default_verify_paths(t->ctx) != 1) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, t->r, TLXLOGNO(1801) "cannot read the certificate authorities "
                      "to check the library system (TiersLieuxLibraryAuthCA)");
        return -1;
    }
    if (!(t->ssl = SSL_new(t->ctx)) || SSL_set_fd(t->ssl, t->fd) != 1) {
        return -1;
    }
    vp = SSL_get0_param(t->ssl);
    if (inet_pton(AF_INET, lt->host, &ip4) == 1) {
        X509_VERIFY_PARAM_set1_ip_asc(vp, lt->host);
    }
    else {
        SSL_set_tlsext_host_name(t->ssl, lt->host);
        X509_VERIFY_PARAM_set1_host(vp, lt->host, 0);
    }
    while ((rc = SSL_connect(t->ssl)) != 1) {
        if (tl_tls_again(t, rc) != 0) {
            return -1;
        }
    }
    return 0;
}

static int tl_tls_write(tl_tls *t, const char *data, size_t len)
{
    while (len > 0) {
        int rc = SSL_write(t->ssl, data, (int)len);
        if (rc > 0) {
            data += rc;
            len -= (size_t)rc;
        }
        else if (tl_tls_again(t, rc) != 0) {
            return -1;
        }
    }
    return 0;
}

/* Reads until stop (a byte, or -1 for the end of the connection), at
 * most max bytes; the bytes read, NUL-terminated, or NULL. */
static char *tl_tls_read(tl_tls *t, int stop, size_t max, size_t *len)
{
    char *buf = apr_palloc(t->r->pool, max + 1);

    *len = 0;
    while (*len < max) {
        int rc = SSL_read(t->ssl, buf + *len, (int)(max - *len));
        if (rc > 0) {
            if (stop >= 0 && memchr(buf + *len, stop, (size_t)rc)) {
                *len += (size_t)rc;
                buf[*len] = '\0';
                return buf;
            }
            *len += (size_t)rc;
            continue;
        }
        if (stop < 0 && (SSL_get_error(t->ssl, rc) == SSL_ERROR_ZERO_RETURN
                         || (SSL_get_error(t->ssl, rc) == SSL_ERROR_SYSCALL && rc == 0))) {
            buf[*len] = '\0';
            return buf;
        }
        if (tl_tls_again(t, rc) != 0) {
            return NULL;
        }
    }
    return NULL;                /* longer than any answer we expect */
}

/* ---- Koha ----------------------------------------------------------------- */

/* One HTTP/1.0 exchange (the server closes the connection: no chunks, no
 * keep-alive); the status, and the body in *body. -1 on failure. */
static int tl_koha_call(tl_tls *t, const tl_library_target *lt, const tl_library_secret *cred, const char *ca,
                        const char *method, const char *path, const char *json, const char **body, size_t *blen)
{
    const char *auth = apr_pstrcat(t->r->pool, cred->user, ":", cred->password, NULL);
    char *b64 = apr_palloc(t->r->pool, (apr_size_t)apr_base64_encode_len((int)strlen(auth)));
    const char *req, *end;
    char *resp;
    size_t len;
    int status;

    apr_base64_encode(b64, auth, (int)strlen(auth));
    req = apr_psprintf(t->r->pool,
                       "%s %s%s HTTP/1.0\r\nHost: %s\r\nAuthorization: Basic %s\r\nAccept: application/json\r\n"
                       "User-Agent: mod_tierslieux\r\nConnection: close\r\n%s\r\n%s",
                       method, lt->path, path, lt->host, b64,
                       json ? apr_psprintf(t->r->pool, "Content-Type: application/json\r\nContent-Length: %"
                                           APR_SIZE_T_FMT "\r\n", strlen(json)) : "",
                       json ? json : "");
    if (tl_tls_open(t, lt, ca) != 0 || tl_tls_write(t, req, strlen(req)) != 0
        || !(resp = tl_tls_read(t, -1, 65536, &len))) {
        tl_tls_cleanup(t);
        return -1;
    }
    tl_tls_cleanup(t);
    if (len < 12 || strncmp(resp, "HTTP/1.", 7) != 0 || resp[8] != ' ' || !(end = strstr(resp, "\r\n\r\n"))) {
        return -1;
    }
    status = atoi(resp + 9);
    *body = end + 4;
    *blen = len - (size_t)(*body - resp);
    return status;
}

static tl_library_result tl_koha_check(request_rec *r, const tl_library_target *lt, const tl_library_secret *cred,
                                       const char *ca, apr_time_t deadline, const char *card, const char *pin)
{
    tl_library_result res = { TL_LIBRARY_DOWN, NULL, NULL };
    tl_tls *t = tl_tls_new(r, deadline);
    const char *body, *id, *v;
    size_t blen;
    int status;

    status = tl_koha_call(t, lt, cred, ca, "POST", "/auth/password/validation",
                          apr_pstrcat(r->pool, "{\"identifier\":\"", tl_json_quote(r->pool, card), "\",\"password\":\"",
                                      tl_json_quote(r->pool, pin), "\"}", NULL), &body, &blen);
    if (status == 400 || status == 404) {
        res.outcome = TL_LIBRARY_DENIED;        /* "Validation failed": an unknown card or a wrong PIN */
        return res;
    }
    if (status == 401 || status == 403) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, TLXLOGNO(1802) "the library system (%s) refuses our API user: "
                      "check its login and password, and its permission to validate passwords", lt->name);
        return res;
    }
    if (status != 201 && status != 200) {
        return res;
    }
    if (tl_json_member(r->pool, body, blen, "patron_id", &id) != TL_JSON_NUMBER
        || strspn(id, "0123456789") != strlen(id) || strlen(id) > 18) {
        return res;
    }
    status = tl_koha_call(t, lt, cred, ca, "GET", apr_pstrcat(r->pool, "/patrons/", id, NULL), NULL, &body, &blen);
    if (status == 401 || status == 403) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, TLXLOGNO(1803) "the library system (%s) refuses our API user "
                      "the patron's record: give it the permission to see patrons", lt->name);
        return res;
    }
    if (status != 200) {
        return res;
    }
    if (tl_json_member(r->pool, body, blen, "restricted", &v) == TL_JSON_TRUE
        || tl_json_member(r->pool, body, blen, "expired", &v) == TL_JSON_TRUE) {
        res.outcome = TL_LIBRARY_BLOCKED;
        return res;
    }
    res.outcome = TL_LIBRARY_OK;
    res.family = tl_json_member(r->pool, body, blen, "surname", &v) == TL_JSON_STRING ? v : "";
    res.given = tl_json_member(r->pool, body, blen, "firstname", &v) == TL_JSON_STRING ? v : "";
    return res;
}

/* ---- SIP2 ----------------------------------------------------------------- */

static const char *tl_sip2_exchange(tl_tls *t, const char *msg, int seq, size_t *len)
{
    char *resp;

    if (!msg || tl_tls_write(t, msg, strlen(msg)) != 0 || !(resp = tl_tls_read(t, '\r', 4096, len))) {
        return NULL;
    }
    return tl_sip2_verify(resp, *len, seq) == 0 ? resp : NULL;
}

static tl_library_result tl_sip2_check(request_rec *r, const tl_library_target *lt, const tl_library_secret *cred,
                                       const char *ca, apr_time_t deadline, const char *card, const char *pin)
{
    tl_library_result res = { TL_LIBRARY_DOWN, NULL, NULL };
    tl_tls *t = tl_tls_new(r, deadline);
    const char *resp, *msg;
    char date[19];
    apr_time_exp_t now;
    apr_size_t dlen;
    size_t len;
    tl_sip2_patron pt;

    if (tl_tls_open(t, lt, ca) != 0) {
        tl_tls_cleanup(t);
        return res;
    }
    if (!(resp = tl_sip2_exchange(t, tl_sip2_login(r->pool, cred->user, cred->password, cred->location, 0), 0,
                                  &len))) {
        tl_tls_cleanup(t);
        return res;
    }
    if (tl_sip2_login_ok(resp, len) != 1) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, TLXLOGNO(1804) "the library system (%s) refuses our SIP2 login: "
                      "check the user and password of TiersLieuxLibraryAuthCredentials", lt->name);
        tl_tls_cleanup(t);
        return res;
    }
    apr_time_exp_lt(&now, apr_time_now());
    apr_strftime(date, &dlen, sizeof date, "%Y%m%d    %H%M%S", &now);
    msg = tl_sip2_patron_status(r->pool, cred->institution ? cred->institution : "", card,
                                cred->terminal_password ? cred->terminal_password : "", pin, date, 1);
    if (!msg) {
        /* The PIN holds a character SIP2 cannot carry: it is not this card's. */
        tl_tls_cleanup(t);
        res.outcome = TL_LIBRARY_DENIED;
        return res;
    }
    resp = tl_sip2_exchange(t, msg, 1, &len);
    tl_tls_cleanup(t);
    if (!resp || tl_sip2_parse_patron(r->pool, resp, len, &pt) != 0) {
        return res;
    }
    if (pt.valid_patron != 1 || pt.valid_password != 1 || strcasecmp(pt.patron_id, card) != 0) {
        res.outcome = TL_LIBRARY_DENIED;
        return res;
    }
    if (tl_sip2_blocked(&pt)) {
        res.outcome = TL_LIBRARY_BLOCKED;
        return res;
    }
    res.outcome = TL_LIBRARY_OK;
    tl_sip2_split_name(r->pool, pt.name ? pt.name : "", &res.family, &res.given);
    return res;
}

/* ---- the check ------------------------------------------------------------ */

tl_library_result tl_library_check(request_rec *r, const char *card, const char *pin)
{
    const tl_dir_conf *dc = ap_get_module_config(r->per_dir_config, &tierslieux_module);
    const tl_library_target *lt = tl_conf_library(dc);
    const tl_library_secret *cred = tl_conf_library_credentials(dc);
    tl_library_result res = { TL_LIBRARY_DOWN, NULL, NULL };
    apr_time_t now = apr_time_now(), *circuit;

    if (!lt || !cred || !tl_conf_library_place(dc)) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, TLXLOGNO(1805) "TiersLieuxLibraryAuth needs "
                      "TiersLieuxLibraryAuthCredentials and TiersLieuxLibraryAuthPlace");
        return res;
    }
    circuit = tl_circuit(lt);
    if (__atomic_load_n(circuit, __ATOMIC_RELAXED) > now) {
        return res;                             /* still resting: not asked again */
    }
    res = (lt->driver == TL_KOHA ? tl_koha_check : tl_sip2_check)(r, lt, cred, tl_conf_library_ca(dc),
                                                                   now + tl_conf_library_timeout(dc), card, pin);
    if (res.outcome == TL_LIBRARY_DOWN) {
        __atomic_store_n(circuit, apr_time_now() + tl_conf_library_pause(dc), __ATOMIC_RELAXED);
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, TLXLOGNO(1806) "the library system (%s) did not answer "
                      "in time or not as expected: members cannot log in with their card for %" APR_TIME_T_FMT
                      " s", lt->name, apr_time_sec(tl_conf_library_pause(dc)));
    }
    return res;
}
