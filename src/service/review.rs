//! The weekly rhythm's use-cases: setting the review (its time and its two planned jobs in one
//! transaction), re-planning after each firing, and the data behind `/summary`, the agenda,
//! `/bottlenecks` and `/chart`. Returns data; `views::summary` and `views::rhythm` word it.

use crate::domain::ids::ChatId;
use chrono::NaiveDate;

use super::Service;
use super::abtest::{ReachedVerdict, creative_picks, verdicts_since};
use super::report::TeamData;
use crate::domain::abtest::Pick;
use crate::domain::bottleneck::back;
use crate::domain::checkins::day_key;
use crate::domain::jobs::JobKind;
use crate::domain::judgement::repeats::Repeats;
use crate::domain::review::{AGENDA_BEFORE_SECS, ChartArgs, Span, next_meeting, review_version};
use crate::domain::when::{local_date, local_datetime_to_epoch};
use crate::storage::{NewJob, ReviewChange, StoreResult, Task, Team};

/// Everything a summary shows, gathered at one moment.
#[derive(Clone, Debug)]
pub struct SummaryData {
    pub data: TeamData,
    /// The flags, against the last summary or agenda: new, open since, resolved (issue 15).
    pub repeats: Repeats,
    pub span: Span,
    /// Tasks touched since the span began (`Store::tasks_since`).
    pub touched: Vec<Task>,
    /// A/B tests that reached a verdict within the span (issue 7).
    pub verdicts: Vec<ReachedVerdict>,
    /// Per channel with creatives in the span, which creative to keep (issue 15).
    pub picks: Vec<(String, Pick)>,
    /// Sent after the review time because the bot was offline.
    pub late: bool,
}

/// What `/chart` found.
#[derive(Clone, Debug)]
pub enum ChartData {
    /// The channel asked for is not one of the team's (`channels`: the names it has).
    UnknownChannel { channels: Vec<String> },
    /// The data to draw, over `from ..= today`.
    Ready {
        data: Box<TeamData>,
        from: NaiveDate,
        today: NaiveDate,
        /// The channel drawn, by its stored name (`淘宝` when `taobao` was typed).
        channel: Option<String>,
    },
}

/// The team's next agenda and summary jobs from its settings (none when off or inactive).
pub(super) fn review_jobs(team: &Team, now: i64) -> Vec<NewJob> {
    let (Some(wd), Some(min)) = (team.review_weekday, team.review_minute) else {
        return Vec::new();
    };
    if !team.is_active() {
        return Vec::new();
    }
    let tz = team.tz();
    let version = review_version(wd, min);
    let job = |kind: JobKind, meeting: i64, due: i64| NewJob {
        chat_id: team.chat_id,
        kind,
        subject_id: team.chat_id.0,
        // The plan stamp makes a re-set review a new occurrence (an earlier, dropped
        // plan of the same meeting would otherwise block it).
        mark: format!("{}#{}", day_key(local_date(meeting, tz)), team.updated_at),
        due_at: due,
        fire_at: due,
        version,
    };
    let meeting = next_meeting(now, wd, min, tz);
    let agenda_meeting = next_meeting(now + AGENDA_BEFORE_SECS, wd, min, tz);
    vec![
        job(JobKind::ReviewSummary, meeting, meeting),
        job(
            JobKind::ReviewAgenda,
            agenda_meeting,
            agenda_meeting - AGENDA_BEFORE_SECS,
        ),
    ]
}

impl Service {
    /// Plans the team's next agenda and summary from its current settings, dropping any other
    /// pending review job of the chat. Returns the next meeting instant, or None when off.
    pub async fn plan_review(&self, chat_id: ChatId) -> StoreResult<Option<i64>> {
        let Some(mut team) = self.store.team(chat_id).await? else {
            return Ok(None);
        };
        self.replan_review_with(&mut team, ReviewChange::Keep).await
    }

    /// The next meeting after now, when the team has a review time.
    pub fn next_review(&self, team: &Team) -> Option<i64> {
        let (wd, min) = team.review_weekday.zip(team.review_minute)?;
        Some(next_meeting(self.now(), wd, min, team.tz()))
    }

    /// `/review fri 17:00`: the new time and its jobs, together. Returns the next meeting
    /// (now when the team is inactive and nothing was planned).
    pub async fn set_review(&self, team: &Team, weekday: i64, minute: i64) -> StoreResult<i64> {
        let mut team = team.clone();
        let next = self
            .replan_review_with(&mut team, ReviewChange::Set { weekday, minute })
            .await?;
        Ok(next.unwrap_or(self.now()))
    }

    /// `/review off`: no agenda, no summary.
    pub async fn stop_review(&self, team: &Team) -> StoreResult<()> {
        let mut team = team.clone();
        self.replan_review_with(&mut team, ReviewChange::Clear)
            .await?;
        Ok(())
    }

    /// Applies `change` to `team` as the store will, plans from the result, and writes both in
    /// one transaction; then wakes the scheduler.
    async fn replan_review_with(
        &self,
        team: &mut Team,
        change: ReviewChange,
    ) -> StoreResult<Option<i64>> {
        let now = self.now();
        match change {
            ReviewChange::Keep => {}
            ReviewChange::Set { weekday, minute } => {
                (team.review_weekday, team.review_minute) = (Some(weekday), Some(minute));
                team.updated_at = now;
            }
            ReviewChange::Clear => {
                (team.review_weekday, team.review_minute) = (None, None);
                team.updated_at = now;
            }
        }
        let planned = review_jobs(team, now);
        self.store
            .replan_review(team.chat_id, change, &planned, now)
            .await?;
        self.jobs_changed();
        Ok(planned.first().map(|j| j.due_at))
    }

    /// The summary of `span` ending today.
    pub async fn summary(&self, team: &Team, span: Span, late: bool) -> StoreResult<SummaryData> {
        let tz = team.tz();
        let today = local_date(self.now(), tz);
        let w = span.window(today);
        let (data, flags) = self.judge(team, Some(w.prev_from)).await?;
        let repeats = self.repeats(&data, &flags).await?;
        let since = local_datetime_to_epoch(w.from, 0, 0, tz);
        let touched = self.store.tasks_since(team.chat_id, since).await?;
        let verdicts = verdicts_since(&self.store, team.chat_id, w.from, today).await?;
        let picks = creative_picks(&self.store, team.chat_id, w.from, today).await?;
        Ok(SummaryData {
            data,
            repeats,
            span,
            touched,
            verdicts,
            picks,
            late,
        })
    }

    /// `/chart`: the team's data over the days asked for, or which channels there are.
    pub async fn chart(&self, team: &Team, args: &ChartArgs) -> StoreResult<ChartData> {
        let channel = match &args.channel {
            None => None,
            Some(typed) => match self.find_channel(team.chat_id, typed).await? {
                Ok(c) => Some(c.name),
                Err(channels) => return Ok(ChartData::UnknownChannel { channels }),
            },
        };
        let today = local_date(self.now(), team.tz());
        let from = back(today, args.days - 1);
        let (data, _) = self.judge(team, Some(from)).await?;
        Ok(ChartData::Ready {
            data: Box::new(data),
            from,
            today,
            channel,
        })
    }
}
