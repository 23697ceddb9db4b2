//! The injected clock. Everything that asks "what time is it" asks a `Clock`, so tests and
//! `console` can move time forward without waiting and nothing depends on the machine's clock.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use tokio::sync::Notify;

/// Seconds since the Unix epoch, UTC. The one time unit the product stores and compares.
pub type Epoch = i64;

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Epoch;
    /// Woken whenever the clock jumps (manual clocks only); lets sleepers re-check what is due.
    fn changed(&self) -> Option<Arc<Notify>> {
        None
    }
}

pub type SharedClock = Arc<dyn Clock>;

/// The machine's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Epoch {
        chrono::Utc::now().timestamp()
    }
}

/// A clock that only moves when told to: tests, `console` and `demo`.
#[derive(Debug)]
pub struct ManualClock {
    now: AtomicI64,
    changed: Arc<Notify>,
}

impl ManualClock {
    pub fn new(start: Epoch) -> Arc<Self> {
        Arc::new(Self {
            now: AtomicI64::new(start),
            changed: Arc::new(Notify::new()),
        })
    }

    pub fn advance(&self, seconds: i64) {
        self.now.fetch_add(seconds, Ordering::SeqCst);
        self.changed.notify_waiters();
    }

    pub fn set(&self, at: Epoch) {
        self.now.store(at, Ordering::SeqCst);
        self.changed.notify_waiters();
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Epoch {
        self.now.load(Ordering::SeqCst)
    }
    fn changed(&self) -> Option<Arc<Notify>> {
        Some(self.changed.clone())
    }
}
