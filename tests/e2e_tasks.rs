//! Tasks and deadline pings through the emulator, with the injected clock: each mark once,
//! nothing stale, nothing doubled across restarts or two instances.

mod common;

use campaign_bot::domain::ids::{ChatId, UserId};
use std::collections::HashMap;

use campaign_bot::bot::AppContext;
use campaign_bot::console::emulator::SendOpts;
use campaign_bot::domain::jobs::JobState;
use campaign_bot::domain::schedule::{DAY, HOUR};
use campaign_bot::domain::tasks::TaskStatus;
use campaign_bot::scheduler::{Scheduler, plan_task_jobs};
use campaign_bot::storage::{CLAIM_LEASE_SECS, NewTask, NewTeam, Store};
use common::{ALICE, BOB, GROUP, T0, TestApp, TestDb, WANG};

async fn app() -> TestApp {
    let mut app = TestApp::spawn(TestDb::sqlite().await).await;
    // Bob writes once, so @bob resolves to him.
    app.say(GROUP, BOB, "hello").await;
    app
}

fn texts(sent: &[campaign_bot::console::emulator::SentMessage]) -> Vec<String> {
    sent.iter().map(|m| m.text.clone()).collect()
}

#[tokio::test]
async fn pings_fire_at_each_mark_once_and_the_creator_joins_on_day_two() {
    let mut app = app().await;
    let created = app
        .reply(
            GROUP,
            ALICE,
            "/task @bob Publish 3 notes due +3d | 3 notes live",
        )
        .await;
    assert!(
        created.contains("<b>#1</b>") && created.contains("tg://user?id=502"),
        "{created}"
    );
    let due = T0 + 3 * DAY;
    assert!(app.tick().await.is_empty());
    assert!(
        app.advance(2 * DAY - 1).await.is_empty(),
        "nothing before the 24 h mark"
    );
    let p24 = app.advance(1).await;
    assert_eq!(p24.len(), 1);
    assert!(
        p24[0].text.contains("due in 24 hours") && p24[0].text.contains("tg://user?id=502"),
        "{}",
        p24[0].text
    );
    assert_eq!(
        p24[0].callback_data(),
        vec!["t:done:1", "t:snooze:1", "t:block:1"]
    );
    assert!(app.tick().await.is_empty(), "a ping is sent once");
    app.clock.set(due - HOUR);
    assert!(texts(&app.tick().await)[0].contains("due in 1 hour"));
    app.clock.set(due);
    assert!(texts(&app.tick().await)[0].contains("due now"));
    let day1 = app.advance(DAY).await;
    assert!(
        day1[0].text.contains("overdue by 1 day") && !day1[0].text.contains("cc "),
        "{}",
        day1[0].text
    );
    let day2 = app.advance(DAY).await;
    assert!(
        day2[0].text.contains("overdue by 2 day") && day2[0].text.contains("tg://user?id=501"),
        "{}",
        day2[0].text
    );
    assert!(app.tick().await.is_empty());
    app.stop().await.cleanup().await;
}

#[tokio::test]
async fn marks_already_past_are_skipped() {
    let mut app = app().await;
    app.reply(GROUP, ALICE, "/task @bob Quick fix due +30m")
        .await;
    let sent = app.advance(30 * 60).await;
    assert_eq!(texts(&sent).len(), 1);
    assert!(sent[0].text.contains("due now"), "{}", sent[0].text);
    app.stop().await.cleanup().await;
}

#[tokio::test]
async fn done_and_cancelled_tasks_get_no_pings() {
    let mut app = app().await;
    app.reply(GROUP, ALICE, "/task @bob One due +2d").await;
    app.reply(GROUP, ALICE, "/task @bob Two due +2d").await;
    assert!(
        app.reply(GROUP, BOB, "/done 1 published")
            .await
            .contains("done")
    );
    assert!(
        app.reply(GROUP, ALICE, "/cancel 2")
            .await
            .contains("cancelled")
    );
    assert!(app.advance(5 * DAY).await.is_empty());
    let again = app.reply(GROUP, BOB, "/done 1").await;
    assert!(again.contains("already"), "{again}");
    app.stop().await.cleanup().await;
}

#[tokio::test]
async fn a_new_deadline_replaces_the_schedule_and_counts_a_slip() {
    let mut app = app().await;
    app.reply(GROUP, ALICE, "/task @bob Report due +3d").await;
    let moved = app.reply(GROUP, BOB, "/due 1 +5d").await;
    assert!(moved.contains("slipped 1×"), "{moved}");
    assert!(
        app.advance(2 * DAY).await.is_empty(),
        "the old 24 h mark is stale"
    );
    let sent = app.advance(2 * DAY).await;
    assert_eq!(sent.len(), 1);
    assert!(sent[0].text.contains("due in 24 hours"));
    let detail = app.reply(GROUP, BOB, "/task 1").await;
    assert!(
        detail.contains("Slipped 1×") && detail.contains("moved the deadline"),
        "{detail}"
    );
    app.stop().await.cleanup().await;
}

#[tokio::test]
async fn only_owner_creator_or_admin_may_change_a_task() {
    let mut app = app().await;
    app.reply(GROUP, BOB, "/task @bob Mine due +2d").await;
    let refused = app.reply(GROUP, WANG, "/done 1").await;
    assert!(
        refused.contains("只有") || refused.contains("Only"),
        "{refused}"
    );
    assert_eq!(
        app.ctx
            .store
            .task(ChatId(GROUP), 1)
            .await
            .unwrap()
            .unwrap()
            .status,
        TaskStatus::Open
    );
    assert!(
        app.reply(GROUP, ALICE, "/block 1 waiting for design")
            .await
            .contains("blocked")
    );
    assert!(
        app.reply(GROUP, BOB, "/unblock 1")
            .await
            .contains("unblocked")
    );
    let reassigned = app.reply(GROUP, ALICE, "/reassign 1 @wang").await;
    assert!(reassigned.contains("tg://user?id=503"), "{reassigned}");
    app.stop().await.cleanup().await;
}

#[tokio::test]
async fn ping_buttons_act_with_the_same_permissions() {
    let mut app = app().await;
    app.reply(GROUP, ALICE, "/task @bob Publish due +2d").await;
    let ping = app.advance(DAY).await.remove(0);
    app.emulator
        .press_button(GROUP, WANG, ping.message_id, "t:done:1");
    app.wait_handled().await;
    assert_eq!(
        app.ctx
            .store
            .task(ChatId(GROUP), 1)
            .await
            .unwrap()
            .unwrap()
            .status,
        TaskStatus::Open,
        "a stranger's press changes nothing"
    );
    assert!(
        app.emulator
            .callback_answers()
            .last()
            .unwrap()
            .1
            .as_deref()
            .unwrap_or("")
            .contains("Only")
    );

    app.emulator
        .press_button(GROUP, BOB, ping.message_id, "t:snooze:1");
    app.wait_handled().await;
    let task = app.ctx.store.task(ChatId(GROUP), 1).await.unwrap().unwrap();
    assert_eq!(task.due_at, T0 + 3 * DAY);
    let edited = app.emulator.message(GROUP, ping.message_id).unwrap();
    assert!(
        edited.text.contains("Moved to") && edited.reply_markup.is_none(),
        "{edited:?}"
    );

    let ping2 = app.advance(DAY).await.remove(0);
    assert!(
        ping2.text.contains("24 hours"),
        "the snoozed deadline has its own pings"
    );
    app.emulator
        .press_button(GROUP, BOB, ping2.message_id, "t:done:1");
    app.wait_handled().await;
    assert_eq!(
        app.ctx
            .store
            .task(ChatId(GROUP), 1)
            .await
            .unwrap()
            .unwrap()
            .status,
        TaskStatus::Done
    );
    assert!(app.advance(3 * DAY).await.is_empty());
    app.stop().await.cleanup().await;
}

/// Bug: an unrecognised action in a ping button's data used to be treated as "blocked". A
/// button this version did not make changes nothing and says so.
#[tokio::test]
async fn an_unknown_ping_button_changes_nothing() {
    let mut app = app().await;
    app.reply(GROUP, ALICE, "/task @bob Publish due +2d").await;
    let ping = app.advance(DAY).await.remove(0);
    for data in ["t:zap:1", "t:block", "x:done:1"] {
        app.emulator.press_button(GROUP, BOB, ping.message_id, data);
        app.wait_handled().await;
        let task = app.ctx.store.task(ChatId(GROUP), 1).await.unwrap().unwrap();
        assert_eq!(task.status, TaskStatus::Open, "{data}");
        assert_eq!(task.blocked_reason, None, "{data}");
        assert_eq!(
            app.ctx.store.task_events(task.id).await.unwrap().len(),
            1,
            "{data}: only the created entry"
        );
        let answer = app.emulator.callback_answers().last().unwrap().1.clone();
        assert!(
            answer.unwrap_or_default().contains("no longer works"),
            "{data}"
        );
    }
    let ping_now = app.emulator.message(GROUP, ping.message_id).unwrap();
    assert!(
        ping_now.reply_markup.is_some(),
        "the ping keeps its buttons"
    );
    app.stop().await.cleanup().await;
}

/// Bug: moving a deadline to the time it already had dropped the pending pings and then
/// could not plan them again (same occurrence key), so the task was never pinged.
#[tokio::test]
async fn a_deadline_moved_to_the_same_time_keeps_its_pings() {
    let mut app = app().await;
    app.reply(GROUP, ALICE, "/task @bob Report due +3d").await;
    let moved = app.reply(GROUP, BOB, "/due 1 +3d").await;
    assert!(moved.contains("slipped 1×"), "{moved}");
    let sent = app.advance(2 * DAY).await;
    assert_eq!(sent.len(), 1, "{:?}", texts(&sent));
    assert!(sent[0].text.contains("due in 24 hours"));
    app.stop().await.cleanup().await;
}

#[tokio::test]
async fn malformed_tasks_are_refused_and_nothing_is_stored() {
    let mut app = app().await;
    let long = format!("/task @bob {} due tomorrow", "x".repeat(5000));
    let cases: [(&str, &str); 7] = [
        ("/task Publish notes due fri", "Who owns"),
        ("/task @bob Publish notes", "When is it due"),
        ("/task @bob Publish due 2020-01-01", "in the past"),
        ("/task @bob Publish due fri #nope", "no channel"),
        (&long, "5000 characters"),
        (
            "/task @bob <script>alert(1)</script> due fri",
            "&lt;script&gt;",
        ),
        ("/task @bob Publish due someday", "couldn't read the time"),
    ];
    for (input, expected) in cases {
        let reply = app.reply(GROUP, ALICE, input).await;
        assert!(reply.contains(expected), "{input:.60} → {reply}");
        assert!(reply.len() < 4096);
    }
    let stored = app.ctx.store.open_tasks(ChatId(GROUP)).await.unwrap();
    assert!(stored.is_empty(), "nothing stored: {stored:?}");
    assert!(
        app.ctx.store.next_fire_at().await.unwrap().is_none(),
        "nothing scheduled"
    );
    app.stop().await.cleanup().await;
}

#[tokio::test]
async fn owner_from_a_reply_and_the_overload_warning() {
    let mut app = app().await;
    let before = app.emulator.sent_count();
    let bob_msg = app.emulator.sent_count() as i64; // any id: the emulator links replies by id
    let _ = bob_msg;
    for i in 0..3 {
        app.reply(
            GROUP,
            ALICE,
            &format!("/task @bob Task {i} due +{}h", 10 + i),
        )
        .await;
    }
    let warned = app.reply(GROUP, ALICE, "/task @bob Fourth due +20h").await;
    assert!(warned.contains("already has 3 tasks"), "{warned}");
    // Reply to Wang's message: Wang owns it.
    let hello = app.emulator.send_text(GROUP, WANG, "我来做");
    app.wait_handled().await;
    let _ = hello;
    let opts = SendOpts {
        reply_to_message_id: Some(1),
        ..Default::default()
    };
    app.emulator
        .send_text_opts(GROUP, ALICE, "/task 做海报 截止 明天", opts);
    app.wait_handled().await;
    let sent = app.emulator.sent_since(before);
    assert!(
        sent.last().unwrap().text.contains("#5"),
        "{:?}",
        sent.last()
    );
    app.stop().await.cleanup().await;
}

#[tokio::test]
async fn a_recurring_task_opens_its_next_occurrence() {
    let mut app = app().await;
    app.reply(
        GROUP,
        ALICE,
        "/task @bob Weekly report due fri 18:00 every week",
    )
    .await;
    let done = app.reply(GROUP, BOB, "/done 1").await;
    assert!(done.contains("<b>#2</b>"), "{done}");
    let first = app.ctx.store.task(ChatId(GROUP), 1).await.unwrap().unwrap();
    let second = app.ctx.store.task(ChatId(GROUP), 2).await.unwrap().unwrap();
    assert_eq!(second.due_at - first.due_at, 7 * DAY);
    // Its period ending later does not open a third one for the same week.
    app.advance(12 * DAY).await;
    let tasks = app.ctx.store.open_tasks(ChatId(GROUP)).await.unwrap();
    assert_eq!(
        tasks.len(),
        2,
        "#2 (overdue) and #3 (opened when #2's period ended)"
    );
    app.stop().await.cleanup().await;
}

#[tokio::test]
async fn weekly_task_in_new_york_keeps_local_time_across_2026_dst_changes() {
    use chrono::{TimeZone, Timelike};
    let mut app = app().await;
    app.clock.set(
        chrono_tz::America::New_York
            .with_ymd_and_hms(2026, 2, 23, 8, 0, 0)
            .unwrap()
            .timestamp(),
    );
    app.reply(GROUP, ALICE, "/timezone America/New_York").await;
    app.reply(
        GROUP,
        ALICE,
        "/task @bob Weekly sync due 2026-03-02 09:00 every week",
    )
    .await;
    let ny = chrono_tz::America::New_York;
    let mut number = 1;
    for _ in 0..40 {
        let task = app
            .ctx
            .store
            .task(ChatId(GROUP), number)
            .await
            .unwrap()
            .unwrap();
        app.clock.set(task.due_at);
        let sent = app.tick().await;
        let due_ping = sent
            .iter()
            .find(|m| m.text.contains(&format!("#{number}</b>")) && m.text.contains("due now"));
        assert!(
            due_ping.is_some(),
            "no due ping for #{number}: {:?}",
            texts(&sent)
        );
        assert_eq!(
            ny.timestamp_opt(task.due_at, 0).unwrap().hour(),
            9,
            "#{number}"
        );
        app.reply(GROUP, BOB, &format!("/done {number}")).await;
        number += 1;
    }
    let last = app
        .ctx
        .store
        .task(ChatId(GROUP), number - 1)
        .await
        .unwrap()
        .unwrap();
    assert!(
        last.due_at
            > ny.with_ymd_and_hms(2026, 11, 2, 0, 0, 0)
                .unwrap()
                .timestamp(),
        "spans both changes"
    );
    app.stop().await.cleanup().await;
}

#[tokio::test]
async fn quiet_hours_hold_pings_until_the_window_ends() {
    let mut app = app().await;
    // T0 is 17:00 in Shanghai; due at 23:30 → the 1 h mark (22:30) falls in 22:00–08:00.
    app.reply(GROUP, ALICE, "/quiet 22:00-08:00").await;
    app.reply(GROUP, ALICE, "/task @bob Night launch due today 23:30")
        .await;
    assert!(
        app.advance(5 * HOUR + 30 * 60).await.is_empty(),
        "22:30 is quiet"
    );
    assert!(
        app.advance(9 * HOUR).await.is_empty(),
        "07:30 is still quiet"
    );
    let sent = app.advance(30 * 60).await;
    assert_eq!(
        sent.len(),
        1,
        "only the newest mark is worth sending: {:?}",
        texts(&sent)
    );
    assert!(sent[0].text.contains("due now"), "{}", sent[0].text);
    app.stop().await.cleanup().await;
}

#[tokio::test]
async fn a_crash_between_claim_and_send_sends_once_late() {
    let mut app = app().await;
    app.reply(GROUP, ALICE, "/task @bob Publish due +2d").await;
    app.clock.advance(DAY);
    // Another worker claims the ping and dies before sending it.
    let claimed = app
        .ctx
        .store
        .claim_due_jobs("dead-worker", app.clock_now(), 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    assert!(app.tick().await.is_empty(), "a live claim is respected");
    let late = app.advance(CLAIM_LEASE_SECS + 1).await;
    assert_eq!(late.len(), 1);
    assert!(
        late[0].text.contains("Late") && late[0].text.contains("24 hours"),
        "{}",
        late[0].text
    );
    assert!(app.advance(60).await.is_empty());
    app.stop().await.cleanup().await;
}

#[tokio::test]
async fn a_restart_after_recording_sends_nothing_again() {
    let mut app = app().await;
    app.reply(GROUP, ALICE, "/task @bob Publish due +2d").await;
    assert_eq!(app.advance(DAY).await.len(), 1);
    // A new process: new bot, new scheduler, same database and Telegram.
    let ctx = AppContext::new(
        app.ctx.store.clone(),
        app.ctx.clock.clone(),
        app.ctx.settings.clone(),
    );
    let restarted = Scheduler::new(ctx.service.clone(), app.another_bot());
    assert_eq!(restarted.tick().await.unwrap(), 0);
    assert_eq!(app.tick().await.len(), 0);
    // After downtime past two marks, only the newest is sent, once, marked late.
    app.clock.advance(DAY + HOUR);
    let ctx = AppContext::new(
        app.ctx.store.clone(),
        app.ctx.clock.clone(),
        app.ctx.settings.clone(),
    );
    let before = app.emulator.sent_count();
    Scheduler::new(ctx.service.clone(), app.another_bot())
        .tick()
        .await
        .unwrap();
    let sent = app.emulator.sent_since(before);
    assert_eq!(sent.len(), 1, "{:?}", texts(&sent));
    assert!(
        sent[0].text.contains("Late") && sent[0].text.contains("due now"),
        "{}",
        sent[0].text
    );
    app.stop().await.cleanup().await;
}

/// 1,000 pings due at once in 40 teams, two instances claiming concurrently: each sent once.
async fn two_instances_send_each_ping_once(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let store = &app.ctx.store;
    let chats: Vec<i64> = (0..40).map(|i| -500_000 - i).collect();
    for chat in &chats {
        app.emulator.add_chat(
            *chat,
            campaign_bot::console::emulator::ChatKind::Supergroup,
            "team",
        );
        let team = NewTeam {
            chat_id: ChatId(*chat),
            title: "team",
            detected_lang: Some("en"),
            tz: "Asia/Shanghai",
        };
        store.ensure_team(&team, T0).await.unwrap();
    }
    let started = std::time::Instant::now();
    for i in 0..1000 {
        let new = NewTask {
            chat_id: ChatId(chats[i as usize % chats.len()]),
            title: format!("task {i}"),
            done_when: None,
            owner_id: Some(UserId(BOB)),
            owner_username: None,
            creator_id: UserId(ALICE),
            channel: None,
            due_at: T0 + 2 * DAY + i,
            recur: None,
            series_id: None,
            source_message: None,
        };
        let task = store.create_task(&new, T0).await.unwrap();
        plan_task_jobs(&app.ctx, &task).await.unwrap();
    }
    eprintln!("created 1000 tasks in {:?}", started.elapsed());
    app.clock.set(T0 + DAY + 1000);
    let second_store = Store::connect(&app.db.url).await.unwrap();
    let other = AppContext::new(
        second_store,
        app.ctx.clock.clone(),
        app.ctx.settings.clone(),
    );
    let a = Scheduler::new(app.ctx.service.clone(), app.another_bot());
    let b = Scheduler::new(other.service.clone(), app.another_bot());
    let started = std::time::Instant::now();
    let (na, nb) = tokio::join!(a.tick(), b.tick());
    eprintln!("sent 1000 pings in {:?}", started.elapsed());
    let (na, nb) = (na.unwrap(), nb.unwrap());
    assert_eq!(na + nb, 1000, "a: {na}, b: {nb}");
    let mut per_task: HashMap<(i64, String), usize> = HashMap::new();
    for m in app.emulator.sent() {
        let number = m
            .text
            .split("<b>#")
            .nth(1)
            .and_then(|s| s.split("</b>").next())
            .unwrap()
            .to_string();
        *per_task.entry((m.chat_id, number)).or_default() += 1;
    }
    assert_eq!(per_task.len(), 1000);
    assert!(per_task.values().all(|n| *n == 1));
    assert_eq!(store.count_jobs(JobState::Sent).await.unwrap(), 1000);
    app.stop().await.cleanup().await;
}

#[tokio::test]
async fn two_instances_on_postgres_send_each_ping_once() {
    let Some(db) = TestDb::postgres("two_instances").await else {
        return;
    };
    two_instances_send_each_ping_once(db).await;
}

#[tokio::test]
async fn two_instances_on_sqlite_send_each_ping_once() {
    two_instances_send_each_ping_once(TestDb::sqlite().await).await;
}

#[tokio::test]
async fn tasks_lists_group_by_owner_with_overdue_first_and_mytasks_spans_teams() {
    let mut app = app().await;
    app.reply(GROUP, ALICE, "/task @bob Later due +3d").await;
    app.reply(GROUP, ALICE, "/task @bob Sooner due +2h").await;
    app.reply(GROUP, ALICE, "/task @wang 海报 due +1d").await;
    app.advance(3 * HOUR).await;
    let list = app.reply(GROUP, ALICE, "/tasks").await;
    let sooner = list.find("Sooner").unwrap();
    assert!(
        sooner < list.find("Later").unwrap() && list.contains("🔴") && list.contains("h overdue"),
        "{list}"
    );
    let overdue = app.reply(GROUP, ALICE, "/tasks overdue").await;
    assert!(
        overdue.contains("Sooner") && !overdue.contains("Later"),
        "{overdue}"
    );
    let mine = app.reply(BOB, BOB, "/mytasks").await;
    assert!(
        mine.contains("Sooner") && mine.contains("Later") && !mine.contains("海报"),
        "{mine}"
    );
    let bad = app.reply(GROUP, ALICE, "/tasks sideways").await;
    assert!(bad.contains("sideways"), "{bad}");
    app.stop().await.cleanup().await;
}

#[tokio::test]
async fn the_scheduler_loop_wakes_when_the_clock_reaches_a_mark() {
    use campaign_bot::scheduler::SchedulerHandle;
    use std::time::Duration;
    let mut app = app().await;
    let handle = SchedulerHandle::spawn(Scheduler::new(app.ctx.service.clone(), app.another_bot()));
    app.reply(GROUP, ALICE, "/task @bob Publish due +2d").await;
    let before = app.emulator.sent_count();
    // The loop is asleep until the 24 h mark (a day away); moving the clock wakes it.
    app.clock.advance(DAY);
    let fired = app
        .emulator
        .wait_for(Duration::from_secs(10), |e| e.sent_count() > before)
        .await;
    assert!(
        fired,
        "the loop did not fire the ping after the clock moved"
    );
    assert!(app.emulator.sent_since(before)[0].text.contains("24 hours"));
    handle.stop().await;
    app.stop().await.cleanup().await;
}

#[tokio::test]
async fn a_long_task_list_is_one_message_with_a_pointer_to_the_rest() {
    let mut app = app().await;
    let store = &app.ctx.store;
    for i in 0..80 {
        let new = NewTask {
            chat_id: ChatId(GROUP),
            title: format!(
                "{i:02} {}",
                "Publish the long-form seeding note & <tags> ".repeat(4)
            ),
            done_when: None,
            owner_id: Some(if i % 2 == 0 {
                UserId(BOB)
            } else {
                UserId(WANG)
            }),
            owner_username: None,
            creator_id: UserId(ALICE),
            channel: None,
            due_at: T0 + DAY + i,
            recur: None,
            series_id: None,
            source_message: None,
        };
        store.create_task(&new, T0).await.unwrap();
    }
    let list = app.reply(GROUP, ALICE, "/tasks").await;
    assert!(list.encode_utf16().count() <= 4096);
    assert!(
        list.contains("Tasks</b> (80)") && list.contains("more. Narrow the list"),
        "{list}"
    );
    assert!(list.contains("&lt;tags&gt;"));
    let mine = app.reply(GROUP, BOB, "/tasks mine").await;
    assert!(mine.contains("(40)"), "{mine}");
    app.stop().await.cleanup().await;
}
