//! The local Bot API emulator and the terminal in front of it (`campaign-bot console`).
//! Product code, not a test fake: `console`, `demo`, the e2e tests and the benchmarks share it.

pub mod emulator;
pub mod html;
pub mod terminal;
