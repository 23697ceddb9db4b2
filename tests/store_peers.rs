//! PostgreSQL with several instances: each keeps teams, channels and goals in memory and drops
//! what a peer changed when the database says so (issue 13). SQLite has one process per file,
//! so these run on PostgreSQL only.

mod common;

use std::time::Duration;

use campaign_bot::domain::ids::ChatId;
use campaign_bot::domain::playbook::Tier;
use campaign_bot::storage::{NewTeam, Store, TeamSetting};

const T: i64 = common::T0;
const CHAT: ChatId = ChatId(-4242);

/// Checks `done` again at each change `store`'s plan cache takes in (a notice crosses the real
/// server, so it comes when it comes), until it holds; fails after a generous deadline.
async fn eventually<F: AsyncFn() -> bool>(store: &Store, what: &str, done: F) {
    let mut changes = store.plan_changes();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        // Seen before the check: a change during it still wakes the wait below.
        changes.borrow_and_update();
        if done().await {
            return;
        }
        tokio::time::timeout_at(deadline, changes.changed())
            .await
            .unwrap_or_else(|_| panic!("never: {what}"))
            .expect("the cache lives as long as the store");
    }
}

async fn title(store: &Store) -> String {
    let team = store.team(CHAT).await.expect("read").expect("team");
    team.title
}

async fn set_trigger(store: &Store, on: bool) {
    let verb = if on { "ENABLE" } else { "DISABLE" };
    store
        .execute_raw(&format!(
            "ALTER TABLE teams {verb} TRIGGER teams_plan_changed"
        ))
        .await
        .expect("trigger");
}

#[tokio::test]
async fn a_peers_change_reaches_this_instances_cache() {
    let Some(db) = common::TestDb::postgres("a_peers_change_reaches").await else {
        return;
    };
    let mine = &db.store;
    let peer = Store::connect(&db.url).await.expect("peer");
    let team = NewTeam {
        chat_id: CHAT,
        title: "Growth",
        detected_lang: Some("en"),
        tz: "Asia/Shanghai",
    };
    peer.ensure_team(&team, T).await.expect("team");
    assert_eq!(title(mine).await, "Growth");
    eventually(mine, "listening", async || mine.plan_cache_serving()).await;
    assert_eq!(title(mine).await, "Growth", "read once more, now kept");

    // Kept, not re-read: a change nobody announces is not seen.
    set_trigger(&peer, false).await;
    peer.execute_raw(&format!(
        "UPDATE teams SET title = 'Quiet' WHERE chat_id = {}",
        CHAT.0
    ))
    .await
    .expect("raw");
    assert_eq!(title(mine).await, "Growth", "served from memory");
    set_trigger(&peer, true).await;

    // An announced change is: the team, and a channel added by the peer.
    peer.update_team(CHAT, &TeamSetting::Title("Sales".into()), T + 1)
        .await
        .expect("rename");
    eventually(mine, "the rename", async || title(mine).await == "Sales").await;
    assert!(mine.channels(CHAT).await.expect("channels").is_empty());
    peer.add_channel(CHAT, "taobao", Tier::Core, 0, T + 2)
        .await
        .expect("channel");
    eventually(mine, "the channel", async || {
        mine.channels(CHAT).await.expect("channels").len() == 1
    })
    .await;

    // Its listener lost (the last statement on its connection was its probe): what changed meanwhile went unheard, so it starts over.
    set_trigger(&peer, false).await;
    peer.execute_raw(&format!(
        "UPDATE teams SET title = 'Unheard' WHERE chat_id = {}",
        CHAT.0
    ))
    .await
    .expect("raw");
    assert_eq!(title(mine).await, "Sales", "still kept");
    peer.execute_raw(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid() \
         AND query LIKE 'SELECT pg_notify%'",
    )
    .await
    .expect("terminate");
    eventually(mine, "forgetting", async || title(mine).await == "Unheard").await;
    set_trigger(&peer, true).await;
    eventually(mine, "listening again", async || mine.plan_cache_serving()).await;
    peer.update_team(CHAT, &TeamSetting::Title("Again".into()), T + 3)
        .await
        .expect("rename");
    eventually(mine, "a change after", async || {
        title(mine).await == "Again"
    })
    .await;

    peer.close().await;
    db.cleanup().await;
}
