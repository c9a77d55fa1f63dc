-- 014 — who took seeds, so the grainothèque can remind them to bring back a
-- share of their harvest (a list the volunteers read, not e-mails). The link
-- is optional, and the retention command removes it after a year.

ALTER TABLE tl.seed_movement
    ADD COLUMN member_id integer CONSTRAINT seed_movement_member_fkey REFERENCES tl.member ON DELETE SET NULL;
COMMENT ON COLUMN tl.seed_movement.member_id IS 'Who took the seeds, if they agreed to be reminded (kept a year)';

-- A withdrawal by a member who agreed to be reminded.
CREATE FUNCTION tl.seed_withdraw_for(p_login text, p_lot integer, p_packets integer, p_member text) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_member integer;
    v_left   integer;
BEGIN
    IF btrim(coalesce(p_member, '')) <> '' THEN
        v_member := (tl.require_member(p_member, 'seed_movement_member_fkey')).id;
    END IF;
    v_left := tl.seed_withdraw(p_login, p_lot, p_packets);
    IF v_member IS NOT NULL THEN
        UPDATE tl.seed_movement SET member_id = v_member
         WHERE id = (SELECT max(id) FROM tl.seed_movement WHERE lot_id = p_lot AND kind = 'retrait');
    END IF;
    RETURN v_left;
END $$;

-- A deposit by a member who took seeds: it ends their reminder.
CREATE FUNCTION tl.seed_deposit_for(p_login text, p_place_slug text, p_variety integer, p_harvest_year integer,
                                    p_packets integer, p_grower text, p_member text) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_member integer;
    v_lot    integer;
BEGIN
    IF btrim(coalesce(p_member, '')) <> '' THEN
        v_member := (tl.require_member(p_member, 'seed_movement_member_fkey')).id;
    END IF;
    v_lot := tl.seed_deposit(p_login, p_place_slug, p_variety, p_harvest_year, p_packets, p_grower);
    IF v_member IS NOT NULL THEN
        UPDATE tl.seed_movement SET member_id = v_member
         WHERE id = (SELECT max(id) FROM tl.seed_movement WHERE lot_id = v_lot AND kind = 'depot');
    END IF;
    RETURN v_lot;
END $$;

-- People who took seeds at a place this past year and have not deposited
-- any since.
CREATE FUNCTION tl.desk_seed_reminders(p_login text, p_place_slug text)
RETURNS TABLE (member_number text, member_name text, email text, phone text, variety text, taken text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place integer;
BEGIN
    SELECT id INTO v_place FROM tl.place WHERE slug = p_place_slug;
    IF v_place IS NULL THEN
        RETURN;
    END IF;
    PERFORM tl.require_role(p_login, v_place, 'benevole');
    RETURN QUERY
    SELECT mb.member_number, mb.given_name || ' ' || mb.family_name, mb.email, mb.phone,
           s.common_name || ' « ' || v.name || ' »', tl.date_fr(m.at::date)
      FROM tl.seed_movement m
      JOIN tl.seed_lot l ON l.id = m.lot_id
      JOIN tl.seed_variety v ON v.id = l.variety_id JOIN tl.seed_species s ON s.id = v.species_id
      JOIN tl.member mb ON mb.id = m.member_id
     WHERE l.place_id = v_place AND m.kind = 'retrait' AND m.at > now() - interval '1 year'
       AND NOT EXISTS (SELECT 1 FROM tl.seed_movement d WHERE d.member_id = m.member_id AND d.kind = 'depot'
                        AND d.at > m.at)
     ORDER BY m.at;
END $$;

-- The retention command also forgets who took seeds, after a year.
CREATE FUNCTION tl.apply_seed_retention(p_now timestamptz DEFAULT now()) RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    n integer;
BEGIN
    UPDATE tl.seed_movement SET member_id = NULL WHERE member_id IS NOT NULL AND at < p_now - interval '1 year';
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;

REVOKE ALL ON FUNCTION tl.seed_withdraw_for(text, integer, integer, text), tl.desk_seed_reminders(text, text),
                       tl.seed_deposit_for(text, text, integer, integer, integer, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.seed_withdraw_for(text, integer, integer, text), tl.desk_seed_reminders(text, text),
                          tl.seed_deposit_for(text, text, integer, integer, integer, text, text)
   TO tierslieux_guichet;
