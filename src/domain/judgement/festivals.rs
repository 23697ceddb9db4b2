//! Shopping festivals (issue 15): a week holding one is not a normal week, so week-over-week
//! comparisons skip it. A current week with a festival is not judged week over week (its
//! numbers are up for a known reason); a previous week with one is replaced by the week
//! before it. Dates: 618 (06-18), 双11 (11-11), 双12 (12-12) every year; 春节 (Spring Festival,
//! lunar new year's day) from a table.

use chrono::{Datelike, NaiveDate};

use crate::domain::bottleneck::back;

/// Fixed-date festivals: (month, day, name).
const FIXED: [(u32, u32, &str); 3] = [(6, 18, "618"), (11, 11, "双11"), (12, 12, "双12")];

/// 春节 by year (lunar new year's day).
const SPRING: [(i32, u32, u32); 8] = [
    (2024, 2, 10),
    (2025, 1, 29),
    (2026, 2, 17),
    (2027, 2, 6),
    (2028, 1, 26),
    (2029, 2, 13),
    (2030, 2, 3),
    (2031, 1, 23),
];

/// The festival on a day, if any.
pub fn festival_on(d: NaiveDate) -> Option<&'static str> {
    let fixed = FIXED
        .iter()
        .find(|(m, day, _)| d.month() == *m && d.day() == *day)
        .map(|(_, _, name)| *name);
    fixed.or_else(|| {
        SPRING
            .iter()
            .any(|(y, m, day)| d.year() == *y && d.month() == *m && d.day() == *day)
            .then_some("春节")
    })
}

/// The first festival within the `days` days ending `to` (inclusive).
pub fn festival_within(to: NaiveDate, days: u64) -> Option<(&'static str, NaiveDate)> {
    (0..days)
        .map(|i| back(to, i))
        .find_map(|d| festival_on(d).map(|n| (n, d)))
}

/// How many days back the comparison week starts for the week of `window` days ending
/// `today`: `window` normally, `2 × window` when last week held a festival, `None` when this
/// week holds one (not compared).
pub fn comparison_offset(today: NaiveDate, window: u64) -> Option<u64> {
    if festival_within(today, window).is_some() {
        return None;
    }
    if festival_within(back(today, window), window).is_some() {
        return Some(2 * window);
    }
    Some(window)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn festivals_by_date() {
        let cases = [
            (d(2026, 11, 11), Some("双11")),
            (d(2027, 11, 11), Some("双11")),
            (d(2026, 12, 12), Some("双12")),
            (d(2026, 6, 18), Some("618")),
            (d(2026, 2, 17), Some("春节")),
            (d(2027, 2, 6), Some("春节")),
            (d(2027, 2, 17), None),
            (d(2026, 11, 12), None),
        ];
        for (day, want) in cases {
            assert_eq!(festival_on(day), want, "{day}");
        }
    }

    #[test]
    fn comparison_skips_festival_weeks() {
        // (today, offset): this week is the 7 days ending today.
        let cases = [
            (d(2026, 11, 10), Some(7)),  // 11-04..11-10: no festival, last week none
            (d(2026, 11, 11), None),     // 双11 today
            (d(2026, 11, 17), None),     // 11-11..11-17 holds 双11
            (d(2026, 11, 18), Some(14)), // last week 11-05..11-11 holds it: the week before
            (d(2026, 11, 24), Some(14)), // last week 11-11..11-17
            (d(2026, 11, 25), Some(7)),  // last week 11-12..11-18: clear again
        ];
        for (today, want) in cases {
            assert_eq!(comparison_offset(today, 7), want, "{today}");
        }
    }
}
