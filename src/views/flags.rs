//! The words of the bot's judgement: each bottleneck flag as one line with its evidence and its
//! playbook lever, and `/bottlenecks`. Pure over [`TeamData`] and the flags; every text comes
//! from the locale files (`locales/rhythm.*.yml`) as [`Html`] (user text escaped by construction).

use chrono::NaiveDate;

use super::html::{Html, TrArg};
use super::names;
use crate::domain::bottleneck::{
    Flag, FlagKind, Lever, Num, Severity, Stage, Subject, WINDOW_DAYS,
};
use crate::domain::judgement::festivals::{TeamFestival, festival_within, several_days};
use crate::domain::judgement::repeats::{Cause, Repeats};
use crate::domain::lang::Lang;
use crate::domain::metrics::Better;
use crate::domain::money::{DASH, format_bp, format_money, format_number, format_ratio};
use crate::domain::playbook::PlanIssue;
use crate::service::report::TeamData;
use crate::tr;

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
        Subject::Channel { name, stage: None } => names::bold_channel_tag(name),
        Subject::Channel {
            name,
            stage: Some(st),
        } => tr!(
            lang,
            "rhythm.subject.channel_stage",
            channel = names::bold_channel_tag(name),
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
pub(super) fn task_list(tasks: &[i64]) -> String {
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
            subjects = Html::join(&subjects, &names::rhythm_text(lang, "flag.list_sep", &[])),
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
        let list: Vec<Html> = channels
            .iter()
            .map(|c| names::bold_channel_tag(c))
            .collect();
        return tr!(
            lang,
            "rhythm.flag.plan_no_owners",
            channels = Html::join(&list, &names::rhythm_text(lang, "flag.list_sep", &[])),
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
            day = names::month_day(lang, *day),
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
        FlagKind::TestBeatsCore { core } => a(
            "test_beats_core",
            &[("core", &names::bold_channel_tag(core))],
        ),
        FlagKind::WeekDrop { metric, change_bp } => {
            // The subject is the channel; a GMV drop names the funnel stage that fell with it.
            let (channel, cause) = match &f.subject {
                Subject::Channel { name, stage } => (
                    names::bold_channel_tag(name),
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
        FlagKind::SpendNoImpressions { day } => a(
            "spend_no_impressions",
            &[("day", &names::month_day(lang, *day))],
        ),
        FlagKind::OffNorm { day, days } => a(
            if norm_lower_better(f) {
                "off_norm_over"
            } else {
                "off_norm_under"
            },
            &[("day", &names::month_day(lang, *day)), ("days", days)],
        ),
        FlagKind::OddDay { day, field } => a(
            "odd_day",
            &[
                ("day", &names::month_day(lang, *day)),
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

/// A flag as shown, marked "open since <day>" when an earlier summary showed it already.
pub fn flag_line(lang: Lang, f: &Flag, since: Option<NaiveDate>, currency: &str) -> Html {
    let Some(day) = since else {
        return flag_text(lang, f, currency);
    };
    let lever = lever_text(lang, f.lever);
    let finding = tr!(
        lang,
        "rhythm.flag.open_since",
        finding = flag_finding(lang, f, currency),
        day = names::month_day(lang, day),
    );
    tr!(
        lang,
        "rhythm.flag.line",
        icon = severity_icon(f.severity, f.too_early),
        finding = finding,
        lever = lever,
    )
}

/// The flags as a summary lists them (issue 15): new ones, then those still open since an
/// earlier summary, then the too-early notes; at most `limit` of them.
pub fn flag_lines(lang: Lang, r: &Repeats, currency: &str, limit: usize) -> Vec<Html> {
    r.ordered()
        .into_iter()
        .take(limit)
        .map(|(f, since)| flag_line(lang, f, since, currency))
        .collect()
}

/// One cause, named for the "resolved" line: `#xhs · CVR`, `bob`, `#wechat (no numbers)`.
fn cause_text(lang: Lang, c: &Cause) -> Html {
    let base = c.code.split(':').next().unwrap_or_default();
    let label = match base {
        "funnel" | "person" => None,
        "no_owner"
        | "no_budget"
        | "tier_share"
        | "too_many_core"
        | "spending"
        | "test_beats_core"
        | "no_checkin"
        | "orders_stopped"
        | "spend_no_impressions"
        | "odd_day" => Some(tr!(lang, &format!("rhythm.cause.{base}"))),
        _ => Some(tr!(lang, "rhythm.cause.other")),
    };
    match (&c.subject, label) {
        (Subject::Team, Some(label)) => label,
        (subject, None) => subject_text(lang, subject),
        (subject, Some(label)) => tr!(
            lang,
            "rhythm.cause.item",
            subject = subject_text(lang, subject),
            cause = label,
        ),
    }
}

/// One line naming every cause the last summary showed that is gone now; `None` when none is.
pub fn resolved_line(lang: Lang, r: &Repeats) -> Option<Html> {
    if r.resolved.is_empty() {
        return None;
    }
    let items: Vec<Html> = r.resolved.iter().map(|c| cause_text(lang, c)).collect();
    Some(tr!(
        lang,
        "rhythm.flag.resolved",
        causes = Html::join(&items, &names::rhythm_text(lang, "flag.list_sep", &[])),
    ))
}

/// A festival in the week ending `today` (issue 15): its numbers are not compared week over
/// week, and the reader is told so rather than left to wonder why no drop is flagged.
pub fn festival_note(lang: Lang, today: NaiveDate, team: &[TeamFestival]) -> Option<Html> {
    let (name, day) = festival_within(today, WINDOW_DAYS, team)?;
    // A festival of several days (年货节) is named with all its days.
    let when = match several_days(name, day) {
        Some(b) => format!(
            "{} – {}",
            names::month_day(lang, b.from),
            names::month_day(lang, b.to)
        ),
        None => names::month_day(lang, day),
    };
    Some(tr!(
        lang,
        "rhythm.flag.festival_week",
        name = name,
        day = when,
    ))
}

/// `/bottlenecks`: every flag, new ones first (most urgent first), then those open since an
/// earlier summary; the causes resolved since, then a festival week, named at the end.
pub fn bottlenecks_text(lang: Lang, data: &TeamData, flags: &Repeats) -> Html {
    let currency = data.team.currency.as_str();
    let mut text = if flags.is_empty() {
        tr!(lang, "rhythm.bottlenecks.none")
    } else {
        let lines = Html::lines(flag_lines(lang, flags, currency, usize::MAX));
        tr!(
            lang,
            "rhythm.bottlenecks.text",
            count = flags.len(),
            date = names::month_day(lang, data.today()),
            flags = lines,
        )
    };
    if let Some(resolved) = resolved_line(lang, flags) {
        text = Html::lines([text, resolved]);
    }
    if let Some(note) = festival_note(lang, data.today(), &data.snapshot.festivals) {
        text = Html::lines([text, note]);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn festival_week_named() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).expect("date");
        let note = |lang, today| festival_note(lang, today, &[]).map(|h| h.as_str().to_string());
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
            (
                Lang::En,
                d(2, 3),
                Some("🎉 年货节 (01-28 – 02-09) this week: not compared week over week"),
            ),
            (
                Lang::Zh,
                d(2, 3),
                Some("🎉 本周有年货节（1月28日 – 2月9日），不做周环比"),
            ),
        ];
        for (lang, today, want) in cases {
            assert_eq!(note(lang, today).as_deref(), want, "{today}");
        }
    }
}
