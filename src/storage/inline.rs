//! The statements nearly every update runs, on the runtime thread, through a synchronous
//! connection to the same SQLite file (rusqlite, on the same library as sqlx): the inbox's
//! writes (a polled batch, the replied / done marks) and a check-in's point reads and merge.
//!
//! Why: through sqlx every statement is a round trip to the connection's worker thread, two
//! wake-ups that are most of what an update costs beyond the work itself (issue 13,
//! docs/PERFORMANCE.md). These statements touch a few rows each, done in microseconds.
//!
//! It never waits for a lock: with the runtime thread blocked, a transaction that another task
//! holds open could not go on. When the file is locked the statement answers `Busy`, and the
//! caller goes the usual (async) way with the same SQL.

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, Params, params};

use super::inbox::{INSERT_CLAIMED, InboxMark};
use super::{Channel, Checkin, Goal};

#[derive(Debug)]
pub struct Inline(Mutex<Connection>);

/// Not written: another connection held the file's write lock.
pub struct Busy;

impl Inline {
    /// Opens the file sqlx opened (it exists, in WAL mode, migrated).
    pub fn open(path: &Path) -> rusqlite::Result<Inline> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(Duration::ZERO)?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "cache_size", "-512")?;
        Ok(Inline(Mutex::new(conn)))
    }

    /// See `Store::inbox_put_claimed`: the ids inserted.
    pub fn put_claimed(
        &self,
        updates: &[(i64, String)],
        now: i64,
    ) -> rusqlite::Result<Result<Vec<i64>, Busy>> {
        self.write(updates.len(), |conn| {
            let mut insert = conn.prepare_cached(INSERT_CLAIMED)?;
            let mut inserted = Vec::with_capacity(updates.len());
            for (update_id, body) in updates {
                if insert.execute(params![update_id, body, now])? == 1 {
                    inserted.push(*update_id);
                }
            }
            Ok(inserted)
        })
    }

    /// See `Store::inbox_mark`.
    pub fn mark(
        &self,
        mark: InboxMark,
        update_ids: &[i64],
        now: i64,
    ) -> rusqlite::Result<Result<(), Busy>> {
        let sql = match mark {
            InboxMark::Replied => {
                "UPDATE inbox SET replied_at = COALESCE(replied_at, ?2) WHERE update_id = ?1"
            }
            InboxMark::Done => {
                "UPDATE inbox SET done_at = COALESCE(done_at, ?2) WHERE update_id = ?1"
            }
            InboxMark::RepliedAndDone => {
                "UPDATE inbox SET done_at = COALESCE(done_at, ?2), \
                 replied_at = COALESCE(replied_at, ?2) WHERE update_id = ?1"
            }
        };
        self.write(update_ids.len(), |conn| {
            let mut update = conn.prepare_cached(sql)?;
            for id in update_ids {
                update.execute(params![id, now])?;
            }
            Ok(())
        })
    }

    /// Every row `sql` selects. Under WAL a read does not wait for a writer; `Busy` is left
    /// for the rare moments it still could (a WAL being recovered).
    pub fn all<T: InlineRow>(
        &self,
        sql: &str,
        params: impl Params,
    ) -> rusqlite::Result<Result<Vec<T>, Busy>> {
        let conn = self.lock();
        let rows = conn
            .prepare_cached(sql)
            .and_then(|mut stmt| stmt.query_map(params, T::from_inline)?.collect());
        unless_busy(rows)
    }

    /// The first row `sql` answers, if any: a point read, or one statement that writes and
    /// returns its row (atomic by itself, so no transaction around it). The statement is run
    /// to its end: a write commits there, and an error in the commit must not be lost in the
    /// statement's reset while its row is reported written.
    pub fn first<T: InlineRow>(
        &self,
        sql: &str,
        params: impl Params,
    ) -> rusqlite::Result<Result<Option<T>, Busy>> {
        let conn = self.lock();
        let row = conn.prepare_cached(sql).and_then(|mut stmt| {
            let mut rows = stmt.query(params)?;
            let first = rows.next()?.map(T::from_inline).transpose()?;
            while rows.next()?.is_some() {}
            Ok(first)
        });
        unless_busy(row)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `body`, which writes `rows` rows, atomically, or answers `Busy` without waiting.
    /// One row is one statement, atomic by itself; several go in one immediate transaction,
    /// begun and ended through cached statements (rusqlite's `Transaction` parses `BEGIN` and
    /// `COMMIT` anew each time, a sixth of an update's instructions, issue 13).
    fn write<T>(
        &self,
        rows: usize,
        body: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<Result<T, Busy>> {
        let conn = self.lock();
        if rows <= 1 {
            return unless_busy(body(&conn));
        }
        let run = |sql: &str| conn.prepare_cached(sql).and_then(|mut s| s.execute([]));
        if let Err(Busy) = unless_busy(run("BEGIN IMMEDIATE"))? {
            return Ok(Err(Busy));
        }
        let written =
            body(&conn).and_then(|out| unless_busy(run("COMMIT")).map(|c| c.map(|_| out)));
        if !matches!(written, Ok(Ok(_))) {
            // Nothing of it stays, and the connection is not left inside the transaction.
            let _ = run("ROLLBACK");
        }
        written
    }
}

fn unless_busy<T>(result: rusqlite::Result<T>) -> rusqlite::Result<Result<T, Busy>> {
    match result {
        Ok(value) => Ok(Ok(value)),
        Err(err) if is_busy(&err) => Ok(Err(Busy)),
        Err(err) => Err(err),
    }
}

fn is_busy(err: &rusqlite::Error) -> bool {
    matches!(
        err.sqlite_error_code(),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    )
}

/// A row the inline connection reads: each field from the column of its name, as sqlx's
/// `FromRow` reads the same struct (one model, read two ways).
pub trait InlineRow: Sized {
    fn from_inline(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self>;
}

/// Implements [`InlineRow`] from the struct's field list; a field left out (or added to the
/// struct and not here) does not compile.
macro_rules! inline_row {
    ($model:ident { $($field:ident),* $(,)? }) => {
        impl InlineRow for $model {
            fn from_inline(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
                Ok($model { $($field: row.get(stringify!($field))?),* })
            }
        }
    };
}

inline_row!(Channel {
    id,
    chat_id,
    name,
    tier,
    monthly_budget,
    owner_id,
    owner_username,
    removed_at,
    created_at,
    updated_at,
});
inline_row!(Goal {
    id,
    chat_id,
    metric,
    channel,
    direction,
    period,
    value,
    created_at,
    updated_at,
});
inline_row!(Checkin {
    id,
    chat_id,
    channel,
    day,
    creative,
    spend,
    impressions,
    clicks,
    orders,
    gmv,
    leads,
    new_customers,
    interactions,
    author_id,
    created_at,
    updated_at,
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::Store;
    use sqlx::Connection as _;

    async fn store_in(dir: &tempfile::TempDir) -> (Store, String) {
        let url = format!("sqlite://{}", dir.path().join("inline.db").display());
        (Store::open(&url).await.expect("store"), url)
    }

    /// With another connection holding the write lock, the inline write answers at once
    /// instead of waiting, and writes once the lock is free.
    #[tokio::test]
    async fn a_locked_file_is_answered_busy_at_once() {
        let dir = tempfile::tempdir().expect("dir");
        let (store, _) = store_in(&dir).await;
        let inline = Inline::open(&dir.path().join("inline.db")).expect("open");
        let other = Connection::open(dir.path().join("inline.db")).expect("other");
        other.execute_batch("BEGIN IMMEDIATE").expect("lock");
        let rows = [(1, "{}".to_string())];
        assert!(matches!(inline.put_claimed(&rows, 10), Ok(Err(Busy))));
        let two = [(2, "{}".to_string()), (3, "{}".to_string())];
        assert!(matches!(inline.put_claimed(&two, 10), Ok(Err(Busy))));
        assert!(matches!(
            inline.mark(InboxMark::Done, &[1], 11),
            Ok(Err(Busy))
        ));
        other.execute_batch("COMMIT").expect("unlock");
        assert!(matches!(inline.put_claimed(&rows, 10), Ok(Ok(ids)) if ids == [1]));
        assert!(matches!(inline.put_claimed(&rows, 10), Ok(Ok(ids)) if ids.is_empty()));
        assert!(matches!(inline.mark(InboxMark::Done, &[1], 11), Ok(Ok(()))));
        let (stored, _, _, done) = store.inbox_counts().await.expect("counts");
        assert_eq!((stored, done), (1, 1));
    }

    /// A batch that fails part-way leaves nothing of itself, and the connection is not left
    /// inside its transaction: the next write goes through.
    #[tokio::test]
    async fn a_batch_that_fails_part_way_writes_nothing() {
        let dir = tempfile::tempdir().expect("dir");
        let (store, _) = store_in(&dir).await;
        let inline = Inline::open(&dir.path().join("inline.db")).expect("open");
        let failed = inline.write(2, |conn| {
            conn.execute(INSERT_CLAIMED, params![1, "{}", 5])?;
            conn.execute("INSERT INTO no_such_table VALUES (1)", [])
        });
        assert!(failed.is_err());
        assert!(inline.lock().is_autocommit(), "rolled back");
        let rows = [(2, "{}".to_string()), (3, "{}".to_string())];
        assert!(matches!(inline.put_claimed(&rows, 10), Ok(Ok(ids)) if ids == [2, 3]));
        let (stored, _, _, _) = store.inbox_counts().await.expect("counts");
        assert_eq!(stored, 2, "update 1 was not kept");
    }

    /// On this one-thread runtime, a transaction held open by another task is not waited for
    /// on the runtime thread (it could never finish): the store's write goes the async way and
    /// lands once that transaction commits.
    #[tokio::test]
    async fn a_write_behind_an_open_transaction_does_not_stall_the_runtime() {
        let dir = tempfile::tempdir().expect("dir");
        let (store, url) = store_in(&dir).await;
        let mut other = sqlx::SqliteConnection::connect(&url).await.expect("other");
        sqlx::raw_sql("BEGIN IMMEDIATE")
            .execute(&mut other)
            .await
            .expect("lock");
        let rows = [(7, "{}".to_string())];
        let (put, committed) = tokio::join!(store.inbox_put_claimed(&rows, 20), async {
            tokio::task::yield_now().await;
            sqlx::raw_sql("COMMIT").execute(&mut other).await
        });
        committed.expect("commit");
        assert_eq!(put.expect("put"), [7]);
    }

    /// One model read two ways: every field of a channel, a goal and a check-in (NULLs, an
    /// owner, a tier) reads the same through the inline connection as through sqlx.
    #[tokio::test]
    async fn rows_read_inline_are_the_rows_sqlx_reads() {
        use crate::domain::ids::{ChatId, UserId};
        use crate::domain::playbook::Tier;
        use crate::storage::{NewCheckin, NewGoal, NewTeam};
        let dir = tempfile::tempdir().expect("dir");
        let (store, _) = store_in(&dir).await;
        let inline = Inline::open(&dir.path().join("inline.db")).expect("open");
        let chat = ChatId(-100);
        let team = NewTeam {
            chat_id: chat,
            title: "T",
            detected_lang: Some("en"),
            tz: "Asia/Shanghai",
        };
        store.ensure_team(&team, 1).await.expect("team");
        let taobao = store
            .add_channel(chat, "taobao", Tier::Test, 500_000, 2)
            .await
            .expect("channel");
        store
            .set_channel_owner(taobao.id, Some(UserId(7)), Some("li"), 3)
            .await
            .expect("owner");
        store
            .add_channel(chat, "douyin", Tier::Core, 0, 4)
            .await
            .expect("channel");
        let goal = NewGoal {
            chat_id: chat,
            metric: "gmv",
            channel: "taobao",
            direction: "volume",
            period: "week",
            value: 90_000,
        };
        store.set_goal(&goal, 5).await.expect("goal");
        let mut row = NewCheckin {
            chat_id: chat,
            channel: "taobao",
            day: "2026-12-01",
            creative: "",
            spend: Some(12_345),
            impressions: None,
            clicks: Some(10),
            orders: None,
            gmv: None,
            leads: Some(3),
            new_customers: None,
            interactions: None,
            author_id: Some(UserId(7)),
        };
        let merged_async = store.put_checkins(&[row.clone()], 6).await.expect("put");
        row.day = "2026-12-02";
        row.author_id = None;

        let super::super::Pool::Sqlite(pool) = &store.pool else {
            panic!("sqlite")
        };
        let channels_sql = "SELECT * FROM channels WHERE chat_id = $1 ORDER BY name";
        let by_sqlx: Vec<Channel> = sqlx::query_as(channels_sql)
            .bind(chat)
            .fetch_all(pool)
            .await
            .expect("sqlx");
        let Ok(Ok(inline_rows)) = inline.all::<Channel>(channels_sql, [chat]) else {
            panic!("inline channels")
        };
        assert_eq!(inline_rows, by_sqlx);
        assert_eq!(inline_rows.len(), 2);
        let goals_sql = "SELECT * FROM goals WHERE chat_id = $1";
        let by_sqlx: Vec<Goal> = sqlx::query_as(goals_sql)
            .bind(chat)
            .fetch_all(pool)
            .await
            .expect("sqlx");
        assert!(matches!(inline.all::<Goal>(goals_sql, [chat]), Ok(Ok(g)) if g == by_sqlx));
        let key = "SELECT * FROM checkins WHERE chat_id = $1 AND day = $2";
        let Ok(Ok(Some(read))) = inline.first::<Checkin>(key, params![chat, "2026-12-01"]) else {
            panic!("inline checkin")
        };
        assert_eq!(read, merged_async[0].0);
        assert!(matches!(
            inline.first::<Checkin>(key, params![chat, "2026-12-02"]),
            Ok(Ok(None))
        ));
        // The merge through the store (inline on a file) returns what sqlx then reads.
        let stored = store.merge_checkin(&row, 8).await.expect("merge");
        let by_sqlx: Checkin = sqlx::query_as(key)
            .bind(chat)
            .bind("2026-12-02")
            .fetch_one(pool)
            .await
            .expect("sqlx");
        assert_eq!(stored, by_sqlx);
        assert_eq!((stored.spend, stored.impressions), (Some(12_345), None));
    }

    /// Reads go on while another connection holds the write lock (WAL); the merge does not
    /// wait on the runtime thread, goes the async way and lands once the lock is free.
    #[tokio::test]
    async fn a_checkin_behind_an_open_transaction_reads_inline_and_merges_after_it() {
        use crate::domain::ids::ChatId;
        use crate::domain::playbook::Tier;
        use crate::storage::{NewCheckin, NewTeam};
        let dir = tempfile::tempdir().expect("dir");
        let (store, url) = store_in(&dir).await;
        let chat = ChatId(-5);
        let team = NewTeam {
            chat_id: chat,
            title: "T",
            detected_lang: None,
            tz: "UTC",
        };
        store.ensure_team(&team, 1).await.expect("team");
        store
            .add_channel(chat, "jd", Tier::Core, 0, 2)
            .await
            .expect("channel");
        let mut other = sqlx::SqliteConnection::connect(&url).await.expect("other");
        sqlx::raw_sql("BEGIN IMMEDIATE")
            .execute(&mut other)
            .await
            .expect("lock");
        let inline = store.inline.as_deref().expect("a file has one");
        let channels_sql = "SELECT * FROM channels WHERE chat_id = $1";
        assert!(matches!(inline.all::<Channel>(channels_sql, [chat]), Ok(Ok(c)) if c.len() == 1));
        let row = NewCheckin {
            chat_id: chat,
            channel: "jd",
            day: "2026-12-03",
            creative: "",
            spend: Some(100),
            impressions: None,
            clicks: None,
            orders: None,
            gmv: None,
            leads: None,
            new_customers: None,
            interactions: None,
            author_id: None,
        };
        let (merged, committed) = tokio::join!(store.merge_checkin(&row, 9), async {
            tokio::task::yield_now().await;
            sqlx::raw_sql("COMMIT").execute(&mut other).await
        });
        committed.expect("commit");
        assert_eq!(merged.expect("merge").spend, Some(100));
        let read = store
            .checkin(chat, "jd", "2026-12-03", "")
            .await
            .expect("read");
        assert_eq!(read.and_then(|c| c.spend), Some(100));
    }
}
