-- 002 — the people who run the places: accounts, and their roles per place.
-- Authentication stays httpd's (mod_auth_form with the module's authn
-- provider, or the site's LDAP, CAS or OpenID Connect): these rows give a
-- REMOTE_USER its roles, and hold a bcrypt hash for sites that log people
-- in with the module's own provider.

CREATE TABLE tl.account (
    id            integer GENERATED ALWAYS AS IDENTITY CONSTRAINT account_pkey PRIMARY KEY,
    login         text NOT NULL CONSTRAINT account_login_key UNIQUE
                  CONSTRAINT account_login_format CHECK (login ~ '^[a-z0-9][a-z0-9._@-]{1,63}$'),
    display_name  text NOT NULL CONSTRAINT account_display_name_not_blank CHECK (btrim(display_name) <> ''),
    -- bcrypt ($2y$/$2a$/$2b$), as apr_password_validate reads it; NULL for
    -- people who log in through the site's own identity system.
    password_hash text CONSTRAINT account_password_bcrypt CHECK (password_hash ~ '^\$2[aby]\$[0-9]{2}\$'),
    active        boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE tl.account IS 'A volunteer, coordinator or administrator who logs in';

CREATE TABLE tl.account_role (
    account_id integer NOT NULL CONSTRAINT account_role_account_fkey REFERENCES tl.account,
    place_id   integer NOT NULL CONSTRAINT account_role_place_fkey REFERENCES tl.place,
    role       text NOT NULL CONSTRAINT account_role_known CHECK (role IN ('benevole', 'referent', 'admin')),
    CONSTRAINT account_role_pkey PRIMARY KEY (account_id, place_id)
);
COMMENT ON TABLE tl.account_role IS 'The role of an account at a place; roles nest: admin > referent > benevole';

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

CREATE FUNCTION tl.account_roles(p_login text)
RETURNS TABLE (display_name text, place_id integer, place_slug text, place_name text, role text, rank integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT a.display_name, p.id, p.slug, p.name, r.role, tl.role_rank(r.role)
      FROM tl.account a
      JOIN tl.account_role r ON r.account_id = a.id
      JOIN tl.place p ON p.id = r.place_id
     WHERE a.login = p_login AND a.active
     ORDER BY p.name
$$;

SELECT tl.track_changes('tl.account'::regclass);
SELECT tl.track_changes('tl.account_role'::regclass);

-- The desk's web role (a member of tierslieux_lecture too) checks
-- passwords and roles only through the functions above.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tierslieux_guichet') THEN
        CREATE ROLE tierslieux_guichet NOLOGIN;
    END IF;
END $$;
REVOKE ALL ON FUNCTION tl.account_password(text), tl.account_roles(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.account_password(text), tl.account_roles(text), tl.role_rank(text)
   TO tierslieux_guichet;
