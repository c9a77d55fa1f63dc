-- Documents of an item and of a seed variety (issue 16, point 3).
--
-- A notice written by users (how to use a tool, its safety; a variety's
-- seed-saving steps) is a commons: it is published under a free licence
-- (CC BY-SA 4.0 unless chosen otherwise when it was started), every edit
-- is a new version that is kept, and each version credits its author under
-- the name they chose. Erasing the member (tl.forget_members) removes the
-- link and the name: the version stays, credited to "un contributeur".
--
-- A manual is a PDF a référent adds (checked by its content, served as an
-- attachment, never rendered by us) or a link to the maker's.
CREATE TABLE tl.notice (
    id          integer GENERATED ALWAYS AS IDENTITY CONSTRAINT notice_pkey PRIMARY KEY,
    item_id     integer CONSTRAINT notice_item_fkey REFERENCES tl.item,
    variety_id  integer CONSTRAINT notice_variety_fkey REFERENCES tl.seed_variety,
    licence     text NOT NULL DEFAULT 'CC-BY-SA-4.0'
                CONSTRAINT notice_licence_known CHECK (licence IN ('CC-BY-SA-4.0', 'CC-BY-4.0', 'CC0-1.0')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT notice_one_subject CHECK (num_nonnulls(item_id, variety_id) = 1),
    CONSTRAINT notice_item_key UNIQUE (item_id),
    CONSTRAINT notice_variety_key UNIQUE (variety_id)
);

COMMENT ON TABLE tl.notice IS
    'A notice written by users, of an item (use, safety) or of a seed variety (seed-saving steps), under a free licence';

CREATE TABLE tl.notice_version (
    id               bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT notice_version_pkey PRIMARY KEY,
    notice_id        integer NOT NULL CONSTRAINT notice_version_notice_fkey REFERENCES tl.notice,
    version          integer NOT NULL CONSTRAINT notice_version_positive CHECK (version >= 1),
    body             text NOT NULL
                     CONSTRAINT notice_version_body_not_blank CHECK (btrim(body) <> '')
                     CONSTRAINT notice_version_body_length CHECK (char_length(body) <= 20000),
    summary          text NOT NULL DEFAULT ''
                     CONSTRAINT notice_version_summary_length CHECK (char_length(summary) <= 200),
    author_member_id integer CONSTRAINT notice_version_author_fkey REFERENCES tl.member ON DELETE SET NULL,
    author_name      text
                     CONSTRAINT notice_version_author_name_valid
                     CHECK (author_name IS NULL OR (btrim(author_name) <> '' AND char_length(author_name) <= 60)),
    created_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT notice_version_key UNIQUE (notice_id, version)
);
CREATE INDEX notice_version_author_idx ON tl.notice_version (author_member_id) WHERE author_member_id IS NOT NULL;

COMMENT ON TABLE tl.notice_version IS
    'Every version of a notice, kept: its text, what changed, and the name its author chose to be credited under';

CREATE TABLE tl.item_manual (
    id          bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT item_manual_pkey PRIMARY KEY,
    item_id     integer NOT NULL CONSTRAINT item_manual_item_fkey REFERENCES tl.item,
    title       text NOT NULL
                CONSTRAINT item_manual_title_not_blank CHECK (btrim(title) <> '')
                CONSTRAINT item_manual_title_length CHECK (char_length(title) <= 120),
    url         text CONSTRAINT item_manual_url_valid
                CHECK (url IS NULL OR (url ~ '^https?://[^\s/]+' AND char_length(url) <= 2000)),
    pdf         bytea CONSTRAINT item_manual_pdf_size CHECK (pdf IS NULL OR octet_length(pdf) <= 10485760),
    pdf_sha256  text CONSTRAINT item_manual_pdf_sha256 CHECK ((pdf IS NULL) = (pdf_sha256 IS NULL)),
    added_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT item_manual_one_source CHECK (num_nonnulls(url, pdf) = 1)
);
CREATE INDEX item_manual_item_idx ON tl.item_manual (item_id, id);

COMMENT ON TABLE tl.item_manual IS 'A manual of an item: a PDF kept here (served as an attachment) or a link to one';
