/*
 * Prints a sample calendar on stdout: sessions in Paris on both sides of
 * the 2026 changes and one in La Réunion, with texts that need escaping
 * and folding. tests/integration/test_ical_core.py reads it with Debian's
 * python3-icalendar, an independent parser. Usage: ical_sample [ZONEINFO]
 */
#include <stdio.h>
#include <string.h>
#include <apr_general.h>
#include <apr_pools.h>

#include "tl_ical.h"
#include "tl_date.h"

static int64_t utc(int y, int m, int d, int hh, int mm)
{
    return tl_days_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60;
}

int main(int argc, char **argv)
{
    static const struct {
        const char *uid, *tzid;
        tl_tz_local start, end;
        tl_ical_status status;
    } sessions[] = {
        { "seance-41@tierslieux.example.fr", "Europe/Paris", { 2026, 3, 14, 14, 0, 0 }, { 2026, 3, 14, 17, 30, 0 }, TL_ICAL_CONFIRMED },
        { "seance-42@tierslieux.example.fr", "Europe/Paris", { 2026, 7, 11, 9, 30, 0 }, { 2026, 7, 11, 12, 0, 0 }, TL_ICAL_CANCELLED },
        { "seance-43@tierslieux.example.fr", "Europe/Paris", { 2026, 11, 14, 14, 0, 0 }, { 2026, 11, 14, 18, 0, 0 }, TL_ICAL_CONFIRMED },
        { "seance-44@tierslieux.example.fr", "Indian/Reunion", { 2026, 12, 5, 9, 0, 0 }, { 2026, 12, 5, 12, 0, 0 }, TL_ICAL_CONFIRMED },
    };
    apr_pool_t *p;
    tl_ical *cal;
    tl_buf out;
    const char *err = NULL;
    size_t i;

    apr_initialize();
    apr_pool_create(&p, NULL);
    cal = tl_ical_create(p, "-//Réseau des médiathèques//mod_tierslieux//FR", "Repair cafés, ateliers; réparations");
    if (argc > 1) {
        tl_ical_set_zoneinfo(cal, argv[1]);
    }
    for (i = 0; i < sizeof(sessions) / sizeof(sessions[0]); i++) {
        tl_ical_event ev;

        memset(&ev, 0, sizeof(ev));
        ev.uid = sessions[i].uid;
        ev.dtstamp = utc(2026, 11, 22, 19, 0);
        ev.tzid = sessions[i].tzid;
        ev.start = sessions[i].start;
        ev.end = sessions[i].end;
        ev.summary = "Repair café : grille-pain, vélos, lampes; tout ce qui se répare";
        ev.location = "Médiathèque Jules-Verne, 12 rue des Écoles, 35000 Saint-Aubin";
        ev.description = "Apportez l'objet et ses pièces.\nLes bénévoles réparent avec vous ; "
                         "les outils sont fournis, l'entrée est libre\\gratuite. Une ligne assez longue "
                         "pour être pliée plusieurs fois, avec des caractères accentués : "
                         "éèêëàâîïôöùûüç ÉÈÊ — « guillemets » 🔧";
        ev.url = "https://tierslieux.example.fr/tierslieux/reparation/seances/41?lieu=mediatheque-jules-verne";
        ev.status = sessions[i].status;
        ev.sequence = (int)i;
        ev.has_last_modified = 1;
        ev.last_modified = utc(2026, 11, 20, 8, 15);
        if (tl_ical_add_event(cal, &ev, &err) != 0) {
            fprintf(stderr, "ical_sample: %s: %s\n", ev.uid, err);
            return 1;
        }
    }
    tl_buf_init(&out, p, 8192);
    tl_ical_finish(cal, &out);
    fwrite(out.data, 1, out.len, stdout);
    apr_pool_destroy(p);
    apr_terminate();
    return 0;
}
