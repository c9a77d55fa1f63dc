-- 010 — the maintenance log of an item at the desk: who sent it to
-- maintenance and why, who brought it back and what was done; closing can
-- record the electrical safety check. An item in maintenance is never shown
-- available (tl.item_availability) and cannot be lent (tl.check_out).

ALTER TABLE tl.maintenance
    ADD COLUMN opened_by integer CONSTRAINT maintenance_opened_by_fkey REFERENCES tl.account,
    ADD COLUMN closed_by integer CONSTRAINT maintenance_closed_by_fkey REFERENCES tl.account;

CREATE FUNCTION tl.desk_item(p_login text, p_number text)
RETURNS TABLE (id integer, code text, title text, place text, state text, due_fr text,
               safety_check_days integer, last_safety_check text, safety_due boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_item tl.item;
BEGIN
    v_item := tl.require_item(p_number);
    PERFORM tl.require_role(p_login, v_item.place_id, 'benevole');
    RETURN QUERY
    SELECT v_item.id, v_item.code, v_item.title, p.name, a.state, tl.date_fr(a.due_on), v_item.safety_check_days,
           tl.date_fr(v_item.last_safety_check),
           v_item.safety_check_days IS NOT NULL
             AND (v_item.last_safety_check IS NULL OR v_item.last_safety_check + v_item.safety_check_days < current_date)
      FROM tl.place p, tl.item_availability a
     WHERE p.id = v_item.place_id AND a.item_id = v_item.id;
END $$;

CREATE FUNCTION tl.desk_maintenance_log(p_login text, p_number text)
RETURNS TABLE (started text, ended text, reason text, work_done text, opened_by text, closed_by text, open boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_item tl.item;
BEGIN
    v_item := tl.find_item(p_number);
    IF v_item.id IS NULL THEN
        RETURN;
    END IF;
    PERFORM tl.require_role(p_login, v_item.place_id, 'benevole');
    RETURN QUERY
    SELECT tl.date_fr(m.started_at::date), tl.date_fr(m.ended_at::date), m.reason, m.work_done,
           o.display_name, c.display_name, m.ended_at IS NULL
      FROM tl.maintenance m
      LEFT JOIN tl.account o ON o.id = m.opened_by LEFT JOIN tl.account c ON c.id = m.closed_by
     WHERE m.item_id = v_item.id
     ORDER BY m.started_at DESC;
END $$;

CREATE FUNCTION tl.start_maintenance(p_login text, p_number text, p_reason text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_item tl.item;
    v_who  integer;
BEGIN
    v_item := tl.require_item(p_number);
    v_who := tl.require_role(p_login, v_item.place_id, 'benevole');
    IF btrim(coalesce(p_reason, '')) = '' THEN
        RAISE EXCEPTION 'indiquez ce qui ne va pas' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'maintenance_reason_not_blank';
    END IF;
    IF EXISTS (SELECT 1 FROM tl.booking WHERE item_id = v_item.id AND kind = 'pret' AND returned_at IS NULL) THEN
        RAISE EXCEPTION 'cet objet est en prêt : enregistrez d''abord son retour' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'maintenance_item_on_loan';
    END IF;
    BEGIN
        INSERT INTO tl.maintenance (item_id, reason, opened_by) VALUES (v_item.id, btrim(p_reason), v_who);
    EXCEPTION WHEN exclusion_violation THEN
        RAISE EXCEPTION 'cet objet est déjà en maintenance' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'maintenance_no_overlap';
    END;
END $$;

CREATE FUNCTION tl.end_maintenance(p_login text, p_number text, p_work text, p_safety_checked boolean) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_item tl.item;
    v_who  integer;
BEGIN
    v_item := tl.require_item(p_number);
    v_who := tl.require_role(p_login, v_item.place_id, 'benevole');
    IF btrim(coalesce(p_work, '')) = '' THEN
        RAISE EXCEPTION 'décrivez ce qui a été fait' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'maintenance_work_not_blank';
    END IF;
    UPDATE tl.maintenance SET ended_at = now(), work_done = btrim(p_work), closed_by = v_who
     WHERE item_id = v_item.id AND ended_at IS NULL;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'cet objet n''est pas en maintenance' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'maintenance_not_open';
    END IF;
    IF p_safety_checked THEN
        UPDATE tl.item SET last_safety_check = current_date WHERE id = v_item.id;
    END IF;
END $$;

REVOKE ALL ON FUNCTION tl.desk_item(text, text), tl.desk_maintenance_log(text, text),
                       tl.start_maintenance(text, text, text), tl.end_maintenance(text, text, text, boolean)
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.desk_item(text, text), tl.desk_maintenance_log(text, text),
                          tl.start_maintenance(text, text, text), tl.end_maintenance(text, text, text, boolean)
   TO tierslieux_guichet;
