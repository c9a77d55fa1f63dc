-- Places and catalogue: items, their identity and search words, the public
-- catalogue and availability, the desk's item file and maintenance.
--
-- The current form of this area's functions, views, triggers and rights.
-- script/migrate drops every function and view of schema tl (but the
-- constraint helpers of sql/schema) and applies the files of sql/logic/ORDER
-- again after the numbered migrations, in one transaction: edit here, never
-- in a numbered file.

-- The items one cannot borrow now, and why: in maintenance, lent until
-- due_on, or on its way between two places (sent and not yet received,
-- sql/schema/006) — maintenance first: an item back from a loan may go to
-- repair. Few at any time, and found through the partial indexes of open
-- loans, open maintenance and open movements, so pages filter and sort by
-- availability without going over every item.
CREATE VIEW tl.item_unavailable AS
SELECT m.item_id, 'maintenance'::text AS state, NULL::date AS due_on
  FROM tl.maintenance m WHERE m.ended_at IS NULL
UNION ALL
SELECT b.item_id, 'pret'::text, b.due_on
  FROM tl.booking b
 WHERE b.kind = 'pret' AND b.returned_at IS NULL
   AND NOT EXISTS (SELECT 1 FROM tl.maintenance m WHERE m.item_id = b.item_id AND m.ended_at IS NULL)
UNION ALL
SELECT v.item_id, 'transit'::text, NULL::date
  FROM tl.item_movement v
 WHERE v.received_at IS NULL AND v.cancelled_at IS NULL AND v.sent_at IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM tl.maintenance m WHERE m.item_id = v.item_id AND m.ended_at IS NULL)
   AND NOT EXISTS (SELECT 1 FROM tl.booking b WHERE b.item_id = v.item_id AND b.kind = 'pret' AND b.returned_at IS NULL);

COMMENT ON VIEW tl.item_unavailable IS 'Items not available now: maintenance, pret until due_on, or transit';

-- The same for one item or every item, found through the same indexes.
CREATE VIEW tl.item_availability AS
SELECT i.id AS item_id,
       CASE WHEN m.id IS NOT NULL THEN 'maintenance'
            WHEN b.id IS NOT NULL THEN 'pret'
            WHEN v.id IS NOT NULL THEN 'transit'
            ELSE 'disponible' END AS state,
       CASE WHEN m.id IS NULL THEN b.due_on END AS due_on
  FROM tl.item i
  LEFT JOIN tl.maintenance m ON m.item_id = i.id AND m.ended_at IS NULL
  LEFT JOIN tl.booking b ON b.item_id = i.id AND b.kind = 'pret' AND b.returned_at IS NULL
  LEFT JOIN tl.item_movement v ON v.item_id = i.id AND v.received_at IS NULL AND v.cancelled_at IS NULL
                              AND v.sent_at IS NOT NULL;

COMMENT ON VIEW tl.item_availability IS
    'Public availability of each item: disponible, pret (until due_on), maintenance or transit';

-- Every item gets its object identity when it is created, unless it is an
-- existing object moving into the outilthèque.
CREATE FUNCTION tl.item_give_identity() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.object_id IS NULL THEN
        INSERT INTO tl.object DEFAULT VALUES RETURNING id INTO NEW.object_id;
    END IF;
    RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS item_give_identity ON tl.item;
CREATE TRIGGER item_give_identity BEFORE INSERT ON tl.item
    FOR EACH ROW EXECUTE FUNCTION tl.item_give_identity();

CREATE FUNCTION tl.refresh_catalogue_word() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    REFRESH MATERIALIZED VIEW tl.catalogue_word;
    RETURN NULL;
END $$;

-- Only when words can change: a loan or a new condition leaves them be.
DROP TRIGGER IF EXISTS refresh_catalogue_word ON tl.item;
CREATE TRIGGER refresh_catalogue_word AFTER INSERT OR UPDATE OF title, brand, description, retired_at
    OR DELETE OR TRUNCATE ON tl.item
    FOR EACH STATEMENT EXECUTE FUNCTION tl.refresh_catalogue_word();

-- The catalogue sorts titles by this key, which its indexes hold in order.
CREATE FUNCTION tl.title_sort_key(t text) RETURNS text
LANGUAGE sql STABLE STRICT SET search_path = pg_catalog AS $$
    SELECT public.unaccent(lower(t))
$$;

CREATE FUNCTION tl.item_sort_title() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    NEW.sort_title := tl.title_sort_key(NEW.title);
    RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS item_sort_title ON tl.item;
CREATE TRIGGER item_sort_title BEFORE INSERT OR UPDATE OF title ON tl.item
    FOR EACH ROW EXECUTE FUNCTION tl.item_sort_title();

-- The counts of tl.item_count for these places, again from the items and
-- their availability (tl.lock_places: the last to count sees every change).
CREATE FUNCTION tl.recount_items(p_places integer[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_places integer[] := tl.lock_places('tl.item_count', p_places);
BEGIN
    DELETE FROM tl.item_count WHERE place_id = ANY (v_places);
    INSERT INTO tl.item_count (place_id, category_id, items, available)
    SELECT i.place_id, i.category_id, count(*), count(*) FILTER (WHERE a.state = 'disponible')
      FROM tl.item i JOIN tl.item_availability a ON a.item_id = i.id
     WHERE i.place_id = ANY (v_places) AND i.retired_at IS NULL
     GROUP BY i.place_id, i.category_id;
END $$;

-- After a statement on tl.item, tl.booking, tl.maintenance or
-- tl.item_movement (sql/schema/006): the places of
-- the rows whose count or availability may have changed are counted again.
-- Transition tables give every row of the statement at once (one count per
-- place for the 50,000 items of a network's import, not one per item). A
-- booking keeps its item from being borrowed while it is an open loan, a
-- maintenance while it is open, a movement while it travels (as
-- tl.item_availability says): only rows that start or stop doing so change
-- a count.
CREATE FUNCTION tl.item_count_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_places integer[];
BEGIN
    -- Each branch names only the transition tables its trigger has.
    IF TG_TABLE_NAME = 'item' AND TG_OP = 'INSERT' THEN
        v_places := ARRAY(SELECT n.place_id FROM new_rows n);
    ELSIF TG_TABLE_NAME = 'item' AND TG_OP = 'DELETE' THEN
        v_places := ARRAY(SELECT o.place_id FROM old_rows o);
    ELSIF TG_TABLE_NAME = 'item' THEN
        v_places := ARRAY(SELECT x FROM old_rows o JOIN new_rows n ON n.id = o.id,
                                 LATERAL unnest(ARRAY[o.place_id, n.place_id]) AS x
                           WHERE (o.place_id, o.category_id, o.retired_at IS NULL)
                                 IS DISTINCT FROM (n.place_id, n.category_id, n.retired_at IS NULL));
    ELSIF TG_TABLE_NAME = 'booking' AND TG_OP = 'INSERT' THEN
        v_places := tl.places_of(ARRAY(SELECT n.item_id FROM new_rows n WHERE n.kind = 'pret' AND n.returned_at IS NULL));
    ELSIF TG_TABLE_NAME = 'booking' AND TG_OP = 'DELETE' THEN
        v_places := tl.places_of(ARRAY(SELECT o.item_id FROM old_rows o WHERE o.kind = 'pret' AND o.returned_at IS NULL));
    ELSIF TG_TABLE_NAME = 'booking' THEN
        v_places := tl.places_of(ARRAY(
            SELECT x FROM old_rows o JOIN new_rows n ON n.id = o.id, LATERAL unnest(ARRAY[o.item_id, n.item_id]) AS x
             WHERE (o.item_id, o.kind = 'pret' AND o.returned_at IS NULL)
                   IS DISTINCT FROM (n.item_id, n.kind = 'pret' AND n.returned_at IS NULL)));
    ELSIF TG_TABLE_NAME = 'item_movement' AND TG_OP = 'INSERT' THEN
        v_places := tl.places_of(ARRAY(SELECT n.item_id FROM new_rows n
                                        WHERE n.sent_at IS NOT NULL AND n.received_at IS NULL AND n.cancelled_at IS NULL));
    ELSIF TG_TABLE_NAME = 'item_movement' AND TG_OP = 'DELETE' THEN
        v_places := tl.places_of(ARRAY(SELECT o.item_id FROM old_rows o
                                        WHERE o.sent_at IS NOT NULL AND o.received_at IS NULL AND o.cancelled_at IS NULL));
    ELSIF TG_TABLE_NAME = 'item_movement' THEN
        v_places := tl.places_of(ARRAY(
            SELECT x FROM old_rows o JOIN new_rows n ON n.id = o.id, LATERAL unnest(ARRAY[o.item_id, n.item_id]) AS x
             WHERE (o.item_id, o.sent_at IS NOT NULL AND o.received_at IS NULL AND o.cancelled_at IS NULL)
                   IS DISTINCT FROM (n.item_id, n.sent_at IS NOT NULL AND n.received_at IS NULL
                                     AND n.cancelled_at IS NULL)));
    ELSIF TG_OP = 'INSERT' THEN
        v_places := tl.places_of(ARRAY(SELECT n.item_id FROM new_rows n WHERE n.ended_at IS NULL));
    ELSIF TG_OP = 'DELETE' THEN
        v_places := tl.places_of(ARRAY(SELECT o.item_id FROM old_rows o WHERE o.ended_at IS NULL));
    ELSE
        v_places := tl.places_of(ARRAY(
            SELECT x FROM old_rows o JOIN new_rows n ON n.id = o.id, LATERAL unnest(ARRAY[o.item_id, n.item_id]) AS x
             WHERE (o.item_id, o.ended_at IS NULL) IS DISTINCT FROM (n.item_id, n.ended_at IS NULL)));
    END IF;
    IF cardinality(v_places) > 0 THEN
        PERFORM tl.recount_items(v_places);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION tl.places_of(p_items integer[]) RETURNS integer[]
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT ARRAY(SELECT DISTINCT i.place_id FROM tl.item i WHERE i.id = ANY (p_items))
$$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['item', 'booking', 'maintenance', 'item_movement'] LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS item_count_insert ON tl.%1$I; '
                       'DROP TRIGGER IF EXISTS item_count_update ON tl.%1$I; '
                       'DROP TRIGGER IF EXISTS item_count_delete ON tl.%1$I; '
                       'CREATE TRIGGER item_count_insert AFTER INSERT ON tl.%1$I REFERENCING NEW TABLE AS new_rows '
                       '    FOR EACH STATEMENT EXECUTE FUNCTION tl.item_count_changed(); '
                       'CREATE TRIGGER item_count_update AFTER UPDATE ON tl.%1$I '
                       '    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
                       '    FOR EACH STATEMENT EXECUTE FUNCTION tl.item_count_changed(); '
                       'CREATE TRIGGER item_count_delete AFTER DELETE ON tl.%1$I REFERENCING OLD TABLE AS old_rows '
                       '    FOR EACH STATEMENT EXECUTE FUNCTION tl.item_count_changed()', t);
    END LOOP;
END $$;

-- The search query for the words a resident typed. Each word is searched
-- as typed; a word the catalogue does not contain is also searched as its
-- closest catalogue word. The words are never parsed as tsquery syntax, so
-- no input can break the query.
CREATE FUNCTION tl.catalogue_query(words text) RETURNS tsquery
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public AS $$
DECLARE
    w      text;
    near   text;
    part   tsquery;
    result tsquery;
BEGIN
    FOR w IN SELECT DISTINCT x
               FROM regexp_split_to_table(lower(public.unaccent(coalesce(words, ''))), '[^a-z0-9]+') AS x
              WHERE x <> '' LOOP
        part := plainto_tsquery('tl.fr', w);
        CONTINUE WHEN numnode(part) = 0;           -- a stop word
        IF length(w) >= 4 AND NOT EXISTS (SELECT 1 FROM tl.catalogue_word c WHERE c.word = w) THEN
            SELECT c.word INTO near
              FROM tl.catalogue_word c
             WHERE c.word % w
             ORDER BY c.word <-> w, c.uses DESC
             LIMIT 1;
            IF near IS NOT NULL THEN
                part := part || plainto_tsquery('tl.fr', near);
            END IF;
        END IF;
        result := CASE WHEN result IS NULL THEN part ELSE result && part END;
    END LOOP;
    RETURN result;
END $$;

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

-- tl.end_maintenance as in 010, and then the same: an item back from
-- maintenance is on the shelf again.
CREATE FUNCTION tl.end_maintenance(p_login text, p_number text, p_work text, p_safety_checked boolean)
RETURNS void
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
    PERFORM tl.queue_item_back(v_item.id, now());
END $$;

------------------------------------------------------------------------------
-- Opening days: the due date of a loan falls on a day its place opens.
-- tl.place_opening holds the days and spans the module's parser read in
-- the hours a référent typed (tl.save_place); nothing here parses hours.
------------------------------------------------------------------------------

-- Easter Sunday of a Gregorian year (the anonymous algorithm, 1583 on).
CREATE FUNCTION tl.easter(p_year integer) RETURNS date
LANGUAGE plpgsql IMMUTABLE STRICT SET search_path = pg_catalog AS $$
DECLARE
    a integer := p_year % 19;
    b integer := p_year / 100;
    c integer := p_year % 100;
    h integer;
    l integer;
    m integer;
BEGIN
    h := (19 * a + b - b / 4 - (b - (b + 8) / 25 + 1) / 3 + 15) % 30;
    l := (32 + 2 * (b % 4) + 2 * (c / 4) - h - c % 4) % 7;
    m := (a + 11 * h + 22 * l) / 451;
    RETURN make_date(p_year, (h + l - 7 * m + 114) / 31, (h + l - 7 * m + 114) % 31 + 1);
END $$;

-- A public holiday in France: the eleven national ones, and the abolition
-- of slavery where the place's time zone says which overseas département it
-- is in. Other local days off (Alsace-Moselle's, a town's) are closures.
CREATE FUNCTION tl.public_holiday(p_day date, p_time_zone text) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT SET search_path = pg_catalog AS $$
    SELECT to_char(p_day, 'MM-DD') IN ('01-01', '05-01', '05-08', '07-14', '08-15', '11-01', '11-11', '12-25')
        OR p_day - tl.easter(extract(year FROM p_day)::integer) IN (1, 39, 50)
        OR (p_time_zone, to_char(p_day, 'MM-DD')) IN (('Indian/Reunion', '12-20'), ('America/Martinique', '05-22'),
                                                     ('America/Guadeloupe', '05-27'), ('America/Cayenne', '06-10'),
                                                     ('Indian/Mayotte', '04-27'))
$$;

-- The first day from p_from on when the place opens: a day of its hours,
-- outside its closures and, when it closes then, public holidays. A place
-- without hours opens every day; p_from itself when no day comes within a
-- year and a week (a place closed for good).
CREATE FUNCTION tl.next_open_day(p_place integer, p_from date) RETURNS date
LANGUAGE plpgsql STABLE SET search_path = pg_catalog AS $$
DECLARE
    v_place tl.place;
    v_days  integer[];      -- the weekdays of its hours (ISO), none: every day
BEGIN
    SELECT * INTO v_place FROM tl.place p WHERE p.id = p_place;
    IF NOT FOUND THEN
        RETURN p_from;
    END IF;
    v_days := ARRAY(SELECT DISTINCT o.weekday FROM tl.place_opening o WHERE o.place_id = p_place);
    -- Day after day, so that the usual answer (today, or in a day or two)
    -- costs a few lookups, not a year of them.
    FOR k IN 0..372 LOOP
        IF (cardinality(v_days) = 0 OR extract(isodow FROM p_from + k)::integer = ANY (v_days))
           AND NOT EXISTS (SELECT 1 FROM tl.place_closure c
                            WHERE c.place_id = p_place AND p_from + k BETWEEN c.starts_on AND c.ends_on)
           AND NOT (v_place.closed_on_public_holidays AND tl.public_holiday(p_from + k, v_place.time_zone)) THEN
            RETURN p_from + k;
        END IF;
    END LOOP;
    RETURN p_from;
END $$;

-- Today at a place, in its time zone.
CREATE FUNCTION tl.place_today(p_place integer) RETURNS date
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT (now() AT TIME ZONE p.time_zone)::date FROM tl.place p WHERE p.id = p_place
$$;

-- The due date of a loan of an item starting, or renewed, from p_from: the
-- loan length of the item (or its category) later, on a day its place opens.
CREATE FUNCTION tl.due_date(p_item integer, p_from date) RETURNS date
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT tl.next_open_day(i.place_id, p_from + coalesce(i.loan_days, c.loan_days))
      FROM tl.item i JOIN tl.category c ON c.id = i.category_id
     WHERE i.id = p_item
$$;

-- "9 h", "12 h 30", "24 h" from minutes since midnight.
CREATE FUNCTION tl.minutes_fr(p_minutes integer) RETURNS text
LANGUAGE sql IMMUTABLE STRICT SET search_path = pg_catalog AS $$
    SELECT (p_minutes / 60) || ' h' || CASE WHEN p_minutes % 60 > 0 THEN ' ' || lpad((p_minutes % 60)::text, 2, '0')
                                           ELSE '' END
$$;

-- A place's hours as French lines, for messages: days with the same spans
-- together, three or more in a row as a range ("du mardi au vendredi :
-- 8 h 30 – 12 h, 13 h 30 – 17 h"), then "fermé les jours fériés". Empty
-- when the place gave no hours.
CREATE FUNCTION tl.hours_fr(p_place integer) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog AS $$
DECLARE
    v_names constant text[] := ARRAY['lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi', 'dimanche'];
    v_group record;
    v_out   text[] := '{}';
    v_days  text[];
    i       integer;
    j       integer;
BEGIN
    FOR v_group IN
        SELECT d.spans, array_agg(d.weekday ORDER BY d.weekday) AS days
          FROM (SELECT o.weekday, string_agg(tl.minutes_fr(o.opens) || ' – ' || tl.minutes_fr(o.closes), ', '
                                             ORDER BY o.opens) AS spans
                  FROM tl.place_opening o WHERE o.place_id = p_place GROUP BY o.weekday) d
         GROUP BY d.spans ORDER BY min(d.weekday)
    LOOP
        IF v_group.spans = '0 h – 24 h' AND cardinality(v_group.days) = 7 THEN
            v_out := v_out || 'ouvert tous les jours, 24 h sur 24'::text;
            CONTINUE;
        END IF;
        v_days := '{}';
        i := 1;
        WHILE i <= cardinality(v_group.days) LOOP
            j := i;
            WHILE j < cardinality(v_group.days) AND v_group.days[j + 1] = v_group.days[j] + 1 LOOP
                j := j + 1;
            END LOOP;
            IF j - i >= 2 THEN
                v_days := v_days || ('du ' || v_names[v_group.days[i]] || ' au ' || v_names[v_group.days[j]]);
            ELSE
                FOR k IN i .. j LOOP
                    v_days := v_days || v_names[v_group.days[k]];
                END LOOP;
            END IF;
            i := j + 1;
        END LOOP;
        v_out := v_out || (array_to_string(v_days, ', ') || ' : ' || v_group.spans);
    END LOOP;
    IF cardinality(v_out) > 0 AND (SELECT p.closed_on_public_holidays FROM tl.place p WHERE p.id = p_place) THEN
        v_out := v_out || 'fermé les jours fériés'::text;
    END IF;
    RETURN array_to_string(v_out, E'\n');
END $$;

-- Applying this file keeps the sort keys and counts true whatever wrote
-- before: items from before the sort key get theirs (only when there are
-- some: an UPDATE of no row still bumps the data version), every place is
-- counted.
DO $$ BEGIN
    IF EXISTS (SELECT 1 FROM tl.item WHERE sort_title IS NULL) THEN
        UPDATE tl.item SET sort_title = tl.title_sort_key(title) WHERE sort_title IS NULL;
    END IF;
    PERFORM tl.recount_items(ARRAY(SELECT id FROM tl.place));
END $$;

-- Tables of this area whose content a page can show: every write bumps the
-- data version (tl.track_changes; a test checks none is forgotten).
DO $$ BEGIN PERFORM tl.track_changes(t::regclass, 'places_catalogue') FROM unnest(ARRAY['tl.category', 'tl.collection', 'tl.item', 'tl.item_component', 'tl.item_condition', 'tl.maintenance', 'tl.object', 'tl.organisation', 'tl.place', 'tl.place_opening']) AS t; END $$;

------------------------------------------------------------------------------
-- Rights: functions are executable by PUBLIC unless revoked; the desk's
-- functions go to tierslieux_guichet, the public pages' to tierslieux_lecture,
-- the sending command's to tierslieux_courriels.
------------------------------------------------------------------------------
GRANT EXECUTE ON FUNCTION tl.catalogue_query(text) TO tierslieux_lecture;
REVOKE ALL ON FUNCTION tl.due_date(integer,date) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.hours_fr(integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.next_open_day(integer,date) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.recount_items(integer[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.desk_item(text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.desk_item(text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.desk_maintenance_log(text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.desk_maintenance_log(text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.end_maintenance(text,text,text,boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.end_maintenance(text,text,text,boolean) TO tierslieux_guichet;
GRANT EXECUTE ON FUNCTION tl.find_item(text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.start_maintenance(text,text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.start_maintenance(text,text,text) TO tierslieux_guichet;
GRANT SELECT ON tl.catalogue_word TO tierslieux_lecture;
GRANT SELECT ON tl.category TO tierslieux_lecture;
GRANT SELECT ON tl.collection TO tierslieux_lecture;
GRANT SELECT ON tl.item TO tierslieux_lecture;
GRANT SELECT ON tl.item_availability TO tierslieux_lecture;
GRANT SELECT ON tl.item_component TO tierslieux_lecture;
GRANT SELECT ON tl.item_unavailable TO tierslieux_lecture;
GRANT SELECT ON tl.item_condition TO tierslieux_lecture;
GRANT SELECT ON tl.item_count TO tierslieux_lecture;
GRANT SELECT ON tl.organisation TO tierslieux_lecture;
GRANT SELECT ON tl.place TO tierslieux_lecture;
