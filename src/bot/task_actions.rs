//! Changing a task, the same way from a command or a ping's button: permission, the change with
//! its history, and what it does to the schedule.

use super::{BotError, Ctx, TgBot, people};
use crate::domain::jobs::JobKind;
use crate::domain::tasks::may_change;
use crate::scheduler::{open_next_occurrence, plan_task_jobs};
use crate::storage::{Task, TaskChange};

/// Who is acting, and where.
pub struct Actor<'a> {
    pub user_id: i64,
    /// An anonymous admin posting as the group.
    pub as_group: bool,
    pub bot: &'a TgBot,
    pub ctx: &'a Ctx,
}

impl Actor<'_> {
    /// Owner, creator or admin (SPEC §2). Admin status costs an API call, so it is asked last.
    pub async fn may_change(&self, task: &Task) -> Result<bool, BotError> {
        if self.as_group || may_change(self.user_id, task.owner_id, task.creator_id, false) {
            return Ok(true);
        }
        let admins = people::admins(self.bot, self.ctx, task.chat_id).await?;
        Ok(admins.iter().any(|a| a.user_id == self.user_id))
    }
}

/// The outcome of a change: the task after it, and a recurring task's next occurrence.
pub struct Changed {
    pub task: Task,
    pub next: Option<Task>,
}

/// Applies a change and keeps the schedule in step: done and cancelled tasks lose their pending
/// pings, a new deadline gets a new ping plan, a finished recurring task opens its next one.
pub async fn apply(
    ctx: &Ctx,
    task: &Task,
    change: TaskChange,
    actor: Option<i64>,
) -> Result<Changed, BotError> {
    let store = &ctx.store;
    let now = ctx.now();
    let after = store.change_task(task.id, &change, actor, now).await?;
    let mut next = None;
    match change {
        TaskChange::Done { .. } => {
            store.drop_pending_jobs(JobKind::TaskPing, task.id).await?;
            store.drop_pending_jobs(JobKind::TaskRecur, task.id).await?;
            next = open_next_occurrence(ctx, &after).await?;
        }
        TaskChange::Cancel => {
            store.drop_pending_jobs(JobKind::TaskPing, task.id).await?;
            store.drop_pending_jobs(JobKind::TaskRecur, task.id).await?;
        }
        TaskChange::Due { .. } => plan_task_jobs(ctx, &after).await?,
        TaskChange::Block { .. } | TaskChange::Unblock | TaskChange::Reassign { .. } => {}
    }
    Ok(Changed { task: after, next })
}
