//! Telegram misbehaving while the bot sends: 429 storms, 5xx bursts, dropped connections, slow
//! answers, and Telegram's 20-messages-a-minute group limit with the production limits. Each
//! scenario counts what arrived (sent, duplicates, lost, out of per-chat order) and prints one
//! `FAULTS …` line with the numbers that docs/RELIABILITY.md quotes.
//!
//! Pings are planned straight through the store (as in tests/e2e_tasks.rs) and sent by scheduler
//! ticks on the manual clock; only the network-level waits (Throttle's pauses, teloxide's 10 s
//! after a 5xx, the slow answers) take real time.

#[macro_use]
mod common;

use campaign_bot::domain::ids::{ChatId, UserId};
use std::collections::HashMap;
use std::time::{Duration, Instant};

use campaign_bot::app::{self, App};
use campaign_bot::bot::Ctx;
use campaign_bot::clock::{ManualClock, SharedClock};
use campaign_bot::console::emulator::{ChatKind, Emulator, Fault, SentMessage, UserSpec};
use campaign_bot::domain::jobs::JobState;
use campaign_bot::domain::schedule::DAY;
use campaign_bot::scheduler::{Scheduler, plan_task_jobs};
use campaign_bot::storage::{NewTask, NewTeam};
use common::{ALICE, BOB, T0, TestApp, TestDb};

/// Groups used by the ping waves (basic-group ids, so Throttle applies the group limits).
fn wave_chats(n: usize) -> Vec<i64> {
    (0..n as i64).map(|i| -600_000 - i).collect()
}

fn backend(url: &str) -> &'static str {
    if url.starts_with("postgres") {
        "postgres"
    } else {
        "sqlite"
    }
}

/// Plans `pings` deadline pings spread round-robin over `chats` groups: task i is titled
/// `ping-i`, due at T0 + 2 days + i s, so its 24-hour ping is due at T0 + 1 day + i s and the
/// 1-hour ping 23 hours later: with the clock at T0 + 1 day + `pings` s, all 24-hour pings are
/// due and nothing else is.
async fn plan_wave(emulator: &Emulator, ctx: &Ctx, chats: &[i64], pings: usize) {
    let store = &ctx.store;
    for chat in chats {
        emulator.add_chat(*chat, ChatKind::Group, "wave team");
        let team = NewTeam {
            chat_id: ChatId(*chat),
            title: "wave team",
            detected_lang: Some("en"),
            tz: "Asia/Shanghai",
        };
        store.ensure_team(&team, T0).await.expect("team");
    }
    let started = Instant::now();
    for i in 0..pings {
        let new = NewTask {
            chat_id: ChatId(chats[i % chats.len()]),
            title: format!("ping-{i}"),
            done_when: None,
            owner_id: Some(UserId(BOB)),
            owner_username: None,
            creator_id: UserId(ALICE),
            channel: None,
            due_at: T0 + 2 * DAY + i as i64,
            recur: None,
            series_id: None,
            source_message: None,
        };
        let task = store.create_task(&new, T0).await.expect("task");
        plan_task_jobs(ctx, &task).await.expect("plan");
    }
    eprintln!("planned {pings} pings in {:.1?}", started.elapsed());
}

/// Index `i` of the `ping-i` (or `cmd-i`) a message is about.
fn index_after(text: &str, prefix: &str) -> Option<usize> {
    let rest = &text[text.find(prefix)? + prefix.len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// What arrived, counted against what should have.
#[derive(Debug, Default, PartialEq, Eq)]
struct Tally {
    expected: usize,
    sent: usize,
    duplicates: usize,
    lost: usize,
    /// Messages that arrived after a later one for the same chat.
    out_of_order: usize,
    /// Messages in the wrong chat, or about no known item.
    misplaced: usize,
}

impl Tally {
    /// `chat_of(i)` is where item i belongs; items arrive in increasing i within a chat.
    fn count(
        sent: &[SentMessage],
        prefix: &str,
        expected: usize,
        chat_of: impl Fn(usize) -> i64,
    ) -> Tally {
        let mut copies: HashMap<usize, usize> = HashMap::new();
        let mut last_in_chat: HashMap<i64, usize> = HashMap::new();
        let mut tally = Tally {
            expected,
            ..Tally::default()
        };
        for m in sent {
            let Some(i) = index_after(&m.text, prefix).filter(|i| *i < expected) else {
                tally.misplaced += 1;
                continue;
            };
            if chat_of(i) != m.chat_id {
                tally.misplaced += 1;
                continue;
            }
            tally.sent += 1;
            *copies.entry(i).or_default() += 1;
            let last = last_in_chat.entry(m.chat_id).or_insert(i);
            if i < *last {
                tally.out_of_order += 1;
            } else {
                *last = i;
            }
        }
        tally.duplicates = copies.values().map(|n| n - 1).sum();
        tally.lost = expected - copies.len();
        tally
    }

    fn line(&self) -> String {
        format!(
            "{} expected, {} sent, {} duplicates, {} lost, {} out of per-chat order, {} misplaced",
            self.expected, self.sent, self.duplicates, self.lost, self.out_of_order, self.misplaced
        )
    }

    fn perfect(expected: usize) -> Tally {
        Tally {
            expected,
            sent: expected,
            ..Tally::default()
        }
    }
}

/// Ticks (advancing the manual clock past retry backoffs) until no job is pending or due.
async fn drain(app: &TestApp) -> usize {
    let mut rounds = 0;
    // Backoffs are 10 s, 20 s, 40 s …; eight rounds of 10 min cover far more than a burst needs.
    while app
        .ctx
        .store
        .count_jobs(JobState::Pending)
        .await
        .expect("count")
        > 0
        && rounds < 8
    {
        let due_soon = app
            .ctx
            .store
            .next_fire_at()
            .await
            .expect("next")
            .unwrap_or(0);
        if due_soon > app.clock_now() + 600 {
            break; // only the next marks (1 h before the deadlines) remain
        }
        app.clock.set(due_soon.max(app.clock_now()));
        app.scheduler.tick().await.expect("tick");
        rounds += 1;
    }
    rounds
}

// ---------------------------------------------------------------------------------------------
// 1. A 429 storm
// ---------------------------------------------------------------------------------------------

/// Sends `pings` pings in `chats` groups in one tick under a 429 fault and checks that each
/// arrives once, in order, and that at least `min_429` requests were refused.
async fn storm(
    app: &TestApp,
    what: &str,
    pings: usize,
    chats: usize,
    fault: Fault,
    min_429: usize,
) {
    let chat_ids = wave_chats(chats);
    plan_wave(&app.emulator, &app.ctx, &chat_ids, pings).await;
    app.clock.set(T0 + DAY + pings as i64);
    app.emulator.set_fault(fault);
    let started = Instant::now();
    app.scheduler.tick().await.expect("tick");
    let took = started.elapsed();
    app.emulator.set_fault(Fault::None);
    assert!(app.tick().await.is_empty(), "nothing left to send");

    let sent = app.emulator.sent();
    let tally = Tally::count(&sent, "ping-", pings, |i| chat_ids[i % chats]);
    let stats = app.emulator.fault_stats();
    eprintln!(
        "FAULTS {what} ({}): {}; {} answered 429, {} sendMessage requests, {:.1?}",
        backend(&app.db.url),
        tally.line(),
        stats.too_many_requests,
        app.emulator.request_count("sendMessage"),
        took
    );
    assert_eq!(tally, Tally::perfect(pings));
    assert!(
        stats.too_many_requests >= min_429,
        "the storm happened: {stats:?}"
    );
    assert_eq!(
        app.ctx
            .store
            .count_jobs(JobState::Sent)
            .await
            .expect("count"),
        pings as i64
    );
}

/// 2,000 pings in 50 groups while Telegram answers 429 (retry_after 1 s) to 10 requests in a
/// row out of every 500: Throttle pauses and resends, each ping arrives once and in order.
/// (Throttle takes in about one 429 per 250 ms, so every 429 costs about a quarter second of
/// sending; a denser storm over 2,000 pings would take minutes, see the next test.)
async fn pings_survive_a_429_storm(app: TestApp) {
    let fault = Fault::RateLimitStorm {
        retry_after: 1,
        period: 500,
        burst: 10,
    };
    storm(&app, "429 storm", 2_000, 50, fault, 40).await;
    app.stop_after_faults().await.cleanup().await;
}

/// A denser storm, smaller: every third send refused (retry_after 1 s), 90 pings in 30 groups.
#[tokio::test]
async fn pings_survive_every_third_send_refused() {
    let app = TestApp::spawn(TestDb::sqlite().await).await;
    let fault = Fault::RateLimitStorm {
        retry_after: 1,
        period: 3,
        burst: 1,
    };
    storm(&app, "every 3rd send answered 429", 90, 30, fault, 45).await;
    app.stop_after_faults().await.cleanup().await;
}

// ---------------------------------------------------------------------------------------------
// 2. A burst of 5xx, 3. dropped connections, 4. slow answers — all during a send wave
// ---------------------------------------------------------------------------------------------

const WAVE_PINGS: usize = 600;
const WAVE_CHATS: usize = 40;

/// Starts a wave of 600 pings in 40 groups, injects `fault` once 100 have arrived, and drains
/// every retry. Returns the tally and the wall time.
async fn wave_with_fault(app: &TestApp, fault: Fault) -> (Tally, Duration) {
    let chats = wave_chats(WAVE_CHATS);
    plan_wave(&app.emulator, &app.ctx, &chats, WAVE_PINGS).await;
    app.clock.set(T0 + DAY + WAVE_PINGS as i64);
    let started = Instant::now();
    let inject = async {
        assert!(
            app.emulator.wait_sent(100, Duration::from_secs(60)).await,
            "the wave started"
        );
        app.emulator.set_fault(fault);
    };
    let (ticked, ()) = tokio::join!(app.scheduler.tick(), inject);
    ticked.expect("tick");
    let rounds = drain(app).await;
    let took = started.elapsed();
    eprintln!("drained retries in {rounds} more ticks");
    let sent = app.emulator.sent();
    (
        Tally::count(&sent, "ping-", WAVE_PINGS, |i| chats[i % WAVE_CHATS]),
        took,
    )
}

/// Telegram answers 500 to 40 sends in a row mid-wave (about one in flight per group).
/// teloxide waits 10 s after each; the job is then retried with backoff.
async fn pings_survive_a_5xx_burst(app: TestApp) {
    let (tally, took) = wave_with_fault(&app, Fault::ServerError { times: 40 }).await;
    let stats = app.emulator.fault_stats();
    eprintln!(
        "FAULTS 5xx burst ({}): {}; {} answered 500, {:.1?}",
        backend(&app.db.url),
        tally.line(),
        stats.server_errors,
        took
    );
    assert_eq!(stats.server_errors, 40);
    assert_eq!(tally, Tally::perfect(WAVE_PINGS));
    app.stop_after_faults().await.cleanup().await;
}

/// 40 sends mid-wave lose their connection before Telegram sees them: retried, each once.
async fn pings_survive_dropped_connections(app: TestApp) {
    let (tally, took) = wave_with_fault(&app, Fault::Drop { times: 40 }).await;
    let stats = app.emulator.fault_stats();
    eprintln!(
        "FAULTS dropped connections ({}): {}; {} hung up before sending, {:.1?}",
        backend(&app.db.url),
        tally.line(),
        stats.dropped,
        took
    );
    assert_eq!(stats.dropped, 40);
    assert_eq!(tally, Tally::perfect(WAVE_PINGS));
    app.stop_after_faults().await.cleanup().await;
}

/// 40 sends mid-wave take 2 s to be answered (under the client's 17 s timeout).
async fn pings_survive_slow_answers(app: TestApp) {
    let fault = Fault::Slow {
        millis: 2_000,
        times: 40,
    };
    let (tally, took) = wave_with_fault(&app, fault).await;
    let stats = app.emulator.fault_stats();
    eprintln!(
        "FAULTS slow answers ({}): {}; {} answered after 2 s, {:.1?}",
        backend(&app.db.url),
        tally.line(),
        stats.slowed,
        took
    );
    assert_eq!(stats.slowed, 40);
    assert_eq!(tally, Tally::perfect(WAVE_PINGS));
    app.stop_after_faults().await.cleanup().await;
}

/// The case no client can settle: Telegram sent the ping but its answer never arrived (the
/// connection dropped after sending, or the answer came after the client's timeout). The bot
/// cannot tell this from a request that never arrived, so it sends again: the ping arrives
/// twice. Nothing is lost. Shown for one ping each way.
async fn a_ping_whose_answer_is_lost_arrives_twice(app: TestApp) {
    let chats = wave_chats(2);
    plan_wave(&app.emulator, &app.ctx, &chats, 2).await;
    app.clock.set(T0 + DAY + 2);

    // (a) Sent, then the connection drops before the answer.
    app.emulator.set_fault(Fault::DropAfterSend { times: 1 });
    drain(&app).await;
    let lost_answer = Tally::count(&app.emulator.sent(), "ping-", 2, |i| chats[i]);

    // (b) Answered after the client gave up: a bot whose client waits 300 ms, 1 s answers.
    let client = teloxide::net::default_reqwest_settings()
        .no_proxy()
        .timeout(Duration::from_millis(300))
        .build()
        .expect("client");
    let impatient = teloxide::Bot::with_client(app.emulator.token(), client)
        .set_api_url(app.emulator.api_url());
    let impatient = campaign_bot::telegram::TgBot::new(impatient, app::relaxed_limits());
    let scheduler = Scheduler::new(app.ctx.service.clone(), impatient);
    app.emulator.set_fault(Fault::Slow {
        millis: 1_000,
        times: 1,
    });
    // Moves the clock 1 day on: ping-i's 1-hour mark (the next after 24 h) for both tasks.
    app.clock.set(T0 + 2 * DAY - 3_600 + 2);
    scheduler.tick().await.expect("tick");
    // The slow answer is carried out 1 s later whatever the client did.
    assert!(
        app.emulator
            .wait_for(Duration::from_secs(10), |e| e.fault_stats().slowed == 1
                && e.sent()
                    .iter()
                    .filter(|m| m.text.contains("1 hour"))
                    .count()
                    >= 2)
            .await
    );
    for _ in 0..4 {
        let next = app.ctx.store.next_fire_at().await.expect("next");
        match next {
            Some(at) if at <= app.clock_now() + 600 => {
                app.clock.set(at.max(app.clock_now()));
                scheduler.tick().await.expect("tick");
            }
            _ => break,
        }
    }
    let hour_pings: Vec<SentMessage> = app
        .emulator
        .sent()
        .into_iter()
        .filter(|m| m.text.contains("1 hour"))
        .collect();
    let timed_out = Tally::count(&hour_pings, "ping-", 2, |i| chats[i]);
    let stats = app.emulator.fault_stats();
    eprintln!(
        "FAULTS answer lost after sending ({}): 24-hour pings: {}; 1-hour pings after a client \
         timeout: {}; {} dropped after sending, {} slowed",
        backend(&app.db.url),
        lost_answer.line(),
        timed_out.line(),
        stats.dropped_after_send,
        stats.slowed
    );
    // Exactly one extra copy each time, nothing lost.
    for tally in [&lost_answer, &timed_out] {
        assert_eq!(
            (tally.sent, tally.duplicates, tally.lost),
            (3, 1, 0),
            "{tally:?}"
        );
    }
    app.stop_after_faults().await.cleanup().await;
}

// ---------------------------------------------------------------------------------------------
// 6. Command replies under faults
// ---------------------------------------------------------------------------------------------

const COMMAND_CHATS: usize = 4;
const COMMANDS_PER_CHAT: usize = 25;

/// Sends 25 `/task` commands in each of 4 groups at once under `fault` (set after the first
/// reply) and counts the replies (each names its `cmd-i` title) and the tasks created.
async fn command_burst(app: &mut TestApp, fault: Fault) -> (Tally, usize, Duration) {
    let chats: Vec<i64> = (0..COMMAND_CHATS as i64).map(|i| -700_000 - i).collect();
    for chat in &chats {
        app.emulator
            .add_chat(*chat, ChatKind::Supergroup, "command team");
        app.emulator.set_admin(*chat, ALICE, true);
    }
    let total = COMMAND_CHATS * COMMANDS_PER_CHAT;
    let before = app.emulator.sent_count();
    let started = Instant::now();
    for k in 0..COMMANDS_PER_CHAT {
        for (c, chat) in chats.iter().enumerate() {
            let i = k * COMMAND_CHATS + c;
            app.emulator
                .send_text(*chat, ALICE, &format!("/task @bob cmd-{i} due +3d"));
            if i == 0 {
                assert!(
                    app.emulator
                        .wait_sent(before + 1, Duration::from_secs(20))
                        .await
                );
                app.emulator.set_fault(fault);
            }
        }
    }
    for _ in 0..total {
        app.wait_handled().await;
    }
    let took = started.elapsed();
    app.emulator.set_fault(Fault::None);
    let replies = app.emulator.sent_since(before);
    let mut tasks = 0;
    for chat in &chats {
        tasks += app
            .ctx
            .store
            .open_tasks(ChatId(*chat))
            .await
            .expect("tasks")
            .len();
    }
    (
        Tally::count(&replies, "cmd-", total, |i| chats[i % COMMAND_CHATS]),
        tasks,
        took,
    )
}

/// Command replies while Telegram answers 429 to 5 requests in a row out of every 25.
async fn command_replies_survive_a_429_storm(mut app: TestApp) {
    let fault = Fault::RateLimitStorm {
        retry_after: 1,
        period: 25,
        burst: 5,
    };
    let (tally, tasks, took) = command_burst(&mut app, fault).await;
    let stats = app.emulator.fault_stats();
    eprintln!(
        "FAULTS command replies under a 429 storm ({}): {}; {tasks} tasks created; {} answered \
         429, {:.1?}",
        backend(&app.db.url),
        tally.line(),
        stats.too_many_requests,
        took
    );
    assert_eq!(tasks, COMMAND_CHATS * COMMANDS_PER_CHAT);
    assert!(stats.too_many_requests >= 15, "{stats:?}");
    assert_eq!(tally, Tally::perfect(COMMAND_CHATS * COMMANDS_PER_CHAT));
    app.stop_after_faults().await.cleanup().await;
}

/// Command replies while Telegram answers 500 to 4 replies in a row.
async fn command_replies_survive_a_5xx_burst(mut app: TestApp) {
    let (tally, tasks, took) = command_burst(&mut app, Fault::ServerError { times: 4 }).await;
    let stats = app.emulator.fault_stats();
    let internal_errors = app
        .emulator
        .sent()
        .iter()
        .filter(|m| m.text.contains("Something went wrong"))
        .count();
    eprintln!(
        "FAULTS command replies under a 5xx burst ({}): {}; {tasks} tasks created; {} answered \
         500, {} \"something went wrong\" replies, {:.1?}",
        backend(&app.db.url),
        tally.line(),
        stats.server_errors,
        internal_errors,
        took
    );
    assert_eq!(stats.server_errors, 4);
    assert_eq!(tasks, COMMAND_CHATS * COMMANDS_PER_CHAT);
    assert_eq!(tally, Tally::perfect(COMMAND_CHATS * COMMANDS_PER_CHAT));
    app.stop_after_faults().await.cleanup().await;
}

e2e!(
    pings_survive_a_429_storm,
    pings_survive_slow_answers,
    a_ping_whose_answer_is_lost_arrives_twice,
    command_replies_survive_a_429_storm,
    pings_survive_a_5xx_burst,
    pings_survive_dropped_connections,
    command_replies_survive_a_5xx_burst,
);

// ---------------------------------------------------------------------------------------------
// 5. Never more than 20 messages a minute to one group, with the production limits
// ---------------------------------------------------------------------------------------------

/// A basic group's id (not -100…): Throttle gives it the 20-a-minute group limit. (Supergroup
/// ids get 10 a minute from `Limits::default()`.)
const BUSY_GROUP: i64 = -4_100_000_001;
const BUSY_PINGS: usize = 21;
const BUSY_COMMANDS: usize = 4;

/// 21 pings and 4 command replies due to one group at once, through the bot as `run` builds
/// it (`telegram_limits()`): measured on the emulator's real-time clock, no 60-second window
/// holds more than 20 of them, and all 25 arrive.
#[tokio::test]
async fn one_group_never_gets_more_than_20_messages_a_minute() {
    let db = TestDb::sqlite().await;
    let clock = ManualClock::new(T0);
    let shared: SharedClock = clock.clone();
    let emulator = Emulator::start(shared.clone()).await.expect("emulator");
    for (id, name) in [(ALICE, "alice"), (BOB, "bob")] {
        emulator.add_user(UserSpec::new(id, name).username(name).language("en"));
    }
    emulator.add_chat(BUSY_GROUP, ChatKind::Group, "busy group");
    emulator.set_admin(BUSY_GROUP, ALICE, true);
    let bot = app::make_bot(
        &emulator.token(),
        Some(&emulator.api_url()),
        app::telegram_limits(),
    );
    let app = App::new(common::settings(&db.url), shared, db.store.clone(), bot);
    let ctx = app.ctx.clone();
    let running = app.spawn_polling();
    let scheduler = app.scheduler();
    plan_wave(&emulator, &ctx, &[BUSY_GROUP], BUSY_PINGS).await;
    clock.set(T0 + DAY + BUSY_PINGS as i64);

    let started = Instant::now();
    let commands = async {
        for k in 0..BUSY_COMMANDS {
            emulator.send_text(BUSY_GROUP, ALICE, &format!("/task @bob cmd-{k} due +3d"));
        }
        assert!(
            ctx.tracker
                .wait_finished(BUSY_COMMANDS as u64, Duration::from_secs(150))
                .await,
            "commands answered"
        );
    };
    let (ticked, ()) = tokio::join!(scheduler.tick(), commands);
    ticked.expect("tick");
    let took = started.elapsed();
    running.stop().await;

    let sent: Vec<SentMessage> = emulator
        .sent()
        .into_iter()
        .filter(|m| m.chat_id == BUSY_GROUP)
        .collect();
    let (ping_messages, reply_messages): (Vec<SentMessage>, Vec<SentMessage>) =
        sent.iter().cloned().partition(|m| m.text.contains("ping-"));
    let pings = Tally::count(&ping_messages, "ping-", BUSY_PINGS, |_| BUSY_GROUP);
    let replies = Tally::count(&reply_messages, "cmd-", BUSY_COMMANDS, |_| BUSY_GROUP);
    let times: Vec<Instant> = sent.iter().map(|m| m.accepted_at).collect();
    // `telegram_limits()` keeps one message a minute in hand (19), so even a full minute on
    // the emulator's clock, jitter included, holds at most 20. The exact shortest span of 21
    // consecutive messages is printed.
    let window = Duration::from_secs(60);
    let most_in_a_minute = (0..times.len())
        .map(|i| {
            times[i..]
                .iter()
                .take_while(|t| **t - times[i] < window)
                .count()
        })
        .max()
        .unwrap_or(0);
    let gap_21 = (20..times.len())
        .map(|i| times[i] - times[i - 20])
        .min()
        .unwrap_or_default();
    let gap_1 = times
        .windows(2)
        .map(|w| w[1] - w[0])
        .min()
        .unwrap_or_default();
    let span = times
        .last()
        .zip(times.first())
        .map(|(l, f)| *l - *f)
        .unwrap_or_default();
    eprintln!(
        "FAULTS 20/min ({}): {} messages to one group ({} pings, {} replies) over {:.2?}; \
         most in any 60 s: {most_in_a_minute}; shortest span of 21 consecutive: {:.3?}; \
         shortest gap between two: {:.3?}; test took {:.1?}",
        backend(&db.url),
        sent.len(),
        pings.sent,
        replies.sent,
        span,
        gap_21,
        gap_1,
        took
    );
    assert_eq!(pings, Tally::perfect(BUSY_PINGS));
    assert_eq!(replies, Tally::perfect(BUSY_COMMANDS));
    assert_eq!(
        sent.len(),
        BUSY_PINGS + BUSY_COMMANDS,
        "nothing else was sent"
    );
    assert!(most_in_a_minute <= 20, "{most_in_a_minute} in one minute");
    assert!(gap_21 >= window, "{gap_21:?}");
    emulator.shutdown();
    db.cleanup().await;
}
