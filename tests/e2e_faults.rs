//! Telegram errors while the scheduler sends: rate limits wait and retry, a removed bot stops
//! the team's jobs, a group upgraded to a supergroup keeps its team and gets the ping.

mod common;

use campaign_bot::console::emulator::Fault;
use campaign_bot::domain::ids::ChatId;
use campaign_bot::domain::jobs::JobState;
use campaign_bot::domain::schedule::DAY;
use common::{ALICE, BOB, GROUP, TestApp, TestDb};

async fn app_with_task() -> TestApp {
    let mut app = TestApp::spawn(TestDb::sqlite().await).await;
    app.say(GROUP, BOB, "hello").await;
    app.reply(GROUP, ALICE, "/task @bob Publish due +2d").await;
    app.reply(GROUP, ALICE, "/task @bob Review due +3d").await;
    app
}

#[tokio::test]
async fn a_rate_limited_ping_is_sent_once_after_waiting() {
    let app = app_with_task().await;
    app.emulator.set_fault(Fault::TooManyRequests {
        retry_after: 1,
        times: 1,
    });
    let sent = app.advance(DAY).await;
    // Throttle waits retry_after and retries by itself; the job is recorded once.
    let pings: Vec<_> = sent
        .iter()
        .filter(|m| m.text.contains("24 hours"))
        .collect();
    assert_eq!(pings.len(), 1, "{sent:?}");
    assert_eq!(app.ctx.store.count_jobs(JobState::Sent).await.unwrap(), 1);
    assert!(app.tick().await.is_empty());
    app.emulator.set_fault(Fault::None);
    app.stop_after_faults().await.cleanup().await;
}

#[tokio::test]
async fn a_bot_removed_from_the_group_marks_the_team_inactive_and_stops_its_jobs() {
    let app = app_with_task().await;
    app.emulator.set_fault(Fault::Forbidden { chat_id: GROUP });
    assert!(app.advance(DAY).await.is_empty());
    let team = app.ctx.store.team(ChatId(GROUP)).await.unwrap().unwrap();
    assert!(!team.is_active());
    assert_eq!(
        app.ctx.store.count_jobs(JobState::Pending).await.unwrap(),
        0,
        "no jobs left for a team that's gone"
    );
    assert!(app.ctx.store.count_jobs(JobState::Dropped).await.unwrap() >= 1);
    app.emulator.set_fault(Fault::None);
    assert!(app.advance(3 * DAY).await.is_empty());
    let db = app.stop_after_faults().await;
    db.cleanup().await;
}

#[tokio::test]
async fn a_migrated_group_keeps_its_team_and_gets_the_ping_at_the_new_id() {
    let app = app_with_task().await;
    let new_id = -100_999_888;
    app.emulator.set_fault(Fault::Migrate {
        chat_id: GROUP,
        to: new_id,
    });
    let sent = app.advance(DAY).await;
    assert!(
        sent.iter()
            .any(|m| m.chat_id == new_id && m.text.contains("24 hours")),
        "{sent:?}"
    );
    assert!(app.ctx.store.team(ChatId(GROUP)).await.unwrap().is_none());
    let moved = app
        .ctx
        .store
        .team(ChatId(new_id))
        .await
        .unwrap()
        .expect("team moved");
    assert!(moved.is_active());
    assert_eq!(
        app.ctx
            .store
            .open_tasks(ChatId(new_id))
            .await
            .unwrap()
            .len(),
        2,
        "tasks followed the team"
    );
    // The next ping goes straight to the new chat.
    let next = app.advance(DAY).await;
    assert!(
        next.iter().all(|m| m.chat_id == new_id) && !next.is_empty(),
        "{next:?}"
    );
    app.emulator.set_fault(Fault::None);
    app.stop_after_faults().await.cleanup().await;
}
