//! The use-cases, with no teloxide: what a command or a due job does to the team's data.
//! Handlers and the scheduler call these; the service opens transactions (a multi-step change
//! is all or nothing) and rings the scheduler when it plans a job, so no handler names the
//! scheduler.

pub mod abtest;
pub mod channels;
pub mod checkins;
pub mod festivals;
pub mod goals;
pub mod import;
pub mod nudges;
pub mod people;
pub mod plan;
pub mod report;
pub mod review;
pub mod setup;
pub mod tasks;

use std::sync::Arc;

use tokio::sync::Notify;

use crate::clock::SharedClock;
use crate::config::Settings;
use crate::domain::lang::Lang;
use crate::storage::{Store, Team};

/// Cheap to clone: the store is a pool handle and the rest is shared.
#[derive(Clone)]
pub struct Service {
    pub store: Store,
    pub clock: SharedClock,
    pub settings: Settings,
    /// Rung when a job is planned; the scheduler waits on it between due times.
    wake: Arc<Notify>,
}

impl Service {
    pub fn new(store: Store, clock: SharedClock, settings: Settings) -> Service {
        Service {
            store,
            clock,
            settings,
            wake: Arc::new(Notify::new()),
        }
    }

    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// Tells the scheduler a job was planned, so it looks before its planned sleep ends.
    pub fn jobs_changed(&self) {
        self.wake.notify_one();
    }

    /// What the scheduler waits on.
    pub fn wake_signal(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    /// A team's language: chosen with /lang, else detected, else the default.
    pub fn team_lang(&self, team: &Team) -> Lang {
        team.language(self.settings.default_lang)
    }
}
