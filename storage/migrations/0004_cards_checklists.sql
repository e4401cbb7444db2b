-- Where each case's card was posted, so it can be edited later.
CREATE TABLE case_cards (
    case_id    INTEGER PRIMARY KEY REFERENCES cases (id),
    channel_id INTEGER NOT NULL,
    thread_id  INTEGER,
    message_id INTEGER NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

-- Onboarding checklists: one message per case step, its items ticked off by people.
CREATE TABLE checklists (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES cases (id),
    step       TEXT NOT NULL,
    channel_id INTEGER NOT NULL,
    message_id INTEGER NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    UNIQUE (case_id, step)
) STRICT;

CREATE TABLE checklist_items (
    checklist_id   INTEGER NOT NULL REFERENCES checklists (id) ON DELETE CASCADE,
    item           TEXT NOT NULL,
    position       INTEGER NOT NULL,
    ticked_by_id   INTEGER,
    ticked_by_name TEXT,
    ticked_at      TEXT,
    PRIMARY KEY (checklist_id, item),
    CHECK ((ticked_at IS NULL) = (ticked_by_id IS NULL)),
    CHECK ((ticked_by_id IS NULL) = (ticked_by_name IS NULL))
) STRICT, WITHOUT ROWID;
