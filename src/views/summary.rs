//! The words of the bot's judgement: bottleneck flags with their levers, the weekly (or monthly)
//! summary, the review agenda, and the charts that go with them. Pure over [`TeamData`] and
//! [`SummaryData`]; every text comes from the locale files (`locales/rhythm.*.yml`) in the
//! language passed in, as [`Html`] (user text escaped by construction).

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::html::{Html, TrArg};
use super::names;
use crate::domain::bottleneck::{
    Flag, FlagKind, Lever, Num, SUMMARY_TOP, Severity, Stage, Subject, WINDOW_DAYS, back, top,
};
use crate::domain::goal::{Goal, Progress, rate_goal_for};
use crate::domain::judgement::festivals::festival_within;
use crate::domain::judgement::pacing::pace_days;
use crate::domain::lang::Lang;
use crate::domain::metrics::{
    Better, GoalThreshold, Metric, MetricKind, MetricValue, Totals, change_bp, meets,
};
use crate::domain::money::{DASH, format_bp, format_money, format_number, format_ratio, round_div};
use crate::domain::playbook::{PaceStatus, PlanIssue, pacing};
use crate::domain::review::{Span, Window};
use crate::report::chart::{ChartSpec, Series, YFormat, render_png};
use crate::service::report::TeamData;
use crate::service::review::SummaryData;
use crate::storage::{TASK_BLOCKED, TASK_DONE, Task};
use crate::tr;

// Plain-text helpers for the chart's texts, which are drawn into a picture: no HTML there.

fn t(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    crate::i18n::tr(lang, &format!("rhythm.{key}"), args)
}

/// A metric's name as a string (names contain no markup characters, so text and HTML agree).
fn metric_name(lang: Lang, m: Metric) -> String {
    names::metric_name(lang, m).into_string()
}

/// `<b>#name</b>`, escaped.
fn bold_tag(name: &str) -> Html {
    Html::bold(&format!("#{name}"))
}

fn md(lang: Lang, d: NaiveDate) -> String {
    super::names::month_day(lang, d)
}

// ---------------------------------------------------------------- flags

/// A number of a flag, formatted.
pub fn num_text(lang: Lang, n: &Num, currency: &str) -> Html {
    match n {
        Num::Metric { metric, value } => Html::text(&value.format(*metric, currency)),
        Num::Bp(bp) => Html::text(&format_bp(*bp)),
        Num::Money(m) => Html::text(&format_money(*m, currency)),
        Num::Count(c) => Html::text(&format_number(*c)),
        Num::Plain(v) => Html::text(&format_ratio(v.num, v.den)),
        Num::Hours(h) => tr!(lang, "rhythm.unit.hours", n = *h),
        Num::Days(d) => tr!(lang, "rhythm.unit.days", n = *d),
    }
}

fn stage_name(lang: Lang, stage: Stage) -> Html {
    match stage {
        Stage::Pace => tr!(lang, "rhythm.stage.pace"),
        other => names::metric_name(lang, other.metric()),
    }
}

/// What a flag is about: `#taobao · CVR`, a person, or the plan.
pub fn subject_text(lang: Lang, s: &Subject) -> Html {
    match s {
        Subject::Channel { name, stage: None } => bold_tag(name),
        Subject::Channel {
            name,
            stage: Some(st),
        } => tr!(
            lang,
            "rhythm.subject.channel_stage",
            channel = bold_tag(name),
            stage = stage_name(lang, *st),
        ),
        Subject::Person { name, .. } => Html::bold(name),
        Subject::Team => tr!(lang, "rhythm.subject.team"),
    }
}

fn lever_key(l: Lever) -> &'static str {
    match l {
        Lever::WidenReach => "widen_reach",
        Lever::TestCreatives => "test_creatives",
        Lever::PruneTargeting => "prune_targeting",
        Lever::DetailPage => "detail_page",
        Lever::Bundles => "bundles",
        Lever::MoveBudget => "move_budget",
        Lever::GraduateTestChannel => "graduate_test",
        Lever::CapSpend => "cap_spend",
        Lever::RebalanceTiers => "rebalance_tiers",
        Lever::AssignOwner => "assign_owner",
        Lever::ChaseOverdue => "chase_overdue",
        Lever::Unblock => "unblock",
        Lever::Replan => "replan",
        Lever::SpreadLoad => "spread_load",
        Lever::RequestCheckin => "request_checkin",
        Lever::LeadHook => "lead_hook",
        Lever::LeadCost => "lead_cost",
        Lever::CheckTracking => "check_tracking",
        Lever::CheckNumbers => "check_numbers",
    }
}

/// The playbook lever's text.
pub fn lever_text(lang: Lang, l: Lever) -> Html {
    tr!(lang, &format!("rhythm.lever.{}", lever_key(l)))
}

fn severity_icon(s: Severity, too_early: bool) -> &'static str {
    if too_early {
        return "⏳";
    }
    match s {
        Severity::High => "🔴",
        Severity::Medium => "🟠",
        Severity::Low => "⚪",
    }
}

/// `#1, #2`: task numbers.
fn task_list(tasks: &[i64]) -> String {
    tasks
        .iter()
        .map(|n| format!("#{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn opt_num(lang: Lang, n: &Option<Num>, currency: &str) -> Html {
    n.as_ref()
        .map_or_else(|| Html::text(DASH), |n| num_text(lang, n, currency))
}

/// What a flag found, in one line (without the icon and the lever), with the evidence of the
/// flags merged into it (one cause, one line; see `domain::judgement::merge`).
pub fn flag_finding(lang: Lang, f: &Flag, currency: &str) -> Html {
    if f.too_early && !f.also.is_empty() {
        let subjects: Vec<Html> = std::iter::once(f)
            .chain(&f.also)
            .map(|g| subject_text(lang, &g.subject))
            .collect();
        return tr!(
            lang,
            "rhythm.flag.too_early_many",
            subjects = Html::join(&subjects, &t(lang, "flag.list_sep", &[])),
        );
    }
    if let FlagKind::Plan(PlanIssue::NoOwner { .. }) = f.kind
        && !f.also.is_empty()
    {
        let mut channels: Vec<String> = std::iter::once(f)
            .chain(&f.also)
            .filter_map(|g| match &g.kind {
                FlagKind::Plan(PlanIssue::NoOwner { channel }) => Some(channel.clone()),
                _ => None,
            })
            .collect();
        channels.sort();
        let list: Vec<Html> = channels.iter().map(|c| bold_tag(c)).collect();
        return tr!(
            lang,
            "rhythm.flag.plan_no_owners",
            channels = Html::join(&list, &t(lang, "flag.list_sep", &[])),
        );
    }
    let mut text = single_finding(lang, f, currency);
    for g in &f.also {
        text.push(&evidence_clause(lang, g, currency));
    }
    text
}

/// Whether the flag's norm is a metric where lower is better (CPC above its norm is worse).
fn norm_lower_better(f: &Flag) -> bool {
    matches!(&f.norm, Some(Num::Metric { metric, .. }) if metric.better() == Better::Lower)
}

/// A merged flag's evidence as a clause of the leading flag's line (`; …`).
fn evidence_clause(lang: Lang, f: &Flag, currency: &str) -> Html {
    let actual = opt_num(lang, &f.actual, currency);
    let norm = opt_num(lang, &f.norm, currency);
    let tasks = task_list(&f.tasks);
    let a = |key: &str| {
        super::html::tr(
            lang,
            &format!("rhythm.also.{key}"),
            &[("actual", &actual), ("norm", &norm), ("tasks", &tasks)],
        )
    };
    match &f.kind {
        FlagKind::WeekDrop { metric, change_bp } => tr!(
            lang,
            "rhythm.also.week_drop",
            metric = names::metric_name(lang, *metric),
            change = format_bp(change_bp.abs()),
            actual = actual,
            norm = norm,
        ),
        FlagKind::FunnelStage => a("goal"),
        FlagKind::OffNorm { day, days } => tr!(
            lang,
            if norm_lower_better(f) {
                "rhythm.also.off_norm_over"
            } else {
                "rhythm.also.off_norm_under"
            },
            actual = actual,
            norm = norm,
            day = md(lang, *day),
            days = *days,
        ),
        FlagKind::BudgetOverPace => a("over_pace"),
        FlagKind::ProjectedOverBudget => a("over_budget"),
        FlagKind::Overdue => a("overdue"),
        FlagKind::Blocked => a("blocked"),
        FlagKind::Slipping => a("slipping"),
        FlagKind::Overloaded => a("overloaded"),
        _ => tr!(
            lang,
            "rhythm.also.other",
            finding = single_finding(lang, f, currency),
        ),
    }
}

/// One flag's own finding, without merged evidence.
fn single_finding(lang: Lang, f: &Flag, currency: &str) -> Html {
    let subject = subject_text(lang, &f.subject);
    let actual = opt_num(lang, &f.actual, currency);
    let norm = opt_num(lang, &f.norm, currency);
    let tasks = task_list(&f.tasks);
    let a = |key: &str, extra: &[(&str, &dyn TrArg)]| {
        let mut args: Vec<(&str, &dyn TrArg)> = vec![
            ("subject", &subject),
            ("actual", &actual),
            ("norm", &norm),
            ("tasks", &tasks),
        ];
        args.extend_from_slice(extra);
        super::html::tr(lang, &format!("rhythm.flag.{key}"), &args)
    };
    match &f.kind {
        FlagKind::FunnelStage if f.too_early => a("too_early", &[]),
        FlagKind::FunnelStage => {
            let pace = matches!(
                f.subject,
                Subject::Channel {
                    stage: Some(Stage::Pace),
                    ..
                }
            );
            let better_lower = matches!(&f.norm, Some(Num::Metric { metric, .. }) if metric.better() == Better::Lower);
            if pace {
                a("spend_pace", &[])
            } else if better_lower {
                a("funnel_over", &[])
            } else {
                a("funnel_under", &[])
            }
        }
        FlagKind::BudgetUnderPace => a("under_pace", &[]),
        FlagKind::BudgetOverPace => a("over_pace", &[]),
        FlagKind::ProjectedOverBudget => a("over_budget", &[]),
        FlagKind::Plan(issue) => match issue {
            PlanIssue::NoBudget { .. } => a("plan_no_budget", &[]),
            PlanIssue::TierShare {
                tier,
                min_bp,
                max_bp,
                ..
            } => a(
                "plan_tier_share",
                &[
                    ("tier", &names::tier_name(lang, *tier)),
                    ("min", &format_bp(*min_bp)),
                    ("max", &format_bp(*max_bp)),
                ],
            ),
            PlanIssue::TooManyCore { .. } => a("plan_too_many_core", &[]),
            PlanIssue::NoOwner { .. } => a("plan_no_owner", &[]),
        },
        FlagKind::TestBeatsCore { core } => a("test_beats_core", &[("core", &bold_tag(core))]),
        FlagKind::WeekDrop { metric, change_bp } => {
            // The subject is the channel; a GMV drop names the funnel stage that fell with it.
            let (channel, cause) = match &f.subject {
                Subject::Channel { name, stage } => (
                    bold_tag(name),
                    stage
                        .filter(|st| st.metric() != *metric)
                        .map(|st| tr!(lang, "rhythm.flag.cause", stage = stage_name(lang, st)))
                        .unwrap_or_default(),
                ),
                other => (subject_text(lang, other), Html::new()),
            };
            tr!(
                lang,
                "rhythm.flag.week_drop",
                subject = channel,
                metric = names::metric_name(lang, *metric),
                change = format_bp(change_bp.abs()),
                actual = actual,
                norm = norm,
                cause = cause,
            )
        }
        FlagKind::Overdue => a("overdue", &[]),
        FlagKind::Blocked => a("blocked", &[]),
        FlagKind::Slipping => a("slipping", &[]),
        FlagKind::Overloaded => a("overloaded", &[]),
        FlagKind::NoCheckin => a("no_checkin", &[]),
        FlagKind::OrdersStopped => a("orders_stopped", &[]),
        FlagKind::SpendNoImpressions { day } => {
            a("spend_no_impressions", &[("day", &md(lang, *day))])
        }
        FlagKind::OffNorm { day, days } => a(
            if norm_lower_better(f) {
                "off_norm_over"
            } else {
                "off_norm_under"
            },
            &[("day", &md(lang, *day)), ("days", days)],
        ),
        FlagKind::OddDay { day, field } => a(
            "odd_day",
            &[
                ("day", &md(lang, *day)),
                (
                    "field",
                    &tr!(lang, &format!("rhythm.field.{}", field.code())),
                ),
            ],
        ),
    }
}

/// A flag as shown: icon, finding, and the lever on the next line.
pub fn flag_text(lang: Lang, f: &Flag, currency: &str) -> Html {
    let lever = if f.too_early {
        tr!(lang, "rhythm.flag.too_early_lever")
    } else {
        lever_text(lang, f.lever)
    };
    tr!(
        lang,
        "rhythm.flag.line",
        icon = severity_icon(f.severity, f.too_early),
        finding = flag_finding(lang, f, currency),
        lever = lever,
    )
}

/// A festival in the week ending `today` (issue 15): its numbers are not compared week over
/// week, and the reader is told so rather than left to wonder why no drop is flagged.
pub fn festival_note(lang: Lang, today: NaiveDate) -> Option<Html> {
    let (name, day) = festival_within(today, WINDOW_DAYS)?;
    Some(tr!(
        lang,
        "rhythm.flag.festival_week",
        name = name,
        day = md(lang, day),
    ))
}

/// `/bottlenecks`: every flag, most urgent first; a festival week named at the end.
pub fn bottlenecks_text(lang: Lang, data: &TeamData, flags: &[Flag]) -> Html {
    let currency = data.team.currency.as_str();
    let mut text = if flags.is_empty() {
        tr!(lang, "rhythm.bottlenecks.none")
    } else {
        let lines = Html::lines(flags.iter().map(|f| flag_text(lang, f, currency)));
        tr!(
            lang,
            "rhythm.bottlenecks.text",
            count = flags.len(),
            date = md(lang, data.today()),
            flags = lines,
        )
    };
    if let Some(note) = festival_note(lang, data.today()) {
        text = Html::lines([text, note]);
    }
    text
}

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

fn rate_goal(data: &TeamData, m: Metric, channel: Option<&str>) -> Option<GoalThreshold> {
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
            Some(c) => bold_tag(c),
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
                channel = bold_tag(&c.name),
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
        if task.status == TASK_DONE && in_window {
            rows.entry(owner_name(data, task)).or_default().done += 1;
        }
    }
    for task in &data.open_tasks {
        let row = rows.entry(owner_name(data, task)).or_default();
        row.open += 1;
        if task.status == TASK_BLOCKED {
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

/// Channels missing numbers on some days of the window: `(name, missing days, last day with numbers)`.
pub fn checkin_gaps(data: &TeamData, w: &Window) -> Vec<(String, i64, Option<NaiveDate>)> {
    let mut out = Vec::new();
    for c in &data.snapshot.channels {
        let start = c.created_on.map_or(w.from, |d| d.max(w.from));
        if start > w.to {
            continue;
        }
        let mut missing = 0;
        let mut day = start;
        while day <= w.to {
            if !data.has_numbers(&c.name, day) {
                missing += 1;
            }
            day = day.succ_opt().unwrap_or(NaiveDate::MAX);
        }
        if missing > 0 {
            let last = data
                .snapshot
                .days
                .iter()
                .filter(|d| d.channel == c.name && d.day <= w.to)
                .map(|d| d.day)
                .max();
            out.push((c.name.clone(), missing, last));
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
                channel = bold_tag(&name),
                missing = missing,
                last = last.map_or_else(|| DASH.to_string(), |d| md(lang, d)),
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
        from = md(lang, w.from),
        to = md(lang, w.to),
        prev_from = md(lang, w.prev_from),
        prev_to = md(lang, w.prev_to),
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
                channel = bold_tag(&c.name),
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
    let shown = top(&s.flags, SUMMARY_TOP);
    let title = tr!(
        lang,
        "rhythm.summary.bottlenecks",
        shown = shown.len(),
        count = s.flags.len(),
    );
    let mut body = if shown.is_empty() {
        tr!(lang, "rhythm.summary.no_bottlenecks")
    } else {
        Html::lines(shown.iter().map(|f| flag_text(lang, f, currency)))
    };
    if let Some(note) = festival_note(lang, data.today()) {
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
        from = md(lang, w.from),
        to = md(lang, w.to),
    )
}

/// A summary ready to send: the text, and the chart with its caption (None if drawing failed).
/// Sent as one HTML message and one picture named [`SUMMARY_PNG`].
pub struct SummaryMessage {
    pub text: Html,
    pub png: Option<Vec<u8>>,
    pub caption: Html,
}

/// The file name of the summary's picture.
pub const SUMMARY_PNG: &str = "summary.png";

/// The summary's text, chart and caption.
pub fn summary_message(s: &SummaryData, lang: Lang) -> SummaryMessage {
    let spec = summary_chart(lang, &s.data, s.span);
    let png = match render_png(&spec) {
        Ok(png) => Some(png),
        Err(err) => {
            tracing::error!(chat = s.data.team.chat_id, error = %err, "summary chart failed");
            None
        }
    };
    SummaryMessage {
        text: render_summary(s, lang),
        png,
        caption: summary_caption(lang, &s.data, s.span),
    }
}

/// The agenda sent an hour before the review (SPEC §3): open bottlenecks, whose tasks are
/// overdue, which channels lack numbers.
pub fn agenda_text(
    lang: Lang,
    data: &TeamData,
    meeting_at: i64,
    flags: &[Flag],
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
    let judged: Vec<Flag> = flags.iter().filter(|f| !f.too_early).cloned().collect();
    let shown = top(&judged, SUMMARY_TOP);
    let lines: Vec<Html> = shown.iter().map(|f| flag_text(lang, f, currency)).collect();
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

// ---------------------------------------------------------------- charts

fn y_format(m: Metric, currency: &str) -> YFormat {
    match m.kind() {
        MetricKind::Money => YFormat::Money {
            symbol: currency.to_string(),
        },
        MetricKind::Rate => YFormat::Percent,
        MetricKind::Ratio => YFormat::Ratio,
        MetricKind::Count => YFormat::Count,
    }
}

fn points(daily: &[(NaiveDate, Totals)], m: Metric) -> Vec<(NaiveDate, f64)> {
    daily
        .iter()
        .filter_map(|(d, t)| Some((*d, t.value(m)?.display_f64(m))))
        .collect()
}

/// A chart of a metric's daily values, one line per channel (or the one channel), with the
/// rate goal as a line, or a volume goal's daily pace.
pub fn metric_chart(
    lang: Lang,
    data: &TeamData,
    m: Metric,
    channel: Option<&str>,
    days: u64,
) -> ChartSpec {
    let currency = data.team.currency.as_str();
    let to = data.today();
    let from = back(to, days.max(1) - 1);
    let names: Vec<String> = match channel {
        Some(c) => vec![c.to_string()],
        None => data
            .snapshot
            .channels
            .iter()
            .map(|c| c.name.clone())
            .collect(),
    };
    let series: Vec<Series> = names
        .iter()
        .map(|n| Series {
            label: format!("#{n}"),
            points: points(&data.daily(Some(n), from, to), m),
        })
        .collect();
    let mut goal_line = None;
    let mut pace_line = None;
    if m.is_volume() {
        // A volume goal for this channel (or, for a team chart, the team) as a daily pace.
        let key = channel.unwrap_or("");
        if let Some(g) = data
            .goals
            .iter()
            .find(|g| g.metric == m && g.period().is_some() && g.scope.stored() == key)
            && let Some(p) = g.period()
        {
            let mut pts = Vec::new();
            let mut d = from;
            while d <= to {
                let (_, len) = p.bounds(d);
                let per_day = g.target as f64 / len as f64;
                pts.push((d, per_day_display(per_day, m)));
                d = d.succ_opt().unwrap_or(NaiveDate::MAX);
            }
            pace_line = Some((t(lang, "chart.pace", &[]), pts));
        }
    } else if let Some(g) = rate_goal(data, m, channel) {
        goal_line = Some((
            t(lang, "chart.goal", &[("goal", &g.format_target(currency))]),
            g.target_value().display_f64(m),
        ));
    }
    let title = match channel {
        Some(c) => t(
            lang,
            "chart.title_channel",
            &[
                ("metric", &metric_name(lang, m)),
                ("channel", c),
                ("from", &md(lang, from)),
                ("to", &md(lang, to)),
            ],
        ),
        None => t(
            lang,
            "chart.title",
            &[
                ("metric", &metric_name(lang, m)),
                ("from", &md(lang, from)),
                ("to", &md(lang, to)),
            ],
        ),
    };
    ChartSpec {
        title,
        y_label: metric_name(lang, m),
        series,
        goal_line,
        pace_line,
        y_format: y_format(m, currency),
    }
}

/// A volume's per-day amount in display units (money in currency units).
fn per_day_display(per_day: f64, m: Metric) -> f64 {
    match m.kind() {
        MetricKind::Money => per_day / 100.0,
        _ => per_day,
    }
}

/// The summary's chart: daily GMV per channel over the span and the one before (with the
/// daily pace of a team GMV goal).
pub fn summary_chart(lang: Lang, data: &TeamData, span: Span) -> ChartSpec {
    let w = span.window(data.today());
    let days = (w.to - w.prev_from).num_days() + 1;
    metric_chart(
        lang,
        data,
        Metric::Gmv,
        None,
        u64::try_from(days).unwrap_or(14),
    )
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

    #[test]
    fn festival_week_named() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).expect("date");
        let note = |lang, today| festival_note(lang, today).map(|h| h.as_str().to_string());
        let cases = [
            (
                Lang::En,
                d(11, 11),
                Some("🎉 双11 (11-11) this week: not compared week over week"),
            ),
            (
                Lang::En,
                d(11, 17),
                Some("🎉 双11 (11-11) this week: not compared week over week"),
            ),
            (Lang::En, d(11, 18), None),
            (
                Lang::Zh,
                d(12, 14),
                Some("🎉 本周有双12（12月12日），不做周环比"),
            ),
            (Lang::Zh, d(12, 10), None),
        ];
        for (lang, today, want) in cases {
            assert_eq!(note(lang, today).as_deref(), want, "{today}");
        }
    }
}
