//! The rhythm commands' own replies: `/review`'s answers, the usage texts of `/summary` and
//! `/chart`, `/chart`'s unknown-channel answer and its picture (spec, caption).

use chrono::NaiveDate;
use chrono_tz::Tz;

use super::chart::metric_chart;
use super::html::Html;
use super::names::{channel_list, hhmm, metric_name, weekday_name};
use crate::domain::lang::Lang;
use crate::domain::review::ChartArgs;
use crate::report::chart::ChartSpec;
use crate::service::report::TeamData;
use crate::storage::Team;
use crate::tr;

/// `/review` with no arguments: the current setting and the next meeting.
pub fn review_current(lang: Lang, team: &Team, next: Option<i64>) -> Html {
    match (team.review_weekday, team.review_minute, next) {
        (Some(wd), Some(min), Some(next)) => {
            review_line(lang, "rhythm.review.current", team, wd, min, next)
        }
        _ => tr!(lang, "rhythm.review.unset"),
    }
}

/// `/review fri 17:00` done.
pub fn review_set(lang: Lang, team: &Team, weekday: i64, minute: i64, next: i64) -> Html {
    review_line(lang, "rhythm.review.set", team, weekday, minute, next)
}

fn review_line(lang: Lang, key: &str, team: &Team, weekday: i64, minute: i64, next: i64) -> Html {
    let tz: Tz = team.tz();
    tr!(
        lang,
        key,
        day = weekday_name(lang, weekday),
        time = hhmm(minute),
        tz = tz.name(),
        next = super::names::datetime(lang, next, tz),
    )
}

pub fn review_off(lang: Lang) -> Html {
    tr!(lang, "rhythm.review.off")
}

pub fn review_usage(lang: Lang, input: &str) -> Html {
    tr!(lang, "rhythm.review.usage", input = input)
}

pub fn summary_usage(lang: Lang, input: &str) -> Html {
    tr!(lang, "rhythm.summary.usage", input = input)
}

pub fn chart_usage(lang: Lang, input: &str) -> Html {
    tr!(lang, "rhythm.chart.usage", input = input)
}

/// `/chart #name` for a channel the team does not have.
pub fn chart_unknown_channel(lang: Lang, input: &str, channels: &[String]) -> Html {
    let list = if channels.is_empty() {
        Html::text("—")
    } else {
        channel_list(channels)
    };
    tr!(
        lang,
        "rhythm.chart.unknown_channel",
        input = input,
        channels = list,
    )
}

pub fn chart_failed(lang: Lang) -> Html {
    tr!(lang, "rhythm.chart.failed")
}

/// The picture `/chart` asked for.
pub fn chart_spec(lang: Lang, data: &TeamData, args: &ChartArgs) -> ChartSpec {
    metric_chart(lang, data, args.metric, args.channel.as_deref(), args.days)
}

/// The caption under `/chart`'s picture.
pub fn chart_caption(lang: Lang, args: &ChartArgs, from: NaiveDate, to: NaiveDate) -> Html {
    tr!(
        lang,
        "rhythm.chart.caption",
        metric = metric_name(lang, args.metric),
        from = super::names::month_day(lang, from),
        to = super::names::month_day(lang, to),
    )
}
