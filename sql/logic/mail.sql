-- Mail: the queue of messages, their composition, the reminders and the
-- sending command's functions.
--
-- The current form of this area's functions, views, triggers and rights.
-- script/migrate drops every function and view of schema tl (but the
-- constraint helpers of sql/schema) and applies the files of sql/logic/ORDER
-- again after the numbered migrations, in one transaction: edit here, never
-- in a numbered file.

-- The subject and body of a message of that kind at that place, with the
-- values given, signed with the place's name, address, opening hours and
-- phone. The place's own wording if it has one, else the common one.
CREATE FUNCTION tl.compose_mail(p_kind text, p_place integer, p_values jsonb,
                                OUT subject text, OUT body text)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog AS $$
DECLARE
    v_tpl   tl.mail_template;
    v_place tl.place;
    v_key   text;
    v_value text;
    v_hours text;
BEGIN
    SELECT * INTO v_place FROM tl.place WHERE id = p_place;
    SELECT * INTO v_tpl FROM tl.mail_template
     WHERE kind = p_kind AND (place_id = p_place OR place_id IS NULL)
     ORDER BY place_id NULLS LAST LIMIT 1;
    IF v_tpl.id IS NULL OR v_place.id IS NULL THEN
        RAISE EXCEPTION 'no mail template for kind % at place %', p_kind, p_place
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'mail_template_kind_fkey';
    END IF;
    subject := v_tpl.subject;
    body := v_tpl.body;
    FOR v_key, v_value IN
        SELECT e.key, e.value FROM jsonb_each_text(coalesce(p_values, '{}') || jsonb_build_object('lieu', v_place.name)) e
    LOOP
        subject := replace(subject, '{{' || v_key || '}}', regexp_replace(coalesce(v_value, ''), '\s+', ' ', 'g'));
        body := replace(body, '{{' || v_key || '}}', coalesce(v_value, ''));
    END LOOP;
    -- A placeholder nobody filled goes away rather than reaching a member.
    subject := btrim(regexp_replace(subject, '\{\{[a-z_]+\}\}', '', 'g'));
    body := regexp_replace(body, '\{\{[a-z_]+\}\}', '', 'g');
    v_hours := tl.hours_fr(v_place.id);
    body := rtrim(body, E' \n') || E'\n\n-- \n' || v_place.name || E'\n'
            || v_place.street_address || ', ' || v_place.postal_code || ' ' || v_place.locality
            || CASE WHEN v_hours <> '' THEN E'\nHoraires :\n' || v_hours ELSE '' END
            || CASE WHEN v_place.phone IS NOT NULL THEN E'\nTéléphone : ' || v_place.phone ELSE '' END
            || CASE WHEN v_place.email IS NOT NULL THEN E'\nCourriel : ' || v_place.email ELSE '' END
            || E'\n';
END $$;

-- Queues one message, to be sent from p_not_before; returns its id, or
-- NULL (nothing queued) when there is no address to write to, or none the
-- command could send to (see tl.mail_address_ok). Called
-- inside the transaction that causes the message.
CREATE FUNCTION tl.enqueue_mail(p_kind text, p_place integer, p_member integer, p_recipient text,
                                p_values jsonb, p_not_before timestamptz DEFAULT now()) RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    v_mail record;
    v_id   bigint;
BEGIN
    IF NOT tl.mail_address_ok(btrim(p_recipient)) THEN
        RETURN NULL;
    END IF;
    v_mail := tl.compose_mail(p_kind, p_place, p_values);
    INSERT INTO tl.mail_message (kind, place_id, member_id, recipient, subject, body, not_before)
    VALUES (p_kind, p_place, p_member, btrim(p_recipient), v_mail.subject, v_mail.body,
            coalesce(p_not_before, now()))
    RETURNING id INTO v_id;
    RETURN v_id;
END $$;

-- The values every loan or reservation message uses.
CREATE FUNCTION tl.booking_mail_values(p_booking bigint) RETURNS jsonb
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT jsonb_build_object(
               'prenom', m.given_name, 'nom', m.family_name, 'objet', i.title, 'numero', i.code,
               'date', tl.date_fr(b.due_on),
               'debut', tl.date_fr((b.starts_at AT TIME ZONE p.time_zone)::date),
               'fin', tl.date_fr(((b.ends_at AT TIME ZONE p.time_zone) - interval '1 microsecond')::date))
      FROM tl.booking b JOIN tl.item i ON i.id = b.item_id JOIN tl.place p ON p.id = i.place_id
      JOIN tl.member m ON m.id = b.member_id
     WHERE b.id = p_booking
$$;

-- Queues a message about a booking once: nothing when that reminder was
-- already queued (tl.booking_reminder), or when the member has no address.
-- Returns the message's id or NULL.
CREATE FUNCTION tl.enqueue_booking_mail(p_booking bigint, p_kind text, p_for date, p_rank integer,
                                        p_today date) RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    v_member tl.member;
    v_place  integer;
BEGIN
    SELECT m.* INTO v_member FROM tl.booking b JOIN tl.member m ON m.id = b.member_id WHERE b.id = p_booking;
    SELECT i.place_id INTO v_place FROM tl.booking b JOIN tl.item i ON i.id = b.item_id WHERE b.id = p_booking;
    IF v_member.id IS NULL OR v_member.email IS NULL THEN
        RETURN NULL;
    END IF;
    INSERT INTO tl.booking_reminder (booking_id, kind, for_date, rank, queued_on)
    VALUES (p_booking, p_kind, p_for, p_rank, p_today)
    ON CONFLICT ON CONSTRAINT booking_reminder_pkey DO NOTHING;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    RETURN tl.enqueue_mail(p_kind, v_place, v_member.id, v_member.email, tl.booking_mail_values(p_booking));
END $$;

------------------------------------------------------------------------------
-- Messages caused by a return
------------------------------------------------------------------------------
-- An item is back on the shelf (tl.check_in not sending it to
-- maintenance, tl.end_maintenance).
-- "A reservation ready to collect" (see 011: a reservation becomes the loan
-- when its member comes from the day before its first day, tl.check_out)
-- means: the reservation's first day is today or tomorrow, it is not over,
-- and the item is in — neither lent nor in maintenance. Its member is
-- told. Otherwise the first member on the item's waiting list is told it
-- is their turn; nobody else, since someone else's reservation starting
-- soon holds the item anyway.
CREATE FUNCTION tl.queue_item_back(p_item integer, p_now timestamptz DEFAULT now()) RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    v_tz      text;
    v_today   date;
    v_booking tl.booking;
    v_entry   record;
BEGIN
    SELECT p.time_zone INTO v_tz FROM tl.item i JOIN tl.place p ON p.id = i.place_id WHERE i.id = p_item;
    v_today := (p_now AT TIME ZONE v_tz)::date;
    -- Not lendable yet (tl.check_out's refusals): nobody is told to come.
    IF EXISTS (SELECT 1 FROM tl.booking WHERE item_id = p_item AND kind = 'pret' AND returned_at IS NULL)
       OR EXISTS (SELECT 1 FROM tl.maintenance WHERE item_id = p_item AND ended_at IS NULL)
       OR EXISTS (SELECT 1 FROM tl.item WHERE id = p_item AND safety_check_days IS NOT NULL
                   AND (last_safety_check IS NULL OR last_safety_check + safety_check_days < v_today)) THEN
        RETURN NULL;
    END IF;
    SELECT * INTO v_booking FROM tl.booking
     WHERE item_id = p_item AND kind = 'reservation' AND cancelled_at IS NULL AND member_id IS NOT NULL
       AND (starts_at AT TIME ZONE v_tz)::date <= v_today + 1 AND ends_at > p_now
     ORDER BY starts_at LIMIT 1;
    IF v_booking.id IS NOT NULL THEN
        RETURN tl.enqueue_booking_mail(v_booking.id, 'reservation_prete',
                                       (v_booking.starts_at AT TIME ZONE v_tz)::date, 1, v_today);
    END IF;
    SELECT w.id, m.id AS member_id, m.email, i.place_id,
           jsonb_build_object('prenom', m.given_name, 'nom', m.family_name, 'objet', i.title,
                              'numero', i.code) AS vals
      INTO v_entry
      FROM tl.waiting_list w JOIN tl.member m ON m.id = w.member_id JOIN tl.item i ON i.id = w.item_id
     WHERE w.item_id = p_item AND w.served_at IS NULL AND w.removed_at IS NULL
     ORDER BY w.added_at, w.id LIMIT 1;
    IF v_entry.id IS NULL THEN
        RETURN NULL;
    END IF;
    RETURN tl.enqueue_mail('liste_attente', v_entry.place_id, v_entry.member_id, v_entry.email, v_entry.vals);
END $$;

------------------------------------------------------------------------------
-- Time-based reminders, queued by the sending command before it sends
------------------------------------------------------------------------------
-- Idempotent: each reminder is recorded in tl.booking_reminder, so running
-- it twice at the same time queues nothing the second time. Days are the
-- place's local days at p_now.
--  * due in two days: once per loan and due date, when the due date is in
--    one or two days and the loan did not start today;
--  * overdue: the day after the due date, then at least seven days after
--    the previous one (the 8th, the 15th day…), three times at most —
--    a command that missed some days sends one, not three at once;
--  * a reservation ready to collect (see tl.queue_item_back) whose first
--    day has come while the item was already in.
-- Returns how many messages were queued.
CREATE FUNCTION tl.queue_reminders(p_now timestamptz DEFAULT now()) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    n     integer := 0;
    r     record;
BEGIN
    FOR r IN
        SELECT b.id, b.due_on, (p_now AT TIME ZONE p.time_zone)::date AS today
          FROM tl.booking b JOIN tl.item i ON i.id = b.item_id JOIN tl.place p ON p.id = i.place_id
          JOIN tl.member m ON m.id = b.member_id
         WHERE b.kind = 'pret' AND b.returned_at IS NULL AND m.email IS NOT NULL
           AND b.due_on - (p_now AT TIME ZONE p.time_zone)::date BETWEEN 1 AND 2
           AND (b.starts_at AT TIME ZONE p.time_zone)::date < (p_now AT TIME ZONE p.time_zone)::date
         ORDER BY b.id
    LOOP
        IF tl.enqueue_booking_mail(r.id, 'retour_proche', r.due_on, 1, r.today) IS NOT NULL THEN
            n := n + 1;
        END IF;
    END LOOP;

    FOR r IN
        SELECT b.id, b.due_on, (p_now AT TIME ZONE p.time_zone)::date AS today,
               coalesce(s.sent, 0) AS sent, s.last_on
          FROM tl.booking b JOIN tl.item i ON i.id = b.item_id JOIN tl.place p ON p.id = i.place_id
          JOIN tl.member m ON m.id = b.member_id
          LEFT JOIN LATERAL (SELECT count(*)::integer AS sent, max(queued_on) AS last_on FROM tl.booking_reminder br
                              WHERE br.booking_id = b.id AND br.kind = 'retard' AND br.for_date = b.due_on) s ON true
         WHERE b.kind = 'pret' AND b.returned_at IS NULL AND m.email IS NOT NULL
           AND b.due_on < (p_now AT TIME ZONE p.time_zone)::date
         ORDER BY b.id
    LOOP
        CONTINUE WHEN r.sent >= 3;
        CONTINUE WHEN r.today < r.due_on + 1 + 7 * r.sent;
        CONTINUE WHEN r.last_on IS NOT NULL AND r.today < r.last_on + 7;
        IF tl.enqueue_booking_mail(r.id, 'retard', r.due_on, r.sent + 1, r.today) IS NOT NULL THEN
            n := n + 1;
        END IF;
    END LOOP;

    FOR r IN
        SELECT DISTINCT b.item_id
          FROM tl.booking b JOIN tl.item i ON i.id = b.item_id JOIN tl.place p ON p.id = i.place_id
         WHERE b.kind = 'reservation' AND b.cancelled_at IS NULL AND b.member_id IS NOT NULL
           AND (b.starts_at AT TIME ZONE p.time_zone)::date <= (p_now AT TIME ZONE p.time_zone)::date + 1
           AND b.ends_at > p_now
           AND NOT EXISTS (SELECT 1 FROM tl.booking_reminder br WHERE br.booking_id = b.id
                            AND br.kind = 'reservation_prete')
    LOOP
        IF tl.queue_item_back(r.item_id, p_now) IS NOT NULL THEN
            n := n + 1;
        END IF;
    END LOOP;
    RETURN n;
END $$;

------------------------------------------------------------------------------
-- Sending (tools/tierslieux-courriels), one message per transaction
------------------------------------------------------------------------------
-- The sender address kept in the settings (the command's -f wins).
CREATE FUNCTION tl.mail_sender() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT sender_address FROM tl.mail_setting
$$;

-- The next message due, locked until the caller's transaction ends; a
-- second command running at the same time takes the next one
-- (SKIP LOCKED), so no message goes out twice from two commands.
CREATE FUNCTION tl.mail_next(p_now timestamptz DEFAULT now())
RETURNS TABLE (id bigint, recipient text, subject text, body text, created_at timestamptz,
               place_name text, place_email text, attempts integer)
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT m.id, m.recipient, m.subject, m.body, m.created_at, p.name, p.email, m.attempts
      FROM tl.mail_message m JOIN tl.place p ON p.id = m.place_id
     WHERE m.id = (SELECT x.id FROM tl.mail_message x
                    WHERE x.sent_at IS NULL AND x.not_before <= p_now
                    ORDER BY x.not_before, x.id LIMIT 1 FOR UPDATE SKIP LOCKED)
$$;

-- Every message due, without locking: what a dry run would send.
CREATE FUNCTION tl.mail_due(p_now timestamptz DEFAULT now())
RETURNS TABLE (id bigint, recipient text, subject text, body text, created_at timestamptz,
               place_name text, place_email text, attempts integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT m.id, m.recipient, m.subject, m.body, m.created_at, p.name, p.email, m.attempts
      FROM tl.mail_message m JOIN tl.place p ON p.id = m.place_id
     WHERE m.sent_at IS NULL AND m.not_before <= p_now
     ORDER BY m.not_before, m.id
$$;

CREATE FUNCTION tl.mail_sent(p_id bigint, p_now timestamptz DEFAULT now()) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog AS $$
    UPDATE tl.mail_message SET sent_at = greatest(p_now, created_at), attempts = attempts + 1, last_error = NULL
     WHERE id = p_id AND sent_at IS NULL
$$;

-- A failed attempt: counted, its cause kept (cut short), and the message
-- tried again later: 15 minutes after the first failure, then twice as
-- long each time, a day at most. Never deleted.
CREATE FUNCTION tl.mail_failed(p_id bigint, p_error text, p_now timestamptz DEFAULT now()) RETURNS timestamptz
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog AS $$
    UPDATE tl.mail_message
       SET attempts = attempts + 1, last_error = left(coalesce(p_error, 'unknown error'), 300),
           not_before = p_now + least(interval '1 day', interval '15 minutes' * power(2, least(attempts, 10)))
     WHERE id = p_id AND sent_at IS NULL
    RETURNING not_before
$$;

-- Messages not sent yet (due now or later).
CREATE FUNCTION tl.mail_left() RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT count(*) FROM tl.mail_message WHERE sent_at IS NULL
$$;

------------------------------------------------------------------------------
-- Retention: a sent message is personal data kept a short while for the
-- desk to see what went out, then deleted; a message not sent is never
-- deleted by time (only with its member). Called by script/retention.
------------------------------------------------------------------------------
CREATE FUNCTION tl.apply_mail_retention(p_now timestamptz DEFAULT now()) RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    n integer;
BEGIN
    DELETE FROM tl.mail_message
     WHERE sent_at IS NOT NULL
       AND sent_at < p_now - make_interval(days => (SELECT keep_sent_days FROM tl.mail_setting));
    GET DIAGNOSTICS n = ROW_COUNT;
    -- What was reminded for loans returned long ago is of no use any more.
    DELETE FROM tl.booking_reminder br USING tl.booking b
     WHERE b.id = br.booking_id AND br.queued_at < p_now - interval '1 year'
       AND (b.returned_at IS NOT NULL OR b.cancelled_at IS NOT NULL OR b.kind = 'reservation');
    RETURN n;
END $$;

COMMENT ON FUNCTION tl.apply_mail_retention(timestamptz) IS 'Run daily by script/retention (cron)';

------------------------------------------------------------------------------
-- The référent's preview at the desk (/guichet/courriels)
------------------------------------------------------------------------------
-- The messages of the places where p_login is référent or administrator:
-- waiting ones first, then those sent, newest first. Refused (42501) to
-- anyone who is référent nowhere.
CREATE FUNCTION tl.desk_mail(p_login text)
RETURNS TABLE (message_id bigint, place_slug text, place_name text, kind_label text, recipient text,
               subject text, body text, state text, state_label text, created_fr text, sent_fr text,
               attempts integer, next_fr text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM tl.account a JOIN tl.account_role r ON r.account_id = a.id
                    WHERE a.login = p_login AND a.active AND tl.role_rank(r.role) >= tl.role_rank('referent')) THEN
        RAISE EXCEPTION 'votre compte n''a le rôle de référent dans aucun lieu' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN QUERY
    SELECT m.id, p.slug, p.name, k.label, m.recipient, m.subject, m.body,
           CASE WHEN m.sent_at IS NOT NULL THEN 'envoye' WHEN m.attempts > 0 THEN 'echec' ELSE 'en_attente' END,
           CASE WHEN m.sent_at IS NOT NULL THEN 'envoyé'
                WHEN m.attempts > 0 THEN 'en attente, ' || m.attempts || CASE WHEN m.attempts = 1 THEN ' essai manqué'
                                                                            ELSE ' essais manqués' END
                ELSE 'en attente' END,
           tl.datetime_fr(m.created_at, p.time_zone), tl.datetime_fr(m.sent_at, p.time_zone), m.attempts,
           CASE WHEN m.sent_at IS NULL AND m.not_before > now() THEN tl.datetime_fr(m.not_before, p.time_zone) END
      FROM tl.mail_message m
      JOIN tl.place p ON p.id = m.place_id
      JOIN tl.mail_kind k ON k.code = m.kind
     WHERE m.place_id IN (SELECT r.place_id FROM tl.account a JOIN tl.account_role r ON r.account_id = a.id
                           WHERE a.login = p_login AND a.active AND tl.role_rank(r.role) >= tl.role_rank('referent'))
     ORDER BY m.sent_at IS NOT NULL, m.sent_at DESC, m.not_before, m.id
     LIMIT 200;
END $$;

-- Tables of this area whose content a page can show: every write bumps the
-- data version (tl.track_changes; a test checks none is forgotten).
DO $$ BEGIN PERFORM tl.track_changes(t::regclass, 'mail') FROM unnest(ARRAY['tl.mail_kind', 'tl.mail_setting', 'tl.mail_template']) AS t; END $$;

------------------------------------------------------------------------------
-- Rights: functions are executable by PUBLIC unless revoked; the desk's
-- functions go to tierslieux_guichet, the public pages' to tierslieux_lecture,
-- the sending command's to tierslieux_courriels.
------------------------------------------------------------------------------
REVOKE ALL ON FUNCTION tl.apply_mail_retention(timestamp with time zone) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.booking_mail_values(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.compose_mail(text,integer,jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.desk_mail(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.desk_mail(text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.enqueue_booking_mail(bigint,text,date,integer,date) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.enqueue_mail(text,integer,integer,text,jsonb,timestamp with time zone) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.mail_due(timestamp with time zone) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.mail_due(timestamp with time zone) TO tierslieux_courriels;
REVOKE ALL ON FUNCTION tl.mail_failed(bigint,text,timestamp with time zone) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.mail_failed(bigint,text,timestamp with time zone) TO tierslieux_courriels;
REVOKE ALL ON FUNCTION tl.mail_left() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.mail_left() TO tierslieux_courriels;
REVOKE ALL ON FUNCTION tl.mail_next(timestamp with time zone) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.mail_next(timestamp with time zone) TO tierslieux_courriels;
REVOKE ALL ON FUNCTION tl.mail_sender() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.mail_sender() TO tierslieux_courriels;
REVOKE ALL ON FUNCTION tl.mail_sent(bigint,timestamp with time zone) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.mail_sent(bigint,timestamp with time zone) TO tierslieux_courriels;
REVOKE ALL ON FUNCTION tl.queue_item_back(integer,timestamp with time zone) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.queue_reminders(timestamp with time zone) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.queue_reminders(timestamp with time zone) TO tierslieux_courriels;
