-- Per-server (guild) settings. Ids are Discord snowflakes stored bit for bit as INTEGER.
-- JSON columns hold small maps the bot edits as a whole.
CREATE TABLE guild_settings (
    guild_id              INTEGER PRIMARY KEY,
    manager_role_id       INTEGER,
    hr_role_id            INTEGER,
    union_rep_role_id     INTEGER,
    approver_role_id      INTEGER,
    payroll_role_id       INTEGER,
    case_channel_id       INTEGER,
    hr_channel_id         INTEGER,
    onboarding_channel_id INTEGER,
    time_zone             TEXT NOT NULL DEFAULT 'Europe/Oslo',
    -- documentation link key -> URL
    docs_links            TEXT NOT NULL DEFAULT '{}'
        CHECK (json_valid(docs_links) AND json_type(docs_links) = 'object'),
    -- deadline rule setting name -> days (overrides the process file's `days`)
    reminder_days         TEXT NOT NULL DEFAULT '{}'
        CHECK (json_valid(reminder_days) AND json_type(reminder_days) = 'object'),
    stall_days            INTEGER CHECK (stall_days IS NULL OR stall_days >= 0),
    escalate_days         INTEGER CHECK (escalate_days IS NULL OR escalate_days >= 0),
    -- Oslo wall-clock time reminders go out, HH:MM:SS
    remind_at             TEXT,
    digest_cron           TEXT,
    retention_months      INTEGER CHECK (retention_months IS NULL OR retention_months >= 1),
    updated_at            TEXT NOT NULL
) STRICT;
