-- What a server's reminders were last planned with (a fingerprint of its reminder settings and
-- of the process), so a restart replans the open cases only when that changed. NULL: never.
ALTER TABLE guild_settings ADD COLUMN reminders_planned_with TEXT;
