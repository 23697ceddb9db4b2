//! Numbers: `/checkin`, `/metrics`, `/export`, `/checkin_time`, and the planning of the daily
//! check-in nudge (the scheduler fires it in `scheduler::nudges`).

use crate::domain::jobs::JobKind;
use crate::service::Service;
use std::collections::HashMap;

use chrono::NaiveDate;
use chrono_tz::Tz;
use teloxide::prelude::*;
use teloxide::types::{InputFile, ParseMode};

use super::reply::escape;
use super::task_view::{mention, person_name};
use super::{HandlerResult, Turn};
use crate::domain::checkins::{
    self as rules, DayRange, ExportRange, Field, GoalSpec, MetricsPeriod, csv_money, csv_text,
    day_key, derived_shown, format_minute_of_day, judge, next_nudge, parse_day_key,
    parse_minute_of_day, rate_goal_for,
};
use crate::domain::lang::Lang;
use crate::domain::metrics::{
    Better, CheckinError, GoalThreshold, Metric, MetricValue, Totals, parse_checkin_fields,
    progress_bp, validate,
};
use crate::domain::money::{AmountError, format_bp, format_money, format_number};
use crate::domain::schedule::after_quiet;
use crate::domain::when::{WhenError, format_date, format_local, local_date, parse_day};
use crate::i18n::tr;
use crate::storage::{
    ChannelSums, Checkin, JOB_DROPPED, NewCheckin, NewJob, Store, StoreResult, Team, TeamSetting,
};

// ---------------------------------------------------------------- shared rendering

/// The localized name of a metric (`CTR` / `点击率`).
pub fn metric_name(lang: Lang, m: Metric) -> String {
    tr(lang, &format!("numbers.metric.{}", m.code()), &[])
}

fn field_name(lang: Lang, code: &str) -> String {
    tr(lang, &format!("numbers.field.{code}"), &[])
}

fn field_value(field: Field, v: Option<i64>, currency: &str) -> String {
    match v {
        None => crate::domain::money::DASH.to_string(),
        Some(v) if field.is_money() => format_money(v, currency),
        Some(v) => format_number(v),
    }
}

/// The team's goals in domain terms (unknown metrics or directions are skipped).
pub async fn goal_specs(store: &Store, chat_id: i64) -> StoreResult<Vec<GoalSpec>> {
    Ok(store
        .goals(chat_id)
        .await?
        .iter()
        .filter_map(|g| {
            GoalSpec::from_parts(&g.metric, &g.channel, &g.direction, &g.period, g.value)
        })
        .collect())
}

/// `≥ 2.00%` / `≤ 0.80`.
fn goal_text(lang: Lang, goal: &GoalThreshold, currency: &str) -> String {
    let op = match goal.direction {
        Better::Higher => "≥",
        Better::Lower => "≤",
    };
    tr(
        lang,
        "numbers.goal",
        &[
            ("op", op),
            ("target", &escape(&goal.format_target(currency))),
        ],
    )
}

/// One derived metric with its mark: `CTR <b>3.00%</b> ✅ (goal ≥ 2.00%)`.
fn metric_item(
    lang: Lang,
    t: &Totals,
    m: Metric,
    goal: Option<&GoalThreshold>,
    currency: &str,
) -> String {
    let value = t.value(m);
    let mark = match (judge(value.as_ref(), goal), goal) {
        (Some(true), Some(g)) => tr(
            lang,
            "numbers.mark.meets",
            &[("goal", &goal_text(lang, g, currency))],
        ),
        (Some(false), Some(g)) => tr(
            lang,
            "numbers.mark.misses",
            &[("goal", &goal_text(lang, g, currency))],
        ),
        _ => String::new(),
    };
    tr(
        lang,
        "numbers.metric_item",
        &[
            ("name", &metric_name(lang, m)),
            ("value", &escape(&t.format(m, currency))),
            ("mark", &mark),
        ],
    )
}

/// The derived metrics whose inputs exist, each judged against the rate goal for `channel`
/// (the channel's own first, else the team-wide one; None = team-wide only).
fn metric_items(
    lang: Lang,
    t: &Totals,
    goals: &[GoalSpec],
    channel: Option<&str>,
    currency: &str,
) -> Vec<String> {
    derived_shown(t)
        .into_iter()
        .map(|m| {
            let goal = rate_goal_for(goals, m, channel).map(|g| &g.threshold);
            metric_item(lang, t, m, goal, currency)
        })
        .collect()
}

/// `Spend ¥1,000.00 · Impressions 50,000 · …` (optional fields only when reported).
fn inputs_line(lang: Lang, t: &Totals, currency: &str) -> String {
    Field::ALL
        .into_iter()
        .filter_map(|f| {
            let v = f.get(t)?;
            Some(tr(
                lang,
                "numbers.input_item",
                &[
                    ("name", &field_name(lang, f.code())),
                    ("value", &escape(&field_value(f, Some(v), currency))),
                ],
            ))
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

fn checkin_totals(c: &Checkin) -> Totals {
    Totals {
        spend: c.spend,
        impressions: c.impressions,
        clicks: c.clicks,
        orders: c.orders,
        gmv: c.gmv,
        new_customers: c.new_customers,
        interactions: c.interactions,
    }
}

fn sums_totals(s: &ChannelSums) -> Totals {
    Totals {
        spend: s.spend,
        impressions: s.impressions,
        clicks: s.clicks,
        orders: s.orders,
        gmv: s.gmv,
        new_customers: s.new_customers,
        interactions: s.interactions,
    }
}

fn channel_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("#{}", escape(n)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Normalizes a typed channel reference: `#XHS` → `xhs`.
fn channel_key(s: &str) -> String {
    s.trim().trim_start_matches(['#', '＃']).to_lowercase()
}

// ---------------------------------------------------------------- /checkin

pub async fn checkin(turn: &Turn, args: &str) -> HandlerResult {
    let Some(team) = turn.require_team().await? else {
        return Ok(());
    };
    let store = &turn.ctx.store;
    let args = args.trim();
    let (first, rest) = match args.split_once(char::is_whitespace) {
        Some((a, b)) => (a, b.trim()),
        None => (args, ""),
    };
    let usage = turn.t("numbers.checkin.usage", &[]);
    if first.is_empty() {
        return turn.reply(&usage).await;
    }
    let channels = store.channels(team.chat_id).await?;
    let names: Vec<String> = channels.iter().map(|c| c.name.clone()).collect();
    let known = || {
        if names.is_empty() {
            turn.t("numbers.no_channels", &[])
        } else {
            turn.t(
                "numbers.known_channels",
                &[("channels", &channel_list(&names))],
            )
        }
    };
    // "/checkin spend=1000 …": the channel was left out.
    if first.contains(['=', ':', '：']) {
        let text = turn.t("numbers.checkin.channel_first", &[("known", &known())]);
        return turn.reply(&format!("{text}\n{usage}")).await;
    }
    let name = channel_key(first);
    let Some(channel) = channels.iter().find(|c| c.name == name) else {
        let text = turn.t(
            "numbers.unknown_channel",
            &[("input", &escape(first)), ("known", &known())],
        );
        return turn.reply(&text).await;
    };
    let input = match parse_checkin_fields(rest) {
        Ok(input) => input,
        Err(err) => return turn.reply(&refusal(turn, &err, &usage)).await,
    };
    let totals = match input.totals().and_then(|t| validate(&t).map(|()| t)) {
        Ok(t) => t,
        Err(err) => return turn.reply(&refusal(turn, &err, &usage)).await,
    };
    let now = turn.ctx.now();
    let day = match &input.date {
        None => local_date(now, turn.tz),
        Some(text) => match parse_day(text, now, turn.tz) {
            Ok(day) => day,
            Err(err) => return turn.reply(&day_refusal(turn, &err)).await,
        },
    };
    let day_str = day_key(day);
    let creative = input.creative.as_deref().unwrap_or("");
    let new = NewCheckin {
        chat_id: team.chat_id,
        channel: &channel.name,
        day: &day_str,
        creative,
        spend: totals.spend,
        impressions: totals.impressions,
        clicks: totals.clicks,
        orders: totals.orders,
        gmv: totals.gmv,
        new_customers: totals.new_customers,
        interactions: totals.interactions,
        author_id: turn.user_id(),
    };
    let (_, before) = store.put_checkin(&new, now).await?;
    let goals = goal_specs(store, team.chat_id).await?;
    let currency = team.currency.as_str();
    let lang = turn.lang;

    let mut text = turn.t(
        "numbers.checkin.header",
        &[
            ("channel", &escape(&channel.name)),
            ("day", &format_date(day)),
        ],
    );
    if !creative.is_empty() {
        text.push_str(&turn.t(
            "numbers.checkin.creative",
            &[("creative", &escape(creative))],
        ));
    }
    text.push('\n');
    match before {
        None => text.push_str(&turn.t("numbers.checkin.saved", &[])),
        Some(old) => {
            let diff = rules::changes(&checkin_totals(&old), &totals);
            if diff.is_empty() {
                text.push_str(&turn.t("numbers.checkin.same", &[]));
            } else {
                let items: Vec<String> = diff
                    .iter()
                    .map(|c| {
                        turn.t(
                            "numbers.checkin.change",
                            &[
                                ("name", &field_name(lang, c.field.code())),
                                ("old", &escape(&field_value(c.field, c.old, currency))),
                                ("new", &escape(&field_value(c.field, c.new, currency))),
                            ],
                        )
                    })
                    .collect();
                text.push_str(&turn.t(
                    "numbers.checkin.replaced",
                    &[("changes", &items.join("; "))],
                ));
            }
        }
    }
    text.push('\n');
    text.push_str(&inputs_line(lang, &totals, currency));
    for item in metric_items(lang, &totals, &goals, Some(&channel.name), currency) {
        text.push('\n');
        text.push_str(&item);
    }
    turn.reply(&text).await
}

fn amount_reason(turn: &Turn, err: &AmountError) -> String {
    let key = match err {
        AmountError::Invalid { .. } => "numbers.amount.invalid",
        AmountError::Negative { .. } => "numbers.amount.negative",
        AmountError::TooPrecise { .. } => "numbers.amount.too_precise",
        AmountError::TooLarge { .. } => "numbers.amount.too_large",
        AmountError::NotInteger { .. } => "numbers.amount.not_integer",
    };
    turn.t(key, &[])
}

/// Why a check-in was refused, quoting what was typed, followed by the right form.
fn refusal(turn: &Turn, err: &CheckinError, usage: &str) -> String {
    let lang = turn.lang;
    let why = match err {
        CheckinError::Empty => return usage.to_string(),
        CheckinError::NotKeyValue { token } => {
            turn.t("numbers.err.not_key_value", &[("input", &escape(token))])
        }
        CheckinError::UnknownKey { key } => {
            turn.t("numbers.err.unknown_key", &[("input", &escape(key))])
        }
        CheckinError::DuplicateKey { key, .. } => {
            turn.t("numbers.err.duplicate", &[("input", &escape(key))])
        }
        CheckinError::BadValue { key, value, source } => turn.t(
            "numbers.err.bad_value",
            &[
                ("key", &escape(key)),
                ("input", &escape(value)),
                ("reason", &amount_reason(turn, source)),
            ],
        ),
        CheckinError::BadCreative { value } => turn.t(
            "numbers.err.bad_creative",
            &[
                ("input", &escape(value)),
                (
                    "max",
                    &crate::domain::metrics::MAX_CREATIVE_CHARS.to_string(),
                ),
            ],
        ),
        CheckinError::Missing { fields } => {
            let names: Vec<String> = fields
                .iter()
                .map(|f| format!("<code>{}</code>", field_name(lang, f.code())))
                .collect();
            turn.t("numbers.err.missing", &[("fields", &names.join(", "))])
        }
        CheckinError::Negative { field, value } => turn.t(
            "numbers.err.negative",
            &[
                ("name", &field_name(lang, field.code())),
                ("value", &format_number(*value)),
            ],
        ),
        CheckinError::ClicksExceedImpressions {
            clicks,
            impressions,
        } => turn.t(
            "numbers.err.clicks_over_impressions",
            &[
                ("clicks", &format_number(*clicks)),
                ("impressions", &format_number(*impressions)),
            ],
        ),
        CheckinError::OrdersExceedClicks { orders, clicks } => turn.t(
            "numbers.err.orders_over_clicks",
            &[
                ("orders", &format_number(*orders)),
                ("clicks", &format_number(*clicks)),
            ],
        ),
    };
    format!("{why}\n{usage}")
}

fn day_refusal(turn: &Turn, err: &WhenError) -> String {
    match err {
        WhenError::InFuture { input, .. } => {
            turn.t("numbers.err.date_future", &[("input", &escape(input))])
        }
        WhenError::TooOld {
            input, max_days, ..
        } => turn.t(
            "numbers.err.date_too_old",
            &[("input", &escape(input)), ("max", &max_days.to_string())],
        ),
        WhenError::Unrecognized { input }
        | WhenError::InPast { input, .. }
        | WhenError::TooFar { input } => {
            turn.t("numbers.err.date_bad", &[("input", &escape(input))])
        }
    }
}

// ---------------------------------------------------------------- /metrics

/// Sums of all channels' rows.
fn team_totals(rows: &[ChannelSums]) -> Totals {
    rows.iter().map(sums_totals).sum()
}

/// Progress lines for volume goals (GMV/orders/new/spend per week, month or quarter), each
/// measured over its own period to date. `channel` None = every goal, Some = that channel's.
async fn volume_goal_lines(
    turn: &Turn,
    chat_id: i64,
    goals: &[GoalSpec],
    channel: Option<&str>,
    currency: &str,
) -> StoreResult<Vec<String>> {
    let today = local_date(turn.ctx.now(), turn.tz);
    let mut lines = Vec::new();
    for g in goals {
        let Some(period) = g.period else { continue };
        if channel.is_some_and(|c| c != g.channel) {
            continue;
        }
        let (from, to) = (day_key(period.start(today)), day_key(today));
        let rows = turn
            .ctx
            .store
            .channel_sums(chat_id, &from, &to, &g.channel)
            .await?;
        let t = team_totals(&rows);
        let m = g.threshold.metric;
        let actual = match m {
            Metric::Gmv => t.gmv,
            Metric::Orders => t.orders,
            Metric::New => t.new_customers.unwrap_or(0),
            _ => t.spend,
        };
        let progress = progress_bp(actual, g.threshold.target)
            .map(format_bp)
            .unwrap_or_else(|| crate::domain::money::DASH.to_string());
        let scope = if g.channel.is_empty() {
            turn.t("numbers.metrics.team_scope", &[])
        } else {
            format!("#{}", escape(&g.channel))
        };
        lines.push(turn.t(
            "numbers.metrics.volume_goal",
            &[
                ("name", &metric_name(turn.lang, m)),
                ("scope", &scope),
                (
                    "period",
                    &turn.t(&format!("numbers.period.{}", period.code()), &[]),
                ),
                (
                    "actual",
                    &escape(&MetricValue::whole(actual.into()).format(m, currency)),
                ),
                ("target", &escape(&g.threshold.format_target(currency))),
                ("progress", &progress),
            ],
        ));
    }
    Ok(lines)
}

pub async fn metrics(turn: &Turn, args: &str) -> HandlerResult {
    let Some(team) = turn.require_team().await? else {
        return Ok(());
    };
    let store = &turn.ctx.store;
    let channels = store.channels(team.chat_id).await?;
    let names: Vec<String> = channels.iter().map(|c| c.name.clone()).collect();
    let mut period = None;
    let mut only: Option<String> = None;
    for tok in args.split_whitespace() {
        let key = channel_key(tok);
        if period.is_none()
            && !tok.starts_with(['#', '＃'])
            && let Some(p) = MetricsPeriod::parse(tok)
        {
            period = Some(p);
        } else if only.is_none() && names.contains(&key) {
            only = Some(key);
        } else if tok.starts_with(['#', '＃']) {
            let known = if names.is_empty() {
                turn.t("numbers.no_channels", &[])
            } else {
                turn.t(
                    "numbers.known_channels",
                    &[("channels", &channel_list(&names))],
                )
            };
            return turn
                .reply(&turn.t(
                    "numbers.unknown_channel",
                    &[("input", &escape(tok)), ("known", &known)],
                ))
                .await;
        } else {
            return turn
                .reply(&turn.t("numbers.metrics.usage", &[("input", &escape(tok))]))
                .await;
        }
    }
    let period = period.unwrap_or_default();
    let today = local_date(turn.ctx.now(), turn.tz);
    let range = period.range(today);
    let (from, to) = range.keys();
    let rows = store
        .channel_sums(team.chat_id, &from, &to, only.as_deref().unwrap_or(""))
        .await?;
    let goals = goal_specs(store, team.chat_id).await?;
    let currency = team.currency.as_str();
    let lang = turn.lang;
    let days = range.days().to_string();

    let mut text = turn.t(
        "numbers.metrics.header",
        &[("from", &from), ("to", &to), ("days", &days)],
    );
    // Live channels first (with or without numbers), then removed ones that still have numbers.
    let mut shown: Vec<String> = match &only {
        Some(c) => vec![c.clone()],
        None => names.clone(),
    };
    for r in &rows {
        if !shown.contains(&r.channel) {
            shown.push(r.channel.clone());
        }
    }
    if shown.is_empty() {
        text.push_str("\n\n");
        text.push_str(&turn.t("numbers.no_channels", &[]));
        return turn.reply(&text).await;
    }
    for name in &shown {
        text.push_str("\n\n");
        match rows.iter().find(|r| &r.channel == name) {
            None => text.push_str(&turn.t(
                "numbers.metrics.channel_empty",
                &[("channel", &escape(name))],
            )),
            Some(r) => {
                let t = sums_totals(r);
                text.push_str(&turn.t(
                    "numbers.metrics.channel",
                    &[
                        ("channel", &escape(name)),
                        ("checked", &r.days.to_string()),
                        ("days", &days),
                    ],
                ));
                text.push('\n');
                text.push_str(&inputs_line(lang, &t, currency));
                text.push('\n');
                text.push_str(&metric_items(lang, &t, &goals, Some(name), currency).join(" · "));
            }
        }
    }
    if only.is_none() && !rows.is_empty() {
        let t = team_totals(&rows);
        text.push_str("\n\n");
        text.push_str(&turn.t("numbers.metrics.team", &[]));
        text.push('\n');
        text.push_str(&inputs_line(lang, &t, currency));
        text.push('\n');
        text.push_str(&metric_items(lang, &t, &goals, None, currency).join(" · "));
    }
    let volume = volume_goal_lines(turn, team.chat_id, &goals, only.as_deref(), currency).await?;
    if !volume.is_empty() {
        text.push_str("\n\n");
        text.push_str(&volume.join("\n"));
    }
    turn.reply(&text).await
}

// ---------------------------------------------------------------- /export

/// UTF-8 byte-order mark: without it Excel reads UTF-8 CSV as the local code page.
const BOM: &[u8] = b"\xEF\xBB\xBF";

fn local_time_cell(epoch: i64, tz: Tz) -> String {
    // format_local gives "YYYY-MM-DD HH:MM Ddd"; spreadsheets want the date and time only.
    let s = format_local(epoch, tz);
    s.rsplit_once(' ')
        .map(|(dt, _)| dt.to_string())
        .unwrap_or(s)
}

/// A CSV document: BOM, header, rows. Writing into memory fails only on a bug in the writer.
fn write_csv(header: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(BOM.to_vec());
    w.write_record(header)?;
    for r in rows {
        w.write_record(r)?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// The header of the check-ins CSV.
pub const CHECKINS_CSV_HEADER: [&str; 13] = [
    "date",
    "channel",
    "creative",
    "spend",
    "impressions",
    "clicks",
    "orders",
    "gmv",
    "new_customers",
    "interactions",
    "author",
    "created",
    "updated",
];

/// The header of the tasks CSV.
pub const TASKS_CSV_HEADER: [&str; 14] = [
    "number",
    "title",
    "status",
    "owner",
    "channel",
    "due",
    "recur",
    "slips",
    "blocked_reason",
    "done_when",
    "creator",
    "created",
    "updated",
    "done",
];

/// Display names by user id, looked up once each.
struct Names<'a> {
    store: &'a Store,
    cache: HashMap<(Option<i64>, Option<String>), String>,
}

impl Names<'_> {
    async fn get(&mut self, id: Option<i64>, username: Option<&str>) -> StoreResult<String> {
        if id.is_none() && username.is_none() {
            return Ok(String::new());
        }
        let key = (id, username.map(str::to_string));
        if let Some(n) = self.cache.get(&key) {
            return Ok(n.clone());
        }
        let name = person_name(self.store, id, username).await?;
        self.cache.insert(key, name.clone());
        Ok(name)
    }
}

pub async fn export(turn: &Turn, args: &str) -> HandlerResult {
    let Some(team) = turn.require_team().await? else {
        return Ok(());
    };
    let Some(range) = ExportRange::parse(args) else {
        return turn
            .reply(&turn.t("numbers.export.usage", &[("input", &escape(args.trim()))]))
            .await;
    };
    let store = &turn.ctx.store;
    let tz = turn.tz;
    let today = local_date(turn.ctx.now(), tz);
    let (from, to) = match range.range(today) {
        Some(r) => r.keys(),
        None => ("0000-01-01".to_string(), "9999-12-31".to_string()),
    };
    let checkins = store.checkins_between(team.chat_id, &from, &to).await?;
    let tasks = store
        .tasks_since(team.chat_id, range.since(today, tz))
        .await?;
    let mut names = Names {
        store,
        cache: HashMap::new(),
    };

    let mut rows = Vec::with_capacity(checkins.len());
    for c in &checkins {
        let opt = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
        rows.push(vec![
            c.day.clone(),
            c.channel.clone(),
            csv_text(&c.creative),
            csv_money(c.spend),
            c.impressions.to_string(),
            c.clicks.to_string(),
            c.orders.to_string(),
            csv_money(c.gmv),
            opt(c.new_customers),
            opt(c.interactions),
            csv_text(&names.get(c.author_id, None).await?),
            local_time_cell(c.created_at, tz),
            local_time_cell(c.updated_at, tz),
        ]);
    }
    let checkins_csv = write_csv(&CHECKINS_CSV_HEADER, &rows);

    let mut rows = Vec::with_capacity(tasks.len());
    for t in &tasks {
        let owner = names.get(t.owner_id, t.owner_username.as_deref()).await?;
        let creator = names.get(Some(t.creator_id), None).await?;
        rows.push(vec![
            t.number.to_string(),
            csv_text(&t.title),
            t.status.code().to_string(),
            csv_text(&owner),
            t.channel.clone().unwrap_or_default(),
            local_time_cell(t.due_at, tz),
            t.recur.map(|r| r.code().to_string()).unwrap_or_default(),
            t.slips.to_string(),
            csv_text(t.blocked_reason.as_deref().unwrap_or("")),
            csv_text(t.done_when.as_deref().unwrap_or("")),
            csv_text(&creator),
            local_time_cell(t.created_at, tz),
            local_time_cell(t.updated_at, tz),
            t.done_at
                .map(|d| local_time_cell(d, tz))
                .unwrap_or_default(),
        ]);
    }
    let tasks_csv = write_csv(&TASKS_CSV_HEADER, &rows);
    let (Ok(checkins_csv), Ok(tasks_csv)) = (checkins_csv, tasks_csv) else {
        tracing::error!(chat = team.chat_id, "could not write the CSV export");
        return turn.reply(&turn.t("error.internal", &[])).await;
    };

    let span = match range {
        ExportRange::All => turn.t("numbers.export.all", &[]),
        ExportRange::Days(_) => turn.t("numbers.export.span", &[("from", &from), ("to", &to)]),
    };
    let chat = ChatId(team.chat_id);
    for (file, bytes, key, count) in [
        (
            "checkins.csv",
            checkins_csv,
            "numbers.export.checkins",
            checkins.len(),
        ),
        ("tasks.csv", tasks_csv, "numbers.export.tasks", tasks.len()),
    ] {
        let caption = turn.t(key, &[("rows", &count.to_string()), ("span", &span)]);
        turn.bot
            .send_document(chat, InputFile::memory(bytes).file_name(file))
            .caption(caption)
            .parse_mode(ParseMode::Html)
            .await?;
    }
    Ok(())
}

// ---------------------------------------------------------------- /checkin_time and the nudge

/// Plans the team's next daily nudge (replacing any other pending one) from its current
/// settings; returns the day and due instant, or None when the nudge is off.
pub async fn plan_nudge(ctx: &Service, chat_id: i64) -> StoreResult<Option<(NaiveDate, i64)>> {
    let store = &ctx.store;
    let Some(team) = store.team(chat_id).await? else {
        return Ok(None);
    };
    let now = ctx.now();
    let next = team
        .checkin_minute
        .filter(|_| team.is_active())
        .map(|minute| {
            let tz = team.tz();
            let (day, due) = next_nudge(now, minute, tz);
            let quiet = team.quiet_start.zip(team.quiet_end);
            let job = NewJob {
                chat_id,
                kind: JobKind::CheckinNudge,
                subject_id: chat_id,
                mark: day_key(day),
                due_at: due,
                fire_at: after_quiet(due, quiet, tz),
                version: minute,
            };
            (day, due, job)
        });
    // Any other pending nudge of this chat is superseded (also one planned under an old chat id).
    for job in store.pending_jobs_of_chat(chat_id).await? {
        let same = next
            .as_ref()
            .is_some_and(|(_, _, n)| n.mark == job.mark && n.due_at == job.due_at);
        if job.kind == JobKind::CheckinNudge && !same {
            store
                .finish_job(job.id, JOB_DROPPED, now, Some("replaced"))
                .await?;
        }
    }
    let Some((day, due, job)) = next else {
        return Ok(None);
    };
    store.plan_job(&job).await?;
    ctx.jobs_changed();
    Ok(Some((day, due)))
}

/// The nudge text for the channels without numbers on `day` (owners mentioned), or None when
/// every channel has numbers (or there are none).
pub async fn nudge_text(
    ctx: &Service,
    team: &Team,
    day: NaiveDate,
    lang: Lang,
) -> StoreResult<Option<String>> {
    let store = &ctx.store;
    let channels = store.channels(team.chat_id).await?;
    let done = store
        .channels_checked_in(team.chat_id, &day_key(day))
        .await?;
    let missing: Vec<_> = channels
        .iter()
        .filter(|c| !done.contains(&c.name))
        .collect();
    if missing.is_empty() {
        return Ok(None);
    }
    // One line per owner, listing their channels; channels without an owner last.
    let mut by_owner: Vec<(String, Vec<String>)> = Vec::new();
    let mut orphans = Vec::new();
    for c in missing {
        let who = match (c.owner_id, c.owner_username.as_deref()) {
            (Some(id), _) => {
                let name = store
                    .user(id)
                    .await?
                    .map(|u| u.display_name)
                    .or_else(|| c.owner_username.clone())
                    .unwrap_or_else(|| id.to_string());
                mention(id, &name)
            }
            (None, Some(u)) => format!("@{}", escape(u)),
            (None, None) => {
                orphans.push(c.name.clone());
                continue;
            }
        };
        match by_owner.iter_mut().find(|(w, _)| *w == who) {
            Some((_, list)) => list.push(c.name.clone()),
            None => by_owner.push((who, vec![c.name.clone()])),
        }
    }
    let mut lines: Vec<String> = by_owner
        .iter()
        .map(|(who, list)| {
            tr(
                lang,
                "numbers.nudge.line",
                &[("channels", &channel_list(list)), ("owner", who)],
            )
        })
        .collect();
    if !orphans.is_empty() {
        lines.push(tr(
            lang,
            "numbers.nudge.orphans",
            &[("channels", &channel_list(&orphans))],
        ));
    }
    let example = channels.first().map(|c| c.name.clone()).unwrap_or_default();
    Ok(Some(tr(
        lang,
        "numbers.nudge.text",
        &[
            ("day", &format_date(day)),
            ("lines", &lines.join("\n")),
            ("example", &escape(&example)),
        ],
    )))
}

pub async fn checkin_time(turn: &Turn, args: &str) -> HandlerResult {
    let Some(team) = turn.require_team().await? else {
        return Ok(());
    };
    let input = args.trim();
    let tz_name = escape(team.tz.name());
    if input.is_empty() {
        let text = match team.checkin_minute {
            Some(m) => turn.t(
                "numbers.checkin_time.current",
                &[("time", &format_minute_of_day(m)), ("tz", &tz_name)],
            ),
            None => turn.t("numbers.checkin_time.current_off", &[]),
        };
        return turn.reply(&text).await;
    }
    let off = matches!(
        input.to_lowercase().as_str(),
        "off" | "none" | "stop" | "关" | "关闭" | "取消"
    );
    let minute = parse_minute_of_day(input);
    if !off && minute.is_none() {
        return turn
            .reply(&turn.t("numbers.checkin_time.usage", &[("input", &escape(input))]))
            .await;
    }
    if !turn.require_admin("numbers.checkin_time.action").await? {
        return Ok(());
    }
    let store = &turn.ctx.store;
    let now = turn.ctx.now();
    match minute {
        Some(m) if !off => {
            store
                .update_team(team.chat_id, &TeamSetting::CheckinTime(m), now)
                .await?
        }
        _ => store.clear_checkin_time(team.chat_id, now).await?,
    }
    let text = match plan_nudge(&turn.ctx, team.chat_id).await? {
        Some((_, due)) => turn.t(
            "numbers.checkin_time.set",
            &[
                ("time", &format_minute_of_day(minute.unwrap_or_default())),
                ("tz", &tz_name),
                ("next", &format_local(due, turn.tz)),
            ],
        ),
        None => turn.t("numbers.checkin_time.off", &[]),
    };
    turn.reply(&text).await
}

/// Spend per channel this month (local), for budget pacing.
pub async fn month_spend_by_channel(
    store: &Store,
    chat_id: i64,
    now: i64,
    tz: Tz,
) -> StoreResult<Vec<(String, i64)>> {
    let today = local_date(now, tz);
    let range = DayRange {
        from: rules::GoalPeriod::Month.start(today),
        to: today,
    };
    let (from, to) = range.keys();
    store.spend_by_channel(chat_id, &from, &to).await
}

/// Where the team stands on each goal's metric, keyed by (metric, channel — "" for the team):
/// volume goals over their own period to date (week, month, quarter), rate goals over this
/// month. A metric without data (no check-ins, a zero denominator) has no entry.
pub async fn goal_current_values(
    store: &Store,
    chat_id: i64,
    now: i64,
    tz: Tz,
) -> StoreResult<HashMap<(Metric, String), MetricValue>> {
    let today = local_date(now, tz);
    let mut out = HashMap::new();
    for g in goal_specs(store, chat_id).await? {
        let period = g.period.unwrap_or(rules::GoalPeriod::Month);
        let (from, to) = (day_key(period.start(today)), day_key(today));
        let rows = store.channel_sums(chat_id, &from, &to, &g.channel).await?;
        if rows.is_empty() {
            continue;
        }
        let m = g.threshold.metric;
        if let Some(v) = team_totals(&rows).value(m) {
            out.insert((m, g.channel), v);
        }
    }
    Ok(out)
}

/// Reads a stored nudge mark back.
pub fn nudge_day(mark: &str) -> Option<NaiveDate> {
    parse_day_key(mark)
}
