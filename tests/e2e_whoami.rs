//! `/whoami` end to end: role, open tasks, channels owned, escaped titles, group only.

#[macro_use]
mod common;

use common::{ALICE, BOB, GROUP, TestApp};

async fn whoami_shows_role_tasks_and_channels(mut app: TestApp) {
    app.reply(GROUP, ALICE, "/start").await;
    app.reply(GROUP, ALICE, "/channel add xhs core 30000").await;
    app.reply(GROUP, ALICE, "/channel owner xhs @bob").await;
    let created = app
        .reply(GROUP, ALICE, "/task @bob Publish <3> notes due fri 18:00")
        .await;
    assert!(created.contains("#1"), "{created}");

    let bob = app.reply(GROUP, BOB, "/whoami").await;
    // The title is user text: escaped, never markup.
    for part in [
        "bob",
        "member",
        "Open tasks (1)",
        "#1 Publish &lt;3&gt; notes",
        "#xhs",
    ] {
        assert!(bob.contains(part), "{part:?} missing in {bob}");
    }

    let alice = app.reply(GROUP, ALICE, "/whoami").await;
    for part in ["alice", "admin", "No open tasks", "You own no channel"] {
        assert!(alice.contains(part), "{part:?} missing in {alice}");
    }

    // Done tasks leave the list.
    app.reply(GROUP, BOB, "/done 1").await;
    let after = app.reply(GROUP, BOB, "/whoami").await;
    assert!(after.contains("No open tasks"), "{after}");

    // In private there is no team to be someone in.
    let private = app.reply(BOB, BOB, "/whoami").await;
    assert!(!private.contains("member"), "{private}");
    app.stop().await.cleanup().await;
}

e2e!(whoami_shows_role_tasks_and_channels);
