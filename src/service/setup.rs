//! Team settings: language, time zone, currency, and which part of the plan `/start` points
//! to next.

use chrono_tz::Tz;

use super::Service;
use super::nudges::next_nudge_job;
use super::review::review_jobs;
use crate::domain::lang::{Lang, Zone};
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

    /// Changes the zone and, in the same transaction, its consequences: a pending job with a
    /// moment (a deadline ping) keeps its moment, but quiet hours are local, so when it may
    /// fire moves; the nudge and the review are wall-clock times, re-planned in the new zone.
    pub async fn set_timezone(&self, team: &Team, tz: Tz) -> StoreResult<()> {
        let now = self.now();
        let quiet = team.quiet_start.zip(team.quiet_end);
        let fire_at: Vec<(i64, i64)> = self
            .store
            .pending_jobs_of_chat(team.chat_id)
            .await?
            .into_iter()
            .filter(|job| !job.kind.is_wall_clock())
            .map(|job| (job.id, after_quiet(job.due_at, quiet, tz)))
            .collect();
        let mut moved = team.clone();
        moved.tz = Zone(tz);
        // The transaction stamps the team; review marks carry the stamp (see `review_jobs`).
        moved.updated_at = now;
        let mut wall_clock = review_jobs(&moved, now);
        wall_clock.extend(next_nudge_job(&moved, moved.checkin_minute, now).map(|(_, _, job)| job));
        self.store
            .set_team_tz_replanning_jobs(team.chat_id, tz.name(), &fire_at, &wall_clock, now)
            .await?;
        self.jobs_changed();
        Ok(())
    }
}
