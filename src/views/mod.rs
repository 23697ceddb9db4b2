//! Pure renderers: `(&View, Lang) -> Html`. No store, no teloxide requests, no clock: what a
//! message says is decided here from data the service layer prepared.

pub mod html;
pub mod names;
pub mod plan;
pub mod setup;

pub use html::{Html, TrArg};
