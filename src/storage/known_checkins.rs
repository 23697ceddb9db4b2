//! The check-in rows this process last saw stored, by key (team, channel, day, creative): what a
//! check-in writes first. A key with no known row is most likely a day's first check-in, stored
//! by a statement that inserts only while the key has no row; a known row is merged into by one
//! that writes only while the stored numbers are still the known ones. Either way a wrong guess
//! writes nothing and the check-in reads the row and merges as before: it costs a round trip,
//! never a number (issue 13).

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::Mutex;

use super::{Checkin, NewCheckin};
use crate::domain::ids::ChatId;

/// Forgotten all at once past this many rows (a few hundred bytes each): the days being checked
/// in are recent, and a forgotten row is only read again.
const CAPACITY: usize = 4_096;

#[derive(Debug, Default)]
pub struct KnownCheckins {
    hasher: RandomState,
    rows: Mutex<HashMap<u64, Checkin>>,
}

impl KnownCheckins {
    /// The row last seen stored under `new`'s key.
    pub fn get(&self, new: &NewCheckin<'_>) -> Option<Checkin> {
        let key = self.hash(new.chat_id, new.channel, new.day, new.creative);
        let rows = self.lock();
        // Two keys may share a hash: the row must be this key's.
        rows.get(&key)
            .filter(|row| {
                (
                    row.chat_id,
                    row.channel.as_str(),
                    row.day.as_str(),
                    row.creative.as_str(),
                ) == (new.chat_id, new.channel, new.day, new.creative)
            })
            .cloned()
    }

    pub fn remember(&self, row: &Checkin) {
        let key = self.hash(row.chat_id, &row.channel, &row.day, &row.creative);
        let mut rows = self.lock();
        if rows.len() >= CAPACITY && !rows.contains_key(&key) {
            rows.clear();
        }
        rows.insert(key, row.clone());
    }

    fn hash(&self, chat_id: ChatId, channel: &str, day: &str, creative: &str) -> u64 {
        self.hasher.hash_one((chat_id, channel, day, creative))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Checkin>> {
        self.rows.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::totals::Numbers;

    fn row(chat: i64, channel: &str, day: &str, creative: &str, spend: i64) -> Checkin {
        Checkin {
            id: 1,
            chat_id: ChatId(chat),
            channel: channel.into(),
            day: day.into(),
            creative: creative.into(),
            spend: Some(spend),
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

    fn key<'a>(chat: i64, channel: &'a str, day: &'a str, creative: &'a str) -> NewCheckin<'a> {
        NewCheckin::new(
            ChatId(chat),
            channel,
            day,
            creative,
            &Numbers::default(),
            None,
        )
    }

    #[test]
    fn a_row_is_known_by_its_own_key_only() {
        let known = KnownCheckins::default();
        assert_eq!(known.get(&key(-1, "taobao", "2026-12-07", "")), None);
        known.remember(&row(-1, "taobao", "2026-12-07", "", 5));
        let got = known.get(&key(-1, "taobao", "2026-12-07", ""));
        assert_eq!(got.and_then(|r| r.spend), Some(5));
        for (chat, channel, day, creative) in [
            (-2, "taobao", "2026-12-07", ""),
            (-1, "douyin", "2026-12-07", ""),
            (-1, "taobao", "2026-12-06", ""),
            (-1, "taobao", "2026-12-07", "A"),
        ] {
            let other = key(chat, channel, day, creative);
            assert_eq!(known.get(&other), None, "{other:?}");
        }
        // The latest row replaces the one before.
        known.remember(&row(-1, "taobao", "2026-12-07", "", 9));
        let got = known.get(&key(-1, "taobao", "2026-12-07", ""));
        assert_eq!(got.and_then(|r| r.spend), Some(9));
    }

    #[test]
    fn past_its_capacity_it_forgets_and_starts_again() {
        let known = KnownCheckins::default();
        for i in 0..CAPACITY {
            known.remember(&row(-1, &format!("c{i}"), "2026-12-07", "", 1));
        }
        known.remember(&row(-1, "c0", "2026-12-07", "", 2));
        assert_eq!(
            known.lock().len(),
            CAPACITY,
            "a known key is replaced in place"
        );
        known.remember(&row(-1, "last", "2026-12-07", "", 1));
        assert_eq!(known.get(&key(-1, "c1", "2026-12-07", "")), None);
        assert!(known.get(&key(-1, "last", "2026-12-07", "")).is_some());
        assert_eq!(known.lock().len(), 1);
    }
}
