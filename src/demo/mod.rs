//! `campaign-bot demo`: a fresh database with a four-week sample campaign (`campaign`), run
//! through the bot in-process (the emulator and the console's [`Session`]), then the weekly
//! review it produces: the agenda at 16:00, the summary and its chart at 17:00, and every
//! bottleneck. Everything it writes goes to `./campaign-bot-demo/`, and it prints the paths.

mod campaign;

use crate::domain::ids::ChatId;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use chrono::{Datelike, Duration, NaiveDate, TimeZone, Weekday};

use crate::config::Settings;
use crate::console::terminal::{GROUP_ID, Session};
use crate::domain::lang::Lang;
use crate::storage::{NewCheckin, Store};
use campaign::{DAYS, channel_names, numbers, setup};

/// The review day: Friday 2026-11-27; the demo starts at 15:50 in Shanghai.
const REVIEW_DAY: (i32, u32, u32) = (2026, 11, 27);
/// Where the demo writes, relative to where it runs.
const OUT_DIR: &str = "campaign-bot-demo";

/// Entry point of `campaign-bot demo`.
pub async fn run(settings: Settings) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let out_dir = std::env::current_dir()
        .context("no working directory")?
        .join(OUT_DIR);
    std::fs::create_dir_all(&out_dir)
        .with_context(|| format!("cannot create {}", out_dir.display()))?;
    let explicit_db = std::env::var("DATABASE_URL").is_ok_and(|v| !v.is_empty());
    let db_url = if explicit_db {
        settings.database_url.clone()
    } else {
        // A fresh database each run: the demo's story starts from nothing.
        let db = out_dir.join("demo.db");
        for f in [
            db.clone(),
            out_dir.join("demo.db-wal"),
            out_dir.join("demo.db-shm"),
        ] {
            remove_if_there(&f)?;
        }
        format!("sqlite://{}", db.display())
    };
    let store = Store::open(&db_url)
        .await
        .with_context(|| format!("cannot open {db_url}"))?;
    let lang = settings.default_lang;
    let (y, m, d) = REVIEW_DAY;
    let review_day = NaiveDate::from_ymd_opt(y, m, d).context("review day")?;
    let start = chrono_tz::Asia::Shanghai
        .with_ymd_and_hms(y, m, d, 15, 50, 0)
        .single()
        .context("start time")?
        .timestamp();
    let mut session = Session::start(settings, store.clone(), lang, start, out_dir.clone()).await?;
    println!("campaign-bot demo — a four-week sample campaign (database: {db_url})");
    let names = channel_names(lang);
    println!(
        "Team \"Promo Team\": alice (lead, admin), bob, carol, dave, erin; channels {}, {} (core), {} (test), {} (reserve).",
        names[0], names[1], names[2], names[3]
    );
    for line in setup(lang) {
        let out = session.line(&line).await?;
        tracing::debug!(line, ?out, "demo setup");
    }
    let first = review_day - Duration::days(DAYS - 1);
    // The plan was made before the numbers started: backdate the channels, so a channel that
    // stops checking in counts its silence from its last numbers, not from "added today".
    let planned = chrono_tz::Asia::Shanghai
        .with_ymd_and_hms(first.year(), first.month(), first.day(), 9, 0, 0)
        .single()
        .context("plan time")?
        .timestamp();
    store
        .execute_raw(&format!(
            "UPDATE channels SET created_at = {planned} WHERE chat_id = {GROUP_ID}"
        ))
        .await?;
    let count = import(&store, first, lang, start).await?;
    println!(
        "{count} check-ins from {first} to {review_day}: weekends busier, ±10% day to day, {} silent for the last {} days; the weekly review is set for Friday 17:00 (Asia/Shanghai).\n",
        names[3],
        campaign::GAP_DAYS
    );
    let mut files: Vec<PathBuf> = Vec::new();
    // The review, then all four weeks on one chart (the weekend rhythm, the drop, the gap).
    for line in [
        "/advance 10m",
        "/advance 1h",
        "/bottlenecks",
        "/chart gmv 28d",
    ] {
        println!("» {line}");
        for out in session.line(line).await? {
            if let Some(path) = out
                .split("[file written: ")
                .nth(1)
                .and_then(|r| r.split(']').next())
            {
                files.push(PathBuf::from(path));
            }
            println!("{out}\n");
        }
    }
    session.stop().await;
    if files.is_empty() {
        println!("(no chart was produced)");
    }
    for path in &files {
        println!("Chart written to {}", path.display());
    }
    if !explicit_db {
        println!("Database written to {}", out_dir.join("demo.db").display());
    }
    println!("Done in {:.1} s.", started.elapsed().as_secs_f64());
    Ok(())
}

/// The 28 days of check-ins, written straight to the store (as an import would).
async fn import(store: &Store, first: NaiveDate, lang: Lang, now: i64) -> anyhow::Result<usize> {
    let day = |i: i64| first + Duration::days(i);
    let weekend = |i: i64| matches!(day(i).weekday(), Weekday::Sat | Weekday::Sun);
    let keys: Vec<String> = (0..DAYS)
        .map(|i| day(i).format("%Y-%m-%d").to_string())
        .collect();
    let names = channel_names(lang);
    let mut rows = Vec::new();
    for (c, days) in numbers(weekend).iter().enumerate() {
        for (i, n) in days.iter().enumerate() {
            let Some((spend, impressions, clicks, orders, gmv)) = *n else {
                continue;
            };
            rows.push(NewCheckin {
                chat_id: ChatId(GROUP_ID),
                channel: names[c],
                day: &keys[i],
                creative: "",
                spend: Some(spend),
                impressions: Some(impressions),
                clicks: Some(clicks),
                orders: Some(orders),
                gmv: Some(gmv),
                leads: None,
                new_customers: None,
                interactions: None,
                author_id: None,
            });
        }
    }
    store.import_checkins(&rows, now).await?;
    Ok(rows.len())
}

fn remove_if_there(path: &Path) -> anyhow::Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("cannot remove {}", path.display())),
    }
}
