//! The bot serving a large database: 10,000 teams, 100,000 tasks (2,000 in the largest team),
//! and a year of check-ins for 1,000 teams (4 channels each). Measures peak RSS while serving a
//! burst of commands, how `/tasks` for the largest team is delivered, and that nothing is
//! rejected. SQLite, release build.
//!
//! cargo bench --bench load

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use campaign_bot::clock::{Clock, ManualClock, SystemClock};
use campaign_bot::console::emulator::{ChatKind, Emulator, UserSpec};
use campaign_bot::storage::Store;

const TEAMS: i64 = 10_000;
const TASKS: i64 = 100_000;
const CHECKIN_TEAMS: i64 = 1_000;
const BIG: i64 = -1;

async fn fill(store: &Store, now: i64) {
    let series = |n: i64| {
        format!("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < {n})")
    };
    let sql = [
        format!(
            "{} INSERT INTO teams (chat_id, title, detected_lang, tz, created_at, updated_at, next_task_no) SELECT -x, 'team ' || x, 'en', 'Asia/Shanghai', {now}, {now}, 1 FROM c",
            series(TEAMS)
        ),
        format!(
            "{} INSERT INTO users (user_id, username, username_lower, display_name, lang_code, updated_at) SELECT x, 'user' || x, 'user' || x, 'User ' || x, 'en', {now} FROM c",
            series(TEAMS)
        ),
        format!(
            "{} INSERT INTO members (chat_id, user_id, first_seen, last_seen) SELECT -x, x, {now}, {now} FROM c",
            series(TEAMS)
        ),
        // 2,000 tasks in the largest team, the rest spread over the others.
        format!(
            "{} INSERT INTO tasks (chat_id, number, title, owner_id, creator_id, due_at, created_at, updated_at) \
                 SELECT CASE WHEN x <= 2000 THEN {BIG} ELSE -(2 + x % ({TEAMS} - 1)) END, x, 'Publish note batch ' || x, \
                 CASE WHEN x <= 2000 THEN 1 + x % 7 ELSE 2 + x % ({TEAMS} - 1) END, 1, {now} + (x % 500) * 3600 - 86400, {now}, {now} FROM c",
            series(TASKS)
        ),
        format!("UPDATE teams SET next_task_no = {TASKS} + 1"),
        format!(
            "{} INSERT INTO channels (chat_id, name, tier, monthly_budget, owner_id, created_at, updated_at) \
                 SELECT -x, ch.name, ch.tier, 3000000, x, {now}, {now} FROM c, \
                 (SELECT 'taobao' AS name, 'core' AS tier UNION ALL SELECT 'douyin', 'core' UNION ALL SELECT 'xhs', 'test' UNION ALL SELECT 'wechat', 'reserve') ch",
            series(CHECKIN_TEAMS)
        ),
        format!(
            "{} INSERT INTO checkins (chat_id, channel, day, creative, spend, impressions, clicks, orders, gmv, author_id, created_at, updated_at) \
                 SELECT -(1 + (x - 1) % {CHECKIN_TEAMS}), ch.name, date({now}, 'unixepoch', '-' || ((x - 1) / {CHECKIN_TEAMS}) || ' days'), '', \
                 50000, 40000, 1200, 30, 600000, 1, {now}, {now} FROM c, \
                 (SELECT 'taobao' AS name UNION ALL SELECT 'douyin' UNION ALL SELECT 'xhs' UNION ALL SELECT 'wechat') ch",
            series(CHECKIN_TEAMS * 365)
        ),
        "ANALYZE".to_string(),
    ];
    for statement in sql {
        store.execute_raw(&statement).await.expect("fill");
    }
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))?
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()
        })
        .unwrap_or(0)
}

#[tokio::main]
async fn main() {
    let now = SystemClock.now();
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}", dir.path().join("load.db").display());
    let store = Store::open(&url).await.expect("open");
    let started = Instant::now();
    fill(&store, now).await;
    let count = |table: &'static str| {
        let store = store.clone();
        async move {
            store
                .execute_raw(&format!("SELECT COUNT(*) FROM {table}"))
                .await
                .map(|_| ())
                .ok()
        }
    };
    count("checkins").await;
    store.close().await;
    println!(
        "filled {TEAMS} teams, {TASKS} tasks, {} check-ins in {:.1?}",
        CHECKIN_TEAMS * 4 * 365,
        started.elapsed()
    );

    let clock = ManualClock::new(now);
    let emulator = Emulator::start(clock.clone()).await.expect("emulator");
    for x in 1..=300i64 {
        emulator.add_chat(-x, ChatKind::Supergroup, &format!("team {x}"));
        emulator.add_user(
            UserSpec::new(x, format!("User {x}"))
                .username(format!("user{x}"))
                .language("en"),
        );
    }
    emulator.set_admin(BIG, 1, true);
    let mut child = Command::new(env!("CARGO_BIN_EXE_campaign-bot"))
        .arg("run")
        .env("TELOXIDE_TOKEN", emulator.token())
        .env("TELOXIDE_API_URL", emulator.api_url().as_str())
        .env("DATABASE_URL", &url)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn");
    let pid = child.id();
    while emulator.request_count("getUpdates") == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let idle = rss_kib(pid);
    // A burst across 300 teams: check-ins, metrics, task lists, plans; plus /tasks in the largest team.
    let before = emulator.sent_count();
    let commands = [
        "/checkin taobao spend=500 impressions=40000 clicks=1200 orders=30 gmv=6000",
        "/metrics 30d",
        "/tasks",
        "/plan",
    ];
    let mut sent = 0;
    for x in 1..=300i64 {
        for command in commands {
            emulator.send_text(-x, x, command);
            sent += 1;
        }
    }
    let mut peak = idle;
    let deadline = Instant::now() + Duration::from_secs(600);
    while emulator.sent_count() < before + sent && Instant::now() < deadline {
        peak = peak.max(rss_kib(pid));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    peak = peak.max(rss_kib(pid));
    let replies = emulator.sent_since(before);
    let big_tasks: Vec<_> = replies
        .iter()
        .filter(|m| m.chat_id == BIG && m.text.contains("Publish note batch"))
        .collect();
    Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill");
    let status = child.wait().expect("wait");
    println!(
        "RSS idle {:.1} MiB, peak while serving {sent} commands {:.1} MiB",
        idle as f64 / 1024.0,
        peak as f64 / 1024.0
    );
    println!(
        "/tasks in the largest team (2,000 open tasks): {} messages, longest {} chars",
        big_tasks.len(),
        big_tasks
            .iter()
            .map(|m| m.text.encode_utf16().count())
            .max()
            .unwrap_or(0)
    );
    println!(
        "replies {} of {sent} expected (≥), rejected by the emulator: {}, exit {status}",
        replies.len(),
        emulator.rejections().len()
    );
    let _ = clock.now();
}
