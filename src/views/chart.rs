//! The charts that go with the summary and `/chart`: which series, goal lines and axis formats
//! a picture shows ([`ChartSpec`]); [`crate::report::chart`] draws it. Chart texts are drawn
//! into a picture, so they are plain text, not HTML.

use chrono::NaiveDate;

use super::names;
use crate::domain::bottleneck::back;
use crate::domain::lang::Lang;
use crate::domain::metrics::{Metric, MetricKind, Totals};
use crate::domain::review::Span;
use crate::report::chart::{ChartSpec, Series, YFormat};
use crate::service::report::TeamData;

// ---------------------------------------------------------------- charts

fn y_format(m: Metric, currency: &str) -> YFormat {
    match m.kind() {
        MetricKind::Money => YFormat::Money {
            symbol: currency.to_string(),
        },
        MetricKind::Rate => YFormat::Percent,
        MetricKind::Ratio => YFormat::Ratio,
        MetricKind::Count => YFormat::Count,
    }
}

fn points(daily: &[(NaiveDate, Totals)], m: Metric) -> Vec<(NaiveDate, f64)> {
    daily
        .iter()
        .filter_map(|(d, t)| Some((*d, t.value(m)?.display_f64(m))))
        .collect()
}

/// A chart of a metric's daily values, one line per channel (or the one channel), with the
/// rate goal as a line, or a volume goal's daily pace.
pub fn metric_chart(
    lang: Lang,
    data: &TeamData,
    m: Metric,
    channel: Option<&str>,
    days: u64,
) -> ChartSpec {
    let currency = data.team.currency.as_str();
    let to = data.today();
    let from = back(to, days.max(1) - 1);
    let names: Vec<String> = match channel {
        Some(c) => vec![c.to_string()],
        None => data
            .snapshot
            .channels
            .iter()
            .map(|c| c.name.clone())
            .collect(),
    };
    let series: Vec<Series> = names
        .iter()
        .map(|n| Series {
            label: format!("#{n}"),
            points: points(&data.daily(Some(n), from, to), m),
        })
        .collect();
    let mut goal_line = None;
    let mut pace_line = None;
    if m.is_volume() {
        // A volume goal for this channel (or, for a team chart, the team) as a daily pace.
        let key = channel.unwrap_or("");
        if let Some(g) = data
            .goals
            .iter()
            .find(|g| g.metric == m && g.period().is_some() && g.scope.stored() == key)
            && let Some(p) = g.period()
        {
            let mut pts = Vec::new();
            let mut d = from;
            while d <= to {
                let (_, len) = p.bounds(d);
                let per_day = g.target as f64 / len as f64;
                pts.push((d, per_day_display(per_day, m)));
                d = d.succ_opt().unwrap_or(NaiveDate::MAX);
            }
            pace_line = Some((names::rhythm_text(lang, "chart.pace", &[]), pts));
        }
    } else if let Some(g) = super::summary::rate_goal(data, m, channel) {
        goal_line = Some((
            names::rhythm_text(lang, "chart.goal", &[("goal", &g.format_target(currency))]),
            g.target_value().display_f64(m),
        ));
    }
    let title = match channel {
        Some(c) => names::rhythm_text(
            lang,
            "chart.title_channel",
            &[
                ("metric", &names::plain_metric_name(lang, m)),
                ("channel", c),
                ("from", &names::month_day(lang, from)),
                ("to", &names::month_day(lang, to)),
            ],
        ),
        None => names::rhythm_text(
            lang,
            "chart.title",
            &[
                ("metric", &names::plain_metric_name(lang, m)),
                ("from", &names::month_day(lang, from)),
                ("to", &names::month_day(lang, to)),
            ],
        ),
    };
    ChartSpec {
        title,
        y_label: names::plain_metric_name(lang, m),
        series,
        goal_line,
        pace_line,
        y_format: y_format(m, currency),
    }
}

/// A volume's per-day amount in display units (money in currency units).
fn per_day_display(per_day: f64, m: Metric) -> f64 {
    match m.kind() {
        MetricKind::Money => per_day / 100.0,
        _ => per_day,
    }
}

/// The summary's chart: daily GMV per channel over the span and the one before (with the
/// daily pace of a team GMV goal).
pub fn summary_chart(lang: Lang, data: &TeamData, span: Span) -> ChartSpec {
    let w = span.window(data.today());
    let days = (w.to - w.prev_from).num_days() + 1;
    metric_chart(
        lang,
        data,
        Metric::Gmv,
        None,
        u64::try_from(days).unwrap_or(14),
    )
}
