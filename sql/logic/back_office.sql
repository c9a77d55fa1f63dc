-- Back office: places, closures, categories, items, the team, retention
-- delays, the journal and impact factors.
--
-- The current form of this area's functions, views, triggers and rights.
-- script/migrate drops every function and view of schema tl (but the
-- constraint helpers of sql/schema) and applies the files of sql/logic/ORDER
-- again after the numbered migrations, in one transaction: edit here, never
-- in a numbered file.

-- The places a person runs (référent or admin there), for the back office's
-- home and its place pickers.
CREATE FUNCTION tl.admin_places(p_login text)
RETURNS TABLE (slug text, name text, role text, is_admin boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT r.place_slug, r.place_name, r.role, r.rank >= 3
      FROM tl.account_roles(p_login) r
     WHERE r.rank >= 2
     ORDER BY r.place_name
$$;

-- ---- categories ------------------------------------------------------------
CREATE FUNCTION tl.admin_categories()
RETURNS TABLE (slug text, name text, loan_days integer, max_renewals integer, deposit text,
               deposit_value text, max_items integer, items bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT c.slug, c.name, c.loan_days, c.max_renewals, tl.euros(c.deposit), c.deposit::text, c.max_items,
           (SELECT count(*) FROM tl.item i WHERE i.category_id = c.id AND i.retired_at IS NULL)
      FROM tl.category c ORDER BY c.sort_order, c.name
$$;

-- Creates (p_slug NULL) or updates a category. Returns its slug.
CREATE FUNCTION tl.save_category(p_login text, p_slug text, p_name text, p_loan_days integer,
                                 p_max_renewals integer, p_deposit numeric, p_max_items integer)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_who  integer := tl.require_admin(p_login);
    v_slug text;
    v_name text := btrim(coalesce(p_name, ''));
BEGIN
    IF v_name = '' THEN
        RAISE EXCEPTION 'indiquez le nom de la catégorie' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'category_name_not_blank';
    END IF;
    IF p_loan_days IS NULL OR p_loan_days NOT BETWEEN 1 AND 365 THEN
        RAISE EXCEPTION 'la durée de prêt va de 1 à 365 jours' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'category_loan_days_range';
    END IF;
    IF p_max_renewals IS NULL OR p_max_renewals NOT BETWEEN 0 AND 20 THEN
        RAISE EXCEPTION 'le nombre de prolongations va de 0 à 20' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'category_max_renewals_range';
    END IF;
    IF p_deposit IS NOT NULL AND (p_deposit < 0 OR p_deposit > 10000) THEN
        RAISE EXCEPTION 'la caution va de 0 à 10 000 €' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'category_deposit_positive';
    END IF;
    IF p_max_items IS NOT NULL AND p_max_items NOT BETWEEN 1 AND 50 THEN
        RAISE EXCEPTION 'le nombre d''objets par adhérent va de 1 à 50 (vide : sans limite)'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'category_max_items_range';
    END IF;
    IF p_slug IS NULL THEN
        v_slug := tl.slugify(v_name);
        IF EXISTS (SELECT 1 FROM tl.category WHERE slug = v_slug OR lower(name) = lower(v_name)) THEN
            RAISE EXCEPTION 'une catégorie porte déjà ce nom' USING ERRCODE = 'unique_violation',
                CONSTRAINT = 'category_slug_key';
        END IF;
        INSERT INTO tl.category (slug, name, loan_days, max_renewals, deposit, max_items, sort_order)
        VALUES (v_slug, v_name, p_loan_days, p_max_renewals, p_deposit, p_max_items,
                (SELECT coalesce(max(sort_order), 0) + 1 FROM tl.category));
        PERFORM tl.admin_note(v_who, NULL, 'categorie.creation', v_slug);
    ELSE
        UPDATE tl.category SET name = v_name, loan_days = p_loan_days, max_renewals = p_max_renewals,
                               deposit = p_deposit, max_items = p_max_items
         WHERE slug = p_slug RETURNING slug INTO v_slug;
        IF v_slug IS NULL THEN
            RAISE EXCEPTION 'cette catégorie n''existe pas' USING ERRCODE = 'foreign_key_violation',
                CONSTRAINT = 'item_category_fkey';
        END IF;
        PERFORM tl.admin_note(v_who, NULL, 'categorie.regles', v_slug,
                              format('%s j, %s prolongation(s), caution %s, %s objet(s) au plus', p_loan_days,
                                     p_max_renewals, coalesce(tl.euros(p_deposit), 'aucune'),
                                     coalesce(p_max_items::text, 'sans limite')));
    END IF;
    RETURN v_slug;
EXCEPTION WHEN unique_violation THEN
    RAISE EXCEPTION 'une catégorie porte déjà ce nom' USING ERRCODE = 'unique_violation',
        CONSTRAINT = 'category_slug_key';
END $$;

-- ---- items -----------------------------------------------------------------

-- An item by its number, retired or not (the desk's tl.require_item sees
-- only items in service), locked, or a refusal naming the number.
CREATE FUNCTION tl.require_item_code(p_code text) RETURNS tl.item
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    v_item tl.item;
BEGIN
    SELECT * INTO v_item FROM tl.item WHERE code = upper(btrim(p_code)) FOR UPDATE;
    IF v_item.id IS NULL THEN
        RAISE EXCEPTION 'aucun objet ne porte le numéro « % »', btrim(p_code)
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'booking_item_fkey';
    END IF;
    RETURN v_item;
END $$;

-- Items of a place for its référents, retired ones included on request.
CREATE FUNCTION tl.admin_items(p_login text, p_place text, p_search text, p_retired boolean,
                               p_limit integer, p_offset integer)
RETURNS TABLE (code text, title text, category text, condition text, state text, retired boolean, total bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place tl.place := tl.require_place(p_place);
BEGIN
    PERFORM tl.require_role(p_login, v_place.id, 'referent');
    RETURN QUERY
    SELECT i.code, i.title, c.name, ic.label,
           CASE WHEN i.retired_at IS NOT NULL THEN 'retiré' ELSE a.state END,
           i.retired_at IS NOT NULL, count(*) OVER ()
      FROM tl.item i
      JOIN tl.category c ON c.id = i.category_id
      JOIN tl.item_condition ic ON ic.code = i.condition
      JOIN tl.item_availability a ON a.item_id = i.id
     WHERE i.place_id = v_place.id
       AND (p_retired OR i.retired_at IS NULL)
       AND (coalesce(p_search, '') = '' OR i.code = upper(btrim(p_search)) OR i.barcode = btrim(p_search)
            OR i.title ILIKE '%' || btrim(p_search) || '%')
     ORDER BY i.retired_at IS NOT NULL, i.code
     LIMIT p_limit OFFSET p_offset;
END $$;

-- One item, as its edit form shows it (read through the same lookup as
-- the changes, hence not STABLE).
CREATE FUNCTION tl.admin_item(p_login text, p_code text)
RETURNS TABLE (code text, barcode text, title text, brand text, description text, category text,
               condition text, place text, deposit text, loan_days integer, safety_check_days integer,
               last_safety_check date, retired boolean, retired_on text, on_loan boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_item tl.item;
BEGIN
    v_item := tl.require_item_code(p_code);
    PERFORM tl.require_role(p_login, v_item.place_id, 'referent');
    RETURN QUERY
    SELECT v_item.code, v_item.barcode, v_item.title, v_item.brand, v_item.description, c.slug, v_item.condition,
           p.slug, v_item.deposit::text, v_item.loan_days, v_item.safety_check_days, v_item.last_safety_check,
           v_item.retired_at IS NOT NULL, tl.date_fr(v_item.retired_at::date),
           EXISTS (SELECT 1 FROM tl.booking b WHERE b.item_id = v_item.id AND b.kind = 'pret' AND b.returned_at IS NULL)
      FROM tl.category c, tl.place p
     WHERE c.id = v_item.category_id AND p.id = v_item.place_id;
END $$;

-- The next free number for a new item: the place's usual prefix (the most
-- common one among its items, "OT" otherwise) and the next number.
CREATE FUNCTION tl.next_item_code(p_place integer) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    WITH prefix AS (
        SELECT coalesce((SELECT substring(code FROM '^([A-Z]+)-[0-9]+$') AS pre FROM tl.item
                          WHERE place_id = p_place AND code ~ '^[A-Z]+-[0-9]+$'
                          GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1), 'OT') AS pre)
    SELECT pre || '-' || lpad((coalesce((SELECT max(substring(code FROM '-([0-9]+)$')::integer) FROM tl.item
                                          WHERE code ~ ('^' || pre || '-[0-9]+$')), 0) + 1)::text, 4, '0')
      FROM prefix
$$;

-- Creates (p_code NULL or a new number) or updates an item. Returns its
-- number. Moving an item to another place needs the référent role at both.
CREATE FUNCTION tl.save_item(p_login text, p_existing text, p_code text, p_place text, p_title text, p_brand text,
                             p_description text, p_category text, p_condition text, p_barcode text,
                             p_deposit numeric, p_loan_days integer, p_safety_days integer, p_last_safety date)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place   tl.place := tl.require_place(p_place);
    v_who     integer := tl.require_role(p_login, v_place.id, 'referent');
    v_item    tl.item;
    v_cat     integer;
    v_coll    integer;
    v_obj     bigint;
    v_code    text := nullif(upper(btrim(coalesce(p_code, ''))), '');
    v_barcode text := nullif(btrim(coalesce(p_barcode, '')), '');
    v_title   text := btrim(coalesce(p_title, ''));
BEGIN
    IF v_title = '' THEN
        RAISE EXCEPTION 'indiquez le nom de l''objet' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'item_title_not_blank';
    END IF;
    IF v_code IS NOT NULL AND v_code !~ '^[A-Z0-9][A-Z0-9-]{0,31}$' THEN
        RAISE EXCEPTION 'le numéro s''écrit en lettres, chiffres et tirets (32 au plus), par exemple OT-0120'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'item_code_format';
    END IF;
    IF v_barcode IS NOT NULL AND v_barcode !~ '^[A-Za-z0-9-]{1,64}$' THEN
        RAISE EXCEPTION 'le code-barres s''écrit en lettres, chiffres et tirets (64 au plus)'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'item_barcode_format';
    END IF;
    SELECT id INTO v_cat FROM tl.category WHERE slug = p_category;
    IF v_cat IS NULL THEN
        RAISE EXCEPTION 'choisissez une catégorie de la liste' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'item_category_fkey';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM tl.item_condition WHERE code = p_condition) THEN
        RAISE EXCEPTION 'choisissez un état de la liste' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'item_condition_fkey';
    END IF;
    IF p_deposit IS NOT NULL AND (p_deposit < 0 OR p_deposit > 10000) THEN
        RAISE EXCEPTION 'la caution va de 0 à 10 000 €' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'item_deposit_positive';
    END IF;
    IF p_loan_days IS NOT NULL AND p_loan_days NOT BETWEEN 1 AND 365 THEN
        RAISE EXCEPTION 'la durée de prêt va de 1 à 365 jours (vide : celle de la catégorie)'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'item_loan_days_range';
    END IF;
    IF p_safety_days IS NOT NULL AND p_safety_days NOT BETWEEN 1 AND 3650 THEN
        RAISE EXCEPTION 'l''intervalle des contrôles électriques va de 1 à 3 650 jours'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'item_safety_check_days_range';
    END IF;
    IF p_last_safety IS NOT NULL AND p_last_safety > current_date THEN
        RAISE EXCEPTION 'le dernier contrôle ne peut pas être dans le futur'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'item_last_safety_check_past';
    END IF;
    IF v_barcode IS NOT NULL AND EXISTS (SELECT 1 FROM tl.item WHERE (barcode = v_barcode OR code = upper(v_barcode))
                                                               AND code IS DISTINCT FROM upper(btrim(p_existing))) THEN
        RAISE EXCEPTION 'le code-barres « % » est déjà celui d''un autre objet', v_barcode
            USING ERRCODE = 'unique_violation', CONSTRAINT = 'item_barcode_key';
    END IF;

    IF p_existing IS NULL THEN
        v_code := coalesce(v_code, tl.next_item_code(v_place.id));
        IF EXISTS (SELECT 1 FROM tl.item WHERE code = v_code OR barcode = v_code) THEN
            RAISE EXCEPTION 'le numéro « % » est déjà celui d''un autre objet', v_code
                USING ERRCODE = 'unique_violation', CONSTRAINT = 'item_code_key';
        END IF;
        SELECT c.id INTO v_coll FROM tl.collection c
         WHERE c.place_id = v_place.id AND c.activity = 'outiltheque' ORDER BY c.id LIMIT 1;
        IF v_coll IS NULL THEN
            INSERT INTO tl.collection (organisation_id, place_id, activity, name)
            VALUES (v_place.organisation_id, v_place.id, 'outiltheque', 'Outilthèque — ' || v_place.name)
            RETURNING id INTO v_coll;
        END IF;
        INSERT INTO tl.object DEFAULT VALUES RETURNING id INTO v_obj;
        INSERT INTO tl.item (object_id, code, barcode, title, brand, description, category_id, collection_id,
                             place_id, condition, loan_days, deposit, safety_check_days, last_safety_check)
        VALUES (v_obj, v_code, v_barcode, v_title, nullif(btrim(coalesce(p_brand, '')), ''),
                btrim(coalesce(p_description, '')), v_cat, v_coll, v_place.id, p_condition, p_loan_days,
                p_deposit, p_safety_days, p_last_safety);
        PERFORM tl.admin_note(v_who, v_place.id, 'objet.creation', v_code, v_title);
        RETURN v_code;
    END IF;

    v_item := tl.require_item_code(p_existing);
    PERFORM tl.require_role(p_login, v_item.place_id, 'referent');
    v_code := coalesce(v_code, v_item.code);
    IF v_code <> v_item.code AND EXISTS (SELECT 1 FROM tl.item WHERE code = v_code OR barcode = v_code) THEN
        RAISE EXCEPTION 'le numéro « % » est déjà celui d''un autre objet', v_code
            USING ERRCODE = 'unique_violation', CONSTRAINT = 'item_code_key';
    END IF;
    IF v_item.place_id <> v_place.id THEN
        SELECT c.id INTO v_coll FROM tl.collection c
         WHERE c.place_id = v_place.id AND c.activity = 'outiltheque' ORDER BY c.id LIMIT 1;
        IF v_coll IS NULL THEN
            INSERT INTO tl.collection (organisation_id, place_id, activity, name)
            VALUES (v_place.organisation_id, v_place.id, 'outiltheque', 'Outilthèque — ' || v_place.name)
            RETURNING id INTO v_coll;
        END IF;
    END IF;
    IF v_item.place_id <> v_place.id THEN
        -- It travels to its new place (sql/schema/006), from where it stands.
        PERFORM tl.plan_movement(v_item.id, v_place.id, 'transfert', NULL, v_who);
    END IF;
    UPDATE tl.item SET code = v_code, barcode = v_barcode, title = v_title,
                       brand = nullif(btrim(coalesce(p_brand, '')), ''), description = btrim(coalesce(p_description, '')),
                       category_id = v_cat, condition = p_condition, place_id = v_place.id,
                       collection_id = coalesce(v_coll, collection_id), loan_days = p_loan_days, deposit = p_deposit,
                       safety_check_days = p_safety_days, last_safety_check = p_last_safety
     WHERE id = v_item.id;
    PERFORM tl.admin_note(v_who, v_place.id, 'objet.modification', v_code,
                          CASE WHEN v_code <> v_item.code THEN 'ancien numéro ' || v_item.code ELSE '' END);
    IF v_item.place_id <> v_place.id THEN
        PERFORM tl.admin_note(v_who, v_item.place_id, 'objet.depart', v_code, 'vers ' || v_place.name);
    END IF;
    RETURN v_code;
EXCEPTION WHEN unique_violation THEN
    IF SQLERRM LIKE 'le %' THEN
        RAISE;
    END IF;
    RAISE EXCEPTION 'ce numéro ou ce code-barres est déjà celui d''un autre objet'
        USING ERRCODE = 'unique_violation', CONSTRAINT = 'item_code_key';
END $$;

-- Retiring keeps the item and its history (loans, maintenance, reports);
-- it leaves the catalogue and the desk. Not while it is out, nor while
-- someone has reserved it.
CREATE FUNCTION tl.retire_item(p_login text, p_code text, p_reason text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_item tl.item;
    v_who  integer;
BEGIN
    v_item := tl.require_item_code(p_code);
    v_who := tl.require_role(p_login, v_item.place_id, 'referent');
    IF v_item.retired_at IS NOT NULL THEN
        RETURN;
    END IF;
    IF btrim(coalesce(p_reason, '')) = '' THEN
        RAISE EXCEPTION 'indiquez pourquoi l''objet est retiré (cassé, perdu, donné…)'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'item_retire_reason';
    END IF;
    IF EXISTS (SELECT 1 FROM tl.booking WHERE item_id = v_item.id AND kind = 'pret' AND returned_at IS NULL) THEN
        RAISE EXCEPTION 'cet objet est prêté : il pourra être retiré après son retour'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'item_retire_on_loan';
    END IF;
    IF EXISTS (SELECT 1 FROM tl.booking WHERE item_id = v_item.id AND kind = 'reservation'
                                          AND cancelled_at IS NULL AND ends_at > now()) THEN
        RAISE EXCEPTION 'cet objet est réservé : annulez d''abord les réservations depuis la fiche des adhérents'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'item_retire_reserved';
    END IF;
    UPDATE tl.item SET retired_at = now() WHERE id = v_item.id;
    PERFORM tl.admin_note(v_who, v_item.place_id, 'objet.retrait', v_item.code, btrim(p_reason));
END $$;

-- ---- kits: an item's components (sql/schema/005) --------------------------
-- The components of an item, for its référents.
CREATE FUNCTION tl.admin_item_components(p_login text, p_code text)
RETURNS TABLE (id bigint, name text, quantity integer, pos integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_item tl.item;
BEGIN
    v_item := tl.require_item_code(p_code);
    PERFORM tl.require_role(p_login, v_item.place_id, 'referent');
    RETURN QUERY
    SELECT c.id, c.name, c.quantity, c.position FROM tl.item_component c
     WHERE c.item_id = v_item.id ORDER BY c.position, c.id;
END $$;

-- The component of this item p_component names, locked, or a refusal; and
-- no change while the kit is out: its return checks the list it left with.
CREATE FUNCTION tl.require_item_component(p_item tl.item, p_component bigint) RETURNS tl.item_component
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    v_component tl.item_component;
BEGIN
    IF EXISTS (SELECT 1 FROM tl.booking WHERE item_id = p_item.id AND kind = 'pret' AND returned_at IS NULL) THEN
        RAISE EXCEPTION 'cet objet est prêté : ses composants se modifient après son retour'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'item_component_on_loan';
    END IF;
    IF p_component IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT * INTO v_component FROM tl.item_component WHERE id = p_component AND item_id = p_item.id FOR UPDATE;
    IF v_component.id IS NULL THEN
        RAISE EXCEPTION 'ce composant n''appartient pas à cet objet' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'item_component_item_fkey';
    END IF;
    RETURN v_component;
END $$;

-- A component added (p_component NULL: at the end of the list) or renamed
-- and counted again; journaled. Returns its id.
CREATE FUNCTION tl.save_item_component(p_login text, p_code text, p_component bigint, p_name text,
                                       p_quantity integer) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_item      tl.item;
    v_who       integer;
    v_component tl.item_component;
    v_name      text := btrim(coalesce(p_name, ''));
    v_id        bigint;
BEGIN
    v_item := tl.require_item_code(p_code);
    v_who := tl.require_role(p_login, v_item.place_id, 'referent');
    v_component := tl.require_item_component(v_item, p_component);
    IF v_name = '' THEN
        RAISE EXCEPTION 'indiquez le nom du composant (par exemple « tournevis plat 5,5 mm »)'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'item_component_name_not_blank';
    END IF;
    IF p_quantity IS NULL OR p_quantity NOT BETWEEN 1 AND 999 THEN
        RAISE EXCEPTION 'indiquez combien le kit en contient, de 1 à 999'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'item_component_quantity_range';
    END IF;
    IF EXISTS (SELECT 1 FROM tl.item_component WHERE item_id = v_item.id AND lower(name) = lower(v_name)
                                                 AND id IS DISTINCT FROM p_component) THEN
        RAISE EXCEPTION 'ce kit a déjà un composant « % »', v_name
            USING ERRCODE = 'unique_violation', CONSTRAINT = 'item_component_name_key';
    END IF;
    IF v_component.id IS NULL THEN
        INSERT INTO tl.item_component (item_id, name, quantity, position)
        VALUES (v_item.id, v_name, p_quantity,
                coalesce((SELECT max(position) FROM tl.item_component WHERE item_id = v_item.id), 0) + 1)
        RETURNING id INTO v_id;
        PERFORM tl.admin_note(v_who, v_item.place_id, 'objet.composant.ajout', v_item.code,
                              p_quantity || ' × ' || v_name);
    ELSE
        UPDATE tl.item_component SET name = v_name, quantity = p_quantity WHERE id = v_component.id;
        v_id := v_component.id;
        PERFORM tl.admin_note(v_who, v_item.place_id, 'objet.composant.modification', v_item.code,
                              v_component.quantity || ' × ' || v_component.name || ' → ' || p_quantity || ' × ' || v_name);
    END IF;
    RETURN v_id;
END $$;

-- A component taken off the list (the kit no longer holds it); journaled.
CREATE FUNCTION tl.remove_item_component(p_login text, p_code text, p_component bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_item      tl.item;
    v_who       integer;
    v_component tl.item_component;
BEGIN
    v_item := tl.require_item_code(p_code);
    v_who := tl.require_role(p_login, v_item.place_id, 'referent');
    IF p_component IS NULL THEN
        RAISE EXCEPTION 'ce composant n''appartient pas à cet objet' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'item_component_item_fkey';
    END IF;
    v_component := tl.require_item_component(v_item, p_component);
    DELETE FROM tl.item_component WHERE id = v_component.id;
    PERFORM tl.admin_note(v_who, v_item.place_id, 'objet.composant.retrait', v_item.code,
                          v_component.quantity || ' × ' || v_component.name);
END $$;

-- Back in service (a retired item found again).
CREATE FUNCTION tl.restore_item(p_login text, p_code text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_item tl.item;
    v_who  integer;
BEGIN
    v_item := tl.require_item_code(p_code);
    v_who := tl.require_role(p_login, v_item.place_id, 'referent');
    IF v_item.retired_at IS NOT NULL THEN
        UPDATE tl.item SET retired_at = NULL WHERE id = v_item.id;
        PERFORM tl.admin_note(v_who, v_item.place_id, 'objet.remise', v_item.code);
    END IF;
END $$;

CREATE FUNCTION tl.admin_place(p_login text, p_place text)
RETURNS TABLE (slug text, name text, description text, street_address text, postal_code text, locality text,
               opening_hours text, phone text, email text, website text, charter text, uses_fees boolean,
               uses_deposits boolean, authority_name text, authority_siret text, insee_code text,
               equipment_code text, equipment_type text, equipment_theme text, latitude text, longitude text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place tl.place := tl.require_place(p_place);
BEGIN
    PERFORM tl.require_role(p_login, v_place.id, 'referent');
    RETURN QUERY SELECT v_place.slug, v_place.name, v_place.description, v_place.street_address,
                        v_place.postal_code, v_place.locality, v_place.opening_hours, v_place.phone,
                        v_place.email, v_place.website, v_place.charter, v_place.uses_fees, v_place.uses_deposits,
                        v_place.authority_name, v_place.authority_siret, v_place.insee_code, v_place.equipment_code,
                        v_place.equipment_type, v_place.equipment_theme, replace(v_place.latitude::text, '.', ','),
                        replace(v_place.longitude::text, '.', ',');
END $$;

-- The opening hours arrive as the référent typed them (p_hours, shown on
-- the pages) and as the module's parser read them: p_spans holds one
-- {ISO weekday, opens, closes} triple (minutes since midnight) a span, and
-- p_closed_on_holidays says "PH off". Due dates are computed from these
-- (tl.next_open_day); the database never parses the text.
CREATE FUNCTION tl.save_place(p_login text, p_place text, p_name text, p_description text, p_street text,
                              p_postal_code text, p_locality text, p_hours text, p_spans smallint[],
                              p_closed_on_holidays boolean, p_phone text, p_email text,
                              p_website text, p_charter text, p_uses_fees boolean, p_uses_deposits boolean)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place tl.place := tl.require_place(p_place);
    v_who   integer := tl.require_role(p_login, v_place.id, 'referent');
    v_email text := nullif(btrim(coalesce(p_email, '')), '');
    v_web   text := nullif(btrim(coalesce(p_website, '')), '');
BEGIN
    IF btrim(coalesce(p_name, '')) = '' THEN
        RAISE EXCEPTION 'indiquez le nom du lieu' USING ERRCODE = 'check_violation', CONSTRAINT = 'place_name_not_blank';
    END IF;
    IF btrim(coalesce(p_street, '')) = '' OR btrim(coalesce(p_locality, '')) = '' THEN
        RAISE EXCEPTION 'indiquez l''adresse et la commune' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'place_address_not_blank';
    END IF;
    IF coalesce(p_postal_code, '') !~ '^[0-9]{5}$' THEN
        RAISE EXCEPTION 'le code postal a cinq chiffres' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'place_postal_code_format';
    END IF;
    IF v_email IS NOT NULL AND v_email !~ '^[^@\s]+@[^@\s]+$' THEN
        RAISE EXCEPTION 'ce courriel ne semble pas complet' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'place_email_format';
    END IF;
    IF v_web IS NOT NULL AND v_web !~ '^https?://' THEN
        RAISE EXCEPTION 'l''adresse du site commence par https://' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'place_website_http';
    END IF;
    UPDATE tl.place SET name = btrim(p_name), description = btrim(coalesce(p_description, '')),
                        street_address = btrim(p_street), postal_code = p_postal_code, locality = btrim(p_locality),
                        opening_hours = btrim(coalesce(p_hours, '')), phone = nullif(btrim(coalesce(p_phone, '')), ''),
                        email = v_email, website = v_web, charter = btrim(coalesce(p_charter, '')),
                        uses_fees = coalesce(p_uses_fees, false), uses_deposits = coalesce(p_uses_deposits, false),
                        closed_on_public_holidays = coalesce(p_closed_on_holidays, false)
     WHERE id = v_place.id;
    IF p_spans IS NOT NULL AND cardinality(p_spans) > 0 AND array_ndims(p_spans) <> 2 THEN
        RAISE EXCEPTION 'les horaires lus sont mal formés' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'place_opening_span';
    END IF;
    DELETE FROM tl.place_opening WHERE place_id = v_place.id;
    INSERT INTO tl.place_opening (place_id, weekday, opens, closes)
    SELECT v_place.id, p_spans[i][1], p_spans[i][2], p_spans[i][3]
      FROM generate_subscripts(p_spans, 1) AS i;
    PERFORM tl.admin_note(v_who, v_place.id, 'lieu.modification', v_place.slug);
END $$;

CREATE FUNCTION tl.place_closures(p_place text)
RETURNS TABLE (id integer, starts_on date, ends_on date, reason text, period text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT c.id, c.starts_on, c.ends_on, c.reason,
           CASE WHEN c.starts_on = c.ends_on THEN 'le ' || tl.date_fr(c.starts_on)
                ELSE 'du ' || tl.date_fr(c.starts_on) || ' au ' || tl.date_fr(c.ends_on) END
      FROM tl.place_closure c JOIN tl.place p ON p.id = c.place_id
     WHERE p.slug = p_place AND c.ends_on >= current_date - 31
     ORDER BY c.starts_on
$$;

CREATE FUNCTION tl.add_closure(p_login text, p_place text, p_from date, p_to date, p_reason text) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place tl.place := tl.require_place(p_place);
    v_who   integer := tl.require_role(p_login, v_place.id, 'referent');
    v_id    integer;
BEGIN
    IF p_from IS NULL OR p_to IS NULL OR p_to < p_from THEN
        RAISE EXCEPTION 'la fermeture finit le jour où elle commence ou après' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'place_closure_order';
    END IF;
    IF p_to - p_from > 366 THEN
        RAISE EXCEPTION 'une fermeture dure un an au plus' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'place_closure_length';
    END IF;
    IF btrim(coalesce(p_reason, '')) = '' THEN
        RAISE EXCEPTION 'indiquez la raison (congés, travaux…), elle est affichée au public'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'place_closure_reason_not_blank';
    END IF;
    INSERT INTO tl.place_closure (place_id, starts_on, ends_on, reason)
    VALUES (v_place.id, p_from, p_to, btrim(p_reason)) RETURNING id INTO v_id;
    PERFORM tl.admin_note(v_who, v_place.id, 'lieu.fermeture', tl.date_fr(p_from) || ' – ' || tl.date_fr(p_to),
                          btrim(p_reason));
    RETURN v_id;
EXCEPTION WHEN exclusion_violation THEN
    RAISE EXCEPTION 'cette fermeture chevauche une fermeture déjà prévue' USING ERRCODE = 'exclusion_violation',
        CONSTRAINT = 'place_closure_no_overlap';
END $$;

CREATE FUNCTION tl.remove_closure(p_login text, p_place text, p_id integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place tl.place := tl.require_place(p_place);
    v_who   integer := tl.require_role(p_login, v_place.id, 'referent');
    v_c     tl.place_closure;
BEGIN
    DELETE FROM tl.place_closure WHERE id = p_id AND place_id = v_place.id RETURNING * INTO v_c;
    IF v_c.id IS NOT NULL THEN
        PERFORM tl.admin_note(v_who, v_place.id, 'lieu.reouverture',
                              tl.date_fr(v_c.starts_on) || ' – ' || tl.date_fr(v_c.ends_on));
    END IF;
END $$;

-- The retention delays are the network's (one register of processing).
CREATE FUNCTION tl.save_retention(p_login text, p_loan_months integer, p_member_months integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_who integer := tl.require_admin(p_login);
BEGIN
    IF p_loan_months IS NULL OR p_loan_months NOT BETWEEN 1 AND 24 THEN
        RAISE EXCEPTION 'le lien entre un prêt et la personne se garde de 1 à 24 mois'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'retention_loan_months_range';
    END IF;
    IF p_member_months IS NULL OR p_member_months NOT BETWEEN 1 AND 60 THEN
        RAISE EXCEPTION 'un compte sans emprunt se garde de 1 à 60 mois'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'retention_member_months_range';
    END IF;
    UPDATE tl.retention SET loan_months = p_loan_months, inactive_member_months = p_member_months;
    PERFORM tl.admin_note(v_who, NULL, 'conservation', 'délais',
                          format('prêts : %s mois ; comptes inactifs : %s mois', p_loan_months, p_member_months));
END $$;

CREATE FUNCTION tl.retention_delays() RETURNS TABLE (loan_months integer, member_months integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT loan_months, inactive_member_months FROM tl.retention
$$;

-- ---- the people who run a place --------------------------------------------
CREATE FUNCTION tl.admin_team(p_login text, p_place text)
RETURNS TABLE (login text, display_name text, role text, active boolean, has_password boolean, other_places bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place tl.place := tl.require_place(p_place);
BEGIN
    PERFORM tl.require_role(p_login, v_place.id, 'referent');
    RETURN QUERY
    SELECT a.login, a.display_name, r.role, a.active, a.password_hash IS NOT NULL,
           (SELECT count(*) FROM tl.account_role o WHERE o.account_id = a.id AND o.place_id <> v_place.id)
      FROM tl.account a JOIN tl.account_role r ON r.account_id = a.id
     WHERE r.place_id = v_place.id
     ORDER BY a.active DESC, tl.role_rank(r.role) DESC, a.display_name;
END $$;

-- Sharing between places (sql/schema/006). The collections of a place, for
-- its référents: whether their items travel to be collected elsewhere.
CREATE FUNCTION tl.admin_collections(p_login text, p_place text)
RETURNS TABLE (id integer, name text, organisation text, activity text, travels boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place tl.place := tl.require_place(p_place);
BEGIN
    PERFORM tl.require_role(p_login, v_place.id, 'referent');
    RETURN QUERY
    SELECT c.id, c.name, o.name, c.activity, c.travels
      FROM tl.collection c JOIN tl.organisation o ON o.id = c.organisation_id
     WHERE c.place_id = v_place.id
     ORDER BY c.name, c.id;
END $$;

-- A collection's owner decides whether its items travel (an
-- association's grainothèque may stay put): by a référent of the place
-- the collection is at; journaled.
CREATE FUNCTION tl.set_collection_travels(p_login text, p_collection integer, p_travels boolean) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_collection tl.collection;
    v_who        integer;
BEGIN
    SELECT * INTO v_collection FROM tl.collection WHERE id = p_collection FOR UPDATE;
    IF v_collection.id IS NULL THEN
        RAISE EXCEPTION 'cette collection n''existe pas' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'item_collection_fkey';
    END IF;
    v_who := tl.require_role(p_login, v_collection.place_id, 'referent');
    IF p_travels IS NULL THEN
        RAISE EXCEPTION 'dites si les objets de cette collection voyagent' USING ERRCODE = 'not_null_violation',
            CONSTRAINT = 'collection_travels_not_null';
    END IF;
    IF v_collection.travels IS DISTINCT FROM p_travels THEN
        UPDATE tl.collection SET travels = p_travels WHERE id = v_collection.id;
        PERFORM tl.admin_note(v_who, v_collection.place_id, 'collection.voyage', v_collection.name,
                              CASE WHEN p_travels THEN 'voyage' ELSE 'reste sur place' END);
    END IF;
END $$;

-- An item moved to another place for good, by a référent of its own
-- place: it keeps its number and history (loans, maintenance, movements)
-- and joins its owner's collection at the new place (made on the way when
-- the owner has none there yet); a movement takes it there. Refused while
-- it is lent, travelling or reserved.
CREATE FUNCTION tl.move_item(p_login text, p_code text, p_place text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_item   tl.item;
    v_who    integer;
    v_to     tl.place;
    v_old    tl.collection;
    v_coll   integer;
BEGIN
    v_item := tl.require_item_code(p_code);
    v_who := tl.require_role(p_login, v_item.place_id, 'referent');
    v_to := tl.require_place(p_place);
    IF v_to.id = v_item.place_id THEN
        RAISE EXCEPTION 'cet objet appartient déjà à ce lieu' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'item_movement_places_differ';
    END IF;
    IF EXISTS (SELECT 1 FROM tl.booking WHERE item_id = v_item.id AND cancelled_at IS NULL
                                          AND (kind = 'pret' AND returned_at IS NULL
                                               OR kind = 'reservation' AND ends_at > now())) THEN
        RAISE EXCEPTION 'cet objet est prêté ou réservé : déplacez-le après son retour ou l''annulation des réservations'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'item_move_booked';
    END IF;
    IF EXISTS (SELECT 1 FROM tl.item_movement WHERE item_id = v_item.id AND received_at IS NULL
                                                AND cancelled_at IS NULL) THEN
        RAISE EXCEPTION 'cet objet doit déjà voyager vers un autre lieu : réessayez après son arrivée'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'item_movement_one_open';
    END IF;
    SELECT * INTO v_old FROM tl.collection WHERE id = v_item.collection_id;
    SELECT id INTO v_coll FROM tl.collection
     WHERE organisation_id = v_old.organisation_id AND place_id = v_to.id AND activity = v_old.activity;
    IF v_coll IS NULL THEN
        INSERT INTO tl.collection (organisation_id, place_id, activity, name, travels)
        VALUES (v_old.organisation_id, v_to.id, v_old.activity, v_old.name || ' (' || v_to.name || ')', v_old.travels)
        RETURNING id INTO v_coll;
    END IF;
    -- The movement leaves from where the item stands, before its own place changes.
    PERFORM tl.plan_movement(v_item.id, v_to.id, 'transfert', NULL, v_who);
    UPDATE tl.item SET place_id = v_to.id, collection_id = v_coll WHERE id = v_item.id;
    PERFORM tl.admin_note(v_who, v_item.place_id, 'objet.deplacement', v_item.code, v_to.name);
    PERFORM tl.admin_note(v_who, v_to.id, 'objet.arrivee', v_item.code,
                          (SELECT name FROM tl.place WHERE id = v_item.place_id));
    RETURN (SELECT id FROM tl.item_movement WHERE item_id = v_item.id AND received_at IS NULL AND cancelled_at IS NULL);
END $$;

-- The journal of a place (and the network's lines, for its admins).
CREATE FUNCTION tl.admin_journal(p_login text, p_place text, p_limit integer)
RETURNS TABLE (at text, who text, action text, subject text, detail text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place tl.place := tl.require_place(p_place);
BEGIN
    PERFORM tl.require_role(p_login, v_place.id, 'referent');
    RETURN QUERY
    SELECT to_char(l.at AT TIME ZONE v_place.time_zone, 'DD/MM/YYYY HH24:MI'), a.display_name, l.action, l.subject,
           l.detail
      FROM tl.admin_log l JOIN tl.account a ON a.id = l.account_id
     WHERE l.place_id = v_place.id
        OR (l.place_id IS NULL AND EXISTS (SELECT 1 FROM tl.account_role r JOIN tl.account x ON x.id = r.account_id
                                            WHERE x.login = p_login AND r.role = 'admin'))
     ORDER BY l.at DESC, l.id DESC
     LIMIT p_limit;
END $$;

-- The factors a place uses on a day: its own where it has one, the
-- network's otherwise, each with its source.
CREATE FUNCTION tl.impact_factors(p_place text, p_on date DEFAULT current_date)
RETURNS TABLE (key text, label text, unit text, method text, value numeric, source text, valid_from date,
               own boolean, network_value numeric)
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT k.key, k.label, k.unit, k.method, coalesce(pl.value, nw.value),
           CASE WHEN pl.value IS NOT NULL THEN pl.source ELSE nw.source END,
           CASE WHEN pl.value IS NOT NULL THEN pl.valid_from ELSE nw.valid_from END,
           pl.value IS NOT NULL, nw.value
      FROM tl.impact_factor_kind k
      LEFT JOIN LATERAL (SELECT f.value, f.source, f.valid_from FROM tl.impact_factor f
                          WHERE f.key = k.key AND f.place_id IS NULL AND f.valid_from <= p_on
                          ORDER BY f.valid_from DESC, f.id DESC LIMIT 1) nw ON true
      LEFT JOIN LATERAL (SELECT f.value, f.source, f.valid_from FROM tl.impact_factor f
                          JOIN tl.place p ON p.id = f.place_id
                          WHERE f.key = k.key AND p.slug = p_place AND f.valid_from <= p_on
                          ORDER BY f.valid_from DESC, f.id DESC LIMIT 1) pl ON true
     ORDER BY k.rank
$$;

-- A place's own value for a factor from today (p_value NULL: back to the
-- network's).
CREATE FUNCTION tl.set_impact_factor(p_login text, p_place text, p_key text, p_value numeric, p_source text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place tl.place := tl.require_place(p_place);
    v_who   integer := tl.require_role(p_login, v_place.id, 'referent');
BEGIN
    IF NOT EXISTS (SELECT 1 FROM tl.impact_factor_kind WHERE key = p_key) THEN
        RAISE EXCEPTION 'choisissez un facteur de la liste' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'impact_factor_kind_fkey';
    END IF;
    IF p_value IS NOT NULL AND p_value > 1 AND EXISTS (SELECT 1 FROM tl.impact_factor_kind
                                                        WHERE key = p_key AND unit LIKE 'part%') THEN
        RAISE EXCEPTION 'ce facteur est une part, entre 0 et 1 (0,5 pour la moitié)' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'impact_factor_value_range';
    END IF;
    IF p_value IS NOT NULL AND btrim(coalesce(p_source, '')) = '' THEN
        RAISE EXCEPTION 'indiquez la source de cette valeur (étude, année) : elle est affichée avec les chiffres'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'impact_factor_source_given';
    END IF;
    -- One change a day: today's row replaces an earlier change made today.
    DELETE FROM tl.impact_factor WHERE key = p_key AND place_id = v_place.id AND valid_from = current_date;
    INSERT INTO tl.impact_factor (key, place_id, value, source, recorded_by)
    VALUES (p_key, v_place.id, p_value, btrim(coalesce(p_source, '')), v_who);
    PERFORM tl.admin_note(v_who, v_place.id, 'impact.facteur', p_key,
                          CASE WHEN p_value IS NULL THEN 'valeur du réseau'
                               ELSE p_value::text || ' (' || btrim(p_source) || ')' END);
END $$;

-- Gives someone a role at a place, creating their account when the login
-- is new. A référent gives bénévole or référent; admin needs an admin. An
-- existing account's roles change only under tl.may_manage_account.
CREATE FUNCTION tl.save_team_member(p_login text, p_place text, p_account text, p_display_name text,
                                               p_role text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place tl.place := tl.require_place(p_place);
    v_who   integer := tl.require_role(p_login, v_place.id, 'referent');
    v_login text := lower(btrim(coalesce(p_account, '')));
    v_name  text := btrim(coalesce(p_display_name, ''));
    v_acc   tl.account;
    v_old   text;
BEGIN
    IF v_login !~ '^[a-z0-9][a-z0-9._@-]{1,63}$' THEN
        RAISE EXCEPTION 'l''identifiant s''écrit en minuscules sans accent, chiffres, points ou tirets (2 à 64), par exemple prenom.nom'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'account_login_format';
    END IF;
    IF p_role IS NULL OR p_role NOT IN ('benevole', 'referent', 'admin') THEN
        RAISE EXCEPTION 'choisissez un rôle de la liste' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'account_role_known';
    END IF;
    IF p_role = 'admin' THEN
        PERFORM tl.require_role(p_login, v_place.id, 'admin');
    END IF;
    SELECT * INTO v_acc FROM tl.account WHERE login = v_login FOR UPDATE;
    IF v_acc.id IS NULL THEN
        IF v_name = '' THEN
            RAISE EXCEPTION 'indiquez le nom affiché de la personne' USING ERRCODE = 'check_violation',
                CONSTRAINT = 'account_display_name_not_blank';
        END IF;
        INSERT INTO tl.account (login, display_name) VALUES (v_login, v_name) RETURNING * INTO v_acc;
        PERFORM tl.admin_note(v_who, v_place.id, 'compte.creation', v_login);
    ELSE
        PERFORM tl.require_account_manager(v_who, v_acc, 'compte.role');
        IF v_name <> '' AND v_name <> v_acc.display_name THEN
            UPDATE tl.account SET display_name = v_name WHERE id = v_acc.id;
            PERFORM tl.admin_note(v_who, v_place.id, 'compte.nom', v_login);
        END IF;
    END IF;
    SELECT role INTO v_old FROM tl.account_role WHERE account_id = v_acc.id AND place_id = v_place.id;
    IF v_old IS DISTINCT FROM p_role THEN
        INSERT INTO tl.account_role (account_id, place_id, role) VALUES (v_acc.id, v_place.id, p_role)
        ON CONFLICT (account_id, place_id) DO UPDATE SET role = excluded.role;
        PERFORM tl.admin_note(v_who, v_place.id, 'compte.role', v_login,
                              coalesce(v_old, 'aucun') || ' → ' || p_role);
    END IF;
END $$;

-- Takes someone's role at a place away (their account and the history it
-- signed stay). Nobody removes their own role.
CREATE FUNCTION tl.remove_team_member(p_login text, p_place text, p_account text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place tl.place := tl.require_place(p_place);
    v_who   integer := tl.require_role(p_login, v_place.id, 'referent');
    v_acc   tl.account;
    v_old   text;
BEGIN
    SELECT a.* INTO v_acc FROM tl.account a
      JOIN tl.account_role r ON r.account_id = a.id AND r.place_id = v_place.id
     WHERE a.login = p_account FOR UPDATE OF a;
    IF v_acc.id IS NULL THEN
        RAISE EXCEPTION 'cette personne n''a pas de rôle dans ce lieu' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'account_role_account_fkey';
    END IF;
    IF v_acc.id = v_who THEN
        RAISE EXCEPTION 'vous ne pouvez pas retirer votre propre rôle' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'account_role_not_self';
    END IF;
    PERFORM tl.require_account_manager(v_who, v_acc, 'compte.retrait');
    SELECT role INTO v_old FROM tl.account_role WHERE account_id = v_acc.id AND place_id = v_place.id;
    DELETE FROM tl.account_role WHERE account_id = v_acc.id AND place_id = v_place.id;
    PERFORM tl.admin_note(v_who, v_place.id, 'compte.retrait', p_account, v_old);
END $$;

-- Deactivating stops someone logging in anywhere (and ends their
-- sessions); never oneself.
CREATE FUNCTION tl.set_account_active(p_login text, p_place text, p_account text, p_active boolean)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place tl.place := tl.require_place(p_place);
    v_who   integer := tl.require_role(p_login, v_place.id, 'referent');
    v_acc   tl.account;
BEGIN
    SELECT a.* INTO v_acc FROM tl.account a
      JOIN tl.account_role r ON r.account_id = a.id AND r.place_id = v_place.id
     WHERE a.login = p_account FOR UPDATE OF a;
    IF v_acc.id IS NULL THEN
        RAISE EXCEPTION 'cette personne n''a pas de rôle dans ce lieu' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'account_role_account_fkey';
    END IF;
    IF v_acc.id = v_who THEN
        RAISE EXCEPTION 'vous ne pouvez pas désactiver votre propre compte' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'account_role_not_self';
    END IF;
    PERFORM tl.require_account_manager(v_who, v_acc,
                                       CASE WHEN p_active THEN 'compte.activation' ELSE 'compte.desactivation' END);
    IF v_acc.active IS DISTINCT FROM coalesce(p_active, false) THEN
        UPDATE tl.account SET active = coalesce(p_active, false) WHERE id = v_acc.id;
        PERFORM tl.admin_note(v_who, v_place.id, CASE WHEN p_active THEN 'compte.activation' ELSE 'compte.desactivation' END,
                              p_account);
    END IF;
END $$;

-- Tables of this area whose content a page can show: every write bumps the
-- data version (tl.track_changes; a test checks none is forgotten).
DO $$ BEGIN PERFORM tl.track_changes(t::regclass, 'back_office') FROM unnest(ARRAY['tl.impact_factor', 'tl.impact_factor_kind', 'tl.place_closure']) AS t; END $$;

------------------------------------------------------------------------------
-- Rights: functions are executable by PUBLIC unless revoked; the desk's
-- functions go to tierslieux_guichet, the public pages' to tierslieux_lecture,
-- the sending command's to tierslieux_courriels.
------------------------------------------------------------------------------
REVOKE ALL ON FUNCTION tl.add_closure(text,text,date,date,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.add_closure(text,text,date,date,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.admin_categories() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.admin_categories() TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.admin_item(text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.admin_item(text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.admin_item_components(text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.admin_item_components(text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.remove_item_component(text,text,bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.remove_item_component(text,text,bigint) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.require_item_component(tl.item,bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.save_item_component(text,text,bigint,text,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.save_item_component(text,text,bigint,text,integer) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.admin_items(text,text,text,boolean,integer,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.admin_items(text,text,text,boolean,integer,integer) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.admin_collections(text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.admin_collections(text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.move_item(text,text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.move_item(text,text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.set_collection_travels(text,integer,boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.set_collection_travels(text,integer,boolean) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.admin_journal(text,text,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.admin_journal(text,text,integer) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.admin_place(text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.admin_place(text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.admin_places(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.admin_places(text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.admin_team(text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.admin_team(text,text) TO tierslieux_guichet;
GRANT EXECUTE ON FUNCTION tl.impact_factors(text,date) TO tierslieux_lecture;
REVOKE ALL ON FUNCTION tl.next_item_code(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.place_closures(text) TO tierslieux_lecture;
REVOKE ALL ON FUNCTION tl.remove_closure(text,text,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.remove_closure(text,text,integer) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.remove_team_member(text,text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.remove_team_member(text,text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.require_item_code(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.restore_item(text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.restore_item(text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.retention_delays() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.retention_delays() TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.retire_item(text,text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.retire_item(text,text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.save_category(text,text,text,integer,integer,numeric,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.save_category(text,text,text,integer,integer,numeric,integer) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.save_item(text,text,text,text,text,text,text,text,text,text,numeric,integer,integer,date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.save_item(text,text,text,text,text,text,text,text,text,text,numeric,integer,integer,date) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.save_place(text,text,text,text,text,text,text,text,smallint[],boolean,text,text,text,text,boolean,boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.save_place(text,text,text,text,text,text,text,text,smallint[],boolean,text,text,text,text,boolean,boolean) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.save_retention(text,integer,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.save_retention(text,integer,integer) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.save_team_member(text,text,text,text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.save_team_member(text,text,text,text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.set_account_active(text,text,text,boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.set_account_active(text,text,text,boolean) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.set_impact_factor(text,text,text,numeric,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.set_impact_factor(text,text,text,numeric,text) TO tierslieux_guichet;
GRANT SELECT ON tl.impact_factor TO tierslieux_lecture;
GRANT SELECT ON tl.impact_factor_kind TO tierslieux_lecture;
GRANT SELECT ON tl.place_closure TO tierslieux_lecture;
