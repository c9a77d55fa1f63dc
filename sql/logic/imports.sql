-- Imports: spreadsheets of items and members, and ORDS files of repairs.
--
-- The current form of this area's functions, views, triggers and rights.
-- script/migrate drops every function and view of schema tl (but the
-- constraint helpers of sql/schema) and applies the files of sql/logic/ORDER
-- again after the numbered migrations, in one transaction: edit here, never
-- in a numbered file.

-- Stores the rows read from a file for the preview. Returns the batch.
CREATE FUNCTION tl.import_prepare(p_login text, p_place text, p_kind text, p_file text, p_rows jsonb) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place tl.place := tl.require_place(p_place);
    v_who   integer := tl.require_role(p_login, v_place.id, 'referent');
    v_id    bigint;
BEGIN
    DELETE FROM tl.import_batch WHERE (created_at < now() - interval '1 day')
                                   OR (account_id = v_who AND applied_at IS NULL);
    INSERT INTO tl.import_batch (place_id, account_id, kind, file_name, rows)
    VALUES (v_place.id, v_who, p_kind, left(coalesce(p_file, ''), 200), p_rows) RETURNING id INTO v_id;
    RETURN v_id;
END $$;

-- "12,50" or "12.5" as a number of euros; NULL when empty; an error otherwise.
CREATE FUNCTION tl.import_amount(p text) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog AS $$
DECLARE
    v text := replace(replace(btrim(coalesce(p, '')), ' ', ''), '€', '');
BEGIN
    IF v = '' THEN
        RETURN NULL;
    END IF;
    IF v !~ '^[0-9]{1,5}([.,][0-9]{1,2})?$' THEN
        RAISE EXCEPTION 'la caution « % » n''est pas un montant (par exemple 20 ou 12,50)', p
            USING ERRCODE = 'check_violation', CONSTRAINT = 'item_deposit_positive';
    END IF;
    RETURN replace(v, ',', '.')::numeric;
END $$;

CREATE FUNCTION tl.import_int(p text, p_what text) RETURNS integer
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog AS $$
BEGIN
    IF btrim(coalesce(p, '')) = '' THEN
        RETURN NULL;
    END IF;
    IF btrim(p) !~ '^[0-9]{1,6}$' THEN
        RAISE EXCEPTION '% « % » n''est pas un nombre entier', p_what, p USING ERRCODE = 'check_violation';
    END IF;
    RETURN btrim(p)::integer;
END $$;

-- One item row: the category and condition as a file names them (the slug,
-- the name, any case or accent), then the back office's own checks.
CREATE FUNCTION tl.import_item(p_login text, p_place text, r jsonb) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    v_cat  text;
    v_cond text;
BEGIN
    IF coalesce(r->>'categorie', '') = '' THEN
        RAISE EXCEPTION 'la catégorie est vide' USING ERRCODE = 'check_violation';
    END IF;
    SELECT slug INTO v_cat FROM tl.category
     WHERE slug = tl.slugify(r->>'categorie') OR lower(name) = lower(btrim(r->>'categorie'));
    IF v_cat IS NULL THEN
        RAISE EXCEPTION 'la catégorie « % » n''existe pas : corrigez le fichier ou créez-la dans la gestion',
            btrim(r->>'categorie') USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF coalesce(btrim(r->>'etat'), '') = '' THEN
        v_cond := 'bon';
    ELSE
        SELECT code INTO v_cond FROM tl.item_condition
         WHERE code = tl.slugify(r->>'etat') OR tl.slugify(label) = tl.slugify(r->>'etat')
               OR replace(code, '_', '-') = tl.slugify(r->>'etat');
        IF v_cond IS NULL THEN
            RAISE EXCEPTION 'l''état « % » n''est pas connu (neuf, très bon état, bon état, état correct, usé)',
                btrim(r->>'etat') USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN tl.save_item(p_login, NULL, r->>'numero', p_place, r->>'titre', r->>'marque', r->>'description', v_cat,
                        v_cond, r->>'code_barres', tl.import_amount(r->>'caution'),
                        tl.import_int(r->>'duree', 'la durée du prêt'),
                        tl.import_int(r->>'controle_jours', 'l''intervalle des contrôles'), NULL);
END $$;

-- One member row: only the fields the CNIL's norm allows; their card
-- number kept when the file has one. The charter is accepted at the desk
-- on their next visit (charter_accepted_at stays empty).
CREATE FUNCTION tl.import_member(p_place integer, p_who integer, r jsonb) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    v_number text := upper(btrim(coalesce(r->>'numero', '')));
    v_email  text := nullif(btrim(coalesce(r->>'courriel', '')), '');
    v_phone  text := nullif(btrim(coalesce(r->>'telephone', '')), '');
    v_year   integer := tl.import_int(r->>'naissance', 'l''année de naissance');
BEGIN
    IF btrim(coalesce(r->>'nom', '')) = '' OR btrim(coalesce(r->>'prenom', '')) = '' THEN
        RAISE EXCEPTION 'le nom et le prénom sont nécessaires' USING ERRCODE = 'check_violation';
    END IF;
    IF v_email IS NULL AND v_phone IS NULL THEN
        RAISE EXCEPTION 'ni courriel ni téléphone : il en faut un pour rappeler un retour'
            USING ERRCODE = 'check_violation';
    END IF;
    IF v_email IS NOT NULL AND v_email !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' THEN
        RAISE EXCEPTION 'le courriel « % » n''est pas complet', v_email USING ERRCODE = 'check_violation';
    END IF;
    IF v_year IS NOT NULL AND (v_year < 1900 OR v_year > extract(year FROM now())) THEN
        RAISE EXCEPTION 'l''année de naissance % est hors limites', v_year USING ERRCODE = 'check_violation';
    END IF;
    IF v_number = '' THEN
        v_number := 'A-' || lpad(nextval('tl.member_number_seq')::text, 6, '0');
    ELSIF v_number !~ '^[A-Z0-9][A-Z0-9-]{0,31}$' THEN
        RAISE EXCEPTION 'le numéro d''adhérent « % » s''écrit en lettres, chiffres et tirets', v_number
            USING ERRCODE = 'check_violation';
    ELSIF EXISTS (SELECT 1 FROM tl.member WHERE member_number = v_number) THEN
        RAISE EXCEPTION 'le numéro d''adhérent « % » est déjà pris', v_number USING ERRCODE = 'unique_violation';
    END IF;
    INSERT INTO tl.member (member_number, family_name, given_name, email, phone, birth_year, place_id, registered_by)
    VALUES (v_number, btrim(r->>'nom'), btrim(r->>'prenom'), v_email, v_phone, v_year, p_place, p_who);
    RETURN v_number;
END $$;

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

-- tl.import_run (sql/logic/imports.sql) hands batches of repairs here: the preview's
-- faults as its rows, or the import.
CREATE FUNCTION tl.import_repairs(p_login text, p_batch bigint, p_apply boolean)
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

-- tl.import_run for items and members, as in sql/logic/imports.sql, but a refused row's
-- reason is always French (tl.import_error_fr), and a confirmation that
-- finds refused rows names their lines.
CREATE FUNCTION tl.import_run(p_login text, p_batch bigint, p_apply boolean)
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
-- and our labels, as before. Each record's row, as tl.repair_ords_row
-- (sql/schema/009) keeps it: the integration tests compare the two after
-- each file (KEPT in tests/integration/conftest.py).
CREATE VIEW tl.repair_ords_source AS
SELECT r.id AS record_id, r.place_id, r.event_date,
       CASE WHEN r.ext_id IS NULL THEN 'tierslieux-' || r.id
            WHEN r.ext_id ~ '^[A-Za-z]+[_-][0-9]+$' THEN lower(regexp_replace(r.ext_id, '[_-]', '-'))
            ELSE 'import-' || r.id END AS ords_id,
       coalesce(r.ext_provider, o.name) AS data_provider, coalesce(r.ext_country, 'FRA') AS country,
       CASE WHEN r.ext_id IS NULL THEN c.label ELSE coalesce(r.ext_partner_category, '') END
           AS partner_product_category,
       CASE WHEN r.ext_id IS NULL THEN coalesce(c.ords_name, c.label)
            ELSE coalesce(r.ext_product_category, c.ords_name, '') END AS product_category,
       c.ords_id AS product_category_id,
       coalesce(r.brand, '') AS brand, r.year_of_manufacture, coalesce(r.age_years::text, '') AS product_age,
       CASE r.status WHEN 'repare' THEN 1 WHEN 'reparable' THEN 2 WHEN 'fin_de_vie' THEN 3 ELSE 0 END
           AS repair_status,
       coalesce(r.barrier, 0) AS barrier,
       CASE WHEN r.ext_id IS NULL THEN p.slug ELSE coalesce(r.ext_group, '') END AS group_identifier,
       to_char(r.event_date, 'YYYY-MM-DD') AS event_day, r.problem
  FROM tl.repair_record r
  JOIN tl.place p ON p.id = r.place_id
  JOIN tl.organisation o ON o.id = p.organisation_id
  JOIN tl.repair_category c ON c.code = r.category;

COMMENT ON VIEW tl.repair_ords_source IS
    'Each repair record as the Open Repair Data export publishes it, which tl.repair_ords_row keeps';

-- The kept rows of the records of p_records written again from the view,
-- or all of them when it is NULL.
CREATE FUNCTION tl.repair_ords_fill(p_records bigint[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    IF p_records IS NULL THEN
        DELETE FROM tl.repair_ords_row;
    ELSE
        DELETE FROM tl.repair_ords_row k USING unnest(p_records) AS x(id) WHERE k.record_id = x.id;
    END IF;
    INSERT INTO tl.repair_ords_row (record_id, place_id, event_date, ords_id, data_provider, country,
                                    partner_product_category, product_category, product_category_id, brand,
                                    year_of_manufacture, product_age, repair_status, barrier, group_identifier,
                                    event_day, problem)
    SELECT s.record_id, s.place_id, s.event_date, s.ords_id, s.data_provider, s.country,
           s.partner_product_category, s.product_category, s.product_category_id, s.brand,
           s.year_of_manufacture, s.product_age, s.repair_status, s.barrier, s.group_identifier,
           s.event_day, s.problem
      FROM tl.repair_ords_source s
     WHERE p_records IS NULL OR s.record_id IN (SELECT x FROM unnest(p_records) AS x);
END $$;

-- After a statement that wrote repair records, or the place, partner or
-- category their rows name: those records' rows again. Each branch names
-- only the transition tables its trigger has; an update that changed
-- nothing the format shows (the impact's figures, a link to a stock item)
-- rewrites nothing.
CREATE FUNCTION tl.repair_ords_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    IF TG_TABLE_NAME = 'repair_record' AND TG_OP = 'INSERT' THEN
        PERFORM tl.repair_ords_fill(ARRAY(SELECT n.id FROM new_rows n));
    ELSIF TG_TABLE_NAME = 'repair_record' THEN
        PERFORM tl.repair_ords_fill(ARRAY(
            SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
             WHERE (n.place_id, n.event_date, n.ext_id, n.ext_provider, n.ext_country, n.ext_partner_category,
                    n.ext_product_category, n.ext_group, n.category, n.brand, n.year_of_manufacture, n.age_years,
                    n.status, n.barrier, n.problem)
                   IS DISTINCT FROM
                   (o.place_id, o.event_date, o.ext_id, o.ext_provider, o.ext_country, o.ext_partner_category,
                    o.ext_product_category, o.ext_group, o.category, o.brand, o.year_of_manufacture, o.age_years,
                    o.status, o.barrier, o.problem)));
    ELSIF TG_TABLE_NAME = 'place' THEN
        PERFORM tl.repair_ords_fill(ARRAY(
            SELECT r.id FROM tl.repair_record r
             WHERE r.place_id IN (SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
                                   WHERE (n.slug, n.organisation_id) IS DISTINCT FROM (o.slug, o.organisation_id))));
    ELSIF TG_TABLE_NAME = 'organisation' THEN
        PERFORM tl.repair_ords_fill(ARRAY(
            SELECT r.id FROM tl.repair_record r JOIN tl.place p ON p.id = r.place_id
             WHERE p.organisation_id IN (SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
                                          WHERE n.name IS DISTINCT FROM o.name)));
    ELSE
        PERFORM tl.repair_ords_fill(ARRAY(
            SELECT r.id FROM tl.repair_record r
             WHERE r.category IN (SELECT n.code FROM new_rows n JOIN old_rows o ON o.code = n.code
                                   WHERE (n.label, n.ords_id, n.ords_name) IS DISTINCT FROM
                                         (o.label, o.ords_id, o.ords_name))));
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS repair_ords_insert ON tl.repair_record;
DROP TRIGGER IF EXISTS repair_ords_update ON tl.repair_record;
CREATE TRIGGER repair_ords_insert AFTER INSERT ON tl.repair_record REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tl.repair_ords_changed();
CREATE TRIGGER repair_ords_update AFTER UPDATE ON tl.repair_record REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tl.repair_ords_changed();
DROP TRIGGER IF EXISTS repair_ords_update ON tl.place;
CREATE TRIGGER repair_ords_update AFTER UPDATE ON tl.place REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tl.repair_ords_changed();
DROP TRIGGER IF EXISTS repair_ords_update ON tl.organisation;
CREATE TRIGGER repair_ords_update AFTER UPDATE ON tl.organisation REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tl.repair_ords_changed();
DROP TRIGGER IF EXISTS repair_ords_update ON tl.repair_category;
CREATE TRIGGER repair_ords_update AFTER UPDATE ON tl.repair_category REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tl.repair_ords_changed();

-- Applying this file writes every row with the format's rules as they now
-- are.
DO $$ BEGIN PERFORM tl.repair_ords_fill(NULL); END $$;

-- What the Open Repair Data export publishes, read through a cursor
-- (tl_db_each) in the index's order, with the caller's rights and without
-- a search_path of its own, so that PostgreSQL inlines it.
CREATE FUNCTION tl.repair_ords_rows(p_place text, p_from date, p_to date)
RETURNS TABLE (id text, data_provider text, country text, partner_product_category text, product_category text,
               product_category_id integer, brand text, year_of_manufacture integer, product_age text,
               repair_status integer, barrier integer, group_identifier text, event_date text, problem text)
LANGUAGE sql STABLE AS $$
    SELECT k.ords_id, k.data_provider, k.country, k.partner_product_category, k.product_category,
           k.product_category_id, k.brand, k.year_of_manufacture, k.product_age, k.repair_status, k.barrier,
           k.group_identifier, k.event_day, k.problem
      FROM tl.repair_ords_row k
     WHERE (coalesce(p_place, '') = '' OR k.place_id = (SELECT p.id FROM tl.place p WHERE p.slug = p_place))
       AND k.event_date BETWEEN p_from AND p_to
     ORDER BY k.event_date, k.record_id
$$;

-- Tables of this area whose content a page can show: every write bumps the
-- data version (tl.track_changes; a test checks none is forgotten).
DO $$ BEGIN PERFORM tl.track_changes(t::regclass, 'imports') FROM unnest(ARRAY['tl.import_batch']) AS t; END $$;

------------------------------------------------------------------------------
-- Rights: functions are executable by PUBLIC unless revoked; the desk's
-- functions go to tierslieux_guichet, the public pages' to tierslieux_lecture,
-- the sending command's to tierslieux_courriels.
------------------------------------------------------------------------------
REVOKE ALL ON FUNCTION tl.import_amount(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.import_confirm(text,bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.import_confirm(text,bigint) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.import_done(text,bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.import_done(text,bigint) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.import_error_fr(text,text,text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.import_int(text,text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.import_item(text,text,jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.import_member(integer,integer,jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.import_own_batch(text,bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.import_prepare(text,text,text,text,jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.import_prepare(text,text,text,text,jsonb) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.import_repair_candidates(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.import_repair_faults(integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.import_repair_preview(text,bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.import_repair_preview(text,bigint) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.import_repair_stage(text,bigint,jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.import_repair_stage(text,bigint,jsonb) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.import_repairs(text,bigint,boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.import_repairs_apply(text,bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.import_run(text,bigint,boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.import_run(text,bigint,boolean) TO tierslieux_guichet;
GRANT EXECUTE ON FUNCTION tl.repair_ords_rows(text,date,date) TO tierslieux_lecture;
GRANT SELECT ON tl.repair_ords_row TO tierslieux_lecture;
REVOKE ALL ON FUNCTION tl.repair_ords_changed() FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.repair_ords_fill(bigint[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.repair_record_ords_field(text) FROM PUBLIC;
