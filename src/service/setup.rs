//! Team settings: language, time zone, currency, and which part of the plan `/start` points
//! to next.

use chrono_tz::Tz;

use super::Service;
use crate::domain::lang::Lang;
use crate::domain::schedule::after_quiet;
use crate::storage::{StoreResult, Team, TeamSetting};

/// The first part of the plan that is still missing, in the order a team lead sets it up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NextStep {
    Channels,
    Goal,
    Review,
    CheckinTime,
    Ready,
}

impl Service {
    pub async fn next_step(&self, team: &Team) -> StoreResult<NextStep> {
        Ok(if self.store.channels(team.chat_id).await?.is_empty() {
            NextStep::Channels
        } else if self.store.goals(team.chat_id).await?.is_empty() {
            NextStep::Goal
        } else if team.review_weekday.is_none() {
            NextStep::Review
        } else if team.checkin_minute.is_none() {
            NextStep::CheckinTime
        } else {
            NextStep::Ready
        })
    }

    pub async fn set_lang(&self, team: &Team, lang: Lang) -> StoreResult<()> {
        self.store
            .update_team(
                team.chat_id,
                &TeamSetting::Lang(lang.code().into()),
                self.now(),
            )
            .await
    }

    pub async fn set_currency(&self, team: &Team, currency: &str) -> StoreResult<()> {
        self.store
            .update_team(
                team.chat_id,
                &TeamSetting::Currency(currency.into()),
                self.now(),
            )
            .await
    }

    /// Changes the zone and, in the same transaction, re-times every pending job: its due
    /// moment stays, but quiet hours are local time, so when it may fire moves with the zone.
    pub async fn set_timezone(&self, team: &Team, tz: Tz) -> StoreResult<()> {
        let quiet = team.quiet_start.zip(team.quiet_end);
        let fire_at: Vec<(i64, i64)> = self
            .store
            .pending_jobs_of_chat(team.chat_id)
            .await?
            .into_iter()
            .map(|job| (job.id, after_quiet(job.due_at, quiet, tz)))
            .collect();
        self.store
            .set_team_tz_retiming_jobs(team.chat_id, tz.name(), &fire_at, self.now())
            .await?;
        if !fire_at.is_empty() {
            self.jobs_changed();
        }
        Ok(())
    }
}
