//! The bot's side of the durable inbox (storage/inbox.rs): a listener that hands the
//! dispatcher, first, what a killed process had not finished, then the live updates (stored
//! already), and the updates the sweep found stalled; and the claim a handler holds while it
//! works on one update.
//!
//! Every live update is stored before Telegram is told it arrived: in polling mode
//! `polling::StoredPolling` stores each batch before the next getUpdates acknowledges it; in
//! webhook mode `webhook::persist` stores before answering 200.
//!
//! A polled update is stored already claimed by this process (one write per batch, not a store
//! and then a claim per update); `TakenOnArrival` tells the handler's gate so it does not claim
//! again.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use futures::StreamExt;
use futures::stream::BoxStream;
use teloxide::stop::StopToken;
use teloxide::types::{AllowedUpdate, Update};
use teloxide::update_listeners::{AsUpdateStream, UpdateListener};
use tokio::sync::mpsc;

use super::Ctx;
use super::context::InFlight;
use crate::clock::SharedClock;
use crate::storage::{INBOX_LEASE_SECS, InboxMark, Store, StoreResult};

/// Wraps a listener whose updates are stored already: yields the `replay` updates before the
/// live ones, and the sweep's among them.
pub struct DurableListener<L> {
    inner: L,
    replay: Vec<Update>,
    /// Updates the periodic sweep found stalled (see `sweep`).
    swept: Option<mpsc::UnboundedReceiver<Update>>,
}

impl<L> DurableListener<L> {
    pub fn new(inner: L, ctx: &Ctx, replay: Vec<Update>) -> Self {
        DurableListener {
            inner,
            replay,
            swept: Some(ctx.redelivery.connect()),
        }
    }
}

/// Unfinished updates from the inbox, oldest first, for a process that is starting.
pub async fn unfinished_updates(store: &Store, now: i64) -> StoreResult<Vec<Update>> {
    parse_rows(store.inbox_unfinished(now, i64::MAX).await?)
}

/// Hands updates that stalled to this process's dispatcher: stored more than a lease ago and
/// never finished, because the process that took them died (on PostgreSQL another instance
/// may have; on either backend a process may have died before it claimed them). The claim
/// still decides who handles each. Returns how many were handed over.
/// The scheduler runs the sweep about once a minute on its clock.
pub struct Sweep(pub Ctx);

#[async_trait::async_trait]
impl crate::scheduler::Housekeeping for Sweep {
    async fn every_minute(&self) {
        if let Err(err) = sweep(&self.0).await {
            tracing::error!(error = %err, "sweeping the inbox failed");
        }
    }
}

pub async fn sweep(ctx: &Ctx) -> StoreResult<usize> {
    let now = ctx.now();
    // Claims this process still holds (a reply waiting in the outbox behind its chat's limit
    // can outlast a lease) are renewed first, so no one takes them over: not this sweep, not
    // a peer instance.
    for (id, at) in ctx.live_claims.older_than(now - INBOX_LEASE_SECS / 2) {
        if ctx.store.inbox_renew_claim(id, at, now).await? {
            ctx.live_claims.renewed(id, now);
        }
    }
    let updates = parse_rows(
        ctx.store
            .inbox_unfinished(now, now - crate::storage::INBOX_LEASE_SECS)
            .await?,
    )?;
    let mut handed = 0;
    for update in updates {
        if ctx.live_claims.holds(i64::from(update.id.0)) {
            continue;
        }
        if ctx.redelivery.send(update) {
            handed += 1;
        }
    }
    if handed > 0 {
        tracing::warn!(
            count = handed,
            "handling updates another process left unfinished"
        );
    }
    Ok(handed)
}

fn parse_rows(rows: Vec<(i64, String)>) -> StoreResult<Vec<Update>> {
    let mut updates = Vec::with_capacity(rows.len());
    for (update_id, body) in rows {
        match serde_json::from_str::<Update>(&body) {
            Ok(update) => updates.push(update),
            Err(err) => tracing::error!(update_id, error = %err, "stored update unreadable"),
        }
    }
    Ok(updates)
}

impl<L> UpdateListener for DurableListener<L>
where
    L: UpdateListener + Send + 'static,
    L::Err: Send + 'static,
{
    type Err = L::Err;

    fn stop_token(&mut self) -> StopToken {
        self.inner.stop_token()
    }

    /// Ignored: the dispatcher derives its hint from the handler tree, which starts with
    /// branches that filter nothing, so it would ask Telegram for every update type. The
    /// listener was built with `app::ALLOWED_UPDATES` instead.
    fn hint_allowed_updates(&mut self, _hint: &mut dyn Iterator<Item = AllowedUpdate>) {}
}

impl<'a, L> AsUpdateStream<'a> for DurableListener<L>
where
    L: UpdateListener + Send + 'a,
    L::Err: Send + 'static,
{
    type StreamErr = L::Err;
    type Stream = BoxStream<'a, Result<Update, L::Err>>;

    fn as_stream(&'a mut self) -> Self::Stream {
        let replay = std::mem::take(&mut self.replay);
        if !replay.is_empty() {
            tracing::info!(
                count = replay.len(),
                "handling updates a stopped process left"
            );
        }
        let swept = self.swept.take();
        // The live stream decides when listening ends; swept updates ride along until then.
        let live = self
            .inner
            .as_stream()
            .map(Some)
            .chain(futures::stream::once(async { None }));
        let swept = match swept {
            Some(rx) => futures::stream::unfold(rx, |mut rx| async move {
                rx.recv().await.map(|u| (Some(Ok(u)), rx))
            })
            .boxed(),
            None => futures::stream::empty().boxed(),
        };
        let merged = futures::stream::select(live, swept)
            .take_while(|item| futures::future::ready(item.is_some()))
            .filter_map(futures::future::ready);
        futures::stream::iter(replay.into_iter().map(Ok))
            .chain(merged)
            .boxed()
    }
}

/// Stores arriving updates claimed by this process, and tells the handler's gate which.
#[derive(Clone)]
pub struct Arrivals {
    store: Store,
    clock: SharedClock,
    taken: Arc<TakenOnArrival>,
}

impl Arrivals {
    pub fn new(ctx: &Ctx) -> Self {
        Arrivals {
            store: ctx.store.clone(),
            clock: ctx.clock.clone(),
            taken: ctx.taken_on_arrival.clone(),
        }
    }

    /// Stores a batch in one write, retrying a failing database for a while: the alternative
    /// is to let the next getUpdates acknowledge updates that exist nowhere.
    pub async fn keep(&self, updates: &[Update]) {
        let mut rows = Vec::with_capacity(updates.len());
        for update in updates {
            match serde_json::to_string(update) {
                Ok(body) => rows.push((i64::from(update.id.0), body)),
                Err(err) => {
                    tracing::error!(update_id = update.id.0, error = %err, "update not serializable")
                }
            }
        }
        if rows.is_empty() {
            return;
        }
        // One time for every try, so a try that failed but did write left a claim we can
        // recognize.
        let now = self.clock.now();
        let mut failed = false;
        let mut delay = std::time::Duration::from_millis(100);
        for attempt in 1..=8 {
            match self.store.inbox_put_claimed(&rows, now).await {
                Ok(inserted) => {
                    for (id, _) in &rows {
                        // Not inserted: stored before, a redelivery, unless an earlier try of
                        // ours wrote it.
                        if inserted.contains(id) {
                            self.taken.put(*id, now, Certainty::Ours);
                        } else if failed {
                            self.taken.put(*id, now, Certainty::Unsure);
                        }
                    }
                    return;
                }
                Err(err) => {
                    failed = true;
                    tracing::warn!(count = rows.len(), attempt, error = %err, "storing updates failed");
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(std::time::Duration::from_secs(5));
                }
            }
        }
        for (id, _) in &rows {
            self.taken.put(*id, now, Certainty::Unsure);
        }
        tracing::error!(
            count = rows.len(),
            "updates handled without being stored: the database is down"
        );
    }
}

/// Whether the listener's write is known to have claimed the update for this process.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Certainty {
    Ours,
    /// A try failed: its write may or may not have landed.
    Unsure,
}

/// Updates the listener stored already claimed, by id, with the time of that claim.
#[derive(Default)]
pub struct TakenOnArrival(Mutex<HashMap<i64, (i64, Certainty)>>);

/// Entries kept at most; only updates the handler tree never reached stay behind.
const TAKEN_CAP: usize = 10_000;

impl TakenOnArrival {
    fn put(&self, update_id: i64, claimed_at: i64, certainty: Certainty) {
        let mut taken = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if taken.len() >= TAKEN_CAP {
            taken.retain(|_, (at, _)| *at >= claimed_at - INBOX_LEASE_SECS);
        }
        taken.insert(update_id, (claimed_at, certainty));
    }

    fn take(&self, update_id: i64) -> Option<(i64, Certainty)> {
        let mut taken = self.0.lock().unwrap_or_else(|e| e.into_inner());
        taken.remove(&update_id)
    }
}

/// The claims this process holds, by update id, with the time each was taken or last renewed.
#[derive(Default)]
pub struct LiveClaims(Mutex<HashMap<i64, i64>>);

impl LiveClaims {
    fn hold(&self, update_id: i64, claimed_at: i64) {
        self.lock().insert(update_id, claimed_at);
    }

    fn release(&self, update_id: i64) {
        self.lock().remove(&update_id);
    }

    fn holds(&self, update_id: i64) -> bool {
        self.lock().contains_key(&update_id)
    }

    fn renewed(&self, update_id: i64, now: i64) {
        if let Some(at) = self.lock().get_mut(&update_id) {
            *at = now;
        }
    }

    /// (update, claim time) of the claims taken before `before`.
    fn older_than(&self, before: i64) -> Vec<(i64, i64)> {
        self.lock()
            .iter()
            .filter(|(_, at)| **at < before)
            .map(|(id, at)| (*id, *at))
            .collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, i64>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A handler's hold on one update. Marked replied after the first accepted reply, and done
/// when the handler finishes (or, failing an explicit `finish`, when the last clone drops).
#[derive(Clone)]
pub struct InboxClaim(Arc<ClaimInner>);

struct ClaimInner {
    update_id: i64,
    ctx: Ctx,
    replied: AtomicBool,
    finished: AtomicBool,
    /// The update counts as handled (console, tests) only once its done mark is written.
    in_flight: Option<InFlight>,
}

impl InboxClaim {
    /// Call after a reply was accepted by Telegram; the first call is recorded, so a crash
    /// after it does not run the command again. When this is the claim's last holder (the
    /// handler and its other replies are done), the same write marks the update done, instead
    /// of a second write when it drops. The mark is queued, not awaited: the outbox's sending
    /// task calls this and must not wait on the database.
    pub fn replied(self) {
        let claim = &self.0;
        if claim.replied.swap(true, Ordering::SeqCst) {
            return;
        }
        let now = claim.ctx.now();
        // No other holder can appear: clones are made only from a holder.
        let last = Arc::strong_count(&self.0) == 1 && !claim.finished.swap(true, Ordering::SeqCst);
        let mark = if last {
            InboxMark::RepliedAndDone
        } else {
            InboxMark::Replied
        };
        let (ctx, id) = (claim.ctx.clone(), claim.update_id);
        // The claim (and with it the update's in-flight count) lives until the mark is written.
        ctx.marks.queue(id, mark, now, Some(Box::new(self)));
    }

    /// A reply could not be sent before the process stopped: no done mark, so the next start
    /// handles the update again (as after a crash).
    pub fn abandon(&self) {
        self.0.finished.store(true, Ordering::SeqCst);
    }

    /// The handler is done with the update.
    pub async fn finish(&self) {
        if self.0.finished.swap(true, Ordering::SeqCst) {
            return;
        }
        let ctx = &self.0.ctx;
        ctx.marks
            .write(self.0.update_id, InboxMark::Done, ctx.now())
            .await;
    }
}

impl Drop for ClaimInner {
    fn drop(&mut self) {
        self.ctx.live_claims.release(self.update_id);
        if self.finished.load(Ordering::SeqCst) {
            return;
        }
        // Branches without an explicit finish (member lists, chat changes) end here; the
        // update stays in flight until the mark is written.
        let in_flight = self
            .in_flight
            .take()
            .map(|f| Box::new(f) as crate::bot::marks::KeepUntilWritten);
        self.ctx
            .marks
            .queue(self.update_id, InboxMark::Done, self.ctx.now(), in_flight);
    }
}

/// The handler tree's gate: only the first live claim on an update gets through. A
/// redelivered update, or one another instance is handling, stops here.
pub async fn claim(upd: Update, ctx: Ctx, in_flight: InFlight) -> Option<InboxClaim> {
    let id = i64::from(upd.id.0);
    let now = ctx.now();
    let claimed_at = match take(&ctx, &upd, id, now).await {
        Ok(Some(at)) => at,
        Ok(None) => {
            tracing::info!(update_id = id, "update already handled or in hand; ignored");
            return None;
        }
        Err(err) => {
            // Better to risk handling twice than to drop a user's command on a DB hiccup.
            tracing::error!(update_id = id, error = %err, "could not claim update");
            now
        }
    };
    ctx.live_claims.hold(id, claimed_at);
    Some(InboxClaim(Arc::new(ClaimInner {
        update_id: id,
        ctx,
        replied: AtomicBool::new(false),
        finished: AtomicBool::new(false),
        in_flight: Some(in_flight),
    })))
}

/// Whether this handler may go on with the update. One the listener claimed a moment ago is
/// ours without another write; a claim older than half a lease is renewed first, because the
/// sweep hands an update over once its claim is a lease old.
/// Returns the time of the claim it holds, None when the update is not this handler's.
async fn take(ctx: &Ctx, upd: &Update, id: i64, now: i64) -> StoreResult<Option<i64>> {
    let taken = ctx.taken_on_arrival.take(id);
    if let Some((at, Certainty::Ours)) = taken
        && now - at < INBOX_LEASE_SECS / 2
    {
        return Ok(Some(at));
    }
    if let Some((at, _)) = taken
        && ctx.store.inbox_renew_claim(id, at, now).await?
    {
        return Ok(Some(now));
    }
    // Normally already stored by the listener; the body is only made for an update that was not.
    let body = || serde_json::to_string(upd).unwrap_or_default();
    Ok(ctx.store.inbox_claim(id, body, now).await?.then_some(now))
}

/// The way from the sweep (in the scheduler) into the listener. Updates sent before the
/// listener starts wait in the channel.
pub struct Redelivery {
    to_listener: Mutex<mpsc::UnboundedSender<Update>>,
    waiting: Mutex<Option<mpsc::UnboundedReceiver<Update>>>,
}

impl Default for Redelivery {
    fn default() -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        Redelivery {
            to_listener: Mutex::new(tx),
            waiting: Mutex::new(Some(rx)),
        }
    }
}

impl Redelivery {
    /// The first listener takes the waiting channel; a later one (after a restart within the
    /// process) gets a new channel, and the previous one closes.
    fn connect(&self) -> mpsc::UnboundedReceiver<Update> {
        if let Some(rx) = self
            .waiting
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            return rx;
        }
        let (tx, rx) = mpsc::unbounded_channel();
        *self.to_listener.lock().unwrap_or_else(|e| e.into_inner()) = tx;
        rx
    }

    /// False when the listener has stopped.
    fn send(&self, update: Update) -> bool {
        let tx = self.to_listener.lock().unwrap_or_else(|e| e.into_inner());
        tx.send(update).is_ok()
    }
}
