//! Shared test helpers: a fresh database per test on either backend, and a whole bot wired to
//! the emulator (`spawn_app`), zero2prod-style.
#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use campaign_bot::app::{self, App, Running};
use campaign_bot::bot::Ctx;
use campaign_bot::clock::{ManualClock, SharedClock};
use campaign_bot::config::{CommonArgs, Settings};
use campaign_bot::console::emulator::{ChatKind, Emulator, SentMessage, UserSpec};
use campaign_bot::storage::Store;

/// 2026-11-02 09:00:00 UTC, a Monday: tests never depend on today's date.
pub const T0: i64 = 1_793_610_000;

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A database that exists for one test.
pub struct TestDb {
    pub store: Store,
    pub url: String,
    admin_url: Option<String>,
    name: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        let store = Store::open(&url).await.expect("open sqlite");
        TestDb {
            store,
            url,
            admin_url: None,
            name: None,
            _dir: Some(dir),
        }
    }

    /// A fresh PostgreSQL database, or None (and a SKIPPED line naming the test) without
    /// TEST_DATABASE_URL. CI always sets it.
    pub async fn postgres(test: &str) -> Option<TestDb> {
        let Ok(admin_url) = std::env::var("TEST_DATABASE_URL") else {
            eprintln!("SKIPPED: {test} (TEST_DATABASE_URL is not set; PostgreSQL tests skipped)");
            if std::env::var("CI").is_ok() {
                panic!("TEST_DATABASE_URL must be set in CI");
            }
            return None;
        };
        let name = format!(
            "cb_{}_{}_{}",
            test.chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                .take(30)
                .collect::<String>(),
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        )
        .to_lowercase();
        let admin = Store::connect(&admin_url)
            .await
            .expect("connect to TEST_DATABASE_URL");
        admin
            .execute_raw(&format!("DROP DATABASE IF EXISTS {name}"))
            .await
            .expect("drop old db");
        admin
            .execute_raw(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create db");
        admin.close().await;
        let mut url = url::Url::parse(&admin_url).expect("TEST_DATABASE_URL is a URL");
        url.set_path(&format!("/{name}"));
        let url = url.to_string();
        let store = Store::open(&url).await.expect("open postgres");
        Some(TestDb {
            store,
            url,
            admin_url: Some(admin_url),
            name: Some(name),
            _dir: None,
        })
    }

    pub async fn cleanup(self) {
        self.store.close().await;
        if let (Some(admin_url), Some(name)) = (self.admin_url, self.name)
            && let Ok(admin) = Store::connect(&admin_url).await
        {
            let _ = admin
                .execute_raw(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await;
            admin.close().await;
        }
    }
}

pub fn settings(database_url: &str) -> Settings {
    let mut s = Settings::from_args(&CommonArgs {
        token: None,
        api_url: None,
        database_url: Some(database_url.to_string()),
        default_lang: None,
        default_tz: None,
        webhook_secret: None,
        port: None,
    })
    .expect("test settings");
    s.default_lang = campaign_bot::domain::lang::Lang::En;
    s
}

pub const GROUP: i64 = -100_200_300;
pub const ALICE: i64 = 501; // admin, en
pub const BOB: i64 = 502; // member, en
pub const WANG: i64 = 503; // member, zh

/// A bot running against the emulator, with a group of three.
pub struct TestApp {
    pub emulator: Emulator,
    pub ctx: Ctx,
    pub clock: Arc<ManualClock>,
    pub db: TestDb,
    pub scheduler: campaign_bot::scheduler::Scheduler,
    running: Option<Running>,
    injected: u64,
}

/// The emulator with the test team: GROUP, with ALICE (its admin), BOB and WANG, each also in a
/// private chat with the bot.
pub async fn team_emulator(clock: SharedClock) -> Emulator {
    let emulator = Emulator::start(clock).await.expect("emulator");
    emulator.add_chat(GROUP, ChatKind::Supergroup, "Growth <b>&amp; Co</b>");
    for (id, name, lang) in [
        (ALICE, "alice", "en"),
        (BOB, "bob", "en"),
        (WANG, "wang", "zh-hans"),
    ] {
        emulator.add_user(UserSpec {
            id,
            first_name: name.to_string(),
            last_name: None,
            username: Some(name.to_string()),
            language_code: Some(lang.to_string()),
        });
        emulator.add_chat(id, ChatKind::Private, name);
    }
    emulator.set_admin(GROUP, ALICE, true);
    emulator
}

impl TestApp {
    pub async fn spawn(db: TestDb) -> TestApp {
        let clock = ManualClock::new(T0);
        let shared: SharedClock = clock.clone();
        let emulator = team_emulator(shared.clone()).await;
        let bot = app::make_bot(
            &emulator.token(),
            Some(&emulator.api_url()),
            app::relaxed_limits(),
        );
        let app = App::new(settings(&db.url), shared, db.store.clone(), bot);
        let ctx = app.ctx.clone();
        let running = app.spawn_polling();
        let scheduler = app.scheduler();
        TestApp {
            emulator,
            ctx,
            clock,
            db,
            scheduler,
            running: Some(running),
            injected: 0,
        }
    }

    /// Sends a message and returns what the bot sent in response.
    pub async fn say(&mut self, chat: i64, from: i64, text: &str) -> Vec<SentMessage> {
        let before = self.emulator.sent_count();
        self.emulator.send_text(chat, from, text);
        self.wait_handled().await;
        self.emulator.sent_since(before)
    }

    /// The text of the single reply to a message.
    pub async fn reply(&mut self, chat: i64, from: i64, text: &str) -> String {
        let sent = self.say(chat, from, text).await;
        assert_eq!(
            sent.len(),
            1,
            "expected one reply to {text:?}, got {sent:#?}"
        );
        sent[0].text.clone()
    }

    /// Runs the scheduler once (as its loop would at this moment); returns what it sent.
    pub async fn tick(&self) -> Vec<SentMessage> {
        let before = self.emulator.sent_count();
        self.scheduler.tick().await.expect("scheduler tick");
        self.emulator.sent_since(before)
    }

    pub fn clock_now(&self) -> i64 {
        use campaign_bot::clock::Clock;
        self.clock.now()
    }

    /// Moves the clock and runs the scheduler.
    pub async fn advance(&self, seconds: i64) -> Vec<SentMessage> {
        self.clock.advance(seconds);
        self.tick().await
    }

    /// A second bot talking to the same emulator (another process, or the same after a restart).
    pub fn another_bot(&self) -> campaign_bot::bot::TgBot {
        app::make_bot(
            &self.emulator.token(),
            Some(&self.emulator.api_url()),
            app::relaxed_limits(),
        )
    }

    /// Call after injecting an update by other means.
    pub async fn wait_handled(&mut self) {
        self.injected += 1;
        assert!(
            self.ctx
                .tracker
                .wait_finished(self.injected, Duration::from_secs(20))
                .await,
            "update {} was not handled in time",
            self.injected
        );
    }

    /// Stops the bot after a test that injected Telegram errors on purpose.
    pub async fn stop_after_faults(mut self) -> TestDb {
        if let Some(running) = self.running.take() {
            running.stop().await;
        }
        self.db
    }

    pub async fn stop(mut self) -> TestDb {
        if let Some(running) = self.running.take() {
            running.stop().await;
        }
        assert!(
            self.emulator.rejections().is_empty(),
            "Telegram would reject: {:#?}",
            self.emulator.rejections()
        );
        self.db
    }
}

/// One `#[tokio::test]` per backend for each store-contract function `async fn(&Store)`.
#[allow(unused_macros)]
macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let db = $crate::common::TestDb::sqlite().await;
                    super::$name(&db.store).await;
                    db.cleanup().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let name = concat!(module_path!(), "::", stringify!($name));
                    let Some(db) = $crate::common::TestDb::postgres(name).await else { return };
                    super::$name(&db.store).await;
                    db.cleanup().await;
                }
            )*
        }
    };
}

/// One `#[tokio::test]` per backend for each scenario `async fn(TestApp)`.
#[allow(unused_macros)]
macro_rules! e2e {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let db = $crate::common::TestDb::sqlite().await;
                    super::$name($crate::common::TestApp::spawn(db).await).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let name = concat!(module_path!(), "::", stringify!($name));
                    let Some(db) = $crate::common::TestDb::postgres(name).await else { return };
                    super::$name($crate::common::TestApp::spawn(db).await).await;
                }
            )*
        }
    };
}

/// One `#[tokio::test]` per backend for each scenario `async fn(TestDb)`.
#[allow(unused_macros)]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name($crate::common::TestDb::sqlite().await).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let name = concat!(module_path!(), "::", stringify!($name));
                    let Some(db) = $crate::common::TestDb::postgres(name).await else { return };
                    super::$name(db).await;
                }
            )*
        }
    };
}
