-- Demo repair café sessions, dated from today so the agenda always has some:
-- La Fabrique on the coming Saturdays, the médiathèque once a month, Lakour
-- in La Réunion (its own time zone). Slots every half hour, three objects
-- each; one session cancelled, to show what visitors then see. Two sessions
-- are already past (weeks_ahead below 0), with what became of the objects
-- seen there.
WITH plan (place, weeks_ahead, dow, start_time, end_time, title, skills, cancel) AS (VALUES
    ('la-fabrique', 0, 6, time '14:00', time '17:30', 'Repair café de La Fabrique',
     ARRAY['electricite', 'petit_electromenager', 'informatique', 'velo'], NULL),
    ('la-fabrique', 2, 6, time '14:00', time '17:30', 'Repair café de La Fabrique',
     ARRAY['electricite', 'petit_electromenager', 'meubles'], NULL),
    ('mediatheque-jules-verne', 1, 3, time '14:30', time '17:00', 'Atelier réparation à la médiathèque',
     ARRAY['couture', 'jouets', 'informatique'], NULL),
    ('mediatheque-jules-verne', 5, 3, time '14:30', time '17:00', 'Atelier réparation à la médiathèque',
     ARRAY['couture', 'jouets'], 'Inventaire annuel de la médiathèque'),
    ('tiers-lieu-lakour', 1, 6, time '09:00', time '12:00', 'Kaz réparé Lakour',
     ARRAY['electricite', 'velo', 'meubles'], NULL),
    ('la-fabrique', -2, 6, time '14:00', time '17:30', 'Repair café de La Fabrique',
     ARRAY['electricite', 'petit_electromenager', 'velo'], NULL),
    ('mediatheque-jules-verne', -3, 3, time '14:30', time '17:00', 'Atelier réparation à la médiathèque',
     ARRAY['couture', 'jouets', 'informatique'], NULL)
), sessions AS (
    INSERT INTO tl.repair_session (place_id, title, starts_at, ends_at, skills, cancelled_at, cancel_reason)
    SELECT p.id, plan.title,
           ((current_date + ((plan.dow - extract(isodow FROM current_date)::integer + 7) % 7) + 7 * plan.weeks_ahead
             + CASE WHEN plan.weeks_ahead = 0 AND extract(isodow FROM current_date)::integer = plan.dow THEN 7 ELSE 0 END)
            + plan.start_time) AT TIME ZONE p.time_zone,
           ((current_date + ((plan.dow - extract(isodow FROM current_date)::integer + 7) % 7) + 7 * plan.weeks_ahead
             + CASE WHEN plan.weeks_ahead = 0 AND extract(isodow FROM current_date)::integer = plan.dow THEN 7 ELSE 0 END)
            + plan.end_time) AT TIME ZONE p.time_zone,
           plan.skills, CASE WHEN plan.cancel IS NOT NULL THEN now() END, plan.cancel
      FROM plan JOIN tl.place p ON p.slug = plan.place
    RETURNING id, starts_at, ends_at
)
INSERT INTO tl.repair_slot (session_id, starts_at, capacity)
SELECT s.id, t, 3
  FROM sessions s, generate_series(s.starts_at, s.ends_at - interval '30 minutes', interval '30 minutes') t;

-- What the volunteers logged at the two past sessions (walk-ins, as the
-- desk logs them), for the results page, the impact figures and the ORDS
-- export.
SELECT tl.log_repair(r.login, s.id, NULL, r.object, r.category, r.brand, r.age, r.problem, r.status, r.barrier,
                     r.weight, r.minutes, NULL)
  FROM (VALUES
    ('la-fabrique', 'referente.fabrique', 'Grille-pain deux fentes', 'grille_pain', 'Moulinex', 8, 'Ne chauffe plus',
     'repare', NULL, 1.2, 35),
    ('la-fabrique', 'referente.fabrique', 'Lampe de chevet', 'lampe', NULL, 15, 'Interrupteur cassé',
     'repare', NULL, 0.8, 20),
    ('la-fabrique', 'referente.fabrique', 'Aspirateur traîneau', 'aspirateur', 'Rowenta', 11, 'Moteur qui sent le brûlé',
     'fin_de_vie', 2, 5.5, 45),
    ('la-fabrique', 'referente.fabrique', 'Vélo de ville', 'velo', 'Peugeot', 25, 'Dérailleur qui saute',
     'repare', NULL, 15, 50),
    ('la-fabrique', 'referente.fabrique', 'Cafetière à filtre', 'cafetiere', 'Philips', 6, 'Fuit par le dessous',
     'reparable', NULL, 1.4, 30),
    ('mediatheque-jules-verne', 'benevole.mediatheque', 'Pantalon de toile', 'textile', NULL, 3, 'Fermeture éclair cassée',
     'repare', NULL, 0.5, 25),
    ('mediatheque-jules-verne', 'benevole.mediatheque', 'Ordinateur portable', 'ordinateur_portable', 'Lenovo', 7,
     'Très lent au démarrage', 'repare', NULL, 2.1, 60),
    ('mediatheque-jules-verne', 'benevole.mediatheque', 'Camion de pompiers à piles', 'jouet_electrique', NULL, 4,
     'Sirène muette', 'repare', NULL, 0.6, 15)
  ) AS r(place, login, object, category, brand, age, problem, status, barrier, weight, minutes)
  JOIN tl.place p ON p.slug = r.place
  JOIN tl.repair_session s ON s.place_id = p.id AND s.ends_at < now();

-- A lived year before those two: La Fabrique and the médiathèque hold a
-- repair café every four weeks, Lakour every eight, over the twelve months
-- before the load day, and the volunteers logged what came to each (walk-ins,
-- four to seven objects a session, chosen from the list below by the
-- session's number), so that the results, the impact figures and the ORDS
-- export of the year show what a year looks like.
WITH plan (place, first_week, every, sessions, dow, start_time, end_time, title, skills) AS (VALUES
    ('la-fabrique', -6, 4, 12, 6, time '14:00', time '17:30', 'Repair café de La Fabrique',
     ARRAY['electricite', 'petit_electromenager', 'informatique', 'velo']),
    ('mediatheque-jules-verne', -7, 4, 12, 3, time '14:30', time '17:00', 'Atelier réparation à la médiathèque',
     ARRAY['couture', 'jouets', 'informatique']),
    ('tiers-lieu-lakour', -5, 8, 6, 6, time '09:00', time '12:00', 'Kaz réparé Lakour',
     ARRAY['electricite', 'velo', 'meubles'])
), days AS (
    SELECT plan.*, p.id AS place_id, p.time_zone,
           (now() AT TIME ZONE p.time_zone)::date
           + ((plan.dow - extract(isodow FROM (now() AT TIME ZONE p.time_zone)::date)::integer + 7) % 7)
           + 7 * (plan.first_week - plan.every * n) AS day
      FROM plan JOIN tl.place p ON p.slug = plan.place, generate_series(0, plan.sessions - 1) n
), sessions AS (
    INSERT INTO tl.repair_session (place_id, title, starts_at, ends_at, skills)
    SELECT place_id, title, (day + start_time) AT TIME ZONE time_zone, (day + end_time) AT TIME ZONE time_zone, skills
      FROM days
    RETURNING id, starts_at, ends_at
)
INSERT INTO tl.repair_slot (session_id, starts_at, capacity)
SELECT s.id, t, 3
  FROM sessions s, generate_series(s.starts_at, s.ends_at - interval '30 minutes', interval '30 minutes') t;

WITH objects (n, object, category, brand, age, problem, weight, minutes) AS (VALUES
    (0, 'Grille-pain', 'grille_pain', 'Moulinex', 7, 'Ne chauffe plus d''un côté', 1.1, 30),
    (1, 'Bouilloire', 'bouilloire', 'Tefal', 5, 'Ne s''éteint plus seule', 1.0, 25),
    (2, 'Lampe de bureau', 'lampe', NULL, 12, 'Ne s''allume plus', 0.9, 20),
    (3, 'Aspirateur', 'aspirateur', 'Rowenta', 9, 'N''aspire plus', 5.0, 45),
    (4, 'Cafetière à filtre', 'cafetiere', 'Philips', 6, 'Fuit par le dessous', 1.4, 30),
    (5, 'Ordinateur portable', 'ordinateur_portable', 'Lenovo', 6, 'Très lent au démarrage', 2.0, 60),
    (6, 'Téléphone', 'telephone', 'Samsung', 4, 'La batterie ne tient plus', 0.2, 40),
    (7, 'Radio portable', 'radio', 'Philips', 20, 'Grésille', 0.8, 35),
    (8, 'Perceuse', 'outil_electrique', 'Bosch', 10, 'Le moteur s''arrête', 1.8, 40),
    (9, 'Machine à coudre', 'machine_a_coudre', 'Singer', 30, 'Le fil casse', 7.0, 50),
    (10, 'Sèche-cheveux', 'seche_cheveux', 'Babyliss', 5, 'Ne souffle plus chaud', 0.6, 20),
    (11, 'Fer à repasser', 'fer_a_repasser', 'Calor', 8, 'Ne chauffe plus', 1.2, 25),
    (12, 'Robot de cuisine', 'robot_cuisine', 'Moulinex', 11, 'Le bol ne se verrouille plus', 3.5, 35),
    (13, 'Ventilateur', 'ventilateur', NULL, 6, 'Les pales ne tournent plus', 2.5, 25),
    (14, 'Chaîne hi-fi', 'chaine_hifi', 'Sony', 18, 'Le lecteur CD reste muet', 6.0, 55),
    (15, 'Imprimante', 'imprimante', 'HP', 7, 'Bourrage papier', 5.5, 40),
    (16, 'Jouet à piles', 'jouet_electrique', NULL, 3, 'Ne s''allume plus', 0.5, 15),
    (17, 'Guirlande lumineuse', 'guirlande', NULL, 4, 'Une moitié reste éteinte', 0.3, 20),
    (18, 'Vélo', 'velo', 'Decathlon', 8, 'Les freins frottent', 14.0, 40),
    (19, 'Chaise', 'meuble', NULL, 40, 'Un pied bouge', 4.0, 30),
    (20, 'Veste', 'textile', NULL, 5, 'Doublure déchirée', 0.8, 30),
    (21, 'Tablette', 'tablette', 'Apple', 6, 'Le port de charge est abîmé', 0.5, 45),
    (22, 'Horloge', 'montre_horloge', NULL, 25, 'Elle retarde', 0.7, 25),
    (23, 'Casque audio', 'casque_audio', 'JBL', 3, 'Un côté muet', 0.3, 25)
), logged AS (
    SELECT s.id AS session, s.place_id, j, (s.id * 5 + j * 7) % 24 AS n, (s.id + j) % 10 AS luck
      FROM tl.repair_session s, generate_series(0, 3 + s.id % 4) j
     WHERE s.ends_at < now()
       AND NOT EXISTS (SELECT 1 FROM tl.repair_record r WHERE r.session_id = s.id)
)
SELECT tl.log_repair(CASE p.slug WHEN 'la-fabrique' THEN 'referente.fabrique'
                                 WHEN 'mediatheque-jules-verne' THEN 'benevole.mediatheque' ELSE 'admin.reseau' END,
                     l.session, NULL, o.object, o.category, o.brand, o.age, o.problem,
                     CASE WHEN l.luck < 6 THEN 'repare' WHEN l.luck < 8 THEN 'reparable' ELSE 'fin_de_vie' END,
                     CASE WHEN l.luck >= 8 THEN 1 + l.luck % 3 END, o.weight, o.minutes, NULL)
  FROM logged l JOIN objects o ON o.n = l.n JOIN tl.place p ON p.id = l.place_id
 ORDER BY l.session, l.j;

-- Other kinds of events (sql/schema/014), dated from the load day: three
-- workshops (sewing, digital help, seed saving, bike repair), a seed swap
-- and an open day at Lakour, each with its slots. They begin a week after
-- the load day at the earliest, so the first session to come stays a
-- repair café's.
WITH plan (place, days, start_time, end_time, kind, theme, title, leader, description, slot_minutes, capacity) AS (VALUES
    ('la-fabrique', 9, time '14:00', time '16:00', 'atelier', 'couture', 'Atelier couture : repriser et rapiécer',
     'Mireille, couturière bénévole', 'Apportez un vêtement à reprendre ; aiguilles, fils et machines sont sur place.',
     120, 8),
    ('la-fabrique', 16, time '18:00', time '20:00', 'atelier', 'vélo', 'Atelier vélo : freins et dérailleurs',
     NULL, 'Venez avec votre vélo : on apprend à régler ses freins et son dérailleur.', 60, 4),
    ('mediatheque-jules-verne', 10, time '10:00', time '12:00', 'atelier', 'numérique',
     'Atelier numérique : premiers pas sur une tablette', NULL,
     'Pour découvrir la tablette, les courriels et les démarches en ligne, à son rythme.', 60, 6),
    ('mediatheque-jules-verne', 12, time '10:00', time '12:30', 'troc_graines', NULL, 'Troc de graines de printemps',
     NULL, 'Apportez vos sachets de graines, repartez avec d''autres variétés.', 150, 30),
    ('mediatheque-jules-verne', 20, time '14:00', time '16:00', 'atelier', 'graines',
     'Atelier graines : récolter et trier ses semences', NULL, 'Du fruit mûr au sachet étiqueté.', 120, 10),
    ('tiers-lieu-lakour', 13, time '09:00', time '12:00', 'portes_ouvertes', NULL, 'Portes ouvertes de Lakour', NULL,
     'Visite de l''atelier, de l''outilthèque et du jardin partagé.', 60, 20)
), events AS (
    INSERT INTO tl.repair_session (place_id, kind, theme, title, leader, description, starts_at, ends_at)
    SELECT p.id, plan.kind, plan.theme, plan.title, plan.leader, plan.description,
           ((now() AT TIME ZONE p.time_zone)::date + plan.days + plan.start_time) AT TIME ZONE p.time_zone,
           ((now() AT TIME ZONE p.time_zone)::date + plan.days + plan.end_time) AT TIME ZONE p.time_zone
      FROM plan JOIN tl.place p ON p.slug = plan.place
    RETURNING id, title, starts_at, ends_at
)
INSERT INTO tl.repair_slot (session_id, starts_at, capacity)
SELECT e.id, t, plan.capacity
  FROM events e JOIN plan ON plan.title = e.title,
       generate_series(e.starts_at, e.ends_at - make_interval(mins => plan.slot_minutes),
                       make_interval(mins => plan.slot_minutes)) t;

-- A workshop a member proposed three days before the load day, waiting for
-- La Fabrique's référents (/gestion/ateliers); the member agreed to show
-- their first name once it is published.
INSERT INTO tl.event_proposal (member_id, place_id, title, theme, description, dates, participants, show_first_name,
                               created_at)
SELECT m.id, p.id, 'Redonner vie aux jouets en bois', 'jouets en bois',
       'Recoller, poncer et repeindre les jouets en bois abîmés, avec les enfants.',
       'un mercredi après-midi pendant les vacances scolaires', 6, true, now() - interval '3 days'
  FROM tl.member m, tl.place p
 WHERE m.member_number = 'A-000187' AND p.slug = 'la-fabrique';
