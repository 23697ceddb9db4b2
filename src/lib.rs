//! campaign-bot: a Telegram group bot that runs an e-commerce promotion team's campaign rhythm.
//! `main.rs` only parses the command line; everything else is reachable from here for the
//! integration tests and benchmarks.

rust_i18n::i18n!("locales", fallback = "en");

pub mod app;
pub mod bot;
pub mod clock;
pub mod config;
pub mod console;
pub mod demo;
pub mod domain;
pub mod i18n;
pub mod report;
pub mod scheduler;
pub mod service;
pub mod storage;
pub mod telegram;
pub mod views;
pub mod webhook;
