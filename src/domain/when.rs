//! Reading "when" as users type it (SPEC §3), and calendar maths in a team's time zone.
//!
//! "Now" is always a parameter (epoch seconds, UTC). Local times that fall in a DST gap are
//! shifted forward by the gap; local times that occur twice (a fold) take the earlier instant.

use chrono::{
    DateTime, Datelike, Days, LocalResult, NaiveDate, NaiveTime, Offset, TimeDelta, TimeZone,
    Weekday,
};
use chrono_tz::Tz;

/// The local hour a date without a time means (18:00).
pub const DEFAULT_HOUR: u32 = 18;
/// How many days back a check-in date may be.
pub const CHECKIN_MAX_DAYS_BACK: i64 = 60;
/// How far ahead a "when" may be: about ten years.
pub const MAX_AHEAD_SECS: i64 = 3653 * 86_400;
/// The longest duration [`parse_duration`] accepts: about a hundred years.
pub const MAX_DURATION_SECS: i64 = 36_525 * 86_400;

/// Longest input (in characters) the parsers look at; longer input is unrecognized.
const MAX_INPUT_CHARS: usize = 64;
/// Epoch range kept well inside years 1..=9999 so calendar maths never overflows.
pub const MIN_EPOCH: i64 = -62_135_596_800 + 3 * 86_400;
pub const MAX_EPOCH: i64 = 253_402_300_799 - 3 * 86_400;

/// Why a date, time or duration was refused; each variant quotes what the user typed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WhenError {
    /// Not a date, time or duration in any accepted form.
    #[error("unrecognized time: {input}")]
    Unrecognized {
        /// What the user typed.
        input: String,
    },
    /// It resolves to an instant that is not in the future.
    #[error("in the past: {input}")]
    InPast {
        /// What the user typed.
        input: String,
        /// The instant it resolved to (epoch seconds).
        at: i64,
    },
    /// A check-in day after today.
    #[error("in the future: {input}")]
    InFuture {
        /// What the user typed.
        input: String,
        /// The day it resolved to.
        date: NaiveDate,
    },
    /// A check-in day more than [`CHECKIN_MAX_DAYS_BACK`] days ago.
    #[error("too long ago: {input}")]
    TooOld {
        /// What the user typed.
        input: String,
        /// The day it resolved to.
        date: NaiveDate,
        /// The limit in days.
        max_days: i64,
    },
    /// Further ahead than [`MAX_AHEAD_SECS`] (or, for durations, [`MAX_DURATION_SECS`]).
    #[error("too far ahead: {input}")]
    TooFar {
        /// What the user typed.
        input: String,
    },
}

// ---------------------------------------------------------------- calendar helpers

/// The local calendar date of an instant in `tz`.
pub fn local_date(epoch: i64, tz: Tz) -> NaiveDate {
    let e = epoch.clamp(MIN_EPOCH, MAX_EPOCH);
    DateTime::from_timestamp(e, 0)
        .map(|dt| dt.with_timezone(&tz).date_naive())
        .unwrap_or_default()
}

/// The instant of local `date h:m` in `tz`: a DST gap shifts forward, a fold takes the earlier instant.
pub fn local_datetime_to_epoch(date: NaiveDate, h: u32, m: u32, tz: Tz) -> i64 {
    let date = clamp_date(date);
    let time = NaiveTime::from_hms_opt(h.min(23), m.min(59), 0).unwrap_or(NaiveTime::MIN);
    let ndt = date.and_time(time);
    match tz.from_local_datetime(&ndt) {
        LocalResult::Single(dt) => dt.timestamp(),
        LocalResult::Ambiguous(a, b) => a.timestamp().min(b.timestamp()),
        LocalResult::None => {
            // In a gap: read the wall time with the offset in force just before the gap,
            // which lands the same distance past the transition (02:30 → 03:30 in New York).
            let probe = ndt.checked_sub_signed(TimeDelta::hours(30)).unwrap_or(ndt);
            let offset = tz.offset_from_utc_datetime(&probe).fix().local_minus_utc();
            ndt.and_utc().timestamp() - i64::from(offset)
        }
    }
}

/// Formats an instant for replies in `tz`: `2026-12-01 18:00 Tue`.
pub fn format_local(epoch: i64, tz: Tz) -> String {
    let e = epoch.clamp(MIN_EPOCH, MAX_EPOCH);
    match DateTime::from_timestamp(e, 0) {
        Some(dt) => dt
            .with_timezone(&tz)
            .format("%Y-%m-%d %H:%M %a")
            .to_string(),
        None => e.to_string(),
    }
}

/// Formats a date for replies: `2026-12-01 Tue`.
pub fn format_date(date: NaiveDate) -> String {
    date.format("%Y-%m-%d %a").to_string()
}

fn clamp_date(d: NaiveDate) -> NaiveDate {
    let lo = NaiveDate::from_ymd_opt(1, 1, 2).unwrap_or(NaiveDate::MIN);
    let hi = NaiveDate::from_ymd_opt(9999, 12, 30).unwrap_or(NaiveDate::MAX);
    d.clamp(lo, hi)
}

fn add_days(d: NaiveDate, n: i64) -> Option<NaiveDate> {
    if n >= 0 {
        d.checked_add_days(Days::new(n.unsigned_abs()))
    } else {
        d.checked_sub_days(Days::new(n.unsigned_abs()))
    }
}

fn monday_of(d: NaiveDate) -> Option<NaiveDate> {
    add_days(d, -i64::from(d.weekday().num_days_from_monday()))
}

// ---------------------------------------------------------------- tokens

/// Lowercase, full-width → ASCII, whitespace collapsed to single spaces.
fn normalize(s: &str) -> String {
    let mapped: String = s
        .chars()
        .map(|c| match c {
            '：' => ':',
            '０'..='９' => {
                char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')).unwrap_or(c)
            }
            '／' => '/',
            '－' => '-',
            '＋' => '+',
            '．' => '.',
            '，' => ',',
            c => c,
        })
        .flat_map(char::to_lowercase)
        .collect();
    mapped.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn digits(s: &str, min: usize, max: usize) -> Option<u32> {
    if s.len() < min || s.len() > max || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parses a time of day: `18:00`, `9:30`, `6pm`, `6:30 pm`, `18点`, `18点30`, `18点半`, `下午6点`.
pub fn parse_hhmm(s: &str) -> Option<(u32, u32)> {
    let n = normalize(s);
    let mut t: String = n.chars().filter(|c| !c.is_whitespace()).collect();
    // Chinese period-of-day prefix: Some(true) = afternoon/evening.
    let mut cn_pm: Option<bool> = None;
    for (prefix, pm) in [
        ("凌晨", false),
        ("早上", false),
        ("早晨", false),
        ("上午", false),
        ("中午", true),
        ("下午", true),
        ("傍晚", true),
        ("晚上", true),
    ] {
        if let Some(rest) = t.strip_prefix(prefix) {
            cn_pm = Some(pm);
            t = rest.to_string();
            break;
        }
    }
    let mut en_pm: Option<bool> = None;
    for (suffix, pm) in [("a.m.", false), ("p.m.", true), ("am", false), ("pm", true)] {
        if let Some(rest) = t.strip_suffix(suffix) {
            en_pm = Some(pm);
            t = rest.to_string();
            break;
        }
    }
    let (h, m) = if let Some((h, m)) = t.split_once(':') {
        (digits(h, 1, 2)?, digits(m, 2, 2)?)
    } else if let Some((h, rest)) = t.split_once('点').or_else(|| t.split_once('时')) {
        let h = digits(h, 1, 2)?;
        let m = match rest {
            "" | "整" => 0,
            "半" => 30,
            r => digits(r.strip_suffix('分').unwrap_or(r), 1, 2)?,
        };
        (h, m)
    } else if en_pm.is_some() {
        (digits(&t, 1, 2)?, 0)
    } else {
        return None;
    };
    if m > 59 {
        return None;
    }
    let h = match (en_pm, cn_pm) {
        (Some(_), Some(_)) => return None,
        (Some(pm), None) => {
            if !(1..=12).contains(&h) {
                return None;
            }
            match (pm, h) {
                (false, 12) => 0,
                (true, 12) => 12,
                (true, h) => h + 12,
                (false, h) => h,
            }
        }
        (None, Some(true)) if h < 12 => h + 12,
        _ => h,
    };
    if h > 23 {
        return None;
    }
    Some((h, m))
}

/// Parses a weekday: `mon`/`monday`…, `周一`…`周日`/`周天`, `星期一`…, `礼拜一`….
pub fn parse_weekday(s: &str) -> Option<Weekday> {
    let n = normalize(s);
    let n = n.trim_end_matches('.');
    let en = match n {
        "mon" | "monday" => Some(Weekday::Mon),
        "tue" | "tues" | "tuesday" => Some(Weekday::Tue),
        "wed" | "weds" | "wednesday" => Some(Weekday::Wed),
        "thu" | "thur" | "thurs" | "thursday" => Some(Weekday::Thu),
        "fri" | "friday" => Some(Weekday::Fri),
        "sat" | "saturday" => Some(Weekday::Sat),
        "sun" | "sunday" => Some(Weekday::Sun),
        _ => None,
    };
    if en.is_some() {
        return en;
    }
    let rest = ["星期", "礼拜", "周"]
        .iter()
        .find_map(|p| n.strip_prefix(p))?;
    match rest {
        "一" | "1" => Some(Weekday::Mon),
        "二" | "2" => Some(Weekday::Tue),
        "三" | "3" => Some(Weekday::Wed),
        "四" | "4" => Some(Weekday::Thu),
        "五" | "5" => Some(Weekday::Fri),
        "六" | "6" => Some(Weekday::Sat),
        "日" | "天" | "七" | "7" => Some(Weekday::Sun),
        _ => None,
    }
}

// ---------------------------------------------------------------- durations

enum DurErr {
    Invalid,
    TooLarge,
}

const UNITS: &[(&str, i64)] = &[
    ("个小时", 3600),
    ("个钟头", 3600),
    ("个星期", 604_800),
    ("个礼拜", 604_800),
    ("seconds", 1),
    ("minutes", 60),
    ("second", 1),
    ("minute", 60),
    ("hours", 3600),
    ("weeks", 604_800),
    ("secs", 1),
    ("mins", 60),
    ("hour", 3600),
    ("days", 86_400),
    ("week", 604_800),
    ("sec", 1),
    ("min", 60),
    ("hrs", 3600),
    ("day", 86_400),
    ("wks", 604_800),
    ("hr", 3600),
    ("wk", 604_800),
    ("分钟", 60),
    ("秒钟", 1),
    ("小时", 3600),
    ("钟头", 3600),
    ("星期", 604_800),
    ("礼拜", 604_800),
    ("s", 1),
    ("m", 60),
    ("h", 3600),
    ("d", 86_400),
    ("w", 604_800),
    ("秒", 1),
    ("分", 60),
    ("时", 3600),
    ("天", 86_400),
    ("日", 86_400),
    ("周", 604_800),
];

/// Reads a number at the start of `s` as thousandths: `3`, `1.5`, `a`/`an`, `一`…`十`, `两`, `半`.
fn read_number(s: &str) -> Result<(i128, &str), DurErr> {
    for (word, v) in [("an ", 1000), ("a ", 1000), ("one ", 1000)] {
        if let Some(rest) = s.strip_prefix(word) {
            return Ok((v, rest));
        }
    }
    let end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    if end == 0 {
        let c = s.chars().next().ok_or(DurErr::Invalid)?;
        let v = match c {
            '半' => 500,
            '一' => 1000,
            '两' | '二' => 2000,
            '三' => 3000,
            '四' => 4000,
            '五' => 5000,
            '六' => 6000,
            '七' => 7000,
            '八' => 8000,
            '九' => 9000,
            '十' => 10_000,
            _ => return Err(DurErr::Invalid),
        };
        return Ok((v, &s[c.len_utf8()..]));
    }
    let num = &s[..end];
    let (int, frac) = match num.split_once('.') {
        Some((i, f)) => (i, f),
        None => (num, ""),
    };
    if int.is_empty() || frac.contains('.') || frac.len() > 3 {
        return Err(DurErr::Invalid);
    }
    let int = int.trim_start_matches('0');
    if int.len() > 15 {
        return Err(DurErr::TooLarge);
    }
    let int_v: i128 = if int.is_empty() {
        0
    } else {
        int.parse().map_err(|_| DurErr::Invalid)?
    };
    let mut frac_v: i128 = 0;
    for (i, b) in frac.bytes().enumerate() {
        frac_v += i128::from(b - b'0') * 10i128.pow(2 - i as u32);
    }
    Ok((int_v * 1000 + frac_v, &s[end..]))
}

fn read_unit(s: &str) -> Option<(i64, &str)> {
    for (unit, secs) in UNITS {
        if let Some(rest) = s.strip_prefix(unit) {
            let ascii = unit.is_ascii();
            if ascii && rest.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) {
                continue;
            }
            return Some((*secs, rest));
        }
    }
    None
}

fn duration_secs(s: &str) -> Result<i64, DurErr> {
    let s = s.trim();
    if s.is_empty() || s.chars().count() > MAX_INPUT_CHARS {
        return Err(DurErr::Invalid);
    }
    let mut rest = s;
    let mut total: i128 = 0;
    let mut parts = 0;
    loop {
        rest = rest.trim_start();
        if parts > 0 {
            for sep in ["and ", ",", "又"] {
                if let Some(r) = rest.strip_prefix(sep) {
                    rest = r.trim_start();
                    break;
                }
            }
        }
        if rest.is_empty() {
            break;
        }
        let (thousandths, after) = read_number(rest)?;
        let after = after.trim_start();
        let after = after.strip_prefix('个').unwrap_or(after);
        let (unit, after) = read_unit(after).ok_or(DurErr::Invalid)?;
        total += thousandths * i128::from(unit) / 1000;
        if total > i128::from(MAX_DURATION_SECS) {
            return Err(DurErr::TooLarge);
        }
        parts += 1;
        rest = after;
    }
    if parts == 0 {
        return Err(DurErr::Invalid);
    }
    i64::try_from(total).map_err(|_| DurErr::TooLarge)
}

/// Parses a duration into seconds: `23h`, `1d`, `30m`, `2d3h`, `90s`, `1w`, `1.5h`, `3 days`, `2小时`.
pub fn parse_duration(input: &str) -> Result<i64, WhenError> {
    duration_secs(&normalize(input)).map_err(|e| match e {
        DurErr::Invalid => WhenError::Unrecognized {
            input: input.to_string(),
        },
        DurErr::TooLarge => WhenError::TooFar {
            input: input.to_string(),
        },
    })
}

// ---------------------------------------------------------------- dates

/// A date as typed, before it is resolved against "now".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DateSpec {
    /// Days from today (`today` 0, `tomorrow` 1, `yesterday` -1).
    Offset(i64),
    /// A bare weekday (`fri`, `周五`).
    Weekday(Weekday),
    /// That weekday of next week (`next mon`, `下周一`).
    NextWeekday(Weekday),
    /// That weekday of this week (`this fri`, `本周五`).
    ThisWeekday(Weekday),
    /// That weekday of last week (`last fri`, `上周五`).
    LastWeekday(Weekday),
    /// A full date.
    Full(NaiveDate),
    /// Month and day without a year.
    MonthDay(u32, u32),
}

fn parse_date_spec(s: &str) -> Option<DateSpec> {
    let s = s.trim();
    let offset = match s {
        "today" | "tod" | "今天" | "今日" => Some(0),
        "tomorrow" | "tmr" | "tmrw" | "tomorow" | "tommorow" | "tommorrow" | "明天" | "明日" => {
            Some(1)
        }
        "day after tomorrow" | "overmorrow" | "后天" => Some(2),
        "大后天" => Some(3),
        "yesterday" | "yday" | "yest" | "昨天" | "昨日" => Some(-1),
        "day before yesterday" | "前天" => Some(-2),
        "大前天" => Some(-3),
        _ => None,
    };
    if let Some(o) = offset {
        return Some(DateSpec::Offset(o));
    }
    if let Some(wd) = parse_weekday(s) {
        return Some(DateSpec::Weekday(wd));
    }
    type MakeSpec = fn(Weekday) -> DateSpec;
    let prefixed: [(&str, MakeSpec); 12] = [
        ("next ", DateSpec::NextWeekday),
        ("this ", DateSpec::ThisWeekday),
        ("last ", DateSpec::LastWeekday),
        ("下个", DateSpec::NextWeekday),
        ("下", DateSpec::NextWeekday),
        ("这个", DateSpec::ThisWeekday),
        ("这", DateSpec::ThisWeekday),
        ("本", DateSpec::ThisWeekday),
        ("上个", DateSpec::LastWeekday),
        ("上", DateSpec::LastWeekday),
        ("coming ", DateSpec::Weekday),
        ("on ", DateSpec::Weekday),
    ];
    for (prefix, make) in prefixed {
        if let Some(wd) = s.strip_prefix(prefix).and_then(parse_weekday) {
            return Some(make(wd));
        }
    }
    match s {
        "next week" | "下周" | "下星期" | "下礼拜" | "下个星期" | "下个礼拜" => {
            return Some(DateSpec::NextWeekday(Weekday::Mon));
        }
        _ => {}
    }
    // "-1d", "3 days ago", "3天前".
    if let Some(rest) = s.strip_prefix('-') {
        return whole_days(rest).map(|n| DateSpec::Offset(-n));
    }
    if let Some(rest) = s.strip_suffix(" ago").or_else(|| s.strip_suffix("前")) {
        return whole_days(rest).map(|n| DateSpec::Offset(-n));
    }
    parse_numeric_date(s)
}

fn whole_days(s: &str) -> Option<i64> {
    let s = s.trim();
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let n: i64 = digits(&s[..end], 1, 4)?.into();
    match s[end..].trim() {
        "d" | "day" | "days" | "天" => Some(n),
        _ => None,
    }
}

fn parse_numeric_date(s: &str) -> Option<DateSpec> {
    let mut t = s.to_string();
    if t.contains('月') {
        t = t.trim_end_matches(['日', '号']).replace(['年', '月'], "-");
    }
    let parts: Vec<&str> = t.split(['-', '/', '.']).collect();
    match parts.as_slice() {
        [y, m, d] => {
            let y = digits(y, 4, 4)?;
            let date = NaiveDate::from_ymd_opt(
                i32::try_from(y).ok()?,
                digits(m, 1, 2)?,
                digits(d, 1, 2)?,
            )?;
            Some(DateSpec::Full(date))
        }
        [m, d] => {
            let (m, d) = (digits(m, 1, 2)?, digits(d, 1, 2)?);
            // Valid in some year (Feb 29 in a leap year).
            NaiveDate::from_ymd_opt(2000, m, d)?;
            Some(DateSpec::MonthDay(m, d))
        }
        _ => None,
    }
}

/// Strips connective words around a date part: `on fri at`, `明天的`.
fn clean_date_part(s: &str) -> &str {
    let mut s = s.trim();
    for suffix in [" at", "at", "@", ",", "的"] {
        if s == suffix.trim() {
            return "";
        }
        if let Some(r) = s.strip_suffix(suffix) {
            // "at" glued to a word is part of it: "sat" is Saturday, not "s" + "at".
            if suffix == "at" && r.ends_with(|c: char| c.is_ascii_alphabetic()) {
                continue;
            }
            s = r.trim();
            break;
        }
    }
    s
}

type DateTimeSpec = (Option<DateSpec>, Option<(u32, u32)>);

/// Splits `s` into a date part and a time part (either may be absent, not both).
fn split_date_time(s: &str) -> Option<DateTimeSpec> {
    if let Some(spec) = parse_date_spec(s) {
        return Some((Some(spec), None));
    }
    let mut prev: Option<char> = None;
    for (i, c) in s.char_indices() {
        let boundary = match prev {
            None => true,
            Some(p) => {
                p.is_whitespace()
                    || !p.is_ascii()
                    || (p.is_ascii_alphabetic() && c.is_ascii_digit())
            }
        };
        prev = Some(c);
        if !boundary {
            continue;
        }
        let Some(time) = parse_hhmm(&s[i..]) else {
            continue;
        };
        let date_part = clean_date_part(&s[..i]);
        if date_part.is_empty() {
            return Some((None, Some(time)));
        }
        if let Some(spec) = parse_date_spec(date_part) {
            return Some((Some(spec), Some(time)));
        }
    }
    // Time first: "18:00 tomorrow".
    if let Some((first, rest)) = s.split_once(' ')
        && let Some(time) = parse_hhmm(first)
        && let Some(spec) = parse_date_spec(clean_date_part(rest))
    {
        return Some((Some(spec), Some(time)));
    }
    None
}

/// Resolves a relative form (`+3d`, `in 2 hours`, `3天后`, `2h later`) to seconds ahead.
fn parse_relative(s: &str) -> Option<Result<i64, DurErr>> {
    if let Some(rest) = s.strip_prefix('+') {
        return Some(duration_secs(rest));
    }
    if let Some(rest) = s.strip_prefix("in ") {
        return Some(duration_secs(rest));
    }
    for suffix in [" later", " from now", "以后", "之后", "后"] {
        if let Some(rest) = s.strip_suffix(suffix) {
            let starts_numeric = rest
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit() || "一两二三四五六七八九十半".contains(c));
            if starts_numeric {
                return Some(duration_secs(rest));
            }
        }
    }
    None
}

/// Parses a future instant (SPEC §3 "when") in the team's zone; see the module docs for the rules.
pub fn parse_when(input: &str, now: i64, tz: Tz) -> Result<i64, WhenError> {
    let unrecognized = || WhenError::Unrecognized {
        input: input.to_string(),
    };
    let too_far = || WhenError::TooFar {
        input: input.to_string(),
    };
    let s = normalize(input);
    if s.is_empty() || s.chars().count() > MAX_INPUT_CHARS {
        return Err(unrecognized());
    }
    let at = match parse_relative(&s) {
        Some(Ok(secs)) => now.checked_add(secs).ok_or_else(too_far)?,
        Some(Err(DurErr::Invalid)) => return Err(unrecognized()),
        Some(Err(DurErr::TooLarge)) => return Err(too_far()),
        None => {
            let (spec, time) = split_date_time(&s).ok_or_else(unrecognized)?;
            resolve_future(spec, time, now, tz).ok_or_else(unrecognized)?
        }
    };
    if at <= now {
        return Err(WhenError::InPast {
            input: input.to_string(),
            at,
        });
    }
    if at - now > MAX_AHEAD_SECS {
        return Err(too_far());
    }
    Ok(at)
}

fn resolve_future(
    spec: Option<DateSpec>,
    time: Option<(u32, u32)>,
    now: i64,
    tz: Tz,
) -> Option<i64> {
    let today = local_date(now, tz);
    let (h, m) = time.unwrap_or((DEFAULT_HOUR, 0));
    let at = |d: NaiveDate| local_datetime_to_epoch(d, h, m, tz);
    let monday = monday_of(today)?;
    let date = match spec {
        None => {
            let t = at(today);
            return if t > now {
                Some(t)
            } else {
                add_days(today, 1).map(at)
            };
        }
        Some(DateSpec::Offset(n)) => add_days(today, n)?,
        Some(DateSpec::Weekday(wd)) => {
            let ahead = (7 + i64::from(wd.num_days_from_monday())
                - i64::from(today.weekday().num_days_from_monday()))
                % 7;
            let d = add_days(today, ahead)?;
            if at(d) > now { d } else { add_days(d, 7)? }
        }
        Some(DateSpec::NextWeekday(wd)) => {
            add_days(monday, 7 + i64::from(wd.num_days_from_monday()))?
        }
        Some(DateSpec::ThisWeekday(wd)) => add_days(monday, i64::from(wd.num_days_from_monday()))?,
        Some(DateSpec::LastWeekday(wd)) => {
            add_days(monday, i64::from(wd.num_days_from_monday()) - 7)?
        }
        Some(DateSpec::Full(d)) => d,
        Some(DateSpec::MonthDay(mo, d)) => (today.year()..=today.year().saturating_add(8))
            .filter_map(|y| NaiveDate::from_ymd_opt(y, mo, d))
            .find(|date| *date >= today)?,
    };
    Some(at(date))
}

/// Parses a check-in day: `today`, `yesterday`, `昨天`, `前天`, `2026-11-20`, `11-20` (nearest), `-1d`, `fri` (most recent).
pub fn parse_day(input: &str, now: i64, tz: Tz) -> Result<NaiveDate, WhenError> {
    let date = resolve_day(input, now, tz)?;
    let today = local_date(now, tz);
    if date > today {
        return Err(WhenError::InFuture {
            input: input.to_string(),
            date,
        });
    }
    if (today - date).num_days() > CHECKIN_MAX_DAYS_BACK {
        return Err(WhenError::TooOld {
            input: input.to_string(),
            date,
            max_days: CHECKIN_MAX_DAYS_BACK,
        });
    }
    Ok(date)
}

/// Reads a day as [`parse_day`] does, past or future (a festival's date): `2026-12-20`,
/// `12-20` (the nearest such day), `+3d`, `tomorrow`, `明天`, `fri` (the most recent).
pub fn resolve_day(input: &str, now: i64, tz: Tz) -> Result<NaiveDate, WhenError> {
    let unrecognized = || WhenError::Unrecognized {
        input: input.to_string(),
    };
    let s = normalize(input);
    if s.is_empty() || s.chars().count() > MAX_INPUT_CHARS {
        return Err(unrecognized());
    }
    let today = local_date(now, tz);
    let spec = parse_date_spec(&s).ok_or_else(unrecognized)?;
    let monday = monday_of(today).ok_or_else(unrecognized)?;
    match spec {
        DateSpec::Offset(n) => add_days(today, n),
        DateSpec::Weekday(wd) => {
            let back = (7 + i64::from(today.weekday().num_days_from_monday())
                - i64::from(wd.num_days_from_monday()))
                % 7;
            add_days(today, -back)
        }
        DateSpec::NextWeekday(wd) => add_days(monday, 7 + i64::from(wd.num_days_from_monday())),
        DateSpec::ThisWeekday(wd) => add_days(monday, i64::from(wd.num_days_from_monday())),
        DateSpec::LastWeekday(wd) => add_days(monday, i64::from(wd.num_days_from_monday()) - 7),
        DateSpec::Full(d) => Some(d),
        // The nearest such date (a past one on a tie): "12-31" in early January is last year,
        // "11-21" on 11-20 is tomorrow (refused as future, not read as a year ago).
        DateSpec::MonthDay(mo, d) => (today.year().saturating_sub(8)
            ..=today.year().saturating_add(1))
            .filter_map(|y| NaiveDate::from_ymd_opt(y, mo, d))
            .min_by_key(|date| ((*date - today).num_days().abs(), *date > today)),
    }
    .ok_or_else(unrecognized)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::America::New_York;
    use chrono_tz::Asia::Shanghai;
    use proptest::prelude::*;

    const SH: Tz = Shanghai;

    /// Epoch of a local wall time in Shanghai (UTC+8, no DST).
    fn sh(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
        let date = NaiveDate::from_ymd_opt(y, mo, d).expect("test date");
        local_datetime_to_epoch(date, h, mi, SH)
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("test date")
    }

    // 2026-11-20 is a Friday.
    fn fri_morning() -> i64 {
        sh(2026, 11, 20, 10, 0)
    }
    fn fri_evening() -> i64 {
        sh(2026, 11, 20, 19, 0)
    }

    #[test]
    fn when_table_friday_morning() {
        let now = fri_morning();
        let cases: &[(&str, i64)] = &[
            ("2026-12-01", sh(2026, 12, 1, 18, 0)),
            ("2026/12/01", sh(2026, 12, 1, 18, 0)),
            ("2026-12-01 09:15", sh(2026, 12, 1, 9, 15)),
            ("12-01", sh(2026, 12, 1, 18, 0)),
            ("12/01 18:00", sh(2026, 12, 1, 18, 0)),
            ("12/1 8:05", sh(2026, 12, 1, 8, 5)),
            ("12月1日", sh(2026, 12, 1, 18, 0)),
            ("12月1号 10:00", sh(2026, 12, 1, 10, 0)),
            ("2027年1月5日", sh(2027, 1, 5, 18, 0)),
            ("11-19", sh(2027, 11, 19, 18, 0)),
            ("today 18:00", sh(2026, 11, 20, 18, 0)),
            ("Today 18:00", sh(2026, 11, 20, 18, 0)),
            ("today", sh(2026, 11, 20, 18, 0)),
            ("tomorrow", sh(2026, 11, 21, 18, 0)),
            ("tmr", sh(2026, 11, 21, 18, 0)),
            ("tomorrow 9:30", sh(2026, 11, 21, 9, 30)),
            ("tomorrow at 9am", sh(2026, 11, 21, 9, 0)),
            ("9:30 tomorrow", sh(2026, 11, 21, 9, 30)),
            ("fri", sh(2026, 11, 20, 18, 0)),
            ("fri 18:00", sh(2026, 11, 20, 18, 0)),
            ("Friday 18:00", sh(2026, 11, 20, 18, 0)),
            ("fri 9:00", sh(2026, 11, 27, 9, 0)),
            ("sat", sh(2026, 11, 21, 18, 0)),
            ("sat 10:00", sh(2026, 11, 21, 10, 0)),
            ("sat at 10:00", sh(2026, 11, 21, 10, 0)),
            ("thursday", sh(2026, 11, 26, 18, 0)),
            ("mon", sh(2026, 11, 23, 18, 0)),
            ("next mon", sh(2026, 11, 23, 18, 0)),
            ("next fri", sh(2026, 11, 27, 18, 0)),
            ("next sun 10:00", sh(2026, 11, 29, 10, 0)),
            ("this sat", sh(2026, 11, 21, 18, 0)),
            ("+3d", now + 3 * 86_400),
            ("+2h", now + 2 * 3600),
            ("+30m", now + 30 * 60),
            ("+1w", now + 7 * 86_400),
            ("+1d2h", now + 86_400 + 7200),
            ("in 3 days", now + 3 * 86_400),
            ("in 2 hours", now + 7200),
            ("in 30 minutes", now + 1800),
            ("in 1 week", now + 604_800),
            ("in an hour", now + 3600),
            ("3天后", now + 3 * 86_400),
            ("2小时后", now + 7200),
            ("半小时后", now + 1800),
            ("明天", sh(2026, 11, 21, 18, 0)),
            ("后天", sh(2026, 11, 22, 18, 0)),
            ("周五", sh(2026, 11, 20, 18, 0)),
            ("星期五", sh(2026, 11, 20, 18, 0)),
            ("周五 18:00", sh(2026, 11, 20, 18, 0)),
            ("周五18:00", sh(2026, 11, 20, 18, 0)),
            ("周日", sh(2026, 11, 22, 18, 0)),
            ("周天", sh(2026, 11, 22, 18, 0)),
            ("下周一", sh(2026, 11, 23, 18, 0)),
            ("下周五", sh(2026, 11, 27, 18, 0)),
            ("下星期三 9:00", sh(2026, 11, 25, 9, 0)),
            ("今天18:00", sh(2026, 11, 20, 18, 0)),
            ("今天 18:00", sh(2026, 11, 20, 18, 0)),
            ("今天18：00", sh(2026, 11, 20, 18, 0)),
            ("明天下午3点", sh(2026, 11, 21, 15, 0)),
            ("明天上午10点半", sh(2026, 11, 21, 10, 30)),
            ("明天 9点", sh(2026, 11, 21, 9, 0)),
            ("18:00", sh(2026, 11, 20, 18, 0)),
            ("9:00", sh(2026, 11, 21, 9, 0)),
            ("6pm", sh(2026, 11, 20, 18, 0)),
            ("at 6:30 pm", sh(2026, 11, 20, 18, 30)),
            ("today18:00", sh(2026, 11, 20, 18, 0)),
            ("  TOMORROW  ", sh(2026, 11, 21, 18, 0)),
        ];
        for (input, want) in cases {
            assert_eq!(
                parse_when(input, now, SH),
                Ok(*want),
                "input {input:?} got {:?}",
                parse_when(input, now, SH).map(|e| format_local(e, SH))
            );
        }
    }

    #[test]
    fn when_table_friday_evening() {
        let now = fri_evening();
        let cases: &[(&str, i64)] = &[
            ("fri", sh(2026, 11, 27, 18, 0)),
            ("fri 18:00", sh(2026, 11, 27, 18, 0)),
            ("fri 20:00", sh(2026, 11, 20, 20, 0)),
            ("周五", sh(2026, 11, 27, 18, 0)),
            ("18:00", sh(2026, 11, 21, 18, 0)),
            ("19:00", sh(2026, 11, 21, 19, 0)),
            ("19:01", sh(2026, 11, 20, 19, 1)),
            ("tomorrow", sh(2026, 11, 21, 18, 0)),
        ];
        for (input, want) in cases {
            assert_eq!(parse_when(input, now, SH), Ok(*want), "input {input:?}");
        }
    }

    #[test]
    fn when_errors() {
        let now = fri_evening();
        let past: &[&str] = &[
            "2020-01-01",
            "today",
            "today 18:00",
            "今天18:00",
            "11-20",
            "yesterday",
            "this mon",
            "last fri",
            "+0m",
            "-1d",
            "2026-11-20 19:00",
        ];
        for input in past {
            match parse_when(input, now, SH) {
                Err(WhenError::InPast { input: got, at }) => {
                    assert_eq!(got, *input);
                    assert!(at <= now);
                }
                other => panic!("input {input:?}: {other:?}"),
            }
        }
        let bad: &[&str] = &[
            "",
            "   ",
            "soon",
            "2026-02-30",
            "13-01",
            "25:00",
            "fri 25:00",
            "+",
            "+3",
            "+3x",
            "+-3d",
            "in days",
            "next",
            "12-01-2026",
            "18",
            "1800",
            "周八",
            "2026-12-01 18:00 extra",
            "+1mo",
        ];
        for input in bad {
            assert_eq!(
                parse_when(input, now, SH),
                Err(WhenError::Unrecognized {
                    input: input.to_string()
                }),
                "input {input:?}"
            );
        }
        for input in ["9999-12-31", "+99999999999999d", "+20000w", "2040-01-01"] {
            assert_eq!(
                parse_when(input, now, SH),
                Err(WhenError::TooFar {
                    input: input.to_string()
                }),
                "input {input:?}"
            );
        }
    }

    #[test]
    fn month_day_rolls_to_next_year_and_leap_day() {
        let now = sh(2026, 12, 15, 12, 0);
        assert_eq!(parse_when("12-01", now, SH), Ok(sh(2027, 12, 1, 18, 0)));
        assert_eq!(parse_when("01-05", now, SH), Ok(sh(2027, 1, 5, 18, 0)));
        assert_eq!(parse_when("02-29", now, SH), Ok(sh(2028, 2, 29, 18, 0)));
        assert_eq!(parse_when("12-15", now, SH), Ok(sh(2026, 12, 15, 18, 0)));
    }

    #[test]
    fn next_mon_on_sunday_is_tomorrow() {
        let now = sh(2026, 11, 22, 10, 0); // Sunday
        assert_eq!(parse_when("next mon", now, SH), Ok(sh(2026, 11, 23, 18, 0)));
        assert_eq!(parse_when("下周日", now, SH), Ok(sh(2026, 11, 29, 18, 0)));
        assert_eq!(parse_when("mon", now, SH), Ok(sh(2026, 11, 23, 18, 0)));
    }

    #[test]
    fn dst_gap_and_fold() {
        let ny = New_York;
        // Spring forward 2026-03-08: 02:30 does not exist → 03:30 EDT = 07:30 UTC.
        let gap = local_datetime_to_epoch(date(2026, 3, 8), 2, 30, ny);
        assert_eq!(
            gap,
            DateTime::parse_from_rfc3339("2026-03-08T07:30:00Z")
                .map(|d| d.timestamp())
                .unwrap_or(0)
        );
        assert_eq!(format_local(gap, ny), "2026-03-08 03:30 Sun");
        // Fall back 2026-11-01: 01:30 happens twice → the earlier (EDT) = 05:30 UTC.
        let fold = local_datetime_to_epoch(date(2026, 11, 1), 1, 30, ny);
        assert_eq!(
            fold,
            DateTime::parse_from_rfc3339("2026-11-01T05:30:00Z")
                .map(|d| d.timestamp())
                .unwrap_or(0)
        );
        // Via parse_when.
        let now = local_datetime_to_epoch(date(2026, 3, 7), 12, 0, ny);
        assert_eq!(parse_when("2026-03-08 02:30", now, ny), Ok(gap));
        assert_eq!(parse_when("tomorrow 2:30", now, ny), Ok(gap));
        let now = local_datetime_to_epoch(date(2026, 10, 31), 12, 0, ny);
        assert_eq!(parse_when("tomorrow 1:30", now, ny), Ok(fold));
        // +1d across the change is exactly 86400 seconds.
        assert_eq!(parse_when("+1d", now, ny), Ok(now + 86_400));
    }

    #[test]
    fn samoa_skipped_day_does_not_panic() {
        let tz = chrono_tz::Pacific::Apia;
        let t = local_datetime_to_epoch(date(2011, 12, 30), 18, 0, tz);
        assert!(t > local_datetime_to_epoch(date(2011, 12, 29), 18, 0, tz));
    }

    #[test]
    fn extreme_epochs_do_not_panic() {
        for e in [i64::MIN, i64::MAX, 0, -1, MIN_EPOCH, MAX_EPOCH] {
            let _ = local_date(e, SH);
            let _ = format_local(e, SH);
            let _ = parse_when("tomorrow", e, SH);
            let _ = parse_when("+3d", e, SH);
            let _ = parse_when("12-01", e, SH);
            let _ = parse_when("next mon", e, SH);
            let _ = parse_day("fri", e, SH);
        }
        let _ = local_datetime_to_epoch(NaiveDate::MAX, 99, 99, SH);
        let _ = local_datetime_to_epoch(NaiveDate::MIN, 0, 0, SH);
    }

    #[test]
    fn day_table() {
        let now = fri_morning(); // Friday 2026-11-20
        let cases: &[(&str, NaiveDate)] = &[
            ("today", date(2026, 11, 20)),
            ("今天", date(2026, 11, 20)),
            ("yesterday", date(2026, 11, 19)),
            ("昨天", date(2026, 11, 19)),
            ("前天", date(2026, 11, 18)),
            ("2026-11-20", date(2026, 11, 20)),
            ("2026-11-01", date(2026, 11, 1)),
            ("11-20", date(2026, 11, 20)),
            ("11-19", date(2026, 11, 19)),
            ("-1d", date(2026, 11, 19)),
            ("-3d", date(2026, 11, 17)),
            ("3 days ago", date(2026, 11, 17)),
            ("3天前", date(2026, 11, 17)),
            ("fri", date(2026, 11, 20)),
            ("thu", date(2026, 11, 19)),
            ("mon", date(2026, 11, 16)),
            ("sat", date(2026, 11, 14)),
            ("周六", date(2026, 11, 14)),
            ("last fri", date(2026, 11, 13)),
            ("上周五", date(2026, 11, 13)),
            ("Yesterday", date(2026, 11, 19)),
        ];
        for (input, want) in cases {
            assert_eq!(parse_day(input, now, SH), Ok(*want), "input {input:?}");
        }
        // Early January: "12-31" is last year.
        let jan = sh(2027, 1, 2, 9, 0);
        assert_eq!(parse_day("12-31", jan, SH), Ok(date(2026, 12, 31)));
    }

    #[test]
    fn day_errors() {
        let now = fri_morning();
        for input in ["tomorrow", "2026-11-21", "明天", "next mon", "11-21"] {
            assert!(
                matches!(parse_day(input, now, SH), Err(WhenError::InFuture { .. })),
                "input {input:?}"
            );
        }
        for input in ["2026-01-01", "-61d", "2020-01-01"] {
            match parse_day(input, now, SH) {
                Err(WhenError::TooOld { max_days, .. }) => assert_eq!(max_days, 60),
                other => panic!("input {input:?}: {other:?}"),
            }
        }
        assert_eq!(parse_day("-60d", now, SH), Ok(date(2026, 9, 21)));
        for input in ["", "soon", "18:00", "2026-13-01", "+1d"] {
            assert_eq!(
                parse_day(input, now, SH),
                Err(WhenError::Unrecognized {
                    input: input.to_string()
                }),
                "input {input:?}"
            );
        }
    }

    #[test]
    fn day_uses_team_zone() {
        // 2026-11-20 17:00 UTC is already 2026-11-21 01:00 in Shanghai.
        let now = DateTime::parse_from_rfc3339("2026-11-20T17:00:00Z")
            .map(|d| d.timestamp())
            .unwrap_or(0);
        assert_eq!(parse_day("today", now, SH), Ok(date(2026, 11, 21)));
        assert_eq!(
            parse_day("today", now, chrono_tz::UTC),
            Ok(date(2026, 11, 20))
        );
    }

    #[test]
    fn duration_table() {
        let ok: &[(&str, i64)] = &[
            ("23h", 23 * 3600),
            ("1d", 86_400),
            ("30m", 1800),
            ("2d3h", 2 * 86_400 + 3 * 3600),
            ("2d 3h", 2 * 86_400 + 3 * 3600),
            ("90s", 90),
            ("1w", 604_800),
            ("1.5h", 5400),
            ("3 days", 3 * 86_400),
            ("1 hour and 30 minutes", 5400),
            ("2小时", 7200),
            ("3天", 3 * 86_400),
            ("两个小时", 7200),
            ("半小时", 1800),
            ("10分钟", 600),
            ("1H", 3600),
            ("0m", 0),
        ];
        for (input, want) in ok {
            assert_eq!(parse_duration(input), Ok(*want), "input {input:?}");
        }
        for input in [
            "", "abc", "3", "h", "1mo", "1.2345h", "-1d", "1d x", "1..5h",
        ] {
            assert_eq!(
                parse_duration(input),
                Err(WhenError::Unrecognized {
                    input: input.to_string()
                }),
                "input {input:?}"
            );
        }
        assert!(matches!(
            parse_duration("99999999999999999999d"),
            Err(WhenError::TooFar { .. })
        ));
        assert!(matches!(
            parse_duration("200000w"),
            Err(WhenError::TooFar { .. })
        ));
    }

    #[test]
    fn hhmm_table() {
        let cases: &[(&str, Option<(u32, u32)>)] = &[
            ("18:00", Some((18, 0))),
            ("9:30", Some((9, 30))),
            ("09:30", Some((9, 30))),
            ("0:00", Some((0, 0))),
            ("23:59", Some((23, 59))),
            ("18：00", Some((18, 0))),
            ("6pm", Some((18, 0))),
            ("6:30pm", Some((18, 30))),
            ("6:30 PM", Some((18, 30))),
            ("12am", Some((0, 0))),
            ("12pm", Some((12, 0))),
            ("18点", Some((18, 0))),
            ("18点30", Some((18, 30))),
            ("18点30分", Some((18, 30))),
            ("9点半", Some((9, 30))),
            ("下午3点", Some((15, 0))),
            ("晚上8点", Some((20, 0))),
            ("上午10点", Some((10, 0))),
            ("24:00", None),
            ("18:60", None),
            ("18:5", None),
            ("18", None),
            ("13pm", None),
            ("0am", None),
            ("", None),
            (":", None),
            ("abc", None),
            ("1800", None),
        ];
        for (input, want) in cases {
            assert_eq!(parse_hhmm(input), *want, "input {input:?}");
        }
    }

    #[test]
    fn weekday_table() {
        use Weekday::*;
        let cases: &[(&str, Option<Weekday>)] = &[
            ("mon", Some(Mon)),
            ("Monday", Some(Mon)),
            ("TUE", Some(Tue)),
            ("tues", Some(Tue)),
            ("wed", Some(Wed)),
            ("thu", Some(Thu)),
            ("thurs", Some(Thu)),
            ("fri", Some(Fri)),
            ("saturday", Some(Sat)),
            ("sun", Some(Sun)),
            ("周一", Some(Mon)),
            ("周二", Some(Tue)),
            ("周三", Some(Wed)),
            ("周四", Some(Thu)),
            ("周五", Some(Fri)),
            ("周六", Some(Sat)),
            ("周日", Some(Sun)),
            ("周天", Some(Sun)),
            ("星期一", Some(Mon)),
            ("星期日", Some(Sun)),
            ("星期天", Some(Sun)),
            ("礼拜三", Some(Wed)),
            ("周", None),
            ("周八", None),
            ("moon", None),
            ("", None),
        ];
        for (input, want) in cases {
            assert_eq!(parse_weekday(input), *want, "input {input:?}");
        }
    }

    #[test]
    fn formatting() {
        assert_eq!(
            format_local(sh(2026, 12, 1, 18, 0), SH),
            "2026-12-01 18:00 Tue"
        );
        assert_eq!(format_date(date(2026, 12, 1)), "2026-12-01 Tue");
        assert_eq!(local_date(sh(2026, 12, 1, 0, 0), SH), date(2026, 12, 1));
    }

    fn token() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("today".to_string()),
            Just("tomorrow".to_string()),
            Just("tmr".to_string()),
            Just("next".to_string()),
            Just("in".to_string()),
            Just("mon".to_string()),
            Just("friday".to_string()),
            Just("明天".to_string()),
            Just("后天".to_string()),
            Just("周五".to_string()),
            Just("下周一".to_string()),
            Just("星期".to_string()),
            Just("今天".to_string()),
            Just("点".to_string()),
            Just("半".to_string()),
            Just("下午".to_string()),
            Just("pm".to_string()),
            Just("+".to_string()),
            Just("-".to_string()),
            Just(":".to_string()),
            Just("/".to_string()),
            Just("后".to_string()),
            Just("前".to_string()),
            Just("days".to_string()),
            Just("h".to_string()),
            Just("d".to_string()),
            Just("m".to_string()),
            Just(" ".to_string()),
            (0u32..100_000).prop_map(|n| n.to_string()),
            (0u32..30).prop_map(|n| n.to_string()),
            (0u32..24, 0u32..70).prop_map(|(h, m)| format!("{h}:{m:02}")),
            (1990i32..2100, 0u32..14, 0u32..33).prop_map(|(y, m, d)| format!("{y}-{m}-{d}")),
            (0u32..14, 0u32..33).prop_map(|(m, d)| format!("{m}/{d}")),
        ]
    }

    fn grammar_string() -> impl Strategy<Value = String> {
        prop::collection::vec(token(), 1..5).prop_map(|v| v.join(""))
    }

    fn any_tz() -> impl Strategy<Value = Tz> {
        prop::sample::select(vec![
            SH,
            New_York,
            chrono_tz::UTC,
            chrono_tz::Pacific::Apia,
            chrono_tz::Europe::London,
            chrono_tz::Australia::Lord_Howe,
            chrono_tz::Asia::Kathmandu,
        ])
    }

    proptest! {
        #[test]
        fn arbitrary_strings_never_panic(s in ".{0,80}", now in any::<i64>(), tz in any_tz()) {
            let r = parse_when(&s, now, tz);
            if let Ok(at) = r { prop_assert!(at > now); }
            let _ = parse_day(&s, now, tz);
            let _ = parse_duration(&s);
            let _ = parse_hhmm(&s);
            let _ = parse_weekday(&s);
        }

        #[test]
        fn grammar_strings_never_panic_and_are_future(
            s in grammar_string(),
            now in 0i64..4_000_000_000,
            tz in any_tz(),
        ) {
            if let Ok(at) = parse_when(&s, now, tz) {
                prop_assert!(at > now, "{} → {} not after {}", s, at, now);
                prop_assert!(at - now <= MAX_AHEAD_SECS);
            }
            if let Ok(d) = parse_day(&s, now, tz) {
                let today = local_date(now, tz);
                prop_assert!(d <= today);
                prop_assert!((today - d).num_days() <= CHECKIN_MAX_DAYS_BACK);
            }
            let spaced = s.replace(':', " : ");
            let _ = parse_when(&spaced, now, tz);
        }

        #[test]
        fn plus_days_is_exact(n in 1i64..3000, now in 0i64..4_000_000_000, tz in any_tz()) {
            prop_assert_eq!(parse_when(&format!("+{n}d"), now, tz), Ok(now + n * 86_400));
            prop_assert_eq!(parse_when(&format!("in {n} days"), now, tz), Ok(now + n * 86_400));
        }

        #[test]
        fn plus_hours_and_minutes_are_exact(n in 1i64..10_000, now in 0i64..4_000_000_000) {
            prop_assert_eq!(parse_when(&format!("+{n}h"), now, SH), Ok(now + n * 3600));
            prop_assert_eq!(parse_when(&format!("+{n}m"), now, SH), Ok(now + n * 60));
        }

        #[test]
        fn bare_time_is_within_a_day(h in 0u32..24, m in 0u32..60, now in 0i64..4_000_000_000, tz in any_tz()) {
            let at = parse_when(&format!("{h}:{m:02}"), now, tz);
            prop_assert!(at.is_ok());
            if let Ok(at) = at {
                // Up to a day ahead, plus slack for a DST transition.
                prop_assert!(at - now <= 86_400 + 3 * 3600);
            }
        }

        #[test]
        fn weekday_is_within_a_week(wd in 0u32..7, now in 0i64..4_000_000_000, tz in any_tz()) {
            let names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
            let at = parse_when(names[wd as usize], now, tz);
            prop_assert!(at.is_ok());
            if let Ok(at) = at {
                prop_assert!(at - now <= 7 * 86_400 + 3 * 3600);
                let wd_got = DateTime::from_timestamp(at, 0).map(|d| d.with_timezone(&tz).weekday().num_days_from_monday());
                prop_assert_eq!(wd_got, Some(wd));
            }
        }

        #[test]
        fn local_round_trip(days in -20_000i64..40_000, h in 0u32..24, m in 0u32..60, tz in any_tz()) {
            let d = add_days(date(1970, 1, 1), days).unwrap_or_default();
            let e = local_datetime_to_epoch(d, h, m, tz);
            // The instant's local date is the requested date (or the next one after a gap at midnight).
            let back = local_date(e, tz);
            prop_assert!(back == d || add_days(d, 1) == Some(back), "{d} {h}:{m} → {back}");
        }
    }
}
