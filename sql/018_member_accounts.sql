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
SELECT tl.track_changes('tl.password_link'::regclass);

-- A member reading or changing their own file is recorded too, without an
-- account.
ALTER TABLE tl.member_access
    ALTER COLUMN account_id DROP NOT NULL,
    ADD COLUMN by_member boolean NOT NULL DEFAULT false,
    ADD CONSTRAINT member_access_someone CHECK (account_id IS NOT NULL OR by_member),
    DROP CONSTRAINT member_access_action_known,
    ADD CONSTRAINT member_access_action_known
        CHECK (action IN ('consultation', 'export', 'effacement', 'prolongation', 'lien_mot_de_passe'));

-- "a-123", "A000123", "123" and " A-000123 " are all A-000123; anything
-- else is only trimmed and upper-cased.
CREATE FUNCTION tl.normal_member_number(p_text text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT SET search_path = pg_catalog AS $$
    SELECT CASE WHEN t ~ '^([A-Z]-?)?0*[0-9]{1,6}$'
                THEN coalesce(substring(t FROM '^([A-Z])'), 'A') || '-'
                     || lpad(substring(t FROM '([0-9]{1,6})$')::integer::text, 6, '0')
                ELSE t END
      FROM (SELECT upper(btrim(p_text)) AS t) x
$$;

-- The hash to check a member's password against (members who set one).
CREATE FUNCTION tl.member_password(p_number text) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT password_hash FROM tl.member WHERE member_number = tl.normal_member_number(p_number)
$$;

-- The member a logged-in person is. p_user is the member number httpd's
-- login checked, or "@" and the site's own login when the site logs
-- members in (TiersLieuxMemberLogin site): then only the logins mapped at
-- the desk count, so a site user whose login looks like a member number
-- never becomes that member. Records the access under p_action when given.
CREATE FUNCTION tl.my_member(p_user text, p_action text DEFAULT NULL) RETURNS tl.member
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    v_member tl.member;
BEGIN
    IF left(p_user, 1) = '@' THEN
        SELECT * INTO v_member FROM tl.member WHERE site_login = substr(p_user, 2);
    ELSE
        SELECT * INTO v_member FROM tl.member WHERE member_number = tl.normal_member_number(p_user);
    END IF;
    IF v_member.id IS NULL THEN
        RAISE EXCEPTION 'aucun adhérent ne correspond à ce compte' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF p_action IS NOT NULL THEN
        INSERT INTO tl.member_access (member_id, by_member, action) VALUES (v_member.id, true, p_action);
    END IF;
    RETURN v_member;
END $$;

------------------------------------------------------------------------------
-- One-time links
------------------------------------------------------------------------------

-- Makes a link for a member or an account (exactly one), valid p_valid,
-- and voids that person's links not used yet. Internal: the desk's
-- functions below check who may ask.
CREATE FUNCTION tl.issue_password_link(p_member integer, p_account integer, p_by integer, p_token_sha256 text,
                                       p_valid interval) RETURNS timestamptz
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    v_expires timestamptz := now() + p_valid;
BEGIN
    IF p_valid IS NULL OR p_valid < interval '10 minutes' OR p_valid > interval '30 days' THEN
        RAISE EXCEPTION 'un lien vaut de 10 minutes à 30 jours' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'password_link_expires_after';
    END IF;
    IF p_token_sha256 IS NULL OR p_token_sha256 !~ '^[0-9a-f]{64}$' THEN
        RAISE EXCEPTION 'empreinte de lien invalide' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'password_link_token_length';
    END IF;
    UPDATE tl.password_link SET voided_at = now()
     WHERE used_at IS NULL AND voided_at IS NULL
       AND (member_id = p_member OR account_id = p_account);
    INSERT INTO tl.password_link (member_id, account_id, token_sha256, created_by, expires_at)
    VALUES (p_member, p_account, decode(p_token_sha256, 'hex'), p_by, v_expires);
    RETURN v_expires;
END $$;

-- The desk gives a member a link (any volunteer: members use the whole
-- network). The request is recorded on the member's file.
CREATE FUNCTION tl.desk_member_password_link(p_login text, p_number text, p_token_sha256 text,
                                             p_valid interval DEFAULT interval '7 days')
RETURNS TABLE (member_number text, member_name text, expires_fr text, expires_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_member  tl.member;
    v_who     integer;
    v_expires timestamptz;
BEGIN
    v_member := tl.desk_member(p_login, p_number, 'lien_mot_de_passe');
    SELECT a.id INTO v_who FROM tl.account a WHERE a.login = p_login;
    v_expires := tl.issue_password_link(v_member.id, NULL, v_who, p_token_sha256, p_valid);
    RETURN QUERY SELECT v_member.member_number, v_member.given_name || ' ' || v_member.family_name,
                        tl.date_fr((v_expires AT TIME ZONE 'Europe/Paris')::date), v_expires;
END $$;

-- A référent (or an administrator) gives a volunteer of their place a
-- link to set a new password; an administrator may for any account.
CREATE FUNCTION tl.desk_account_password_link(p_login text, p_account_login text, p_token_sha256 text,
                                              p_valid interval DEFAULT interval '2 days')
RETURNS TABLE (account_login text, display_name text, expires_fr text, expires_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_target  tl.account;
    v_who     integer;
    v_place   integer;
    v_expires timestamptz;
BEGIN
    SELECT * INTO v_target FROM tl.account WHERE login = p_account_login AND active;
    IF v_target.id IS NULL THEN
        RAISE EXCEPTION 'aucun compte actif ne porte l''identifiant « % »', p_account_login
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'password_link_account_fkey';
    END IF;
    SELECT a.id, r.place_id INTO v_who, v_place
      FROM tl.account a JOIN tl.account_role r ON r.account_id = a.id
     WHERE a.login = p_login AND a.active
       AND (r.role = 'admin'
            OR (tl.role_rank(r.role) >= tl.role_rank('referent')
                AND EXISTS (SELECT 1 FROM tl.account_role t WHERE t.account_id = v_target.id
                                                              AND t.place_id = r.place_id)))
     ORDER BY EXISTS (SELECT 1 FROM tl.account_role t WHERE t.account_id = v_target.id AND t.place_id = r.place_id)
              DESC
     LIMIT 1;
    IF v_who IS NULL THEN
        RAISE EXCEPTION 'seul un référent du lieu de ce compte peut lui donner un lien'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    v_expires := tl.issue_password_link(NULL, v_target.id, v_who, p_token_sha256, p_valid);
    -- The back office's journal (sql/016) says who gave whom a link, never the link.
    PERFORM tl.admin_note(v_who, v_place, 'compte.lien', v_target.login,
                          'valable jusqu''au ' || tl.date_fr((v_expires AT TIME ZONE 'Europe/Paris')::date));
    RETURN QUERY SELECT v_target.login, v_target.display_name,
                        tl.date_fr((v_expires AT TIME ZONE 'Europe/Paris')::date), v_expires;
END $$;

-- What a link is, for the page that shows its form: no row for an unknown
-- token; state valide, expire, utilise or remplace; kind adherent or
-- compte; the login the person will use (their member number).
CREATE FUNCTION tl.password_link_state(p_token_sha256 text)
RETURNS TABLE (state text, kind text, login text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT CASE WHEN l.used_at IS NOT NULL THEN 'utilise'
                WHEN l.voided_at IS NOT NULL THEN 'remplace'
                WHEN l.expires_at <= now() THEN 'expire'
                ELSE 'valide' END,
           CASE WHEN l.member_id IS NOT NULL THEN 'adherent' ELSE 'compte' END,
           coalesce(m.member_number, a.login)
      FROM tl.password_link l
      LEFT JOIN tl.member m ON m.id = l.member_id
      LEFT JOIN tl.account a ON a.id = l.account_id
     WHERE p_token_sha256 ~ '^[0-9a-f]{64}$' AND l.token_sha256 = decode(p_token_sha256, 'hex')
$$;

-- Uses a link: the password's bcrypt hash (made by the web server) is
-- stored and the link spent, in one transaction. Refused when the link is
-- unknown (password_link_token_key) or spent, replaced or expired
-- (password_link_spent).
CREATE FUNCTION tl.use_password_link(p_token_sha256 text, p_password_hash text)
RETURNS TABLE (kind text, login text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_link tl.password_link;
BEGIN
    SELECT * INTO v_link FROM tl.password_link
     WHERE p_token_sha256 ~ '^[0-9a-f]{64}$' AND token_sha256 = decode(p_token_sha256, 'hex') FOR UPDATE;
    IF v_link.id IS NULL THEN
        RAISE EXCEPTION 'ce lien n''existe pas' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'password_link_token_key';
    END IF;
    IF v_link.used_at IS NOT NULL OR v_link.voided_at IS NOT NULL OR v_link.expires_at <= now() THEN
        RAISE EXCEPTION 'ce lien a déjà servi ou a expiré' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'password_link_spent';
    END IF;
    IF p_password_hash IS NULL OR p_password_hash !~ '^\$2[aby]\$(1[0-9]|2[0-9]|3[01])\$' THEN
        RAISE EXCEPTION 'empreinte de mot de passe invalide' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'member_password_bcrypt';
    END IF;
    UPDATE tl.password_link SET used_at = now() WHERE id = v_link.id;
    IF v_link.member_id IS NOT NULL THEN
        UPDATE tl.member SET password_hash = p_password_hash WHERE id = v_link.member_id;
        RETURN QUERY SELECT 'adherent'::text, m.member_number FROM tl.member m WHERE m.id = v_link.member_id;
    ELSE
        UPDATE tl.account SET password_hash = p_password_hash WHERE id = v_link.account_id;
        RETURN QUERY SELECT 'compte'::text, a.login FROM tl.account a WHERE a.id = v_link.account_id;
    END IF;
END $$;

-- The site's own login for a member (LDAP, CAS…), set at the desk; NULL
-- or '' removes it.
CREATE FUNCTION tl.set_member_site_login(p_login text, p_number text, p_site_login text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_member tl.member;
BEGIN
    v_member := tl.desk_member(p_login, p_number, 'consultation');
    IF btrim(coalesce(p_site_login, '')) <> ''
       AND (btrim(p_site_login) !~ '^[^\s]{2,128}$' OR btrim(p_site_login) ~* '^([a-z]-?)?[0-9]+$') THEN
        RAISE EXCEPTION 'l''identifiant du site s''écrit sans espace (2 à 128 caractères) et ne ressemble pas à un numéro d''adhérent'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'member_site_login_format';
    END IF;
    BEGIN
        UPDATE tl.member SET site_login = nullif(btrim(p_site_login), '') WHERE id = v_member.id;
    EXCEPTION WHEN unique_violation THEN
        RAISE EXCEPTION 'cet identifiant du site est déjà celui d''un autre adhérent'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'member_site_login_key';
    END;
END $$;

------------------------------------------------------------------------------
-- A member's own account
------------------------------------------------------------------------------

CREATE FUNCTION tl.my_member_info(p_user text)
RETURNS TABLE (member_number text, name text, family_name text, given_name text, email text, phone text,
               birth_year integer, since text, place_name text, fee text, fee_paid_on text, charter_on text,
               site_login text, has_password boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_member tl.member;
BEGIN
    v_member := tl.my_member(p_user);
    RETURN QUERY
    SELECT v_member.member_number, v_member.given_name || ' ' || v_member.family_name, v_member.family_name,
           v_member.given_name, v_member.email, v_member.phone, v_member.birth_year,
           tl.date_fr(v_member.created_at::date), p.name, tl.euros(v_member.fee_amount),
           tl.date_fr(v_member.fee_paid_on), tl.date_fr(v_member.charter_accepted_at::date), v_member.site_login,
           v_member.password_hash IS NOT NULL
      FROM (SELECT 1) x LEFT JOIN tl.place p ON p.id = v_member.place_id;
END $$;

-- Loans not yet returned, with whether each may be renewed and why not.
CREATE FUNCTION tl.my_loans(p_user text)
RETURNS TABLE (booking_id bigint, item_code text, item_title text, place_name text, started_fr text, due_on date,
               due_fr text, late boolean, renewals integer, may_renew boolean, why_not text, loan_days integer,
               opening_hours text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_member tl.member;
BEGIN
    v_member := tl.my_member(p_user);
    RETURN QUERY
    SELECT b.id, i.code, i.title, p.name, tl.date_fr((b.starts_at AT TIME ZONE p.time_zone)::date), b.due_on,
           tl.date_fr(b.due_on), b.due_on < (now() AT TIME ZONE p.time_zone)::date, b.renewals,
           b.renewals < c.max_renewals,
           CASE WHEN c.max_renewals = 0 THEN 'les objets de cette catégorie ne se prolongent pas'
                WHEN b.renewals >= c.max_renewals
                THEN 'déjà prolongé ' || b.renewals || ' fois, le maximum pour cette catégorie' END,
           coalesce(i.loan_days, c.loan_days), p.opening_hours
      FROM tl.booking b JOIN tl.item i ON i.id = b.item_id JOIN tl.category c ON c.id = i.category_id
      JOIN tl.place p ON p.id = i.place_id
     WHERE b.member_id = v_member.id AND b.kind = 'pret' AND b.returned_at IS NULL
     ORDER BY b.due_on, i.code;
END $$;

-- A loan extended to p_due, by the desk or by its member: the same rules
-- for both (the category's renewals; nobody's reservation after; a later
-- date, but no further than p_latest when given). The booking is locked
-- by the caller.
CREATE FUNCTION tl.extend_loan(p_booking tl.booking, p_due date, p_latest date) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    v_max integer := (SELECT c.max_renewals FROM tl.item i JOIN tl.category c ON c.id = i.category_id
                       WHERE i.id = p_booking.item_id);
BEGIN
    IF p_booking.renewals >= v_max THEN
        RAISE EXCEPTION 'ce prêt a déjà été prolongé % fois, le maximum pour cette catégorie', p_booking.renewals
            USING ERRCODE = 'check_violation', CONSTRAINT = 'booking_renewals_max';
    END IF;
    IF p_due IS NULL OR p_due <= p_booking.due_on OR p_due > p_latest THEN
        RAISE EXCEPTION 'la nouvelle date doit être après l''actuelle' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'booking_due_after_start';
    END IF;
    UPDATE tl.booking SET due_on = p_due, renewals = renewals + 1 WHERE id = p_booking.id;
EXCEPTION WHEN exclusion_violation THEN
    RAISE EXCEPTION 'impossible de prolonger : l''objet est réservé par quelqu''un d''autre ensuite'
        USING ERRCODE = 'exclusion_violation', CONSTRAINT = 'booking_reserved';
END $$;

-- The desk's renewal (sql/009) through the same rules.
CREATE OR REPLACE FUNCTION tl.renew(p_login text, p_booking bigint, p_due date) RETURNS date
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_booking tl.booking;
    v_who     integer;
BEGIN
    SELECT * INTO v_booking FROM tl.booking WHERE id = p_booking AND kind = 'pret' AND returned_at IS NULL FOR UPDATE;
    IF v_booking.id IS NULL THEN
        RAISE EXCEPTION 'ce prêt est déjà rendu' USING ERRCODE = 'check_violation', CONSTRAINT = 'booking_not_on_loan';
    END IF;
    v_who := tl.require_role(p_login, (SELECT place_id FROM tl.item WHERE id = v_booking.item_id), 'benevole');
    PERFORM tl.extend_loan(v_booking, p_due, NULL);
    INSERT INTO tl.member_access (account_id, member_id, action) VALUES (v_who, v_booking.member_id, 'prolongation');
    RETURN p_due;
END $$;

-- A renewal asked by the member: the desk's rules, to a new due date the
-- web server computed (an open day), no further than one more loan length
-- and two weeks of closed days.
CREATE FUNCTION tl.my_renew(p_user text, p_booking bigint, p_due date) RETURNS date
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_member  tl.member;
    v_booking tl.booking;
BEGIN
    v_member := tl.my_member(p_user);
    SELECT * INTO v_booking FROM tl.booking
     WHERE id = p_booking AND kind = 'pret' AND returned_at IS NULL AND member_id = v_member.id FOR UPDATE;
    IF v_booking.id IS NULL THEN
        RAISE EXCEPTION 'ce prêt n''est pas en cours à votre nom' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'booking_not_on_loan';
    END IF;
    PERFORM tl.extend_loan(v_booking, p_due,
                           greatest(v_booking.due_on, current_date) + 14
                           + (SELECT coalesce(i.loan_days, c.loan_days) FROM tl.item i
                                JOIN tl.category c ON c.id = i.category_id WHERE i.id = v_booking.item_id));
    INSERT INTO tl.member_access (member_id, by_member, action) VALUES (v_member.id, true, 'prolongation');
    RETURN p_due;
END $$;

CREATE FUNCTION tl.my_reservations(p_user text)
RETURNS TABLE (booking_id bigint, item_code text, item_title text, place_name text, from_fr text, to_fr text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_member tl.member;
BEGIN
    v_member := tl.my_member(p_user);
    RETURN QUERY
    SELECT b.id, i.code, i.title, p.name, tl.date_fr((b.starts_at AT TIME ZONE p.time_zone)::date),
           tl.date_fr((b.ends_at AT TIME ZONE p.time_zone)::date - 1)
      FROM tl.booking b JOIN tl.item i ON i.id = b.item_id JOIN tl.place p ON p.id = i.place_id
     WHERE b.member_id = v_member.id AND b.kind = 'reservation' AND b.cancelled_at IS NULL AND b.ends_at > now()
     ORDER BY b.starts_at;
END $$;

-- The same rules as the desk's tl.reserve (from today to 90 days later,
-- in order, no overlap with a loan or a reservation), for the logged-in
-- member, with at most five reservations to come.
CREATE FUNCTION tl.my_reserve(p_user text, p_item text, p_from date, p_to date) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_member tl.member;
    v_item   tl.item;
    v_tz     text;
    v_id     bigint;
BEGIN
    v_member := tl.my_member(p_user);
    v_item := tl.require_item(p_item);
    SELECT p.time_zone INTO v_tz FROM tl.place p WHERE p.id = v_item.place_id;
    IF p_from IS NULL OR p_to IS NULL OR p_from < (now() AT TIME ZONE v_tz)::date OR p_to < p_from
       OR p_to > p_from + 90 THEN
        RAISE EXCEPTION 'les dates doivent aller d''aujourd''hui au plus tôt à 90 jours plus tard au plus, dans l''ordre'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'booking_period_not_empty';
    END IF;
    IF (SELECT count(*) FROM tl.booking WHERE member_id = v_member.id AND kind = 'reservation'
                                          AND cancelled_at IS NULL AND ends_at > now()) >= 5 THEN
        RAISE EXCEPTION 'vous avez déjà 5 réservations à venir : annulez-en une d''abord'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'booking_member_reservations_max';
    END IF;
    BEGIN
        INSERT INTO tl.booking (item_id, member_id, kind, starts_at, ends_at)
        VALUES (v_item.id, v_member.id, 'reservation', p_from::timestamp AT TIME ZONE v_tz,
                (p_to + 1)::timestamp AT TIME ZONE v_tz)
        RETURNING id INTO v_id;
    EXCEPTION WHEN exclusion_violation THEN
        RAISE EXCEPTION 'cet objet est déjà prêté ou réservé sur une partie de ces dates'
            USING ERRCODE = 'exclusion_violation', CONSTRAINT = 'booking_no_overlap';
    END;
    RETURN v_id;
END $$;

CREATE FUNCTION tl.my_cancel_reservation(p_user text, p_booking bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_member tl.member;
BEGIN
    v_member := tl.my_member(p_user);
    UPDATE tl.booking SET cancelled_at = now()
     WHERE id = p_booking AND member_id = v_member.id AND kind = 'reservation' AND cancelled_at IS NULL
       AND ends_at > now();
    IF NOT FOUND THEN
        RAISE EXCEPTION 'cette réservation n''existe plus' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'booking_kind_known';
    END IF;
END $$;

-- An item, for the member's reservation page: what it is, where, whether
-- it is out, and the periods already taken (no one's name).
CREATE FUNCTION tl.my_item(p_user text, p_item text)
RETURNS TABLE (item_code text, item_title text, place_name text, state text, due_fr text, waiting boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_member tl.member;
    v_item   tl.item;
BEGIN
    v_member := tl.my_member(p_user);
    v_item := tl.require_item(p_item);
    RETURN QUERY
    SELECT v_item.code, v_item.title, p.name, a.state, tl.date_fr(a.due_on),
           EXISTS (SELECT 1 FROM tl.waiting_list w WHERE w.item_id = v_item.id AND w.member_id = v_member.id
                                                     AND w.served_at IS NULL AND w.removed_at IS NULL)
      FROM tl.place p JOIN tl.item_availability a ON a.item_id = v_item.id
     WHERE p.id = v_item.place_id;
END $$;

CREATE FUNCTION tl.my_item_taken(p_user text, p_item text)
RETURNS TABLE (from_fr text, to_fr text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_item tl.item;
BEGIN
    PERFORM tl.my_member(p_user);
    v_item := tl.require_item(p_item);
    RETURN QUERY
    SELECT tl.date_fr((b.starts_at AT TIME ZONE p.time_zone)::date),
           tl.date_fr(coalesce(b.due_on, (b.ends_at AT TIME ZONE p.time_zone)::date - 1))
      FROM tl.booking b JOIN tl.place p ON p.id = v_item.place_id
     WHERE b.item_id = v_item.id AND b.cancelled_at IS NULL AND b.ends_at > now()
       AND (b.kind = 'reservation' OR b.returned_at IS NULL)
     ORDER BY b.starts_at;
END $$;

CREATE FUNCTION tl.my_waiting(p_user text)
RETURNS TABLE (entry_id bigint, item_code text, item_title text, place_in_line bigint, since text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_member tl.member;
BEGIN
    v_member := tl.my_member(p_user);
    RETURN QUERY
    SELECT x.id, x.code, x.title, x.pos, tl.date_fr(x.added_at::date) FROM (
        SELECT w.id, i.code, i.title, w.member_id, w.added_at,
               row_number() OVER (PARTITION BY w.item_id ORDER BY w.added_at, w.id) AS pos
          FROM tl.waiting_list w JOIN tl.item i ON i.id = w.item_id
         WHERE w.served_at IS NULL AND w.removed_at IS NULL) x
     WHERE x.member_id = v_member.id
     ORDER BY x.code;
END $$;

-- Joining the line for an item that is out (on loan or in maintenance);
-- an available item is reserved instead. Returns the place in line.
CREATE FUNCTION tl.my_join_waiting_list(p_user text, p_item text) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_member tl.member;
    v_item   tl.item;
BEGIN
    v_member := tl.my_member(p_user);
    v_item := tl.require_item(p_item);
    IF (SELECT a.state FROM tl.item_availability a WHERE a.item_id = v_item.id) = 'disponible' THEN
        RAISE EXCEPTION 'cet objet est disponible : réservez-le plutôt' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'waiting_list_item_out';
    END IF;
    BEGIN
        INSERT INTO tl.waiting_list (item_id, member_id) VALUES (v_item.id, v_member.id);
    EXCEPTION WHEN unique_violation THEN
        RAISE EXCEPTION 'vous attendez déjà cet objet' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'waiting_list_once';
    END;
    RETURN (SELECT count(*) FROM tl.waiting_list w
             WHERE w.item_id = v_item.id AND w.served_at IS NULL AND w.removed_at IS NULL)::integer;
END $$;

CREATE FUNCTION tl.my_leave_waiting_list(p_user text, p_entry bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_member tl.member;
BEGIN
    v_member := tl.my_member(p_user);
    UPDATE tl.waiting_list SET removed_at = now()
     WHERE id = p_entry AND member_id = v_member.id AND served_at IS NULL AND removed_at IS NULL;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'cette attente est déjà terminée' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'waiting_list_once';
    END IF;
END $$;

-- Deposits (caution) the member left, recorded at the desk.
CREATE FUNCTION tl.my_deposits(p_user text)
RETURNS TABLE (amount text, kind text, received text, returned text, open boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_member tl.member;
BEGIN
    v_member := tl.my_member(p_user);
    RETURN QUERY
    SELECT tl.euros(d.amount),
           CASE d.kind WHEN 'cheque_non_encaisse' THEN 'chèque non encaissé' WHEN 'especes' THEN 'espèces'
                       ELSE 'autre' END,
           tl.date_fr(d.received_on), tl.date_fr(d.returned_on), d.returned_on IS NULL
      FROM tl.member_deposit d WHERE d.member_id = v_member.id
     ORDER BY d.received_on DESC, d.id DESC;
END $$;

-- Seeds the member brought to or took from a grainothèque (kept a year).
CREATE FUNCTION tl.my_seeds(p_user text)
RETURNS TABLE (kind text, variety text, packets integer, place_name text, at_fr text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_member tl.member;
BEGIN
    v_member := tl.my_member(p_user);
    RETURN QUERY
    SELECT CASE m.kind WHEN 'depot' THEN 'dépôt' ELSE 'retrait' END,
           s.common_name || ' « ' || v.name || ' »', m.packets, p.name, tl.date_fr(m.at::date)
      FROM tl.seed_movement m JOIN tl.seed_lot l ON l.id = m.lot_id
      JOIN tl.seed_variety v ON v.id = l.variety_id JOIN tl.seed_species s ON s.id = v.species_id
      JOIN tl.place p ON p.id = l.place_id
     WHERE m.member_id = v_member.id
     ORDER BY m.at DESC;
END $$;

-- Everything held about the member, as rows (the page and the CSV
-- download): a section, an element, a detail, one or two dates.
CREATE FUNCTION tl.my_data(p_user text, p_action text DEFAULT NULL)
RETURNS TABLE (section text, element text, detail text, date_from text, date_to text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_member tl.member;
BEGIN
    IF p_action IS NOT NULL AND p_action NOT IN ('consultation', 'export') THEN
        RAISE EXCEPTION 'action inconnue' USING ERRCODE = 'check_violation', CONSTRAINT = 'member_access_action_known';
    END IF;
    v_member := tl.my_member(p_user, p_action);
    RETURN QUERY
    SELECT 'adhérent', x.k, x.v, NULL::text, NULL::text
      FROM (VALUES (1, 'numéro d''adhérent', v_member.member_number), (2, 'nom', v_member.family_name),
                   (3, 'prénom', v_member.given_name), (4, 'courriel', v_member.email),
                   (5, 'téléphone', v_member.phone), (6, 'année de naissance', v_member.birth_year::text),
                   (7, 'inscrit le', tl.date_fr(v_member.created_at::date)),
                   (8, 'charte acceptée le', tl.date_fr(v_member.charter_accepted_at::date)),
                   (9, 'cotisation', tl.euros(v_member.fee_amount) || ', versée le ' || tl.date_fr(v_member.fee_paid_on)),
                   (10, 'identifiant du site', v_member.site_login),
                   (11, 'mot de passe', CASE WHEN v_member.password_hash IS NOT NULL
                                             THEN 'choisi (seule une empreinte bcrypt est gardée)' END)) AS x(n, k, v)
     WHERE x.v IS NOT NULL;
    RETURN QUERY
    SELECT 'prêt', i.code, i.title, tl.date_fr(b.starts_at::date),
           CASE WHEN b.returned_at IS NULL THEN 'à rendre le ' || tl.date_fr(b.due_on)
                ELSE 'rendu le ' || tl.date_fr(b.returned_at::date) END
      FROM tl.booking b JOIN tl.item i ON i.id = b.item_id
     WHERE b.member_id = v_member.id AND b.kind = 'pret'
     ORDER BY b.starts_at;
    RETURN QUERY
    SELECT 'réservation', i.code, i.title || CASE WHEN b.cancelled_at IS NOT NULL THEN ' (annulée)' ELSE '' END,
           tl.date_fr((b.starts_at AT TIME ZONE p.time_zone)::date),
           tl.date_fr((b.ends_at AT TIME ZONE p.time_zone)::date - 1)
      FROM tl.booking b JOIN tl.item i ON i.id = b.item_id JOIN tl.place p ON p.id = i.place_id
     WHERE b.member_id = v_member.id AND b.kind = 'reservation'
     ORDER BY b.starts_at;
    RETURN QUERY
    SELECT 'liste d''attente', i.code, i.title, tl.date_fr(w.added_at::date),
           tl.date_fr(coalesce(w.served_at, w.removed_at)::date)
      FROM tl.waiting_list w JOIN tl.item i ON i.id = w.item_id
     WHERE w.member_id = v_member.id
     ORDER BY w.added_at;
    RETURN QUERY
    SELECT 'caution', tl.euros(d.amount), d.kind, tl.date_fr(d.received_on), tl.date_fr(d.returned_on)
      FROM tl.member_deposit d WHERE d.member_id = v_member.id
     ORDER BY d.received_on;
    RETURN QUERY
    SELECT 'graines', CASE m.kind WHEN 'depot' THEN 'dépôt' ELSE 'retrait' END,
           s.common_name || ' « ' || v.name || ' », ' || m.packets || ' sachet(s)', tl.date_fr(m.at::date), NULL
      FROM tl.seed_movement m JOIN tl.seed_lot l ON l.id = m.lot_id
      JOIN tl.seed_variety v ON v.id = l.variety_id JOIN tl.seed_species s ON s.id = v.species_id
     WHERE m.member_id = v_member.id
     ORDER BY m.at;
    RETURN QUERY
    SELECT 'accès à la fiche', a.action, CASE WHEN a.by_member THEN 'vous-même' ELSE 'un bénévole du réseau' END,
           tl.date_fr(a.at::date), NULL
      FROM tl.member_access a WHERE a.member_id = v_member.id
     ORDER BY a.at;
END $$;

-- The same, as one JSON document to take away.
CREATE FUNCTION tl.my_export(p_user text) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_member tl.member;
BEGIN
    v_member := tl.my_member(p_user, 'export');
    RETURN jsonb_build_object(
        'adherent', jsonb_build_object('numero', v_member.member_number, 'nom', v_member.family_name,
                                       'prenom', v_member.given_name, 'courriel', v_member.email,
                                       'telephone', v_member.phone, 'annee_naissance', v_member.birth_year,
                                       'inscrit_le', v_member.created_at::date,
                                       'charte_acceptee_le', v_member.charter_accepted_at::date,
                                       'cotisation', v_member.fee_amount, 'cotisation_versee_le', v_member.fee_paid_on,
                                       'identifiant_du_site', v_member.site_login,
                                       'mot_de_passe_choisi', v_member.password_hash IS NOT NULL),
        'prets', coalesce((SELECT jsonb_agg(jsonb_build_object('objet', i.code, 'titre', i.title,
                                                               'emprunte_le', b.starts_at::date,
                                                               'a_rendre_le', b.due_on,
                                                               'prolongations', b.renewals,
                                                               'rendu_le', b.returned_at::date)
                                            ORDER BY b.starts_at)
                             FROM tl.booking b JOIN tl.item i ON i.id = b.item_id
                            WHERE b.member_id = v_member.id AND b.kind = 'pret'), '[]'::jsonb),
        'reservations', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                             'objet', i.code, 'titre', i.title,
                                             'du', (b.starts_at AT TIME ZONE p.time_zone)::date,
                                             'au', (b.ends_at AT TIME ZONE p.time_zone)::date - 1,
                                             'annulee_le', b.cancelled_at::date) ORDER BY b.starts_at)
                                    FROM tl.booking b JOIN tl.item i ON i.id = b.item_id
                                    JOIN tl.place p ON p.id = i.place_id
                                   WHERE b.member_id = v_member.id AND b.kind = 'reservation'), '[]'::jsonb),
        'listes_d_attente', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                                 'objet', i.code, 'titre', i.title, 'depuis', w.added_at::date,
                                                 'servie_le', w.served_at::date, 'quittee_le', w.removed_at::date)
                                                 ORDER BY w.added_at)
                                        FROM tl.waiting_list w JOIN tl.item i ON i.id = w.item_id
                                       WHERE w.member_id = v_member.id), '[]'::jsonb),
        'cautions', coalesce((SELECT jsonb_agg(jsonb_build_object('montant', d.amount, 'nature', d.kind,
                                                                  'recue_le', d.received_on,
                                                                  'rendue_le', d.returned_on) ORDER BY d.received_on)
                                FROM tl.member_deposit d WHERE d.member_id = v_member.id), '[]'::jsonb),
        'graines', coalesce((SELECT jsonb_agg(jsonb_build_object('mouvement', m.kind,
                                                                 'variete', s.common_name || ' « ' || v.name || ' »',
                                                                 'sachets', m.packets, 'le', m.at::date)
                                              ORDER BY m.at)
                               FROM tl.seed_movement m JOIN tl.seed_lot l ON l.id = m.lot_id
                               JOIN tl.seed_variety v ON v.id = l.variety_id
                               JOIN tl.seed_species s ON s.id = v.species_id
                              WHERE m.member_id = v_member.id), '[]'::jsonb),
        'acces_a_la_fiche', coalesce((SELECT jsonb_agg(jsonb_build_object('action', a.action, 'le', a.at::date,
                                                                          'par', CASE WHEN a.by_member THEN 'vous-même'
                                                                                      ELSE 'un bénévole' END)
                                                       ORDER BY a.at)
                                        FROM tl.member_access a WHERE a.member_id = v_member.id), '[]'::jsonb),
        -- The e-mails written to them (sql/017), as the desk's export lists them.
        'courriels', coalesce((SELECT jsonb_agg(jsonb_build_object('a', m.recipient, 'sujet', m.subject,
                                                                   'texte', m.body, 'prepare_le', m.created_at::date,
                                                                   'envoye_le', m.sent_at::date)
                                                ORDER BY m.id)
                                 FROM tl.mail_message m WHERE m.member_id = v_member.id), '[]'::jsonb));
END $$;

-- Erasure asked by the member: refused while an item is out or a deposit
-- is held (the desk must give it back first); otherwise the reservations
-- to come are cancelled, the loans stay as anonymous statistics, and the
-- member, their links, deposits and waiting places go.
CREATE FUNCTION tl.my_erase(p_user text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_member tl.member;
BEGIN
    v_member := tl.my_member(p_user);
    PERFORM 1 FROM tl.member WHERE id = v_member.id FOR UPDATE;
    IF EXISTS (SELECT 1 FROM tl.booking WHERE member_id = v_member.id AND kind = 'pret' AND returned_at IS NULL) THEN
        RAISE EXCEPTION 'un objet emprunté n''est pas encore rendu : rapportez-le, l''effacement sera possible ensuite'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'member_erase_items_out';
    END IF;
    IF EXISTS (SELECT 1 FROM tl.member_deposit WHERE member_id = v_member.id AND returned_on IS NULL) THEN
        RAISE EXCEPTION 'le lieu garde encore une caution à votre nom : demandez-la au guichet, l''effacement sera possible ensuite'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'member_erase_deposit_held';
    END IF;
    UPDATE tl.booking SET cancelled_at = now()
     WHERE member_id = v_member.id AND kind = 'reservation' AND cancelled_at IS NULL AND ends_at > now();
    INSERT INTO tl.member_access (member_id, by_member, action) VALUES (v_member.id, true, 'effacement');
    UPDATE tl.booking SET member_id = NULL WHERE member_id = v_member.id;
    DELETE FROM tl.member WHERE id = v_member.id;
END $$;

-- The retention command forgets links a month after they were used,
-- replaced or expired (script/retention).
CREATE FUNCTION tl.apply_password_link_retention(p_now timestamptz DEFAULT now()) RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    n integer;
BEGIN
    DELETE FROM tl.password_link
     WHERE least(used_at, voided_at, expires_at) < p_now - interval '1 month';
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;

REVOKE ALL ON FUNCTION tl.apply_password_link_retention(timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.normal_member_number(text), tl.member_password(text), tl.my_member(text, text),
                       tl.issue_password_link(integer, integer, integer, text, interval),
                       tl.desk_member_password_link(text, text, text, interval),
                       tl.desk_account_password_link(text, text, text, interval),
                       tl.password_link_state(text), tl.use_password_link(text, text),
                       tl.set_member_site_login(text, text, text),
                       tl.my_member_info(text), tl.my_loans(text), tl.my_renew(text, bigint, date),
                       tl.my_reservations(text), tl.my_reserve(text, text, date, date),
                       tl.my_cancel_reservation(text, bigint), tl.my_item(text, text), tl.my_item_taken(text, text),
                       tl.my_waiting(text), tl.my_join_waiting_list(text, text), tl.my_leave_waiting_list(text, bigint),
                       tl.my_deposits(text), tl.my_seeds(text), tl.my_data(text, text), tl.my_export(text),
                       tl.my_erase(text)
  FROM PUBLIC;
-- The web server's role checks members' passwords and serves their pages
-- only through these functions; it never reads tl.member itself.
GRANT EXECUTE ON FUNCTION tl.member_password(text),
                          tl.desk_member_password_link(text, text, text, interval),
                          tl.desk_account_password_link(text, text, text, interval),
                          tl.password_link_state(text), tl.use_password_link(text, text),
                          tl.set_member_site_login(text, text, text),
                          tl.my_member_info(text), tl.my_loans(text), tl.my_renew(text, bigint, date),
                          tl.my_reservations(text), tl.my_reserve(text, text, date, date),
                          tl.my_cancel_reservation(text, bigint), tl.my_item(text, text),
                          tl.my_item_taken(text, text), tl.my_waiting(text), tl.my_join_waiting_list(text, text),
                          tl.my_leave_waiting_list(text, bigint), tl.my_deposits(text), tl.my_seeds(text),
                          tl.my_data(text, text), tl.my_export(text), tl.my_erase(text)
   TO tierslieux_guichet;

REVOKE ALL ON FUNCTION tl.extend_loan(tl.booking, date, date) FROM PUBLIC;
