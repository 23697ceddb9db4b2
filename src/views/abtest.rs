//! The A/B test texts (issue 7): the `/abtest` report (per-creative rows, the verdict, the
//! warnings), its refusals, and the one-line verdict the weekly summary quotes.

use super::html::Html;
use super::names::{channel_list, metric_name_lower};
use crate::domain::abtest::{
    AbArgsError, AbMetric, AbReport, Comparison, CreativeStats, Interval, MIN_DAYS, Pick, Verdict,
    Warning,
};
use crate::domain::lang::Lang;
use crate::domain::metrics::Metric;
use crate::domain::money::{format_bp, format_number, format_percent};
use crate::service::abtest::{AbOutcome, Analysis, ReachedVerdict};
use crate::tr;

fn ab_metric_name(lang: Lang, m: AbMetric) -> Html {
    let metric = match m {
        AbMetric::Ctr => Metric::Ctr,
        AbMetric::Cvr => Metric::Cvr,
    };
    metric_name_lower(lang, metric)
}

/// `<b>A</b>, <b>B</b>`.
fn label_list(labels: &[String]) -> Html {
    let parts: Vec<Html> = labels.iter().map(|l| Html::bold(l)).collect();
    Html::join(&parts, ", ")
}

/// A rate in [0, 1] as a percentage with two decimals (through basis points, as money does).
fn pct(x: f64) -> String {
    format_bp((x * 10_000.0).round() as i64)
}

fn interval(lang: Lang, ci: Option<Interval>) -> Html {
    match ci {
        Some(ci) => tr!(
            lang,
            "abtest.interval",
            low = pct(ci.low),
            high = pct(ci.high)
        ),
        None => Html::new(),
    }
}

/// "p = 0.003" / "p &lt; 0.001", with a note when it was adjusted for several comparisons.
fn p_text(lang: Lang, p: f64, comparisons: usize) -> Html {
    let mut s = if p < 0.001 {
        tr!(lang, "abtest.p_below")
    } else {
        tr!(lang, "abtest.p_value", p = format!("{p:.3}"))
    };
    if comparisons > 1 {
        s.push(&tr!(lang, "abtest.adjusted", n = comparisons));
    }
    s
}

/// The rate of a creative on `metric`, from its counts (exact, two decimals).
fn rate_of(c: &CreativeStats, metric: AbMetric) -> String {
    let (x, n) = match metric {
        AbMetric::Ctr => (c.clicks, c.impressions),
        AbMetric::Cvr => (c.orders, c.clicks),
    };
    format_percent(i128::from(x), i128::from(n))
}

/// What the weekly summary says to keep on one channel with creatives (issue 15).
pub fn pick_line(lang: Lang, channel: &str, p: &Pick) -> Html {
    match p {
        Pick::Keep { best, pause } => tr!(
            lang,
            "abtest.pick.keep",
            channel = channel,
            best = best,
            pause = label_list(pause),
        ),
        Pick::Leading { best, pause } if pause.is_empty() => {
            tr!(lang, "abtest.pick.leading", channel = channel, best = best,)
        }
        Pick::Leading { best, pause } => tr!(
            lang,
            "abtest.pick.leading_pause",
            channel = channel,
            best = best,
            pause = label_list(pause),
        ),
        Pick::TooEarly => tr!(lang, "abtest.pick.too_early", channel = channel),
        Pick::Single { label } => tr!(lang, "abtest.pick.single", channel = channel, label = label),
    }
}

/// One line for a summary: "#xhs: A beats B on CTR: 3.10% vs 2.40%, p = 0.003 — keep A, pause B."
pub fn verdict_line(lang: Lang, v: &ReachedVerdict) -> Html {
    let other_rates: Vec<String> = v
        .other_counts
        .iter()
        .map(|&(x, n)| format_percent(i128::from(x), i128::from(n)))
        .collect();
    let verdict = tr!(
        lang,
        "abtest.verdict.winner",
        best = v.best,
        others = label_list(&v.others),
        metric = ab_metric_name(lang, v.metric),
        best_rate = format_percent(i128::from(v.best_counts.0), i128::from(v.best_counts.1)),
        other_rates = other_rates.join(", "),
        p = p_text(lang, v.p, v.others.len()),
    );
    tr!(
        lang,
        "abtest.summary_line",
        channel = v.channel,
        verdict = verdict,
    )
}

fn row(lang: Lang, c: &CreativeStats, show_cvr: bool) -> Html {
    let mut s = tr!(
        lang,
        "abtest.row",
        label = c.label,
        impressions = format_number(c.impressions),
        clicks = format_number(c.clicks),
        ctr = rate_of(c, AbMetric::Ctr),
        interval = interval(lang, c.ctr_ci),
    );
    if show_cvr {
        s.push(&tr!(
            lang,
            "abtest.row_cvr",
            orders = format_number(c.orders),
            cvr = rate_of(c, AbMetric::Cvr),
            interval = interval(lang, c.cvr_ci),
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

fn verdict_text(lang: Lang, report: &AbReport) -> Html {
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
            let mut s = tr!(
                lang,
                "abtest.verdict.winner",
                best = best,
                others = label_list(others),
                metric = ab_metric_name(lang, *metric),
                best_rate = best_rate,
                other_rates = other_rates,
                p = p_text(lang, *p, cmp.len()),
            );
            if *metric == AbMetric::Cvr {
                s.push_text(" ");
                s.push(&tr!(lang, "abtest.verdict.cvr_decides"));
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
            let p = p_text(lang, p, report.ctr.len());
            let mut s = match more_impressions_per_arm {
                Some(more) if *more > 0 => tr!(
                    lang,
                    "abtest.verdict.no_winner",
                    best = best,
                    best_rate = best_rate,
                    other_rates = other_rates,
                    p = p,
                    more = format_number(i64::try_from(*more).unwrap_or(i64::MAX)),
                ),
                Some(_) => tr!(
                    lang,
                    "abtest.verdict.no_winner_close",
                    best = best,
                    best_rate = best_rate,
                    other_rates = other_rates,
                    p = p,
                ),
                None => {
                    let all: Vec<String> = creatives
                        .iter()
                        .map(|c| rate_of(c, AbMetric::Ctr))
                        .collect();
                    tr!(lang, "abtest.verdict.no_difference", rates = all.join(", "))
                }
            };
            if !beaten.is_empty() {
                s.push_text(" ");
                s.push(&tr!(
                    lang,
                    "abtest.verdict.beaten",
                    best = best,
                    beaten = label_list(beaten),
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
                tr!(
                    lang,
                    "abtest.verdict.too_early_clicks",
                    min_clicks = format_number(*min_clicks),
                )
            } else {
                tr!(
                    lang,
                    "abtest.verdict.too_early",
                    below = label_list(&below),
                    min_impressions = format_number(*min_impressions),
                    min_clicks = format_number(*min_clicks),
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
                s.push_text(" ");
                s.push(&tr!(
                    lang,
                    "abtest.verdict.more",
                    more = format_number(more)
                ));
            }
            s
        }
        Verdict::SingleCreative => {
            let label = creatives.first().map(|c| c.label.as_str()).unwrap_or("");
            tr!(lang, "abtest.verdict.single", label = label)
        }
    }
}

fn warning_text(lang: Lang, report: &AbReport, w: &Warning) -> Html {
    match w {
        Warning::ShortRun { days } => {
            tr!(lang, "abtest.warn.short_run", days = *days, min = MIN_DAYS,)
        }
        Warning::Peeking { times } => tr!(lang, "abtest.warn.peeking", times = *times),
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
            tr!(
                lang,
                "abtest.warn.cvr_disagrees",
                best = best,
                other = other,
                best_cvr = cvr(&best),
                other_cvr = cvr(other),
            )
        }
    }
}

/// The `/abtest` report: header, one row per creative, the verdict, the warnings.
pub fn render_report(lang: Lang, channel: &str, window: u32, a: &Analysis) -> Html {
    let from = super::names::day(lang, a.range.from);
    let to = super::names::day(lang, a.range.to);
    let mut parts = vec![tr!(
        lang,
        "abtest.header",
        channel = channel,
        window = window,
        from = from,
        to = to,
        days = a.days_with_data,
    )];
    let show_cvr = !a.report.cvr.is_empty() || a.sums.iter().any(|s| s.orders > 0);
    for c in &a.report.creatives {
        parts.push(row(lang, c, show_cvr));
    }
    let mut text = Html::lines(parts);
    text.push_text("\n\n");
    text.push(&verdict_text(lang, &a.report));
    for w in &a.report.warnings {
        text.push_text("\n");
        text.push(&warning_text(lang, &a.report, w));
    }
    text
}

/// What `/abtest` found, as the reply.
pub fn render_outcome(lang: Lang, outcome: &AbOutcome, channel_arg: &str) -> Html {
    match outcome {
        AbOutcome::NoChannels => tr!(
            lang,
            "abtest.unknown_channel",
            input = channel_arg,
            known = tr!(lang, "abtest.no_channels"),
        ),
        AbOutcome::UnknownChannel { known } => tr!(
            lang,
            "abtest.unknown_channel",
            input = channel_arg,
            known = tr!(
                lang,
                "abtest.known_channels",
                channels = channel_list(known)
            ),
        ),
        AbOutcome::NoCreatives { channel, window } => tr!(
            lang,
            "abtest.no_creatives",
            channel = channel,
            window = *window,
        ),
        AbOutcome::Report {
            channel,
            window,
            analysis,
        } => render_report(lang, channel, *window, analysis),
    }
}

/// The refusal of `/abtest`'s arguments, with the usage; or the usage alone (`None`).
pub fn render_usage(lang: Lang, err: Option<AbArgsError<'_>>) -> Html {
    let usage = tr!(lang, "abtest.usage");
    let text = match err {
        None => return usage,
        Some(AbArgsError::BadWindow(tok)) => tr!(lang, "abtest.bad_window", input = tok),
        Some(AbArgsError::BadArg(tok)) => tr!(lang, "abtest.bad_arg", input = tok),
    };
    Html::lines([text, usage])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p_values_read_plainly() {
        assert_eq!(p_text(Lang::En, 0.002_47, 1).as_str(), "p = 0.002");
        assert_eq!(p_text(Lang::En, 0.000_2, 1).as_str(), "p &lt; 0.001");
        assert!(p_text(Lang::En, 0.03, 2).as_str().starts_with("p = 0.030"));
        assert_eq!(pct(0.031), "3.10%");
        assert_eq!(pct(0.027_749), "2.77%");
    }
}
