-- 004 — loans and reservations in one table of bookings, so that one
-- exclusion constraint keeps two of them from ever holding one item over
-- the same period (two volunteers at two desks cannot lend the same drill
-- twice, nor lend what someone reserved). An open loan's period runs to the
-- end of its due date; a return shortens it to the return, never lengthens
-- it (a late return must not collide with the next reservation).

CREATE TABLE tl.booking (
    id               bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT booking_pkey PRIMARY KEY,
    item_id          integer NOT NULL CONSTRAINT booking_item_fkey REFERENCES tl.item,
    member_id        integer CONSTRAINT booking_member_fkey REFERENCES tl.member,   -- NULL once anonymised
    kind             text NOT NULL CONSTRAINT booking_kind_known CHECK (kind IN ('pret', 'reservation')),
    starts_at        timestamptz NOT NULL DEFAULT now(),
    ends_at          timestamptz NOT NULL,
    due_on           date,
    returned_at      timestamptz,
    cancelled_at     timestamptz,
    renewals         integer NOT NULL DEFAULT 0 CONSTRAINT booking_renewals_positive CHECK (renewals >= 0),
    lent_by          integer CONSTRAINT booking_lent_by_fkey REFERENCES tl.account,
    returned_to      integer CONSTRAINT booking_returned_to_fkey REFERENCES tl.account,
    override_by      integer CONSTRAINT booking_override_by_fkey REFERENCES tl.account,
    return_condition text CONSTRAINT booking_return_condition_fkey REFERENCES tl.item_condition,
    CONSTRAINT booking_loan_has_due_date CHECK (kind <> 'pret' OR due_on IS NOT NULL),
    CONSTRAINT booking_only_loans_return CHECK (kind = 'pret' OR returned_at IS NULL),
    CONSTRAINT booking_period_not_empty CHECK (ends_at > starts_at),
    CONSTRAINT booking_no_overlap EXCLUDE USING gist
        (item_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) WHERE (cancelled_at IS NULL)
);
COMMENT ON TABLE tl.booking IS 'Loans and reservations of items; one exclusion constraint covers both';
CREATE INDEX booking_open_loan_idx ON tl.booking (item_id) WHERE kind = 'pret' AND returned_at IS NULL;
CREATE INDEX booking_member_idx ON tl.booking (member_id);

-- A loan's period ends with its due date, in the item's place's time zone,
-- or earlier with its return.
CREATE FUNCTION tl.booking_set_end() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    tz text;
BEGIN
    IF NEW.kind = 'pret' THEN
        SELECT p.time_zone INTO tz FROM tl.item i JOIN tl.place p ON p.id = i.place_id WHERE i.id = NEW.item_id;
        NEW.ends_at := (NEW.due_on + 1)::timestamp AT TIME ZONE tz;
        IF NEW.returned_at IS NOT NULL THEN
            NEW.ends_at := greatest(NEW.starts_at + interval '1 microsecond', least(NEW.ends_at, NEW.returned_at));
        END IF;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER booking_set_end BEFORE INSERT OR UPDATE ON tl.booking
    FOR EACH ROW EXECUTE FUNCTION tl.booking_set_end();

INSERT INTO tl.booking (item_id, member_id, kind, starts_at, due_on, returned_at)
SELECT item_id, member_id, 'pret', started_at, due_on, returned_at FROM tl.loan ORDER BY id;

DROP VIEW tl.item_availability;
DROP TABLE tl.loan;

CREATE VIEW tl.item_availability AS
SELECT i.id AS item_id,
       CASE WHEN m.id IS NOT NULL THEN 'maintenance'
            WHEN b.id IS NOT NULL THEN 'pret'
            ELSE 'disponible' END AS state,
       CASE WHEN m.id IS NULL THEN b.due_on END AS due_on
  FROM tl.item i
  LEFT JOIN tl.maintenance m ON m.item_id = i.id AND m.ended_at IS NULL
  LEFT JOIN tl.booking b ON b.item_id = i.id AND b.kind = 'pret' AND b.returned_at IS NULL;
COMMENT ON VIEW tl.item_availability IS 'Public availability of each item: disponible, pret (until due_on) or maintenance';
GRANT SELECT ON tl.item_availability TO tierslieux_lecture;

SELECT tl.track_changes('tl.booking'::regclass);
