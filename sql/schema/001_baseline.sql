-- Baseline: every table, type, sequence, index, constraint and reference row
-- as migrations 001_foundation to 031_erasure left them, squashed once (no
-- installation but the demo existed). Frozen: a change of structure is a new
-- numbered file beside this one. Functions, views, triggers and rights live
-- in sql/logic, applied after the numbered files.

CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE SCHEMA IF NOT EXISTS tl;

------------------------------------------------------------------------------
-- Schema helpers: the only functions defined here, because CHECK
-- constraints below call them and a table cannot exist before its
-- constraint's function. IMMUTABLE; sql/logic never redefines them, and
-- script/migrate keeps them when it drops the rest.
------------------------------------------------------------------------------
CREATE FUNCTION tl.is_time_zone(tz text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    -- IMMUTABLE so a CHECK may call it: the zone database only grows.
    PERFORM now() AT TIME ZONE tz;
    RETURN tz ~ '^[A-Za-z_]+(/[A-Za-z0-9_+-]+)+$' OR tz = 'UTC';
EXCEPTION WHEN invalid_parameter_value THEN
    RETURN false;
END $$;

------------------------------------------------------------------------------
-- The queue
------------------------------------------------------------------------------
-- An address the sending command accepts (tl_mail_addr_ok in the core):
-- local@domain in printable ASCII, without spaces, quotes, brackets,
-- commas or semicolons. A member's address may be looser (008); such a
-- member gets no e-mail rather than one that can never leave.
CREATE FUNCTION tl.mail_address_ok(p_address text) RETURNS boolean
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $$
    SELECT coalesce(p_address ~ '^[!-~]+$'
                    AND p_address ~ '^[^@<>()\[\],;:"\\]+@[^@<>()\[\],;:"\\]+\.[^@<>()\[\],;:"\\]+$', false)
$$;


-- ==========================================================================
-- From 001_foundation
-- ==========================================================================
-- 001 — the foundation: places, partner organisations and their collections,
-- one identity for every physical object, the outilthèque catalogue (items,
-- categories and their loan rules, loans, maintenance) and the grainothèque
-- (species, varieties, lots, movements), plus the data version that public
-- pages use as their ETag.
--
-- Applied by script/migrate inside one transaction. Never edit this file
-- once it has landed: add a new numbered migration instead.
CREATE EXTENSION IF NOT EXISTS btree_gist;

COMMENT ON SCHEMA tl IS 'mod_tierslieux: shared resources of tiers-lieux and mediathèques';

------------------------------------------------------------------------------
-- Data version: bumped by a statement trigger on every write to a tracked
-- table, in the writing transaction, so a reader that sees version N sees
-- exactly the data of version N. The module keys its ETags and its reuse of
-- rendered pages on it.
------------------------------------------------------------------------------
CREATE TABLE tl.data_version (
    shard      integer NOT NULL CONSTRAINT data_version_pkey PRIMARY KEY
               CONSTRAINT data_version_shard_range CHECK (shard BETWEEN 0 AND 15),
    version    bigint NOT NULL DEFAULT 0,
    changed_at timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE tl.data_version IS 'Counters bumped by every write to a tracked table; the data version is their sum';

-- Sixteen counters rather than one: a writer holds its counter's row until
-- it commits, and with one row every desk would wait for every other
-- desk's commit. The sum still grows with every committed write, so two
-- readers who see the same sum see the same data.
INSERT INTO tl.data_version (shard, version) SELECT s, CASE WHEN s = 0 THEN 1 ELSE 0 END FROM generate_series(0, 15) s;

------------------------------------------------------------------------------
-- French full-text search with accents ignored. unaccent() itself is only
-- STABLE and cannot feed a generated column, but a text search
-- configuration that maps words through the unaccent dictionary can.
------------------------------------------------------------------------------
CREATE TEXT SEARCH CONFIGURATION tl.fr (COPY = pg_catalog.french);

ALTER TEXT SEARCH CONFIGURATION tl.fr
    ALTER MAPPING FOR hword, hword_part, word WITH public.unaccent, pg_catalog.french_stem;

------------------------------------------------------------------------------
-- Organisations and places
------------------------------------------------------------------------------
CREATE TABLE tl.organisation (
    id          integer GENERATED ALWAYS AS IDENTITY CONSTRAINT organisation_pkey PRIMARY KEY,
    slug        text NOT NULL CONSTRAINT organisation_slug_key UNIQUE
                CONSTRAINT organisation_slug_format CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    name        text NOT NULL CONSTRAINT organisation_name_not_blank CHECK (btrim(name) <> ''),
    kind        text NOT NULL CONSTRAINT organisation_kind_known
                CHECK (kind IN ('commune', 'intercommunalite', 'association', 'cooperative', 'autre')),
    website     text CONSTRAINT organisation_website_http CHECK (website ~ '^https?://'),
    created_at  timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE tl.organisation IS 'A partner: a commune, a mediathèque network, an association that owns a collection';

CREATE TABLE tl.place (
    id              integer GENERATED ALWAYS AS IDENTITY CONSTRAINT place_pkey PRIMARY KEY,
    slug            text NOT NULL CONSTRAINT place_slug_key UNIQUE
                    CONSTRAINT place_slug_format CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    name            text NOT NULL CONSTRAINT place_name_not_blank CHECK (btrim(name) <> ''),
    kind            text NOT NULL CONSTRAINT place_kind_known
                    CHECK (kind IN ('mediatheque', 'tiers_lieu', 'ressourcerie', 'maison_de_quartier', 'autre')),
    organisation_id integer NOT NULL CONSTRAINT place_organisation_fkey REFERENCES tl.organisation,
    description     text NOT NULL DEFAULT '',
    street_address  text NOT NULL,
    postal_code     text NOT NULL CONSTRAINT place_postal_code_format CHECK (postal_code ~ '^[0-9]{5}$'),
    locality        text NOT NULL,
    -- OpenStreetMap opening_hours syntax (the subset the module's parser
    -- knows: weekdays, times, off, PH off, 24/7), as in the national
    -- "Lieux" open data schema.
    opening_hours   text NOT NULL DEFAULT '',
    time_zone       text NOT NULL DEFAULT 'Europe/Paris'
                    CONSTRAINT place_time_zone_known CHECK (tl.is_time_zone(time_zone)),
    phone           text,
    email           text CONSTRAINT place_email_format CHECK (email ~ '^[^@\s]+@[^@\s]+$'),
    website         text CONSTRAINT place_website_http CHECK (website ~ '^https?://'),
    latitude        numeric(8,6) CONSTRAINT place_latitude_range CHECK (latitude BETWEEN -90 AND 90),
    longitude       numeric(9,6) CONSTRAINT place_longitude_range CHECK (longitude BETWEEN -180 AND 180),
    created_at      timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE tl.place IS 'A place where things are lent, exchanged, repaired or sold';

-- A collection belongs to an organisation and is hosted at a place: an
-- association's grainothèque in a municipal mediathèque, a network's tools.
CREATE TABLE tl.collection (
    id              integer GENERATED ALWAYS AS IDENTITY CONSTRAINT collection_pkey PRIMARY KEY,
    organisation_id integer NOT NULL CONSTRAINT collection_organisation_fkey REFERENCES tl.organisation,
    place_id        integer NOT NULL CONSTRAINT collection_place_fkey REFERENCES tl.place,
    activity        text NOT NULL CONSTRAINT collection_activity_known
                    CHECK (activity IN ('outiltheque', 'grainotheque')),
    name            text NOT NULL CONSTRAINT collection_name_not_blank CHECK (btrim(name) <> ''),
    CONSTRAINT collection_unique_per_place UNIQUE (organisation_id, place_id, activity)
);

COMMENT ON TABLE tl.collection IS 'What an organisation owns and lends or exchanges at a place';

------------------------------------------------------------------------------
-- One identity for every physical object. A tool, later a ressourcerie
-- stock item or an object brought to a repair café, references exactly one
-- row here, so an object keeps its history when it moves between activities.
------------------------------------------------------------------------------
CREATE TABLE tl.object (
    id         bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT object_pkey PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE tl.object IS 'The identity of a physical object across lending, repair and reuse';

------------------------------------------------------------------------------
-- Outilthèque
------------------------------------------------------------------------------
CREATE TABLE tl.category (
    id            integer GENERATED ALWAYS AS IDENTITY CONSTRAINT category_pkey PRIMARY KEY,
    slug          text NOT NULL CONSTRAINT category_slug_key UNIQUE
                  CONSTRAINT category_slug_format CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    name          text NOT NULL CONSTRAINT category_name_not_blank CHECK (btrim(name) <> ''),
    loan_days     integer NOT NULL DEFAULT 14 CONSTRAINT category_loan_days_range CHECK (loan_days BETWEEN 1 AND 365),
    max_renewals  integer NOT NULL DEFAULT 1 CONSTRAINT category_max_renewals_range CHECK (max_renewals BETWEEN 0 AND 20),
    deposit       numeric(8,2) CONSTRAINT category_deposit_positive CHECK (deposit >= 0),
    sort_order    integer NOT NULL DEFAULT 0
);

COMMENT ON TABLE tl.category IS 'Item categories and their loan rules (length, renewals, deposit)';

CREATE TABLE tl.item_condition (
    code  text CONSTRAINT item_condition_pkey PRIMARY KEY,
    label text NOT NULL,
    rank  integer NOT NULL CONSTRAINT item_condition_rank_key UNIQUE
);

COMMENT ON TABLE tl.item_condition IS 'Condition scale of an item, with its French label';

INSERT INTO tl.item_condition (code, label, rank) VALUES
    ('neuf', 'Neuf', 1),
    ('tres_bon', 'Très bon état', 2),
    ('bon', 'Bon état', 3),
    ('correct', 'État correct', 4),
    ('use', 'Usé mais fonctionnel', 5);

CREATE TABLE tl.item (
    id                    integer GENERATED ALWAYS AS IDENTITY CONSTRAINT item_pkey PRIMARY KEY,
    object_id             bigint NOT NULL CONSTRAINT item_object_key UNIQUE
                          CONSTRAINT item_object_fkey REFERENCES tl.object,
    code                  text NOT NULL CONSTRAINT item_code_key UNIQUE
                          CONSTRAINT item_code_format CHECK (code ~ '^[A-Z0-9][A-Z0-9-]{0,31}$'),
    barcode               text CONSTRAINT item_barcode_key UNIQUE
                          CONSTRAINT item_barcode_format CHECK (barcode ~ '^[A-Za-z0-9-]{1,64}$'),
    title                 text NOT NULL CONSTRAINT item_title_not_blank CHECK (btrim(title) <> ''),
    brand                 text,
    description           text NOT NULL DEFAULT '',
    category_id           integer NOT NULL CONSTRAINT item_category_fkey REFERENCES tl.category,
    collection_id         integer NOT NULL CONSTRAINT item_collection_fkey REFERENCES tl.collection,
    place_id              integer NOT NULL CONSTRAINT item_place_fkey REFERENCES tl.place,
    condition             text NOT NULL DEFAULT 'bon' CONSTRAINT item_condition_fkey REFERENCES tl.item_condition,
    -- Per-item overrides of the category's rules; NULL means "the category's".
    loan_days             integer CONSTRAINT item_loan_days_range CHECK (loan_days BETWEEN 1 AND 365),
    deposit               numeric(8,2) CONSTRAINT item_deposit_positive CHECK (deposit >= 0),
    -- Electrical tools carry a safety check date and interval.
    safety_check_days     integer CONSTRAINT item_safety_check_days_range CHECK (safety_check_days BETWEEN 1 AND 3650),
    last_safety_check     date,
    -- Photos come later: the column is here so templates have a place for it.
    photo                 text,
    created_at            timestamptz NOT NULL DEFAULT now(),
    retired_at            timestamptz,
    search                tsvector NOT NULL GENERATED ALWAYS AS (
                              setweight(to_tsvector('pg_catalog.simple', coalesce(code, '')), 'A') ||
                              setweight(to_tsvector('tl.fr', title), 'A') ||
                              setweight(to_tsvector('tl.fr', coalesce(brand, '')), 'B') ||
                              setweight(to_tsvector('tl.fr', description), 'C')) STORED
);

COMMENT ON TABLE tl.item IS 'A tool or object of the outilthèque; its availability is derived from loans and maintenance';

CREATE INDEX item_search_idx ON tl.item USING gin (search);

CREATE INDEX item_category_idx ON tl.item (category_id);

CREATE INDEX item_place_idx ON tl.item (place_id);

-- The words of the catalogue, accents removed, for typo tolerance: a search
-- word that is not one of them is matched by trigram similarity against
-- this list ("perseuse" -> "perceuse"), then searched.
CREATE MATERIALIZED VIEW tl.catalogue_word AS
    SELECT w.word, count(*)::integer AS uses
      FROM tl.item i,
           regexp_split_to_table(lower(public.unaccent(i.title || ' ' || coalesce(i.brand, '') || ' ' || i.description)),
                                 '[^a-z0-9]+') AS w(word)
     WHERE i.retired_at IS NULL AND length(w.word) >= 3
     GROUP BY w.word;

CREATE UNIQUE INDEX catalogue_word_key ON tl.catalogue_word (word);

CREATE INDEX catalogue_word_trgm_idx ON tl.catalogue_word USING gist (word gist_trgm_ops);

------------------------------------------------------------------------------
-- Members (the lending desk extends this table), loans and maintenance.
-- Only what the CNIL's norm for libraries allows; a loan loses its member
-- when it is anonymised (member_id set to NULL).
------------------------------------------------------------------------------
CREATE TABLE tl.member (
    id            integer GENERATED ALWAYS AS IDENTITY CONSTRAINT member_pkey PRIMARY KEY,
    member_number text NOT NULL CONSTRAINT member_number_key UNIQUE,
    family_name   text NOT NULL,
    given_name    text NOT NULL,
    email         text,
    phone         text,
    birth_year    integer CONSTRAINT member_birth_year_range CHECK (birth_year BETWEEN 1900 AND 2100),
    created_at    timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE tl.member IS 'A borrower (adhérent); never readable by the public pages';

CREATE TABLE tl.maintenance (
    id         bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT maintenance_pkey PRIMARY KEY,
    item_id    integer NOT NULL CONSTRAINT maintenance_item_fkey REFERENCES tl.item,
    started_at timestamptz NOT NULL DEFAULT now(),
    ended_at   timestamptz,
    reason     text NOT NULL CONSTRAINT maintenance_reason_not_blank CHECK (btrim(reason) <> ''),
    work_done  text NOT NULL DEFAULT '',
    CONSTRAINT maintenance_ended_after_start CHECK (ended_at IS NULL OR ended_at >= started_at),
    CONSTRAINT maintenance_no_overlap EXCLUDE USING gist
        (item_id WITH =, tstzrange(started_at, ended_at, '[)') WITH &&)
);

COMMENT ON TABLE tl.maintenance IS 'A period an item spends in maintenance; open while ended_at is NULL';

CREATE INDEX maintenance_open_idx ON tl.maintenance (item_id) WHERE ended_at IS NULL;

------------------------------------------------------------------------------
-- Grainothèque: an exchange, not a loan. A lot's packets are the sum of its
-- movements (deposits in, withdrawals out), never stored.
------------------------------------------------------------------------------
CREATE TABLE tl.seed_species (
    id          integer GENERATED ALWAYS AS IDENTITY CONSTRAINT seed_species_pkey PRIMARY KEY,
    common_name text NOT NULL CONSTRAINT seed_species_common_name_key UNIQUE,
    latin_name  text NOT NULL,
    family      text NOT NULL
);

COMMENT ON TABLE tl.seed_species IS 'A plant species (tomate, Solanum lycopersicum, Solanacées)';

CREATE TABLE tl.seed_variety (
    id          integer GENERATED ALWAYS AS IDENTITY CONSTRAINT seed_variety_pkey PRIMARY KEY,
    species_id  integer NOT NULL CONSTRAINT seed_variety_species_fkey REFERENCES tl.seed_species,
    name        text NOT NULL CONSTRAINT seed_variety_name_not_blank CHECK (btrim(name) <> ''),
    description text NOT NULL DEFAULT '',
    sowing      text NOT NULL DEFAULT '',
    CONSTRAINT seed_variety_unique_name UNIQUE (species_id, name)
);

COMMENT ON TABLE tl.seed_variety IS 'A variety of a species (tomate « Cœur de bœuf »)';

CREATE TABLE tl.seed_lot (
    id            integer GENERATED ALWAYS AS IDENTITY CONSTRAINT seed_lot_pkey PRIMARY KEY,
    variety_id    integer NOT NULL CONSTRAINT seed_lot_variety_fkey REFERENCES tl.seed_variety,
    collection_id integer NOT NULL CONSTRAINT seed_lot_collection_fkey REFERENCES tl.collection,
    place_id      integer NOT NULL CONSTRAINT seed_lot_place_fkey REFERENCES tl.place,
    harvest_year  integer NOT NULL CONSTRAINT seed_lot_harvest_year_range CHECK (harvest_year BETWEEN 1950 AND 2100),
    -- The grower's name is optional and never shown on public pages.
    grower        text,
    created_at    timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE tl.seed_lot IS 'Seeds of one variety harvested one year, kept at a place';

CREATE TABLE tl.seed_movement (
    id         bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT seed_movement_pkey PRIMARY KEY,
    lot_id     integer NOT NULL CONSTRAINT seed_movement_lot_fkey REFERENCES tl.seed_lot,
    kind       text NOT NULL CONSTRAINT seed_movement_kind_known CHECK (kind IN ('depot', 'retrait')),
    packets    integer NOT NULL CONSTRAINT seed_movement_packets_positive CHECK (packets > 0),
    at         timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE tl.seed_movement IS 'Packets deposited into or withdrawn from a lot';

CREATE INDEX seed_movement_lot_idx ON tl.seed_movement (lot_id);


-- ==========================================================================
-- From 002_accounts
-- ==========================================================================
-- 002 — the people who run the places: accounts, and their roles per place.
-- Authentication stays httpd's (mod_auth_form with the module's authn
-- provider, or the site's LDAP, CAS or OpenID Connect): these rows give a
-- REMOTE_USER its roles, and hold a bcrypt hash for sites that log people
-- in with the module's own provider.
CREATE TABLE tl.account (
    id            integer GENERATED ALWAYS AS IDENTITY CONSTRAINT account_pkey PRIMARY KEY,
    login         text NOT NULL CONSTRAINT account_login_key UNIQUE
                  CONSTRAINT account_login_format CHECK (login ~ '^[a-z0-9][a-z0-9._@-]{1,63}$'),
    display_name  text NOT NULL CONSTRAINT account_display_name_not_blank CHECK (btrim(display_name) <> ''),
    -- bcrypt ($2y$/$2a$/$2b$), as apr_password_validate reads it; NULL for
    -- people who log in through the site's own identity system.
    password_hash text CONSTRAINT account_password_bcrypt CHECK (password_hash ~ '^\$2[aby]\$[0-9]{2}\$'),
    active        boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE tl.account IS 'A volunteer, coordinator or administrator who logs in';

CREATE TABLE tl.account_role (
    account_id integer NOT NULL CONSTRAINT account_role_account_fkey REFERENCES tl.account,
    place_id   integer NOT NULL CONSTRAINT account_role_place_fkey REFERENCES tl.place,
    role       text NOT NULL CONSTRAINT account_role_known CHECK (role IN ('benevole', 'referent', 'admin')),
    CONSTRAINT account_role_pkey PRIMARY KEY (account_id, place_id)
);

COMMENT ON TABLE tl.account_role IS 'The role of an account at a place; roles nest: admin > referent > benevole';


-- ==========================================================================
-- From 003_seed_desk
-- ==========================================================================
-- 003 — the grainothèque at the desk: deposits and withdrawals recorded by
-- a volunteer of the place, through functions that check the role at that
-- place and the stock, in one transaction each.
ALTER TABLE tl.seed_movement
    ADD COLUMN account_id integer CONSTRAINT seed_movement_account_fkey REFERENCES tl.account;

COMMENT ON COLUMN tl.seed_movement.account_id IS 'Who recorded it at the desk (NULL for imported history)';


-- ==========================================================================
-- From 004_bookings
-- ==========================================================================
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


-- ==========================================================================
-- From 006_retention
-- ==========================================================================
-- 006 — personal data kept no longer than the CNIL's norm for library loans
-- says: a loan loses every link to its borrower at the end of the fourth
-- month after its return, and a member with no loan for a year is deleted,
-- unless something is still out. Both delays can be changed. A command run
-- by cron applies them (script/retention), with the clock as a parameter so
-- that tests can fix it.
CREATE TABLE tl.retention (
    singleton            boolean NOT NULL DEFAULT true CONSTRAINT retention_pkey PRIMARY KEY
                         CONSTRAINT retention_singleton CHECK (singleton),
    loan_months          integer NOT NULL DEFAULT 4
                         CONSTRAINT retention_loan_months_range CHECK (loan_months BETWEEN 1 AND 24),
    inactive_member_months integer NOT NULL DEFAULT 12
                         CONSTRAINT retention_member_months_range CHECK (inactive_member_months BETWEEN 1 AND 60)
);

COMMENT ON TABLE tl.retention IS 'How long links between people and what they borrowed are kept (CNIL NS-009)';

INSERT INTO tl.retention DEFAULT VALUES;

-- A member's last loan, kept on the member: the bookings lose their link to
-- the person after a few months, the member's own clock must not.
ALTER TABLE tl.member ADD COLUMN last_loan_at timestamptz;

COMMENT ON COLUMN tl.member.last_loan_at IS 'When the member last borrowed something (for deletion after inactivity)';


-- ==========================================================================
-- From 008_members
-- ==========================================================================
-- 008 — registering members at the desk: only what the CNIL's norm for
-- library loans allows (name, first name, a way to reach them, year of birth
-- optional), a member number for the card, the place's charter accepted.
-- Fees and deposits are optional per place and only recorded.
ALTER TABLE tl.place
    ADD COLUMN charter text NOT NULL DEFAULT '',
    ADD COLUMN uses_deposits boolean NOT NULL DEFAULT false;

COMMENT ON COLUMN tl.place.charter IS 'The charter members accept when they join at this place';

ALTER TABLE tl.member
    ADD COLUMN place_id integer CONSTRAINT member_place_fkey REFERENCES tl.place,
    ADD COLUMN charter_accepted_at timestamptz,
    ADD COLUMN registered_by integer CONSTRAINT member_registered_by_fkey REFERENCES tl.account,
    ADD CONSTRAINT member_email_format CHECK (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
    ADD CONSTRAINT member_names_not_blank CHECK (btrim(family_name) <> '' AND btrim(given_name) <> '');

CREATE TABLE tl.member_deposit (
    id          bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT member_deposit_pkey PRIMARY KEY,
    member_id   integer NOT NULL CONSTRAINT member_deposit_member_fkey REFERENCES tl.member ON DELETE CASCADE,
    amount      numeric(8,2) NOT NULL CONSTRAINT member_deposit_amount_positive CHECK (amount > 0),
    kind        text NOT NULL CONSTRAINT member_deposit_kind_known
                CHECK (kind IN ('cheque_non_encaisse', 'especes', 'autre')),
    received_on date NOT NULL DEFAULT current_date,
    returned_on date,
    recorded_by integer CONSTRAINT member_deposit_recorded_by_fkey REFERENCES tl.account,
    CONSTRAINT member_deposit_returned_after CHECK (returned_on IS NULL OR returned_on >= received_on)
);

COMMENT ON TABLE tl.member_deposit IS 'A deposit (caution) a member left, recorded only: no payment is processed';

CREATE SEQUENCE tl.member_number_seq;

-- As migration 008 left it on a new database (numbers start at 2).
DO $$ BEGIN PERFORM setval('tl.member_number_seq', 1); END $$;


-- ==========================================================================
-- From 009_member_file
-- ==========================================================================
-- 009 — a member's file at the desk: what they have out and borrowed, their
-- renewals, and their CNIL rights (see, take away, erase). Every read of a
-- member's file is recorded (who, whom, when), since the link between a
-- person and what they borrowed is confidential.
CREATE TABLE tl.member_access (
    id         bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT member_access_pkey PRIMARY KEY,
    account_id integer NOT NULL CONSTRAINT member_access_account_fkey REFERENCES tl.account,
    member_id  integer CONSTRAINT member_access_member_fkey REFERENCES tl.member ON DELETE SET NULL,
    action     text NOT NULL CONSTRAINT member_access_action_known
               CHECK (action IN ('consultation', 'export', 'effacement', 'prolongation')),
    at         timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE tl.member_access IS 'Who read, exported, changed or erased which member file, and when';


-- ==========================================================================
-- From 010_maintenance_desk
-- ==========================================================================
-- 010 — the maintenance log of an item at the desk: who sent it to
-- maintenance and why, who brought it back and what was done; closing can
-- record the electrical safety check. An item in maintenance is never shown
-- available (tl.item_availability) and cannot be lent (tl.check_out).
ALTER TABLE tl.maintenance
    ADD COLUMN opened_by integer CONSTRAINT maintenance_opened_by_fkey REFERENCES tl.account,
    ADD COLUMN closed_by integer CONSTRAINT maintenance_closed_by_fkey REFERENCES tl.account;


-- ==========================================================================
-- From 013_waiting_list
-- ==========================================================================
-- 013 — a waiting list per item: members queue for an item that is out;
-- when it comes back the desk sees who to call first. Borrowing the item
-- takes the member off the list.
CREATE TABLE tl.waiting_list (
    id         bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT waiting_list_pkey PRIMARY KEY,
    item_id    integer NOT NULL CONSTRAINT waiting_list_item_fkey REFERENCES tl.item,
    member_id  integer NOT NULL CONSTRAINT waiting_list_member_fkey REFERENCES tl.member ON DELETE CASCADE,
    added_at   timestamptz NOT NULL DEFAULT now(),
    added_by   integer CONSTRAINT waiting_list_added_by_fkey REFERENCES tl.account,
    served_at  timestamptz,
    removed_at timestamptz
);

COMMENT ON TABLE tl.waiting_list IS 'Members waiting for an item, in order; never shown publicly';

CREATE UNIQUE INDEX waiting_list_once ON tl.waiting_list (item_id, member_id)
    WHERE served_at IS NULL AND removed_at IS NULL;


-- ==========================================================================
-- From 014_seed_reminders
-- ==========================================================================
-- 014 — who took seeds, so the grainothèque can remind them to bring back a
-- share of their harvest (a list the volunteers read, not e-mails). The link
-- is optional, and the retention command removes it after a year.
ALTER TABLE tl.seed_movement
    ADD COLUMN member_id integer CONSTRAINT seed_movement_member_fkey REFERENCES tl.member ON DELETE SET NULL;

COMMENT ON COLUMN tl.seed_movement.member_id IS 'Who took the seeds, if they agreed to be reminded (kept a year)';


-- ==========================================================================
-- From 015_member_lookup_and_fees
-- ==========================================================================
-- 015 — finding a member by name at the desk when the card is forgotten,
-- and the membership fee, optional per place and only recorded.
ALTER TABLE tl.place ADD COLUMN uses_fees boolean NOT NULL DEFAULT false;

ALTER TABLE tl.member
    ADD COLUMN fee_amount numeric(8,2) CONSTRAINT member_fee_amount_positive CHECK (fee_amount >= 0),
    ADD COLUMN fee_paid_on date;

COMMENT ON COLUMN tl.member.fee_amount IS 'Membership fee paid, if the place asks for one (recorded only)';


-- ==========================================================================
-- From 016_back_office
-- ==========================================================================
-- 016 — the back office: référents run their place from the browser.
-- Items (created, edited, retired — never deleted), categories and their
-- loan rules, the place's own settings and closures, and the people who run
-- it. Every change goes through one function that checks the caller's role
-- at the place concerned and writes a line in the journal (who, when, what).
--
-- Who may do what:
--   référent of a place: its items, its settings and closures, its team
--     (bénévoles and référents), seed species and varieties (a shared list);
--   admin (network coordinator: the admin role at any place): the
--     categories and their loan rules, shared by every place of the network,
--     the retention delays, and granting the admin role.
-- Categories stay shared on purpose: the public catalogue filters by them
-- across places, and an item can override the loan length and deposit.

-- ---- the journal -----------------------------------------------------------
CREATE TABLE tl.admin_log (
    id         bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT admin_log_pkey PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    account_id integer NOT NULL CONSTRAINT admin_log_account_fkey REFERENCES tl.account,
    place_id   integer CONSTRAINT admin_log_place_fkey REFERENCES tl.place,      -- NULL: the whole network
    action     text NOT NULL CONSTRAINT admin_log_action_not_blank CHECK (btrim(action) <> ''),
    subject    text NOT NULL,
    detail     text NOT NULL DEFAULT ''
);

COMMENT ON TABLE tl.admin_log IS 'Who changed what in the back office, and when; never any member''s data';

CREATE INDEX admin_log_place_idx ON tl.admin_log (place_id, at DESC);

-- ---- loan rules: the most items a member may hold in a category ----------
ALTER TABLE tl.category
    ADD COLUMN max_items integer CONSTRAINT category_max_items_range CHECK (max_items BETWEEN 1 AND 50);

COMMENT ON COLUMN tl.category.max_items IS 'Most items of this category one member may have on loan at once; NULL: no limit';

-- ---- the place -------------------------------------------------------------
CREATE TABLE tl.place_closure (
    id        integer GENERATED ALWAYS AS IDENTITY CONSTRAINT place_closure_pkey PRIMARY KEY,
    place_id  integer NOT NULL CONSTRAINT place_closure_place_fkey REFERENCES tl.place,
    starts_on date NOT NULL,
    ends_on   date NOT NULL,
    reason    text NOT NULL CONSTRAINT place_closure_reason_not_blank CHECK (btrim(reason) <> ''),
    CONSTRAINT place_closure_order CHECK (ends_on >= starts_on),
    CONSTRAINT place_closure_length CHECK (ends_on - starts_on <= 366),
    CONSTRAINT place_closure_no_overlap EXCLUDE USING gist
        (place_id WITH =, daterange(starts_on, ends_on, '[]') WITH &&)
);

COMMENT ON TABLE tl.place_closure IS 'Days a place is closed beyond its opening hours (holidays, works): no due date falls on them';

-- ---- impact factors ----------------------------------------------------------
-- The published factors the impact figures use, each with its source and
-- method, versioned (a change is a new row from a date, so last year's
-- report keeps last year's factors). The network's row applies unless a
-- place has its own; a place's row with no value goes back to the
-- network's.
CREATE TABLE tl.impact_factor_kind (
    key    text CONSTRAINT impact_factor_kind_pkey PRIMARY KEY,
    label  text NOT NULL,
    unit   text NOT NULL,
    method text NOT NULL,
    rank   integer NOT NULL
);

COMMENT ON TABLE tl.impact_factor_kind IS 'What each impact factor means and how the figures use it';

CREATE TABLE tl.impact_factor (
    id          integer GENERATED ALWAYS AS IDENTITY CONSTRAINT impact_factor_pkey PRIMARY KEY,
    key         text NOT NULL CONSTRAINT impact_factor_kind_fkey REFERENCES tl.impact_factor_kind,
    place_id    integer CONSTRAINT impact_factor_place_fkey REFERENCES tl.place,    -- NULL: the network's
    value       numeric(12,4) CONSTRAINT impact_factor_value_range CHECK (value >= 0 AND value <= 100000),
    source      text NOT NULL DEFAULT '',
    valid_from  date NOT NULL DEFAULT current_date,
    recorded_by integer CONSTRAINT impact_factor_recorded_by_fkey REFERENCES tl.account,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT impact_factor_network_has_value CHECK (place_id IS NOT NULL OR value IS NOT NULL),
    CONSTRAINT impact_factor_source_given CHECK (value IS NULL OR btrim(source) <> '')
);

COMMENT ON TABLE tl.impact_factor IS 'Impact factors with their source, by date; a place may use its own';

INSERT INTO tl.impact_factor_kind (key, label, unit, method, rank) VALUES
    ('pret_achat_evite', 'Part des emprunts comptés comme un achat évité', 'part (0 à 1)',
     'Chaque emprunt compte pour cette part d''un achat neuf évité.', 1),
    ('reparation_deplacement', 'Part d''un produit neuf remplacée par une réparation', 'part (0 à 1)',
     'Méthode du Restart Project : CO₂e évité = empreinte de la catégorie × ce facteur.', 2),
    ('co2_kg_electrique', 'Empreinte par kilo d''un objet électrique pesé', 'kg CO₂e / kg',
     'Pour un objet pesé plutôt que catégorisé (Restart Project).', 3),
    ('co2_kg_non_electrique', 'Empreinte par kilo d''un objet non électrique pesé', 'kg CO₂e / kg',
     'Pour un objet pesé plutôt que catégorisé (Restart Project, 2021).', 4),
    ('ressourcerie_reemploi', 'Part des apports réemployés (référence nationale)', 'part (0 à 1)',
     'Repère pour comparer le taux de réemploi d''une ressourcerie.', 5);

INSERT INTO tl.impact_factor (key, value, source, valid_from) VALUES
    ('pret_achat_evite', 0.5, 'Library of Things (Royaume-Uni), 2024', '2024-01-01'),
    ('reparation_deplacement', 0.5, 'The Restart Project, méthode de calcul d''impact', '2021-01-01'),
    ('co2_kg_electrique', 32.07, 'The Restart Project, objets pesés (électriques)', '2021-01-01'),
    ('co2_kg_non_electrique', 17.70, 'The Restart Project, 2021 (non électriques)', '2021-01-01'),
    ('ressourcerie_reemploi', 0.34, 'Réseau des ressourceries, 56 structures, 2011', '2011-01-01');


-- ==========================================================================
-- From 017_mail_queue
-- ==========================================================================
-- 017 — reminders by e-mail: a due date in two days, an overdue item (then
-- weekly, three times at most), a reservation ready to collect, a turn on
-- a waiting list. Messages are queued here, inside the transaction that
-- causes them (a rolled-back check-in queues nothing), and sent later by
-- tools/tierslieux-courriels, run by cron, through the machine's sendmail.
-- A message is only ever marked sent or tried again: never lost. The queue
-- is generic, so the repair café and the ressourcerie can use it too (a
-- kind of their own, a template, tl.enqueue_mail).
--
-- Nothing is queued for a member without an e-mail address: the desk
-- phones them (the overdue list shows the phone number).

------------------------------------------------------------------------------
-- Settings, kinds and the templates a place may reword
------------------------------------------------------------------------------
CREATE TABLE tl.mail_setting (
    singleton      boolean NOT NULL DEFAULT true CONSTRAINT mail_setting_pkey PRIMARY KEY
                   CONSTRAINT mail_setting_singleton CHECK (singleton),
    -- The From address and envelope sender, when the command is not given
    -- one with -f; NULL: the command refuses to send without -f.
    sender_address text CONSTRAINT mail_setting_sender_format
                   CHECK (sender_address ~ '^[A-Za-z0-9.!#$%&''*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$'),
    keep_sent_days integer NOT NULL DEFAULT 30
                   CONSTRAINT mail_setting_keep_sent_days_range CHECK (keep_sent_days BETWEEN 1 AND 365)
);

COMMENT ON TABLE tl.mail_setting IS 'Who sends the reminders and how long a sent message is kept';

INSERT INTO tl.mail_setting DEFAULT VALUES;

CREATE TABLE tl.mail_kind (
    code  text CONSTRAINT mail_kind_pkey PRIMARY KEY
          CONSTRAINT mail_kind_code_format CHECK (code ~ '^[a-z][a-z_]{1,39}$'),
    label text NOT NULL CONSTRAINT mail_kind_label_not_blank CHECK (btrim(label) <> '')
);

COMMENT ON TABLE tl.mail_kind IS 'Kinds of messages the queue carries, with their French name for the desk';

INSERT INTO tl.mail_kind (code, label) VALUES
    ('retour_proche', 'Retour dans deux jours'),
    ('retard', 'Objet en retard'),
    ('reservation_prete', 'Réservation prête'),
    ('liste_attente', 'Tour sur la liste d''attente');

-- Placeholders {{name}} are replaced by the values the caller gives
-- (tl.compose_mail); the place's signature is added below the body.
CREATE TABLE tl.mail_template (
    id       integer GENERATED ALWAYS AS IDENTITY CONSTRAINT mail_template_pkey PRIMARY KEY,
    kind     text NOT NULL CONSTRAINT mail_template_kind_fkey REFERENCES tl.mail_kind,
    place_id integer CONSTRAINT mail_template_place_fkey REFERENCES tl.place,   -- NULL: every place
    subject  text NOT NULL CONSTRAINT mail_template_subject_one_line
             CHECK (btrim(subject) <> '' AND subject !~ '[\r\n]' AND length(subject) <= 200),
    body     text NOT NULL CONSTRAINT mail_template_body_not_blank CHECK (btrim(body) <> ''),
    CONSTRAINT mail_template_once UNIQUE NULLS NOT DISTINCT (kind, place_id)
);

COMMENT ON TABLE tl.mail_template IS 'The French text of each kind of message; a place may have its own wording';

INSERT INTO tl.mail_template (kind, subject, body) VALUES
    ('retour_proche', 'Rappel : {{objet}} à rendre le {{date}}',
     E'Bonjour {{prenom}},\n\n'
     'Vous avez emprunté « {{objet}} » ({{numero}}) à {{lieu}}. '
     'Merci de le rapporter au plus tard le {{date}}.\n\n'
     'Si vous en avez encore besoin, demandez une prolongation au guichet ou par téléphone.\n\n'
     'Bonne journée !'),
    ('retard', 'Retard : {{objet}} était à rendre le {{date}}',
     E'Bonjour {{prenom}},\n\n'
     '« {{objet}} » ({{numero}}), emprunté à {{lieu}}, était à rendre le {{date}}. '
     'D''autres personnes l''attendent peut-être : merci de le rapporter dès que possible.\n\n'
     'Si vous l''avez déjà rapporté, ne tenez pas compte de ce message.'),
    ('reservation_prete', 'Votre réservation est prête : {{objet}}',
     E'Bonjour {{prenom}},\n\n'
     '« {{objet}} » ({{numero}}), que vous avez réservé du {{debut}} au {{fin}}, vous attend à {{lieu}}. '
     'Passez le chercher aux horaires ci-dessous.\n\n'
     'Si vous n''en avez plus besoin, prévenez-nous : quelqu''un d''autre pourra l''emprunter.'),
    ('liste_attente', 'C''est votre tour : {{objet}} est disponible',
     E'Bonjour {{prenom}},\n\n'
     '« {{objet}} » ({{numero}}), que vous attendiez, vient d''être rapporté à {{lieu}}. '
     'Vous êtes en tête de la liste d''attente : passez l''emprunter aux horaires ci-dessous.\n\n'
     'Si vous n''en avez plus besoin, prévenez-nous pour que la personne suivante en profite.');

-- Not tracked by tl.track_changes: no public page shows it, and the
-- sending command writes it all night long; bumping the data version
-- would only throw away the public pages kept for reuse.
CREATE TABLE tl.mail_message (
    id          bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT mail_message_pkey PRIMARY KEY,
    kind        text NOT NULL CONSTRAINT mail_message_kind_fkey REFERENCES tl.mail_kind,
    place_id    integer NOT NULL CONSTRAINT mail_message_place_fkey REFERENCES tl.place,
    -- Erasing a member (tl.erase_member) or deleting an inactive one
    -- (tl.apply_retention) takes their messages with them.
    member_id   integer CONSTRAINT mail_message_member_fkey REFERENCES tl.member ON DELETE CASCADE,
    recipient   text NOT NULL CONSTRAINT mail_message_recipient_format
                CHECK (tl.mail_address_ok(recipient)),
    subject     text NOT NULL CONSTRAINT mail_message_subject_one_line
                CHECK (btrim(subject) <> '' AND subject !~ '[\r\n]'),
    body        text NOT NULL CONSTRAINT mail_message_body_not_blank CHECK (btrim(body) <> ''),
    created_at  timestamptz NOT NULL DEFAULT now(),
    not_before  timestamptz NOT NULL DEFAULT now(),
    attempts    integer NOT NULL DEFAULT 0 CONSTRAINT mail_message_attempts_positive CHECK (attempts >= 0),
    -- What went wrong the last time, as the command words it ("sendmail
    -- exited with status 75"): never an address or a text from the message.
    last_error  text CONSTRAINT mail_message_last_error_short CHECK (length(last_error) <= 300),
    sent_at     timestamptz,
    CONSTRAINT mail_message_sent_after_created CHECK (sent_at IS NULL OR sent_at >= created_at)
);

COMMENT ON TABLE tl.mail_message IS 'E-mails waiting to be sent or recently sent (personal data: deleted after tl.mail_setting.keep_sent_days)';

CREATE INDEX mail_message_due_idx ON tl.mail_message (not_before, id) WHERE sent_at IS NULL;

CREATE INDEX mail_message_member_idx ON tl.mail_message (member_id);

CREATE INDEX mail_message_place_idx ON tl.mail_message (place_id, created_at);

-- What was queued for which booking, so that running the reminders twice
-- queues nothing twice, even after the messages themselves are deleted.
-- for_date is the due date (or the reservation's first day) the message
-- was about: a renewed loan is reminded again for its new date.
CREATE TABLE tl.booking_reminder (
    booking_id bigint NOT NULL CONSTRAINT booking_reminder_booking_fkey REFERENCES tl.booking ON DELETE CASCADE,
    kind       text NOT NULL CONSTRAINT booking_reminder_kind_fkey REFERENCES tl.mail_kind,
    for_date   date NOT NULL,
    rank       integer NOT NULL DEFAULT 1 CONSTRAINT booking_reminder_rank_range CHECK (rank BETWEEN 1 AND 10),
    queued_on  date NOT NULL,
    queued_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT booking_reminder_pkey PRIMARY KEY (booking_id, kind, for_date, rank)
);

COMMENT ON TABLE tl.booking_reminder IS 'Which reminder was queued for which booking (no personal data; keeps the reminders idempotent)';


-- ==========================================================================
-- From 018_member_accounts
-- ==========================================================================
-- 018 — "Mon compte": members log in (their member number and a password
-- they set from a one-time link the desk gives them, or the site's own
-- login mapped to them) and see their loans, renew, reserve, join a
-- waiting list, and see, take away and erase their data.
--
-- One-time password links serve members and volunteer accounts alike
-- (exactly one of the two is set). The token is made by the web server
-- (32 random bytes, shown once); only its SHA-256 is stored here.
--
-- Every function a member's pages call takes the person httpd logged in
-- (REMOTE_USER: a member number, or a site login mapped to a member),
-- never a member id from a form, and reads or changes only that member's
-- rows.
ALTER TABLE tl.member
    -- bcrypt ($2y$/$2a$/$2b$) as apr_password_validate reads it; NULL until
    -- the member sets a password from a link.
    ADD COLUMN password_hash text CONSTRAINT member_password_bcrypt CHECK (password_hash ~ '^\$2[aby]\$[0-9]{2}\$'),
    -- The login of the site's own identity system (LDAP, CAS, OpenID
    -- Connect) that REMOTE_USER carries for this member, when the site has
    -- one (TiersLieuxMemberLogin site); it must not look like a member
    -- number, so the desk never mistakes one for the other.
    ADD COLUMN site_login text CONSTRAINT member_site_login_key UNIQUE
        CONSTRAINT member_site_login_format CHECK (site_login ~ '^[^\s]{2,128}$'
                                                   AND site_login !~* '^([a-z]-?)?[0-9]+$');

COMMENT ON COLUMN tl.member.password_hash IS 'bcrypt hash of the password the member set from a one-time link';

COMMENT ON COLUMN tl.member.site_login IS 'The site''s own login (REMOTE_USER) mapped to this member, if any';

CREATE TABLE tl.password_link (
    id           bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT password_link_pkey PRIMARY KEY,
    member_id    integer CONSTRAINT password_link_member_fkey REFERENCES tl.member ON DELETE CASCADE,
    account_id   integer CONSTRAINT password_link_account_fkey REFERENCES tl.account ON DELETE CASCADE,
    token_sha256 bytea NOT NULL CONSTRAINT password_link_token_key UNIQUE
                 CONSTRAINT password_link_token_length CHECK (length(token_sha256) = 32),
    created_by   integer CONSTRAINT password_link_created_by_fkey REFERENCES tl.account ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    used_at      timestamptz,
    voided_at    timestamptz,
    CONSTRAINT password_link_one_person CHECK (num_nonnulls(member_id, account_id) = 1),
    CONSTRAINT password_link_expires_after CHECK (expires_at > created_at)
);

COMMENT ON TABLE tl.password_link IS 'One-time links to set a password (a member''s or an account''s); only the token''s SHA-256';

-- A member reading or changing their own file is recorded too, without an
-- account.
ALTER TABLE tl.member_access
    ALTER COLUMN account_id DROP NOT NULL,
    ADD COLUMN by_member boolean NOT NULL DEFAULT false,
    ADD CONSTRAINT member_access_someone CHECK (account_id IS NOT NULL OR by_member),
    DROP CONSTRAINT member_access_action_known,
    ADD CONSTRAINT member_access_action_known
        CHECK (action IN ('consultation', 'export', 'effacement', 'prolongation', 'lien_mot_de_passe'));


-- ==========================================================================
-- From 019_imports
-- ==========================================================================
-- 019 — imports: what a place already has (items, members), from a CSV a
-- spreadsheet, Lend Engine, Koha or Circulate exported. The module reads the
-- file (tl_csv_read), maps its columns and hands the rows here as JSON; they
-- wait in tl.import_batch while the référent reads the preview, then are
-- imported all together or not at all. A batch holds personal data (a
-- members file): it is emptied once imported and deleted after a day.
CREATE TABLE tl.import_batch (
    id         bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT import_batch_pkey PRIMARY KEY,
    place_id   integer NOT NULL CONSTRAINT import_batch_place_fkey REFERENCES tl.place,
    account_id integer NOT NULL CONSTRAINT import_batch_account_fkey REFERENCES tl.account,
    kind       text NOT NULL CONSTRAINT import_batch_kind_known CHECK (kind IN ('objets', 'adherents', 'reparations')),
    file_name  text NOT NULL DEFAULT '',
    rows       jsonb NOT NULL CONSTRAINT import_batch_rows_array CHECK (jsonb_typeof(rows) = 'array'),
    created_at timestamptz NOT NULL DEFAULT now(),
    applied_at timestamptz
);

COMMENT ON TABLE tl.import_batch IS 'A file being imported: its rows wait here between the preview and the confirmation';


-- ==========================================================================
-- From 020_repair_cafe
-- ==========================================================================
-- 020 — repair café: sessions at a place, their slots with a capacity, and
-- residents' bookings. A booking asks for the object, its problem, a name
-- and one way to reach the person — nothing more — and is reached again
-- through a private link whose secret only the visitor holds (the database
-- keeps its SHA-256). Two visitors cannot take the last seat of a slot: a
-- booking locks its slot's row.
CREATE TABLE tl.repair_skill (
    code  text CONSTRAINT repair_skill_pkey PRIMARY KEY
          CONSTRAINT repair_skill_code_format CHECK (code ~ '^[a-z]+(_[a-z]+)*$'),
    label text NOT NULL,
    rank  integer NOT NULL
);

COMMENT ON TABLE tl.repair_skill IS 'Repair skills a session announces (électricité, couture, vélo…)';

INSERT INTO tl.repair_skill (code, label, rank) VALUES
    ('electricite', 'Électricité', 1),
    ('petit_electromenager', 'Petit électroménager', 2),
    ('informatique', 'Informatique et téléphones', 3),
    ('couture', 'Couture et textile', 4),
    ('velo', 'Vélo', 5),
    ('meubles', 'Meubles et bois', 6),
    ('jouets', 'Jouets', 7),
    ('bijoux', 'Bijoux et petits objets', 8);

CREATE TABLE tl.repair_session (
    id          integer GENERATED ALWAYS AS IDENTITY CONSTRAINT repair_session_pkey PRIMARY KEY,
    place_id    integer NOT NULL CONSTRAINT repair_session_place_fkey REFERENCES tl.place,
    title       text NOT NULL DEFAULT 'Repair café' CONSTRAINT repair_session_title_not_blank CHECK (btrim(title) <> ''),
    description text NOT NULL DEFAULT '',
    starts_at   timestamptz NOT NULL,
    ends_at     timestamptz NOT NULL,
    skills      text[] NOT NULL DEFAULT '{}',
    cancelled_at timestamptz,
    cancel_reason text,
    -- A session moved to another date: the new one, which the bookings follow.
    moved_to    integer CONSTRAINT repair_session_moved_to_fkey REFERENCES tl.repair_session,
    created_by  integer CONSTRAINT repair_session_created_by_fkey REFERENCES tl.account,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT repair_session_period CHECK (ends_at > starts_at AND ends_at - starts_at <= interval '16 hours'),
    CONSTRAINT repair_session_cancel_reason CHECK (cancelled_at IS NULL OR btrim(coalesce(cancel_reason, '')) <> '')
);

COMMENT ON TABLE tl.repair_session IS 'A repair café session at a place';

CREATE INDEX repair_session_starts_idx ON tl.repair_session (starts_at);

CREATE TABLE tl.repair_slot (
    id         integer GENERATED ALWAYS AS IDENTITY CONSTRAINT repair_slot_pkey PRIMARY KEY,
    session_id integer NOT NULL CONSTRAINT repair_slot_session_fkey REFERENCES tl.repair_session ON DELETE CASCADE,
    starts_at  timestamptz NOT NULL,
    capacity   integer NOT NULL CONSTRAINT repair_slot_capacity_range CHECK (capacity BETWEEN 1 AND 100),
    CONSTRAINT repair_slot_unique_start UNIQUE (session_id, starts_at)
);

COMMENT ON TABLE tl.repair_slot IS 'A time in a session, with how many objects can be booked for it';

-- Visitors' bookings: personal data (name, contact), never public, purged
-- with the loans' retention delay after the session.
CREATE TABLE tl.repair_booking (
    id           bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT repair_booking_pkey PRIMARY KEY,
    slot_id      integer NOT NULL CONSTRAINT repair_booking_slot_fkey REFERENCES tl.repair_slot,
    object       text NOT NULL CONSTRAINT repair_booking_object_not_blank CHECK (btrim(object) <> ''),
    problem      text NOT NULL DEFAULT '',
    visitor_name text,
    contact      text,
    token_sha256 text CONSTRAINT repair_booking_token_key UNIQUE
                 CONSTRAINT repair_booking_token_format CHECK (token_sha256 ~ '^[0-9a-f]{64}$'),
    created_at   timestamptz NOT NULL DEFAULT now(),
    cancelled_at timestamptz,
    purged_at    timestamptz
);

COMMENT ON TABLE tl.repair_booking IS 'A visitor''s booking of a slot for one object; name and contact purged after the session';

CREATE INDEX repair_booking_slot_idx ON tl.repair_booking (slot_id) WHERE cancelled_at IS NULL;


-- ==========================================================================
-- From 021_repair_sessions
-- ==========================================================================
-- 021 — repair café sessions run by référents: created one-off or
-- recurring (weekly, or monthly on the same weekday of the month, as "the
-- first Saturday"), with slots of a length and a capacity; repairers of the
-- place assigned with their skills; a session cancelled (its visitors see
-- it on their private page) or moved (their bookings follow to the new
-- date). Each change is one function that checks the référent's role at the
-- place and writes the journal (sql/016).
CREATE TABLE tl.repair_session_repairer (
    session_id integer NOT NULL CONSTRAINT repair_session_repairer_session_fkey REFERENCES tl.repair_session
               ON DELETE CASCADE,
    account_id integer NOT NULL CONSTRAINT repair_session_repairer_account_fkey REFERENCES tl.account,
    skills     text[] NOT NULL DEFAULT '{}',
    CONSTRAINT repair_session_repairer_pkey PRIMARY KEY (session_id, account_id)
);

COMMENT ON TABLE tl.repair_session_repairer IS 'The volunteer repairers expected at a session, with their skills';


-- ==========================================================================
-- From 022_repair_log
-- ==========================================================================
-- 022 — the repair log: what became of each object brought to a repair
-- café, in the Open Repair Data Standard's terms (ORDS v0.3): its product
-- category (ORDS's 40 where one fits, our own for unpowered objects such
-- as furniture, bicycles and textiles), brand, age, problem, outcome (with
-- the barrier for an end of life), weight if weighed, time spent and
-- repairer. A volunteer logs it on the day, from the queue of bookings and
-- walk-ins.
CREATE TABLE tl.repair_category (
    code     text CONSTRAINT repair_category_pkey PRIMARY KEY
             CONSTRAINT repair_category_code_format CHECK (code ~ '^[a-z0-9]+(_[a-z0-9]+)*$'),
    label    text NOT NULL,
    ords_id  integer CONSTRAINT repair_category_ords_id_key UNIQUE
             CONSTRAINT repair_category_ords_id_range CHECK (ords_id BETWEEN 1 AND 40),
    ords_name text,
    powered  boolean NOT NULL,
    rank     integer NOT NULL,
    CONSTRAINT repair_category_ords_both CHECK ((ords_id IS NULL) = (ords_name IS NULL))
);

COMMENT ON TABLE tl.repair_category IS 'Product categories of repaired objects: ORDS v0.3''s 40, and our own unpowered ones';

-- The average weight and footprint of each category, for the impact of
-- fixed objects, versioned by date like the other impact factors (sql/016).
CREATE TABLE tl.repair_category_factor (
    id           integer GENERATED ALWAYS AS IDENTITY CONSTRAINT repair_category_factor_pkey PRIMARY KEY,
    category     text NOT NULL CONSTRAINT repair_category_factor_category_fkey REFERENCES tl.repair_category,
    weight_kg    numeric(10,3) NOT NULL CONSTRAINT repair_category_factor_weight_positive CHECK (weight_kg >= 0),
    footprint_kg numeric(10,3) NOT NULL CONSTRAINT repair_category_factor_footprint_positive CHECK (footprint_kg >= 0),
    source       text NOT NULL,
    valid_from   date NOT NULL,
    CONSTRAINT repair_category_factor_unique UNIQUE (category, valid_from)
);

COMMENT ON TABLE tl.repair_category_factor IS 'Average weight (kg) and footprint (kg CO2e) per repair category, by date, with their source';

-- The 40 ORDS product categories (Open Repair Alliance, ORDS v0.3, CC BY-SA
-- 4.0), their French labels, and the Restart Project's reference weights
-- and footprints (openrepair/tools, ords_category_lca_reference.csv).
INSERT INTO tl.repair_category (code, label, ords_id, ords_name, powered, rank)
SELECT c.code, c.label, c.id, c.name, true, c.id
  FROM (VALUES
    (1, 'Aircon/dehumidifier', 'climatiseur', 'Climatiseur, déshumidificateur'),
    (2, 'Battery/charger/adapter', 'chargeur', 'Batterie, chargeur, adaptateur'),
    (3, 'Decorative or safety lights', 'guirlande', 'Guirlande, éclairage décoratif ou de sécurité'),
    (4, 'Desktop computer', 'ordinateur_bureau', 'Ordinateur de bureau'),
    (5, 'Digital compact camera', 'appareil_photo', 'Appareil photo compact'),
    (6, 'DSLR/video camera', 'reflex_camescope', 'Reflex, caméscope'),
    (7, 'Fan', 'ventilateur', 'Ventilateur'),
    (8, 'Flat screen', 'ecran_plat', 'Écran plat'),
    (9, 'Hair & beauty item', 'coiffure_beaute', 'Appareil de coiffure ou de beauté'),
    (10, 'Handheld entertainment device', 'baladeur', 'Baladeur, console portable'),
    (11, 'Headphones', 'casque_audio', 'Casque, écouteurs'),
    (12, 'Hi-Fi integrated', 'chaine_hifi', 'Chaîne hi-fi'),
    (13, 'Hi-Fi separates', 'element_hifi', 'Élément hi-fi (ampli, platine…)'),
    (14, 'Kettle', 'bouilloire', 'Bouilloire'),
    (15, 'Lamp', 'lampe', 'Lampe'),
    (16, 'Laptop', 'ordinateur_portable', 'Ordinateur portable'),
    (17, 'Large home electrical', 'gros_electromenager', 'Gros électroménager'),
    (18, 'Misc', 'divers_electrique', 'Divers (électrique)'),
    (19, 'Mobile', 'telephone', 'Téléphone mobile'),
    (20, 'Musical instrument', 'instrument', 'Instrument de musique'),
    (21, 'Paper shredder', 'destructeur', 'Destructeur de documents'),
    (22, 'PC accessory', 'accessoire_informatique', 'Accessoire informatique'),
    (23, 'Portable radio', 'radio', 'Radio portable'),
    (24, 'Power tool', 'outil_electrique', 'Outil électroportatif'),
    (25, 'Printer/scanner', 'imprimante', 'Imprimante, scanner'),
    (26, 'Projector', 'videoprojecteur', 'Vidéoprojecteur'),
    (27, 'Sewing machine', 'machine_a_coudre', 'Machine à coudre'),
    (28, 'Small home electrical', 'petit_electromenager', 'Petit électroménager'),
    (29, 'Small kitchen item', 'petit_appareil_cuisine', 'Petit appareil de cuisine'),
    (30, 'Tablet', 'tablette', 'Tablette'),
    (31, 'Toaster', 'grille_pain', 'Grille-pain'),
    (32, 'Toy', 'jouet_electrique', 'Jouet électrique'),
    (33, 'TV and gaming-related accessories', 'accessoire_tv_jeux', 'Accessoire TV ou jeux vidéo'),
    (34, 'Vacuum', 'aspirateur', 'Aspirateur'),
    (35, 'Watch/clock', 'montre_horloge', 'Montre, horloge'),
    (36, 'Coffee maker', 'cafetiere', 'Cafetière'),
    (37, 'Food processor', 'robot_cuisine', 'Robot de cuisine'),
    (38, 'Games console', 'console', 'Console de jeux'),
    (39, 'Hair dryer', 'seche_cheveux', 'Sèche-cheveux'),
    (40, 'Iron', 'fer_a_repasser', 'Fer à repasser')) AS c(id, name, code, label);

-- Unpowered objects have no ORDS category: ours, with the Restart
-- Project's 2021 figures where there are some (DOMAIN.md).
INSERT INTO tl.repair_category (code, label, powered, rank) VALUES
    ('meuble', 'Meuble', false, 101),
    ('velo', 'Vélo', false, 102),
    ('textile', 'Vêtement, textile', false, 103),
    ('outil_main', 'Outil à main', false, 104),
    ('bijou', 'Bijou, petit objet', false, 105),
    ('autre_non_electrique', 'Autre objet non électrique', false, 106),
    -- An imported row whose category is neither ORDS's nor ours: its own
    -- words stay in ext_product_category.
    ('non_classe', 'Non classé (import)', false, 107);

INSERT INTO tl.repair_category_factor (category, weight_kg, footprint_kg, source, valid_from)
SELECT c.code, f.weight, f.footprint,
       'The Restart Project, ords_category_lca_reference.csv (openrepair/tools, ccd642f)', date '2021-01-01'
  FROM (VALUES (1, 7.6, 99.41), (2, 1.65, 26.65), (3, 0.46, 14.72), (4, 6.69, 414.17), (5, 0.48, 29.73),
               (6, 0.59, 16.03), (7, 3.9, 15.6), (8, 8.268, 308.952), (9, 0.67, 10.28), (10, 0.14, 22.71),
               (11, 0.4, 3), (12, 8.95, 186.5), (13, 8.72, 123.86), (14, 1.25, 44.32), (15, 2.68, 14.96),
               (16, 1.83, 265.32), (17, 10, 26.65), (18, 0, 0), (19, 0.15, 50.51), (20, 17.7, 109.5),
               (21, 3.8, 59.5), (22, 0.44, 15.94), (23, 2.06, 54.65), (24, 1.65, 26.65), (25, 12.47, 100.69),
               (26, 2.68, 57.58), (27, 8.6, 35), (28, 2.95, 30.9), (29, 2.95, 30.9), (30, 0.77, 114.49),
               (31, 1.47, 8.13), (32, 0.93, 10.4), (33, 1.99, 51.33), (34, 6.8, 36.01), (35, 1.3, 28.29),
               (36, 1.28, 17.5), (37, 2.95, 30.9), (38, 3.22, 140.67), (39, 0.67, 10.28), (40, 1.17, 11))
       AS f(id, weight, footprint)
  JOIN tl.repair_category c ON c.ords_id = f.id;

INSERT INTO tl.repair_category_factor (category, weight_kg, footprint_kg, source, valid_from) VALUES
    ('meuble', 29.81, 67.13, 'The Restart Project, objets non électriques, 2021', date '2021-01-01'),
    ('velo', 15.1, 149.6, 'The Restart Project, objets non électriques, 2021', date '2021-01-01'),
    ('textile', 0.75, 20.32, 'The Restart Project, objets non électriques, 2021', date '2021-01-01'),
    ('outil_main', 0.93, 4.67, 'The Restart Project, objets non électriques, 2021', date '2021-01-01');

CREATE TABLE tl.repair_record (
    id           bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT repair_record_pkey PRIMARY KEY,
    -- Logged at one of our sessions, or imported from another tool's ORDS
    -- file (then no session: the place, the day and the file's own id,
    -- provider, country and categories are kept, and exported as they came).
    session_id   integer CONSTRAINT repair_record_session_fkey REFERENCES tl.repair_session,
    place_id     integer NOT NULL CONSTRAINT repair_record_place_fkey REFERENCES tl.place,
    event_date   date NOT NULL,
    ext_id       text CONSTRAINT repair_record_ext_id_key UNIQUE,
    ext_provider text,
    ext_country  text CONSTRAINT repair_record_ext_country_format CHECK (ext_country ~ '^[A-Z]{3}$'),
    ext_partner_category text,
    ext_product_category text,
    ext_group    text,
    year_of_manufacture integer CONSTRAINT repair_record_year_range CHECK (year_of_manufacture BETWEEN 1800 AND 2200),
    booking_id   bigint CONSTRAINT repair_record_booking_key UNIQUE
                 CONSTRAINT repair_record_booking_fkey REFERENCES tl.repair_booking,
    object       text NOT NULL CONSTRAINT repair_record_object_not_blank CHECK (btrim(object) <> ''),
    category     text NOT NULL CONSTRAINT repair_record_category_fkey REFERENCES tl.repair_category,
    brand        text,
    age_years    numeric(6,2) CONSTRAINT repair_record_age_range CHECK (age_years BETWEEN 0 AND 150),
    problem      text NOT NULL DEFAULT '',
    status       text NOT NULL CONSTRAINT repair_record_status_known
                 CHECK (status IN ('repare', 'reparable', 'fin_de_vie', 'inconnu')),
    -- ORDS's barrier (1-6), only for an end of life.
    barrier      integer CONSTRAINT repair_record_barrier_range CHECK (barrier BETWEEN 1 AND 6),
    weight_kg    numeric(8,3) CONSTRAINT repair_record_weight_range CHECK (weight_kg > 0 AND weight_kg <= 500),
    minutes      integer CONSTRAINT repair_record_minutes_range CHECK (minutes BETWEEN 1 AND 600),
    repairer_id  integer CONSTRAINT repair_record_repairer_fkey REFERENCES tl.account,
    recorded_by  integer NOT NULL CONSTRAINT repair_record_recorded_by_fkey REFERENCES tl.account,
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT repair_record_barrier_end_of_life CHECK (barrier IS NULL OR status = 'fin_de_vie'),
    CONSTRAINT repair_record_origin CHECK (session_id IS NOT NULL OR ext_id IS NOT NULL)
);

COMMENT ON TABLE tl.repair_record IS 'One object seen at a repair café and what became of it (an ORDS v0.3 row)';

CREATE INDEX repair_record_session_idx ON tl.repair_record (session_id);

CREATE INDEX repair_record_place_date_idx ON tl.repair_record (place_id, event_date);


-- ==========================================================================
-- From 023_ressourcerie
-- ==========================================================================
-- 023 — ressourcerie, first part: what comes in. Every drop-off (arrivage)
-- is recorded with its source and the commune it comes from, then weighed
-- by category, the container's tare subtracted. Weights are exact decimals
-- in kilograms (three decimals), never floating point. Nothing recorded is
-- edited: a mistake in a weighing is fixed by a correcting entry that says
-- who and when, so that every report can be traced back.
CREATE TABLE tl.reuse_category (
    code     text CONSTRAINT reuse_category_pkey PRIMARY KEY
             CONSTRAINT reuse_category_code_format CHECK (code ~ '^[a-z]+(_[a-z]+)*$'),
    label    text NOT NULL,
    -- One key to type at the scale: "m" for mobilier.
    key      text NOT NULL CONSTRAINT reuse_category_key_key UNIQUE
             CONSTRAINT reuse_category_key_format CHECK (key ~ '^[a-z]$'),
    -- The heaviest single weighing that makes sense: more is a typing mistake.
    max_kg   numeric(9,3) NOT NULL CONSTRAINT reuse_category_max_positive CHECK (max_kg > 0),
    rank     integer NOT NULL
);

COMMENT ON TABLE tl.reuse_category IS 'Categories of what a ressourcerie takes in, with the key typed at the scale';

INSERT INTO tl.reuse_category (code, label, key, max_kg, rank) VALUES
    ('mobilier', 'Mobilier', 'm', 300, 1),
    ('textile', 'Textile', 't', 200, 2),
    ('vaisselle', 'Vaisselle', 'v', 150, 3),
    ('livres', 'Livres', 'l', 200, 4),
    ('jouets', 'Jouets', 'j', 100, 5),
    ('electromenager', 'Électroménager', 'e', 200, 6),
    ('outils', 'Outils', 'o', 150, 7),
    ('velos', 'Vélos', 'b', 100, 8),
    ('deco', 'Décoration, bibelots', 'd', 100, 9),
    ('divers', 'Divers', 'x', 300, 10);

CREATE TABLE tl.reuse_container (
    id       integer GENERATED ALWAYS AS IDENTITY CONSTRAINT reuse_container_pkey PRIMARY KEY,
    place_id integer NOT NULL CONSTRAINT reuse_container_place_fkey REFERENCES tl.place,
    name     text NOT NULL CONSTRAINT reuse_container_name_not_blank CHECK (btrim(name) <> ''),
    tare_kg  numeric(9,3) NOT NULL CONSTRAINT reuse_container_tare_range CHECK (tare_kg >= 0 AND tare_kg <= 500),
    CONSTRAINT reuse_container_unique_name UNIQUE (place_id, name)
);

COMMENT ON TABLE tl.reuse_container IS 'A container weighed with what it holds (bac, caddie, palette) and its tare';

CREATE TABLE tl.reuse_intake (
    id          bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT reuse_intake_pkey PRIMARY KEY,
    place_id    integer NOT NULL CONSTRAINT reuse_intake_place_fkey REFERENCES tl.place,
    source      text NOT NULL CONSTRAINT reuse_intake_source_known
                CHECK (source IN ('apport_volontaire', 'collecte_domicile', 'entreprise', 'decheterie',
                                  'service_municipal')),
    commune     text NOT NULL DEFAULT '',
    at          timestamptz NOT NULL DEFAULT now(),
    recorded_by integer NOT NULL CONSTRAINT reuse_intake_recorded_by_fkey REFERENCES tl.account
);

COMMENT ON TABLE tl.reuse_intake IS 'A drop-off at a ressourcerie: where it comes from (never who brought it)';

CREATE INDEX reuse_intake_place_at_idx ON tl.reuse_intake (place_id, at);

-- A weighing, or a correction of one (corrects: the weighing it fixes;
-- its net weight replaces the fixed one's in every total).
CREATE TABLE tl.reuse_weighing (
    id          bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT reuse_weighing_pkey PRIMARY KEY,
    intake_id   bigint NOT NULL CONSTRAINT reuse_weighing_intake_fkey REFERENCES tl.reuse_intake,
    category    text NOT NULL CONSTRAINT reuse_weighing_category_fkey REFERENCES tl.reuse_category,
    gross_kg    numeric(9,3) NOT NULL CONSTRAINT reuse_weighing_gross_positive CHECK (gross_kg > 0),
    container_id integer CONSTRAINT reuse_weighing_container_fkey REFERENCES tl.reuse_container,
    tare_kg     numeric(9,3) NOT NULL DEFAULT 0,
    net_kg      numeric(9,3) NOT NULL GENERATED ALWAYS AS (gross_kg - tare_kg) STORED,
    corrects    bigint CONSTRAINT reuse_weighing_corrects_key UNIQUE
                CONSTRAINT reuse_weighing_corrects_fkey REFERENCES tl.reuse_weighing,
    reason      text,
    at          timestamptz NOT NULL DEFAULT now(),
    recorded_by integer NOT NULL CONSTRAINT reuse_weighing_recorded_by_fkey REFERENCES tl.account,
    CONSTRAINT reuse_weighing_tare_below_gross CHECK (tare_kg >= 0 AND tare_kg < gross_kg),
    CONSTRAINT reuse_weighing_correction_reason CHECK (corrects IS NULL OR btrim(coalesce(reason, '')) <> '')
);

COMMENT ON TABLE tl.reuse_weighing IS 'Weighings of an intake by category, append-only; a correction points at what it fixes';

CREATE INDEX reuse_weighing_intake_idx ON tl.reuse_weighing (intake_id);


-- ==========================================================================
-- From 024_reuse_stock_sales
-- ==========================================================================
-- 024 — ressourcerie, second part: what goes out. Stock items sorted out
-- of an intake (a chair, a lamp) with a price; the till (caisse), which
-- rings up items and weighed lots and keeps every sale, never edited; the
-- daily closing; and outflows to recycling, disposal or another
-- association. A stock item is a tl.object, like a tool of the
-- outilthèque: when it becomes one, or passes through a repair café, the
-- same identity follows it and its history shows every step.
--
-- The till is a tally for associations that are not liable to VAT, not a
-- certified cash register (article 286 of the Code général des impôts
-- requires one of businesses liable to VAT).

-- An object seen at a repair café may be a known one (a stock item sent
-- there to be fixed).
ALTER TABLE tl.repair_record ADD COLUMN object_id bigint CONSTRAINT repair_record_object_fkey REFERENCES tl.object;

CREATE INDEX repair_record_object_idx ON tl.repair_record (object_id) WHERE object_id IS NOT NULL;

CREATE TABLE tl.reuse_item (
    id          bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT reuse_item_pkey PRIMARY KEY,
    -- The number on its price tag, scanned or typed at the till.
    code        text NOT NULL GENERATED ALWAYS AS ('R' || lpad(id::text, 5, '0')) STORED
                CONSTRAINT reuse_item_code_key UNIQUE,
    object_id   bigint NOT NULL CONSTRAINT reuse_item_object_key UNIQUE
                CONSTRAINT reuse_item_object_fkey REFERENCES tl.object,
    place_id    integer NOT NULL CONSTRAINT reuse_item_place_fkey REFERENCES tl.place,
    intake_id   bigint CONSTRAINT reuse_item_intake_fkey REFERENCES tl.reuse_intake,
    category    text NOT NULL CONSTRAINT reuse_item_category_fkey REFERENCES tl.reuse_category,
    title       text NOT NULL CONSTRAINT reuse_item_title_not_blank CHECK (btrim(title) <> ''),
    description text NOT NULL DEFAULT '',
    weight_kg   numeric(9,3) NOT NULL CONSTRAINT reuse_item_weight_positive CHECK (weight_kg > 0),
    -- NULL: prix libre (pay what you can).
    price       numeric(8,2) CONSTRAINT reuse_item_price_range CHECK (price >= 0 AND price <= 100000),
    status      text NOT NULL DEFAULT 'en_vente' CONSTRAINT reuse_item_status_known
                CHECK (status IN ('en_vente', 'reserve', 'a_reparer', 'vendu', 'sorti')),
    -- Where it went when it left the shop other than by a sale.
    destination text CONSTRAINT reuse_item_destination_known
                CHECK (destination IN ('outiltheque', 'recyclage', 'elimination', 'don_reemploi')),
    -- The repair café session it is set aside for (status a_reparer).
    repair_session_id integer CONSTRAINT reuse_item_repair_session_fkey REFERENCES tl.repair_session,
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  integer NOT NULL CONSTRAINT reuse_item_created_by_fkey REFERENCES tl.account,
    CONSTRAINT reuse_item_destination_when_out CHECK ((status = 'sorti') = (destination IS NOT NULL))
);

COMMENT ON TABLE tl.reuse_item IS 'A ressourcerie stock item: a photo-free description, a weight, a price or prix libre';

CREATE INDEX reuse_item_place_status_idx ON tl.reuse_item (place_id, status, category);

-- What happened to a stock item, step by step (append-only).
CREATE TABLE tl.reuse_item_event (
    id      bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT reuse_item_event_pkey PRIMARY KEY,
    item_id bigint NOT NULL CONSTRAINT reuse_item_event_item_fkey REFERENCES tl.reuse_item,
    at      timestamptz NOT NULL DEFAULT now(),
    by      integer NOT NULL CONSTRAINT reuse_item_event_by_fkey REFERENCES tl.account,
    status  text NOT NULL,
    detail  text NOT NULL DEFAULT ''
);

COMMENT ON TABLE tl.reuse_item_event IS 'The history of a stock item: put on sale, reserved, repaired, sold, left';

CREATE INDEX reuse_item_event_item_idx ON tl.reuse_item_event (item_id);

CREATE TABLE tl.reuse_sale (
    id          bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT reuse_sale_pkey PRIMARY KEY,
    place_id    integer NOT NULL CONSTRAINT reuse_sale_place_fkey REFERENCES tl.place,
    -- The receipt's number, in sequence at each place.
    number      integer NOT NULL,
    at          timestamptz NOT NULL DEFAULT now(),
    -- The place's day (its time zone), which the daily closing counts.
    day         date NOT NULL,
    payment     text NOT NULL CONSTRAINT reuse_sale_payment_known
                CHECK (payment IN ('especes', 'carte', 'cheque', 'monnaie_locale', 'gratuit')),
    total       numeric(10,2) NOT NULL,
    recorded_by integer NOT NULL CONSTRAINT reuse_sale_recorded_by_fkey REFERENCES tl.account,
    -- A cancellation (annulation) is a receipt of its own, the same day's
    -- till giving the money back: it points at the sale it cancels, with
    -- the reason, and its total is that sale's, negative. Nothing is erased.
    cancels     bigint CONSTRAINT reuse_sale_cancels_key UNIQUE
                CONSTRAINT reuse_sale_cancels_fkey REFERENCES tl.reuse_sale,
    reason      text,
    CONSTRAINT reuse_sale_number_key UNIQUE (place_id, number),
    CONSTRAINT reuse_sale_free_is_zero CHECK (payment <> 'gratuit' OR total = 0),
    CONSTRAINT reuse_sale_total_range CHECK (CASE WHEN cancels IS NULL THEN total >= 0 ELSE total <= 0 END),
    CONSTRAINT reuse_sale_cancel_reason CHECK (cancels IS NULL OR btrim(coalesce(reason, '')) <> '')
);

COMMENT ON TABLE tl.reuse_sale IS 'A sale at the ressourcerie till, or the cancellation of one (append-only)';

CREATE INDEX reuse_sale_place_day_idx ON tl.reuse_sale (place_id, day);

CREATE TABLE tl.reuse_sale_line (
    sale_id   bigint NOT NULL CONSTRAINT reuse_sale_line_sale_fkey REFERENCES tl.reuse_sale,
    line      smallint NOT NULL,
    -- A stock item, or a weighed lot of a category (item_id NULL).
    item_id   bigint CONSTRAINT reuse_sale_line_item_fkey REFERENCES tl.reuse_item,
    category  text NOT NULL CONSTRAINT reuse_sale_line_category_fkey REFERENCES tl.reuse_category,
    label     text NOT NULL,
    weight_kg numeric(9,3) NOT NULL CONSTRAINT reuse_sale_line_weight_positive CHECK (weight_kg > 0),
    amount    numeric(8,2) NOT NULL CONSTRAINT reuse_sale_line_amount_range CHECK (amount >= 0 AND amount <= 100000),
    -- How many sales of this item were cancelled before this one.
    resale    integer NOT NULL DEFAULT 0,
    CONSTRAINT reuse_sale_line_pkey PRIMARY KEY (sale_id, line)
);

COMMENT ON TABLE tl.reuse_sale_line IS 'What a sale rang up: an item or a weighed lot, its weight and amount';

-- An item is sold once, whatever the tills do at the same moment (once
-- again after each cancelled sale of it).
CREATE UNIQUE INDEX reuse_sale_line_item_once ON tl.reuse_sale_line (item_id, resale) WHERE item_id IS NOT NULL;

CREATE TABLE tl.reuse_closing (
    place_id   integer NOT NULL CONSTRAINT reuse_closing_place_fkey REFERENCES tl.place,
    day        date NOT NULL,
    sales      integer NOT NULL,
    total      numeric(12,2) NOT NULL,
    -- Totals by payment kind: {"especes": "12.50", ...}.
    by_payment jsonb NOT NULL,
    closed_at  timestamptz NOT NULL DEFAULT now(),
    closed_by  integer NOT NULL CONSTRAINT reuse_closing_closed_by_fkey REFERENCES tl.account,
    CONSTRAINT reuse_closing_pkey PRIMARY KEY (place_id, day)
);

COMMENT ON TABLE tl.reuse_closing IS 'The daily closing of a till: the day''s totals, after which it takes no sale';

-- What leaves a ressourcerie other than by a sale, weighed by category.
-- Like intake weighings, a mistake is fixed by a correcting entry.
CREATE TABLE tl.reuse_outflow (
    id           bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT reuse_outflow_pkey PRIMARY KEY,
    place_id     integer NOT NULL CONSTRAINT reuse_outflow_place_fkey REFERENCES tl.place,
    destination  text NOT NULL CONSTRAINT reuse_outflow_destination_known
                 CHECK (destination IN ('recyclage', 'elimination', 'don_reemploi')),
    -- The recycler, the waste centre or the association it went to.
    partner      text NOT NULL DEFAULT '',
    category     text NOT NULL CONSTRAINT reuse_outflow_category_fkey REFERENCES tl.reuse_category,
    gross_kg     numeric(9,3) NOT NULL CONSTRAINT reuse_outflow_gross_positive CHECK (gross_kg > 0),
    container_id integer CONSTRAINT reuse_outflow_container_fkey REFERENCES tl.reuse_container,
    tare_kg      numeric(9,3) NOT NULL DEFAULT 0,
    net_kg       numeric(9,3) NOT NULL GENERATED ALWAYS AS (gross_kg - tare_kg) STORED,
    -- A stock item that left this way (its weight is the outflow's).
    item_id      bigint CONSTRAINT reuse_outflow_item_key UNIQUE
                 CONSTRAINT reuse_outflow_item_fkey REFERENCES tl.reuse_item,
    corrects     bigint CONSTRAINT reuse_outflow_corrects_key UNIQUE
                 CONSTRAINT reuse_outflow_corrects_fkey REFERENCES tl.reuse_outflow,
    reason       text,
    at           timestamptz NOT NULL DEFAULT now(),
    recorded_by  integer NOT NULL CONSTRAINT reuse_outflow_recorded_by_fkey REFERENCES tl.account,
    CONSTRAINT reuse_outflow_tare_below_gross CHECK (tare_kg >= 0 AND tare_kg < gross_kg),
    CONSTRAINT reuse_outflow_correction_reason CHECK (corrects IS NULL OR btrim(coalesce(reason, '')) <> '')
);

COMMENT ON TABLE tl.reuse_outflow IS 'Weighed outflows by destination and category, append-only; corrections point back';

CREATE INDEX reuse_outflow_place_at_idx ON tl.reuse_outflow (place_id, at);


-- ==========================================================================
-- From 025_reuse_reports
-- ==========================================================================
-- 025 — ressourcerie, third part: outflows recorded at the desk, the
-- eco-organisme filière (REP) of each category, and the reports (bilans):
-- kilograms in, out and sold, takings, the reuse and recovery rates, by
-- period in the place's own time zone. Every sum is an exact numeric.

-- ---- outflows: the moment they count -----------------------------------------

-- A correction made on 2 January of an outflow of 31 December must not move
-- its kilograms into the next year: an outflow counts at the moment of the
-- first entry of its chain of corrections. Kept by a trigger, so every way
-- of recording an outflow (the desk, a stock item leaving) obeys it, and
-- indexed for the reports. (A column added to 024's table.)
ALTER TABLE tl.reuse_outflow ADD COLUMN counted_at timestamptz;

COMMENT ON COLUMN tl.reuse_outflow.counted_at IS
    'When the outflow counts in reports: its own time, or for a correction that of the entry it fixes';

ALTER TABLE tl.reuse_outflow ALTER COLUMN counted_at SET NOT NULL;

CREATE INDEX reuse_outflow_place_counted_idx ON tl.reuse_outflow (place_id, counted_at);

-- ---- eco-organisme filières ------------------------------------------------

-- The extended producer responsibility schemes (filières REP) that take
-- back what a ressourcerie cannot reuse, and the eco-organismes approved
-- for them (2025). A category with none is "Hors filière REP".
CREATE TABLE tl.reuse_eco_stream (
    code          text CONSTRAINT reuse_eco_stream_pkey PRIMARY KEY
                  CONSTRAINT reuse_eco_stream_code_format CHECK (code ~ '^[a-z]+(_[a-z]+)*$'),
    label         text NOT NULL,
    organisations text NOT NULL DEFAULT '',
    rank          integer NOT NULL
);

COMMENT ON TABLE tl.reuse_eco_stream IS 'Filières REP (extended producer responsibility) and their eco-organismes';

INSERT INTO tl.reuse_eco_stream (code, label, organisations, rank) VALUES
    ('dea', 'Éléments d''ameublement (DEA)', 'Ecomaison (Valdelia pour le mobilier professionnel)', 1),
    ('tlc', 'Textiles, linge, chaussures (TLC)', 'Refashion', 2),
    ('deee', 'Équipements électriques et électroniques (DEEE)', 'ecosystem, Ecologic', 3),
    ('jou', 'Jouets (JOU)', 'Ecomaison', 4),
    ('abj', 'Articles de bricolage et de jardin (ABJ)', 'Ecomaison (outillage à main, jardin), Ecologic (appareils thermiques)', 5),
    ('asl', 'Articles de sport et de loisirs (ASL)', 'Ecologic', 6),
    ('hors_rep', 'Hors filière REP', '', 7);

-- Which filière a category goes to: the network's choice (place_id NULL)
-- and a place's own where it differs (its outils may be mostly electric).
CREATE TABLE tl.reuse_eco_mapping (
    place_id integer CONSTRAINT reuse_eco_mapping_place_fkey REFERENCES tl.place,
    category text NOT NULL CONSTRAINT reuse_eco_mapping_category_fkey REFERENCES tl.reuse_category,
    stream   text NOT NULL CONSTRAINT reuse_eco_mapping_stream_fkey REFERENCES tl.reuse_eco_stream,
    CONSTRAINT reuse_eco_mapping_once UNIQUE NULLS NOT DISTINCT (place_id, category)
);

COMMENT ON TABLE tl.reuse_eco_mapping IS 'The filière REP of each ressourcerie category: network default, place overrides';

INSERT INTO tl.reuse_eco_mapping (place_id, category, stream) VALUES
    (NULL, 'mobilier', 'dea'), (NULL, 'textile', 'tlc'), (NULL, 'vaisselle', 'hors_rep'),
    (NULL, 'livres', 'hors_rep'), (NULL, 'jouets', 'jou'), (NULL, 'electromenager', 'deee'),
    (NULL, 'outils', 'abj'), (NULL, 'velos', 'asl'), (NULL, 'deco', 'hors_rep'), (NULL, 'divers', 'hors_rep');

-- Small tables that autovacuum never analyzes (fewer rows than its
-- threshold): without statistics the planner guesses hundreds of rows, and a
-- ten-row join crosses the JIT threshold (450 ms to compile, measured).
ANALYZE tl.reuse_category, tl.reuse_eco_stream, tl.reuse_eco_mapping;


-- ==========================================================================
-- From 027_ords_imports
-- ==========================================================================
-- 027 — Open Repair Data imports as providers publish them, at their size.
--
-- * Rows wait in a staging table (tl.import_repair_row), written in batches
--   while the module streams the upload, instead of one JSON value holding
--   the whole file.
-- * A provider's newer release repeats its older rows, some corrected: a
--   row whose id is already here at this place is "unchanged" or
--   "corrected" (its fields are brought up to date), not refused.
-- * The preview checks exactly what the database will: every staged row is
--   turned into the tl.repair_record it would become and tested against
--   the table's own CHECK and NOT NULL constraints, read from the catalogue
--   (tl.import_repair_faults). The reason shown is the constraint's comment,
--   in French. Confirming runs the same checks again, so a row refused at
--   confirmation (the data changed in between) is named by its line.
-- * Values are kept as the file wrote them: an age "5" stays 5, "2.125"
--   stays 2.125; an empty group or category stays empty.
-- * Items and members files: a confirmation that finds refused rows names
--   their lines; PostgreSQL's own English messages become French.

-- Ages as written: numeric without a scale keeps "5", "2.5" and "2.125".
ALTER TABLE tl.repair_record ALTER COLUMN age_years TYPE numeric;

-- The reasons a person reads when a row breaks a rule: kept on the rule
-- itself, so the message cannot drift from the check.
COMMENT ON CONSTRAINT repair_record_year_range ON tl.repair_record IS
    'l''année de fabrication va de 1800 à 2200';

COMMENT ON CONSTRAINT repair_record_age_range ON tl.repair_record IS
    'l''âge de l''objet va de 0 à 150 ans';

COMMENT ON CONSTRAINT repair_record_ext_country_format ON tl.repair_record IS
    'le pays s''écrit en trois lettres majuscules (FRA, GBR…)';

COMMENT ON CONSTRAINT repair_record_barrier_range ON tl.repair_record IS
    'la cause d''une fin de vie est l''une des six de la norme';

COMMENT ON CONSTRAINT repair_record_barrier_end_of_life ON tl.repair_record IS
    'une cause de fin de vie ne va qu''avec le résultat « fin de vie »';

COMMENT ON CONSTRAINT repair_record_object_not_blank ON tl.repair_record IS
    'l''objet n''est pas nommé';

COMMENT ON CONSTRAINT repair_record_status_known ON tl.repair_record IS
    'le résultat est réparé, réparable, fin de vie ou inconnu';

COMMENT ON CONSTRAINT repair_record_weight_range ON tl.repair_record IS
    'le poids est en kilos, plus de 0 et 500 au plus';

COMMENT ON CONSTRAINT repair_record_minutes_range ON tl.repair_record IS
    'le temps passé va de 1 à 600 minutes';

COMMENT ON CONSTRAINT repair_record_origin ON tl.repair_record IS
    'une réparation vient d''une séance ou d''un fichier importé';

COMMENT ON CONSTRAINT repair_record_ext_id_key ON tl.repair_record IS
    'cette réparation est déjà importée';

COMMENT ON CONSTRAINT item_code_format ON tl.item IS
    'le numéro de l''objet s''écrit en lettres majuscules, chiffres et tirets (32 au plus)';

COMMENT ON CONSTRAINT item_code_key ON tl.item IS 'ce numéro d''objet est déjà pris';

COMMENT ON CONSTRAINT item_barcode_format ON tl.item IS
    'le code-barres s''écrit en lettres, chiffres et tirets (64 au plus)';

COMMENT ON CONSTRAINT item_barcode_key ON tl.item IS 'ce code-barres est déjà pris';

COMMENT ON CONSTRAINT item_title_not_blank ON tl.item IS 'le nom de l''objet est vide';

COMMENT ON CONSTRAINT item_loan_days_range ON tl.item IS 'la durée du prêt va de 1 à 365 jours';

COMMENT ON CONSTRAINT item_deposit_positive ON tl.item IS 'la caution ne peut pas être négative';

COMMENT ON CONSTRAINT item_safety_check_days_range ON tl.item IS
    'l''intervalle des contrôles va de 1 à 3650 jours';

COMMENT ON CONSTRAINT member_birth_year_range ON tl.member IS 'l''année de naissance va de 1900 à 2100';

COMMENT ON CONSTRAINT member_email_format ON tl.member IS 'le courriel n''est pas complet';

COMMENT ON CONSTRAINT member_names_not_blank ON tl.member IS 'le nom et le prénom sont nécessaires';

COMMENT ON CONSTRAINT member_number_key ON tl.member IS 'ce numéro d''adhérent est déjà pris';

-- ---- ORDS rows waiting between the upload and the confirmation ---------
ALTER TABLE tl.import_batch
    ADD COLUMN rows_new integer,
    ADD COLUMN rows_corrected integer,
    ADD COLUMN rows_unchanged integer;

-- Not tracked (tl.track_changes): staging rows change no public page.
CREATE TABLE tl.import_repair_row (
    batch_id    bigint NOT NULL CONSTRAINT import_repair_row_batch_fkey REFERENCES tl.import_batch ON DELETE CASCADE,
    line        integer NOT NULL,
    ext_id      text NOT NULL,
    provider    text NOT NULL,
    country     text NOT NULL,
    partner     text NOT NULL,
    product     text NOT NULL,
    category_id integer,
    brand       text NOT NULL,
    year        integer,
    age         text NOT NULL,
    status      integer NOT NULL,
    barrier     integer,
    grp         text NOT NULL,
    day         date NOT NULL,
    problem     text NOT NULL,
    CONSTRAINT import_repair_row_pkey PRIMARY KEY (batch_id, line)
);

COMMENT ON TABLE tl.import_repair_row IS 'Rows of an ORDS file being imported, as the module read them, until confirmed (a day at most)';

CREATE INDEX import_repair_row_ext_id_idx ON tl.import_repair_row (batch_id, ext_id);


-- ==========================================================================
-- From 030_sessions
-- ==========================================================================
-- 030 — sessions that end. mod_auth_form keeps a login and its password in
-- the session and checks them again on every request; the module (its
-- session hooks, TiersLieuxSessionSeal On) keeps the password out of it:
-- once the password is accepted at login, the session holds a random token
-- instead, and this table, shared by every httpd node of the database,
-- knows which tokens are live. Logging out deletes the row; so do a new
-- password, deactivation and erasure. Only the token's SHA-256 is stored,
-- never a password in any form.
CREATE TABLE tl.web_session (
    token_sha256 bytea NOT NULL CONSTRAINT web_session_pkey PRIMARY KEY
                 CONSTRAINT web_session_token_length CHECK (length(token_sha256) = 32),
    kind         text NOT NULL CONSTRAINT web_session_kind_known CHECK (kind IN ('compte', 'adherent')),
    login        text NOT NULL,        -- as the person typed it (a member may type "a-123")
    account_id   integer CONSTRAINT web_session_account_fkey REFERENCES tl.account ON DELETE CASCADE,
    member_id    integer CONSTRAINT web_session_member_fkey REFERENCES tl.member ON DELETE CASCADE,
    opened_at    timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    CONSTRAINT web_session_one_person CHECK ((kind = 'compte') = (account_id IS NOT NULL)
                                              AND (kind = 'adherent') = (member_id IS NOT NULL))
);

COMMENT ON TABLE tl.web_session IS 'Live login sessions: the SHA-256 of the token a session cookie names; no password';

CREATE INDEX web_session_account_idx ON tl.web_session (account_id) WHERE account_id IS NOT NULL;

CREATE INDEX web_session_member_idx ON tl.web_session (member_id) WHERE member_id IS NOT NULL;

CREATE INDEX web_session_expires_idx ON tl.web_session (expires_at);


-- ==========================================================================
-- From 031_erasure
-- ==========================================================================
-- What identifies one member in free text. A name written without a
-- letter or a digit finds nothing (NULL). An e-mail address or a phone
-- number a member who stays also gives (a family sharing one) is left
-- out: it would find that member's bookings too, and it stays in their file.
CREATE TYPE tl.erasure_marks AS (
    member_id integer,
    name1     text,         -- "given family", as tl.erasure_words
    name2     text,         -- "family given"
    family    text,         -- the family name alone
    email     text,         -- lower case
    phone     text,         -- tl.erasure_phone_key
    number    text          -- the member number, as tl.erasure_words
);
