-- Issue 18, point 3: what the national « équipements » schema of
-- schema.data.gouv.fr (scdl/equipements 0.1.5) needs of a place that the
-- product did not hold: the authority it belongs to (its name and SIRET),
-- the INSEE code of its commune, and its kind in the national nomenclature
-- of public facilities (an 8-digit code, its term and its theme). Each is a
-- place setting the référent types; a place lacking one is left out of the
-- file, and the open data page says so.
ALTER TABLE tl.place
    ADD COLUMN authority_name text
        CONSTRAINT place_authority_name_length CHECK (length(authority_name) BETWEEN 1 AND 140),
    ADD COLUMN authority_siret text
        CONSTRAINT place_authority_siret_format CHECK (authority_siret ~ '^[0-9]{14}$'),
    ADD COLUMN insee_code text
        CONSTRAINT place_insee_code_format CHECK (insee_code ~ '^[0-9][0-9AB][0-9]{3}$'),
    ADD COLUMN equipment_code text
        CONSTRAINT place_equipment_code_format CHECK (equipment_code ~ '^[0-9]{8}$'),
    ADD COLUMN equipment_type text
        CONSTRAINT place_equipment_type_format CHECK (length(equipment_type) BETWEEN 1 AND 140
                                                      AND equipment_type !~ ','),
    ADD COLUMN equipment_theme text
        CONSTRAINT place_equipment_theme_known CHECK (equipment_theme IN (
            'Equipement administratif', 'Equipement de justice', 'Equipement sanitaire',
            'Equipement social et d''animation', 'Equipement sportif et de loisirs', 'Equipement d''enseignement',
            'Equipement cultuel', 'Equipement culturel', 'Equipement de mobilité', 'Autre équipement'));
