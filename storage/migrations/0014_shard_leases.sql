-- Who runs which gateway shard (issue 14). On SQLite one process owns the file (storage::lock),
-- so it wins every shard; the table is here so both backends answer the same functions.
--
-- A lease is live while expires_at is later than now. A win over an expired lease (or a free
-- shard) bumps the epoch, the fencing token: a renewal or release must name the epoch it won.
-- Rows are never deleted: a release only ends the lease, so epochs never go back.
CREATE TABLE shard_leases (
    shard      INTEGER PRIMARY KEY CHECK (shard >= 0),
    num_shards INTEGER NOT NULL CHECK (num_shards > shard),
    owner      TEXT NOT NULL,
    epoch      INTEGER NOT NULL CHECK (epoch >= 1),
    expires_at TEXT NOT NULL
) STRICT;
