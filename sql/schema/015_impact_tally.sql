-- The year's figures of the impact page and the annual report (issues 14
-- and 17), kept per place and month instead of counted again over the
-- whole network at each render: the network's page added up a year of
-- 50,000 loans and the ressourcerie's flows, half a second a render, and a
-- loan anywhere made every page render again.
--
-- A loan counts at the place that lent it: the item's place when it was
-- lent, kept on the loan (an item moved later to another place does not
-- take its loans along).
ALTER TABLE tl.booking ADD COLUMN loan_place_id integer CONSTRAINT booking_loan_place_fkey REFERENCES tl.place;

-- Borrowers are people counted once a year, at a place and in the
-- network, never named: the loan that makes a person a borrower of the
-- year, the earliest of their year's loans (at that place, or anywhere),
-- carries the mark, so the year's borrowers are a sum of marks per month
-- like the loans. A loan that loses its borrower (four months after its
-- return, or the person's erasure) passes its mark to the person's next
-- loan of the year still linked to them: the count stays the one
-- sql/logic/impact.sql always gave, the distinct borrowers still known.
ALTER TABLE tl.booking ADD COLUMN first_here boolean NOT NULL DEFAULT false,
                       ADD COLUMN first_network boolean NOT NULL DEFAULT false;

UPDATE tl.booking b SET loan_place_id = i.place_id FROM tl.item i WHERE i.id = b.item_id AND b.kind = 'pret';

-- A place's year of loans, read from the index alone (its marks included).
CREATE INDEX booking_loan_place_idx ON tl.booking (loan_place_id, starts_at) INCLUDE (first_here, first_network)
    WHERE kind = 'pret' AND cancelled_at IS NULL;

-- A place's year, month by month (its own time zone): figure names what
-- is counted (sql/logic/impact.sql: tl.recount_impact lists them).
CREATE TABLE tl.impact_tally (
    place_id integer NOT NULL CONSTRAINT impact_tally_place_fkey REFERENCES tl.place ON DELETE CASCADE,
    year     integer NOT NULL,
    month    integer NOT NULL CONSTRAINT impact_tally_month_range CHECK (month BETWEEN 1 AND 12),
    figure   text NOT NULL,
    value    numeric NOT NULL,
    CONSTRAINT impact_tally_pkey PRIMARY KEY (place_id, year, figure, month)
);

CREATE INDEX impact_tally_year_idx ON tl.impact_tally (year, figure);

COMMENT ON TABLE tl.impact_tally IS 'A place''s loans, borrowers, repairs and ressourcerie kilograms per month; kept by triggers';

-- The impact page counts a session's participants: its bookings kept and
-- the objects brought without one, which each session's tally now keeps
-- (a session booked but not yet logged has its row).
ALTER TABLE tl.repair_tally ADD COLUMN walk_ins integer NOT NULL DEFAULT 0,
                            ADD COLUMN booked integer NOT NULL DEFAULT 0;
