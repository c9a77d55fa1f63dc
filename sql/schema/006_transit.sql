-- Sharing between places (issue 16, points 4 and 5).
--
-- A member reserves an item of place B to collect it at place A: the
-- reservation names where it is collected (tl.booking.pickup_place_id, NULL
-- meaning the item's own place), and a movement of the item from B to A is
-- logged. A movement says who sends the item and when it leaves, who
-- receives it and when it arrives; "in transit" is never stored, it is read
-- from this log (sent and not yet received), and so is where an item stands
-- (the place the last received movement brought it to, else its own place).
-- A return at a place other than the item's own logs the movement back; a
-- référent moving an item to another place for good logs one too.
--
-- A collection's owner decides whether its items travel
-- (tl.collection.travels; an association's grainothèque may stay put).
ALTER TABLE tl.collection ADD COLUMN travels boolean NOT NULL DEFAULT true;

COMMENT ON COLUMN tl.collection.travels IS
    'Whether the items of this collection may be reserved to be collected at another place';

ALTER TABLE tl.booking ADD COLUMN pickup_place_id integer CONSTRAINT booking_pickup_place_fkey REFERENCES tl.place;

COMMENT ON COLUMN tl.booking.pickup_place_id IS
    'A reservation collected at another place than the item''s own (NULL: at the item''s own place)';

ALTER TABLE tl.booking ADD COLUMN returned_place_id integer CONSTRAINT booking_returned_place_fkey REFERENCES tl.place;

COMMENT ON COLUMN tl.booking.returned_place_id IS
    'Where a loan was brought back, when at another place than where it stood (NULL: there)';

CREATE TABLE tl.item_movement (
    id            bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT item_movement_pkey PRIMARY KEY,
    item_id       integer NOT NULL CONSTRAINT item_movement_item_fkey REFERENCES tl.item,
    from_place_id integer NOT NULL CONSTRAINT item_movement_from_place_fkey REFERENCES tl.place,
    to_place_id   integer NOT NULL CONSTRAINT item_movement_to_place_fkey REFERENCES tl.place,
    reason        text NOT NULL CONSTRAINT item_movement_reason_known
                  CHECK (reason IN ('reservation', 'retour', 'transfert')),
    booking_id    bigint CONSTRAINT item_movement_booking_fkey REFERENCES tl.booking,
    created_at    timestamptz NOT NULL DEFAULT now(),
    created_by    integer CONSTRAINT item_movement_created_by_fkey REFERENCES tl.account,
    sent_at       timestamptz,
    sent_by       integer CONSTRAINT item_movement_sent_by_fkey REFERENCES tl.account,
    received_at   timestamptz,
    received_by   integer CONSTRAINT item_movement_received_by_fkey REFERENCES tl.account,
    cancelled_at  timestamptz,
    CONSTRAINT item_movement_places_differ CHECK (from_place_id <> to_place_id),
    CONSTRAINT item_movement_received_after_sent CHECK (received_at IS NULL OR (sent_at IS NOT NULL AND received_at >= sent_at)),
    CONSTRAINT item_movement_cancelled_before_sent CHECK (cancelled_at IS NULL OR sent_at IS NULL)
);

-- One movement at a time per item: the next is logged once the last has
-- arrived (or was cancelled before leaving).
CREATE UNIQUE INDEX item_movement_one_open ON tl.item_movement (item_id)
    WHERE received_at IS NULL AND cancelled_at IS NULL;
CREATE INDEX item_movement_item_idx ON tl.item_movement (item_id, id);
CREATE INDEX item_movement_to_idx ON tl.item_movement (to_place_id) WHERE received_at IS NULL AND cancelled_at IS NULL;
CREATE INDEX item_movement_from_idx ON tl.item_movement (from_place_id) WHERE received_at IS NULL AND cancelled_at IS NULL;

COMMENT ON TABLE tl.item_movement IS
    'The log of items travelling between places: who sends, when it leaves, who receives, when it arrives';
