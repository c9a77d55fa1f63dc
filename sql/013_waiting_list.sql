-- 013 — a waiting list per item: members queue for an item that is out;
-- when it comes back the desk sees who to call first. Borrowing the item
-- takes the member off the list.

CREATE TABLE tl.waiting_list (
    id         bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT waiting_list_pkey PRIMARY KEY,
    item_id    integer NOT NULL CONSTRAINT waiting_list_item_fkey REFERENCES tl.item,
    member_id  integer NOT NULL CONSTRAINT waiting_list_member_fkey REFERENCES tl.member ON DELETE CASCADE,
    added_at   timestamptz NOT NULL DEFAULT now(),
    added_by   integer CONSTRAINT waiting_list_added_by_fkey REFERENCES tl.account,
    served_at  timestamptz,
    removed_at timestamptz
);
COMMENT ON TABLE tl.waiting_list IS 'Members waiting for an item, in order; never shown publicly';
CREATE UNIQUE INDEX waiting_list_once ON tl.waiting_list (item_id, member_id)
    WHERE served_at IS NULL AND removed_at IS NULL;

CREATE FUNCTION tl.waiting_list_served() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.kind = 'pret' AND NEW.member_id IS NOT NULL THEN
        UPDATE tl.waiting_list SET served_at = now()
         WHERE item_id = NEW.item_id AND member_id = NEW.member_id AND served_at IS NULL AND removed_at IS NULL;
    END IF;
    RETURN NULL;
END $$;
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

REVOKE ALL ON FUNCTION tl.join_waiting_list(text, text, text), tl.leave_waiting_list(text, bigint),
                       tl.desk_item_waiting(text, text), tl.desk_member_waiting(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.join_waiting_list(text, text, text), tl.leave_waiting_list(text, bigint),
                          tl.desk_item_waiting(text, text), tl.desk_member_waiting(text, text)
   TO tierslieux_guichet;
