//! Issue 14 through the emulator: partial check-ins (missing is not zero), merging a later
//! partial check-in, leads with CPL and lead rate, the lead funnel in `/bottlenecks`, and several
//! channels in one `/checkin` message. Every scenario runs on SQLite and PostgreSQL.

#[macro_use]
mod common;

use campaign_bot::domain::checkins::{Field, FieldChange};
use campaign_bot::domain::ids::{ChatId, UserId};
use campaign_bot::domain::metrics::CheckinError;
use campaign_bot::domain::playbook::Tier;
use campaign_bot::domain::totals::Numbers;
use campaign_bot::service::checkins::{DayNumbers, DaysRefusal, Replaced};
use campaign_bot::telegram::send::strip_html;
use chrono::NaiveDate;
use common::{ALICE, BOB, GROUP, T0, TestApp, WANG};

e2e!(
    a_channel_without_orders_shows_a_dash_for_cvr_and_gets_no_cvr_flag,
    a_second_partial_checkin_merges_and_names_the_changed_fields,
    metrics_say_over_how_many_days_a_metric_was_known,
    leads_give_cpl_and_lead_rate_with_goals,
    a_leads_channel_is_judged_on_the_lead_funnel,
    several_channels_in_one_message_and_a_bad_line_is_named,
    several_channels_in_chinese,
    imported_days_merge_in_one_transaction_and_again_change_nothing,
    budget_pace_leaves_out_days_checked_in_without_spend,
    a_checkin_merges_into_a_row_another_instance_wrote,
);

/// The team exists once someone wrote; channels xhs (owner Bob), jd (owner Wang), douyin.
async fn setup(app: &mut TestApp) {
    for who in [ALICE, BOB, WANG] {
        assert!(app.say(GROUP, who, "hello").await.is_empty());
    }
    let store = &app.ctx.store;
    for (name, tier, owner) in [
        ("xhs", Tier::Core, BOB),
        ("jd", Tier::Test, WANG),
        ("douyin", Tier::Core, BOB),
    ] {
        let c = store
            .add_channel(ChatId(GROUP), name, tier, 3_000_000, T0)
            .await
            .expect("channel");
        store
            .set_channel_owner(c.id, Some(UserId(owner)), None, T0)
            .await
            .expect("owner");
    }
}

async fn count(app: &TestApp) -> i64 {
    app.ctx
        .store
        .count_checkins(ChatId(GROUP))
        .await
        .expect("count")
}

fn line_of<'a>(text: &'a str, start: &str) -> &'a str {
    text.lines()
        .find(|l| l.starts_with(start))
        .unwrap_or_else(|| panic!("no line starting with {start:?} in {text}"))
}

async fn a_channel_without_orders_shows_a_dash_for_cvr_and_gets_no_cvr_flag(mut app: TestApp) {
    setup(&mut app).await;
    let set = app.reply(GROUP, ALICE, "/goal cvr >= 3%").await;
    assert!(!set.contains("didn't"), "{set}");
    for day in ["2026-10-27", "2026-10-28", "2026-10-29", "2026-10-30", ""] {
        let date = if day.is_empty() {
            String::new()
        } else {
            format!(" date={day}")
        };
        let text = app
            .reply(
                GROUP,
                BOB,
                &format!("/checkin xhs spend=1000 clicks=1500{date}"),
            )
            .await;
        assert!(text.contains("saved"), "{text}");
        let cvr = line_of(&text, "CVR");
        assert!(cvr.contains("<b>—</b>"), "unknown, not 0.00%: {cvr}");
        assert!(!cvr.contains("⚠️") && !cvr.contains('✅'), "{cvr}");
        assert!(line_of(&text, "CPC").contains("0.67"), "{text}");
    }
    let row = app
        .ctx
        .store
        .checkin(ChatId(GROUP), "xhs", "2026-11-02", "")
        .await
        .expect("read")
        .expect("row");
    assert_eq!((row.orders, row.gmv, row.impressions), (None, None, None));

    let metrics = app.reply(GROUP, ALICE, "/metrics #xhs").await;
    assert!(metrics.contains("CVR <b>—</b>"), "{metrics}");
    assert!(!metrics.contains("0.00%"), "{metrics}");
    assert!(!metrics.contains("Orders 0"), "{metrics}");

    let plain = strip_html(&app.reply(GROUP, BOB, "/bottlenecks").await);
    assert!(
        !plain
            .lines()
            .any(|l| l.contains("#xhs") && l.contains("CVR")),
        "no CVR judgement on orders nobody reported: {plain}"
    );
    app.stop().await.cleanup().await;
}

async fn a_second_partial_checkin_merges_and_names_the_changed_fields(mut app: TestApp) {
    setup(&mut app).await;
    let first = app
        .reply(GROUP, BOB, "/checkin xhs spend=1000 clicks=1500")
        .await;
    assert!(first.contains("saved"), "{first}");
    let second = app
        .reply(GROUP, BOB, "/checkin xhs orders=30 gmv=6000 clicks=1600")
        .await;
    assert!(second.contains("Replaced"), "{second}");
    assert!(second.contains("orders — → 30"), "{second}");
    assert!(second.contains("GMV — → ¥6,000.00"), "{second}");
    assert!(second.contains("1,500 → 1,600"), "{second}");
    assert!(
        !line_of(&second, "♻️").contains("spend"),
        "spend was not named: {second}"
    );
    // The merged day: spend kept, the new numbers added, CVR now known.
    assert!(second.contains("spend ¥1,000.00"), "{second}");
    assert!(line_of(&second, "CVR").contains("1.88%"), "{second}");
    assert!(line_of(&second, "ROI").contains("6.00"), "{second}");
    assert_eq!(count(&app).await, 1);
    let same = app.reply(GROUP, BOB, "/checkin xhs orders=30").await;
    assert!(same.contains("nothing changed"), "{same}");
    app.stop().await.cleanup().await;
}

async fn metrics_say_over_how_many_days_a_metric_was_known(mut app: TestApp) {
    setup(&mut app).await;
    app.reply(
        GROUP,
        BOB,
        "/checkin xhs spend=1000 impressions=50000 clicks=1500 orders=45 gmv=9000 date=yesterday",
    )
    .await;
    // Today: orders unknown. CVR stays 3.00% over the one day that reported orders.
    app.reply(
        GROUP,
        BOB,
        "/checkin xhs spend=1000 impressions=50000 clicks=3000",
    )
    .await;
    let metrics = app.reply(GROUP, ALICE, "/metrics #xhs").await;
    assert!(
        metrics.contains("CVR <b>3.00%</b> (over 1 of 2 days)"),
        "{metrics}"
    );
    assert!(metrics.contains("CTR <b>4.50%</b>"), "{metrics}");
    assert!(!metrics.contains("CTR <b>4.50%</b> (over"), "{metrics}");
    app.reply(GROUP, ALICE, "/lang zh").await;
    let zh = app.reply(GROUP, ALICE, "/metrics #xhs").await;
    assert!(
        zh.contains("转化率 <b>3.00%</b>（2 天中 1 天有数）"),
        "{zh}"
    );
    app.stop().await.cleanup().await;
}

async fn leads_give_cpl_and_lead_rate_with_goals(mut app: TestApp) {
    setup(&mut app).await;
    let set = app.reply(GROUP, ALICE, "/goal cpl <= 40").await;
    assert!(set.contains("CPL"), "{set}");
    let set = app.reply(GROUP, ALICE, "/goal leads 300 month").await;
    assert!(set.to_lowercase().contains("leads"), "{set}");
    let text = app
        .reply(GROUP, BOB, "/checkin xhs 花费=1000 点击=400 私信进线=20")
        .await;
    assert!(
        text.contains("Leads 20") || text.contains("leads 20"),
        "{text}"
    );
    let cpl = line_of(&text, "CPL");
    assert!(cpl.contains("50.00") && cpl.contains("⚠️"), "{cpl}");
    assert!(line_of(&text, "Lead rate").contains("5.00%"), "{text}");
    let metrics = app.reply(GROUP, ALICE, "/metrics").await;
    let plain = strip_html(&metrics);
    assert!(plain.contains("20 of 300"), "{plain}");
    // Another alias, another day: leads add up.
    app.reply(GROUP, BOB, "/checkin xhs 留资=10 date=yesterday")
        .await;
    let plain = strip_html(&app.reply(GROUP, ALICE, "/metrics").await);
    assert!(plain.contains("30 of 300"), "{plain}");
    app.stop().await.cleanup().await;
}

async fn a_leads_channel_is_judged_on_the_lead_funnel(mut app: TestApp) {
    setup(&mut app).await;
    app.reply(GROUP, ALICE, "/goal lead_rate >= 10%").await;
    app.reply(GROUP, ALICE, "/goal cvr >= 3%").await;
    for day in ["yesterday", "today"] {
        app.reply(
            GROUP,
            BOB,
            &format!("/checkin xhs spend=1000 impressions=20000 clicks=400 leads=20 date={day}"),
        )
        .await;
    }
    let plain = strip_html(&app.reply(GROUP, BOB, "/bottlenecks").await);
    assert!(
        plain.contains("#xhs · Lead rate: 5.00% this week, below the goal 10.00%"),
        "{plain}"
    );
    assert!(plain.contains("lead form"), "{plain}");
    assert!(!plain.contains("CVR"), "{plain}");
    app.stop().await.cleanup().await;
}

async fn several_channels_in_one_message_and_a_bad_line_is_named(mut app: TestApp) {
    setup(&mut app).await;
    let text = app
        .reply(
            GROUP,
            BOB,
            "/checkin\nxhs spend=1000 clicks=1500\njd spend=abc\n\ndouyin spend=500 impressions=9000\nclicks=300 orders=6",
        )
        .await;
    let plain = strip_html(&text);
    assert!(plain.contains("3 lines: 2 saved, 1 not saved"), "{plain}");
    assert!(plain.contains("✅ 1. #xhs"), "{plain}");
    assert!(plain.contains("❌ 2. spend=abc"), "{plain}");
    // The last line has no channel: it continues douyin's entry.
    assert!(plain.contains("✅ 3. #douyin"), "{plain}");
    assert!(plain.contains("orders 6"), "{plain}");
    assert!(plain.contains("Fix the lines marked ❌"), "{plain}");
    assert_eq!(count(&app).await, 2);
    let douyin = app
        .ctx
        .store
        .checkin(ChatId(GROUP), "douyin", "2026-11-02", "")
        .await
        .expect("read")
        .expect("row");
    assert_eq!(
        (douyin.clicks, douyin.orders, douyin.gmv),
        (Some(300), Some(6), None)
    );
    // Again, with jd fixed: xhs unchanged, jd new.
    let again = strip_html(
        &app.reply(
            GROUP,
            BOB,
            "/checkin\nxhs spend=1000 clicks=1500\njd spend=20 clicks=5 impressions=300",
        )
        .await,
    );
    assert!(again.contains("2 lines: 2 saved, 0 not saved"), "{again}");
    assert!(
        again.contains("✅ 1. #xhs") && again.contains("no change"),
        "{again}"
    );
    assert_eq!(count(&app).await, 3, "{again}");
    // A bad first line (not a channel) among channel lines is named; nothing of it is stored.
    let bad = strip_html(&app.reply(GROUP, BOB, "/checkin\nspend=1\njd spend=2").await);
    assert!(bad.contains("❌ 1."), "{bad}");
    assert!(bad.contains("1 saved"), "{bad}");
    assert_eq!(count(&app).await, 3);
    // No channel on any line: one entry, refused as a check-in without its channel.
    let none = strip_html(
        &app.reply(GROUP, BOB, "/checkin\nspend=1\nfoo spend=2")
            .await,
    );
    assert!(none.contains("Start with the channel's name"), "{none}");
    assert_eq!(count(&app).await, 3);
    app.stop().await.cleanup().await;
}

async fn several_channels_in_chinese(mut app: TestApp) {
    setup(&mut app).await;
    app.reply(GROUP, ALICE, "/lang zh").await;
    let text = strip_html(
        &app.reply(
            GROUP,
            WANG,
            "/checkin\n#xhs 花费=300 点击=120 线索=6\njd 花费=200 订单=9 点击=3",
        )
        .await,
    );
    assert!(text.contains("共 2 行"), "{text}");
    assert!(text.contains("✅ 第 1 行 #xhs"), "{text}");
    assert!(text.contains("❌ 第 2 行"), "{text}");
    assert!(text.contains("订单（9）不能多于点击（3）"), "{text}");
    assert_eq!(count(&app).await, 1);
    app.stop().await.cleanup().await;
}

/// `Service::save_days`, what report import (issue 14 D) stores through: many days of one
/// channel in one transaction, each merged like a check-in.
async fn imported_days_merge_in_one_transaction_and_again_change_nothing(mut app: TestApp) {
    setup(&mut app).await;
    let team = app
        .ctx
        .store
        .team(ChatId(GROUP))
        .await
        .expect("read")
        .expect("team");
    // Bob had typed yesterday's orders; the platform export has spend and clicks.
    app.reply(GROUP, BOB, "/checkin xhs orders=7 date=yesterday")
        .await;
    let day = |d: u32| NaiveDate::from_ymd_opt(2026, 11, d).expect("day");
    let spend_clicks = |spend: i64, clicks: i64| Numbers {
        spend: Some(spend),
        clicks: Some(clicks),
        ..Numbers::default()
    };
    let days = [
        DayNumbers {
            day: day(1),
            numbers: spend_clicks(50_000, 900),
        },
        DayNumbers {
            day: day(2),
            numbers: spend_clicks(60_000, 1_000),
        },
    ];
    let saved = app
        .ctx
        .save_days(&team, "xhs", &days, Some(UserId(BOB)))
        .await
        .expect("store")
        .expect("saved");
    assert_eq!(
        saved.days,
        [
            (
                day(1),
                Replaced::Changed(vec![
                    FieldChange {
                        field: Field::Spend,
                        old: None,
                        new: Some(50_000)
                    },
                    FieldChange {
                        field: Field::Clicks,
                        old: None,
                        new: Some(900)
                    },
                ])
            ),
            (day(2), Replaced::Nothing),
        ]
    );
    let y = app
        .ctx
        .store
        .checkin(ChatId(GROUP), "xhs", "2026-11-01", "")
        .await
        .expect("read")
        .expect("row");
    assert_eq!(
        (y.spend, y.clicks, y.orders),
        (Some(50_000), Some(900), Some(7))
    );
    // The same content again changes nothing.
    let again = app
        .ctx
        .save_days(&team, "xhs", &days, Some(UserId(BOB)))
        .await
        .expect("store")
        .expect("saved");
    assert!(
        again.days.iter().all(|(_, r)| *r == Replaced::Same),
        "{again:?}"
    );
    assert_eq!(count(&app).await, 2);
    // One impossible day refuses the whole import: nothing stored.
    let bad = [
        DayNumbers {
            day: day(2),
            numbers: spend_clicks(1, 2),
        },
        DayNumbers {
            day: day(1),
            numbers: Numbers {
                orders: Some(5_000),
                ..Numbers::default()
            },
        },
    ];
    let refused = app
        .ctx
        .save_days(&team, "xhs", &bad, None)
        .await
        .expect("store");
    assert!(
        matches!(
            refused,
            Err(DaysRefusal::Day {
                error: CheckinError::OrdersExceedClicks { .. },
                ..
            })
        ),
        "{refused:?}"
    );
    let today = app
        .ctx
        .store
        .checkin(ChatId(GROUP), "xhs", "2026-11-02", "")
        .await
        .expect("read")
        .expect("row");
    assert_eq!(today.spend, Some(60_000), "the first day was not written");
    let unknown = app
        .ctx
        .save_days(&team, "tmall", &days, None)
        .await
        .expect("store");
    assert!(matches!(unknown, Err(DaysRefusal::UnknownChannel { .. })));
    app.stop().await.cleanup().await;
}

async fn budget_pace_leaves_out_days_checked_in_without_spend(mut app: TestApp) {
    setup(&mut app).await;
    // 2 November: yesterday checked in without spend, today ¥2,000 of a ¥30,000 month.
    app.reply(GROUP, BOB, "/checkin xhs clicks=100 date=yesterday")
        .await;
    app.reply(GROUP, BOB, "/checkin xhs spend=2000 clicks=100")
        .await;
    app.reply(GROUP, WANG, "/checkin jd spend=2000").await;
    let plain = strip_html(&app.reply(GROUP, ALICE, "/budget").await);
    // Judged over the one day with spend: ¥1,000 planned, ¥2,000 spent.
    let xhs = plain
        .lines()
        .find(|l| l.contains("xhs") && l.contains("spent"))
        .unwrap_or_else(|| panic!("{plain}"));
    assert!(xhs.contains("200.00% of plan to date"), "{xhs}");
    assert!(xhs.contains("over pace"), "{xhs}");
    // jd has no unknown day: both days of the month count.
    let jd = plain
        .lines()
        .find(|l| l.contains("jd") && l.contains("spent"))
        .unwrap_or_else(|| panic!("{plain}"));
    assert!(jd.contains("100.00% of plan to date"), "{jd}");
    app.stop().await.cleanup().await;
}

/// Rows another instance writes: one this process never saw is found by the check-in's first
/// write (which stores nothing), then checked merged with it and merged. One it remembers but
/// that changed since is not merged over: the check-in reads it again, so an impossible day is
/// refused on what is stored, a possible one is not refused on what was remembered, and the
/// peer's numbers are kept.
async fn a_checkin_merges_into_a_row_another_instance_wrote(mut app: TestApp) {
    setup(&mut app).await;
    let peer = campaign_bot::storage::Store::open(&app.db.url)
        .await
        .expect("peer store");
    let day = "2026-11-02"; // T0's day in the team's zone
    let peer_writes = |numbers: Numbers| {
        let peer = peer.clone();
        async move {
            let theirs = campaign_bot::storage::NewCheckin::new(
                ChatId(GROUP),
                "xhs",
                day,
                "",
                &numbers,
                Some(UserId(WANG)),
            );
            peer.merge_checkin(&theirs, T0).await.expect("peer's row");
        }
    };
    let stored = |app: &TestApp| {
        let store = app.ctx.store.clone();
        async move {
            let row = store.checkin(ChatId(GROUP), "xhs", day, "").await;
            row.expect("read")
                .map(|c| (c.impressions, c.clicks, c.orders))
        }
    };
    peer_writes(Numbers {
        impressions: Some(500),
        ..Numbers::default()
    })
    .await;

    let refused = app.reply(GROUP, BOB, "/checkin xhs clicks=900").await;
    assert!(
        refused.contains("can't be more than impressions (500)"),
        "{refused}"
    );
    assert_eq!(stored(&app).await, Some((Some(500), None, None)));
    let merged = app.reply(GROUP, BOB, "/checkin xhs clicks=300").await;
    assert!(merged.contains("Replaced"), "{merged}");
    assert!(merged.contains("clicks — → 300"), "{merged}");
    assert_eq!(stored(&app).await, Some((Some(500), Some(300), None)));

    // Remembered: 500 impressions. Stored now: 2,000, so 900 clicks add up.
    peer_writes(Numbers {
        impressions: Some(2000),
        ..Numbers::default()
    })
    .await;
    let merged = app.reply(GROUP, BOB, "/checkin xhs clicks=900").await;
    assert!(merged.contains("300 → 900"), "{merged}");
    assert_eq!(stored(&app).await, Some((Some(2000), Some(900), None)));

    // Remembered: 900 clicks. Stored now: 100. Orders merge over what is stored.
    peer_writes(Numbers {
        clicks: Some(100),
        ..Numbers::default()
    })
    .await;
    let merged = app.reply(GROUP, BOB, "/checkin xhs orders=5").await;
    assert!(merged.contains("orders — → 5"), "{merged}");
    assert!(!line_of(&merged, "♻️").contains("clicks"), "{merged}");
    assert_eq!(stored(&app).await, Some((Some(2000), Some(100), Some(5))));
    assert_eq!(count(&app).await, 1);
    peer.close().await;
    app.stop().await.cleanup().await;
}
