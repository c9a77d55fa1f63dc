-- Documents of items and seed varieties (sql/schema/008): notices written
-- by users under a free licence, with every version kept and credited, and
-- manuals (a PDF or a link) added by a place's référents.

------------------------------------------------------------------------------
-- Licences a notice may carry: its code, its name on the page, its deed.
------------------------------------------------------------------------------
CREATE FUNCTION tl.licence_name(p_code text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT SET search_path = pg_catalog AS $$
    SELECT CASE p_code WHEN 'CC-BY-SA-4.0' THEN 'Creative Commons Attribution – Partage dans les mêmes conditions 4.0'
                       WHEN 'CC-BY-4.0' THEN 'Creative Commons Attribution 4.0'
                       WHEN 'CC0-1.0' THEN 'CC0 1.0 (domaine public)' END
$$;

CREATE FUNCTION tl.licence_url(p_code text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT SET search_path = pg_catalog AS $$
    SELECT CASE p_code WHEN 'CC-BY-SA-4.0' THEN 'https://creativecommons.org/licenses/by-sa/4.0/deed.fr'
                       WHEN 'CC-BY-4.0' THEN 'https://creativecommons.org/licenses/by/4.0/deed.fr'
                       WHEN 'CC0-1.0' THEN 'https://creativecommons.org/publicdomain/zero/1.0/deed.fr' END
$$;

-- How a version's author is credited: the name they chose, or, once they
-- are erased (or never gave one), "un contributeur".
CREATE FUNCTION tl.notice_credit(p_name text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $$
    SELECT coalesce(p_name, 'un contributeur')
$$;

-- The time zone a notice's dates are told in: its item's place's; a
-- variety's notice belongs to the whole network, whose default zone is a
-- place's (tl.place.time_zone's default).
CREATE FUNCTION tl.notice_zone(p_item integer) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT coalesce((SELECT p.time_zone FROM tl.item i JOIN tl.place p ON p.id = i.place_id WHERE i.id = p_item),
                    'Europe/Paris')
$$;

------------------------------------------------------------------------------
-- Reading (public pages): an item's notice by the item's id, a variety's by
-- the variety's id; p_version NULL is the current version.
------------------------------------------------------------------------------
CREATE FUNCTION tl.notice_head(p_item integer, p_variety integer, p_version integer DEFAULT NULL)
RETURNS TABLE (version integer, current_version integer, is_current boolean, updated_fr text, licence text,
               licence_name text, licence_url text, authors text, versions bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT v.version, last.version, v.version = last.version,
           tl.date_fr((v.created_at AT TIME ZONE tl.notice_zone(n.item_id))::date), n.licence,
           tl.licence_name(n.licence), tl.licence_url(n.licence),
           (SELECT string_agg(c.credit, ', ' ORDER BY c.first)
              FROM (SELECT tl.notice_credit(a.author_name) AS credit, min(a.version) AS first
                      FROM tl.notice_version a WHERE a.notice_id = n.id AND a.version <= v.version
                     GROUP BY 1) c),
           last.version::bigint
      FROM tl.notice n
      JOIN LATERAL (SELECT max(x.version) AS version FROM tl.notice_version x WHERE x.notice_id = n.id) last ON true
      JOIN tl.notice_version v ON v.notice_id = n.id AND v.version = coalesce(p_version, last.version)
     WHERE n.item_id IS NOT DISTINCT FROM p_item AND n.variety_id IS NOT DISTINCT FROM p_variety
       AND num_nonnulls(p_item, p_variety) = 1
$$;

-- The text of that version, in paragraphs (a blank line between two); the
-- page keeps the line breaks inside a paragraph. Never markup: the
-- template escapes it.
CREATE FUNCTION tl.notice_paragraphs(p_item integer, p_variety integer, p_version integer DEFAULT NULL)
RETURNS TABLE (para text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT btrim(x.para, E' \t\r\n')
      FROM tl.notice n
      JOIN tl.notice_version v
        ON v.notice_id = n.id
       AND v.version = coalesce(p_version, (SELECT max(y.version) FROM tl.notice_version y WHERE y.notice_id = n.id))
      CROSS JOIN LATERAL regexp_split_to_table(replace(v.body, E'\r\n', E'\n'), E'\n[ \t]*\n') WITH ORDINALITY
                 AS x(para, n)
     WHERE n.item_id IS NOT DISTINCT FROM p_item AND n.variety_id IS NOT DISTINCT FROM p_variety
       AND num_nonnulls(p_item, p_variety) = 1
       AND btrim(x.para, E' \t\r\n') <> ''
     ORDER BY x.n
$$;

-- Every version, newest first: when, by whom (as credited), what changed.
CREATE FUNCTION tl.notice_history(p_item integer, p_variety integer)
RETURNS TABLE (version integer, date_fr text, author text, summary text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT v.version, tl.date_fr((v.created_at AT TIME ZONE tl.notice_zone(n.item_id))::date),
           tl.notice_credit(v.author_name), v.summary
      FROM tl.notice n JOIN tl.notice_version v ON v.notice_id = n.id
     WHERE n.item_id IS NOT DISTINCT FROM p_item AND n.variety_id IS NOT DISTINCT FROM p_variety
       AND num_nonnulls(p_item, p_variety) = 1
     ORDER BY v.version DESC
$$;

-- An item's manuals, for its public page (never the PDF's bytes).
CREATE FUNCTION tl.item_manuals(p_item integer)
RETURNS TABLE (id bigint, title text, url text, is_pdf boolean, size_fr text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT m.id, m.title, m.url, m.pdf IS NOT NULL,
           CASE WHEN m.pdf IS NULL THEN NULL
                WHEN octet_length(m.pdf) < 1048576
                THEN greatest(1, round(octet_length(m.pdf) / 1024.0))::integer || ' Ko'
                ELSE replace(to_char(octet_length(m.pdf) / 1048576.0, 'FM990.0'), '.', ',') || ' Mo' END
      FROM tl.item_manual m JOIN tl.item i ON i.id = m.item_id
     WHERE m.item_id = p_item AND i.retired_at IS NULL
     ORDER BY m.id
$$;

-- A manual's PDF, for its download (an item in service only).
CREATE FUNCTION tl.manual_pdf(p_manual bigint)
RETURNS TABLE (title text, item_code text, pdf bytea, sha256 text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT m.title, i.code, m.pdf, m.pdf_sha256
      FROM tl.item_manual m JOIN tl.item i ON i.id = m.item_id
     WHERE m.id = p_manual AND m.pdf IS NOT NULL AND i.retired_at IS NULL
$$;

------------------------------------------------------------------------------
-- Writing a notice (a member, from "Mon compte")
------------------------------------------------------------------------------

-- What the notice is about: an item in service by its number, or a
-- variety by its id (exactly one), with its title for the page.
CREATE FUNCTION tl.notice_subject(p_item_code text, p_variety integer,
                                  OUT item_id integer, OUT variety_id integer, OUT title text, OUT path text)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog AS $$
BEGIN
    IF num_nonnulls(nullif(btrim(p_item_code), ''), p_variety) <> 1 THEN
        RAISE EXCEPTION 'une notice porte sur un objet ou sur une variété'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'notice_one_subject';
    END IF;
    IF p_variety IS NULL THEN
        SELECT i.id, i.title, '/outils/' || i.id INTO item_id, title, path
          FROM tl.item i WHERE i.code = upper(btrim(p_item_code)) AND i.retired_at IS NULL;
        IF item_id IS NULL THEN
            RAISE EXCEPTION 'aucun objet du catalogue ne porte le numéro « % »', btrim(p_item_code)
                USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'notice_item_fkey';
        END IF;
    ELSE
        SELECT v.id, s.common_name || ' « ' || v.name || ' »', '/graines/' || v.id INTO variety_id, title, path
          FROM tl.seed_variety v JOIN tl.seed_species s ON s.id = v.species_id WHERE v.id = p_variety;
        IF variety_id IS NULL THEN
            RAISE EXCEPTION 'cette variété n''est pas dans la grainothèque'
                USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'notice_variety_fkey';
        END IF;
    END IF;
END $$;

-- The edit form: the subject, the current text and version (0 when there
-- is none yet), the licence, and the name this member was last credited
-- under (to fill the field again).
CREATE FUNCTION tl.my_notice_draft(p_user text, p_item_code text, p_variety integer)
RETURNS TABLE (title text, path text, is_variety boolean, version integer, body text, licence text,
               licence_name text, licence_url text, author_name text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_member  tl.member;
    v_subject record;
BEGIN
    v_member := tl.my_member(p_user);
    v_subject := tl.notice_subject(p_item_code, p_variety);
    RETURN QUERY
    SELECT v_subject.title, v_subject.path, v_subject.variety_id IS NOT NULL, coalesce(cur.version, 0),
           coalesce(cur.body, ''), coalesce(n.licence, 'CC-BY-SA-4.0'),
           tl.licence_name(coalesce(n.licence, 'CC-BY-SA-4.0')), tl.licence_url(coalesce(n.licence, 'CC-BY-SA-4.0')),
           (SELECT a.author_name FROM tl.notice_version a
             WHERE a.author_member_id = v_member.id AND a.author_name IS NOT NULL
             ORDER BY a.created_at DESC, a.id DESC LIMIT 1)
      FROM (SELECT 1) one
      LEFT JOIN tl.notice n ON n.item_id IS NOT DISTINCT FROM v_subject.item_id
                           AND n.variety_id IS NOT DISTINCT FROM v_subject.variety_id
      LEFT JOIN LATERAL (SELECT x.version, x.body FROM tl.notice_version x WHERE x.notice_id = n.id
                          ORDER BY x.version DESC LIMIT 1) cur ON true;
END $$;

-- A new version written by the member p_user, from the version p_base
-- they read (0: the notice did not exist). Someone else's version saved
-- meanwhile is a conflict: nothing is written and the member is told, so
-- that no one's text is lost silently. The licence is chosen when the
-- notice begins and never changes after (every version is under it).
-- Returns the path of the subject's page.
CREATE FUNCTION tl.my_notice_save(p_user text, p_item_code text, p_variety integer, p_base integer, p_body text,
                                  p_summary text, p_author text, p_licence text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_member  tl.member;
    v_subject record;
    v_notice  tl.notice;
    v_current tl.notice_version;
    v_body    text := btrim(replace(coalesce(p_body, ''), E'\r\n', E'\n'), E' \t\n');
    v_author  text := btrim(coalesce(p_author, ''));
BEGIN
    v_member := tl.my_member(p_user);
    v_subject := tl.notice_subject(p_item_code, p_variety);
    IF v_body = '' THEN
        RAISE EXCEPTION 'écrivez le texte de la notice'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'notice_version_body_not_blank';
    END IF;
    IF v_author = '' THEN
        RAISE EXCEPTION 'indiquez le nom sous lequel vous êtes crédité (un prénom, un pseudonyme…)'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'notice_version_author_name_valid';
    END IF;
    IF char_length(v_author) > 60 THEN
        RAISE EXCEPTION 'le nom crédité tient en 60 caractères au plus'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'notice_version_author_name_valid';
    END IF;
    -- The notice, made if it is the first version, then locked: two
    -- members saving at once write one after the other.
    INSERT INTO tl.notice (item_id, variety_id, licence)
    VALUES (v_subject.item_id, v_subject.variety_id, coalesce(nullif(p_licence, ''), 'CC-BY-SA-4.0'))
    ON CONFLICT DO NOTHING;
    SELECT * INTO v_notice FROM tl.notice
     WHERE item_id IS NOT DISTINCT FROM v_subject.item_id AND variety_id IS NOT DISTINCT FROM v_subject.variety_id
       FOR UPDATE;
    SELECT * INTO v_current FROM tl.notice_version WHERE notice_id = v_notice.id ORDER BY version DESC LIMIT 1;
    IF coalesce(v_current.version, 0) <> coalesce(p_base, -1) THEN
        RAISE EXCEPTION 'quelqu''un a enregistré une autre version de cette notice pendant que vous écriviez : '
                        'relisez-la, puis reportez-y vos changements (votre texte est ci-dessous)'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'notice_version_conflict';
    END IF;
    IF v_current.id IS NOT NULL AND nullif(p_licence, '') IS DISTINCT FROM NULL AND p_licence <> v_notice.licence THEN
        RAISE EXCEPTION 'la licence d''une notice se choisit à sa création : cette notice reste sous %',
                        tl.licence_name(v_notice.licence)
            USING ERRCODE = 'check_violation', CONSTRAINT = 'notice_licence_known';
    END IF;
    IF v_current.body = v_body THEN
        RAISE EXCEPTION 'le texte n''a pas changé : rien n''a été enregistré'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'notice_version_unchanged';
    END IF;
    INSERT INTO tl.notice_version (notice_id, version, body, summary, author_member_id, author_name)
    VALUES (v_notice.id, coalesce(v_current.version, 0) + 1, v_body, btrim(coalesce(p_summary, '')), v_member.id,
            v_author);
    RETURN v_subject.path;
END $$;

-- A member's notice versions, for their data (right of access: tl.my_data
-- and tl.my_export, sql/logic/members_accounts.sql).
CREATE FUNCTION tl.member_notice_versions(p_member integer)
RETURNS TABLE (subject text, version integer, written_on date, credited_as text, summary text)
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT coalesce(i.code || ' ' || i.title, s.common_name || ' « ' || sv.name || ' »'), v.version,
           (v.created_at AT TIME ZONE tl.notice_zone(n.item_id))::date, v.author_name, v.summary
      FROM tl.notice_version v
      JOIN tl.notice n ON n.id = v.notice_id
      LEFT JOIN tl.item i ON i.id = n.item_id
      LEFT JOIN tl.seed_variety sv ON sv.id = n.variety_id
      LEFT JOIN tl.seed_species s ON s.id = sv.species_id
     WHERE v.author_member_id = p_member
     ORDER BY v.created_at, v.id
$$;

------------------------------------------------------------------------------
-- Manuals (a place's référents)
------------------------------------------------------------------------------
CREATE FUNCTION tl.admin_item_manuals(p_login text, p_code text)
RETURNS TABLE (id bigint, title text, url text, is_pdf boolean, size_fr text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_item tl.item;
BEGIN
    v_item := tl.require_item_code(p_code);
    PERFORM tl.require_role(p_login, v_item.place_id, 'referent');
    RETURN QUERY SELECT * FROM tl.item_manuals(v_item.id);
END $$;

-- A PDF's content, checked here whatever the page did: it begins with the
-- PDF header and ends with its end-of-file marker (a file cut on the way,
-- or anything else named .pdf, is refused).
CREATE FUNCTION tl.require_pdf(p_pdf bytea) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog AS $$
BEGIN
    IF octet_length(p_pdf) > 10485760 THEN
        RAISE EXCEPTION 'ce PDF dépasse 10 Mo' USING ERRCODE = 'check_violation', CONSTRAINT = 'item_manual_pdf_size';
    END IF;
    IF octet_length(p_pdf) < 16 OR substring(p_pdf FROM 1 FOR 5) <> '\x255044462d'::bytea
       OR substring(p_pdf FROM 6 FOR 1) NOT BETWEEN '\x31'::bytea AND '\x32'::bytea THEN
        RAISE EXCEPTION 'ce fichier n''est pas un PDF (son contenu ne commence pas par « %%PDF-1 » ou « %%PDF-2 »)'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'item_manual_pdf_content';
    END IF;
    IF position('\x2525454f46'::bytea IN substring(p_pdf FROM greatest(1, octet_length(p_pdf) - 1023))) = 0 THEN
        RAISE EXCEPTION 'ce PDF est incomplet (il ne se termine pas par « %%%%EOF ») : envoyez-le de nouveau'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'item_manual_pdf_content';
    END IF;
    RETURN p_pdf;
END $$;

-- A manual added: a PDF (p_pdf) or a link (p_url), exactly one; journaled.
CREATE FUNCTION tl.add_item_manual(p_login text, p_code text, p_title text, p_url text, p_pdf bytea) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_item  tl.item;
    v_who   integer;
    v_title text := btrim(coalesce(p_title, ''));
    v_url   text := nullif(btrim(coalesce(p_url, '')), '');
    v_id    bigint;
BEGIN
    v_item := tl.require_item_code(p_code);
    v_who := tl.require_role(p_login, v_item.place_id, 'referent');
    IF v_title = '' THEN
        RAISE EXCEPTION 'indiquez le titre du document (par exemple « Mode d''emploi du fabricant »)'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'item_manual_title_not_blank';
    END IF;
    IF num_nonnulls(v_url, p_pdf) <> 1 THEN
        RAISE EXCEPTION 'joignez un fichier PDF ou indiquez un lien, l''un des deux'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'item_manual_one_source';
    END IF;
    IF v_url IS NOT NULL AND (v_url !~ '^https?://[^\s/]+' OR v_url ~ '\s' OR char_length(v_url) > 2000) THEN
        RAISE EXCEPTION 'le lien doit être une adresse web complète, commençant par https://'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'item_manual_url_valid';
    END IF;
    INSERT INTO tl.item_manual (item_id, title, url, pdf, pdf_sha256)
    VALUES (v_item.id, v_title, v_url, tl.require_pdf(p_pdf),
            CASE WHEN p_pdf IS NOT NULL THEN encode(sha256(p_pdf), 'hex') END)
    RETURNING id INTO v_id;
    PERFORM tl.admin_note(v_who, v_item.place_id, 'objet.document.ajout', v_item.code, v_title);
    RETURN v_id;
END $$;

CREATE FUNCTION tl.remove_item_manual(p_login text, p_code text, p_manual bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_item  tl.item;
    v_who   integer;
    v_title text;
BEGIN
    v_item := tl.require_item_code(p_code);
    v_who := tl.require_role(p_login, v_item.place_id, 'referent');
    DELETE FROM tl.item_manual WHERE id = p_manual AND item_id = v_item.id RETURNING title INTO v_title;
    IF v_title IS NULL THEN
        RAISE EXCEPTION 'ce document n''appartient pas à cet objet' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'item_manual_item_fkey';
    END IF;
    PERFORM tl.admin_note(v_who, v_item.place_id, 'objet.document.retrait', v_item.code, v_title);
END $$;

-- Tables of this area whose content a page can show: every write bumps the
-- data version (tl.track_changes; a test checks none is forgotten).
DO $$ BEGIN PERFORM tl.track_changes(t::regclass, 'documents') FROM unnest(ARRAY['tl.item_manual', 'tl.notice', 'tl.notice_version']) AS t; END $$;

------------------------------------------------------------------------------
-- Rights: functions are executable by PUBLIC unless revoked; the desk's
-- functions go to tierslieux_guichet, the public pages' to tierslieux_lecture,
-- the sending command's to tierslieux_courriels.
------------------------------------------------------------------------------
REVOKE ALL ON FUNCTION tl.add_item_manual(text,text,text,text,bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.add_item_manual(text,text,text,text,bytea) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.admin_item_manuals(text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.admin_item_manuals(text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.item_manuals(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.item_manuals(integer) TO tierslieux_lecture;
REVOKE ALL ON FUNCTION tl.manual_pdf(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.manual_pdf(bigint) TO tierslieux_lecture;
REVOKE ALL ON FUNCTION tl.my_notice_draft(text,text,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.my_notice_draft(text,text,integer) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.my_notice_save(text,text,integer,integer,text,text,text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.my_notice_save(text,text,integer,integer,text,text,text,text) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.member_notice_versions(integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.notice_head(integer,integer,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.notice_head(integer,integer,integer) TO tierslieux_lecture;
REVOKE ALL ON FUNCTION tl.notice_history(integer,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.notice_history(integer,integer) TO tierslieux_lecture;
REVOKE ALL ON FUNCTION tl.notice_paragraphs(integer,integer,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.notice_paragraphs(integer,integer,integer) TO tierslieux_lecture;
REVOKE ALL ON FUNCTION tl.notice_subject(text,integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.notice_zone(integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION tl.remove_item_manual(text,text,bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.remove_item_manual(text,text,bigint) TO tierslieux_guichet;
REVOKE ALL ON FUNCTION tl.require_pdf(bytea) FROM PUBLIC;
