//! The campaign plan: `/goal`, `/goals`, `/channel`, `/channels`, `/budget`, `/plan`.
//! Admins change it; every change is answered with the playbook check (DOMAIN.md §2).
//! Grammar and rules live in `domain::plan_args` and `domain::playbook`; this module only
//! parses → stores → renders.

use std::collections::HashMap;

use chrono::Datelike;
use teloxide::types::MessageEntityKind;

use super::reply::{MAX_TEXT, escape};
use super::{HandlerResult, Turn};
use crate::domain::metrics::{Better, GoalThreshold, Metric, MetricValue, meets};
use crate::domain::money::{AmountError, format_bp, format_money};
use crate::domain::plan_args::{
    ChannelArgError, ChannelArgs, GoalArgError, GoalArgs, GoalKind, GoalSpec, OwnerArg, Period,
    days_in_month, days_in_period, format_bp_range, format_target, format_value, pace,
    parse_channel_args, parse_goal_args,
};
use crate::domain::playbook::{
    ChannelPlan, PaceStatus, PlanIssue, Side, SlugError, Tier, TierTotals, check_plan, pacing,
    share_bp,
};
use crate::domain::when::local_date;
use crate::storage::{Channel, Goal, NewGoal, Team, User};

/// Longest owner name shown in lists, so 20 channels still fit one message.
const MAX_NAME_CHARS: usize = 24;

// ---------------------------------------------------------------- hooks for the numbers

/// The current value of each goal's metric, keyed by (metric, channel — `""` for the team),
/// from the check-ins: volume goals over their own period to date, rate goals over this month.
async fn current_values(turn: &Turn) -> HashMap<(Metric, String), MetricValue> {
    let (store, now) = (&turn.ctx.store, turn.ctx.now());
    super::numbers::goal_current_values(store, turn.chat_id(), now, turn.tz)
        .await
        .unwrap_or_else(|err| {
            tracing::error!(chat = turn.chat_id(), error = %err, "cannot read goal progress");
            HashMap::new()
        })
}

/// Spend so far this month (team's zone), minor units, by channel name, from the check-ins.
async fn month_spend_by_channel(turn: &Turn) -> HashMap<String, i64> {
    let (store, now) = (&turn.ctx.store, turn.ctx.now());
    match super::numbers::month_spend_by_channel(store, turn.chat_id(), now, turn.tz).await {
        Ok(spend) => spend.into_iter().collect(),
        Err(err) => {
            tracing::error!(chat = turn.chat_id(), error = %err, "cannot read this month's spend");
            HashMap::new()
        }
    }
}

// ---------------------------------------------------------------- small renderers

fn metric_name(turn: &Turn, m: Metric) -> String {
    turn.t(&format!("plan.metric.{}", m.code()), &[])
}

fn tier_name(turn: &Turn, tier: Tier) -> String {
    turn.t(&format!("plan.tier.{}", tier.code()), &[])
}

fn tier_of(c: &Channel) -> Tier {
    Tier::parse(&c.tier).unwrap_or(Tier::Reserve)
}

fn money(team: &Team, minor: i64) -> String {
    escape(&format_money(minor, &team.currency))
}

fn amount_reason(turn: &Turn, e: &AmountError) -> String {
    let (key, input) = match e {
        AmountError::Invalid { input } => ("invalid", input),
        AmountError::Negative { input } => ("negative", input),
        AmountError::TooPrecise { input } => ("too_precise", input),
        AmountError::TooLarge { input } => ("too_large", input),
        AmountError::NotInteger { input } => ("not_integer", input),
    };
    turn.t(&format!("plan.amount.{key}"), &[("input", &escape(input))])
}

fn slug_reason(turn: &Turn, e: &SlugError) -> String {
    match e {
        SlugError::Empty { .. } => turn.t("plan.slug.empty", &[]),
        SlugError::TooLong {
            input,
            max,
            suggestion,
        } => {
            let mut s = turn.t(
                "plan.slug.too_long",
                &[("input", &escape(input)), ("max", &max.to_string())],
            );
            if let Some(slug) = suggestion {
                s.push(' ');
                s.push_str(&turn.t(
                    "plan.slug.hint",
                    &[("slug", &escape(slug)), ("input", &escape(input))],
                ));
            }
            s
        }
        SlugError::Invalid { input, suggestion } => {
            let mut s = turn.t("plan.slug.invalid", &[("input", &escape(input))]);
            if let Some(slug) = suggestion {
                s.push(' ');
                s.push_str(&turn.t(
                    "plan.slug.hint",
                    &[("slug", &escape(slug)), ("input", &escape(input))],
                ));
            }
            s
        }
    }
}

fn channel_names(turn: &Turn, channels: &[Channel]) -> String {
    if channels.is_empty() {
        return turn.t("plan.channels.none_short", &[]);
    }
    channels
        .iter()
        .map(|c| format!("<code>{}</code>", escape(&c.name)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn short(name: &str) -> String {
    if name.chars().count() <= MAX_NAME_CHARS {
        name.to_string()
    } else {
        let mut s: String = name.chars().take(MAX_NAME_CHARS - 1).collect();
        s.push('…');
        s
    }
}

/// The team's live channels. An owner named by an @username nobody had seen yet is linked to
/// that person here once they have written, so lists show them by name.
async fn live_channels(turn: &Turn, chat_id: i64) -> Result<Vec<Channel>, super::BotError> {
    let store = &turn.ctx.store;
    let mut channels = store.channels(chat_id).await?;
    for c in channels.iter_mut().filter(|c| c.owner_id.is_none()) {
        let Some(username) = c.owner_username.clone() else {
            continue;
        };
        if let Some(user) = store.user_by_username(&username).await? {
            store
                .resolve_pending_channel_owner(&username, user.user_id, turn.ctx.now())
                .await?;
            c.owner_id = Some(user.user_id);
        }
    }
    Ok(channels)
}

/// Owners by user id, for the channels' owner column (one query for the whole team).
async fn owner_names(
    turn: &Turn,
    channels: &[Channel],
) -> Result<HashMap<i64, User>, super::BotError> {
    let mut users: HashMap<i64, User> = turn
        .ctx
        .store
        .members(turn.chat_id())
        .await?
        .into_iter()
        .map(|u| (u.user_id, u))
        .collect();
    for id in channels.iter().filter_map(|c| c.owner_id) {
        if !users.contains_key(&id)
            && let Some(u) = turn.ctx.store.user(id).await?
        {
            users.insert(id, u);
        }
    }
    Ok(users)
}

fn owner_label(turn: &Turn, c: &Channel, users: &HashMap<i64, User>) -> String {
    match (c.owner_id, &c.owner_username) {
        (Some(id), username) => match users.get(&id) {
            Some(u) => escape(&short(&u.display_name)),
            None => username
                .as_deref()
                .map(|u| format!("@{}", escape(u)))
                .unwrap_or_else(|| id.to_string()),
        },
        (None, Some(username)) => turn.t(
            "plan.channels.owner_pending",
            &[("username", &escape(username))],
        ),
        (None, None) => turn.t("plan.channels.no_owner", &[]),
    }
}

/// The channels as the playbook sees them. An owner named by @username counts before they
/// have written in the group: someone is named.
fn channel_plans(channels: &[Channel]) -> Vec<ChannelPlan> {
    channels
        .iter()
        .map(|c| ChannelPlan {
            name: c.name.clone(),
            tier: tier_of(c),
            monthly_budget: c.monthly_budget,
            has_owner: c.owner_id.is_some() || c.owner_username.is_some(),
        })
        .collect()
}

/// The playbook check: one "fits" line, or a title and one line per rule that is off.
fn render_check(turn: &Turn, team: &Team, channels: &[Channel]) -> String {
    let plans = channel_plans(channels);
    let issues = check_plan(&plans);
    let totals = TierTotals::of(&plans);
    let share = |tier: Tier| {
        share_bp(totals.get(tier), totals.total)
            .map(format_bp)
            .unwrap_or_else(|| crate::domain::money::DASH.to_string())
    };
    if issues.is_empty() {
        return turn.t(
            "plan.check.ok",
            &[
                ("core", &share(Tier::Core)),
                ("test", &share(Tier::Test)),
                ("reserve", &share(Tier::Reserve)),
            ],
        );
    }
    let mut lines = vec![turn.t("plan.check.title", &[])];
    let mut no_owner = Vec::new();
    for issue in &issues {
        match issue {
            PlanIssue::NoBudget { .. } => lines.push(turn.t("plan.check.no_budget", &[])),
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
                lines.push(turn.t(
                    key,
                    &[
                        ("tier", &tier_name(turn, *tier)),
                        ("share", &format_bp(*share_bp)),
                        ("total", &money(team, *total)),
                        ("range", &format_bp_range(*min_bp, *max_bp)),
                        ("amount", &money(team, *off_by_amount)),
                    ],
                ));
            }
            PlanIssue::TooManyCore {
                count,
                max,
                channels,
            } => lines.push(turn.t(
                "plan.check.too_many_core",
                &[
                    ("count", &count.to_string()),
                    ("max", &max.to_string()),
                    ("channels", &escape(&channels.join(", "))),
                ],
            )),
            PlanIssue::NoOwner { channel } => no_owner.push(escape(channel)),
        }
    }
    if !no_owner.is_empty() {
        lines.push(turn.t("plan.check.no_owner", &[("channels", &no_owner.join(", "))]));
    }
    lines.join("\n")
}

fn hhmm(minute: i64) -> String {
    let m = minute.rem_euclid(24 * 60);
    format!("{:02}:{:02}", m / 60, m % 60)
}

fn weekday_name(turn: &Turn, weekday: i64) -> String {
    let key = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][weekday.rem_euclid(7) as usize];
    turn.t(&format!("plan.wd.{key}"), &[])
}

// ---------------------------------------------------------------- goals

fn goal_kind(g: &Goal) -> Option<(Metric, GoalKind)> {
    Some((
        Metric::parse(&g.metric)?,
        GoalKind::from_codes(&g.direction, &g.period)?,
    ))
}

/// "GMV ¥500,000.00 a month", "CTR ≥ 2.50%".
fn goal_text(turn: &Turn, team: &Team, metric: Metric, kind: GoalKind, value: i64) -> String {
    let key = match kind {
        GoalKind::Volume(Period::Week) => "plan.goal.line_week",
        GoalKind::Volume(Period::Month) => "plan.goal.line_month",
        GoalKind::Volume(Period::Quarter) => "plan.goal.line_quarter",
        GoalKind::AtLeast => "plan.goal.line_at_least",
        GoalKind::AtMost => "plan.goal.line_at_most",
    };
    turn.t(
        key,
        &[
            ("metric", &metric_name(turn, metric)),
            (
                "target",
                &escape(&format_target(metric, value, &team.currency)),
            ),
        ],
    )
}

/// A volume goal spread over its period as it runs now: " (¥116,666.67 a week, ¥16,666.67 a day)".
fn pace_text(turn: &Turn, team: &Team, metric: Metric, kind: GoalKind, value: i64) -> String {
    let GoalKind::Volume(period) = kind else {
        return String::new();
    };
    let today = local_date(turn.ctx.now(), turn.tz);
    let p = pace(value, period, days_in_period(period, today));
    let day = escape(&format_value(metric, &p.per_day, &team.currency));
    match p.per_week {
        Some(week) => turn.t(
            "plan.goal.pace",
            &[
                (
                    "week",
                    &escape(&format_value(metric, &week, &team.currency)),
                ),
                ("day", &day),
            ],
        ),
        None => turn.t("plan.goal.pace_day", &[("day", &day)]),
    }
}

/// Where the team stands: "no data yet", "now 2.10% ⚠️", "¥120,000.00 so far, 24.00% of the goal".
fn status_text(
    turn: &Turn,
    team: &Team,
    metric: Metric,
    kind: GoalKind,
    value: i64,
    current: Option<&MetricValue>,
) -> String {
    let Some(now) = current else {
        return turn.t("plan.goal.no_data", &[]);
    };
    let shown = escape(&format_value(metric, now, &team.currency));
    match kind {
        GoalKind::Volume(_) => {
            let pct = crate::domain::money::format_percent(
                now.num,
                now.den.saturating_mul(i128::from(value)),
            );
            turn.t("plan.goal.progress", &[("value", &shown), ("pct", &pct)])
        }
        GoalKind::AtLeast | GoalKind::AtMost => {
            let threshold = GoalThreshold {
                metric,
                direction: if kind == GoalKind::AtLeast {
                    Better::Higher
                } else {
                    Better::Lower
                },
                target: value,
            };
            let key = if meets(now, &threshold) {
                "plan.goal.now_met"
            } else {
                "plan.goal.now_off"
            };
            turn.t(key, &[("value", &shown)])
        }
    }
}

fn scope_label(turn: &Turn, channel: &str) -> String {
    if channel.is_empty() {
        turn.t("plan.scope_team", &[])
    } else {
        format!("#{}", escape(channel))
    }
}

/// Volumes first, as a business reads a plan (GMV before spend), then the funnel rates.
const GOAL_ORDER: [Metric; 12] = [
    Metric::Gmv,
    Metric::Orders,
    Metric::New,
    Metric::Spend,
    Metric::Ctr,
    Metric::Cpc,
    Metric::Cpm,
    Metric::Cvr,
    Metric::Aov,
    Metric::Roi,
    Metric::Cac,
    Metric::Interaction,
];

/// Goals sorted team-wide first, then by channel, each in [`GOAL_ORDER`].
fn sorted_goals(goals: Vec<Goal>) -> Vec<(Goal, Metric, GoalKind)> {
    let mut out: Vec<(Goal, Metric, GoalKind)> = goals
        .into_iter()
        .filter_map(|g| goal_kind(&g).map(|(m, k)| (g, m, k)))
        .collect();
    let order = |m: Metric| {
        GOAL_ORDER
            .iter()
            .position(|x| *x == m)
            .unwrap_or(usize::MAX)
    };
    out.sort_by(|a, b| (a.0.channel.as_str(), order(a.1)).cmp(&(b.0.channel.as_str(), order(b.1))));
    out
}

fn goal_error(turn: &Turn, e: &GoalArgError) -> String {
    let msg = match e {
        GoalArgError::Empty => String::new(),
        GoalArgError::UnknownMetric { input } => {
            turn.t("plan.goal.unknown_metric", &[("input", &escape(input))])
        }
        GoalArgError::MissingValue { metric } => turn.t(
            "plan.goal.missing_value",
            &[("metric", &metric_name(turn, *metric))],
        ),
        GoalArgError::BadValue { metric, error } => turn.t(
            "plan.goal.bad_value",
            &[
                ("metric", &metric_name(turn, *metric)),
                ("reason", &amount_reason(turn, error)),
            ],
        ),
        GoalArgError::WrongDirection { metric, op } => {
            let key = if metric.is_volume() {
                "plan.goal.wrong_direction_volume"
            } else if metric.better() == Better::Higher {
                "plan.goal.wrong_direction_min"
            } else {
                "plan.goal.wrong_direction_max"
            };
            turn.t(
                key,
                &[
                    ("metric", &metric_name(turn, *metric)),
                    ("code", metric.code()),
                    ("op", &escape(op)),
                ],
            )
        }
        GoalArgError::PeriodOnRate { metric, input } => turn.t(
            "plan.goal.period_on_rate",
            &[
                ("metric", &metric_name(turn, *metric)),
                ("input", &escape(input)),
            ],
        ),
        GoalArgError::Zero { metric } => turn.t("plan.goal.zero", &[("code", metric.code())]),
        GoalArgError::BadChannel(e) => slug_reason(turn, e),
        GoalArgError::Unexpected { input } => {
            turn.t("plan.goal.unexpected", &[("input", &escape(input))])
        }
    };
    let usage = turn.t("plan.goal.usage", &[]);
    if msg.is_empty() {
        usage
    } else {
        format!("{msg}\n\n{usage}")
    }
}

pub async fn goal(turn: &Turn, args: &str) -> HandlerResult {
    let Some(team) = turn.require_team().await? else {
        return Ok(());
    };
    if args.trim().is_empty() {
        return turn.reply(&turn.t("plan.goal.usage", &[])).await;
    }
    if !turn.require_admin("perm.action_plan").await? {
        return Ok(());
    }
    let parsed = match parse_goal_args(args) {
        Ok(p) => p,
        Err(e) => return turn.reply(&goal_error(turn, &e)).await,
    };
    let store = &turn.ctx.store;
    let now = turn.ctx.now();
    let channels = store.channels(team.chat_id).await?;
    let existing = store.goals(team.chat_id).await?;
    match parsed {
        GoalArgs::Set(GoalSpec {
            metric,
            kind,
            value,
            channel,
        }) => {
            let channel = channel.unwrap_or_default();
            if !channel.is_empty() && !channels.iter().any(|c| c.name == channel) {
                return turn
                    .reply(&turn.t(
                        "plan.goal.unknown_channel",
                        &[
                            ("channel", &escape(&channel)),
                            ("channels", &channel_names(turn, &channels)),
                        ],
                    ))
                    .await;
            }
            let old = existing
                .iter()
                .find(|g| g.metric == metric.code() && g.channel == channel)
                .and_then(|g| goal_kind(g).map(|(m, k)| goal_text(turn, team, m, k, g.value)));
            store
                .set_goal(
                    &NewGoal {
                        chat_id: team.chat_id,
                        metric: metric.code(),
                        channel: &channel,
                        direction: kind.direction_code(),
                        period: kind.period_code(),
                        value,
                    },
                    now,
                )
                .await?;
            let scope = scope_label(turn, &channel);
            let line = format!(
                "{}{}",
                goal_text(turn, team, metric, kind, value),
                pace_text(turn, team, metric, kind, value)
            );
            let goal = turn.t("plan.scoped", &[("scope", &scope), ("goal", &line)]);
            let mut text = match old {
                Some(old) => turn.t("plan.goal.replaced", &[("goal", &goal), ("old", &old)]),
                None => turn.t("plan.goal.set", &[("goal", &goal)]),
            };
            text.push_str("\n\n");
            text.push_str(&render_check(turn, team, &channels));
            turn.reply(&text).await
        }
        GoalArgs::Clear { metric, channel } => {
            let channel = channel.unwrap_or_default();
            let old = existing
                .iter()
                .find(|g| g.metric == metric.code() && g.channel == channel)
                .and_then(|g| goal_kind(g).map(|(m, k)| goal_text(turn, team, m, k, g.value)));
            let cleared = store
                .clear_goal(team.chat_id, metric.code(), &channel)
                .await?;
            let scope = scope_label(turn, &channel);
            if !cleared {
                return turn
                    .reply(&turn.t(
                        "plan.goal.no_such",
                        &[("metric", &metric_name(turn, metric)), ("scope", &scope)],
                    ))
                    .await;
            }
            let line = old.unwrap_or_else(|| metric_name(turn, metric));
            let goal = turn.t("plan.scoped", &[("scope", &scope), ("goal", &line)]);
            let mut text = turn.t("plan.goal.cleared", &[("goal", &goal)]);
            text.push_str("\n\n");
            text.push_str(&render_check(turn, team, &channels));
            turn.reply(&text).await
        }
    }
}

/// One line per goal: "GMV ¥500,000.00 a month (…a week, …a day) — no data yet".
async fn goal_lines(
    turn: &Turn,
    team: &Team,
    with_scope: bool,
) -> Result<Vec<(String, String)>, super::BotError> {
    let goals = sorted_goals(turn.ctx.store.goals(team.chat_id).await?);
    let current = current_values(turn).await;
    let mut out = Vec::with_capacity(goals.len());
    for (g, metric, kind) in goals {
        let now = current.get(&(metric, g.channel.clone()));
        let goal = goal_text(turn, team, metric, kind, g.value);
        let pace = pace_text(turn, team, metric, kind, g.value);
        let status = status_text(turn, team, metric, kind, g.value, now);
        let line = if with_scope {
            turn.t(
                "plan.plan.goal_line",
                &[
                    ("scope", &scope_label(turn, &g.channel)),
                    ("goal", &goal),
                    ("pace", &pace),
                    ("status", &status),
                ],
            )
        } else {
            turn.t(
                "plan.goals.line",
                &[("goal", &goal), ("pace", &pace), ("status", &status)],
            )
        };
        out.push((g.channel, line));
    }
    Ok(out)
}

pub async fn goals(turn: &Turn, _args: &str) -> HandlerResult {
    let Some(team) = turn.require_team().await? else {
        return Ok(());
    };
    let lines = goal_lines(turn, team, false).await?;
    if lines.is_empty() {
        return turn.reply(&turn.t("plan.goals.none", &[])).await;
    }
    let mut text = turn.t("plan.goals.title", &[]);
    let mut scope: Option<String> = None;
    for (channel, line) in lines {
        if scope.as_deref() != Some(channel.as_str()) {
            text.push_str(&format!("\n<b>{}</b>", scope_label(turn, &channel)));
            scope = Some(channel);
        }
        text.push('\n');
        text.push_str(&line);
    }
    turn.reply(&text).await
}

// ---------------------------------------------------------------- channels

fn channel_error(turn: &Turn, e: &ChannelArgError) -> String {
    let msg = match e {
        ChannelArgError::UnknownAction { input } => {
            turn.t("plan.channel.unknown_action", &[("input", &escape(input))])
        }
        ChannelArgError::MissingName { .. } => turn.t("plan.channel.missing_name", &[]),
        ChannelArgError::BadName { error, .. } => slug_reason(turn, error),
        ChannelArgError::MissingTier { .. } => turn.t("plan.channel.missing_tier", &[]),
        ChannelArgError::BadTier { input, .. } => {
            turn.t("plan.channel.bad_tier", &[("input", &escape(input))])
        }
        ChannelArgError::MissingBudget { .. } => turn.t("plan.channel.missing_budget", &[]),
        ChannelArgError::BadBudget { error, .. } => turn.t(
            "plan.channel.bad_budget",
            &[("reason", &amount_reason(turn, error))],
        ),
        ChannelArgError::MissingOwner => turn.t("plan.channel.missing_owner", &[]),
        ChannelArgError::Unexpected { input, .. } => {
            turn.t("plan.channel.unexpected", &[("input", &escape(input))])
        }
    };
    format!("{msg}\n\n{}", turn.t("plan.channel.usage", &[]))
}

/// The reply to a change: what changed, then the playbook check on the plan as it is now.
async fn reply_with_check(turn: &Turn, team: &Team, head: String) -> HandlerResult {
    let channels = live_channels(turn, team.chat_id).await?;
    let text = format!("{head}\n\n{}", render_check(turn, team, &channels));
    turn.reply(&text).await
}

/// The owner a `/channel owner` names: (user id if known, username if any), or a reply saying who is unknown.
async fn resolve_owner(
    turn: &Turn,
    owner: &OwnerArg,
) -> Result<Result<(Option<i64>, Option<String>), String>, super::BotError> {
    Ok(match owner {
        OwnerArg::Nobody => Ok((None, None)),
        OwnerArg::Me => match turn
            .msg
            .from
            .as_ref()
            .filter(|u| !u.is_bot && turn.msg.sender_chat.is_none())
        {
            Some(u) => Ok((Some(u.id.0 as i64), u.username.clone())),
            None => Err(turn.t("plan.channel.unknown_owner", &[("input", "me")])),
        },
        OwnerArg::Username(name) => match turn.ctx.store.user_by_username(name).await? {
            Some(u) => Ok((Some(u.user_id), u.username.or_else(|| Some(name.clone())))),
            None => Ok((None, Some(name.clone()))),
        },
        OwnerArg::Text(text) => {
            let mention = turn
                .msg
                .entities()
                .unwrap_or_default()
                .iter()
                .find_map(|e| match &e.kind {
                    MessageEntityKind::TextMention { user } => Some(user.clone()),
                    _ => None,
                });
            match mention {
                Some(u) => Ok((Some(u.id.0 as i64), u.username.clone())),
                None => Err(turn.t("plan.channel.unknown_owner", &[("input", &escape(text))])),
            }
        }
    })
}

pub async fn channel(turn: &Turn, args: &str) -> HandlerResult {
    let Some(team) = turn.require_team().await? else {
        return Ok(());
    };
    let parsed = parse_channel_args(args);
    if matches!(parsed, Ok(ChannelArgs::List)) {
        return channels(turn, "").await;
    }
    if !turn.require_admin("perm.action_plan").await? {
        return Ok(());
    }
    let parsed = match parsed {
        Ok(p) => p,
        Err(e) => return turn.reply(&channel_error(turn, &e)).await,
    };
    let store = &turn.ctx.store;
    let now = turn.ctx.now();
    let chat_id = team.chat_id;
    let name = match &parsed {
        ChannelArgs::List => return Ok(()),
        ChannelArgs::Add { name, .. }
        | ChannelArgs::Owner { name, .. }
        | ChannelArgs::Budget { name, .. }
        | ChannelArgs::Tier { name, .. }
        | ChannelArgs::Remove { name } => name.clone(),
    };
    let existing = store.channel(chat_id, &name).await?;
    if let ChannelArgs::Add { name, tier, budget } = &parsed {
        if let Some(c) = existing {
            return turn.reply(&exists_text(turn, team, &c)).await;
        }
        match store
            .add_channel(chat_id, name, tier.code(), *budget, now)
            .await
        {
            Ok(_) => {}
            Err(e) if e.is_unique_violation() => {
                // Another admin added it a moment ago.
                if let Some(c) = store.channel(chat_id, name).await? {
                    return turn.reply(&exists_text(turn, team, &c)).await;
                }
                return Err(e.into());
            }
            Err(e) => return Err(e.into()),
        }
        let head = turn.t(
            "plan.channel.added",
            &[
                ("name", &escape(name)),
                ("tier", &tier_name(turn, *tier)),
                ("budget", &money(team, *budget)),
            ],
        );
        return reply_with_check(turn, team, head).await;
    }
    let Some(c) = existing else {
        let live = store.channels(chat_id).await?;
        return turn
            .reply(&turn.t(
                "plan.channel.not_found",
                &[
                    ("name", &escape(&name)),
                    ("channels", &channel_names(turn, &live)),
                ],
            ))
            .await;
    };
    let head = match parsed {
        ChannelArgs::List | ChannelArgs::Add { .. } => return Ok(()),
        ChannelArgs::Owner { owner, .. } => {
            let (owner_id, owner_username) = match resolve_owner(turn, &owner).await? {
                Ok(o) => o,
                Err(msg) => return turn.reply(&msg).await,
            };
            store
                .set_channel_owner(c.id, owner_id, owner_username.as_deref(), now)
                .await?;
            match (owner_id, owner_username) {
                (None, None) => turn.t("plan.channel.owner_cleared", &[("name", &escape(&c.name))]),
                (Some(id), username) => {
                    let who = match store.user(id).await? {
                        Some(u) => escape(&short(&u.display_name)),
                        None => username
                            .map(|u| format!("@{}", escape(&u)))
                            .unwrap_or_else(|| id.to_string()),
                    };
                    turn.t(
                        "plan.channel.owner_set",
                        &[("name", &escape(&c.name)), ("owner", &who)],
                    )
                }
                (None, Some(username)) => {
                    let who = format!("@{}", escape(&username));
                    format!(
                        "{} {}",
                        turn.t(
                            "plan.channel.owner_set",
                            &[("name", &escape(&c.name)), ("owner", &who)],
                        ),
                        turn.t(
                            "plan.channel.owner_pending",
                            &[("username", &escape(&username))]
                        )
                    )
                }
            }
        }
        ChannelArgs::Budget { budget, .. } => {
            store.set_channel_budget(c.id, budget, now).await?;
            turn.t(
                "plan.channel.budget_set",
                &[
                    ("name", &escape(&c.name)),
                    ("old", &money(team, c.monthly_budget)),
                    ("new", &money(team, budget)),
                ],
            )
        }
        ChannelArgs::Tier { tier, .. } => {
            let old = tier_of(&c);
            if old == tier {
                return turn
                    .reply(&turn.t(
                        "plan.channel.tier_same",
                        &[("name", &escape(&c.name)), ("tier", &tier_name(turn, tier))],
                    ))
                    .await;
            }
            store.set_channel_tier(c.id, tier.code(), now).await?;
            turn.t(
                "plan.channel.tier_set",
                &[
                    ("name", &escape(&c.name)),
                    ("old", &tier_name(turn, old)),
                    ("new", &tier_name(turn, tier)),
                ],
            )
        }
        ChannelArgs::Remove { .. } => {
            store.remove_channel(c.id, now).await?;
            // Goals are plan, not history: a channel added later under the same name starts clean.
            let cleared = store.clear_channel_goals(chat_id, &c.name).await?;
            let mut head = turn.t("plan.channel.removed", &[("name", &escape(&c.name))]);
            if cleared > 0 {
                head.push(' ');
                head.push_str(&turn.t(
                    "plan.channel.removed_goals",
                    &[("count", &cleared.to_string())],
                ));
            }
            head
        }
    };
    reply_with_check(turn, team, head).await
}

fn exists_text(turn: &Turn, team: &Team, c: &Channel) -> String {
    turn.t(
        "plan.channel.exists",
        &[
            ("name", &escape(&c.name)),
            ("tier", &tier_name(turn, tier_of(c))),
            ("budget", &money(team, c.monthly_budget)),
        ],
    )
}

/// Channels ordered core → test → reserve, the biggest budget first within a tier.
fn by_tier(mut channels: Vec<Channel>) -> Vec<Channel> {
    channels.sort_by(|a, b| {
        (tier_of(a), std::cmp::Reverse(a.monthly_budget), &a.name).cmp(&(
            tier_of(b),
            std::cmp::Reverse(b.monthly_budget),
            &b.name,
        ))
    });
    channels
}

fn totals_line(turn: &Turn, team: &Team, channels: &[Channel]) -> String {
    let totals = TierTotals::of(&channel_plans(channels));
    turn.t(
        "plan.channels.total",
        &[
            ("total", &money(team, totals.total)),
            ("core", &money(team, totals.core)),
            ("test", &money(team, totals.test)),
            ("reserve", &money(team, totals.reserve)),
        ],
    )
}

pub async fn channels(turn: &Turn, _args: &str) -> HandlerResult {
    let Some(team) = turn.require_team().await? else {
        return Ok(());
    };
    let channels = by_tier(live_channels(turn, team.chat_id).await?);
    if channels.is_empty() {
        return turn.reply(&turn.t("plan.channels.none", &[])).await;
    }
    let users = owner_names(turn, &channels).await?;
    let mut lines = vec![turn.t(
        "plan.channels.title",
        &[("count", &channels.len().to_string())],
    )];
    for c in &channels {
        lines.push(turn.t(
            "plan.channels.line",
            &[
                ("name", &escape(&c.name)),
                ("tier", &tier_name(turn, tier_of(c))),
                ("budget", &money(team, c.monthly_budget)),
                ("owner", &owner_label(turn, c, &users)),
            ],
        ));
    }
    lines.push(totals_line(turn, team, &channels));
    lines.push(String::new());
    lines.push(render_check(turn, team, &channels));
    turn.reply(&lines.join("\n")).await
}

// ---------------------------------------------------------------- budget

fn pace_flag(turn: &Turn, status: PaceStatus, over_budget: bool) -> String {
    let mut flag = match status {
        PaceStatus::UnderPace => turn.t("plan.budget.under_pace", &[]),
        PaceStatus::OverPace => turn.t("plan.budget.over_pace", &[]),
        PaceStatus::OnPace => String::new(),
    };
    if over_budget {
        flag.push_str(&turn.t("plan.budget.over_budget", &[]));
    }
    flag
}

pub async fn budget(turn: &Turn, _args: &str) -> HandlerResult {
    let Some(team) = turn.require_team().await? else {
        return Ok(());
    };
    let channels = by_tier(live_channels(turn, team.chat_id).await?);
    let totals = TierTotals::of(&channel_plans(&channels));
    if channels.is_empty() || totals.total <= 0 {
        return turn.reply(&turn.t("plan.budget.none", &[])).await;
    }
    let today = local_date(turn.ctx.now(), turn.tz);
    let (day, days) = (today.day(), days_in_month(today));
    let spend = month_spend_by_channel(turn).await;
    let dash = || crate::domain::money::DASH.to_string();
    let mut lines = vec![turn.t(
        "plan.budget.title",
        &[
            ("month", &today.format("%Y-%m").to_string()),
            ("day", &day.to_string()),
            ("days", &days.to_string()),
        ],
    )];
    for tier in Tier::ALL {
        let in_tier: Vec<&Channel> = channels.iter().filter(|c| tier_of(c) == tier).collect();
        if in_tier.is_empty() {
            continue;
        }
        lines.push(
            turn.t(
                "plan.budget.tier",
                &[
                    ("tier", &tier_name(turn, tier)),
                    ("amount", &money(team, totals.get(tier))),
                    (
                        "share",
                        &share_bp(totals.get(tier), totals.total)
                            .map(format_bp)
                            .unwrap_or_else(dash),
                    ),
                ],
            ),
        );
        for c in in_tier {
            let line = if spend.is_empty() {
                turn.t(
                    "plan.budget.channel",
                    &[
                        ("name", &escape(&c.name)),
                        ("budget", &money(team, c.monthly_budget)),
                    ],
                )
            } else {
                let spent = spend.get(&c.name).copied().unwrap_or(0);
                let p = pacing(spent, c.monthly_budget, day, days);
                turn.t(
                    "plan.budget.channel_spend",
                    &[
                        ("name", &escape(&c.name)),
                        ("budget", &money(team, c.monthly_budget)),
                        ("spent", &money(team, spent)),
                        (
                            "pace",
                            &p.pct_of_linear_plan_bp.map(format_bp).unwrap_or_else(dash),
                        ),
                        ("projected", &money(team, p.projected_month_end)),
                        ("flag", &pace_flag(turn, p.status, p.over_budget)),
                    ],
                )
            };
            lines.push(line);
        }
    }
    lines.push(turn.t(
        "plan.budget.total",
        &[("total", &money(team, totals.total))],
    ));
    if spend.is_empty() {
        lines.push(turn.t("plan.budget.no_spend", &[]));
    } else {
        // Spend on removed channels still counts against the month.
        let spent: i64 = spend.values().fold(0i64, |a, b| a.saturating_add(*b));
        let p = pacing(spent, totals.total, day, days);
        lines.push(turn.t(
            "plan.budget.total_spend",
            &[
                ("spent", &money(team, spent)),
                ("planned", &money(team, p.planned_to_date)),
                (
                    "pace",
                    &p.pct_of_linear_plan_bp.map(format_bp).unwrap_or_else(dash),
                ),
                ("projected", &money(team, p.projected_month_end)),
                ("flag", &pace_flag(turn, p.status, p.over_budget)),
            ],
        ));
    }
    turn.reply(&lines.join("\n")).await
}

// ---------------------------------------------------------------- the whole plan

fn rhythm_lines(turn: &Turn, team: &Team) -> Vec<String> {
    let mut lines = vec![turn.t("plan.plan.rhythm", &[])];
    lines.push(match (team.review_weekday, team.review_minute) {
        (Some(wd), Some(min)) => turn.t(
            "plan.plan.review",
            &[("day", &weekday_name(turn, wd)), ("time", &hhmm(min))],
        ),
        _ => turn.t("plan.plan.review_unset", &[]),
    });
    lines.push(match team.checkin_minute {
        Some(min) => turn.t("plan.plan.checkin", &[("time", &hhmm(min))]),
        None => turn.t("plan.plan.checkin_unset", &[]),
    });
    lines.push(match (team.quiet_start, team.quiet_end) {
        (Some(from), Some(to)) => turn.t(
            "plan.plan.quiet",
            &[("from", &hhmm(from)), ("to", &hhmm(to))],
        ),
        _ => turn.t("plan.plan.quiet_unset", &[]),
    });
    lines
}

fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

pub async fn plan(turn: &Turn, _args: &str) -> HandlerResult {
    let Some(team) = turn.require_team().await? else {
        return Ok(());
    };
    let channels = by_tier(live_channels(turn, team.chat_id).await?);
    let users = owner_names(turn, &channels).await?;
    let goal_lines: Vec<String> = goal_lines(turn, team, true)
        .await?
        .into_iter()
        .map(|(_, l)| l)
        .collect();
    let title = turn.t("plan.plan.title", &[]);
    let check = render_check(turn, team, &channels);
    let rhythm = rhythm_lines(turn, team).join("\n");
    let totals = TierTotals::of(&channel_plans(&channels));
    let channel_lines: Vec<String> = channels
        .iter()
        .map(|c| {
            turn.t(
                "plan.plan.channel_line",
                &[
                    ("name", &escape(&c.name)),
                    ("tier", &tier_name(turn, tier_of(c))),
                    ("budget", &money(team, c.monthly_budget)),
                    ("owner", &owner_label(turn, c, &users)),
                ],
            )
        })
        .collect();
    let channels_head = if channels.is_empty() {
        format!(
            "{}\n{}",
            turn.t("plan.plan.channels", &[("total", &money(team, 0))]),
            turn.t("plan.channels.none", &[])
        )
    } else {
        turn.t(
            "plan.plan.channels",
            &[("total", &money(team, totals.total))],
        )
    };
    let goals_head = turn.t("plan.plan.goals", &[]);
    let build = |goals: &[String], chans: &[String], more_channels: usize| {
        let mut parts = vec![title.clone()];
        let mut g = vec![goals_head.clone()];
        if goals.is_empty() {
            g.push(turn.t("plan.plan.no_goals", &[]));
        } else {
            g.extend(goals.iter().cloned());
        }
        parts.push(g.join("\n"));
        let mut c = vec![channels_head.clone()];
        c.extend(chans.iter().cloned());
        if more_channels > 0 {
            c.push(turn.t(
                "plan.plan.more_channels",
                &[("count", &more_channels.to_string())],
            ));
        }
        parts.push(c.join("\n"));
        parts.push(check.clone());
        parts.push(rhythm.clone());
        parts.join("\n\n")
    };
    // One screen: full goals if they fit, else a pointer to /goals; channels likewise.
    let limit = MAX_TEXT - 96;
    let mut text = build(&goal_lines, &channel_lines, 0);
    if utf16_len(&text) > limit {
        let compact = vec![turn.t(
            "plan.plan.goals_compact",
            &[("count", &goal_lines.len().to_string())],
        )];
        text = build(&compact, &channel_lines, 0);
        let mut shown = channel_lines.len();
        while utf16_len(&text) > limit && shown > 0 {
            shown -= 1;
            text = build(
                &compact,
                &channel_lines[..shown],
                channel_lines.len() - shown,
            );
        }
    }
    turn.reply(&text).await
}

#[cfg(test)]
mod tests {
    use super::hhmm;

    #[test]
    fn minutes_show_as_clock_times() {
        assert_eq!(hhmm(0), "00:00");
        assert_eq!(hhmm(9 * 60 + 5), "09:05");
        assert_eq!(hhmm(23 * 60 + 59), "23:59");
        assert_eq!(hhmm(24 * 60), "00:00");
    }
}
