-- 031 — erasure that erases. A member is erased in three places: at the
-- desk (tl.erase_member, sql/009), by themselves (tl.my_erase, sql/018)
-- and by the retention command when they stopped coming
-- (tl.apply_retention, sql/006). Each deleted the member row and counted
-- on foreign keys for the rest, so whatever held the person without a
-- member_id stayed: the grower's name typed on a seed deposit, the name and
-- contact of a repair café booking, the rows of a members file waiting in
-- an import, a name typed into a note. All three now go through
-- tl.forget_members, the one place that knows every column a member's
-- identity can reach (tests/integration/test_erasure.py lists the tl
-- schema's text columns and fails on one nobody has reasoned about).
--
-- What is counted for impact stays: loans and reservations as anonymous
-- statistics (as before), seed lots and their movements (the seeds are the
-- commons; the grower becomes empty), repair bookings and records (the
-- object and its problem, without the person).

------------------------------------------------------------------------------
-- Recognising a member in a text
------------------------------------------------------------------------------

-- Text as words: lower case, no accents, every run of other characters one
-- space, a space at each end, so that ' marie dupont ' is found as whole
-- words whatever the case, accents, hyphens or punctuation typed.
CREATE FUNCTION tl.erasure_words(p text) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT ' ' || btrim(regexp_replace(lower(public.unaccent(coalesce(p, ''))), '[^a-z0-9]+', ' ', 'g')) || ' '
$$;

-- A phone number's significant digits, whatever way it is written
-- ("06 12 34 56 78", "0612345678", "+33 6 12 34 56 78", "0033 (0)6…" all
-- give 612345678); NULL when too short to tell one person from another.
CREATE FUNCTION tl.erasure_phone_key(p text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $$
    SELECT CASE WHEN length(k) >= 8 THEN k END
      FROM (SELECT ltrim(CASE WHEN d LIKE '0033%' THEN substr(d, 5)
                              WHEN d LIKE '33%' AND length(d) BETWEEN 11 AND 12 THEN substr(d, 3)
                              ELSE d END, '0') AS k
              FROM (SELECT regexp_replace(coalesce(p, ''), '[^0-9]', '', 'g') AS d) x) y
$$;

-- What identifies one member in free text. A name written without a
-- letter or a digit finds nothing (NULL). An e-mail address or a phone
-- number a member who stays also gives (a family sharing one) is left
-- out: it would find that member's bookings too, and it stays in their file.
CREATE TYPE tl.erasure_marks AS (
    member_id integer,
    name1     text,         -- "given family", as tl.erasure_words
    name2     text,         -- "family given"
    family    text,         -- the family name alone
    email     text,         -- lower case
    phone     text,         -- tl.erasure_phone_key
    number    text          -- the member number, as tl.erasure_words
);

-- The marks of the members p_ids, all at once (the retention command may
-- erase many: one pass over the members, not one per member).
CREATE FUNCTION tl.erasure_marks_of(p_ids integer[]) RETURNS tl.erasure_marks[]
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    WITH kept AS (
        SELECT lower(btrim(o.email)) AS email, tl.erasure_phone_key(o.phone) AS phone
          FROM tl.member o WHERE o.id <> ALL (p_ids)
    )
    SELECT coalesce(array_agg(ROW(m.id,
               nullif(tl.erasure_words(m.given_name || ' ' || m.family_name), '  '),
               nullif(tl.erasure_words(m.family_name || ' ' || m.given_name), '  '),
               nullif(tl.erasure_words(m.family_name), '  '),
               CASE WHEN nullif(btrim(m.email), '') IS NOT NULL
                     AND NOT EXISTS (SELECT 1 FROM kept WHERE kept.email = lower(btrim(m.email)))
                    THEN lower(btrim(m.email)) END,
               CASE WHEN NOT EXISTS (SELECT 1 FROM kept WHERE kept.phone = tl.erasure_phone_key(m.phone))
                    THEN tl.erasure_phone_key(m.phone) END,
               nullif(tl.erasure_words(m.member_number), '  '))::tl.erasure_marks ORDER BY m.id), '{}')
      FROM tl.member m WHERE m.id = ANY (p_ids)
$$;

-- Does the text name one of the members: their full name (either order),
-- their e-mail, their phone in any writing, or their member number? The
-- text is normalised once, then compared with every member's marks.
CREATE FUNCTION tl.erasure_mentions(p text, ks tl.erasure_marks[]) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT coalesce(btrim(p), '') <> '' AND EXISTS (
        SELECT 1
          FROM (SELECT tl.erasure_words(p) AS w, lower(p) AS l, regexp_replace(p, '[^0-9]', '', 'g') AS d) x,
               unnest(ks) k
         WHERE strpos(x.w, k.name1) > 0 OR strpos(x.w, k.name2) > 0 OR strpos(x.w, k.number) > 0
            OR strpos(x.l, k.email) > 0 OR strpos(x.d, k.phone) > 0)
$$;

-- Finding the texts that name members without comparing every text with
-- every member (the retention command may erase hundreds at once): each
-- text is cut into keys — its words, and every run of eight digits of its
-- digits — and each member gives keys that any text naming them must hold:
-- the first word of their family name (found in both orders of the full
-- name), the last word of their number, an inner word of their e-mail, the
-- first eight significant digits of their phone. A hash join pairs them;
-- tl.erasure_mentions then checks each pair found.
CREATE FUNCTION tl.erasure_keys(p text) RETURNS SETOF text
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT 'w' || x FROM regexp_split_to_table(btrim(tl.erasure_words(p)), ' ') x WHERE x <> ''
    UNION
    SELECT 'p' || substr(d, i, 8)
      FROM (SELECT regexp_replace(coalesce(p, ''), '[^0-9]', '', 'g') AS d) y, generate_series(1, length(d) - 7) i
$$;

CREATE FUNCTION tl.erasure_mark_keys(k tl.erasure_marks) RETURNS SETOF text
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT 'w' || split_part(btrim(k.family), ' ', 1) WHERE k.name1 IS NOT NULL AND k.family IS NOT NULL
    UNION
    SELECT 'w' || (string_to_array(btrim(k.number), ' '))[cardinality(string_to_array(btrim(k.number), ' '))]
     WHERE k.number IS NOT NULL
    UNION
    SELECT 'w' || CASE WHEN cardinality(w) >= 3 THEN w[2] ELSE w[1] END
      FROM (SELECT string_to_array(btrim(tl.erasure_words(k.email)), ' ') AS w) x WHERE k.email IS NOT NULL
    UNION
    SELECT 'p' || left(k.phone, 8) WHERE k.phone IS NOT NULL
$$;

-- The rows that name members: p_values is a query giving (row_id, v)
-- pairs, the texts of a table to look in; each row found comes with the
-- marks of the members it names.
CREATE FUNCTION tl.erasure_matches(p_values text, ks tl.erasure_marks[])
RETURNS TABLE (row_id bigint, marks tl.erasure_marks[])
LANGUAGE plpgsql STABLE SET search_path = pg_catalog AS $$
BEGIN
    RETURN QUERY EXECUTE
        'WITH m AS MATERIALIZED (SELECT k, key FROM unnest($1) k, tl.erasure_mark_keys(k) key),
              v AS (' || p_values || ')
         SELECT z.row_id, array_agg(z.k)
           FROM (SELECT DISTINCT ON (v.row_id, (m.k).member_id) v.row_id::bigint AS row_id, m.k
                   FROM v CROSS JOIN LATERAL tl.erasure_keys(v.v) t(key) JOIN m ON m.key = t.key
                  WHERE tl.erasure_mentions(v.v, ARRAY[m.k])) z
          GROUP BY z.row_id'
    USING ks;
END $$;

-- A regular expression finding a word written with or without accents, in
-- either case ("zephyrine" finds "Zéphyrine", "ZÉPHYRINE").
CREATE FUNCTION tl.erasure_word_regex(p_word text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $$
    SELECT string_agg(CASE c WHEN 'a' THEN '[aàâäáãåAÀÂÄÁÃÅ]' WHEN 'c' THEN '[cçCÇ]' WHEN 'e' THEN '[eéèêëEÉÈÊË]'
                             WHEN 'i' THEN '[iîïíìIÎÏÍÌ]' WHEN 'n' THEN '[nñNÑ]' WHEN 'o' THEN '[oôöóòõOÔÖÓÒÕ]'
                             WHEN 'u' THEN '[uùûüúUÙÛÜÚ]' WHEN 'y' THEN '[yÿýYŸÝ]'
                             ELSE '[' || c || upper(c) || ']' END, '' ORDER BY n)
      FROM regexp_split_to_table(p_word, '') WITH ORDINALITY AS x(c, n)
$$;

-- The text with the members' mentions replaced by « [effacé] », the rest
-- kept (a repair's problem, a journal line stay readable). When a mention
-- survives (a spelling the expressions miss), the whole text goes.
CREATE FUNCTION tl.erasure_redact(p text, ks tl.erasure_marks[]) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog AS $$
DECLARE
    r    text := p;
    k    tl.erasure_marks;
    name text;
    re   text;
BEGIN
    IF NOT tl.erasure_mentions(p, ks) THEN
        RETURN p;
    END IF;
    FOREACH k IN ARRAY ks LOOP
        CONTINUE WHEN NOT tl.erasure_mentions(r, ARRAY[k]);
        FOREACH name IN ARRAY ARRAY[k.name1, k.name2] LOOP
            CONTINUE WHEN name IS NULL;
            SELECT string_agg(tl.erasure_word_regex(w), '[^[:alnum:]]+' ORDER BY n) INTO re
              FROM regexp_split_to_table(btrim(name), ' ') WITH ORDINALITY AS x(w, n);
            r := regexp_replace(r, '\m' || re || '\M', '[effacé]', 'g');
        END LOOP;
        IF k.email IS NOT NULL THEN
            r := regexp_replace(r, regexp_replace(k.email, '([.*+?^${}()|\[\]\\])', '\\\1', 'g'), '[effacé]', 'gi');
        END IF;
        IF k.phone IS NOT NULL THEN
            SELECT '(\+\s*33\s*(\(0\)\s*)?|0033\s*(\(0\)\s*)?|0)?' || string_agg(d, '[\s.-]?' ORDER BY n) INTO re
              FROM regexp_split_to_table(k.phone, '') WITH ORDINALITY AS x(d, n);
            r := regexp_replace(r, re, '[effacé]', 'g');
        END IF;
        IF k.number IS NOT NULL THEN
            SELECT string_agg(tl.erasure_word_regex(w), '[^[:alnum:]]?' ORDER BY n) INTO re
              FROM regexp_split_to_table(btrim(k.number), ' ') WITH ORDINALITY AS x(w, n);
            r := regexp_replace(r, '\m' || re || '\M', '[effacé]', 'g');
        END IF;
    END LOOP;
    IF tl.erasure_mentions(r, ks) THEN
        RETURN '[effacé]';
    END IF;
    RETURN r;
END $$;

------------------------------------------------------------------------------
-- The one erasure
------------------------------------------------------------------------------

-- Forgets members everywhere and deletes them; returns how many. The
-- callers say who asked and check what they must (tl.erase_member,
-- tl.my_erase, tl.apply_retention); an item out on loan is checked again
-- here, since it must never lose the person who has it. Several members
-- at once for the retention command: each table is read once for all.
CREATE FUNCTION tl.forget_members(p_ids integer[]) RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    ids integer[];
    ks  tl.erasure_marks[];
    v_n integer;
BEGIN
    SELECT coalesce(array_agg(id ORDER BY id), '{}') INTO ids
      FROM (SELECT id FROM tl.member WHERE id = ANY (p_ids) ORDER BY id FOR UPDATE) x;
    IF cardinality(ids) = 0 THEN
        RETURN 0;
    END IF;
    IF EXISTS (SELECT 1 FROM tl.booking WHERE member_id = ANY (ids) AND kind = 'pret' AND returned_at IS NULL) THEN
        RAISE EXCEPTION 'un objet emprunté n''est pas encore rendu : l''effacement se fera après le retour'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'member_erase_items_out';
    END IF;
    ks := tl.erasure_marks_of(ids);

    -- Seed lots: the grower typed at the desk (free text, no link) when it
    -- names the member, or names their family and the member brought seeds
    -- to that very lot. The lot and its movements stay; a lot left with an
    -- empty grower is not merged into another (no constraint asks it, and
    -- its number may be on labels); later deposits without a grower join
    -- the oldest such lot (tl.seed_deposit).
    UPDATE tl.seed_lot l SET grower = NULL
      FROM tl.erasure_matches('SELECT id AS row_id, grower AS v FROM tl.seed_lot WHERE grower IS NOT NULL', ks) h
     WHERE l.id = h.row_id;
    UPDATE tl.seed_lot l SET grower = NULL
     WHERE l.grower IS NOT NULL
       AND EXISTS (SELECT 1 FROM tl.seed_movement s JOIN unnest(ks) k ON k.member_id = s.member_id
                    WHERE s.lot_id = l.id AND strpos(tl.erasure_words(l.grower), k.family) > 0);
    UPDATE tl.seed_movement SET member_id = NULL WHERE member_id = ANY (ids);

    -- Repair café bookings are made without an account: the member is found
    -- by the name or contact they gave. Name and contact go; a booking whose
    -- session is over loses its private link too (as tl.apply_repair_retention
    -- does), one still to come keeps it so the visitor may still cancel it.
    -- The object and its problem stay, for the records and their counts,
    -- with the member's mentions replaced.
    UPDATE tl.repair_booking b
       SET visitor_name = CASE WHEN whose THEN NULL ELSE b.visitor_name END,
           contact = CASE WHEN whose THEN NULL ELSE b.contact END,
           token_sha256 = CASE WHEN whose AND x.ends_at <= now() THEN NULL ELSE b.token_sha256 END,
           purged_at = CASE WHEN whose AND x.ends_at <= now() THEN coalesce(b.purged_at, now()) ELSE b.purged_at END,
           object = tl.erasure_redact(b.object, x.marks), problem = tl.erasure_redact(b.problem, x.marks)
      FROM (SELECT h.row_id, h.marks, s.ends_at,
                   tl.erasure_mentions(r.visitor_name, h.marks) OR tl.erasure_mentions(r.contact, h.marks) AS whose
              FROM tl.erasure_matches('SELECT b.id AS row_id, x.v FROM tl.repair_booking b,
                                              unnest(ARRAY[b.visitor_name, b.contact, b.object, b.problem]) x(v)', ks) h
              JOIN tl.repair_booking r ON r.id = h.row_id JOIN tl.repair_slot l ON l.id = r.slot_id
              JOIN tl.repair_session s ON s.id = l.session_id) x
     WHERE b.id = x.row_id;
    UPDATE tl.repair_record r SET object = tl.erasure_redact(r.object, h.marks), problem = tl.erasure_redact(r.problem, h.marks)
      FROM tl.erasure_matches('SELECT r.id AS row_id, x.v FROM tl.repair_record r,
                                      unnest(ARRAY[r.object, r.problem]) x(v)', ks) h
     WHERE r.id = h.row_id;

    -- A members file waiting between its preview and its confirmation keeps
    -- raw rows: the member's row goes (confirming later would bring them
    -- back). Confirmed batches are already empty (sql/019).
    UPDATE tl.import_batch b
       SET rows = coalesce((SELECT jsonb_agg(e ORDER BY n) FROM jsonb_array_elements(b.rows) WITH ORDINALITY AS x(e, n)
                             WHERE NOT tl.erasure_mentions(tl.erasure_row_text(e), h.marks)), '[]'::jsonb)
      FROM tl.erasure_matches('SELECT b.id AS row_id, tl.erasure_row_text(e) AS v FROM tl.import_batch b,
                                      jsonb_array_elements(b.rows) e WHERE b.applied_at IS NULL', ks) h
     WHERE b.id = h.row_id;
    UPDATE tl.import_batch b SET file_name = tl.erasure_redact(b.file_name, h.marks)
      FROM tl.erasure_matches('SELECT id AS row_id, file_name AS v FROM tl.import_batch', ks) h
     WHERE b.id = h.row_id;

    -- Notes the team types: the back office's journal, a maintenance
    -- opened at a return ("rendu cassé par …").
    UPDATE tl.admin_log a SET subject = tl.erasure_redact(a.subject, h.marks), detail = tl.erasure_redact(a.detail, h.marks)
      FROM tl.erasure_matches('SELECT a.id AS row_id, x.v FROM tl.admin_log a, unnest(ARRAY[a.subject, a.detail]) x(v)',
                              ks) h
     WHERE a.id = h.row_id;
    UPDATE tl.maintenance m SET reason = tl.erasure_redact(m.reason, h.marks),
                                work_done = tl.erasure_redact(m.work_done, h.marks)
      FROM tl.erasure_matches('SELECT m.id AS row_id, x.v FROM tl.maintenance m,
                                      unnest(ARRAY[m.reason, m.work_done]) x(v)', ks) h
     WHERE m.id = h.row_id;

    -- Messages written to them, queued or sent (with their member, or to
    -- their address).
    DELETE FROM tl.mail_message WHERE member_id = ANY (ids);
    DELETE FROM tl.mail_message x
     USING tl.erasure_matches('SELECT id AS row_id, recipient AS v FROM tl.mail_message WHERE member_id IS NULL', ks) h
     WHERE x.id = h.row_id;

    -- Reservations still to come are cancelled (nobody would collect them);
    -- every booking stays as an anonymous statistic.
    UPDATE tl.booking SET cancelled_at = now()
     WHERE member_id = ANY (ids) AND kind = 'reservation' AND cancelled_at IS NULL AND ends_at > now();
    UPDATE tl.booking SET member_id = NULL WHERE member_id = ANY (ids);

    -- What only made sense with the person: their places in waiting lines,
    -- deposits, password links and sessions. The journal of who read their
    -- file keeps its lines without them.
    UPDATE tl.member_access SET member_id = NULL WHERE member_id = ANY (ids);
    DELETE FROM tl.waiting_list WHERE member_id = ANY (ids);
    DELETE FROM tl.member_deposit WHERE member_id = ANY (ids);
    DELETE FROM tl.password_link WHERE member_id = ANY (ids);
    DELETE FROM tl.web_session WHERE member_id = ANY (ids);
    DELETE FROM tl.member WHERE id = ANY (ids);
    GET DIAGNOSTICS v_n = ROW_COUNT;
    RETURN v_n;
END $$;

-- An import row's values as one text, the first name next to the name
-- so that the full name is found (JSON orders keys by length).
CREATE FUNCTION tl.erasure_row_text(e jsonb) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $$
    SELECT CASE WHEN jsonb_typeof(e) = 'object'
                THEN coalesce(e->>'prenom', '') || ' ' || coalesce(e->>'nom', '') || ' ; '
                     || coalesce((SELECT string_agg(value, ' ; ') FROM jsonb_each_text(e)), '')
                ELSE e::text END
$$;

------------------------------------------------------------------------------
-- The three ways in
------------------------------------------------------------------------------

-- At the desk, on request: refused while something is out.
CREATE OR REPLACE FUNCTION tl.erase_member(p_login text, p_number text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_member tl.member;
BEGIN
    v_member := tl.desk_member(p_login, p_number, 'effacement');
    PERFORM tl.forget_members(ARRAY[v_member.id]);
END $$;

-- By the member: refused while an item is out or a deposit is held (the
-- desk must give it back first).
CREATE OR REPLACE FUNCTION tl.my_erase(p_user text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_member tl.member;
BEGIN
    v_member := tl.my_member(p_user);
    PERFORM 1 FROM tl.member WHERE id = v_member.id FOR UPDATE;
    IF EXISTS (SELECT 1 FROM tl.booking WHERE member_id = v_member.id AND kind = 'pret' AND returned_at IS NULL) THEN
        RAISE EXCEPTION 'un objet emprunté n''est pas encore rendu : rapportez-le, l''effacement sera possible ensuite'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'member_erase_items_out';
    END IF;
    IF EXISTS (SELECT 1 FROM tl.member_deposit WHERE member_id = v_member.id AND returned_on IS NULL) THEN
        RAISE EXCEPTION 'le lieu garde encore une caution à votre nom : demandez-la au guichet, l''effacement sera possible ensuite'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'member_erase_deposit_held';
    END IF;
    INSERT INTO tl.member_access (member_id, by_member, action) VALUES (v_member.id, true, 'effacement');
    PERFORM tl.forget_members(ARRAY[v_member.id]);
END $$;

-- By the retention command: loans lose their borrower after the delay, and
-- members with no loan for the delay are erased like any other, unless
-- something is still out. The members are locked first, then checked, so
-- a loan made meanwhile keeps its borrower.
CREATE OR REPLACE FUNCTION tl.apply_retention(p_now timestamptz DEFAULT now(),
                                              OUT bookings_anonymised integer, OUT members_deleted integer)
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    r   tl.retention;
    ids integer[];
BEGIN
    SELECT * INTO r FROM tl.retention;
    UPDATE tl.booking b SET member_id = NULL
     WHERE b.member_id IS NOT NULL
       AND coalesce(b.returned_at, b.cancelled_at,
                    CASE WHEN b.kind = 'reservation' THEN b.ends_at END) IS NOT NULL
       AND p_now >= date_trunc('month', coalesce(b.returned_at, b.cancelled_at, b.ends_at)
                                        + make_interval(months => r.loan_months)) + interval '1 month';
    GET DIAGNOSTICS bookings_anonymised = ROW_COUNT;

    SELECT coalesce(array_agg(id), '{}') INTO ids
      FROM (SELECT m.id FROM tl.member m
             WHERE greatest(m.created_at, m.last_loan_at) < p_now - make_interval(months => r.inactive_member_months)
             ORDER BY m.id FOR UPDATE) x;
    SELECT coalesce(array_agg(x.member), '{}') INTO ids
      FROM unnest(ids) AS x(member)
     WHERE NOT EXISTS (SELECT 1 FROM tl.booking b WHERE b.member_id = x.member AND b.kind = 'pret'
                                                   AND b.returned_at IS NULL);
    members_deleted := tl.forget_members(ids);
END $$;

-- A members file previewed and never confirmed keeps its raw rows: gone a
-- day later, as sql/019 promises, even when nobody imports again.
CREATE FUNCTION tl.apply_import_retention(p_now timestamptz DEFAULT now()) RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    n integer;
BEGIN
    DELETE FROM tl.import_batch WHERE applied_at IS NULL AND created_at < p_now - interval '1 day';
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;
COMMENT ON FUNCTION tl.apply_import_retention(timestamptz) IS 'Run daily by script/retention (cron)';

REVOKE ALL ON FUNCTION tl.erasure_words(text), tl.erasure_phone_key(text), tl.erasure_marks_of(integer[]),
                       tl.erasure_mentions(text, tl.erasure_marks[]), tl.erasure_word_regex(text),
                       tl.erasure_redact(text, tl.erasure_marks[]), tl.erasure_row_text(jsonb),
                       tl.erasure_keys(text), tl.erasure_mark_keys(tl.erasure_marks),
                       tl.erasure_matches(text, tl.erasure_marks[]),
                       tl.forget_members(integer[]), tl.apply_import_retention(timestamptz)
  FROM PUBLIC;
