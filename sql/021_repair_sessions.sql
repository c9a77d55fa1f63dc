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
SELECT tl.track_changes('tl.repair_session_repairer'::regclass);

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
CREATE FUNCTION tl.create_repair_sessions(p_login text, p_place text, p_title text, p_description text,
                                          p_first date, p_start time, p_end time, p_repeat text, p_count integer,
                                          p_slot_minutes integer, p_capacity integer, p_skills text[])
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place  tl.place := tl.require_place(p_place);
    v_who    integer := tl.require_role(p_login, v_place.id, 'referent');
    v_skills text[] := tl.require_skills(p_skills);
    v_day    date;
    v_id     integer;
    v_first  integer;
    v_n      integer := 0;
BEGIN
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
        INSERT INTO tl.repair_session (place_id, title, description, starts_at, ends_at, skills, created_by)
        VALUES (v_place.id, coalesce(nullif(btrim(p_title), ''), 'Repair café'), btrim(coalesce(p_description, '')),
                (v_day + p_start) AT TIME ZONE v_place.time_zone, (v_day + p_end) AT TIME ZONE v_place.time_zone,
                v_skills, v_who)
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
    INSERT INTO tl.repair_session (place_id, title, description, starts_at, ends_at, skills, created_by)
    VALUES (r.place_id, r.title, r.description, v_start,
            (p_day + coalesce(p_end, (r.ends_at AT TIME ZONE v_tz)::time)) AT TIME ZONE v_tz, r.skills, v_who)
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
               moved boolean, past boolean)
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
           s.cancelled_at IS NOT NULL, s.moved_to IS NOT NULL, s.ends_at <= now()
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

REVOKE ALL ON FUNCTION tl.require_skills(text[]), tl.require_repair_session(text, integer),
    tl.require_repair_desk(text, integer) FROM PUBLIC;
SELECT tl.grant_desk(
    'tl.create_repair_sessions(text, text, text, text, date, time, time, text, integer, integer, integer, text[])',
    'tl.cancel_repair_session(text, integer, text)', 'tl.move_repair_session(text, integer, date, time, time)',
    'tl.set_repairer(text, integer, text, text[], boolean)', 'tl.desk_repair_sessions(text, text)',
    'tl.desk_repair_bookings(text, integer)', 'tl.desk_repairers(text, integer)',
    'tl.set_repair_slot(text, integer, time, integer)');
