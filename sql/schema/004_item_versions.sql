-- Counters of what each item's loans changed, beside the lending area's
-- data version: a loan, a return or a reservation bumps the counter of its
-- item's bucket (its id modulo 1,024), bumped by the triggers of
-- sql/logic/lending.sql in the statement that writes the booking. A page
-- that shows some items' state without choosing them by it (a catalogue
-- page sorted by title, an item's page) is reused until one of its items'
-- buckets moves, not until any loan anywhere (glue/tl_version.c).
CREATE TABLE tl.item_version (
    bucket  smallint NOT NULL CONSTRAINT item_version_pkey PRIMARY KEY
            CONSTRAINT item_version_bucket_range CHECK (bucket BETWEEN 0 AND 1023),
    version bigint NOT NULL DEFAULT 0
);
INSERT INTO tl.item_version (bucket) SELECT generate_series(0, 1023);

COMMENT ON TABLE tl.item_version IS
    'Counters bumped by every write to tl.booking, per bucket of item ids (id % 1024); a page showing some items sums theirs';
