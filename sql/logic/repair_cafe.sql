-- A place's events and the repair café: events of every kind (café
-- réparation, atelier, troc de graines, portes ouvertes: tl.event_kind,
-- sql/schema/014) with their slots and bookings, then what only a repair
-- café has: repairers, the repair log and its figures.
--
-- The current form of this area's functions, views, triggers and rights.
-- script/migrate drops every function and view of schema tl (but the
-- constraint helpers of sql/schema) and applies the files of sql/logic/ORDER
-- again after the numbered migrations, in one transaction: edit here, never
-- in a numbered file.

-- ---- what the public sees ------------------------------------------------------

-- An instant as ISO 8601 local time with its offset in a zone
-- ("2026-11-28T14:00:00+01:00"), as schema.org's startDate wants it.
CREATE FUNCTION tl.iso_local(p_at timestamptz, p_zone text) RETURNS text
LANGUAGE sql STABLE AS $$
    -- One expression, without a FROM: PostgreSQL inlines it in the queries
    -- that list sessions.
    SELECT to_char(p_at AT TIME ZONE p_zone, 'YYYY-MM-DD"T"HH24:MI:SS')
           || CASE WHEN p_at AT TIME ZONE p_zone < p_at AT TIME ZONE 'UTC' THEN '-' ELSE '+' END
           || to_char(greatest((p_at AT TIME ZONE p_zone) - (p_at AT TIME ZONE 'UTC'),
                               (p_at AT TIME ZONE 'UTC') - (p_at AT TIME ZONE p_zone)), 'HH24:MI')
$$;

-- An event as the agenda shows it: its kind (p_kind: one kind, NULL every
-- kind), local times in the place's zone, the skills as labels, seats left
-- over its slots, and its state. Inlined into
-- the query that calls it (no SECURITY DEFINER, no SET; the public role
-- reads of the bookings only their slot and whether they were cancelled):
-- a page naming some of its columns does not compute the others, so the
-- iCalendar feed of a network counts no seats.
CREATE FUNCTION tl.repair_sessions(p_place text, p_from timestamptz, p_id integer DEFAULT NULL,
                                   p_kind text DEFAULT NULL)
RETURNS TABLE (id integer, title text, description text, place_slug text, place_name text, street_address text,
               postal_code text, locality text, time_zone text, day_fr text, starts_local timestamp,
               ends_local timestamp, hours_fr text, skills text, seats integer, seats_left integer,
               cancelled boolean, cancel_reason text, moved_to integer, moved_day_fr text, past boolean,
               start_iso text, end_iso text, created_epoch bigint, event_status text, kind text, kind_label text,
               repair boolean, theme text, leader text)
LANGUAGE sql STABLE AS $$
    SELECT s.id, s.title, s.description, p.slug, p.name, p.street_address, p.postal_code, p.locality, p.time_zone,
           tl.date_fr((s.starts_at AT TIME ZONE p.time_zone)::date),
           s.starts_at AT TIME ZONE p.time_zone, s.ends_at AT TIME ZONE p.time_zone,
           to_char(s.starts_at AT TIME ZONE p.time_zone, 'FMHH24" h "MI') || ' – '
               || to_char(s.ends_at AT TIME ZONE p.time_zone, 'FMHH24" h "MI'),
           (SELECT string_agg(k.label, ', ' ORDER BY k.rank) FROM tl.repair_skill k WHERE k.code = ANY (s.skills)),
           coalesce(seats.total, 0), coalesce(seats.left_over, 0),
           s.cancelled_at IS NOT NULL, s.cancel_reason, s.moved_to,
           (SELECT tl.date_fr((m.starts_at AT TIME ZONE p.time_zone)::date) FROM tl.repair_session m
             WHERE m.id = s.moved_to),
           s.ends_at <= now(), tl.iso_local(s.starts_at, p.time_zone), tl.iso_local(s.ends_at, p.time_zone),
           extract(epoch FROM s.created_at)::bigint,
           'https://schema.org/' || CASE WHEN s.moved_to IS NOT NULL THEN 'EventRescheduled'
                                         WHEN s.cancelled_at IS NOT NULL THEN 'EventCancelled'
                                         ELSE 'EventScheduled' END,
           s.kind, k.label, s.kind = 'reparation', s.theme, s.leader
      FROM tl.repair_session s JOIN tl.place p ON p.id = s.place_id JOIN tl.event_kind k ON k.code = s.kind
      LEFT JOIN LATERAL (
          SELECT sum(l.capacity)::integer AS total,
                 sum(greatest(l.capacity - (SELECT count(*) FROM tl.repair_booking b
                                             WHERE b.slot_id = l.id AND b.cancelled_at IS NULL), 0))::integer AS left_over
            FROM tl.repair_slot l WHERE l.session_id = s.id) seats ON true
     WHERE (p_id IS NULL OR s.id = p_id)
       AND (p_id IS NOT NULL OR s.ends_at >= p_from)
       AND (coalesce(p_place, '') = '' OR p.slug = p_place)
       AND (coalesce(p_kind, '') = '' OR s.kind = p_kind)
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
    -- Only a repair café's booking names an object; a seat at another kind
    -- of event brings none.
    IF v_session.kind = 'reparation' AND btrim(coalesce(p_object, '')) = '' THEN
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
    VALUES (v_slot.id, CASE WHEN v_session.kind = 'reparation' THEN btrim(p_object) END,
            CASE WHEN v_session.kind = 'reparation' THEN btrim(coalesce(p_problem, '')) ELSE '' END,
            btrim(p_name), btrim(p_contact),
            p_token_sha256)
    RETURNING id INTO v_id;
    RETURN v_id;
END $$;

-- The booking behind a private link, while it is of use: until the day
-- after its session (or the session it was moved to) ends.
CREATE FUNCTION tl.repair_booking_by_token(p_token_sha256 text)
RETURNS TABLE (object text, problem text, visitor_name text, cancelled boolean, session_id integer,
               session_cancelled boolean, cancel_reason text, moved_to integer, slot_time_fr text, expired boolean,
               moved_from_day_fr text, repair boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT b.object, b.problem, b.visitor_name, b.cancelled_at IS NOT NULL, s.id,
           s.cancelled_at IS NOT NULL, s.cancel_reason, s.moved_to,
           to_char(l.starts_at AT TIME ZONE p.time_zone, 'FMHH24" h "MI'),
           coalesce((SELECT m.ends_at FROM tl.repair_session m WHERE m.id = s.moved_to), s.ends_at)
               + interval '1 day' <= now(),
           -- The booking followed its session to a new date.
           (SELECT tl.date_fr((o.starts_at AT TIME ZONE p.time_zone)::date) FROM tl.repair_session o
             WHERE o.moved_to = s.id ORDER BY o.id DESC LIMIT 1),
           s.kind = 'reparation'
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

-- ---- workshops members propose ---------------------------------------------------

-- A member proposes a workshop they would lead at a place (from Mon
-- compte). At most five wait for an answer at once.
CREATE FUNCTION tl.propose_event(p_user text, p_place text, p_title text, p_theme text, p_description text,
                                 p_dates text, p_participants integer, p_show_first_name boolean) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_member tl.member := tl.my_member(p_user);
    v_place  integer;
    v_id     integer;
BEGIN
    SELECT id INTO v_place FROM tl.place WHERE slug = p_place;
    IF v_place IS NULL THEN
        RAISE EXCEPTION 'choisissez un lieu de la liste' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'event_proposal_place_fkey';
    END IF;
    IF btrim(coalesce(p_title, '')) = '' THEN
        RAISE EXCEPTION 'indiquez le titre de l''atelier' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'event_proposal_title_length';
    END IF;
    IF btrim(coalesce(p_theme, '')) = '' THEN
        RAISE EXCEPTION 'indiquez le thème : couture, graines, numérique, vélo ou un autre'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'event_proposal_theme_length';
    END IF;
    IF btrim(coalesce(p_dates, '')) = '' THEN
        RAISE EXCEPTION 'indiquez les jours ou les moments où vous pourriez l''animer'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'event_proposal_dates_length';
    END IF;
    IF p_participants IS NULL OR p_participants NOT BETWEEN 1 AND 100 THEN
        RAISE EXCEPTION 'un atelier accueille de 1 à 100 personnes' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'event_proposal_participants_range';
    END IF;
    IF (SELECT count(*) FROM tl.event_proposal WHERE member_id = v_member.id AND state = 'proposee') >= 5 THEN
        RAISE EXCEPTION 'cinq de vos propositions attendent déjà une réponse : attendez-la avant d''en faire une autre'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'event_proposal_waiting_limit';
    END IF;
    INSERT INTO tl.event_proposal (member_id, place_id, title, theme, description, dates, participants,
                                   show_first_name)
    VALUES (v_member.id, v_place, btrim(p_title), btrim(p_theme), btrim(coalesce(p_description, '')),
            btrim(p_dates), p_participants, coalesce(p_show_first_name, false))
    RETURNING id INTO v_id;
    RETURN v_id;
END $$;

-- A proposal's state as its member and the référents read it.
CREATE FUNCTION tl.event_proposal_state_fr(p_state text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT SET search_path = pg_catalog AS $$
    SELECT CASE p_state WHEN 'proposee' THEN 'en attente de réponse' WHEN 'acceptee' THEN 'acceptée, publiée'
                        ELSE 'refusée' END
$$;

-- The member's own proposals, the latest first.
CREATE FUNCTION tl.my_event_proposals(p_user text)
RETURNS TABLE (id integer, title text, theme text, place_name text, dates text, participants integer,
               show_first_name boolean, state text, state_fr text, answer text, session_id integer,
               event_day_fr text, proposed_fr text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT e.id, e.title, e.theme, p.name, e.dates, e.participants, e.show_first_name, e.state,
           tl.event_proposal_state_fr(e.state), e.answer, e.session_id,
           (SELECT tl.date_fr((s.starts_at AT TIME ZONE p.time_zone)::date) FROM tl.repair_session s
             WHERE s.id = e.session_id),
           tl.date_fr((e.created_at AT TIME ZONE p.time_zone)::date)
      FROM tl.event_proposal e JOIN tl.place p ON p.id = e.place_id
     WHERE e.member_id = (tl.my_member(p_user)).id
     ORDER BY e.created_at DESC, e.id DESC
$$;

-- A place's proposals for its référents, those waiting first, with who
-- proposed them (to reach them through the desk).
CREATE FUNCTION tl.admin_event_proposals(p_login text, p_place text)
RETURNS TABLE (id integer, title text, theme text, description text, dates text, participants integer,
               proposer text, show_first_name boolean, state text, state_fr text, waiting boolean, answer text,
               session_id integer, proposed_fr text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place tl.place := tl.require_place(p_place);
BEGIN
    PERFORM tl.require_role(p_login, v_place.id, 'referent');
    RETURN QUERY
    SELECT e.id, e.title, e.theme, e.description, e.dates, e.participants,
           coalesce(m.given_name || ' ' || m.family_name, 'adhérent effacé'), e.show_first_name, e.state,
           tl.event_proposal_state_fr(e.state), e.state = 'proposee', e.answer, e.session_id,
           tl.date_fr((e.created_at AT TIME ZONE v_place.time_zone)::date)
      FROM tl.event_proposal e LEFT JOIN tl.member m ON m.id = e.member_id
     WHERE e.place_id = v_place.id AND (e.state = 'proposee' OR e.decided_at >= now() - interval '60 days')
     ORDER BY e.state <> 'proposee', e.created_at, e.id;
END $$;

-- One proposal, for a référent of its place.
CREATE FUNCTION tl.admin_event_proposal(p_login text, p_id integer)
RETURNS TABLE (id integer, place_slug text, place_name text, title text, theme text, description text, dates text,
               participants integer, proposer text, show_first_name boolean, state text, state_fr text,
               waiting boolean, answer text, session_id integer, proposed_fr text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place integer := (SELECT e.place_id FROM tl.event_proposal e WHERE e.id = p_id);
BEGIN
    IF v_place IS NULL THEN
        RAISE EXCEPTION 'cette proposition n''existe pas' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'event_proposal_known';
    END IF;
    PERFORM tl.require_role(p_login, v_place, 'referent');
    RETURN QUERY
    SELECT e.id, p.slug, p.name, e.title, e.theme, e.description, e.dates, e.participants,
           coalesce(m.given_name || ' ' || m.family_name, 'adhérent effacé'), e.show_first_name, e.state,
           tl.event_proposal_state_fr(e.state), e.state = 'proposee', e.answer, e.session_id,
           tl.date_fr((e.created_at AT TIME ZONE p.time_zone)::date)
      FROM tl.event_proposal e JOIN tl.place p ON p.id = e.place_id LEFT JOIN tl.member m ON m.id = e.member_id
     WHERE e.id = p_id;
END $$;

-- A proposal waiting at a place the caller is référent of, locked, with
-- the caller's account; or a refusal.
CREATE FUNCTION tl.require_event_proposal(p_login text, p_id integer, OUT proposal tl.event_proposal,
                                          OUT who integer)
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    SELECT * INTO proposal FROM tl.event_proposal WHERE id = p_id FOR UPDATE;
    IF proposal.id IS NULL THEN
        RAISE EXCEPTION 'cette proposition n''existe pas' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'event_proposal_known';
    END IF;
    who := tl.require_role(p_login, proposal.place_id, 'referent');
    IF proposal.state <> 'proposee' THEN
        RAISE EXCEPTION 'cette proposition a déjà sa réponse' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'event_proposal_decision';
    END IF;
END $$;

-- Approved: a workshop on that day and hours, at the place, with slots of
-- p_slot_minutes (NULL: one slot for the whole workshop) for as many
-- people as proposed, led by the member's first name if they agreed to
-- show it. Returns the workshop's id.
CREATE FUNCTION tl.approve_event_proposal(p_login text, p_id integer, p_day date, p_start time, p_end time,
                                          p_slot_minutes integer, p_message text) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    r         record := tl.require_event_proposal(p_login, p_id);
    e         tl.event_proposal := r.proposal;
    v_leader  text;
    v_session integer;
BEGIN
    IF e.show_first_name THEN
        SELECT m.given_name INTO v_leader FROM tl.member m WHERE m.id = e.member_id;
    END IF;
    v_session := tl.create_repair_sessions(
        p_login, (SELECT slug FROM tl.place WHERE id = e.place_id), e.title, e.description, p_day, p_start, p_end,
        'non', 1,
        coalesce(p_slot_minutes, least(greatest((extract(epoch FROM p_end - p_start) / 60)::integer, 10), 240)),
        e.participants, '{}', 'atelier', e.theme, v_leader);
    UPDATE tl.event_proposal
       SET state = 'acceptee', session_id = v_session, decided_by = r.who, decided_at = now(),
           answer = nullif(btrim(coalesce(p_message, '')), '')
     WHERE id = e.id;
    PERFORM tl.admin_note(r.who, e.place_id, 'atelier.acceptation', 'proposition ' || e.id, tl.date_fr(p_day));
    RETURN v_session;
END $$;

-- Declined, with a message the member reads in Mon compte.
CREATE FUNCTION tl.decline_event_proposal(p_login text, p_id integer, p_message text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    r record := tl.require_event_proposal(p_login, p_id);
BEGIN
    IF btrim(coalesce(p_message, '')) = '' THEN
        RAISE EXCEPTION 'écrivez un mot à la personne : elle le lira dans Mon compte'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'event_proposal_answer_length';
    END IF;
    UPDATE tl.event_proposal
       SET state = 'refusee', answer = btrim(p_message), decided_by = r.who, decided_at = now()
     WHERE id = (r.proposal).id;
    PERFORM tl.admin_note(r.who, (r.proposal).place_id, 'atelier.refus', 'proposition ' || (r.proposal).id, '');
END $$;

-- Personal data kept as long as a loan's link to its borrower (sql/logic/members_accounts.sql):
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

-- The skills named, or a refusal.
CREATE FUNCTION tl.require_skills(p_skills text[]) RETURNS text[]
LANGUAGE plpgsql STABLE SET search_path = pg_catalog AS $$
DECLARE
    v_bad text;
BEGIN
    SELECT s INTO v_bad FROM unnest(coalesce(p_skills, '{}')) s
     WHERE NOT EXISTS (SELECT 1 FROM tl.repair_skill k WHERE k.code = s) LIMIT 1;
    IF v_bad IS NOT NULL THEN
        RAISE EXCEPTION 'la compétence « % » n''est pas dans la liste', v_bad
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'repair_session_skill_known';
    END IF;
    RETURN ARRAY(SELECT DISTINCT s FROM unnest(coalesce(p_skills, '{}')) s ORDER BY 1);
END $$;

-- The days of a series: p_count sessions from p_first, every week, or every
-- month on the same weekday and rank ("the 1st Saturday"; a 5th becomes the
-- last of the month).
CREATE FUNCTION tl.repair_series_days(p_first date, p_repeat text, p_count integer) RETURNS SETOF date
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog AS $$
DECLARE
    v_rank integer := (extract(day FROM p_first)::integer - 1) / 7 + 1;
    v_dow  integer := extract(isodow FROM p_first)::integer;
    v_month date;
    v_day  date;
    i      integer;
BEGIN
    FOR i IN 0 .. p_count - 1 LOOP
        IF p_repeat = 'hebdomadaire' THEN
            RETURN NEXT p_first + 7 * i;
        ELSIF p_repeat = 'mensuelle' THEN
            v_month := (date_trunc('month', p_first) + make_interval(months => i))::date;
            v_day := v_month + ((v_dow - extract(isodow FROM v_month)::integer + 7) % 7) + 7 * (v_rank - 1);
            IF v_day >= (v_month + interval '1 month')::date THEN
                v_day := v_day - 7;
            END IF;
            RETURN NEXT v_day;
        ELSE
            RETURN NEXT p_first;
            RETURN;
        END IF;
    END LOOP;
END $$;

-- Creates one session or a series. Returns the first session's id.
-- An event of any kind: p_theme only for a workshop (required there), the
-- repairers' skills only for a repair café; the title, when left blank, is
-- the kind's ("Repair café" for a repair café, as before kinds).
CREATE FUNCTION tl.create_repair_sessions(p_login text, p_place text, p_title text, p_description text,
                                          p_first date, p_start time, p_end time, p_repeat text, p_count integer,
                                          p_slot_minutes integer, p_capacity integer, p_skills text[],
                                          p_kind text DEFAULT 'reparation', p_theme text DEFAULT NULL,
                                          p_leader text DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place  tl.place := tl.require_place(p_place);
    v_who    integer := tl.require_role(p_login, v_place.id, 'referent');
    v_skills text[] := tl.require_skills(p_skills);
    v_kind   tl.event_kind;
    v_theme  text := nullif(btrim(coalesce(p_theme, '')), '');
    v_day    date;
    v_id     integer;
    v_first  integer;
    v_n      integer := 0;
BEGIN
    SELECT * INTO v_kind FROM tl.event_kind WHERE code = p_kind;
    IF v_kind.code IS NULL THEN
        RAISE EXCEPTION 'choisissez un type d''événement de la liste' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'repair_session_kind_fkey';
    END IF;
    IF v_kind.code = 'atelier' AND v_theme IS NULL THEN
        RAISE EXCEPTION 'indiquez le thème de l''atelier (couture, graines, numérique, vélo ou un autre)'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'repair_session_theme_workshop';
    END IF;
    IF v_kind.code <> 'atelier' THEN
        v_theme := NULL;
    END IF;
    IF v_kind.code <> 'reparation' THEN
        v_skills := '{}';
    END IF;
    IF p_repeat IS NULL OR p_repeat NOT IN ('non', 'hebdomadaire', 'mensuelle') THEN
        RAISE EXCEPTION 'choisissez une répétition de la liste' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'repair_session_repeat_known';
    END IF;
    IF p_repeat <> 'non' AND (p_count IS NULL OR p_count NOT BETWEEN 2 AND 52) THEN
        RAISE EXCEPTION 'une série compte de 2 à 52 séances' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'repair_session_count_range';
    END IF;
    IF p_first IS NULL OR p_first < (now() AT TIME ZONE v_place.time_zone)::date THEN
        RAISE EXCEPTION 'la première séance est aujourd''hui ou plus tard' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'repair_session_in_future';
    END IF;
    IF p_start IS NULL OR p_end IS NULL OR p_end <= p_start THEN
        RAISE EXCEPTION 'la séance finit après avoir commencé' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'repair_session_period';
    END IF;
    IF p_slot_minutes IS NULL OR p_slot_minutes NOT BETWEEN 10 AND 240 THEN
        RAISE EXCEPTION 'un créneau dure de 10 à 240 minutes' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'repair_slot_length_range';
    END IF;
    IF p_capacity IS NULL OR p_capacity NOT BETWEEN 1 AND 100 THEN
        RAISE EXCEPTION 'un créneau accueille de 1 à 100 objets' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'repair_slot_capacity_range';
    END IF;
    FOR v_day IN SELECT * FROM tl.repair_series_days(p_first, p_repeat, coalesce(p_count, 1)) LOOP
        INSERT INTO tl.repair_session (place_id, title, description, starts_at, ends_at, skills, created_by, kind,
                                       theme, leader)
        VALUES (v_place.id,
                coalesce(nullif(btrim(p_title), ''),
                         CASE v_kind.code WHEN 'reparation' THEN 'Repair café'
                                          WHEN 'atelier' THEN 'Atelier ' || v_theme ELSE v_kind.label END),
                btrim(coalesce(p_description, '')),
                (v_day + p_start) AT TIME ZONE v_place.time_zone, (v_day + p_end) AT TIME ZONE v_place.time_zone,
                v_skills, v_who, v_kind.code, v_theme, nullif(btrim(coalesce(p_leader, '')), ''))
        RETURNING id INTO v_id;
        INSERT INTO tl.repair_slot (session_id, starts_at, capacity)
        SELECT v_id, t, p_capacity
          FROM generate_series((v_day + p_start) AT TIME ZONE v_place.time_zone,
                               (v_day + p_end) AT TIME ZONE v_place.time_zone - make_interval(mins => p_slot_minutes),
                               make_interval(mins => p_slot_minutes)) t;
        IF NOT FOUND THEN                   -- shorter than one slot: one slot at the start
            INSERT INTO tl.repair_slot (session_id, starts_at, capacity)
            VALUES (v_id, (v_day + p_start) AT TIME ZONE v_place.time_zone, p_capacity);
        END IF;
        v_first := coalesce(v_first, v_id);
        v_n := v_n + 1;
    END LOOP;
    PERFORM tl.admin_note(v_who, v_place.id, 'reparation.creation', tl.date_fr(p_first),
                          format('%s séance(s)', v_n));
    RETURN v_first;
END $$;

-- A session of a place the caller is référent of, locked, or a refusal.
CREATE FUNCTION tl.require_repair_session(p_login text, p_session integer) RETURNS tl.repair_session
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    v_session tl.repair_session;
BEGIN
    SELECT * INTO v_session FROM tl.repair_session WHERE id = p_session FOR UPDATE;
    IF v_session.id IS NULL THEN
        RAISE EXCEPTION 'cette séance n''existe pas' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'repair_slot_session_fkey';
    END IF;
    PERFORM tl.require_role(p_login, v_session.place_id, 'referent');
    RETURN v_session;
END $$;

CREATE FUNCTION tl.cancel_repair_session(p_login text, p_session integer, p_reason text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    r tl.repair_session;
    v_who integer;
BEGIN
    r := tl.require_repair_session(p_login, p_session);
    v_who := tl.require_role(p_login, r.place_id, 'referent');
    IF r.cancelled_at IS NOT NULL OR r.moved_to IS NOT NULL THEN
        RAISE EXCEPTION 'cette séance est déjà annulée ou déplacée' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'repair_session_cancel_reason';
    END IF;
    IF btrim(coalesce(p_reason, '')) = '' THEN
        RAISE EXCEPTION 'indiquez la raison : elle est montrée aux personnes qui ont réservé'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'repair_session_cancel_reason';
    END IF;
    UPDATE tl.repair_session SET cancelled_at = now(), cancel_reason = btrim(p_reason) WHERE id = r.id;
    PERFORM tl.admin_note(v_who, r.place_id, 'reparation.annulation', 'séance ' || r.id, btrim(p_reason));
END $$;

-- Moves a session to another day and hours: a new session with the same
-- slots shifted, the bookings moved into them (their private links now
-- show the new date), the old one pointing at the new. Returns the new id.
CREATE FUNCTION tl.move_repair_session(p_login text, p_session integer, p_day date, p_start time, p_end time)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    r       tl.repair_session;
    v_who   integer;
    v_tz    text;
    v_start timestamptz;
    v_shift interval;
    v_id    integer;
BEGIN
    r := tl.require_repair_session(p_login, p_session);
    v_who := tl.require_role(p_login, r.place_id, 'referent');
    IF r.cancelled_at IS NOT NULL OR r.moved_to IS NOT NULL THEN
        RAISE EXCEPTION 'cette séance est déjà annulée ou déplacée' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'repair_session_movable';
    END IF;
    SELECT time_zone INTO v_tz FROM tl.place WHERE id = r.place_id;
    IF p_day IS NULL OR p_day < (now() AT TIME ZONE v_tz)::date THEN
        RAISE EXCEPTION 'la nouvelle date est aujourd''hui ou plus tard' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'repair_session_in_future';
    END IF;
    v_start := (p_day + coalesce(p_start, (r.starts_at AT TIME ZONE v_tz)::time)) AT TIME ZONE v_tz;
    v_shift := v_start - r.starts_at;
    IF coalesce(p_end, (r.ends_at AT TIME ZONE v_tz)::time) <= coalesce(p_start, (r.starts_at AT TIME ZONE v_tz)::time) THEN
        RAISE EXCEPTION 'la séance finit après avoir commencé' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'repair_session_period';
    END IF;
    INSERT INTO tl.repair_session (place_id, title, description, starts_at, ends_at, skills, created_by, kind, theme,
                                   leader)
    VALUES (r.place_id, r.title, r.description, v_start,
            (p_day + coalesce(p_end, (r.ends_at AT TIME ZONE v_tz)::time)) AT TIME ZONE v_tz, r.skills, v_who,
            r.kind, r.theme, r.leader)
    RETURNING id INTO v_id;
    INSERT INTO tl.repair_slot (session_id, starts_at, capacity)
    SELECT v_id, l.starts_at + v_shift, l.capacity FROM tl.repair_slot l WHERE l.session_id = r.id;
    UPDATE tl.repair_booking b SET slot_id = n.id
      FROM tl.repair_slot o, tl.repair_slot n
     WHERE b.slot_id = o.id AND o.session_id = r.id AND n.session_id = v_id AND n.starts_at = o.starts_at + v_shift;
    INSERT INTO tl.repair_session_repairer (session_id, account_id, skills)
    SELECT v_id, account_id, skills FROM tl.repair_session_repairer WHERE session_id = r.id;
    UPDATE tl.repair_session SET moved_to = v_id WHERE id = r.id;
    PERFORM tl.admin_note(v_who, r.place_id, 'reparation.deplacement', 'séance ' || r.id,
                          'au ' || tl.date_fr(p_day));
    RETURN v_id;
END $$;

-- A repairer expected at a session (someone of the place's team), with the
-- skills they bring; p_remove takes them off.
CREATE FUNCTION tl.set_repairer(p_login text, p_session integer, p_account text, p_skills text[], p_remove boolean)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    r     tl.repair_session;
    v_who integer;
    v_acc integer;
BEGIN
    r := tl.require_repair_session(p_login, p_session);
    v_who := tl.require_role(p_login, r.place_id, 'referent');
    SELECT a.id INTO v_acc FROM tl.account a JOIN tl.account_role x ON x.account_id = a.id
     WHERE a.login = p_account AND a.active AND x.place_id = r.place_id;
    IF v_acc IS NULL THEN
        RAISE EXCEPTION 'choisissez un membre de l''équipe du lieu' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'repair_session_repairer_account_fkey';
    END IF;
    IF coalesce(p_remove, false) THEN
        DELETE FROM tl.repair_session_repairer WHERE session_id = r.id AND account_id = v_acc;
    ELSE
        INSERT INTO tl.repair_session_repairer (session_id, account_id, skills)
        VALUES (r.id, v_acc, tl.require_skills(p_skills))
        ON CONFLICT (session_id, account_id) DO UPDATE SET skills = excluded.skills;
    END IF;
END $$;

-- A place's sessions for its référents (and bénévoles: the desk on the day).
CREATE FUNCTION tl.desk_repair_sessions(p_login text, p_place text)
RETURNS TABLE (id integer, title text, day_fr text, hours_fr text, bookings bigint, seats integer, cancelled boolean,
               moved boolean, past boolean, kind_label text, repair boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place tl.place := tl.require_place(p_place);
BEGIN
    PERFORM tl.require_role(p_login, v_place.id, 'benevole');
    RETURN QUERY
    SELECT s.id, s.title, tl.date_fr((s.starts_at AT TIME ZONE v_place.time_zone)::date),
           to_char(s.starts_at AT TIME ZONE v_place.time_zone, 'FMHH24" h "MI') || ' – '
               || to_char(s.ends_at AT TIME ZONE v_place.time_zone, 'FMHH24" h "MI'),
           (SELECT count(*) FROM tl.repair_booking b JOIN tl.repair_slot l ON l.id = b.slot_id
             WHERE l.session_id = s.id AND b.cancelled_at IS NULL),
           coalesce((SELECT sum(capacity)::integer FROM tl.repair_slot l WHERE l.session_id = s.id), 0),
           s.cancelled_at IS NOT NULL, s.moved_to IS NOT NULL, s.ends_at <= now(),
           (SELECT k.label FROM tl.event_kind k WHERE k.code = s.kind), s.kind = 'reparation'
      FROM tl.repair_session s
     WHERE s.place_id = v_place.id AND s.ends_at >= now() - interval '60 days'
     ORDER BY s.starts_at;
END $$;

-- The place and time zone of a session the caller may work at (the
-- bénévole role there), or a refusal.
CREATE FUNCTION tl.require_repair_desk(p_login text, p_session integer, OUT place_id integer, OUT time_zone text)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog AS $$
BEGIN
    SELECT s.place_id, p.time_zone INTO place_id, time_zone
      FROM tl.repair_session s JOIN tl.place p ON p.id = s.place_id WHERE s.id = p_session;
    IF place_id IS NULL THEN
        RAISE EXCEPTION 'cette séance n''existe pas' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'repair_slot_session_fkey';
    END IF;
    PERFORM tl.require_role(p_login, place_id, 'benevole');
END $$;

-- A session's bookings with the visitors' names and contacts: for the
-- people who run the place only (never public).
CREATE FUNCTION tl.desk_repair_bookings(p_login text, p_session integer)
RETURNS TABLE (slot_time text, object text, problem text, visitor_name text, contact text, cancelled boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_tz text := (tl.require_repair_desk(p_login, p_session)).time_zone;
BEGIN
    RETURN QUERY
    SELECT to_char(l.starts_at AT TIME ZONE v_tz, 'FMHH24" h "MI'), b.object, b.problem, b.visitor_name, b.contact,
           b.cancelled_at IS NOT NULL
      FROM tl.repair_booking b JOIN tl.repair_slot l ON l.id = b.slot_id
     WHERE l.session_id = p_session
     ORDER BY l.starts_at, b.id;
END $$;

CREATE FUNCTION tl.desk_repairers(p_login text, p_session integer)
RETURNS TABLE (login text, display_name text, skills text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    PERFORM tl.require_repair_desk(p_login, p_session);
    RETURN QUERY
    SELECT a.login, a.display_name,
           (SELECT string_agg(k.label, ', ' ORDER BY k.rank) FROM tl.repair_skill k WHERE k.code = ANY (r.skills))
      FROM tl.repair_session_repairer r JOIN tl.account a ON a.id = r.account_id
     WHERE r.session_id = p_session
     ORDER BY a.display_name;
END $$;

-- A slot's capacity changed (never below the bookings it already holds),
-- or a slot added at a time of the session.
CREATE FUNCTION tl.set_repair_slot(p_login text, p_session integer, p_time time, p_capacity integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    r       tl.repair_session;
    v_who   integer;
    v_tz    text;
    v_at    timestamptz;
    v_slot  integer;
    v_taken integer;
BEGIN
    r := tl.require_repair_session(p_login, p_session);
    v_who := tl.require_role(p_login, r.place_id, 'referent');
    SELECT time_zone INTO v_tz FROM tl.place WHERE id = r.place_id;
    IF p_capacity IS NULL OR p_capacity NOT BETWEEN 1 AND 100 THEN
        RAISE EXCEPTION 'un créneau accueille de 1 à 100 objets' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'repair_slot_capacity_range';
    END IF;
    v_at := ((r.starts_at AT TIME ZONE v_tz)::date + p_time) AT TIME ZONE v_tz;
    IF p_time IS NULL OR v_at < r.starts_at OR v_at >= r.ends_at THEN
        RAISE EXCEPTION 'le créneau est pendant la séance (de % à %)',
            to_char(r.starts_at AT TIME ZONE v_tz, 'HH24:MI'), to_char(r.ends_at AT TIME ZONE v_tz, 'HH24:MI')
            USING ERRCODE = 'check_violation', CONSTRAINT = 'repair_slot_in_session';
    END IF;
    SELECT id INTO v_slot FROM tl.repair_slot WHERE session_id = r.id AND starts_at = v_at FOR UPDATE;
    IF v_slot IS NULL THEN
        INSERT INTO tl.repair_slot (session_id, starts_at, capacity) VALUES (r.id, v_at, p_capacity);
    ELSE
        SELECT count(*) INTO v_taken FROM tl.repair_booking WHERE slot_id = v_slot AND cancelled_at IS NULL;
        IF v_taken > p_capacity THEN
            RAISE EXCEPTION 'ce créneau a déjà % réservation(s) : sa capacité ne peut pas descendre en dessous', v_taken
                USING ERRCODE = 'check_violation', CONSTRAINT = 'repair_slot_capacity_range';
        END IF;
        UPDATE tl.repair_slot SET capacity = p_capacity WHERE id = v_slot;
    END IF;
    PERFORM tl.admin_note(v_who, r.place_id, 'reparation.creneau', 'séance ' || r.id,
                          to_char(p_time, 'HH24:MI') || ' : ' || p_capacity || ' objet(s)');
END $$;

-- Logs an object. From a booking (its object and problem as defaults), or
-- a walk-in (no booking). Any bénévole of the session's place.
CREATE FUNCTION tl.log_repair(p_login text, p_session integer, p_booking bigint, p_object text, p_category text,
                              p_brand text, p_age numeric, p_problem text, p_status text, p_barrier integer,
                              p_weight numeric, p_minutes integer, p_repairer text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_session  tl.repair_session;
    v_who      integer;
    v_repairer integer;
    v_id       bigint;
BEGIN
    SELECT * INTO v_session FROM tl.repair_session WHERE id = p_session;
    IF v_session.id IS NULL THEN
        RAISE EXCEPTION 'cette séance n''existe pas' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'repair_record_session_fkey';
    END IF;
    v_who := tl.require_role(p_login, v_session.place_id, 'benevole');
    IF v_session.kind <> 'reparation' THEN
        RAISE EXCEPTION 'on ne note des réparations qu''à un café réparation' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'repair_record_session_repair';
    END IF;
    IF p_booking IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM tl.repair_booking b JOIN tl.repair_slot l ON l.id = b.slot_id
             WHERE b.id = p_booking AND l.session_id = p_session AND b.cancelled_at IS NULL) THEN
        RAISE EXCEPTION 'cette réservation n''est pas de cette séance' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'repair_record_booking_fkey';
    END IF;
    IF btrim(coalesce(p_object, '')) = '' THEN
        RAISE EXCEPTION 'indiquez l''objet' USING ERRCODE = 'check_violation', CONSTRAINT = 'repair_record_object_not_blank';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM tl.repair_category WHERE code = p_category) THEN
        RAISE EXCEPTION 'choisissez une catégorie de la liste' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'repair_record_category_fkey';
    END IF;
    IF p_status IS NULL OR p_status NOT IN ('repare', 'reparable', 'fin_de_vie', 'inconnu') THEN
        RAISE EXCEPTION 'choisissez le résultat : réparé, réparable ou fin de vie' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'repair_record_status_known';
    END IF;
    IF p_barrier IS NOT NULL AND p_status <> 'fin_de_vie' THEN
        RAISE EXCEPTION 'la cause d''une fin de vie ne va qu''avec « fin de vie »' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'repair_record_barrier_end_of_life';
    END IF;
    IF p_barrier IS NOT NULL AND p_barrier NOT BETWEEN 1 AND 6 THEN
        RAISE EXCEPTION 'choisissez une cause de la liste' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'repair_record_barrier_range';
    END IF;
    IF p_weight IS NOT NULL AND (p_weight <= 0 OR p_weight > 500) THEN
        RAISE EXCEPTION 'le poids est en kilos, plus de 0 et 500 au plus' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'repair_record_weight_range';
    END IF;
    IF p_minutes IS NOT NULL AND p_minutes NOT BETWEEN 1 AND 600 THEN
        RAISE EXCEPTION 'le temps passé va de 1 à 600 minutes' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'repair_record_minutes_range';
    END IF;
    IF p_age IS NOT NULL AND (p_age < 0 OR p_age > 150) THEN
        RAISE EXCEPTION 'l''âge de l''objet va de 0 à 150 ans' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'repair_record_age_range';
    END IF;
    IF nullif(btrim(coalesce(p_repairer, '')), '') IS NOT NULL THEN
        SELECT a.id INTO v_repairer FROM tl.account a JOIN tl.account_role r ON r.account_id = a.id
         WHERE a.login = p_repairer AND r.place_id = v_session.place_id;
        IF v_repairer IS NULL THEN
            RAISE EXCEPTION 'choisissez un réparateur de l''équipe du lieu' USING ERRCODE = 'foreign_key_violation',
                CONSTRAINT = 'repair_record_repairer_fkey';
        END IF;
    END IF;
    INSERT INTO tl.repair_record (session_id, place_id, event_date, booking_id, object, category, brand, age_years,
                                  problem, status, barrier, weight_kg, minutes, repairer_id, recorded_by)
    VALUES (p_session, v_session.place_id,
            (v_session.starts_at AT TIME ZONE (SELECT time_zone FROM tl.place WHERE id = v_session.place_id))::date,
            p_booking, btrim(p_object), p_category, nullif(btrim(coalesce(p_brand, '')), ''), p_age,
            btrim(coalesce(p_problem, '')), p_status, p_barrier, p_weight, p_minutes, v_repairer, v_who)
    RETURNING id INTO v_id;
    RETURN v_id;
EXCEPTION WHEN unique_violation THEN
    RAISE EXCEPTION 'cet objet est déjà noté' USING ERRCODE = 'unique_violation',
        CONSTRAINT = 'repair_record_booking_key';
END $$;

-- A result as the desk says it.
CREATE FUNCTION tl.repair_status_fr(p_status text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT SET search_path = pg_catalog AS $$
    SELECT CASE p_status WHEN 'repare' THEN 'réparé' WHEN 'reparable' THEN 'réparable'
                         WHEN 'fin_de_vie' THEN 'fin de vie' ELSE 'inconnu' END
$$;

-- The day's queue: booked objects (by slot, logged or not), then the
-- walk-ins logged, for the volunteers of the place.
CREATE FUNCTION tl.desk_repair_queue(p_login text, p_session integer)
RETURNS TABLE (booking_id bigint, slot_time text, object text, problem text, visitor_name text, logged boolean,
               status text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_tz text := (tl.require_repair_desk(p_login, p_session)).time_zone;
BEGIN
    RETURN QUERY
    SELECT b.id, to_char(l.starts_at AT TIME ZONE v_tz, 'FMHH24" h "MI'), b.object, b.problem, b.visitor_name,
           r.id IS NOT NULL, tl.repair_status_fr(r.status)
      FROM tl.repair_booking b JOIN tl.repair_slot l ON l.id = b.slot_id
      LEFT JOIN tl.repair_record r ON r.booking_id = b.id
     WHERE l.session_id = p_session AND b.cancelled_at IS NULL
    UNION ALL
    SELECT NULL, 'sans réservation', r.object, r.problem, NULL, true, tl.repair_status_fr(r.status)
      FROM tl.repair_record r WHERE r.session_id = p_session AND r.booking_id IS NULL
     ORDER BY 6, 2, 1;
END $$;

-- ---- results and impact ----------------------------------------------------------

-- The weight and footprint of a category on a day (the latest factor from
-- before it).
CREATE FUNCTION tl.repair_factor(p_category text, p_on date, OUT weight_kg numeric, OUT footprint_kg numeric,
                                 OUT source text)
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT f.weight_kg, f.footprint_kg, f.source FROM tl.repair_category_factor f
     WHERE f.category = p_category AND f.valid_from <= p_on
     ORDER BY f.valid_from DESC LIMIT 1
$$;

-- The impact of one repaired object, counted as The Restart Project does:
-- waste prevented = the object's weight if weighed, else its category's
-- average; CO2e avoided = the category's footprint (or, for a category
-- without one, the weight × the per-kilo footprint of a powered or
-- unpowered object) × the displacement factor, each factor as it stood on
-- the record's day for its place (sql/logic/back_office.sql). Nothing for
-- an object not repaired.
CREATE FUNCTION tl.repair_impact(r tl.repair_record, OUT waste_kg numeric, OUT co2_kg numeric)
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT coalesce(r.weight_kg, f.weight_kg),
           x.displacement * CASE WHEN f.footprint_kg > 0 THEN f.footprint_kg
                                 ELSE coalesce(r.weight_kg, f.weight_kg, 0) * x.per_kg END
      FROM tl.place p
      JOIN tl.repair_category c ON c.code = r.category
      LEFT JOIN LATERAL tl.repair_factor(r.category, r.event_date) f ON true
      CROSS JOIN LATERAL (
          SELECT max(v.value) FILTER (WHERE v.key = 'reparation_deplacement') AS displacement,
                 max(v.value) FILTER (WHERE v.key = CASE WHEN c.powered THEN 'co2_kg_electrique'
                                                         ELSE 'co2_kg_non_electrique' END) AS per_kg
            FROM tl.impact_factors(p.slug, r.event_date) v) x
     WHERE p.id = r.place_id AND r.status = 'repare'
$$;

-- A record's impact is kept with it (pages sum it, never recompute it per
-- record): computed when it is written, and again for the records a
-- changed factor applies to.
CREATE FUNCTION tl.repair_record_impact() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    SELECT i.waste_kg, i.co2_kg INTO NEW.waste_kg, NEW.co2_kg FROM tl.repair_impact(NEW) i;
    RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS repair_record_impact ON tl.repair_record;
CREATE TRIGGER repair_record_impact BEFORE INSERT OR UPDATE OF status, weight_kg, category, event_date, place_id
    ON tl.repair_record FOR EACH ROW EXECUTE FUNCTION tl.repair_record_impact();

-- The records of these places (NULL: every place) and categories (NULL:
-- every category) from a day on, computed again.
CREATE FUNCTION tl.recompute_repair_impact(p_places integer[], p_categories text[], p_from date)
RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog AS $$
    UPDATE tl.repair_record r SET (waste_kg, co2_kg) = (SELECT i.waste_kg, i.co2_kg FROM tl.repair_impact(r) i)
     WHERE r.status = 'repare' AND r.event_date >= p_from
       AND (p_places IS NULL OR r.place_id = ANY (p_places))
       AND (p_categories IS NULL OR r.category = ANY (p_categories))
$$;

-- A factor written, changed or removed: the records it applies to, from
-- its first day (a network factor applies to every place; a category's
-- footprint or kind, to that category's records). Factors change a few
-- times a year, one row at a time.
CREATE FUNCTION tl.impact_factor_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_row jsonb := to_jsonb(CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END);
    v_old jsonb := CASE WHEN TG_OP = 'UPDATE' THEN to_jsonb(OLD) END;
    v_from date := least((v_row->>'valid_from')::date, (v_old->>'valid_from')::date);
BEGIN
    IF TG_TABLE_NAME = 'impact_factor' THEN
        PERFORM tl.recompute_repair_impact(
            CASE WHEN v_row->'place_id' = 'null' OR v_old->'place_id' = 'null' THEN NULL
                 ELSE ARRAY[(v_row->>'place_id')::integer, (v_old->>'place_id')::integer] END, NULL, v_from);
    ELSE
        PERFORM tl.recompute_repair_impact(NULL, ARRAY[coalesce(v_row->>'category', v_row->>'code'),
                                                       coalesce(v_old->>'category', v_old->>'code')],
                                           coalesce(v_from, '-infinity'));
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS impact_factor_changed ON tl.impact_factor;
CREATE TRIGGER impact_factor_changed AFTER INSERT OR UPDATE OR DELETE ON tl.impact_factor
    FOR EACH ROW EXECUTE FUNCTION tl.impact_factor_changed();
DROP TRIGGER IF EXISTS impact_factor_changed ON tl.repair_category_factor;
CREATE TRIGGER impact_factor_changed AFTER INSERT OR UPDATE OR DELETE ON tl.repair_category_factor
    FOR EACH ROW EXECUTE FUNCTION tl.impact_factor_changed();
DROP TRIGGER IF EXISTS impact_factor_changed ON tl.repair_category;
CREATE TRIGGER impact_factor_changed AFTER UPDATE OF powered ON tl.repair_category
    FOR EACH ROW EXECUTE FUNCTION tl.impact_factor_changed();

-- The tally of these places, again from their records and their
-- sessions' bookings (tl.lock_places).
CREATE FUNCTION tl.recount_repairs(p_places integer[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_places integer[] := tl.lock_places('tl.repair_tally', p_places);
BEGIN
    DELETE FROM tl.repair_tally WHERE place_id = ANY (v_places);
    INSERT INTO tl.repair_tally (place_id, session_id, brought, fixed, repairable, end_of_life, waste_kg, co2_kg,
                                 unweighed_unknown, walk_ins, booked)
    SELECT coalesce(r.place_id, b.place_id), coalesce(r.session_id, b.session_id), coalesce(r.brought, 0),
           coalesce(r.fixed, 0), coalesce(r.repairable, 0), coalesce(r.end_of_life, 0), coalesce(r.waste_kg, 0),
           coalesce(r.co2_kg, 0), coalesce(r.unweighed_unknown, 0), coalesce(r.walk_ins, 0), coalesce(b.booked, 0)
      FROM (SELECT r.place_id, r.session_id, count(*) AS brought, count(*) FILTER (WHERE r.status = 'repare') AS fixed,
                   count(*) FILTER (WHERE r.status = 'reparable') AS repairable,
                   count(*) FILTER (WHERE r.status = 'fin_de_vie') AS end_of_life,
                   coalesce(sum(r.waste_kg), 0) AS waste_kg, coalesce(sum(r.co2_kg), 0) AS co2_kg,
                   count(*) FILTER (WHERE r.status = 'repare' AND r.weight_kg IS NULL
                                      AND coalesce(r.waste_kg, 0) = 0) AS unweighed_unknown,
                   count(*) FILTER (WHERE r.booking_id IS NULL) AS walk_ins
              FROM tl.repair_record r
             WHERE r.place_id = ANY (v_places)
             GROUP BY r.place_id, r.session_id) r
      FULL JOIN (SELECT s.place_id, s.id AS session_id, count(*) AS booked
                   FROM tl.repair_session s JOIN tl.repair_slot sl ON sl.session_id = s.id
                   JOIN tl.repair_booking bk ON bk.slot_id = sl.id AND bk.cancelled_at IS NULL
                  WHERE s.place_id = ANY (v_places)
                  GROUP BY s.place_id, s.id) b ON b.place_id = r.place_id AND b.session_id = r.session_id;
END $$;

-- After a statement on tl.repair_record or tl.repair_booking: the places
-- of the rows whose count changed (a booking's place is its session's).
CREATE FUNCTION tl.repair_tally_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    -- a record names its place, a booking its slot
    v_key    text := CASE TG_TABLE_NAME WHEN 'repair_record' THEN 'place_id' ELSE 'slot_id' END;
    -- what counts of a row: all of a record; a booking's slot and whether
    -- it stands (its purge, name and contact wiped, changes no count)
    v_counts text := CASE TG_TABLE_NAME WHEN 'repair_record' THEN '%1$s' ELSE '%1$s.slot_id, %1$s.cancelled_at IS NULL' END;
    v_ids    integer[];
BEGIN
    -- Only the transition tables the trigger has.
    EXECUTE CASE TG_OP
        WHEN 'INSERT' THEN format('SELECT array_agg(n.%I) FROM new_rows n', v_key)
        WHEN 'DELETE' THEN format('SELECT array_agg(o.%I) FROM old_rows o', v_key)
        ELSE format('SELECT array_agg(v.id) FROM old_rows o JOIN new_rows n ON n.id = o.id, '
                    'LATERAL (VALUES (o.%1$I), (n.%1$I)) AS v(id) WHERE (%2$s) IS DISTINCT FROM (%3$s)',
                    v_key, format(v_counts, 'o'), format(v_counts, 'n')) END
       INTO v_ids;
    IF TG_TABLE_NAME = 'repair_booking' THEN
        v_ids := ARRAY(SELECT s.place_id FROM tl.repair_slot sl JOIN tl.repair_session s ON s.id = sl.session_id
                        WHERE sl.id = ANY (v_ids));
    END IF;
    IF cardinality(v_ids) > 0 THEN
        PERFORM tl.recount_repairs(v_ids);
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS repair_tally_insert ON tl.repair_booking;
DROP TRIGGER IF EXISTS repair_tally_update ON tl.repair_booking;
DROP TRIGGER IF EXISTS repair_tally_delete ON tl.repair_booking;
CREATE TRIGGER repair_tally_insert AFTER INSERT ON tl.repair_booking REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tl.repair_tally_changed();
CREATE TRIGGER repair_tally_update AFTER UPDATE ON tl.repair_booking REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tl.repair_tally_changed();
CREATE TRIGGER repair_tally_delete AFTER DELETE ON tl.repair_booking REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tl.repair_tally_changed();

DROP TRIGGER IF EXISTS repair_tally_insert ON tl.repair_record;
DROP TRIGGER IF EXISTS repair_tally_update ON tl.repair_record;
DROP TRIGGER IF EXISTS repair_tally_delete ON tl.repair_record;
CREATE TRIGGER repair_tally_insert AFTER INSERT ON tl.repair_record REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tl.repair_tally_changed();
CREATE TRIGGER repair_tally_update AFTER UPDATE ON tl.repair_record REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tl.repair_tally_changed();
CREATE TRIGGER repair_tally_delete AFTER DELETE ON tl.repair_record REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tl.repair_tally_changed();

-- What a session, a place or the whole network repaired, and its impact:
-- the sums of the tally.
CREATE FUNCTION tl.repair_results(p_place text, p_session integer)
RETURNS TABLE (brought bigint, fixed bigint, repairable bigint, end_of_life bigint, waste_kg numeric, co2_kg numeric,
               unweighed_unknown bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT coalesce(sum(t.brought), 0), coalesce(sum(t.fixed), 0), coalesce(sum(t.repairable), 0),
           coalesce(sum(t.end_of_life), 0), round(coalesce(sum(t.waste_kg), 0), 1),
           round(coalesce(sum(t.co2_kg), 0), 1), coalesce(sum(t.unweighed_unknown), 0)
      FROM tl.repair_tally t
     WHERE (p_session IS NULL OR t.session_id = p_session)
       AND (coalesce(p_place, '') = '' OR t.place_id = (SELECT p.id FROM tl.place p WHERE p.slug = p_place))
$$;

-- Applying this file computes the impact of records written before it was
-- kept, or by an earlier form of tl.repair_impact (only those: an UPDATE of
-- no row still bumps the data version), and counts every place.
DO $$ BEGIN
    CREATE TEMPORARY TABLE repair_impact_changed ON COMMIT DROP AS
    SELECT x.id, i.waste_kg, i.co2_kg
      FROM tl.repair_record x CROSS JOIN LATERAL tl.repair_impact(x) i
     WHERE (x.waste_kg, x.co2_kg) IS DISTINCT FROM (i.waste_kg, i.co2_kg);
    IF EXISTS (SELECT 1 FROM repair_impact_changed) THEN
        UPDATE tl.repair_record r SET waste_kg = c.waste_kg, co2_kg = c.co2_kg
          FROM repair_impact_changed c WHERE c.id = r.id;
    END IF;
    DROP TABLE repair_impact_changed;
    PERFORM tl.recount_repairs(ARRAY(SELECT id FROM tl.place));
END $$;

-- Tables of this area whose content a page can show: every write bumps the
-- data version (tl.track_changes; a test checks none is forgotten).
DO $$ BEGIN PERFORM tl.track_changes(t::regclass, 'repair_cafe') FROM unnest(ARRAY['tl.event_kind', 'tl.event_proposal', 'tl.repair_booking', 'tl.repair_category', 'tl.repair_category_factor', 'tl.repair_record', 'tl.repair_session', 'tl.repair_session_repairer', 'tl.repair_skill', 'tl.repair_slot']) AS t; END $$;

------------------------------------------------------------------------------
-- Rights: functions are executable by PUBLIC unless revoked; the desk's
-- functions go to tierslieux_guichet, the public pages' to tierslieux_lecture,
-- the sending command's to tierslieux_courriels.
------------------------------------------------------------------------------
REVOKE ALL ON FUNCTION tl.apply_repair_retention(timestamp with time zone) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.propose_event(text,text,text,text,text,text,integer,boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.propose_event(text,text,text,text,text,text,integer,boolean) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.my_event_proposals(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.my_event_proposals(text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.admin_event_proposals(text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.admin_event_proposals(text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.admin_event_proposal(text,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.admin_event_proposal(text,integer) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.require_event_proposal(text,integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.approve_event_proposal(text,integer,date,time without time zone,time without time zone,integer,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.approve_event_proposal(text,integer,date,time without time zone,time without time zone,integer,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.decline_event_proposal(text,integer,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.decline_event_proposal(text,integer,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.book_repair(integer,text,text,text,text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.book_repair(integer,text,text,text,text,text) TO tierslieux_lecture;
REVOKE ALL ON FUNCTION tl.cancel_repair_booking(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.cancel_repair_booking(text) TO tierslieux_lecture;
REVOKE ALL ON FUNCTION tl.cancel_repair_session(text,integer,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.cancel_repair_session(text,integer,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.create_repair_sessions(text,text,text,text,date,time without time zone,time without time zone,text,integer,integer,integer,text[],text,text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.create_repair_sessions(text,text,text,text,date,time without time zone,time without time zone,text,integer,integer,integer,text[],text,text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.desk_repair_bookings(text,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.desk_repair_bookings(text,integer) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.desk_repair_queue(text,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.desk_repair_queue(text,integer) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.desk_repair_sessions(text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.desk_repair_sessions(text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.desk_repairers(text,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.desk_repairers(text,integer) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.log_repair(text,integer,bigint,text,text,text,numeric,text,text,integer,numeric,integer,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.log_repair(text,integer,bigint,text,text,text,numeric,text,text,integer,numeric,integer,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.move_repair_session(text,integer,date,time without time zone,time without time zone) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.move_repair_session(text,integer,date,time without time zone,time without time zone) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.repair_booking_by_token(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.repair_booking_by_token(text) TO tierslieux_lecture;
REVOKE ALL ON FUNCTION tl.repair_factor(text,date) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.recompute_repair_impact(integer[],text[],date) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.recount_repairs(integer[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.repair_results(text,integer) TO tierslieux_lecture;
GRANT EXECUTE ON FUNCTION tl.repair_sessions(text,timestamp with time zone,integer,text) TO tierslieux_lecture;
GRANT EXECUTE ON FUNCTION tl.repair_slots(integer) TO tierslieux_lecture;
REVOKE ALL ON FUNCTION tl.require_repair_desk(text,integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.require_repair_session(text,integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.require_skills(text[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.set_repair_slot(text,integer,time without time zone,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.set_repair_slot(text,integer,time without time zone,integer) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.set_repairer(text,integer,text,text[],boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.set_repairer(text,integer,text,text[],boolean) TO tierslieux_guichet;
GRANT SELECT ON tl.event_kind TO tierslieux_lecture;
GRANT SELECT ON tl.repair_category TO tierslieux_lecture;
-- What the Open Repair Data export publishes (tl.repair_ords_rows), and
-- nothing of who brought, repaired or recorded an object.
GRANT SELECT (id, place_id, event_date, ext_id, ext_provider, ext_country, ext_partner_category, ext_product_category,
              ext_group, category, brand, year_of_manufacture, age_years, status, barrier, problem)
   ON tl.repair_record TO tierslieux_lecture;
GRANT SELECT ON tl.repair_category_factor TO tierslieux_lecture;
GRANT SELECT ON tl.repair_session TO tierslieux_lecture;
GRANT SELECT ON tl.repair_skill TO tierslieux_lecture;
GRANT SELECT ON tl.repair_slot TO tierslieux_lecture;
GRANT SELECT (slot_id, cancelled_at) ON tl.repair_booking TO tierslieux_lecture;
