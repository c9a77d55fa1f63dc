-- 011 — reservations made at the desk for a member: an item for a range of
-- days; the bookings' exclusion constraint refuses any overlap with a loan
-- or another reservation. A reservation becomes the loan when the member
-- comes (tl.check_out), or is cancelled.

CREATE FUNCTION tl.reserve(p_login text, p_member text, p_item text, p_from date, p_to date) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_item   tl.item;
    v_member integer;
    v_tz     text;
    v_id     bigint;
BEGIN
    v_item := tl.require_item(p_item);
    PERFORM tl.require_role(p_login, v_item.place_id, 'benevole');
    v_member := (tl.require_member(p_member)).id;
    SELECT p.time_zone INTO v_tz FROM tl.place p WHERE p.id = v_item.place_id;
    IF p_from IS NULL OR p_to IS NULL OR p_from < (now() AT TIME ZONE v_tz)::date OR p_to < p_from
       OR p_to > p_from + 90 THEN
        RAISE EXCEPTION 'les dates doivent aller d''aujourd''hui au plus tôt à 90 jours plus tard au plus, dans l''ordre'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'booking_period_not_empty';
    END IF;
    BEGIN
        INSERT INTO tl.booking (item_id, member_id, kind, starts_at, ends_at)
        VALUES (v_item.id, v_member, 'reservation', p_from::timestamp AT TIME ZONE v_tz,
                (p_to + 1)::timestamp AT TIME ZONE v_tz)
        RETURNING id INTO v_id;
    EXCEPTION WHEN exclusion_violation THEN
        RAISE EXCEPTION 'cet objet est déjà prêté ou réservé sur une partie de ces dates'
            USING ERRCODE = 'exclusion_violation', CONSTRAINT = 'booking_no_overlap';
    END;
    RETURN v_id;
END $$;

CREATE FUNCTION tl.cancel_reservation(p_login text, p_booking bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place integer;
BEGIN
    SELECT i.place_id INTO v_place FROM tl.booking b JOIN tl.item i ON i.id = b.item_id
     WHERE b.id = p_booking AND b.kind = 'reservation' AND b.cancelled_at IS NULL;
    IF v_place IS NULL THEN
        RAISE EXCEPTION 'cette réservation n''existe plus' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'booking_kind_known';
    END IF;
    PERFORM tl.require_role(p_login, v_place, 'benevole');
    UPDATE tl.booking SET cancelled_at = now() WHERE id = p_booking;
END $$;

CREATE FUNCTION tl.desk_member_reservations(p_login text, p_number text)
RETURNS TABLE (booking_id bigint, item_code text, item_title text, from_fr text, to_fr text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    RETURN QUERY
    SELECT b.id, i.code, i.title, tl.date_fr((b.starts_at AT TIME ZONE p.time_zone)::date),
           tl.date_fr((b.ends_at AT TIME ZONE p.time_zone)::date - 1)
      FROM tl.booking b JOIN tl.item i ON i.id = b.item_id JOIN tl.place p ON p.id = i.place_id
      JOIN tl.member m ON m.id = b.member_id
     WHERE m.member_number = upper(btrim(p_number)) AND b.kind = 'reservation' AND b.cancelled_at IS NULL
       AND b.ends_at > now()
       AND EXISTS (SELECT 1 FROM tl.account a JOIN tl.account_role r ON r.account_id = a.id
                    WHERE a.login = p_login AND a.active)
     ORDER BY b.starts_at;
END $$;

REVOKE ALL ON FUNCTION tl.reserve(text, text, text, date, date), tl.cancel_reservation(text, bigint),
                       tl.desk_member_reservations(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.reserve(text, text, text, date, date), tl.cancel_reservation(text, bigint),
                          tl.desk_member_reservations(text, text) TO tierslieux_guichet;
