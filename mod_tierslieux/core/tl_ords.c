#include <string.h>
#include <apr_hash.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include "tl_ords.h"
#include "tl_date.h"

const char *const tl_ords_fields[TL_ORDS_NFIELDS] = {
    "id", "data_provider", "country", "partner_product_category", "product_category",
    "product_category_id", "brand", "year_of_manufacture", "product_age", "repair_status",
    "repair_barrier_if_end_of_life", "group_identifier", "event_date", "problem",
};

/* The 40 product categories as published by the Open Repair Alliance in
 * OpenRepairData_v0.3_Product_Categories.csv (openrepair/data, release
 * 2025/07, CC BY-SA 4.0, https://openrepair.org/open-data/), index = id. */
static const char *const categories[TL_ORDS_NCATEGORIES + 1] = {
    NULL,
    "Aircon/dehumidifier", "Battery/charger/adapter", "Decorative or safety lights", "Desktop computer",
    "Digital compact camera", "DSLR/video camera", "Fan", "Flat screen", "Hair & beauty item",
    "Handheld entertainment device", "Headphones", "Hi-Fi integrated", "Hi-Fi separates", "Kettle",
    "Lamp", "Laptop", "Large home electrical", "Misc", "Mobile", "Musical instrument",
    "Paper shredder", "PC accessory", "Portable radio", "Power tool", "Printer/scanner", "Projector",
    "Sewing machine", "Small home electrical", "Small kitchen item", "Tablet", "Toaster", "Toy",
    "TV and gaming-related accessories", "Vacuum", "Watch/clock", "Coffee maker", "Food processor",
    "Games console", "Hair dryer", "Iron",
};

/* The table schema's enums, in the standard's numbering. */
static const char *const status_labels[] = { "Unknown", "Fixed", "Repairable", "End of life" };
static const char *const barrier_labels[] = {
    "", "Spare parts not available", "Spare parts too expensive", "No way to open product",
    "Repair information not available", "Lack of equipment", "Too worn out",
};

/* ISO 3166-1 alpha-3, the 249 officially assigned codes, sorted, as listed
 * by Debian's iso-codes 4.15.0 (iso_3166-1.json). A code not listed here
 * (user-assigned ones such as XKX) is refused rather than guessed. */
static const char countries[][4] = {
    "ABW", "AFG", "AGO", "AIA", "ALA", "ALB", "AND", "ARE", "ARG", "ARM", "ASM", "ATA", "ATF", "ATG",
    "AUS", "AUT", "AZE", "BDI", "BEL", "BEN", "BES", "BFA", "BGD", "BGR", "BHR", "BHS", "BIH", "BLM",
    "BLR", "BLZ", "BMU", "BOL", "BRA", "BRB", "BRN", "BTN", "BVT", "BWA", "CAF", "CAN", "CCK", "CHE",
    "CHL", "CHN", "CIV", "CMR", "COD", "COG", "COK", "COL", "COM", "CPV", "CRI", "CUB", "CUW", "CXR",
    "CYM", "CYP", "CZE", "DEU", "DJI", "DMA", "DNK", "DOM", "DZA", "ECU", "EGY", "ERI", "ESH", "ESP",
    "EST", "ETH", "FIN", "FJI", "FLK", "FRA", "FRO", "FSM", "GAB", "GBR", "GEO", "GGY", "GHA", "GIB",
    "GIN", "GLP", "GMB", "GNB", "GNQ", "GRC", "GRD", "GRL", "GTM", "GUF", "GUM", "GUY", "HKG", "HMD",
    "HND", "HRV", "HTI", "HUN", "IDN", "IMN", "IND", "IOT", "IRL", "IRN", "IRQ", "ISL", "ISR", "ITA",
    "JAM", "JEY", "JOR", "JPN", "KAZ", "KEN", "KGZ", "KHM", "KIR", "KNA", "KOR", "KWT", "LAO", "LBN",
    "LBR", "LBY", "LCA", "LIE", "LKA", "LSO", "LTU", "LUX", "LVA", "MAC", "MAF", "MAR", "MCO", "MDA",
    "MDG", "MDV", "MEX", "MHL", "MKD", "MLI", "MLT", "MMR", "MNE", "MNG", "MNP", "MOZ", "MRT", "MSR",
    "MTQ", "MUS", "MWI", "MYS", "MYT", "NAM", "NCL", "NER", "NFK", "NGA", "NIC", "NIU", "NLD", "NOR",
    "NPL", "NRU", "NZL", "OMN", "PAK", "PAN", "PCN", "PER", "PHL", "PLW", "PNG", "POL", "PRI", "PRK",
    "PRT", "PRY", "PSE", "PYF", "QAT", "REU", "ROU", "RUS", "RWA", "SAU", "SDN", "SEN", "SGP", "SGS",
    "SHN", "SJM", "SLB", "SLE", "SLV", "SMR", "SOM", "SPM", "SRB", "SSD", "STP", "SUR", "SVK", "SVN",
    "SWE", "SWZ", "SXM", "SYC", "SYR", "TCA", "TCD", "TGO", "THA", "TJK", "TKL", "TKM", "TLS", "TON",
    "TTO", "TUN", "TUR", "TUV", "TWN", "TZA", "UGA", "UKR", "UMI", "URY", "USA", "UZB", "VAT", "VCT",
    "VEN", "VGB", "VIR", "VNM", "VUT", "WLF", "WSM", "YEM", "ZAF", "ZMB", "ZWE",
};

#define NCOUNTRIES (sizeof(countries) / sizeof(countries[0]))

static int lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int is_alnum(int c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int same_ascii_nocase(const char *a, const char *b)
{
    while (*a && lower((unsigned char)*a) == lower((unsigned char)*b)) {
        a++;
        b++;
    }
    return *a == '\0' && *b == '\0';
}

const char *tl_ords_category_name(int id)
{
    return (id >= 1 && id <= TL_ORDS_NCATEGORIES) ? categories[id] : NULL;
}

int tl_ords_category_id(const char *name)
{
    int id;

    for (id = 1; id <= TL_ORDS_NCATEGORIES; id++) {
        if (same_ascii_nocase(name, categories[id])) {
            return id;
        }
    }
    return 0;
}

const char *tl_ords_status_label(tl_ords_status s)
{
    return ((int)s >= 0 && (int)s <= 3) ? status_labels[s] : NULL;
}

const char *tl_ords_barrier_label(tl_ords_barrier b)
{
    return ((int)b >= 0 && (int)b <= 6) ? barrier_labels[b] : NULL;
}

static int status_from(const char *s, tl_ords_status *out)
{
    int k;

    /* The standard's text numbers the statuses; some exports keep them. */
    if (is_digit(s[0]) && s[1] == '\0' && s[0] <= '3') {
        *out = (tl_ords_status)(s[0] - '0');
        return 0;
    }
    for (k = 0; k <= 3; k++) {
        if (same_ascii_nocase(s, status_labels[k])) {
            *out = (tl_ords_status)k;
            return 0;
        }
    }
    return -1;
}

/* The words of a barrier label that carry its meaning, lower-cased and
 * joined ("No way to open the product" and "No way to open product" both
 * give "nowaytoopenproduct"): letters and digits only, without the
 * articles and the "item" the providers' files add or drop. Returns 0 when
 * it does not fit. */
static int barrier_key(const char *s, char *out, size_t size)
{
    static const char *const dropped[] = { "the", "a", "an", "item", "its", NULL };
    size_t k = 0;

    while (*s) {
        char word[64];
        size_t n = 0;
        int d;

        while (*s && !is_alnum((unsigned char)*s)) {
            s++;
        }
        while (*s && is_alnum((unsigned char)*s)) {
            if (n + 1 >= sizeof(word)) {
                return 0;
            }
            word[n++] = (char)lower((unsigned char)*s++);
        }
        word[n] = '\0';
        for (d = 0; dropped[d] && strcmp(word, dropped[d]) != 0; d++) {
        }
        if (n == 0 || dropped[d]) {
            continue;
        }
        if (k + n >= size) {
            return 0;
        }
        memcpy(out + k, word, n);
        k += n;
    }
    out[k] = '\0';
    return k > 0;
}

static int barrier_from(const char *s, tl_ords_barrier *out)
{
    char want[128], have[128];
    int k;

    if (s[0] >= '1' && s[0] <= '6' && s[1] == '\0') {
        *out = (tl_ords_barrier)(s[0] - '0');
        return 0;
    }
    /* The providers write the enum's labels with small variants: "Item too
     * worn out" (Repair Café Wales, Denmark, anstiftung, Fixit Clinic) for
     * "Too worn out", "No way to open the product" (The Restart Project
     * 2022/04) for "No way to open product". Compared by their meaningful
     * words, so case, spaces, punctuation and articles do not matter. */
    if (!barrier_key(s, have, sizeof(have))) {
        return -1;
    }
    for (k = 1; k <= 6; k++) {
        if (barrier_key(barrier_labels[k], want, sizeof(want)) && strcmp(want, have) == 0) {
            *out = (tl_ords_barrier)k;
            return 0;
        }
    }
    return -1;
}

/* The listed code for s in any case, or NULL. */
static const char *country_from(const char *s)
{
    char up[4];
    size_t lo = 0, hi = NCOUNTRIES;
    int k;

    for (k = 0; k < 3; k++) {
        if (!((s[k] >= 'A' && s[k] <= 'Z') || (s[k] >= 'a' && s[k] <= 'z'))) {
            return NULL;
        }
        up[k] = (char)(s[k] >= 'a' ? s[k] - 'a' + 'A' : s[k]);
    }
    if (s[3] != '\0') {
        return NULL;
    }
    up[3] = '\0';
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(up, countries[mid]);
        if (c == 0) {
            return countries[mid];
        }
        if (c < 0) {
            hi = mid;
        }
        else {
            lo = mid + 1;
        }
    }
    return NULL;
}

/* s without leading and trailing spaces and tabs: s itself when there are
 * none, which is nearly always, so reading copies nothing. */
static const char *trim(apr_pool_t *p, const char *s)
{
    size_t n;

    while (*s == ' ' || *s == '\t') {
        s++;
    }
    n = strlen(s);
    if (n == 0 || (s[n - 1] != ' ' && s[n - 1] != '\t')) {
        return s;
    }
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')) {
        n--;
    }
    return apr_pstrmemdup(p, s, n);
}

/* A value quoted in a message, cut to 40 bytes on a character boundary so
 * a refused row with a whole paragraph in a cell stays one short line. */
static const char *shown(apr_pool_t *p, const char *s)
{
    size_t n = strlen(s);

    if (n <= 40) {
        return s;
    }
    n = 40;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) {
        n--;
    }
    return apr_pstrcat(p, apr_pstrmemdup(p, s, n), "…", NULL);
}

/* A control character other than tab and line feed (a line break inside
 * quotes), which no published file holds and which SQL text should not. */
static int has_control(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;

    for (; *u; u++) {
        if ((*u < 0x20 && *u != '\t' && *u != '\n') || *u == 0x7F) {
            return 1;
        }
    }
    return 0;
}

/* "11", "2.5" or "2,5" (a French spreadsheet) as a non-negative number
 * written with a dot; NULL when it is not one. */
static const char *age_from(apr_pool_t *p, const char *s)
{
    size_t i = 0, intd = 0, fracd = 0;
    char *copy;

    while (is_digit(s[i])) {
        i++;
        intd++;
    }
    if (s[i] == '.' || s[i] == ',') {
        i++;
        while (is_digit(s[i])) {
            i++;
            fracd++;
        }
        if (fracd == 0) {
            return NULL;
        }
    }
    if (s[i] != '\0' || intd == 0 || intd > 4 || fracd > 4) {
        return NULL;
    }
    if (!strchr(s, ',')) {
        return s;
    }
    copy = apr_pstrdup(p, s);
    *strchr(copy, ',') = '.';
    return copy;
}

/* The column of each ORDS field among the header's names, or a message. */
const char *tl_ords_header_read(apr_pool_t *p, int ncols, const char *const *header, tl_ords_header *h)
{
    apr_array_header_t *ignored = apr_array_make(p, 2, sizeof(const char *));
    const char *missing = NULL;
    int c, f;

    memset(h, 0, sizeof(*h));
    h->ncols = ncols;
    for (f = 0; f < TL_ORDS_NFIELDS; f++) {
        h->col[f] = -1;
        h->name[f] = tl_ords_fields[f];
    }
    for (c = 0; c < ncols; c++) {
        for (f = 0; f < TL_ORDS_NFIELDS; f++) {
            if (same_ascii_nocase(header[c], tl_ords_fields[f])) {
                break;
            }
        }
        if (f == TL_ORDS_NFIELDS) {
            APR_ARRAY_PUSH(ignored, const char *) = header[c];
            continue;
        }
        if (h->col[f] >= 0) {
            return apr_psprintf(p, "La colonne « %s » apparaît deux fois dans l'en-tête.", header[c]);
        }
        h->col[f] = c;
        h->name[f] = header[c];         /* messages name it as the file does */
    }
    for (f = 0; f < TL_ORDS_NFIELDS; f++) {
        if (h->col[f] < 0) {
            missing = missing ? apr_pstrcat(p, missing, ", ", tl_ords_fields[f], NULL) : tl_ords_fields[f];
        }
    }
    if (missing) {
        return apr_psprintf(p,
                            "Ce fichier n'est pas au format Open Repair Data v0.3 : il y manque "
                            "la colonne ou les colonnes %s.",
                            missing);
    }
    h->nignored = ignored->nelts;
    h->ignored = (const char **)ignored->elts;
    return NULL;
}

const char *tl_ords_record(apr_pool_t *p, const tl_ords_header *h, const tl_csv_row *in, tl_ords_row *r)
{
    const char *v[TL_ORDS_NFIELDS];
    const char *const *name = h->name;
    long day;
    int f, id = 0;

    memset(r, 0, sizeof(*r));
    r->line = in->line;
    if (in->n != h->ncols) {
        return apr_psprintf(p, "la ligne a %d cases au lieu de %d (une virgule dans un texte sans guillemets ?)",
                            in->n, h->ncols);
    }
    for (f = 0; f < TL_ORDS_NFIELDS; f++) {
        v[f] = trim(p, in->fields[h->col[f]]);
        if (has_control(v[f])) {
            return apr_psprintf(p, "%s contient un caractère de contrôle", name[f]);
        }
    }
    r->id = v[TL_ORDS_ID];
    r->data_provider = v[TL_ORDS_DATA_PROVIDER];
    r->partner_product_category = v[TL_ORDS_PARTNER_PRODUCT_CATEGORY];
    r->group_identifier = v[TL_ORDS_GROUP_IDENTIFIER];
    r->problem = v[TL_ORDS_PROBLEM];
    if (!*r->id) {
        return apr_psprintf(p, "%s manquant", name[TL_ORDS_ID]);
    }
    if (!*r->data_provider) {
        return apr_psprintf(p, "%s manquant", name[TL_ORDS_DATA_PROVIDER]);
    }
    if (!(r->country = country_from(v[TL_ORDS_COUNTRY]))) {
        return *v[TL_ORDS_COUNTRY]
                   ? apr_psprintf(p, "%s « %s » n'est pas un code pays ISO 3166-1 alpha-3 (FRA, BEL, CAN…)",
                                  name[TL_ORDS_COUNTRY], shown(p, v[TL_ORDS_COUNTRY]))
                   : apr_psprintf(p, "%s manquant (code pays ISO 3166-1 alpha-3 : FRA, BEL, CAN…)",
                                  name[TL_ORDS_COUNTRY]);
    }

    if (!*v[TL_ORDS_REPAIR_STATUS]) {
        return apr_psprintf(p, "%s manquant (Fixed, Repairable, End of life ou Unknown)", name[TL_ORDS_REPAIR_STATUS]);
    }
    if (status_from(v[TL_ORDS_REPAIR_STATUS], &r->repair_status) != 0) {
        return apr_psprintf(p, "%s « %s » inconnu : Fixed, Repairable, End of life ou Unknown",
                            name[TL_ORDS_REPAIR_STATUS], shown(p, v[TL_ORDS_REPAIR_STATUS]));
    }
    if (*v[TL_ORDS_REPAIR_BARRIER]) {
        if (barrier_from(v[TL_ORDS_REPAIR_BARRIER], &r->barrier) != 0) {
            return apr_psprintf(p,
                                "%s « %s » inconnu : Spare parts not available, "
                                "Spare parts too expensive, No way to open product, Repair information not "
                                "available, Lack of equipment ou Too worn out",
                                name[TL_ORDS_REPAIR_BARRIER], shown(p, v[TL_ORDS_REPAIR_BARRIER]));
        }
        if (r->repair_status != TL_ORDS_STATUS_END_OF_LIFE) {
            /* Published files hold a few (Restart Project 2022/04: one
             * "Repairable" item with "Spare parts not available"). The
             * schema gives a barrier only to an end of life, so the row is
             * kept without it, and the preview says so. */
            r->note = apr_psprintf(p, "%s « %s » laissé de côté : il ne va qu'avec %s End of life, pas « %s »",
                                   name[TL_ORDS_REPAIR_BARRIER], shown(p, v[TL_ORDS_REPAIR_BARRIER]),
                                   name[TL_ORDS_REPAIR_STATUS], v[TL_ORDS_REPAIR_STATUS]);
            r->barrier = TL_ORDS_BARRIER_NONE;
        }
    }

    if (*v[TL_ORDS_PRODUCT_CATEGORY_ID]) {
        const char *s = v[TL_ORDS_PRODUCT_CATEGORY_ID];
        size_t n = strlen(s);

        if (n > 2 || !is_digit(s[0]) || (n == 2 && !is_digit(s[1]))
            || (id = (n == 2 ? (s[0] - '0') * 10 + (s[1] - '0') : s[0] - '0')) < 1
            || id > TL_ORDS_NCATEGORIES) {
            return apr_psprintf(p, "%s « %s » : un numéro de catégorie de 1 à 40 est attendu",
                                name[TL_ORDS_PRODUCT_CATEGORY_ID], shown(p, s));
        }
        if (*v[TL_ORDS_PRODUCT_CATEGORY] && !same_ascii_nocase(v[TL_ORDS_PRODUCT_CATEGORY], categories[id])) {
            return apr_psprintf(p, "%s %d est « %s », pas « %s »", name[TL_ORDS_PRODUCT_CATEGORY_ID], id,
                                categories[id], shown(p, v[TL_ORDS_PRODUCT_CATEGORY]));
        }
    }
    else {
        /* A name alone gives its id; a name that is no ORDS category (an
         * unpowered item: furniture, bicycle…) stays without one. */
        id = tl_ords_category_id(v[TL_ORDS_PRODUCT_CATEGORY]);
    }
    r->product_category_id = id;
    /* As the file wrote it, empty included: the export gives it back. */
    r->product_category = v[TL_ORDS_PRODUCT_CATEGORY];

    /* The schema's missing value for a brand. */
    r->brand = same_ascii_nocase(v[TL_ORDS_BRAND], "Unknown") ? "" : v[TL_ORDS_BRAND];

    if (*v[TL_ORDS_YEAR_OF_MANUFACTURE]) {
        const char *s = v[TL_ORDS_YEAR_OF_MANUFACTURE];

        if (strlen(s) != 4 || s[0] < '1' || s[0] > '9' || !is_digit(s[1]) || !is_digit(s[2]) || !is_digit(s[3])) {
            return apr_psprintf(p, "%s « %s » : une année sur 4 chiffres est attendue",
                                name[TL_ORDS_YEAR_OF_MANUFACTURE], shown(p, s));
        }
        r->year_of_manufacture = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    }
    r->product_age = "";
    if (*v[TL_ORDS_PRODUCT_AGE] && !(r->product_age = age_from(p, v[TL_ORDS_PRODUCT_AGE]))) {
        return apr_psprintf(p, "%s « %s » : un nombre d'années est attendu (11 ou 2.5)", name[TL_ORDS_PRODUCT_AGE],
                            shown(p, v[TL_ORDS_PRODUCT_AGE]));
    }

    if (!*v[TL_ORDS_EVENT_DATE]) {
        return apr_psprintf(p, "%s manquante (AAAA-MM-JJ)", name[TL_ORDS_EVENT_DATE]);
    }
    if (tl_date_parse(v[TL_ORDS_EVENT_DATE], &day) != 0) {
        return apr_psprintf(p, "%s « %s » n'est pas une date AAAA-MM-JJ qui existe", name[TL_ORDS_EVENT_DATE],
                            shown(p, v[TL_ORDS_EVENT_DATE]));
    }
    memcpy(r->event_date, v[TL_ORDS_EVENT_DATE], 11);
    return NULL;
}

const char *tl_ords_read(apr_pool_t *p, const tl_csv_table *t, tl_ords_import *out)
{
    tl_ords_header h;
    int i;
    const char *msg;
    apr_array_header_t *errors;
    apr_hash_t *seen;

    memset(out, 0, sizeof(*out));
    if ((msg = tl_ords_header_read(p, t->ncols, t->header, &h)) != NULL) {
        return msg;
    }
    out->nignored = h.nignored;
    out->ignored = h.ignored;
    out->rows = apr_palloc(p, sizeof(*out->rows) * (size_t)(t->nrows ? t->nrows : 1));
    errors = apr_array_make(p, 8, sizeof(tl_ords_error));
    /* The schema's primary key: a second row with one id would overwrite
     * the first in any consumer. */
    seen = apr_hash_make(p);
    for (i = 0; i < t->nrows; i++) {
        tl_ords_row *r = &out->rows[out->nrows];
        const char *why = tl_ords_record(p, &h, &t->rows[i], r);

        if (!why) {
            const tl_ords_row *first = apr_hash_get(seen, r->id, APR_HASH_KEY_STRING);
            if (first) {
                why = apr_psprintf(p, "%s « %s » déjà donné ligne %d", h.name[TL_ORDS_ID], shown(p, r->id),
                                   first->line);
            }
            else {
                /* Rows stay where they are: out->rows is never moved. */
                apr_hash_set(seen, r->id, APR_HASH_KEY_STRING, r);
            }
        }
        if (why) {
            tl_ords_error *e = &APR_ARRAY_PUSH(errors, tl_ords_error);
            e->line = t->rows[i].line;
            e->reason = why;
            continue;
        }
        out->nrows++;
    }
    out->nerrors = errors->nelts;
    out->errors = (tl_ords_error *)errors->elts;
    return NULL;
}

/* ---- export ------------------------------------------------------------ */

/* One field: quoted only when it must be (RFC 4180), as the published
 * files do. */
static void put_field(tl_buf *out, const char *s, size_t n)
{
    size_t i, from = 0;

    for (i = 0; i < n; i++) {
        char c = s[i];
        if (c == ',' || c == '"' || c == '\n' || c == '\r') {
            break;
        }
    }
    if (i == n) {
        tl_buf_add(out, s, n);
        return;
    }
    tl_buf_addc(out, '"');
    for (i = 0; i < n; i++) {
        if (s[i] == '"') {
            tl_buf_add(out, s + from, i + 1 - from);
            from = i;       /* the quote goes out twice */
        }
    }
    tl_buf_add(out, s + from, n - from);
    tl_buf_addc(out, '"');
}

static void put_str(tl_buf *out, const char *s)
{
    if (s) {
        put_field(out, s, strlen(s));
    }
}

static void put_int(tl_buf *out, int v)
{
    char d[12];
    int k = 0;

    do {
        d[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0 && k < 11);
    while (k > 0) {
        tl_buf_addc(out, d[--k]);
    }
}

void tl_ords_writer_init(tl_ords_writer *w, tl_buf *out, int flags)
{
    int f;

    w->out = out;
    w->flags = flags;
    tl_buf_init(&w->scratch, out->pool, 1024);
    for (f = 0; f < TL_ORDS_NFIELDS; f++) {
        if (f) {
            tl_buf_addc(out, ',');
        }
        tl_buf_adds(out, tl_ords_fields[f]);
    }
    tl_buf_addc(out, '\n');
}

void tl_ords_writer_row(tl_ords_writer *w, const tl_ords_row *r)
{
    tl_buf *out = w->out;
    const char *cat = tl_ords_category_name(r->product_category_id);
    const char *status = tl_ords_status_label(r->repair_status);

    put_str(out, r->id);
    tl_buf_addc(out, ',');
    put_str(out, r->data_provider);
    tl_buf_addc(out, ',');
    put_str(out, r->country);
    tl_buf_addc(out, ',');
    put_str(out, r->partner_product_category);
    tl_buf_addc(out, ',');
    /* The caller's spelling (an imported row's own), else the canonical name. */
    put_str(out, r->product_category ? r->product_category : cat);
    tl_buf_addc(out, ',');
    if (cat) {
        put_int(out, r->product_category_id);
    }
    tl_buf_addc(out, ',');
    put_str(out, (r->brand && *r->brand) ? r->brand : "Unknown");
    tl_buf_addc(out, ',');
    if (r->year_of_manufacture > 0 && r->year_of_manufacture <= 9999) {
        char y[4] = { (char)('0' + r->year_of_manufacture / 1000), (char)('0' + r->year_of_manufacture / 100 % 10),
                      (char)('0' + r->year_of_manufacture / 10 % 10), (char)('0' + r->year_of_manufacture % 10) };
        tl_buf_add(out, y, 4);
    }
    tl_buf_addc(out, ',');
    put_str(out, r->product_age);
    tl_buf_addc(out, ',');
    tl_buf_adds(out, status ? status : "Unknown");
    tl_buf_addc(out, ',');
    /* A barrier means nothing on an item that was not given up. */
    if (r->repair_status == TL_ORDS_STATUS_END_OF_LIFE && tl_ords_barrier_label(r->barrier)) {
        tl_buf_adds(out, tl_ords_barrier_label(r->barrier));
    }
    tl_buf_addc(out, ',');
    put_str(out, r->group_identifier);
    tl_buf_addc(out, ',');
    put_field(out, r->event_date, strnlen(r->event_date, 10));
    tl_buf_addc(out, ',');
    if (r->problem && (w->flags & TL_ORDS_SCRUB_PROBLEM)) {
        w->scratch.len = 0;
        tl_ords_scrub(&w->scratch, r->problem, strlen(r->problem));
        put_field(out, w->scratch.data, w->scratch.len);
    }
    else {
        put_str(out, r->problem);
    }
    tl_buf_addc(out, '\n');
}

/* ---- scrubbing the problem text --------------------------------------- */

#define MARK_MAIL "[courriel retiré]"
#define MARK_PHONE "[téléphone retiré]"

static int mail_local_char(unsigned char c)
{
    return is_alnum(c) || c >= 0x80 || (c && strchr("._%+-'", c));
}

static int mail_domain_char(unsigned char c)
{
    return is_alnum(c) || c >= 0x80 || c == '-' || c == '.';
}

/* The end of an e-mail address whose '@' is at s[at], or 0: a domain with
 * a dot and a last label of two letters or more ("x@y" or "5 @ 3 €" are
 * no addresses). */
static size_t mail_end(const unsigned char *s, size_t n, size_t at)
{
    size_t e = at + 1, dot = 0, k;

    while (e < n && mail_domain_char(s[e])) {
        e++;
    }
    while (e > at + 1 && (s[e - 1] == '.' || s[e - 1] == '-')) {
        e--;        /* the full stop ending the sentence */
    }
    for (k = at + 1; k < e; k++) {
        if (s[k] == '.') {
            dot = k;
        }
    }
    if (dot == 0 || dot == at + 1 || e - dot < 3) {
        return 0;
    }
    for (k = dot + 1; k < e; k++) {
        if (is_digit(s[k])) {
            return 0;
        }
    }
    return e;
}

/* The bytes of a separator between groups of digits at s[i] (a space, a
 * dot, a hyphen, a no-break space or a narrow one), or 0. */
static size_t sep_len(const unsigned char *s, size_t n, size_t i)
{
    if (i < n && (s[i] == ' ' || s[i] == '.' || s[i] == '-')) {
        return 1;
    }
    if (i + 1 < n && s[i] == 0xC2 && s[i + 1] == 0xA0) {
        return 2;
    }
    if (i + 2 < n && s[i] == 0xE2 && s[i + 1] == 0x80 && s[i + 2] == 0xAF) {
        return 3;
    }
    return 0;
}

#define MAX_GROUPS 8

typedef struct {
    size_t end;     /* just past the group (its ')' included) */
    int len;        /* digits */
    int paren;
    char first;     /* its first digit */
} group;

/* Whether groups g[0..k) (digits in all: d, the first ones in lead) have
 * the shape of a phone number. */
static int phone_shape(const group *g, int k, int d, int plus, const char *lead)
{
    int i;

    if (plus) {
        /* E.164: at most 15 digits; under 8, "+2 °C", "+15 %"… */
        return d >= 8 && d <= 15 && !g[0].paren;
    }
    if (g[0].paren == 0 && lead[0] == '0' && lead[1] == '0') {
        /* 0033 6 12 34 56 78, 00 44 20 7946 0958 */
        return d >= 11 && d <= 15 && lead[2] != '0';
    }
    if (d == 10 && lead[0] == '0' && lead[1] != '0') {
        /* French: 0612345678 or five pairs, 06 12 34 56 78. */
        if (k == 1) {
            return !g[0].paren;
        }
        if (k == 5) {
            for (i = 0; i < 5; i++) {
                if (g[i].len != 2 || g[i].paren) {
                    return 0;
                }
            }
            return 1;
        }
    }
    if (lead[0] == '0' && lead[1] != '0' && !g[0].paren) {
        /* The national numbers of the providers' countries, written with a
         * trunk 0: British (07700 900123, 020 7946 0958, 01632 960123),
         * German (030 12345678, 0171 1234567, 0151-12345678), Dutch
         * (06 12345678, 020 123 4567), Belgian (0470 12 34 56, 02 123 45
         * 67). Eleven digits in one run, or nine to twelve in
         * groups of two digits or more, the first one of five at most —
         * a year, a weight or "0 10 20 30" never has that shape. */
        if (k == 1) {
            return d == 11;
        }
        if (d >= 9 && d <= 12 && g[0].len <= 5 && k <= 5) {
            for (i = 0; i < k; i++) {
                if (g[i].len < 2 || (i > 0 && g[i].paren)) {
                    return 0;
                }
            }
            return 1;
        }
    }
    if (k == 4 && d == 8 && g[0].first >= '2') {
        /* Danish: four pairs, 20 12 34 56 (eight digits in one run are
         * taken only after a word that says "phone", see context). */
        for (i = 0; i < 4; i++) {
            if (g[i].len != 2 || g[i].paren) {
                return 0;
            }
        }
        return 1;
    }
    /* North America: (555) 123-4567, 555-123-4567, 1-800-555-1234; never
     * ten digits in one run, which serial numbers are. */
    if (k == 3 && d == 10 && g[0].len == 3 && g[1].len == 3 && g[2].len == 4 && !g[1].paren && !g[2].paren
        && g[0].first >= '2') {
        return 1;
    }
    if (k == 4 && d == 11 && g[0].len == 1 && g[0].first == '1' && !g[0].paren && g[1].len == 3
        && g[2].len == 3 && g[3].len == 4 && !g[2].paren && !g[3].paren && g[1].first >= '2') {
        return 1;
    }
    return 0;
}

/* Whether a number may start at s[i]: not inside a word, a model number
 * ("XR-2000"), a date ("12/05/2024") or a decimal ("3.06"). */
static int may_start(const unsigned char *s, size_t i)
{
    unsigned char c;

    if (i == 0) {
        return 1;
    }
    c = s[i - 1];
    if (is_alnum(c) || (c && strchr("/_+@#&=-", c))) {
        return 0;
    }
    if ((c == '.' || c == ',') && i >= 2 && is_digit(s[i - 2])) {
        return 0;
    }
    /* The tail of a longer run of groups ("12 34 56 78 90" from "34"):
     * the run is judged from its first group. */
    if ((c == ' ' || c == '-') && i >= 2 && is_digit(s[i - 2])) {
        return 0;
    }
    return 1;
}

/* Whether a number may end before s[e]: not followed by a letter, a digit,
 * an '@', a '/' or a decimal part. */
static int may_end(const unsigned char *s, size_t n, size_t e)
{
    if (e >= n) {
        return 1;
    }
    if (is_alnum(s[e]) || s[e] == '/' || s[e] == '@') {
        return 0;
    }
    if ((s[e] == '.' || s[e] == ',' || s[e] == '-') && e + 1 < n && is_digit(s[e + 1])) {
        return 0;
    }
    return 1;
}

/* Whether a word that announces a phone number ("tel", "tlf.",
 * "Telefon", "phone", "mobil", "Handy", "gsm", "portable") ends
 * within the few bytes before s[i]: then any eight to fifteen digits are
 * one (a Danish "tlf. 20123456", a German "Tel.: 0301234567"). */
static int after_phone_word(const unsigned char *s, size_t i)
{
    static const char *const words[] = { "tel", "tlf", "telefon", "telephone", "phone", "mobil", "mobile", "handy",
                                         "gsm", "portable", NULL };
    size_t e = i, b;
    int w;

    /* Back over ": ", ". ", "-" and spaces, then one word. */
    while (e > 0 && i - e < 6 && (s[e - 1] == ' ' || s[e - 1] == ':' || s[e - 1] == '.' || s[e - 1] == '-')) {
        e--;
    }
    b = e;
    while (b > 0 && e - b < 12 && ((s[b - 1] >= 'a' && s[b - 1] <= 'z') || (s[b - 1] >= 'A' && s[b - 1] <= 'Z'))) {
        b--;
    }
    if (b == e || (b > 0 && (s[b - 1] >= 0x80 || is_alnum(s[b - 1])))) {
        return 0;
    }
    for (w = 0; words[w]; w++) {
        size_t l = strlen(words[w]), k;
        if (l != e - b) {
            continue;
        }
        for (k = 0; k < l && lower(s[b + k]) == words[w][k]; k++) {
        }
        if (k == l) {
            return 1;
        }
    }
    return 0;
}

/* The end of a phone number starting at s[i], or 0. */
static size_t phone_end(const unsigned char *s, size_t n, size_t i)
{
    group g[MAX_GROUPS];
    char lead[3] = { 0, 0, 0 };
    int k = 0, plus = 0, d = 0, ends_d[MAX_GROUPS];
    size_t pos = i;

    if (s[pos] == '+') {
        plus = 1;
        pos++;
    }
    while (k < MAX_GROUPS && pos < n) {
        size_t start = pos, sl;
        int paren = 0, len = 0;

        if (s[pos] == '(') {
            paren = 1;
            pos++;
        }
        while (pos < n && is_digit(s[pos]) && len < 15) {
            if (d + len < 3) {
                lead[d + len] = (char)s[pos];
            }
            pos++;
            len++;
        }
        if (len == 0 || (paren && (pos >= n || s[pos] != ')'))) {
            pos = start;
            break;
        }
        if (paren) {
            pos++;
        }
        g[k].end = pos;
        g[k].len = len;
        g[k].paren = paren;
        g[k].first = (char)s[pos - (size_t)len - (size_t)paren];
        d += len;
        ends_d[k] = d;
        k++;
        sl = sep_len(s, n, pos);
        if (sl && pos + sl < n && (is_digit(s[pos + sl]) || s[pos + sl] == '(')) {
            pos += sl;
        }
        else if (paren && pos < n && is_digit(s[pos])) {
            continue;       /* (555)123-4567, +33 (0)6 12… */
        }
        else {
            break;
        }
    }
    /* The longest run of groups that has a phone's shape: "06 12 34 56 78
     * 2019" loses its phone and keeps its year. */
    for (; k > 0; k--) {
        if (may_end(s, n, g[k - 1].end)
            && (phone_shape(g, k, ends_d[k - 1], plus, lead)
                || (ends_d[k - 1] >= 8 && ends_d[k - 1] <= 15 && after_phone_word(s, i)))) {
            return g[k - 1].end;
        }
    }
    return 0;
}

void tl_ords_scrub(tl_buf *out, const char *text, size_t n)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0, flushed = 0, e;

    while (i < n) {
        unsigned char c = s[i];

        /* An address is tried from the start of its local part, before the
         * digits in it could be taken for a phone number. */
        if (mail_local_char(c) && (i == 0 || !mail_local_char(s[i - 1]))) {
            size_t at = i;
            while (at < n && mail_local_char(s[at])) {
                at++;
            }
            if (at < n && s[at] == '@' && (e = mail_end(s, n, at)) != 0) {
                tl_buf_add(out, text + flushed, i - flushed);
                tl_buf_adds(out, MARK_MAIL);
                flushed = i = e;
                continue;
            }
        }
        if ((is_digit(c) || c == '+' || c == '(') && may_start(s, i) && (e = phone_end(s, n, i)) != 0) {
            tl_buf_add(out, text + flushed, i - flushed);
            tl_buf_adds(out, MARK_PHONE);
            flushed = i = e;
            continue;
        }
        i++;
    }
    tl_buf_add(out, text + flushed, n - flushed);
}

/* ---- the file's name --------------------------------------------------- */

const char *tl_ords_filename(apr_pool_t *p, const char *provider, int year, int month)
{
    /* U+00C0-U+00FF as ASCII, upper case first then lower case; '?' where
     * a character has no letter (×, ÷). */
    static const char latin1[] = "AAAAAAACEEEEIIII" "DNOOOOO?OUUUUYTs" "aaaaaaaceeeeiiii" "dnooooo?ouuuuyty";
    char name[65];
    const unsigned char *s = (const unsigned char *)(provider ? provider : "");
    size_t k = 0;
    int word_start = 1;

    while (*s && k < 64) {
        char a = 0, b = 0;

        if (is_alnum(*s)) {
            a = (char)*s++;
        }
        else if (s[0] == 0xC3 && s[1] >= 0x80 && s[1] <= 0xBF) {
            a = latin1[s[1] - 0x80];
            if (a == '?') {
                a = 0;
            }
            if (s[1] == 0x86 || s[1] == 0xA6) {
                b = s[1] == 0x86 ? 'E' : 'e';       /* Æ æ */
            }
            s += 2;
        }
        else if (s[0] == 0xC5 && (s[1] == 0x92 || s[1] == 0x93)) {
            a = s[1] == 0x92 ? 'O' : 'o';
            b = s[1] == 0x92 ? 'E' : 'e';
            s += 2;
        }
        else {
            /* Anything else separates words, a UTF-8 sequence whole. */
            s++;
            while ((*s & 0xC0) == 0x80) {
                s++;
            }
            word_start = 1;
            continue;
        }
        if (!a) {
            word_start = 1;
            continue;
        }
        if (word_start && a >= 'a' && a <= 'z') {
            a = (char)(a - 'a' + 'A');
        }
        word_start = 0;
        name[k++] = a;
        if (b && k < 64) {
            name[k++] = b;
        }
    }
    name[k] = '\0';
    return apr_psprintf(p, "OpenRepairData_v0.3_%s_%04d%02d.csv", k ? name : "TiersLieux", year % 10000,
                        month % 100);
}
