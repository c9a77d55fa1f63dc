-- The opening hours as rows the database computes due dates from. The text
-- a référent types (tl.place.opening_hours) is read by the module's parser
-- only; tl.save_place stores, with it, the days and spans that parser
-- found, so the database never parses hours. A place without rows opens
-- every day as far as due dates go (hours not given yet).
CREATE TABLE tl.place_opening (
    place_id integer NOT NULL CONSTRAINT place_opening_place_fkey REFERENCES tl.place ON DELETE CASCADE,
    -- ISO day of the week, as extract(isodow ...): 1 Monday ... 7 Sunday.
    weekday  smallint NOT NULL CONSTRAINT place_opening_weekday CHECK (weekday BETWEEN 1 AND 7),
    -- Minutes since midnight, local time of the place.
    opens    smallint NOT NULL,
    closes   smallint NOT NULL,
    CONSTRAINT place_opening_span CHECK (0 <= opens AND opens < closes AND closes <= 1440),
    CONSTRAINT place_opening_pkey PRIMARY KEY (place_id, weekday, opens),
    CONSTRAINT place_opening_no_overlap EXCLUDE USING gist
        (place_id WITH =, weekday WITH =, int4range(opens, closes) WITH &&)
);

COMMENT ON TABLE tl.place_opening IS 'When a place opens, day by day, as the module read its opening hours';

-- "PH off" in the hours: the place closes on public holidays, so no due
-- date falls on one.
ALTER TABLE tl.place ADD COLUMN closed_on_public_holidays boolean NOT NULL DEFAULT false;

-- No data move: only the module's parser reads the text. A place that had
-- hours before this migration counts as open every day until its hours are
-- saved again in the back office (the demo cluster is rebuilt by
-- script/server instead).
DO $$
DECLARE
    n integer := (SELECT count(*) FROM tl.place WHERE btrim(opening_hours) <> '');
BEGIN
    IF n > 0 THEN
        RAISE WARNING '% lieu(x) : enregistrez de nouveau leurs horaires dans la gestion du lieu, pour que les dates de retour en tiennent compte', n;
    END IF;
END $$;
