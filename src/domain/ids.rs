//! Telegram's identifiers as their own types: a chat (a team is its group chat) and a user are
//! both 64-bit integers on the wire, and a function taking `(chat: i64, user: i64)` will take
//! them swapped without a word. Storage reads and writes them as plain integers
//! (`storage/ids.rs`).

use std::fmt;

/// A Telegram chat: a team's group (negative ids) or a private chat with one person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChatId(pub i64);

/// A Telegram user: a member of a team, an owner, an author.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(pub i64);

impl fmt::Display for ChatId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

// Literals in tests and the emulator's plain numbers convert explicitly at the edge; a
// `UserId` never converts into a `ChatId` (or back), which is the point.
impl From<i64> for ChatId {
    fn from(id: i64) -> ChatId {
        ChatId(id)
    }
}

impl From<i64> for UserId {
    fn from(id: i64) -> UserId {
        UserId(id)
    }
}
