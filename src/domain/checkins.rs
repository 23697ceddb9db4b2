//! The rules around daily check-ins that are not formulas: which goal applies to a number,
//! what a replacement changed, which days a `/metrics` or `/export` range covers, when the next
//! daily nudge is due, and how numbers are written into CSV.

use chrono::{Days, NaiveDate};
use chrono_tz::Tz;

use super::metrics::{GoalThreshold, Metric, MetricValue, Totals, meets};
pub use super::totals::{Field, Numbers};
use super::when::{local_date, local_datetime_to_epoch};

/// The derived metrics shown: the funnel's core always (as `—` when unknown, so a missing number
/// is visible), and the optional ones only when their field was reported: CAC needs new
/// customers, the interaction rate interactions, lead rate and CPL leads.
pub fn derived_shown(t: &Totals) -> Vec<Metric> {
    Metric::DERIVED
        .into_iter()
        .filter(|m| match m {
            Metric::Cac => t.get(Field::New).is_some(),
            Metric::Interaction => t.get(Field::Interactions).is_some(),
            Metric::LeadRate | Metric::Cpl => t.get(Field::Leads).is_some(),
            _ => true,
        })
        .collect()
}

// ---------------------------------------------------------------- goals

// The goal and period model is domain::goal's; the old names stay importable from here while
// the check-in code moves over.
use super::goal::Period as GoalPeriod;

/// ✅/⚠️ for a value against a goal: None when there is no goal or no value to judge.
pub fn judge(value: Option<&MetricValue>, goal: Option<&GoalThreshold>) -> Option<bool> {
    Some(meets(value?, goal?))
}

// ---------------------------------------------------------------- replacements

/// One field a replacement changed: old → new (None = not reported).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldChange {
    pub field: Field,
    pub old: Option<i64>,
    pub new: Option<i64>,
}

/// The fields that differ between the replaced numbers and the new ones, in field order.
pub fn changes(old: &Numbers, new: &Numbers) -> Vec<FieldChange> {
    Field::ALL
        .into_iter()
        .filter_map(|field| {
            let (o, n) = (old.get(field), new.get(field));
            (o != n).then_some(FieldChange {
                field,
                old: o,
                new: n,
            })
        })
        .collect()
}

// ---------------------------------------------------------------- day ranges

/// Inclusive local days.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DayRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl DayRange {
    /// The `n` days ending with `today` (n ≥ 1).
    pub fn last_days(today: NaiveDate, n: u32) -> DayRange {
        let back = u64::from(n.max(1) - 1);
        DayRange {
            from: today.checked_sub_days(Days::new(back)).unwrap_or(today),
            to: today,
        }
    }

    /// How many days it covers.
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// The stored form of the first and last day (`YYYY-MM-DD`).
    pub fn keys(&self) -> (String, String) {
        (day_key(self.from), day_key(self.to))
    }
}

/// The stored form of a day.
pub fn day_key(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Reads a stored day back.
pub fn parse_day_key(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// The longest `Nd` range `/metrics` accepts.
pub const MAX_RANGE_DAYS: u32 = 366;

/// The range `/metrics` reports on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricsPeriod {
    /// The last n days including today (`7d`, `30d`, `7天`).
    Days(u32),
    /// Monday of this week to today (`week`, `本周`).
    Week,
    /// The 1st of this month to today (`month`, `本月`).
    Month,
}

impl Default for MetricsPeriod {
    fn default() -> Self {
        MetricsPeriod::Days(7)
    }
}

/// `7d`, `30d`, `7天`, `7days` → 7; None otherwise or out of 1..=MAX_RANGE_DAYS.
fn parse_n_days(s: &str) -> Option<u32> {
    let digits_end = s.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = s.split_at(digits_end);
    if !matches!(unit, "d" | "day" | "days" | "天" | "日") {
        return None;
    }
    let n: u32 = n.parse().ok()?;
    (1..=MAX_RANGE_DAYS).contains(&n).then_some(n)
}

impl MetricsPeriod {
    pub fn parse(s: &str) -> Option<MetricsPeriod> {
        let s = s.trim().to_lowercase();
        match s.as_str() {
            "week" | "this_week" | "wtd" | "本周" | "这周" | "周" => Some(MetricsPeriod::Week),
            "month" | "this_month" | "mtd" | "本月" | "这个月" | "月" => {
                Some(MetricsPeriod::Month)
            }
            "today" | "今天" => Some(MetricsPeriod::Days(1)),
            _ => parse_n_days(&s).map(MetricsPeriod::Days),
        }
    }

    pub fn range(self, today: NaiveDate) -> DayRange {
        match self {
            MetricsPeriod::Days(n) => DayRange::last_days(today, n),
            MetricsPeriod::Week => DayRange {
                from: GoalPeriod::Week.start(today),
                to: today,
            },
            MetricsPeriod::Month => DayRange {
                from: GoalPeriod::Month.start(today),
                to: today,
            },
        }
    }
}

/// What `/export` covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportRange {
    /// The last n days including today (default 30).
    Days(u32),
    /// Everything the team has.
    All,
}

impl Default for ExportRange {
    fn default() -> Self {
        ExportRange::Days(30)
    }
}

impl ExportRange {
    pub fn parse(s: &str) -> Option<ExportRange> {
        let s = s.trim().to_lowercase();
        match s.as_str() {
            "" => Some(ExportRange::default()),
            "all" | "全部" | "所有" => Some(ExportRange::All),
            _ => parse_n_days(&s).map(ExportRange::Days),
        }
    }

    /// The days of check-ins covered (None = all).
    pub fn range(self, today: NaiveDate) -> Option<DayRange> {
        match self {
            ExportRange::Days(n) => Some(DayRange::last_days(today, n)),
            ExportRange::All => None,
        }
    }

    /// The earliest instant of task activity covered: local midnight of the first day, or
    /// `i64::MIN` for everything.
    pub fn since(self, today: NaiveDate, tz: Tz) -> i64 {
        match self.range(today) {
            Some(r) => local_datetime_to_epoch(r.from, 0, 0, tz),
            None => i64::MIN,
        }
    }
}

// ---------------------------------------------------------------- the daily nudge

/// The next nudge strictly after `now`: the local day and the instant of `minute` past local
/// midnight on it (today if still ahead, else tomorrow; a DST gap moves it forward).
pub fn next_nudge(now: i64, minute: i64, tz: Tz) -> (NaiveDate, i64) {
    let minute = minute.clamp(0, 24 * 60 - 1);
    let (h, m) = ((minute / 60) as u32, (minute % 60) as u32);
    let mut day = local_date(now, tz);
    // Two steps are enough even across a DST change; the bound only guards against surprises.
    for _ in 0..3 {
        let at = local_datetime_to_epoch(day, h, m, tz);
        if at > now {
            return (day, at);
        }
        day = day.succ_opt().unwrap_or(day);
    }
    (day, local_datetime_to_epoch(day, h, m, tz))
}

/// Whether a nudge for `day` is stale at `now`: that local day is already over.
pub fn nudge_is_stale(day: NaiveDate, now: i64, tz: Tz) -> bool {
    local_date(now, tz) > day
}

/// Parses `HH:MM` style input into minutes after midnight.
pub fn parse_minute_of_day(s: &str) -> Option<i64> {
    super::when::parse_hhmm(s).map(|(h, m)| i64::from(h * 60 + m))
}

/// `18:00` for minutes after midnight.
pub fn format_minute_of_day(minute: i64) -> String {
    format!("{:02}:{:02}", minute.div_euclid(60), minute.rem_euclid(60))
}

// ---------------------------------------------------------------- command arguments

/// Normalizes a typed channel reference: `#XHS` → `xhs` (the stored form of a channel name).
pub fn channel_key(s: &str) -> String {
    super::channel_names::fold(s)
}

/// Reads a stored nudge mark back: the local day the nudge is about.
pub fn nudge_day(mark: &str) -> Option<NaiveDate> {
    parse_day_key(mark)
}

/// What `/checkin` was given before the fields are read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CheckinArgs<'a> {
    /// Nothing at all: the reply is the usage.
    Empty,
    /// The first word is already a `key=value` field: the channel was left out.
    ChannelMissing,
    /// A channel as typed (`#XHS`) and the rest of the text (the fields).
    Channel { typed: &'a str, rest: &'a str },
}

/// Splits `/checkin <channel> <fields…>` at the first whitespace.
pub fn split_checkin_args(args: &str) -> CheckinArgs<'_> {
    let args = args.trim();
    let (first, rest) = match args.split_once(char::is_whitespace) {
        Some((a, b)) => (a, b.trim()),
        None => (args, ""),
    };
    if first.is_empty() {
        CheckinArgs::Empty
    } else if first.contains(['=', ':', '：']) {
        CheckinArgs::ChannelMissing
    } else {
        CheckinArgs::Channel { typed: first, rest }
    }
}

/// One entry of a multi-line `/checkin`: a channel's line with any continuation lines joined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckinLine {
    /// 1-based number of the entry's first line among the non-empty lines after `/checkin`.
    pub line: usize,
    /// `<channel> <fields…>`, continuation lines joined with a newline: a pasted spreadsheet
    /// header and row stay two lines for `checkin_text::normalize` to read as a sheet.
    pub text: String,
}

/// Splits a multi-line `/checkin` into entries: a line whose first word is one of the team's
/// `channels` starts an entry; any other line continues the previous entry (a pasted header
/// and row, a long line wrapped), or, with none before it, is an entry of its own that will be
/// refused with its line number. Empty lines are skipped and not counted.
pub fn split_checkin_lines(args: &str, channels: &[String]) -> Vec<CheckinLine> {
    let mut out: Vec<CheckinLine> = Vec::new();
    let lines = args.lines().map(str::trim).filter(|l| !l.is_empty());
    for (i, text) in lines.enumerate() {
        let first = text.split_whitespace().next().unwrap_or_default();
        // Any spelling of a team's channel starts an entry (`taobao` for 淘宝, `#JD` for jd).
        let starts = super::channel_names::resolve(first, channels).is_some();
        match out.last_mut() {
            Some(prev) if !starts => {
                prev.text.push('\n');
                prev.text.push_str(text);
            }
            _ => out.push(CheckinLine {
                line: i + 1,
                text: text.to_string(),
            }),
        }
    }
    out
}

/// Whether `/checkin`'s arguments span several lines (the one-message daily round).
pub fn is_multi_line(args: &str) -> bool {
    args.lines().filter(|l| !l.trim().is_empty()).count() > 1
}

/// What `/metrics` was asked for: a period and at most one of the team's channels.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MetricsArgs {
    pub period: MetricsPeriod,
    /// A channel key (one of `channels`), or None for every channel and the team total.
    pub channel: Option<String>,
}

/// Why `/metrics` arguments were refused; each quotes the word as typed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MetricsArgError {
    /// `#name` that is not one of the team's channels.
    #[error("unknown channel: {input}")]
    UnknownChannel { input: String },
    /// A word that is neither a period nor a channel (or a second one of either).
    #[error("not understood: {input}")]
    Unrecognized { input: String },
}

/// Reads `/metrics [#channel] [7d|30d|week|month]` in any order against the team's channel
/// keys. A `#` word is always a channel; a bare word is a period first, then a channel.
pub fn parse_metrics_args(args: &str, channels: &[String]) -> Result<MetricsArgs, MetricsArgError> {
    let mut period = None;
    let mut channel: Option<String> = None;
    for tok in args.split_whitespace() {
        let tagged = tok.starts_with(['#', '＃']);
        if period.is_none()
            && !tagged
            && let Some(p) = MetricsPeriod::parse(tok)
        {
            period = Some(p);
        } else if channel.is_none()
            && let Some(name) = super::channel_names::resolve(tok, channels)
        {
            // `taobao` for a channel named 淘宝: the stored name from here on.
            channel = Some(name.clone());
        } else if tagged {
            return Err(MetricsArgError::UnknownChannel {
                input: tok.to_string(),
            });
        } else {
            return Err(MetricsArgError::Unrecognized {
                input: tok.to_string(),
            });
        }
    }
    Ok(MetricsArgs {
        period: period.unwrap_or_default(),
        channel,
    })
}

/// What `/checkin_time` was asked to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckinTimeArg {
    /// No argument: show the current time.
    Show,
    /// `off` (or `关闭`…): no daily nudge.
    Off,
    /// A clock time, minutes after local midnight.
    At(i64),
    /// Anything else.
    Invalid,
}

pub fn parse_checkin_time(args: &str) -> CheckinTimeArg {
    let input = args.trim();
    if input.is_empty() {
        return CheckinTimeArg::Show;
    }
    if matches!(
        input.to_lowercase().as_str(),
        "off" | "none" | "stop" | "关" | "关闭" | "取消"
    ) {
        return CheckinTimeArg::Off;
    }
    match parse_minute_of_day(input) {
        Some(m) => CheckinTimeArg::At(m),
        None => CheckinTimeArg::Invalid,
    }
}

// ---------------------------------------------------------------- CSV cells

/// Minor units as a plain decimal string for spreadsheets: `1234.50`, `-0.05` (no separators,
/// no symbol, so Excel reads it as a number).
pub fn csv_money(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let u = minor.unsigned_abs();
    format!("{sign}{}.{:02}", u / 100, u % 100)
}

/// User text for a CSV cell: a leading `=`, `+`, `-`, `@`, tab or CR would make a spreadsheet
/// run it as a formula, so such text gets a leading apostrophe.
pub fn csv_text(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::goal::{Goal, rate_goal_for};
    use crate::domain::metrics::Better;
    use chrono_tz::America::New_York;
    use chrono_tz::Asia::Shanghai;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    fn sample_n() -> Numbers {
        Numbers {
            spend: Some(100_000),
            impressions: Some(50_000),
            clicks: Some(1500),
            orders: Some(45),
            gmv: Some(900_000),
            ..Numbers::default()
        }
    }

    fn sample() -> Totals {
        Totals::of(&sample_n())
    }

    #[test]
    fn derived_metrics_shown_where_inputs_exist() {
        assert_eq!(
            derived_shown(&sample()),
            vec![
                Metric::Ctr,
                Metric::Cpc,
                Metric::Cpm,
                Metric::Cvr,
                Metric::Aov,
                Metric::Roi
            ]
        );
        let full = Totals::of(&Numbers {
            new_customers: Some(0),
            interactions: Some(300),
            leads: Some(30),
            ..sample_n()
        });
        assert_eq!(derived_shown(&full), Metric::DERIVED.to_vec());
        // CAC with zero new customers is shown, as a dash.
        assert_eq!(full.format(Metric::Cac, "¥"), "—");
    }

    #[test]
    fn the_issue_example_formats_per_spec() {
        let t = sample();
        let cases = [
            (Metric::Ctr, "3.00%"),
            (Metric::Cpc, "0.67"),
            (Metric::Cpm, "20.00"),
            (Metric::Cvr, "3.00%"),
            (Metric::Aov, "200.00"),
            (Metric::Roi, "9.00"),
        ];
        for (m, want) in cases {
            assert_eq!(t.format(m, "¥"), want, "{m:?}");
        }
    }

    #[test]
    fn zero_denominators_and_large_values() {
        let zero_clicks = Totals::of(&Numbers {
            clicks: Some(0),
            orders: Some(0),
            ..sample_n()
        });
        assert_eq!(zero_clicks.format(Metric::Cpc, "¥"), "—");
        assert_eq!(zero_clicks.format(Metric::Cvr, "¥"), "—");
        assert_eq!(zero_clicks.format(Metric::Aov, "¥"), "—");
        assert_eq!(zero_clicks.format(Metric::Ctr, "¥"), "0.00%");
        let zero_spend = Totals::of(&Numbers {
            spend: Some(0),
            ..sample_n()
        });
        assert_eq!(zero_spend.format(Metric::Roi, "¥"), "—");
        assert_eq!(zero_spend.format(Metric::Cpc, "¥"), "0.00");
        let nothing = Totals::default();
        for m in Metric::DERIVED {
            if derived_shown(&nothing).contains(&m) {
                assert_eq!(nothing.format(m, "¥"), "—", "{m:?}");
            }
        }
        // A ¥100,000,000 GMV day.
        let big = Totals::of(&Numbers {
            spend: Some(1_000_000_000),
            impressions: Some(900_000_000),
            clicks: Some(30_000_000),
            orders: Some(500_000),
            gmv: Some(10_000_000_000),
            leads: Some(100_000),
            new_customers: Some(200_000),
            interactions: Some(12_000_000),
        });
        assert_eq!(big.format(Metric::Gmv, "¥"), "¥100,000,000.00");
        assert_eq!(big.format(Metric::Roi, "¥"), "10.00");
        assert_eq!(big.format(Metric::Aov, "¥"), "200.00");
        assert_eq!(big.format(Metric::Cac, "¥"), "50.00");
        assert_eq!(big.format(Metric::Ctr, "¥"), "3.33%");
        assert_eq!(big.format(Metric::Cpm, "¥"), "11.11");
        assert_eq!(big.format(Metric::Interaction, "¥"), "1.33%");
        assert_eq!(big.format(Metric::Cpl, "¥"), "100.00");
        assert_eq!(big.format(Metric::LeadRate, "¥"), "0.33%");
    }

    fn goal(metric: &str, channel: &str, direction: &str, period: &str, value: i64) -> Goal {
        Goal::from_parts(metric, channel, direction, period, value).expect("goal")
    }

    #[test]
    fn goal_lookup_prefers_the_channel() {
        let goals = vec![
            goal("ctr", "", "at_least", "", 20_000),
            goal("ctr", "xhs", "at_least", "", 40_000),
            goal("cpc", "", "at_most", "", 50),
            goal("gmv", "", "volume", "month", 50_000_000),
        ];
        let g = |m, c| rate_goal_for(&goals, m, c).map(|g| g.target);
        assert_eq!(g(Metric::Ctr, Some("xhs")), Some(40_000));
        assert_eq!(g(Metric::Ctr, Some("jd")), Some(20_000));
        assert_eq!(g(Metric::Ctr, None), Some(20_000));
        assert_eq!(g(Metric::Cpc, Some("xhs")), Some(50));
        // Volume goals never judge a rate.
        assert_eq!(g(Metric::Gmv, None), None);
        assert_eq!(g(Metric::Roi, None), None);

        let t = sample();
        let judge_for = |m: Metric, c| {
            judge(
                t.value(m).as_ref(),
                rate_goal_for(&goals, m, c).map(|g| g.threshold()).as_ref(),
            )
        };
        assert_eq!(judge_for(Metric::Ctr, Some("jd")), Some(true)); // 3% ≥ 2%
        assert_eq!(judge_for(Metric::Ctr, Some("xhs")), Some(false)); // 3% < 4%
        assert_eq!(judge_for(Metric::Cpc, None), Some(false)); // 0.67 > 0.50
        assert_eq!(judge_for(Metric::Roi, None), None);
        let no_clicks = Totals::of(&Numbers {
            clicks: Some(0),
            orders: Some(0),
            ..sample_n()
        });
        assert_eq!(
            judge(
                no_clicks.value(Metric::Cpc).as_ref(),
                Some(&goals[2].threshold())
            ),
            None
        );
    }

    #[test]
    fn goal_parts() {
        assert_eq!(
            Goal::from_parts("gmv", "", "volume", "month", 5).map(|g| g.period()),
            Some(Some(GoalPeriod::Month))
        );
        assert_eq!(Goal::from_parts("gmv", "", "volume", "", 5), None);
        assert_eq!(Goal::from_parts("nope", "", "at_least", "", 5), None);
        assert_eq!(Goal::from_parts("ctr", "", "sideways", "", 5), None);
        let cpc = Goal::from_parts("cpc", "jd", "at_most", "", 80).expect("cpc");
        assert_eq!(cpc.direction(), Better::Lower);
        assert!(cpc.is_rate());
    }

    #[test]
    fn replacement_changes() {
        let old = sample_n();
        let new = Numbers {
            spend: Some(120_000),
            clicks: Some(1600),
            new_customers: Some(3),
            ..old
        };
        assert_eq!(
            changes(&old, &new),
            vec![
                FieldChange {
                    field: Field::Spend,
                    old: Some(100_000),
                    new: Some(120_000)
                },
                FieldChange {
                    field: Field::Clicks,
                    old: Some(1500),
                    new: Some(1600)
                },
                FieldChange {
                    field: Field::New,
                    old: None,
                    new: Some(3)
                },
            ]
        );
        assert!(changes(&old, &old).is_empty());
    }

    #[test]
    fn metrics_periods() {
        let today = date(2026, 11, 4); // a Wednesday
        let cases: &[(&str, Option<(NaiveDate, NaiveDate)>)] = &[
            ("7d", Some((date(2026, 10, 29), today))),
            ("30d", Some((date(2026, 10, 6), today))),
            ("7天", Some((date(2026, 10, 29), today))),
            ("1d", Some((today, today))),
            ("today", Some((today, today))),
            ("week", Some((date(2026, 11, 2), today))),
            ("本周", Some((date(2026, 11, 2), today))),
            ("month", Some((date(2026, 11, 1), today))),
            ("本月", Some((date(2026, 11, 1), today))),
            ("366d", Some((date(2025, 11, 4), today))),
            ("0d", None),
            ("367d", None),
            ("d", None),
            ("7x", None),
            ("yesterday", None),
            ("", None),
        ];
        for (input, want) in cases {
            let got = MetricsPeriod::parse(input).map(|p| {
                let r = p.range(today);
                (r.from, r.to)
            });
            assert_eq!(got, *want, "{input:?}");
        }
        assert_eq!(MetricsPeriod::default().range(today).days(), 7);
        assert_eq!(
            MetricsPeriod::Week.range(date(2026, 11, 2)).days(),
            1,
            "Monday"
        );
    }

    #[test]
    fn goal_period_starts() {
        let d = date(2026, 11, 4);
        assert_eq!(GoalPeriod::Week.start(d), date(2026, 11, 2));
        assert_eq!(GoalPeriod::Month.start(d), date(2026, 11, 1));
        assert_eq!(GoalPeriod::Quarter.start(d), date(2026, 10, 1));
        assert_eq!(
            GoalPeriod::Quarter.start(date(2026, 3, 31)),
            date(2026, 1, 1)
        );
        assert_eq!(GoalPeriod::Week.start(date(2026, 11, 8)), date(2026, 11, 2));
    }

    #[test]
    fn export_ranges() {
        let today = date(2026, 11, 2);
        assert_eq!(ExportRange::parse(""), Some(ExportRange::Days(30)));
        assert_eq!(ExportRange::parse("30d"), Some(ExportRange::Days(30)));
        assert_eq!(ExportRange::parse("ALL"), Some(ExportRange::All));
        assert_eq!(ExportRange::parse("全部"), Some(ExportRange::All));
        assert_eq!(ExportRange::parse("forever"), None);
        let r = ExportRange::Days(30).range(today).expect("range");
        assert_eq!((r.from, r.days()), (date(2026, 10, 4), 30));
        assert_eq!(ExportRange::All.range(today), None);
        assert_eq!(ExportRange::All.since(today, Shanghai), i64::MIN);
        // Local midnight of 2026-10-04 in Shanghai is 16:00 UTC the day before.
        assert_eq!(
            ExportRange::Days(30).since(today, Shanghai),
            local_datetime_to_epoch(date(2026, 10, 4), 0, 0, Shanghai)
        );
    }

    #[test]
    fn day_keys_round_trip() {
        let d = date(2026, 1, 5);
        assert_eq!(day_key(d), "2026-01-05");
        assert_eq!(parse_day_key("2026-01-05"), Some(d));
        assert_eq!(parse_day_key("2026-13-05"), None);
        let r = DayRange::last_days(d, 7);
        assert_eq!(
            r.keys(),
            ("2025-12-30".to_string(), "2026-01-05".to_string())
        );
    }

    #[test]
    fn nudges() {
        let tz = Shanghai;
        let at = |d: NaiveDate, h, m| local_datetime_to_epoch(d, h, m, tz);
        let today = date(2026, 11, 2);
        // 17:00 local: 18:00 is still ahead today.
        let now = at(today, 17, 0);
        assert_eq!(next_nudge(now, 18 * 60, tz), (today, at(today, 18, 0)));
        // Exactly at the time: the next one is tomorrow.
        let tomorrow = date(2026, 11, 3);
        assert_eq!(
            next_nudge(at(today, 18, 0), 18 * 60, tz),
            (tomorrow, at(tomorrow, 18, 0))
        );
        assert_eq!(
            next_nudge(now, 9 * 60 + 30, tz),
            (tomorrow, at(tomorrow, 9, 30))
        );
        assert!(!nudge_is_stale(today, at(today, 23, 59), tz));
        assert!(nudge_is_stale(today, at(tomorrow, 0, 0), tz));
        // Across the New York spring-forward gap: 02:30 does not exist on 2026-03-08.
        let ny = New_York;
        let before = local_datetime_to_epoch(date(2026, 3, 8), 0, 30, ny);
        let (day, at_gap) = next_nudge(before, 2 * 60 + 30, ny);
        assert_eq!(day, date(2026, 3, 8));
        // Read as 03:30 EDT, two hours (of real time) after 00:30 EST.
        assert_eq!(at_gap - before, 2 * 3600);
    }

    #[test]
    fn minutes_of_day() {
        assert_eq!(parse_minute_of_day("18:00"), Some(1080));
        assert_eq!(parse_minute_of_day("9:30"), Some(570));
        assert_eq!(parse_minute_of_day("晚上8点"), Some(1200));
        assert_eq!(parse_minute_of_day("25:00"), None);
        assert_eq!(parse_minute_of_day("soon"), None);
        assert_eq!(format_minute_of_day(570), "09:30");
        assert_eq!(format_minute_of_day(0), "00:00");
    }

    #[test]
    fn csv_cells() {
        assert_eq!(csv_money(0), "0.00");
        assert_eq!(csv_money(5), "0.05");
        assert_eq!(csv_money(123_456_789), "1234567.89");
        assert_eq!(csv_money(-5), "-0.05");
        assert_eq!(csv_money(i64::MIN), "-92233720368547758.08");
        assert_eq!(csv_text("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_text("-1"), "'-1");
        assert_eq!(csv_text("视频A"), "视频A");
        assert_eq!(csv_text(""), "");
    }

    proptest! {
        #[test]
        fn next_nudge_is_ahead_and_within_a_day_and_a_bit(
            now in 1_700_000_000i64..1_900_000_000, minute in 0i64..1440,
        ) {
            for tz in [Shanghai, New_York] {
                let (day, at) = next_nudge(now, minute, tz);
                prop_assert!(at > now);
                prop_assert!(at - now <= 25 * 3600);
                prop_assert!(!nudge_is_stale(day, now, tz));
            }
        }

        #[test]
        fn csv_money_parses_back(minor in -1_000_000_000_000i64..1_000_000_000_000) {
            let s = csv_money(minor);
            let neg = s.starts_with('-');
            let (units, cents) = s.trim_start_matches('-').split_once('.').expect("dot");
            let v = units.parse::<i64>().expect("units") * 100 + cents.parse::<i64>().expect("cents");
            prop_assert_eq!(if neg { -v } else { v }, minor);
        }

        #[test]
        fn changes_is_empty_iff_equal(a in 0i64..5, b in 0i64..5, n in prop::option::of(0i64..3)) {
            let x = Numbers { spend: Some(a), new_customers: n, ..Numbers::default() };
            let y = Numbers { spend: Some(b), ..Numbers::default() };
            prop_assert_eq!(changes(&x, &y).is_empty(), x == y);
        }
    }

    #[test]
    fn multi_line_checkins_split_per_channel() {
        let channels = vec!["xhs".to_string(), "jd".to_string(), "taobao".to_string()];
        let got = split_checkin_lines(
            "\n xhs spend=100 clicks=5\n\n#JD spend=200\n orders=3\nfoo=1\ntaobao gmv=9",
            &channels,
        );
        let want = vec![
            CheckinLine {
                line: 1,
                text: "xhs spend=100 clicks=5".into(),
            },
            CheckinLine {
                line: 2,
                text: "#JD spend=200\norders=3\nfoo=1".into(),
            },
            CheckinLine {
                line: 5,
                text: "taobao gmv=9".into(),
            },
        ];
        assert_eq!(got, want);
        // A first line that is not a channel is an entry of its own (refused later).
        let got = split_checkin_lines("tmall spend=1\nxhs spend=2", &channels);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].text, "tmall spend=1");
        assert!(split_checkin_lines("  \n ", &channels).is_empty());
        assert!(is_multi_line("xhs spend=1\njd spend=2"));
        assert!(!is_multi_line("xhs spend=1\n  \n"));
    }

    #[test]
    fn command_arguments_of_the_numbers_area() {
        let channels = vec!["xhs".to_string(), "jd".to_string()];
        assert_eq!(split_checkin_args("  "), CheckinArgs::Empty);
        assert_eq!(
            split_checkin_args("spend=1 gmv=2"),
            CheckinArgs::ChannelMissing
        );
        assert_eq!(
            split_checkin_args(" #XHS  spend=1 "),
            CheckinArgs::Channel {
                typed: "#XHS",
                rest: "spend=1"
            }
        );
        assert_eq!(channel_key(" ＃XHS "), "xhs");
        let ok = |period, channel: Option<&str>| {
            Ok(MetricsArgs {
                period,
                channel: channel.map(str::to_string),
            })
        };
        for (args, want) in [
            ("", ok(MetricsPeriod::Days(7), None)),
            ("#XHS 30d", ok(MetricsPeriod::Days(30), Some("xhs"))),
            ("month jd", ok(MetricsPeriod::Month, Some("jd"))),
            (
                "#tmall",
                Err(MetricsArgError::UnknownChannel {
                    input: "#tmall".into(),
                }),
            ),
            (
                "7d 30d",
                Err(MetricsArgError::Unrecognized {
                    input: "30d".into(),
                }),
            ),
        ] {
            assert_eq!(parse_metrics_args(args, &channels), want, "{args}");
        }
        for (args, want) in [
            ("", CheckinTimeArg::Show),
            (" 关闭 ", CheckinTimeArg::Off),
            ("OFF", CheckinTimeArg::Off),
            ("18:30", CheckinTimeArg::At(18 * 60 + 30)),
            ("later", CheckinTimeArg::Invalid),
        ] {
            assert_eq!(parse_checkin_time(args), want, "{args}");
        }
        assert_eq!(nudge_day("2026-11-02"), Some(date(2026, 11, 2)));
        assert_eq!(nudge_day("x"), None);
    }
}
