//! `/checkin` the way a Chinese team types it (issue 16, point 3): `key value`, glued
//! `花费1000`, units, full-width digits and punctuation, a row pasted from a spreadsheet; and a
//! refusal that names exactly the piece not understood, storing nothing.

#[macro_use]
mod common;

use campaign_bot::domain::ids::ChatId;
use common::{ALICE, GROUP, TestApp, WANG};

async fn zh_team_with_taobao(app: &mut TestApp) {
    app.reply(GROUP, ALICE, "/start").await;
    app.reply(GROUP, ALICE, "/lang zh").await;
    app.reply(GROUP, ALICE, "/channel add taobao core 50000")
        .await;
}

async fn count(app: &TestApp) -> usize {
    app.ctx
        .store
        .checkins_between(ChatId(GROUP), "2000-01-01", "2100-01-01")
        .await
        .expect("checkins")
        .len()
}

async fn forgiving_checkins_are_understood(mut app: TestApp) {
    zh_team_with_taobao(&mut app).await;
    let spaced = app
        .reply(
            GROUP,
            WANG,
            "/checkin taobao spend 2000 impressions 80000 clicks 1600 orders 40 gmv 8000",
        )
        .await;
    assert!(spaced.contains("数据已保存"), "{spaced}");
    assert!(spaced.contains("2.00%"), "CTR 1600/80000: {spaced}");

    // Glued, with units and full-width digits and commas: the same day, replaced.
    let chinese = app
        .reply(
            GROUP,
            WANG,
            "/checkin taobao 花费１０００元，曝光：５万，点击 1500 次 订单45 成交额 ¥9000",
        )
        .await;
    assert!(chinese.contains("3.00%"), "CTR 1500/50000: {chinese}");
    assert_eq!(count(&app).await, 1);

    // A header line and a tab-separated row pasted from a spreadsheet (a derived column and an
    // empty cell among them), for yesterday.
    let pasted = app
        .reply(
            GROUP,
            WANG,
            "/checkin taobao\n花费\t曝光\t点击\t点击率\t订单\t成交额\t新客\t日期\n1,200\t60000\t1800\t3%\t36\t7200\t\t昨天",
        )
        .await;
    assert!(pasted.contains("数据已保存"), "{pasted}");
    assert!(pasted.contains("11月1日"), "yesterday: {pasted}");
    assert_eq!(count(&app).await, 2);
    app.stop().await.cleanup().await;
}

async fn what_is_not_understood_is_named_and_nothing_is_stored(mut app: TestApp) {
    zh_team_with_taobao(&mut app).await;
    let unknown = app
        .reply(GROUP, WANG, "/checkin taobao 花费 1000 花钱 200")
        .await;
    assert!(unknown.contains("<code>花钱</code>"), "{unknown}");
    assert!(
        unknown.contains("花费 1000"),
        "shows the right form: {unknown}"
    );

    let no_value = app.reply(GROUP, WANG, "/checkin taobao 花费 点击 50").await;
    assert!(no_value.contains("<code>花费</code>"), "{no_value}");

    let bad_column = app
        .reply(
            GROUP,
            WANG,
            "/checkin taobao\n花费\t渠道费\t点击\n1000\t20\t30",
        )
        .await;
    assert!(bad_column.contains("<code>渠道费</code>"), "{bad_column}");
    assert_eq!(count(&app).await, 0);
    app.stop().await.cleanup().await;
}

e2e!(
    forgiving_checkins_are_understood,
    what_is_not_understood_is_named_and_nothing_is_stored
);
