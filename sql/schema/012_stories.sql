-- Testimonies, « témoignages » (issue 17, point 4): impact told with
-- stories as well as numbers. A volunteer writes down a short testimony a
-- person gave, with their consent, signed with a first name or nothing,
-- attached to a place and, when it is about one, to an activity or a
-- repair café session. The place's référents choose which are public.
--
-- A testimony is linked to no member and no account, on purpose: nothing
-- here says who told it or who wrote it down (a test checks that no
-- foreign key leaves this table for a person's table). The person keeps a
-- withdrawal code (only its SHA-256 is stored): entering it on the public
-- withdrawal page, or asking the place, deletes the testimony entirely.

-- The closed list of activities a testimony may be about, French labels.
CREATE TABLE tl.story_activity (
    code  text CONSTRAINT story_activity_pkey PRIMARY KEY
          CONSTRAINT story_activity_code_format CHECK (code ~ '^[a-z]{2,30}$'),
    label text NOT NULL CONSTRAINT story_activity_label_not_blank CHECK (btrim(label) <> ''),
    rank  integer NOT NULL
);

COMMENT ON TABLE tl.story_activity IS 'What a testimony may be about (a closed list, labels in French)';

INSERT INTO tl.story_activity (code, label, rank) VALUES
    ('outiltheque', 'Outilthèque', 1),
    ('grainotheque', 'Grainothèque', 2),
    ('reparation', 'Café réparation', 3),
    ('ressourcerie', 'Ressourcerie', 4),
    ('benevolat', 'Bénévolat', 5),
    ('lieu', 'La vie du lieu', 6);

CREATE TABLE tl.story (
    id           integer GENERATED ALWAYS AS IDENTITY CONSTRAINT story_pkey PRIMARY KEY,
    place_id     integer NOT NULL CONSTRAINT story_place_fkey REFERENCES tl.place,
    activity     text CONSTRAINT story_activity_fkey REFERENCES tl.story_activity,
    -- A session that is deleted leaves the testimony, about the place.
    repair_session_id integer CONSTRAINT story_repair_session_fkey REFERENCES tl.repair_session ON DELETE SET NULL,
    body         text NOT NULL
                 CONSTRAINT story_body_not_blank CHECK (btrim(body) <> '')
                 CONSTRAINT story_body_length CHECK (char_length(body) <= 1000),
    -- NULL: anonymous. A first name alone: letters, joined by a hyphen or
    -- an apostrophe (Marie-Ève, N'Golo), never a space, a digit or an @,
    -- so neither a full name nor an e-mail or a phone fits.
    first_name   text
                 CONSTRAINT story_first_name_only CHECK (first_name IS NULL OR (char_length(first_name) <= 30
                     AND first_name ~ '^[A-Za-zÀ-ÖØ-öø-ÿŒœ]+([-''’][A-Za-zÀ-ÖØ-öø-ÿŒœ]+)*$')),
    told_on      date NOT NULL CONSTRAINT story_told_on_range CHECK (told_on >= date '2000-01-01'),
    -- The volunteer ticked that the person agreed, and said how they will
    -- withdraw: with the code on their receipt, or by asking the place.
    consent_noted_at timestamptz NOT NULL DEFAULT now(),
    withdrawal_by text NOT NULL CONSTRAINT story_withdrawal_by_choice CHECK (withdrawal_by IN ('code', 'lieu')),
    withdrawal_sha256 text NOT NULL
                 CONSTRAINT story_withdrawal_sha256_format CHECK (withdrawal_sha256 ~ '^[0-9a-f]{64}$')
                 CONSTRAINT story_withdrawal_sha256_key UNIQUE,
    -- When a référent made it public; NULL: private.
    public_since timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX story_place_idx ON tl.story (place_id, told_on DESC);
CREATE INDEX story_public_idx ON tl.story (told_on DESC, id DESC) WHERE public_since IS NOT NULL;

COMMENT ON TABLE tl.story IS
    'A testimony given with consent, signed with a first name or anonymous, linked to no person; public once a référent chooses';

-- How long a testimony is kept after the day it was told, unless withdrawn sooner.
ALTER TABLE tl.retention ADD COLUMN story_months integer NOT NULL DEFAULT 36
    CONSTRAINT retention_story_months_range CHECK (story_months BETWEEN 1 AND 120);
