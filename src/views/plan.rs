//! The plan's replies: goal lines and `/goals`, the channel list, the playbook check,
//! `/budget`, `/plan`, the answers to `/goal` and `/channel` changes, and their refusals
//! (locales/plan.*.yml). Pure: data in, `Html` out.

pub use super::amounts::amount_reason;
use crate::domain::ids::UserId;
use crate::views::names::truncate_chars;
use std::collections::HashMap;

use chrono::Datelike;

use super::html::Html;
use super::names::{hhmm, metric_name_lower, tier_name, utf16_len, weekday_short};
use crate::domain::goal::{Goal, GoalKind, Period, Progress, Scope};
use crate::domain::lang::Lang;
use crate::domain::metrics::{Better, Metric};
use crate::domain::money::{DASH, format_bp, format_money};
use crate::domain::plan_args::{
    ChannelArgError, GoalArgError, Pace, days_in_month, format_bp_range, format_target,
    format_value,
};
use crate::domain::playbook::{
    PaceStatus, PlanIssue, Side, SlugError, Tier, TierTotals, check_plan, pacing, share_bp,
};
use crate::service::goals::{GoalChange, GoalStatus};
use crate::service::plan::{
    BudgetView, ChannelChange, ChannelsView, OwnerShown, PlanView, channel_plans,
};
use crate::storage::{Channel, Team, User};
use crate::telegram::send::MAX_TEXT;
use crate::tr;

/// Longest owner name shown in lists, so 20 channels still fit one message.
const MAX_NAME_CHARS: usize = 24;

fn money(currency: &str, minor: i64) -> Html {
    Html::text(&format_money(minor, currency))
}

fn two(a: Html, b: Html, sep: &str) -> Html {
    Html::join(&[a, b], sep)
}

// ---------------------------------------------------------------- refusals

pub fn slug_reason(lang: Lang, e: &SlugError) -> Html {
    let (head, input, suggestion) = match e {
        SlugError::Empty { .. } => return tr!(lang, "plan.slug.empty"),
        SlugError::TooLong {
            input,
            max,
            suggestion,
        } => (
            tr!(lang, "plan.slug.too_long", input = input, max = *max),
            input,
            suggestion,
        ),
        SlugError::Invalid { input, suggestion } => (
            tr!(lang, "plan.slug.invalid", input = input),
            input,
            suggestion,
        ),
    };
    match suggestion {
        Some(slug) => two(
            head,
            tr!(lang, "plan.slug.hint", slug = slug, input = input),
            " ",
        ),
        None => head,
    }
}

pub fn goal_error(lang: Lang, e: &GoalArgError) -> Html {
    let name = |m: &Metric| metric_name_lower(lang, *m);
    let msg = match e {
        GoalArgError::Empty => Html::new(),
        GoalArgError::UnknownMetric { input } => {
            tr!(lang, "plan.goal.unknown_metric", input = input)
        }
        GoalArgError::MissingValue { metric } => {
            tr!(lang, "plan.goal.missing_value", metric = name(metric))
        }
        GoalArgError::BadValue { metric, error } => tr!(
            lang,
            "plan.goal.bad_value",
            metric = name(metric),
            reason = amount_reason(lang, error)
        ),
        GoalArgError::WrongDirection { metric, op } => {
            let key = if metric.is_volume() {
                "plan.goal.wrong_direction_volume"
            } else if metric.better() == Better::Higher {
                "plan.goal.wrong_direction_min"
            } else {
                "plan.goal.wrong_direction_max"
            };
            tr!(
                lang,
                key,
                metric = name(metric),
                code = metric.code(),
                op = op
            )
        }
        GoalArgError::PeriodOnRate { metric, input } => tr!(
            lang,
            "plan.goal.period_on_rate",
            metric = name(metric),
            input = input
        ),
        GoalArgError::Zero { metric } => tr!(lang, "plan.goal.zero", code = metric.code()),
        GoalArgError::BadChannel(e) => slug_reason(lang, e),
        GoalArgError::Unexpected { input } => tr!(lang, "plan.goal.unexpected", input = input),
    };
    let usage = tr!(lang, "plan.goal.usage");
    if msg.is_empty() {
        usage
    } else {
        two(msg, usage, "\n\n")
    }
}

pub fn channel_error(lang: Lang, e: &ChannelArgError) -> Html {
    let msg = match e {
        ChannelArgError::UnknownAction { input } => {
            tr!(lang, "plan.channel.unknown_action", input = input)
        }
        ChannelArgError::MissingName { .. } => tr!(lang, "plan.channel.missing_name"),
        ChannelArgError::BadName { error, .. } => slug_reason(lang, error),
        ChannelArgError::MissingTier { .. } => tr!(lang, "plan.channel.missing_tier"),
        ChannelArgError::BadTier { input, .. } => {
            tr!(lang, "plan.channel.bad_tier", input = input)
        }
        ChannelArgError::MissingBudget { .. } => tr!(lang, "plan.channel.missing_budget"),
        ChannelArgError::BadBudget { error, .. } => tr!(
            lang,
            "plan.channel.bad_budget",
            reason = amount_reason(lang, error)
        ),
        ChannelArgError::MissingOwner => tr!(lang, "plan.channel.missing_owner"),
        ChannelArgError::Unexpected { input, .. } => {
            tr!(lang, "plan.channel.unexpected", input = input)
        }
    };
    two(msg, tr!(lang, "plan.channel.usage"), "\n\n")
}

/// `/channel owner` named someone the message does not identify.
pub fn unknown_owner(lang: Lang, input: &str) -> Html {
    tr!(lang, "plan.channel.unknown_owner", input = input)
}

/// `<code>xhs</code>, <code>jd</code>`, or "none".
fn channel_names(lang: Lang, names: &[String]) -> Html {
    if names.is_empty() {
        return tr!(lang, "plan.channels.none_short");
    }
    let codes: Vec<Html> = names.iter().map(|n| Html::code(n)).collect();
    Html::join(&codes, ", ")
}

// ---------------------------------------------------------------- goals

/// "GMV ¥500,000.00 a month", "CTR ≥ 2.50%".
pub fn goal_text(lang: Lang, currency: &str, goal: &Goal) -> Html {
    let key = match goal.kind {
        GoalKind::Volume(Period::Week) => "plan.goal.line_week",
        GoalKind::Volume(Period::Month) => "plan.goal.line_month",
        GoalKind::Volume(Period::Quarter) => "plan.goal.line_quarter",
        GoalKind::AtLeast => "plan.goal.line_at_least",
        GoalKind::AtMost => "plan.goal.line_at_most",
    };
    tr!(
        lang,
        key,
        metric = metric_name_lower(lang, goal.metric),
        target = format_target(goal.metric, goal.target, currency)
    )
}

/// A volume goal spread over its period: " (¥116,666.67 a week, ¥16,666.67 a day)".
fn pace_text(lang: Lang, currency: &str, metric: Metric, pace: Option<&Pace>) -> Html {
    let Some(p) = pace else {
        return Html::new();
    };
    let day = format_value(metric, &p.per_day, currency);
    match &p.per_week {
        Some(week) => tr!(
            lang,
            "plan.goal.pace",
            week = format_value(metric, week, currency),
            day = day
        ),
        None => tr!(lang, "plan.goal.pace_day", day = day),
    }
}

/// Where the team stands: "no data yet", "now 2.10% ⚠️", "¥120,000.00 so far, 24.00% of the goal".
pub fn status_text(
    lang: Lang,
    currency: &str,
    metric: Metric,
    progress: Option<&Progress>,
) -> Html {
    match progress {
        None => tr!(lang, "plan.goal.no_data"),
        Some(Progress::Volume { actual, bp }) => tr!(
            lang,
            "plan.goal.progress",
            value = format_value(metric, actual, currency),
            pct = bp.map_or_else(|| DASH.to_string(), format_bp)
        ),
        Some(Progress::Rate { value, met }) => {
            let key = if *met {
                "plan.goal.now_met"
            } else {
                "plan.goal.now_off"
            };
            tr!(lang, key, value = format_value(metric, value, currency))
        }
    }
}

pub fn scope_label(lang: Lang, scope: &Scope) -> Html {
    match scope {
        Scope::Team => tr!(lang, "plan.scope_team"),
        Scope::Channel(c) => super::names::channel_tag(c),
    }
}

/// One line per goal: "GMV ¥500,000.00 a month (…a week, …a day) — no data yet".
fn goal_line(lang: Lang, currency: &str, s: &GoalStatus, with_scope: bool) -> Html {
    let goal = goal_text(lang, currency, &s.goal);
    let pace = pace_text(lang, currency, s.goal.metric, s.pace.as_ref());
    let status = status_text(lang, currency, s.goal.metric, s.progress.as_ref());
    if with_scope {
        tr!(
            lang,
            "plan.plan.goal_line",
            scope = scope_label(lang, &s.goal.scope),
            goal = goal,
            pace = pace,
            status = status
        )
    } else {
        tr!(
            lang,
            "plan.goals.line",
            goal = goal,
            pace = pace,
            status = status
        )
    }
}

/// `/goals`: grouped by scope, team first.
pub fn render_goals(lang: Lang, currency: &str, goals: &[GoalStatus]) -> Html {
    if goals.is_empty() {
        return tr!(lang, "plan.goals.none");
    }
    let mut lines = vec![tr!(lang, "plan.goals.title")];
    let mut scope: Option<&Scope> = None;
    for s in goals {
        if scope != Some(&s.goal.scope) {
            let label = scope_label(lang, &s.goal.scope);
            lines.push(Html::from_trusted(format!("<b>{label}</b>")));
            scope = Some(&s.goal.scope);
        }
        lines.push(goal_line(lang, currency, s, false));
    }
    Html::lines(lines)
}

/// The reply to `/goal …`, followed by the playbook check.
pub fn render_goal_change(
    lang: Lang,
    currency: &str,
    change: &GoalChange,
    channels: &[Channel],
) -> Html {
    let head = match change {
        GoalChange::UnknownChannel { channel, known } => {
            return tr!(
                lang,
                "plan.goal.unknown_channel",
                channel = channel,
                channels = channel_names(lang, known)
            );
        }
        GoalChange::NothingToClear { metric, scope } => {
            return tr!(
                lang,
                "plan.goal.no_such",
                metric = metric_name_lower(lang, *metric),
                scope = scope_label(lang, scope)
            );
        }
        GoalChange::Set { goal, pace, old } => {
            let mut line = goal_text(lang, currency, goal);
            line.push(&pace_text(lang, currency, goal.metric, pace.as_ref()));
            let scoped = tr!(
                lang,
                "plan.scoped",
                scope = scope_label(lang, &goal.scope),
                goal = line
            );
            match old {
                Some(old) => tr!(
                    lang,
                    "plan.goal.replaced",
                    goal = scoped,
                    old = goal_text(lang, currency, old)
                ),
                None => tr!(lang, "plan.goal.set", goal = scoped),
            }
        }
        GoalChange::Cleared { metric, scope, old } => {
            let line = match old {
                Some(old) => goal_text(lang, currency, old),
                None => metric_name_lower(lang, *metric),
            };
            let scoped = tr!(
                lang,
                "plan.scoped",
                scope = scope_label(lang, scope),
                goal = line
            );
            tr!(lang, "plan.goal.cleared", goal = scoped)
        }
    };
    two(head, render_check(lang, currency, channels), "\n\n")
}

// ---------------------------------------------------------------- the playbook check

/// One "fits" line, or a title and one line per rule that is off.
pub fn render_check(lang: Lang, currency: &str, channels: &[Channel]) -> Html {
    let plans = channel_plans(channels);
    let issues = check_plan(&plans);
    let totals = TierTotals::of(&plans);
    let share = |tier: Tier| {
        share_bp(totals.get(tier), totals.total)
            .map(format_bp)
            .unwrap_or_else(|| DASH.to_string())
    };
    if issues.is_empty() {
        return tr!(
            lang,
            "plan.check.ok",
            core = share(Tier::Core),
            test = share(Tier::Test),
            reserve = share(Tier::Reserve)
        );
    }
    let mut lines = vec![tr!(lang, "plan.check.title")];
    let mut no_owner: Vec<String> = Vec::new();
    for issue in &issues {
        match issue {
            PlanIssue::NoBudget { .. } => lines.push(tr!(lang, "plan.check.no_budget")),
            PlanIssue::TierShare {
                tier,
                total,
                share_bp,
                min_bp,
                max_bp,
                side,
                off_by_amount,
                ..
            } => {
                let key = match side {
                    Side::Above => "plan.check.tier_above",
                    Side::Below => "plan.check.tier_below",
                };
                lines.push(tr!(
                    lang,
                    key,
                    tier = tier_name(lang, *tier),
                    share = format_bp(*share_bp),
                    total = money(currency, *total),
                    range = format_bp_range(*min_bp, *max_bp),
                    amount = money(currency, *off_by_amount)
                ));
            }
            PlanIssue::TooManyCore {
                count,
                max,
                channels,
            } => lines.push(tr!(
                lang,
                "plan.check.too_many_core",
                count = *count,
                max = *max,
                channels = channels.join(", ")
            )),
            PlanIssue::NoOwner { channel } => no_owner.push(channel.clone()),
        }
    }
    if !no_owner.is_empty() {
        lines.push(tr!(
            lang,
            "plan.check.no_owner",
            channels = no_owner.join(", ")
        ));
    }
    Html::lines(lines)
}

// ---------------------------------------------------------------- channels

fn owner_label(lang: Lang, c: &Channel, users: &HashMap<UserId, User>) -> Html {
    match (c.owner_id, &c.owner_username) {
        (Some(id), username) => match users.get(&id) {
            Some(u) => Html::text(&truncate_chars(&u.display_name, MAX_NAME_CHARS)),
            None => match username {
                Some(u) => Html::text(&format!("@{u}")),
                None => Html::text(&id.to_string()),
            },
        },
        (None, Some(username)) => {
            tr!(lang, "plan.channels.owner_pending", username = username)
        }
        (None, None) => tr!(lang, "plan.channels.no_owner"),
    }
}

fn exists_text(lang: Lang, currency: &str, c: &Channel) -> Html {
    tr!(
        lang,
        "plan.channel.exists",
        name = &c.name,
        tier = tier_name(lang, c.tier),
        budget = money(currency, c.monthly_budget)
    )
}

fn totals_line(lang: Lang, currency: &str, channels: &[Channel]) -> Html {
    let totals = TierTotals::of(&channel_plans(channels));
    tr!(
        lang,
        "plan.channels.total",
        total = money(currency, totals.total),
        core = money(currency, totals.core),
        test = money(currency, totals.test),
        reserve = money(currency, totals.reserve)
    )
}

/// `/channels`.
pub fn render_channels(lang: Lang, currency: &str, view: &ChannelsView) -> Html {
    let channels = &view.channels;
    if channels.is_empty() {
        return tr!(lang, "plan.channels.none");
    }
    let mut lines = vec![tr!(lang, "plan.channels.title", count = channels.len())];
    for c in channels {
        lines.push(tr!(
            lang,
            "plan.channels.line",
            name = &c.name,
            tier = tier_name(lang, c.tier),
            budget = money(currency, c.monthly_budget),
            owner = owner_label(lang, c, &view.owners)
        ));
    }
    lines.push(totals_line(lang, currency, channels));
    lines.push(Html::new());
    lines.push(render_check(lang, currency, channels));
    Html::lines(lines)
}

/// The reply to `/channel …`: what changed, then (after a change) the playbook check on the
/// live channels as they are now.
pub fn render_channel_change(
    lang: Lang,
    currency: &str,
    change: &ChannelChange,
    channels: &[Channel],
) -> Html {
    let head = match change {
        ChannelChange::Exists(c) => return exists_text(lang, currency, c),
        ChannelChange::NotFound { name, known } => {
            return tr!(
                lang,
                "plan.channel.not_found",
                name = name,
                channels = channel_names(lang, known)
            );
        }
        ChannelChange::TierSame { name, tier } => {
            return tr!(
                lang,
                "plan.channel.tier_same",
                name = name,
                tier = tier_name(lang, *tier)
            );
        }
        ChannelChange::Added { name, tier, budget } => tr!(
            lang,
            "plan.channel.added",
            name = name,
            tier = tier_name(lang, *tier),
            budget = money(currency, *budget)
        ),
        ChannelChange::OwnerCleared { name } => {
            tr!(lang, "plan.channel.owner_cleared", name = name)
        }
        ChannelChange::OwnerSet { name, owner } => {
            let who = match owner {
                OwnerShown::Named(n) => truncate_chars(n, MAX_NAME_CHARS),
                OwnerShown::Username(u) | OwnerShown::Pending(u) => format!("@{u}"),
                OwnerShown::Id(id) => id.to_string(),
            };
            let set = tr!(lang, "plan.channel.owner_set", name = name, owner = who);
            match owner {
                OwnerShown::Pending(u) => two(
                    set,
                    tr!(lang, "plan.channel.owner_pending", username = u),
                    " ",
                ),
                _ => set,
            }
        }
        ChannelChange::BudgetSet { name, old, new } => tr!(
            lang,
            "plan.channel.budget_set",
            name = name,
            old = money(currency, *old),
            new = money(currency, *new)
        ),
        ChannelChange::TierSet { name, old, new } => tr!(
            lang,
            "plan.channel.tier_set",
            name = name,
            old = tier_name(lang, *old),
            new = tier_name(lang, *new)
        ),
        ChannelChange::Removed {
            name,
            goals_cleared,
        } => {
            let removed = tr!(lang, "plan.channel.removed", name = name);
            if *goals_cleared > 0 {
                two(
                    removed,
                    tr!(lang, "plan.channel.removed_goals", count = *goals_cleared),
                    " ",
                )
            } else {
                removed
            }
        }
    };
    two(head, render_check(lang, currency, channels), "\n\n")
}

// ---------------------------------------------------------------- budget

fn pace_flag(lang: Lang, status: PaceStatus, over_budget: bool) -> Html {
    let mut flag = match status {
        PaceStatus::UnderPace => tr!(lang, "plan.budget.under_pace"),
        PaceStatus::OverPace => tr!(lang, "plan.budget.over_pace"),
        PaceStatus::OnPace => Html::new(),
    };
    if over_budget {
        flag.push(&tr!(lang, "plan.budget.over_budget"));
    }
    flag
}

/// `/budget`.
pub fn render_budget(lang: Lang, currency: &str, view: &BudgetView) -> Html {
    let channels = &view.channels;
    let plans = channel_plans(channels);
    let totals = TierTotals::of(&plans);
    if channels.is_empty() || totals.total <= 0 {
        return tr!(lang, "plan.budget.none");
    }
    let today = view.today;
    let (day, days) = (today.day(), days_in_month(today));
    let spend = &view.spend;
    let dash = || DASH.to_string();
    let mut lines = vec![tr!(
        lang,
        "plan.budget.title",
        month = super::names::month(lang, today),
        day = day,
        days = days
    )];
    for tier in Tier::ALL {
        let in_tier: Vec<&Channel> = channels.iter().filter(|c| c.tier == tier).collect();
        if in_tier.is_empty() {
            continue;
        }
        lines.push(tr!(
            lang,
            "plan.budget.tier",
            tier = tier_name(lang, tier),
            amount = money(currency, totals.get(tier)),
            share = share_bp(totals.get(tier), totals.total)
                .map(format_bp)
                .unwrap_or_else(dash),
            rule = super::plan_rules::budget_tier_rule(lang, tier, &plans)
        ));
        for c in in_tier {
            let line = if spend.is_empty() {
                tr!(
                    lang,
                    "plan.budget.channel",
                    name = &c.name,
                    budget = money(currency, c.monthly_budget)
                )
            } else {
                let spent = spend.get(&c.name).copied().unwrap_or(0);
                // Days checked in without spend are left out of the plan to date, not ¥0.
                let unknown = view.unknown_spend_days.get(&c.name).copied().unwrap_or(0);
                let judged = day.checked_sub(unknown).filter(|d| *d > 0);
                let p = judged.map(|d| pacing(spent, c.monthly_budget, d, days));
                tr!(
                    lang,
                    "plan.budget.channel_spend",
                    name = &c.name,
                    budget = money(currency, c.monthly_budget),
                    spent = money(currency, spent),
                    pace = p
                        .and_then(|p| p.pct_of_linear_plan_bp)
                        .map(format_bp)
                        .unwrap_or_else(dash),
                    projected = p.map_or_else(
                        || Html::text(DASH),
                        |p| money(currency, p.projected_month_end)
                    ),
                    flag = p.map_or_else(Html::new, |p| pace_flag(lang, p.status, p.over_budget))
                )
            };
            lines.push(line);
        }
    }
    lines.push(tr!(
        lang,
        "plan.budget.total",
        total = money(currency, totals.total)
    ));
    if spend.is_empty() {
        lines.push(tr!(lang, "plan.budget.no_spend"));
    } else {
        // Spend on removed channels still counts against the month.
        let spent: i64 = spend.values().fold(0i64, |a, b| a.saturating_add(*b));
        let p = pacing(spent, totals.total, day, days);
        // With any channel's spend unknown on some day, the team's total is not judged.
        let known = view.unknown_spend_days.is_empty();
        lines.push(tr!(
            lang,
            "plan.budget.total_spend",
            spent = money(currency, spent),
            planned = money(currency, p.planned_to_date),
            pace = p
                .pct_of_linear_plan_bp
                .filter(|_| known)
                .map(format_bp)
                .unwrap_or_else(dash),
            projected = if known {
                money(currency, p.projected_month_end)
            } else {
                Html::text(DASH)
            },
            flag = if known {
                pace_flag(lang, p.status, p.over_budget)
            } else {
                Html::new()
            }
        ));
    }
    Html::lines(lines)
}

// ---------------------------------------------------------------- the whole plan

fn rhythm_lines(lang: Lang, team: &Team) -> Html {
    let mut lines = vec![tr!(lang, "plan.plan.rhythm")];
    lines.push(match (team.review_weekday, team.review_minute) {
        (Some(wd), Some(min)) => tr!(
            lang,
            "plan.plan.review",
            day = weekday_short(lang, wd),
            time = hhmm(min)
        ),
        _ => tr!(lang, "plan.plan.review_unset"),
    });
    lines.push(match team.checkin_minute {
        Some(min) => tr!(lang, "plan.plan.checkin", time = hhmm(min)),
        None => tr!(lang, "plan.plan.checkin_unset"),
    });
    lines.push(match (team.quiet_start, team.quiet_end) {
        (Some(from), Some(to)) => tr!(lang, "plan.plan.quiet", from = hhmm(from), to = hhmm(to)),
        _ => tr!(lang, "plan.plan.quiet_unset"),
    });
    Html::lines(lines)
}

/// `/plan` on one screen: full goals if they fit, else a pointer to /goals; channels likewise.
pub fn render_plan(lang: Lang, team: &Team, view: &PlanView) -> Html {
    let currency = team.currency.as_str();
    let channels = &view.channels.channels;
    let goal_lines: Vec<Html> = view
        .goals
        .iter()
        .map(|s| goal_line(lang, currency, s, true))
        .collect();
    let title = tr!(lang, "plan.plan.title");
    // Every rule with its figure, also when all is well (the reply to a change is shorter).
    let check = super::plan_rules::render_rules(lang, currency, &channel_plans(channels));
    let rhythm = rhythm_lines(lang, team);
    let totals = TierTotals::of(&channel_plans(channels));
    let channel_lines: Vec<Html> = channels
        .iter()
        .map(|c| {
            tr!(
                lang,
                "plan.plan.channel_line",
                name = &c.name,
                tier = tier_name(lang, c.tier),
                budget = money(currency, c.monthly_budget),
                owner = owner_label(lang, c, &view.channels.owners)
            )
        })
        .collect();
    let channels_head = if channels.is_empty() {
        two(
            tr!(lang, "plan.plan.channels", total = money(currency, 0)),
            tr!(lang, "plan.channels.none"),
            "\n",
        )
    } else {
        tr!(
            lang,
            "plan.plan.channels",
            total = money(currency, totals.total)
        )
    };
    let goals_head = tr!(lang, "plan.plan.goals");
    let build = |goals: &[Html], chans: &[Html], more_channels: usize| {
        let mut g = vec![goals_head.clone()];
        if goals.is_empty() {
            g.push(tr!(lang, "plan.plan.no_goals"));
        } else {
            g.extend(goals.iter().cloned());
        }
        let mut c = vec![channels_head.clone()];
        c.extend(chans.iter().cloned());
        if more_channels > 0 {
            c.push(tr!(lang, "plan.plan.more_channels", count = more_channels));
        }
        let parts = [
            title.clone(),
            Html::lines(g),
            Html::lines(c),
            check.clone(),
            rhythm.clone(),
        ];
        Html::join(&parts, "\n\n")
    };
    let limit = MAX_TEXT - 96;
    let mut text = build(&goal_lines, &channel_lines, 0);
    if utf16_len(text.as_str()) > limit {
        let compact = vec![tr!(
            lang,
            "plan.plan.goals_compact",
            count = goal_lines.len()
        )];
        text = build(&compact, &channel_lines, 0);
        let mut shown = channel_lines.len();
        while utf16_len(text.as_str()) > limit && shown > 0 {
            shown -= 1;
            text = build(
                &compact,
                &channel_lines[..shown],
                channel_lines.len() - shown,
            );
        }
    }
    text
}
