-- Volunteer shifts (sql/schema/010): référents publish shifts, volunteers
-- of the place sign up and withdraw, the desk sees who is expected today,
-- and the hours given are counted for the group only — by activity, place
-- and month, never per person — and valued for the association's accounts.
-- A volunteer sees their own hours, nobody else's.

------------------------------------------------------------------------------
-- Helpers
------------------------------------------------------------------------------

-- The hours a sign-up counts for: the minutes given when a référent noted
-- them, the shift's length otherwise.
CREATE FUNCTION tl.signup_hours(p_minutes integer, p_starts timestamptz, p_ends timestamptz) RETURNS numeric
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $$
    SELECT round(coalesce(p_minutes, extract(epoch FROM p_ends - p_starts)::integer / 60) / 60.0, 2)
$$;

-- The month a shift counts in, in its place's time zone: the cells of
-- the group's totals are a place, an activity and this month.
CREATE FUNCTION tl.shift_month(p_starts timestamptz, p_tz text) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT to_char(p_starts AT TIME ZONE p_tz, 'YYYY-MM')
$$;

-- The same month as pages write it: "novembre 2026".
CREATE FUNCTION tl.shift_month_fr(p_starts timestamptz, p_tz text) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT regexp_replace(tl.date_fr(date_trunc('month', p_starts AT TIME ZONE p_tz)::date), '^1er ', '')
$$;

-- A count of people as pages and exports may show it: below 3, a person
-- could be recognised, so "moins de 3".
CREATE FUNCTION tl.people_count(p_n bigint) RETURNS text
LANGUAGE sql IMMUTABLE STRICT SET search_path = pg_catalog AS $$
    SELECT CASE WHEN p_n < 3 THEN 'moins de 3' ELSE p_n::text END
$$;

-- "14 h 00 – 17 h 30", in the place's time zone.
CREATE FUNCTION tl.shift_hours_fr(p_starts timestamptz, p_ends timestamptz, p_tz text) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT to_char(p_starts AT TIME ZONE p_tz, 'FMHH24 "h" MI') || ' – ' || to_char(p_ends AT TIME ZONE p_tz, 'FMHH24 "h" MI')
$$;

-- "12,5" for 12.50 hours, as the pages write them.
CREATE FUNCTION tl.duration_fr(p_hours numeric) RETURNS text
LANGUAGE sql IMMUTABLE STRICT SET search_path = pg_catalog AS $$
    SELECT replace(trim(trailing '.' FROM trim(trailing '0' FROM to_char(p_hours, 'FM999999990.00'))), '.', ',')
$$;

-- The shift, locked: sign-ups to one shift are made one after the other.
-- The caller checks the role at its place.
CREATE FUNCTION tl.require_shift(p_shift integer) RETURNS tl.volunteer_shift
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    v tl.volunteer_shift;
BEGIN
    SELECT * INTO v FROM tl.volunteer_shift WHERE id = p_shift FOR UPDATE;
    IF v.id IS NULL THEN
        RAISE EXCEPTION 'ce créneau n''existe pas' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'volunteer_signup_shift_fkey';
    END IF;
    RETURN v;
END $$;

------------------------------------------------------------------------------
-- The back office: a place's shifts, created and cancelled by its référents
------------------------------------------------------------------------------

-- The place's shifts from a week ago on, with who signed up (the team
-- sees the names: it organises the shifts).
CREATE FUNCTION tl.admin_shifts(p_login text, p_place text)
RETURNS TABLE (id integer, activity text, day_fr text, hours_fr text, needed integer, taken bigint, names text,
               note text, cancelled boolean, past boolean, cancellable boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place tl.place := tl.require_place(p_place);
BEGIN
    PERFORM tl.require_role(p_login, v_place.id, 'referent');
    RETURN QUERY
    SELECT s.id, a.label, tl.date_fr((s.starts_at AT TIME ZONE v_place.time_zone)::date),
           tl.shift_hours_fr(s.starts_at, s.ends_at, v_place.time_zone), s.needed,
           count(u.id), string_agg(coalesce(acc.display_name, 'un ou une bénévole'), ', ' ORDER BY u.signed_up_at),
           s.note, s.cancelled_at IS NOT NULL, s.starts_at <= now(), s.cancelled_at IS NULL AND s.starts_at > now()
      FROM tl.volunteer_shift s
      JOIN tl.volunteer_activity a ON a.code = s.activity
      LEFT JOIN tl.volunteer_signup u ON u.shift_id = s.id AND u.withdrawn_at IS NULL
      LEFT JOIN tl.account acc ON acc.id = u.account_id
     WHERE s.place_id = v_place.id AND s.ends_at > now() - interval '7 days'
     GROUP BY s.id, a.label
     ORDER BY s.starts_at, s.id;
END $$;

-- The sign-ups of the place's shifts that started in the past week, for
-- noting the time each volunteer actually gave.
CREATE FUNCTION tl.admin_shift_signups(p_login text, p_place text)
RETURNS TABLE (id bigint, shift_id integer, name text, minutes integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place tl.place := tl.require_place(p_place);
BEGIN
    PERFORM tl.require_role(p_login, v_place.id, 'referent');
    RETURN QUERY
    SELECT u.id, s.id, coalesce(acc.display_name, 'un ou une bénévole'),
           coalesce(u.minutes_given, extract(epoch FROM s.ends_at - s.starts_at)::integer / 60)
      FROM tl.volunteer_shift s
      JOIN tl.volunteer_signup u ON u.shift_id = s.id AND u.withdrawn_at IS NULL
      LEFT JOIN tl.account acc ON acc.id = u.account_id
     WHERE s.place_id = v_place.id AND s.cancelled_at IS NULL AND s.starts_at <= now()
       AND s.ends_at > now() - interval '7 days'
     ORDER BY s.starts_at, u.signed_up_at;
END $$;

-- The minutes a volunteer actually gave, when they differ from the
-- shift's length; noted by a référent once the shift started.
CREATE FUNCTION tl.set_signup_minutes(p_login text, p_signup bigint, p_minutes integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_shift integer := (SELECT shift_id FROM tl.volunteer_signup WHERE id = p_signup AND withdrawn_at IS NULL);
    v       tl.volunteer_shift;
    v_who   integer;
BEGIN
    IF v_shift IS NULL THEN
        RAISE EXCEPTION 'cette inscription n''existe pas' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'volunteer_signup_pkey';
    END IF;
    v := tl.require_shift(v_shift);
    v_who := tl.require_role(p_login, v.place_id, 'referent');
    IF v.starts_at > now() OR v.cancelled_at IS NOT NULL THEN
        RAISE EXCEPTION 'le temps donné se note une fois le créneau commencé' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'volunteer_signup_minutes_after_start';
    END IF;
    UPDATE tl.volunteer_signup SET minutes_given = p_minutes WHERE id = p_signup;
    PERFORM tl.admin_note(v_who, v.place_id, 'benevolat.duree', v.activity, p_minutes::text || ' min');
END $$;

CREATE FUNCTION tl.create_shift(p_login text, p_place text, p_activity text, p_day date, p_start time, p_end time,
                                p_needed integer, p_note text)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place tl.place := tl.require_place(p_place);
    v_who   integer := tl.require_role(p_login, v_place.id, 'referent');
    v_start timestamptz;
    v_end   timestamptz;
    v_id    integer;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM tl.volunteer_activity WHERE code = p_activity) THEN
        RAISE EXCEPTION 'choisissez une activité de la liste' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'volunteer_shift_activity_fkey';
    END IF;
    IF p_day IS NULL OR p_start IS NULL OR p_end IS NULL OR p_end <= p_start THEN
        RAISE EXCEPTION 'le créneau finit après avoir commencé, le même jour' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'volunteer_shift_period';
    END IF;
    v_start := (p_day + p_start) AT TIME ZONE v_place.time_zone;
    v_end := (p_day + p_end) AT TIME ZONE v_place.time_zone;
    IF v_start <= now() THEN
        RAISE EXCEPTION 'un créneau se publie avant qu''il commence' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'volunteer_shift_in_future';
    END IF;
    INSERT INTO tl.volunteer_shift (place_id, activity, starts_at, ends_at, needed, note, created_by)
    VALUES (v_place.id, p_activity, v_start, v_end, p_needed, btrim(coalesce(p_note, '')), v_who)
    RETURNING id INTO v_id;
    PERFORM tl.admin_note(v_who, v_place.id, 'benevolat.creneau', tl.date_fr(p_day), p_activity);
    RETURN v_id;
END $$;

-- A cancelled shift keeps its sign-ups (the volunteers see it cancelled)
-- and counts no hours.
CREATE FUNCTION tl.cancel_shift(p_login text, p_shift integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v     tl.volunteer_shift := tl.require_shift(p_shift);
    v_who integer := tl.require_role(p_login, v.place_id, 'referent');
BEGIN
    IF v.cancelled_at IS NOT NULL OR v.starts_at <= now() THEN
        RAISE EXCEPTION 'ce créneau a déjà commencé ou est déjà annulé' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'volunteer_shift_cancellable';
    END IF;
    UPDATE tl.volunteer_shift SET cancelled_at = now() WHERE id = v.id;
    PERFORM tl.admin_note(v_who, v.place_id, 'benevolat.annulation',
                          tl.date_fr((v.starts_at AT TIME ZONE (SELECT time_zone FROM tl.place WHERE id = v.place_id))::date),
                          v.activity);
END $$;

CREATE FUNCTION tl.set_volunteer_hour_value(p_login text, p_place text, p_value numeric) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place tl.place := tl.require_place(p_place);
    v_who   integer := tl.require_role(p_login, v_place.id, 'referent');
BEGIN
    UPDATE tl.place SET volunteer_hour_value = p_value WHERE id = v_place.id;
    PERFORM tl.admin_note(v_who, v_place.id, 'benevolat.valeur', v_place.name, p_value::text);
END $$;

------------------------------------------------------------------------------
-- The group's hours: by month, place and activity, never per person
------------------------------------------------------------------------------

-- Hours of shifts that are over and were not cancelled, with the number
-- of distinct volunteers as pages may show it, and their valuation at the
-- place's hourly value: numbers, as the page writes them (_fr) and as a
-- French spreadsheet reads them (_csv: a decimal comma).
CREATE FUNCTION tl.volunteer_hours(p_login text, p_place text)
RETURNS TABLE (month text, month_fr text, place text, activity text, hours numeric, hours_fr text, people text,
               hour_value numeric, valuation numeric, valuation_fr text, hours_csv text, hour_value_csv text,
               valuation_csv text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place tl.place := tl.require_place(p_place);
BEGIN
    PERFORM tl.require_role(p_login, v_place.id, 'referent');
    RETURN QUERY
    SELECT x.month, x.month_fr, v_place.name, x.label, x.hours, tl.duration_fr(x.hours), tl.people_count(x.people),
           v_place.volunteer_hour_value, round(x.hours * v_place.volunteer_hour_value, 2),
           tl.euros(round(x.hours * v_place.volunteer_hour_value, 2)),
           replace(x.hours::text, '.', ','), replace(v_place.volunteer_hour_value::text, '.', ','),
           replace(round(x.hours * v_place.volunteer_hour_value, 2)::text, '.', ',')
      FROM (SELECT tl.shift_month(s.starts_at, v_place.time_zone) AS month,
                   tl.shift_month_fr(s.starts_at, v_place.time_zone) AS month_fr,
                   a.label, a.rank,
                   sum(tl.signup_hours(u.minutes_given, s.starts_at, s.ends_at)) AS hours,
                   count(DISTINCT coalesce(u.account_id::text, 'k' || u.tally_key, 'n' || u.id)) AS people
              FROM tl.volunteer_shift s
              JOIN tl.volunteer_activity a ON a.code = s.activity
              JOIN tl.volunteer_signup u ON u.shift_id = s.id AND u.withdrawn_at IS NULL
             WHERE s.place_id = v_place.id AND s.cancelled_at IS NULL AND s.ends_at <= now()
             GROUP BY 1, 2, 3, 4) x
     ORDER BY x.month DESC, x.rank;
END $$;

------------------------------------------------------------------------------
-- The desk: a volunteer's own page
------------------------------------------------------------------------------

-- The place's shifts to come (four weeks), with the seats taken and
-- whether the caller may sign up or withdraw. No names here: who is
-- expected is told for the day only (tl.desk_expected_today).
CREATE FUNCTION tl.desk_shifts(p_login text, p_place text)
RETURNS TABLE (id integer, activity text, day_fr text, hours_fr text, needed integer, taken bigint, full_ boolean,
               note text, cancelled boolean, can_sign_up boolean, can_withdraw boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place tl.place := tl.require_place(p_place);
    v_who   integer := tl.require_role(p_login, v_place.id, 'benevole');
BEGIN
    RETURN QUERY
    SELECT s.id, a.label, tl.date_fr((s.starts_at AT TIME ZONE v_place.time_zone)::date),
           tl.shift_hours_fr(s.starts_at, s.ends_at, v_place.time_zone), s.needed,
           count(u.id), count(u.id) >= s.needed, s.note, s.cancelled_at IS NOT NULL,
           s.cancelled_at IS NULL AND count(u.id) < s.needed AND NOT coalesce(bool_or(u.account_id = v_who), false),
           coalesce(bool_or(u.account_id = v_who), false)
      FROM tl.volunteer_shift s
      JOIN tl.volunteer_activity a ON a.code = s.activity
      LEFT JOIN tl.volunteer_signup u ON u.shift_id = s.id AND u.withdrawn_at IS NULL
     WHERE s.place_id = v_place.id AND s.starts_at > now() AND s.starts_at < now() + interval '28 days'
     GROUP BY s.id, a.label
     ORDER BY s.starts_at, s.id;
END $$;

-- Who is expected today at the place: the team's names, for the team only.
CREATE FUNCTION tl.desk_expected_today(p_login text, p_place text)
RETURNS TABLE (hours_fr text, activity text, name text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place tl.place := tl.require_place(p_place);
    v_today date := (now() AT TIME ZONE v_place.time_zone)::date;
BEGIN
    PERFORM tl.require_role(p_login, v_place.id, 'benevole');
    RETURN QUERY
    SELECT tl.shift_hours_fr(s.starts_at, s.ends_at, v_place.time_zone), a.label, acc.display_name
      FROM tl.volunteer_shift s
      JOIN tl.volunteer_activity a ON a.code = s.activity
      JOIN tl.volunteer_signup u ON u.shift_id = s.id AND u.withdrawn_at IS NULL
      JOIN tl.account acc ON acc.id = u.account_id
     WHERE s.place_id = v_place.id AND s.cancelled_at IS NULL
       -- the place's midnights (a date AT TIME ZONE would read it as a
       -- midnight of the session's time zone first)
       AND s.starts_at >= v_today::timestamp AT TIME ZONE v_place.time_zone
       AND s.starts_at < (v_today + 1)::timestamp AT TIME ZONE v_place.time_zone
     ORDER BY s.starts_at, a.rank, acc.display_name;
END $$;

-- The caller's own hours, by month, place and activity: nobody else's.
CREATE FUNCTION tl.my_volunteer_hours(p_login text)
RETURNS TABLE (month text, month_fr text, place text, activity text, hours_fr text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT tl.shift_month(s.starts_at, p.time_zone), tl.shift_month_fr(s.starts_at, p.time_zone), p.name, a.label,
           tl.duration_fr(sum(tl.signup_hours(u.minutes_given, s.starts_at, s.ends_at)))
      FROM tl.account acc
      JOIN tl.volunteer_signup u ON u.account_id = acc.id AND u.withdrawn_at IS NULL
      JOIN tl.volunteer_shift s ON s.id = u.shift_id AND s.cancelled_at IS NULL AND s.ends_at <= now()
      JOIN tl.place p ON p.id = s.place_id
      JOIN tl.volunteer_activity a ON a.code = s.activity
     WHERE acc.login = p_login AND acc.active
     GROUP BY 1, 2, 3, 4, a.rank
     ORDER BY 1 DESC, 3, a.rank
$$;

-- Signing up: the shift's row is locked first, so two volunteers taking
-- the last seat at once sign up one after the other and the second is
-- refused.
CREATE FUNCTION tl.shift_sign_up(p_login text, p_shift integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v     tl.volunteer_shift := tl.require_shift(p_shift);
    v_who integer := tl.require_role(p_login, v.place_id, 'benevole');
BEGIN
    IF v.cancelled_at IS NOT NULL OR v.starts_at <= now() THEN
        RAISE EXCEPTION 'ce créneau a commencé ou est annulé : on ne s''y inscrit plus'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'volunteer_signup_before_start';
    END IF;
    IF EXISTS (SELECT 1 FROM tl.volunteer_signup WHERE shift_id = v.id AND account_id = v_who AND withdrawn_at IS NULL) THEN
        RAISE EXCEPTION 'vous êtes déjà inscrit·e à ce créneau' USING ERRCODE = 'unique_violation',
            CONSTRAINT = 'volunteer_signup_once';
    END IF;
    IF (SELECT count(*) FROM tl.volunteer_signup WHERE shift_id = v.id AND withdrawn_at IS NULL) >= v.needed THEN
        RAISE EXCEPTION 'ce créneau est complet' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'volunteer_shift_full';
    END IF;
    INSERT INTO tl.volunteer_signup (shift_id, account_id) VALUES (v.id, v_who);
END $$;

-- Withdrawing, up to the shift's start.
CREATE FUNCTION tl.shift_withdraw(p_login text, p_shift integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v     tl.volunteer_shift := tl.require_shift(p_shift);
    v_who integer := tl.require_role(p_login, v.place_id, 'benevole');
BEGIN
    IF v.starts_at <= now() THEN
        RAISE EXCEPTION 'ce créneau a commencé : on ne s''en retire plus ici, prévenez un ou une référente'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'volunteer_withdraw_before_start';
    END IF;
    UPDATE tl.volunteer_signup SET withdrawn_at = now()
     WHERE shift_id = v.id AND account_id = v_who AND withdrawn_at IS NULL;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'vous n''êtes pas inscrit·e à ce créneau' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'volunteer_signup_exists';
    END IF;
END $$;

------------------------------------------------------------------------------
-- Erasure and retention: the person goes, the hours stay
------------------------------------------------------------------------------

-- Detaches these sign-ups from their volunteers. The sign-ups one person
-- gave to one place, activity and month share a random key instead, so
-- the totals' number of distinct volunteers does not change.
CREATE FUNCTION tl.detach_signups(p_ids bigint[]) RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    n integer;
BEGIN
    WITH cell AS (
        SELECT u.id, u.account_id, s.place_id, s.activity, tl.shift_month(s.starts_at, p.time_zone) AS month
          FROM tl.volunteer_signup u
          JOIN tl.volunteer_shift s ON s.id = u.shift_id
          JOIN tl.place p ON p.id = s.place_id
         WHERE u.id = ANY (p_ids) AND u.account_id IS NOT NULL
    ), keyed AS (
        SELECT g.account_id, g.place_id, g.activity, g.month, (random() * 9e18)::bigint AS key
          FROM (SELECT DISTINCT account_id, place_id, activity, month FROM cell) g
    )
    UPDATE tl.volunteer_signup u SET account_id = NULL, tally_key = k.key
      FROM cell c JOIN keyed k USING (account_id, place_id, activity, month)
     WHERE u.id = c.id;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;

-- Erasure of volunteers: every sign-up of these accounts detached; the
-- sign-ups, and so the group's totals, stay. Returns how many.
CREATE FUNCTION tl.forget_volunteers(p_accounts integer[]) RETURNS integer
LANGUAGE sql SET search_path = pg_catalog AS $$
    SELECT tl.detach_signups(ARRAY(SELECT id FROM tl.volunteer_signup WHERE account_id = ANY (p_accounts)))
$$;

-- By the retention command: a month's sign-ups lose their volunteers
-- tl.retention.volunteer_months after that month ended, all at once, so
-- a cell of the totals is never half detached.
CREATE FUNCTION tl.apply_volunteer_retention(p_now timestamptz DEFAULT now()) RETURNS integer
LANGUAGE sql SET search_path = pg_catalog AS $$
    SELECT tl.detach_signups(ARRAY(
        SELECT u.id
          FROM tl.volunteer_signup u
          JOIN tl.volunteer_shift s ON s.id = u.shift_id
          JOIN tl.place p ON p.id = s.place_id
          CROSS JOIN tl.retention r
         WHERE u.account_id IS NOT NULL
           AND date_trunc('month', s.starts_at AT TIME ZONE p.time_zone) + make_interval(months => r.volunteer_months + 1)
               <= p_now AT TIME ZONE p.time_zone))
$$;

------------------------------------------------------------------------------
-- From user to contributor (sql/schema/011): a member offers to help at a
-- place from « Mon compte »; a référent of that place accepts (the team's
-- own tl.save_team_member gives the volunteer role, the place's charter
-- waits to be accepted at the desk) or declines with a kind word.
------------------------------------------------------------------------------

-- An offer's activities as the pages write them: "Accueil, Tri et pesée".
CREATE FUNCTION tl.offer_activities_fr(p_offer bigint) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT coalesce(string_agg(a.label, ', ' ORDER BY a.rank), '')
      FROM tl.volunteer_offer_activity o JOIN tl.volunteer_activity a ON a.code = o.activity
     WHERE o.offer_id = p_offer
$$;

-- An offer's state in words.
CREATE FUNCTION tl.offer_status_fr(p_status text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $$
    SELECT CASE p_status WHEN 'ouverte' THEN 'en attente de réponse' WHEN 'acceptee' THEN 'acceptée'
                         WHEN 'declinee' THEN 'déclinée' END
$$;

-- A login for a new volunteer account, from the member's name
-- ("Élise Martin" → elise.martin, elise.martin2 when taken): only a
-- suggestion, the référent may type another.
CREATE FUNCTION tl.suggest_login(p_given text, p_family text) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog AS $$
DECLARE
    v_base text := left(btrim(regexp_replace(lower(public.unaccent(coalesce(p_given, '') || '.' || coalesce(p_family, ''))),
                                             '[^a-z0-9.]+', '-', 'g'), '.-'), 60);
    v_try  text;
    n      integer := 1;
BEGIN
    IF v_base !~ '^[a-z0-9][a-z0-9._@-]{1,63}$' THEN
        v_base := 'benevole';
    END IF;
    v_try := v_base;
    WHILE EXISTS (SELECT 1 FROM tl.account WHERE login = v_try) LOOP
        n := n + 1;
        v_try := v_base || n;
    END LOOP;
    RETURN v_try;
END $$;

-- The places a member may offer to help at: the network's, theirs first.
CREATE FUNCTION tl.my_offer_places(p_user text)
RETURNS TABLE (slug text, name text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_member tl.member := tl.my_member(p_user);
BEGIN
    RETURN QUERY
    SELECT p.slug, p.name FROM tl.place p
     ORDER BY p.id IS DISTINCT FROM v_member.place_id, p.name;
END $$;

-- The member's offers, open and answered, with the référent's word.
CREATE FUNCTION tl.my_volunteer_offers(p_user text)
RETURNS TABLE (id bigint, place_name text, activities text, skills text, availability text, status text,
               made_fr text, answered_fr text, message text, login text, open boolean, accepted boolean,
               declined boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_member tl.member := tl.my_member(p_user);
BEGIN
    RETURN QUERY
    SELECT o.id, p.name, tl.offer_activities_fr(o.id), nullif(o.skills, ''), nullif(o.availability, ''),
           tl.offer_status_fr(o.status), tl.date_fr((o.made_at AT TIME ZONE p.time_zone)::date),
           tl.date_fr((o.answered_at AT TIME ZONE p.time_zone)::date), nullif(o.message, ''), a.login,
           o.status = 'ouverte', o.status = 'acceptee', o.status = 'declinee'
      FROM tl.volunteer_offer o JOIN tl.place p ON p.id = o.place_id
      LEFT JOIN tl.account a ON a.id = o.account_id
     WHERE o.member_id = v_member.id
     ORDER BY o.made_at DESC, o.id DESC;
END $$;

-- A member offers to help at a place. One open offer per member and place;
-- at least one activity of the list; skills and availability optional.
CREATE FUNCTION tl.my_offer_help(p_user text, p_place text, p_activities text[], p_skills text, p_availability text)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_member tl.member := tl.my_member(p_user);
    v_place  integer := (SELECT id FROM tl.place WHERE slug = p_place);
    v_skills text := btrim(coalesce(p_skills, ''));
    v_avail  text := btrim(coalesce(p_availability, ''));
    v_id     bigint;
BEGIN
    IF v_place IS NULL THEN
        RAISE EXCEPTION 'choisissez un lieu de la liste' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'volunteer_offer_place_fkey';
    END IF;
    IF coalesce(cardinality(p_activities), 0) = 0 THEN
        RAISE EXCEPTION 'cochez au moins une activité' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'volunteer_offer_activity_required';
    END IF;
    IF EXISTS (SELECT 1 FROM unnest(p_activities) x(code)
                WHERE NOT EXISTS (SELECT 1 FROM tl.volunteer_activity a WHERE a.code = x.code)) THEN
        RAISE EXCEPTION 'choisissez les activités dans la liste' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'volunteer_offer_activity_activity_fkey';
    END IF;
    IF char_length(v_skills) > 500 THEN
        RAISE EXCEPTION 'les compétences tiennent en 500 caractères au plus' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'volunteer_offer_skills_length';
    END IF;
    IF char_length(v_avail) > 200 THEN
        RAISE EXCEPTION 'les disponibilités tiennent en 200 caractères au plus' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'volunteer_offer_availability_length';
    END IF;
    IF EXISTS (SELECT 1 FROM tl.volunteer_offer WHERE member_id = v_member.id AND place_id = v_place
                                                  AND status = 'ouverte') THEN
        RAISE EXCEPTION 'vous avez déjà proposé votre aide à ce lieu : la proposition attend sa réponse (retirez-la pour en faire une autre)'
            USING ERRCODE = 'unique_violation', CONSTRAINT = 'volunteer_offer_open_once';
    END IF;
    INSERT INTO tl.volunteer_offer (member_id, place_id, skills, availability)
    VALUES (v_member.id, v_place, v_skills, v_avail) RETURNING id INTO v_id;
    INSERT INTO tl.volunteer_offer_activity (offer_id, activity)
    SELECT DISTINCT v_id, code FROM unnest(p_activities) x(code);
    RETURN v_id;
END $$;

-- Withdrawing an offer, answered or not, deletes it: nothing of it stays.
CREATE FUNCTION tl.my_withdraw_offer(p_user text, p_offer bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_member tl.member := tl.my_member(p_user);
BEGIN
    DELETE FROM tl.volunteer_offer WHERE id = p_offer AND member_id = v_member.id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'cette proposition n''est pas à votre nom (elle a peut-être déjà été retirée)'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'volunteer_offer_exists';
    END IF;
END $$;

-- The open offers at a place, for its référents only: who, what, when.
CREATE FUNCTION tl.admin_volunteer_offers(p_login text, p_place text)
RETURNS TABLE (id bigint, name text, activities text, skills text, availability text, made_fr text,
               suggested_login text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place tl.place := tl.require_place(p_place);
BEGIN
    PERFORM tl.require_role(p_login, v_place.id, 'referent');
    RETURN QUERY
    SELECT o.id, m.given_name || ' ' || m.family_name, tl.offer_activities_fr(o.id), nullif(o.skills, ''),
           nullif(o.availability, ''), tl.date_fr((o.made_at AT TIME ZONE v_place.time_zone)::date),
           tl.suggest_login(m.given_name, m.family_name)
      FROM tl.volunteer_offer o JOIN tl.member m ON m.id = o.member_id
     WHERE o.place_id = v_place.id AND o.status = 'ouverte'
     ORDER BY o.made_at, o.id;
END $$;

-- The open offer p_offer, locked, for a référent of its place; p_place is
-- the place the page was about (an offer of another place is refused).
CREATE FUNCTION tl.require_open_offer(p_login text, p_place text, p_offer bigint, OUT offer tl.volunteer_offer,
                                      OUT who integer)
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    v_place tl.place := tl.require_place(p_place);
BEGIN
    who := tl.require_role(p_login, v_place.id, 'referent');
    SELECT * INTO offer FROM tl.volunteer_offer WHERE id = p_offer AND place_id = v_place.id FOR UPDATE;
    IF offer.id IS NULL OR offer.status <> 'ouverte' THEN
        RAISE EXCEPTION 'cette proposition n''est plus ouverte (retirée par la personne, ou déjà traitée)'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'volunteer_offer_open';
    END IF;
END $$;

-- Accepting an offer: the member gets the volunteer role at the place
-- through the team's own path (tl.save_team_member: the account p_account
-- is created when new, journaled), then the place's charter waits for
-- them at the desk. Someone who already has a role there keeps it: the
-- offer is refused rather than a role lowered. Returns the login.
CREATE FUNCTION tl.accept_volunteer_offer(p_login text, p_place text, p_offer bigint, p_account text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    r       record := tl.require_open_offer(p_login, p_place, p_offer);
    v_place tl.place := tl.require_place(p_place);
    v_m     tl.member;
    v_login text := lower(btrim(coalesce(p_account, '')));
    v_acc   integer;
BEGIN
    SELECT * INTO v_m FROM tl.member WHERE id = (r.offer).member_id;
    IF EXISTS (SELECT 1 FROM tl.account a JOIN tl.account_role ar ON ar.account_id = a.id
                WHERE a.login = v_login AND ar.place_id = v_place.id) THEN
        RAISE EXCEPTION 'ce compte a déjà un rôle dans ce lieu : choisissez un autre identifiant'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'volunteer_offer_role_exists';
    END IF;
    PERFORM tl.save_team_member(p_login, p_place, v_login, v_m.given_name || ' ' || v_m.family_name, 'benevole');
    SELECT id INTO v_acc FROM tl.account WHERE login = v_login;
    IF btrim(v_place.charter) <> '' THEN
        UPDATE tl.account_role SET charter_pending = true WHERE account_id = v_acc AND place_id = v_place.id;
    END IF;
    UPDATE tl.volunteer_offer SET status = 'acceptee', answered_at = now(), answered_by = r.who, account_id = v_acc
     WHERE id = (r.offer).id;
    PERFORM tl.admin_note(r.who, v_place.id, 'benevolat.proposition', v_login, 'acceptée');
    RETURN v_login;
END $$;

-- Declining an offer, with an optional kind word the member reads in
-- « Mon compte ».
CREATE FUNCTION tl.decline_volunteer_offer(p_login text, p_place text, p_offer bigint, p_message text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    r     record := tl.require_open_offer(p_login, p_place, p_offer);
    v_msg text := btrim(coalesce(p_message, ''));
BEGIN
    IF char_length(v_msg) > 500 THEN
        RAISE EXCEPTION 'le message tient en 500 caractères au plus' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'volunteer_offer_message_length';
    END IF;
    UPDATE tl.volunteer_offer SET status = 'declinee', answered_at = now(), answered_by = r.who, message = v_msg
     WHERE id = (r.offer).id;
    PERFORM tl.admin_note(r.who, (r.offer).place_id, 'benevolat.proposition', 'proposition ' || (r.offer).id,
                          'déclinée');
END $$;

-- The charter a volunteer accepts before the desk of a place opens to
-- them: for anyone with a role there (tl.require_role would refuse while
-- it waits).
CREATE FUNCTION tl.volunteer_charter(p_login text, p_place text)
RETURNS TABLE (place text, place_name text, charter text, pending boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place tl.place := tl.require_place(p_place);
BEGIN
    RETURN QUERY
    SELECT v_place.slug, v_place.name, v_place.charter, r.charter_pending
      FROM tl.account a JOIN tl.account_role r ON r.account_id = a.id AND r.place_id = v_place.id
     WHERE a.login = p_login AND a.active;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'votre compte n''a pas de rôle dans ce lieu' USING ERRCODE = 'insufficient_privilege';
    END IF;
END $$;

-- The first place whose charter waits for this person, or NULL: the
-- desk's home sends them there first.
CREATE FUNCTION tl.pending_charter(p_login text) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT p.slug FROM tl.account a JOIN tl.account_role r ON r.account_id = a.id JOIN tl.place p ON p.id = r.place_id
     WHERE a.login = p_login AND a.active AND r.charter_pending
     ORDER BY p.name LIMIT 1
$$;

CREATE FUNCTION tl.accept_volunteer_charter(p_login text, p_place text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place tl.place := tl.require_place(p_place);
    v_who   integer;
BEGIN
    SELECT a.id INTO v_who FROM tl.account a JOIN tl.account_role r ON r.account_id = a.id AND r.place_id = v_place.id
     WHERE a.login = p_login AND a.active;
    IF v_who IS NULL THEN
        RAISE EXCEPTION 'votre compte n''a pas de rôle dans ce lieu' USING ERRCODE = 'insufficient_privilege';
    END IF;
    UPDATE tl.account_role SET charter_pending = false
     WHERE account_id = v_who AND place_id = v_place.id AND charter_pending;
    IF FOUND THEN
        PERFORM tl.admin_note(v_who, v_place.id, 'charte.acceptee', p_login);
    END IF;
END $$;

-- A member's offers for their data (page, CSV, JSON: tl.my_data,
-- tl.my_export).
CREATE FUNCTION tl.member_volunteer_offers(p_member integer)
RETURNS TABLE (place_name text, activities text, skills text, availability text, status text, made_on date,
               answered_on date, message text, login text)
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT p.name, tl.offer_activities_fr(o.id), o.skills, o.availability, tl.offer_status_fr(o.status),
           (o.made_at AT TIME ZONE p.time_zone)::date, (o.answered_at AT TIME ZONE p.time_zone)::date, o.message,
           a.login
      FROM tl.volunteer_offer o JOIN tl.place p ON p.id = o.place_id LEFT JOIN tl.account a ON a.id = o.account_id
     WHERE o.member_id = p_member
     ORDER BY o.made_at, o.id
$$;

-- By the retention command: an accepted or declined offer goes
-- tl.retention.volunteer_offer_months after its answer (the role given
-- stays, it is the team's). Returns how many.
CREATE FUNCTION tl.apply_volunteer_offer_retention(p_now timestamptz DEFAULT now()) RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    n integer;
BEGIN
    DELETE FROM tl.volunteer_offer o USING tl.retention r
     WHERE o.answered_at IS NOT NULL AND o.answered_at + make_interval(months => r.volunteer_offer_months) <= p_now;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;

-- Tables of this area whose content a page can show: every write bumps the
-- data version (tl.track_changes; a test checks none is forgotten).
DO $$ BEGIN PERFORM tl.track_changes(t::regclass, 'volunteering') FROM unnest(ARRAY['tl.volunteer_activity', 'tl.volunteer_shift', 'tl.volunteer_signup', 'tl.volunteer_offer', 'tl.volunteer_offer_activity']) AS t; END $$;

------------------------------------------------------------------------------
-- Rights: functions are executable by PUBLIC unless revoked; the desk's
-- functions go to tierslieux_guichet.
------------------------------------------------------------------------------
REVOKE ALL ON FUNCTION tl.admin_shift_signups(text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.admin_shift_signups(text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.admin_shifts(text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.admin_shifts(text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.apply_volunteer_retention(timestamp with time zone) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.cancel_shift(text,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.cancel_shift(text,integer) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.create_shift(text,text,text,date,time,time,integer,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.create_shift(text,text,text,date,time,time,integer,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.desk_expected_today(text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.desk_expected_today(text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.desk_shifts(text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.desk_shifts(text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.detach_signups(bigint[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.forget_volunteers(integer[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.my_volunteer_hours(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.my_volunteer_hours(text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.require_shift(integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.set_signup_minutes(text,bigint,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.set_signup_minutes(text,bigint,integer) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.set_volunteer_hour_value(text,text,numeric) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.set_volunteer_hour_value(text,text,numeric) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.shift_sign_up(text,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.shift_sign_up(text,integer) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.shift_withdraw(text,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.shift_withdraw(text,integer) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.volunteer_hours(text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.volunteer_hours(text,text) TO tierslieux_guichet;
GRANT SELECT ON tl.volunteer_activity TO tierslieux_lecture;
REVOKE ALL ON FUNCTION tl.accept_volunteer_charter(text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.accept_volunteer_charter(text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.accept_volunteer_offer(text,text,bigint,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.accept_volunteer_offer(text,text,bigint,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.admin_volunteer_offers(text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.admin_volunteer_offers(text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.apply_volunteer_offer_retention(timestamp with time zone) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.decline_volunteer_offer(text,text,bigint,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.decline_volunteer_offer(text,text,bigint,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.member_volunteer_offers(integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.my_offer_help(text,text,text[],text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.my_offer_help(text,text,text[],text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.my_offer_places(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.my_offer_places(text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.my_volunteer_offers(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.my_volunteer_offers(text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.my_withdraw_offer(text,bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.my_withdraw_offer(text,bigint) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.pending_charter(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.pending_charter(text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.require_open_offer(text,text,bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.suggest_login(text,text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.volunteer_charter(text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.volunteer_charter(text,text) TO tierslieux_guichet;
