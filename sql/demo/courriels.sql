-- Reminders in the demo: the address they are sent from, and what the
-- reminders queue on the morning of 23 November 2026 (loans due on the
-- 25th), so that a référent's preview (/guichet/courriels) shows messages.
-- Loaded after accounts.sql; script/courriels "sends" them into files.
UPDATE tl.mail_setting SET sender_address = 'ne-pas-repondre@saint-aubin.example.fr';
SELECT tl.queue_reminders('2026-11-23 09:00:00+01');
