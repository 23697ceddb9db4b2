//! Creative A/B tests (issue 7): reading one channel's per-creative sums, counting the look
//! (peeking) and analysing them (`domain::abtest`); and [`verdicts_since`] for the weekly
//! summary. `views::abtest` words the results.

use crate::domain::ids::ChatId;
use chrono::{Days, NaiveDate};

use super::Service;
use crate::domain::abtest::{
    AbInput, AbMetric, AbReport, CreativeCounts, DEFAULT_WINDOW_DAYS, Pick, Verdict, analyze, pick,
};
use crate::domain::checkins::{DayRange, parse_day_key};
use crate::domain::when::local_date;
use crate::storage::{CreativeSums, Store, StoreResult, Team};

/// One channel's creative test over a range of days, analysed.
#[derive(Clone, Debug)]
pub struct Analysis {
    pub range: DayRange,
    /// Per creative, sorted by label (byte order, the same on both backends).
    pub sums: Vec<CreativeSums>,
    /// Distinct days with creative check-ins.
    pub days_with_data: i64,
    pub report: AbReport,
}

/// What `/abtest <channel> [window]` found.
#[derive(Clone, Debug)]
pub enum AbOutcome {
    /// The team has no channels at all.
    NoChannels,
    /// No channel of that name; `known` are the team's channel names.
    UnknownChannel { known: Vec<String> },
    /// The channel has no creative check-ins in the window.
    NoCreatives { channel: String, window: u32 },
    /// The analysis.
    Report {
        channel: String,
        window: u32,
        analysis: Box<Analysis>,
    },
}

/// The name of a test for the peeking counter: its creative labels, sorted, comma-joined.
fn test_key(sums: &[CreativeSums]) -> String {
    sums.iter()
        .map(|s| s.creative.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// Days from the first to the last day with creative data, inclusive (0 without data).
fn days_run(sums: &[CreativeSums]) -> u32 {
    let first = sums
        .iter()
        .filter_map(|s| parse_day_key(&s.first_day))
        .min();
    let last = sums.iter().filter_map(|s| parse_day_key(&s.last_day)).max();
    match (first, last) {
        (Some(f), Some(l)) => u32::try_from((l - f).num_days() + 1).unwrap_or(0),
        _ => 0,
    }
}

/// Reads the creatives' sums; `None` when the channel has no creative check-ins in `range`.
/// `ask` counts this look at the test (only a test of two or more creatives counts).
pub async fn load(
    store: &Store,
    chat_id: ChatId,
    channel: &str,
    range: DayRange,
    ask: Option<i64>,
) -> StoreResult<Option<Analysis>> {
    let (from, to) = range.keys();
    let mut sums = store.creative_sums(chat_id, channel, &from, &to).await?;
    if sums.is_empty() {
        return Ok(None);
    }
    sums.sort_by(|a, b| a.creative.cmp(&b.creative));
    let span = store.creative_span(chat_id, channel, &from, &to).await?;
    let times_asked = match ask {
        Some(now) if sums.len() >= 2 => {
            store
                .count_abtest_ask(chat_id, channel, &test_key(&sums), now)
                .await?
        }
        _ => 0,
    };
    let input = AbInput {
        creatives: sums
            .iter()
            .map(|s| CreativeCounts {
                label: s.creative.clone(),
                impressions: s.impressions,
                clicks: s.clicks,
                orders: s.orders,
                cvr_clicks: s.cvr_clicks,
            })
            .collect(),
        days_run: days_run(&sums),
        times_asked: u32::try_from(times_asked).unwrap_or(u32::MAX),
    };
    Ok(Some(Analysis {
        range,
        report: analyze(&input),
        sums,
        days_with_data: span.days,
    }))
}

impl Service {
    /// `/abtest`: the test on the channel `typed` names (an alias works) over the last
    /// `window` days (default [`DEFAULT_WINDOW_DAYS`]); this look counts for the peeking warning.
    pub async fn abtest(
        &self,
        team: &Team,
        typed: &str,
        window: Option<u32>,
    ) -> StoreResult<AbOutcome> {
        let channel = match self.find_channel(team.chat_id, typed).await? {
            Ok(channel) => channel,
            Err(known) if known.is_empty() => return Ok(AbOutcome::NoChannels),
            Err(known) => return Ok(AbOutcome::UnknownChannel { known }),
        };
        let window = window.unwrap_or(DEFAULT_WINDOW_DAYS);
        let now = self.now();
        let range = DayRange::last_days(local_date(now, team.tz()), window);
        let analysis = load(&self.store, team.chat_id, &channel.name, range, Some(now)).await?;
        let channel = channel.name.clone();
        Ok(match analysis {
            None => AbOutcome::NoCreatives { channel, window },
            Some(a) => AbOutcome::Report {
                channel,
                window,
                analysis: Box::new(a),
            },
        })
    }
}

// ---------------------------------------------------------------- the weekly summary's hook

/// A creative test that reached a verdict (for the weekly summary).
#[derive(Clone, Debug, PartialEq)]
pub struct ReachedVerdict {
    /// The channel the creatives ran on.
    pub channel: String,
    /// The winning creative.
    pub best: String,
    /// The creatives it beats (all the others), by label.
    pub others: Vec<String>,
    /// CTR, or CVR when CTR could not separate them.
    pub metric: AbMetric,
    /// The largest (Bonferroni-adjusted) p-value of its comparisons, < 0.05.
    pub p: f64,
    /// The winner's (successes, trials) on `metric`: (clicks, impressions) or (orders, clicks).
    pub best_counts: (i64, i64),
    /// The same for each of `others`, in the same order.
    pub other_counts: Vec<(i64, i64)>,
    /// The days the verdict is based on (the last [`DEFAULT_WINDOW_DAYS`] up to `today`).
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// Each channel with creative check-ins from `since_day` to `today`, with its test over the
/// default window ending `today` (channels without enough to compare are left out).
async fn current_tests(
    store: &Store,
    chat_id: ChatId,
    since_day: NaiveDate,
    today: NaiveDate,
) -> StoreResult<Vec<(String, Analysis)>> {
    let (since_key, today_key) = DayRange {
        from: since_day,
        to: today,
    }
    .keys();
    let range = DayRange::last_days(today, DEFAULT_WINDOW_DAYS);
    let mut out = Vec::new();
    for channel in store
        .channels_with_creatives(chat_id, &since_key, &today_key)
        .await?
    {
        if let Some(now) = load(store, chat_id, &channel, range, None).await? {
            out.push((channel, now));
        }
    }
    Ok(out)
}

/// Creative tests of a team that have a winner now (the default window ending `today`) and had
/// not had that winner on the day before `since_day` (the same window ending then): the tests
/// that reached a verdict since the last review. Only channels with creative check-ins on or
/// after `since_day` are considered. Pure reads; asking does not count as a peek.
pub async fn verdicts_since(
    store: &Store,
    chat_id: ChatId,
    since_day: NaiveDate,
    today: NaiveDate,
) -> StoreResult<Vec<ReachedVerdict>> {
    let mut out = Vec::new();
    for (channel, now) in current_tests(store, chat_id, since_day, today).await? {
        let Verdict::Winner {
            best,
            others,
            metric,
            p,
        } = &now.report.verdict
        else {
            continue;
        };
        let before_day = since_day
            .checked_sub_days(Days::new(1))
            .unwrap_or(since_day);
        let before_range = DayRange::last_days(before_day, DEFAULT_WINDOW_DAYS);
        let before = load(store, chat_id, &channel, before_range, None).await?;
        let known = before.is_some_and(|b| {
            matches!(&b.report.verdict,
                Verdict::Winner { best: b_best, metric: b_metric, .. }
                    if b_best == best && b_metric == metric)
        });
        if known {
            continue;
        }
        let counts = |label: &str| {
            now.sums
                .iter()
                .find(|s| s.creative == label)
                .map(|s| match metric {
                    AbMetric::Ctr => (s.clicks, s.impressions),
                    AbMetric::Cvr => (s.orders, s.clicks),
                })
                .unwrap_or((0, 0))
        };
        out.push(ReachedVerdict {
            channel: channel.clone(),
            best: best.clone(),
            others: others.clone(),
            metric: *metric,
            p: *p,
            best_counts: counts(best),
            other_counts: others.iter().map(|o| counts(o)).collect(),
            from: now.range.from,
            to: now.range.to,
        });
    }
    Ok(out)
}

/// Per channel with creative check-ins since `since_day`, what to keep (the default window
/// ending `today`), whether or not the verdict is new: the weekly summary names it every week
/// until the test ends. Pure reads, not a peek.
pub async fn creative_picks(
    store: &Store,
    chat_id: ChatId,
    since_day: NaiveDate,
    today: NaiveDate,
) -> StoreResult<Vec<(String, Pick)>> {
    let mut out = Vec::new();
    for (channel, now) in current_tests(store, chat_id, since_day, today).await? {
        let single = match now.sums.as_slice() {
            [only] => Some(only.creative.as_str()),
            _ => None,
        };
        let p = pick(&now.report.verdict, single);
        out.push((channel, p));
    }
    Ok(out)
}
