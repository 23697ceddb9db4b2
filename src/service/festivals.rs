//! `/festival add|remove`, `/festivals` (issue 15): a team's own festival days, which the
//! week-over-week judgement steps around like the built-in ones.

use chrono::{Datelike, Days, NaiveDate};

use super::Service;
use crate::domain::judgement::festivals::{BuiltIn, TeamFestival, built_in};
use crate::domain::when::local_date;
use crate::storage::{StoreResult, Team};

/// What a `/festival` change did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FestivalChange {
    /// Added (or renamed: `replaced` is the old name).
    Added {
        day: NaiveDate,
        name: String,
        replaced: Option<String>,
    },
    /// Removed the team's festival of that day.
    Removed { day: NaiveDate, name: String },
    /// The team has no festival on that day; nothing changed.
    NotFound { day: NaiveDate },
}

/// What `/festivals` shows: the built-in festivals of the coming year and the team's own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FestivalList {
    pub today: NaiveDate,
    /// Built-in festivals not over yet, up to a year ahead, in date order.
    pub built_in: Vec<BuiltIn>,
    /// The team's own, by day.
    pub team: Vec<TeamFestival>,
}

impl Service {
    pub async fn add_festival(
        &self,
        team: &Team,
        day: NaiveDate,
        name: &str,
    ) -> StoreResult<FestivalChange> {
        let replaced = self
            .store
            .add_team_festival(team.chat_id, day, name, self.now())
            .await?;
        Ok(FestivalChange::Added {
            day,
            name: name.to_string(),
            replaced,
        })
    }

    pub async fn remove_festival(
        &self,
        team: &Team,
        day: NaiveDate,
    ) -> StoreResult<FestivalChange> {
        Ok(
            match self.store.remove_team_festival(team.chat_id, day).await? {
                Some(name) => FestivalChange::Removed { day, name },
                None => FestivalChange::NotFound { day },
            },
        )
    }

    pub async fn festival_list(&self, team: &Team) -> StoreResult<FestivalList> {
        let today = local_date(self.now(), team.tz());
        let horizon = today.checked_add_days(Days::new(365)).unwrap_or(today);
        let built_in = (today.year()..=horizon.year())
            .flat_map(built_in)
            .filter(|b| b.to >= today && b.from <= horizon)
            .collect();
        let team = self.store.team_festivals(team.chat_id).await?;
        Ok(FestivalList {
            today,
            built_in,
            team,
        })
    }
}
