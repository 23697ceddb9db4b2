//! The daily check-in nudge: setting its time (`/checkin_time`), planning the next one, and
//! who is still missing numbers for a day (what the scheduler's nudge says).

use crate::domain::ids::{ChatId, UserId};
use chrono::NaiveDate;

use super::Service;
use crate::domain::checkins::{day_key, next_nudge};
use crate::domain::jobs::JobKind;
use crate::domain::schedule::after_quiet;
use crate::storage::{NewJob, StoreResult, Team};

/// Who a nudge line mentions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NudgeOwner {
    /// A user the bot has seen (or knows by id): mentioned by id with this name.
    User { id: UserId, name: String },
    /// Named as `@username` only, not seen yet.
    Username(String),
}

/// What the nudge for a day says: channels without numbers, grouped by owner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MissingCheckins {
    pub day: NaiveDate,
    /// One entry per owner, in channel order, with their channels.
    pub owners: Vec<(NudgeOwner, Vec<String>)>,
    /// Channels without an owner.
    pub orphans: Vec<String>,
    /// A channel name for the example command (the team's first).
    pub example: String,
}

/// The next nudge for `team` if its time were `minute`: its day, due instant and job; None when
/// the nudge is off or the team inactive.
pub(super) fn next_nudge_job(
    team: &Team,
    minute: Option<i64>,
    now: i64,
) -> Option<(NaiveDate, i64, NewJob)> {
    let minute = minute.filter(|_| team.is_active())?;
    let tz = team.tz();
    let (day, due) = next_nudge(now, minute, tz);
    let quiet = team.quiet_start.zip(team.quiet_end);
    let job = NewJob {
        chat_id: team.chat_id,
        kind: JobKind::CheckinNudge,
        subject_id: team.chat_id.0,
        mark: day_key(day),
        due_at: due,
        fire_at: after_quiet(due, quiet, tz),
        version: minute,
    };
    Some((day, due, job))
}

impl Service {
    /// Plans the team's next daily nudge (replacing any other pending one) from its current
    /// settings; returns the day and due instant, or None when the nudge is off.
    pub async fn plan_nudge(&self, chat_id: ChatId) -> StoreResult<Option<(NaiveDate, i64)>> {
        let Some(team) = self.store.team(chat_id).await? else {
            return Ok(None);
        };
        self.replan_nudge(&team, None).await
    }

    /// `/checkin_time HH:MM | off`: writes the time and re-plans the nudge in one transaction;
    /// returns the next nudge's day and due instant (None: off).
    pub async fn set_checkin_time(
        &self,
        team: &Team,
        minute: Option<i64>,
    ) -> StoreResult<Option<(NaiveDate, i64)>> {
        self.replan_nudge(team, Some(minute)).await
    }

    /// `set`: Some(new time) to write along with the plan, None to plan from the stored one.
    async fn replan_nudge(
        &self,
        team: &Team,
        set: Option<Option<i64>>,
    ) -> StoreResult<Option<(NaiveDate, i64)>> {
        let minute = set.unwrap_or(team.checkin_minute);
        let now = self.now();
        let next = next_nudge_job(team, minute, now);
        self.store
            .replan_nudge(team.chat_id, set, next.as_ref().map(|(_, _, job)| job), now)
            .await?;
        let Some((day, due, _)) = next else {
            return Ok(None);
        };
        self.jobs_changed();
        Ok(Some((day, due)))
    }

    /// The channels without numbers on `day`, by owner; None when every channel has numbers
    /// (or there are none).
    pub async fn missing_checkins(
        &self,
        team: &Team,
        day: NaiveDate,
    ) -> StoreResult<Option<MissingCheckins>> {
        let store = &self.store;
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
        let mut owners: Vec<(NudgeOwner, Vec<String>)> = Vec::new();
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
                    NudgeOwner::User { id, name }
                }
                (None, Some(u)) => NudgeOwner::Username(u.to_string()),
                (None, None) => {
                    orphans.push(c.name.clone());
                    continue;
                }
            };
            match owners.iter_mut().find(|(w, _)| *w == who) {
                Some((_, list)) => list.push(c.name.clone()),
                None => owners.push((who, vec![c.name.clone()])),
            }
        }
        let example = channels.first().map(|c| c.name.clone()).unwrap_or_default();
        Ok(Some(MissingCheckins {
            day,
            owners,
            orphans,
            example,
        }))
    }
}
