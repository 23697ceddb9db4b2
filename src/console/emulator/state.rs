//! What the emulator remembers between requests (users, chats, the update queue, messages, and
//! everything recorded for the scripting API), with the lookups the methods share.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

use serde_json::{Value, json};

use super::json::{admin_rights_json, bot_user_json, kind_name, merge, user_json};
use super::{
    BOT_ID, ChatKind, CommandSet, EditRecord, Fault, FaultStats, GROUP_ANONYMOUS_BOT_ID, Rejection,
    SentMessage, UserSpec,
};
use crate::console::html::HtmlEntity;

#[derive(Debug, Clone)]
pub(super) struct ChatState {
    pub(super) kind: ChatKind,
    pub(super) title: String,
    pub(super) admins: BTreeSet<i64>,
    pub(super) creator: Option<i64>,
    /// Known users are members unless they left (see `set_member`).
    pub(super) left: BTreeSet<i64>,
}

#[derive(Debug)]
pub(super) struct QueuedUpdate {
    pub(super) seq: u64,
    pub(super) id: i64,
    pub(super) body: Value,
    pub(super) forced: bool,
    pub(super) delivered: bool,
}

/// What an edit is compared against to decide "message is not modified".
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Content {
    pub(super) plain: String,
    pub(super) entities: Vec<HtmlEntity>,
}

#[derive(Debug)]
pub(super) struct StoredMessage {
    pub(super) json: Value,
    /// Index into `State::sent` for the bot's own messages.
    pub(super) sent_index: Option<usize>,
    pub(super) content: Content,
}

/// A file Telegram holds: what getFile describes and the download route serves.
#[derive(Debug, Clone)]
pub(super) struct StoredFile {
    pub(super) unique_id: String,
    /// `documents/file_<n>.<ext>`, as Telegram names them.
    pub(super) path: String,
    pub(super) bytes: Vec<u8>,
}

#[derive(Debug, Clone)]
pub(super) struct Webhook {
    pub(super) url: String,
    pub(super) secret_token: Option<String>,
}

#[derive(Debug, Default)]
pub(super) struct State {
    pub(super) users: HashMap<i64, UserSpec>,
    pub(super) chats: HashMap<i64, ChatState>,
    pub(super) updates: VecDeque<QueuedUpdate>,
    pub(super) next_seq: u64,
    pub(super) next_update_id: i64,
    pub(super) next_message_id: i64,
    pub(super) next_file_id: u64,
    /// Files members posted, by file_id.
    pub(super) files: HashMap<String, StoredFile>,
    pub(super) next_callback_id: u64,
    pub(super) messages: HashMap<(i64, i64), StoredMessage>,
    pub(super) sent: Vec<SentMessage>,
    pub(super) edits: Vec<EditRecord>,
    pub(super) rejections: Vec<Rejection>,
    pub(super) open_callbacks: HashSet<String>,
    pub(super) callback_answers: Vec<(String, Option<String>)>,
    pub(super) commands: Vec<CommandSet>,
    pub(super) request_counts: HashMap<String, usize>,
    /// The parameters of the latest request per method (lower-case name), as JSON.
    pub(super) last_params: HashMap<String, serde_json::Value>,
    pub(super) fault: Fault,
    /// Requests a `RateLimitStorm` has seen since it was set.
    pub(super) storm_seen: u64,
    pub(super) fault_stats: FaultStats,
    pub(super) webhook: Option<Webhook>,
    pub(super) webhook_deliveries: usize,
    pub(super) webhook_last_error: Option<String>,
    pub(super) poll_generation: u64,
    pub(super) shutting_down: bool,
    /// The update types the bot last asked for (getUpdates or setWebhook); `None` is Telegram's
    /// default: everything but chat_member, message_reaction and message_reaction_count.
    pub(super) allowed_updates: Option<Vec<String>>,
}

/// Update types Telegram sends only to a bot that names them in `allowed_updates`.
const OPT_IN_UPDATES: [&str; 3] = ["chat_member", "message_reaction", "message_reaction_count"];

impl State {
    /// Remembers `allowed_updates` as Telegram does: a list replaces the last one, an empty list
    /// restores the default, no parameter keeps what was set.
    pub(super) fn set_allowed_updates(&mut self, allowed: Option<Vec<String>>) {
        if let Some(list) = allowed {
            self.allowed_updates = (!list.is_empty()).then_some(list);
        }
    }

    /// Whether an update of this body's type would be sent to the bot at all.
    pub(super) fn is_allowed(&self, body: &serde_json::Value) -> bool {
        let Some(kind) = body
            .as_object()
            .and_then(|o| o.keys().find(|k| k.as_str() != "update_id"))
        else {
            return true;
        };
        match &self.allowed_updates {
            Some(list) => list.iter().any(|k| k == kind),
            None => !OPT_IN_UPDATES.contains(&kind.as_str()),
        }
    }

    /// Forgets queued updates the bot did not ask for, as Telegram never sends them.
    pub(super) fn drop_unwanted_updates(&mut self) {
        let queue = std::mem::take(&mut self.updates);
        self.updates = queue
            .into_iter()
            .filter(|u| self.is_allowed(&u.body))
            .collect();
    }

    pub(super) fn user_or_default(&self, id: i64) -> UserSpec {
        self.users
            .get(&id)
            .cloned()
            .unwrap_or_else(|| UserSpec::new(id, format!("User {id}")))
    }

    pub(super) fn user_value(&self, id: i64) -> Value {
        if id == BOT_ID {
            bot_user_json()
        } else {
            user_json(&self.user_or_default(id))
        }
    }

    pub(super) fn ensure_user(&mut self, id: i64) {
        if id != BOT_ID && id != GROUP_ANONYMOUS_BOT_ID && !self.users.contains_key(&id) {
            self.users
                .insert(id, UserSpec::new(id, format!("User {id}")));
        }
    }

    /// Updates injected for a chat nobody declared still need a plausible chat object.
    pub(super) fn ensure_chat(&mut self, chat_id: i64) {
        if self.chats.contains_key(&chat_id) {
            return;
        }
        let (kind, title) = if chat_id > 0 {
            (ChatKind::Private, self.user_or_default(chat_id).first_name)
        } else {
            (ChatKind::Group, format!("Group {chat_id}"))
        };
        self.chats.insert(chat_id, new_chat(kind, title));
    }

    pub(super) fn chat_value(&self, chat_id: i64) -> Value {
        let Some(chat) = self.chats.get(&chat_id) else {
            return json!({"id": chat_id, "type": "group", "title": format!("Group {chat_id}")});
        };
        match chat.kind {
            ChatKind::Private => {
                let u = self.users.get(&chat_id);
                let mut v = json!({
                    "id": chat_id,
                    "type": "private",
                    "first_name": u.map_or(chat.title.as_str(), |u| u.first_name.as_str()),
                });
                if let Some(x) = u.and_then(|u| u.last_name.as_ref()) {
                    v["last_name"] = json!(x);
                }
                if let Some(x) = u.and_then(|u| u.username.as_ref()) {
                    v["username"] = json!(x);
                }
                v
            }
            kind => json!({"id": chat_id, "type": kind_name(kind), "title": chat.title}),
        }
    }

    pub(super) fn next_message_id(&mut self) -> i64 {
        self.next_message_id += 1;
        self.next_message_id
    }

    pub(super) fn enqueue(&mut self, mut body: Value, forced_id: Option<i64>) -> i64 {
        let id = match forced_id {
            Some(id) => {
                self.next_update_id = self.next_update_id.max(id);
                id
            }
            None => {
                self.next_update_id += 1;
                self.next_update_id
            }
        };
        body["update_id"] = json!(id);
        self.next_seq += 1;
        self.updates.push_back(QueuedUpdate {
            seq: self.next_seq,
            id,
            body,
            forced: forced_id.is_some(),
            delivered: false,
        });
        id
    }

    /// Telegram: "An update is considered confirmed as soon as getUpdates is called with an offset
    /// higher than its update_id." A negative offset keeps only the last |offset| updates.
    pub(super) fn acknowledge(&mut self, offset: Option<i64>) {
        match offset {
            None => {}
            Some(o) if o < 0 => {
                let keep = usize::try_from(o.unsigned_abs()).unwrap_or(usize::MAX);
                while self.updates.len() > keep {
                    self.updates.pop_front();
                }
            }
            // Forced-id (duplicate) updates are kept until delivered once, see `SendOpts`.
            Some(o) => self
                .updates
                .retain(|u| u.id >= o || (u.forced && !u.delivered)),
        }
    }

    pub(super) fn member_value(&self, chat: &ChatState, user_id: i64) -> Value {
        let user = json!({"user": self.user_value(user_id)});
        if chat.creator == Some(user_id) {
            merge(user, json!({"status": "creator", "is_anonymous": false}))
        } else if chat.admins.contains(&user_id) {
            merge(
                merge(user, json!({"status": "administrator"})),
                admin_rights_json(),
            )
        } else if chat.left.contains(&user_id) {
            merge(user, json!({"status": "left"}))
        } else {
            merge(user, json!({"status": "member"}))
        }
    }
}

pub(super) fn new_chat(kind: ChatKind, title: String) -> ChatState {
    ChatState {
        kind,
        title,
        admins: BTreeSet::new(),
        creator: None,
        left: BTreeSet::new(),
    }
}
