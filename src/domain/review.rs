//! The weekly review's calendar and the rhythm commands' arguments: when the next meeting is,
//! which days a summary compares, and the parsers of `/review`, `/summary` and `/chart`.
//! Pure: every parser here is in the fuzz suite (`tests/fuzz_parsers.rs`).

use chrono::{Datelike, NaiveDate};
use chrono_tz::Tz;

use crate::domain::bottleneck::back;
use crate::domain::checkins::parse_day_key;
use crate::domain::metrics::Metric;
use crate::domain::when::{local_date, local_datetime_to_epoch, parse_hhmm, parse_weekday};

/// How long before the meeting the agenda goes out.
pub const AGENDA_BEFORE_SECS: i64 = 3600;
/// Days a `/chart` shows by default.
pub const CHART_DEFAULT_DAYS: u64 = 14;
/// The longest `/chart` range.
pub const CHART_MAX_DAYS: u64 = 366;

// ---------------------------------------------------------------- meeting times

/// The review's identity as stored on its jobs: minute of the week (Monday 00:00 = 0).
pub fn review_version(weekday: i64, minute: i64) -> i64 {
    weekday * 1440 + minute
}

/// The first meeting instant strictly after `after`: `weekday` (0 = Monday) at `minute` past
/// local midnight in `tz`.
pub fn next_meeting(after: i64, weekday: i64, minute: i64, tz: Tz) -> i64 {
    let minute = minute.clamp(0, 1439);
    let (h, m) = ((minute / 60) as u32, (minute % 60) as u32);
    let mut day = local_date(after, tz);
    for _ in 0..15 {
        if i64::from(day.weekday().num_days_from_monday()) == weekday.rem_euclid(7) {
            let at = local_datetime_to_epoch(day, h, m, tz);
            if at > after {
                return at;
            }
        }
        day = day.succ_opt().unwrap_or(day);
    }
    local_datetime_to_epoch(day, h, m, tz)
}

/// Reads a review job's mark back: the meeting's local day.
pub fn meeting_day(mark: &str) -> Option<NaiveDate> {
    parse_day_key(mark.split('#').next()?)
}

// ---------------------------------------------------------------- /review

/// The longest weekday word (`wednesday.`) in characters.
const MAX_WEEKDAY_CHARS: usize = 12;

/// Parses `fri 17:00` (also `周五 17:00`, `周五17:00`): weekday (0 = Monday) and minute of day.
pub fn parse_review(input: &str) -> Option<(i64, i64)> {
    let s = input.trim();
    let (day, time) = match s.split_once(char::is_whitespace) {
        Some((d, rest)) => (d.to_string(), rest.trim().to_string()),
        None => {
            // `周五17:00`: the weekday is the longest prefix that parses. Weekday words are
            // short, so only the first few characters are tried (a 4,096-character message
            // must not cost a prefix scan of every length — found by fuzzing).
            let cut = s
                .char_indices()
                .map(|(i, _)| i)
                .chain([s.len()])
                .take(MAX_WEEKDAY_CHARS + 1)
                .filter(|&i| i > 0 && parse_weekday(&s[..i]).is_some())
                .last()?;
            (s[..cut].to_string(), s[cut..].trim().to_string())
        }
    };
    let wd = parse_weekday(&day)?;
    let (h, m) = parse_hhmm(&time)?;
    Some((i64::from(wd.num_days_from_monday()), i64::from(h * 60 + m)))
}

/// What `/review <args>` asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReviewRequest {
    /// No arguments: show the current setting.
    Show,
    /// `off` (and its synonyms): stop the review.
    Off,
    /// A new meeting time: weekday (0 = Monday) and minute of the day.
    Set { weekday: i64, minute: i64 },
    /// Not understood (the reply quotes the input).
    Invalid,
}

/// Parses `/review`'s arguments: nothing, `off`, or a weekday and a time.
pub fn parse_review_request(args: &str) -> ReviewRequest {
    let input = args.trim();
    if input.is_empty() {
        return ReviewRequest::Show;
    }
    let off = matches!(
        input.to_lowercase().as_str(),
        "off" | "none" | "stop" | "关" | "关闭" | "取消"
    );
    if off {
        return ReviewRequest::Off;
    }
    match parse_review(input) {
        Some((weekday, minute)) => ReviewRequest::Set { weekday, minute },
        None => ReviewRequest::Invalid,
    }
}

// ---------------------------------------------------------------- /summary

/// Which span a summary covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Span {
    /// The 7 days ending today, against the 7 before.
    Week,
    /// This month to date, against the same number of days before it.
    Month,
}

impl Span {
    /// `week` / `month` (and Chinese), empty = week.
    pub fn parse(s: &str) -> Option<Span> {
        match s.trim().to_lowercase().as_str() {
            "" | "week" | "w" | "7d" | "周" | "本周" | "每周" => Some(Span::Week),
            "month" | "m" | "月" | "本月" => Some(Span::Month),
            _ => None,
        }
    }

    /// The days compared: `(from, to)` this span and `(from, to)` the one before.
    pub fn window(self, today: NaiveDate) -> Window {
        let len = match self {
            Span::Week => 7,
            Span::Month => u64::from(today.day()),
        };
        let from = back(today, len - 1);
        Window {
            from,
            to: today,
            prev_from: back(from, len),
            prev_to: back(from, 1),
        }
    }
}

/// The days a summary compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub prev_from: NaiveDate,
    pub prev_to: NaiveDate,
}

// ---------------------------------------------------------------- /chart

/// What `/chart` was asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChartArgs {
    pub metric: Metric,
    pub channel: Option<String>,
    pub days: u64,
}

/// Parses `[metric] [#channel] [30d]` in any order; a bare word that is not a metric is a
/// channel. Err quotes the token not understood.
pub fn parse_chart_args(args: &str) -> Result<ChartArgs, String> {
    let mut out = ChartArgs {
        metric: Metric::Gmv,
        channel: None,
        days: CHART_DEFAULT_DAYS,
    };
    let (mut metric_seen, mut days_seen) = (false, false);
    for tok in args.split_whitespace() {
        let lower = tok.to_lowercase();
        let days = lower
            .strip_suffix('d')
            .or_else(|| lower.strip_suffix('天'))
            .and_then(|n| n.parse::<u64>().ok());
        if let Some(n) = days
            && !days_seen
            && (1..=CHART_MAX_DAYS).contains(&n)
        {
            out.days = n;
            days_seen = true;
        } else if let Some(name) = tok.strip_prefix('#').or_else(|| tok.strip_prefix('＃')) {
            if out.channel.is_some() || name.is_empty() {
                return Err(tok.to_string());
            }
            out.channel = Some(name.to_lowercase());
        } else if let Some(m) = Metric::parse(tok).filter(|_| !metric_seen) {
            out.metric = m;
            metric_seen = true;
        } else if out.channel.is_none() && days.is_none() {
            out.channel = Some(lower);
        } else {
            return Err(tok.to_string());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn review_args() {
        assert_eq!(parse_review("fri 17:00"), Some((4, 17 * 60)));
        assert_eq!(parse_review("周五 17:00"), Some((4, 17 * 60)));
        assert_eq!(parse_review("周五17:00"), Some((4, 17 * 60)));
        assert_eq!(parse_review("mon 9:30"), Some((0, 9 * 60 + 30)));
        assert_eq!(parse_review("friday"), None);
        assert_eq!(parse_review("fri 25:00"), None);
        assert_eq!(parse_review("xyz 17:00"), None);
    }

    #[test]
    fn review_requests() {
        for (input, want) in [
            ("", ReviewRequest::Show),
            ("  ", ReviewRequest::Show),
            ("off", ReviewRequest::Off),
            ("OFF", ReviewRequest::Off),
            ("关闭", ReviewRequest::Off),
            (
                "fri 17:00",
                ReviewRequest::Set {
                    weekday: 4,
                    minute: 17 * 60,
                },
            ),
            ("friday", ReviewRequest::Invalid),
        ] {
            assert_eq!(parse_review_request(input), want, "{input:?}");
        }
    }

    #[test]
    fn meetings_in_shanghai() {
        let tz: Tz = "Asia/Shanghai".parse().expect("tz");
        // 2026-11-02 09:00 UTC = Monday 17:00 in Shanghai.
        let t0 = 1_793_610_000;
        let fri = next_meeting(t0, 4, 17 * 60, tz);
        assert_eq!(fri - t0, 4 * 86_400);
        // Exactly at the meeting: the next one is a week later.
        assert_eq!(next_meeting(fri, 4, 17 * 60, tz) - fri, 7 * 86_400);
        // Monday 17:00 is "now": next Monday.
        assert_eq!(next_meeting(t0, 0, 17 * 60, tz) - t0, 7 * 86_400);
        assert_eq!(next_meeting(t0 - 1, 0, 17 * 60, tz), t0);
    }

    #[test]
    fn chart_args() {
        let p = parse_chart_args("").expect("empty");
        assert_eq!((p.metric, p.channel, p.days), (Metric::Gmv, None, 14));
        let p = parse_chart_args("cvr #taobao 30d").expect("full");
        assert_eq!(
            (p.metric, p.channel.as_deref(), p.days),
            (Metric::Cvr, Some("taobao"), 30)
        );
        let p = parse_chart_args("30d roi xhs").expect("any order");
        assert_eq!(
            (p.metric, p.channel.as_deref(), p.days),
            (Metric::Roi, Some("xhs"), 30)
        );
        assert_eq!(parse_chart_args("#a #b"), Err("#b".into()));
        assert_eq!(parse_chart_args("0d"), Err("0d".into()));
        assert_eq!(parse_chart_args("cvr ctr xhs"), Err("xhs".into()));
    }

    #[test]
    fn windows() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 6).expect("date");
        let w = Span::Week.window(d);
        assert_eq!(w.from, NaiveDate::from_ymd_opt(2026, 10, 31).expect("d"));
        assert_eq!(w.prev_to, NaiveDate::from_ymd_opt(2026, 10, 30).expect("d"));
        assert_eq!(
            w.prev_from,
            NaiveDate::from_ymd_opt(2026, 10, 24).expect("d")
        );
        let m = Span::Month.window(d);
        assert_eq!(m.from, NaiveDate::from_ymd_opt(2026, 11, 1).expect("d"));
        assert_eq!(
            m.prev_from,
            NaiveDate::from_ymd_opt(2026, 10, 26).expect("d")
        );
        assert_eq!(Span::parse(""), Some(Span::Week));
        assert_eq!(Span::parse("月"), Some(Span::Month));
        assert_eq!(Span::parse("year"), None);
    }
}
