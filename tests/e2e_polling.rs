//! Long polling as Telegram expects it: an idle bot holds one `getUpdates` open at a time
//! (issue 13) instead of asking thousands of times a second, and a message that arrives while
//! a poll waits is still answered.

#[macro_use]
mod common;

use std::time::Duration;

use common::{ALICE, GROUP, TestApp};

/// How long the bot is left alone. Real time, because what is measured is the process's own
/// behaviour while nothing happens; the poll timeout is 10 s, so a well-behaved bot makes at
/// most one request here (two if a poll happened to end at the start).
const IDLE: Duration = Duration::from_secs(3);

async fn an_idle_bot_makes_a_handful_of_get_updates_not_thousands(mut app: TestApp) {
    // Polling is up once a command has been answered.
    let started = app.reply(GROUP, ALICE, "/start").await;
    assert!(started.contains("Settings for"), "{started}");
    let before = app.emulator.request_count("getUpdates");
    tokio::time::sleep(IDLE).await;
    let during_idle = app.emulator.request_count("getUpdates") - before;
    assert!(
        during_idle <= 2,
        "{during_idle} getUpdates calls in {IDLE:?} of idling: the bot is short-polling"
    );

    // A message arriving while the poll waits wakes it and is answered.
    let reply = app.reply(GROUP, ALICE, "/help").await;
    assert!(reply.contains("/checkin"), "{reply}");
    app.stop().await.cleanup().await;
}

e2e!(an_idle_bot_makes_a_handful_of_get_updates_not_thousands);
