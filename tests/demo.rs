//! `campaign-bot demo` on a fresh working directory: runs in under a minute, prints the weekly
//! review naming all three planted bottlenecks, and writes a chart PNG whose path it prints.

use std::process::Command;
use std::time::{Duration, Instant};

#[test]
fn demo_prints_the_review_with_the_planted_bottlenecks_and_writes_the_chart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_campaign-bot"))
        .arg("demo")
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .env_remove("TELOXIDE_TOKEN")
        .env("BOT_DEFAULT_LANG", "en")
        .env("TMPDIR", dir.path())
        .output()
        .expect("run the demo");
    let elapsed = started.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "demo failed:\n{stdout}\n{stderr}");
    assert!(elapsed < Duration::from_secs(60), "took {elapsed:?}");
    // The agenda at 16:00 and the summary at 17:00.
    assert!(stdout.contains("Weekly review in one hour"), "{stdout}");
    assert!(stdout.contains("Weekly summary"), "{stdout}");
    // The three planted bottlenecks, each with its lever.
    for part in [
        "#taobao · CVR: 1.20% this week, below the goal 3.00%",
        "work on the detail page",
        "#xhs · ROI: the test channel's ROI",
        "beat core #taobao",
        "graduate the test channel",
        "Carol: ",
        "more than twice the team median",
        "reassign some of these tasks",
    ] {
        assert!(stdout.contains(part), "missing {part:?} in:\n{stdout}");
    }
    let path = stdout
        .lines()
        .find_map(|l| l.strip_prefix("Chart written to "))
        .expect("the chart path is printed");
    let bytes = std::fs::read(path.trim()).expect("the chart file exists");
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let reader = decoder.read_info().expect("a PNG");
    assert!(reader.info().width >= 1000);
}
