//! The product's intelligence, pure: no I/O, no async, no teloxide, no sqlx.
//! Parsers for what users type, the metric formulas, the playbook's rules, calendar maths.

pub mod lang;
pub mod metrics;
pub mod money;
pub mod playbook;
pub mod schedule;
pub mod tasks;
pub mod when;
