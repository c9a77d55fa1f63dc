-- 007 — the overdue list of a place, for the volunteers who call or write
-- to the members concerned: days late and how to reach them. Only for a
-- volunteer of that place.

CREATE FUNCTION tl.desk_overdue(p_login text, p_place_slug text)
RETURNS TABLE (item_code text, item_title text, member_number text, member_name text, email text,
               phone text, due_on date, due_fr text, days_late integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place integer;
    v_tz    text;
BEGIN
    SELECT p.id, p.time_zone INTO v_place, v_tz FROM tl.place p WHERE p.slug = p_place_slug;
    IF v_place IS NULL THEN
        RAISE EXCEPTION 'lieu inconnu' USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'booking_item_fkey';
    END IF;
    PERFORM tl.require_role(p_login, v_place, 'benevole');
    RETURN QUERY
    SELECT i.code, i.title, m.member_number, m.given_name || ' ' || m.family_name, m.email, m.phone,
           b.due_on, tl.date_fr(b.due_on), ((now() AT TIME ZONE v_tz)::date - b.due_on)::integer
      FROM tl.booking b
      JOIN tl.item i ON i.id = b.item_id
      LEFT JOIN tl.member m ON m.id = b.member_id
     WHERE i.place_id = v_place AND b.kind = 'pret' AND b.returned_at IS NULL
       AND b.due_on < (now() AT TIME ZONE v_tz)::date
     ORDER BY b.due_on, i.code;
END $$;

REVOKE ALL ON FUNCTION tl.desk_overdue(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.desk_overdue(text, text) TO tierslieux_guichet;
