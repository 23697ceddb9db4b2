//! The campaign plan's use-cases: channels (add, owner, budget, tier, remove), and the data
//! `/channels`, `/budget` and `/plan` show. Every change is answered with the playbook check
//! over the live channels as they are after it, so the outcome carries them.

use crate::domain::ids::ChatId;
use crate::domain::ids::UserId;
use std::collections::HashMap;

use chrono::NaiveDate;

use super::Service;
use super::goals::{GoalStatus, month_spend_by_channel, month_unknown_spend_days};
use crate::domain::channel_names::same_platform;
use crate::domain::playbook::{ChannelPlan, Tier};
use crate::domain::when::local_date;
use crate::storage::{Channel, StoreResult, Team, User};

/// Who owns a channel after `/channel owner`, as the reply names them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OwnerShown {
    /// A member the bot knows, by display name.
    Named(String),
    /// Known by id only through a Telegram mention with a username.
    Username(String),
    /// Known by id only.
    Id(UserId),
    /// Named by @username, not seen in the group yet.
    Pending(String),
}

/// Who an admin named as owner, resolved as far as the message itself allows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OwnerPick {
    Nobody,
    /// A Telegram user from the message (the sender, or a text mention).
    User {
        id: UserId,
        username: Option<String>,
    },
    /// An @username, looked up among the users the bot has seen.
    Username(String),
}

/// A change `/channel …` asks for (the parser's `ChannelArgs` with the owner resolved).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChannelEdit {
    Add {
        name: String,
        tier: Tier,
        budget: i64,
    },
    Owner {
        name: String,
        owner: OwnerPick,
    },
    Budget {
        name: String,
        budget: i64,
    },
    Tier {
        name: String,
        tier: Tier,
    },
    Remove {
        name: String,
    },
}

impl ChannelEdit {
    pub fn name(&self) -> &str {
        match self {
            ChannelEdit::Add { name, .. }
            | ChannelEdit::Owner { name, .. }
            | ChannelEdit::Budget { name, .. }
            | ChannelEdit::Tier { name, .. }
            | ChannelEdit::Remove { name } => name,
        }
    }
}

/// What `/channel …` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChannelChange {
    /// `add` of a name that is already live.
    Exists(Channel),
    /// A change of a channel that is not there; the live channels' names.
    NotFound {
        name: String,
        known: Vec<String>,
    },
    /// `tier` to the tier it already has.
    TierSame {
        name: String,
        tier: Tier,
    },
    Added {
        name: String,
        tier: Tier,
        budget: i64,
    },
    OwnerCleared {
        name: String,
    },
    OwnerSet {
        name: String,
        owner: OwnerShown,
    },
    BudgetSet {
        name: String,
        old: i64,
        new: i64,
    },
    TierSet {
        name: String,
        old: Tier,
        new: Tier,
    },
    /// Removed with its goals (how many were cleared).
    Removed {
        name: String,
        goals_cleared: u64,
    },
}

impl ChannelChange {
    /// Whether the reply goes on with the playbook check (a change was made).
    pub fn changed(&self) -> bool {
        !matches!(
            self,
            ChannelChange::Exists(_)
                | ChannelChange::NotFound { .. }
                | ChannelChange::TierSame { .. }
        )
    }
}

/// The live channels ordered core → test → reserve, the biggest budget first within a tier,
/// with their owners by user id.
#[derive(Clone, Debug, Default)]
pub struct ChannelsView {
    pub channels: Vec<Channel>,
    pub owners: HashMap<UserId, User>,
}

/// `/budget`: the channels by tier, where the month is, and spend so far by channel.
#[derive(Clone, Debug)]
pub struct BudgetView {
    pub channels: Vec<Channel>,
    pub today: NaiveDate,
    /// Empty when nothing was checked in this month (spend on removed channels included).
    pub spend: HashMap<String, i64>,
    /// Days this month a channel checked in without spend: its pace leaves them out.
    pub unknown_spend_days: HashMap<String, u32>,
}

/// `/plan`: goals with where they stand, the channels with owners.
#[derive(Clone, Debug)]
pub struct PlanView {
    pub goals: Vec<GoalStatus>,
    pub channels: ChannelsView,
}

/// The channels as the playbook sees them. An owner named by @username counts before they
/// have written in the group: someone is named.
pub fn channel_plans(channels: &[Channel]) -> Vec<ChannelPlan> {
    channels
        .iter()
        .map(|c| ChannelPlan {
            name: c.name.clone(),
            tier: c.tier,
            monthly_budget: c.monthly_budget,
            has_owner: c.owner_id.is_some() || c.owner_username.is_some(),
        })
        .collect()
}

/// Channels ordered core → test → reserve, the biggest budget first within a tier.
pub fn by_tier(mut channels: Vec<Channel>) -> Vec<Channel> {
    channels.sort_by(|a, b| {
        (a.tier, std::cmp::Reverse(a.monthly_budget), &a.name).cmp(&(
            b.tier,
            std::cmp::Reverse(b.monthly_budget),
            &b.name,
        ))
    });
    channels
}

impl Service {
    /// The team's live channels. An owner named by an @username nobody had seen yet is linked
    /// to that person here once they have written, so lists show them by name.
    pub async fn live_channels(&self, chat_id: ChatId) -> StoreResult<Vec<Channel>> {
        let mut channels = self.store.channels(chat_id).await?;
        for c in channels.iter_mut().filter(|c| c.owner_id.is_none()) {
            let Some(username) = c.owner_username.clone() else {
                continue;
            };
            if let Some(user) = self.store.user_by_username(&username).await? {
                self.store
                    .resolve_pending_channel_owner(&username, user.user_id, self.now())
                    .await?;
                c.owner_id = Some(user.user_id);
            }
        }
        Ok(channels)
    }

    /// The live channels by tier with their owners (one query for the team's members).
    pub async fn channels_view(&self, chat_id: ChatId) -> StoreResult<ChannelsView> {
        let channels = by_tier(self.live_channels(chat_id).await?);
        let mut owners: HashMap<UserId, User> = self
            .store
            .members(chat_id)
            .await?
            .into_iter()
            .map(|u| (u.user_id, u))
            .collect();
        for id in channels.iter().filter_map(|c| c.owner_id) {
            if !owners.contains_key(&id)
                && let Some(u) = self.store.user(id).await?
            {
                owners.insert(id, u);
            }
        }
        Ok(ChannelsView { channels, owners })
    }

    pub async fn budget_view(&self, team: &Team) -> StoreResult<BudgetView> {
        let now = self.now();
        Ok(BudgetView {
            channels: by_tier(self.live_channels(team.chat_id).await?),
            today: local_date(now, team.tz()),
            spend: month_spend_by_channel(&self.store, team.chat_id, now, team.tz()).await?,
            unknown_spend_days: month_unknown_spend_days(&self.store, team.chat_id, now, team.tz())
                .await?,
        })
    }

    pub async fn plan_view(&self, team: &Team) -> StoreResult<PlanView> {
        let channels = self.channels_view(team.chat_id).await?;
        Ok(PlanView {
            goals: self.goal_statuses(team).await?,
            channels,
        })
    }

    /// Applies a `/channel` change.
    pub async fn change_channel(
        &self,
        team: &Team,
        edit: ChannelEdit,
    ) -> StoreResult<ChannelChange> {
        let store = &self.store;
        let (chat_id, now) = (team.chat_id, self.now());
        // `taobao` names the channel 淘宝 (domain::channel_names); a new name that is another
        // spelling of a live channel is that channel, not a second one.
        let existing = match self.find_channel(chat_id, edit.name()).await? {
            Ok(c)
                if !matches!(edit, ChannelEdit::Add { .. })
                    || same_platform(&c.name, edit.name()) =>
            {
                Some(c)
            }
            _ => None,
        };
        if let ChannelEdit::Add { name, tier, budget } = edit {
            if let Some(c) = existing {
                return Ok(ChannelChange::Exists(c));
            }
            return match store.add_channel(chat_id, &name, tier, budget, now).await {
                Ok(_) => Ok(ChannelChange::Added { name, tier, budget }),
                Err(e) if e.is_unique_violation() => {
                    // Another admin added it a moment ago.
                    match store.channel(chat_id, &name).await? {
                        Some(c) => Ok(ChannelChange::Exists(c)),
                        None => Err(e),
                    }
                }
                Err(e) => Err(e),
            };
        }
        let Some(c) = existing else {
            let known = store
                .channels(chat_id)
                .await?
                .into_iter()
                .map(|c| c.name)
                .collect();
            return Ok(ChannelChange::NotFound {
                name: edit.name().to_string(),
                known,
            });
        };
        Ok(match edit {
            // Handled above; kept total without a panic.
            ChannelEdit::Add { .. } => ChannelChange::Exists(c),
            ChannelEdit::Owner { owner, .. } => {
                let (owner_id, owner_username) = match owner {
                    OwnerPick::Nobody => (None, None),
                    OwnerPick::User { id, username } => (Some(id), username),
                    OwnerPick::Username(name) => match store.user_by_username(&name).await? {
                        Some(u) => (Some(u.user_id), u.username.or(Some(name))),
                        None => (None, Some(name)),
                    },
                };
                store
                    .set_channel_owner(c.id, owner_id, owner_username.as_deref(), now)
                    .await?;
                match (owner_id, owner_username) {
                    (None, None) => ChannelChange::OwnerCleared { name: c.name },
                    (Some(id), username) => {
                        let owner = match (store.user(id).await?, username) {
                            (Some(u), _) => OwnerShown::Named(u.display_name),
                            (None, Some(u)) => OwnerShown::Username(u),
                            (None, None) => OwnerShown::Id(id),
                        };
                        ChannelChange::OwnerSet {
                            name: c.name,
                            owner,
                        }
                    }
                    (None, Some(username)) => ChannelChange::OwnerSet {
                        name: c.name,
                        owner: OwnerShown::Pending(username),
                    },
                }
            }
            ChannelEdit::Budget { budget, .. } => {
                store.set_channel_budget(c.id, budget, now).await?;
                ChannelChange::BudgetSet {
                    old: c.monthly_budget,
                    new: budget,
                    name: c.name,
                }
            }
            ChannelEdit::Tier { tier, .. } => {
                if c.tier == tier {
                    return Ok(ChannelChange::TierSame { name: c.name, tier });
                }
                store.set_channel_tier(c.id, tier, now).await?;
                ChannelChange::TierSet {
                    old: c.tier,
                    new: tier,
                    name: c.name,
                }
            }
            ChannelEdit::Remove { .. } => {
                let goals_cleared = store.remove_channel_and_goals(&c, now).await?;
                ChannelChange::Removed {
                    name: c.name,
                    goals_cleared,
                }
            }
        })
    }
}
