//! The weekly (or monthly) summary and the review agenda (SPEC §3–4): goal progress, the channel
//! table, budget pacing, tasks by owner, check-in gaps and the flags (worded in [`super::flags`]).
//! Pure over [`TeamData`] and [`SummaryData`], in the language passed in, as [`Html`].

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::chart::summary_chart;
use super::flags::{festival_note, flag_lines, resolved_line, task_list};
use super::html::Html;
use super::names;
use crate::domain::bottleneck::{NO_CHECKIN_DAYS, SUMMARY_TOP, back, checkin_gap};
use crate::domain::goal::{Goal, Progress, rate_goal_for};
use crate::domain::judgement::pacing::pace_days;
use crate::domain::judgement::repeats::Repeats;
use crate::domain::lang::Lang;
use crate::domain::metrics::{GoalThreshold, Metric, MetricValue, change_bp, meets};
use crate::domain::money::{DASH, format_bp, format_money, round_div};
use crate::domain::playbook::{PaceStatus, pacing};
use crate::domain::review::{Span, Window};
use crate::domain::tasks::TaskStatus;
use crate::report::chart::ChartSpec;
use crate::service::report::TeamData;
use crate::service::review::SummaryData;
use crate::storage::Task;
use crate::tr;

// ---------------------------------------------------------------- summary parts

/// `▲12.00%` / `▼8.00%` / `＝` from last span's value to this one's; empty when not comparable.
pub fn arrow(prev: Option<MetricValue>, cur: Option<MetricValue>) -> String {
    let (Some(p), Some(c)) = (prev, cur) else {
        return String::new();
    };
    match change_bp(&p, &c) {
        Some(ch) if ch > 0 => format!(" ▲{}", format_bp(ch)),
        Some(ch) if ch < 0 => format!(" ▼{}", format_bp(-ch)),
        Some(_) => " ＝".to_string(),
        None => String::new(),
    }
}

fn goal_mark(value: Option<&MetricValue>, goal: Option<GoalThreshold>) -> &'static str {
    match (value, goal) {
        (Some(v), Some(g)) if meets(v, &g) => " ✅",
        (Some(_), Some(_)) => " ⚠️",
        _ => "",
    }
}

pub(super) fn rate_goal(
    data: &TeamData,
    m: Metric,
    channel: Option<&str>,
) -> Option<GoalThreshold> {
    rate_goal_for(&data.goals, m, channel).map(Goal::threshold)
}

/// Goal progress: each volume goal over its period to date, projected to the period end.
/// Progress is `Goal::progress`, the same `/goals` and `/metrics` show; a goal whose numbers
/// are missing (no check-ins in its period, new customers never reported) has no line.
fn goal_lines(lang: Lang, data: &TeamData) -> Vec<Html> {
    let currency = data.team.currency.as_str();
    let today = data.today();
    let mut lines = Vec::new();
    for g in data.goals.iter() {
        let Some(p) = g.period() else { continue };
        let dates = p.dates(today);
        let (start, len) = (dates.start, dates.len);
        let elapsed = dates.elapsed(today);
        let channel = g.channel();
        let reported =
            data.snapshot.days.iter().any(|d| {
                d.day >= start && d.day <= today && channel.is_none_or(|c| d.channel == c)
            });
        if !reported {
            continue;
        }
        let totals = data.totals(channel, start, today);
        let m = g.metric;
        let Some(Progress::Volume { actual, bp }) = g.progress(&totals) else {
            continue;
        };
        let actual_whole = round_div(actual.num, actual.den).unwrap_or(0);
        let projected = round_div(actual_whole * i128::from(len), i128::from(elapsed)).unwrap_or(0);
        let fmt = |v: i128| MetricValue::whole(v).format(m, currency);
        let progress = bp.map_or_else(|| DASH.to_string(), format_bp);
        let on_track = projected >= i128::from(g.target);
        let who = match channel {
            Some(c) => names::bold_channel_tag(c),
            None => tr!(lang, "rhythm.summary.team"),
        };
        lines.push(tr!(
            lang,
            "rhythm.summary.goal_line",
            who = who,
            metric = names::metric_name(lang, m),
            actual = fmt(actual_whole),
            target = fmt(i128::from(g.target)),
            progress = progress,
            period = tr!(lang, &format!("rhythm.period.{}", p.code())),
            projected = fmt(projected),
            mark = if on_track { "✅" } else { "⚠️" },
        ));
    }
    lines
}

const TABLE_METRICS: [Metric; 5] = [
    Metric::Spend,
    Metric::Gmv,
    Metric::Roi,
    Metric::Ctr,
    Metric::Cvr,
];

fn channel_line(lang: Lang, data: &TeamData, w: &Window, name: Option<&str>, label: Html) -> Html {
    let currency = data.team.currency.as_str();
    let cur = data.totals(name, w.from, w.to);
    let prev = data.totals(name, w.prev_from, w.prev_to);
    let items: Vec<Html> = TABLE_METRICS
        .iter()
        .map(|&m| {
            let v = cur.value(m);
            let goal = if m.is_volume() {
                None
            } else {
                rate_goal(data, m, name)
            };
            tr!(
                lang,
                "rhythm.summary.item",
                name = names::metric_name(lang, m),
                value = cur.format(m, currency),
                arrow = arrow(prev.value(m), v),
                mark = goal_mark(v.as_ref(), goal),
            )
        })
        .collect();
    tr!(
        lang,
        "rhythm.summary.channel_line",
        channel = label,
        items = Html::join(&items, " · "),
    )
}

fn budget_lines(lang: Lang, data: &TeamData) -> Vec<Html> {
    let currency = data.team.currency.as_str();
    let s = &data.snapshot;
    s.channels
        .iter()
        .filter(|c| c.monthly_budget > 0 || c.month_spend > 0)
        .map(|c| {
            // No projection before day 5 or 3 days of numbers; paced over the days reported.
            let month_start = back(data.today(), u64::from(s.day_of_month.max(1)) - 1);
            let known = s
                .days
                .iter()
                .filter(|d| d.channel == c.name && d.day >= month_start && d.day <= data.today())
                .map(|d| d.day)
                .collect::<std::collections::BTreeSet<_>>()
                .len();
            let known = u32::try_from(known).unwrap_or(u32::MAX);
            let days = pace_days(s.day_of_month, known);
            let p = pacing(
                c.month_spend,
                c.monthly_budget,
                days.unwrap_or(s.day_of_month),
                s.days_in_month,
            );
            let already_over = c.month_spend > c.monthly_budget;
            let status = match (days, p.status, p.over_budget) {
                _ if already_over => "over_budget",
                (None, _, _) if known == 0 => "no_numbers",
                (None, _, _) => "too_early",
                (_, _, true) => "over_budget",
                (_, PaceStatus::UnderPace, _) => "under",
                (_, PaceStatus::OverPace, _) => "over",
                (_, PaceStatus::OnPace, _) => "on",
            };
            let judged = days.is_some();
            tr!(
                lang,
                "rhythm.summary.budget_line",
                channel = names::bold_channel_tag(&c.name),
                spent = format_money(c.month_spend, currency),
                budget = format_money(c.monthly_budget, currency),
                pace = p
                    .pct_of_linear_plan_bp
                    .filter(|_| judged)
                    .map_or_else(|| DASH.to_string(), format_bp),
                projected = if judged {
                    format_money(p.projected_month_end, currency)
                } else {
                    DASH.to_string()
                },
                status = tr!(lang, &format!("rhythm.pace.{status}")),
            )
        })
        .collect()
}

/// Who a task is shown as: its owner's name, or `@username` while unclaimed.
fn owner_name(data: &TeamData, task: &Task) -> String {
    match task.owner_id {
        Some(id) => data.name_of(id),
        None => format!("@{}", task.owner_username.as_deref().unwrap_or("?")),
    }
}

/// Per owner: done in the window, overdue now, blocked now.
fn task_lines(lang: Lang, data: &TeamData, w: &Window, done: &[Task]) -> Vec<Html> {
    let now = data.snapshot.now;
    #[derive(Default)]
    struct Row {
        done: usize,
        overdue: Vec<i64>,
        blocked: Vec<i64>,
        open: usize,
    }
    let mut rows: BTreeMap<String, Row> = BTreeMap::new();
    for task in done {
        let in_window = task
            .done_at
            .map(|at| crate::domain::when::local_date(at, data.tz))
            .is_some_and(|d| d >= w.from && d <= w.to);
        if task.status == TaskStatus::Done && in_window {
            rows.entry(owner_name(data, task)).or_default().done += 1;
        }
    }
    for task in &data.open_tasks {
        let row = rows.entry(owner_name(data, task)).or_default();
        row.open += 1;
        if task.status == TaskStatus::Blocked {
            row.blocked.push(task.number);
        } else if task.due_at < now {
            row.overdue.push(task.number);
        }
    }
    rows.iter()
        .map(|(name, r)| {
            let mut extra = Html::new();
            if !r.overdue.is_empty() {
                extra.push(&tr!(
                    lang,
                    "rhythm.summary.task_overdue_list",
                    tasks = task_list(&r.overdue),
                ));
            }
            if !r.blocked.is_empty() {
                extra.push(&tr!(
                    lang,
                    "rhythm.summary.task_blocked_list",
                    tasks = task_list(&r.blocked),
                ));
            }
            tr!(
                lang,
                "rhythm.summary.task_line",
                owner = Html::bold(name),
                done = r.done,
                open = r.open,
                overdue = r.overdue.len(),
                blocked = r.blocked.len(),
                lists = extra,
            )
        })
        .collect()
}

/// Channels whose numbers stopped arriving by the window's end: `(name, days without numbers,
/// last day with numbers)`. The same rule as the "no numbers" flag ([`checkin_gap`], from the
/// last check-in, else from the day the channel was added), so the two never disagree.
pub fn checkin_gaps(data: &TeamData, w: &Window) -> Vec<(String, i64, Option<NaiveDate>)> {
    let mut out = Vec::new();
    for c in &data.snapshot.channels {
        let last = data
            .snapshot
            .days
            .iter()
            .filter(|d| d.channel == c.name && d.day <= w.to)
            .map(|d| d.day)
            .max();
        let Some(gap) = checkin_gap(w.to, last, c.created_on) else {
            continue;
        };
        if gap >= NO_CHECKIN_DAYS {
            out.push((c.name.clone(), gap, last));
        }
    }
    out
}

fn gap_lines(lang: Lang, data: &TeamData, w: &Window) -> Vec<Html> {
    checkin_gaps(data, w)
        .into_iter()
        .map(|(name, missing, last)| {
            tr!(
                lang,
                "rhythm.summary.gap_line",
                channel = names::bold_channel_tag(&name),
                missing = missing,
                last = last.map_or_else(|| DASH.to_string(), |d| names::month_day(lang, d)),
            )
        })
        .collect()
}

/// A titled section: its lines, or the `empty_key` text when there are none.
fn section(lang: Lang, key: &str, lines: Vec<Html>, empty_key: &str) -> Html {
    let body = if lines.is_empty() {
        tr!(lang, &format!("rhythm.{empty_key}"))
    } else {
        Html::lines(lines)
    };
    Html::lines([tr!(lang, &format!("rhythm.{key}")), body])
}

/// The weekly (or monthly) summary (SPEC §4), with the A/B tests that reached a verdict.
pub fn render_summary(s: &SummaryData, lang: Lang) -> Html {
    let data = &s.data;
    let w = s.span.window(data.today());
    let currency = data.team.currency.as_str();
    let mut parts = Vec::new();
    let head_key = match s.span {
        Span::Week => "rhythm.summary.title_week",
        Span::Month => "rhythm.summary.title_month",
    };
    let mut head = Html::new();
    if s.late {
        head.push(&tr!(lang, "rhythm.summary.late"));
    }
    head.push(&tr!(
        lang,
        head_key,
        team = data.team.title,
        from = names::month_day(lang, w.from),
        to = names::month_day(lang, w.to),
        prev_from = names::month_day(lang, w.prev_from),
        prev_to = names::month_day(lang, w.prev_to),
    ));
    parts.push(head);
    let goals = goal_lines(lang, data);
    parts.push(section(lang, "summary.goals", goals, "summary.no_goals"));
    let mut ch_lines: Vec<Html> = data
        .snapshot
        .channels
        .iter()
        .map(|c| {
            let label = tr!(
                lang,
                "rhythm.summary.channel_label",
                channel = names::bold_channel_tag(&c.name),
                tier = names::tier_name(lang, c.tier),
            );
            channel_line(lang, data, &w, Some(&c.name), label)
        })
        .collect();
    if ch_lines.len() > 1 {
        let team = tr!(lang, "rhythm.summary.team");
        ch_lines.push(channel_line(lang, data, &w, None, team));
    }
    parts.push(section(
        lang,
        "summary.channels",
        ch_lines,
        "summary.no_channels",
    ));
    parts.push(section(
        lang,
        "summary.budget",
        budget_lines(lang, data),
        "summary.no_budget",
    ));
    parts.push(section(
        lang,
        "summary.tasks",
        task_lines(lang, data, &w, &s.touched),
        "summary.no_tasks",
    ));
    parts.push(section(
        lang,
        "summary.gaps",
        gap_lines(lang, data, &w),
        "summary.no_gaps",
    ));
    let shown = flag_lines(lang, &s.repeats, currency, SUMMARY_TOP);
    let title = tr!(
        lang,
        "rhythm.summary.bottlenecks",
        shown = shown.len(),
        count = s.repeats.len(),
    );
    let mut body = if shown.is_empty() {
        tr!(lang, "rhythm.summary.no_bottlenecks")
    } else {
        Html::lines(shown)
    };
    if let Some(resolved) = resolved_line(lang, &s.repeats) {
        body = Html::lines([body, resolved]);
    }
    if let Some(note) = festival_note(lang, data.today(), &data.snapshot.festivals) {
        body = Html::lines([body, note]);
    }
    parts.push(Html::lines([title, body]));
    let mut text = Html::join(&parts, "\n\n");
    if !s.verdicts.is_empty() {
        let lines = Html::lines(
            s.verdicts
                .iter()
                .map(|v| super::abtest::verdict_line(lang, v)),
        );
        text.push(&tr!(lang, "abtest.summary_header", lines = lines));
    }
    if !s.picks.is_empty() {
        let lines = Html::lines(
            s.picks
                .iter()
                .map(|(channel, p)| super::abtest::pick_line(lang, channel, p)),
        );
        text.push(&tr!(lang, "abtest.pick_header", lines = lines));
    }
    text
}

/// The image caption of a summary (short, ≤ 1024).
pub fn summary_caption(lang: Lang, data: &TeamData, span: Span) -> Html {
    let w = span.window(data.today());
    tr!(
        lang,
        "rhythm.summary.caption",
        from = names::month_day(lang, w.from),
        to = names::month_day(lang, w.to),
    )
}

/// A summary ready to send: the text, and what its chart shows with the chart's caption. Sent
/// as one HTML message and one picture named [`SUMMARY_PNG`], drawn by the caller
/// ([`crate::report::chart::render_png_aside`]) off the async thread.
pub struct SummaryMessage {
    pub text: Html,
    pub chart: ChartSpec,
    pub caption: Html,
}

/// The file name of the summary's picture.
pub const SUMMARY_PNG: &str = "summary.png";

/// The summary's text, chart and caption.
pub fn summary_message(s: &SummaryData, lang: Lang) -> SummaryMessage {
    SummaryMessage {
        text: render_summary(s, lang),
        chart: summary_chart(lang, &s.data, s.span),
        caption: summary_caption(lang, &s.data, s.span),
    }
}

/// The agenda sent an hour before the review (SPEC §3): open bottlenecks, whose tasks are
/// overdue, which channels lack numbers.
pub fn agenda_text(
    lang: Lang,
    data: &TeamData,
    meeting_at: i64,
    flags: &Repeats,
    late: bool,
) -> Html {
    let currency = data.team.currency.as_str();
    let w = Span::Week.window(data.today());
    let mut parts = Vec::new();
    let mut head = Html::new();
    if late {
        head.push(&tr!(lang, "rhythm.agenda.late"));
    }
    head.push(&tr!(
        lang,
        "rhythm.agenda.title",
        time = super::names::datetime(lang, meeting_at, data.tz),
        team = data.team.title,
    ));
    parts.push(head);
    // The agenda is for problems to discuss: no too-early notes.
    let judged = Repeats {
        new: flags.new.iter().filter(|f| !f.too_early).cloned().collect(),
        ..flags.clone()
    };
    let mut lines = flag_lines(lang, &judged, currency, SUMMARY_TOP);
    lines.extend(resolved_line(lang, flags));
    parts.push(section(
        lang,
        "agenda.bottlenecks",
        lines,
        "agenda.no_bottlenecks",
    ));
    // Whose tasks are overdue.
    let now = data.snapshot.now;
    let mut overdue: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for task in data.open_tasks.iter().filter(|t| t.due_at < now) {
        overdue
            .entry(owner_name(data, task))
            .or_default()
            .push(task.number);
    }
    let lines: Vec<Html> = overdue
        .iter()
        .map(|(name, tasks)| {
            tr!(
                lang,
                "rhythm.agenda.overdue_line",
                owner = Html::bold(name),
                tasks = task_list(tasks),
            )
        })
        .collect();
    parts.push(section(lang, "agenda.overdue", lines, "agenda.no_overdue"));
    parts.push(section(
        lang,
        "agenda.gaps",
        gap_lines(lang, data, &w),
        "agenda.no_gaps",
    ));
    Html::join(&parts, "\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrows() {
        let v = |n| Some(MetricValue::whole(n));
        assert_eq!(arrow(v(100), v(112)), " ▲12.00%");
        assert_eq!(arrow(v(100), v(92)), " ▼8.00%");
        assert_eq!(arrow(v(100), v(100)), " ＝");
        assert_eq!(arrow(v(0), v(100)), "");
        assert_eq!(arrow(None, v(100)), "");
    }
}
