//! Numbers: `/checkin`, `/metrics`, `/export`, `/checkin_time`. Each handler parses through the
//! service (which calls domain), renders with `views::numbers` and replies. The goal functions
//! at the end are the goals area's and leave with it for service/goals.rs.

use crate::service::checkins::team_totals;
use std::collections::HashMap;

use chrono_tz::Tz;
use teloxide::prelude::*;
use teloxide::types::{InputFile, ParseMode};

use super::reply::escape;
use super::{HandlerResult, Turn};
use crate::domain::checkins::{
    self as rules, CheckinTimeArg, DayRange, GoalSpec, day_key, parse_checkin_time,
};
use crate::domain::lang::Lang;
use crate::domain::metrics::{Better, GoalThreshold, Metric, MetricValue, progress_bp};
use crate::domain::money::format_bp;
use crate::domain::when::local_date;
use crate::i18n::tr;
use crate::storage::{Store, StoreResult};
use crate::views::Html;
use crate::views::export::{checkins_csv, tasks_csv};
use crate::views::numbers::{
    GoalMarks, render_checkin, render_checkin_refusal, render_checkin_time_current,
    render_checkin_time_set, render_checkin_time_usage, render_export_captions,
    render_export_usage, render_metrics, render_metrics_refusal,
};

/// The metric's name as the goal functions below take it (plain `String`) until they move.
fn metric_name(lang: Lang, m: Metric) -> String {
    crate::views::names::metric_name(lang, m).into_string()
}

// ---------------------------------------------------------------- /checkin

pub async fn checkin(turn: &Turn, args: &str) -> HandlerResult {
    let Some(team) = turn.require_team().await? else {
        return Ok(());
    };
    let saved = match turn.ctx.save_checkin(team, args, turn.user_id()).await? {
        Ok(saved) => saved,
        Err(refusal) => {
            let text = render_checkin_refusal(&refusal, turn.lang);
            return turn.reply(text.as_str()).await;
        }
    };
    let goals = goal_specs(&turn.ctx.store, team.chat_id).await?;
    let currency = team.currency.as_str();
    let lang = turn.lang;
    let goal_html = |g: &GoalThreshold| Html::from_trusted(goal_text(lang, g, currency));
    let marks = GoalMarks {
        goals: &goals,
        goal_text: &goal_html,
    };
    let text = render_checkin(&saved, lang, currency, &marks);
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
    let store = &turn.ctx.store;
    let goals = goal_specs(store, team.chat_id).await?;
    let currency = team.currency.as_str();
    let lang = turn.lang;
    let goal_html = |g: &GoalThreshold| Html::from_trusted(goal_text(lang, g, currency));
    let marks = GoalMarks {
        goals: &goals,
        goal_text: &goal_html,
    };
    // With no channels at all the table says so and stops, before any goal line.
    let volume = if data.channels.is_empty() {
        Vec::new()
    } else {
        volume_goal_lines(turn, team.chat_id, &goals, data.only.as_deref(), currency)
            .await?
            .into_iter()
            .map(Html::from_trusted)
            .collect()
    };
    let text = render_metrics(&data, lang, currency, &marks, &volume);
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
        tracing::error!(chat = team.chat_id, "could not write the CSV export");
        return turn.reply(&turn.t("error.internal", &[])).await;
    };
    let (checkins_caption, tasks_caption) = render_export_captions(&data, turn.lang);
    let chat = ChatId(team.chat_id);
    for (file, bytes, caption) in [
        ("checkins.csv", checkins, checkins_caption),
        ("tasks.csv", tasks, tasks_caption),
    ] {
        turn.bot
            .send_document(chat, InputFile::memory(bytes).file_name(file))
            .caption(caption.into_string())
            .parse_mode(ParseMode::Html)
            .await?;
    }
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

// ---------------------------------------------------------------- goals (the goals area's)

/// The team's goals in domain terms (unknown metrics or directions are skipped).
pub async fn goal_specs(store: &Store, chat_id: i64) -> StoreResult<Vec<GoalSpec>> {
    Ok(store
        .goals(chat_id)
        .await?
        .iter()
        .filter_map(|g| {
            GoalSpec::from_parts(&g.metric, &g.channel, &g.direction, &g.period, g.value)
        })
        .collect())
}

/// `≥ 2.00%` / `≤ 0.80`.
fn goal_text(lang: Lang, goal: &GoalThreshold, currency: &str) -> String {
    let op = match goal.direction {
        Better::Higher => "≥",
        Better::Lower => "≤",
    };
    tr(
        lang,
        "numbers.goal",
        &[
            ("op", op),
            ("target", &escape(&goal.format_target(currency))),
        ],
    )
}

/// Progress lines for volume goals (GMV/orders/new/spend per week, month or quarter), each
/// measured over its own period to date. `channel` None = every goal, Some = that channel's.
async fn volume_goal_lines(
    turn: &Turn,
    chat_id: i64,
    goals: &[GoalSpec],
    channel: Option<&str>,
    currency: &str,
) -> StoreResult<Vec<String>> {
    let today = local_date(turn.ctx.now(), turn.tz);
    let mut lines = Vec::new();
    for g in goals {
        let Some(period) = g.period else { continue };
        if channel.is_some_and(|c| c != g.channel) {
            continue;
        }
        let (from, to) = (day_key(period.start(today)), day_key(today));
        let rows = turn
            .ctx
            .store
            .channel_sums(chat_id, &from, &to, &g.channel)
            .await?;
        let t = team_totals(&rows);
        let m = g.threshold.metric;
        let actual = match m {
            Metric::Gmv => t.gmv,
            Metric::Orders => t.orders,
            Metric::New => t.new_customers.unwrap_or(0),
            _ => t.spend,
        };
        let progress = progress_bp(actual, g.threshold.target)
            .map(format_bp)
            .unwrap_or_else(|| crate::domain::money::DASH.to_string());
        let scope = if g.channel.is_empty() {
            turn.t("numbers.metrics.team_scope", &[])
        } else {
            format!("#{}", escape(&g.channel))
        };
        lines.push(turn.t(
            "numbers.metrics.volume_goal",
            &[
                ("name", &metric_name(turn.lang, m)),
                ("scope", &scope),
                (
                    "period",
                    &turn.t(&format!("numbers.period.{}", period.code()), &[]),
                ),
                (
                    "actual",
                    &escape(&MetricValue::whole(actual.into()).format(m, currency)),
                ),
                ("target", &escape(&g.threshold.format_target(currency))),
                ("progress", &progress),
            ],
        ));
    }
    Ok(lines)
}

/// Spend per channel this month (local), for budget pacing.
pub async fn month_spend_by_channel(
    store: &Store,
    chat_id: i64,
    now: i64,
    tz: Tz,
) -> StoreResult<Vec<(String, i64)>> {
    let today = local_date(now, tz);
    let range = DayRange {
        from: rules::GoalPeriod::Month.start(today),
        to: today,
    };
    let (from, to) = range.keys();
    store.spend_by_channel(chat_id, &from, &to).await
}

/// Where the team stands on each goal's metric, keyed by (metric, channel — "" for the team):
/// volume goals over their own period to date (week, month, quarter), rate goals over this
/// month. A metric without data (no check-ins, a zero denominator) has no entry.
pub async fn goal_current_values(
    store: &Store,
    chat_id: i64,
    now: i64,
    tz: Tz,
) -> StoreResult<HashMap<(Metric, String), MetricValue>> {
    let today = local_date(now, tz);
    let mut out = HashMap::new();
    for g in goal_specs(store, chat_id).await? {
        let period = g.period.unwrap_or(rules::GoalPeriod::Month);
        let (from, to) = (day_key(period.start(today)), day_key(today));
        let rows = store.channel_sums(chat_id, &from, &to, &g.channel).await?;
        if rows.is_empty() {
            continue;
        }
        let m = g.threshold.metric;
        if let Some(v) = team_totals(&rows).value(m) {
            out.insert((m, g.channel), v);
        }
    }
    Ok(out)
}
