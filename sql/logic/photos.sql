-- Photos of items (sql/schema/007): added at the desk or by référents,
-- described, ordered and removed by référents; read by the catalogue's
-- cards, the item page and /photos/ (the variants).

-- A photo added at the end of an item's list, with its variants as the
-- image helper made them: p_formats, p_widths, p_heights and p_lengths
-- describe each variant in turn, p_bytes holds them one after the other.
-- A volunteer of the item's place may add one (a snapshot at the desk).
-- Journaled. Returns its id.
CREATE FUNCTION tl.add_photo(p_login text, p_code text, p_alt text, p_formats text[], p_widths integer[],
                             p_heights integer[], p_lengths integer[], p_bytes bytea) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_item tl.item;
    v_who  integer;
    v_alt  text := btrim(coalesce(p_alt, ''));
    v_id   bigint;
    v_at   integer := 1;
    v_n    integer := coalesce(cardinality(p_formats), 0);
    k      integer;
BEGIN
    v_item := tl.require_item_code(p_code);
    v_who := tl.require_role(p_login, v_item.place_id, 'benevole');
    IF v_item.retired_at IS NOT NULL THEN
        RAISE EXCEPTION 'cet objet est retiré du catalogue : remettez-le en service avant d''ajouter une photo'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'photo_item_retired';
    END IF;
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
    IF (SELECT count(*) FROM tl.photo WHERE item_id = v_item.id) >= 12 THEN
        RAISE EXCEPTION 'cet objet a déjà 12 photos : retirez-en une avant d''en ajouter'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'photo_item_count';
    END IF;
    INSERT INTO tl.photo (item_id, alt, position, width, height)
    SELECT v_item.id, v_alt,
           coalesce((SELECT max(position) FROM tl.photo WHERE item_id = v_item.id), 0) + 1,
           w.width, w.height
      FROM unnest(p_widths, p_heights) AS w(width, height)
     ORDER BY w.width DESC LIMIT 1
    RETURNING id INTO v_id;
    FOR k IN 1 .. v_n LOOP
        INSERT INTO tl.photo_variant (photo_id, format, width, height, bytes)
        VALUES (v_id, p_formats[k], p_widths[k], p_heights[k], substring(p_bytes FROM v_at FOR p_lengths[k]));
        v_at := v_at + p_lengths[k];
    END LOOP;
    PERFORM tl.admin_note(v_who, v_item.place_id, 'objet.photo.ajout', v_item.code, v_alt);
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

-- A référent's change to a photo: its alternative text (p_action
-- 'enregistrer'), its place in the list ('monter', 'descendre': swapped
-- with its neighbour) or its removal ('retirer'). Journaled.
CREATE FUNCTION tl.change_photo(p_login text, p_code text, p_photo bigint, p_action text, p_alt text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_item  tl.item;
    v_who   integer;
    v_photo tl.photo;
    v_other tl.photo;
    v_alt   text := btrim(coalesce(p_alt, ''));
BEGIN
    v_item := tl.require_item_code(p_code);
    v_who := tl.require_role(p_login, v_item.place_id, 'referent');
    v_photo := tl.require_item_photo(v_item, p_photo);
    IF p_action = 'enregistrer' THEN
        IF v_alt = '' THEN
            RAISE EXCEPTION 'décrivez la photo pour qui ne la voit pas'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'photo_alt_not_blank';
        END IF;
        IF char_length(v_alt) > 250 THEN
            RAISE EXCEPTION 'la description de la photo tient en 250 caractères au plus'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'photo_alt_length';
        END IF;
        UPDATE tl.photo SET alt = v_alt WHERE id = v_photo.id;
        PERFORM tl.admin_note(v_who, v_item.place_id, 'objet.photo.description', v_item.code, v_alt);
    ELSIF p_action IN ('monter', 'descendre') THEN
        SELECT * INTO v_other FROM tl.photo
         WHERE item_id = v_item.id AND id <> v_photo.id
           AND CASE WHEN p_action = 'monter' THEN (position, id) < (v_photo.position, v_photo.id)
                    ELSE (position, id) > (v_photo.position, v_photo.id) END
         ORDER BY CASE WHEN p_action = 'monter' THEN -position ELSE position END,
                  CASE WHEN p_action = 'monter' THEN -id ELSE id END
         LIMIT 1 FOR UPDATE;
        IF v_other.id IS NOT NULL THEN
            -- Renumbered 1..n in the new order, so equal positions never linger.
            WITH ordered AS (
                SELECT id, row_number() OVER (ORDER BY
                         CASE WHEN id = v_photo.id THEN v_other.position WHEN id = v_other.id THEN v_photo.position
                              ELSE position END,
                         CASE WHEN id = v_photo.id THEN v_other.id WHEN id = v_other.id THEN v_photo.id
                              ELSE id END) AS n
                  FROM tl.photo WHERE item_id = v_item.id)
            UPDATE tl.photo ph SET position = o.n FROM ordered o WHERE o.id = ph.id AND ph.position <> o.n;
            PERFORM tl.admin_note(v_who, v_item.place_id, 'objet.photo.ordre', v_item.code, v_photo.alt);
        END IF;
    ELSIF p_action = 'retirer' THEN
        DELETE FROM tl.photo WHERE id = v_photo.id;
        PERFORM tl.admin_note(v_who, v_item.place_id, 'objet.photo.retrait', v_item.code, v_photo.alt);
    ELSE
        RAISE EXCEPTION 'action inconnue sur une photo' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'photo_action_check';
    END IF;
END $$;

-- An item's photos for its référents and the desk's volunteers.
CREATE FUNCTION tl.item_photos_for(p_login text, p_code text)
RETURNS TABLE (id bigint, alt text, pos integer, width integer, height integer, card_width integer,
               card_height integer, first boolean, last boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_item tl.item;
BEGIN
    SELECT * INTO v_item FROM tl.item WHERE code = upper(btrim(p_code));
    IF v_item.id IS NULL THEN
        RAISE EXCEPTION 'aucun objet ne porte le numéro « % »', btrim(p_code)
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'booking_item_fkey';
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

REVOKE ALL ON FUNCTION tl.add_photo(text,text,text,text[],integer[],integer[],integer[],bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.add_photo(text,text,text,text[],integer[],integer[],integer[],bytea) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.change_photo(text,text,bigint,text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.change_photo(text,text,bigint,text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.require_item_photo(tl.item,bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.item_photos_for(text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.item_photos_for(text,text) TO tierslieux_guichet;
GRANT EXECUTE ON FUNCTION tl.photo_card_size(integer,integer) TO tierslieux_lecture;
GRANT EXECUTE ON FUNCTION tl.photo_variant_for(bigint,text,integer) TO tierslieux_lecture;
GRANT SELECT ON tl.photo TO tierslieux_lecture;
GRANT SELECT ON tl.photo_variant TO tierslieux_lecture;
