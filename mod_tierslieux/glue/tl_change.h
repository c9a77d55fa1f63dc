/* Running a change and showing why the database refused it: one helper
 * for every form. A page names its SQL call and a map from what a refusal
 * names (a constraint, or a missing right) to the field the message goes
 * under, or to a whole-form error page; the French messages come from the
 * database (the functions in sql/logic write them) unless the map gives
 * its own.
 * Pages never look at a constraint's name themselves. The reads that go
 * through a function checking a role (tl.desk_member_loans…) use it too:
 * they refuse as a change does. */
#ifndef TL_CHANGE_H
#define TL_CHANGE_H

#include "tl_module.h"
#include "tl_db.h"

/* The key of a rule for a refused right (SQLSTATE 42501, a 403): no
 * constraint is named so. */
#define TL_CHANGE_FORBIDDEN "(forbidden)"

/* One rule of a map. A map is an array that ends with its default rule,
 * the one whose constraint is NULL: it applies to every refusal the rules
 * before it do not name (a refused right only to a TL_CHANGE_FORBIDDEN
 * rule). Its field, when NULL, is the field tl_change is given, so that
 * several calls share a map and each has its own default field; a default
 * rule with no field from either is a whole-form refusal: an error page. */
typedef struct {
    const char *constraint;   /* the constraint a refusal names, TL_CHANGE_FORBIDDEN, or NULL */
    const char *field;        /* the field its message goes under; NULL: an error page, nothing under a field */
    const char *message;      /* NULL: the database's message as a sentence; else French text in which "%s"
                               * stands for the database's message as it is and "%S" for it as a sentence;
                               * "" on an error page: the usual words of its status */
    int status;               /* an error page's status; 0: the refusal's own (422, or 403) */
    const char *flag;         /* a view value set to "t" when this rule applies (what the form offers next) */
} tl_change_rule;

/* The map of a call whose refusals are never about a field: any of them
 * shows the status page (403, 422) with its usual words. */
extern const tl_change_rule tl_change_status_page[];

/* Runs one change (sql with params, one statement, so one transaction).
 * rules may be NULL (only field, the default). Returns 1 when it committed
 * (its rows in *result when result is not NULL); 0 when the database
 * refused it and the rule put the message under its field: the page shows
 * its form again, with a 422 (nothing changed); -1 when an error page was
 * sent (a rule without a field, a refused right with no rule for it, the
 * database unreachable: 503...): the page returns *status. A refused right with no rule shows the database's sentence and
 * "Rien n'a été changé."; one whose DETAIL names an attempt on an account
 * (sql/logic/members_accounts.sql) is journaled in a transaction of its
 * own, since the refused one rolled back. */
int tl_change(tl_req *q, const char *sql, int nparams, const char *const *params, const tl_change_rule *rules,
              const char *field, int *status, const tl_rows **result);

/* The same inside a transaction that is always rolled back (tl_db_try):
 * what the change would say, for the desk to show before a volunteer
 * confirms. Returns 1 when it would commit. */
int tl_change_try(tl_req *q, const char *sql, int nparams, const char *const *params, const tl_change_rule *rules,
                  const char *field, int *status);

/* A refusal already received (*status 403 or 422 and *why, from a
 * transaction of several statements: tl_db_in_tx, tl_db_end), or a failure
 * (any other *status), shown by the same rules as tl_change; returns 0 or
 * -1 as tl_change does. dry_run: the refusal came from a transaction that
 * was rolled back anyway, nothing to journal. */
int tl_change_refusal(tl_req *q, const tl_db_refusal *why, const tl_change_rule *rules, const char *field,
                      int dry_run, int *status);

#endif
