//! CPU time per handled `/checkin`, through the emulator, with a year of history for 100 teams.
//!
//! `cargo bench --bench checkin` (PostgreSQL too when TEST_DATABASE_URL is set). It fills a
//! fresh database with 100 teams × 4 channels × 365 days of check-ins (bulk insert), then sends
//! `/checkin` messages through the local Bot API emulator, 50 teams at a time, and waits for each
//! to be handled (update → handler → store → reply over HTTP). It prints the process CPU time (user +
//! system, from /proc/self/stat: the bot, the emulator and, for SQLite, the database engine; for
//! a local PostgreSQL also its backends serving the bench database) per check-in, the
//! throughput, and the latency of a check-in sent alone. Optional: CHECKIN_BENCH_N (default 2000),
//! CHECKIN_BENCH_DAYS (days of history, default 365).

#[path = "support/fresh_db.rs"]
mod fresh_db;
use campaign_bot::domain::ids::{ChatId, UserId};
use fresh_db::FreshDatabase;
use std::time::{Duration, Instant};

use campaign_bot::app::{self, App};
use campaign_bot::clock::{ManualClock, SharedClock};
use campaign_bot::config::{CommonArgs, Settings};
use campaign_bot::console::emulator::{ChatKind, Emulator, UserSpec};
use campaign_bot::domain::lang::Lang;
use campaign_bot::storage::{NewCheckin, NewTeam, Store};

/// 2026-11-02 09:00 UTC, as in the tests.
const T0: i64 = 1_793_610_000;
const TEAMS: i64 = 100;
const CHANNELS: [&str; 4] = ["xhs", "jd", "douyin", "tmall"];
const DAYS: u64 = 365;
const USER: i64 = 501;
const WARMUP: usize = 50;
/// Messages in flight at once (distinct teams).
const BATCH: usize = 50;
/// Check-ins sent one at a time at the end, for latency.
const SEQUENTIAL: usize = 20;

fn chat_id(team: i64) -> i64 {
    -1_000_000_000 - team
}

/// CPU time (user + system) of a process from /proc/<pid>/stat, in seconds. Linux ticks are
/// 1/100 s (USER_HZ).
fn cpu_of(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

/// This process's CPU time: the bot, the emulator and (for SQLite) the database engine.
fn cpu_seconds() -> f64 {
    cpu_of("self")
}

/// CPU time of the local PostgreSQL backends serving `database` (their process title names it),
/// so other databases on the same server do not count. 0 when the server is not local.
fn pg_backend_cpu(database: &str) -> f64 {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0.0;
    };
    dir.filter_map(Result::ok)
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|pid| pid.bytes().all(|b| b.is_ascii_digit()))
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .map(|c| {
                    let c = String::from_utf8_lossy(&c);
                    c.starts_with("postgres: ") && c.contains(&format!(" {database} "))
                })
                .unwrap_or(false)
        })
        .map(|pid| cpu_of(&pid))
        .sum()
}

fn settings(url: &str) -> Settings {
    let mut s = Settings::from_args(&CommonArgs {
        token: None,
        api_url: None,
        database_url: Some(url.to_string()),
        default_lang: None,
        default_tz: None,
        webhook_secret: None,
        port: None,
    })
    .expect("settings");
    s.default_lang = Lang::En;
    s
}

/// A year of daily numbers for every channel of every team, inserted in bulk.
async fn fill(store: &Store) -> (usize, Duration) {
    let started = Instant::now();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 2).expect("day");
    // CHECKIN_BENCH_DAYS=0 measures against an empty history, for comparison.
    let history: u64 = std::env::var("CHECKIN_BENCH_DAYS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DAYS);
    let days: Vec<String> = (1..=history)
        .map(|back| {
            (today - chrono::Days::new(back))
                .format("%Y-%m-%d")
                .to_string()
        })
        .collect();
    let mut total = 0;
    for team in 0..TEAMS {
        let chat = chat_id(team);
        store
            .ensure_team(
                &NewTeam {
                    chat_id: ChatId(chat),
                    title: "Bench team",
                    detected_lang: Some("en"),
                    tz: "Asia/Shanghai",
                },
                T0,
            )
            .await
            .expect("team");
        for name in CHANNELS {
            store
                .add_channel(
                    ChatId(chat),
                    name,
                    campaign_bot::domain::playbook::Tier::Core,
                    3_000_000,
                    T0,
                )
                .await
                .expect("channel");
        }
        let mut rows = Vec::with_capacity(days.len() * CHANNELS.len());
        for (i, day) in days.iter().enumerate() {
            for (c, name) in CHANNELS.iter().enumerate() {
                let k = (i as i64 % 17) + c as i64;
                rows.push(NewCheckin {
                    chat_id: ChatId(chat),
                    channel: name,
                    day,
                    creative: "",
                    spend: Some(80_000 + k * 1_000),
                    impressions: Some(40_000 + k * 500),
                    clicks: Some(1_200 + k * 10),
                    orders: Some(30 + k),
                    gmv: Some(700_000 + k * 9_000),
                    leads: None,
                    new_customers: Some(5 + k),
                    interactions: None,
                    author_id: Some(UserId(USER)),
                });
            }
        }
        total += store.import_checkins(&rows, T0).await.expect("import") as usize;
    }
    (total, started.elapsed())
}

async fn run(label: &str, url: &str, n: usize, pg_database: Option<&str>) {
    let store = Store::open(url).await.expect("open");
    let (rows, fill_time) = fill(&store).await;
    println!(
        "{label}: filled {rows} check-ins ({TEAMS} teams × {} channels × {} days) in {:.1} s",
        CHANNELS.len(),
        rows / (TEAMS as usize * CHANNELS.len()),
        fill_time.as_secs_f64()
    );

    let clock = ManualClock::new(T0);
    let shared: SharedClock = clock.clone();
    let emulator = Emulator::start(shared.clone()).await.expect("emulator");
    emulator.add_user(
        UserSpec::new(USER, "alice")
            .username("alice")
            .language("en"),
    );
    for team in 0..TEAMS {
        emulator.add_chat(chat_id(team), ChatKind::Supergroup, "Bench team");
    }
    let bot = app::make_bot(
        &emulator.token(),
        Some(&emulator.api_url()),
        app::relaxed_limits(),
    );
    let app = App::new(settings(url), shared, store.clone(), bot);
    let ctx = app.ctx.clone();
    let running = app.spawn_polling();

    let mut handled = 0u64;
    let send = |i: usize| {
        let team = i as i64 % TEAMS;
        let channel = CHANNELS[(i / TEAMS as usize) % CHANNELS.len()];
        // Today's row for a team × channel the first time, a replacement after that.
        let text = format!(
            "/checkin {channel} spend={} impressions=50000 clicks=1500 orders=45 gmv=9000 new=3",
            1000 + i % 500
        );
        emulator.send_text(chat_id(team), USER, &text);
    };
    for i in 0..WARMUP {
        send(i);
    }
    handled += WARMUP as u64;
    assert!(
        ctx.tracker
            .wait_finished(handled, Duration::from_secs(60))
            .await
    );
    // Sent in batches of BATCH messages to distinct teams, as many teams checking in at once:
    // the wall time of one message alone is dominated by Throttle's 250 ms queue tick.
    let sent_before = emulator.sent_count();
    let server_cpu = || pg_database.map(pg_backend_cpu).unwrap_or(0.0);
    let (cpu0, server0) = (cpu_seconds(), server_cpu());
    let wall0 = Instant::now();
    let mut i = WARMUP;
    while i < WARMUP + n {
        let end = (i + BATCH).min(WARMUP + n);
        for k in i..end {
            send(k);
        }
        handled += (end - i) as u64;
        assert!(
            ctx.tracker
                .wait_finished(handled, Duration::from_secs(60))
                .await,
            "batch at {i} not handled"
        );
        i = end;
    }
    let wall = wall0.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu0;
    let server = server_cpu() - server0;
    let replies = emulator.sent_count() - sent_before;
    assert_eq!(replies, n, "one reply per check-in");
    assert!(
        emulator.rejections().is_empty(),
        "{:?}",
        emulator.rejections()
    );
    println!(
        "{label}: {n} /checkin handled in batches of {BATCH}: CPU {:.3} ms per check-in ({cpu:.2} s total), {:.0} check-ins/s",
        cpu * 1000.0 / n as f64,
        n as f64 / wall
    );
    if pg_database.is_some() {
        println!(
            "{label}: + PostgreSQL server backends: CPU {:.3} ms per check-in ({server:.2} s total); bot + server {:.3} ms",
            server * 1000.0 / n as f64,
            (cpu + server) * 1000.0 / n as f64
        );
    }
    // One at a time, for the latency a user sees.
    let wall0 = Instant::now();
    for k in 0..SEQUENTIAL {
        send(WARMUP + n + k);
        handled += 1;
        assert!(
            ctx.tracker
                .wait_finished(handled, Duration::from_secs(30))
                .await
        );
    }
    println!(
        "{label}: one at a time: {:.0} ms from update to reply sent (mean of {SEQUENTIAL})",
        wall0.elapsed().as_secs_f64() * 1000.0 / SEQUENTIAL as f64
    );
    running.stop().await;
    emulator.shutdown();
    store.close().await;
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::var("CHECKIN_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);

    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    run("SQLite", &url, n, None).await;

    match std::env::var("TEST_DATABASE_URL") {
        Err(_) => println!("PostgreSQL: skipped (TEST_DATABASE_URL is not set)"),
        Ok(admin_url) => {
            let db = FreshDatabase::create(
                &admin_url,
                &format!("cb_bench_checkin_{}", std::process::id()),
            )
            .await;
            run("PostgreSQL", &db.url, n, Some(&db.name)).await;
            db.drop_it().await;
        }
    }
}
