//! Shopping festivals (issue 15): a week holding one is not a normal week, so week-over-week
//! comparisons skip it. A current week with a festival is not judged week over week (its
//! numbers are up for a known reason); a previous week with one is replaced by the week
//! before it. Built in: 618 (06-18), 双11 (11-11), 双12 (12-12) every year; 春节 (lunar new
//! year's day) and 年货节 (the new-year goods sale before it) from tables. A team adds its
//! own with `/festival add <date> <name>`; those count exactly like the built-in ones.

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

/// 年货节 by year: (year, first day, last day) as (month, day). The platforms' dates vary
/// each year; these are the 13 days ending 8 days before 春节 (after that parcels stop for the
/// holiday), so the sale weeks are stepped around. A team with exact dates adds them itself.
/// (month, day).
type MonthDay = (u32, u32);

const NEW_YEAR_GOODS: [(i32, MonthDay, MonthDay); 8] = [
    (2024, (1, 21), (2, 2)),
    (2025, (1, 9), (1, 21)),
    (2026, (1, 28), (2, 9)),
    (2027, (1, 17), (1, 29)),
    (2028, (1, 6), (1, 18)),
    (2029, (1, 24), (2, 5)),
    (2030, (1, 14), (1, 26)),
    (2031, (1, 3), (1, 15)),
];

/// Longest name of a team's own festival, in characters.
pub const NAME_MAX_CHARS: usize = 30;

/// A team's own festival day (`/festival add`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TeamFestival {
    /// The (team-local) day.
    pub day: NaiveDate,
    /// Its name as the team typed it.
    pub name: String,
}

/// A built-in festival's days: `from ..= to` (one day for all but 年货节).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuiltIn {
    pub name: &'static str,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

/// Every built-in festival of a year, in date order.
pub fn built_in(year: i32) -> Vec<BuiltIn> {
    let one = |name, d: NaiveDate| BuiltIn {
        name,
        from: d,
        to: d,
    };
    let mut out: Vec<BuiltIn> = FIXED
        .iter()
        .filter_map(|(m, d, name)| ymd(year, *m, *d).map(|d| one(*name, d)))
        .collect();
    out.extend(
        SPRING
            .iter()
            .filter(|(y, _, _)| *y == year)
            .filter_map(|(y, m, d)| ymd(*y, *m, *d).map(|d| one("春节", d))),
    );
    out.extend(
        NEW_YEAR_GOODS
            .iter()
            .filter(|(y, _, _)| *y == year)
            .filter_map(|(y, (fm, fd), (tm, td))| {
                Some(BuiltIn {
                    name: "年货节",
                    from: ymd(*y, *fm, *fd)?,
                    to: ymd(*y, *tm, *td)?,
                })
            }),
    );
    out.sort_by_key(|b| b.from);
    out
}

/// The built-in festival `name` of several days (年货节) that holds `d`, if it is one.
pub fn several_days(name: &str, d: NaiveDate) -> Option<BuiltIn> {
    built_in(d.year())
        .into_iter()
        .find(|b| b.name == name && b.from <= d && d <= b.to && b.from != b.to)
}

/// The festival on a day, if any: the team's own first, then the built-in ones.
pub fn festival_on(d: NaiveDate, team: &[TeamFestival]) -> Option<&str> {
    if let Some(f) = team.iter().find(|f| f.day == d) {
        return Some(f.name.as_str());
    }
    built_in(d.year())
        .into_iter()
        .find(|b| b.from <= d && d <= b.to)
        .map(|b| b.name)
}

/// The first festival within the `days` days ending `to` (inclusive), latest day first.
pub fn festival_within(
    to: NaiveDate,
    days: u64,
    team: &[TeamFestival],
) -> Option<(&str, NaiveDate)> {
    (0..days)
        .map(|i| back(to, i))
        .find_map(|d| festival_on(d, team).map(|n| (n, d)))
}

/// How many days back the comparison week starts for the week of `window` days ending
/// `today`: `window` normally, `2 × window` when last week held a festival, `None` when this
/// week holds one (not compared).
pub fn comparison_offset(today: NaiveDate, window: u64, team: &[TeamFestival]) -> Option<u64> {
    if festival_within(today, window, team).is_some() {
        return None;
    }
    if festival_within(back(today, window), window, team).is_some() {
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
            // 年货节: its first and last day, a day before and after.
            (d(2026, 1, 27), None),
            (d(2026, 1, 28), Some("年货节")),
            (d(2026, 2, 9), Some("年货节")),
            (d(2026, 2, 10), None),
            (d(2027, 1, 20), Some("年货节")),
            (d(2031, 1, 3), Some("年货节")),
            (d(2031, 1, 16), None),
        ];
        for (day, want) in cases {
            assert_eq!(festival_on(day, &[]), want, "{day}");
        }
    }

    #[test]
    fn new_year_goods_ends_eight_days_before_spring_festival_every_year() {
        // Every year 春节 covers has a 年货节: 13 days, ending 8 days before 春节.
        for (y, m, day) in SPRING {
            let spring = d(y, m, day);
            let goods: Vec<BuiltIn> = built_in(y)
                .into_iter()
                .filter(|b| b.name == "年货节")
                .collect();
            assert_eq!(goods.len(), 1, "{y}");
            assert_eq!(goods[0].to, back(spring, 8), "{y}");
            assert_eq!(goods[0].from, back(spring, 20), "{y}");
        }
    }

    #[test]
    fn a_team_festival_counts_like_a_built_in_one() {
        let team = [TeamFestival {
            day: d(2026, 11, 27),
            name: "黑五".into(),
        }];
        assert_eq!(festival_on(d(2026, 11, 27), &team), Some("黑五"));
        assert_eq!(festival_on(d(2026, 11, 27), &[]), None);
        // Named over a built-in on the same day.
        let same = [TeamFestival {
            day: d(2026, 11, 11),
            name: "店庆".into(),
        }];
        assert_eq!(festival_on(d(2026, 11, 11), &same), Some("店庆"));
        assert_eq!(comparison_offset(d(2026, 12, 2), 7, &team), None);
        assert_eq!(comparison_offset(d(2026, 12, 2), 7, &[]), Some(7));
        assert_eq!(comparison_offset(d(2026, 12, 4), 7, &team), Some(14));
        assert_eq!(comparison_offset(d(2026, 12, 11), 7, &team), Some(7));
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
            (d(2026, 2, 3), None),       // 年货节 2026 runs 01-28..02-09
            (d(2026, 1, 27), Some(7)),   // 01-21..01-27: before it, last week clear
        ];
        for (today, want) in cases {
            assert_eq!(comparison_offset(today, 7, &[]), want, "{today}");
        }
    }
}
