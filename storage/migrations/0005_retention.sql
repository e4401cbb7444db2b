-- Retention: when a case's personal data was deleted ("alt slettes etter 12 mnd."), so the
-- purge runs once per case.
ALTER TABLE cases ADD COLUMN purged_at TEXT;
CREATE INDEX cases_ended ON cases (ended_at) WHERE status <> 'open' AND purged_at IS NULL;
