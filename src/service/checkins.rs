//! Check-ins and what is read back from them: saving a day's numbers (`/checkin`), a window's
//! sums per channel (`/metrics`) and the rows of `/export`. Returns data; the words are views'.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::Service;
use crate::domain::checkins::{
    CheckinArgs, DayRange, ExportRange, FieldChange, MetricsArgError, changes, day_key,
    parse_metrics_args, split_checkin_args,
};
use crate::domain::metrics::{CheckinError, Totals, parse_checkin_fields, validate};
use crate::domain::when::{WhenError, local_date, parse_day};
use crate::storage::{ChannelSums, Checkin, NewCheckin, Store, StoreResult, Task, Team};

/// Why a check-in was not saved; the view quotes what was typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CheckinRefusal {
    /// `/checkin` alone.
    Usage,
    /// The first word was a field: the channel was left out. `known`: the team's channels.
    ChannelFirst { known: Vec<String> },
    /// Not one of the team's channels.
    UnknownChannel { input: String, known: Vec<String> },
    /// The fields did not parse or do not add up.
    Fields(CheckinError),
    /// `date=` named a day that can't be checked in.
    Day(WhenError),
}

/// What a saved check-in replaced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Replaced {
    /// First numbers for this channel, day and creative.
    Nothing,
    /// The same numbers again.
    Same,
    /// These fields changed.
    Changed(Vec<FieldChange>),
}

/// A check-in as saved, for the reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedCheckin {
    pub channel: String,
    pub day: NaiveDate,
    /// '' when no creative was named.
    pub creative: String,
    pub totals: Totals,
    pub replaced: Replaced,
}

/// One channel's line of `/metrics`: its sums, or None when it has no numbers in the window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChannelMetrics {
    pub channel: String,
    /// Days with numbers, and the sums over them.
    pub sums: Option<(i64, Totals)>,
}

/// What `/metrics` shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetricsData {
    pub range: DayRange,
    /// The one channel asked for, if any.
    pub only: Option<String>,
    /// Live channels first (with or without numbers), then removed ones that have numbers.
    pub channels: Vec<ChannelMetrics>,
    /// Every channel's sums together; None for one channel or when nothing was checked in.
    pub team: Option<Totals>,
}

/// Why `/metrics` arguments were refused, with the team's channels for the reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetricsRefusal {
    pub error: MetricsArgError,
    pub known: Vec<String>,
}

/// A check-in row of `/export` with its author's display name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportCheckin {
    pub checkin: Checkin,
    pub author: String,
}

/// A task row of `/export` with its owner's and creator's display names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportTask {
    pub task: Task,
    pub owner: String,
    pub creator: String,
}

/// What `/export` sends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportData {
    pub range: ExportRange,
    /// First and last day covered (`0000-01-01`…`9999-12-31` for everything).
    pub from: String,
    pub to: String,
    pub checkins: Vec<ExportCheckin>,
    pub tasks: Vec<ExportTask>,
}

/// Sums of all channels' rows.
pub fn team_totals(rows: &[ChannelSums]) -> Totals {
    rows.iter().map(Totals::from).sum()
}

impl Service {
    /// `/checkin <channel> <fields…>`: validates, then writes (replacing the same channel, day
    /// and creative). The channel is checked before the fields, so a wrong channel is named first.
    pub async fn save_checkin(
        &self,
        team: &Team,
        args: &str,
        author_id: Option<i64>,
    ) -> StoreResult<Result<SavedCheckin, CheckinRefusal>> {
        let split = split_checkin_args(args);
        if split == CheckinArgs::Empty {
            return Ok(Err(CheckinRefusal::Usage));
        }
        let known = self.channel_names(team.chat_id).await?;
        let (typed, rest) = match split {
            CheckinArgs::Channel { typed, rest } => (typed, rest),
            _ => return Ok(Err(CheckinRefusal::ChannelFirst { known })),
        };
        let Some(channel) = crate::domain::channel_names::resolve(typed, &known).cloned() else {
            let input = typed.to_string();
            return Ok(Err(CheckinRefusal::UnknownChannel { input, known }));
        };
        let input = match parse_checkin_fields(rest) {
            Ok(input) => input,
            Err(err) => return Ok(Err(CheckinRefusal::Fields(err))),
        };
        let totals = match input.totals().and_then(|t| validate(&t).map(|()| t)) {
            Ok(t) => t,
            Err(err) => return Ok(Err(CheckinRefusal::Fields(err))),
        };
        let now = self.now();
        let tz = team.tz();
        let day = match &input.date {
            None => local_date(now, tz),
            Some(text) => match parse_day(text, now, tz) {
                Ok(day) => day,
                Err(err) => return Ok(Err(CheckinRefusal::Day(err))),
            },
        };
        let day_str = day_key(day);
        let creative = input.creative.unwrap_or_default();
        let new = NewCheckin {
            chat_id: team.chat_id,
            channel: &channel,
            day: &day_str,
            creative: &creative,
            spend: totals.spend,
            impressions: totals.impressions,
            clicks: totals.clicks,
            orders: totals.orders,
            gmv: totals.gmv,
            new_customers: totals.new_customers,
            interactions: totals.interactions,
            author_id,
        };
        let (_, before) = self.store.put_checkin(&new, now).await?;
        let replaced = match before {
            None => Replaced::Nothing,
            Some(old) => {
                let diff = changes(&Totals::from(&old), &totals);
                if diff.is_empty() {
                    Replaced::Same
                } else {
                    Replaced::Changed(diff)
                }
            }
        };
        Ok(Ok(SavedCheckin {
            channel,
            day,
            creative,
            totals,
            replaced,
        }))
    }

    /// `/metrics [#channel] [period]`: per-channel sums over the window ending today.
    pub async fn metrics(
        &self,
        team: &Team,
        args: &str,
    ) -> StoreResult<Result<MetricsData, MetricsRefusal>> {
        let names = self.channel_names(team.chat_id).await?;
        let asked = match parse_metrics_args(args, &names) {
            Ok(asked) => asked,
            Err(error) => {
                return Ok(Err(MetricsRefusal {
                    error,
                    known: names,
                }));
            }
        };
        let today = local_date(self.now(), team.tz());
        let range = asked.period.range(today);
        let (from, to) = range.keys();
        let only = asked.channel;
        let rows = self
            .store
            .channel_sums(team.chat_id, &from, &to, only.as_deref().unwrap_or(""))
            .await?;
        let mut shown: Vec<String> = match &only {
            Some(c) => vec![c.clone()],
            None => names,
        };
        for r in &rows {
            if !shown.contains(&r.channel) {
                shown.push(r.channel.clone());
            }
        }
        let channels = shown
            .into_iter()
            .map(|channel| {
                let sums = rows
                    .iter()
                    .find(|r| r.channel == channel)
                    .map(|r| (r.days, Totals::from(r)));
                ChannelMetrics { channel, sums }
            })
            .collect();
        let team_sums = (only.is_none() && !rows.is_empty()).then(|| team_totals(&rows));
        Ok(Ok(MetricsData {
            range,
            only,
            channels,
            team: team_sums,
        }))
    }

    /// `/export [Nd|all]`: the check-ins in the range and the tasks active in it, with names.
    /// None when the argument is not a range.
    pub async fn export(&self, team: &Team, args: &str) -> StoreResult<Option<ExportData>> {
        let Some(range) = ExportRange::parse(args) else {
            return Ok(None);
        };
        let tz = team.tz();
        let today = local_date(self.now(), tz);
        let (from, to) = match range.range(today) {
            Some(r) => r.keys(),
            None => ("0000-01-01".to_string(), "9999-12-31".to_string()),
        };
        let store = &self.store;
        let checkins = store.checkins_between(team.chat_id, &from, &to).await?;
        let tasks = store
            .tasks_since(team.chat_id, range.since(today, tz))
            .await?;
        let mut names = Names {
            store,
            cache: HashMap::new(),
        };
        let mut checkin_rows = Vec::with_capacity(checkins.len());
        for checkin in checkins {
            let author = names.get(checkin.author_id, None).await?;
            checkin_rows.push(ExportCheckin { checkin, author });
        }
        let mut task_rows = Vec::with_capacity(tasks.len());
        for task in tasks {
            let owner = names
                .get(task.owner_id, task.owner_username.as_deref())
                .await?;
            let creator = names.get(Some(task.creator_id), None).await?;
            task_rows.push(ExportTask {
                task,
                owner,
                creator,
            });
        }
        Ok(Some(ExportData {
            range,
            from,
            to,
            checkins: checkin_rows,
            tasks: task_rows,
        }))
    }

    /// The team's live channel names (their keys).
    pub(super) async fn channel_names(&self, chat_id: i64) -> StoreResult<Vec<String>> {
        let channels = self.store.channels(chat_id).await?;
        Ok(channels.into_iter().map(|c| c.name).collect())
    }
}

/// Display names by user id (or @username), looked up once each: `/export` names the same few
/// people on many rows.
struct Names<'a> {
    store: &'a Store,
    cache: HashMap<(Option<i64>, Option<String>), String>,
}

impl Names<'_> {
    /// '' for nobody; the name they were last seen with, else their id; `@username` for
    /// someone never seen.
    async fn get(&mut self, id: Option<i64>, username: Option<&str>) -> StoreResult<String> {
        if id.is_none() && username.is_none() {
            return Ok(String::new());
        }
        let key = (id, username.map(str::to_string));
        if let Some(n) = self.cache.get(&key) {
            return Ok(n.clone());
        }
        let name = match id {
            Some(id) => self
                .store
                .user(id)
                .await?
                .map(|u| u.display_name)
                .unwrap_or_else(|| id.to_string()),
            None => format!("@{}", username.unwrap_or("?")),
        };
        self.cache.insert(key, name.clone());
        Ok(name)
    }
}
