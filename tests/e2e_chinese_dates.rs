//! A Chinese team reads every date in Chinese: 周五, 11月6日, "2 天后", "3 小时前"
//! (issue 16, point 2). English teams keep English dates.

#[macro_use]
mod common;

use common::{ALICE, GROUP, TestApp};

async fn zh_team(app: &mut TestApp) {
    app.reply(GROUP, ALICE, "/start").await;
    app.reply(GROUP, ALICE, "/lang zh").await;
}

async fn task_replies_and_lists_show_chinese_weekdays(mut app: TestApp) {
    zh_team(&mut app).await;
    // T0 is Monday 2026-11-02 17:00 in Shanghai; 周五 18:00 is four days later.
    let created = app
        .reply(GROUP, ALICE, "/task @bob 写周报 截止 周五 18:00")
        .await;
    assert!(created.contains("11月6日 周五 18:00"), "{created}");
    assert!(created.contains("天后"), "{created}");
    assert!(!created.contains("Fri"), "{created}");

    let list = app.reply(GROUP, ALICE, "/tasks all").await;
    assert!(list.contains("周五"), "{list}");
    assert!(!list.contains("Fri"), "{list}");

    // The history reads as "… 前" for recent events.
    app.clock.advance(3 * 3600 + 60);
    let detail = app.reply(GROUP, ALICE, "/task 1").await;
    assert!(detail.contains("3 小时前"), "{detail}");
    assert!(detail.contains("11月6日 周五 18:00"), "{detail}");

    let tz = app.reply(GROUP, ALICE, "/timezone").await;
    assert!(tz.contains("11月2日 周一"), "{tz}");
    assert!(!tz.contains("Mon"), "{tz}");
    app.stop().await.cleanup().await;
}

async fn english_teams_keep_english_dates(mut app: TestApp) {
    app.reply(GROUP, ALICE, "/start").await;
    let created = app
        .reply(GROUP, ALICE, "/task @bob Weekly report due Friday 18:00")
        .await;
    assert!(created.contains("2026-11-06 18:00 Fri"), "{created}");
    assert!(!created.contains("周"), "{created}");
    app.stop().await.cleanup().await;
}

e2e!(
    task_replies_and_lists_show_chinese_weekdays,
    english_teams_keep_english_dates
);
