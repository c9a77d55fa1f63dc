-- 025 — ressourcerie, third part: outflows recorded at the desk, the
-- eco-organisme filière (REP) of each category, and the reports (bilans):
-- kilograms in, out and sold, takings, the reuse and recovery rates, by
-- period in the place's own time zone. Every sum is an exact numeric.

-- ---- outflows: the moment they count -----------------------------------------

-- A correction made on 2 January of an outflow of 31 December must not move
-- its kilograms into the next year: an outflow counts at the moment of the
-- first entry of its chain of corrections. Kept by a trigger, so every way
-- of recording an outflow (the desk, a stock item leaving) obeys it, and
-- indexed for the reports. (A column added to 024's table.)
ALTER TABLE tl.reuse_outflow ADD COLUMN counted_at timestamptz;
COMMENT ON COLUMN tl.reuse_outflow.counted_at IS
    'When the outflow counts in reports: its own time, or for a correction that of the entry it fixes';

CREATE FUNCTION tl.reuse_outflow_counted_at() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    NEW.counted_at := coalesce((SELECT o.counted_at FROM tl.reuse_outflow o WHERE o.id = NEW.corrects), NEW.at);
    RETURN NEW;
END $$;
CREATE TRIGGER reuse_outflow_counted_at BEFORE INSERT ON tl.reuse_outflow
    FOR EACH ROW EXECUTE FUNCTION tl.reuse_outflow_counted_at();

ALTER TABLE tl.reuse_outflow DISABLE TRIGGER reuse_outflow_append_only;
UPDATE tl.reuse_outflow SET counted_at = at WHERE counted_at IS NULL;
ALTER TABLE tl.reuse_outflow ENABLE TRIGGER reuse_outflow_append_only;
ALTER TABLE tl.reuse_outflow ALTER COLUMN counted_at SET NOT NULL;
CREATE INDEX reuse_outflow_place_counted_idx ON tl.reuse_outflow (place_id, counted_at);

-- ---- eco-organisme filières ------------------------------------------------

-- The extended producer responsibility schemes (filières REP) that take
-- back what a ressourcerie cannot reuse, and the eco-organismes approved
-- for them (2025). A category with none is "Hors filière REP".
CREATE TABLE tl.reuse_eco_stream (
    code          text CONSTRAINT reuse_eco_stream_pkey PRIMARY KEY
                  CONSTRAINT reuse_eco_stream_code_format CHECK (code ~ '^[a-z]+(_[a-z]+)*$'),
    label         text NOT NULL,
    organisations text NOT NULL DEFAULT '',
    rank          integer NOT NULL
);
COMMENT ON TABLE tl.reuse_eco_stream IS 'Filières REP (extended producer responsibility) and their eco-organismes';
GRANT SELECT ON tl.reuse_eco_stream TO tierslieux_lecture;
SELECT tl.track_changes('tl.reuse_eco_stream'::regclass);

INSERT INTO tl.reuse_eco_stream (code, label, organisations, rank) VALUES
    ('dea', 'Éléments d''ameublement (DEA)', 'Ecomaison (Valdelia pour le mobilier professionnel)', 1),
    ('tlc', 'Textiles, linge, chaussures (TLC)', 'Refashion', 2),
    ('deee', 'Équipements électriques et électroniques (DEEE)', 'ecosystem, Ecologic', 3),
    ('jou', 'Jouets (JOU)', 'Ecomaison', 4),
    ('abj', 'Articles de bricolage et de jardin (ABJ)', 'Ecomaison (outillage à main, jardin), Ecologic (appareils thermiques)', 5),
    ('asl', 'Articles de sport et de loisirs (ASL)', 'Ecologic', 6),
    ('hors_rep', 'Hors filière REP', '', 7);

-- Which filière a category goes to: the network's choice (place_id NULL)
-- and a place's own where it differs (its outils may be mostly electric).
CREATE TABLE tl.reuse_eco_mapping (
    place_id integer CONSTRAINT reuse_eco_mapping_place_fkey REFERENCES tl.place,
    category text NOT NULL CONSTRAINT reuse_eco_mapping_category_fkey REFERENCES tl.reuse_category,
    stream   text NOT NULL CONSTRAINT reuse_eco_mapping_stream_fkey REFERENCES tl.reuse_eco_stream,
    CONSTRAINT reuse_eco_mapping_once UNIQUE NULLS NOT DISTINCT (place_id, category)
);
COMMENT ON TABLE tl.reuse_eco_mapping IS 'The filière REP of each ressourcerie category: network default, place overrides';
GRANT SELECT ON tl.reuse_eco_mapping TO tierslieux_lecture;
SELECT tl.track_changes('tl.reuse_eco_mapping'::regclass);

INSERT INTO tl.reuse_eco_mapping (place_id, category, stream) VALUES
    (NULL, 'mobilier', 'dea'), (NULL, 'textile', 'tlc'), (NULL, 'vaisselle', 'hors_rep'),
    (NULL, 'livres', 'hors_rep'), (NULL, 'jouets', 'jou'), (NULL, 'electromenager', 'deee'),
    (NULL, 'outils', 'abj'), (NULL, 'velos', 'asl'), (NULL, 'deco', 'hors_rep'), (NULL, 'divers', 'hors_rep');

-- The filière in force for each category at a place.
CREATE FUNCTION tl.reuse_eco_streams(p_place integer)
RETURNS TABLE (category text, stream text, overridden boolean)
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT c.code, coalesce(o.stream, d.stream, 'hors_rep'), o.stream IS NOT NULL
      FROM tl.reuse_category c
      LEFT JOIN tl.reuse_eco_mapping d ON d.place_id IS NULL AND d.category = c.code
      LEFT JOIN tl.reuse_eco_mapping o ON o.place_id = p_place AND o.category = c.code
$$;

-- The choices of the back office's form, one row per category and filière
-- (selected: the one in force): for a place, where "" means "as the
-- network" (a référent there), or with p_place NULL for the network's
-- defaults (admins).
CREATE FUNCTION tl.admin_eco_mapping(p_login text, p_place text)
RETURNS TABLE (category text, code text, label text, selected boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog SET jit = off AS $$
DECLARE
    v_place tl.place;
BEGIN
    IF p_place IS NULL THEN
        PERFORM tl.require_admin(p_login);
    ELSE
        v_place := tl.require_place(p_place);
        PERFORM tl.require_role(p_login, v_place.id, 'referent');
    END IF;
    RETURN QUERY
    SELECT x.category, x.code, x.label, x.selected FROM (
        SELECT c.rank AS crank, 0 AS srank, c.code AS category, ''::text AS code,
               'Comme le réseau : ' || s.label AS label, o.stream IS NULL AS selected
          FROM tl.reuse_category c
          LEFT JOIN tl.reuse_eco_mapping d ON d.place_id IS NULL AND d.category = c.code
          JOIN tl.reuse_eco_stream s ON s.code = coalesce(d.stream, 'hors_rep')
          LEFT JOIN tl.reuse_eco_mapping o ON o.place_id = v_place.id AND o.category = c.code
         WHERE p_place IS NOT NULL
        UNION ALL
        SELECT c.rank, s.rank, c.code, s.code, s.label,
               coalesce(s.code = (SELECT m.stream FROM tl.reuse_eco_mapping m
                                   WHERE m.place_id IS NOT DISTINCT FROM v_place.id AND m.category = c.code), false)
          FROM tl.reuse_category c CROSS JOIN tl.reuse_eco_stream s
    ) x ORDER BY x.crank, x.srank;
END $$;

-- Saves the filière of categories, all in one transaction: for a place
-- (a référent there; '' in p_streams: as the network) or, with p_place
-- NULL, the network's defaults (admins only). Journaled per change.
CREATE FUNCTION tl.save_eco_mapping(p_login text, p_place text, p_categories text[], p_streams text[])
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place tl.place;
    v_who   integer;
    v_old   text;
    v_new   text;
    v_n     integer := 0;
    i       integer;
BEGIN
    IF p_place IS NULL THEN
        v_who := tl.require_admin(p_login);
    ELSE
        v_place := tl.require_place(p_place);
        v_who := tl.require_role(p_login, v_place.id, 'referent');
    END IF;
    IF coalesce(array_length(p_categories, 1), 0) <> coalesce(array_length(p_streams, 1), 0) THEN
        RAISE EXCEPTION 'le formulaire est incomplet : rechargez la page' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'reuse_eco_mapping_category_fkey';
    END IF;
    FOR i IN 1 .. coalesce(array_length(p_categories, 1), 0) LOOP
        IF NOT EXISTS (SELECT 1 FROM tl.reuse_category WHERE code = p_categories[i]) THEN
            RAISE EXCEPTION 'catégorie inconnue : rechargez la page' USING ERRCODE = 'foreign_key_violation',
                CONSTRAINT = 'reuse_eco_mapping_category_fkey';
        END IF;
        v_new := nullif(p_streams[i], '');
        IF v_new IS NULL AND p_place IS NULL THEN
            RAISE EXCEPTION 'choisissez une filière pour chaque catégorie' USING ERRCODE = 'check_violation',
                CONSTRAINT = 'reuse_eco_mapping_stream_fkey';
        END IF;
        IF v_new IS NOT NULL AND NOT EXISTS (SELECT 1 FROM tl.reuse_eco_stream WHERE code = v_new) THEN
            RAISE EXCEPTION 'choisissez une filière de la liste' USING ERRCODE = 'foreign_key_violation',
                CONSTRAINT = 'reuse_eco_mapping_stream_fkey';
        END IF;
        SELECT stream INTO v_old FROM tl.reuse_eco_mapping
         WHERE place_id IS NOT DISTINCT FROM v_place.id AND category = p_categories[i];
        IF v_old IS NOT DISTINCT FROM v_new THEN
            CONTINUE;
        END IF;
        IF v_new IS NULL THEN
            DELETE FROM tl.reuse_eco_mapping WHERE place_id = v_place.id AND category = p_categories[i];
        ELSE
            INSERT INTO tl.reuse_eco_mapping (place_id, category, stream) VALUES (v_place.id, p_categories[i], v_new)
            ON CONFLICT ON CONSTRAINT reuse_eco_mapping_once DO UPDATE SET stream = EXCLUDED.stream;
        END IF;
        PERFORM tl.admin_note(v_who, v_place.id, 'ressourcerie.filiere',
                              (SELECT label FROM tl.reuse_category WHERE code = p_categories[i]),
                              coalesce((SELECT label FROM tl.reuse_eco_stream WHERE code = v_new),
                                       'comme le réseau'));
        v_n := v_n + 1;
    END LOOP;
    RETURN v_n;
END $$;

-- ---- outflows at the desk ------------------------------------------------------

-- One outflow weighing: where it goes (recyclage, élimination, or given
-- to another association for reuse), to whom, the category by its code or
-- key, the gross weight and the container whose tare comes off. With
-- p_corrects, it replaces that outflow, and a reason is required. The
-- same plausibility rules as intake weighings (tl.weigh).
CREATE FUNCTION tl.record_outflow(p_login text, p_place text, p_destination text, p_partner text, p_category text,
                                  p_gross numeric, p_container integer, p_corrects bigint, p_reason text)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place tl.place := tl.require_place(p_place);
    v_who   integer := tl.require_role(p_login, v_place.id, 'benevole');
    v_w     record;
    v_id    bigint;
BEGIN
    IF p_destination IS NULL OR p_destination NOT IN ('recyclage', 'elimination', 'don_reemploi') THEN
        RAISE EXCEPTION 'choisissez la destination dans la liste' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'reuse_outflow_destination_known';
    END IF;
    IF btrim(coalesce(p_partner, '')) = '' THEN
        RAISE EXCEPTION 'indiquez à qui part la sortie (le recycleur, la déchèterie, l''association)'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'reuse_outflow_partner_not_blank';
    END IF;
    IF length(btrim(p_partner)) > 100 THEN
        RAISE EXCEPTION 'le nom du partenaire a 100 caractères au plus' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'reuse_outflow_partner_not_blank';
    END IF;
    v_w := tl.reuse_checked_weight('reuse_outflow', v_place.id, p_category, p_gross, p_container);
    IF p_corrects IS NOT NULL THEN
        IF NOT EXISTS (SELECT 1 FROM tl.reuse_outflow_current WHERE id = p_corrects AND place_id = v_place.id) THEN
            RAISE EXCEPTION 'cette sortie n''est pas de ce lieu, ou elle est déjà corrigée'
                USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'reuse_outflow_corrects_fkey';
        END IF;
        IF btrim(coalesce(p_reason, '')) = '' THEN
            RAISE EXCEPTION 'indiquez pourquoi la sortie est corrigée' USING ERRCODE = 'check_violation',
                CONSTRAINT = 'reuse_outflow_correction_reason';
        END IF;
    END IF;
    INSERT INTO tl.reuse_outflow (place_id, destination, partner, category, gross_kg, container_id, tare_kg, corrects,
                                  reason, recorded_by)
    VALUES (v_place.id, p_destination, btrim(p_partner), v_w.category, p_gross, p_container, v_w.tare, p_corrects,
            nullif(btrim(coalesce(p_reason, '')), ''), v_who)
    RETURNING id INTO v_id;
    RETURN v_id;
END $$;

-- The day's outflows of a place (its time zone), corrected ones struck
-- through with who corrected them, when and why. A correction of an older
-- outflow shows on the day it was made.
CREATE FUNCTION tl.desk_outflows(p_login text, p_place text)
RETURNS TABLE (outflow_id bigint, at text, destination text, partner text, category text, gross text, tare text,
               net text, container text, current boolean, corrected boolean, corrects bigint, corrected_by text, correction text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place tl.place := tl.require_place(p_place);
    v_day   timestamptz;
BEGIN
    PERFORM tl.require_role(p_login, v_place.id, 'benevole');
    v_day := date_trunc('day', now() AT TIME ZONE v_place.time_zone) AT TIME ZONE v_place.time_zone;
    RETURN QUERY
    SELECT o.id, to_char(o.at AT TIME ZONE v_place.time_zone, 'HH24:MI'), tl.reuse_destination_fr(o.destination),
           o.partner, c.label, replace(o.gross_kg::text, '.', ','), replace(o.tare_kg::text, '.', ','),
           replace(o.net_kg::text, '.', ','), k.name, x.id IS NULL, x.id IS NOT NULL, o.corrects,
           a.display_name || ', ' || to_char(x.at AT TIME ZONE v_place.time_zone, 'DD/MM/YYYY HH24:MI'), x.reason
      FROM tl.reuse_outflow o
      JOIN tl.reuse_category c ON c.code = o.category
      LEFT JOIN tl.reuse_container k ON k.id = o.container_id
      LEFT JOIN tl.reuse_outflow x ON x.corrects = o.id
      LEFT JOIN tl.account a ON a.id = x.recorded_by
     WHERE o.place_id = v_place.id AND o.at >= v_day AND o.at < v_day + interval '1 day'
     ORDER BY o.id;
END $$;

-- ---- reports ---------------------------------------------------------------------

-- The first and last day of a report's period: jour (that day), mois (its
-- month), annee (its year), libre (p_day to p_to).
CREATE FUNCTION tl.report_period(p_period text, p_day date, p_to date, OUT first_day date, OUT last_day date)
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog AS $$
BEGIN
    CASE p_period
        WHEN 'jour' THEN first_day := p_day; last_day := p_day;
        WHEN 'mois' THEN first_day := date_trunc('month', p_day)::date;
                         last_day := (date_trunc('month', p_day) + interval '1 month - 1 day')::date;
        WHEN 'annee' THEN first_day := date_trunc('year', p_day)::date;
                          last_day := (date_trunc('year', p_day) + interval '1 year - 1 day')::date;
        WHEN 'libre' THEN first_day := p_day; last_day := p_to;
        ELSE RAISE EXCEPTION 'la période est jour, mois, annee ou libre' USING ERRCODE = 'invalid_parameter_value';
    END CASE;
    IF first_day IS NULL OR last_day IS NULL OR last_day < first_day THEN
        RAISE EXCEPTION 'la période finit avant de commencer' USING ERRCODE = 'invalid_parameter_value';
    END IF;
END $$;

-- The report (bilan) of a place for a period: one row per figure, in the
-- order the page shows them, which the CSV export writes as they are.
--   section: periode, entrees_provenance, entrees_categorie, entrees,
--     sorties_destination, sorties_categorie, sorties_detail (grp: the
--     category), sorties, ventes_categorie, ventes, recettes_paiement, taux,
--     filiere, filiere_detail (grp: the filière; key: vendu, don_reemploi,
--     recyclage, elimination);
--   grp: what an enclosing row of the page matches on (data-tl-match);
--   kg, n (a count: intakes, weighings, outflows, sales, lines), amount
--   (euros), rate (a percentage, one decimal), and the same as French text
--   for the page (_fr) and for a French spreadsheet (_csv).
-- Intake kilograms count on the day of their intake, corrections included;
-- outflows on the day of the first entry of their chain; sales on their day.
CREATE FUNCTION tl.reuse_report(p_login text, p_place text, p_period text, p_day date, p_to date)
RETURNS TABLE (section text, key text, grp text, label text, kg numeric, n bigint, amount numeric, rate numeric,
               kg_fr text, amount_fr text, rate_fr text, kg_csv text, amount_csv text, rate_csv text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog
-- The figures' many small subqueries make the planner's cost cross the JIT
-- threshold: compiling them took 200 ms of a 250 ms report, running them 50.
-- And a plan for the period's actual bounds: after five calls on one
-- connection the generic plan took over and was twice as slow.
SET jit = off SET plan_cache_mode = force_custom_plan AS $$
DECLARE
    v_place tl.place := tl.require_place(p_place);
    v_first date;
    v_last  date;
    v_start timestamptz;
    v_end   timestamptz;
BEGIN
    PERFORM tl.require_role(p_login, v_place.id, 'referent');
    SELECT first_day, last_day INTO v_first, v_last
      FROM tl.report_period(p_period, coalesce(p_day, (now() AT TIME ZONE v_place.time_zone)::date), p_to);
    v_start := v_first::timestamp AT TIME ZONE v_place.time_zone;
    v_end := (v_last + 1)::timestamp AT TIME ZONE v_place.time_zone;
    RETURN QUERY
    WITH intake AS MATERIALIZED (
        SELECT i.source, count(*) AS n FROM tl.reuse_intake i
         WHERE i.place_id = v_place.id AND i.at >= v_start AND i.at < v_end GROUP BY i.source
    ), w_all AS (
        SELECT i.source, w.category, sum(w.net_kg) AS kg, count(*) AS n
          FROM tl.reuse_intake i JOIN tl.reuse_weighing w ON w.intake_id = i.id
         WHERE i.place_id = v_place.id AND i.at >= v_start AND i.at < v_end
         GROUP BY i.source, w.category
    ), w_corrected AS (
        SELECT i.source, w.category, sum(w.net_kg) AS kg, count(*) AS n
          FROM tl.reuse_weighing c JOIN tl.reuse_weighing w ON w.id = c.corrects
          JOIN tl.reuse_intake i ON i.id = w.intake_id
         WHERE i.place_id = v_place.id AND i.at >= v_start AND i.at < v_end
         GROUP BY i.source, w.category
    ), w_in AS MATERIALIZED (
        -- the weighings in force, at the grain of source and category: all
        -- of them, less the few that a correction replaced (cheaper than
        -- an anti-join over every weighing)
        SELECT a.source, a.category, a.kg - coalesce(c.kg, 0) AS kg, a.n - coalesce(c.n, 0) AS n
          FROM w_all a LEFT JOIN w_corrected c ON c.source = a.source AND c.category = a.category
    ), w_out AS MATERIALIZED (
        SELECT o.destination, o.category, sum(o.net_kg) AS kg, count(*) AS n
          FROM tl.reuse_outflow o
         WHERE o.place_id = v_place.id AND o.counted_at >= v_start AND o.counted_at < v_end
           AND NOT EXISTS (SELECT 1 FROM tl.reuse_outflow c WHERE c.corrects = o.id)
         GROUP BY o.destination, o.category
    ), sale AS MATERIALIZED (
        SELECT s.payment, count(*) AS n, sum(s.total) AS amount FROM tl.reuse_sale_kept s
         WHERE s.place_id = v_place.id AND s.day BETWEEN v_first AND v_last GROUP BY s.payment
    ), sold AS MATERIALIZED (
        SELECT l.category, sum(l.weight_kg) AS kg, count(*) AS n, sum(l.amount) AS amount
          FROM tl.reuse_sale_kept s JOIN tl.reuse_sale_line l ON l.sale_id = s.id
         WHERE s.place_id = v_place.id AND s.day BETWEEN v_first AND v_last GROUP BY l.category
    ), tot AS (
        SELECT coalesce((SELECT sum(w.kg) FROM w_in w), 0) AS kg_in,
               coalesce((SELECT sum(s.kg) FROM sold s), 0) AS kg_sold,
               coalesce((SELECT sum(o.kg) FROM w_out o WHERE o.destination = 'don_reemploi'), 0) AS kg_given,
               coalesce((SELECT sum(o.kg) FROM w_out o WHERE o.destination = 'recyclage'), 0) AS kg_recycled
    ), stream AS (
        SELECT m.category, m.stream FROM tl.reuse_eco_streams(v_place.id) m
    ), figures (ord, section, key, grp, label, kg, n, amount, rate) AS (
        SELECT 0, 'periode', v_first::text, v_last::text,
               'du ' || tl.date_fr(v_first) || ' au ' || tl.date_fr(v_last), NULL::numeric, NULL::bigint,
               NULL::numeric, NULL::numeric
        UNION ALL
        SELECT 10 + src.ord, 'entrees_provenance', src.code, src.code, src.label,
               coalesce((SELECT sum(w.kg) FROM w_in w WHERE w.source = src.code), 0),
               coalesce((SELECT i.n FROM intake i WHERE i.source = src.code), 0), NULL, NULL
          FROM (VALUES (1, 'apport_volontaire', 'Apport volontaire'), (2, 'collecte_domicile', 'Collecte à domicile'),
                       (3, 'entreprise', 'Entreprise'), (4, 'decheterie', 'Déchèterie'),
                       (5, 'service_municipal', 'Service municipal')) AS src(ord, code, label)
        UNION ALL
        SELECT 100 + c.rank, 'entrees_categorie', c.code, c.code, c.label,
               coalesce((SELECT sum(w.kg) FROM w_in w WHERE w.category = c.code), 0),
               coalesce((SELECT sum(w.n) FROM w_in w WHERE w.category = c.code), 0)::bigint, NULL, NULL
          FROM tl.reuse_category c
        UNION ALL
        SELECT 199, 'entrees', 'total', 'total', 'Total des entrées', t.kg_in,
               coalesce((SELECT sum(i.n) FROM intake i), 0)::bigint, NULL, NULL FROM tot t
        UNION ALL
        SELECT 200 + d.ord, 'sorties_destination', d.code, d.code, d.label,
               coalesce((SELECT sum(o.kg) FROM w_out o WHERE o.destination = d.code), 0),
               coalesce((SELECT sum(o.n) FROM w_out o WHERE o.destination = d.code), 0)::bigint, NULL, NULL
          FROM (VALUES (1, 'don_reemploi', 'Don pour le réemploi'), (2, 'recyclage', 'Recyclage'),
                       (3, 'elimination', 'Élimination')) AS d(ord, code, label)
        UNION ALL
        SELECT 300 + c.rank * 10, 'sorties_categorie', c.code, c.code, c.label,
               coalesce((SELECT sum(o.kg) FROM w_out o WHERE o.category = c.code), 0),
               coalesce((SELECT sum(o.n) FROM w_out o WHERE o.category = c.code), 0)::bigint, NULL, NULL
          FROM tl.reuse_category c
        UNION ALL
        SELECT 300 + c.rank * 10 + d.ord, 'sorties_detail', d.code, c.code, c.label || ' : ' || d.label,
               coalesce((SELECT sum(o.kg) FROM w_out o WHERE o.category = c.code AND o.destination = d.code), 0),
               coalesce((SELECT sum(o.n) FROM w_out o WHERE o.category = c.code AND o.destination = d.code), 0)::bigint,
               NULL, NULL
          FROM tl.reuse_category c,
               (VALUES (1, 'don_reemploi', 'don pour le réemploi'), (2, 'recyclage', 'recyclage'),
                       (3, 'elimination', 'élimination')) AS d(ord, code, label)
        UNION ALL
        SELECT 499, 'sorties', 'total', 'total', 'Total des sorties (hors ventes)',
               coalesce((SELECT sum(o.kg) FROM w_out o), 0), coalesce((SELECT sum(o.n) FROM w_out o), 0)::bigint,
               NULL, NULL
        UNION ALL
        SELECT 500 + c.rank, 'ventes_categorie', c.code, c.code, c.label,
               coalesce((SELECT s.kg FROM sold s WHERE s.category = c.code), 0),
               coalesce((SELECT s.n FROM sold s WHERE s.category = c.code), 0),
               coalesce((SELECT s.amount FROM sold s WHERE s.category = c.code), 0), NULL
          FROM tl.reuse_category c
        UNION ALL
        SELECT 599, 'ventes', 'total', 'total', 'Total des ventes', t.kg_sold,
               coalesce((SELECT sum(s.n) FROM sale s), 0)::bigint, coalesce((SELECT sum(s.amount) FROM sale s), 0),
               NULL FROM tot t
        UNION ALL
        SELECT 600 + p.ord, 'recettes_paiement', p.code, p.code, p.label, NULL,
               coalesce((SELECT s.n FROM sale s WHERE s.payment = p.code), 0),
               coalesce((SELECT s.amount FROM sale s WHERE s.payment = p.code), 0), NULL
          FROM (VALUES (1, 'especes', 'Espèces'), (2, 'carte', 'Carte bancaire'), (3, 'cheque', 'Chèque'),
                       (4, 'monnaie_locale', 'Monnaie locale'), (5, 'gratuit', 'Gratuit')) AS p(ord, code, label)
        UNION ALL
        SELECT 701, 'taux', 'reemploi', 'reemploi', 'Taux de réemploi', t.kg_sold + t.kg_given, NULL, NULL,
               CASE WHEN t.kg_in > 0 THEN round((t.kg_sold + t.kg_given) * 100 / t.kg_in, 1) END FROM tot t
        UNION ALL
        SELECT 702, 'taux', 'valorisation', 'valorisation', 'Taux de valorisation',
               t.kg_sold + t.kg_given + t.kg_recycled, NULL, NULL,
               CASE WHEN t.kg_in > 0 THEN round((t.kg_sold + t.kg_given + t.kg_recycled) * 100 / t.kg_in, 1) END
          FROM tot t
        UNION ALL
        SELECT 800 + e.rank * 10, 'filiere', e.code, e.code, e.label,
               coalesce((SELECT sum(w.kg) FROM w_in w JOIN stream m ON m.category = w.category
                          WHERE m.stream = e.code), 0), NULL, NULL, NULL
          FROM tl.reuse_eco_stream e
        UNION ALL
        SELECT 800 + e.rank * 10 + r.ord, 'filiere_detail', r.code, e.code, e.label || ' : ' || r.label,
               CASE r.code
                   WHEN 'vendu' THEN coalesce((SELECT sum(s.kg) FROM sold s JOIN stream m ON m.category = s.category
                                                WHERE m.stream = e.code), 0)
                   ELSE coalesce((SELECT sum(o.kg) FROM w_out o JOIN stream m ON m.category = o.category
                                   WHERE m.stream = e.code AND o.destination = r.code), 0) END,
               NULL, NULL, NULL
          FROM tl.reuse_eco_stream e,
               (VALUES (1, 'vendu', 'vendus'), (2, 'don_reemploi', 'don pour le réemploi'),
                       (3, 'recyclage', 'recyclage'), (4, 'elimination', 'élimination')) AS r(ord, code, label)
    )
    SELECT f.section, f.key, f.grp, f.label, f.kg, f.n, f.amount, f.rate,
           tl.kg_fr(f.kg), tl.amount_fr(f.amount),
           CASE WHEN f.section = 'taux' THEN coalesce(replace(f.rate::text, '.', ',') || U&'\00A0%', '—') END,
           replace(to_char(f.kg, 'FM999999999990.000'), '.', ','),
           replace(to_char(f.amount, 'FM999999999990.00'), '.', ','), replace(f.rate::text, '.', ',')
      FROM figures f
     ORDER BY f.ord;
END $$;

-- Small tables that autovacuum never analyzes (fewer rows than its
-- threshold): without statistics the planner guesses hundreds of rows, and a
-- ten-row join crosses the JIT threshold (450 ms to compile, measured).
ANALYZE tl.reuse_category, tl.reuse_eco_stream, tl.reuse_eco_mapping;

REVOKE ALL ON FUNCTION tl.reuse_eco_streams(integer), tl.reuse_outflow_counted_at() FROM PUBLIC;
SELECT tl.grant_desk('tl.record_outflow(text, text, text, text, text, numeric, integer, bigint, text)',
                     'tl.desk_outflows(text, text)', 'tl.admin_eco_mapping(text, text)',
                     'tl.save_eco_mapping(text, text, text[], text[])',
                     'tl.reuse_report(text, text, text, date, date)');
