//! The outbox: every message the bot sends goes through it, so Telegram's limits hold by
//! construction and a quiet chat is never queued behind a busy one.
//!
//! Each chat has its own queue, sent in order with one request in flight (a split reply stays in
//! order). One task picks, among the chats allowed to send now, the one that sent least in the
//! last minute (ties: the one ready longest), within `messages_per_sec_overall`, and per chat
//! `messages_per_sec_chat` and a minute's quota (`messages_per_min_chat`, or
//! `messages_per_min_channel_or_supergroup` for `-100…` ids), the same limits Throttle applied.
//! A 429 pauses that chat for its `retry_after`; a 429 in a second chat while the first is still
//! paused is the overall limit speaking, and pauses every chat. A network error or a 5xx pauses
//! the chat 1, 2, 4 s and sends again, then fails the message.
//!
//! The sending task drives every request in flight itself (no task per message) and, when a job
//! ends, hands its outcome on: to a [`Delivery`] the scheduler awaits ([`Outbox::submit`]), or to
//! a callback ([`Outbox::submit_then`]) — a command's reply, so a handler returns at once, a chat
//! at its limit never holds a dispatcher lane, and no task sits waiting for each reply. Fewer
//! tasks are fewer wake-ups: CPU per update is the figure issue 13 measures.

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::Duration;

use futures::future::BoxFuture;
use futures::stream::FuturesUnordered;
use futures::{FutureExt, StreamExt};
use serde::Serialize;
use teloxide::Bot;
use teloxide::RequestError;
use teloxide::adaptors::throttle::Limits;
use teloxide::requests::{Payload, Request};
use teloxide::types::{ChatId, Message};
use tokio::sync::{Notify, oneshot, watch};
use tokio::time::Instant;

use super::lean::{self, Sent};
use super::send::is_transient;

/// One message to send; called again for each resend.
pub type Attempt = Box<dyn Fn() -> BoxFuture<'static, Result<Sent, RequestError>> + Send + Sync>;

/// A request that sends one message, as an [`Attempt`], through teloxide (a file upload).
pub fn attempt<R>(request: R) -> Attempt
where
    R: Request<Err = RequestError> + Clone + Send + Sync + 'static,
    R::Payload: Payload<Output = Message>,
    R::Send: 'static,
{
    Box::new(move || {
        request
            .clone()
            .send()
            .map(|sent| sent.map(|message| Sent::from(&message)))
            .boxed()
    })
}

/// A JSON payload that sends one message, as an [`Attempt`]; only the sent message's id is
/// read back (see `lean`).
pub fn attempt_json<P>(bot: &Bot, payload: P) -> Attempt
where
    P: Payload<Output = Message> + Serialize + Send + Sync + 'static,
{
    let (bot, payload) = (bot.clone(), Arc::new(payload));
    Box::new(move || {
        let (bot, payload) = (bot.clone(), payload.clone());
        async move { lean::send_json(&bot, &*payload).await }.boxed()
    })
}

/// Pauses before a message is sent again after a network error or a 5xx. Sending again in
/// place, instead of failing the command or the job, keeps a chat's messages in order.
const RESEND_AFTER: [Duration; 3] = [
    Duration::from_secs(1),
    Duration::from_secs(2),
    Duration::from_secs(4),
];

const SECOND: Duration = Duration::from_secs(1);
const MINUTE: Duration = Duration::from_secs(60);

/// Why a message was not sent.
#[derive(Debug, thiserror::Error)]
pub enum Undelivered {
    #[error(transparent)]
    Telegram(#[from] RequestError),
    /// The process is stopping: the message was never tried (or not to the end).
    #[error("the bot stopped before the message was sent")]
    Stopped,
}

impl From<Undelivered> for RequestError {
    /// For callers that retry on a network error anyway (the scheduler): a stop is one.
    fn from(err: Undelivered) -> RequestError {
        match err {
            Undelivered::Telegram(err) => err,
            Undelivered::Stopped => RequestError::Io(Arc::new(std::io::Error::other(
                "the bot stopped before the message was sent",
            ))),
        }
    }
}

/// How a submitted job ended: every message of it, or why not.
pub type Outcome = Result<Vec<Sent>, Undelivered>;

/// What to do with a job's outcome. Called by the sending task once the outbox's state is
/// unlocked, so it may submit again, but it must not block: every chat's sending waits on it.
type Then = Box<dyn FnOnce(Outcome) + Send>;

/// The outcome of a submitted job, to await.
pub struct Delivery(oneshot::Receiver<Outcome>);

impl Future for Delivery {
    type Output = Outcome;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.0
            .poll_unpin(cx)
            .map(|result| result.unwrap_or(Err(Undelivered::Stopped)))
    }
}

#[derive(Clone)]
pub struct Outbox {
    shared: Arc<Shared>,
}

struct Shared {
    state: Mutex<State>,
    /// Wakes the sending task: a job came in, or a send finished.
    wake: Notify,
    /// Counts finished sends, for [`Outbox::flush`].
    progress: watch::Sender<u64>,
}

impl Outbox {
    /// An outbox whose sending task starts with the first message (inside a Tokio runtime).
    pub fn new(limits: Limits) -> Outbox {
        Outbox {
            shared: Arc::new(Shared {
                state: Mutex::new(State::new(limits)),
                wake: Notify::new(),
                progress: watch::Sender::new(0),
            }),
        }
    }

    /// Queues `messages` for a chat, after everything already queued for it; they go out in
    /// order, and the job stops at the first that fails.
    pub fn submit(&self, chat: crate::domain::ids::ChatId, messages: Vec<Attempt>) -> Delivery {
        let (done, delivery) = oneshot::channel();
        self.submit_then(chat, messages, move |outcome| {
            let _ = done.send(outcome);
        });
        Delivery(delivery)
    }

    /// [`Self::submit`], handing the outcome to `then` instead of a [`Delivery`]: nothing has to
    /// wait for it. `then` runs on the sending task (or here, for an empty job or a closed
    /// outbox) and must return quickly; to do I/O with the outcome it spawns.
    pub fn submit_then(
        &self,
        chat: crate::domain::ids::ChatId,
        messages: Vec<Attempt>,
        then: impl FnOnce(Outcome) + Send + 'static,
    ) {
        // Keyed by the wire id inside: Telegram's own `ChatId` answers which limits apply.
        let chat_id = chat.0;
        if messages.is_empty() {
            return then(Ok(Vec::new()));
        }
        let mut st = self.shared.lock();
        if st.closed {
            drop(st);
            return then(Err(Undelivered::Stopped));
        }
        let job = Job {
            parts: messages.into(),
            resends: 0,
            sent: Vec::new(),
            then: Box::new(then),
        };
        st.chats.entry(chat_id).or_default().jobs.push_back(job);
        st.schedule(chat_id, Instant::now());
        if !std::mem::replace(&mut st.running, true) {
            tokio::spawn(run(self.shared.clone()));
        }
        drop(st);
        self.shared.wake.notify_one();
    }

    /// Waits until nothing is queued, or what is queued cannot go within `grace` (a chat at its
    /// limit), or `grace` has passed. Nothing is dropped.
    pub async fn flush(&self, grace: Duration) {
        let deadline = Instant::now() + grace;
        let mut progress = self.shared.progress.subscribe();
        while !self.shared.lock().settled(Instant::now(), deadline) {
            match tokio::time::timeout_at(deadline, progress.changed()).await {
                Ok(Ok(())) => {}
                _ => return,
            }
        }
    }

    /// [`Self::flush`], then gives up on what is left ([`Undelivered::Stopped`]) and stops.
    pub async fn close(&self, grace: Duration) {
        self.flush(grace).await;
        let (abandoned, ended) = {
            let mut st = self.shared.lock();
            (st.close(), st.take_ended())
        };
        hand_on(ended);
        if abandoned > 0 {
            tracing::warn!(
                abandoned,
                "stopping with messages unsent; their updates are handled again at the next start"
            );
        }
        self.shared.wake.notify_one();
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A request in flight and the chat it is for.
type Sending = BoxFuture<'static, (i64, Result<Sent, RequestError>)>;

/// The sending task: starts every send allowed now and drives the requests in flight, then
/// waits for one of them to come back, the next send to be allowed, or a new job. Idle, it
/// sleeps until woken. Once closed, it ends when nothing is in flight.
async fn run(shared: Arc<Shared>) {
    let mut sending: FuturesUnordered<Sending> = FuturesUnordered::new();
    loop {
        let (next, ended) = {
            let mut st = shared.lock();
            if st.closed && sending.is_empty() {
                return;
            }
            let mut started = Vec::new();
            let next = st.dispatch(Instant::now(), &mut started);
            sending.extend(
                started
                    .into_iter()
                    .map(|(chat_id, request)| async move { (chat_id, request.await) }.boxed()),
            );
            (next, st.take_ended())
        };
        hand_on(ended);
        // Far enough to never fire: an idle outbox waits for a job or a reply only.
        let at = next.unwrap_or_else(|| Instant::now() + Duration::from_secs(86_400));
        tokio::select! {
            Some((chat_id, result)) = sending.next(), if !sending.is_empty() => {
                let ended = {
                    let mut st = shared.lock();
                    st.finish(chat_id, result, Instant::now());
                    st.take_ended()
                };
                hand_on(ended);
                shared.progress.send_modify(|n| *n += 1);
            }
            _ = tokio::time::sleep_until(at), if next.is_some() => {}
            _ = shared.wake.notified() => {}
        }
    }
}

/// Gives ended jobs their outcomes, outside the state's lock.
fn hand_on(ended: Vec<(Then, Outcome)>) {
    for (then, outcome) in ended {
        then(outcome);
    }
}

struct Job {
    parts: VecDeque<Attempt>,
    /// Resends of the first part after network errors or 5xx.
    resends: usize,
    sent: Vec<Sent>,
    then: Then,
}

#[derive(Default)]
struct Chat {
    jobs: VecDeque<Job>,
    /// When each send of the last minute started, oldest first.
    sent: VecDeque<Instant>,
    /// A send is in flight.
    busy: bool,
    /// In `ready` or `waiting`.
    scheduled: bool,
    /// Not before this (a 429's retry_after, or a resend's pause).
    paused_until: Option<Instant>,
}

impl Chat {
    /// When this chat may send next under its own limits.
    fn next_allowed(&self, now: Instant, limits: &Limits, chat_id: i64) -> Instant {
        let per_min = if ChatId(chat_id).is_channel_or_supergroup() {
            limits.messages_per_min_channel_or_supergroup
        } else {
            limits.messages_per_min_chat
        };
        let n = self.sent.len();
        let mut at = now.max(self.paused_until.unwrap_or(now));
        // The limit-th latest send has to leave the window before another may start.
        for (limit, window) in [(limits.messages_per_sec_chat, SECOND), (per_min, MINUTE)] {
            let limit = limit.max(1) as usize;
            if n >= limit {
                at = at.max(self.sent[n - limit] + window);
            }
        }
        at
    }

    fn forget_before(&mut self, now: Instant) {
        while self.sent.front().is_some_and(|t| *t + MINUTE <= now) {
            self.sent.pop_front();
        }
    }

    fn is_idle(&self, now: Instant) -> bool {
        self.jobs.is_empty()
            && !self.busy
            && self.sent.back().is_none_or(|t| *t + MINUTE <= now)
            && self.paused_until.is_none_or(|t| t <= now)
    }
}

/// A token bucket at the overall rate holding a tenth of a second's sends: under load, sends
/// leave a tenth of a second's worth at a time instead of 30 at once and then none for a
/// second (the one-second window alone allows that). A reply that jumps the queue (its chat
/// sent less than those behind it) needs one token, so it waits ~33 ms at most, not up to a
/// second; chats alike in line wait for the bucket to fill and go together (see
/// `State::dispatch`).
struct Pace {
    per_sec: f64,
    capacity: f64,
    tokens: f64,
    at: Instant,
}

impl Pace {
    fn new(per_sec: u32, now: Instant) -> Pace {
        let per_sec = f64::from(per_sec.max(1));
        let capacity = (per_sec / 10.0).max(1.0);
        Pace {
            per_sec,
            capacity,
            tokens: capacity,
            at: now,
        }
    }

    /// When `sends` may start (one at least, the bucket's capacity at most): `now`, or later.
    fn ready_at(&mut self, now: Instant, sends: usize) -> Instant {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.per_sec).min(self.capacity);
        self.at = now;
        let wanted = (sends.max(1) as f64).min(self.capacity);
        // The epsilon absorbs rounding: waking at the instant computed below must succeed.
        if self.tokens >= wanted - 1e-6 {
            now
        } else {
            now + Duration::from_secs_f64((wanted - self.tokens) / self.per_sec)
        }
    }

    fn spend(&mut self) {
        self.tokens = (self.tokens - 1.0).max(0.0);
    }
}

struct State {
    limits: Limits,
    chats: HashMap<i64, Chat>,
    /// Chats to try now: (sends in the last minute, ticket, chat); the first goes first.
    ready: BTreeSet<(usize, u64, i64)>,
    /// Chats waiting for their limits, by when they may send.
    waiting: BinaryHeap<Reverse<(Instant, i64)>>,
    tickets: u64,
    /// When each send of the last second started, oldest first.
    overall: VecDeque<Instant>,
    /// Spreads the overall limit over the second (see [`Pace`]).
    pace: Pace,
    /// Every chat waits until then (Telegram's overall limit).
    frozen_until: Option<Instant>,
    /// The chat of the latest 429 and when its pause ends.
    last_429: Option<(i64, Instant)>,
    in_flight: usize,
    /// Jobs that ended, with their outcomes, to hand on once the lock is released.
    ended: Vec<(Then, Outcome)>,
    /// The sending task was started (by the first message).
    running: bool,
    closed: bool,
    last_forget: Instant,
}

impl State {
    fn new(limits: Limits) -> State {
        State {
            pace: Pace::new(limits.messages_per_sec_overall, Instant::now()),
            limits,
            chats: HashMap::new(),
            ready: BTreeSet::new(),
            waiting: BinaryHeap::new(),
            tickets: 0,
            overall: VecDeque::new(),
            frozen_until: None,
            last_429: None,
            in_flight: 0,
            ended: Vec::new(),
            running: false,
            closed: false,
            last_forget: Instant::now(),
        }
    }

    /// Puts a chat with something to send, and nothing in flight, among the ready ones.
    fn schedule(&mut self, chat_id: i64, now: Instant) {
        let Some(chat) = self.chats.get_mut(&chat_id) else {
            return;
        };
        if chat.busy || chat.scheduled || chat.jobs.is_empty() {
            return;
        }
        chat.scheduled = true;
        self.make_ready(chat_id, now);
    }

    fn make_ready(&mut self, chat_id: i64, now: Instant) {
        let Some(chat) = self.chats.get_mut(&chat_id) else {
            return;
        };
        chat.forget_before(now);
        self.tickets += 1;
        self.ready.insert((chat.sent.len(), self.tickets, chat_id));
    }

    fn take_ended(&mut self) -> Vec<(Then, Outcome)> {
        std::mem::take(&mut self.ended)
    }

    /// Starts every send allowed now into `started`; returns when to look again (None: when
    /// woken). A closed outbox starts nothing.
    fn dispatch(
        &mut self,
        now: Instant,
        started: &mut Vec<(i64, BoxFuture<'static, Result<Sent, RequestError>>)>,
    ) -> Option<Instant> {
        if self.closed {
            return None;
        }
        while self.overall.front().is_some_and(|t| *t + SECOND <= now) {
            self.overall.pop_front();
        }
        while let Some(&Reverse((at, chat_id))) = self.waiting.peek() {
            if at > now {
                break;
            }
            self.waiting.pop();
            self.make_ready(chat_id, now);
        }
        if now.duration_since(self.last_forget) >= MINUTE {
            self.last_forget = now;
            self.chats.retain(|_, chat| !chat.is_idle(now));
        }
        match self.frozen_until {
            Some(until) if until > now => return Some(until),
            _ => self.frozen_until = None,
        }
        let overall_limit = self.limits.messages_per_sec_overall.max(1) as usize;
        // Sends started by this call: once a group has started, the rest of it follows.
        let mut started_here = 0;
        while let Some(&key) = self.ready.first() {
            if self.overall.len() >= overall_limit {
                return Some(self.overall[self.overall.len() - overall_limit] + SECOND);
            }
            let group = self.group_size(key);
            let sends = if started_here > 0 { 1 } else { group };
            if self.pace.ready_at(now, sends) > now {
                // The next call starts a new group: look again when it may.
                return Some(self.pace.ready_at(now, group));
            }
            self.ready.remove(&key);
            let chat_id = key.2;
            let Some(chat) = self.chats.get_mut(&chat_id) else {
                continue;
            };
            let at = chat.next_allowed(now, &self.limits, chat_id);
            if at > now {
                self.waiting.push(Reverse((at, chat_id)));
                continue;
            }
            let Some(attempt) = chat.jobs.front().and_then(|job| job.parts.front()) else {
                chat.scheduled = false;
                continue;
            };
            let request = attempt();
            chat.scheduled = false;
            chat.busy = true;
            chat.paused_until = None;
            chat.sent.push_back(now);
            self.overall.push_back(now);
            self.pace.spend();
            self.in_flight += 1;
            started_here += 1;
            started.push((chat_id, request));
        }
        self.waiting.peek().map(|Reverse((at, _))| *at)
    }

    /// How many sends to start together when the first ready chat is `head`. Under load a
    /// send started alone costs a wake-up of the process, its own HTTP round and its own inbox
    /// mark; chats alike in line (the next one sent no more than `head` in the last minute) go
    /// as a group of up to a tenth of a second's sends: one wake-up, and answers that come
    /// back together share a mark write (issue 13: a reply paced alone cost three times the
    /// CPU of one sent with others). A chat that sent less than those behind it is jumping
    /// the queue and goes at the next token.
    fn group_size(&self, head: (usize, u64, i64)) -> usize {
        let mut behind = self.ready.iter().skip(1);
        if behind.next().is_none_or(|next| next.0 > head.0) {
            return 1;
        }
        self.ready.len()
    }

    /// A send came back: the message is done, paused for a resend, or its job failed.
    fn finish(&mut self, chat_id: i64, result: Result<Sent, RequestError>, now: Instant) {
        self.in_flight = self.in_flight.saturating_sub(1);
        let Some(chat) = self.chats.get_mut(&chat_id) else {
            return;
        };
        chat.busy = false;
        let Some(job) = chat.jobs.front_mut() else {
            return;
        };
        match result {
            Ok(message) => {
                job.parts.pop_front();
                job.resends = 0;
                job.sent.push(message);
                if job.parts.is_empty()
                    && let Some(mut job) = chat.jobs.pop_front()
                {
                    let sent = std::mem::take(&mut job.sent);
                    self.ended.push((job.then, Ok(sent)));
                }
            }
            Err(RequestError::RetryAfter(wait)) => {
                let until = now + wait.duration();
                chat.paused_until = Some(until);
                if let Some((other, other_until)) = self.last_429
                    && other != chat_id
                    && other_until > now
                {
                    tracing::warn!(?wait, "429 in two chats at once: pausing every chat");
                    self.frozen_until = Some(until.max(self.frozen_until.unwrap_or(until)));
                } else {
                    tracing::warn!(chat = chat_id, ?wait, "429: pausing this chat");
                }
                self.last_429 = Some((chat_id, until));
            }
            Err(err) if is_transient(&err) && job.resends < RESEND_AFTER.len() => {
                tracing::warn!(chat = chat_id, error = %err, "send failed; sending again");
                chat.paused_until = Some(now + RESEND_AFTER[job.resends]);
                job.resends += 1;
            }
            Err(err) => {
                if let Some(job) = chat.jobs.pop_front() {
                    self.ended.push((job.then, Err(Undelivered::Telegram(err))));
                }
            }
        }
        if self.closed {
            let stopped = chat
                .jobs
                .drain(..)
                .map(|job| (job.then, Err(Undelivered::Stopped)));
            self.ended.extend(stopped);
            return;
        }
        self.schedule(chat_id, now);
    }

    /// Nothing in flight, and nothing queued that may go before `deadline`.
    fn settled(&self, now: Instant, deadline: Instant) -> bool {
        if now >= deadline {
            return true;
        }
        if self.in_flight > 0 {
            return false;
        }
        let frozen = self.frozen_until.unwrap_or(now);
        self.chats.iter().all(|(chat_id, chat)| {
            chat.jobs.is_empty()
                || chat.next_allowed(now, &self.limits, *chat_id).max(frozen) > deadline
        })
    }

    /// Stops taking jobs and fails those not in flight; returns how many.
    fn close(&mut self) -> usize {
        self.closed = true;
        self.ready.clear();
        self.waiting.clear();
        let before = self.ended.len();
        for chat in self.chats.values_mut() {
            chat.scheduled = false;
            // The first job of a busy chat ends when its send comes back.
            let keep = usize::from(chat.busy).min(chat.jobs.len());
            let stopped = chat
                .jobs
                .drain(keep..)
                .map(|job| (job.then, Err(Undelivered::Stopped)));
            self.ended.extend(stopped);
        }
        self.ended.len() - before
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            messages_per_sec_chat: 1,
            messages_per_min_chat: 19,
            messages_per_min_channel_or_supergroup: 10,
            messages_per_sec_overall: 30,
        }
    }

    #[test]
    fn a_chat_waits_for_its_second_and_its_minute() {
        let t0 = Instant::now();
        let mut chat = Chat::default();
        let group = -4_000_000_001;
        assert_eq!(chat.next_allowed(t0, &limits(), group), t0);
        chat.sent.push_back(t0);
        assert_eq!(chat.next_allowed(t0, &limits(), group), t0 + SECOND);
        for i in 1..19 {
            chat.sent.push_back(t0 + SECOND * i);
        }
        let later = t0 + SECOND * 20;
        assert_eq!(chat.next_allowed(later, &limits(), group), t0 + MINUTE);
        // A supergroup gets 10 a minute.
        assert_eq!(
            chat.next_allowed(later, &limits(), -1_000_000_000_001),
            t0 + SECOND * 9 + MINUTE
        );
    }

    /// A chat with one queued job; the receiver says how the job ended.
    fn queue_one(st: &mut State, chat_id: i64) -> Delivery {
        let (done, delivery) = oneshot::channel();
        st.chats.entry(chat_id).or_default().jobs.push_back(Job {
            parts: VecDeque::new(),
            resends: 0,
            sent: Vec::new(),
            then: Box::new(move |outcome| {
                let _ = done.send(outcome);
            }),
        });
        Delivery(delivery)
    }

    #[test]
    fn sends_are_spread_over_the_second() {
        let t0 = Instant::now();
        let mut pace = Pace::new(30, t0);
        // A tenth of a second's worth at once, then one every 1/30 s.
        for _ in 0..3 {
            assert_eq!(pace.ready_at(t0, 1), t0);
            pace.spend();
        }
        let next = pace.ready_at(t0, 1);
        let gap = next.duration_since(t0);
        assert!(
            gap > Duration::from_millis(33) && gap < Duration::from_millis(34),
            "{gap:?}"
        );
        // Three together wait for a tenth of a second; more than the bucket holds, the same.
        for sends in [3, 30] {
            let gap = pace.ready_at(t0, sends).duration_since(t0);
            assert!(
                gap > Duration::from_millis(99) && gap < Duration::from_millis(101),
                "{gap:?}"
            );
        }
        assert_eq!(pace.ready_at(next, 1), next);
    }

    /// A chat with one queued message whose send succeeds at once.
    fn queue_sendable(st: &mut State, chat_id: i64, now: Instant) {
        let attempt: Attempt = Box::new(|| {
            futures::future::ready(Ok(Sent {
                message_id: teloxide::types::MessageId(1),
            }))
            .boxed()
        });
        st.chats.entry(chat_id).or_default().jobs.push_back(Job {
            parts: VecDeque::from([attempt]),
            resends: 0,
            sent: Vec::new(),
            then: Box::new(|_| {}),
        });
        st.schedule(chat_id, now);
    }

    #[test]
    fn chats_alike_in_line_go_in_groups_and_a_quieter_one_at_the_next_token() {
        let t0 = Instant::now();
        let mut st = State::new(limits());
        for chat_id in 1..=10 {
            // Each answered once this minute (not this second: no chat waits for its own limit).
            let earlier = t0
                .checked_sub(Duration::from_secs(2))
                .expect("an earlier instant");
            st.chats.entry(chat_id).or_default().sent.push_back(earlier);
            queue_sendable(&mut st, chat_id, t0);
        }
        let mut started = Vec::new();
        let at = |started: &Vec<(i64, _)>| started.iter().map(|(c, _)| *c).collect::<Vec<_>>();
        // The full bucket goes at once; then the next group waits for it to fill again.
        let next = st.dispatch(t0, &mut started).expect("more to send");
        assert_eq!(at(&started), vec![1, 2, 3]);
        assert!(next >= t0 + Duration::from_millis(99), "{:?}", next - t0);
        // Woken early (a reply came back), it still waits for the group.
        started.clear();
        let again = st.dispatch(t0 + Duration::from_millis(40), &mut started);
        assert!(started.is_empty());
        let again = again.expect("more to send");
        let apart = again.max(next).duration_since(again.min(next));
        assert!(apart < Duration::from_millis(1), "{apart:?}");
        started.clear();
        let after = st.dispatch(next, &mut started).expect("more to send");
        assert_eq!(at(&started), vec![4, 5, 6]);
        // A chat that sent nothing this minute does not wait for a group: one token.
        queue_sendable(&mut st, 99, next);
        started.clear();
        let soon = st.dispatch(next, &mut started).expect("a token away");
        assert!(started.is_empty());
        assert!(soon < next + Duration::from_millis(34), "{:?}", soon - next);
        assert!(after > soon);
        started.clear();
        st.dispatch(soon, &mut started);
        assert_eq!(at(&started), vec![99]);
    }

    #[test]
    fn the_chat_that_sent_least_goes_first() {
        let now = Instant::now();
        let mut st = State::new(limits());
        for (chat_id, sent) in [(1, 3), (2, 0), (3, 1)] {
            drop(queue_one(&mut st, chat_id));
            let chat = st.chats.entry(chat_id).or_default();
            chat.sent.extend(std::iter::repeat_n(now, sent));
            st.schedule(chat_id, now);
        }
        let order: Vec<i64> = st.ready.iter().map(|k| k.2).collect();
        assert_eq!(order, vec![2, 3, 1]);
    }

    fn too_many_requests(seconds: u32) -> Result<Sent, RequestError> {
        Err(RequestError::RetryAfter(
            teloxide::types::Seconds::from_seconds(seconds),
        ))
    }

    #[test]
    fn a_429_pauses_its_chat_and_a_second_chats_429_pauses_all() {
        let now = Instant::now();
        let mut st = State::new(limits());
        let _first = queue_one(&mut st, 1);
        let _second = queue_one(&mut st, 2);
        for chat in [1, 2] {
            st.chats.entry(chat).or_default().busy = true;
            st.in_flight += 1;
        }
        st.finish(1, too_many_requests(5), now);
        let paused = st.chats.get(&1).map(|c| c.next_allowed(now, &limits(), 1));
        assert_eq!(paused, Some(now + Duration::from_secs(5)));
        assert_eq!(
            st.frozen_until, None,
            "one chat's 429 pauses that chat only"
        );
        assert_eq!(st.chats.get(&1).map(|c| c.jobs.len()), Some(1), "kept");

        st.finish(2, too_many_requests(3), now + SECOND);
        assert_eq!(st.frozen_until, Some(now + SECOND * 4));
        assert_eq!(st.in_flight, 0);
    }

    #[tokio::test]
    async fn a_refused_message_fails_its_job_and_closing_fails_the_rest() {
        let now = Instant::now();
        let mut st = State::new(limits());
        let refused = queue_one(&mut st, 1);
        let waiting = queue_one(&mut st, 1);
        st.chats.entry(1).or_default().busy = true;
        st.in_flight = 1;
        let err = RequestError::Api(teloxide::ApiError::MessageTextIsEmpty);
        st.finish(1, Err(err), now);
        hand_on(st.take_ended());
        assert!(matches!(
            refused.await,
            Err(Undelivered::Telegram(RequestError::Api(_)))
        ));
        assert_eq!(st.close(), 1);
        hand_on(st.take_ended());
        assert!(matches!(waiting.await, Err(Undelivered::Stopped)));
    }
}
