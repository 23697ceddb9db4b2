//! The campaign plan through the emulator: channels and budgets checked against the playbook,
//! goals in both languages, permissions, bad arguments, `/budget` and `/plan`.

#[macro_use]
mod common;

use campaign_bot::console::emulator::{SendOpts, UserSpec};
use campaign_bot::domain::ids::{ChatId, UserId};
use common::{ALICE, BOB, GROUP, TestApp, TestDb, WANG};

both_backends!(
    the_playbook_check_names_the_broken_rule_and_clears_when_fixed,
    only_admins_change_the_plan,
    goals_show_in_goals_and_plan_in_both_languages,
    bad_arguments_are_quoted_and_change_nothing,
    budget_shows_allocation_and_says_no_spend_yet,
    a_removed_channel_keeps_its_row_and_frees_its_name,
    the_plan_fits_one_message_with_twenty_channels,
    a_goal_without_its_numbers_has_no_data_everywhere,
);

async fn assert_contains(text: &str, want: &str) {
    assert!(text.contains(want), "expected {want:?} in:\n{text}");
}

async fn the_playbook_check_names_the_broken_rule_and_clears_when_fixed(db: TestDb) {
    let mut app = TestApp::spawn(db).await;
    // Bob has written in the group; Wang has not yet.
    app.say(GROUP, BOB, "hello").await;
    let added = app
        .reply(GROUP, ALICE, "/channel add taobao core 50000")
        .await;
    assert_contains(&added, "✅ Added <b>taobao</b>: core, ¥50,000.00 a month.").await;
    app.reply(GROUP, ALICE, "/channel add douyin 核心 ¥2.8万")
        .await;
    app.reply(GROUP, ALICE, "/channel add xhs test 12,000")
        .await;
    let last = app
        .reply(GROUP, ALICE, "/channel add wechat reserve 1w")
        .await;
    assert_contains(&last, "no owner for douyin, taobao, wechat, xhs").await;

    let owner = app.reply(GROUP, ALICE, "/channel owner taobao me").await;
    assert_contains(&owner, "<b>taobao</b> is now owned by alice").await;
    let owner = app.reply(GROUP, ALICE, "/channel owner douyin @bob").await;
    assert_contains(&owner, "<b>douyin</b> is now owned by bob").await;
    let owner = app.reply(GROUP, ALICE, "/channel owner xhs @wang").await;
    assert_contains(&owner, "@wang hasn't written here yet").await;
    // A user without a username, named by a text mention.
    app.emulator.add_user(UserSpec {
        id: 777,
        first_name: "Dana".into(),
        last_name: None,
        username: None,
        language_code: Some("en".into()),
    });
    let before = app.emulator.sent_count();
    app.emulator.send_text_opts(
        GROUP,
        ALICE,
        "/channel owner wechat Dana",
        SendOpts {
            text_mentions: vec![("Dana".into(), 777)],
            ..Default::default()
        },
    );
    app.wait_handled().await;
    let sent = app.emulator.sent_since(before);
    assert_eq!(sent.len(), 1);
    let warned = sent[0].text.clone();
    assert_contains(&warned, "<b>wechat</b> is now owned by Dana").await;

    // 2 core, 1 test, 1 reserve: core is 78% of the budget.
    assert_contains(
        &warned,
        "⚠️ <b>Playbook check</b>\n• core is 78.00% of ¥100,000.00; the playbook says 60–70% — move ¥8,000.00 out of core.",
    )
    .await;
    assert!(!warned.contains("no owner"), "{warned}");
    assert!(
        !warned.contains("test is"),
        "test is 12%, inside 10–20%: {warned}"
    );

    let still = app
        .reply(GROUP, ALICE, "/channel budget douyin 20000")
        .await;
    assert_contains(
        &still,
        "<b>douyin</b> budget: ¥28,000.00 → ¥20,000.00 a month.",
    )
    .await;
    assert_contains(
        &still,
        "• core is 76.09% of ¥92,000.00; the playbook says 60–70% — move ¥5,600.00 out of core.",
    )
    .await;
    let fixed = app
        .reply(GROUP, ALICE, "/channel budget wechat 1.8万")
        .await;
    assert_contains(
        &fixed,
        "✅ Playbook check: the plan fits (core 70.00%, test 12.00%, reserve 18.00%).",
    )
    .await;
    assert!(!fixed.contains("⚠️"), "{fixed}");

    let list = app.reply(GROUP, BOB, "/channels").await;
    assert_contains(&list, "📺 <b>Channels</b> (4)").await;
    assert_contains(&list, "• <b>taobao</b> — core · ¥50,000.00 a month · alice").await;
    assert_contains(
        &list,
        "• <b>xhs</b> — test · ¥12,000.00 a month · @wang (not seen yet)",
    )
    .await;
    assert_contains(
        &list,
        "• <b>wechat</b> — reserve · ¥18,000.00 a month · Dana",
    )
    .await;
    assert_contains(
        &list,
        "Total ¥100,000.00 a month: core ¥70,000.00, test ¥12,000.00, reserve ¥18,000.00.",
    )
    .await;

    // Too many core channels is its own rule.
    let moved = app.reply(GROUP, ALICE, "/channel tier xhs core").await;
    assert_contains(&moved, "<b>xhs</b> moved from test to core.").await;
    assert_contains(
        &moved,
        "• test is 0.00% of ¥100,000.00; the playbook says 10–20% — add ¥10,000.00 to test.",
    )
    .await;
    app.reply(GROUP, ALICE, "/channel add jd core 0").await;
    let four = app.reply(GROUP, ALICE, "/channel owner jd @alice").await;
    assert_contains(&four, "• 4 core channels (").await;
    assert_contains(&four, "the playbook says at most 3.").await;

    let store = &app.ctx.store;
    let xhs = store.channel(ChatId(GROUP), "xhs").await.unwrap().unwrap();
    assert_eq!(
        (xhs.owner_id, xhs.owner_username.as_deref()),
        (None, Some("wang"))
    );
    // Once Wang writes, the pending owner is Wang.
    app.say(GROUP, WANG, "你好").await;
    let list = app.reply(GROUP, ALICE, "/channels").await;
    assert_contains(&list, "• <b>xhs</b> — core · ¥12,000.00 a month · wang").await;
    let store = &app.ctx.store;
    let xhs = store.channel(ChatId(GROUP), "xhs").await.unwrap().unwrap();
    assert_eq!(xhs.owner_id, Some(UserId(WANG)));
    let douyin = store
        .channel(ChatId(GROUP), "douyin")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (douyin.monthly_budget, douyin.owner_id),
        (2_000_000, Some(UserId(BOB)))
    );
    let wechat = store
        .channel(ChatId(GROUP), "wechat")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (wechat.monthly_budget, wechat.owner_id),
        (1_800_000, Some(UserId(777)))
    );
    app.stop().await.cleanup().await;
}

async fn only_admins_change_the_plan(db: TestDb) {
    let mut app = TestApp::spawn(db).await;
    app.reply(GROUP, ALICE, "/channel add xhs core 30000").await;
    for cmd in [
        "/channel add jd core 1000",
        "/channel budget xhs 1",
        "/channel remove xhs",
        "/goal gmv 50万 month",
        "/goal clear gmv",
    ] {
        let refused = app.reply(GROUP, BOB, cmd).await;
        assert_contains(&refused, "Only the group's admins can change the plan").await;
        assert_contains(&refused, "alice").await;
    }
    let store = &app.ctx.store;
    let channels = store.channels(ChatId(GROUP)).await.unwrap();
    assert_eq!(channels.len(), 1, "nothing was added");
    assert_eq!(channels[0].monthly_budget, 3_000_000, "nothing was changed");
    assert!(store.goals(ChatId(GROUP)).await.unwrap().is_empty());
    // Reading is for everyone.
    let list = app.reply(GROUP, BOB, "/channels").await;
    assert_contains(&list, "<b>xhs</b>").await;
    let list = app.reply(GROUP, BOB, "/channel").await;
    assert_contains(&list, "<b>xhs</b>").await;
    app.reply(GROUP, BOB, "/plan").await;
    app.reply(GROUP, BOB, "/budget").await;
    app.reply(GROUP, BOB, "/goals").await;
    // In private, the plan commands say they belong in the group.
    let private = app.reply(BOB, BOB, "/plan").await;
    assert_contains(&private, "team's group").await;
    app.stop().await.cleanup().await;
}

async fn goals_show_in_goals_and_plan_in_both_languages(db: TestDb) {
    let mut app = TestApp::spawn(db).await;
    let none = app.reply(GROUP, ALICE, "/goals").await;
    assert_contains(&none, "No goals yet").await;
    app.reply(GROUP, ALICE, "/channel add xhs core 30000").await;

    let ctr = app.reply(GROUP, ALICE, "/goal ctr >= 2.5% #xhs").await;
    assert_contains(&ctr, "🎯 Goal set: #xhs: CTR ≥ 2.50%").await;
    let gmv = app.reply(GROUP, ALICE, "/goal gmv 50万 month").await;
    assert_contains(
        &gmv,
        "🎯 Goal set: Team: GMV ¥500,000.00 a month (¥116,666.67 a week, ¥16,666.67 a day)",
    )
    .await;
    let cpc = app.reply(GROUP, ALICE, "/goal cpc <= 0.8").await;
    assert_contains(&cpc, "Team: CPC ≤ ¥0.80").await;
    let replaced = app.reply(GROUP, ALICE, "/goal cpc <= 0.75").await;
    assert_contains(
        &replaced,
        "🎯 Goal updated: Team: CPC ≤ ¥0.75 (was CPC ≤ ¥0.80)",
    )
    .await;
    let cleared = app.reply(GROUP, ALICE, "/goal clear cpc").await;
    assert_contains(&cleared, "Goal removed: Team: CPC ≤ ¥0.75").await;
    let none = app.reply(GROUP, ALICE, "/goal clear cpc").await;
    assert_contains(&none, "There is no CPC goal for Team to remove.").await;

    let goals = app.reply(GROUP, BOB, "/goals").await;
    assert_contains(
        &goals,
        "🎯 <b>Goals</b>\n<b>Team</b>\n• GMV ¥500,000.00 a month (¥116,666.67 a week, ¥16,666.67 a day) — no data yet\n<b>#xhs</b>\n• CTR ≥ 2.50% — no data yet",
    )
    .await;
    let plan = app.reply(GROUP, BOB, "/plan").await;
    assert_contains(&plan, "📋 <b>The plan</b>").await;
    assert_contains(
        &plan,
        "• Team: GMV ¥500,000.00 a month (¥116,666.67 a week, ¥16,666.67 a day) — no data yet",
    )
    .await;
    assert_contains(&plan, "• #xhs: CTR ≥ 2.50% — no data yet").await;
    assert_contains(
        &plan,
        "<b>Channels</b> — ¥30,000.00 a month\n• <b>xhs</b> core · ¥30,000.00 · no owner",
    )
    .await;
    assert_contains(&plan, "Weekly review: not set").await;

    let zh = app.reply(GROUP, ALICE, "/lang zh").await;
    assert_contains(&zh, "中文").await;
    let goals = app.reply(GROUP, WANG, "/goals").await;
    assert_contains(
        &goals,
        "🎯 <b>目标</b>\n<b>全团队</b>\n• 成交额 每月 ¥500,000.00（每周 ¥116,666.67，每天 ¥16,666.67） — 暂无数据\n<b>#xhs</b>\n• 点击率 ≥ 2.50% — 暂无数据",
    )
    .await;
    let plan = app.reply(GROUP, WANG, "/plan").await;
    assert_contains(&plan, "📋 <b>推广计划</b>").await;
    assert_contains(
        &plan,
        "• 全团队：成交额 每月 ¥500,000.00（每周 ¥116,666.67，每天 ¥16,666.67） — 暂无数据",
    )
    .await;
    assert_contains(&plan, "• #xhs：点击率 ≥ 2.50% — 暂无数据").await;
    assert_contains(&plan, "• <b>xhs</b> 核心 · ¥30,000.00 · 无负责人").await;
    assert_contains(&plan, "周例会：未设置").await;
    // Chinese keywords set goals too.
    let zh_goal = app.reply(GROUP, ALICE, "/goal 订单 1,500 周 #xhs").await;
    assert_contains(&zh_goal, "#xhs：订单 每周 1,500（每天 214）").await;

    let stored = app.ctx.store.goals(ChatId(GROUP)).await.unwrap();
    let mut keys: Vec<(String, String, String, String, i64)> = stored
        .into_iter()
        .map(|g| (g.channel, g.metric, g.direction, g.period, g.value))
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            (
                "".into(),
                "gmv".into(),
                "volume".into(),
                "month".into(),
                50_000_000
            ),
            (
                "xhs".into(),
                "ctr".into(),
                "at_least".into(),
                "".into(),
                25_000
            ),
            (
                "xhs".into(),
                "orders".into(),
                "volume".into(),
                "week".into(),
                1_500
            ),
        ]
    );
    app.stop().await.cleanup().await;
}

async fn bad_arguments_are_quoted_and_change_nothing(db: TestDb) {
    let mut app = TestApp::spawn(db).await;
    let cases: &[(&str, &[&str])] = &[
        // Chinese names are names (issue 16); punctuation is not, and the fix is offered.
        (
            "/channel add 淘宝-旗舰店 core 1000",
            &[
                "<code>淘宝-旗舰店</code> can't be a channel name",
                "Use <code>淘宝_旗舰店</code> for 淘宝-旗舰店.",
            ],
        ),
        (
            "/channel add xhs gold 1000",
            &[
                "<code>gold</code> is not a tier: use core, test or reserve",
                "/channel add xhs core 30000",
            ],
        ),
        (
            "/channel add xhs core lots",
            &["<code>lots</code> is not a number I understand"],
        ),
        ("/channel add xhs core -5", &["<code>-5</code> is negative"]),
        (
            "/channel fly xhs",
            &["I don't know <code>/channel fly</code>"],
        ),
        (
            "/channel budget nothing 5",
            &["There is no channel <code>nothing</code>"],
        ),
        (
            "/goal ctr <= 2%",
            &[
                "CTR is better higher",
                "not <code>&lt;=</code>",
                "<code>/goal ctr &gt;= …</code>",
            ],
        ),
        (
            "/goal cpc >= 1",
            &["CPC is better lower", "not <code>&gt;=</code>"],
        ),
        (
            "/goal gmv abc",
            &[
                "I couldn't read the target for GMV",
                "<code>abc</code> is not a number I understand",
            ],
        ),
        (
            "/goal orders 1.5",
            &["<code>1.5</code> is not a whole number"],
        ),
        (
            "/goal happiness 3",
            &["I don't know the metric <code>happiness</code>"],
        ),
        ("/goal ctr >= 2% month", &["leave out <code>month</code>"]),
        (
            "/goal ctr >= 2% #jd",
            &["There is no channel <code>jd</code>"],
        ),
        ("/goal gmv 0", &["A goal of 0 sets nothing"]),
        ("/goal a&b 1", &["<code>a&amp;b</code>"]),
    ];
    for (cmd, wants) in cases {
        let reply = app.reply(GROUP, ALICE, cmd).await;
        for want in *wants {
            assert_contains(&reply, want).await;
        }
    }
    app.reply(GROUP, ALICE, "/lang zh").await;
    let zh = app
        .reply(GROUP, ALICE, "/channel add 小红书.官方 core 1000")
        .await;
    assert_contains(&zh, "小红书.官方 请用 <code>小红书_官方</code>。").await;
    let zh = app.reply(GROUP, ALICE, "/goal ctr <= 2%").await;
    assert_contains(&zh, "点击率越高越好").await;
    let zh = app.reply(GROUP, ALICE, "/goal gmv abc").await;
    assert_contains(&zh, "<code>abc</code> 不是可识别的数字").await;

    let store = &app.ctx.store;
    assert!(
        store.channels(ChatId(GROUP)).await.unwrap().is_empty(),
        "no channel was added"
    );
    assert!(
        store.goals(ChatId(GROUP)).await.unwrap().is_empty(),
        "no goal was set"
    );
    app.stop().await.cleanup().await;
}

async fn budget_shows_allocation_and_says_no_spend_yet(db: TestDb) {
    let mut app = TestApp::spawn(db).await;
    let none = app.reply(GROUP, ALICE, "/budget").await;
    assert_contains(&none, "No budget yet").await;
    app.reply(GROUP, ALICE, "/channel add taobao core 40000")
        .await;
    app.reply(GROUP, ALICE, "/channel add douyin core 25000")
        .await;
    app.reply(GROUP, ALICE, "/channel add xhs test 15000").await;
    app.reply(GROUP, ALICE, "/channel add wechat reserve 20000")
        .await;
    let budget = app.reply(GROUP, BOB, "/budget").await;
    assert_contains(
        &budget,
        "💰 <b>Budget for 2026-11</b> (day 2 of 30)\n<b>core</b> ¥65,000.00 (65.00%) ✅ playbook 60–70%\n  • taobao ¥40,000.00\n  • douyin ¥25,000.00\n<b>test</b> ¥15,000.00 (15.00%) ✅ playbook 10–20%\n  • xhs ¥15,000.00\n<b>reserve</b> ¥20,000.00 (20.00%) ✅ the rest\n  • wechat ¥20,000.00\n<b>Total</b> ¥100,000.00 a month\nNo spend checked in yet this month",
    )
    .await;
    app.reply(GROUP, ALICE, "/currency $").await;
    let budget = app.reply(GROUP, BOB, "/budget").await;
    assert_contains(&budget, "<b>Total</b> $100,000.00 a month").await;
    app.stop().await.cleanup().await;
}

async fn a_removed_channel_keeps_its_row_and_frees_its_name(db: TestDb) {
    let mut app = TestApp::spawn(db).await;
    app.reply(GROUP, ALICE, "/channel add xhs core 30000").await;
    app.reply(GROUP, ALICE, "/goal ctr >= 2% #xhs").await;
    app.reply(GROUP, ALICE, "/goal gmv 10万").await;
    let removed = app.reply(GROUP, ALICE, "/channel remove #xhs").await;
    assert_contains(
        &removed,
        "🗑 Removed <b>xhs</b>. Its check-ins and tasks stay in the history.",
    )
    .await;
    assert_contains(&removed, "Its goals were removed too (1).").await;
    let store = &app.ctx.store;
    assert!(store.channel(ChatId(GROUP), "xhs").await.unwrap().is_none());
    let old = store
        .channel_including_removed(ChatId(GROUP), "xhs")
        .await
        .unwrap()
        .expect("the removed row stays");
    assert!(old.removed_at.is_some());
    assert_eq!(old.monthly_budget, 3_000_000);
    let goals = store.goals(ChatId(GROUP)).await.unwrap();
    assert_eq!(goals.len(), 1);
    assert_eq!(goals[0].metric, "gmv");

    let again = app.reply(GROUP, ALICE, "/channel add xhs test 5000").await;
    assert_contains(&again, "✅ Added <b>xhs</b>: test, ¥5,000.00 a month.").await;
    let dup = app.reply(GROUP, ALICE, "/channel add xhs core 1").await;
    assert_contains(
        &dup,
        "There is already a channel <b>xhs</b> (test, ¥5,000.00 a month)",
    )
    .await;
    let store = &app.ctx.store;
    let live = store
        .channel_including_removed(ChatId(GROUP), "xhs")
        .await
        .unwrap()
        .unwrap();
    assert_ne!(live.id, old.id);
    assert_eq!(live.removed_at, None);
    app.stop().await.cleanup().await;
}

async fn the_plan_fits_one_message_with_twenty_channels(db: TestDb) {
    let mut app = TestApp::spawn(db).await;
    for i in 0..20 {
        let tier = match i {
            0..=2 => "core",
            3..=8 => "test",
            _ => "reserve",
        };
        app.reply(
            GROUP,
            ALICE,
            &format!("/channel add channel_number_{i:02} {tier} 123456.78"),
        )
        .await;
        app.reply(
            GROUP,
            ALICE,
            &format!("/channel owner channel_number_{i:02} @someone_with_a_long_name_{i}"),
        )
        .await;
    }
    for metric in ["gmv 50万", "orders 3000", "new 800", "spend 20万"] {
        app.reply(GROUP, ALICE, &format!("/goal {metric}")).await;
    }
    for i in 0..20 {
        for goal in ["ctr >= 2.5%", "cpc <= 1.25", "cvr >= 1.8%", "roi >= 3"] {
            app.reply(
                GROUP,
                ALICE,
                &format!("/goal {goal} #channel_number_{i:02}"),
            )
            .await;
        }
    }
    for who in [ALICE, WANG] {
        let sent = app.say(GROUP, who, "/plan").await;
        assert_eq!(sent.len(), 1, "one message");
        let text = &sent[0].text;
        assert!(text.encode_utf16().count() < 4096, "{} chars", text.len());
        assert_contains(text, "<b>channel_number_19</b>").await;
        assert_contains(text, "Weekly review").await;
        // 84 goals do not fit next to 20 channels: /plan points to /goals instead.
        assert_contains(text, "84 goals: see /goals").await;
    }
    let goals = app.say(GROUP, ALICE, "/goals").await;
    let lines: usize = goals
        .iter()
        .map(|m| m.text.lines().filter(|l| l.starts_with("• ")).count())
        .sum();
    assert_eq!(lines, 84, "/goals lists every goal");
    assert!(goals.iter().all(|m| m.text.encode_utf16().count() <= 4096));
    app.reply(GROUP, ALICE, "/lang zh").await;
    let sent = app.say(GROUP, WANG, "/plan").await;
    assert_eq!(sent.len(), 1);
    assert!(sent[0].text.encode_utf16().count() < 4096);
    assert_contains(&sent[0].text, "共 84 个目标：见 /goals").await;
    app.stop().await.cleanup().await;
}

/// Bug (issue 12): with no new-customer numbers `/metrics` showed 0.00% for a `new` goal while
/// `/goals` said "no data yet"; both now read `Goal::progress`.
async fn a_goal_without_its_numbers_has_no_data_everywhere(db: TestDb) {
    let mut app = TestApp::spawn(db).await;
    app.reply(GROUP, ALICE, "/channel add xhs core 30000").await;
    app.reply(GROUP, ALICE, "/goal new 500 month").await;
    app.reply(GROUP, ALICE, "/goal gmv 50万 month").await;
    // Numbers, but new customers never reported.
    app.reply(
        GROUP,
        ALICE,
        "/checkin xhs spend=1000 impressions=50000 clicks=1500 orders=45 gmv=9000",
    )
    .await;
    let goals = app.reply(GROUP, ALICE, "/goals").await;
    assert_contains(&goals, "new customers 500 a month (").await;
    assert_contains(&goals, "a day) — no data yet").await;
    let metrics = app.reply(GROUP, ALICE, "/metrics").await;
    assert_contains(
        &metrics,
        "New customers (team, this month): — of 500 — no data yet",
    )
    .await;
    assert!(!metrics.contains("of 500 — 0.00%"), "{metrics}");
    // GMV was reported: the same progress in both.
    assert_contains(&goals, "¥9,000.00 so far, 1.80% of the goal").await;
    assert_contains(&metrics, "¥9,000.00 of ¥500,000.00 — 1.80%").await;
}
