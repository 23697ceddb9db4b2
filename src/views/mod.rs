//! Pure renderers: `(&View, Lang) -> Html`. No store, no teloxide requests, no clock: what a
//! message says is decided here from data the service layer prepared.

pub mod html;
pub mod names;
pub mod tasks;

pub use html::{Html, TrArg};
