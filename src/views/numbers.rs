//! The words of the numbers area: the check-in reply (inputs, derived metrics marked against
//! their goals, what a replacement changed), refusals, the `/metrics` table, the daily nudge,
//! `/checkin_time` and `/export` captions.

use chrono_tz::Tz;

use crate::domain::checkins::{ExportRange, Field, MetricsArgError, derived_shown, judge};
use crate::domain::goal::{Goal, Progress, rate_goal_for};
use crate::domain::lang::Lang;
use crate::domain::metrics::{
    Better, CheckinError, CheckinField, GoalThreshold, MAX_CREATIVE_CHARS, Metric, Totals,
};
use crate::domain::money::{DASH, format_bp, format_money, format_number};
use crate::domain::when::WhenError;
use crate::service::checkins::{
    CheckinRefusal, ExportData, LineOutcome, MetricsData, MetricsRefusal, Replaced, SavedCheckin,
};
use crate::service::goals::GoalStatus;
use crate::service::nudges::{MissingCheckins, NudgeOwner};
use crate::tr;

use super::amounts::amount_reason;
use super::html::Html;
use super::names::{channel_list, hhmm, mention, metric_name};

/// The team's goals, which derived metrics are judged against.
pub struct GoalMarks<'a> {
    pub goals: &'a [Goal],
}

/// `≥ 2.00%` / `≤ 0.80`.
fn goal_text(lang: Lang, goal: &GoalThreshold, currency: &str) -> Html {
    let op = match goal.direction {
        Better::Higher => "≥",
        Better::Lower => "≤",
    };
    tr!(
        lang,
        "numbers.goal",
        op = op,
        target = goal.format_target(currency)
    )
}

/// Progress lines for volume goals over their own period to date (the same progress `/goals`
/// shows). Unknown is not zero: a goal without the numbers it needs says so.
pub fn render_volume_goals(statuses: &[GoalStatus], lang: Lang, currency: &str) -> Vec<Html> {
    let mut lines = Vec::new();
    for s in statuses {
        let (g, Some(period)) = (&s.goal, s.goal.period()) else {
            continue;
        };
        let m = g.metric;
        let (actual, progress) = match s.progress {
            Some(Progress::Volume { actual, bp }) => (
                Html::text(&actual.format(m, currency)),
                Html::text(&bp.map(format_bp).unwrap_or_else(|| DASH.to_string())),
            ),
            _ => (Html::text(DASH), tr!(lang, "plan.goal.no_data")),
        };
        let scope = match g.channel() {
            None => tr!(lang, "numbers.metrics.team_scope"),
            Some(c) => super::names::channel_tag(c),
        };
        lines.push(tr!(
            lang,
            "numbers.metrics.volume_goal",
            name = metric_name(lang, m),
            scope = scope,
            period = tr!(lang, &format!("numbers.period.{}", period.code())),
            actual = actual,
            target = g.threshold().format_target(currency),
            progress = progress,
        ));
    }
    lines
}

/// `spend`, `GMV`, `new customers`: a check-in field as the replies name it.
fn field_name(lang: Lang, field: CheckinField) -> Html {
    tr!(lang, &format!("numbers.field.{}", field.code()))
}

fn field_value(field: Field, v: Option<i64>, currency: &str) -> String {
    match v {
        None => DASH.to_string(),
        Some(v) if field.is_money() => format_money(v, currency),
        Some(v) => format_number(v),
    }
}

/// One derived metric with its mark: `CTR <b>3.00%</b> ✅ (goal ≥ 2.00%)`.
fn metric_item(
    lang: Lang,
    t: &Totals,
    m: Metric,
    goal: Option<&GoalThreshold>,
    currency: &str,
) -> Html {
    let value = t.value(m);
    // A window where the metric's inputs were known on only some days says so.
    let partial = match t.partial(m) {
        Some((known, days)) => tr!(lang, "numbers.partial", known = known, days = days),
        None => Html::new(),
    };
    let mark = match (judge(value.as_ref(), goal), goal) {
        (Some(true), Some(g)) => tr!(
            lang,
            "numbers.mark.meets",
            goal = goal_text(lang, g, currency)
        ),
        (Some(false), Some(g)) => {
            tr!(
                lang,
                "numbers.mark.misses",
                goal = goal_text(lang, g, currency)
            )
        }
        _ => Html::new(),
    };
    tr!(
        lang,
        "numbers.metric_item",
        name = metric_name(lang, m),
        value = t.format(m, currency),
        partial = partial,
        mark = mark,
    )
}

/// The derived metrics whose inputs exist, each judged against the rate goal for `channel`
/// (the channel's own first, else the team-wide one; None = team-wide only).
fn metric_items(
    lang: Lang,
    t: &Totals,
    marks: &GoalMarks,
    channel: Option<&str>,
    currency: &str,
) -> Vec<Html> {
    derived_shown(t)
        .into_iter()
        .map(|m| {
            let goal = rate_goal_for(marks.goals, m, channel).map(Goal::threshold);
            metric_item(lang, t, m, goal.as_ref(), currency)
        })
        .collect()
}

/// `Spend ¥1,000.00 · Impressions 50,000 · …` (optional fields only when reported).
fn inputs_line(lang: Lang, t: &Totals, currency: &str) -> Html {
    let items: Vec<Html> = Field::ALL
        .into_iter()
        .filter_map(|f| {
            let v = t.get(f)?;
            Some(tr!(
                lang,
                "numbers.input_item",
                name = field_name(lang, f.into()),
                value = field_value(f, Some(v), currency),
            ))
        })
        .collect();
    Html::join(&items, " · ")
}

/// `Channels: #a, #b.` or how to add the first one.
fn known_channels(lang: Lang, names: &[String]) -> Html {
    if names.is_empty() {
        tr!(lang, "numbers.no_channels")
    } else {
        tr!(
            lang,
            "numbers.known_channels",
            channels = channel_list(names)
        )
    }
}

// ---------------------------------------------------------------- /checkin

/// The reply to a saved check-in: header, what it replaced, the inputs, the derived metrics.
pub fn render_checkin(saved: &SavedCheckin, lang: Lang, currency: &str, marks: &GoalMarks) -> Html {
    let mut text = tr!(
        lang,
        "numbers.checkin.header",
        channel = saved.channel.as_str(),
        day = super::names::date(lang, saved.day),
    );
    if !saved.creative.is_empty() {
        text.push(&tr!(
            lang,
            "numbers.checkin.creative",
            creative = saved.creative.as_str()
        ));
    }
    text.push_text("\n");
    text.push(&match &saved.replaced {
        Replaced::Nothing => tr!(lang, "numbers.checkin.saved"),
        Replaced::Same => tr!(lang, "numbers.checkin.same"),
        Replaced::Changed(diff) => {
            let items: Vec<Html> = diff
                .iter()
                .map(|c| {
                    tr!(
                        lang,
                        "numbers.checkin.change",
                        name = field_name(lang, c.field.into()),
                        old = field_value(c.field, c.old, currency),
                        new = field_value(c.field, c.new, currency),
                    )
                })
                .collect();
            tr!(
                lang,
                "numbers.checkin.replaced",
                changes = Html::join(&items, "; ")
            )
        }
    });
    text.push_text("\n");
    text.push(&inputs_line(lang, &saved.totals, currency));
    for item in metric_items(lang, &saved.totals, marks, Some(&saved.channel), currency) {
        text.push_text("\n");
        text.push(&item);
    }
    text
}

/// The reply to a multi-line `/checkin`: a count, then each line's outcome (saved: what it
/// changed and its numbers; refused: why, naming the line), then how to fix refused lines.
pub fn render_checkin_lines(outcomes: &[LineOutcome], lang: Lang, currency: &str) -> Html {
    let saved = outcomes.iter().filter(|o| o.result.is_ok()).count();
    let failed = outcomes.len() - saved;
    let mut lines = vec![tr!(
        lang,
        "numbers.lines.header",
        count = outcomes.len(),
        saved = saved,
        failed = failed,
    )];
    for o in outcomes {
        lines.push(match &o.result {
            Ok(s) => line_saved(lang, o.line, s, currency),
            Err(refusal) => tr!(
                lang,
                "numbers.lines.bad",
                line = o.line,
                why = line_refusal(lang, refusal),
            ),
        });
    }
    if failed > 0 {
        lines.push(tr!(lang, "numbers.lines.hint"));
    }
    Html::lines(lines)
}

fn line_saved(lang: Lang, line: usize, s: &SavedCheckin, currency: &str) -> Html {
    let status = match &s.replaced {
        Replaced::Nothing => tr!(lang, "numbers.lines.saved"),
        Replaced::Same => tr!(lang, "numbers.lines.same"),
        Replaced::Changed(diff) => {
            let names: Vec<Html> = diff
                .iter()
                .map(|c| field_name(lang, c.field.into()))
                .collect();
            tr!(
                lang,
                "numbers.lines.replaced",
                fields = Html::join(&names, ", ")
            )
        }
    };
    let creative = if s.creative.is_empty() {
        Html::new()
    } else {
        tr!(
            lang,
            "numbers.checkin.creative",
            creative = s.creative.as_str()
        )
    };
    tr!(
        lang,
        "numbers.lines.ok",
        line = line,
        channel = s.channel.as_str(),
        day = super::names::date(lang, s.day),
        creative = creative,
        status = status,
        inputs = inputs_line(lang, &s.totals, currency),
    )
}

/// One line's refusal, without the usage (the reply would repeat it per line).
fn line_refusal(lang: Lang, refusal: &CheckinRefusal) -> Html {
    match refusal {
        CheckinRefusal::Usage => tr!(lang, "numbers.checkin.usage"),
        CheckinRefusal::ChannelFirst { known } => tr!(
            lang,
            "numbers.lines.no_channel",
            known = known_channels(lang, known)
        ),
        CheckinRefusal::UnknownChannel { input, known } => tr!(
            lang,
            "numbers.unknown_channel",
            input = input.as_str(),
            known = known_channels(lang, known),
        ),
        CheckinRefusal::Fields(err) => {
            refusal_why(lang, err).unwrap_or_else(|| tr!(lang, "numbers.err.no_numbers"))
        }
        CheckinRefusal::Day(err) => day_refusal(lang, err),
    }
}

/// Why a check-in was not saved.
pub fn render_checkin_refusal(refusal: &CheckinRefusal, lang: Lang) -> Html {
    let usage = tr!(lang, "numbers.checkin.usage");
    match refusal {
        CheckinRefusal::Usage => usage,
        CheckinRefusal::ChannelFirst { known } => Html::lines([
            tr!(
                lang,
                "numbers.checkin.channel_first",
                known = known_channels(lang, known)
            ),
            usage,
        ]),
        CheckinRefusal::UnknownChannel { input, known } => tr!(
            lang,
            "numbers.unknown_channel",
            input = input.as_str(),
            known = known_channels(lang, known),
        ),
        CheckinRefusal::Fields(err) => refusal_text(lang, err, usage),
        CheckinRefusal::Day(err) => day_refusal(lang, err),
    }
}

/// Why the fields were refused, quoting what was typed, followed by the right form.
pub fn refusal_text(lang: Lang, err: &CheckinError, usage: Html) -> Html {
    match refusal_why(lang, err) {
        Some(why) => Html::lines([why, usage]),
        None => usage,
    }
}

/// Why the fields were refused (None: there were none, the usage says it all).
fn refusal_why(lang: Lang, err: &CheckinError) -> Option<Html> {
    let why = match err {
        CheckinError::Empty => return None,
        CheckinError::NotKeyValue { token } => {
            tr!(lang, "numbers.err.not_key_value", input = token.as_str())
        }
        CheckinError::UnknownKey { key } => {
            tr!(lang, "numbers.err.unknown_key", input = key.as_str())
        }
        CheckinError::DuplicateKey { key, .. } => {
            tr!(lang, "numbers.err.duplicate", input = key.as_str())
        }
        CheckinError::BadValue { key, value, source } => tr!(
            lang,
            "numbers.err.bad_value",
            key = key.as_str(),
            input = value.as_str(),
            reason = amount_reason(lang, source),
        ),
        CheckinError::BadCreative { value } => tr!(
            lang,
            "numbers.err.bad_creative",
            input = value.as_str(),
            max = MAX_CREATIVE_CHARS,
        ),
        CheckinError::NoNumbers => tr!(lang, "numbers.err.no_numbers"),
        CheckinError::Negative { field, value } => tr!(
            lang,
            "numbers.err.negative",
            name = field_name(lang, *field),
            value = format_number(*value),
        ),
        CheckinError::ClicksExceedImpressions {
            clicks,
            impressions,
        } => tr!(
            lang,
            "numbers.err.clicks_over_impressions",
            clicks = format_number(*clicks),
            impressions = format_number(*impressions),
        ),
        CheckinError::OrdersExceedClicks { orders, clicks } => tr!(
            lang,
            "numbers.err.orders_over_clicks",
            orders = format_number(*orders),
            clicks = format_number(*clicks),
        ),
    };
    Some(why)
}

/// Why `date=` was refused.
pub fn day_refusal(lang: Lang, err: &WhenError) -> Html {
    match err {
        WhenError::InFuture { input, .. } => {
            tr!(lang, "numbers.err.date_future", input = input.as_str())
        }
        WhenError::TooOld {
            input, max_days, ..
        } => tr!(
            lang,
            "numbers.err.date_too_old",
            input = input.as_str(),
            max = max_days.to_string(),
        ),
        WhenError::Unrecognized { input }
        | WhenError::InPast { input, .. }
        | WhenError::TooFar { input } => {
            tr!(lang, "numbers.err.date_bad", input = input.as_str())
        }
    }
}

// ---------------------------------------------------------------- /metrics

/// The `/metrics` table: each channel's inputs and derived metrics, the team's, then the
/// volume goals' progress lines (`volume`, from [`render_volume_goals`]).
pub fn render_metrics(
    data: &MetricsData,
    lang: Lang,
    currency: &str,
    marks: &GoalMarks,
    volume: &[Html],
) -> Html {
    let from = super::names::day(lang, data.range.from);
    let to = super::names::day(lang, data.range.to);
    let days = data.range.days();
    let mut text = tr!(
        lang,
        "numbers.metrics.header",
        from = from,
        to = to,
        days = days
    );
    let gap = "\n\n";
    if data.channels.is_empty() {
        text.push_text(gap);
        text.push(&tr!(lang, "numbers.no_channels"));
        return text;
    }
    let block = |text: &mut Html, t: &Totals, channel: Option<&str>| {
        text.push_text("\n");
        text.push(&inputs_line(lang, t, currency));
        text.push_text("\n");
        let items = metric_items(lang, t, marks, channel, currency);
        text.push(&Html::join(&items, " · "));
    };
    for c in &data.channels {
        text.push_text(gap);
        match &c.sums {
            None => text.push(&tr!(
                lang,
                "numbers.metrics.channel_empty",
                channel = c.channel.as_str()
            )),
            Some((checked, t)) => {
                text.push(&tr!(
                    lang,
                    "numbers.metrics.channel",
                    channel = c.channel.as_str(),
                    checked = *checked,
                    days = days,
                ));
                block(&mut text, t, Some(&c.channel));
            }
        }
    }
    if let Some(t) = &data.team {
        text.push_text(gap);
        text.push(&tr!(lang, "numbers.metrics.team"));
        block(&mut text, t, None);
    }
    if !volume.is_empty() {
        text.push_text(gap);
        text.push(&Html::join(volume, "\n"));
    }
    text
}

pub fn render_metrics_refusal(refusal: &MetricsRefusal, lang: Lang) -> Html {
    match &refusal.error {
        MetricsArgError::UnknownChannel { input } => tr!(
            lang,
            "numbers.unknown_channel",
            input = input.as_str(),
            known = known_channels(lang, &refusal.known),
        ),
        MetricsArgError::Unrecognized { input } => {
            tr!(lang, "numbers.metrics.usage", input = input.as_str())
        }
    }
}

// ---------------------------------------------------------------- /export

pub fn render_export_usage(lang: Lang, input: &str) -> Html {
    tr!(lang, "numbers.export.usage", input = input.trim())
}

/// The captions of `checkins.csv` and `tasks.csv`.
pub fn render_export_captions(data: &ExportData, lang: Lang) -> (Html, Html) {
    let span = match data.range {
        ExportRange::All => tr!(lang, "numbers.export.all"),
        ExportRange::Days(_) => tr!(
            lang,
            "numbers.export.span",
            from = data.from.as_str(),
            to = data.to.as_str()
        ),
    };
    (
        tr!(
            lang,
            "numbers.export.checkins",
            rows = data.checkins.len(),
            span = span
        ),
        tr!(
            lang,
            "numbers.export.tasks",
            rows = data.tasks.len(),
            span = span
        ),
    )
}

// ---------------------------------------------------------------- /checkin_time and the nudge

/// The current nudge time (`minute`), or that there is none.
pub fn render_checkin_time_current(lang: Lang, minute: Option<i64>, tz: Tz) -> Html {
    match minute {
        Some(m) => tr!(
            lang,
            "numbers.checkin_time.current",
            time = hhmm(m),
            tz = tz.name()
        ),
        None => tr!(lang, "numbers.checkin_time.current_off"),
    }
}

pub fn render_checkin_time_usage(lang: Lang, input: &str) -> Html {
    tr!(lang, "numbers.checkin_time.usage", input = input.trim())
}

/// After `/checkin_time`: the new time and the next nudge (`next_due`), or that it is off.
pub fn render_checkin_time_set(lang: Lang, minute: i64, next_due: Option<i64>, tz: Tz) -> Html {
    match next_due {
        Some(due) => tr!(
            lang,
            "numbers.checkin_time.set",
            time = hhmm(minute),
            tz = tz.name(),
            next = super::names::datetime(lang, due, tz),
        ),
        None => tr!(lang, "numbers.checkin_time.off"),
    }
}

/// The daily nudge: the channels without numbers, one line per owner (mentioned), ownerless
/// ones last; `late` when it goes out after the planned time.
pub fn render_nudge(missing: &MissingCheckins, lang: Lang, late: bool) -> Html {
    let mut lines: Vec<Html> = missing
        .owners
        .iter()
        .map(|(owner, list)| {
            let who = match owner {
                NudgeOwner::User { id, name } => mention(*id, name),
                NudgeOwner::Username(u) => Html::text(&format!("@{u}")),
            };
            tr!(
                lang,
                "numbers.nudge.line",
                channels = channel_list(list),
                owner = who
            )
        })
        .collect();
    if !missing.orphans.is_empty() {
        lines.push(tr!(
            lang,
            "numbers.nudge.orphans",
            channels = channel_list(&missing.orphans)
        ));
    }
    let mut text = if late {
        tr!(lang, "numbers.nudge.late")
    } else {
        Html::new()
    };
    text.push(&tr!(
        lang,
        "numbers.nudge.text",
        day = super::names::date(lang, missing.day),
        lines = Html::lines(lines),
        example = missing.example.as_str(),
    ));
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::money::AmountError;
    use chrono::NaiveDate;

    #[test]
    fn the_nudge_escapes_names_and_mentions_by_id() {
        let missing = MissingCheckins {
            day: NaiveDate::from_ymd_opt(2026, 11, 2).expect("day"),
            owners: vec![
                (
                    NudgeOwner::User {
                        id: crate::domain::ids::UserId(7),
                        name: "<Ann>".into(),
                    },
                    vec!["xhs".into(), "a&b".into()],
                ),
                (NudgeOwner::Username("bo<b".into()), vec!["jd".into()]),
            ],
            orphans: vec!["tmall".into()],
            example: "x<y".into(),
        };
        let text = render_nudge(&missing, Lang::En, true);
        let s = text.as_str();
        assert!(s.starts_with("(Late"), "{s}");
        assert!(
            s.contains("#xhs, #a&amp;b — <a href=\"tg://user?id=7\">&lt;Ann&gt;</a>"),
            "{s}"
        );
        assert!(s.contains("#jd — @bo&lt;b"), "{s}");
        assert!(s.contains("#tmall — no owner"), "{s}");
        assert!(s.contains("/checkin x&lt;y spend"), "{s}");
    }

    #[test]
    fn a_bad_value_names_the_field_and_the_input_once_escaped() {
        let err = CheckinError::BadValue {
            key: "spend".into(),
            value: "<b>1".into(),
            source: AmountError::Invalid {
                input: "<b>1".into(),
            },
        };
        for lang in [Lang::En, Lang::Zh] {
            let text = render_checkin_refusal(&CheckinRefusal::Fields(err.clone()), lang);
            let s = text.as_str();
            assert!(s.contains("<code>spend=&lt;b&gt;1</code>"), "{s}");
            assert!(!s.contains("&amp;lt;"), "double escaped: {s}");
            assert!(!s.contains("amount."), "{s}");
        }
    }
}
