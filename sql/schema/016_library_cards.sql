-- Logging in with the library card (issue 18, point 4): a médiathèque's
-- members log in to « Mon compte » with the card number and PIN of its
-- library system (SIGB: Koha, or any system speaking SIP2), checked by
-- that system. The first login links the card to a member, created then
-- with only the name the library system gives (the CNIL notice,
-- docs/donnees-personnelles.md); the PIN is never stored.
CREATE TABLE tl.member_card (
    place_id    integer NOT NULL CONSTRAINT member_card_place_fkey REFERENCES tl.place,
    -- Upper-cased and trimmed, as the library system prints it.
    card_number text NOT NULL CONSTRAINT member_card_number_format CHECK (card_number ~ '^[A-Z0-9-]{1,32}$'),
    member_id   integer NOT NULL CONSTRAINT member_card_member_fkey REFERENCES tl.member ON DELETE CASCADE,
    linked_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT member_card_pkey PRIMARY KEY (place_id, card_number),
    CONSTRAINT member_card_one_per_place UNIQUE (member_id, place_id)
);

COMMENT ON TABLE tl.member_card IS 'A library card (of the place''s library system) that logs a member in; deleted with the member';
