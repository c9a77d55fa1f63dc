-- Members and accounts: registration, the member file, fees, the desk's
-- accounts and passwords, the member's own account (tl.my_*), password
-- links, login sessions, who may manage whose account, retention and erasure.
--
-- The current form of this area's functions, views, triggers and rights.
-- script/migrate drops every function and view of schema tl (but the
-- constraint helpers of sql/schema) and applies the files of sql/logic/ORDER
-- again after the numbered migrations, in one transaction: edit here, never
-- in a numbered file.

-- The member whose card number was typed, or a refusal naming it (under
-- the constraint the calling form shows it for).
CREATE FUNCTION tl.require_member(p_number text, p_constraint text DEFAULT 'booking_member_fkey')
RETURNS tl.member
LANGUAGE plpgsql STABLE SET search_path = pg_catalog AS $$
DECLARE
    v_member tl.member;
BEGIN
    SELECT * INTO v_member FROM tl.member WHERE member_number = upper(btrim(p_number));
    IF v_member.id IS NULL THEN
        RAISE EXCEPTION 'aucun adhérent ne porte le numéro « % »', btrim(p_number)
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = p_constraint;
    END IF;
    RETURN v_member;
END $$;

CREATE FUNCTION tl.register_member(p_login text, p_place_slug text, p_family text, p_given text, p_email text,
                                   p_phone text, p_birth_year integer, p_charter boolean) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place  integer;
    v_who    integer;
    v_number text;
    v_email  text := nullif(btrim(p_email), '');
    v_phone  text := nullif(btrim(p_phone), '');
BEGIN
    SELECT id INTO v_place FROM tl.place WHERE slug = p_place_slug;
    IF v_place IS NULL THEN
        RAISE EXCEPTION 'lieu inconnu' USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'member_place_fkey';
    END IF;
    v_who := tl.require_role(p_login, v_place, 'benevole');
    IF btrim(coalesce(p_family, '')) = '' OR btrim(coalesce(p_given, '')) = '' THEN
        RAISE EXCEPTION 'le nom et le prénom sont nécessaires' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'member_names_not_blank';
    END IF;
    IF v_email IS NULL AND v_phone IS NULL THEN
        RAISE EXCEPTION 'indiquez un courriel ou un téléphone pour rappeler les retours'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'member_contact_required';
    END IF;
    IF p_birth_year IS NOT NULL AND (p_birth_year < 1900 OR p_birth_year > extract(year FROM now())) THEN
        RAISE EXCEPTION 'année de naissance invalide' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'member_birth_year_range';
    END IF;
    IF NOT coalesce(p_charter, false) THEN
        RAISE EXCEPTION 'la charte du lieu doit être acceptée' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'member_charter_required';
    END IF;
    v_number := 'A-' || lpad(nextval('tl.member_number_seq')::text, 6, '0');
    INSERT INTO tl.member (member_number, family_name, given_name, email, phone, birth_year, place_id,
                           charter_accepted_at, registered_by)
    VALUES (v_number, btrim(p_family), btrim(p_given), v_email, v_phone, p_birth_year, v_place, now(), v_who);
    RETURN v_number;
END $$;

-- The last member this volunteer registered, to show the number for the card
-- after the redirect (never in a URL).
CREATE FUNCTION tl.last_member_registered(p_login text)
RETURNS TABLE (member_number text, member_name text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT m.member_number, m.given_name || ' ' || m.family_name
      FROM tl.member m JOIN tl.account a ON a.id = m.registered_by
     WHERE a.login = p_login AND m.created_at > now() - interval '1 hour'
     ORDER BY m.created_at DESC, m.id DESC LIMIT 1
$$;

-- The member, for a volunteer of any place (members use the whole
-- network); the read is recorded under p_action (NULL: the caller records
-- it itself, so that opening a file makes one row).
CREATE FUNCTION tl.desk_member(p_login text, p_number text, p_action text DEFAULT 'consultation')
RETURNS tl.member
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_who    integer;
    v_member tl.member;
BEGIN
    SELECT a.id INTO v_who FROM tl.account a JOIN tl.account_role r ON r.account_id = a.id
     WHERE a.login = p_login AND a.active LIMIT 1;
    IF v_who IS NULL THEN
        RAISE EXCEPTION 'votre compte n''a de rôle dans aucun lieu' USING ERRCODE = 'insufficient_privilege';
    END IF;
    v_member := tl.require_member(p_number);
    IF p_action IS NOT NULL THEN
        INSERT INTO tl.member_access (account_id, member_id, action) VALUES (v_who, v_member.id, p_action);
    END IF;
    RETURN v_member;
END $$;

-- The name as the search below compares it.
CREATE FUNCTION tl.name_search_key(p_given text, p_family text) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT lower(public.unaccent(p_given || ' ' || p_family))
$$;

CREATE FUNCTION tl.member_search_name() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    NEW.search_name := tl.name_search_key(NEW.given_name, NEW.family_name);
    RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS member_search_name ON tl.member;
CREATE TRIGGER member_search_name BEFORE INSERT OR UPDATE OF given_name, family_name ON tl.member
    FOR EACH ROW EXECUTE FUNCTION tl.member_search_name();

-- Members whose number is p_text, or whose name contains all its words
-- (any case, accents ignored); for volunteers only.
CREATE FUNCTION tl.find_members(p_login text, p_text text)
RETURNS TABLE (member_number text, member_name text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    -- Each word once, as a LIKE pattern matching it anywhere (its % and _
    -- taken literally), the longest first: its trigrams find the members
    -- (member_search_name_trgm_idx, sql/schema/009), the others are
    -- compared on those only.
    v_patterns text[] := ARRAY(
        SELECT '%' || replace(replace(replace(w.word, '\', '\\'), '%', '\%'), '_', '\_') || '%'
          FROM regexp_split_to_table(lower(unaccent(btrim(p_text))), '\s+') AS w(word) WHERE w.word <> ''
         ORDER BY length(w.word) DESC, w.word);
BEGIN
    IF NOT EXISTS (SELECT 1 FROM tl.account a JOIN tl.account_role r ON r.account_id = a.id
                    WHERE a.login = p_login AND a.active) THEN
        RAISE EXCEPTION 'votre compte n''a de rôle dans aucun lieu' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN QUERY
    SELECT m.member_number, m.given_name || ' ' || m.family_name
      FROM tl.member m
     WHERE m.member_number = upper(btrim(p_text))
        OR (length(btrim(p_text)) >= 3 AND m.search_name LIKE v_patterns[1] AND m.search_name LIKE ALL (v_patterns))
     ORDER BY m.family_name, m.given_name
     LIMIT 10;
END $$;

CREATE FUNCTION tl.record_fee(p_login text, p_member text, p_amount numeric) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_member tl.member;
BEGIN
    v_member := tl.desk_member(p_login, p_member, 'consultation');
    IF p_amount IS NULL OR p_amount < 0 OR p_amount > 1000 THEN
        RAISE EXCEPTION 'le montant de la cotisation doit être entre 0 et 1000 €' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'member_fee_amount_positive';
    END IF;
    UPDATE tl.member SET fee_amount = p_amount, fee_paid_on = current_date WHERE id = v_member.id;
END $$;

------------------------------------------------------------------------------
-- A member's data, as in 009, with the e-mails written to them: what the
-- desk hands a member who asks (the right of access covers them too).
------------------------------------------------------------------------------
CREATE FUNCTION tl.member_export(p_login text, p_number text) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_member tl.member;
BEGIN
    v_member := tl.desk_member(p_login, p_number, 'export');
    RETURN jsonb_build_object(
        'adherent', jsonb_build_object('numero', v_member.member_number, 'nom', v_member.family_name,
                                       'prenom', v_member.given_name, 'courriel', v_member.email,
                                       'telephone', v_member.phone, 'annee_naissance', v_member.birth_year,
                                       'inscrit_le', v_member.created_at::date,
                                       'charte_acceptee_le', v_member.charter_accepted_at::date),
        'prets', coalesce((SELECT jsonb_agg(jsonb_build_object('objet', i.code, 'titre', i.title,
                                                               'emprunte_le', b.starts_at::date,
                                                               'a_rendre_le', b.due_on,
                                                               'rendu_le', b.returned_at::date)
                                            ORDER BY b.starts_at)
                             FROM tl.booking b JOIN tl.item i ON i.id = b.item_id
                            WHERE b.member_id = v_member.id AND b.kind = 'pret'), '[]'::jsonb),
        'cautions', coalesce((SELECT jsonb_agg(jsonb_build_object('montant', d.amount, 'nature', d.kind,
                                                                  'recue_le', d.received_on,
                                                                  'rendue_le', d.returned_on))
                                FROM tl.member_deposit d WHERE d.member_id = v_member.id), '[]'::jsonb),
        'courriels', coalesce((SELECT jsonb_agg(jsonb_build_object('a', m.recipient, 'sujet', m.subject,
                                                                   'texte', m.body, 'prepare_le', m.created_at::date,
                                                                   'envoye_le', m.sent_at::date)
                                                ORDER BY m.id)
                                 FROM tl.mail_message m WHERE m.member_id = v_member.id), '[]'::jsonb));
END $$;

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

-- The member a library card logs in (p_user: "#", the place's slug, ":"
-- and the card number as tl.card_login keeps it), or NULL.
CREATE FUNCTION tl.card_member(p_user text) RETURNS integer
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT c.member_id FROM tl.member_card c JOIN tl.place p ON p.id = c.place_id
     WHERE left(p_user, 1) = '#' AND p.slug = split_part(substr(p_user, 2), ':', 1)
       AND c.card_number = substr(p_user, strpos(p_user, ':') + 1)
$$;

-- A member whose card and PIN the place's library system has just
-- accepted (glue/tl_library.c): the card's member, or a new member created
-- with only the name the library system gives (its family and given
-- names: nothing else, as the CNIL notice says), and the card linked to
-- them. The names are kept as the library system has them now. Returns
-- the login of the session ("#slug:CARD"); the PIN never comes here.
CREATE FUNCTION tl.card_login(p_place_slug text, p_card text, p_family text, p_given text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place  integer;
    v_card   text := upper(btrim(p_card));
    v_member integer;
    v_family text := btrim(coalesce(p_family, ''));
    v_given  text := btrim(coalesce(p_given, ''));
BEGIN
    SELECT id INTO v_place FROM tl.place WHERE slug = p_place_slug;
    IF v_place IS NULL THEN
        RAISE EXCEPTION 'lieu inconnu' USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'member_card_place_fkey';
    END IF;
    IF v_card !~ '^[A-Z0-9-]{1,32}$' THEN
        RAISE EXCEPTION 'numéro de carte invalide' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'member_card_number_format';
    END IF;
    SELECT member_id INTO v_member FROM tl.member_card WHERE place_id = v_place AND card_number = v_card;
    IF v_member IS NOT NULL THEN
        IF v_family <> '' AND v_given <> '' THEN
            UPDATE tl.member SET family_name = v_family, given_name = v_given
             WHERE id = v_member AND (family_name, given_name) IS DISTINCT FROM (v_family, v_given);
        END IF;
    ELSE
        IF v_family = '' OR v_given = '' THEN
            RAISE EXCEPTION 'la médiathèque ne donne pas le nom et le prénom de cette carte'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'member_names_not_blank';
        END IF;
        INSERT INTO tl.member (member_number, family_name, given_name, place_id)
        VALUES ('A-' || lpad(nextval('tl.member_number_seq')::text, 6, '0'), v_family, v_given, v_place)
        RETURNING id INTO v_member;
        INSERT INTO tl.member_card (place_id, card_number, member_id) VALUES (v_place, v_card, v_member);
    END IF;
    RETURN '#' || p_place_slug || ':' || v_card;
END $$;

-- The member a logged-in person is. p_user is the member number httpd's
-- login checked, or "@" and the site's own login when the site logs
-- members in (TiersLieuxMemberLogin site): then only the logins mapped at
-- the desk count, so a site user whose login looks like a member number
-- never becomes that member; or "#" and a library card (tl.card_login).
-- Records the access under p_action when given.
CREATE FUNCTION tl.my_member(p_user text, p_action text DEFAULT NULL) RETURNS tl.member
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    v_member tl.member;
BEGIN
    IF left(p_user, 1) = '@' THEN
        SELECT * INTO v_member FROM tl.member WHERE site_login = substr(p_user, 2);
    ELSIF left(p_user, 1) = '#' THEN
        SELECT * INTO v_member FROM tl.member WHERE id = tl.card_member(p_user);
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
               due_fr text, late boolean, renewals integer, may_renew boolean, why_not text)
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
                THEN 'déjà prolongé ' || b.renewals || ' fois, le maximum pour cette catégorie' END
      FROM tl.booking b JOIN tl.item i ON i.id = b.item_id JOIN tl.category c ON c.id = i.category_id
      JOIN tl.place p ON p.id = i.place_id
     WHERE b.member_id = v_member.id AND b.kind = 'pret' AND b.returned_at IS NULL
     ORDER BY b.due_on, i.code;
END $$;

-- A renewal asked by the member: the desk's rules and due date
-- (tl.extend_loan).
CREATE FUNCTION tl.my_renew(p_user text, p_booking bigint) RETURNS date
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_member  tl.member;
    v_booking tl.booking;
    v_due     date;
BEGIN
    v_member := tl.my_member(p_user);
    SELECT * INTO v_booking FROM tl.booking
     WHERE id = p_booking AND kind = 'pret' AND returned_at IS NULL AND member_id = v_member.id FOR UPDATE;
    IF v_booking.id IS NULL THEN
        RAISE EXCEPTION 'ce prêt n''est pas en cours à votre nom' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'booking_not_on_loan';
    END IF;
    v_due := tl.extend_loan(v_booking);
    INSERT INTO tl.member_access (member_id, by_member, action) VALUES (v_member.id, true, 'prolongation');
    RETURN v_due;
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
      FROM tl.booking b JOIN tl.item i ON i.id = b.item_id
      JOIN tl.place p ON p.id = coalesce(b.pickup_place_id, i.place_id)   -- where it is collected
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
    SELECT 'adhérent', 'carte de la médiathèque', c.card_number || ' (' || p.name || ', code PIN jamais gardé)',
           tl.date_fr(c.linked_at::date), NULL::text
      FROM tl.member_card c JOIN tl.place p ON p.id = c.place_id
     WHERE c.member_id = v_member.id;
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
    SELECT 'notice', x.subject, 'version ' || x.version || coalesce(', créditée « ' || x.credited_as || ' »', ''),
           tl.date_fr(x.written_on), NULL
      FROM tl.member_notice_versions(v_member.id) x;
    RETURN QUERY
    SELECT 'proposition d''aide', x.place_name,
           x.status || ' ; activités : ' || x.activities
           || CASE WHEN x.skills <> '' THEN ' ; compétences : ' || x.skills ELSE '' END
           || CASE WHEN x.availability <> '' THEN ' ; disponibilités : ' || x.availability ELSE '' END
           || CASE WHEN x.message <> '' THEN ' ; message du lieu : ' || x.message ELSE '' END
           || coalesce(' ; identifiant bénévole : ' || x.login, ''),
           tl.date_fr(x.made_on), tl.date_fr(x.answered_on)
      FROM tl.member_volunteer_offers(v_member.id) x;
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
        'cartes_mediatheque', coalesce((SELECT jsonb_agg(jsonb_build_object('lieu', p.name, 'numero', c.card_number,
                                                                            'liee_le', c.linked_at::date))
                                          FROM tl.member_card c JOIN tl.place p ON p.id = c.place_id
                                         WHERE c.member_id = v_member.id), '[]'::jsonb),
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
        'notices', coalesce((SELECT jsonb_agg(jsonb_build_object('sujet', x.subject, 'version', x.version,
                                                                 'ecrite_le', x.written_on, 'creditee', x.credited_as,
                                                                 'changement', x.summary))
                               FROM tl.member_notice_versions(v_member.id) x), '[]'::jsonb),
        -- Offers to help at a place (sql/logic/volunteering.sql).
        'propositions_d_aide', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                                    'lieu', x.place_name, 'activites', x.activities,
                                                    'competences', x.skills, 'disponibilites', x.availability,
                                                    'etat', x.status, 'faite_le', x.made_on,
                                                    'repondue_le', x.answered_on, 'message_du_lieu', x.message,
                                                    'identifiant_benevole', x.login))
                                           FROM tl.member_volunteer_offers(v_member.id) x), '[]'::jsonb),
        -- The e-mails written to them (sql/logic/mail.sql), as the desk's export lists them.
        'courriels', coalesce((SELECT jsonb_agg(jsonb_build_object('a', m.recipient, 'sujet', m.subject,
                                                                   'texte', m.body, 'prepare_le', m.created_at::date,
                                                                   'envoye_le', m.sent_at::date)
                                                ORDER BY m.id)
                                 FROM tl.mail_message m WHERE m.member_id = v_member.id), '[]'::jsonb));
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

-- The rule itself, for the functions below (and for a look from psql).
CREATE FUNCTION tl.may_manage_account(p_who integer, p_target integer) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT EXISTS (SELECT 1 FROM tl.account a JOIN tl.account_role r ON r.account_id = a.id
                    WHERE a.id = p_who AND a.active AND r.role = 'admin')
        OR (EXISTS (SELECT 1 FROM tl.account a WHERE a.id = p_who AND a.active)
            AND EXISTS (SELECT 1 FROM tl.account_role t WHERE t.account_id = p_target)
            AND NOT EXISTS (SELECT 1 FROM tl.account_role t
                             WHERE t.account_id = p_target AND tl.role_rank(t.role) > tl.role_rank('benevole'))
            AND NOT EXISTS (SELECT 1 FROM tl.account_role t
                             WHERE t.account_id = p_target
                               AND NOT EXISTS (SELECT 1 FROM tl.account_role w
                                                WHERE w.account_id = p_who AND w.place_id = t.place_id
                                                  AND tl.role_rank(w.role) >= tl.role_rank('referent'))))
$$;

-- Raises insufficient_privilege unless p_who may act on p_target; the
-- DETAIL names the journal's action and subject ("compte.lien login"), for
-- tl.journal_refusal.
CREATE FUNCTION tl.require_account_manager(p_who integer, p_target tl.account, p_action text) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog AS $$
BEGIN
    IF NOT tl.may_manage_account(p_who, p_target.id) THEN
        RAISE EXCEPTION 'seule l''administration du réseau, ou un référent de chacun de ses lieux quand il n''y est que bénévole, peut modifier le compte « % »', p_target.login
            USING ERRCODE = 'insufficient_privilege', DETAIL = p_action || ' ' || p_target.login;
    END IF;
END $$;

-- A refused attempt, in the journal: called by the web server in a
-- transaction of its own after the refused one rolled back. p_detail is
-- the refusal's DETAIL ("action subject"); the line is the network's
-- (place NULL) since the attempt may concern several places.
CREATE FUNCTION tl.journal_refusal(p_login text, p_detail text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_who integer;
BEGIN
    SELECT id INTO v_who FROM tl.account WHERE login = p_login;
    IF v_who IS NULL OR p_detail IS NULL OR p_detail !~ '^[a-z.]{1,40} [a-z0-9._@-]{1,64}$' THEN
        RETURN;
    END IF;
    INSERT INTO tl.admin_log (account_id, place_id, action, subject, detail)
    VALUES (v_who, NULL, 'refus.' || split_part(p_detail, ' ', 1), split_part(p_detail, ' ', 2), 'refusé : droits insuffisants');
END $$;

-- A one-time link for an account to choose a new password: under the rule
-- above. The journal's line goes to a place both share when there is one.
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
    SELECT id INTO v_who FROM tl.account WHERE login = p_login AND active;
    IF v_who IS NULL THEN
        RAISE EXCEPTION 'votre compte n''a pas de rôle pour cela' USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT * INTO v_target FROM tl.account WHERE login = p_account_login AND active;
    IF v_target.id IS NULL THEN
        RAISE EXCEPTION 'aucun compte actif ne porte l''identifiant « % »', p_account_login
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'password_link_account_fkey';
    END IF;
    PERFORM tl.require_account_manager(v_who, v_target, 'compte.lien');
    SELECT t.place_id INTO v_place FROM tl.account_role t JOIN tl.account_role w ON w.place_id = t.place_id
     WHERE t.account_id = v_target.id AND w.account_id = v_who
     ORDER BY t.place_id LIMIT 1;
    v_expires := tl.issue_password_link(NULL, v_target.id, v_who, p_token_sha256, p_valid);
    PERFORM tl.admin_note(v_who, v_place, 'compte.lien', v_target.login,
                          'valable jusqu''au ' || tl.date_fr((v_expires AT TIME ZONE 'Europe/Paris')::date));
    RETURN QUERY SELECT v_target.login, v_target.display_name,
                        tl.date_fr((v_expires AT TIME ZONE 'Europe/Paris')::date), v_expires;
END $$;

-- A session lasts a working day at most, whatever the cookie says.
CREATE FUNCTION tl.session_lifetime() RETURNS interval
LANGUAGE sql IMMUTABLE AS $$ SELECT interval '8 hours' $$;

-- Opens a session for someone whose password httpd has just accepted.
-- Sessions past their end go at the same time.
CREATE FUNCTION tl.session_open(p_kind text, p_login text, p_token_sha256 text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_account integer;
    v_member  integer;
BEGIN
    IF p_token_sha256 IS NULL OR p_token_sha256 !~ '^[0-9a-f]{64}$' THEN
        RAISE EXCEPTION 'empreinte de session invalide' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'web_session_token_length';
    END IF;
    IF p_kind = 'compte' THEN
        SELECT id INTO v_account FROM tl.account WHERE login = p_login AND active;
    ELSIF p_kind = 'adherent' AND left(p_login, 1) = '#' THEN
        v_member := tl.card_member(p_login);
    ELSIF p_kind = 'adherent' THEN
        SELECT id INTO v_member FROM tl.member WHERE member_number = tl.normal_member_number(p_login);
    END IF;
    IF v_account IS NULL AND v_member IS NULL THEN
        RAISE EXCEPTION 'personne ne porte cet identifiant' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'web_session_account_fkey';
    END IF;
    DELETE FROM tl.web_session WHERE expires_at <= now();
    INSERT INTO tl.web_session (token_sha256, kind, login, account_id, member_id, expires_at)
    VALUES (decode(p_token_sha256, 'hex'), p_kind, p_login, v_account, v_member, now() + tl.session_lifetime());
END $$;

-- The login a live session stands for, or NULL: read on every request
-- made with a session.
CREATE FUNCTION tl.session_login(p_kind text, p_token_sha256 text) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_login text;
BEGIN
    SELECT s.login INTO v_login FROM tl.web_session s LEFT JOIN tl.account a ON a.id = s.account_id
     WHERE p_token_sha256 ~ '^[0-9a-f]{64}$' AND s.token_sha256 = decode(p_token_sha256, 'hex')
       AND s.kind = p_kind AND s.expires_at > now() AND (s.account_id IS NULL OR a.active);
    RETURN v_login;
END $$;

-- Logging out.
CREATE FUNCTION tl.session_close(p_token_sha256 text) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog AS $$
    DELETE FROM tl.web_session WHERE p_token_sha256 ~ '^[0-9a-f]{64}$' AND token_sha256 = decode(p_token_sha256, 'hex')
$$;

-- A new password ends every session of its owner.
CREATE FUNCTION tl.end_sessions() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    IF TG_TABLE_NAME = 'account' THEN
        DELETE FROM tl.web_session WHERE account_id = NEW.id;
    ELSE
        DELETE FROM tl.web_session WHERE member_id = NEW.id;
    END IF;
    RETURN NULL;
END $$;

-- So does deactivation; erasure deletes the member, and their sessions
-- with them (ON DELETE CASCADE).
DROP TRIGGER IF EXISTS end_sessions ON tl.account;
CREATE TRIGGER end_sessions AFTER UPDATE OF password_hash, active ON tl.account
    FOR EACH ROW WHEN (OLD.password_hash IS DISTINCT FROM NEW.password_hash OR OLD.active AND NOT NEW.active)
    EXECUTE FUNCTION tl.end_sessions();

DROP TRIGGER IF EXISTS end_sessions ON tl.member;
CREATE TRIGGER end_sessions AFTER UPDATE OF password_hash ON tl.member
    FOR EACH ROW WHEN (OLD.password_hash IS DISTINCT FROM NEW.password_hash)
    EXECUTE FUNCTION tl.end_sessions();

-- Erasure that erases. A member is erased in three places: at the
-- desk (tl.erase_member), by themselves (tl.my_erase)
-- and by the retention command when they stopped coming
-- (tl.apply_retention). Each deleted the member row and counted
-- on foreign keys for the rest, so whatever held the person without a
-- member_id stayed: the grower's name typed on a seed deposit, the name and
-- contact of a repair café booking, the rows of a members file waiting in
-- an import, a name typed into a note. All three now go through
-- tl.forget_members, the one place that knows every column a member's
-- identity can reach (tests/integration/test_erasure.py lists the tl
-- schema's text columns and fails on one nobody has reasoned about).
--
-- What is counted for impact stays: loans and reservations as anonymous
-- statistics (as before), seed lots and their movements (the seeds are the
-- commons; the grower becomes empty), repair bookings and records (the
-- object and its problem, without the person).

------------------------------------------------------------------------------
-- Recognising a member in a text
------------------------------------------------------------------------------

-- Text as words: lower case, no accents, every run of other characters one
-- space, a space at each end, so that ' marie dupont ' is found as whole
-- words whatever the case, accents, hyphens or punctuation typed.
CREATE FUNCTION tl.erasure_words(p text) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT ' ' || btrim(regexp_replace(lower(public.unaccent(coalesce(p, ''))), '[^a-z0-9]+', ' ', 'g')) || ' '
$$;

-- A phone number's significant digits, whatever way it is written
-- ("06 12 34 56 78", "0612345678", "+33 6 12 34 56 78", "0033 (0)6…" all
-- give 612345678); NULL when too short to tell one person from another.
CREATE FUNCTION tl.erasure_phone_key(p text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $$
    SELECT CASE WHEN length(k) >= 8 THEN k END
      FROM (SELECT ltrim(CASE WHEN d LIKE '0033%' THEN substr(d, 5)
                              WHEN d LIKE '33%' AND length(d) BETWEEN 11 AND 12 THEN substr(d, 3)
                              ELSE d END, '0') AS k
              FROM (SELECT regexp_replace(coalesce(p, ''), '[^0-9]', '', 'g') AS d) x) y
$$;

-- The marks of the members p_ids, all at once (the retention command may
-- erase many: one pass over the members, not one per member).
CREATE FUNCTION tl.erasure_marks_of(p_ids integer[]) RETURNS tl.erasure_marks[]
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    WITH kept AS (
        SELECT lower(btrim(o.email)) AS email, tl.erasure_phone_key(o.phone) AS phone
          FROM tl.member o WHERE o.id <> ALL (p_ids)
    )
    SELECT coalesce(array_agg(ROW(m.id,
               nullif(tl.erasure_words(m.given_name || ' ' || m.family_name), '  '),
               nullif(tl.erasure_words(m.family_name || ' ' || m.given_name), '  '),
               nullif(tl.erasure_words(m.family_name), '  '),
               CASE WHEN nullif(btrim(m.email), '') IS NOT NULL
                     AND NOT EXISTS (SELECT 1 FROM kept WHERE kept.email = lower(btrim(m.email)))
                    THEN lower(btrim(m.email)) END,
               CASE WHEN NOT EXISTS (SELECT 1 FROM kept WHERE kept.phone = tl.erasure_phone_key(m.phone))
                    THEN tl.erasure_phone_key(m.phone) END,
               nullif(tl.erasure_words(m.member_number), '  '))::tl.erasure_marks ORDER BY m.id), '{}')
      FROM tl.member m WHERE m.id = ANY (p_ids)
$$;

-- Does the text name one of the members: their full name (either order),
-- their e-mail, their phone in any writing, or their member number? The
-- text is normalised once, then compared with every member's marks.
CREATE FUNCTION tl.erasure_mentions(p text, ks tl.erasure_marks[]) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT coalesce(btrim(p), '') <> '' AND EXISTS (
        SELECT 1
          FROM (SELECT tl.erasure_words(p) AS w, lower(p) AS l, regexp_replace(p, '[^0-9]', '', 'g') AS d) x,
               unnest(ks) k
         WHERE strpos(x.w, k.name1) > 0 OR strpos(x.w, k.name2) > 0 OR strpos(x.w, k.number) > 0
            OR strpos(x.l, k.email) > 0 OR strpos(x.d, k.phone) > 0)
$$;

-- Finding the texts that name members without comparing every text with
-- every member (the retention command may erase hundreds at once): each
-- text is cut into keys — its words, and every run of eight digits of its
-- digits — and each member gives keys that any text naming them must hold:
-- the first word of their family name (found in both orders of the full
-- name), the last word of their number, an inner word of their e-mail, the
-- first eight significant digits of their phone. A hash join pairs them;
-- tl.erasure_mentions then checks each pair found.
CREATE FUNCTION tl.erasure_keys(p text) RETURNS SETOF text
LANGUAGE sql STABLE ROWS 20 SET search_path = pg_catalog AS $$
    SELECT 'w' || x FROM regexp_split_to_table(btrim(tl.erasure_words(p)), ' ') x WHERE x <> ''
    UNION
    SELECT 'p' || substr(d, i, 8)
      FROM (SELECT regexp_replace(coalesce(p, ''), '[^0-9]', '', 'g') AS d) y, generate_series(1, length(d) - 7) i
$$;

CREATE FUNCTION tl.erasure_mark_keys(k tl.erasure_marks) RETURNS SETOF text
LANGUAGE sql STABLE ROWS 4 SET search_path = pg_catalog AS $$
    SELECT 'w' || split_part(btrim(k.family), ' ', 1) WHERE k.name1 IS NOT NULL AND k.family IS NOT NULL
    UNION
    SELECT 'w' || (string_to_array(btrim(k.number), ' '))[cardinality(string_to_array(btrim(k.number), ' '))]
     WHERE k.number IS NOT NULL
    UNION
    SELECT 'w' || CASE WHEN cardinality(w) >= 3 THEN w[2] ELSE w[1] END
      FROM (SELECT string_to_array(btrim(tl.erasure_words(k.email)), ' ') AS w) x WHERE k.email IS NOT NULL
    UNION
    SELECT 'p' || left(k.phone, 8) WHERE k.phone IS NOT NULL
$$;

-- The rows that name members: p_values is a query giving (row_id, v)
-- pairs, the texts of a table to look in; each row found comes with the
-- marks of the members it names.
-- JIT is off: the planner's guess of these set-returning functions' rows
-- made a scan of an empty table cost enough to compile it, a second or more
-- of an erasure spent compiling (measured: 2.4 s on the demo, 30 ms without).
CREATE FUNCTION tl.erasure_matches(p_values text, ks tl.erasure_marks[])
RETURNS TABLE (row_id bigint, marks tl.erasure_marks[])
LANGUAGE plpgsql STABLE SET search_path = pg_catalog SET jit = off AS $$
BEGIN
    RETURN QUERY EXECUTE
        'WITH m AS MATERIALIZED (SELECT k, key FROM unnest($1) k, tl.erasure_mark_keys(k) key),
              v AS (' || p_values || ')
         SELECT z.row_id, array_agg(z.k)
           FROM (SELECT DISTINCT ON (v.row_id, (m.k).member_id) v.row_id::bigint AS row_id, m.k
                   FROM v CROSS JOIN LATERAL tl.erasure_keys(v.v) t(key) JOIN m ON m.key = t.key
                  WHERE tl.erasure_mentions(v.v, ARRAY[m.k])) z
          GROUP BY z.row_id'
    USING ks;
END $$;

-- A regular expression finding a word written with or without accents, in
-- either case ("zephyrine" finds "Zéphyrine", "ZÉPHYRINE").
CREATE FUNCTION tl.erasure_word_regex(p_word text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $$
    SELECT string_agg(CASE c WHEN 'a' THEN '[aàâäáãåAÀÂÄÁÃÅ]' WHEN 'c' THEN '[cçCÇ]' WHEN 'e' THEN '[eéèêëEÉÈÊË]'
                             WHEN 'i' THEN '[iîïíìIÎÏÍÌ]' WHEN 'n' THEN '[nñNÑ]' WHEN 'o' THEN '[oôöóòõOÔÖÓÒÕ]'
                             WHEN 'u' THEN '[uùûüúUÙÛÜÚ]' WHEN 'y' THEN '[yÿýYŸÝ]'
                             ELSE '[' || c || upper(c) || ']' END, '' ORDER BY n)
      FROM regexp_split_to_table(p_word, '') WITH ORDINALITY AS x(c, n)
$$;

-- The text with the members' mentions replaced by « [effacé] », the rest
-- kept (a repair's problem, a journal line stay readable). When a mention
-- survives (a spelling the expressions miss), the whole text goes.
CREATE FUNCTION tl.erasure_redact(p text, ks tl.erasure_marks[]) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog AS $$
DECLARE
    r    text := p;
    k    tl.erasure_marks;
    name text;
    re   text;
BEGIN
    IF NOT tl.erasure_mentions(p, ks) THEN
        RETURN p;
    END IF;
    FOREACH k IN ARRAY ks LOOP
        CONTINUE WHEN NOT tl.erasure_mentions(r, ARRAY[k]);
        FOREACH name IN ARRAY ARRAY[k.name1, k.name2] LOOP
            CONTINUE WHEN name IS NULL;
            SELECT string_agg(tl.erasure_word_regex(w), '[^[:alnum:]]+' ORDER BY n) INTO re
              FROM regexp_split_to_table(btrim(name), ' ') WITH ORDINALITY AS x(w, n);
            r := regexp_replace(r, '\m' || re || '\M', '[effacé]', 'g');
        END LOOP;
        IF k.email IS NOT NULL THEN
            r := regexp_replace(r, regexp_replace(k.email, '([.*+?^${}()|\[\]\\])', '\\\1', 'g'), '[effacé]', 'gi');
        END IF;
        IF k.phone IS NOT NULL THEN
            SELECT '(\+\s*33\s*(\(0\)\s*)?|0033\s*(\(0\)\s*)?|0)?' || string_agg(d, '[\s.-]?' ORDER BY n) INTO re
              FROM regexp_split_to_table(k.phone, '') WITH ORDINALITY AS x(d, n);
            r := regexp_replace(r, re, '[effacé]', 'g');
        END IF;
        IF k.number IS NOT NULL THEN
            SELECT string_agg(tl.erasure_word_regex(w), '[^[:alnum:]]?' ORDER BY n) INTO re
              FROM regexp_split_to_table(btrim(k.number), ' ') WITH ORDINALITY AS x(w, n);
            r := regexp_replace(r, '\m' || re || '\M', '[effacé]', 'g');
        END IF;
    END LOOP;
    IF tl.erasure_mentions(r, ks) THEN
        RETURN '[effacé]';
    END IF;
    RETURN r;
END $$;

------------------------------------------------------------------------------
-- The one erasure
------------------------------------------------------------------------------

-- Forgets members everywhere and deletes them; returns how many. The
-- callers say who asked and check what they must (tl.erase_member,
-- tl.my_erase, tl.apply_retention); an item out on loan is checked again
-- here, since it must never lose the person who has it. Several members
-- at once for the retention command: each table is read once for all.
CREATE FUNCTION tl.forget_members(p_ids integer[]) RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    ids integer[];
    ks  tl.erasure_marks[];
    v_n integer;
BEGIN
    SELECT coalesce(array_agg(id ORDER BY id), '{}') INTO ids
      FROM (SELECT id FROM tl.member WHERE id = ANY (p_ids) ORDER BY id FOR UPDATE) x;
    IF cardinality(ids) = 0 THEN
        RETURN 0;
    END IF;
    IF EXISTS (SELECT 1 FROM tl.booking WHERE member_id = ANY (ids) AND kind = 'pret' AND returned_at IS NULL) THEN
        RAISE EXCEPTION 'un objet emprunté n''est pas encore rendu : l''effacement se fera après le retour'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'member_erase_items_out';
    END IF;
    ks := tl.erasure_marks_of(ids);

    -- Seed lots: the grower typed at the desk (free text, no link) when it
    -- names the member, or names their family and the member brought seeds
    -- to that very lot. The lot and its movements stay; a lot left with an
    -- empty grower is not merged into another (no constraint asks it, and
    -- its number may be on labels); later deposits without a grower join
    -- the oldest such lot (tl.seed_deposit).
    UPDATE tl.seed_lot l SET grower = NULL
      FROM tl.erasure_matches('SELECT id AS row_id, grower AS v FROM tl.seed_lot WHERE grower IS NOT NULL', ks) h
     WHERE l.id = h.row_id;
    UPDATE tl.seed_lot l SET grower = NULL
     WHERE l.grower IS NOT NULL
       AND EXISTS (SELECT 1 FROM tl.seed_movement s JOIN unnest(ks) k ON k.member_id = s.member_id
                    WHERE s.lot_id = l.id AND strpos(tl.erasure_words(l.grower), k.family) > 0);
    UPDATE tl.seed_movement SET member_id = NULL WHERE member_id = ANY (ids);

    -- Notices are a commons: the member's versions stay, credited to "un
    -- contributeur" (sql/logic/documents.sql), without link or name; a
    -- version that mentions them (theirs or anyone's) has the mentions
    -- replaced, as the team's notes below.
    UPDATE tl.notice_version SET author_member_id = NULL, author_name = NULL WHERE author_member_id = ANY (ids);
    UPDATE tl.notice_version v SET body = tl.erasure_redact(v.body, h.marks),
                                   summary = tl.erasure_redact(v.summary, h.marks)
      FROM tl.erasure_matches('SELECT v.id AS row_id, x.v FROM tl.notice_version v,
                                      unnest(ARRAY[v.body, v.summary]) x(v)', ks) h
     WHERE v.id = h.row_id;

    -- Repair café bookings are made without an account: the member is found
    -- by the name or contact they gave. Name and contact go; a booking whose
    -- session is over loses its private link too (as tl.apply_repair_retention
    -- does), one still to come keeps it so the visitor may still cancel it.
    -- The object and its problem stay, for the records and their counts,
    -- with the member's mentions replaced.
    UPDATE tl.repair_booking b
       SET visitor_name = CASE WHEN whose THEN NULL ELSE b.visitor_name END,
           contact = CASE WHEN whose THEN NULL ELSE b.contact END,
           token_sha256 = CASE WHEN whose AND x.ends_at <= now() THEN NULL ELSE b.token_sha256 END,
           purged_at = CASE WHEN whose AND x.ends_at <= now() THEN coalesce(b.purged_at, now()) ELSE b.purged_at END,
           object = tl.erasure_redact(b.object, x.marks), problem = tl.erasure_redact(b.problem, x.marks)
      FROM (SELECT h.row_id, h.marks, s.ends_at,
                   tl.erasure_mentions(r.visitor_name, h.marks) OR tl.erasure_mentions(r.contact, h.marks) AS whose
              FROM tl.erasure_matches('SELECT b.id AS row_id, x.v FROM tl.repair_booking b,
                                              unnest(ARRAY[b.visitor_name, b.contact, b.object, b.problem]) x(v)', ks) h
              JOIN tl.repair_booking r ON r.id = h.row_id JOIN tl.repair_slot l ON l.id = r.slot_id
              JOIN tl.repair_session s ON s.id = l.session_id) x
     WHERE b.id = x.row_id;
    -- Workshops the member proposed (sql/logic/repair_cafe.sql): one still
    -- waiting or declined is deleted; an accepted one stays, detached, as
    -- the record of its published workshop, which loses the member's first
    -- name if it showed it. Anyone's mentions of them in a proposal go.
    UPDATE tl.repair_session s
       SET leader = CASE WHEN e.show_first_name THEN NULL ELSE s.leader END,
           title = tl.erasure_redact(s.title, ks), description = tl.erasure_redact(s.description, ks)
      FROM tl.event_proposal e
     WHERE e.member_id = ANY (ids) AND e.session_id = s.id;
    DELETE FROM tl.event_proposal WHERE member_id = ANY (ids) AND state <> 'acceptee';
    UPDATE tl.event_proposal SET member_id = NULL WHERE member_id = ANY (ids);
    UPDATE tl.event_proposal e
       SET title = tl.erasure_redact(e.title, h.marks), theme = tl.erasure_redact(e.theme, h.marks),
           description = tl.erasure_redact(e.description, h.marks), dates = tl.erasure_redact(e.dates, h.marks),
           answer = tl.erasure_redact(e.answer, h.marks)
      FROM tl.erasure_matches('SELECT e.id AS row_id, x.v FROM tl.event_proposal e,
                                      unnest(ARRAY[e.title, e.theme, e.description, e.dates, e.answer]) x(v)', ks) h
     WHERE e.id = h.row_id;
    UPDATE tl.repair_record r SET object = tl.erasure_redact(r.object, h.marks), problem = tl.erasure_redact(r.problem, h.marks)
      FROM tl.erasure_matches('SELECT r.id AS row_id, x.v FROM tl.repair_record r,
                                      unnest(ARRAY[r.object, r.problem]) x(v)', ks) h
     WHERE r.id = h.row_id;

    -- A members file waiting between its preview and its confirmation keeps
    -- raw rows: the member's row goes (confirming later would bring them
    -- back). Confirmed batches are already empty (sql/logic/imports.sql).
    UPDATE tl.import_batch b
       SET rows = coalesce((SELECT jsonb_agg(e ORDER BY n) FROM jsonb_array_elements(b.rows) WITH ORDINALITY AS x(e, n)
                             WHERE NOT tl.erasure_mentions(tl.erasure_row_text(e), h.marks)), '[]'::jsonb)
      FROM tl.erasure_matches('SELECT b.id AS row_id, tl.erasure_row_text(e) AS v FROM tl.import_batch b,
                                      jsonb_array_elements(b.rows) e WHERE b.applied_at IS NULL', ks) h
     WHERE b.id = h.row_id;
    UPDATE tl.import_batch b SET file_name = tl.erasure_redact(b.file_name, h.marks)
      FROM tl.erasure_matches('SELECT id AS row_id, file_name AS v FROM tl.import_batch', ks) h
     WHERE b.id = h.row_id;

    -- Notes the team types: the back office's journal, a maintenance
    -- opened at a return ("rendu cassé par …").
    UPDATE tl.admin_log a SET subject = tl.erasure_redact(a.subject, h.marks), detail = tl.erasure_redact(a.detail, h.marks)
      FROM tl.erasure_matches('SELECT a.id AS row_id, x.v FROM tl.admin_log a, unnest(ARRAY[a.subject, a.detail]) x(v)',
                              ks) h
     WHERE a.id = h.row_id;
    UPDATE tl.maintenance m SET reason = tl.erasure_redact(m.reason, h.marks),
                                work_done = tl.erasure_redact(m.work_done, h.marks)
      FROM tl.erasure_matches('SELECT m.id AS row_id, x.v FROM tl.maintenance m,
                                      unnest(ARRAY[m.reason, m.work_done]) x(v)', ks) h
     WHERE m.id = h.row_id;

    -- Messages written to them, queued or sent (with their member, or to
    -- their address).
    DELETE FROM tl.mail_message WHERE member_id = ANY (ids);
    DELETE FROM tl.mail_message x
     USING tl.erasure_matches('SELECT id AS row_id, recipient AS v FROM tl.mail_message WHERE member_id IS NULL', ks) h
     WHERE x.id = h.row_id;

    -- Reservations still to come are cancelled (nobody would collect them);
    -- every booking stays as an anonymous statistic.
    UPDATE tl.booking SET cancelled_at = now()
     WHERE member_id = ANY (ids) AND kind = 'reservation' AND cancelled_at IS NULL AND ends_at > now();
    UPDATE tl.booking SET member_id = NULL WHERE member_id = ANY (ids);

    -- What only made sense with the person: their places in waiting lines,
    -- deposits, library cards, offers to help, password links and sessions. The journal of who read their
    -- file keeps its lines without them.
    UPDATE tl.member_access SET member_id = NULL WHERE member_id = ANY (ids);
    DELETE FROM tl.waiting_list WHERE member_id = ANY (ids);
    DELETE FROM tl.member_deposit WHERE member_id = ANY (ids);
    DELETE FROM tl.member_card WHERE member_id = ANY (ids);
    -- Their offers to help (sql/logic/volunteering.sql), with their
    -- activities; a volunteer role an accepted one gave is the team's.
    DELETE FROM tl.volunteer_offer WHERE member_id = ANY (ids);
    DELETE FROM tl.password_link WHERE member_id = ANY (ids);
    DELETE FROM tl.web_session WHERE member_id = ANY (ids);
    DELETE FROM tl.member WHERE id = ANY (ids);
    GET DIAGNOSTICS v_n = ROW_COUNT;
    RETURN v_n;
END $$;

-- An import row's values as one text, the first name next to the name
-- so that the full name is found (JSON orders keys by length).
CREATE FUNCTION tl.erasure_row_text(e jsonb) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $$
    SELECT CASE WHEN jsonb_typeof(e) = 'object'
                THEN coalesce(e->>'prenom', '') || ' ' || coalesce(e->>'nom', '') || ' ; '
                     || coalesce((SELECT string_agg(value, ' ; ') FROM jsonb_each_text(e)), '')
                ELSE e::text END
$$;

------------------------------------------------------------------------------
-- The three ways in
------------------------------------------------------------------------------

-- At the desk, on request: refused while something is out.
CREATE FUNCTION tl.erase_member(p_login text, p_number text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_member tl.member;
BEGIN
    v_member := tl.desk_member(p_login, p_number, 'effacement');
    PERFORM tl.forget_members(ARRAY[v_member.id]);
END $$;

-- By the member: refused while an item is out or a deposit is held (the
-- desk must give it back first).
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
    INSERT INTO tl.member_access (member_id, by_member, action) VALUES (v_member.id, true, 'effacement');
    PERFORM tl.forget_members(ARRAY[v_member.id]);
END $$;

-- By the retention command: loans lose their borrower after the delay, and
-- members with no loan for the delay are erased like any other, unless
-- something is still out. The members are locked first, then checked, so
-- a loan made meanwhile keeps its borrower.
CREATE FUNCTION tl.apply_retention(p_now timestamptz DEFAULT now(),
                                              OUT bookings_anonymised integer, OUT members_deleted integer)
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    r   tl.retention;
    ids integer[];
BEGIN
    SELECT * INTO r FROM tl.retention;
    UPDATE tl.booking b SET member_id = NULL
     WHERE b.member_id IS NOT NULL
       AND coalesce(b.returned_at, b.cancelled_at,
                    CASE WHEN b.kind = 'reservation' THEN b.ends_at END) IS NOT NULL
       AND p_now >= date_trunc('month', coalesce(b.returned_at, b.cancelled_at, b.ends_at)
                                        + make_interval(months => r.loan_months)) + interval '1 month';
    GET DIAGNOSTICS bookings_anonymised = ROW_COUNT;

    SELECT coalesce(array_agg(id), '{}') INTO ids
      FROM (SELECT m.id FROM tl.member m
             WHERE greatest(m.created_at, m.last_loan_at) < p_now - make_interval(months => r.inactive_member_months)
             ORDER BY m.id FOR UPDATE) x;
    SELECT coalesce(array_agg(x.member), '{}') INTO ids
      FROM unnest(ids) AS x(member)
     WHERE NOT EXISTS (SELECT 1 FROM tl.booking b WHERE b.member_id = x.member AND b.kind = 'pret'
                                                   AND b.returned_at IS NULL);
    members_deleted := tl.forget_members(ids);
END $$;

COMMENT ON FUNCTION tl.apply_retention(timestamptz) IS 'Run daily by script/retention (cron)';

-- A members file previewed and never confirmed keeps its raw rows: gone a
-- day later, as sql/logic/imports.sql promises, even when nobody imports again.
CREATE FUNCTION tl.apply_import_retention(p_now timestamptz DEFAULT now()) RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    n integer;
BEGIN
    DELETE FROM tl.import_batch WHERE applied_at IS NULL AND created_at < p_now - interval '1 day';
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;

COMMENT ON FUNCTION tl.apply_import_retention(timestamptz) IS 'Run daily by script/retention (cron)';

-- Applying this file gives the members from before the search key theirs
-- (only when there are some: an UPDATE of no row still bumps the data version).
DO $$ BEGIN
    IF EXISTS (SELECT 1 FROM tl.member WHERE search_name IS NULL) THEN
        UPDATE tl.member SET search_name = tl.name_search_key(given_name, family_name) WHERE search_name IS NULL;
    END IF;
END $$;

-- Tables of this area whose content a page can show: every write bumps the
-- data version (tl.track_changes; a test checks none is forgotten).
DO $$ BEGIN PERFORM tl.track_changes(t::regclass, 'members_accounts') FROM unnest(ARRAY['tl.member', 'tl.member_deposit', 'tl.password_link', 'tl.retention']) AS t; END $$;

------------------------------------------------------------------------------
-- Rights: functions are executable by PUBLIC unless revoked; the desk's
-- functions go to tierslieux_guichet, the public pages' to tierslieux_lecture,
-- the sending command's to tierslieux_courriels.
------------------------------------------------------------------------------
REVOKE ALL ON FUNCTION tl.apply_import_retention(timestamp with time zone) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.apply_password_link_retention(timestamp with time zone) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.desk_account_password_link(text,text,text,interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.desk_account_password_link(text,text,text,interval) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.card_login(text,text,text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.card_login(text,text,text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.card_member(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.desk_member(text,text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.desk_member(text,text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.desk_member_password_link(text,text,text,interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.desk_member_password_link(text,text,text,interval) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.end_sessions() FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.erase_member(text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.erase_member(text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.erasure_keys(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.erasure_mark_keys(tl.erasure_marks) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.erasure_marks_of(integer[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.erasure_matches(text,tl.erasure_marks[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.erasure_mentions(text,tl.erasure_marks[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.erasure_phone_key(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.erasure_redact(text,tl.erasure_marks[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.erasure_row_text(jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.erasure_word_regex(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.erasure_words(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.find_members(text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.find_members(text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.forget_members(integer[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.issue_password_link(integer,integer,integer,text,interval) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.journal_refusal(text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.journal_refusal(text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.last_member_registered(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.last_member_registered(text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.may_manage_account(integer,integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.member_export(text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.member_export(text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.member_password(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.member_password(text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.my_cancel_reservation(text,bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.my_cancel_reservation(text,bigint) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.my_data(text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.my_data(text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.my_deposits(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.my_deposits(text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.my_erase(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.my_erase(text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.my_export(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.my_export(text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.my_item(text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.my_item(text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.my_item_taken(text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.my_item_taken(text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.my_join_waiting_list(text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.my_join_waiting_list(text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.my_leave_waiting_list(text,bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.my_leave_waiting_list(text,bigint) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.my_loans(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.my_loans(text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.my_member(text,text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.my_member_info(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.my_member_info(text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.my_renew(text,bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.my_renew(text,bigint) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.my_reservations(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.my_reservations(text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.my_reserve(text,text,date,date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.my_reserve(text,text,date,date) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.my_seeds(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.my_seeds(text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.my_waiting(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.my_waiting(text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.normal_member_number(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.password_link_state(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.password_link_state(text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.record_fee(text,text,numeric) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.record_fee(text,text,numeric) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.register_member(text,text,text,text,text,text,integer,boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.register_member(text,text,text,text,text,text,integer,boolean) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.require_account_manager(integer,tl.account,text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.session_close(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.session_close(text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.session_login(text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.session_login(text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.session_open(text,text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.session_open(text,text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.set_member_site_login(text,text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.set_member_site_login(text,text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.use_password_link(text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.use_password_link(text,text) TO tierslieux_guichet;
GRANT USAGE ON SEQUENCE tl.member_number_seq TO tierslieux_guichet;
