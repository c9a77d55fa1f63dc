-- Demo volunteer shifts, dated from the load day so the pages always have
-- some: past shifts with the hours given (for the group's totals and each
-- volunteer's own hours), shifts later today (who is expected at the
-- desk) and shifts to come, at the médiathèque and La Fabrique. Loaded
-- after accounts.sql: the sign-ups are the demo accounts'.
WITH plan (place, days, start_time, end_time, activity, needed, note) AS (VALUES
    ('mediatheque-jules-verne', -35, time '14:00', time '18:00', 'guichet', 2, ''),
    ('mediatheque-jules-verne', -28, time '10:00', time '12:30', 'troc_graines', 3, 'Troc de printemps'),
    ('mediatheque-jules-verne', -7, time '14:00', time '18:00', 'guichet', 2, ''),
    ('la-fabrique', -21, time '14:00', time '17:30', 'repair_cafe', 4, ''),
    ('la-fabrique', -14, time '10:00', time '13:00', 'tri', 2, 'Arrivage de la déchèterie'),
    ('la-fabrique', -3, time '10:00', time '13:00', 'caisse', 1, ''),
    ('mediatheque-jules-verne', 0, time '23:00', time '23:59', 'accueil', 2, 'Nuit de la lecture'),
    ('la-fabrique', 0, time '23:00', time '23:59', 'entretien', 2, ''),
    ('mediatheque-jules-verne', 2, time '14:00', time '18:00', 'guichet', 2, ''),
    ('mediatheque-jules-verne', 9, time '10:00', time '12:30', 'troc_graines', 3, 'Apportez vos sachets'),
    ('la-fabrique', 4, time '14:00', time '17:30', 'repair_cafe', 3, ''),
    ('la-fabrique', 6, time '10:00', time '13:00', 'tri', 2, ''),
    ('la-fabrique', 11, time '10:00', time '13:00', 'caisse', 1, '')
)
INSERT INTO tl.volunteer_shift (place_id, activity, starts_at, ends_at, needed, note, created_at)
SELECT p.id, plan.activity, ((now() AT TIME ZONE p.time_zone)::date + plan.days + plan.start_time) AT TIME ZONE p.time_zone,
       ((now() AT TIME ZONE p.time_zone)::date + plan.days + plan.end_time) AT TIME ZONE p.time_zone, plan.needed, plan.note,
       now() - interval '40 days'
  FROM plan JOIN tl.place p ON p.slug = plan.place;

-- Who signed up: the médiathèque's bénévole and the network's
-- administrator there, La Fabrique's référente and the administrator
-- there; one sign-up withdrawn, one with fewer hours than the shift.
INSERT INTO tl.volunteer_signup (shift_id, account_id, signed_up_at, withdrawn_at, minutes_given)
SELECT s.id, a.id, s.created_at, CASE WHEN x.withdrawn THEN s.created_at + interval '1 day' END, x.minutes
  FROM tl.volunteer_shift s
  JOIN tl.place p ON p.id = s.place_id
  JOIN (VALUES ('mediatheque-jules-verne', -35, 'benevole.mediatheque', false, NULL::integer),
               ('mediatheque-jules-verne', -35, 'admin.reseau', false, 120),
               ('mediatheque-jules-verne', -28, 'benevole.mediatheque', false, NULL),
               ('mediatheque-jules-verne', -28, 'admin.reseau', true, NULL),
               ('mediatheque-jules-verne', -7, 'benevole.mediatheque', false, NULL),
               ('la-fabrique', -21, 'referente.fabrique', false, NULL),
               ('la-fabrique', -21, 'admin.reseau', false, NULL),
               ('la-fabrique', -14, 'referente.fabrique', false, NULL),
               ('la-fabrique', -3, 'referente.fabrique', false, NULL),
               ('mediatheque-jules-verne', 0, 'benevole.mediatheque', false, NULL),
               ('la-fabrique', 0, 'referente.fabrique', false, NULL),
               ('mediatheque-jules-verne', 2, 'benevole.mediatheque', false, NULL),
               ('la-fabrique', 4, 'referente.fabrique', false, NULL))
       AS x(place, days, login, withdrawn, minutes)
    ON x.place = p.slug AND (s.starts_at AT TIME ZONE p.time_zone)::date = (now() AT TIME ZONE p.time_zone)::date + x.days
  JOIN tl.account a ON a.login = x.login;

-- Every state the pages show holds on the load day.
DO $$
BEGIN
    IF (SELECT count(*) FROM tl.volunteer_shift) <> 13
       OR (SELECT count(*) FROM tl.volunteer_signup) <> 13
       OR NOT EXISTS (SELECT 1 FROM tl.volunteer_shift WHERE starts_at > now())
       OR NOT EXISTS (SELECT 1 FROM tl.volunteer_shift WHERE ends_at < now()) THEN
        RAISE EXCEPTION 'demo volunteer shifts: a lookup dropped a row';
    END IF;
END $$;

-- From user to contributor: La Fabrique has a charter its new volunteers
-- accept at the desk; members offered to help from « Mon compte » — the
-- demo member (A-000123) at La Fabrique, still open, and at the
-- médiathèque, declined with a kind word; Thomas Nguyen at La Fabrique.
UPDATE tl.place SET charter = 'À La Fabrique, chacun et chacune est accueilli avec bienveillance, quel que soit son savoir-faire.
Nous prenons soin des outils et les rangeons après usage.
Nous respectons les consignes de sécurité de l''atelier et demandons de l''aide en cas de doute.
Ce que nous apprenons des personnes accueillies reste entre nous.'
 WHERE slug = 'la-fabrique' AND btrim(charter) = '';

WITH plan (number, place, days, skills, availability, status, message, activities) AS (VALUES
    ('A-000123', 'la-fabrique', 6, 'Petite électricité, un peu de couture', 'le samedi matin', 'ouverte', '',
     ARRAY['repair_cafe', 'tri']),
    ('A-000123', 'mediatheque-jules-verne', 40, '', 'en semaine après 17 h', 'declinee',
     'Merci beaucoup ! L''équipe de l''accueil est au complet jusqu''à l''été ; nous reviendrons vers vous.',
     ARRAY['accueil']),
    ('A-000187', 'la-fabrique', 2, 'Réparation de vélos', '', 'ouverte', '', ARRAY['entretien', 'repair_cafe'])
), made AS (
    INSERT INTO tl.volunteer_offer (member_id, place_id, skills, availability, status, made_at, answered_at, message)
    SELECT m.id, p.id, plan.skills, plan.availability, plan.status, now() - make_interval(days => plan.days),
           CASE WHEN plan.status <> 'ouverte' THEN now() - make_interval(days => plan.days - 3) END, plan.message
      FROM plan JOIN tl.member m ON m.member_number = plan.number JOIN tl.place p ON p.slug = plan.place
    RETURNING id, member_id, place_id
)
INSERT INTO tl.volunteer_offer_activity (offer_id, activity)
SELECT made.id, unnest(plan.activities)
  FROM made JOIN tl.member m ON m.id = made.member_id JOIN tl.place p ON p.id = made.place_id
  JOIN plan ON plan.number = m.member_number AND plan.place = p.slug;

DO $$
BEGIN
    IF (SELECT count(*) FROM tl.volunteer_offer) <> 3 OR (SELECT count(*) FROM tl.volunteer_offer_activity) <> 5 THEN
        RAISE EXCEPTION 'demo offers to help: a lookup dropped a row';
    END IF;
END $$;
