//! Queries of the weekly review (issue 6): its time on the team row and its two planned jobs,
//! changed together.

use super::plan_cache::PlanChange;
use crate::domain::ids::ChatId;
use crate::domain::jobs::{JobKind, JobState};

use super::jobs::insert_job;
use super::{Job, NewJob, Store, StoreResult, on_pool};

/// What a review re-plan does to the team's review time before its jobs are replaced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReviewChange {
    /// Leave the time as it is (the scheduler's weekly re-plan).
    Keep,
    /// `/review fri 17:00`.
    Set { weekday: i64, minute: i64 },
    /// `/review off`.
    Clear,
}

impl Store {
    /// In one transaction: applies `change` to the team's review time, drops the chat's pending
    /// review jobs that `planned` does not contain (noted "replaced") and plans `planned`
    /// (an identical pending job is kept as is). A crash leaves the old plan or the new, never
    /// a new time with the old jobs.
    pub async fn replan_review(
        &self,
        chat_id: ChatId,
        change: ReviewChange,
        planned: &[NewJob],
        now: i64,
    ) -> StoreResult<()> {
        let _plan = self.plan_changing(PlanChange::Team(chat_id));
        let set_time = "UPDATE teams SET review_weekday = $1, review_minute = $2, updated_at = $3 \
                        WHERE chat_id = $4";
        let pending = "SELECT * FROM jobs WHERE chat_id = $1 AND state = 'pending' \
                       AND kind IN ($2, $3) ORDER BY fire_at, id";
        let drop = "UPDATE jobs SET state = $2, done_at = $3, last_error = $4 WHERE id = $1";
        let time = match change {
            ReviewChange::Keep => None,
            ReviewChange::Set { weekday, minute } => Some((Some(weekday), Some(minute))),
            ReviewChange::Clear => Some((None, None)),
        };
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            if let Some((weekday, minute)) = time {
                sqlx::query(set_time)
                    .bind(weekday)
                    .bind(minute)
                    .bind(now)
                    .bind(chat_id)
                    .execute(&mut *tx)
                    .await?;
            }
            let jobs = sqlx::query_as::<_, Job>(pending)
                .bind(chat_id)
                .bind(JobKind::ReviewAgenda.code())
                .bind(JobKind::ReviewSummary.code())
                .fetch_all(&mut *tx)
                .await?;
            for job in jobs {
                let keep = planned
                    .iter()
                    .any(|n| n.kind == job.kind && n.mark == job.mark && n.due_at == job.due_at);
                if !keep {
                    sqlx::query(drop)
                        .bind(job.id)
                        .bind(JobState::Dropped.code())
                        .bind(now)
                        .bind("replaced")
                        .execute(&mut *tx)
                        .await?;
                }
            }
            for job in planned {
                insert_job!(job).execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }
}
