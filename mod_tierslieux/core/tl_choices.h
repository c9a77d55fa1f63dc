/* tl_choices — the closed lists the desk's and back office's forms choose
 * from (a select, a group of radio buttons, a hidden "action"), in one
 * place: the pages read their field with tl_field_choice against these, and
 * the fuzz target (tests/fuzz/fuzz_form.c) runs every one of them over any
 * body, so a missing or strange choice is a refusal, never a crash. */
#ifndef TL_CHOICES_H
#define TL_CHOICES_H

extern const char *const tl_choices_payment[];        /* the till: paiement */
extern const char *const tl_choices_intake_source[];  /* an intake: provenance */
extern const char *const tl_choices_destination[];    /* an outflow: destination */
extern const char *const tl_choices_stock_action[];   /* a stock item: action */
extern const char *const tl_choices_team_action[];    /* the team: action */
extern const char *const tl_choices_seeds_kind[];     /* the seed library's admin: quoi */
extern const char *const tl_choices_repeat[];         /* a repair café's sessions: repetition */
extern const char *const tl_choices_event_kind[];     /* an event's kind (tl.event_kind): type */
extern const char *const tl_choices_proposal_action[]; /* a workshop proposed: action */
extern const char *const tl_choices_session_action[]; /* one session: action */
extern const char *const tl_choices_import_kind[];    /* an import: quoi */
extern const char *const tl_choices_item_state[];     /* an item retired or back: action */
extern const char *const tl_choices_maintenance[];    /* maintenance begun or ended: action */
extern const char *const tl_choices_stream_scope[];   /* filières of a place or of the network: portee */

/* Every list with the field and label it is read under, for the fuzz
 * target; ends with a NULL field. */
typedef struct {
    const char *field;
    const char *label;
    const char *const *choices;
} tl_choice_field;

extern const tl_choice_field tl_choice_fields[];

#endif
