//! The outbound Telegram edge shared by the bot (replies) and the scheduler (automatic
//! messages): the rate-limited bot type, sending HTML, and how Telegram's errors are read.

pub mod ids;
pub mod keyboards;
pub mod photo;
pub mod send;

use teloxide::ApiError;
use teloxide::adaptors::Throttle;
use teloxide::prelude::Bot;

/// Every request goes through `Throttle`, so Telegram's rate limits hold by construction.
pub type TgBot = Throttle<Bot>;

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
