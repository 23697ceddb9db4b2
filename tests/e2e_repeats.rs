//! No repeats (issue 15) through the scheduler's real send path: the agenda and the summary
//! remember what they showed (with the job's "sent" mark); a week later a cause still there
//! and no worse is listed "open since" the day it was first shown, and the causes gone since
//! get one "resolved" line. Asia/Shanghai, review on Fridays at 17:00.

#[macro_use]
mod common;

use campaign_bot::domain::ids::{ChatId, UserId};
use campaign_bot::storage::{NewCheckin, NewGoal, NewTask};
use common::{ALICE, BOB, GROUP, T0, TestApp, WANG};

e2e!(a_cause_still_open_a_week_later_is_marked_and_a_fixed_one_resolved);

const HOUR: i64 = 3600;
const DAY: i64 = 86_400;
/// Friday 2026-11-06 17:00 in Shanghai (T0 is Monday 17:00 there).
const FRIDAY_17: i64 = T0 + 4 * DAY;

/// Day `n` days after Monday 2026-11-02, as a check-in key.
fn day(n: i64) -> String {
    let d = chrono::NaiveDate::from_ymd_opt(2026, 11, 2).expect("date") + chrono::Duration::days(n);
    d.format("%Y-%m-%d").to_string()
}

fn row<'a>(channel: &'a str, day: &'a str, clicks: i64, orders: i64) -> NewCheckin<'a> {
    NewCheckin {
        chat_id: ChatId(GROUP),
        channel,
        day,
        creative: "",
        spend: Some(200_000),
        impressions: Some(40_000),
        clicks: Some(clicks),
        orders: Some(orders),
        gmv: Some(orders * 20_000),
        leads: None,
        new_customers: None,
        interactions: None,
        author_id: Some(UserId(BOB)),
    }
}

/// taobao converts at 5% until 10-30 and at 2% from 10-31 on (below the 4% goal both review
/// weeks); wechat has no numbers until 11-07, then every day; bob has a task overdue since
/// Tuesday.
async fn setup(app: &mut TestApp) {
    for who in [ALICE, BOB, WANG] {
        assert!(app.say(GROUP, who, "hello").await.is_empty());
    }
    app.reply(GROUP, ALICE, "/timezone Asia/Shanghai").await;
    let store = app.ctx.store.clone();
    for (name, tier, owner, uname) in [
        ("taobao", "core", BOB, "bob"),
        ("wechat", "reserve", ALICE, "alice"),
    ] {
        let c = store
            .add_channel(
                ChatId(GROUP),
                name,
                campaign_bot::domain::playbook::Tier::from_stored(tier),
                3_000_000,
                T0,
            )
            .await
            .expect("channel");
        store
            .set_channel_owner(c.id, Some(UserId(owner)), Some(uname), T0)
            .await
            .expect("owner");
    }
    store
        .set_goal(
            &NewGoal {
                chat_id: ChatId(GROUP),
                metric: "cvr",
                channel: "",
                direction: "at_least",
                period: "",
                value: 40_000,
            },
            T0,
        )
        .await
        .expect("goal");
    let days: Vec<(i64, String)> = (-10..=11).map(|n| (n, day(n))).collect();
    let mut rows = Vec::new();
    for (n, d) in &days {
        rows.push(row("taobao", d, 1_000, if *n <= -3 { 50 } else { 20 }));
        if *n >= 5 {
            rows.push(row("wechat", d, 1_000, 50));
        }
    }
    store.import_checkins(&rows, T0).await.expect("import");
    store
        .create_task(
            &NewTask {
                chat_id: ChatId(GROUP),
                title: "Fix the taobao detail page".into(),
                done_when: None,
                owner_id: Some(UserId(BOB)),
                owner_username: Some("bob".into()),
                creator_id: UserId(ALICE),
                channel: None,
                due_at: T0 + DAY,
                recur: None,
                series_id: None,
                source_message: None,
            },
            T0,
        )
        .await
        .expect("task");
}

fn plain(sent: &[campaign_bot::console::emulator::SentMessage]) -> String {
    sent.iter()
        .map(|m| m.plain_text())
        .collect::<Vec<_>>()
        .join("\n")
}

async fn a_cause_still_open_a_week_later_is_marked_and_a_fixed_one_resolved(mut app: TestApp) {
    setup(&mut app).await;
    app.reply(GROUP, ALICE, "/review fri 17:00").await;
    // Friday 11-06 16:00: the first agenda; everything is new.
    let agenda = plain(&app.advance(FRIDAY_17 - HOUR - T0).await);
    assert!(agenda.contains("Weekly review in one hour"), "{agenda}");
    assert!(agenda.contains("#taobao · CVR"), "{agenda}");
    assert!(
        agenda.contains("#wechat: no numbers for 4 days"),
        "{agenda}"
    );
    assert!(!agenda.contains("open since"), "{agenda}");
    assert!(!agenda.contains("Resolved"), "{agenda}");
    // 17:00: the summary an hour later shows the same causes, first seen today: still new.
    let summary = plain(&app.advance(HOUR).await);
    assert!(summary.contains("Weekly summary"), "{summary}");
    assert!(summary.contains("#taobao · CVR"), "{summary}");
    assert!(!summary.contains("open since"), "{summary}");
    assert!(!summary.contains("Resolved"), "{summary}");
    // `/bottlenecks` on Monday: taobao's CVR and bob's tasks are open since Friday; wechat
    // checks in again, so its gap is resolved. Asking changes nothing remembered.
    app.advance(3 * DAY).await;
    let asked = plain(&app.say(GROUP, BOB, "/bottlenecks").await);
    assert!(
        asked.contains("open since 11-06"),
        "taobao's CVR is still open: {asked}"
    );
    assert!(
        asked.contains("✅ Resolved since the last summary: #wechat (no numbers)"),
        "{asked}"
    );
    assert_eq!(asked, plain(&app.say(GROUP, BOB, "/bottlenecks").await));
    // Friday 11-13 16:00: the next agenda.
    let agenda = plain(&app.advance(4 * DAY - HOUR).await);
    assert!(agenda.contains("Weekly review in one hour"), "{agenda}");
    let cvr_line = agenda
        .lines()
        .find(|l| l.contains("#taobao · CVR"))
        .unwrap_or_default();
    assert!(cvr_line.contains("· open since 11-06"), "{agenda}");
    let bob_line = agenda
        .lines()
        .find(|l| l.contains("bob:") && l.contains("overdue task"))
        .unwrap_or_default();
    assert!(bob_line.contains("· open since 11-06"), "{agenda}");
    assert!(
        agenda.contains("✅ Resolved since the last summary: #wechat (no numbers)"),
        "{agenda}"
    );
    assert!(!agenda.contains("#wechat: no numbers"), "{agenda}");
    // 17:00: the summary compares with the agenda an hour ago: the same open causes, keeping
    // their first day; nothing resolved in the hour.
    let summary = plain(&app.advance(HOUR).await);
    assert!(summary.contains("Weekly summary"), "{summary}");
    let cvr_line = summary
        .lines()
        .find(|l| l.contains("#taobao · CVR"))
        .unwrap_or_default();
    assert!(cvr_line.contains("· open since 11-06"), "{summary}");
    assert!(!summary.contains("Resolved"), "{summary}");
    let db = app.stop().await;
    db.cleanup().await;
}
