-- Who runs which gateway shard (issue 14): one live owner per shard, across processes.
--
-- A lease is live while expires_at is later than the database's now(): every process decides by
-- this one clock, never its own (see storage::leases). A win over an expired lease (or a free
-- shard) bumps the epoch, the fencing token: a renewal or release must name the epoch it won.
-- Rows are never deleted: a release only ends the lease, so epochs never go back.
CREATE TABLE shard_leases (
    shard      integer PRIMARY KEY CHECK (shard >= 0),
    num_shards integer NOT NULL CHECK (num_shards > shard),
    owner      text NOT NULL,
    epoch      bigint NOT NULL CHECK (epoch >= 1),
    expires_at timestamptz NOT NULL
);

-- IDENTIFY pacing across processes: Discord allows one IDENTIFY per five seconds in each
-- bucket (`shard % max_concurrency`). A process takes a bucket's slot before it starts a shard
-- and holds it until that shard is connected; the slot frees a spacing after that (by the
-- database's clock).
CREATE TABLE identify_slots (
    bucket  integer PRIMARY KEY CHECK (bucket >= 0),
    owner   text NOT NULL,
    free_at timestamptz NOT NULL
);
