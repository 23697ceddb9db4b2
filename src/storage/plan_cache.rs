//! Teams, their channels and their goals as last read. Nearly every update reads its team, and
//! a check-in its channels and goals; each read is a round trip to a database thread or server,
//! the largest share of CPU per update (docs/PERFORMANCE.md, issue 13).
//!
//! After each write the `Store` drops what it changed: that kind for that chat (a team adding
//! a channel keeps every team cached, its own included, and the other teams' channels), or more
//! when the write does not say which chat. On SQLite that is all: one process owns the file.
//! On PostgreSQL peers write too, so the cache serves only while `plan_listener` hears their
//! changes (a trigger announces each at commit); while it does not, every read goes to the
//! database.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::plan_listener::PlanListener;

use super::{Channel, Goal, Store, StoreResult, Team};
use crate::domain::ids::ChatId;

#[derive(Default, Debug)]
pub struct PlanCache {
    cached: Mutex<Cached>,
    /// The generation after each change, for whoever waits for one (`Store::plan_changes`).
    changes: tokio::sync::watch::Sender<u64>,
}

#[derive(Default, Debug)]
pub struct Cached {
    /// Counts changes, so a read that raced a write does not store what it read before it.
    generation: u64,
    /// The generation at which a kind last changed for one chat (`Kept::KIND`, chat), and for
    /// every chat: a read is kept unless its own kind and chat changed while it ran, so one
    /// team's write does not waste every other team's read in flight.
    changed_at: HashMap<(usize, ChatId), u64>,
    changed_all_at: [u64; 3],
    /// Whether every change is heard (always on SQLite; on PostgreSQL while listening).
    serving: bool,
    teams: HashMap<ChatId, Team>,
    channels: HashMap<ChatId, Vec<Channel>>,
    goals: HashMap<ChatId, Vec<Goal>>,
}

/// What the cache keeps per chat.
pub trait Kept: Clone {
    /// An index of its own among the kinds, for `Cached::changed_at`.
    const KIND: usize;
    fn map(cached: &mut Cached) -> &mut HashMap<ChatId, Self>;
}

impl Kept for Team {
    const KIND: usize = 0;
    fn map(cached: &mut Cached) -> &mut HashMap<ChatId, Self> {
        &mut cached.teams
    }
}

impl Kept for Vec<Channel> {
    const KIND: usize = 1;
    fn map(cached: &mut Cached) -> &mut HashMap<ChatId, Self> {
        &mut cached.channels
    }
}

impl Kept for Vec<Goal> {
    const KIND: usize = 2;
    fn map(cached: &mut Cached) -> &mut HashMap<ChatId, Self> {
        &mut cached.goals
    }
}

/// Chats kept at most per kind; past it that kind starts over.
const CAP: usize = 10_000;

impl PlanCache {
    /// A cache that serves from the start: one process sees every change (SQLite).
    pub fn serving() -> PlanCache {
        let cache = PlanCache::default();
        cache.set_serving(true);
        cache
    }

    /// Starts or stops serving; either way it starts over empty, and no read in flight is
    /// kept (changes may have gone unheard).
    pub fn set_serving(&self, serving: bool) {
        let mut cached = self.lock();
        cached.serving = serving;
        cached.forget_all();
        self.changes.send_replace(cached.generation);
    }

    pub fn is_serving(&self) -> bool {
        self.lock().serving
    }

    /// The generation to hand to [`Self::put`] for a value known from a write about to be
    /// made (as a read would take it before reading).
    pub fn generation(&self) -> u64 {
        self.lock().generation
    }

    /// The value if cached, else the generation to hand back to [`Self::put`] after reading it.
    pub fn get<T: Kept>(&self, chat_id: ChatId) -> Result<T, u64> {
        let mut cached = self.lock();
        let generation = cached.generation;
        if !cached.serving {
            return Err(generation);
        }
        T::map(&mut cached).get(&chat_id).cloned().ok_or(generation)
    }

    /// Keeps a value read from the database, unless its kind changed for its chat since
    /// `generation`.
    pub fn put<T: Kept>(&self, chat_id: ChatId, value: &T, generation: u64) {
        let mut cached = self.lock();
        let changed = cached.changed_at.get(&(T::KIND, chat_id)).copied();
        let last_change = changed.unwrap_or(0).max(cached.changed_all_at[T::KIND]);
        if last_change > generation || !cached.serving {
            return;
        }
        let map = T::map(&mut cached);
        if map.len() >= CAP {
            map.clear();
        }
        map.insert(chat_id, value.clone());
    }

    /// After a write to teams, channels or goals: what it may have changed is dropped, and
    /// any read in flight is not kept (whichever chat it was for).
    pub fn changed(&self, change: PlanChange) {
        let mut cached = self.lock();
        match change {
            PlanChange::All => cached.forget_all(),
            PlanChange::Team(chat) => cached.forget::<Team>(Some(chat)),
            PlanChange::Channels(chat) => cached.forget::<Vec<Channel>>(chat),
            PlanChange::Goals(chat) => cached.forget::<Vec<Goal>>(Some(chat)),
        }
        self.changes.send_replace(cached.generation);
    }

    /// Wakes at every change: a write, a peer's notice, listening started or lost.
    pub fn subscribe(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changes.subscribe()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Cached> {
        self.cached.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Cached {
    /// Drops a kind for one chat, or for every chat.
    fn forget<T: Kept>(&mut self, chat: Option<ChatId>) {
        self.generation += 1;
        let generation = self.generation;
        match chat {
            Some(chat) => {
                T::map(self).remove(&chat);
                if self.changed_at.len() >= CAP {
                    // Bounded: every read in flight is then taken as raced.
                    self.changed_at.clear();
                    self.changed_all_at = [generation; 3];
                }
                self.changed_at.insert((T::KIND, chat), generation);
            }
            None => {
                T::map(self).clear();
                self.changed_all_at[T::KIND] = generation;
            }
        }
    }

    fn forget_all(&mut self) {
        self.generation += 1;
        self.changed_all_at = [self.generation; 3];
        self.changed_at.clear();
        self.teams.clear();
        self.channels.clear();
        self.goals.clear();
    }
}

/// What a write to the plan may change.
#[derive(Clone, Copy, Debug)]
pub enum PlanChange {
    /// Anything (a raw statement, a team moving to its supergroup id).
    All,
    Team(ChatId),
    /// A chat's channels; `None` when the write names a channel by id, not its chat.
    Channels(Option<ChatId>),
    Goals(ChatId),
}

impl PlanChange {
    /// What a `plan_changed` notice (`"<table> <chat_id> <writer>"`, migrations/postgres/0010)
    /// names, and the writer's application name; a table or chat it cannot read is taken as a
    /// change to everything.
    pub fn of_notice(notice: &str) -> (PlanChange, &str) {
        let mut words = notice.splitn(3, ' ');
        let (table, chat, writer) = (words.next(), words.next(), words.next().unwrap_or(""));
        let Some(chat) = chat.and_then(|id| id.parse().ok()).map(ChatId) else {
            return (PlanChange::All, writer);
        };
        let change = match table {
            Some("teams") => PlanChange::Team(chat),
            Some("channels") => PlanChange::Channels(Some(chat)),
            Some("goals") => PlanChange::Goals(chat),
            _ => PlanChange::All,
        };
        (change, writer)
    }
}

/// Clears what changed when dropped: held across a write, it runs after the write on every
/// path, the error ones included.
pub struct Changing<'a>(&'a PlanCache, PlanChange);

impl Drop for Changing<'_> {
    fn drop(&mut self) {
        self.0.changed(self.1);
    }
}

impl Store {
    /// A chat's `T` from the plan cache, else from `read`, kept for the next time unless
    /// something was written meanwhile. Nothing found is not kept.
    pub(super) async fn read_through<T: Kept>(
        &self,
        chat_id: ChatId,
        read: impl Future<Output = StoreResult<Option<T>>>,
    ) -> StoreResult<Option<T>> {
        if let (Some(listener), super::Pool::Postgres(pool)) = (&self.plan_listener, &self.pool) {
            listener.get_or_init(|| PlanListener::start(pool, Arc::clone(&self.plan_cache)));
        }
        let generation = match self.plan_cache.get::<T>(chat_id) {
            Ok(kept) => return Ok(Some(kept)),
            Err(generation) => generation,
        };
        let value = read.await?;
        if let Some(value) = &value {
            self.plan_cache.put(chat_id, value, generation);
        }
        Ok(value)
    }

    /// Call before writing to teams, channels or goals; when the guard drops, after the write
    /// (or its failure), what `change` names is dropped from the plan cache.
    pub(super) fn plan_changing(&self, change: PlanChange) -> Changing<'_> {
        Changing(&self.plan_cache, change)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn team(chat: i64, title: &str) -> Team {
        Team {
            chat_id: ChatId(chat),
            title: title.to_string(),
            lang: None,
            detected_lang: None,
            tz: "Asia/Shanghai".to_string().try_into().expect("zone"),
            currency: "¥".to_string(),
            active: 1,
            review_weekday: None,
            review_minute: None,
            checkin_minute: None,
            quiet_start: None,
            quiet_end: None,
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn a_read_that_raced_a_write_is_not_kept() {
        let cache = PlanCache::serving();
        let chat = ChatId(-1);
        let Err(generation) = cache.get::<Team>(chat) else {
            panic!("empty cache")
        };
        cache.changed(PlanChange::Team(ChatId(-1)));
        cache.put(chat, &team(-1, "old"), generation);
        assert!(cache.get::<Team>(chat).is_err());
        let Err(generation) = cache.get::<Team>(chat) else {
            panic!("still empty")
        };
        cache.put(chat, &team(-1, "new"), generation);
        cache.put(chat, &Vec::<Goal>::new(), generation);
        assert_eq!(
            cache.get::<Team>(chat).map(|t| t.title),
            Ok("new".to_string())
        );
        assert_eq!(cache.get::<Vec<Goal>>(chat), Ok(Vec::new()));
        assert!(
            cache.get::<Vec<Channel>>(chat).is_err(),
            "each kind on its own"
        );
        cache.changed(PlanChange::All);
        assert!(cache.get::<Team>(chat).is_err(), "a write clears it");
        assert!(cache.get::<Vec<Goal>>(chat).is_err());
    }

    /// A read in flight is kept unless its own kind changed for its own chat (or for all):
    /// one team's write does not waste another team's read.
    #[test]
    fn only_a_write_to_what_was_read_spoils_a_read_in_flight() {
        let read_chat = ChatId(-1);
        let cases = [
            (PlanChange::Channels(Some(ChatId(-1))), false),
            (PlanChange::Channels(None), false),
            (PlanChange::All, false),
            (PlanChange::Channels(Some(ChatId(-2))), true),
            (PlanChange::Team(ChatId(-1)), true),
            (PlanChange::Goals(ChatId(-1)), true),
        ];
        for (write, kept) in cases {
            let cache = PlanCache::serving();
            let Err(generation) = cache.get::<Vec<Channel>>(read_chat) else {
                panic!("empty cache")
            };
            cache.changed(write);
            cache.put(read_chat, &Vec::<Channel>::new(), generation);
            assert_eq!(
                cache.get::<Vec<Channel>>(read_chat).is_ok(),
                kept,
                "{write:?}"
            );
        }
    }

    /// A cache that does not hear every change serves nothing and keeps nothing; turned on it
    /// starts empty, and turned off it forgets.
    #[test]
    fn a_cache_that_is_not_told_of_changes_serves_nothing() {
        let cache = PlanCache::default();
        let chat = ChatId(-1);
        let Err(generation) = cache.get::<Team>(chat) else {
            panic!("empty")
        };
        cache.put(chat, &team(-1, "t"), generation);
        assert!(cache.get::<Team>(chat).is_err(), "not kept while off");
        cache.set_serving(true);
        let Err(generation) = cache.get::<Team>(chat) else {
            panic!("empty")
        };
        cache.put(chat, &team(-1, "t"), generation);
        assert!(cache.get::<Team>(chat).is_ok());
        cache.set_serving(false);
        assert!(cache.get::<Team>(chat).is_err(), "forgotten when off");
        cache.set_serving(true);
        assert!(cache.get::<Team>(chat).is_err(), "and it starts over empty");
    }

    #[test]
    fn a_notice_names_what_changed_and_who_wrote_it() {
        let read = |n: &str| {
            let (change, writer) = PlanChange::of_notice(n);
            (format!("{change:?}"), writer.to_string())
        };
        let is = |change: &str, writer: &str| (change.to_string(), writer.to_string());
        assert_eq!(
            read("teams -100 cb 7-1"),
            is("Team(ChatId(-100))", "cb 7-1")
        );
        assert_eq!(read("channels -7 "), is("Channels(Some(ChatId(-7)))", ""));
        assert_eq!(read("goals 5"), is("Goals(ChatId(5))", ""));
        for unknown in ["", "teams", "teams x w", "tasks -1 w", "goals  -1"] {
            assert_eq!(read(unknown).0, "All", "{unknown:?}");
        }
    }

    /// A write drops its own kind for its own chat; the rest stays.
    #[test]
    fn a_write_drops_what_it_changed_only() {
        let cache = PlanCache::serving();
        let fill = |cache: &PlanCache| {
            for chat in [ChatId(-1), ChatId(-2)] {
                let Err(generation) = cache.get::<Team>(chat) else {
                    return;
                };
                cache.put(chat, &team(chat.0, "t"), generation);
                cache.put(chat, &Vec::<Channel>::new(), generation);
                cache.put(chat, &Vec::<Goal>::new(), generation);
            }
        };
        let kept = |cache: &PlanCache, chat: i64| {
            let chat = ChatId(chat);
            [
                cache.get::<Team>(chat).is_ok(),
                cache.get::<Vec<Channel>>(chat).is_ok(),
                cache.get::<Vec<Goal>>(chat).is_ok(),
            ]
        };
        fill(&cache);
        cache.changed(PlanChange::Channels(Some(ChatId(-1))));
        assert_eq!(kept(&cache, -1), [true, false, true]);
        assert_eq!(kept(&cache, -2), [true, true, true]);
        cache.changed(PlanChange::Goals(ChatId(-2)));
        assert_eq!(kept(&cache, -2), [true, true, false]);
        cache.changed(PlanChange::Team(ChatId(-1)));
        assert_eq!(kept(&cache, -1), [false, false, true]);
        // A channel named by id: every chat's channels go, teams and goals stay.
        cache.changed(PlanChange::Channels(None));
        assert_eq!(kept(&cache, -2), [true, false, false]);
    }
}
