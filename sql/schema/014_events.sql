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
