-- 009 — a member's file at the desk: what they have out and borrowed, their
-- renewals, and their CNIL rights (see, take away, erase). Every read of a
-- member's file is recorded (who, whom, when), since the link between a
-- person and what they borrowed is confidential.

CREATE TABLE tl.member_access (
    id         bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT member_access_pkey PRIMARY KEY,
    account_id integer NOT NULL CONSTRAINT member_access_account_fkey REFERENCES tl.account,
    member_id  integer CONSTRAINT member_access_member_fkey REFERENCES tl.member ON DELETE SET NULL,
    action     text NOT NULL CONSTRAINT member_access_action_known
               CHECK (action IN ('consultation', 'export', 'effacement', 'prolongation')),
    at         timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE tl.member_access IS 'Who read, exported, changed or erased which member file, and when';

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

CREATE FUNCTION tl.desk_member_loans(p_login text, p_number text)
RETURNS TABLE (booking_id bigint, item_code text, item_title text, started date, due_on date, due_fr text,
               returned date, open boolean, late boolean, renewals integer, may_renew boolean,
               loan_days integer, opening_hours text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_member tl.member;
BEGIN
    -- The caller records the read (tl.desk_member): one row per file opened.
    v_member := tl.desk_member(p_login, p_number, NULL);
    RETURN QUERY
    SELECT b.id, i.code, i.title, b.starts_at::date, b.due_on, tl.date_fr(b.due_on), b.returned_at::date,
           b.returned_at IS NULL, b.returned_at IS NULL AND b.due_on < current_date, b.renewals,
           b.returned_at IS NULL AND b.renewals < c.max_renewals,
           coalesce(i.loan_days, c.loan_days), p.opening_hours
      FROM tl.booking b JOIN tl.item i ON i.id = b.item_id JOIN tl.category c ON c.id = i.category_id
      JOIN tl.place p ON p.id = i.place_id
     WHERE b.member_id = v_member.id AND b.kind = 'pret'
     ORDER BY b.returned_at IS NOT NULL, b.starts_at DESC;
END $$;

-- A renewal to a new due date the desk computed (an open day); refused past
-- the category's renewals, or when someone reserved the item after.
CREATE FUNCTION tl.renew(p_login text, p_booking bigint, p_due date) RETURNS date
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_booking tl.booking;
    v_item    tl.item;
    v_max     integer;
    v_who     integer;
BEGIN
    SELECT * INTO v_booking FROM tl.booking WHERE id = p_booking AND kind = 'pret' AND returned_at IS NULL FOR UPDATE;
    IF v_booking.id IS NULL THEN
        RAISE EXCEPTION 'ce prêt est déjà rendu' USING ERRCODE = 'check_violation', CONSTRAINT = 'booking_not_on_loan';
    END IF;
    SELECT * INTO v_item FROM tl.item WHERE id = v_booking.item_id;
    v_who := tl.require_role(p_login, v_item.place_id, 'benevole');
    SELECT max_renewals INTO v_max FROM tl.category WHERE id = v_item.category_id;
    IF v_booking.renewals >= v_max THEN
        RAISE EXCEPTION 'ce prêt a déjà été prolongé % fois, le maximum pour cette catégorie', v_booking.renewals
            USING ERRCODE = 'check_violation', CONSTRAINT = 'booking_renewals_max';
    END IF;
    IF p_due IS NULL OR p_due <= v_booking.due_on THEN
        RAISE EXCEPTION 'la nouvelle date doit être après l''actuelle' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'booking_due_after_start';
    END IF;
    BEGIN
        UPDATE tl.booking SET due_on = p_due, renewals = renewals + 1 WHERE id = p_booking;
    EXCEPTION WHEN exclusion_violation THEN
        RAISE EXCEPTION 'impossible de prolonger : l''objet est réservé par quelqu''un d''autre ensuite'
            USING ERRCODE = 'exclusion_violation', CONSTRAINT = 'booking_reserved';
    END;
    INSERT INTO tl.member_access (account_id, member_id, action) VALUES (v_who, v_booking.member_id, 'prolongation');
    RETURN p_due;
END $$;

-- What the desk hands a member who asks for their data (JSON).
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
                                FROM tl.member_deposit d WHERE d.member_id = v_member.id), '[]'::jsonb));
END $$;

-- Erasing a member on request: refused while something is out; the loans
-- stay as anonymous statistics.
CREATE FUNCTION tl.erase_member(p_login text, p_number text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_member tl.member;
BEGIN
    v_member := tl.desk_member(p_login, p_number, 'effacement');
    IF EXISTS (SELECT 1 FROM tl.booking WHERE member_id = v_member.id AND kind = 'pret' AND returned_at IS NULL) THEN
        RAISE EXCEPTION 'un objet emprunté n''est pas encore rendu : l''effacement se fera après le retour'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'member_erase_items_out';
    END IF;
    UPDATE tl.booking SET member_id = NULL WHERE member_id = v_member.id;
    DELETE FROM tl.member WHERE id = v_member.id;
END $$;

REVOKE ALL ON FUNCTION tl.desk_member(text, text, text), tl.desk_member_loans(text, text),
                       tl.renew(text, bigint, date), tl.member_export(text, text), tl.erase_member(text, text)
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.desk_member(text, text, text), tl.desk_member_loans(text, text),
                          tl.renew(text, bigint, date), tl.member_export(text, text), tl.erase_member(text, text)
   TO tierslieux_guichet;
