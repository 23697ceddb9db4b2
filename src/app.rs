//! Wiring: store, bot (behind Throttle), dispatcher, scheduler; run until SIGINT/SIGTERM.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context as _;
use teloxide::adaptors::throttle::Limits;
use teloxide::dispatching::ShutdownToken;
use teloxide::error_handlers::LoggingErrorHandler;
use teloxide::prelude::*;
use teloxide::update_listeners::webhooks;

use crate::bot::{self, AppContext, Ctx, TgBot};
use crate::clock::SharedClock;
use crate::config::Settings;
use crate::scheduler::{Scheduler, SchedulerHandle};
use crate::storage::Store;

/// Telegram's documented limits; the emulator is not Telegram, so `console` and the tests may
/// relax them to keep a scripted session quick.
pub fn telegram_limits() -> Limits {
    Limits::default()
}

pub fn relaxed_limits() -> Limits {
    Limits {
        messages_per_sec_chat: 1000,
        messages_per_min_chat: 60_000,
        messages_per_min_channel_or_supergroup: 60_000,
        messages_per_sec_overall: 1000,
    }
}

pub fn make_bot(token: &str, api_url: Option<&url::Url>, limits: Limits) -> TgBot {
    let mut bot = Bot::new(token);
    if let Some(url) = api_url {
        bot = bot.set_api_url(url.clone());
    }
    bot.throttle(limits)
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

    fn dispatcher(&self) -> Dispatcher<TgBot, bot::BotError, teloxide::dispatching::DefaultKey> {
        Dispatcher::builder(self.bot.clone(), bot::schema())
            .dependencies(dptree::deps![self.ctx.clone()])
            .default_handler(|_| async {})
            .error_handler(LoggingErrorHandler::with_custom_text("handler error"))
            .build()
    }

    /// Long polling until a signal; in-flight handlers finish before it returns.
    pub async fn run_polling(self) -> anyhow::Result<()> {
        bot::set_menus(&self.bot)
            .await
            .context("setMyCommands failed")?;
        let scheduler = self.spawn_scheduler();
        let mut dispatcher = self.dispatcher();
        stop_on_signal(dispatcher.shutdown_token());
        tracing::info!("polling for updates");
        dispatcher.dispatch().await;
        scheduler.stop().await;
        self.ctx.store.close().await;
        tracing::info!("stopped cleanly");
        Ok(())
    }

    /// Webhook server: Telegram posts updates to `public_url`; `GET /healthz` answers for the
    /// platform. The webhook is set at start and never deleted on stop, because other
    /// instances behind the same URL keep serving.
    pub async fn run_webhook(
        self,
        public_url: url::Url,
        secret: String,
        port: u16,
    ) -> anyhow::Result<()> {
        let addr = SocketAddr::from(([0, 0, 0, 0], port));
        let options = webhooks::Options::new(addr, public_url.clone()).secret_token(secret.clone());
        self.bot
            .set_webhook(public_url)
            .secret_token(secret.clone())
            .await
            .context("setWebhook failed")?;
        bot::set_menus(&self.bot)
            .await
            .context("setMyCommands failed")?;
        let (listener, stop_flag, router) = webhooks::axum_no_setup(options);
        let router = crate::webhook::wrap(router, Arc::new(secret));
        let tcp = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        tracing::info!(%addr, "webhook server listening");
        let server = tokio::spawn(async move {
            axum::serve(tcp, router)
                .with_graceful_shutdown(stop_flag)
                .await
        });
        let mut dispatcher = self.dispatcher();
        stop_on_signal(dispatcher.shutdown_token());
        dispatcher
            .dispatch_with_listener(
                listener,
                LoggingErrorHandler::with_custom_text("update listener error"),
            )
            .await;
        server
            .await
            .context("webhook server task")?
            .context("webhook server")?;
        self.ctx.store.close().await;
        tracing::info!("stopped cleanly");
        Ok(())
    }

    /// The durable-job loop in the background; stopped after the dispatcher so a signal lets
    /// a send in progress finish and be recorded.
    pub fn spawn_scheduler(&self) -> SchedulerHandle {
        SchedulerHandle::spawn(self.scheduler())
    }

    pub fn scheduler(&self) -> Scheduler {
        Scheduler::new(self.ctx.clone(), self.bot.clone())
    }

    /// Polling in the background, for `console`, `demo` and the tests.
    pub fn spawn_polling(&self) -> Running {
        let mut dispatcher = self.dispatcher();
        let token = dispatcher.shutdown_token();
        let handle = tokio::spawn(async move { dispatcher.dispatch().await });
        Running { token, handle }
    }
}

pub struct Running {
    token: ShutdownToken,
    handle: tokio::task::JoinHandle<()>,
}

impl Running {
    /// Stops polling and waits for in-flight handlers.
    pub async fn stop(self) {
        if let Ok(done) = self.token.shutdown() {
            done.await;
        }
        let _ = self.handle.await;
    }
}

fn stop_on_signal(token: ShutdownToken) {
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("signal received; finishing in-flight work");
        match token.shutdown() {
            Ok(done) => done.await,
            Err(_) => tracing::warn!("dispatcher was idle or not yet running"),
        }
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
