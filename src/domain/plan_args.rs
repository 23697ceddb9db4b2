//! What `/goal` and `/channel` carry after the command word, parsed into typed plan changes,
//! the pace a volume goal sets (a month's GMV as a week's and a day's), and `/currency`'s symbol.
//!
//! Every error quotes what the user typed so the bot can say exactly what it did not understand.

use chrono::{Datelike, NaiveDate};

use super::metrics::{Better, Metric, MetricKind, MetricValue, parse_goal_target};
use super::money::{
    AmountError, format_hundredths, format_money, format_number, format_percent, format_ratio,
    parse_amount, round_div,
};
use super::playbook::{SlugError, Tier, validate_slug};

// ---------------------------------------------------------------- goals

// One goal model for the whole program (domain::goal); re-exported for the parser's callers.
use super::goal::{Goal, GoalKind, Period, Scope};

/// What `/goal …` asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GoalArgs {
    /// Set (or replace) a goal.
    Set(Goal),
    /// `/goal clear <metric> [#channel]`.
    Clear {
        /// The metric.
        metric: Metric,
        /// The channel, or `None` for the team-wide goal.
        channel: Option<String>,
    },
}

/// Why `/goal …` was not understood; every variant carries what the reply quotes.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GoalArgError {
    /// Nothing after `/goal`.
    #[error("no goal given")]
    Empty,
    /// The first word is not a metric.
    #[error("unknown metric: {input}")]
    UnknownMetric {
        /// What the user typed.
        input: String,
    },
    /// A metric but no target.
    #[error("no target for {metric:?}")]
    MissingValue {
        /// The metric.
        metric: Metric,
    },
    /// The target is not a number of the metric's kind.
    #[error("bad target for {metric:?}: {error}")]
    BadValue {
        /// The metric.
        metric: Metric,
        /// Why (quotes the input).
        error: AmountError,
    },
    /// `>=` for an at-most metric, or `<=` for an at-least one.
    #[error("{metric:?} goals go the other way")]
    WrongDirection {
        /// The metric.
        metric: Metric,
        /// The operator as typed.
        op: String,
    },
    /// A period (`month`) on a rate goal, which holds at all times.
    #[error("rate goals have no period: {input}")]
    PeriodOnRate {
        /// The metric.
        metric: Metric,
        /// The period word as typed.
        input: String,
    },
    /// A target of zero sets nothing.
    #[error("a goal of zero for {metric:?}")]
    Zero {
        /// The metric.
        metric: Metric,
    },
    /// A `#channel` that is not a valid slug.
    #[error("bad channel: {0}")]
    BadChannel(SlugError),
    /// A word the grammar has no place for.
    #[error("unexpected: {input}")]
    Unexpected {
        /// What the user typed.
        input: String,
    },
}

/// A comparison operator as typed: `>=`, `≥`, `>`, `至少` mean at least; `<=`, `≤`, `<`, `最多` at most.
fn parse_op(s: &str) -> Option<Better> {
    match s {
        ">=" | "=>" | ">" | "≥" | "at_least" | "min" | "至少" | "不低于" | "不少于"
        | "大于等于" => Some(Better::Higher),
        "<=" | "=<" | "<" | "≤" | "at_most" | "max" | "最多" | "至多" | "不高于" | "不超过"
        | "小于等于" => Some(Better::Lower),
        _ => None,
    }
}

fn is_op_char(c: char) -> bool {
    matches!(c, '<' | '>' | '=' | '≥' | '≤')
}

/// Splits on whitespace and around operator runs, so `ctr>=2.5%` reads like `ctr >= 2.5%`.
fn tokenize(s: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    for word in s.split_whitespace() {
        let word: String = word
            .chars()
            .map(|c| match c {
                '＞' => '>',
                '＜' => '<',
                '＝' => '=',
                c => c,
            })
            .collect();
        let mut current = String::new();
        let mut current_is_op = false;
        for c in word.chars() {
            let op = is_op_char(c);
            if !current.is_empty() && op != current_is_op {
                tokens.push(std::mem::take(&mut current));
            }
            current_is_op = op;
            current.push(c);
        }
        if !current.is_empty() {
            tokens.push(current);
        }
    }
    tokens
}

fn is_channel_token(t: &str) -> bool {
    t.starts_with('#') || t.starts_with('＃')
}

/// Words that may sit between a target and its period: `50万 per month`, `50万/月`.
fn is_filler(t: &str) -> bool {
    matches!(
        t.to_lowercase().as_str(),
        "per" | "a" | "an" | "each" | "every" | "/" | "每" | "for" | "in"
    )
}

fn parse_channel(t: &str) -> Result<String, GoalArgError> {
    validate_slug(t).map_err(GoalArgError::BadChannel)
}

/// Parses what follows `/goal`: `gmv 50万 month #xhs`, `ctr >= 2.5% #xhs`, `clear ctr #xhs`.
/// A rate goal without an operator takes the metric's natural direction (`ctr 2%` = at least 2%).
pub fn parse_goal_args(input: &str) -> Result<GoalArgs, GoalArgError> {
    let tokens = tokenize(input);
    let Some(first) = tokens.first() else {
        return Err(GoalArgError::Empty);
    };
    if matches!(
        first.to_lowercase().as_str(),
        "clear" | "remove" | "delete" | "del" | "rm" | "清除" | "删除" | "取消" | "清空"
    ) {
        let Some(m) = tokens.get(1) else {
            return Err(GoalArgError::Empty);
        };
        let metric =
            Metric::parse(m).ok_or_else(|| GoalArgError::UnknownMetric { input: m.clone() })?;
        let mut channel = None;
        for t in &tokens[2..] {
            if is_channel_token(t) && channel.is_none() {
                channel = Some(parse_channel(t)?);
            } else {
                return Err(GoalArgError::Unexpected { input: t.clone() });
            }
        }
        return Ok(GoalArgs::Clear { metric, channel });
    }
    let metric = Metric::parse(first).ok_or_else(|| GoalArgError::UnknownMetric {
        input: first.clone(),
    })?;
    let mut op: Option<(Better, String)> = None;
    let mut value: Option<&str> = None;
    let mut period: Option<(Period, String)> = None;
    let mut channel: Option<String> = None;
    for t in &tokens[1..] {
        if let Some(b) = parse_op(t).filter(|_| op.is_none() && value.is_none()) {
            op = Some((b, t.clone()));
        } else if t == "=" && value.is_none() {
            // `/goal ctr = 2%`: the metric's own direction.
        } else if is_channel_token(t) && channel.is_none() {
            channel = Some(parse_channel(t)?);
        } else if let Some(p) = Period::parse(t).filter(|_| period.is_none()) {
            period = Some((p, t.clone()));
        } else if value.is_some() && period.is_none() && is_filler(t) {
            // `per month`
        } else if value.is_none() {
            value = Some(t);
        } else {
            return Err(GoalArgError::Unexpected { input: t.clone() });
        }
    }
    let natural = metric.better();
    if let Some((b, typed)) = &op
        && *b != natural
    {
        return Err(GoalArgError::WrongDirection {
            metric,
            op: typed.clone(),
        });
    }
    let kind = if metric.is_volume() {
        GoalKind::Volume(period.map_or(Period::Month, |(p, _)| p))
    } else {
        if let Some((_, typed)) = period {
            return Err(GoalArgError::PeriodOnRate {
                metric,
                input: typed,
            });
        }
        match natural {
            Better::Higher => GoalKind::AtLeast,
            Better::Lower => GoalKind::AtMost,
        }
    };
    let Some(raw) = value else {
        return Err(GoalArgError::MissingValue { metric });
    };
    let value =
        parse_goal_target(metric, raw).map_err(|error| GoalArgError::BadValue { metric, error })?;
    if value == 0 {
        return Err(GoalArgError::Zero { metric });
    }
    Ok(GoalArgs::Set(Goal {
        scope: Scope::from_channel(channel),
        metric,
        kind,
        target: value,
    }))
}

// ---------------------------------------------------------------- channels

/// Which `/channel` sub-command, for usage texts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChannelAction {
    /// `add <name> <tier> <budget>`.
    Add,
    /// `owner <name> @user`.
    Owner,
    /// `budget <name> <amount>`.
    Budget,
    /// `tier <name> <tier>`.
    Tier,
    /// `remove <name>`.
    Remove,
}

impl ChannelAction {
    /// Parses the sub-command word in English or Chinese.
    pub fn parse(s: &str) -> Option<ChannelAction> {
        match s.trim().to_lowercase().as_str() {
            "add" | "new" | "create" | "添加" | "新增" | "增加" | "加" => {
                Some(ChannelAction::Add)
            }
            "owner" | "own" | "assign" | "负责人" | "负责" | "归属" => {
                Some(ChannelAction::Owner)
            }
            "budget" | "预算" => Some(ChannelAction::Budget),
            "tier" | "level" | "层级" | "分层" | "类型" | "级别" => {
                Some(ChannelAction::Tier)
            }
            "remove" | "delete" | "del" | "rm" | "删除" | "移除" | "去掉" => {
                Some(ChannelAction::Remove)
            }
            _ => None,
        }
    }

    /// The English sub-command word (for locale keys).
    pub fn code(self) -> &'static str {
        match self {
            ChannelAction::Add => "add",
            ChannelAction::Owner => "owner",
            ChannelAction::Budget => "budget",
            ChannelAction::Tier => "tier",
            ChannelAction::Remove => "remove",
        }
    }
}

/// Who `/channel owner` names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OwnerArg {
    /// `@username`, without the `@`.
    Username(String),
    /// `me` / `我`: the speaker.
    Me,
    /// `none` / `无`: nobody.
    Nobody,
    /// Anything else: a text mention (a user without a username) if the message carries one.
    Text(String),
}

/// What `/channel …` asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChannelArgs {
    /// No sub-command (or `list`): show the channels.
    List,
    /// Add a channel.
    Add {
        /// The slug.
        name: String,
        /// Its tier.
        tier: Tier,
        /// Monthly budget, minor units.
        budget: i64,
    },
    /// Set who owns a channel.
    Owner {
        /// The slug.
        name: String,
        /// The owner.
        owner: OwnerArg,
    },
    /// Set a channel's monthly budget.
    Budget {
        /// The slug.
        name: String,
        /// Monthly budget, minor units.
        budget: i64,
    },
    /// Move a channel to another tier.
    Tier {
        /// The slug.
        name: String,
        /// The new tier.
        tier: Tier,
    },
    /// Remove a channel (its history stays).
    Remove {
        /// The slug.
        name: String,
    },
}

/// Why `/channel …` was not understood.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChannelArgError {
    /// The sub-command is not one of add/owner/budget/tier/remove.
    #[error("unknown action: {input}")]
    UnknownAction {
        /// What the user typed.
        input: String,
    },
    /// A sub-command without a channel name.
    #[error("no channel name")]
    MissingName {
        /// The sub-command.
        action: ChannelAction,
    },
    /// The name is not a valid slug.
    #[error("bad channel name: {error}")]
    BadName {
        /// The sub-command.
        action: ChannelAction,
        /// Why (quotes the input, may suggest a slug).
        error: SlugError,
    },
    /// No tier given.
    #[error("no tier")]
    MissingTier {
        /// The sub-command.
        action: ChannelAction,
    },
    /// Not core/test/reserve.
    #[error("unknown tier: {input}")]
    BadTier {
        /// The sub-command.
        action: ChannelAction,
        /// What the user typed.
        input: String,
    },
    /// No budget given.
    #[error("no budget")]
    MissingBudget {
        /// The sub-command.
        action: ChannelAction,
    },
    /// The budget is not an amount.
    #[error("bad budget: {error}")]
    BadBudget {
        /// The sub-command.
        action: ChannelAction,
        /// Why (quotes the input).
        error: AmountError,
    },
    /// No owner given.
    #[error("no owner")]
    MissingOwner,
    /// A word the grammar has no place for.
    #[error("unexpected: {input}")]
    Unexpected {
        /// The sub-command.
        action: ChannelAction,
        /// What the user typed.
        input: String,
    },
}

impl ChannelArgError {
    /// The sub-command the error is about, for the usage line (none for an unknown action).
    pub fn action(&self) -> Option<ChannelAction> {
        match self {
            ChannelArgError::UnknownAction { .. } => None,
            ChannelArgError::MissingOwner => Some(ChannelAction::Owner),
            ChannelArgError::MissingName { action }
            | ChannelArgError::BadName { action, .. }
            | ChannelArgError::MissingTier { action }
            | ChannelArgError::BadTier { action, .. }
            | ChannelArgError::MissingBudget { action }
            | ChannelArgError::BadBudget { action, .. }
            | ChannelArgError::Unexpected { action, .. } => Some(*action),
        }
    }
}

fn no_more(action: ChannelAction, rest: &[&str]) -> Result<(), ChannelArgError> {
    match rest.first() {
        None => Ok(()),
        Some(t) => Err(ChannelArgError::Unexpected {
            action,
            input: (*t).to_string(),
        }),
    }
}

fn budget_arg(action: ChannelAction, t: Option<&&str>) -> Result<i64, ChannelArgError> {
    let t = t.ok_or(ChannelArgError::MissingBudget { action })?;
    parse_amount(t).map_err(|error| ChannelArgError::BadBudget { action, error })
}

/// Parses what follows `/channel`: `add xhs core 30000`, `owner xhs @wang`, `budget xhs 2万`,
/// `tier xhs test`, `remove xhs`; nothing (or `list`) lists the channels.
/// `add` also takes the budget before the tier (`add xhs 30000 core`).
pub fn parse_channel_args(input: &str) -> Result<ChannelArgs, ChannelArgError> {
    let tokens: Vec<&str> = input.split_whitespace().collect();
    let Some(first) = tokens.first() else {
        return Ok(ChannelArgs::List);
    };
    if matches!(
        first.to_lowercase().as_str(),
        "list" | "ls" | "show" | "列表" | "查看"
    ) && tokens.len() == 1
    {
        return Ok(ChannelArgs::List);
    }
    let action = ChannelAction::parse(first).ok_or_else(|| ChannelArgError::UnknownAction {
        input: (*first).to_string(),
    })?;
    let raw_name = tokens
        .get(1)
        .ok_or(ChannelArgError::MissingName { action })?;
    let name =
        validate_slug(raw_name).map_err(|error| ChannelArgError::BadName { action, error })?;
    let rest = &tokens[2..];
    match action {
        ChannelAction::Add => {
            let Some(t0) = rest.first() else {
                return Err(ChannelArgError::MissingTier { action });
            };
            let (tier, budget) = if let Some(tier) = Tier::parse(t0) {
                (tier, budget_arg(action, rest.get(1))?)
            } else if let (Some(tier), Ok(budget)) =
                (rest.get(1).and_then(|t| Tier::parse(t)), parse_amount(t0))
            {
                (tier, budget)
            } else {
                return Err(ChannelArgError::BadTier {
                    action,
                    input: (*t0).to_string(),
                });
            };
            no_more(action, rest.get(2..).unwrap_or_default())?;
            Ok(ChannelArgs::Add { name, tier, budget })
        }
        ChannelAction::Budget => {
            let budget = budget_arg(action, rest.first())?;
            no_more(action, rest.get(1..).unwrap_or_default())?;
            Ok(ChannelArgs::Budget { name, budget })
        }
        ChannelAction::Tier => {
            let t = rest
                .first()
                .ok_or(ChannelArgError::MissingTier { action })?;
            let tier = Tier::parse(t).ok_or_else(|| ChannelArgError::BadTier {
                action,
                input: (*t).to_string(),
            })?;
            no_more(action, rest.get(1..).unwrap_or_default())?;
            Ok(ChannelArgs::Tier { name, tier })
        }
        ChannelAction::Remove => {
            no_more(action, rest)?;
            Ok(ChannelArgs::Remove { name })
        }
        ChannelAction::Owner => {
            let Some(t) = rest.first() else {
                return Err(ChannelArgError::MissingOwner);
            };
            let owner = if let Some(u) = t.strip_prefix('@').or_else(|| t.strip_prefix('＠')) {
                if u.is_empty() {
                    return Err(ChannelArgError::MissingOwner);
                }
                no_more(action, &rest[1..])?;
                OwnerArg::Username(u.to_string())
            } else if rest.len() == 1
                && matches!(t.to_lowercase().as_str(), "me" | "myself" | "我" | "自己")
            {
                OwnerArg::Me
            } else if rest.len() == 1
                && matches!(
                    t.to_lowercase().as_str(),
                    "none" | "nobody" | "-" | "无" | "没有"
                )
            {
                OwnerArg::Nobody
            } else {
                OwnerArg::Text(rest.join(" "))
            };
            Ok(ChannelArgs::Owner { name, owner })
        }
    }
}

// ---------------------------------------------------------------- team settings

/// Reads `/currency`'s argument: a symbol of at most 4 characters, no spaces or control
/// characters (`¥`, `$`, `HK$`, `RMB`). `None` when it is not one.
pub fn parse_currency(input: &str) -> Option<&str> {
    let s = input.trim();
    let ok = !s.is_empty()
        && s.chars().count() <= 4
        && !s.chars().any(|c| c.is_whitespace() || c.is_control());
    ok.then_some(s)
}

// ---------------------------------------------------------------- pace and periods

/// Days in the month of `date`.
pub fn days_in_month(date: NaiveDate) -> u32 {
    let (y, m) = (date.year(), date.month());
    let next = if m == 12 {
        NaiveDate::from_ymd_opt(y + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(y, m + 1, 1)
    };
    match (next, NaiveDate::from_ymd_opt(y, m, 1)) {
        (Some(n), Some(first)) => u32::try_from((n - first).num_days()).unwrap_or(30),
        _ => 31,
    }
}

/// Days in the period that contains `date`: 7, the month's days, or the quarter's.
pub fn days_in_period(period: Period, date: NaiveDate) -> u32 {
    u32::try_from(period.dates(date).len).unwrap_or(31)
}

/// A volume goal spread evenly over its period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pace {
    /// What a week must bring (`None` for a weekly goal: that is the goal itself).
    pub per_week: Option<MetricValue>,
    /// What a day must bring.
    pub per_day: MetricValue,
}

/// The weekly and daily pace of a volume target over a period of `days` days (exact fractions).
pub fn pace(target: i64, period: Period, days: u32) -> Pace {
    let days = i128::from(days.max(1));
    let t = i128::from(target);
    Pace {
        per_week: (period != Period::Week).then_some(MetricValue {
            num: t * 7,
            den: days,
        }),
        per_day: MetricValue { num: t, den: days },
    }
}

// ---------------------------------------------------------------- formatting

/// A value in the metric's unit for plan replies: rates `2.50%`, ROI `3.00`, every money
/// metric with the currency (`¥0.80`, `¥500,000.00`), counts `1,200`. `—` if undefined.
pub fn format_value(metric: Metric, v: &MetricValue, currency: &str) -> String {
    match metric.kind() {
        MetricKind::Money => match round_div(v.num, v.den).map(i64::try_from) {
            Some(Ok(minor)) => format_money(minor, currency),
            Some(Err(_)) => match round_div(v.num, v.den) {
                Some(h) => format!("{currency}{}", format_hundredths(h)),
                None => super::money::DASH.to_string(),
            },
            None => super::money::DASH.to_string(),
        },
        MetricKind::Rate => format_percent(v.num, v.den),
        MetricKind::Ratio => format_ratio(v.num, v.den),
        MetricKind::Count => match round_div(v.num, v.den).map(i64::try_from) {
            Some(Ok(n)) => format_number(n),
            _ => super::money::DASH.to_string(),
        },
    }
}

/// A goal's stored target as a fraction in the metric's natural unit (rates: micros / 10^6).
pub fn target_value(metric: Metric, target: i64) -> MetricValue {
    match metric.kind() {
        MetricKind::Rate | MetricKind::Ratio => MetricValue {
            num: i128::from(target),
            den: i128::from(super::money::Rate::ONE),
        },
        MetricKind::Money | MetricKind::Count => MetricValue::whole(i128::from(target)),
    }
}

/// A goal's stored target formatted (`2.50%`, `¥500,000.00`, `3.00`, `1,200`).
pub fn format_target(metric: Metric, target: i64, currency: &str) -> String {
    format_value(metric, &target_value(metric, target), currency)
}

/// A basis-point range as the playbook states it: `60–70%` (two decimals only when needed).
pub fn format_bp_range(min_bp: i64, max_bp: i64) -> String {
    let one = |bp: i64| {
        if bp % 100 == 0 {
            (bp / 100).to_string()
        } else {
            format_hundredths(i128::from(bp))
        }
    };
    format!("{}–{}%", one(min_bp), one(max_bp))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn set(metric: Metric, kind: GoalKind, value: i64, channel: Option<&str>) -> GoalArgs {
        GoalArgs::Set(Goal {
            scope: Scope::from_channel(channel.map(str::to_string)),
            metric,
            kind,
            target: value,
        })
    }

    #[test]
    fn goal_grammar_table() {
        use GoalKind::*;
        use Metric::*;
        let month = Volume(Period::Month);
        let cases: Vec<(&str, GoalArgs)> = vec![
            ("ctr >= 2.5% #xhs", set(Ctr, AtLeast, 25_000, Some("xhs"))),
            ("ctr>=2.5% #xhs", set(Ctr, AtLeast, 25_000, Some("xhs"))),
            ("ctr ≥ 2.5%", set(Ctr, AtLeast, 25_000, None)),
            ("ctr ＞＝ 2.5％", set(Ctr, AtLeast, 25_000, None)),
            ("ctr 2%", set(Ctr, AtLeast, 20_000, None)),
            ("ctr 3", set(Ctr, AtLeast, 30_000, None)),
            ("点击率 >= 2%", set(Ctr, AtLeast, 20_000, None)),
            ("ctr 至少 2%", set(Ctr, AtLeast, 20_000, None)),
            (
                "cvr >= 1.5% #taobao",
                set(Cvr, AtLeast, 15_000, Some("taobao")),
            ),
            ("roi >= 3", set(Roi, AtLeast, 3_000_000, None)),
            ("roi >= 300%", set(Roi, AtLeast, 3_000_000, None)),
            ("投产比 >= 2.5", set(Roi, AtLeast, 2_500_000, None)),
            ("aov >= 120", set(Aov, AtLeast, 12_000, None)),
            ("interaction >= 5%", set(Interaction, AtLeast, 50_000, None)),
            ("cpc <= 0.8", set(Cpc, AtMost, 80, None)),
            ("cpc <= ¥0.80 #douyin", set(Cpc, AtMost, 80, Some("douyin"))),
            ("cpm <= 30", set(Cpm, AtMost, 3_000, None)),
            ("cac <= 50", set(Cac, AtMost, 5_000, None)),
            ("获客成本 <= 50", set(Cac, AtMost, 5_000, None)),
            ("cac 最多 50", set(Cac, AtMost, 5_000, None)),
            ("cac = 50", set(Cac, AtMost, 5_000, None)),
            ("gmv 50万 month", set(Gmv, month, 50_000_000, None)),
            ("gmv 50万", set(Gmv, month, 50_000_000, None)),
            ("gmv 500,000 per month", set(Gmv, month, 50_000_000, None)),
            ("gmv >= 50万 月", set(Gmv, month, 50_000_000, None)),
            ("成交额 50万 每月", set(Gmv, month, 50_000_000, None)),
            (
                "gmv ¥1.2w week #xhs",
                set(Gmv, Volume(Period::Week), 1_200_000, Some("xhs")),
            ),
            (
                "gmv #xhs 3千 week",
                set(Gmv, Volume(Period::Week), 300_000, Some("xhs")),
            ),
            (
                "gmv 1.2k quarter",
                set(Gmv, Volume(Period::Quarter), 120_000, None),
            ),
            (
                "gmv 200万 季度",
                set(Gmv, Volume(Period::Quarter), 200_000_000, None),
            ),
            ("orders 1,500 month", set(Orders, month, 1_500, None)),
            ("orders 1.5k", set(Orders, month, 1_500, None)),
            ("订单 300 周", set(Orders, Volume(Period::Week), 300, None)),
            ("new 200", set(New, month, 200, None)),
            ("新客 200 month", set(New, month, 200, None)),
            ("spend 10万 month", set(Spend, month, 10_000_000, None)),
            (
                "花费 3千 周 #jd",
                set(Spend, Volume(Period::Week), 300_000, Some("jd")),
            ),
            ("GMV 50W MONTH", set(Gmv, month, 50_000_000, None)),
            (
                "clear ctr",
                GoalArgs::Clear {
                    metric: Ctr,
                    channel: None,
                },
            ),
            (
                "clear ctr #xhs",
                GoalArgs::Clear {
                    metric: Ctr,
                    channel: Some("xhs".into()),
                },
            ),
            (
                "清除 成交额",
                GoalArgs::Clear {
                    metric: Gmv,
                    channel: None,
                },
            ),
        ];
        for (input, want) in cases {
            assert_eq!(parse_goal_args(input), Ok(want), "input {input:?}");
        }
    }

    #[test]
    fn goal_errors_quote_the_input() {
        use GoalArgError::*;
        let cases: Vec<(&str, GoalArgError)> = vec![
            ("", Empty),
            ("   ", Empty),
            ("clear", Empty),
            (
                "foo 3",
                UnknownMetric {
                    input: "foo".into(),
                },
            ),
            (
                "clear foo",
                UnknownMetric {
                    input: "foo".into(),
                },
            ),
            (
                "gmv",
                MissingValue {
                    metric: Metric::Gmv,
                },
            ),
            (
                "gmv month",
                MissingValue {
                    metric: Metric::Gmv,
                },
            ),
            (
                "ctr >=",
                MissingValue {
                    metric: Metric::Ctr,
                },
            ),
            (
                "gmv abc",
                BadValue {
                    metric: Metric::Gmv,
                    error: AmountError::Invalid {
                        input: "abc".into(),
                    },
                },
            ),
            (
                "gmv -5",
                BadValue {
                    metric: Metric::Gmv,
                    error: AmountError::Negative { input: "-5".into() },
                },
            ),
            (
                "orders 1.5",
                BadValue {
                    metric: Metric::Orders,
                    error: AmountError::NotInteger {
                        input: "1.5".into(),
                    },
                },
            ),
            (
                "ctr >= abc%",
                BadValue {
                    metric: Metric::Ctr,
                    error: AmountError::Invalid {
                        input: "abc%".into(),
                    },
                },
            ),
            (
                "ctr <= 2%",
                WrongDirection {
                    metric: Metric::Ctr,
                    op: "<=".into(),
                },
            ),
            (
                "roi < 3",
                WrongDirection {
                    metric: Metric::Roi,
                    op: "<".into(),
                },
            ),
            (
                "cpc >= 1",
                WrongDirection {
                    metric: Metric::Cpc,
                    op: ">=".into(),
                },
            ),
            (
                "cac 至少 50",
                WrongDirection {
                    metric: Metric::Cac,
                    op: "至少".into(),
                },
            ),
            (
                "gmv <= 50万",
                WrongDirection {
                    metric: Metric::Gmv,
                    op: "<=".into(),
                },
            ),
            (
                "ctr >= 2% month",
                PeriodOnRate {
                    metric: Metric::Ctr,
                    input: "month".into(),
                },
            ),
            (
                "gmv 0",
                Zero {
                    metric: Metric::Gmv,
                },
            ),
            (
                "ctr >= 0%",
                Zero {
                    metric: Metric::Ctr,
                },
            ),
            (
                "gmv 50万 month year",
                Unexpected {
                    input: "year".into(),
                },
            ),
            (
                "gmv 50万 week month",
                Unexpected {
                    input: "month".into(),
                },
            ),
            (
                "gmv 50万 #xhs #jd",
                Unexpected {
                    input: "#jd".into(),
                },
            ),
            (
                "clear ctr now",
                Unexpected {
                    input: "now".into(),
                },
            ),
        ];
        for (input, want) in cases {
            assert_eq!(parse_goal_args(input), Err(want), "input {input:?}");
        }
        assert_eq!(
            ChannelArgError::BadTier {
                action: ChannelAction::Tier,
                input: "x".into()
            }
            .action(),
            Some(ChannelAction::Tier)
        );
        assert_eq!(
            ChannelArgError::UnknownAction { input: "x".into() }.action(),
            None
        );
        // A Chinese channel name is a name (issue 16); punctuation in one is not.
        assert!(matches!(
            parse_goal_args("ctr >= 2% #小红书"),
            Ok(GoalArgs::Set(_))
        ));
        assert!(matches!(
            parse_goal_args("ctr >= 2% #小红书!"),
            Err(BadChannel(SlugError::Invalid { suggestion: Some(s), .. })) if s == "小红书"
        ));
    }

    #[test]
    fn goal_kind_codes_round_trip() {
        for kind in [
            GoalKind::AtLeast,
            GoalKind::AtMost,
            GoalKind::Volume(Period::Week),
            GoalKind::Volume(Period::Month),
            GoalKind::Volume(Period::Quarter),
        ] {
            assert_eq!(
                GoalKind::from_codes(kind.direction_code(), kind.period_code()),
                Some(kind)
            );
        }
        assert_eq!(GoalKind::from_codes("volume", ""), None);
        assert_eq!(GoalKind::from_codes("sideways", ""), None);
        for p in Period::ALL {
            assert_eq!(Period::parse(p.code()), Some(p));
        }
    }

    #[test]
    fn channel_grammar_table() {
        use ChannelArgs as C;
        let cases: Vec<(&str, ChannelArgs)> = vec![
            ("", C::List),
            ("list", C::List),
            ("列表", C::List),
            (
                "add xhs core 30000",
                C::Add {
                    name: "xhs".into(),
                    tier: Tier::Core,
                    budget: 3_000_000,
                },
            ),
            (
                "add #Taobao test 1.2万",
                C::Add {
                    name: "taobao".into(),
                    tier: Tier::Test,
                    budget: 1_200_000,
                },
            ),
            (
                "add jd reserve ¥1,200.50",
                C::Add {
                    name: "jd".into(),
                    tier: Tier::Reserve,
                    budget: 120_050,
                },
            ),
            (
                "add douyin 3w core",
                C::Add {
                    name: "douyin".into(),
                    tier: Tier::Core,
                    budget: 3_000_000,
                },
            ),
            (
                "添加 xhs 核心 3千",
                C::Add {
                    name: "xhs".into(),
                    tier: Tier::Core,
                    budget: 300_000,
                },
            ),
            (
                "add wechat 储备 0",
                C::Add {
                    name: "wechat".into(),
                    tier: Tier::Reserve,
                    budget: 0,
                },
            ),
            (
                "add pdd 测试 1.2k",
                C::Add {
                    name: "pdd".into(),
                    tier: Tier::Test,
                    budget: 120_000,
                },
            ),
            (
                "owner xhs @wang",
                C::Owner {
                    name: "xhs".into(),
                    owner: OwnerArg::Username("wang".into()),
                },
            ),
            (
                "负责人 xhs @Wang_1",
                C::Owner {
                    name: "xhs".into(),
                    owner: OwnerArg::Username("Wang_1".into()),
                },
            ),
            (
                "owner xhs me",
                C::Owner {
                    name: "xhs".into(),
                    owner: OwnerArg::Me,
                },
            ),
            (
                "owner xhs 无",
                C::Owner {
                    name: "xhs".into(),
                    owner: OwnerArg::Nobody,
                },
            ),
            (
                "owner xhs Bob Builder",
                C::Owner {
                    name: "xhs".into(),
                    owner: OwnerArg::Text("Bob Builder".into()),
                },
            ),
            (
                "budget xhs 2万",
                C::Budget {
                    name: "xhs".into(),
                    budget: 2_000_000,
                },
            ),
            (
                "预算 xhs 20000",
                C::Budget {
                    name: "xhs".into(),
                    budget: 2_000_000,
                },
            ),
            (
                "tier xhs test",
                C::Tier {
                    name: "xhs".into(),
                    tier: Tier::Test,
                },
            ),
            ("remove xhs", C::Remove { name: "xhs".into() }),
            ("删除 #xhs", C::Remove { name: "xhs".into() }),
        ];
        for (input, want) in cases {
            assert_eq!(parse_channel_args(input), Ok(want), "input {input:?}");
        }
    }

    #[test]
    fn channel_errors_quote_the_input() {
        use ChannelAction as A;
        use ChannelArgError::*;
        let cases: Vec<(&str, ChannelArgError)> = vec![
            (
                "frobnicate xhs",
                UnknownAction {
                    input: "frobnicate".into(),
                },
            ),
            ("add", MissingName { action: A::Add }),
            (
                "add 淘宝-旗舰店 core 1000",
                BadName {
                    action: A::Add,
                    error: SlugError::Invalid {
                        input: "淘宝-旗舰店".into(),
                        suggestion: Some("淘宝_旗舰店".into()),
                    },
                },
            ),
            ("add xhs", MissingTier { action: A::Add }),
            (
                "add xhs gold 1000",
                BadTier {
                    action: A::Add,
                    input: "gold".into(),
                },
            ),
            (
                "add xhs 1000 gold",
                BadTier {
                    action: A::Add,
                    input: "1000".into(),
                },
            ),
            ("add xhs core", MissingBudget { action: A::Add }),
            (
                "add xhs core lots",
                BadBudget {
                    action: A::Add,
                    error: AmountError::Invalid {
                        input: "lots".into(),
                    },
                },
            ),
            (
                "add xhs core -5",
                BadBudget {
                    action: A::Add,
                    error: AmountError::Negative { input: "-5".into() },
                },
            ),
            (
                "add xhs core 1000 extra",
                Unexpected {
                    action: A::Add,
                    input: "extra".into(),
                },
            ),
            ("budget xhs", MissingBudget { action: A::Budget }),
            ("budget", MissingName { action: A::Budget }),
            ("tier xhs", MissingTier { action: A::Tier }),
            (
                "tier xhs gold",
                BadTier {
                    action: A::Tier,
                    input: "gold".into(),
                },
            ),
            (
                "remove xhs now",
                Unexpected {
                    action: A::Remove,
                    input: "now".into(),
                },
            ),
            ("owner xhs", MissingOwner),
            ("owner xhs @", MissingOwner),
            (
                "owner xhs @wang @bob",
                Unexpected {
                    action: A::Owner,
                    input: "@bob".into(),
                },
            ),
        ];
        for (input, want) in cases {
            assert_eq!(parse_channel_args(input), Err(want), "input {input:?}");
        }
    }

    #[test]
    fn month_goal_pace() {
        let nov = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap_or_default();
        assert_eq!(days_in_month(nov), 30);
        let p = pace(50_000_000, Period::Month, days_in_month(nov));
        let week = p.per_week.unwrap_or(MetricValue::whole(0));
        assert_eq!(format_value(Metric::Gmv, &week, "¥"), "¥116,666.67");
        assert_eq!(format_value(Metric::Gmv, &p.per_day, "¥"), "¥16,666.67");
        let p = pace(1_000, Period::Month, 31);
        assert_eq!(format_value(Metric::Orders, &p.per_day, "¥"), "32");
        let p = pace(700, Period::Week, 7);
        assert_eq!(p.per_week, None);
        assert_eq!(format_value(Metric::Orders, &p.per_day, "¥"), "100");
        let p = pace(9_000, Period::Quarter, 90);
        assert_eq!(format_value(Metric::New, &p.per_day, "¥"), "100");
        assert_eq!(
            p.per_week.map(|w| format_value(Metric::New, &w, "¥")),
            Some("700".to_string())
        );
    }

    #[test]
    fn period_lengths() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default();
        let cases: &[(NaiveDate, Period, u32)] = &[
            (d(2026, 2, 10), Period::Month, 28),
            (d(2028, 2, 10), Period::Month, 29),
            (d(2026, 12, 31), Period::Month, 31),
            (d(2026, 4, 1), Period::Month, 30),
            (d(2026, 1, 5), Period::Quarter, 90),
            (d(2028, 2, 5), Period::Quarter, 91),
            (d(2026, 5, 5), Period::Quarter, 91),
            (d(2026, 8, 5), Period::Quarter, 92),
            (d(2026, 11, 2), Period::Quarter, 92),
            (d(2026, 11, 2), Period::Week, 7),
        ];
        for &(date, period, want) in cases {
            assert_eq!(days_in_period(period, date), want, "{date} {period:?}");
        }
    }

    #[test]
    fn target_formatting() {
        let cases: &[(Metric, i64, &str)] = &[
            (Metric::Ctr, 25_000, "2.50%"),
            (Metric::Interaction, 50_000, "5.00%"),
            (Metric::Roi, 3_000_000, "3.00"),
            (Metric::Cpc, 80, "¥0.80"),
            (Metric::Aov, 12_000, "¥120.00"),
            (Metric::Gmv, 50_000_000, "¥500,000.00"),
            (Metric::Orders, 1_500, "1,500"),
        ];
        for &(m, v, want) in cases {
            assert_eq!(format_target(m, v, "¥"), want, "{m:?}");
        }
        assert_eq!(format_bp_range(6000, 7000), "60–70%");
        assert_eq!(format_bp_range(1000, 2000), "10–20%");
        assert_eq!(format_bp_range(1050, 2000), "10.50–20%");
    }

    proptest! {
        #[test]
        fn goal_parsing_never_panics(s in ".{0,40}") {
            let _ = parse_goal_args(&s);
        }

        #[test]
        fn channel_parsing_never_panics(s in ".{0,40}") {
            let _ = parse_channel_args(&s);
        }

        #[test]
        fn parsed_goals_are_positive_and_well_formed(
            m in prop::sample::select(Metric::ALL.to_vec()),
            v in 1i64..100_000_000,
            ch in proptest::option::of("[a-z]{1,8}"),
        ) {
            // A formatted target parses back to itself (money and counts via their own forms).
            let text = match m.kind() {
                MetricKind::Money => crate::domain::money::format_money_plain(v),
                MetricKind::Count => v.to_string(),
                MetricKind::Rate => format!("{}%", format_hundredths(i128::from(v))),
                MetricKind::Ratio => format_hundredths(i128::from(v)),
            };
            let op = if m.is_volume() { "" } else if m.better() == Better::Higher { ">=" } else { "<=" };
            let chan = ch.as_deref().map(|c| format!(" #{c}")).unwrap_or_default();
            let input = format!("{} {op} {text}{chan}", m.code());
            match parse_goal_args(&input) {
                Ok(GoalArgs::Set(spec)) => {
                    prop_assert_eq!(spec.metric, m);
                    prop_assert!(spec.target > 0);
                    prop_assert_eq!(spec.channel(), ch.as_deref());
                    let want = match m.kind() {
                        MetricKind::Rate => v * 100,
                        MetricKind::Ratio => v * 10_000,
                        _ => v,
                    };
                    prop_assert_eq!(spec.target, want);
                }
                other => prop_assert!(false, "{input:?} gave {other:?}"),
            }
        }

        #[test]
        fn channel_add_round_trips(
            name in "[a-z][a-z0-9_]{0,19}",
            tier in prop::sample::select(Tier::ALL.to_vec()),
            budget in 0i64..1_000_000_000_000,
        ) {
            let input = format!("add {name} {} {}", tier.code(), crate::domain::money::format_money_plain(budget));
            prop_assert_eq!(
                parse_channel_args(&input),
                Ok(ChannelArgs::Add { name: name.clone(), tier, budget })
            );
        }

        #[test]
        fn pace_times_days_is_the_target(target in 0i64..1_000_000_000_000, days in 1u32..=92) {
            let p = pace(target, Period::Quarter, days);
            prop_assert_eq!(p.per_day.num, i128::from(target));
            prop_assert_eq!(p.per_day.den, i128::from(days));
        }
    }

    #[test]
    fn currency_symbols() {
        for (input, want) in [
            ("¥", Some("¥")),
            (" $ ", Some("$")),
            ("HK$", Some("HK$")),
            ("RMB", Some("RMB")),
            ("EURO€", None),
            ("a b", None),
            ("\u{7}", None),
            ("", None),
        ] {
            assert_eq!(parse_currency(input), want, "{input:?}");
        }
    }
}
