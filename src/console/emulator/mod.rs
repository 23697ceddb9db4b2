//! A local Telegram Bot API server.
//!
//! The real `teloxide::Bot` talks to it over HTTP (`Bot::new(emu.token()).set_api_url(emu.api_url())`),
//! so everything between the bot's handlers and the wire — payload serialization, error mapping,
//! the throttling adaptor, long polling, webhooks — runs exactly as in production. The emulator
//! answers with the JSON shapes and error descriptions Telegram uses (teloxide maps descriptions to
//! `ApiError` variants by exact text), validates what Telegram validates (HTML markup, lengths in
//! UTF-16 code units, callback data size, unchanged edits) and records what the bot did so the
//! terminal, the demo and tests can look at it.
//!
//! Time: message `date`s come from the injected [`Clock`](crate::clock::Clock), never the machine
//! clock. Only network-level waits (long-poll timeouts, the `Slow` fault, webhook retry backoff)
//! use real time, because they model the network, not the calendar; so does
//! [`SentMessage::accepted_at`], which tests use to measure the bot's real sending rate.

mod faults;
mod http;
mod json;
mod methods;
mod multipart;
mod state;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::Router;
use serde_json::{Value, json};
use tokio::sync::{Notify, watch};

use self::http::{handle, webhook_sender};
use self::json::{anonymous_admin_json, reply_snapshot};
use self::state::{Content, State, StoredMessage, new_chat};
use super::html;
use crate::clock::SharedClock;

/// The user Telegram puts in `from` when an anonymous group admin posts as the group.
pub const GROUP_ANONYMOUS_BOT_ID: i64 = 1_087_968_824;

const BOT_ID: i64 = 6_000_000_001;
const BOT_USERNAME: &str = "campaign_bot";
const BOT_FIRST_NAME: &str = "Campaign Bot";

const MAX_TEXT_UTF16: usize = 4096;
const MAX_CAPTION_UTF16: usize = 1024;
const MAX_CALLBACK_DATA_BYTES: usize = 64;
const MAX_PHOTO_BYTES: usize = 10 * 1024 * 1024;
const MAX_DOCUMENT_BYTES: usize = 50 * 1024 * 1024;
/// Whole-request cap: a document at the limit plus multipart overhead.
const MAX_BODY_BYTES: usize = MAX_DOCUMENT_BYTES + 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

/// A Telegram user the emulator knows about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSpec {
    pub id: i64,
    pub first_name: String,
    pub last_name: Option<String>,
    pub username: Option<String>,
    pub language_code: Option<String>,
}

impl UserSpec {
    pub fn new(id: i64, first_name: impl Into<String>) -> Self {
        Self {
            id,
            first_name: first_name.into(),
            last_name: None,
            username: None,
            language_code: None,
        }
    }

    pub fn username(mut self, username: impl Into<String>) -> Self {
        self.username = Some(username.into());
        self
    }

    pub fn language(mut self, code: impl Into<String>) -> Self {
        self.language_code = Some(code.into());
        self
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatKind {
    Private,
    Group,
    Supergroup,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SentKind {
    Text,
    Photo,
    Document,
}

/// Something the bot sent, as it asked for it (text keeps its markup; see [`Self::plain_text`]).
#[derive(Debug, Clone, PartialEq)]
pub struct SentMessage {
    pub chat_id: i64,
    pub message_id: i64,
    pub kind: SentKind,
    /// The text, or the caption, exactly as the bot sent it (HTML markup included).
    pub text: String,
    pub parse_mode: Option<String>,
    pub reply_markup: Option<Value>,
    pub file_name: Option<String>,
    pub file_bytes: Option<Vec<u8>>,
    /// True once the message has been edited.
    pub edited: bool,
    pub reply_to_message_id: Option<i64>,
    /// When the emulator accepted it, in real time (Telegram counts its rate limits this way).
    pub accepted_at: Instant,
}

impl SentMessage {
    /// The text as the user sees it (markup removed, entities decoded).
    pub fn plain_text(&self) -> String {
        match self.parse_mode.as_deref() {
            Some(mode) if mode.eq_ignore_ascii_case("html") => html::html_to_plain(&self.text),
            _ => self.text.clone(),
        }
    }

    /// `callback_data` of every inline button, row by row.
    pub fn callback_data(&self) -> Vec<String> {
        inline_buttons(self.reply_markup.as_ref())
            .filter_map(|b| {
                b.get("callback_data")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .collect()
    }
}

fn inline_buttons(markup: Option<&Value>) -> impl Iterator<Item = &Value> {
    markup
        .and_then(|m| m.get("inline_keyboard"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_array)
        .flatten()
}

/// A request the emulator answered with an error.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    pub method: String,
    pub error_code: u16,
    pub description: String,
    /// The request parameters (multipart text fields; uploaded files are left out).
    pub body: Value,
}

/// One successful edit, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct EditRecord {
    pub method: String,
    pub chat_id: i64,
    pub message_id: i64,
    pub old_text: String,
    pub new_text: String,
    pub old_reply_markup: Option<Value>,
    pub new_reply_markup: Option<Value>,
}

/// `(command, description)` pairs, in the order the bot set them.
pub type CommandList = Vec<(String, String)>;

/// A `setMyCommands` call that is in effect.
#[derive(Debug, Clone, PartialEq)]
pub struct CommandSet {
    /// `{"type":"default"}` when the bot gave no scope.
    pub scope: Value,
    pub language_code: Option<String>,
    pub commands: CommandList,
}

#[derive(Debug, Clone, Default)]
pub struct SendOpts {
    pub reply_to_message_id: Option<i64>,
    /// `(substring, user id)`: the first occurrence of the substring becomes a `text_mention`
    /// (how Telegram marks a mention of a user without a username).
    pub text_mentions: Vec<(String, i64)>,
    /// Posted by an anonymous admin on behalf of this chat: `from` becomes GroupAnonymousBot.
    pub sender_chat: Option<i64>,
    /// Use this update_id instead of the next one, to simulate Telegram delivering an update
    /// twice. Such an update is delivered at least once even if its id is below the offset the
    /// bot already acknowledged.
    pub update_id: Option<i64>,
}

/// Failure injected into sendMessage / sendPhoto / sendDocument / editMessage* requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fault {
    #[default]
    None,
    /// 429 with `retry_after`, for the next `times` requests.
    TooManyRequests { retry_after: u32, times: u32 },
    /// A 429 storm until the fault is replaced: of every `period` requests (counted from
    /// `set_fault`), the first `burst` are answered 429 with `retry_after`.
    /// `{ period: 3, burst: 1 }` refuses every third request; `{ period: 500, burst: 40 }`
    /// refuses 40 in a row, then lets 460 through.
    RateLimitStorm {
        retry_after: u32,
        period: u32,
        burst: u32,
    },
    /// 500 for the next `times` requests. teloxide waits 10 s after any 5xx.
    ServerError { times: u32 },
    /// 403 for every request to this chat until the fault is replaced.
    Forbidden { chat_id: i64 },
    /// 400 with `migrate_to_chat_id` for every request to `chat_id` until replaced.
    Migrate { chat_id: i64, to: i64 },
    /// Answer the next `times` requests only after `millis` of real time. Telegram has the
    /// request by then: it is carried out at the end of the wait even if the client gave up.
    Slow { millis: u64, times: u32 },
    /// For the next `times` requests, close the connection without an HTTP response before
    /// doing anything: nothing is sent (the request was lost on the way).
    Drop { times: u32 },
    /// For the next `times` requests, carry the request out (the message is sent), then close
    /// the connection without a response: the bot cannot tell it was sent.
    DropAfterSend { times: u32 },
}

/// How many requests each kind of fault answered (or hung up on) since the emulator started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FaultStats {
    pub too_many_requests: usize,
    pub server_errors: usize,
    pub forbidden: usize,
    pub migrated: usize,
    pub slowed: usize,
    /// Hung up on before the request was carried out.
    pub dropped: usize,
    /// Carried out, then hung up on.
    pub dropped_after_send: usize,
}

struct Inner {
    clock: SharedClock,
    addr: SocketAddr,
    token: String,
    state: Mutex<State>,
    /// Wakes long polls and the webhook sender: new update, newer poll, webhook change, shutdown.
    updates_changed: Notify,
    /// Count of sent messages, for `wait_sent`.
    sent_count: watch::Sender<usize>,
    /// Bumped after every request and every injected update, for `wait_for`.
    activity: watch::Sender<u64>,
    shutdown: watch::Sender<bool>,
}

/// Handle to a running emulator. Cheap to clone; all clones share one server.
#[derive(Clone)]
pub struct Emulator {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("addr", &self.inner.addr)
            .finish_non_exhaustive()
    }
}

fn utf16_offset(text: &str, byte: usize) -> usize {
    html::utf16_len(&text[..byte])
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

// ---------------------------------------------------------------------------------------------
// The emulator
// ---------------------------------------------------------------------------------------------

impl Emulator {
    /// Bind 127.0.0.1 on an ephemeral port and serve until [`Emulator::shutdown`].
    pub async fn start(clock: SharedClock) -> std::io::Result<Emulator> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let emu = Emulator {
            inner: Arc::new(Inner {
                clock,
                addr,
                token: format!("{BOT_ID}:EMULATOR"),
                state: Mutex::new(State {
                    next_update_id: 100_000,
                    ..State::default()
                }),
                updates_changed: Notify::new(),
                sent_count: watch::Sender::new(0),
                activity: watch::Sender::new(0),
                shutdown: watch::Sender::new(false),
            }),
        };
        let router = Router::new().fallback(handle).with_state(emu.clone());
        let mut stop = emu.inner.shutdown.subscribe();
        tokio::spawn(async move {
            let served = axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    // An error means every sender is gone, which is also a reason to stop.
                    let _ = stop.wait_for(|stopping| *stopping).await;
                })
                .await;
            if let Err(e) = served {
                tracing::warn!(error = %e, "bot API emulator stopped");
            }
        });
        tokio::spawn(webhook_sender(emu.clone()));
        Ok(emu)
    }

    /// Stop serving: pending long polls return at once, then the listener closes.
    pub fn shutdown(&self) {
        self.state().shutting_down = true;
        self.inner.updates_changed.notify_waiters();
        self.inner.shutdown.send_replace(true);
    }

    pub fn api_url(&self) -> url::Url {
        url::Url::parse(&format!("http://{}/", self.inner.addr))
            .expect("a socket address always forms a valid URL")
    }

    pub fn addr(&self) -> SocketAddr {
        self.inner.addr
    }

    pub fn token(&self) -> String {
        self.inner.token.clone()
    }

    pub fn bot_user_id(&self) -> i64 {
        BOT_ID
    }

    pub fn bot_username(&self) -> String {
        BOT_USERNAME.to_owned()
    }

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
            "text": text,
        });
        match opts.sender_chat {
            Some(sender_chat) => {
                st.ensure_chat(sender_chat);
                msg["from"] = anonymous_admin_json();
                msg["sender_chat"] = st.chat_value(sender_chat);
            }
            None => msg["from"] = st.user_value(from),
        }
        let entities = user_entities(&st, text, &opts.text_mentions);
        if !entities.is_empty() {
            msg["entities"] = Value::Array(entities);
        }
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
                    plain: text.to_owned(),
                    entities: Vec::new(),
                },
            },
        );
        let id = st.enqueue(json!({"message": msg}), opts.update_id);
        drop(st);
        self.updates_changed();
        id
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

    // -- internals ----------------------------------------------------------------------------

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain data behind; keep serving it.
        self.inner.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn updates_changed(&self) {
        self.inner.updates_changed.notify_waiters();
        self.inner.activity.send_modify(|n| *n += 1);
    }

    fn now(&self) -> i64 {
        self.inner.clock.now()
    }
}
