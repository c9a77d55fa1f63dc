-- 023 — ressourcerie, first part: what comes in. Every drop-off (arrivage)
-- is recorded with its source and the commune it comes from, then weighed
-- by category, the container's tare subtracted. Weights are exact decimals
-- in kilograms (three decimals), never floating point. Nothing recorded is
-- edited: a mistake in a weighing is fixed by a correcting entry that says
-- who and when, so that every report can be traced back.

CREATE TABLE tl.reuse_category (
    code     text CONSTRAINT reuse_category_pkey PRIMARY KEY
             CONSTRAINT reuse_category_code_format CHECK (code ~ '^[a-z]+(_[a-z]+)*$'),
    label    text NOT NULL,
    -- One key to type at the scale: "m" for mobilier.
    key      text NOT NULL CONSTRAINT reuse_category_key_key UNIQUE
             CONSTRAINT reuse_category_key_format CHECK (key ~ '^[a-z]$'),
    -- The heaviest single weighing that makes sense: more is a typing mistake.
    max_kg   numeric(9,3) NOT NULL CONSTRAINT reuse_category_max_positive CHECK (max_kg > 0),
    rank     integer NOT NULL
);
COMMENT ON TABLE tl.reuse_category IS 'Categories of what a ressourcerie takes in, with the key typed at the scale';
GRANT SELECT ON tl.reuse_category TO tierslieux_lecture;
SELECT tl.track_changes('tl.reuse_category'::regclass);

INSERT INTO tl.reuse_category (code, label, key, max_kg, rank) VALUES
    ('mobilier', 'Mobilier', 'm', 300, 1),
    ('textile', 'Textile', 't', 200, 2),
    ('vaisselle', 'Vaisselle', 'v', 150, 3),
    ('livres', 'Livres', 'l', 200, 4),
    ('jouets', 'Jouets', 'j', 100, 5),
    ('electromenager', 'Électroménager', 'e', 200, 6),
    ('outils', 'Outils', 'o', 150, 7),
    ('velos', 'Vélos', 'b', 100, 8),
    ('deco', 'Décoration, bibelots', 'd', 100, 9),
    ('divers', 'Divers', 'x', 300, 10);

CREATE TABLE tl.reuse_container (
    id       integer GENERATED ALWAYS AS IDENTITY CONSTRAINT reuse_container_pkey PRIMARY KEY,
    place_id integer NOT NULL CONSTRAINT reuse_container_place_fkey REFERENCES tl.place,
    name     text NOT NULL CONSTRAINT reuse_container_name_not_blank CHECK (btrim(name) <> ''),
    tare_kg  numeric(9,3) NOT NULL CONSTRAINT reuse_container_tare_range CHECK (tare_kg >= 0 AND tare_kg <= 500),
    CONSTRAINT reuse_container_unique_name UNIQUE (place_id, name)
);
COMMENT ON TABLE tl.reuse_container IS 'A container weighed with what it holds (bac, caddie, palette) and its tare';
GRANT SELECT ON tl.reuse_container TO tierslieux_lecture;
SELECT tl.track_changes('tl.reuse_container'::regclass);

CREATE TABLE tl.reuse_intake (
    id          bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT reuse_intake_pkey PRIMARY KEY,
    place_id    integer NOT NULL CONSTRAINT reuse_intake_place_fkey REFERENCES tl.place,
    source      text NOT NULL CONSTRAINT reuse_intake_source_known
                CHECK (source IN ('apport_volontaire', 'collecte_domicile', 'entreprise', 'decheterie',
                                  'service_municipal')),
    commune     text NOT NULL DEFAULT '',
    at          timestamptz NOT NULL DEFAULT now(),
    recorded_by integer NOT NULL CONSTRAINT reuse_intake_recorded_by_fkey REFERENCES tl.account
);
COMMENT ON TABLE tl.reuse_intake IS 'A drop-off at a ressourcerie: where it comes from (never who brought it)';
CREATE INDEX reuse_intake_place_at_idx ON tl.reuse_intake (place_id, at);
SELECT tl.track_changes('tl.reuse_intake'::regclass);

-- A weighing, or a correction of one (corrects: the weighing it fixes;
-- its net weight replaces the fixed one's in every total).
CREATE TABLE tl.reuse_weighing (
    id          bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT reuse_weighing_pkey PRIMARY KEY,
    intake_id   bigint NOT NULL CONSTRAINT reuse_weighing_intake_fkey REFERENCES tl.reuse_intake,
    category    text NOT NULL CONSTRAINT reuse_weighing_category_fkey REFERENCES tl.reuse_category,
    gross_kg    numeric(9,3) NOT NULL CONSTRAINT reuse_weighing_gross_positive CHECK (gross_kg > 0),
    container_id integer CONSTRAINT reuse_weighing_container_fkey REFERENCES tl.reuse_container,
    tare_kg     numeric(9,3) NOT NULL DEFAULT 0,
    net_kg      numeric(9,3) NOT NULL GENERATED ALWAYS AS (gross_kg - tare_kg) STORED,
    corrects    bigint CONSTRAINT reuse_weighing_corrects_key UNIQUE
                CONSTRAINT reuse_weighing_corrects_fkey REFERENCES tl.reuse_weighing,
    reason      text,
    at          timestamptz NOT NULL DEFAULT now(),
    recorded_by integer NOT NULL CONSTRAINT reuse_weighing_recorded_by_fkey REFERENCES tl.account,
    CONSTRAINT reuse_weighing_tare_below_gross CHECK (tare_kg >= 0 AND tare_kg < gross_kg),
    CONSTRAINT reuse_weighing_correction_reason CHECK (corrects IS NULL OR btrim(coalesce(reason, '')) <> '')
);
COMMENT ON TABLE tl.reuse_weighing IS 'Weighings of an intake by category, append-only; a correction points at what it fixes';
CREATE INDEX reuse_weighing_intake_idx ON tl.reuse_weighing (intake_id);
SELECT tl.track_changes('tl.reuse_weighing'::regclass);

-- The weighings that count: every one not corrected by a later entry.
CREATE VIEW tl.reuse_weighing_current AS
SELECT w.* FROM tl.reuse_weighing w
 WHERE NOT EXISTS (SELECT 1 FROM tl.reuse_weighing c WHERE c.corrects = w.id);
COMMENT ON VIEW tl.reuse_weighing_current IS 'Weighings in force: corrected ones replaced by their correction';

-- A container of a place, added (p_id NULL) or changed: its name and
-- tare. Weighings already made keep the tare they subtracted.
CREATE FUNCTION tl.save_container(p_login text, p_place text, p_id integer, p_name text, p_tare numeric)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place tl.place := tl.require_place(p_place);
    v_who   integer := tl.require_role(p_login, v_place.id, 'referent');
    v_id    integer;
BEGIN
    IF btrim(coalesce(p_name, '')) = '' THEN
        RAISE EXCEPTION 'indiquez le nom du contenant (bac gris, caddie…)' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'reuse_container_name_not_blank';
    END IF;
    IF p_tare IS NULL OR p_tare < 0 OR p_tare > 500 THEN
        RAISE EXCEPTION 'la tare est le poids du contenant vide, de 0 à 500 kg' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'reuse_container_tare_range';
    END IF;
    IF p_id IS NULL THEN
        INSERT INTO tl.reuse_container (place_id, name, tare_kg) VALUES (v_place.id, btrim(p_name), p_tare)
        RETURNING id INTO v_id;
    ELSE
        UPDATE tl.reuse_container SET name = btrim(p_name), tare_kg = p_tare
         WHERE id = p_id AND place_id = v_place.id RETURNING id INTO v_id;
        IF v_id IS NULL THEN
            RAISE EXCEPTION 'ce contenant n''est pas de ce lieu' USING ERRCODE = 'foreign_key_violation',
                CONSTRAINT = 'reuse_weighing_container_fkey';
        END IF;
    END IF;
    PERFORM tl.admin_note(v_who, v_place.id, 'ressourcerie.contenant', btrim(p_name),
                          'tare ' || replace(p_tare::text, '.', ',') || ' kg');
    RETURN v_id;
EXCEPTION WHEN unique_violation THEN
    RAISE EXCEPTION 'un contenant porte déjà ce nom dans ce lieu' USING ERRCODE = 'unique_violation',
        CONSTRAINT = 'reuse_container_unique_name';
END $$;

-- Opens a drop-off. Returns its id.
CREATE FUNCTION tl.start_intake(p_login text, p_place text, p_source text, p_commune text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place tl.place := tl.require_place(p_place);
    v_who   integer := tl.require_role(p_login, v_place.id, 'benevole');
    v_id    bigint;
BEGIN
    IF p_source IS NULL OR p_source NOT IN ('apport_volontaire', 'collecte_domicile', 'entreprise', 'decheterie',
                                            'service_municipal') THEN
        RAISE EXCEPTION 'choisissez la provenance dans la liste' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'reuse_intake_source_known';
    END IF;
    INSERT INTO tl.reuse_intake (place_id, source, commune, recorded_by)
    VALUES (v_place.id, p_source, left(btrim(coalesce(p_commune, '')), 100), v_who)
    RETURNING id INTO v_id;
    RETURN v_id;
END $$;

-- One weighing: the category by its code or its key, the gross weight,
-- and the container whose tare comes off (none: 0). With p_corrects, it
-- replaces that weighing, and a reason is required.
CREATE FUNCTION tl.weigh(p_login text, p_intake bigint, p_category text, p_gross numeric, p_container integer,
                         p_corrects bigint, p_reason text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_intake tl.reuse_intake;
    v_who    integer;
    v_cat    tl.reuse_category;
    v_tare   numeric(9,3) := 0;
    v_id     bigint;
BEGIN
    SELECT * INTO v_intake FROM tl.reuse_intake WHERE id = p_intake;
    IF v_intake.id IS NULL THEN
        RAISE EXCEPTION 'cet arrivage n''existe pas' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'reuse_weighing_intake_fkey';
    END IF;
    v_who := tl.require_role(p_login, v_intake.place_id, 'benevole');
    SELECT * INTO v_cat FROM tl.reuse_category WHERE code = p_category OR key = lower(btrim(coalesce(p_category, '')));
    IF v_cat.code IS NULL THEN
        RAISE EXCEPTION 'catégorie inconnue : tapez la lettre d''une catégorie de la liste'
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'reuse_weighing_category_fkey';
    END IF;
    IF p_gross IS NULL OR p_gross <= 0 THEN
        RAISE EXCEPTION 'le poids est en kilos et plus grand que 0' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'reuse_weighing_gross_positive';
    END IF;
    IF p_container IS NOT NULL THEN
        SELECT tare_kg INTO v_tare FROM tl.reuse_container WHERE id = p_container AND place_id = v_intake.place_id;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'choisissez un contenant de la liste' USING ERRCODE = 'foreign_key_violation',
                CONSTRAINT = 'reuse_weighing_container_fkey';
        END IF;
        IF v_tare >= p_gross THEN
            RAISE EXCEPTION 'le poids brut (% kg) n''est pas plus lourd que le contenant vide (% kg)',
                replace(p_gross::text, '.', ','), replace(v_tare::text, '.', ',')
                USING ERRCODE = 'check_violation', CONSTRAINT = 'reuse_weighing_tare_below_gross';
        END IF;
    END IF;
    IF p_gross - v_tare > v_cat.max_kg THEN
        RAISE EXCEPTION '% kg de % en une pesée, c''est trop : vérifiez le poids (% kg au plus)',
            replace((p_gross - v_tare)::text, '.', ','), lower(v_cat.label), replace(v_cat.max_kg::text, '.', ',')
            USING ERRCODE = 'check_violation', CONSTRAINT = 'reuse_weighing_plausible';
    END IF;
    IF p_corrects IS NOT NULL THEN
        IF NOT EXISTS (SELECT 1 FROM tl.reuse_weighing_current WHERE id = p_corrects AND intake_id = p_intake) THEN
            RAISE EXCEPTION 'cette pesée n''est pas de cet arrivage, ou elle est déjà corrigée'
                USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'reuse_weighing_corrects_fkey';
        END IF;
        IF btrim(coalesce(p_reason, '')) = '' THEN
            RAISE EXCEPTION 'indiquez pourquoi la pesée est corrigée' USING ERRCODE = 'check_violation',
                CONSTRAINT = 'reuse_weighing_correction_reason';
        END IF;
    END IF;
    INSERT INTO tl.reuse_weighing (intake_id, category, gross_kg, container_id, tare_kg, corrects, reason, recorded_by)
    VALUES (p_intake, v_cat.code, p_gross, p_container, v_tare, p_corrects, nullif(btrim(coalesce(p_reason, '')), ''),
            v_who)
    RETURNING id INTO v_id;
    RETURN v_id;
END $$;

-- An intake as the desk shows it: its weighings (corrected ones struck
-- through, with who corrected them, when and why) and its total.
CREATE FUNCTION tl.desk_intake(p_login text, p_intake bigint)
RETURNS TABLE (weighing_id bigint, category text, gross text, tare text, net text, container text, current boolean,
               corrected boolean, corrected_by text, correction text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_intake tl.reuse_intake;
BEGIN
    SELECT * INTO v_intake FROM tl.reuse_intake WHERE id = p_intake;
    IF v_intake.id IS NULL THEN
        RAISE EXCEPTION 'cet arrivage n''existe pas' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'reuse_weighing_intake_fkey';
    END IF;
    PERFORM tl.require_role(p_login, v_intake.place_id, 'benevole');
    RETURN QUERY
    SELECT w.id, c.label, replace(w.gross_kg::text, '.', ','), replace(w.tare_kg::text, '.', ','),
           replace(w.net_kg::text, '.', ','), k.name,
           NOT EXISTS (SELECT 1 FROM tl.reuse_weighing x WHERE x.corrects = w.id),
           EXISTS (SELECT 1 FROM tl.reuse_weighing x WHERE x.corrects = w.id),
           (SELECT a.display_name || ', ' || to_char(x.at, 'DD/MM/YYYY HH24:MI') FROM tl.reuse_weighing x
              JOIN tl.account a ON a.id = x.recorded_by WHERE x.corrects = w.id),
           (SELECT x.reason FROM tl.reuse_weighing x WHERE x.corrects = w.id)
      FROM tl.reuse_weighing w JOIN tl.reuse_category c ON c.code = w.category
      LEFT JOIN tl.reuse_container k ON k.id = w.container_id
     WHERE w.intake_id = v_intake.id
     ORDER BY w.id;
END $$;

-- The drop-off itself, for the top of its page.
CREATE FUNCTION tl.desk_intake_info(p_login text, p_intake bigint)
RETURNS TABLE (id bigint, commune text, source text, place text, place_slug text, at text, total text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_intake tl.reuse_intake;
BEGIN
    SELECT * INTO v_intake FROM tl.reuse_intake i WHERE i.id = p_intake;
    IF v_intake.id IS NULL THEN
        RAISE EXCEPTION 'cet arrivage n''existe pas' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'reuse_weighing_intake_fkey';
    END IF;
    PERFORM tl.require_role(p_login, v_intake.place_id, 'benevole');
    RETURN QUERY
    SELECT v_intake.id, v_intake.commune,
           CASE v_intake.source WHEN 'apport_volontaire' THEN 'apport volontaire'
                                WHEN 'collecte_domicile' THEN 'collecte à domicile' WHEN 'entreprise' THEN 'entreprise'
                                WHEN 'decheterie' THEN 'déchèterie' ELSE 'service municipal' END,
           p.name, p.slug, to_char(v_intake.at AT TIME ZONE p.time_zone, 'DD/MM/YYYY HH24:MI'),
           (SELECT replace(coalesce(sum(w.net_kg), 0)::text, '.', ',') FROM tl.reuse_weighing_current w
             WHERE w.intake_id = v_intake.id)
      FROM tl.place p WHERE p.id = v_intake.place_id;
END $$;

REVOKE ALL ON FUNCTION tl.start_intake(text, text, text, text),
    tl.weigh(text, bigint, text, numeric, integer, bigint, text), tl.desk_intake(text, bigint),
    tl.desk_intake_info(text, bigint) FROM PUBLIC;
SELECT tl.grant_desk('tl.start_intake(text, text, text, text)',
                     'tl.weigh(text, bigint, text, numeric, integer, bigint, text)', 'tl.desk_intake(text, bigint)',
                     'tl.desk_intake_info(text, bigint)',
                     'tl.save_container(text, text, integer, text, numeric)');
