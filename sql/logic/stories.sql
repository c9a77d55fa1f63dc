-- Testimonies (sql/schema/012): a volunteer writes down what a person
-- told, with their consent; the place's référents choose which are public,
-- correct a typo, delete one; the person withdraws theirs with the code of
-- their receipt, or by asking the place. Withdrawal deletes the testimony
-- itself, so it leaves every page and list at once (the statement trigger
-- of tl.track_changes moves the area's version, and so the kept pages').
-- Nothing here knows who told a testimony or who wrote it down.

------------------------------------------------------------------------------
-- Withdrawal codes
------------------------------------------------------------------------------

-- A fresh code to read out or print: 12 characters of an alphabet
-- without 0/O or 1/I (60 random bits), written in groups of four. The
-- bits come from gen_random_uuid (the server's strong random generator),
-- skipping the bytes whose bits carry the UUID's version and variant.
CREATE FUNCTION tl.story_code_new() RETURNS text
LANGUAGE sql VOLATILE SET search_path = pg_catalog AS $$
    SELECT substr(c, 1, 4) || '-' || substr(c, 5, 4) || '-' || substr(c, 9, 4)
      FROM (SELECT string_agg(substr('23456789ABCDEFGHJKLMNPQRSTUVWXYZ', 1 + get_byte(b, i) % 32, 1), ''
                              ORDER BY i) AS c
              FROM (SELECT uuid_send(gen_random_uuid()) AS b) u,
                   unnest(ARRAY[0, 1, 2, 3, 4, 5, 9, 10, 11, 12, 13, 14]) AS i) x
$$;

-- The SHA-256 a code is kept as, from the code as a person types it
-- (lower case, spaces and hyphens anywhere); NULL when it cannot be one.
CREATE FUNCTION tl.story_code_sha256(p_code text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $$
    SELECT CASE WHEN c ~ '^[2-9A-HJ-NP-Z]{12}$' THEN encode(sha256(convert_to(c, 'UTF8')), 'hex') END
      FROM (SELECT upper(regexp_replace(coalesce(p_code, ''), '[[:space:]-]', '', 'g')) AS c) x
$$;

------------------------------------------------------------------------------
-- Helpers
------------------------------------------------------------------------------

-- Refuses, in French, a text or a signature the table would refuse.
CREATE FUNCTION tl.check_story_text(p_body text, p_first_name text) RETURNS void
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog AS $$
BEGIN
    IF btrim(coalesce(p_body, '')) = '' THEN
        RAISE EXCEPTION 'écrivez le témoignage' USING ERRCODE = 'check_violation', CONSTRAINT = 'story_body_not_blank';
    END IF;
    IF char_length(btrim(p_body)) > 1000 THEN
        RAISE EXCEPTION 'un témoignage tient en 1000 caractères au plus (celui-ci en a %)', char_length(btrim(p_body))
            USING ERRCODE = 'check_violation', CONSTRAINT = 'story_body_length';
    END IF;
    IF p_first_name IS NOT NULL AND (char_length(p_first_name) > 30
       OR p_first_name !~ '^[A-Za-zÀ-ÖØ-öø-ÿŒœ]+([-''’][A-Za-zÀ-ÖØ-öø-ÿŒœ]+)*$') THEN
        RAISE EXCEPTION 'signez d''un prénom seul, sans nom de famille, courriel ni téléphone (par exemple Louise ou '
            'Jean-Paul), ou laissez vide pour un témoignage anonyme'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'story_first_name_only';
    END IF;
END $$;

-- The testimony, locked; the caller checks the role at its place.
CREATE FUNCTION tl.require_story(p_story integer) RETURNS tl.story
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    v tl.story;
BEGIN
    SELECT * INTO v FROM tl.story WHERE id = p_story FOR UPDATE;
    IF v.id IS NULL THEN
        RAISE EXCEPTION 'ce témoignage n''existe pas ou plus (la personne l''a peut-être retiré)'
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'story_pkey';
    END IF;
    RETURN v;
END $$;

-- "décembre 2026": the month a testimony was told, as public pages say it.
CREATE FUNCTION tl.story_month_fr(p_day date) RETURNS text
LANGUAGE sql IMMUTABLE STRICT SET search_path = pg_catalog AS $$
    SELECT regexp_replace(tl.date_fr(date_trunc('month', p_day)::date), '^1er ', '')
$$;

------------------------------------------------------------------------------
-- The desk: a volunteer writes a testimony down
------------------------------------------------------------------------------

-- The place's repair café sessions of the past 90 days and today, for the
-- form's list; p_selected marks the one chosen before.
CREATE FUNCTION tl.desk_story_sessions(p_login text, p_place text, p_selected text)
RETURNS TABLE (id integer, label text, selected boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place tl.place := tl.require_place(p_place);
BEGIN
    PERFORM tl.require_role(p_login, v_place.id, 'benevole');
    RETURN QUERY
    SELECT s.id, s.title || ' du ' || tl.date_fr((s.starts_at AT TIME ZONE v_place.time_zone)::date),
           s.id::text = p_selected
      FROM tl.repair_session s
     WHERE s.place_id = v_place.id AND s.cancelled_at IS NULL
       AND s.starts_at > now() - interval '90 days'
       AND (s.starts_at AT TIME ZONE v_place.time_zone)::date <= (now() AT TIME ZONE v_place.time_zone)::date
     ORDER BY s.starts_at DESC;
END $$;

-- Records a testimony and returns its withdrawal code, the only time the
-- code exists in clear: the desk prints it on the person's receipt.
CREATE FUNCTION tl.record_story(p_login text, p_place text, p_body text, p_first_name text, p_activity text,
                                p_session integer, p_told_on date, p_consent boolean, p_withdrawal text)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place    tl.place := tl.require_place(p_place);
    v_today    date := (now() AT TIME ZONE v_place.time_zone)::date;
    v_name     text := nullif(btrim(coalesce(p_first_name, '')), '');
    v_activity text := nullif(p_activity, '');
    v_code     text := tl.story_code_new();
BEGIN
    PERFORM tl.require_role(p_login, v_place.id, 'benevole');
    IF NOT coalesce(p_consent, false) THEN
        RAISE EXCEPTION 'sans l''accord de la personne, on ne note pas son témoignage'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'story_consent';
    END IF;
    IF coalesce(p_withdrawal, '') NOT IN ('code', 'lieu') THEN
        RAISE EXCEPTION 'choisissez comment la personne pourra retirer son accord'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'story_withdrawal_by_choice';
    END IF;
    PERFORM tl.check_story_text(p_body, v_name);
    IF v_activity IS NOT NULL AND NOT EXISTS (SELECT 1 FROM tl.story_activity WHERE code = v_activity) THEN
        RAISE EXCEPTION 'choisissez une activité de la liste' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'story_activity_fkey';
    END IF;
    IF p_session IS NOT NULL THEN
        IF NOT EXISTS (SELECT 1 FROM tl.repair_session WHERE id = p_session AND place_id = v_place.id) THEN
            RAISE EXCEPTION 'choisissez une séance de ce lieu dans la liste' USING ERRCODE = 'foreign_key_violation',
                CONSTRAINT = 'story_repair_session_fkey';
        END IF;
        v_activity := coalesce(v_activity, 'reparation');
    END IF;
    IF p_told_on IS NOT NULL AND (p_told_on > v_today OR p_told_on < date '2000-01-01') THEN
        RAISE EXCEPTION 'le jour du témoignage est aujourd''hui ou un jour passé' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'story_told_on_range';
    END IF;
    INSERT INTO tl.story (place_id, activity, repair_session_id, body, first_name, told_on, withdrawal_by,
                          withdrawal_sha256)
    VALUES (v_place.id, v_activity, p_session, btrim(p_body), v_name, coalesce(p_told_on, v_today), p_withdrawal,
            tl.story_code_sha256(v_code));
    RETURN v_code;
END $$;

------------------------------------------------------------------------------
-- The back office: the référents of the place
------------------------------------------------------------------------------

CREATE FUNCTION tl.admin_stories(p_login text, p_place text)
RETURNS TABLE (id integer, body text, first_name text, signed text, activity text, session text, told_fr text,
               public boolean, public_since_fr text, withdrawal_fr text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place tl.place := tl.require_place(p_place);
BEGIN
    PERFORM tl.require_role(p_login, v_place.id, 'referent');
    RETURN QUERY
    SELECT s.id, s.body, coalesce(s.first_name, ''), coalesce(s.first_name, 'Anonyme'), coalesce(a.label, ''),
           coalesce(r.title || ' du ' || tl.date_fr((r.starts_at AT TIME ZONE v_place.time_zone)::date), ''),
           tl.date_fr(s.told_on), s.public_since IS NOT NULL,
           coalesce(tl.date_fr((s.public_since AT TIME ZONE v_place.time_zone)::date), ''),
           CASE s.withdrawal_by WHEN 'code' THEN 'avec le code de son reçu' ELSE 'en le demandant au lieu' END
      FROM tl.story s
      LEFT JOIN tl.story_activity a ON a.code = s.activity
      LEFT JOIN tl.repair_session r ON r.id = s.repair_session_id
     WHERE s.place_id = v_place.id
     ORDER BY s.told_on DESC, s.id DESC;
END $$;

-- Public or private again; public_since keeps the first publication's day.
CREATE FUNCTION tl.set_story_public(p_login text, p_story integer, p_public boolean) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v tl.story := tl.require_story(p_story);
BEGIN
    PERFORM tl.require_role(p_login, v.place_id, 'referent');
    UPDATE tl.story SET public_since = CASE WHEN p_public THEN coalesce(public_since, now()) END, updated_at = now()
     WHERE id = v.id;
END $$;

-- An obvious typo corrected: the text and the signature.
CREATE FUNCTION tl.edit_story(p_login text, p_story integer, p_body text, p_first_name text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v      tl.story := tl.require_story(p_story);
    v_name text := nullif(btrim(coalesce(p_first_name, '')), '');
BEGIN
    PERFORM tl.require_role(p_login, v.place_id, 'referent');
    PERFORM tl.check_story_text(p_body, v_name);
    UPDATE tl.story SET body = btrim(p_body), first_name = v_name, updated_at = now() WHERE id = v.id;
END $$;

-- Deleted by a référent: on the person's request (their withdrawal) or for
-- any other reason. Nothing of it stays.
CREATE FUNCTION tl.delete_story(p_login text, p_story integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v tl.story := tl.require_story(p_story);
BEGIN
    PERFORM tl.require_role(p_login, v.place_id, 'referent');
    DELETE FROM tl.story WHERE id = v.id;
END $$;

------------------------------------------------------------------------------
-- The person: withdrawal with the code, anonymously
------------------------------------------------------------------------------

-- The code is looked up by its SHA-256 through the unique index, as the
-- project's other secrets are: no comparison of the secret itself, and a
-- wrong code, a malformed one or one already used all get the same answer,
-- which tells nothing about any testimony.
CREATE FUNCTION tl.withdraw_story(p_code text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_hash text := tl.story_code_sha256(p_code);
BEGIN
    DELETE FROM tl.story WHERE v_hash IS NOT NULL AND withdrawal_sha256 = v_hash;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'ce code ne correspond à aucun témoignage : vérifiez ses 12 caractères ; s''il a déjà servi, '
            'le témoignage est déjà retiré' USING ERRCODE = 'check_violation', CONSTRAINT = 'story_withdrawal_code';
    END IF;
END $$;

------------------------------------------------------------------------------
-- Public
------------------------------------------------------------------------------

-- The public testimonies, newest first: of one place or all (p_place_slug
-- NULL or ''), of one activity or all; at most p_limit (1 to 500). The
-- place pages, the list /temoignages and the impact report read them here.
CREATE FUNCTION tl.public_stories(p_place_slug text, p_activity text, p_limit integer)
RETURNS TABLE (id integer, body text, signed text, place_slug text, place_name text, activity text,
               activity_label text, month_fr text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT s.id, s.body, coalesce(s.first_name, 'Anonyme'), p.slug, p.name, coalesce(s.activity, ''),
           coalesce(a.label, ''), tl.story_month_fr(s.told_on)
      FROM tl.story s
      JOIN tl.place p ON p.id = s.place_id
      LEFT JOIN tl.story_activity a ON a.code = s.activity
     WHERE s.public_since IS NOT NULL
       AND (coalesce(p_place_slug, '') = '' OR p.slug = p_place_slug)
       AND (coalesce(p_activity, '') = '' OR s.activity = p_activity)
     ORDER BY s.told_on DESC, s.id DESC
     LIMIT least(greatest(coalesce(p_limit, 50), 1), 500)
$$;

------------------------------------------------------------------------------
-- Retention: a testimony goes tl.retention.story_months after it was told
------------------------------------------------------------------------------

CREATE FUNCTION tl.apply_story_retention(p_now timestamptz DEFAULT now()) RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    n integer;
BEGIN
    DELETE FROM tl.story s USING tl.place p, tl.retention r
     WHERE p.id = s.place_id
       AND s.told_on + make_interval(months => r.story_months) <= (p_now AT TIME ZONE p.time_zone)::date;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;

-- Tables of this area whose content a page can show: every write bumps the
-- data version (tl.track_changes; a test checks none is forgotten).
DO $$ BEGIN PERFORM tl.track_changes(t::regclass, 'stories') FROM unnest(ARRAY['tl.story_activity', 'tl.story']) AS t; END $$;

------------------------------------------------------------------------------
-- Rights: functions are executable by PUBLIC unless revoked; the desk's
-- functions go to tierslieux_guichet, the public pages' to tierslieux_lecture.
------------------------------------------------------------------------------
REVOKE ALL ON FUNCTION tl.admin_stories(text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.admin_stories(text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.apply_story_retention(timestamp with time zone) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.check_story_text(text,text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.delete_story(text,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.delete_story(text,integer) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.desk_story_sessions(text,text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.desk_story_sessions(text,text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.edit_story(text,integer,text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.edit_story(text,integer,text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.public_stories(text,text,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.public_stories(text,text,integer) TO tierslieux_lecture;
REVOKE ALL ON FUNCTION tl.record_story(text,text,text,text,text,integer,date,boolean,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.record_story(text,text,text,text,text,integer,date,boolean,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.require_story(integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.set_story_public(text,integer,boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.set_story_public(text,integer,boolean) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.story_code_new() FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.story_code_sha256(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.story_month_fr(date) TO tierslieux_lecture;
REVOKE ALL ON FUNCTION tl.withdraw_story(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.withdraw_story(text) TO tierslieux_lecture;
GRANT SELECT ON tl.story_activity TO tierslieux_lecture;
