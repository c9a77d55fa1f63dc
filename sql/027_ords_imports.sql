-- 027 — Open Repair Data imports as providers publish them, at their size.
--
-- * Rows wait in a staging table (tl.import_repair_row), written in batches
--   while the module streams the upload, instead of one JSON value holding
--   the whole file.
-- * A provider's newer release repeats its older rows, some corrected: a
--   row whose id is already here at this place is "unchanged" or
--   "corrected" (its fields are brought up to date), not refused.
-- * The preview checks exactly what the database will: every staged row is
--   turned into the tl.repair_record it would become and tested against
--   the table's own CHECK and NOT NULL constraints, read from the catalogue
--   (tl.import_repair_faults). The reason shown is the constraint's comment,
--   in French. Confirming runs the same checks again, so a row refused at
--   confirmation (the data changed in between) is named by its line.
-- * Values are kept as the file wrote them: an age "5" stays 5, "2.125"
--   stays 2.125; an empty group or category stays empty.
-- * Items and members files: a confirmation that finds refused rows names
--   their lines; PostgreSQL's own English messages become French.

-- Ages as written: numeric without a scale keeps "5", "2.5" and "2.125".
ALTER TABLE tl.repair_record ALTER COLUMN age_years TYPE numeric;

-- Imported rows kept "" as NULL before; empty stays empty from now on.
UPDATE tl.repair_record SET ext_partner_category = coalesce(ext_partner_category, ''),
                            ext_product_category = coalesce(ext_product_category, ''),
                            ext_group = coalesce(ext_group, '')
 WHERE ext_id IS NOT NULL
   AND (ext_partner_category IS NULL OR ext_product_category IS NULL OR ext_group IS NULL);

-- The reasons a person reads when a row breaks a rule: kept on the rule
-- itself, so the message cannot drift from the check.
COMMENT ON CONSTRAINT repair_record_year_range ON tl.repair_record IS
    'l''année de fabrication va de 1800 à 2200';
COMMENT ON CONSTRAINT repair_record_age_range ON tl.repair_record IS
    'l''âge de l''objet va de 0 à 150 ans';
COMMENT ON CONSTRAINT repair_record_ext_country_format ON tl.repair_record IS
    'le pays s''écrit en trois lettres majuscules (FRA, GBR…)';
COMMENT ON CONSTRAINT repair_record_barrier_range ON tl.repair_record IS
    'la cause d''une fin de vie est l''une des six de la norme';
COMMENT ON CONSTRAINT repair_record_barrier_end_of_life ON tl.repair_record IS
    'une cause de fin de vie ne va qu''avec le résultat « fin de vie »';
COMMENT ON CONSTRAINT repair_record_object_not_blank ON tl.repair_record IS
    'l''objet n''est pas nommé';
COMMENT ON CONSTRAINT repair_record_status_known ON tl.repair_record IS
    'le résultat est réparé, réparable, fin de vie ou inconnu';
COMMENT ON CONSTRAINT repair_record_weight_range ON tl.repair_record IS
    'le poids est en kilos, plus de 0 et 500 au plus';
COMMENT ON CONSTRAINT repair_record_minutes_range ON tl.repair_record IS
    'le temps passé va de 1 à 600 minutes';
COMMENT ON CONSTRAINT repair_record_origin ON tl.repair_record IS
    'une réparation vient d''une séance ou d''un fichier importé';
COMMENT ON CONSTRAINT repair_record_ext_id_key ON tl.repair_record IS
    'cette réparation est déjà importée';
COMMENT ON CONSTRAINT item_code_format ON tl.item IS
    'le numéro de l''objet s''écrit en lettres majuscules, chiffres et tirets (32 au plus)';
COMMENT ON CONSTRAINT item_code_key ON tl.item IS 'ce numéro d''objet est déjà pris';
COMMENT ON CONSTRAINT item_barcode_format ON tl.item IS
    'le code-barres s''écrit en lettres, chiffres et tirets (64 au plus)';
COMMENT ON CONSTRAINT item_barcode_key ON tl.item IS 'ce code-barres est déjà pris';
COMMENT ON CONSTRAINT item_title_not_blank ON tl.item IS 'le nom de l''objet est vide';
COMMENT ON CONSTRAINT item_loan_days_range ON tl.item IS 'la durée du prêt va de 1 à 365 jours';
COMMENT ON CONSTRAINT item_deposit_positive ON tl.item IS 'la caution ne peut pas être négative';
COMMENT ON CONSTRAINT item_safety_check_days_range ON tl.item IS
    'l''intervalle des contrôles va de 1 à 3650 jours';
COMMENT ON CONSTRAINT member_birth_year_range ON tl.member IS 'l''année de naissance va de 1900 à 2100';
COMMENT ON CONSTRAINT member_email_format ON tl.member IS 'le courriel n''est pas complet';
COMMENT ON CONSTRAINT member_names_not_blank ON tl.member IS 'le nom et le prénom sont nécessaires';
COMMENT ON CONSTRAINT member_number_key ON tl.member IS 'ce numéro d''adhérent est déjà pris';

-- An error raised while importing a row, as the person reads it: our own
-- messages are French already; PostgreSQL's (a constraint of a table, a
-- value of the wrong shape) become the constraint's comment or a French
-- sentence naming the rule.
CREATE FUNCTION tl.import_error_fr(p_state text, p_message text, p_constraint text) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT CASE
        WHEN p_message !~ '^(new row for relation|duplicate key value|null value in column|value too long|numeric field overflow|invalid input syntax|insert or update on table|update or delete on table|value for domain|date/time field value|integer out of range|invalid input value)'
            THEN p_message
        WHEN coalesce(p_constraint, '') <> '' THEN coalesce(
            (SELECT obj_description(c.oid, 'pg_constraint') FROM pg_constraint c
               JOIN pg_namespace n ON n.oid = c.connamespace
              WHERE n.nspname = 'tl' AND c.conname = p_constraint LIMIT 1),
            format('une valeur ne respecte pas la règle « %s » de la base', p_constraint))
        WHEN p_state = '22001' THEN 'un texte est trop long'
        WHEN p_state IN ('22003', '22008') THEN 'un nombre ou une date est hors limites'
        WHEN p_state = '23502' THEN 'une valeur nécessaire manque'
        ELSE 'une valeur n''a pas la forme attendue'
    END
$$;

-- ---- ORDS rows waiting between the upload and the confirmation ---------

ALTER TABLE tl.import_batch
    ADD COLUMN rows_new integer,
    ADD COLUMN rows_corrected integer,
    ADD COLUMN rows_unchanged integer;

-- Not tracked (tl.track_changes): staging rows change no public page.
CREATE TABLE tl.import_repair_row (
    batch_id    bigint NOT NULL CONSTRAINT import_repair_row_batch_fkey REFERENCES tl.import_batch ON DELETE CASCADE,
    line        integer NOT NULL,
    ext_id      text NOT NULL,
    provider    text NOT NULL,
    country     text NOT NULL,
    partner     text NOT NULL,
    product     text NOT NULL,
    category_id integer,
    brand       text NOT NULL,
    year        integer,
    age         text NOT NULL,
    status      integer NOT NULL,
    barrier     integer,
    grp         text NOT NULL,
    day         date NOT NULL,
    problem     text NOT NULL,
    CONSTRAINT import_repair_row_pkey PRIMARY KEY (batch_id, line)
);
COMMENT ON TABLE tl.import_repair_row IS 'Rows of an ORDS file being imported, as the module read them, until confirmed (a day at most)';
CREATE INDEX import_repair_row_ext_id_idx ON tl.import_repair_row (batch_id, ext_id);

-- Appends rows read by the module (tl_ords: labels, dates and numbers
-- already typed) to a batch of the caller's.
CREATE FUNCTION tl.import_repair_stage(p_login text, p_batch bigint, p_rows jsonb) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_n integer;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM tl.import_batch b JOIN tl.account a ON a.id = b.account_id
                    WHERE b.id = p_batch AND a.login = p_login AND b.kind = 'reparations'
                      AND b.applied_at IS NULL) THEN
        RAISE EXCEPTION 'cet import n''est pas le vôtre' USING ERRCODE = 'insufficient_privilege';
    END IF;
    INSERT INTO tl.import_repair_row (batch_id, line, ext_id, provider, country, partner, product, category_id, brand,
                                      year, age, status, barrier, grp, day, problem)
    SELECT p_batch, x.line, x.id, x.provider, x.country, coalesce(x.partner, ''), coalesce(x.product, ''),
           nullif(x.category_id, 0), coalesce(x.brand, ''), nullif(x.year, 0), coalesce(x.age, ''), x.status,
           nullif(x.barrier, 0), coalesce(x.grp, ''), x.day::date, coalesce(x.problem, '')
      FROM jsonb_to_recordset(p_rows) AS x(line integer, id text, provider text, country text, partner text,
                                           product text, category_id integer, brand text, year integer, age text,
                                           status integer, barrier integer, grp text, day text, problem text);
    GET DIAGNOSTICS v_n = ROW_COUNT;
    RETURN v_n;
END $$;

-- The ORDS field a column of tl.repair_record comes from, to name it as
-- the file does.
CREATE FUNCTION tl.repair_record_ords_field(p_column text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT SET search_path = pg_catalog AS $$
    SELECT CASE p_column
        WHEN 'ext_id' THEN 'id' WHEN 'ext_provider' THEN 'data_provider' WHEN 'ext_country' THEN 'country'
        WHEN 'ext_partner_category' THEN 'partner_product_category' WHEN 'object' THEN 'partner_product_category'
        WHEN 'ext_product_category' THEN 'product_category' WHEN 'category' THEN 'product_category'
        WHEN 'ext_group' THEN 'group_identifier' WHEN 'age_years' THEN 'product_age'
        WHEN 'status' THEN 'repair_status' WHEN 'barrier' THEN 'repair_barrier_if_end_of_life'
        ELSE p_column END
$$;

-- Each staged row of a batch as the tl.repair_record it would become, and
-- whether it is new, unchanged or a correction of a row already here, in
-- the temporary table tl_import_candidate (gone at the end of the
-- transaction). Columns are prefixed "cand_" so that a constraint's own
-- column names (ext_id…) are never ambiguous beside them.
CREATE FUNCTION tl.import_repair_candidates(p_batch bigint) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    v_batch tl.import_batch;
BEGIN
    SELECT * INTO v_batch FROM tl.import_batch WHERE id = p_batch;
    DROP TABLE IF EXISTS pg_temp.tl_import_candidate;
    CREATE TEMPORARY TABLE tl_import_candidate ON COMMIT DROP AS
    SELECT s.line AS cand_line, s.ext_id AS cand_id, r.id AS cand_existing, r.place_id AS cand_existing_place,
           'new'::text AS cand_state,
           -- By name, so that a column added to the table later is simply NULL here.
           jsonb_populate_record(NULL::tl.repair_record, jsonb_build_object(
               'place_id', v_batch.place_id, 'event_date', s.day, 'ext_id', s.ext_id, 'ext_provider', s.provider,
               'ext_country', s.country, 'ext_partner_category', s.partner, 'ext_product_category', s.product,
               'ext_group', s.grp, 'year_of_manufacture', s.year,
               'object', coalesce(nullif(s.partner, ''), nullif(s.product, ''), 'objet'),
               'category', coalesce(c.code, 'non_classe'), 'brand', nullif(s.brand, ''),
               'age_years', nullif(s.age, ''), 'problem', s.problem,
               'status', CASE s.status WHEN 1 THEN 'repare' WHEN 2 THEN 'reparable' WHEN 3 THEN 'fin_de_vie'
                                       ELSE 'inconnu' END,
               'barrier', s.barrier, 'recorded_by', v_batch.account_id)) AS rec
      FROM tl.import_repair_row s
      LEFT JOIN tl.repair_category c ON c.ords_id = s.category_id
      LEFT JOIN tl.repair_record r ON r.ext_id = s.ext_id
     WHERE s.batch_id = p_batch;
    UPDATE tl_import_candidate c
       SET cand_state = CASE WHEN ((c.rec).ext_provider, (c.rec).ext_country, (c.rec).ext_partner_category,
                                   (c.rec).ext_product_category, (c.rec).ext_group, (c.rec).event_date,
                                   (c.rec).category, (c.rec).object, (c.rec).brand, (c.rec).year_of_manufacture,
                                   (c.rec).age_years::text, (c.rec).problem, (c.rec).status, (c.rec).barrier)
                                  IS NOT DISTINCT FROM
                                  (r.ext_provider, r.ext_country, r.ext_partner_category, r.ext_product_category,
                                   r.ext_group, r.event_date, r.category, r.object, r.brand, r.year_of_manufacture,
                                   r.age_years::text, r.problem, r.status, r.barrier)
                             THEN 'unchanged' ELSE 'corrected' END
      FROM tl.repair_record r
     WHERE r.id = c.cand_existing;
END $$;

-- Why rows of tl_import_candidate cannot be imported: an id twice in the
-- file, an id imported at another place, and every CHECK and NOT NULL
-- constraint of tl.repair_record, evaluated from the catalogue on the
-- record each row would become (a CHECK passes when true or unknown, as
-- PostgreSQL decides). One row per fault: the line, the id, the ORDS field
-- and the reason in French.
CREATE FUNCTION tl.import_repair_faults(p_place integer)
RETURNS TABLE (line integer, ext_id text, field text, message text)
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    k record;
BEGIN
    RETURN QUERY
    SELECT d.cand_line, d.cand_id, 'id'::text, format('id « %s » déjà donné ligne %s', d.cand_id, d.first)
      FROM (SELECT c.cand_line, c.cand_id, min(c.cand_line) OVER (PARTITION BY c.cand_id) AS first
              FROM tl_import_candidate c) d
     WHERE d.cand_line > d.first;
    RETURN QUERY
    SELECT c.cand_line, c.cand_id, 'id'::text,
           format('la réparation « %s » est déjà importée dans un autre lieu (%s)', c.cand_id, p.name)
      FROM tl_import_candidate c JOIN tl.place p ON p.id = c.cand_existing_place
     WHERE c.cand_existing_place <> p_place;
    FOR k IN
        SELECT con.conname, pg_get_expr(con.conbin, con.conrelid) AS expr,
               tl.repair_record_ords_field((SELECT a.attname FROM pg_attribute a
                                             WHERE a.attrelid = con.conrelid AND a.attnum = con.conkey[1])) AS field,
               coalesce(obj_description(con.oid, 'pg_constraint'),
                        format('une valeur ne respecte pas la règle « %s » de la base', con.conname)) AS message
          FROM pg_constraint con
         WHERE con.conrelid = 'tl.repair_record'::regclass AND con.contype = 'c'
         ORDER BY con.conname
    LOOP
        RETURN QUERY EXECUTE format(
            'SELECT c.cand_line, c.cand_id, $1, $2 FROM tl_import_candidate c, LATERAL (SELECT (c.rec).*) x '
            'WHERE NOT coalesce((%s), true)', k.expr) USING k.field, k.message;
    END LOOP;
    FOR k IN
        SELECT a.attname, tl.repair_record_ords_field(a.attname) AS field
          FROM pg_attribute a
         WHERE a.attrelid = 'tl.repair_record'::regclass AND a.attnum > 0 AND NOT a.attisdropped
           AND a.attnotnull AND NOT a.atthasdef AND a.attidentity = ''
    LOOP
        RETURN QUERY EXECUTE format(
            'SELECT c.cand_line, c.cand_id, $1, $2 FROM tl_import_candidate c WHERE (c.rec).%I IS NULL', k.attname)
            USING k.field, 'cette case est nécessaire'::text;
    END LOOP;
END $$;

-- The batch of the caller's, checked: theirs, not applied, a référent of
-- its place.
CREATE FUNCTION tl.import_own_batch(p_login text, p_batch bigint) RETURNS tl.import_batch
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    v_batch tl.import_batch;
    v_who   integer;
BEGIN
    SELECT * INTO v_batch FROM tl.import_batch b WHERE b.id = p_batch AND b.applied_at IS NULL FOR UPDATE;
    IF v_batch.id IS NULL THEN
        RAISE EXCEPTION 'cet import n''existe plus (il a déjà été fait, ou date de plus d''un jour) : renvoyez le fichier'
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'import_batch_pkey';
    END IF;
    v_who := tl.require_role(p_login, v_batch.place_id, 'referent');
    IF v_who <> v_batch.account_id THEN
        RAISE EXCEPTION 'cet import a été préparé par quelqu''un d''autre' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN v_batch;
END $$;

-- The preview of a batch of repairs: how many rows are new, unchanged and
-- corrected ("count", detail = the state, n), how many are refused
-- ("refused", n), the first 100 faults ("fault") and the first 100
-- corrections field by field ("change", detail = old → new).
CREATE FUNCTION tl.import_repair_preview(p_login text, p_batch bigint)
RETURNS TABLE (kind text, line integer, ext_id text, field text, detail text, n bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_batch tl.import_batch := tl.import_own_batch(p_login, p_batch);
BEGIN
    PERFORM tl.import_repair_candidates(v_batch.id);
    DROP TABLE IF EXISTS pg_temp.tl_import_fault;
    CREATE TEMPORARY TABLE tl_import_fault ON COMMIT DROP AS SELECT * FROM tl.import_repair_faults(v_batch.place_id);
    RETURN QUERY SELECT 'count'::text, NULL::integer, NULL::text, NULL::text, c.cand_state, count(*)
                   FROM tl_import_candidate c GROUP BY c.cand_state;
    RETURN QUERY SELECT 'refused'::text, NULL::integer, NULL::text, NULL::text, NULL::text,
                        count(DISTINCT f.line) FROM tl_import_fault f;
    RETURN QUERY SELECT 'fault'::text, f.line, f.ext_id, f.field, f.message, NULL::bigint
                   FROM tl_import_fault f ORDER BY f.line, f.field LIMIT 100;
    RETURN QUERY
    SELECT 'change'::text, c.cand_line, c.cand_id, v.field, v.old || ' → ' || v.new, NULL::bigint
      FROM (SELECT * FROM tl_import_candidate WHERE cand_state = 'corrected' ORDER BY cand_line LIMIT 100) c
      JOIN tl.repair_record r ON r.id = c.cand_existing
      LEFT JOIN tl.repair_category oc ON oc.code = r.category
      LEFT JOIN tl.repair_category nc ON nc.code = (c.rec).category
     CROSS JOIN LATERAL (VALUES
        ('data_provider', r.ext_provider, (c.rec).ext_provider),
        ('country', r.ext_country, (c.rec).ext_country),
        ('partner_product_category', r.ext_partner_category, (c.rec).ext_partner_category),
        ('product_category', r.ext_product_category, (c.rec).ext_product_category),
        ('product_category_id', oc.ords_id::text, nc.ords_id::text),
        ('group_identifier', r.ext_group, (c.rec).ext_group),
        ('event_date', r.event_date::text, (c.rec).event_date::text),
        ('brand', r.brand, (c.rec).brand),
        ('year_of_manufacture', r.year_of_manufacture::text, (c.rec).year_of_manufacture::text),
        ('product_age', r.age_years::text, (c.rec).age_years::text),
        ('repair_status', r.status, (c.rec).status),
        ('repair_barrier_if_end_of_life', r.barrier::text, (c.rec).barrier::text),
        ('problem', r.problem, (c.rec).problem)) AS v(field, old, new)
     WHERE v.old IS DISTINCT FROM v.new
     ORDER BY 2, 4;
END $$;

-- Imports a previewed batch of repairs: the same checks again (a row may
-- have become refusable since: its id imported elsewhere meanwhile), named
-- by line in French; then new rows inserted and corrected ones updated,
-- all or nothing. Returns the rows written (new + corrected).
CREATE FUNCTION tl.import_repairs_apply(p_login text, p_batch bigint) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_batch tl.import_batch := tl.import_own_batch(p_login, p_batch);
    v_bad   integer;
    v_lines text;
    v_new   integer;
    v_fixed integer;
    v_same  integer;
BEGIN
    PERFORM tl.import_repair_candidates(v_batch.id);
    SELECT count(DISTINCT f.line),
           string_agg(format('ligne %s (%s) : %s : %s', f.line, f.ext_id, f.field, f.message), ' ; '
                      ORDER BY f.line) FILTER (WHERE f.rank <= 5)
      INTO v_bad, v_lines
      FROM (SELECT x.*, row_number() OVER (ORDER BY x.line, x.field) AS rank
              FROM tl.import_repair_faults(v_batch.place_id) x) f;
    IF v_bad > 0 THEN
        RAISE EXCEPTION '% — % ligne(s) du fichier sont refusées : rien n''a été importé', v_lines, v_bad
            USING ERRCODE = 'check_violation', CONSTRAINT = 'import_batch_rows_refused';
    END IF;
    PERFORM set_config('tl.journal_quiet', 'on', true);
    INSERT INTO tl.repair_record (place_id, event_date, ext_id, ext_provider, ext_country, ext_partner_category,
                                  ext_product_category, ext_group, year_of_manufacture, object, category, brand,
                                  age_years, problem, status, barrier, recorded_by)
    SELECT (c.rec).place_id, (c.rec).event_date, (c.rec).ext_id, (c.rec).ext_provider, (c.rec).ext_country,
           (c.rec).ext_partner_category, (c.rec).ext_product_category, (c.rec).ext_group,
           (c.rec).year_of_manufacture, (c.rec).object, (c.rec).category, (c.rec).brand, (c.rec).age_years,
           (c.rec).problem, (c.rec).status, (c.rec).barrier, (c.rec).recorded_by
      FROM tl_import_candidate c WHERE c.cand_state = 'new' ORDER BY c.cand_line;
    GET DIAGNOSTICS v_new = ROW_COUNT;
    UPDATE tl.repair_record r
       SET ext_provider = (c.rec).ext_provider, ext_country = (c.rec).ext_country,
           ext_partner_category = (c.rec).ext_partner_category, ext_product_category = (c.rec).ext_product_category,
           ext_group = (c.rec).ext_group, event_date = (c.rec).event_date, object = (c.rec).object,
           category = (c.rec).category, brand = (c.rec).brand, year_of_manufacture = (c.rec).year_of_manufacture,
           age_years = (c.rec).age_years, problem = (c.rec).problem, status = (c.rec).status,
           barrier = (c.rec).barrier
      FROM tl_import_candidate c
     WHERE c.cand_state = 'corrected' AND r.id = c.cand_existing;
    GET DIAGNOSTICS v_fixed = ROW_COUNT;
    SELECT count(*) INTO v_same FROM tl_import_candidate WHERE cand_state = 'unchanged';
    PERFORM set_config('tl.journal_quiet', 'off', true);
    UPDATE tl.import_batch SET applied_at = now(), rows = '[]', rows_new = v_new, rows_corrected = v_fixed,
                               rows_unchanged = v_same
     WHERE id = v_batch.id;
    DELETE FROM tl.import_repair_row WHERE batch_id = v_batch.id;
    PERFORM tl.admin_note(v_batch.account_id, v_batch.place_id, 'import.reparations', v_batch.file_name,
                          format('%s ligne(s) importée(s) : %s nouvelle(s), %s corrigée(s), %s inchangée(s)',
                                 v_new + v_fixed, v_new, v_fixed, v_same));
    RETURN v_new + v_fixed;
EXCEPTION WHEN unique_violation THEN
    -- Another import took an id between the checks and the insert.
    RAISE EXCEPTION '%', (SELECT coalesce(string_agg(format('ligne %s (%s) : la réparation vient d''être importée par ailleurs',
                                                           c.cand_line, c.cand_id), ' ; ' ORDER BY c.cand_line), '')
                            FROM tl_import_candidate c JOIN tl.repair_record r ON r.ext_id = c.cand_id
                           WHERE c.cand_state = 'new')
                         || ' — rien n''a été importé, renvoyez le fichier'
        USING ERRCODE = 'check_violation', CONSTRAINT = 'import_batch_rows_refused';
END $$;

-- tl.import_run (sql/019) hands batches of repairs here: the preview's
-- faults as its rows, or the import.
CREATE OR REPLACE FUNCTION tl.import_repairs(p_login text, p_batch bigint, p_apply boolean)
RETURNS TABLE (line integer, label text, outcome text, error text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_batch tl.import_batch;
BEGIN
    IF p_apply THEN
        RETURN QUERY SELECT NULL::integer, NULL::text, tl.import_repairs_apply(p_login, p_batch)::text, NULL::text;
        RETURN;
    END IF;
    v_batch := tl.import_own_batch(p_login, p_batch);
    PERFORM tl.import_repair_candidates(v_batch.id);
    RETURN QUERY SELECT f.line, f.ext_id, NULL::text, f.field || ' : ' || f.message
                   FROM tl.import_repair_faults(v_batch.place_id) f ORDER BY 1;
END $$;

-- tl.import_run for items and members, as in sql/019, but a refused row's
-- reason is always French (tl.import_error_fr), and a confirmation that
-- finds refused rows names their lines.
CREATE OR REPLACE FUNCTION tl.import_run(p_login text, p_batch bigint, p_apply boolean)
RETURNS TABLE (line integer, label text, outcome text, error text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_batch tl.import_batch;
    v_place tl.place;
    v_who   integer;
    v_row   jsonb;
    v_out   text;
    v_lines integer[] := '{}';
    v_label text[] := '{}';
    v_outs  text[] := '{}';
    v_errs  text[] := '{}';
    v_bad   integer := 0;
    v_state text;
    v_msg   text;
    v_con   text;
    v_named text := '';
    i       integer;
BEGIN
    SELECT * INTO v_batch FROM tl.import_batch b WHERE b.id = p_batch AND b.applied_at IS NULL FOR UPDATE;
    IF v_batch.id IS NULL THEN
        RAISE EXCEPTION 'cet import n''existe plus (il a déjà été fait, ou date de plus d''un jour) : renvoyez le fichier'
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'import_batch_pkey';
    END IF;
    SELECT * INTO v_place FROM tl.place WHERE id = v_batch.place_id;
    v_who := tl.require_role(p_login, v_place.id, 'referent');
    IF v_who <> v_batch.account_id THEN
        RAISE EXCEPTION 'cet import a été préparé par quelqu''un d''autre' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF v_batch.kind = 'reparations' THEN
        RETURN QUERY SELECT * FROM tl.import_repairs(p_login, p_batch, p_apply);
        RETURN;
    END IF;
    PERFORM set_config('tl.journal_quiet', 'on', true);
    BEGIN
        FOR v_row IN SELECT * FROM jsonb_array_elements(v_batch.rows) LOOP
            v_lines := v_lines || (v_row->>'ligne')::integer;
            v_label := v_label || coalesce(nullif(btrim(v_row->>'titre'), ''),
                                           nullif(btrim(coalesce(v_row->>'prenom', '') || ' '
                                                        || coalesce(v_row->>'nom', '')), ''), '');
            BEGIN
                IF v_batch.kind = 'objets' THEN
                    v_out := tl.import_item(p_login, v_place.slug, v_row);
                ELSE
                    v_out := tl.import_member(v_place.id, v_who, v_row);
                END IF;
                v_outs := v_outs || v_out;
                v_errs := v_errs || NULL::text;
            EXCEPTION WHEN OTHERS THEN
                GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT, v_con = CONSTRAINT_NAME;
                v_msg := tl.import_error_fr(v_state, v_msg, v_con);
                v_outs := v_outs || NULL::text;
                v_errs := v_errs || v_msg;
                v_bad := v_bad + 1;
                IF v_bad <= 5 THEN
                    v_named := v_named || CASE WHEN v_bad > 1 THEN ' ; ' ELSE '' END
                               || format('ligne %s : %s', (v_row->>'ligne'), v_msg);
                END IF;
            END;
        END LOOP;
        IF NOT p_apply THEN
            RAISE EXCEPTION USING ERRCODE = 'TL001';       -- undo the preview's rows, keep the report
        END IF;
    EXCEPTION WHEN SQLSTATE 'TL001' THEN
        NULL;
    END;
    PERFORM set_config('tl.journal_quiet', 'off', true);
    IF p_apply THEN
        IF v_bad > 0 THEN
            RAISE EXCEPTION '% — % ligne(s) du fichier sont refusées : rien n''a été importé', v_named, v_bad
                USING ERRCODE = 'check_violation', CONSTRAINT = 'import_batch_rows_refused';
        END IF;
        UPDATE tl.import_batch SET applied_at = now(), rows = '[]', rows_new = coalesce(array_length(v_lines, 1), 0)
         WHERE id = v_batch.id;
        PERFORM tl.admin_note(v_who, v_place.id, 'import.' || v_batch.kind, v_batch.file_name,
                              format('%s ligne(s) importée(s)', coalesce(array_length(v_lines, 1), 0)));
    END IF;
    FOR i IN 1 .. coalesce(array_length(v_lines, 1), 0) LOOP
        line := v_lines[i];
        label := v_label[i];
        outcome := v_outs[i];
        error := v_errs[i];
        RETURN NEXT;
    END LOOP;
END $$;

-- Confirms a previewed batch of any kind. Returns the rows written: the
-- items or members created, or the repairs added or corrected.
CREATE FUNCTION tl.import_confirm(p_login text, p_batch bigint) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_n integer;
BEGIN
    IF (SELECT kind FROM tl.import_batch WHERE id = p_batch) = 'reparations' THEN
        RETURN tl.import_repairs_apply(p_login, p_batch);
    END IF;
    SELECT count(*) INTO v_n FROM tl.import_run(p_login, p_batch, true);
    RETURN v_n;
END $$;

-- What an applied batch of the caller's did, for the message after it.
CREATE FUNCTION tl.import_done(p_login text, p_batch bigint)
RETURNS TABLE (kind text, file_name text, rows_new integer, rows_corrected integer, rows_unchanged integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT b.kind, b.file_name, b.rows_new, b.rows_corrected, b.rows_unchanged
      FROM tl.import_batch b JOIN tl.account a ON a.id = b.account_id
     WHERE b.id = p_batch AND a.login = p_login AND b.applied_at IS NOT NULL
$$;

-- The export gives back what came in: an imported row's own categories
-- and group, empty when they were empty; our own rows the place's slug
-- and our labels, as before.
CREATE OR REPLACE FUNCTION tl.repair_ords_rows(p_place text, p_from date, p_to date)
RETURNS TABLE (id text, data_provider text, country text, partner_product_category text, product_category text,
               product_category_id integer, brand text, year_of_manufacture integer, product_age text,
               repair_status integer, barrier integer, group_identifier text, event_date text, problem text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT CASE WHEN r.ext_id IS NULL THEN 'tierslieux-' || r.id
                WHEN r.ext_id ~ '^[A-Za-z]+[_-][0-9]+$' THEN lower(regexp_replace(r.ext_id, '[_-]', '-'))
                ELSE 'import-' || r.id END,
           coalesce(r.ext_provider, o.name), coalesce(r.ext_country, 'FRA'),
           CASE WHEN r.ext_id IS NULL THEN c.label ELSE coalesce(r.ext_partner_category, '') END,
           CASE WHEN r.ext_id IS NULL THEN coalesce(c.ords_name, c.label)
                ELSE coalesce(r.ext_product_category, c.ords_name, '') END,
           c.ords_id,
           coalesce(r.brand, ''), r.year_of_manufacture, coalesce(r.age_years::text, ''),
           CASE r.status WHEN 'repare' THEN 1 WHEN 'reparable' THEN 2 WHEN 'fin_de_vie' THEN 3 ELSE 0 END,
           coalesce(r.barrier, 0),
           CASE WHEN r.ext_id IS NULL THEN p.slug ELSE coalesce(r.ext_group, '') END,
           to_char(r.event_date, 'YYYY-MM-DD'), r.problem
      FROM tl.repair_record r
      JOIN tl.place p ON p.id = r.place_id
      JOIN tl.organisation o ON o.id = p.organisation_id
      JOIN tl.repair_category c ON c.code = r.category
     WHERE (coalesce(p_place, '') = '' OR p.slug = p_place)
       AND r.event_date BETWEEN p_from AND p_to
     ORDER BY r.event_date, r.id
$$;

REVOKE ALL ON FUNCTION tl.import_error_fr(text, text, text), tl.repair_record_ords_field(text),
                       tl.import_repair_candidates(bigint), tl.import_repair_faults(integer),
                       tl.import_own_batch(text, bigint), tl.import_repairs_apply(text, bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.import_repair_stage(text, bigint, jsonb), tl.import_repair_preview(text, bigint),
                       tl.import_confirm(text, bigint), tl.import_done(text, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.import_repair_stage(text, bigint, jsonb), tl.import_repair_preview(text, bigint),
                          tl.import_confirm(text, bigint), tl.import_done(text, bigint) TO tierslieux_guichet;
