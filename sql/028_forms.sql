-- Forms (issue 12): a form is taken whole or refused. The filières of a
-- place or of the network are saved from one form with a select per
-- category; a body missing one of them was saved in part. Redefined here
-- with the rest of its body as in 025_reuse_reports.sql.

-- Saves the filière of each category of p_categories (p_streams, same order)
-- for p_place (a référent there; '' in p_streams: as the network) or, with
-- p_place NULL, the network's defaults (admins only). Every category must be
-- given, once. Journaled per change.
CREATE OR REPLACE FUNCTION tl.save_eco_mapping(p_login text, p_place text, p_categories text[], p_streams text[])
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
    -- The form has one choice per category, each sent once: a category left
    -- out (or twice) is a form that did not come from its page, refused
    -- whole rather than half saved.
    IF (SELECT array_agg(code ORDER BY code) FROM tl.reuse_category)
       IS DISTINCT FROM (SELECT array_agg(c ORDER BY c) FROM unnest(p_categories) AS c) THEN
        RAISE EXCEPTION 'le formulaire ne donne pas une filière pour chaque catégorie : rechargez la page'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'reuse_eco_mapping_category_fkey';
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
