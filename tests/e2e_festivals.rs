//! `/festival add|remove` and `/festivals` through the emulator (issue 15): admins change the
//! team's festivals, everyone sees them with the built-in ones in the team's language; bad
//! input gets a clear reply and changes nothing. That a team festival steps the week-over-week
//! comparison around is in `tests/judgement.rs` (scenario `team_festival`).

#[macro_use]
mod common;

use campaign_bot::domain::ids::ChatId;
use campaign_bot::domain::judgement::festivals::TeamFestival;
use chrono::NaiveDate;
use common::{ALICE, BOB, GROUP, TestApp};

e2e!(
    admins_add_and_remove_festivals_everyone_sees_them,
    bad_festival_input_is_refused_and_changes_nothing,
    festivals_are_listed_in_chinese,
);

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

async fn stored(app: &TestApp) -> Vec<TeamFestival> {
    app.ctx
        .store
        .team_festivals(ChatId(GROUP))
        .await
        .expect("festivals")
}

async fn greet(app: &mut TestApp) {
    for who in [ALICE, BOB] {
        assert!(app.say(GROUP, who, "hello").await.is_empty());
    }
}

/// T0 is Monday 2026-11-02.
async fn admins_add_and_remove_festivals_everyone_sees_them(mut app: TestApp) {
    greet(&mut app).await;
    let added = app
        .reply(GROUP, ALICE, "/festival add 2026-11-27 Black Friday")
        .await;
    assert!(
        added.contains("Added <b>Black Friday</b> on 2026-11-27 Fri"),
        "{added}"
    );
    // `11-27` is the nearest such day.
    let renamed = app.reply(GROUP, ALICE, "/festival add 11-27 黑五").await;
    assert!(
        renamed.contains("2026-11-27 Fri is now <b>黑五</b> (was Black Friday)"),
        "{renamed}"
    );
    assert_eq!(
        stored(&app).await,
        vec![TeamFestival {
            day: d(2026, 11, 27),
            name: "黑五".into()
        }]
    );
    // A member sees the list: the built-in festivals of the coming year, then the team's.
    let list = app.reply(GROUP, BOB, "/festivals").await;
    for part in [
        "Built-in festivals",
        "• 2026-11-11 Wed — 双11",
        "• 2026-12-12 Sat — 双12",
        "• 2027-01-17 Sun – 2027-01-29 Fri — 年货节",
        "• 2027-02-06 Sat — 春节",
        "• 2027-06-18 Fri — 618",
        "This team's festivals",
        "• 2026-11-27 Fri — 黑五",
    ] {
        assert!(list.contains(part), "missing {part:?} in:\n{list}");
    }
    // Past ones of this year are not listed.
    assert!(!list.contains("2026-06-18"), "{list}");
    // `/festival` alone lists them too, for anyone.
    assert_eq!(app.reply(GROUP, BOB, "/festival").await, list);
    // A member cannot change them.
    let refused = app.reply(GROUP, BOB, "/festival add 2026-11-28 Sale").await;
    assert!(
        refused.contains("Only the group's admins can change the festivals"),
        "{refused}"
    );
    let refused = app.reply(GROUP, BOB, "/festival remove 11-27").await;
    assert!(refused.contains("Only the group's admins"), "{refused}");
    assert_eq!(stored(&app).await.len(), 1);
    let removed = app.reply(GROUP, ALICE, "/festival remove 11-27").await;
    assert!(
        removed.contains("Removed <b>黑五</b> on 2026-11-27 Fri"),
        "{removed}"
    );
    assert!(stored(&app).await.is_empty());
    let list = app.reply(GROUP, BOB, "/festivals").await;
    assert!(
        list.contains("This team's festivals</b>\nNone yet."),
        "{list}"
    );
    let db = app.stop().await;
    db.cleanup().await;
}

async fn bad_festival_input_is_refused_and_changes_nothing(mut app: TestApp) {
    greet(&mut app).await;
    app.reply(GROUP, ALICE, "/festival add 2026-11-27 Black Friday")
        .await;
    let before = stored(&app).await;
    let long = "x".repeat(31);
    let cases = [
        ("/festival add", "Which day?"),
        ("/festival remove", "Which day?"),
        (
            "/festival add 13-45 Sale",
            "I couldn't read the date <code>13-45</code>",
        ),
        (
            "/festival add soon Sale",
            "I couldn't read the date <code>soon</code>",
        ),
        ("/festival add 11-28", "What is the festival called?"),
        (
            &format!("/festival add 11-28 {long}") as &str,
            "The name is too long: at most 30 characters.",
        ),
        (
            "/festival add 11-28 <b>Sale</b>",
            "The name <code>&lt;b&gt;Sale&lt;/b&gt;</code> can't hold",
        ),
        ("/festival add 11-28 A&B", "can't hold"),
        (
            "/festival party 11-28 x",
            "I didn't understand <code>party</code>",
        ),
        (
            "/festival remove 12-01",
            "This team has no festival on 2026-12-01 Tue; nothing changed.",
        ),
    ];
    for (input, want) in cases {
        let reply = app.reply(GROUP, ALICE, input).await;
        assert!(reply.contains(want), "{input}: {reply}");
        assert_eq!(stored(&app).await, before, "{input} changed the festivals");
    }
    let db = app.stop().await;
    db.cleanup().await;
}

async fn festivals_are_listed_in_chinese(mut app: TestApp) {
    greet(&mut app).await;
    app.reply(GROUP, ALICE, "/lang zh").await;
    let added = app.reply(GROUP, ALICE, "/festival 添加 11-27 黑五").await;
    assert!(
        added.contains("已添加 11月27日 周五 <b>黑五</b>"),
        "{added}"
    );
    let list = app.reply(GROUP, BOB, "/festivals").await;
    for part in [
        "内置节日",
        "• 11月11日 周三 — 双11",
        "• 1月17日 周日 – 1月29日 周五 — 年货节",
        "本团队的节日",
        "• 11月27日 周五 — 黑五",
    ] {
        assert!(list.contains(part), "missing {part:?} in:\n{list}");
    }
    let bad = app.reply(GROUP, ALICE, "/festival 添加 明年 大促").await;
    assert!(bad.contains("无法识别日期 <code>明年</code>"), "{bad}");
    let help = app.reply(GROUP, BOB, "/help festival").await;
    assert!(help.contains("/festival add"), "{help}");
    let db = app.stop().await;
    db.cleanup().await;
}
