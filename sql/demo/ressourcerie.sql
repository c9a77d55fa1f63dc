-- Demo containers at La Fabrique, whose ressourcerie corner weighs what
-- comes in: their tare comes off each weighing.
INSERT INTO tl.reuse_container (place_id, name, tare_kg)
SELECT p.id, c.name, c.tare
  FROM tl.place p, (VALUES ('Bac gris', 12.5), ('Caddie', 18.2), ('Palette', 22)) AS c(name, tare)
 WHERE p.slug = 'la-fabrique';

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
