//! The Bot API emulator, driven through teloxide's own requests: every response must
//! deserialize in teloxide and every error must map to the `ApiError` a real Telegram error would.

use std::sync::Arc;
use std::time::Duration;

use campaign_bot::clock::ManualClock;
use campaign_bot::console::emulator::{ChatKind, Emulator, Fault, SendOpts, SentKind, UserSpec};
use teloxide::adaptors::throttle::Limits;
use teloxide::payloads::{AnswerCallbackQuerySetters, GetUpdatesSetters};
use teloxide::prelude::*;
use teloxide::types::{
    BotCommand, BotCommandScope, ChatMemberKind, InlineKeyboardButton, InlineKeyboardMarkup,
    InputFile, MessageEntityKind, MessageId, ParseMode, Recipient, ReplyParameters, UpdateKind,
};
use teloxide::{ApiError, RequestError};

const START: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z
const GROUP: i64 = -1001;
const ALICE: i64 = 11;
const BOB: i64 = 22;
/// Guard against hangs only; nothing below waits for time to pass.
const PATIENCE: Duration = Duration::from_secs(10);

async fn setup() -> (Emulator, Bot, Arc<ManualClock>) {
    let clock = ManualClock::new(START);
    let emu = Emulator::start(clock.clone())
        .await
        .expect("emulator starts");
    emu.add_user(
        UserSpec::new(ALICE, "Alice")
            .username("alice")
            .language("en"),
    );
    emu.add_user(UserSpec {
        id: BOB,
        first_name: "Bob".into(),
        last_name: Some("Builder".into()),
        username: None,
        language_code: Some("ru".into()),
    });
    emu.add_chat(GROUP, ChatKind::Group, "Promo team");
    emu.add_chat(ALICE, ChatKind::Private, "Alice");
    let client = teloxide::net::default_reqwest_settings()
        .no_proxy()
        .build()
        .expect("http client");
    let bot = Bot::with_client(emu.token(), client).set_api_url(emu.api_url());
    (emu, bot, clock)
}

/// `url::Url::join` would read "bot123:TOKEN" as a scheme, so build the URL as teloxide does.
fn method_url(emu: &Emulator, method: &str) -> String {
    format!("{}bot{}/{method}", emu.api_url(), emu.token())
}

fn api_error<T: std::fmt::Debug>(r: Result<T, RequestError>) -> ApiError {
    match r {
        Err(RequestError::Api(e)) => e,
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test]
async fn get_me_deserializes() {
    let (emu, bot, _) = setup().await;
    let me = bot.get_me().await.unwrap();
    assert_eq!(me.username(), emu.bot_username());
    assert_eq!(me.id.0 as i64, emu.bot_user_id());
    assert!(me.is_bot);
    assert_eq!(emu.request_count("getMe"), 1);
}

#[tokio::test]
async fn send_message_with_html_is_stored_and_dated_by_the_clock() {
    let (emu, bot, clock) = setup().await;
    clock.advance(3600);
    let msg = bot
        .send_message(ChatId(GROUP), "<b>Plan</b> for &lt;today&gt;")
        .parse_mode(ParseMode::Html)
        .await
        .unwrap();
    assert_eq!(msg.text(), Some("Plan for <today>"));
    assert_eq!(msg.chat.id, ChatId(GROUP));
    assert_eq!(msg.date.timestamp(), START + 3600);
    assert_eq!(
        msg.from.as_ref().map(|u| u.id.0 as i64),
        Some(emu.bot_user_id())
    );

    assert!(emu.wait_sent(1, PATIENCE).await);
    let sent = emu.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].kind, SentKind::Text);
    assert_eq!(sent[0].message_id, msg.id.0 as i64);
    assert_eq!(sent[0].text, "<b>Plan</b> for &lt;today&gt;");
    assert_eq!(sent[0].plain_text(), "Plan for <today>");
    assert_eq!(sent[0].parse_mode.as_deref(), Some("HTML"));
    assert!(!sent[0].edited);
}

#[tokio::test]
async fn telegram_validation_errors_map_to_teloxide_errors() {
    let (emu, bot, _) = setup().await;

    // 4096 UTF-16 units is the limit: 2048 emoji are exactly at it, one more is over.
    let at_limit = "👍".repeat(2048);
    bot.send_message(ChatId(GROUP), at_limit).await.unwrap();
    let e = api_error(bot.send_message(ChatId(GROUP), "👍".repeat(2049)).await);
    assert_eq!(e, ApiError::MessageIsTooLong);
    // Markup does not count towards the limit.
    let long_markup = format!("<b>{}</b>", "x".repeat(4096));
    bot.send_message(ChatId(GROUP), long_markup)
        .parse_mode(ParseMode::Html)
        .await
        .unwrap();

    let e = api_error(
        bot.send_message(ChatId(GROUP), "<b>unclosed")
            .parse_mode(ParseMode::Html)
            .await,
    );
    assert!(
        matches!(&e, ApiError::CantParseEntities(d) if d.contains("Can't find end tag corresponding to start tag \"b\"")),
        "{e:?}"
    );
    let e = api_error(
        bot.send_message(ChatId(GROUP), "<script>x</script>")
            .parse_mode(ParseMode::Html)
            .await,
    );
    assert!(matches!(e, ApiError::CantParseEntities(_)), "{e:?}");

    assert_eq!(
        api_error(bot.send_message(ChatId(GROUP), "  ").await),
        ApiError::MessageTextIsEmpty
    );
    assert_eq!(
        api_error(bot.send_message(ChatId(-999), "hi").await),
        ApiError::ChatNotFound
    );

    let too_long_data =
        InlineKeyboardMarkup::new([[InlineKeyboardButton::callback("press", "d".repeat(65))]]);
    assert_eq!(
        api_error(
            bot.send_message(ChatId(GROUP), "hi")
                .reply_markup(too_long_data)
                .await
        ),
        ApiError::ButtonDataInvalid
    );

    let caption = "c".repeat(1025);
    let e = api_error(
        bot.send_photo(ChatId(GROUP), InputFile::memory(vec![1u8, 2, 3]))
            .caption(caption)
            .await,
    );
    assert!(
        matches!(&e, ApiError::Unknown(d) if d == "Bad Request: message caption is too long"),
        "{e:?}"
    );

    // Only the two good messages were stored; every failure was recorded.
    assert_eq!(emu.sent_count(), 2);
    let rejections = emu.rejections();
    assert_eq!(rejections.len(), 7);
    assert!(rejections.iter().all(|r| r.error_code == 400));
    assert_eq!(rejections[0].method, "sendMessage");
    assert_eq!(
        rejections[0].description,
        "Bad Request: message is too long"
    );
    assert_eq!(rejections[4].body["chat_id"], serde_json::json!(-999));
}

#[tokio::test]
async fn photos_and_documents_keep_their_bytes() {
    let (emu, bot, _) = setup().await;
    let png = vec![0x89u8, b'P', b'N', b'G', 0, 1, 2, 3, 255];
    let msg = bot
        .send_photo(
            ChatId(GROUP),
            InputFile::memory(png.clone()).file_name("chart.png"),
        )
        .caption("<i>Weekly</i> chart")
        .parse_mode(ParseMode::Html)
        .reply_markup(InlineKeyboardMarkup::new([[
            InlineKeyboardButton::callback("ok", "ok"),
        ]]))
        .await
        .unwrap();
    assert_eq!(msg.caption(), Some("Weekly chart"));
    assert!(msg.photo().is_some_and(|p| !p.is_empty()));
    assert!(msg.reply_markup().is_some());

    let csv = b"day,gmv\n1,100\n".to_vec();
    let doc = bot
        .send_document(
            ChatId(ALICE),
            InputFile::memory(csv.clone()).file_name("report.csv"),
        )
        .await
        .unwrap();
    assert_eq!(
        doc.document().and_then(|d| d.file_name.as_deref()),
        Some("report.csv")
    );

    let sent = emu.sent();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].kind, SentKind::Photo);
    assert_eq!(sent[0].text, "<i>Weekly</i> chart");
    assert_eq!(sent[0].file_bytes.as_deref(), Some(&png[..]));
    assert_eq!(sent[0].file_name.as_deref(), Some("chart.png"));
    assert_eq!(sent[0].callback_data(), vec!["ok".to_owned()]);
    assert_eq!(sent[1].kind, SentKind::Document);
    assert_eq!(sent[1].chat_id, ALICE);
    assert_eq!(sent[1].file_bytes.as_deref(), Some(&csv[..]));
    assert_eq!(sent[1].file_name.as_deref(), Some("report.csv"));
}

#[tokio::test]
async fn edits_update_in_place_and_unchanged_edits_are_refused() {
    let (emu, bot, clock) = setup().await;
    let keyboard = InlineKeyboardMarkup::new([[InlineKeyboardButton::callback("Done", "done:1")]]);
    let msg = bot
        .send_message(ChatId(GROUP), "Task 1: open")
        .reply_markup(keyboard.clone())
        .await
        .unwrap();

    clock.advance(60);
    let edited = bot
        .edit_message_text(ChatId(GROUP), msg.id, "Task 1: <b>done</b>")
        .parse_mode(ParseMode::Html)
        .await
        .unwrap();
    assert_eq!(edited.text(), Some("Task 1: done"));
    assert_eq!(edited.edit_date().map(|d| d.timestamp()), Some(START + 60));
    assert!(
        edited.reply_markup().is_none(),
        "an edit without markup drops the keyboard"
    );

    let e = api_error(
        bot.edit_message_text(ChatId(GROUP), msg.id, "Task 1: <b>done</b>")
            .parse_mode(ParseMode::Html)
            .await,
    );
    assert_eq!(e, ApiError::MessageNotModified);
    // Same text, different formatting is a change.
    bot.edit_message_text(ChatId(GROUP), msg.id, "Task 1: done")
        .await
        .unwrap();

    bot.edit_message_reply_markup(ChatId(GROUP), msg.id)
        .reply_markup(keyboard.clone())
        .await
        .unwrap();
    let e = api_error(
        bot.edit_message_reply_markup(ChatId(GROUP), msg.id)
            .reply_markup(keyboard)
            .await,
    );
    assert_eq!(e, ApiError::MessageNotModified);

    let e = api_error(
        bot.edit_message_text(ChatId(GROUP), MessageId(9999), "x")
            .await,
    );
    assert_eq!(e, ApiError::MessageToEditNotFound);

    let sent = emu.sent();
    assert_eq!(sent.len(), 1, "edits do not add messages");
    assert!(sent[0].edited);
    assert_eq!(sent[0].text, "Task 1: done");
    assert_eq!(sent[0].callback_data(), vec!["done:1".to_owned()]);
    let edits = emu.edits();
    assert_eq!(edits.len(), 3);
    assert_eq!(edits[0].old_text, "Task 1: open");
    assert_eq!(edits[0].new_text, "Task 1: <b>done</b>");
    assert_eq!(edits[2].method, "editMessageReplyMarkup");
}

#[tokio::test]
async fn chat_members_and_admins_deserialize() {
    let (emu, bot, _) = setup().await;
    emu.set_creator(GROUP, ALICE);
    emu.set_admin(GROUP, BOB, true);
    emu.set_chat_title(GROUP, "Promo team 2026");

    let admins = bot.get_chat_administrators(ChatId(GROUP)).await.unwrap();
    assert_eq!(admins.len(), 2);
    assert!(matches!(admins[0].kind, ChatMemberKind::Owner(_)));
    assert_eq!(admins[0].user.id, UserId(ALICE as u64));
    assert!(matches!(admins[1].kind, ChatMemberKind::Administrator(_)));
    assert_eq!(admins[1].user.last_name.as_deref(), Some("Builder"));

    let bob = bot
        .get_chat_member(ChatId(GROUP), UserId(BOB as u64))
        .await
        .unwrap();
    assert!(bob.kind.is_privileged());
    emu.set_admin(GROUP, BOB, false);
    let bob = bot
        .get_chat_member(ChatId(GROUP), UserId(BOB as u64))
        .await
        .unwrap();
    assert!(bob.kind.is_member());
    emu.set_member(GROUP, BOB, false);
    let bob = bot
        .get_chat_member(ChatId(GROUP), UserId(BOB as u64))
        .await
        .unwrap();
    assert!(bob.kind.is_left());
    let e = api_error(bot.get_chat_member(ChatId(GROUP), UserId(404)).await);
    assert_eq!(e, ApiError::UserNotFound);

    let chat = bot.get_chat(ChatId(GROUP)).await.unwrap();
    assert!(chat.is_group());
    assert_eq!(chat.title(), Some("Promo team 2026"));
    let private = bot.get_chat(ChatId(ALICE)).await.unwrap();
    assert!(private.is_private());
    assert_eq!(private.username(), Some("alice"));

    bot.send_chat_action(ChatId(GROUP), teloxide::types::ChatAction::Typing)
        .await
        .unwrap();
}

#[tokio::test]
async fn commands_are_recorded_per_language_and_scope() {
    let (emu, bot, _) = setup().await;
    bot.set_my_commands([
        BotCommand::new("plan", "Today's plan"),
        BotCommand::new("report", "Send a report"),
    ])
    .await
    .unwrap();
    bot.set_my_commands([BotCommand::new("plan", "План на сегодня")])
        .language_code("ru")
        .await
        .unwrap();
    bot.set_my_commands([BotCommand::new("admin", "Admin tools")])
        .scope(BotCommandScope::ChatAdministrators {
            chat_id: Recipient::Id(ChatId(GROUP)),
        })
        .await
        .unwrap();

    let all = emu.my_commands();
    assert_eq!(all.len(), 3);
    assert_eq!(all[0].0, None);
    assert_eq!(
        all[0].1[1],
        ("report".to_owned(), "Send a report".to_owned())
    );
    assert_eq!(all[1].0.as_deref(), Some("ru"));
    assert_eq!(emu.command_sets()[2].scope["type"], "chat_administrators");

    let ru = bot.get_my_commands().language_code("ru").await.unwrap();
    assert_eq!(ru, vec![BotCommand::new("plan", "План на сегодня")]);

    bot.delete_my_commands().language_code("ru").await.unwrap();
    assert_eq!(emu.my_commands().len(), 2);
    assert!(
        bot.get_my_commands()
            .language_code("ru")
            .await
            .unwrap()
            .is_empty()
    );

    let e = api_error(
        bot.set_my_commands([BotCommand::new("Bad Command", "x")])
            .await,
    );
    assert!(matches!(e, ApiError::Unknown(d) if d == "Bad Request: BOT_COMMAND_INVALID"));
}

#[tokio::test]
async fn long_poll_delivers_updates_and_offset_acknowledges() {
    let (emu, bot, clock) = setup().await;

    // A poll that is already waiting is woken by the new update.
    let waiting = tokio::spawn(bot.get_updates().timeout(30).send());
    assert!(
        emu.wait_for(PATIENCE, |e| e.request_count("getUpdates") == 1)
            .await
    );
    clock.advance(5);
    let reply_to = bot
        .send_message(ChatId(GROUP), "Who is on duty?")
        .await
        .unwrap();
    let id = emu.send_text_opts(
        GROUP,
        ALICE,
        "/plan@campaign_bot tomorrow @bob_the_builder and Bob",
        SendOpts {
            reply_to_message_id: Some(reply_to.id.0 as i64),
            text_mentions: vec![("Bob".into(), BOB)],
            ..SendOpts::default()
        },
    );
    let updates = tokio::time::timeout(PATIENCE, waiting)
        .await
        .expect("long poll returns once an update is queued")
        .unwrap()
        .unwrap();
    assert_eq!(updates.len(), 1);
    assert_eq!(updates[0].id.0 as i64, id);
    let UpdateKind::Message(msg) = &updates[0].kind else {
        panic!("expected a message, got {:?}", updates[0].kind);
    };
    assert_eq!(
        msg.text(),
        Some("/plan@campaign_bot tomorrow @bob_the_builder and Bob")
    );
    assert_eq!(msg.from.as_ref().map(|u| u.id), Some(UserId(ALICE as u64)));
    assert_eq!(msg.chat.id, ChatId(GROUP));
    assert_eq!(msg.date.timestamp(), START + 5);
    assert_eq!(msg.reply_to_message().map(|m| m.id), Some(reply_to.id));
    let kinds: Vec<_> = msg
        .entities()
        .unwrap()
        .iter()
        .map(|e| e.kind.clone())
        .collect();
    assert_eq!(kinds[0], MessageEntityKind::BotCommand);
    assert_eq!(
        msg.entities().unwrap()[0].length,
        "/plan@campaign_bot".len()
    );
    assert_eq!(kinds[1], MessageEntityKind::Mention);
    assert!(
        matches!(&kinds[2], MessageEntityKind::TextMention { user } if user.id == UserId(BOB as u64))
    );

    // Not acknowledged yet: delivered again.
    let again = bot.get_updates().await.unwrap();
    assert_eq!(again.len(), 1);
    // offset = id + 1 acknowledges it; with nothing new, a zero timeout returns empty at once.
    let after = bot.get_updates().offset((id + 1) as i32).await.unwrap();
    assert!(after.is_empty());
    assert_eq!(emu.pending_updates(), 0);

    // limit
    let first = emu.send_text(GROUP, BOB, "one");
    emu.send_text(GROUP, BOB, "two");
    let batch = bot
        .get_updates()
        .offset(first as i32)
        .limit(1)
        .await
        .unwrap();
    assert_eq!(batch.len(), 1);
    assert_eq!(batch[0].id.0 as i64, first);
}

#[tokio::test]
async fn chat_member_updates_come_only_to_a_bot_that_asks_for_them() {
    use teloxide::types::AllowedUpdate;
    let (emu, bot, _clock) = setup().await;
    let member_change = || serde_json::json!({"chat_member": {"chat": {"id": GROUP}}});

    // Telegram's default leaves chat_member out: such an update never reaches the bot.
    emu.push_raw_update(member_change());
    let default = bot.get_updates().await.unwrap();
    assert!(default.is_empty(), "{default:?}");
    assert_eq!(emu.pending_updates(), 0);

    // Asked for, it comes; the choice is remembered by later calls without the parameter.
    let asked = bot
        .get_updates()
        .allowed_updates(vec![AllowedUpdate::Message, AllowedUpdate::ChatMember])
        .await
        .unwrap();
    assert!(asked.is_empty());
    let id = emu.push_raw_update(member_change());
    let delivered = bot.get_updates().await.unwrap();
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0].id.0 as i64, id);

    // A type outside the list is not sent.
    bot.get_updates()
        .offset((id + 1) as i32)
        .allowed_updates(vec![AllowedUpdate::ChatMember])
        .await
        .unwrap();
    emu.send_text(GROUP, ALICE, "hello");
    assert!(bot.get_updates().await.unwrap().is_empty());
}

#[tokio::test]
async fn duplicate_update_ids_and_anonymous_admins() {
    let (emu, bot, _) = setup().await;
    let id = emu.send_text(GROUP, ALICE, "/report 100");
    let got = bot.get_updates().await.unwrap();
    assert_eq!(got.len(), 1);
    let acked = bot.get_updates().offset((id + 1) as i32).await.unwrap();
    assert!(acked.is_empty());

    // Telegram re-delivering the same update after it was acknowledged.
    let dup = emu.send_text_opts(
        GROUP,
        ALICE,
        "/report 100",
        SendOpts {
            update_id: Some(id),
            ..SendOpts::default()
        },
    );
    assert_eq!(dup, id);
    let redelivered = bot.get_updates().offset((id + 1) as i32).await.unwrap();
    assert_eq!(redelivered.len(), 1);
    assert_eq!(redelivered[0].id.0 as i64, id);
    assert!(
        bot.get_updates()
            .offset((id + 1) as i32)
            .await
            .unwrap()
            .is_empty()
    );

    emu.send_text_opts(
        GROUP,
        ALICE,
        "/plan",
        SendOpts {
            sender_chat: Some(GROUP),
            ..SendOpts::default()
        },
    );
    let updates = bot.get_updates().offset((id + 1) as i32).await.unwrap();
    let UpdateKind::Message(msg) = &updates[0].kind else {
        panic!("expected a message");
    };
    assert!(msg.from.as_ref().is_some_and(|u| u.is_anonymous()));
    assert_eq!(msg.sender_chat.as_ref().map(|c| c.id), Some(ChatId(GROUP)));
}

#[tokio::test]
async fn callback_queries_round_trip() {
    let (emu, bot, _) = setup().await;
    let msg = bot
        .send_message(ChatId(GROUP), "Confirm?")
        .reply_markup(InlineKeyboardMarkup::new([[
            InlineKeyboardButton::callback("Yes", "confirm:7"),
        ]]))
        .await
        .unwrap();
    let id = emu.press_button(GROUP, BOB, msg.id.0 as i64, "confirm:7");
    let updates = bot.get_updates().await.unwrap();
    assert_eq!(updates[0].id.0 as i64, id);
    let UpdateKind::CallbackQuery(q) = &updates[0].kind else {
        panic!("expected a callback query, got {:?}", updates[0].kind);
    };
    assert_eq!(q.data.as_deref(), Some("confirm:7"));
    assert_eq!(q.from.id, UserId(BOB as u64));
    assert_eq!(q.regular_message().map(|m| m.id), Some(msg.id));

    bot.answer_callback_query(q.id.clone())
        .text("Saved")
        .await
        .unwrap();
    assert_eq!(
        emu.callback_answers(),
        vec![(q.id.0.clone(), Some("Saved".to_owned()))]
    );
    let e = api_error(bot.answer_callback_query(q.id.clone()).await);
    assert_eq!(e, ApiError::InvalidQueryId);
}

#[tokio::test]
async fn replies_must_point_at_existing_messages() {
    let (emu, bot, _) = setup().await;
    emu.send_text(GROUP, ALICE, "hello");
    let updates = bot.get_updates().await.unwrap();
    let UpdateKind::Message(user_msg) = &updates[0].kind else {
        panic!("expected a message");
    };
    let reply = bot
        .send_message(ChatId(GROUP), "hi Alice")
        .reply_parameters(ReplyParameters::new(user_msg.id))
        .await
        .unwrap();
    assert_eq!(reply.reply_to_message().map(|m| m.id), Some(user_msg.id));
    assert_eq!(
        emu.sent()[0].reply_to_message_id,
        Some(user_msg.id.0 as i64)
    );

    let e = api_error(
        bot.send_message(ChatId(GROUP), "x")
            .reply_parameters(ReplyParameters::new(MessageId(424242)))
            .await,
    );
    assert_eq!(e, ApiError::MessageToReplyNotFound);
}

#[tokio::test]
async fn throttled_bot_sends() {
    let (emu, bot, _) = setup().await;
    let throttled = bot.throttle(Limits::default());
    throttled
        .send_message(ChatId(GROUP), "through the throttle")
        .await
        .unwrap();
    throttled
        .send_message(ChatId(ALICE), "private too")
        .await
        .unwrap();
    assert!(emu.wait_sent(2, PATIENCE).await);
    assert_eq!(emu.sent()[0].text, "through the throttle");
}

#[tokio::test]
async fn faults_look_like_telegram() {
    let (emu, bot, _) = setup().await;

    emu.set_fault(Fault::TooManyRequests {
        retry_after: 7,
        times: 1,
    });
    match bot.send_message(ChatId(GROUP), "x").await {
        Err(RequestError::RetryAfter(s)) => assert_eq!(s.seconds(), 7),
        other => panic!("expected RetryAfter, got {other:?}"),
    }
    bot.send_message(ChatId(GROUP), "retried").await.unwrap();

    emu.set_fault(Fault::Forbidden { chat_id: ALICE });
    assert_eq!(
        api_error(bot.send_message(ChatId(ALICE), "x").await),
        ApiError::BotBlocked
    );
    bot.send_message(ChatId(GROUP), "other chats work")
        .await
        .unwrap();

    emu.set_fault(Fault::Migrate {
        chat_id: GROUP,
        to: -100_777,
    });
    match bot.send_message(ChatId(GROUP), "x").await {
        Err(RequestError::MigrateToChatId(to)) => assert_eq!(to, ChatId(-100_777)),
        other => panic!("expected MigrateToChatId, got {other:?}"),
    }
    bot.send_message(ChatId(-100_777), "moved").await.unwrap();
    let chat = bot.get_chat(ChatId(-100_777)).await.unwrap();
    assert!(chat.is_supergroup());

    emu.set_fault(Fault::Slow {
        millis: 1,
        times: 1,
    });
    bot.send_message(ChatId(GROUP), "slow but fine")
        .await
        .unwrap();
    assert_eq!(emu.fault(), Fault::None);

    assert_eq!(emu.sent_count(), 4);
    let codes: Vec<u16> = emu.rejections().iter().map(|r| r.error_code).collect();
    assert_eq!(codes, vec![429, 403, 400]);
}

#[tokio::test]
async fn a_rate_limit_storm_refuses_the_first_burst_of_every_period() {
    let (emu, bot, _) = setup().await;
    emu.set_fault(Fault::RateLimitStorm {
        retry_after: 2,
        period: 3,
        burst: 1,
    });
    let mut pattern = String::new();
    for i in 0..9 {
        match bot.send_message(ChatId(GROUP), format!("m{i}")).await {
            Ok(_) => pattern.push('.'),
            Err(RequestError::RetryAfter(s)) => {
                assert_eq!(s.seconds(), 2);
                pattern.push('R');
            }
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(pattern, "R..R..R..");
    // Setting the storm again restarts its count; bursts of 2 in periods of 4.
    emu.set_fault(Fault::RateLimitStorm {
        retry_after: 1,
        period: 4,
        burst: 2,
    });
    let mut pattern = String::new();
    for i in 0..8 {
        let ok = bot
            .send_message(ChatId(GROUP), format!("n{i}"))
            .await
            .is_ok();
        pattern.push(if ok { '.' } else { 'R' });
    }
    assert_eq!(pattern, "RR..RR..");
    emu.set_fault(Fault::None);
    assert_eq!(emu.sent_count(), 6 + 4);
    assert_eq!(emu.fault_stats().too_many_requests, 3 + 4);
    assert_eq!(emu.request_count("sendMessage"), 17);
    assert!(emu.rejections().iter().all(|r| r.error_code == 429));
}

/// Writes one raw HTTP request and returns every byte the emulator sends back before closing.
async fn raw_exchange(emu: &Emulator, body: &str) -> Vec<u8> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(emu.addr()).await.unwrap();
    let request = format!(
        "POST /bot{}/sendMessage HTTP/1.1\r\nHost: emulator\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        emu.token(),
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    // A reset instead of a clean close also means "no response"; keep what arrived.
    let _ = tokio::time::timeout(PATIENCE, stream.read_to_end(&mut answer))
        .await
        .expect("the emulator closes the connection");
    answer
}

#[tokio::test]
async fn a_dropped_request_gets_no_http_response_and_sends_nothing() {
    let (emu, bot, _) = setup().await;
    let body = format!(r#"{{"chat_id":{GROUP},"text":"lost"}}"#);

    emu.set_fault(Fault::Drop { times: 1 });
    assert!(
        raw_exchange(&emu, &body).await.is_empty(),
        "no status line, no headers"
    );
    assert_eq!(emu.sent_count(), 0);

    // Through teloxide: a network error, not an API error; the next request goes through.
    emu.set_fault(Fault::Drop { times: 2 });
    for _ in 0..2 {
        match bot.send_message(ChatId(GROUP), "lost").await {
            Err(RequestError::Network(_)) => {}
            other => panic!("expected a network error, got {other:?}"),
        }
    }
    bot.send_message(ChatId(GROUP), "arrives").await.unwrap();
    assert_eq!(emu.fault(), Fault::None);
    let texts: Vec<String> = emu.sent().into_iter().map(|m| m.text).collect();
    assert_eq!(texts, ["arrives"]);
    // reqwest did not resend on its own: one request per call.
    assert_eq!(emu.request_count("sendMessage"), 4);
    assert_eq!(emu.fault_stats().dropped, 3);
    assert!(emu.rejections().is_empty());
}

#[tokio::test]
async fn a_request_dropped_after_sending_is_sent_but_unanswered() {
    let (emu, bot, _) = setup().await;
    let body = format!(r#"{{"chat_id":{GROUP},"text":"sent, unanswered"}}"#);
    emu.set_fault(Fault::DropAfterSend { times: 2 });
    assert!(raw_exchange(&emu, &body).await.is_empty());
    match bot.send_message(ChatId(GROUP), "sent too").await {
        Err(RequestError::Network(_)) => {}
        other => panic!("expected a network error, got {other:?}"),
    }
    let texts: Vec<String> = emu.sent().into_iter().map(|m| m.text).collect();
    assert_eq!(texts, ["sent, unanswered", "sent too"]);
    assert_eq!(emu.fault_stats().dropped_after_send, 2);
    assert_eq!(emu.fault(), Fault::None);
}

#[tokio::test]
async fn a_slow_request_is_carried_out_even_after_the_client_gave_up() {
    let (emu, _, _) = setup().await;
    // teloxide's client gives up after 17 s; a shorter timeout shows the same thing quickly.
    let client = teloxide::net::default_reqwest_settings()
        .no_proxy()
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let impatient = Bot::with_client(emu.token(), client).set_api_url(emu.api_url());
    emu.set_fault(Fault::Slow {
        millis: 600,
        times: 1,
    });
    let asked = std::time::Instant::now();
    match impatient.send_message(ChatId(GROUP), "late").await {
        Err(RequestError::Network(e)) => assert!(e.is_timeout(), "{e}"),
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert_eq!(
        emu.sent_count(),
        0,
        "not yet carried out when the client gave up"
    );
    assert!(emu.wait_sent(1, PATIENCE).await);
    let sent = emu.sent();
    assert_eq!(sent[0].text, "late");
    assert!(sent[0].accepted_at - asked >= Duration::from_millis(600));
    assert_eq!(emu.fault_stats().slowed, 1);
}

#[tokio::test]
async fn sent_messages_carry_the_real_time_they_were_accepted() {
    let (emu, bot, _) = setup().await;
    let before = std::time::Instant::now();
    bot.send_message(ChatId(GROUP), "one").await.unwrap();
    let between = std::time::Instant::now();
    bot.send_message(ChatId(ALICE), "two").await.unwrap();
    let after = std::time::Instant::now();
    let sent = emu.sent();
    assert!(before <= sent[0].accepted_at && sent[0].accepted_at <= between);
    assert!(between <= sent[1].accepted_at && sent[1].accepted_at <= after);
}

#[tokio::test]
async fn wrong_token_and_unknown_methods() {
    let (emu, _, _) = setup().await;
    let client = teloxide::net::default_reqwest_settings()
        .no_proxy()
        .build()
        .unwrap();
    let bad = Bot::with_client("1:WRONG", client.clone()).set_api_url(emu.api_url());
    assert_eq!(api_error(bad.get_me().await), ApiError::InvalidToken);

    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let url = method_url(&emu, "frobnicate");
    let resp = http
        .post(&url)
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(
        body,
        serde_json::json!({"ok": false, "error_code": 404, "description": "Not Found"})
    );

    // Garbage bodies are a 400, not a crash.
    let send = method_url(&emu, "sendMessage");
    let resp = http
        .post(&send)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let resp = http
        .post(&send)
        .json(&serde_json::json!({"chat_id": {"nested": true}, "text": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);

    // Method names are case-insensitive, like Telegram's; query strings work too.
    let get_me = method_url(&emu, "GETME");
    let body: serde_json::Value = http.get(get_me).send().await.unwrap().json().await.unwrap();
    assert_eq!(body["ok"], true);
    assert_eq!(emu.request_count("getme"), 1);
    assert_eq!(emu.rejections().len(), 4);
}

#[tokio::test]
async fn webhook_receives_updates_with_secret() {
    let (emu, bot, _) = setup().await;
    let (tx, mut rx) =
        tokio::sync::mpsc::unbounded_channel::<(Option<String>, serde_json::Value)>();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(
            move |headers: axum::http::HeaderMap,
                  axum::Json(body): axum::Json<serde_json::Value>| {
                let tx = tx.clone();
                async move {
                    let secret = headers
                        .get("X-Telegram-Bot-Api-Secret-Token")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned);
                    let _ = tx.send((secret, body));
                    "ok"
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook_url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    bot.set_webhook(hook_url.parse().unwrap())
        .secret_token("s3cret".to_owned())
        .await
        .unwrap();
    assert_eq!(emu.webhook(), Some((hook_url, Some("s3cret".to_owned()))));
    assert!(matches!(
        api_error(bot.get_updates().await),
        ApiError::Unknown(d) if d.starts_with("Conflict: can't use getUpdates")
    ));

    let id = emu.send_text(GROUP, ALICE, "/plan");
    let (secret, body) = tokio::time::timeout(PATIENCE, rx.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(secret.as_deref(), Some("s3cret"));
    assert_eq!(body["update_id"], id);
    assert_eq!(body["message"]["text"], "/plan");
    // teloxide's webhook listener parses the body text.
    let update: Update = serde_json::from_str(&body.to_string()).unwrap();
    assert!(matches!(update.kind, UpdateKind::Message(_)));
    assert!(
        emu.wait_for(PATIENCE, |e| e.webhook_deliveries() == 1)
            .await
    );
    assert_eq!(emu.pending_updates(), 0);

    let info = bot.get_webhook_info().await.unwrap();
    assert_eq!(info.pending_update_count, 0);
    bot.delete_webhook().await.unwrap();
    assert_eq!(emu.webhook(), None);
}

#[tokio::test]
async fn shutdown_releases_long_polls() {
    let (emu, bot, _) = setup().await;
    let waiting = tokio::spawn(bot.get_updates().timeout(60).send());
    assert!(
        emu.wait_for(PATIENCE, |e| e.request_count("getUpdates") == 1)
            .await
    );
    emu.shutdown();
    let updates = tokio::time::timeout(PATIENCE, waiting)
        .await
        .expect("shutdown ends the long poll")
        .unwrap()
        .unwrap();
    assert!(updates.is_empty());
}

#[tokio::test]
async fn a_second_poller_ends_the_first_with_a_conflict_but_a_hung_up_poll_is_no_rejection() {
    let (emu, bot, _) = setup().await;
    // Two live pollers, as two bot instances would be: the older one gets 409.
    let first = tokio::spawn(bot.get_updates().timeout(60).send());
    assert!(
        emu.wait_for(PATIENCE, |e| e.request_count("getUpdates") == 1)
            .await
    );
    let second = tokio::spawn(bot.get_updates().timeout(60).send());
    let conflict = tokio::time::timeout(PATIENCE, first)
        .await
        .expect("the older poll is ended")
        .unwrap();
    assert_eq!(api_error(conflict), ApiError::TerminatedByOtherGetUpdates);
    assert_eq!(emu.rejections().len(), 1, "{:#?}", emu.rejections());
    // The poller hangs up its long poll and sends a last short one, as teloxide does when it
    // stops: the abandoned request is nobody's rejection.
    second.abort();
    let _ = second.await;
    let last = bot.get_updates().timeout(0).await.unwrap();
    assert!(last.is_empty());
    emu.shutdown();
    assert!(
        !emu.wait_for(Duration::from_secs(3), |e| e.rejections().len() > 1)
            .await,
        "{:#?}",
        emu.rejections()
    );
}

#[tokio::test]
async fn a_posted_document_is_a_message_document_and_downloads_through_get_file() {
    use teloxide::net::Download;
    let (emu, bot, _) = setup().await;
    let bytes = "日期,消耗\n2026-01-01,12\n".as_bytes().to_vec();
    let posted = emu.send_document(GROUP, ALICE, "千川.csv", &bytes, Some("/import douyin"));
    let updates = bot.get_updates().await.expect("updates");
    let UpdateKind::Message(msg) = &updates[0].kind else {
        panic!("expected a message, got {updates:?}");
    };
    assert_eq!(msg.id.0 as i64, posted.message_id);
    assert_eq!(msg.caption(), Some("/import douyin"));
    let entities = msg.caption_entities().expect("caption entities");
    assert_eq!(entities[0].kind, MessageEntityKind::BotCommand);
    let doc = msg.document().expect("document");
    assert_eq!(doc.file_name.as_deref(), Some("千川.csv"));
    assert_eq!(doc.file.size as usize, bytes.len());
    assert_eq!(doc.file.id.0, posted.file_id);
    assert_eq!(
        doc.mime_type.as_ref().map(|m| m.essence_str().to_string()),
        Some("text/csv".into())
    );

    let file = bot.get_file(doc.file.id.clone()).await.expect("getFile");
    assert_eq!(file.id, doc.file.id);
    assert_eq!(file.unique_id, doc.file.unique_id);
    assert_eq!(file.size as usize, bytes.len());
    assert!(
        file.path.starts_with("documents/") && file.path.ends_with(".csv"),
        "{}",
        file.path
    );
    let mut got = Vec::new();
    bot.download_file(&file.path, &mut got)
        .await
        .expect("download");
    assert_eq!(got, bytes);

    // A reply to the document carries it in reply_to_message.
    emu.send_text_opts(
        GROUP,
        BOB,
        "/import",
        SendOpts {
            reply_to_message_id: Some(posted.message_id),
            ..SendOpts::default()
        },
    );
    let updates = bot
        .get_updates()
        .offset(updates[0].id.0 as i32 + 1)
        .await
        .expect("updates");
    let UpdateKind::Message(reply) = &updates[0].kind else {
        panic!("expected a message");
    };
    let original = reply.reply_to_message().expect("reply_to_message");
    assert_eq!(
        original.document().map(|d| d.file.id.clone()),
        Some(doc.file.id.clone())
    );
}

#[tokio::test]
async fn get_file_refuses_unknown_ids_and_files_over_20_mb_and_unknown_paths_are_404() {
    use teloxide::net::Download;
    let (emu, bot, _) = setup().await;
    let err = api_error(bot.get_file("nope".to_string().into()).await);
    assert!(matches!(err, ApiError::FileIdInvalid), "{err:?}");
    let big = vec![b'a'; campaign_bot::console::emulator::MAX_GETFILE_BYTES + 1];
    let posted = emu.send_document(GROUP, ALICE, "big.csv", &big, None);
    let err = api_error(bot.get_file(posted.file_id.clone().into()).await);
    // teloxide has no variant for it: the description is Telegram's.
    assert!(
        matches!(&err, ApiError::Unknown(d) if d == "Bad Request: file is too big"),
        "{err:?}"
    );
    let mut sink = Vec::new();
    let missing = bot.download_file("documents/none.csv", &mut sink).await;
    assert!(missing.is_err(), "{missing:?}");
    assert!(sink.is_empty());
}
