//! `kill -9` in the middle of a burst: the real binary, on SQLite, with production Throttle
//! limits, serving 500 `/task` commands over 50 groups while 100 deadline pings fall due. It is
//! killed after about 40% of the replies and started again. Afterwards: every command answered,
//! every task created once, every ping sent, the database intact, and a reply or ping sent
//! twice only where the process died between Telegram accepting it and the record of that
//! (the one window no Bot API client can close; it is counted and reported).
//!
//! The size comes from CRASH_COMMANDS (default 500) so a longer run is one variable away.

#[macro_use]
mod common;

use campaign_bot::domain::ids::{ChatId, UserId};
use std::collections::{HashMap, HashSet};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use campaign_bot::bot::AppContext;
use campaign_bot::clock::{SharedClock, SystemClock};
use campaign_bot::console::emulator::{ChatKind, Emulator, UserSpec};
use campaign_bot::scheduler::plan_task_jobs;
use campaign_bot::storage::{NewTask, NewTeam, Store};

const CHATS: i64 = 50;
const PINGS_PER_CHAT: i64 = 2;
const ADMIN: i64 = 9_001;
const OWNER: i64 = 9_002;

fn chat(i: i64) -> i64 {
    -1_000_500_000 - i
}

fn spawn_bot(emulator: &Emulator, db_url: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_campaign-bot"))
        .arg("run")
        .env("TELOXIDE_TOKEN", emulator.token())
        .env("TELOXIDE_API_URL", emulator.api_url().as_str())
        .env("DATABASE_URL", db_url)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn the bot")
}

/// Tasks whose 1-hour ping falls due a few seconds into the burst, planned as the bot plans them.
async fn seed_pings(db_url: &str, clock: SharedClock) -> Vec<String> {
    let store = Store::open(db_url).await.expect("open");
    let ctx = AppContext::new(store.clone(), clock.clone(), common::settings(db_url));
    let now = clock.now();
    let mut titles = Vec::new();
    for i in 0..CHATS {
        let team = NewTeam {
            chat_id: ChatId(chat(i)),
            title: &format!("Crash team {i}"),
            detected_lang: Some("en"),
            tz: "Asia/Shanghai",
        };
        store.ensure_team(&team, now).await.expect("team");
        for k in 0..PINGS_PER_CHAT {
            let title = format!("Ping-{i}-{k}");
            let new = NewTask {
                chat_id: ChatId(chat(i)),
                title: title.clone(),
                done_when: None,
                owner_id: Some(UserId(OWNER)),
                owner_username: None,
                creator_id: UserId(ADMIN),
                channel: None,
                // The 1-hour mark falls 3–12 s from now, while the burst is being served.
                due_at: now + 3600 + 3 + (i + k * CHATS) % 10,
                recur: None,
                series_id: None,
                source_message: None,
            };
            let task = store.create_task(&new, now).await.expect("task");
            plan_task_jobs(&ctx, &task).await.expect("plan");
            titles.push(title);
        }
    }
    store.close().await;
    titles
}

/// How many of the bot's messages name each title (as a whole token: `Cmd-1-2` is not `Cmd-1-20`).
fn count_by_title(sent: &[String], titles: &[String]) -> HashMap<String, usize> {
    let mut counts: HashMap<String, usize> = titles.iter().map(|t| (t.clone(), 0)).collect();
    for text in sent {
        for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-')) {
            if let Some(n) = counts.get_mut(word) {
                *n += 1;
            }
        }
    }
    counts
}

/// A copy counts as "in flight at the kill" when Telegram accepted it this close to the kill:
/// the process had sent it and could not have heard back and recorded it (measured: < 2 ms).
const IN_FLIGHT: Duration = Duration::from_millis(50);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_burst_loses_nothing() {
    let commands: i64 = std::env::var("CRASH_COMMANDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    let clock: SharedClock = Arc::new(SystemClock);
    let emulator = Emulator::start(clock.clone()).await.expect("emulator");
    emulator.add_user(UserSpec::new(ADMIN, "lead").username("lead").language("en"));
    emulator.add_user(
        UserSpec::new(OWNER, "maker")
            .username("maker")
            .language("en"),
    );
    for i in 0..CHATS {
        emulator.add_chat(chat(i), ChatKind::Supergroup, &format!("Crash team {i}"));
        emulator.set_admin(chat(i), ADMIN, true);
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let db_url = format!("sqlite://{}", dir.path().join("bot.db").display());
    let ping_titles = seed_pings(&db_url, clock.clone()).await;

    let mut bot = spawn_bot(&emulator, &db_url);
    // The burst, round-robin over the chats, all queued at once.
    let command_titles: Vec<String> = (0..commands)
        .map(|n| {
            let i = n % CHATS;
            let title = format!("Cmd-{i}-{}", n / CHATS);
            emulator.send_text(chat(i), ADMIN, &format!("/task @maker {title} due +3d"));
            title
        })
        .collect();
    // Killed the moment a message is accepted: sends are in flight then (the worst case).
    let kill_after = (commands as usize) * 2 / 5;
    let started = Instant::now();
    assert!(
        emulator
            .wait_for(Duration::from_secs(120), |e| e.sent_count() >= kill_after)
            .await,
        "the first process answered only {} messages",
        emulator.sent_count()
    );
    let kill_instant = Instant::now();
    bot.kill().expect("kill -9");
    bot.wait().expect("reap");
    let killed_at = started.elapsed();
    let sent_before_kill = emulator.sent_count();

    // What the dead process left: updates in hand, jobs claimed.
    let store = Store::open(&db_url).await.expect("reopen after the kill");
    let (stored, in_hand, replied, done) = store.inbox_counts().await.expect("inbox");
    let claimed_jobs = store
        .count_jobs(campaign_bot::domain::jobs::JobState::Claimed)
        .await
        .expect("jobs");
    store.close().await;
    eprintln!(
        "CRASH killed after {killed_at:.1?} with {sent_before_kill} messages sent; inbox: \
         {stored} stored, {in_hand} in hand, {replied} replied, {done} done; {claimed_jobs} jobs claimed"
    );

    let mut bot = spawn_bot(&emulator, &db_url);
    let all_titles: Vec<String> = command_titles.iter().chain(&ping_titles).cloned().collect();
    let everything_arrived = emulator
        .wait_for(Duration::from_secs(180), |e| {
            let texts: Vec<String> = e.sent().into_iter().map(|m| m.text).collect();
            count_by_title(&texts, &all_titles)
                .values()
                .all(|&n| n >= 1)
        })
        .await;
    // A graceful stop finishes every send in flight, so anything still on its way arrives
    // before the process exits and would show up below as a duplicate.
    let terminated = Command::new("kill")
        .args(["-TERM", &bot.id().to_string()])
        .status()
        .expect("kill -TERM");
    assert!(terminated.success());
    let status = bot.wait().expect("exit");
    let total = started.elapsed();

    // Per title: how many copies, and when Telegram accepted the first.
    let mut copies: HashMap<String, (usize, Instant)> = HashMap::new();
    let sent = emulator.sent();
    for message in &sent {
        let one = [message.text.clone()];
        for (title, n) in count_by_title(&one, &all_titles) {
            if n > 0 {
                copies.entry(title).or_insert((0, message.accepted_at)).0 += n;
            }
        }
    }
    let missing: Vec<&String> = all_titles
        .iter()
        .filter(|t| !copies.contains_key(*t))
        .collect();
    let doubled: Vec<(&String, usize, Instant)> = all_titles
        .iter()
        .filter_map(|t| copies.get(t).map(|(n, at)| (t, *n, *at)))
        .filter(|(_, n, _)| *n > 1)
        .collect();
    let doubled_pings = doubled
        .iter()
        .filter(|(t, _, _)| t.starts_with("Ping-"))
        .count();
    let not_in_flight: Vec<String> = doubled
        .iter()
        .filter(|(_, _, first)| kill_instant.saturating_duration_since(*first) > IN_FLIGHT)
        .map(|(t, n, first)| {
            let before = kill_instant.saturating_duration_since(*first);
            format!("{t} ×{n}, first accepted {before:?} before the kill")
        })
        .collect();
    let latest_in_flight = doubled
        .iter()
        .map(|(_, _, first)| kill_instant.saturating_duration_since(*first))
        .max()
        .unwrap_or_default();

    let pool = sqlx::SqlitePool::connect(&db_url)
        .await
        .expect("reopen at the end");
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&pool)
        .await
        .expect("integrity_check");
    let task_titles: Vec<String> = sqlx::query_scalar("SELECT title FROM tasks")
        .fetch_all(&pool)
        .await
        .expect("titles");
    pool.close().await;
    let distinct: HashSet<&String> = task_titles.iter().collect();
    eprintln!(
        "CRASH {commands} commands + {} pings in {total:.1?}: {} messages, {} missing, \
         {} replies and {doubled_pings} pings sent twice (each accepted by Telegram at most \
         {latest_in_flight:?} before the kill), {} tasks ({} distinct), integrity_check: {integrity}",
        ping_titles.len(),
        sent.len(),
        missing.len(),
        doubled.len() - doubled_pings,
        task_titles.len(),
        distinct.len(),
    );

    assert!(everything_arrived, "never answered or pinged: {missing:?}");
    assert!(status.success(), "exit status after SIGTERM: {status}");
    assert_eq!(integrity, "ok");
    assert_eq!(
        task_titles.len(),
        commands as usize + ping_titles.len(),
        "a command run twice created its task twice"
    );
    assert_eq!(distinct.len(), task_titles.len());
    // A second copy only of what was on its way to Telegram as the process died.
    assert!(not_in_flight.is_empty(), "sent twice: {not_in_flight:?}");
    assert!(doubled.iter().all(|(_, n, _)| *n == 2));
    assert!(
        emulator.rejections().is_empty(),
        "{:?}",
        emulator.rejections()
    );
    assert_eq!(emulator.pending_updates(), 0, "every update acknowledged");
}

/// An update another process stored and claimed, and then died holding (on PostgreSQL a live
/// instance must pick it up without a restart): after the lease the sweep hands it to this
/// process, which answers it once.
async fn a_stalled_update_is_swept_up_after_the_lease(mut app: common::TestApp) {
    use campaign_bot::bot::inbox::sweep;
    use campaign_bot::storage::INBOX_LEASE_SECS;
    let id = 900_001;
    let body = serde_json::json!({
        "update_id": id,
        "message": {
            "message_id": 77, "date": common::T0,
            "chat": {"id": common::GROUP, "type": "supergroup", "title": "Growth"},
            "from": {"id": common::ALICE, "is_bot": false, "first_name": "alice", "username": "alice"},
            "text": "/task @bob Swept-up due +3d",
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}]
        }
    })
    .to_string();
    // This process has finished starting (its recovery read the inbox) before the other one
    // stores and claims: otherwise the start may replay the update too, and the update counted
    // handled below may be that copy's, refused by the claim, before the reply is sent.
    assert!(
        app.emulator
            .wait_for(std::time::Duration::from_secs(20), |e| e
                .request_count("getUpdates")
                > 0)
            .await,
        "the bot started polling"
    );
    let store = app.ctx.store.clone();
    store.inbox_put(id, &body, common::T0).await.expect("put");
    assert!(
        store
            .inbox_claim(id, || body.to_string(), common::T0)
            .await
            .expect("the other process claims")
    );
    assert_eq!(
        sweep(&app.ctx).await.expect("sweep"),
        0,
        "within the lease it is not ours"
    );
    let before = app.emulator.sent_count();
    app.clock.advance(INBOX_LEASE_SECS + 1);
    assert_eq!(sweep(&app.ctx).await.expect("sweep"), 1);
    app.wait_handled().await;
    let replies = app.emulator.sent_since(before);
    assert_eq!(replies.len(), 1, "{replies:?}");
    assert!(replies[0].text.contains("Swept-up"), "{}", replies[0].text);
    assert_eq!(sweep(&app.ctx).await.expect("sweep"), 0, "done is done");
    let open = store
        .open_tasks(ChatId(common::GROUP))
        .await
        .expect("tasks");
    assert_eq!(open.iter().filter(|t| t.title == "Swept-up").count(), 1);
    app.stop().await.cleanup().await;
}

e2e!(a_stalled_update_is_swept_up_after_the_lease);
