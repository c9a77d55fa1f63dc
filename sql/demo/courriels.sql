-- Reminders in the demo: the address they are sent from, and what the
-- reminders queue on the day the demo is loaded (its overdue loans), so
-- that a référent's preview (/guichet/courriels) shows messages.
-- Loaded after demo.sql and accounts.sql; script/courriels "sends" them
-- into files.
UPDATE tl.mail_setting SET sender_address = 'ne-pas-repondre@saint-aubin.example.fr';
SELECT tl.queue_reminders(now());
