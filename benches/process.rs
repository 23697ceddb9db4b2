//! The release binary as users run it, measured from outside the process, next to teloxide's
//! echo bot (examples/echo.rs) in the same run: idle CPU and getUpdates over 10 s, CPU per
//! handled update (`/help`, `/checkin`, and `/checkin` again with the plan in memory; a plain
//! echo for the reference) over a 300-group burst,
//! and reply latency — a lone command while idle, and one sent while 300 other groups are
//! being answered at Telegram's limits. Each figure is the median of `PROCESS_RUNS` runs (3).
//! With TEST_DATABASE_URL set, the bot also runs on a fresh PostgreSQL database per run, and
//! the CPU of the server's backends for that database and of its WAL writer is counted next to
//! the bot's.
//!
//! cargo build --release --example echo && cargo bench --bench process
//! (PROCESS_BINARY measures another build of campaign-bot, e.g. an older tree's, kept aside.)

use std::path::PathBuf;
use std::time::{Duration, Instant};

use campaign_bot::console::emulator::Emulator;

#[path = "support/bot_process.rs"]
mod bot_process;
#[path = "support/fresh_db.rs"]
mod fresh_db;
#[path = "support/proc_stats.rs"]
mod proc_stats;
use bot_process::{Process, QUIET_USER, group, quiet_group, user};
use fresh_db::FreshDatabase;
use proc_stats::{cpu_ns, pg_server_ns, wait_until};

const GROUPS: i64 = 300;
/// The bot's bursts, in the order they run.
const MEASURED: [&str; 3] = ["/help", "/checkin", "/checkin again"];
const IDLE: Duration = Duration::from_secs(10);
const LONE_SAMPLES: usize = 20;
const LOADED_SAMPLES: usize = 10;
/// Each latency sample is asked in a group of its own: a group may get about 20 messages a
/// minute, and 30 samples in one group would measure that limit, not the bot.
const QUIET_GROUPS: i64 = (LONE_SAMPLES + LOADED_SAMPLES) as i64;
/// A pause between samples, so each is a lone command.
const SAMPLE_SPACING: Duration = Duration::from_millis(200);

fn ns_ms(ns: u64) -> f64 {
    ns as f64 / 1e6
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

fn percentile(mut v: Vec<f64>, p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v.get(i).copied().unwrap_or(f64::NAN)
}

/// Where the process under test keeps its data; PostgreSQL's server CPU is counted too.
#[derive(Clone, Copy)]
enum Db<'a> {
    Sqlite,
    /// A fresh database: its URL and its name (the server's backends for it carry the name).
    Postgres {
        url: &'a str,
        name: &'a str,
    },
}

/// Sends `text` to every busy group and waits for one reply each; CPU ms per update of the
/// process and of the PostgreSQL server (`pg_server_ns`; 0 on SQLite).
async fn burst(emulator: &Emulator, pid: u32, db: Db<'_>, text: &str) -> (f64, f64) {
    let server = || match db {
        Db::Sqlite => 0,
        Db::Postgres { name, .. } => pg_server_ns(name),
    };
    let (before, server_before) = (cpu_ns(pid), server());
    bot_process::burst(emulator, GROUPS, text, Duration::from_secs(120)).await;
    // Let the last reply's handler finish its bookkeeping before reading the clock.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let per = |after: u64, before: u64| ns_ms(after.saturating_sub(before)) / GROUPS as f64;
    (per(cpu_ns(pid), before), per(server(), server_before))
}

/// Milliseconds from a command being available to its reply being accepted.
async fn lone_latency(emulator: &Emulator, group: i64, text: &str) -> f64 {
    let before = emulator.sent_count();
    let asked = Instant::now();
    emulator.send_text(group, QUIET_USER, text);
    let answered = wait_until(Duration::from_secs(60), || {
        emulator
            .sent_since(before)
            .iter()
            .any(|m| m.chat_id == group)
    })
    .await;
    assert!(answered, "the quiet group got no reply");
    let reply = emulator
        .sent_since(before)
        .into_iter()
        .find(|m| m.chat_id == group)
        .expect("reply");
    reply.accepted_at.duration_since(asked).as_secs_f64() * 1000.0
}

#[derive(Default)]
struct Run {
    idle_cpu_pct: f64,
    idle_polls: f64,
    /// (command, process CPU ms per update, PostgreSQL server CPU ms per update).
    per_update: Vec<(&'static str, f64, f64)>,
    lone_p50: f64,
    lone_p99: f64,
    loaded_p50: f64,
    loaded_p99: f64,
}

/// What one process is measured on: the command line, the data it keeps, the commands.
struct Subject<'a> {
    binary: &'a PathBuf,
    args: &'a [&'a str],
    db: Db<'a>,
    /// Bursts sent first and not measured (the team's first message creates it).
    setup: &'a [&'a str],
    work: &'a [(&'static str, &'a str)],
    /// The command of the latency samples; None measures CPU per update only.
    lone: Option<&'a str>,
}

async fn measure(subject: &Subject<'_>) -> Run {
    let emulator = bot_process::emulator(GROUPS, QUIET_GROUPS).await;
    let database_url = match subject.db {
        Db::Sqlite => None,
        Db::Postgres { url, .. } => Some(url),
    };
    let process = Process::spawn(subject.binary, subject.args, &emulator, database_url);
    let pid = process.pid();
    assert!(
        bot_process::wait_polling(&emulator, Duration::from_secs(30)).await,
        "{} never polled",
        subject.binary.display()
    );
    let mut run = Run::default();
    if subject.lone.is_some() {
        tokio::time::sleep(Duration::from_secs(3)).await;
        let (cpu, polls) = (cpu_ns(pid), emulator.request_count("getUpdates"));
        tokio::time::sleep(IDLE).await;
        run.idle_cpu_pct = ns_ms(cpu_ns(pid) - cpu) / IDLE.as_millis() as f64 * 100.0;
        run.idle_polls = (emulator.request_count("getUpdates") - polls) as f64;
    }
    for text in subject.setup {
        burst(&emulator, pid, subject.db, text).await;
    }
    for (name, text) in subject.work {
        let (own, server) = burst(&emulator, pid, subject.db, text).await;
        run.per_update.push((name, own, server));
    }
    if let Some(lone) = subject.lone {
        latency(&emulator, lone, &mut run).await;
    }
    process.stop();
    assert!(
        emulator.rejections().is_empty(),
        "{:?}",
        emulator.rejections()
    );
    run
}

/// Lone commands in quiet groups, first while idle, then while the 300 groups flood.
async fn latency(emulator: &Emulator, lone: &str, run: &mut Run) {
    let mut lone_ms = Vec::new();
    for k in 0..LONE_SAMPLES as i64 {
        lone_ms.push(lone_latency(emulator, quiet_group(k), lone).await);
        tokio::time::sleep(SAMPLE_SPACING).await;
    }
    let lone_ms_all = lone_ms.clone();
    run.lone_p50 = percentile(lone_ms.clone(), 0.5);
    run.lone_p99 = percentile(lone_ms, 0.99);
    let mut loaded_ms = Vec::new();
    let sent_before = emulator.sent_count();
    for i in 0..GROUPS {
        emulator.send_text(group(i), user(i), lone);
    }
    for k in 0..LOADED_SAMPLES as i64 {
        let group = quiet_group(LONE_SAMPLES as i64 + k);
        loaded_ms.push(lone_latency(emulator, group, lone).await);
        tokio::time::sleep(SAMPLE_SPACING).await;
    }
    wait_until(Duration::from_secs(120), || {
        emulator.sent_count() >= sent_before + GROUPS as usize + LOADED_SAMPLES
    })
    .await;
    eprintln!("  lone {lone_ms_all:.0?} ms; under the burst {loaded_ms:.0?} ms");
    run.loaded_p50 = percentile(loaded_ms.clone(), 0.5);
    run.loaded_p99 = percentile(loaded_ms, 0.99);
}

fn echo_binary() -> PathBuf {
    // benches run from target/<profile>/deps; examples are built next to it.
    let exe = std::env::current_exe().expect("exe");
    let profile = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target dir");
    let echo = profile.join("examples").join("echo");
    assert!(
        echo.exists(),
        "{} is missing: run `cargo build --release --example echo` first",
        echo.display()
    );
    echo
}

#[tokio::main]
async fn main() {
    let runs: usize = std::env::var("PROCESS_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let postgres = std::env::var("TEST_DATABASE_URL").ok();
    let echo = echo_binary();
    // Another build (an older tree's, kept aside) can be measured the same way.
    let bot = std::env::var("PROCESS_BINARY")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_BIN_EXE_campaign-bot")));
    let checkin = "/checkin taobao spend=500 impressions=40000 clicks=1200 orders=30 gmv=6000";
    let setup = ["/channel add taobao core 5000"];
    // The first check-in of each group comes right after its `/channel add`, so its channels
    // and goals are read from the database; the second (the day's numbers updated, merged into
    // the same row) is the steady state, with the plan already in memory.
    let again = "/checkin taobao spend=600 clicks=1300";
    let work = [
        ("/help", "/help"),
        ("/checkin", checkin),
        ("/checkin again", again),
    ];
    let mut echo_runs = Vec::new();
    let mut bot_runs = Vec::new();
    let mut pg_runs = Vec::new();
    for i in 0..runs {
        eprintln!("run {}/{runs}", i + 1);
        echo_runs.push(
            measure(&Subject {
                binary: &echo,
                args: &[],
                db: Db::Sqlite,
                setup: &[],
                work: &[("echo", "hello")],
                lone: Some("hello"),
            })
            .await,
        );
        bot_runs.push(
            measure(&Subject {
                binary: &bot,
                args: &["run"],
                db: Db::Sqlite,
                setup: &setup,
                work: &work,
                lone: Some("/help"),
            })
            .await,
        );
        if let Some(admin_url) = &postgres {
            let fresh = FreshDatabase::create(
                admin_url,
                &format!("cb_bench_process_{}_{i}", std::process::id()),
            )
            .await;
            pg_runs.push(
                measure(&Subject {
                    binary: &bot,
                    args: &["run"],
                    db: Db::Postgres {
                        url: &fresh.url,
                        name: &fresh.name,
                    },
                    setup: &setup,
                    work: &work,
                    lone: None,
                })
                .await,
            );
            fresh.drop_it().await;
        }
    }
    let med = |runs: &[Run], f: &dyn Fn(&Run) -> f64| median(runs.iter().map(f).collect());
    let per = |runs: &[Run], name: &str, server: bool| {
        med(runs, &|r| {
            r.per_update
                .iter()
                .find(|(n, _, _)| *n == name)
                .map_or(f64::NAN, |(_, own, srv)| if server { *srv } else { *own })
        })
    };
    let floor = per(&echo_runs, "echo", false);
    println!("medians of {runs} run(s); {GROUPS} groups per burst; release binaries");
    println!("| measure | campaign-bot | echo bot | ratio |");
    println!("|---|---:|---:|---:|");
    println!(
        "| CPU while idle, 10 s | {:.3}% | {:.3}% | |",
        med(&bot_runs, &|r| r.idle_cpu_pct),
        med(&echo_runs, &|r| r.idle_cpu_pct)
    );
    println!(
        "| getUpdates while idle, 10 s | {:.0} | {:.0} | |",
        med(&bot_runs, &|r| r.idle_polls),
        med(&echo_runs, &|r| r.idle_polls)
    );
    for name in MEASURED {
        let v = per(&bot_runs, name, false);
        println!(
            "| CPU per {name} (echo: per echo) | {v:.3} ms | {floor:.3} ms | {:.1}× |",
            v / floor
        );
    }
    for (label, f) in [
        (
            "lone reply p50",
            &(|r: &Run| r.lone_p50) as &dyn Fn(&Run) -> f64,
        ),
        ("lone reply p99", &|r: &Run| r.lone_p99),
        ("reply p50 under a 300-group burst", &|r: &Run| r.loaded_p50),
        ("reply p99 under a 300-group burst", &|r: &Run| r.loaded_p99),
    ] {
        let (b, e) = (med(&bot_runs, f), med(&echo_runs, f));
        println!("| {label} | {b:.0} ms | {e:.0} ms | {:.1}× |", b / e);
    }
    if pg_runs.is_empty() {
        println!("PostgreSQL: skipped (TEST_DATABASE_URL is not set)");
        return;
    }
    println!();
    println!(
        "| PostgreSQL, CPU per update | bot | server (backends + WAL writer) | bot + server | ÷ SQLite bot |"
    );
    println!("|---|---:|---:|---:|---:|");
    for name in MEASURED {
        let (own, server) = (per(&pg_runs, name, false), per(&pg_runs, name, true));
        let sqlite = per(&bot_runs, name, false);
        println!(
            "| {name} | {own:.2} ms | {server:.2} ms | {:.2} ms | {:.1}× |",
            own + server,
            (own + server) / sqlite
        );
    }
}
