-- The new hire's onboarding journey (flow::journey).
--
-- A server's own versions of the journey's template, as JSON (flow::journey::Template). Version
-- 0 is the shipped prompts/onboarding.toml and is not stored. Rows are never changed: a new
-- version is a new row, and a case keeps a copy of the version it started with (journeys.template).
CREATE TABLE journey_templates (
    guild_id   INTEGER NOT NULL,
    version    INTEGER NOT NULL CHECK (version >= 1),
    template   TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, version)
) STRICT;

-- One journey per case: who the new hire and the buddy are (personal data: erased by the purge
-- with the case), its private thread and checklist message, and how it ended. No reason, no
-- evaluation, no absence: only which decision was recorded, by whom and when.
CREATE TABLE journeys (
    case_id         INTEGER PRIMARY KEY REFERENCES cases (id),
    guild_id        INTEGER NOT NULL,
    version         INTEGER NOT NULL CHECK (version >= 0),
    template        TEXT NOT NULL,
    start_date      TEXT NOT NULL,
    new_hire_id     INTEGER NOT NULL,
    new_hire_name   TEXT NOT NULL,
    buddy_id        INTEGER,
    buddy_name      TEXT,
    thread_id       INTEGER,
    message_id      INTEGER,
    created_at      TEXT NOT NULL,
    decision        TEXT CHECK (decision IN ('continues', 'dismissed_in_time')),
    decided_by_id   INTEGER,
    decided_by_name TEXT,
    closed_at       TEXT,
    -- when the closed journey's thread was archived in Discord
    archived_at     TEXT,
    CHECK ((decision IS NULL) = (closed_at IS NULL)),
    CHECK ((buddy_id IS NULL) = (buddy_name IS NULL))
) STRICT;
CREATE INDEX journeys_thread ON journeys (guild_id, thread_id);
CREATE INDEX journeys_new_hire ON journeys (guild_id, new_hire_id) WHERE closed_at IS NULL;
CREATE INDEX journeys_buddy ON journeys (guild_id, buddy_id) WHERE closed_at IS NULL;

-- Items ticked: who and when. One row per item: a second tick is refused, never applied twice.
CREATE TABLE journey_ticks (
    case_id INTEGER NOT NULL REFERENCES journeys (case_id),
    item    TEXT NOT NULL,
    by_id   INTEGER NOT NULL,
    by_name TEXT NOT NULL,
    at      TEXT NOT NULL,
    PRIMARY KEY (case_id, item)
) STRICT, WITHOUT ROWID;
