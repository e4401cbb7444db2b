-- Cases, their steps, candidates and append-only history.
-- Times are UTC text 'YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ' (fixed width, so text order is time order);
-- dates are 'YYYY-MM-DD'.
CREATE TABLE cases (
    -- AUTOINCREMENT: an id is never reused, so reminder keys that name it stay unique for all time.
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id              INTEGER NOT NULL,
    title                 TEXT NOT NULL,
    unit                  TEXT NOT NULL,
    note                  TEXT,
    owner_id              INTEGER NOT NULL,
    owner_name            TEXT NOT NULL,
    status                TEXT NOT NULL DEFAULT 'open'
        CHECK (status IN ('open', 'completed', 'closed')),
    -- when it was completed or closed
    ended_at              TEXT,
    closed_by_id          INTEGER,
    closed_by_name        TEXT,
    close_reason          TEXT,
    marks                 TEXT NOT NULL DEFAULT '[]'
        CHECK (json_valid(marks) AND json_type(marks) = 'array'),
    soknadsfrist          TEXT,
    original_soknadsfrist TEXT,
    startdato             TEXT,
    opened_at             TEXT NOT NULL,
    -- bumped by every change; writes go only over the version that was read
    version               INTEGER NOT NULL CHECK (version >= 0),
    thread_id             INTEGER,
    CHECK ((status = 'open') = (ended_at IS NULL)),
    CHECK (status = 'closed' OR (closed_by_id IS NULL AND closed_by_name IS NULL AND close_reason IS NULL))
) STRICT;
CREATE INDEX cases_guild_status ON cases (guild_id, status, opened_at);
CREATE INDEX cases_thread ON cases (thread_id) WHERE thread_id IS NOT NULL;

-- Every step that has been reached, as it stands now (the history keeps what came before).
CREATE TABLE case_steps (
    case_id INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    step    TEXT NOT NULL,
    state   TEXT NOT NULL CHECK (state IN ('open', 'done', 'skipped')),
    -- open: since when; done/skipped: when
    at      TEXT NOT NULL,
    by_id   INTEGER,
    by_name TEXT,
    outcome TEXT,
    reason  TEXT,
    PRIMARY KEY (case_id, step),
    CHECK ((state = 'open') = (by_id IS NULL)),
    CHECK ((by_id IS NULL) = (by_name IS NULL)),
    CHECK (state = 'done' OR outcome IS NULL),
    CHECK (state = 'skipped' OR reason IS NULL)
) STRICT, WITHOUT ROWID;
-- "What is waiting": the open steps, by step and by case.
CREATE INDEX case_steps_open ON case_steps (step, case_id) WHERE state = 'open';

-- Roles that already agreed on an open step that needs all of them (the union gate).
CREATE TABLE step_confirmations (
    case_id INTEGER NOT NULL,
    step    TEXT NOT NULL,
    role    TEXT NOT NULL,
    by_id   INTEGER NOT NULL,
    by_name TEXT NOT NULL,
    PRIMARY KEY (case_id, step, role),
    FOREIGN KEY (case_id, step) REFERENCES case_steps (case_id, step) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

-- The recommendation's candidates. A display name and the answer: nothing else about an
-- applicant is ever stored (no special-category data, by construction of this table).
CREATE TABLE candidates (
    case_id INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    rank    INTEGER NOT NULL CHECK (rank >= 1),
    name    TEXT NOT NULL,
    answer  TEXT NOT NULL CHECK (answer IN ('waiting', 'offered', 'accepted', 'declined')),
    PRIMARY KEY (case_id, rank)
) STRICT, WITHOUT ROWID;

-- The history: append-only, numbered 1, 2, 3 ... per case with no gaps.
CREATE TABLE events (
    case_id    INTEGER NOT NULL REFERENCES cases (id),
    seq        INTEGER NOT NULL CHECK (seq >= 1),
    -- the case version this event's change produced
    version    INTEGER NOT NULL CHECK (version >= 1),
    at         TEXT NOT NULL,
    actor_id   INTEGER,
    actor_name TEXT,
    kind       TEXT NOT NULL,
    step       TEXT,
    outcome    TEXT,
    detail     TEXT,
    PRIMARY KEY (case_id, seq),
    CHECK ((actor_id IS NULL) = (actor_name IS NULL))
) STRICT, WITHOUT ROWID;

CREATE TRIGGER events_contiguous BEFORE INSERT ON events
WHEN NEW.seq <> (SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE case_id = NEW.case_id)
BEGIN
    SELECT RAISE(ABORT, 'events: seq must continue the case history without a gap');
END;

CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events: the history is append-only');
END;

-- Only the retention purge updates events, and only names, ids and details.
CREATE TRIGGER events_no_rewrite BEFORE UPDATE OF case_id, seq, version, at, kind, step, outcome ON events
BEGIN
    SELECT RAISE(ABORT, 'events: the history is append-only');
END;
