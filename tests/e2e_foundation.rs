//! The foundation through the emulator: languages, settings and permissions, duplicate
//! updates, hostile names, the command menu, webhook mode, and the console binary.

mod common;

use campaign_bot::domain::ids::ChatId;
use std::time::Duration;

use campaign_bot::console::emulator::{ChatKind, SendOpts, UserSpec};
use common::{ALICE, BOB, GROUP, TestApp, TestDb, WANG};

async fn sqlite_app() -> TestApp {
    TestApp::spawn(TestDb::sqlite().await).await
}

#[tokio::test]
async fn start_speaks_the_language_of_the_first_member() {
    let mut app = sqlite_app().await;
    let en = app.reply(GROUP, ALICE, "/start").await;
    assert!(en.contains("Settings for"), "{en}");
    let zh_group = -100_777;
    app.emulator
        .add_chat(zh_group, ChatKind::Supergroup, "推广组");
    let zh = app.reply(zh_group, WANG, "/start").await;
    assert!(zh.contains("的设置"), "{zh}");
    // Once set, the team keeps its language whoever speaks next.
    let again = app.reply(zh_group, ALICE, "/start").await;
    assert!(again.contains("的设置"), "{again}");
    app.stop().await.cleanup().await;
}

#[tokio::test]
async fn private_start_explains_how_to_add_the_bot() {
    let mut app = sqlite_app().await;
    let text = app.reply(BOB, BOB, "/start").await;
    assert!(
        text.contains("@campaign_bot") && text.contains("/mytasks"),
        "{text}"
    );
    let zh = app.reply(WANG, WANG, "/start").await;
    assert!(zh.contains("群"), "{zh}");
    app.stop().await.cleanup().await;
}

#[tokio::test]
async fn timezone_permissions_and_validation() {
    let mut app = sqlite_app().await;
    app.reply(GROUP, ALICE, "/start").await;
    let refused = app.reply(GROUP, BOB, "/timezone Europe/Berlin").await;
    assert!(
        refused.contains("Only the group's admins") && refused.contains("alice"),
        "{refused}"
    );
    let team = app.ctx.store.team(ChatId(GROUP)).await.unwrap().unwrap();
    assert_eq!(
        team.tz, "Asia/Shanghai",
        "a refused command changes nothing"
    );

    let mars = app.reply(GROUP, ALICE, "/timezone Mars/Base").await;
    assert!(
        mars.contains("Mars/Base") && mars.contains("IANA"),
        "{mars}"
    );
    assert_eq!(
        app.ctx.store.team(ChatId(GROUP)).await.unwrap().unwrap().tz,
        "Asia/Shanghai"
    );

    let ok = app.reply(GROUP, ALICE, "/timezone Europe/Berlin").await;
    assert!(ok.contains("Europe/Berlin"), "{ok}");
    assert_eq!(
        app.ctx.store.team(ChatId(GROUP)).await.unwrap().unwrap().tz,
        "Europe/Berlin"
    );
    let start = app.reply(GROUP, BOB, "/start").await;
    assert!(start.contains("Europe/Berlin"), "{start}");
    app.stop().await.cleanup().await;
}

#[tokio::test]
async fn an_anonymous_admin_may_change_settings() {
    let mut app = sqlite_app().await;
    let before = app.emulator.sent_count();
    let opts = SendOpts {
        sender_chat: Some(GROUP),
        ..Default::default()
    };
    app.emulator
        .send_text_opts(GROUP, ALICE, "/currency $", opts);
    app.wait_handled().await;
    let sent = app.emulator.sent_since(before);
    assert!(sent[0].text.contains("<b>$</b>"), "{:?}", sent[0].text);
    assert_eq!(
        app.ctx
            .store
            .team(ChatId(GROUP))
            .await
            .unwrap()
            .unwrap()
            .currency,
        "$"
    );
    app.stop().await.cleanup().await;
}

#[tokio::test]
async fn lang_and_currency_are_validated() {
    let mut app = sqlite_app().await;
    let bad = app.reply(GROUP, ALICE, "/lang fr").await;
    assert!(
        bad.contains("<code>fr</code>") && bad.contains("/lang zh|en"),
        "{bad}"
    );
    let bad = app.reply(GROUP, ALICE, "/currency dollars").await;
    assert!(bad.contains("dollars"), "{bad}");
    assert_eq!(
        app.ctx
            .store
            .team(ChatId(GROUP))
            .await
            .unwrap()
            .unwrap()
            .currency,
        "¥"
    );
    let zh = app.reply(GROUP, ALICE, "/lang 中文").await;
    assert_eq!(zh, "语言已设为中文。");
    let help = app.reply(GROUP, BOB, "/help").await;
    assert!(help.contains("命令"), "{help}");
    app.stop().await.cleanup().await;
}

#[tokio::test]
async fn a_duplicate_update_is_handled_once() {
    let mut app = sqlite_app().await;
    let before = app.emulator.sent_count();
    for _ in 0..2 {
        let opts = SendOpts {
            update_id: Some(9_000_001),
            ..Default::default()
        };
        app.emulator.send_text_opts(GROUP, ALICE, "/lang zh", opts);
        app.wait_handled().await;
    }
    assert_eq!(
        app.emulator.sent_since(before).len(),
        1,
        "the same update id answered twice"
    );
    app.stop().await.cleanup().await;
}

#[tokio::test]
async fn commands_addressed_to_the_bot_by_name_work_and_others_are_ignored() {
    let mut app = sqlite_app().await;
    let text = app.reply(GROUP, ALICE, "/help@campaign_bot lang").await;
    assert!(text.contains("/lang zh|en"), "{text}");
    let other = app.say(GROUP, ALICE, "/start@some_other_bot").await;
    assert!(
        other.is_empty(),
        "answered another bot's command: {other:?}"
    );
    let unknown = app.reply(GROUP, ALICE, "/frobnicate").await;
    assert!(unknown.contains("/frobnicate"), "{unknown}");
    app.stop().await.cleanup().await;
}

#[tokio::test]
async fn hostile_titles_and_names_never_break_a_message() {
    let mut app = sqlite_app().await;
    let evil = 777;
    app.emulator.add_user(UserSpec {
        id: evil,
        first_name: "<b>&".into(),
        last_name: Some("</pre>\u{202e}".into()),
        username: Some("evil_one".into()),
        language_code: Some("en".into()),
    });
    app.emulator.set_chat_title(GROUP, "<b>& </i> \u{200b}");
    let start = app.reply(GROUP, evil, "/start").await;
    assert!(start.contains("&lt;b&gt;&amp;"), "{start}");
    let refused = app.reply(GROUP, evil, "/timezone UTC").await;
    assert!(refused.contains("alice"), "{refused}");
    // stop() asserts the emulator rejected nothing.
    app.stop().await.cleanup().await;
}

#[tokio::test]
async fn menus_are_registered_in_english_and_chinese() {
    let app = sqlite_app().await;
    campaign_bot::bot::set_menus(&app.another_bot())
        .await
        .expect("setMyCommands");
    let menus = app.emulator.my_commands();
    let en = menus
        .iter()
        .find(|(lang, _)| lang.is_none())
        .expect("default menu");
    let zh = menus
        .iter()
        .find(|(lang, _)| lang.as_deref() == Some("zh"))
        .expect("zh menu");
    assert!(
        en.1.iter()
            .any(|(c, d)| c == "task" && d.contains("create a task"))
    );
    assert!(
        zh.1.iter()
            .any(|(c, d)| c == "task" && d.contains("创建任务"))
    );
    assert_eq!(en.1.len(), zh.1.len());
    app.stop().await.cleanup().await;
}

#[tokio::test]
async fn postgres_start_and_settings() {
    let Some(db) = TestDb::postgres("e2e_foundation").await else {
        return;
    };
    let mut app = TestApp::spawn(db).await;
    app.reply(GROUP, WANG, "/start").await;
    let ok = app.reply(GROUP, ALICE, "/timezone Europe/Berlin").await;
    assert!(ok.contains("Europe/Berlin"), "{ok}");
    let start = app.reply(GROUP, BOB, "/start").await;
    assert!(
        start.contains("Europe/Berlin") && start.contains("设置"),
        "{start}"
    );
    app.stop().await.cleanup().await;
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

#[tokio::test]
async fn webhook_mode_needs_the_secret_and_serves_healthz() {
    let db = TestDb::sqlite().await;
    let clock = campaign_bot::clock::ManualClock::new(common::T0);
    let emulator = campaign_bot::console::emulator::Emulator::start(clock.clone())
        .await
        .expect("emulator");
    emulator.add_chat(GROUP, ChatKind::Supergroup, "Growth");
    emulator.add_user(
        UserSpec::new(ALICE, "alice")
            .username("alice")
            .language("en"),
    );
    emulator.set_admin(GROUP, ALICE, true);
    let bot = campaign_bot::app::make_bot(
        &emulator.token(),
        Some(&emulator.api_url()),
        campaign_bot::app::relaxed_limits(),
    );
    let app = campaign_bot::app::App::new(
        common::settings(&db.url),
        clock.clone(),
        db.store.clone(),
        bot,
    );
    let ctx = app.ctx.clone();
    let port = free_port();
    let url = url::Url::parse(&format!("http://127.0.0.1:{port}/")).unwrap();
    let server = tokio::spawn(app.run_webhook(url, "s3cret".into(), port));
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    // The server binds in the background: retry the connection (bounded), no fixed waits.
    let mut healthy = false;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while std::time::Instant::now() < deadline {
        if let Ok(r) = client.get(format!("{base}/healthz")).send().await {
            healthy = r.status() == 200;
            break;
        }
        tokio::task::yield_now().await;
    }
    assert!(healthy, "/healthz did not answer 200");
    let update = serde_json::json!({"update_id": 5, "message": {"message_id": 1, "date": common::T0, "chat": {"id": GROUP, "type": "supergroup", "title": "x"}, "from": {"id": ALICE, "is_bot": false, "first_name": "a"}, "text": "/lang zh", "entities": [{"type": "bot_command", "offset": 0, "length": 5}]}});
    let no_secret = client
        .post(format!("{base}/"))
        .json(&update)
        .send()
        .await
        .unwrap();
    assert_eq!(no_secret.status(), 403);
    let wrong = client
        .post(format!("{base}/"))
        .header("X-Telegram-Bot-Api-Secret-Token", "nope")
        .json(&update)
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 403);
    assert_eq!(ctx.tracker.finished(), 0, "a refused request did nothing");
    assert!(ctx.store.team(ChatId(GROUP)).await.unwrap().is_none());
    // The emulator delivers real updates by webhook, with the secret it was given.
    assert_eq!(
        emulator.webhook().map(|(_, s)| s),
        Some(Some("s3cret".to_string()))
    );
    emulator.send_text(GROUP, ALICE, "/lang zh");
    assert!(ctx.tracker.wait_finished(1, Duration::from_secs(20)).await);
    assert!(emulator.sent().iter().any(|m| m.text == "语言已设为中文。"));
    server.abort();
    db.cleanup().await;
}

#[test]
fn console_binary_prints_the_welcome_and_exits_zero() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_campaign-bot"))
        .arg("console")
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .env("BOT_DEFAULT_LANG", "zh")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run console");
    child.stdin.take().unwrap().write_all(b"/start\n").unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("campaign-bot 帮团队跑推广节奏"), "{stdout}");
}

#[test]
fn bad_settings_stop_startup_with_one_line_and_exit_2() {
    use std::process::Command;
    /// (arguments, environment, what the error line must name)
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);
    let cases: [Case; 4] = [
        (&["run"], &[], "TELOXIDE_TOKEN"),
        (
            &["run"],
            &[("TELOXIDE_TOKEN", "1:x"), ("BOT_DEFAULT_TZ", "Mars/Base")],
            "BOT_DEFAULT_TZ",
        ),
        (
            &["migrate"],
            &[("DATABASE_URL", "mysql://x")],
            "DATABASE_URL",
        ),
        (
            &["run", "--webhook", "https://x.example/"],
            &[("TELOXIDE_TOKEN", "1:x")],
            "WEBHOOK_SECRET",
        ),
    ];
    for (args, env, names) in cases {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_campaign-bot"));
        cmd.args(args);
        for var in [
            "TELOXIDE_TOKEN",
            "DATABASE_URL",
            "BOT_DEFAULT_TZ",
            "BOT_DEFAULT_LANG",
            "WEBHOOK_SECRET",
            "PORT",
            "TELOXIDE_API_URL",
        ] {
            cmd.env_remove(var);
        }
        cmd.envs(env.iter().copied());
        let out = cmd.output().expect("run");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{args:?}: {stderr}");
        assert!(
            stderr.contains(names) && !stderr.contains("panicked"),
            "{args:?}: {stderr}"
        );
    }
}

#[tokio::test]
async fn the_binary_answers_through_the_emulator_and_stops_cleanly_on_sigterm() {
    use std::process::{Command, Stdio};
    let clock = campaign_bot::clock::ManualClock::new(common::T0);
    let emulator = campaign_bot::console::emulator::Emulator::start(clock)
        .await
        .expect("emulator");
    emulator.add_chat(GROUP, ChatKind::Supergroup, "Growth");
    emulator.add_user(
        UserSpec::new(ALICE, "alice")
            .username("alice")
            .language("en"),
    );
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_campaign-bot"))
        .arg("run")
        .env("TELOXIDE_TOKEN", emulator.token())
        .env("TELOXIDE_API_URL", emulator.api_url().as_str())
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", dir.path().join("bot.db").display()),
        )
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn");
    emulator.send_text(GROUP, ALICE, "/start");
    let answered = emulator
        .wait_for(Duration::from_secs(30), |e| e.sent_count() >= 1)
        .await;
    assert!(answered, "the binary did not answer /start");
    assert_eq!(
        emulator.my_commands().len(),
        2,
        "menus in English and Chinese"
    );
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "exit status after SIGTERM: {status}");
}
