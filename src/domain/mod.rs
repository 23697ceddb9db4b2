//! The product's intelligence, pure: no I/O, no async, no teloxide, no sqlx.
//! Parsers for what users type, the metric formulas, the playbook's rules, calendar maths.

pub mod abtest;
pub mod bottleneck;
pub mod channel_names;
pub mod checkin_text;
pub mod checkins;
pub mod festival_args;
pub mod goal;
pub mod ids;
pub mod import;
pub mod jobs;
pub mod judgement;
pub mod lang;
pub mod metrics;
pub mod money;
pub mod plan_args;
pub mod playbook;
pub mod review;
pub mod schedule;
pub mod tasks;
pub mod totals;
pub mod when;
