//! Numbers: `/checkin`, `/metrics`, `/export`, `/checkin_time`. Each handler parses through the
//! service (which calls domain), renders with `views::numbers` and replies.

use teloxide::prelude::*;
use teloxide::types::{InputFile, ParseMode};

use super::{HandlerResult, Turn};
use crate::domain::checkins::{CheckinTimeArg, is_multi_line, parse_checkin_time};
use crate::telegram::outbox::attempt;
use crate::views::export::{checkins_csv, tasks_csv};
use crate::views::numbers::{
    GoalMarks, render_checkin, render_checkin_lines, render_checkin_refusal,
    render_checkin_time_current, render_checkin_time_set, render_checkin_time_usage,
    render_export_captions, render_export_usage, render_metrics, render_metrics_refusal,
    render_volume_goals,
};

// ---------------------------------------------------------------- /checkin

pub async fn checkin(turn: &Turn, args: &str) -> HandlerResult {
    let Some(team) = turn.require_team().await? else {
        return Ok(());
    };
    // One line per channel: the daily round in one message, one reply. Several lines for one
    // channel (a pasted sheet) are one check-in with the usual reply.
    if is_multi_line(args) && turn.ctx.checkin_entries(team, args).await? > 1 {
        let outcomes = turn
            .ctx
            .save_checkin_lines(team, args, turn.user_id())
            .await?;
        let text = render_checkin_lines(&outcomes, turn.lang, team.currency.as_str());
        return turn.reply(text.as_str()).await;
    }
    let saved = match turn.ctx.save_checkin(team, args, turn.user_id()).await? {
        Ok(saved) => saved,
        Err(refusal) => {
            let text = render_checkin_refusal(&refusal, turn.lang);
            return turn.reply(text.as_str()).await;
        }
    };
    let goals = turn.ctx.store.team_goals(team.chat_id).await?;
    let currency = team.currency.as_str();
    let marks = GoalMarks { goals: &goals };
    let text = render_checkin(&saved, turn.lang, currency, &marks);
    turn.reply(text.as_str()).await
}

// ---------------------------------------------------------------- /metrics

pub async fn metrics(turn: &Turn, args: &str) -> HandlerResult {
    let Some(team) = turn.require_team().await? else {
        return Ok(());
    };
    let data = match turn.ctx.metrics(team, args).await? {
        Ok(data) => data,
        Err(refusal) => {
            let text = render_metrics_refusal(&refusal, turn.lang);
            return turn.reply(text.as_str()).await;
        }
    };
    let goals = turn.ctx.store.team_goals(team.chat_id).await?;
    let currency = team.currency.as_str();
    let marks = GoalMarks { goals: &goals };
    // With no channels at all the table says so and stops, before any goal line.
    let volume = if data.channels.is_empty() {
        Vec::new()
    } else {
        let statuses = turn
            .ctx
            .volume_goal_statuses(team, data.only.as_deref())
            .await?;
        render_volume_goals(&statuses, turn.lang, currency)
    };
    let text = render_metrics(&data, turn.lang, currency, &marks, &volume);
    turn.reply(text.as_str()).await
}

// ---------------------------------------------------------------- /export

pub async fn export(turn: &Turn, args: &str) -> HandlerResult {
    let Some(team) = turn.require_team().await? else {
        return Ok(());
    };
    let Some(data) = turn.ctx.export(team, args).await? else {
        return turn
            .reply(render_export_usage(turn.lang, args).as_str())
            .await;
    };
    let tz = team.tz();
    let (Ok(checkins), Ok(tasks)) = (checkins_csv(&data.checkins, tz), tasks_csv(&data.tasks, tz))
    else {
        tracing::error!(chat = %team.chat_id, "could not write the CSV export");
        return turn.reply(&turn.t("error.internal", &[])).await;
    };
    let (checkins_caption, tasks_caption) = render_export_captions(&data, turn.lang);
    let chat = team.chat_id;
    let files = [
        ("checkins.csv", checkins, checkins_caption),
        ("tasks.csv", tasks, tasks_caption),
    ]
    .into_iter()
    .map(|(file, bytes, caption)| {
        attempt(
            turn.bot
                .send_document(chat, InputFile::memory(bytes).file_name(file))
                .caption(caption.into_string())
                .parse_mode(ParseMode::Html),
        )
    })
    .collect();
    turn.queue(files);
    Ok(())
}

// ---------------------------------------------------------------- /checkin_time

pub async fn checkin_time(turn: &Turn, args: &str) -> HandlerResult {
    let Some(team) = turn.require_team().await? else {
        return Ok(());
    };
    let tz = team.tz();
    let minute = match parse_checkin_time(args) {
        CheckinTimeArg::Show => {
            let text = render_checkin_time_current(turn.lang, team.checkin_minute, tz);
            return turn.reply(text.as_str()).await;
        }
        CheckinTimeArg::Invalid => {
            let text = render_checkin_time_usage(turn.lang, args);
            return turn.reply(text.as_str()).await;
        }
        CheckinTimeArg::Off => None,
        CheckinTimeArg::At(m) => Some(m),
    };
    if !turn.require_admin("numbers.checkin_time.action").await? {
        return Ok(());
    }
    let next = turn.ctx.set_checkin_time(team, minute).await?;
    let due = next.map(|(_, due)| due);
    let text = render_checkin_time_set(turn.lang, minute.unwrap_or_default(), due, tz);
    turn.reply(text.as_str()).await
}
