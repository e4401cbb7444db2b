-- The live processes (issue 14): each registers and renews its row by heartbeat, so every
-- process knows how many share Discord's global limit (50 requests per second per bot, not per
-- process). On SQLite one process owns the file (storage::lock), so it is the only row; the
-- table is here so both backends answer the same functions.
--
-- A process is live while expires_at is later than now. `since` is when its current
-- registration began: a heartbeat after its row expired starts a new one, and the process must
-- then wait as a newcomer does (the bot's `pace` module says why). A clean stop ends the row a
-- window after the process's last request instead of deleting it; expired rows are deleted by
-- the next heartbeat.
CREATE TABLE processes (
    owner      TEXT PRIMARY KEY CHECK (owner <> ''),
    since      TEXT NOT NULL,
    expires_at TEXT NOT NULL
) STRICT;
