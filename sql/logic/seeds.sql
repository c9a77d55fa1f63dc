-- Seed library: lots, movements and stock, the desk's deposits and
-- withdrawals, reminders, and the back office's species, varieties and lots.
--
-- The current form of this area's functions, views, triggers and rights.
-- script/migrate drops every function and view of schema tl (but the
-- constraint helpers of sql/schema) and applies the files of sql/logic/ORDER
-- again after the numbered migrations, in one transaction: edit here, never
-- in a numbered file.

-- What a movement does to its lot's stock.
CREATE FUNCTION tl.movement_packets(p_kind text, p_packets integer) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE p_kind WHEN 'depot' THEN p_packets ELSE -p_packets END
$$;

-- The stock is kept in tl.seed_lot.packets (pages list a network's lots
-- without summing their movements each time).
CREATE VIEW tl.seed_lot_stock AS
SELECT l.id AS lot_id, l.packets FROM tl.seed_lot l;

COMMENT ON VIEW tl.seed_lot_stock IS 'Packets left in each lot';

-- What the desk shows of the recent movements: who recorded them (the
-- volunteer's display name, nothing else of the account).
CREATE VIEW tl.seed_movement_desk AS
SELECT m.id, m.lot_id, m.kind, m.packets, m.at, l.place_id, l.variety_id, l.harvest_year,
       a.display_name AS recorded_by
  FROM tl.seed_movement m
  JOIN tl.seed_lot l ON l.id = m.lot_id
  JOIN tl.account a ON a.id = m.account_id;

COMMENT ON VIEW tl.seed_movement_desk IS 'Movements recorded at the desk, for volunteers';

-- Movements change their lots' stock by what they add and remove, and a
-- lot never holds fewer than zero packets. Adding to the stored count (never
-- summing again from a snapshot) makes two withdrawals at two desks count
-- one after the other: the second waits for the lot row and adds to what
-- the first left.
CREATE FUNCTION tl.seed_stock_add(p_lots integer[], p_deltas integer[]) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    v_lot record;
BEGIN
    FOR v_lot IN
        UPDATE tl.seed_lot l SET packets = l.packets + d.delta
          FROM (SELECT u.lot, sum(u.delta)::integer AS delta FROM unnest(p_lots, p_deltas) AS u(lot, delta)
                 GROUP BY u.lot ORDER BY u.lot) d
         WHERE l.id = d.lot AND d.delta <> 0
        RETURNING l.packets, d.delta
    LOOP
        IF v_lot.packets < 0 THEN
            RAISE EXCEPTION 'il ne reste que % sachet(s) dans ce lot', v_lot.packets - v_lot.delta
                USING ERRCODE = 'check_violation', CONSTRAINT = 'seed_lot_stock_not_negative';
        END IF;
    END LOOP;
END $$;

CREATE FUNCTION tl.seed_movement_keep_stock() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    v_lots   integer[];
    v_deltas integer[];
BEGIN
    -- Each branch names only the transition tables its trigger has.
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(n.lot_id), array_agg(tl.movement_packets(n.kind, n.packets)) INTO v_lots, v_deltas
          FROM new_rows n;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(o.lot_id), array_agg(-tl.movement_packets(o.kind, o.packets)) INTO v_lots, v_deltas
          FROM old_rows o;
    ELSE
        SELECT array_agg(x.lot_id), array_agg(x.delta) INTO v_lots, v_deltas
          FROM (SELECT o.lot_id, -tl.movement_packets(o.kind, o.packets) AS delta FROM old_rows o
                UNION ALL
                SELECT n.lot_id, tl.movement_packets(n.kind, n.packets) FROM new_rows n) x;
    END IF;
    PERFORM tl.seed_stock_add(v_lots, v_deltas);
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS seed_lot_stock_not_negative ON tl.seed_movement;
DROP TRIGGER IF EXISTS seed_stock_insert ON tl.seed_movement;
DROP TRIGGER IF EXISTS seed_stock_update ON tl.seed_movement;
DROP TRIGGER IF EXISTS seed_stock_delete ON tl.seed_movement;
CREATE TRIGGER seed_stock_insert AFTER INSERT ON tl.seed_movement REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tl.seed_movement_keep_stock();
CREATE TRIGGER seed_stock_update AFTER UPDATE ON tl.seed_movement REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tl.seed_movement_keep_stock();
CREATE TRIGGER seed_stock_delete AFTER DELETE ON tl.seed_movement REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tl.seed_movement_keep_stock();

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
    -- No harvest to come: the year at the place, in its time zone.
    IF p_harvest_year IS NULL OR p_harvest_year < 1950
       OR p_harvest_year > extract(year FROM now() AT TIME ZONE (SELECT time_zone FROM tl.place WHERE id = v_place)) THEN
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

CREATE FUNCTION tl.save_species(p_login text, p_id integer, p_common text, p_latin text, p_family text)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_who integer := tl.require_some_referent(p_login);
    v_id  integer;
BEGIN
    IF btrim(coalesce(p_common, '')) = '' OR btrim(coalesce(p_latin, '')) = '' OR btrim(coalesce(p_family, '')) = '' THEN
        RAISE EXCEPTION 'indiquez le nom commun, le nom latin et la famille' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'seed_species_names_not_blank';
    END IF;
    IF p_id IS NULL THEN
        INSERT INTO tl.seed_species (common_name, latin_name, family)
        VALUES (btrim(p_common), btrim(p_latin), btrim(p_family)) RETURNING id INTO v_id;
        PERFORM tl.admin_note(v_who, NULL, 'espece.creation', btrim(p_common));
    ELSE
        UPDATE tl.seed_species SET common_name = btrim(p_common), latin_name = btrim(p_latin), family = btrim(p_family)
         WHERE id = p_id RETURNING id INTO v_id;
        IF v_id IS NULL THEN
            RAISE EXCEPTION 'cette espèce n''existe pas' USING ERRCODE = 'foreign_key_violation',
                CONSTRAINT = 'seed_variety_species_fkey';
        END IF;
        PERFORM tl.admin_note(v_who, NULL, 'espece.modification', btrim(p_common));
    END IF;
    RETURN v_id;
EXCEPTION WHEN unique_violation THEN
    RAISE EXCEPTION 'une espèce porte déjà ce nom' USING ERRCODE = 'unique_violation',
        CONSTRAINT = 'seed_species_common_name_key';
END $$;

CREATE FUNCTION tl.save_variety(p_login text, p_id integer, p_species integer, p_name text, p_description text,
                                p_sowing text)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_who integer := tl.require_some_referent(p_login);
    v_id  integer;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM tl.seed_species WHERE id = p_species) THEN
        RAISE EXCEPTION 'choisissez une espèce de la liste' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'seed_variety_species_fkey';
    END IF;
    IF btrim(coalesce(p_name, '')) = '' THEN
        RAISE EXCEPTION 'indiquez le nom de la variété' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'seed_variety_name_not_blank';
    END IF;
    IF p_id IS NULL THEN
        INSERT INTO tl.seed_variety (species_id, name, description, sowing)
        VALUES (p_species, btrim(p_name), btrim(coalesce(p_description, '')), btrim(coalesce(p_sowing, '')))
        RETURNING id INTO v_id;
        PERFORM tl.admin_note(v_who, NULL, 'variete.creation', btrim(p_name));
    ELSE
        UPDATE tl.seed_variety SET species_id = p_species, name = btrim(p_name),
                                   description = btrim(coalesce(p_description, '')), sowing = btrim(coalesce(p_sowing, ''))
         WHERE id = p_id RETURNING id INTO v_id;
        IF v_id IS NULL THEN
            RAISE EXCEPTION 'cette variété n''existe pas' USING ERRCODE = 'foreign_key_violation',
                CONSTRAINT = 'seed_lot_variety_fkey';
        END IF;
        PERFORM tl.admin_note(v_who, NULL, 'variete.modification', btrim(p_name));
    END IF;
    RETURN v_id;
EXCEPTION WHEN unique_violation THEN
    RAISE EXCEPTION 'cette espèce a déjà une variété de ce nom' USING ERRCODE = 'unique_violation',
        CONSTRAINT = 'seed_variety_unique_name';
END $$;

-- A lot whose seeds no longer germinate (or got damp) is emptied: a
-- withdrawal of what is left, with the reason in the journal.
CREATE FUNCTION tl.discard_lot(p_login text, p_lot integer, p_reason text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_lot  tl.seed_lot;
    v_who  integer;
    v_left integer;
BEGIN
    SELECT * INTO v_lot FROM tl.seed_lot WHERE id = p_lot FOR UPDATE;
    IF v_lot.id IS NULL THEN
        RAISE EXCEPTION 'ce lot n''existe pas' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'seed_movement_lot_fkey';
    END IF;
    v_who := tl.require_role(p_login, v_lot.place_id, 'referent');
    IF btrim(coalesce(p_reason, '')) = '' THEN
        RAISE EXCEPTION 'indiquez pourquoi le lot est écarté (germination, humidité…)'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'seed_lot_discard_reason';
    END IF;
    SELECT packets INTO v_left FROM tl.seed_lot_stock WHERE lot_id = p_lot;
    IF v_left > 0 THEN
        INSERT INTO tl.seed_movement (lot_id, kind, packets, account_id) VALUES (p_lot, 'retrait', v_left, v_who);
    END IF;
    PERFORM tl.admin_note(v_who, v_lot.place_id, 'lot.ecarte', 'lot ' || p_lot,
                          format('%s sachet(s) : %s', coalesce(v_left, 0), btrim(p_reason)));
END $$;

-- The lots of a place with stock, for its référents.
CREATE FUNCTION tl.admin_lots(p_login text, p_place text)
RETURNS TABLE (lot_id integer, variety text, species text, harvest_year integer, packets integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place tl.place := tl.require_place(p_place);
BEGIN
    PERFORM tl.require_role(p_login, v_place.id, 'referent');
    RETURN QUERY
    SELECT l.id, v.name, s.common_name, l.harvest_year, st.packets
      FROM tl.seed_lot l JOIN tl.seed_lot_stock st ON st.lot_id = l.id
      JOIN tl.seed_variety v ON v.id = l.variety_id JOIN tl.seed_species s ON s.id = v.species_id
     WHERE l.place_id = v_place.id AND st.packets > 0
     ORDER BY s.common_name, v.name, l.harvest_year;
END $$;

-- Applying this file makes every lot's stock what its movements say (only
-- where it differs: an UPDATE of no row still bumps the data version).
DO $$ BEGIN
    CREATE TEMPORARY TABLE seed_lot_recounted ON COMMIT DROP AS
    SELECT x.id, coalesce(sum(tl.movement_packets(m.kind, m.packets)), 0) AS packets
      FROM tl.seed_lot x LEFT JOIN tl.seed_movement m ON m.lot_id = x.id
     GROUP BY x.id HAVING x.packets <> coalesce(sum(tl.movement_packets(m.kind, m.packets)), 0);
    IF EXISTS (SELECT 1 FROM seed_lot_recounted) THEN
        UPDATE tl.seed_lot l SET packets = s.packets FROM seed_lot_recounted s WHERE s.id = l.id;
    END IF;
    DROP TABLE seed_lot_recounted;
END $$;

-- Tables of this area whose content a page can show: every write bumps the
-- data version (tl.track_changes; a test checks none is forgotten).
DO $$ BEGIN PERFORM tl.track_changes(t::regclass, 'seeds') FROM unnest(ARRAY['tl.seed_lot', 'tl.seed_movement', 'tl.seed_species', 'tl.seed_variety']) AS t; END $$;

------------------------------------------------------------------------------
-- Rights: functions are executable by PUBLIC unless revoked; the desk's
-- functions go to tierslieux_guichet, the public pages' to tierslieux_lecture,
-- the sending command's to tierslieux_courriels.
------------------------------------------------------------------------------
REVOKE ALL ON FUNCTION tl.admin_lots(text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.admin_lots(text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.desk_seed_reminders(text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.desk_seed_reminders(text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.discard_lot(text,integer,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.discard_lot(text,integer,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.save_species(text,integer,text,text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.save_species(text,integer,text,text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.save_variety(text,integer,integer,text,text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.save_variety(text,integer,integer,text,text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.seed_deposit(text,text,integer,integer,integer,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.seed_deposit(text,text,integer,integer,integer,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.seed_deposit_for(text,text,integer,integer,integer,text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.seed_deposit_for(text,text,integer,integer,integer,text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.seed_withdraw(text,integer,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.seed_withdraw(text,integer,integer) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.seed_withdraw_for(text,integer,integer,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.seed_withdraw_for(text,integer,integer,text) TO tierslieux_guichet;
GRANT SELECT (id, variety_id, collection_id, place_id, harvest_year, created_at) ON tl.seed_lot TO tierslieux_lecture;
GRANT SELECT ON tl.seed_lot_stock TO tierslieux_lecture;
GRANT SELECT ON tl.seed_movement_desk TO tierslieux_guichet;
GRANT SELECT ON tl.seed_species TO tierslieux_lecture;
GRANT SELECT ON tl.seed_variety TO tierslieux_lecture;
