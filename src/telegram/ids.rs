//! Between Telegram's id types (teloxide's `ChatId(i64)`, `UserId(u64)`) and the program's
//! (`domain::ids`): one place, so handlers never spell `.0 as i64`.

use teloxide::types::{Recipient, User};

use crate::domain::ids::{ChatId, UserId};

impl From<teloxide::types::ChatId> for ChatId {
    fn from(id: teloxide::types::ChatId) -> ChatId {
        ChatId(id.0)
    }
}

impl From<ChatId> for teloxide::types::ChatId {
    fn from(id: ChatId) -> teloxide::types::ChatId {
        teloxide::types::ChatId(id.0)
    }
}

impl From<ChatId> for Recipient {
    fn from(id: ChatId) -> Recipient {
        Recipient::Id(id.into())
    }
}

impl From<teloxide::types::UserId> for UserId {
    /// Telegram's user ids fit in 52 bits (its documentation promises it), so the cast is exact.
    fn from(id: teloxide::types::UserId) -> UserId {
        UserId(id.0 as i64)
    }
}

/// The program's id of a Telegram user.
pub fn user_id(user: &User) -> UserId {
    user.id.into()
}
