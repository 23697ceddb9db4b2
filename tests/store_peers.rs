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
    set_table_trigger(store, "teams", on).await;
}

async fn set_table_trigger(store: &Store, table: &str, on: bool) {
    let verb = if on { "ENABLE" } else { "DISABLE" };
    store
        .execute_raw(&format!(
            "ALTER TABLE {table} {verb} TRIGGER {table}_plan_changed"
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

/// A team this instance inserts has no channels or goals yet, and it knows so without reading
/// them; a goal a peer sets later is heard as any change is. A team that existed is not
/// assumed empty.
#[tokio::test]
async fn a_team_this_instance_creates_is_known_to_have_no_plan() {
    let Some(db) = common::TestDb::postgres("a_team_this_instance_creates").await else {
        return;
    };
    let mine = &db.store;
    let peer = Store::connect(&db.url).await.expect("peer");
    assert_eq!(mine.team(CHAT).await.expect("read"), None);
    eventually(mine, "listening", async || mine.plan_cache_serving()).await;
    let team = |chat_id| NewTeam {
        chat_id,
        title: "Growth",
        detected_lang: Some("en"),
        tz: "Asia/Shanghai",
    };
    let older = ChatId(-4343);
    peer.ensure_team(&team(older), T).await.expect("older team");
    mine.ensure_team(&team(CHAT), T).await.expect("new team");
    mine.ensure_team(&team(older), T).await.expect("known team");

    // Goals and a channel nobody announces: not seen for the team just created (its empty
    // plan is kept), seen for the older one (read).
    for table in ["goals", "channels"] {
        set_table_trigger(&peer, table, false).await;
    }
    for chat in [CHAT, older] {
        peer.execute_raw(&format!(
            "INSERT INTO goals (chat_id, metric, channel, direction, period, value, created_at, updated_at) \
             VALUES ({}, 'roi', '', 'at_least', '', 2000000, {T}, {T}); \
             INSERT INTO channels (chat_id, name, tier, monthly_budget, created_at, updated_at) \
             VALUES ({}, 'taobao', 'core', 0, {T}, {T})",
            chat.0, chat.0
        ))
        .await
        .expect("raw");
    }
    assert!(mine.goals(CHAT).await.expect("goals").is_empty(), "known");
    assert!(
        mine.channels(CHAT).await.expect("channels").is_empty(),
        "known"
    );
    assert_eq!(mine.goals(older).await.expect("goals").len(), 1, "read");
    assert_eq!(
        mine.channels(older).await.expect("channels").len(),
        1,
        "read"
    );
    for table in ["goals", "channels"] {
        set_table_trigger(&peer, table, true).await;
    }

    // An announced change is heard: the peer's goal for the new team.
    let goal = campaign_bot::storage::NewGoal {
        chat_id: CHAT,
        metric: "cvr",
        channel: "",
        direction: "at_least",
        period: "",
        value: 30_000,
    };
    peer.set_goal(&goal, T + 1).await.expect("goal");
    eventually(mine, "the goal", async || {
        mine.goals(CHAT).await.expect("goals").len() == 2
    })
    .await;
    peer.close().await;
    db.cleanup().await;
}
