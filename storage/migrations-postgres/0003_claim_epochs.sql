-- Fencing tokens for the reminder queue (issue 14; SQLite's 0015_claim_epochs.sql): every
-- claim takes a new epoch from one sequence; a reminder remembers the epoch it is claimed
-- under, an outbox row the epoch it is held under, by whom and until when (its lease).
-- Marking a message sent, failed, retried or requeued is refused unless the row is still held
-- under the marker's epoch, and touches only the reminders claimed under it: a process whose
-- claim was taken over can no longer mark it.
CREATE SEQUENCE claim_epochs;

ALTER TABLE reminders ADD COLUMN claim_epoch bigint NOT NULL DEFAULT 0;

ALTER TABLE reminder_outbox ADD COLUMN claim_epoch bigint NOT NULL DEFAULT 0;
ALTER TABLE reminder_outbox ADD COLUMN claim_owner text;
-- Until when the holder may send it; NULL: held by nobody (taken by the next pass).
ALTER TABLE reminder_outbox ADD COLUMN lease_until timestamptz;
