-- What a network of 100 places needs to be read fast (issue 14, point 2).
--
-- The Open Repair Data export's row of each repair record, kept by the
-- database (issue 14, point 2: the export of a year at a network's size in
-- under 50 ms). Reading a year of records joined to their place, partner
-- and category, and writing the format's 14 columns from them, cost about
-- 4 µs a row on every request; the export now reads these rows as they
-- are. Triggers of sql/logic/imports.sql rewrite a record's row whenever
-- the record, its place, the place's partner or its category changes, and
-- applying that file rewrites them all, so a change of the format's rules
-- (tl.repair_ords_fill) reaches every row.
CREATE TABLE tl.repair_ords_row (
    record_id  bigint CONSTRAINT repair_ords_row_pkey PRIMARY KEY
               CONSTRAINT repair_ords_row_record_fkey REFERENCES tl.repair_record ON DELETE CASCADE,
    place_id   integer NOT NULL,
    event_date date NOT NULL,
    -- The format's columns, in its order (tl.repair_ords_rows).
    ords_id                  text NOT NULL,
    data_provider            text,
    country                  text,
    partner_product_category text,
    product_category         text,
    product_category_id      integer,
    brand                    text,
    year_of_manufacture      integer,
    product_age              text,
    repair_status            integer,
    barrier                  integer,
    group_identifier         text,
    event_day                text,
    problem                  text
);
-- The export reads a period's rows in this order, as they are sent.
CREATE INDEX repair_ords_row_date_idx ON tl.repair_ords_row (event_date, record_id);

COMMENT ON TABLE tl.repair_ords_row IS
    'The Open Repair Data export''s row of each repair record, rewritten by triggers when the record, its place, partner or category changes';

-- Where an item stands (tl.item_place_now) reads its last return taken at
-- another place: without an index of its own, PostgreSQL scanned the
-- network's 200,000 bookings for it, 26 ms of each loan at the desk.
CREATE INDEX booking_returned_elsewhere_idx ON tl.booking (item_id, returned_at) WHERE returned_place_id IS NOT NULL;

-- The desk's search of a member by name (tl.find_members) looks for each
-- word anywhere in the kept key: trigrams find the longest word's members
-- among 20,000 (under a millisecond, against 5 to 8 read whole).
CREATE INDEX member_search_name_trgm_idx ON tl.member USING gin (search_name public.gin_trgm_ops);
