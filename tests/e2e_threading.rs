//! In a group, the answer to a command is threaded to it (SPEC §6); in private, and for
//! automatic messages, nothing is a reply.

#[macro_use]
mod common;

use common::{ALICE, BOB, GROUP, TestApp};

async fn group_replies_thread_to_the_command_and_pings_do_not(mut app: TestApp) {
    app.reply(GROUP, ALICE, "/start").await;
    let before = app.emulator.sent_count();
    app.emulator.send_text(GROUP, BOB, "/whoami");
    app.emulator.send_text(GROUP, ALICE, "/whoami");
    app.wait_handled().await;
    app.wait_handled().await;
    let replies = app.emulator.sent_since(before);
    assert_eq!(replies.len(), 2, "{replies:#?}");
    // Each answer points at its own command: the two commands are the two newest user
    // messages, and the answers name different ones.
    let targets: Vec<i64> = replies
        .iter()
        .map(|m| m.reply_to_message_id.expect("threaded"))
        .collect();
    assert_ne!(targets[0], targets[1]);
    for m in &replies {
        let asker = if m.text.contains("bob") {
            "bob"
        } else {
            "alice"
        };
        assert!(m.text.contains(asker), "{}", m.text);
    }

    // A task's deadline ping is an automatic message: not a reply to anything.
    app.reply(GROUP, ALICE, "/task @bob Write the brief due +2h")
        .await;
    let pings = app.advance(3600 + 60).await;
    assert!(!pings.is_empty(), "the 1 h ping");
    assert!(
        pings.iter().all(|m| m.reply_to_message_id.is_none()),
        "{pings:#?}"
    );

    // In private there is no one else to tell apart.
    let private = app.say(BOB, BOB, "/start").await;
    assert!(private.iter().all(|m| m.reply_to_message_id.is_none()));
    app.stop().await.cleanup().await;
}

e2e!(group_replies_thread_to_the_command_and_pings_do_not);
