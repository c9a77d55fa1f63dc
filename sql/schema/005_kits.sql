-- Kits: an item made of components (a sewing kit, a set of screwdrivers, a
-- bike repair case) is lent as one and checked in component by component.
-- A component missing at the return opens a maintenance period of the kit
-- whose reason names what is missing (sql/logic/lending.sql,
-- tl.check_in_kit), so the kit's availability stays derived from its open
-- loan and open maintenance (tl.item_availability), never stored.
CREATE TABLE tl.item_component (
    id       bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT item_component_pkey PRIMARY KEY,
    item_id  integer NOT NULL CONSTRAINT item_component_item_fkey REFERENCES tl.item,
    name     text NOT NULL
             CONSTRAINT item_component_name_not_blank CHECK (btrim(name) <> '')
             CONSTRAINT item_component_name_length CHECK (char_length(name) <= 100),
    quantity integer NOT NULL DEFAULT 1
             CONSTRAINT item_component_quantity_range CHECK (quantity BETWEEN 1 AND 999),
    position integer NOT NULL CONSTRAINT item_component_position_positive CHECK (position >= 1),
    CONSTRAINT item_component_name_key UNIQUE (item_id, name)
);
CREATE INDEX item_component_item_idx ON tl.item_component (item_id, position);

COMMENT ON TABLE tl.item_component IS
    'A component of a kit (an item lent as one): its name, how many, its order in the kit';
