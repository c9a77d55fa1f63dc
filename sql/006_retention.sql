-- 006 — personal data kept no longer than the CNIL's norm for library loans
-- says: a loan loses every link to its borrower at the end of the fourth
-- month after its return, and a member with no loan for a year is deleted,
-- unless something is still out. Both delays can be changed. A command run
-- by cron applies them (script/retention), with the clock as a parameter so
-- that tests can fix it.

CREATE TABLE tl.retention (
    singleton            boolean NOT NULL DEFAULT true CONSTRAINT retention_pkey PRIMARY KEY
                         CONSTRAINT retention_singleton CHECK (singleton),
    loan_months          integer NOT NULL DEFAULT 4
                         CONSTRAINT retention_loan_months_range CHECK (loan_months BETWEEN 1 AND 24),
    inactive_member_months integer NOT NULL DEFAULT 12
                         CONSTRAINT retention_member_months_range CHECK (inactive_member_months BETWEEN 1 AND 60)
);
COMMENT ON TABLE tl.retention IS 'How long links between people and what they borrowed are kept (CNIL NS-009)';
INSERT INTO tl.retention DEFAULT VALUES;
SELECT tl.track_changes('tl.retention'::regclass);

-- A member's last loan, kept on the member: the bookings lose their link to
-- the person after a few months, the member's own clock must not.
ALTER TABLE tl.member ADD COLUMN last_loan_at timestamptz;
COMMENT ON COLUMN tl.member.last_loan_at IS 'When the member last borrowed something (for deletion after inactivity)';
UPDATE tl.member m SET last_loan_at = (SELECT max(b.starts_at) FROM tl.booking b WHERE b.member_id = m.id);

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
CREATE TRIGGER member_note_loan AFTER INSERT OR UPDATE OF kind, starts_at ON tl.booking
    FOR EACH ROW EXECUTE FUNCTION tl.member_note_loan();

-- Returns how many bookings lost their member and how many members were
-- deleted. "The end of the Nth month after the return": a loan returned on
-- 10 January keeps its borrower until 31 May with N = 4.
CREATE FUNCTION tl.apply_retention(p_now timestamptz DEFAULT now(),
                                   OUT bookings_anonymised integer, OUT members_deleted integer)
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    r tl.retention;
BEGIN
    SELECT * INTO r FROM tl.retention;
    UPDATE tl.booking b SET member_id = NULL
     WHERE b.member_id IS NOT NULL
       AND coalesce(b.returned_at, b.cancelled_at,
                    CASE WHEN b.kind = 'reservation' THEN b.ends_at END) IS NOT NULL
       AND p_now >= date_trunc('month', coalesce(b.returned_at, b.cancelled_at, b.ends_at)
                                        + make_interval(months => r.loan_months)) + interval '1 month';
    GET DIAGNOSTICS bookings_anonymised = ROW_COUNT;

    WITH gone AS (
        SELECT m.id FROM tl.member m
         WHERE greatest(m.created_at, m.last_loan_at) < p_now - make_interval(months => r.inactive_member_months)
           AND NOT EXISTS (SELECT 1 FROM tl.booking b WHERE b.member_id = m.id
                            AND b.kind = 'pret' AND b.returned_at IS NULL)
    ), unlinked AS (
        UPDATE tl.booking b SET member_id = NULL FROM gone WHERE b.member_id = gone.id RETURNING b.id
    ), deleted AS (
        DELETE FROM tl.member m USING gone WHERE m.id = gone.id RETURNING m.id
    )
    SELECT count(*) INTO members_deleted FROM deleted;
END $$;
COMMENT ON FUNCTION tl.apply_retention(timestamptz) IS 'Run daily by script/retention (cron)';
