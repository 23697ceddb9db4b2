//! Tasks, their history, per-team task numbers, and the writes that change a task together
//! with the jobs it plans (one transaction each, so a crash never leaves half a change).

use super::plan_cache::PlanChange;
use crate::domain::ids::{ChatId, UserId};
use sqlx::error::BoxDynError;
use sqlx::{Database, Decode, Type};

use super::{NewTask, Store, StoreError, StoreResult, Task, TaskChange, TaskEvent, on_pool};
use crate::domain::jobs::JobKind;
use crate::domain::schedule::Recurrence;
use crate::domain::tasks::TaskEventKind;

// A task's recurrence is a nullable text column: decoding `Recurrence` itself (rather than
// through `try_from`) lets sqlx handle the NULL as `None`.
impl<DB: Database> Type<DB> for Recurrence
where
    String: Type<DB>,
{
    fn type_info() -> DB::TypeInfo {
        <String as Type<DB>>::type_info()
    }

    fn compatible(ty: &DB::TypeInfo) -> bool {
        <String as Type<DB>>::compatible(ty)
    }
}

impl<'r, DB: Database> Decode<'r, DB> for Recurrence
where
    String: Decode<'r, DB>,
{
    fn decode(value: <DB as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
        let code = <String as Decode<'r, DB>>::decode(value)?;
        Recurrence::from_code(&code).ok_or_else(|| format!("unknown recurrence: {code}").into())
    }
}

/// A job planned by a task write. The store fills in the chat, the task's id and the version
/// the write leaves (so the job is stale as soon as the task's schedule moves again).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskJob {
    pub kind: JobKind,
    pub mark: String,
    pub due_at: i64,
    pub fire_at: i64,
}

/// Everything one write does to a task and its schedule, in one transaction: the change (with
/// its history entry), pending jobs dropped, new jobs planned, and for a finished recurring
/// task its next occurrence with that one's jobs.
#[derive(Clone, Debug, Default)]
pub struct TaskWrite<'a> {
    pub change: Option<&'a TaskChange>,
    pub actor_id: Option<UserId>,
    pub drop: &'a [JobKind],
    pub plan: &'a [TaskJob],
    pub next: Option<(&'a NewTask, &'a [TaskJob])>,
}

/// Like `Store::plan_job` (an occurrence already planned or sent is kept as is), except that
/// an occurrence that was dropped comes back with the new version: a deadline moved to the
/// time it already had drops its pings and must be able to plan the same ones again.
const PLAN_JOB_SQL: &str = "INSERT INTO jobs (chat_id, kind, subject_id, mark, due_at, fire_at, version) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (kind, subject_id, mark, due_at) \
     DO UPDATE SET state = 'pending', fire_at = excluded.fire_at, version = excluded.version, \
     claimed_by = NULL, claimed_at = NULL, done_at = NULL, last_error = NULL \
     WHERE jobs.state = 'dropped'";
const DROP_JOBS_SQL: &str =
    "UPDATE jobs SET state = 'dropped' WHERE kind = $1 AND subject_id = $2 AND state = 'pending'";

/// Inserts a task with the team's next number and its "created" entry on a transaction;
/// evaluates to the new id. (A macro: the body is type-checked for each backend's transaction.)
macro_rules! insert_task {
    ($tx:expr, $new:expr, $now:expr) => {{
        let new: &NewTask = $new;
        let number: i64 = sqlx::query_scalar(
            "UPDATE teams SET next_task_no = next_task_no + 1 WHERE chat_id = $1 RETURNING next_task_no - 1",
        )
        .bind(new.chat_id)
        .fetch_optional(&mut *$tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO tasks (chat_id, number, title, done_when, owner_id, owner_username, creator_id, \
             channel, due_at, recur, series_id, source_message, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $13, $12, $12) RETURNING id",
        )
        .bind(new.chat_id)
        .bind(number)
        .bind(&new.title)
        .bind(new.done_when.as_deref())
        .bind(new.owner_id)
        .bind(new.owner_username.as_deref())
        .bind(new.creator_id)
        .bind(new.channel.as_deref())
        .bind(new.due_at)
        .bind(new.recur.map(Recurrence::code))
        .bind(new.series_id)
        .bind($now)
        .bind(new.source_message)
        .fetch_one(&mut *$tx)
        .await?;
        sqlx::query("INSERT INTO task_events (task_id, at, actor_id, kind, detail) VALUES ($1, $2, $3, $4, NULL)")
            .bind(id)
            .bind($now)
            .bind(new.creator_id)
            .bind(TaskEventKind::Created.code())
            .execute(&mut *$tx)
            .await?;
        id
    }};
}

/// Plans `jobs` for a task on a transaction, reading the task's chat and current version.
macro_rules! plan_task_jobs {
    ($tx:expr, $task_id:expr, $jobs:expr) => {{
        let jobs: &[TaskJob] = $jobs;
        if !jobs.is_empty() {
            let (chat_id, version): (i64, i64) =
                sqlx::query_as("SELECT chat_id, version FROM tasks WHERE id = $1")
                    .bind($task_id)
                    .fetch_one(&mut *$tx)
                    .await?;
            for job in jobs {
                sqlx::query(PLAN_JOB_SQL)
                    .bind(chat_id)
                    .bind(job.kind.code())
                    .bind($task_id)
                    .bind(&job.mark)
                    .bind(job.due_at)
                    .bind(job.fire_at)
                    .bind(version)
                    .execute(&mut *$tx)
                    .await?;
            }
        }
    }};
}

impl Store {
    /// Creates a task with the team's next number, and its "created" history entry, atomically.
    pub async fn create_task(&self, new: &NewTask, now: i64) -> StoreResult<Task> {
        self.create_task_planned(new, now, &[]).await
    }

    /// Creates a task with its history entry and its first jobs, atomically. A command seen
    /// again (same source message) finds the task it created instead of making a second one.
    pub async fn create_task_planned(
        &self,
        new: &NewTask,
        now: i64,
        jobs: &[TaskJob],
    ) -> StoreResult<Task> {
        if let Some(message) = new.source_message
            && let Some(existing) = self.task_from_message(new.chat_id, message).await?
        {
            return Ok(existing);
        }
        let id = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let id = insert_task!(tx, new, now);
            plan_task_jobs!(tx, id, jobs);
            tx.commit().await?;
            id
        });
        self.task_by_id(id).await?.ok_or(StoreError::NotFound)
    }

    async fn task_from_message(&self, chat_id: ChatId, message: i64) -> StoreResult<Option<Task>> {
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, Task>(
            "SELECT * FROM tasks WHERE chat_id = $1 AND source_message = $2"
        )
        .bind(chat_id)
        .bind(message)
        .fetch_optional(pool)
        .await?))
    }

    pub async fn task_by_id(&self, id: i64) -> StoreResult<Option<Task>> {
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, Task>(
            "SELECT * FROM tasks WHERE id = $1"
        )
        .bind(id)
        .fetch_optional(pool)
        .await?))
    }

    pub async fn task(&self, chat_id: ChatId, number: i64) -> StoreResult<Option<Task>> {
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, Task>(
            "SELECT * FROM tasks WHERE chat_id = $1 AND number = $2"
        )
        .bind(chat_id)
        .bind(number)
        .fetch_optional(pool)
        .await?))
    }

    /// Open and blocked tasks of a team, soonest due first.
    pub async fn open_tasks(&self, chat_id: ChatId) -> StoreResult<Vec<Task>> {
        let sql = "SELECT * FROM tasks WHERE chat_id = $1 AND status IN ('open', 'blocked') ORDER BY due_at, number";
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, Task>(sql)
            .bind(chat_id)
            .fetch_all(pool)
            .await?))
    }

    /// Every task of a team created since `since` (for exports and summaries).
    pub async fn tasks_since(&self, chat_id: ChatId, since: i64) -> StoreResult<Vec<Task>> {
        let sql = "SELECT * FROM tasks WHERE chat_id = $1 AND (created_at >= $2 OR updated_at >= $2) ORDER BY number";
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, Task>(sql)
            .bind(chat_id)
            .bind(since)
            .fetch_all(pool)
            .await?))
    }

    /// A user's open tasks across all active teams.
    pub async fn open_tasks_of_user(&self, user_id: UserId) -> StoreResult<Vec<Task>> {
        let sql = "SELECT t.* FROM tasks t JOIN teams m ON m.chat_id = t.chat_id \
                   WHERE t.owner_id = $1 AND t.status IN ('open', 'blocked') AND m.active = 1 ORDER BY t.due_at";
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, Task>(sql)
            .bind(user_id)
            .fetch_all(pool)
            .await?))
    }

    /// Tasks waiting for an owner known only by @username; called when that user first appears.
    pub async fn resolve_pending_owner(
        &self,
        username: &str,
        user_id: UserId,
        now: i64,
    ) -> StoreResult<u64> {
        let sql = "UPDATE tasks SET owner_id = $1, updated_at = $2 WHERE owner_id IS NULL AND lower(owner_username) = $3";
        Ok(on_pool!(self, |pool| sqlx::query(sql)
            .bind(user_id)
            .bind(now)
            .bind(username.trim_start_matches('@').to_lowercase())
            .execute(pool)
            .await?
            .rows_affected()))
    }

    /// Applies a change and records it in the task's history, atomically. Returns the task after.
    /// Changes that move the schedule bump `version`, which makes already-planned pings stale.
    pub async fn change_task(
        &self,
        task_id: i64,
        change: &TaskChange,
        actor_id: Option<UserId>,
        now: i64,
    ) -> StoreResult<Task> {
        let write = TaskWrite {
            change: Some(change),
            actor_id,
            ..TaskWrite::default()
        };
        Ok(self.write_task(task_id, &write, now).await?.0)
    }

    /// Does everything `write` says in one transaction. Returns the task after, and the next
    /// occurrence when one was asked for and did not exist yet.
    pub async fn write_task(
        &self,
        task_id: i64,
        write: &TaskWrite<'_>,
        now: i64,
    ) -> StoreResult<(Task, Option<Task>)> {
        let change = write.change.map(change_sql);
        let next_id = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            if let Some((sql, kind, value, detail)) = &change {
                let update = sqlx::query(*sql).bind(task_id).bind(now);
                let update = match value {
                    Param::None => update,
                    Param::Text(text) => update.bind(text.clone()),
                    Param::Int(n) => update.bind(*n),
                };
                update.execute(&mut *tx).await?;
                sqlx::query("INSERT INTO task_events (task_id, at, actor_id, kind, detail) VALUES ($1, $2, $3, $4, $5)")
                    .bind(task_id)
                    .bind(now)
                    .bind(write.actor_id)
                    .bind(kind.code())
                    .bind(detail.as_deref())
                    .execute(&mut *tx)
                    .await?;
            }
            for kind in write.drop {
                sqlx::query(DROP_JOBS_SQL)
                    .bind(kind.code())
                    .bind(task_id)
                    .execute(&mut *tx)
                    .await?;
            }
            plan_task_jobs!(tx, task_id, write.plan);
            let mut next_id = None;
            if let Some((new, jobs)) = write.next {
                // The occurrence may exist already (its period ended and the scheduler opened it).
                let existing: Option<i64> =
                    sqlx::query_scalar("SELECT id FROM tasks WHERE series_id = $1 AND due_at = $2")
                        .bind(new.series_id)
                        .bind(new.due_at)
                        .fetch_optional(&mut *tx)
                        .await?;
                if existing.is_none() {
                    let id = insert_task!(tx, new, now);
                    plan_task_jobs!(tx, id, jobs);
                    next_id = Some(id);
                }
            }
            tx.commit().await?;
            next_id
        });
        let task = self
            .task_by_id(task_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        let next = match next_id {
            Some(id) => self.task_by_id(id).await?,
            None => None,
        };
        Ok((task, next))
    }

    pub async fn task_events(&self, task_id: i64) -> StoreResult<Vec<TaskEvent>> {
        let sql = "SELECT * FROM task_events WHERE task_id = $1 ORDER BY id";
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, TaskEvent>(sql)
            .bind(task_id)
            .fetch_all(pool)
            .await?))
    }

    /// Sets a team's quiet hours and moves every pending job of the team to the time
    /// `fire_at(due_at)` gives, in one transaction (no job keeps the old window's time).
    pub async fn set_quiet_hours(
        &self,
        chat_id: ChatId,
        (start, end): (i64, i64),
        now: i64,
        fire_at: impl Fn(i64) -> i64,
    ) -> StoreResult<()> {
        let _plan = self.plan_changing(PlanChange::Team(chat_id));
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "UPDATE teams SET quiet_start = $1, quiet_end = $2, updated_at = $3 WHERE chat_id = $4",
            )
            .bind(start)
            .bind(end)
            .bind(now)
            .bind(chat_id)
            .execute(&mut *tx)
            .await?;
            let pending: Vec<(i64, i64)> = sqlx::query_as(
                "SELECT id, due_at FROM jobs WHERE chat_id = $1 AND state = 'pending' ORDER BY fire_at, id",
            )
            .bind(chat_id)
            .fetch_all(&mut *tx)
            .await?;
            for (id, due_at) in pending {
                sqlx::query("UPDATE jobs SET fire_at = $2 WHERE id = $1")
                    .bind(id)
                    .bind(fire_at(due_at))
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }
}

/// The one value a task change writes besides the time.
enum Param {
    None,
    Text(String),
    Int(i64),
}

/// The statement of a change and its history entry. Each statement takes $1 id and $2 now, and
/// $3 only when the change carries a value.
fn change_sql(change: &TaskChange) -> (&'static str, TaskEventKind, Param, Option<String>) {
    match change {
        TaskChange::Done { note } => (
            "UPDATE tasks SET status = 'done', done_at = $2, version = version + 1, updated_at = $2 WHERE id = $1",
            TaskEventKind::Done,
            Param::None,
            note.clone(),
        ),
        TaskChange::Block { reason } => (
            "UPDATE tasks SET status = 'blocked', blocked_reason = $3, blocked_at = $2, updated_at = $2 WHERE id = $1",
            TaskEventKind::Blocked,
            Param::Text(reason.clone()),
            Some(reason.clone()),
        ),
        TaskChange::Unblock => (
            "UPDATE tasks SET status = 'open', blocked_reason = NULL, blocked_at = NULL, updated_at = $2 WHERE id = $1",
            TaskEventKind::Unblocked,
            Param::None,
            None,
        ),
        TaskChange::Due { due_at } => (
            "UPDATE tasks SET due_at = $3, slips = slips + 1, version = version + 1, updated_at = $2 WHERE id = $1",
            TaskEventKind::Due,
            Param::Int(*due_at),
            Some(due_at.to_string()),
        ),
        TaskChange::Reassign { owner_id } => (
            "UPDATE tasks SET owner_id = $3, owner_username = NULL, updated_at = $2 WHERE id = $1",
            TaskEventKind::Reassigned,
            Param::Int(owner_id.0),
            Some(owner_id.to_string()),
        ),
        TaskChange::Cancel => (
            "UPDATE tasks SET status = 'cancelled', version = version + 1, updated_at = $2 WHERE id = $1",
            TaskEventKind::Cancelled,
            Param::None,
            None,
        ),
    }
}
