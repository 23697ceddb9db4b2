//! Teams as last read, for SQLite only. One process owns a SQLite file, so every change to a
//! team passes through this process's `Store`, which clears the cache after writing it. Nearly
//! every update reads its team; through sqlx's pool that read is three round trips to a
//! database thread (the statement, and a ping when the connection goes back), the largest share
//! of CPU per `/help` (docs/PERFORMANCE.md, issue 13). PostgreSQL peers change teams too, so
//! there every read goes to the database.

use std::collections::HashMap;
use std::sync::Mutex;

use super::Team;
use crate::domain::ids::ChatId;

#[derive(Default, Debug)]
pub struct TeamCache(Mutex<Cached>);

#[derive(Default, Debug)]
struct Cached {
    /// Counts changes, so a read that raced a write does not store what it read before it.
    generation: u64,
    teams: HashMap<ChatId, Team>,
}

/// Entries kept at most; past it the cache starts over.
const CAP: usize = 10_000;

impl TeamCache {
    /// The team if cached, else the generation to hand back to [`Self::put`] after reading it.
    pub fn get(&self, chat_id: ChatId) -> Result<Team, u64> {
        let cached = self.lock();
        cached.teams.get(&chat_id).cloned().ok_or(cached.generation)
    }

    /// Keeps a team read from the database, unless a team was written since `generation`.
    pub fn put(&self, team: &Team, generation: u64) {
        let mut cached = self.lock();
        if cached.generation != generation {
            return;
        }
        if cached.teams.len() >= CAP {
            cached.teams.clear();
        }
        cached.teams.insert(team.chat_id, team.clone());
    }

    /// After any write to `teams`: nothing cached is trusted any more.
    pub fn changed(&self) {
        let mut cached = self.lock();
        cached.generation += 1;
        cached.teams.clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Cached> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Clears the cache when dropped: held across a write to `teams`, it runs after the write on
/// every path, the error ones included.
pub struct Changing<'a>(pub Option<&'a TeamCache>);

impl Drop for Changing<'_> {
    fn drop(&mut self) {
        if let Some(cache) = self.0 {
            cache.changed();
        }
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
        let cache = TeamCache::default();
        let Err(generation) = cache.get(ChatId(-1)) else {
            panic!("empty cache")
        };
        cache.changed();
        cache.put(&team(-1, "old"), generation);
        assert!(cache.get(ChatId(-1)).is_err());
        let Err(generation) = cache.get(ChatId(-1)) else {
            panic!("still empty")
        };
        cache.put(&team(-1, "new"), generation);
        assert_eq!(
            cache.get(ChatId(-1)).map(|t| t.title),
            Ok("new".to_string())
        );
        cache.changed();
        assert!(cache.get(ChatId(-1)).is_err(), "a write clears it");
    }
}
