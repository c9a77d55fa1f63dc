-- A place's events (issue 17, point 3): the repair café's sessions become
-- one kind of event among others — workshops (sewing, seed saving, digital
-- help, bike repair, or any theme a place writes), seed swaps and open
-- days — with the same slots, bookings, private booking page, agenda,
-- iCalendar feed and schema.org Event.
--
-- The session table gains a kind rather than a second table beside it:
-- slots, bookings, cancelling and moving are the same for every kind, and
-- one table keeps one booking path (tl.book_repair) and one feed. What only
-- a repair café has (repair records and their Open Repair Data export, the
-- repairers' skills, objects brought in) stays tied to the kind
-- 'reparation': the functions that write them refuse another kind. Every
-- existing session is a repair café, so the column's default migrates
-- them in place, ids kept.

-- The closed list of kinds, with their French labels.
CREATE TABLE tl.event_kind (
    code  text CONSTRAINT event_kind_pkey PRIMARY KEY
          CONSTRAINT event_kind_code_format CHECK (code ~ '^[a-z_]{2,30}$'),
    label text NOT NULL CONSTRAINT event_kind_label_not_blank CHECK (btrim(label) <> ''),
    rank  integer NOT NULL
);

COMMENT ON TABLE tl.event_kind IS 'What kind of event a session is (café réparation, atelier, troc de graines, portes ouvertes)';

INSERT INTO tl.event_kind (code, label, rank) VALUES
    ('reparation', 'Café réparation', 1),
    ('atelier', 'Atelier', 2),
    ('troc_graines', 'Troc de graines', 3),
    ('portes_ouvertes', 'Portes ouvertes', 4);

ALTER TABLE tl.repair_session
    ADD COLUMN kind text NOT NULL DEFAULT 'reparation' CONSTRAINT repair_session_kind_fkey REFERENCES tl.event_kind,
    -- A workshop's theme, as a label: couture, graines, numérique, vélo are
    -- offered, any other may be written. Only a workshop has one.
    ADD COLUMN theme text CONSTRAINT repair_session_theme_length
               CHECK (theme IS NULL OR (btrim(theme) <> '' AND char_length(theme) <= 60)),
    -- Who leads it, as it is shown publicly (a first name, an association).
    ADD COLUMN leader text CONSTRAINT repair_session_leader_length
               CHECK (leader IS NULL OR (btrim(leader) <> '' AND char_length(leader) <= 100)),
    ADD CONSTRAINT repair_session_theme_workshop CHECK ((kind = 'atelier') = (theme IS NOT NULL)),
    ADD CONSTRAINT repair_session_skills_repair CHECK (kind = 'reparation' OR skills = '{}');

COMMENT ON COLUMN tl.repair_session.kind IS 'The event''s kind; repair records only for a café réparation';

CREATE INDEX repair_session_kind_starts_idx ON tl.repair_session (kind, starts_at);

-- A seat at a workshop, a seed swap or an open day brings no object: only a
-- repair café's booking names one (tl.book_repair asks for it there).
ALTER TABLE tl.repair_booking ALTER COLUMN object DROP NOT NULL;

-- A member proposes, from Mon compte, a workshop they would lead; a
-- référent of the place approves it (it becomes a published workshop with
-- its slots: session_id) or declines it with a message the member reads.
-- Publicly the member shows only as their first name, and only when they
-- ticked so (copied into the workshop's leader on approval). Erasing the
-- member deletes a proposal still waiting or declined, and detaches an
-- accepted one (its workshop stays, without the first name).
CREATE TABLE tl.event_proposal (
    id           integer GENERATED ALWAYS AS IDENTITY CONSTRAINT event_proposal_pkey PRIMARY KEY,
    member_id    integer CONSTRAINT event_proposal_member_fkey REFERENCES tl.member,
    place_id     integer NOT NULL CONSTRAINT event_proposal_place_fkey REFERENCES tl.place,
    title        text NOT NULL CONSTRAINT event_proposal_title_length
                 CHECK (btrim(title) <> '' AND char_length(title) <= 100),
    theme        text NOT NULL CONSTRAINT event_proposal_theme_length
                 CHECK (btrim(theme) <> '' AND char_length(theme) <= 60),
    description  text NOT NULL DEFAULT '' CONSTRAINT event_proposal_description_length
                 CHECK (char_length(description) <= 2000),
    -- The days or moments the member can lead it, in their words.
    dates        text NOT NULL CONSTRAINT event_proposal_dates_length
                 CHECK (btrim(dates) <> '' AND char_length(dates) <= 300),
    participants integer NOT NULL CONSTRAINT event_proposal_participants_range CHECK (participants BETWEEN 1 AND 100),
    show_first_name boolean NOT NULL DEFAULT false,
    state        text NOT NULL DEFAULT 'proposee'
                 CONSTRAINT event_proposal_state_known CHECK (state IN ('proposee', 'acceptee', 'refusee')),
    answer       text CONSTRAINT event_proposal_answer_length
                 CHECK (answer IS NULL OR (btrim(answer) <> '' AND char_length(answer) <= 1000)),
    session_id   integer CONSTRAINT event_proposal_session_fkey REFERENCES tl.repair_session,
    decided_by   integer CONSTRAINT event_proposal_decided_by_fkey REFERENCES tl.account,
    decided_at   timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT event_proposal_decision CHECK ((state = 'proposee') = (decided_at IS NULL)
                                              AND (state = 'acceptee') = (session_id IS NOT NULL)
                                              AND (state <> 'refusee' OR answer IS NOT NULL))
);

COMMENT ON TABLE tl.event_proposal IS 'A workshop a member proposes to lead at a place, and the référents'' answer';

CREATE INDEX event_proposal_place_idx ON tl.event_proposal (place_id, state);

CREATE INDEX event_proposal_member_idx ON tl.event_proposal (member_id);
