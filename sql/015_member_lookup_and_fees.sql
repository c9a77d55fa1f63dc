-- 015 — finding a member by name at the desk when the card is forgotten,
-- and the membership fee, optional per place and only recorded.

ALTER TABLE tl.place ADD COLUMN uses_fees boolean NOT NULL DEFAULT false;
ALTER TABLE tl.member
    ADD COLUMN fee_amount numeric(8,2) CONSTRAINT member_fee_amount_positive CHECK (fee_amount >= 0),
    ADD COLUMN fee_paid_on date;
COMMENT ON COLUMN tl.member.fee_amount IS 'Membership fee paid, if the place asks for one (recorded only)';

-- Members whose number is p_text, or whose name contains all its words
-- (any case, accents ignored); for volunteers only.
CREATE FUNCTION tl.find_members(p_login text, p_text text)
RETURNS TABLE (member_number text, member_name text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM tl.account a JOIN tl.account_role r ON r.account_id = a.id
                    WHERE a.login = p_login AND a.active) THEN
        RAISE EXCEPTION 'votre compte n''a de rôle dans aucun lieu' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN QUERY
    SELECT m.member_number, m.given_name || ' ' || m.family_name
      FROM tl.member m
     WHERE m.member_number = upper(btrim(p_text))
        OR (length(btrim(p_text)) >= 3 AND NOT EXISTS (
              SELECT 1 FROM regexp_split_to_table(lower(unaccent(btrim(p_text))), '\s+') AS w(word)
               WHERE strpos(lower(unaccent(m.given_name || ' ' || m.family_name)), w.word) = 0))
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

REVOKE ALL ON FUNCTION tl.find_members(text, text), tl.record_fee(text, text, numeric) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.find_members(text, text), tl.record_fee(text, text, numeric) TO tierslieux_guichet;
