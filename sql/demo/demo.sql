-- Demo data of mod_tierslieux: a commune's mediathèque with an outilthèque
-- and an association's grainothèque, an associative tiers-lieu, and a
-- tiers-lieu in La Réunion. All names, addresses and people are fictional.
--
-- Loaded once, after the migrations, on an empty database:
--   psql -v ON_ERROR_STOP=1 --single-transaction -f sql/demo/demo.sql
-- It is not meant to be loaded twice (unique keys make a second run fail).
-- Generated ids are never assumed: rows are found by slug, code, number or
-- name. Local times are written without offset and converted with the time
-- zone of the place they happened at. The checks at the end fail the load
-- if a lookup silently dropped a row.

SET client_encoding = 'UTF8';

-- Every date below is written as the demo stood on Monday 23 November 2026,
-- its reference day, and moved on loading by the whole number of weeks
-- between that day and the load day: weekdays and opening hours stay as
-- written, and the load day falls within the reference week. The data is
-- written so that every state holds on any day of that week: loans on loan
-- are due 8 days or more after the reference day, overdue ones on the day
-- before it at the latest, the reservation starts after it. Harvest years
-- move by the whole years of the shift. The checks at the end fail the load
-- if a state is missing on the day it runs.
SELECT floor(((now() AT TIME ZONE 'Europe/Paris')::date - date '2026-11-23') / 7.0)::integer * 7 AS shift \gset
SELECT floor(:shift / 365.25)::integer AS years \gset

------------------------------------------------------------------------------
-- Organisations
------------------------------------------------------------------------------
INSERT INTO tl.organisation (slug, name, kind, website) VALUES
    ('ville-saint-aubin-sur-loire', 'Ville de Saint-Aubin-sur-Loire', 'commune',     'https://www.saint-aubin.example.fr'),
    ('les-semeurs-du-val',          'Les Semeurs du Val',             'association', 'https://semeurs-du-val.example.org'),
    ('la-fabrique-commune',         'La Fabrique Commune',            'association', 'https://lafabriquecommune.example.org'),
    ('lakour-partaz',               'Association Lakour Partaz',      'association', 'https://lakour-partaz.example.org');

------------------------------------------------------------------------------
-- Places
------------------------------------------------------------------------------
INSERT INTO tl.place (slug, name, kind, organisation_id, description, street_address, postal_code,
                      locality, opening_hours, time_zone, phone, email, website, latitude, longitude)
VALUES
    ('mediatheque-jules-verne', 'Médiathèque Jules-Verne', 'mediatheque',
     (SELECT id FROM tl.organisation WHERE slug = 'ville-saint-aubin-sur-loire'),
     'Médiathèque municipale qui prête, avec la carte de lecteur, des outils de bricolage, des appareils de cuisine et du matériel numérique. Elle accueille aussi la grainothèque des Semeurs du Val : déposez vos graines, emportez-en d''autres.',
     '2 place de la Mairie', '49250', 'Saint-Aubin-sur-Loire',
     'Tu,Th,Fr 14:00-18:30; We 10:00-12:30,14:00-18:30; Sa 10:00-17:00; Su,Mo off; PH off',
     'Europe/Paris', '02 41 55 12 30', 'mediatheque@saint-aubin.example.fr',
     'https://mediatheque.saint-aubin.example.fr', 47.392150, -0.451830),
    ('la-fabrique', 'La Fabrique', 'tiers_lieu',
     (SELECT id FROM tl.organisation WHERE slug = 'la-fabrique-commune'),
     'Tiers-lieu associatif installé dans une ancienne tonnellerie, avec un atelier partagé et une outilthèque pour les gros travaux, le jardin, les fêtes et le vélo. Une petite grainothèque attend vos sachets au comptoir du café.',
     '14 rue des Tonneliers', '49250', 'Saint-Aubin-sur-Loire',
     'We 14:00-19:00; Th 17:00-21:00; Sa 10:00-18:00; Mo,Tu,Fr,Su off; PH off',
     'Europe/Paris', '02 41 55 78 04', 'bonjour@lafabriquecommune.example.org',
     'https://lafabriquecommune.example.org', 47.388420, -0.444960),
    ('tiers-lieu-lakour', 'Tiers-lieu Lakour', 'tiers_lieu',
     (SELECT id FROM tl.organisation WHERE slug = 'lakour-partaz'),
     'Tiers-lieu des hauts de Saint-Leu qui prête quelques outils de jardin et de bricolage, bien utiles pour dégager les abords de la case après une forte pluie. On y emprunte aussi de quoi cuisiner et s''abriter pour les fêtes du quartier.',
     '35 chemin des Filaos', '97436', 'Saint-Leu',
     'Tu-Fr 08:30-12:00,13:30-17:00; Sa 08:30-12:00; Su,Mo off; PH off',
     'Indian/Reunion', '0262 34 56 78', 'contact@lakour-partaz.example.org',
     'https://lakour-partaz.example.org', -21.170600, 55.288900);

-- The hours above as the module's parser reads them (tl.save_place stores
-- the two together; tests/integration/test_due_date.py saves each demo
-- place's text through the back office and finds these rows again).
INSERT INTO tl.place_opening (place_id, weekday, opens, closes)
SELECT p.id, o.weekday, o.opens, o.closes
  FROM (VALUES
        ('mediatheque-jules-verne', 2, 840, 1110), ('mediatheque-jules-verne', 3, 600, 750),
        ('mediatheque-jules-verne', 3, 840, 1110), ('mediatheque-jules-verne', 4, 840, 1110),
        ('mediatheque-jules-verne', 5, 840, 1110), ('mediatheque-jules-verne', 6, 600, 1020),
        ('la-fabrique', 3, 840, 1140), ('la-fabrique', 4, 1020, 1260), ('la-fabrique', 6, 600, 1080),
        ('tiers-lieu-lakour', 2, 510, 720), ('tiers-lieu-lakour', 2, 810, 1020),
        ('tiers-lieu-lakour', 3, 510, 720), ('tiers-lieu-lakour', 3, 810, 1020),
        ('tiers-lieu-lakour', 4, 510, 720), ('tiers-lieu-lakour', 4, 810, 1020),
        ('tiers-lieu-lakour', 5, 510, 720), ('tiers-lieu-lakour', 5, 810, 1020),
        ('tiers-lieu-lakour', 6, 510, 720)) AS o (slug, weekday, opens, closes)
  JOIN tl.place p ON p.slug = o.slug;
UPDATE tl.place SET closed_on_public_holidays = true
 WHERE slug IN ('mediatheque-jules-verne', 'la-fabrique', 'tiers-lieu-lakour');

------------------------------------------------------------------------------
-- Collections: who owns what, where. Each place has at most one collection
-- per activity in this demo, so items and lots find theirs by place.
------------------------------------------------------------------------------
INSERT INTO tl.collection (organisation_id, place_id, activity, name)
SELECT o.id, p.id, d.activity, d.name
  FROM (VALUES
        ('ville-saint-aubin-sur-loire', 'mediatheque-jules-verne', 'outiltheque',  'Outilthèque de la médiathèque Jules-Verne'),
        ('les-semeurs-du-val',          'mediatheque-jules-verne', 'grainotheque', 'Grainothèque des Semeurs du Val'),
        ('la-fabrique-commune',         'la-fabrique',             'outiltheque',  'Outilthèque de La Fabrique'),
        ('la-fabrique-commune',         'la-fabrique',             'grainotheque', 'Petite grainothèque de La Fabrique'),
        ('lakour-partaz',               'tiers-lieu-lakour',       'outiltheque',  'Zouti Lakour, l''outilthèque du quartier')
       ) AS d(organisation, place, activity, name)
  JOIN tl.organisation o ON o.slug = d.organisation
  JOIN tl.place p ON p.slug = d.place;

------------------------------------------------------------------------------
-- Categories and their loan rules
------------------------------------------------------------------------------
INSERT INTO tl.category (slug, name, loan_days, max_renewals, deposit, sort_order) VALUES
    ('bricolage',       'Bricolage',             14, 1, NULL,   10),
    ('electroportatif', 'Électroportatif',        7, 1, 50.00,  20),
    ('jardinage',       'Jardinage',             14, 1, NULL,   30),
    ('mesure',          'Mesure et détection',   14, 1, 30.00,  40),
    ('nettoyage',       'Nettoyage',              7, 1, 30.00,  50),
    ('cuisine',         'Cuisine',               21, 2, NULL,   60),
    ('couture',         'Couture',               28, 2, 40.00,  70),
    ('numerique',       'Numérique',             21, 1, 80.00,  80),
    ('loisirs-jeux',    'Loisirs et jeux',       28, 2, NULL,   90),
    ('mobilite-velo',   'Mobilité et vélo',      14, 1, 50.00, 100),
    ('fete-reception',  'Fête et réception',      7, 0, 20.00, 110);

------------------------------------------------------------------------------
-- Items. NULL loan_days / deposit: the category's rule applies.
------------------------------------------------------------------------------
INSERT INTO tl.item (code, barcode, title, brand, description, category_id, collection_id, place_id,
                     condition, loan_days, deposit, safety_check_days, last_safety_check, created_at)
SELECT d.code, d.barcode, d.title, d.brand, d.description, k.id, c.id, p.id,
       d.condition, d.loan_days, d.deposit, d.safety_check_days, d.last_safety_check::date + :shift,
       (d.acquired::date + :shift + time '10:00') AT TIME ZONE p.time_zone
  FROM (VALUES
    -- Médiathèque Jules-Verne
    ('OT-0001', '30012000045678', 'Perceuse à percussion', 'Bosch',
     'Perceuse filaire 750 W avec poignée latérale, butée de profondeur et coffret de forets bois, métal et béton. N''activez la percussion que pour le béton et la brique : dans le carrelage, percez sans.',
     'electroportatif', 'mediatheque-jules-verne', 'tres_bon', NULL, NULL, 365, '2026-03-12', '2024-09-20'),
    ('OT-0002', '30012000045685', 'Scie sauteuse', 'Makita',
     'Scie sauteuse pendulaire 450 W pour découper le bois, le contreplaqué et le plastique. Trois lames fournies ; réglez le mouvement pendulaire sur 0 pour une coupe nette.',
     'electroportatif', 'mediatheque-jules-verne', 'bon', NULL, NULL, 365, '2026-03-12', '2024-09-20'),
    ('OT-0003', NULL, 'Ponceuse excentrique', 'Ryobi',
     'Ponceuse de 125 mm avec sac à poussière et disques auto-agrippants en grains 80, 120 et 240. Raccordez-la à un aspirateur pour poncer à l''intérieur.',
     'electroportatif', 'mediatheque-jules-verne', 'bon', NULL, NULL, 365, '2026-03-12', '2024-09-20'),
    ('OT-0004', NULL, 'Perceuse-visseuse sans fil', 'Bosch',
     'Perceuse-visseuse 18 V livrée avec deux batteries, un chargeur et un jeu d''embouts. Idéale pour monter un meuble en kit ou fixer des tasseaux.',
     'electroportatif', 'mediatheque-jules-verne', 'bon', NULL, NULL, 365, '2026-03-12', '2025-01-10'),
    ('OT-0005', NULL, 'Décolleuse à papier peint', 'Wagner',
     'Décolleuse vapeur avec plaque de 20 x 30 cm et réservoir de 4 litres, grattoir fourni. Laissez chauffer dix minutes et travaillez de haut en bas.',
     'bricolage', 'mediatheque-jules-verne', 'correct', NULL, NULL, 365, '2026-03-12', '2024-09-20'),
    ('OT-0006', NULL, 'Coffret de tournevis et embouts', 'Facom',
     'Tournevis plats et cruciformes, embouts Torx et Pozidriv avec porte-embout magnétique. Vérifiez que chaque pièce a retrouvé sa place avant de rendre le coffret.',
     'bricolage', 'mediatheque-jules-verne', 'tres_bon', NULL, NULL, NULL, NULL, '2024-09-20'),
    ('OT-0007', NULL, 'Serre-joints (lot de 4)', 'Bessey',
     'Quatre serre-joints à pompe de 30 cm pour coller ou maintenir une pièce pendant le perçage. Protégez les bois tendres avec une cale.',
     'bricolage', 'mediatheque-jules-verne', 'bon', NULL, NULL, NULL, NULL, '2024-09-20'),
    ('OT-0008', NULL, 'Escabeau 5 marches', 'Hailo',
     'Escabeau en aluminium avec plateau porte-outils, pour une hauteur de travail d''environ 3 m. Il mesure 1,60 m replié : vérifiez qu''il entre dans votre voiture.',
     'bricolage', 'mediatheque-jules-verne', 'bon', NULL, NULL, NULL, NULL, '2024-11-05'),
    ('OT-0009', '30012000045692', 'Grelinette', NULL,
     'Fourche à deux manches qui ameublit la terre sans la retourner, pour préparer le potager au naturel. Idéale avant les semis de printemps.',
     'jardinage', 'mediatheque-jules-verne', 'bon', NULL, NULL, NULL, NULL, '2025-03-01'),
    ('OT-0010', NULL, 'Taille-haie électrique', 'Bosch',
     'Taille-haie filaire 500 W avec lame de 55 cm et protège-lame. Prévoyez une rallonge de jardin et des gants ; les lunettes sont fournies.',
     'jardinage', 'mediatheque-jules-verne', 'bon', NULL, NULL, 365, '2026-04-02', '2025-03-01'),
    ('OT-0011', NULL, 'Échenilloir-élagueur télescopique', 'Fiskars',
     'Coupe les branches jusqu''à 3,5 cm de diamètre à plus de 4 m de haut, sans échelle. Une scie d''élagage se fixe en bout de perche.',
     'jardinage', 'mediatheque-jules-verne', 'tres_bon', NULL, NULL, NULL, NULL, '2025-03-01'),
    ('OT-0012', NULL, 'Semoir manuel de précision', 'Terrateck',
     'Semoir à pousser avec six rouleaux interchangeables pour graines fines ou grosses. Pratique pour semer en ligne les graines de la grainothèque.',
     'jardinage', 'mediatheque-jules-verne', 'neuf', NULL, NULL, NULL, NULL, '2026-02-20'),
    ('OT-0013', NULL, 'Pulvérisateur à dos 12 L', 'Berthoud',
     'Pulvérisateur à pression pour purin d''ortie ou décoction de prêle. Rincez-le à l''eau claire avant de le rendre.',
     'jardinage', 'mediatheque-jules-verne', 'bon', NULL, NULL, NULL, NULL, '2025-03-01'),
    ('OT-0014', '30012000045708', 'Yaourtière', 'Seb',
     'Yaourtière sept pots en verre avec couvercles et minuterie. Un yaourt nature du commerce suffit comme premier ferment.',
     'cuisine', 'mediatheque-jules-verne', 'tres_bon', NULL, NULL, 730, '2026-01-20', '2024-09-20'),
    ('OT-0015', NULL, 'Déshydrateur', 'Stöckli',
     'Déshydrateur à cinq plateaux pour fruits, légumes, herbes et champignons, de 30 à 70 °C. Tranchez finement et régulièrement pour un séchage homogène.',
     'cuisine', 'mediatheque-jules-verne', 'bon', NULL, NULL, 730, '2026-01-20', '2024-09-20'),
    ('OT-0016', NULL, 'Appareil à raclette', 'Tefal',
     'Raclette huit personnes avec plaque de gril réversible et coupelles antiadhésives. Merci de rendre les coupelles lavées.',
     'cuisine', 'mediatheque-jules-verne', 'bon', NULL, NULL, 730, '2026-01-20', '2024-09-20'),
    ('OT-0017', NULL, 'Machine à pain', 'Moulinex',
     'Machine à pain 1 kg avec quinze programmes, dont pain sans gluten et pâte à pizza. Le livret de recettes est dans le sac.',
     'cuisine', 'mediatheque-jules-verne', 'correct', NULL, NULL, 730, '2026-01-20', '2024-09-20'),
    ('OT-0018', NULL, 'Stérilisateur à bocaux', NULL,
     'Stérilisateur électrique de 27 litres avec thermostat et minuterie, pour les conserves de fin d''été. Il contient sept bocaux d''un litre.',
     'cuisine', 'mediatheque-jules-verne', 'bon', NULL, NULL, 730, '2026-01-20', '2025-06-14'),
    ('OT-0019', NULL, 'Extracteur de jus', 'Kuvings',
     'Extracteur à vis lente pour jus de fruits, de légumes et d''herbes. Il se démonte en cinq pièces ; la brosse de nettoyage est fournie.',
     'cuisine', 'mediatheque-jules-verne', 'tres_bon', NULL, NULL, 730, '2026-01-20', '2025-06-14'),
    ('OT-0020', '30012000045715', 'Machine à coudre', 'Singer',
     'Machine mécanique 23 points avec boutonnière automatique, pédale et boîte de canettes. Un atelier d''initiation a lieu le premier samedi du mois.',
     'couture', 'mediatheque-jules-verne', 'bon', NULL, NULL, 730, '2026-02-05', '2024-09-20'),
    ('OT-0021', NULL, 'Surjeteuse', 'Brother',
     'Surjeteuse trois et quatre fils pour finir proprement les coutures des tissus extensibles. L''enfilage suit des codes couleur ; la notice plastifiée est fournie.',
     'couture', 'mediatheque-jules-verne', 'tres_bon', NULL, NULL, 730, '2026-02-05', '2025-01-10'),
    ('OT-0022', NULL, 'Mannequin de couture réglable', NULL,
     'Buste réglable en taille, poitrine et hanches, du 38 au 46. Pratique pour ajuster un ourlet ou vérifier un patron.',
     'couture', 'mediatheque-jules-verne', 'correct', NULL, NULL, NULL, NULL, '2025-01-10'),
    ('OT-0023', NULL, 'Vidéoprojecteur', 'Epson',
     'Vidéoprojecteur Full HD de 3 300 lumens avec câble HDMI, télécommande et housse. Pour une soirée cinéma, empruntez aussi l''écran portable.',
     'numerique', 'mediatheque-jules-verne', 'tres_bon', NULL, 150.00, 730, '2026-02-05', '2024-09-20'),
    ('OT-0024', NULL, 'Écran de projection portable', 'Celexon',
     'Écran sur trépied de 180 x 180 cm qui se monte en deux minutes. Il se range dans sa housse sans plier la toile.',
     'numerique', 'mediatheque-jules-verne', 'bon', NULL, NULL, NULL, NULL, '2024-09-20'),
    ('OT-0025', NULL, 'Scanner de diapositives', 'Reflecta',
     'Numérise diapositives et négatifs 35 mm sur carte SD, sans ordinateur. Comptez une minute par vue et dépoussiérez-les avant.',
     'numerique', 'mediatheque-jules-verne', 'bon', NULL, NULL, 730, '2026-02-05', '2024-09-20'),
    ('OT-0026', NULL, 'Convertisseur de cassettes audio en MP3', 'ION',
     'Lecteur de cassettes qui enregistre vos bandes sur une clé USB. Idéal pour sauver les enregistrements de famille avant qu''ils ne s''effacent.',
     'numerique', 'mediatheque-jules-verne', 'bon', NULL, NULL, NULL, NULL, '2025-01-10'),
    ('OT-0027', NULL, 'Kit d''électronique « Arduino » <débutant>', 'Arduino',
     'Carte Uno, plaque d''essai, LED, résistances et capteurs, dans une boîte de rangement. La notice <b>pas à pas</b> explique les bases du code : accolades, points-virgules & "guillemets" droits autour du texte.',
     'numerique', 'mediatheque-jules-verne', 'neuf', 28, NULL, NULL, NULL, '2026-06-10'),
    ('OT-0028', NULL, 'Tablette graphique', 'Wacom',
     'Tablette à stylet sans pile pour dessiner ou retoucher des photos, compatible Windows, macOS et Linux. Le logiciel libre Krita est conseillé.',
     'numerique', 'mediatheque-jules-verne', 'bon', NULL, NULL, NULL, NULL, '2025-01-10'),
    ('OT-0029', NULL, 'Détecteur de métaux', 'Garrett',
     'Détecteur avec casque et petite pelle, pour retrouver une alliance dans le gazon ou repérer une canalisation. La prospection archéologique est interdite sans autorisation.',
     'mesure', 'mediatheque-jules-verne', 'bon', NULL, NULL, NULL, NULL, '2025-05-10'),
    ('OT-0030', NULL, 'Caméra thermique', 'Flir',
     'Caméra qui montre les ponts thermiques et les fuites d''air de la maison. Les images sont plus parlantes avec au moins 10 °C d''écart entre dedans et dehors.',
     'mesure', 'mediatheque-jules-verne', 'tres_bon', NULL, 150.00, NULL, NULL, '2025-05-10'),
    ('OT-0031', NULL, 'Wattmètre', 'Chacon',
     'Prise qui mesure la consommation d''un appareil en watts et en kWh. Laissez-la 24 heures sur le réfrigérateur pour estimer ce qu''il coûte à l''année.',
     'mesure', 'mediatheque-jules-verne', 'bon', NULL, NULL, NULL, NULL, '2025-05-10'),
    ('OT-0032', NULL, 'Télémètre laser', 'Bosch',
     'Mesure les distances jusqu''à 40 m et calcule surfaces et volumes. Pratique pour estimer la peinture nécessaire à une pièce.',
     'mesure', 'mediatheque-jules-verne', 'tres_bon', NULL, NULL, NULL, NULL, '2025-05-10'),
    ('OT-0033', NULL, 'Niveau laser en croix', 'Stanley',
     'Projette une croix horizontale et verticale pour aligner cadres, étagères ou carrelage. Trépied et pince de fixation fournis.',
     'mesure', 'mediatheque-jules-verne', 'bon', NULL, NULL, NULL, NULL, '2025-05-10'),
    ('OT-0034', NULL, 'Télescope', 'Celestron',
     'Télescope de 130 mm sur monture équatoriale, avec deux oculaires et une carte du ciel. Sortez-le une demi-heure avant d''observer pour qu''il se mette à température.',
     'loisirs-jeux', 'mediatheque-jules-verne', 'bon', NULL, 100.00, NULL, NULL, '2024-11-05'),
    ('OT-0035', NULL, 'Jeu de Mölkky', 'Tuoni',
     'Jeu de quilles finlandais en bois, dès 6 ans, pour le parc ou la plage. Les règles sont collées dans le couvercle.',
     'loisirs-jeux', 'mediatheque-jules-verne', 'correct', NULL, NULL, NULL, NULL, '2024-11-05'),
    ('OT-0036', NULL, 'Jumelles d''observation 8x42', 'Kite Optics',
     'Jumelles étanches et lumineuses, adaptées à l''observation des oiseaux des bords de Loire. Un guide des oiseaux est prêté avec.',
     'loisirs-jeux', 'mediatheque-jules-verne', 'tres_bon', NULL, NULL, NULL, NULL, '2024-11-05'),
    ('OT-0037', NULL, 'Nettoyeur vapeur', 'Kärcher',
     'Nettoyeur vapeur avec buses pour les joints de carrelage, les vitres et les sols. Utilisez de l''eau déminéralisée pour éviter le calcaire.',
     'nettoyage', 'mediatheque-jules-verne', 'bon', NULL, NULL, 365, '2026-03-12', '2024-11-05'),
    ('OT-0038', NULL, 'Shampouineuse', 'Bissell',
     'Shampouineuse pour moquettes, tapis et sièges de voiture, flacon de détergent fourni. Videz et rincez le bac d''eau sale avant de la rendre.',
     'nettoyage', 'mediatheque-jules-verne', 'correct', NULL, NULL, 365, '2026-03-12', '2024-11-05'),

    -- La Fabrique
    ('FC-0001', NULL, 'Perceuse-visseuse sans fil', 'Makita',
     'Perceuse-visseuse à percussion 18 V avec deux batteries 5 Ah, chargeur rapide et coffret d''embouts et de forets. Une batterie tient une bonne journée de chantier.',
     'electroportatif', 'la-fabrique', 'tres_bon', NULL, NULL, 365, '2026-05-16', '2024-05-18'),
    ('FC-0002', NULL, 'Perceuse à colonne', 'Einhell',
     'Perceuse d''établi 500 W avec étau, pour des trous bien droits dans le bois ou le métal. Elle pèse 25 kg : venez à deux.',
     'electroportatif', 'la-fabrique', 'bon', 14, 80.00, 365, '2026-05-16', '2024-05-18'),
    ('FC-0003', NULL, 'Perforateur burineur SDS-Plus', 'DeWalt',
     'Perforateur 800 W pour percer le béton et buriner le carrelage, avec forets de 6 à 12 mm et burin plat. Lunettes et bouchons d''oreilles obligatoires.',
     'electroportatif', 'la-fabrique', 'bon', NULL, NULL, 365, '2026-05-16', '2024-05-18'),
    ('FC-0004', NULL, 'Meuleuse d''angle 125 mm', 'Metabo',
     'Meuleuse avec disques à tronçonner et à ébarber, clé et carter de protection. Gants, lunettes et masque sont dans la mallette.',
     'electroportatif', 'la-fabrique', 'bon', NULL, NULL, 365, '2026-05-16', '2024-05-18'),
    ('FC-0005', NULL, 'Scie circulaire', 'Makita',
     'Scie circulaire 1 200 W avec lame de 190 mm et guide parallèle, pour débiter panneaux et planches. Un rail de guidage de 1,40 m peut être prêté avec.',
     'electroportatif', 'la-fabrique', 'bon', NULL, NULL, 365, '2026-05-16', '2024-05-18'),
    ('FC-0006', NULL, 'Rabot électrique', 'Bosch',
     'Rabot 680 W de 82 mm de large, pour reprendre une porte qui frotte. Réglez la profondeur de passe à 1 mm au plus.',
     'electroportatif', 'la-fabrique', 'correct', NULL, NULL, 365, '2026-05-16', '2024-05-18'),
    ('FC-0007', NULL, 'Défonceuse', 'Makita',
     'Défonceuse 900 W avec guide parallèle et coffret de douze fraises pour rainures, feuillures et arrondis. Une séance de découverte à l''atelier est conseillée.',
     'electroportatif', 'la-fabrique', 'tres_bon', NULL, 80.00, 365, '2026-05-16', '2025-02-22'),
    ('FC-0008', NULL, 'Scie à onglet radiale', 'Metabo',
     'Scie à onglet de 254 mm pour couper plinthes, lambris et tasseaux d''équerre ou en biais. Elle pèse 15 kg et se transporte à deux.',
     'electroportatif', 'la-fabrique', 'bon', NULL, 100.00, 365, '2026-05-16', '2025-02-22'),
    ('FC-0009', NULL, 'Outil multifonction oscillant', 'Fein',
     'Coupe, ponce et racle dans les recoins : affleurer une plinthe, ouvrir une cloison, retirer un joint. Six lames et accessoires fournis.',
     'electroportatif', 'la-fabrique', 'bon', NULL, NULL, 365, '2026-05-16', '2025-02-22'),
    ('FC-0010', NULL, 'Établi pliant', 'Wolfcraft',
     'Établi portable avec mâchoires de serrage intégrées, qui se plie pour entrer dans un coffre. Il supporte 200 kg.',
     'bricolage', 'la-fabrique', 'bon', NULL, NULL, NULL, NULL, '2024-05-18'),
    ('FC-0011', NULL, 'Coupe-carreaux manuel', 'Rubi',
     'Coupe carrelage et faïence jusqu''à 60 cm en coupe droite. Faites un essai sur une chute avant d''attaquer vos carreaux.',
     'bricolage', 'la-fabrique', 'bon', NULL, NULL, NULL, NULL, '2024-05-18'),
    ('FC-0012', NULL, 'Échelle télescopique 3,80 m', 'Telesteps',
     'Échelle en aluminium qui se déplie barreau par barreau et se range en 90 cm. Vérifiez le verrouillage de chaque barreau avant de monter.',
     'bricolage', 'la-fabrique', 'tres_bon', NULL, NULL, NULL, NULL, '2025-02-22'),
    ('FC-0013', NULL, 'Pince à riveter', 'Facom',
     'Riveteuse à main pour tôles, gouttières ou sacoches, avec une boîte de rivets aveugles de 3 à 5 mm.',
     'bricolage', 'la-fabrique', 'bon', NULL, NULL, NULL, NULL, '2024-05-18'),
    ('FC-0014', NULL, 'Mallette de clés à douille', 'Facom',
     'Cliquet 1/2 pouce, douilles de 10 à 32 mm, rallonges et cardan. Pour changer une roue ou démonter un vieux meuble métallique.',
     'bricolage', 'la-fabrique', 'correct', NULL, NULL, NULL, NULL, '2024-05-18'),
    ('FC-0015', NULL, 'Décapeur thermique', 'Steinel',
     'Décapeur 2 000 W avec buses plates et réflecteur, pour décaper une peinture ou cintrer un tuyau PVC. Posez-le toujours sur son pied : la buse reste brûlante.',
     'bricolage', 'la-fabrique', 'bon', NULL, NULL, 365, '2026-05-16', '2024-05-18'),
    ('FC-0016', NULL, 'Broyeur de végétaux', 'Viking',
     'Broyeur électrique pour branches jusqu''à 35 mm ; le broyat fait un excellent paillage. Réservation conseillée à l''automne, la saison des tailles.',
     'jardinage', 'la-fabrique', 'bon', 7, 80.00, 365, '2026-05-16', '2024-05-18'),
    ('FC-0017', NULL, 'Motobineuse', 'Pubert',
     'Motobineuse thermique quatre temps, largeur de travail 60 cm, pour ouvrir un nouveau potager. Prévoyez de l''essence sans plomb : le bidon n''est pas fourni.',
     'jardinage', 'la-fabrique', 'correct', 7, 100.00, 365, '2026-04-22', '2024-05-18'),
    ('FC-0018', NULL, 'Débroussailleuse sans fil', 'Stihl',
     'Débroussailleuse 36 V avec tête à fil, couteau trois dents et deux batteries. Harnais, lunettes et visière fournis.',
     'jardinage', 'la-fabrique', 'tres_bon', NULL, NULL, 365, '2026-05-16', '2025-02-22'),
    ('FC-0019', NULL, 'Scarificateur électrique', 'Gardena',
     'Scarificateur 1 400 W qui retire la mousse et le feutre de la pelouse. À passer au printemps ou en septembre, sur un gazon sec.',
     'jardinage', 'la-fabrique', 'bon', NULL, NULL, 365, '2025-12-12', '2025-02-22'),
    ('FC-0020', NULL, 'Nettoyeur haute pression', 'Kärcher',
     'Nettoyeur 130 bars avec lance rotative et brosse de terrasse. Sur le bois tendre, éloignez la lance pour ne pas strier les lames.',
     'nettoyage', 'la-fabrique', 'bon', NULL, NULL, 365, '2026-05-16', '2024-05-18'),
    ('FC-0021', NULL, 'Aspirateur eau et poussières', 'Nilfisk',
     'Aspirateur d''atelier de 25 litres pour gravats, sciure et eau. Il se branche sur la ponceuse ou la scie pour aspirer à la source.',
     'nettoyage', 'la-fabrique', 'correct', NULL, NULL, 365, '2026-05-16', '2024-05-18'),
    ('FC-0022', NULL, 'Tente de réception 3 x 6 m', NULL,
     'Barnum pliant avec quatre parois et lests, qui se monte à quatre en vingt minutes. Ne le laissez pas monté par vent fort.',
     'fete-reception', 'la-fabrique', 'bon', NULL, 100.00, NULL, NULL, '2024-05-18'),
    ('FC-0023', NULL, 'Lot de 6 tables pliantes', NULL,
     'Six tables de 180 x 75 cm qui se plient en valise, huit convives chacune. Les bancs se prêtent à part.',
     'fete-reception', 'la-fabrique', 'bon', NULL, NULL, NULL, NULL, '2024-05-18'),
    ('FC-0024', NULL, 'Enceinte de sonorisation sur batterie', 'JBL',
     'Enceinte 250 W avec micro sans fil et entrée Bluetooth, dix heures d''autonomie. Pour une fête de rue ou une assemblée générale en plein air.',
     'fete-reception', 'la-fabrique', 'tres_bon', NULL, 80.00, 365, '2026-05-16', '2025-02-22'),
    ('FC-0025', NULL, 'Percolateur 100 tasses', 'Bartscher',
     'Percolateur inox de 15 litres avec robinet, prêt en 45 minutes. Le filtre est réutilisable : prévoyez 500 g de café moulu.',
     'fete-reception', 'la-fabrique', 'bon', NULL, NULL, 365, '2026-05-16', '2024-05-18'),
    ('FC-0026', NULL, 'Machine à barbe à papa', NULL,
     'Machine de comptoir pour une fête d''école ou une kermesse, avec cent bâtonnets. Laissez-la chauffer cinq minutes avant de verser le sucre.',
     'fete-reception', 'la-fabrique', 'correct', NULL, NULL, 365, '2026-05-16', '2025-02-22'),
    ('FC-0027', NULL, 'Guirlande guinguette 20 m', NULL,
     'Guirlande de vingt ampoules LED pour l''extérieur, avec sa rallonge. Elle se raccorde à une deuxième guirlande.',
     'fete-reception', 'la-fabrique', 'bon', NULL, NULL, NULL, NULL, '2025-02-22'),
    ('FC-0028', NULL, 'Vélo cargo biporteur', 'Babboe',
     'Vélo cargo à assistance électrique avec caisse en bois, banquette et deux ceintures pour enfants. Un tour d''essai avec un bénévole est proposé au premier emprunt.',
     'mobilite-velo', 'la-fabrique', 'bon', 7, 200.00, 365, '2026-04-11', '2025-02-22'),
    ('FC-0029', NULL, 'Remorque vélo enfant', 'Thule',
     'Remorque deux places avec harnais, capote de pluie et kit poussette. Elle s''attache à l''axe de roue arrière de presque tous les vélos.',
     'mobilite-velo', 'la-fabrique', 'bon', NULL, NULL, NULL, NULL, '2025-02-22'),
    ('FC-0030', NULL, 'Pied d''atelier vélo', 'Park Tool',
     'Pied pliant qui tient le vélo en l''air pour régler freins et dérailleur. Sa pince convient aussi aux cadres en carbone.',
     'mobilite-velo', 'la-fabrique', 'bon', NULL, NULL, NULL, NULL, '2024-05-18'),
    ('FC-0031', NULL, 'Caisse à outils vélo', 'Park Tool',
     'Démonte-pneus, clés à rayons, dérive-chaîne, extracteur de cassette et clés Allen. L''inventaire est collé dans le couvercle.',
     'mobilite-velo', 'la-fabrique', 'correct', NULL, NULL, NULL, NULL, '2024-05-18'),
    ('FC-0032', NULL, 'Pressoir à fruits 20 L', NULL,
     'Pressoir à vis en bois et fonte pour faire son jus de pommes ou de raisin. À utiliser avec le broyeur à fruits ; rendez-le lavé à l''eau claire.',
     'cuisine', 'la-fabrique', 'bon', 7, NULL, NULL, NULL, '2025-09-13'),
    ('FC-0033', NULL, 'Broyeur à fruits', NULL,
     'Broyeur manuel à manivelle qui réduit les pommes en pulpe avant le pressage. Coupez les gros fruits en deux.',
     'cuisine', 'la-fabrique', 'correct', 7, NULL, NULL, NULL, '2025-09-13'),
    ('FC-0034', NULL, 'Jeux en bois géants (lot de 8)', NULL,
     'Puissance 4 géant, passe-trappe, jeu de la grenouille et cinq autres jeux en bois pour une fête de quartier. La caisse pèse 40 kg : venez en voiture.',
     'loisirs-jeux', 'la-fabrique', 'correct', NULL, NULL, NULL, NULL, '2024-05-18'),
    ('FC-0035', NULL, 'Détecteur de matériaux', 'Bosch',
     'Repère les métaux, les câbles sous tension et le bois dans les murs jusqu''à 12 cm. À passer avant chaque perçage dans une cloison inconnue.',
     'mesure', 'la-fabrique', 'bon', NULL, NULL, NULL, NULL, '2025-02-22'),

    -- Tiers-lieu Lakour (La Réunion)
    ('LK-0001', NULL, 'Perceuse-visseuse sans fil', 'Makita',
     'Perceuse-visseuse 18 V avec deux batteries et un coffret de forets béton. Rangez les batteries au sec : l''humidité des hauts les abîme.',
     'electroportatif', 'tiers-lieu-lakour', 'bon', NULL, NULL, 365, '2026-06-09', '2025-04-15'),
    ('LK-0002', NULL, 'Débroussailleuse thermique', 'Stihl',
     'Débroussailleuse deux temps avec tête à fil et lame, pour les talus et les abords de la case. Mélange essence-huile à 2 % ; harnais et visière fournis.',
     'jardinage', 'tiers-lieu-lakour', 'bon', NULL, 80.00, 365, '2026-06-09', '2025-04-15'),
    ('LK-0003', NULL, 'Scie sabre sans fil', 'Ryobi',
     'Scie sabre 18 V pour tronçonner les branches tombées après un cyclone ou une forte pluie. Lames bois et métal fournies.',
     'electroportatif', 'tiers-lieu-lakour', 'bon', NULL, NULL, 365, '2025-11-10', '2025-04-15'),
    ('LK-0004', NULL, 'Nettoyeur haute pression', 'Kärcher',
     'Nettoyeur 120 bars avec lance rotative, pour les dalles, la varangue et les murs noircis par l''humidité. Une rallonge de 10 m est dans le sac.',
     'nettoyage', 'tiers-lieu-lakour', 'correct', NULL, NULL, 365, '2026-06-09', '2025-04-15'),
    ('LK-0005', NULL, 'Grande marmite à cari 40 L avec réchaud', NULL,
     'Marmite en aluminium et réchaud à gaz pour préparer un cari ou un rougail saucisse pour soixante personnes. La bouteille de gaz n''est pas fournie.',
     'fete-reception', 'tiers-lieu-lakour', 'bon', NULL, NULL, NULL, NULL, '2025-04-15'),
    ('LK-0006', NULL, 'Barnum 3 x 3 m', NULL,
     'Tonnelle pliante avec sac de transport et quatre lests, pour un kabar ou un marché. Démontez-la dès que le vent se lève.',
     'fete-reception', 'tiers-lieu-lakour', 'bon', NULL, NULL, NULL, NULL, '2025-04-15')
  ) AS d(code, barcode, title, brand, description, category, place, condition,
         loan_days, deposit, safety_check_days, last_safety_check, acquired)
  JOIN tl.category k ON k.slug = d.category
  JOIN tl.place p ON p.slug = d.place
  JOIN tl.collection c ON c.place_id = p.id AND c.activity = 'outiltheque';

------------------------------------------------------------------------------
-- Members (fictional), only to own the demo loans
------------------------------------------------------------------------------
INSERT INTO tl.member (member_number, family_name, given_name, email, phone, birth_year, created_at)
SELECT d.member_number, d.family_name, d.given_name, d.email, d.phone, d.birth_year,
       (d.joined::timestamp + :shift * interval '1 day') AT TIME ZONE d.time_zone
  FROM (VALUES
    ('A-000123', 'Martin',   'Claire',    'claire.martin@example.org',    '06 12 34 56 78', 1984, '2024-09-21 10:40', 'Europe/Paris'),
    ('A-000187', 'Nguyen',   'Thomas',    'thomas.nguyen@example.org',    NULL,             1991, '2024-11-06 15:20', 'Europe/Paris'),
    ('A-000204', 'Lefèvre',  'Sophie',    'sophie.lefevre@example.org',   '06 98 76 54 32', 1972, '2025-01-18 11:05', 'Europe/Paris'),
    ('A-000251', 'Benali',   'Yasmine',   'yasmine.benali@example.org',   NULL,             1996, '2025-03-08 10:15', 'Europe/Paris'),
    ('A-000312', 'Rousseau', 'Pierre',    'pierre.rousseau@example.org',  '07 81 23 45 67', 1958, '2025-06-21 14:30', 'Europe/Paris'),
    ('A-000348', 'Moreau',   'Élise',     'elise.moreau@example.org',     NULL,             1989, '2025-09-13 16:00', 'Europe/Paris'),
    ('A-000405', 'Garnier',  'Lucas',     'lucas.garnier@example.org',    '06 45 67 89 01', 2001, '2026-02-07 10:50', 'Europe/Paris'),
    ('A-000433', 'Hoarau',   'Jean-Marc', 'jeanmarc.hoarau@example.org',  '0692 12 34 56',  1967, '2025-04-22 09:10', 'Indian/Reunion')
  ) AS d(member_number, family_name, given_name, email, phone, birth_year, joined, time_zone);

------------------------------------------------------------------------------
-- Loans: returned ones first, then the open ones (returned_at NULL).
-- Times are local to the item's place, during its opening hours.
------------------------------------------------------------------------------
INSERT INTO tl.booking (kind, item_id, member_id, starts_at, due_on, returned_at, renewals)
SELECT 'pret', i.id, m.id,
       (d.started::timestamp + :shift * interval '1 day') AT TIME ZONE p.time_zone,
       d.due_on::date + :shift,
       (d.returned::timestamp + :shift * interval '1 day') AT TIME ZONE p.time_zone,
       coalesce(d.renewals, 0)
  FROM (VALUES
    -- Returned in 2026
    ('OT-0014', 'A-000348', '2026-01-10 11:00', '2026-01-31', '2026-01-30 16:20', NULL),
    ('OT-0016', 'A-000187', '2026-01-16 17:00', '2026-02-06', '2026-01-20 14:10', NULL),
    ('OT-0025', 'A-000312', '2026-02-03 15:00', '2026-03-10', '2026-03-10 16:00', NULL),
    ('OT-0001', 'A-000405', '2026-03-14 10:15', '2026-03-21', '2026-03-20 17:05', NULL),
    ('OT-0009', 'A-000251', '2026-03-21 10:30', '2026-04-04', '2026-04-04 11:15', NULL),
    ('FC-0020', 'A-000123', '2026-04-18 10:30', '2026-04-25', '2026-04-25 11:00', NULL),
    ('FC-0017', 'A-000405', '2026-04-25 10:00', '2026-05-02', '2026-05-02 10:45', NULL),
    ('OT-0020', 'A-000204', '2026-05-06 14:15', '2026-06-03', '2026-06-03 10:40', NULL),
    ('FC-0028', 'A-000348', '2026-06-13 10:00', '2026-06-20', '2026-06-20 10:30', NULL),
    ('FC-0022', 'A-000204', '2026-06-20 10:00', '2026-06-27', '2026-06-24 14:30', NULL),
    ('OT-0029', 'A-000405', '2026-07-04 10:00', '2026-07-18', '2026-07-17 17:30', NULL),
    ('LK-0001', 'A-000433', '2026-08-11 09:30', '2026-08-18', '2026-08-18 10:00', NULL),
    ('FC-0016', 'A-000312', '2026-10-03 10:00', '2026-10-10', '2026-10-10 11:20', NULL),
    ('OT-0001', 'A-000312', '2026-10-07 14:30', '2026-10-14', '2026-10-14 15:00', NULL),
    -- Open on the reference day: on loan (due 8 days after it or later,
    -- some renewed once), then overdue (due before it).
    ('OT-0029', 'A-000312', '2026-11-03 17:20', '2026-12-01', NULL, 1),
    ('OT-0020', 'A-000204', '2026-11-05 15:10', '2026-12-03', NULL, 0),
    ('OT-0034', 'A-000123', '2026-11-07 14:30', '2026-12-05', NULL, 0),
    ('OT-0023', 'A-000187', '2026-11-14 11:00', '2026-12-05', NULL, 0),
    ('LK-0002', 'A-000433', '2026-11-17 09:00', '2026-12-01', NULL, 0),
    ('OT-0001', 'A-000123', '2026-11-18 10:30', '2026-12-02', NULL, 1),
    ('FC-0016', 'A-000405', '2026-11-18 14:20', '2026-12-02', NULL, 1),
    ('FC-0020', 'A-000405', '2026-11-19 18:15', '2026-12-03', NULL, 1),
    ('FC-0028', 'A-000251', '2026-11-21 10:20', '2026-12-05', NULL, 1),
    ('OT-0015', 'A-000348', '2026-10-22 16:45', '2026-11-12', NULL, 0),
    ('FC-0001', 'A-000187', '2026-11-07 10:40', '2026-11-14', NULL, 0),
    ('FC-0022', 'A-000312', '2026-11-07 11:30', '2026-11-14', NULL, 0)
  ) AS d(item, member, started, due_on, returned, renewals)
  JOIN tl.item i ON i.code = d.item
  JOIN tl.place p ON p.id = i.place_id
  JOIN tl.member m ON m.member_number = d.member;

-- Reservations made at the desk, for days after the reference week (from
-- the first day to the last, as tl.reserve writes them).
INSERT INTO tl.booking (kind, item_id, member_id, starts_at, ends_at)
SELECT 'reservation', i.id, m.id,
       (d.first_day::date + :shift)::timestamp AT TIME ZONE p.time_zone,
       (d.last_day::date + :shift + 1)::timestamp AT TIME ZONE p.time_zone
  FROM (VALUES
    ('OT-0024', 'A-000204', '2026-12-04', '2026-12-11'),
    ('FC-0023', 'A-000251', '2026-12-05', '2026-12-06')
  ) AS d(item, member, first_day, last_day)
  JOIN tl.item i ON i.code = d.item
  JOIN tl.place p ON p.id = i.place_id
  JOIN tl.member m ON m.member_number = d.member;

------------------------------------------------------------------------------
-- Maintenance: closed periods with the work done, then open ones on items
-- that are not on loan.
------------------------------------------------------------------------------
INSERT INTO tl.maintenance (item_id, started_at, ended_at, reason, work_done)
SELECT i.id,
       (d.started::timestamp + :shift * interval '1 day') AT TIME ZONE p.time_zone,
       (d.ended::timestamp + :shift * interval '1 day') AT TIME ZONE p.time_zone,
       d.reason, d.work_done
  FROM (VALUES
    ('FC-0017', '2026-04-08 15:00', '2026-04-22 18:00', 'Démarrage difficile',
     'Bougie et filtre à air changés, carburateur nettoyé, essai de démarrage concluant.'),
    ('OT-0002', '2026-06-02 14:00', '2026-06-09 15:00', 'Guide de lame bloqué',
     'Galet de guidage remplacé, mécanisme nettoyé et graissé.'),
    ('FC-0028', '2026-08-19 14:00', '2026-08-26 18:30', 'Freins qui frottent',
     'Plaquettes avant et arrière remplacées, câbles réglés, chaîne nettoyée et graissée.'),
    ('OT-0020', '2026-09-01 14:00', '2026-09-15 17:00', 'Tension du fil irrégulière',
     'Révision complète : griffes et boîte à canette nettoyées, tension réglée, aiguille changée.'),
    ('LK-0004', '2026-10-27 10:00', NULL, 'Flexible percé, pièce commandée', ''),
    ('OT-0004', '2026-11-04 11:00', NULL, 'Batterie à remplacer', ''),
    ('FC-0003', '2026-11-07 17:00', NULL, 'Charbons usés, le moteur broute', ''),
    ('OT-0010', '2026-11-14 16:30', NULL, 'Lame émoussée, affûtage', ''),
    ('FC-0021', '2026-11-19 20:00', NULL, 'Cordon d''alimentation abîmé, à remplacer', '')
  ) AS d(item, started, ended, reason, work_done)
  JOIN tl.item i ON i.code = d.item
  JOIN tl.place p ON p.id = i.place_id;

------------------------------------------------------------------------------
-- Grainothèque: species and varieties
------------------------------------------------------------------------------
INSERT INTO tl.seed_species (common_name, latin_name, family) VALUES
    ('Tomate',         'Solanum lycopersicum',  'Solanacées'),
    ('Poivron',        'Capsicum annuum',       'Solanacées'),
    ('Haricot',        'Phaseolus vulgaris',    'Fabacées'),
    ('Pois',           'Pisum sativum',         'Fabacées'),
    ('Fève',           'Vicia faba',            'Fabacées'),
    ('Courge musquée', 'Cucurbita moschata',    'Cucurbitacées'),
    ('Potiron',        'Cucurbita maxima',      'Cucurbitacées'),
    ('Courgette',      'Cucurbita pepo',        'Cucurbitacées'),
    ('Laitue',         'Lactuca sativa',        'Astéracées'),
    ('Radis',          'Raphanus sativus',      'Brassicacées'),
    ('Carotte',        'Daucus carota',         'Apiacées'),
    ('Betterave',      'Beta vulgaris',         'Amaranthacées'),
    ('Épinard',        'Spinacia oleracea',     'Amaranthacées'),
    ('Oignon',         'Allium cepa',           'Amaryllidacées'),
    ('Basilic',        'Ocimum basilicum',      'Lamiacées'),
    ('Souci',          'Calendula officinalis', 'Astéracées'),
    ('Capucine',       'Tropaeolum majus',      'Tropéolacées'),
    ('Tournesol',      'Helianthus annuus',     'Astéracées');

INSERT INTO tl.seed_variety (species_id, name, description, sowing)
SELECT s.id, d.name, d.description, d.sowing
  FROM (VALUES
    ('Tomate', 'Cœur de bœuf',
     'Gros fruits côtelés en forme de cœur, à la chair dense et pauvre en graines. À tuteurer solidement.',
     'mars à avril, sous abri chauffé'),
    ('Tomate', 'Noire de Crimée',
     'Fruits ronds rouge sombre aux épaules vertes, très parfumés. Supporte bien la chaleur.',
     'mars à avril, sous abri'),
    ('Tomate', 'Rose de Berne',
     'Tomate ronde et rose, fine de peau et très sucrée. Précoce et régulière, idéale pour débuter.',
     'mars à avril, sous abri'),
    ('Tomate', 'Green Zebra',
     'Petits fruits verts striés de jaune, à la saveur acidulée. Se cueille quand le fruit devient souple.',
     'mars à avril, sous abri'),
    ('Tomate', 'Marmande',
     'Classique côtelée et précoce, productive même lors des étés frais.',
     'février à avril, sous abri'),
    ('Tomate', 'Poire jaune',
     'Tomate cocktail en forme de petite poire jaune, très productive. Les enfants la grignotent au jardin.',
     'mars à avril, sous abri'),
    ('Poivron', 'Doux d''Espagne',
     'Poivron long et rouge à chair épaisse. Il lui faut un été chaud ou une serre.',
     'février à mars, au chaud'),
    ('Poivron', 'Corne de taureau rouge',
     'Fruits longs et pointus, doux et sucrés, délicieux grillés.',
     'février à mars, au chaud'),
    ('Haricot', 'Coco de Paimpol',
     'Haricot à écosser demi-sec aux grains blancs fondants. Se cuisine frais de fin juillet à septembre.',
     'mai à juin, en pleine terre'),
    ('Haricot', 'Beurre de Rocquencourt',
     'Haricot nain mangetout à gousses jaunes sans fil. Rustique et précoce.',
     'mai à juillet, en pleine terre'),
    ('Haricot', 'Soissons à rames',
     'Haricot grimpant aux gros grains blancs et plats, à récolter secs pour l''hiver.',
     'mai à juin, en pleine terre, avec rames'),
    ('Pois', 'Petit provençal',
     'Pois à écosser nain et précoce, sans rames. Ses grains sucrés se cueillent jeunes.',
     'février à avril, en pleine terre'),
    ('Pois', 'Carouby de Maussane',
     'Pois mangetout grimpant aux fleurs violettes et aux larges cosses tendres.',
     'mars à avril, avec rames de 1,50 m'),
    ('Fève', 'Aguadulce',
     'Fève à longues cosses, rustique, qui se sème à l''automne là où l''hiver est doux.',
     'octobre à novembre ou février à mars'),
    ('Courge musquée', 'Butternut',
     'Courge en forme de poire à chair orange, douce et sans fibres. Se garde tout l''hiver dans une pièce fraîche.',
     'avril à mai, en godets sous abri'),
    ('Courge musquée', 'Muscade de Provence',
     'Grosse courge côtelée à chair orange foncé, très parfumée. Elle demande chaleur et espace.',
     'avril à mai, en godets sous abri'),
    ('Potiron', 'Potimarron Red Kuri',
     'Petit fruit rouge orangé au goût de châtaigne, dont la peau se mange cuite. Très bonne conservation.',
     'avril à mai, en godets puis en pleine terre'),
    ('Potiron', 'Rouge vif d''Étampes',
     'Gros potiron aplati rouge vif, parfait en soupe. Il lui faut beaucoup de place et de compost.',
     'avril à mai, en godets puis en pleine terre'),
    ('Potiron', 'Galeux d''Eysines',
     'Potiron rose saumon couvert de verrues, à la chair sucrée. Superbe en velouté.',
     'avril à mai, en godets puis en pleine terre'),
    ('Courgette', 'Verte des maraîchers',
     'Courgette longue vert foncé, très productive. Récoltez-la jeune, vers 20 cm.',
     'avril à juin, en godets ou en place'),
    ('Courgette', 'Ronde de Nice',
     'Courgette ronde vert clair, idéale farcie. Cueillez-la à la taille d''une orange.',
     'avril à juin, en godets ou en place'),
    ('Laitue', 'Merveille des quatre saisons',
     'Laitue pommée aux feuilles teintées de rouge, cultivable presque toute l''année.',
     'février à septembre'),
    ('Laitue', 'Reine de mai',
     'Laitue de printemps très précoce, à la pomme tendre et beurrée.',
     'février à avril, sous abri puis en pleine terre'),
    ('Laitue', 'Feuille de chêne blonde',
     'Laitue à couper aux feuilles découpées, qui repousse après la récolte et monte peu en graines.',
     'mars à août, en pleine terre'),
    ('Radis', 'Radis de 18 jours',
     'Radis demi-long rose à bout blanc, prêt en moins de trois semaines.',
     'mars à septembre, en pleine terre'),
    ('Radis', 'Cherry Belle',
     'Radis rond rouge vif, croquant et peu piquant.',
     'mars à septembre, en pleine terre'),
    ('Radis', 'Noir gros rond d''hiver',
     'Radis noir à chair blanche et piquante, qui se conserve en cave. Semé l''été, il se récolte à l''automne.',
     'juillet à août, en pleine terre'),
    ('Carotte', 'Nantaise améliorée',
     'Carotte cylindrique à bout rond, sucrée et sans cœur. Semez clair en sol léger.',
     'mars à juillet, en pleine terre'),
    ('Carotte', 'Jaune du Doubs',
     'Carotte ancienne jaune, longue et rustique, excellente en potage.',
     'avril à juin, en pleine terre'),
    ('Betterave', 'Crapaudine',
     'Betterave longue à peau rugueuse et chair rouge très sucrée, l''une des plus anciennes variétés.',
     'avril à juin, en pleine terre'),
    ('Betterave', 'Chioggia',
     'Betterave ronde à chair zébrée de rose et de blanc, jolie crue en fines lamelles.',
     'avril à juin, en pleine terre'),
    ('Épinard', 'Géant d''hiver',
     'Épinard rustique à larges feuilles, pour les semis de fin d''été.',
     'août à octobre, en pleine terre'),
    ('Oignon', 'Jaune paille des Vertus',
     'Oignon jaune de garde, rond et aplati, qui se conserve jusqu''au printemps.',
     'février à mars, en pleine terre'),
    ('Oignon', 'Rouge pâle de Niort',
     'Oignon rosé et doux, excellent cru en salade.',
     'février à mars, en pleine terre'),
    ('Basilic', 'Grand vert',
     'Basilic à grandes feuilles très aromatiques, le préféré pour le pistou.',
     'avril à juin, au chaud'),
    ('Basilic', 'Fin vert nain',
     'Basilic compact à petites feuilles, parfait en pot sur le rebord d''une fenêtre.',
     'avril à juin, au chaud'),
    ('Souci', 'Orange simple',
     'Fleur comestible qui attire les auxiliaires au potager et se ressème toute seule.',
     'mars à mai, en place'),
    ('Capucine', 'Grande capucine grimpante',
     'Fleurs et feuilles comestibles au goût poivré ; elle attire les pucerons loin des légumes.',
     'avril à juin, en place'),
    ('Tournesol', 'Géant de Russie',
     'Tige jusqu''à 3 m et une seule grosse fleur, dont les graines nourrissent les oiseaux l''hiver.',
     'avril à mai, en place')
  ) AS d(species, name, description, sowing)
  JOIN tl.seed_species s ON s.common_name = d.species;

------------------------------------------------------------------------------
-- Grainothèque: lots, each with its deposit. A lot is identified here by
-- variety, place and harvest year (unique in this demo).
------------------------------------------------------------------------------
WITH d(species, variety, place, harvest_year, grower, packets, deposited) AS (VALUES
    -- Grainothèque des Semeurs du Val, at the mediathèque
    ('Tomate', 'Cœur de bœuf', 'mediatheque-jules-verne', 2025, 'Jardin partagé des Tilleuls', 30, '2026-02-14 10:30'),
    ('Tomate', 'Cœur de bœuf', 'mediatheque-jules-verne', 2024, NULL, 20, '2025-02-15 10:30'),
    ('Tomate', 'Noire de Crimée', 'mediatheque-jules-verne', 2025, NULL, 25, '2026-02-14 10:45'),
    ('Tomate', 'Rose de Berne', 'mediatheque-jules-verne', 2025, 'Jardin partagé des Tilleuls', 20, '2026-02-14 10:50'),
    ('Tomate', 'Rose de Berne', 'mediatheque-jules-verne', 2023, NULL, 15, '2024-02-17 11:00'),
    ('Tomate', 'Green Zebra', 'mediatheque-jules-verne', 2024, NULL, 12, '2025-02-15 11:10'),
    ('Tomate', 'Marmande', 'mediatheque-jules-verne', 2026, 'Jardin partagé des Tilleuls', 40, '2026-10-10 10:30'),
    ('Tomate', 'Poire jaune', 'mediatheque-jules-verne', 2025, NULL, 18, '2026-02-14 11:15'),
    ('Haricot', 'Coco de Paimpol', 'mediatheque-jules-verne', 2025, NULL, 30, '2026-02-14 11:30'),
    ('Haricot', 'Coco de Paimpol', 'mediatheque-jules-verne', 2026, 'Potager de l''école Jean-Moulin', 25, '2026-10-10 10:45'),
    ('Haricot', 'Beurre de Rocquencourt', 'mediatheque-jules-verne', 2024, NULL, 20, '2025-02-15 11:30'),
    ('Haricot', 'Soissons à rames', 'mediatheque-jules-verne', 2023, NULL, 10, '2024-02-17 11:20'),
    ('Courge musquée', 'Butternut', 'mediatheque-jules-verne', 2025, NULL, 24, '2026-02-14 11:45'),
    ('Courge musquée', 'Muscade de Provence', 'mediatheque-jules-verne', 2024, NULL, 10, '2025-02-15 11:45'),
    ('Potiron', 'Potimarron Red Kuri', 'mediatheque-jules-verne', 2025, 'Jardin partagé des Tilleuls', 30, '2026-02-14 12:00'),
    ('Potiron', 'Galeux d''Eysines', 'mediatheque-jules-verne', 2026, NULL, 15, '2026-10-10 11:00'),
    ('Courgette', 'Verte des maraîchers', 'mediatheque-jules-verne', 2025, NULL, 20, '2026-02-14 12:10'),
    ('Courgette', 'Ronde de Nice', 'mediatheque-jules-verne', 2024, NULL, 12, '2025-02-15 12:00'),
    ('Laitue', 'Merveille des quatre saisons', 'mediatheque-jules-verne', 2025, NULL, 35, '2026-02-14 14:00'),
    ('Laitue', 'Merveille des quatre saisons', 'mediatheque-jules-verne', 2026, NULL, 20, '2026-10-10 11:15'),
    ('Laitue', 'Reine de mai', 'mediatheque-jules-verne', 2025, NULL, 15, '2026-02-14 14:10'),
    ('Laitue', 'Feuille de chêne blonde', 'mediatheque-jules-verne', 2024, NULL, 18, '2025-02-15 14:00'),
    ('Radis', 'Radis de 18 jours', 'mediatheque-jules-verne', 2025, NULL, 40, '2026-02-14 14:20'),
    ('Radis', 'Noir gros rond d''hiver', 'mediatheque-jules-verne', 2025, NULL, 12, '2026-02-14 14:30'),
    ('Pois', 'Petit provençal', 'mediatheque-jules-verne', 2025, NULL, 20, '2026-02-14 14:40'),
    ('Pois', 'Carouby de Maussane', 'mediatheque-jules-verne', 2024, 'Jardin partagé des Tilleuls', 14, '2025-02-15 14:15'),
    ('Fève', 'Aguadulce', 'mediatheque-jules-verne', 2026, NULL, 20, '2026-10-10 11:30'),
    ('Carotte', 'Nantaise améliorée', 'mediatheque-jules-verne', 2025, NULL, 25, '2026-02-14 14:50'),
    ('Carotte', 'Jaune du Doubs', 'mediatheque-jules-verne', 2023, NULL, 8, '2024-02-17 14:00'),
    ('Betterave', 'Crapaudine', 'mediatheque-jules-verne', 2025, NULL, 15, '2026-02-14 15:00'),
    ('Betterave', 'Chioggia', 'mediatheque-jules-verne', 2024, NULL, 10, '2025-02-15 14:30'),
    ('Poivron', 'Doux d''Espagne', 'mediatheque-jules-verne', 2025, NULL, 12, '2026-02-14 15:10'),
    ('Poivron', 'Corne de taureau rouge', 'mediatheque-jules-verne', 2022, NULL, 10, '2023-02-18 10:30'),
    ('Basilic', 'Grand vert', 'mediatheque-jules-verne', 2025, NULL, 20, '2026-02-14 15:20'),
    ('Oignon', 'Jaune paille des Vertus', 'mediatheque-jules-verne', 2025, NULL, 15, '2026-02-14 15:30'),
    ('Épinard', 'Géant d''hiver', 'mediatheque-jules-verne', 2026, NULL, 18, '2026-10-10 11:45'),
    -- Petite grainothèque de La Fabrique
    ('Tomate', 'Noire de Crimée', 'la-fabrique', 2026, 'Jardin de la Fabrique', 15, '2026-10-03 11:00'),
    ('Tomate', 'Cœur de bœuf', 'la-fabrique', 2025, NULL, 10, '2026-03-07 11:00'),
    ('Radis', 'Cherry Belle', 'la-fabrique', 2025, NULL, 20, '2026-03-07 11:10'),
    ('Laitue', 'Feuille de chêne blonde', 'la-fabrique', 2025, NULL, 12, '2026-03-07 11:20'),
    ('Potiron', 'Rouge vif d''Étampes', 'la-fabrique', 2025, NULL, 10, '2026-03-07 11:30'),
    ('Potiron', 'Potimarron Red Kuri', 'la-fabrique', 2026, 'Jardin de la Fabrique', 12, '2026-10-03 11:10'),
    ('Courgette', 'Verte des maraîchers', 'la-fabrique', 2026, NULL, 10, '2026-10-03 11:20'),
    ('Basilic', 'Fin vert nain', 'la-fabrique', 2025, NULL, 10, '2026-03-07 11:40'),
    ('Souci', 'Orange simple', 'la-fabrique', 2025, 'Jardin de la Fabrique', 25, '2026-03-07 11:50'),
    ('Capucine', 'Grande capucine grimpante', 'la-fabrique', 2025, NULL, 15, '2026-03-07 12:00'),
    ('Tournesol', 'Géant de Russie', 'la-fabrique', 2024, NULL, 10, '2025-03-08 11:00'),
    ('Oignon', 'Rouge pâle de Niort', 'la-fabrique', 2024, NULL, 8, '2025-03-08 11:10'),
    ('Haricot', 'Beurre de Rocquencourt', 'la-fabrique', 2025, NULL, 12, '2026-03-07 12:10'),
    ('Betterave', 'Chioggia', 'la-fabrique', 2025, NULL, 10, '2026-03-07 12:20'),
    ('Pois', 'Petit provençal', 'la-fabrique', 2022, NULL, 6, '2023-03-04 11:00')
), lot AS (
    INSERT INTO tl.seed_lot (variety_id, collection_id, place_id, harvest_year, grower, created_at)
    SELECT v.id, c.id, p.id, d.harvest_year + :years, d.grower,
           (d.deposited::timestamp + :shift * interval '1 day') AT TIME ZONE p.time_zone
      FROM d
      JOIN tl.seed_species s ON s.common_name = d.species
      JOIN tl.seed_variety v ON v.species_id = s.id AND v.name = d.variety
      JOIN tl.place p ON p.slug = d.place
      JOIN tl.collection c ON c.place_id = p.id AND c.activity = 'grainotheque'
    RETURNING id, variety_id, place_id, harvest_year, created_at
)
INSERT INTO tl.seed_movement (lot_id, kind, packets, at)
SELECT lot.id, 'depot', d.packets, lot.created_at
  FROM lot
  JOIN tl.seed_variety v ON v.id = lot.variety_id
  JOIN tl.seed_species s ON s.id = v.species_id
  JOIN tl.place p ON p.id = lot.place_id
  JOIN d ON d.species = s.common_name AND d.variety = v.name AND d.place = p.slug
        AND d.harvest_year + :years = lot.harvest_year;

-- Withdrawals, mostly at sowing time. Some lots are emptied.
INSERT INTO tl.seed_movement (lot_id, kind, packets, at)
SELECT l.id, 'retrait', d.packets, (d.taken::timestamp + :shift * interval '1 day') AT TIME ZONE p.time_zone
  FROM (VALUES
    ('Tomate', 'Cœur de bœuf', 'mediatheque-jules-verne', 2025, 6, '2026-03-14 10:40'),
    ('Tomate', 'Cœur de bœuf', 'mediatheque-jules-verne', 2025, 5, '2026-03-28 11:20'),
    ('Tomate', 'Cœur de bœuf', 'mediatheque-jules-verne', 2025, 4, '2026-04-11 15:30'),
    ('Tomate', 'Cœur de bœuf', 'mediatheque-jules-verne', 2024, 8, '2025-03-08 10:20'),
    ('Tomate', 'Cœur de bœuf', 'mediatheque-jules-verne', 2024, 7, '2025-04-05 14:45'),
    ('Tomate', 'Cœur de bœuf', 'mediatheque-jules-verne', 2024, 5, '2026-03-14 10:50'),
    ('Tomate', 'Noire de Crimée', 'mediatheque-jules-verne', 2025, 5, '2026-03-14 11:00'),
    ('Tomate', 'Noire de Crimée', 'mediatheque-jules-verne', 2025, 3, '2026-04-04 16:10'),
    ('Tomate', 'Rose de Berne', 'mediatheque-jules-verne', 2025, 4, '2026-03-21 10:30'),
    ('Tomate', 'Rose de Berne', 'mediatheque-jules-verne', 2023, 6, '2024-03-09 10:15'),
    ('Tomate', 'Rose de Berne', 'mediatheque-jules-verne', 2023, 5, '2025-03-08 11:00'),
    ('Tomate', 'Rose de Berne', 'mediatheque-jules-verne', 2023, 4, '2026-03-07 14:20'),
    ('Tomate', 'Green Zebra', 'mediatheque-jules-verne', 2024, 3, '2025-03-15 10:40'),
    ('Tomate', 'Green Zebra', 'mediatheque-jules-verne', 2024, 2, '2026-03-21 11:10'),
    ('Tomate', 'Marmande', 'mediatheque-jules-verne', 2026, 2, '2026-11-07 15:00'),
    ('Tomate', 'Poire jaune', 'mediatheque-jules-verne', 2025, 5, '2026-03-28 10:50'),
    ('Haricot', 'Coco de Paimpol', 'mediatheque-jules-verne', 2025, 6, '2026-04-25 11:00'),
    ('Haricot', 'Coco de Paimpol', 'mediatheque-jules-verne', 2025, 8, '2026-05-09 10:30'),
    ('Haricot', 'Beurre de Rocquencourt', 'mediatheque-jules-verne', 2024, 6, '2025-05-03 10:20'),
    ('Haricot', 'Beurre de Rocquencourt', 'mediatheque-jules-verne', 2024, 4, '2026-05-09 10:40'),
    ('Haricot', 'Soissons à rames', 'mediatheque-jules-verne', 2023, 3, '2024-05-04 11:00'),
    ('Haricot', 'Soissons à rames', 'mediatheque-jules-verne', 2023, 2, '2025-05-03 11:15'),
    ('Courge musquée', 'Butternut', 'mediatheque-jules-verne', 2025, 5, '2026-04-18 10:30'),
    ('Courge musquée', 'Muscade de Provence', 'mediatheque-jules-verne', 2024, 4, '2025-04-12 10:30'),
    ('Courge musquée', 'Muscade de Provence', 'mediatheque-jules-verne', 2024, 3, '2025-05-03 11:30'),
    ('Courge musquée', 'Muscade de Provence', 'mediatheque-jules-verne', 2024, 3, '2026-04-18 10:45'),
    ('Potiron', 'Potimarron Red Kuri', 'mediatheque-jules-verne', 2025, 7, '2026-04-18 11:00'),
    ('Potiron', 'Potimarron Red Kuri', 'mediatheque-jules-verne', 2025, 5, '2026-05-02 14:30'),
    ('Courgette', 'Verte des maraîchers', 'mediatheque-jules-verne', 2025, 6, '2026-04-25 11:20'),
    ('Courgette', 'Ronde de Nice', 'mediatheque-jules-verne', 2024, 3, '2025-04-26 10:30'),
    ('Laitue', 'Merveille des quatre saisons', 'mediatheque-jules-verne', 2025, 6, '2026-03-07 10:30'),
    ('Laitue', 'Merveille des quatre saisons', 'mediatheque-jules-verne', 2025, 5, '2026-04-04 11:00'),
    ('Laitue', 'Merveille des quatre saisons', 'mediatheque-jules-verne', 2025, 4, '2026-09-05 10:30'),
    ('Laitue', 'Merveille des quatre saisons', 'mediatheque-jules-verne', 2026, 3, '2026-11-07 15:10'),
    ('Laitue', 'Reine de mai', 'mediatheque-jules-verne', 2025, 4, '2026-02-28 10:30'),
    ('Laitue', 'Feuille de chêne blonde', 'mediatheque-jules-verne', 2024, 5, '2025-03-15 11:00'),
    ('Radis', 'Radis de 18 jours', 'mediatheque-jules-verne', 2025, 8, '2026-03-07 10:40'),
    ('Radis', 'Radis de 18 jours', 'mediatheque-jules-verne', 2025, 6, '2026-04-11 11:00'),
    ('Radis', 'Radis de 18 jours', 'mediatheque-jules-verne', 2025, 5, '2026-06-06 10:30'),
    ('Radis', 'Noir gros rond d''hiver', 'mediatheque-jules-verne', 2025, 4, '2026-07-04 11:00'),
    ('Pois', 'Petit provençal', 'mediatheque-jules-verne', 2025, 5, '2026-02-28 10:45'),
    ('Pois', 'Carouby de Maussane', 'mediatheque-jules-verne', 2024, 4, '2025-03-22 10:30'),
    ('Pois', 'Carouby de Maussane', 'mediatheque-jules-verne', 2024, 3, '2026-03-21 11:30'),
    ('Fève', 'Aguadulce', 'mediatheque-jules-verne', 2026, 6, '2026-10-24 10:30'),
    ('Fève', 'Aguadulce', 'mediatheque-jules-verne', 2026, 4, '2026-11-07 15:20'),
    ('Carotte', 'Nantaise améliorée', 'mediatheque-jules-verne', 2025, 5, '2026-03-21 11:40'),
    ('Carotte', 'Nantaise améliorée', 'mediatheque-jules-verne', 2025, 3, '2026-05-16 10:30'),
    ('Carotte', 'Jaune du Doubs', 'mediatheque-jules-verne', 2023, 2, '2024-04-06 11:00'),
    ('Betterave', 'Crapaudine', 'mediatheque-jules-verne', 2025, 3, '2026-04-25 11:30'),
    ('Betterave', 'Chioggia', 'mediatheque-jules-verne', 2024, 6, '2025-04-26 10:45'),
    ('Betterave', 'Chioggia', 'mediatheque-jules-verne', 2024, 4, '2026-04-11 11:20'),
    ('Poivron', 'Doux d''Espagne', 'mediatheque-jules-verne', 2025, 4, '2026-02-28 11:00'),
    ('Poivron', 'Corne de taureau rouge', 'mediatheque-jules-verne', 2022, 2, '2023-03-04 10:30'),
    ('Basilic', 'Grand vert', 'mediatheque-jules-verne', 2025, 6, '2026-04-18 11:20'),
    ('Oignon', 'Jaune paille des Vertus', 'mediatheque-jules-verne', 2025, 3, '2026-02-28 11:15'),
    ('Épinard', 'Géant d''hiver', 'mediatheque-jules-verne', 2026, 5, '2026-10-24 10:45'),
    ('Tomate', 'Cœur de bœuf', 'la-fabrique', 2025, 4, '2026-03-14 11:00'),
    ('Tomate', 'Cœur de bœuf', 'la-fabrique', 2025, 6, '2026-04-04 15:00'),
    ('Radis', 'Cherry Belle', 'la-fabrique', 2025, 5, '2026-03-21 11:00'),
    ('Laitue', 'Feuille de chêne blonde', 'la-fabrique', 2025, 3, '2026-04-04 15:20'),
    ('Potiron', 'Rouge vif d''Étampes', 'la-fabrique', 2025, 2, '2026-04-25 12:00'),
    ('Basilic', 'Fin vert nain', 'la-fabrique', 2025, 3, '2026-05-02 11:30'),
    ('Souci', 'Orange simple', 'la-fabrique', 2025, 5, '2026-04-04 16:00'),
    ('Capucine', 'Grande capucine grimpante', 'la-fabrique', 2025, 4, '2026-04-25 12:10'),
    ('Tournesol', 'Géant de Russie', 'la-fabrique', 2024, 6, '2025-04-12 11:00'),
    ('Tournesol', 'Géant de Russie', 'la-fabrique', 2024, 4, '2026-04-18 11:30'),
    ('Oignon', 'Rouge pâle de Niort', 'la-fabrique', 2024, 2, '2025-03-08 12:00'),
    ('Haricot', 'Beurre de Rocquencourt', 'la-fabrique', 2025, 5, '2026-05-09 11:00'),
    ('Betterave', 'Chioggia', 'la-fabrique', 2025, 2, '2026-04-25 12:20'),
    ('Pois', 'Petit provençal', 'la-fabrique', 2022, 2, '2023-03-11 11:00'),
    ('Pois', 'Petit provençal', 'la-fabrique', 2022, 2, '2024-03-09 11:30')
  ) AS d(species, variety, place, harvest_year, packets, taken)
  JOIN tl.seed_species s ON s.common_name = d.species
  JOIN tl.seed_variety v ON v.species_id = s.id AND v.name = d.variety
  JOIN tl.place p ON p.slug = d.place
  JOIN tl.seed_lot l ON l.variety_id = v.id AND l.place_id = p.id AND l.harvest_year = d.harvest_year + :years;

------------------------------------------------------------------------------
-- A kit: the screwdriver case is lent as one and checked in piece by piece
-- (sql/schema/005); a piece missing at its return sends it to maintenance.
------------------------------------------------------------------------------
INSERT INTO tl.item_component (item_id, name, quantity, position)
SELECT i.id, d.name, d.quantity, d.position
  FROM (VALUES
    ('Tournevis plats (3, 5,5 et 8 mm)', 3, 1),
    ('Tournevis cruciformes PH1 et PH2', 2, 2),
    ('Embouts Torx et Pozidriv', 20, 3),
    ('Porte-embout magnétique', 1, 4)
  ) AS d(name, quantity, position)
  JOIN tl.item i ON i.code = 'OT-0006';

------------------------------------------------------------------------------
-- A transfer in progress (sql/schema/006): La Fabrique's fruit press,
-- reserved to be collected at the médiathèque in two days, left La Fabrique
-- yesterday and is on its way (dates from the day the demo is loaded).
------------------------------------------------------------------------------
INSERT INTO tl.booking (kind, item_id, member_id, starts_at, ends_at, pickup_place_id)
SELECT 'reservation', i.id, m.id,
       ((now() AT TIME ZONE p.time_zone)::date + 2)::timestamp AT TIME ZONE p.time_zone,
       ((now() AT TIME ZONE p.time_zone)::date + 5)::timestamp AT TIME ZONE p.time_zone,
       a.id
  FROM tl.item i JOIN tl.place p ON p.id = i.place_id, tl.member m, tl.place a
 WHERE i.code = 'FC-0032' AND m.member_number = 'A-000251' AND a.slug = 'mediatheque-jules-verne';

INSERT INTO tl.item_movement (item_id, from_place_id, to_place_id, reason, booking_id, created_at, created_by,
                              sent_at, sent_by)
SELECT b.item_id, i.place_id, b.pickup_place_id, 'reservation', b.id, now() - interval '2 days', NULL,
       now() - interval '1 day', NULL
  FROM tl.booking b JOIN tl.item i ON i.id = b.item_id
 WHERE i.code = 'FC-0032' AND b.kind = 'reservation';
-- Who logged and sent it: La Fabrique's référente (sql/demo/accounts.sql).

------------------------------------------------------------------------------
-- Documents (sql/schema/008): a notice of the hammer drill written by two
-- members over two versions, one of the variety « Cœur de bœuf », and the
-- drill's manuals: a safety sheet in PDF (written below as the PDF's own
-- text, all ASCII, so that it reads here) and a link.
------------------------------------------------------------------------------
INSERT INTO tl.notice (item_id, created_at)
SELECT i.id, (date '2026-10-02' + :shift + time '18:20') AT TIME ZONE p.time_zone
  FROM tl.item i JOIN tl.place p ON p.id = i.place_id WHERE i.code = 'OT-0001';
INSERT INTO tl.notice_version (notice_id, version, body, summary, author_member_id, author_name, created_at)
SELECT n.id, d.version, d.body, d.summary, m.id, d.author,
       (d.written::timestamp + :shift * interval '1 day') AT TIME ZONE p.time_zone
  FROM (VALUES
    (1, 'Serrer le foret à la main dans le mandrin, puis donner un petit coup de gâchette pour vérifier qu''il tourne rond.

Percussion (le marteau sur la bague) pour le béton et la brique seulement. Pour le bois, le métal et le carrelage, mode perçage simple.

Lunettes de protection toujours ; un masque pour percer le plâtre.', '', 'A-000123', 'Claire', '2026-10-02 18:20'),
    (2, 'Serrer le foret à la main dans le mandrin, puis donner un petit coup de gâchette pour vérifier qu''il tourne rond.

Percussion (le marteau sur la bague) pour le béton et la brique seulement. Pour le bois, le métal et le carrelage, mode perçage simple : la percussion fait éclater les carreaux.

Pour percer du carrelage : un morceau de ruban de masquage sur le point à percer, un foret à carrelage, vitesse lente.

Lunettes de protection toujours ; un masque pour percer le plâtre.', 'Astuce du ruban de masquage pour le carrelage', 'A-000312', 'Pierre', '2026-10-20 20:05')
  ) AS d(version, body, summary, member, author, written)
  JOIN tl.member m ON m.member_number = d.member
  CROSS JOIN tl.notice n JOIN tl.item i ON i.id = n.item_id AND i.code = 'OT-0001'
  JOIN tl.place p ON p.id = i.place_id;

INSERT INTO tl.notice (variety_id, created_at)
SELECT v.id, (date '2026-09-12' + :shift + time '10:00') AT TIME ZONE 'Europe/Paris'
  FROM tl.seed_variety v JOIN tl.seed_species s ON s.id = v.species_id
 WHERE s.common_name = 'Tomate' AND v.name = 'Cœur de bœuf';
INSERT INTO tl.notice_version (notice_id, version, body, author_member_id, author_name, created_at)
SELECT n.id, 1, 'Choisir deux ou trois beaux fruits bien mûrs, sur des pieds sains, et les laisser finir de mûrir.

Prélever les graines avec leur jus dans un bocal, couvrir d''un linge et laisser fermenter trois jours : la pellicule qui entoure les graines s''en va.

Rincer dans une passoire fine, étaler sur une assiette (pas sur du papier, elles colleraient), sécher une semaine à l''ombre.

Mettre en sachet avec le nom de la variété et l''année : elles se gardent quatre ans au sec et au frais.',
       m.id, 'Claire', (date '2026-09-12' + :shift + time '10:00') AT TIME ZONE 'Europe/Paris'
  FROM tl.notice n JOIN tl.seed_variety v ON v.id = n.variety_id JOIN tl.seed_species s ON s.id = v.species_id
  JOIN tl.member m ON m.member_number = 'A-000123'
 WHERE s.common_name = 'Tomate' AND v.name = 'Cœur de bœuf';

INSERT INTO tl.item_manual (item_id, title, url, pdf, pdf_sha256)
SELECT i.id, d.title, d.url, d.pdf, encode(sha256(d.pdf), 'hex')
  FROM (VALUES
    ('Fiche de sécurité du réseau', NULL, convert_to('%PDF-1.4
1 0 obj
<< /Type /Catalog /Pages 2 0 R >>
endobj
2 0 obj
<< /Type /Pages /Kids [3 0 R] /Count 1 >>
endobj
3 0 obj
<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> >>
endobj
4 0 obj
<< /Length 756 >>
stream
BT
/F2 16 Tf 1 0 0 1 56 760 Tm (Perceuse \340 percussion OT-0001 : fiche de s\351curit\351) Tj
/F1 11 Tf 1 0 0 1 56 730 Tm (R\351seau des lieux partag\351s de Saint-Aubin - document de d\351monstration) Tj
/F1 11 Tf 1 0 0 1 56 708 Tm (1. Avant usage : c\342ble et prise intacts, m\350che serr\351e dans le mandrin.) Tj
/F1 11 Tf 1 0 0 1 56 686 Tm (2. Porter des lunettes de protection ; attacher les cheveux longs.) Tj
/F1 11 Tf 1 0 0 1 56 664 Tm (3. Percussion pour le b\351ton et la brique seulement, jamais pour le carrelage.) Tj
/F1 11 Tf 1 0 0 1 56 642 Tm (4. D\351brancher avant de changer de m\350che ; laisser refroidir le foret.) Tj
/F1 11 Tf 1 0 0 1 56 620 Tm (5. Rapporter la perceuse propre, avec sa mallette, et signaler tout d\351faut.) Tj
ET
endstream
endobj
5 0 obj
<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>
endobj
6 0 obj
<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>
endobj
7 0 obj
<< /Title (Fiche de s\351curit\351 - perceuse) /Producer (mod_tierslieux demo) >>
endobj
xref
0 8
0000000000 65535 f 
0000000009 00000 n 
0000000058 00000 n 
0000000115 00000 n 
0000000251 00000 n 
0000001058 00000 n 
0000001155 00000 n 
0000001257 00000 n 
trailer
<< /Size 8 /Root 1 0 R /Info 7 0 R >>
startxref
1354
%%EOF
', 'UTF8')),
    ('Mode d''emploi du fabricant (Bosch)', 'https://www.bosch-diy.com/fr/fr/', NULL::bytea)
  ) AS d(title, url, pdf)
  JOIN tl.item i ON i.code = 'OT-0001';

------------------------------------------------------------------------------
-- Fail the load if a lookup above silently dropped a row.
------------------------------------------------------------------------------
DO $$
DECLARE
    expected constant jsonb := '{"organisation": 4, "place": 3, "collection": 5, "category": 11,
                                 "item": 79, "member": 8, "loan": 26, "reservation": 3, "maintenance": 9, "item_component": 4,
                                 "item_movement": 1, "notice": 2, "notice_version": 3, "item_manual": 2,
                                 "seed_species": 18, "seed_variety": 39, "seed_lot": 51,
                                 "depot": 51, "retrait": 71}';
    actual jsonb;
BEGIN
    SELECT jsonb_build_object(
               'organisation', (SELECT count(*) FROM tl.organisation),
               'place',        (SELECT count(*) FROM tl.place),
               'collection',   (SELECT count(*) FROM tl.collection),
               'category',     (SELECT count(*) FROM tl.category),
               'item',         (SELECT count(*) FROM tl.item),
               'member',       (SELECT count(*) FROM tl.member),
               'loan',         (SELECT count(*) FROM tl.booking WHERE kind = 'pret'),
               'reservation',  (SELECT count(*) FROM tl.booking WHERE kind = 'reservation'),
               'maintenance',  (SELECT count(*) FROM tl.maintenance),
               'item_component', (SELECT count(*) FROM tl.item_component),
               'item_movement', (SELECT count(*) FROM tl.item_movement WHERE sent_at IS NOT NULL AND received_at IS NULL),
               'notice', (SELECT count(*) FROM tl.notice),
               'notice_version', (SELECT count(*) FROM tl.notice_version),
               'item_manual', (SELECT count(*) FROM tl.item_manual),
               'seed_species', (SELECT count(*) FROM tl.seed_species),
               'seed_variety', (SELECT count(*) FROM tl.seed_variety),
               'seed_lot',     (SELECT count(*) FROM tl.seed_lot),
               'depot',        (SELECT count(*) FROM tl.seed_movement WHERE kind = 'depot'),
               'retrait',      (SELECT count(*) FROM tl.seed_movement WHERE kind = 'retrait'))
      INTO actual;
    IF actual <> expected THEN
        RAISE EXCEPTION 'demo data incomplete: expected %, got %', expected, actual;
    END IF;
END $$;

-- Fail the load if a state the demo shows is missing on the day it runs.
DO $$
DECLARE
    missing text[] := '{}';
BEGIN
    IF NOT EXISTS (SELECT 1 FROM tl.booking b JOIN tl.item i ON i.id = b.item_id JOIN tl.place p ON p.id = i.place_id
                    WHERE b.kind = 'pret' AND b.returned_at IS NULL
                      AND b.due_on > (now() AT TIME ZONE p.time_zone)::date) THEN
        missing := missing || 'on loan'::text;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM tl.booking b JOIN tl.item i ON i.id = b.item_id JOIN tl.place p ON p.id = i.place_id
                    WHERE b.kind = 'pret' AND b.returned_at IS NULL
                      AND b.due_on < (now() AT TIME ZONE p.time_zone)::date) THEN
        missing := missing || 'overdue'::text;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM tl.booking WHERE kind = 'reservation' AND starts_at > now()) THEN
        missing := missing || 'reserved'::text;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM tl.item i JOIN tl.place p ON p.id = i.place_id
                    WHERE i.last_safety_check + i.safety_check_days < (now() AT TIME ZONE p.time_zone)::date) THEN
        missing := missing || 'safety check overdue'::text;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM tl.item i JOIN tl.place p ON p.id = i.place_id
                    WHERE i.last_safety_check + i.safety_check_days
                          BETWEEN (now() AT TIME ZONE p.time_zone)::date AND (now() AT TIME ZONE p.time_zone)::date + 30) THEN
        missing := missing || 'safety check due soon'::text;
    END IF;
    IF missing <> '{}' THEN
        RAISE EXCEPTION 'demo data without these states today: %', array_to_string(missing, ', ');
    END IF;
END $$;

------------------------------------------------------------------------------
-- What the national « équipements » open data file needs (sql/schema/013):
-- the médiathèque and La Fabrique give it; Lakour not yet, so the open data
-- page shows what a place still lacks. Like the demo's town, its SIRET and
-- INSEE codes are invented; the nomenclature's codes and terms are the ones
-- an installation types from the national nomenclature.
------------------------------------------------------------------------------
UPDATE tl.place p SET authority_name = d.authority, authority_siret = d.siret, insee_code = d.insee,
                      equipment_code = d.code, equipment_type = d.type, equipment_theme = d.theme
  FROM (VALUES
    ('mediatheque-jules-verne', 'Ville de Saint-Aubin-sur-Loire', '21490999900017', '49999', '13020100',
     'Bibliothèque - médiathèque', 'Equipement culturel'),
    ('la-fabrique', 'Ville de Saint-Aubin-sur-Loire', '21490999900017', '49999', '14040300',
     'Tiers-lieu', 'Equipement social et d''animation')
  ) AS d(slug, authority, siret, insee, code, type, theme)
 WHERE p.slug = d.slug;
