//! The outbound Telegram edge shared by the bot (replies) and the scheduler (automatic
//! messages): the bot type with its outbox, sending HTML, and how Telegram's errors are read.

pub mod ids;
pub mod keyboards;
pub mod lean;
pub mod outbox;
pub mod photo;
pub mod send;

use teloxide::ApiError;
use teloxide::adaptors::throttle::Limits;
use teloxide::prelude::Bot;

use outbox::Outbox;

/// The Bot API client and the outbox that paces every message to Telegram's limits.
///
/// It derefs to the plain `Bot` for requests that send no message (getMe, getFile, answers to
/// button presses, edits); messages go through [`TgBot::outbox`] (see `send` and `photo`),
/// never `send_*` on the `Bot`, which would bypass the limits.
#[derive(Clone)]
pub struct TgBot {
    api: Bot,
    outbox: Outbox,
}

impl TgBot {
    pub fn new(api: Bot, limits: Limits) -> TgBot {
        TgBot {
            api,
            outbox: Outbox::new(limits),
        }
    }

    pub fn api(&self) -> &Bot {
        &self.api
    }

    pub fn outbox(&self) -> &Outbox {
        &self.outbox
    }
}

impl std::ops::Deref for TgBot {
    type Target = Bot;

    fn deref(&self) -> &Bot {
        &self.api
    }
}

/// The bot can no longer write to this chat (removed, blocked, chat gone).
pub fn is_gone(api: &ApiError) -> bool {
    matches!(
        api,
        ApiError::BotKicked
            | ApiError::BotKickedFromSupergroup
            | ApiError::BotBlocked
            | ApiError::ChatNotFound
            | ApiError::GroupDeactivated
            | ApiError::UserDeactivated
    ) || matches!(api, ApiError::Unknown(d) if d.starts_with("Forbidden"))
}
