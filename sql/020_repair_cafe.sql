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
GRANT SELECT ON tl.repair_skill TO tierslieux_lecture;
SELECT tl.track_changes('tl.repair_skill'::regclass);

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
GRANT SELECT ON tl.repair_session TO tierslieux_lecture;
SELECT tl.track_changes('tl.repair_session'::regclass);

CREATE TABLE tl.repair_slot (
    id         integer GENERATED ALWAYS AS IDENTITY CONSTRAINT repair_slot_pkey PRIMARY KEY,
    session_id integer NOT NULL CONSTRAINT repair_slot_session_fkey REFERENCES tl.repair_session ON DELETE CASCADE,
    starts_at  timestamptz NOT NULL,
    capacity   integer NOT NULL CONSTRAINT repair_slot_capacity_range CHECK (capacity BETWEEN 1 AND 100),
    CONSTRAINT repair_slot_unique_start UNIQUE (session_id, starts_at)
);
COMMENT ON TABLE tl.repair_slot IS 'A time in a session, with how many objects can be booked for it';
GRANT SELECT ON tl.repair_slot TO tierslieux_lecture;
SELECT tl.track_changes('tl.repair_slot'::regclass);

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
SELECT tl.track_changes('tl.repair_booking'::regclass);

-- ---- what the public sees ------------------------------------------------------

-- An instant as ISO 8601 local time with its offset in a zone
-- ("2026-11-28T14:00:00+01:00"), as schema.org's startDate wants it.
CREATE FUNCTION tl.iso_local(p_at timestamptz, p_zone text) RETURNS text
LANGUAGE sql STABLE STRICT SET search_path = pg_catalog AS $$
    SELECT to_char(p_at AT TIME ZONE p_zone, 'YYYY-MM-DD"T"HH24:MI:SS')
           || CASE WHEN off < interval '0' THEN '-' ELSE '+' END
           || to_char(CASE WHEN off < interval '0' THEN -off ELSE off END, 'HH24:MI')
      FROM (SELECT (p_at AT TIME ZONE p_zone) - (p_at AT TIME ZONE 'UTC') AS off) o
$$;

-- A session as the agenda shows it: local times in the place's zone, the
-- skills as labels, seats left over its slots, and its state.
CREATE FUNCTION tl.repair_sessions(p_place text, p_from timestamptz, p_id integer DEFAULT NULL)
RETURNS TABLE (id integer, title text, description text, place_slug text, place_name text, street_address text,
               postal_code text, locality text, time_zone text, day_fr text, starts_local timestamp,
               ends_local timestamp, hours_fr text, skills text, seats integer, seats_left integer,
               cancelled boolean, cancel_reason text, moved_to integer, moved_day_fr text, past boolean,
               start_iso text, end_iso text, created_epoch bigint, event_status text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT s.id, s.title, s.description, p.slug, p.name, p.street_address, p.postal_code, p.locality, p.time_zone,
           tl.date_fr((s.starts_at AT TIME ZONE p.time_zone)::date),
           s.starts_at AT TIME ZONE p.time_zone, s.ends_at AT TIME ZONE p.time_zone,
           to_char(s.starts_at AT TIME ZONE p.time_zone, 'FMHH24" h "MI') || ' – '
               || to_char(s.ends_at AT TIME ZONE p.time_zone, 'FMHH24" h "MI'),
           (SELECT string_agg(k.label, ', ' ORDER BY k.rank) FROM tl.repair_skill k WHERE k.code = ANY (s.skills)),
           coalesce((SELECT sum(l.capacity)::integer FROM tl.repair_slot l WHERE l.session_id = s.id), 0),
           coalesce((SELECT sum(greatest(l.capacity - (SELECT count(*) FROM tl.repair_booking b
                                                        WHERE b.slot_id = l.id AND b.cancelled_at IS NULL), 0))::integer
                       FROM tl.repair_slot l WHERE l.session_id = s.id), 0),
           s.cancelled_at IS NOT NULL, s.cancel_reason, s.moved_to,
           (SELECT tl.date_fr((m.starts_at AT TIME ZONE p.time_zone)::date) FROM tl.repair_session m
             WHERE m.id = s.moved_to),
           s.ends_at <= now(), tl.iso_local(s.starts_at, p.time_zone), tl.iso_local(s.ends_at, p.time_zone),
           extract(epoch FROM s.created_at)::bigint,
           'https://schema.org/' || CASE WHEN s.moved_to IS NOT NULL THEN 'EventRescheduled'
                                         WHEN s.cancelled_at IS NOT NULL THEN 'EventCancelled'
                                         ELSE 'EventScheduled' END
      FROM tl.repair_session s JOIN tl.place p ON p.id = s.place_id
     WHERE (p_id IS NULL OR s.id = p_id)
       AND (p_id IS NOT NULL OR s.ends_at >= p_from)
       AND (coalesce(p_place, '') = '' OR p.slug = p_place)
     ORDER BY s.starts_at, s.id
$$;

CREATE FUNCTION tl.repair_slots(p_session integer)
RETURNS TABLE (id integer, time_fr text, capacity integer, seats_left integer, "full" boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT l.id, to_char(l.starts_at AT TIME ZONE p.time_zone, 'FMHH24" h "MI'), l.capacity,
           greatest(l.capacity - (SELECT count(*) FROM tl.repair_booking b
                                   WHERE b.slot_id = l.id AND b.cancelled_at IS NULL)::integer, 0),
           l.capacity <= (SELECT count(*) FROM tl.repair_booking b WHERE b.slot_id = l.id AND b.cancelled_at IS NULL)
      FROM tl.repair_slot l JOIN tl.repair_session s ON s.id = l.session_id JOIN tl.place p ON p.id = s.place_id
     WHERE l.session_id = p_session
     ORDER BY l.starts_at
$$;

-- ---- a visitor's booking ----------------------------------------------------------

-- Books a seat in a slot. The slot's row is locked, so concurrent bookings
-- of the last seat are served one after the other and one gets it.
CREATE FUNCTION tl.book_repair(p_slot integer, p_object text, p_problem text, p_name text, p_contact text,
                               p_token_sha256 text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_slot    tl.repair_slot;
    v_session tl.repair_session;
    v_taken   integer;
    v_id      bigint;
BEGIN
    SELECT * INTO v_slot FROM tl.repair_slot WHERE id = p_slot FOR UPDATE;
    IF v_slot.id IS NULL THEN
        RAISE EXCEPTION 'choisissez un créneau de la liste' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'repair_booking_slot_fkey';
    END IF;
    SELECT * INTO v_session FROM tl.repair_session WHERE id = v_slot.session_id;
    IF v_session.cancelled_at IS NOT NULL OR v_session.moved_to IS NOT NULL THEN
        RAISE EXCEPTION 'cette séance est annulée ou déplacée : choisissez-en une autre dans l''agenda'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'repair_booking_session_open';
    END IF;
    IF v_session.ends_at <= now() THEN
        RAISE EXCEPTION 'cette séance est passée' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'repair_booking_session_open';
    END IF;
    IF btrim(coalesce(p_object, '')) = '' THEN
        RAISE EXCEPTION 'indiquez l''objet que vous apportez' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'repair_booking_object_not_blank';
    END IF;
    IF btrim(coalesce(p_name, '')) = '' THEN
        RAISE EXCEPTION 'indiquez votre nom, pour vous accueillir' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'repair_booking_name_not_blank';
    END IF;
    IF btrim(coalesce(p_contact, '')) = '' THEN
        RAISE EXCEPTION 'indiquez un courriel ou un téléphone, pour vous prévenir si la séance change'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'repair_booking_contact_not_blank';
    END IF;
    SELECT count(*) INTO v_taken FROM tl.repair_booking WHERE slot_id = v_slot.id AND cancelled_at IS NULL;
    IF v_taken >= v_slot.capacity THEN
        RAISE EXCEPTION 'ce créneau est complet : choisissez-en un autre' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'repair_slot_full';
    END IF;
    INSERT INTO tl.repair_booking (slot_id, object, problem, visitor_name, contact, token_sha256)
    VALUES (v_slot.id, btrim(p_object), btrim(coalesce(p_problem, '')), btrim(p_name), btrim(p_contact),
            p_token_sha256)
    RETURNING id INTO v_id;
    RETURN v_id;
END $$;

-- The booking behind a private link, while it is of use: until the day
-- after its session (or the session it was moved to) ends.
CREATE FUNCTION tl.repair_booking_by_token(p_token_sha256 text)
RETURNS TABLE (object text, problem text, visitor_name text, cancelled boolean, session_id integer,
               session_cancelled boolean, cancel_reason text, moved_to integer, slot_time_fr text, expired boolean,
               moved_from_day_fr text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT b.object, b.problem, b.visitor_name, b.cancelled_at IS NOT NULL, s.id,
           s.cancelled_at IS NOT NULL, s.cancel_reason, s.moved_to,
           to_char(l.starts_at AT TIME ZONE p.time_zone, 'FMHH24" h "MI'),
           coalesce((SELECT m.ends_at FROM tl.repair_session m WHERE m.id = s.moved_to), s.ends_at)
               + interval '1 day' <= now(),
           -- The booking followed its session to a new date (sql/021).
           (SELECT tl.date_fr((o.starts_at AT TIME ZONE p.time_zone)::date) FROM tl.repair_session o
             WHERE o.moved_to = s.id ORDER BY o.id DESC LIMIT 1)
      FROM tl.repair_booking b JOIN tl.repair_slot l ON l.id = b.slot_id
      JOIN tl.repair_session s ON s.id = l.session_id JOIN tl.place p ON p.id = s.place_id
     WHERE b.token_sha256 = p_token_sha256 AND b.purged_at IS NULL
$$;

CREATE FUNCTION tl.cancel_repair_booking(p_token_sha256 text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_id bigint;
BEGIN
    UPDATE tl.repair_booking b SET cancelled_at = now()
      FROM tl.repair_slot l, tl.repair_session s
     WHERE b.token_sha256 = p_token_sha256 AND b.cancelled_at IS NULL AND b.purged_at IS NULL
       AND l.id = b.slot_id AND s.id = l.session_id AND s.ends_at > now()
    RETURNING b.id INTO v_id;
    IF v_id IS NULL THEN
        RAISE EXCEPTION 'cette réservation ne peut plus être annulée (déjà annulée, ou séance passée)'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'repair_booking_cancellable';
    END IF;
END $$;

-- Personal data kept as long as a loan's link to its borrower (sql/006):
-- the end of the Nth month after the session, then name, contact and the
-- private link are gone; the object and its problem stay for the records.
CREATE FUNCTION tl.apply_repair_retention(p_now timestamptz DEFAULT now()) RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    v_months integer := (SELECT loan_months FROM tl.retention);
    v_n      integer;
BEGIN
    UPDATE tl.repair_booking b SET visitor_name = NULL, contact = NULL, token_sha256 = NULL, purged_at = p_now
      FROM tl.repair_slot l, tl.repair_session s
     WHERE b.purged_at IS NULL AND l.id = b.slot_id AND s.id = l.session_id
       AND p_now >= date_trunc('month', s.ends_at + make_interval(months => v_months)) + interval '1 month';
    GET DIAGNOSTICS v_n = ROW_COUNT;
    RETURN v_n;
END $$;

REVOKE ALL ON FUNCTION tl.book_repair(integer, text, text, text, text, text), tl.repair_booking_by_token(text),
                       tl.cancel_repair_booking(text), tl.apply_repair_retention(timestamptz) FROM PUBLIC;
-- Visitors book without an account: the public role may, through these only.
GRANT EXECUTE ON FUNCTION tl.repair_sessions(text, timestamptz, integer), tl.repair_slots(integer),
                          tl.book_repair(integer, text, text, text, text, text), tl.repair_booking_by_token(text),
                          tl.cancel_repair_booking(text)
   TO tierslieux_lecture;
