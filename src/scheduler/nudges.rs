//! The daily check-in nudge: at the team's `/checkin_time`, one message mentioning the owners
//! of channels without numbers for today; nothing when all are in. Each firing (or drop) plans
//! the next day's, so the chain runs every day without a cron.

use super::{JobError, Outcome};
use crate::bot::numbers::{nudge_day, nudge_text, plan_nudge};
use crate::domain::checkins::nudge_is_stale;
use crate::domain::schedule::LATE_AFTER_SECS;
use crate::i18n::tr;
use crate::service::Service;
use crate::storage::Job;
use crate::telegram::{TgBot, send as reply};

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
    plan_nudge(ctx, team.chat_id).await?;
    let now = ctx.now();
    let tz = team.tz();
    if nudge_is_stale(day, now, tz) {
        return Ok(Outcome::Dropped("day over"));
    }
    let lang = team.language(ctx.settings.default_lang);
    let Some(body) = nudge_text(ctx, &team, day, lang).await? else {
        return Ok(Outcome::Dropped("all in"));
    };
    let mut text = String::new();
    if now - job.fire_at > LATE_AFTER_SECS {
        text.push_str(&tr(lang, "numbers.nudge.late", &[]));
    }
    text.push_str(&body);
    reply::send_html(bot, team.chat_id, &text, None).await?;
    Ok(Outcome::Sent)
}
