-- Photos of items (sql/schema/007): added at the desk or by référents,
-- described, ordered and removed by référents; read by the catalogue's
-- cards, the item page and /photos/ (the variants). Photos of seed
-- varieties (any référent) and of ressourcerie stock items (the volunteers
-- of the item's place) follow the same functions.

-- A photo stored at the end of its owner's list (an item, a variety or a
-- stock item of the ressourcerie: one of the three is not NULL),
-- with its variants as the image helper made them: p_formats, p_widths,
-- p_heights and p_lengths describe each variant in turn, p_bytes holds
-- them one after the other. Checks its description. Returns its id.
CREATE FUNCTION tl.store_photo(p_item integer, p_variety integer, p_reuse bigint, p_alt text, p_formats text[],
                               p_widths integer[], p_heights integer[], p_lengths integer[], p_bytes bytea)
RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    v_alt  text := btrim(coalesce(p_alt, ''));
    v_id   bigint;
    v_at   integer := 1;
    v_n    integer := coalesce(cardinality(p_formats), 0);
    k      integer;
BEGIN
    IF v_alt = '' THEN
        RAISE EXCEPTION 'décrivez la photo pour qui ne la voit pas (par exemple « perceuse rouge posée sur sa '
                        'mallette ouverte »)'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'photo_alt_not_blank';
    END IF;
    IF char_length(v_alt) > 250 THEN
        RAISE EXCEPTION 'la description de la photo tient en 250 caractères au plus'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'photo_alt_length';
    END IF;
    IF v_n = 0 OR cardinality(p_widths) <> v_n OR cardinality(p_heights) <> v_n OR cardinality(p_lengths) <> v_n
       OR (SELECT sum(x) FROM unnest(p_lengths) AS x) <> octet_length(p_bytes) THEN
        RAISE EXCEPTION 'la photo n''a pas pu être préparée : renvoyez-la'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'photo_variant_bytes_size';
    END IF;
    IF (SELECT count(*) FROM tl.photo WHERE item_id = p_item OR seed_variety_id = p_variety
                                         OR reuse_item_id = p_reuse) >= 12 THEN
        RAISE EXCEPTION 'il y a déjà 12 photos : retirez-en une avant d''en ajouter'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'photo_owner_count';
    END IF;
    INSERT INTO tl.photo (item_id, seed_variety_id, reuse_item_id, alt, position, width, height)
    SELECT p_item, p_variety, p_reuse, v_alt,
           coalesce((SELECT max(position) FROM tl.photo
                      WHERE item_id = p_item OR seed_variety_id = p_variety OR reuse_item_id = p_reuse), 0) + 1,
           w.width, w.height
      FROM unnest(p_widths, p_heights) AS w(width, height)
     ORDER BY w.width DESC LIMIT 1
    RETURNING id INTO v_id;
    FOR k IN 1 .. v_n LOOP
        INSERT INTO tl.photo_variant (photo_id, format, width, height, bytes)
        VALUES (v_id, p_formats[k], p_widths[k], p_heights[k], substring(p_bytes FROM v_at FOR p_lengths[k]));
        v_at := v_at + p_lengths[k];
    END LOOP;
    RETURN v_id;
END $$;

-- A photo added to an item (tl.store_photo). A volunteer of the item's
-- place may add one (a snapshot at the desk). Journaled. Returns its id.
CREATE FUNCTION tl.add_photo(p_login text, p_code text, p_alt text, p_formats text[], p_widths integer[],
                             p_heights integer[], p_lengths integer[], p_bytes bytea) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_item tl.item;
    v_who  integer;
    v_id   bigint;
BEGIN
    v_item := tl.require_item_code(p_code);
    v_who := tl.require_role(p_login, v_item.place_id, 'benevole');
    IF v_item.retired_at IS NOT NULL THEN
        RAISE EXCEPTION 'cet objet est retiré du catalogue : remettez-le en service avant d''ajouter une photo'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'photo_item_retired';
    END IF;
    v_id := tl.store_photo(v_item.id, NULL, NULL, p_alt, p_formats, p_widths, p_heights, p_lengths, p_bytes);
    PERFORM tl.admin_note(v_who, v_item.place_id, 'objet.photo.ajout', v_item.code, btrim(p_alt));
    RETURN v_id;
END $$;

-- A photo added to a seed variety (the network's list: any référent).
CREATE FUNCTION tl.add_variety_photo(p_login text, p_variety integer, p_alt text, p_formats text[],
                                     p_widths integer[], p_heights integer[], p_lengths integer[], p_bytes bytea)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_who  integer := tl.require_some_referent(p_login);
    v_name text;
    v_id   bigint;
BEGIN
    SELECT name INTO v_name FROM tl.seed_variety WHERE id = p_variety FOR UPDATE;
    IF v_name IS NULL THEN
        RAISE EXCEPTION 'cette variété n''existe pas' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'photo_seed_variety_fkey';
    END IF;
    v_id := tl.store_photo(NULL, p_variety, NULL, p_alt, p_formats, p_widths, p_heights, p_lengths, p_bytes);
    PERFORM tl.admin_note(v_who, NULL, 'variete.photo.ajout', v_name, btrim(p_alt));
    RETURN v_id;
END $$;

-- The photo p_photo of this item, locked, or a refusal.
CREATE FUNCTION tl.require_item_photo(p_item tl.item, p_photo bigint) RETURNS tl.photo
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    v_photo tl.photo;
BEGIN
    SELECT * INTO v_photo FROM tl.photo WHERE id = p_photo AND item_id = p_item.id FOR UPDATE;
    IF v_photo.id IS NULL THEN
        RAISE EXCEPTION 'cette photo n''appartient pas à cet objet' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'photo_item_fkey';
    END IF;
    RETURN v_photo;
END $$;

-- A change to a photo: its alternative text (p_action 'enregistrer'), its
-- place in its owner's list ('monter', 'descendre': swapped with its
-- neighbour) or its removal ('retirer'). Returns what the journal names
-- ('description', 'ordre', 'retrait'), or NULL when nothing moved.
CREATE FUNCTION tl.apply_photo_change(p_photo tl.photo, p_action text, p_alt text) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    v_other tl.photo;
    v_alt   text := btrim(coalesce(p_alt, ''));
BEGIN
    IF p_action = 'enregistrer' THEN
        IF v_alt = '' THEN
            RAISE EXCEPTION 'décrivez la photo pour qui ne la voit pas'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'photo_alt_not_blank';
        END IF;
        IF char_length(v_alt) > 250 THEN
            RAISE EXCEPTION 'la description de la photo tient en 250 caractères au plus'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'photo_alt_length';
        END IF;
        UPDATE tl.photo SET alt = v_alt WHERE id = p_photo.id;
        RETURN 'description';
    ELSIF p_action IN ('monter', 'descendre') THEN
        SELECT * INTO v_other FROM tl.photo
         WHERE (item_id = p_photo.item_id OR seed_variety_id = p_photo.seed_variety_id
                OR reuse_item_id = p_photo.reuse_item_id) AND id <> p_photo.id
           AND CASE WHEN p_action = 'monter' THEN (position, id) < (p_photo.position, p_photo.id)
                    ELSE (position, id) > (p_photo.position, p_photo.id) END
         ORDER BY CASE WHEN p_action = 'monter' THEN -position ELSE position END,
                  CASE WHEN p_action = 'monter' THEN -id ELSE id END
         LIMIT 1 FOR UPDATE;
        IF v_other.id IS NULL THEN
            RETURN NULL;
        END IF;
        -- Renumbered 1..n in the new order, so equal positions never linger.
        WITH ordered AS (
            SELECT id, row_number() OVER (ORDER BY
                     CASE WHEN id = p_photo.id THEN v_other.position WHEN id = v_other.id THEN p_photo.position
                          ELSE position END,
                     CASE WHEN id = p_photo.id THEN v_other.id WHEN id = v_other.id THEN p_photo.id
                          ELSE id END) AS n
              FROM tl.photo WHERE item_id = p_photo.item_id OR seed_variety_id = p_photo.seed_variety_id
                                  OR reuse_item_id = p_photo.reuse_item_id)
        UPDATE tl.photo ph SET position = o.n FROM ordered o WHERE o.id = ph.id AND ph.position <> o.n;
        RETURN 'ordre';
    ELSIF p_action = 'retirer' THEN
        DELETE FROM tl.photo WHERE id = p_photo.id;
        RETURN 'retrait';
    END IF;
    RAISE EXCEPTION 'action inconnue sur une photo' USING ERRCODE = 'check_violation',
        CONSTRAINT = 'photo_action_known';
END $$;

-- A référent's change to a photo of an item of their place. Journaled.
CREATE FUNCTION tl.change_photo(p_login text, p_code text, p_photo bigint, p_action text, p_alt text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_item  tl.item;
    v_who   integer;
    v_photo tl.photo;
    v_done  text;
BEGIN
    v_item := tl.require_item_code(p_code);
    v_who := tl.require_role(p_login, v_item.place_id, 'referent');
    v_photo := tl.require_item_photo(v_item, p_photo);
    v_done := tl.apply_photo_change(v_photo, p_action, p_alt);
    IF v_done IS NOT NULL THEN
        PERFORM tl.admin_note(v_who, v_item.place_id, 'objet.photo.' || v_done, v_item.code,
                              CASE WHEN v_done = 'description' THEN btrim(p_alt) ELSE v_photo.alt END);
    END IF;
END $$;

-- A référent's change to a photo of a seed variety. Journaled.
CREATE FUNCTION tl.change_variety_photo(p_login text, p_variety integer, p_photo bigint, p_action text,
                                        p_alt text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_who   integer := tl.require_some_referent(p_login);
    v_photo tl.photo;
    v_done  text;
BEGIN
    SELECT * INTO v_photo FROM tl.photo WHERE id = p_photo AND seed_variety_id = p_variety FOR UPDATE;
    IF v_photo.id IS NULL THEN
        RAISE EXCEPTION 'cette photo n''appartient pas à cette variété' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'photo_seed_variety_fkey';
    END IF;
    v_done := tl.apply_photo_change(v_photo, p_action, p_alt);
    IF v_done IS NOT NULL THEN
        PERFORM tl.admin_note(v_who, NULL, 'variete.photo.' || v_done,
                              (SELECT name FROM tl.seed_variety WHERE id = p_variety),
                              CASE WHEN v_done = 'description' THEN btrim(p_alt) ELSE v_photo.alt END);
    END IF;
END $$;

-- A photo added to a stock item of the ressourcerie (by its number,
-- "R00012" or "12"): a volunteer of the item's place, as every change to
-- the stock. Journaled. Returns its id.
CREATE FUNCTION tl.add_reuse_photo(p_login text, p_code text, p_alt text, p_formats text[], p_widths integer[],
                                   p_heights integer[], p_lengths integer[], p_bytes bytea) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_item tl.reuse_item := tl.require_reuse_item(p_code);
    v_who  integer := tl.require_role(p_login, v_item.place_id, 'benevole');
    v_id   bigint;
BEGIN
    v_id := tl.store_photo(NULL, NULL, v_item.id, p_alt, p_formats, p_widths, p_heights, p_lengths, p_bytes);
    PERFORM tl.admin_note(v_who, v_item.place_id, 'ressourcerie.photo.ajout', v_item.code, btrim(p_alt));
    RETURN v_id;
END $$;

-- A volunteer's change to a photo of a stock item of their place
-- (tl.apply_photo_change). Journaled.
CREATE FUNCTION tl.change_reuse_photo(p_login text, p_code text, p_photo bigint, p_action text, p_alt text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_item  tl.reuse_item := tl.require_reuse_item(p_code);
    v_who   integer := tl.require_role(p_login, v_item.place_id, 'benevole');
    v_photo tl.photo;
    v_done  text;
BEGIN
    SELECT * INTO v_photo FROM tl.photo WHERE id = p_photo AND reuse_item_id = v_item.id FOR UPDATE;
    IF v_photo.id IS NULL THEN
        RAISE EXCEPTION 'cette photo n''appartient pas à cet objet' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'photo_reuse_item_fkey';
    END IF;
    v_done := tl.apply_photo_change(v_photo, p_action, p_alt);
    IF v_done IS NOT NULL THEN
        PERFORM tl.admin_note(v_who, v_item.place_id, 'ressourcerie.photo.' || v_done, v_item.code,
                              CASE WHEN v_done = 'description' THEN btrim(p_alt) ELSE v_photo.alt END);
    END IF;
END $$;

-- An item's photos for its référents and the desk's volunteers (none for a
-- number no item has).
CREATE FUNCTION tl.item_photos_for(p_login text, p_code text)
RETURNS TABLE (id bigint, alt text, pos integer, width integer, height integer, card_width integer,
               card_height integer, first boolean, last boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_item tl.item;
BEGIN
    -- By its number or its barcode, as the desk finds it (tl.find_item).
    v_item := tl.find_item(p_code);
    IF v_item.id IS NULL THEN
        RETURN;
    END IF;
    PERFORM tl.require_role(p_login, v_item.place_id, 'benevole');
    RETURN QUERY
    SELECT ph.id, ph.alt, ph.position, ph.width, ph.height, c.width, c.height,
           row_number() OVER w = 1, row_number() OVER w = count(*) OVER ()
      FROM tl.photo ph, tl.photo_card_size(ph.width, ph.height) c
     WHERE ph.item_id = v_item.id
    WINDOW w AS (ORDER BY ph.position, ph.id)
     ORDER BY ph.position, ph.id;
END $$;

-- The size a photo is shown at on a card (320 px wide, never enlarged),
-- for the width and height attributes that keep the page from jumping.
CREATE FUNCTION tl.photo_card_size(p_width integer, p_height integer, OUT width integer, OUT height integer)
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT least(320, p_width), greatest(1, round(p_height * least(320, p_width)::numeric / p_width)::integer)
$$;

-- A variant to serve: the format asked, the widest not wider than asked
-- (the narrowest when all are wider): a srcset may name a width a small
-- photo does not have, and is given the largest it has.
CREATE FUNCTION tl.photo_variant_for(p_photo bigint, p_format text, p_width integer)
RETURNS TABLE (bytes bytea, etag text, width integer)
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT v.bytes, v.etag, v.width FROM tl.photo_variant v
     WHERE v.photo_id = p_photo AND v.format = p_format
     ORDER BY v.width <= p_width DESC, CASE WHEN v.width <= p_width THEN -v.width ELSE v.width END
     LIMIT 1
$$;

-- Tables of this area whose content a page can show: every write bumps the
-- data version (tl.track_changes; a test checks none is forgotten).
DO $$ BEGIN PERFORM tl.track_changes(t::regclass, 'photos') FROM unnest(ARRAY['tl.photo', 'tl.photo_variant']) AS t; END $$;

REVOKE ALL ON FUNCTION tl.store_photo(integer,integer,bigint,text,text[],integer[],integer[],integer[],bytea) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.apply_photo_change(tl.photo,text,text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.add_variety_photo(text,integer,text,text[],integer[],integer[],integer[],bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.add_variety_photo(text,integer,text,text[],integer[],integer[],integer[],bytea) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.change_variety_photo(text,integer,bigint,text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.change_variety_photo(text,integer,bigint,text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.add_photo(text,text,text,text[],integer[],integer[],integer[],bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.add_photo(text,text,text,text[],integer[],integer[],integer[],bytea) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.change_photo(text,text,bigint,text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.change_photo(text,text,bigint,text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.add_reuse_photo(text,text,text,text[],integer[],integer[],integer[],bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.add_reuse_photo(text,text,text,text[],integer[],integer[],integer[],bytea) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.change_reuse_photo(text,text,bigint,text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.change_reuse_photo(text,text,bigint,text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.require_item_photo(tl.item,bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.item_photos_for(text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.item_photos_for(text,text) TO tierslieux_guichet;
GRANT EXECUTE ON FUNCTION tl.photo_card_size(integer,integer) TO tierslieux_lecture;
GRANT EXECUTE ON FUNCTION tl.photo_variant_for(bigint,text,integer) TO tierslieux_lecture;
GRANT SELECT ON tl.photo TO tierslieux_lecture;
GRANT SELECT ON tl.photo_variant TO tierslieux_lecture;
