-- What the public pages need at a network's size (100 places, 50,000
-- items, 50,000 repair records) without going over every row per request:
-- a sort key the catalogue's indexes can give in order; the count of
-- items, and of items one may borrow now, per place and category; the
-- impact of each repaired object, summed per session; the packets left in
-- each seed lot; a member's name as the desk searches it. Each is kept by the triggers of its
-- area's file in sql/logic, which also fills it when it is applied.

-- The title as the catalogue sorts it: lower case, without accents.
ALTER TABLE tl.item ADD COLUMN sort_title text;

CREATE INDEX item_sort_title_idx ON tl.item (sort_title, id) WHERE retired_at IS NULL;
CREATE INDEX item_place_sort_title_idx ON tl.item (place_id, sort_title, id) WHERE retired_at IS NULL;
CREATE INDEX item_category_sort_title_idx ON tl.item (category_id, sort_title, id) WHERE retired_at IS NULL;
CREATE INDEX item_recent_idx ON tl.item (created_at DESC, sort_title, id) WHERE retired_at IS NULL;

CREATE TABLE tl.item_count (
    place_id    integer NOT NULL CONSTRAINT item_count_place_fkey REFERENCES tl.place ON DELETE CASCADE,
    category_id integer NOT NULL CONSTRAINT item_count_category_fkey REFERENCES tl.category ON DELETE CASCADE,
    -- Items in the catalogue (not retired), and those of them neither lent
    -- nor in maintenance.
    items       integer NOT NULL CONSTRAINT item_count_items_positive CHECK (items > 0),
    available   integer NOT NULL CONSTRAINT item_count_available_range CHECK (available BETWEEN 0 AND items),
    CONSTRAINT item_count_pkey PRIMARY KEY (place_id, category_id)
);

CREATE INDEX item_count_category_idx ON tl.item_count (category_id);

COMMENT ON TABLE tl.item_count IS 'Items in the catalogue and items available now, per place and category; kept by triggers';

-- The waste a repaired object prevented and the CO2e it avoided, as
-- tl.repair_impact (sql/logic/repair_cafe.sql) computes them with the
-- factors of its day; NULL for an object not repaired.
ALTER TABLE tl.repair_record ADD COLUMN waste_kg numeric, ADD COLUMN co2_kg numeric;

-- The Open Repair Data export reads a period's records in this order, as
-- they are sent (tl.repair_ords_rows).
CREATE INDEX repair_record_date_idx ON tl.repair_record (event_date, id);

-- What each session (or, for imported records, each place without a
-- session) repaired, summed: the agenda's figures for the whole network
-- add up a few thousand rows instead of 50,000 records.
CREATE TABLE tl.repair_tally (
    place_id          integer NOT NULL CONSTRAINT repair_tally_place_fkey REFERENCES tl.place ON DELETE CASCADE,
    session_id        integer CONSTRAINT repair_tally_session_fkey REFERENCES tl.repair_session ON DELETE CASCADE,
    brought           integer NOT NULL,
    fixed             integer NOT NULL,
    repairable        integer NOT NULL,
    end_of_life       integer NOT NULL,
    waste_kg          numeric NOT NULL,
    co2_kg            numeric NOT NULL,
    -- Repaired, neither weighed nor of a category with an average weight.
    unweighed_unknown integer NOT NULL
);

CREATE INDEX repair_tally_place_idx ON tl.repair_tally (place_id);
CREATE INDEX repair_tally_session_idx ON tl.repair_tally (session_id);

COMMENT ON TABLE tl.repair_tally IS 'Repair results summed per session (or place, for records without one); kept by triggers';

-- The packets left in a lot: its deposits less its withdrawals, kept by
-- the triggers of sql/logic/seeds.sql.
ALTER TABLE tl.seed_lot ADD COLUMN packets integer NOT NULL DEFAULT 0;

-- A member's name as the desk's search compares it (lower case, without
-- accents), kept by sql/logic/members_accounts.sql: the search reads it for
-- 20,000 members instead of normalising every name again. Erasure deletes
-- the member's row, and this with it.
ALTER TABLE tl.member ADD COLUMN search_name text;

-- The data version per area of sql/logic: each area's tables bump their
-- area's counters, and a page is reused until a table of an area it shows
-- changes (a loan at the desk bumps lending's counters, not the seed
-- library's). tl.track_changes makes each area's sixteen rows, the first
-- starting from the version the whole database had until now (the rows of
-- area '', never bumped again): no page's version can come back to one an
-- earlier page was sent with, and a browser's copy kept under it.
ALTER TABLE tl.data_version DROP CONSTRAINT data_version_pkey,
    ADD COLUMN area text NOT NULL DEFAULT '',
    ADD CONSTRAINT data_version_pkey PRIMARY KEY (area, shard);
COMMENT ON TABLE tl.data_version IS
    'Counters bumped by every write to a tracked table, per area of sql/logic; a page''s version is the sum over the areas it shows';
