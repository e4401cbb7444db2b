-- The reminder queue. A key is unique for all time: the same reminder is never queued twice.
CREATE TABLE reminders (
    id              INTEGER PRIMARY KEY,
    key             TEXT NOT NULL UNIQUE,
    guild_id        INTEGER NOT NULL,
    case_id         INTEGER NOT NULL REFERENCES cases (id),
    step            TEXT,
    kind            TEXT NOT NULL,
    target          TEXT NOT NULL,
    due_at          TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'claimed', 'sent', 'cancelled', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    -- when a pending reminder may next be claimed: due_at, later after a failed attempt
    next_attempt_at TEXT NOT NULL,
    claimed_at      TEXT,
    claim_owner     TEXT,
    sent_at         TEXT,
    late            INTEGER NOT NULL DEFAULT 0 CHECK (late IN (0, 1)),
    -- sent with the message so a retry after a crash is not posted twice
    nonce           TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    CHECK ((state = 'claimed') = (claimed_at IS NOT NULL)),
    CHECK ((state = 'sent') = (sent_at IS NOT NULL))
) STRICT;
CREATE INDEX reminders_ready ON reminders (next_attempt_at) WHERE state = 'pending';
CREATE INDEX reminders_claimed ON reminders (claimed_at) WHERE state = 'claimed';
CREATE INDEX reminders_case ON reminders (case_id, state);
