//! Group commit: one task owns one connection and writes the changes that callers hand it,
//! as many as are waiting in one transaction, so one fsync makes all of them durable.
//!
//! With `synchronous=FULL` every commit waits for the disk (1–2 ms here), and SQLite has one
//! writer at a time, so committing each press on its own caps a server at a few hundred
//! presses a second however many cores it has, and eight pool connections racing for the
//! write lock sleep in SQLite's busy handler while it is free. Here the changes queue fairly
//! in a channel instead; each runs inside its own SAVEPOINT of the shared transaction, so a
//! change that fails (a stale version, say) is rolled back alone and the others still
//! commit. Nobody is answered before the COMMIT that holds their change has returned: what
//! a caller is told is stored is on disk.
//!
//! A batch that does not commit (the disk is full, an I/O error, a savepoint that could not be
//! closed) is refused whole: every caller in it hears `NotCommitted`, no change after the
//! failing one is run, and the writer opens its connection again before the next batch, so
//! the next change is stored as soon as the disk takes it (see [`Conn`]).
//!
//! The same writer serves PostgreSQL ([`Writer::start_postgres`]): one task per process, one
//! transaction per batch, a savepoint per change. There a commit also costs a WAL flush, and
//! several processes write to one server: a stale version is found by the case row's UPDATE
//! (which waits for the other process's transaction holding the row and then sees its new
//! version), so the losing change is rolled back alone, as here. Only what differs is per
//! backend ([`Backend`]): how a batch begins, and SQLite's checkpoints.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use futures::future::BoxFuture;
use futures::FutureExt;
use sqlx::postgres::PgConnectOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{Connection, Database, Postgres, Sqlite};
use tokio::sync::{mpsc, oneshot};

use crate::{Result, StorageError};

/// Changes committed together at most; more wait for the next commit.
const MAX_BATCH: usize = 256;

/// Changes committed between two checkpoints (a change writes some ten pages to the log).
const CHECKPOINT_AFTER: u64 = 100;

/// Changes that may wait for the writer before callers wait to hand theirs over.
const QUEUE: usize = 1024;

/// A change for the writer: runs on the shared connection inside its own savepoint, and
/// returns what to tell its caller once the commit's outcome is known, and whether the
/// savepoint was closed cleanly (if not, the batch cannot be trusted and is rolled back).
type Job<DB> = Box<
    dyn for<'c> FnOnce(&'c mut <DB as Database>::Connection) -> BoxFuture<'c, (Settle, bool)>
        + Send,
>;

/// What the group commit needs to know of a backend.
pub(crate) trait Backend: Database {
    /// How a batch's transaction begins.
    const BEGIN: &'static str;
}

impl Backend for Sqlite {
    /// Takes the write lock at once: a batch never fails on a stale read snapshot.
    const BEGIN: &'static str = "BEGIN IMMEDIATE";
}

impl Backend for Postgres {
    /// READ COMMITTED: an UPDATE that waited for another process's transaction re-reads the
    /// row it waited for, so a version check sees the version that process committed.
    const BEGIN: &'static str = "BEGIN";
}

/// Tells a caller how it went, given the commit's outcome (`Err` with why it failed).
type Settle = Box<dyn FnOnce(std::result::Result<(), &str>) + Send>;

enum Message<DB: Database> {
    Job(Job<DB>),
    Close(oneshot::Sender<()>),
}

/// The handle callers write through. Cheap to clone; the task ends with [`Writer::close`].
pub(crate) struct Writer<DB: Database = Sqlite> {
    queue: mpsc::Sender<Message<DB>>,
    counts: Arc<Counts>,
}

impl<DB: Database> Clone for Writer<DB> {
    fn clone(&self) -> Self {
        Writer {
            queue: self.queue.clone(),
            counts: self.counts.clone(),
        }
    }
}

impl<DB: Database> std::fmt::Debug for Writer<DB> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer")
            .field("counts", &self.counts)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Default)]
struct Counts {
    changes: AtomicU64,
    commits: AtomicU64,
}

/// How many changes went through the writer, in how many commits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteStats {
    pub changes: u64,
    pub commits: u64,
}

impl Writer<Sqlite> {
    /// Opens the writer's own connection and starts its task on the current runtime.
    pub(crate) async fn start(options: &SqliteConnectOptions) -> Result<Writer> {
        // The writer never checkpoints on its own commits (copying a thousand pages into the
        // file and syncing it would stall every change queued behind): its own task does,
        // on its own connection, beside the writes.
        let own = options.clone().pragma("wal_autocheckpoint", "0");
        let conn = SqliteConnection::connect_with(&own).await?;
        let checkpointer = SqliteConnection::connect_with(options).await?;
        let (queue, jobs) = mpsc::channel(QUEUE);
        let counts = Arc::new(Counts::default());
        let conn = Conn {
            options: own,
            live: Some(conn),
        };
        let (ask, asked) = mpsc::channel(1);
        let checkpoints = Checkpoints {
            ask,
            task: tokio::spawn(checkpoints(checkpointer, asked)),
        };
        tokio::spawn(run(conn, jobs, counts.clone(), Some(checkpoints)));
        Ok(Writer { queue, counts })
    }
}

impl Writer<Postgres> {
    /// Opens this process's writer connection to PostgreSQL and starts its task. PostgreSQL
    /// checkpoints by itself: no checkpointer.
    pub(crate) async fn start_postgres(options: &PgConnectOptions) -> Result<Writer<Postgres>> {
        let conn = sqlx::PgConnection::connect_with(options).await?;
        let (queue, jobs) = mpsc::channel(QUEUE);
        let counts = Arc::new(Counts::default());
        let conn = Conn {
            options: options.clone(),
            live: Some(conn),
        };
        tokio::spawn(run(conn, jobs, counts.clone(), None));
        Ok(Writer { queue, counts })
    }
}

impl<DB: Backend> Writer<DB> {
    /// Runs `change` in the next group commit and answers once that commit is durable (or
    /// failed). `change` must not commit or roll back the connection it is given; returning an
    /// error rolls back what it wrote, and nothing else.
    pub(crate) async fn write<T, F>(&self, change: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut DB::Connection) -> BoxFuture<'c, Result<T>> + Send + 'static,
    {
        let (job, answer) = job::<DB, T, F>(change);
        self.queue
            .send(Message::Job(job))
            .await
            .map_err(|_| StorageError::NotCommitted("the database is closed".into()))?;
        answered(answer).await
    }

    /// Changes and commits so far: how much the group commit groups.
    pub(crate) fn stats(&self) -> WriteStats {
        WriteStats {
            changes: self.counts.changes.load(Ordering::Relaxed),
            commits: self.counts.commits.load(Ordering::Relaxed),
        }
    }

    /// Writes what is queued, closes the connection (checkpointing the WAL) and stops.
    pub(crate) async fn close(&self) {
        let (done, closed) = oneshot::channel();
        if self.queue.send(Message::Close(done)).await.is_ok() {
            let _ = closed.await;
        }
    }
}

/// Runs a change in a savepoint: released if it succeeded, rolled back if not. The flag says
/// whether the savepoint was closed as intended.
/// A change as a job for the queue, and where its answer will arrive.
fn job<DB, T, F>(change: F) -> (Job<DB>, oneshot::Receiver<Result<T>>)
where
    DB: Database,
    T: Send + 'static,
    F: for<'c> FnOnce(&'c mut DB::Connection) -> BoxFuture<'c, Result<T>> + Send + 'static,
{
    let (reply, answer) = oneshot::channel::<Result<T>>();
    let job: Job<DB> = Box::new(move |conn| {
        Box::pin(async move {
            let (result, clean) = in_savepoint::<DB, T, F>(conn, change).await;
            let settle = Box::new(move |committed: std::result::Result<(), &str>| {
                let told = match committed {
                    Ok(()) => result,
                    Err(why) => Err(StorageError::NotCommitted(why.to_owned())),
                };
                let _ = reply.send(told);
            }) as Settle;
            (settle, clean)
        })
    });
    (job, answer)
}

async fn answered<T>(answer: oneshot::Receiver<Result<T>>) -> Result<T> {
    answer.await.map_err(|_| {
        StorageError::NotCommitted("the database did not take the change (see the log)".into())
    })?
}

async fn in_savepoint<DB, T, F>(conn: &mut DB::Connection, change: F) -> (Result<T>, bool)
where
    DB: Database,
    F: for<'c> FnOnce(&'c mut DB::Connection) -> BoxFuture<'c, Result<T>>,
{
    let mut savepoint = match conn.begin().await {
        Ok(savepoint) => savepoint,
        Err(e) => return (Err(e.into()), false),
    };
    match change(&mut savepoint).await {
        Ok(value) => match savepoint.commit().await {
            Ok(()) => (Ok(value), true),
            Err(e) => (Err(e.into()), false),
        },
        Err(e) => {
            let clean = savepoint.rollback().await.is_ok();
            (Err(e), clean)
        }
    }
}

/// The writer's connection, opened again after a commit or rollback failed.
///
/// When a statement or the COMMIT fails with SQLITE_FULL or an I/O error (or a trigger
/// raises ROLLBACK), SQLite may roll the transaction back by itself. The ROLLBACK that follows
/// then fails, sqlx keeps counting the connection as inside a transaction, and every later
/// `BEGIN IMMEDIATE` is refused: one full disk would stop every change until a restart. So
/// after any batch that did not commit, the connection is closed (which rolls back whatever
/// SQLite still holds) and a fresh one opened for the next batch.
/// On PostgreSQL, the same: a connection the server dropped, or one left in an unknown state,
/// is replaced.
struct Conn<DB: Database> {
    options: <DB::Connection as Connection>::Options,
    live: Option<DB::Connection>,
}

impl<DB: Database> Conn<DB> {
    /// The connection, opened again if the last batch failed; `Err` if that fails too (the
    /// next batch tries again).
    async fn get(&mut self) -> Result<&mut DB::Connection> {
        if self.live.is_none() {
            let conn = DB::Connection::connect_with(&self.options).await?;
            tracing::info!("the writer's connection was opened again after a failed commit");
            self.live = Some(conn);
        }
        Ok(self.live.as_mut().expect("opened just now"))
    }

    /// Closes the connection; the next batch opens a new one.
    async fn reset(&mut self) {
        if let Some(conn) = self.live.take() {
            if let Err(e) = conn.close().await {
                tracing::warn!(error = %e, "closing the writer's failed connection");
            }
        }
    }

    async fn close(&mut self) {
        if let Some(conn) = self.live.take() {
            if let Err(e) = conn.close().await {
                tracing::warn!(error = %e, "closing the writer's connection");
            }
        }
    }
}

/// SQLite's checkpointer: asked for a checkpoint every [`CHECKPOINT_AFTER`] changes.
struct Checkpoints {
    ask: mpsc::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

async fn run<DB: Backend>(
    mut conn: Conn<DB>,
    mut queue: mpsc::Receiver<Message<DB>>,
    counts: Arc<Counts>,
    checkpoints: Option<Checkpoints>,
) {
    let mut closing = None;
    let mut since_checkpoint = 0;
    while let Some(first) = queue.recv().await {
        let mut batch = Vec::new();
        match first {
            Message::Job(job) => batch.push(job),
            Message::Close(done) => closing = Some(done),
        }
        while closing.is_none() && batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(Message::Job(job)) => batch.push(job),
                Ok(Message::Close(done)) => closing = Some(done),
                Err(_) => break,
            }
        }
        if !batch.is_empty() {
            let changes = batch.len() as u64;
            let committed = match conn.get().await {
                Ok(live) => commit_batch::<DB>(live, batch).await,
                Err(e) => {
                    // The jobs are dropped unrun; their callers hear that nothing was stored.
                    tracing::error!(error = %e, changes, "the writer cannot open its connection");
                    false
                }
            };
            if committed {
                counts.changes.fetch_add(changes, Ordering::Relaxed);
                counts.commits.fetch_add(1, Ordering::Relaxed);
                #[allow(clippy::cast_precision_loss)] // at most a few hundred
                metrics::histogram!(crate::metrics::CHANGES_PER_COMMIT).record(changes as f64);
                since_checkpoint += changes;
                if since_checkpoint >= CHECKPOINT_AFTER {
                    if let Some(checkpoints) = &checkpoints {
                        // Full: a checkpoint is asked for already.
                        let _ = checkpoints.ask.try_send(());
                    }
                    since_checkpoint = 0;
                }
            } else {
                conn.reset().await;
            }
        }
        if closing.is_some() {
            break;
        }
    }
    queue.close();
    if let Some(Checkpoints { ask, task }) = checkpoints {
        drop(ask);
        let _ = task.await;
    }
    conn.close().await;
    if let Some(done) = closing {
        let _ = done.send(());
    }
}

/// Moves the write-ahead log into the database file whenever the writer asks (and once more
/// when it stops, by closing). PASSIVE: it never waits for or blocks the writer; what it
/// could not copy yet is copied the next time. Ends with the writer.
async fn checkpoints(mut conn: SqliteConnection, mut asked: mpsc::Receiver<()>) {
    while asked.recv().await.is_some() {
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&mut conn)
            .await
        {
            tracing::warn!(error = %e, "checkpoint failed; will try again");
        }
    }
    if let Err(e) = conn.close().await {
        tracing::warn!(error = %e, "closing the checkpointer's connection");
    }
}

/// Runs a batch in one transaction and tells everyone how it ended; whether it committed.
/// After `false` the connection is not to be trusted (see [`Conn`]).
async fn commit_batch<DB: Backend>(conn: &mut DB::Connection, batch: Vec<Job<DB>>) -> bool {
    let mut tx = match conn.begin_with(DB::BEGIN).await {
        Ok(tx) => tx,
        Err(e) => {
            // The jobs are dropped unrun; their callers hear that the writer failed.
            tracing::error!(error = %e, changes = batch.len(), "could not start a write");
            return false;
        }
    };
    let mut settles = Vec::with_capacity(batch.len());
    let mut clean = true;
    for job in batch {
        if !clean {
            // A savepoint that could not be closed may mean SQLite has rolled the whole
            // transaction back already: a change run now would be stored on its own, outside
            // the batch that is about to be refused. The rest are dropped unrun (their
            // callers hear that nothing was stored).
            break;
        }
        // A panic in a change is a bug; it must not take every later write down with it.
        match AssertUnwindSafe(job(&mut *tx)).catch_unwind().await {
            Ok((settle, closed)) => {
                settles.push(settle);
                clean &= closed;
            }
            Err(_) => clean = false,
        }
    }
    let outcome = if clean {
        tx.commit().await.map_err(|e| e.to_string())
    } else {
        let _ = tx.rollback().await;
        Err("a change in the same commit failed halfway; nothing of it was stored".to_owned())
    };
    if let Err(why) = &outcome {
        tracing::error!(error = %why, changes = settles.len(), "a group commit failed");
    }
    for settle in settles {
        settle(outcome.as_ref().map(|_| ()).map_err(String::as_str));
    }
    outcome.is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Db;

    /// A change that writes one guild row (guild id `n`), then succeeds or fails.
    fn insert(
        n: i64,
        fail: bool,
    ) -> impl for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<i64>> + Send + 'static
    {
        move |conn| {
            Box::pin(async move {
                sqlx::query("INSERT INTO guild_settings (guild_id, updated_at) VALUES (?, 'now')")
                    .bind(n)
                    .execute(&mut *conn)
                    .await?;
                if fail {
                    return Err(StorageError::Invalid(format!("change {n} refused")));
                }
                Ok(n)
            })
        }
    }

    async fn guilds(db: &Db) -> Vec<i64> {
        sqlx::query_scalar("SELECT guild_id FROM guild_settings ORDER BY guild_id")
            .fetch_all(db.pool())
            .await
            .unwrap()
    }

    async fn temp() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("w.db").display().to_string())
            .await
            .unwrap();
        (dir, db)
    }

    /// Queues a change without waiting for its answer.
    async fn queue<F>(w: &Writer, change: F) -> oneshot::Receiver<Result<i64>>
    where
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<i64>> + Send + 'static,
    {
        let (job, answer) = job::<Sqlite, _, _>(change);
        w.queue.send(Message::Job(job)).await.unwrap();
        answer
    }

    /// A change that has started and holds the writer until opened.
    struct Held {
        gate: oneshot::Sender<()>,
        answer: oneshot::Receiver<Result<i64>>,
    }

    impl Held {
        fn open(self) -> oneshot::Receiver<Result<i64>> {
            self.gate.send(()).unwrap();
            self.answer
        }
    }

    async fn held(w: &Writer) -> Held {
        let (gate, wait) = oneshot::channel::<()>();
        let (started, has_started) = oneshot::channel::<()>();
        let answer = queue(w, move |conn| {
            Box::pin(async move {
                let _ = started.send(());
                let _ = wait.await;
                insert(1, false)(conn).await
            })
        })
        .await;
        has_started.await.unwrap();
        Held { gate, answer }
    }

    #[tokio::test]
    async fn waiting_changes_share_one_commit_and_a_failing_one_is_rolled_back_alone() {
        let (_dir, db) = temp().await;
        let w = db.writer().clone();
        let before = w.stats();
        // The first change holds the writer until the others are queued behind it.
        let first = held(&w).await;
        let second = queue(&w, insert(2, false)).await;
        let refused = queue(&w, insert(3, true)).await;
        let fourth = queue(&w, insert(4, false)).await;
        assert_eq!(answered(first.open()).await.unwrap(), 1);
        assert_eq!(answered(second).await.unwrap(), 2);
        assert!(matches!(
            answered(refused).await,
            Err(StorageError::Invalid(_))
        ));
        assert_eq!(answered(fourth).await.unwrap(), 4);
        assert_eq!(guilds(&db).await, vec![1, 2, 4]);
        let after = w.stats();
        assert_eq!(after.changes - before.changes, 4);
        assert_eq!(
            after.commits - before.commits,
            2,
            "the gate's commit, then one for the three queued behind it"
        );
    }

    #[tokio::test]
    async fn a_panicking_change_fails_its_batch_and_the_writer_goes_on() {
        let (_dir, db) = temp().await;
        let w = db.writer().clone();
        let first = held(&w).await;
        let panics = queue(&w, |conn| {
            Box::pin(async move {
                insert(2, false)(conn).await?;
                panic!("a bug in a change")
            })
        })
        .await;
        let third = queue(&w, insert(3, false)).await;
        assert_eq!(answered(first.open()).await.unwrap(), 1);
        assert!(matches!(
            answered(panics).await,
            Err(StorageError::NotCommitted(_))
        ));
        assert!(matches!(
            answered(third).await,
            Err(StorageError::NotCommitted(_))
        ));
        assert_eq!(guilds(&db).await, vec![1], "nothing of the broken batch");
        assert_eq!(w.write(insert(5, false)).await.unwrap(), 5);
        assert_eq!(guilds(&db).await, vec![1, 5]);
    }

    #[tokio::test]
    async fn a_batch_sqlite_rolled_back_itself_stores_nothing_and_the_writer_goes_on() {
        let (_dir, db) = temp().await;
        let w = db.writer().clone();
        // Guild 2's row makes SQLite roll the whole transaction back by itself, as it may
        // after a full disk or an I/O error.
        sqlx::query(
            "CREATE TRIGGER fail_two BEFORE INSERT ON guild_settings WHEN NEW.guild_id = 2
             BEGIN SELECT RAISE(ROLLBACK, 'injected fault'); END",
        )
        .execute(db.pool())
        .await
        .unwrap();
        let first = held(&w).await;
        let fails = queue(&w, insert(2, false)).await;
        let behind = queue(&w, insert(3, false)).await;
        assert_eq!(answered(first.open()).await.unwrap(), 1);
        assert!(matches!(
            answered(fails).await,
            Err(StorageError::NotCommitted(_))
        ));
        assert!(matches!(
            answered(behind).await,
            Err(StorageError::NotCommitted(_))
        ));
        assert_eq!(
            guilds(&db).await,
            vec![1],
            "the change behind it was not stored on its own outside the failed batch"
        );
        sqlx::query("DROP TRIGGER fail_two")
            .execute(db.pool())
            .await
            .unwrap();
        assert_eq!(w.write(insert(5, false)).await.unwrap(), 5);
        assert_eq!(guilds(&db).await, vec![1, 5]);
    }

    #[tokio::test]
    async fn closing_writes_what_is_queued_and_refuses_what_comes_after() {
        let (_dir, db) = temp().await;
        let w = db.writer().clone();
        let queued = queue(&w, insert(7, false)).await;
        db.close().await;
        assert_eq!(answered(queued).await.unwrap(), 7);
        assert!(matches!(
            w.write(insert(8, false)).await,
            Err(StorageError::NotCommitted(_))
        ));
    }

    /// The same group commit on PostgreSQL: its own writer connection, one transaction per
    /// batch, a savepoint per change.
    mod postgres {
        use super::*;
        use crate::pg::PgDb;
        use sqlx::PgConnection;

        async fn temp() -> PgDb {
            use std::sync::atomic::{AtomicU32, Ordering};
            static N: AtomicU32 = AtomicU32::new(0);
            let admin = std::env::var("LOS_TEST_POSTGRES").expect("LOS_TEST_POSTGRES is set");
            let name = format!(
                "los_writer_{}_{}",
                std::process::id(),
                N.fetch_add(1, Ordering::Relaxed)
            );
            crate::pg::create_postgres_database(&admin, &name)
                .await
                .unwrap();
            let slash = admin.rfind('/').unwrap();
            PgDb::open(&format!("{}/{name}", &admin[..slash]))
                .await
                .unwrap()
        }

        /// A change that writes one guild row (guild id `n`) and then succeeds or fails:
        /// `Fail::Refused` by its own answer, `Fail::Sql` by a statement PostgreSQL refuses
        /// (which aborts the transaction up to the change's savepoint).
        fn insert(
            n: i64,
            fail: Option<Fail>,
        ) -> impl for<'c> FnOnce(&'c mut PgConnection) -> BoxFuture<'c, Result<i64>> + Send + 'static
        {
            move |conn| {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO guild_settings (guild_id, updated_at) VALUES ($1, now())",
                    )
                    .bind(n)
                    .execute(&mut *conn)
                    .await?;
                    match fail {
                        None => Ok(n),
                        Some(Fail::Refused) => {
                            Err(StorageError::Invalid(format!("change {n} refused")))
                        }
                        Some(Fail::Sql) => {
                            sqlx::query("SELECT 1 / 0").execute(&mut *conn).await?;
                            Ok(n)
                        }
                    }
                })
            }
        }

        #[derive(Clone, Copy)]
        enum Fail {
            Refused,
            Sql,
        }

        async fn guilds(db: &PgDb) -> Vec<i64> {
            sqlx::query_scalar("SELECT guild_id FROM guild_settings ORDER BY guild_id")
                .fetch_all(&db.pool)
                .await
                .unwrap()
        }

        async fn queue<F>(w: &Writer<Postgres>, change: F) -> oneshot::Receiver<Result<i64>>
        where
            F: for<'c> FnOnce(&'c mut PgConnection) -> BoxFuture<'c, Result<i64>> + Send + 'static,
        {
            let (job, answer) = job::<Postgres, _, _>(change);
            w.queue.send(Message::Job(job)).await.unwrap();
            answer
        }

        #[tokio::test]
        #[cfg_attr(
            not(los_postgres),
            ignore = "needs PostgreSQL: export LOS_TEST_POSTGRES=\"$(.ci/postgres)\""
        )]
        async fn waiting_changes_share_one_commit_and_failing_ones_are_rolled_back_alone() {
            let db = temp().await;
            let w = db.writer.clone();
            let before = w.stats();
            // The first change holds the writer until the others are queued behind it.
            let (gate, wait) = oneshot::channel::<()>();
            let (started, has_started) = oneshot::channel::<()>();
            let first = queue(&w, move |conn| {
                Box::pin(async move {
                    let _ = started.send(());
                    let _ = wait.await;
                    insert(1, None)(conn).await
                })
            })
            .await;
            has_started.await.unwrap();
            let second = queue(&w, insert(2, None)).await;
            let refused = queue(&w, insert(3, Some(Fail::Refused))).await;
            let broken = queue(&w, insert(4, Some(Fail::Sql))).await;
            let fifth = queue(&w, insert(5, None)).await;
            gate.send(()).unwrap();
            assert_eq!(answered(first).await.unwrap(), 1);
            assert_eq!(answered(second).await.unwrap(), 2);
            assert!(matches!(
                answered(refused).await,
                Err(StorageError::Invalid(_))
            ));
            assert!(matches!(answered(broken).await, Err(StorageError::Db(_))));
            assert_eq!(answered(fifth).await.unwrap(), 5);
            assert_eq!(guilds(&db).await, vec![1, 2, 5]);
            let after = w.stats();
            assert_eq!(after.changes - before.changes, 5);
            assert_eq!(
                after.commits - before.commits,
                2,
                "the gate's commit, then one for the four queued behind it"
            );
            db.close().await;
            assert!(matches!(
                w.write(insert(8, None)).await,
                Err(StorageError::NotCommitted(_))
            ));
        }
    }
}
