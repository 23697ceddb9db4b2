//! Replies go out through the shared sender (`crate::telegram::send`).

pub use crate::telegram::send::*;
