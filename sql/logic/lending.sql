-- Lending: bookings (loans, reservations), check-out and check-in, renewals,
-- overdue lists, deposits and the waiting list.
--
-- The current form of this area's functions, views, triggers and rights.
-- script/migrate drops every function and view of schema tl (but the
-- constraint helpers of sql/schema) and applies the files of sql/logic/ORDER
-- again after the numbered migrations, in one transaction: edit here, never
-- in a numbered file.

-- Lending and taking back at the desk. Each is one function call in
-- one transaction; every refusal names a constraint the desk shows as a
-- sentence, and two desks lending one item at once are serialised on the
-- item's row (the exclusion constraint on bookings stays the last guard).

-- A loan's period ends with its due date, in the item's place's time zone,
-- or earlier with its return.
CREATE FUNCTION tl.booking_set_end() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    tz text;
BEGIN
    IF NEW.kind = 'pret' THEN
        SELECT p.time_zone INTO tz FROM tl.item i JOIN tl.place p ON p.id = i.place_id WHERE i.id = NEW.item_id;
        NEW.ends_at := (NEW.due_on + 1)::timestamp AT TIME ZONE tz;
        IF NEW.returned_at IS NOT NULL THEN
            NEW.ends_at := greatest(NEW.starts_at + interval '1 microsecond', least(NEW.ends_at, NEW.returned_at));
        END IF;
    END IF;
    RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS booking_set_end ON tl.booking;
CREATE TRIGGER booking_set_end BEFORE INSERT OR UPDATE ON tl.booking
    FOR EACH ROW EXECUTE FUNCTION tl.booking_set_end();

-- The due date is the database's: the loan length later, on a day the
-- place opens (tl.due_date). Returns it.
CREATE FUNCTION tl.check_out(p_login text, p_member text, p_item text, p_override boolean)
RETURNS date
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_item    tl.item;
    v_member  integer;
    v_who     integer;
    v_late    text;
    v_other   tl.booking;
    v_tz      text;
    v_id      bigint;
    v_due     date;
BEGIN
    v_item := tl.require_item(p_item);
    -- Lent where it stands now (an item that travelled is lent at its
    -- destination, sql/schema/006), not on its way (public, as the
    -- catalogue says it).
    PERFORM tl.refuse_in_transit(v_item.id);
    v_who := tl.require_role(p_login, tl.item_place_now(v_item.id), 'benevole');
    v_member := (tl.require_member(p_member)).id;
    -- One desk at a time per item: the second waits, then sees the loan.
    PERFORM 1 FROM tl.item WHERE id = v_item.id FOR UPDATE;
    PERFORM tl.refuse_in_transit(v_item.id);     -- again, once the item's row is ours (tl.send_item locks it too)
    SELECT p.time_zone INTO v_tz FROM tl.place p WHERE p.id = v_item.place_id;
    v_due := tl.due_date(v_item.id, (now() AT TIME ZONE v_tz)::date);
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
       AND tstzrange(starts_at, ends_at) && tstzrange(now(), (v_due + 1)::timestamp AT TIME ZONE v_tz)
     ORDER BY starts_at LIMIT 1;
    IF v_other.id IS NOT NULL THEN
        RAISE EXCEPTION 'cet objet est réservé par un autre adhérent à partir du %, avant la date de retour (%)',
            tl.date_fr((v_other.starts_at AT TIME ZONE v_tz)::date), tl.date_fr(v_due)
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
    UPDATE tl.booking SET kind = 'pret', starts_at = now(), due_on = v_due, lent_by = v_who,
                          override_by = CASE WHEN v_late IS NOT NULL THEN v_who END
     WHERE id = (SELECT id FROM tl.booking
                  WHERE item_id = v_item.id AND kind = 'reservation' AND cancelled_at IS NULL
                    AND member_id = v_member AND starts_at <= now() + interval '1 day'
                  ORDER BY starts_at LIMIT 1)
    RETURNING id INTO v_id;
    IF v_id IS NULL THEN
        INSERT INTO tl.booking (item_id, member_id, kind, due_on, lent_by, override_by)
        VALUES (v_item.id, v_member, 'pret', v_due, v_who, CASE WHEN v_late IS NOT NULL THEN v_who END)
        RETURNING id INTO v_id;
    END IF;
    RETURN v_due;
EXCEPTION WHEN exclusion_violation THEN
    -- The constraint itself caught what the checks above could not see yet.
    IF SQLERRM LIKE 'cet objet%' THEN
        RAISE;
    END IF;
    RAISE EXCEPTION 'cet objet est déjà prêté ou réservé sur cette période'
        USING ERRCODE = 'exclusion_violation', CONSTRAINT = 'booking_no_overlap';
END $$;

-- What the desk shows before lending: the member, the item, its loan rules
-- and the due date a loan made now would have (new_due, as tl.check_out
-- computes it). Checks the role at the item's place.
CREATE FUNCTION tl.desk_lending_preview(p_login text, p_member text, p_item text)
RETURNS TABLE (member_number text, member_name text, item_code text, item_title text, item_id integer,
               loan_days integer, deposit text, member_known boolean, item_known boolean, on_loan_to_member text,
               due_on date, new_due date, new_due_fr text)
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
           m.id IS NOT NULL, v_item.id IS NOT NULL,
           (SELECT mm.given_name || ' ' || mm.family_name FROM tl.booking b JOIN tl.member mm ON mm.id = b.member_id
             WHERE b.item_id = v_item.id AND b.kind = 'pret' AND b.returned_at IS NULL),
           (SELECT b.due_on FROM tl.booking b WHERE b.item_id = v_item.id AND b.kind = 'pret' AND b.returned_at IS NULL),
           v_due.d, tl.date_fr(v_due.d)
      FROM (SELECT 1) AS one
      LEFT JOIN LATERAL (SELECT tl.due_date(v_item.id, tl.place_today(v_item.place_id)) AS d) v_due ON v_item.id IS NOT NULL
      LEFT JOIN tl.member m ON m.member_number = upper(btrim(p_member))
      LEFT JOIN tl.category c ON c.id = v_item.category_id
      LEFT JOIN tl.place p ON p.id = v_item.place_id;
END $$;

-- Only when the day changes: a member who borrows three things in an
-- afternoon is written once (each write also bumps the data version).
CREATE FUNCTION tl.member_note_loan() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.member_id IS NOT NULL AND NEW.kind = 'pret'
       AND EXISTS (SELECT 1 FROM tl.member WHERE id = NEW.member_id
                    AND (last_loan_at IS NULL OR last_loan_at < NEW.starts_at - interval '1 day')) THEN
        UPDATE tl.member SET last_loan_at = NEW.starts_at WHERE id = NEW.member_id;
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS member_note_loan ON tl.booking;
CREATE TRIGGER member_note_loan AFTER INSERT OR UPDATE OF kind, starts_at ON tl.booking
    FOR EACH ROW EXECUTE FUNCTION tl.member_note_loan();

-- The overdue list of a place, for the volunteers who call or write
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

CREATE FUNCTION tl.desk_member_loans(p_login text, p_number text)
RETURNS TABLE (booking_id bigint, item_code text, item_title text, started date, due_on date, due_fr text,
               returned date, open boolean, late boolean, renewals integer, may_renew boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_member tl.member;
BEGIN
    -- The caller records the read (tl.desk_member): one row per file opened.
    v_member := tl.desk_member(p_login, p_number, NULL);
    RETURN QUERY
    SELECT b.id, i.code, i.title, b.starts_at::date, b.due_on, tl.date_fr(b.due_on), b.returned_at::date,
           b.returned_at IS NULL, b.returned_at IS NULL AND b.due_on < (now() AT TIME ZONE p.time_zone)::date,
           b.renewals, b.returned_at IS NULL AND b.renewals < c.max_renewals
      FROM tl.booking b JOIN tl.item i ON i.id = b.item_id JOIN tl.category c ON c.id = i.category_id
      JOIN tl.place p ON p.id = i.place_id
     WHERE b.member_id = v_member.id AND b.kind = 'pret'
     ORDER BY b.returned_at IS NOT NULL, b.starts_at DESC;
END $$;

-- Reservations made at the desk for a member: an item for a range of
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

-- Deposits (caution) at the desk: recorded when a member leaves one,
-- marked returned when it is given back. Nothing is cashed or processed.
CREATE FUNCTION tl.record_deposit(p_login text, p_member text, p_amount numeric, p_kind text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_member tl.member;
    v_who    integer;
    v_id     bigint;
BEGIN
    v_member := tl.desk_member(p_login, p_member, 'consultation');
    SELECT a.id INTO v_who FROM tl.account a WHERE a.login = p_login;
    IF p_amount IS NULL OR p_amount <= 0 OR p_amount > 10000 THEN
        RAISE EXCEPTION 'le montant doit être positif (10 000 € au plus)' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'member_deposit_amount_positive';
    END IF;
    IF p_kind NOT IN ('cheque_non_encaisse', 'especes', 'autre') THEN
        RAISE EXCEPTION 'nature de caution inconnue' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'member_deposit_kind_known';
    END IF;
    INSERT INTO tl.member_deposit (member_id, amount, kind, recorded_by)
    VALUES (v_member.id, p_amount, p_kind, v_who) RETURNING id INTO v_id;
    RETURN v_id;
END $$;

CREATE FUNCTION tl.return_deposit(p_login text, p_member text, p_deposit bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_member tl.member;
BEGIN
    v_member := tl.desk_member(p_login, p_member, 'consultation');
    UPDATE tl.member_deposit SET returned_on = current_date
     WHERE id = p_deposit AND member_id = v_member.id AND returned_on IS NULL;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'cette caution est déjà rendue ou n''est pas celle de cet adhérent'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'member_deposit_returned_after';
    END IF;
END $$;

CREATE FUNCTION tl.desk_member_deposits(p_login text, p_member text)
RETURNS TABLE (deposit_id bigint, amount text, kind text, received text, returned text, open boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM tl.account a JOIN tl.account_role r ON r.account_id = a.id
                    WHERE a.login = p_login AND a.active) THEN
        RETURN;
    END IF;
    RETURN QUERY
    SELECT d.id, tl.euros(d.amount),
           CASE d.kind WHEN 'cheque_non_encaisse' THEN 'chèque non encaissé' WHEN 'especes' THEN 'espèces'
                       ELSE 'autre' END,
           tl.date_fr(d.received_on), tl.date_fr(d.returned_on), d.returned_on IS NULL
      FROM tl.member_deposit d JOIN tl.member m ON m.id = d.member_id
     WHERE m.member_number = upper(btrim(p_member))
     ORDER BY d.received_on DESC, d.id DESC;
END $$;

CREATE FUNCTION tl.waiting_list_served() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.kind = 'pret' AND NEW.member_id IS NOT NULL THEN
        UPDATE tl.waiting_list SET served_at = now()
         WHERE item_id = NEW.item_id AND member_id = NEW.member_id AND served_at IS NULL AND removed_at IS NULL;
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS waiting_list_served ON tl.booking;
CREATE TRIGGER waiting_list_served AFTER INSERT OR UPDATE OF kind ON tl.booking
    FOR EACH ROW EXECUTE FUNCTION tl.waiting_list_served();

CREATE FUNCTION tl.join_waiting_list(p_login text, p_member text, p_item text) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_item   tl.item;
    v_member tl.member;
    v_who    integer;
BEGIN
    v_item := tl.require_item(p_item);
    v_who := tl.require_role(p_login, v_item.place_id, 'benevole');
    v_member := tl.desk_member(p_login, p_member, 'consultation');
    BEGIN
        INSERT INTO tl.waiting_list (item_id, member_id, added_by) VALUES (v_item.id, v_member.id, v_who);
    EXCEPTION WHEN unique_violation THEN
        RAISE EXCEPTION 'cet adhérent attend déjà cet objet' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'waiting_list_once';
    END;
    RETURN (SELECT count(*) FROM tl.waiting_list w
             WHERE w.item_id = v_item.id AND w.served_at IS NULL AND w.removed_at IS NULL)::integer;
END $$;

CREATE FUNCTION tl.leave_waiting_list(p_login text, p_entry bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place integer;
BEGIN
    SELECT i.place_id INTO v_place FROM tl.waiting_list w JOIN tl.item i ON i.id = w.item_id
     WHERE w.id = p_entry AND w.served_at IS NULL AND w.removed_at IS NULL;
    IF v_place IS NULL THEN
        RAISE EXCEPTION 'cette attente est déjà terminée' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'waiting_list_once';
    END IF;
    PERFORM tl.require_role(p_login, v_place, 'benevole');
    UPDATE tl.waiting_list SET removed_at = now() WHERE id = p_entry;
END $$;

-- Who waits for an item, in order, and how to reach them.
CREATE FUNCTION tl.desk_item_waiting(p_login text, p_item text)
RETURNS TABLE (entry_id bigint, place_in_line bigint, member_number text, member_name text, email text, phone text,
               since text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_item tl.item;
BEGIN
    v_item := tl.find_item(p_item);
    IF v_item.id IS NULL THEN
        RETURN;
    END IF;
    PERFORM tl.require_role(p_login, v_item.place_id, 'benevole');
    RETURN QUERY
    SELECT w.id, row_number() OVER (ORDER BY w.added_at, w.id), m.member_number,
           m.given_name || ' ' || m.family_name, m.email, m.phone, tl.date_fr(w.added_at::date)
      FROM tl.waiting_list w JOIN tl.member m ON m.id = w.member_id
     WHERE w.item_id = v_item.id AND w.served_at IS NULL AND w.removed_at IS NULL
     ORDER BY w.added_at, w.id;
END $$;

-- What a member waits for, with their place in each line.
CREATE FUNCTION tl.desk_member_waiting(p_login text, p_member text)
RETURNS TABLE (entry_id bigint, item_code text, item_title text, place_in_line bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM tl.account a JOIN tl.account_role r ON r.account_id = a.id
                    WHERE a.login = p_login AND a.active) THEN
        RETURN;
    END IF;
    RETURN QUERY
    SELECT x.id, x.code, x.title, x.pos FROM (
        SELECT w.id, i.code, i.title, m.member_number,
               row_number() OVER (PARTITION BY w.item_id ORDER BY w.added_at, w.id) AS pos
          FROM tl.waiting_list w JOIN tl.item i ON i.id = w.item_id JOIN tl.member m ON m.id = w.member_id
         WHERE w.served_at IS NULL AND w.removed_at IS NULL) x
     WHERE x.member_number = upper(btrim(p_member))
     ORDER BY x.code;
END $$;

-- Kept by a trigger, so the desk, Mon compte and psql obey the same rule.
CREATE FUNCTION tl.booking_check_item_limit() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    v_cat tl.category;
    v_n   integer;
BEGIN
    IF NEW.kind <> 'pret' OR NEW.returned_at IS NOT NULL OR NEW.member_id IS NULL THEN
        RETURN NEW;
    END IF;
    SELECT c.* INTO v_cat FROM tl.category c JOIN tl.item i ON i.category_id = c.id WHERE i.id = NEW.item_id;
    IF v_cat.max_items IS NULL THEN
        RETURN NEW;
    END IF;
    SELECT count(*) INTO v_n
      FROM tl.booking b JOIN tl.item i ON i.id = b.item_id
     WHERE b.member_id = NEW.member_id AND b.kind = 'pret' AND b.returned_at IS NULL
       AND i.category_id = v_cat.id AND b.id IS DISTINCT FROM NEW.id;
    IF v_n >= v_cat.max_items THEN
        RAISE EXCEPTION 'cet adhérent a déjà % objet(s) de la catégorie « % » : c''est le maximum', v_n, v_cat.name
            USING ERRCODE = 'check_violation', CONSTRAINT = 'booking_member_item_limit';
    END IF;
    RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS booking_check_item_limit ON tl.booking;
CREATE TRIGGER booking_check_item_limit BEFORE INSERT OR UPDATE OF kind, member_id, returned_at ON tl.booking
    FOR EACH ROW EXECUTE FUNCTION tl.booking_check_item_limit();

-- An item back from its loan, once its role and (for a kit) its components
-- are checked: the loan closed, the condition noted, a maintenance period
-- opened when p_reason says what is wrong, and then the message an item's
-- return causes, in the same transaction.
CREATE FUNCTION tl.close_loan(p_item tl.item, p_who integer, p_condition text, p_reason text) RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    v_id bigint;
BEGIN
    IF p_condition IS NOT NULL AND NOT EXISTS (SELECT 1 FROM tl.item_condition WHERE code = p_condition) THEN
        RAISE EXCEPTION 'état inconnu' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'booking_return_condition_fkey';
    END IF;
    UPDATE tl.booking SET returned_at = now(), returned_to = p_who, return_condition = p_condition
     WHERE item_id = p_item.id AND kind = 'pret' AND returned_at IS NULL
    RETURNING id INTO v_id;
    IF v_id IS NULL THEN
        RAISE EXCEPTION 'cet objet n''est pas en prêt' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'booking_not_on_loan';
    END IF;
    IF p_condition IS NOT NULL THEN
        UPDATE tl.item SET condition = p_condition WHERE id = p_item.id;
    END IF;
    IF btrim(coalesce(p_reason, '')) <> '' THEN
        INSERT INTO tl.maintenance (item_id, reason) VALUES (p_item.id, btrim(p_reason));
    END IF;
    PERFORM tl.queue_item_back(p_item.id, now());
    RETURN v_id;
END $$;

-- An item's return. A kit (an item with components, sql/schema/005) is
-- checked in component by component, through tl.check_in_kit.
CREATE FUNCTION tl.check_in(p_login text, p_item text, p_condition text, p_maintenance text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_item tl.item;
    v_who  integer;
BEGIN
    v_item := tl.require_item(p_item);
    RETURN tl.check_in_at(p_login, (SELECT slug FROM tl.place WHERE id = tl.item_place_now(v_item.id)), p_item,
                          p_condition, p_maintenance);
END $$;

-- An item's return at a given place of the network: where it stands, or
-- any other (returns are accepted everywhere); brought back elsewhere than
-- its own place, it travels home (tl.after_return).
CREATE FUNCTION tl.check_in_at(p_login text, p_place_slug text, p_item text, p_condition text, p_maintenance text)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_item  tl.item;
    v_place integer;
    v_who   integer;
    v_id    bigint;
BEGIN
    v_item := tl.require_item(p_item);
    v_place := (tl.require_place(p_place_slug)).id;
    v_who := tl.require_role(p_login, v_place, 'benevole');
    IF EXISTS (SELECT 1 FROM tl.item_component WHERE item_id = v_item.id) THEN
        RAISE EXCEPTION 'cet objet est un kit : son retour se fait composant par composant'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'kit_components_unchecked';
    END IF;
    v_id := tl.close_loan(v_item, v_who, p_condition, p_maintenance);
    PERFORM tl.after_return(v_item, v_id, v_place, v_who);
    RETURN v_id;
END $$;

-- Where a return is taken: the place chosen at the desk (any place of the
-- network, as tl.check_in_at), or where the item stands when none is
-- (NULL or empty, as tl.check_in).
CREATE FUNCTION tl.return_place(p_item integer, p_place_slug text) RETURNS integer
LANGUAGE plpgsql STABLE SET search_path = pg_catalog AS $$
BEGIN
    IF coalesce(p_place_slug, '') = '' THEN
        RETURN tl.item_place_now(p_item);
    END IF;
    RETURN (tl.require_place(p_place_slug)).id;
END $$;

-- The components of a kit, for the volunteer taking it back at
-- p_place_slug (tl.return_place), with that place's name: nothing for an
-- item that is not a kit, or a number that names no item (the return
-- itself says so).
CREATE FUNCTION tl.desk_kit_components(p_login text, p_place_slug text, p_item text)
RETURNS TABLE (id bigint, name text, quantity integer, item_code text, item_title text, place_name text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_item  tl.item;
    v_place integer;
BEGIN
    v_item := tl.find_item(p_item);
    IF v_item.id IS NULL THEN
        RETURN;
    END IF;
    -- An item that is no kit has nothing to list, whoever asks: its return
    -- may be taken at any place (tl.check_in_at checks the role there). A
    -- kit is taken back at any place too, by a volunteer of that place:
    -- the checklist is refused to anyone else, as the return would be.
    IF NOT EXISTS (SELECT 1 FROM tl.item_component c WHERE c.item_id = v_item.id) THEN
        RETURN;
    END IF;
    v_place := tl.return_place(v_item.id, p_place_slug);
    PERFORM tl.require_role(p_login, v_place, 'benevole');
    RETURN QUERY
    SELECT c.id, c.name, c.quantity, v_item.code, v_item.title, p.name
      FROM tl.item_component c, tl.place p
     WHERE c.item_id = v_item.id AND p.id = v_place ORDER BY c.position, c.id;
END $$;

-- A kit's return: p_present holds the ids of the components the volunteer
-- saw (each once, each a component of this kit). Any other component is
-- missing: the kit goes to maintenance, in the same transaction, with a
-- reason listing what is missing (and the volunteer's own note), so it is
-- not lent again until the maintenance ends. Returns that reason, or NULL
-- when the kit came back whole. Like any item, a kit is taken back at
-- p_place_slug (tl.return_place: any place of the network, where it stands
-- when none is given) and, brought back elsewhere than its own place, it
-- travels home (tl.after_return), in maintenance or not: it is completed
-- at home, and its availability (tl.item_availability) says maintenance
-- before transit.
CREATE FUNCTION tl.check_in_kit(p_login text, p_place_slug text, p_item text, p_condition text,
                                p_maintenance text, p_present bigint[]) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_item    tl.item;
    v_who     integer;
    v_missing text;
    v_reason  text;
    v_place   integer;
BEGIN
    v_item := tl.require_item(p_item);
    v_place := tl.return_place(v_item.id, p_place_slug);
    v_who := tl.require_role(p_login, v_place, 'benevole');
    -- Components edited meanwhile wait for this return (tl.save_item_component).
    PERFORM 1 FROM tl.item WHERE id = v_item.id FOR UPDATE;
    IF NOT EXISTS (SELECT 1 FROM tl.item_component WHERE item_id = v_item.id) THEN
        RAISE EXCEPTION 'cet objet n''est pas un kit : rendez-le sans liste de composants'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'kit_not_a_kit';
    END IF;
    IF (SELECT count(*) <> count(DISTINCT x) FROM unnest(coalesce(p_present, '{}')) AS x) THEN
        RAISE EXCEPTION 'un composant est coché deux fois : renvoyez la liste depuis la page du retour'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'kit_component_repeated';
    END IF;
    IF EXISTS (SELECT 1 FROM unnest(coalesce(p_present, '{}')) AS x
                WHERE x IS NULL OR NOT EXISTS (SELECT 1 FROM tl.item_component c
                                                WHERE c.id = x AND c.item_id = v_item.id)) THEN
        RAISE EXCEPTION 'un composant coché n''appartient pas à ce kit : renvoyez la liste depuis la page du retour'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'kit_component_unknown';
    END IF;
    SELECT string_agg(c.quantity || ' × ' || c.name, ', ' ORDER BY c.position, c.id) INTO v_missing
      FROM tl.item_component c
     WHERE c.item_id = v_item.id AND NOT (c.id = ANY (coalesce(p_present, '{}')));
    IF v_missing IS NOT NULL THEN
        v_reason := 'Composants manquants au retour : ' || v_missing || '.';
        IF btrim(coalesce(p_maintenance, '')) <> '' THEN
            v_reason := v_reason || ' ' || btrim(p_maintenance);
        END IF;
    END IF;
    PERFORM tl.after_return(v_item, tl.close_loan(v_item, v_who, p_condition, coalesce(v_reason, p_maintenance)),
                            v_place, v_who);
    RETURN v_reason;
END $$;

-- What a kit's return left missing, for the desk that took it back: the
-- reason of its open maintenance. Its own place's volunteers read it (the
-- kit's file and maintenance log are theirs, tl.desk_item), and so do those
-- of the place where it stands now: a kit brought back elsewhere waits
-- there until it is sent home, and that desk must say what is missing
-- without being given the kit's file. item_file says whether they may
-- open it.
CREATE FUNCTION tl.desk_kit_missing(p_login text, p_item text)
RETURNS TABLE (reason text, item_file boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_item tl.item;
    v_file boolean := true;
BEGIN
    v_item := tl.find_item(p_item);
    IF v_item.id IS NULL THEN
        RETURN;
    END IF;
    BEGIN
        PERFORM tl.require_role(p_login, v_item.place_id, 'benevole');
    EXCEPTION WHEN insufficient_privilege THEN
        PERFORM tl.require_role(p_login, tl.item_place_now(v_item.id), 'benevole');
        v_file := false;
    END;
    RETURN QUERY
    SELECT m.reason, v_file FROM tl.maintenance m WHERE m.item_id = v_item.id AND m.ended_at IS NULL;
END $$;

-- A loan extended, by the desk or by its member: the same rules for both
-- (the category's renewals; nobody's reservation after), to the due date
-- the loan length gives again from the later of the current due date and
-- today (tl.due_date). The booking is locked by the caller. Returns the
-- new due date.
CREATE FUNCTION tl.extend_loan(p_booking tl.booking) RETURNS date
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    v_max integer := (SELECT c.max_renewals FROM tl.item i JOIN tl.category c ON c.id = i.category_id
                       WHERE i.id = p_booking.item_id);
    v_due date;
BEGIN
    IF p_booking.renewals >= v_max THEN
        RAISE EXCEPTION 'ce prêt a déjà été prolongé % fois, le maximum pour cette catégorie', p_booking.renewals
            USING ERRCODE = 'check_violation', CONSTRAINT = 'booking_renewals_max';
    END IF;
    v_due := tl.due_date(p_booking.item_id,
                         greatest(p_booking.due_on,
                                  tl.place_today((SELECT place_id FROM tl.item WHERE id = p_booking.item_id))));
    UPDATE tl.booking SET due_on = v_due, renewals = renewals + 1 WHERE id = p_booking.id;
    RETURN v_due;
EXCEPTION WHEN exclusion_violation THEN
    RAISE EXCEPTION 'impossible de prolonger : l''objet est réservé par quelqu''un d''autre ensuite'
        USING ERRCODE = 'exclusion_violation', CONSTRAINT = 'booking_reserved';
END $$;

-- The desk's renewal (sql/logic/members_accounts.sql) through the same rules.
CREATE FUNCTION tl.renew(p_login text, p_booking bigint) RETURNS date
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_booking tl.booking;
    v_who     integer;
    v_due     date;
BEGIN
    SELECT * INTO v_booking FROM tl.booking WHERE id = p_booking AND kind = 'pret' AND returned_at IS NULL FOR UPDATE;
    IF v_booking.id IS NULL THEN
        RAISE EXCEPTION 'ce prêt est déjà rendu' USING ERRCODE = 'check_violation', CONSTRAINT = 'booking_not_on_loan';
    END IF;
    v_who := tl.require_role(p_login, (SELECT place_id FROM tl.item WHERE id = v_booking.item_id), 'benevole');
    v_due := tl.extend_loan(v_booking);
    INSERT INTO tl.member_access (account_id, member_id, action) VALUES (v_who, v_booking.member_id, 'prolongation');
    RETURN v_due;
END $$;

------------------------------------------------------------------------------
-- Sharing between places (sql/schema/006): reserving an item of one place
-- to collect it at another, the movement log and the desks' lists of what
-- to send and what arrives. Where an item stands and whether it is in
-- transit are read from the log, never stored.
------------------------------------------------------------------------------

-- Where an item stands now: the place an open movement leaves from (until
-- it arrives), else the place of the latest arrival or return elsewhere,
-- else its own place.
CREATE FUNCTION tl.item_place_now(p_item integer) RETURNS integer
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT coalesce(
        (SELECT m.from_place_id FROM tl.item_movement m
          WHERE m.item_id = p_item AND m.received_at IS NULL AND m.cancelled_at IS NULL),
        (SELECT e.place_id FROM (
             SELECT m.to_place_id AS place_id, m.received_at AS at FROM tl.item_movement m
              WHERE m.item_id = p_item AND m.received_at IS NOT NULL
             UNION ALL
             SELECT b.returned_place_id, b.returned_at FROM tl.booking b
              WHERE b.item_id = p_item AND b.returned_place_id IS NOT NULL) AS e
          ORDER BY e.at DESC LIMIT 1),
        (SELECT i.place_id FROM tl.item i WHERE i.id = p_item))
$$;

-- The items on their way: sent and not yet arrived, with where to.
CREATE VIEW tl.item_transit AS
SELECT m.item_id, m.id AS movement_id, m.from_place_id, m.to_place_id, p.name AS to_place_name, m.sent_at
  FROM tl.item_movement m JOIN tl.place p ON p.id = m.to_place_id
 WHERE m.sent_at IS NOT NULL AND m.received_at IS NULL;

COMMENT ON VIEW tl.item_transit IS 'Items in transit (sent, not yet received) and the place they travel to';

CREATE FUNCTION tl.refuse_in_transit(p_item integer) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog AS $$
DECLARE
    v_to text;
BEGIN
    SELECT t.to_place_name INTO v_to FROM tl.item_transit t WHERE t.item_id = p_item;
    IF v_to IS NOT NULL THEN
        RAISE EXCEPTION 'cet objet est en transit vers % : il pourra être prêté à son arrivée', v_to
            USING ERRCODE = 'check_violation', CONSTRAINT = 'item_movement_in_transit';
    END IF;
END $$;

-- A movement to log: from where the item stands to p_to (nothing when it
-- is there already). One at a time per item (item_movement_one_open).
CREATE FUNCTION tl.plan_movement(p_item integer, p_to integer, p_reason text, p_booking bigint, p_who integer)
RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    v_from integer := tl.item_place_now(p_item);
    v_id   bigint;
BEGIN
    IF v_from = p_to THEN
        RETURN NULL;
    END IF;
    BEGIN
        INSERT INTO tl.item_movement (item_id, from_place_id, to_place_id, reason, booking_id, created_by)
        VALUES (p_item, v_from, p_to, p_reason, p_booking, p_who)
        RETURNING id INTO v_id;
    EXCEPTION WHEN unique_violation THEN
        RAISE EXCEPTION 'cet objet doit déjà voyager vers un autre lieu : réessayez après son arrivée'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'item_movement_one_open';
    END;
    RETURN v_id;
END $$;

-- A loan closed at p_place: noted when it is not where the item stood, and
-- the item travels home when p_place is not its own.
CREATE FUNCTION tl.after_return(p_item tl.item, p_booking bigint, p_place integer, p_who integer) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    IF p_place <> tl.item_place_now(p_item.id) THEN
        UPDATE tl.booking SET returned_place_id = p_place WHERE id = p_booking;
    END IF;
    IF p_place <> p_item.place_id THEN
        PERFORM tl.plan_movement(p_item.id, p_item.place_id, 'retour', NULL, p_who);
    END IF;
END $$;

-- A reservation of p_item collected at p_pickup (the same rules as
-- tl.reserve: from today to 90 days later, in order, no overlap with a
-- loan or a reservation, whichever place it is made from), and the
-- movement bringing the item there. The item's collection must travel.
CREATE FUNCTION tl.reserve_for_pickup(p_item tl.item, p_member integer, p_from date, p_to date, p_pickup integer,
                                      p_who integer) RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    v_tz   text;
    v_id   bigint;
    v_home text;
BEGIN
    SELECT p.time_zone, p.name INTO v_tz, v_home FROM tl.place p WHERE p.id = p_item.place_id;
    IF p_from IS NULL OR p_to IS NULL OR p_from < (now() AT TIME ZONE v_tz)::date OR p_to < p_from
       OR p_to > p_from + 90 THEN
        RAISE EXCEPTION 'les dates doivent aller d''aujourd''hui au plus tôt à 90 jours plus tard au plus, dans l''ordre'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'booking_period_not_empty';
    END IF;
    IF p_pickup <> p_item.place_id
       AND NOT (SELECT c.travels FROM tl.collection c WHERE c.id = p_item.collection_id) THEN
        RAISE EXCEPTION 'les objets de cette collection ne voyagent pas : empruntez-le à %', v_home
            USING ERRCODE = 'check_violation', CONSTRAINT = 'collection_items_stay';
    END IF;
    PERFORM 1 FROM tl.item WHERE id = p_item.id FOR UPDATE;
    BEGIN
        INSERT INTO tl.booking (item_id, member_id, kind, starts_at, ends_at, pickup_place_id)
        VALUES (p_item.id, p_member, 'reservation', p_from::timestamp AT TIME ZONE v_tz,
                (p_to + 1)::timestamp AT TIME ZONE v_tz, NULLIF(p_pickup, p_item.place_id))
        RETURNING id INTO v_id;
    EXCEPTION WHEN exclusion_violation THEN
        RAISE EXCEPTION 'cet objet est déjà prêté ou réservé sur une partie de ces dates'
            USING ERRCODE = 'exclusion_violation', CONSTRAINT = 'booking_no_overlap';
    END;
    PERFORM tl.plan_movement(p_item.id, p_pickup, 'reservation', v_id, p_who);
    RETURN v_id;
END $$;

-- At the desk of the place where the member will collect it (the
-- volunteer's own place), a reservation of an item of any place.
CREATE FUNCTION tl.reserve_at(p_login text, p_member text, p_item text, p_from date, p_to date, p_pickup_slug text)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_item   tl.item := tl.require_item(p_item);
    v_pickup integer := (tl.require_place(p_pickup_slug)).id;
    v_who    integer;
BEGIN
    v_who := tl.require_role(p_login, v_pickup, 'benevole');
    RETURN tl.reserve_for_pickup(v_item, (tl.require_member(p_member)).id, p_from, p_to, v_pickup, v_who);
END $$;

-- From "Mon compte": the member's reservation collected at the place they
-- choose, at most five reservations to come (as tl.my_reserve).
CREATE FUNCTION tl.my_reserve_at(p_user text, p_item text, p_from date, p_to date, p_pickup_slug text)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_member tl.member := tl.my_member(p_user);
    v_item   tl.item := tl.require_item(p_item);
    v_pickup integer := (tl.require_place(p_pickup_slug)).id;
BEGIN
    IF (SELECT count(*) FROM tl.booking WHERE member_id = v_member.id AND kind = 'reservation'
                                          AND cancelled_at IS NULL AND ends_at > now()) >= 5 THEN
        RAISE EXCEPTION 'vous avez déjà 5 réservations à venir : annulez-en une d''abord'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'booking_member_reservations_max';
    END IF;
    RETURN tl.reserve_for_pickup(v_item, v_member.id, p_from, p_to, v_pickup, NULL);
END $$;

-- The places one may collect an item at: every place of the network.
CREATE FUNCTION tl.pickup_places(p_item text)
RETURNS TABLE (slug text, name text, own boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT p.slug, p.name, p.id = i.place_id
      FROM tl.place p, tl.find_item(p_item) i
     WHERE i.id IS NOT NULL
       AND (p.id = i.place_id OR (SELECT c.travels FROM tl.collection c WHERE c.id = i.collection_id))
     ORDER BY p.id <> i.place_id, p.name
$$;

-- A reservation cancelled before its item left: the movement too.
CREATE FUNCTION tl.booking_cancel_movement() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    UPDATE tl.item_movement SET cancelled_at = now()
     WHERE booking_id = NEW.id AND sent_at IS NULL AND cancelled_at IS NULL;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS booking_cancel_movement ON tl.booking;
CREATE TRIGGER booking_cancel_movement AFTER UPDATE OF cancelled_at ON tl.booking
    FOR EACH ROW WHEN (NEW.cancelled_at IS NOT NULL AND OLD.cancelled_at IS NULL)
    EXECUTE FUNCTION tl.booking_cancel_movement();

-- The movement a desk acts on, locked; NULL-safe refusal when it is gone.
CREATE FUNCTION tl.require_movement(p_movement bigint) RETURNS tl.item_movement
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    v_move tl.item_movement;
BEGIN
    SELECT * INTO v_move FROM tl.item_movement WHERE id = p_movement AND cancelled_at IS NULL FOR UPDATE;
    IF v_move.id IS NULL THEN
        RAISE EXCEPTION 'ce transfert n''existe pas ou a été annulé' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'item_movement_pkey';
    END IF;
    RETURN v_move;
END $$;

-- The item leaves: by a volunteer of the place it leaves from, once it is
-- back from any loan.
CREATE FUNCTION tl.send_item(p_login text, p_movement bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_move tl.item_movement := tl.require_movement(p_movement);
    v_who  integer;
BEGIN
    v_who := tl.require_role(p_login, v_move.from_place_id, 'benevole');
    -- A loan being made at this place now waits, then is seen (tl.check_out).
    PERFORM 1 FROM tl.item WHERE id = v_move.item_id FOR UPDATE;
    IF v_move.sent_at IS NOT NULL THEN
        RAISE EXCEPTION 'cet objet est déjà parti' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'item_movement_already_sent';
    END IF;
    IF EXISTS (SELECT 1 FROM tl.booking WHERE item_id = v_move.item_id AND kind = 'pret' AND returned_at IS NULL) THEN
        RAISE EXCEPTION 'cet objet est prêté : il partira après son retour' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'item_movement_on_loan';
    END IF;
    UPDATE tl.item_movement SET sent_at = now(), sent_by = v_who WHERE id = v_move.id;
END $$;

-- The item arrives: by a volunteer of the place it travels to. Arrived for
-- a reservation cancelled meanwhile, it travels home again.
CREATE FUNCTION tl.receive_item(p_login text, p_movement bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_move tl.item_movement := tl.require_movement(p_movement);
    v_who  integer;
    v_home integer;
BEGIN
    v_who := tl.require_role(p_login, v_move.to_place_id, 'benevole');
    IF v_move.received_at IS NOT NULL THEN
        RAISE EXCEPTION 'cet objet est déjà arrivé' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'item_movement_already_received';
    END IF;
    IF v_move.sent_at IS NULL THEN
        RAISE EXCEPTION 'cet objet n''est pas encore parti : le lieu d''origine doit d''abord l''expédier'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'item_movement_received_after_sent';
    END IF;
    UPDATE tl.item_movement SET received_at = greatest(now(), sent_at), received_by = v_who WHERE id = v_move.id;
    SELECT place_id INTO v_home FROM tl.item WHERE id = v_move.item_id;
    IF v_move.reason = 'reservation' AND v_move.to_place_id <> v_home
       AND EXISTS (SELECT 1 FROM tl.booking WHERE id = v_move.booking_id AND cancelled_at IS NOT NULL) THEN
        PERFORM tl.plan_movement(v_move.item_id, v_home, 'retour', NULL, v_who);
    END IF;
END $$;

-- A desk's transfers: what its place must send (expedier) and what
-- travels to it (recevoir), for a volunteer of that place.
CREATE FUNCTION tl.desk_transit(p_login text, p_place_slug text)
RETURNS TABLE (movement_id bigint, direction text, item_code text, item_title text, other_place text,
               reason_fr text, sent boolean, sent_fr text, on_loan boolean, for_member text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place tl.place := tl.require_place(p_place_slug);
BEGIN
    PERFORM tl.require_role(p_login, v_place.id, 'benevole');
    RETURN QUERY
    SELECT m.id, CASE WHEN m.from_place_id = v_place.id THEN 'expedier' ELSE 'recevoir' END,
           i.code, i.title, o.name,
           CASE m.reason WHEN 'reservation' THEN 'réservation'
                         WHEN 'retour' THEN 'retour chez lui' ELSE 'changement de lieu' END,
           m.sent_at IS NOT NULL,
           tl.date_fr((m.sent_at AT TIME ZONE v_place.time_zone)::date),
           EXISTS (SELECT 1 FROM tl.booking b WHERE b.item_id = i.id AND b.kind = 'pret' AND b.returned_at IS NULL),
           (SELECT mb.member_number FROM tl.booking b JOIN tl.member mb ON mb.id = b.member_id
             WHERE b.id = m.booking_id AND m.to_place_id = v_place.id)
      FROM tl.item_movement m
      JOIN tl.item i ON i.id = m.item_id
      JOIN tl.place o ON o.id = CASE WHEN m.from_place_id = v_place.id THEN m.to_place_id ELSE m.from_place_id END
     WHERE m.received_at IS NULL AND m.cancelled_at IS NULL
       AND ((m.from_place_id = v_place.id AND m.sent_at IS NULL) OR m.to_place_id = v_place.id)
     ORDER BY 2, m.created_at, m.id;
END $$;

-- An item's movements, oldest first, for its pages (no one's name).
CREATE FUNCTION tl.item_movements(p_item integer)
RETURNS TABLE (from_place text, to_place text, reason text, sent_fr text, received_fr text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT f.name, t.name, m.reason,
           tl.date_fr((m.sent_at AT TIME ZONE t.time_zone)::date),
           tl.date_fr((m.received_at AT TIME ZONE t.time_zone)::date)
      FROM tl.item_movement m JOIN tl.place f ON f.id = m.from_place_id JOIN tl.place t ON t.id = m.to_place_id
     WHERE m.item_id = p_item AND m.cancelled_at IS NULL
     ORDER BY m.created_at, m.id
$$;

-- Tables of this area whose content a page can show: every write bumps the
-- data version (tl.track_changes; a test checks none is forgotten).
DO $$ BEGIN PERFORM tl.track_changes(t::regclass, 'lending') FROM unnest(ARRAY['tl.booking', 'tl.item_movement']) AS t; END $$;

-- And per item and per place (tl.lending_version, sql/schema/004): the
-- buckets of the items a statement's bookings name, old and new, and of
-- their places, are bumped in the buckets' order, so two transactions never
-- wait on each other crosswise; a TRUNCATE bumps them all.
CREATE FUNCTION tl.bump_lending_versions() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_items   integer[];
    v_buckets smallint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        v_items := ARRAY(SELECT item_id FROM new_rows);
    ELSIF TG_OP = 'UPDATE' THEN
        v_items := ARRAY(SELECT item_id FROM new_rows UNION ALL SELECT item_id FROM old_rows);
    ELSIF TG_OP = 'DELETE' THEN
        v_items := ARRAY(SELECT item_id FROM old_rows);
    END IF;
    v_buckets := CASE WHEN TG_OP = 'TRUNCATE' THEN ARRAY(SELECT bucket FROM tl.lending_version)
                      ELSE ARRAY(SELECT (x % 1024)::smallint FROM unnest(v_items) AS x
                                 UNION SELECT (1024 + i.place_id % 256)::smallint
                                         FROM tl.item i WHERE i.id = ANY (v_items)) END;
    PERFORM 1 FROM tl.lending_version WHERE bucket = ANY (v_buckets) ORDER BY bucket FOR UPDATE;
    UPDATE tl.lending_version SET version = version + 1 WHERE bucket = ANY (v_buckets);
    RETURN NULL;
END $$;

CREATE TRIGGER bump_lending_versions_insert AFTER INSERT ON tl.booking
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tl.bump_lending_versions();
CREATE TRIGGER bump_lending_versions_update AFTER UPDATE ON tl.booking
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tl.bump_lending_versions();
CREATE TRIGGER bump_lending_versions_delete AFTER DELETE ON tl.booking
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION tl.bump_lending_versions();
CREATE TRIGGER bump_lending_versions_truncate AFTER TRUNCATE ON tl.booking
    FOR EACH STATEMENT EXECUTE FUNCTION tl.bump_lending_versions();
-- A movement changes what an item's pages say ("en transit vers …").
CREATE TRIGGER bump_lending_versions_insert AFTER INSERT ON tl.item_movement
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tl.bump_lending_versions();
CREATE TRIGGER bump_lending_versions_update AFTER UPDATE ON tl.item_movement
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tl.bump_lending_versions();
-- The web server reads them with the data version (glue/tl_version.c).
GRANT SELECT ON tl.lending_version TO tierslieux_lecture;

------------------------------------------------------------------------------
-- Rights: functions are executable by PUBLIC unless revoked; the desk's
-- functions go to tierslieux_guichet, the public pages' to tierslieux_lecture,
-- the sending command's to tierslieux_courriels.
------------------------------------------------------------------------------
REVOKE ALL ON FUNCTION tl.after_return(tl.item,bigint,integer,integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.booking_cancel_movement() FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.check_in_at(text,text,text,text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.check_in_at(text,text,text,text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.desk_transit(text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.desk_transit(text,text) TO tierslieux_guichet;
GRANT EXECUTE ON FUNCTION tl.item_movements(integer) TO tierslieux_lecture;
REVOKE ALL ON FUNCTION tl.item_place_now(integer) FROM PUBLIC;
GRANT SELECT ON tl.item_transit TO tierslieux_lecture;
REVOKE ALL ON FUNCTION tl.my_reserve_at(text,text,date,date,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.my_reserve_at(text,text,date,date,text) TO tierslieux_guichet;
GRANT EXECUTE ON FUNCTION tl.pickup_places(text) TO tierslieux_lecture, tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.plan_movement(integer,integer,text,bigint,integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.receive_item(text,bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.receive_item(text,bigint) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.refuse_in_transit(integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.require_movement(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.reserve_at(text,text,text,date,date,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.reserve_at(text,text,text,date,date,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.reserve_for_pickup(tl.item,integer,date,date,integer,integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.send_item(text,bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.send_item(text,bigint) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.cancel_reservation(text,bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.cancel_reservation(text,bigint) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.check_in(text,text,text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.check_in(text,text,text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.check_in_kit(text,text,text,text,text,bigint[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.check_in_kit(text,text,text,text,text,bigint[]) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.close_loan(tl.item,integer,text,text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.return_place(integer,text) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.desk_kit_components(text,text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.desk_kit_components(text,text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.desk_kit_missing(text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.desk_kit_missing(text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.check_out(text,text,text,boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.check_out(text,text,text,boolean) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.desk_item_waiting(text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.desk_item_waiting(text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.desk_lending_preview(text,text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.desk_lending_preview(text,text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.desk_member_deposits(text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.desk_member_deposits(text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.desk_member_loans(text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.desk_member_loans(text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.desk_member_reservations(text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.desk_member_reservations(text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.desk_member_waiting(text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.desk_member_waiting(text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.desk_overdue(text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.desk_overdue(text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.extend_loan(tl.booking) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.join_waiting_list(text,text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.join_waiting_list(text,text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.leave_waiting_list(text,bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.leave_waiting_list(text,bigint) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.record_deposit(text,text,numeric,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.record_deposit(text,text,numeric,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.renew(text,bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.renew(text,bigint) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.reserve(text,text,text,date,date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.reserve(text,text,text,date,date) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.return_deposit(text,text,bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.return_deposit(text,text,bigint) TO tierslieux_guichet;
