//! The release binary as users run it, measured from outside the process, next to teloxide's
//! echo bot (examples/echo.rs) in the same run: idle CPU and getUpdates over 10 s, CPU per
//! handled update (`/help`, `/checkin`; a plain echo for the reference) over a 300-group burst,
//! and reply latency — a lone command while idle, and one sent while 300 other groups are
//! being answered at Telegram's limits. Each figure is the median of `PROCESS_RUNS` runs (3).
//!
//! cargo build --release --example echo && cargo bench --bench process

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use campaign_bot::clock::{Clock, ManualClock, SystemClock};
use campaign_bot::console::emulator::{ChatKind, Emulator, UserSpec};

#[path = "support/proc_stats.rs"]
mod proc_stats;
use proc_stats::{cpu_ticks, wait_until};

const GROUPS: i64 = 300;
const IDLE: Duration = Duration::from_secs(10);
const LONE_SAMPLES: usize = 20;
const LOADED_SAMPLES: usize = 10;
/// Each latency sample is asked in a group of its own: a group may get about 20 messages a
/// minute, and 30 samples in one group would measure that limit, not the bot.
const QUIET_GROUPS: i64 = (LONE_SAMPLES + LOADED_SAMPLES) as i64;
/// A pause between samples, so each is a lone command.
const SAMPLE_SPACING: Duration = Duration::from_millis(200);
const QUIET_USER: i64 = 99_999;

fn group(i: i64) -> i64 {
    -200_000 - i
}

fn quiet_group(k: i64) -> i64 {
    -100_000 - k
}

fn user(i: i64) -> i64 {
    10_000 + i
}

/// utime + stime in milliseconds (USER_HZ is 100 on Linux).
fn cpu_ms(pid: u32) -> f64 {
    cpu_ticks(pid) as f64 * 10.0
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

async fn emulator() -> Emulator {
    let clock = ManualClock::new(SystemClock.now());
    let emulator = Emulator::start(clock).await.expect("emulator");
    for i in 0..=GROUPS {
        emulator.add_user(
            UserSpec::new(user(i), format!("user{i}"))
                .username(format!("user{i}"))
                .language("en"),
        );
        emulator.add_chat(group(i), ChatKind::Supergroup, &format!("team {i}"));
        emulator.set_admin(group(i), user(i), true);
    }
    emulator.add_user(UserSpec::new(QUIET_USER, "quiet").language("en"));
    for k in 0..QUIET_GROUPS {
        emulator.add_chat(quiet_group(k), ChatKind::Supergroup, &format!("quiet {k}"));
        emulator.set_admin(quiet_group(k), QUIET_USER, true);
    }
    emulator
}

struct Process {
    child: Child,
    _dir: tempfile::TempDir,
}

impl Process {
    fn spawn(binary: &PathBuf, args: &[&str], emulator: &Emulator) -> Process {
        let dir = tempfile::tempdir().expect("dir");
        let child = Command::new(binary)
            .args(args)
            .env("TELOXIDE_TOKEN", emulator.token())
            .env("TELOXIDE_API_URL", emulator.api_url().as_str())
            .env(
                "DATABASE_URL",
                format!("sqlite://{}", dir.path().join("bench.db").display()),
            )
            .env("RUST_LOG", "warn")
            .env_remove("TELOXIDE_PROXY")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {}: {e}", binary.display()));
        Process { child, _dir: dir }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

/// Sends `text` to every busy group and waits for one reply each; CPU ms per update.
async fn burst(emulator: &Emulator, pid: u32, text: &str) -> f64 {
    let before = cpu_ms(pid);
    let sent_before = emulator.sent_count();
    for i in 0..GROUPS {
        emulator.send_text(group(i), user(i), text);
    }
    let all = wait_until(Duration::from_secs(120), || {
        emulator.sent_count() >= sent_before + GROUPS as usize
    })
    .await;
    assert!(all, "{text}: not every group was answered");
    // Let the last reply's handler finish its bookkeeping before reading the clock.
    tokio::time::sleep(Duration::from_millis(200)).await;
    (cpu_ms(pid) - before) / GROUPS as f64
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
    per_update: Vec<(&'static str, f64)>,
    lone_p50: f64,
    lone_p99: f64,
    loaded_p50: f64,
    loaded_p99: f64,
}

async fn measure(
    binary: &PathBuf,
    args: &[&str],
    setup: &[&str],
    work: &[(&'static str, &str)],
    lone: &str,
) -> Run {
    let emulator = emulator().await;
    let process = Process::spawn(binary, args, &emulator);
    let pid = process.pid();
    assert!(
        wait_until(Duration::from_secs(30), || emulator
            .request_count("getUpdates")
            > 0)
        .await,
        "{} never polled",
        binary.display()
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (cpu, polls) = (cpu_ms(pid), emulator.request_count("getUpdates"));
    tokio::time::sleep(IDLE).await;
    let mut run = Run {
        idle_cpu_pct: (cpu_ms(pid) - cpu) / IDLE.as_millis() as f64 * 100.0,
        idle_polls: (emulator.request_count("getUpdates") - polls) as f64,
        ..Run::default()
    };
    for text in setup {
        burst(&emulator, pid, text).await;
    }
    for (name, text) in work {
        run.per_update
            .push((name, burst(&emulator, pid, text).await));
    }
    let mut lone_ms = Vec::new();
    for k in 0..LONE_SAMPLES as i64 {
        lone_ms.push(lone_latency(&emulator, quiet_group(k), lone).await);
        tokio::time::sleep(SAMPLE_SPACING).await;
    }
    let lone_ms_all = lone_ms.clone();
    run.lone_p50 = percentile(lone_ms.clone(), 0.5);
    run.lone_p99 = percentile(lone_ms, 0.99);
    // Under load: the 300 groups flood, and quiet groups ask, one at a time, meanwhile.
    let mut loaded_ms = Vec::new();
    let sent_before = emulator.sent_count();
    for i in 0..GROUPS {
        emulator.send_text(group(i), user(i), lone);
    }
    for k in 0..LOADED_SAMPLES as i64 {
        let group = quiet_group(LONE_SAMPLES as i64 + k);
        loaded_ms.push(lone_latency(&emulator, group, lone).await);
        tokio::time::sleep(SAMPLE_SPACING).await;
    }
    wait_until(Duration::from_secs(120), || {
        emulator.sent_count() >= sent_before + GROUPS as usize + LOADED_SAMPLES
    })
    .await;
    eprintln!(
        "  {}: lone {:.0?} ms; under the burst {:.0?} ms",
        binary.display(),
        lone_ms_all,
        loaded_ms
    );
    run.loaded_p50 = percentile(loaded_ms.clone(), 0.5);
    run.loaded_p99 = percentile(loaded_ms, 0.99);
    process.stop();
    assert!(
        emulator.rejections().is_empty(),
        "{:?}",
        emulator.rejections()
    );
    run
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
    let echo = echo_binary();
    let bot = PathBuf::from(env!("CARGO_BIN_EXE_campaign-bot"));
    let checkin = "/checkin taobao spend=500 impressions=40000 clicks=1200 orders=30 gmv=6000";
    let mut echo_runs = Vec::new();
    let mut bot_runs = Vec::new();
    for i in 0..runs {
        eprintln!("run {}/{runs}", i + 1);
        echo_runs.push(measure(&echo, &[], &[], &[("echo", "hello")], "hello").await);
        bot_runs.push(
            measure(
                &bot,
                &["run"],
                &["/channel add taobao core 5000"],
                &[("/help", "/help"), ("/checkin", checkin)],
                "/help",
            )
            .await,
        );
    }
    let med = |runs: &[Run], f: &dyn Fn(&Run) -> f64| median(runs.iter().map(f).collect());
    let per = |runs: &[Run], name: &str| {
        med(runs, &|r| {
            r.per_update
                .iter()
                .find(|(n, _)| *n == name)
                .map_or(f64::NAN, |(_, v)| *v)
        })
    };
    let floor = per(&echo_runs, "echo");
    println!("medians of {runs} run(s); {GROUPS} groups per burst; release binaries");
    println!("| measure | campaign-bot | echo bot | ratio |");
    println!("|---|---:|---:|---:|");
    println!(
        "| CPU while idle, 10 s | {:.2}% | {:.2}% | |",
        med(&bot_runs, &|r| r.idle_cpu_pct),
        med(&echo_runs, &|r| r.idle_cpu_pct)
    );
    println!(
        "| getUpdates while idle, 10 s | {:.0} | {:.0} | |",
        med(&bot_runs, &|r| r.idle_polls),
        med(&echo_runs, &|r| r.idle_polls)
    );
    for name in ["/help", "/checkin"] {
        let v = per(&bot_runs, name);
        println!(
            "| CPU per {name} (echo: per echo) | {v:.2} ms | {floor:.2} ms | {:.1}× |",
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
}
