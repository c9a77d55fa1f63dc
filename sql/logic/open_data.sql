-- Open data (issue 18, point 3): the places in the national « équipements »
-- schema and as GeoJSON, the catalogue as CSV, each published under the
-- Licence Ouverte 2.0 by the open data page (page_open_data.c). Reads the
-- other areas' tables; holds none of its own.

-- The places as the national « équipements » schema publishes them
-- (scdl/equipements 0.1.5, one row a place, its columns in its order): only
-- the places whose authority, INSEE code, nomenclature code and
-- coordinates are set. Text is brought to the schema's patterns: the street
-- split into its number (99999 when it has none) and its name, characters
-- the patterns refuse turned into spaces (a typographic apostrophe into a
-- straight one, œ into oe), the phone in its international form when it is
-- a French number of ten digits; each nomenclature code is numbered
-- 001, 002… within its commune.
CREATE VIEW tl.open_data_equipment AS
WITH p AS (
    SELECT p.*, regexp_match(btrim(p.street_address),
                             '^([0-9]+(?: ?(?:bis|ter|quater|[A-Za-z]))?)[ ,]+(.+)$') AS street,
           regexp_replace(coalesce(p.phone, ''), '[^0-9+]', '', 'g') AS digits
      FROM tl.place p
     WHERE p.authority_name IS NOT NULL AND p.authority_siret IS NOT NULL AND p.insee_code IS NOT NULL
       AND p.equipment_code IS NOT NULL AND p.equipment_type IS NOT NULL AND p.equipment_theme IS NOT NULL
       AND p.latitude IS NOT NULL AND p.longitude IS NOT NULL
), cleaned AS (
    SELECT p.*, coalesce(p.street[1], '99999') AS number,
           btrim(regexp_replace(regexp_replace(translate(replace(replace(coalesce(p.street[2], p.street_address),
                                                                         'œ', 'oe'), 'Œ', 'OE'), '’', ''''),
                                               '[^a-zA-Z0-9''[:space:]À-ÿ-]', ' ', 'g'), '[[:space:]]+', ' ', 'g'))
               AS way,
           btrim(regexp_replace(regexp_replace(replace(replace(p.locality, 'œ', 'oe'), 'Œ', 'OE'),
                                               '[^A-Za-z[:space:]À-ÿ-]', ' ', 'g'), '[[:space:]]+', ' ', 'g'))
               AS commune
      FROM p
)
SELECT c.id AS place_id, c.authority_name AS coll_nom, c.authority_siret AS coll_siret,
       c.insee_code || '-' || c.equipment_code || '-'
           || lpad((row_number() OVER (PARTITION BY c.insee_code, c.equipment_code ORDER BY c.id))::text, 3, '0')
           AS equip_uid,
       c.equipment_theme AS equip_theme,
       c.equipment_code || '-'
           || lpad((row_number() OVER (PARTITION BY c.insee_code, c.equipment_code ORDER BY c.id))::text, 3, '0')
           AS equip_code,
       c.equipment_type AS equip_type, left(c.name, 256) AS equip_nom, c.number AS adr_numero, c.way AS adr_nomvoie,
       c.postal_code AS adr_codepostal, c.commune AS adr_commune, NULL::text AS adr_cle_interop, NULL::text AS erp_id,
       NULL::text AS erp_type, NULL::text AS erp_categorie, c.latitude::text AS equip_lat,
       c.longitude::text AS equip_long, nullif(btrim(c.opening_hours), '') AS equip_ouverture,
       CASE WHEN c.digits ~ '^0[1-9][0-9]{8}$' THEN '+33' || substr(c.digits, 2) END AS equip_tel,
       c.email AS equip_email, c.website AS equip_web
  FROM cleaned c
 WHERE length(c.way) > 3 AND c.commune <> '';

COMMENT ON VIEW tl.open_data_equipment IS
    'The places in the national equipements schema (scdl/equipements 0.1.5), for the open data page';

-- The places the « équipements » file leaves out, and what each lacks, for
-- the open data page to say (the same conditions as the view's).
CREATE VIEW tl.open_data_missing AS
SELECT p.id AS place_id, p.slug, p.name,
       coalesce(nullif(array_to_string(array_remove(ARRAY[
           CASE WHEN p.authority_name IS NULL THEN 'la collectivité' END,
           CASE WHEN p.authority_siret IS NULL THEN 'son SIRET' END,
           CASE WHEN p.insee_code IS NULL THEN 'le code INSEE de la commune' END,
           CASE WHEN p.equipment_code IS NULL OR p.equipment_type IS NULL OR p.equipment_theme IS NULL
                THEN 'le code, le type et le thème de la nomenclature des équipements' END,
           CASE WHEN p.latitude IS NULL OR p.longitude IS NULL THEN 'ses coordonnées' END], NULL), ', '), ''),
                'une adresse que le schéma sait lire (un nom de voie d''au moins quatre lettres)') AS missing
  FROM tl.place p
 WHERE NOT EXISTS (SELECT 1 FROM tl.open_data_equipment e WHERE e.place_id = p.id);


-- The places with coordinates as a GeoJSON FeatureCollection (RFC 7946:
-- longitude first), for map tools such as GoGoCarto or uMap: what a visitor
-- reads on a place's page, and which of the four activities it runs. p_base
-- is the address of the module's pages, for each place's link.
CREATE FUNCTION tl.places_geojson(p_base text) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object(
               'type', 'Feature', 'id', p.slug,
               'geometry', json_build_object('type', 'Point', 'coordinates', json_build_array(p.longitude, p.latitude)),
               'properties', json_build_object(
                   'nom', p.name, 'type', CASE p.kind WHEN 'mediatheque' THEN 'Médiathèque'
                                                     WHEN 'tiers_lieu' THEN 'Tiers-lieu'
                                                     WHEN 'ressourcerie' THEN 'Ressourcerie'
                                                     WHEN 'maison_de_quartier' THEN 'Maison de quartier'
                                                     ELSE 'Autre lieu' END,
                   'adresse', p.street_address, 'code_postal', p.postal_code, 'commune', p.locality,
                   'code_insee', p.insee_code, 'horaires', nullif(btrim(p.opening_hours), ''),
                   'telephone', p.phone, 'courriel', p.email, 'site', p.website,
                   'fuseau_horaire', p.time_zone, 'page', p_base || '/lieux/' || p.slug,
                   -- each list read once and hashed, not once per place
                   'activites', to_json(array_remove(ARRAY[
                       CASE WHEN p.id IN (SELECT n.place_id FROM tl.item_count n WHERE n.items > 0)
                            THEN 'outiltheque' END,
                       CASE WHEN p.id IN (SELECT l.place_id FROM tl.seed_lot l) THEN 'grainotheque' END,
                       CASE WHEN p.id IN (SELECT s.place_id FROM tl.repair_session s) THEN 'repair_cafe' END,
                       CASE WHEN p.id IN (SELECT r.place_id FROM tl.reuse_item r) THEN 'ressourcerie' END], NULL))))
               ORDER BY p.name, p.id), '[]'::json))::text
      FROM tl.place p
     WHERE p.latitude IS NOT NULL AND p.longitude IS NOT NULL
$$;

-- The themes of the schema's EQUIP_THEME, as it writes them (the column's
-- check in sql/schema/013 holds the same list), for the back office's list.
CREATE FUNCTION tl.equipment_themes() RETURNS SETOF text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $$
    SELECT unnest(ARRAY['Equipement administratif', 'Equipement de justice', 'Equipement sanitaire',
                        'Equipement social et d''animation', 'Equipement sportif et de loisirs',
                        'Equipement d''enseignement', 'Equipement cultuel', 'Equipement culturel',
                        'Equipement de mobilité', 'Autre équipement'])
$$;

-- What the national « équipements » file needs of a place (sql/schema/013,
-- tl.open_data_equipment): each may stay empty, the place then being left
-- out of the file; what is typed must fit the schema's patterns.
CREATE FUNCTION tl.save_place_open_data(p_login text, p_place text, p_authority text, p_siret text, p_insee text,
                                        p_code text, p_type text, p_theme text, p_latitude text, p_longitude text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_place     tl.place := tl.require_place(p_place);
    v_who       integer := tl.require_role(p_login, v_place.id, 'referent');
    v_siret     text := nullif(replace(btrim(coalesce(p_siret, '')), ' ', ''), '');
    v_insee     text := nullif(upper(btrim(coalesce(p_insee, ''))), '');
    v_code      text := nullif(btrim(coalesce(p_code, '')), '');
    v_type      text := nullif(btrim(coalesce(p_type, '')), '');
    v_latitude  text := nullif(replace(btrim(coalesce(p_latitude, '')), ',', '.'), '');
    v_longitude text := nullif(replace(btrim(coalesce(p_longitude, '')), ',', '.'), '');
BEGIN
    IF v_siret IS NOT NULL AND v_siret !~ '^[0-9]{14}$' THEN
        RAISE EXCEPTION 'le SIRET a quatorze chiffres' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'place_authority_siret_format';
    END IF;
    IF v_insee IS NOT NULL AND v_insee !~ '^[0-9][0-9AB][0-9]{3}$' THEN
        RAISE EXCEPTION 'le code INSEE de la commune a cinq caractères (2A et 2B pour la Corse), ce n''est pas le code postal'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'place_insee_code_format';
    END IF;
    IF v_code IS NOT NULL AND v_code !~ '^[0-9]{8}$' THEN
        RAISE EXCEPTION 'le code de la nomenclature des équipements a huit chiffres' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'place_equipment_code_format';
    END IF;
    IF v_type IS NOT NULL AND v_type ~ ',' THEN
        RAISE EXCEPTION 'le type d''équipement s''écrit sans virgule' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'place_equipment_type_format';
    END IF;
    IF nullif(p_theme, '') IS NOT NULL AND p_theme NOT IN (SELECT tl.equipment_themes()) THEN
        RAISE EXCEPTION 'choisissez un thème de la liste' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'place_equipment_theme_known';
    END IF;
    IF (v_latitude IS NULL) <> (v_longitude IS NULL)
       OR coalesce(v_latitude !~ '^-?[0-9]{1,2}([.][0-9]{1,6})?$', false) THEN
        RAISE EXCEPTION 'la latitude va de -90 à 90, en degrés décimaux (47,39215), avec la longitude'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'place_latitude_range';
    END IF;
    IF coalesce(v_longitude !~ '^-?[0-9]{1,3}([.][0-9]{1,6})?$', false)
       OR coalesce(abs(v_longitude::numeric) > 180, false) THEN
        RAISE EXCEPTION 'la longitude va de -180 à 180, en degrés décimaux (-0,45183)'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'place_longitude_range';
    END IF;
    IF coalesce(abs(v_latitude::numeric) > 90, false) THEN
        RAISE EXCEPTION 'la latitude va de -90 à 90, en degrés décimaux (47,39215), avec la longitude'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'place_latitude_range';
    END IF;
    UPDATE tl.place SET authority_name = nullif(btrim(coalesce(p_authority, '')), ''), authority_siret = v_siret,
                        insee_code = v_insee, equipment_code = v_code, equipment_type = v_type,
                        equipment_theme = nullif(p_theme, ''), latitude = v_latitude::numeric,
                        longitude = v_longitude::numeric
     WHERE id = v_place.id;
    PERFORM tl.admin_note(v_who, v_place.id, 'lieu.donnees_ouvertes', v_place.slug);
END $$;

------------------------------------------------------------------------------
-- Rights: the public pages read the files; the back office saves the settings.
------------------------------------------------------------------------------
GRANT SELECT ON tl.open_data_equipment TO tierslieux_lecture;
GRANT SELECT ON tl.open_data_missing TO tierslieux_lecture;
GRANT EXECUTE ON FUNCTION tl.places_geojson(text) TO tierslieux_lecture;
REVOKE ALL ON FUNCTION tl.save_place_open_data(text,text,text,text,text,text,text,text,text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tl.save_place_open_data(text,text,text,text,text,text,text,text,text,text) TO tierslieux_guichet;
