//! The report snapshot: what the bottleneck rules and the summaries need for one team at one
//! moment, a [`bottleneck::Snapshot`] built from the store (channels, goals, check-ins, open
//! tasks) plus the raw rows the summary tables are drawn from; and its judgement (the flags).

use crate::domain::ids::UserId;
use std::collections::HashMap;

use chrono::NaiveDate;
use chrono_tz::Tz;

use crate::domain::bottleneck::{self, ChannelFacts, DayTotals, Flag, Snapshot, TaskFacts, back};
use crate::domain::checkins::{day_key, parse_day_key};
use crate::domain::goal::{Goal, Period};
use crate::domain::judgement::repeats::{self, Repeats};
use crate::domain::metrics::Totals;
use crate::domain::totals::{Field, window_totals};
use crate::domain::when::local_date;
use crate::storage::{Channel, Store, StoreResult, Task, Team};

use super::Service;

/// Days of check-ins always loaded: this week, last week, and two more for the chart.
pub const HISTORY_DAYS: u64 = 28;

/// A team's state at one moment: the snapshot the rules judge, and what the reports show.
#[derive(Clone, Debug)]
pub struct TeamData {
    /// The team row.
    pub team: Team,
    /// Its zone.
    pub tz: Tz,
    /// The snapshot (its `days` cover [`TeamData::from`] ..= today).
    pub snapshot: Snapshot,
    /// The first day loaded.
    pub from: NaiveDate,
    /// The live channels as stored.
    pub channels: Vec<Channel>,
    /// The goals in domain terms.
    pub goals: Vec<Goal>,
    /// Open and blocked tasks.
    pub open_tasks: Vec<Task>,
    /// Display names of the people involved (owners), by user id.
    pub names: HashMap<UserId, String>,
}

impl TeamData {
    /// Today in the team's zone.
    pub fn today(&self) -> NaiveDate {
        self.snapshot.today
    }

    /// Summed numbers of a channel (or all, with `None`) over `from ..= to`.
    pub fn totals(&self, channel: Option<&str>, from: NaiveDate, to: NaiveDate) -> Totals {
        // Rows of one day (creatives, channels) count as one day.
        let rows = self
            .snapshot
            .days
            .iter()
            .filter(|d| d.day >= from && d.day <= to)
            .filter(|d| channel.is_none_or(|c| d.channel == c))
            .map(|d| (d.day, Totals::of(&d.numbers)))
            .collect::<Vec<_>>();
        Totals::over_days(rows)
    }

    /// Per-day totals of a channel (or all) over `from ..= to`, only days with numbers.
    pub fn daily(
        &self,
        channel: Option<&str>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Vec<(NaiveDate, Totals)> {
        let mut by_day: std::collections::BTreeMap<NaiveDate, Totals> = Default::default();
        for d in &self.snapshot.days {
            if d.day >= from && d.day <= to && channel.is_none_or(|c| d.channel == c) {
                let e = by_day.entry(d.day).or_default();
                *e = e.same_day(Totals::of(&d.numbers));
            }
        }
        by_day.into_iter().collect()
    }

    /// Whether a channel has numbers for a day.
    pub fn has_numbers(&self, channel: &str, day: NaiveDate) -> bool {
        self.snapshot
            .days
            .iter()
            .any(|d| d.day == day && d.channel == channel)
    }

    /// The name shown for a user id.
    pub fn name_of(&self, user_id: UserId) -> String {
        self.names
            .get(&user_id)
            .cloned()
            .unwrap_or_else(|| user_id.to_string())
    }
}

/// Builds the team's data at `now`. `history_from` loads check-ins from an earlier day too
/// (a month summary, a 30-day chart); at least [`HISTORY_DAYS`] and the current goal periods
/// are always loaded.
pub async fn build(
    store: &Store,
    team: &Team,
    tz: Tz,
    now: i64,
    history_from: Option<NaiveDate>,
) -> StoreResult<TeamData> {
    let chat_id = team.chat_id;
    let today = local_date(now, tz);
    let (day_of_month, days_in_month) = bottleneck::month_position(today);
    let channels = store.channels(chat_id).await?;
    let goals: Vec<Goal> = store.team_goals(chat_id).await?;

    let mut from = back(today, HISTORY_DAYS - 1);
    from = from.min(Period::Month.bounds(today).0);
    for g in &goals {
        if let Some(p) = g.period() {
            from = from.min(p.start(today));
        }
    }
    if let Some(h) = history_from {
        from = from.min(h);
    }
    let rows = store
        .checkins_between(chat_id, &day_key(from), &day_key(today))
        .await?;
    let days: Vec<DayTotals> = rows
        .iter()
        .filter_map(|c| {
            Some(DayTotals {
                channel: c.channel.clone(),
                day: parse_day_key(&c.day)?,
                numbers: c.numbers(),
            })
        })
        .collect();
    let month_start = Period::Month.bounds(today).0;
    // Spend reported this month (pacing counts the days that have it; see judgement::pacing).
    let month = window_totals(
        days.iter()
            .filter(|d| d.day >= month_start)
            .map(|d| (d.channel.clone(), d.day, d.numbers)),
    );
    let spend_of = |c: &str| -> i64 {
        month
            .channel(c)
            .and_then(|t| t.get(Field::Spend))
            .unwrap_or(0)
    };
    let channel_facts: Vec<ChannelFacts> = channels
        .iter()
        .map(|c| ChannelFacts {
            name: c.name.clone(),
            tier: c.tier,
            monthly_budget: c.monthly_budget,
            owner: c.owner_id,
            pending_owner: c.owner_id.is_none() && c.owner_username.is_some(),
            month_spend: spend_of(&c.name),
            created_on: Some(local_date(c.created_at, tz)),
        })
        .collect();

    let festivals = store.team_festivals(chat_id).await?;
    let open_tasks = store.open_tasks(chat_id).await?;
    let mut names: HashMap<UserId, String> = HashMap::new();
    let ids = open_tasks
        .iter()
        .filter_map(|t| t.owner_id)
        .chain(channels.iter().filter_map(|c| c.owner_id));
    for id in ids {
        if names.contains_key(&id) {
            continue;
        }
        let name = store
            .user(id)
            .await?
            .map(|u| u.display_name)
            .unwrap_or_else(|| id.to_string());
        names.insert(id, name);
    }
    let tasks: Vec<TaskFacts> = open_tasks
        .iter()
        .map(|t| TaskFacts {
            number: t.number,
            owner: t.owner_id,
            owner_name: match t.owner_id {
                Some(id) => names.get(&id).cloned().unwrap_or_else(|| id.to_string()),
                None => format!("@{}", t.owner_username.as_deref().unwrap_or("?")),
            },
            due_at: t.due_at,
            status: t.status,
            blocked_at: t.blocked_at,
            slips: t.slips,
        })
        .collect();
    let snapshot = Snapshot {
        now,
        today,
        day_of_month,
        days_in_month,
        channels: channel_facts,
        goals: goals.clone(),
        days,
        tasks,
        festivals,
    };
    Ok(TeamData {
        team: team.clone(),
        tz,
        snapshot,
        from,
        channels,
        goals,
        open_tasks,
        names,
    })
}

impl Service {
    /// The team's data at now and the bottleneck flags it raises. `history_from` loads
    /// check-ins from an earlier day too (see [`build`]).
    pub async fn judge(
        &self,
        team: &Team,
        history_from: Option<NaiveDate>,
    ) -> StoreResult<(TeamData, Vec<Flag>)> {
        let data = build(&self.store, team, team.tz(), self.now(), history_from).await?;
        let flags = crate::domain::judgement::judge(&data.snapshot);
        Ok((data, flags))
    }

    /// The flags of now against what the team's last summary or agenda showed (issue 15):
    /// which are new, which still open since when, which resolved.
    pub async fn repeats(&self, data: &TeamData, flags: &[Flag]) -> StoreResult<Repeats> {
        let last = self.store.shown_flags(data.team.chat_id).await?;
        Ok(repeats::compare(&last, flags, data.today()))
    }
}
