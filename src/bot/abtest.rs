//! Creative A/B tests (issue 7): `/abtest <channel> [7d|14d|30d]`, and [`verdicts_since`] for
//! the weekly summary. The statistics live in `domain::abtest`; this module reads the
//! per-creative sums, counts the look (peeking), and renders the report in the team's language.

use chrono::{Days, NaiveDate};

use super::reply::escape;
use super::{HandlerResult, Turn};
use crate::domain::abtest::{
    AbInput, AbMetric, AbReport, Comparison, CreativeCounts, CreativeStats, Interval, MIN_DAYS,
    Verdict, Warning, analyze,
};
use crate::domain::checkins::{DayRange, MetricsPeriod, parse_day_key};
use crate::domain::lang::Lang;
use crate::domain::money::{format_bp, format_number, format_percent};
use crate::domain::when::local_date;
use crate::i18n::tr;
use crate::storage::{CreativeSums, Store, StoreResult};

/// The window `/abtest` looks at when none is given: two full weeks, so every weekday counts twice.
pub const DEFAULT_WINDOW_DAYS: u32 = 14;
/// The windows `/abtest` accepts.
pub const WINDOWS: [u32; 3] = [7, 14, 30];

// ---------------------------------------------------------------- loading and analysing

/// One channel's creative test over a range of days, analysed.
struct Analysis {
    range: DayRange,
    /// Per creative, sorted by label (byte order, the same on both backends).
    sums: Vec<CreativeSums>,
    /// Distinct days with creative check-ins.
    days_with_data: i64,
    report: AbReport,
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
async fn load(
    store: &Store,
    chat_id: i64,
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

/// Creative tests of a team that have a winner now (the default window ending `today`) and had
/// not had that winner on the day before `since_day` (the same window ending then): the tests
/// that reached a verdict since the last review. Only channels with creative check-ins on or
/// after `since_day` are considered. Pure reads; asking does not count as a peek.
pub async fn verdicts_since(
    store: &Store,
    chat_id: i64,
    since_day: NaiveDate,
    today: NaiveDate,
) -> StoreResult<Vec<ReachedVerdict>> {
    let (since_key, today_key) = DayRange {
        from: since_day,
        to: today,
    }
    .keys();
    let mut out = Vec::new();
    for channel in store
        .channels_with_creatives(chat_id, &since_key, &today_key)
        .await?
    {
        let now_range = DayRange::last_days(today, DEFAULT_WINDOW_DAYS);
        let Some(now) = load(store, chat_id, &channel, now_range, None).await? else {
            continue;
        };
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

/// One line for a summary: "#xhs: A beats B on CTR: 3.10% vs 2.40%, p = 0.003 — keep A, pause B."
/// Telegram HTML, user text escaped.
pub fn verdict_line(lang: Lang, v: &ReachedVerdict) -> String {
    let others = label_list(&v.others);
    let other_rates: Vec<String> = v
        .other_counts
        .iter()
        .map(|&(x, n)| format_percent(i128::from(x), i128::from(n)))
        .collect();
    let verdict = tr(
        lang,
        "abtest.verdict.winner",
        &[
            ("best", &escape(&v.best)),
            ("others", &others),
            ("metric", &metric_name(lang, v.metric)),
            (
                "best_rate",
                &format_percent(i128::from(v.best_counts.0), i128::from(v.best_counts.1)),
            ),
            ("other_rates", &other_rates.join(", ")),
            ("p", &p_text(lang, v.p, v.others.len())),
        ],
    );
    tr(
        lang,
        "abtest.summary_line",
        &[("channel", &escape(&v.channel)), ("verdict", &verdict)],
    )
}

// ---------------------------------------------------------------- /abtest

/// `7d`, `14d`, `30d` (also `7天`, `14days`); other day counts are `Err(())`, not windows at all `None`.
pub fn parse_window(tok: &str) -> Option<Result<u32, ()>> {
    match MetricsPeriod::parse(tok) {
        Some(MetricsPeriod::Days(n)) if WINDOWS.contains(&n) => Some(Ok(n)),
        Some(_) => Some(Err(())),
        None => {
            // "60d", "0d", "999天": a window, just not one we offer.
            let digits = tok.trim_end_matches(|c: char| !c.is_ascii_digit());
            let unit = &tok[digits.len()..];
            let looks = !digits.is_empty()
                && digits.chars().all(|c| c.is_ascii_digit())
                && matches!(
                    unit.to_lowercase().as_str(),
                    "d" | "day" | "days" | "天" | "日"
                );
            looks.then_some(Err(()))
        }
    }
}

/// Normalizes a typed channel reference: `#XHS` → `xhs`.
fn channel_key(s: &str) -> String {
    s.trim().trim_start_matches(['#', '＃']).to_lowercase()
}

pub async fn abtest(turn: &Turn, args: &str) -> HandlerResult {
    let Some(team) = turn.require_team().await? else {
        return Ok(());
    };
    let store = &turn.ctx.store;
    let usage = turn.t("abtest.usage", &[]);
    let mut channel_arg: Option<&str> = None;
    let mut window: Option<u32> = None;
    for tok in args.split_whitespace() {
        match parse_window(tok) {
            Some(Ok(n)) if window.is_none() => window = Some(n),
            Some(Err(())) => {
                let text = turn.t("abtest.bad_window", &[("input", &escape(tok))]);
                return turn.reply(&format!("{text}\n{usage}")).await;
            }
            None if channel_arg.is_none() => channel_arg = Some(tok),
            _ => {
                let text = turn.t("abtest.bad_arg", &[("input", &escape(tok))]);
                return turn.reply(&format!("{text}\n{usage}")).await;
            }
        }
    }
    let Some(channel_arg) = channel_arg else {
        return turn.reply(&usage).await;
    };
    let channels = store.channels(team.chat_id).await?;
    let name = channel_key(channel_arg);
    let Some(channel) = channels.iter().find(|c| c.name == name) else {
        let known = if channels.is_empty() {
            turn.t("abtest.no_channels", &[])
        } else {
            let names: Vec<String> = channels.iter().map(|c| c.name.clone()).collect();
            turn.t(
                "abtest.known_channels",
                &[("channels", &channel_list(&names))],
            )
        };
        let text = turn.t(
            "abtest.unknown_channel",
            &[("input", &escape(channel_arg)), ("known", &known)],
        );
        return turn.reply(&text).await;
    };
    let window = window.unwrap_or(DEFAULT_WINDOW_DAYS);
    let now = turn.ctx.now();
    let range = DayRange::last_days(local_date(now, turn.tz), window);
    let analysis = load(store, team.chat_id, &channel.name, range, Some(now)).await?;
    let text = match analysis {
        None => turn.t(
            "abtest.no_creatives",
            &[
                ("channel", &escape(&channel.name)),
                ("window", &window.to_string()),
            ],
        ),
        Some(a) => render(turn.lang, &channel.name, window, &a),
    };
    turn.reply(&text).await
}

// ---------------------------------------------------------------- rendering

fn channel_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("#{}", escape(n)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn label_list(labels: &[String]) -> String {
    labels
        .iter()
        .map(|l| format!("<b>{}</b>", escape(l)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn metric_name(lang: Lang, m: AbMetric) -> String {
    let key = match m {
        AbMetric::Ctr => "abtest.metric.ctr",
        AbMetric::Cvr => "abtest.metric.cvr",
    };
    tr(lang, key, &[])
}

/// A rate in [0, 1] as a percentage with two decimals (through basis points, as money does).
fn pct(x: f64) -> String {
    format_bp((x * 10_000.0).round() as i64)
}

fn interval(lang: Lang, ci: Option<Interval>) -> String {
    match ci {
        Some(ci) => tr(
            lang,
            "abtest.interval",
            &[("low", &pct(ci.low)), ("high", &pct(ci.high))],
        ),
        None => String::new(),
    }
}

/// "p = 0.003" / "p &lt; 0.001", with a note when it was adjusted for several comparisons.
fn p_text(lang: Lang, p: f64, comparisons: usize) -> String {
    let mut s = if p < 0.001 {
        tr(lang, "abtest.p_below", &[])
    } else {
        tr(lang, "abtest.p_value", &[("p", &format!("{p:.3}"))])
    };
    if comparisons > 1 {
        s.push_str(&tr(
            lang,
            "abtest.adjusted",
            &[("n", &comparisons.to_string())],
        ));
    }
    s
}

/// The rate of creative `i` on `metric`, from its counts (exact, two decimals).
fn rate_of(c: &CreativeStats, metric: AbMetric) -> String {
    let (x, n) = match metric {
        AbMetric::Ctr => (c.clicks, c.impressions),
        AbMetric::Cvr => (c.orders, c.clicks),
    };
    format_percent(i128::from(x), i128::from(n))
}

fn row(lang: Lang, c: &CreativeStats, show_cvr: bool) -> String {
    let mut s = tr(
        lang,
        "abtest.row",
        &[
            ("label", &escape(&c.label)),
            ("impressions", &format_number(c.impressions)),
            ("clicks", &format_number(c.clicks)),
            ("ctr", &rate_of(c, AbMetric::Ctr)),
            ("interval", &interval(lang, c.ctr_ci)),
        ],
    );
    if show_cvr {
        s.push_str(&tr(
            lang,
            "abtest.row_cvr",
            &[
                ("orders", &format_number(c.orders)),
                ("cvr", &rate_of(c, AbMetric::Cvr)),
                ("interval", &interval(lang, c.cvr_ci)),
            ],
        ));
    }
    s
}

/// The comparisons of the verdict's metric, and the rates of the best and of the others.
fn rates(report: &AbReport, cmp: &[Comparison], metric: AbMetric) -> (String, String) {
    let best = cmp
        .first()
        .map(|c| rate_of(&report.creatives[c.best], metric))
        .unwrap_or_default();
    let others: Vec<String> = cmp
        .iter()
        .map(|c| rate_of(&report.creatives[c.other], metric))
        .collect();
    (best, others.join(", "))
}

fn verdict_text(lang: Lang, report: &AbReport) -> String {
    let creatives = &report.creatives;
    match &report.verdict {
        Verdict::Winner {
            best,
            others,
            metric,
            p,
        } => {
            let cmp = match metric {
                AbMetric::Ctr => &report.ctr,
                AbMetric::Cvr => &report.cvr,
            };
            let (best_rate, other_rates) = rates(report, cmp, *metric);
            let mut s = tr(
                lang,
                "abtest.verdict.winner",
                &[
                    ("best", &escape(best)),
                    ("others", &label_list(others)),
                    ("metric", &metric_name(lang, *metric)),
                    ("best_rate", &best_rate),
                    ("other_rates", &other_rates),
                    ("p", &p_text(lang, *p, cmp.len())),
                ],
            );
            if *metric == AbMetric::Cvr {
                s.push(' ');
                s.push_str(&tr(lang, "abtest.verdict.cvr_decides", &[]));
            }
            s
        }
        Verdict::NoWinnerYet {
            best,
            beaten,
            more_impressions_per_arm,
        } => {
            let undecided: Vec<Comparison> = report
                .ctr
                .iter()
                .filter(|c| !c.significant)
                .cloned()
                .collect();
            let (best_rate, other_rates) = rates(report, &undecided, AbMetric::Ctr);
            let p = undecided.iter().map(|c| c.p_adjusted).fold(0.0, f64::max);
            let mut s = match more_impressions_per_arm {
                Some(more) if *more > 0 => tr(
                    lang,
                    "abtest.verdict.no_winner",
                    &[
                        ("best", &escape(best)),
                        ("best_rate", &best_rate),
                        ("other_rates", &other_rates),
                        ("p", &p_text(lang, p, report.ctr.len())),
                        (
                            "more",
                            &format_number(i64::try_from(*more).unwrap_or(i64::MAX)),
                        ),
                    ],
                ),
                Some(_) => tr(
                    lang,
                    "abtest.verdict.no_winner_close",
                    &[
                        ("best", &escape(best)),
                        ("best_rate", &best_rate),
                        ("other_rates", &other_rates),
                        ("p", &p_text(lang, p, report.ctr.len())),
                    ],
                ),
                None => {
                    let all: Vec<String> = creatives
                        .iter()
                        .map(|c| rate_of(c, AbMetric::Ctr))
                        .collect();
                    tr(
                        lang,
                        "abtest.verdict.no_difference",
                        &[("rates", &all.join(", "))],
                    )
                }
            };
            if !beaten.is_empty() {
                s.push(' ');
                s.push_str(&tr(
                    lang,
                    "abtest.verdict.beaten",
                    &[("best", &escape(best)), ("beaten", &label_list(beaten))],
                ));
            }
            s
        }
        Verdict::TooEarly {
            min_impressions,
            min_clicks,
            ..
        } => {
            // Name the creatives under the impressions minimum; without any, clicks are short.
            let below: Vec<String> = creatives
                .iter()
                .filter(|c| c.impressions < *min_impressions)
                .map(|c| c.label.clone())
                .collect();
            let mut s = if below.is_empty() {
                tr(
                    lang,
                    "abtest.verdict.too_early_clicks",
                    &[("min_clicks", &format_number(*min_clicks))],
                )
            } else {
                tr(
                    lang,
                    "abtest.verdict.too_early",
                    &[
                        ("below", &label_list(&below)),
                        ("min_impressions", &format_number(*min_impressions)),
                        ("min_clicks", &format_number(*min_clicks)),
                    ],
                )
            };
            // The larger of what the minimum still needs and what the observed lift needs.
            let to_minimum = creatives
                .iter()
                .map(|c| min_impressions.saturating_sub(c.impressions).max(0))
                .max()
                .unwrap_or(0);
            let for_lift = report
                .ctr
                .iter()
                .filter(|c| !c.significant)
                .filter_map(|c| c.more_per_arm)
                .max()
                .map_or(0, |m| i64::try_from(m).unwrap_or(i64::MAX));
            let more = to_minimum.max(for_lift);
            if more > 0 {
                s.push(' ');
                s.push_str(&tr(
                    lang,
                    "abtest.verdict.more",
                    &[("more", &format_number(more))],
                ));
            }
            s
        }
        Verdict::SingleCreative => tr(
            lang,
            "abtest.verdict.single",
            &[(
                "label",
                &creatives
                    .first()
                    .map(|c| escape(&c.label))
                    .unwrap_or_default(),
            )],
        ),
    }
}

fn warning_text(lang: Lang, report: &AbReport, w: &Warning) -> String {
    match w {
        Warning::ShortRun { days } => tr(
            lang,
            "abtest.warn.short_run",
            &[("days", &days.to_string()), ("min", &MIN_DAYS.to_string())],
        ),
        Warning::Peeking { times } => tr(
            lang,
            "abtest.warn.peeking",
            &[("times", &times.to_string())],
        ),
        Warning::CvrDisagrees { other } => {
            let find = |label: &str| report.creatives.iter().find(|c| c.label == label);
            let best = match &report.verdict {
                Verdict::Winner { best, .. } => best.clone(),
                _ => String::new(),
            };
            let cvr = |label: &str| {
                find(label)
                    .map(|c| rate_of(c, AbMetric::Cvr))
                    .unwrap_or_default()
            };
            tr(
                lang,
                "abtest.warn.cvr_disagrees",
                &[
                    ("best", &escape(&best)),
                    ("other", &escape(other)),
                    ("best_cvr", &cvr(&best)),
                    ("other_cvr", &cvr(other)),
                ],
            )
        }
    }
}

fn render(lang: Lang, channel: &str, window: u32, a: &Analysis) -> String {
    let (from, to) = a.range.keys();
    let mut text = tr(
        lang,
        "abtest.header",
        &[
            ("channel", &escape(channel)),
            ("window", &window.to_string()),
            ("from", &from),
            ("to", &to),
            ("days", &a.days_with_data.to_string()),
        ],
    );
    let show_cvr = !a.report.cvr.is_empty() || a.sums.iter().any(|s| s.orders > 0);
    for c in &a.report.creatives {
        text.push('\n');
        text.push_str(&row(lang, c, show_cvr));
    }
    text.push_str("\n\n");
    text.push_str(&verdict_text(lang, &a.report));
    for w in &a.report.warnings {
        text.push('\n');
        text.push_str(&warning_text(lang, &a.report, w));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows() {
        assert_eq!(parse_window("7d"), Some(Ok(7)));
        assert_eq!(parse_window("14d"), Some(Ok(14)));
        assert_eq!(parse_window("30天"), Some(Ok(30)));
        assert_eq!(parse_window("30D"), Some(Ok(30)));
        assert_eq!(parse_window("60d"), Some(Err(())));
        assert_eq!(parse_window("999d"), Some(Err(())));
        assert_eq!(parse_window("week"), Some(Err(())));
        assert_eq!(parse_window("xhs"), None);
        assert_eq!(parse_window("#xhs"), None);
        assert_eq!(parse_window("d"), None);
    }

    #[test]
    fn p_values_read_plainly() {
        assert_eq!(p_text(Lang::En, 0.002_47, 1), "p = 0.002");
        assert_eq!(p_text(Lang::En, 0.000_2, 1), "p &lt; 0.001");
        assert!(p_text(Lang::En, 0.03, 2).starts_with("p = 0.030"));
        assert_eq!(pct(0.031), "3.10%");
        assert_eq!(pct(0.027_749), "2.77%");
    }
}
