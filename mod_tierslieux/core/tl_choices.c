#include <stddef.h>
#include "tl_choices.h"

const char *const tl_choices_payment[] = { "especes", "carte", "cheque", "monnaie_locale", "gratuit", NULL };
const char *const tl_choices_intake_source[] = { "apport_volontaire", "collecte_domicile", "entreprise", "decheterie",
                                                 "service_municipal", NULL };
const char *const tl_choices_destination[] = { "recyclage", "elimination", "don_reemploi", NULL };
const char *const tl_choices_stock_action[] = { "reserver", "remettre", "reparation", "repare", "sortie", NULL };
const char *const tl_choices_team_action[] = { "role", "retirer", "desactiver", "activer", NULL };
const char *const tl_choices_seeds_kind[] = { "espece", "variete", "lot", NULL };
const char *const tl_choices_repeat[] = { "non", "hebdomadaire", "mensuelle", NULL };
const char *const tl_choices_event_kind[] = { "reparation", "atelier", "troc_graines", "portes_ouvertes", NULL };
const char *const tl_choices_proposal_action[] = { "accepter", "refuser", NULL };
const char *const tl_choices_session_action[] = { "annuler", "deplacer", "reparateur", "retirer", "creneau", NULL };
const char *const tl_choices_import_kind[] = { "objets", "adherents", "reparations", NULL };
const char *const tl_choices_item_state[] = { "retirer", "remettre", NULL };
const char *const tl_choices_maintenance[] = { "debut", "fin", NULL };
const char *const tl_choices_stream_scope[] = { "lieu", "reseau", NULL };

const tl_choice_field tl_choice_fields[] = {
    { "paiement", "paiement", tl_choices_payment },
    { "provenance", "provenance", tl_choices_intake_source },
    { "destination", "destination", tl_choices_destination },
    { "action", "action", tl_choices_stock_action },
    { "action", "action", tl_choices_team_action },
    { "quoi", "quoi", tl_choices_seeds_kind },
    { "repetition", "répétition", tl_choices_repeat },
    { "type", "type d'événement", tl_choices_event_kind },
    { "action", "action", tl_choices_proposal_action },
    { "action", "action", tl_choices_session_action },
    { "quoi", "quoi", tl_choices_import_kind },
    { "action", "action", tl_choices_item_state },
    { "action", "action", tl_choices_maintenance },
    { "portee", "portée", tl_choices_stream_scope },
    { NULL, NULL, NULL }
};
