//! Durable jobs: claim what is due, send it through the outbox, record the outcome.
//!
//! Order of operations is what makes "once per occurrence" hold: a job is claimed (atomically,
//! one worker wins) before it is sent, and recorded right after. A worker that dies between
//! claim and send leaves a claim that expires after `CLAIM_LEASE_SECS` and is then sent, late.
//! The loop sleeps until the earliest due job and wakes early when one is planned.

mod nudges;
mod review;
mod task_pings;

use crate::domain::jobs::JobKind;
use crate::domain::judgement::repeats::Shown;
use std::time::Duration;

use futures::StreamExt;
use teloxide::RequestError;
use tokio::sync::watch;

use crate::service::Service;
use crate::storage::{Job, StoreError, TeamSetting};
use crate::telegram::{TgBot, is_gone};

pub use crate::service::tasks::{open_next_occurrence, plan_task_jobs};

/// Jobs claimed per round trip.
const BATCH: i64 = 200;
const PRUNE_EVERY_SECS: i64 = 3600;
const KEEP_UPDATE_IDS_SECS: i64 = 2 * 86_400;
/// How often updates a dead process left are looked for (they wait a lease first anyway).
const SWEEP_EVERY_SECS: i64 = 60;
/// Chats whose jobs are sent at the same time.
const CHAT_CONCURRENCY: usize = 64;
/// The longest the loop sleeps without looking (also bounds the effect of a missed wake-up).
const MAX_SLEEP: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("telegram: {0}")]
    Telegram(#[from] RequestError),
}

/// What happened to one job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    /// A summary or agenda was sent showing these causes: remembered with the "sent" mark, in
    /// one transaction, so the next one marks repeats (issue 15).
    SentShowing(Vec<Shown>),
    /// Not sent, on purpose (stale, superseded, resolved, or undeliverable), with why.
    Dropped(&'static str),
}

/// Work the app wants done about once a minute on the scheduler's clock (the inbox sweep),
/// given to the scheduler so it needs to know nothing of the bot.
#[async_trait::async_trait]
pub trait Housekeeping: Send + Sync {
    async fn every_minute(&self);
}

pub struct Scheduler {
    ctx: Service,
    bot: TgBot,
    worker: String,
    housekeeping: Option<Box<dyn Housekeeping>>,
}

impl Scheduler {
    pub fn new(ctx: Service, bot: TgBot) -> Scheduler {
        let worker = format!("{}-{}", std::process::id(), rand::random::<u32>());
        Scheduler {
            ctx,
            bot,
            worker,
            housekeeping: None,
        }
    }

    pub fn with_housekeeping(mut self, work: Box<dyn Housekeeping>) -> Scheduler {
        self.housekeeping = Some(work);
        self
    }

    /// Sends everything due now; returns how many jobs were processed.
    pub async fn tick(&self) -> Result<usize, StoreError> {
        let store = &self.ctx.store;
        store.reclaim_stale_jobs(self.ctx.now()).await?;
        let mut processed = 0;
        loop {
            let now = self.ctx.now();
            let jobs = store.claim_due_jobs(&self.worker, now, BATCH).await?;
            if jobs.is_empty() {
                return Ok(processed);
            }
            processed += jobs.len();
            // Chats are served concurrently (a send waits for its round trip and the outbox's
            // pacing, so one chat at a time would cap us far below Telegram's limits); within a
            // chat, in order.
            let mut by_chat: Vec<Vec<Job>> = Vec::new();
            for job in jobs {
                match by_chat.iter_mut().find(|c| c[0].chat_id == job.chat_id) {
                    Some(chat) => chat.push(job),
                    None => by_chat.push(vec![job]),
                }
            }
            let results: Vec<Result<(), StoreError>> = futures::stream::iter(by_chat)
                .map(|chat_jobs| async move {
                    for job in chat_jobs {
                        self.process(job).await?;
                    }
                    Ok(())
                })
                .buffer_unordered(CHAT_CONCURRENCY)
                .collect()
                .await;
            results
                .into_iter()
                .collect::<Result<Vec<()>, StoreError>>()?;
        }
    }

    async fn process(&self, job: Job) -> Result<(), StoreError> {
        let now = self.ctx.now();
        let result = match job.kind {
            JobKind::TaskPing => task_pings::fire_ping(&self.ctx, &self.bot, &job).await,
            JobKind::TaskRecur => task_pings::fire_recurrence(&self.ctx, &job).await,
            JobKind::CheckinNudge => nudges::fire(&self.ctx, &self.bot, &job).await,
            JobKind::ReviewAgenda => review::fire_agenda(&self.ctx, &self.bot, &job).await,
            JobKind::ReviewSummary => review::fire_summary(&self.ctx, &self.bot, &job).await,
        };
        let store = &self.ctx.store;
        match result {
            Ok(Outcome::Sent) => store.job_sent(job.id, now).await,
            Ok(Outcome::SentShowing(shown)) => {
                store
                    .job_sent_remembering(job.id, job.chat_id, now, &shown)
                    .await
            }
            Ok(Outcome::Dropped(why)) => store.job_dropped(job.id, now, why).await,
            Err(JobError::Store(err)) => {
                // The claim expires and the job is retried after the lease.
                tracing::error!(job = job.id, error = %err, "job failed on the store");
                Err(err)
            }
            Err(JobError::Telegram(err)) => self.telegram_failed(&job, err, now).await,
        }
    }

    async fn telegram_failed(
        &self,
        job: &Job,
        err: RequestError,
        now: i64,
    ) -> Result<(), StoreError> {
        let store = &self.ctx.store;
        match err {
            RequestError::RetryAfter(wait) => {
                let at = now + i64::from(wait.seconds()).max(1);
                tracing::warn!(job = job.id, retry_at = at, "rate limited; retrying");
                store.retry_job(job.id, at, "429").await
            }
            RequestError::MigrateToChatId(new_chat) => {
                tracing::info!(
                    from = %job.chat_id,
                    to = new_chat.0,
                    "group moved; moving the team"
                );
                store.move_team(job.chat_id, new_chat.into(), now).await?;
                store.move_chat_jobs(job.chat_id, new_chat.into()).await?;
                // Sent again at once, to the new chat id.
                store.retry_job(job.id, now, "migrated").await
            }
            RequestError::Api(api) if is_gone(&api) => {
                tracing::warn!(chat = %job.chat_id, error = %api, "bot removed from the group; stopping its jobs");
                store
                    .update_team(job.chat_id, &TeamSetting::Active(false), now)
                    .await?;
                store.drop_chat_jobs(job.chat_id).await?;
                store.job_dropped(job.id, now, "forbidden").await
            }
            // A 5xx is Telegram failing, not refusing: it goes to the retry below.
            RequestError::Api(api) if !crate::telegram::send::is_server_error(&api) => {
                // Telegram refused this message itself: retrying would be refused again.
                tracing::error!(job = job.id, error = %api, "Telegram refused a scheduled message");
                store.job_dropped(job.id, now, "refused").await
            }
            other => {
                let backoff = 5 * 2i64.pow(job.attempts.clamp(0, 7) as u32);
                tracing::warn!(job = job.id, error = %other, backoff, "send failed; retrying");
                store.retry_job(job.id, now + backoff, "network").await
            }
        }
    }

    /// Runs until `stop` turns true; a tick in progress finishes first.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let wake = self.ctx.wake_signal();
        let clock_changed = self.ctx.clock.changed();
        let mut last_prune: Option<i64> = None;
        let mut last_sweep: Option<i64> = None;
        loop {
            if *stop.borrow() {
                return;
            }
            // Telegram redelivers only within a day; older update ids need not be kept.
            let now = self.ctx.now();
            if last_prune.is_none_or(|at| now - at >= PRUNE_EVERY_SECS) {
                match self.ctx.store.prune_inbox(now - KEEP_UPDATE_IDS_SECS).await {
                    Ok(_) => last_prune = Some(now),
                    Err(err) => tracing::error!(error = %err, "pruning update ids failed"),
                }
            }
            if let Some(work) = &self.housekeeping
                && last_sweep.is_none_or(|at| now - at >= SWEEP_EVERY_SECS)
            {
                work.every_minute().await;
                last_sweep = Some(now);
            }
            if let Err(err) = self.tick().await {
                tracing::error!(error = %err, "scheduler tick failed");
            }
            let sleep_for = match self.ctx.store.next_fire_at().await {
                Ok(Some(at)) => Duration::from_secs(
                    (at - self.ctx.now()).clamp(0, MAX_SLEEP.as_secs() as i64) as u64,
                ),
                Ok(None) => MAX_SLEEP,
                Err(err) => {
                    tracing::error!(error = %err, "cannot read the next due job");
                    Duration::from_secs(5)
                }
            };
            let clock_jump = async {
                match &clock_changed {
                    Some(notify) => notify.notified().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(sleep_for) => {}
                _ = wake.notified() => {}
                _ = clock_jump => {}
                _ = stop.changed() => {}
            }
        }
    }
}

/// A handle that stops a running scheduler and waits for it.
pub struct SchedulerHandle {
    stop: watch::Sender<bool>,
    join: tokio::task::JoinHandle<()>,
}

impl SchedulerHandle {
    pub fn spawn(scheduler: Scheduler) -> SchedulerHandle {
        let (stop, rx) = watch::channel(false);
        let join = tokio::spawn(scheduler.run(rx));
        SchedulerHandle { stop, join }
    }

    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.join.await;
    }
}
