//! Instructions per handled update, counted by callgrind on the release binary: repeatable on
//! a noisy machine where CPU time is not. The bot runs `campaign-bot run` under valgrind against
//! the emulator; each group first creates its channel (not counted), then the counters are
//! zeroed, a burst of one command goes to every group, and the counters are dumped.
//!
//! cargo bench --bench callgrind
//! (CALLGRIND_GROUPS, default 100; CALLGRIND_OUT, where the dumps go, default a temporary
//! directory that is printed and kept; CALLGRIND_PLAIN=1 runs the binary without valgrind and
//! prints user and system CPU and context switches per update instead, which callgrind cannot
//! see: it counts user-space instructions only; CALLGRIND_BINARY measures another build). Read a dump with
//! `callgrind_annotate --inclusive=yes <file> | head -60`; the release binary is stripped, so
//! build it with `CARGO_PROFILE_RELEASE_STRIP=false` to see function names.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

#[path = "support/bot_process.rs"]
mod bot_process;
#[path = "support/proc_stats.rs"]
mod proc_stats;
use bot_process::Process;
use proc_stats::{context_switches, cpu_ticks_split};

const CHECKIN: &str = "/checkin taobao spend=500 impressions=40000 clicks=1200 orders=30 gmv=6000";

/// Asks the running callgrind to zero its counters (`-z`) or dump them (`-d`).
fn control(args: &[&str], pid: u32) {
    let status = Command::new("callgrind_control")
        .args(args)
        .arg(pid.to_string())
        .status()
        .expect("callgrind_control (is valgrind installed?)");
    assert!(status.success(), "callgrind_control {args:?} failed");
}

/// The dump files under `dir`, newest last.
fn dumps(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| {
        p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("callgrind."))
    });
    files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
    files
}

/// The instruction count a dump reports (its `summary:` or `totals:` line).
fn total_instructions(dump: &Path) -> u64 {
    let text = std::fs::read_to_string(dump).unwrap_or_default();
    text.lines()
        .find_map(|l| {
            l.strip_prefix("summary:")
                .or_else(|| l.strip_prefix("totals:"))
        })
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

#[tokio::main]
async fn main() {
    let groups: i64 = std::env::var("CALLGRIND_GROUPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let out = match std::env::var("CALLGRIND_OUT") {
        Ok(dir) => PathBuf::from(dir),
        Err(_) => tempfile::tempdir().expect("dir").keep(),
    };
    std::fs::create_dir_all(&out).expect("output directory");
    // Another build (an older tree's, kept aside) can be measured the same way.
    let bot = std::env::var("CALLGRIND_BINARY")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_BIN_EXE_campaign-bot")));
    let emulator = bot_process::emulator(groups, 0).await;
    if std::env::var("CALLGRIND_PLAIN").is_ok_and(|v| v == "1") {
        return plain(&bot, &emulator, groups).await;
    }
    let out_file = format!("--callgrind-out-file={}/callgrind.%p", out.display());
    let bot_path = bot.to_string_lossy();
    let args = ["--tool=callgrind", out_file.as_str(), &bot_path, "run"];
    let process = Process::spawn(Path::new("valgrind"), &args, &emulator, None);
    let pid = process.pid();
    let slow = Duration::from_secs(600);
    assert!(
        bot_process::wait_polling(&emulator, slow).await,
        "the bot never polled"
    );
    bot_process::burst(&emulator, groups, "/channel add taobao core 5000", slow).await;
    println!("{groups} groups; callgrind dumps in {}", out.display());
    println!("| command | instructions per update |");
    println!("|---|---:|");
    for (name, text) in [("/help", "/help"), ("/checkin", CHECKIN)] {
        // Settle: the previous burst's last handlers finish their bookkeeping.
        tokio::time::sleep(Duration::from_secs(2)).await;
        control(&["-z"], pid);
        bot_process::burst(&emulator, groups, text, slow).await;
        tokio::time::sleep(Duration::from_secs(2)).await;
        control(&["-d", name.trim_start_matches('/')], pid);
        let dump = dumps(&out).pop().expect("a dump");
        let per = total_instructions(&dump) / groups as u64;
        println!("| {name} | {per} ({}) |", dump.display());
    }
    process.stop();
}

/// Without valgrind: user and system CPU (ms) and context switches per update, from /proc.
async fn plain(bot: &Path, emulator: &campaign_bot::console::emulator::Emulator, groups: i64) {
    let process = Process::spawn(bot, &["run"], emulator, None);
    let pid = process.pid();
    let slow = Duration::from_secs(120);
    assert!(
        bot_process::wait_polling(emulator, slow).await,
        "the bot never polled"
    );
    bot_process::burst(emulator, groups, "/channel add taobao core 5000", slow).await;
    println!("{groups} groups, no valgrind");
    println!("| command | user ms | system ms | context switches | per update |");
    println!("|---|---:|---:|---:|---|");
    for (name, text) in [("/help", "/help"), ("/checkin", CHECKIN)] {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let ((user, sys), switches) = (cpu_ticks_split(pid), context_switches(pid));
        bot_process::burst(emulator, groups, text, slow).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        let ((user2, sys2), switches2) = (cpu_ticks_split(pid), context_switches(pid));
        let per = |a: u64, b: u64| (a - b) as f64 / groups as f64;
        println!(
            "| {name} | {:.3} | {:.3} | {:.1} | |",
            per(user2, user) * 10.0,
            per(sys2, sys) * 10.0,
            per(switches2, switches)
        );
    }
    process.stop();
}
