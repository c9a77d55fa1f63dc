/* One way to run a change and show its refusal (tl_change.h). */
#include <apr_strings.h>
#include "tl_change.h"
#include "tl_form.h"
#include "tl_render.h"

const tl_change_rule tl_change_status_page[] = {
    { TL_CHANGE_FORBIDDEN, NULL, "", 0, NULL },
    { NULL, NULL, "", 0, NULL }
};

/* The rule that applies to a refusal: the first naming it, else the map's
 * default (a refused right only by its own key). NULL when none does. */
static const tl_change_rule *tl_change_rule_for(const tl_change_rule *rules, int status, const char *constraint)
{
    static const tl_change_rule none = { NULL, NULL, NULL, 0, NULL };
    const char *key = status == HTTP_FORBIDDEN ? TL_CHANGE_FORBIDDEN : constraint;

    for (rules = rules ? rules : &none; rules->constraint; rules++) {
        if (strcmp(rules->constraint, key) == 0) {
            return rules;
        }
    }
    return status != HTTP_FORBIDDEN ? rules : NULL;
}

/* The rule's message: "%s" the database's as it is, "%S" as a sentence. */
static const char *tl_change_message(apr_pool_t *p, const char *text, const char *db)
{
    tl_buf out;
    const char *c;

    if (!text) {
        return tl_form_sentence(p, db);
    }
    if (!strchr(text, '%')) {
        return text;
    }
    tl_buf_init(&out, p, strlen(text) + strlen(db) + 8);
    for (c = text; *c; c++) {
        if (c[0] == '%' && (c[1] == 's' || c[1] == 'S')) {
            tl_buf_adds(&out, c[1] == 's' ? db : tl_form_sentence(p, db));
            c++;
        }
        else {
            tl_buf_addc(&out, *c);
        }
    }
    return tl_buf_cstr(&out);
}

int tl_change_refusal(tl_req *q, const tl_db_refusal *why, const tl_change_rule *rules, const char *field,
                      int dry_run, int *status)
{
    static const tl_change_rule forbidden = { TL_CHANGE_FORBIDDEN, NULL, "%S Rien n'a été changé.", 0, NULL };
    const tl_change_rule *rule;
    const char *message;

    if (*status != HTTP_FORBIDDEN && *status != HTTP_UNPROCESSABLE_ENTITY) {
        *status = tl_render_error(q, *status, NULL);
        return -1;
    }
    if (*status == HTTP_FORBIDDEN && *why->detail && !dry_run) {
        /* The refused transaction rolled back; what it names (a missing
         * right over an account) is journaled in one of its own. */
        int ignored = OK;
        const char *note[] = { q->r->user, why->detail };
        tl_db_change(q, "SELECT tl.journal_refusal($1, $2)", 2, note, &ignored, NULL);
    }
    if (!(rule = tl_change_rule_for(rules, *status, why->constraint))) {
        rule = &forbidden;
    }
    if (rule->flag) {
        tl_view_set(q->view, rule->flag, "t");
    }
    message = rule->message && !*rule->message ? NULL : tl_change_message(q->r->pool, rule->message, why->message);
    if (rule->field || (!rule->constraint && field)) {
        tl_form_error(q, rule->field ? rule->field : field, message);
        *status = HTTP_UNPROCESSABLE_ENTITY;
        return 0;
    }
    *status = tl_render_error(q, rule->status ? rule->status : *status, message);
    return -1;
}

static int tl_change_run(tl_req *q, int dry_run, const char *sql, int nparams, const char *const *params,
                         const tl_change_rule *rules, const char *field, int *status, const tl_rows **result)
{
    tl_db_refusal why;
    const tl_rows *rows;

    *status = OK;
    rows = dry_run ? tl_db_try(q, sql, nparams, params, status, &why)
                   : tl_db_change(q, sql, nparams, params, status, &why);
    if (rows) {
        if (result) {
            *result = rows;
        }
        return 1;
    }
    return tl_change_refusal(q, &why, rules, field, dry_run, status);
}

int tl_change(tl_req *q, const char *sql, int nparams, const char *const *params, const tl_change_rule *rules,
              const char *field, int *status, const tl_rows **result)
{
    return tl_change_run(q, 0, sql, nparams, params, rules, field, status, result);
}

int tl_change_try(tl_req *q, const char *sql, int nparams, const char *const *params, const tl_change_rule *rules,
                  const char *field, int *status)
{
    return tl_change_run(q, 1, sql, nparams, params, rules, field, status, NULL);
}
