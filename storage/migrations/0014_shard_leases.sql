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

-- IDENTIFY pacing across processes: Discord allows one IDENTIFY per five seconds in each
-- bucket (`shard % max_concurrency`). A process takes a bucket's slot before it starts a shard
-- and holds it until that shard is connected; the slot frees a spacing after that.
CREATE TABLE identify_slots (
    bucket  INTEGER PRIMARY KEY CHECK (bucket >= 0),
    owner   TEXT NOT NULL,
    free_at TEXT NOT NULL
) STRICT;
