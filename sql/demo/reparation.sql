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
