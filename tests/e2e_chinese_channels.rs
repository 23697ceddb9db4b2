//! A team names its channels the way it speaks of them (issue 16, point 1): `淘宝` is a
//! channel name, and `taobao`, `天猫` or `#淘宝` name it wherever a channel is asked for.

#[macro_use]
mod common;

use campaign_bot::console::emulator::SentKind;
use common::{ALICE, BOB, GROUP, TestApp, WANG};

const CHECKIN: &str = "花费 1000 曝光 50000 点击 1500 订单 45 成交额 9000";

async fn zh_team(app: &mut TestApp) {
    app.reply(GROUP, ALICE, "/start").await;
    app.reply(GROUP, ALICE, "/lang zh").await;
    assert!(app.say(GROUP, BOB, "在").await.is_empty());
}

async fn chinese_channel_names_and_their_aliases(mut app: TestApp) {
    zh_team(&mut app).await;
    let added = app.reply(GROUP, ALICE, "/channel add 淘宝 core 5万").await;
    assert!(added.contains("已添加 <b>淘宝</b>"), "{added}");
    let added = app
        .reply(GROUP, ALICE, "/channel add 小红书 test 1万")
        .await;
    assert!(added.contains("小红书"), "{added}");
    // Another spelling of a channel the team has is that channel, not a second one.
    let again = app
        .reply(GROUP, ALICE, "/channel add taobao test 100")
        .await;
    assert!(again.contains("已有渠道 <b>淘宝</b>"), "{again}");

    for typed in ["taobao", "#淘宝", "天猫"] {
        let saved = app
            .reply(GROUP, WANG, &format!("/checkin {typed} {CHECKIN}"))
            .await;
        assert!(saved.contains("#淘宝"), "{typed}: {saved}");
    }
    let xhs = app
        .reply(GROUP, WANG, &format!("/checkin xhs {CHECKIN}"))
        .await;
    assert!(xhs.contains("#小红书"), "{xhs}");

    let metrics = app.reply(GROUP, WANG, "/metrics taobao").await;
    assert!(
        metrics.contains("淘宝") && !metrics.contains("小红书"),
        "{metrics}"
    );

    let budget = app.reply(GROUP, ALICE, "/channel budget taobao 6万").await;
    assert!(budget.contains("<b>淘宝</b>"), "{budget}");
    let goal = app
        .reply(GROUP, ALICE, "/goal gmv 50万 month #taobao")
        .await;
    assert!(goal.contains("淘宝"), "{goal}");
    let goals = app.reply(GROUP, ALICE, "/goals").await;
    assert!(
        goals.contains("淘宝") && !goals.contains("taobao"),
        "{goals}"
    );

    let task = app
        .reply(GROUP, ALICE, "/task @bob 上新 截止 周五 18:00 #taobao")
        .await;
    assert!(task.contains("淘宝"), "{task}");

    let ab = app.reply(GROUP, ALICE, "/abtest taobao").await;
    assert!(ab.contains("淘宝"), "{ab}");

    let chart = app.say(GROUP, ALICE, "/chart gmv taobao").await;
    assert_eq!(chart.len(), 1, "{chart:#?}");
    assert_eq!(chart[0].kind, SentKind::Photo);

    // The export keeps the name as the team wrote it (UTF-8 with a BOM for Excel).
    let sent = app.say(GROUP, ALICE, "/export").await;
    let csv = String::from_utf8(sent[0].file_bytes.clone().expect("bytes")).expect("utf-8");
    assert!(
        csv.starts_with('\u{FEFF}') && csv.contains(",淘宝,"),
        "{csv}"
    );

    let removed = app.reply(GROUP, ALICE, "/channel remove 红书").await;
    assert!(removed.contains("小红书"), "{removed}");
    app.stop().await.cleanup().await;
}

async fn names_that_cannot_be_channels_are_refused_with_a_fix(mut app: TestApp) {
    zh_team(&mut app).await;
    let bad = app
        .reply(GROUP, ALICE, "/channel add 淘宝-旗舰店 core 1万")
        .await;
    assert!(
        bad.contains("淘宝_旗舰店"),
        "suggests a name that works: {bad}"
    );
    let unknown = app
        .reply(GROUP, WANG, &format!("/checkin 京东 {CHECKIN}"))
        .await;
    assert!(unknown.contains("京东"), "{unknown}");
    let html = app
        .reply(GROUP, ALICE, "/channel add <b>x</b> core 1万")
        .await;
    assert!(!html.contains("<b>x</b>"), "escaped: {html}");
    app.stop().await.cleanup().await;
}

e2e!(
    chinese_channel_names_and_their_aliases,
    names_that_cannot_be_channels_are_refused_with_a_fix
);
