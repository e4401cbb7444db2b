-- Fencing tokens for the reminder queue (issue 14): every claim takes a new epoch from one
-- counter; a reminder remembers the epoch it is claimed under, an outbox row the epoch it is
-- held under and until when (its lease). Marking a message sent, failed, retried or requeued
-- is refused unless the row is still held under the marker's epoch, and touches only the
-- reminders claimed under it: a sender whose claim was taken over can no longer mark it.
-- Rows and claims from before this migration are epoch 0 (consistent with each other) and
-- held by nobody, so the next pass takes them over at once.
CREATE TABLE claim_epochs (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    last INTEGER NOT NULL CHECK (last >= 0)
) STRICT;
INSERT INTO claim_epochs (id, last) VALUES (1, 0);

ALTER TABLE reminders ADD COLUMN claim_epoch INTEGER NOT NULL DEFAULT 0;

ALTER TABLE reminder_outbox ADD COLUMN claim_epoch INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reminder_outbox ADD COLUMN claim_owner TEXT;
-- Until when the holder may send it; NULL: held by nobody (taken by the next pass).
ALTER TABLE reminder_outbox ADD COLUMN lease_until TEXT;
