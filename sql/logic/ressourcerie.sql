-- Ressourcerie: intake and weighing, stock, sales and the till, outflows,
-- eco-organisation streams and reports.
--
-- The current form of this area's functions, views, triggers and rights.
-- script/migrate drops every function and view of schema tl (but the
-- constraint helpers of sql/schema) and applies the files of sql/logic/ORDER
-- again after the numbered migrations, in one transaction: edit here, never
-- in a numbered file.

-- The weighings that count: every one not corrected by a later entry.
CREATE VIEW tl.reuse_weighing_current AS
SELECT w.* FROM tl.reuse_weighing w
 WHERE NOT EXISTS (SELECT 1 FROM tl.reuse_weighing c WHERE c.corrects = w.id);

COMMENT ON VIEW tl.reuse_weighing_current IS 'Weighings in force: corrected ones replaced by their correction';

-- The sales that count: neither cancelled nor a cancellation.
CREATE VIEW tl.reuse_sale_kept AS
SELECT s.* FROM tl.reuse_sale s
 WHERE s.cancels IS NULL AND NOT EXISTS (SELECT 1 FROM tl.reuse_sale c WHERE c.cancels = s.id);

COMMENT ON VIEW tl.reuse_sale_kept IS 'Sales in force: cancelled ones and their cancellations left out';

CREATE VIEW tl.reuse_outflow_current AS
SELECT o.* FROM tl.reuse_outflow o
 WHERE NOT EXISTS (SELECT 1 FROM tl.reuse_outflow c WHERE c.corrects = o.id);

COMMENT ON VIEW tl.reuse_outflow_current IS 'Outflows in force: corrected ones replaced by their correction';

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

-- What is recorded there is never changed or removed: weighings, sales,
-- closings and outflows are corrected by new entries.
CREATE FUNCTION tl.refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: record a correction instead', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;

DROP TRIGGER IF EXISTS reuse_weighing_append_only ON tl.reuse_weighing;
CREATE TRIGGER reuse_weighing_append_only BEFORE UPDATE OR DELETE ON tl.reuse_weighing
    FOR EACH ROW EXECUTE FUNCTION tl.refuse_change();

DROP TRIGGER IF EXISTS reuse_sale_append_only ON tl.reuse_sale;
CREATE TRIGGER reuse_sale_append_only BEFORE UPDATE OR DELETE ON tl.reuse_sale
    FOR EACH ROW EXECUTE FUNCTION tl.refuse_change();

DROP TRIGGER IF EXISTS reuse_sale_line_append_only ON tl.reuse_sale_line;
CREATE TRIGGER reuse_sale_line_append_only BEFORE UPDATE OR DELETE ON tl.reuse_sale_line
    FOR EACH ROW EXECUTE FUNCTION tl.refuse_change();

DROP TRIGGER IF EXISTS reuse_closing_append_only ON tl.reuse_closing;
CREATE TRIGGER reuse_closing_append_only BEFORE UPDATE OR DELETE ON tl.reuse_closing
    FOR EACH ROW EXECUTE FUNCTION tl.refuse_change();

DROP TRIGGER IF EXISTS reuse_outflow_append_only ON tl.reuse_outflow;
CREATE TRIGGER reuse_outflow_append_only BEFORE UPDATE OR DELETE ON tl.reuse_outflow
    FOR EACH ROW EXECUTE FUNCTION tl.refuse_change();

DROP TRIGGER IF EXISTS reuse_item_event_append_only ON tl.reuse_item_event;
CREATE TRIGGER reuse_item_event_append_only BEFORE UPDATE OR DELETE ON tl.reuse_item_event
    FOR EACH ROW EXECUTE FUNCTION tl.refuse_change();

------------------------------------------------------------------------------
-- One weighing checked: intake weighings and outflows obey the same rules
------------------------------------------------------------------------------

-- A category by its code or the key typed at the scale ("m"); NULLs when
-- it is neither. PL/pgSQL, so each connection keeps its plan: every
-- weighing calls it.
CREATE FUNCTION tl.reuse_category_of(p_category text) RETURNS tl.reuse_category
LANGUAGE plpgsql STABLE SET search_path = pg_catalog AS $$
DECLARE
    v_cat tl.reuse_category;
BEGIN
    SELECT c.* INTO v_cat FROM tl.reuse_category c
     WHERE c.code = p_category OR c.key = lower(btrim(coalesce(p_category, '')));
    RETURN v_cat;
END $$;

-- The category (by its code or its key), a gross weight above 0, the
-- place's container whose tare comes off (lighter than the gross weight)
-- and a net weight that one weighing of that category can have. Refusals
-- name the constraint of p_table (reuse_weighing or reuse_outflow), so the
-- page puts them under the right field. Returns the category and the tare.
CREATE FUNCTION tl.reuse_checked_weight(p_table text, p_place integer, p_category text, p_gross numeric,
                                        p_container integer, OUT category text, OUT tare numeric)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog AS $$
DECLARE
    v_cat tl.reuse_category;
BEGIN
    tare := 0;
    v_cat := tl.reuse_category_of(p_category);
    IF v_cat.code IS NULL THEN
        RAISE EXCEPTION 'catégorie inconnue : tapez la lettre d''une catégorie de la liste'
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = p_table || '_category_fkey';
    END IF;
    IF p_gross IS NULL OR p_gross <= 0 THEN
        RAISE EXCEPTION 'le poids est en kilos et plus grand que 0' USING ERRCODE = 'check_violation',
            CONSTRAINT = p_table || '_gross_positive';
    END IF;
    IF p_container IS NOT NULL THEN
        SELECT k.tare_kg INTO tare FROM tl.reuse_container k WHERE k.id = p_container AND k.place_id = p_place;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'choisissez un contenant de la liste' USING ERRCODE = 'foreign_key_violation',
                CONSTRAINT = p_table || '_container_fkey';
        END IF;
        IF tare >= p_gross THEN
            RAISE EXCEPTION 'le poids brut (% kg) n''est pas plus lourd que le contenant vide (% kg)',
                replace(p_gross::text, '.', ','), replace(tare::text, '.', ',')
                USING ERRCODE = 'check_violation', CONSTRAINT = p_table || '_tare_below_gross';
        END IF;
    END IF;
    IF p_gross - tare > v_cat.max_kg THEN
        RAISE EXCEPTION '% kg de % en une pesée, c''est trop : vérifiez le poids (% kg au plus)',
            replace((p_gross - tare)::text, '.', ','), lower(v_cat.label), replace(v_cat.max_kg::text, '.', ',')
            USING ERRCODE = 'check_violation', CONSTRAINT = p_table || '_plausible';
    END IF;
    category := v_cat.code;
END $$;

-- An intake weighing, its checks now shared with outflows.
CREATE FUNCTION tl.weigh(p_login text, p_intake bigint, p_category text, p_gross numeric,
                                   p_container integer, p_corrects bigint, p_reason text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_intake tl.reuse_intake;
    v_who    integer;
    v_w      record;
    v_id     bigint;
BEGIN
    SELECT * INTO v_intake FROM tl.reuse_intake WHERE id = p_intake;
    IF v_intake.id IS NULL THEN
        RAISE EXCEPTION 'cet arrivage n''existe pas' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'reuse_weighing_intake_fkey';
    END IF;
    v_who := tl.require_role(p_login, v_intake.place_id, 'benevole');
    v_w := tl.reuse_checked_weight('reuse_weighing', v_intake.place_id, p_category, p_gross, p_container);
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
    VALUES (p_intake, v_w.category, p_gross, p_container, v_w.tare, p_corrects,
            nullif(btrim(coalesce(p_reason, '')), ''), v_who)
    RETURNING id INTO v_id;
    RETURN v_id;
END $$;

------------------------------------------------------------------------------
-- Stock
------------------------------------------------------------------------------

-- French words for what the pages show.
CREATE FUNCTION tl.reuse_destination_fr(p_destination text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $$
    SELECT CASE p_destination WHEN 'outiltheque' THEN 'vers l''outilthèque' WHEN 'recyclage' THEN 'recyclage'
                              WHEN 'elimination' THEN 'élimination'
                              WHEN 'don_reemploi' THEN 'don pour le réemploi' END
$$;

CREATE FUNCTION tl.reuse_status_fr(p_status text, p_destination text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $$
    SELECT CASE p_status WHEN 'en_vente' THEN 'en vente' WHEN 'reserve' THEN 'réservé'
                         WHEN 'a_reparer' THEN 'au repair café' WHEN 'vendu' THEN 'vendu'
                         ELSE 'sorti : ' || tl.reuse_destination_fr(p_destination) END
$$;

-- Kilograms, French style: "1 234,567" (no-break spaces between thousands).
CREATE FUNCTION tl.kg_fr(n numeric) RETURNS text
LANGUAGE sql IMMUTABLE STRICT SET search_path = pg_catalog AS $$
    SELECT translate(to_char(n, 'FM999,999,999,999,990.000'), ',.', U&'\00A0,')
$$;

-- Euros with cents, French style: "1 234,50 €".
CREATE FUNCTION tl.amount_fr(n numeric) RETURNS text
LANGUAGE sql IMMUTABLE STRICT SET search_path = pg_catalog AS $$
    SELECT translate(to_char(n, 'FM999,999,999,999,990.00'), ',.', U&'\00A0,') || U&'\00A0€'
$$;

-- A weight in a sentence: "4,5", no trailing zeros.
CREATE FUNCTION tl.reuse_kg(p numeric) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $$
    SELECT replace(trim_scale(p)::text, '.', ',')
$$;

-- A stock item by its number ("R00012", "r12" or "12"), locked for the
-- change that follows, or a refusal.
CREATE FUNCTION tl.require_reuse_item(p_code text) RETURNS tl.reuse_item
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    v_item tl.reuse_item;
    v_num  text := substring(upper(btrim(coalesce(p_code, ''))) FROM '^R?0*([0-9]{1,15})$');
BEGIN
    IF v_num IS NOT NULL THEN
        SELECT * INTO v_item FROM tl.reuse_item WHERE id = v_num::bigint FOR UPDATE;
    END IF;
    IF v_item.id IS NULL THEN
        RAISE EXCEPTION 'aucun objet de la ressourcerie ne porte le numéro « % »', btrim(coalesce(p_code, ''))
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'reuse_sale_line_item_fkey';
    END IF;
    RETURN v_item;
END $$;

CREATE FUNCTION tl.reuse_item_note(p_item bigint, p_who integer, p_status text, p_detail text) RETURNS void
LANGUAGE sql SET search_path = pg_catalog AS $$
    INSERT INTO tl.reuse_item_event (item_id, by, status, detail) VALUES (p_item, p_who, p_status, coalesce(p_detail, ''))
$$;

-- Puts an object of an intake on sale: its name, a photo-free description,
-- its category (letter or code), weight and price (NULL: prix libre).
-- Returns its number.
CREATE FUNCTION tl.create_reuse_item(p_login text, p_intake bigint, p_title text, p_description text,
                                     p_category text, p_weight numeric, p_price numeric) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_intake tl.reuse_intake;
    v_who    integer;
    v_cat    tl.reuse_category;
    v_obj    bigint;
    v_item   tl.reuse_item;
BEGIN
    SELECT * INTO v_intake FROM tl.reuse_intake WHERE id = p_intake;
    IF v_intake.id IS NULL THEN
        RAISE EXCEPTION 'cet arrivage n''existe pas' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'reuse_item_intake_fkey';
    END IF;
    v_who := tl.require_role(p_login, v_intake.place_id, 'benevole');
    IF btrim(coalesce(p_title, '')) = '' THEN
        RAISE EXCEPTION 'indiquez ce qu''est l''objet (chaise, lampe…)' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'reuse_item_title_not_blank';
    END IF;
    v_cat := tl.reuse_category_of(p_category);
    IF v_cat.code IS NULL THEN
        RAISE EXCEPTION 'choisissez une catégorie de la liste' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'reuse_item_category_fkey';
    END IF;
    IF p_weight IS NULL OR p_weight <= 0 OR p_weight > v_cat.max_kg THEN
        RAISE EXCEPTION 'le poids de l''objet est en kilos, plus de 0 et % au plus pour : %',
            tl.reuse_kg(v_cat.max_kg), lower(v_cat.label)
            USING ERRCODE = 'check_violation', CONSTRAINT = 'reuse_item_weight_positive';
    END IF;
    IF p_price IS NOT NULL AND (p_price < 0 OR p_price > 100000) THEN
        RAISE EXCEPTION 'le prix va de 0 à 100 000 € (vide : prix libre)' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'reuse_item_price_range';
    END IF;
    INSERT INTO tl.object DEFAULT VALUES RETURNING id INTO v_obj;
    INSERT INTO tl.reuse_item (object_id, place_id, intake_id, category, title, description, weight_kg, price,
                               created_by)
    VALUES (v_obj, v_intake.place_id, v_intake.id, v_cat.code, btrim(p_title), btrim(coalesce(p_description, '')),
            p_weight, p_price, v_who)
    RETURNING * INTO v_item;
    PERFORM tl.reuse_item_note(v_item.id, v_who, 'en_vente', 'trié de l''arrivage ' || v_intake.id);
    RETURN v_item.code;
END $$;

-- Reserves an item (en vente -> réservé), or puts it back on sale
-- (réservé or back from the repair café -> en vente). A reservation holds
-- no name: the volunteer notes on the shelf who it is for.
CREATE FUNCTION tl.set_reuse_item_status(p_login text, p_code text, p_status text, p_note text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_item tl.reuse_item := tl.require_reuse_item(p_code);
    v_who  integer := tl.require_role(p_login, v_item.place_id, 'benevole');
BEGIN
    IF p_status IS NULL OR p_status NOT IN ('en_vente', 'reserve') THEN
        RAISE EXCEPTION 'choisissez « réserver » ou « remettre en vente »' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'reuse_item_status_known';
    END IF;
    IF v_item.status IN ('vendu', 'sorti') OR v_item.status = p_status THEN
        RAISE EXCEPTION 'l''objet % est déjà %', v_item.code, tl.reuse_status_fr(v_item.status, v_item.destination)
            USING ERRCODE = 'check_violation', CONSTRAINT = 'reuse_item_status_known';
    END IF;
    UPDATE tl.reuse_item SET status = p_status, repair_session_id = NULL WHERE id = v_item.id;
    PERFORM tl.reuse_item_note(v_item.id, v_who, p_status, left(btrim(coalesce(p_note, '')), 200));
END $$;

-- Sets an item aside for a repair café session of its place, to come or
-- of today.
CREATE FUNCTION tl.send_reuse_item_to_repair(p_login text, p_code text, p_session integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_item    tl.reuse_item := tl.require_reuse_item(p_code);
    v_who     integer := tl.require_role(p_login, v_item.place_id, 'benevole');
    v_session tl.repair_session;
BEGIN
    SELECT * INTO v_session FROM tl.repair_session
     WHERE id = p_session AND place_id = v_item.place_id AND kind = 'reparation' AND cancelled_at IS NULL
       AND ends_at > date_trunc('day', now());
    IF v_session.id IS NULL THEN
        RAISE EXCEPTION 'choisissez une séance de repair café à venir de ce lieu' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'reuse_item_repair_session_fkey';
    END IF;
    IF v_item.status NOT IN ('en_vente', 'reserve') THEN
        RAISE EXCEPTION 'l''objet % est déjà %', v_item.code, tl.reuse_status_fr(v_item.status, v_item.destination)
            USING ERRCODE = 'check_violation', CONSTRAINT = 'reuse_item_status_known';
    END IF;
    UPDATE tl.reuse_item SET status = 'a_reparer', repair_session_id = v_session.id WHERE id = v_item.id;
    PERFORM tl.reuse_item_note(v_item.id, v_who, 'a_reparer',
                               'confié au repair café du ' || to_char(v_session.starts_at AT TIME ZONE p.time_zone,
                                                                      'DD/MM/YYYY'))
       FROM tl.place p WHERE p.id = v_item.place_id;
END $$;

-- What the repair café did with it, logged as any object of the session
-- (tl.log_repair, an ORDS row) under the item's identity. Repaired, it is
-- back on sale; otherwise it waits for a decision (sale as is, or out).
CREATE FUNCTION tl.reuse_item_repaired(p_login text, p_code text, p_category text, p_status text, p_problem text,
                                       p_minutes integer) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_item tl.reuse_item := tl.require_reuse_item(p_code);
    v_who  integer := tl.require_role(p_login, v_item.place_id, 'benevole');
    v_rec  bigint;
BEGIN
    IF v_item.status <> 'a_reparer' OR v_item.repair_session_id IS NULL THEN
        RAISE EXCEPTION 'l''objet % n''est pas confié au repair café', v_item.code
            USING ERRCODE = 'check_violation', CONSTRAINT = 'reuse_item_repair_session_fkey';
    END IF;
    v_rec := tl.log_repair(p_login, v_item.repair_session_id, NULL, v_item.title || ' (' || v_item.code || ')',
                           p_category, NULL, NULL, p_problem, p_status, NULL, v_item.weight_kg, p_minutes, NULL);
    UPDATE tl.repair_record SET object_id = v_item.object_id WHERE id = v_rec;
    UPDATE tl.reuse_item SET status = CASE WHEN p_status = 'repare' THEN 'en_vente' ELSE 'reserve' END,
                             repair_session_id = NULL
     WHERE id = v_item.id;
    PERFORM tl.reuse_item_note(v_item.id, v_who, CASE WHEN p_status = 'repare' THEN 'en_vente' ELSE 'reserve' END,
                               'repair café : ' || tl.repair_status_fr(p_status));
    RETURN v_rec;
END $$;

-- The item leaves the shop other than by a sale: into the outilthèque (a
-- tool of the place, same identity; returns its new number), or weighed
-- out to recycling, disposal or another association (an outflow of its
-- weight; returns NULL).
CREATE FUNCTION tl.reuse_item_leave(p_login text, p_code text, p_destination text, p_partner text,
                                    p_tool_category text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_item  tl.reuse_item := tl.require_reuse_item(p_code);
    v_who   integer := tl.require_role(p_login, v_item.place_id, 'benevole');
    v_place tl.place;
    v_cat   integer;
    v_coll  integer;
    v_code  text;
BEGIN
    IF v_item.status IN ('vendu', 'sorti') THEN
        RAISE EXCEPTION 'l''objet % est déjà %', v_item.code, tl.reuse_status_fr(v_item.status, v_item.destination)
            USING ERRCODE = 'check_violation', CONSTRAINT = 'reuse_item_destination_known';
    END IF;
    IF p_destination IS NULL OR p_destination NOT IN ('outiltheque', 'recyclage', 'elimination', 'don_reemploi') THEN
        RAISE EXCEPTION 'choisissez où va l''objet' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'reuse_item_destination_known';
    END IF;
    IF p_destination = 'outiltheque' THEN
        -- Lending tools is a référent's decision, as in the back office.
        PERFORM tl.require_role(p_login, v_item.place_id, 'referent');
        SELECT id INTO v_cat FROM tl.category WHERE slug = p_tool_category;
        IF v_cat IS NULL THEN
            RAISE EXCEPTION 'choisissez la catégorie de l''outilthèque' USING ERRCODE = 'foreign_key_violation',
                CONSTRAINT = 'item_category_fkey';
        END IF;
        SELECT * INTO v_place FROM tl.place WHERE id = v_item.place_id;
        SELECT c.id INTO v_coll FROM tl.collection c
         WHERE c.place_id = v_place.id AND c.activity = 'outiltheque' ORDER BY c.id LIMIT 1;
        IF v_coll IS NULL THEN
            INSERT INTO tl.collection (organisation_id, place_id, activity, name)
            VALUES (v_place.organisation_id, v_place.id, 'outiltheque', 'Outilthèque — ' || v_place.name)
            RETURNING id INTO v_coll;
        END IF;
        v_code := tl.next_item_code(v_place.id);
        INSERT INTO tl.item (object_id, code, title, description, category_id, collection_id, place_id)
        VALUES (v_item.object_id, v_code, v_item.title, v_item.description, v_cat, v_coll, v_place.id);
        PERFORM tl.admin_note(v_who, v_place.id, 'objet.creation', v_code, v_item.title || ', venu de la ressourcerie ('
                              || v_item.code || ')');
    ELSE
        INSERT INTO tl.reuse_outflow (place_id, destination, partner, category, gross_kg, item_id, recorded_by)
        VALUES (v_item.place_id, p_destination, left(btrim(coalesce(p_partner, '')), 100), v_item.category,
                v_item.weight_kg, v_item.id, v_who);
    END IF;
    UPDATE tl.reuse_item SET status = 'sorti', destination = p_destination, repair_session_id = NULL
     WHERE id = v_item.id;
    PERFORM tl.reuse_item_note(v_item.id, v_who, 'sorti',
                               tl.reuse_destination_fr(p_destination)
                               || CASE WHEN v_code IS NOT NULL THEN ', numéro ' || v_code
                                       WHEN btrim(coalesce(p_partner, '')) <> '' THEN ' (' || btrim(p_partner) || ')'
                                       ELSE '' END);
    RETURN v_code;
END $$;

-- An item for the desk: what it is, and where it stands.
CREATE FUNCTION tl.desk_reuse_item(p_login text, p_code text)
RETURNS TABLE (code text, title text, description text, category text, category_label text, weight text,
               price text, status text, status_label text, place text, place_slug text, intake_id bigint,
               object_id bigint, repair_session text, tool_code text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_num  text := substring(upper(btrim(coalesce(p_code, ''))) FROM '^R?0*([0-9]{1,15})$');
    v_item tl.reuse_item;
BEGIN
    IF v_num IS NOT NULL THEN
        SELECT * INTO v_item FROM tl.reuse_item i WHERE i.id = v_num::bigint;
    END IF;
    IF v_item.id IS NULL THEN
        RAISE EXCEPTION 'aucun objet de la ressourcerie ne porte le numéro « % »', btrim(coalesce(p_code, ''))
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'reuse_sale_line_item_fkey';
    END IF;
    PERFORM tl.require_role(p_login, v_item.place_id, 'benevole');
    RETURN QUERY
    SELECT v_item.code, v_item.title, v_item.description, c.code, c.label, tl.reuse_kg(v_item.weight_kg),
           CASE WHEN v_item.price IS NULL THEN 'prix libre' ELSE replace(v_item.price::text, '.', ',') || ' €' END,
           v_item.status, tl.reuse_status_fr(v_item.status, v_item.destination), p.name, p.slug, v_item.intake_id,
           v_item.object_id,
           (SELECT to_char(s.starts_at AT TIME ZONE p.time_zone, 'DD/MM/YYYY HH24:MI') FROM tl.repair_session s
             WHERE s.id = v_item.repair_session_id),
           (SELECT i.code FROM tl.item i WHERE i.object_id = v_item.object_id)
      FROM tl.reuse_category c, tl.place p
     WHERE c.code = v_item.category AND p.id = v_item.place_id;
END $$;

-- The history of one object across the three activities: sorted out of
-- an intake, reserved, repaired, sold or gone; as a tool of the
-- outilthèque, its loans counted (never who borrowed it). For a volunteer
-- of a place that holds or held it.
CREATE FUNCTION tl.object_history(p_login text, p_object bigint)
RETURNS TABLE (at text, activity text, what text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_places integer[];
    v_zone   text;
BEGIN
    SELECT array_agg(DISTINCT x) INTO v_places FROM (
        SELECT place_id FROM tl.reuse_item WHERE object_id = p_object
        UNION ALL SELECT place_id FROM tl.item WHERE object_id = p_object
        UNION ALL SELECT place_id FROM tl.repair_record WHERE object_id = p_object) AS t(x);
    IF v_places IS NULL OR NOT EXISTS (
            SELECT 1 FROM tl.account a JOIN tl.account_role r ON r.account_id = a.id
             WHERE a.login = p_login AND a.active AND r.place_id = ANY (v_places)) THEN
        RAISE EXCEPTION 'cet objet n''est pas d''un lieu où vous tenez le guichet'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT p.time_zone INTO v_zone FROM tl.place p WHERE p.id = v_places[1];
    RETURN QUERY
    SELECT to_char(h.at AT TIME ZONE v_zone, 'DD/MM/YYYY HH24:MI'), h.activity, h.what FROM (
        SELECT e.at, 'ressourcerie'::text AS activity,
               CASE e.status WHEN 'en_vente' THEN 'en vente' WHEN 'reserve' THEN 'réservé'
                             WHEN 'a_reparer' THEN 'au repair café' WHEN 'vendu' THEN 'vendu' ELSE 'sorti' END
               || CASE WHEN e.detail <> '' THEN ' — ' || e.detail ELSE '' END AS what, e.id AS rank
          FROM tl.reuse_item_event e JOIN tl.reuse_item i ON i.id = e.item_id
         WHERE i.object_id = p_object
        UNION ALL
        SELECT r.recorded_at, 'repair café', r.object || ' : ' || tl.repair_status_fr(r.status), r.id
          FROM tl.repair_record r WHERE r.object_id = p_object
        UNION ALL
        SELECT i.created_at, 'outilthèque', 'entré sous le numéro ' || i.code
               || CASE WHEN i.retired_at IS NOT NULL THEN ', retiré depuis' ELSE '' END
               || ' ; prêté ' || (SELECT count(*) FROM tl.booking b WHERE b.item_id = i.id AND b.kind = 'pret') || ' fois', i.id
          FROM tl.item i WHERE i.object_id = p_object
    ) h ORDER BY h.at, h.rank;
END $$;

------------------------------------------------------------------------------
-- The till
------------------------------------------------------------------------------
CREATE FUNCTION tl.reuse_payment_fr(p_payment text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $$
    SELECT CASE p_payment WHEN 'especes' THEN 'espèces' WHEN 'carte' THEN 'carte' WHEN 'cheque' THEN 'chèque'
                          WHEN 'monnaie_locale' THEN 'monnaie locale' WHEN 'gratuit' THEN 'gratuit (don)' END
$$;

-- Rings up a sale at a place: items by their number, each at its price
-- unless another amount is given (prix libre, a discount); weighed lots
-- by category (letter or code), weight and amount. "gratuit" gives
-- everything away (amounts 0). All or nothing: an item already sold, or
-- sold at this moment by another till, refuses the whole sale. Returns the
-- sale's id.
CREATE FUNCTION tl.sell(p_login text, p_place text, p_payment text, p_items text[], p_item_amounts numeric[],
                        p_lot_categories text[], p_lot_weights numeric[], p_lot_amounts numeric[]) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place   tl.place := tl.require_place(p_place);
    v_who     integer := tl.require_role(p_login, v_place.id, 'benevole');
    v_day     date := (now() AT TIME ZONE v_place.time_zone)::date;
    v_free    boolean := p_payment = 'gratuit';
    v_sale    bigint;
    v_number  integer;
    v_item    tl.reuse_item;
    v_cat     tl.reuse_category;
    v_amount  numeric(8,2);
    -- The lines, checked before anything is written.
    l_item    bigint[] := '{}';
    l_cat     text[] := '{}';
    l_label   text[] := '{}';
    l_weight  numeric[] := '{}';
    l_amount  numeric[] := '{}';
    n         integer;
    i         integer;
BEGIN
    IF p_payment IS NULL OR p_payment NOT IN ('especes', 'carte', 'cheque', 'monnaie_locale', 'gratuit') THEN
        RAISE EXCEPTION 'choisissez le mode de paiement' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'reuse_sale_payment_known';
    END IF;
    IF coalesce(cardinality(p_items), 0) + coalesce(cardinality(p_lot_categories), 0) = 0 THEN
        RAISE EXCEPTION 'la vente est vide : tapez le numéro d''un objet ou la lettre d''un lot pesé'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'reuse_sale_line_pkey';
    END IF;
    -- One sale after another at each place, so that receipt numbers follow
    -- each other and a closing counts every sale of its day.
    PERFORM pg_advisory_xact_lock(hashtext('tl.reuse_sale'), v_place.id);
    IF EXISTS (SELECT 1 FROM tl.reuse_closing WHERE place_id = v_place.id AND day = v_day) THEN
        RAISE EXCEPTION 'la caisse du jour est close : la vente n''est pas enregistrée'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'reuse_closing_pkey';
    END IF;

    FOR i IN 1 .. coalesce(cardinality(p_items), 0) LOOP
        n := cardinality(l_item) + 1;
        -- Locked until the sale commits: another till waits, then finds it sold.
        v_item := tl.require_reuse_item(p_items[i]);
        IF v_item.place_id <> v_place.id THEN
            RAISE EXCEPTION 'ligne % : l''objet % est en vente dans un autre lieu', n, v_item.code
                USING ERRCODE = 'check_violation', CONSTRAINT = 'reuse_sale_line_item_fkey';
        END IF;
        IF v_item.status NOT IN ('en_vente', 'reserve') THEN
            RAISE EXCEPTION 'ligne % : l''objet % est déjà %', n, v_item.code,
                tl.reuse_status_fr(v_item.status, v_item.destination)
                USING ERRCODE = 'check_violation', CONSTRAINT = 'reuse_sale_line_item_once';
        END IF;
        IF v_item.id = ANY (l_item) THEN
            RAISE EXCEPTION 'ligne % : l''objet % est déjà dans la vente', n, v_item.code
                USING ERRCODE = 'check_violation', CONSTRAINT = 'reuse_sale_line_item_once';
        END IF;
        v_amount := CASE WHEN v_free THEN 0 ELSE coalesce(p_item_amounts[i], v_item.price) END;
        IF v_amount IS NULL THEN
            RAISE EXCEPTION 'ligne % : l''objet % est à prix libre, indiquez le montant payé', n, v_item.code
                USING ERRCODE = 'check_violation', CONSTRAINT = 'reuse_sale_line_amount_range';
        END IF;
        IF v_amount < 0 OR v_amount > 100000 THEN
            RAISE EXCEPTION 'ligne % : le montant va de 0 à 100 000 €', n
                USING ERRCODE = 'check_violation', CONSTRAINT = 'reuse_sale_line_amount_range';
        END IF;
        l_item := l_item || v_item.id;
        l_cat := l_cat || v_item.category;
        l_label := l_label || (v_item.title || ' (' || v_item.code || ')');
        l_weight := l_weight || v_item.weight_kg::numeric;
        l_amount := l_amount || v_amount::numeric;
    END LOOP;

    FOR i IN 1 .. coalesce(cardinality(p_lot_categories), 0) LOOP
        n := cardinality(l_cat) + 1;
        v_cat := tl.reuse_category_of(p_lot_categories[i]);
        IF v_cat.code IS NULL THEN
            RAISE EXCEPTION 'ligne % : catégorie inconnue, tapez la lettre d''une catégorie de la liste', n
                USING ERRCODE = 'check_violation', CONSTRAINT = 'reuse_sale_line_category_fkey';
        END IF;
        IF p_lot_weights[i] IS NULL OR p_lot_weights[i] <= 0 OR p_lot_weights[i] > v_cat.max_kg THEN
            RAISE EXCEPTION 'ligne % : le poids du lot est en kilos, plus de 0 et % au plus pour : %', n,
                tl.reuse_kg(v_cat.max_kg), lower(v_cat.label)
                USING ERRCODE = 'check_violation', CONSTRAINT = 'reuse_sale_line_weight_positive';
        END IF;
        v_amount := CASE WHEN v_free THEN 0 ELSE p_lot_amounts[i] END;
        IF v_amount IS NULL OR v_amount < 0 OR v_amount > 100000 THEN
            RAISE EXCEPTION 'ligne % : indiquez le montant du lot, de 0 à 100 000 €', n
                USING ERRCODE = 'check_violation', CONSTRAINT = 'reuse_sale_line_amount_range';
        END IF;
        l_item := l_item || NULL::bigint;
        l_cat := l_cat || v_cat.code;
        l_label := l_label || ('Lot ' || lower(v_cat.label));
        l_weight := l_weight || p_lot_weights[i];
        l_amount := l_amount || v_amount::numeric;
    END LOOP;

    SELECT coalesce(max(number), 0) + 1 INTO v_number FROM tl.reuse_sale WHERE place_id = v_place.id;
    INSERT INTO tl.reuse_sale (place_id, number, day, payment, total, recorded_by)
    SELECT v_place.id, v_number, v_day, p_payment, sum(a), v_who FROM unnest(l_amount) AS a
    RETURNING id INTO v_sale;
    INSERT INTO tl.reuse_sale_line (sale_id, line, item_id, category, label, weight_kg, amount, resale)
    SELECT v_sale, k, l_item[k], l_cat[k], l_label[k], l_weight[k], l_amount[k],
           (SELECT count(*) FROM tl.reuse_sale_line x JOIN tl.reuse_sale c ON c.cancels = x.sale_id
             WHERE x.item_id = l_item[k])
      FROM generate_subscripts(l_cat, 1) AS k;
    UPDATE tl.reuse_item SET status = 'vendu', repair_session_id = NULL WHERE id = ANY (l_item);
    INSERT INTO tl.reuse_item_event (item_id, by, status, detail)
    SELECT l_item[k], v_who, 'vendu', 'ticket ' || v_number || ', ' || tl.amount_fr(l_amount[k])
      FROM generate_subscripts(l_item, 1) AS k WHERE l_item[k] IS NOT NULL;
    RETURN v_sale;
END $$;

-- A sale as its receipt shows it, for a volunteer of its place: its lines
-- (a cancellation shows those of the sale it cancels, amounts negative),
-- and which ticket it cancels or was cancelled by, when and why.
CREATE FUNCTION tl.desk_sale(p_login text, p_sale bigint)
RETURNS TABLE (number integer, place text, place_slug text, address text, at text, payment text, total text,
               line integer, label text, weight text, amount text, cancels_number integer,
               cancelled_by_number integer, cancelled_by_id bigint, cancelled_at text, reason text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_sale   tl.reuse_sale;
    v_lines  bigint;
    v_other  tl.reuse_sale;
BEGIN
    SELECT * INTO v_sale FROM tl.reuse_sale s WHERE s.id = p_sale;
    IF v_sale.id IS NULL THEN
        RAISE EXCEPTION 'cette vente n''existe pas' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'reuse_sale_line_sale_fkey';
    END IF;
    PERFORM tl.require_role(p_login, v_sale.place_id, 'benevole');
    v_lines := coalesce(v_sale.cancels, v_sale.id);
    -- The other receipt of a cancelled sale: its cancellation, or the sale.
    SELECT * INTO v_other FROM tl.reuse_sale s
     WHERE s.id = v_sale.cancels OR s.cancels = v_sale.id;
    RETURN QUERY
    SELECT v_sale.number, p.name, p.slug, p.street_address || ', ' || p.postal_code || ' ' || p.locality,
           to_char(v_sale.at AT TIME ZONE p.time_zone, 'DD/MM/YYYY HH24:MI'), tl.reuse_payment_fr(v_sale.payment),
           tl.amount_fr(v_sale.total), l.line::integer, l.label, tl.reuse_kg(l.weight_kg),
           tl.amount_fr(CASE WHEN v_sale.cancels IS NULL THEN l.amount ELSE -l.amount END),
           CASE WHEN v_sale.cancels IS NOT NULL THEN v_other.number END,
           CASE WHEN v_sale.cancels IS NULL THEN v_other.number END,
           CASE WHEN v_sale.cancels IS NULL THEN v_other.id END,
           CASE WHEN v_sale.cancels IS NULL THEN to_char(v_other.at AT TIME ZONE p.time_zone, 'DD/MM/YYYY HH24:MI') END,
           coalesce(v_sale.reason, v_other.reason)
      FROM tl.reuse_sale_line l, tl.place p
     WHERE l.sale_id = v_lines AND p.id = v_sale.place_id
     ORDER BY l.line;
END $$;

-- Cancels a sale (a mistake at the till, an item brought back): a new
-- receipt of the same payment kind and the opposite total, on today's till
-- — which must still be open — and the sale's items back on sale. A sale
-- is cancelled once; a cancellation is not cancelled. Returns its id.
CREATE FUNCTION tl.cancel_sale(p_login text, p_sale bigint, p_reason text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_sale   tl.reuse_sale;
    v_place  tl.place;
    v_who    integer;
    v_day    date;
    v_number integer;
    v_id     bigint;
BEGIN
    SELECT * INTO v_sale FROM tl.reuse_sale WHERE id = p_sale;
    IF v_sale.id IS NULL THEN
        RAISE EXCEPTION 'cette vente n''existe pas' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'reuse_sale_cancels_fkey';
    END IF;
    SELECT * INTO v_place FROM tl.place WHERE id = v_sale.place_id;
    v_who := tl.require_role(p_login, v_place.id, 'benevole');
    v_day := (now() AT TIME ZONE v_place.time_zone)::date;
    IF btrim(coalesce(p_reason, '')) = '' THEN
        RAISE EXCEPTION 'indiquez pourquoi la vente est annulée' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'reuse_sale_cancel_reason';
    END IF;
    IF v_sale.cancels IS NOT NULL THEN
        RAISE EXCEPTION 'ce ticket est une annulation : il ne s''annule pas' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'reuse_sale_cancels_key';
    END IF;
    -- Under the sales' lock, like a sale: numbers follow each other, and a
    -- closing counts every receipt of its day.
    PERFORM pg_advisory_xact_lock(hashtext('tl.reuse_sale'), v_place.id);
    IF EXISTS (SELECT 1 FROM tl.reuse_sale WHERE cancels = v_sale.id) THEN
        RAISE EXCEPTION 'cette vente est déjà annulée' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'reuse_sale_cancels_key';
    END IF;
    IF EXISTS (SELECT 1 FROM tl.reuse_closing WHERE place_id = v_place.id AND day = v_day) THEN
        RAISE EXCEPTION 'la caisse du jour est close : l''annulation n''est pas enregistrée'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'reuse_closing_pkey';
    END IF;
    PERFORM 1 FROM tl.reuse_item i JOIN tl.reuse_sale_line l ON l.item_id = i.id
     WHERE l.sale_id = v_sale.id FOR UPDATE OF i;
    SELECT coalesce(max(number), 0) + 1 INTO v_number FROM tl.reuse_sale WHERE place_id = v_place.id;
    INSERT INTO tl.reuse_sale (place_id, number, day, payment, total, recorded_by, cancels, reason)
    VALUES (v_place.id, v_number, v_day, v_sale.payment, -v_sale.total, v_who, v_sale.id, btrim(p_reason))
    RETURNING id INTO v_id;
    -- Items sold by it are back on sale (one that left the shop since stays out).
    INSERT INTO tl.reuse_item_event (item_id, by, status, detail)
    SELECT i.id, v_who, 'en_vente', 'vente annulée (ticket ' || v_number || ')'
      FROM tl.reuse_item i JOIN tl.reuse_sale_line l ON l.item_id = i.id
     WHERE l.sale_id = v_sale.id AND i.status = 'vendu';
    UPDATE tl.reuse_item i SET status = 'en_vente'
      FROM tl.reuse_sale_line l WHERE l.item_id = i.id AND l.sale_id = v_sale.id AND i.status = 'vendu';
    PERFORM tl.admin_note(v_who, v_place.id, 'ressourcerie.annulation', 'ticket ' || v_sale.number, btrim(p_reason));
    RETURN v_id;
END $$;

-- The till's day at a place: its sales, and totals by payment kind.
CREATE FUNCTION tl.till_day(p_login text, p_place text, p_day date)
RETURNS TABLE (sale_id bigint, number integer, at text, payment text, total text, lines integer,
               cancels_number integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place tl.place := tl.require_place(p_place);
BEGIN
    PERFORM tl.require_role(p_login, v_place.id, 'benevole');
    RETURN QUERY
    SELECT s.id, s.number, to_char(s.at AT TIME ZONE v_place.time_zone, 'HH24:MI'), tl.reuse_payment_fr(s.payment),
           tl.amount_fr(s.total), (SELECT count(*)::integer FROM tl.reuse_sale_line l WHERE l.sale_id = s.id),
           (SELECT c.number FROM tl.reuse_sale c WHERE c.id = s.cancels)
      FROM tl.reuse_sale s WHERE s.place_id = v_place.id AND s.day = p_day
     ORDER BY s.number DESC;
END $$;

CREATE FUNCTION tl.till_totals(p_login text, p_place text, p_day date)
RETURNS TABLE (payment text, label text, sales integer, total text, closed_at text, closed_by text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place tl.place := tl.require_place(p_place);
BEGIN
    PERFORM tl.require_role(p_login, v_place.id, 'benevole');
    RETURN QUERY
    WITH k(payment, rank) AS (VALUES ('especes', 1), ('carte', 2), ('cheque', 3), ('monnaie_locale', 4),
                                     ('gratuit', 5), ('', 6)),
         s AS (SELECT s.payment, count(*)::integer AS n, sum(s.total) AS t FROM tl.reuse_sale s
                WHERE s.place_id = v_place.id AND s.day = p_day GROUP BY ROLLUP (s.payment))
    SELECT k.payment, coalesce(tl.reuse_payment_fr(nullif(k.payment, '')), 'Total'), coalesce(s.n, 0),
           tl.amount_fr(coalesce(s.t, 0)),
           (SELECT to_char(c.closed_at AT TIME ZONE v_place.time_zone, 'DD/MM/YYYY HH24:MI') FROM tl.reuse_closing c
             WHERE c.place_id = v_place.id AND c.day = p_day),
           (SELECT a.display_name FROM tl.reuse_closing c JOIN tl.account a ON a.id = c.closed_by
             WHERE c.place_id = v_place.id AND c.day = p_day)
      FROM k LEFT JOIN s ON coalesce(s.payment, '') = k.payment
     ORDER BY k.rank;
END $$;

-- Closes a day's till: its totals are written once, and the till takes no
-- more sale that day.
CREATE FUNCTION tl.close_till(p_login text, p_place text, p_day date) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place tl.place := tl.require_place(p_place);
    v_who   integer := tl.require_role(p_login, v_place.id, 'benevole');
BEGIN
    IF p_day IS NULL OR p_day > (now() AT TIME ZONE v_place.time_zone)::date THEN
        RAISE EXCEPTION 'on ne clôt qu''un jour passé ou aujourd''hui' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'reuse_closing_pkey';
    END IF;
    -- Under the sales' lock: no sale of the day is still being written.
    PERFORM pg_advisory_xact_lock(hashtext('tl.reuse_sale'), v_place.id);
    INSERT INTO tl.reuse_closing (place_id, day, sales, total, by_payment, closed_by)
    SELECT v_place.id, p_day, count(*), coalesce(sum(s.total), 0),
           coalesce((SELECT jsonb_object_agg(x.payment, x.t) FROM (
                        SELECT s2.payment, sum(s2.total) AS t FROM tl.reuse_sale s2
                         WHERE s2.place_id = v_place.id AND s2.day = p_day GROUP BY s2.payment) x), '{}'),
           v_who
      FROM tl.reuse_sale s WHERE s.place_id = v_place.id AND s.day = p_day;
    PERFORM tl.admin_note(v_who, v_place.id, 'ressourcerie.cloture', to_char(p_day, 'DD/MM/YYYY'), '');
EXCEPTION WHEN unique_violation THEN
    RAISE EXCEPTION 'la caisse de ce jour est déjà close' USING ERRCODE = 'unique_violation',
        CONSTRAINT = 'reuse_closing_pkey';
END $$;

-- The intake's weighings in one pass: each joined to its correction, if
-- any, instead of looking the correction up once per column (the page
-- after every weighing reads this).
CREATE FUNCTION tl.desk_intake(p_login text, p_intake bigint)
RETURNS TABLE (weighing_id bigint, category text, gross text, tare text, net text, container text, current boolean,
               corrected boolean, corrected_by text, correction text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place integer;
BEGIN
    SELECT place_id INTO v_place FROM tl.reuse_intake WHERE id = p_intake;
    IF v_place IS NULL THEN
        RAISE EXCEPTION 'cet arrivage n''existe pas' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'reuse_weighing_intake_fkey';
    END IF;
    PERFORM tl.require_role(p_login, v_place, 'benevole');
    RETURN QUERY
    SELECT w.id, c.label, replace(w.gross_kg::text, '.', ','), replace(w.tare_kg::text, '.', ','),
           replace(w.net_kg::text, '.', ','), k.name, x.id IS NULL, x.id IS NOT NULL,
           a.display_name || ', ' || to_char(x.at, 'DD/MM/YYYY HH24:MI'), x.reason
      FROM tl.reuse_weighing w JOIN tl.reuse_category c ON c.code = w.category
      LEFT JOIN tl.reuse_container k ON k.id = w.container_id
      LEFT JOIN tl.reuse_weighing x ON x.corrects = w.id
      LEFT JOIN tl.account a ON a.id = x.recorded_by
     WHERE w.intake_id = p_intake
     ORDER BY w.id;
END $$;

CREATE FUNCTION tl.reuse_outflow_counted_at() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    NEW.counted_at := coalesce((SELECT o.counted_at FROM tl.reuse_outflow o WHERE o.id = NEW.corrects), NEW.at);
    RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS reuse_outflow_counted_at ON tl.reuse_outflow;
CREATE TRIGGER reuse_outflow_counted_at BEFORE INSERT ON tl.reuse_outflow
    FOR EACH ROW EXECUTE FUNCTION tl.reuse_outflow_counted_at();

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

-- The one definition of the ressourcerie's rates: the kilograms that left
-- for reuse (sold, given for reuse; with recycling for the recovery rate)
-- as a percentage of the kilograms that came in, to one decimal; NULL when
-- nothing came in. The report (tl.reuse_report) and the impact pages
-- (sql/logic/impact.sql, through tl.reuse_flows) both use it.
CREATE FUNCTION tl.reuse_rate(p_out numeric, p_in numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $$
    SELECT CASE WHEN p_in > 0 THEN round(p_out * 100 / p_in, 1) END
$$;

-- The kilograms of a year at these places, by month (1-12) in each place's
-- time zone, counted as the report counts them: intakes in force (a
-- correction replaces what it corrects) on the day of their intake, sales
-- kept (neither cancelled nor a cancellation) on their day, outflows in
-- force given for reuse on the day of their first entry.
CREATE FUNCTION tl.reuse_flows(p_places integer[], p_year integer)
RETURNS TABLE (month integer, kg_in numeric, kg_sold numeric, kg_given numeric)
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    WITH p AS (
        SELECT pl.id, pl.time_zone, make_date(p_year, 1, 1) AS first_day, make_date(p_year, 12, 31) AS last_day,
               make_date(p_year, 1, 1)::timestamp AT TIME ZONE pl.time_zone AS y_start,
               make_date(p_year + 1, 1, 1)::timestamp AT TIME ZONE pl.time_zone AS y_end
          FROM tl.place pl WHERE pl.id = ANY (p_places)
    ), flows AS (
        SELECT extract(month FROM i.at AT TIME ZONE p.time_zone)::integer AS m, w.net_kg AS kg_in,
               0::numeric AS kg_sold, 0::numeric AS kg_given
          FROM p JOIN tl.reuse_intake i ON i.place_id = p.id AND i.at >= p.y_start AND i.at < p.y_end
          JOIN tl.reuse_weighing_current w ON w.intake_id = i.id
        UNION ALL
        SELECT extract(month FROM s.day)::integer, 0, l.weight_kg, 0
          FROM p JOIN tl.reuse_sale_kept s ON s.place_id = p.id AND s.day BETWEEN p.first_day AND p.last_day
          JOIN tl.reuse_sale_line l ON l.sale_id = s.id
        UNION ALL
        SELECT extract(month FROM o.counted_at AT TIME ZONE p.time_zone)::integer, 0, 0, o.net_kg
          FROM p JOIN tl.reuse_outflow_current o ON o.place_id = p.id AND o.destination = 'don_reemploi'
                 AND o.counted_at >= p.y_start AND o.counted_at < p.y_end
    )
    SELECT m.m, coalesce(sum(f.kg_in), 0), coalesce(sum(f.kg_sold), 0), coalesce(sum(f.kg_given), 0)
      FROM generate_series(1, 12) AS m(m) LEFT JOIN flows f ON f.m = m.m
     GROUP BY m.m ORDER BY m.m
$$;


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
               tl.reuse_rate(t.kg_sold + t.kg_given, t.kg_in) FROM tot t
        UNION ALL
        SELECT 702, 'taux', 'valorisation', 'valorisation', 'Taux de valorisation',
               t.kg_sold + t.kg_given + t.kg_recycled, NULL, NULL,
               tl.reuse_rate(t.kg_sold + t.kg_given + t.kg_recycled, t.kg_in)
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

-- Forms (issue 12): a form is taken whole or refused. The filières of a
-- place or of the network are saved from one form with a select per
-- category; a body missing one of them was saved in part. Redefined here
-- with the rest of its body as in 025_reuse_reports.sql.

-- Saves the filière of each category of p_categories (p_streams, same order)
-- for p_place (a référent there; '' in p_streams: as the network) or, with
-- p_place NULL, the network's defaults (admins only). Every category must be
-- given, once. Journaled per change.
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

-- Tables of this area whose content a page can show: every write bumps the
-- data version (tl.track_changes; a test checks none is forgotten).
DO $$ BEGIN PERFORM tl.track_changes(t::regclass, 'ressourcerie') FROM unnest(ARRAY['tl.reuse_category', 'tl.reuse_closing', 'tl.reuse_container', 'tl.reuse_eco_mapping', 'tl.reuse_eco_stream', 'tl.reuse_intake', 'tl.reuse_item', 'tl.reuse_item_event', 'tl.reuse_outflow', 'tl.reuse_sale', 'tl.reuse_sale_line', 'tl.reuse_weighing']) AS t; END $$;

------------------------------------------------------------------------------
-- Rights: functions are executable by PUBLIC unless revoked; the desk's
-- functions go to tierslieux_guichet, the public pages' to tierslieux_lecture,
-- the sending command's to tierslieux_courriels.
------------------------------------------------------------------------------
REVOKE ALL ON FUNCTION tl.admin_eco_mapping(text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.admin_eco_mapping(text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.cancel_sale(text,bigint,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.cancel_sale(text,bigint,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.close_till(text,text,date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.close_till(text,text,date) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.create_reuse_item(text,bigint,text,text,text,numeric,numeric) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.create_reuse_item(text,bigint,text,text,text,numeric,numeric) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.desk_intake(text,bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.desk_intake(text,bigint) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.desk_intake_info(text,bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.desk_intake_info(text,bigint) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.desk_outflows(text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.desk_outflows(text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.desk_reuse_item(text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.desk_reuse_item(text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.desk_sale(text,bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.desk_sale(text,bigint) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.object_history(text,bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.object_history(text,bigint) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.record_outflow(text,text,text,text,text,numeric,integer,bigint,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.record_outflow(text,text,text,text,text,numeric,integer,bigint,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.require_reuse_item(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.reuse_checked_weight(text,integer,text,numeric,integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.reuse_eco_streams(integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.reuse_flows(integer[],integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.reuse_item_leave(text,text,text,text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.reuse_item_leave(text,text,text,text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.reuse_item_note(bigint,integer,text,text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.reuse_item_repaired(text,text,text,text,text,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.reuse_item_repaired(text,text,text,text,text,integer) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.reuse_outflow_counted_at() FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.reuse_report(text,text,text,date,date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.reuse_report(text,text,text,date,date) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.save_container(text,text,integer,text,numeric) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.save_container(text,text,integer,text,numeric) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.save_eco_mapping(text,text,text[],text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.save_eco_mapping(text,text,text[],text[]) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.sell(text,text,text,text[],numeric[],text[],numeric[],numeric[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.sell(text,text,text,text[],numeric[],text[],numeric[],numeric[]) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.send_reuse_item_to_repair(text,text,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.send_reuse_item_to_repair(text,text,integer) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.set_reuse_item_status(text,text,text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.set_reuse_item_status(text,text,text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.start_intake(text,text,text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.start_intake(text,text,text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.till_day(text,text,date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.till_day(text,text,date) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.till_totals(text,text,date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.till_totals(text,text,date) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.weigh(text,bigint,text,numeric,integer,bigint,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.weigh(text,bigint,text,numeric,integer,bigint,text) TO tierslieux_guichet;
GRANT SELECT ON tl.reuse_category TO tierslieux_lecture;
GRANT SELECT ON tl.reuse_container TO tierslieux_lecture;
GRANT SELECT ON tl.reuse_eco_mapping TO tierslieux_lecture;
GRANT SELECT ON tl.reuse_eco_stream TO tierslieux_lecture;
GRANT SELECT (id, place_id) ON tl.reuse_intake TO tierslieux_lecture;
GRANT SELECT (id, code, place_id, intake_id, category, title, description, weight_kg, price, status, repair_session_id, created_at) ON tl.reuse_item TO tierslieux_lecture;
