-- Impact: the figures of a year for a place or the whole network — loans
-- and borrowers served, seeds given and given back, repair café sessions
-- and their results, the ressourcerie's kilograms and reuse rate, the
-- volunteers' hours — read from the records of the areas before this one,
-- or from the tally the database keeps of them per place and month
-- (tl.impact_tally, counted again whenever they change), so they always
-- equal the sums of those records. Counts
-- only: nothing here names, ranks or follows a person. Publicly a count
-- below 3 reads « moins de 3 » (tl.people_count, sql/logic/volunteering.sql).
--
-- The back office's annual report (/gestion/bilan, its CSV) and the public
-- impact page (/impact) read the same rows: tl.impact_report checks the
-- role, tl.public_impact hides the small counts.

------------------------------------------------------------------------------
-- The kept tally (sql/schema/015): a place's year month by month, counted
-- again from the records of that place and year whenever a statement
-- writes them (tl.lock_places), never adjusted by a difference:
--   prets, emprunteurs, emprunteurs_reseau: loans begun that month, and
--     those that made their borrower one of the place's (of the network's)
--     borrowers of the year;
--   objets, repares, reparables, fin_de_vie, inconnu, dechets_kg, co2_kg:
--     repair records of that month and their results;
--   kg_entres, kg_vendus, kg_donnes: the ressourcerie's flows
--     (tl.reuse_flows).
------------------------------------------------------------------------------

-- A loan's place is the item's when it is lent.
CREATE FUNCTION tl.booking_loan_place() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    IF NEW.kind <> 'pret' THEN
        NEW.loan_place_id := NULL;
    ELSIF NEW.loan_place_id IS NULL OR (TG_OP = 'UPDATE' AND (NEW.item_id <> OLD.item_id OR OLD.kind <> 'pret')) THEN
        NEW.loan_place_id := (SELECT i.place_id FROM tl.item i WHERE i.id = NEW.item_id);
    END IF;
    RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS booking_loan_place ON tl.booking;
CREATE TRIGGER booking_loan_place BEFORE INSERT OR UPDATE OF kind, item_id ON tl.booking
    FOR EACH ROW EXECUTE FUNCTION tl.booking_loan_place();

-- The marks of these members' loans, and of these loans (which may have
-- lost their member): on each person's earliest loan of a year at a place
-- (first_here) and anywhere in the network (first_network), each place's
-- year in its time zone; on no other loan. Only the loans whose mark
-- changes are written.
CREATE FUNCTION tl.mark_borrowers(p_members integer[], p_loans bigint[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_ids     bigint[];
    v_here    boolean[];
    v_network boolean[];
BEGIN
    WITH mine AS (
        SELECT b.id, b.member_id, b.loan_place_id, b.starts_at, b.cancelled_at, p.time_zone
          FROM tl.booking b JOIN tl.place p ON p.id = b.loan_place_id
         WHERE b.member_id = ANY (p_members) AND b.kind = 'pret'
    ), counted AS (
        SELECT m.id, m.member_id, m.loan_place_id, m.starts_at,
               extract(year FROM m.starts_at AT TIME ZONE m.time_zone)::integer AS y
          FROM mine m WHERE m.cancelled_at IS NULL
    ), want AS (
        SELECT c.id,
               c.id = first_value(c.id) OVER (PARTITION BY c.member_id, c.loan_place_id, c.y
                                              ORDER BY c.starts_at, c.id) AS here,
               c.id = first_value(c.id) OVER (PARTITION BY c.member_id, c.y ORDER BY c.starts_at, c.id) AS network
          FROM counted c
    ), touched AS (
        SELECT m.id FROM mine m
        UNION
        SELECT x.id FROM unnest(p_loans) AS x(id)
    )
    SELECT array_agg(b.id), array_agg(coalesce(w.here, false)), array_agg(coalesce(w.network, false))
      INTO v_ids, v_here, v_network
      FROM touched t JOIN tl.booking b ON b.id = t.id LEFT JOIN want w ON w.id = t.id
     WHERE (b.first_here, b.first_network) IS DISTINCT FROM (coalesce(w.here, false), coalesce(w.network, false));
    -- only when a mark moves: an update of no row still bumps the data version
    IF v_ids IS NOT NULL THEN
        UPDATE tl.booking b SET first_here = u.here, first_network = u.network
          FROM unnest(v_ids, v_here, v_network) AS u(id, here, network) WHERE b.id = u.id;
    END IF;
END $$;

-- After a statement on tl.booking: the marks of the members of its loans.
CREATE FUNCTION tl.borrowers_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_members integer[];
    v_loans   bigint[];
BEGIN
    -- Each branch names only the transition tables its trigger has.
    IF TG_OP = 'INSERT' THEN
        PERFORM tl.mark_borrowers(ARRAY(SELECT DISTINCT n.member_id FROM new_rows n WHERE n.kind = 'pret'), '{}');
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM tl.mark_borrowers(ARRAY(SELECT DISTINCT o.member_id FROM old_rows o WHERE o.kind = 'pret'), '{}');
    ELSE
        -- most updates of a loan (its return, a renewal, its marks) change no mark
        SELECT coalesce(array_agg(DISTINCT m.member_id) FILTER (WHERE m.member_id IS NOT NULL), '{}'),
               coalesce(array_agg(DISTINCT n.id) FILTER (WHERE n.first_here OR n.first_network), '{}')
          INTO v_members, v_loans
          FROM old_rows o JOIN new_rows n ON n.id = o.id, LATERAL (VALUES (o.member_id), (n.member_id)) AS m(member_id)
         WHERE (o.kind, o.item_id, o.starts_at, o.cancelled_at, o.member_id)
               IS DISTINCT FROM (n.kind, n.item_id, n.starts_at, n.cancelled_at, n.member_id);
        IF cardinality(v_members) + cardinality(v_loans) > 0 THEN
            PERFORM tl.mark_borrowers(v_members, v_loans);
        END IF;
    END IF;
    RETURN NULL;
END $$;

-- The tally's figures of each source.
CREATE FUNCTION tl.impact_figures(p_source text) RETURNS text[]
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $$
    SELECT CASE p_source
               WHEN 'prets' THEN ARRAY['prets', 'emprunteurs', 'emprunteurs_reseau']
               WHEN 'reparations' THEN ARRAY['objets', 'repares', 'reparables', 'fin_de_vie', 'inconnu', 'dechets_kg',
                                             'co2_kg']
               WHEN 'ressourcerie' THEN ARRAY['kg_entres', 'kg_vendus', 'kg_donnes'] END
$$;

-- The tally of a source (prets, reparations, ressourcerie) for these
-- places' years (p_places and p_years side by side), again from the
-- records.
CREATE FUNCTION tl.recount_impact(p_source text, p_places integer[], p_years integer[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place integer;
    v_year  integer;
    v_zone  text;
BEGIN
    PERFORM tl.lock_places('tl.impact_tally ' || p_source, p_places);
    DELETE FROM tl.impact_tally t USING unnest(p_places, p_years) AS k(place_id, year)
     WHERE t.place_id = k.place_id AND t.year = k.year AND t.figure = ANY (tl.impact_figures(p_source));
    IF p_source = 'prets' THEN
        -- a year at a time, its bounds known: the index reads that year's loans only
        FOR v_place, v_year, v_zone IN
            SELECT DISTINCT k.place_id, k.year, p.time_zone FROM unnest(p_places, p_years) AS k(place_id, year)
              JOIN tl.place p ON p.id = k.place_id WHERE k.year IS NOT NULL
        LOOP
            INSERT INTO tl.impact_tally (place_id, year, month, figure, value)
            SELECT v_place, v_year, l.month, f.figure, f.value
              FROM (SELECT extract(month FROM b.starts_at AT TIME ZONE v_zone)::integer AS month, count(*) AS loans,
                           count(*) FILTER (WHERE b.first_here) AS here,
                           count(*) FILTER (WHERE b.first_network) AS network
                      FROM tl.booking b
                     WHERE b.loan_place_id = v_place AND b.kind = 'pret' AND b.cancelled_at IS NULL
                       AND b.starts_at >= make_date(v_year, 1, 1)::timestamp AT TIME ZONE v_zone
                       AND b.starts_at < make_date(v_year + 1, 1, 1)::timestamp AT TIME ZONE v_zone
                     GROUP BY 1) l
             CROSS JOIN LATERAL (VALUES ('prets', l.loans), ('emprunteurs', l.here),
                                        ('emprunteurs_reseau', l.network)) AS f(figure, value)
             WHERE f.value <> 0;
        END LOOP;
    ELSIF p_source = 'reparations' THEN
        INSERT INTO tl.impact_tally (place_id, year, month, figure, value)
        SELECT r.place_id, r.year, r.month, f.figure, f.value
          FROM (SELECT k.place_id, k.year, extract(month FROM x.event_date)::integer AS month, count(*) AS brought,
                       count(*) FILTER (WHERE x.status = 'repare') AS fixed,
                       count(*) FILTER (WHERE x.status = 'reparable') AS repairable,
                       count(*) FILTER (WHERE x.status = 'fin_de_vie') AS end_of_life,
                       count(*) FILTER (WHERE x.status = 'inconnu') AS unknown,
                       coalesce(sum(x.waste_kg), 0) AS waste, coalesce(sum(x.co2_kg), 0) AS co2
                  FROM (SELECT DISTINCT * FROM unnest(p_places, p_years)) AS k(place_id, year) JOIN tl.repair_record x ON x.place_id = k.place_id
                   AND x.event_date >= make_date(k.year, 1, 1) AND x.event_date < make_date(k.year + 1, 1, 1)
                 GROUP BY 1, 2, 3) r
         CROSS JOIN LATERAL (VALUES ('objets', r.brought), ('repares', r.fixed), ('reparables', r.repairable),
                                    ('fin_de_vie', r.end_of_life), ('inconnu', r.unknown), ('dechets_kg', r.waste),
                                    ('co2_kg', r.co2)) AS f(figure, value)
         WHERE f.value <> 0;
    ELSE
        INSERT INTO tl.impact_tally (place_id, year, month, figure, value)
        SELECT k.place_id, k.year, r.month, f.figure, f.value
          FROM (SELECT DISTINCT * FROM unnest(p_places, p_years)) AS k(place_id, year) CROSS JOIN LATERAL tl.reuse_flows(ARRAY[k.place_id], k.year) r
         CROSS JOIN LATERAL (VALUES ('kg_entres', r.kg_in), ('kg_vendus', r.kg_sold), ('kg_donnes', r.kg_given))
                            AS f(figure, value)
         WHERE f.value <> 0;
    END IF;
END $$;

-- After a statement on a table the tally counts: the years of the places
-- its rows (old and new) belong to, counted again.
CREATE FUNCTION tl.impact_tally_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    -- The place and year of each row of the table (%1$I: old_rows or new_rows).
    v_keys   text := CASE TG_TABLE_NAME
        WHEN 'booking' THEN
            'SELECT x.loan_place_id, extract(year FROM x.starts_at AT TIME ZONE p.time_zone)::integer FROM %1$I x '
            'JOIN tl.place p ON p.id = x.loan_place_id WHERE x.kind = ''pret'''
        WHEN 'repair_record' THEN 'SELECT x.place_id, extract(year FROM x.event_date)::integer FROM %1$I x'
        WHEN 'reuse_intake' THEN 'SELECT x.place_id, extract(year FROM x.at AT TIME ZONE p.time_zone)::integer '
                                 'FROM %1$I x JOIN tl.place p ON p.id = x.place_id'
        WHEN 'reuse_weighing' THEN 'SELECT i.place_id, extract(year FROM i.at AT TIME ZONE p.time_zone)::integer '
                                   'FROM %1$I x JOIN tl.reuse_intake i ON i.id = x.intake_id '
                                   'JOIN tl.place p ON p.id = i.place_id'
        -- a cancellation changes the year of the sale it cancels
        WHEN 'reuse_sale' THEN 'SELECT x.place_id, extract(year FROM x.day)::integer FROM %1$I x UNION '
                               'SELECT s.place_id, extract(year FROM s.day)::integer FROM %1$I x '
                               'JOIN tl.reuse_sale s ON s.id = x.cancels'
        WHEN 'reuse_sale_line' THEN 'SELECT s.place_id, extract(year FROM s.day)::integer FROM %1$I x '
                                    'JOIN tl.reuse_sale s ON s.id = x.sale_id'
        WHEN 'reuse_outflow' THEN 'SELECT x.place_id, extract(year FROM x.counted_at AT TIME ZONE p.time_zone)::integer '
                                  'FROM %1$I x JOIN tl.place p ON p.id = x.place_id' END;
    v_rows   text;
    v_places integer[] := '{}';
    v_years  integer[] := '{}';
BEGIN
    IF TG_TABLE_NAME = 'booking' AND TG_OP = 'UPDATE' THEN
        -- most updates of a loan (its return, a renewal) change nothing counted
        SELECT coalesce(array_agg(k.place_id), '{}'),
               coalesce(array_agg(extract(year FROM k.starts_at AT TIME ZONE p.time_zone)::integer), '{}')
          INTO v_places, v_years
          FROM old_rows o JOIN new_rows n ON n.id = o.id,
               LATERAL (VALUES (o.loan_place_id, o.starts_at), (n.loan_place_id, n.starts_at)) AS k(place_id, starts_at)
          JOIN tl.place p ON p.id = k.place_id
         WHERE (o.kind, o.starts_at, o.cancelled_at, o.loan_place_id, o.first_here, o.first_network)
               IS DISTINCT FROM (n.kind, n.starts_at, n.cancelled_at, n.loan_place_id, n.first_here, n.first_network);
        v_keys := NULL;
    END IF;
    -- Only the transition tables the trigger has.
    FOREACH v_rows IN ARRAY CASE WHEN v_keys IS NULL THEN '{}'::text[] WHEN TG_OP = 'INSERT' THEN ARRAY['new_rows']
                                 WHEN TG_OP = 'DELETE' THEN ARRAY['old_rows'] ELSE ARRAY['old_rows', 'new_rows'] END LOOP
        EXECUTE format('SELECT $1 || array_agg(k.place_id), $2 || array_agg(k.year) FROM (' || v_keys
                       || ') AS k(place_id, year) WHERE k.place_id IS NOT NULL', v_rows)
           INTO v_places, v_years USING v_places, v_years;
    END LOOP;
    IF cardinality(v_places) > 0 THEN
        PERFORM tl.recount_impact(TG_ARGV[0], v_places, v_years);
    END IF;
    RETURN NULL;
END $$;

-- Every year of a place again (its time zone moved the years' bounds), or
-- of every place (p_place NULL, when this file is applied).
CREATE FUNCTION tl.recount_impact_of(p_place integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_source text;
    v_places integer[];
    v_years  integer[];
BEGIN
    PERFORM tl.mark_borrowers(ARRAY(SELECT DISTINCT b.member_id FROM tl.booking b
                                     WHERE b.kind = 'pret' AND b.member_id IS NOT NULL
                                       AND (p_place IS NULL OR b.loan_place_id = p_place)), '{}');
    DELETE FROM tl.impact_tally WHERE p_place IS NULL OR place_id = p_place;
    FOREACH v_source IN ARRAY ARRAY['prets', 'reparations', 'ressourcerie'] LOOP
        SELECT array_agg(k.place_id), array_agg(k.year) INTO v_places, v_years FROM (
            SELECT DISTINCT b.loan_place_id AS place_id,
                   extract(year FROM b.starts_at AT TIME ZONE p.time_zone)::integer AS year
              FROM tl.booking b JOIN tl.place p ON p.id = b.loan_place_id
             WHERE v_source = 'prets' AND b.kind = 'pret' AND (p_place IS NULL OR b.loan_place_id = p_place)
            UNION SELECT r.place_id, extract(year FROM r.event_date)::integer FROM tl.repair_record r
             WHERE v_source = 'reparations' AND (p_place IS NULL OR r.place_id = p_place)
            UNION SELECT i.place_id, extract(year FROM i.at AT TIME ZONE p.time_zone)::integer
              FROM tl.reuse_intake i JOIN tl.place p ON p.id = i.place_id
             WHERE v_source = 'ressourcerie' AND (p_place IS NULL OR i.place_id = p_place)
            UNION SELECT s.place_id, extract(year FROM s.day)::integer FROM tl.reuse_sale s
             WHERE v_source = 'ressourcerie' AND (p_place IS NULL OR s.place_id = p_place)
            UNION SELECT o.place_id, extract(year FROM o.counted_at AT TIME ZONE p.time_zone)::integer
              FROM tl.reuse_outflow o JOIN tl.place p ON p.id = o.place_id
             WHERE v_source = 'ressourcerie' AND (p_place IS NULL OR o.place_id = p_place)) k;
        IF v_places IS NOT NULL THEN
            PERFORM tl.recount_impact(v_source, v_places, v_years);
        END IF;
    END LOOP;
END $$;

-- After a place's time zone changed.
CREATE FUNCTION tl.impact_place_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    PERFORM tl.recount_impact_of(NEW.id);
    RETURN NULL;
END $$;

DO $$
DECLARE
    v_table  text;
    v_source text;
BEGIN
    FOR v_table, v_source IN VALUES
        ('booking', 'prets'), ('repair_record', 'reparations'), ('reuse_intake', 'ressourcerie'),
        ('reuse_weighing', 'ressourcerie'), ('reuse_sale', 'ressourcerie'), ('reuse_sale_line', 'ressourcerie'),
        ('reuse_outflow', 'ressourcerie')
    LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS impact_tally_insert ON tl.%I', v_table);
        EXECUTE format('DROP TRIGGER IF EXISTS impact_tally_update ON tl.%I', v_table);
        EXECUTE format('DROP TRIGGER IF EXISTS impact_tally_delete ON tl.%I', v_table);
        EXECUTE format('CREATE TRIGGER impact_tally_insert AFTER INSERT ON tl.%I REFERENCING NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION tl.impact_tally_changed(%L)', v_table, v_source);
        EXECUTE format('CREATE TRIGGER impact_tally_update AFTER UPDATE ON tl.%I REFERENCING OLD TABLE AS old_rows '
                       'NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tl.impact_tally_changed(%L)',
                       v_table, v_source);
        EXECUTE format('CREATE TRIGGER impact_tally_delete AFTER DELETE ON tl.%I REFERENCING OLD TABLE AS old_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION tl.impact_tally_changed(%L)', v_table, v_source);
    END LOOP;
END $$;

-- The marks come first (triggers fire in the order of their names), so
-- that the loans' tally counts them.
DROP TRIGGER IF EXISTS impact_borrowers_insert ON tl.booking;
DROP TRIGGER IF EXISTS impact_borrowers_update ON tl.booking;
DROP TRIGGER IF EXISTS impact_borrowers_delete ON tl.booking;
CREATE TRIGGER impact_borrowers_insert AFTER INSERT ON tl.booking REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tl.borrowers_changed();
CREATE TRIGGER impact_borrowers_update AFTER UPDATE ON tl.booking
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tl.borrowers_changed();
CREATE TRIGGER impact_borrowers_delete AFTER DELETE ON tl.booking REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tl.borrowers_changed();

DROP TRIGGER IF EXISTS impact_place_changed ON tl.place;
CREATE TRIGGER impact_place_changed AFTER UPDATE OF time_zone ON tl.place
    FOR EACH ROW WHEN (NEW.time_zone IS DISTINCT FROM OLD.time_zone) EXECUTE FUNCTION tl.impact_place_changed();

-- Applying this file marks and counts everything again, whatever wrote
-- before.
DO $$ BEGIN PERFORM tl.recount_impact_of(NULL); END $$;

-- The figures of p_year (NULL: this year at the place, or in Paris for
-- the network) for the place p_place (its slug), or every place with
-- p_place NULL, each place's year in its own time zone:
--   section: chiffre (a figure of the year), mois (a monthly series,
--     month 1-12), part (the repairs' results, for their chart);
--   base: the count a figure comes from, which publicly hides it when below
--     3 (NULL: kilograms, rates, never hidden).
-- The caller checks who may read them.
CREATE FUNCTION tl.impact_rows(p_place text, p_year integer)
RETURNS TABLE (ord integer, section text, key text, month integer, label text, value numeric, unit text, base bigint,
               method text, source text, year integer)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog
-- The figures' subqueries would cross the JIT threshold for no gain.
SET jit = off AS $$
DECLARE
    v_year   integer := coalesce(p_year, extract(year FROM now() AT TIME ZONE
                           coalesce((SELECT pl.time_zone FROM tl.place pl WHERE pl.slug = p_place), 'Europe/Paris'))::integer);
    v_places integer[];
    v_first  date;
    v_last   date;
    v_buy    numeric;
    v_buy_src text;
    v_disp_src text;
    v_reuse_ref numeric;
    v_reuse_src text;
BEGIN
    IF v_year < 2000 OR v_year > 2100 THEN
        RAISE EXCEPTION 'l''année s''écrit avec quatre chiffres, de 2000 à 2100' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    v_first := make_date(v_year, 1, 1);
    v_last := make_date(v_year, 12, 31);
    v_places := CASE WHEN p_place IS NULL THEN ARRAY(SELECT id FROM tl.place)
                     ELSE ARRAY[(tl.require_place(p_place)).id] END;
    -- The factors as they stood at the end of the year (the place's own
    -- where it has one): last year's report keeps last year's factors. A
    -- year before a factor was published takes the one in force today.
    SELECT f.value, f.source INTO v_buy, v_buy_src
      FROM tl.impact_factors(p_place, v_last) f WHERE f.key = 'pret_achat_evite';
    IF v_buy IS NULL THEN
        SELECT f.value, f.source INTO v_buy, v_buy_src
          FROM tl.impact_factors(p_place, current_date) f WHERE f.key = 'pret_achat_evite';
    END IF;
    SELECT coalesce(f.source, t.source) INTO v_disp_src
      FROM tl.impact_factors(p_place, v_last) f, tl.impact_factors(p_place, current_date) t
     WHERE f.key = 'reparation_deplacement' AND t.key = f.key;
    SELECT coalesce(f.value, t.value), coalesce(f.source, t.source) INTO v_reuse_ref, v_reuse_src
      FROM tl.impact_factors(p_place, v_last) f, tl.impact_factors(p_place, current_date) t
     WHERE f.key = 'ressourcerie_reemploi' AND t.key = f.key;
    RETURN QUERY
    WITH p AS MATERIALIZED (
        SELECT pl.id, pl.time_zone,
               v_first::timestamp AT TIME ZONE pl.time_zone AS y_start,
               (v_last + 1)::timestamp AT TIME ZONE pl.time_zone AS y_end
          FROM tl.place pl WHERE pl.id = ANY (v_places)
    ), t AS MATERIALIZED (
        -- the kept tally (tl.recount_impact): loans, borrowers, repairs, kilograms
        SELECT x.month AS m, x.figure, sum(x.value) AS v
          FROM tl.impact_tally x WHERE x.year = v_year AND (p_place IS NULL OR x.place_id = ANY (v_places))
         GROUP BY 1, 2
    ), seeds AS (
        SELECT coalesce(sum(m.packets) FILTER (WHERE m.kind = 'retrait'), 0) AS given,
               coalesce(sum(m.packets) FILTER (WHERE m.kind = 'depot'), 0) AS back
          FROM p JOIN tl.seed_lot l ON l.place_id = p.id
          JOIN tl.seed_movement m ON m.lot_id = l.id AND m.at >= p.y_start AND m.at < p.y_end
    ), sessions AS MATERIALIZED (
        -- held: neither cancelled nor moved, begun by now
        SELECT s.id FROM p JOIN tl.repair_session s ON s.place_id = p.id
         WHERE s.cancelled_at IS NULL AND s.moved_to IS NULL AND s.starts_at <= now()
           AND s.starts_at >= p.y_start AND s.starts_at < p.y_end
    ), participants AS (
        SELECT coalesce(sum(t.booked + t.walk_ins), 0)::bigint AS n
          FROM sessions x JOIN tl.repair_tally t ON t.session_id = x.id
    ), reuse AS (
        SELECT x.m, coalesce(sum(x.v) FILTER (WHERE x.figure = 'kg_entres'), 0) AS kg_in,
               coalesce(sum(x.v) FILTER (WHERE x.figure IN ('kg_vendus', 'kg_donnes')), 0) AS kg_reused
          FROM t x GROUP BY x.m
    ), hours AS MATERIALIZED (
        SELECT extract(month FROM s.starts_at AT TIME ZONE p.time_zone)::integer AS m,
               tl.signup_hours(u.minutes_given, s.starts_at, s.ends_at) AS h,
               s.place_id::text || ':' || coalesce(u.account_id::text, 'k' || u.tally_key, 'n' || u.id) AS who
          FROM p JOIN tl.volunteer_shift s ON s.place_id = p.id AND s.cancelled_at IS NULL AND s.ends_at <= now()
                 AND s.starts_at >= p.y_start AND s.starts_at < p.y_end
          JOIN tl.volunteer_signup u ON u.shift_id = s.id AND u.withdrawn_at IS NULL
    ), loans_m AS (
        SELECT x.m, x.v::bigint AS n FROM t x WHERE x.figure = 'prets'
    ), records_m AS (
        SELECT x.m, x.v::bigint AS n FROM t x WHERE x.figure = 'objets'
    ), hours_m AS (
        SELECT h.m, sum(h.h) AS h, count(DISTINCT h.who) AS people FROM hours h GROUP BY h.m
    ), months AS (
        SELECT m, (ARRAY['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre',
                         'octobre', 'novembre', 'décembre'])[m] AS name
          FROM generate_series(1, 12) AS m
    ), tot AS (
        SELECT rc.loans, rc.borrowers, rc.brought, rc.fixed, rc.repairable, rc.end_of_life, rc.unknown,
               round(rc.waste, 1) AS waste, round(rc.co2, 1) AS co2,
               (SELECT count(*) FROM sessions) AS sessions,
               (SELECT n FROM participants) AS participants,
               (SELECT coalesce(sum(kg_in), 0) FROM reuse) AS kg_in,
               (SELECT coalesce(sum(kg_reused), 0) FROM reuse) AS kg_reused,
               (SELECT coalesce(sum(h), 0) FROM hours) AS hours,
               (SELECT count(DISTINCT who) FROM hours) AS volunteers
          FROM (SELECT coalesce(sum(x.v) FILTER (WHERE x.figure = 'prets'), 0)::bigint AS loans,
                       -- a person who borrowed at two places is one borrower of the network
                       coalesce(sum(x.v) FILTER (WHERE x.figure = CASE WHEN p_place IS NULL THEN 'emprunteurs_reseau'
                                                                       ELSE 'emprunteurs' END), 0)::bigint AS borrowers,
                       coalesce(sum(x.v) FILTER (WHERE x.figure = 'objets'), 0)::bigint AS brought,
                       coalesce(sum(x.v) FILTER (WHERE x.figure = 'repares'), 0)::bigint AS fixed,
                       coalesce(sum(x.v) FILTER (WHERE x.figure = 'reparables'), 0)::bigint AS repairable,
                       coalesce(sum(x.v) FILTER (WHERE x.figure = 'fin_de_vie'), 0)::bigint AS end_of_life,
                       coalesce(sum(x.v) FILTER (WHERE x.figure = 'inconnu'), 0)::bigint AS unknown,
                       coalesce(sum(x.v) FILTER (WHERE x.figure = 'dechets_kg'), 0) AS waste,
                       coalesce(sum(x.v) FILTER (WHERE x.figure = 'co2_kg'), 0) AS co2
                  FROM t x) rc
    )
    SELECT x.ord, x.section, x.key, x.month, x.label, x.value, x.unit, x.base, x.method, x.source, v_year FROM (
        SELECT 10 AS ord, 'chiffre' AS section, 'prets' AS key, NULL::integer AS month, 'Prêts' AS label,
               t.loans::numeric AS value, 'prêts' AS unit, t.loans AS base,
               'Chaque prêt commencé dans l''année, compté au lieu de l''objet prêté.' AS method,
               'Registre des prêts du guichet.' AS source
          FROM tot t
        UNION ALL
        SELECT 11, 'chiffre', 'emprunteurs', NULL, 'Emprunteurs et emprunteuses servis', t.borrowers, 'personnes',
               t.borrowers,
               'Personnes distinctes ayant emprunté dans l''année, comptées sans être nommées. Un prêt rendu depuis '
               || 'plus de quatre mois n''est plus relié à son emprunteur (norme de la CNIL) : ce chiffre est un '
               || 'minimum.', 'Registre des prêts du guichet.'
          FROM tot t
        UNION ALL
        SELECT 12, 'chiffre', 'achats_evites', NULL, 'Achats neufs évités', round(t.loans * coalesce(v_buy, 0), 1),
               'achats', t.loans,
               'Prêts × ' || replace(trim_scale(coalesce(v_buy, 0))::text, '.', ',')
               || ' : chaque emprunt compte pour cette part d''un achat neuf évité.',
               coalesce(v_buy_src, '')
          FROM tot t
        UNION ALL
        SELECT 20, 'chiffre', 'graines_donnees', NULL, 'Sachets de graines donnés', s.given, 'sachets', s.given,
               'Sachets retirés de la grainothèque dans l''année.', 'Mouvements de la grainothèque.'
          FROM seeds s
        UNION ALL
        SELECT 21, 'chiffre', 'graines_rapportees', NULL, 'Sachets de graines rapportés', s.back, 'sachets', s.back,
               'Sachets déposés à la grainothèque dans l''année (récoltes rapportées).',
               'Mouvements de la grainothèque.'
          FROM seeds s
        UNION ALL
        SELECT 30, 'chiffre', 'seances', NULL, 'Séances de repair café', t.sessions, 'séances', t.sessions,
               'Séances tenues dans l''année (ni annulées ni déplacées).', 'Agenda du repair café.'
          FROM tot t
        UNION ALL
        SELECT 31, 'chiffre', 'participants', NULL, 'Participants aux séances', t.participants, 'personnes',
               t.participants,
               'Réservations maintenues des séances tenues, plus les objets apportés sans réservation.',
               'Réservations et fiches de réparation.'
          FROM tot t
        UNION ALL
        SELECT 32, 'chiffre', 'objets', NULL, 'Objets apportés au repair café', t.brought, 'objets', t.brought,
               'Fiches de réparation datées de l''année, importées comprises.',
               'Fiches de réparation (Open Repair Data Standard).'
          FROM tot t
        UNION ALL
        SELECT 33, 'chiffre', 'repares', NULL, 'Objets réparés', t.fixed, 'objets', t.fixed,
               'Fiches dont le résultat est « réparé ».', 'Fiches de réparation (Open Repair Data Standard).'
          FROM tot t
        UNION ALL
        SELECT 34, 'chiffre', 'reparables', NULL, 'Objets réparables', t.repairable, 'objets', t.repairable,
               'Fiches dont le résultat est « réparable » (une pièce à trouver, une autre séance).',
               'Fiches de réparation (Open Repair Data Standard).'
          FROM tot t
        UNION ALL
        SELECT 35, 'chiffre', 'fin_de_vie', NULL, 'Objets en fin de vie', t.end_of_life, 'objets', t.end_of_life,
               'Fiches dont le résultat est « fin de vie ».', 'Fiches de réparation (Open Repair Data Standard).'
          FROM tot t
        UNION ALL
        SELECT 36, 'chiffre', 'dechets_evites', NULL, 'Déchets évités par les réparations', t.waste, 'kg', NULL,
               'Poids des objets réparés : pesés, ou le poids moyen de leur catégorie.',
               'The Restart Project, ords_category_lca_reference.csv (openrepair/tools).'
          FROM tot t
        UNION ALL
        SELECT 37, 'chiffre', 'co2_evite', NULL, 'CO₂e évité par les réparations', t.co2, 'kg CO₂e', NULL,
               'Empreinte de la catégorie de chaque objet réparé × la part d''un produit neuf qu''une réparation '
               || 'remplace.', coalesce(v_disp_src, '') || ' ; empreintes : The Restart Project, '
               || 'ords_category_lca_reference.csv.'
          FROM tot t
        UNION ALL
        SELECT 40, 'chiffre', 'kg_entres', NULL, 'Kilos entrés à la ressourcerie', t.kg_in, 'kg', NULL,
               'Pesées en vigueur des arrivages de l''année (une correction remplace la pesée qu''elle corrige).',
               'Pesées de la ressourcerie.'
          FROM tot t
        UNION ALL
        SELECT 41, 'chiffre', 'kg_reemployes', NULL, 'Kilos réemployés', t.kg_reused, 'kg', NULL,
               'Kilos vendus et kilos donnés à d''autres structures pour le réemploi, comme le bilan de la '
               || 'ressourcerie les compte.', 'Ventes et sorties de la ressourcerie.'
          FROM tot t
        UNION ALL
        SELECT 42, 'chiffre', 'taux_reemploi', NULL, 'Taux de réemploi', tl.reuse_rate(t.kg_reused, t.kg_in), '%',
               NULL, 'Kilos réemployés ÷ kilos entrés.',
               'Repère national : ' || replace(trim_scale(round(coalesce(v_reuse_ref, 0) * 100, 1))::text, '.', ',')
               || ' % réemployés (' || coalesce(v_reuse_src, '') || ').'
          FROM tot t
        UNION ALL
        SELECT 50, 'chiffre', 'heures_benevoles', NULL, 'Heures données par les bénévoles', t.hours, 'heures',
               t.volunteers,
               'Heures des créneaux tenus, ou le temps noté par un ou une référente ; le total du groupe, jamais '
               || 'celui d''une personne.', 'Créneaux de bénévolat.'
          FROM tot t
        UNION ALL
        SELECT 100 + m.m, 'mois', 'prets', m.m, m.name, coalesce(l.n, 0), 'prêts', coalesce(l.n, 0), NULL, NULL
          FROM months m LEFT JOIN loans_m l ON l.m = m.m
        UNION ALL
        SELECT 200 + m.m, 'mois', 'objets', m.m, m.name, coalesce(r.n, 0), 'objets', coalesce(r.n, 0), NULL, NULL
          FROM months m LEFT JOIN records_m r ON r.m = m.m
        UNION ALL
        SELECT 300 + m.m, 'mois', 'kg_reemployes', m.m, m.name, coalesce(r.kg_reused, 0), 'kg', NULL, NULL, NULL
          FROM months m LEFT JOIN reuse r ON r.m = m.m
        UNION ALL
        SELECT 400 + m.m, 'mois', 'heures_benevoles', m.m, m.name, coalesce(h.h, 0), 'heures', coalesce(h.people, 0),
               NULL, NULL
          FROM months m LEFT JOIN hours_m h ON h.m = m.m
        UNION ALL
        SELECT 500 + r.ord, 'part', r.key, NULL, r.label, r.n, 'objets', r.n, NULL, NULL
          FROM tot t, LATERAL (VALUES (1, 'repares', 'Réparés', t.fixed), (2, 'reparables', 'Réparables', t.repairable),
                                      (3, 'fin_de_vie', 'Fin de vie', t.end_of_life),
                                      (4, 'inconnu', 'Résultat non noté', t.unknown)) AS r(ord, key, label, n)
    ) x
    ORDER BY x.ord;
END $$;

-- A value as pages write it: whole counts with a no-break space between
-- thousands, kilograms and hours to one decimal, a rate with « % ».
CREATE FUNCTION tl.impact_value_fr(p_value numeric, p_unit text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $$
    SELECT CASE WHEN p_value IS NULL THEN '—'
                WHEN p_unit = '%' THEN replace(p_value::text, '.', ',') || U&'\00A0%'
                WHEN p_value = trunc(p_value) THEN translate(to_char(p_value, 'FM999,999,999,990'), ',', U&'\00A0')
                ELSE translate(to_char(round(p_value, 1), 'FM999,999,999,990.0'), ',.', U&'\00A0,') END
$$;

-- The report of a year for a référent of the place, or for the network's
-- coordination (p_place NULL): every figure, exact.
CREATE FUNCTION tl.impact_report(p_login text, p_place text, p_year integer)
RETURNS TABLE (section text, key text, month integer, label text, value numeric, unit text, value_fr text,
               value_csv text, method text, source text, year integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    IF p_place IS NULL THEN
        PERFORM tl.require_admin(p_login);
    ELSE
        PERFORM tl.require_role(p_login, (tl.require_place(p_place)).id, 'referent');
    END IF;
    RETURN QUERY
    SELECT r.section, r.key, r.month, r.label, r.value, r.unit, tl.impact_value_fr(r.value, r.unit),
           replace(r.value::text, '.', ','), r.method, r.source, r.year
      FROM tl.impact_rows(p_place, p_year) r
     ORDER BY r.ord;
END $$;

-- The same figures for everyone: a count below 3 (and what is computed
-- from it) reads « moins de 3 » and has no value, so nothing lets a reader
-- tell one person's activity; the volunteers' hours show only when at
-- least 3 volunteers gave them.
CREATE FUNCTION tl.public_impact(p_place text, p_year integer)
RETURNS TABLE (section text, key text, month integer, label text, value numeric, unit text, value_fr text,
               hidden boolean, method text, source text, year integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT r.section, r.key, r.month, r.label, CASE WHEN r.base < 3 AND r.value > 0 THEN NULL ELSE r.value END,
           r.unit, CASE WHEN r.base < 3 AND r.value > 0 THEN 'moins de 3' || CASE WHEN r.unit = 'heures'
                                                                                  THEN ' bénévoles' ELSE '' END
                        ELSE tl.impact_value_fr(r.value, r.unit) END,
           r.base < 3 AND r.value > 0, r.method, r.source, r.year
      FROM tl.impact_rows(p_place, p_year) r
     ORDER BY r.ord
$$;

------------------------------------------------------------------------------
-- Rights: functions are executable by PUBLIC unless revoked; the back
-- office's report goes to tierslieux_guichet, the public page's to
-- tierslieux_lecture.
------------------------------------------------------------------------------
REVOKE ALL ON FUNCTION tl.impact_rows(text,integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.impact_report(text,text,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.impact_report(text,text,integer) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.public_impact(text,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.public_impact(text,integer) TO tierslieux_lecture;
