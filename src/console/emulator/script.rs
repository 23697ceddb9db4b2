//! The scripting API the console, the demo, the tests and the benchmarks drive the emulator with:
//! declare users and chats, inject messages and button presses, then look at what the bot did
//! (sent messages, edits, rejections, commands, request counts) or wait until it did it.

use std::time::Duration;

use serde_json::{Value, json};

use super::json::{anonymous_admin_json, reply_snapshot};
use super::state::{Content, State, StoredMessage, new_chat};
use super::{
    BOT_ID, ChatKind, CommandList, CommandSet, EditRecord, Emulator, Rejection, SendOpts,
    SentMessage, UserSpec,
};
use crate::console::html;

impl Emulator {
    pub fn add_user(&self, u: UserSpec) {
        self.state().users.insert(u.id, u);
    }

    /// Declare a chat. Group and supergroup ids are negative, private chat id = user id.
    pub fn add_chat(&self, chat_id: i64, kind: ChatKind, title: &str) {
        let mut st = self.state();
        match st.chats.get_mut(&chat_id) {
            Some(chat) => {
                chat.kind = kind;
                chat.title = title.to_owned();
            }
            None => {
                st.chats.insert(chat_id, new_chat(kind, title.to_owned()));
            }
        }
    }

    pub fn set_admin(&self, chat_id: i64, user_id: i64, admin: bool) {
        let mut st = self.state();
        st.ensure_user(user_id);
        st.ensure_chat(chat_id);
        if let Some(chat) = st.chats.get_mut(&chat_id) {
            if admin {
                chat.admins.insert(user_id);
                chat.left.remove(&user_id);
            } else {
                chat.admins.remove(&user_id);
            }
        }
    }

    /// Make `user_id` the chat's creator (status "creator").
    pub fn set_creator(&self, chat_id: i64, user_id: i64) {
        let mut st = self.state();
        st.ensure_user(user_id);
        st.ensure_chat(chat_id);
        if let Some(chat) = st.chats.get_mut(&chat_id) {
            chat.creator = Some(user_id);
            chat.left.remove(&user_id);
        }
    }

    /// Known users count as members; `member = false` makes getChatMember say "left".
    pub fn set_member(&self, chat_id: i64, user_id: i64, member: bool) {
        let mut st = self.state();
        st.ensure_user(user_id);
        st.ensure_chat(chat_id);
        if let Some(chat) = st.chats.get_mut(&chat_id) {
            if member {
                chat.left.remove(&user_id);
            } else {
                chat.left.insert(user_id);
                chat.admins.remove(&user_id);
            }
        }
    }

    pub fn set_chat_title(&self, chat_id: i64, title: &str) {
        if let Some(chat) = self.state().chats.get_mut(&chat_id) {
            chat.title = title.to_owned();
        }
    }

    /// Queue a text message from `from` in `chat_id`; returns the update_id.
    pub fn send_text(&self, chat_id: i64, from: i64, text: &str) -> i64 {
        self.send_text_opts(chat_id, from, text, SendOpts::default())
    }

    pub fn send_text_opts(&self, chat_id: i64, from: i64, text: &str, opts: SendOpts) -> i64 {
        let (update_id, _) = self.inject_message(chat_id, from, &opts, text, |st, msg| {
            msg["text"] = json!(text);
            let entities = user_entities(st, text, &opts.text_mentions);
            if !entities.is_empty() {
                msg["entities"] = Value::Array(entities);
            }
        });
        update_id
    }

    /// Queues a message from `from` in `chat_id`, its content filled by `fill`; `plain` is what
    /// an edit would be compared against. Returns the update_id and the message_id.
    pub(super) fn inject_message(
        &self,
        chat_id: i64,
        from: i64,
        opts: &SendOpts,
        plain: &str,
        fill: impl FnOnce(&mut State, &mut Value),
    ) -> (i64, i64) {
        let now = self.inner.clock.now();
        let mut st = self.state();
        st.ensure_user(from);
        st.ensure_chat(chat_id);
        if let Some(chat) = st.chats.get_mut(&chat_id) {
            chat.left.remove(&from);
        }
        let message_id = st.next_message_id();
        let mut msg = json!({
            "message_id": message_id,
            "date": now,
            "chat": st.chat_value(chat_id),
        });
        match opts.sender_chat {
            Some(sender_chat) => {
                st.ensure_chat(sender_chat);
                msg["from"] = anonymous_admin_json();
                msg["sender_chat"] = st.chat_value(sender_chat);
            }
            None => msg["from"] = st.user_value(from),
        }
        fill(&mut st, &mut msg);
        if let Some(reply_to) = opts.reply_to_message_id
            && let Some(original) = st.messages.get(&(chat_id, reply_to))
        {
            msg["reply_to_message"] = reply_snapshot(&original.json);
        }
        st.messages.insert(
            (chat_id, message_id),
            StoredMessage {
                json: msg.clone(),
                sent_index: None,
                content: Content {
                    plain: plain.to_owned(),
                    entities: Vec::new(),
                },
            },
        );
        let id = st.enqueue(json!({"message": msg}), opts.update_id);
        drop(st);
        self.updates_changed();
        (id, message_id)
    }

    /// Queue a callback_query: `from` pressed the button with `data` under `message_id`.
    pub fn press_button(&self, chat_id: i64, from: i64, message_id: i64, data: &str) -> i64 {
        let mut st = self.state();
        st.ensure_user(from);
        st.ensure_chat(chat_id);
        st.next_callback_id += 1;
        let callback_id = format!("{}{:06}", BOT_ID, st.next_callback_id);
        st.open_callbacks.insert(callback_id.clone());
        let message = match st.messages.get(&(chat_id, message_id)) {
            Some(m) => m.json.clone(),
            // date 0 is how the Bot API marks a message the bot can no longer access.
            None => json!({"message_id": message_id, "date": 0, "chat": st.chat_value(chat_id)}),
        };
        let body = json!({
            "callback_query": {
                "id": callback_id,
                "from": st.user_value(from),
                "message": message,
                "chat_instance": chat_id.to_string(),
                "data": data,
            }
        });
        let id = st.enqueue(body, None);
        drop(st);
        self.updates_changed();
        id
    }

    /// Queue any update. Its `update_id` is kept if present (treated like a forced id), else
    /// assigned.
    pub fn push_raw_update(&self, update: Value) -> i64 {
        let forced = update.get("update_id").and_then(Value::as_i64);
        let id = self.state().enqueue(update, forced);
        self.updates_changed();
        id
    }

    /// Updates queued and not yet acknowledged (or, with a webhook, not yet accepted).
    pub fn pending_updates(&self) -> usize {
        self.state().updates.len()
    }

    pub fn sent(&self) -> Vec<SentMessage> {
        self.state().sent.clone()
    }

    pub fn sent_since(&self, n: usize) -> Vec<SentMessage> {
        self.state()
            .sent
            .get(n..)
            .map(<[_]>::to_vec)
            .unwrap_or_default()
    }

    pub fn sent_count(&self) -> usize {
        self.state().sent.len()
    }

    /// The bot's message with this id, as currently stored (edits applied).
    pub fn message(&self, chat_id: i64, message_id: i64) -> Option<SentMessage> {
        let st = self.state();
        let index = st.messages.get(&(chat_id, message_id))?.sent_index?;
        st.sent.get(index).cloned()
    }

    /// Wait (real time, at most `timeout`) until at least `n` messages were sent.
    pub async fn wait_sent(&self, n: usize, timeout: Duration) -> bool {
        let mut rx = self.inner.sent_count.subscribe();
        matches!(
            tokio::time::timeout(timeout, rx.wait_for(|count| *count >= n)).await,
            Ok(Ok(_))
        )
    }

    /// Wait (real time, at most `timeout`) until `condition` holds; re-checked after every
    /// request the bot makes and every update injected.
    pub async fn wait_for(&self, timeout: Duration, condition: impl Fn(&Emulator) -> bool) -> bool {
        let mut rx = self.inner.activity.subscribe();
        let waited = tokio::time::timeout(timeout, async {
            loop {
                rx.borrow_and_update();
                if condition(self) {
                    return true;
                }
                if rx.changed().await.is_err() {
                    return condition(self);
                }
            }
        })
        .await;
        waited.unwrap_or(false)
    }

    pub fn edits(&self) -> Vec<EditRecord> {
        self.state().edits.clone()
    }

    pub fn rejections(&self) -> Vec<Rejection> {
        self.state().rejections.clone()
    }

    pub fn callback_answers(&self) -> Vec<(String, Option<String>)> {
        self.state().callback_answers.clone()
    }

    /// Commands in effect per language (all scopes; see [`Self::command_sets`] for scopes).
    pub fn my_commands(&self) -> Vec<(Option<String>, CommandList)> {
        self.state()
            .commands
            .iter()
            .map(|c| (c.language_code.clone(), c.commands.clone()))
            .collect()
    }

    pub fn command_sets(&self) -> Vec<CommandSet> {
        self.state().commands.clone()
    }

    /// The parameters of the latest request for a method (case-insensitive), as JSON.
    pub fn last_params(&self, method: &str) -> Option<Value> {
        self.state()
            .last_params
            .get(&method.to_ascii_lowercase())
            .cloned()
    }

    /// The update types the bot asked for, as Telegram remembers them (`None`: the default).
    pub fn allowed_updates(&self) -> Option<Vec<String>> {
        self.state().allowed_updates.clone()
    }

    /// Requests received for a method (case-insensitive, like Telegram's method names).
    pub fn request_count(&self, method: &str) -> usize {
        self.state()
            .request_counts
            .get(&method.to_ascii_lowercase())
            .copied()
            .unwrap_or(0)
    }

    /// `(url, secret_token)` of the webhook the bot set, if any.
    pub fn webhook(&self) -> Option<(String, Option<String>)> {
        self.state()
            .webhook
            .as_ref()
            .map(|w| (w.url.clone(), w.secret_token.clone()))
    }

    /// Updates the webhook endpoint accepted (2xx).
    pub fn webhook_deliveries(&self) -> usize {
        self.state().webhook_deliveries
    }
}

/// Entities Telegram's clients would attach to a typed message.
fn user_entities(state: &State, text: &str, text_mentions: &[(String, i64)]) -> Vec<Value> {
    let mut entities: Vec<(usize, Value)> = Vec::new();
    let mut command_end = 0;
    if text.starts_with('/') {
        command_end = text.find(char::is_whitespace).unwrap_or(text.len());
        entities.push((
            0,
            json!({"type": "bot_command", "offset": 0, "length": utf16_offset(text, command_end)}),
        ));
    }
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut prev: Option<char> = None;
    for (i, c) in text.char_indices() {
        let starts_mention = c == '@' && i >= command_end && !prev.is_some_and(is_word);
        prev = Some(c);
        if !starts_mention {
            continue;
        }
        let name_len = text[i + 1..]
            .find(|c: char| !is_word(c))
            .unwrap_or(text.len() - i - 1);
        if name_len == 0 {
            continue;
        }
        let offset = utf16_offset(text, i);
        let length = 1 + name_len; // '@' and ASCII name: bytes == UTF-16 units
        entities.push((
            offset,
            json!({"type": "mention", "offset": offset, "length": length}),
        ));
    }
    for (needle, user_id) in text_mentions {
        if needle.is_empty() {
            continue;
        }
        if let Some(i) = text.find(needle.as_str()) {
            let offset = utf16_offset(text, i);
            entities.push((
                offset,
                json!({
                    "type": "text_mention",
                    "offset": offset,
                    "length": html::utf16_len(needle),
                    "user": state.user_value(*user_id),
                }),
            ));
        }
    }
    entities.sort_by_key(|(offset, _)| *offset);
    entities.into_iter().map(|(_, v)| v).collect()
}

fn utf16_offset(text: &str, byte: usize) -> usize {
    html::utf16_len(&text[..byte])
}
