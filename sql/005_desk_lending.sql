-- 005 — lending and taking back at the desk. Each is one function call in
-- one transaction; every refusal names a constraint the desk shows as a
-- sentence, and two desks lending one item at once are serialised on the
-- item's row (the exclusion constraint on bookings stays the last guard).

-- The item a volunteer typed or scanned: its own number (any case) or the
-- barcode it kept from another system.
CREATE FUNCTION tl.find_item(p_number text) RETURNS tl.item
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT i.* FROM tl.item i
     WHERE i.retired_at IS NULL AND (i.code = upper(btrim(p_number)) OR i.barcode = btrim(p_number))
     LIMIT 1
$$;

-- The same, or a refusal naming the number the volunteer typed.
CREATE FUNCTION tl.require_item(p_number text) RETURNS tl.item
LANGUAGE plpgsql STABLE SET search_path = pg_catalog AS $$
DECLARE
    v_item tl.item;
BEGIN
    v_item := tl.find_item(p_number);
    IF v_item.id IS NULL THEN
        RAISE EXCEPTION 'aucun objet ne porte le numéro « % »', btrim(p_number)
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'booking_item_fkey';
    END IF;
    RETURN v_item;
END $$;

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

CREATE FUNCTION tl.check_out(p_login text, p_member text, p_item text, p_due date, p_override boolean)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_item    tl.item;
    v_member  integer;
    v_who     integer;
    v_late    text;
    v_other   tl.booking;
    v_tz      text;
    v_id      bigint;
BEGIN
    v_item := tl.require_item(p_item);
    v_who := tl.require_role(p_login, v_item.place_id, 'benevole');
    v_member := (tl.require_member(p_member)).id;
    -- One desk at a time per item: the second waits, then sees the loan.
    PERFORM 1 FROM tl.item WHERE id = v_item.id FOR UPDATE;
    SELECT p.time_zone INTO v_tz FROM tl.place p WHERE p.id = v_item.place_id;
    IF p_due IS NULL OR p_due <= (now() AT TIME ZONE v_tz)::date THEN
        RAISE EXCEPTION 'la date de retour doit être après aujourd''hui'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'booking_due_after_start';
    END IF;
    IF EXISTS (SELECT 1 FROM tl.maintenance WHERE item_id = v_item.id AND ended_at IS NULL) THEN
        RAISE EXCEPTION 'cet objet est en maintenance : il ne peut pas être prêté'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'booking_item_in_maintenance';
    END IF;
    IF v_item.safety_check_days IS NOT NULL
       AND (v_item.last_safety_check IS NULL
            OR v_item.last_safety_check + v_item.safety_check_days < (now() AT TIME ZONE v_tz)::date) THEN
        RAISE EXCEPTION 'le contrôle de sécurité électrique de cet objet est à refaire avant de le prêter'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'booking_safety_check_due';
    END IF;
    SELECT * INTO v_other FROM tl.booking
     WHERE item_id = v_item.id AND kind = 'pret' AND returned_at IS NULL;
    IF v_other.id IS NOT NULL THEN
        RAISE EXCEPTION 'cet objet est déjà prêté (retour prévu le %)', tl.date_fr(v_other.due_on)
            USING ERRCODE = 'exclusion_violation', CONSTRAINT = 'booking_no_overlap';
    END IF;
    SELECT * INTO v_other FROM tl.booking
     WHERE item_id = v_item.id AND kind = 'reservation' AND cancelled_at IS NULL
       AND (member_id IS DISTINCT FROM v_member)
       AND tstzrange(starts_at, ends_at) && tstzrange(now(), (p_due + 1)::timestamp AT TIME ZONE v_tz)
     ORDER BY starts_at LIMIT 1;
    IF v_other.id IS NOT NULL THEN
        RAISE EXCEPTION 'cet objet est réservé par un autre adhérent à partir du % : choisissez une date de retour plus proche',
            tl.date_fr((v_other.starts_at AT TIME ZONE v_tz)::date)
            USING ERRCODE = 'exclusion_violation', CONSTRAINT = 'booking_reserved';
    END IF;
    SELECT string_agg(i.code, ', ' ORDER BY b.due_on) INTO v_late
      FROM tl.booking b JOIN tl.item i ON i.id = b.item_id
     WHERE b.member_id = v_member AND b.kind = 'pret' AND b.returned_at IS NULL
       AND b.due_on < (now() AT TIME ZONE v_tz)::date;
    IF v_late IS NOT NULL THEN
        IF NOT p_override THEN
            RAISE EXCEPTION 'cet adhérent a un objet en retard (%) : un ou une référente peut passer outre', v_late
                USING ERRCODE = 'check_violation', CONSTRAINT = 'booking_member_overdue';
        END IF;
        PERFORM tl.require_role(p_login, v_item.place_id, 'referent');
    END IF;
    -- The member's own reservation becomes the loan; otherwise a new one.
    UPDATE tl.booking SET kind = 'pret', starts_at = now(), due_on = p_due, lent_by = v_who,
                          override_by = CASE WHEN v_late IS NOT NULL THEN v_who END
     WHERE id = (SELECT id FROM tl.booking
                  WHERE item_id = v_item.id AND kind = 'reservation' AND cancelled_at IS NULL
                    AND member_id = v_member AND starts_at <= now() + interval '1 day'
                  ORDER BY starts_at LIMIT 1)
    RETURNING id INTO v_id;
    IF v_id IS NULL THEN
        INSERT INTO tl.booking (item_id, member_id, kind, due_on, lent_by, override_by)
        VALUES (v_item.id, v_member, 'pret', p_due, v_who, CASE WHEN v_late IS NOT NULL THEN v_who END)
        RETURNING id INTO v_id;
    END IF;
    RETURN v_id;
EXCEPTION WHEN exclusion_violation THEN
    -- The constraint itself caught what the checks above could not see yet.
    IF SQLERRM LIKE 'cet objet%' THEN
        RAISE;
    END IF;
    RAISE EXCEPTION 'cet objet est déjà prêté ou réservé sur cette période'
        USING ERRCODE = 'exclusion_violation', CONSTRAINT = 'booking_no_overlap';
END $$;

-- Taking an item back: its condition noted, optionally straight into
-- maintenance with the reason.
CREATE FUNCTION tl.check_in(p_login text, p_item text, p_condition text, p_maintenance text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_item tl.item;
    v_who  integer;
    v_id   bigint;
BEGIN
    v_item := tl.require_item(p_item);
    v_who := tl.require_role(p_login, v_item.place_id, 'benevole');
    IF p_condition IS NOT NULL AND NOT EXISTS (SELECT 1 FROM tl.item_condition WHERE code = p_condition) THEN
        RAISE EXCEPTION 'état inconnu' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'booking_return_condition_fkey';
    END IF;
    UPDATE tl.booking SET returned_at = now(), returned_to = v_who, return_condition = p_condition
     WHERE item_id = v_item.id AND kind = 'pret' AND returned_at IS NULL
    RETURNING id INTO v_id;
    IF v_id IS NULL THEN
        RAISE EXCEPTION 'cet objet n''est pas en prêt' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'booking_not_on_loan';
    END IF;
    IF p_condition IS NOT NULL THEN
        UPDATE tl.item SET condition = p_condition WHERE id = v_item.id;
    END IF;
    IF btrim(coalesce(p_maintenance, '')) <> '' THEN
        INSERT INTO tl.maintenance (item_id, reason) VALUES (v_item.id, btrim(p_maintenance));
    END IF;
    RETURN v_id;
END $$;

-- What the desk shows before lending: the member, the item, its loan rules
-- and the place's opening hours (the module picks the due date on a day the
-- place is open). Checks the role at the item's place.
CREATE FUNCTION tl.desk_lending_preview(p_login text, p_member text, p_item text)
RETURNS TABLE (member_number text, member_name text, item_code text, item_title text, item_id integer,
               loan_days integer, deposit text, opening_hours text, today date, member_known boolean,
               item_known boolean, on_loan_to_member text, due_on date)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_item tl.item;
BEGIN
    v_item := tl.find_item(p_item);
    IF v_item.id IS NOT NULL THEN
        PERFORM tl.require_role(p_login, v_item.place_id, 'benevole');
    END IF;
    RETURN QUERY
    SELECT m.member_number, m.given_name || ' ' || m.family_name,
           v_item.code, v_item.title, v_item.id,
           coalesce(v_item.loan_days, c.loan_days), tl.euros(coalesce(v_item.deposit, c.deposit)),
           p.opening_hours, (now() AT TIME ZONE coalesce(p.time_zone, 'Europe/Paris'))::date,
           m.id IS NOT NULL, v_item.id IS NOT NULL,
           (SELECT mm.given_name || ' ' || mm.family_name FROM tl.booking b JOIN tl.member mm ON mm.id = b.member_id
             WHERE b.item_id = v_item.id AND b.kind = 'pret' AND b.returned_at IS NULL),
           (SELECT b.due_on FROM tl.booking b WHERE b.item_id = v_item.id AND b.kind = 'pret' AND b.returned_at IS NULL)
      FROM (SELECT 1) AS one
      LEFT JOIN tl.member m ON m.member_number = upper(btrim(p_member))
      LEFT JOIN tl.category c ON c.id = v_item.category_id
      LEFT JOIN tl.place p ON p.id = v_item.place_id;
END $$;

REVOKE ALL ON FUNCTION tl.check_out(text, text, text, date, boolean), tl.check_in(text, text, text, text),
                       tl.desk_lending_preview(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.check_out(text, text, text, date, boolean), tl.check_in(text, text, text, text),
                          tl.desk_lending_preview(text, text, text), tl.find_item(text) TO tierslieux_guichet;
