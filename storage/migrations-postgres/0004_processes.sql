-- The live processes (issue 14): each registers and renews its row by heartbeat, so every
-- process knows how many share Discord's global limit (50 requests per second per bot, not per
-- process).
--
-- A process is live while expires_at is later than the database's now(): every process decides
-- by this one clock, never its own (see storage::processes). `since` is when its current
-- registration began: a heartbeat after its row expired starts a new one, and the process must
-- then wait as a newcomer does (the bot's `pace` module says why). A clean stop ends the row a
-- window after the process's last request instead of deleting it; expired rows are deleted by
-- the next heartbeat.
CREATE TABLE processes (
    owner      text PRIMARY KEY CHECK (owner <> ''),
    since      timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
