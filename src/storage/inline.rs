//! The inbox's writes (a polled batch, the replied / done marks) on the runtime thread, through
//! a synchronous connection to the same SQLite file (rusqlite, on the same library as sqlx).
//!
//! Why: through sqlx every statement is a round trip to the connection's worker thread, two
//! wake-ups that are most of what an update costs beyond the work itself (issue 13,
//! docs/PERFORMANCE.md). These writes are a few rows each, done in microseconds.
//!
//! It never waits for a lock: with the runtime thread blocked, a transaction that another task
//! holds open could not go on. When the file is locked the write answers `Busy`, and the caller
//! goes the usual (async) way.

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, TransactionBehavior, params};

use super::inbox::{INSERT_CLAIMED, InboxMark};

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
        self.write(|tx| {
            let mut insert = tx.prepare_cached(INSERT_CLAIMED)?;
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
        self.write(|tx| {
            let mut update = tx.prepare_cached(sql)?;
            for id in update_ids {
                update.execute(params![id, now])?;
            }
            Ok(())
        })
    }

    /// Runs `body` in one immediate transaction, or answers `Busy` without waiting.
    fn write<T>(
        &self,
        body: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<Result<T, Busy>> {
        let mut conn = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let tx = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
            Ok(tx) => tx,
            Err(err) if is_busy(&err) => return Ok(Err(Busy)),
            Err(err) => return Err(err),
        };
        let out = body(&tx)?;
        match tx.commit() {
            Ok(()) => Ok(Ok(out)),
            Err(err) if is_busy(&err) => Ok(Err(Busy)),
            Err(err) => Err(err),
        }
    }
}

fn is_busy(err: &rusqlite::Error) -> bool {
    matches!(
        err.sqlite_error_code(),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    )
}

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
}
