-- 030 — sessions that end. mod_auth_form keeps a login and its password in
-- the session and checks them again on every request; the module (its
-- session hooks, TiersLieuxSessionSeal On) keeps the password out of it:
-- once the password is accepted at login, the session holds a random token
-- instead, and this table, shared by every httpd node of the database,
-- knows which tokens are live. Logging out deletes the row; so do a new
-- password, deactivation and erasure. Only the token's SHA-256 is stored,
-- never a password in any form.

CREATE TABLE tl.web_session (
    token_sha256 bytea NOT NULL CONSTRAINT web_session_pkey PRIMARY KEY
                 CONSTRAINT web_session_token_length CHECK (length(token_sha256) = 32),
    kind         text NOT NULL CONSTRAINT web_session_kind_known CHECK (kind IN ('compte', 'adherent')),
    login        text NOT NULL,        -- as the person typed it (a member may type "a-123")
    account_id   integer CONSTRAINT web_session_account_fkey REFERENCES tl.account ON DELETE CASCADE,
    member_id    integer CONSTRAINT web_session_member_fkey REFERENCES tl.member ON DELETE CASCADE,
    opened_at    timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    CONSTRAINT web_session_one_person CHECK ((kind = 'compte') = (account_id IS NOT NULL)
                                              AND (kind = 'adherent') = (member_id IS NOT NULL))
);
COMMENT ON TABLE tl.web_session IS 'Live login sessions: the SHA-256 of the token a session cookie names; no password';
CREATE INDEX web_session_account_idx ON tl.web_session (account_id) WHERE account_id IS NOT NULL;
CREATE INDEX web_session_member_idx ON tl.web_session (member_id) WHERE member_id IS NOT NULL;
CREATE INDEX web_session_expires_idx ON tl.web_session (expires_at);

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
CREATE TRIGGER end_sessions AFTER UPDATE OF password_hash, active ON tl.account
    FOR EACH ROW WHEN (OLD.password_hash IS DISTINCT FROM NEW.password_hash OR OLD.active AND NOT NEW.active)
    EXECUTE FUNCTION tl.end_sessions();
CREATE TRIGGER end_sessions AFTER UPDATE OF password_hash ON tl.member
    FOR EACH ROW WHEN (OLD.password_hash IS DISTINCT FROM NEW.password_hash)
    EXECUTE FUNCTION tl.end_sessions();

REVOKE ALL ON FUNCTION tl.session_open(text, text, text), tl.session_login(text, text), tl.session_close(text),
                       tl.end_sessions() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.session_open(text, text, text), tl.session_login(text, text), tl.session_close(text)
   TO tierslieux_guichet;
