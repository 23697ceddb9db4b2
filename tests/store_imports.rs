//! Pending imports in the Store contract (issue 14 D), run against SQLite and PostgreSQL alike:
//! a preview is kept per team, confirmed once (the rows written in the same transaction), and
//! dropped when cancelled or long expired.

#[macro_use]
mod common;

use campaign_bot::domain::ids::{ChatId, UserId};
use campaign_bot::storage::{NewCheckin, NewTeam, PendingImport, Store};

contract!(
    a_pending_import_is_kept_per_team_and_confirmed_once,
    cancelled_and_expired_imports_are_gone,
);

const T: i64 = common::T0;
const A: i64 = -1001;
const B: i64 = -1002;

async fn team(store: &Store, chat_id: i64) {
    store
        .ensure_team(
            &NewTeam {
                chat_id: ChatId(chat_id),
                title: "Growth",
                detected_lang: Some("en"),
                tz: "Asia/Shanghai",
            },
            T,
        )
        .await
        .expect("team");
}

fn pending(chat_id: i64, created_at: i64) -> PendingImport {
    PendingImport {
        id: 0,
        chat_id: ChatId(chat_id),
        requester_id: Some(UserId(7)),
        channel: "douyin".into(),
        file_name: "千川.csv".into(),
        report: "{}".into(),
        created_at,
        expires_at: created_at + 1800,
    }
}

fn row<'a>(day: &'a str, spend: i64) -> NewCheckin<'a> {
    NewCheckin {
        chat_id: ChatId(A),
        channel: "douyin",
        day,
        creative: "",
        spend: Some(spend),
        impressions: Some(1000),
        clicks: Some(10),
        orders: Some(1),
        gmv: Some(5000),
        leads: None,
        new_customers: None,
        interactions: Some(3),
        author_id: Some(UserId(7)),
    }
}

async fn a_pending_import_is_kept_per_team_and_confirmed_once(store: &Store) {
    team(store, A).await;
    team(store, B).await;
    let id = store
        .put_pending_import(&pending(A, T), T)
        .await
        .expect("put");
    let kept = store
        .pending_import(id, ChatId(A))
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(kept.id, id);
    assert_eq!(
        (kept.requester_id, kept.file_name.as_str()),
        (Some(UserId(7)), "千川.csv")
    );
    assert_eq!(kept.expires_at, T + 1800);
    assert_eq!(
        store.pending_import(id, ChatId(B)).await.expect("read"),
        None,
        "another team's"
    );

    let rows = [row("2026-10-27", 100), row("2026-10-28", 200)];
    assert_eq!(
        store.confirm_import(id, &rows, T).await.expect("confirm"),
        Some(2)
    );
    assert_eq!(
        store.pending_import(id, ChatId(A)).await.expect("read"),
        None
    );
    // A second press: nothing taken, nothing written.
    let again = [row("2026-10-27", 999)];
    assert_eq!(
        store.confirm_import(id, &again, T).await.expect("confirm"),
        None
    );
    let stored = store
        .checkin(ChatId(A), "douyin", "2026-10-27", "")
        .await
        .expect("read")
        .expect("row");
    assert_eq!((stored.spend, stored.interactions), (Some(100), Some(3)));
    assert_eq!(store.count_checkins(ChatId(A)).await.expect("count"), 2);
}

async fn cancelled_and_expired_imports_are_gone(store: &Store) {
    team(store, A).await;
    let old = store
        .put_pending_import(&pending(A, T), T)
        .await
        .expect("put");
    let id = store
        .put_pending_import(&pending(A, T), T)
        .await
        .expect("put");
    assert!(store.drop_pending_import(id).await.expect("drop"));
    assert!(
        !store.drop_pending_import(id).await.expect("drop"),
        "already gone"
    );
    // A new preview after the old one expired forgets it.
    let later = T + 3600;
    store
        .put_pending_import(&pending(A, later), later)
        .await
        .expect("put");
    assert_eq!(
        store.pending_import(old, ChatId(A)).await.expect("read"),
        None
    );
}
