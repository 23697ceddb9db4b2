//! One Store contract, run against SQLite and PostgreSQL alike.

#[macro_use]
mod common;

use campaign_bot::storage::{NewTask, NewTeam, Store, TaskChange, TeamSetting, User};

contract!(
    migrations_are_idempotent,
    a_team_is_created_once_and_keeps_its_first_language,
    team_settings_round_trip,
    update_ids_are_claimed_once,
    users_and_members,
    a_team_moves_to_its_supergroup_id,
    task_changes_are_applied_and_recorded,
);

const T: i64 = common::T0;

fn new_team(chat_id: i64, lang: Option<&'static str>) -> NewTeam<'static> {
    NewTeam {
        chat_id,
        title: "Growth <b>",
        detected_lang: lang,
        tz: "Asia/Shanghai",
    }
}

async fn migrations_are_idempotent(store: &Store) {
    store.migrate().await.expect("second migrate is a no-op");
}

async fn a_team_is_created_once_and_keeps_its_first_language(store: &Store) {
    let team = store
        .ensure_team(&new_team(-1, Some("zh")), T)
        .await
        .expect("create");
    assert_eq!(team.detected_lang.as_deref(), Some("zh"));
    assert_eq!(team.lang, None);
    assert_eq!(team.tz, "Asia/Shanghai");
    assert_eq!(team.currency, "¥");
    assert!(team.is_active());
    let again = store
        .ensure_team(
            &NewTeam {
                title: "Renamed",
                detected_lang: Some("en"),
                ..new_team(-1, None)
            },
            T + 5,
        )
        .await
        .expect("refresh");
    assert_eq!(
        again.detected_lang.as_deref(),
        Some("zh"),
        "first member's language sticks"
    );
    assert_eq!(again.title, "Renamed");
    assert_eq!(again.created_at, T);
    assert!(store.team(-2).await.expect("read").is_none());
}

async fn team_settings_round_trip(store: &Store) {
    store
        .ensure_team(&new_team(-1, None), T)
        .await
        .expect("create");
    let settings = [
        TeamSetting::Lang("zh".into()),
        TeamSetting::Tz("Europe/Berlin".into()),
        TeamSetting::Currency("$".into()),
        TeamSetting::Review {
            weekday: 4,
            minute: 17 * 60,
        },
        TeamSetting::CheckinTime(10 * 60),
        TeamSetting::Quiet {
            start: 22 * 60,
            end: 8 * 60,
        },
        TeamSetting::Active(false),
    ];
    for s in &settings {
        store.update_team(-1, s, T + 1).await.expect("update");
    }
    let team = store.team(-1).await.expect("read").expect("exists");
    assert_eq!(team.lang.as_deref(), Some("zh"));
    assert_eq!(team.tz, "Europe/Berlin");
    assert_eq!(team.currency, "$");
    assert_eq!(
        (team.review_weekday, team.review_minute),
        (Some(4), Some(1020))
    );
    assert_eq!(team.checkin_minute, Some(600));
    assert_eq!((team.quiet_start, team.quiet_end), (Some(1320), Some(480)));
    assert!(!team.is_active());
    assert_eq!(team.updated_at, T + 1);
}

async fn update_ids_are_claimed_once(store: &Store) {
    assert!(store.claim_update(42, T).await.expect("claim"));
    assert!(!store.claim_update(42, T + 1).await.expect("claim again"));
    assert!(store.claim_update(43, T + 2).await.expect("another"));
    assert_eq!(store.prune_updates(T + 1).await.expect("prune"), 1);
}

async fn users_and_members(store: &Store) {
    store
        .ensure_team(&new_team(-1, None), T)
        .await
        .expect("team");
    store
        .ensure_team(&new_team(-9, None), T)
        .await
        .expect("other team");
    let user = User {
        user_id: 7,
        username: Some("Alice_W".into()),
        display_name: "Alice <W>".into(),
        lang_code: Some("en".into()),
        updated_at: T,
    };
    store.upsert_user(&user).await.expect("user");
    store.add_member(-1, 7, T).await.expect("member");
    store.add_member(-1, 7, T + 10).await.expect("member again");
    assert_eq!(
        store.user_by_username("@alice_w").await.expect("lookup"),
        Some(user.clone())
    );
    assert_eq!(
        store.members(-1).await.expect("members"),
        vec![user.clone()]
    );
    assert!(
        store.members(-9).await.expect("other team").is_empty(),
        "teams do not share members"
    );
    // A later message without a language code keeps the known one.
    let renamed = User {
        username: None,
        lang_code: None,
        display_name: "A".into(),
        updated_at: T + 20,
        ..user
    };
    store.upsert_user(&renamed).await.expect("rename");
    let read = store.user(7).await.expect("read").expect("exists");
    assert_eq!(read.lang_code.as_deref(), Some("en"));
    assert_eq!(read.username, None);
    assert!(
        store
            .user_by_username("alice_w")
            .await
            .expect("lookup")
            .is_none()
    );
    assert_eq!(store.teams_of_user(7).await.expect("teams").len(), 1);
}

async fn a_team_moves_to_its_supergroup_id(store: &Store) {
    store
        .ensure_team(&new_team(-1, None), T)
        .await
        .expect("team");
    store
        .upsert_user(&User {
            user_id: 7,
            username: None,
            display_name: "A".into(),
            lang_code: None,
            updated_at: T,
        })
        .await
        .expect("user");
    store.add_member(-1, 7, T).await.expect("member");
    store.move_team(-1, -1001, T + 1).await.expect("move");
    assert!(store.team(-1).await.expect("old").is_none());
    assert_eq!(
        store.team(-1001).await.expect("new").expect("moved").title,
        "Growth <b>"
    );
    assert_eq!(
        store.members(-1001).await.expect("members").len(),
        1,
        "members follow the team"
    );
}

async fn task_changes_are_applied_and_recorded(store: &Store) {
    store
        .ensure_team(&new_team(-1, None), T)
        .await
        .expect("team");
    let new = NewTask {
        chat_id: -1,
        title: "Publish".into(),
        done_when: None,
        owner_id: Some(7),
        owner_username: None,
        creator_id: 8,
        channel: None,
        due_at: T + 100,
        recur: None,
        series_id: None,
    };
    let task = store.create_task(&new, T).await.expect("create");
    assert_eq!((task.number, task.version), (1, 0));
    let t = store
        .change_task(
            task.id,
            &TaskChange::Due { due_at: T + 500 },
            Some(8),
            T + 1,
        )
        .await
        .unwrap();
    assert_eq!(
        (t.due_at, t.slips, t.version, t.updated_at),
        (T + 500, 1, 1, T + 1)
    );
    let t = store
        .change_task(
            task.id,
            &TaskChange::Block {
                reason: "design".into(),
            },
            Some(7),
            T + 2,
        )
        .await
        .unwrap();
    assert_eq!(
        (t.status.as_str(), t.blocked_reason.as_deref(), t.blocked_at),
        ("blocked", Some("design"), Some(T + 2))
    );
    let t = store
        .change_task(task.id, &TaskChange::Unblock, Some(7), T + 3)
        .await
        .unwrap();
    assert_eq!(
        (t.status.as_str(), t.blocked_reason.as_deref()),
        ("open", None)
    );
    let t = store
        .change_task(
            task.id,
            &TaskChange::Reassign { owner_id: 9 },
            Some(8),
            T + 4,
        )
        .await
        .unwrap();
    assert_eq!(t.owner_id, Some(9));
    let t = store
        .change_task(
            task.id,
            &TaskChange::Done {
                note: Some("live".into()),
            },
            Some(9),
            T + 5,
        )
        .await
        .unwrap();
    assert_eq!(
        (t.status.as_str(), t.done_at, t.version),
        ("done", Some(T + 5), 2)
    );
    let events: Vec<(String, Option<String>)> = store
        .task_events(task.id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.kind, e.detail))
        .collect();
    let expected = [
        ("created", None),
        ("due", Some((T + 500).to_string())),
        ("blocked", Some("design".to_string())),
        ("unblocked", None),
        ("reassigned", Some("9".to_string())),
        ("done", Some("live".to_string())),
    ];
    let expected: Vec<(String, Option<String>)> = expected
        .into_iter()
        .map(|(k, d)| (k.to_string(), d))
        .collect();
    assert_eq!(events, expected);
    // A second team numbers its tasks from 1.
    store
        .ensure_team(&new_team(-2, None), T)
        .await
        .expect("team");
    let other = store
        .create_task(&NewTask { chat_id: -2, ..new }, T)
        .await
        .unwrap();
    assert_eq!(other.number, 1);
}
