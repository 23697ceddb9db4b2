//! Pacing without guessing (issue 15): a month (or a goal's period) is not projected from one
//! or two days, and a day nobody reported is unknown, not a day of zero spend. Pacing compares
//! the spend reported against the plan for the days that have numbers.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::domain::bottleneck::PACE_MIN_DAY;
use crate::domain::metrics::{Metric, Totals};

/// Pacing needs at least this many days with numbers in the period.
pub const PACE_MIN_SPEND_DAYS: u32 = 3;

/// Days with spend numbers for a channel within `from..=to` (a day whose check-in named other
/// numbers but not spend is unknown for pacing, issue 14).
pub fn known_days(d: Option<&BTreeMap<NaiveDate, Totals>>, from: NaiveDate, to: NaiveDate) -> u32 {
    match d {
        Some(d) if from <= to => {
            let known = d
                .range(from..=to)
                .filter(|(_, t)| t.known_days(Metric::Spend) > 0)
                .count();
            u32::try_from(known).unwrap_or(u32::MAX)
        }
        _ => 0,
    }
}

/// The number of days to pace the spend against: `None` (not judged) before day
/// [`PACE_MIN_DAY`] of the period or with fewer than [`PACE_MIN_SPEND_DAYS`] days of numbers;
/// else the days with numbers (never more than the days elapsed).
pub fn pace_days(day_of_period: u32, known: u32) -> Option<u32> {
    (day_of_period >= PACE_MIN_DAY && known >= PACE_MIN_SPEND_DAYS)
        .then_some(known.min(day_of_period))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pace_days_table() {
        // (day of the period, days with numbers) → days to pace against
        let cases: &[(u32, u32, Option<u32>)] = &[
            (1, 1, None),    // day 1: never a projection
            (2, 2, None),    // the case: day 2
            (4, 4, None),    // still before day 5
            (5, 5, Some(5)), // day 5, every day reported
            (5, 2, None),    // day 5, only 2 days of numbers
            (5, 3, Some(3)), // 3 days of numbers: pace over those 3
            (20, 0, None),   // no numbers at all: nothing to pace ("no numbers" is NoCheckin's)
            (20, 12, Some(12)),
            (20, 25, Some(20)), // more keys than days (defensive): capped at the days elapsed
        ];
        for &(day, known, want) in cases {
            assert_eq!(pace_days(day, known), want, "day {day}, known {known}");
        }
    }

    #[test]
    fn known_days_counts_days_with_spend_in_range() {
        use crate::domain::metrics::Numbers;
        let d = |n: u32| NaiveDate::from_ymd_opt(2026, 11, n).expect("date");
        let spend = |v: Option<i64>| {
            Totals::of(&Numbers {
                spend: v,
                clicks: Some(1),
                ..Numbers::default()
            })
        };
        let mut m = BTreeMap::new();
        for n in [1, 2, 5, 9] {
            m.insert(d(n), spend(Some(100)));
        }
        // A day with numbers but no spend is unknown for pacing; ¥0 reported is known.
        m.insert(d(3), spend(None));
        m.insert(d(4), spend(Some(0)));
        assert_eq!(known_days(Some(&m), d(1), d(5)), 4);
        assert_eq!(known_days(Some(&m), d(6), d(8)), 0);
        assert_eq!(known_days(Some(&m), d(9), d(1)), 0);
        assert_eq!(known_days(None, d(1), d(30)), 0);
    }
}
