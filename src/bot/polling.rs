//! Long polling that stores each `getUpdates` batch in the inbox in one write, before the next
//! `getUpdates` acknowledges it.
//!
//! Why not teloxide's `Polling`: it sends the next `getUpdates` (which tells Telegram the batch
//! arrived) as soon as it is asked for the update after its last buffered one, so storing the
//! batch in one go behind it would acknowledge updates not yet stored; storing one at a time
//! costs a write per update. Here the batch is written whole as soon as it arrives, then handed
//! out; its acknowledgement rides on the next request, as in teloxide. Errors, `retry_after`,
//! back-off and the stop (a last `getUpdates` that only acknowledges) follow teloxide's
//! `PollingStream`.

use std::collections::VecDeque;
use std::time::Duration;

use futures::stream::BoxStream;
use futures::{FutureExt, StreamExt};
use teloxide::RequestError;
use teloxide::payloads::GetUpdatesSetters;
use teloxide::prelude::*;
use teloxide::stop::{StopFlag, StopToken, mk_stop_token};
use teloxide::types::{AllowedUpdate, Update};
use teloxide::update_listeners::{AsUpdateStream, UpdateListener};

use super::Ctx;
use super::inbox::Arrivals;

/// Telegram's largest batch.
const BATCH_LIMIT: u8 = 100;

pub struct StoredPolling {
    bot: Bot,
    arrivals: Arrivals,
    timeout: Duration,
    allowed_updates: Vec<AllowedUpdate>,
    token: StopToken,
    flag: Option<StopFlag>,
}

impl StoredPolling {
    /// Deletes a webhook if one is set (Telegram refuses `getUpdates` while one is).
    pub async fn new(
        bot: Bot,
        ctx: &Ctx,
        timeout: Duration,
        allowed_updates: &[AllowedUpdate],
    ) -> Self {
        match bot.get_webhook_info().await {
            Ok(info) if info.url.is_some() => {
                if let Err(err) = bot.delete_webhook().await {
                    tracing::error!(error = %err, "could not delete the webhook");
                }
            }
            Ok(_) => {}
            Err(err) => tracing::error!(error = %err, "could not read the webhook's settings"),
        }
        let (token, flag) = mk_stop_token();
        StoredPolling {
            bot,
            arrivals: Arrivals::new(ctx),
            timeout,
            allowed_updates: allowed_updates.to_vec(),
            token,
            flag: Some(flag),
        }
    }
}

impl UpdateListener for StoredPolling {
    type Err = RequestError;

    fn stop_token(&mut self) -> StopToken {
        self.token.clone()
    }

    /// Ignored: the listener asks for `allowed_updates` given at construction (see
    /// `DurableListener::hint_allowed_updates`).
    fn hint_allowed_updates(&mut self, _hint: &mut dyn Iterator<Item = AllowedUpdate>) {}
}

impl<'a> AsUpdateStream<'a> for StoredPolling {
    type StreamErr = RequestError;
    type Stream = BoxStream<'a, Result<Update, RequestError>>;

    fn as_stream(&'a mut self) -> Self::Stream {
        // A second stream from the same listener (not done by the dispatcher) would never stop.
        let flag = self.flag.take().unwrap_or_else(|| {
            let (token, flag) = mk_stop_token();
            self.token = token;
            flag
        });
        let state = Poller {
            bot: self.bot.clone(),
            arrivals: self.arrivals.clone(),
            timeout: u32::try_from(self.timeout.as_secs()).unwrap_or(u32::MAX),
            allowed_updates: Some(self.allowed_updates.clone()),
            flag,
            offset: 0,
            buffer: VecDeque::new(),
            pause: None,
            errors: 0,
            stopping: false,
        };
        futures::stream::unfold(state, Poller::next).boxed()
    }
}

struct Poller {
    bot: Bot,
    arrivals: Arrivals,
    timeout: u32,
    /// Sent with the first request only: Telegram keeps it.
    allowed_updates: Option<Vec<AllowedUpdate>>,
    flag: StopFlag,
    /// The id after the last update received (and stored): the next request acknowledges
    /// everything before it.
    offset: i32,
    buffer: VecDeque<Update>,
    /// A wait before the next request, after an error.
    pause: Option<Duration>,
    errors: u32,
    stopping: bool,
}

type Next = Option<(Result<Update, RequestError>, Poller)>;

impl Poller {
    async fn next(mut self) -> Next {
        loop {
            if let Some(update) = self.buffer.pop_front() {
                return Some((Ok(update), self));
            }
            if !self.stopping && (&mut self.flag).now_or_never().is_some() {
                self.stopping = true;
            }
            if self.stopping {
                return self.acknowledge_and_end().await;
            }
            if let Some(pause) = self.pause.take() {
                tokio::select! {
                    _ = &mut self.flag => self.stopping = true,
                    _ = tokio::time::sleep(pause) => {}
                }
                continue;
            }
            let request = self
                .bot
                .get_updates()
                .offset(self.offset)
                .limit(BATCH_LIMIT)
                .timeout(self.timeout);
            let request = match self.allowed_updates.clone() {
                Some(allowed) => request.allowed_updates(allowed),
                None => request,
            };
            // A long poll is dropped on stop: updates that came since are Telegram's to keep.
            let answer = tokio::select! {
                _ = &mut self.flag => {
                    self.stopping = true;
                    continue;
                }
                answer = request.send() => answer,
            };
            match answer {
                Ok(updates) => {
                    self.errors = 0;
                    self.allowed_updates = None;
                    if let Some(last) = updates.last() {
                        self.offset = last.id.as_offset();
                    }
                    self.arrivals.keep(&updates).await;
                    self.buffer.extend(updates);
                }
                Err(err) => {
                    self.pause = Some(self.pause_after(&err));
                    return Some((Err(err), self));
                }
            }
        }
    }

    /// Tells Telegram the updates handed out arrived, without waiting for more, and ends.
    async fn acknowledge_and_end(mut self) -> Next {
        if self.offset == 0 {
            return None;
        }
        let offset = std::mem::take(&mut self.offset);
        match self
            .bot
            .get_updates()
            .offset(offset)
            .limit(1)
            .timeout(0)
            .await
        {
            Ok(_) => None,
            // Reported once; the stream ends on the next call (offset is 0 now).
            Err(err) => Some((Err(err), self)),
        }
    }

    /// `retry_after` when Telegram gives one, else teloxide's exponential back-off.
    fn pause_after(&mut self, err: &RequestError) -> Duration {
        if let RequestError::RetryAfter(seconds) = err {
            self.errors = 0;
            return seconds.duration();
        }
        let delay = teloxide::backoff::exponential_backoff_strategy(self.errors);
        self.errors = self.errors.saturating_add(1);
        delay
    }
}
