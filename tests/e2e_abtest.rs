//! Creative A/B tests through the emulator: three creatives checked in day by day over ten days
//! with the real `/checkin … creative=` command, `/abtest` calling no winner while the data
//! can't support one and the right winner once it can (in English and in Chinese), the
//! warnings (short run, peeking, CVR disagreement), the refusals, the store queries behind it,
//! and the weekly summary's hook. Every scenario runs on SQLite and PostgreSQL.

#[macro_use]
mod common;

use campaign_bot::domain::abtest::AbMetric;
use campaign_bot::domain::ids::{ChatId, UserId};
use campaign_bot::domain::lang::Lang;
use campaign_bot::service::abtest::{ReachedVerdict, verdicts_since};
use campaign_bot::storage::{NewCheckin, NewTeam};
use campaign_bot::views::abtest::verdict_line;
use chrono::NaiveDate;
use common::{ALICE, BOB, GROUP, T0, TestApp, WANG};

e2e!(
    three_creatives_over_ten_days_in_english,
    three_creatives_over_ten_days_in_chinese,
    cvr_disagreement_is_flagged,
    refusals_and_empty_tests_say_what_to_do,
    store_sums_only_labelled_checkins_of_one_team_and_channel,
    the_weekly_summary_hears_of_a_new_winner_once,
);

const DAY: i64 = 86_400;

/// The team exists once someone wrote; channels xhs and jd.
async fn setup(app: &mut TestApp) {
    for who in [ALICE, BOB, WANG] {
        assert!(app.say(GROUP, who, "hello").await.is_empty());
    }
    let store = &app.ctx.store;
    store
        .add_channel(
            ChatId(GROUP),
            "xhs",
            campaign_bot::domain::playbook::Tier::Core,
            3_000_000,
            T0,
        )
        .await
        .expect("xhs");
    store
        .add_channel(
            ChatId(GROUP),
            "jd",
            campaign_bot::domain::playbook::Tier::Test,
            1_000_000,
            T0,
        )
        .await
        .expect("jd");
}

/// Day 1 is a partial day (600 impressions each); then 3,000 a day at CTR 2.80% / 2.40% / 2.00%.
/// Cumulatively A vs B is (Bonferroni-adjusted) p = 0.079 after 5 days, 0.046 after 6 (a winner,
/// with the short-run caution) and 0.027 after 7.
fn day_numbers(day: u32) -> [(&'static str, i64, i64, i64); 3] {
    if day == 1 {
        [("A", 600, 18, 1), ("B", 600, 14, 1), ("C", 600, 12, 1)]
    } else {
        [
            ("A", 3_000, 84, 3),
            ("B", 3_000, 72, 3),
            ("C", 3_000, 60, 3),
        ]
    }
}

/// What each language says, for the assertions.
struct Words {
    lang: Lang,
    too_early: &'static str,
    no_winner: &'static str,
    winner_day7: &'static str,
    winner_day10: &'static str,
    row_a_day7: &'static str,
    short_run: &'static str,
    more: &'static str,
    /// "N days with data" in the header.
    days: fn(u32) -> String,
    /// The peeking warning after N looks.
    peeking: fn(u32) -> String,
}

const EN: Words = Words {
    lang: Lang::En,
    too_early: "Too early to call: <b>A</b>, <b>B</b>, <b>C</b> still under 1,000 impressions",
    no_winner: "No winner yet: <b>A</b> leads on CTR",
    winner_day7: "✅ <b>A</b> beats <b>B</b>, <b>C</b> on CTR: 2.81% vs 2.40%, 2.00%, p = 0.027 (adjusted for 2 comparisons) — keep <b>A</b>, pause <b>B</b>, <b>C</b>.",
    winner_day10: "✅ <b>A</b> beats <b>B</b>, <b>C</b> on CTR: 2.80% vs 2.40%, 2.00%, p = 0.005",
    row_a_day7: "<b>A</b>: 18,600 impressions · 522 clicks · CTR <b>2.81%</b> (95%: 2.58%–3.05%) · 19 orders · CVR <b>3.64%</b>",
    short_run: "The test has run",
    more: "more impressions per creative",
    days: |n| format!("days with data: {n}"),
    peeking: |n| format!("looked at {n} times"),
};

const ZH: Words = Words {
    lang: Lang::Zh,
    too_early: "现在下结论还太早：<b>A</b>, <b>B</b>, <b>C</b> 的曝光还不到 1,000",
    no_winner: "还没有赢家：<b>A</b> 点击率领先",
    winner_day7: "✅ <b>A</b> 的点击率胜过 <b>B</b>, <b>C</b>：2.81% 对 2.40%, 2.00%，p = 0.027（已按 2 次比较校正） —— 保留 <b>A</b>，暂停 <b>B</b>, <b>C</b>。",
    winner_day10: "✅ <b>A</b> 的点击率胜过 <b>B</b>, <b>C</b>：2.80% 对 2.40%, 2.00%，p = 0.005",
    row_a_day7: "<b>A</b>：曝光 18,600 · 点击 522 · 点击率 <b>2.81%</b>（95%：2.58%–3.05%） · 订单 19 · 转化率 <b>3.64%</b>",
    short_run: "测试才跑了",
    more: "次曝光",
    days: |n| format!("{n} 天有数据"),
    peeking: |n| format!("已经看了 {n} 次"),
};

/// Checks in day by day (Bob in English keys, Wang in Chinese ones) and asks `/abtest xhs`
/// every evening; the verdict follows the evidence.
async fn three_creatives_over_ten_days(mut app: TestApp, w: &Words) {
    setup(&mut app).await;
    if w.lang == Lang::Zh {
        let ok = app.reply(GROUP, ALICE, "/lang zh").await;
        assert!(!ok.is_empty());
    }
    for day in 1..=10u32 {
        if day > 1 {
            app.advance(DAY).await;
        }
        for (label, imps, clicks, orders) in day_numbers(day) {
            let cmd = match w.lang {
                Lang::En => format!(
                    "/checkin xhs spend=300 impressions={imps} clicks={clicks} orders={orders} gmv={} creative={label}",
                    orders * 200
                ),
                Lang::Zh => format!(
                    "/checkin xhs 花费=300 曝光={imps} 点击={clicks} 订单={orders} 成交额={} 素材={label}",
                    orders * 200
                ),
            };
            let who = if w.lang == Lang::En { BOB } else { WANG };
            let saved = app.reply(GROUP, who, &cmd).await;
            assert!(saved.contains("CTR") || saved.contains("点击率"), "{saved}");
        }
        let who = if w.lang == Lang::En { ALICE } else { WANG };
        let text = app.reply(GROUP, who, "/abtest xhs").await;
        match day {
            1 => {
                assert!(text.contains(w.too_early), "day 1: {text}");
                assert!(text.contains(w.more), "day 1: {text}");
            }
            2..=5 => {
                assert!(text.contains(w.no_winner), "day {day}: {text}");
                assert!(text.contains(w.more), "day {day}: {text}");
            }
            _ => {}
        }
        assert_eq!(text.contains('✅'), day >= 6, "winner from day 6: {text}");
        if day < 7 {
            assert!(text.contains(w.short_run), "day {day}: {text}");
        } else {
            assert!(!text.contains(w.short_run), "day {day}: {text}");
        }
        if day == 6 {
            assert!(text.contains("p = 0.046"), "day 6: {text}");
        }
        if day == 7 {
            assert!(text.contains(w.winner_day7), "day 7: {text}");
            assert!(text.contains(w.row_a_day7), "day 7: {text}");
        }
        if day == 10 {
            assert!(text.contains(w.winner_day10), "day 10: {text}");
        }
        // Peeking: from the fifth look at the same test on, it says looking raises false winners.
        let peeking = (w.peeking)(day);
        assert_eq!(text.contains(&peeking), day >= 5, "day {day}: {text}");
        assert!(text.contains(&(w.days)(day)), "day {day}: {text}");
    }
    // The last 7 days alone (days 4–10): 21,000 impressions each, A still wins.
    let week = app.reply(GROUP, ALICE, "/abtest #XHS 7d").await;
    assert!(week.contains("21,000"), "{week}");
    assert!(
        week.contains("2.80%") && week.contains("p = 0.020"),
        "{week}"
    );
    let db = app.stop().await;
    db.cleanup().await;
}

async fn three_creatives_over_ten_days_in_english(app: TestApp) {
    three_creatives_over_ten_days(app, &EN).await;
}

async fn three_creatives_over_ten_days_in_chinese(app: TestApp) {
    three_creatives_over_ten_days(app, &ZH).await;
}

async fn import(app: &TestApp, channel: &str, rows: &[(&str, &str, i64, i64, i64)]) {
    let rows: Vec<NewCheckin<'_>> = rows
        .iter()
        .map(|&(day, creative, impressions, clicks, orders)| NewCheckin {
            chat_id: ChatId(GROUP),
            channel,
            day,
            creative,
            spend: Some(10_000),
            impressions: Some(impressions),
            clicks: Some(clicks),
            orders: Some(orders),
            gmv: Some(orders * 10_000),
            leads: None,
            new_customers: None,
            interactions: None,
            author_id: Some(UserId(BOB)),
        })
        .collect();
    app.ctx
        .store
        .import_checkins(&rows, T0)
        .await
        .expect("import");
}

/// A wins on clicks, B on orders: the winner comes with the caution, and CVR is in the table.
async fn cvr_disagreement_is_flagged(mut app: TestApp) {
    setup(&mut app).await;
    let mut rows = Vec::new();
    let days = [
        "2026-10-27",
        "2026-10-28",
        "2026-10-29",
        "2026-10-30",
        "2026-10-31",
        "2026-11-01",
        "2026-11-02",
    ];
    for day in days {
        rows.push((day, "A", 7_000, 350, 7));
        rows.push((day, "B", 7_000, 280, 23));
    }
    import(&app, "xhs", &rows).await;
    let text = app.reply(GROUP, BOB, "/abtest xhs").await;
    assert!(
        text.contains("✅ <b>A</b> beats <b>B</b> on CTR: 5.00% vs 4.00%, p &lt; 0.001"),
        "{text}"
    );
    assert!(
        text.contains("<b>B</b> converts significantly better (CVR 8.21% vs 2.00%)"),
        "{text}"
    );
    assert!(text.contains("CVR <b>2.00%</b>"), "{text}");
    assert!(!text.contains("The test has run"), "{text}");
    let db = app.stop().await;
    db.cleanup().await;
}

async fn refusals_and_empty_tests_say_what_to_do(mut app: TestApp) {
    setup(&mut app).await;
    let usage = app.reply(GROUP, BOB, "/abtest").await;
    assert!(usage.contains("/abtest xhs [7d|14d|30d]"), "{usage}");
    let unknown = app.reply(GROUP, BOB, "/abtest tiktok").await;
    assert!(
        unknown.contains("<code>tiktok</code>") && unknown.contains("#jd, #xhs"),
        "{unknown}"
    );
    let hostile = app.reply(GROUP, BOB, "/abtest <b>x</b>").await;
    assert!(hostile.contains("&lt;b&gt;x&lt;/b&gt;"), "{hostile}");
    let window = app.reply(GROUP, BOB, "/abtest xhs 60d").await;
    assert!(
        window.contains("<code>60d</code>") && window.contains("7d"),
        "{window}"
    );
    let extra = app.reply(GROUP, BOB, "/abtest xhs jd").await;
    assert!(extra.contains("<code>jd</code>"), "{extra}");
    // No creative check-ins: how to make some. A check-in without a label is not a test.
    let plain = app
        .reply(
            GROUP,
            BOB,
            "/checkin jd spend=1 impressions=1000 clicks=10 orders=1 gmv=1",
        )
        .await;
    assert!(plain.contains("CTR"), "{plain}");
    let empty = app.reply(GROUP, BOB, "/abtest jd").await;
    assert!(
        empty.contains("No creatives checked in for #jd") && empty.contains("creative=A"),
        "{empty}"
    );
    // One creative: nothing to compare yet.
    app.reply(
        GROUP,
        BOB,
        "/checkin jd spend=1 impressions=1000 clicks=10 orders=0 gmv=0 creative=V1",
    )
    .await;
    let single = app.reply(GROUP, BOB, "/abtest jd 30d").await;
    assert!(
        single.contains("Only one creative (<b>V1</b>)") && !single.contains("CVR"),
        "{single}"
    );
    // Two creatives, enough impressions, too few clicks; then one under the minimum.
    app.reply(
        GROUP,
        BOB,
        "/checkin jd spend=1 impressions=1000 clicks=5 orders=0 gmv=0 creative=V2",
    )
    .await;
    let clicks = app.reply(GROUP, BOB, "/abtest jd").await;
    assert!(
        clicks.contains(
            "Too early to call: too few clicks so far (each pair of creatives needs at least 30)"
        ),
        "{clicks}"
    );
    app.reply(
        GROUP,
        BOB,
        "/checkin jd spend=1 impressions=500 clicks=5 orders=0 gmv=0 creative=V2",
    )
    .await;
    let below = app.reply(GROUP, BOB, "/abtest jd").await;
    assert!(
        below.contains("Too early to call: <b>V2</b> still under 1,000 impressions")
            && below.contains("about <b>"),
        "{below}"
    );
    // In private: a group command.
    let private = app.reply(BOB, BOB, "/abtest xhs").await;
    assert!(!private.contains("A/B test"), "{private}");
    // None of this counted as a look at a test.
    let asks = app
        .ctx
        .store
        .abtest_asks(ChatId(GROUP), "jd", "V1")
        .await
        .expect("asks");
    assert_eq!(asks, 0);
    let db = app.stop().await;
    db.cleanup().await;
}

async fn store_sums_only_labelled_checkins_of_one_team_and_channel(mut app: TestApp) {
    setup(&mut app).await;
    import(
        &app,
        "xhs",
        &[
            ("2026-10-30", "A", 1_000, 30, 1),
            ("2026-10-31", "A", 2_000, 50, 2),
            ("2026-10-31", "B", 1_500, 40, 0),
            ("2026-10-31", "", 9_999, 99, 9),
            ("2026-11-02", "B", 500, 10, 1),
            ("2026-10-01", "A", 7_777, 77, 7), // outside the range
        ],
    )
    .await;
    import(&app, "jd", &[("2026-10-31", "A", 5_000, 50, 5)]).await;
    // Another team's numbers stay its own.
    let store = &app.ctx.store;
    store
        .ensure_team(
            &NewTeam {
                chat_id: ChatId(-42),
                title: "Other",
                detected_lang: Some("en"),
                tz: "Asia/Shanghai",
            },
            T0,
        )
        .await
        .expect("team");
    let other = NewCheckin {
        chat_id: ChatId(-42),
        channel: "xhs",
        day: "2026-10-31",
        creative: "A",
        spend: Some(1),
        impressions: Some(100_000),
        clicks: Some(1),
        orders: Some(0),
        gmv: Some(0),
        leads: None,
        new_customers: None,
        interactions: None,
        author_id: None,
    };
    store.put_checkin(&other, T0).await.expect("other");

    let sums = store
        .creative_sums(ChatId(GROUP), "xhs", "2026-10-20", "2026-11-02")
        .await
        .expect("sums");
    let got: Vec<(&str, i64, &str, &str, i64, i64, i64)> = sums
        .iter()
        .map(|s| {
            (
                s.creative.as_str(),
                s.days,
                s.first_day.as_str(),
                s.last_day.as_str(),
                s.impressions,
                s.clicks,
                s.orders,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("A", 2, "2026-10-30", "2026-10-31", 3_000, 80, 3),
            ("B", 2, "2026-10-31", "2026-11-02", 2_000, 50, 1),
        ]
    );
    // A day of B with its orders unknown: its clicks count for CTR, not as clicks that did not
    // convert (CVR's denominator).
    let unknown_orders = NewCheckin {
        chat_id: ChatId(GROUP),
        channel: "xhs",
        day: "2026-11-01",
        creative: "B",
        spend: None,
        impressions: Some(4_000),
        clicks: Some(100),
        orders: None,
        gmv: None,
        leads: None,
        new_customers: None,
        interactions: None,
        author_id: None,
    };
    store.put_checkin(&unknown_orders, T0).await.expect("B");
    let sums = store
        .creative_sums(ChatId(GROUP), "xhs", "2026-10-20", "2026-11-02")
        .await
        .expect("sums");
    let b = &sums[1];
    assert_eq!(
        (b.impressions, b.clicks, b.orders, b.cvr_clicks),
        (6_000, 150, 1, 50)
    );
    store
        .execute_raw("DELETE FROM checkins WHERE day = '2026-11-01'")
        .await
        .expect("undo");
    let span = store
        .creative_span(ChatId(GROUP), "xhs", "2026-10-20", "2026-11-02")
        .await
        .expect("span");
    assert_eq!(
        (
            span.days,
            span.first_day.as_deref(),
            span.last_day.as_deref()
        ),
        (3, Some("2026-10-30"), Some("2026-11-02"))
    );
    let none = store
        .creative_span(ChatId(GROUP), "xhs", "2026-11-03", "2026-11-09")
        .await
        .expect("span");
    assert_eq!((none.days, none.first_day), (0, None));
    assert_eq!(
        store
            .channels_with_creatives(ChatId(GROUP), "2026-10-20", "2026-11-02")
            .await
            .expect("channels"),
        vec!["jd".to_string(), "xhs".to_string()]
    );
    // The look counter: per team, channel and set of creatives.
    for want in 1..=3 {
        let n = store
            .count_abtest_ask(ChatId(GROUP), "xhs", "A,B", T0)
            .await
            .expect("ask");
        assert_eq!(n, want);
    }
    assert_eq!(
        store
            .count_abtest_ask(ChatId(GROUP), "xhs", "A,B,C", T0)
            .await
            .expect("ask"),
        1
    );
    assert_eq!(
        store
            .count_abtest_ask(ChatId(-42), "xhs", "A,B", T0)
            .await
            .expect("ask"),
        1
    );
    assert_eq!(
        store
            .abtest_asks(ChatId(GROUP), "xhs", "A,B")
            .await
            .expect("asks"),
        3
    );
    assert_eq!(
        store
            .abtest_asks(ChatId(GROUP), "jd", "A,B")
            .await
            .expect("asks"),
        0
    );
    // /abtest counts its own looks under the sorted labels.
    app.reply(GROUP, BOB, "/abtest xhs").await;
    assert_eq!(
        app.ctx
            .store
            .abtest_asks(ChatId(GROUP), "xhs", "A,B")
            .await
            .expect("asks"),
        4
    );
    let db = app.stop().await;
    db.cleanup().await;
}

/// `verdicts_since` names a test whose winner appeared since the given day, once.
async fn the_weekly_summary_hears_of_a_new_winner_once(mut app: TestApp) {
    setup(&mut app).await;
    let mut rows = Vec::new();
    let day_keys: Vec<String> = (1..=10).map(|d| format!("2026-10-{:02}", 20 + d)).collect();
    for (i, day) in day_keys.iter().enumerate() {
        for (label, imps, clicks, orders) in day_numbers(i as u32 + 1) {
            rows.push((day.as_str(), label, imps, clicks, orders));
        }
    }
    import(&app, "xhs", &rows).await;
    // The winner appears on day 6 = 2026-10-26.
    let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
    let today = date("2026-10-30");
    let store = &app.ctx.store;
    let since_review = verdicts_since(store, ChatId(GROUP), date("2026-10-24"), today)
        .await
        .expect("verdicts");
    assert_eq!(since_review.len(), 1, "{since_review:?}");
    let v: &ReachedVerdict = &since_review[0];
    assert_eq!(
        (v.channel.as_str(), v.best.as_str(), v.metric),
        ("xhs", "A", AbMetric::Ctr)
    );
    assert_eq!(v.others, vec!["B".to_string(), "C".to_string()]);
    assert_eq!(v.best_counts, (774, 27_600));
    assert!(v.p < 0.05);
    assert_eq!(
        verdict_line(Lang::En, v).as_str(),
        "#xhs: ✅ <b>A</b> beats <b>B</b>, <b>C</b> on CTR: 2.80% vs 2.40%, 2.00%, p = 0.005 \
         (adjusted for 2 comparisons) — keep <b>A</b>, pause <b>B</b>, <b>C</b>."
    );
    assert!(
        verdict_line(Lang::Zh, v)
            .as_str()
            .starts_with("#xhs：✅ <b>A</b> 的点击率胜过")
    );
    // Already the winner before 2026-10-29: nothing new to say.
    let later = verdicts_since(store, ChatId(GROUP), date("2026-10-29"), today)
        .await
        .expect("verdicts");
    assert_eq!(later, vec![]);
    // Before the verdict existed: nothing either.
    let early = verdicts_since(store, ChatId(GROUP), date("2026-10-22"), date("2026-10-25"))
        .await
        .expect("verdicts");
    assert_eq!(early, vec![]);
    // Asking for the summary is not a look at the test.
    assert_eq!(
        store
            .abtest_asks(ChatId(GROUP), "xhs", "A,B,C")
            .await
            .expect("asks"),
        0
    );
    // The weekly summary on 2026-10-30 (20:00 in Shanghai) carries the new verdict.
    app.clock.set(T0 - 3 * 86_400 + 3 * 3_600);
    let sent = app.say(GROUP, ALICE, "/summary week").await;
    let text: Vec<String> = sent.iter().map(|m| m.text.clone()).collect();
    let text = text.join("\n");
    assert!(
        text.contains("A/B tests with a verdict") && text.contains("<b>A</b> beats"),
        "{text}"
    );
    // And names, per channel with creatives, which creative to keep (issue 15).
    assert!(
        text.contains("<b>Creatives to keep</b>\n#xhs: keep <b>A</b>, pause <b>B</b>, <b>C</b>"),
        "{text}"
    );
    let db = app.stop().await;
    db.cleanup().await;
}
