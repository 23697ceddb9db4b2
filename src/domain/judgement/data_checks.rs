//! Data problems (issue 15): numbers that are missing or cannot be right. They are judged
//! before the funnel, because a lead's first move on them is to check the data, not the
//! detail page. Each check looks at one channel's days (summed per day, the last
//! [`HISTORY_WINDOW`] days up to today) and returns at most one flag.
//!
//! - **Orders stopped**: the channel's last [`STOPPED_MIN_DAYS`] or more reported days have 0
//!   orders while each day's clicks stay within [`CLICKS_NORMAL_FACTOR`]× of their median on
//!   the earlier days, and the channel had orders on those earlier days (at least
//!   [`BASELINE_MIN_DAYS`] of them reported), enough that 0 is no chance: the median orders
//!   a day × the run ≥ [`STOPPED_MIN_EXPECTED`].
//! - **Spend with no impressions**: a day of the last week with spend and 0 impressions.
//! - **An odd day**: a day of the last week whose spend, impressions, clicks, orders or GMV is
//!   [`ODD_FACTOR`]× or more above, or (when not 0) that many times below, the channel's median
//!   over the window (needs [`BASELINE_MIN_DAYS`] reported days, and a median worth judging,
//!   see [`Field::min_median`]): a typo such as 50000 for 5000.
//!   Festival days (`festivals`) are meant to be off the norm and are not checked.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::festivals::{TeamFestival, festival_on};
use crate::domain::bottleneck::{
    ChannelFacts, Flag, FlagKind, Lever, Num, Severity, Subject, WINDOW_DAYS, back, twice_median,
};
use crate::domain::metrics::{MetricValue, Numbers};

/// Days of history a channel's own norm is taken from.
pub const HISTORY_WINDOW: u64 = 28;
/// Orders stopped: at least this many reported days in a row with 0 orders.
pub const STOPPED_MIN_DAYS: usize = 2;
/// Clicks are "in their normal range" within this factor of their median.
pub const CLICKS_NORMAL_FACTOR: i64 = 2;
/// A norm (median) needs at least this many reported days.
pub const BASELINE_MIN_DAYS: usize = 5;
/// A day this many times off the median is odd.
pub const ODD_FACTOR: i64 = 10;
/// Orders stopped needs the usual orders a day × the run to reach this many: two quiet days
/// of a channel selling one order a day are chance, not broken tracking.
pub const STOPPED_MIN_EXPECTED: i64 = 5;

/// A reported number of a check-in, as an odd day names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// Spend (money).
    Spend,
    /// Impressions.
    Impressions,
    /// Clicks.
    Clicks,
    /// Orders.
    Orders,
    /// GMV (money).
    Gmv,
}

impl Field {
    /// Every field, in check-in order.
    pub const ALL: [Field; 5] = [
        Field::Spend,
        Field::Impressions,
        Field::Clicks,
        Field::Orders,
        Field::Gmv,
    ];

    /// Its value in a day's numbers; None when nobody reported it (never judged as 0).
    pub fn read(self, t: &Numbers) -> Option<i64> {
        match self {
            Field::Spend => t.spend,
            Field::Impressions => t.impressions,
            Field::Clicks => t.clicks,
            Field::Orders => t.orders,
            Field::Gmv => t.gmv,
        }
    }

    /// The smallest median a day is judged against: below it, 10× is noise (3 clicks vs 30).
    pub fn min_median(self) -> i64 {
        match self {
            Field::Spend | Field::Gmv => 1_000, // 10.00
            Field::Impressions => 100,
            Field::Clicks => 10,
            Field::Orders => 3,
        }
    }

    /// Its stable code (locale keys).
    pub fn code(self) -> &'static str {
        match self {
            Field::Spend => "spend",
            Field::Impressions => "impressions",
            Field::Clicks => "clicks",
            Field::Orders => "orders",
            Field::Gmv => "gmv",
        }
    }

    /// A value of this field as a flag's number (`twice`: twice the value, for medians).
    fn num(self, twice: i128) -> Num {
        let half = crate::domain::money::round_div(twice, 2)
            .and_then(|v| i64::try_from(v).ok())
            .unwrap_or(i64::MAX);
        match self {
            Field::Spend | Field::Gmv => Num::Money(half),
            _ if twice % 2 == 0 => Num::Count(half),
            _ => Num::Plain(MetricValue { num: twice, den: 2 }),
        }
    }
}

fn flag(c: &ChannelFacts, kind: FlagKind, lever: Lever) -> Flag {
    Flag {
        kind,
        subject: Subject::Channel {
            name: c.name.clone(),
            stage: None,
        },
        actual: None,
        norm: None,
        severity: Severity::High,
        lever,
        too_early: false,
        tasks: Vec::new(),
        also: Vec::new(),
    }
}

/// Every data problem of one channel, given its days.
pub fn check(
    today: NaiveDate,
    c: &ChannelFacts,
    d: Option<&BTreeMap<NaiveDate, Numbers>>,
    festivals: &[TeamFestival],
) -> Vec<Flag> {
    let Some(d) = d else {
        return Vec::new();
    };
    let window: Vec<(NaiveDate, Numbers)> = d
        .range(back(today, HISTORY_WINDOW - 1)..=today)
        .map(|(k, v)| (*k, *v))
        .collect();
    let mut out = Vec::new();
    out.extend(orders_stopped(c, &window));
    out.extend(spend_no_impressions(today, c, &window));
    out.extend(odd_day(today, c, &window, festivals));
    out
}

fn orders_stopped(c: &ChannelFacts, window: &[(NaiveDate, Numbers)]) -> Option<Flag> {
    let run = window
        .iter()
        .rev()
        .take_while(|(_, t)| t.orders == Some(0) && t.clicks.is_some_and(|c| c > 0))
        .count();
    if run < STOPPED_MIN_DAYS {
        return None;
    }
    let before = &window[..window.len() - run];
    if before.len() < BASELINE_MIN_DAYS || !before.iter().any(|(_, t)| t.orders > Some(0)) {
        return None;
    }
    let orders: Vec<i64> = before.iter().filter_map(|(_, t)| t.orders).collect();
    let twice_orders = twice_median(&orders)?;
    let run_i64 = i64::try_from(run).unwrap_or(i64::MAX);
    if i128::from(twice_orders) * i128::from(run_i64) < 2 * i128::from(STOPPED_MIN_EXPECTED) {
        return None; // too few orders usually for 0 to mean anything
    }
    let clicks: Vec<i64> = before.iter().filter_map(|(_, t)| t.clicks).collect();
    let twice = twice_median(&clicks)?;
    if twice <= 0 {
        return None;
    }
    // median / F ≤ clicks ≤ median × F, exactly: 2·F·clicks ≥ twice and 2·clicks ≤ F·twice.
    let normal = |x: i64| {
        let (x, t, f) = (
            i128::from(x),
            i128::from(twice),
            i128::from(CLICKS_NORMAL_FACTOR),
        );
        2 * f * x >= t && 2 * x <= f * t
    };
    if !window[window.len() - run..]
        .iter()
        .all(|(_, t)| t.clicks.is_some_and(normal))
    {
        return None;
    }
    let mut f = flag(c, FlagKind::OrdersStopped, Lever::CheckTracking);
    f.actual = Some(Num::Days(i64::try_from(run).unwrap_or(i64::MAX)));
    f.norm = Some(Field::Clicks.num(i128::from(twice)));
    Some(f)
}

fn spend_no_impressions(
    today: NaiveDate,
    c: &ChannelFacts,
    window: &[(NaiveDate, Numbers)],
) -> Option<Flag> {
    let week_from = back(today, WINDOW_DAYS - 1);
    let (day, t) = window
        .iter()
        .rev()
        .take_while(|(d, _)| *d >= week_from)
        .find(|(_, t)| t.spend.is_some_and(|s| s > 0) && t.impressions == Some(0))?;
    let mut f = flag(
        c,
        FlagKind::SpendNoImpressions { day: *day },
        Lever::CheckNumbers,
    );
    f.actual = t.spend.map(Num::Money);
    Some(f)
}

fn odd_day(
    today: NaiveDate,
    c: &ChannelFacts,
    window: &[(NaiveDate, Numbers)],
    festivals: &[TeamFestival],
) -> Option<Flag> {
    if window.len() < BASELINE_MIN_DAYS {
        return None;
    }
    let week_from = back(today, WINDOW_DAYS - 1);
    for (day, t) in window.iter().rev().take_while(|(d, _)| *d >= week_from) {
        if festival_on(*day, festivals).is_some() {
            continue; // a festival day is meant to be off the norm
        }
        for field in Field::ALL {
            let Some(value) = field.read(t) else {
                continue;
            };
            let values: Vec<i64> = window.iter().filter_map(|(_, t)| field.read(t)).collect();
            if values.len() < BASELINE_MIN_DAYS {
                continue;
            }
            let floor = 2 * field.min_median();
            let Some(twice) = twice_median(&values).filter(|m| *m >= floor) else {
                continue;
            };
            let (v, tw, k) = (i128::from(value), i128::from(twice), i128::from(ODD_FACTOR));
            // v ≥ k·median ⇔ 2v ≥ k·twice; 0 < v ≤ median/k ⇔ 2k·v ≤ twice.
            let high = 2 * v >= k * tw;
            let low = v > 0 && 2 * k * v <= tw;
            if high || low {
                let mut f = flag(
                    c,
                    FlagKind::OddDay { day: *day, field },
                    Lever::CheckNumbers,
                );
                f.actual = Some(field.num(2 * v));
                f.norm = Some(field.num(tw));
                return Some(f);
            }
        }
    }
    None
}
