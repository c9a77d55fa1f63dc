/* Directives and their merging. Every per-directory field is listed once in
 * TL_DIR_FIELDS: the struct, the merge and the getters come from that list,
 * so a field can never be forgotten by the merge. */
#ifndef TL_CONFIG_H
#define TL_CONFIG_H

#include "tl_module.h"

typedef struct tl_layout tl_layout;           /* a site's own page, split at its marker */
typedef struct tl_tpl_ref tl_tpl_ref;         /* a template directory, compiled at startup */
typedef struct tl_library_target tl_library_target;   /* a library system to log members in (tl_library.h) */
typedef struct tl_library_secret tl_library_secret;   /* our account on it, read at startup */

/* How long one database call may take by default (TiersLieuxDatabaseTimeout). */
#define TL_DB_TIMEOUT_DEFAULT apr_time_from_sec(3)

/* X(type, name, unset value, default) */
#define TL_DIR_FIELDS(X) \
    X(const tl_tpl_ref *, templates, NULL, NULL) \
    X(const tl_layout *, layout, NULL, NULL) \
    X(int, fragment_heading, -1, 2) \
    X(int, page_size, -1, 30) \
    X(const char *, base_url, NULL, NULL) \
    X(const char *, site_name, NULL, "Tiers-lieux") \
    X(int, session_seal, -1, 0) \
    X(int, member_site_login, -1, 0) \
    X(const char *, frame_ancestors, NULL, "'self'") \
    X(apr_interval_time_t, db_timeout, -1, TL_DB_TIMEOUT_DEFAULT) \
    X(const tl_library_target *, library, NULL, NULL) \
    X(const tl_library_secret *, library_credentials, NULL, NULL) \
    X(const char *, library_ca, NULL, NULL) \
    X(const char *, library_place, NULL, NULL) \
    X(apr_interval_time_t, library_timeout, -1, apr_time_from_sec(3)) \
    X(apr_interval_time_t, library_pause, -1, apr_time_from_sec(30))

struct tl_dir_conf {
#define TL_FIELD(type, name, unset, dflt) type name;
    TL_DIR_FIELDS(TL_FIELD)
#undef TL_FIELD
};

#define TL_GETTER(type, name, unset, dflt) type tl_conf_##name(const tl_dir_conf *c);
TL_DIR_FIELDS(TL_GETTER)
#undef TL_GETTER

typedef struct {
    const char *templates_root;     /* TiersLieuxTemplates: the module's own templates */
    apr_size_t cache_size;          /* TiersLieuxCacheSize, bytes; 0 turns reuse off */
    int cache_size_set;
    const char *secret_file;        /* TiersLieuxSecretFile: the key of form tokens */
    const char *image_helper;       /* TiersLieuxImageHelper: the program decoding uploaded photos */
} tl_srv_conf;

struct tl_layout {
    const char *file;
    const char *head;               /* bytes up to the end of the marked element's start tag */
    apr_size_t head_len;
    const char *tail;               /* bytes from the marked element's end tag */
    apr_size_t tail_len;
    uint64_t hash;                  /* of the file, part of every ETag */
};

void *tl_create_dir_conf(apr_pool_t *p, char *dir);
void *tl_merge_dir_conf(apr_pool_t *p, void *base, void *add);
void *tl_create_srv_conf(apr_pool_t *p, server_rec *s);
void *tl_merge_srv_conf(apr_pool_t *p, void *base, void *add);
extern const command_rec tl_directives[];

/* Called from post_config: compiles every template set and reads every
 * layout named by the configuration. Returns a message on failure. */
const char *tl_config_load(apr_pool_t *pconf, server_rec *s);
void tl_config_reset(apr_pool_t *pconf);
/* The compiled templates for a request's configuration. */
const tl_tpl_set *tl_conf_template_set(const tl_dir_conf *c);
const char *tl_conf_static_dir(void);
/* The mount point (a <Location> with SetHandler tierslieux) holding uri,
 * the longest one if they nest, or NULL. */
const char *tl_conf_mount(const char *uri);
/* The server secret that signs form tokens (read or drawn at startup). */
const unsigned char *tl_conf_secret(apr_size_t *len);
/* The key that seals session cookies, derived once from the secret. */
const unsigned char *tl_conf_session_key(void);
uint64_t tl_conf_fingerprint(const tl_dir_conf *c);
/* The image helper's path (TiersLieuxImageHelper, or where the package
 * installs it). */
const char *tl_conf_image_helper(const server_rec *s);

#endif
