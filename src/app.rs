//! Wiring: store, bot (with its outbox), dispatcher, scheduler; run until SIGINT/SIGTERM.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use teloxide::adaptors::throttle::Limits;
use teloxide::dispatching::ShutdownToken;
use teloxide::error_handlers::LoggingErrorHandler;
use teloxide::prelude::*;
use teloxide::types::{AllowedUpdate, Update};
use teloxide::update_listeners::webhooks;

use crate::bot::inbox::{self, DurableListener};
use crate::bot::polling::StoredPolling;
use crate::bot::{self, AppContext, Ctx, TgBot};
use crate::clock::SharedClock;
use crate::config::Settings;
use crate::scheduler::{Scheduler, SchedulerHandle};
use crate::storage::Store;

/// Telegram's documented limits, with one message a minute per group kept in hand: the outbox
/// may start the 21st message exactly a minute after the 1st, and network jitter on the way
/// could land 21 inside Telegram's minute. The emulator is not Telegram, so `console` and the
/// tests may relax them to keep a scripted session quick.
pub fn telegram_limits() -> Limits {
    Limits {
        messages_per_min_chat: 19,
        ..Limits::default()
    }
}

pub fn relaxed_limits() -> Limits {
    Limits {
        messages_per_sec_chat: 1000,
        messages_per_min_chat: 60_000,
        messages_per_min_channel_or_supergroup: 60_000,
        messages_per_sec_overall: 1000,
    }
}

/// How long a `getUpdates` waits for an update before answering empty (long polling).
/// Without it teloxide short-polls: a request per round trip, all day, even when idle.
pub const POLL_TIMEOUT: Duration = Duration::from_secs(10);

/// The HTTP client's limit: above the poll timeout, so a waiting poll is never cut off.
const HTTP_TIMEOUT: Duration = Duration::from_secs(25);

/// The update types the handler tree uses; Telegram sends nothing else (chat_member is not
/// sent by default at all, so it must be asked for).
pub const ALLOWED_UPDATES: [AllowedUpdate; 4] = [
    AllowedUpdate::Message,
    AllowedUpdate::CallbackQuery,
    AllowedUpdate::MyChatMember,
    AllowedUpdate::ChatMember,
];

pub fn make_bot(token: &str, api_url: Option<&url::Url>, limits: Limits) -> TgBot {
    let client = teloxide::net::default_reqwest_settings()
        .timeout(HTTP_TIMEOUT)
        .build()
        .unwrap_or_else(|err| {
            // Only a broken TLS set-up fails here; teloxide's own client is the fallback.
            tracing::warn!(error = %err, "cannot build the HTTP client; using the default");
            teloxide::net::client_from_env()
        });
    let mut bot = Bot::with_client(token, client);
    if let Some(url) = api_url {
        bot = bot.set_api_url(url.clone());
    }
    TgBot::new(bot, limits)
}

/// How long a stopping process keeps sending what is queued; `fly.toml` allows 30 s in all.
/// Replies still queued after it stay unfinished in the inbox and are handled at the next start.
const STOP_SENDING_GRACE: Duration = Duration::from_secs(20);

/// The same for `Running::stop` (console, tests): what can go within it is sent.
const FLUSH_GRACE: Duration = Duration::from_secs(5);

/// How many per-chat queues the dispatcher keeps at most (issue 8, load).
const CHAT_LANES: i64 = 64;

/// The dispatcher's queue for an update: every update of a chat goes to the same lane, so each
/// chat is still handled in order. Lanes are few because teloxide keeps a worker per key, each
/// with a 32-update (~61 KiB) queue block and its waiting handler: one per chat cost 26 MiB of
/// heap in a 300-chat burst (docs/PERFORMANCE.md). Sharing a lane costs a group only the other
/// group's handling time: replies wait in the outbox, not in the handler.
fn chat_lane(update: &Update) -> Option<i64> {
    update.chat().map(|chat| chat.id.0.rem_euclid(CHAT_LANES))
}

pub struct App {
    pub ctx: Ctx,
    pub bot: TgBot,
}

impl App {
    pub fn new(settings: Settings, clock: SharedClock, store: Store, bot: TgBot) -> App {
        App {
            ctx: AppContext::new(store, clock, settings),
            bot,
        }
    }

    fn dispatcher(&self) -> Dispatcher<Bot, bot::BotError, i64> {
        Dispatcher::builder(self.bot.api().clone(), bot::schema())
            .distribution_function(chat_lane)
            .dependencies(dptree::deps![self.ctx.clone(), self.bot.clone()])
            .default_handler(|_| async {})
            .error_handler(LoggingErrorHandler::with_custom_text("handler error"))
            .build()
    }

    /// Long polling until a signal; in-flight handlers finish before it returns.
    pub async fn run_polling(self) -> anyhow::Result<()> {
        bot::set_menus(&self.bot)
            .await
            .context("setMyCommands failed")?;
        let replay = self.recover().await?;
        let scheduler = self.spawn_scheduler();
        let mut dispatcher = self.dispatcher();
        stop_on_signal(dispatcher.shutdown_token());
        tracing::info!("polling for updates");
        let listener = self.polling_listener(replay).await;
        dispatcher
            .dispatch_with_listener(
                listener,
                LoggingErrorHandler::with_custom_text("polling error"),
            )
            .await;
        scheduler.stop().await;
        self.bot.outbox().close(STOP_SENDING_GRACE).await;
        self.ctx.close_store().await;
        tracing::info!("stopped cleanly");
        Ok(())
    }

    /// Webhook server until a signal: Telegram posts updates to `public_url`; `GET /healthz`
    /// answers for the platform.
    pub async fn run_webhook(
        self,
        public_url: url::Url,
        secret: String,
        port: u16,
    ) -> anyhow::Result<()> {
        let addr = SocketAddr::from(([0, 0, 0, 0], port));
        let tcp = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        let stop = async {
            wait_for_signal().await;
            tracing::info!("signal received; finishing in-flight work");
        };
        self.serve_webhook(public_url, secret, tcp, stop).await
    }

    /// The webhook server on a bound socket, with the scheduler, until `stop` completes; then
    /// in-flight handlers and sends finish. The webhook is set at start and never deleted on
    /// stop, because other instances behind the same URL keep serving.
    pub async fn serve_webhook(
        self,
        public_url: url::Url,
        secret: String,
        tcp: tokio::net::TcpListener,
        stop: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let addr = tcp.local_addr().context("webhook socket")?;
        let options = webhooks::Options::new(addr, public_url.clone()).secret_token(secret.clone());
        self.bot
            .set_webhook(public_url)
            .secret_token(secret.clone())
            .allowed_updates(ALLOWED_UPDATES.to_vec())
            .await
            .context("setWebhook failed")?;
        bot::set_menus(&self.bot)
            .await
            .context("setMyCommands failed")?;
        let replay = self.recover().await?;
        let (listener, stop_flag, router) = webhooks::axum_no_setup(options);
        let listener = DurableListener::new(listener, &self.ctx, replay);
        let router = crate::webhook::wrap(router, Arc::new(secret), self.ctx.clone());
        tracing::info!(%addr, "webhook server listening");
        let server = tokio::spawn(async move {
            axum::serve(tcp, router)
                .with_graceful_shutdown(stop_flag)
                .await
        });
        let scheduler = self.spawn_scheduler();
        let mut dispatcher = self.dispatcher();
        let token = dispatcher.shutdown_token();
        tokio::spawn(async move {
            stop.await;
            shut_down(&token, || false).await;
        });
        dispatcher
            .dispatch_with_listener(
                listener,
                LoggingErrorHandler::with_custom_text("update listener error"),
            )
            .await;
        scheduler.stop().await;
        self.bot.outbox().close(STOP_SENDING_GRACE).await;
        server
            .await
            .context("webhook server task")?
            .context("webhook server")?;
        self.ctx.close_store().await;
        tracing::info!("stopped cleanly");
        Ok(())
    }

    /// The durable-job loop in the background; stopped after the dispatcher so a signal lets
    /// a send in progress finish and be recorded.
    pub fn spawn_scheduler(&self) -> SchedulerHandle {
        SchedulerHandle::spawn(self.scheduler())
    }

    pub fn scheduler(&self) -> Scheduler {
        Scheduler::new(self.ctx.service.clone(), self.bot.clone())
            .with_housekeeping(Box::new(inbox::Sweep(self.ctx.clone())))
    }

    /// Polling in the background, for `console`, `demo` and the tests; like `run_polling`, it
    /// first handles what a stopped process left unfinished.
    pub fn spawn_polling(&self) -> Running {
        let mut dispatcher = self.dispatcher();
        let token = dispatcher.shutdown_token();
        let app = App {
            ctx: self.ctx.clone(),
            bot: self.bot.clone(),
        };
        let handle = tokio::spawn(async move {
            let replay = match app.recover().await {
                Ok(replay) => replay,
                Err(err) => {
                    tracing::error!(error = %err, "cannot read unfinished updates");
                    Vec::new()
                }
            };
            let listener = app.polling_listener(replay).await;
            dispatcher
                .dispatch_with_listener(
                    listener,
                    LoggingErrorHandler::with_custom_text("polling error"),
                )
                .await
        });
        Running {
            token,
            handle,
            bot: self.bot.clone(),
            ctx: self.ctx.clone(),
        }
    }

    /// Long polling whose updates are stored before the next getUpdates acknowledges them.
    async fn polling_listener(&self, replay: Vec<Update>) -> DurableListener<StoredPolling> {
        let polling = StoredPolling::new(
            self.bot.api().clone(),
            &self.ctx,
            POLL_TIMEOUT,
            &ALLOWED_UPDATES,
        )
        .await;
        DurableListener::new(polling, &self.ctx, replay)
    }

    /// After a stop or a crash: releases a dead process's claims (SQLite) and returns the
    /// updates still to handle, oldest first.
    async fn recover(&self) -> anyhow::Result<Vec<Update>> {
        let store = &self.ctx.store;
        let (updates, jobs) = store
            .release_dead_claims()
            .await
            .context("releasing claims of a stopped process")?;
        if updates + jobs > 0 {
            tracing::warn!(
                updates,
                jobs,
                "a stopped process left work in hand; taking it over"
            );
        }
        inbox::unfinished_updates(store, self.ctx.now())
            .await
            .context("reading unfinished updates")
    }
}

pub struct Running {
    token: ShutdownToken,
    handle: tokio::task::JoinHandle<()>,
    bot: TgBot,
    ctx: Ctx,
}

impl Running {
    /// Stops polling, waits for in-flight handlers, then for their replies (what can be sent
    /// within [`FLUSH_GRACE`]; the outbox stays open for the scheduler).
    pub async fn stop(self) {
        shut_down(&self.token, || self.handle.is_finished()).await;
        let _ = self.handle.await;
        self.bot.outbox().flush(FLUSH_GRACE).await;
        self.ctx.marks.flush().await;
    }
}

/// Asks the dispatcher to stop. It refuses while it is still starting (recovering unfinished
/// updates, asking getMe), so this retries until it accepts, has `ended`, or a minute passed.
async fn shut_down(token: &ShutdownToken, ended: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        match token.shutdown() {
            Ok(done) => return done.await,
            Err(_) if ended() || tokio::time::Instant::now() >= deadline => return,
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(10)).await,
        }
    }
}

fn stop_on_signal(token: ShutdownToken) {
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("signal received; finishing in-flight work");
        shut_down(&token, || false).await;
    });
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut term), Ok(mut int)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) else {
            let _ = tokio::signal::ctrl_c().await;
            return;
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
