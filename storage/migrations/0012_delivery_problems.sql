-- Places the bot cannot deliver to (a channel or thread it may not write in, or that is gone; a
-- person it cannot reach), one row per server, place and problem: HR is told once in the HR
-- channel while the problem lasts, and /oppsett vis shows what is still wrong. A message that
-- gets through to the place again resolves its problems. No names: ids and Discord's error.
CREATE TABLE delivery_problems (
    guild_id     INTEGER NOT NULL,
    -- 'c:<channel id>' or 'u:<user id>'
    place        TEXT NOT NULL,
    -- 'missing_access', 'missing_permissions', 'unknown_channel', 'refused', 'unreachable'
    problem      TEXT NOT NULL,
    -- the case whose thread the place is, when it is one
    case_id      INTEGER,
    first_at     TEXT NOT NULL,
    last_at      TEXT NOT NULL,
    failures     INTEGER NOT NULL DEFAULT 1,
    last_error   TEXT,
    -- when HR was told in the HR channel (NULL: not yet), and when to try telling next
    told_at      TEXT,
    notice_at    TEXT NOT NULL,
    notice_tries INTEGER NOT NULL DEFAULT 0,
    resolved_at  TEXT,
    PRIMARY KEY (guild_id, place, problem)
) STRICT;
CREATE INDEX delivery_problems_untold ON delivery_problems (notice_at)
    WHERE told_at IS NULL AND resolved_at IS NULL;
