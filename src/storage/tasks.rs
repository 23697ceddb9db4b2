//! Tasks, their history, and per-team task numbers.

use super::{
    NewTask, Store, StoreError, StoreResult, TASK_BLOCKED, TASK_CANCELLED, TASK_DONE, Task,
    TaskChange, TaskEvent, on_pool,
};

impl Store {
    /// Creates a task with the team's next number, and its "created" history entry, atomically.
    pub async fn create_task(&self, new: &NewTask, now: i64) -> StoreResult<Task> {
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
                 channel, due_at, recur, series_id, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
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
        // Every statement takes ($1 id, $2 now, $3 text, $4 number); unused ones are bound as NULL
        // but still referenced, so both backends agree on the parameter count and types.
        let (set, kind, text, number): (&'static str, &str, Option<String>, Option<i64>) =
            match change {
                TaskChange::Done { note } => (
                    "status = 'done', done_at = $2, version = version + 1",
                    TASK_DONE,
                    note.clone(),
                    None,
                ),
                TaskChange::Block { reason } => (
                    "status = 'blocked', blocked_reason = $3, blocked_at = $2",
                    TASK_BLOCKED,
                    Some(reason.clone()),
                    None,
                ),
                TaskChange::Unblock => (
                    "status = 'open', blocked_reason = NULL, blocked_at = NULL",
                    "unblocked",
                    None,
                    None,
                ),
                TaskChange::Due { due_at } => (
                    "due_at = $4, slips = slips + 1, version = version + 1",
                    "due",
                    None,
                    Some(*due_at),
                ),
                TaskChange::Reassign { owner_id } => (
                    "owner_id = $4, owner_username = NULL",
                    "reassigned",
                    None,
                    Some(*owner_id),
                ),
                TaskChange::Cancel => (
                    "status = 'cancelled', version = version + 1",
                    TASK_CANCELLED,
                    None,
                    None,
                ),
            };
        let sql = format!(
            "UPDATE tasks SET {set}, updated_at = $2 WHERE id = $1 AND ($3 IS NULL OR $3 IS NOT NULL) AND ($4 IS NULL OR $4 IS NOT NULL)"
        );
        let sql = sqlx::AssertSqlSafe(sql);
        let detail = text.clone().or(number.map(|n| n.to_string()));
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(sqlx::AssertSqlSafe(sql.0.as_str()))
                .bind(task_id)
                .bind(now)
                .bind(text.as_deref())
                .bind(number)
                .execute(&mut *tx)
                .await?;
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
