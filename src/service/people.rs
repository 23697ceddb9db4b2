//! Who someone is in a team: the data behind `/whoami`.

use super::Service;
use crate::domain::ids::{ChatId, UserId};
use crate::storage::{StoreResult, Task};

/// A member's share of the team's work.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberView {
    /// Open tasks they own, soonest due first.
    pub open_tasks: Vec<Task>,
    /// Live channels they own, by name.
    pub channels: Vec<String>,
}

impl Service {
    pub async fn member_view(&self, chat_id: ChatId, user_id: UserId) -> StoreResult<MemberView> {
        let mut open_tasks: Vec<Task> = self
            .store
            .open_tasks(chat_id)
            .await?
            .into_iter()
            .filter(|t| t.owner_id == Some(user_id))
            .collect();
        open_tasks.sort_by_key(|t| (t.due_at, t.number));
        let mut channels: Vec<String> = self
            .store
            .channels(chat_id)
            .await?
            .into_iter()
            .filter(|c| c.owner_id == Some(user_id))
            .map(|c| c.name)
            .collect();
        channels.sort();
        Ok(MemberView {
            open_tasks,
            channels,
        })
    }
}
