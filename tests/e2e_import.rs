//! `/import` through the emulator (issue 14 D): each platform's fixture in each format and
//! encoding, the preview, confirm, cancel, who may press, expiry, idempotency and every
//! refusal (nothing stored). Every scenario runs on SQLite and PostgreSQL.

#[macro_use]
mod common;
#[path = "support/import_fixtures.rs"]
mod fixtures;

use campaign_bot::console::emulator::{SendOpts, SentMessage};
use campaign_bot::domain::ids::{ChatId, UserId};
use campaign_bot::domain::playbook::Tier;
use campaign_bot::storage::Checkin;
use common::{ALICE, BOB, GROUP, T0, TestApp, WANG};

e2e!(
    qianchuan_csv_with_bom_previews_then_stores_on_confirm,
    gbk_csv_into_a_named_channel,
    xlsx_with_serial_dates_by_replying_to_the_file,
    zip_of_xhs_notes_stores_leads_and_leaves_orders_unknown,
    generic_english_export,
    cancel_stores_nothing,
    only_the_requester_or_an_admin_may_press,
    a_preview_expires_after_30_minutes,
    the_same_file_twice_changes_nothing,
    bad_files_are_refused_and_nothing_is_stored,
    the_channel_is_asked_when_the_platform_fits_none,
    wrong_arguments_and_no_file_get_the_usage,
);

/// The team exists once someone wrote; channels for each platform.
async fn setup(app: &mut TestApp) {
    for who in [ALICE, BOB, WANG] {
        assert!(app.say(GROUP, who, "hello").await.is_empty());
    }
    for name in ["douyin", "tmall", "jd", "xhs", "meta"] {
        app.ctx
            .store
            .add_channel(ChatId(GROUP), name, Tier::Core, 3_000_000, T0)
            .await
            .expect("channel");
    }
}

/// Posts a file (with a caption) and returns what the bot sent.
async fn post(
    app: &mut TestApp,
    from: i64,
    name: &str,
    bytes: &[u8],
    caption: Option<&str>,
) -> Vec<SentMessage> {
    let before = app.emulator.sent_count();
    app.emulator
        .send_document(GROUP, from, name, bytes, caption);
    app.wait_handled().await;
    app.emulator.sent_since(before)
}

/// Posts `/import` with a fixture and returns the one reply.
async fn import(app: &mut TestApp, from: i64, name: &str, caption: &str) -> SentMessage {
    let bytes = fixture(name);
    let sent = post(app, from, name, &bytes, Some(caption)).await;
    assert_eq!(sent.len(), 1, "one reply to {caption} {name}: {sent:#?}");
    sent[0].clone()
}

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/{name}", fixtures::DIR);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Presses a preview's button (`ok` or `no`) and returns the preview as edited.
async fn press(app: &mut TestApp, from: i64, preview: &SentMessage, which: &str) -> SentMessage {
    let data = preview
        .callback_data()
        .into_iter()
        .find(|d| d.starts_with(&format!("i:{which}:")))
        .unwrap_or_else(|| panic!("no {which} button on {preview:#?}"));
    app.emulator
        .press_button(GROUP, from, preview.message_id, &data);
    app.wait_handled().await;
    app.emulator
        .message(GROUP, preview.message_id)
        .expect("the preview")
}

fn last_answer(app: &TestApp) -> String {
    app.emulator
        .callback_answers()
        .last()
        .and_then(|a| a.1.clone())
        .unwrap_or_default()
}

async fn count(app: &TestApp) -> i64 {
    app.ctx
        .store
        .count_checkins(ChatId(GROUP))
        .await
        .expect("count")
}

async fn stored(app: &TestApp, channel: &str, day: &str) -> Checkin {
    app.ctx
        .store
        .checkin(ChatId(GROUP), channel, day, "")
        .await
        .expect("read")
        .unwrap_or_else(|| panic!("no check-in for {channel} {day}"))
}

async fn qianchuan_csv_with_bom_previews_then_stores_on_confirm(mut app: TestApp) {
    setup(&mut app).await;
    let preview = import(&mut app, BOB, "qianchuan_bom.csv", "/import").await;
    let text = preview.plain_text();
    for want in [
        "Import into #douyin",
        "巨量千川 (Douyin) report, 2026-10-27 – 2026-10-29, 3 days",
        "spend ¥4,946.18",
        "impressions 168,000",
        "orders 110",
        "GMV ¥22,000.00",
        "New days: 10-27, 10-28, 10-29",
        "Rows ignored: 1 total rows, 1 without a date",
    ] {
        assert!(text.contains(want), "{want:?} in {text}");
    }
    assert_eq!(preview.callback_data().len(), 2);
    assert_eq!(count(&app).await, 0, "nothing stored before the press");

    let done = press(&mut app, BOB, &preview, "ok").await;
    assert!(done.reply_markup.is_none(), "{done:?}");
    assert!(
        done.plain_text()
            .contains("Stored #douyin: 3 days (10-27 – 10-29), 3 new, 0 replaced"),
        "{}",
        done.plain_text()
    );
    assert_eq!(count(&app).await, 3);
    let d27 = stored(&app, "douyin", "2026-10-27").await;
    // Plan B's `-` orders and GMV: the day's numbers are plan A's, not plan A's plus 0.
    assert_eq!(
        (d27.spend, d27.impressions, d27.clicks, d27.orders, d27.gmv),
        (
            Some(170_050),
            Some(68_000),
            Some(1_840),
            Some(36),
            Some(720_000)
        )
    );
    assert_eq!(d27.author_id, Some(UserId(BOB)));
    let d29 = stored(&app, "douyin", "2026-10-29").await;
    assert_eq!(
        (d29.spend, d29.orders, d29.gmv),
        (Some(234_568), Some(54), Some(1_080_000))
    );
    // A second press finds it gone.
    app.emulator
        .press_button(GROUP, BOB, preview.message_id, "i:ok:1");
    app.wait_handled().await;
    assert!(last_answer(&app).contains("no longer open"));
    assert_eq!(count(&app).await, 3);
    app.stop().await;
}

async fn gbk_csv_into_a_named_channel(mut app: TestApp) {
    setup(&mut app).await;
    app.reply(GROUP, ALICE, "/lang zh").await;
    let preview = import(&mut app, WANG, "wanxiangtai_gbk.csv", "/import #TMALL").await;
    let text = preview.plain_text();
    assert!(text.contains("阿里妈妈 万相台/直通车报表"), "{text}");
    assert!(text.contains("导入到 #tmall"), "{text}");
    assert!(text.contains("合计：花费 ¥2,034.50"), "{text}");
    assert!(text.contains("合计行 1 行"), "{text}");
    let done = press(&mut app, WANG, &preview, "ok").await;
    assert!(
        done.plain_text().contains("已保存 #tmall：2 天"),
        "{}",
        done.plain_text()
    );
    let d26 = stored(&app, "tmall", "2026-10-26").await;
    assert_eq!(
        (d26.spend, d26.impressions, d26.clicks, d26.orders, d26.gmv),
        (
            Some(80_000),
            Some(40_000),
            Some(1_050),
            Some(21),
            Some(420_000)
        )
    );
    assert_eq!(
        stored(&app, "tmall", "2026-10-27").await.spend,
        Some(123_450)
    );
    app.stop().await;
}

async fn xlsx_with_serial_dates_by_replying_to_the_file(mut app: TestApp) {
    setup(&mut app).await;
    let bytes = fixture("jingzhuntong.xlsx");
    // Posted without a caption: the bot says nothing (it is not a command).
    let doc = app
        .emulator
        .send_document(GROUP, BOB, "jingzhuntong.xlsx", &bytes, None);
    app.wait_handled().await;
    let before = app.emulator.sent_count();
    app.emulator.send_text_opts(
        GROUP,
        BOB,
        "/import",
        SendOpts {
            reply_to_message_id: Some(doc.message_id),
            ..SendOpts::default()
        },
    );
    app.wait_handled().await;
    let sent = app.emulator.sent_since(before);
    assert_eq!(sent.len(), 1, "{sent:#?}");
    let text = sent[0].plain_text();
    assert!(
        text.contains("京东 京准通") && text.contains("#jd"),
        "{text}"
    );
    assert!(text.contains("2026-10-28 – 2026-10-29, 2 days"), "{text}");
    press(&mut app, BOB, &sent[0], "ok").await;
    let d28 = stored(&app, "jd", "2026-10-28").await;
    assert_eq!(
        (d28.spend, d28.impressions, d28.clicks, d28.orders, d28.gmv),
        (
            Some(80_000),
            Some(30_000),
            Some(810),
            Some(15),
            Some(630_000)
        )
    );
    assert_eq!(stored(&app, "jd", "2026-10-29").await.gmv, Some(630_050));
    app.stop().await;
}

async fn zip_of_xhs_notes_stores_leads_and_leaves_orders_unknown(mut app: TestApp) {
    setup(&mut app).await;
    // No orders or GMV in a 聚光 report: its days are stored with them unknown (never 0), and
    // its leads are kept.
    let preview = import(&mut app, BOB, "juguang.zip", "/import").await;
    let text = preview.plain_text();
    assert!(
        text.contains("小红书聚光") && text.contains("#xhs"),
        "{text}"
    );
    assert!(text.contains("leads 13"), "{text}");
    press(&mut app, BOB, &preview, "ok").await;
    assert_eq!(count(&app).await, 2);
    let d31 = stored(&app, "xhs", "2026-10-31").await;
    assert_eq!(
        (d31.spend, d31.clicks, d31.leads, d31.orders, d31.gmv),
        (Some(45_000), Some(600), Some(8), None, None)
    );
    // 10-30: two notes summed; one note's leads were `-`, so the day's leads are the other's.
    let d30 = stored(&app, "xhs", "2026-10-30").await;
    assert_eq!(
        (
            d30.spend,
            d30.impressions,
            d30.clicks,
            d30.leads,
            d30.interactions
        ),
        (Some(50_000), Some(20_000), Some(720), Some(5), Some(136))
    );

    // Orders checked in for 10-30 afterwards: the same report again changes nothing, and the
    // orders and GMV it does not carry stay.
    app.reply(GROUP, BOB, "/checkin xhs orders=2 gmv=300 date=2026-10-30")
        .await;
    let preview = import(&mut app, BOB, "juguang.zip", "/import xhs").await;
    let text = preview.plain_text();
    assert!(text.contains("Nothing new to store"), "{text}");
    assert!(preview.callback_data().is_empty());
    let d30 = stored(&app, "xhs", "2026-10-30").await;
    assert_eq!(
        (d30.spend, d30.orders, d30.gmv),
        (Some(50_000), Some(2), Some(30_000))
    );
    assert_eq!(count(&app).await, 2);
    app.stop().await;
}

async fn generic_english_export(mut app: TestApp) {
    setup(&mut app).await;
    let preview = import(&mut app, BOB, "generic_en.csv", "/import meta").await;
    assert!(preview.plain_text().contains("1 total rows"));
    press(&mut app, ALICE, &preview, "ok").await;
    let d30 = stored(&app, "meta", "2026-10-30").await;
    assert_eq!(
        (d30.spend, d30.orders, d30.gmv),
        (Some(20_000), Some(7), Some(105_000))
    );
    assert_eq!(count(&app).await, 2);
    app.stop().await;
}

async fn cancel_stores_nothing(mut app: TestApp) {
    setup(&mut app).await;
    let preview = import(&mut app, BOB, "qianchuan_bom.csv", "/import").await;
    let done = press(&mut app, BOB, &preview, "no").await;
    assert!(
        done.plain_text().contains("Import cancelled by bob"),
        "{done:?}"
    );
    assert!(done.reply_markup.is_none());
    assert_eq!(count(&app).await, 0);
    // The confirm button of a cancelled preview does nothing.
    app.emulator
        .press_button(GROUP, BOB, preview.message_id, &format!("i:ok:{}", 1));
    app.wait_handled().await;
    assert_eq!(count(&app).await, 0);
    app.stop().await;
}

async fn only_the_requester_or_an_admin_may_press(mut app: TestApp) {
    setup(&mut app).await;
    let preview = import(&mut app, BOB, "qianchuan_bom.csv", "/import").await;
    let unchanged = press(&mut app, WANG, &preview, "ok").await;
    assert!(last_answer(&app).contains("Only the member who posted"));
    assert_eq!(unchanged.callback_data().len(), 2, "the buttons stay");
    assert_eq!(count(&app).await, 0);
    press(&mut app, WANG, &preview, "no").await;
    assert_eq!(count(&app).await, 0);
    let done = press(&mut app, ALICE, &preview, "ok").await;
    assert!(done.plain_text().contains("By alice"), "{done:?}");
    assert_eq!(count(&app).await, 3);
    app.stop().await;
}

async fn a_preview_expires_after_30_minutes(mut app: TestApp) {
    setup(&mut app).await;
    let preview = import(&mut app, BOB, "qianchuan_bom.csv", "/import").await;
    app.clock.advance(30 * 60 + 1);
    let done = press(&mut app, BOB, &preview, "ok").await;
    assert!(done.plain_text().contains("expired"), "{done:?}");
    assert_eq!(count(&app).await, 0);
    // Within the 30 minutes it works.
    let preview = import(&mut app, BOB, "qianchuan_bom.csv", "/import").await;
    app.clock.advance(29 * 60);
    press(&mut app, BOB, &preview, "ok").await;
    assert_eq!(count(&app).await, 3);
    app.stop().await;
}

async fn the_same_file_twice_changes_nothing(mut app: TestApp) {
    setup(&mut app).await;
    let preview = import(&mut app, BOB, "qianchuan_bom.csv", "/import").await;
    press(&mut app, BOB, &preview, "ok").await;
    let before = app
        .ctx
        .store
        .checkins_between(ChatId(GROUP), "2026-10-01", "2026-10-31")
        .await
        .expect("rows");
    app.clock.advance(3600);
    let again = import(&mut app, BOB, "qianchuan_bom.csv", "/import").await;
    let text = again.plain_text();
    assert!(
        text.contains("Already stored, unchanged: 10-27, 10-28, 10-29"),
        "{text}"
    );
    assert!(text.contains("Nothing new to store"), "{text}");
    assert!(again.callback_data().is_empty());
    let after = app
        .ctx
        .store
        .checkins_between(ChatId(GROUP), "2026-10-01", "2026-10-31")
        .await
        .expect("rows");
    assert_eq!(before, after, "not even updated_at moves");
    app.stop().await;
}

async fn bad_files_are_refused_and_nothing_is_stored(mut app: TestApp) {
    setup(&mut app).await;
    let formats = "Supported: CSV (UTF-8 or GBK), XLSX, or a ZIP";
    let mut rows = String::from("date,spend\n");
    for _ in 0..50_001 {
        rows.push_str("2026-10-30,1\n");
    }
    let mut big = fixtures::generic_csv();
    big.resize(5 * 1024 * 1024 + 10, b'\n');
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "chart.png.csv",
            fixture("chart.png.csv"),
            "is not a report I can read",
        ),
        (
            "no_spend.csv",
            fixture("no_spend.csv"),
            "has no spend column",
        ),
        (
            "bomb.zip",
            fixture("bomb.zip"),
            "would unpack to more than 20 MB",
        ),
        (
            "bad_encoding.csv",
            fixture("bad_encoding.csv"),
            "encoding I can't read",
        ),
        ("rows.csv", rows.into_bytes(), "more than 50,000 rows"),
        ("big.csv", big, "the limit is 5 MB"),
        (
            "two.zip",
            fixtures::zip_of(&[("a.csv", b"date,spend\n"), ("b.csv", b"date,spend\n")]),
            "exactly one CSV or XLSX",
        ),
        (
            "nodate.csv",
            "计划,消耗\nA,1\n".as_bytes().to_vec(),
            "has no date column",
        ),
    ];
    for (name, bytes, want) in cases {
        let sent = post(&mut app, BOB, name, &bytes, Some("/import meta")).await;
        assert_eq!(sent.len(), 1, "{name}: {sent:#?}");
        let text = sent[0].plain_text();
        assert!(text.contains(want), "{name}: {want:?} in {text}");
        assert!(text.contains(name), "{name} is named: {text}");
        assert!(text.contains(formats), "{name}: formats in {text}");
        assert!(sent[0].callback_data().is_empty());
    }
    assert_eq!(count(&app).await, 0);
    app.stop().await;
}

async fn the_channel_is_asked_when_the_platform_fits_none(mut app: TestApp) {
    setup(&mut app).await;
    let reply = import(&mut app, BOB, "generic_en.csv", "/import").await;
    let text = reply.plain_text();
    assert!(text.contains("Which channel is it for?"), "{text}");
    assert!(text.contains("meta"), "the channels are listed: {text}");
    let reply = import(&mut app, BOB, "generic_en.csv", "/import tiktok").await;
    assert!(
        reply
            .plain_text()
            .contains("I don't know the channel tiktok")
    );
    assert_eq!(count(&app).await, 0);
    app.stop().await;
}

async fn wrong_arguments_and_no_file_get_the_usage(mut app: TestApp) {
    setup(&mut app).await;
    let text = app.reply(GROUP, BOB, "/import xhs").await;
    assert!(text.contains("caption"), "{text}");
    let reply = import(&mut app, BOB, "generic_en.csv", "/import meta xhs").await;
    assert!(reply.plain_text().contains("at most one word"));
    assert_eq!(count(&app).await, 0);
    app.stop().await;
}

/// The committed fixtures are what the generator writes (`UPDATE_FIXTURES=1` rewrites them).
#[test]
fn fixtures_on_disk_match_the_generator() {
    let update = std::env::var("UPDATE_FIXTURES").is_ok();
    for (name, bytes) in fixtures::all() {
        let path = format!("{}/{name}", fixtures::DIR);
        if update {
            std::fs::create_dir_all(fixtures::DIR).expect("fixture dir");
            std::fs::write(&path, &bytes).expect("write fixture");
        }
        let on_disk = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(
            on_disk == bytes,
            "{name} differs from the generator; run with UPDATE_FIXTURES=1"
        );
    }
}
