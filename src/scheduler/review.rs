//! The weekly review's automatic messages: the agenda an hour before, the summary (text + one
//! image) at the time. Each firing (or drop) plans the next week's occurrence from the team's
//! current settings, so the chain runs every week without a cron.
//!
//! After downtime: an agenda whose meeting has already started is dropped (it would be noise);
//! a summary is sent once, late, saying so.

use super::{JobError, Outcome};
use crate::bot::rhythm::{
    AGENDA_BEFORE_SECS, build_summary, judge, plan_review, review_version, send_summary,
};
use crate::domain::schedule::LATE_AFTER_SECS;
use crate::report::summary::{Span, agenda_text};
use crate::service::Service;
use crate::storage::{Job, Team};
use crate::telegram::{TgBot, send as reply};

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
    plan_review(ctx, team.chat_id).await?;
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
    let lang = team.language(ctx.settings.default_lang);
    let (data, flags) = judge(ctx, &team, None).await?;
    let late = now - job.fire_at > LATE_AFTER_SECS;
    let text = agenda_text(lang, &data, meeting, &flags, late);
    reply::send_html(bot, team.chat_id, &text, None).await?;
    Ok(Outcome::Sent)
}

pub async fn fire_summary(ctx: &Service, bot: &TgBot, job: &Job) -> Result<Outcome, JobError> {
    let team = match current_team(ctx, job).await? {
        Ok(team) => team,
        Err(why) => return Ok(Outcome::Dropped(why)),
    };
    let now = ctx.now();
    let lang = team.language(ctx.settings.default_lang);
    let late = now - job.fire_at > LATE_AFTER_SECS;
    let msg = build_summary(ctx, &team, lang, Span::Week, late).await?;
    send_summary(bot, team.chat_id, msg).await?;
    Ok(Outcome::Sent)
}
