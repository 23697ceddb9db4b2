//! Long polling as Telegram expects it (issue 13): every `getUpdates` waits (a timeout, so an
//! idle bot holds one request open instead of asking thousands of times a second) and asks only
//! for the update types the bot handles; a message that arrives while a poll waits is answered.
//! Read from the requests themselves, so no test waits on the wall clock.

#[macro_use]
mod common;

use campaign_bot::app::POLL_TIMEOUT;
use common::{ALICE, GROUP, TestApp};
use serde_json::Value;

/// A JSON parameter as a number, whether sent as one or as a string.
fn as_u64(v: &Value) -> Option<u64> {
    v.as_u64().or_else(|| v.as_str()?.parse().ok())
}

async fn every_poll_waits_and_asks_only_for_what_the_bot_handles(mut app: TestApp) {
    let started = app.reply(GROUP, ALICE, "/start").await;
    assert!(started.contains("Settings for"), "{started}");
    let params = app
        .emulator
        .last_params("getUpdates")
        .expect("the bot polls");
    let timeout = params.get("timeout").and_then(as_u64);
    assert_eq!(
        timeout,
        Some(POLL_TIMEOUT.as_secs()),
        "a getUpdates without a timeout short-polls: {params}"
    );
    // teloxide sends the list with its first poll only; Telegram keeps it.
    let allowed = app
        .emulator
        .allowed_updates()
        .expect("the bot names its update types");
    assert_eq!(
        allowed,
        ["message", "callback_query", "my_chat_member", "chat_member"],
        "allowed updates"
    );

    // A message arriving while the poll waits wakes it and is answered; the two commands
    // together cost a handful of polls, not a stream of them.
    let before = app.emulator.request_count("getUpdates");
    let reply = app.reply(GROUP, ALICE, "/help").await;
    assert!(reply.contains("/checkin"), "{reply}");
    let polls = app.emulator.request_count("getUpdates") - before;
    assert!(polls <= 3, "{polls} getUpdates for one command");
    app.stop().await.cleanup().await;
}

e2e!(every_poll_waits_and_asks_only_for_what_the_bot_handles);

/// A bot that last ran in webhook mode starts polling: it deletes the webhook first (Telegram
/// answers getUpdates with 409 while one is set), then answers commands.
#[tokio::test]
async fn polling_deletes_a_webhook_left_from_webhook_mode() {
    use campaign_bot::app::{self, App};
    use campaign_bot::clock::{ManualClock, SharedClock};
    use teloxide::prelude::Requester;

    let db = common::TestDb::sqlite().await;
    let clock: SharedClock = ManualClock::new(common::T0);
    let emulator = common::team_emulator(clock.clone()).await;
    let bot = app::make_bot(
        &emulator.token(),
        Some(&emulator.api_url()),
        app::relaxed_limits(),
    );
    let hook = url::Url::parse("http://127.0.0.1:9/hook").expect("url");
    bot.api().set_webhook(hook).await.expect("set webhook");
    assert!(emulator.webhook().is_some());

    let app = App::new(common::settings(&db.url), clock, db.store.clone(), bot);
    let ctx = app.ctx.clone();
    let running = app.spawn_polling();
    emulator.send_text(GROUP, ALICE, "/help");
    assert!(
        ctx.tracker
            .wait_finished(1, std::time::Duration::from_secs(20))
            .await,
        "the command was not handled"
    );
    assert_eq!(emulator.webhook(), None, "the webhook is deleted");
    let sent = emulator.sent_since(0);
    assert!(
        sent.iter().any(|m| m.text.contains("/checkin")),
        "{sent:#?}"
    );
    running.stop().await;
    db.cleanup().await;
}
