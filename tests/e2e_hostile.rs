//! Hostile text (issue 8): titles, names, notes, done-when texts, plan arguments, creative labels
//! and group titles carrying markup, entities, RTL and zero-width marks, emoji sequences,
//! combining marks, 4,000-character strings and strings exactly at and just over the bot's own
//! limits. For every input the bot answers; every message, caption and edit it produced parses as
//! Telegram HTML, fits Telegram's limits and is accepted by the emulator (`stop` asserts no
//! rejections); text the user typed shows up verbatim, i.e. escaped.
//!
//! Each scenario prints `hostile <name>: <inputs> inputs, <answered> answered, <messages>
//! messages checked`; docs/RELIABILITY.md quotes the totals.

#[macro_use]
mod common;

use campaign_bot::console::emulator::{ChatKind, SentKind, SentMessage, UserSpec};
use campaign_bot::console::html::parse_telegram_html;
use campaign_bot::domain::ids::{ChatId, UserId};
use campaign_bot::domain::metrics::MAX_CREATIVE_CHARS;
use campaign_bot::domain::playbook::MAX_SLUG_LEN;
use campaign_bot::domain::tasks::{MAX_NOTE_CHARS, MAX_TITLE_CHARS, TaskStatus};
use campaign_bot::storage::NewTask;
use common::{ALICE, BOB, GROUP, T0, TestApp, TestDb, WANG};

both_backends!(
    task_titles_and_done_when_texts,
    notes_and_block_reasons,
    names_usernames_and_group_titles,
    plan_and_setting_arguments,
    creative_labels_and_number_arguments,
    four_thousand_characters_in_every_command,
    exactly_at_and_just_over_the_limits,
    a_long_task_list_arrives_split_and_valid,
);

/// Markup, entities, bidi controls, emoji sequences, zero-width and combining characters.
/// None has a run of spaces or leading/trailing space, so a parsed title keeps it verbatim.
const PAYLOADS: &[&str] = &[
    "<",
    "a & b",
    "</pre>",
    "<b>bold</b>",
    "<a href=\"x\">link</a>",
    "\u{202e}reversed\u{200f}",
    "👩\u{200d}👩\u{200d}👧\u{200d}👦🇨🇳🇺🇸🏳\u{fe0f}\u{200d}🌈",
    "zero\u{200b}width\u{feff}",
    "e\u{301}\u{302} Z\u{336}\u{335}a\u{34e}",
    "&amp; &lt;tag&gt; &#169;",
    "\"quotes\" 'single' >",
    "𝕏𝕐 中文 عربى",
];

/// A payload that a plain-text field refuses (it looks like an HTML tag, see `find_tag`).
fn looks_like_tag(s: &str) -> bool {
    campaign_bot::domain::tasks::find_tag(s).is_some()
}

fn utf16(s: &str) -> usize {
    s.encode_utf16().count()
}

/// Parallel lanes: one group per lane, so inputs to different lanes are handled concurrently
/// (the dispatcher serves chats in parallel) and a scenario costs rounds, not inputs.
const LANES: usize = 6;

fn lane(i: usize) -> i64 {
    GROUP - (i % LANES) as i64
}

/// A scenario: the bot plus counters of what was tried and checked.
struct Hostile {
    app: TestApp,
    name: &'static str,
    inputs: usize,
    answered: usize,
}

impl Hostile {
    /// The bot with `LANES` groups; in each Alice is admin, Bob and Wang members, and the team
    /// speaks English; each has a core channel `xhs`.
    async fn new(db: TestDb, name: &'static str) -> Hostile {
        let mut app = TestApp::spawn(db).await;
        for i in 0..LANES {
            let chat = lane(i);
            app.emulator
                .add_chat(chat, ChatKind::Supergroup, &format!("Lane {i}"));
            app.emulator.set_admin(chat, ALICE, true);
            for who in [ALICE, BOB, WANG] {
                app.emulator.send_text(chat, who, "hi");
            }
        }
        for _ in 0..3 * LANES {
            app.wait_handled().await;
        }
        for i in 0..LANES {
            app.ctx
                .store
                .add_channel(
                    ChatId(lane(i)),
                    "xhs",
                    campaign_bot::domain::playbook::Tier::Core,
                    5_000_000,
                    T0,
                )
                .await
                .expect("channel");
        }
        Hostile {
            app,
            name,
            inputs: 0,
            answered: 0,
        }
    }

    /// Sends `(chat, from, text)` inputs: each chat's in order, different chats at once. Every
    /// input must be answered with valid messages; returns the answers in input order.
    async fn run(&mut self, cases: &[Case], counted: bool) -> Vec<Vec<SentMessage>> {
        let mut answers = vec![Vec::new(); cases.len()];
        let mut pending: Vec<usize> = (0..cases.len()).collect();
        while !pending.is_empty() {
            let mut round: Vec<usize> = Vec::new();
            let mut later = Vec::new();
            for i in pending {
                if round.iter().any(|&r| cases[r].0 == cases[i].0)
                    || later.iter().any(|&l: &usize| cases[l].0 == cases[i].0)
                {
                    later.push(i);
                } else {
                    round.push(i);
                }
            }
            let before = self.app.emulator.sent_count();
            for &i in &round {
                let (chat, from, text) = &cases[i];
                self.app.emulator.send_text(*chat, *from, text);
            }
            for _ in &round {
                self.app.wait_handled().await;
            }
            let sent = self.app.emulator.sent_since(before);
            for &i in &round {
                let (chat, _, text) = &cases[i];
                let mine: Vec<SentMessage> = sent
                    .iter()
                    .filter(|m| m.chat_id == *chat)
                    .cloned()
                    .collect();
                assert!(
                    !mine.is_empty(),
                    "no answer to {:?}",
                    text.chars().take(80).collect::<String>()
                );
                check_messages(&mine, text);
                if counted {
                    self.inputs += 1;
                    self.answered += 1;
                }
                answers[i] = mine;
            }
            pending = later;
        }
        answers
    }

    /// One hostile input (counted).
    async fn input(&mut self, chat: i64, from: i64, text: &str) -> Vec<SentMessage> {
        let mut answers = self.run(&[(chat, from, text.to_string())], true).await;
        answers.pop().unwrap_or_default()
    }

    /// Setup or follow-up (not counted as a hostile input); still checked.
    async fn say(&mut self, chat: i64, from: i64, text: &str) -> Vec<SentMessage> {
        let mut answers = self.run(&[(chat, from, text.to_string())], false).await;
        answers.pop().unwrap_or_default()
    }

    /// Every message and edit of the whole run, checked once more (edits included), then stop
    /// (which asserts the emulator rejected nothing).
    async fn finish(self) {
        let sent = self.app.emulator.sent();
        for m in &sent {
            check_one(m, "(final pass)");
        }
        let edits = self.app.emulator.edits();
        for e in &edits {
            let plain = parse_telegram_html(&e.new_text)
                .unwrap_or_else(|err| panic!("edit is not Telegram HTML ({err}): {}", e.new_text));
            assert!(utf16(&plain) <= 4096 && utf16(&e.new_text) <= 4096);
        }
        eprintln!(
            "hostile {}: {} inputs, {} answered, {} messages and {} edits checked",
            self.name,
            self.inputs,
            self.answered,
            sent.len(),
            edits.len()
        );
        self.app.stop().await.cleanup().await;
    }
}

/// One input: `(chat, from, text)`.
type Case = (i64, i64, String);

/// An input made from a person: `(lane index, id, first name, last name, username)`.
type Step = dyn Fn(usize, i64, &str, &str, &str) -> Case;

/// `cases` spread over the lanes, in order.
fn spread(cases: impl IntoIterator<Item = (i64, String)>) -> Vec<Case> {
    cases
        .into_iter()
        .enumerate()
        .map(|(i, (from, text))| (lane(i), from, text))
        .collect()
}

/// The text the user sees (markup removed, entities decoded) of all messages, joined.
fn plain(sent: &[SentMessage]) -> String {
    sent.iter()
        .map(|m| parse_telegram_html(&m.text).unwrap_or_else(|_| m.text.clone()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Telegram's checks on one message: HTML that parses, text within 4,096 UTF-16 units (the
/// source, which is stricter than Telegram's count after parsing), captions within 1,024.
fn check_one(m: &SentMessage, input: &str) {
    let context = || input.chars().take(80).collect::<String>();
    assert!(
        m.parse_mode
            .as_deref()
            .is_some_and(|p| p.eq_ignore_ascii_case("html")),
        "every message is sent as HTML (answer to {:?})",
        context()
    );
    let shown = parse_telegram_html(&m.text).unwrap_or_else(|err| {
        panic!(
            "not valid Telegram HTML ({err}) in the answer to {:?}:\n{}",
            context(),
            m.text
        )
    });
    match m.kind {
        SentKind::Text => {
            assert!(!shown.trim().is_empty(), "empty message to {:?}", context());
            assert!(
                utf16(&m.text) <= 4096,
                "{} UTF-16 units sent in the answer to {:?}",
                utf16(&m.text),
                context()
            );
        }
        SentKind::Photo | SentKind::Document => {
            assert!(
                utf16(&shown) <= 1024,
                "caption of {} UTF-16 units",
                utf16(&shown)
            );
        }
    }
}

/// Each message valid; a reply split in several messages is not cut inside an emoji sequence
/// or before a combining mark.
fn check_messages(sent: &[SentMessage], input: &str) {
    for m in sent {
        check_one(m, input);
    }
    for pair in sent.windows(2) {
        let (a, b) = (&pair[0].text, &pair[1].text);
        let last = a.chars().last();
        let first = b.chars().next();
        assert!(
            !matches!(last, Some('\u{200d}'))
                && !matches!(first, Some('\u{200d}' | '\u{300}'..='\u{36f}' | '\u{fe0f}')),
            "a split cut a character sequence: …{:?} | {:?}…",
            a.chars().rev().take(5).collect::<String>(),
            b.chars().take(5).collect::<String>()
        );
    }
}

/// The user's text shows verbatim in what the user sees: it was escaped, not interpreted.
fn assert_shows(sent: &[SentMessage], raw: &str, input: &str) {
    let shown = plain(sent);
    assert!(
        shown.contains(raw),
        "the answer to {:?} should show {raw:?} verbatim (escaped), got:\n{shown}",
        input.chars().take(80).collect::<String>()
    );
}

/// The number in "#N" of a creation reply.
fn task_number(sent: &[SentMessage]) -> i64 {
    let text = plain(sent);
    let at = text
        .find('#')
        .unwrap_or_else(|| panic!("no task number in {text}"));
    text[at + 1..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or_else(|_| panic!("no task number in {text}"))
}

/// An open task of Bob's, due in four days, straight into the store (setup, not input).
async fn store_task(app: &TestApp, chat: i64, title: &str, done_when: Option<&str>) -> i64 {
    let task = app
        .ctx
        .store
        .create_task(
            &NewTask {
                chat_id: ChatId(chat),
                title: title.to_string(),
                done_when: done_when.map(str::to_string),
                owner_id: Some(UserId(BOB)),
                owner_username: None,
                creator_id: UserId(ALICE),
                channel: None,
                due_at: T0 + 4 * 86_400,
                recur: None,
                series_id: None,
                source_message: None,
            },
            T0,
        )
        .await
        .expect("task");
    task.number
}

// ---------------------------------------------------------------- scenarios

/// Titles and done-when texts through `/task`, then shown by `/task N`, `/tasks`, `/export`.
async fn task_titles_and_done_when_texts(db: TestDb) {
    let mut h = Hostile::new(db, "titles").await;
    let mut cases = Vec::new();
    for p in PAYLOADS {
        cases.push((ALICE, format!("/task @bob {p} due fri 18:00")));
        cases.push((
            ALICE,
            format!("/task @bob done-when case due fri 18:00 | {p}"),
        ));
    }
    let cases = spread(cases);
    let answers = h.run(&cases, true).await;
    let mut details = Vec::new();
    let mut shown = Vec::new();
    for (i, ((chat, _, cmd), sent)) in cases.iter().zip(&answers).enumerate() {
        let p = PAYLOADS[i / 2];
        let is_title = i % 2 == 0;
        if is_title && looks_like_tag(p) {
            // Refused: titles are plain text.
            assert!(plain(sent).contains("/task @owner"), "{}", plain(sent));
            continue;
        }
        assert_shows(sent, p, cmd);
        details.push((*chat, BOB, format!("/task {}", task_number(sent))));
        shown.push((p, is_title));
    }
    let stored: usize = {
        let mut n = 0;
        for i in 0..LANES {
            n += h
                .app
                .ctx
                .store
                .open_tasks(ChatId(lane(i)))
                .await
                .expect("tasks")
                .len();
        }
        n
    };
    assert_eq!(stored, shown.len(), "refused titles stored nothing");
    let answers = h.run(&details, false).await;
    for (sent, (p, _)) in answers.iter().zip(&shown) {
        assert_shows(sent, p, "/task N");
    }
    let lists = spread((0..LANES).map(|_| (BOB, "/tasks".to_string())));
    let all = h.run(&lists, false).await.concat();
    for (p, _) in shown.iter().filter(|(_, is_title)| *is_title) {
        assert_shows(&all, p, "/tasks");
    }
    let exports = spread((0..LANES).map(|_| (BOB, "/export all".to_string())));
    h.run(&exports, false).await;
    h.finish().await;
}

/// `/done N <note>` and `/block N <reason>`; the history in `/task N` shows both.
async fn notes_and_block_reasons(db: TestDb) {
    let mut h = Hostile::new(db, "notes").await;
    let mut cases = Vec::new();
    let mut details = Vec::new();
    for (i, p) in PAYLOADS.iter().enumerate() {
        let chat = lane(i);
        let blocked = store_task(&h.app, chat, "to be blocked", None).await;
        let done = store_task(&h.app, chat, "to be done", None).await;
        cases.push((chat, BOB, format!("/block {blocked} {p}")));
        cases.push((chat, BOB, format!("/done {done} {p}")));
        details.push((chat, ALICE, format!("/task {blocked}")));
        details.push((chat, ALICE, format!("/task {done}")));
    }
    let answers = h.run(&cases, true).await;
    for (i, sent) in answers.iter().enumerate().step_by(2) {
        assert_shows(sent, PAYLOADS[i / 2], &cases[i].2);
    }
    let answers = h.run(&details, false).await;
    for (i, sent) in answers.iter().enumerate() {
        assert_shows(sent, PAYLOADS[i / 2], &details[i].2);
    }
    let follow = spread((0..LANES).map(|i| {
        let cmd = if i % 2 == 0 {
            "/tasks blocked"
        } else {
            "/bottlenecks"
        };
        (ALICE, cmd.to_string())
    }));
    h.run(&follow, false).await;
    h.finish().await;
}

/// People with hostile first/last names and usernames (one per lane) create, own and are
/// refused things; hostile group titles show in /start and in a private /mytasks; a ping to a
/// hostile owner about a hostile title is edited when its button is pressed.
async fn names_usernames_and_group_titles(db: TestDb) {
    let mut h = Hostile::new(db, "names").await;
    let people: Vec<(i64, &str, &str, &str)> = vec![
        (801, "<b>&", "</pre>\u{202e}", "a_b"),
        (802, "<a href=\"x\">", "&amp;", "lt_gt"),
        (
            803,
            "👩\u{200d}👩\u{200d}👧\u{200d}👦🇨🇳",
            "zero\u{200b}\u{feff}",
            "emoji_fam",
        ),
        (804, "e\u{301}\u{302}\u{34e}", "\u{200f}عربى", "combining"),
        (805, "\"q\" 'q' >", "𝕏", "<b>odd</b>"),
        (806, "&lt;", "<i>", "x_&"),
    ];
    assert_eq!(people.len(), LANES);
    for &(id, first, last, username) in &people {
        h.app.emulator.add_user(UserSpec {
            id,
            first_name: first.to_string(),
            last_name: Some(last.to_string()),
            username: Some(username.to_string()),
            language_code: Some("en".into()),
        });
    }
    // Each person in their own lane: creates a task owned by themself, reads it back.
    let steps = |f: &Step| {
        people
            .iter()
            .enumerate()
            .map(|(i, &(id, first, last, username))| f(i, id, first, last, username))
            .collect::<Vec<_>>()
    };
    let create = steps(&|i, id, _, _, username| {
        (
            lane(i),
            id,
            format!("/task @{username} report due fri 18:00"),
        )
    });
    let answers = h.run(&create, true).await;
    let mut details = Vec::new();
    for (i, sent) in answers.iter().enumerate() {
        let (id, first, last, _) = people[i];
        assert_shows(sent, &format!("{first} {last}"), &create[i].2);
        details.push((lane(i), id, format!("/task {}", task_number(sent))));
    }
    let answers = h.run(&details, false).await;
    for (i, sent) in answers.iter().enumerate() {
        let (_, first, last, _) = people[i];
        assert_shows(sent, &format!("{first} {last}"), "/task N");
    }
    // Not admins: refused. An owner typed by @name before they were seen.
    let refused = steps(&|i, id, _, _, _| (lane(i), id, "/timezone UTC".to_string()));
    h.run(&refused, true).await;
    let typed = steps(&|i, _, first, last, _| {
        (
            lane(i),
            ALICE,
            format!("/task @{first}{last} waiting due fri 18:00"),
        )
    });
    h.run(&typed, true).await;
    // As admins: named in Bob's refusal.
    for (i, &(id, ..)) in people.iter().enumerate() {
        h.app.emulator.set_admin(lane(i), id, true);
        h.app.ctx.admins.invalidate(ChatId(lane(i)));
    }
    let bob = steps(&|i, _, _, _, _| (lane(i), BOB, "/currency $".to_string()));
    let answers = h.run(&bob, true).await;
    for (i, sent) in answers.iter().enumerate() {
        assert_shows(sent, people[i].1, "/currency $ (refused)");
    }
    let more = steps(&|i, id, _, _, _| (lane(i), id, "/start".to_string()))
        .into_iter()
        .chain(steps(&|i, id, _, _, _| {
            (lane(i), id, "/mytasks".to_string())
        }))
        .chain(steps(&|_, id, _, _, _| (id, id, "/mytasks".to_string())))
        .chain(steps(&|i, _, _, _, _| {
            (lane(i), ALICE, "/tasks".to_string())
        }))
        .collect::<Vec<_>>();
    h.run(&more, true).await;

    // Group titles: shown in /start and (bold) in Bob's private /mytasks.
    for i in 0..LANES {
        store_task(&h.app, lane(i), "bob's task", None).await;
    }
    for round in PAYLOADS.chunks(LANES) {
        for (i, p) in round.iter().enumerate() {
            h.app.emulator.set_chat_title(lane(i), p);
        }
        let starts = spread(round.iter().map(|_| (BOB, "/start".to_string())));
        let answers = h.run(&starts, true).await;
        for (sent, p) in answers.iter().zip(round) {
            assert_shows(sent, p, "/start with a hostile title");
        }
        let sent = h.input(BOB, BOB, "/mytasks").await;
        for p in round {
            assert_shows(&sent, p, "private /mytasks with hostile titles");
        }
    }

    // A ping about a hostile title to a hostile owner; the button edits it.
    let sent = h
        .say(
            GROUP,
            ALICE,
            "/task @a_b <& \u{202e}👩\u{200d}👧 ping me due +2d",
        )
        .await;
    let number = task_number(&sent);
    // The background scheduler may send the ping before `advance` ticks: wait for it.
    let before = h.app.emulator.sent_count();
    h.app.advance(86_400).await;
    let has_buttons = |e: &campaign_bot::console::emulator::Emulator| {
        e.sent_since(before)
            .iter()
            .any(|m| !m.callback_data().is_empty())
    };
    assert!(
        h.app
            .emulator
            .wait_for(std::time::Duration::from_secs(10), has_buttons)
            .await,
        "the deadline ping is sent"
    );
    let pings: Vec<SentMessage> = h
        .app
        .emulator
        .sent_since(before)
        .into_iter()
        .filter(|m| !m.callback_data().is_empty())
        .collect();
    check_messages(&pings, "ping");
    let ping = pings.last().expect("ping");
    let data = ping
        .callback_data()
        .into_iter()
        .find(|d| d.starts_with("t:done:"))
        .expect("a done button");
    h.app
        .emulator
        .press_button(GROUP, 801, ping.message_id, &data);
    h.app.wait_handled().await;
    let edited = h
        .app
        .emulator
        .message(GROUP, ping.message_id)
        .expect("ping");
    assert!(edited.edited, "the ping was edited");
    check_one(&edited, "pressing done");
    let task = h
        .app
        .ctx
        .store
        .task(ChatId(GROUP), number)
        .await
        .expect("task")
        .expect("task");
    assert_eq!(task.status, TaskStatus::Done);
    h.finish().await;
}

/// Hostile goal, channel and setting arguments: refused with the input quoted, or accepted.
async fn plan_and_setting_arguments(db: TestDb) {
    let mut h = Hostile::new(db, "plan args").await;
    let templates = [
        "/goal {}",
        "/goal gmv {}",
        "/goal gmv 100 #{}",
        "/goal clear {}",
        "/channel add {} core 100",
        "/channel add ok {} 100",
        "/channel add ok2 core {}",
        "/channel owner xhs @{}",
        "/channel owner xhs {}",
        "/channel budget {} 1",
        "/currency {}",
        "/timezone {}",
        "/lang {}",
        "/quiet {}",
        "/review {}",
        "/checkin_time {}",
    ];
    // Every template with every payload: 192 inputs, six at a time.
    let mut cases = Vec::new();
    for template in templates {
        for p in PAYLOADS {
            cases.push((ALICE, template.replace("{}", p)));
        }
    }
    h.run(&spread(cases), true).await;
    let mut follow = Vec::new();
    for cmd in ["/channels", "/plan", "/goals", "/budget", "/start"] {
        follow.extend((0..LANES).map(|i| (lane(i), BOB, cmd.to_string())));
    }
    h.run(&follow, false).await;
    h.finish().await;
}

/// Creative labels through `/checkin`, shown by `/abtest` and exported; hostile channel and
/// period arguments to the number commands; a hostile currency symbol in every money figure.
async fn creative_labels_and_number_arguments(db: TestDb) {
    let mut h = Hostile::new(db, "creatives").await;
    // All labels in one lane, so one /abtest shows them all.
    let mut cases = Vec::new();
    for (i, p) in PAYLOADS.iter().enumerate() {
        let day = 1 + i % 2;
        cases.push((
            GROUP,
            BOB,
            format!(
                "/checkin xhs spend=100 impressions=2000 clicks=40 orders=2 gmv=300 creative={p} date=2026-11-0{day}"
            ),
        ));
    }
    let answers = h.run(&cases, true).await;
    let mut stored = Vec::new();
    for (sent, p) in answers.iter().zip(PAYLOADS) {
        // A label is one token: a payload with a space is refused (not key=value).
        if !p.contains(' ') {
            assert_shows(sent, p, "/checkin creative=…");
            stored.push(*p);
        }
    }
    let sent = h.say(GROUP, BOB, "/abtest xhs").await;
    for p in &stored {
        assert_shows(&sent, p, "/abtest xhs");
    }
    let templates = [
        "/checkin {} spend=1",
        "/checkin xhs spend={}",
        "/checkin xhs {}",
        "/metrics {}",
        "/metrics #{}",
        "/abtest {}",
        "/chart {}",
        "/export {}",
        "/summary {}",
        "/tasks {}",
        "/help {}",
        "/task {}",
    ];
    let mut cases = Vec::new();
    for template in templates {
        for p in PAYLOADS {
            cases.push((BOB, template.replace("{}", p)));
        }
    }
    h.run(&spread(cases), true).await;
    h.say(GROUP, ALICE, "/goal gmv 50000 month").await;
    h.say(GROUP, ALICE, "/goal roi >= 2 #xhs").await;
    let sent = h.input(GROUP, ALICE, "/currency <&>").await;
    assert_shows(&sent, "<&>", "/currency <&>");
    let cmds = [
        "/metrics",
        "/metrics month",
        "/budget",
        "/plan",
        "/goals",
        "/channels",
        "/summary",
        "/summary month",
        "/bottlenecks",
        "/abtest xhs",
        "/chart roi",
        "/export all",
    ];
    let cases: Vec<_> = cmds.iter().map(|c| (GROUP, BOB, c.to_string())).collect();
    h.run(&cases, true).await;
    h.finish().await;
}

/// A 4,000-character argument to every command, in three flavours: markup characters that
/// grow fivefold when escaped, astral emoji (two UTF-16 units each) and plain letters.
async fn four_thousand_characters_in_every_command(db: TestDb) {
    let mut h = Hostile::new(db, "4000 chars").await;
    for i in 0..LANES {
        store_task(&h.app, lane(i), "open task", None).await;
    }
    let flavours = ["<&".repeat(2000), "😀".repeat(2000), "x".repeat(4000)];
    let mut cases = Vec::new();
    for command in campaign_bot::bot::commands::MENU {
        for long in &flavours {
            let cmd = match *command {
                "done" | "block" | "due" | "reassign" => format!("/{command} 1 {long}"),
                _ => format!("/{command} {long}"),
            };
            cases.push((ALICE, cmd));
        }
    }
    // An unknown command of 4,000 characters.
    cases.push((BOB, format!("/{}", "z".repeat(4000))));
    h.run(&spread(cases), true).await;
    h.finish().await;
}

/// Strings exactly at and one past each limit of the bot (title, note, done-when, creative
/// label, currency, channel name) in characters of 1, 5 (escaped `&`) and 2 UTF-16 units and
/// in emoji sequences; plus an incoming message of exactly 4,096 UTF-16 units.
async fn exactly_at_and_just_over_the_limits(db: TestDb) {
    let mut h = Hostile::new(db, "limits").await;
    let units = ["a", "&", "𝕏", "👩\u{200d}👧"];
    // Exactly `n` characters of `unit`, padded with ASCII; and one more character.
    let at = |unit: &str, n: usize| {
        let chars = unit.chars().count();
        format!("{}{}", unit.repeat(n / chars), "a".repeat(n % chars))
    };
    let over = |unit: &str, n: usize| format!("{}{}", at(unit, n - 1), unit);
    // Each unit in its own lane.
    let per_unit = |f: &dyn Fn(&str) -> String, from: i64| -> Vec<(i64, i64, String)> {
        units
            .iter()
            .enumerate()
            .map(|(i, u)| (lane(i), from, f(u)))
            .collect()
    };
    // Titles at the limit: accepted, shown whole.
    let cases = per_unit(
        &|u| format!("/task @bob {} due fri 18:00", at(u, MAX_TITLE_CHARS)),
        ALICE,
    );
    let answers = h.run(&cases, true).await;
    let mut numbers = Vec::new();
    for (i, sent) in answers.iter().enumerate() {
        assert_shows(sent, &at(units[i], MAX_TITLE_CHARS), "title at the limit");
        numbers.push(task_number(sent));
    }
    // One over: refused, nothing stored.
    let cases = per_unit(
        &|u| format!("/task @bob {} due fri 18:00", over(u, MAX_TITLE_CHARS + 1)),
        ALICE,
    );
    for sent in h.run(&cases, true).await {
        assert!(
            plain(&sent).contains(&MAX_TITLE_CHARS.to_string()),
            "{}",
            plain(&sent)
        );
    }
    for i in 0..units.len() {
        assert_eq!(
            h.app
                .ctx
                .store
                .open_tasks(ChatId(lane(i)))
                .await
                .expect("tasks")
                .len(),
            1
        );
    }
    // Block reasons at the limit (shown whole) and one over (refused); then the history.
    let cases: Vec<_> = units
        .iter()
        .enumerate()
        .flat_map(|(i, u)| {
            [
                (
                    lane(i),
                    ALICE,
                    format!("/block {} {}", numbers[i], over(u, MAX_NOTE_CHARS + 1)),
                ),
                (
                    lane(i),
                    ALICE,
                    format!("/block {} {}", numbers[i], at(u, MAX_NOTE_CHARS)),
                ),
            ]
        })
        .collect();
    let answers = h.run(&cases, true).await;
    for (i, u) in units.iter().enumerate() {
        assert!(plain(&answers[2 * i]).contains(&MAX_NOTE_CHARS.to_string()));
        assert_shows(
            &answers[2 * i + 1],
            &at(u, MAX_NOTE_CHARS),
            "reason at the limit",
        );
    }
    let cases: Vec<_> = (0..units.len())
        .map(|i| (lane(i), ALICE, format!("/task {}", numbers[i])))
        .collect();
    for (i, sent) in h.run(&cases, false).await.iter().enumerate() {
        assert_shows(
            sent,
            &at(units[i], MAX_NOTE_CHARS),
            "history with the reason",
        );
        assert_shows(sent, &at(units[i], MAX_TITLE_CHARS), "title in the detail");
    }
    // Done-when, creative label and currency at and one over their limits.
    let checkin = "/checkin xhs spend=1 impressions=10 clicks=1 orders=0 gmv=0 creative=";
    let mut cases = Vec::new();
    for (i, u) in units.iter().enumerate() {
        for (text, ok) in [
            (
                format!("/task @bob dw due fri 18:00 | {}", at(u, MAX_NOTE_CHARS)),
                Some(at(u, MAX_NOTE_CHARS)),
            ),
            (
                format!(
                    "/task @bob dw due fri 18:00 | {}",
                    over(u, MAX_NOTE_CHARS + 1)
                ),
                None,
            ),
            (
                format!("{checkin}{}", at(u, MAX_CREATIVE_CHARS)),
                Some(at(u, MAX_CREATIVE_CHARS)),
            ),
            (
                format!("{checkin}{}", over(u, MAX_CREATIVE_CHARS + 1)),
                None,
            ),
            (format!("/currency {}", at(u, 4)), Some(at(u, 4))),
            (format!("/currency {}", over(u, 5)), Some(over(u, 5))),
        ] {
            cases.push(((lane(i), ALICE, text), ok));
        }
    }
    let inputs: Vec<_> = cases.iter().map(|(c, _)| c.clone()).collect();
    let answers = h.run(&inputs, true).await;
    for ((input, shows), sent) in cases.iter().zip(&answers) {
        if let Some(raw) = shows {
            assert_shows(sent, raw, &input.2);
        }
    }
    // Channel names: 20 ASCII characters accepted, 21 refused (both quoted).
    let cases: Vec<_> = [MAX_SLUG_LEN, MAX_SLUG_LEN + 1]
        .iter()
        .enumerate()
        .map(|(i, n)| {
            (
                lane(i),
                ALICE,
                format!("/channel add {} test 100", "c".repeat(*n)),
            )
        })
        .collect();
    let answers = h.run(&cases, true).await;
    assert_shows(&answers[0], &"c".repeat(MAX_SLUG_LEN), "channel name");
    assert_shows(&answers[1], &"c".repeat(MAX_SLUG_LEN + 1), "channel name");
    // Telegram's own limit on an incoming message: 4,096 UTF-16 units.
    let frame = utf16("/task @bob  due fri");
    let max = format!("/task @bob {} due fri", "&".repeat(4096 - frame));
    assert_eq!(utf16(&max), 4096);
    let max_emoji = format!("/help {}", "😀".repeat((4096 - 6) / 2));
    assert!(utf16(&max_emoji) <= 4096);
    h.run(&[(lane(0), ALICE, max), (lane(1), ALICE, max_emoji)], true)
        .await;
    let mut follow = Vec::new();
    for cmd in [
        "/tasks",
        "/tasks all",
        "/plan",
        "/abtest xhs",
        "/export all",
    ] {
        follow.extend((0..units.len()).map(|i| (lane(i), BOB, cmd.to_string())));
    }
    h.run(&follow, false).await;
    h.finish().await;
}

/// 60 open tasks with 190-character titles: `/tasks` fits one valid message (the most urgent,
/// then "…and N more"); Bob's private `/mytasks` lists all 60, split into several valid
/// messages.
async fn a_long_task_list_arrives_split_and_valid(db: TestDb) {
    let mut h = Hostile::new(db, "long list").await;
    for i in 0..60 {
        let head = format!("{i:02} <&> 👩\u{200d}👩\u{200d}👧 e\u{301} ");
        let pad = 190 - head.chars().count();
        let title = format!("{head}{}", "y".repeat(pad));
        assert_eq!(title.chars().count(), 190);
        store_task(&h.app, GROUP, &title, None).await;
    }
    let listed = |shown: &str| {
        (1..=60)
            .filter(|i| shown.contains(&format!("#{i} ")))
            .count()
    };
    for cmd in ["/tasks", "/tasks all", "/tasks @bob"] {
        let sent = h.input(GROUP, BOB, cmd).await;
        assert_eq!(sent.len(), 1, "{cmd} is one message");
        let shown = plain(&sent);
        let n = listed(&shown);
        assert!(n >= 10, "{cmd} lists {n}");
        assert!(
            n == 60 || shown.contains(&(60 - n).to_string()),
            "{cmd} says how many more: {shown}"
        );
    }
    let sent = h.input(BOB, BOB, "/mytasks").await;
    assert!(sent.len() >= 3, "split into {} messages", sent.len());
    assert_eq!(listed(&plain(&sent)), 60, "every task listed");
    eprintln!(
        "hostile long list: private /mytasks with 60 titles of 190 characters arrived in {} messages",
        sent.len()
    );
    h.finish().await;
}
