//! Rhythm: `/review`, `/summary`, `/bottlenecks`, `/chart`, and the planning of the weekly
//! review's two automatic messages (the scheduler fires them in `scheduler::review`).

use crate::domain::jobs::JobKind;
use crate::service::Service;
use chrono::{Datelike, NaiveDate};
use chrono_tz::Tz;
use teloxide::prelude::*;
use teloxide::types::{InputFile, ParseMode};

use super::reply::{self, escape};
use super::{HandlerResult, TgBot, Turn};
use crate::domain::bottleneck::{Flag, evaluate};
use crate::domain::checkins::{day_key, format_minute_of_day};
use crate::domain::lang::Lang;
use crate::domain::metrics::Metric;
use crate::domain::when::{
    format_local, local_date, local_datetime_to_epoch, parse_hhmm, parse_weekday,
};
use crate::i18n::tr;
use crate::report::chart::render_png;
use crate::report::snapshot::{self, TeamData, back};
use crate::report::summary::{self, Span};
use crate::storage::{JOB_DROPPED, NewJob, Store, StoreResult, Team, TeamSetting};

/// How long before the meeting the agenda goes out.
pub const AGENDA_BEFORE_SECS: i64 = 3600;
/// Days a `/chart` shows by default.
pub const CHART_DEFAULT_DAYS: u64 = 14;
/// The longest `/chart` range.
pub const CHART_MAX_DAYS: u64 = 366;
/// Telegram's caption limit.
pub const MAX_CAPTION: usize = 1024;

fn t(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    tr(lang, &format!("rhythm.{key}"), args)
}

// ---------------------------------------------------------------- meeting times

/// The review's identity as stored on its jobs: minute of the week (Monday 00:00 = 0).
pub fn review_version(weekday: i64, minute: i64) -> i64 {
    weekday * 1440 + minute
}

/// The first meeting instant strictly after `after`: `weekday` (0 = Monday) at `minute` past
/// local midnight in `tz`.
pub fn next_meeting(after: i64, weekday: i64, minute: i64, tz: Tz) -> i64 {
    let minute = minute.clamp(0, 1439);
    let (h, m) = ((minute / 60) as u32, (minute % 60) as u32);
    let mut day = local_date(after, tz);
    for _ in 0..15 {
        if i64::from(day.weekday().num_days_from_monday()) == weekday.rem_euclid(7) {
            let at = local_datetime_to_epoch(day, h, m, tz);
            if at > after {
                return at;
            }
        }
        day = day.succ_opt().unwrap_or(day);
    }
    local_datetime_to_epoch(day, h, m, tz)
}

/// Reads a review job's mark back: the meeting's local day.
pub fn meeting_day(mark: &str) -> Option<NaiveDate> {
    crate::domain::checkins::parse_day_key(mark.split('#').next()?)
}

/// Plans the team's next agenda and summary from its current settings, dropping any other
/// pending review job of the chat. Returns the next meeting instant, or None when off.
pub async fn plan_review(ctx: &Service, chat_id: i64) -> StoreResult<Option<i64>> {
    let store = &ctx.store;
    let Some(team) = store.team(chat_id).await? else {
        return Ok(None);
    };
    let now = ctx.now();
    let tz = team.tz();
    let planned: Vec<NewJob> = match (team.review_weekday, team.review_minute) {
        (Some(wd), Some(min)) if team.is_active() => {
            let version = review_version(wd, min);
            let job = |kind: JobKind, meeting: i64, due: i64| NewJob {
                chat_id,
                kind,
                subject_id: chat_id,
                // The plan stamp makes a re-set review a new occurrence (an earlier, dropped
                // plan of the same meeting would otherwise block it).
                mark: format!("{}#{}", day_key(local_date(meeting, tz)), team.updated_at),
                due_at: due,
                fire_at: due,
                version,
            };
            let meeting = next_meeting(now, wd, min, tz);
            let agenda_meeting = next_meeting(now + AGENDA_BEFORE_SECS, wd, min, tz);
            vec![
                job(JobKind::ReviewSummary, meeting, meeting),
                job(
                    JobKind::ReviewAgenda,
                    agenda_meeting,
                    agenda_meeting - AGENDA_BEFORE_SECS,
                ),
            ]
        }
        _ => Vec::new(),
    };
    for job in store.pending_jobs_of_chat(chat_id).await? {
        if job.kind != JobKind::ReviewAgenda && job.kind != JobKind::ReviewSummary {
            continue;
        }
        let keep = planned
            .iter()
            .any(|n| n.kind == job.kind && n.mark == job.mark && n.due_at == job.due_at);
        if !keep {
            store
                .finish_job(job.id, JOB_DROPPED, now, Some("replaced"))
                .await?;
        }
    }
    for job in &planned {
        store.plan_job(job).await?;
    }
    ctx.jobs_changed();
    Ok(planned.first().map(|j| j.due_at))
}

// ---------------------------------------------------------------- shared building

/// The team's data and flags at `now`.
pub async fn judge(
    ctx: &Service,
    team: &Team,
    history_from: Option<NaiveDate>,
) -> StoreResult<(TeamData, Vec<Flag>)> {
    let tz = team.tz();
    let data = snapshot::build(&ctx.store, team, tz, ctx.now(), history_from).await?;
    let flags = evaluate(&data.snapshot);
    Ok((data, flags))
}

/// A summary ready to send: the text, and the chart with its caption (None if it failed).
pub struct SummaryMessage {
    pub text: String,
    pub png: Option<Vec<u8>>,
    pub caption: String,
}

/// Builds the summary for a span.
pub async fn build_summary(
    ctx: &Service,
    team: &Team,
    lang: Lang,
    span: Span,
    late: bool,
) -> StoreResult<SummaryMessage> {
    let tz = team.tz();
    let today = local_date(ctx.now(), tz);
    let w = span.window(today);
    let (data, flags) = judge(ctx, team, Some(w.prev_from)).await?;
    let since = local_datetime_to_epoch(w.from, 0, 0, tz);
    let touched = ctx.store.tasks_since(team.chat_id, since).await?;
    let mut text = summary::summary_text(lang, &data, span, &flags, &touched, late);
    // A/B tests that reached a verdict within the summary's window (issue 7).
    let verdicts = super::abtest::verdicts_since(&ctx.store, team.chat_id, w.from, today).await?;
    if !verdicts.is_empty() {
        let lines: Vec<String> = verdicts
            .iter()
            .map(|v| super::abtest::verdict_line(lang, v))
            .collect();
        text.push_str(&tr(
            lang,
            "abtest.summary_header",
            &[("lines", &lines.join("\n"))],
        ));
    }
    let spec = summary::summary_chart(lang, &data, span);
    let png = match render_png(&spec) {
        Ok(png) => Some(png),
        Err(err) => {
            tracing::error!(chat = team.chat_id, error = %err, "summary chart failed");
            None
        }
    };
    let caption = clip(&summary::summary_caption(lang, &data, span), MAX_CAPTION);
    Ok(SummaryMessage { text, png, caption })
}

/// Shortens a caption to `max` UTF-16 units at a character boundary.
fn clip(s: &str, max: usize) -> String {
    let mut out = String::new();
    let mut n = 0;
    for c in s.chars() {
        n += c.len_utf16();
        if n > max {
            break;
        }
        out.push(c);
    }
    out
}

/// Sends a summary: the text (split cleanly if needed), then the one image.
pub async fn send_summary(
    bot: &TgBot,
    chat_id: i64,
    msg: SummaryMessage,
) -> Result<(), teloxide::RequestError> {
    reply::send_html(bot, chat_id, &msg.text, None).await?;
    if let Some(png) = msg.png {
        send_png(bot, chat_id, png, "summary.png", &msg.caption).await?;
    }
    Ok(())
}

async fn send_png(
    bot: &TgBot,
    chat_id: i64,
    png: Vec<u8>,
    name: &str,
    caption: &str,
) -> Result<(), teloxide::RequestError> {
    bot.send_photo(
        ChatId(chat_id),
        InputFile::memory(png).file_name(name.to_string()),
    )
    .caption(clip(caption, MAX_CAPTION))
    .parse_mode(ParseMode::Html)
    .await?;
    Ok(())
}

// ---------------------------------------------------------------- /review

fn weekday_name(lang: Lang, weekday: i64) -> String {
    let key = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][weekday.rem_euclid(7) as usize];
    t(lang, &format!("wd.{key}"), &[])
}

/// Parses `fri 17:00` (also `周五 17:00`, `周五17:00`): weekday (0 = Monday) and minute of day.
/// The longest weekday word (`wednesday.`) in characters.
const MAX_WEEKDAY_CHARS: usize = 12;

pub fn parse_review(input: &str) -> Option<(i64, i64)> {
    let s = input.trim();
    let (day, time) = match s.split_once(char::is_whitespace) {
        Some((d, rest)) => (d.to_string(), rest.trim().to_string()),
        None => {
            // `周五17:00`: the weekday is the longest prefix that parses. Weekday words are
            // short, so only the first few characters are tried (a 4,096-character message
            // must not cost a prefix scan of every length — found by fuzzing).
            let cut = s
                .char_indices()
                .map(|(i, _)| i)
                .chain([s.len()])
                .take(MAX_WEEKDAY_CHARS + 1)
                .filter(|&i| i > 0 && parse_weekday(&s[..i]).is_some())
                .last()?;
            (s[..cut].to_string(), s[cut..].trim().to_string())
        }
    };
    let wd = parse_weekday(&day)?;
    let (h, m) = parse_hhmm(&time)?;
    Some((i64::from(wd.num_days_from_monday()), i64::from(h * 60 + m)))
}

pub async fn review(turn: &Turn, args: &str) -> HandlerResult {
    let Some(team) = turn.require_team().await? else {
        return Ok(());
    };
    let input = args.trim();
    let tz_name = escape(team.tz.name());
    if input.is_empty() {
        let text = match (team.review_weekday, team.review_minute) {
            (Some(wd), Some(min)) => {
                let next = next_meeting(turn.ctx.now(), wd, min, turn.tz);
                turn.t(
                    "rhythm.review.current",
                    &[
                        ("day", &weekday_name(turn.lang, wd)),
                        ("time", &format_minute_of_day(min)),
                        ("tz", &tz_name),
                        ("next", &format_local(next, turn.tz)),
                    ],
                )
            }
            _ => turn.t("rhythm.review.unset", &[]),
        };
        return turn.reply(&text).await;
    }
    let off = matches!(
        input.to_lowercase().as_str(),
        "off" | "none" | "stop" | "关" | "关闭" | "取消"
    );
    let parsed = parse_review(input);
    if !off && parsed.is_none() {
        return turn
            .reply(&turn.t("rhythm.review.usage", &[("input", &escape(input))]))
            .await;
    }
    if !turn.require_admin("rhythm.review.action").await? {
        return Ok(());
    }
    let store = &turn.ctx.store;
    let now = turn.ctx.now();
    match parsed {
        Some((weekday, minute)) if !off => {
            store
                .update_team(team.chat_id, &TeamSetting::Review { weekday, minute }, now)
                .await?;
            let next = plan_review(&turn.ctx, team.chat_id).await?.unwrap_or(now);
            turn.reply(&turn.t(
                "rhythm.review.set",
                &[
                    ("day", &weekday_name(turn.lang, weekday)),
                    ("time", &format_minute_of_day(minute)),
                    ("tz", &tz_name),
                    ("next", &format_local(next, turn.tz)),
                ],
            ))
            .await
        }
        _ => {
            store.clear_review(team.chat_id, now).await?;
            plan_review(&turn.ctx, team.chat_id).await?;
            turn.reply(&turn.t("rhythm.review.off", &[])).await
        }
    }
}

// ---------------------------------------------------------------- /summary, /bottlenecks

pub async fn summary(turn: &Turn, args: &str) -> HandlerResult {
    let Some(team) = turn.require_team().await? else {
        return Ok(());
    };
    let Some(span) = Span::parse(args) else {
        return turn
            .reply(&turn.t("rhythm.summary.usage", &[("input", &escape(args.trim()))]))
            .await;
    };
    let msg = build_summary(&turn.ctx, team, turn.lang, span, false).await?;
    send_summary(&turn.bot, turn.chat_id(), msg).await?;
    Ok(())
}

pub async fn bottlenecks(turn: &Turn, _args: &str) -> HandlerResult {
    let Some(team) = turn.require_team().await? else {
        return Ok(());
    };
    let (data, flags) = judge(&turn.ctx, team, None).await?;
    turn.reply(&summary::bottlenecks_text(turn.lang, &data, &flags))
        .await
}

// ---------------------------------------------------------------- /chart

/// What `/chart` was asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChartArgs {
    pub metric: Metric,
    pub channel: Option<String>,
    pub days: u64,
}

/// Parses `[metric] [#channel] [30d]` in any order; a bare word that is not a metric is a
/// channel. Err quotes the token not understood.
pub fn parse_chart_args(args: &str) -> Result<ChartArgs, String> {
    let mut out = ChartArgs {
        metric: Metric::Gmv,
        channel: None,
        days: CHART_DEFAULT_DAYS,
    };
    let (mut metric_seen, mut days_seen) = (false, false);
    for tok in args.split_whitespace() {
        let lower = tok.to_lowercase();
        let days = lower
            .strip_suffix('d')
            .or_else(|| lower.strip_suffix('天'))
            .and_then(|n| n.parse::<u64>().ok());
        if let Some(n) = days
            && !days_seen
            && (1..=CHART_MAX_DAYS).contains(&n)
        {
            out.days = n;
            days_seen = true;
        } else if let Some(name) = tok.strip_prefix('#').or_else(|| tok.strip_prefix('＃')) {
            if out.channel.is_some() || name.is_empty() {
                return Err(tok.to_string());
            }
            out.channel = Some(name.to_lowercase());
        } else if let Some(m) = Metric::parse(tok).filter(|_| !metric_seen) {
            out.metric = m;
            metric_seen = true;
        } else if out.channel.is_none() && days.is_none() {
            out.channel = Some(lower);
        } else {
            return Err(tok.to_string());
        }
    }
    Ok(out)
}

pub async fn chart(turn: &Turn, args: &str) -> HandlerResult {
    let Some(team) = turn.require_team().await? else {
        return Ok(());
    };
    let parsed = match parse_chart_args(args) {
        Ok(p) => p,
        Err(tok) => {
            return turn
                .reply(&turn.t("rhythm.chart.usage", &[("input", &escape(&tok))]))
                .await;
        }
    };
    let store: &Store = &turn.ctx.store;
    if let Some(name) = &parsed.channel {
        let channels = store.channels(team.chat_id).await?;
        if !channels.iter().any(|c| &c.name == name) {
            let list: Vec<String> = channels
                .iter()
                .map(|c| format!("#{}", escape(&c.name)))
                .collect();
            let list = if list.is_empty() {
                "—".to_string()
            } else {
                list.join(", ")
            };
            return turn
                .reply(&turn.t(
                    "rhythm.chart.unknown_channel",
                    &[("input", &escape(name)), ("channels", &list)],
                ))
                .await;
        }
    }
    let today = local_date(turn.ctx.now(), turn.tz);
    let from = back(today, parsed.days - 1);
    let (data, _) = judge(&turn.ctx, team, Some(from)).await?;
    let spec = summary::metric_chart(
        turn.lang,
        &data,
        parsed.metric,
        parsed.channel.as_deref(),
        parsed.days,
    );
    let png = match render_png(&spec) {
        Ok(png) => png,
        Err(err) => {
            tracing::error!(error = %err, "chart failed");
            return turn.reply(&turn.t("rhythm.chart.failed", &[])).await;
        }
    };
    let caption = turn.t(
        "rhythm.chart.caption",
        &[
            ("metric", &summary::metric_name(turn.lang, parsed.metric)),
            ("from", &from.format("%m-%d").to_string()),
            ("to", &today.format("%m-%d").to_string()),
        ],
    );
    send_png(&turn.bot, turn.chat_id(), png, "chart.png", &caption).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn review_args() {
        assert_eq!(parse_review("fri 17:00"), Some((4, 17 * 60)));
        assert_eq!(parse_review("周五 17:00"), Some((4, 17 * 60)));
        assert_eq!(parse_review("周五17:00"), Some((4, 17 * 60)));
        assert_eq!(parse_review("mon 9:30"), Some((0, 9 * 60 + 30)));
        assert_eq!(parse_review("friday"), None);
        assert_eq!(parse_review("fri 25:00"), None);
        assert_eq!(parse_review("xyz 17:00"), None);
    }

    #[test]
    fn meetings_in_shanghai() {
        let tz: Tz = "Asia/Shanghai".parse().expect("tz");
        // 2026-11-02 09:00 UTC = Monday 17:00 in Shanghai.
        let t0 = 1_793_610_000;
        let fri = next_meeting(t0, 4, 17 * 60, tz);
        assert_eq!(fri - t0, 4 * 86_400);
        // Exactly at the meeting: the next one is a week later.
        assert_eq!(next_meeting(fri, 4, 17 * 60, tz) - fri, 7 * 86_400);
        // Monday 17:00 is "now": next Monday.
        assert_eq!(next_meeting(t0, 0, 17 * 60, tz) - t0, 7 * 86_400);
        assert_eq!(next_meeting(t0 - 1, 0, 17 * 60, tz), t0);
    }

    #[test]
    fn chart_args() {
        let p = parse_chart_args("").expect("empty");
        assert_eq!((p.metric, p.channel, p.days), (Metric::Gmv, None, 14));
        let p = parse_chart_args("cvr #taobao 30d").expect("full");
        assert_eq!(
            (p.metric, p.channel.as_deref(), p.days),
            (Metric::Cvr, Some("taobao"), 30)
        );
        let p = parse_chart_args("30d roi xhs").expect("any order");
        assert_eq!(
            (p.metric, p.channel.as_deref(), p.days),
            (Metric::Roi, Some("xhs"), 30)
        );
        assert_eq!(parse_chart_args("#a #b"), Err("#b".into()));
        assert_eq!(parse_chart_args("0d"), Err("0d".into()));
        assert_eq!(parse_chart_args("cvr ctr xhs"), Err("xhs".into()));
    }
}
