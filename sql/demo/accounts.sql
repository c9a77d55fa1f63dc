-- Demo accounts (passwords in the README): a bénévole of the médiathèque,
-- a référente of La Fabrique, an administrator of every place, and a
-- resident with an account but no role. Hashed with bcrypt (pgcrypto).
CREATE EXTENSION IF NOT EXISTS pgcrypto;

INSERT INTO tl.account (login, display_name, password_hash) VALUES
    ('benevole.mediatheque', 'Camille (bénévole)', public.crypt('Grelinette-2026', public.gen_salt('bf', 10))),
    ('referente.fabrique', 'Nadia (référente)', public.crypt('Perceuse-2026', public.gen_salt('bf', 10))),
    ('admin.reseau', 'Louis (administrateur)', public.crypt('Semis-2026', public.gen_salt('bf', 10))),
    ('habitant', 'Un habitant', public.crypt('Graine-2026', public.gen_salt('bf', 10)));

INSERT INTO tl.account_role (account_id, place_id, role)
SELECT a.id, p.id, r.role
  FROM (VALUES ('benevole.mediatheque', 'mediatheque-jules-verne', 'benevole'),
               ('referente.fabrique', 'la-fabrique', 'referent'),
               ('admin.reseau', 'mediatheque-jules-verne', 'admin'),
               ('admin.reseau', 'la-fabrique', 'admin'),
               ('admin.reseau', 'tiers-lieu-lakour', 'admin')) AS r(login, slug, role)
  JOIN tl.account a ON a.login = r.login
  JOIN tl.place p ON p.slug = r.slug;

-- A member who chose a password for "Mon compte" (README): Claire Martin,
-- A-000123. Other members get theirs from a link the desk gives them.
UPDATE tl.member SET password_hash = public.crypt('Arrosoir-en-2026', public.gen_salt('bf', 10))
 WHERE member_number = 'A-000123';

-- The transfer in progress (sql/demo/demo.sql) was logged and sent by La
-- Fabrique's référente.
UPDATE tl.item_movement SET created_by = a.id, sent_by = a.id
  FROM tl.account a WHERE a.login = 'referente.fabrique' AND tl.item_movement.sent_at IS NOT NULL;
