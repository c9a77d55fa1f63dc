-- A realistic network of tiers-lieux, built into a database that already
-- has the schema (script/migrate), with or without the demo data, by
-- script/network (which passes the scale: -v scale=1 is the network of
-- issue 14: 100 places, 50,000 items, 20,000 members, 200,000 returned
-- loans and 2,000 open ones, 50,000 repair records over five years, a year
-- of ressourcerie at 5 places; 0.1 is a tenth of it).
--
-- Deterministic: every choice is a hash of a row's index (pg_temp.u), never
-- random(), so two runs at the same scale on the same day write the same
-- rows. Dates are relative to the day it runs: loans over the last three
-- years, open loans due around today (some overdue), reservations to come,
-- repair sessions over the last five years and the next three months, the
-- ressourcerie's last twelve months.
--
-- Every row goes through the tables with their constraints and triggers
-- on. Two row triggers would otherwise write once per row into a tracked
-- table (each such statement bumps tl.data_version, whose one row then
-- grows a chain of versions that every later bump walks): so what they
-- would write is written first, in one statement each, and they then find
-- nothing to do — items get the tl.object made for them beforehand
-- (tl.item_give_identity keeps a given object), members the last_loan_at
-- their loans give (tl.member_note_loan only moves it forward). Waiting
-- lists come after the loans, as at the desk (tl.waiting_list_served would
-- take a member off the list of what they borrow).
--
-- Names, addresses, people and organisations are fictional; communes and
-- their postal codes are real (sql/network/README.md names the source).

\set ON_ERROR_STOP 1
SET client_encoding = 'UTF8';
SET client_min_messages = warning;
-- One plan for every run, whatever the machine: no parallel workers (their
-- rows come back in any order) and no JIT (its compile time dwarfs these
-- queries at a tenth).
SET max_parallel_workers_per_gather = 0;
SET jit = off;
SET work_mem = '64MB';

-- The network's "now": midnight (UTC) of the day it runs, so that every
-- run of a day writes the same rows, whatever the hour; always in the past.
CREATE FUNCTION pg_temp.t0() RETURNS timestamptz
LANGUAGE sql STABLE AS $$
    SELECT date_trunc('day', now(), 'UTC')
$$;

-- A number in [0, 1) that depends only on (i, salt).
CREATE FUNCTION pg_temp.u(i bigint, salt integer) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ((hashint8extended(i, salt) >> 11) & 9007199254740991)::float8 / 9007199254740992.0
$$;

-- An element of a list, chosen by (i, salt).
CREATE FUNCTION pg_temp.pick(a text[], i bigint, salt integer) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT a[1 + floor(pg_temp.u(i, salt) * cardinality(a))::integer]
$$;

-- A slug from a French name: "Châlons-en-Champagne" -> "chalons-en-champagne".
CREATE FUNCTION pg_temp.slug(t text) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT btrim(regexp_replace(lower(public.unaccent(t)), '[^a-z0-9]+', '-', 'g'), '-')
$$;

------------------------------------------------------------------------------
-- Sizes
------------------------------------------------------------------------------
SELECT :scale::numeric > 0 AND :scale::numeric <= 10 AS scale_ok \gset
\if :scale_ok
\else
    DO $$ BEGIN RAISE EXCEPTION 'l''échelle va de plus de 0 à 10'; END $$;
\endif

SELECT least(101, greatest(4, round(100 * :scale)))::integer AS n_places,
       least(6, greatest(2, round(6 * :scale)))::integer AS n_overseas,
       greatest(1, round(50000 * :scale))::integer AS n_items,
       greatest(10, round(20000 * :scale))::integer AS n_members,
       round(200000 * :scale)::integer AS n_returned,
       greatest(1, round(2000 * :scale))::integer AS n_open,
       round(50000 * :scale)::integer AS n_repairs,
       greatest(1, round(12000 * :scale))::integer AS n_intakes,
       greatest(1, round(7500 * :scale))::integer AS n_stock,
       greatest(1, round(10000 * :scale))::integer AS n_sales,
       greatest(1, round(1500 * :scale))::integer AS n_outflows
\gset

-- No second network in one database: its slugs and numbers would collide.
SELECT EXISTS (SELECT 1 FROM tl.member WHERE member_number LIKE 'R-%') AS already \gset
\if :already
    DO $$ BEGIN RAISE EXCEPTION 'cette base contient déjà un réseau généré (script/network, une fois par base)'; END $$;
\endif

------------------------------------------------------------------------------
-- Reference lists kept here (small, so that the generator runs from the
-- repository alone)
------------------------------------------------------------------------------
-- Communes: a prefecture or large town of each metropolitan department, and
-- six overseas, with the postal code of their main office (La Poste, Base
-- officielle des codes postaux, Licence Ouverte) and rounded coordinates.
CREATE TEMP TABLE net_commune (k integer PRIMARY KEY, name text, postal_code text, lat numeric, lon numeric,
                               tz text, overseas boolean) ON COMMIT DROP;
INSERT INTO net_commune (k, name, postal_code, lat, lon, tz, overseas)
SELECT row_number() OVER (ORDER BY ord), name, cp, lat, lon, 'Europe/Paris', false
  FROM (VALUES
    (1, 'Bourg-en-Bresse', '01000', 46.21, 5.23), (2, 'Laon', '02000', 49.56, 3.62),
    (3, 'Moulins', '03000', 46.57, 3.33), (4, 'Digne-les-Bains', '04000', 44.09, 6.24),
    (5, 'Gap', '05000', 44.56, 6.08), (6, 'Nice', '06000', 43.70, 7.27),
    (7, 'Privas', '07000', 44.74, 4.60), (8, 'Charleville-Mézières', '08000', 49.77, 4.72),
    (9, 'Foix', '09000', 42.97, 1.61), (10, 'Troyes', '10000', 48.30, 4.08),
    (11, 'Carcassonne', '11000', 43.21, 2.35), (12, 'Rodez', '12000', 44.35, 2.57),
    (13, 'Aix-en-Provence', '13100', 43.53, 5.45), (14, 'Caen', '14000', 49.18, -0.37),
    (15, 'Aurillac', '15000', 44.93, 2.44), (16, 'Angoulême', '16000', 45.65, 0.16),
    (17, 'La Rochelle', '17000', 46.16, -1.15), (18, 'Bourges', '18000', 47.08, 2.40),
    (19, 'Tulle', '19000', 45.27, 1.77), (20, 'Ajaccio', '20000', 41.93, 8.74),
    (21, 'Bastia', '20200', 42.70, 9.45), (22, 'Dijon', '21000', 47.32, 5.04),
    (23, 'Saint-Brieuc', '22000', 48.51, -2.76), (24, 'Guéret', '23000', 46.17, 1.87),
    (25, 'Périgueux', '24000', 45.18, 0.72), (26, 'Besançon', '25000', 47.24, 6.02),
    (27, 'Valence', '26000', 44.93, 4.89), (28, 'Évreux', '27000', 49.02, 1.15),
    (29, 'Chartres', '28000', 48.45, 1.49), (30, 'Quimper', '29000', 48.00, -4.10),
    (31, 'Nîmes', '30000', 43.84, 4.36), (32, 'Toulouse', '31000', 43.60, 1.44),
    (33, 'Auch', '32000', 43.65, 0.59), (34, 'Bordeaux', '33000', 44.84, -0.58),
    (35, 'Montpellier', '34000', 43.61, 3.88), (36, 'Rennes', '35000', 48.11, -1.68),
    (37, 'Châteauroux', '36000', 46.81, 1.69), (38, 'Tours', '37000', 47.39, 0.69),
    (39, 'Grenoble', '38000', 45.19, 5.72), (40, 'Lons-le-Saunier', '39000', 46.67, 5.55),
    (41, 'Mont-de-Marsan', '40000', 43.89, -0.50), (42, 'Blois', '41000', 47.59, 1.33),
    (43, 'Saint-Étienne', '42000', 45.44, 4.39), (44, 'Le Puy-en-Velay', '43000', 45.04, 3.89),
    (45, 'Nantes', '44000', 47.22, -1.55), (46, 'Orléans', '45000', 47.90, 1.90),
    (47, 'Cahors', '46000', 44.45, 1.44), (48, 'Agen', '47000', 44.20, 0.62),
    (49, 'Mende', '48000', 44.52, 3.50), (50, 'Angers', '49000', 47.47, -0.55),
    (51, 'Saint-Lô', '50000', 49.12, -1.09), (52, 'Châlons-en-Champagne', '51000', 48.96, 4.36),
    (53, 'Chaumont', '52000', 48.11, 5.14), (54, 'Laval', '53000', 48.07, -0.77),
    (55, 'Nancy', '54000', 48.69, 6.18), (56, 'Bar-le-Duc', '55000', 48.77, 5.16),
    (57, 'Vannes', '56000', 47.66, -2.76), (58, 'Metz', '57000', 49.12, 6.18),
    (59, 'Nevers', '58000', 46.99, 3.16), (60, 'Lille', '59000', 50.63, 3.06),
    (61, 'Beauvais', '60000', 49.43, 2.08), (62, 'Alençon', '61000', 48.43, 0.09),
    (63, 'Arras', '62000', 50.29, 2.78), (64, 'Clermont-Ferrand', '63000', 45.78, 3.08),
    (65, 'Pau', '64000', 43.30, -0.37), (66, 'Tarbes', '65000', 43.23, 0.08),
    (67, 'Perpignan', '66000', 42.70, 2.90), (68, 'Strasbourg', '67000', 48.57, 7.75),
    (69, 'Colmar', '68000', 48.08, 7.36), (70, 'Villeurbanne', '69100', 45.77, 4.88),
    (71, 'Vesoul', '70000', 47.62, 6.15), (72, 'Mâcon', '71000', 46.31, 4.83),
    (73, 'Le Mans', '72000', 48.00, 0.20), (74, 'Chambéry', '73000', 45.57, 5.92),
    (75, 'Annecy', '74000', 45.90, 6.13), (76, 'Rouen', '76000', 49.44, 1.10),
    (77, 'Melun', '77000', 48.54, 2.66), (78, 'Versailles', '78000', 48.80, 2.13),
    (79, 'Niort', '79000', 46.32, -0.46), (80, 'Amiens', '80000', 49.89, 2.30),
    (81, 'Albi', '81000', 43.93, 2.15), (82, 'Montauban', '82000', 44.02, 1.35),
    (83, 'Toulon', '83000', 43.12, 5.93), (84, 'Avignon', '84000', 43.95, 4.81),
    (85, 'La Roche-sur-Yon', '85000', 46.67, -1.43), (86, 'Poitiers', '86000', 46.58, 0.34),
    (87, 'Limoges', '87000', 45.83, 1.26), (88, 'Épinal', '88000', 48.17, 6.45),
    (89, 'Auxerre', '89000', 47.80, 3.57), (90, 'Belfort', '90000', 47.64, 6.86),
    (91, 'Évry-Courcouronnes', '91000', 48.63, 2.44), (92, 'Nanterre', '92000', 48.89, 2.21),
    (93, 'Bobigny', '93000', 48.91, 2.44), (94, 'Créteil', '94000', 48.79, 2.46),
    (95, 'Cergy', '95000', 49.04, 2.08)) AS c(ord, name, cp, lat, lon);

INSERT INTO net_commune (k, name, postal_code, lat, lon, tz, overseas) VALUES
    (101, 'Saint-Denis', '97400', -20.88, 55.45, 'Indian/Reunion', true),
    (102, 'Fort-de-France', '97200', 14.61, -61.07, 'America/Martinique', true),
    (103, 'Pointe-à-Pitre', '97110', 16.24, -61.53, 'America/Guadeloupe', true),
    (104, 'Cayenne', '97300', 4.94, -52.33, 'America/Cayenne', true),
    (105, 'Mamoudzou', '97600', -12.78, 45.23, 'Indian/Mayotte', true),
    (106, 'Nouméa', '98800', -22.27, 166.44, 'Pacific/Noumea', true);

-- Opening hours: what a référent typed, and the rows the module's parser
-- reads in it (tl.save_place stores both; the test saves one place of each
-- pattern through the back office and finds the same rows).
CREATE TEMP TABLE net_hours (pattern integer PRIMARY KEY, hours text, holidays boolean) ON COMMIT DROP;
INSERT INTO net_hours VALUES
    (0, 'Tu,Th,Fr 14:00-18:30; We 10:00-12:30,14:00-18:30; Sa 10:00-17:00; Su,Mo off; PH off', true),
    (1, 'We 14:00-19:00; Th 17:00-21:00; Sa 10:00-18:00; Mo,Tu,Fr,Su off; PH off', true),
    (2, 'Tu-Fr 08:30-12:00,13:30-17:00; Sa 08:30-12:00; Su,Mo off; PH off', true),
    (3, 'Mo-Fr 09:00-18:00; Sa 09:00-12:00; Su off; PH off', true),
    (4, 'We,Sa 10:00-18:00; Mo,Tu,Th,Fr,Su off', false);
CREATE TEMP TABLE net_hours_row (pattern integer, weekday smallint, opens smallint, closes smallint) ON COMMIT DROP;
INSERT INTO net_hours_row VALUES
    (0, 2, 840, 1110), (0, 3, 600, 750), (0, 3, 840, 1110), (0, 4, 840, 1110), (0, 5, 840, 1110), (0, 6, 600, 1020),
    (1, 3, 840, 1140), (1, 4, 1020, 1260), (1, 6, 600, 1080),
    (2, 2, 510, 720), (2, 2, 810, 1020), (2, 3, 510, 720), (2, 3, 810, 1020), (2, 4, 510, 720), (2, 4, 810, 1020),
    (2, 5, 510, 720), (2, 5, 810, 1020), (2, 6, 510, 720),
    (3, 1, 540, 1080), (3, 2, 540, 1080), (3, 3, 540, 1080), (3, 4, 540, 1080), (3, 5, 540, 1080), (3, 6, 540, 720),
    (4, 3, 600, 1080), (4, 6, 600, 1080);

------------------------------------------------------------------------------
-- Organisations, places, hours, closures, collections
------------------------------------------------------------------------------
-- Place p (1..n_places): the last n_overseas are overseas; kinds rotate,
-- with a ressourcerie at every twentieth from the third (5 at full size),
-- seeds at three in ten and repair cafés at two in five.
CREATE TEMP TABLE net_place ON COMMIT DROP AS
SELECT p, c.name AS commune, c.postal_code, c.lat, c.lon, c.tz, c.overseas,
       CASE WHEN p % 20 = 3 THEN 'ressourcerie'
            ELSE (ARRAY['mediatheque', 'tiers_lieu', 'maison_de_quartier', 'mediatheque', 'tiers_lieu'])[1 + p % 5] END AS kind,
       CASE WHEN c.overseas THEN 2 ELSE p % 5 END AS pattern,
       p % 10 IN (1, 4, 7) AS seeds, p % 5 IN (0, 2) AS repair,
       0.4 + 1.2 * pg_temp.u(p, 1) AS weight
  FROM generate_series(1, :n_places) p
  JOIN net_commune c ON c.k = CASE WHEN p > :n_places - :n_overseas THEN 100 + p - (:n_places - :n_overseas)
                                   ELSE 1 + ((p - 1) * 37) % 95 END;
ALTER TABLE net_place ADD PRIMARY KEY (p);

ALTER TABLE net_place ADD COLUMN name text, ADD COLUMN slug text, ADD COLUMN id integer, ADD COLUMN org integer;
UPDATE net_place SET
    name = CASE kind
        WHEN 'mediatheque' THEN 'Médiathèque ' || pg_temp.pick('{Louise-Michel,Victor-Hugo,George-Sand,Colette,Aimé-Césaire,Simone-Veil,Jean-Jaurès,Olympe-de-Gouges,Marie-Curie,Albert-Camus,Jacques-Prévert,Marguerite-Duras,Boris-Vian,Romain-Gary,Nelson-Mandela}', p, 2)
        WHEN 'tiers_lieu' THEN pg_temp.pick('{La Ruche,L''Atelier partagé,La Bricothèque,Le Hangar,La Fabrique du coin,Le Local,La Grange,L''Établi,La Cour commune,Le Bocal,La Manufacture,Le Garage solidaire}', p, 2)
        WHEN 'ressourcerie' THEN pg_temp.pick('{Ressourcerie Le Grenier,Ressourcerie La Trouvaille,Recyclerie Le Bazar,Ressourcerie La Seconde Main,Recyclerie L''Échoppe}', p, 2)
        ELSE 'Maison de quartier ' || pg_temp.pick('{des Tilleuls,du Centre,des Marronniers,de la Gare,des Capucins,du Moulin,des Acacias}', p, 2) END,
    slug = replace(kind, '_', '-') || '-' || pg_temp.slug(commune);

INSERT INTO tl.organisation (slug, name, kind, website)
SELECT 'reseau-' || slug,
       CASE WHEN kind IN ('mediatheque', 'maison_de_quartier') THEN 'Ville de ' || commune
            ELSE 'Association ' || name || ' (' || commune || ')' END,
       CASE WHEN kind IN ('mediatheque', 'maison_de_quartier') THEN 'commune' ELSE 'association' END,
       'https://' || slug || '.example.org'
  FROM net_place ORDER BY p;
UPDATE net_place n SET org = o.id FROM tl.organisation o WHERE o.slug = 'reseau-' || n.slug;

INSERT INTO tl.place (slug, name, kind, organisation_id, description, street_address, postal_code, locality,
                      opening_hours, time_zone, phone, email, website, latitude, longitude, charter,
                      uses_deposits, uses_fees, closed_on_public_holidays, created_at)
SELECT n.slug, n.name, n.kind, n.org,
       CASE n.kind
           WHEN 'mediatheque' THEN 'Médiathèque de ' || n.commune || ' qui prête, avec la carte de lecteur, des outils, des appareils de cuisine et du matériel numérique.'
           WHEN 'tiers_lieu' THEN 'Tiers-lieu associatif de ' || n.commune || ' avec un atelier partagé et une outilthèque pour le bricolage, le jardin et les fêtes.'
           WHEN 'ressourcerie' THEN 'Ressourcerie de ' || n.commune || ' : on y dépose ce qui peut servir encore, on y achète d''occasion, et on y emprunte quelques outils.'
           ELSE 'Maison de quartier de ' || n.commune || ' où les voisins se prêtent outils et jeux.' END
       || CASE WHEN n.seeds THEN ' Une grainothèque attend vos sachets.' ELSE '' END
       || CASE WHEN n.repair THEN ' Un repair café s''y tient chaque mois.' ELSE '' END,
       (1 + floor(pg_temp.u(n.p, 3) * 120))::integer || ' '
       || pg_temp.pick('{rue,avenue,place,chemin,boulevard,allée}', n.p, 4) || ' '
       || pg_temp.pick('{de la République,Jean-Moulin,des Écoles,du Marché,Pasteur,de la Gare,des Lilas,Gambetta,du Stade,Voltaire}', n.p, 5),
       n.postal_code, n.commune, h.hours, n.tz,
       CASE WHEN n.overseas THEN '0' || (262 + n.p % 7)::text ELSE '0' || (1 + n.p % 5) END
       || ' ' || lpad((10 + n.p % 89)::text, 2, '0') || ' ' || lpad((n.p * 7 % 100)::text, 2, '0') || ' '
       || lpad((n.p * 13 % 100)::text, 2, '0') || ' ' || lpad((n.p * 29 % 100)::text, 2, '0'),
       'contact@' || n.slug || '.example.org', 'https://' || n.slug || '.example.org',
       n.lat + (pg_temp.u(n.p, 6) - 0.5) / 100, n.lon + (pg_temp.u(n.p, 7) - 0.5) / 100,
       'J''emprunte, je prends soin, je rends à temps et je signale ce qui ne va pas.',
       n.p % 4 = 0, n.p % 6 = 0, h.holidays, pg_temp.t0() - interval '6 years'
  FROM net_place n JOIN net_hours h ON h.pattern = n.pattern
 ORDER BY n.p;
UPDATE net_place n SET id = pl.id FROM tl.place pl WHERE pl.slug = n.slug;

INSERT INTO tl.place_opening (place_id, weekday, opens, closes)
SELECT n.id, r.weekday, r.opens, r.closes FROM net_place n JOIN net_hours_row r ON r.pattern = n.pattern;

-- Closures: the summer break and the Christmas week, this year and next.
INSERT INTO tl.place_closure (place_id, starts_on, ends_on, reason)
SELECT n.id, make_date(y, 8, 3 + n.p % 7), make_date(y, 8, 17 + n.p % 7), 'Fermeture estivale'
  FROM net_place n,
       generate_series(extract(year FROM pg_temp.t0())::integer, extract(year FROM pg_temp.t0())::integer + 1) y
 WHERE n.kind <> 'ressourcerie'
UNION ALL
SELECT n.id, make_date(y, 12, 24), make_date(y + 1, 1, 1), 'Fermeture de fin d''année'
  FROM net_place n,
       generate_series(extract(year FROM pg_temp.t0())::integer - 1, extract(year FROM pg_temp.t0())::integer) y;

INSERT INTO tl.collection (organisation_id, place_id, activity, name)
SELECT n.org, n.id, 'outiltheque', 'Outilthèque — ' || n.name FROM net_place n
UNION ALL
SELECT n.org, n.id, 'grainotheque', 'Grainothèque — ' || n.name FROM net_place n WHERE n.seeds;

------------------------------------------------------------------------------
-- Accounts: a référent and two bénévoles per place, who log in through the
-- site's own identity system (no password here), and the network's
-- coordination, admin everywhere, whose password is in docs/developpeurs.md.
------------------------------------------------------------------------------
CREATE EXTENSION IF NOT EXISTS pgcrypto;
INSERT INTO tl.account (login, display_name, password_hash)
SELECT 'coordination.reseau', 'Coordination du réseau', public.crypt('Reseau-2026', public.gen_salt('bf', 8));
INSERT INTO tl.account (login, display_name)
SELECT r.role || '.' || n.slug,
       pg_temp.pick('{Camille,Dominique,Claude,Sacha,Alix,Maxime,Lou,Charlie,Morgane,Noa}', n.p * 3 + r.k, 8)
       || ' (' || CASE r.role WHEN 'referent' THEN 'référent' ELSE 'bénévole' END || ')'
  FROM net_place n, (VALUES (1, 'referent'), (2, 'benevole'), (3, 'benevole2')) AS r(k, role)
 ORDER BY n.p, r.k;
INSERT INTO tl.account_role (account_id, place_id, role)
SELECT a.id, n.id, CASE WHEN a.login LIKE 'referent.%' THEN 'referent' ELSE 'benevole' END
  FROM net_place n JOIN tl.account a ON a.login IN ('referent.' || n.slug, 'benevole.' || n.slug, 'benevole2.' || n.slug)
UNION ALL
SELECT a.id, n.id, 'admin' FROM net_place n, tl.account a WHERE a.login = 'coordination.reseau';

CREATE TEMP TABLE net_staff ON COMMIT DROP AS
SELECT n.p, (SELECT id FROM tl.account WHERE login = 'referent.' || n.slug) AS referent,
       (SELECT id FROM tl.account WHERE login = 'benevole.' || n.slug) AS benevole,
       (SELECT id FROM tl.account WHERE login = 'benevole2.' || n.slug) AS benevole2
  FROM net_place n;
ALTER TABLE net_staff ADD PRIMARY KEY (p);

------------------------------------------------------------------------------
-- Categories (the demo's, when it is loaded; the same ones otherwise)
------------------------------------------------------------------------------
INSERT INTO tl.category (slug, name, loan_days, max_renewals, deposit, sort_order) VALUES
    ('bricolage', 'Bricolage', 14, 1, NULL, 10), ('electroportatif', 'Électroportatif', 7, 1, 50.00, 20),
    ('jardinage', 'Jardinage', 14, 1, NULL, 30), ('mesure', 'Mesure et détection', 14, 1, 30.00, 40),
    ('nettoyage', 'Nettoyage', 7, 1, 30.00, 50), ('cuisine', 'Cuisine', 21, 2, NULL, 60),
    ('couture', 'Couture', 28, 2, 40.00, 70), ('numerique', 'Numérique', 21, 1, 80.00, 80),
    ('loisirs-jeux', 'Loisirs et jeux', 28, 2, NULL, 90), ('mobilite-velo', 'Mobilité et vélo', 14, 1, 50.00, 100),
    ('fete-reception', 'Fête et réception', 7, 0, 20.00, 110)
ON CONFLICT (slug) DO NOTHING;

------------------------------------------------------------------------------
-- Items
------------------------------------------------------------------------------
-- What the outilthèques lend: a type, its category, brands, whether it is
-- electric (a safety check every year) and a description.
CREATE TEMP TABLE net_kind (k integer, category text, title text, brands text[], electric boolean, description text)
    ON COMMIT DROP;
INSERT INTO net_kind
SELECT row_number() OVER (), * FROM (VALUES
    ('electroportatif', 'Perceuse à percussion', '{Bosch,Makita,Metabo,Ryobi}'::text[], true, 'Perceuse filaire avec poignée latérale et coffret de forets bois, métal et béton.'),
    ('electroportatif', 'Perceuse-visseuse sans fil', '{Bosch,Makita,DeWalt,Ryobi}', true, 'Deux batteries, un chargeur et un jeu d''embouts, pour monter un meuble ou fixer des tasseaux.'),
    ('electroportatif', 'Scie sauteuse', '{Bosch,Makita,Black+Decker}', true, 'Pour découper bois, contreplaqué et plastique ; trois lames fournies.'),
    ('electroportatif', 'Ponceuse excentrique', '{Bosch,Ryobi,Festool}', true, 'Disques auto-agrippants en grains 80, 120 et 240, sac à poussière.'),
    ('electroportatif', 'Scie circulaire', '{Makita,Bosch,Metabo}', true, 'Lame de 190 mm et guide parallèle, pour débiter panneaux et planches.'),
    ('electroportatif', 'Perforateur burineur', '{Bosch,Hilti,Makita}', true, 'Perce le béton et burine le carrelage ; lunettes et bouchons d''oreilles obligatoires.'),
    ('electroportatif', 'Meuleuse d''angle', '{Bosch,Metabo,Makita}', true, 'Disques à tronçonner et à ébarber, carter de protection.'),
    ('electroportatif', 'Outil multifonction oscillant', '{Fein,Bosch,Ryobi}', true, 'Coupe, ponce et racle dans les recoins.'),
    ('bricolage', 'Décolleuse à papier peint', '{Wagner,Black+Decker}', true, 'Plaque vapeur et réservoir de 4 litres, grattoir fourni.'),
    ('bricolage', 'Coffret de tournevis et embouts', '{Facom,Stanley,Wera}', false, 'Tournevis plats et cruciformes, embouts Torx et Pozidriv.'),
    ('bricolage', 'Serre-joints (lot de 4)', '{Bessey,Stanley}', false, 'Quatre serre-joints à pompe pour coller ou maintenir une pièce.'),
    ('bricolage', 'Escabeau 5 marches', '{Hailo,Zarges}', false, 'Escabeau en aluminium avec plateau porte-outils.'),
    ('bricolage', 'Échelle télescopique', '{Hailo,Telesteps}', false, 'Se déplie barreau par barreau et se range en 90 cm.'),
    ('bricolage', 'Coupe-carrelage', '{Rubi,Sigma}', false, 'Coupe carrelage et faïence jusqu''à 60 cm.'),
    ('bricolage', 'Caisse à outils de dépannage', '{Facom,Stanley}', false, 'Marteau, pinces, clés, mètre et niveau dans une caisse.'),
    ('bricolage', 'Décapeur thermique', '{Steinel,Bosch}', true, 'Buses plates et réflecteur, pour décaper une peinture.'),
    ('jardinage', 'Grelinette', '{NULL}', false, 'Fourche à deux manches qui ameublit la terre sans la retourner.'),
    ('jardinage', 'Taille-haie électrique', '{Bosch,Stihl,Ryobi}', true, 'Lame de 55 cm et protège-lame ; gants et lunettes fournis.'),
    ('jardinage', 'Débroussailleuse', '{Stihl,Husqvarna,Ryobi}', true, 'Tête à fil et couteau trois dents ; harnais et visière fournis.'),
    ('jardinage', 'Broyeur de végétaux', '{Viking,Bosch}', true, 'Branches jusqu''à 35 mm ; le broyat fait un excellent paillage.'),
    ('jardinage', 'Motobineuse', '{Pubert,Staub}', true, 'Quatre temps, largeur de travail 60 cm, pour ouvrir un potager.'),
    ('jardinage', 'Échenilloir-élagueur', '{Fiskars,Wolf-Garten}', false, 'Coupe les branches à plus de 4 m de haut, sans échelle.'),
    ('jardinage', 'Scarificateur', '{Bosch,Einhell}', true, 'Retire la mousse et le feutre de la pelouse.'),
    ('jardinage', 'Pulvérisateur à dos', '{Berthoud,Gloria}', false, 'Pour purin d''ortie ou décoction de prêle.'),
    ('mesure', 'Télémètre laser', '{Bosch,Leica}', false, 'Mesure jusqu''à 40 m, calcule surfaces et volumes.'),
    ('mesure', 'Niveau laser en croix', '{Bosch,Stanley}', false, 'Projette une croix pour aligner cadres et étagères.'),
    ('mesure', 'Caméra thermique', '{Flir,Seek}', false, 'Montre les ponts thermiques et les fuites d''air de la maison.'),
    ('mesure', 'Wattmètre', '{Chacon,Voltcraft}', false, 'Mesure la consommation d''un appareil en kWh.'),
    ('mesure', 'Détecteur de matériaux', '{Bosch,Zircon}', false, 'Repère métaux, câbles et bois dans les murs.'),
    ('nettoyage', 'Nettoyeur haute pression', '{Kärcher,Nilfisk}', true, 'Lance rotative et brosse de terrasse.'),
    ('nettoyage', 'Nettoyeur vapeur', '{Kärcher,Polti}', true, 'Buses pour joints de carrelage, vitres et sols.'),
    ('nettoyage', 'Shampouineuse', '{Kärcher,Bissell}', true, 'Pour moquettes, tapis et sièges de voiture.'),
    ('nettoyage', 'Aspirateur eau et poussière', '{Kärcher,Festool}', true, 'Cuve de 25 litres pour gravats, sciure et eau.'),
    ('cuisine', 'Yaourtière', '{Seb,Lagrange}', true, 'Sept pots en verre avec couvercles et minuterie.'),
    ('cuisine', 'Déshydrateur', '{Stöckli,Sedona}', true, 'Cinq plateaux pour fruits, légumes et herbes.'),
    ('cuisine', 'Appareil à raclette', '{Tefal,Lagrange}', true, 'Huit coupelles et plaque de gril réversible.'),
    ('cuisine', 'Machine à pain', '{Moulinex,Panasonic}', true, 'Quinze programmes, dont pain sans gluten.'),
    ('cuisine', 'Stérilisateur à bocaux', '{Kitchen Chef,Weck}', true, 'Sept bocaux d''un litre, thermostat et minuterie.'),
    ('cuisine', 'Extracteur de jus', '{Kuvings,Hurom}', true, 'Vis lente pour jus de fruits, de légumes et d''herbes.'),
    ('cuisine', 'Pressoir à fruits', '{NULL}', false, 'Pressoir à vis en bois et fonte pour le jus de pommes.'),
    ('couture', 'Machine à coudre', '{Singer,Brother,Janome}', true, 'Machine mécanique avec boutonnière automatique et pédale.'),
    ('couture', 'Surjeteuse', '{Brother,Janome}', true, 'Trois et quatre fils, pour les tissus extensibles.'),
    ('couture', 'Mannequin de couture', '{NULL}', false, 'Buste réglable du 38 au 46.'),
    ('numerique', 'Vidéoprojecteur', '{Epson,BenQ}', true, 'Full HD avec câble HDMI et télécommande.'),
    ('numerique', 'Écran de projection', '{Celexon,Oray}', false, 'Écran sur trépied qui se monte en deux minutes.'),
    ('numerique', 'Scanner de diapositives', '{Reflecta,Kodak}', true, 'Numérise diapositives et négatifs sur carte SD.'),
    ('numerique', 'Tablette graphique', '{Wacom,XP-Pen}', false, 'Stylet sans pile pour dessiner ou retoucher des photos.'),
    ('loisirs-jeux', 'Télescope', '{Celestron,Sky-Watcher}', false, 'Monture équatoriale, deux oculaires et une carte du ciel.'),
    ('loisirs-jeux', 'Jeu de molkky', '{NULL}', false, 'Jeu de quilles finlandais en bois, dès 6 ans.'),
    ('loisirs-jeux', 'Jumelles', '{Nikon,Bushnell}', false, 'Jumelles étanches pour observer les oiseaux.'),
    ('loisirs-jeux', 'Jeux en bois géants', '{NULL}', false, 'Puissance 4 géant, passe-trappe et jeu de la grenouille.'),
    ('mobilite-velo', 'Vélo cargo', '{Babboe,Urban Arrow}', true, 'Caisse en bois, banquette et ceintures pour enfants.'),
    ('mobilite-velo', 'Remorque vélo enfant', '{Thule,Hamax}', false, 'Deux places, harnais et capote de pluie.'),
    ('mobilite-velo', 'Pied d''atelier vélo', '{Park Tool,Topeak}', false, 'Tient le vélo en l''air pour régler freins et dérailleur.'),
    ('mobilite-velo', 'Caisse à outils vélo', '{Park Tool,Var}', false, 'Démonte-pneus, clés à rayons, dérive-chaîne.'),
    ('fete-reception', 'Barnum pliant', '{NULL}', false, 'Quatre parois et lests, se monte à quatre en vingt minutes.'),
    ('fete-reception', 'Tables pliantes (lot de 6)', '{NULL}', false, 'Six tables de 180 cm, huit convives chacune.'),
    ('fete-reception', 'Enceinte de sonorisation', '{JBL,Mackie}', true, 'Micro sans fil et entrée Bluetooth.'),
    ('fete-reception', 'Percolateur', '{Bartscher,Kitchen Chef}', true, 'Quinze litres de café, prêt en 45 minutes.'),
    ('fete-reception', 'Guirlande guinguette', '{NULL}', false, 'Vingt ampoules LED pour l''extérieur, avec sa rallonge.')
) AS k(category, title, brands, electric, description);
SELECT count(*) AS n_kinds FROM net_kind \gset

-- Item i (1..n_items) at place p: places share the items by their weight.
CREATE TEMP TABLE net_range ON COMMIT DROP AS
SELECT p, coalesce(lag(item_hi) OVER (ORDER BY p), 0) AS item_lo, item_hi,
       coalesce(lag(member_hi) OVER (ORDER BY p), 0) AS member_lo, member_hi
  FROM (SELECT p, round(:n_items * sum(weight) OVER (ORDER BY p) / sum(weight) OVER ())::integer AS item_hi,
               round(:n_members * sum(weight) OVER (ORDER BY p) / sum(weight) OVER ())::integer AS member_hi
          FROM net_place) w;

-- States: 4 % retired, 2 % in maintenance, the open loans and reservations
-- among the rest (below); electric items carry a yearly safety check,
-- overdue for about one in twenty.
CREATE TEMP TABLE net_item ON COMMIT DROP AS
SELECT i, r.p, k.category, k.title, nullif(pg_temp.pick(k.brands, i, 11), 'NULL') AS brand, k.description,
       k.electric,
       (ARRAY['neuf', 'tres_bon', 'bon', 'bon', 'bon', 'correct', 'use'])[1 + floor(pg_temp.u(i, 12) * 7)::integer] AS condition,
       pg_temp.t0() - make_interval(days => CASE WHEN pg_temp.u(i, 13) < 0.9 THEN 1100 + floor(pg_temp.u(i, 14) * 900)
                                          ELSE 30 + floor(pg_temp.u(i, 14) * 1000) END::integer) AS created_at,
       pg_temp.u(i, 15) < 0.04 AS retired,
       CASE WHEN k.electric THEN floor(pg_temp.u(i, 16) * 385)::integer END AS checked_days_ago
  FROM generate_series(1, :n_items) i
  JOIN net_range r ON i > r.item_lo AND i <= r.item_hi
  JOIN net_kind k ON k.k = 1 + floor(pg_temp.u(i, 10) * :n_kinds)::integer;
ALTER TABLE net_item ADD PRIMARY KEY (i);

-- Their identities first, in one statement (see the top of this file).
CREATE TEMP TABLE net_object ON COMMIT DROP AS
WITH o AS (INSERT INTO tl.object (created_at) SELECT created_at FROM net_item ORDER BY i RETURNING id)
SELECT id, row_number() OVER (ORDER BY id) AS i FROM o;

INSERT INTO tl.item (object_id, code, barcode, title, brand, description, category_id, collection_id, place_id,
                     condition, safety_check_days, last_safety_check, created_at, retired_at)
SELECT o.id, 'T' || lpad(n.p::text, 3, '0') || '-' || lpad((n.i - r.item_lo)::text, 5, '0'),
       CASE WHEN n.i % 3 = 0 THEN '3002' || lpad(n.i::text, 10, '0') END,
       n.title, n.brand,
       n.description || CASE WHEN n.brand IS NOT NULL THEN ' Marque ' || n.brand || '.' ELSE '' END,
       c.id, col.id, pl.id, n.condition,
       CASE WHEN n.electric THEN 365 END,
       CASE WHEN n.electric THEN (pg_temp.t0() AT TIME ZONE pl.time_zone)::date - n.checked_days_ago END,
       n.created_at,
       CASE WHEN n.retired THEN pg_temp.t0() - make_interval(days => 1 + floor(pg_temp.u(n.i, 17) * 300)::integer) END
  FROM net_item n
  JOIN net_object o ON o.i = n.i
  JOIN net_range r ON r.p = n.p
  JOIN net_place np ON np.p = n.p
  JOIN tl.place pl ON pl.id = np.id
  JOIN tl.collection col ON col.place_id = pl.id AND col.activity = 'outiltheque'
  JOIN tl.category c ON c.slug = n.category
 ORDER BY n.i;
ALTER TABLE net_item ADD COLUMN id integer;
UPDATE net_item n SET id = it.id FROM net_object o, tl.item it WHERE o.i = n.i AND it.object_id = o.id;
CREATE INDEX ON net_item (id);

------------------------------------------------------------------------------
-- Members
------------------------------------------------------------------------------
CREATE TEMP TABLE net_member ON COMMIT DROP AS
SELECT m, r.p,
       pg_temp.pick('{Martin,Bernard,Thomas,Petit,Robert,Richard,Durand,Dubois,Moreau,Laurent,Simon,Michel,Lefebvre,Leroy,Roux,David,Bertrand,Morel,Fournier,Girard,Bonnet,Dupont,Lambert,Fontaine,Rousseau,Vincent,Muller,Lefèvre,Faure,André,Mercier,Blanc,Guérin,Boyer,Garnier,Chevalier,François,Legrand,Gauthier,Garcia,Perrin,Robin,Clément,Morin,Nicolas,Henry,Roussel,Mathieu,Gautier,Masson,Marchand,Duval,Denis,Dumont,Marie,Lemaire,Noël,Meyer,Dufour,Meunier,Brun,Blanchard,Giraud,Joly,Rivière,Lucas,Brunet,Gaillard,Barbier,Arnaud,Martinez,Gérard,Roche,Renard,Schmitt,Roy,Leroux,Colin,Vidal,Caron,Picard,Roger,Fabre,Aubert,Lemoine,Renaud,Dumas,Lacroix,Olivier,Philippe,Bourgeois,Pierre,Benoît,Rey,Leclerc,Payet,Hoarau,Grondin,Fontaine,Nativel}', m, 21) AS family_name,
       pg_temp.pick('{Marie,Jean,Camille,Louise,Léo,Emma,Gabriel,Jade,Raphaël,Alice,Louis,Chloé,Arthur,Lina,Jules,Rose,Adam,Léa,Hugo,Anna,Lucas,Mila,Nathan,Ambre,Paul,Julia,Sacha,Inès,Tom,Zoé,Nina,Théo,Manon,Noah,Lou,Maël,Clara,Ethan,Sarah,Baptiste,Juliette,Antoine,Margaux,Clément,Élise,Pierre,Lucie,Mathis,Anaïs,Simon,Françoise,Michel,Nathalie,Philippe,Isabelle,Alain,Sylvie,Patrick,Catherine,Christophe,Sandrine,Nicolas,Valérie,Thierry,Monique,Bernard,Martine,Éric,Christine,Didier,Brigitte,Olivier,Véronique,Frédéric,Céline,Laurent,Aurélie,Stéphane,Émilie,Sébastien,Yasmine,Mehdi,Fatou,Karim,Aïcha,Youssef,Soraya,Kevin,Océane,Dylan}', m, 22) AS given_name,
       1940 + floor(pg_temp.u(m, 23) * 68)::integer AS birth_year,
       pg_temp.t0() - make_interval(days => 20 + floor(pg_temp.u(m, 24) * 2000)::integer) AS created_at
  FROM generate_series(1, :n_members) m
  JOIN net_range r ON m > r.member_lo AND m <= r.member_hi;
ALTER TABLE net_member ADD PRIMARY KEY (m);

------------------------------------------------------------------------------
-- Loans: the open ones first (2,000 at full size, one in six overdue), then
-- each item's returned loans laid one after the other over its history
-- (the bookings' exclusion constraint), the last before its open loan.
-- Returned more than four months ago, a loan has lost its borrower
-- (member_id NULL), as the retention command leaves it.
------------------------------------------------------------------------------
CREATE TEMP TABLE net_loan_member ON COMMIT DROP AS
SELECT m, p, row_number() OVER (PARTITION BY p ORDER BY m) AS rank, count(*) OVER (PARTITION BY p) AS n
  FROM net_member;
CREATE INDEX ON net_loan_member (p, rank);

-- A member of the item's place, chosen by (i, salt).
CREATE FUNCTION pg_temp.member_of(p_place integer, i bigint, salt integer) RETURNS integer
LANGUAGE sql STABLE AS $$
    SELECT m FROM net_loan_member
     WHERE p = p_place AND rank = 1 + floor(pg_temp.u(i, salt) * (SELECT max(n) FROM net_loan_member WHERE p = p_place))
$$;

-- Items that may be out: not retired, no safety check due.
CREATE TEMP TABLE net_lendable ON COMMIT DROP AS
SELECT n.i, n.id, n.p, row_number() OVER (ORDER BY pg_temp.u(n.i, 30)) AS rank
  FROM net_item n
 WHERE NOT n.retired AND coalesce(n.checked_days_ago, 0) < 330;

-- Ranks 1..n_open are on loan; the next 2 % in maintenance; the next 3 %
-- reserved for days to come.
SELECT count(*) AS n_lendable FROM net_lendable \gset
SELECT least(:n_open, :n_lendable / 2) AS n_open, (:n_lendable * 0.02)::integer AS n_maint,
       (:n_lendable * 0.03)::integer AS n_reserved \gset

CREATE TEMP TABLE net_open ON COMMIT DROP AS
SELECT l.i, l.id, l.p, l.rank,
       -- one in six overdue by 1 to 40 days; the others due within three weeks
       CASE WHEN l.rank % 6 = 0 THEN -(1 + floor(pg_temp.u(l.i, 31) * 40))::integer
            ELSE floor(pg_temp.u(l.i, 31) * 21)::integer END AS due_in,
       CASE WHEN c.max_renewals > 0 AND pg_temp.u(l.i, 32) < 0.2 THEN 1 ELSE 0 END AS renewals,
       c.loan_days, pl.time_zone, it.created_at AS item_created, pg_temp.member_of(l.p, l.i, 33) AS m
  FROM net_lendable l JOIN tl.item it ON it.id = l.id JOIN tl.category c ON c.id = it.category_id
  JOIN tl.place pl ON pl.id = it.place_id
 WHERE l.rank <= :n_open;
-- The due date on a day the place opens (its rows), as the desk gives it.
ALTER TABLE net_open ADD COLUMN due_on date, ADD COLUMN starts_at timestamptz;
UPDATE net_open o SET due_on = d.day
  FROM (SELECT o2.i, min(day) AS day
          FROM net_open o2 JOIN net_place np ON np.p = o2.p,
               LATERAL (SELECT (pg_temp.t0() AT TIME ZONE o2.time_zone)::date + o2.due_in + k AS day
                          FROM generate_series(0, 6) k) d
         WHERE EXISTS (SELECT 1 FROM net_hours_row r WHERE r.pattern = np.pattern
                                                       AND r.weekday = extract(isodow FROM d.day))
         GROUP BY o2.i) d
 WHERE d.i = o.i;
UPDATE net_open SET starts_at = ((due_on - loan_days * (1 + renewals))::timestamp + time '10:00'
                                 + make_interval(mins => floor(pg_temp.u(i, 34) * 420)::integer)) AT TIME ZONE time_zone;
-- a loan started after now (a due date far off a short loan): started today
UPDATE net_open SET starts_at = pg_temp.t0() - interval '1 hour' WHERE starts_at > pg_temp.t0() - interval '1 hour';
UPDATE net_open SET starts_at = item_created + interval '1 day' WHERE starts_at < item_created + interval '1 day';

-- Items in maintenance now: since 1 to 30 days.
CREATE TEMP TABLE net_maint ON COMMIT DROP AS
SELECT l.i, l.id, l.p, pg_temp.t0() - make_interval(days => 1 + floor(pg_temp.u(l.i, 50) * 30)::integer) AS started_at
  FROM net_lendable l
 WHERE l.rank > :n_open AND l.rank <= :n_open + :n_maint;

-- Returned loans: item of each by a skewed draw (some tools go out far
-- more than others), k-th of n on that item.
CREATE TEMP TABLE net_returned ON COMMIT DROP AS
WITH draw AS (
    SELECT r, 1 + floor(power(pg_temp.u(r, 40), 1.2) * :n_items)::integer AS i
      FROM generate_series(1, :n_returned) r
)
SELECT d.r, d.i, row_number() OVER (PARTITION BY d.i ORDER BY d.r) AS k, count(*) OVER (PARTITION BY d.i) AS n
  FROM draw d;

CREATE TEMP TABLE net_history ON COMMIT DROP AS
SELECT h.r, n.id AS item_id, n.p, c.loan_days, c.max_renewals, pl.time_zone,
       -- the item's history: from a week after it came to the day before
       -- its open loan (or two days ago), cut in n equal slots
       greatest(n.created_at + interval '7 days', pg_temp.t0() - interval '3 years') AS first,
       least(coalesce(o.starts_at, pg_temp.t0()), coalesce(mt.started_at, pg_temp.t0()), coalesce(it.retired_at, pg_temp.t0()), pg_temp.t0())
           - interval '2 days' AS last, h.k, h.n
  FROM net_returned h
  JOIN net_item n ON n.i = h.i
  JOIN tl.item it ON it.id = n.id
  JOIN tl.category c ON c.id = it.category_id
  JOIN tl.place pl ON pl.id = it.place_id
  LEFT JOIN net_open o ON o.i = n.i
  LEFT JOIN net_maint mt ON mt.i = n.i;
ALTER TABLE net_history ADD COLUMN starts_at timestamptz, ADD COLUMN returned_at timestamptz,
                        ADD COLUMN due_on date, ADD COLUMN renewals integer, ADD COLUMN m integer;
-- Within its slot a loan starts in the first third and comes back before
-- the slot ends, so two loans of an item never overlap.
UPDATE net_history SET
    starts_at = first + (last - first) * ((k - 1 + 0.3 * pg_temp.u(r, 41)) / n),
    renewals = CASE WHEN max_renewals > 0 AND pg_temp.u(r, 42) < 0.15 THEN 1 ELSE 0 END
 WHERE last > first;
DELETE FROM net_history WHERE starts_at IS NULL;
UPDATE net_history SET
    due_on = (starts_at AT TIME ZONE time_zone)::date + loan_days * (1 + renewals),
    returned_at = starts_at + least(make_interval(days => loan_days * (1 + renewals))
                                    * (0.3 + 0.85 * pg_temp.u(r, 43)),
                                    (last - first) * (0.65 / n));
UPDATE net_history SET m = pg_temp.member_of(p, r, 44) WHERE returned_at > pg_temp.t0() - interval '4 months';

-- The members' clock of their last loan, as tl.member_note_loan keeps it;
-- members whose loans are older than four months borrowed 4 to 11 months ago.
CREATE TEMP TABLE net_last_loan ON COMMIT DROP AS
SELECT m, max(starts_at) AS at, min(starts_at) AS first FROM (SELECT m, starts_at FROM net_history WHERE m IS NOT NULL
                                     UNION ALL SELECT m, starts_at FROM net_open) x GROUP BY m;
ALTER TABLE net_last_loan ADD PRIMARY KEY (m);

INSERT INTO tl.member (member_number, family_name, given_name, email, phone, birth_year, created_at, place_id,
                       charter_accepted_at, registered_by, last_loan_at, fee_amount, fee_paid_on)
SELECT 'R-' || lpad(n.m::text, 6, '0'), n.family_name, n.given_name,
       CASE WHEN pg_temp.u(n.m, 25) < 0.75
            THEN pg_temp.slug(n.given_name) || '.' || pg_temp.slug(n.family_name) || n.m || '@exemple.fr' END,
       CASE WHEN pg_temp.u(n.m, 26) < 0.6
            THEN '06 ' || lpad((n.m % 100)::text, 2, '0') || ' ' || lpad((n.m * 7 % 100)::text, 2, '0') || ' '
                 || lpad((n.m * 31 % 100)::text, 2, '0') || ' ' || lpad((n.m * 17 % 100)::text, 2, '0') END,
       n.birth_year, least(n.created_at, l.first - interval '1 day'), np.id,
       least(n.created_at, l.first - interval '1 day'), s.benevole,
       coalesce(l.at, pg_temp.t0() - make_interval(days => 125 + floor(pg_temp.u(n.m, 27) * 210)::integer)),
       CASE WHEN np.p % 6 = 0 THEN 5 END, CASE WHEN np.p % 6 = 0 THEN n.created_at::date END
  FROM net_member n JOIN net_place np ON np.p = n.p JOIN net_staff s ON s.p = n.p
  LEFT JOIN net_last_loan l ON l.m = n.m
 ORDER BY n.m;
CREATE TEMP TABLE net_member_id ON COMMIT DROP AS
SELECT substr(member_number, 3)::integer AS m, id FROM tl.member WHERE member_number LIKE 'R-%';
ALTER TABLE net_member_id ADD PRIMARY KEY (m);

-- Deposits where the place asks for them: one per member with a loan out.
INSERT INTO tl.member_deposit (member_id, amount, kind, received_on, recorded_by)
SELECT DISTINCT ON (o.m) mi.id, 50, 'cheque_non_encaisse', (o.starts_at AT TIME ZONE o.time_zone)::date, s.benevole
  FROM net_open o JOIN net_member_id mi ON mi.m = o.m JOIN net_place np ON np.p = o.p JOIN net_staff s ON s.p = o.p
 WHERE np.p % 4 = 0
 ORDER BY o.m, o.starts_at;

INSERT INTO tl.booking (kind, item_id, member_id, starts_at, due_on, returned_at, renewals, lent_by, returned_to,
                        return_condition)
SELECT 'pret', h.item_id, mi.id, h.starts_at, h.due_on, h.returned_at, h.renewals, s.benevole,
       CASE WHEN h.r % 2 = 0 THEN s.benevole ELSE s.benevole2 END, NULL
  FROM net_history h JOIN net_staff s ON s.p = h.p LEFT JOIN net_member_id mi ON mi.m = h.m
 ORDER BY h.starts_at;

INSERT INTO tl.booking (kind, item_id, member_id, starts_at, due_on, renewals, lent_by)
SELECT 'pret', o.id, mi.id, o.starts_at, o.due_on, o.renewals, s.benevole
  FROM net_open o JOIN net_member_id mi ON mi.m = o.m JOIN net_staff s ON s.p = o.p
 ORDER BY o.starts_at;

-- Maintenance: open for 2 % of the lendable items (not out), closed for
-- one in ten items, a few days right after one of its returns.
INSERT INTO tl.maintenance (item_id, started_at, reason, opened_by)
SELECT m.id, m.started_at,
       pg_temp.pick('{Ne démarre plus,Batterie qui ne tient plus la charge,Pièce manquante signalée au retour,Câble abîmé,Lame émoussée,Bruit anormal}', m.i, 51),
       s.referent
  FROM net_maint m JOIN net_staff s ON s.p = m.p;

INSERT INTO tl.maintenance (item_id, started_at, ended_at, reason, work_done, opened_by, closed_by)
SELECT h.item_id, h.returned_at + interval '1 hour',
       h.returned_at + interval '1 hour' + least(interval '3 days', (h.last - h.first) * (0.04 / h.n)),
       pg_temp.pick('{Révision annuelle,Pièce cassée au retour,Nettoyage complet,Réglage}', h.r, 52),
       pg_temp.pick('{Révisé et nettoyé.,Pièce remplacée.,Réglé et graissé.,Contrôlé : rien à signaler.}', h.r, 53),
       s.referent, s.referent
  FROM net_history h JOIN net_staff s ON s.p = h.p
 WHERE h.k = 1 AND pg_temp.u(h.item_id, 54) < 0.1;

-- Reservations to come: 3 % of the lendable items, from 2 to 60 days
-- ahead, for 1 to 7 days (after the item's open loan, if any, is due).
-- (members are looked up row by row, in the select list: a join on a
-- function of the row could be planned as a loop over every member)
INSERT INTO tl.booking (kind, item_id, member_id, starts_at, ends_at)
SELECT 'reservation', r.id, r.member_id, r.first::timestamp AT TIME ZONE r.time_zone,
       (r.first + 1 + floor(pg_temp.u(r.i, 61) * 7)::integer)::timestamp AT TIME ZONE r.time_zone
  FROM (SELECT l.i, l.id, pl.time_zone,
               greatest((pg_temp.t0() AT TIME ZONE pl.time_zone)::date + 2 + floor(pg_temp.u(l.i, 60) * 58)::integer,
                        coalesce(o.due_on + 2, '-infinity')) AS first,
               (SELECT id FROM net_member_id WHERE m = pg_temp.member_of(l.p, l.i, 62)) AS member_id
          FROM net_lendable l
          JOIN tl.place pl ON pl.id = (SELECT place_id FROM tl.item WHERE id = l.id)
          LEFT JOIN net_open o ON o.i = l.i
         WHERE (l.rank > :n_open + :n_maint AND l.rank <= :n_open + :n_maint + :n_reserved)
            OR (l.rank <= :n_open AND l.rank % 10 = 3)) r
 WHERE r.member_id IS NOT NULL;

-- Waiting lists: one to three members for one open loan in four.
INSERT INTO tl.waiting_list (item_id, member_id, added_at, added_by)
SELECT DISTINCT ON (x.id, x.m) x.id, mi.id, x.added_at, x.benevole
  FROM (SELECT o.id, o.m AS borrower, o.starts_at + make_interval(hours => 2 + w * 30) AS added_at, s.benevole,
               pg_temp.member_of(o.p, o.rank * 10 + w, 63) AS m
          FROM net_open o JOIN net_staff s ON s.p = o.p, generate_series(1, 3) w
         WHERE o.rank % 4 = 1 AND w <= 1 + o.rank % 3 OFFSET 0) x
  JOIN net_member_id mi ON mi.m = x.m
 WHERE x.m <> x.borrower AND x.added_at < pg_temp.t0()
 ORDER BY x.id, x.m, x.added_at;

------------------------------------------------------------------------------
-- Grainothèque: species and varieties (the demo's when loaded), lots at
-- the places with seeds, each deposited once and drawn from after.
------------------------------------------------------------------------------
INSERT INTO tl.seed_species (common_name, latin_name, family) VALUES
    ('Tomate', 'Solanum lycopersicum', 'Solanacées'), ('Haricot', 'Phaseolus vulgaris', 'Fabacées'),
    ('Courge musquée', 'Cucurbita moschata', 'Cucurbitacées'), ('Laitue', 'Lactuca sativa', 'Astéracées'),
    ('Radis', 'Raphanus sativus', 'Brassicacées'), ('Basilic', 'Ocimum basilicum', 'Lamiacées'),
    ('Piment', 'Capsicum frutescens', 'Solanacées'), ('Brède mafane', 'Acmella oleracea', 'Astéracées')
ON CONFLICT (common_name) DO NOTHING;
INSERT INTO tl.seed_variety (species_id, name, description, sowing)
SELECT s.id, v.name, v.description, v.sowing
  FROM (VALUES
    ('Tomate', 'Cœur de bœuf', 'Gros fruits côtelés à la chair dense.', 'mars à avril, sous abri'),
    ('Tomate', 'Noire de Crimée', 'Fruits ronds rouge sombre, très parfumés.', 'mars à avril, sous abri'),
    ('Tomate', 'Poire jaune', 'Tomate cocktail en forme de petite poire jaune.', 'mars à avril, sous abri'),
    ('Haricot', 'Coco de Paimpol', 'Haricot à écosser demi-sec aux grains blancs.', 'mai à juin, en pleine terre'),
    ('Haricot', 'Beurre de Rocquencourt', 'Haricot nain mangetout à gousses jaunes.', 'mai à juillet, en pleine terre'),
    ('Courge musquée', 'Butternut', 'Courge en forme de poire à chair douce.', 'avril à mai, en godets'),
    ('Laitue', 'Merveille des quatre saisons', 'Laitue pommée teintée de rouge.', 'février à septembre'),
    ('Radis', 'Dix-huit jours', 'Radis demi-long rose à bout blanc.', 'mars à septembre'),
    ('Basilic', 'Grand vert', 'Basilic à grandes feuilles pour le pistou.', 'avril à juin, au chaud'),
    ('Piment', 'Piment cabri', 'Petit piment très fort des jardins créoles.', 'toute l''année, au chaud'),
    ('Brède mafane', 'Brède mafane', 'Feuilles et fleurs qui picotent la langue, pour le rougail.', 'toute l''année')
  ) AS v(species, name, description, sowing)
  JOIN tl.seed_species s ON s.common_name = v.species
ON CONFLICT (species_id, name) DO NOTHING;

CREATE TEMP TABLE net_variety ON COMMIT DROP AS
SELECT id, row_number() OVER (ORDER BY id) AS k, count(*) OVER () AS n FROM tl.seed_variety;

-- Forty lots a place, each a variety and a harvest year of the last four.
CREATE TEMP TABLE net_lot ON COMMIT DROP AS
SELECT n.p, n.id AS place_id, pl.time_zone, x AS lot, v.id AS variety_id,
       extract(year FROM pg_temp.t0())::integer - 1 - floor(pg_temp.u(n.p * 100 + x, 70) * 4)::integer AS harvest_year,
       20 + floor(pg_temp.u(n.p * 100 + x, 71) * 40)::integer AS packets
  FROM net_place n JOIN tl.place pl ON pl.id = n.id, generate_series(1, 40) x,
       LATERAL (SELECT id FROM net_variety
                 WHERE k = 1 + floor(pg_temp.u(n.p * 100 + x, 72) * (SELECT max(n) FROM net_variety))) v
 WHERE n.seeds;
ALTER TABLE net_lot ADD COLUMN id integer, ADD COLUMN deposited timestamptz;
UPDATE net_lot SET deposited = (make_date(harvest_year, 10, 1) + floor(pg_temp.u(p * 100 + lot, 73) * 60)::integer
                                + time '15:00' + make_interval(mins => lot)) AT TIME ZONE time_zone;
WITH made AS (
    INSERT INTO tl.seed_lot (variety_id, collection_id, place_id, harvest_year, grower, created_at)
    SELECT l.variety_id, c.id, l.place_id, l.harvest_year,
           CASE WHEN l.lot % 3 = 0 THEN pg_temp.pick('{Jardin partagé des Lilas,Les Incroyables Comestibles,Un voisin,Le potager de l''école}', l.lot, 74) END,
           l.deposited
      FROM net_lot l JOIN tl.collection c ON c.place_id = l.place_id AND c.activity = 'grainotheque'
     ORDER BY l.p, l.lot
    RETURNING id, place_id, created_at
)
UPDATE net_lot l SET id = made.id FROM made WHERE made.place_id = l.place_id AND made.created_at = l.deposited;

INSERT INTO tl.seed_movement (lot_id, kind, packets, at, account_id)
SELECT l.id, 'depot', l.packets, l.deposited, s.benevole
  FROM net_lot l JOIN net_staff s ON s.p = l.p WHERE l.id IS NOT NULL;
-- Up to five withdrawals a lot, each a share of what was deposited (their
-- sum stays below it), at sowing time after the harvest.
INSERT INTO tl.seed_movement (lot_id, kind, packets, at, account_id, member_id)
SELECT l.id, 'retrait', greatest(1, floor(l.packets * 0.18 * pg_temp.u(l.id * 10 + w, 75))::integer),
       least(pg_temp.t0() - interval '1 day',
             l.deposited + make_interval(days => 120 + w * 20 + floor(pg_temp.u(l.id * 10 + w, 76) * 15)::integer)),
       s.benevole,
       CASE WHEN w = 1 AND l.deposited + interval '155 days' > pg_temp.t0() - interval '11 months'
            THEN (SELECT id FROM net_member_id WHERE m = pg_temp.member_of(l.p, l.id * 10 + w, 77)) END
  FROM net_lot l JOIN net_staff s ON s.p = l.p, generate_series(1, 5) w
 WHERE l.id IS NOT NULL AND w <= 1 + l.id % 5;

------------------------------------------------------------------------------
-- Repair cafés: a session a month at each repair place over five years and
-- three months to come, slots every half hour, bookings for the sessions to
-- come and the last four months (older ones purged, as the retention
-- command leaves them), and the objects seen at past sessions.
------------------------------------------------------------------------------
CREATE TEMP TABLE net_session ON COMMIT DROP AS
SELECT n.p, n.id AS place_id, pl.time_zone, mo,
       -- the first Saturday of the month, 14:00 to 17:30 local time
       (d + ((6 - extract(isodow FROM d)::integer + 7) % 7))::date AS day
  FROM net_place n JOIN tl.place pl ON pl.id = n.id,
       generate_series(-60, 3) mo,
       LATERAL (SELECT (date_trunc('month', pg_temp.t0() AT TIME ZONE pl.time_zone) + make_interval(months => mo))::date AS d) x
 WHERE n.repair;
ALTER TABLE net_session ADD COLUMN id integer;
WITH made AS (
    INSERT INTO tl.repair_session (place_id, title, description, starts_at, ends_at, skills, cancelled_at,
                                   cancel_reason, created_by, created_at)
    SELECT s.place_id, 'Repair café', 'Apportez un objet en panne : on cherche ensemble comment le réparer.',
           (s.day + time '14:00') AT TIME ZONE s.time_zone, (s.day + time '17:30') AT TIME ZONE s.time_zone,
           CASE (s.p + s.mo + 60) % 3 WHEN 0 THEN ARRAY['electricite', 'petit_electromenager', 'informatique']
                                      WHEN 1 THEN ARRAY['couture', 'velo', 'meubles']
                                      ELSE ARRAY['electricite', 'velo', 'jouets'] END,
           CASE WHEN (s.p + s.mo) % 23 = 0 THEN least(pg_temp.t0(), (s.day - 7)::timestamp AT TIME ZONE s.time_zone) END,
           CASE WHEN (s.p + s.mo) % 23 = 0 THEN 'Salle indisponible' END,
           st.referent, (s.day - 30)::timestamp AT TIME ZONE s.time_zone
      FROM net_session s JOIN net_staff st ON st.p = s.p
     ORDER BY s.p, s.mo
    RETURNING id, place_id, starts_at
)
UPDATE net_session s SET id = made.id FROM made
 WHERE made.place_id = s.place_id AND made.starts_at = (s.day + time '14:00') AT TIME ZONE s.time_zone;

INSERT INTO tl.repair_session_repairer (session_id, account_id, skills)
SELECT s.id, st.benevole, '{electricite,petit_electromenager}'::text[] FROM net_session s JOIN net_staff st ON st.p = s.p
UNION ALL
SELECT s.id, st.benevole2, '{couture,velo}'::text[] FROM net_session s JOIN net_staff st ON st.p = s.p;

INSERT INTO tl.repair_slot (session_id, starts_at, capacity)
SELECT s.id, (s.day + time '14:00' + make_interval(mins => 30 * k)) AT TIME ZONE s.time_zone, 3
  FROM net_session s, generate_series(0, 6) k;

-- Bookings: two a slot for sessions to come and of the last four months
-- (not cancelled ones), with a fictional visitor.
INSERT INTO tl.repair_booking (slot_id, object, problem, visitor_name, contact, token_sha256, created_at)
SELECT sl.id, pg_temp.pick('{Grille-pain,Lampe de chevet,Aspirateur,Cafetière,Radio,Vélo,Pantalon,Ordinateur portable}', sl.id * 2 + b, 80),
       pg_temp.pick('{Ne s''allume plus,Fait un bruit bizarre,Fermeture cassée,Ne chauffe plus,Faux contact}', sl.id * 2 + b, 81),
       pg_temp.pick('{Claude,Dominique,Sam,Alex,Jo}', sl.id * 2 + b, 82) || ' '
       || pg_temp.pick('{L.,M.,D.,R.,P.,B.}', sl.id * 2 + b, 83),
       'visiteur' || sl.id || '-' || b || '@exemple.fr',
       encode(sha256(convert_to('reseau-reparation-' || sl.id || '-' || b, 'UTF8')), 'hex'),
       s.starts_at - interval '10 days'
  FROM tl.repair_slot sl JOIN tl.repair_session s ON s.id = sl.session_id JOIN net_session ns ON ns.id = s.id,
       generate_series(1, 2) b
 WHERE s.cancelled_at IS NULL AND s.starts_at > pg_temp.t0() - interval '4 months';

-- The objects seen, n_repairs in all over the past sessions.
CREATE TEMP TABLE net_repair_category ON COMMIT DROP AS
SELECT code, label, row_number() OVER (ORDER BY rank) AS k, count(*) OVER () AS n, powered
  FROM tl.repair_category WHERE code <> 'non_classe';
CREATE TEMP TABLE net_past ON COMMIT DROP AS
SELECT s.id, s.p, s.day, s.time_zone, row_number() OVER (ORDER BY s.id) AS k, count(*) OVER () AS n
  FROM net_session s JOIN tl.repair_session r ON r.id = s.id
 WHERE r.ends_at < pg_temp.t0() AND r.cancelled_at IS NULL;
SELECT count(*) AS n_past FROM net_past \gset

INSERT INTO tl.repair_record (session_id, place_id, event_date, object, category, brand, age_years, problem, status,
                              barrier, weight_kg, minutes, repairer_id, recorded_by, recorded_at, year_of_manufacture,
                              booking_id)
SELECT ps.id, np.id, ps.day, c.label, c.code,
       CASE WHEN pg_temp.u(x, 91) < 0.7 THEN pg_temp.pick('{Moulinex,Seb,Philips,Bosch,Rowenta,Brandt,Samsung,Peugeot,Singer,Ikea}', x, 92) END,
       floor(pg_temp.u(x, 93) * 25)::integer,
       pg_temp.pick('{Ne s''allume plus,Ne chauffe plus,Fait disjoncter,Bruit anormal,Écran cassé,Fermeture cassée,Roue voilée,Pied branlant,Faux contact,Fuite}', x, 94),
       st.status, CASE WHEN st.status = 'fin_de_vie' THEN 1 + floor(pg_temp.u(x, 95) * 6)::integer END,
       round((0.2 + pg_temp.u(x, 96) * 8)::numeric, 2), 10 + floor(pg_temp.u(x, 97) * 80)::integer,
       CASE WHEN x % 2 = 0 THEN sf.benevole ELSE sf.benevole2 END, sf.benevole,
       (ps.day + time '17:30') AT TIME ZONE ps.time_zone,
       CASE WHEN pg_temp.u(x, 98) < 0.3 THEN extract(year FROM ps.day)::integer - floor(pg_temp.u(x, 93) * 25)::integer END,
       NULL
  FROM generate_series(1, :n_repairs) x
  JOIN net_past ps ON ps.k = 1 + (x - 1) % :n_past
  JOIN net_place np ON np.p = ps.p
  JOIN net_staff sf ON sf.p = ps.p
  JOIN net_repair_category c ON c.k = 1 + floor(pg_temp.u(x, 90) * (SELECT max(n) FROM net_repair_category))::integer
  CROSS JOIN LATERAL (SELECT CASE WHEN pg_temp.u(x, 99) < 0.48 THEN 'repare' WHEN pg_temp.u(x, 99) < 0.68 THEN 'reparable'
                                  WHEN pg_temp.u(x, 99) < 0.95 THEN 'fin_de_vie' ELSE 'inconnu' END AS status) st
 WHERE :n_past > 0;

------------------------------------------------------------------------------
-- Ressourceries: the last twelve months at each ressourcerie place.
-- Intakes weighed by category (a few corrected), stock items sorted out of
-- them and sold at the till or sent on, the till closed each day it sold,
-- outflows to recycling, the waste centre and other associations.
------------------------------------------------------------------------------
CREATE TEMP TABLE net_reuse_place ON COMMIT DROP AS
SELECT n.p, n.id AS place_id, pl.time_zone, row_number() OVER (ORDER BY n.p) AS k, count(*) OVER () AS n,
       st.benevole, st.referent
  FROM net_place n JOIN tl.place pl ON pl.id = n.id JOIN net_staff st ON st.p = n.p
 WHERE n.kind = 'ressourcerie';

INSERT INTO tl.reuse_container (place_id, name, tare_kg)
SELECT r.place_id, c.name, c.tare FROM net_reuse_place r,
       (VALUES ('Bac gris', 12.5), ('Caddie', 18.2), ('Palette', 22)) AS c(name, tare);

-- A day of the last year the ressourcerie is open (Tuesday to Saturday),
-- chosen by x: day number 1 the oldest.
CREATE FUNCTION pg_temp.reuse_day(x bigint, salt integer, tz text) RETURNS date
LANGUAGE sql STABLE AS $$
    SELECT d - CASE extract(isodow FROM d)::integer WHEN 7 THEN 1 WHEN 1 THEN 2 ELSE 0 END
      FROM (SELECT (pg_temp.t0() AT TIME ZONE tz)::date - 1 - floor(pg_temp.u(x, salt) * 362)::integer AS d) a
$$;

CREATE TEMP TABLE net_intake ON COMMIT DROP AS
SELECT x, r.place_id, r.time_zone, r.benevole,
       (pg_temp.reuse_day(x, 100, r.time_zone) + time '09:30' + make_interval(mins => floor(pg_temp.u(x, 101) * 480)::integer))
           AT TIME ZONE r.time_zone AS at
  FROM generate_series(1, :n_intakes) x JOIN net_reuse_place r ON r.k = 1 + x % r.n;
ALTER TABLE net_intake ADD COLUMN id bigint;
WITH made AS (
    INSERT INTO tl.reuse_intake (place_id, source, commune, at, recorded_by)
    SELECT i.place_id,
           (ARRAY['apport_volontaire', 'apport_volontaire', 'apport_volontaire', 'collecte_domicile', 'entreprise',
                  'decheterie', 'service_municipal'])[1 + floor(pg_temp.u(i.x, 102) * 7)::integer],
           (SELECT locality FROM tl.place WHERE id = i.place_id), i.at, i.benevole
      FROM net_intake i ORDER BY i.x
    RETURNING id
)
UPDATE net_intake i SET id = m.id
  FROM (SELECT id, row_number() OVER (ORDER BY id) AS x FROM made) m WHERE m.x = i.x;

-- Two weighings an intake on average; one in a hundred corrected later.
INSERT INTO tl.reuse_weighing (intake_id, category, gross_kg, container_id, tare_kg, at, recorded_by)
SELECT i.id, c.code, round((1 + pg_temp.u(i.x * 4 + w, 111) * least(c.max_kg, 60))::numeric, 2)
                     + CASE WHEN w = 1 AND i.x % 5 = 0 THEN k.tare_kg ELSE 0 END,
       CASE WHEN w = 1 AND i.x % 5 = 0 THEN k.id END, CASE WHEN w = 1 AND i.x % 5 = 0 THEN k.tare_kg ELSE 0 END,
       i.at + make_interval(mins => w * 3), i.benevole
  FROM net_intake i, generate_series(1, 3) w,
       LATERAL (SELECT * FROM tl.reuse_category ORDER BY rank
                 OFFSET floor(pg_temp.u(i.x * 4 + w, 110) * 10)::integer LIMIT 1) c,
       LATERAL (SELECT * FROM tl.reuse_container WHERE place_id = i.place_id AND name = 'Caddie') k
 WHERE w <= 1 + i.x % 3;
INSERT INTO tl.reuse_weighing (intake_id, category, gross_kg, container_id, tare_kg, corrects, reason, at, recorded_by)
SELECT w.intake_id, w.category, w.gross_kg + 1, w.container_id, w.tare_kg, w.id, 'Erreur de saisie sur la balance',
       w.at + interval '20 minutes', w.recorded_by
  FROM tl.reuse_weighing w JOIN net_intake i ON i.id = w.intake_id
 WHERE w.id % 100 = 7 AND w.gross_kg + 1 - w.tare_kg <= 150;

-- Stock items, each with its own tl.object made just before it.
CREATE TEMP TABLE net_stock ON COMMIT DROP AS
SELECT y, i.id AS intake_id, i.place_id, i.time_zone, i.at, i.benevole, i.x,
       (ARRAY['mobilier', 'textile', 'vaisselle', 'livres', 'jouets', 'electromenager', 'outils', 'velos', 'deco'])
           [1 + floor(pg_temp.u(y, 121) * 9)::integer] AS category
  FROM generate_series(1, :n_stock) y JOIN net_intake i ON i.x = 1 + floor(pg_temp.u(y, 120) * :n_intakes)::integer;
CREATE TEMP TABLE net_stock_object ON COMMIT DROP AS
WITH o AS (INSERT INTO tl.object (created_at) SELECT at FROM net_stock ORDER BY y RETURNING id)
SELECT id, row_number() OVER (ORDER BY id) AS y FROM o;
INSERT INTO tl.reuse_item (object_id, place_id, intake_id, category, title, description, weight_kg, price, created_at,
                           created_by)
SELECT o.id, s.place_id, s.intake_id, s.category,
       CASE s.category WHEN 'mobilier' THEN pg_temp.pick('{Chaise paillée,Commode trois tiroirs,Table basse,Étagère en pin,Fauteuil}', s.y, 122)
                       WHEN 'textile' THEN pg_temp.pick('{Manteau en laine,Lot de draps,Robe d''été,Veste en jean}', s.y, 122)
                       WHEN 'vaisselle' THEN pg_temp.pick('{Service à café,Saladier en verre,Lot d''assiettes,Cocotte en fonte}', s.y, 122)
                       WHEN 'livres' THEN pg_temp.pick('{Lot de romans policiers,Bandes dessinées,Livres de cuisine,Encyclopédie}', s.y, 122)
                       WHEN 'jouets' THEN pg_temp.pick('{Jeu de société,Poupée,Circuit de train en bois,Puzzle 1000 pièces}', s.y, 122)
                       WHEN 'electromenager' THEN pg_temp.pick('{Lampe de bureau,Grille-pain,Bouilloire,Radio-réveil}', s.y, 122)
                       WHEN 'outils' THEN pg_temp.pick('{Scie égoïne,Boîte à outils,Bêche,Marteau de charpentier}', s.y, 122)
                       WHEN 'velos' THEN pg_temp.pick('{Vélo de ville,VTT enfant,Vélo pliant}', s.y, 122)
                       ELSE pg_temp.pick('{Miroir doré,Vase en céramique,Cadre ancien,Bougeoir}', s.y, 122) END,
       'Trié de l''arrivage, vérifié par l''équipe.',
       round((0.3 + pg_temp.u(s.y, 123) * 12)::numeric, 2),
       CASE WHEN s.y % 8 = 0 THEN NULL ELSE (1 + floor(pg_temp.u(s.y, 124) * 40))::numeric END,
       s.at + interval '30 minutes', s.benevole
  FROM net_stock s JOIN net_stock_object o ON o.y = s.y
 ORDER BY s.y;
INSERT INTO tl.reuse_item_event (item_id, at, by, status, detail)
SELECT ri.id, ri.created_at, ri.created_by, 'en_vente', 'trié de l''arrivage ' || ri.intake_id
  FROM tl.reuse_item ri JOIN net_stock_object o ON o.id = ri.object_id;

-- Sales: two in three stock items sold, each a few days to two months
-- after it came in, on a day the shop opens (Tuesday to Saturday), some
-- with a weighed lot too; then receipts of weighed lots alone up to
-- n_sales. Numbered in order at each place; one lot receipt in two hundred
-- cancelled the same day.
CREATE TEMP TABLE net_sale ON COMMIT DROP AS
WITH sold AS (
    SELECT ri.id AS item_id, ri.place_id, r.time_zone, r.benevole, ri.category AS item_category,
           ri.title || ' (' || ri.code || ')' AS item_label, ri.weight_kg AS item_weight,
           coalesce(ri.price, 2) AS item_amount, ri.id AS tie,
           (ri.created_at AT TIME ZONE r.time_zone)::date + 1 + floor(pg_temp.u(ri.id, 131) * 60)::integer AS d
      FROM tl.reuse_item ri JOIN net_stock_object o ON o.id = ri.object_id
      JOIN net_reuse_place r ON r.place_id = ri.place_id
     WHERE pg_temp.u(ri.id, 132) < 0.67 AND ri.created_at < pg_temp.t0() - interval '3 days'
), items AS (
    SELECT item_id, place_id, time_zone, benevole, item_category, item_label, item_weight, item_amount, tie,
           least((pg_temp.t0() AT TIME ZONE time_zone)::date - 1,
                 d + CASE extract(isodow FROM d)::integer WHEN 7 THEN 2 WHEN 1 THEN 1 ELSE 0 END) AS day
      FROM sold
), lots AS (
    SELECT NULL::bigint AS item_id, r.place_id, r.time_zone, r.benevole, NULL::text AS item_category,
           NULL::text AS item_label, NULL::numeric AS item_weight, NULL::numeric AS item_amount, z AS tie,
           pg_temp.reuse_day(z, 130, r.time_zone) AS day
      FROM generate_series(1, greatest(0, :n_sales - (SELECT count(*) FROM sold))) z
      JOIN net_reuse_place r ON r.k = 1 + z % r.n
)
SELECT row_number() OVER (ORDER BY day, item_id NULLS LAST, place_id, tie) AS z, *
  FROM (SELECT * FROM items UNION ALL SELECT * FROM lots) x;
ALTER TABLE net_sale ADD COLUMN at timestamptz, ADD COLUMN lot_category text, ADD COLUMN lot_weight numeric,
                     ADD COLUMN lot_amount numeric, ADD COLUMN payment text, ADD COLUMN number integer,
                     ADD COLUMN id bigint;
UPDATE net_sale SET at = (day + time '10:00' + make_interval(mins => floor(pg_temp.u(z, 131) * 420)::integer))
                         AT TIME ZONE time_zone;
UPDATE net_sale SET
    lot_category = CASE WHEN item_id IS NULL OR z % 3 = 0
                        THEN (ARRAY['textile', 'vaisselle', 'livres', 'jouets', 'deco'])[1 + floor(pg_temp.u(z, 133) * 5)::integer] END,
    payment = (ARRAY['especes', 'especes', 'carte', 'carte', 'cheque', 'monnaie_locale', 'gratuit'])[1 + floor(pg_temp.u(z, 134) * 7)::integer];
UPDATE net_sale SET lot_weight = round((0.2 + pg_temp.u(z, 135) * 4)::numeric, 2),
                    lot_amount = (1 + floor(pg_temp.u(z, 136) * 10))::numeric
 WHERE lot_category IS NOT NULL;
UPDATE net_sale SET item_amount = 0, lot_amount = CASE WHEN lot_category IS NOT NULL THEN 0 END WHERE payment = 'gratuit';
UPDATE net_sale s SET number = n.number
  FROM (SELECT z, row_number() OVER (PARTITION BY place_id ORDER BY at, z) AS number FROM net_sale) n WHERE n.z = s.z;
-- numbers go on after any sale the place already has (none: a new place)
WITH made AS (
    INSERT INTO tl.reuse_sale (place_id, number, at, day, payment, total, recorded_by)
    SELECT place_id, number, at, day, payment, coalesce(item_amount, 0) + coalesce(lot_amount, 0), benevole
      FROM net_sale ORDER BY place_id, number
    RETURNING id, place_id, number
)
UPDATE net_sale s SET id = m.id FROM made m WHERE m.place_id = s.place_id AND m.number = s.number;
INSERT INTO tl.reuse_sale_line (sale_id, line, item_id, category, label, weight_kg, amount)
SELECT id, 1, item_id, item_category, item_label, item_weight, item_amount FROM net_sale WHERE item_id IS NOT NULL
UNION ALL
SELECT id, CASE WHEN item_id IS NULL THEN 1 ELSE 2 END, NULL, lot_category,
       'Lot ' || lower((SELECT label FROM tl.reuse_category WHERE code = lot_category)), lot_weight, lot_amount
  FROM net_sale WHERE lot_category IS NOT NULL;
UPDATE tl.reuse_item ri SET status = 'vendu' FROM net_sale s WHERE s.item_id = ri.id;
INSERT INTO tl.reuse_item_event (item_id, at, by, status, detail)
SELECT item_id, at, benevole, 'vendu', 'ticket ' || number || ', ' || tl.amount_fr(item_amount)
  FROM net_sale WHERE item_id IS NOT NULL;
-- Cancellations: a lot-only sale in two hundred, given back an hour later
-- the same day (numbered after every sale of the place).
INSERT INTO tl.reuse_sale (place_id, number, at, day, payment, total, recorded_by, cancels, reason)
SELECT s.place_id, (SELECT max(number) FROM net_sale x WHERE x.place_id = s.place_id)
                   + row_number() OVER (PARTITION BY s.place_id ORDER BY s.at),
       s.at + interval '1 hour', s.day, s.payment, -(s.lot_amount), s.benevole, s.id, 'Erreur de caisse'
  FROM net_sale s
 WHERE s.item_id IS NULL AND s.z % 200 = 1;

-- The rest of the stock: some set aside for a repair café or reserved, one
-- in ten sent on (with its outflow), the others still on sale.
WITH rest AS (
    SELECT ri.* FROM tl.reuse_item ri JOIN net_stock_object o ON o.id = ri.object_id WHERE ri.status = 'en_vente'
)
UPDATE tl.reuse_item ri SET status = CASE WHEN pg_temp.u(ri.id, 140) < 0.05 THEN 'reserve'
                                          WHEN pg_temp.u(ri.id, 140) < 0.25 THEN 'sorti' ELSE 'en_vente' END,
                            destination = CASE WHEN pg_temp.u(ri.id, 140) >= 0.05 AND pg_temp.u(ri.id, 140) < 0.25
                                               THEN (ARRAY['recyclage', 'don_reemploi', 'elimination'])[1 + ri.id % 3] END
  FROM rest WHERE rest.id = ri.id;
INSERT INTO tl.reuse_item_event (item_id, at, by, status, detail)
SELECT ri.id, ri.created_at + interval '20 days', ri.created_by, ri.status,
       CASE ri.status WHEN 'reserve' THEN 'réservé' ELSE tl.reuse_destination_fr(ri.destination) END
  FROM tl.reuse_item ri JOIN net_stock_object o ON o.id = ri.object_id WHERE ri.status IN ('reserve', 'sorti');

-- Outflows: the items sent on, and weighed outflows by category.
INSERT INTO tl.reuse_outflow (place_id, destination, partner, category, gross_kg, item_id, at, recorded_by)
SELECT ri.place_id, ri.destination,
       CASE ri.destination WHEN 'recyclage' THEN 'Filière de recyclage' WHEN 'don_reemploi' THEN 'Secours populaire'
                           ELSE 'Déchèterie intercommunale' END,
       ri.category, ri.weight_kg, ri.id, least(pg_temp.t0(), ri.created_at + interval '20 days'), ri.created_by
  FROM tl.reuse_item ri JOIN net_stock_object o ON o.id = ri.object_id WHERE ri.status = 'sorti';
INSERT INTO tl.reuse_outflow (place_id, destination, partner, category, gross_kg, at, recorded_by)
SELECT r.place_id, d.destination, d.partner, c.code, round((5 + pg_temp.u(x, 151) * least(c.max_kg - 5, 120))::numeric, 1),
       (pg_temp.reuse_day(x, 152, r.time_zone) + time '16:00') AT TIME ZONE r.time_zone, r.referent
  FROM generate_series(1, :n_outflows) x
  JOIN net_reuse_place r ON r.k = 1 + x % r.n
  CROSS JOIN LATERAL (SELECT * FROM tl.reuse_category ORDER BY rank OFFSET floor(pg_temp.u(x, 150) * 10)::integer LIMIT 1) c
  CROSS JOIN LATERAL (SELECT * FROM (VALUES (0, 'recyclage', 'Le Relais'), (1, 'elimination', 'Déchèterie intercommunale'),
                                            (2, 'don_reemploi', 'Emmaüs')) v(k, destination, partner)
                       WHERE v.k = x % 3) d;

-- Each day a till sold is closed that evening, but today's.
INSERT INTO tl.reuse_closing (place_id, day, sales, total, by_payment, closed_at, closed_by)
SELECT s.place_id, s.day, count(*), sum(s.total), jsonb_object_agg_by_payment.j,
       (s.day + time '19:00') AT TIME ZONE pl.time_zone, r.benevole
  FROM tl.reuse_sale s JOIN tl.place pl ON pl.id = s.place_id JOIN net_reuse_place r ON r.place_id = s.place_id
  CROSS JOIN LATERAL (SELECT jsonb_object_agg(payment, t) AS j
                        FROM (SELECT payment, sum(total) AS t FROM tl.reuse_sale x
                               WHERE x.place_id = s.place_id AND x.day = s.day GROUP BY payment) y) jsonb_object_agg_by_payment
 WHERE s.day < (pg_temp.t0() AT TIME ZONE pl.time_zone)::date
 GROUP BY s.place_id, s.day, jsonb_object_agg_by_payment.j, pl.time_zone, r.benevole;

-- The planner's statistics for the new rows, in this transaction (it
-- counts its own rows): autovacuum would come to them minutes later.
SELECT format('ANALYZE %s', c.oid::regclass) FROM pg_class c
 WHERE c.relnamespace = 'tl'::regnamespace AND c.relkind IN ('r', 'm') ORDER BY c.relname \gexec

------------------------------------------------------------------------------
-- What was made
------------------------------------------------------------------------------
CREATE TEMP TABLE net_summary ON COMMIT DROP AS
SELECT * FROM (VALUES
    (1, 'lieux', (SELECT count(*) FROM net_place)),
    (2, 'lieux outre-mer', (SELECT count(*) FROM net_place WHERE overseas)),
    (3, 'objets', (SELECT count(*) FROM net_item)),
    (4, 'objets retirés', (SELECT count(*) FROM net_item WHERE retired)),
    (5, 'adhérents', (SELECT count(*) FROM net_member_id)),
    (6, 'prêts rendus', (SELECT count(*) FROM net_history)),
    (7, 'prêts en cours', (SELECT count(*) FROM net_open)),
    (8, 'dont en retard', (SELECT count(*) FROM net_open WHERE due_on < (pg_temp.t0() AT TIME ZONE time_zone)::date)),
    (9, 'réservations', (SELECT count(*) FROM tl.booking b JOIN net_item n ON n.id = b.item_id WHERE b.kind = 'reservation')),
    (10, 'listes d''attente', (SELECT count(*) FROM tl.waiting_list w JOIN net_item n ON n.id = w.item_id)),
    (11, 'maintenances', (SELECT count(*) FROM tl.maintenance m JOIN net_item n ON n.id = m.item_id)),
    (12, 'lots de graines', (SELECT count(*) FROM net_lot WHERE id IS NOT NULL)),
    (13, 'mouvements de graines', (SELECT count(*) FROM tl.seed_movement m JOIN net_lot l ON l.id = m.lot_id)),
    (14, 'séances de réparation', (SELECT count(*) FROM net_session)),
    (15, 'réparations', (SELECT count(*) FROM tl.repair_record r JOIN net_session s ON s.id = r.session_id)),
    (16, 'arrivages', (SELECT count(*) FROM net_intake)),
    (17, 'pesées', (SELECT count(*) FROM tl.reuse_weighing w JOIN net_intake i ON i.id = w.intake_id)),
    (18, 'objets de la ressourcerie', (SELECT count(*) FROM net_stock)),
    (19, 'ventes', (SELECT count(*) FROM tl.reuse_sale s JOIN net_reuse_place r ON r.place_id = s.place_id)),
    (20, 'clôtures de caisse', (SELECT count(*) FROM tl.reuse_closing s JOIN net_reuse_place r ON r.place_id = s.place_id)),
    (21, 'sorties', (SELECT count(*) FROM tl.reuse_outflow s JOIN net_reuse_place r ON r.place_id = s.place_id))
) AS s(k, what, n);
SELECT what AS "réseau", n AS "lignes" FROM net_summary ORDER BY k;
