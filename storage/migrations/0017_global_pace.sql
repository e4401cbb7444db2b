-- Discord's global limit shared by places drawn in turn (storage::global_pace). On SQLite one
-- process owns the file (storage::lock) and paces itself without the database; the table is
-- here so both backends answer the same functions. `next_free` is the first place not drawn
-- yet, in microseconds since 1970 (UTC), so that one statement can draw. One row.
CREATE TABLE global_pace (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    next_free INTEGER NOT NULL
) STRICT;
