-- From user to contributor (issue 17, point 2): a member offers, from
-- « Mon compte », to help at a place — the activities they would take on
-- (the closed list of sql/schema/010), the skills they choose to share and
-- when they are free, both optional and short. A référent of that place
-- accepts (the member gets the volunteer role there through the team's
-- own machinery, tl.save_team_member, and the place's charter to accept
-- before the desk opens to them) or declines with an optional kind word
-- the member reads in « Mon compte ».
--
-- An offer is personal data: the member sees, exports and withdraws it
-- (withdrawing deletes it), it goes with the member on erasure (ON DELETE
-- CASCADE from tl.member), and an accepted or declined offer is deleted
-- tl.retention.volunteer_offer_months (12) after it was answered.

CREATE TABLE tl.volunteer_offer (
    id           bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT volunteer_offer_pkey PRIMARY KEY,
    member_id    integer NOT NULL CONSTRAINT volunteer_offer_member_fkey REFERENCES tl.member ON DELETE CASCADE,
    place_id     integer NOT NULL CONSTRAINT volunteer_offer_place_fkey REFERENCES tl.place,
    skills       text NOT NULL DEFAULT ''
                 CONSTRAINT volunteer_offer_skills_length CHECK (char_length(skills) <= 500),
    availability text NOT NULL DEFAULT ''
                 CONSTRAINT volunteer_offer_availability_length CHECK (char_length(availability) <= 200),
    status       text NOT NULL DEFAULT 'ouverte'
                 CONSTRAINT volunteer_offer_status_known CHECK (status IN ('ouverte', 'acceptee', 'declinee')),
    made_at      timestamptz NOT NULL DEFAULT now(),
    answered_at  timestamptz,
    answered_by  integer CONSTRAINT volunteer_offer_answered_by_fkey REFERENCES tl.account ON DELETE SET NULL,
    -- The account given the volunteer role, once accepted (its login is
    -- what the member logs in to the desk with).
    account_id   integer CONSTRAINT volunteer_offer_account_fkey REFERENCES tl.account ON DELETE SET NULL,
    -- The référent's word to the member when declining (optional).
    message      text NOT NULL DEFAULT ''
                 CONSTRAINT volunteer_offer_message_length CHECK (char_length(message) <= 500),
    CONSTRAINT volunteer_offer_answered CHECK ((status = 'ouverte') = (answered_at IS NULL))
);
-- One open offer per member and place.
CREATE UNIQUE INDEX volunteer_offer_open_once ON tl.volunteer_offer (member_id, place_id) WHERE status = 'ouverte';
CREATE INDEX volunteer_offer_place_idx ON tl.volunteer_offer (place_id) WHERE status = 'ouverte';
CREATE INDEX volunteer_offer_member_idx ON tl.volunteer_offer (member_id);
CREATE INDEX volunteer_offer_answered_idx ON tl.volunteer_offer (answered_at) WHERE answered_at IS NOT NULL;

COMMENT ON TABLE tl.volunteer_offer IS
    'A member''s offer to help at a place (activities, skills, availability): personal data, deleted on withdrawal, erasure or after the delay';

CREATE TABLE tl.volunteer_offer_activity (
    offer_id bigint NOT NULL CONSTRAINT volunteer_offer_activity_offer_fkey REFERENCES tl.volunteer_offer ON DELETE CASCADE,
    activity text NOT NULL CONSTRAINT volunteer_offer_activity_activity_fkey REFERENCES tl.volunteer_activity,
    CONSTRAINT volunteer_offer_activity_pkey PRIMARY KEY (offer_id, activity)
);

COMMENT ON TABLE tl.volunteer_offer_activity IS 'The activities an offer to help is for (at least one)';

-- A role given from an accepted offer waits for its charter: until the
-- volunteer accepts the place's charter, the desk of that place stays
-- closed to them (tl.require_role).
ALTER TABLE tl.account_role ADD COLUMN charter_pending boolean NOT NULL DEFAULT false;

COMMENT ON COLUMN tl.account_role.charter_pending IS
    'The volunteer has yet to accept the place''s charter before working at its desk';

-- How long an answered offer is kept.
ALTER TABLE tl.retention ADD COLUMN volunteer_offer_months integer NOT NULL DEFAULT 12
    CONSTRAINT retention_volunteer_offer_months_range CHECK (volunteer_offer_months BETWEEN 1 AND 60);
