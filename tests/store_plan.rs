//! The plan's Store contract (channels and goals), run against SQLite and PostgreSQL alike.

#[macro_use]
mod common;

use campaign_bot::domain::ids::{ChatId, UserId};
use campaign_bot::domain::playbook::Tier;
use campaign_bot::storage::{NewGoal, NewTeam, Store};

contract!(
    channels_are_added_changed_and_listed_per_team,
    a_live_name_is_unique,
    a_removed_channel_stays_readable_and_its_name_is_free,
    goals_are_set_replaced_and_cleared,
    a_channels_goals_clear_together,
);

const T: i64 = common::T0;
const A: i64 = -1001;
const B: i64 = -1002;

async fn teams(store: &Store) {
    for chat_id in [A, B] {
        store
            .ensure_team(
                &NewTeam {
                    chat_id: ChatId(chat_id),
                    title: "Team",
                    detected_lang: Some("en"),
                    tz: "Asia/Shanghai",
                },
                T,
            )
            .await
            .expect("team");
    }
}

async fn channels_are_added_changed_and_listed_per_team(store: &Store) {
    teams(store).await;
    let xhs = store
        .add_channel(ChatId(A), "xhs", Tier::Core, 3_000_000, T)
        .await
        .expect("add xhs");
    assert_eq!(xhs.name, "xhs");
    assert_eq!(xhs.tier, Tier::Core);
    assert_eq!(xhs.monthly_budget, 3_000_000);
    assert_eq!((xhs.owner_id, xhs.owner_username.clone()), (None, None));
    assert_eq!(xhs.removed_at, None);
    store
        .add_channel(ChatId(A), "douyin", Tier::Test, 500_000, T)
        .await
        .expect("add douyin");
    store
        .add_channel(ChatId(B), "jd", Tier::Core, 1, T)
        .await
        .expect("other team");

    let names: Vec<String> = store
        .channels(ChatId(A))
        .await
        .expect("list")
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, ["douyin", "xhs"], "by name, this team only");
    assert!(
        store
            .channel(ChatId(B), "xhs")
            .await
            .expect("lookup")
            .is_none()
    );

    store
        .set_channel_budget(xhs.id, 4_000_000, T + 1)
        .await
        .expect("budget");
    store
        .set_channel_tier(xhs.id, Tier::Test, T + 2)
        .await
        .expect("tier");
    store
        .set_channel_owner(xhs.id, None, Some("wang"), T + 3)
        .await
        .expect("pending owner");
    let c = store
        .channel(ChatId(A), "xhs")
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(c.monthly_budget, 4_000_000);
    assert_eq!(c.tier, Tier::Test);
    assert_eq!(
        (c.owner_id, c.owner_username.as_deref()),
        (None, Some("wang"))
    );
    assert_eq!(c.updated_at, T + 3);
    assert_eq!(c.created_at, T);

    // The pending owner appears (any case, with or without @): linked once.
    assert_eq!(
        store
            .resolve_pending_channel_owner("@Wang", UserId(503), T + 4)
            .await
            .expect("resolve"),
        1
    );
    assert_eq!(
        store
            .resolve_pending_channel_owner("wang", UserId(503), T + 4)
            .await
            .expect("again"),
        0
    );
    store
        .set_channel_owner(xhs.id, Some(UserId(503)), Some("wang"), T + 4)
        .await
        .expect("owner");
    let c = store
        .channel(ChatId(A), "xhs")
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(c.owner_id, Some(UserId(503)));
    store
        .set_channel_owner(xhs.id, None, None, T + 5)
        .await
        .expect("no owner");
    let c = store
        .channel(ChatId(A), "xhs")
        .await
        .expect("get")
        .expect("exists");
    assert_eq!((c.owner_id, c.owner_username), (None, None));
}

async fn a_live_name_is_unique(store: &Store) {
    teams(store).await;
    store
        .add_channel(ChatId(A), "xhs", Tier::Core, 100, T)
        .await
        .expect("first");
    let err = store
        .add_channel(ChatId(A), "xhs", Tier::Test, 200, T)
        .await
        .expect_err("a second live xhs");
    assert!(err.is_unique_violation(), "{err:?}");
    // Nothing changed.
    let c = store
        .channel(ChatId(A), "xhs")
        .await
        .expect("get")
        .expect("exists");
    assert_eq!((c.tier, c.monthly_budget), (Tier::Core, 100));
    assert_eq!(store.channels(ChatId(A)).await.expect("list").len(), 1);
}

async fn a_removed_channel_stays_readable_and_its_name_is_free(store: &Store) {
    teams(store).await;
    let old = store
        .add_channel(ChatId(A), "xhs", Tier::Core, 100, T)
        .await
        .expect("add");
    store
        .set_channel_owner(old.id, Some(UserId(503)), Some("wang"), T + 1)
        .await
        .expect("owner");
    store.remove_channel(old.id, T + 10).await.expect("remove");

    assert!(store.channels(ChatId(A)).await.expect("list").is_empty());
    assert!(
        store
            .channel(ChatId(A), "xhs")
            .await
            .expect("get")
            .is_none()
    );
    let removed = store
        .channel_including_removed(ChatId(A), "xhs")
        .await
        .expect("history lookup")
        .expect("still there");
    assert_eq!(removed.id, old.id);
    assert_eq!(removed.removed_at, Some(T + 10));
    assert_eq!(removed.owner_id, Some(UserId(503)));
    assert_eq!(removed.monthly_budget, 100);

    // The name may be used again; the live one wins the history lookup.
    let new = store
        .add_channel(ChatId(A), "xhs", Tier::Test, 200, T + 20)
        .await
        .expect("reuse the name");
    assert_ne!(new.id, old.id);
    let live = store
        .channel_including_removed(ChatId(A), "xhs")
        .await
        .expect("lookup")
        .expect("exists");
    assert_eq!((live.id, live.removed_at), (new.id, None));

    // Removed twice over: the latest removal is what the history lookup finds.
    store.remove_channel(new.id, T + 30).await.expect("remove");
    let latest = store
        .channel_including_removed(ChatId(A), "xhs")
        .await
        .expect("lookup")
        .expect("exists");
    assert_eq!(latest.id, new.id);
    assert!(
        store
            .channel_including_removed(ChatId(B), "xhs")
            .await
            .expect("other team")
            .is_none()
    );
    assert!(
        store
            .channel_including_removed(ChatId(A), "nothing")
            .await
            .expect("unknown")
            .is_none()
    );
}

fn goal<'a>(
    chat_id: i64,
    metric: &'a str,
    channel: &'a str,
    direction: &'a str,
    period: &'a str,
    value: i64,
) -> NewGoal<'a> {
    NewGoal {
        chat_id: ChatId(chat_id),
        metric,
        channel,
        direction,
        period,
        value,
    }
}

async fn goals_are_set_replaced_and_cleared(store: &Store) {
    teams(store).await;
    store
        .set_goal(&goal(A, "gmv", "", "volume", "month", 50_000_000), T)
        .await
        .expect("gmv");
    store
        .set_goal(&goal(A, "ctr", "xhs", "at_least", "", 25_000), T)
        .await
        .expect("ctr xhs");
    store
        .set_goal(&goal(A, "ctr", "", "at_least", "", 20_000), T)
        .await
        .expect("ctr team");
    store
        .set_goal(&goal(B, "gmv", "", "volume", "week", 1), T)
        .await
        .expect("other team");

    let goals = store.goals(ChatId(A)).await.expect("goals");
    let keys: Vec<(&str, &str, i64)> = goals
        .iter()
        .map(|g| (g.channel.as_str(), g.metric.as_str(), g.value))
        .collect();
    assert_eq!(
        keys,
        [
            ("", "ctr", 20_000),
            ("", "gmv", 50_000_000),
            ("xhs", "ctr", 25_000)
        ]
    );

    // Same metric and channel: replaced, not added.
    store
        .set_goal(&goal(A, "gmv", "", "volume", "quarter", 150_000_000), T + 5)
        .await
        .expect("replace");
    let goals = store.goals(ChatId(A)).await.expect("goals");
    assert_eq!(goals.len(), 3);
    let gmv = goals.iter().find(|g| g.metric == "gmv").expect("gmv");
    assert_eq!(
        (gmv.period.as_str(), gmv.value, gmv.direction.as_str()),
        ("quarter", 150_000_000, "volume")
    );
    assert_eq!((gmv.created_at, gmv.updated_at), (T, T + 5));

    assert!(
        store
            .clear_goal(ChatId(A), "ctr", "xhs")
            .await
            .expect("clear")
    );
    assert!(
        !store
            .clear_goal(ChatId(A), "ctr", "xhs")
            .await
            .expect("again")
    );
    assert!(
        !store
            .clear_goal(ChatId(A), "roi", "")
            .await
            .expect("never set")
    );
    let left: Vec<(String, String)> = store
        .goals(ChatId(A))
        .await
        .expect("goals")
        .into_iter()
        .map(|g| (g.channel, g.metric))
        .collect();
    assert_eq!(
        left,
        [
            ("".to_string(), "ctr".to_string()),
            ("".into(), "gmv".into())
        ]
    );
    assert_eq!(store.goals(ChatId(B)).await.expect("other").len(), 1);
}

async fn a_channels_goals_clear_together(store: &Store) {
    teams(store).await;
    for (metric, dir) in [("ctr", "at_least"), ("cpc", "at_most")] {
        store
            .set_goal(&goal(A, metric, "xhs", dir, "", 100), T)
            .await
            .expect("goal");
    }
    store
        .set_goal(&goal(A, "ctr", "", "at_least", "", 100), T)
        .await
        .expect("team goal");
    store
        .set_goal(&goal(B, "ctr", "xhs", "at_least", "", 100), T)
        .await
        .expect("other team");
    assert_eq!(
        store
            .clear_channel_goals(ChatId(A), "xhs")
            .await
            .expect("clear"),
        2
    );
    assert_eq!(
        store
            .clear_channel_goals(ChatId(A), "xhs")
            .await
            .expect("again"),
        0
    );
    let left = store.goals(ChatId(A)).await.expect("goals");
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].channel, "");
    assert_eq!(store.goals(ChatId(B)).await.expect("other").len(), 1);
}
