//! sendMessage, sendPhoto and sendDocument: Telegram's checks, then the bot's message stored and
//! answered the way Telegram returns it.

use std::time::Instant;

use serde_json::{Value, json};

use super::{check_reply_markup, render};
use crate::console::emulator::http::{ApiError, ApiResult, Params};
use crate::console::emulator::json::{bot_user_json, merge, reply_snapshot};
use crate::console::emulator::state::{Content, StoredMessage};
use crate::console::emulator::{
    Emulator, MAX_CAPTION_UTF16, MAX_DOCUMENT_BYTES, MAX_PHOTO_BYTES, MAX_TEXT_UTF16, SentKind,
    SentMessage,
};
use crate::console::html;

impl Emulator {
    pub(in crate::console::emulator) fn send_message(&self, p: &Params) -> ApiResult {
        let chat_id = self.target_chat(p)?;
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
            return Err(ApiError::bad("message is too long"));
        }
        let markup = check_reply_markup(p)?;
        let reply_to = self.reply_target(p, chat_id)?;
        Ok(self.store_bot_message(NewMessage {
            chat_id,
            kind: SentKind::Text,
            raw,
            parse_mode,
            content,
            markup,
            reply_to,
            upload: None,
        }))
    }

    pub(in crate::console::emulator) fn send_media(&self, p: &Params, kind: SentKind) -> ApiResult {
        let field = if kind == SentKind::Photo {
            "photo"
        } else {
            "document"
        };
        let chat_id = self.target_chat(p)?;
        let raw = p.str("caption").unwrap_or_default();
        let parse_mode = p.str("parse_mode").filter(|m| !m.is_empty());
        let content = render(&raw, parse_mode.as_deref())?;
        if html::utf16_len(&content.plain) > MAX_CAPTION_UTF16 {
            return Err(ApiError::bad("message caption is too long"));
        }
        let markup = check_reply_markup(p)?;
        let reply_to = self.reply_target(p, chat_id)?;

        let missing = || ApiError::bad(format!("there is no {field} in the request"));
        let upload = match p.str(field) {
            // teloxide uploads as multipart: the field says "attach://<part name>".
            Some(reference) if reference.starts_with("attach://") => {
                let part = &reference["attach://".len()..];
                match (p.files.get(part), p.fields.get(part)) {
                    (Some(u), _) => MediaSource::Upload {
                        file_name: u.file_name.clone(),
                        content_type: u.content_type.clone(),
                        bytes: u.bytes.clone(),
                    },
                    (None, Some(Value::String(text))) => MediaSource::Upload {
                        file_name: None,
                        content_type: None,
                        bytes: text.clone().into_bytes(),
                    },
                    _ => return Err(missing()),
                }
            }
            // A file_id or URL Telegram would fetch itself.
            Some(reference) if !reference.is_empty() => MediaSource::Reference(reference),
            _ => match p.files.get(field) {
                Some(u) => MediaSource::Upload {
                    file_name: u.file_name.clone(),
                    content_type: u.content_type.clone(),
                    bytes: u.bytes.clone(),
                },
                None => return Err(missing()),
            },
        };
        if let MediaSource::Upload { bytes, .. } = &upload {
            let max = if kind == SentKind::Photo {
                MAX_PHOTO_BYTES
            } else {
                MAX_DOCUMENT_BYTES
            };
            if bytes.is_empty() {
                return Err(ApiError::bad("file must be non-empty"));
            }
            if bytes.len() > max {
                return Err(ApiError::new(413, "Request Entity Too Large"));
            }
        }
        Ok(self.store_bot_message(NewMessage {
            chat_id,
            kind,
            raw,
            parse_mode,
            content,
            markup,
            reply_to,
            upload: Some(upload),
        }))
    }

    fn store_bot_message(&self, m: NewMessage) -> Value {
        let now = self.now();
        let mut st = self.state();
        let message_id = st.next_message_id();
        let mut json = json!({
            "message_id": message_id,
            "from": bot_user_json(),
            "date": now,
            "chat": st.chat_value(m.chat_id),
        });
        let (mut file_name, mut file_bytes) = (None, None);
        match m.kind {
            SentKind::Text => json["text"] = json!(m.content.plain),
            SentKind::Photo | SentKind::Document => {
                if !m.content.plain.is_empty() {
                    json["caption"] = json!(m.content.plain);
                }
                st.next_file_id += 1;
                let n = st.next_file_id;
                let mut meta = json!({
                    "file_id": format!("emu-file-{n}"),
                    "file_unique_id": format!("emu-unique-{n}"),
                });
                match m.upload {
                    Some(MediaSource::Upload {
                        file_name: name,
                        content_type,
                        bytes,
                    }) => {
                        meta["file_size"] = json!(bytes.len());
                        if m.kind == SentKind::Document {
                            if let Some(name) = &name {
                                meta["file_name"] = json!(name);
                            }
                            // Only a well-formed type/subtype; teloxide parses it as a MIME type.
                            if let Some(ct) = content_type.filter(|ct| {
                                ct.split_once('/')
                                    .is_some_and(|(a, b)| !a.is_empty() && !b.is_empty())
                            }) {
                                meta["mime_type"] = json!(ct);
                            }
                        }
                        file_name = name;
                        file_bytes = Some(bytes);
                    }
                    Some(MediaSource::Reference(reference)) => {
                        meta["file_id"] = json!(reference);
                        meta["file_size"] = json!(0);
                    }
                    None => {}
                }
                if m.kind == SentKind::Photo {
                    // Dimensions are not decoded; any plausible size satisfies the schema.
                    json["photo"] = json!([merge(meta, json!({"width": 1280, "height": 720}))]);
                } else {
                    json["document"] = meta;
                }
            }
        }
        if let Some(markup) = m
            .markup
            .as_ref()
            .filter(|mk| mk.get("inline_keyboard").is_some())
        {
            json["reply_markup"] = markup.clone();
        }
        if let Some(reply_to) = m.reply_to
            && let Some(original) = st.messages.get(&(m.chat_id, reply_to))
        {
            json["reply_to_message"] = reply_snapshot(&original.json);
        }
        let index = st.sent.len();
        st.sent.push(SentMessage {
            chat_id: m.chat_id,
            message_id,
            kind: m.kind,
            text: m.raw,
            parse_mode: m.parse_mode,
            reply_markup: m.markup,
            file_name,
            file_bytes,
            edited: false,
            reply_to_message_id: m.reply_to,
            accepted_at: Instant::now(),
        });
        st.messages.insert(
            (m.chat_id, message_id),
            StoredMessage {
                json: json.clone(),
                sent_index: Some(index),
                content: m.content,
            },
        );
        let count = st.sent.len();
        drop(st);
        self.inner.sent_count.send_replace(count);
        json
    }
}

struct NewMessage {
    chat_id: i64,
    kind: SentKind,
    raw: String,
    parse_mode: Option<String>,
    content: Content,
    markup: Option<Value>,
    reply_to: Option<i64>,
    upload: Option<MediaSource>,
}

enum MediaSource {
    Upload {
        file_name: Option<String>,
        content_type: Option<String>,
        bytes: Vec<u8>,
    },
    Reference(String),
}
