-- What a stored change owes the case's thread in Discord: its card shown anew and one line
-- saying what happened and who is asked next. The row is written in the same transaction as
-- the change, so a change that is stored is announced even if the bot dies right after: the
-- reminder sender takes up rows whose `next_attempt_at` has come, and sends the line with the
-- row's nonce, as it does reminder messages. A "Be HR om hjelp" request is a row of its own.
CREATE TABLE announcements (
    id              INTEGER PRIMARY KEY,
    guild_id        INTEGER NOT NULL,
    case_id         INTEGER NOT NULL REFERENCES cases (id),
    -- 'change': the change that produced `version`; 'help': a request for HR's help, made
    -- while the case was at `version`
    kind            TEXT NOT NULL CHECK (kind IN ('change', 'help')),
    version         INTEGER NOT NULL CHECK (version >= 1),
    -- who asked for help (kind 'help'); the purge erases them
    asker_id        INTEGER,
    asker_name      TEXT,
    nonce           TEXT NOT NULL UNIQUE CHECK (length(nonce) BETWEEN 1 AND 25),
    -- the line once posted: where, and who it pinged ({"users": [...], "roles": [...]})
    line_channel_id INTEGER,
    line_message_id INTEGER,
    pinged          TEXT CHECK (pinged IS NULL OR json_valid(pinged)),
    line_sent_at    TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    next_attempt_at TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    done_at         TEXT,
    CHECK ((kind = 'help') = (asker_id IS NOT NULL)),
    CHECK ((asker_id IS NULL) = (asker_name IS NULL)),
    CHECK ((line_message_id IS NULL) = (line_sent_at IS NULL))
) STRICT;
CREATE UNIQUE INDEX announcements_change ON announcements (case_id, version) WHERE kind = 'change';
CREATE INDEX announcements_open ON announcements (next_attempt_at) WHERE done_at IS NULL;
CREATE INDEX announcements_case ON announcements (case_id, line_sent_at);

-- The message the case's thread was started from (its id is the thread's), recorded as soon as
-- it is posted, so a thread that could not be opened is opened from it later, not from a
-- second announcement.
ALTER TABLE cases ADD COLUMN starter_message_id INTEGER;
-- When the purge also emptied the case's messages in Discord of names and free text.
ALTER TABLE cases ADD COLUMN scrubbed_at TEXT;
-- The purged cases whose messages in Discord are still to be emptied of names.
CREATE INDEX cases_to_scrub ON cases (purged_at) WHERE purged_at IS NOT NULL AND scrubbed_at IS NULL;
