//! When automatic messages fire: the deadline-ping marks of a task, quiet hours, and the next
//! occurrence of a recurring task — all calendar maths in the team's zone.

use chrono::{
    Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike,
    Weekday,
};
use chrono_tz::Tz;

pub const HOUR: i64 = 3600;
pub const DAY: i64 = 86_400;
/// A ping sent later than this after its mark says it is late.
pub const LATE_AFTER_SECS: i64 = 60;

/// One ping of a task's deadline sequence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mark {
    /// Stable name of the occurrence: `24h`, `1h`, `due`, `overdue1`, `overdue2`, …
    pub label: String,
    pub at: i64,
}

impl Mark {
    /// Days overdue for an `overdueN` mark, 0 otherwise.
    pub fn overdue_days(&self) -> i64 {
        self.label
            .strip_prefix("overdue")
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    }
}

/// The n-th mark of a deadline (0 = 24 h before, 1 = 1 h before, 2 = at the deadline,
/// 3.. = once a day overdue). Overdue pings keep the deadline's wall-clock time in the zone.
pub fn nth_mark(due_at: i64, n: u32, tz: Tz) -> Mark {
    match n {
        0 => Mark {
            label: "24h".into(),
            at: due_at - DAY,
        },
        1 => Mark {
            label: "1h".into(),
            at: due_at - HOUR,
        },
        2 => Mark {
            label: "due".into(),
            at: due_at,
        },
        _ => {
            let days = i64::from(n - 2);
            Mark {
                label: format!("overdue{days}"),
                at: add_local_days(due_at, days, tz),
            }
        }
    }
}

/// The marks still ahead of `now` up to and including the deadline; marks already past when
/// the task was created or rescheduled are skipped.
pub fn initial_marks(due_at: i64, now: i64, tz: Tz) -> Vec<Mark> {
    (0..3)
        .map(|n| nth_mark(due_at, n, tz))
        .filter(|m| m.at > now)
        .collect()
}

/// The mark that follows `label` in the sequence.
pub fn next_mark(due_at: i64, label: &str, tz: Tz) -> Option<Mark> {
    let n = mark_index(label)?;
    Some(nth_mark(due_at, n + 1, tz))
}

fn mark_index(label: &str) -> Option<u32> {
    match label {
        "24h" => Some(0),
        "1h" => Some(1),
        "due" => Some(2),
        other => other
            .strip_prefix("overdue")?
            .parse::<u32>()
            .ok()
            .filter(|d| *d >= 1)
            .map(|d| d + 2),
    }
}

/// The newest mark at or before `now` (what a ping sent now should say), if any has passed.
pub fn latest_passed_mark(due_at: i64, now: i64, tz: Tz) -> Option<Mark> {
    if now < due_at - DAY {
        return None;
    }
    if now < due_at {
        return (0..2)
            .rev()
            .map(|n| nth_mark(due_at, n, tz))
            .find(|m| m.at <= now);
    }
    // Overdue: count whole local days past the deadline.
    let mut n = 2u32;
    while nth_mark(due_at, n + 1, tz).at <= now && n < 100_000 {
        n += 1;
    }
    Some(nth_mark(due_at, n, tz))
}

/// Moves `at` to the end of the quiet window if it falls inside one. The window is given in
/// minutes after local midnight and may wrap past midnight (22:00–08:00).
pub fn after_quiet(at: i64, quiet: Option<(i64, i64)>, tz: Tz) -> i64 {
    let Some((start, end)) = quiet else { return at };
    if start == end {
        return at;
    }
    let local = tz.timestamp_opt(at, 0).single().map(|d| d.naive_local());
    let Some(local) = local else { return at };
    let minute = i64::from(local.hour() * 60 + local.minute());
    let inside = if start < end {
        minute >= start && minute < end
    } else {
        minute >= start || minute < end
    };
    if !inside {
        return at;
    }
    let end_date = if start < end || minute < end {
        local.date()
    } else {
        local.date() + Duration::days(1)
    };
    let end_time = NaiveTime::from_hms_opt((end / 60) as u32 % 24, (end % 60) as u32, 0)
        .unwrap_or(NaiveTime::MIN);
    resolve_local(end_date.and_time(end_time), tz).max(at)
}

/// `/quiet` arguments: `22:00-08:00` (also `–`, `~`, `—`) as minutes after local midnight, or
/// `off` (`none`, `关闭`, `关`) as the empty window `(0, 0)`.
pub fn parse_quiet_window(input: &str) -> Option<(i64, i64)> {
    let input = input.trim();
    if ["off", "none", "关闭", "关"].contains(&input.to_lowercase().as_str()) {
        return Some((0, 0));
    }
    let (a, b) = input.split_once(['-', '–', '~', '—'])?;
    let (ah, am) = super::when::parse_hhmm(a.trim())?;
    let (bh, bm) = super::when::parse_hhmm(b.trim())?;
    Some((i64::from(ah * 60 + am), i64::from(bh * 60 + bm)))
}

/// How a task repeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recurrence {
    Day,
    Week,
    Month,
    Weekday,
}

impl Recurrence {
    pub fn parse(s: &str) -> Option<Recurrence> {
        match s.trim().to_lowercase().as_str() {
            "day" | "daily" | "天" | "每天" | "每日" => Some(Recurrence::Day),
            "week" | "weekly" | "周" | "每周" | "每星期" => Some(Recurrence::Week),
            "month" | "monthly" | "月" | "每月" => Some(Recurrence::Month),
            "weekday" | "weekdays" | "工作日" | "每个工作日" => Some(Recurrence::Weekday),
            _ => None,
        }
    }

    /// The stored code only (what `code` wrote), unlike `parse` which reads what users type.
    pub fn from_code(code: &str) -> Option<Recurrence> {
        [
            Recurrence::Day,
            Recurrence::Week,
            Recurrence::Month,
            Recurrence::Weekday,
        ]
        .into_iter()
        .find(|r| r.code() == code)
    }

    pub fn code(self) -> &'static str {
        match self {
            Recurrence::Day => "day",
            Recurrence::Week => "week",
            Recurrence::Month => "month",
            Recurrence::Weekday => "weekday",
        }
    }

    /// The next occurrence after `due_at`, at the same local wall-clock time (so a weekly
    /// 09:00 meeting stays at 09:00 across daylight-saving changes).
    pub fn next_after(self, due_at: i64, tz: Tz) -> i64 {
        let Some(local) = tz
            .timestamp_opt(due_at, 0)
            .single()
            .map(|d| d.naive_local())
        else {
            return due_at + DAY;
        };
        let date = local.date();
        let next_date = match self {
            Recurrence::Day => date + Duration::days(1),
            Recurrence::Week => date + Duration::days(7),
            Recurrence::Month => add_month_clamped(date),
            Recurrence::Weekday => {
                let mut d = date + Duration::days(1);
                while matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
                    d += Duration::days(1);
                }
                d
            }
        };
        resolve_local(next_date.and_time(local.time()), tz)
    }
}

fn add_month_clamped(date: NaiveDate) -> NaiveDate {
    let (y, m) = if date.month() == 12 {
        (date.year() + 1, 1)
    } else {
        (date.year(), date.month() + 1)
    };
    (0..4)
        .find_map(|back| NaiveDate::from_ymd_opt(y, m, date.day() - back))
        .unwrap_or(date + Duration::days(30))
}

fn add_local_days(at: i64, days: i64, tz: Tz) -> i64 {
    match tz.timestamp_opt(at, 0).single() {
        Some(local) => resolve_local(local.naive_local() + Duration::days(days), tz),
        None => at + days * DAY,
    }
}

/// A local wall-clock time as an instant: in a DST gap, the moment the clocks jump to;
/// in a fold, the earlier of the two.
pub fn resolve_local(local: NaiveDateTime, tz: Tz) -> i64 {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.timestamp(),
        LocalResult::Ambiguous(early, _) => early.timestamp(),
        LocalResult::None => {
            // Walk forward minute by minute out of the gap (gaps are at most a few hours).
            (1..=240)
                .find_map(|m| {
                    tz.from_local_datetime(&(local + Duration::minutes(m)))
                        .earliest()
                })
                .map(|t| t.timestamp())
                .unwrap_or_else(|| tz.from_utc_datetime(&local).timestamp())
        }
    }
}

/// How many of an owner's other open tasks fall within 24 hours of a new deadline.
pub fn tasks_near(due_at: i64, other_due: &[i64]) -> usize {
    other_due
        .iter()
        .filter(|d| (**d - due_at).abs() <= DAY)
        .count()
}

/// The owner is warned at this many nearby tasks (SPEC §3).
pub const OVERLOAD_AT: usize = 3;

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::America::New_York;
    use chrono_tz::Asia::Shanghai;
    use proptest::prelude::*;

    fn sh(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
        resolve_local(
            NaiveDate::from_ymd_opt(y, mo, d)
                .unwrap()
                .and_hms_opt(h, mi, 0)
                .unwrap(),
            Shanghai,
        )
    }

    #[test]
    fn marks_skip_those_already_past() {
        let due = sh(2026, 11, 5, 18, 0);
        let labels = |now| {
            initial_marks(due, now, Shanghai)
                .into_iter()
                .map(|m| m.label)
                .collect::<Vec<_>>()
        };
        assert_eq!(labels(due - 3 * DAY), ["24h", "1h", "due"]);
        assert_eq!(labels(due - 2 * HOUR), ["1h", "due"]);
        assert_eq!(labels(due - 30 * 60), ["due"]);
    }

    #[test]
    fn the_sequence_continues_daily_after_the_deadline() {
        let due = sh(2026, 11, 5, 18, 0);
        let due_mark = next_mark(due, "1h", Shanghai).unwrap();
        assert_eq!(
            due_mark,
            Mark {
                label: "due".into(),
                at: due
            }
        );
        let o1 = next_mark(due, "due", Shanghai).unwrap();
        assert_eq!(
            (o1.label.as_str(), o1.at, o1.overdue_days()),
            ("overdue1", due + DAY, 1)
        );
        let o2 = next_mark(due, "overdue1", Shanghai).unwrap();
        assert_eq!((o2.label.as_str(), o2.at), ("overdue2", due + 2 * DAY));
        assert_eq!(next_mark(due, "bogus", Shanghai), None);
    }

    #[test]
    fn latest_passed_mark_is_what_a_late_ping_should_say() {
        let due = sh(2026, 11, 5, 18, 0);
        assert_eq!(latest_passed_mark(due, due - 2 * DAY, Shanghai), None);
        assert_eq!(
            latest_passed_mark(due, due - 5 * HOUR, Shanghai)
                .unwrap()
                .label,
            "24h"
        );
        assert_eq!(
            latest_passed_mark(due, due - 10, Shanghai).unwrap().label,
            "1h"
        );
        assert_eq!(
            latest_passed_mark(due, due + 10, Shanghai).unwrap().label,
            "due"
        );
        assert_eq!(
            latest_passed_mark(due, due + 3 * DAY + 5, Shanghai)
                .unwrap()
                .label,
            "overdue3"
        );
    }

    #[test]
    fn quiet_hours_delay_to_the_window_end() {
        let quiet = Some((22 * 60, 8 * 60));
        assert_eq!(
            after_quiet(sh(2026, 11, 5, 23, 30), quiet, Shanghai),
            sh(2026, 11, 6, 8, 0)
        );
        assert_eq!(
            after_quiet(sh(2026, 11, 6, 7, 0), quiet, Shanghai),
            sh(2026, 11, 6, 8, 0)
        );
        assert_eq!(
            after_quiet(sh(2026, 11, 6, 9, 0), quiet, Shanghai),
            sh(2026, 11, 6, 9, 0)
        );
        let lunch = Some((12 * 60, 13 * 60 + 30));
        assert_eq!(
            after_quiet(sh(2026, 11, 6, 12, 10), lunch, Shanghai),
            sh(2026, 11, 6, 13, 30)
        );
        assert_eq!(
            after_quiet(sh(2026, 11, 6, 13, 30), lunch, Shanghai),
            sh(2026, 11, 6, 13, 30)
        );
        assert_eq!(
            after_quiet(sh(2026, 11, 6, 12, 10), None, Shanghai),
            sh(2026, 11, 6, 12, 10)
        );
    }

    #[test]
    fn quiet_windows() {
        let cases: [(&str, Option<(i64, i64)>); 7] = [
            ("22:00-08:00", Some((1320, 480))),
            ("12:00 – 13:30", Some((720, 810))),
            ("off", Some((0, 0))),
            ("关闭", Some((0, 0))),
            ("22:00", None),
            ("25:00-08:00", None),
            ("night", None),
        ];
        for (input, expected) in cases {
            assert_eq!(parse_quiet_window(input), expected, "{input}");
        }
    }

    #[test]
    fn weekly_recurrence_keeps_local_time_across_both_2026_dst_changes() {
        let ny = |y, mo, d, h| {
            resolve_local(
                NaiveDate::from_ymd_opt(y, mo, d)
                    .unwrap()
                    .and_hms_opt(h, 0, 0)
                    .unwrap(),
                New_York,
            )
        };
        // Spring forward on 2026-03-08, fall back on 2026-11-01.
        let mut due = ny(2026, 3, 2, 9);
        let mut local_hours = Vec::new();
        for _ in 0..40 {
            due = Recurrence::Week.next_after(due, New_York);
            local_hours.push(New_York.timestamp_opt(due, 0).unwrap().hour());
        }
        assert!(local_hours.iter().all(|h| *h == 9), "{local_hours:?}");
        assert_eq!(ny(2026, 3, 9, 9) - ny(2026, 3, 2, 9), 7 * DAY - HOUR);
        assert_eq!(ny(2026, 11, 2, 9) - ny(2026, 10, 26, 9), 7 * DAY + HOUR);
    }

    #[test]
    fn other_recurrences() {
        let fri = sh(2026, 11, 6, 10, 0);
        assert_eq!(
            Recurrence::Weekday.next_after(fri, Shanghai),
            sh(2026, 11, 9, 10, 0)
        );
        assert_eq!(
            Recurrence::Day.next_after(fri, Shanghai),
            sh(2026, 11, 7, 10, 0)
        );
        assert_eq!(
            Recurrence::Month.next_after(sh(2027, 1, 31, 10, 0), Shanghai),
            sh(2027, 2, 28, 10, 0)
        );
        assert_eq!(Recurrence::parse("每周"), Some(Recurrence::Week));
        assert_eq!(Recurrence::parse("fortnight"), None);
    }

    #[test]
    fn dst_gap_and_fold_resolve() {
        let gap = NaiveDate::from_ymd_opt(2026, 3, 8)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        let at = resolve_local(gap, New_York);
        assert_eq!(New_York.timestamp_opt(at, 0).unwrap().hour(), 3);
        let fold = NaiveDate::from_ymd_opt(2026, 11, 1)
            .unwrap()
            .and_hms_opt(1, 30, 0)
            .unwrap();
        let at = resolve_local(fold, New_York);
        assert_eq!(
            at,
            New_York
                .from_local_datetime(&fold)
                .earliest()
                .unwrap()
                .timestamp()
        );
    }

    #[test]
    fn overload_counts_tasks_within_a_day() {
        assert_eq!(
            tasks_near(
                1000 * DAY,
                &[1000 * DAY - HOUR, 1000 * DAY + DAY, 1002 * DAY]
            ),
            2
        );
    }

    proptest! {
        #[test]
        fn marks_are_increasing(due in 1_700_000_000i64..1_900_000_000, n in 0u32..30) {
            let a = nth_mark(due, n, New_York);
            let b = nth_mark(due, n + 1, New_York);
            prop_assert!(a.at < b.at);
            prop_assert_eq!(next_mark(due, &a.label, New_York), Some(b));
        }

        #[test]
        fn quiet_never_moves_earlier_or_more_than_a_day(at in 1_700_000_000i64..1_900_000_000, s in 0i64..1440, e in 0i64..1440) {
            let moved = after_quiet(at, Some((s, e)), Shanghai);
            prop_assert!(moved >= at && moved - at <= DAY);
        }
    }
}
