//! Goals and where the team stands on them: set and clear a goal, read the team's goals with
//! their progress (the one computation behind `/goals`, `/plan` and `/metrics`), and this
//! month's spend for budget pacing.

use crate::domain::ids::ChatId;
use std::collections::HashMap;

use chrono::NaiveDate;
use chrono_tz::Tz;

use super::Service;
use crate::domain::checkins::{DayRange, day_key};
use crate::domain::goal::{Goal, Period, Progress, Scope, sort_goals};
use crate::domain::metrics::Metric;
use crate::domain::plan_args::{Pace, days_in_period, pace};
use crate::domain::totals::window_totals;
use crate::domain::when::local_date;
use crate::storage::{NewGoal, Store, StoreResult, Team};

/// A goal and where it stands now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoalStatus {
    pub goal: Goal,
    /// `None`: no numbers to judge it by yet (no check-ins in its span, or the numbers it
    /// needs were never reported).
    pub progress: Option<Progress>,
    /// A volume goal spread over its period as it runs now; `None` for rate goals.
    pub pace: Option<Pace>,
}

/// What `/goal …` changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GoalChange {
    /// Set, with its pace; `old` is the goal it replaced.
    Set {
        goal: Goal,
        pace: Option<Pace>,
        old: Option<Goal>,
    },
    /// Cleared; `old` is the goal as it was (`None` if its row could not be read).
    Cleared {
        metric: Metric,
        scope: Scope,
        old: Option<Goal>,
    },
    /// There was no such goal to clear.
    NothingToClear { metric: Metric, scope: Scope },
    /// The goal names a channel the team does not have; the live channels' names.
    UnknownChannel { channel: String, known: Vec<String> },
}

/// The days a goal is measured over up to `today`: a volume goal its own period to date, a
/// rate goal this month.
fn measured_from(goal: &Goal, today: NaiveDate) -> NaiveDate {
    goal.period().unwrap_or(Period::Month).start(today)
}

/// Where one goal stands on `today`, from the check-ins.
pub async fn status_of(
    store: &Store,
    chat_id: ChatId,
    goal: Goal,
    today: NaiveDate,
) -> StoreResult<GoalStatus> {
    let (from, to) = (day_key(measured_from(&goal, today)), day_key(today));
    let rows = store
        .channel_checkins(chat_id, &from, &to, goal.scope.stored())
        .await?;
    // No check-ins in the span, or none naming the goal's numbers: unknown, not zero.
    let totals = window_totals(
        rows.iter()
            .map(|c| (c.channel.clone(), c.day.clone(), c.numbers())),
    );
    let progress = goal.progress(&totals.all);
    let pace = goal
        .period()
        .map(|p| pace(goal.target, p, days_in_period(p, today)));
    Ok(GoalStatus {
        goal,
        progress,
        pace,
    })
}

impl Service {
    /// The team's goals, team-wide first, then by channel, in plan order.
    pub async fn goals_of(&self, chat_id: ChatId) -> StoreResult<Vec<Goal>> {
        let mut goals = self.store.team_goals(chat_id).await?;
        sort_goals(&mut goals);
        Ok(goals)
    }

    /// Every goal of the team with where it stands now (team's zone).
    pub async fn goal_statuses(&self, team: &Team) -> StoreResult<Vec<GoalStatus>> {
        let today = local_date(self.now(), team.tz());
        let mut out = Vec::new();
        for goal in self.goals_of(team.chat_id).await? {
            out.push(status_of(&self.store, team.chat_id, goal, today).await?);
        }
        Ok(out)
    }

    /// The volume goals for `/metrics` (`channel` None = every one, Some = that channel's),
    /// each over its own period to date.
    pub async fn volume_goal_statuses(
        &self,
        team: &Team,
        channel: Option<&str>,
    ) -> StoreResult<Vec<GoalStatus>> {
        let today = local_date(self.now(), team.tz());
        let mut out = Vec::new();
        for goal in self.store.team_goals(team.chat_id).await? {
            if goal.is_rate() || channel.is_some_and(|c| goal.scope.stored() != c) {
                continue;
            }
            out.push(status_of(&self.store, team.chat_id, goal, today).await?);
        }
        Ok(out)
    }

    /// Sets `goal` (replacing the one for the same metric and scope) after checking its
    /// channel exists.
    pub async fn set_goal(&self, team: &Team, mut goal: Goal) -> StoreResult<GoalChange> {
        if let Scope::Channel(name) = &goal.scope {
            // `#taobao` for a channel named 淘宝: the goal is stored under the channel's name.
            match self.find_channel(team.chat_id, name).await? {
                Ok(c) => goal.scope = Scope::Channel(c.name),
                Err(known) => {
                    return Ok(GoalChange::UnknownChannel {
                        channel: name.clone(),
                        known,
                    });
                }
            }
        }
        let old = self
            .store
            .team_goals(team.chat_id)
            .await?
            .into_iter()
            .find(|g| g.metric == goal.metric && g.scope == goal.scope);
        self.store
            .set_goal(&NewGoal::of(team.chat_id, &goal), self.now())
            .await?;
        let today = local_date(self.now(), team.tz());
        let pace = goal
            .period()
            .map(|p| pace(goal.target, p, days_in_period(p, today)));
        Ok(GoalChange::Set { goal, pace, old })
    }

    /// Clears the goal for `metric` and `scope`; returns the goal that was there.
    pub async fn clear_goal(
        &self,
        team: &Team,
        metric: Metric,
        scope: Scope,
    ) -> StoreResult<GoalChange> {
        // An alias clears the goal of the channel it names; a name no live channel has is
        // taken as typed (a goal may outlive its channel).
        let scope = match scope {
            Scope::Channel(name) => match self.find_channel(team.chat_id, &name).await? {
                Ok(c) => Scope::Channel(c.name),
                Err(_) => Scope::Channel(name),
            },
            Scope::Team => Scope::Team,
        };
        let old = self
            .store
            .team_goals(team.chat_id)
            .await?
            .into_iter()
            .find(|g| g.metric == metric && g.scope == scope);
        let cleared = self
            .store
            .clear_goal(team.chat_id, metric.code(), scope.stored())
            .await?;
        Ok(if cleared {
            GoalChange::Cleared { metric, scope, old }
        } else {
            GoalChange::NothingToClear { metric, scope }
        })
    }
}

/// Per channel, the days this month (team-local) with numbers but no spend: budget pacing
/// leaves them out rather than read ¥0 (issue 14). Channels without such days have no entry.
pub async fn month_unknown_spend_days(
    store: &Store,
    chat_id: ChatId,
    now: i64,
    tz: Tz,
) -> StoreResult<HashMap<String, u32>> {
    let today = local_date(now, tz);
    let (from, to) = (day_key(Period::Month.start(today)), day_key(today));
    let rows = store.channel_checkins(chat_id, &from, &to, "").await?;
    let month = window_totals(rows.into_iter().map(|c| {
        let n = c.numbers();
        (c.channel, c.day, n)
    }));
    Ok(month
        .channels
        .into_iter()
        .map(|(c, t)| (c, t.days() - t.known_days(Metric::Spend)))
        .filter(|(_, unknown)| *unknown > 0)
        .collect())
}

/// Spend per channel this month (team-local calendar month), minor units, for budget pacing.
pub async fn month_spend_by_channel(
    store: &Store,
    chat_id: ChatId,
    now: i64,
    tz: Tz,
) -> StoreResult<HashMap<String, i64>> {
    let today = local_date(now, tz);
    let range = DayRange {
        from: Period::Month.start(today),
        to: today,
    };
    let (from, to) = range.keys();
    Ok(store
        .spend_by_channel(chat_id, &from, &to)
        .await?
        .into_iter()
        .collect())
}
