//! One Store contract, run against SQLite and PostgreSQL alike.

#[macro_use]
mod common;

use campaign_bot::domain::bottleneck::{Severity, Stage, Subject};
use campaign_bot::domain::ids::{ChatId, UserId};
use campaign_bot::domain::jobs::{JobKind, JobState};
use campaign_bot::domain::judgement::repeats::{Cause, Shown};
use campaign_bot::domain::playbook::Tier;
use campaign_bot::storage::NewGoal;
use campaign_bot::storage::{
    Backend, INBOX_LEASE_SECS, INBOX_MAX_ATTEMPTS, InboxMark, NewJob, NewTask, NewTeam, Store,
    StoreResult, TaskChange, Team, TeamSetting, User,
};
use chrono::NaiveDate;

contract!(
    migrations_are_idempotent,
    a_team_is_created_once_and_keeps_its_first_language,
    team_settings_round_trip,
    every_team_change_is_read_back,
    every_channel_and_goal_change_is_read_back,
    a_dropped_connection_is_replaced,
    update_ids_are_claimed_once,
    the_inbox_hands_back_what_a_dead_process_left,
    a_poison_update_is_given_up_after_three_attempts,
    an_update_stored_claimed_is_taken_once,
    a_batch_is_stored_claimed_in_one_write,
    replied_and_done_in_one_write,
    users_and_members,
    a_team_moves_to_its_supergroup_id,
    task_changes_are_applied_and_recorded,
    shown_flags_are_replaced_with_the_sent_mark,
    team_festivals_add_rename_remove_and_follow_the_team,
);

const T: i64 = common::T0;

fn new_team(chat_id: i64, lang: Option<&'static str>) -> NewTeam<'static> {
    NewTeam {
        chat_id: ChatId(chat_id),
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
    assert!(store.team(ChatId(-2)).await.expect("read").is_none());
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
        store
            .update_team(ChatId(-1), s, T + 1)
            .await
            .expect("update");
    }
    let team = store.team(ChatId(-1)).await.expect("read").expect("exists");
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

/// Each change to a team is what the next read returns, with a read just before it: on SQLite
/// reads are cached, so every way of writing a team has to clear the cache.
async fn every_team_change_is_read_back(store: &Store) {
    let chat = ChatId(-7);
    let read = |chat| async move { store.team(chat).await.expect("read").expect("exists") };
    store
        .ensure_team(&new_team(-7, None), T)
        .await
        .expect("create");
    type Holds = fn(&Team) -> bool;
    let changes: [(TeamSetting, Holds); 9] = [
        (TeamSetting::Lang("zh".into()), |t| {
            t.lang.as_deref() == Some("zh")
        }),
        (TeamSetting::Tz("Europe/Berlin".into()), |t| {
            t.tz == "Europe/Berlin"
        }),
        (TeamSetting::Currency("$".into()), |t| t.currency == "$"),
        (TeamSetting::Title("Renamed".into()), |t| {
            t.title == "Renamed"
        }),
        (
            TeamSetting::Review {
                weekday: 2,
                minute: 600,
            },
            |t| t.review_weekday == Some(2) && t.review_minute == Some(600),
        ),
        (TeamSetting::CheckinTime(540), |t| {
            t.checkin_minute == Some(540)
        }),
        (
            TeamSetting::Quiet {
                start: 1380,
                end: 420,
            },
            |t| (t.quiet_start, t.quiet_end) == (Some(1380), Some(420)),
        ),
        (TeamSetting::Active(false), |t| !t.is_active()),
        (TeamSetting::Active(true), Team::is_active),
    ];
    for (setting, holds) in changes {
        read(chat).await;
        store
            .update_team(chat, &setting, T + 1)
            .await
            .expect("update");
        assert!(holds(&read(chat).await), "{setting:?} not read back");
    }
    read(chat).await;
    store.clear_checkin_time(chat, T + 2).await.expect("clear");
    assert_eq!(read(chat).await.checkin_minute, None);
    let retitled = NewTeam {
        title: "Third",
        ..new_team(-7, None)
    };
    store.ensure_team(&retitled, T + 3).await.expect("retitle");
    assert_eq!(read(chat).await.title, "Third");
    store
        .move_team(chat, ChatId(-1007), T + 4)
        .await
        .expect("move");
    assert!(store.team(chat).await.expect("read").is_none());
    assert_eq!(read(ChatId(-1007)).await.title, "Third");
}

/// The same for a team's channels and goals: each change is what the next read returns, with
/// a read just before it.
async fn every_channel_and_goal_change_is_read_back(store: &Store) {
    let chat = ChatId(-8);
    store
        .ensure_team(&new_team(-8, None), T)
        .await
        .expect("create");
    let names = || async {
        let channels = store.channels(chat).await.expect("channels");
        channels
            .into_iter()
            .map(|c| (c.name, c.tier, c.monthly_budget, c.owner_id))
            .collect::<Vec<_>>()
    };
    let goals = || async {
        let goals = store.goals(chat).await.expect("goals");
        goals
            .into_iter()
            .map(|g| (g.metric, g.channel, g.value))
            .collect::<Vec<_>>()
    };
    assert!(names().await.is_empty());
    let xhs = store
        .add_channel(chat, "xhs", Tier::Core, 100, T)
        .await
        .expect("add");
    assert_eq!(
        names().await,
        vec![("xhs".to_string(), Tier::Core, 100, None)]
    );
    store
        .set_channel_budget(xhs.id, 200, T)
        .await
        .expect("budget");
    assert_eq!(names().await[0].2, 200);
    store
        .set_channel_tier(xhs.id, Tier::Test, T)
        .await
        .expect("tier");
    assert_eq!(names().await[0].1, Tier::Test);
    store
        .set_channel_owner(xhs.id, None, Some("amy"), T)
        .await
        .expect("owner");
    names().await;
    assert_eq!(
        store
            .resolve_pending_channel_owner("amy", UserId(77), T)
            .await
            .expect("resolve"),
        1
    );
    assert_eq!(names().await[0].3, Some(UserId(77)));
    let goal = |metric, channel, value| NewGoal {
        chat_id: chat,
        metric,
        channel,
        direction: "min",
        period: "month",
        value,
    };
    assert!(goals().await.is_empty());
    store.set_goal(&goal("gmv", "", 5), T).await.expect("goal");
    store
        .set_goal(&goal("roi", "xhs", 2), T)
        .await
        .expect("goal");
    assert_eq!(goals().await.len(), 2);
    store.set_goal(&goal("gmv", "", 9), T).await.expect("goal");
    assert!(
        goals()
            .await
            .contains(&("gmv".to_string(), String::new(), 9))
    );
    assert!(store.clear_goal(chat, "gmv", "").await.expect("clear"));
    assert_eq!(goals().await.len(), 1);
    store
        .remove_channel_and_goals(&xhs, T + 1)
        .await
        .expect("remove");
    assert!(names().await.is_empty());
    assert!(goals().await.is_empty());
    let again = store
        .add_channel(chat, "xhs", Tier::Core, 1, T + 2)
        .await
        .expect("again");
    store
        .set_goal(&goal("roi", "xhs", 3), T)
        .await
        .expect("goal");
    assert_eq!(goals().await.len(), 1);
    store.clear_channel_goals(chat, "xhs").await.expect("clear");
    assert!(goals().await.is_empty());
    names().await;
    store.remove_channel(again.id, T + 3).await.expect("remove");
    assert!(names().await.is_empty());
    store
        .add_channel(chat, "jd", Tier::Core, 1, T + 4)
        .await
        .expect("jd");
    names().await;
    store
        .execute_raw("UPDATE channels SET monthly_budget = 7 WHERE chat_id = -8")
        .await
        .expect("raw");
    assert_eq!(
        names().await[0].2,
        7,
        "a raw statement clears the cache too"
    );
}

/// The server drops every other connection (a restart, a failover): the statements every
/// update runs (on the store's own connections, on PostgreSQL) fail at most once, then connect
/// again. SQLite's connections live in the process and are never dropped.
async fn a_dropped_connection_is_replaced(store: &Store) {
    store
        .ensure_team(&new_team(-9, None), T)
        .await
        .expect("create");
    put_one(store, 70, T).await.expect("put");
    if store.backend() == Backend::Postgres {
        store
            .execute_raw(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE datname = current_database() AND pid <> pg_backend_pid()",
            )
            .await
            .expect("terminate");
    }
    let mut team = store.team(ChatId(-9)).await;
    if team.is_err() {
        team = store.team(ChatId(-9)).await;
    }
    assert_eq!(
        team.expect("read again").expect("exists").title,
        "Growth <b>"
    );
    let mut put = put_one(store, 71, T).await;
    if put.is_err() {
        put = put_one(store, 71, T).await;
    }
    assert!(put.expect("write again"));
}

async fn update_ids_are_claimed_once(store: &Store) {
    store.inbox_put(42, "{}", T).await.expect("put");
    // A redelivery keeps the first row.
    store
        .inbox_put(42, "{\"again\":1}", T)
        .await
        .expect("put again");
    assert!(
        store
            .inbox_claim(42, || "{}".to_string(), T)
            .await
            .expect("claim")
    );
    assert!(
        !store
            .inbox_claim(42, || "{}".to_string(), T + 1)
            .await
            .expect("claimed, live")
    );
    // Never stored (no durable listener): stored and claimed in one go, once.
    assert!(
        store
            .inbox_claim(43, || "{}".to_string(), T + 2)
            .await
            .expect("another")
    );
    assert!(
        !store
            .inbox_claim(43, || "{}".to_string(), T + 2)
            .await
            .expect("twice")
    );
    store
        .inbox_mark(InboxMark::Done, &[42], T + 3)
        .await
        .expect("done");
    store
        .inbox_mark(InboxMark::Done, &[43], T + 3)
        .await
        .expect("done");
    // Done is done, even after the lease.
    let later = T + INBOX_LEASE_SECS + 10;
    assert!(
        !store
            .inbox_claim(42, || "{}".to_string(), later)
            .await
            .expect("done stays done")
    );
    assert_eq!(store.prune_inbox(T + 1).await.expect("prune"), 1);
    assert_eq!(store.inbox_counts().await.expect("counts").0, 1);
}

async fn the_inbox_hands_back_what_a_dead_process_left(store: &Store) {
    for id in [7, 5, 6, 8] {
        store
            .inbox_put(id, &format!("{{\"update_id\":{id}}}"), T)
            .await
            .expect("put");
    }
    // 5: handled. 6: replied to, then the process died. 7: being handled (a live claim).
    // 8: received, never taken.
    assert!(store.inbox_claim(5, || "".to_string(), T).await.unwrap());
    store.inbox_mark(InboxMark::Done, &[5], T).await.unwrap();
    assert!(store.inbox_claim(6, || "".to_string(), T).await.unwrap());
    store.inbox_mark(InboxMark::Replied, &[6], T).await.unwrap();
    assert!(store.inbox_claim(7, || "".to_string(), T).await.unwrap());
    let ids = |rows: Vec<(i64, String)>| rows.into_iter().map(|(id, _)| id).collect::<Vec<_>>();
    assert_eq!(
        ids(store.inbox_unfinished(T + 1, i64::MAX).await.unwrap()),
        vec![8]
    );
    // After the lease, or on SQLite after a restart, the claim on 7 is dead.
    assert_eq!(
        ids(store
            .inbox_unfinished(T + INBOX_LEASE_SECS + 1, i64::MAX)
            .await
            .unwrap()),
        vec![7, 8]
    );
    // The sweep of a live process leaves alone what arrived within the lease.
    let swept = store.inbox_unfinished(T + INBOX_LEASE_SECS + 1, T).await;
    assert!(swept.unwrap().is_empty());
    let (released, _) = store.release_dead_claims().await.unwrap();
    match store.backend() {
        Backend::Sqlite => {
            assert_eq!(released, 1);
            assert_eq!(
                ids(store.inbox_unfinished(T + 1, i64::MAX).await.unwrap()),
                vec![7, 8]
            );
        }
        // Other PostgreSQL instances may be alive: only the lease frees a claim there.
        Backend::Postgres => assert_eq!(released, 0),
    }
    let (stored, in_hand, replied, done) = store.inbox_counts().await.unwrap();
    assert_eq!((stored, replied, done), (4, 1, 1));
    let expected_in_hand = match store.backend() {
        Backend::Sqlite => 0,
        Backend::Postgres => 1,
    };
    assert_eq!(in_hand, expected_in_hand);
    // The body is kept exactly.
    let rows = store
        .inbox_unfinished(T + INBOX_LEASE_SECS + 1, i64::MAX)
        .await
        .unwrap();
    assert_eq!(rows[1].1, "{\"update_id\":8}");
}

/// A command's last reply marks its update replied and done at once; an earlier mark stays.
async fn replied_and_done_in_one_write(store: &Store) {
    assert!(put_one(store, 60, T).await.expect("put"));
    assert!(put_one(store, 61, T).await.expect("put"));
    store
        .inbox_mark(InboxMark::Replied, &[61], T + 1)
        .await
        .expect("replied");
    store
        .inbox_mark(InboxMark::RepliedAndDone, &[60], T + 2)
        .await
        .expect("both");
    store
        .inbox_mark(InboxMark::RepliedAndDone, &[61], T + 2)
        .await
        .expect("both");
    let (stored, in_hand, replied, done) = store.inbox_counts().await.expect("counts");
    assert_eq!((stored, in_hand, replied, done), (2, 0, 2, 2));
    let later = T + INBOX_LEASE_SECS + 10;
    assert!(
        store
            .inbox_unfinished(later, i64::MAX)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        !store
            .inbox_claim(60, || "{}".to_string(), later)
            .await
            .expect("done stays done")
    );
}

/// Stores one update claimed, as the polling listener stores a batch; true when inserted.
async fn put_one(store: &Store, update_id: i64, now: i64) -> StoreResult<bool> {
    let rows = [(update_id, "{}".to_string())];
    Ok(store.inbox_put_claimed(&rows, now).await? == [update_id])
}

/// The polling listener's one write per batch: every update in it stored already claimed by
/// its process, bodies kept exactly; one stored before (a redelivery) is left as it was and
/// not reported inserted.
async fn a_batch_is_stored_claimed_in_one_write(store: &Store) {
    store.inbox_put(81, "{\"first\":1}", T).await.expect("put");
    let batch: Vec<(i64, String)> = (80..84)
        .map(|id| (id, format!("{{\"update_id\":{id}}}")))
        .collect();
    let mut inserted = store.inbox_put_claimed(&batch, T + 1).await.expect("batch");
    inserted.sort_unstable();
    assert_eq!(inserted, [80, 82, 83]);
    assert!(
        store
            .inbox_put_claimed(&[], T + 1)
            .await
            .expect("none")
            .is_empty()
    );
    // Three claimed by the listener, one stored unclaimed before.
    let (stored, in_hand, replied, done) = store.inbox_counts().await.expect("counts");
    assert_eq!((stored, in_hand, replied, done), (4, 3, 0, 0));
    // The earlier row kept its body, and the unclaimed one is the only one another may take.
    let unfinished = store
        .inbox_unfinished(T + 2, T + 2)
        .await
        .expect("unfinished");
    assert_eq!(unfinished, [(81, "{\"first\":1}".to_string())]);
    let after_lease = store
        .inbox_unfinished(T + 2 + INBOX_LEASE_SECS, i64::MAX)
        .await
        .expect("all");
    assert_eq!(after_lease.len(), 4);
    assert_eq!(after_lease[3], (83, "{\"update_id\":83}".to_string()));
}

/// The polling listener's one write: the update stored already claimed by its process.
async fn an_update_stored_claimed_is_taken_once(store: &Store) {
    assert!(put_one(store, 50, T).await.expect("put"));
    // A redelivery finds it stored; no other handler takes it while the claim is live.
    assert!(!put_one(store, 50, T + 1).await.expect("again"));
    assert!(
        !store
            .inbox_claim(50, || "{}".to_string(), T + 1)
            .await
            .expect("claim")
    );
    let (stored, in_hand, replied, done) = store.inbox_counts().await.expect("counts");
    assert_eq!((stored, in_hand, replied, done), (1, 1, 0, 0));
    // The claim is renewed by its own time only.
    assert!(
        store
            .inbox_renew_claim(50, T, T + 200)
            .await
            .expect("renew")
    );
    assert!(
        !store
            .inbox_renew_claim(50, T, T + 201)
            .await
            .expect("stale")
    );
    // After the lease another handler takes it over, and the first one's renewal fails.
    let later = T + 200 + INBOX_LEASE_SECS + 1;
    assert!(
        store
            .inbox_claim(50, || "{}".to_string(), later)
            .await
            .expect("take over")
    );
    assert!(
        !store
            .inbox_renew_claim(50, T + 200, later + 1)
            .await
            .expect("taken over")
    );
    // The store's write counted as the first attempt and the take-over as the second: one more
    // is left after its lease, then the update is given up.
    let third = later + INBOX_LEASE_SECS + 1;
    assert!(
        store
            .inbox_claim(50, || "{}".to_string(), third)
            .await
            .expect("third")
    );
    assert!(
        !store
            .inbox_claim(50, || "{}".to_string(), third + INBOX_LEASE_SECS + 1)
            .await
            .expect("given up")
    );
    // A finished update is not renewed, even by the claim it holds.
    store
        .inbox_mark(InboxMark::Done, &[50], third + 2)
        .await
        .expect("done");
    assert!(
        !store
            .inbox_renew_claim(50, third, third + 3)
            .await
            .expect("done")
    );
}

async fn a_poison_update_is_given_up_after_three_attempts(store: &Store) {
    store.inbox_put(9, "{}", T).await.unwrap();
    let mut now = T;
    for attempt in 1..=INBOX_MAX_ATTEMPTS {
        assert!(
            store
                .inbox_claim(9, || "{}".to_string(), now)
                .await
                .unwrap(),
            "attempt {attempt}"
        );
        now += INBOX_LEASE_SECS + 1; // the handler died each time
    }
    assert!(
        !store
            .inbox_claim(9, || "{}".to_string(), now)
            .await
            .unwrap()
    );
    assert!(
        store
            .inbox_unfinished(now, i64::MAX)
            .await
            .unwrap()
            .is_empty()
    );
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
        user_id: UserId(7),
        username: Some("Alice_W".into()),
        display_name: "Alice <W>".into(),
        lang_code: Some("en".into()),
        updated_at: T,
    };
    store.upsert_user(&user).await.expect("user");
    store
        .add_member(ChatId(-1), UserId(7), T)
        .await
        .expect("member");
    store
        .add_member(ChatId(-1), UserId(7), T + 10)
        .await
        .expect("member again");
    assert_eq!(
        store.user_by_username("@alice_w").await.expect("lookup"),
        Some(user.clone())
    );
    assert_eq!(
        store.members(ChatId(-1)).await.expect("members"),
        vec![user.clone()]
    );
    assert!(
        store
            .members(ChatId(-9))
            .await
            .expect("other team")
            .is_empty(),
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
    let read = store.user(UserId(7)).await.expect("read").expect("exists");
    assert_eq!(read.lang_code.as_deref(), Some("en"));
    assert_eq!(read.username, None);
    assert!(
        store
            .user_by_username("alice_w")
            .await
            .expect("lookup")
            .is_none()
    );
    assert_eq!(
        store.teams_of_user(UserId(7)).await.expect("teams").len(),
        1
    );
}

async fn a_team_moves_to_its_supergroup_id(store: &Store) {
    store
        .ensure_team(&new_team(-1, None), T)
        .await
        .expect("team");
    store
        .upsert_user(&User {
            user_id: UserId(7),
            username: None,
            display_name: "A".into(),
            lang_code: None,
            updated_at: T,
        })
        .await
        .expect("user");
    store
        .add_member(ChatId(-1), UserId(7), T)
        .await
        .expect("member");
    store
        .move_team(ChatId(-1), ChatId(-1001), T + 1)
        .await
        .expect("move");
    assert!(store.team(ChatId(-1)).await.expect("old").is_none());
    assert_eq!(
        store
            .team(ChatId(-1001))
            .await
            .expect("new")
            .expect("moved")
            .title,
        "Growth <b>"
    );
    assert_eq!(
        store.members(ChatId(-1001)).await.expect("members").len(),
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
        chat_id: ChatId(-1),
        title: "Publish".into(),
        done_when: None,
        owner_id: Some(UserId(7)),
        owner_username: None,
        creator_id: UserId(8),
        channel: None,
        due_at: T + 100,
        recur: None,
        series_id: None,
        source_message: None,
    };
    let task = store.create_task(&new, T).await.expect("create");
    assert_eq!((task.number, task.version), (1, 0));
    let t = store
        .change_task(
            task.id,
            &TaskChange::Due { due_at: T + 500 },
            Some(UserId(8)),
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
            Some(UserId(7)),
            T + 2,
        )
        .await
        .unwrap();
    assert_eq!(
        (t.status.code(), t.blocked_reason.as_deref(), t.blocked_at),
        ("blocked", Some("design"), Some(T + 2))
    );
    let t = store
        .change_task(task.id, &TaskChange::Unblock, Some(UserId(7)), T + 3)
        .await
        .unwrap();
    assert_eq!(
        (t.status.code(), t.blocked_reason.as_deref()),
        ("open", None)
    );
    let t = store
        .change_task(
            task.id,
            &TaskChange::Reassign {
                owner_id: UserId(9),
            },
            Some(UserId(8)),
            T + 4,
        )
        .await
        .unwrap();
    assert_eq!(t.owner_id, Some(UserId(9)));
    let t = store
        .change_task(
            task.id,
            &TaskChange::Done {
                note: Some("live".into()),
            },
            Some(UserId(9)),
            T + 5,
        )
        .await
        .unwrap();
    assert_eq!(
        (t.status.code(), t.done_at, t.version),
        ("done", Some(T + 5), 2)
    );
    let events: Vec<(String, Option<String>)> = store
        .task_events(task.id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.kind.code().to_string(), e.detail))
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
        .create_task(
            &NewTask {
                chat_id: ChatId(-2),
                ..new
            },
            T,
        )
        .await
        .unwrap();
    assert_eq!(other.number, 1);
}

fn shown(code: &str, subject: Subject, severity: Severity, first_seen: NaiveDate) -> Shown {
    Shown {
        cause: Cause {
            code: code.into(),
            subject,
        },
        severity,
        first_seen,
    }
}

fn nov(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, day).expect("date")
}

/// What a summary showed is stored with its job's "sent" mark and replaces the last summary's.
async fn shown_flags_are_replaced_with_the_sent_mark(store: &Store) {
    store
        .ensure_team(&new_team(-1, None), T)
        .await
        .expect("team");
    assert!(
        store
            .shown_flags(ChatId(-1))
            .await
            .expect("none yet")
            .is_empty()
    );
    let job = NewJob {
        chat_id: ChatId(-1),
        kind: JobKind::ReviewSummary,
        subject_id: -1,
        mark: "2026-11-13#0".into(),
        due_at: T,
        fire_at: T,
        version: 1,
    };
    store.plan_job(&job).await.expect("plan");
    let claimed = store.claim_due_jobs("w", T, 10).await.expect("claim");
    assert_eq!(claimed.len(), 1);
    let cvr = Subject::Channel {
        name: "小红书".into(),
        stage: Some(Stage::Cvr),
    };
    let bob = Subject::Person {
        user_id: Some(UserId(7)),
        name: "bob: lead".into(),
    };
    let first = vec![
        shown("funnel", cvr.clone(), Severity::High, nov(6)),
        shown("person", bob.clone(), Severity::Medium, nov(13)),
        shown("tier_share:core", Subject::Team, Severity::Low, nov(13)),
    ];
    store
        .job_sent_remembering(claimed[0].id, ChatId(-1), T + 5, &first)
        .await
        .expect("sent");
    let mut got = store.shown_flags(ChatId(-1)).await.expect("shown");
    got.sort_by(|a, b| a.cause.cmp(&b.cause));
    let mut want = first.clone();
    want.sort_by(|a, b| a.cause.cmp(&b.cause));
    assert_eq!(got, want);
    let jobs = store
        .jobs_for(JobKind::ReviewSummary, -1)
        .await
        .expect("jobs");
    assert_eq!(jobs[0].state, JobState::Sent);
    assert_eq!(jobs[0].done_at, Some(T + 5));
    // The next summary replaces the set: what is gone is forgotten.
    let second = vec![shown("funnel", cvr, Severity::Medium, nov(6))];
    store
        .job_sent_remembering(claimed[0].id, ChatId(-1), T + 6, &second)
        .await
        .expect("sent again");
    assert_eq!(store.shown_flags(ChatId(-1)).await.expect("shown"), second);
    // Another team's memory is its own.
    store
        .ensure_team(&new_team(-2, None), T)
        .await
        .expect("team");
    assert!(
        store
            .shown_flags(ChatId(-2))
            .await
            .expect("other")
            .is_empty()
    );
    // The memory follows the team to its supergroup id.
    store
        .move_team(ChatId(-1), ChatId(-1001), T + 7)
        .await
        .expect("move");
    assert_eq!(
        store.shown_flags(ChatId(-1001)).await.expect("moved"),
        second
    );
}

async fn team_festivals_add_rename_remove_and_follow_the_team(store: &Store) {
    store
        .ensure_team(&new_team(-1, None), T)
        .await
        .expect("team");
    assert_eq!(
        store
            .add_team_festival(ChatId(-1), nov(27), "Black <b> Friday", T)
            .await
            .expect("add"),
        None
    );
    assert_eq!(
        store
            .add_team_festival(ChatId(-1), nov(20), "店庆", T)
            .await
            .expect("add"),
        None
    );
    assert_eq!(
        store
            .add_team_festival(ChatId(-1), nov(27), "黑五", T + 1)
            .await
            .expect("rename"),
        Some("Black <b> Friday".to_string())
    );
    let days: Vec<(NaiveDate, String)> = store
        .team_festivals(ChatId(-1))
        .await
        .expect("list")
        .into_iter()
        .map(|f| (f.day, f.name))
        .collect();
    assert_eq!(
        days,
        vec![(nov(20), "店庆".to_string()), (nov(27), "黑五".to_string())]
    );
    assert_eq!(
        store
            .remove_team_festival(ChatId(-1), nov(27))
            .await
            .expect("rm"),
        Some("黑五".to_string())
    );
    assert_eq!(
        store
            .remove_team_festival(ChatId(-1), nov(27))
            .await
            .expect("rm"),
        None
    );
    store
        .move_team(ChatId(-1), ChatId(-1001), T + 2)
        .await
        .expect("move");
    assert_eq!(
        store
            .team_festivals(ChatId(-1001))
            .await
            .expect("moved")
            .len(),
        1
    );
    assert!(
        store
            .team_festivals(ChatId(-1))
            .await
            .expect("old")
            .is_empty()
    );
}
