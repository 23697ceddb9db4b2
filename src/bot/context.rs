//! What every handler shares: the service layer (store, clock, settings), the admin cache, and
//! the tracker that tells `console` and the tests when an update has been fully handled.

use crate::domain::ids::{ChatId, UserId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{Semaphore, watch};

use crate::clock::SharedClock;
use crate::config::Settings;
use crate::service::Service;
use crate::storage::{Store, User};

pub type Ctx = Arc<AppContext>;

/// Derefs to the [`Service`], so `ctx.store`, `ctx.now()` and the use-cases read directly.
pub struct AppContext {
    pub service: Service,
    pub admins: AdminCache,
    pub tracker: Arc<UpdateTracker>,
    /// Bounds how many commands are handled at once: a burst across hundreds of chats queues
    /// here instead of holding hundreds of half-built replies (and DB waits) in memory.
    pub command_permits: Arc<Semaphore>,
    /// Stalled updates found by the scheduler's sweep, on their way to the listener.
    pub redelivery: super::inbox::Redelivery,
    /// Updates the polling listener stored already claimed, for the handler's gate.
    pub taken_on_arrival: Arc<super::inbox::TakenOnArrival>,
    /// The inbox claims this process holds; the sweep renews and skips them.
    pub live_claims: Arc<super::inbox::LiveClaims>,
    /// Writes the inbox's replied and done marks in batches.
    pub marks: super::marks::MarkWriter,
    pub people_seen: PeopleSeen,
}

/// Commands handled concurrently; sends are paced by the outbox anyway, so more buys nothing.
pub const CONCURRENT_COMMANDS: usize = 16;

impl AppContext {
    pub fn new(store: Store, clock: SharedClock, settings: Settings) -> Ctx {
        Arc::new(AppContext {
            marks: super::marks::MarkWriter::new(store.clone()),
            service: Service::new(store, clock, settings),
            admins: AdminCache::new(Duration::from_secs(60)),
            tracker: Arc::new(UpdateTracker::default()),
            command_permits: Arc::new(Semaphore::new(CONCURRENT_COMMANDS)),
            redelivery: Default::default(),
            taken_on_arrival: Default::default(),
            live_claims: Default::default(),
            people_seen: PeopleSeen::default(),
        })
    }
}

impl AppContext {
    /// Closes the store once the marks queued so far are written (they would be lost, and
    /// their updates handled again at the next start).
    pub async fn close_store(&self) {
        self.marks.flush().await;
        self.store.close().await;
    }
}

impl std::ops::Deref for AppContext {
    type Target = Service;

    fn deref(&self) -> &Service {
        &self.service
    }
}

/// Chat administrators as the Bot API last reported them, kept briefly so every command does not
/// cost a getChatAdministrators round trip.
pub struct AdminCache {
    ttl: Duration,
    entries: Mutex<HashMap<ChatId, CachedAdmins>>,
}

/// When the list was fetched, and the list.
type CachedAdmins = (Instant, Arc<Vec<Admin>>);

#[derive(Clone, Debug)]
pub struct Admin {
    pub user_id: UserId,
    pub name: String,
}

impl AdminCache {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    pub fn get(&self, chat_id: ChatId) -> Option<Arc<Vec<Admin>>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(&chat_id)
            .filter(|(at, _)| at.elapsed() < self.ttl)
            .map(|(_, admins)| admins.clone())
    }

    pub fn put(&self, chat_id: ChatId, admins: Vec<Admin>) -> Arc<Vec<Admin>> {
        let admins = Arc::new(admins);
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.insert(chat_id, (Instant::now(), admins.clone()));
        admins
    }

    /// Forget a chat's admins (a chat_member update said they changed).
    pub fn invalidate(&self, chat_id: ChatId) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.remove(&chat_id);
    }
}

/// People (and their membership of a group) this process wrote lately, as written: a member's
/// every message would otherwise rewrite the same user and membership rows. Nothing reads the
/// times those writes refresh (`updated_at`, `last_seen`) finer than `PEOPLE_SEEN_SECS`.
#[derive(Default)]
pub struct PeopleSeen(Mutex<HashMap<PersonInChat, (i64, u64)>>);

/// (the group, None in private; the user).
type PersonInChat = (Option<ChatId>, UserId);

/// How long a recorded person is not written again, unchanged.
pub const PEOPLE_SEEN_SECS: i64 = 600;

/// Entries kept at most; past it the map starts over (a person costs one write again).
const PEOPLE_SEEN_CAP: usize = 20_000;

impl PeopleSeen {
    /// Whether `user` was recorded (in `chat`, or in private) less than `PEOPLE_SEEN_SECS`
    /// before `user.updated_at`, exactly as it is now.
    pub fn is_fresh(&self, chat: Option<ChatId>, user: &User) -> bool {
        let seen = self.0.lock().unwrap_or_else(|e| e.into_inner());
        seen.get(&(chat, user.user_id))
            .is_some_and(|(at, identity)| {
                user.updated_at - at < PEOPLE_SEEN_SECS && *identity == identity_of(user)
            })
    }

    pub fn put(&self, chat: Option<ChatId>, user: &User) {
        let mut seen = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() >= PEOPLE_SEEN_CAP {
            seen.clear();
        }
        seen.insert((chat, user.user_id), (user.updated_at, identity_of(user)));
    }
}

/// What a user row holds besides its time, as one number.
fn identity_of(user: &User) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (&user.username, &user.display_name, &user.lang_code).hash(&mut hasher);
    hasher.finish()
}

/// Counts updates whose handling has completely finished (every branch, every reply sent).
#[derive(Default)]
pub struct UpdateTracker {
    finished: Mutex<u64>,
    changed: watch::Sender<u64>,
}

impl UpdateTracker {
    /// A guard that lives in the update's dependency map; when the last clone drops, the update
    /// is done.
    pub fn begin(self: &Arc<Self>) -> InFlight {
        InFlight(Arc::new(InFlightInner {
            tracker: self.clone(),
        }))
    }

    pub fn finished(&self) -> u64 {
        *self.finished.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits until at least `n` updates have finished, or the timeout passes (returns false).
    pub async fn wait_finished(&self, n: u64, timeout: Duration) -> bool {
        let mut rx = self.changed.subscribe();
        let wait = async {
            loop {
                if self.finished() >= n {
                    return;
                }
                if rx.changed().await.is_err() {
                    return;
                }
            }
        };
        tokio::time::timeout(timeout, wait).await.is_ok() && self.finished() >= n
    }

    fn finish_one(&self) {
        let mut finished = self.finished.lock().unwrap_or_else(|e| e.into_inner());
        *finished += 1;
        self.changed.send_replace(*finished);
    }
}

#[derive(Clone)]
pub struct InFlight(#[allow(dead_code)] Arc<InFlightInner>);

struct InFlightInner {
    tracker: Arc<UpdateTracker>,
}

impl Drop for InFlightInner {
    fn drop(&mut self) {
        self.tracker.finish_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ann(name: &str, at: i64) -> User {
        User {
            user_id: UserId(7),
            username: Some("ann".to_string()),
            display_name: name.to_string(),
            lang_code: Some("en".to_string()),
            updated_at: at,
        }
    }

    #[test]
    fn a_person_is_skipped_only_unchanged_in_the_same_chat_within_the_window() {
        let seen = PeopleSeen::default();
        assert!(!seen.is_fresh(Some(ChatId(-1)), &ann("Ann", 1_000)));
        seen.put(Some(ChatId(-1)), &ann("Ann", 1_000));
        assert!(seen.is_fresh(Some(ChatId(-1)), &ann("Ann", 1_000 + PEOPLE_SEEN_SECS - 1)));
        assert!(!seen.is_fresh(Some(ChatId(-1)), &ann("Ann", 1_000 + PEOPLE_SEEN_SECS)));
        assert!(!seen.is_fresh(Some(ChatId(-1)), &ann("Ann Lee", 1_001)));
        assert!(!seen.is_fresh(Some(ChatId(-2)), &ann("Ann", 1_001)));
        assert!(!seen.is_fresh(None, &ann("Ann", 1_001)));
    }
}
