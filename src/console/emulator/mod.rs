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
//!
//! Files, by what they own:
//! - `mod.rs`: the public types, the [`Emulator`] handle, starting and stopping the server.
//! - `script.rs`: the scripting API (declare users and chats, inject messages and presses, look
//!   at what the bot sent, wait for it).
//! - `faults.rs`: fault injection ([`Fault`]): 429 storms, server errors, slow answers, hang-ups.
//! - `http.rs`: the axum handler, routing, request parameters, errors on the wire, the webhook
//!   sender.
//! - `files.rs`: documents members post, getFile and the file download route.
//! - `multipart.rs`: multipart/form-data bodies.
//! - `methods/`: the Bot API methods, one file per family.
//! - `state.rs`: what the emulator remembers between requests.
//! - `json.rs`: JSON shapes of users, the bot, chats and admin rights.

mod faults;
mod files;
mod http;
mod json;
mod methods;
mod multipart;
mod script;
mod state;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use axum::Router;
use serde_json::Value;
use tokio::sync::{Notify, watch};

pub use self::files::{MAX_GETFILE_BYTES, PostedDocument};
use self::http::{handle, webhook_sender};
use self::state::State;
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
