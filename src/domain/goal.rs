//! The one goal model: what a team aims for (a volume in a week, month or quarter, or a rate
//! to stay above or below), for the whole team or one channel, and how far it has come.
//! Storage decodes goal rows into [`Goal`] once; `/goal`'s parser produces one; `/goals`,
//! `/plan`, `/metrics`, the check-in marks and the weekly summary all read progress from
//! [`Goal::progress`], so they cannot disagree.

use chrono::{Datelike, Days, Months, NaiveDate};

use super::metrics::{Better, GoalThreshold, Metric, MetricValue, Totals, meets};
use super::money::scaled_round;

// ---------------------------------------------------------------- periods

/// The period a volume goal covers (weeks start on Monday).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    /// Per calendar week.
    Week,
    /// Per calendar month (the default).
    Month,
    /// Per calendar quarter.
    Quarter,
}

/// One concrete period: its first day and its length in days.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeriodDates {
    /// The first day.
    pub start: NaiveDate,
    /// Days in the whole period (7, 28–31, 90–92).
    pub len: i64,
}

impl PeriodDates {
    /// Days from the start up to and including `today` (at least 1).
    pub fn elapsed(&self, today: NaiveDate) -> i64 {
        ((today - self.start).num_days() + 1).max(1)
    }
}

impl Period {
    /// Every period, shortest first.
    pub const ALL: [Period; 3] = [Period::Week, Period::Month, Period::Quarter];

    /// Parses `week|month|quarter` (also `weekly`, `/mo`, `周`, `每月`, `季度`…), case-insensitive.
    pub fn parse(s: &str) -> Option<Period> {
        match s.trim().to_lowercase().as_str() {
            "week" | "weekly" | "wk" | "w" | "周" | "每周" | "一周" | "本周" | "週" => {
                Some(Period::Week)
            }
            "month" | "monthly" | "mo" | "m" | "月" | "每月" | "一个月" | "本月" | "月度" => {
                Some(Period::Month)
            }
            "quarter" | "quarterly" | "q" | "季" | "季度" | "每季" | "每季度" | "本季度" => {
                Some(Period::Quarter)
            }
            _ => None,
        }
    }

    /// Reads a stored code back (exactly `week`, `month`, `quarter`).
    pub fn from_code(s: &str) -> Option<Period> {
        Period::ALL.into_iter().find(|p| p.code() == s)
    }

    /// The stored code: `week`, `month`, `quarter`.
    pub fn code(self) -> &'static str {
        match self {
            Period::Week => "week",
            Period::Month => "month",
            Period::Quarter => "quarter",
        }
    }

    /// The period containing `day`: computed here and nowhere else.
    pub fn dates(self, day: NaiveDate) -> PeriodDates {
        let start = match self {
            Period::Week => day
                .checked_sub_days(Days::new(u64::from(day.weekday().num_days_from_monday())))
                .unwrap_or(day),
            Period::Month => day.with_day(1).unwrap_or(day),
            Period::Quarter => {
                let m = (day.month0() / 3) * 3 + 1;
                NaiveDate::from_ymd_opt(day.year(), m, 1).unwrap_or(day)
            }
        };
        let next = match self {
            Period::Week => start.checked_add_days(Days::new(7)),
            Period::Month => start.checked_add_months(Months::new(1)),
            Period::Quarter => start.checked_add_months(Months::new(3)),
        };
        let len = next.map_or(1, |n| (n - start).num_days().max(1));
        PeriodDates { start, len }
    }

    /// The first day of the period containing `today`.
    pub fn start(self, today: NaiveDate) -> NaiveDate {
        self.dates(today).start
    }

    /// The first day of the period containing `day`, and the period's length in days.
    pub fn bounds(self, day: NaiveDate) -> (NaiveDate, i64) {
        let d = self.dates(day);
        (d.start, d.len)
    }
}

// ---------------------------------------------------------------- goals

/// Whom a goal is for.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// The whole team (stored as an empty channel).
    Team,
    /// One channel, by slug.
    Channel(String),
}

impl Scope {
    /// From the stored column: `""` is the team.
    pub fn from_stored(channel: &str) -> Scope {
        if channel.is_empty() {
            Scope::Team
        } else {
            Scope::Channel(channel.to_string())
        }
    }

    /// From an optional channel slug (`None` = the team).
    pub fn from_channel(channel: Option<String>) -> Scope {
        channel.map_or(Scope::Team, Scope::Channel)
    }

    /// The stored column: `""` for the team.
    pub fn stored(&self) -> &str {
        match self {
            Scope::Team => "",
            Scope::Channel(c) => c,
        }
    }

    /// The channel, or `None` for the team.
    pub fn channel(&self) -> Option<&str> {
        match self {
            Scope::Team => None,
            Scope::Channel(c) => Some(c),
        }
    }
}

/// What a goal asks for: a volume to reach in a period, or a rate to stay above or below.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GoalKind {
    /// Reach this volume (GMV, orders, new customers, spend) in the period.
    Volume(Period),
    /// The rate must be at least the target (CTR, CVR, ROI, AOV, interaction rate).
    AtLeast,
    /// The rate must be at most the target (CPC, CPM, CAC).
    AtMost,
}

impl GoalKind {
    /// The stored direction: `volume`, `at_least`, `at_most`.
    pub fn direction_code(self) -> &'static str {
        match self {
            GoalKind::Volume(_) => "volume",
            GoalKind::AtLeast => "at_least",
            GoalKind::AtMost => "at_most",
        }
    }

    /// The stored period: the period's code for volumes, `""` for rates.
    pub fn period_code(self) -> &'static str {
        match self {
            GoalKind::Volume(p) => p.code(),
            GoalKind::AtLeast | GoalKind::AtMost => "",
        }
    }

    /// Reads the stored codes back; `None` for anything the bot never writes.
    pub fn from_codes(direction: &str, period: &str) -> Option<GoalKind> {
        match direction {
            "volume" => Period::from_code(period).map(GoalKind::Volume),
            "at_least" => Some(GoalKind::AtLeast),
            "at_most" => Some(GoalKind::AtMost),
            _ => None,
        }
    }

    /// Which way is good: volumes and "at least" goals want more.
    pub fn direction(self) -> Better {
        match self {
            GoalKind::Volume(_) | GoalKind::AtLeast => Better::Higher,
            GoalKind::AtMost => Better::Lower,
        }
    }
}

/// A goal: for whom, which metric, what kind, and the target in the goal unit (minor units
/// for money, a count, or [`super::money::Rate`] micros for rates and ratios).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Goal {
    pub scope: Scope,
    pub metric: Metric,
    pub kind: GoalKind,
    pub target: i64,
}

/// Where a goal stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// A volume so far in its period, and that as basis points of the target (`None` for a
    /// zero target).
    Volume {
        actual: MetricValue,
        bp: Option<i64>,
    },
    /// A rate now, and whether it meets the goal (the boundary counts as met).
    Rate { value: MetricValue, met: bool },
}

impl Goal {
    /// Reads the stored columns; `None` for a metric, direction or period this version does
    /// not know (such a row is skipped rather than guessed at).
    pub fn from_parts(
        metric: &str,
        channel: &str,
        direction: &str,
        period: &str,
        value: i64,
    ) -> Option<Goal> {
        Some(Goal {
            scope: Scope::from_stored(channel),
            metric: Metric::parse(metric)?,
            kind: GoalKind::from_codes(direction, period)?,
            target: value,
        })
    }

    /// The channel, or `None` for a team-wide goal.
    pub fn channel(&self) -> Option<&str> {
        self.scope.channel()
    }

    /// The period of a volume goal; `None` for a rate goal.
    pub fn period(&self) -> Option<Period> {
        match self.kind {
            GoalKind::Volume(p) => Some(p),
            GoalKind::AtLeast | GoalKind::AtMost => None,
        }
    }

    pub fn is_rate(&self) -> bool {
        self.period().is_none()
    }

    /// Which way is good.
    pub fn direction(&self) -> Better {
        self.kind.direction()
    }

    /// Metric, direction and target, for comparing and formatting a value against the goal.
    pub fn threshold(&self) -> GoalThreshold {
        GoalThreshold {
            metric: self.metric,
            direction: self.direction(),
            target: self.target,
        }
    }

    /// Where the goal stands given the numbers of its period (volume goals: the period to
    /// date; rate goals: the span the caller judges). `None` when the numbers it needs are
    /// missing (no new-customer figures, a zero denominator): unknown is not zero.
    pub fn progress(&self, totals: &Totals) -> Option<Progress> {
        let value = totals.value(self.metric)?;
        Some(match self.kind {
            GoalKind::Volume(_) => Progress::Volume {
                actual: value,
                bp: value
                    .den
                    .checked_mul(i128::from(self.target))
                    .and_then(|den| scaled_round(value.num, den, 10_000))
                    .and_then(|bp| i64::try_from(bp).ok()),
            },
            GoalKind::AtLeast | GoalKind::AtMost => Progress::Rate {
                value,
                met: meets(&value, &self.threshold()),
            },
        })
    }
}

/// The rate goal that judges `metric` for `channel` (None = team-wide): the channel's own goal
/// first, else the team-wide one.
pub fn rate_goal_for<'a>(
    goals: &'a [Goal],
    metric: Metric,
    channel: Option<&str>,
) -> Option<&'a Goal> {
    let matching = |scope: Option<&str>| {
        goals
            .iter()
            .find(|g| g.is_rate() && g.metric == metric && g.channel() == scope)
    };
    channel
        .and_then(|c| matching(Some(c)))
        .or_else(|| matching(None))
}

/// Volumes first, as a business reads a plan (GMV before spend), then the funnel rates.
pub const GOAL_ORDER: [Metric; 15] = Metric::with_derived([
    Metric::Gmv,
    Metric::Orders,
    Metric::Leads,
    Metric::New,
    Metric::Spend,
]);

/// Goals team-wide first, then by channel, each in [`GOAL_ORDER`].
pub fn sort_goals(goals: &mut [Goal]) {
    let order = |m: Metric| {
        GOAL_ORDER
            .iter()
            .position(|x| *x == m)
            .unwrap_or(usize::MAX)
    };
    goals.sort_by(|a, b| {
        (a.scope.stored(), order(a.metric)).cmp(&(b.scope.stored(), order(b.metric)))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::totals::Numbers;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn goal(metric: Metric, kind: GoalKind, target: i64) -> Goal {
        Goal {
            scope: Scope::Team,
            metric,
            kind,
            target,
        }
    }

    #[test]
    fn periods_start_and_length() {
        let cases = [
            (d(2026, 11, 4), Period::Week, d(2026, 11, 2), 7),
            (d(2026, 11, 8), Period::Week, d(2026, 11, 2), 7),
            (d(2026, 11, 4), Period::Month, d(2026, 11, 1), 30),
            (d(2028, 2, 10), Period::Month, d(2028, 2, 1), 29),
            (d(2026, 11, 4), Period::Quarter, d(2026, 10, 1), 92),
            (d(2026, 3, 31), Period::Quarter, d(2026, 1, 1), 90),
        ];
        for (day, p, start, len) in cases {
            assert_eq!(p.dates(day), PeriodDates { start, len }, "{p:?} {day}");
        }
        assert_eq!(
            Period::Month.dates(d(2026, 11, 4)).elapsed(d(2026, 11, 4)),
            4
        );
    }

    #[test]
    fn stored_codes_round_trip_and_unknown_ones_are_refused() {
        for p in Period::ALL {
            assert_eq!(Period::from_code(p.code()), Some(p));
        }
        assert_eq!(Period::from_code("weekly"), None);
        for k in [
            GoalKind::Volume(Period::Week),
            GoalKind::Volume(Period::Quarter),
            GoalKind::AtLeast,
            GoalKind::AtMost,
        ] {
            assert_eq!(
                GoalKind::from_codes(k.direction_code(), k.period_code()),
                Some(k)
            );
        }
        assert_eq!(Goal::from_parts("gmv", "", "volume", "", 5), None);
        let g = Goal::from_parts("cpc", "jd", "at_most", "", 80).expect("cpc");
        assert_eq!(g.channel(), Some("jd"));
        assert_eq!(g.direction(), Better::Lower);
    }

    #[test]
    fn progress_is_none_when_the_numbers_are_missing() {
        let n = Numbers {
            spend: Some(100_000),
            impressions: Some(10_000),
            clicks: Some(300),
            orders: Some(10),
            gmv: Some(1_200_000),
            ..Numbers::default()
        };
        let t = Totals::of(&n);
        // No new-customer figures: unknown, not 0%.
        let new = goal(Metric::New, GoalKind::Volume(Period::Month), 500);
        assert_eq!(new.progress(&t), None);
        let with_new = Totals::of(&Numbers {
            new_customers: Some(0),
            ..n
        });
        assert!(matches!(
            new.progress(&with_new),
            Some(Progress::Volume { bp: Some(0), .. })
        ));
        let gmv = goal(Metric::Gmv, GoalKind::Volume(Period::Month), 50_000_000);
        assert!(matches!(
            gmv.progress(&t),
            Some(Progress::Volume { bp: Some(240), .. })
        ));
        // A rate with a zero denominator is unknown too.
        let cac = goal(Metric::Cac, GoalKind::AtMost, 5_000);
        assert_eq!(cac.progress(&with_new), None);
        let ctr = goal(Metric::Ctr, GoalKind::AtLeast, 20_000);
        assert!(matches!(
            ctr.progress(&t),
            Some(Progress::Rate { met: true, .. })
        ));
        let zero = goal(Metric::Gmv, GoalKind::Volume(Period::Week), 0);
        assert!(matches!(
            zero.progress(&t),
            Some(Progress::Volume { bp: None, .. })
        ));
    }

    #[test]
    fn goals_sort_team_first_then_by_channel_in_plan_order() {
        let mut goals = vec![
            Goal {
                scope: Scope::Channel("xhs".into()),
                ..goal(Metric::Ctr, GoalKind::AtLeast, 1)
            },
            goal(Metric::Cpc, GoalKind::AtMost, 1),
            goal(Metric::Gmv, GoalKind::Volume(Period::Month), 1),
        ];
        sort_goals(&mut goals);
        let order: Vec<(Option<&str>, Metric)> =
            goals.iter().map(|g| (g.channel(), g.metric)).collect();
        assert_eq!(
            order,
            vec![
                (None, Metric::Gmv),
                (None, Metric::Cpc),
                (Some("xhs"), Metric::Ctr)
            ]
        );
    }
}
