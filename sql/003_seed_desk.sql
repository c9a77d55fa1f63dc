-- 003 — the grainothèque at the desk: deposits and withdrawals recorded by
-- a volunteer of the place, through functions that check the role at that
-- place and the stock, in one transaction each.

ALTER TABLE tl.seed_movement
    ADD COLUMN account_id integer CONSTRAINT seed_movement_account_fkey REFERENCES tl.account;
COMMENT ON COLUMN tl.seed_movement.account_id IS 'Who recorded it at the desk (NULL for imported history)';

-- Raises insufficient_privilege unless p_login holds p_role (or a role
-- above it) at the place; returns the account's id.
CREATE FUNCTION tl.require_role(p_login text, p_place integer, p_role text) RETURNS integer
LANGUAGE plpgsql STABLE SET search_path = pg_catalog AS $$
DECLARE
    found_id integer;
BEGIN
    SELECT a.id INTO found_id
      FROM tl.account a JOIN tl.account_role r ON r.account_id = a.id
     WHERE a.login = p_login AND a.active AND r.place_id = p_place
       AND tl.role_rank(r.role) >= tl.role_rank(p_role);
    IF found_id IS NULL THEN
        RAISE EXCEPTION 'votre compte n''a pas le rôle % dans ce lieu', p_role
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN found_id;
END $$;

-- A deposit: packets of a variety harvested a given year, optionally with
-- the grower's name (never shown publicly). Packets join the lot of the
-- same variety, year and grower at that place, or start a new lot in the
-- place's grainothèque.
CREATE FUNCTION tl.seed_deposit(p_login text, p_place_slug text, p_variety integer, p_harvest_year integer,
                                p_packets integer, p_grower text) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place  integer;
    v_who    integer;
    v_coll   integer;
    v_lot    integer;
    v_grower text := nullif(btrim(p_grower), '');
BEGIN
    SELECT p.id INTO v_place FROM tl.place p WHERE p.slug = p_place_slug;
    IF v_place IS NULL THEN
        RAISE EXCEPTION 'lieu inconnu' USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'seed_lot_place_fkey';
    END IF;
    v_who := tl.require_role(p_login, v_place, 'benevole');
    IF NOT EXISTS (SELECT 1 FROM tl.seed_variety v WHERE v.id = p_variety) THEN
        RAISE EXCEPTION 'variété inconnue' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'seed_lot_variety_fkey';
    END IF;
    IF p_harvest_year IS NULL OR p_harvest_year < 1950 OR p_harvest_year > extract(year FROM now()) THEN
        RAISE EXCEPTION 'année de récolte hors limites' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'seed_lot_harvest_year_range';
    END IF;
    IF p_packets IS NULL OR p_packets < 1 OR p_packets > 1000 THEN
        RAISE EXCEPTION 'nombre de sachets hors limites' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'seed_movement_packets_positive';
    END IF;
    SELECT c.id INTO v_coll FROM tl.collection c
     WHERE c.place_id = v_place AND c.activity = 'grainotheque' ORDER BY c.id LIMIT 1;
    IF v_coll IS NULL THEN
        RAISE EXCEPTION 'ce lieu n''a pas de grainothèque' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'seed_lot_collection_fkey';
    END IF;
    SELECT l.id INTO v_lot FROM tl.seed_lot l
     WHERE l.variety_id = p_variety AND l.place_id = v_place
       AND l.harvest_year = p_harvest_year AND l.grower IS NOT DISTINCT FROM v_grower
     ORDER BY l.id LIMIT 1 FOR UPDATE;
    IF v_lot IS NULL THEN
        INSERT INTO tl.seed_lot (variety_id, collection_id, place_id, harvest_year, grower)
        VALUES (p_variety, v_coll, v_place, p_harvest_year, v_grower) RETURNING id INTO v_lot;
    END IF;
    INSERT INTO tl.seed_movement (lot_id, kind, packets, account_id) VALUES (v_lot, 'depot', p_packets, v_who);
    RETURN v_lot;
END $$;

-- A withdrawal from a lot; the stock trigger refuses to go below zero.
-- Returns the packets left.
CREATE FUNCTION tl.seed_withdraw(p_login text, p_lot integer, p_packets integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place integer;
    v_who   integer;
    v_left  integer;
BEGIN
    SELECT l.place_id INTO v_place FROM tl.seed_lot l WHERE l.id = p_lot;
    IF v_place IS NULL THEN
        RAISE EXCEPTION 'lot inconnu' USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'seed_movement_lot_fkey';
    END IF;
    v_who := tl.require_role(p_login, v_place, 'benevole');
    IF p_packets IS NULL OR p_packets < 1 OR p_packets > 1000 THEN
        RAISE EXCEPTION 'nombre de sachets hors limites' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'seed_movement_packets_positive';
    END IF;
    INSERT INTO tl.seed_movement (lot_id, kind, packets, account_id) VALUES (p_lot, 'retrait', p_packets, v_who);
    SELECT s.packets INTO v_left FROM tl.seed_lot_stock s WHERE s.lot_id = p_lot;
    RETURN v_left;
END $$;

-- What the desk shows of the recent movements: who recorded them (the
-- volunteer's display name, nothing else of the account).
CREATE VIEW tl.seed_movement_desk AS
SELECT m.id, m.lot_id, m.kind, m.packets, m.at, l.place_id, l.variety_id, l.harvest_year,
       a.display_name AS recorded_by
  FROM tl.seed_movement m
  JOIN tl.seed_lot l ON l.id = m.lot_id
  JOIN tl.account a ON a.id = m.account_id;
COMMENT ON VIEW tl.seed_movement_desk IS 'Movements recorded at the desk, for volunteers';
GRANT SELECT ON tl.seed_movement_desk TO tierslieux_guichet;

REVOKE ALL ON FUNCTION tl.seed_deposit(text, text, integer, integer, integer, text),
                       tl.seed_withdraw(text, integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.seed_deposit(text, text, integer, integer, integer, text),
                          tl.seed_withdraw(text, integer, integer) TO tierslieux_guichet;
