//! A release binary run as a process against the emulator, for the benchmarks that measure
//! from outside (process.rs, callgrind.rs): the groups, the process, a burst of one command.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use campaign_bot::clock::{Clock, ManualClock, SystemClock};
use campaign_bot::console::emulator::{ChatKind, Emulator, UserSpec};

use super::proc_stats::wait_until;

pub const QUIET_USER: i64 = 99_999;

pub fn group(i: i64) -> i64 {
    -200_000 - i
}

pub fn quiet_group(k: i64) -> i64 {
    -100_000 - k
}

pub fn user(i: i64) -> i64 {
    10_000 + i
}

/// `groups` busy groups (each with its own admin) and `quiet_groups` for latency samples.
pub async fn emulator(groups: i64, quiet_groups: i64) -> Emulator {
    let clock = ManualClock::new(SystemClock.now());
    let emulator = Emulator::start(clock).await.expect("emulator");
    for i in 0..=groups {
        emulator.add_user(
            UserSpec::new(user(i), format!("user{i}"))
                .username(format!("user{i}"))
                .language("en"),
        );
        emulator.add_chat(group(i), ChatKind::Supergroup, &format!("team {i}"));
        emulator.set_admin(group(i), user(i), true);
    }
    emulator.add_user(UserSpec::new(QUIET_USER, "quiet").language("en"));
    for k in 0..quiet_groups {
        emulator.add_chat(quiet_group(k), ChatKind::Supergroup, &format!("quiet {k}"));
        emulator.set_admin(quiet_group(k), QUIET_USER, true);
    }
    emulator
}

pub struct Process {
    child: Child,
    _dir: tempfile::TempDir,
}

impl Process {
    /// `program args…` with the emulator's token and URL; `database_url` None means a fresh
    /// SQLite file in a temporary directory.
    pub fn spawn(
        program: &Path,
        args: &[&str],
        emulator: &Emulator,
        database_url: Option<&str>,
    ) -> Process {
        let dir = tempfile::tempdir().expect("dir");
        let sqlite = format!("sqlite://{}", dir.path().join("bench.db").display());
        let child = Command::new(program)
            .args(args)
            .env("TELOXIDE_TOKEN", emulator.token())
            .env("TELOXIDE_API_URL", emulator.api_url().as_str())
            .env("DATABASE_URL", database_url.unwrap_or(&sqlite))
            // BOT_RUST_LOG shows more while profiling (`sqlx::query=debug` lists statements).
            .env(
                "RUST_LOG",
                std::env::var("BOT_RUST_LOG").unwrap_or_else(|_| "warn".to_string()),
            )
            .env_remove("TELOXIDE_PROXY")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {}: {e}", program.display()));
        Process { child, _dir: dir }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

/// Waits until the process has made its first getUpdates.
pub async fn wait_polling(emulator: &Emulator, timeout: Duration) -> bool {
    wait_until(timeout, || emulator.request_count("getUpdates") > 0).await
}

/// Sends `text` to each of the first `groups` busy groups and waits for one reply each.
pub async fn burst(emulator: &Emulator, groups: i64, text: &str, timeout: Duration) {
    let sent_before = emulator.sent_count();
    for i in 0..groups {
        emulator.send_text(group(i), user(i), text);
    }
    let all = wait_until(timeout, || {
        emulator.sent_count() >= sent_before + groups as usize
    })
    .await;
    assert!(all, "{text}: not every group was answered");
}
