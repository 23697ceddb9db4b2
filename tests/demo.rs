//! `campaign-bot demo` on a fresh working directory: runs in under a minute, prints the weekly
//! review naming every planted feature — the CVR drop on one channel in the last week, the
//! test channel beating a core one, the overloaded owner, the gap in the numbers — and writes
//! its files (database, chart PNG) to `./campaign-bot-demo/`, printing their paths.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn run_demo(dir: &Path, lang: &str) -> String {
    let started = Instant::now();
    // Output to files and a watchdog: a demo that hangs fails this test with what it printed,
    // instead of holding the whole suite until CI's limit.
    let out_path = dir.join("demo.stdout");
    let err_path = dir.join("demo.stderr");
    let child = Command::new(env!("CARGO_BIN_EXE_campaign-bot"))
        .arg("demo")
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("TELOXIDE_TOKEN")
        .env("BOT_DEFAULT_LANG", lang)
        .env("TMPDIR", dir)
        .stdout(std::fs::File::create(&out_path).expect("stdout file"))
        .stderr(std::fs::File::create(&err_path).expect("stderr file"))
        .spawn()
        .expect("run the demo");
    let pid = child.id().to_string();
    // A thread waits for the process; this one waits for that thread's word, at most 120 s.
    let (done, exited) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut child = child;
        let _ = done.send(child.wait());
    });
    let status = match exited.recv_timeout(Duration::from_secs(120)) {
        Ok(status) => Some(status.expect("wait")),
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &pid]).status();
            None
        }
    };
    let elapsed = started.elapsed();
    let stdout = std::fs::read_to_string(&out_path).unwrap_or_default();
    let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
    let Some(status) = status else {
        panic!("the demo hung for {elapsed:?}:\n{stdout}\n{stderr}");
    };
    assert!(status.success(), "demo failed:\n{stdout}\n{stderr}");
    assert!(elapsed < Duration::from_secs(60), "took {elapsed:?}");
    stdout
}

/// The printed chart path is under `./campaign-bot-demo/` and is a wide PNG.
fn check_chart(dir: &Path, stdout: &str) {
    let path = stdout
        .lines()
        .find_map(|l| l.strip_prefix("Chart written to "))
        .expect("the chart path is printed");
    let path = Path::new(path.trim());
    assert!(
        path.starts_with(dir.join("campaign-bot-demo")),
        "{}",
        path.display()
    );
    let bytes = std::fs::read(path).expect("the chart file exists");
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let reader = decoder.read_info().expect("a PNG");
    assert!(reader.info().width >= 1000);
    assert!(
        dir.join("campaign-bot-demo/demo.db").exists(),
        "the database is kept"
    );
}

#[test]
fn demo_prints_the_review_with_the_planted_features_and_writes_its_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let stdout = run_demo(dir.path(), "en");
    // The agenda at 16:00 and the summary at 17:00.
    assert!(stdout.contains("Weekly review in one hour"), "{stdout}");
    assert!(stdout.contains("Weekly summary"), "{stdout}");
    for part in [
        // The CVR drop on taobao in the last week, below goal and week over week.
        "#taobao · CVR: ",
        "below the goal 3.00%",
        "work on the detail page",
        // The test channel beating a core one.
        "#xhs · ROI: the test channel's ROI",
        "beat core #douyin",
        "graduate the test channel",
        // The overloaded owner.
        "Carol: ",
        "more than twice the team median",
        "reassign some of these tasks",
        // The gap in the numbers.
        "#wechat: no numbers for 3 days",
    ] {
        assert!(stdout.contains(part), "missing {part:?} in:\n{stdout}");
    }
    check_chart(dir.path(), &stdout);
    // A second run starts again from a fresh database in the same place.
    let again = run_demo(dir.path(), "en");
    assert!(again.contains("#wechat: no numbers for 3 days"), "{again}");
}

#[test]
fn the_chinese_demo_speaks_chinese_with_chinese_channel_names() {
    let dir = tempfile::tempdir().expect("temp dir");
    let stdout = run_demo(dir.path(), "zh");
    for part in [
        "#淘宝 · 转化率：本周 ",
        "低于目标 3.00%",
        "连续两周超过核心渠道 #抖音",
        "个未完成任务，超过团队中位数",
        "#私域：已 3 天没有数据",
    ] {
        assert!(stdout.contains(part), "missing {part:?} in:\n{stdout}");
    }
    // The agenda names the meeting's time in Chinese (the demo's own narration is English).
    assert!(stdout.contains("11月27日 周五 17:00"), "{stdout}");
    assert!(!stdout.contains("17:00 Fri"), "dates in Chinese:\n{stdout}");
    check_chart(dir.path(), &stdout);
}
