-- Impact: the figures of a year for a place or the whole network — loans
-- and borrowers served, seeds given and given back, repair café sessions
-- and their results, the ressourcerie's kilograms and reuse rate, the
-- volunteers' hours — read from the records of the areas before this one,
-- never kept apart, so they always equal the sums of those records. Counts
-- only: nothing here names, ranks or follows a person. Publicly a count
-- below 3 reads « moins de 3 » (tl.people_count, sql/logic/volunteering.sql).
--
-- The back office's annual report (/gestion/bilan, its CSV) and the public
-- impact page (/impact) read the same rows: tl.impact_report checks the
-- role, tl.public_impact hides the small counts.

-- The figures of p_year (NULL: this year at the place, or in Paris for
-- the network) for the place p_place (its slug), or every place with
-- p_place NULL, each place's year in its own time zone:
--   section: chiffre (a figure of the year), mois (a monthly series,
--     month 1-12), part (the repairs' results, for their chart);
--   base: the count a figure comes from, which publicly hides it when below
--     3 (NULL: kilograms, rates, never hidden).
-- The caller checks who may read them.
CREATE FUNCTION tl.impact_rows(p_place text, p_year integer)
RETURNS TABLE (ord integer, section text, key text, month integer, label text, value numeric, unit text, base bigint,
               method text, source text, year integer)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog
-- The figures' subqueries would cross the JIT threshold for no gain.
SET jit = off AS $$
DECLARE
    v_year   integer := coalesce(p_year, extract(year FROM now() AT TIME ZONE
                           coalesce((SELECT pl.time_zone FROM tl.place pl WHERE pl.slug = p_place), 'Europe/Paris'))::integer);
    v_places integer[];
    v_first  date;
    v_last   date;
    v_buy    numeric;
    v_buy_src text;
    v_disp_src text;
    v_reuse_ref numeric;
    v_reuse_src text;
BEGIN
    IF v_year < 2000 OR v_year > 2100 THEN
        RAISE EXCEPTION 'l''année s''écrit avec quatre chiffres, de 2000 à 2100' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    v_first := make_date(v_year, 1, 1);
    v_last := make_date(v_year, 12, 31);
    v_places := CASE WHEN p_place IS NULL THEN ARRAY(SELECT id FROM tl.place)
                     ELSE ARRAY[(tl.require_place(p_place)).id] END;
    -- The factors as they stood at the end of the year (the place's own
    -- where it has one): last year's report keeps last year's factors. A
    -- year before a factor was published takes the one in force today.
    SELECT f.value, f.source INTO v_buy, v_buy_src
      FROM tl.impact_factors(p_place, v_last) f WHERE f.key = 'pret_achat_evite';
    IF v_buy IS NULL THEN
        SELECT f.value, f.source INTO v_buy, v_buy_src
          FROM tl.impact_factors(p_place, current_date) f WHERE f.key = 'pret_achat_evite';
    END IF;
    SELECT coalesce(f.source, t.source) INTO v_disp_src
      FROM tl.impact_factors(p_place, v_last) f, tl.impact_factors(p_place, current_date) t
     WHERE f.key = 'reparation_deplacement' AND t.key = f.key;
    SELECT coalesce(f.value, t.value), coalesce(f.source, t.source) INTO v_reuse_ref, v_reuse_src
      FROM tl.impact_factors(p_place, v_last) f, tl.impact_factors(p_place, current_date) t
     WHERE f.key = 'ressourcerie_reemploi' AND t.key = f.key;
    RETURN QUERY
    WITH p AS MATERIALIZED (
        SELECT pl.id, pl.time_zone,
               v_first::timestamp AT TIME ZONE pl.time_zone AS y_start,
               (v_last + 1)::timestamp AT TIME ZONE pl.time_zone AS y_end
          FROM tl.place pl WHERE pl.id = ANY (v_places)
    ), loans AS MATERIALIZED (
        SELECT extract(month FROM b.starts_at AT TIME ZONE p.time_zone)::integer AS m, b.member_id
          FROM p JOIN tl.item i ON i.place_id = p.id
          JOIN tl.booking b ON b.item_id = i.id AND b.kind = 'pret' AND b.cancelled_at IS NULL
                           AND b.starts_at >= p.y_start AND b.starts_at < p.y_end
    ), seeds AS (
        SELECT coalesce(sum(m.packets) FILTER (WHERE m.kind = 'retrait'), 0) AS given,
               coalesce(sum(m.packets) FILTER (WHERE m.kind = 'depot'), 0) AS back
          FROM p JOIN tl.seed_lot l ON l.place_id = p.id
          JOIN tl.seed_movement m ON m.lot_id = l.id AND m.at >= p.y_start AND m.at < p.y_end
    ), records AS MATERIALIZED (
        SELECT extract(month FROM r.event_date)::integer AS m, r.status, r.waste_kg, r.co2_kg
          FROM tl.repair_record r
         WHERE r.place_id = ANY (v_places) AND r.event_date BETWEEN v_first AND v_last
    ), sessions AS MATERIALIZED (
        -- held: neither cancelled nor moved, begun by now
        SELECT s.id FROM p JOIN tl.repair_session s ON s.place_id = p.id
         WHERE s.cancelled_at IS NULL AND s.moved_to IS NULL AND s.starts_at <= now()
           AND s.starts_at >= p.y_start AND s.starts_at < p.y_end
    ), participants AS (
        SELECT (SELECT count(*) FROM sessions x JOIN tl.repair_slot sl ON sl.session_id = x.id
                  JOIN tl.repair_booking bk ON bk.slot_id = sl.id AND bk.cancelled_at IS NULL)
             + (SELECT count(*) FROM sessions x JOIN tl.repair_record r ON r.session_id = x.id
                 WHERE r.booking_id IS NULL) AS n
    ), reuse AS MATERIALIZED (
        SELECT f.month AS m, f.kg_in, f.kg_sold + f.kg_given AS kg_reused FROM tl.reuse_flows(v_places, v_year) f
    ), hours AS MATERIALIZED (
        SELECT extract(month FROM s.starts_at AT TIME ZONE p.time_zone)::integer AS m,
               tl.signup_hours(u.minutes_given, s.starts_at, s.ends_at) AS h,
               s.place_id::text || ':' || coalesce(u.account_id::text, 'k' || u.tally_key, 'n' || u.id) AS who
          FROM p JOIN tl.volunteer_shift s ON s.place_id = p.id AND s.cancelled_at IS NULL AND s.ends_at <= now()
                 AND s.starts_at >= p.y_start AND s.starts_at < p.y_end
          JOIN tl.volunteer_signup u ON u.shift_id = s.id AND u.withdrawn_at IS NULL
    ), loans_m AS (
        SELECT l.m, count(*) AS n FROM loans l GROUP BY l.m
    ), records_m AS (
        SELECT r.m, count(*) AS n FROM records r GROUP BY r.m
    ), hours_m AS (
        SELECT h.m, sum(h.h) AS h, count(DISTINCT h.who) AS people FROM hours h GROUP BY h.m
    ), months AS (
        SELECT m, (ARRAY['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre',
                         'octobre', 'novembre', 'décembre'])[m] AS name
          FROM generate_series(1, 12) AS m
    ), tot AS (
        SELECT (SELECT count(*) FROM loans) AS loans,
               (SELECT count(DISTINCT l.member_id) FROM loans l) AS borrowers,
               rc.brought, rc.fixed, rc.repairable, rc.end_of_life, rc.unknown, rc.waste, rc.co2,
               (SELECT count(*) FROM sessions) AS sessions,
               (SELECT n FROM participants) AS participants,
               (SELECT sum(kg_in) FROM reuse) AS kg_in,
               (SELECT sum(kg_reused) FROM reuse) AS kg_reused,
               (SELECT coalesce(sum(h), 0) FROM hours) AS hours,
               (SELECT count(DISTINCT who) FROM hours) AS volunteers
          FROM (SELECT count(*) AS brought, count(*) FILTER (WHERE r.status = 'repare') AS fixed,
                       count(*) FILTER (WHERE r.status = 'reparable') AS repairable,
                       count(*) FILTER (WHERE r.status = 'fin_de_vie') AS end_of_life,
                       count(*) FILTER (WHERE r.status = 'inconnu') AS unknown,
                       coalesce(round(sum(r.waste_kg), 1), 0) AS waste, coalesce(round(sum(r.co2_kg), 1), 0) AS co2
                  FROM records r) rc
    )
    SELECT x.ord, x.section, x.key, x.month, x.label, x.value, x.unit, x.base, x.method, x.source, v_year FROM (
        SELECT 10 AS ord, 'chiffre' AS section, 'prets' AS key, NULL::integer AS month, 'Prêts' AS label,
               t.loans::numeric AS value, 'prêts' AS unit, t.loans AS base,
               'Chaque prêt commencé dans l''année, compté au lieu de l''objet prêté.' AS method,
               'Registre des prêts du guichet.' AS source
          FROM tot t
        UNION ALL
        SELECT 11, 'chiffre', 'emprunteurs', NULL, 'Emprunteurs et emprunteuses servis', t.borrowers, 'personnes',
               t.borrowers,
               'Personnes distinctes ayant emprunté dans l''année, comptées sans être nommées. Un prêt rendu depuis '
               || 'plus de quatre mois n''est plus relié à son emprunteur (norme de la CNIL) : ce chiffre est un '
               || 'minimum.', 'Registre des prêts du guichet.'
          FROM tot t
        UNION ALL
        SELECT 12, 'chiffre', 'achats_evites', NULL, 'Achats neufs évités', round(t.loans * coalesce(v_buy, 0), 1),
               'achats', t.loans,
               'Prêts × ' || replace(trim_scale(coalesce(v_buy, 0))::text, '.', ',')
               || ' : chaque emprunt compte pour cette part d''un achat neuf évité.',
               coalesce(v_buy_src, '')
          FROM tot t
        UNION ALL
        SELECT 20, 'chiffre', 'graines_donnees', NULL, 'Sachets de graines donnés', s.given, 'sachets', s.given,
               'Sachets retirés de la grainothèque dans l''année.', 'Mouvements de la grainothèque.'
          FROM seeds s
        UNION ALL
        SELECT 21, 'chiffre', 'graines_rapportees', NULL, 'Sachets de graines rapportés', s.back, 'sachets', s.back,
               'Sachets déposés à la grainothèque dans l''année (récoltes rapportées).',
               'Mouvements de la grainothèque.'
          FROM seeds s
        UNION ALL
        SELECT 30, 'chiffre', 'seances', NULL, 'Séances de repair café', t.sessions, 'séances', t.sessions,
               'Séances tenues dans l''année (ni annulées ni déplacées).', 'Agenda du repair café.'
          FROM tot t
        UNION ALL
        SELECT 31, 'chiffre', 'participants', NULL, 'Participants aux séances', t.participants, 'personnes',
               t.participants,
               'Réservations maintenues des séances tenues, plus les objets apportés sans réservation.',
               'Réservations et fiches de réparation.'
          FROM tot t
        UNION ALL
        SELECT 32, 'chiffre', 'objets', NULL, 'Objets apportés au repair café', t.brought, 'objets', t.brought,
               'Fiches de réparation datées de l''année, importées comprises.',
               'Fiches de réparation (Open Repair Data Standard).'
          FROM tot t
        UNION ALL
        SELECT 33, 'chiffre', 'repares', NULL, 'Objets réparés', t.fixed, 'objets', t.fixed,
               'Fiches dont le résultat est « réparé ».', 'Fiches de réparation (Open Repair Data Standard).'
          FROM tot t
        UNION ALL
        SELECT 34, 'chiffre', 'reparables', NULL, 'Objets réparables', t.repairable, 'objets', t.repairable,
               'Fiches dont le résultat est « réparable » (une pièce à trouver, une autre séance).',
               'Fiches de réparation (Open Repair Data Standard).'
          FROM tot t
        UNION ALL
        SELECT 35, 'chiffre', 'fin_de_vie', NULL, 'Objets en fin de vie', t.end_of_life, 'objets', t.end_of_life,
               'Fiches dont le résultat est « fin de vie ».', 'Fiches de réparation (Open Repair Data Standard).'
          FROM tot t
        UNION ALL
        SELECT 36, 'chiffre', 'dechets_evites', NULL, 'Déchets évités par les réparations', t.waste, 'kg', NULL,
               'Poids des objets réparés : pesés, ou le poids moyen de leur catégorie.',
               'The Restart Project, ords_category_lca_reference.csv (openrepair/tools).'
          FROM tot t
        UNION ALL
        SELECT 37, 'chiffre', 'co2_evite', NULL, 'CO₂e évité par les réparations', t.co2, 'kg CO₂e', NULL,
               'Empreinte de la catégorie de chaque objet réparé × la part d''un produit neuf qu''une réparation '
               || 'remplace.', coalesce(v_disp_src, '') || ' ; empreintes : The Restart Project, '
               || 'ords_category_lca_reference.csv.'
          FROM tot t
        UNION ALL
        SELECT 40, 'chiffre', 'kg_entres', NULL, 'Kilos entrés à la ressourcerie', t.kg_in, 'kg', NULL,
               'Pesées en vigueur des arrivages de l''année (une correction remplace la pesée qu''elle corrige).',
               'Pesées de la ressourcerie.'
          FROM tot t
        UNION ALL
        SELECT 41, 'chiffre', 'kg_reemployes', NULL, 'Kilos réemployés', t.kg_reused, 'kg', NULL,
               'Kilos vendus et kilos donnés à d''autres structures pour le réemploi, comme le bilan de la '
               || 'ressourcerie les compte.', 'Ventes et sorties de la ressourcerie.'
          FROM tot t
        UNION ALL
        SELECT 42, 'chiffre', 'taux_reemploi', NULL, 'Taux de réemploi', tl.reuse_rate(t.kg_reused, t.kg_in), '%',
               NULL, 'Kilos réemployés ÷ kilos entrés.',
               'Repère national : ' || replace(trim_scale(round(coalesce(v_reuse_ref, 0) * 100, 1))::text, '.', ',')
               || ' % réemployés (' || coalesce(v_reuse_src, '') || ').'
          FROM tot t
        UNION ALL
        SELECT 50, 'chiffre', 'heures_benevoles', NULL, 'Heures données par les bénévoles', t.hours, 'heures',
               t.volunteers,
               'Heures des créneaux tenus, ou le temps noté par un ou une référente ; le total du groupe, jamais '
               || 'celui d''une personne.', 'Créneaux de bénévolat.'
          FROM tot t
        UNION ALL
        SELECT 100 + m.m, 'mois', 'prets', m.m, m.name, coalesce(l.n, 0), 'prêts', coalesce(l.n, 0), NULL, NULL
          FROM months m LEFT JOIN loans_m l ON l.m = m.m
        UNION ALL
        SELECT 200 + m.m, 'mois', 'objets', m.m, m.name, coalesce(r.n, 0), 'objets', coalesce(r.n, 0), NULL, NULL
          FROM months m LEFT JOIN records_m r ON r.m = m.m
        UNION ALL
        SELECT 300 + m.m, 'mois', 'kg_reemployes', m.m, m.name, r.kg_reused, 'kg', NULL, NULL, NULL
          FROM months m LEFT JOIN reuse r ON r.m = m.m
        UNION ALL
        SELECT 400 + m.m, 'mois', 'heures_benevoles', m.m, m.name, coalesce(h.h, 0), 'heures', coalesce(h.people, 0),
               NULL, NULL
          FROM months m LEFT JOIN hours_m h ON h.m = m.m
        UNION ALL
        SELECT 500 + r.ord, 'part', r.key, NULL, r.label, r.n, 'objets', r.n, NULL, NULL
          FROM tot t, LATERAL (VALUES (1, 'repares', 'Réparés', t.fixed), (2, 'reparables', 'Réparables', t.repairable),
                                      (3, 'fin_de_vie', 'Fin de vie', t.end_of_life),
                                      (4, 'inconnu', 'Résultat non noté', t.unknown)) AS r(ord, key, label, n)
    ) x
    ORDER BY x.ord;
END $$;

-- A value as pages write it: whole counts with a no-break space between
-- thousands, kilograms and hours to one decimal, a rate with « % ».
CREATE FUNCTION tl.impact_value_fr(p_value numeric, p_unit text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $$
    SELECT CASE WHEN p_value IS NULL THEN '—'
                WHEN p_unit = '%' THEN replace(p_value::text, '.', ',') || U&'\00A0%'
                WHEN p_value = trunc(p_value) THEN translate(to_char(p_value, 'FM999,999,999,990'), ',', U&'\00A0')
                ELSE translate(to_char(round(p_value, 1), 'FM999,999,999,990.0'), ',.', U&'\00A0,') END
$$;

-- The report of a year for a référent of the place, or for the network's
-- coordination (p_place NULL): every figure, exact.
CREATE FUNCTION tl.impact_report(p_login text, p_place text, p_year integer)
RETURNS TABLE (section text, key text, month integer, label text, value numeric, unit text, value_fr text,
               value_csv text, method text, source text, year integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    IF p_place IS NULL THEN
        PERFORM tl.require_admin(p_login);
    ELSE
        PERFORM tl.require_role(p_login, (tl.require_place(p_place)).id, 'referent');
    END IF;
    RETURN QUERY
    SELECT r.section, r.key, r.month, r.label, r.value, r.unit, tl.impact_value_fr(r.value, r.unit),
           replace(r.value::text, '.', ','), r.method, r.source, r.year
      FROM tl.impact_rows(p_place, p_year) r
     ORDER BY r.ord;
END $$;

-- The same figures for everyone: a count below 3 (and what is computed
-- from it) reads « moins de 3 » and has no value, so nothing lets a reader
-- tell one person's activity; the volunteers' hours show only when at
-- least 3 volunteers gave them.
CREATE FUNCTION tl.public_impact(p_place text, p_year integer)
RETURNS TABLE (section text, key text, month integer, label text, value numeric, unit text, value_fr text,
               hidden boolean, method text, source text, year integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT r.section, r.key, r.month, r.label, CASE WHEN r.base < 3 AND r.value > 0 THEN NULL ELSE r.value END,
           r.unit, CASE WHEN r.base < 3 AND r.value > 0 THEN 'moins de 3' || CASE WHEN r.unit = 'heures'
                                                                                  THEN ' bénévoles' ELSE '' END
                        ELSE tl.impact_value_fr(r.value, r.unit) END,
           r.base < 3 AND r.value > 0, r.method, r.source, r.year
      FROM tl.impact_rows(p_place, p_year) r
     ORDER BY r.ord
$$;

------------------------------------------------------------------------------
-- Rights: functions are executable by PUBLIC unless revoked; the back
-- office's report goes to tierslieux_guichet, the public page's to
-- tierslieux_lecture.
------------------------------------------------------------------------------
REVOKE ALL ON FUNCTION tl.impact_rows(text,integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.impact_report(text,text,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.impact_report(text,text,integer) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.public_impact(text,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.public_impact(text,integer) TO tierslieux_lecture;
