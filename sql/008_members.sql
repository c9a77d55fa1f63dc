-- 008 — registering members at the desk: only what the CNIL's norm for
-- library loans allows (name, first name, a way to reach them, year of birth
-- optional), a member number for the card, the place's charter accepted.
-- Fees and deposits are optional per place and only recorded.

ALTER TABLE tl.place
    ADD COLUMN charter text NOT NULL DEFAULT '',
    ADD COLUMN uses_deposits boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN tl.place.charter IS 'The charter members accept when they join at this place';

ALTER TABLE tl.member
    ADD COLUMN place_id integer CONSTRAINT member_place_fkey REFERENCES tl.place,
    ADD COLUMN charter_accepted_at timestamptz,
    ADD COLUMN registered_by integer CONSTRAINT member_registered_by_fkey REFERENCES tl.account,
    ADD CONSTRAINT member_email_format CHECK (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
    ADD CONSTRAINT member_names_not_blank CHECK (btrim(family_name) <> '' AND btrim(given_name) <> '');

CREATE TABLE tl.member_deposit (
    id          bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT member_deposit_pkey PRIMARY KEY,
    member_id   integer NOT NULL CONSTRAINT member_deposit_member_fkey REFERENCES tl.member ON DELETE CASCADE,
    amount      numeric(8,2) NOT NULL CONSTRAINT member_deposit_amount_positive CHECK (amount > 0),
    kind        text NOT NULL CONSTRAINT member_deposit_kind_known
                CHECK (kind IN ('cheque_non_encaisse', 'especes', 'autre')),
    received_on date NOT NULL DEFAULT current_date,
    returned_on date,
    recorded_by integer CONSTRAINT member_deposit_recorded_by_fkey REFERENCES tl.account,
    CONSTRAINT member_deposit_returned_after CHECK (returned_on IS NULL OR returned_on >= received_on)
);
COMMENT ON TABLE tl.member_deposit IS 'A deposit (caution) a member left, recorded only: no payment is processed';
SELECT tl.track_changes('tl.member_deposit'::regclass);

CREATE SEQUENCE tl.member_number_seq;
SELECT setval('tl.member_number_seq',
              greatest(1, coalesce((SELECT max(substring(member_number FROM '[0-9]+')::integer) FROM tl.member), 0)));

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

REVOKE ALL ON FUNCTION tl.register_member(text, text, text, text, text, text, integer, boolean),
                       tl.last_member_registered(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.register_member(text, text, text, text, text, text, integer, boolean),
                          tl.last_member_registered(text) TO tierslieux_guichet;
GRANT USAGE ON SEQUENCE tl.member_number_seq TO tierslieux_guichet;
