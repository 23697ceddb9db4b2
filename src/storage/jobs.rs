//! The durable job table: plan occurrences idempotently, claim due ones atomically (two
//! instances never both claim one), record the outcome.

use crate::domain::ids::ChatId;
use crate::domain::jobs::{JobKind, JobState};

use super::{Job, NewJob, Pool, Store, StoreResult, on_pool};

/// How long a claim is honoured before another worker may take the job over (the claimer is
/// presumed dead). Longer than any send, including the outbox's waits for Telegram's limits.
pub const CLAIM_LEASE_SECS: i64 = 300;

/// Plans one job (binds: chat, kind, subject, mark, due, fire, version); an identical planned
/// occurrence is kept as is. Shared with the transactions that plan jobs with other changes.
pub(super) const INSERT_JOB_SQL: &str = "INSERT INTO jobs (chat_id, kind, subject_id, mark, due_at, fire_at, version) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (kind, subject_id, mark, due_at) DO NOTHING";

/// For re-planning a wall-clock job (the nudge, after a time or zone change): an occurrence
/// that an earlier change dropped becomes pending again. `/checkin_time 18:00`, `19:00`, `18:00`
/// would otherwise find today's 18:00 row dropped and plan nothing. Only `dropped` rows are
/// revived; a sent one stays sent.
pub(super) const REPLAN_JOB_SQL: &str = "INSERT INTO jobs (chat_id, kind, subject_id, mark, due_at, fire_at, version) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (kind, subject_id, mark, due_at) DO UPDATE \
     SET state = 'pending', fire_at = excluded.fire_at, version = excluded.version, \
     claimed_by = NULL, claimed_at = NULL, done_at = NULL, attempts = 0, last_error = NULL \
     WHERE jobs.state = 'dropped'";

/// [`INSERT_JOB_SQL`] (or, given first, another statement with the same parameters) with a
/// job's values bound, ready for a pool or a transaction.
macro_rules! insert_job {
    ($job:expr) => {
        insert_job!($crate::storage::jobs::INSERT_JOB_SQL, $job)
    };
    ($sql:expr, $job:expr) => {
        sqlx::query($sql)
            .bind($job.chat_id)
            .bind($job.kind.code())
            .bind($job.subject_id)
            .bind(&$job.mark)
            .bind($job.due_at)
            .bind($job.fire_at)
            .bind($job.version)
    };
}
pub(super) use insert_job;

impl Store {
    /// Plans a job; a job with the same (kind, subject, mark, due) already planned is kept as is.
    /// Returns whether a new row was written.
    pub async fn plan_job(&self, job: &NewJob) -> StoreResult<bool> {
        let written = on_pool!(self, |pool| insert_job!(job)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(written == 1)
    }

    /// Claims up to `limit` jobs due at `now`, oldest first.
    pub async fn claim_due_jobs(
        &self,
        worker: &str,
        now: i64,
        limit: i64,
    ) -> StoreResult<Vec<Job>> {
        let mut jobs = match &self.pool {
            // SQLite has one writer at a time, so a single UPDATE … RETURNING is atomic.
            Pool::Sqlite(pool) => {
                sqlx::query_as::<_, Job>(
                    "UPDATE jobs SET state = 'claimed', claimed_by = $1, claimed_at = $2, attempts = attempts + 1 \
                     WHERE id IN (SELECT id FROM jobs WHERE state = 'pending' AND fire_at <= $2 \
                                  ORDER BY fire_at, id LIMIT $3) RETURNING *",
                )
                .bind(worker)
                .bind(now)
                .bind(limit)
                .fetch_all(pool)
                .await?
            }
            // Concurrent instances skip each other's locked rows instead of waiting or double-claiming.
            Pool::Postgres(pool) => {
                sqlx::query_as::<_, Job>(
                    "UPDATE jobs SET state = 'claimed', claimed_by = $1, claimed_at = $2, attempts = attempts + 1 \
                     WHERE id IN (SELECT id FROM jobs WHERE state = 'pending' AND fire_at <= $2 \
                                  ORDER BY fire_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING *",
                )
                .bind(worker)
                .bind(now)
                .bind(limit)
                .fetch_all(pool)
                .await?
            }
        };
        jobs.sort_by_key(|j| (j.fire_at, j.id));
        Ok(jobs)
    }

    /// Returns jobs whose claimer has been silent past the lease to the pending pool.
    pub async fn reclaim_stale_jobs(&self, now: i64) -> StoreResult<u64> {
        let sql = "UPDATE jobs SET state = 'pending', claimed_by = NULL WHERE state = 'claimed' AND claimed_at < $1";
        Ok(on_pool!(self, |pool| sqlx::query(sql)
            .bind(now - CLAIM_LEASE_SECS)
            .execute(pool)
            .await?
            .rows_affected()))
    }

    /// A claimed job was delivered.
    pub async fn job_sent(&self, id: i64, now: i64) -> StoreResult<()> {
        self.finish_job(id, JobState::Sent, now, None).await
    }

    /// A claimed job is not sent, on purpose (stale, superseded, undeliverable), with why.
    pub async fn job_dropped(&self, id: i64, now: i64, why: &str) -> StoreResult<()> {
        self.finish_job(id, JobState::Dropped, now, Some(why)).await
    }

    async fn finish_job(
        &self,
        id: i64,
        state: JobState,
        now: i64,
        note: Option<&str>,
    ) -> StoreResult<()> {
        let sql = "UPDATE jobs SET state = $2, done_at = $3, last_error = $4 WHERE id = $1";
        on_pool!(self, |pool| sqlx::query(sql)
            .bind(id)
            .bind(state.code())
            .bind(now)
            .bind(note)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Puts a claimed job back to be tried again at `fire_at` (a transient Telegram error).
    pub async fn retry_job(&self, id: i64, fire_at: i64, error: &str) -> StoreResult<()> {
        let sql = "UPDATE jobs SET state = 'pending', claimed_by = NULL, fire_at = $2, last_error = $3 WHERE id = $1";
        on_pool!(self, |pool| sqlx::query(sql)
            .bind(id)
            .bind(fire_at)
            .bind(error)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Drops every pending job about one subject (a task done or cancelled, a setting changed).
    pub async fn drop_pending_jobs(&self, kind: JobKind, subject_id: i64) -> StoreResult<u64> {
        let sql = "UPDATE jobs SET state = 'dropped' WHERE kind = $1 AND subject_id = $2 AND state = 'pending'";
        Ok(on_pool!(self, |pool| sqlx::query(sql)
            .bind(kind.code())
            .bind(subject_id)
            .execute(pool)
            .await?
            .rows_affected()))
    }

    /// Drops a chat's pending jobs (the bot was removed from the group).
    pub async fn drop_chat_jobs(&self, chat_id: ChatId) -> StoreResult<u64> {
        let sql = "UPDATE jobs SET state = 'dropped' WHERE chat_id = $1 AND state = 'pending'";
        Ok(on_pool!(self, |pool| sqlx::query(sql)
            .bind(chat_id)
            .execute(pool)
            .await?
            .rows_affected()))
    }

    /// Moves a chat's jobs to its new id (group upgraded to supergroup).
    pub async fn move_chat_jobs(&self, from_chat: ChatId, to_chat: ChatId) -> StoreResult<u64> {
        let sql = "UPDATE jobs SET chat_id = $2 WHERE chat_id = $1";
        Ok(on_pool!(self, |pool| sqlx::query(sql)
            .bind(from_chat)
            .bind(to_chat)
            .execute(pool)
            .await?
            .rows_affected()))
    }

    pub async fn pending_jobs_of_chat(&self, chat_id: ChatId) -> StoreResult<Vec<Job>> {
        let sql =
            "SELECT * FROM jobs WHERE chat_id = $1 AND state = 'pending' ORDER BY fire_at, id";
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, Job>(sql)
            .bind(chat_id)
            .fetch_all(pool)
            .await?))
    }

    pub async fn set_job_fire_at(&self, id: i64, fire_at: i64) -> StoreResult<()> {
        let sql = "UPDATE jobs SET fire_at = $2 WHERE id = $1 AND state = 'pending'";
        on_pool!(self, |pool| sqlx::query(sql)
            .bind(id)
            .bind(fire_at)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(())
    }

    /// The earliest moment any pending job fires, for the scheduler's sleep.
    pub async fn next_fire_at(&self) -> StoreResult<Option<i64>> {
        let sql = "SELECT MIN(fire_at) FROM jobs WHERE state = 'pending'";
        Ok(on_pool!(self, |pool| sqlx::query_scalar::<_, Option<i64>>(
            sql
        )
        .fetch_one(pool)
        .await?))
    }

    /// Jobs about one subject, any state (history views and tests).
    pub async fn jobs_for(&self, kind: JobKind, subject_id: i64) -> StoreResult<Vec<Job>> {
        let sql = "SELECT * FROM jobs WHERE kind = $1 AND subject_id = $2 ORDER BY due_at, id";
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, Job>(sql)
            .bind(kind.code())
            .bind(subject_id)
            .fetch_all(pool)
            .await?))
    }

    pub async fn count_jobs(&self, state: JobState) -> StoreResult<i64> {
        let sql = "SELECT COUNT(*) FROM jobs WHERE state = $1";
        Ok(on_pool!(self, |pool| sqlx::query_scalar::<_, i64>(sql)
            .bind(state.code())
            .fetch_one(pool)
            .await?))
    }
}
