-- 024 — ressourcerie, second part: what goes out. Stock items sorted out
-- of an intake (a chair, a lamp) with a price; the till (caisse), which
-- rings up items and weighed lots and keeps every sale, never edited; the
-- daily closing; and outflows to recycling, disposal or another
-- association. A stock item is a tl.object, like a tool of the
-- outilthèque: when it becomes one, or passes through a repair café, the
-- same identity follows it and its history shows every step.
--
-- The till is a tally for associations that are not liable to VAT, not a
-- certified cash register (article 286 of the Code général des impôts
-- requires one of businesses liable to VAT).

-- An object seen at a repair café may be a known one (a stock item sent
-- there to be fixed).
ALTER TABLE tl.repair_record ADD COLUMN object_id bigint CONSTRAINT repair_record_object_fkey REFERENCES tl.object;
CREATE INDEX repair_record_object_idx ON tl.repair_record (object_id) WHERE object_id IS NOT NULL;

CREATE TABLE tl.reuse_item (
    id          bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT reuse_item_pkey PRIMARY KEY,
    -- The number on its price tag, scanned or typed at the till.
    code        text NOT NULL GENERATED ALWAYS AS ('R' || lpad(id::text, 5, '0')) STORED
                CONSTRAINT reuse_item_code_key UNIQUE,
    object_id   bigint NOT NULL CONSTRAINT reuse_item_object_key UNIQUE
                CONSTRAINT reuse_item_object_fkey REFERENCES tl.object,
    place_id    integer NOT NULL CONSTRAINT reuse_item_place_fkey REFERENCES tl.place,
    intake_id   bigint CONSTRAINT reuse_item_intake_fkey REFERENCES tl.reuse_intake,
    category    text NOT NULL CONSTRAINT reuse_item_category_fkey REFERENCES tl.reuse_category,
    title       text NOT NULL CONSTRAINT reuse_item_title_not_blank CHECK (btrim(title) <> ''),
    description text NOT NULL DEFAULT '',
    weight_kg   numeric(9,3) NOT NULL CONSTRAINT reuse_item_weight_positive CHECK (weight_kg > 0),
    -- NULL: prix libre (pay what you can).
    price       numeric(8,2) CONSTRAINT reuse_item_price_range CHECK (price >= 0 AND price <= 100000),
    status      text NOT NULL DEFAULT 'en_vente' CONSTRAINT reuse_item_status_known
                CHECK (status IN ('en_vente', 'reserve', 'a_reparer', 'vendu', 'sorti')),
    -- Where it went when it left the shop other than by a sale.
    destination text CONSTRAINT reuse_item_destination_known
                CHECK (destination IN ('outiltheque', 'recyclage', 'elimination', 'don_reemploi')),
    -- The repair café session it is set aside for (status a_reparer).
    repair_session_id integer CONSTRAINT reuse_item_repair_session_fkey REFERENCES tl.repair_session,
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  integer NOT NULL CONSTRAINT reuse_item_created_by_fkey REFERENCES tl.account,
    CONSTRAINT reuse_item_destination_when_out CHECK ((status = 'sorti') = (destination IS NOT NULL))
);
COMMENT ON TABLE tl.reuse_item IS 'A ressourcerie stock item: a photo-free description, a weight, a price or prix libre';
CREATE INDEX reuse_item_place_status_idx ON tl.reuse_item (place_id, status, category);
SELECT tl.track_changes('tl.reuse_item'::regclass);
GRANT SELECT (id, code, place_id, intake_id, category, title, description, weight_kg, price, status,
               repair_session_id, created_at)
    ON tl.reuse_item TO tierslieux_lecture;
-- Which place an intake belongs to (its containers), nothing of its origin.
GRANT SELECT (id, place_id) ON tl.reuse_intake TO tierslieux_lecture;

-- What happened to a stock item, step by step (append-only).
CREATE TABLE tl.reuse_item_event (
    id      bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT reuse_item_event_pkey PRIMARY KEY,
    item_id bigint NOT NULL CONSTRAINT reuse_item_event_item_fkey REFERENCES tl.reuse_item,
    at      timestamptz NOT NULL DEFAULT now(),
    by      integer NOT NULL CONSTRAINT reuse_item_event_by_fkey REFERENCES tl.account,
    status  text NOT NULL,
    detail  text NOT NULL DEFAULT ''
);
COMMENT ON TABLE tl.reuse_item_event IS 'The history of a stock item: put on sale, reserved, repaired, sold, left';
CREATE INDEX reuse_item_event_item_idx ON tl.reuse_item_event (item_id);
SELECT tl.track_changes('tl.reuse_item_event'::regclass);

CREATE TABLE tl.reuse_sale (
    id          bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT reuse_sale_pkey PRIMARY KEY,
    place_id    integer NOT NULL CONSTRAINT reuse_sale_place_fkey REFERENCES tl.place,
    -- The receipt's number, in sequence at each place.
    number      integer NOT NULL,
    at          timestamptz NOT NULL DEFAULT now(),
    -- The place's day (its time zone), which the daily closing counts.
    day         date NOT NULL,
    payment     text NOT NULL CONSTRAINT reuse_sale_payment_known
                CHECK (payment IN ('especes', 'carte', 'cheque', 'monnaie_locale', 'gratuit')),
    total       numeric(10,2) NOT NULL,
    recorded_by integer NOT NULL CONSTRAINT reuse_sale_recorded_by_fkey REFERENCES tl.account,
    -- A cancellation (annulation) is a receipt of its own, the same day's
    -- till giving the money back: it points at the sale it cancels, with
    -- the reason, and its total is that sale's, negative. Nothing is erased.
    cancels     bigint CONSTRAINT reuse_sale_cancels_key UNIQUE
                CONSTRAINT reuse_sale_cancels_fkey REFERENCES tl.reuse_sale,
    reason      text,
    CONSTRAINT reuse_sale_number_key UNIQUE (place_id, number),
    CONSTRAINT reuse_sale_free_is_zero CHECK (payment <> 'gratuit' OR total = 0),
    CONSTRAINT reuse_sale_total_range CHECK (CASE WHEN cancels IS NULL THEN total >= 0 ELSE total <= 0 END),
    CONSTRAINT reuse_sale_cancel_reason CHECK (cancels IS NULL OR btrim(coalesce(reason, '')) <> '')
);
COMMENT ON TABLE tl.reuse_sale IS 'A sale at the ressourcerie till, or the cancellation of one (append-only)';
CREATE INDEX reuse_sale_place_day_idx ON tl.reuse_sale (place_id, day);
SELECT tl.track_changes('tl.reuse_sale'::regclass);

CREATE TABLE tl.reuse_sale_line (
    sale_id   bigint NOT NULL CONSTRAINT reuse_sale_line_sale_fkey REFERENCES tl.reuse_sale,
    line      smallint NOT NULL,
    -- A stock item, or a weighed lot of a category (item_id NULL).
    item_id   bigint CONSTRAINT reuse_sale_line_item_fkey REFERENCES tl.reuse_item,
    category  text NOT NULL CONSTRAINT reuse_sale_line_category_fkey REFERENCES tl.reuse_category,
    label     text NOT NULL,
    weight_kg numeric(9,3) NOT NULL CONSTRAINT reuse_sale_line_weight_positive CHECK (weight_kg > 0),
    amount    numeric(8,2) NOT NULL CONSTRAINT reuse_sale_line_amount_range CHECK (amount >= 0 AND amount <= 100000),
    -- How many sales of this item were cancelled before this one.
    resale    integer NOT NULL DEFAULT 0,
    CONSTRAINT reuse_sale_line_pkey PRIMARY KEY (sale_id, line)
);
COMMENT ON TABLE tl.reuse_sale_line IS 'What a sale rang up: an item or a weighed lot, its weight and amount';
-- An item is sold once, whatever the tills do at the same moment (once
-- again after each cancelled sale of it).
CREATE UNIQUE INDEX reuse_sale_line_item_once ON tl.reuse_sale_line (item_id, resale) WHERE item_id IS NOT NULL;
SELECT tl.track_changes('tl.reuse_sale_line'::regclass);

-- The sales that count: neither cancelled nor a cancellation.
CREATE VIEW tl.reuse_sale_kept AS
SELECT s.* FROM tl.reuse_sale s
 WHERE s.cancels IS NULL AND NOT EXISTS (SELECT 1 FROM tl.reuse_sale c WHERE c.cancels = s.id);
COMMENT ON VIEW tl.reuse_sale_kept IS 'Sales in force: cancelled ones and their cancellations left out';

CREATE TABLE tl.reuse_closing (
    place_id   integer NOT NULL CONSTRAINT reuse_closing_place_fkey REFERENCES tl.place,
    day        date NOT NULL,
    sales      integer NOT NULL,
    total      numeric(12,2) NOT NULL,
    -- Totals by payment kind: {"especes": "12.50", ...}.
    by_payment jsonb NOT NULL,
    closed_at  timestamptz NOT NULL DEFAULT now(),
    closed_by  integer NOT NULL CONSTRAINT reuse_closing_closed_by_fkey REFERENCES tl.account,
    CONSTRAINT reuse_closing_pkey PRIMARY KEY (place_id, day)
);
COMMENT ON TABLE tl.reuse_closing IS 'The daily closing of a till: the day''s totals, after which it takes no sale';
SELECT tl.track_changes('tl.reuse_closing'::regclass);

-- What leaves a ressourcerie other than by a sale, weighed by category.
-- Like intake weighings, a mistake is fixed by a correcting entry.
CREATE TABLE tl.reuse_outflow (
    id           bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT reuse_outflow_pkey PRIMARY KEY,
    place_id     integer NOT NULL CONSTRAINT reuse_outflow_place_fkey REFERENCES tl.place,
    destination  text NOT NULL CONSTRAINT reuse_outflow_destination_known
                 CHECK (destination IN ('recyclage', 'elimination', 'don_reemploi')),
    -- The recycler, the waste centre or the association it went to.
    partner      text NOT NULL DEFAULT '',
    category     text NOT NULL CONSTRAINT reuse_outflow_category_fkey REFERENCES tl.reuse_category,
    gross_kg     numeric(9,3) NOT NULL CONSTRAINT reuse_outflow_gross_positive CHECK (gross_kg > 0),
    container_id integer CONSTRAINT reuse_outflow_container_fkey REFERENCES tl.reuse_container,
    tare_kg      numeric(9,3) NOT NULL DEFAULT 0,
    net_kg       numeric(9,3) NOT NULL GENERATED ALWAYS AS (gross_kg - tare_kg) STORED,
    -- A stock item that left this way (its weight is the outflow's).
    item_id      bigint CONSTRAINT reuse_outflow_item_key UNIQUE
                 CONSTRAINT reuse_outflow_item_fkey REFERENCES tl.reuse_item,
    corrects     bigint CONSTRAINT reuse_outflow_corrects_key UNIQUE
                 CONSTRAINT reuse_outflow_corrects_fkey REFERENCES tl.reuse_outflow,
    reason       text,
    at           timestamptz NOT NULL DEFAULT now(),
    recorded_by  integer NOT NULL CONSTRAINT reuse_outflow_recorded_by_fkey REFERENCES tl.account,
    CONSTRAINT reuse_outflow_tare_below_gross CHECK (tare_kg >= 0 AND tare_kg < gross_kg),
    CONSTRAINT reuse_outflow_correction_reason CHECK (corrects IS NULL OR btrim(coalesce(reason, '')) <> '')
);
COMMENT ON TABLE tl.reuse_outflow IS 'Weighed outflows by destination and category, append-only; corrections point back';
CREATE INDEX reuse_outflow_place_at_idx ON tl.reuse_outflow (place_id, at);
SELECT tl.track_changes('tl.reuse_outflow'::regclass);

CREATE VIEW tl.reuse_outflow_current AS
SELECT o.* FROM tl.reuse_outflow o
 WHERE NOT EXISTS (SELECT 1 FROM tl.reuse_outflow c WHERE c.corrects = o.id);
COMMENT ON VIEW tl.reuse_outflow_current IS 'Outflows in force: corrected ones replaced by their correction';

-- What is recorded there is never changed or removed: weighings, sales,
-- closings and outflows are corrected by new entries.
CREATE FUNCTION tl.refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: record a correction instead', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER reuse_weighing_append_only BEFORE UPDATE OR DELETE ON tl.reuse_weighing
    FOR EACH ROW EXECUTE FUNCTION tl.refuse_change();
CREATE TRIGGER reuse_sale_append_only BEFORE UPDATE OR DELETE ON tl.reuse_sale
    FOR EACH ROW EXECUTE FUNCTION tl.refuse_change();
CREATE TRIGGER reuse_sale_line_append_only BEFORE UPDATE OR DELETE ON tl.reuse_sale_line
    FOR EACH ROW EXECUTE FUNCTION tl.refuse_change();
CREATE TRIGGER reuse_closing_append_only BEFORE UPDATE OR DELETE ON tl.reuse_closing
    FOR EACH ROW EXECUTE FUNCTION tl.refuse_change();
CREATE TRIGGER reuse_outflow_append_only BEFORE UPDATE OR DELETE ON tl.reuse_outflow
    FOR EACH ROW EXECUTE FUNCTION tl.refuse_change();
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
CREATE OR REPLACE FUNCTION tl.weigh(p_login text, p_intake bigint, p_category text, p_gross numeric,
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
REVOKE ALL ON FUNCTION tl.reuse_checked_weight(text, integer, text, numeric, integer) FROM PUBLIC;

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
     WHERE id = p_session AND place_id = v_item.place_id AND cancelled_at IS NULL AND ends_at > date_trunc('day', now());
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

REVOKE ALL ON FUNCTION tl.require_reuse_item(text), tl.reuse_item_note(bigint, integer, text, text) FROM PUBLIC;
SELECT tl.grant_desk('tl.create_reuse_item(text, bigint, text, text, text, numeric, numeric)',
                     'tl.set_reuse_item_status(text, text, text, text)',
                     'tl.send_reuse_item_to_repair(text, text, integer)',
                     'tl.reuse_item_repaired(text, text, text, text, text, integer)',
                     'tl.reuse_item_leave(text, text, text, text, text)', 'tl.desk_reuse_item(text, text)',
                     'tl.object_history(text, bigint)',
                     'tl.sell(text, text, text, text[], numeric[], text[], numeric[], numeric[])',
                     'tl.desk_sale(text, bigint)', 'tl.cancel_sale(text, bigint, text)',
                     'tl.till_day(text, text, date)', 'tl.till_totals(text, text, date)',
                     'tl.close_till(text, text, date)');

-- The intake's weighings in one pass: each joined to its correction, if
-- any, instead of looking the correction up once per column (the page
-- after every weighing reads this).
CREATE OR REPLACE FUNCTION tl.desk_intake(p_login text, p_intake bigint)
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

-- The roles of an account, read on every desk request: PL/pgSQL, so that
-- its plan is kept by each connection (a SQL function with SET is planned
-- at every call).
CREATE OR REPLACE FUNCTION tl.account_roles(p_login text)
RETURNS TABLE (display_name text, place_id integer, place_slug text, place_name text, role text, rank integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    RETURN QUERY
    SELECT a.display_name, p.id, p.slug, p.name, r.role, tl.role_rank(r.role)
      FROM tl.account a
      JOIN tl.account_role r ON r.account_id = a.id
      JOIN tl.place p ON p.id = r.place_id
     WHERE a.login = p_login AND a.active
     ORDER BY p.name;
END $$;

-- The role check every desk and back-office function starts with. The
-- ranks are compared after the row is read: in the query, the rank of a
-- parameter made PostgreSQL plan it again at every call (about 70 µs, more
-- than the rest of most desk functions).
CREATE OR REPLACE FUNCTION tl.require_role(p_login text, p_place integer, p_role text) RETURNS integer
LANGUAGE plpgsql STABLE SET search_path = pg_catalog AS $$
DECLARE
    found_id integer;
    found_role text;
BEGIN
    SELECT a.id, r.role INTO found_id, found_role
      FROM tl.account a JOIN tl.account_role r ON r.account_id = a.id
     WHERE a.login = p_login AND a.active AND r.place_id = p_place;
    IF found_id IS NULL OR NOT coalesce(tl.role_rank(found_role) >= tl.role_rank(p_role), false) THEN
        RAISE EXCEPTION 'votre compte n''a pas le rôle % dans ce lieu', p_role
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN found_id;
END $$;
