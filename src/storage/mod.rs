//! The Store: every read and write the bot makes, one contract over two backends.
//!
//! SQL is written once with `$n` placeholders (both SQLite and PostgreSQL accept them) and run
//! on whichever pool the URL selected, through `on_pool!`. Where the dialects truly differ
//! (claiming jobs) the difference is spelled out at that one place.

mod abtest;
mod checkins;
mod ids;
mod imports;
mod inbox;
mod inline;
mod jobs;
mod judgement;
mod known_checkins;
mod models;
mod plan;
mod plan_cache;
mod plan_listener;
mod report_queries;
mod tasks;
mod teams;

pub use abtest::{CreativeSpan, CreativeSums};
pub use inbox::{INBOX_LEASE_SECS, INBOX_MAX_ATTEMPTS, InboxMark};
pub use jobs::CLAIM_LEASE_SECS;
pub use report_queries::ReviewChange;
pub use tasks::{TaskJob, TaskWrite};

pub use models::*;

use plan_cache::PlanChange;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::ConnectOptions;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{PgPool, SqlitePool};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported DATABASE_URL {0:?}: expected sqlite:<file> or postgres://…")]
    BadUrl(String),
    #[error("not found")]
    NotFound,
    #[error("database error: {0}")]
    Inline(#[from] rusqlite::Error),
}

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Clone, Debug)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs the same body against whichever pool this store has; the body is type-checked for both.
macro_rules! on_pool {
    ($self:expr, |$pool:ident| $body:expr) => {
        match &$self.pool {
            $crate::storage::Pool::Sqlite($pool) => $body,
            $crate::storage::Pool::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// Which database a URL selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// An application name of its own for each store (each instance, and each store in a test).
fn instance_name() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros());
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("campaign-bot {}-{started}-{n}", std::process::id())
}

impl Backend {
    pub fn of_url(url: &str) -> Result<Backend, StoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else {
            Err(StoreError::BadUrl(url.to_string()))
        }
    }
}

/// How long a PostgreSQL connection may sit idle before it is pinged on its next use.
const PG_PING_AFTER_IDLE: Duration = Duration::from_secs(30);

#[derive(Clone, Debug)]
pub struct Store {
    pool: Pool,
    /// A SQLite file's own connections, beside the pool, for the short statements every update
    /// runs: a statement on one is one round trip to its worker thread, where through the pool
    /// it is three (sqlx 0.9 pings a connection when it goes back, from a task it spawns).
    /// `writer` takes the inbox's marks and a check-in's merge; `reader` the point reads (a
    /// team, its channels and goals, a check-in), which under WAL never wait for a writer.
    /// On a file most of those run on `inline` first; these take them when the file is
    /// locked, and the team's read. None for PostgreSQL and in-memory SQLite (one connection
    /// only).
    writer: Option<OwnConnection>,
    reader: Option<OwnConnection>,
    /// The same for PostgreSQL, where the pool's release ping is a round trip to the server:
    /// connected at first use, dropped on any error (the next statement connects again),
    /// pinged first after sitting idle like the pool's. There `pg_writer` stores and claims
    /// updates, and `pg_unflushed` takes the marks and a check-in's write, committing without
    /// waiting for the WAL flush (see `UNFLUSHED_SESSION`).
    pg_writer: Option<OwnPg>,
    pg_reader: Option<OwnPg>,
    pg_unflushed: Option<OwnPg>,
    /// Teams, channels and goals as last read (see `plan_cache`).
    plan_cache: Arc<plan_cache::PlanCache>,
    /// PostgreSQL: hears peers' changes to them, started at the first read of one (a store
    /// that never reads them, such as an administrative one, never listens).
    plan_listener: Option<Arc<std::sync::OnceLock<plan_listener::PlanListener>>>,
    /// The inbox's writes and a check-in's statements on the runtime thread: a SQLite file
    /// only (see `inline`).
    inline: Option<Arc<inline::Inline>>,
    /// The check-in rows this process last saw stored (see `known_checkins`).
    known_checkins: Arc<known_checkins::KnownCheckins>,
}

type OwnConnection = Arc<tokio::sync::Mutex<Option<SqliteConnection>>>;

/// A PostgreSQL connection of the store's own and when it was last used.
type OwnPg = Arc<tokio::sync::Mutex<Option<(PgConnection, std::time::Instant)>>>;

/// The session settings of the PostgreSQL connection for an update's marks and its one-row
/// check-in (issue 13: the flush was a fifth of such a write's server CPU). They commit without
/// waiting for the WAL flush: visible at once, durable within the WAL writer's next round (≤ 3 ×
/// `wal_writer_delay`, 600 ms by default). A crash of the server itself can lose the last of
/// them, always the latest (the WAL is flushed in order; an update's marks follow its check-in
/// on this connection):
/// - a lost check-in is never silent: its update's marks are lost with it, so the update,
///   stored (waiting for the flush) before Telegram was told it arrived, is handled again and
///   merges to the same numbers;
/// - a lost mark means its update is handled again: a reply sent twice, or a command that is
///   not a merge (a task added) done twice, as after a crash of the bot between its reply and
///   its mark, for up to 600 ms of marks instead of milliseconds.
///
/// SQLite runs every write with `synchronous = NORMAL`, where a power cut loses the latest
/// transactions the same way.
const UNFLUSHED_SESSION: &[(&str, &str)] = &[("synchronous_commit", "off")];

/// The connection in `slot`, taken out (it goes back only after a statement succeeded), or a
/// new one with the pool's options and `session` settings; pinged first when it sat idle (a
/// server or a firewall may have dropped it).
pub(crate) async fn take_own_pg(
    slot: &mut Option<(PgConnection, std::time::Instant)>,
    pool: &sqlx::PgPool,
    session: &[(&str, &str)],
) -> StoreResult<PgConnection> {
    if let Some((mut conn, used)) = slot.take()
        && (used.elapsed() <= PG_PING_AFTER_IDLE || sqlx::Connection::ping(&mut conn).await.is_ok())
    {
        return Ok(conn);
    }
    let options = pool.connect_options();
    if session.is_empty() {
        return Ok(options.connect().await?);
    }
    Ok(options
        .as_ref()
        .clone()
        .options(session.iter().copied())
        .connect()
        .await?)
}

/// Runs a statement on one of the store's own connections (see `Store::writer`) when there is
/// one, else on the pool; like `on_pool!`, the body is type-checked for each executor. On
/// PostgreSQL a statement that fails (or is cancelled) returns early and its connection is
/// dropped with it, so a broken one is never reused.
macro_rules! on_own {
    ($self:expr, $conn:ident, $pg:ident, $session:expr, |$exec:ident| $body:expr) => {
        match &$self.pool {
            $crate::storage::Pool::Sqlite(pool) => {
                let mut own = match &$self.$conn {
                    Some(conn) => Some(conn.lock().await),
                    None => None,
                };
                match own.as_mut().and_then(|c| c.as_mut()) {
                    Some($exec) => $body,
                    None => {
                        let $exec = pool;
                        $body
                    }
                }
            }
            $crate::storage::Pool::Postgres(pool) => match &$self.$pg {
                Some(slot) => {
                    let mut slot = slot.lock().await;
                    let mut conn = $crate::storage::take_own_pg(&mut slot, pool, $session).await?;
                    let out = {
                        let $exec = &mut conn;
                        $body
                    };
                    *slot = Some((conn, std::time::Instant::now()));
                    out
                }
                None => {
                    let $exec = pool;
                    $body
                }
            },
        }
    };
}
pub(crate) use on_own;

/// [`on_own!`] on the writer connection: short single-statement writes.
macro_rules! on_writer {
    ($self:expr, |$exec:ident| $body:expr) => {
        $crate::storage::on_own!($self, writer, pg_writer, &[], |$exec| $body)
    };
}
pub(crate) use on_writer;

/// [`on_own!`] for an update's marks and its one-row check-in: SQLite's writer connection;
/// PostgreSQL's connection that does not wait for the WAL flush (see `UNFLUSHED_SESSION`).
macro_rules! on_unflushed_writer {
    ($self:expr, |$exec:ident| $body:expr) => {
        $crate::storage::on_own!(
            $self,
            writer,
            pg_unflushed,
            $crate::storage::UNFLUSHED_SESSION,
            |$exec| $body
        )
    };
}
pub(crate) use on_unflushed_writer;

/// [`on_own!`] on the reader connection: point reads.
macro_rules! on_reader {
    ($self:expr, |$exec:ident| $body:expr) => {
        $crate::storage::on_own!($self, reader, pg_reader, &[], |$exec| $body)
    };
}
pub(crate) use on_reader;

impl Store {
    /// Connects (creating a SQLite file if missing, in WAL mode) and applies migrations.
    pub async fn open(url: &str) -> StoreResult<Store> {
        let store = Self::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    pub async fn connect(url: &str) -> StoreResult<Store> {
        let mut inline = None;
        let (pool, writer, reader, pg_own) = match Backend::of_url(url)? {
            Backend::Sqlite => {
                let in_memory = url.contains(":memory:") || url.contains("mode=memory");
                let mut options = SqliteConnectOptions::from_str(url)?
                    .create_if_missing(true)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
                    // 512 KiB of page cache per connection instead of SQLite's 2 MiB: lookups
                    // are index-bound and the OS caches the file anyway (issue 8, load).
                    .pragma("cache_size", "-512");
                if !in_memory {
                    options = options
                        .journal_mode(SqliteJournalMode::Wal)
                        .synchronous(SqliteSynchronous::Normal);
                }
                // An in-memory database exists per connection, so it must have exactly one.
                // Otherwise two: each connection is a thread with its own caches, and on two
                // cores more add memory, not throughput (issue 8, load).
                let max = if in_memory { 1 } else { 2 };
                let (writer, reader) = if in_memory {
                    (None, None)
                } else {
                    let own = || async {
                        let conn = options.connect().await?;
                        Ok::<_, sqlx::Error>(Arc::new(tokio::sync::Mutex::new(Some(conn))))
                    };
                    (Some(own().await?), Some(own().await?))
                };
                // No ping before each statement: a SQLite connection is a worker thread in this
                // process, and the ping is a round trip to it that costs thread wake-ups (the
                // pool still pings on release). A third of the round trips per statement.
                let pool = SqlitePoolOptions::new()
                    .max_connections(max)
                    .test_before_acquire(false)
                    .connect_with(options.clone())
                    .await?;
                if !in_memory {
                    inline = Some(Arc::new(inline::Inline::open(options.get_filename())?));
                }
                (Pool::Sqlite(pool), writer, reader, false)
            }
            Backend::Postgres => {
                // Names this store's connections, so its plan listener tells its own writes'
                // notices from its peers' (`plan_listener`).
                let options = PgConnectOptions::from_str(url)?.application_name(&instance_name());
                // A connection is pinged before use only after it sat idle a while (a server or
                // a firewall may have dropped it then), not before every statement: each ping
                // is a round trip to the server. The pool still pings on release.
                let pool = Pool::Postgres(
                    PgPoolOptions::new()
                        .max_connections(8)
                        .acquire_timeout(Duration::from_secs(10))
                        .test_before_acquire(false)
                        .before_acquire(|conn, meta| {
                            Box::pin(async move {
                                if meta.idle_for > PG_PING_AFTER_IDLE {
                                    sqlx::Connection::ping(conn).await?;
                                }
                                Ok(true)
                            })
                        })
                        .connect_with(options)
                        .await?,
                );
                (pool, None, None, true)
            }
        };
        let (plan_cache, plan_listener) = match &pool {
            Pool::Sqlite(_) => (Arc::new(plan_cache::PlanCache::serving()), None),
            Pool::Postgres(_) => (Arc::default(), Some(Arc::default())),
        };
        Ok(Store {
            pool,
            writer,
            reader,
            pg_writer: pg_own.then(OwnPg::default),
            pg_reader: pg_own.then(OwnPg::default),
            pg_unflushed: pg_own.then(OwnPg::default),
            plan_cache,
            plan_listener,
            inline,
            known_checkins: Arc::default(),
        })
    }

    /// Whether teams, channels and goals are served from memory: always on SQLite; on
    /// PostgreSQL once this store has read one and while it hears peers' changes.
    pub fn plan_cache_serving(&self) -> bool {
        self.plan_cache.is_serving()
    }

    /// Wakes at every change the plan cache takes in (a write, a peer's notice, listening
    /// started or lost), so a caller waits for one instead of polling.
    pub fn plan_changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.plan_cache.subscribe()
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn migrate(&self) -> StoreResult<()> {
        match &self.pool {
            Pool::Sqlite(pool) => sqlx::migrate!("migrations/sqlite").run(pool).await?,
            Pool::Postgres(pool) => sqlx::migrate!("migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    pub async fn close(&self) {
        if let Some(listener) = self.plan_listener.as_deref().and_then(|l| l.get()) {
            listener.stop().await;
        }
        for own in [&self.writer, &self.reader].into_iter().flatten() {
            if let Some(conn) = own.lock().await.take() {
                let _ = sqlx::Connection::close(conn).await;
            }
        }
        for own in [&self.pg_writer, &self.pg_reader, &self.pg_unflushed]
            .into_iter()
            .flatten()
        {
            if let Some((conn, _)) = own.lock().await.take() {
                let _ = sqlx::Connection::close(conn).await;
            }
        }
        on_pool!(self, |pool| pool.close().await)
    }
}

impl Store {
    /// `op` on the inline connection (a SQLite file, see `inline`): its answer, or None when
    /// there is no such connection or the file was locked, and the caller goes the async way.
    pub(crate) fn on_inline<T>(
        &self,
        op: impl FnOnce(&inline::Inline) -> rusqlite::Result<Result<T, inline::Busy>>,
    ) -> StoreResult<Option<T>> {
        match &self.inline {
            Some(inline) => Ok(op(inline)?.ok()),
            None => Ok(None),
        }
    }

    /// Runs one statement as is: for administrative commands in tests and benchmarks
    /// (CREATE DATABASE …), never with user input.
    pub async fn execute_raw(&self, sql: &str) -> StoreResult<u64> {
        // It may change anything, the plan included.
        let _plan = self.plan_changing(PlanChange::All);
        Ok(on_pool!(self, |pool| sqlx::raw_sql(sqlx::AssertSqlSafe(
            sql
        ))
        .execute(pool)
        .await?
        .rows_affected()))
    }
}

impl StoreError {
    /// A unique constraint refused the write: the thing already exists.
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Db(sqlx::Error::Database(e)) if e.is_unique_violation())
    }
}
