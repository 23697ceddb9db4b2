//! The Bot API methods the emulator answers, one file per family, and what they share: the
//! target chat, the replied-to message, reply markup validation and parse modes.
//!
//! - `messages.rs`: sendMessage, sendPhoto, sendDocument.
//! - `edits.rs`: editMessageText, editMessageCaption, editMessageReplyMarkup.
//! - `callbacks.rs`: answerCallbackQuery.
//! - `chats.rs`: getChat, getChatMember, getChatAdministrators, sendChatAction.
//! - `commands.rs`: setMyCommands, deleteMyCommands, getMyCommands.
//! - `updates.rs`: getUpdates, setWebhook, deleteWebhook, getWebhookInfo.
//!
//! getMe is here. Routing from a method name to these is `http.rs`'s `dispatch`.

mod callbacks;
mod chats;
mod commands;
mod edits;
mod messages;
mod updates;

use serde_json::{Value, json};

use super::http::{ApiError, Params};
use super::json::{bot_user_json, merge};
use super::state::Content;
use super::{Emulator, MAX_CALLBACK_DATA_BYTES};
use crate::console::html;

impl Emulator {
    pub(super) fn get_me(&self) -> Value {
        merge(
            bot_user_json(),
            json!({
                "can_join_groups": true,
                // The emulator delivers every group message, as with privacy mode off.
                "can_read_all_group_messages": true,
                "supports_inline_queries": false,
                "can_connect_to_business": false,
                "has_main_web_app": false,
            }),
        )
    }

    /// The chat a request targets; Telegram's errors for missing or unknown chats.
    fn target_chat(&self, p: &Params) -> Result<i64, ApiError> {
        if !p.has("chat_id") {
            return Err(ApiError::bad("chat_id is empty"));
        }
        // "@username" targets and garbage both end here: the emulator's chats have no usernames.
        let chat_id = p
            .i64("chat_id")
            .ok()
            .flatten()
            .ok_or_else(|| ApiError::bad("chat not found"))?;
        if self.state().chats.contains_key(&chat_id) {
            Ok(chat_id)
        } else {
            Err(ApiError::bad("chat not found"))
        }
    }

    fn reply_target(&self, p: &Params, chat_id: i64) -> Result<Option<i64>, ApiError> {
        let (message_id, lenient) = match p.json(
            "reply_parameters",
            "can't parse reply parameters JSON object",
        )? {
            Some(rp) => (
                rp.get("message_id").and_then(Value::as_i64),
                rp.get("allow_sending_without_reply")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            ),
            None => (
                p.i64("reply_to_message_id")?,
                p.bool("allow_sending_without_reply"),
            ),
        };
        let Some(message_id) = message_id else {
            return Ok(None);
        };
        if self.state().messages.contains_key(&(chat_id, message_id)) {
            Ok(Some(message_id))
        } else if lenient {
            Ok(None)
        } else {
            Err(ApiError::bad("message to be replied not found"))
        }
    }
}

/// Validate reply_markup like Telegram. Returns the markup to store.
fn check_reply_markup(p: &Params) -> Result<Option<Value>, ApiError> {
    let Some(markup) = p.json(
        "reply_markup",
        "can't parse reply keyboard markup JSON object",
    )?
    else {
        return Ok(None);
    };
    if !markup.is_object() {
        return Err(ApiError::bad(
            "can't parse reply keyboard markup JSON object",
        ));
    }
    if let Some(rows) = markup.get("inline_keyboard") {
        let rows = rows
            .as_array()
            .ok_or_else(|| ApiError::bad("field \"inline_keyboard\" of the InlineKeyboardMarkup should be an Array of Arrays"))?;
        for row in rows {
            let buttons = row.as_array().ok_or_else(|| {
                ApiError::bad("field \"inline_keyboard\" of the InlineKeyboardMarkup should be an Array of Arrays")
            })?;
            for button in buttons {
                if button.get("text").and_then(Value::as_str).is_none() {
                    return Err(ApiError::bad(
                        "can't parse inline keyboard button: Field \"text\" must be of type String",
                    ));
                }
                if let Some(data) = button.get("callback_data") {
                    let len = data.as_str().map_or(usize::MAX, str::len);
                    if len == 0 || len > MAX_CALLBACK_DATA_BYTES {
                        return Err(ApiError::bad("BUTTON_DATA_INVALID"));
                    }
                }
                if let Some(link) = button.get("url") {
                    let valid = link
                        .as_str()
                        .and_then(|s| url::Url::parse(s).ok())
                        .is_some_and(|u| matches!(u.scheme(), "http" | "https" | "tg"));
                    if !valid {
                        return Err(ApiError::bad("BUTTON_URL_INVALID"));
                    }
                }
            }
        }
    }
    Ok(Some(markup))
}

/// Parse text the way Telegram would for this parse_mode.
fn render(text: &str, parse_mode: Option<&str>) -> Result<Content, ApiError> {
    let (plain, entities) = match parse_mode {
        None => (text.to_owned(), Vec::new()),
        Some(mode) if mode.eq_ignore_ascii_case("html") => html::parse_telegram_html_entities(text)
            .map_err(|e| ApiError::bad(format!("can't parse entities: {e}")))?,
        // Markdown dialects are not validated (the bot uses HTML); the text is taken as is.
        Some(mode)
            if mode.eq_ignore_ascii_case("markdownv2") || mode.eq_ignore_ascii_case("markdown") =>
        {
            (text.to_owned(), Vec::new())
        }
        Some(_) => return Err(ApiError::bad("unsupported parse_mode")),
    };
    // Telegram strips surrounding whitespace before measuring and storing.
    Ok(Content {
        plain: plain.trim().to_owned(),
        entities,
    })
}
