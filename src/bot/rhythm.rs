//! Rhythm: `/review`, `/summary`, `/bottlenecks`, `/chart`. Parse (`domain::review`) →
//! service (`service::review`) → view (`views::rhythm`, `views::summary`) → reply. The weekly
//! review's automatic messages are the scheduler's (`scheduler::review`).

use super::{HandlerResult, Turn};
use crate::domain::review::{ReviewRequest, Span, parse_chart_args, parse_review_request};
use crate::report::chart::render_png_aside;
use crate::service::review::ChartData;
use crate::telegram::photo;
use crate::views::flags::bottlenecks_text;
use crate::views::rhythm as view;
use crate::views::summary::{SUMMARY_PNG, summary_message};

pub async fn review(turn: &Turn, args: &str) -> HandlerResult {
    let Some(team) = turn.require_team().await? else {
        return Ok(());
    };
    let lang = turn.lang;
    let (weekday, minute) = match parse_review_request(args) {
        ReviewRequest::Show => {
            let next = turn.ctx.next_review(team);
            return turn
                .reply(view::review_current(lang, team, next).as_str())
                .await;
        }
        ReviewRequest::Invalid => {
            return turn
                .reply(view::review_usage(lang, args.trim()).as_str())
                .await;
        }
        ReviewRequest::Off => (None, None),
        ReviewRequest::Set { weekday, minute } => (Some(weekday), Some(minute)),
    };
    if !turn.require_admin("rhythm.review.action").await? {
        return Ok(());
    }
    match weekday.zip(minute) {
        Some((weekday, minute)) => {
            let next = turn.ctx.set_review(team, weekday, minute).await?;
            let text = view::review_set(lang, team, weekday, minute, next);
            turn.reply(text.as_str()).await
        }
        None => {
            turn.ctx.stop_review(team).await?;
            turn.reply(view::review_off(lang).as_str()).await
        }
    }
}

pub async fn summary(turn: &Turn, args: &str) -> HandlerResult {
    let Some(team) = turn.require_team().await? else {
        return Ok(());
    };
    let Some(span) = Span::parse(args) else {
        return turn
            .reply(view::summary_usage(turn.lang, args.trim()).as_str())
            .await;
    };
    let data = turn.ctx.summary(team, span, false).await?;
    let msg = summary_message(&data, turn.lang);
    // The text is the reply: once it is accepted, a failed picture must not replay the command.
    turn.reply(msg.text.as_str()).await?;
    match render_png_aside(msg.chart).await {
        Ok(png) => {
            let caption = msg.caption.as_str();
            turn.queue(vec![photo::png_message(
                &turn.bot,
                turn.chat_id(),
                png,
                SUMMARY_PNG,
                caption,
            )]);
        }
        Err(err) => tracing::error!(chat = %team.chat_id, error = %err, "summary chart failed"),
    }
    Ok(())
}

pub async fn bottlenecks(turn: &Turn, _args: &str) -> HandlerResult {
    let Some(team) = turn.require_team().await? else {
        return Ok(());
    };
    let (data, flags) = turn.ctx.judge(team, None).await?;
    let repeats = turn.ctx.repeats(&data, &flags).await?;
    turn.reply(bottlenecks_text(turn.lang, &data, &repeats).as_str())
        .await
}

pub async fn chart(turn: &Turn, args: &str) -> HandlerResult {
    let Some(team) = turn.require_team().await? else {
        return Ok(());
    };
    let lang = turn.lang;
    let mut parsed = match parse_chart_args(args) {
        Ok(p) => p,
        Err(tok) => return turn.reply(view::chart_usage(lang, &tok).as_str()).await,
    };
    let (data, from, today) = match turn.ctx.chart(team, &parsed).await? {
        ChartData::Ready {
            data,
            from,
            today,
            channel,
        } => {
            parsed.channel = channel;
            (data, from, today)
        }
        ChartData::UnknownChannel { channels } => {
            let name = parsed.channel.as_deref().unwrap_or_default();
            let text = view::chart_unknown_channel(lang, name, &channels);
            return turn.reply(text.as_str()).await;
        }
    };
    let png = match render_png_aside(view::chart_spec(lang, &data, &parsed)).await {
        Ok(png) => png,
        Err(err) => {
            tracing::error!(error = %err, "chart failed");
            return turn.reply(view::chart_failed(lang).as_str()).await;
        }
    };
    let caption = view::chart_caption(lang, &parsed, from, today);
    // A picture reply counts as a reply: once accepted, a crash must not draw and send it again.
    turn.queue(vec![photo::png_message(
        &turn.bot,
        turn.chat_id(),
        png,
        "chart.png",
        caption.as_str(),
    )]);
    Ok(())
}
