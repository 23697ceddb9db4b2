//! Reading a process from outside, for the benchmarks that run the release binary.

use std::time::{Duration, Instant};

/// The process's CPU time (user + system, every thread, living and exited) in nanoseconds,
/// read from its CPU-time clock: /proc's ticks are 10 ms, too coarse for a cheap process such
/// as the echo bot, whose whole burst costs a tick or two. 0 if the process is gone.
#[allow(dead_code)]
pub fn cpu_ns(pid: u32) -> u64 {
    let mut clock: libc::clockid_t = 0;
    // SAFETY: both calls only write the out-parameters they are given.
    let ok = unsafe { libc::clock_getcpuclockid(pid as libc::pid_t, &mut clock) } == 0;
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    if !ok || unsafe { libc::clock_gettime(clock, &mut ts) } != 0 {
        return 0;
    }
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// A field of /proc/<pid>/<file> such as `VmRSS:` (kB).
#[allow(dead_code)]
pub fn proc_field(pid: u32, file: &str, key: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/{file}")).ok()?;
    text.lines()
        .find(|l| l.starts_with(key))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// utime + stime in clock ticks (USER_HZ, 100 per second on Linux).
#[allow(dead_code)]
pub fn cpu_ticks(pid: u32) -> u64 {
    ticks_of(&pid.to_string())
}

/// CPU nanoseconds ([`cpu_ns`]) of the local PostgreSQL backends serving `database` (their
/// process title names it), so other databases on the same server do not count, and of the
/// server's WAL writer: a commit that does not wait for the flush (the bot's marks and
/// check-ins) leaves the flush to it, so it is counted with the backends that would otherwise
/// pay. It serves every database, so measure on an otherwise quiet server. 0 for a remote
/// server.
#[allow(dead_code)]
pub fn pg_server_ns(database: &str) -> u64 {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0;
    };
    let title = format!(" {database} ");
    dir.filter_map(Result::ok)
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|pid| pid.bytes().all(|b| b.is_ascii_digit()))
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|c| {
                let c = String::from_utf8_lossy(&c);
                c.starts_with("postgres: ") && (c.contains(&title) || c.contains(": walwriter"))
            })
        })
        .filter_map(|pid| pid.parse().ok())
        .map(cpu_ns)
        .sum()
}

/// (utime, stime) in clock ticks.
#[allow(dead_code)]
pub fn cpu_ticks_split(pid: u32) -> (u64, u64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let get = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    (get(11), get(12))
}

/// Voluntary and involuntary context switches of all the process's threads.
#[allow(dead_code)]
pub fn context_switches(pid: u32) -> u64 {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return 0;
    };
    tasks
        .filter_map(Result::ok)
        .filter_map(|t| std::fs::read_to_string(t.path().join("status")).ok())
        .map(|status| {
            status
                .lines()
                .filter(|l| l.contains("ctxt_switches:"))
                .filter_map(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
                .sum::<u64>()
        })
        .sum()
}

fn ticks_of(pid: &str) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let get = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    get(11) + get(12)
}

/// Polls `cond` every millisecond until it holds or `timeout` passed; whether it held.
pub async fn wait_until(timeout: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + timeout;
    while Instant::now() < end {
        if cond() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    cond()
}
