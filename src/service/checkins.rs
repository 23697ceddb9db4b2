//! Check-ins and what is read back from them: saving a day's numbers (`/checkin`), a window's
//! sums per channel (`/metrics`) and the rows of `/export`. Returns data; the words are views'.

use crate::domain::ids::{ChatId, UserId};
use std::collections::HashMap;

use chrono::NaiveDate;

use super::Service;
use crate::domain::checkins::{
    CheckinArgs, CheckinLine, DayRange, ExportRange, FieldChange, MetricsArgError, changes,
    channel_key, day_key, parse_metrics_args, split_checkin_args, split_checkin_lines,
};
use crate::domain::metrics::{
    CheckinError, Totals, parse_checkin_fields, validate, validate_merge,
};
use crate::domain::totals::{Numbers, window_totals};
use crate::domain::when::{WhenError, local_date, parse_day};
use crate::storage::{Checkin, NewCheckin, Store, StoreResult, Task, Team};

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
    /// The day's numbers as stored after the merge (earlier fields the check-in did not name
    /// are kept), and as totals for the derived metrics.
    pub numbers: Numbers,
    pub totals: Totals,
    pub replaced: Replaced,
}

/// One entry of a multi-line `/checkin` (one channel's line, with any continuation lines).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineOutcome {
    /// 1-based line of the entry within the lines after `/checkin`.
    pub line: usize,
    /// Saved, or why not (nothing of this line was stored).
    pub result: Result<SavedCheckin, CheckinRefusal>,
}

/// One day of numbers for [`Service::save_days`] (report import).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DayNumbers {
    pub day: NaiveDate,
    pub numbers: Numbers,
}

/// What [`Service::save_days`] stored: per day, in the order given, what it replaced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedDays {
    pub days: Vec<(NaiveDate, Replaced)>,
}

/// Why [`Service::save_days`] stored nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DaysRefusal {
    /// The channel is not one of the team's.
    UnknownChannel { known: Vec<String> },
    /// A day's numbers (merged with what was stored) do not add up, or it has none.
    Day { day: NaiveDate, error: CheckinError },
}

/// One channel's line of `/metrics`: its sums, or None when it has no numbers in the window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChannelMetrics {
    pub channel: String,
    /// Days with numbers, and the sums over them (each metric over the days it was known).
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

/// What a merge replaced: nothing, the same numbers, or these fields.
fn replaced(before: Option<&Checkin>, after: &Numbers) -> Replaced {
    match before {
        None => Replaced::Nothing,
        Some(old) => {
            let diff = changes(&old.numbers(), after);
            if diff.is_empty() {
                Replaced::Same
            } else {
                Replaced::Changed(diff)
            }
        }
    }
}

/// A check-in entry that passed every check, ready to write.
struct Ready {
    channel: String,
    day: NaiveDate,
    day_key: String,
    creative: String,
    numbers: Numbers,
    /// The stored row this one merges into, as read when it was checked.
    before: Option<Checkin>,
}

impl Ready {
    fn row(&self, chat_id: ChatId, author_id: Option<UserId>) -> NewCheckin<'_> {
        NewCheckin::new(
            chat_id,
            &self.channel,
            &self.day_key,
            &self.creative,
            &self.numbers,
            author_id,
        )
    }

    fn saved(self, row: &Checkin, before: Option<&Checkin>) -> SavedCheckin {
        let numbers = row.numbers();
        SavedCheckin {
            replaced: replaced(before, &numbers),
            channel: self.channel,
            day: self.day,
            creative: self.creative,
            totals: Totals::of(&numbers),
            numbers,
        }
    }
}

impl Service {
    /// `/checkin <channel> <fields…>`: validates, then writes, merging into the same channel,
    /// day and creative (only the fields named change). The channel is checked before the
    /// fields, so a wrong channel is named first.
    pub async fn save_checkin(
        &self,
        team: &Team,
        args: &str,
        author_id: Option<UserId>,
    ) -> StoreResult<Result<SavedCheckin, CheckinRefusal>> {
        let known = self.channel_names(team.chat_id).await?;
        let ready = match self.parse_entry(team, args, &known) {
            Ok(ready) => ready,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let now = self.now();
        // First, one statement that writes only if what is stored is what this process last
        // saw: nothing for a key it never saw stored (a day's first check-in: inserted while
        // the key has no row), else the row it knows (merged while its numbers are unchanged,
        // and only when the merged day adds up). Issue 13: a round trip less than a read and a
        // merge. When that guess was wrong it wrote nothing, and the row is read and checked.
        let row = ready.row(team.chat_id, author_id);
        let written = match self.store.known_checkin(&row) {
            None => self
                .store
                .insert_new_checkin(&row, now)
                .await?
                .map(|s| (s, None)),
            Some(known) if validate_merge(Some(known.numbers()), &ready.numbers).is_ok() => self
                .store
                .merge_checkin_over(&row, &known, now)
                .await?
                .map(|s| (s, Some(known))),
            // Refused only on numbers read now, not on remembered ones.
            Some(_) => None,
        };
        if let Some((stored, before)) = written {
            return Ok(Ok(ready.saved(&stored, before.as_ref())));
        }
        let ready = match self.check_merge(team.chat_id, ready).await? {
            Ok(ready) => ready,
            Err(refusal) => return Ok(Err(refusal)),
        };
        // Merged over the row `check_merge` read: a concurrent check-in of the same key can
        // only make the "what changed" note stale, never the stored numbers.
        let stored = self
            .store
            .merge_checkin(&ready.row(team.chat_id, author_id), now)
            .await?;
        let before = ready.before.clone();
        Ok(Ok(ready.saved(&stored, before.as_ref())))
    }

    /// How many channel entries a `/checkin` message holds: a message of several lines for one
    /// channel (a pasted header and row, a wrapped line) is one check-in, not a round.
    pub async fn checkin_entries(&self, team: &Team, args: &str) -> StoreResult<usize> {
        let known = self.channel_names(team.chat_id).await?;
        Ok(split_checkin_lines(args, &known).len())
    }

    /// `/checkin` followed by one line per channel: every entry is checked, the good ones are
    /// written in one transaction, and each line's outcome comes back (a bad line stores
    /// nothing of itself and does not stop the others).
    pub async fn save_checkin_lines(
        &self,
        team: &Team,
        args: &str,
        author_id: Option<UserId>,
    ) -> StoreResult<Vec<LineOutcome>> {
        let known = self.channel_names(team.chat_id).await?;
        let mut checked: Vec<(usize, Result<Ready, CheckinRefusal>)> = Vec::new();
        for CheckinLine { line, text } in split_checkin_lines(args, &known) {
            checked.push((line, self.check_entry(team, &text, &known).await?));
        }
        let rows: Vec<NewCheckin<'_>> = checked
            .iter()
            .filter_map(|(_, r)| r.as_ref().ok())
            .map(|r| r.row(team.chat_id, author_id))
            .collect();
        let mut stored = self
            .store
            .put_checkins(&rows, self.now())
            .await?
            .into_iter();
        let mut out = Vec::with_capacity(checked.len());
        for (line, r) in checked {
            let result = match r {
                Ok(ready) => match stored.next() {
                    Some((row, before)) => Ok(ready.saved(&row, before.as_ref())),
                    None => return Err(crate::storage::StoreError::NotFound),
                },
                Err(refusal) => Err(refusal),
            };
            out.push(LineOutcome { line, result });
        }
        Ok(out)
    }

    /// Stores many days of one channel in one transaction (report import), each merged like a
    /// check-in: only the numbers a day carries replace stored ones, so importing the same
    /// content again changes nothing. Checks every day first: a day without numbers or whose
    /// merged numbers do not add up refuses the whole import, and nothing is stored.
    pub async fn save_days(
        &self,
        team: &Team,
        channel: &str,
        days: &[DayNumbers],
        author_id: Option<UserId>,
    ) -> StoreResult<Result<SavedDays, DaysRefusal>> {
        let known = self.channel_names(team.chat_id).await?;
        let name = channel_key(channel);
        if !known.contains(&name) {
            return Ok(Err(DaysRefusal::UnknownChannel { known }));
        }
        let keys: Vec<String> = days.iter().map(|d| day_key(d.day)).collect();
        for (d, key) in days.iter().zip(&keys) {
            if d.numbers.is_empty() {
                let error = CheckinError::NoNumbers;
                return Ok(Err(DaysRefusal::Day { day: d.day, error }));
            }
            let before = self.store.checkin(team.chat_id, &name, key, "").await?;
            if let Err(error) = validate_merge(before.map(|b| b.numbers()), &d.numbers) {
                return Ok(Err(DaysRefusal::Day { day: d.day, error }));
            }
        }
        let rows: Vec<NewCheckin<'_>> = days
            .iter()
            .zip(&keys)
            .map(|(d, key)| NewCheckin::new(team.chat_id, &name, key, "", &d.numbers, author_id))
            .collect();
        let stored = self.store.put_checkins(&rows, self.now()).await?;
        let days = days
            .iter()
            .zip(stored)
            .map(|(d, (row, before))| (d.day, replaced(before.as_ref(), &row.numbers())))
            .collect();
        Ok(Ok(SavedDays { days }))
    }

    /// Checks one `<channel> <fields…>` entry (see [`Service::parse_entry`]) and the numbers it
    /// would merge into.
    async fn check_entry(
        &self,
        team: &Team,
        args: &str,
        known: &[String],
    ) -> StoreResult<Result<Ready, CheckinRefusal>> {
        match self.parse_entry(team, args, known) {
            Ok(ready) => self.check_merge(team.chat_id, ready).await,
            Err(refusal) => Ok(Err(refusal)),
        }
    }

    /// Checks one `<channel> <fields…>` entry against the team's channels, the field grammar
    /// and the day: all but the stored row it would merge into (`before` is left empty).
    fn parse_entry(
        &self,
        team: &Team,
        args: &str,
        known: &[String],
    ) -> Result<Ready, CheckinRefusal> {
        let (typed, rest) = match split_checkin_args(args) {
            CheckinArgs::Empty => return Err(CheckinRefusal::Usage),
            CheckinArgs::Channel { typed, rest } => (typed, rest),
            _ => {
                let known = known.to_vec();
                return Err(CheckinRefusal::ChannelFirst { known });
            }
        };
        let Some(channel) = crate::domain::channel_names::resolve(typed, known).cloned() else {
            let (input, known) = (typed.to_string(), known.to_vec());
            return Err(CheckinRefusal::UnknownChannel { input, known });
        };
        let input = parse_checkin_fields(rest).map_err(CheckinRefusal::Fields)?;
        let numbers = input
            .numbers()
            .and_then(|n| validate(&n).map(|()| n))
            .map_err(CheckinRefusal::Fields)?;
        let now = self.now();
        let day = match &input.date {
            None => local_date(now, team.tz()),
            Some(text) => parse_day(text, now, team.tz()).map_err(CheckinRefusal::Day)?,
        };
        Ok(Ready {
            channel,
            day,
            day_key: day_key(day),
            creative: input.creative.unwrap_or_default(),
            numbers,
            before: None,
        })
    }

    /// Reads the stored row `ready` merges into: the merged day must add up too (clicks=900
    /// after impressions=500 is refused).
    async fn check_merge(
        &self,
        chat_id: ChatId,
        mut ready: Ready,
    ) -> StoreResult<Result<Ready, CheckinRefusal>> {
        let before = self
            .store
            .checkin(chat_id, &ready.channel, &ready.day_key, &ready.creative)
            .await?;
        if let Err(err) = validate_merge(before.as_ref().map(Checkin::numbers), &ready.numbers) {
            return Ok(Err(CheckinRefusal::Fields(err)));
        }
        ready.before = before;
        Ok(Ok(ready))
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
            .channel_checkins(team.chat_id, &from, &to, only.as_deref().unwrap_or(""))
            .await?;
        let window = window_totals(rows.into_iter().map(|c| {
            let n = c.numbers();
            (c.channel, c.day, n)
        }));
        let mut shown: Vec<String> = match &only {
            Some(c) => vec![c.clone()],
            None => names,
        };
        for (c, _) in &window.channels {
            if !shown.contains(c) {
                shown.push(c.clone());
            }
        }
        let channels = shown
            .into_iter()
            .map(|channel| {
                let sums = window.channel(&channel).map(|t| (i64::from(t.days()), *t));
                ChannelMetrics { channel, sums }
            })
            .collect();
        let team_sums = (only.is_none() && !window.channels.is_empty()).then_some(window.all);
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
    pub(super) async fn channel_names(&self, chat_id: ChatId) -> StoreResult<Vec<String>> {
        let channels = self.store.channels(chat_id).await?;
        Ok(channels.into_iter().map(|c| c.name).collect())
    }
}

/// Display names by user id (or @username), looked up once each: `/export` names the same few
/// people on many rows.
struct Names<'a> {
    store: &'a Store,
    cache: HashMap<(Option<UserId>, Option<String>), String>,
}

impl Names<'_> {
    /// '' for nobody; the name they were last seen with, else their id; `@username` for
    /// someone never seen.
    async fn get(&mut self, id: Option<UserId>, username: Option<&str>) -> StoreResult<String> {
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
