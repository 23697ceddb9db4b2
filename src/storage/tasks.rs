//! Tasks, their history, and per-team task numbers.

use super::{
    NewTask, Store, StoreError, StoreResult, TASK_BLOCKED, TASK_CANCELLED, TASK_DONE, Task,
    TaskChange, TaskEvent, on_pool,
};

impl Store {
    /// Creates a task with the team's next number, and its "created" history entry, atomically.
    pub async fn create_task(&self, new: &NewTask, now: i64) -> StoreResult<Task> {
        if let Some(message) = new.source_message
            && let Some(existing) = self.task_from_message(new.chat_id, message).await?
        {
            return Ok(existing);
        }
        let id = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let number: i64 = sqlx::query_scalar(
                "UPDATE teams SET next_task_no = next_task_no + 1 WHERE chat_id = $1 RETURNING next_task_no - 1",
            )
            .bind(new.chat_id)
            .fetch_optional(&mut *tx)
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
            .bind(new.recur.as_deref())
            .bind(new.series_id)
            .bind(now)
            .bind(new.source_message)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query("INSERT INTO task_events (task_id, at, actor_id, kind, detail) VALUES ($1, $2, $3, 'created', NULL)")
                .bind(id)
                .bind(now)
                .bind(new.creator_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            id
        });
        self.task_by_id(id).await?.ok_or(StoreError::NotFound)
    }

    async fn task_from_message(&self, chat_id: i64, message: i64) -> StoreResult<Option<Task>> {
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

    pub async fn task(&self, chat_id: i64, number: i64) -> StoreResult<Option<Task>> {
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, Task>(
            "SELECT * FROM tasks WHERE chat_id = $1 AND number = $2"
        )
        .bind(chat_id)
        .bind(number)
        .fetch_optional(pool)
        .await?))
    }

    /// Open and blocked tasks of a team, soonest due first.
    pub async fn open_tasks(&self, chat_id: i64) -> StoreResult<Vec<Task>> {
        let sql = "SELECT * FROM tasks WHERE chat_id = $1 AND status IN ('open', 'blocked') ORDER BY due_at, number";
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, Task>(sql)
            .bind(chat_id)
            .fetch_all(pool)
            .await?))
    }

    /// Every task of a team created since `since` (for exports and summaries).
    pub async fn tasks_since(&self, chat_id: i64, since: i64) -> StoreResult<Vec<Task>> {
        let sql = "SELECT * FROM tasks WHERE chat_id = $1 AND (created_at >= $2 OR updated_at >= $2) ORDER BY number";
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, Task>(sql)
            .bind(chat_id)
            .bind(since)
            .fetch_all(pool)
            .await?))
    }

    /// A user's open tasks across all active teams.
    pub async fn open_tasks_of_user(&self, user_id: i64) -> StoreResult<Vec<Task>> {
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
        user_id: i64,
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
        actor_id: Option<i64>,
        now: i64,
    ) -> StoreResult<Task> {
        // Each statement takes $1 id and $2 now, and $3 only when the change carries a value.
        let (sql, kind, value, detail): (&'static str, &str, Param, Option<String>) = match change {
            TaskChange::Done { note } => (
                "UPDATE tasks SET status = 'done', done_at = $2, version = version + 1, updated_at = $2 WHERE id = $1",
                TASK_DONE,
                Param::None,
                note.clone(),
            ),
            TaskChange::Block { reason } => (
                "UPDATE tasks SET status = 'blocked', blocked_reason = $3, blocked_at = $2, updated_at = $2 WHERE id = $1",
                TASK_BLOCKED,
                Param::Text(reason.clone()),
                Some(reason.clone()),
            ),
            TaskChange::Unblock => (
                "UPDATE tasks SET status = 'open', blocked_reason = NULL, blocked_at = NULL, updated_at = $2 WHERE id = $1",
                "unblocked",
                Param::None,
                None,
            ),
            TaskChange::Due { due_at } => (
                "UPDATE tasks SET due_at = $3, slips = slips + 1, version = version + 1, updated_at = $2 WHERE id = $1",
                "due",
                Param::Int(*due_at),
                Some(due_at.to_string()),
            ),
            TaskChange::Reassign { owner_id } => (
                "UPDATE tasks SET owner_id = $3, owner_username = NULL, updated_at = $2 WHERE id = $1",
                "reassigned",
                Param::Int(*owner_id),
                Some(owner_id.to_string()),
            ),
            TaskChange::Cancel => (
                "UPDATE tasks SET status = 'cancelled', version = version + 1, updated_at = $2 WHERE id = $1",
                TASK_CANCELLED,
                Param::None,
                None,
            ),
        };
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let update = sqlx::query(sql).bind(task_id).bind(now);
            let update = match &value {
                Param::None => update,
                Param::Text(text) => update.bind(text.clone()),
                Param::Int(n) => update.bind(*n),
            };
            update.execute(&mut *tx).await?;
            sqlx::query("INSERT INTO task_events (task_id, at, actor_id, kind, detail) VALUES ($1, $2, $3, $4, $5)")
                .bind(task_id)
                .bind(now)
                .bind(actor_id)
                .bind(kind)
                .bind(detail.as_deref())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        self.task_by_id(task_id).await?.ok_or(StoreError::NotFound)
    }

    pub async fn task_events(&self, task_id: i64) -> StoreResult<Vec<TaskEvent>> {
        let sql = "SELECT * FROM task_events WHERE task_id = $1 ORDER BY id";
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, TaskEvent>(sql)
            .bind(task_id)
            .fetch_all(pool)
            .await?))
    }
}

/// The one value a task change writes besides the time.
enum Param {
    None,
    Text(String),
    Int(i64),
}
