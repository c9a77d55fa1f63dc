-- Volunteer shifts (issue 17, point 1): a place publishes shifts (the
-- desk, the till, sorting, a repair café, a seed swap…) with the number of
-- people needed; volunteers with a role at the place sign up and withdraw;
-- the hours given are counted for the group, by activity, place and month,
-- and valued for the association's accounts ("contributions volontaires en
-- nature") at an hourly value the place sets.
--
-- A sign-up links a person to their hours: personal data. Erasure and the
-- retention delay (tl.retention.volunteer_months) detach it (account_id
-- NULL) while the sign-up, and so the group's totals, stay.

-- The closed list of activities a shift is for, with their French labels.
CREATE TABLE tl.volunteer_activity (
    code  text CONSTRAINT volunteer_activity_pkey PRIMARY KEY
          CONSTRAINT volunteer_activity_code_format CHECK (code ~ '^[a-z_]{2,30}$'),
    label text NOT NULL CONSTRAINT volunteer_activity_label_not_blank CHECK (btrim(label) <> ''),
    rank  integer NOT NULL
);

COMMENT ON TABLE tl.volunteer_activity IS 'What a volunteer shift is for (a closed list, labels in French)';

INSERT INTO tl.volunteer_activity (code, label, rank) VALUES
    ('guichet', 'Guichet (prêts et retours)', 1),
    ('caisse', 'Caisse de la ressourcerie', 2),
    ('tri', 'Tri et pesée', 3),
    ('repair_cafe', 'Repair café', 4),
    ('troc_graines', 'Troc de graines', 5),
    ('accueil', 'Accueil', 6),
    ('entretien', 'Entretien des outils', 7);

CREATE TABLE tl.volunteer_shift (
    id           integer GENERATED ALWAYS AS IDENTITY CONSTRAINT volunteer_shift_pkey PRIMARY KEY,
    place_id     integer NOT NULL CONSTRAINT volunteer_shift_place_fkey REFERENCES tl.place,
    activity     text NOT NULL CONSTRAINT volunteer_shift_activity_fkey REFERENCES tl.volunteer_activity,
    starts_at    timestamptz NOT NULL,
    ends_at      timestamptz NOT NULL,
    needed       integer NOT NULL CONSTRAINT volunteer_shift_needed_range CHECK (needed BETWEEN 1 AND 50),
    note         text NOT NULL DEFAULT ''
                 CONSTRAINT volunteer_shift_note_length CHECK (char_length(note) <= 300),
    created_by   integer CONSTRAINT volunteer_shift_created_by_fkey REFERENCES tl.account,
    created_at   timestamptz NOT NULL DEFAULT now(),
    cancelled_at timestamptz,
    CONSTRAINT volunteer_shift_period CHECK (ends_at > starts_at AND ends_at - starts_at <= interval '12 hours')
);
CREATE INDEX volunteer_shift_place_idx ON tl.volunteer_shift (place_id, starts_at);

COMMENT ON TABLE tl.volunteer_shift IS 'A volunteer shift a place publishes: activity, times, people needed';

CREATE TABLE tl.volunteer_signup (
    id           bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT volunteer_signup_pkey PRIMARY KEY,
    shift_id     integer NOT NULL CONSTRAINT volunteer_signup_shift_fkey REFERENCES tl.volunteer_shift,
    -- NULL once detached from the person (erasure, retention): the hours stay counted.
    account_id   integer CONSTRAINT volunteer_signup_account_fkey REFERENCES tl.account ON DELETE SET NULL,
    signed_up_at timestamptz NOT NULL DEFAULT now(),
    withdrawn_at timestamptz,
    -- Once detached: a random number shared by the sign-ups the same person
    -- gave to one place, activity and month, so the number of distinct
    -- volunteers the group's totals show stays what it was; it links
    -- nothing beyond that cell and nothing to a person.
    tally_key    bigint,
    -- The minutes actually given when they differ from the shift's length.
    minutes_given integer
                 CONSTRAINT volunteer_signup_minutes_range CHECK (minutes_given IS NULL OR minutes_given BETWEEN 0 AND 720),
    CONSTRAINT volunteer_signup_detached_key CHECK (account_id IS NULL OR tally_key IS NULL),
    CONSTRAINT volunteer_signup_withdrawn_after CHECK (withdrawn_at IS NULL OR withdrawn_at >= signed_up_at)
);
-- One live sign-up per person and shift.
CREATE UNIQUE INDEX volunteer_signup_once ON tl.volunteer_signup (shift_id, account_id)
    WHERE withdrawn_at IS NULL AND account_id IS NOT NULL;
CREATE INDEX volunteer_signup_account_idx ON tl.volunteer_signup (account_id) WHERE account_id IS NOT NULL;

COMMENT ON TABLE tl.volunteer_signup IS
    'A volunteer signed up for a shift (withdrawn or not); detached from the person on erasure or after the delay';

-- The value of one hour of volunteering, for the valuation in the accounts.
-- The default is the gross hourly SMIC since 1 November 2024 (11.88 €,
-- décret n° 2024-951); a place sets its own (the SMIC with charges, a
-- newer SMIC) in the back office.
ALTER TABLE tl.place ADD COLUMN volunteer_hour_value numeric(8,2) NOT NULL DEFAULT 11.88
    CONSTRAINT place_volunteer_hour_value_range CHECK (volunteer_hour_value BETWEEN 0 AND 1000);

-- How long a sign-up stays linked to its volunteer after its shift.
ALTER TABLE tl.retention ADD COLUMN volunteer_months integer NOT NULL DEFAULT 24
    CONSTRAINT retention_volunteer_months_range CHECK (volunteer_months BETWEEN 1 AND 120);
