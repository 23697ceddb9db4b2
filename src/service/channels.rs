//! Which of the team's channels a typed name means (`taobao`, `#淘宝`, `天猫` for a channel
//! named 淘宝): every command that names a channel asks here, so the alias rules live in one
//! place (`domain::channel_names`).

use super::Service;
use crate::domain::channel_names::resolve;
use crate::domain::ids::ChatId;
use crate::storage::{Channel, StoreResult};

impl Service {
    /// The live channel `typed` refers to, or the names of the team's live channels.
    pub async fn find_channel(
        &self,
        chat_id: ChatId,
        typed: &str,
    ) -> StoreResult<Result<Channel, Vec<String>>> {
        let live = self.store.channels(chat_id).await?;
        let names: Vec<String> = live.iter().map(|c| c.name.clone()).collect();
        let Some(name) = resolve(typed, &names).cloned() else {
            return Ok(Err(names));
        };
        Ok(live
            .into_iter()
            .find(|c| c.name == name)
            .ok_or_else(Vec::new))
    }
}
