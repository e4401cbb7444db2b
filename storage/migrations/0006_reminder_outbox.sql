-- One message the dispatcher is sending: which reminders it carries, to where, and the nonce
-- it is sent with. Written before the send, closed after the marks: a crash in between leaves
-- the row open, and the same message is sent again with the same nonce (Discord answers the
-- message already posted instead of posting it twice).
CREATE TABLE reminder_outbox (
    nonce           TEXT PRIMARY KEY CHECK (length(nonce) BETWEEN 1 AND 25),
    guild_id        INTEGER NOT NULL,
    -- 'c:<channel id>' or 'u:<user id>' (a direct message)
    destination     TEXT NOT NULL,
    -- JSON list of reminders.id
    reminder_ids    TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    next_attempt_at TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    done_at         TEXT,
    outcome         TEXT CHECK (outcome IN ('sent', 'cancelled', 'failed', 'rerouted'))
) STRICT;
CREATE INDEX reminder_outbox_open ON reminder_outbox (next_attempt_at) WHERE done_at IS NULL;

-- HR's digest: one row per server and Oslo day it was posted (or found empty), so it is never
-- posted twice for a day.
CREATE TABLE digest_runs (
    guild_id   INTEGER NOT NULL,
    day        TEXT NOT NULL,
    ran_at     TEXT NOT NULL,
    messages   INTEGER NOT NULL,
    PRIMARY KEY (guild_id, day)
) STRICT;
