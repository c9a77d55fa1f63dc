-- 017 — reminders by e-mail: a due date in two days, an overdue item (then
-- weekly, three times at most), a reservation ready to collect, a turn on
-- a waiting list. Messages are queued here, inside the transaction that
-- causes them (a rolled-back check-in queues nothing), and sent later by
-- tools/tierslieux-courriels, run by cron, through the machine's sendmail.
-- A message is only ever marked sent or tried again: never lost. The queue
-- is generic, so the repair café and the ressourcerie can use it too (a
-- kind of their own, a template, tl.enqueue_mail).
--
-- Nothing is queued for a member without an e-mail address: the desk
-- phones them (the overdue list shows the phone number).

------------------------------------------------------------------------------
-- Settings, kinds and the templates a place may reword
------------------------------------------------------------------------------
CREATE TABLE tl.mail_setting (
    singleton      boolean NOT NULL DEFAULT true CONSTRAINT mail_setting_pkey PRIMARY KEY
                   CONSTRAINT mail_setting_singleton CHECK (singleton),
    -- The From address and envelope sender, when the command is not given
    -- one with -f; NULL: the command refuses to send without -f.
    sender_address text CONSTRAINT mail_setting_sender_format
                   CHECK (sender_address ~ '^[A-Za-z0-9.!#$%&''*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$'),
    keep_sent_days integer NOT NULL DEFAULT 30
                   CONSTRAINT mail_setting_keep_sent_days_range CHECK (keep_sent_days BETWEEN 1 AND 365)
);
COMMENT ON TABLE tl.mail_setting IS 'Who sends the reminders and how long a sent message is kept';
INSERT INTO tl.mail_setting DEFAULT VALUES;
SELECT tl.track_changes('tl.mail_setting'::regclass);

CREATE TABLE tl.mail_kind (
    code  text CONSTRAINT mail_kind_pkey PRIMARY KEY
          CONSTRAINT mail_kind_code_format CHECK (code ~ '^[a-z][a-z_]{1,39}$'),
    label text NOT NULL CONSTRAINT mail_kind_label_not_blank CHECK (btrim(label) <> '')
);
COMMENT ON TABLE tl.mail_kind IS 'Kinds of messages the queue carries, with their French name for the desk';
INSERT INTO tl.mail_kind (code, label) VALUES
    ('retour_proche', 'Retour dans deux jours'),
    ('retard', 'Objet en retard'),
    ('reservation_prete', 'Réservation prête'),
    ('liste_attente', 'Tour sur la liste d''attente');
SELECT tl.track_changes('tl.mail_kind'::regclass);

-- Placeholders {{name}} are replaced by the values the caller gives
-- (tl.compose_mail); the place's signature is added below the body.
CREATE TABLE tl.mail_template (
    id       integer GENERATED ALWAYS AS IDENTITY CONSTRAINT mail_template_pkey PRIMARY KEY,
    kind     text NOT NULL CONSTRAINT mail_template_kind_fkey REFERENCES tl.mail_kind,
    place_id integer CONSTRAINT mail_template_place_fkey REFERENCES tl.place,   -- NULL: every place
    subject  text NOT NULL CONSTRAINT mail_template_subject_one_line
             CHECK (btrim(subject) <> '' AND subject !~ '[\r\n]' AND length(subject) <= 200),
    body     text NOT NULL CONSTRAINT mail_template_body_not_blank CHECK (btrim(body) <> ''),
    CONSTRAINT mail_template_once UNIQUE NULLS NOT DISTINCT (kind, place_id)
);
COMMENT ON TABLE tl.mail_template IS 'The French text of each kind of message; a place may have its own wording';
INSERT INTO tl.mail_template (kind, subject, body) VALUES
    ('retour_proche', 'Rappel : {{objet}} à rendre le {{date}}',
     E'Bonjour {{prenom}},\n\n'
     'Vous avez emprunté « {{objet}} » ({{numero}}) à {{lieu}}. '
     'Merci de le rapporter au plus tard le {{date}}.\n\n'
     'Si vous en avez encore besoin, demandez une prolongation au guichet ou par téléphone.\n\n'
     'Bonne journée !'),
    ('retard', 'Retard : {{objet}} était à rendre le {{date}}',
     E'Bonjour {{prenom}},\n\n'
     '« {{objet}} » ({{numero}}), emprunté à {{lieu}}, était à rendre le {{date}}. '
     'D''autres personnes l''attendent peut-être : merci de le rapporter dès que possible.\n\n'
     'Si vous l''avez déjà rapporté, ne tenez pas compte de ce message.'),
    ('reservation_prete', 'Votre réservation est prête : {{objet}}',
     E'Bonjour {{prenom}},\n\n'
     '« {{objet}} » ({{numero}}), que vous avez réservé du {{debut}} au {{fin}}, vous attend à {{lieu}}. '
     'Passez le chercher aux horaires ci-dessous.\n\n'
     'Si vous n''en avez plus besoin, prévenez-nous : quelqu''un d''autre pourra l''emprunter.'),
    ('liste_attente', 'C''est votre tour : {{objet}} est disponible',
     E'Bonjour {{prenom}},\n\n'
     '« {{objet}} » ({{numero}}), que vous attendiez, vient d''être rapporté à {{lieu}}. '
     'Vous êtes en tête de la liste d''attente : passez l''emprunter aux horaires ci-dessous.\n\n'
     'Si vous n''en avez plus besoin, prévenez-nous pour que la personne suivante en profite.');
SELECT tl.track_changes('tl.mail_template'::regclass);

------------------------------------------------------------------------------
-- The queue
------------------------------------------------------------------------------
-- An address the sending command accepts (tl_mail_addr_ok in the core):
-- local@domain in printable ASCII, without spaces, quotes, brackets,
-- commas or semicolons. A member's address may be looser (008); such a
-- member gets no e-mail rather than one that can never leave.
CREATE FUNCTION tl.mail_address_ok(p_address text) RETURNS boolean
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $$
    SELECT coalesce(p_address ~ '^[!-~]+$'
                    AND p_address ~ '^[^@<>()\[\],;:"\\]+@[^@<>()\[\],;:"\\]+\.[^@<>()\[\],;:"\\]+$', false)
$$;

-- Not tracked by tl.track_changes: no public page shows it, and the
-- sending command writes it all night long; bumping the data version
-- would only throw away the public pages kept for reuse.
CREATE TABLE tl.mail_message (
    id          bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT mail_message_pkey PRIMARY KEY,
    kind        text NOT NULL CONSTRAINT mail_message_kind_fkey REFERENCES tl.mail_kind,
    place_id    integer NOT NULL CONSTRAINT mail_message_place_fkey REFERENCES tl.place,
    -- Erasing a member (tl.erase_member) or deleting an inactive one
    -- (tl.apply_retention) takes their messages with them.
    member_id   integer CONSTRAINT mail_message_member_fkey REFERENCES tl.member ON DELETE CASCADE,
    recipient   text NOT NULL CONSTRAINT mail_message_recipient_format
                CHECK (tl.mail_address_ok(recipient)),
    subject     text NOT NULL CONSTRAINT mail_message_subject_one_line
                CHECK (btrim(subject) <> '' AND subject !~ '[\r\n]'),
    body        text NOT NULL CONSTRAINT mail_message_body_not_blank CHECK (btrim(body) <> ''),
    created_at  timestamptz NOT NULL DEFAULT now(),
    not_before  timestamptz NOT NULL DEFAULT now(),
    attempts    integer NOT NULL DEFAULT 0 CONSTRAINT mail_message_attempts_positive CHECK (attempts >= 0),
    -- What went wrong the last time, as the command words it ("sendmail
    -- exited with status 75"): never an address or a text from the message.
    last_error  text CONSTRAINT mail_message_last_error_short CHECK (length(last_error) <= 300),
    sent_at     timestamptz,
    CONSTRAINT mail_message_sent_after_created CHECK (sent_at IS NULL OR sent_at >= created_at)
);
COMMENT ON TABLE tl.mail_message IS 'E-mails waiting to be sent or recently sent (personal data: deleted after tl.mail_setting.keep_sent_days)';
CREATE INDEX mail_message_due_idx ON tl.mail_message (not_before, id) WHERE sent_at IS NULL;
CREATE INDEX mail_message_member_idx ON tl.mail_message (member_id);
CREATE INDEX mail_message_place_idx ON tl.mail_message (place_id, created_at);

-- What was queued for which booking, so that running the reminders twice
-- queues nothing twice, even after the messages themselves are deleted.
-- for_date is the due date (or the reservation's first day) the message
-- was about: a renewed loan is reminded again for its new date.
CREATE TABLE tl.booking_reminder (
    booking_id bigint NOT NULL CONSTRAINT booking_reminder_booking_fkey REFERENCES tl.booking ON DELETE CASCADE,
    kind       text NOT NULL CONSTRAINT booking_reminder_kind_fkey REFERENCES tl.mail_kind,
    for_date   date NOT NULL,
    rank       integer NOT NULL DEFAULT 1 CONSTRAINT booking_reminder_rank_range CHECK (rank BETWEEN 1 AND 10),
    queued_on  date NOT NULL,
    queued_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT booking_reminder_pkey PRIMARY KEY (booking_id, kind, for_date, rank)
);
COMMENT ON TABLE tl.booking_reminder IS 'Which reminder was queued for which booking (no personal data; keeps the reminders idempotent)';

------------------------------------------------------------------------------
-- Composing a message
------------------------------------------------------------------------------
-- Opening hours (the OpenStreetMap syntax places use) as French lines:
-- "Tu,Th 14:00-18:30; Sa 10:00-17:00; Su off" gives
-- "mardi, jeudi : 14 h – 18 h 30" and "samedi : 10 h – 17 h".
CREATE FUNCTION tl.hours_fr(p_hours text) RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog AS $$
DECLARE
    v_rule  text;
    v_days  text;
    v_times text;
    v_out   text[] := '{}';
    v_names constant text[] := ARRAY['Mo', 'lundi', 'Tu', 'mardi', 'We', 'mercredi', 'Th', 'jeudi',
                                     'Fr', 'vendredi', 'Sa', 'samedi', 'Su', 'dimanche'];
    i       integer;
BEGIN
    FOREACH v_rule IN ARRAY regexp_split_to_array(coalesce(p_hours, ''), '\s*;\s*') LOOP
        v_rule := btrim(v_rule);
        CONTINUE WHEN v_rule = '';
        IF v_rule = '24/7' THEN
            v_out := v_out || 'ouvert tous les jours, 24 h sur 24'::text;
            CONTINUE;
        END IF;
        v_days := split_part(v_rule, ' ', 1);
        v_times := btrim(substr(v_rule, length(v_days) + 1));
        IF v_days = 'PH' THEN
            IF v_times IN ('off', 'closed') THEN
                v_out := v_out || 'fermé les jours fériés'::text;
            END IF;
            CONTINUE;
        END IF;
        CONTINUE WHEN v_times IN ('off', 'closed', '');
        v_days := regexp_replace(v_days, '([A-Z][a-z])-([A-Z][a-z])', 'du \1 au \2', 'g');
        v_days := replace(v_days, ',', ', ');
        FOR i IN 1 .. array_length(v_names, 1) BY 2 LOOP
            v_days := replace(v_days, v_names[i], v_names[i + 1]);
        END LOOP;
        v_times := regexp_replace(v_times, '([0-9]{2}):00', '\1 h', 'g');
        v_times := regexp_replace(v_times, '([0-9]{2}):([0-9]{2})', '\1 h \2', 'g');
        v_times := regexp_replace(v_times, '(^|[ ,-])0([0-9] h)', '\1\2', 'g');
        v_times := replace(replace(v_times, '-', ' – '), ',', ', ');
        v_out := v_out || (v_days || ' : ' || v_times);
    END LOOP;
    RETURN array_to_string(v_out, E'\n');
END $$;

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
    v_hours := tl.hours_fr(v_place.opening_hours);
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

-- tl.check_in as in 005, and then the message an item's return causes,
-- in the same transaction.
CREATE OR REPLACE FUNCTION tl.check_in(p_login text, p_item text, p_condition text, p_maintenance text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_item tl.item;
    v_who  integer;
    v_id   bigint;
BEGIN
    v_item := tl.require_item(p_item);
    v_who := tl.require_role(p_login, v_item.place_id, 'benevole');
    IF p_condition IS NOT NULL AND NOT EXISTS (SELECT 1 FROM tl.item_condition WHERE code = p_condition) THEN
        RAISE EXCEPTION 'état inconnu' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'booking_return_condition_fkey';
    END IF;
    UPDATE tl.booking SET returned_at = now(), returned_to = v_who, return_condition = p_condition
     WHERE item_id = v_item.id AND kind = 'pret' AND returned_at IS NULL
    RETURNING id INTO v_id;
    IF v_id IS NULL THEN
        RAISE EXCEPTION 'cet objet n''est pas en prêt' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'booking_not_on_loan';
    END IF;
    IF p_condition IS NOT NULL THEN
        UPDATE tl.item SET condition = p_condition WHERE id = v_item.id;
    END IF;
    IF btrim(coalesce(p_maintenance, '')) <> '' THEN
        INSERT INTO tl.maintenance (item_id, reason) VALUES (v_item.id, btrim(p_maintenance));
    END IF;
    PERFORM tl.queue_item_back(v_item.id, now());
    RETURN v_id;
END $$;

-- tl.end_maintenance as in 010, and then the same: an item back from
-- maintenance is on the shelf again.
CREATE OR REPLACE FUNCTION tl.end_maintenance(p_login text, p_number text, p_work text, p_safety_checked boolean)
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

-- "22 novembre 2026 à 18 h 05", in the place's time zone.
CREATE FUNCTION tl.datetime_fr(p_at timestamptz, p_tz text) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT tl.date_fr((p_at AT TIME ZONE p_tz)::date) || ' à '
           || to_char(p_at AT TIME ZONE p_tz, 'FMHH24 "h" MI')
$$;

------------------------------------------------------------------------------
-- A member's data, as in 009, with the e-mails written to them: what the
-- desk hands a member who asks (the right of access covers them too).
------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION tl.member_export(p_login text, p_number text) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_member tl.member;
BEGIN
    v_member := tl.desk_member(p_login, p_number, 'export');
    RETURN jsonb_build_object(
        'adherent', jsonb_build_object('numero', v_member.member_number, 'nom', v_member.family_name,
                                       'prenom', v_member.given_name, 'courriel', v_member.email,
                                       'telephone', v_member.phone, 'annee_naissance', v_member.birth_year,
                                       'inscrit_le', v_member.created_at::date,
                                       'charte_acceptee_le', v_member.charter_accepted_at::date),
        'prets', coalesce((SELECT jsonb_agg(jsonb_build_object('objet', i.code, 'titre', i.title,
                                                               'emprunte_le', b.starts_at::date,
                                                               'a_rendre_le', b.due_on,
                                                               'rendu_le', b.returned_at::date)
                                            ORDER BY b.starts_at)
                             FROM tl.booking b JOIN tl.item i ON i.id = b.item_id
                            WHERE b.member_id = v_member.id AND b.kind = 'pret'), '[]'::jsonb),
        'cautions', coalesce((SELECT jsonb_agg(jsonb_build_object('montant', d.amount, 'nature', d.kind,
                                                                  'recue_le', d.received_on,
                                                                  'rendue_le', d.returned_on))
                                FROM tl.member_deposit d WHERE d.member_id = v_member.id), '[]'::jsonb),
        'courriels', coalesce((SELECT jsonb_agg(jsonb_build_object('a', m.recipient, 'sujet', m.subject,
                                                                   'texte', m.body, 'prepare_le', m.created_at::date,
                                                                   'envoye_le', m.sent_at::date)
                                                ORDER BY m.id)
                                 FROM tl.mail_message m WHERE m.member_id = v_member.id), '[]'::jsonb));
END $$;

------------------------------------------------------------------------------
-- Rights
------------------------------------------------------------------------------
-- The sending command's role: it may queue the reminders and send what is
-- due, and read nothing else. A site makes its login role a member
-- (CREATE ROLE courriels LOGIN IN ROLE tierslieux_courriels).
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tierslieux_courriels') THEN
        CREATE ROLE tierslieux_courriels NOLOGIN;
    END IF;
END $$;
GRANT USAGE ON SCHEMA tl TO tierslieux_courriels;

REVOKE ALL ON FUNCTION tl.hours_fr(text), tl.compose_mail(text, integer, jsonb),
                       tl.enqueue_mail(text, integer, integer, text, jsonb, timestamptz),
                       tl.booking_mail_values(bigint), tl.enqueue_booking_mail(bigint, text, date, integer, date),
                       tl.queue_item_back(integer, timestamptz), tl.queue_reminders(timestamptz),
                       tl.mail_sender(), tl.mail_next(timestamptz), tl.mail_due(timestamptz),
                       tl.mail_sent(bigint, timestamptz), tl.mail_failed(bigint, text, timestamptz), tl.mail_left(),
                       tl.apply_mail_retention(timestamptz), tl.desk_mail(text), tl.datetime_fr(timestamptz, text)
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.queue_reminders(timestamptz), tl.mail_sender(), tl.mail_next(timestamptz),
                          tl.mail_due(timestamptz), tl.mail_sent(bigint, timestamptz),
                          tl.mail_failed(bigint, text, timestamptz), tl.mail_left()
   TO tierslieux_courriels;
GRANT EXECUTE ON FUNCTION tl.desk_mail(text) TO tierslieux_guichet;
