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

/// Waits (on real time: a notice travels through the server) until `done`, or fails.
async fn eventually<F: AsyncFn() -> bool>(what: &str, done: F) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !done().await {
        assert!(tokio::time::Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
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
    eventually("listening", async || mine.plan_cache_serving()).await;
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
    eventually("the rename", async || title(mine).await == "Sales").await;
    assert!(mine.channels(CHAT).await.expect("channels").is_empty());
    peer.add_channel(CHAT, "taobao", Tier::Core, 0, T + 2)
        .await
        .expect("channel");
    eventually("the channel", async || {
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
    eventually("forgetting", async || title(mine).await == "Unheard").await;
    set_trigger(&peer, true).await;
    eventually("listening again", async || mine.plan_cache_serving()).await;
    peer.update_team(CHAT, &TeamSetting::Title("Again".into()), T + 3)
        .await
        .expect("rename");
    eventually("a change after", async || title(mine).await == "Again").await;

    peer.close().await;
    db.cleanup().await;
}
