-- The language of a server's shared messages (the card, its buttons, thread lines, reminders
-- in channels, the digest, checklists): Norwegian bokmål unless the team works in English.
ALTER TABLE guild_settings ADD COLUMN shared_language TEXT NOT NULL DEFAULT 'nb'
    CHECK (shared_language IN ('nb', 'en'));
-- How much the bot pings in case threads: every step that opens, only the people asked to act
-- (the default), or nothing in threads (the digest and the DMs carry it).
ALTER TABLE guild_settings ADD COLUMN notifications TEXT NOT NULL DEFAULT 'when_asked'
    CHECK (notifications IN ('every_step', 'when_asked', 'digest_only'));
