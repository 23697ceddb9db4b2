//! Deadline pings and recurring-task occurrences as durable jobs.

use crate::domain::jobs::JobKind;
use chrono_tz::Tz;
use teloxide::types::ReplyMarkup;

use super::{JobError, Outcome};
use crate::bot::task_view::{due_text, mention, owner_mention, ping_keyboard};
use crate::domain::schedule::{self, LATE_AFTER_SECS, Mark, Recurrence};
use crate::i18n::tr;
use crate::service::Service;
use crate::storage::{Job, NewJob, NewTask, StoreError, Task, Team};
use crate::telegram::{TgBot, send as reply};

fn quiet(team: &Team) -> Option<(i64, i64)> {
    team.quiet_start.zip(team.quiet_end)
}

fn ping_job(task: &Task, team: &Team, mark: &Mark, tz: Tz) -> NewJob {
    NewJob {
        chat_id: task.chat_id,
        kind: JobKind::TaskPing,
        subject_id: task.id,
        mark: mark.label.clone(),
        due_at: mark.at,
        fire_at: schedule::after_quiet(mark.at, quiet(team), tz),
        version: task.version,
    }
}

/// Plans a task's pings still ahead of now (and, for a recurring task, its next occurrence).
/// Called on create and on every reschedule; older plans are made stale by the version bump.
pub async fn plan_task_jobs(ctx: &Service, task: &Task) -> Result<(), StoreError> {
    let Some(team) = ctx.store.team(task.chat_id).await? else {
        return Ok(());
    };
    let tz = team.tz();
    ctx.store
        .drop_pending_jobs(JobKind::TaskPing, task.id)
        .await?;
    for mark in schedule::initial_marks(task.due_at, ctx.now(), tz) {
        ctx.store
            .plan_job(&ping_job(task, &team, &mark, tz))
            .await?;
    }
    if task.recur.is_some() {
        ctx.store
            .drop_pending_jobs(JobKind::TaskRecur, task.id)
            .await?;
        let job = NewJob {
            chat_id: task.chat_id,
            kind: JobKind::TaskRecur,
            subject_id: task.id,
            mark: "next".into(),
            due_at: task.due_at,
            fire_at: task.due_at,
            version: task.version,
        };
        ctx.store.plan_job(&job).await?;
    }
    ctx.jobs_changed();
    Ok(())
}

pub async fn fire_ping(ctx: &Service, bot: &TgBot, job: &Job) -> Result<Outcome, JobError> {
    let store = &ctx.store;
    let Some(task) = store.task_by_id(job.subject_id).await? else {
        return Ok(Outcome::Dropped("task gone"));
    };
    if !task.is_open() {
        return Ok(Outcome::Dropped("task closed"));
    }
    if task.version != job.version {
        return Ok(Outcome::Dropped("rescheduled"));
    }
    let Some(team) = store.team(task.chat_id).await? else {
        return Ok(Outcome::Dropped("team gone"));
    };
    if !team.is_active() {
        return Ok(Outcome::Dropped("team inactive"));
    }
    let tz = team.tz();
    let now = ctx.now();
    // After downtime, only the newest passed mark is worth sending; older ones are superseded.
    if let Some(latest) = schedule::latest_passed_mark(task.due_at, now, tz)
        && latest.at > job.due_at
    {
        let mut newer = ping_job(&task, &team, &latest, tz);
        newer.fire_at = newer.fire_at.max(now);
        store.plan_job(&newer).await?;
        return Ok(Outcome::Dropped("superseded"));
    }
    let lang = team.language(ctx.settings.default_lang);
    let mark = Mark {
        label: job.mark.clone(),
        at: job.due_at,
    };
    let late = now - job.fire_at > LATE_AFTER_SECS;
    let text = ping_text(ctx, &task, &mark, lang, tz, late).await?;
    let keyboard = ReplyMarkup::InlineKeyboard(ping_keyboard(lang, task.id));
    reply::send_html(bot, task.chat_id, &text, Some(keyboard)).await?;
    if let Some(next) = schedule::next_mark(task.due_at, &job.mark, tz) {
        store.plan_job(&ping_job(&task, &team, &next, tz)).await?;
    }
    Ok(Outcome::Sent)
}

async fn ping_text(
    ctx: &Service,
    task: &Task,
    mark: &Mark,
    lang: crate::domain::lang::Lang,
    tz: Tz,
    late: bool,
) -> Result<String, StoreError> {
    let owner = owner_mention(&ctx.store, task).await?;
    let title = reply::escape(&task.title);
    let number = task.number.to_string();
    let due = due_text(task.due_at, tz);
    let days = mark.overdue_days();
    let key = match mark.label.as_str() {
        "24h" => "ping.h24",
        "1h" => "ping.h1",
        "due" => "ping.due",
        _ => "ping.overdue",
    };
    let mut text = String::new();
    if late {
        text.push_str(&tr(lang, "ping.late", &[]));
    }
    text.push_str(&tr(
        lang,
        key,
        &[
            ("owner", &owner),
            ("number", &number),
            ("title", &title),
            ("due", &due),
            ("days", &days.to_string()),
        ],
    ));
    if days >= 2 {
        let name = ctx
            .store
            .user(task.creator_id)
            .await?
            .map(|u| u.display_name)
            .unwrap_or_default();
        text.push_str(&tr(
            lang,
            "ping.cc_creator",
            &[("creator", &mention(task.creator_id, &name))],
        ));
    }
    Ok(text)
}

/// The period of a recurring task ended: open its next occurrence (once).
pub async fn fire_recurrence(ctx: &Service, job: &Job) -> Result<Outcome, JobError> {
    let Some(task) = ctx.store.task_by_id(job.subject_id).await? else {
        return Ok(Outcome::Dropped("task gone"));
    };
    if task.status == crate::storage::TASK_CANCELLED {
        return Ok(Outcome::Dropped("cancelled"));
    }
    match open_next_occurrence(ctx, &task).await? {
        Some(_) => Ok(Outcome::Sent),
        None => Ok(Outcome::Dropped("next already open")),
    }
}

/// Creates the next occurrence of a recurring task; None if it already exists or the task
/// does not repeat.
pub async fn open_next_occurrence(ctx: &Service, task: &Task) -> Result<Option<Task>, StoreError> {
    let Some(recur) = task.recur.as_deref().and_then(Recurrence::parse) else {
        return Ok(None);
    };
    let Some(team) = ctx.store.team(task.chat_id).await? else {
        return Ok(None);
    };
    let tz = team.tz();
    let mut due_at = recur.next_after(task.due_at, tz);
    // A long outage must not create a backlog of past occurrences: jump to the next one ahead.
    let now = ctx.now();
    while due_at <= now {
        due_at = recur.next_after(due_at, tz);
    }
    let new = NewTask {
        chat_id: task.chat_id,
        title: task.title.clone(),
        done_when: task.done_when.clone(),
        owner_id: task.owner_id,
        owner_username: task.owner_username.clone(),
        creator_id: task.creator_id,
        channel: task.channel.clone(),
        due_at,
        recur: task.recur.clone(),
        series_id: Some(task.series_id.unwrap_or(task.id)),
        source_message: None,
    };
    match ctx.store.create_task(&new, now).await {
        Ok(next) => {
            plan_task_jobs(ctx, &next).await?;
            Ok(Some(next))
        }
        Err(err) if err.is_unique_violation() => Ok(None),
        Err(err) => Err(err),
    }
}
