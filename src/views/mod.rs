//! Pure renderers: `(&View, Lang) -> Html`. No store, no teloxide requests, no clock: what a
//! message says is decided here from data the service layer prepared.

pub mod abtest;
pub mod amounts;
pub mod chart;
pub mod export;
pub mod festivals;
pub mod flags;
pub mod html;
pub mod import;
pub mod names;
pub mod numbers;
pub mod people;
pub mod plan;
pub mod plan_rules;
pub mod rhythm;
pub mod setup;
pub mod summary;
pub mod tasks;

pub use html::{Html, TrArg};
