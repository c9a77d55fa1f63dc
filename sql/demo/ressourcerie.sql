-- Demo containers at La Fabrique, whose ressourcerie corner weighs what
-- comes in: their tare comes off each weighing.
INSERT INTO tl.reuse_container (place_id, name, tare_kg)
SELECT p.id, c.name, c.tare
  FROM tl.place p, (VALUES ('Bac gris', 12.5), ('Caddie', 18.2), ('Palette', 22)) AS c(name, tare)
 WHERE p.slug = 'la-fabrique';
