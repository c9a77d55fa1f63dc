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
GRANT SELECT (id, code, place_id, category, title, description, weight_kg, price, status, created_at)
    ON tl.reuse_item TO tierslieux_lecture;

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
    total       numeric(10,2) NOT NULL CONSTRAINT reuse_sale_total_range CHECK (total >= 0),
    recorded_by integer NOT NULL CONSTRAINT reuse_sale_recorded_by_fkey REFERENCES tl.account,
    CONSTRAINT reuse_sale_number_key UNIQUE (place_id, number),
    CONSTRAINT reuse_sale_free_is_zero CHECK (payment <> 'gratuit' OR total = 0)
);
COMMENT ON TABLE tl.reuse_sale IS 'A sale at the ressourcerie till (append-only), and its receipt number';
CREATE INDEX reuse_sale_place_day_idx ON tl.reuse_sale (place_id, day);

CREATE TABLE tl.reuse_sale_line (
    sale_id   bigint NOT NULL CONSTRAINT reuse_sale_line_sale_fkey REFERENCES tl.reuse_sale,
    line      smallint NOT NULL,
    -- A stock item, or a weighed lot of a category (item_id NULL).
    item_id   bigint CONSTRAINT reuse_sale_line_item_fkey REFERENCES tl.reuse_item,
    category  text NOT NULL CONSTRAINT reuse_sale_line_category_fkey REFERENCES tl.reuse_category,
    label     text NOT NULL,
    weight_kg numeric(9,3) NOT NULL CONSTRAINT reuse_sale_line_weight_positive CHECK (weight_kg > 0),
    amount    numeric(8,2) NOT NULL CONSTRAINT reuse_sale_line_amount_range CHECK (amount >= 0 AND amount <= 100000),
    CONSTRAINT reuse_sale_line_pkey PRIMARY KEY (sale_id, line)
);
COMMENT ON TABLE tl.reuse_sale_line IS 'What a sale rang up: an item or a weighed lot, its weight and amount';
-- An item is sold once, whatever the tills do at the same moment.
CREATE UNIQUE INDEX reuse_sale_line_item_once ON tl.reuse_sale_line (item_id) WHERE item_id IS NOT NULL;

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
