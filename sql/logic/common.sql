-- What every area uses: the roles, the data version and its triggers, French
-- formatting, and the checks of who may do what (tl.require_role and friends).
--
-- The current form of this area's functions, views, triggers and rights.
-- script/migrate drops every function and view of schema tl (but the
-- constraint helpers of sql/schema) and applies the files of sql/logic/ORDER
-- again after the numbered migrations, in one transaction: edit here, never
-- in a numbered file.

-- Read-only group role for the public web pages. The web server's login
-- role is made a member of it (script/server does, a site admin does too).
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tierslieux_lecture') THEN
        CREATE ROLE tierslieux_lecture NOLOGIN;
    END IF;
END $$;

-- The desk's web role (a member of tierslieux_lecture too) checks
-- passwords and roles only through the functions above.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tierslieux_guichet') THEN
        CREATE ROLE tierslieux_guichet NOLOGIN;
    END IF;
END $$;

------------------------------------------------------------------------------
-- Rights
------------------------------------------------------------------------------
-- The sending command's role: it may queue the reminders and send what is
-- due, and read nothing else. A site makes its login role a member
-- (CREATE ROLE courriels LOGIN IN ROLE tierslieux_courriels).
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tierslieux_courriels') THEN
        CREATE ROLE tierslieux_courriels NOLOGIN;
    END IF;
END $$;

GRANT USAGE ON SCHEMA tl TO tierslieux_lecture;
GRANT USAGE ON SCHEMA tl TO tierslieux_courriels;

CREATE FUNCTION tl.bump_data_version() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    UPDATE tl.data_version SET version = version + 1, changed_at = now()
     WHERE area = TG_ARGV[0] AND shard = pg_backend_pid() % 16;
    RETURN NULL;
END $$;

-- Counts a trigger keeps per place (tl.item_count, tl.repair_tally) are
-- counted again from the rows, never adjusted by a difference: a
-- transaction takes the lock of each place it counts (p_what names the
-- counts) and holds it until it ends, so that a second one counts after
-- the first has committed and sees its change; the last to count sees
-- every change. Places are locked in order, so two transactions never
-- wait on each other. Returns the places, each once.
CREATE FUNCTION tl.lock_places(p_what text, p_places integer[]) RETURNS integer[]
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    v_sorted integer[] := ARRAY(SELECT DISTINCT x FROM unnest(p_places) AS x WHERE x IS NOT NULL ORDER BY x);
    v_place  integer;
BEGIN
    FOREACH v_place IN ARRAY v_sorted LOOP
        PERFORM pg_advisory_xact_lock(hashtext(p_what), v_place);
    END LOOP;
    RETURN v_sorted;
END $$;

-- Every table whose content a page can show is tracked, by the area file
-- that owns it: its writes bump that area's counters (a test checks none is
-- forgotten, and that each public page names every area whose tables its
-- queries read: TL_ROUTE_PUBLIC's list in pages/tl_pages.c).
CREATE FUNCTION tl.track_changes(t regclass, p_area text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tl.data_version (area, shard, version)
    SELECT p_area, s, CASE WHEN s = 0 THEN (SELECT coalesce(sum(version), 0) FROM tl.data_version WHERE area = '')
                           ELSE 0 END
      FROM generate_series(0, 15) AS s
        ON CONFLICT DO NOTHING;
    EXECUTE format('CREATE TRIGGER bump_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %s '
                   'FOR EACH STATEMENT EXECUTE FUNCTION tl.bump_data_version(%L)', t, p_area);
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

-- Roles nest: an admin may do what a référent may, who may do what a
-- bénévole may.
CREATE FUNCTION tl.role_rank(role text) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT CASE role WHEN 'benevole' THEN 1 WHEN 'referent' THEN 2 WHEN 'admin' THEN 3 END
$$;

-- What the web server may know of an account, without reading the table:
-- the hash to check a password against (active accounts only), and the
-- roles of a logged-in person.
CREATE FUNCTION tl.account_password(p_login text) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT password_hash FROM tl.account WHERE login = p_login AND active
$$;

-- An import writes one line for the whole file, not one per row: it sets
-- tl.journal_quiet for its own transaction (set_config(..., true)).
CREATE FUNCTION tl.admin_note(p_who integer, p_place integer, p_action text, p_subject text, p_detail text DEFAULT '')
RETURNS void
LANGUAGE sql SET search_path = pg_catalog AS $$
    INSERT INTO tl.admin_log (account_id, place_id, action, subject, detail)
    SELECT p_who, p_place, p_action, p_subject, coalesce(p_detail, '')
     WHERE coalesce(current_setting('tl.journal_quiet', true), '') <> 'on'
$$;

-- The place a slug names, or a refusal.
CREATE FUNCTION tl.require_place(p_slug text) RETURNS tl.place
LANGUAGE plpgsql STABLE SET search_path = pg_catalog AS $$
DECLARE
    v_place tl.place;
BEGIN
    SELECT * INTO v_place FROM tl.place WHERE slug = p_slug;
    IF v_place.id IS NULL THEN
        RAISE EXCEPTION 'ce lieu n''existe pas' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'item_place_fkey';
    END IF;
    RETURN v_place;
END $$;

-- A network coordinator: the admin role at some place.
CREATE FUNCTION tl.require_admin(p_login text) RETURNS integer
LANGUAGE plpgsql STABLE SET search_path = pg_catalog AS $$
DECLARE
    v_id integer;
BEGIN
    SELECT a.id INTO v_id FROM tl.account a JOIN tl.account_role r ON r.account_id = a.id
     WHERE a.login = p_login AND a.active AND r.role = 'admin' LIMIT 1;
    IF v_id IS NULL THEN
        RAISE EXCEPTION 'seule la coordination du réseau (rôle admin) peut modifier ceci'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN v_id;
END $$;

-- A slug from a French name: lower case, accents dropped, dashes between words.
CREATE FUNCTION tl.slugify(p text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT SET search_path = pg_catalog AS $$
    SELECT coalesce(nullif(left(btrim(regexp_replace(lower(
               translate(p, 'ÀÂÄÁÃÇÉÈÊËÎÏÍÌÔÖÓÒÕÙÛÜÚŸàâäáãçéèêëîïíìôöóòõùûüúÿœŒæÆ',
                            'AAAAACEEEEIIIIOOOOOUUUUYaaaaaceeeeiiiiooooouuuuyoOaA')),
               '[^a-z0-9]+', '-', 'g'), '-'), 60), ''), 'categorie')
$$;

-- ---- seeds: the shared list of species and varieties -----------------------
CREATE FUNCTION tl.require_some_referent(p_login text) RETURNS integer
LANGUAGE plpgsql STABLE SET search_path = pg_catalog AS $$
DECLARE
    v_id integer;
BEGIN
    SELECT a.id INTO v_id FROM tl.account a JOIN tl.account_role r ON r.account_id = a.id
     WHERE a.login = p_login AND a.active AND tl.role_rank(r.role) >= 2 LIMIT 1;
    IF v_id IS NULL THEN
        RAISE EXCEPTION 'votre compte n''a le rôle référent dans aucun lieu' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN v_id;
END $$;

-- ---- rights ----------------------------------------------------------------

-- The desk's functions: nobody else may call them (functions are
-- executable by PUBLIC unless revoked), the desk's web role may.
CREATE FUNCTION tl.grant_desk(VARIADIC p_functions regprocedure[]) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    f regprocedure;
BEGIN
    FOREACH f IN ARRAY p_functions LOOP
        EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO tierslieux_guichet', f);
    END LOOP;
END $$;

------------------------------------------------------------------------------
-- Composing a message
------------------------------------------------------------------------------
-- "22 novembre 2026 à 18 h 05", in the place's time zone.
CREATE FUNCTION tl.datetime_fr(p_at timestamptz, p_tz text) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT tl.date_fr((p_at AT TIME ZONE p_tz)::date) || ' à '
           || to_char(p_at AT TIME ZONE p_tz, 'FMHH24 "h" MI')
$$;

-- The roles of an account, read on every desk request: PL/pgSQL, so that
-- its plan is kept by each connection (a SQL function with SET is planned
-- at every call).
CREATE FUNCTION tl.account_roles(p_login text)
RETURNS TABLE (display_name text, place_id integer, place_slug text, place_name text, role text, rank integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    RETURN QUERY
    SELECT a.display_name, p.id, p.slug, p.name, r.role, tl.role_rank(r.role)
      FROM tl.account a
      JOIN tl.account_role r ON r.account_id = a.id
      JOIN tl.place p ON p.id = r.place_id
     WHERE a.login = p_login AND a.active
     ORDER BY p.name;
END $$;

-- The role check every desk and back-office function starts with. The
-- ranks are compared after the row is read: in the query, the rank of a
-- parameter made PostgreSQL plan it again at every call (about 70 µs, more
-- than the rest of most desk functions).
CREATE FUNCTION tl.require_role(p_login text, p_place integer, p_role text) RETURNS integer
LANGUAGE plpgsql STABLE SET search_path = pg_catalog AS $$
DECLARE
    found_id integer;
    found_role text;
    found_pending boolean;
BEGIN
    SELECT a.id, r.role, r.charter_pending INTO found_id, found_role, found_pending
      FROM tl.account a JOIN tl.account_role r ON r.account_id = a.id
     WHERE a.login = p_login AND a.active AND r.place_id = p_place;
    IF found_id IS NULL OR NOT coalesce(tl.role_rank(found_role) >= tl.role_rank(p_role), false) THEN
        RAISE EXCEPTION 'votre compte n''a pas le rôle % dans ce lieu', p_role
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- A role given from a member's offer (sql/logic/volunteering.sql)
    -- opens the place's desk once its charter is accepted.
    IF found_pending THEN
        RAISE EXCEPTION 'lisez et acceptez d''abord la charte de ce lieu (page « Guichet »)'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN found_id;
END $$;

-- Tables of this area whose content a page can show: every write bumps the
-- data version (tl.track_changes; a test checks none is forgotten).
DO $$ BEGIN PERFORM tl.track_changes(t::regclass, 'common') FROM unnest(ARRAY['tl.account', 'tl.account_role']) AS t; END $$;

------------------------------------------------------------------------------
-- Rights: functions are executable by PUBLIC unless revoked; the desk's
-- functions go to tierslieux_guichet, the public pages' to tierslieux_lecture,
-- the sending command's to tierslieux_courriels.
------------------------------------------------------------------------------
REVOKE ALL ON FUNCTION tl.account_password(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.account_password(text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.account_roles(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.account_roles(text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.admin_note(integer,integer,text,text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.date_fr(date) TO tierslieux_lecture;
REVOKE ALL ON FUNCTION tl.datetime_fr(timestamp with time zone,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.euros(numeric) TO tierslieux_lecture;
REVOKE ALL ON FUNCTION tl.grant_desk(regprocedure[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.require_admin(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.require_place(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.require_some_referent(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.role_rank(text) TO tierslieux_guichet;
GRANT SELECT ON tl.data_version TO tierslieux_lecture;
