//! PostgreSQL: hears peers' changes to teams, channels and goals (`plan_changed`, announced by
//! a trigger at commit, migrations/postgres/0010) and drops them from this process's plan
//! cache. The cache serves only while this listens: when the connection is lost, changes may
//! go unheard, so it stops serving and forgets until it listens again.

use std::sync::Arc;
use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::{PgListener, PgPoolOptions};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::plan_cache::{PlanCache, PlanChange};

const CHANNEL: &str = "plan_changed";
/// The pause before listening again after a failure, doubled each time up to `MAX_PAUSE`.
const RETRY_AFTER: Duration = Duration::from_secs(1);
const MAX_PAUSE: Duration = Duration::from_secs(60);
/// How long its own probe may take to come back.
const PROBE_WAIT: Duration = Duration::from_secs(5);

/// The listening task; [`PlanListener::stop`] ends it and closes its connection.
#[derive(Debug)]
pub struct PlanListener {
    stop: watch::Sender<bool>,
    task: std::sync::Mutex<Option<JoinHandle<()>>>,
}

impl PlanListener {
    /// Starts listening on a connection of its own (not one of `pool`'s), with `pool`'s
    /// options; `cache` serves from the moment the listen is in place.
    pub fn start(pool: &PgPool, cache: Arc<PlanCache>) -> PlanListener {
        let options = (*pool.connect_options()).clone();
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(async move {
            let own = PgPoolOptions::new()
                .max_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .connect_lazy_with(options);
            listen(&own, &cache, stopped).await;
            cache.set_serving(false);
            own.close().await;
        });
        PlanListener {
            stop,
            task: std::sync::Mutex::new(Some(task)),
        }
    }

    /// Stops listening and waits until the connection is closed.
    pub async fn stop(&self) {
        let _ = self.stop.send(true);
        let task = self.task.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(task) = task {
            let _ = task.await;
        }
    }
}

impl Drop for PlanListener {
    /// A store dropped without `close` still ends its task.
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

async fn listen(pool: &PgPool, cache: &PlanCache, mut stopped: watch::Receiver<bool>) {
    let options = pool.connect_options();
    let me = options.get_application_name().unwrap_or("");
    let mut pause = RETRY_AFTER;
    while !*stopped.borrow() {
        let heard = async {
            let mut listener = PgListener::connect_with(pool).await?;
            // A lost connection is reported at once (`None`), not after sqlx has connected
            // again: until then changes go unheard, and the cache must stop serving first.
            listener.eager_reconnect(false);
            listener.listen(CHANNEL).await?;
            hear_own_probe(&mut listener, cache, me).await?;
            // From here on every change is heard; what changed before starts over.
            cache.set_serving(true);
            while let Some(notice) = listener.try_recv().await? {
                apply(cache, notice.payload(), me);
            }
            Err(sqlx::Error::Protocol(
                "the listening connection was lost".into(),
            ))
        };
        // It only ends by failing (a lost connection included) or by the stop.
        let ended: Result<std::convert::Infallible, sqlx::Error> = tokio::select! {
            ended = heard => ended,
            _ = stopped.wait_for(|stop| *stop) => return,
        };
        let Err(err) = ended;
        if cache.is_serving() {
            pause = RETRY_AFTER;
        }
        cache.set_serving(false);
        tracing::warn!(error = %err, retry_in = ?pause, "plan cache off: not hearing changes");
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = stopped.wait_for(|stop| *stop) => return,
        }
        pause = (pause * 2).min(MAX_PAUSE);
    }
}

/// Drops what a peer's notice names. A probe names nothing, and this instance's own writes
/// were dropped as they were written: dropped again when their notice comes, after the
/// instance read them back, every first read after a write would miss.
fn apply(cache: &PlanCache, notice: &str, me: &str) {
    if notice.starts_with(PROBE) {
        return;
    }
    let (change, writer) = PlanChange::of_notice(notice);
    if me.is_empty() || writer != me {
        cache.changed(change);
    }
}

const PROBE: &str = "probe ";

/// Announces a probe and waits to hear it back, applying any change heard first: a listen
/// through a transaction-mode pooler (PgBouncer) succeeds but hears nothing, and a cache
/// that believed it would serve stale rows for good.
async fn hear_own_probe(
    listener: &mut PgListener,
    cache: &PlanCache,
    me: &str,
) -> Result<(), sqlx::Error> {
    // Its application name is its own (`storage::instance_name`): a peer's probe differs.
    let probe = format!("{PROBE}{me}");
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(&probe)
        .execute(&mut *listener)
        .await?;
    let heard = async {
        loop {
            match listener.try_recv().await? {
                Some(notice) if notice.payload() == probe => return Ok(()),
                Some(notice) => apply(cache, notice.payload(), me),
                None => return Err(sqlx::Error::Protocol("the connection was lost".into())),
            }
        }
    };
    tokio::time::timeout(PROBE_WAIT, heard)
        .await
        .unwrap_or_else(|_| Err(sqlx::Error::Protocol("LISTEN hears nothing".into())))
}
