//! `campaign-bot console` as a person uses it: the whole life of a task in the terminal.

mod common;

use campaign_bot::console::terminal::Session;
use campaign_bot::domain::ids::ChatId;
use campaign_bot::domain::lang::Lang;
use common::{T0, TestDb};

#[tokio::test]
async fn the_console_shows_the_whole_life_of_a_task() {
    let db = TestDb::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let settings = common::settings(&db.url);
    let mut console = Session::start(
        settings,
        db.store.clone(),
        Lang::En,
        T0,
        dir.path().to_path_buf(),
    )
    .await
    .expect("console session");
    let mut say = async |line: &str| console.line(line).await.expect("line").join("\n");
    say("/as bob").await;
    say("hi, I'm bob").await;
    say("/as alice").await;
    let created = say("/task @bob Publish 3 notes due +24h | 3 notes live").await;
    assert!(
        created.contains("Task #1 for Bob: Publish 3 notes"),
        "{created}"
    );
    let ping = say("/advance 23h").await;
    assert!(
        ping.contains("due in 1 hour") && ping.contains("[1: ✅ Done]"),
        "{ping}"
    );
    say("/as bob").await;
    let done = say("/press 1").await;
    assert!(
        done.contains("bot edited a message") && done.contains("✅ Done — Bob"),
        "{done}"
    );
    let detail = say("/task 1").await;
    assert!(
        detail.contains("Status: done") && detail.contains("marked done"),
        "{detail}"
    );
    assert!(
        say("/advance 2d")
            .await
            .lines()
            .all(|l| !l.contains("overdue")),
        "no pings after done"
    );
    console.stop().await;
    db.cleanup().await;
}

#[tokio::test]
async fn the_console_imports_a_local_report_file() {
    let db = TestDb::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let settings = common::settings(&db.url);
    let mut console = Session::start(
        settings,
        db.store.clone(),
        Lang::En,
        T0,
        dir.path().to_path_buf(),
    )
    .await
    .expect("console session");
    let mut say = async |line: &str| console.line(line).await.expect("line").join("\n");
    say("/channel add douyin core 30000").await;
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/import/qianchuan_bom.csv"
    );
    let preview = say(&format!("/import {path}")).await;
    assert!(
        preview.contains("posted qianchuan_bom.csv") && preview.contains("Import into #douyin"),
        "{preview}"
    );
    assert!(preview.contains("[1: ✅ Import]"), "{preview}");
    let done = say("/press 1").await;
    assert!(done.contains("Stored #douyin: 3 days"), "{done}");
    let missing = say("/import /no/such/file.csv").await;
    assert!(
        missing.contains("cannot read /no/such/file.csv"),
        "{missing}"
    );
    console.stop().await;
    assert_eq!(
        db.store
            .count_checkins(ChatId(campaign_bot::console::terminal::GROUP_ID))
            .await
            .unwrap(),
        3
    );
    db.cleanup().await;
}
