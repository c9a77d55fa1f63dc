-- 012 — deposits (caution) at the desk: recorded when a member leaves one,
-- marked returned when it is given back. Nothing is cashed or processed.

CREATE FUNCTION tl.record_deposit(p_login text, p_member text, p_amount numeric, p_kind text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_member tl.member;
    v_who    integer;
    v_id     bigint;
BEGIN
    v_member := tl.desk_member(p_login, p_member, 'consultation');
    SELECT a.id INTO v_who FROM tl.account a WHERE a.login = p_login;
    IF p_amount IS NULL OR p_amount <= 0 OR p_amount > 10000 THEN
        RAISE EXCEPTION 'le montant doit être positif (10 000 € au plus)' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'member_deposit_amount_positive';
    END IF;
    IF p_kind NOT IN ('cheque_non_encaisse', 'especes', 'autre') THEN
        RAISE EXCEPTION 'nature de caution inconnue' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'member_deposit_kind_known';
    END IF;
    INSERT INTO tl.member_deposit (member_id, amount, kind, recorded_by)
    VALUES (v_member.id, p_amount, p_kind, v_who) RETURNING id INTO v_id;
    RETURN v_id;
END $$;

CREATE FUNCTION tl.return_deposit(p_login text, p_member text, p_deposit bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_member tl.member;
BEGIN
    v_member := tl.desk_member(p_login, p_member, 'consultation');
    UPDATE tl.member_deposit SET returned_on = current_date
     WHERE id = p_deposit AND member_id = v_member.id AND returned_on IS NULL;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'cette caution est déjà rendue ou n''est pas celle de cet adhérent'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'member_deposit_returned_after';
    END IF;
END $$;

CREATE FUNCTION tl.desk_member_deposits(p_login text, p_member text)
RETURNS TABLE (deposit_id bigint, amount text, kind text, received text, returned text, open boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM tl.account a JOIN tl.account_role r ON r.account_id = a.id
                    WHERE a.login = p_login AND a.active) THEN
        RETURN;
    END IF;
    RETURN QUERY
    SELECT d.id, tl.euros(d.amount),
           CASE d.kind WHEN 'cheque_non_encaisse' THEN 'chèque non encaissé' WHEN 'especes' THEN 'espèces'
                       ELSE 'autre' END,
           tl.date_fr(d.received_on), tl.date_fr(d.returned_on), d.returned_on IS NULL
      FROM tl.member_deposit d JOIN tl.member m ON m.id = d.member_id
     WHERE m.member_number = upper(btrim(p_member))
     ORDER BY d.received_on DESC, d.id DESC;
END $$;

REVOKE ALL ON FUNCTION tl.record_deposit(text, text, numeric, text), tl.return_deposit(text, text, bigint),
                       tl.desk_member_deposits(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.record_deposit(text, text, numeric, text), tl.return_deposit(text, text, bigint),
                          tl.desk_member_deposits(text, text) TO tierslieux_guichet;
