#include <string.h>
#include <apr_strings.h>
#include "tl_valid.h"
#include "tl_escape.h"

const char *tl_valid_int(apr_pool_t *p, const char *label, const char *s, long min, long max, long *out)
{
    long v = 0;
    const char *c;

    if (!s || !*s) {
        return apr_psprintf(p, "Le champ « %s » est vide : indiquez un nombre.", label);
    }
    for (c = s; *c; c++) {
        if (*c < '0' || *c > '9') {
            return apr_psprintf(p, "Le champ « %s » doit être un nombre entier (chiffres seulement).", label);
        }
        if (v > (max - (*c - '0')) / 10) {      /* would pass max: stop before overflow */
            v = max + 1L;
            break;
        }
        v = v * 10 + (*c - '0');
    }
    if (v < min || v > max) {
        return apr_psprintf(p, "Le champ « %s » doit être compris entre %ld et %ld.", label, min, max);
    }
    *out = v;
    return NULL;
}

const char *tl_valid_decimal(apr_pool_t *p, const char *label, const char *s, long max, int decimals,
                             const char **out)
{
    const char *c;
    char *copy;
    long whole = 0;
    int digits = 0, frac = -1, nonzero = 0;

    for (c = s ? s : ""; *c; c++) {
        if (*c >= '0' && *c <= '9' && frac < 0) {
            if (++digits > 9) {
                break;
            }
            whole = whole * 10 + (*c - '0');
        }
        else if (*c >= '0' && *c <= '9' && frac < decimals) {
            frac++;
            nonzero |= *c != '0';
        }
        else if ((*c == ',' || *c == '.') && frac < 0 && digits > 0 && c[1] && decimals > 0) {
            frac = 0;
        }
        else {
            return apr_psprintf(p, "Le champ « %s » est un nombre, par exemple 12 ou 12,5.", label);
        }
    }
    if (digits == 0) {
        return apr_psprintf(p, "Le champ « %s » est un nombre, par exemple 12 ou 12,5.", label);
    }
    if (digits > 9 || whole > max || (whole == max && nonzero)) {
        return apr_psprintf(p, "Le champ « %s » va jusqu'à %ld.", label, max);
    }
    copy = apr_pstrdup(p, s);
    if ((c = strchr(copy, ',')) != NULL) {
        copy[c - copy] = '.';
    }
    *out = copy;
    return NULL;
}

const char *tl_valid_amount(apr_pool_t *p, const char *label, const char *s, long max, const char **out)
{
    const char *err = tl_valid_decimal(p, label, s, max, 2, out);

    if (err && strstr(err, "jusqu'à")) {
        return apr_psprintf(p, "Le champ « %s » va jusqu'à %ld €.", label, max);
    }
    return err ? apr_psprintf(p, "Le champ « %s » est un montant en euros, par exemple 20 ou 12,50.", label) : NULL;
}

const char *tl_valid_slug(apr_pool_t *p, const char *label, const char *s, size_t maxlen)
{
    size_t n = s ? strlen(s) : 0, i;

    if (n == 0 || n > maxlen) {
        return apr_psprintf(p, "Le champ « %s » n'est pas une valeur connue.", label);
    }
    for (i = 0; i < n; i++) {
        char c = s[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                 || (c == '-' && i > 0 && i + 1 < n && s[i - 1] != '-');
        if (!ok) {
            return apr_psprintf(p, "Le champ « %s » n'est pas une valeur connue.", label);
        }
    }
    return NULL;
}

static const char *tl_valid_chars(apr_pool_t *p, const char *label, const char *s, size_t maxchars, int lines)
{
    size_t n, i, chars = 0;

    s = s ? s : "";         /* an optional text not sent is an empty one */
    n = strlen(s);
    if (!tl_utf8_valid(s, n)) {
        return apr_psprintf(p, "Le champ « %s » contient des caractères illisibles.", label);
    }
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && !(lines && (c == '\n' || c == '\r' || c == '\t'))) || c == 0x7f) {
            return apr_psprintf(p, "Le champ « %s » contient un caractère de contrôle.", label);
        }
        if ((c & 0xC0) != 0x80) {
            chars++;
        }
    }
    if (chars > maxchars) {
        return apr_psprintf(p, "Le champ « %s » est trop long (%lu caractères au plus).", label,
                            (unsigned long)maxchars);
    }
    return NULL;
}

const char *tl_valid_text(apr_pool_t *p, const char *label, const char *s, size_t maxchars)
{
    return tl_valid_chars(p, label, s, maxchars, 0);
}

const char *tl_valid_lines(apr_pool_t *p, const char *label, const char *s, size_t maxchars)
{
    return tl_valid_chars(p, label, s, maxchars, 1);
}

const char *tl_valid_choice(apr_pool_t *p, const char *label, const char *s,
                            const char *const *choices, int *index)
{
    int i;

    if (!s || !*s) {
        return apr_psprintf(p, "Le champ « %s » est vide : faites un choix dans la liste.", label);
    }
    for (i = 0; choices && choices[i]; i++) {
        if (strcmp(s, choices[i]) == 0) {
            *index = i;
            return NULL;
        }
    }
    return apr_psprintf(p, "Le champ « %s » n'accepte pas cette valeur.", label);
}
