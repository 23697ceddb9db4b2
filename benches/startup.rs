//! The binary against the emulator, as in production but on loopback: time from process start
//! to its first getUpdates, what it does while idle (CPU, getUpdates calls over 10 s), resident
//! memory when idle, CPU time per handled `/start`, and a clean exit on SIGTERM.
//!
//! cargo bench --bench startup

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use campaign_bot::clock::{Clock, ManualClock, SystemClock};
use campaign_bot::console::emulator::{ChatKind, Emulator, UserSpec};

#[path = "support/proc_stats.rs"]
mod proc_stats;
use proc_stats::{cpu_ticks, proc_field, wait_until};

const MESSAGES: usize = 300;
const IDLE: Duration = Duration::from_secs(10);

#[tokio::main]
async fn main() {
    let clock = ManualClock::new(SystemClock.now());
    let emulator = Emulator::start(clock.clone()).await.expect("emulator");
    for i in 0..MESSAGES as i64 {
        let user = 10_000 + i;
        emulator.add_user(
            UserSpec::new(user, format!("user{i}"))
                .username(format!("user{i}"))
                .language("en"),
        );
        emulator.add_chat(-200_000 - i, ChatKind::Supergroup, &format!("team {i}"));
    }
    let dir = tempfile::tempdir().expect("dir");
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_campaign-bot"))
        .arg("run")
        .env("TELOXIDE_TOKEN", emulator.token())
        .env("TELOXIDE_API_URL", emulator.api_url().as_str())
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", dir.path().join("bench.db").display()),
        )
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn campaign-bot");
    let pid = child.id();
    assert!(
        wait_until(Duration::from_secs(30), || emulator
            .request_count("getUpdates")
            > 0)
        .await
    );
    let to_first_poll = started.elapsed();
    tokio::time::sleep(Duration::from_secs(3)).await;
    // Idle: nothing to do but wait in a long poll (and the scheduler's sweep).
    let (idle_cpu, idle_polls) = (cpu_ticks(pid), emulator.request_count("getUpdates"));
    tokio::time::sleep(IDLE).await;
    let idle_cpu_ms = (cpu_ticks(pid) - idle_cpu) as f64 * 10.0;
    let idle_polls = emulator.request_count("getUpdates") - idle_polls;
    let idle_rss_kib = proc_field(pid, "status", "VmRSS:").unwrap_or(0);

    let cpu_before = cpu_ticks(pid);
    let sent_before = emulator.sent_count();
    let handling = Instant::now();
    for i in 0..MESSAGES as i64 {
        emulator.send_text(-200_000 - i, 10_000 + i, "/start");
    }
    assert!(
        wait_until(Duration::from_secs(120), || emulator.sent_count()
            >= sent_before + MESSAGES)
        .await
    );
    let wall = handling.elapsed();
    let cpu_ms = (cpu_ticks(pid) - cpu_before) as f64 * 10.0;
    let busy_rss_kib = proc_field(pid, "status", "VmRSS:").unwrap_or(0);

    let stopping = Instant::now();
    Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill");
    let status = child.wait().expect("wait");
    println!("start → first getUpdates : {to_first_poll:.2?}");
    println!(
        "idle {IDLE:?}               : {idle_cpu_ms:.0} ms CPU ({:.2}% of a core), {idle_polls} getUpdates",
        idle_cpu_ms / IDLE.as_millis() as f64 * 100.0
    );
    println!(
        "idle RSS                 : {:.1} MiB",
        idle_rss_kib as f64 / 1024.0
    );
    println!(
        "RSS after {MESSAGES} /start     : {:.1} MiB",
        busy_rss_kib as f64 / 1024.0
    );
    println!(
        "CPU per handled /start   : {:.2} ms ({MESSAGES} in {wall:.2?} wall, Throttle-paced)",
        cpu_ms / MESSAGES as f64
    );
    println!(
        "SIGTERM → exit           : {:.2?}, status {status}",
        stopping.elapsed()
    );
    assert!(
        emulator.rejections().is_empty(),
        "{:?}",
        emulator.rejections()
    );
    let _ = clock.now();
}
