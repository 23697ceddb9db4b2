//! The weekly review's automatic messages: the agenda an hour before, the summary (text + one
//! image) at the time. Each firing (or drop) plans the next week's occurrence from the team's
//! current settings, so the chain runs every week without a cron.
//!
//! After downtime: an agenda whose meeting has already started is dropped (it would be noise);
//! a summary is sent once, late, saying so.

use super::{JobError, Outcome};
use crate::domain::bottleneck::SUMMARY_TOP;
use crate::domain::review::{AGENDA_BEFORE_SECS, Span, review_version};
use crate::domain::schedule::LATE_AFTER_SECS;
use crate::report::chart::render_png_aside;
use crate::service::Service;
use crate::storage::{Job, Team};
use crate::telegram::{TgBot, photo, send as reply};
use crate::views::summary::{SUMMARY_PNG, agenda_text, summary_message};

/// The team, if this job still stands (team active, review time unchanged); plans the next
/// occurrence first, so neither a drop nor a refused send breaks the chain.
async fn current_team(ctx: &Service, job: &Job) -> Result<Result<Team, &'static str>, JobError> {
    let store = &ctx.store;
    let Some(team) = store.team(job.chat_id).await? else {
        return Ok(Err("team gone"));
    };
    if !team.is_active() {
        return Ok(Err("team inactive"));
    }
    let version = team
        .review_weekday
        .zip(team.review_minute)
        .map(|(wd, min)| review_version(wd, min));
    if version != Some(job.version) {
        // The review was moved or turned off: that change planned anew.
        return Ok(Err("time changed"));
    }
    ctx.plan_review(team.chat_id).await?;
    Ok(Ok(team))
}

pub async fn fire_agenda(ctx: &Service, bot: &TgBot, job: &Job) -> Result<Outcome, JobError> {
    let team = match current_team(ctx, job).await? {
        Ok(team) => team,
        Err(why) => return Ok(Outcome::Dropped(why)),
    };
    let now = ctx.now();
    let meeting = job.due_at + AGENDA_BEFORE_SECS;
    if now >= meeting {
        return Ok(Outcome::Dropped("meeting started"));
    }
    let lang = ctx.team_lang(&team);
    let (data, flags) = ctx.judge(&team, None).await?;
    let repeats = ctx.repeats(&data, &flags).await?;
    let late = now - job.fire_at > LATE_AFTER_SECS;
    let text = agenda_text(lang, &data, meeting, &repeats, late);
    reply::send_html(bot, team.chat_id, text.as_str(), None).await?;
    Ok(Outcome::SentShowing(repeats.remember_shown(SUMMARY_TOP)))
}

pub async fn fire_summary(ctx: &Service, bot: &TgBot, job: &Job) -> Result<Outcome, JobError> {
    let team = match current_team(ctx, job).await? {
        Ok(team) => team,
        Err(why) => return Ok(Outcome::Dropped(why)),
    };
    let now = ctx.now();
    let lang = ctx.team_lang(&team);
    let late = now - job.fire_at > LATE_AFTER_SECS;
    let data = ctx.summary(&team, Span::Week, late).await?;
    let msg = summary_message(&data, lang);
    let png = match render_png_aside(msg.chart).await {
        Ok(png) => Some(png),
        Err(err) => {
            tracing::error!(chat = %team.chat_id, error = %err, "summary chart failed");
            None
        }
    };
    photo::send_text_and_png(
        bot,
        team.chat_id,
        msg.text.as_str(),
        png,
        SUMMARY_PNG,
        msg.caption.as_str(),
    )
    .await?;
    Ok(Outcome::SentShowing(
        data.repeats.remember_shown(SUMMARY_TOP),
    ))
}
