//! The CI-sized version of `cargo bench --bench load` (SQLite): 1,000 teams, 10,000 tasks with
//! 2,000 in the largest team, 10,000 pending jobs, 90 days of check-ins for 100 teams. A burst
//! of 250 commands over 50 teams is answered with nothing rejected; `/tasks` for the largest
//! team is one message; the scheduler's claim is served by its index. Memory is the bench's
//! business (a release binary); this checks behaviour at size.

#[macro_use]
mod common;
#[path = "support/load_set.rs"]
mod load_set;

use std::collections::HashMap;

use common::{T0, TestApp, TestDb};
use load_set::LoadSize;

const SIZE: LoadSize = LoadSize {
    teams: 1_000,
    tasks: 10_000,
    big_tasks: 2_000,
    checkin_teams: 100,
    days: 90,
    jobs: 10_000,
};
const BUSY_TEAMS: i64 = 50;
const COMMANDS: [&str; 5] = [
    "/checkin taobao spend=500 impressions=40000 clicks=1200 orders=30 gmv=6000",
    "/metrics 30d",
    "/tasks",
    "/plan",
    "/bottlenecks",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_big_database_is_served_in_full() {
    let db = TestDb::sqlite().await;
    load_set::fill(&db.store, T0, SIZE).await;
    // 50 of the pending jobs are due now: the claim must find them among 10,000 by its index.
    db.store
        .execute_raw(&format!(
            "UPDATE jobs SET fire_at = {} WHERE id <= 50",
            T0 - 10
        ))
        .await
        .expect("due jobs");
    let pool = sqlx::SqlitePool::connect(&db.url).await.expect("pool");
    let plan: Vec<String> = sqlx::query_as::<_, (i64, i64, i64, String)>(
        "EXPLAIN QUERY PLAN SELECT id FROM jobs WHERE state = 'pending' AND fire_at <= $1 \
         ORDER BY fire_at, id LIMIT 200",
    )
    .bind(T0)
    .fetch_all(&pool)
    .await
    .expect("explain")
    .into_iter()
    .map(|row| row.3)
    .collect();
    pool.close().await;
    assert!(
        plan.iter().any(|d| d.contains("INDEX jobs_pending_fire"))
            && !plan.iter().any(|d| d == "SCAN jobs"),
        "the claim is not index-bound: {plan:?}"
    );
    let claimed = db
        .store
        .claim_due_jobs("load", T0, 200)
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 50);

    let mut app = TestApp::spawn(db).await;
    for x in 1..=BUSY_TEAMS {
        app.emulator.add_chat(
            -x,
            campaign_bot::console::emulator::ChatKind::Supergroup,
            &format!("team {x}"),
        );
        app.emulator.add_user(
            campaign_bot::console::emulator::UserSpec::new(x, format!("User {x}"))
                .username(format!("user{x}"))
                .language("en"),
        );
        app.emulator.set_admin(-x, x, true);
    }
    let before = app.emulator.sent_count();
    let started = std::time::Instant::now();
    for x in 1..=BUSY_TEAMS {
        for command in COMMANDS {
            app.emulator.send_text(-x, x, command);
        }
    }
    for _ in 0..BUSY_TEAMS * COMMANDS.len() as i64 {
        app.wait_handled().await;
    }
    let took = started.elapsed();
    let replies = app.emulator.sent_since(before);
    let mut per_chat: HashMap<i64, usize> = HashMap::new();
    for reply in &replies {
        *per_chat.entry(reply.chat_id).or_default() += 1;
    }
    let unanswered: Vec<i64> = (1..=BUSY_TEAMS)
        .map(|x| -x)
        .filter(|chat| per_chat.get(chat).copied().unwrap_or(0) < COMMANDS.len())
        .collect();
    let big_tasks = load_set::big_team_task_lists(&replies);
    eprintln!(
        "LOAD {} teams, {} tasks, {} check-ins, {} jobs: {} commands in {took:.1?}, {} replies, \
         /tasks for {} open tasks: {} message(s), longest {} chars",
        SIZE.teams,
        SIZE.tasks,
        SIZE.checkins(),
        SIZE.jobs,
        BUSY_TEAMS * COMMANDS.len() as i64,
        replies.len(),
        SIZE.big_tasks,
        big_tasks.len(),
        load_set::longest(&big_tasks)
    );
    assert!(
        unanswered.is_empty(),
        "teams not fully answered: {unanswered:?}"
    );
    assert_eq!(
        big_tasks.len(),
        1,
        "/tasks for the largest team is one message"
    );
    assert!(big_tasks[0].text.contains("more"), "{}", big_tasks[0].text);
    assert!(
        !replies
            .iter()
            .any(|m| m.text.contains("Something went wrong")),
        "a command failed under load"
    );
    app.stop().await.cleanup().await;
}
