//! Inline keyboards sent with automatic messages, shared by the scheduler (which sends them)
//! and the bot (which answers their presses).

use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use crate::domain::lang::Lang;
use crate::domain::tasks::PingAction;
use crate::i18n::tr;

/// ✅ Done · ⏰ +1 day · 🚧 Blocked under a deadline ping.
pub fn ping_keyboard(lang: Lang, task_id: i64) -> InlineKeyboardMarkup {
    let buttons: Vec<InlineKeyboardButton> = PingAction::ALL
        .into_iter()
        .map(|action| {
            // Button labels are plain text, not HTML.
            let label = tr(lang, &format!("button.{}", action.code()), &[]);
            InlineKeyboardButton::callback(label, action.callback_data(task_id))
        })
        .collect();
    InlineKeyboardMarkup::new(vec![buttons])
}
