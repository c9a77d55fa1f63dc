-- 026 — who may act on whose account. One rule, kept here and used by every
-- function that resets, links, (de)activates or changes the roles of an
-- existing account, so psql obeys it as the web does:
--
--   an administrator (the admin role at some place) may act on any account;
--   anyone else only on an account that holds no rank above bénévole at any
--   place, and only if they are référent (or admin) at EVERY place where
--   that account has a role. An account with no role at all is the
--   administrators' business.
--
-- So giving a role at one's place to an account of another place never
-- gives power over its credentials: the giver is not référent there. And a
-- refusal is written to the journal in a transaction of its own: the
-- function raises, its transaction rolls back, and the web server then
-- calls tl.journal_refusal with what the refusal's DETAIL names.

-- The journal is read by the back office only, never cached: its lines
-- (a refusal among them) need not make the public pages render again.
DROP TRIGGER bump_data_version ON tl.admin_log;

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

-- Gives someone a role at a place, creating their account when the login
-- is new. A référent gives bénévole or référent; admin needs an admin. An
-- existing account's roles change only under tl.may_manage_account.
CREATE OR REPLACE FUNCTION tl.save_team_member(p_login text, p_place text, p_account text, p_display_name text,
                                               p_role text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place tl.place := tl.require_place(p_place);
    v_who   integer := tl.require_role(p_login, v_place.id, 'referent');
    v_login text := lower(btrim(coalesce(p_account, '')));
    v_name  text := btrim(coalesce(p_display_name, ''));
    v_acc   tl.account;
    v_old   text;
BEGIN
    IF v_login !~ '^[a-z0-9][a-z0-9._@-]{1,63}$' THEN
        RAISE EXCEPTION 'l''identifiant s''écrit en minuscules sans accent, chiffres, points ou tirets (2 à 64), par exemple prenom.nom'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'account_login_format';
    END IF;
    IF p_role IS NULL OR p_role NOT IN ('benevole', 'referent', 'admin') THEN
        RAISE EXCEPTION 'choisissez un rôle de la liste' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'account_role_known';
    END IF;
    IF p_role = 'admin' THEN
        PERFORM tl.require_role(p_login, v_place.id, 'admin');
    END IF;
    SELECT * INTO v_acc FROM tl.account WHERE login = v_login FOR UPDATE;
    IF v_acc.id IS NULL THEN
        IF v_name = '' THEN
            RAISE EXCEPTION 'indiquez le nom affiché de la personne' USING ERRCODE = 'check_violation',
                CONSTRAINT = 'account_display_name_not_blank';
        END IF;
        INSERT INTO tl.account (login, display_name) VALUES (v_login, v_name) RETURNING * INTO v_acc;
        PERFORM tl.admin_note(v_who, v_place.id, 'compte.creation', v_login);
    ELSE
        PERFORM tl.require_account_manager(v_who, v_acc, 'compte.role');
        IF v_name <> '' AND v_name <> v_acc.display_name THEN
            UPDATE tl.account SET display_name = v_name WHERE id = v_acc.id;
            PERFORM tl.admin_note(v_who, v_place.id, 'compte.nom', v_login);
        END IF;
    END IF;
    SELECT role INTO v_old FROM tl.account_role WHERE account_id = v_acc.id AND place_id = v_place.id;
    IF v_old IS DISTINCT FROM p_role THEN
        INSERT INTO tl.account_role (account_id, place_id, role) VALUES (v_acc.id, v_place.id, p_role)
        ON CONFLICT (account_id, place_id) DO UPDATE SET role = excluded.role;
        PERFORM tl.admin_note(v_who, v_place.id, 'compte.role', v_login,
                              coalesce(v_old, 'aucun') || ' → ' || p_role);
    END IF;
END $$;

-- Takes someone's role at a place away (their account and the history it
-- signed stay). Nobody removes their own role.
CREATE OR REPLACE FUNCTION tl.remove_team_member(p_login text, p_place text, p_account text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place tl.place := tl.require_place(p_place);
    v_who   integer := tl.require_role(p_login, v_place.id, 'referent');
    v_acc   tl.account;
    v_old   text;
BEGIN
    SELECT a.* INTO v_acc FROM tl.account a
      JOIN tl.account_role r ON r.account_id = a.id AND r.place_id = v_place.id
     WHERE a.login = p_account FOR UPDATE OF a;
    IF v_acc.id IS NULL THEN
        RAISE EXCEPTION 'cette personne n''a pas de rôle dans ce lieu' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'account_role_account_fkey';
    END IF;
    IF v_acc.id = v_who THEN
        RAISE EXCEPTION 'vous ne pouvez pas retirer votre propre rôle' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'account_role_not_self';
    END IF;
    PERFORM tl.require_account_manager(v_who, v_acc, 'compte.retrait');
    SELECT role INTO v_old FROM tl.account_role WHERE account_id = v_acc.id AND place_id = v_place.id;
    DELETE FROM tl.account_role WHERE account_id = v_acc.id AND place_id = v_place.id;
    PERFORM tl.admin_note(v_who, v_place.id, 'compte.retrait', p_account, v_old);
END $$;

-- Deactivating stops someone logging in anywhere (and ends their
-- sessions); never oneself.
CREATE OR REPLACE FUNCTION tl.set_account_active(p_login text, p_place text, p_account text, p_active boolean)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place tl.place := tl.require_place(p_place);
    v_who   integer := tl.require_role(p_login, v_place.id, 'referent');
    v_acc   tl.account;
BEGIN
    SELECT a.* INTO v_acc FROM tl.account a
      JOIN tl.account_role r ON r.account_id = a.id AND r.place_id = v_place.id
     WHERE a.login = p_account FOR UPDATE OF a;
    IF v_acc.id IS NULL THEN
        RAISE EXCEPTION 'cette personne n''a pas de rôle dans ce lieu' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'account_role_account_fkey';
    END IF;
    IF v_acc.id = v_who THEN
        RAISE EXCEPTION 'vous ne pouvez pas désactiver votre propre compte' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'account_role_not_self';
    END IF;
    PERFORM tl.require_account_manager(v_who, v_acc,
                                       CASE WHEN p_active THEN 'compte.activation' ELSE 'compte.desactivation' END);
    IF v_acc.active IS DISTINCT FROM coalesce(p_active, false) THEN
        UPDATE tl.account SET active = coalesce(p_active, false) WHERE id = v_acc.id;
        PERFORM tl.admin_note(v_who, v_place.id, CASE WHEN p_active THEN 'compte.activation' ELSE 'compte.desactivation' END,
                              p_account);
    END IF;
END $$;

-- A one-time link for an account to choose a new password: under the rule
-- above. The journal's line goes to a place both share when there is one.
CREATE OR REPLACE FUNCTION tl.desk_account_password_link(p_login text, p_account_login text, p_token_sha256 text,
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

REVOKE ALL ON FUNCTION tl.may_manage_account(integer, integer), tl.require_account_manager(integer, tl.account, text),
                       tl.journal_refusal(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.journal_refusal(text, text) TO tierslieux_guichet;
