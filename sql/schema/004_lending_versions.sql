-- Counters of what loans changed, beside the lending area's data version:
-- a loan, a return or a reservation bumps the counter of its item's bucket
-- (buckets 0 to 1023: the item's id modulo 1,024) and of its place's
-- (1024 to 1279: 1,024 plus the place's id modulo 256), in the statement
-- that writes the booking (sql/logic/lending.sql). A page that shows some
-- items' state without choosing them by it (a catalogue page sorted by
-- title, an item's page) is reused until one of its items' buckets moves,
-- and one that shows one place's loans (that place's available items, its
-- counts) until its place's does, not until any loan anywhere
-- (glue/tl_version.c).
CREATE TABLE tl.lending_version (
    bucket  smallint NOT NULL CONSTRAINT lending_version_pkey PRIMARY KEY
            CONSTRAINT lending_version_bucket_range CHECK (bucket BETWEEN 0 AND 1279),
    version bigint NOT NULL DEFAULT 0
);
INSERT INTO tl.lending_version (bucket) SELECT generate_series(0, 1279);

COMMENT ON TABLE tl.lending_version IS
    'Counters bumped by every write to tl.booking: per bucket of item ids (id % 1024), then of place ids (1024 + id % 256)';
