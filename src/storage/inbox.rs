//! The durable inbox: updates stored before Telegram is told they arrived, claimed by one
//! handler at a time, and marked when replied to and when done. See migrations/*/0006_inbox.sql.

use super::{Backend, Store, StoreResult, on_pool, on_unflushed_writer, on_writer};

/// How long a handler's claim on an update is honoured before another process may take the
/// update over (its claimer presumed dead). Longer than any command; a claim whose replies wait
/// longer in the outbox (a flooded group's limit) is renewed by its process's sweep.
pub const INBOX_LEASE_SECS: i64 = 300;

/// A handler that panicked or crashed the process three times on one update gives up on it.
pub const INBOX_MAX_ATTEMPTS: i64 = 3;

/// A mark on a stored update (see `Store::inbox_mark`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InboxMark {
    /// The first reply was accepted by Telegram.
    Replied,
    /// The handler is done with it.
    Done,
    /// Both at once: the last reply of a handler that had finished.
    RepliedAndDone,
}

/// One update stored already taken by its first handler ($1 id, $2 body, $3 now); a stored one
/// is left as it is.
pub(super) const INSERT_CLAIMED: &str = "INSERT INTO inbox (update_id, body, received_at, claimed_at, attempts) \
     VALUES ($1, $2, $3, $3, 1) ON CONFLICT (update_id) DO NOTHING";

/// Updates waiting to be handled again after a restart.
const REPLAY_LIMIT: i64 = 10_000;

impl Store {
    /// Stores an update as received; a redelivered one keeps its first row.
    pub async fn inbox_put(&self, update_id: i64, body: &str, now: i64) -> StoreResult<()> {
        let sql = "INSERT INTO inbox (update_id, body, received_at) VALUES ($1, $2, $3) \
                   ON CONFLICT (update_id) DO NOTHING";
        on_writer!(self, |pool| sqlx::query(sql)
            .bind(update_id)
            .bind(body)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Stores a batch of updates `(update_id, body)` and takes them for handling in one
    /// write, for the process that received them: their first attempt starts here. Returns the
    /// ids inserted; one missing was stored already (a redelivery), and must then be claimed
    /// like any other.
    pub async fn inbox_put_claimed(
        &self,
        updates: &[(i64, String)],
        now: i64,
    ) -> StoreResult<Vec<i64>> {
        if updates.is_empty() {
            return Ok(Vec::new());
        }
        if let Some(inserted) = self.on_inline(|inline| inline.put_claimed(updates, now))? {
            return Ok(inserted);
        }
        let inserted = on_writer!(self, |exec| {
            let mut insert = sqlx::QueryBuilder::new(
                "INSERT INTO inbox (update_id, body, received_at, claimed_at, attempts) ",
            );
            insert.push_values(updates, |mut row, (update_id, body)| {
                row.push_bind(*update_id)
                    .push_bind(body.as_str())
                    .push_bind(now)
                    .push_bind(now)
                    .push_bind(1_i64);
            });
            insert.push(" ON CONFLICT (update_id) DO NOTHING RETURNING update_id");
            insert.build_query_scalar::<i64>().fetch_all(exec).await?
        });
        Ok(inserted)
    }

    /// Renews a claim this process took at `claimed_at`, unless the update was finished or
    /// taken over since (its claim then carries another time).
    pub async fn inbox_renew_claim(
        &self,
        update_id: i64,
        claimed_at: i64,
        now: i64,
    ) -> StoreResult<bool> {
        let sql = "UPDATE inbox SET claimed_at = $3 WHERE update_id = $1 AND claimed_at = $2 \
                   AND done_at IS NULL AND replied_at IS NULL";
        let renewed = on_writer!(self, |pool| sqlx::query(sql)
            .bind(update_id)
            .bind(claimed_at)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(renewed == 1)
    }

    /// Takes an update for handling. False when it is done, already replied to, being handled
    /// elsewhere (a live claim), or given up on: Telegram redelivered it, or another instance
    /// has it. An update that was never stored (it did not come through a durable listener)
    /// is stored and taken in one go.
    pub async fn inbox_claim(
        &self,
        update_id: i64,
        body: impl FnOnce() -> String,
        now: i64,
    ) -> StoreResult<bool> {
        let claim = "UPDATE inbox SET claimed_at = $2, attempts = attempts + 1 \
                     WHERE update_id = $1 AND done_at IS NULL AND replied_at IS NULL \
                     AND attempts < $3 AND (claimed_at IS NULL OR claimed_at < $4)";
        let taken = on_writer!(self, |pool| sqlx::query(claim)
            .bind(update_id)
            .bind(now)
            .bind(INBOX_MAX_ATTEMPTS)
            .bind(now - INBOX_LEASE_SECS)
            .execute(pool)
            .await?
            .rows_affected());
        if taken == 1 {
            return Ok(true);
        }
        let body = body();
        let inserted = on_writer!(self, |pool| sqlx::query(INSERT_CLAIMED)
            .bind(update_id)
            .bind(&body)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(inserted == 1)
    }

    /// Sets a mark on several updates in one write; each timestamp is set once (the first
    /// mark is the one kept). Replied: the first reply was accepted, so the update is never
    /// handled again, even if the process dies before the handler returns.
    pub async fn inbox_mark(
        &self,
        mark: InboxMark,
        update_ids: &[i64],
        now: i64,
    ) -> StoreResult<()> {
        if update_ids.is_empty() {
            return Ok(());
        }
        if let Some(()) = self.on_inline(|inline| inline.mark(mark, update_ids, now))? {
            return Ok(());
        }
        on_unflushed_writer!(self, |exec| {
            let mut update = sqlx::QueryBuilder::new(match mark {
                InboxMark::Replied => "UPDATE inbox SET replied_at = COALESCE(replied_at, ",
                InboxMark::Done => "UPDATE inbox SET done_at = COALESCE(done_at, ",
                InboxMark::RepliedAndDone => "UPDATE inbox SET done_at = COALESCE(done_at, ",
            });
            update.push_bind(now);
            if mark == InboxMark::RepliedAndDone {
                update.push("), replied_at = COALESCE(replied_at, ");
                update.push_bind(now);
            }
            update.push(") WHERE update_id IN (");
            let mut ids = update.separated(", ");
            for id in update_ids {
                ids.push_bind(*id);
            }
            update.push(")");
            update.build().execute(exec).await?.rows_affected()
        });
        Ok(())
    }

    /// PostgreSQL, for tests: (server process id, `synchronous_commit`) of the connection for
    /// the marks and a check-in, then of the one that stores updates; None on SQLite.
    pub async fn commit_modes(&self) -> StoreResult<Option<[(i32, String); 2]>> {
        if self.backend() != Backend::Postgres {
            return Ok(None);
        }
        let sql = "SELECT pg_backend_pid(), current_setting('synchronous_commit')";
        let marks = on_unflushed_writer!(self, |exec| sqlx::query_as(sql).fetch_one(exec).await?);
        let rest = on_writer!(self, |exec| sqlx::query_as(sql).fetch_one(exec).await?);
        Ok(Some([marks, rest]))
    }

    /// Updates to handle again: stored, not done, not replied to, and not under a live claim,
    /// oldest first (so a chat's commands keep their order). At start every such update; for
    /// the periodic sweep only those `received_before` (a live process may not have reached a
    /// newer one yet).
    pub async fn inbox_unfinished(
        &self,
        now: i64,
        received_before: i64,
    ) -> StoreResult<Vec<(i64, String)>> {
        let sql = "SELECT update_id, body FROM inbox \
                   WHERE done_at IS NULL AND replied_at IS NULL AND attempts < $1 \
                   AND (claimed_at IS NULL OR claimed_at < $2) AND received_at < $3 \
                   ORDER BY update_id LIMIT $4";
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, (i64, String)>(
            sql
        )
        .bind(INBOX_MAX_ATTEMPTS)
        .bind(now - INBOX_LEASE_SECS)
        .bind(received_before)
        .bind(REPLAY_LIMIT)
        .fetch_all(pool)
        .await?))
    }

    /// At the start of a process on SQLite: a SQLite file is served by one process, so every
    /// claim on an update or a job belongs to a process that died. Returns (updates, jobs)
    /// released. PostgreSQL instances may be alive; there, claims expire after their lease.
    pub async fn release_dead_claims(&self) -> StoreResult<(u64, u64)> {
        if self.backend() != Backend::Sqlite {
            return Ok((0, 0));
        }
        let updates = "UPDATE inbox SET claimed_at = NULL \
                       WHERE done_at IS NULL AND replied_at IS NULL AND claimed_at IS NOT NULL";
        let jobs = "UPDATE jobs SET state = 'pending', claimed_by = NULL WHERE state = 'claimed'";
        let released_updates = on_pool!(self, |pool| sqlx::query(updates)
            .execute(pool)
            .await?
            .rows_affected());
        let released_jobs = on_pool!(self, |pool| sqlx::query(jobs)
            .execute(pool)
            .await?
            .rows_affected());
        Ok((released_updates, released_jobs))
    }

    /// Forgets finished updates older than `before`; Telegram never redelivers after a day.
    /// Unfinished ones are kept for the next replay (or until they have used their attempts).
    pub async fn prune_inbox(&self, before: i64) -> StoreResult<u64> {
        let sql = "DELETE FROM inbox WHERE received_at < $1 \
                   AND (done_at IS NOT NULL OR replied_at IS NOT NULL OR attempts >= $2)";
        Ok(on_pool!(self, |pool| sqlx::query(sql)
            .bind(before)
            .bind(INBOX_MAX_ATTEMPTS)
            .execute(pool)
            .await?
            .rows_affected()))
    }

    /// (stored, in hand: claimed but neither replied to nor done, replied, done), for tests.
    pub async fn inbox_counts(&self) -> StoreResult<(i64, i64, i64, i64)> {
        let sql = "SELECT COUNT(*), \
                   COUNT(CASE WHEN claimed_at IS NOT NULL AND done_at IS NULL AND replied_at IS NULL THEN 1 END), \
                   COUNT(replied_at), COUNT(done_at) FROM inbox";
        Ok(on_pool!(self, |pool| sqlx::query_as::<
            _,
            (i64, i64, i64, i64),
        >(sql)
        .fetch_one(pool)
        .await?))
    }
}
