-- 001 — the foundation: places, partner organisations and their collections,
-- one identity for every physical object, the outilthèque catalogue (items,
-- categories and their loan rules, loans, maintenance) and the grainothèque
-- (species, varieties, lots, movements), plus the data version that public
-- pages use as their ETag.
--
-- Applied by script/migrate inside one transaction. Never edit this file
-- once it has landed: add a new numbered migration instead.

CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE SCHEMA IF NOT EXISTS tl;
COMMENT ON SCHEMA tl IS 'mod_tierslieux: shared resources of tiers-lieux and mediathèques';

-- Read-only group role for the public web pages. The web server's login
-- role is made a member of it (script/server does, a site admin does too).
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tierslieux_lecture') THEN
        CREATE ROLE tierslieux_lecture NOLOGIN;
    END IF;
END $$;

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

CREATE FUNCTION tl.bump_data_version() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    UPDATE tl.data_version SET version = version + 1, changed_at = now() WHERE shard = pg_backend_pid() % 16;
    RETURN NULL;
END $$;

-- Every table whose content a page can show is tracked; a later migration
-- that adds such a table calls this too (a test checks none is forgotten).
CREATE FUNCTION tl.track_changes(t regclass) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE TRIGGER bump_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %s '
                   'FOR EACH STATEMENT EXECUTE FUNCTION tl.bump_data_version()', t);
END $$;

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
-- French formatting for pages: dates as "24 novembre 2026", amounts as
-- "50 €" or "12,50 €" (a no-break space before the sign), whatever the
-- server's locale.
------------------------------------------------------------------------------
CREATE FUNCTION tl.date_fr(d date) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT extract(day FROM d)::integer
           || CASE WHEN extract(day FROM d) = 1 THEN 'er' ELSE '' END || ' '
           || (ARRAY['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août',
                     'septembre', 'octobre', 'novembre', 'décembre'])[extract(month FROM d)::integer]
           || ' ' || extract(year FROM d)::integer
$$;

CREATE FUNCTION tl.euros(n numeric) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT CASE WHEN n = trunc(n) THEN to_char(n, 'FM999999990')
                ELSE replace(to_char(n, 'FM999999990.00'), '.', ',') END || U&'\00A0€'
$$;

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

-- Every item gets its object identity when it is created, unless it is an
-- existing object moving into the outilthèque.
CREATE FUNCTION tl.item_give_identity() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.object_id IS NULL THEN
        INSERT INTO tl.object DEFAULT VALUES RETURNING id INTO NEW.object_id;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER item_give_identity BEFORE INSERT ON tl.item
    FOR EACH ROW EXECUTE FUNCTION tl.item_give_identity();

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

CREATE FUNCTION tl.refresh_catalogue_word() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    REFRESH MATERIALIZED VIEW tl.catalogue_word;
    RETURN NULL;
END $$;
-- Only when words can change: a loan or a new condition leaves them be.
CREATE TRIGGER refresh_catalogue_word AFTER INSERT OR UPDATE OF title, brand, description, retired_at
    OR DELETE OR TRUNCATE ON tl.item
    FOR EACH STATEMENT EXECUTE FUNCTION tl.refresh_catalogue_word();

-- The search query for the words a resident typed. Each word is searched
-- as typed; a word the catalogue does not contain is also searched as its
-- closest catalogue word. The words are never parsed as tsquery syntax, so
-- no input can break the query.
CREATE FUNCTION tl.catalogue_query(words text) RETURNS tsquery
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public AS $$
DECLARE
    w      text;
    near   text;
    part   tsquery;
    result tsquery;
BEGIN
    FOR w IN SELECT DISTINCT x
               FROM regexp_split_to_table(lower(public.unaccent(coalesce(words, ''))), '[^a-z0-9]+') AS x
              WHERE x <> '' LOOP
        part := plainto_tsquery('tl.fr', w);
        CONTINUE WHEN numnode(part) = 0;           -- a stop word
        IF length(w) >= 4 AND NOT EXISTS (SELECT 1 FROM tl.catalogue_word c WHERE c.word = w) THEN
            SELECT c.word INTO near
              FROM tl.catalogue_word c
             WHERE c.word % w
             ORDER BY c.word <-> w, c.uses DESC
             LIMIT 1;
            IF near IS NOT NULL THEN
                part := part || plainto_tsquery('tl.fr', near);
            END IF;
        END IF;
        result := CASE WHEN result IS NULL THEN part ELSE result && part END;
    END LOOP;
    RETURN result;
END $$;

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

CREATE TABLE tl.loan (
    id          bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT loan_pkey PRIMARY KEY,
    item_id     integer NOT NULL CONSTRAINT loan_item_fkey REFERENCES tl.item,
    member_id   integer CONSTRAINT loan_member_fkey REFERENCES tl.member,
    started_at  timestamptz NOT NULL DEFAULT now(),
    due_on      date NOT NULL,
    returned_at timestamptz,
    CONSTRAINT loan_returned_after_start CHECK (returned_at IS NULL OR returned_at >= started_at),
    CONSTRAINT loan_due_after_start CHECK (due_on >= started_at::date),
    -- Two volunteers at two desks can never lend the same item twice.
    CONSTRAINT loan_no_overlap EXCLUDE USING gist
        (item_id WITH =, tstzrange(started_at, returned_at, '[)') WITH &&)
);
COMMENT ON TABLE tl.loan IS 'A loan of an item; open while returned_at is NULL';

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

-- What the public may know of an item: its state now, derived from the open
-- loan and the open maintenance (never stored, so it cannot drift), with no
-- link to any borrower.
CREATE VIEW tl.item_availability AS
SELECT i.id AS item_id,
       CASE WHEN m.id IS NOT NULL THEN 'maintenance'
            WHEN l.id IS NOT NULL THEN 'pret'
            ELSE 'disponible' END AS state,
       CASE WHEN m.id IS NULL THEN l.due_on END AS due_on
  FROM tl.item i
  LEFT JOIN tl.maintenance m ON m.item_id = i.id AND m.ended_at IS NULL
  LEFT JOIN tl.loan l ON l.item_id = i.id AND l.returned_at IS NULL;
COMMENT ON VIEW tl.item_availability IS 'Public availability of each item: disponible, pret (until due_on) or maintenance';

CREATE INDEX loan_open_idx ON tl.loan (item_id) WHERE returned_at IS NULL;
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

-- A lot never holds fewer than zero packets. The lot row is locked first so
-- two withdrawals at two desks are counted one after the other.
CREATE FUNCTION tl.seed_movement_keep_stock() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    left_over bigint;
BEGIN
    PERFORM 1 FROM tl.seed_lot WHERE id = NEW.lot_id FOR UPDATE;
    SELECT coalesce(sum(CASE kind WHEN 'depot' THEN packets ELSE -packets END), 0)
      INTO left_over FROM tl.seed_movement WHERE lot_id = NEW.lot_id;
    IF left_over < 0 THEN
        RAISE EXCEPTION 'il ne reste que % sachet(s) dans ce lot', left_over + NEW.packets
            USING ERRCODE = 'check_violation', CONSTRAINT = 'seed_lot_stock_not_negative';
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER seed_lot_stock_not_negative AFTER INSERT OR UPDATE ON tl.seed_movement
    FOR EACH ROW EXECUTE FUNCTION tl.seed_movement_keep_stock();

CREATE VIEW tl.seed_lot_stock AS
SELECT l.id AS lot_id,
       coalesce(sum(CASE m.kind WHEN 'depot' THEN m.packets ELSE -m.packets END), 0)::integer AS packets
  FROM tl.seed_lot l
  LEFT JOIN tl.seed_movement m ON m.lot_id = l.id
 GROUP BY l.id;
COMMENT ON VIEW tl.seed_lot_stock IS 'Packets left in each lot';

------------------------------------------------------------------------------
-- Change tracking and the public role's rights
------------------------------------------------------------------------------
SELECT tl.track_changes(t::regclass)
  FROM unnest(ARRAY['tl.organisation', 'tl.place', 'tl.collection', 'tl.object',
                    'tl.category', 'tl.item_condition', 'tl.item', 'tl.member',
                    'tl.loan', 'tl.maintenance', 'tl.seed_species', 'tl.seed_variety',
                    'tl.seed_lot', 'tl.seed_movement']) AS t;

GRANT USAGE ON SCHEMA tl TO tierslieux_lecture;
GRANT SELECT ON tl.data_version, tl.organisation, tl.place, tl.collection, tl.category,
                tl.item_condition, tl.item, tl.catalogue_word, tl.item_availability,
                tl.seed_species, tl.seed_variety, tl.seed_lot_stock
   TO tierslieux_lecture;
-- Not the grower's name.
GRANT SELECT (id, variety_id, collection_id, place_id, harvest_year, created_at) ON tl.seed_lot
   TO tierslieux_lecture;
-- The views read loans, maintenance and movements with their owner's
-- rights; the reader itself never sees a member or a loan row.
GRANT EXECUTE ON FUNCTION tl.catalogue_query(text), tl.date_fr(date), tl.euros(numeric)
   TO tierslieux_lecture;
