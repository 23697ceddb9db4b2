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

#[path = "../tests/support/load_set.rs"]
mod load_set;

use load_set::{BIG, LoadSize};

const SIZE: LoadSize = LoadSize {
    teams: 10_000,
    tasks: 100_000,
    big_tasks: 2_000,
    checkin_teams: 1_000,
    days: 365,
    jobs: 100_000,
};
const TEAMS: i64 = SIZE.teams;
const TASKS: i64 = SIZE.tasks;

async fn fill(store: &Store, now: i64) {
    load_set::fill(store, now, SIZE).await;
}

/// The memory lines of `/proc/<pid>/status`, in KiB (Threads as a count).
#[derive(Clone, Copy, Default)]
struct Mem {
    rss: u64,
    anon: u64,
    file: u64,
    shmem: u64,
    threads: u64,
}

fn mem(pid: u32) -> Mem {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
            .unwrap_or(0)
    };
    Mem {
        rss: field("VmRSS:"),
        anon: field("RssAnon:"),
        file: field("RssFile:"),
        shmem: field("RssShmem:"),
        threads: field("Threads:"),
    }
}

/// The process named campaign-bot among `root`'s descendants (or `root` itself).
fn bot_process(root: u32) -> Option<u32> {
    let comm = |pid: u32| std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
    let mut frontier = vec![root];
    while let Some(pid) = frontier.pop() {
        if comm(pid).trim() == "campaign-bot" {
            return Some(pid);
        }
        let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).ok()?;
        for task in tasks.flatten() {
            let children =
                std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
            frontier.extend(
                children
                    .split_whitespace()
                    .filter_map(|c| c.parse::<u32>().ok()),
            );
        }
    }
    None
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

#[tokio::main]
async fn main() {
    let now = SystemClock.now();
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("load.db");
    let url = format!("sqlite://{}", path.display());
    // LOAD_BENCH_CACHE=<file> keeps the filled database between runs (for quick experiments;
    // its dates are then those of the run that filled it).
    let cache = std::env::var_os("LOAD_BENCH_CACHE").map(std::path::PathBuf::from);
    match cache.as_ref().filter(|c| c.exists()) {
        Some(cache) => {
            std::fs::copy(cache, &path).expect("copy the cached database");
            println!("database copied from {}", cache.display());
        }
        None => {
            let store = Store::open(&url).await.expect("open");
            let started = Instant::now();
            fill(&store, now).await;
            store.close().await;
            println!(
                "filled {TEAMS} teams, {TASKS} tasks, {} check-ins in {:.1?}",
                SIZE.checkins(),
                started.elapsed()
            );
            if let Some(cache) = cache {
                std::fs::copy(&path, cache).expect("keep the database");
            }
        }
    }

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
    // LOAD_BENCH_WRAP runs the bot under a tool (e.g. "heaptrack -o /tmp/load"); the figures
    // are then the bot's own, found as the wrapper's child process.
    let wrap = std::env::var("LOAD_BENCH_WRAP").unwrap_or_default();
    let mut words = wrap.split_whitespace();
    let mut command = match words.next() {
        Some(tool) => {
            let mut command = Command::new(tool);
            command.args(words).arg(env!("CARGO_BIN_EXE_campaign-bot"));
            command
        }
        None => Command::new(env!("CARGO_BIN_EXE_campaign-bot")),
    };
    let mut child = command
        .arg("run")
        .env("TELOXIDE_TOKEN", emulator.token())
        .env("TELOXIDE_API_URL", emulator.api_url().as_str())
        .env("DATABASE_URL", &url)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn");
    while emulator.request_count("getUpdates") == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let pid = if wrap.is_empty() {
        child.id()
    } else {
        bot_process(child.id()).expect("the bot under the wrapper")
    };
    let idle = mem(pid);
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
    // The snapshot with the highest RSS, so its parts (heap, mapped binary, threads) add up.
    let mut peak = idle;
    let mut max_threads = idle.threads;
    let serving = Instant::now();
    let deadline = serving + Duration::from_secs(600);
    loop {
        let now = mem(pid);
        max_threads = max_threads.max(now.threads);
        if now.rss > peak.rss {
            peak = now;
            // LOAD_BENCH_SMAPS=<file> keeps the mappings at the peak, to attribute the memory.
            if let Ok(path) = std::env::var("LOAD_BENCH_SMAPS") {
                let _ = std::fs::copy(format!("/proc/{pid}/smaps"), path);
            }
        }
        if emulator.sent_count() >= before + sent || Instant::now() >= deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let served_in = serving.elapsed();
    let after = mem(pid);
    let replies = emulator.sent_since(before);
    let big_tasks = load_set::big_team_task_lists(&replies);
    Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill");
    let status = child.wait().expect("wait");
    println!(
        "RSS idle {:.1} MiB, peak while serving {sent} commands {:.1} MiB, after {:.1} MiB ({served_in:.1?})",
        mib(idle.rss),
        mib(peak.rss),
        mib(after.rss)
    );
    for (when, m) in [("idle", idle), ("peak", peak)] {
        println!(
            "  {when}: anon {:.1} MiB, file {:.1} MiB, shmem {:.1} MiB, {} threads",
            mib(m.anon),
            mib(m.file),
            mib(m.shmem),
            m.threads
        );
    }
    println!("  threads at most {max_threads}");
    println!(
        "/tasks in the largest team (2,000 open tasks): {} messages, longest {} chars",
        big_tasks.len(),
        load_set::longest(&big_tasks)
    );
    println!(
        "replies {} of {sent} expected (≥), rejected by the emulator: {}, exit {status}",
        replies.len(),
        emulator.rejections().len()
    );
    let _ = clock.now();
}
