-- 019 — imports: what a place already has (items, members), from a CSV a
-- spreadsheet, Lend Engine, Koha or Circulate exported. The module reads the
-- file (tl_csv_read), maps its columns and hands the rows here as JSON; they
-- wait in tl.import_batch while the référent reads the preview, then are
-- imported all together or not at all. A batch holds personal data (a
-- members file): it is emptied once imported and deleted after a day.

CREATE TABLE tl.import_batch (
    id         bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT import_batch_pkey PRIMARY KEY,
    place_id   integer NOT NULL CONSTRAINT import_batch_place_fkey REFERENCES tl.place,
    account_id integer NOT NULL CONSTRAINT import_batch_account_fkey REFERENCES tl.account,
    kind       text NOT NULL CONSTRAINT import_batch_kind_known CHECK (kind IN ('objets', 'adherents', 'reparations')),
    file_name  text NOT NULL DEFAULT '',
    rows       jsonb NOT NULL CONSTRAINT import_batch_rows_array CHECK (jsonb_typeof(rows) = 'array'),
    created_at timestamptz NOT NULL DEFAULT now(),
    applied_at timestamptz
);
COMMENT ON TABLE tl.import_batch IS 'A file being imported: its rows wait here between the preview and the confirmation';
SELECT tl.track_changes('tl.import_batch'::regclass);

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

-- Runs a batch. Each row in its own subtransaction, so that every refused
-- row is reported with its line and reason. Without p_apply (the preview)
-- nothing stays; with p_apply, everything stays or, at the first refused
-- row, nothing (the caller's transaction fails with the count).
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
        -- Repair records (sql/022): checked and inserted set-based.
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
                v_outs := v_outs || NULL::text;
                v_errs := v_errs || SQLERRM;
                v_bad := v_bad + 1;
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
            RAISE EXCEPTION '% ligne(s) du fichier sont refusées : rien n''a été importé', v_bad
                USING ERRCODE = 'check_violation', CONSTRAINT = 'import_batch_rows_refused';
        END IF;
        UPDATE tl.import_batch SET applied_at = now(), rows = '[]' WHERE id = v_batch.id;
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

REVOKE ALL ON FUNCTION tl.import_prepare(text, text, text, text, jsonb), tl.import_run(text, bigint, boolean),
                       tl.import_item(text, text, jsonb), tl.import_member(integer, integer, jsonb),
                       tl.import_amount(text), tl.import_int(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.import_prepare(text, text, text, text, jsonb), tl.import_run(text, bigint, boolean)
   TO tierslieux_guichet;
