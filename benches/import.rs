//! A 50,000-row platform export imported through the emulator: time and peak memory.
//!
//! `cargo bench --bench import` (PostgreSQL too when TEST_DATABASE_URL is set). A member posts
//! a 巨量千川-style CSV of IMPORT_BENCH_ROWS rows (default 50,000: 30 days × many plans,
//! ~2.7 MB) with the caption `/import`; the bot downloads it (getFile + file download over
//! HTTP), reads and sums it, stores the preview; the member presses ✅ Import and the 30 days
//! are stored in one transaction. Printed: wall time from posting to the preview, from the
//! press to the stored reply, and the process's peak RSS above its idle RSS (the peak is reset
//! through /proc/self/clear_refs first, so set-up does not count). Goal (issue 14): < 2 s and
//! < 50 MiB above idle.

#[path = "../tests/support/import_fixtures.rs"]
mod fixtures;

#[path = "support/fresh_db.rs"]
mod fresh_db;
use campaign_bot::domain::ids::ChatId;
use fresh_db::FreshDatabase;
use std::time::{Duration, Instant};

use campaign_bot::app::{self, App};
use campaign_bot::clock::{ManualClock, SharedClock};
use campaign_bot::config::{CommonArgs, Settings};
use campaign_bot::console::emulator::{ChatKind, Emulator, UserSpec};
use campaign_bot::domain::lang::Lang;
use campaign_bot::domain::playbook::Tier;
use campaign_bot::storage::Store;

/// 2026-11-02 09:00 UTC, as in the tests.
const T0: i64 = 1_793_610_000;
const GROUP: i64 = -1_000_000_001;
const USER: i64 = 501;

/// `VmRSS` or `VmHWM` of this process, in KiB.
fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0)
}

fn settings(url: &str) -> Settings {
    let mut s = Settings::from_args(&CommonArgs {
        token: None,
        api_url: None,
        database_url: Some(url.to_string()),
        default_lang: None,
        default_tz: None,
        webhook_secret: None,
        port: None,
    })
    .expect("settings");
    s.default_lang = Lang::En;
    s
}

async fn run(label: &str, url: &str, rows: usize) {
    let store = Store::open(url).await.expect("open");
    let clock = ManualClock::new(T0);
    let shared: SharedClock = clock.clone();
    let emulator = Emulator::start(shared.clone()).await.expect("emulator");
    emulator.add_user(
        UserSpec::new(USER, "alice")
            .username("alice")
            .language("en"),
    );
    emulator.add_chat(GROUP, ChatKind::Supergroup, "Bench team");
    emulator.set_admin(GROUP, USER, true);
    let bot = app::make_bot(
        &emulator.token(),
        Some(&emulator.api_url()),
        app::relaxed_limits(),
    );
    let app = App::new(settings(url), shared, store.clone(), bot);
    let ctx = app.ctx.clone();
    let running = app.spawn_polling();
    let mut handled = 0u64;
    let mut wait = async |emulator: &Emulator, text: Option<&str>| {
        if let Some(text) = text {
            emulator.send_text(GROUP, USER, text);
        }
        handled += 1;
        assert!(
            ctx.tracker
                .wait_finished(handled, Duration::from_secs(120))
                .await
        );
    };
    wait(&emulator, Some("hello")).await;
    store
        .add_channel(ChatId(GROUP), "douyin", Tier::Core, 3_000_000, T0)
        .await
        .expect("channel");

    let export = fixtures::big_export(rows);
    // The emulator holds the posted file too (as Telegram would, elsewhere): counted here
    // before the peak is reset, so the figure is what the bot itself adds.
    let before_post = emulator.sent_count();
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let idle = status_kib("VmRSS:");
    let started = Instant::now();
    emulator.send_document(GROUP, USER, "千川_计划日报.csv", &export, Some("/import"));
    wait(&emulator, None).await;
    let to_preview = started.elapsed();
    let preview = emulator.sent_since(before_post).pop().expect("a preview");
    let data = preview
        .callback_data()
        .into_iter()
        .find(|d| d.starts_with("i:ok:"))
        .unwrap_or_else(|| panic!("no ✅ button: {}", preview.plain_text()));
    let pressed = Instant::now();
    emulator.press_button(GROUP, USER, preview.message_id, &data);
    wait(&emulator, None).await;
    let to_stored = pressed.elapsed();
    let peak = status_kib("VmHWM:");
    let stored = store.count_checkins(ChatId(GROUP)).await.expect("count");
    println!(
        "{label}: {rows} rows ({:.1} MB) → preview in {:.2} s, ✅ → {stored} days stored in {:.2} s, \
         total {:.2} s; peak RSS {:.1} MiB above idle ({:.1} MiB idle)",
        export.len() as f64 / 1_048_576.0,
        to_preview.as_secs_f64(),
        to_stored.as_secs_f64(),
        (to_preview + to_stored).as_secs_f64(),
        peak.saturating_sub(idle) as f64 / 1024.0,
        idle as f64 / 1024.0,
    );
    running.stop().await;
    emulator.shutdown();
    store.close().await;
}

#[tokio::main]
async fn main() {
    let rows: usize = std::env::var("IMPORT_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    run("SQLite", &url, rows).await;

    match std::env::var("TEST_DATABASE_URL") {
        Err(_) => println!("PostgreSQL: skipped (TEST_DATABASE_URL is not set)"),
        Ok(admin_url) => {
            let db = FreshDatabase::create(
                &admin_url,
                &format!("cb_bench_import_{}", std::process::id()),
            )
            .await;
            run("PostgreSQL", &db.url, rows).await;
            db.drop_it().await;
        }
    }
}
