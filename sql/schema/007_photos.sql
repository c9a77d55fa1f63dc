-- Photos (issue 16, points 1 and 2): an item's pictures, stored in
-- PostgreSQL so that every web server of an installation serves them and
-- the backup (pg_dump, tools/tierslieux-sauvegarde) takes them. An upload
-- is decoded apart from httpd by tools/tierslieux-images, which writes the
-- variants kept here (about 320, 640 and 1280 px wide, never enlarged, in
-- JPEG and WebP, without any metadata); the upload itself is never kept.
-- A photo belongs to one owner: an item, a seed variety or a ressourcerie
-- stock item.
CREATE TABLE tl.photo (
    id        bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT photo_pkey PRIMARY KEY,
    item_id   integer CONSTRAINT photo_item_fkey REFERENCES tl.item,
    seed_variety_id integer CONSTRAINT photo_seed_variety_fkey REFERENCES tl.seed_variety,
    reuse_item_id bigint CONSTRAINT photo_reuse_item_fkey REFERENCES tl.reuse_item,
    alt       text NOT NULL
              CONSTRAINT photo_alt_not_blank CHECK (btrim(alt) <> '')
              CONSTRAINT photo_alt_length CHECK (char_length(alt) <= 250),
    position  integer NOT NULL CONSTRAINT photo_position_positive CHECK (position >= 1),
    width     integer NOT NULL CONSTRAINT photo_width_range CHECK (width BETWEEN 1 AND 1280),
    height    integer NOT NULL CONSTRAINT photo_height_range CHECK (height BETWEEN 1 AND 16384),
    added_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT photo_one_owner CHECK (num_nonnulls(item_id, seed_variety_id, reuse_item_id) = 1)
);
CREATE INDEX photo_item_idx ON tl.photo (item_id, position, id) WHERE item_id IS NOT NULL;
CREATE INDEX photo_seed_variety_idx ON tl.photo (seed_variety_id, position, id) WHERE seed_variety_id IS NOT NULL;
CREATE INDEX photo_reuse_item_idx ON tl.photo (reuse_item_id, position, id) WHERE reuse_item_id IS NOT NULL;

COMMENT ON TABLE tl.photo IS
    'A photo of an item, a seed variety or a ressourcerie stock item: its alternative text, its order (the first is the catalogue card''s), '
    'the size of its largest variant';

CREATE TABLE tl.photo_variant (
    photo_id  bigint NOT NULL CONSTRAINT photo_variant_photo_fkey REFERENCES tl.photo ON DELETE CASCADE,
    format    text NOT NULL CONSTRAINT photo_variant_format_known CHECK (format IN ('jpg', 'webp')),
    width     integer NOT NULL CONSTRAINT photo_variant_width_range CHECK (width BETWEEN 1 AND 1280),
    height    integer NOT NULL CONSTRAINT photo_variant_height_range CHECK (height BETWEEN 1 AND 16384),
    bytes     bytea NOT NULL CONSTRAINT photo_variant_bytes_size CHECK (octet_length(bytes) BETWEEN 1 AND 8388608),
    etag      text NOT NULL GENERATED ALWAYS AS (md5(bytes)) STORED,
    CONSTRAINT photo_variant_pkey PRIMARY KEY (photo_id, format, width)
);
-- JPEG and WebP are compressed already: TOAST stores them as they are.
ALTER TABLE tl.photo_variant ALTER COLUMN bytes SET STORAGE EXTERNAL;

COMMENT ON TABLE tl.photo_variant IS
    'A photo at one width in one format, encoded again from its pixels alone (no metadata), served by /photos/';
