//! The check-in keys (team, channel, day, creative) this process has seen stored: which write
//! to try first for a check-in. A key never seen is most likely a day's first check-in, stored
//! in one statement that inserts only when the key has no row; a seen one is read and merged.
//! A guess only: a wrong one costs a round trip, never a number (issue 13).

use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};
use std::sync::Mutex;

use super::Checkin;
use crate::domain::ids::ChatId;

/// Forgotten all at once past this many keys (8 bytes each): the days that matter are recent.
const CAPACITY: usize = 65_536;

#[derive(Debug, Default)]
pub struct CheckinKeys {
    hasher: RandomState,
    /// Hashes of the keys: two keys sharing one only make a first check-in read before it
    /// writes, as before this guess existed.
    seen: Mutex<HashSet<u64>>,
}

impl CheckinKeys {
    pub fn contains(&self, chat_id: ChatId, channel: &str, day: &str, creative: &str) -> bool {
        let key = self.hash(chat_id, channel, day, creative);
        self.lock().contains(&key)
    }

    pub fn insert(&self, row: &Checkin) {
        let key = self.hash(row.chat_id, &row.channel, &row.day, &row.creative);
        let mut seen = self.lock();
        if seen.len() >= CAPACITY {
            seen.clear();
        }
        seen.insert(key);
    }

    fn hash(&self, chat_id: ChatId, channel: &str, day: &str, creative: &str) -> u64 {
        self.hasher.hash_one((chat_id, channel, day, creative))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashSet<u64>> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(channel: &str, day: &str, creative: &str) -> Checkin {
        Checkin {
            chat_id: ChatId(-1),
            channel: channel.into(),
            day: day.into(),
            creative: creative.into(),
            id: 1,
            spend: None,
            impressions: None,
            clicks: None,
            orders: None,
            gmv: None,
            leads: None,
            new_customers: None,
            interactions: None,
            author_id: None,
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn a_key_is_seen_only_once_a_row_with_it_was() {
        let keys = CheckinKeys::default();
        assert!(!keys.contains(ChatId(-1), "taobao", "2026-12-07", ""));
        keys.insert(&row("taobao", "2026-12-07", ""));
        assert!(keys.contains(ChatId(-1), "taobao", "2026-12-07", ""));
        for (chat, channel, day, creative) in [
            (ChatId(-2), "taobao", "2026-12-07", ""),
            (ChatId(-1), "douyin", "2026-12-07", ""),
            (ChatId(-1), "taobao", "2026-12-06", ""),
            (ChatId(-1), "taobao", "2026-12-07", "A"),
        ] {
            assert!(
                !keys.contains(chat, channel, day, creative),
                "{chat:?} {channel} {day} {creative}"
            );
        }
    }

    #[test]
    fn past_its_capacity_it_forgets_and_starts_again() {
        let keys = CheckinKeys::default();
        for i in 0..CAPACITY {
            keys.insert(&row(&format!("c{i}"), "2026-12-07", ""));
        }
        assert!(keys.contains(ChatId(-1), "c0", "2026-12-07", ""));
        keys.insert(&row("last", "2026-12-07", ""));
        assert!(!keys.contains(ChatId(-1), "c0", "2026-12-07", ""));
        assert!(keys.contains(ChatId(-1), "last", "2026-12-07", ""));
        assert_eq!(keys.lock().len(), 1);
    }
}
