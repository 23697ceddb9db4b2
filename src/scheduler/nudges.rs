//! The daily check-in nudge: at the team's `/checkin_time`, one message mentioning the owners
//! of channels without numbers for today; nothing when all are in. Each firing (or drop) plans
//! the next day's, so the chain runs every day without a cron.

use super::{JobError, Outcome};
use crate::domain::checkins::{nudge_day, nudge_is_stale};
use crate::domain::schedule::LATE_AFTER_SECS;
use crate::service::Service;
use crate::storage::Job;
use crate::telegram::{TgBot, send};
use crate::views::numbers::render_nudge;

pub async fn fire(ctx: &Service, bot: &TgBot, job: &Job) -> Result<Outcome, JobError> {
    let store = &ctx.store;
    let Some(team) = store.team(job.chat_id).await? else {
        return Ok(Outcome::Dropped("team gone"));
    };
    if !team.is_active() {
        return Ok(Outcome::Dropped("team inactive"));
    }
    // The time was changed or turned off since this one was planned: that change planned anew.
    if team.checkin_minute != Some(job.version) {
        return Ok(Outcome::Dropped("time changed"));
    }
    let Some(day) = nudge_day(&job.mark) else {
        return Ok(Outcome::Dropped("bad mark"));
    };
    // Plan tomorrow's first, so neither a stale day nor a refused send breaks the chain.
    ctx.plan_nudge(team.chat_id).await?;
    let now = ctx.now();
    if nudge_is_stale(day, now, team.tz()) {
        return Ok(Outcome::Dropped("day over"));
    }
    let Some(missing) = ctx.missing_checkins(&team, day).await? else {
        return Ok(Outcome::Dropped("all in"));
    };
    let late = now - job.fire_at > LATE_AFTER_SECS;
    let text = render_nudge(&missing, ctx.team_lang(&team), late);
    send::send_html(bot, team.chat_id, text.as_str(), None).await?;
    Ok(Outcome::Sent)
}
