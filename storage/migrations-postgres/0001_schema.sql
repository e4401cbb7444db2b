-- The whole schema of storage/migrations/0001..0013 for PostgreSQL, in one file: what the
-- SQLite migrations built step by step is here from the start. From now on a change to the
-- schema is a new file in BOTH folders (storage/migrations/ and this one), never an edit.
--
-- Differences from SQLite, on purpose:
-- * times are timestamptz (UTC in, UTC out), days are date; Oslo wall-clock times stay text;
-- * JSON columns are jsonb (the shape checks are jsonb_typeof);
-- * ids of our own are identity columns (never reused, as SQLite's AUTOINCREMENT);
-- * Discord snowflakes are bigint, stored bit for bit as in SQLite (codec::id);
-- * flags are boolean; the triggers are PL/pgSQL functions.

CREATE TABLE guild_settings (
    guild_id               bigint PRIMARY KEY,
    manager_role_id        bigint,
    hr_role_id             bigint,
    union_rep_role_id      bigint,
    approver_role_id       bigint,
    payroll_role_id        bigint,
    case_channel_id        bigint,
    hr_channel_id          bigint,
    onboarding_channel_id  bigint,
    time_zone              text NOT NULL DEFAULT 'Europe/Oslo',
    docs_links             jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(docs_links) = 'object'),
    reminder_days          jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(reminder_days) = 'object'),
    stall_days             bigint CHECK (stall_days IS NULL OR stall_days >= 0),
    escalate_days          bigint CHECK (escalate_days IS NULL OR escalate_days >= 0),
    remind_at              text,
    digest_cron            text,
    retention_months       bigint CHECK (retention_months IS NULL OR retention_months >= 1),
    updated_at             timestamptz NOT NULL,
    reminders_planned_with text,
    shared_language        text NOT NULL DEFAULT 'nb' CHECK (shared_language IN ('nb', 'en')),
    notifications          text NOT NULL DEFAULT 'when_asked'
        CHECK (notifications IN ('every_step', 'when_asked', 'digest_only'))
);

CREATE TABLE cases (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    guild_id              bigint NOT NULL,
    title                 text NOT NULL,
    unit                  text NOT NULL,
    note                  text,
    owner_id              bigint NOT NULL,
    owner_name            text NOT NULL,
    status                text NOT NULL DEFAULT 'open'
        CHECK (status IN ('open', 'completed', 'closed')),
    ended_at              timestamptz,
    closed_by_id          bigint,
    closed_by_name        text,
    close_reason          text,
    marks                 jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(marks) = 'array'),
    soknadsfrist          date,
    original_soknadsfrist date,
    startdato             date,
    opened_at             timestamptz NOT NULL,
    version               bigint NOT NULL CHECK (version >= 0),
    thread_id             bigint,
    purged_at             timestamptz,
    deputy_id             bigint,
    deputy_name           text,
    starter_message_id    bigint,
    scrubbed_at           timestamptz,
    CHECK ((status = 'open') = (ended_at IS NULL)),
    CHECK (status = 'closed' OR (closed_by_id IS NULL AND closed_by_name IS NULL AND close_reason IS NULL)),
    CHECK ((deputy_id IS NULL) = (deputy_name IS NULL))
);
CREATE INDEX cases_guild_status ON cases (guild_id, status, opened_at);
CREATE INDEX cases_thread ON cases (thread_id) WHERE thread_id IS NOT NULL;
CREATE INDEX cases_ended ON cases (ended_at) WHERE status <> 'open' AND purged_at IS NULL;
CREATE INDEX cases_to_scrub ON cases (purged_at) WHERE purged_at IS NOT NULL AND scrubbed_at IS NULL;

CREATE TABLE case_steps (
    case_id bigint NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    step    text NOT NULL,
    state   text NOT NULL CHECK (state IN ('open', 'done', 'skipped')),
    at      timestamptz NOT NULL,
    by_id   bigint,
    by_name text,
    outcome text,
    reason  text,
    PRIMARY KEY (case_id, step),
    CHECK ((state = 'open') = (by_id IS NULL)),
    CHECK ((by_id IS NULL) = (by_name IS NULL)),
    CHECK (state = 'done' OR outcome IS NULL),
    CHECK (state = 'skipped' OR reason IS NULL)
);
CREATE INDEX case_steps_open ON case_steps (step, case_id) WHERE state = 'open';

CREATE TABLE step_confirmations (
    case_id bigint NOT NULL,
    step    text NOT NULL,
    role    text NOT NULL,
    by_id   bigint NOT NULL,
    by_name text NOT NULL,
    PRIMARY KEY (case_id, step, role),
    FOREIGN KEY (case_id, step) REFERENCES case_steps (case_id, step) ON DELETE CASCADE
);

-- A display name and the answer: nothing else about an applicant is ever stored.
CREATE TABLE candidates (
    case_id bigint NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    rank    bigint NOT NULL CHECK (rank >= 1),
    name    text NOT NULL,
    answer  text NOT NULL CHECK (answer IN ('waiting', 'offered', 'accepted', 'declined')),
    PRIMARY KEY (case_id, rank)
);

-- The history: append-only, numbered 1, 2, 3 ... per case with no gaps.
CREATE TABLE events (
    case_id    bigint NOT NULL REFERENCES cases (id),
    seq        bigint NOT NULL CHECK (seq >= 1),
    version    bigint NOT NULL CHECK (version >= 1),
    at         timestamptz NOT NULL,
    actor_id   bigint,
    actor_name text,
    kind       text NOT NULL,
    step       text,
    outcome    text,
    detail     text,
    for_id     bigint,
    for_name   text,
    PRIMARY KEY (case_id, seq),
    CHECK ((actor_id IS NULL) = (actor_name IS NULL)),
    CHECK ((for_id IS NULL) = (for_name IS NULL))
);

CREATE FUNCTION events_contiguous() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.seq <> (SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE case_id = NEW.case_id) THEN
        RAISE EXCEPTION 'events: seq must continue the case history without a gap';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER events_contiguous BEFORE INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION events_contiguous();

CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events: the history is append-only';
END $$;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_append_only();
-- Only the retention purge updates events, and only names, ids and details.
CREATE TRIGGER events_no_rewrite BEFORE UPDATE OF case_id, seq, version, at, kind, step, outcome
    ON events FOR EACH ROW EXECUTE FUNCTION events_append_only();

-- The reminder queue. A key is unique for all time: the same reminder is never queued twice.
CREATE TABLE reminders (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key             text NOT NULL UNIQUE,
    guild_id        bigint NOT NULL,
    case_id         bigint NOT NULL REFERENCES cases (id),
    step            text,
    kind            text NOT NULL,
    target          text NOT NULL,
    due_at          timestamptz NOT NULL,
    state           text NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'claimed', 'sent', 'cancelled', 'failed')),
    attempts        bigint NOT NULL DEFAULT 0,
    last_error      text,
    next_attempt_at timestamptz NOT NULL,
    claimed_at      timestamptz,
    claim_owner     text,
    sent_at         timestamptz,
    late            boolean NOT NULL DEFAULT false,
    nonce           text NOT NULL,
    created_at      timestamptz NOT NULL,
    CHECK ((state = 'claimed') = (claimed_at IS NOT NULL)),
    CHECK ((state = 'sent') = (sent_at IS NOT NULL))
);
CREATE INDEX reminders_ready ON reminders (next_attempt_at) WHERE state = 'pending';
CREATE INDEX reminders_claimed ON reminders (claimed_at) WHERE state = 'claimed';
CREATE INDEX reminders_case ON reminders (case_id, state);

CREATE TABLE case_cards (
    case_id    bigint PRIMARY KEY REFERENCES cases (id),
    channel_id bigint NOT NULL,
    thread_id  bigint,
    message_id bigint NOT NULL,
    updated_at timestamptz NOT NULL
);

CREATE TABLE checklists (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id    bigint NOT NULL REFERENCES cases (id),
    step       text NOT NULL,
    channel_id bigint NOT NULL,
    message_id bigint NOT NULL UNIQUE,
    created_at timestamptz NOT NULL,
    UNIQUE (case_id, step)
);

CREATE TABLE checklist_items (
    checklist_id   bigint NOT NULL REFERENCES checklists (id) ON DELETE CASCADE,
    item           text NOT NULL,
    position       bigint NOT NULL,
    ticked_by_id   bigint,
    ticked_by_name text,
    ticked_at      timestamptz,
    PRIMARY KEY (checklist_id, item),
    CHECK ((ticked_at IS NULL) = (ticked_by_id IS NULL)),
    CHECK ((ticked_by_id IS NULL) = (ticked_by_name IS NULL))
);

-- One message the dispatcher is sending: which reminders it carries, where, and its nonce.
CREATE TABLE reminder_outbox (
    nonce           text PRIMARY KEY CHECK (length(nonce) BETWEEN 1 AND 25),
    guild_id        bigint NOT NULL,
    destination     text NOT NULL,
    reminder_ids    jsonb NOT NULL CHECK (jsonb_typeof(reminder_ids) = 'array'),
    attempts        bigint NOT NULL DEFAULT 0,
    last_error      text,
    next_attempt_at timestamptz NOT NULL,
    created_at      timestamptz NOT NULL,
    done_at         timestamptz,
    outcome         text CHECK (outcome IN ('sent', 'cancelled', 'failed', 'rerouted'))
);
CREATE INDEX reminder_outbox_open ON reminder_outbox (next_attempt_at) WHERE done_at IS NULL;

CREATE TABLE digest_runs (
    guild_id bigint NOT NULL,
    day      date NOT NULL,
    ran_at   timestamptz NOT NULL,
    messages bigint NOT NULL,
    PRIMARY KEY (guild_id, day)
);

CREATE TABLE announcements (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    guild_id        bigint NOT NULL,
    case_id         bigint NOT NULL REFERENCES cases (id),
    kind            text NOT NULL CHECK (kind IN ('change', 'help')),
    version         bigint NOT NULL CHECK (version >= 1),
    asker_id        bigint,
    asker_name      text,
    nonce           text NOT NULL UNIQUE CHECK (length(nonce) BETWEEN 1 AND 25),
    line_channel_id bigint,
    line_message_id bigint,
    pinged          jsonb,
    line_sent_at    timestamptz,
    attempts        bigint NOT NULL DEFAULT 0,
    last_error      text,
    next_attempt_at timestamptz NOT NULL,
    created_at      timestamptz NOT NULL,
    done_at         timestamptz,
    CHECK ((kind = 'help') = (asker_id IS NOT NULL)),
    CHECK ((asker_id IS NULL) = (asker_name IS NULL)),
    CHECK ((line_message_id IS NULL) = (line_sent_at IS NULL))
);
CREATE UNIQUE INDEX announcements_change ON announcements (case_id, version) WHERE kind = 'change';
CREATE INDEX announcements_open ON announcements (next_attempt_at) WHERE done_at IS NULL;
CREATE INDEX announcements_case ON announcements (case_id, line_sent_at);

-- Places the bot cannot deliver to. No names: ids and Discord's error.
CREATE TABLE delivery_problems (
    guild_id     bigint NOT NULL,
    place        text NOT NULL,
    problem      text NOT NULL,
    case_id      bigint,
    first_at     timestamptz NOT NULL,
    last_at      timestamptz NOT NULL,
    failures     bigint NOT NULL DEFAULT 1,
    last_error   text,
    told_at      timestamptz,
    notice_at    timestamptz NOT NULL,
    notice_tries bigint NOT NULL DEFAULT 0,
    resolved_at  timestamptz,
    PRIMARY KEY (guild_id, place, problem)
);
CREATE INDEX delivery_problems_untold ON delivery_problems (notice_at)
    WHERE told_at IS NULL AND resolved_at IS NULL;

CREATE TABLE journey_templates (
    guild_id   bigint NOT NULL,
    version    bigint NOT NULL CHECK (version >= 1),
    template   jsonb NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (guild_id, version)
);

CREATE TABLE journeys (
    case_id         bigint PRIMARY KEY REFERENCES cases (id),
    guild_id        bigint NOT NULL,
    version         bigint NOT NULL CHECK (version >= 0),
    template        jsonb NOT NULL,
    start_date      date NOT NULL,
    new_hire_id     bigint NOT NULL,
    new_hire_name   text NOT NULL,
    buddy_id        bigint,
    buddy_name      text,
    thread_id       bigint,
    message_id      bigint,
    created_at      timestamptz NOT NULL,
    decision        text CHECK (decision IN ('continues', 'dismissed_in_time')),
    decided_by_id   bigint,
    decided_by_name text,
    closed_at       timestamptz,
    archived_at     timestamptz,
    CHECK ((decision IS NULL) = (closed_at IS NULL)),
    CHECK ((buddy_id IS NULL) = (buddy_name IS NULL))
);
CREATE INDEX journeys_thread ON journeys (guild_id, thread_id);
CREATE INDEX journeys_new_hire ON journeys (guild_id, new_hire_id) WHERE closed_at IS NULL;
CREATE INDEX journeys_buddy ON journeys (guild_id, buddy_id) WHERE closed_at IS NULL;

CREATE TABLE journey_ticks (
    case_id bigint NOT NULL REFERENCES journeys (case_id),
    item    text NOT NULL,
    by_id   bigint NOT NULL,
    by_name text NOT NULL,
    at      timestamptz NOT NULL,
    PRIMARY KEY (case_id, item)
);
