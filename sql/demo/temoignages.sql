-- Demo testimonies, dated from the load day: a few public at the
-- médiathèque and La Fabrique (one tied to La Fabrique's past repair café
-- session), one anonymous, and one still private, waiting for a référent.
-- Their withdrawal codes are drawn at random and never shown: nobody holds
-- them, as for testimonies whose receipt was lost. Loaded after
-- reparation.sql (the session).
INSERT INTO tl.story (place_id, activity, repair_session_id, body, first_name, told_on, withdrawal_by,
                      withdrawal_sha256, public_since, created_at, updated_at)
SELECT p.id, x.activity,
       CASE WHEN x.past_session THEN (SELECT s.id FROM tl.repair_session s WHERE s.place_id = p.id AND s.ends_at < now()
                                       ORDER BY s.starts_at DESC LIMIT 1) END,
       x.body, x.first_name, (now() AT TIME ZONE p.time_zone)::date + x.days, x.withdrawal,
       tl.story_code_sha256(tl.story_code_new()),
       CASE WHEN x.public THEN now() + make_interval(days => x.days + 2) END,
       now() + make_interval(days => x.days), now() + make_interval(days => x.days)
  FROM (VALUES
    ('mediatheque-jules-verne', 'outiltheque', false, -40, 'Lucienne', 'code', true,
     'J''ai emprunté la ponceuse pour refaire les volets de ma mère. Je n''aurais jamais acheté une machine pour '
     'un seul week-end, et la bibliothécaire m''a montré comment changer le papier.'),
    ('mediatheque-jules-verne', 'grainotheque', false, -25, NULL, 'lieu', true,
     'Les tomates « cœur de bœuf » prises l''an dernier ont donné tout l''été. Cette année je rapporte des graines '
     'pour les suivants, c''est ça qui me plaît.'),
    ('la-fabrique', 'reparation', true, -12, 'Karim', 'code', true,
     'Mon grille-pain ne chauffait plus que d''un côté. En une heure on a trouvé la résistance coupée, et j''ai '
     'appris à démonter l''appareil moi-même.'),
    ('la-fabrique', 'benevolat', false, -9, 'Marie-Ève', 'code', true,
     'Je suis venue déposer une lampe et je suis restée trier les arrivages le samedi matin. On rit beaucoup, '
     'et on se sent utile.'),
    ('la-fabrique', 'ressourcerie', false, -2, 'Odile', 'code', false,
     'J''ai meublé la chambre de mon petit-fils pour presque rien : une commode, un bureau et une lampe qui '
     'marche encore très bien.')
  ) AS x(place, activity, past_session, days, first_name, withdrawal, public, body)
  JOIN tl.place p ON p.slug = x.place;

-- Every state the pages show holds on the load day.
DO $$
BEGIN
    IF (SELECT count(*) FROM tl.story) <> 5
       OR (SELECT count(*) FROM tl.story WHERE public_since IS NULL) <> 1
       OR NOT EXISTS (SELECT 1 FROM tl.story WHERE repair_session_id IS NOT NULL) THEN
        RAISE EXCEPTION 'demo testimonies: a lookup dropped a row';
    END IF;
END $$;
