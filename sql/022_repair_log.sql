-- 022 — the repair log: what became of each object brought to a repair
-- café, in the Open Repair Data Standard's terms (ORDS v0.3): its product
-- category (ORDS's 40 where one fits, our own for unpowered objects such
-- as furniture, bicycles and textiles), brand, age, problem, outcome (with
-- the barrier for an end of life), weight if weighed, time spent and
-- repairer. A volunteer logs it on the day, from the queue of bookings and
-- walk-ins.

CREATE TABLE tl.repair_category (
    code     text CONSTRAINT repair_category_pkey PRIMARY KEY
             CONSTRAINT repair_category_code_format CHECK (code ~ '^[a-z0-9]+(_[a-z0-9]+)*$'),
    label    text NOT NULL,
    ords_id  integer CONSTRAINT repair_category_ords_id_key UNIQUE
             CONSTRAINT repair_category_ords_id_range CHECK (ords_id BETWEEN 1 AND 40),
    ords_name text,
    powered  boolean NOT NULL,
    rank     integer NOT NULL,
    CONSTRAINT repair_category_ords_both CHECK ((ords_id IS NULL) = (ords_name IS NULL))
);
COMMENT ON TABLE tl.repair_category IS 'Product categories of repaired objects: ORDS v0.3''s 40, and our own unpowered ones';
GRANT SELECT ON tl.repair_category TO tierslieux_lecture;
SELECT tl.track_changes('tl.repair_category'::regclass);

-- The average weight and footprint of each category, for the impact of
-- fixed objects, versioned by date like the other impact factors (sql/016).
CREATE TABLE tl.repair_category_factor (
    id           integer GENERATED ALWAYS AS IDENTITY CONSTRAINT repair_category_factor_pkey PRIMARY KEY,
    category     text NOT NULL CONSTRAINT repair_category_factor_category_fkey REFERENCES tl.repair_category,
    weight_kg    numeric(10,3) NOT NULL CONSTRAINT repair_category_factor_weight_positive CHECK (weight_kg >= 0),
    footprint_kg numeric(10,3) NOT NULL CONSTRAINT repair_category_factor_footprint_positive CHECK (footprint_kg >= 0),
    source       text NOT NULL,
    valid_from   date NOT NULL,
    CONSTRAINT repair_category_factor_unique UNIQUE (category, valid_from)
);
COMMENT ON TABLE tl.repair_category_factor IS 'Average weight (kg) and footprint (kg CO2e) per repair category, by date, with their source';
GRANT SELECT ON tl.repair_category_factor TO tierslieux_lecture;
SELECT tl.track_changes('tl.repair_category_factor'::regclass);

-- The 40 ORDS product categories (Open Repair Alliance, ORDS v0.3, CC BY-SA
-- 4.0), their French labels, and the Restart Project's reference weights
-- and footprints (openrepair/tools, ords_category_lca_reference.csv).
INSERT INTO tl.repair_category (code, label, ords_id, ords_name, powered, rank)
SELECT c.code, c.label, c.id, c.name, true, c.id
  FROM (VALUES
    (1, 'Aircon/dehumidifier', 'climatiseur', 'Climatiseur, déshumidificateur'),
    (2, 'Battery/charger/adapter', 'chargeur', 'Batterie, chargeur, adaptateur'),
    (3, 'Decorative or safety lights', 'guirlande', 'Guirlande, éclairage décoratif ou de sécurité'),
    (4, 'Desktop computer', 'ordinateur_bureau', 'Ordinateur de bureau'),
    (5, 'Digital compact camera', 'appareil_photo', 'Appareil photo compact'),
    (6, 'DSLR/video camera', 'reflex_camescope', 'Reflex, caméscope'),
    (7, 'Fan', 'ventilateur', 'Ventilateur'),
    (8, 'Flat screen', 'ecran_plat', 'Écran plat'),
    (9, 'Hair & beauty item', 'coiffure_beaute', 'Appareil de coiffure ou de beauté'),
    (10, 'Handheld entertainment device', 'baladeur', 'Baladeur, console portable'),
    (11, 'Headphones', 'casque_audio', 'Casque, écouteurs'),
    (12, 'Hi-Fi integrated', 'chaine_hifi', 'Chaîne hi-fi'),
    (13, 'Hi-Fi separates', 'element_hifi', 'Élément hi-fi (ampli, platine…)'),
    (14, 'Kettle', 'bouilloire', 'Bouilloire'),
    (15, 'Lamp', 'lampe', 'Lampe'),
    (16, 'Laptop', 'ordinateur_portable', 'Ordinateur portable'),
    (17, 'Large home electrical', 'gros_electromenager', 'Gros électroménager'),
    (18, 'Misc', 'divers_electrique', 'Divers (électrique)'),
    (19, 'Mobile', 'telephone', 'Téléphone mobile'),
    (20, 'Musical instrument', 'instrument', 'Instrument de musique'),
    (21, 'Paper shredder', 'destructeur', 'Destructeur de documents'),
    (22, 'PC accessory', 'accessoire_informatique', 'Accessoire informatique'),
    (23, 'Portable radio', 'radio', 'Radio portable'),
    (24, 'Power tool', 'outil_electrique', 'Outil électroportatif'),
    (25, 'Printer/scanner', 'imprimante', 'Imprimante, scanner'),
    (26, 'Projector', 'videoprojecteur', 'Vidéoprojecteur'),
    (27, 'Sewing machine', 'machine_a_coudre', 'Machine à coudre'),
    (28, 'Small home electrical', 'petit_electromenager', 'Petit électroménager'),
    (29, 'Small kitchen item', 'petit_appareil_cuisine', 'Petit appareil de cuisine'),
    (30, 'Tablet', 'tablette', 'Tablette'),
    (31, 'Toaster', 'grille_pain', 'Grille-pain'),
    (32, 'Toy', 'jouet_electrique', 'Jouet électrique'),
    (33, 'TV and gaming-related accessories', 'accessoire_tv_jeux', 'Accessoire TV ou jeux vidéo'),
    (34, 'Vacuum', 'aspirateur', 'Aspirateur'),
    (35, 'Watch/clock', 'montre_horloge', 'Montre, horloge'),
    (36, 'Coffee maker', 'cafetiere', 'Cafetière'),
    (37, 'Food processor', 'robot_cuisine', 'Robot de cuisine'),
    (38, 'Games console', 'console', 'Console de jeux'),
    (39, 'Hair dryer', 'seche_cheveux', 'Sèche-cheveux'),
    (40, 'Iron', 'fer_a_repasser', 'Fer à repasser')) AS c(id, name, code, label);

-- Unpowered objects have no ORDS category: ours, with the Restart
-- Project's 2021 figures where there are some (DOMAIN.md).
INSERT INTO tl.repair_category (code, label, powered, rank) VALUES
    ('meuble', 'Meuble', false, 101),
    ('velo', 'Vélo', false, 102),
    ('textile', 'Vêtement, textile', false, 103),
    ('outil_main', 'Outil à main', false, 104),
    ('bijou', 'Bijou, petit objet', false, 105),
    ('autre_non_electrique', 'Autre objet non électrique', false, 106),
    -- An imported row whose category is neither ORDS's nor ours: its own
    -- words stay in ext_product_category.
    ('non_classe', 'Non classé (import)', false, 107);

INSERT INTO tl.repair_category_factor (category, weight_kg, footprint_kg, source, valid_from)
SELECT c.code, f.weight, f.footprint,
       'The Restart Project, ords_category_lca_reference.csv (openrepair/tools, ccd642f)', date '2021-01-01'
  FROM (VALUES (1, 7.6, 99.41), (2, 1.65, 26.65), (3, 0.46, 14.72), (4, 6.69, 414.17), (5, 0.48, 29.73),
               (6, 0.59, 16.03), (7, 3.9, 15.6), (8, 8.268, 308.952), (9, 0.67, 10.28), (10, 0.14, 22.71),
               (11, 0.4, 3), (12, 8.95, 186.5), (13, 8.72, 123.86), (14, 1.25, 44.32), (15, 2.68, 14.96),
               (16, 1.83, 265.32), (17, 10, 26.65), (18, 0, 0), (19, 0.15, 50.51), (20, 17.7, 109.5),
               (21, 3.8, 59.5), (22, 0.44, 15.94), (23, 2.06, 54.65), (24, 1.65, 26.65), (25, 12.47, 100.69),
               (26, 2.68, 57.58), (27, 8.6, 35), (28, 2.95, 30.9), (29, 2.95, 30.9), (30, 0.77, 114.49),
               (31, 1.47, 8.13), (32, 0.93, 10.4), (33, 1.99, 51.33), (34, 6.8, 36.01), (35, 1.3, 28.29),
               (36, 1.28, 17.5), (37, 2.95, 30.9), (38, 3.22, 140.67), (39, 0.67, 10.28), (40, 1.17, 11))
       AS f(id, weight, footprint)
  JOIN tl.repair_category c ON c.ords_id = f.id;
INSERT INTO tl.repair_category_factor (category, weight_kg, footprint_kg, source, valid_from) VALUES
    ('meuble', 29.81, 67.13, 'The Restart Project, objets non électriques, 2021', date '2021-01-01'),
    ('velo', 15.1, 149.6, 'The Restart Project, objets non électriques, 2021', date '2021-01-01'),
    ('textile', 0.75, 20.32, 'The Restart Project, objets non électriques, 2021', date '2021-01-01'),
    ('outil_main', 0.93, 4.67, 'The Restart Project, objets non électriques, 2021', date '2021-01-01');

CREATE TABLE tl.repair_record (
    id           bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT repair_record_pkey PRIMARY KEY,
    -- Logged at one of our sessions, or imported from another tool's ORDS
    -- file (then no session: the place, the day and the file's own id,
    -- provider, country and categories are kept, and exported as they came).
    session_id   integer CONSTRAINT repair_record_session_fkey REFERENCES tl.repair_session,
    place_id     integer NOT NULL CONSTRAINT repair_record_place_fkey REFERENCES tl.place,
    event_date   date NOT NULL,
    ext_id       text CONSTRAINT repair_record_ext_id_key UNIQUE,
    ext_provider text,
    ext_country  text CONSTRAINT repair_record_ext_country_format CHECK (ext_country ~ '^[A-Z]{3}$'),
    ext_partner_category text,
    ext_product_category text,
    ext_group    text,
    year_of_manufacture integer CONSTRAINT repair_record_year_range CHECK (year_of_manufacture BETWEEN 1800 AND 2200),
    booking_id   bigint CONSTRAINT repair_record_booking_key UNIQUE
                 CONSTRAINT repair_record_booking_fkey REFERENCES tl.repair_booking,
    object       text NOT NULL CONSTRAINT repair_record_object_not_blank CHECK (btrim(object) <> ''),
    category     text NOT NULL CONSTRAINT repair_record_category_fkey REFERENCES tl.repair_category,
    brand        text,
    age_years    numeric(6,2) CONSTRAINT repair_record_age_range CHECK (age_years BETWEEN 0 AND 150),
    problem      text NOT NULL DEFAULT '',
    status       text NOT NULL CONSTRAINT repair_record_status_known
                 CHECK (status IN ('repare', 'reparable', 'fin_de_vie', 'inconnu')),
    -- ORDS's barrier (1-6), only for an end of life.
    barrier      integer CONSTRAINT repair_record_barrier_range CHECK (barrier BETWEEN 1 AND 6),
    weight_kg    numeric(8,3) CONSTRAINT repair_record_weight_range CHECK (weight_kg > 0 AND weight_kg <= 500),
    minutes      integer CONSTRAINT repair_record_minutes_range CHECK (minutes BETWEEN 1 AND 600),
    repairer_id  integer CONSTRAINT repair_record_repairer_fkey REFERENCES tl.account,
    recorded_by  integer NOT NULL CONSTRAINT repair_record_recorded_by_fkey REFERENCES tl.account,
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT repair_record_barrier_end_of_life CHECK (barrier IS NULL OR status = 'fin_de_vie'),
    CONSTRAINT repair_record_origin CHECK (session_id IS NOT NULL OR ext_id IS NOT NULL)
);
COMMENT ON TABLE tl.repair_record IS 'One object seen at a repair café and what became of it (an ORDS v0.3 row)';
CREATE INDEX repair_record_session_idx ON tl.repair_record (session_id);
CREATE INDEX repair_record_place_date_idx ON tl.repair_record (place_id, event_date);
SELECT tl.track_changes('tl.repair_record'::regclass);

-- Logs an object. From a booking (its object and problem as defaults), or
-- a walk-in (no booking). Any bénévole of the session's place.
CREATE FUNCTION tl.log_repair(p_login text, p_session integer, p_booking bigint, p_object text, p_category text,
                              p_brand text, p_age numeric, p_problem text, p_status text, p_barrier integer,
                              p_weight numeric, p_minutes integer, p_repairer text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_session  tl.repair_session;
    v_who      integer;
    v_repairer integer;
    v_id       bigint;
BEGIN
    SELECT * INTO v_session FROM tl.repair_session WHERE id = p_session;
    IF v_session.id IS NULL THEN
        RAISE EXCEPTION 'cette séance n''existe pas' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'repair_record_session_fkey';
    END IF;
    v_who := tl.require_role(p_login, v_session.place_id, 'benevole');
    IF p_booking IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM tl.repair_booking b JOIN tl.repair_slot l ON l.id = b.slot_id
             WHERE b.id = p_booking AND l.session_id = p_session AND b.cancelled_at IS NULL) THEN
        RAISE EXCEPTION 'cette réservation n''est pas de cette séance' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'repair_record_booking_fkey';
    END IF;
    IF btrim(coalesce(p_object, '')) = '' THEN
        RAISE EXCEPTION 'indiquez l''objet' USING ERRCODE = 'check_violation', CONSTRAINT = 'repair_record_object_not_blank';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM tl.repair_category WHERE code = p_category) THEN
        RAISE EXCEPTION 'choisissez une catégorie de la liste' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'repair_record_category_fkey';
    END IF;
    IF p_status IS NULL OR p_status NOT IN ('repare', 'reparable', 'fin_de_vie', 'inconnu') THEN
        RAISE EXCEPTION 'choisissez le résultat : réparé, réparable ou fin de vie' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'repair_record_status_known';
    END IF;
    IF p_barrier IS NOT NULL AND p_status <> 'fin_de_vie' THEN
        RAISE EXCEPTION 'la cause d''une fin de vie ne va qu''avec « fin de vie »' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'repair_record_barrier_end_of_life';
    END IF;
    IF p_barrier IS NOT NULL AND p_barrier NOT BETWEEN 1 AND 6 THEN
        RAISE EXCEPTION 'choisissez une cause de la liste' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'repair_record_barrier_range';
    END IF;
    IF p_weight IS NOT NULL AND (p_weight <= 0 OR p_weight > 500) THEN
        RAISE EXCEPTION 'le poids est en kilos, plus de 0 et 500 au plus' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'repair_record_weight_range';
    END IF;
    IF p_minutes IS NOT NULL AND p_minutes NOT BETWEEN 1 AND 600 THEN
        RAISE EXCEPTION 'le temps passé va de 1 à 600 minutes' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'repair_record_minutes_range';
    END IF;
    IF p_age IS NOT NULL AND (p_age < 0 OR p_age > 150) THEN
        RAISE EXCEPTION 'l''âge de l''objet va de 0 à 150 ans' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'repair_record_age_range';
    END IF;
    IF nullif(btrim(coalesce(p_repairer, '')), '') IS NOT NULL THEN
        SELECT a.id INTO v_repairer FROM tl.account a JOIN tl.account_role r ON r.account_id = a.id
         WHERE a.login = p_repairer AND r.place_id = v_session.place_id;
        IF v_repairer IS NULL THEN
            RAISE EXCEPTION 'choisissez un réparateur de l''équipe du lieu' USING ERRCODE = 'foreign_key_violation',
                CONSTRAINT = 'repair_record_repairer_fkey';
        END IF;
    END IF;
    INSERT INTO tl.repair_record (session_id, place_id, event_date, booking_id, object, category, brand, age_years,
                                  problem, status, barrier, weight_kg, minutes, repairer_id, recorded_by)
    VALUES (p_session, v_session.place_id,
            (v_session.starts_at AT TIME ZONE (SELECT time_zone FROM tl.place WHERE id = v_session.place_id))::date,
            p_booking, btrim(p_object), p_category, nullif(btrim(coalesce(p_brand, '')), ''), p_age,
            btrim(coalesce(p_problem, '')), p_status, p_barrier, p_weight, p_minutes, v_repairer, v_who)
    RETURNING id INTO v_id;
    RETURN v_id;
EXCEPTION WHEN unique_violation THEN
    RAISE EXCEPTION 'cet objet est déjà noté' USING ERRCODE = 'unique_violation',
        CONSTRAINT = 'repair_record_booking_key';
END $$;

-- A result as the desk says it.
CREATE FUNCTION tl.repair_status_fr(p_status text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT SET search_path = pg_catalog AS $$
    SELECT CASE p_status WHEN 'repare' THEN 'réparé' WHEN 'reparable' THEN 'réparable'
                         WHEN 'fin_de_vie' THEN 'fin de vie' ELSE 'inconnu' END
$$;

-- The day's queue: booked objects (by slot, logged or not), then the
-- walk-ins logged, for the volunteers of the place.
CREATE FUNCTION tl.desk_repair_queue(p_login text, p_session integer)
RETURNS TABLE (booking_id bigint, slot_time text, object text, problem text, visitor_name text, logged boolean,
               status text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_tz text := (tl.require_repair_desk(p_login, p_session)).time_zone;
BEGIN
    RETURN QUERY
    SELECT b.id, to_char(l.starts_at AT TIME ZONE v_tz, 'FMHH24" h "MI'), b.object, b.problem, b.visitor_name,
           r.id IS NOT NULL, tl.repair_status_fr(r.status)
      FROM tl.repair_booking b JOIN tl.repair_slot l ON l.id = b.slot_id
      LEFT JOIN tl.repair_record r ON r.booking_id = b.id
     WHERE l.session_id = p_session AND b.cancelled_at IS NULL
    UNION ALL
    SELECT NULL, 'sans réservation', r.object, r.problem, NULL, true, tl.repair_status_fr(r.status)
      FROM tl.repair_record r WHERE r.session_id = p_session AND r.booking_id IS NULL
     ORDER BY 6, 2, 1;
END $$;

SELECT tl.grant_desk(
    'tl.log_repair(text, integer, bigint, text, text, text, numeric, text, text, integer, numeric, integer, text)',
    'tl.desk_repair_queue(text, integer)');

-- ---- results and impact ----------------------------------------------------------

-- The weight and footprint of a category on a day (the latest factor from
-- before it).
CREATE FUNCTION tl.repair_factor(p_category text, p_on date, OUT weight_kg numeric, OUT footprint_kg numeric,
                                 OUT source text)
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT f.weight_kg, f.footprint_kg, f.source FROM tl.repair_category_factor f
     WHERE f.category = p_category AND f.valid_from <= p_on
     ORDER BY f.valid_from DESC LIMIT 1
$$;

-- What a session, a place or the whole network repaired, and its impact,
-- counted as The Restart Project does: for FIXED objects only, waste
-- prevented = the object's weight if weighed, else its category's average;
-- CO2e avoided = the category's footprint (or, for a category without one,
-- the weight × the per-kilo footprint of a powered or unpowered object)
-- × the displacement factor, each factor as it stood on the session's day
-- for its place (sql/016).
CREATE FUNCTION tl.repair_results(p_place text, p_session integer)
RETURNS TABLE (brought bigint, fixed bigint, repairable bigint, end_of_life bigint, waste_kg numeric, co2_kg numeric,
               unweighed_unknown bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    WITH r AS (
        SELECT r.status, r.weight_kg, c.powered, f.weight_kg AS avg_weight, f.footprint_kg,
               (SELECT value FROM tl.impact_factors(p.slug, r.event_date) WHERE key = 'reparation_deplacement')
                   AS displacement,
               (SELECT value FROM tl.impact_factors(p.slug, r.event_date)
                 WHERE key = CASE WHEN c.powered THEN 'co2_kg_electrique' ELSE 'co2_kg_non_electrique' END) AS per_kg
          FROM tl.repair_record r
          JOIN tl.place p ON p.id = r.place_id
          JOIN tl.repair_category c ON c.code = r.category
          LEFT JOIN LATERAL tl.repair_factor(r.category, r.event_date) f ON true
         WHERE (p_session IS NULL OR r.session_id = p_session)
           AND (coalesce(p_place, '') = '' OR p.slug = p_place)
    )
    SELECT count(*), count(*) FILTER (WHERE status = 'repare'), count(*) FILTER (WHERE status = 'reparable'),
           count(*) FILTER (WHERE status = 'fin_de_vie'),
           round(coalesce(sum(coalesce(weight_kg, avg_weight)) FILTER (WHERE status = 'repare'), 0), 1),
           round(coalesce(sum(displacement * CASE WHEN footprint_kg > 0 THEN footprint_kg
                                                  ELSE coalesce(weight_kg, avg_weight, 0) * per_kg END)
                          FILTER (WHERE status = 'repare'), 0), 1),
           count(*) FILTER (WHERE status = 'repare' AND weight_kg IS NULL AND coalesce(avg_weight, 0) = 0)
      FROM r
$$;

-- The ORDS v0.3 rows of a place (or all) over a period: open data, nothing
-- of the visitors (the module scrubs e-mails and phone numbers out of the
-- problem's text when it writes them).
CREATE FUNCTION tl.repair_ords_rows(p_place text, p_from date, p_to date)
RETURNS TABLE (id text, data_provider text, country text, partner_product_category text, product_category text,
               product_category_id integer, brand text, year_of_manufacture integer, product_age text,
               repair_status integer, barrier integer, group_identifier text, event_date text, problem text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    -- Ids as the schema writes them (^[a-z]+-[0-9]+$): ours "tierslieux-N",
    -- an imported "rctoronto_6912" as "rctoronto-6912".
    SELECT CASE WHEN r.ext_id IS NULL THEN 'tierslieux-' || r.id
                WHEN r.ext_id ~ '^[A-Za-z]+[_-][0-9]+$' THEN lower(regexp_replace(r.ext_id, '[_-]', '-'))
                ELSE 'import-' || r.id END,
           coalesce(r.ext_provider, o.name), coalesce(r.ext_country, 'FRA'),
           coalesce(r.ext_partner_category, c.label),
           coalesce(c.ords_name, r.ext_product_category, c.label), c.ords_id,
           coalesce(r.brand, ''), r.year_of_manufacture, coalesce(r.age_years::text, ''),
           CASE r.status WHEN 'repare' THEN 1 WHEN 'reparable' THEN 2 WHEN 'fin_de_vie' THEN 3 ELSE 0 END,
           coalesce(r.barrier, 0), coalesce(r.ext_group, p.slug), to_char(r.event_date, 'YYYY-MM-DD'), r.problem
      FROM tl.repair_record r
      JOIN tl.place p ON p.id = r.place_id
      JOIN tl.organisation o ON o.id = p.organisation_id
      JOIN tl.repair_category c ON c.code = r.category
     WHERE (coalesce(p_place, '') = '' OR p.slug = p_place)
       AND r.event_date BETWEEN p_from AND p_to
     ORDER BY r.event_date, r.id
$$;


-- ---- ORDS import ---------------------------------------------------------------

-- A batch of ORDS rows read by the module (tl_ords_read: header, labels,
-- dates, categories already checked) into a place, set-based so that
-- 20,000 rows take seconds: every row whose id is already here is reported
-- by its line; with p_apply, all rows are imported or, with any such row,
-- none. Called by tl.import_run (sql/019) for batches of kind "reparations".
CREATE FUNCTION tl.import_repairs(p_login text, p_batch bigint, p_apply boolean)
RETURNS TABLE (line integer, label text, outcome text, error text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_batch tl.import_batch;
    v_who   integer;
    v_bad   integer;
    v_n     integer;
BEGIN
    SELECT * INTO v_batch FROM tl.import_batch b WHERE b.id = p_batch AND b.applied_at IS NULL FOR UPDATE;
    v_who := tl.require_role(p_login, v_batch.place_id, 'referent');
    CREATE TEMPORARY TABLE IF NOT EXISTS tl_import_repairs (
        line integer, id text, provider text, country text, partner text, product text, category_id integer,
        brand text, year integer, age numeric, status integer, barrier integer, grp text, day date, problem text
    ) ON COMMIT DROP;
    TRUNCATE tl_import_repairs;
    INSERT INTO tl_import_repairs
    SELECT x.ligne, x.id, x.provider, x.country, nullif(x.partner, ''), nullif(x.product, ''),
           nullif(x.category_id, 0), nullif(x.brand, ''), nullif(x.year, 0), nullif(x.age, '')::numeric,
           x.status, nullif(x.barrier, 0), nullif(x.grp, ''), x.day::date, coalesce(x.problem, '')
      FROM jsonb_to_recordset(v_batch.rows) AS x(ligne integer, id text, provider text, country text, partner text,
                                                 product text, category_id integer, brand text, year integer,
                                                 age text, status integer, barrier integer, grp text, day text,
                                                 problem text);
    SELECT count(*) INTO v_bad FROM tl_import_repairs t JOIN tl.repair_record r ON r.ext_id = t.id;
    IF NOT p_apply OR v_bad > 0 THEN
        IF p_apply THEN
            RAISE EXCEPTION '% ligne(s) du fichier sont refusées : rien n''a été importé', v_bad
                USING ERRCODE = 'check_violation', CONSTRAINT = 'import_batch_rows_refused';
        END IF;
        RETURN QUERY
        SELECT t.line, t.id || ' — ' || coalesce(t.product, t.partner, ''), NULL::text,
               CASE WHEN r.id IS NOT NULL THEN 'la réparation « ' || t.id || ' » est déjà importée' END
          FROM tl_import_repairs t LEFT JOIN tl.repair_record r ON r.ext_id = t.id
         ORDER BY t.line;
        RETURN;
    END IF;
    INSERT INTO tl.repair_record (place_id, event_date, ext_id, ext_provider, ext_country, ext_partner_category,
                                  ext_product_category, ext_group, object, category, brand, year_of_manufacture,
                                  age_years, problem, status, barrier, recorded_by)
    SELECT v_batch.place_id, t.day, t.id, t.provider, t.country, t.partner, t.product, t.grp,
           coalesce(t.partner, t.product, 'objet'), coalesce(c.code, 'non_classe'), t.brand, t.year,
           CASE WHEN t.age BETWEEN 0 AND 150 THEN t.age END, t.problem,
           CASE t.status WHEN 1 THEN 'repare' WHEN 2 THEN 'reparable' WHEN 3 THEN 'fin_de_vie' ELSE 'inconnu' END,
           t.barrier, v_who
      FROM tl_import_repairs t LEFT JOIN tl.repair_category c ON c.ords_id = t.category_id;
    GET DIAGNOSTICS v_n = ROW_COUNT;
    UPDATE tl.import_batch SET applied_at = now(), rows = '[]' WHERE id = v_batch.id;
    PERFORM tl.admin_note(v_who, v_batch.place_id, 'import.reparations', v_batch.file_name,
                          format('%s ligne(s) importée(s)', v_n));
    RETURN QUERY SELECT NULL::integer, NULL::text, v_n::text, NULL::text;
EXCEPTION WHEN unique_violation THEN
    RAISE EXCEPTION 'une réparation du fichier a été importée entre-temps : rien n''a été importé, renvoyez le fichier'
        USING ERRCODE = 'check_violation', CONSTRAINT = 'import_batch_rows_refused';
END $$;

REVOKE ALL ON FUNCTION tl.import_repairs(text, bigint, boolean) FROM PUBLIC;

REVOKE ALL ON FUNCTION tl.repair_factor(text, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.repair_results(text, integer), tl.repair_ords_rows(text, date, date)
   TO tierslieux_lecture;
