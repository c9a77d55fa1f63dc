-- Demo repair café sessions, dated from today so the agenda always has some:
-- La Fabrique on the coming Saturdays, the médiathèque once a month, Lakour
-- in La Réunion (its own time zone). Slots every half hour, three objects
-- each; one session cancelled, to show what visitors then see.
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
     ARRAY['electricite', 'velo', 'meubles'], NULL)
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
