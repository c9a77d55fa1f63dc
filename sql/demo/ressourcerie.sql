-- Demo containers at La Fabrique, whose ressourcerie corner weighs what
-- comes in: their tare comes off each weighing.
INSERT INTO tl.reuse_container (place_id, name, tare_kg)
SELECT p.id, c.name, c.tare
  FROM tl.place p, (VALUES ('Bac gris', 12.5), ('Caddie', 18.2), ('Palette', 22)) AS c(name, tare)
 WHERE p.slug = 'la-fabrique';

-- A few weeks of the ressourcerie at La Fabrique, so that its report
-- (/gestion/ressourcerie/bilan, this month by default) shows figures:
-- drop-offs weighed by category, and what left other than by a sale — to
-- recycling, to the déchèterie, and given to another association for
-- reuse. Dated back from the load day, but never before the first of its
-- month (pg_temp.demo_this_month), so the month's report always has them.
CREATE FUNCTION pg_temp.demo_this_month(p_days_ago integer) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
    SELECT greatest(now() - p_days_ago * interval '1 day',
                    date_trunc('month', now() AT TIME ZONE 'Europe/Paris') AT TIME ZONE 'Europe/Paris')
$$;

INSERT INTO tl.reuse_intake (place_id, source, commune, at, recorded_by)
SELECT p.id, d.source, d.commune, pg_temp.demo_this_month(d.ago), a.id
  FROM tl.place p, tl.account a,
       (VALUES ('apport_volontaire', 'Saint-Aubin-sur-Loire', 1), ('collecte_domicile', 'Montval', 3),
               ('entreprise', 'Saint-Aubin-sur-Loire', 6), ('decheterie', 'Montval', 9),
               ('apport_volontaire', 'Les Granges', 12)) AS d(source, commune, ago)
 WHERE p.slug = 'la-fabrique' AND a.login = 'referente.fabrique';

INSERT INTO tl.reuse_weighing (intake_id, category, gross_kg, recorded_by)
SELECT i.id, w.category, w.kg, i.recorded_by
  FROM tl.reuse_intake i JOIN tl.place p ON p.id = i.place_id AND p.slug = 'la-fabrique',
       (VALUES ('mobilier', 42.5), ('textile', 18.25), ('vaisselle', 9.8), ('livres', 14), ('jouets', 6.4),
               ('electromenager', 11.75)) AS w(category, kg)
 WHERE (i.id + length(w.category)) % 3 <> 0;

INSERT INTO tl.reuse_outflow (place_id, destination, partner, category, gross_kg, at, recorded_by)
SELECT p.id, o.destination, o.partner, o.category, o.kg, pg_temp.demo_this_month(o.ago), a.id
  FROM tl.place p, tl.account a,
       (VALUES ('recyclage', 'Le Relais Val de Loire', 'textile', 22.4, 2),
               ('recyclage', 'Déchèterie de Montval', 'electromenager', 15.1, 4),
               ('elimination', 'Déchèterie de Montval', 'divers', 8.6, 4),
               ('don_reemploi', 'Emmaüs Montval', 'mobilier', 35, 7),
               ('don_reemploi', 'Secours populaire', 'jouets', 4.2, 10)) AS o(destination, partner, category, kg, ago)
 WHERE p.slug = 'la-fabrique' AND a.login = 'referente.fabrique';

-- Two drop-offs this week, weighed, with objects sorted out of them and put
-- on sale, and one sale at the till.
DO $$
DECLARE
    v_intake bigint;
BEGIN
    v_intake := tl.start_intake('referente.fabrique', 'la-fabrique', 'apport_volontaire', 'Saint-Aubin-sur-Loire');
    PERFORM tl.weigh('referente.fabrique', v_intake, 'm', 38.5, NULL, NULL, NULL);
    PERFORM tl.weigh('referente.fabrique', v_intake, 'v', 9.25, NULL, NULL, NULL);
    PERFORM tl.weigh('referente.fabrique', v_intake, 'l', 14, NULL, NULL, NULL);
    PERFORM tl.create_reuse_item('referente.fabrique', v_intake, 'Chaise paillée', 'Bois de hêtre, assise refaite', 'm',
                                 4.5, 12);
    PERFORM tl.create_reuse_item('referente.fabrique', v_intake, 'Petite commode trois tiroirs', 'Pin ciré, 80 × 45 cm',
                                 'm', 21, 35);
    PERFORM tl.create_reuse_item('referente.fabrique', v_intake, 'Service à café', 'Six tasses et sous-tasses', 'v',
                                 1.8, 6);
    PERFORM tl.create_reuse_item('referente.fabrique', v_intake, 'Lot de romans policiers', 'Une dizaine de poches',
                                 'l', 2.4, NULL);
    v_intake := tl.start_intake('referente.fabrique', 'la-fabrique', 'collecte_domicile', 'Brissac-Loire-Aubance');
    PERFORM tl.weigh('referente.fabrique', v_intake, 'b', 14.2, NULL, NULL, NULL);
    PERFORM tl.weigh('referente.fabrique', v_intake, 'e', 32.5, (SELECT id FROM tl.reuse_container WHERE name = 'Caddie'),
                     NULL, NULL);
    PERFORM tl.create_reuse_item('referente.fabrique', v_intake, 'Vélo de ville 26 pouces', 'Révisé : freins et pneus neufs',
                                 'b', 14.2, 45);
    PERFORM tl.create_reuse_item('referente.fabrique', v_intake, 'Lampe de bureau', 'Interrupteur à changer', 'e', 1.3,
                                 NULL);
    PERFORM tl.sell('referente.fabrique', 'la-fabrique', 'especes', '{R00001}', '{NULL}', '{t}', '{3.2}', '{5}');
END $$;
