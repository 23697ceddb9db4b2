//! Daily numbers through the emulator: `/checkin` in English and Chinese, replacement, every
//! refusal (nothing stored), `/metrics`, `/export` as CSV documents, and the daily nudge fired
//! by the scheduler under the injected clock. Every scenario runs on SQLite and PostgreSQL.

#[macro_use]
mod common;

use campaign_bot::app::{make_bot, relaxed_limits};
use campaign_bot::console::emulator::{SentKind, SentMessage};
use campaign_bot::domain::ids::{ChatId, UserId};
use campaign_bot::domain::jobs::JobKind;
use campaign_bot::domain::jobs::JobState;
use campaign_bot::scheduler::Scheduler;
use campaign_bot::storage::{NewGoal, NewTask};
use common::{ALICE, BOB, GROUP, T0, TestApp, WANG};

e2e!(
    english_keys_reply_with_the_derived_metrics_and_goal_marks,
    chinese_keys_give_the_same_numbers,
    a_second_checkin_replaces_the_first_and_says_what_changed,
    every_refusal_stores_nothing,
    dates_and_creatives_are_separate_rows,
    metrics_by_channel_and_period,
    export_sends_two_csv_documents,
    the_nudge_mentions_only_owners_missing_numbers_and_is_silent_when_all_are_in,
    a_nudge_for_a_day_already_over_is_dropped,
    checkin_time_is_for_admins_and_can_be_turned_off,
    spend_feeds_budget_pacing_and_goals_show_where_the_team_stands,
);

const EXAMPLE: &str = "/checkin xhs spend=1000 impressions=50000 clicks=1500 orders=45 gmv=9000";

/// The team exists once someone wrote; channels xhs (owner Bob) and jd (owner Wang).
async fn setup(app: &mut TestApp) {
    for who in [ALICE, BOB, WANG] {
        assert!(app.say(GROUP, who, "hello").await.is_empty());
    }
    let store = &app.ctx.store;
    let xhs = store
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
        .set_channel_owner(xhs.id, Some(UserId(BOB)), Some("bob"), T0)
        .await
        .expect("owner");
    let jd = store
        .add_channel(
            ChatId(GROUP),
            "jd",
            campaign_bot::domain::playbook::Tier::Test,
            1_000_000,
            T0,
        )
        .await
        .expect("jd");
    store
        .set_channel_owner(jd.id, Some(UserId(WANG)), Some("wang"), T0)
        .await
        .expect("owner");
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

async fn english_keys_reply_with_the_derived_metrics_and_goal_marks(mut app: TestApp) {
    setup(&mut app).await;
    let store = app.ctx.store.clone();
    // CTR ≥ 2% team-wide (met), ROI ≥ 10 for xhs (missed), ROI ≥ 5 team-wide (overridden).
    for (metric, channel, direction, value) in [
        ("ctr", "", "at_least", 20_000),
        ("roi", "xhs", "at_least", 10_000_000),
        ("roi", "", "at_least", 5_000_000),
    ] {
        let goal = NewGoal {
            chat_id: ChatId(GROUP),
            metric,
            channel,
            direction,
            period: "",
            value,
        };
        store.set_goal(&goal, T0).await.expect("goal");
    }
    let text = app.reply(GROUP, BOB, EXAMPLE).await;
    for want in [
        "3.00%",
        "0.67",
        "200.00",
        "9.00",
        "20.00",
        "#xhs",
        "2026-11-02",
    ] {
        assert!(text.contains(want), "{want} missing in {text}");
    }
    assert!(line_of(&text, "CTR").contains("3.00%"), "{text}");
    assert!(line_of(&text, "CTR").contains('✅'), "{text}");
    assert!(line_of(&text, "CPC").contains("0.67"), "{text}");
    assert!(line_of(&text, "CVR").contains("3.00%"), "{text}");
    assert!(line_of(&text, "AOV").contains("200.00"), "{text}");
    let roi = line_of(&text, "ROI");
    assert!(
        roi.contains("9.00") && roi.contains("⚠️") && roi.contains("10.00"),
        "{roi}"
    );
    // No goal, no mark.
    assert!(!line_of(&text, "CPC").contains('✅') && !line_of(&text, "CPC").contains("⚠️"));
    // CAC and the interaction rate only appear when their inputs were given.
    assert!(
        !text.contains("CAC") && !text.contains("Interaction"),
        "{text}"
    );
    let row = app
        .ctx
        .store
        .checkin(ChatId(GROUP), "xhs", "2026-11-02", "")
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(
        (row.spend, row.impressions, row.clicks, row.orders, row.gmv),
        (
            Some(100_000),
            Some(50_000),
            Some(1500),
            Some(45),
            Some(900_000)
        )
    );
    assert_eq!(row.author_id, Some(UserId(BOB)));

    let full = app
        .reply(
            GROUP,
            BOB,
            "/checkin #JD spend=0 impressions=0 clicks=0 orders=0 gmv=0 new=0 interactions=0",
        )
        .await;
    // Zero denominators show a dash, never NaN.
    assert!(line_of(&full, "CTR").contains('—'), "{full}");
    assert!(line_of(&full, "CAC").contains('—'), "{full}");
    assert!(line_of(&full, "Interaction rate").contains('—'), "{full}");
    assert!(!full.contains("NaN") && !full.contains("inf"), "{full}");
    app.stop().await.cleanup().await;
}

async fn chinese_keys_give_the_same_numbers(mut app: TestApp) {
    setup(&mut app).await;
    let text = app
        .reply(
            GROUP,
            WANG,
            "/checkin xhs 花费=1000 曝光=5万 点击=1500 订单=45 成交额=9000",
        )
        .await;
    for (start, want) in [
        ("CTR", "3.00%"),
        ("CPC", "0.67"),
        ("CVR", "3.00%"),
        ("AOV", "200.00"),
        ("ROI", "9.00"),
    ] {
        assert!(
            line_of(&text, start).contains(want),
            "{start} {want}: {text}"
        );
    }
    // Full-width colons and Chinese separators work too.
    let colon = app
        .reply(
            GROUP,
            WANG,
            "/checkin jd 花费：1,200.50，曝光：1.2w，点击：300，订单：9，成交额：¥3千 新客=3",
        )
        .await;
    assert!(line_of(&colon, "CTR").contains("2.50%"), "{colon}");
    assert!(line_of(&colon, "CAC").contains("400.17"), "{colon}");
    let row = app
        .ctx
        .store
        .checkin(ChatId(GROUP), "jd", "2026-11-02", "")
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(
        (row.spend, row.impressions, row.gmv),
        (Some(120_050), Some(12_000), Some(300_000))
    );
    assert_eq!(row.new_customers, Some(3));
    app.stop().await.cleanup().await;
}

async fn a_second_checkin_replaces_the_first_and_says_what_changed(mut app: TestApp) {
    setup(&mut app).await;
    let first = app.reply(GROUP, BOB, EXAMPLE).await;
    assert!(first.contains("saved"), "{first}");
    let second = app
        .reply(
            GROUP,
            BOB,
            "/checkin xhs spend=1200 impressions=50000 clicks=1600 orders=45 gmv=9000",
        )
        .await;
    assert!(second.contains("Replaced"), "{second}");
    assert!(second.contains("¥1,000.00 → ¥1,200.00"), "{second}");
    assert!(second.contains("1,500 → 1,600"), "{second}");
    assert!(!second.contains("orders 45 → 45"), "{second}");
    assert_eq!(count(&app).await, 1);

    let same = app
        .reply(
            GROUP,
            BOB,
            "/checkin xhs spend=1200 impressions=50000 clicks=1600 orders=45 gmv=9000",
        )
        .await;
    assert!(same.contains("nothing changed"), "{same}");

    let metrics = app.reply(GROUP, ALICE, "/metrics #xhs").await;
    assert!(metrics.contains("¥1,200.00"), "{metrics}");
    assert!(
        !metrics.contains("¥2,200.00"),
        "one day's numbers, not the sum: {metrics}"
    );
    assert!(
        metrics.contains("Clicks 1,600") || metrics.contains("clicks 1,600"),
        "{metrics}"
    );
    assert_eq!(count(&app).await, 1);
    app.stop().await.cleanup().await;
}

async fn every_refusal_stores_nothing(mut app: TestApp) {
    setup(&mut app).await;
    let cases: &[(&str, &[&str])] = &[
        ("/checkin", &["Usage"]),
        (
            "/checkin tmall spend=1 impressions=1 clicks=1 orders=1 gmv=1",
            &["tmall", "#jd", "#xhs"],
        ),
        (
            "/checkin spend=1000 impressions=50000 clicks=1500 orders=45 gmv=9000",
            &["channel", "#xhs"],
        ),
        (
            "/checkin xhs spend=1000 impressions=1000 clicks=1500 orders=45 gmv=9000",
            &["Clicks (1,500)", "impressions (1,000)"],
        ),
        (
            "/checkin xhs spend=1000 impressions=50000 clicks=40 orders=45 gmv=9000",
            &["Orders (45)", "clicks (40)"],
        ),
        (
            "/checkin xhs spend=-5 impressions=50000 clicks=1500 orders=45 gmv=9000",
            &["spend=-5", "negative"],
        ),
        // Issue 14: a partial check-in is valid now; only one without any number is refused.
        (
            "/checkin xhs creative=A date=yesterday",
            &["no number", "spend=1000"],
        ),
        (
            "/checkin xhs spend=1000 impressions=50000 clicks=1500 orders=45 gmv=9000 likes=3",
            &["likes"],
        ),
        (
            "/checkin xhs spend=abc impressions=50000 clicks=1500 orders=45 gmv=9000",
            &["spend=abc"],
        ),
        (
            "/checkin xhs spend=1 impressions=1.5 clicks=1 orders=1 gmv=1",
            &["whole number"],
        ),
        (
            "/checkin xhs spend=1 花费=2 impressions=1 clicks=1 orders=1 gmv=1",
            &["twice"],
        ),
        (
            "/checkin xhs 1000 50000",
            &["<code>1000</code>", "key=value"],
        ),
        (
            "/checkin xhs spend=1 impressions=1 clicks=1 orders=1 gmv=1 date=tomorrow",
            &["tomorrow", "future"],
        ),
        (
            "/checkin xhs spend=1 impressions=1 clicks=1 orders=1 gmv=1 date=2026-08-01",
            &["2026-08-01", "60 days"],
        ),
        (
            "/checkin xhs spend=1 impressions=1 clicks=1 orders=1 gmv=1 date=someday",
            &["someday"],
        ),
        (
            "/checkin xhs spend=1 impressions=1 clicks=1 orders=1 gmv=1 creative=",
            &["creative"],
        ),
        (
            "/checkin xhs spend=<b>1 impressions=1 clicks=1 orders=1 gmv=1",
            &["&lt;b&gt;1"],
        ),
    ];
    for (input, wants) in cases {
        let text = app.reply(GROUP, BOB, input).await;
        for want in *wants {
            assert!(text.contains(want), "{input}: {want:?} missing in {text}");
        }
        assert!(!text.contains("Numbers saved"), "{input}: {text}");
        assert_eq!(count(&app).await, 0, "{input} stored something");
    }
    // In a private chat there is no team.
    let private = app.reply(BOB, BOB, EXAMPLE).await;
    assert!(private.contains("group"), "{private}");
    assert_eq!(count(&app).await, 0);
    app.stop().await.cleanup().await;
}

async fn dates_and_creatives_are_separate_rows(mut app: TestApp) {
    setup(&mut app).await;
    let base = "/checkin xhs spend=100 impressions=1000 clicks=10 orders=1 gmv=200";
    let y = app
        .reply(GROUP, BOB, &format!("{base} date=yesterday"))
        .await;
    assert!(y.contains("2026-11-01"), "{y}");
    let zh = app.reply(GROUP, WANG, &format!("{base} 日期=前天")).await;
    assert!(zh.contains("2026-10-31"), "{zh}");
    let a = app.reply(GROUP, BOB, &format!("{base} creative=A")).await;
    assert!(a.contains("<code>A</code>") && a.contains("saved"), "{a}");
    let b = app.reply(GROUP, BOB, &format!("{base} 素材=B")).await;
    assert!(b.contains("saved"), "{b}");
    let plain = app.reply(GROUP, BOB, base).await;
    assert!(plain.contains("saved"), "{plain}");
    // 60 days back is still accepted.
    let old = app
        .reply(GROUP, BOB, &format!("{base} date=2026-09-03"))
        .await;
    assert!(old.contains("saved"), "{old}");
    assert_eq!(count(&app).await, 6);
    let today = app
        .ctx
        .store
        .checkins_between(ChatId(GROUP), "2026-11-02", "2026-11-02")
        .await
        .expect("rows");
    let creatives: Vec<&str> = today.iter().map(|c| c.creative.as_str()).collect();
    assert_eq!(creatives, ["", "A", "B"]);
    app.stop().await.cleanup().await;
}

async fn metrics_by_channel_and_period(mut app: TestApp) {
    setup(&mut app).await;
    let store = app.ctx.store.clone();
    store
        .set_goal(
            &NewGoal {
                chat_id: ChatId(GROUP),
                metric: "gmv",
                channel: "",
                direction: "volume",
                period: "month",
                value: 50_000_000,
            },
            T0,
        )
        .await
        .expect("goal");
    store
        .set_goal(
            &NewGoal {
                chat_id: ChatId(GROUP),
                metric: "cpc",
                channel: "",
                direction: "at_most",
                period: "",
                value: 50,
            },
            T0,
        )
        .await
        .expect("goal");
    app.reply(GROUP, BOB, EXAMPLE).await;
    app.reply(
        GROUP,
        BOB,
        "/checkin xhs spend=1000 impressions=50000 clicks=1500 orders=45 gmv=9000 date=yesterday",
    )
    .await;
    // 20 days ago: inside 30d, outside 7d and outside this month.
    app.reply(
        GROUP,
        WANG,
        "/checkin jd spend=500 impressions=10000 clicks=100 orders=5 gmv=1000 date=2026-10-13",
    )
    .await;

    let week = app.reply(GROUP, ALICE, "/metrics").await;
    assert!(week.contains("2026-10-27 – 2026-11-02"), "{week}");
    assert!(
        week.contains("#xhs") && week.contains("2 of 7 days"),
        "{week}"
    );
    assert!(
        week.contains("¥2,000.00"),
        "xhs spend over two days: {week}"
    );
    assert!(week.contains("<b>#jd</b> — no numbers"), "{week}");
    assert!(week.contains("Team total"), "{week}");
    assert!(
        week.contains("CPC <b>0.67</b> ⚠️"),
        "CPC misses ≤ 0.50: {week}"
    );
    // The monthly GMV goal: ¥18,000 of ¥500,000 this month.
    assert!(
        week.contains("¥18,000.00 of ¥500,000.00") && week.contains("3.60%"),
        "{week}"
    );

    let month = app.reply(GROUP, ALICE, "/metrics 30d").await;
    assert!(
        month.contains("¥2,500.00"),
        "team spend over 30 days: {month}"
    );
    assert!(month.contains("1 of 30 days"), "{month}");

    let jd = app.reply(GROUP, ALICE, "/metrics 30d #jd").await;
    assert!(jd.contains("#jd") && !jd.contains("#xhs"), "{jd}");
    assert!(!jd.contains("Team total"), "{jd}");

    let today = app.reply(GROUP, ALICE, "/metrics week").await;
    assert!(today.contains("2026-11-02 – 2026-11-02"), "Monday: {today}");

    let bad = app.reply(GROUP, ALICE, "/metrics fortnight").await;
    assert!(
        bad.contains("<code>fortnight</code>") && bad.contains("Usage"),
        "{bad}"
    );
    let unknown = app.reply(GROUP, ALICE, "/metrics #tmall").await;
    assert!(
        unknown.contains("tmall") && unknown.contains("#xhs"),
        "{unknown}"
    );
    app.stop().await.cleanup().await;
}

fn parse_csv(doc: &SentMessage) -> (Vec<String>, Vec<Vec<String>>) {
    assert_eq!(doc.kind, SentKind::Document);
    let bytes = doc.file_bytes.as_deref().expect("document bytes");
    let body = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .expect("UTF-8 BOM for Excel");
    let mut reader = csv::Reader::from_reader(body);
    let header = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.expect("row").iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

async fn export_sends_two_csv_documents(mut app: TestApp) {
    setup(&mut app).await;
    app.reply(GROUP, BOB, EXAMPLE).await;
    app.reply(
        GROUP,
        WANG,
        "/checkin jd 花费=1200.5 曝光=1000 点击=10 订单=1 成交额=99 新客=1 素材=视频A",
    )
    .await;
    app.reply(
        GROUP,
        BOB,
        "/checkin xhs spend=1 impressions=1 clicks=1 orders=1 gmv=1 creative==SUM(A1) date=2026-09-20",
    )
    .await;
    let store = app.ctx.store.clone();
    for (title, at) in [
        ("Post the launch video", T0),
        ("Old task", T0 - 40 * 86_400),
    ] {
        let task = NewTask {
            chat_id: ChatId(GROUP),
            title: title.into(),
            done_when: None,
            owner_id: Some(UserId(BOB)),
            owner_username: None,
            creator_id: UserId(ALICE),
            channel: Some("xhs".into()),
            due_at: T0 + 86_400,
            recur: None,
            series_id: None,
            source_message: None,
        };
        store.create_task(&task, at).await.expect("task");
    }

    let sent = app.say(GROUP, ALICE, "/export").await;
    assert_eq!(sent.len(), 2, "{sent:#?}");
    assert_eq!(sent[0].file_name.as_deref(), Some("checkins.csv"));
    assert_eq!(sent[1].file_name.as_deref(), Some("tasks.csv"));
    let (header, rows) = parse_csv(&sent[0]);
    assert_eq!(
        header,
        [
            "date",
            "channel",
            "creative",
            "spend",
            "impressions",
            "clicks",
            "orders",
            "gmv",
            "leads",
            "new_customers",
            "interactions",
            "author",
            "created",
            "updated"
        ]
    );
    assert_eq!(rows.len(), 2, "the last 30 days: {rows:?}");
    let jd = rows.iter().find(|r| r[1] == "jd").expect("jd row");
    assert_eq!(jd[0], "2026-11-02");
    assert_eq!(jd[2], "视频A");
    assert_eq!(jd[3], "1200.50", "money as a plain decimal");
    assert_eq!(jd[7], "99.00");
    // Leads (column 8, added by issue 14) were not reported: an empty cell, not 0.
    assert_eq!(jd[8], "");
    assert_eq!(jd[9], "1");
    assert_eq!(jd[10], "");
    assert_eq!(jd[11], "wang");
    // 09:00 UTC is 17:00 in Shanghai.
    assert_eq!(jd[12], "2026-11-02 17:00");
    let xhs = rows.iter().find(|r| r[1] == "xhs").expect("xhs row");
    assert_eq!((xhs[3].as_str(), xhs[7].as_str()), ("1000.00", "9000.00"));

    let (theader, trows) = parse_csv(&sent[1]);
    assert_eq!(theader[0], "number");
    assert_eq!(theader[1], "title");
    assert_eq!(trows.len(), 1, "{trows:?}");
    assert_eq!(trows[0][1], "Post the launch video");
    assert_eq!(trows[0][3], "bob");
    assert_eq!(trows[0][5], "2026-11-03 17:00");
    assert!(sent[0].text.contains("rows: 2"), "{}", sent[0].text);

    let all = app.say(GROUP, ALICE, "/export all").await;
    assert_eq!(all.len(), 2);
    let (_, rows) = parse_csv(&all[0]);
    assert_eq!(rows.len(), 3);
    let formula = rows.iter().find(|r| r[0] == "2026-09-20").expect("old row");
    assert_eq!(
        formula[2], "'=SUM(A1)",
        "spreadsheet formulas are neutralised"
    );
    let (_, trows) = parse_csv(&all[1]);
    assert_eq!(trows.len(), 2);

    let bad = app.reply(GROUP, ALICE, "/export everything").await;
    assert!(bad.contains("<code>everything</code>"), "{bad}");
    app.stop().await.cleanup().await;
}

fn scheduler(app: &TestApp) -> Scheduler {
    let bot = make_bot(
        &app.emulator.token(),
        Some(&app.emulator.api_url()),
        relaxed_limits(),
    );
    Scheduler::new(app.ctx.service.clone(), bot)
}

/// Runs one scheduler tick; returns what it sent.
async fn tick(app: &TestApp) -> Vec<SentMessage> {
    let before = app.emulator.sent_count();
    scheduler(app).tick().await.expect("tick");
    app.emulator.sent_since(before)
}

async fn nudge_jobs(app: &TestApp) -> Vec<(String, JobState, Option<String>)> {
    app.ctx
        .store
        .jobs_for(JobKind::CheckinNudge, GROUP)
        .await
        .expect("jobs")
        .into_iter()
        .map(|j| (j.mark, j.state, j.last_error))
        .collect()
}

async fn the_nudge_mentions_only_owners_missing_numbers_and_is_silent_when_all_are_in(
    mut app: TestApp,
) {
    setup(&mut app).await;
    // T0 is 17:00 in Shanghai.
    let set = app.reply(GROUP, ALICE, "/checkin_time 18:00").await;
    assert!(
        set.contains("18:00") && set.contains("2026-11-02 18:00"),
        "{set}"
    );
    assert_eq!(
        nudge_jobs(&app).await,
        [("2026-11-02".into(), JobState::Pending, None)]
    );
    app.reply(GROUP, BOB, EXAMPLE).await;
    // Not yet due.
    assert!(tick(&app).await.is_empty());

    app.clock.advance(3600);
    let sent = tick(&app).await;
    assert_eq!(sent.len(), 1, "{sent:#?}");
    let text = &sent[0].text;
    assert!(text.contains(&format!("tg://user?id={WANG}")), "{text}");
    assert!(text.contains("#jd"), "{text}");
    assert!(!text.contains(&format!("tg://user?id={BOB}")), "{text}");
    assert!(!text.contains("#xhs"), "{text}");
    // Once: another tick sends nothing, and tomorrow's is planned.
    assert!(tick(&app).await.is_empty());
    let jobs = nudge_jobs(&app).await;
    assert_eq!(jobs[0].1, JobState::Sent);
    assert_eq!(
        (jobs[1].0.as_str(), jobs[1].1),
        ("2026-11-03", JobState::Pending)
    );

    // The next day everyone checks in before 18:00: no message at all.
    app.clock.advance(23 * 3600);
    app.reply(GROUP, BOB, EXAMPLE).await;
    app.reply(
        GROUP,
        WANG,
        "/checkin jd spend=1 impressions=1 clicks=1 orders=1 gmv=1",
    )
    .await;
    app.clock.advance(3600);
    assert!(tick(&app).await.is_empty());
    let jobs = nudge_jobs(&app).await;
    assert_eq!(
        (jobs[1].1, jobs[1].2.as_deref()),
        (JobState::Dropped, Some("all in"))
    );
    assert_eq!(
        (jobs[2].0.as_str(), jobs[2].1),
        ("2026-11-04", JobState::Pending)
    );

    // A channel without an owner is listed without a mention.
    app.ctx
        .store
        .add_channel(
            ChatId(GROUP),
            "douyin",
            campaign_bot::domain::playbook::Tier::Reserve,
            0,
            T0,
        )
        .await
        .expect("douyin");
    app.clock.advance(86_400);
    let sent = tick(&app).await;
    assert_eq!(sent.len(), 1);
    let text = &sent[0].text;
    assert!(
        text.contains("#douyin") && text.contains("no owner"),
        "{text}"
    );
    assert!(text.contains(&format!("tg://user?id={BOB}")), "{text}");
    assert!(text.contains(&format!("tg://user?id={WANG}")), "{text}");
    app.stop().await.cleanup().await;
}

async fn a_nudge_for_a_day_already_over_is_dropped(mut app: TestApp) {
    setup(&mut app).await;
    app.reply(GROUP, ALICE, "/checkin_time 23:30").await;
    // The bot was down from before 23:30 until the next morning.
    app.clock.advance(16 * 3600);
    assert!(tick(&app).await.is_empty());
    let jobs = nudge_jobs(&app).await;
    assert_eq!(
        (jobs[0].1, jobs[0].2.as_deref()),
        (JobState::Dropped, Some("day over"))
    );
    // The chain goes on: tonight's is planned, and late the same day it is still sent, marked late.
    assert_eq!(
        (jobs[1].0.as_str(), jobs[1].1),
        ("2026-11-03", JobState::Pending)
    );
    app.clock.advance(14 * 3600 + 40 * 60); // 2026-11-03 23:40 local
    let sent = tick(&app).await;
    assert_eq!(sent.len(), 1);
    assert!(sent[0].text.contains("Late"), "{}", sent[0].text);
    app.stop().await.cleanup().await;
}

async fn checkin_time_is_for_admins_and_can_be_turned_off(mut app: TestApp) {
    setup(&mut app).await;
    let refused = app.reply(GROUP, BOB, "/checkin_time 18:00").await;
    assert!(refused.contains("Only the group's admins"), "{refused}");
    assert!(nudge_jobs(&app).await.is_empty());
    let team = app.ctx.store.team(ChatId(GROUP)).await.unwrap().unwrap();
    assert_eq!(team.checkin_minute, None);

    let bad = app.reply(GROUP, ALICE, "/checkin_time 25:99").await;
    assert!(bad.contains("<code>25:99</code>"), "{bad}");
    assert!(nudge_jobs(&app).await.is_empty());

    let off_now = app.reply(GROUP, BOB, "/checkin_time").await;
    assert!(off_now.contains("no daily check-in nudge"), "{off_now}");

    app.reply(GROUP, ALICE, "/checkin_time 18:00").await;
    // Moving the time replaces the planned nudge.
    let moved = app.reply(GROUP, ALICE, "/checkin_time 19:30").await;
    assert!(moved.contains("19:30"), "{moved}");
    let jobs = nudge_jobs(&app).await;
    let pending: Vec<_> = jobs.iter().filter(|j| j.1 == JobState::Pending).collect();
    assert_eq!(pending.len(), 1, "{jobs:?}");
    let team = app.ctx.store.team(ChatId(GROUP)).await.unwrap().unwrap();
    assert_eq!(team.checkin_minute, Some(19 * 60 + 30));
    let shown = app.reply(GROUP, BOB, "/checkin_time").await;
    assert!(shown.contains("19:30"), "{shown}");

    let off = app.reply(GROUP, ALICE, "/checkin_time off").await;
    assert!(off.contains("off"), "{off}");
    let team = app.ctx.store.team(ChatId(GROUP)).await.unwrap().unwrap();
    assert_eq!(team.checkin_minute, None);
    assert!(
        nudge_jobs(&app)
            .await
            .iter()
            .all(|j| j.1 != JobState::Pending)
    );
    app.clock.advance(3 * 3600);
    assert!(tick(&app).await.is_empty());
    app.stop().await.cleanup().await;
}

async fn spend_feeds_budget_pacing_and_goals_show_where_the_team_stands(mut app: TestApp) {
    setup(&mut app).await;
    let store = app.ctx.store.clone();
    for (metric, direction, period, value) in [
        ("ctr", "at_least", "", 20_000),
        ("gmv", "volume", "month", 50_000_000),
    ] {
        let goal = NewGoal {
            chat_id: ChatId(GROUP),
            metric,
            channel: "",
            direction,
            period,
            value,
        };
        store.set_goal(&goal, T0).await.expect("goal");
    }
    let before = app.reply(GROUP, ALICE, "/budget").await;
    assert!(!before.contains("¥1,000.00"), "{before}");
    app.reply(GROUP, BOB, EXAMPLE).await;
    // Last month's numbers do not count towards this month's spend.
    app.reply(
        GROUP,
        BOB,
        "/checkin xhs spend=700 impressions=1000 clicks=10 orders=1 gmv=10 date=2026-10-31",
    )
    .await;
    let budget = app.reply(GROUP, ALICE, "/budget").await;
    assert!(
        budget.contains("¥1,000.00"),
        "xhs spend this month: {budget}"
    );
    assert!(!budget.contains("¥1,700.00"), "{budget}");
    let goals = app.reply(GROUP, ALICE, "/goals").await;
    assert!(goals.contains("3.00%"), "CTR this month: {goals}");
    assert!(
        goals.contains("¥9,000.00") && goals.contains("1.80%"),
        "{goals}"
    );
    app.stop().await.cleanup().await;
}
