//! editMessageText, editMessageCaption and editMessageReplyMarkup, with Telegram's "message is not
//! modified" rule.

use serde_json::{Value, json};

use super::{check_reply_markup, render};
use crate::console::emulator::http::{ApiError, ApiResult, Params};
use crate::console::emulator::state::Content;
use crate::console::emulator::{EditRecord, Emulator, MAX_CAPTION_UTF16, MAX_TEXT_UTF16, SentKind};
use crate::console::html;

const DESC_MESSAGE_NOT_MODIFIED: &str = "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message";

impl Emulator {
    /// Find the bot's message an edit targets.
    fn edit_target(&self, p: &Params) -> Result<(i64, i64), ApiError> {
        if p.has("inline_message_id") {
            // The emulator has no inline mode.
            return Err(ApiError::bad("MESSAGE_ID_INVALID"));
        }
        let chat_id = self.target_chat(p)?;
        let message_id = p
            .i64("message_id")?
            .ok_or_else(|| ApiError::bad("message identifier is not specified"))?;
        let st = self.state();
        let stored = st
            .messages
            .get(&(chat_id, message_id))
            .ok_or_else(|| ApiError::bad("message to edit not found"))?;
        if stored.sent_index.is_none() {
            return Err(ApiError::bad("message can't be edited"));
        }
        Ok((chat_id, message_id))
    }

    pub(in crate::console::emulator) fn edit_message_text(&self, p: &Params) -> ApiResult {
        let (chat_id, message_id) = self.edit_target(p)?;
        let raw = p.str("text").unwrap_or_default();
        let parse_mode = p.str("parse_mode").filter(|m| !m.is_empty());
        if raw.trim().is_empty() {
            return Err(ApiError::bad("message text is empty"));
        }
        let content = render(&raw, parse_mode.as_deref())?;
        if content.plain.is_empty() {
            return Err(ApiError::bad("message text is empty"));
        }
        if html::utf16_len(&content.plain) > MAX_TEXT_UTF16 {
            // Telegram words this one differently from sendMessage.
            return Err(ApiError::bad("MESSAGE_TOO_LONG"));
        }
        let markup = check_reply_markup(p)?;
        self.apply_edit(
            "editMessageText",
            chat_id,
            message_id,
            Some(Edit {
                raw,
                parse_mode,
                content,
            }),
            markup,
            Some(SentKind::Text),
        )
    }

    pub(in crate::console::emulator) fn edit_message_caption(&self, p: &Params) -> ApiResult {
        let (chat_id, message_id) = self.edit_target(p)?;
        let raw = p.str("caption").unwrap_or_default();
        let parse_mode = p.str("parse_mode").filter(|m| !m.is_empty());
        let content = render(&raw, parse_mode.as_deref())?;
        if html::utf16_len(&content.plain) > MAX_CAPTION_UTF16 {
            return Err(ApiError::bad("message caption is too long"));
        }
        let markup = check_reply_markup(p)?;
        self.apply_edit(
            "editMessageCaption",
            chat_id,
            message_id,
            Some(Edit {
                raw,
                parse_mode,
                content,
            }),
            markup,
            None,
        )
    }

    pub(in crate::console::emulator) fn edit_message_reply_markup(&self, p: &Params) -> ApiResult {
        let (chat_id, message_id) = self.edit_target(p)?;
        let markup = check_reply_markup(p)?;
        self.apply_edit(
            "editMessageReplyMarkup",
            chat_id,
            message_id,
            None,
            markup,
            None,
        )
    }

    /// Apply an edit if it changes something. `text_only`: the edit needs a text message (as
    /// opposed to a caption edit that needs media).
    fn apply_edit(
        &self,
        method: &str,
        chat_id: i64,
        message_id: i64,
        edit: Option<Edit>,
        markup: Option<Value>,
        text_only: Option<SentKind>,
    ) -> ApiResult {
        let now = self.now();
        let mut st = self.state();
        let st = &mut *st;
        let stored = st
            .messages
            .get_mut(&(chat_id, message_id))
            .ok_or_else(|| ApiError::bad("message to edit not found"))?;
        let index = stored
            .sent_index
            .ok_or_else(|| ApiError::bad("message can't be edited"))?;
        let sent = st
            .sent
            .get_mut(index)
            .ok_or_else(|| ApiError::bad("message to edit not found"))?;
        match (&edit, text_only, sent.kind) {
            (Some(_), Some(SentKind::Text), SentKind::Photo | SentKind::Document) => {
                return Err(ApiError::bad("there is no text in the message to edit"));
            }
            (Some(_), None, SentKind::Text) => {
                return Err(ApiError::bad("there is no caption in the message to edit"));
            }
            _ => {}
        }
        let inline = |m: &Option<Value>| {
            m.as_ref()
                .filter(|m| m.get("inline_keyboard").is_some())
                .cloned()
        };
        let new_inline = inline(&markup);
        let old_inline = inline(&sent.reply_markup);
        let same_content = edit.as_ref().is_none_or(|e| e.content == stored.content);
        if same_content && new_inline == old_inline {
            return Err(ApiError::new(400, DESC_MESSAGE_NOT_MODIFIED));
        }
        let old_text = sent.text.clone();
        let old_reply_markup = sent.reply_markup.clone();
        if let Some(e) = edit {
            let key = if sent.kind == SentKind::Text {
                "text"
            } else {
                "caption"
            };
            if e.content.plain.is_empty() {
                if let Value::Object(map) = &mut stored.json {
                    map.remove(key);
                }
            } else {
                stored.json[key] = json!(e.content.plain);
            }
            stored.content = e.content;
            sent.text = e.raw;
            sent.parse_mode = e.parse_mode;
        }
        match &new_inline {
            Some(m) => stored.json["reply_markup"] = m.clone(),
            None => {
                if let Value::Object(map) = &mut stored.json {
                    map.remove("reply_markup");
                }
            }
        }
        stored.json["edit_date"] = json!(now);
        sent.reply_markup = markup;
        sent.edited = true;
        let record = EditRecord {
            method: method.to_owned(),
            chat_id,
            message_id,
            old_text,
            new_text: sent.text.clone(),
            old_reply_markup,
            new_reply_markup: sent.reply_markup.clone(),
        };
        let result = stored.json.clone();
        st.edits.push(record);
        Ok(result)
    }
}

struct Edit {
    raw: String,
    parse_mode: Option<String>,
    content: Content,
}
