//! Baselines (issue 15): each channel's CTR, CPC and CVR against its own recent history, so a
//! team with no goals still hears when a channel falls well outside its own norm.
//!
//! Per stage, a day counts only when the metric's inputs are both reported and the day has
//! volume enough ([`DAY_MIN_IMPRESSIONS`] for CTR, [`DAY_MIN_CLICKS`] for CPC and CVR): a rate
//! from 40 clicks is noise, and an unknown input is never read as 0. The norm is the median of
//! those days over the last [`BASELINE_WINDOW`] days, leaving out the latest
//! [`NEW_NORMAL_DAYS`] (the days being judged), with at least [`BASELINE_MIN_DAYS`] of them;
//! the band around it is [`MAD_FACTOR`] × the median absolute deviation, and never narrower
//! than [`MIN_DEVIATION_BP`] of the median (a channel with very steady days would otherwise
//! be flagged for a 5% wobble). Only the worse side is judged (CTR/CVR below, CPC above).
//!
//! The flag is raised when the latest reported day (of the last two days) is outside the band,
//! and the run of such days is shorter than [`NEW_NORMAL_DAYS`]: a level held that long is the
//! new normal, and goals and week-over-week drops speak for it instead.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::domain::bottleneck::{Flag, FlagKind, Num, Severity, Stage, Subject, back};
use crate::domain::metrics::{Better, MetricValue, Numbers};

/// Days of history the norm is taken from (today included).
pub const BASELINE_WINDOW: u64 = 28;
/// A level held for this many reported days is the new normal (no flag).
pub const NEW_NORMAL_DAYS: usize = 3;
/// The norm needs this many judged days before the latest ones.
pub const BASELINE_MIN_DAYS: usize = 7;
/// Band: this many median absolute deviations from the median.
pub const MAD_FACTOR: i128 = 3;
/// Band: never narrower than this share of the median (basis points).
pub const MIN_DEVIATION_BP: i128 = 3_000;
/// A day's CTR is judged from this many impressions.
pub const DAY_MIN_IMPRESSIONS: i64 = 1_000;
/// A day's CPC and CVR are judged from this many clicks.
pub const DAY_MIN_CLICKS: i64 = 100;
/// The latest judged day must be at most this many days old (older: the check-in gap speaks).
pub const LATEST_MAX_AGE: u64 = 2;
/// The stages judged against their own norm.
pub const STAGES: [Stage; 3] = [Stage::Ctr, Stage::Cpc, Stage::Cvr];

/// Rates are compared as integers scaled by this (exact enough, no floating point).
const SCALE: i128 = 1_000_000;

/// A day's value of `stage`'s metric, when its inputs are known and the volume is enough.
pub fn day_rate(stage: Stage, n: &Numbers) -> Option<MetricValue> {
    let (num, den, min) = match stage {
        Stage::Ctr => (n.clicks?, n.impressions?, DAY_MIN_IMPRESSIONS),
        Stage::Cpc => (n.spend?, n.clicks?, DAY_MIN_CLICKS),
        Stage::Cvr => (n.orders?, n.clicks?, DAY_MIN_CLICKS),
        _ => return None,
    };
    if den < min || num < 0 {
        return None;
    }
    MetricValue::new(i128::from(num), i128::from(den))
}

fn scaled(v: &MetricValue) -> i128 {
    v.num.saturating_mul(SCALE) / v.den
}

/// The lower median (an observed value, no averaging).
fn median(mut v: Vec<i128>) -> Option<i128> {
    v.sort_unstable();
    let i = v.len().checked_sub(1)? / 2;
    v.get(i).copied()
}

/// A channel's norm for one metric: the median and the half-width of its band (scaled).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Norm {
    /// The median, scaled by `SCALE`.
    pub median: i128,
    /// How far from the median a day may be and still be normal, scaled.
    pub band: i128,
}

/// The norm of `values` (scaled rates): `None` with fewer than [`BASELINE_MIN_DAYS`] or a
/// median of 0 (nothing to fall from).
pub fn norm(values: &[i128]) -> Option<Norm> {
    if values.len() < BASELINE_MIN_DAYS {
        return None;
    }
    let m = median(values.to_vec())?;
    if m <= 0 {
        return None;
    }
    let mad = median(values.iter().map(|x| (x - m).abs()).collect())?;
    let band = (mad * MAD_FACTOR).max(m * MIN_DEVIATION_BP / 10_000);
    Some(Norm { median: m, band })
}

/// Whether `x` (scaled) is outside the norm on the worse side.
pub fn worse(better: Better, x: i128, n: &Norm) -> bool {
    match better {
        Better::Higher => x < n.median - n.band,
        Better::Lower => x > n.median + n.band,
    }
}

/// The off-norm flags of one channel (at most one per stage).
pub fn check(
    today: NaiveDate,
    channel: &str,
    days: Option<&BTreeMap<NaiveDate, Numbers>>,
) -> Vec<Flag> {
    let Some(days) = days else {
        return Vec::new();
    };
    let from = back(today, BASELINE_WINDOW - 1);
    STAGES
        .iter()
        .filter_map(|&stage| {
            let series: Vec<(NaiveDate, MetricValue)> = days
                .range(from..=today)
                .filter_map(|(d, n)| day_rate(stage, n).map(|r| (*d, r)))
                .collect();
            let split = series.len().checked_sub(NEW_NORMAL_DAYS)?;
            let (base, recent) = series.split_at(split);
            let (latest_day, latest) = recent.last()?;
            if *latest_day < back(today, LATEST_MAX_AGE) {
                return None;
            }
            let n = norm(&base.iter().map(|(_, v)| scaled(v)).collect::<Vec<_>>())?;
            let better = stage.metric().better();
            let run = recent
                .iter()
                .rev()
                .take_while(|(_, v)| worse(better, scaled(v), &n))
                .count();
            if run == 0 || run >= NEW_NORMAL_DAYS {
                return None;
            }
            let metric = stage.metric();
            Some(Flag {
                kind: FlagKind::OffNorm {
                    day: *latest_day,
                    days: i64::try_from(run).unwrap_or(i64::MAX),
                },
                subject: Subject::Channel {
                    name: channel.to_string(),
                    stage: Some(stage),
                },
                actual: Some(Num::Metric {
                    metric,
                    value: *latest,
                }),
                norm: MetricValue::new(n.median, SCALE).map(|value| Num::Metric { metric, value }),
                severity: Severity::Medium,
                lever: stage.lever(),
                too_early: false,
                tasks: Vec::new(),
                also: Vec::new(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, day).expect("date")
    }

    fn day(clicks: i64, orders: i64) -> Numbers {
        Numbers {
            spend: Some(30_000),
            impressions: Some(20_000),
            clicks: Some(clicks),
            orders: Some(orders),
            gmv: Some(orders * 10_000),
            ..Numbers::default()
        }
    }

    /// 20 days up to 11-20: 600 clicks and 30 orders a day, the last `n` days replaced.
    fn history(last: &[Numbers]) -> BTreeMap<NaiveDate, Numbers> {
        let mut m: BTreeMap<NaiveDate, Numbers> = (1..=20).map(|i| (d(i), day(600, 30))).collect();
        for (i, n) in last.iter().rev().enumerate() {
            m.insert(d(20 - i as u32), *n);
        }
        m
    }

    fn stages(flags: &[Flag]) -> Vec<(Stage, i64)> {
        flags
            .iter()
            .filter_map(|f| match (&f.subject, &f.kind) {
                (Subject::Channel { stage, .. }, FlagKind::OffNorm { days, .. }) => {
                    stage.map(|s| (s, *days))
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn off_norm_table() {
        let low_cvr = day(600, 6); // CVR 1% vs 5%
        let low_ctr = day(200, 10); // CTR 1% vs 3% (CVR 5%, CPC up 3×)
        // Too few impressions for CTR, too few clicks for CVR or CPC.
        let small = Numbers {
            impressions: Some(500),
            ..day(40, 0)
        };
        let unknown = Numbers {
            orders: None,
            ..day(600, 30)
        };
        type Case = (&'static str, Vec<Numbers>, Vec<(Stage, i64)>);
        let cases: Vec<Case> = vec![
            ("healthy", vec![], vec![]),
            ("one bad day", vec![low_cvr], vec![(Stage::Cvr, 1)]),
            (
                "two bad days",
                vec![low_cvr, low_cvr],
                vec![(Stage::Cvr, 2)],
            ),
            (
                "three bad days: the new normal",
                vec![low_cvr, low_cvr, low_cvr],
                vec![],
            ),
            ("bad then recovered", vec![low_cvr, day(600, 30)], vec![]),
            (
                "CTR fell: CPC rose with it",
                vec![low_ctr],
                vec![(Stage::Ctr, 1), (Stage::Cpc, 1)],
            ),
            ("small day not judged", vec![small], vec![]),
            ("unknown orders not judged", vec![unknown], vec![]),
            ("20% lower is within the band", vec![day(600, 24)], vec![]),
        ];
        for (name, last, want) in cases {
            let flags = check(d(20), "xhs", Some(&history(&last)));
            assert_eq!(stages(&flags), want, "{name}");
        }
    }

    #[test]
    fn stale_or_short_history_not_judged() {
        let h = history(&[day(600, 6)]);
        // The latest day is 4 days old: the check-in gap speaks, not the norm.
        assert!(check(d(24), "xhs", Some(&h)).is_empty());
        // Only 8 days of history: 5 before the judged 3 is too few.
        let short: BTreeMap<_, _> = h.into_iter().filter(|(k, _)| *k > d(12)).collect();
        assert!(check(d(20), "xhs", Some(&short)).is_empty());
        assert!(check(d(20), "xhs", None).is_empty());
    }

    #[test]
    fn norm_band() {
        // Steady days: the band is the 30% floor.
        assert_eq!(
            norm(&[100; 7]),
            Some(Norm {
                median: 100,
                band: 30
            })
        );
        // Noisy days: 3 MADs.
        let noisy = [50, 150, 60, 140, 100, 100, 100, 40, 160];
        assert_eq!(
            norm(&noisy),
            Some(Norm {
                median: 100,
                band: 120
            })
        );
        assert_eq!(norm(&[100; 6]), None);
        assert_eq!(norm(&[0; 9]), None);
    }

    proptest! {
        /// A day inside the band is never flagged, whatever the history.
        #[test]
        fn median_is_never_worse(values in proptest::collection::vec(1i128..1_000_000, 7..30)) {
            if let Some(n) = norm(&values) {
                prop_assert!(!worse(Better::Higher, n.median, &n));
                prop_assert!(!worse(Better::Lower, n.median, &n));
                prop_assert!(n.band * 10_000 >= n.median * MIN_DEVIATION_BP - 10_000);
            }
        }
    }
}
