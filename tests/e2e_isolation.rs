//! Isolation and permissions (issue 8):
//! - every plan-changing command sent by a non-admin is refused, names who can, and changes
//!   nothing (team row, channels, goals, tasks, pending jobs compared before and after); the
//!   same command from an admin does change something, so the table holds no no-ops;
//! - two teams in one bot: nothing team A can send (task numbers, channels, check-ins, A/B
//!   tests, charts, exports, lists, the plan views, ping buttons carrying B's task ids) shows or
//!   changes anything of team B, and B's admin is no admin in A;
//! - webhook requests without the secret get 403: `webhook_mode_needs_the_secret_and_serves_healthz`
//!   in tests/e2e_foundation.rs (not repeated here).
//!
//! Each scenario runs on SQLite and on PostgreSQL (when TEST_DATABASE_URL is set).

#[macro_use]
mod common;

use campaign_bot::console::emulator::{ChatKind, SentMessage, UserSpec};
use campaign_bot::console::html::parse_telegram_html;
use campaign_bot::domain::ids::ChatId;
use campaign_bot::storage::{Channel, Checkin, Goal, Job, Store, Task, TaskEvent, Team};
use common::{ALICE, BOB, GROUP, TestApp, TestDb, WANG};

both_backends!(
    every_plan_change_is_refused_for_members_and_changes_nothing,
    team_a_can_neither_see_nor_change_team_b,
);

/// Everything a team owns, as stored.
#[derive(Debug, PartialEq)]
struct Snapshot {
    team: Option<Team>,
    channels: Vec<Channel>,
    goals: Vec<Goal>,
    jobs: Vec<Job>,
    tasks: Vec<Task>,
    events: Vec<Vec<TaskEvent>>,
    checkins: Vec<Checkin>,
}

async fn snapshot(store: &Store, chat: i64) -> Snapshot {
    let tasks = store.tasks_since(ChatId(chat), 0).await.expect("tasks");
    let mut events = Vec::new();
    for t in &tasks {
        events.push(store.task_events(t.id).await.expect("events"));
    }
    Snapshot {
        team: store.team(ChatId(chat)).await.expect("team"),
        channels: store.channels(ChatId(chat)).await.expect("channels"),
        goals: store.goals(ChatId(chat)).await.expect("goals"),
        jobs: store
            .pending_jobs_of_chat(ChatId(chat))
            .await
            .expect("jobs"),
        tasks,
        events,
        checkins: store
            .checkins_between(ChatId(chat), "0000-01-01", "9999-12-31")
            .await
            .expect("checkins"),
    }
}

/// Sends each `(chat, from, text)` and returns the answers in order; inputs to different chats
/// in one batch are handled concurrently (the chats must be distinct within a batch).
async fn round(app: &mut TestApp, batch: &[(i64, i64, &str)]) -> Vec<Vec<SentMessage>> {
    let before = app.emulator.sent_count();
    for (i, (chat, from, text)) in batch.iter().enumerate() {
        assert!(
            batch[..i].iter().all(|(c, ..)| c != chat),
            "one input per chat in a round"
        );
        app.emulator.send_text(*chat, *from, text);
    }
    for _ in batch {
        app.wait_handled().await;
    }
    let sent = app.emulator.sent_since(before);
    batch
        .iter()
        .map(|(chat, ..)| {
            sent.iter()
                .filter(|m| m.chat_id == *chat)
                .cloned()
                .collect()
        })
        .collect()
}

fn shown(sent: &[SentMessage]) -> String {
    sent.iter()
        .map(|m| parse_telegram_html(&m.text).expect("valid HTML"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every command that changes the plan or the team's settings, with valid arguments (so the
/// refusal can only come from the permission check), in an order where each one changes
/// something when an admin sends it.
const PLAN_CHANGES: &[&str] = &[
    "/lang zh",
    "/lang en",
    "/timezone Europe/Berlin",
    "/currency $",
    "/goal gmv 900000 month",
    "/goal ctr >= 3% #xhs",
    "/goal clear ctr #xhs",
    "/goal clear roi",
    "/channel add douyin test 5000",
    "/channel owner xhs @bob",
    "/channel owner xhs me",
    "/channel owner xhs none",
    "/channel budget xhs 1",
    "/channel tier jd reserve",
    "/channel remove jd",
    "/review mon 10:00",
    "/review off",
    "/checkin_time 09:00",
    "/checkin_time off",
    "/quiet 01:00-02:00",
    "/quiet off",
];

/// Team A (English, Bob refused) and team C (Chinese, Wang refused), side by side; then Alice
/// sends the same commands and each one changes team A.
async fn every_plan_change_is_refused_for_members_and_changes_nothing(db: TestDb) {
    let mut app = TestApp::spawn(db).await;
    let team_c = GROUP - 1;
    app.emulator
        .add_chat(team_c, ChatKind::Supergroup, "Team C");
    app.emulator.set_admin(team_c, ALICE, true);
    // Wang speaks first in C, so C speaks Chinese.
    round(&mut app, &[(GROUP, ALICE, "hi"), (team_c, WANG, "你好")]).await;
    round(&mut app, &[(GROUP, BOB, "hi"), (team_c, ALICE, "hi")]).await;
    for setup in [
        "/channel add xhs core 50000",
        "/channel add jd test 10000",
        "/goal gmv 500000 month",
        "/goal roi >= 3",
        "/review fri 17:00",
        "/checkin_time 18:00",
        "/quiet 22:00-08:00",
        "/task @bob Publish the notes due fri 18:00",
    ] {
        let answers = round(&mut app, &[(GROUP, ALICE, setup), (team_c, ALICE, setup)]).await;
        assert!(answers.iter().all(|a| a.len() == 1), "{setup}: {answers:?}");
    }
    let store = app.ctx.store.clone();
    let (a0, c0) = (
        snapshot(&store, GROUP).await,
        snapshot(&store, team_c).await,
    );
    assert!(!a0.jobs.is_empty() && a0.goals.len() == 2 && a0.channels.len() == 2);
    let mut refused = 0;
    for cmd in PLAN_CHANGES {
        let answers = round(&mut app, &[(GROUP, BOB, cmd), (team_c, WANG, cmd)]).await;
        for (sent, who_can) in answers
            .iter()
            .zip(["Only the group's admins can", "只有群管理员可以"])
        {
            assert_eq!(sent.len(), 1, "{cmd}: one reply");
            let text = shown(sent);
            assert!(
                text.contains(who_can) && text.contains("alice"),
                "{cmd}: refused naming the admin, got {text}"
            );
            refused += 1;
        }
        assert_eq!(
            snapshot(&store, GROUP).await,
            a0,
            "{cmd} by Bob changed team A"
        );
        assert_eq!(
            snapshot(&store, team_c).await,
            c0,
            "{cmd} by Wang changed team C"
        );
    }
    assert_eq!(refused, 2 * PLAN_CHANGES.len());
    // The control: the same commands from the admin each change team A.
    for cmd in PLAN_CHANGES {
        let before = snapshot(&store, GROUP).await;
        app.reply(GROUP, ALICE, cmd).await;
        assert_ne!(
            snapshot(&store, GROUP).await,
            before,
            "{cmd} by the admin changed nothing: not a plan change?"
        );
    }
    eprintln!(
        "isolation: {} plan-changing commands × 2 members (en, zh): {refused} refused, 0 changes; {} changed the team when sent by the admin",
        PLAN_CHANGES.len(),
        PLAN_CHANGES.len()
    );
    app.stop().await.cleanup().await;
}

const TEAM_B: i64 = -100_900_800;
const CAROL: i64 = 601; // admin of B
const DAVE: i64 = 602; // member of B

/// Text of team B that team A never types: it must never reach A.
const B_SECRETS: &[&str] = &[
    "BETA",
    "zzhidden",
    "betacreative",
    "Bravo team",
    "dave",
    "919,191",
    "919191",
    "7,777",
    "7777",
];

/// Every message and document A received in answer to `cmd`, as text.
fn everything(sent: &[SentMessage]) -> String {
    sent.iter()
        .map(|m| {
            let bytes = m
                .file_bytes
                .as_deref()
                .map(String::from_utf8_lossy)
                .unwrap_or_default();
            format!(
                "{}\n{}\n{bytes}",
                m.plain_text(),
                m.file_name.as_deref().unwrap_or("")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

async fn team_a_can_neither_see_nor_change_team_b(db: TestDb) {
    let mut app = TestApp::spawn(db).await;
    app.emulator
        .add_chat(TEAM_B, ChatKind::Supergroup, "Bravo team");
    for (id, name) in [(CAROL, "carol"), (DAVE, "dave")] {
        app.emulator
            .add_user(UserSpec::new(id, name).username(name).language("en"));
        app.emulator.add_chat(id, ChatKind::Private, name);
    }
    app.emulator.set_admin(TEAM_B, CAROL, true);
    round(&mut app, &[(GROUP, ALICE, "hi"), (TEAM_B, CAROL, "hi")]).await;
    round(&mut app, &[(GROUP, BOB, "hi"), (TEAM_B, DAVE, "hi")]).await;
    // Team B: five tasks (one blocked, one done), three channels (two that A lacks), goals,
    // check-ins with creatives, a review and a nudge.
    let b_setup = [
        "/channel add xhs core 60000",
        "/channel add zzsecret test 10000",
        "/channel add zzhidden reserve 5000",
        "/channel owner zzhidden @dave",
        "/goal gmv 700000 month #zzsecret",
        "/goal roi >= 4 #zzhidden",
        "/task @dave BETA-1 launch due fri 18:00 #zzhidden | BETA-DW-1",
        "/task @dave BETA-2 brief due fri 18:00 | BETA-DW-2",
        "/task @dave BETA-3 assets due sat 18:00",
        "/task @dave BETA-4 review due sun 18:00",
        "/task @dave BETA-5 report due +5d",
        "/block 2 BETA-REASON",
        "/done 3 BETA-NOTE",
        "/checkin xhs spend=7777 impressions=50000 clicks=1500 orders=45 gmv=919191 creative=betacreativeA",
        "/checkin xhs spend=7777 impressions=50000 clicks=1500 orders=45 gmv=919191 creative=betacreativeB",
        "/checkin zzsecret spend=7777 impressions=50000 clicks=1500 orders=45 gmv=919191",
        "/checkin zzhidden spend=7777 impressions=50000 clicks=1500 orders=45 gmv=919191",
        "/review fri 17:00",
        "/checkin_time 18:00",
    ];
    // Team A: one channel, one task, one check-in.
    let a_setup = [
        "/channel add xhs core 50000",
        "/task @bob alpha launch due fri 18:00 | alpha live",
        "/checkin xhs spend=100 impressions=1000 clicks=10 orders=1 gmv=200",
    ];
    for (i, b) in b_setup.iter().enumerate() {
        let mut batch = vec![(TEAM_B, CAROL, *b)];
        if let Some(a) = a_setup.get(i) {
            batch.push((GROUP, ALICE, *a));
        }
        let answers = round(&mut app, &batch).await;
        assert!(answers.iter().all(|a| !a.is_empty()), "{b}");
    }
    let store = app.ctx.store.clone();
    let b0 = snapshot(&store, TEAM_B).await;
    assert_eq!(b0.tasks.len(), 5);
    assert_eq!(b0.channels.len(), 3);
    assert_eq!(b0.checkins.len(), 4);
    assert!(!b0.jobs.is_empty());

    // Everything A can send that names a task number or a channel, or shows team data.
    let from_a: &[(i64, &str)] = &[
        (ALICE, "/start"),
        (ALICE, "/task 1"),
        (ALICE, "/task 2"),
        (ALICE, "/task 5"),
        (ALICE, "/done 2"),
        (ALICE, "/done 4 note"),
        (ALICE, "/block 4 reason"),
        (ALICE, "/unblock 2"),
        (ALICE, "/due 4 fri 18:00"),
        (ALICE, "/reassign 4 @bob"),
        (ALICE, "/cancel 5"),
        (BOB, "/done 2"),
        (BOB, "/cancel 3"),
        (
            ALICE,
            "/checkin zzsecret spend=1 impressions=10 clicks=1 orders=0 gmv=0",
        ),
        (ALICE, "/checkin #zzsecret spend=1"),
        (ALICE, "/metrics"),
        (ALICE, "/metrics month"),
        (ALICE, "/metrics #zzsecret"),
        (ALICE, "/metrics zzsecret"),
        (ALICE, "/abtest zzsecret"),
        (ALICE, "/abtest xhs"),
        (ALICE, "/chart"),
        (ALICE, "/chart #zzsecret"),
        (ALICE, "/chart roi xhs"),
        (ALICE, "/export all"),
        (ALICE, "/export 30d"),
        (ALICE, "/tasks"),
        (ALICE, "/tasks all"),
        (ALICE, "/tasks blocked"),
        (ALICE, "/tasks @dave"),
        (BOB, "/mytasks"),
        (ALICE, "/budget"),
        (ALICE, "/plan"),
        (ALICE, "/goals"),
        (ALICE, "/channels"),
        (ALICE, "/bottlenecks"),
        (ALICE, "/summary"),
        (ALICE, "/summary month"),
        (ALICE, "/goal gmv 100 #zzsecret"),
        (ALICE, "/goal clear gmv #zzsecret"),
        (ALICE, "/channel budget zzsecret 1"),
        (ALICE, "/channel tier zzsecret core"),
        (ALICE, "/channel owner zzsecret me"),
        (ALICE, "/channel remove zzsecret"),
        (ALICE, "/task @bob sneak due fri 18:00 #zzsecret"),
    ];
    let mut answered = 0;
    for (from, cmd) in from_a {
        let sent = app.say(GROUP, *from, cmd).await;
        assert!(!sent.is_empty(), "{cmd}: no answer");
        let seen = everything(&sent);
        for secret in B_SECRETS.iter().chain(["zzsecret"].iter()) {
            // A typed the channel name itself; quoting it back is no leak.
            if cmd.contains(secret) {
                continue;
            }
            assert!(
                !seen.contains(secret),
                "{cmd} in team A showed {secret:?} of team B:\n{seen}"
            );
        }
        answered += 1;
        assert_eq!(
            snapshot(&store, TEAM_B).await,
            b0,
            "{cmd} in team A changed team B"
        );
    }
    // Bob's private /mytasks lists only his own team's tasks.
    let private = app.say(BOB, BOB, "/mytasks").await;
    let seen = everything(&private);
    assert!(seen.contains("alpha launch"), "{seen}");
    assert!(B_SECRETS.iter().all(|s| !seen.contains(s)), "{seen}");

    // Ping buttons in A carrying B's task ids: nothing happens.
    let anchor = app.say(GROUP, ALICE, "/task 1").await;
    let message_id = anchor[0].message_id;
    let edits_before = app.emulator.edits().len();
    let mut pressed = 0;
    for t in &b0.tasks {
        for action in ["done", "snooze", "block"] {
            let before = app.emulator.sent_count();
            app.emulator
                .press_button(GROUP, ALICE, message_id, &format!("t:{action}:{}", t.id));
            app.wait_handled().await;
            assert!(app.emulator.sent_since(before).is_empty());
            let (_, text) = app.emulator.callback_answers().pop().expect("answered");
            assert!(text.is_none(), "a silent answer, got {text:?}");
            pressed += 1;
        }
    }
    assert_eq!(app.emulator.edits().len(), edits_before, "nothing edited");
    assert_eq!(snapshot(&store, TEAM_B).await, b0, "buttons changed team B");

    // B's admin is nobody in A.
    let a_before = snapshot(&store, GROUP).await;
    for cmd in ["/channel remove xhs", "/goal gmv 1 month", "/timezone UTC"] {
        let text = app.reply(GROUP, CAROL, cmd).await;
        assert!(text.contains("Only the group's admins can"), "{text}");
        answered += 1;
    }
    let a_after = snapshot(&store, GROUP).await;
    assert_eq!(
        (a_after.team, a_after.channels, a_after.goals),
        (a_before.team, a_before.channels, a_before.goals),
        "B's admin changed A"
    );
    assert_eq!(snapshot(&store, TEAM_B).await, b0);
    eprintln!(
        "isolation: {answered} commands in team A ({} reading or changing by number or channel, 3 by B's admin) and {pressed} ping buttons with B's task ids: 0 of B's rows changed, 0 of B's texts shown",
        from_a.len()
    );
    app.stop().await.cleanup().await;
}
